"""The week: build one ISO week's problem from the register, solve it, keep it as a plan version.

    result = plan_week(engine, "2026-W50", actor="maria")
    publish(engine, result.plan_version_id, actor="maria")

What goes into the problem (``docs/week.md`` explains it for coordinators):

- **Dates**: Monday to Friday of the week, minus Greek public holidays (the ``holidays``
  package: Orthodox Easter and Whit Monday included) and the register's holidays and local
  closures; a unit's unavailable days make only that unit unavailable. Extended-hours pilot
  days stretch every unit's shift to 20:00 (work after 16:00 costs, see ``Weights``).
- **The driver's week**: a unit's ``weekly_hours`` (a part-time driver's 20 h) caps the
  unit's working time over the week; without it the engine's default, 40 h.
- **Crews** from the staff calendar: who works on that weekday (staff ``weekdays`` and hours;
  part-timers ride only within their hours, and a unit whose crew are all part-timers, driven
  by them, goes out only within their hours). Who rides follows what the week's due visits
  need: one of each role they need (a psychologist first) before a second of any, then each
  seat to the role whose visits are least covered (so a second psychologist does not take a
  social worker's seat while most visits need one). They are spread over the units that run
  that day so that every unit with a free seat gets one before any gets a second (two in one
  van serve one visit at a time), then to a unit without their role, first unit (by id)
  first, up to its ``capacity`` seats; nobody is seated in a unit that stays at the base. A re-plan of a
  published week first seats each person in the unit they had that day in it (when it runs),
  so that an absence does not move the others away from the people they were to visit; when
  there are fewer seats than people, those whose unit runs again keep theirs first (a unit
  out of service does not send its crew into the other's seats). If
  the register has an active driver, the first unit is the van he drives: on his days off
  (or away) it stays at the base. Other units are driven by their crew. A person a due visit
  names who would ride on no day of the week is seated first, before the others of the same
  role, on the days they work. Crews are not edited by hand: they follow the staff's days and
  hours, their absences and the units' seats. A person on the standard 08:00-16:00 hours
  rides the whole shift, a pilot day's too (a staggered day: the driver's working time still
  bounds it).
- **Visits**: every care plan and village stop due this week (:mod:`planner.register.due`):
  frequency against the date of the last visit actually done, overdue visits and carry-overs
  ranked higher; a village stop (no person, no priority groups) ranks at least as the week's
  ordinary home visit, the median one's group points, with the same weeks overdue. Visit ids
  are stable across weeks: ``cp-<care plan id>``, ``vs-<stop id>``.
  A person's exact point if known, else the settlement's point; terrain from ELSTAT.
- **Preferred weekday**: a stop's usual weekday; for a person, the weekday of most of their
  visits done in the last eight weeks (when at least two and a majority agree).
- **Pins**: given by the caller, and kept from the latest version of the same week.
- **Stability**: when the week already has a published plan, each visit it served gets that
  date as ``preferred_dates`` (serving it elsewhere costs ``Weights.moved``) and that unit as
  ``preferred_units`` (another unit, another crew: ``Weights.other_unit``), and the result
  lists what changed against it.

Every stored plan has passed the independent validator first.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from statistics import median_low
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from planner.model import (
    HOUR,
    MINUTE,
    TERRAINS,
    WEEKLY_MAX_WORK,
    CrewMember,
    Location,
    Plan,
    Problem,
    Route,
    StaffMember,
    Stop,
    Terrain,
    TimeWindow,
    Unit,
    UnitDay,
    Visit,
)
from planner.register import models as m
from planner.register.calendar import holidays_closed, local_date, local_midnight
from planner.register.calendar import today as calendar_today
from planner.register.db import session_scope
from planner.register.due import Rhythm, iso_week_of, min_gap_for, monday_of, occurrences_due, priority_of
from planner.register.places import fold
from planner.render import DAY_NAMES_EN, day_el, day_en, hhmm
from planner.schema import (
    iso_week_dates,
    parse_time,
    plan_from_dict,
    plan_to_dict,
    problem_from_dict,
    problem_to_dict,
)
from planner.solver import Progress, SolveParams, solve
from planner.travel import MatrixTravel, TravelModel
from planner.validate import validate

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "BuiltWeek",
    "WeekError",
    "WeekResult",
    "build_week",
    "is_routine",
    "keep_past",
    "latest_version",
    "merge_kept",
    "plan_changes",
    "plan_week",
    "publish",
    "published_once",
    "unit_named",
    "unserved_stops",
    "unserved_stops_warning",
    "visit_subject",
    "weekly_max_work",
]

DEFAULT_TIME_LIMIT = 8.0
HISTORY_WEEKS = 8
SHIFT = TimeWindow(8 * HOUR, 16 * HOUR)
PILOT_END = 20 * HOUR
# a village stop starts at its announced time, or up to this much later
ANNOUNCED_SLACK = 15 * MINUTE
# a start time that moves by more than this is reported as a change
TIME_CHANGE = 30 * MINUTE
PAST_NOTE = "παρελθόν / past"
TODAY_NOTE = "σημερινή διαδρομή ως δημοσιεύτηκε / today's route as published"


class WeekError(ValueError):
    """The week cannot be planned as asked (bad week, unknown unit, nothing to plan)."""


@dataclass(frozen=True)
class BuiltWeek:
    """A week's problem and what the register says about each of its visits."""

    iso_week: str
    problem: Problem
    unit_ids: tuple[int, ...]
    removed_dates: tuple[tuple[date, str], ...]  # (date, why) for holidays and closures
    carried_over: frozenset[str]
    overdue: Mapping[str, int]
    published: PublishedRef | None = None
    # re-planning the current week: the dates not planned anew (before today; today too when
    # the week is published), the published routes kept on them, and the problem the engine
    # solves (those dates unavailable, the kept visits' occurrences taken out). ``problem``
    # is the stored one: the kept routes and the solved ones together validate against it.
    frozen_dates: tuple[date, ...] = ()
    kept_routes: tuple[Route, ...] = ()
    solve_problem: Problem | None = None


@dataclass(frozen=True)
class PublishedRef:
    """The published version a re-plan keeps stable."""

    plan_version_id: int
    version: int
    plan: Plan
    problem: Problem | None = None  # its problem (the names of visits no longer wanted)


