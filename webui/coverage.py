"""Management's coverage figures, computed from the register: pure functions of a session.

No Flask here, so every figure is testable on a database file alone. Sources, stated once:

- **Outcomes** (``visit_outcomes``): what happened at each visit (done, not at home,
  cancelled, postponed). An outcome's day is its ``planned_date`` (else the Athens date of
  ``occurred_at``). Where it happened: the beneficiary's settlement for a care plan, as the
  register stood at the end of that day (a person who moved since leaves their past visits
  where they were: :func:`homes_at`), the stop's settlement for a village stop.
- **Due**: the week builder's own rule (:func:`planner.register.due.occurrences_due`),
  re-applied week by week to the care plans and stops in force as the register stood when
  that week ended (the audit log's earlier values: a plan paused or changed today leaves the
  weeks before as they were; :func:`terms_by_week`), with the visits done before that week;
  working days are Monday-Friday minus Greece's public holidays and Aigio's local one (as the
  week builder takes them) and the register's holidays and closures as they stood when that week ended
  (:func:`_closed_days`).
  The rule says how many visits a week asks for, and a visit not done stays due the next weeks
  (every N weeks; monthly, within its month), so a week's figure counts it again. Over a period
  each visit due counts **once** (:func:`due_ledger`): in the week it fell due, or, if it was
  due already before the period, as carried in. So ``due = done + not done`` for the period,
  and for each week ``from earlier weeks + fell due = done of them + not done``. A weekly
  visit not done is lost, not carried: next week's is a new one. Done visits beyond what was
  due (a second visit, a plan or person no longer active) are counted apart. A week with no
  working day asks for nothing, but a visit done in it still settles one that was open (due
  before, still due): so entering a closure for a past week never adds to the visits missed.
- **Recorded weeks**: the register's records start in the week of its first outcome or plan
  version; weeks before it, and weeks after today's, have no data: nothing is due or missed
  there (not zero: unknown).
- **Kilometres, driving and service hours, unassigned reasons, days aboard**: the newest
  published version of each week's plan (``plan_versions.plan_json``), routes dated inside
  the period; kilometres, hours and routes only those dated up to ``as_of`` (driven: a week
  still to come adds nothing), the later ones apart (``km_ahead``, ``routes_ahead``: planned,
  still to come). A week without a published plan has them **unknown** (``None``), not zero.
  The metres and seconds of the routes' steps are added up and rounded once (to 0.1 km and
  0.1 h), as the CLI's table does, not each route's rounded summary. A week may be published
  per unit set (one plan per unit): a visit is *not planned* only if no plan of the week
  serves it, and counts once (:func:`not_planned`); the units in service with no published
  plan that week are named (``WeekFigures.units_unpublished``), and a staff member none of
  the week's plans has aboard has unknown days aboard then (they may ride such a unit).
- **The week under way** (``WeekFigures.current``): today's week while one of its working
  days is today or later; its due visits not done are not missed yet (counted apart), and
  the people due only in it are not in the list of people due and not served. On Saturday,
  or after the week's last working day, it is over.
- **Per settlement and municipal unit** (``done_by_settlement``, ``served_by_settlement``,
  ``municipal_units``): the period's visits done (adding up to ``visits_done``) and people
  served, where each visit happened.
- **As of** (``Figures.as_of``): the kilometres driven, the map, the settlements' visits in
  the last 4 and 12 weeks and their last visit done, and the people with a care plan (the
  mountain share of the beneficiaries) are counted up to the period's last day, or today if it is earlier: a
  report of a past period stays the same when made again later. A person counts with a care
  plan in force that day, as the register stood at its end: active, started, not ended (as the
  due rule treats an end date).
- **Mountain**: ELSTAT's terrain class ``mountainous``. A share of nothing (no visit done,
  nobody with a care plan) is ``None``: unknown, not 0 %.
- **Years**: periods from ``FIRST_YEAR`` to ``LAST_YEAR`` (ISO years); outside them
  :func:`compute_figures` raises ``ValueError`` (management refuses such weeks first).

People appear only pseudonymously: ``Ψ-0042`` for beneficiary 42 (the office finds them by
typing it in the register's search of beneficiaries; management cannot), never a name, an
address or a note. Ψ, not the Ω of the office's own codes (``Ω-0001`` in the import template),
so the one is never taken for the other.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.register import models as m
from planner.register.audit import rows_as_of
from planner.register.calendar import holidays_closed, local_date, local_midnight
from planner.register.due import Rhythm, iso_week_of, monday_of, occurrences_due, week_month
from planner.schema import parse_time

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "OUTCOME_ORDER",
    "DueWeek",
    "Figures",
    "MunicipalUnitRow",
    "SettlementCoverage",
    "StaffWeek",
    "WeekFigures",
    "compute_figures",
    "due_ledger",
    "homes_at",
    "iso_week_of",
    "pseudonym",
    "pseudonym_id",
    "records_start",
    "settlement_coverage",
]

OUTCOME_ORDER = ("done", "not_at_home", "cancelled", "postponed")
MOUNTAIN = "mountainous"
FIRST_YEAR, LAST_YEAR = 2000, 2099  # the ISO years a period may reach: dates stay far from date.min/max


PSEUDONYM_LETTER = "Ψ"  # not Ω: the office's own codes are Ω-0001 (the import template)
_PSEUDONYM = re.compile(r"^\s*[Ψψ]\s*-?\s*(\d{1,9})\s*$")


def pseudonym(beneficiary_id: int) -> str:
    """``Ψ-0042``: a beneficiary as management may see them (the register's id, not the
    office's code)."""
    return f"{PSEUDONYM_LETTER}-{beneficiary_id:04d}"


def pseudonym_id(text: str) -> int | None:
    """The beneficiary id a pseudonym names, however it is typed (``Ψ-0042``, ``ψ42``,
    ``Ψ 42``); ``None`` when ``text`` is not one."""
    match = _PSEUDONYM.match(text)
    return int(match[1]) if match else None


@dataclass(frozen=True)
class _Outcome:
    day: date
    status: str
    staff_id: int | None
    care_plan_id: int | None
    village_stop_id: int | None
    beneficiary_id: int | None
    settlement_code: str


def _day_of(planned: date | None, occurred: datetime | None) -> date:
    if planned is not None:
        return planned
    assert occurred is not None
    return local_date(occurred)


def _utc(instant: datetime) -> datetime:
    """A stored instant with its zone (SQLite gives the register's UTC back without it)."""
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def homes_at(session: Session, days: Iterable[date]) -> dict[date, dict[int, str]]:
    """Each person's settlement as the register stood at the end of each of ``days`` (Athens):
    day -> beneficiary id -> settlement code. Read with :func:`rows_as_of`, once for each
    stretch of days between two moves (a change of a person's settlement in the audit log):
    a register where nobody moved is read once, as it is now."""
    moves = sorted(
        _utc(at)
        for at, before in session.execute(
            select(m.AuditLog.at, m.AuditLog.before).where(
                m.AuditLog.entity == m.Beneficiary.__tablename__, m.AuditLog.action == "update"
            )
        )
        if isinstance(before, dict) and "settlement_code" in before
    )
    stretches: dict[int, list[date]] = defaultdict(list)
    for day in sorted(set(days)):
        stretches[bisect_right(moves, local_midnight(day + timedelta(days=1)))].append(day)
    rows_now = session.execute(select(m.Beneficiary.id, m.Beneficiary.settlement_code))
    now = {int(bid): str(code) for bid, code in rows_now}
    past = sorted(k for k in stretches if k < len(moves))  # stretches before a move: as they stood
    instants = [local_midnight(stretches[k][0] + timedelta(days=1)) for k in past]
    then = rows_as_of(session, m.Beneficiary, instants)
    homes = {k: {int(key): str(row["settlement_code"]) for key, row in rows.items()}
             for k, rows in zip(past, then, strict=True)}  # fmt: skip
    return {day: homes.get(k, now) for k, group in stretches.items() for day in group}


def _outcomes(session: Session, before: date) -> list[_Outcome]:
    """Every outcome with a day before ``before`` (exclusive), with where and whose: a home
    visit in the person's settlement as it stood at the end of that day (:func:`homes_at`)."""
    # whose: a care plan's person, or an urgent visit's (outcomes.beneficiary_id)
    person = func.coalesce(m.VisitOutcome.beneficiary_id, m.CarePlan.beneficiary_id)
    rows = session.execute(
        select(
            m.VisitOutcome.planned_date,
            m.VisitOutcome.occurred_at,
            m.VisitOutcome.status,
            m.VisitOutcome.staff_id,
            m.VisitOutcome.care_plan_id,
            m.VisitOutcome.village_stop_id,
            person,
            m.Beneficiary.settlement_code,
            m.VillageStop.settlement_code,
        )
        .outerjoin(m.CarePlan, m.CarePlan.id == m.VisitOutcome.care_plan_id)
        .outerjoin(m.Beneficiary, m.Beneficiary.id == person)
        .outerjoin(m.VillageStop, m.VillageStop.id == m.VisitOutcome.village_stop_id)
        .where(~m.superseded_outcome())  # a visit's outcome that day is its last one
    )
    kept = []
    for planned, occurred, status, staff_id, cp, vs, bid, home_code, stop_code in rows:
        day = _day_of(planned, occurred)
        if day < before:
            kept.append((day, status, staff_id, cp, vs, bid, home_code or stop_code or ""))
    homes = homes_at(session, {row[0] for row in kept if row[5] is not None})
    return [
        _Outcome(day, status, staff_id, cp, vs, bid, homes[day].get(bid, code) if bid is not None else code)
        for day, status, staff_id, cp, vs, bid, code in kept
    ]


# --- the map -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementCoverage:
    """One settlement on the coverage map: how often and how recently the unit served it."""

    code: str
    name: str
    municipal_unit: str
    terrain: str
    lat: float
    lon: float
    population: int
    beneficiaries: int
    done_4w: int
    done_12w: int
    last_done: date | None
    # how recently, in the same weeks as the counts (the map's colours by recency and by count
    # agreed only by chance: recency went by days, 7/28/84, the counts by ISO weeks):
    # 0 that day's week, 1 earlier in the 4 weeks, 2 earlier in the 12 weeks, 3 not in them
    recent: int = 3


def _recency(last: date | None, this_monday: date, since_4: date, since_12: date) -> int:
    """:attr:`SettlementCoverage.recent` of a last visit done on ``last``."""
    if last is None or last < since_12:
        return 3
    return 0 if last >= this_monday else 1 if last >= since_4 else 2


def settlement_coverage(session: Session, today: date) -> list[SettlementCoverage]:
    """Every settlement of the gazetteer as of ``today`` (for a past period, its last day):
    its visits done in the last 4 and 12 weeks (that day's week and the weeks before it, up
    to that day), its last visit done by then, its people with a care plan in force then."""
    this_monday = monday_of(today)
    since_4 = this_monday - timedelta(weeks=3)
    since_12 = this_monday - timedelta(weeks=11)
    tomorrow = today + timedelta(days=1)
    done_4: Counter[str] = Counter()
    done_12: Counter[str] = Counter()
    last: dict[str, date] = {}
    for o in _outcomes(session, tomorrow):
        if o.status != "done":
            continue
        if o.day >= since_12:
            done_12[o.settlement_code] += 1
        if o.day >= since_4:
            done_4[o.settlement_code] += 1
        if o.day > last.get(o.settlement_code, date.min):
            last[o.settlement_code] = o.day
    people = Counter(people_with_plan(session, today).values())
    return [
        SettlementCoverage(
            s.code,
            s.name_el,
            s.municipal_unit,
            s.terrain,
            s.lat,
            s.lon,
            s.population,
            people[s.code],
            done_4[s.code],
            done_12[s.code],
            last.get(s.code),
            _recency(last.get(s.code), this_monday, since_4, since_12),
        )
        for s in session.scalars(select(m.Settlement).order_by(m.Settlement.code))
    ]


# --- the figures for a period ------------------------------------------------------------------


@dataclass
class WeekFigures:
    """One ISO week of the period: the visits due (carried from earlier weeks, and fallen due
    this week), done and not done, the outcomes recorded, and the published plan's kilometres.

    A week without records (``no_data``) has nothing due: its figures are unknown, not zero.
    Kilometres and hours are ``None`` when the week has no published plan."""

    iso_week: str
    monday: date
    no_data: str = ""  # "" (recorded), "before" (the register's first records), "future"
    # today's week while one of its working days (Monday-Friday, not closed) is today or
    # later: still under way; at the weekend, or after its last working day, it is over
    current: bool = False
    carried: int = 0  # visits due in earlier weeks, not done, still due this week
    new: int = 0  # visits that fell due this week
    done_due: int = 0  # of this week's due visits (carried and new), those done this week
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_ORDER, 0))
    km: float | None = None
    drive_h: float | None = None
    service_h: float | None = None
    published: bool = False
    # kilometres of the week's published routes dated after the day the period is measured up
    # to (``Figures.as_of``): planned, not driven yet, so not in ``km`` (``None``: none)
    km_ahead: float | None = None
    # the units in service that week (as the register stood at its end) that no published
    # plan of it covers, by name: a week published for only some of them (its kilometres,
    # hours and days aboard are those of the others only)
    units_unpublished: list[str] = field(default_factory=list)

    @property
    def recorded(self) -> bool:
        """The register has records for this week: its due visits count."""
        return not self.no_data

    @property
    def due(self) -> int:
        """Visits due this week, as the week builder saw them: carried and new."""
        return self.carried + self.new

    @property
    def done(self) -> int:
        """Visits done this week (due or not)."""
        return self.outcomes["done"]

    @property
    def not_done(self) -> int:
        """Visits due this week and not done in it (carried on to the next week, or lost)."""
        return self.due - self.done_due

    @property
    def attempts_failed(self) -> int:
        """Outcomes other than done: not at home, cancelled, postponed."""
        return sum(n for k, n in self.outcomes.items() if k != "done")

    @property
    def all_units_published(self) -> bool:
        """A published plan covers every unit in service that week."""
        return self.published and not self.units_unpublished


