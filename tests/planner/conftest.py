"""Tiny named problems around Aigio for the engine's tests: builders with sensible defaults.

Everything here uses the core's units: a time of day in seconds since midnight, a duration
in seconds, a distance in metres. ``hm(9, 30)`` is 09:30.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pytest

from planner.model import (
    HOUR,
    MINUTE,
    BreakRule,
    CrewMember,
    Location,
    Plan,
    Problem,
    Route,
    StaffMember,
    Stop,
    TimeWindow,
    Unit,
    UnitDay,
    Visit,
)
from planner.solver import SolveParams, solve

# --- places ------------------------------------------------------------------------------

BASE = Location("aigio", 38.2498, 22.0816, "Αίγιο (Κέντρο Κοινότητας)")

VILLAGES: dict[str, Location] = {
    loc.id: loc
    for loc in (
        Location("rododafni", 38.2272, 22.0450, "Ροδοδάφνη"),
        Location("temeni", 38.2236, 22.1267, "Τέμενη"),
        Location("valimitika", 38.2292, 22.1105, "Βαλιμίτικα"),
        Location("diakopto", 38.1939, 22.1989, "Διακοπτό"),
        Location("kounina", 38.1661, 22.1394, "Κουνινά", "semi_mountainous"),
        Location("pteri", 38.1569, 22.0811, "Πτέρη", "mountainous"),
        Location("zachlorou", 38.1089, 22.1839, "Ζαχλωρού", "mountainous"),
        Location("kerpini", 38.0560, 22.1340, "Κερπινή", "mountainous"),
        Location("kalavryta", 38.0325, 22.1106, "Καλάβρυτα", "mountainous"),
    )
}

# --- dates -------------------------------------------------------------------------------

MON = date(2026, 12, 7)
TUE, WED, THU, FRI = (MON + timedelta(days=i) for i in range(1, 5))
WEEK: tuple[date, ...] = (MON, TUE, WED, THU, FRI)

# --- people --------------------------------------------------------------------------------

STAFF: tuple[StaffMember, ...] = (
    StaffMember("sw1", "Μαρία Παπαδοπούλου", ("social_worker",)),
    StaffMember("sw2", "Γιώργος Αντωνίου", ("social_worker",)),
    StaffMember("psy1", "Ελένη Κωνσταντίνου", ("psychologist",)),
    StaffMember("nur1", "Άννα Δημητρίου", ("nurse",)),
)


def hm(hours: int, minutes: int = 0) -> int:
    """A time of day (or a duration) in seconds: ``hm(9, 30)`` is 09:30."""
    return hours * HOUR + minutes * MINUTE


def village(name: str) -> Location:
    """One of the named villages around Aigio."""
    return VILLAGES[name]


def make_visit(vid: str, place: str | Location = "diakopto", service: int = 30 * MINUTE, **kw: Any) -> Visit:
    """A visit at a named village (or any location), 30 minutes of service by default."""
    loc = village(place) if isinstance(place, str) else place
    return Visit(id=vid, location=loc, service=service, **kw)


def crew(*staff_ids: str, hours: Mapping[str, tuple[int, int]] | None = None) -> tuple[CrewMember, ...]:
    """A crew of the named staff, with part-time ``hours`` (start, end) for some of them."""
    hours = hours or {}
    return tuple(CrewMember(s, TimeWindow(*hours[s]) if s in hours else None) for s in staff_ids)


def make_unit(uid: str = "van1", base: Location = BASE, **kw: Any) -> Unit:
    """A mobile unit at Aigio with the model's defaults (40 h weekly cap, no capacity)."""
    return Unit(id=uid, name=f"Κινητή μονάδα {uid}", base=base, **kw)


def make_problem(
    visits: Iterable[Visit],
    *,
    dates: Sequence[date] = WEEK,
    units: Sequence[Unit] | None = None,
    crew_ids: Sequence[str] = ("sw1",),
    days: Mapping[date, Mapping[str, Any]] | None = None,
    day_defaults: Mapping[str, Any] | None = None,
    staff: Sequence[StaffMember] = STAFF,
    name: str = "test",
    **problem_kw: Any,
) -> Problem:
    """A problem with a unit-day for every unit and date: shift 08:00-16:00, crew ``crew_ids``.

    ``day_defaults`` overrides UnitDay fields on every day, ``days[date]`` on one date
    (for every unit); ``crew`` given there as a tuple of staff ids or CrewMembers.
    """
    units = tuple(units) if units is not None else (make_unit(),)
    unit_days: list[UnitDay] = []
    for u in units:
        for d in dates:
            kw: dict[str, Any] = {"crew": crew(*crew_ids)}
            kw.update(day_defaults or {})
            kw.update((days or {}).get(d, {}))
            if kw["crew"] and all(isinstance(c, str) for c in kw["crew"]):
                kw["crew"] = crew(*kw["crew"])
            unit_days.append(UnitDay(u.id, d, **kw))
    return Problem(
        name=name,
        dates=tuple(dates),
        units=units,
        unit_days=tuple(unit_days),
        staff=tuple(staff),
        visits=tuple(visits),
        **problem_kw,
    )


def quick(problem: Problem, time_limit: float = 1.0, **kw: Any) -> Plan:
    """Solve with a short time limit (the tests' problems are tiny)."""
    return solve(problem, SolveParams(time_limit=time_limit, **kw))


def route_on(plan: Plan, day: date, unit_id: str = "van1") -> Route | None:
    """The plan's route of ``unit_id`` on ``day``, or None."""
    for r in plan.routes:
        if r.date == day and r.unit_id == unit_id:
            return r
    return None


def stops_of(plan: Plan, visit_id: str) -> list[tuple[date, Stop]]:
    """The (date, stop) pairs serving ``visit_id``, in date order."""
    return sorted(plan.served_occurrences().get(visit_id, []), key=lambda p: (p[0], p[1].start))


def served_ids(plan: Plan) -> set[str]:
    """The ids of visits served at least once."""
    return set(plan.served_occurrences())


def unassigned_reasons(plan: Plan) -> dict[str, str]:
    """Visit id -> reason code of (the first of) its unassigned occurrences."""
    out: dict[str, str] = {}
    for u in plan.unassigned:
        out.setdefault(u.visit_id, u.reason)
    return out


NO_BREAK: dict[str, Any] = {"break_rule": None}
LUNCH = BreakRule(duration=30 * MINUTE)


# --- named fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def search_loaded() -> None:
    """Load the compiled search once before any test: its first load (about a second) would
    otherwise come out of the first short solve's time limit, and that solve's outcome would
    hang on which test happens to run first."""
    from planner import ruin

    ruin.warm()


@pytest.fixture
def three_villages() -> Problem:
    """One van, one Monday, three villages east of Aigio with no windows."""
    return make_problem(
        [make_visit(f"v-{name}", name) for name in ("temeni", "diakopto", "kounina")],
        dates=(MON,),
    )


@pytest.fixture
def three_villages_plan(three_villages: Problem) -> Plan:
    """The solver's plan for the three-village problem."""
    return quick(three_villages)
