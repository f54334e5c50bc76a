"""Tests for benchmarks.checker: real reference solutions pass, broken ones are caught."""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import pytest

from benchmarks import INSTANCES_DIR
from benchmarks.checker import check_cordeau, check_solomon
from benchmarks.readers import (
    CordeauInstance,
    SolomonInstance,
    dimacs_tenths,
    euclid,
    read_bks,
    read_cordeau,
    read_cordeau_solution,
    read_solomon,
)

SOLOMON_DIR = INSTANCES_DIR / "solomon"
PVRP_DIR = INSTANCES_DIR / "pvrp"
CORDEAU_NAMES = sorted(path.stem for path in PVRP_DIR.glob("*.txt"))

# A 10-route C101 solution; its DIMACS cost and its unrounded cost equal the
# two BKS values in BKS.csv (827.3 and 828.94).
C101_OPTIMUM: list[list[int]] = [
    [5, 3, 7, 8, 10, 11, 9, 6, 4, 2, 1, 75],
    [13, 17, 18, 19, 15, 16, 14, 12],
    [20, 24, 25, 27, 29, 30, 28, 26, 23, 22, 21],
    [32, 33, 31, 35, 37, 38, 39, 36, 34],
    [43, 42, 41, 40, 44, 46, 45, 48, 51, 50, 52, 49, 47],
    [57, 55, 54, 53, 56, 58, 60, 59],
    [67, 65, 63, 62, 74, 72, 61, 64, 68, 66, 69],
    [81, 78, 76, 71, 70, 73, 77, 79, 80],
    [90, 87, 86, 83, 82, 84, 85, 88, 89, 91],
    [98, 96, 95, 94, 92, 93, 97, 100, 99],
]

Routes = list[tuple[int, list[int]]]


def c101() -> SolomonInstance:
    """Read the bundled C101 instance."""
    return read_solomon(SOLOMON_DIR / "C101.txt")


def c101_optimum() -> list[list[int]]:
    """Return a fresh copy of the C101 reference solution."""
    return [list(route) for route in C101_OPTIMUM]


def cordeau_case(name: str) -> tuple[CordeauInstance, Routes]:
    """Read a PVRP instance and its reference solution as (day, customers) routes.

    p01.res omits the zero-length route 0-51-0 of the dummy customer 51 (on the
    depot, full-vehicle demand, day 1 only); it is added back here.
    """
    inst = read_cordeau(PVRP_DIR / f"{name}.txt")
    routes = read_cordeau_solution(PVRP_DIR / "solutions" / f"{name}.res").day_routes()
    if name == "p01":
        routes.append((0, [51]))
    return inst, routes


def route_duration(inst: CordeauInstance, customers: list[int]) -> float:
    """Travel plus service time of one periodic-VRP route (test-side arithmetic)."""
    stops = [inst.coords[0]] + [inst.coords[c] for c in customers] + [inst.coords[0]]
    travel = sum(euclid(a, b) for a, b in itertools.pairwise(stops))
    return travel + sum(inst.service[c] for c in customers)


# ---------------------------------------------------------------- Cordeau: reference solutions


@pytest.mark.parametrize("name", CORDEAU_NAMES)
def test_reference_solution_is_feasible_at_its_printed_cost(name: str) -> None:
    """Each Cordeau-Gendreau-Laporte .res solution is feasible and costs line 1 to 0.01."""
    inst, routes = cordeau_case(name)
    printed = read_cordeau_solution(PVRP_DIR / "solutions" / f"{name}.res").cost
    result = check_cordeau(inst, routes)
    assert result.violations == []
    assert result.feasible
    assert result.cost == pytest.approx(printed, abs=0.01)


@pytest.mark.parametrize("name", CORDEAU_NAMES)
def test_reference_route_durations_and_loads_match_the_file(name: str) -> None:
    """Every .res route's printed duration (distance + service) and load are reproduced."""
    inst = read_cordeau(PVRP_DIR / f"{name}.txt")
    for route in read_cordeau_solution(PVRP_DIR / "solutions" / f"{name}.res").routes:
        assert route_duration(inst, route.customers) == pytest.approx(route.duration, abs=0.01)
        assert sum(inst.demand[c] for c in route.customers) == route.load