@dataclass(frozen=True)
class StaffWeek:
    """One staff member's load in one week: visits with an outcome (``None``: the week has no
    records, e.g. it has not happened yet), days aboard the unit (``None``: the week has no
    published plan to tell)."""

    staff: str
    role: str
    iso_week: str
    visits: int | None
    days_aboard: int | None


@dataclass(frozen=True)
class UnservedRow:
    """A beneficiary due in the period and not served: pseudonymous, no name, no notes."""

    pseudonym: str
    settlement: str
    municipal_unit: str
    terrain: str
    due_weeks: int
    last_done: date | None
    not_at_home: int
    cancelled: int
    postponed: int
    settlement_code: str = ""  # (the exports leave a small settlement's name out: see management)


@dataclass(frozen=True)
class MunicipalUnitRow:
    """One municipal unit (δημοτική ενότητα) in the period: its visits done, the people served
    (each once), its settlements served of all its settlements."""

    name: str
    visits_done: int
    beneficiaries_served: int
    settlements_served: int
    settlements_total: int


def _municipal_units(
    places: Iterable[m.Settlement], done: Mapping[str, int], people: Mapping[str, set[int]]
) -> list[MunicipalUnitRow]:
    """The period's figures per municipal unit, from those per settlement (by name)."""
    units: dict[str, list[m.Settlement]] = defaultdict(list)
    for place in places:
        units[place.municipal_unit].append(place)
    return [
        MunicipalUnitRow(
            name,
            sum(done.get(p.code, 0) for p in group),
            len(set().union(*(people.get(p.code, set()) for p in group))),
            sum(1 for p in group if done.get(p.code, 0)),
            len(group),
        )
        for name, group in sorted(units.items())
    ]


