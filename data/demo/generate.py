"""Generate the FICTIONAL demo week for Aigialeia as a Kinito ``problem.json``.

    python data/demo/generate.py [--seed 7] [--week 2026-W50] [-o data/demo/week.json]

The places are real (the ELSTAT gazetteer in ``data/``, read through
:mod:`planner.gazetteer`); everything about people is invented: names, phone numbers,
needs, staff. A public holiday (or Aigio's local one) in the week is a closed day: no unit
goes out. The same seed and week always give a byte-identical file. See
``data/demo/README.md`` for what is in the week and why it is shaped this way.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script from anywhere, without installing the package
    sys.path.insert(0, str(REPO))

from planner.gazetteer import (  # noqa: E402
    BASE_DEFAULT,
    Settlement,
    load_settlements,
    point_near,
    settlement_location,
    straight_km,
)
from planner.model import Location  # noqa: E402
from planner.register.calendar import holidays_closed  # noqa: E402
from planner.register.demo import fictional_name, fictional_phone  # noqa: E402
from planner.travel import DEFAULT_TERRAIN, EstimateTravel  # noqa: E402

DEFAULT_SEED = 7
DEFAULT_WEEK = "2026-W50"
DEFAULT_OUT = REPO / "data" / "demo" / "week.json"

FICTIONAL = "(πλασματικό πρόσωπο)"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# --- the shape of the week ------------------------------------------------------------
# Tuned so that the week is full but not absurd for TWO units (van1 and car1) over five
# 8-hour days: about 75 h of working time, of which Aigialeia's winding roads take a good
# quarter. ~85 home visits of 20-50 min and about a dozen village stops of 60-90 min ask for
# ~62 h of service; with travel that is ~110 % of the week, so a good plan serves ~90 % and
# the rest are explained. (The first idea, 120 home visits and 20 stops, asked for ~100 h of
# service alone: nothing like one week of two units. See data/demo/README.md.)
N_HOME_VISITS = 85
N_PSYCHOLOGIST = 12  # home sessions that need the psychologist
N_CONTINUITY = 4  # visits that need one named staff member (continuity of care)
N_TWICE_A_WEEK = 6
N_PINNED = 5  # of which the first two also have a pinned time
N_WEEKDAY_RESTRICTED = 5
N_EVENING_ONLY = 2  # only reachable after work: fits only the extended-hours pilot day
N_VILLAGE_STOPS = 15  # at most; a stop that cannot be back by 16:00 is not announced
HOME_SERVICE_MIN = (20, 25, 25, 30, 30, 35, 40)  # social-worker home visit, minutes
PSY_SERVICE_MIN = (45, 50)
STOP_SERVICE_MIN = (60, 60, 75, 90)

MOUNTAIN_WEIGHT = 2.0  # more housebound elderly in the mountain villages
# ELSTAT's terrain is the community's: the coastal town of Διακοπτόν (1 m) is "mountainous".
# A mountain village is therefore a mountainous community's settlement that is also high up.
MOUNTAIN_MIN_ELEVATION_M = 200
AIGIO_TOWN_CODE = "3702010101"
# Residents of Aigio town itself can mostly reach the office on foot or by town bus, so the
# mobile unit sees only the housebound among them: a reduced share of the town's population.
AIGIO_TOWN_WEIGHT = 0.15
JITTER_MAX_M = 280.0  # a home within 300 m of its settlement's ELSTAT point (kept below 300)

# Village stops: the unit goes to each municipal unit's mountain villages on a fixed weekday,
# which is how a coordinator announces them ("Tuesdays, Ακράτα area"); Αιγίου's own mountain
# villages get Monday, the far east (Ακράτας, Αιγείρας) Tuesday, and so on.
STOP_WEEKDAY = {
    "Αιγίου": "mon",
    "Ακράτας": "tue",
    "Αιγείρας": "tue",
    "Συμπολιτείας": "wed",
    "Διακοπτού": "thu",
    "Ερινεού": "fri",
}
STOP_MIN_KM = 8.0  # "remote": at least this far from Aigio in a straight line...
STOP_MIN_ELEVATION_M = 150  # ...and up in the hills (excludes the coastal towns)
STOP_MIN_POPULATION = 40  # enough residents to announce a stop
STOPS_PER_DAY_MAX = 3
STOP_PRIORITY = 2


STAFF = (
    {"id": "sw1", "name": f"Ελένη Κ., κοινωνική λειτουργός {FICTIONAL}", "roles": ["social_worker"]},
    {"id": "sw2", "name": f"Νίκος Π., κοινωνικός λειτουργός {FICTIONAL}", "roles": ["social_worker"]},
    {
        "id": "sw3",
        "name": f"Σοφία Μ., κοινωνική λειτουργός, μερική απασχόληση {FICTIONAL}",
        "roles": ["social_worker"],
    },
    {"id": "psy", "name": f"Άννα Δ., ψυχολόγος {FICTIONAL}", "roles": ["psychologist"]},
)
UNITS = (
    {"id": "van1", "name": "Κινητή μονάδα (βαν με οδηγό)", "base": "base"},
    {"id": "car1", "name": "Δημοτικό αυτοκίνητο (δεύτερη μονάδα)", "base": "base"},
)
MORNING = ["08:00", "12:00"]  # the part-time social worker's hours aboard
LATE = ["12:00", "20:00"]  # a full-timer's staggered hours on the extended-hours pilot day
# Crews by weekday, as the coordinator would set them so that someone always stays at the
# office: the van usually carries two, the car one. sw3 (part-time, mornings) rides three
# days; the psychologist two (Monday in the car for quiet home sessions, Thursday in the van).
CREWS: dict[str, dict[str, list[Any]]] = {
    "mon": {"van1": ["sw1", {"staff": "sw3", "hours": MORNING}], "car1": ["psy"]},
    "tue": {"van1": ["sw2", {"staff": "sw3", "hours": MORNING}], "car1": ["sw1"]},
    "wed": {
        "van1": [{"staff": "sw3", "hours": MORNING}, {"staff": "sw1", "hours": LATE}],
        "car1": ["sw2"],
    },
    "thu": {"van1": ["sw2", "psy"], "car1": ["sw1"]},
    "fri": {"van1": ["sw1"], "car1": ["sw2"]},
}
CREW_NOTES = {
    "mon": "Γραφείο: sw2. Η ψυχολόγος με το αυτοκίνητο για συνεδρίες κατ' οίκον.",
    "tue": "Γραφείο: ψυχολόγος.",
    "wed": "Πιλοτικό διευρυμένο ωράριο έως 20:00. Γραφείο: ψυχολόγος, sw2 στο αυτοκίνητο.",
    "thu": "Γραφείο: sw3 (πρωί).",
    "fri": "Γραφείο: ψυχολόγος, sw3 (πρωί).",
}
# visit fields in the order of docs/schema.md, so that the file reads the same way
VISIT_KEYS = (
    "id", "kind", "name", "location", "service", "time_windows", "weekday_windows",
    "allowed_weekdays", "required_role", "required_staff", "priority", "load", "frequency",
    "min_gap_days", "patterns", "pinned_date", "pinned_time", "preferred_weekday", "phone",
    "address", "notes",
)  # fmt: skip
PILOT_WEEKDAY = "wed"
PILOT_UNIT = "van1"


def week_dates(week: str) -> list[date]:
    """Monday to Friday of an ISO week written ``YYYY-Www`` (years 1900-2099, where the
    holiday calendar is known); ``ValueError`` with the reason otherwise."""
    found = re.fullmatch(r"(\d{4})-W(\d{2})", week)
    try:
        if not found:
            raise ValueError
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise ValueError(f"week {week!r} is not an ISO week like 2026-W50") from None
    if not 1900 <= monday.year <= 2099:
        raise ValueError(f"week {week!r}: the holiday calendar covers the years 1900-2099 only")
    return [monday + timedelta(days=i) for i in range(5)]


def closed_days(dates: Sequence[date]) -> dict[date, str]:
    """The dates among ``dates`` on which no unit goes out, with their Greek names: Greece's
    public holidays and Aigio's local one, as the register's week builder closes them."""
    closed = holidays_closed({d.year for d in dates})
    return {d: closed[d] for d in dates if d in closed}


def hhmm(minutes: float) -> str:
    """Minutes since midnight -> ``"HH:MM"``."""
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def visitable(settlements: Sequence[Settlement]) -> list[Settlement]:
    """Settlements with residents; monasteries are left out (their monks are cared for there)."""
    return [s for s in settlements if s.population > 0 and not s.name_el.startswith("Μονή")]


def home_weight(s: Settlement) -> float:
    """How likely a home visit is to fall in ``s``: population, mountain up, Aigio town down."""
    w = float(s.population)
    if s.code == AIGIO_TOWN_CODE:
        w *= AIGIO_TOWN_WEIGHT
    if s.terrain == "mountainous" and s.elevation_m >= MOUNTAIN_MIN_ELEVATION_M:
        w *= MOUNTAIN_WEIGHT
    return w


def travel_minutes(a: Location, b: Location) -> float:
    """Estimated driving minutes a -> b with Kinito's embedded travel estimate."""
    m = EstimateTravel().matrix([a, b])
    return float(m.durations[0, 1]) / 60.0