@pytest.mark.parametrize("name", CORDEAU_NAMES)
def test_reference_solution_is_no_better_than_bks(name: str) -> None:
    """The 1997 reference costs are at or above the 2014 best-known values."""
    inst, routes = cordeau_case(name)
    _, bks_cost = read_bks(INSTANCES_DIR / "BKS.csv")[("pvrp", name)]
    assert check_cordeau(inst, routes).cost >= bks_cost - 0.01


def test_p01_file_without_dummy_route_misses_customer_51() -> None:
    """p01.res as printed lacks the dummy customer 51, and only that is reported."""
    inst = read_cordeau(PVRP_DIR / "p01.txt")
    routes = read_cordeau_solution(PVRP_DIR / "solutions" / "p01.res").day_routes()
    result = check_cordeau(inst, routes)
    assert not result.feasible
    assert len(result.violations) == 1
    assert "customer 51 is never visited" in result.violations[0]


# ---------------------------------------------------------------- Cordeau: broken solutions


def test_cordeau_missing_customer_is_infeasible() -> None:
    """Removing every visit of a customer reports it as never visited."""
    inst, routes = cordeau_case("pr01")
    victim = routes[0][1][0]
    broken = [(day, [c for c in route if c != victim]) for day, route in routes]
    result = check_cordeau(inst, broken)
    assert not result.feasible
    assert len(result.violations) == 1
    assert f"customer {victim} is never visited" in result.violations[0]


def test_cordeau_customer_twice_on_one_day_is_infeasible() -> None:
    """A second visit on the same day, in an extra route, is reported as a duplicate."""
    inst, routes = cordeau_case("p02")
    used = {day: sum(1 for d, r in routes if d == day and r) for day in range(inst.t)}
    day = next(d for d in range(inst.t) if used[d] < inst.m)
    victim = next(route for d, route in routes if d == day and route)[0]
    result = check_cordeau(inst, [*routes, (day, [victim])])
    assert not result.feasible
    assert result.violations == [
        f"customer {victim} is visited 2 times on day {day}; at most once per day is allowed"
    ]


def test_cordeau_visit_on_a_day_outside_the_patterns_is_infeasible() -> None:
    """Moving one visit of a two-visit customer to a day breaking its patterns is reported."""
    inst, routes = cordeau_case("p05")
    used = {day: sum(1 for d, r in routes if d == day and r) for day in range(inst.t)}
    visits: dict[int, set[int]] = {}
    for day, route in routes:
        for customer in route:
            visits.setdefault(customer, set()).add(day)
    move = None
    for customer in range(1, inst.n + 1):
        if inst.frequency[customer] != 2:
            continue
        for old in sorted(visits[customer]):
            for new in range(inst.t):
                days = tuple(sorted(visits[customer] - {old} | {new}))
                if (
                    new not in visits[customer]
                    and used[new] < inst.m
                    and (days not in inst.patterns[customer])
                ):
                    move = (customer, old, new)
                    break
            if move:
                break
        if move:
            break
    assert move is not None
    customer, old, new = move
    broken = [(d, [c for c in r if not (d == old and c == customer)]) for d, r in routes]
    broken.append((new, [customer]))
    result = check_cordeau(inst, broken)
    assert not result.feasible
    assert len(result.violations) == 1
    assert f"customer {customer} is visited on days" in result.violations[0]
    assert "not one of its allowed patterns" in result.violations[0]


def test_cordeau_route_over_capacity_is_infeasible() -> None:
    """Moving a customer into a full p01 route on the same day exceeds capacity."""
    inst, routes = cordeau_case("p01")
    full = next(i for i, (_, r) in enumerate(routes) if r != [51] and sum(inst.demand[c] for c in r) == 160)
    day = routes[full][0]
    donor = next(i for i, (d, r) in enumerate(routes) if d == day and i != full and r != [51])
    moved = routes[donor][1][0]
    broken = [(d, list(r)) for d, r in routes]
    broken[donor][1].remove(moved)
    broken[full][1].append(moved)
    result = check_cordeau(inst, broken)
    assert not result.feasible
    load = 160 + inst.demand[moved]
    assert result.violations == [f"routes[{full}] (day {day}): load {load} exceeds the capacity 160"]


