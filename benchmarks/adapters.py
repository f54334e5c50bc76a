"""Turn benchmark instances into Kinito's own :class:`planner.model.Problem`, and plans back.

The engine is used exactly as for the weekly plans (:func:`planner.solver.solve`); only
the *data* is translated here.  Conventions:

Solomon (VRPTW, DIMACS 2021 convention)
    One date (:data:`SOLOMON_DATE`); ``inst.vehicles`` units (25) based at the depot with
    capacity ``inst.capacity``; each unit-day's shift is the depot window, with no working
    time cap, no break, no crew and no weekly cap.  Travel is a
    :class:`~planner.travel.MatrixTravel` whose durations *and* distances are the DIMACS
    integer tenths ``floor(10*d)``; so one time unit of the engine is a tenth of a Solomon
    time unit and windows and service times are multiplied by 10 too.  Weights: travel 1,
    unserved :data:`SOLOMON_UNSERVED` per visit, every other soft cost 0.

Cordeau (periodic VRP)
    ``t`` consecutive dates from :data:`CORDEAU_START`; ``m`` units each available every
    date, capacity ``Q``; ``max_work`` is the route duration limit ``D`` (travel +
    service) scaled and rounded down (none when ``D`` is 0); travel is a
    :class:`~planner.travel.MatrixTravel` with integer durations = distances =
    ``ceil(euclid * CORDEAU_SCALE)``, rounded *up* so that a route within ``D`` in the
    engine is within ``D`` unrounded; service times are scaled the same way (also rounded
    up).  Each customer is a visit of frequency ``f`` whose ``patterns`` are its allowed
    day patterns as dates.

Node ids round-trip through the visit ids (``"c<node>"``) and location ids
(``"n<node>"``): :func:`node_of` maps a plan's stop back to its instance node.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date, timedelta

from benchmarks.readers import CordeauInstance, SolomonInstance, dimacs_tenths, euclid
from planner.model import Location, Plan, Problem, TimeWindow, Unit, UnitDay, Visit, Weights
from planner.travel import MatrixTravel

SOLOMON_DATE = date(2024, 1, 1)
"""The single (arbitrary, fixed) date of a Solomon problem."""

SOLOMON_SCALE = 10
"""Engine time/distance units per Solomon unit (DIMACS tenths)."""

SOLOMON_UNSERVED = 10**7
"""Penalty per unserved Solomon visit: far above any route length in tenths (< 10**5)."""

CORDEAU_START = date(2024, 1, 1)
"""The first date of a Cordeau problem; day ``k`` (0-based) is ``CORDEAU_START + k``."""

CORDEAU_SCALE = 1000
"""Engine units per Cordeau distance/time unit."""

CORDEAU_UNSERVED = 10**9
"""Penalty per unserved Cordeau visit occurrence: far above any route length (< 10**8)."""


def benchmark_weights(unserved: int) -> Weights:
    """Travel 1 per unit, ``unserved`` per unserved visit, and every soft cost 0.

    Every weight of :class:`~planner.model.Weights` other than ``travel`` and ``unserved``
    is set to 0 (thresholds, named ``*_target``, keep their defaults), so a soft cost added
    to the engine later cannot leak into the benchmark objective.
    """
    zero = {
        f.name: 0
        for f in dataclasses.fields(Weights)
        if f.name not in {"travel", "unserved"} and not f.name.endswith("_target")
    }
    return Weights(**{**zero, "travel": 1, "unserved": unserved})


def location_id(node: int) -> str:
    """The location id of instance node ``node`` (0 = depot)."""
    return f"n{node}"


def visit_id(node: int) -> str:
    """The visit id of customer ``node``."""
    return f"c{node}"


def node_of(visit: str) -> int:
    """Inverse of :func:`visit_id`: the instance node of a visit id."""
    if not visit.startswith("c") or not visit[1:].isdigit():
        raise ValueError(f"not a benchmark visit id: {visit!r}")
    return int(visit[1:])


def _location(node: int, xy: tuple[float, float]) -> Location:
    # The coordinates are planar, not geographic; MatrixTravel never reads them.
    return Location(id=location_id(node), lat=float(xy[1]), lon=float(xy[0]), name=f"node {node}")


def _matrix_travel(size: int, arc: list[list[int]], name: str) -> MatrixTravel:
    rows = tuple(tuple(row) for row in arc)
    return MatrixTravel(
        ids=tuple(location_id(i) for i in range(size)), durations=rows, distances=rows, name=name
    )


# --- Solomon -------------------------------------------------------------------------------


def solomon_tenths_matrix(inst: SolomonInstance) -> list[list[int]]:
    """The DIMACS arc lengths (= travel times) in integer tenths, indexed by node."""
    coords = inst.coords
    return [
        [0 if i == j else dimacs_tenths(a, b) for j, b in enumerate(coords)] for i, a in enumerate(coords)
    ]


def solomon_problem(inst: SolomonInstance) -> Problem:
    """The Kinito problem of a Solomon instance (see the module doc for the conventions)."""
    s = SOLOMON_SCALE
    size = len(inst.coords)
    depot = _location(0, inst.coords[0])
    shift = TimeWindow(s * inst.ready[0], s * inst.due[0])
    units = tuple(
        Unit(id=f"v{k}", name=f"vehicle {k + 1}", base=depot, capacity=inst.capacity, weekly_max_work=None)
        for k in range(inst.vehicles)
    )
    unit_days = tuple(
        UnitDay(
            unit_id=u.id,
            date=SOLOMON_DATE,
            shift=shift,
            regular_end=shift.end,
            max_work=None,
            max_drive=None,
            break_rule=None,
            crew=(),
        )
        for u in units
    )
    visits = tuple(
        Visit(
            id=visit_id(i),
            location=_location(i, inst.coords[i]),
            service=s * inst.service[i],
            time_windows=(TimeWindow(s * inst.ready[i], s * inst.due[i]),),
            load=inst.demand[i],
        )
        for i in range(1, size)
    )
    return Problem(
        name=inst.name,
        dates=(SOLOMON_DATE,),
        units=units,
        unit_days=unit_days,
        staff=(),
        visits=visits,
        weights=benchmark_weights(SOLOMON_UNSERVED),
        travel=_matrix_travel(size, solomon_tenths_matrix(inst), "solomon-dimacs-tenths"),
    )


def solomon_routes(plan: Plan) -> list[list[int]]:
    """The plan's routes as lists of customer ids (the input of ``check_solomon``)."""
    return [[node_of(stop.visit_id) for stop in route.stops] for route in plan.routes if route.stops]


