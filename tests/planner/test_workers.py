"""The second core: a worker process searches too, and its result comes back intact."""

from __future__ import annotations

import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from planner import solver
from planner.model import HOUR, Problem, TimeWindow
from planner.solver import SolveParams, _Found, _prepare, _restore_best, _salvage, _worker_params, solve
from planner.validate import validate
from tests.planner.conftest import MON, TUE, hm, make_problem, make_visit

ROOT = Path(__file__).resolve().parents[2]


def _problem() -> Problem:
    places = ["rododafni", "temeni", "valimitika", "diakopto", "kounina", "pteri"]
    return make_problem([make_visit(f"v{i}", p) for i, p in enumerate(places)])


def test_worker_process_returns_a_search_result() -> None:
    """`python -m planner.worker` reads a pickled job on stdin and answers with its routes."""
    problem = _problem()
    job = pickle.dumps((problem, SolveParams(time_limit=1), time.time() + 1.0))
    out = subprocess.run(
        [sys.executable, "-m", "planner.worker"],
        input=job,
        capture_output=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    ).stdout
    found = pickle.loads(out)
    assert isinstance(found, _Found)
    served = {key for seq in found.seqs.values() for key in seq}
    assert len(served) == len(problem.visits)


def test_two_workers_give_a_valid_plan() -> None:
    """With a second worker on the other core the plan still passes the validator."""
    problem = _problem()
    plan = solve(problem, SolveParams(time_limit=2, workers=2))
    assert validate(problem, plan) == []
    assert sum(len(r.stops) for r in plan.routes) == len(problem.visits)


def test_workers_differ_by_seed_where_patterns_are_chosen_else_by_strategy() -> None:
    """Worker k > 0 takes seed + k and stages its packing; it starts from worker 0's
    strategy when day patterns are chosen (the seed makes the searches differ), and from
    another strategy of the portfolio when nothing is chosen at random; either way worker
    1 takes OR-Tools' search (worker 0's is ruin and recreate)."""
    base = SolveParams(seed=5)
    assert _worker_params(base, 1, seeded=True).search == "ortools"
    seeded = _worker_params(base, 2, seeded=True)
    assert seeded.first_solution == base.first_solution and seeded.search == "auto"
    assert (_worker_params(base, 1, seeded=True).seed, seeded.seed) == (6, 7)
    assert seeded.stage_uniform and not base.stage_uniform
    plain = [_worker_params(base, k, seeded=False) for k in (1, 2)]
    assert [w.search for w in plain] == ["ortools", "auto"] and plain[0].seed == 6
    others = [fs for fs in base.portfolio if fs != base.first_solution]
    assert plain[1].first_solution == others[1]
    assert _worker_params(base, 0, seeded=False) == _worker_params(base, 0, seeded=True) == base
    assert seeded.savings_shape == base.savings_shape


def test_workers_on_weighed_visits_without_random_choices_differ_by_savings_shape() -> None:
    """Priorities differ and no pattern is chosen at random: every worker starts from
    worker 0's strategy, worker k with savings shaped 0.3 k higher."""
    base = SolveParams(seed=5)
    shaped = [_worker_params(base, k, seeded=False, weighed=True) for k in (1, 2)]
    assert [w.first_solution for w in shaped] == [base.first_solution] * 2
    assert [round(w.savings_shape, 6) for w in shaped] == [1.3, 1.6]
    assert _worker_params(base, 0, seeded=False, weighed=True) == base


def test_a_result_that_does_not_read_back_gives_way_to_the_next_best() -> None:
    """The final model takes the best result whose routes read back; one that does not
    (here two one-hour visits both due at 10:00 on the same route) is passed over."""
    at_ten = (TimeWindow(hm(10), hm(10, 5)),)
    problem = make_problem(
        [make_visit(f"v{i}", "temeni", HOUR, time_windows=at_ten) for i in range(2)], dates=(MON,)
    )
    prep = _prepare(problem)
    impossible = _Found(0, {}, {0: [(0, 0), (1, 0)]}, "SUCCESS")
    possible = _Found(10, {}, {0: [(1, 0)]}, "SUCCESS")
    best, model, sol = _restore_best(prep, SolveParams(), [possible, impossible], compact=True)
    assert best is possible
    assert sol is not None and model.sequences(sol) == {0: [(1, 0)]}


def test_routes_that_do_not_read_back_whole_are_salvaged_route_by_route() -> None:
    """When no result reads back, the best one's routes are kept route by route, a route
    that cannot be read giving up visits until it can (here one of two one-hour visits due
    at 10:00 on Monday), the other routes as they were."""
    at_ten = (TimeWindow(hm(10), hm(10, 5)),)
    problem = make_problem(
        [make_visit(f"v{i}", "temeni", HOUR, time_windows=at_ten) for i in range(2)]
        + [make_visit("v2", "pteri", priority=2)],
        dates=(MON, TUE),
    )
    prep = _prepare(problem)
    impossible = _Found(0, {}, {0: [(0, 0), (1, 0)], 1: [(2, 0)]}, "SUCCESS")
    assert _restore_best(prep, SolveParams(), [impossible], compact=True)[2] is None
    model, sol = _salvage(prep, SolveParams(), impossible, compact=True)
    assert sol is not None
    assert model.sequences(sol) == {0: [(1, 0)], 1: [(2, 0)]}


def test_the_plan_keeps_the_salvaged_routes(monkeypatch: Any) -> None:
    """solve() falls back on the salvage when no result reads back whole (simulated here),
    and the plan it gives is valid and serves what the search served."""
    calls: list[bool] = []
    restore_best, salvage = solver._restore_best, solver._salvage

    def unreadable(*args: Any) -> Any:
        best, model, _ = restore_best(*args)
        return best, model, None

    def spied(*args: Any) -> Any:
        model, sol = salvage(*args)
        calls.append(sol is not None)
        return model, sol

    monkeypatch.setattr(solver, "_restore_best", unreadable)
    monkeypatch.setattr(solver, "_salvage", spied)
    problem = _problem()
    plan = solve(problem, SolveParams(time_limit=1))
    assert calls == [True]
    assert validate(problem, plan) == []
    assert sum(len(r.stops) for r in plan.routes) == len(problem.visits)


def test_a_long_budget_is_spent_in_episodes_when_visits_are_weighed(monkeypatch: Any) -> None:
    """Weighed visits (priorities differ): episodes from the next first solutions while two
    still fit, the best kept; equal priorities: one search for the whole time."""
    calls: list[str] = []
    episode = solver._episode

    def counted(prep: Any, params: SolveParams, *rest: Any) -> _Found:
        calls.append(params.first_solution)
        return episode(prep, params, *rest)

    monkeypatch.setattr(solver, "_episode", counted)
    places = ["rododafni", "temeni", "valimitika", "diakopto"]
    weighed = make_problem([make_visit(f"v{i}", p, priority=1 + i % 2) for i, p in enumerate(places)])
    # OR-Tools' search (weighed visits are searched by ruin and recreate by default)
    params = SolveParams(time_limit=3, episode=0.6, episode_per_visit=0.0, search="ortools")
    plan = solve(weighed, params)
    assert validate(weighed, plan) == []
    assert len(calls) >= 3
    assert calls[:3] == ["SAVINGS", "PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION"]
    calls.clear()
    # (equal priorities that all fit take ruin and recreate by default)
    plan = solve(_problem(), SolveParams(time_limit=3, episode=0.6, episode_per_visit=0.0, search="ortools"))
    assert len(calls) == 1