@dataclass
class Figures:
    """Everything management's page and exports show for ``start``..``end`` (whole ISO weeks).

    ``visits_due`` counts each visit due once (see the module): ``due_done + due_not_done``.
    The due figures are ``None`` when no week of the period has records; kilometres, hours and
    routes are ``None`` when no week has a published plan."""

    start: date
    end: date
    weeks: list[WeekFigures]
    outcomes: dict[str, int]
    outcomes_home: dict[str, int]
    outcomes_stops: dict[str, int]
    visits_due: int | None
    due_before: int | None
    due_done: int | None
    beneficiaries_due: int | None
    beneficiaries_served: int
    beneficiaries_served_of_due: int | None
    unassigned_reasons: dict[str, int]
    km: float | None
    drive_h: float | None
    service_h: float | None
    routes: int | None
    staff_weeks: list[StaffWeek]
    mountain_visits: int
    mountain_beneficiaries: int
    active_beneficiaries: int
    unserved: list[UnservedRow]
    settlements_served: int
    settlements_total: int
    records_start: date | None = None
    as_of: date | None = None  # the day the people with a care plan are counted on (see the module)
    # people due and not served (yet) whose only weeks due are the week under way: not in
    # ``unserved`` (not missed yet, as the summary counts their visits apart)
    unserved_in_progress: int = 0
    # the period's visits done and people served per settlement (code -> n: they add up to
    # ``visits_done``; a person who moved within the period counts in each place served)
    done_by_settlement: dict[str, int] = field(default_factory=dict)
    served_by_settlement: dict[str, int] = field(default_factory=dict)
    municipal_units: list[MunicipalUnitRow] = field(default_factory=list)
    mountain_settlements_served: int = 0
    mountain_settlements_total: int = 0
    # published routes dated after ``as_of``: planned, not driven yet (not in ``km``/``routes``)
    km_ahead: float | None = None
    routes_ahead: int = 0

    @property
    def visits_done(self) -> int:
        """Visits done in the period."""
        return self.outcomes["done"]

    @property
    def due_not_done(self) -> int | None:
        """Visits due in the period and not done in it (lost, or still due at its end)."""
        if self.visits_due is None or self.due_done is None:
            return None
        return self.visits_due - self.due_done

    @property
    def not_done_in_progress(self) -> int | None:
        """Of the due visits not done, those of the week still under way (today's): not
        missed yet; ``None`` when the period has no such week."""
        weeks = [w for w in self.weeks if w.current and w.recorded]
        return sum(w.not_done for w in weeks) if weeks else None

    @property
    def done_beyond_due(self) -> int:
        """Visits done that no due visit asked for: a second visit in a week, a visit of a plan
        or a person no longer active, or in a week without records."""
        return self.visits_done - (self.due_done or 0)

    @property
    def weeks_recorded(self) -> int:
        """Weeks of the period with records."""
        return sum(1 for w in self.weeks if w.recorded)

    @property
    def weeks_published(self) -> int:
        """Weeks of the period with a published plan."""
        return sum(1 for w in self.weeks if w.published)

    @property
    def mountain_visit_share(self) -> float | None:
        """Mountain villages' share of the visits done (0..1); ``None`` (no share of nothing)
        when no visit was done."""
        return self.mountain_visits / self.visits_done if self.visits_done else None

    @property
    def mountain_beneficiary_share(self) -> float | None:
        """Mountain villages' share of the beneficiaries with a care plan in force on ``as_of``
        (0..1); ``None`` when nobody has one."""
        return self.mountain_beneficiaries / self.active_beneficiaries if self.active_beneficiaries else None


