"""The ruin-and-recreate search (planner.ruin): its routes are feasible in OR-Tools' own model
at the cost it computes, and the solver uses it where it should."""

from __future__ import annotations

import dataclasses
import itertools
import random
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.replan import promised
from planner import ruin, solver
from planner.model import (
    HOUR,
    MINUTE,
    TIME_BAND,
    BreakRule,
    CrewMember,
    Location,
    Problem,
    StaffMember,
    TimeWindow,
    Unit,
    UnitDay,
    Visit,
)
from planner.schema import load_problem
from planner.solver import SolveParams, solve
from planner.validate import validate
from tests.planner.conftest import BASE, FRI, MON, STAFF, THU, TUE, WEEK, make_problem, make_visit, stops_of
from tests.planner.test_properties import PROPERTY_SETTINGS, points, problems, windows

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo" / "week.json"


def _searched(problem: Problem, rounds: int, seed: int = 0) -> tuple[Any, ruin.Instance, ruin.Result]:
    """The (wide, see ``solver._Model``) OR-Tools model of ``problem``, its plain instance
    and a short search's best."""
    prep = solver._prepare(problem)
    choice = solver._first_patterns(prep, random.Random(seed))
    model = solver._Model(prep, choice, wide=True)
    inst = model.ruin_instance()
    return model, inst, ruin.search(inst, seed, time.time() + 600, rounds=rounds)


def _reads_back_at_its_cost(problem: Problem, rounds: int) -> None:
    prep = solver._prepare(problem)
    if not any(vp.plannable for vp in prep.visits) or not prep.vehicles:
        return  # nothing to plan (the solver does not build a model then either)
    model, inst, best = _searched(problem, rounds)
    if best.spans is not None:
        # a weekly cap binds: the search keeps it over the days together, and the model the
        # routes are read back into bounds each day by its span and a part of what is left
        for unit in problem.units:
            mine = [v for v, ud in enumerate(model.uds) if ud.unit_id == unit.id]
            if unit.weekly_max_work is not None:
                assert sum(best.spans[v] for v in mine) <= unit.weekly_max_work
    # read back as the solver does: into the model of the day patterns the routes keep to
    choice = model.chosen_patterns(best.routes, solver._first_patterns(model.prep, random.Random(0)))
    model = solver._Model(model.prep, choice, spans=best.spans)
    seqs = {v: list(keys) for v, keys in enumerate(best.routes)}
    sol = model.restore(SolveParams(), seqs)
    assert sol is not None, "routes the search accepted do not read back into OR-Tools' model"
    assert model.sequences(sol) == seqs
    # Arc costs and penalties agree exactly. The costs of late and long days follow the
    # times, which OR-Tools' read-back (a first solution, not an optimum) may set later than
    # the earliest schedule the search priced.
    served = {k for keys in best.routes for k in keys}
    fixed = sum(p for k, p in inst.penalty.items() if k not in served)
    for v, keys in enumerate(best.routes):
        nodes = [inst.start[v], *(inst.key_node[(k, v)] for k in keys), inst.start[v]] if keys else []
        fixed += sum(inst.cost[v][a][b] for a, b in itertools.pairwise(nodes))
    assert sol.ObjectiveValue() - _timed_costs_ortools(model, sol) == fixed
    assert best.objective >= fixed


def _timed_costs_ortools(model: Any, sol: Any) -> int:
    """OR-Tools' costs of the routes beyond their arc costs (late or long days), from its times."""
    w = model.prep.problem.weights
    out = 0
    for v, ud in enumerate(model.uds):
        start, end = model.routing.Start(v), model.routing.End(v)
        if sol.Value(model.routing.NextVar(start)) == end:
            continue
        t0, t1 = sol.Value(model.tdim.CumulVar(start)), sol.Value(model.tdim.CumulVar(end))
        if ud.shift.end > ud.regular_end:
            out += w.after_hours * max(0, t1 - ud.regular_end)
        if w.balance > 0:
            out += w.balance * max(0, t1 - t0 - w.balance_target)
    return out


