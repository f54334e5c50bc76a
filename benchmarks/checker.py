"""An independent solution checker for the benchmark instances.

It shares no code with ``planner`` and does not use OR-Tools, so it can judge
the engine's answers.  Each check recomputes the cost from the coordinates
and lists every violated constraint in plain English.  In messages,
``routes[k]`` is the position of a route in the list passed in (0-based) and
days are 0-based day indices, as in the input.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.readers import CordeauInstance, SolomonInstance, dimacs_tenths, euclid

DURATION_TOLERANCE = 1e-6
"""Slack allowed on periodic-VRP route durations."""


@dataclass(frozen=True)
class CheckResult:
    """Outcome of a check: feasibility, recomputed cost and the violations found."""

    feasible: bool
    cost: float
    violations: list[str] = field(default_factory=list)


def _tenths_to_text(tenths: int) -> str:
    """Format an integer number of tenths as a decimal string, e.g. 1234 -> '123.4'."""
    return f"{tenths / 10:.1f}"


def _customer_problems(
    route_index: int, route: Sequence[int], n: int, where: str
) -> tuple[list[int], list[str]]:
    """Split a route into valid customer ids and messages about invalid entries."""
    valid: list[int] = []
    problems: list[str] = []
    for node in route:
        if node == 0:
            problems.append(
                f"routes[{route_index}]{where} contains the depot (node 0); routes must list customers only"
            )
        elif not 1 <= node <= n:
            problems.append(f"routes[{route_index}]{where} visits unknown customer {node}")
        else:
            valid.append(node)
    return valid, problems


def check_solomon(inst: SolomonInstance, routes: Sequence[Sequence[int]]) -> CheckResult:
    """Check a VRPTW solution under the DIMACS 2021 convention.

    ``routes`` holds one list of customer ids per vehicle, without the depot.
    Every arc length and travel time is ``floor(10*d)/10`` (computed in integer
    tenths, so no float drift); arrival = departure + travel; service starts at
    ``max(arrival, ready)`` and must not be later than ``due``; the vehicle
    leaves the depot at the depot's ready time and must be back by the depot's
    due time; the load must not exceed the capacity; every customer is served
    exactly once; at most ``inst.vehicles`` non-empty routes.  The cost is the
    sum of truncated arcs of all routes.
    """
    n = inst.num_customers
    violations: list[str] = []
    visits: dict[int, list[int]] = defaultdict(list)
    total_tenths = 0
    used = 0
    depot = 0
    horizon = 10 * inst.due[depot]
    for index, raw_route in enumerate(routes):
        route, problems = _customer_problems(index, raw_route, n, "")
        violations.extend(problems)
        if not route:
            continue
        used += 1
        time = 10 * inst.ready[depot]
        load = 0
        previous = depot
        for customer in route:
            visits[customer].append(index)
            arc = dimacs_tenths(inst.coords[previous], inst.coords[customer])
            total_tenths += arc
            arrival = time + arc
            start = max(arrival, 10 * inst.ready[customer])
            if start > 10 * inst.due[customer]:
                violations.append(
                    f"routes[{index}]: customer {customer} cannot start service before "
                    f"{_tenths_to_text(start)}, after its due time {inst.due[customer]} "
                    f"(time window [{inst.ready[customer]}, {inst.due[customer]}])"
                )
            time = start + 10 * inst.service[customer]
            load += inst.demand[customer]
            previous = customer
        arc = dimacs_tenths(inst.coords[previous], inst.coords[depot])
        total_tenths += arc
        back = time + arc
        if back > horizon:
            violations.append(
                f"routes[{index}]: returns to the depot at {_tenths_to_text(back)}, "
                f"after the depot closes at {inst.due[depot]}"
            )
        if load > inst.capacity:
            violations.append(f"routes[{index}]: load {load} exceeds the vehicle capacity {inst.capacity}")
    if used > inst.vehicles:
        violations.append(f"{used} routes are used but only {inst.vehicles} vehicles are available")
    for customer in range(1, n + 1):
        where = visits.get(customer, [])
        if not where:
            violations.append(f"customer {customer} is never visited")
        elif len(where) > 1:
            places = ", ".join(f"routes[{i}]" for i in where)
            violations.append(
                f"customer {customer} is visited {len(where)} times ({places}); "
                "it must be visited exactly once"
            )
    return CheckResult(feasible=not violations, cost=total_tenths / 10, violations=violations)


def _pattern_text(days: Sequence[int]) -> str:
    """Format a set of 0-based day indices, e.g. (1, 3) -> '{1, 3}'."""
    return "{" + ", ".join(str(day) for day in days) + "}"


def check_cordeau(inst: CordeauInstance, routes: Sequence[tuple[int, Sequence[int]]]) -> CheckResult:
    """Check a periodic-VRP solution given as ``(day, customers)`` pairs.

    ``day`` is a 0-based day index and ``customers`` omits the depot.  The cost
    is the total unrounded Euclidean length of all routes.  Constraints: at most
    ``m`` non-empty routes per day; each route's load within that day's
    capacity; each route's duration (travel + service) within that day's
    maximum duration when it is positive (tolerance 1e-6); every customer is
    visited on exactly the days of one of its allowed patterns, once per day.
    """
    violations: list[str] = []
    arc_lengths: list[float] = []
    per_day_routes: Counter[int] = Counter()
    visits: dict[int, Counter[int]] = defaultdict(Counter)
    depot = inst.coords[0]
    for index, (day, raw_route) in enumerate(routes):
        if not 0 <= day < inst.t:
            violations.append(f"routes[{index}] is on day index {day}, outside the horizon 0..{inst.t - 1}")
            continue
        route, problems = _customer_problems(index, raw_route, inst.n, f" (day {day})")
        violations.extend(problems)
        if not route:
            continue
        per_day_routes[day] += 1
        previous = depot
        travel: list[float] = []
        load = 0
        service = 0.0
        for customer in route:
            visits[customer][day] += 1
            travel.append(euclid(previous, inst.coords[customer]))
            load += inst.demand[customer]
            service += inst.service[customer]
            previous = inst.coords[customer]
        travel.append(euclid(previous, depot))
        arc_lengths.extend(travel)
        duration = math.fsum(travel) + service
        if load > inst.capacity[day]:
            violations.append(
                f"routes[{index}] (day {day}): load {load} exceeds the capacity {inst.capacity[day]}"
            )
        limit = inst.max_duration[day]
        if limit > 0 and duration > limit + DURATION_TOLERANCE:
            violations.append(
                f"routes[{index}] (day {day}): duration {duration:.2f} (travel + service) "
                f"exceeds the maximum route duration {limit:g}"
            )
    for day in sorted(per_day_routes):
        if per_day_routes[day] > inst.m:
            violations.append(
                f"day {day} uses {per_day_routes[day]} routes but only {inst.m} vehicles "
                "are available per day"
            )
    for customer in range(1, inst.n + 1):
        per_day = visits.get(customer, Counter())
        for day in sorted(per_day):
            if per_day[day] > 1:
                violations.append(
                    f"customer {customer} is visited {per_day[day]} times on day {day}; "
                    "at most once per day is allowed"
                )
        days = tuple(sorted(per_day))
        allowed = inst.patterns[customer] or [()]
        if days in allowed:
            continue
        options = " or ".join(_pattern_text(pattern) for pattern in allowed)
        if not days:
            violations.append(
                f"customer {customer} is never visited (it needs "
                f"{inst.frequency[customer]} visit(s) on days {options})"
            )
        else:
            violations.append(
                f"customer {customer} is visited on days {_pattern_text(days)}, which is not "
                f"one of its allowed patterns {options}"
            )
    return CheckResult(feasible=not violations, cost=math.fsum(arc_lengths), violations=violations)