CLOSED_KINDS = ("holiday", "closure")  # the calendar days on which no unit goes out


def _closed_days(session: Session, mondays: Sequence[date]) -> dict[date, set[date]]:
    """Each week's weekdays (Monday-Friday) on which no unit goes out, as the week builder
    takes them (:func:`planner.register.week._closed_days`): Greece's public holidays and
    Aigio's local one (:func:`planner.register.calendar.holidays_closed`) and the register's
    holidays and closures as they stood when that week ended (:func:`rows_as_of`: a closure
    deleted or moved later leaves the week as it was)."""
    if not mondays:
        return {}
    weekdays = {mo: {mo + timedelta(days=i) for i in range(5)} for mo in mondays}
    years = {d.year for days in weekdays.values() for d in days}
    greek = set(holidays_closed(years))
    ends = rows_as_of(session, m.CalendarDay, [_end_of_week(mo) for mo in mondays])
    out: dict[date, set[date]] = {}
    for mo, rows in zip(mondays, ends, strict=True):
        register = {_day(row["day"]) for row in rows.values() if row["kind"] in CLOSED_KINDS}
        out[mo] = weekdays[mo] & (greek | register)
    return out


def records_start(session: Session) -> date | None:
    """Monday of the register's first recorded week: that of its first outcome or plan version
    (draft or published); ``None`` for a register with neither."""
    firsts: list[date] = []
    planned, occurred = session.execute(
        select(func.min(m.VisitOutcome.planned_date), func.min(m.VisitOutcome.occurred_at))
    ).one()
    if planned is not None:
        firsts.append(planned)
    if occurred is not None:
        firsts.append(_day_of(None, occurred))
    week = session.scalar(select(func.min(m.PlanVersion.iso_week)))
    if week is not None:
        with suppress(ValueError):  # the schema's LIKE '____-W__' lets "2026-W99" through
            firsts.append(date.fromisocalendar(int(week[:4]), int(week[6:8]), 1))
    return monday_of(min(firsts)) if firsts else None


@dataclass(frozen=True)
class DueWeek:
    """One care plan's or stop's visits in one week (see :func:`due_ledger`)."""

    carried: int  # due in earlier weeks, not done, still due this week
    new: int  # fell due this week
    done_due: int  # of the carried and new, done this week
    done: int  # visits done this week, due or not