def test_cordeau_route_over_maximum_duration_is_infeasible() -> None:
    """Moving a pr01 customer so a same-day route exceeds D=500 reports the duration."""
    inst, routes = cordeau_case("pr01")
    found = None
    for target, (day, route) in enumerate(routes):
        for donor, (other_day, other) in enumerate(routes):
            if other_day != day or donor == target:
                continue
            for customer in other:
                longer = [*route, customer]
                load = sum(inst.demand[c] for c in longer)
                if load <= inst.capacity[day] and route_duration(inst, longer) > 500:
                    found = (target, donor, customer)
                    break
            if found:
                break
        if found:
            break
    assert found is not None
    target, donor, customer = found
    broken = [(d, list(r)) for d, r in routes]
    broken[donor][1].remove(customer)
    broken[target][1].append(customer)
    result = check_cordeau(inst, broken)
    assert not result.feasible
    assert len(result.violations) == 1
    assert result.violations[0].startswith(f"routes[{target}] (day {broken[target][0]}): duration")
    assert "exceeds the maximum route duration 500" in result.violations[0]


def test_cordeau_more_routes_than_vehicles_on_a_day_is_infeasible() -> None:
    """Splitting p03's single day-1 route in two exceeds its one vehicle per day."""
    inst, routes = cordeau_case("p03")
    assert inst.m == 1
    index = next(i for i, (d, r) in enumerate(routes) if d == 0 and r)
    route = routes[index][1]
    half = len(route) // 2
    broken = [*routes[:index], (0, route[:half]), (0, route[half:]), *routes[index + 1 :]]
    result = check_cordeau(inst, broken)
    assert not result.feasible
    assert result.violations == ["day 0 uses 2 routes but only 1 vehicles are available per day"]


def test_cordeau_day_outside_the_horizon_is_infeasible() -> None:
    """A route dated after the last day is rejected, and its customers count as unvisited."""
    inst, routes = cordeau_case("p03")
    broken = [(inst.t if i == 0 else d, r) for i, (d, r) in enumerate(routes)]
    result = check_cordeau(inst, broken)
    assert not result.feasible
    assert "routes[0] is on day index 5, outside the horizon 0..4" in result.violations
    assert any(f"customer {routes[0][1][0]} is never visited" in v for v in result.violations)


def test_cordeau_unknown_customer_and_depot_in_route_are_reported() -> None:
    """Listing the depot or a non-existent customer inside a route is a violation."""
    inst, routes = cordeau_case("p03")
    broken = [*routes[:-1], (routes[-1][0], [0, *routes[-1][1], inst.n + 1])]
    result = check_cordeau(inst, broken)
    assert not result.feasible
    last = len(routes) - 1
    assert any(f"routes[{last}]" in v and "depot" in v for v in result.violations)
    assert any(f"unknown customer {inst.n + 1}" in v for v in result.violations)


# ---------------------------------------------------------------- Solomon


def test_c101_one_route_per_customer_costs_twice_the_truncated_depot_distances() -> None:
    """With enough vehicles, one route per C101 customer is feasible at sum 2*trunc(d0i)."""
    inst = c101()
    roomy = dataclasses.replace(inst, vehicles=inst.num_customers)
    routes = [[customer] for customer in range(1, inst.num_customers + 1)]
    result = check_solomon(roomy, routes)
    assert result.violations == []
    assert result.feasible
    tenths = sum(2 * dimacs_tenths(inst.coords[0], inst.coords[c]) for c in range(1, 101))
    assert result.cost == tenths / 10


@pytest.mark.parametrize("path", sorted(SOLOMON_DIR.glob("*.txt")), ids=lambda p: p.stem)
def test_every_solomon_customer_is_reachable_alone(path: Path) -> None:
    """In every Solomon file each customer can be served by its own depot round trip."""
    inst = read_solomon(path)
    roomy = dataclasses.replace(inst, vehicles=inst.num_customers)
    result = check_solomon(roomy, [[c] for c in range(1, inst.num_customers + 1)])
    assert result.feasible, result.violations


