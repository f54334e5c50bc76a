"""Tiny one-day problems whose best route is known by brute force over every visiting order."""

from __future__ import annotations

from itertools import permutations

import pytest

from planner.model import HOUR, MINUTE, Problem, TimeWindow, Visit
from planner.travel import EstimateTravel
from planner.validate import validate
from tests.planner.conftest import MON, NO_BREAK, hm, make_problem, make_unit, make_visit, quick, route_on


def legs(problem: Problem):
    """The problem's travel durations (seconds) by location id pair, for its only unit."""
    unit = problem.units[0]
    m = EstimateTravel().matrix(problem.locations(), unit)
    pos = m.index()
    return lambda a, b: int(m.durations[pos[a], pos[b]])


def order_drive(problem: Problem, order: tuple[Visit, ...]) -> int | None:
    """Driving seconds of serving ``order`` from the base and back, or None if windows forbid it.

    Leaves the base at the shift start, waits for windows, and must be back by the shift end.
    """
    leg = legs(problem)
    ud = problem.unit_days[0]
    place, t, drive = problem.units[0].base.id, ud.shift.start, 0
    for v in order:
        d = leg(place, v.location.id)
        drive += d
        start = t + d
        if v.time_windows:
            fits = [max(start, w.start) for w in v.time_windows if max(start, w.start) <= w.end]
            if not fits:
                return None
            start = min(fits)
        t, place = start + v.service, v.location.id
    back = leg(place, problem.units[0].base.id)
    if t + back > ud.shift.end:
        return None
    return drive + back


def best_drive(problem: Problem) -> tuple[int, list[tuple[str, ...]]]:
    """The least driving over all feasible orders, and every order that achieves it."""
    results = {}
    for order in permutations(problem.visits):
        d = order_drive(problem, order)
        if d is not None:
            results[tuple(v.id for v in order)] = d
    best = min(results.values())
    return best, [o for o, d in results.items() if d == best]


def one_day(visits: list[Visit], **kw: object) -> Problem:
    """One van, one Monday 08:00-16:00, no break."""
    return make_problem(visits, dates=(MON,), day_defaults=NO_BREAK, **kw)


CASES = {
    "three-east": ("temeni", "diakopto", "kounina"),
    "three-spread": ("rododafni", "diakopto", "pteri"),
    "four-mixed": ("rododafni", "valimitika", "kounina", "zachlorou"),
    "five-coast-and-hills": ("rododafni", "temeni", "valimitika", "diakopto", "pteri"),
    "five-mountains": ("pteri", "kounina", "zachlorou", "kerpini", "kalavryta"),
}


@pytest.mark.parametrize("villages", CASES.values(), ids=CASES.keys())
def test_solver_drive_equals_brute_force_optimum(villages: tuple[str, ...]) -> None:
    """With no windows the solver drives exactly the brute-force least total over every order."""
    p = one_day([make_visit(f"v-{n}", n, 20 * MINUTE) for n in villages])
    plan = quick(p, 1.0)
    assert validate(p, plan) == []
    assert plan.unassigned == ()
    best, orders = best_drive(p)
    r = route_on(plan, MON)
    assert r.drive_time == best
    assert tuple(s.visit_id for s in r.stops) in orders


def test_two_houses_in_one_village_are_served_back_to_back() -> None:
    """Two visits at the same point cost no drive between them, and the optimum uses that."""
    p = one_day(
        [
            make_visit("diak-1", "diakopto", 20 * MINUTE),
            make_visit("temeni", "temeni", 20 * MINUTE),
            make_visit("diak-2", "diakopto", 20 * MINUTE),
            make_visit("kounina", "kounina", 20 * MINUTE),
        ]
    )
    plan = quick(p, 1.0)
    assert validate(p, plan) == []
    r = route_on(plan, MON)
    assert r.drive_time == best_drive(p)[0]
    ids = [s.visit_id for s in r.stops]
    assert abs(ids.index("diak-1") - ids.index("diak-2")) == 1


def test_slower_van_drive_matches_its_own_matrix() -> None:
    """A van at 0.8 of the estimated speed: the optimum is computed with its own, slower matrix."""
    p = one_day(
        [make_visit(f"v-{n}", n, 20 * MINUTE) for n in ("temeni", "kounina", "pteri", "rododafni")],
        units=(make_unit(speed_factor=0.8),),
    )
    plan = quick(p, 1.0)
    assert validate(p, plan) == []
    best, _ = best_drive(p)
    assert route_on(plan, MON).drive_time == best
    plain = one_day(list(p.visits))
    assert best > best_drive(plain)[0]


def test_windows_force_the_order_against_geography() -> None:
    """Diakopto at 09:00, Rododafni (west) at 11:00, Temeni (east) at 13:00: served in that order."""
    p = one_day(
        [
            make_visit(
                "rododafni-11", "rododafni", 30 * MINUTE, time_windows=(TimeWindow(hm(11), hm(11, 15)),)
            ),
            make_visit("temeni-13", "temeni", 30 * MINUTE, time_windows=(TimeWindow(hm(13), hm(13, 15)),)),
            make_visit("diakopto-9", "diakopto", 30 * MINUTE, time_windows=(TimeWindow(hm(9), hm(9, 15)),)),
        ]
    )
    plan = quick(p, 1.0)
    assert validate(p, plan) == []
    r = route_on(plan, MON)
    assert [s.visit_id for s in r.stops] == ["diakopto-9", "rododafni-11", "temeni-13"]
    # The free optimum would go round the coast the other way, so the windows cost driving.
    free = one_day([Visit(**{**v.__dict__, "time_windows": ()}) for v in p.visits])
    assert r.drive_time == best_drive(p)[0] > best_drive(free)[0]


def test_loose_windows_still_give_the_best_feasible_order() -> None:
    """Morning-only and afternoon-only visits: the drive is the least over orders the windows allow."""
    morning, afternoon = TimeWindow(hm(8), hm(11)), TimeWindow(hm(13), hm(15))
    p = one_day(
        [
            make_visit("am-kounina", "kounina", 45 * MINUTE, time_windows=(morning,)),
            make_visit("pm-temeni", "temeni", 45 * MINUTE, time_windows=(afternoon,)),
            make_visit("am-pteri", "pteri", 45 * MINUTE, time_windows=(morning,)),
            make_visit("pm-diakopto", "diakopto", 45 * MINUTE, time_windows=(afternoon,)),
        ]
    )
    plan = quick(p, 1.0)
    assert validate(p, plan) == []
    r = route_on(plan, MON)
    best, orders = best_drive(p)
    assert r.drive_time == best
    assert tuple(s.visit_id for s in r.stops) in orders
    assert {s.visit_id for s in r.stops[:2]} == {"am-kounina", "am-pteri"}


def test_single_visit_route_is_there_and_back() -> None:
    """One visit: the route's drive is the leg out plus the leg back, and the day is that plus service."""
    p = one_day([make_visit("only", "zachlorou", HOUR)])
    plan = quick(p, 0.5)
    assert validate(p, plan) == []
    r = route_on(plan, MON)
    leg = legs(p)
    out, back = leg("aigio", "zachlorou"), leg("zachlorou", "aigio")
    assert (r.stops[0].travel, r.return_travel) == (out, back)
    assert r.work_time == out + HOUR + back