@st.composite
def full_days(draw: st.DrawFn) -> Problem:
    """More work than one or two days hold: long visits, windows, breaks that bind."""
    n_days = draw(st.integers(1, 2))
    dates = WEEK[:n_days]
    cap = draw(st.sampled_from([None, 5 * HOUR, 10 * HOUR]))  # 5 h and 10 h bind on 2 days
    units = tuple(
        Unit(f"van{i + 1}", f"Van {i + 1}", BASE, weekly_max_work=cap) for i in range(draw(st.integers(1, 2)))
    )
    days = []
    for u in units:
        for d in dates:
            end = draw(st.sampled_from([16 * HOUR, 20 * HOUR]))
            rule = BreakRule(
                duration=draw(st.sampled_from([15, 30, 45])) * MINUTE,
                window=TimeWindow(
                    draw(st.sampled_from([11, 12, 13])) * HOUR, draw(st.sampled_from([14, 15])) * HOUR
                ),
                required_after=draw(st.sampled_from([4, 5, 6])) * HOUR,
            )
            days.append(
                UnitDay(
                    u.id,
                    d,
                    shift=TimeWindow(8 * HOUR, end),
                    regular_end=16 * HOUR,
                    max_work=draw(st.sampled_from([None, 8 * HOUR, 9 * HOUR])),
                    break_rule=rule,
                    crew=(CrewMember("sw1"),),
                )
            )
    vs = []
    for i in range(draw(st.integers(8, 22))):
        vid = f"v{i}"
        vs.append(
            make_visit(
                vid,
                draw(points(vid)),
                service=draw(st.sampled_from([20, 30, 45, 60, 90])),
                time_windows=draw(windows()),
                priority=draw(st.integers(1, 3)),
            )
        )
    return Problem("full days", dates, units, tuple(days), STAFF, tuple(vs))


@PROPERTY_SETTINGS
@given(problems())
def test_searched_routes_read_back_into_ortools_at_the_same_cost(problem: Problem) -> None:
    """Generated problems: the search's best routes are a solution of OR-Tools' model, whose
    objective is the cost the search computed (the two agree on every rule and cost)."""
    _reads_back_at_its_cost(problem, rounds=30)


@PROPERTY_SETTINGS
@given(full_days())
def test_full_days_read_back_into_ortools_at_the_same_cost(problem: Problem) -> None:
    """Days fuller than they can hold, with breaks that must be placed: the same agreement."""
    _reads_back_at_its_cost(problem, rounds=60)


def _instance(
    travel: list[list[int]], windows: list[list[tuple[int, int]]], service: list[int], **kw: Any
) -> ruin.Instance:
    """A one-vehicle instance on nodes 0 (the base), 1.. (one visit each)."""
    n = len(travel)
    keys = [(i, 0) for i in range(1, n)]
    args: dict[str, Any] = dict(
        service=service,
        windows=windows,
        load=[0] * n,
        start=[0],
        travel=[travel],
        cost=[travel],
        shift=[(8 * HOUR, 16 * HOUR)],
        regular_end=[16 * HOUR],
        after_hours=0,
        span_limit=[8 * HOUR],
        max_drive=[None],
        capacity=[None],
        brk=[None],
        day=[0],
        keys=keys,
        key_node={(k, 0): k[0] for k in keys},
        penalty={k: 1_000_000 for k in keys},
    )
    args.update(kw)
    return ruin.Instance(**args)


def _cost(inst: ruin.Instance, seq: list[int], gap: int) -> int | None:
    """The compiled schedule check of vehicle 0 serving ``seq`` (None: infeasible)."""
    m = inst.arrays()
    span = np.zeros(1, dtype=np.int64)
    c = ruin.route_cost(m, 0, np.array(seq, dtype=np.int64), len(seq), gap, m[11][0], span)
    return None if c < 0 else int(c)


def test_the_break_goes_only_where_its_window_and_the_stretches_allow() -> None:
    """Two stops of three hours: the break fits between them (12:00) but not before the
    first (work after it would run over the stretch of six hours) nor after the last."""
    t = 10 * MINUTE
    travel = [[0, t, t], [t, 0, t], [t, t, 0]]
    day = [(8 * HOUR, 16 * HOUR)]
    inst = _instance(
        travel,
        [[], day, day],
        [0, 3 * HOUR, 3 * HOUR],
        brk=[(12 * HOUR, 14 * HOUR, 30 * MINUTE, 6 * HOUR)],
    )
    seq = [1, 2]
    assert _cost(inst, seq, 1) == 3 * t
    assert _cost(inst, seq, 0) is None  # a break first (12:00) leaves no room for both stops
    assert _cost(inst, seq, 2) is None  # after the last stop the day runs past 16:00
    assert _cost(inst, seq, ruin.NO_BREAK) is None  # a 6 h 30 day needs one