def ceil_quarter(minutes: float) -> int:
    """Round up to the next quarter of an hour (announced times are on the quarter)."""
    return int(math.ceil(minutes / 15.0) * 15)


def pick_village_stops(rng: random.Random, settlements: Sequence[Settlement]) -> list[dict[str, Any]]:
    """Choose the remote villages and announce a feasible timetable for each weekday.

    Per weekday (one municipal-unit area), villages are chosen with probability by population
    and ordered outward from Aigio; each announced start leaves time to drive from the
    previous one, finish it, and take the 30-minute break between 12:00 and 15:00.
    """
    base = BASE_DEFAULT
    candidates = [
        s
        for s in visitable(settlements)
        if s.terrain != "plain"
        and s.elevation_m >= STOP_MIN_ELEVATION_M
        and s.population >= STOP_MIN_POPULATION
        and straight_km(base, s) >= STOP_MIN_KM
    ]
    by_day: dict[str, list[Settlement]] = {}
    for s in candidates:
        by_day.setdefault(STOP_WEEKDAY[s.municipal_unit], []).append(s)
    # share the stops between the weekdays in proportion to their candidate villages
    days = sorted(by_day, key=WEEKDAYS.index)
    total = sum(len(by_day[d]) for d in days)
    quota = {d: min(STOPS_PER_DAY_MAX, round(N_VILLAGE_STOPS * len(by_day[d]) / total)) for d in days}
    chosen: dict[str, list[Settlement]] = {}
    for d in days:
        pool = list(by_day[d])
        picks: list[Settlement] = []
        while pool and len(picks) < quota[d]:
            s = rng.choices(pool, weights=[p.population for p in pool])[0]
            pool.remove(s)
            picks.append(s)
        chosen[d] = sorted(picks, key=lambda s: (straight_km(base, s), s.code))

    stops: list[dict[str, Any]] = []
    for d in days:
        chain = list(chosen[d])
        if d == PILOT_WEEKDAY and chain:
            # on the extended-hours pilot day the farthest village gets an evening stop, for
            # people who work during the day
            s = chain.pop()
            stops.append({"settlement": s, "weekday": d, "service": 90, "window": ["17:30", "17:45"]})
        t = 8 * 60.0  # leave the base at 08:00
        here = base
        rested = False
        for s in chain:
            loc = settlement_location(s)
            service = rng.choice(STOP_SERVICE_MIN)
            start = max(ceil_quarter(t + travel_minutes(here, loc) + 10), 9 * 60 + 30)  # 10' set-up
            if not rested and start + service > 12 * 60 + 30:
                start = ceil_quarter(start + 30)  # room for the driver's break before it
                rested = True
            if start + service + travel_minutes(loc, base) > 16 * 60 - 10:
                continue  # would not be back by 16:00: the coordinator announces it another week
            stops.append(
                {"settlement": s, "weekday": d, "service": service, "window": [hhmm(start), hhmm(start + 15)]}
            )
            t = start + service
            here = loc
    stops.sort(key=lambda x: (WEEKDAYS.index(x["weekday"]), x["window"][0]))
    return stops


