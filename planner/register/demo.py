"""A FICTIONAL demo register for Aigialeia: people, care plans, stops, staff, calendar, history.

``kinito init --demo`` calls :func:`load_demo`. The places are real (the register's ELSTAT
settlements); every person is invented and marked "(πλασματικό πρόσωπο)", every phone number
is made up (``269100xxxx`` / ``69000xxxxx``: never dial them), every home is a random point
within 300 m of its settlement's point. The conventions are those of ``data/demo/generate.py``
(the demo week); ``docs/demo-register.md`` says what is in the register and why.

Demand is shaped so that the two units (the van with its driver and a municipal car, as in the
demo week) have a full but feasible week: about 50 home visits and 10-12 village stop sessions
due per week. "Due" is the week builder's rule (:mod:`planner.register.due`): driven by the
date of the last visit actually *done*, so a visit that was not done (not at home, cancelled,
postponed, or not reached) stays due the next week. The history is simulated week by week
with that rule, from an imagined last visit before the history (not stored) whose week is
taken in turn within each rhythm, so that the weeks are even.

The outcome history covers the eight ISO weeks before the reference date's week, as the
weekly planner would have produced it; ``plan_version_id`` stays NULL (no stored plans).
Everything random comes from one ``random.Random(seed)`` and the reference date: the same
seed and date give the same rows.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.gazetteer import BASE_DEFAULT, point_near, straight_km
from planner.register.calendar import load_holidays
from planner.register.due import Rhythm, iso_week_of, occurrences_due
from planner.register.models import (
    Beneficiary,
    CalendarDay,
    CarePlan,
    Settlement,
    Staff,
    Unit,
    VillageStop,
    VisitOutcome,
)

__all__ = [
    "DEMO_ACTOR",
    "FICTIONAL",
    "HISTORY_WEEKS",
    "DemoRegisterError",
    "DemoSummary",
    "iso_monday",
    "load_demo",
]

FICTIONAL = "(πλασματικό πρόσωπο)"
# The audit log's actor of `kinito init --demo`: what tells a demo register from a real one.
DEMO_ACTOR = "kinito init --demo"
ATHENS = ZoneInfo("Europe/Athens")
HISTORY_WEEKS = 8
PILOT_WEEKS_AHEAD = 12  # extended-hours pilot Wednesdays stored up to this many weeks ahead
N_BENEFICIARIES = 250

# --- care plans: how many of each rhythm (active plans) --------------------------------------
# Visits asked for in a week: 3 + 2x2 + 14/2 + 12/3 + 30/4 + 64/8 + (12 + 2x2) x 12/52 social
# worker (~37) + 4/2 + 8/4 + 2 x 12/52 psychologist (~4.5); with the visits carried over from
# weeks that did not get done (about one in four), ~50 due a week. See docs/demo-register.md.
RHYTHMS: tuple[tuple[str, int, int], ...] = (
    # (frequency_kind, frequency_count, number of social-worker plans)
    ("weekly", 1, 3),
    ("weekly", 2, 2),
    ("every_n_weeks", 2, 14),
    ("every_n_weeks", 3, 12),
    ("every_n_weeks", 4, 30),
    ("every_n_weeks", 8, 64),
    ("monthly", 1, 12),
    ("monthly", 2, 2),
)
PSY_RHYTHMS: tuple[tuple[str, int, int], ...] = (
    ("every_n_weeks", 2, 4),
    ("every_n_weeks", 4, 8),
    ("monthly", 1, 2),
)
N_PAUSED = 30
N_ENDED = 28
N_NEW_IN_HISTORY = 10  # active plans that started during the history weeks (new cases)
SW_DURATIONS = (20, 25, 30, 30, 35, 40, 45, 50)
PSY_DURATIONS = (45, 50, 60)
TIME_WINDOW_SHARE = 0.25
RESTRICTED_SHARE = 0.08
EVENING_ONLY = 2  # reachable only after work: only the extended-hours pilot day serves them

ORDINARY_WINDOWS: tuple[list[list[str]], ...] = (
    [["09:00", "12:00"]],  # mornings only
    [["11:00", "15:30"]],  # after 11:00 (a carer comes in the morning)
    [["09:30", "11:00"], ["13:00", "15:00"]],  # not at lunchtime
    [["08:30", "10:30"]],  # before the day-care centre bus
)
EVENING_WINDOW = [["17:00", "19:00"]]
RESTRICTIONS: tuple[tuple[list[int], str], ...] = (
    ([1, 3, 5], "Αιμοκάθαρση Τρίτη και Πέμπτη."),
    ([2, 4], "Δευτέρα, Τετάρτη, Παρασκευή στο ΚΑΠΗ."),
    ([1, 2, 4], "Τετάρτη και Παρασκευή φυσικοθεραπεία εκτός σπιτιού."),
)
SW_SERVICES = (
    "Κοινωνική υποστήριξη κατ' οίκον",
    "Παρακολούθηση ΚΕΑ και επιδομάτων",
    "Ενημέρωση και διασύνδεση με υπηρεσίες",
    "Παρακολούθηση ατόμου που μένει μόνο",
)
PSY_SERVICE = "Ψυχολογική υποστήριξη κατ' οίκον"

# --- village stops ----------------------------------------------------------------------------
N_VILLAGE_STOPS = 20
STOP_RHYTHMS: tuple[tuple[str, int], ...] = (
    *[("weekly", 1)] * 3,
    *[("every_n_weeks", 2)] * 12,
    *[("monthly", 1)] * 5,
)
STOP_DURATIONS = (60, 75, 90, 90, 120)
STOPS_PER_WEEKDAY = 4
STOP_SLOTS = ("09:30", "12:00")  # announced start times: at most two stops a unit-day
STOP_MIN_KM = 8.0
STOP_MIN_ELEVATION_M = 150
STOP_MIN_POPULATION = 40
# The unit goes to each municipal unit's hill villages on a fixed weekday (as in the demo week).
AREA_WEEKDAY = {"Αιγίου": 1, "Ακράτας": 2, "Αιγείρας": 2, "Συμπολιτείας": 3, "Διακοπτού": 4, "Ερινεού": 5}
STOP_PLACES = ("πλατεία", "γραφείο της κοινότητας", "πρώην δημοτικό σχολείο", "ΚΑΠΗ")

# --- where people live (data/demo/generate.py's weights) --------------------------------------
MOUNTAIN_WEIGHT = 2.0
MOUNTAIN_MIN_ELEVATION_M = 200
AIGIO_TOWN_CODE = "3702010101"
AIGIO_TOWN_WEIGHT = 0.15
JITTER_MAX_M = 280.0

# --- history ----------------------------------------------------------------------------------
# Probability that a due visit was reached at all (else: no outcome row, the week was full),
# by terrain of the settlement: mountain villages are farther and lose more to a full week.
REACHED = {"plain": 0.97, "semi_mountainous": 0.92, "mountainous": 0.80}
STATUS_WEIGHTS = {"done": 80, "not_at_home": 8, "cancelled": 6, "postponed": 6}
STOP_STATUS_WEIGHTS = {"done": 88, "cancelled": 8, "postponed": 4}
NOTES = {
    "done": ("", "", "", "Όλα καλά· επόμενη επίσκεψη όπως προγραμματίστηκε.",
             "Παραδόθηκαν έντυπα αίτησης.", "Συζητήθηκε ανανέωση ΚΕΑ."),
    "not_at_home": ("Δεν απάντησε στο κουδούνι· αφέθηκε σημείωμα.",
                    "Δεν βρέθηκε στο σπίτι· ο γείτονας είπε ότι είναι στον γιατρό."),
    "cancelled": ("Ακύρωση από τον ωφελούμενο τηλεφωνικά.", "Ακύρωση: ο ωφελούμενος νοσηλεύεται."),
    "postponed": ("Αναβολή κατόπιν αιτήματος· νέα ημέρα την επόμενη εβδομάδα.",
                  "Αναβολή: η ομάδα καθυστέρησε σε προηγούμενη επίσκεψη."),
}  # fmt: skip
MOUNTAIN_CANCEL_NOTE = "Ακύρωση: ο δρόμος προς το χωριό κλειστός (καιρός)."
STOP_NOTES = {
    "done": ("", "Προσήλθαν 3 κάτοικοι.", "Προσήλθαν 5 κάτοικοι.", "Προσήλθαν 2 κάτοικοι· αιτήσεις ΚΕΑ."),
    "cancelled": ("Ακύρωση λόγω καιρού.", "Ακύρωση: βλάβη οχήματος."),
    "postponed": ("Μετατέθηκε για την επόμενη εβδομάδα (ανακοινώθηκε στο χωριό).",),
}

FIRST_NAMES_F = (
    "Μαρία", "Ελένη", "Αικατερίνη", "Βασιλική", "Σοφία", "Αγγελική", "Γεωργία", "Παναγιώτα",
    "Δήμητρα", "Ευαγγελία", "Χρυσούλα", "Αναστασία", "Ιωάννα", "Κωνσταντίνα", "Φωτεινή",
)  # fmt: skip
FIRST_NAMES_M = (
    "Γεώργιος", "Ιωάννης", "Κωνσταντίνος", "Δημήτριος", "Νικόλαος", "Παναγιώτης",
    "Βασίλειος", "Χρήστος", "Αθανάσιος", "Ανδρέας", "Σπυρίδων", "Ευάγγελος", "Μιχαήλ",
)  # fmt: skip
INITIALS = "ΑΒΓΔΕΖΘΙΚΛΜΝΠΡΣΤΦΧ"

# (external_id, name, role, part_time, weekdays, day_start, day_end)
STAFF: tuple[tuple[str, str, str, bool, list[int], time, time], ...] = (
    ("sw1", f"Ελένη Κ., κοινωνική λειτουργός {FICTIONAL}", "social_worker", False,
     [1, 2, 3, 4, 5], time(8), time(16)),
    ("sw2", f"Νίκος Π., κοινωνικός λειτουργός {FICTIONAL}", "social_worker", False,
     [1, 2, 3, 4, 5], time(8), time(16)),
    ("sw3", f"Σοφία Μ., κοινωνική λειτουργός, μερική απασχόληση {FICTIONAL}", "social_worker", True,
     [1, 2, 3, 4, 5], time(8), time(12)),
    ("psy", f"Άννα Δ., ψυχολόγος {FICTIONAL}", "psychologist", False, [1, 2, 3, 4, 5], time(8), time(16)),
    ("drv", f"Γιάννης Τ., οδηγός της κινητής μονάδας {FICTIONAL}", "driver", False,
     [1, 2, 3, 4, 5], time(8), time(16)),
)  # fmt: skip
# (name, capacity: seats for staff besides the driver)
UNITS = (
    ("Κινητή μονάδα (βαν με οδηγό)", 2),
    ("Δημοτικό αυτοκίνητο (δεύτερη μονάδα, υπόθεση της επίδειξης)", 1),
)
VAN_RECORDER = "demo-odigos"  # the driver's tablet; the demo creates no user accounts
UNIT_UNAVAILABLE_NAME = "Συντήρηση του αυτοκινήτου (πλασματικό, για την επίδειξη)"
PILOT_NAME = "Πιλοτικό διευρυμένο ωράριο έως 20:00 (κινητή μονάδα)"


class DemoRegisterError(ValueError):
    """The demo register cannot be loaded here (the register is not empty, or has no gazetteer)."""


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`load_demo` created, for the command line and the tests."""

    seed: int
    reference: date
    history_weeks: list[str]
    beneficiaries: int
    care_plans: int
    active_care_plans: int
    paused_care_plans: int
    ended_care_plans: int
    staff: dict[str, int]
    units: int
    village_stops: int
    calendar_days: dict[str, int]
    outcomes: int
    outcome_statuses: dict[str, int]
    due_home_visits_per_week: dict[str, int] = field(default_factory=dict)
    due_stops_per_week: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The summary in Greek and English, one line per kind of row."""
        staff = ", ".join(f"{k} {v}" for k, v in self.staff.items())
        cal = ", ".join(f"{k} {v}" for k, v in self.calendar_days.items())
        st = ", ".join(f"{k} {v}" for k, v in self.outcome_statuses.items())
        home = list(self.due_home_visits_per_week.values())
        stops = list(self.due_stops_per_week.values())
        return [
            f"επίδειξη / demo: πλασματικά πρόσωπα / fictional people, seed {self.seed}, "
            f"ημερομηνία αναφοράς / reference date {self.reference.isoformat()}",
            f"ωφελούμενοι / beneficiaries: {self.beneficiaries}",
            f"σχέδια φροντίδας / care plans: {self.care_plans} (ενεργά / active {self.active_care_plans}, "
            f"σε παύση / paused {self.paused_care_plans}, έληξαν / ended {self.ended_care_plans})",
            f"προσωπικό / staff: {staff}",
            f"μονάδες / units: {self.units}",
            f"στάσεις σε οικισμούς / village stops: {self.village_stops}",
            f"ημερολόγιο / calendar days: {cal}",
            f"ιστορικό / history: {self.outcomes} εκβάσεις / outcomes σε / in {len(self.history_weeks)} "
            f"εβδομάδες / weeks ({self.history_weeks[0]}..{self.history_weeks[-1]}): {st}",
            f"οφειλόμενες ανά εβδομάδα / due per week: επισκέψεις κατ' οίκον / home visits "
            f"{min(home)}-{max(home)}, στάσεις / village stops {min(stops)}-{max(stops)}",
        ]


# --- due rules: those of the week builder (planner.register.due) ----------------------------


def iso_monday(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def _prehistory(kind: str, count: int, turn: int, first_monday: date) -> list[date]:
    """Monday of the week of an imagined last visit done before the history (not stored).

    Taken in turn (``turn``) so that the plans of one rhythm fall due in different weeks: an
    every-n-weeks plan whose last visit was ``n - turn`` weeks before the history is due in the
    history's week ``turn``; a monthly plan likewise over its interval ``4 // count``.
    """
    if kind == "weekly":
        return [first_monday - timedelta(weeks=1)]
    period = count if kind == "every_n_weeks" else max(1, 4 // count)
    return [first_monday - timedelta(weeks=period - turn % period)]


# --- helpers ----------------------------------------------------------------------------------


def _home_weight(s: Settlement) -> float:
    w = float(s.population)
    if s.code == AIGIO_TOWN_CODE:
        w *= AIGIO_TOWN_WEIGHT
    if s.terrain == "mountainous" and s.elevation_m >= MOUNTAIN_MIN_ELEVATION_M:
        w *= MOUNTAIN_WEIGHT
    return w


def fictional_name(rng: random.Random) -> tuple[str, str]:
    """A generic Greek first name + initial, and ``"f"``/``"m"`` (also data/demo/generate.py)."""
    if rng.random() < 0.6:  # more women among the elderly living alone
        return f"{rng.choice(FIRST_NAMES_F)} {rng.choice(INITIALS)}.", "f"
    return f"{rng.choice(FIRST_NAMES_M)} {rng.choice(INITIALS)}.", "m"


def fictional_phone(rng: random.Random) -> str:
    """A made-up number: a landline 26910 0xxxx (subscriber numbers there start 2-9, so a
    leading 0 is not in use) or a mobile 6900 0xxxxx. Never dial them (README)."""
    if rng.random() < 0.55:
        return f"269100{rng.randrange(10_000):04d}"
    return f"69000{rng.randrange(100_000):05d}"


def _hhmm_to_min(t: str) -> int:
    h, m = t.split(":")
    return int(h) * 60 + int(m)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(day: date, minutes: int) -> datetime:
    """Local Europe/Athens wall time on ``day`` -> an aware UTC instant."""
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=ATHENS)
    return local.astimezone(UTC)


# --- the loader -------------------------------------------------------------------------------


@dataclass
class _PlanDraft:
    """A care plan before it has an id, with what the history generator needs beside it."""

    plan: CarePlan
    settlement: Settlement
    usual_weekday: int
    done: list[date] = field(default_factory=list)  # days of visits done (and the imagined one)


def _require_empty(session: Session) -> None:
    counts = {
        "beneficiaries": session.scalar(select(func.count()).select_from(Beneficiary)) or 0,
        "care_plans": session.scalar(select(func.count()).select_from(CarePlan)) or 0,
        "staff": session.scalar(select(func.count()).select_from(Staff)) or 0,
        "units": session.scalar(select(func.count()).select_from(Unit)) or 0,
        "village_stops": session.scalar(select(func.count()).select_from(VillageStop)) or 0,
    }
    if counts["beneficiaries"]:
        raise DemoRegisterError(
            f"Το μητρώο έχει ήδη {counts['beneficiaries']} ωφελούμενους· τα δεδομένα επίδειξης δεν "
            f"φορτώθηκαν (για να μη διπλασιαστούν). / The register already has "
            f"{counts['beneficiaries']} beneficiaries; the demo register was not loaded (it would "
            "duplicate them)."
        )
    others = {k: v for k, v in counts.items() if v}
    if others:
        listed = ", ".join(f"{k} {v}" for k, v in others.items())
        raise DemoRegisterError(
            f"Το μητρώο δεν είναι κενό ({listed})· τα δεδομένα επίδειξης φορτώνονται μόνο σε κενό "
            f"μητρώο. / The register is not empty ({listed}); the demo register loads only into "
            "an empty one."
        )


def load_demo(session: Session, *, reference: date, seed: int = 1, until: date | None = None) -> DemoSummary:
    """Fill an empty register with the fictional Aigialeia demo; return what was created.

    Needs the settlements (``load_gazetteer``) already in the register; refuses with
    :class:`DemoRegisterError` (Greek and English) when there are beneficiaries or other
    register rows already. Runs inside the caller's transaction: nothing is committed here.
    The eight ISO weeks before ``reference``'s week get an outcome history.
    """
    _require_empty(session)
    settlements = list(session.scalars(select(Settlement).order_by(Settlement.code)))
    if not settlements:
        raise DemoRegisterError(
            "Δεν υπάρχουν οικισμοί στο μητρώο· φορτώστε πρώτα το μητρώο οικισμών (kinito init). / "
            "The register has no settlements; load the gazetteer first (kinito init)."
        )
    rng = random.Random(f"kinito-demo-register/{seed}/{reference.isoformat()}")
    ref_monday = iso_monday(reference)
    history = [ref_monday - timedelta(weeks=k) for k in range(HISTORY_WEEKS, 0, -1)]
    history_start = history[0]

    # --- staff and units ---------------------------------------------------------------------
    staff = {
        ext: Staff(
            external_id=ext,
            name=name,
            role=role,
            part_time=pt,
            weekdays=list(wd),
            day_start=start,
            day_end=end,
        )
        for ext, name, role, pt, wd, start, end in STAFF
    }
    session.add_all(staff.values())
    units = [
        Unit(name=name, base_name=BASE_DEFAULT.name, base_lat=BASE_DEFAULT.lat, base_lon=BASE_DEFAULT.lon,
             capacity=cap)
        for name, cap in UNITS
    ]  # fmt: skip
    session.add_all(units)
    session.flush()

    # --- calendar ----------------------------------------------------------------------------
    # the history's years, the reference year and the next (planning ahead in December)
    load_holidays(session, range(history_start.year, reference.year + 2))
    closed = {
        c.day
        for c in session.scalars(select(CalendarDay).where(CalendarDay.kind.in_(("holiday", "closure"))))
    }
    wednesdays = (
        history_start + timedelta(days=2 + 7 * k) for k in range(HISTORY_WEEKS + PILOT_WEEKS_AHEAD + 1)
    )
    pilot_days = [w for w in wednesdays if w not in closed]
    for w in pilot_days:
        session.add(CalendarDay(day=w, kind="pilot_extended_hours", name=PILOT_NAME))
    car_off = ref_monday + timedelta(weeks=1, days=1)  # a Tuesday after the reference week
    session.add(
        CalendarDay(day=car_off, kind="unit_unavailable", unit_id=units[1].id, name=UNIT_UNAVAILABLE_NAME)
    )
    pilot = set(pilot_days)

    # --- village stops -----------------------------------------------------------------------
    candidates = [
        s
        for s in settlements
        if s.terrain != "plain"
        and s.elevation_m >= STOP_MIN_ELEVATION_M
        and s.population >= STOP_MIN_POPULATION
        and straight_km(s, BASE_DEFAULT) >= STOP_MIN_KM
    ]
    shuffled = list(candidates)
    rng.shuffle(shuffled)
    per_day: Counter[int] = Counter()
    chosen: list[Settlement] = []
    for s in shuffled:  # at most four stops per weekday, so that every day's round is drivable
        weekday = AREA_WEEKDAY.get(s.municipal_unit, 5)
        if per_day[weekday] < STOPS_PER_WEEKDAY and len(chosen) < N_VILLAGE_STOPS:
            chosen.append(s)
            per_day[weekday] += 1
    chosen.sort(key=lambda s: (AREA_WEEKDAY.get(s.municipal_unit, 5), s.code))
    rhythms = list(STOP_RHYTHMS)
    rng.shuffle(rhythms)
    stops: list[tuple[VillageStop, Settlement, list[date]]] = []  # stop, settlement, days done
    slot_use: Counter[tuple[int, int, str]] = Counter()  # (weekday, phase, slot) -> stops
    seen: Counter[str] = Counter()
    for k, s in enumerate(chosen):
        kind, count = rhythms[k % len(rhythms)]
        weekday = AREA_WEEKDAY.get(s.municipal_unit, 5)
        phase = seen[kind] % (count if kind == "every_n_weeks" else 4)
        seen[kind] += 1
        phases = (phase % 2,) if kind == "every_n_weeks" else (0, 1)
        usage = {t: max(slot_use[(weekday, x, t)] for x in phases) for t in STOP_SLOTS}
        slot = min(STOP_SLOTS, key=lambda t: (usage[t], t))
        for x in phases:
            slot_use[(weekday, x, slot)] += 1
        duration = rng.choice(STOP_DURATIONS)
        rhythm_el = {"weekly": "κάθε εβδομάδα", "every_n_weeks": f"κάθε {count} εβδομάδες",
                     "monthly": "μία φορά τον μήνα"}[kind]  # fmt: skip
        vs = VillageStop(
            external_id=f"demo-vs-{k + 1:02d}",
            settlement_code=s.code,
            place=f"{rng.choice(STOP_PLACES)} ({rhythm_el})",
            duration_min=duration,
            announced_times=[slot],
            frequency_kind=kind,
            frequency_count=count,
            usual_weekday=weekday,
            required_role="social_worker",
            active=True,
        )
        session.add(vs)
        usual_offset = timedelta(days=weekday - 1)
        stops.append((vs, s, [d + usual_offset for d in _prehistory(kind, count, phase, history_start)]))

    # --- beneficiaries -----------------------------------------------------------------------
    pool = [s for s in settlements if s.population > 0 and not s.name_el.startswith("Μονή")]
    weights = [_home_weight(s) for s in pool]
    people: list[tuple[Beneficiary, Settlement, str]] = []
    for n in range(N_BENEFICIARIES):
        s = rng.choices(pool, weights=weights)[0]
        lat, lon = point_near(rng, s, JITTER_MAX_M)
        name, sex = fictional_name(rng)
        groups: list[str] = []
        if rng.random() < 0.35:
            groups.append("kea")
        if rng.random() < 0.30:
            groups.append("disability")
        if rng.random() < 0.40:
            groups.append("living_alone")
        if rng.random() < 0.55:
            groups.append("elderly")
        b = Beneficiary(
            external_id=f"demo-{n + 1:03d}",
            full_name=f"{name} {FICTIONAL}",
            settlement_code=s.code,
            address=f"{s.name_el}, Δ.Ε. {s.municipal_unit} (πλασματική κατοικία)",
            lat=lat,
            lon=lon,
            phone=fictional_phone(rng) if rng.random() < 0.8 else None,
            priority_groups=groups,
            notes=("Μένει μόνη." if sex == "f" else "Μένει μόνος.") if "living_alone" in groups else None,
            active=True,
        )
        people.append((b, s, sex))

    # --- care plans --------------------------------------------------------------------------
    order = list(range(N_BENEFICIARIES))
    rng.shuffle(order)
    sw_specs = [(kind, count) for kind, count, n in RHYTHMS for _ in range(n)]
    psy_specs = [(kind, count) for kind, count, n in PSY_RHYTHMS for _ in range(n)]
    rng.shuffle(sw_specs)
    rng.shuffle(psy_specs)
    n_active_people = len(sw_specs)
    with_plan = order[:n_active_people]
    paused_people = order[n_active_people : n_active_people + N_PAUSED]
    ended_people = order[n_active_people + N_PAUSED : n_active_people + N_PAUSED + N_ENDED]
    office_only = order[n_active_people + N_PAUSED + N_ENDED :]
    psy_people = with_plan[: len(psy_specs)]  # besides their social-worker plan
    drafts: list[_PlanDraft] = []
    counters = {"windows": 0, "evening": 0, "restricted": 0}
    phase_seen: Counter[tuple[str, str, int]] = Counter()

    def make_plan(
        who: int, kind: str, count: int, *, role: str, status: str = "active",
        start: date | None = None, end: date | None = None, new: bool = False,
    ) -> None:  # fmt: skip
        b, s, _sex = people[who]
        if start is None:
            if new:
                start = history_start + timedelta(days=rng.randrange(7, 7 * HISTORY_WEEKS - 3))
            else:
                start = history_start - timedelta(days=rng.randrange(14, 540))
        notes: list[str] = []
        if role == "psychologist":
            duration, service = rng.choice(PSY_DURATIONS), PSY_SERVICE
        else:
            duration, service = rng.choice(SW_DURATIONS), rng.choice(SW_SERVICES)
        if kind == "weekly" and count >= 2:
            duration = min(duration, 30)
            notes.append("Δύο επισκέψεις την εβδομάδα (στενή παρακολούθηση).")
        windows: list[list[str]] = []
        allowed: list[int] = []
        evening = counters["evening"] < EVENING_ONLY and role == "social_worker" and count == 1
        if status == "active" and evening:
            windows = [list(w) for w in EVENING_WINDOW]
            counters["evening"] += 1
            notes.append("Εργάζεται· μόνο απόγευμα (πιλοτικό διευρυμένο ωράριο).")
        elif rng.random() < TIME_WINDOW_SHARE:
            windows = [list(w) for w in rng.choice(ORDINARY_WINDOWS)]
            counters["windows"] += 1
        twice = kind == "weekly" and count >= 2
        if windows != EVENING_WINDOW and rng.random() < RESTRICTED_SHARE and not twice:
            allowed_days, why = rng.choice(RESTRICTIONS)
            allowed = list(allowed_days)
            counters["restricted"] += 1
            notes.append(why)
        plan = CarePlan(
            beneficiary=b,
            service=service,
            required_role=role,
            staff_id=None,
            duration_min=duration,
            frequency_kind=kind,
            frequency_count=count,
            allowed_weekdays=allowed,
            time_windows=windows,
            start_date=start,
            end_date=end,
            status=status,
            notes=" ".join(notes) or None,
        )
        session.add(plan)
        draft = _PlanDraft(plan, s, AREA_WEEKDAY.get(s.municipal_unit, 1))
        if start < history_start:  # an established plan: its last visit before the history
            key = (role, kind, count)
            draft.done = _prehistory(kind, count, phase_seen[key], history_start)
            phase_seen[key] += 1
        drafts.append(draft)

    for k, who in enumerate(with_plan):
        kind, count = sw_specs[k]
        make_plan(who, kind, count, role="social_worker", new=k < N_NEW_IN_HISTORY)
    for k, who in enumerate(psy_people):
        kind, count = psy_specs[k]
        make_plan(who, kind, count, role="psychologist")
    for who in paused_people:
        kind, count = rng.choice(sw_specs)
        make_plan(who, kind, count, role="social_worker", status="paused")
        people[who][0].notes = " ".join(
            x for x in (people[who][0].notes, "Σε παύση: φιλοξενείται από συγγενείς.") if x
        )
    for j, who in enumerate(ended_people):
        kind, count = rng.choice(sw_specs)
        # two thirds ended before the history weeks, the rest during them
        if j % 3:
            end = history_start - timedelta(days=rng.randrange(1, 200))
        else:
            end = history_start + timedelta(days=rng.randrange(3, 7 * HISTORY_WEEKS - 3))
        start = end - timedelta(days=rng.randrange(60, 400))
        make_plan(who, kind, count, role="social_worker", start=start, end=end)
        if end < ref_monday - timedelta(weeks=HISTORY_WEEKS // 2):
            people[who][0].active = False
    for who in office_only:
        people[who][0].notes = " ".join(
            x for x in (people[who][0].notes, "Εξυπηρετείται στο γραφείο· χωρίς επισκέψεις κατ' οίκον.") if x
        )
    session.add_all(b for b, _s, _x in people)

    # continuity of care: some plans name their staff member
    active_sw = [
        dr for dr in drafts
        if dr.plan.status == "active" and dr.plan.end_date is None
        and dr.plan.required_role == "social_worker" and dr.plan.time_windows != EVENING_WINDOW
    ]  # fmt: skip
    for dr, ext in zip(rng.sample(active_sw, 6), ("sw1", "sw1", "sw2", "sw2", "sw1", "sw2"), strict=True):
        dr.plan.staff = staff[ext]
        dr.plan.notes = " ".join(x for x in (dr.plan.notes, f"Συνέχεια φροντίδας: μόνο {ext}.") if x)
    psy_drafts = [dr for dr in drafts if dr.plan.required_role == "psychologist"]
    for dr in psy_drafts[: len(psy_drafts) // 2]:
        dr.plan.staff = staff["psy"]
    session.flush()

    # --- history -----------------------------------------------------------------------------
    social_workers = [staff["sw1"], staff["sw2"], staff["sw3"]]
    outcomes: list[VisitOutcome] = []
    due_home: dict[str, int] = {}
    due_stops: dict[str, int] = {}

    def workdays(monday: date) -> list[date]:
        return [monday + timedelta(days=i) for i in range(5) if monday + timedelta(days=i) not in closed]

    def pick_staff(role: str, named: Staff | None, minute: int, end_minute: int, day: date) -> Staff:
        if named is not None:
            return named
        if role == "psychologist":
            return staff["psy"]
        fit = [
            s for s in social_workers
            if day.isoweekday() in s.weekdays
            and s.day_start.hour * 60 <= minute and end_minute <= s.day_end.hour * 60
        ]  # fmt: skip
        if not fit:  # evening visits on the pilot day: a full-timer on staggered hours
            fit = [staff["sw1"], staff["sw2"]]
        return rng.choice(fit)

    def due(rhythm: Rhythm, monday: date, done: list[date], start: date, end: date | None) -> int:
        n_days = len(workdays(monday))
        return occurrences_due(rhythm, monday, done, start=start, end=end, working_days=n_days).occurrences

    for monday in [*history, ref_monday]:
        week = iso_week_of(monday)
        days = workdays(monday)
        home_due = stop_due = 0
        for dr in drafts:
            p = dr.plan
            if p.status != "active":
                continue  # paused throughout the history
            n = due(Rhythm(p.frequency_kind, p.frequency_count), monday, dr.done, p.start_date, p.end_date)
            home_due += n
            if not n or monday == ref_monday:
                continue
            candidates_days = [
                x for x in days
                if (not p.allowed_weekdays or x.isoweekday() in p.allowed_weekdays)
                and x >= p.start_date and (p.end_date is None or x <= p.end_date)
                and (p.time_windows != EVENING_WINDOW or x in pilot)
            ]  # fmt: skip
            chosen_days: list[date] = []
            if n == 2:
                pairs = [(a, b) for a in candidates_days for b in candidates_days if (b - a).days >= 2]
                if pairs:
                    chosen_days = list(rng.choice(pairs))
                elif candidates_days:
                    chosen_days = [rng.choice(candidates_days)]
            elif n > 2:  # a monthly catch-up: one a day
                chosen_days = sorted(rng.sample(candidates_days, min(n, len(candidates_days))))
            elif candidates_days:
                usual = [x for x in candidates_days if x.isoweekday() == dr.usual_weekday]
                chosen_days = [usual[0] if usual and rng.random() < 0.7 else rng.choice(candidates_days)]
            for day in chosen_days:
                if rng.random() >= REACHED[dr.settlement.terrain]:
                    continue  # not reached: the week was full
                if p.time_windows:
                    lo, hi = p.time_windows[rng.randrange(len(p.time_windows))]
                    first, last = _hhmm_to_min(lo), _hhmm_to_min(hi) - p.duration_min
                else:
                    first, last = 8 * 60 + 30, 15 * 60 + 30 - p.duration_min
                minute = rng.randrange(first, max(first, last) + 1, 5) if last > first else first
                status = _weighted(rng, STATUS_WEIGHTS)
                mountain = dr.settlement.terrain == "mountainous"
                if status == "done" and mountain and rng.random() < 0.08:
                    status = "cancelled"
                note = rng.choice(NOTES[status])
                if status == "cancelled" and mountain and rng.random() < 0.5:
                    note = MOUNTAIN_CANCEL_NOTE
                member = pick_staff(p.required_role, p.staff, minute, minute + p.duration_min, day)
                by_van = rng.random() < 0.6
                if status == "done":
                    dr.done.append(day)
                outcomes.append(
                    VisitOutcome(
                        care_plan_id=p.id,
                        status=status,
                        planned_date=day,
                        occurred_at=_at(day, minute),
                        staff_id=member.id,
                        recorded_by=VAN_RECORDER if by_van else f"demo-{member.external_id}",
                        note=note or None,
                    )
                )
        for vs, s, done in stops:
            if not due(Rhythm(vs.frequency_kind, vs.frequency_count), monday, done, date.min, None):
                continue
            stop_due += 1
            if monday == ref_monday:
                continue
            day = monday + timedelta(days=(vs.usual_weekday or 1) - 1)
            if day in closed or rng.random() >= REACHED[s.terrain]:
                continue  # a holiday, or the week was full: due again next week
            minute = _hhmm_to_min(vs.announced_times[0])
            status = _weighted(rng, STOP_STATUS_WEIGHTS)
            member = pick_staff("social_worker", None, minute, minute + vs.duration_min, day)
            if status == "done":
                done.append(day)
            outcomes.append(
                VisitOutcome(
                    village_stop_id=vs.id,
                    status=status,
                    planned_date=day,
                    occurred_at=_at(day, minute),
                    staff_id=member.id,
                    recorded_by=VAN_RECORDER,
                    note=rng.choice(STOP_NOTES[status]) or None,
                )
            )
        due_home[week] = home_due
        due_stops[week] = stop_due
    if until is not None:  # no outcome dated after today (the history's last week is this one,
        # when today is not a Friday, and the command line refuses outcomes after today)
        outcomes = [o for o in outcomes if o.planned_date is None or o.planned_date <= until]
    session.add_all(outcomes)
    session.flush()

    plans = [d.plan for d in drafts]
    cal = Counter(c.kind for c in session.scalars(select(CalendarDay)))
    return DemoSummary(
        seed=seed,
        reference=reference,
        history_weeks=[iso_week_of(m) for m in history],
        beneficiaries=len(people),
        care_plans=len(plans),
        active_care_plans=sum(
            1 for p in plans if p.status == "active" and (p.end_date is None or p.end_date >= ref_monday)
        ),
        paused_care_plans=sum(1 for p in plans if p.status == "paused"),
        ended_care_plans=sum(1 for p in plans if p.end_date is not None and p.end_date < ref_monday),
        staff=dict(Counter(s.role for s in staff.values())),
        units=len(units),
        village_stops=len(stops),
        calendar_days={k: cal[k] for k in ("holiday", "closure", "pilot_extended_hours", "unit_unavailable")},
        outcomes=len(outcomes),
        outcome_statuses={k: Counter(o.status for o in outcomes)[k] for k in STATUS_WEIGHTS},
        due_home_visits_per_week=due_home,
        due_stops_per_week=due_stops,
    )