def test_a_short_day_needs_no_break_and_windows_with_holes_are_kept() -> None:
    """A stop whose windows are 08:00-08:10 and 11:00-11:30, reached at 09:00: it starts at
    11:00, and the day (departing late, span at most 2 h) needs no break."""
    t = HOUR
    travel = [[0, t], [t, 0]]
    inst = _instance(
        travel,
        [[], [(8 * HOUR, 8 * HOUR + 10 * MINUTE), (11 * HOUR, 11 * HOUR + 30 * MINUTE)]],
        [0, 30 * MINUTE],
        brk=[(12 * HOUR, 14 * HOUR, 30 * MINUTE, 6 * HOUR)],
        span_limit=[150 * MINUTE],
    )
    assert _cost(inst, [1], ruin.NO_BREAK) == 2 * t
    narrow = _instance(travel, [[], [(7 * HOUR, 8 * HOUR + 30 * MINUTE)]], [0, 30 * MINUTE])
    assert _cost(narrow, [1], ruin.NO_BREAK) is None  # reached at 09:00, too late


def test_removing_a_stop_off_the_triangle_takes_out_what_no_longer_fits() -> None:
    """Travel 1 -> 3 longer than 1 -> 2 -> 3 (terrain can do that): without stop 2, stop 3
    is reached after its window, so it leaves the route too; what is left is feasible."""
    m = MINUTE
    travel = [
        [0, 10 * m, 10 * m, 20 * m],
        [10 * m, 0, 10 * m, 90 * m],
        [10 * m, 10 * m, 0, 10 * m],
        [20 * m, 90 * m, 10 * m, 0],
    ]
    day = [(8 * HOUR, 16 * HOUR)]
    inst = _instance(travel, [[], day, day, [(8 * HOUR, 9 * HOUR)]], [0, 10 * m, 10 * m, 10 * m])
    m, st = inst.arrays(), ruin._state(1, 3)
    ruin.init_limits(m, st)
    st[0][0] = 3
    st[1][0, :3] = [1, 2, 3]
    st[2][0, :3] = [0, 1, 2]  # occurrences (1, 0), (2, 0), (3, 0)
    st[9][:] = 0
    st[4][0] = ruin.route_cost(m, 0, st[1][0, :3], 3, ruin.NO_BREAK, st[11][0], np.zeros(1, np.int64))
    assert st[4][0] >= 0
    ruin.refresh(m, st, 0)
    removed = np.empty(4, dtype=np.int64)
    count = ruin.remove_keys(m, st, 0, np.array([1]), 1, removed, 0)
    assert list(removed[:count]) == [1, 2]  # (2, 0) taken out, then (3, 0) with it
    assert list(st[1][0, : st[0][0]]) == [1] and list(st[9]) == [0, -1, -1]
    assert st[4][0] == _cost(inst, [1], int(st[3][0]))


def _count_ruin_searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A list that gets "ruin" each time this process runs a ruin-and-recreate search."""
    calls: list[str] = []
    real = solver._ruin_search

    def counted(*args: Any) -> Any:
        calls.append("ruin")
        return real(*args)

    monkeypatch.setattr(solver, "_ruin_search", counted)
    return calls


def test_weighed_visits_are_searched_by_ruin_and_recreate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Priorities that differ: the ruin-and-recreate search (``search="auto"``), whose plan
    passes the validator; ``search="ortools"`` keeps OR-Tools' own. Equal priorities that
    all fit at once take ruin and recreate too (only travel is left to save); ``search``
    forces either."""
    calls = _count_ruin_searches(monkeypatch)
    places = ["rododafni", "temeni", "valimitika", "diakopto"]
    weighed = make_problem([make_visit(f"v{i}", p, priority=1 + i % 2) for i, p in enumerate(places)])
    plan = solve(weighed, SolveParams(time_limit=1))
    assert calls == ["ruin"]
    assert validate(weighed, plan) == []
    assert {s.visit_id for r in plan.routes for s in r.stops} == {f"v{i}" for i in range(4)}
    calls.clear()
    solve(weighed, SolveParams(time_limit=1, search="ortools"))
    assert calls == []
    equal = make_problem([make_visit(f"v{i}", p) for i, p in enumerate(places)])
    plan = solve(equal, SolveParams(time_limit=1))
    assert calls == ["ruin"]
    assert validate(equal, plan) == [] and not plan.unassigned
    calls.clear()
    solve(equal, SolveParams(time_limit=1, search="ortools"))
    assert calls == []
    solve(equal, SolveParams(time_limit=1, search="ruin"))
    assert calls == ["ruin"]