def test_c101_reference_solution_matches_both_bks_conventions() -> None:
    """The 10-route C101 solution is feasible at the DIMACS BKS 827.3 and unrounded 828.94."""
    inst = c101()
    bks = read_bks(INSTANCES_DIR / "BKS.csv")
    result = check_solomon(inst, c101_optimum())
    assert result.violations == []
    assert result.feasible
    assert result.cost == bks[("solomon-dimacs", "C101")][1]
    unrounded = sum(
        euclid(inst.coords[a], inst.coords[b])
        for route in C101_OPTIMUM
        for a, b in itertools.pairwise([0, *route, 0])
    )
    assert round(unrounded, 2) == bks[("solomon-hier", "C101")][1]
    assert len(C101_OPTIMUM) == bks[("solomon-dimacs", "C101")][0]


def test_solomon_cost_is_exact_in_tenths() -> None:
    """The DIMACS cost is accumulated in integer tenths, so it has no float residue."""
    result = check_solomon(c101(), c101_optimum())
    assert f"{result.cost!r}" == "827.3"
    assert math.isclose(result.cost * 10, round(result.cost * 10), abs_tol=1e-9)


def test_solomon_missing_customer_is_infeasible() -> None:
    """Dropping customer 75 from the C101 solution reports it as never visited."""
    routes = c101_optimum()
    routes[0].remove(75)
    result = check_solomon(c101(), routes)
    assert not result.feasible
    assert result.violations == ["customer 75 is never visited"]


def test_solomon_duplicated_customer_is_infeasible() -> None:
    """Serving customer 75 a second time on an extra route is reported as a duplicate."""
    routes = [*c101_optimum(), [75]]
    result = check_solomon(c101(), routes)
    assert not result.feasible
    assert result.violations == [
        "customer 75 is visited 2 times (routes[0], routes[10]); it must be visited exactly once"
    ]


def test_solomon_missed_time_window_is_infeasible() -> None:
    """Serving customer 5 (due 67) after customer 1 (ready 912) misses 5's window."""
    routes = c101_optimum()
    routes[0] = [c for c in routes[0] if c not in (1, 5)]
    routes.append([1, 5])
    result = check_solomon(c101(), routes)
    assert not result.feasible
    assert len(result.violations) == 1
    assert result.violations[0].startswith("routes[10]: customer 5 cannot start service before")
    assert "due time 67" in result.violations[0]


def test_solomon_route_over_capacity_is_infeasible() -> None:
    """Moving customer 1 to the end of a full C101 route gives load 210 > 200."""
    routes = c101_optimum()
    routes[0].remove(1)
    routes[3].append(1)
    result = check_solomon(c101(), routes)
    assert not result.feasible
    assert result.violations == ["routes[3]: load 210 exceeds the vehicle capacity 200"]


def test_solomon_more_routes_than_vehicles_is_infeasible() -> None:
    """One route per C101 customer needs 100 vehicles but only 25 exist."""
    result = check_solomon(c101(), [[c] for c in range(1, 101)])
    assert not result.feasible
    assert result.violations == ["100 routes are used but only 25 vehicles are available"]


def test_solomon_late_return_to_the_depot_is_infeasible() -> None:
    """A route back after the depot's due time is reported (horizon cut to 100 here).

    Solomon due times let every customer served on time get home before the
    horizon, so the real files cannot trigger this; a shortened horizon does.
    """
    inst = c101()
    short = dataclasses.replace(inst, due=[100, *inst.due[1:]])
    routes = [[c] for c in range(1, 101)]
    roomy = dataclasses.replace(short, vehicles=100)
    result = check_solomon(roomy, routes)
    assert not result.feasible
    assert any(
        v.startswith("routes[0]: returns to the depot at") and "closes at 100" in v for v in result.violations
    )


def test_solomon_empty_routes_do_not_use_vehicles() -> None:
    """Empty routes are ignored: they neither cost anything nor count against the fleet."""
    routes = [*c101_optimum(), *([[]] * 30)]
    result = check_solomon(c101(), routes)
    assert result.feasible
    assert result.cost == 827.3


def test_solomon_depot_or_unknown_customer_in_route_is_reported() -> None:
    """A route listing node 0 or customer 101 is reported."""
    routes = c101_optimum()
    routes[1] = [0, *routes[1], 101]
    result = check_solomon(c101(), routes)
    assert not result.feasible
    assert any("routes[1] contains the depot" in v for v in result.violations)
    assert any("routes[1] visits unknown customer 101" in v for v in result.violations)