LEAD_IN_WEEKS = 4  # how far back to look for the last open week before the period


@dataclass(frozen=True)
class DueTerms:
    """What the due rule reads of a care plan or a stop: its rhythm, dates and weekdays."""

    rhythm: Rhythm
    start: date
    end: date | None = None
    allowed_weekdays: list[int] | None = None
    beneficiary_id: int | None = None


def _end_of_week(monday: date) -> datetime:
    """The instant a week ends in Athens (the register as it stood then)."""
    return local_midnight(monday + timedelta(weeks=1))


def _day(text: Any) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) else None


def terms_by_week(session: Session, mondays: Sequence[date]) -> dict[tuple[str, int], dict[date, DueTerms]]:
    """Each care plan and stop in force in each of the weeks ``mondays``, as the register stood
    when that week ended (:func:`planner.register.audit.rows_as_of`): an active plan of an active
    person, an active stop. So a plan paused or changed today leaves the weeks before as they
    were."""
    instants = [_end_of_week(mo) for mo in mondays]
    plans = rows_as_of(session, m.CarePlan, instants)
    people = rows_as_of(session, m.Beneficiary, instants)
    stops = rows_as_of(session, m.VillageStop, instants)
    out: dict[tuple[str, int], dict[date, DueTerms]] = defaultdict(dict)
    for monday, plans_then, people_then, stops_then in zip(mondays, plans, people, stops, strict=True):
        for key, row in plans_then.items():
            person = people_then.get(str(row["beneficiary_id"]))
            start = _day(row["start_date"])
            if row["status"] != "active" or not person or not person["active"] or start is None:
                continue
            rhythm = Rhythm(row["frequency_kind"], row["frequency_count"])
            allowed = list(row["allowed_weekdays"] or [])
            out[("cp", int(key))][monday] = DueTerms(rhythm, start, _day(row["end_date"]), allowed,
                                                     int(row["beneficiary_id"]))  # fmt: skip
        for key, row in stops_then.items():
            if row["active"]:
                rhythm = Rhythm(row["frequency_kind"], row["frequency_count"])
                out[("vs", int(key))][monday] = DueTerms(rhythm, date.min)
    return out


def people_with_plan(session: Session, day: date) -> dict[int, str]:
    """The people with a care plan in force on ``day`` (active, started by then, not ended
    before it: the due rule's reading of the dates), as the register stood at that day's end:
    beneficiary id -> settlement code."""
    instant = [local_midnight(day + timedelta(days=1))]
    (plans,) = rows_as_of(session, m.CarePlan, instant)
    (people,) = rows_as_of(session, m.Beneficiary, instant)
    out: dict[int, str] = {}
    for row in plans.values():
        start, end = _day(row["start_date"]), _day(row["end_date"])
        person = people.get(str(row["beneficiary_id"]))
        if (row["status"] == "active" and person and person["active"] and start is not None
                and start <= day and (end is None or end >= day)):  # fmt: skip
            out[int(row["beneficiary_id"])] = str(person["settlement_code"])
    return out


def due_ledger(
    rhythm: Rhythm,
    mondays: Sequence[date],
    done: Iterable[date],
    *,
    start: date,
    end: date | None = None,
    working: Callable[[date], int] = lambda _monday: 5,
    allowed_weekdays: Collection[int] | None = None,
    terms: Callable[[date], DueTerms | None] | None = None,
) -> list[DueWeek]:
    """Each due visit of one care plan or stop counted once, over the consecutive ISO weeks
    ``mondays``: the week builder's rule (:func:`occurrences_due`) says how many visits a week
    asks for (``need``); of those, the ones still open from the week before (due, not done)
    are **carried**, the rest are **new**. What carries: a visit every N weeks not done stays
    due; a monthly visit stays due within its month (a week's month is its Thursday's); a
    weekly visit is never carried (next week's is another visit). A week with no working day
    asks for nothing and carries what was open through. What is open before the first week
    comes from the last week before it with a working day (at most ``LEAD_IN_WEEKS`` back).
    A visit done in a week with no working day still settles one that is open and still due
    (carried): the week shows it as carried and done (so a closure entered afterwards for a
    week with visits done never turns them into visits missed).

    ``done`` are the days of the visits done; ``working(monday)`` that week's working days;
    ``allowed_weekdays`` the plan's (ISO numbers; empty: any working day): in the week of its
    start, nothing is due if none of them is left on or after the start.

    ``terms(monday)``, if given, replaces ``rhythm``, ``start``, ``end`` and
    ``allowed_weekdays`` week by week (the plan as it stood that week; ``None``: not in force,
    nothing due)."""
    done_days = sorted(done)
    per_week = Counter(monday_of(d) for d in done_days)
    fixed = DueTerms(rhythm, start, end, list(allowed_weekdays) if allowed_weekdays is not None else None)
    terms_of = terms if terms is not None else (lambda _monday: fixed)
    open_n, open_month = 0, (0, 0)  # due, not done, as of the week before; that week's month

    def need(monday: date) -> int:
        t = terms_of(monday)
        if t is None:
            return 0
        return occurrences_due(
            t.rhythm, monday, done_days, start=t.start, end=t.end, working_days=working(monday),
            allowed_weekdays=t.allowed_weekdays,
        ).occurrences  # fmt: skip

    def carries(monday: date) -> bool:
        t = terms_of(monday)
        kind = (t or fixed).rhythm.kind
        return kind == "every_n_weeks" or (kind == "monthly" and week_month(monday) == open_month)

    def closed_week(monday: date) -> DueWeek:  # no working day: nothing new, the open ones settled
        nonlocal open_n
        settled = min(open_n, per_week[monday]) if carries(monday) else 0
        open_n -= settled
        return DueWeek(settled, 0, settled, per_week[monday])

    if mondays:
        for back in range(1, LEAD_IN_WEEKS + 1):
            monday = mondays[0] - timedelta(weeks=back)
            if working(monday) > 0:
                open_n = need(monday) - min(need(monday), per_week[monday])
                open_month = week_month(monday)
                for later in range(back - 1, 0, -1):  # the closed weeks between it and the first
                    closed_week(mondays[0] - timedelta(weeks=later))
                break
    out = []
    for monday in mondays:
        d = per_week[monday]
        if working(monday) <= 0:
            out.append(closed_week(monday))
            continue
        n = need(monday)
        carried = min(n, open_n) if carries(monday) else 0
        done_due = min(n, d)
        out.append(DueWeek(carried, n - carried, done_due, d))
        open_n, open_month = n - done_due, week_month(monday)
    return out