def test_equal_priorities_take_both_searches_and_a_binding_weekly_cap_takes_ruin_and_recreate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every visit worth the same: the first worker searches by ruin and recreate, the
    second with OR-Tools, the best plan wins, whether all fits or not, with day patterns to
    choose or without. A binding weekly cap takes ruin and recreate too (only it keeps the
    cap over the week)."""
    calls = _count_ruin_searches(monkeypatch)
    auto = SolveParams()
    assert solver._worker_params(auto, 1, seeded=False, weighed=False).search == "ortools"
    assert solver._worker_params(auto, 2, seeded=False, weighed=False).search == "auto"
    assert solver._worker_params(auto, 1, seeded=True, weighed=False).search == "ortools"
    assert solver._worker_params(auto, 1, seeded=False, weighed=True).search == "auto"
    ruin_only = SolveParams(search="ruin")
    assert solver._worker_params(ruin_only, 1, seeded=False, weighed=False).search == "ruin"
    places = ["rododafni", "temeni", "valimitika", "diakopto"]
    told: list[SolveParams] = []
    real = solver._worker_params

    def seen(*args: Any) -> SolveParams:
        told.append(real(*args))
        return told[-1]

    monkeypatch.setattr(solver, "_worker_params", seen)
    too_many = make_problem([make_visit(f"v{i}", places[i % 4], HOUR) for i in range(12)], dates=WEEK[:1])
    fits = make_problem([make_visit(f"v{i}", places[i % 4], HOUR) for i in range(4)], dates=WEEK[:1])
    for problem in (too_many, fits):
        calls.clear()
        plan = solve(problem, SolveParams(time_limit=1))
        assert calls == ["ruin"]  # one worker: ruin and recreate
        assert validate(problem, plan) == [] and bool(plan.unassigned) == (problem is too_many)
        calls.clear()
        told.clear()
        plan = solve(problem, SolveParams(time_limit=1.5, workers=2))
        assert validate(problem, plan) == [] and bool(plan.unassigned) == (problem is too_many)
        assert calls == ["ruin"] and [w.search for w in told] == ["ortools"]  # the second: OR-Tools'
    calls.clear()
    capped = make_problem(
        [make_visit(f"v{i}", places[i % 4], HOUR) for i in range(4)],
        dates=WEEK[:2],
        units=(Unit("van1", "Van", BASE, weekly_max_work=10 * HOUR),),
    )
    plan = solve(capped, SolveParams(time_limit=1))
    assert calls == ["ruin"]
    assert validate(capped, plan) == []
    calls.clear()
    told.clear()
    patterned = make_problem(
        [
            make_visit("pv", "kounina", frequency=2, patterns=((WEEK[0], WEEK[3]), (WEEK[1], WEEK[4]))),
            *(make_visit(f"v{i}", places[i % 4], HOUR) for i in range(4)),
        ]
    )
    plan = solve(patterned, SolveParams(time_limit=1.5, workers=2))
    assert validate(patterned, plan) == [] and not plan.unassigned
    assert calls == ["ruin"] and [w.search for w in told] == ["ortools"]


def _first(inst: ruin.Instance) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The instance's arrays and the search's first solution in them."""
    m = inst.arrays()
    st = ruin._state(len(inst.start), len(inst.keys))
    ruin.init_limits(m, st)
    n = len(inst.keys)
    ruin.recreate(m, st, ruin._cache(n, len(inst.start)), np.arange(n), n, False)
    return m, st