def build_problem(seed: int = DEFAULT_SEED, week: str = DEFAULT_WEEK) -> dict[str, Any]:
    """The whole demo week as a ``problem.json`` object (``kinito.problem/1``)."""
    rng = random.Random(seed)
    dates = week_dates(week)
    closed = closed_days(dates)
    # the working days: a holiday's weekday gets no pinned visit, stop or preferred weekday
    weekday_date = {WEEKDAYS[d.weekday()]: d for d in dates if d not in closed}
    if not weekday_date:
        raise ValueError(f"week {week!r} has no working day (public holidays)")
    settlements = load_settlements()

    base = BASE_DEFAULT
    locations: list[dict[str, Any]] = [
        {"id": base.id, "name": base.name, "lat": base.lat, "lon": base.lon, "terrain": base.terrain}
    ]

    days: list[dict[str, Any]] = []
    for d in dates:
        wd = WEEKDAYS[d.weekday()]
        for unit in UNITS:
            entry: dict[str, Any] = {"date": d.isoformat(), "unit": unit["id"]}
            if d in closed:  # the Centre is closed: no route, and the day says why
                entry["available"] = False
                entry["note"] = closed[d]
                days.append(entry)
                continue
            if wd == PILOT_WEEKDAY and unit["id"] == PILOT_UNIT:
                entry["pilot"] = True
                entry["shift"] = ["08:00", "20:00"]
            entry["crew"] = CREWS[wd][unit["id"]]
            entry["note"] = CREW_NOTES[wd] if unit["id"] == "van1" else ""
            days.append(entry)

    # --- village stops ------------------------------------------------------------------
    visits: list[dict[str, Any]] = []
    # drawn as in an ordinary week (the same draws, so the rest of the week is the same), but
    # a stop is not announced on a holiday
    stops = [st for st in pick_village_stops(rng, settlements) if st["weekday"] in weekday_date]
    for i, st in enumerate(stops, start=1):
        s: Settlement = st["settlement"]
        loc = settlement_location(s)
        locations.append(
            {"id": loc.id, "name": loc.name, "lat": loc.lat, "lon": loc.lon, "terrain": loc.terrain}
        )
        visits.append(
            {
                "id": f"vs-{i:02d}",
                "kind": "village_stop",
                "name": f"Στάση: {s.name_el} (Δ.Ε. {s.municipal_unit})",
                "location": loc.id,
                "service": st["service"],
                "time_windows": [st["window"]],
                "required_role": "social_worker",
                "priority": STOP_PRIORITY,
                "preferred_weekday": st["weekday"],
                "address": f"{s.name_el}, πλατεία / γραφείο κοινότητας",
                "notes": f"Ανακοινωμένη στάση: {st['window'][0]}, διάρκεια {st['service']}'.",
            }
        )

    # --- home visits --------------------------------------------------------------------
    pool = visitable(settlements)
    weights = [home_weight(s) for s in pool]
    homes = [rng.choices(pool, weights=weights)[0] for _ in range(N_HOME_VISITS)]
    # disjoint groups of home visits get the special constraints, in a seeded random order
    order = list(range(N_HOME_VISITS))
    rng.shuffle(order)
    cursor = 0

    def take(n: int) -> list[int]:
        nonlocal cursor
        out = order[cursor : cursor + n]
        cursor += n
        return out

    psych = set(take(N_PSYCHOLOGIST))
    continuity = take(N_CONTINUITY)
    twice = set(take(N_TWICE_A_WEEK))
    pinned = take(N_PINNED)
    restricted = take(N_WEEKDAY_RESTRICTED)
    evening = set(take(N_EVENING_ONLY))
    # the rest: ~25% in all get an ordinary time window, ~20% a preferred weekday
    rest = order[cursor:]
    windowed = set(rest[: round(0.25 * N_HOME_VISITS) - N_EVENING_ONLY])
    preferring = set(rest[len(windowed) : len(windowed) + round(0.20 * N_HOME_VISITS)])

    ordinary_windows = (
        [["09:00", "12:00"]],  # mornings only
        [["11:00", "15:30"]],  # after 11:00 (a carer comes in the morning)
        [["09:30", "11:00"], ["13:00", "15:00"]],  # not at lunchtime
        [["08:30", "10:30"]],  # before the day-care centre bus
    )
    restrictions = (
        (["mon", "wed", "fri"], "Αιμοκάθαρση Τρίτη και Πέμπτη."),
        (["tue", "thu"], "Δευτέρα, Τετάρτη, Παρασκευή στο ΚΑΠΗ."),
        (["mon", "tue", "thu"], "Τετάρτη και Παρασκευή φυσικοθεραπεία εκτός σπιτιού."),
    )

    for n, s in enumerate(homes):
        vid = f"hv-{n + 1:03d}"
        lat, lon = point_near(rng, s, JITTER_MAX_M)
        loc_id = f"set-{s.code}-h{n + 1:03d}"
        locations.append(
            {
                "id": loc_id,
                "name": f"{s.name_el}: κατοικία {vid}",
                "lat": lat,
                "lon": lon,
                "terrain": s.terrain,
            }
        )
        name, sex = fictional_name(rng)
        notes: list[str] = []
        priority = 1
        if rng.random() < 0.35:
            notes.append("Δικαιούχος ΚΕΑ")
            priority += 1
        if rng.random() < 0.30:
            notes.append("Άτομο με αναπηρία")
            priority += 1
        if rng.random() < 0.40:
            notes.append("Μένει μόνη" if sex == "f" else "Μένει μόνος")
            priority += 1
        priority = min(priority, 3)

        v: dict[str, Any] = {
            "id": vid,
            "kind": "home_visit",
            "name": f"{name} {FICTIONAL}",
            "location": loc_id,
            "service": rng.choice(HOME_SERVICE_MIN),
            "required_role": "social_worker",
            "priority": priority,
        }
        if n in psych:
            v["required_role"] = "psychologist"
            v["service"] = rng.choice(PSY_SERVICE_MIN)
            notes.append("Ψυχολογική υποστήριξη")
        if n in twice:
            v["frequency"] = 2
            v["min_gap_days"] = 2
            v["service"] = min(v["service"], 30)
            notes.append("Δύο επισκέψεις την εβδομάδα (παρακολούθηση)")
        if n in evening:
            v["time_windows"] = [["17:00", "19:00"]]
            notes.append("Εργάζεται· μόνο απόγευμα (πιλοτικό ωράριο)")
        elif n in windowed:
            v["time_windows"] = rng.choice(ordinary_windows)
        if n in restricted:
            allowed, why = rng.choice(restrictions)
            v["allowed_weekdays"] = allowed
            notes.append(why)
            if rng.random() < 0.5 and "fri" in allowed:  # on Fridays only late morning
                v["weekday_windows"] = {"fri": [["10:00", "12:00"]]}
        if n in preferring and "allowed_weekdays" not in v and STOP_WEEKDAY[s.municipal_unit] in weekday_date:
            v["preferred_weekday"] = STOP_WEEKDAY[s.municipal_unit]
        if rng.random() < 0.7:
            v["phone"] = fictional_phone(rng)
        v["address"] = f"{s.name_el}, Δ.Ε. {s.municipal_unit} (πλασματική κατοικία)"
        v["notes"] = "· ".join(notes)
        visits.append(v)

    # continuity of care: the same person each time
    for k, n in enumerate(continuity):
        v = visits[len(stops) + n]
        who = ("sw1", "sw2", "sw1", "psy")[k % 4]
        if who == "psy":
            v["required_role"] = "psychologist"
            v["service"] = max(v["service"], 45)
        else:
            v["required_role"] = "social_worker"
        v["required_staff"] = who
        v["notes"] = "· ".join([x for x in (v["notes"], f"Συνέχεια φροντίδας: μόνο {who}") if x])
        v.pop("allowed_weekdays", None)
        v.pop("weekday_windows", None)

    # pinned by the coordinator: a date (and for two of them a time) agreed on the phone
    pin_days = [wd for wd in ("tue", "thu", "mon", "wed", "fri") if wd in weekday_date]
    pin_times = ["10:30", "14:00"]
    for k, n in enumerate(pinned):
        v = visits[len(stops) + n]
        wd = pin_days[k % len(pin_days)]
        for key in ("allowed_weekdays", "weekday_windows", "preferred_weekday", "time_windows"):
            v.pop(key, None)
        v["required_role"] = "social_worker"
        v.pop("required_staff", None)
        v["pinned_date"] = weekday_date[wd].isoformat()
        if k < len(pin_times):
            v["pinned_time"] = pin_times[k]
        v["notes"] = "· ".join([x for x in (v["notes"], "Ραντεβού κλεισμένο από τη συντονίστρια") if x])

    visits = [{k: v[k] for k in VISIT_KEYS if k in v} for v in visits]
    return {
        "schema": "kinito.problem/1",
        "name": f"Aigialeia demo week {week} (fictional people, seed {seed})",
        "week": week,
        "dates": [d.isoformat() for d in dates],
        "defaults": {
            "shift": ["08:00", "16:00"],
            "regular_end": "16:00",
            "max_work": 480,
            "max_drive": None,
            "break": {"duration": 30, "window": ["12:00", "15:00"], "required_after": 360},
            "weekly_max_work": 2400,
        },
        "weights": {
            "unserved": 1_000_000,
            "travel": 1,
            "after_hours": 2,
            "off_preferred_weekday": 1800,
            "balance": 0,
            "balance_target": 360,
        },
        "travel": {
            "model": "estimate",
            "stop_overhead": 2,
            "terrain": {
                t: {"circuity": ts.circuity, "speed_kmh": ts.speed_kmh} for t, ts in DEFAULT_TERRAIN.items()
            },
        },
        "locations": locations,
        "staff": [dict(s) for s in STAFF],
        "units": [{**u, "capacity": None, "speed_factor": 1.0} for u in UNITS],
        "days": days,
        "visits": visits,
    }