def _published_plans(session: Session, weeks: set[str]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """iso_week -> (unit set, plan document) of the newest published version per unit set
    (publishing one unit set sends any other of the week that shares a unit back to draft:
    the week's published unit sets never overlap)."""
    rows = session.execute(
        select(m.PlanVersion.iso_week, m.PlanVersion.unit_set, m.PlanVersion.version, m.PlanVersion.plan_json)
        .where(m.PlanVersion.status == "published", m.PlanVersion.iso_week.in_(weeks))
        .order_by(m.PlanVersion.version)
    )
    newest: dict[tuple[str, str], str] = {}
    for week, unit_set, _version, text in rows:
        newest[(week, unit_set)] = text
    out: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for (week, units), text in sorted(newest.items()):
        out[week].append((units, json.loads(text)))
    return out


def _visits_served(doc: Mapping[str, Any]) -> Counter[str]:
    """How many times each visit is on a route of a plan document (``cp-12`` -> 2)."""
    return Counter(
        str(step.get("visit"))
        for route in doc.get("routes", [])
        for step in route.get("steps") or []
        if step.get("type") == "visit"
    )


def not_planned(docs: Sequence[Mapping[str, Any]]) -> Counter[str]:
    """The reasons of a week's visits that no published plan of the week serves, each visit
    occurrence once: reason -> visits. Each plan of a unit set is made for every visit due that
    week and leaves unassigned what its units do not serve, so a visit another unit's plan
    serves is planned, and one that none serves is listed by each plan: it counts once. For
    each visit, the plan that asks the most occurrences of it (served and unassigned) says how
    many were due and why they were left (its first reasons); the routes of all the plans say
    how many of them were served."""
    served: Counter[str] = Counter()
    asked: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)  # visit -> (occurrences, reasons)
    for doc in docs:
        mine = _visits_served(doc)
        served.update(mine)
        left: dict[str, list[str]] = defaultdict(list)
        for item in doc.get("unassigned", []):
            left[str(item.get("visit", ""))].append(str(item.get("reason", "")))
        for visit, why in left.items():
            asked[visit].append((mine[visit] + len(why), why))
    reasons: Counter[str] = Counter()
    for visit, options in asked.items():
        n, why = max(options, key=lambda option: (option[0], len(option[1])))
        reasons.update(why[: max(0, n - served[visit])])
    return reasons


def _units_unpublished(session: Session, unit_sets: Mapping[str, Collection[str]]) -> dict[str, list[str]]:
    """iso_week -> the names of the units in service that week (as the register stood at its
    end: :func:`rows_as_of`) that none of its published unit sets covers."""
    weeks = sorted(unit_sets)
    mondays = [date.fromisocalendar(int(w[:4]), int(w[6:8]), 1) for w in weeks]
    out: dict[str, list[str]] = {}
    for week, rows in zip(
        weeks, rows_as_of(session, m.Unit, [_end_of_week(mo) for mo in mondays]), strict=True
    ):
        covered = {u for unit_set in unit_sets[week] for u in m.unit_ids(unit_set)}
        out[week] = sorted(
            str(row["name"]) for key, row in rows.items() if row.get("active") and int(key) not in covered
        )
    return out


def _route_amounts(route: Mapping[str, Any]) -> tuple[int, int, int]:
    """A published route's metres, driving seconds and service seconds, exact: from its steps
    (a document without steps: from its summary's rounded figures)."""
    steps = route.get("steps")
    if not steps:
        summary = route.get("summary", {})
        km, driving_min, service_min = (
            float(summary.get(k, 0.0)) for k in ("km", "driving_min", "service_min")
        )
        return round(km * 1000), round(driving_min * 60), round(service_min * 60)
    metres = sum(int(step.get("distance_m", 0)) for step in steps)
    driving = sum(int(step.get("travel_s", 0)) for step in steps)
    service = sum(
        parse_time(step["end"]) - parse_time(step["start"]) for step in steps if step.get("type") == "visit"
    )
    return metres, driving, service