def test_the_temperatures_and_ruins_follow_what_the_first_solution_leaves_out() -> None:
    """Everything served at once: only travel is left to save, so the annealing runs from 3
    to 0.03 times the mean arc (SISR's scale) and the ruins follow SISR's rule from the
    routes' length; visits left out: the temperatures and ruins measured on the demo week.
    Given values win."""
    t = 10 * MINUTE
    travel = [[0, t, 2 * t], [t, 0, 3 * t], [2 * t, 3 * t, 0]]  # arcs 10, 20, 30 min: mean 20
    day = [(8 * HOUR, 16 * HOUR)]
    fits = _instance(travel, [[], day, day], [0, HOUR, HOUR])
    m, st = _first(fits)
    assert not ruin.left_out(m, st)
    assert ruin.temperatures(m, st, ruin.Settings()) == pytest.approx((3 * 2 * t, 0.03 * 2 * t))
    assert ruin.ruin_sizes(m, st, ruin.Settings()) == (13, 2)  # strings of 2, up to 4 * 10 / 3 - 1 routes
    told = ruin.Settings(hot=5e5, cold=7.0, max_routes=2, max_string=4)
    assert ruin.temperatures(m, st, told) == (5e5, 7.0)
    assert ruin.ruin_sizes(m, st, told) == (2, 4)
    assert ruin.ruin_sizes(m, st, ruin.Settings(max_routes=0)) == (0, 2)  # 0 is no route, not "auto"
    full = _instance(
        travel, [[], day, day], [0, 5 * HOUR, 5 * HOUR], penalty={(1, 0): 3_000_000, (2, 0): 2_000_000}
    )
    m, st = _first(full)  # the day holds one of the two
    assert len(ruin.left_out(m, st)) == 1  # one of the two, whichever the recreate took first
    assert ruin.temperatures(m, st, ruin.Settings()) == (200_000, 1_000)
    assert ruin.ruin_sizes(m, st, ruin.Settings()) == (3, 6)
    # told that only travel is left (the solver's choice for equal priorities), whatever is left out
    travel_only = ruin.Settings(travel_only=True)
    assert ruin.temperatures(m, st, travel_only) == pytest.approx((3 * 2 * t, 0.03 * 2 * t))
    assert ruin.ruin_sizes(m, st, travel_only) == (19, 1)  # routes of one stop: 4 * 10 / 2 - 1


def test_a_shift_longer_than_a_day_bounds_the_span_by_its_length() -> None:
    """A unit-day with no working-time limit and a shift of more than 24 h (the Cordeau
    instances, distances times 1,000): the ruin search's span limit is the shift's length,
    as in OR-Tools' model. Capped at 24 h, the first solution of p03 (one vehicle a day)
    left customers out, and the search never served them all, where OR-Tools did."""
    from benchmarks import adapters
    from benchmarks.readers import read_cordeau

    prep = solver._prepare(adapters.cordeau_problem(read_cordeau(Path("benchmarks/instances/pvrp/p03.txt"))))
    model = solver._Model(prep, solver._first_patterns(prep, random.Random(0)))
    inst = model.ruin_instance()
    assert inst.span_limit == [ud.shift.end - ud.shift.start for ud in model.uds]
    assert min(inst.span_limit) > 24 * HOUR
    m, st = _first(inst)
    assert not ruin.left_out(m, st)  # every customer served at once


def test_an_unknown_search_is_refused() -> None:
    """A misspelt search name is a clear error, not a silent default."""
    with pytest.raises(ValueError, match="search must be auto, ruin or ortools"):
        SolveParams(search="alns")


def test_the_demo_week_reads_back_whole() -> None:
    """The demo week (two vans, five days, a pilot day, crews changing at noon): a short
    search's routes read back into OR-Tools at the cost the search computed."""
    _reads_back_at_its_cost(load_problem(DEMO), rounds=300)


def test_given_routes_go_in_as_they_are_and_what_breaks_a_rule_is_recreated() -> None:
    """Start routes are put in first, in their order (not the cheapest), as long as each
    stop keeps the rules: a start that visits 3, 1, 2 (a detour) stays so after no rounds;
    one that puts stop 3 (window 08:00-09:00) last, where it is reached too late, keeps 1
    and 2 in that order and leaves 3 to the recreate, which puts it first."""
    m = MINUTE
    travel = [[0, 10 * m, 10 * m, 10 * m], [10 * m, 0, 10 * m, 20 * m], [10 * m, 10 * m, 0, 10 * m],
              [10 * m, 20 * m, 10 * m, 0]]  # fmt: skip
    day = [(8 * HOUR, 16 * HOUR)]
    inst = _instance(travel, [[], day, day, [(8 * HOUR, 9 * HOUR)]], [0, 30 * m, 30 * m, 30 * m])
    far = 10**9
    as_given = ruin.search(inst, 0, time.time() + 600, rounds=0, start=[[(3, 0), (1, 0), (2, 0)]])
    assert as_given.routes == [[(3, 0), (1, 0), (2, 0)]]
    fresh = ruin.search(inst, 0, time.time() + 600, rounds=0)
    assert fresh.routes != as_given.routes  # the start is not what the recreate would build
    late = [[(1, 0), (2, 0), (3, 0)]]  # 3 reached at 09:30 at the earliest after 1 and 2
    assert _cost(inst, [1, 2, 3], ruin.NO_BREAK) is None
    kept = ruin.search(inst, 0, time.time() + 600, rounds=0, start=late)
    assert kept.routes[0][-2:] == [(1, 0), (2, 0)] and (3, 0) in kept.routes[0]
    assert kept.objective < far