@dataclass(frozen=True)
class WeekResult:
    """A stored plan version with its problem, its plan and what changed."""

    plan_version_id: int
    version: int
    iso_week: str
    problem: Problem
    plan: Plan
    changes: tuple[str, ...] = ()
    removed_dates: tuple[tuple[date, str], ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    frozen_dates: tuple[date, ...] = ()


# --- reading the register -----------------------------------------------------------------


_URGENT_ID = re.compile(r"^urgent-b(\d+)(?:-\d+)?$")


def visit_subject(visit_id: str) -> tuple[str, int]:
    """``("care_plan", 12)`` for ``cp-12``, ``("village_stop", 3)`` for ``vs-3``, and
    ``("beneficiary", 35)`` for ``urgent-b35`` (or ``urgent-b35-2``, a second one): an urgent
    visit a coordinator added in Adjust (:func:`webui.adjust.urgent_visit`), which no care
    plan asks for, so it names its person."""
    kind, _, number = visit_id.partition("-")
    if kind in ("cp", "vs") and number.isdigit():
        return ("care_plan" if kind == "cp" else "village_stop"), int(number)
    urgent = _URGENT_ID.match(visit_id)
    if urgent is not None:
        return "beneficiary", int(urgent.group(1))
    raise WeekError(
        f"άγνωστη επίσκεψη {visit_id!r}: αναμένεται cp-<αριθμός>, vs-<αριθμός> ή "
        f"urgent-b<αριθμός> / unknown visit {visit_id!r}: expected cp-<number>, vs-<number> or "
        f"urgent-b<number>"
    )


def is_routine(visit_id: str) -> bool:
    """Whether ``visit_id`` is one the week builder makes from the register (a care plan's
    ``cp-12``, a stop's ``vs-3``), as opposed to an urgent visit added in Adjust: only those
    are due week after week, and carried over when not done."""
    try:
        kind, _number = visit_subject(visit_id)
    except WeekError:
        return False
    return kind in ("care_plan", "village_stop")


def _unit_set(unit_ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(unit_ids))


def weekly_max_work(hours: float) -> int:
    """A unit's ``weekly_hours`` as the engine's ``weekly_max_work``: seconds, whole minutes
    (20.5 -> 73800), so the stored problem document's minutes stay whole."""
    return round(hours * HOUR / MINUTE) * MINUTE


def _matching_units(units: Sequence[m.Unit], name: str) -> list[m.Unit]:
    """The units ``name`` may mean: the one of that id or full name; else every unit whose name,
    or a word in it, starts with it, case and accents aside ("βαν" is both «Βαν Ακράτας» and
    «Κινητή μονάδα (βαν με οδηγό)»: both, so that neither is picked silently)."""
    key = fold(name.strip())
    exact = [u for u in units if fold(u.name) == key or str(u.id) == key]
    if exact or not key:
        return exact[:1]
    return [
        u
        for u in units
        if fold(u.name).startswith(key) or any(w.startswith(key) for w in re.split(r"\W+", fold(u.name)))
    ]


def find_unit(units: Sequence[m.Unit], name: str) -> m.Unit | None:
    """The unit ``name`` means: its id, its full name, or the start of one unit's name (or of
    a word in it) and of no other's, case and accents aside."""
    found = _matching_units(units, name)
    return found[0] if len(found) == 1 else None


def unit_named(units: Sequence[m.Unit], name: str) -> m.Unit:
    """The unit of ``units`` that ``name`` means (see :func:`find_unit`), else a WeekError
    that lists them (those it could mean, when more than one)."""
    found = _matching_units(units, name)
    if len(found) > 1:
        both = ", ".join(f"{u.id}: {u.name}" for u in found)
        raise WeekError(
            f"αμφίσημη μονάδα {name!r}: ταιριάζει σε περισσότερες από μία ({both}): γράψτε "
            f"περισσότερο από το όνομα ή τον αριθμό της / ambiguous unit {name!r}: it matches "
            f"more than one ({both}): type more of the name, or its number"
        )
    if not found:
        known = ", ".join(u.name for u in units) or "-"
        raise WeekError(
            f"άγνωστη ή αμφίσημη μονάδα {name!r} (υπάρχουν: {known}) / "
            f"unknown or ambiguous unit {name!r} (known: {known})"
        )
    return found[0]


def _select_units(session: Session, names: Sequence[str] | None) -> list[m.Unit]:
    """The active units ``names`` mean (all when none), each once and in the order of their ids
    whatever the order typed: the first is the driver's van (see :func:`_unit_days`), and a
    unit named twice would be planned twice."""
    units = list(session.scalars(select(m.Unit).where(m.Unit.active).order_by(m.Unit.id)))
    if names:
        named = {unit_named(units, name).id for name in names}
        units = [u for u in units if u.id in named]
    if not units:
        raise WeekError(
            "το μητρώο δεν έχει ενεργή κινητή μονάδα: `kinito unit add ΟΝΟΜΑ --base ΟΙΚΙΣΜΟΣ` / "
            "the register has no active mobile unit: `kinito unit add NAME --base SETTLEMENT` "
            "(kinito init --demo loads a demo register)"
        )
    return units


def _closed_days(session: Session, dates: Sequence[date]) -> dict[date, str]:
    """Dates on which no unit goes out: public holidays, Aigio's local holiday (the register
    of any year, not only the demo's, which stores it) and the register's closures."""
    closed: dict[date, str] = {}
    greek = holidays_closed({d.year for d in dates})
    for d in dates:
        if d in greek:
            closed[d] = greek[d]
    rows = session.scalars(
        select(m.CalendarDay).where(
            m.CalendarDay.day.in_(dates), m.CalendarDay.kind.in_(("holiday", "closure"))
        )
    )
    for row in rows:
        closed.setdefault(row.day, row.name or ("αργία" if row.kind == "holiday" else "κλειστά"))
    return closed


def _settlements(session: Session) -> dict[str, m.Settlement]:
    return {s.code: s for s in session.scalars(select(m.Settlement))}


def base_terrain(unit: m.Unit, settlements: Mapping[str, m.Settlement]) -> Terrain:
    """The ELSTAT terrain of a unit's base, as a visit's is its settlement's: that of the
    settlement the base is named after (the nearest of that name), else of the settlement
    nearest the base's point; plain when the register has no settlements. (It was always
    plain: a van based at Πτέρη drove its first and last legs at the plain's speed.)"""
    if not settlements:
        return "plain"
    rows = list(settlements.values())

    def km(s: m.Settlement) -> float:  # (an order only: the equirectangular distance)
        dx = math.radians(s.lon - unit.base_lon) * math.cos(math.radians((s.lat + unit.base_lat) / 2))
        return math.hypot(dx, math.radians(s.lat - unit.base_lat))

    wanted = fold(unit.base_name or "").strip()
    named = [s for s in rows if wanted and wanted in (fold(s.name_el), fold(s.name_latin))]
    place = min(named or rows, key=km)
    return place.terrain if place.terrain in TERRAINS else "plain"


def _with_place(address: str | None, place: str) -> str:
    """A person's address and their settlement, the settlement once: "Ερμού 12, Αίγιον", but
    "Ελίκη, Δ.Ε. Διακοπτού" as it is (its first part already names the settlement)."""
    if not address:
        return place
    parts = {fold(x.strip()) for x in address.split(",")}
    return address if fold(place) in parts else f"{address}, {place}"


def _windows(pairs: Sequence[Sequence[str]], service: int) -> tuple[TimeWindow, ...]:
    """A person's available hours as the engine's windows, which bound the START of service:
    09:00-12:00 for a 45-minute visit is a start from 09:00 to 11:15, so the visit ends inside
    the hours. Hours shorter than the visit (the forms and the import refuse them; older
    rows may have them) leave only their opening."""
    out = []
    for a, b in pairs:
        start, end = parse_time(a), parse_time(b)
        out.append(TimeWindow(start, max(start, end - service)))
    return tuple(out)


def _driver_in(staff: Sequence[m.Staff], day: date, away: Collection[int] = ()) -> bool:
    """Whether the van's driver works on ``day`` (True when the register has no driver at all):
    one of his weekdays, and not a day he is ``away`` (staff ids)."""
    drivers = [s for s in staff if s.active and s.role == "driver"]
    return not drivers or any(day.isoweekday() in (s.weekdays or []) and s.id not in away for s in drivers)


def _crews(
    units: Sequence[m.Unit],
    staff: Sequence[m.Staff],
    day: date,
    first: Collection[int] = (),
    before: Mapping[int, int] | None = None,
    needs: Mapping[str, float] | None = None,
) -> dict[int, list[CrewMember]]:
    """Who rides in which of ``units`` (those that run on ``day``) (see the module's rules).
    Staff ids in ``first`` are seated before the others of their role. ``before`` (staff id ->
    unit id) is where each rode that day in the published version: there they sit again when
    that unit runs, so that a re-plan after someone's absence keeps the others with the people
    they were to visit (the spread alone, by id, swapped two social workers' vans). ``needs``
    (role -> the week's due visit time that role serves): when given, who rides follows it
    (:func:`_by_need`); else psychologists, then social workers."""
    iso = day.isoweekday()
    working = [s for s in staff if s.active and iso in (s.weekdays or [])]
    crews: dict[int, list[CrewMember]] = {u.id: [] for u in units}

    def member(s: m.Staff) -> CrewMember:
        hours = None
        if (s.day_start, s.day_end) != (time(8, 0), time(16, 0)):
            hours = TimeWindow(
                s.day_start.hour * HOUR + s.day_start.minute * MINUTE,
                s.day_end.hour * HOUR + s.day_end.minute * MINUTE,
            )
        return CrewMember(f"st-{s.id}", hours)

    seats = {u.id: u.capacity for u in units}
    order = [u.id for u in units]
    # who rode a unit that runs again keeps a seat first (a unit out of service leaves the
    # other's crew where it was, rather than seating its own people there by id)
    kept = {sid for sid, uid in (before or {}).items() if uid in seats}
    psychologists = sorted(
        (s for s in working if s.role == "psychologist"),
        key=lambda s: (s.id not in kept, s.id not in first, s.id),
    )
    social = sorted(
        (s for s in working if s.role == "social_worker"),
        key=lambda s: (s.id not in kept, s.id not in first, s.part_time, s.id),
    )
    # who rides: as many as there are seats, psychologists first (the spread's own order), or
    # as the week's visits need them; the published version only says in which unit each sits
    if needs is None:
        ordered = [*psychologists, *social][: sum(seats.values())]
    else:
        named = [s for s in (*psychologists, *social) if s.id in first]
        queues = {
            "psychologist": [s for s in psychologists if s.id not in first],
            "social_worker": [s for s in social if s.id not in first],
        }
        # what each role is needed for that day: the visits anyone of it may serve, and
        # those that name one of them who works it (not another's, whom a visit names)
        day_needs = {
            role: needs.get(role, 0) + sum(needs.get(f"st-{s.id}", 0) for s in working if s.role == role)
            for role in queues
        }
        ordered = [*named, *_by_need(queues, day_needs, Counter(s.role for s in named))]
        ordered = ordered[: sum(seats.values())]
    for s in ordered:  # each in the unit they had that day in the published version
        uid = (before or {}).get(s.id, -1)
        if seats.get(uid, 0) > 0:
            crews[uid].append(member(s))
            seats[uid] -= 1
    seated = {c.staff_id for crew in crews.values() for c in crew}
    # spread, in the order they ride: a unit that already has someone waits until every unit
    # with a free seat has had one (two professionals in one van serve one visit at a time),
    # then one that has nobody of that role yet (two psychologists in a van left it none of
    # the social workers' visits), first unit first
    role_of = {f"st-{s.id}": s.role for s in working}
    for s in (s for s in ordered if member(s).staff_id not in seated):
        free = [u for u in order if seats[u] > 0]
        if not free:
            break
        uid = min(
            free,
            key=lambda u: (
                len(crews[u]) > 0,
                any(role_of.get(c.staff_id) == s.role for c in crews[u]),
                order.index(u),
            ),
        )
        crews[uid].append(member(s))
        seats[uid] -= 1
    return crews


def _by_need(
    queues: Mapping[str, Sequence[m.Staff]], needs: Mapping[str, float], seated: Mapping[str, int]
) -> list[m.Staff]:
    """The people of ``queues`` (role -> those of it in the order they get a seat) in the order
    they ride: one of each role the week's visits need before a second of any (psychologists
    first), then each next seat to the role whose ``needs`` (visit time) is least covered per
    person seated (``seated``: those of each role already in): a second psychologist no longer
    takes the seat of the social worker most visits need (she did, in every van, the week a
    part-time psychologist was added). Roles no visit needs come last."""
    left = {role: list(people) for role, people in queues.items()}
    count = Counter(seated)
    out: list[m.Staff] = []
    roles = [r for r in ("psychologist", "social_worker") if r in left]
    while any(left.values()):
        role = min(
            (r for r in roles if left[r]),
            key=lambda r: (
                needs.get(r, 0) <= 0,  # a role no visit needs: only for the seats left over
                count[r] > 0,  # one of each role before a second of any
                0.0 if count[r] == 0 else -needs.get(r, 0) / (count[r] + 1),
                roles.index(r),
            ),
        )
        out.append(left[role].pop(0))
        count[role] += 1
    return out


def _role_needs(visits: Iterable[Visit]) -> dict[str, float]:
    """The visit time (service x occurrences) the week's visits need: of each role (anyone of
    it may serve them), and of each staff member a visit names (``st-N``: only they may)."""
    needs: dict[str, float] = defaultdict(float)
    for v in visits:
        if v.required_staff or v.required_role:
            needs[v.required_staff or v.required_role or ""] += v.service * v.frequency
    return dict(needs)


@dataclass(frozen=True)
class _Calendar:
    """What the register's calendar says of some dates."""

    closed: Mapping[date, str]  # public holidays and closures: no unit goes out
    unavailable: frozenset[tuple[int, date]]  # (unit id, date)
    pilot: frozenset[date]  # extended hours, to 20:00
    away: Mapping[date, frozenset[int]]  # staff ids


def _calendar(session: Session, dates: Sequence[date]) -> _Calendar:
    rows = list(session.scalars(select(m.CalendarDay).where(m.CalendarDay.day.in_(dates))))
    away: dict[date, set[int]] = defaultdict(set)
    for row in rows:
        if row.kind == "staff_unavailable" and row.staff_id is not None:
            away[row.day].add(row.staff_id)
    return _Calendar(
        _closed_days(session, dates),
        frozenset((r.unit_id, r.day) for r in rows if r.kind == "unit_unavailable" and r.unit_id is not None),
        frozenset(r.day for r in rows if r.kind == "pilot_extended_hours"),
        {d: frozenset(ids) for d, ids in away.items()},
    )


def _unit_days(
    calendar: _Calendar,
    chosen: Sequence[m.Unit],
    staff: Sequence[m.Staff],
    dates: Sequence[date],
    first: Collection[int] = (),
    seats_before: Mapping[date, Mapping[int, int]] | None = None,
    needs: Mapping[str, float] | None = None,
) -> list[UnitDay]:
    """Each of ``chosen`` units' days on ``dates`` as the calendar has them: available or not
    (and why), the shift (to 20:00 on a pilot day; within the hours of its crew when all of
    them are part-timers of a unit they drive themselves) and the crew (see :func:`_crews`;
    ``seats_before``: where each rode in the published version; ``needs``: what the week's
    visits need of each role)."""
    closed, unavailable = calendar.closed, calendar.unavailable
    has_driver = any(s.active and s.role == "driver" for s in staff)
    out: list[UnitDay] = []
    for d in dates:
        away = calendar.away.get(d, frozenset())
        present = [s for s in staff if s.id not in away]  # an absence: not seated
        driver_in = _driver_in(staff, d, away)  # the driver away: the van stays
        running = [
            u
            for i, u in enumerate(chosen)
            if d not in closed and (u.id, d) not in unavailable and (i > 0 or driver_in)
        ]
        # (none in a unit that stays)
        crews = _crews(running, present, d, first, (seats_before or {}).get(d), needs)
        for i, u in enumerate(chosen):
            note = ""
            available = d not in closed and (u.id, d) not in unavailable
            if d in closed:
                note = closed[d]
            elif (u.id, d) not in unavailable and i == 0 and not driver_in:
                available, note = False, "ρεπό οδηγού / driver off"
            elif (u.id, d) in unavailable:
                note = "μονάδα εκτός / unit unavailable"
            crew = tuple(crews.get(u.id, ()))
            if available and not crew:
                available, note = False, "χωρίς πλήρωμα / no crew"
            pilot = d in calendar.pilot
            shift = TimeWindow(SHIFT.start, PILOT_END if pilot else SHIFT.end)
            if crew and all(c.hours is not None for c in crew) and (i > 0 or not has_driver):
                # no driver and only part-timers aboard: the unit is out only within their hours
                # (the van of a 08:00-12:00 social worker drove back after 12:00)
                start = max(shift.start, min(c.hours.start for c in crew if c.hours is not None))
                end = min(shift.end, max(c.hours.end for c in crew if c.hours is not None))
                if start < end:
                    shift = TimeWindow(start, end)
            out.append(
                UnitDay(
                    f"unit-{u.id}",
                    d,
                    shift=shift,
                    available=available,
                    crew=crew if available else (),
                    pilot=pilot,
                    note=note,
                )
            )
    return out


def _published_seats(published: Problem | None) -> dict[date, dict[int, int]]:
    """Where each staff member rode on each day in the week's published version (date -> staff
    id -> unit id), read from the crews of its problem; empty when nothing is published."""
    seats: dict[date, dict[int, int]] = defaultdict(dict)
    for ud in published.unit_days if published is not None else ():
        unit = m.register_id(ud.unit_id, "unit-")
        for member in ud.crew:
            staff_id = m.register_id(member.staff_id, "st-")
            if unit is not None and staff_id is not None:
                seats[ud.date][staff_id] = unit
    return dict(seats)


def _done_dates(
    session: Session, since: date, before: date
) -> tuple[dict[int, list[date]], dict[int, list[date]]]:
    """Dates (in Athens) of visits actually done, per care plan and per village stop."""
    start, end = local_midnight(since), local_midnight(before)
    rows = session.execute(
        select(
            m.VisitOutcome.care_plan_id,
            m.VisitOutcome.village_stop_id,
            m.VisitOutcome.planned_date,
            m.VisitOutcome.occurred_at,
        )
        .where(m.VisitOutcome.status == "done", ~m.superseded_outcome())
        .where(m.VisitOutcome.occurred_at >= start, m.VisitOutcome.occurred_at < end)
    )
    care: dict[int, list[date]] = defaultdict(list)
    stops: dict[int, list[date]] = defaultdict(list)
    for care_id, stop_id, planned, occurred in rows:
        when = local_date(occurred) if occurred is not None else planned
        if care_id is not None:
            care[care_id].append(when)
        elif stop_id is not None:
            stops[stop_id].append(when)
    return care, stops


def _last_done_before(session: Session, before: date) -> tuple[dict[int, date], dict[int, date]]:
    """The last done visit of every care plan and stop, however long ago."""
    end = local_midnight(before)
    care = dict(
        session.execute(
            select(m.VisitOutcome.care_plan_id, func.max(m.VisitOutcome.occurred_at))
            .where(m.VisitOutcome.status == "done", m.VisitOutcome.care_plan_id.is_not(None))
            .where(~m.superseded_outcome())
            .where(m.VisitOutcome.occurred_at < end)
            .group_by(m.VisitOutcome.care_plan_id)
        ).all()
    )
    stops = dict(
        session.execute(
            select(m.VisitOutcome.village_stop_id, func.max(m.VisitOutcome.occurred_at))
            .where(m.VisitOutcome.status == "done", m.VisitOutcome.village_stop_id.is_not(None))
            .where(~m.superseded_outcome())
            .where(m.VisitOutcome.occurred_at < end)
            .group_by(m.VisitOutcome.village_stop_id)
        ).all()
    )
    return (
        {k: _as_date(v) for k, v in care.items() if k is not None},
        {k: _as_date(v) for k, v in stops.items() if k is not None},
    )


def _weekdays_in_force(
    allowed: Sequence[int] | None, monday: date, start: date, end: date | None
) -> list[int]:
    """The ISO weekdays of the week of ``monday`` a care plan may be visited on: those it allows
    (none named: Monday to Friday) that fall on or after its ``start`` and not after its
    ``end``. (A weekend day it names stays, so that the plan is listed unassigned with why.)"""
    days = allowed or (1, 2, 3, 4, 5)
    return [
        d
        for d in days
        if start <= monday + timedelta(days=d - 1) and (end is None or monday + timedelta(days=d - 1) <= end)
    ]


def _done_of(key: int, recent: Mapping[int, list[date]], last: Mapping[int, date]) -> list[date]:
    """Done dates of one care plan or stop: the recent ones and the last ever, each once (the
    last is usually among the recent ones; counted twice, a monthly plan's month looks done)."""
    dates = list(recent.get(key, []))
    if key in last and last[key] not in dates:
        dates.append(last[key])
    return dates


def _as_date(value: datetime | date) -> date:
    return local_date(value) if isinstance(value, datetime) else value


def _history_weekday(days: Sequence[date]) -> int | None:
    """The weekday (0 = Monday) of most of these visits, if at least two and a majority."""
    if len(days) < 2:
        return None
    ((weekday, n),) = Counter(d.weekday() for d in days).most_common(1)
    return weekday if n * 2 > len(days) else None


def _preferred_weekday(done: Sequence[date], last_week: int | None) -> int | None:
    """A visit's preferred weekday (soft): that of most of its visits done (two or more, a
    majority), else the one it had in last week's plan, so that a person keeps their day from
    the second week on rather than once a history has formed."""
    found = _history_weekday(done)
    return found if found is not None else last_week


def _last_weeks_weekdays(session: Session, iso_week: str, unit_set: str) -> dict[str, int]:
    """The weekday (0 = Monday) each visit had in last week's plan (published, else newest),
    for the visits planned there on one weekday only: the day the person (or the village) was
    last told, which a visit keeps as its preferred weekday until its own history says one."""
    plan = _plan_of_week(session, _previous_week(iso_week), unit_set)
    if plan is None:
        return {}
    days: dict[str, set[int]] = defaultdict(set)
    for route in plan.routes:
        for stop in route.stops:
            days[stop.visit_id].add(route.date.weekday())
    return {vid: next(iter(found)) for vid, found in days.items() if len(found) == 1}


def latest_version(
    session: Session, iso_week: str, unit_set: str, *, published: bool = False
) -> m.PlanVersion | None:
    """The newest version (or newest published one) of a week's plan for a unit set."""
    query = select(m.PlanVersion).where(
        m.PlanVersion.iso_week == iso_week, m.PlanVersion.unit_set == unit_set
    )
    if published:
        query = query.where(m.PlanVersion.status == "published")
    return session.scalars(query.order_by(m.PlanVersion.version.desc()).limit(1)).first()


def published_for(session: Session, iso_week: str, unit_set: str) -> m.PlanVersion | None:
    """The week's published version that drivers of ``unit_set``'s units have now: the unit
    set's own, else the newest published one that plans one of its units (a van taken out of
    service makes a new unit set, "1" after "1,2"; publishing it sends that one back to draft,
    :func:`publish`), so that a re-plan keeps and lists against what people were told."""
    own = latest_version(session, iso_week, unit_set, published=True)
    if own is not None:
        return own
    units = m.unit_ids(unit_set)
    rows = session.scalars(
        select(m.PlanVersion)
        .where(m.PlanVersion.iso_week == iso_week, m.PlanVersion.status == "published")
        .order_by(m.PlanVersion.published_at.desc(), m.PlanVersion.id.desc())
    )
    return next((row for row in rows if m.unit_ids(row.unit_set) & units), None)


def _previous_week(iso_week: str) -> str:
    return iso_week_of(iso_week_dates(iso_week)[0] - timedelta(days=7))


def _plan_of_week(session: Session, iso_week: str, unit_set: str) -> Plan | None:
    """A week's plan as drivers have it: the published version, else the newest."""
    version = latest_version(session, iso_week, unit_set, published=True) or latest_version(
        session, iso_week, unit_set
    )
    return None if version is None else plan_from_dict(json.loads(version.plan_json))


def _scheduled_ahead(session: Session, monday: date, unit_set: str, today: date) -> dict[str, list[date]]:
    """Visits still to come in the weeks between today and the week of ``monday`` (today's
    week included, that week not): their dates in each week's plan (published, else newest).
    Today's stops count unless an outcome is already recorded for them today."""
    recorded_today = {
        ref
        for ref in session.scalars(
            select(m.VisitOutcome.visit_ref).where(m.VisitOutcome.planned_date == today)
        )
        if ref
    }
    ahead: dict[str, list[date]] = defaultdict(list)
    week = monday_of(today)
    while week < monday:
        plan = _plan_of_week(session, iso_week_of(week), unit_set)
        for route in plan.routes if plan is not None else ():
            for stop in route.stops:
                if route.date > today or (route.date == today and stop.visit_id not in recorded_today):
                    ahead[stop.visit_id].append(route.date)
        week += timedelta(weeks=1)
    return ahead


def _carried_over(
    session: Session,
    iso_week: str,
    unit_set: str,
    done: Mapping[str, list[date]],
    ahead: Mapping[str, list[date]],
) -> frozenset[str]:
    """Visits in last week's plan (published, else newest) with nothing done last week;
    a visit still scheduled there on a day to come (``ahead``) is not missed (yet). Only the
    register's own visits (:func:`is_routine`): an urgent one added in Adjust was wanted that
    week only, and does not come back by itself."""
    prev = _previous_week(iso_week)
    plan = _plan_of_week(session, prev, unit_set)
    if plan is None:
        return frozenset()
    planned = {stop.visit_id for route in plan.routes for stop in route.stops}
    planned |= {u.visit_id for u in plan.unassigned}
    planned = {v for v in planned if is_routine(v)}
    monday = iso_week_dates(prev)[0]
    week = {monday + timedelta(days=k) for k in range(7)}  # a visit done at the weekend counts too
    return frozenset(
        v
        for v in planned
        if not any(d in week for d in done.get(v, [])) and not any(d in week for d in ahead.get(v, []))
    )


def build_week(
    session: Session,
    iso_week: str,
    *,
    units: Sequence[str] | None = None,
    pins: Mapping[str, tuple[date, int | None]] | None = None,
    today: date | None = None,
) -> BuiltWeek:
    """The week's problem from the register (see the module's rules). Reads only.

    ``today`` (default: the system's date) decides what is past: in the current week, no
    visit is planned before it, and the published routes of those days and of today stay;
    visits scheduled in the plans of the weeks between today and this one count as done for
    what is due here, and are not carried over."""
    today = calendar_today() if today is None else today
    try:
        week_dates = iso_week_dates(iso_week)
    except ValueError:
        raise WeekError(
            f"{iso_week!r} δεν είναι εβδομάδα ISO (π.χ. 2026-W50) / is not an ISO week (e.g. 2026-W50)"
        ) from None
    monday = week_dates[0]
    chosen = _select_units(session, units)
    unit_ids = tuple(u.id for u in chosen)
    unit_set = _unit_set(unit_ids)
    settlements = _settlements(session)
    calendar = _calendar(session, week_dates)  # closures, units out, pilot days, absences
    closed = calendar.closed
    open_dates = [d for d in week_dates if d not in closed]
    if not open_dates:
        why = ", ".join(f"{d:%d/%m}: {closed[d]}" for d in week_dates if d in closed)
        raise WeekError(
            f"όλες οι ημέρες της εβδομάδας {iso_week} είναι κλειστές / every day of week {iso_week} "
            f"is closed ({why})"
        )
    staff = list(session.scalars(select(m.Staff).order_by(m.Staff.id)))
    model_staff = tuple(
        StaffMember(f"st-{s.id}", s.name, (s.role,)) for s in staff if s.active and s.role != "driver"
    )
    model_units: list[Unit] = []
    for u in chosen:
        base = Location(f"base-{u.id}", u.base_lat, u.base_lon, u.base_name, base_terrain(u, settlements))
        unit = Unit(f"unit-{u.id}", u.name, base)
        if u.weekly_hours is not None:  # a part-time driver; else the engine's default, 40 h
            unit = replace(unit, weekly_max_work=weekly_max_work(u.weekly_hours))
        model_units.append(unit)

    published_row = published_for(session, iso_week, unit_set)
    published_problem: Problem | None = None
    if published_row is not None and published_row.problem_json:
        published_problem = problem_from_dict(json.loads(published_row.problem_json))
        # a base at the same point keeps the terrain the published week had (one planned before
        # bases took their settlement's terrain, all "plain"): its kept routes' drives stay valid
        was = {u.id: u.base for u in published_problem.units}
        model_units = [
            replace(u, base=replace(u.base, terrain=was[u.id].terrain))
            if u.id in was and (was[u.id].lat, was[u.id].lon) == (u.base.lat, u.base.lon)
            else u
            for u in model_units
        ]
    seats_before = _published_seats(published_problem)

    def crewed_days(first: Collection[int]) -> list[UnitDay]:
        return _unit_days(calendar, chosen, staff, week_dates, first, seats_before, _role_needs(visits))

    history_start = monday - timedelta(weeks=HISTORY_WEEKS)
    recent_care, recent_stops = _done_dates(session, history_start, monday)
    last_care, last_stops = _last_done_before(session, monday)
    done_by_visit: dict[str, list[date]] = {}
    for cid, days in recent_care.items():
        done_by_visit[f"cp-{cid}"] = days
    for sid, days in recent_stops.items():
        done_by_visit[f"vs-{sid}"] = days
    ahead = _scheduled_ahead(session, monday, unit_set, today)
    carried = _carried_over(session, iso_week, unit_set, done_by_visit, ahead)
    # re-planning the current week: visits already done in it count for what it owes
    this_week_care, this_week_stops = (
        _done_dates(session, monday, min(today, week_dates[-1]) + timedelta(days=1))
        if today >= monday
        else ({}, {})
    )

    previous = latest_version(session, iso_week, unit_set)
    kept_pins: dict[str, tuple[date, int | None]] = {}
    if previous is not None and previous.problem_json:
        for v in problem_from_dict(json.loads(previous.problem_json)).visits:
            if v.pinned_date is not None:
                kept_pins[v.id] = (v.pinned_date, v.pinned_time)
    kept_pins.update(pins or {})
    published = None
    frozen = frozen_dates(week_dates, today, published=published_row is not None)
    kept_dates: dict[str, set[date]] = defaultdict(set)
    kept_units: dict[str, set[str]] = defaultdict(set)  # the unit, and so the crew, it was given
    kept_times: dict[str, dict[date, int]] = defaultdict(dict)  # the time the person was told
    kept_day_units: dict[str, dict[date, str]] = defaultdict(dict)  # and the route it was on
    if published_row is not None:
        published_plan = plan_from_dict(json.loads(published_row.plan_json))
        published = PublishedRef(published_row.id, published_row.version, published_plan, published_problem)
        for route in published_plan.routes:
            for stop in route.stops:
                kept_dates[stop.visit_id].add(route.date)
                kept_units[stop.visit_id].add(route.unit_id)
                kept_times[stop.visit_id][route.date] = stop.start
                kept_day_units[stop.visit_id][route.date] = route.unit_id

    visits: list[Visit] = []
    overdue: dict[str, int] = {}

    def done_aside(vid: str, days: Iterable[date]) -> list[date]:
        """This week's done dates of a visit, but for those of the published routes kept as
        they are (those count where the kept routes are taken out of what is owed)."""
        return sorted(d for d in days if not (d in frozen and d in kept_dates.get(vid, ())))

    def owed(visit: Visit, done: Sequence[date]) -> Visit:
        """The visit less what was done this week already: the occurrences left, on weekdays
        far enough after the last one done."""
        if not done:
            return visit
        later = {d.weekday() for d in week_dates if (d - done[-1]).days >= visit.min_gap_days}
        allowed = later if visit.allowed_weekdays is None else later & visit.allowed_weekdays
        return replace(
            visit, frequency=max(1, visit.frequency - len(done)), allowed_weekdays=frozenset(allowed)
        )

    def add(visit: Visit, late: int, done: Sequence[date] = ()) -> None:
        visit = owed(visit, done)
        pin = kept_pins.get(visit.id)
        if pin is not None and pin[0] in week_dates:
            visit = replace(visit, pinned_date=pin[0], pinned_time=pin[1])
        if visit.id in kept_dates:
            known = {u.id for u in model_units}
            visit = replace(
                visit,
                preferred_dates=frozenset(kept_dates[visit.id]),
                preferred_times=kept_times[visit.id],
                preferred_day_units={d: u for d, u in kept_day_units[visit.id].items() if u in known},
            )
        units_kept = kept_units.get(visit.id, set()) & {u.id for u in model_units}
        if units_kept:
            visit = replace(visit, preferred_units=frozenset(units_kept))
        visits.append(visit)
        overdue[visit.id] = late

    working = len(open_dates)
    last_weekday = _last_weeks_weekdays(session, iso_week, unit_set)
    # the register began planning in the week of its first plan version (this one, if none yet):
    # a plan never visited is late only since then (a caseload imported with old start dates)
    first_week = session.scalar(select(func.min(m.PlanVersion.iso_week)))
    since = min(monday, iso_week_dates(first_week)[0]) if first_week else monday
    care_rows = session.scalars(
        select(m.CarePlan)
        .join(m.Beneficiary)
        .where(m.CarePlan.status == "active", m.Beneficiary.active)
        .order_by(m.CarePlan.id)
    )
    group_points: list[int] = []  # the priority groups' points of each home visit due
    for cp in care_rows:
        vid = f"cp-{cp.id}"
        # its weekdays in force this week: a plan that starts or ends within the week is not
        # visited before its start or after its end
        in_force = _weekdays_in_force(cp.allowed_weekdays, monday, cp.start_date, cp.end_date)
        due = occurrences_due(
            Rhythm(cp.frequency_kind, cp.frequency_count),
            monday,
            [*_done_of(cp.id, recent_care, last_care), *ahead.get(vid, [])],
            start=cp.start_date,
            end=cp.end_date,
            working_days=working,
            allowed_weekdays=cp.allowed_weekdays or (),
            since=since,
        )
        done = done_aside(vid, this_week_care.get(cp.id, []))
        # a pin keeps a visit nothing is owed for (the coordinator wants it), not one done already
        if (due.occurrences <= len(done) or not in_force) and (done or vid not in kept_pins):
            continue
        person = cp.beneficiary
        groups = person.priority_groups or []
        group_points.append(priority_of(groups, 0, False) - 1)
        place = settlements[person.settlement_code]
        lat, lon = (
            (person.lat, person.lon)
            if person.lat is not None and person.lon is not None
            else (place.lat, place.lon)
        )
        loc = Location(f"b-{person.id}", lat, lon, f"{person.full_name}, {place.name_el}", place.terrain)  # type: ignore[arg-type]
        n = max(1, due.occurrences)
        # (a pinned visit outside them keeps the days its plan names: the pin decides)
        plan_days = (
            in_force if in_force and (cp.allowed_weekdays or len(in_force) < 5) else cp.allowed_weekdays
        )
        add(
            Visit(
                vid,
                loc,
                cp.duration_min * MINUTE,
                kind="home_visit",
                name=person.full_name,
                time_windows=_windows(cp.time_windows or [], cp.duration_min * MINUTE),
                allowed_weekdays=frozenset(d - 1 for d in plan_days) if plan_days else None,
                required_role=cp.required_role,
                required_staff=f"st-{cp.staff_id}"
                if cp.staff_id is not None and any(s.id == cp.staff_id and s.active for s in staff)
                else None,
                priority=priority_of(groups, due.overdue_weeks, vid in carried),
                frequency=n,
                min_gap_days=min_gap_for(n, min(working, len(in_force) or working)),
                preferred_weekday=_preferred_weekday(recent_care.get(cp.id, []), last_weekday.get(vid)),
                phone=person.phone or "",
                address=_with_place(person.address, place.name_el),
                notes=cp.service,
            ),
            due.overdue_weeks,
            done,
        )
    # a stop has no person and so no priority groups: at 1 + weeks overdue it lost every full
    # week to the home visits of people in them (29 stops due, none served). It serves the
    # walk-ins of a whole village at a time announced there, so it ranks at least as the
    # week's ordinary home visit (the median one's group points) with the same weeks overdue
    ordinary = median_low(group_points) if group_points else 0
    for vs in session.scalars(select(m.VillageStop).where(m.VillageStop.active).order_by(m.VillageStop.id)):
        vid = f"vs-{vs.id}"
        due = occurrences_due(
            Rhythm(vs.frequency_kind, vs.frequency_count),
            monday,
            [*_done_of(vs.id, recent_stops, last_stops), *ahead.get(vid, [])],
            start=date.min,
            working_days=working,
            since=since,
        )
        done = done_aside(vid, this_week_stops.get(vs.id, []))
        if due.occurrences <= len(done) and (done or vid not in kept_pins):
            continue
        place = settlements[vs.settlement_code]
        announced = tuple(
            TimeWindow(parse_time(t), parse_time(t) + ANNOUNCED_SLACK) for t in (vs.announced_times or [])
        )
        usual = (
            vs.usual_weekday - 1
            if vs.usual_weekday is not None
            else _preferred_weekday(recent_stops.get(vs.id, []), last_weekday.get(vid))
        )
        n = max(1, due.occurrences)
        add(
            Visit(
                vid,
                Location(f"set-{place.code}", place.lat, place.lon, place.name_el, place.terrain),  # type: ignore[arg-type]
                vs.duration_min * MINUTE,
                kind="village_stop",
                name=f"{place.name_el}: {vs.place}" if vs.place else place.name_el,
                time_windows=announced,
                required_role=vs.required_role,
                priority=ordinary + priority_of([], due.overdue_weeks, vid in carried),
                frequency=n,
                min_gap_days=min_gap_for(n, working),
                preferred_weekday=usual,
                address=vs.place or place.name_el,
            ),
            due.overdue_weeks,
            done,
        )
    if not visits:
        raise WeekError(
            f"καμία επίσκεψη δεν οφείλεται την εβδομάδα {iso_week} / nothing is due in week {iso_week}"
        )
    # crews as the due visits need them; and continuity of care: a person a due visit names,
    # who would ride on no day of the week, is seated first, on the days they work
    unit_days = crewed_days(())
    seated = {c.staff_id for ud in unit_days for c in ud.crew}
    unseated = {v.required_staff for v in visits if v.required_staff and v.required_staff not in seated}
    if unseated:
        unit_days = crewed_days({int(sid.removeprefix("st-")) for sid in unseated})
    problem = Problem(
        f"{iso_week}",
        week_dates,
        tuple(model_units),
        tuple(unit_days),
        model_staff,
        tuple(visits),
    )
    kept: tuple[Route, ...] = ()
    solve_problem = None
    if frozen:
        problem, solve_problem, kept = keep_past(
            problem, published_problem, published.plan if published else None, today
        )
    return BuiltWeek(
        iso_week,
        problem,
        unit_ids,
        tuple(sorted(closed.items())),
        carried & {v.id for v in visits},  # those the week still owes
        overdue,
        published,
        frozen,
        kept,
        solve_problem,
    )


def _refuse_fewer_units(
    plan: Plan, published: Problem | None, problem: Problem, frozen: Collection[date]
) -> None:
    """Refuse, with what to do instead, a re-plan of fewer units than the published version
    drove on the days kept as published (a unit left out by name, or taken out of service):
    those days' routes of the units left out would belong to no plan (the new version is the
    smaller unit set's; publishing it withdraws the other), and the engine could not check
    them against a problem without their unit (it said "no such unit and date in the
    problem", in the web's Adjust only after the whole solve)."""
    planned = {u.id for u in problem.units}
    names = {u.id: u.name for u in (published.units if published else ())}
    gone = sorted({r.unit_id for r in plan.routes if r.date in frozen and r.stops} - planned)
    if gone:
        which = ", ".join(names.get(uid, uid) for uid in gone)
        asked = ", ".join(u.name for u in problem.units)
        many = len(gone) > 1
        el_of, en_of = ("των μονάδων", "units") if many else ("της μονάδας", "unit")
        el_them, en_them = ("αυτές", "they") if many else ("αυτή", "it")
        raise WeekError(
            f"η δημοσιευμένη εβδομάδα έχει ήδη διαδρομές {el_of} {which} μέχρι σήμερα· μια "
            f"έκδοση μόνο για {asked} τις αφήνει έξω, και αν δημοσιευτεί αποσύρει τη "
            f"δημοσιευμένη, οπότε {'χάνουν' if many else 'χάνει'} και τις διαδρομές των "
            f"επόμενων ημερών. Σχεδιάστε ξανά με όλες τις μονάδες· αν {el_them} δεν πρέπει να "
            f"{'βγουν' if many else 'βγει'} τις υπόλοιπες ημέρες, δηλώστε "
            f"{'τις μη διαθέσιμες' if many else 'τη μη διαθέσιμη'} στο ημερολόγιο για εκείνες τις "
            "ημέρες (αν θέσατε κάποια μονάδα εκτός λειτουργίας, επαναφέρετέ τη πρώτα) / "
            "the published week already has routes of the "
            f"{en_of} {which} up to today; a version of {asked} alone leaves them out, and "
            f"published it withdraws the published one, so {en_them} also "
            f"{'lose' if many else 'loses'} the routes of the days ahead. Re-plan with all the units; if "
            f"{'those units are' if many else 'that unit is'} not to go out on the remaining "
            f"days, mark {'them' if many else 'it'} unavailable in the calendar for those days "
            "(if you took one out of service, put it back in service first)"
        )


def frozen_dates(dates: Sequence[date], today: date, *, published: bool) -> tuple[date, ...]:
    """The dates not planned anew: those before ``today``, and today too when a published
    plan has routes on it the driver may be following."""
    return tuple(d for d in dates if d < today or (d == today and published))


def keep_past(
    problem: Problem, published_problem: Problem | None, published_plan: Plan | None, today: date
) -> tuple[Problem, Problem, tuple[Route, ...]]:
    """For any caller that solves a week itself (the web's Adjust): (the problem to store,
    the problem to solve, the kept routes), with nothing planned before ``today`` and the
    published routes before it and today kept. Solve the second, then
    ``merge_kept(kept, plan, stored)`` and validate against the stored one."""
    frozen = set(frozen_dates(problem.dates, today, published=published_plan is not None))
    if not frozen:
        return problem, problem, ()
    if published_plan is not None:
        _refuse_fewer_units(published_plan, published_problem, problem, frozen)
    kept = tuple(r for r in (published_plan.routes if published_plan else ()) if r.date in frozen and r.stops)
    stored, to_solve = _freeze(problem, published_problem, frozen, kept, today)
    return stored, to_solve, kept


def _freeze(
    problem: Problem, published: Problem | None, frozen: set[date], kept: Sequence[Route], today: date
) -> tuple[Problem, Problem]:
    """(the problem to store, the problem to solve) when ``frozen`` dates are not planned anew.

    To solve: the frozen unit-days are unavailable, each visit wants only the occurrences the
    ``kept`` routes do not serve, on weekdays far enough after its last kept one. To store: the
    kept routes' unit-days and visit windows as the published problem had them, so the kept
    routes and the solved ones validate together."""
    old_days = {(ud.unit_id, ud.date): ud for ud in published.unit_days} if published else {}
    old_visits = {v.id: v for v in published.visits} if published else {}
    kept_at = {(r.unit_id, r.date) for r in kept}
    kept_days: dict[str, list[date]] = defaultdict(list)
    for r in kept:
        for stop in r.stops:
            kept_days[stop.visit_id].append(r.date)
    solve_days: list[UnitDay] = []
    stored_days: list[UnitDay] = []
    for ud in problem.unit_days:
        if ud.date not in frozen:
            solve_days.append(ud)
            stored_days.append(ud)
            continue
        note = (TODAY_NOTE if ud.date == today else PAST_NOTE) if ud.available else ud.note
        closed = replace(ud, available=False, crew=(), note=note)
        solve_days.append(closed)
        stored_days.append(
            old_days.get((ud.unit_id, ud.date), ud) if (ud.unit_id, ud.date) in kept_at else closed
        )
    open_dates = [d for d in problem.dates if d not in frozen]
    solve_visits: list[Visit] = []
    stored_visits: list[Visit] = []
    new_ids = {v.id for v in problem.visits}
    only_kept = [old_visits[k] for k in kept_days if k in old_visits and k not in new_ids]
    for v in [*problem.visits, *only_kept]:
        in_problem = v.id in new_ids
        if v.pinned_date in frozen:
            v = replace(v, pinned_date=None, pinned_time=None)
        days = sorted(kept_days.get(v.id, []))
        if not days:
            solve_visits.append(v)
            stored_visits.append(v)
            continue
        rest = max(0, v.frequency - len(days)) if in_problem else 0
        if rest:
            later = {d.weekday() for d in open_dates if (d - days[-1]).days >= v.min_gap_days}
            allowed = later if v.allowed_weekdays is None else later & v.allowed_weekdays
            solve_visits.append(replace(v, frequency=rest, allowed_weekdays=frozenset(allowed)))
        old = old_visits.get(v.id, v)
        windows = dict(v.weekday_windows)
        for d in days:
            windows[d.weekday()] = old.windows_on(d)
        stored_visits.append(
            replace(
                v,
                frequency=len(days) + rest,
                min_gap_days=min(v.min_gap_days, old.min_gap_days),
                weekday_windows=windows,
                allowed_weekdays=None
                if v.allowed_weekdays is None
                else v.allowed_weekdays | {d.weekday() for d in days},
                pinned_date=v.pinned_date if v.pinned_date in (None, days[0]) else None,
                pinned_time=v.pinned_time if v.pinned_date in (None, days[0]) else None,
            )
        )
    # a unit with no day left to plan is left out of the solve (the engine expects every
    # unit to have an available day; the stored problem keeps it)
    going = {ud.unit_id for ud in solve_days if ud.available}
    # the driver's weekly cap counts the kept days' work: the days left get what it leaves, and
    # the reasons name both the cap and what was worked
    worked: dict[str, int] = defaultdict(int)
    for r in kept:
        worked[r.unit_id] += r.work_time
    left = [
        replace(u, weekly_worked=u.weekly_worked + worked[u.id]) if worked[u.id] else u for u in problem.units
    ]
    # days driven before the driver's weekly hours were lowered (``kinito unit hours``) may
    # already hold more than the new cap: they stay as they were, nothing more is planned for
    # the unit (what the cap leaves is 0), and the stored week counts its cap from what they took
    stored_units = tuple(
        replace(u, weekly_max_work=u.weekly_worked + worked[u.id])
        if u.weekly_max_work is not None and u.weekly_worked + worked[u.id] > u.weekly_max_work
        else u
        for u in problem.units
    )
    # who rode on a kept day and has left since (made inactive): still on that day's crew, so the
    # stored week keeps them among its staff (without them its roles are missing there, and the
    # kept routes did not validate: the week could not be planned again at all)
    known = {s.id for s in problem.staff}
    aboard = {c.staff_id for ud in stored_days if ud.date in frozen for c in ud.crew}
    gone = tuple(s for s in (published.staff if published else ()) if s.id in aboard and s.id not in known)
    return (
        replace(
            problem,
            units=stored_units,
            unit_days=tuple(stored_days),
            visits=tuple(stored_visits),
            staff=(*problem.staff, *gone),
        ),
        replace(
            problem,
            units=tuple(u for u in left if u.id in going),
            unit_days=tuple(ud for ud in solve_days if ud.unit_id in going),
            visits=tuple(solve_visits),
        ),
    )


# --- comparing plans -----------------------------------------------------------------------


def _placements(plan: Plan) -> dict[str, list[tuple[date, int, str, int]]]:
    """Per visit, where each of its occurrences is: (date, occurrence, unit, start), by date."""
    out: dict[str, list[tuple[date, int, str, int]]] = defaultdict(list)
    for route in plan.routes:
        for stop in route.stops:
            out[stop.visit_id].append((route.date, stop.occurrence, route.unit_id, stop.start))
    return {vid: sorted(places) for vid, places in out.items()}


def _paired(
    olds: Sequence[tuple[date, int, str, int]], news: Sequence[tuple[date, int, str, int]]
) -> list[tuple[tuple[date, int, str, int] | None, tuple[date, int, str, int] | None]]:
    """A visit's placements before and after, paired: on the same date first (its occurrence
    numbers are the search's, not the person's: a visit twice a week kept on Wednesday may be
    the other "occurrence" now), then the rest in date order (moved); what is left is dropped
    (before only) or added (after only)."""
    left, right = list(olds), list(news)
    pairs: list[tuple[tuple[date, int, str, int] | None, tuple[date, int, str, int] | None]] = []
    for o in list(left):
        same = next((n for n in right if n[0] == o[0]), None)
        if same is not None:
            pairs.append((o, same))
            left.remove(o)
            right.remove(same)
    pairs += list(zip(left, right, strict=False))
    pairs += [(o, None) for o in left[len(right) :]]
    pairs += [(None, n) for n in right[len(left) :]]
    return pairs


@dataclass(frozen=True)
class PlanChange:
    """One change of a visit's occurrence from a published plan to a new one, as data.

    ``kind``: ``"dropped"``, ``"added"``, ``"moved"`` (another date), ``"other_unit"`` or
    ``"new_time"`` (same date, the start moved by more than :data:`TIME_CHANGE`). ``day``,
    ``unit`` (the unit's name) and ``start`` (seconds since midnight) are where
    the occurrence was (``_before``) and is (``_after``); None where it is not planned.
    ``wanted`` (a dropped one): whether the new problem still wants the visit (then the new
    plan left it unassigned, with its reason) or no longer does (its care plan paused or
    ended, the person inactive, the visit done already or dropped by an adjustment).
    """

    kind: str
    visit_id: str
    name: str
    occurrence: int
    day_before: date | None = None
    day_after: date | None = None
    unit_before: str = ""
    unit_after: str = ""
    start_before: int | None = None
    start_after: int | None = None
    wanted: bool = True


def plan_change_items(
    before: Plan, after: Plan, problem: Problem, before_problem: Problem | None = None
) -> tuple[PlanChange, ...]:
    """What changed from ``before`` (published) to ``after``, per visit occurrence, as data
    (the web lists it in the reader's language; :func:`plan_changes` writes the CLI's lines).
    Names come from ``problem``, else from ``before_problem`` (a visit the new week no longer
    wants, such as an urgent one added to the published version)."""
    old, new = _placements(before), _placements(after)
    problems = (before_problem, problem) if before_problem is not None else (problem,)
    names = {v.id: v.name or v.id for p in problems for v in p.visits}
    units = {u.id: u.name for p in problems for u in p.units}
    wanted = {v.id for v in problem.visits}
    items: list[PlanChange] = []
    for vid in sorted(old.keys() | new.keys()):
        name = names.get(vid, vid)
        for was, now in _paired(old.get(vid, []), new.get(vid, [])):
            d0, occurrence, u0, t0 = was or (None, -1, "", None)
            d1, o1, u1, t1 = now or (None, -1, "", None)
            occurrence = occurrence if was is not None else o1
            item = PlanChange("", vid, name, occurrence, d0, d1, units.get(u0, u0), units.get(u1, u1), t0, t1)
            if now is None:
                items.append(replace(item, kind="dropped", wanted=vid in wanted))
                continue
            if was is None:
                items.append(replace(item, kind="added"))
                continue
            if d0 != d1:
                items.append(replace(item, kind="moved"))
            if u0 != u1:
                items.append(replace(item, kind="other_unit"))
            if d0 == d1 and t0 is not None and t1 is not None and abs(t1 - t0) > TIME_CHANGE:
                items.append(replace(item, kind="new_time"))
    return tuple(sorted(items, key=lambda c: (c.visit_id, c.occurrence)))


LEFT_OUT = (
    "δεν μπήκε στο νέο πλάνο (το γιατί: στις επισκέψεις χωρίς θέση)",
    "left out of the new plan (why: see the unassigned visits)",
)
"""Why a visit the register still asks for is not in the new plan (Greek, English)."""


def unwanted_why(visit_id: str) -> tuple[str, str]:
    """Why the register no longer asks for a visit a stored plan has (Greek, English): a care
    plan paused or ended, a village stop made inactive (a stop has no plan to pause), or
    either already done."""
    if visit_id.startswith("vs-"):
        return "στάση ανενεργή, ή έγινε ήδη", "stop made inactive, or already done"
    return "πλάνο σε παύση ή λήξη, ή έγινε ήδη", "plan paused or ended, or already done"


URGENT_DROPPED = (
    "επείγουσα επίσκεψη της προηγούμενης έκδοσης· το μητρώο δεν τη ζητά (αν χρειάζεται ακόμη, "
    "προσθέστε τη ξανά στην Προσαρμογή)",
    "an urgent visit of the earlier version; the register does not ask for it (if still "
    "needed, add it again in Adjust)",
)


def plan_changes(
    before: Plan, after: Plan, problem: Problem, before_problem: Problem | None = None
) -> tuple[str, ...]:
    """What changed from ``before`` (published) to ``after``, one bilingual line per visit;
    names of visits the new ``problem`` no longer has come from ``before_problem``."""
    lines: list[str] = []
    for c in plan_change_items(before, after, problem, before_problem):
        who = f"{c.name} ({c.visit_id})"
        d0, d1, t0, t1 = c.day_before, c.day_after, c.start_before, c.start_after
        if c.kind == "dropped" and d0 is not None:
            why_el, why_en = LEFT_OUT
            if not c.wanted:
                el, en = unwanted_why(c.visit_id)
                why_el, why_en = f"δεν ζητείται πια ({el})", f"no longer wanted ({en})"
            if not c.wanted and not is_routine(c.visit_id):
                why_el, why_en = URGENT_DROPPED
            lines.append(
                f"αφαιρέθηκε / dropped: {who}: ήταν / was {day_el(d0)} / {day_en(d0)}: {why_el} / {why_en}"
            )
        elif c.kind == "added" and d1 is not None and t1 is not None:
            when = f"{day_el(d1)} / {day_en(d1)} {hhmm(t1)}"
            lines.append(f"προστέθηκε / added: {who}: {when}, {c.unit_after}")
        elif c.kind == "moved" and d0 is not None and d1 is not None:
            # with the times (when the person was told, when to tell them now) and the unit
            at0, at1 = ("" if t is None else f" {hhmm(t)}" for t in (t0, t1))
            el, en = f"{day_el(d0)}{at0} -> {day_el(d1)}{at1}", f"{day_en(d0)}{at0} -> {day_en(d1)}{at1}"
            unit = f", {c.unit_after}" if c.unit_after else ""
            lines.append(f"μετακινήθηκε / moved: {who}: {el} / {en}{unit}")
        elif c.kind == "other_unit":
            lines.append(f"άλλη μονάδα / other unit: {who}: {c.unit_before} -> {c.unit_after}")
        elif c.kind == "new_time" and t0 is not None and t1 is not None:
            day = "" if d1 is None else f"{day_el(d1)} / {day_en(d1)} "
            lines.append(f"άλλη ώρα / new time: {who}: {day}{hhmm(t0)} -> {hhmm(t1)}")
    return tuple(lines)


# --- solving and storing -------------------------------------------------------------------


@dataclass(frozen=True)
class UnservedStops:
    """The week's village stops left unserved: ``unserved`` the stops with an occurrence left
    out, each with how many of its occurrences were served (0: none), of ``due`` stops."""

    due: int
    unserved: tuple[tuple[Visit, int], ...]

    @property
    def none_served(self) -> bool:
        """Not one stop served at all this week (every village goes without the unit)."""
        return self.due > 0 and len(self.unserved) == self.due and all(n == 0 for _, n in self.unserved)


def unserved_stops(plan: Plan, problem: Problem) -> UnservedStops:
    """Which of the week's village stops the plan leaves out (any of their occurrences). A
    village told "Tuesdays at the square" loses the unit: the plan's list of unassigned visits
    names them among the rest, with the reason ``week_full``; this is said apart."""
    stops = [v for v in problem.visits if v.kind == "village_stop"]
    served = Counter(s.visit_id for r in plan.routes for s in r.stops)
    left = {u.visit_id for u in plan.unassigned}
    return UnservedStops(len(stops), tuple((v, served[v.id]) for v in stops if v.id in left))


def unserved_stops_warning(plan: Plan, problem: Problem, shown: int = 10) -> list[str]:
    """The warning's lines (Greek / English) about :func:`unserved_stops`; empty when every
    due stop is served. The names, up to ``shown``; a further line when none is served."""
    found = unserved_stops(plan, problem)
    if not found.unserved:
        return []
    n, due = len(found.unserved), found.due

    def names(el: bool) -> str:
        parts = []
        for v, done in found.unserved[:shown]:
            name = v.name or v.id
            if done:  # served on some of its days only
                name += (
                    f" (μόνο {done} από {v.frequency} φορές)"
                    if el
                    else f" (only {done} of {v.frequency} times)"
                )
            parts.append(name)
        more = n - shown
        if more > 0:
            parts.append(f"και {more} ακόμη" if el else f"and {more} more")
        return ", ".join(parts)

    if due == 1:
        head_el, head_en = (
            "η μόνη στάση σε οικισμό της εβδομάδας δεν εξυπηρετείται",
            "the week's one village stop is not served",
        )
    else:
        verb_el, verb_en = ("δεν εξυπηρετείται", "is") if n == 1 else ("δεν εξυπηρετούνται", "are")
        head_el = f"{n} από τις {due} στάσεις σε οικισμούς της εβδομάδας {verb_el}"
        head_en = f"{n} of the week's {due} village stops {verb_en} not served"
    lines = [f"προσοχή: {head_el}: {names(True)} / warning: {head_en}: {names(False)}"]
    if found.none_served:
        lines.append(
            "  καμία στάση σε οικισμό δεν εξυπηρετείται αυτή την εβδομάδα: τα χωριά μένουν χωρίς τη "
            "μονάδα· ενημερώστε τα ή κλειδώστε τις στάσεις στις ημέρες τους (Προσαρμογή) και "
            "σχεδιάστε ξανά / not one village stop is served this week: the villages go without "
            "the unit; tell them, or pin the stops to their days (Adjust) and plan again"
        )
    return lines


def _summary(plan: Plan, problem: Problem, built: BuiltWeek, changes: Sequence[str]) -> dict[str, Any]:
    wanted = sum(v.frequency for v in problem.visits)
    served = sum(len(r.stops) for r in plan.routes)
    return {
        "visits_wanted": wanted,
        "visits_served": served,
        "unassigned": len(plan.unassigned),
        "km": round(sum(sum(s.distance for s in r.stops) + r.return_distance for r in plan.routes) / 1000, 1),
        "drive_min": round(sum(sum(s.travel for s in r.stops) + r.return_travel for r in plan.routes) / 60),
        "objective": plan.objective,
        "carried_over": sorted(built.carried_over),
        "closed_dates": [[d.isoformat(), why] for d, why in built.removed_dates],
        "changes": list(changes),
        "based_on_published": built.published.version if built.published else None,
        "based_on_published_id": built.published.plan_version_id if built.published else None,
        "kept_dates": [d.isoformat() for d in built.frozen_dates],
    }


def merge_kept(kept: Sequence[Route], solved: Plan, stored: Problem) -> Plan:
    """The kept routes and the solved plan as one plan of ``stored``: kept stops keep their
    occurrence numbers (renumbered only if out of range); solved ones take the free numbers."""
    wanted = {v.id: v.frequency for v in stored.visits}
    kept_stops: dict[str, list[Stop]] = defaultdict(list)
    for r in sorted(kept, key=lambda r: r.date):
        for stop in r.stops:
            kept_stops[stop.visit_id].append(stop)
    renumber: dict[tuple[str, int], int] = {}
    free: dict[str, list[int]] = {}
    for vid, stops in kept_stops.items():
        numbers = [stop.occurrence for stop in stops]
        if max(numbers) >= wanted.get(vid, 0):
            numbers = list(range(len(stops)))
        renumber.update({(vid, stop.occurrence): n for stop, n in zip(stops, numbers, strict=True)})
        free[vid] = [n for n in range(wanted.get(vid, 0)) if n not in numbers]

    def solved_number(vid: str, occurrence: int) -> int:
        return free[vid][occurrence] if vid in free else occurrence

    routes = [
        replace(r, stops=tuple(replace(s, occurrence=renumber[(s.visit_id, s.occurrence)]) for s in r.stops))
        for r in kept
    ]
    routes += [
        replace(
            r, stops=tuple(replace(s, occurrence=solved_number(s.visit_id, s.occurrence)) for s in r.stops)
        )
        for r in solved.routes
    ]
    unassigned = tuple(
        replace(u, occurrence=solved_number(u.visit_id, u.occurrence)) for u in solved.unassigned
    )
    routes.sort(key=lambda r: (r.date, r.unit_id))
    return replace(solved, routes=tuple(routes), unassigned=unassigned)


def plan_week(
    engine: Engine,
    iso_week: str,
    *,
    units: Sequence[str] | None = None,
    time_limit: float | None = None,
    seed: int | None = None,
    workers: int | None = None,
    actor: str | None = None,
    pins: Mapping[str, tuple[date, int | None]] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    travel: TravelModel | None = None,
    today: date | None = None,
    settings: Mapping[str, Any] | None = None,
) -> WeekResult:
    """Build the week from the register, solve it, validate it and store a new draft version.

    ``settings``: the solver's settings of a ``--config`` file's ``[solver]`` table
    (:func:`planner.config.solver_settings`), under ``time_limit``, ``seed`` and ``workers``
    when those are given.

    Reading the register and storing the version are two short transactions; the solve in
    between holds no database lock (a web server keeps answering). ``travel`` (e.g. road
    times, :mod:`planner.roads`) replaces the embedded estimate; its matrix over the week's
    places is frozen into the problem, so the stored problem checks the stored plan alone.

    ``today`` (default: the system's date): in the current week, nothing is planned before
    it, and the published routes of the days before it and of today are kept as they are
    (same unit, visits and times; the drivers' outcomes still match); the rest of the week is
    planned around them (:func:`build_week`).
    """
    with session_scope(engine, actor=actor) as session:
        built = build_week(session, iso_week, units=units, pins=pins, today=today)
    if travel is not None:
        frozen = freeze_travel(built.problem, travel)
        built = replace(
            built,
            problem=replace(built.problem, travel=frozen),
            solve_problem=replace(built.solve_problem, travel=frozen) if built.solve_problem else None,
        )
    chosen: dict[str, Any] = {"time_limit": DEFAULT_TIME_LIMIT, "seed": 1}
    chosen["workers"] = min(2, os.cpu_count() or 1)
    chosen.update(settings or {})
    given = {"time_limit": time_limit, "seed": seed, "workers": workers}
    chosen.update({k: v for k, v in given.items() if v is not None})
    params = SolveParams(**chosen)
    if params.time_limit <= 0:
        raise WeekError("ο χρόνος επίλυσης πρέπει να είναι θετικός / the time limit must be positive")
    problem = built.problem
    to_solve = built.solve_problem or problem
    plan = solve(to_solve, params, on_progress)
    violations = validate(to_solve, plan)
    if violations:  # a bug in the engine: never store such a plan
        raise RuntimeError(
            "the engine's plan fails the independent validator: " + "; ".join(str(v) for v in violations[:5])
        )
    if built.solve_problem is not None:
        plan = merge_kept(built.kept_routes, plan, problem)
        violations = validate(problem, plan)
        if violations:  # the register changed under the kept routes (a place, a role, roads)
            # each half with its own details: the web shows one language ("Greek / English"),
            # and a label's words are "στάση/stop": each half takes its own
            first = violations[:5]
            el = [re.sub(r"([^\s/]+)/([^\s/]+)", r"\1", v.label or v.where) for v in first]
            en = [re.sub(r"([^\s/]+)/([^\s/]+)", r"\2", v.label or v.where) for v in first]
            raise WeekError(
                "οι διαδρομές που κρατούνται ως δημοσιεύτηκαν (πριν από σήμερα και σήμερα) δεν "
                "ταιριάζουν πια με το μητρώο: "
                + " · ".join(f"{w}: {v.message_el or v.message}" for w, v in zip(el, first, strict=True))
                + " / the routes kept as published (before today and today) no longer fit the register: "
                + "; ".join(f"{w}: {v.message}" for w, v in zip(en, first, strict=True))
            )
    changes = (
        plan_changes(built.published.plan, plan, problem, built.published.problem) if built.published else ()
    )
    summary = _summary(plan, problem, built, changes)
    unit_set = _unit_set(built.unit_ids)
    with session_scope(engine, actor=actor) as session:
        number = (
            session.scalar(
                select(func.max(m.PlanVersion.version)).where(
                    m.PlanVersion.iso_week == iso_week, m.PlanVersion.unit_set == unit_set
                )
            )
            or 0
        ) + 1
        row = m.PlanVersion(
            iso_week=iso_week,
            unit_set=unit_set,
            version=number,
            status="draft",
            plan_json=json.dumps(plan_to_dict(plan, problem), ensure_ascii=False, indent=1),
            problem_json=json.dumps(problem_to_dict(problem), ensure_ascii=False, indent=1),
            summary=summary,
            created_by=actor,
        )
        session.add(row)
        session.flush()
        row_id = row.id
    return WeekResult(
        row_id, number, iso_week, problem, plan, changes, built.removed_dates, summary, built.frozen_dates
    )


def freeze_travel(problem: Problem, travel: TravelModel) -> MatrixTravel:
    """``travel``'s times and distances between all of the problem's places, as a plain
    matrix (JSON-writable, the same numbers for the solver, the validator and later reads)."""
    if isinstance(travel, MatrixTravel):
        return travel
    places: dict[str, Location] = {}
    for unit in problem.units:
        places.setdefault(unit.base.id, unit.base)
    for visit in problem.visits:
        places.setdefault(visit.location.id, visit.location)
    got = travel.matrix(list(places.values()))
    return MatrixTravel(
        tuple(places),
        tuple(tuple(int(x) for x in row) for row in got.durations),
        tuple(tuple(int(x) for x in row) for row in got.distances),
        name=getattr(travel, "name", "matrix"),
    )


class StalePublish(WeekError):
    """Publishing would change routes of days already driven (or today's, under way)."""


def _route_lists(plan: Plan, units: Collection[str] | None, until: date) -> dict[tuple[date, str], list[str]]:
    """The stops of ``plan``'s routes up to ``until`` (of ``units`` only, if given), by (date, unit)."""
    return {
        (r.date, r.unit_id): [s.visit_id for s in r.stops]
        for r in plan.routes
        if r.date <= until and (units is None or r.unit_id in units) and r.stops
    }


def _changed_past(row: m.PlanVersion, other: m.PlanVersion, today: date) -> list[date]:
    """The days up to ``today`` whose routes of the units both versions plan differ."""
    units = None if row.unit_set == other.unit_set else {f"unit-{u}" for u in m.unit_ids(row.unit_set)}
    mine = _route_lists(plan_from_dict(json.loads(row.plan_json)), units, today)
    theirs = _route_lists(plan_from_dict(json.loads(other.plan_json)), units, today)
    return sorted({key[0] for key in set(mine) | set(theirs) if mine.get(key) != theirs.get(key)})


def _published_others(session: Session, row: m.PlanVersion) -> list[m.PlanVersion]:
    """The other published versions of ``row``'s week that plan one of its units."""
    units = m.unit_ids(row.unit_set)
    others = session.scalars(
        select(m.PlanVersion).where(
            m.PlanVersion.iso_week == row.iso_week,
            m.PlanVersion.status == "published",
            m.PlanVersion.id != row.id,
        )
    )
    return [o for o in others if m.unit_ids(o.unit_set) & units or o.unit_set == row.unit_set]


def stale_publish(
    session: Session, row: m.PlanVersion, today: date, others: Sequence[m.PlanVersion] | None = None
) -> StalePublish | None:
    """Why :func:`publish` would refuse ``row`` today (its routes up to today differ from those
    of the version published now), or None: so that a page can say so before the button is
    pressed (it asked for a confirmation, then refused)."""
    for other in _published_others(session, row) if others is None else others:
        changed = _changed_past(row, other, today)
        if changed:
            days = ", ".join(d.strftime("%d/%m") for d in changed)
            return StalePublish(
                f"Η έκδοση {row.version} αλλάζει διαδρομές ημερών που έχουν ήδη γίνει ή γίνονται "
                f"σήμερα ({days}) σε σχέση με τη δημοσιευμένη έκδοση {other.version}: φτιάχτηκε πριν "
                "από αυτές. Ξαναπρογραμματίστε την εβδομάδα ή προσαρμόστε αυτή την έκδοση (και τα "
                "δύο κρατούν αυτές τις ημέρες όπως δημοσιεύτηκαν) και δημοσιεύστε τη νέα έκδοση. / "
                f"Version {row.version} changes routes of days already driven or under way today "
                f"({days}) from published version {other.version}: it was made before them. Re-plan "
                "the week or adjust this version (both keep those days as published) and publish the "
                "new version."
            )
    return None


class PublishedMeanwhile(WeekError):
    """The week's published versions of the units are no longer those the publisher saw (a
    colleague published another since): ``published``, their ids now."""

    def __init__(self, published: Sequence[int]) -> None:
        self.published = list(published)
        super().__init__(
            "η δημοσιευμένη έκδοση της εβδομάδας άλλαξε στο μεταξύ / "
            "the week's published version changed meanwhile"
        )


def publish(
    engine: Engine,
    plan_version_id: int,
    actor: str | None = None,
    *,
    today: date | None = None,
    seen: Collection[int] | None = None,
) -> m.PlanVersion:
    """Publish a stored version: it becomes the one plan drivers see for its week and units.

    Any other published version of the same week that plans one of its units goes back to
    draft (its ``published_at`` cleared; the audit log keeps when and by whom), so publishing
    an older version brings it back. Every version is kept. A version whose routes up to
    ``today`` (default: Athens' date) differ from those of the version published now is
    refused (:class:`StalePublish`): it was made before those days, which drivers have driven
    (today's under way), and would send them again visits already done; a re-plan or an
    Adjust of it keeps those days as published.

    ``seen``: the ids of the versions it would replace (:func:`_published_others`) as the
    publisher saw them; if those published now differ (a colleague published another since),
    nothing is published (:class:`PublishedMeanwhile`). None: not checked."""
    today = calendar_today() if today is None else today
    with session_scope(engine, actor=actor) as session:
        row = session.get(m.PlanVersion, plan_version_id)
        if row is None:
            raise WeekError(f"δεν υπάρχει έκδοση {plan_version_id} / no plan version {plan_version_id}")
        others = _published_others(session, row)
        if seen is not None and {o.id for o in others} != set(seen):
            raise PublishedMeanwhile([o.id for o in others])
        stale = stale_publish(session, row, today, others)
        if stale is not None:
            raise stale
        for other in others:
            other.status = "draft"
            other.published_at = None
        if row.status != "published":
            row.status = "published"
            row.published_at = datetime.now(UTC)
        return row


@dataclass(frozen=True)
class Unwanted:
    """A visit a stored plan serves that the register no longer asks for, and why."""

    visit_id: str
    name: str
    day: date
    why_el: str
    why_en: str


def no_longer_wanted(session: Session, plan: Plan, problem: Problem) -> list[Unwanted]:
    """The visits ``plan`` serves whose care plan (or stop) the register no longer has in force
    on the route's day: paused, ended or not yet started, the person made inactive, the stop
    made inactive, or deleted. A plan is read from the register when it is made, so a change
    made while it was planned, or before a draft is published days later, shows here. Visits
    that are not the register's own (an urgent visit added in Adjust) are not checked."""
    names = {v.id: v.name or v.id for v in problem.visits}
    out: list[Unwanted] = []
    for route in sorted(plan.routes, key=lambda r: (r.date, r.unit_id)):
        for stop in route.stops:
            if not is_routine(stop.visit_id):
                continue
            kind, number = visit_subject(stop.visit_id)
            why: tuple[str, str] | None = None
            if kind == "care_plan":
                cp = session.get(m.CarePlan, number)
                if cp is None:
                    why = ("το πλάνο φροντίδας διαγράφηκε", "the care plan was deleted")
                elif not cp.beneficiary.active:
                    why = ("ο ωφελούμενος είναι σε παύση", "the person is paused")  # as the register says
                elif cp.status != "active":
                    why = ("το πλάνο φροντίδας είναι σε παύση", "the care plan is paused")
                elif cp.end_date is not None and cp.end_date < route.date:
                    why = (f"το πλάνο λήγει {cp.end_date:%d/%m}", f"the care plan ends {cp.end_date:%d/%m}")
                elif cp.start_date > route.date:
                    starts = f"{cp.start_date:%d/%m}"
                    why = (f"το πλάνο αρχίζει {starts}", f"the care plan starts {starts}")
            else:
                vs = session.get(m.VillageStop, number)
                if vs is None:
                    why = ("η στάση διαγράφηκε", "the stop was deleted")
                elif not vs.active:
                    why = ("η στάση είναι ανενεργή", "the stop is inactive")
            if why is not None:
                out.append(Unwanted(stop.visit_id, names.get(stop.visit_id, stop.visit_id), route.date, *why))
    return out


def rules_changed(session: Session, plan: Plan, problem: Problem, today: date) -> list[Unwanted]:
    """The visits ``plan`` serves from ``today`` on whose care plan (or stop), still in force,
    the register has changed since the plan was made so that their place in it no longer
    follows it: the visit's length, its weekdays, its hours (a stop's announced times), the role
    or the person it needs against the crew aboard, a stop's usual weekday. Only what changed
    counts (a pin the coordinator put outside the hours is the plan's own). A plan is read from
    the register when it is made; a new plan of the week reads it anew. Visits no longer wanted
    at all are :func:`no_longer_wanted`'s."""
    from planner.register.importer import ROLE_EL, format_weekdays

    role_en = {"social_worker": "social worker", "psychologist": "psychologist", "driver": "driver"}
    stored = {v.id: v for v in problem.visits}
    days = {(ud.unit_id, ud.date): ud for ud in problem.unit_days}
    roles = {s.id: set(s.roles) for s in problem.staff}
    out: list[Unwanted] = []

    def fits(start: int, windows: Sequence[TimeWindow]) -> bool:
        return not windows or any(w.start <= start <= w.end for w in windows)

    def needs(role: str) -> tuple[str, str]:
        return f"χρειάζεται πια {ROLE_EL.get(role, role)}", f"it now needs a {role_en.get(role, role)}"

    for route in sorted(plan.routes, key=lambda r: (r.date, r.unit_id)):
        if route.date < today:
            continue
        ud = days.get((route.unit_id, route.date))
        aboard = {c.staff_id for c in ud.crew} if ud else set()
        has_roles = set().union(*(roles.get(sid, set()) for sid in aboard)) if aboard else set()
        weekday = route.date.isoweekday()
        for stop in route.stops:
            before = stored.get(stop.visit_id)
            if not is_routine(stop.visit_id) or before is None:
                continue
            kind, number = visit_subject(stop.visit_id)
            why: list[tuple[str, str]] = []
            if kind == "care_plan":
                cp = session.get(m.CarePlan, number)
                if (
                    cp is None
                    or not cp.beneficiary.active
                    or cp.status != "active"
                    or (cp.end_date is not None and cp.end_date < route.date)
                    or cp.start_date > route.date
                ):
                    continue  # no_longer_wanted says why
                service = cp.duration_min * MINUTE
                if service != before.service:
                    why.append(
                        (f"διαρκεί πια {cp.duration_min} λεπτά", f"it now takes {cp.duration_min} min")
                    )
                allowed = cp.allowed_weekdays or []
                was_allowed = before.allowed_weekdays is None or weekday - 1 in before.allowed_weekdays
                if allowed and weekday not in allowed and was_allowed:
                    el_days = format_weekdays(sorted(allowed))
                    en_days = ", ".join(DAY_NAMES_EN[d - 1] for d in sorted(allowed))
                    why.append((f"οι ημέρες του είναι πια: {el_days}", f"its days are now: {en_days}"))
                windows = _windows(cp.time_windows or [], service)
                if not fits(stop.start, windows) and fits(stop.start, before.windows_on(route.date)):
                    said = ", ".join(f"{a}-{b}" for a, b in cp.time_windows or [])
                    why.append((f"οι ώρες του είναι πια {said}", f"its hours are now {said}"))
                role = cp.required_role
                if ud is not None and role and role not in has_roles and role != before.required_role:
                    why.append(needs(role))
                # a named member no longer active: planned with anyone of the role (build_week)
                named = f"st-{cp.staff_id}" if cp.staff is not None and cp.staff.active else None
                if ud is not None and named and named not in aboard and named != before.required_staff:
                    who = cp.staff.name if cp.staff is not None else named
                    why.append(
                        (f"την κάνει πια: {who}, που δεν επιβαίνει", f"{who} now makes it, not aboard")
                    )
            else:
                vs = session.get(m.VillageStop, number)
                if vs is None or not vs.active:
                    continue
                if vs.duration_min * MINUTE != before.service:
                    why.append(
                        (f"διαρκεί πια {vs.duration_min} λεπτά", f"it now takes {vs.duration_min} min")
                    )
                announced = [
                    TimeWindow(parse_time(t), parse_time(t) + ANNOUNCED_SLACK)
                    for t in (vs.announced_times or [])
                ]
                if not fits(stop.start, announced) and fits(stop.start, before.windows_on(route.date)):
                    said = ", ".join(vs.announced_times or [])
                    why.append((f"η ανακοινωμένη ώρα είναι πια {said}", f"its announced time is now {said}"))
                usual = vs.usual_weekday
                if usual is not None and weekday != usual and before.preferred_weekday != usual - 1:
                    el_day, en_day = format_weekdays([usual]), DAY_NAMES_EN[usual - 1]
                    why.append(
                        (
                            f"η συνήθης ημέρα του χωριού είναι πια {el_day}",
                            f"the village's usual day is now {en_day}",
                        )
                    )
                role = vs.required_role
                if ud is not None and role and role not in has_roles and role != before.required_role:
                    why.append(needs(role))
            if why:
                el = "· ".join(text for text, _ in why)
                en = "; ".join(text for _, text in why)
                out.append(Unwanted(stop.visit_id, before.name or stop.visit_id, route.date, el, en))
    return out


def published_once(session: Session, versions: Iterable[m.PlanVersion]) -> set[int]:
    """The ids of ``versions`` that drivers were shown: published now, or published once and
    then replaced (:func:`publish` sets them back to draft; the audit log keeps their update
    to "published")."""
    rows = list(versions)
    out = {r.id for r in rows if r.status == "published"}
    drafts = [str(r.id) for r in rows if r.status != "published"]
    if drafts:
        found = session.execute(
            select(m.AuditLog.entity_id, m.AuditLog.after).where(
                m.AuditLog.entity == m.PlanVersion.__tablename__, m.AuditLog.entity_id.in_(drafts)
            )
        )
        out |= {
            int(eid) for eid, after in found if isinstance(after, dict) and after.get("status") == "published"
        }
    return out


@dataclass(frozen=True)
class Drift:
    """A unit's day of a stored plan that the register's calendar has changed since."""

    unit_id: str
    day: date
    kind: str  # closed | opened | crew | hours_taken | hours_given
    why_el: str
    why_en: str


def _drift(
    session: Session, problem: Problem, dates: Collection[date]
) -> tuple[dict[tuple[str, date], list[Drift]], dict[tuple[str, date], UnitDay]]:
    """Per (unit, date) of ``dates``, how the calendar now differs from ``problem``'s unit days:
    a day now closed (a holiday or closure, the unit unavailable or gone from the register,
    its driver away), a crew member now away (or no longer active, or not working that
    weekday), extended hours taken back or given, a day now open that was not; and the unit
    days as they are now (:func:`_days_now`)."""
    dates = sorted(d for d in problem.dates if d in dates)
    if not dates:
        return {}, {}
    staff = list(session.scalars(select(m.Staff).order_by(m.Staff.id)))
    by_id = {s.id: s for s in staff}
    calendar, now = _days_now(session, problem, dates, staff)
    out: dict[tuple[str, date], list[Drift]] = defaultdict(list)
    ours = _ours(problem)
    for ud in (ud for ud in problem.unit_days if ud.date in dates and ud.unit_id in ours):
        said = out[(ud.unit_id, ud.date)]
        current = now.get((ud.unit_id, ud.date))
        is_open = current is not None and current.available
        if ud.available and not is_open:
            el, _, en = (current.note if current else "μονάδα εκτός / unit out of service").partition(" / ")
            said.append(Drift(ud.unit_id, ud.date, "closed", f"η ημέρα είναι πια κλειστή ({el})",
                              f"the day is now closed to the unit ({en or el})"))  # fmt: skip
        elif not ud.available and is_open:
            said.append(Drift(ud.unit_id, ud.date, "opened", "η ημέρα είναι πια ανοιχτή για τη μονάδα",
                              "the day is now open to the unit"))  # fmt: skip
        if not (ud.available and is_open) or current is None:
            continue
        for member in ud.crew:
            sid = m.register_id(member.staff_id, "st-")
            if sid is None:  # not one of the register's staff
                continue
            person = by_id.get(sid)
            name = person.name if person is not None else member.staff_id
            if person is None or not person.active:
                why = (
                    f"{name}: δεν είναι πια ενεργό μέλος του προσωπικού",
                    f"{name}: no longer active staff",
                )
            elif person.id in calendar.away.get(ud.date, ()):
                why = (f"{name}: απουσιάζει", f"{name}: away")
            elif ud.date.isoweekday() not in (person.weekdays or []):
                why = (f"{name}: δεν εργάζεται πια αυτή την ημέρα", f"{name}: no longer works on that day")
            else:
                continue
            said.append(Drift(ud.unit_id, ud.date, "crew", *why))
        # (extended hours: the pilot day's; a shift cut to its part-time crew's hours is not)
        was_pilot = ud.pilot or ud.shift.end > SHIFT.end
        if was_pilot and not current.pilot:
            said.append(Drift(ud.unit_id, ud.date, "hours_taken", "το διευρυμένο ωράριο καταργήθηκε",
                              "the extended hours were taken back"))  # fmt: skip
        elif current.pilot and not was_pilot:
            said.append(Drift(ud.unit_id, ud.date, "hours_given", "η ημέρα έχει πια διευρυμένο ωράριο",
                              "the day now has extended hours"))  # fmt: skip
    return {key: items for key, items in out.items() if items}, now


def _ours(problem: Problem) -> set[str]:
    """The ids of ``problem``'s units that are the register's (``unit-N``): a problem given
    whole (an imported file, a test's) may have others, which the calendar does not know."""
    return {u.id for u in problem.units if m.register_id(u.id, "unit-") is not None}


def _units_of(session: Session, problem: Problem) -> list[m.Unit]:
    """The register's rows of ``problem``'s units, in its order: those still there and in
    service (as the week builder chooses them; the first is the van whose driver's days count)."""
    rows = (session.get(m.Unit, m.register_id(u.id, "unit-") or 0) for u in problem.units)
    return [u for u in rows if u is not None and u.active]


def _days_now(
    session: Session, problem: Problem, dates: Sequence[date], staff: Sequence[m.Staff]
) -> tuple[_Calendar, dict[tuple[str, date], UnitDay]]:
    """The calendar of ``dates`` and ``problem``'s unit days on them as the week's rules make
    them now, each day's crew seated as in ``problem`` first (who rode where sits there again,
    as a re-plan keeps a published version's crews): so a day changes only where the calendar
    did. A unit no longer in the register, or out of service, has no day here."""
    calendar = _calendar(session, dates)
    units = _units_of(session, problem)
    seats = _published_seats(problem)
    now = {
        (ud.unit_id, ud.date): ud
        for d in dates
        for ud in _unit_days(
            calendar, units, staff, [d], seats.get(d, {}).keys(), seats, _role_needs(problem.visits)
        )
    }
    return calendar, now


def _caps_now(session: Session, problem: Problem) -> dict[str, int | None]:
    """The weekly cap each of ``problem``'s register units has now (``kinito unit hours``;
    none set: the engine's default), where it differs from ``problem``'s."""
    out: dict[str, int | None] = {}
    for u in problem.units:
        row = session.get(m.Unit, m.register_id(u.id, "unit-") or 0)
        if row is None:
            continue
        cap = weekly_max_work(row.weekly_hours) if row.weekly_hours is not None else WEEKLY_MAX_WORK
        if cap != u.weekly_max_work:
            out[u.id] = cap
    return out


def _hours_text(seconds: int | None) -> str:
    """Hours as a sentence writes them: ``20``, ``20.5``; no cap: ``-``."""
    if seconds is None:
        return "-"
    return f"{seconds / HOUR:.1f}".removesuffix(".0")


def calendar_drift(session: Session, problem: Problem, plan: Plan, today: date) -> list[Drift]:
    """What of ``plan``'s routes from ``today`` on the calendar no longer allows: the route's
    day now closed to its unit, a member of its crew now away, the extended hours taken back
    from a route that returns after 16:00. A plan is read from the register when it is made,
    so a calendar change made since shows here (a re-plan, or Adjust, applies it)."""
    routes = {(r.unit_id, r.date): r for r in plan.routes if r.stops and r.date >= today}
    found, _now = _drift(session, problem, {d for _, d in routes})
    out: list[Drift] = []
    for key in sorted((k for k in found if k in routes), key=lambda k: (k[1], k[0])):
        late = routes[key].arrive > SHIFT.end
        out += [d for d in found[key] if d.kind in ("closed", "crew") or (d.kind == "hours_taken" and late)]
    # the driver's weekly hours lowered since (``kinito unit hours``) below what the plan has
    # the unit work: said on the unit's first route from today
    for uid, cap in _caps_now(session, problem).items():
        work = sum(r.work_time for r in plan.routes if r.unit_id == uid)
        # the routes still to be planned anew (after today: today's stays as published): a re-plan
        # gives them what the new hours leave, and a version re-planned so has none over them
        ahead = sorted(r.date for r in plan.routes if r.unit_id == uid and r.stops and r.date > today)
        unit = problem.unit(uid)
        if cap is None or not ahead or work + unit.weekly_worked <= cap:
            continue
        was, now, has = (
            _hours_text(unit.weekly_max_work),
            _hours_text(cap),
            _hours_text(work + unit.weekly_worked),
        )
        out.append(Drift(uid, ahead[0], "weekly_hours",
                         f"οι ώρες του οδηγού την εβδομάδα είναι πια {now.replace('.', ',')} (ήταν "
                         f"{was.replace('.', ',')}), και το πλάνο έχει {has.replace('.', ',')}",
                         f"the driver's weekly hours are now {now} (they were {was}), and the plan "
                         f"has {has}"))  # fmt: skip
    return out


def with_calendar_now(session: Session, problem: Problem, dates: Collection[date]) -> Problem:
    """``problem`` with its unit days on ``dates`` as the calendar has them now where it
    changed (:func:`_drift`): those dates rebuilt by the week's own rules, who rode then seated
    first again in the unit they had, an absent member's seat given to another who works that
    day. The other days are left as they were."""
    caps = _caps_now(session, problem)
    if caps:  # the driver's weekly hours as the register has them now, too
        problem = replace(
            problem,
            units=tuple(replace(u, weekly_max_work=caps.get(u.id, u.weekly_max_work)) for u in problem.units),
        )
    found, rebuilt = _drift(session, problem, dates)
    days = {d for _, d in found}
    if not days:
        return problem
    ours = _ours(problem)
    gone = "μονάδα εκτός / unit out of service"  # no longer in the register, or out of service
    unit_days = tuple(
        rebuilt.get((ud.unit_id, ud.date), replace(ud, available=False, crew=(), note=gone))
        if ud.date in days and ud.unit_id in ours
        else ud
        for ud in problem.unit_days
    )
    return replace(problem, unit_days=unit_days)
