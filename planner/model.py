"""Plain data for Kinito's engine: the `Problem` that goes in and the `Plan` that comes out.

Units, stated once for the whole core:

* a time of day is an ``int`` of seconds since local (Europe/Athens) midnight;
* a duration is an ``int`` of seconds;
* a distance is an ``int`` of metres;
* a date is a :class:`datetime.date`; a weekday is ``date.weekday()`` (0 = Monday).

Conversion to and from the JSON files ("HH:MM" strings, minutes) lives in
:mod:`planner.schema`; nothing in this module does any I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from planner.travel import TravelModel

Terrain = Literal["plain", "semi_mountainous", "mountainous"]
VisitKind = Literal["home_visit", "village_stop"]

TERRAINS: tuple[Terrain, ...] = ("plain", "semi_mountainous", "mountainous")
HOUR = 3600
MINUTE = 60
WEEKLY_MAX_WORK = 40 * HOUR  # a unit's driver's weekly cap unless the problem says otherwise


@dataclass(frozen=True)
class TimeWindow:
    """A closed interval ``[start, end]`` of seconds since midnight."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"time window ends ({self.end}) before it starts ({self.start})")

    def contains(self, t: int) -> bool:
        """Whether ``t`` lies inside the window (ends included)."""
        return self.start <= t <= self.end

    def intersect(self, other: TimeWindow) -> TimeWindow | None:
        """The overlap of two windows, or ``None`` when they do not meet."""
        lo, hi = max(self.start, other.start), min(self.end, other.end)
        return TimeWindow(lo, hi) if lo <= hi else None


@dataclass(frozen=True)
class Location:
    """A point on the map. ``terrain`` is ELSTAT's class of the community it lies in."""

    id: str
    lat: float
    lon: float
    name: str = ""
    terrain: Terrain = "plain"


@dataclass(frozen=True)
class StaffMember:
    """A member of staff who can ride in the van: a social worker, the psychologist..."""

    id: str
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class CrewMember:
    """A staff member aboard a unit on one date; ``hours`` limits a part-timer's presence."""

    staff_id: str
    hours: TimeWindow | None = None


@dataclass(frozen=True)
class BreakRule:
    """The driver's break: ``duration`` seconds starting inside ``window``.

    No stretch of work (from leaving the base, or from the end of the break, to the break
    or to returning) may last more than ``required_after`` seconds: a day longer than that
    has a break placed so that both parts are short enough.
    """

    duration: int = 30 * MINUTE
    window: TimeWindow = TimeWindow(12 * HOUR, 15 * HOUR)
    required_after: int = 6 * HOUR


@dataclass(frozen=True)
class Unit:
    """A mobile unit (a van and its driver) based at ``base``."""

    id: str
    name: str
    base: Location
    capacity: int | None = None
    weekly_max_work: int | None = WEEKLY_MAX_WORK
    speed_factor: float = 1.0
    # the driver's work this week on days outside the problem (a re-plan's kept days), which
    # counts against ``weekly_max_work``
    weekly_worked: int = 0

    @property
    def weekly_left(self) -> int | None:
        """What the weekly cap leaves for the problem's days (None: no cap)."""
        return None if self.weekly_max_work is None else max(0, self.weekly_max_work - self.weekly_worked)


@dataclass(frozen=True)
class UnitDay:
    """What one unit can do on one date: its shift, the driver's limits and the crew aboard.

    ``regular_end`` is the end of ordinary hours; work after it is allowed inside the shift
    (pilot days with extended hours) but costs ``Weights.after_hours`` per second.
    """

    unit_id: str
    date: date
    shift: TimeWindow = TimeWindow(8 * HOUR, 16 * HOUR)
    available: bool = True
    regular_end: int = 16 * HOUR
    max_work: int | None = 8 * HOUR
    max_drive: int | None = None
    break_rule: BreakRule | None = BreakRule()
    crew: tuple[CrewMember, ...] = ()
    pilot: bool = False
    note: str = ""