def test_given_routes_keep_the_minimum_gap_and_the_weekly_cap() -> None:
    """Three days of one unit. A visit wanted twice at least two days apart, given on days
    0 and 1: its second occurrence stays out of day 1 (the recreate then puts it on day 2).
    A weekly cap of one day's work: of two visits given on days 0 and 1, the second does not
    go in, although it is worth more (a start is taken as it is, day by day)."""
    t = 10 * MINUTE
    travel = [[0, t, t], [t, 0, t], [t, t, 0]]
    day = [(8 * HOUR, 16 * HOUR)]

    def three_days(keys: list[tuple[int, int]], **kw: Any) -> ruin.Instance:
        return ruin.Instance(
            service=[0, HOUR, HOUR], windows=[[], day, day], load=[0, 0, 0], start=[0, 0, 0],
            travel=[travel] * 3, cost=[travel] * 3, shift=[(8 * HOUR, 16 * HOUR)] * 3,
            regular_end=[16 * HOUR] * 3, after_hours=0, span_limit=[8 * HOUR] * 3,
            max_drive=[None] * 3, capacity=[None] * 3, brk=[None] * 3, day=[0, 1, 2], keys=keys,
            **kw,
        )  # fmt: skip

    twice = [(1, 0), (1, 1)]
    inst = three_days(twice, key_node={(k, v): 1 for k in twice for v in range(3)},
                      penalty={k: 1_000_000 for k in twice}, min_gap={1: 2})  # fmt: skip
    found = ruin.search(inst, 0, time.time() + 600, rounds=0, start=[[(1, 0)], [(1, 1)], []])
    assert found.routes == [[(1, 0)], [], [(1, 1)]]
    two = [(1, 0), (2, 0)]
    capped = three_days(two, key_node={(k, v): k[0] for k in two for v in range(3)},
                        penalty={(1, 0): 1_000_000, (2, 0): 10}, unit=[0, 0, 0],
                        weekly=[HOUR + 2 * t])  # fmt: skip
    found = ruin.search(capped, 0, time.time() + 600, rounds=0, start=[[(2, 0)], [(1, 0)], []])
    assert found.routes == [[(2, 0)], [], []]


def test_a_visit_with_day_patterns_moves_to_its_cheapest_pattern_whole() -> None:
    """Four days, a visit wanted twice on days (0, 2) or (1, 3), its arcs costing 1, 2, 10
    and 2 units on days 0 to 3. Put in from nothing, it takes (1, 3) (8 units) whichever
    occurrence comes first: occurrence by occurrence, the first on its cheapest day, day 0
    would tie the second to day 2 (22). Given on (0, 2), it stays there with no rounds; a
    few rounds move both occurrences together to (1, 3), which no move of one occurrence
    alone can reach. Given on (0, 3), not a pattern, its second occurrence goes to day 2."""
    t = 10 * MINUTE
    travel = [[0, t], [t, 0]]
    twice = [(1, 0), (1, 1)]
    inst = ruin.Instance(
        service=[0, HOUR], windows=[[], [(8 * HOUR, 16 * HOUR)]], load=[0, 0], start=[0] * 4,
        travel=[travel] * 4, cost=[[[0, c], [c, 0]] for c in (1, 2, 10, 2)],
        shift=[(8 * HOUR, 16 * HOUR)] * 4, regular_end=[16 * HOUR] * 4, after_hours=0,
        span_limit=[8 * HOUR] * 4, max_drive=[None] * 4, capacity=[None] * 4, brk=[None] * 4,
        day=[0, 1, 2, 3], keys=twice, key_node={(k, v): 1 for k in twice for v in range(4)},
        penalty={k: 1_000_000 for k in twice}, patterns={1: [(0, 2), (1, 3)]},
    )  # fmt: skip
    cheap = [[], [(1, 0)], [], [(1, 1)]]
    for seed in range(8):
        fresh = ruin.search(inst, seed, time.time() + 600, rounds=0)
        assert (fresh.routes, fresh.objective) == (cheap, 8)
    given = [[(1, 0)], [], [(1, 1)], []]
    assert ruin.search(inst, 0, time.time() + 600, rounds=0, start=given).routes == given
    found = ruin.search(inst, 0, time.time() + 600, rounds=20, start=given)
    assert (found.routes, found.objective) == (cheap, 8)
    odd = ruin.search(inst, 0, time.time() + 600, rounds=0, start=[[(1, 0)], [], [], [(1, 1)]])
    assert odd.routes == given
    m = inst.arrays()
    st = ruin._state(4, 2)
    ruin.init_limits(m, st)
    ruin.recreate(m, st, ruin._cache(2, 4), np.arange(2, dtype=np.int64), 2, False)
    assert list(st[9]) == [1, 3]
    removed = np.empty(3, dtype=np.int64)
    count = ruin.drop(m, st, 1, np.array([0]), 1, removed, 0)
    assert sorted(removed[:count]) == [0, 1] and list(st[9]) == [-1, -1]  # both go
    with pytest.raises(ValueError, match="patterns"):
        dataclasses.replace(inst, patterns={1: [(0,)]}).arrays()