# --- Cordeau -------------------------------------------------------------------------------


def cordeau_date(day: int) -> date:
    """The date of 0-based day ``day`` of a Cordeau problem."""
    return CORDEAU_START + timedelta(days=day)


def cordeau_day(d: date) -> int:
    """Inverse of :func:`cordeau_date`."""
    return (d - CORDEAU_START).days


def scale_up(value: float) -> int:
    """``ceil(value * CORDEAU_SCALE)``, with a guard against float noise just above an integer."""
    return math.ceil(value * CORDEAU_SCALE - 1e-9)


def cordeau_matrix(inst: CordeauInstance) -> list[list[int]]:
    """Arc lengths (= travel times) in engine units, ``ceil(euclid * CORDEAU_SCALE)``."""
    coords = inst.coords
    return [
        [0 if i == j else scale_up(euclid(a, b)) for j, b in enumerate(coords)] for i, a in enumerate(coords)
    ]


def _cordeau_horizon(inst: CordeauInstance, arc: list[list[int]]) -> int:
    """A shift end no route can reach: every node left once by its longest arc, plus service."""
    return sum(max(row) for row in arc) + sum(scale_up(q) for q in inst.service) + 1


def cordeau_problem(inst: CordeauInstance) -> Problem:
    """The Kinito problem of a Cordeau periodic-VRP instance (see the module doc).

    Each customer's allowed patterns become ``Visit.patterns`` (tuples of dates).  A
    customer visited once whose allowed days are not all the days is also given the same
    restriction in fields that the engine honours for single visits: ``pinned_date`` when
    one day is allowed, ``allowed_weekdays`` otherwise when ``t <= 7`` (the dates are
    consecutive, so weekdays tell the days apart; with more days the engine keeps a single
    visit to its patterns' dates as it is).  This is the generic translation of the
    pattern, not a special case of an instance (p01's dummy customer 51 is one such
    customer: day 1 only).
    """
    size = inst.n + 1
    arc = cordeau_matrix(inst)
    horizon = _cordeau_horizon(inst, arc)
    dates = tuple(cordeau_date(k) for k in range(inst.t))
    depot = _location(0, inst.coords[0])
    if len(set(inst.capacity)) != 1:
        raise ValueError(f"{inst.name}: capacities differ by day; Kinito's capacity is per unit")
    units = tuple(
        Unit(id=f"v{k}", name=f"vehicle {k + 1}", base=depot, capacity=inst.capacity[0], weekly_max_work=None)
        for k in range(inst.m)
    )
    shift = TimeWindow(0, horizon)
    unit_days = tuple(
        UnitDay(
            unit_id=u.id,
            date=dates[k],
            shift=shift,
            regular_end=shift.end,
            max_work=math.floor(inst.max_duration[k] * CORDEAU_SCALE + 1e-9)
            if inst.max_duration[k] > 0
            else None,
            max_drive=None,
            break_rule=None,
            crew=(),
        )
        for k in range(inst.t)
        for u in units
    )
    visits: list[Visit] = []
    for i in range(1, size):
        patterns = tuple(tuple(dates[k] for k in p) for p in inst.patterns[i])
        pinned: date | None = None
        weekdays: frozenset[int] | None = None
        if inst.frequency[i] == 1:
            allowed = sorted({p[0] for p in patterns})
            if len(allowed) == 1:
                pinned = allowed[0]
            elif len(allowed) < inst.t <= 7:  # beyond 7 days weekdays repeat: the patterns alone say it
                weekdays = frozenset(d.weekday() for d in allowed)
        visits.append(
            Visit(
                id=visit_id(i),
                location=_location(i, inst.coords[i]),
                service=scale_up(inst.service[i]),
                load=inst.demand[i],
                frequency=inst.frequency[i],
                patterns=patterns,
                pinned_date=pinned,
                allowed_weekdays=weekdays,
            )
        )
    return Problem(
        name=inst.name,
        dates=dates,
        units=units,
        unit_days=unit_days,
        staff=(),
        visits=tuple(visits),
        weights=benchmark_weights(CORDEAU_UNSERVED),
        travel=_matrix_travel(size, arc, "cordeau-euclid-ceil"),
    )


def cordeau_routes(plan: Plan) -> list[tuple[int, list[int]]]:
    """The plan's routes as ``(day, customers)`` pairs (the input of ``check_cordeau``)."""
    return [
        (cordeau_day(route.date), [node_of(stop.visit_id) for stop in route.stops])
        for route in plan.routes
        if route.stops
    ]