@dataclass(frozen=True)
class Visit:
    """A home visit or a village stop to be planned over the horizon.

    Time windows bound the START of service. ``weekday_windows`` overrides
    ``time_windows`` on the weekdays it names. An empty window list means "any time in the
    shift". ``frequency`` visits are wanted on distinct dates at least ``min_gap_days``
    apart, unless ``patterns`` lists the allowed sets of dates explicitly (Cordeau's
    periodic VRP); each pattern then has exactly ``frequency`` dates. ``preferred_weekday``
    (0 = Monday), ``preferred_dates``, ``preferred_units`` and ``preferred_times`` are soft:
    serving elsewhere (or at another time) costs, see :class:`Weights`.
    """

    id: str
    location: Location
    service: int
    kind: VisitKind = "home_visit"
    name: str = ""
    time_windows: tuple[TimeWindow, ...] = ()
    weekday_windows: Mapping[int, tuple[TimeWindow, ...]] = field(default_factory=dict)
    allowed_weekdays: frozenset[int] | None = None
    required_role: str | None = None
    required_staff: str | None = None
    priority: int = 1
    load: int = 0
    frequency: int = 1
    min_gap_days: int = 1
    patterns: tuple[tuple[date, ...], ...] | None = None
    pinned_date: date | None = None
    pinned_time: int | None = None
    preferred_weekday: int | None = None
    preferred_dates: frozenset[date] | None = None
    preferred_units: frozenset[str] | None = None
    # date -> the start a published plan gave (seconds since midnight): starting more than
    # TIME_BAND away from it costs Weights.off_preferred_time per second
    preferred_times: Mapping[date, int] = field(default_factory=dict)
    # date -> the unit a published plan gave that day (with preferred_units, which holds
    # them all, it tells a re-plan which route each start was on: see solver start routes)
    preferred_day_units: Mapping[date, str] = field(default_factory=dict)
    phone: str = ""
    address: str = ""
    notes: str = ""

    def windows_on(self, day: date) -> tuple[TimeWindow, ...]:
        """The start-of-service windows that apply on ``day`` (empty = any time)."""
        return tuple(self.weekday_windows.get(day.weekday(), self.time_windows))


TIME_BAND = 30 * 60
"""A start within this much of the time a published plan gave is as promised (see
:attr:`Visit.preferred_times`)."""


@dataclass(frozen=True)
class Weights:
    """Objective weights in cost units per second (or per visit), all integers.

    Serving comes first: an unserved visit costs ``unserved`` times its priority, far more
    than any route could save; a pinned visit (the coordinator locked it) comes before the
    rest: leaving it out costs as much again as leaving out every other visit (see
    :meth:`Problem.unserved_cost`). Then travel time (``travel`` per second of driving), then
    the soft costs: ``work`` per second of the driver's working day (leaving the base to
    returning: it keeps days compact, no idle waiting), ``after_hours`` per second of work
    after the regular end on pilot days, ``off_preferred_weekday`` per visit served on
    another weekday than its preferred one, ``moved`` per visit served on none of its
    ``preferred_dates`` (the dates a published plan promised: re-planning keeps them),
    ``other_unit`` per visit served by none of its ``preferred_units`` (the unit, and so the
    crew, a published plan promised), ``off_preferred_time`` per second a visit starts more
    than :data:`TIME_BAND` before or after its ``preferred_times`` start on that date (the time
    a published plan told the person), and ``balance`` per second a day's working time exceeds
    ``balance_target`` seconds.
    """

    unserved: int = 10_000_000
    travel: int = 10
    work: int = 1
    after_hours: int = 20
    off_preferred_weekday: int = 18_000
    moved: int = 36_000
    other_unit: int = 18_000
    off_preferred_time: int = 10
    balance: int = 0
    balance_target: int = 6 * HOUR