def test_ruin_and_recreate_serves_a_visit_on_the_pattern_with_room() -> None:
    """A visit wanted on (Mon, Thu) or (Tue, Fri), where pinned visits fill Monday and
    Thursday: ruin and recreate, now the search for day patterns too, serves it on Tuesday
    and Friday; the plan passes the validator."""
    patterns = ((MON, THU), (TUE, FRI))
    full = [make_visit(f"full{i}", "temeni", 2 * HOUR, pinned_date=d) for i, d in enumerate(3 * (MON, THU))]
    pv = make_visit("pv", "kounina", 90 * MINUTE, frequency=2, patterns=patterns)
    problem = make_problem([pv, *full])
    plan = solve(problem, SolveParams(time_limit=1, search="ruin"))
    assert validate(problem, plan) == [] and not plan.unassigned
    assert tuple(d for d, _ in stops_of(plan, "pv")) == (TUE, FRI)


def test_a_pinned_visit_wanted_twice_is_not_held_to_its_first_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """A visit wanted twice, pinned to Monday, its first choice of days made (Mon, Tue),
    where pinned visits fill Tuesday: ruin and recreate (the default search) serves its
    second visit on another day, and the plan passes the validator."""
    calls = _count_ruin_searches(monkeypatch)
    full = [make_visit(f"full{i}", "temeni", 2 * HOUR, pinned_date=TUE) for i in range(3)]
    pp = make_visit("pp", "kounina", 90 * MINUTE, frequency=2, pinned_date=MON)
    problem = make_problem([pp, *full])
    first = solver._first_patterns

    def stuck(prep: Any, rng: random.Random) -> dict[int, tuple[date, ...]]:
        return {**first(prep, rng), 0: (MON, TUE)}

    monkeypatch.setattr(solver, "_first_patterns", stuck)
    plan = solve(problem, SolveParams(time_limit=1))
    assert calls == ["ruin"]
    assert validate(problem, plan) == [] and not plan.unassigned
    days = [d for d, _ in stops_of(plan, "pp")]
    assert days[0] == MON and days[1] not in (MON, TUE)


def _unserved_priority(problem: Problem, plan: Any) -> int:
    return sum(problem.visit(u.visit_id).priority for u in plan.unassigned)