def compute_figures(session: Session, start: date, end: date, today: date | None = None) -> Figures:
    """The figures for the ISO weeks from ``start``'s to ``end``'s (both included); weeks after
    ``today``'s (if given) and before the register's first records have no data. The people
    with a care plan are counted on the period's last day, or ``today`` if earlier (``as_of``).

    Raises ``ValueError`` for a week outside the ISO years ``FIRST_YEAR``..``LAST_YEAR``."""
    for day in (start, end):
        if not FIRST_YEAR <= day.isocalendar()[0] <= LAST_YEAR:
            raise ValueError(f"{iso_week_of(day)} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    first = monday_of(start)
    last_monday = monday_of(min(end, max(start, end)))
    mondays = []
    d = first
    while d <= last_monday:
        mondays.append(d)
        d += timedelta(weeks=1)
    period_end = last_monday + timedelta(days=6)
    weeks = {iso_week_of(mo): WeekFigures(iso_week_of(mo), mo) for mo in mondays}
    since = records_start(session)
    this_monday = monday_of(today) if today is not None else None
    under_way = False  # today's week has a working day today or later
    if today is not None and this_monday is not None and iso_week_of(this_monday) in weeks:
        closed_now = _closed_days(session, [this_monday])[this_monday]
        under_way = any(
            today <= day and day not in closed_now
            for day in (this_monday + timedelta(days=i) for i in range(5))
        )
    for week in weeks.values():
        if since is None or week.monday < since:
            week.no_data = "before"
        elif this_monday is not None and week.monday > this_monday:
            week.no_data = "future"
        week.current = week.monday == this_monday and under_way
    counted = [mo for mo in mondays if weeks[iso_week_of(mo)].recorded]
    # the day the period is measured up to: its last day, or today if earlier
    as_of = period_end if today is None else min(today, period_end)
    outcomes = _outcomes(session, period_end + timedelta(days=1))
    settlements = {s.code: s for s in session.scalars(select(m.Settlement))}

    # outcomes in the period
    totals = dict.fromkeys(OUTCOME_ORDER, 0)
    home = dict.fromkeys(OUTCOME_ORDER, 0)
    stops = dict.fromkeys(OUTCOME_ORDER, 0)
    served: set[int] = set()
    mountain_visits = 0
    served_settlements: set[str] = set()
    done_by_place: Counter[str] = Counter()  # visits done in the period, per settlement
    people_by_place: defaultdict[str, set[int]] = defaultdict(set)  # people served there in it
    staff_visits: Counter[tuple[int, str]] = Counter()
    missed_by_person: dict[int, Counter[str]] = defaultdict(Counter)
    done_days: dict[tuple[str, int], list[date]] = defaultdict(list)
    for o in outcomes:
        if o.status == "done" and (o.care_plan_id is not None or o.village_stop_id is not None):
            key = ("cp", o.care_plan_id) if o.care_plan_id is not None else ("vs", o.village_stop_id or 0)
            done_days[key].append(o.day)  # (an urgent visit is no care plan's: done beyond what is due)
        if o.day < first:
            continue
        week = weeks[iso_week_of(o.day)]
        week.outcomes[o.status] += 1
        totals[o.status] += 1
        (stops if o.village_stop_id is not None else home)[o.status] += 1
        if o.staff_id is not None:
            staff_visits[(o.staff_id, week.iso_week)] += 1
        if o.status == "done":
            served_settlements.add(o.settlement_code)
            done_by_place[o.settlement_code] += 1
            place = settlements.get(o.settlement_code)
            if place is not None and place.terrain == MOUNTAIN:
                mountain_visits += 1
            if o.beneficiary_id is not None:
                served.add(o.beneficiary_id)
                people_by_place[o.settlement_code].add(o.beneficiary_id)
        elif o.beneficiary_id is not None:
            missed_by_person[o.beneficiary_id][o.status] += 1

    # due, each visit once (due_ledger), in the weeks with records
    lead_in = [counted[0] - timedelta(weeks=k) for k in range(LEAD_IN_WEEKS, 0, -1)] if counted else []
    closed = _closed_days(session, lead_in + counted)

    def working(monday: date) -> int:
        return 5 - len(closed.get(monday, ()))

    # the weeks each person had a visit due: a set, since two care plans due in one week are
    # one week due (counting per plan gave more weeks due than the period has)
    due_people: defaultdict[int, set[date]] = defaultdict(set)
    due_before = 0
    by_week = terms_by_week(session, lead_in + counted)
    for key, terms in by_week.items():
        ledger = due_ledger(Rhythm("weekly", 1), counted, done_days[key], start=date.min, working=working,
                            terms=terms.get)  # fmt: skip
        for monday, row in zip(counted, ledger, strict=True):  # carried in: up to the first working week
            due_before += row.carried
            if working(monday) > 0:
                break
        for monday, row in zip(counted, ledger, strict=True):
            week = weeks[iso_week_of(monday)]
            week.carried += row.carried
            week.new += row.new
            week.done_due += row.done_due
            bid = terms[monday].beneficiary_id if monday in terms else None
            if bid is not None and row.carried + row.new:
                due_people[bid].add(monday)
    recorded_weeks = [weeks[iso_week_of(mo)] for mo in counted]
    visits_due = due_before + sum(w.new for w in recorded_weeks) if counted else None
    due_done = sum(w.done_due for w in recorded_weeks) if counted else None

    # published plans: kilometres, hours, unassigned reasons, days aboard
    # (metres and seconds added up exactly, rounded once: as the CLI's table and the desk do)
    reasons: Counter[str] = Counter()
    aboard: Counter[tuple[str, str]] = Counter()
    metres = drive_s = service_s = 0
    n_routes = 0
    ahead_m = ahead_routes = 0  # published routes dated after as_of: planned, not driven yet
    plans = _published_plans(session, set(weeks))
    missing_units = _units_unpublished(
        session, {w: [units for units, _doc in docs] for w, docs in plans.items()}
    )
    for week_name, unit_docs in plans.items():
        week = weeks[week_name]
        week.published = True
        week.units_unpublished = missing_units[week_name]
        docs = [doc for _units, doc in unit_docs]
        week_m = week_drive = week_service = week_ahead = week_ahead_n = 0
        for doc in docs:
            for route in doc.get("routes", []):
                day = date.fromisoformat(route["date"])
                if not first <= day <= period_end:
                    continue
                for member in route.get("crew", []):  # days aboard: as planned (the staff's rota)
                    aboard[(str(member), week_name)] += 1
                route_m, route_drive, route_service = _route_amounts(route)
                if day > as_of:  # not driven yet: planned still to come, apart (as the outcomes)
                    ahead_m += route_m
                    ahead_routes += 1
                    week_ahead += route_m
                    week_ahead_n += 1
                    continue
                n_routes += 1
                week_m += route_m
                week_drive += route_drive
                week_service += route_service
        reasons.update(not_planned(docs))  # each visit once, not per unit set's plan
        week.km, week.drive_h = round(week_m / 1000, 1), round(week_drive / 3600, 1)
        week.service_h = round(week_service / 3600, 1)
        week.km_ahead = round(week_ahead / 1000, 1) if week_ahead_n else None
        metres += week_m
        drive_s += week_drive
        service_s += week_service
    published = any(w.published for w in weeks.values())

    # staff load
    staff_rows = {s.id: s for s in session.scalars(select(m.Staff))}
    keys = {(sid, w) for sid, w in staff_visits} | {
        (sid, w) for k, w in aboard if (sid := m.register_id(k, "st-")) is not None
    }
    staff_weeks = [
        StaffWeek(
            staff_rows[sid].name if sid in staff_rows else f"#{sid}",
            staff_rows[sid].role if sid in staff_rows else "",
            w,
            staff_visits[(sid, w)] if weeks[w].recorded else None,
            _days_aboard(aboard[(f"st-{sid}", w)], weeks[w]),
        )
        for sid, w in sorted(keys, key=lambda k: (k[1], k[0]))
    ]

    # mountain share of the people with a care plan in force on the period's last day (or today)
    active_people = people_with_plan(session, as_of)
    mountain_people = sum(
        1 for code in active_people.values() if (place := settlements.get(code)) and place.terrain == MOUNTAIN
    )

    # the pseudonymous list: due, not served
    last_done: dict[int, date] = {}
    for o in outcomes:
        who = o.beneficiary_id
        if o.status == "done" and who is not None and o.day > last_done.get(who, date.min):
            last_done[who] = o.day
    homes = homes_at(session, [as_of])[as_of]  # where each person lived then
    unserved = []
    in_progress = {w.monday for w in weeks.values() if w.current and w.recorded}
    not_missed_yet = 0
    for bid in sorted(set(due_people) - served):
        if due_people[bid] <= in_progress:  # due only in the week under way: not missed yet
            not_missed_yet += 1
            continue
        place = settlements.get(homes.get(bid, ""))
        missed = missed_by_person.get(bid, Counter())
        unserved.append(
            UnservedRow(
                pseudonym(bid),
                place.name_el if place else "",
                place.municipal_unit if place else "",
                place.terrain if place else "",
                len(due_people[bid]),
                last_done.get(bid),
                missed["not_at_home"],
                missed["cancelled"],
                missed["postponed"],
                place.code if place else "",
            )
        )

    return Figures(
        start=first,
        end=period_end,
        weeks=[weeks[iso_week_of(mo)] for mo in mondays],
        outcomes=totals,
        outcomes_home=home,
        outcomes_stops=stops,
        visits_due=visits_due,
        due_before=due_before if counted else None,
        due_done=due_done,
        beneficiaries_due=len(due_people) if counted else None,
        beneficiaries_served=len(served),
        beneficiaries_served_of_due=len(served & set(due_people)) if counted else None,
        unassigned_reasons=dict(reasons.most_common()),
        km=round(metres / 1000, 1) if published else None,
        drive_h=round(drive_s / 3600, 1) if published else None,
        service_h=round(service_s / 3600, 1) if published else None,
        routes=n_routes if published else None,
        km_ahead=round(ahead_m / 1000, 1) if ahead_routes else None,
        routes_ahead=ahead_routes,
        staff_weeks=staff_weeks,
        mountain_visits=mountain_visits,
        mountain_beneficiaries=mountain_people,
        active_beneficiaries=len(active_people),
        unserved=unserved,
        settlements_served=len(served_settlements),
        settlements_total=len(settlements),
        done_by_settlement=dict(done_by_place),
        served_by_settlement={code: len(people) for code, people in people_by_place.items()},
        municipal_units=_municipal_units(settlements.values(), done_by_place, people_by_place),
        mountain_settlements_served=sum(
            1 for code in served_settlements if (place := settlements.get(code)) and place.terrain == MOUNTAIN
        ),
        mountain_settlements_total=sum(1 for place in settlements.values() if place.terrain == MOUNTAIN),
        records_start=since,
        as_of=as_of,
        unserved_in_progress=not_missed_yet,
    )


def _days_aboard(days: int, week: WeekFigures) -> int | None:
    """A staff member's days aboard in a week's published plans: unknown (``None``) without
    one, and when none of them has the person aboard while a unit in service has no published
    plan that week (they may ride that one)."""
    if not week.published or (not days and week.units_unpublished):
        return None
    return days