def render(problem: dict[str, Any]) -> str:
    """The JSON text exactly as written to disk (UTF-8 Greek, stable layout, final newline)."""
    return json.dumps(problem, ensure_ascii=False, indent=2) + "\n"


def to_minutes(t: str) -> int:
    """``"HH:MM"`` -> minutes since midnight."""
    h, m = t.split(":")[:2]
    return int(h) * 60 + int(m)


def demand_report(problem: dict[str, Any]) -> dict[str, float]:
    """Demand against capacity, in hours, with a rough travel estimate.

    Capacity per unit-day with a crew: ``min(shift, max_work)`` minus the 30-minute break.
    Travel (an estimate, not a plan): every visit occurrence is reached from its nearest
    other place (a lower bound of the legs between stops), plus one average round trip from
    the base per crewed unit-day.
    """
    defaults = problem["defaults"]
    locs = [
        Location(loc["id"], loc["lat"], loc["lon"], loc.get("name", ""), loc["terrain"])
        for loc in problem["locations"]
    ]
    pos = {loc.id: i for i, loc in enumerate(locs)}
    occurrences = [v for v in problem["visits"] for _ in range(v.get("frequency", 1))]
    service_h = sum(v["service"] for v in occurrences) / 60
    home_h = sum(v["service"] for v in occurrences if v["kind"] == "home_visit") / 60

    avail_min = 0.0
    unit_days = 0
    for day in problem["days"]:
        if not day.get("available", True) or not day.get("crew"):
            continue
        shift = day.get("shift", defaults["shift"])
        span = to_minutes(shift[1]) - to_minutes(shift[0])
        avail_min += min(span, defaults["max_work"]) - defaults["break"]["duration"]
        unit_days += 1

    stop_overhead_s = int(problem["travel"]["stop_overhead"] * 60)
    dur = EstimateTravel(stop_overhead=stop_overhead_s).matrix(locs).durations.astype(float)
    base = pos["base"]
    np_inf = float("inf")
    nearest_s = 0.0
    for v in occurrences:
        i = pos[v["location"]]
        nearest_s += min(dur[j, i] if j != i else np_inf for j in range(len(locs)))
    visit_rows = sorted({pos[v["location"]] for v in problem["visits"]})
    mean_round_trip_s = sum(dur[base, i] + dur[i, base] for i in visit_rows) / len(visit_rows)
    travel_h = (nearest_s + unit_days * mean_round_trip_s) / 3600
    return {
        "visits": len(problem["visits"]),
        "occurrences": len(occurrences),
        "home_service_h": round(home_h, 1),
        "stop_service_h": round(service_h - home_h, 1),
        "service_h": round(service_h, 1),
        "travel_h_est": round(travel_h, 1),
        "unit_days": unit_days,
        "available_h": round(avail_min / 60, 1),
        "load_pct": round(100 * (service_h + travel_h) / (avail_min / 60), 1),
    }