@dataclass(frozen=True)
class Problem:
    """One planning horizon: dates, units and their days, staff, and the visits wanted."""

    name: str
    dates: tuple[date, ...]
    units: tuple[Unit, ...]
    unit_days: tuple[UnitDay, ...]
    staff: tuple[StaffMember, ...]
    visits: tuple[Visit, ...]
    weights: Weights = Weights()
    travel: TravelModel | None = None  # None: the embedded estimate (planner.travel)

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id."""
        for u in self.units:
            if u.id == unit_id:
                return u
        raise KeyError(unit_id)

    def staff_member(self, staff_id: str) -> StaffMember:
        """The staff member with this id."""
        for s in self.staff:
            if s.id == staff_id:
                return s
        raise KeyError(staff_id)

    @cached_property
    def _visits_by_id(self) -> dict[str, Visit]:
        index: dict[str, Visit] = {}
        for v in self.visits:
            index.setdefault(v.id, v)
        return index

    def visit(self, visit_id: str) -> Visit:
        """The visit with this id (looked up in an index made once: explaining a large week's
        unassigned visits asks hundreds of thousands of times)."""
        try:
            return self._visits_by_id[visit_id]
        except KeyError:
            raise KeyError(visit_id) from None

    def unserved_cost(self, v: Visit, occurrence: int) -> int:
        """What leaving out ``occurrence`` of ``v`` costs: ``weights.unserved`` times its
        priority; for a pinned visit's pinned occurrence (the first), as much again as every
        visit's every occurrence together, so that what the coordinator locked is served
        first whenever it can be. A visit a published plan promised (``preferred_dates``)
        costs ``weights.moved`` more: leaving it out is no better than moving it, so a re-plan
        does not trade it for a visit of the same priority that saves some driving."""
        cost = self.weights.unserved * max(1, v.priority)
        if v.preferred_dates is not None:
            cost += self.weights.moved
        if v.pinned_date is not None and occurrence == 0:
            cost += self.weights.unserved * sum(max(1, x.priority) * x.frequency for x in self.visits)
        return cost

    def locations(self) -> tuple[Location, ...]:
        """Every distinct location of the problem, bases first, in a stable order."""
        seen: dict[str, Location] = {}
        for u in self.units:
            seen.setdefault(u.base.id, u.base)
        for v in self.visits:
            seen.setdefault(v.location.id, v.location)
        return tuple(seen.values())


# --- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """One served visit in a route.

    ``travel``/``distance`` are of the leg from the previous place (the base or the
    previous stop); ``arrival`` <= ``start``; ``end`` = ``start`` + service.
    """

    visit_id: str
    occurrence: int
    arrival: int
    start: int
    end: int
    travel: int
    distance: int


@dataclass(frozen=True)
class BreakStep:
    """The driver's break, taken after ``after_stop`` stops of the route (0 = before the first)."""

    start: int
    duration: int
    after_stop: int


@dataclass(frozen=True)
class Route:
    """One unit's day: leave the base at ``depart``, serve ``stops``, be back at ``arrive``."""

    unit_id: str
    date: date
    depart: int
    arrive: int
    stops: tuple[Stop, ...]
    return_travel: int
    return_distance: int
    rest: BreakStep | None = None

    @property
    def work_time(self) -> int:
        """Seconds from leaving the base to being back."""
        return self.arrive - self.depart

    @property
    def drive_time(self) -> int:
        """Seconds of driving."""
        return sum(s.travel for s in self.stops) + self.return_travel

    @property
    def distance(self) -> int:
        """Metres driven."""
        return sum(s.distance for s in self.stops) + self.return_distance

    @property
    def service_time(self) -> int:
        """Seconds in service at stops."""
        return sum(s.end - s.start for s in self.stops)

    @property
    def waiting_time(self) -> int:
        """Seconds neither driving, serving nor on break."""
        rest = self.rest.duration if self.rest else 0
        return self.work_time - self.drive_time - self.service_time - rest


# The reason codes of unassigned visits (their sentences: planner/explain.py).
REASONS = (
    "no_allowed_date",
    "no_available_day",
    "pinned_date_unavailable",
    "no_crew",
    "over_capacity",
    "no_time_in_shift",
    "unreachable",
    "frequency",
    "week_full",
)


@dataclass(frozen=True)
class Unassigned:
    """A visit occurrence that the plan does not serve, and why, in words."""

    visit_id: str
    occurrence: int
    reason: str
    message_el: str
    message_en: str
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """The engine's answer: routes per unit and date, and the unassigned visits with reasons."""

    problem_name: str
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: int
    seed: int
    time_limit: float
    wall_time: float
    status: str = ""
    travel_model: str = ""

    def served_occurrences(self) -> dict[str, list[tuple[date, Stop]]]:
        """Visit id -> the (date, stop) pairs that serve it."""
        out: dict[str, list[tuple[date, Stop]]] = {}
        for r in self.routes:
            for s in r.stops:
                out.setdefault(s.visit_id, []).append((r.date, s))
        return out