def test_a_re_plan_starts_from_the_published_routes_and_is_never_worse() -> None:
    """The demo week planned in 4 s and "published": every served visit's dates, units and
    starts become its preferred ones (as ``kinito week`` sets them, with the unit of each
    date: a visit twice a week may have had both units). The search's start
    routes are that plan's routes, stop for stop, and a re-plan of 1 s (another seed, one
    worker) serves at least as much priority and, unless it serves more, keeps every visit
    on its date and unit.
    (Only the ruin-and-recreate search starts from given routes: OR-Tools' reading them back
    can take long on a busy machine.)"""
    problem = load_problem(DEMO)
    first = solve(problem, SolveParams(time_limit=4, seed=1))
    told = promised(problem, first)  # as benchmarks.replan promises a plan
    dates = {v.id: v.preferred_dates or frozenset() for v in told.visits if v.preferred_times}
    units = {v.id: v.preferred_units or frozenset() for v in told.visits if v.preferred_times}
    times = {v.id: v.preferred_times for v in told.visits if v.preferred_times}
    prep = solver._prepare(told)
    model = solver._Model(prep, solver._first_patterns(prep, random.Random(0)))
    start = model.start_routes()
    assert start is not None
    by_vehicle = {(ud.date, ud.unit_id): v for v, ud in enumerate(model.uds)}
    for route in first.routes:
        movable = [s.visit_id for s in route.stops if told.visit(s.visit_id).preferred_times]
        got = [prep.visits[vi].visit.id for vi, _occ in start[by_vehicle[(route.date, route.unit_id)]]]
        assert got == movable, (route.date, route.unit_id)
    again = solve(told, SolveParams(time_limit=1, seed=5, search="ruin", workers=1))
    assert validate(told, again) == []
    assert _unserved_priority(told, again) <= _unserved_priority(problem, first)
    if _unserved_priority(told, again) < _unserved_priority(problem, first):
        return  # serving more may move visits (seen on a busy machine, whose 4 s plan was weaker)
    where = {(s.visit_id, r.date): r.unit_id for r in again.routes for s in r.stops}
    kept = [v.id for v in told.visits if v.preferred_times]
    moved = [(vid, d) for vid in kept for d in dates[vid] if where.get((vid, d)) not in units[vid]]
    assert moved == []
    # and the times people were told: the routes read back with each break where the search
    # priced it (OR-Tools left alone put some in another gap, moving the next stop by 30-45 min)
    start_of = {(s.visit_id, r.date): s.start for r in again.routes for s in r.stops}
    late = [
        (vid, d) for vid in kept for d, t in times[vid].items() if abs(start_of[(vid, d)] - t) > TIME_BAND
    ]
    assert late == []


def test_the_routes_read_back_with_each_break_where_the_day_costs_least(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The search's routes go back into OR-Tools with each break fixed where the day costs
    least (:func:`planner.ruin.best_breaks`), not where OR-Tools' own reading would put it
    (on the demo week it put every one of ten elsewhere, up to an hour later), and each
    route leaving when the search's day does."""
    chosen: dict[int, tuple[int, int]] = {}
    real = ruin.best_breaks

    def spy(inst: ruin.Instance, routes: Any, limits: Any, work: int) -> dict[int, tuple[int, int]]:
        chosen.clear()
        chosen.update(real(inst, routes, limits, work))
        return dict(chosen)

    monkeypatch.setattr(ruin, "best_breaks", spy)
    problem = load_problem(DEMO)
    plan = solve(problem, SolveParams(time_limit=2, seed=3, workers=1, search="ruin"))
    assert validate(problem, plan) == []
    prep = solver._prepare(problem)
    uds = [problem.unit_days[i] for i in prep.vehicles]
    routes = {(r.date, r.unit_id): r for r in plan.routes if r.stops}
    assert chosen
    for v, (start, depart) in chosen.items():
        route = routes[(uds[v].date, uds[v].unit_id)]
        if uds[v].break_rule is not None:
            assert (route.rest.start if route.rest is not None else -1) == start, uds[v]
        assert route.depart == depart, uds[v]  # and it leaves when the search's day does


def test_a_day_of_visits_with_no_windows_does_not_wait_before_its_break() -> None:
    """Fifth walkthrough: six one-hour visits at one place, no windows, the same priority (so
    OR-Tools' own search plans them): the day left at 08:00, waited 30-57 minutes, then took
    its break. Read back with the break and the departure its cheapest day has, it waits
    not at all: its span is driving, service and the break."""
    base = Location("base", 38.249786, 22.081621, "Κέντρο")
    there = Location("aigio2", 38.245, 22.085, "Αίγιο 2")
    day = date(2026, 12, 10)
    problem = Problem(
        name="six", dates=(day,), units=(Unit("van1", "Βαν", base),),
        unit_days=(UnitDay("van1", day, crew=(CrewMember("sw1"),)),),
        staff=(StaffMember("sw1", "Ελένη", ("social_worker",)),),
        visits=tuple(Visit(f"a{i}", there, 60 * MINUTE) for i in range(6)),
    )  # fmt: skip
    for seed in (1, 2):
        plan = solve(problem, SolveParams(time_limit=1, seed=seed, workers=1))
        assert validate(problem, plan) == []
        (route,) = plan.routes
        assert len(route.stops) == 6 and route.rest is not None
        assert route.waiting_time == 0, (seed, route.depart, [s.start for s in route.stops])
        assert route.arrive - route.depart == route.drive_time + route.service_time + route.rest.duration