def summary_lines(problem: dict[str, Any]) -> list[str]:
    """Human-readable counts and the demand/capacity sums, as printed by ``main``."""
    r = demand_report(problem)
    kinds = Counter(v["kind"] for v in problem["visits"])
    roles = Counter(v.get("required_role") for v in problem["visits"])
    return [
        f"visits: {kinds['home_visit']} home visits, {kinds['village_stop']} village stops "
        f"({r['occurrences']:.0f} occurrences); roles {dict(sorted(roles.items()))}",
        f"service: {r['service_h']} h (home {r['home_service_h']} h, village stops "
        f"{r['stop_service_h']} h); travel >= ~{r['travel_h_est']} h (lower-bound estimate)",
        f"available: {r['available_h']} h over {r['unit_days']:.0f} crewed unit-days "
        f"(8 h shift or max_work, minus the 30-min break); load ~{r['load_pct']} %",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the demo week and print its demand against capacity."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--week", default=DEFAULT_WEEK, help="ISO week YYYY-Www, e.g. 2026-W50")
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    ap.add_argument("-q", "--quiet", action="store_true", help="do not print the sums")
    args = ap.parse_args(argv)
    try:
        week_dates(args.week)
    except ValueError as exc:  # a usage error, not a traceback
        ap.error(str(exc))
    problem = build_problem(args.seed, args.week)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(render(problem))
    if not args.quiet:
        print(f"wrote {args.output}")
        for day in problem["days"]:
            if day.get("available") is False and day["unit"] == UNITS[0]["id"]:
                print(f"closed: {day['date']} {day['note']} (no unit goes out)")
        for line in summary_lines(problem):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
