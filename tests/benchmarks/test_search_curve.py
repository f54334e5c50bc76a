"""Tests for ``python -m benchmarks.search_curve``: the budgets' parsing, a real (short) run
and its report. Asserts no quality or time: the curve is a measurement."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from benchmarks.search_curve import PROBLEM, Search, _plan, _warm, main, render, search_once, served_in
from planner.model import Plan, Route, Stop
from planner.schema import load_problem, plan_to_dict, save_json


def test_plan_parses_budgets_and_counts() -> None:
    assert _plan("6:16, 24:4,1.5") == [(6.0, 16), (24.0, 4), (1.5, 1)]


@pytest.mark.parametrize("text", ["", "x:2", "6:0", "-1:3"])
def test_plan_refuses_bad_budgets(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        _plan(text)


def test_one_search_on_the_demo_week_counts_what_it_leaves() -> None:
    problem = load_problem(PROBLEM)
    _warm()  # as the command's worker processes do: loading the compiled search is not searching
    found = search_once(PROBLEM, 0.3, 1)
    assert found.rounds > 0
    assert 0 <= found.unserved <= sum(max(1, v.priority) * v.frequency for v in problem.visits)
    # what is left unserved is paid in the objective, Weights.unserved per priority point
    assert found.objective >= found.unserved * problem.weights.unserved


def test_report_lists_each_budget_with_its_searches(tmp_path: Path) -> None:
    runs = [Search(6.0, 1, 14, 14_100_000, 70_000), Search(6.0, 2, 13, 13_100_000, 71_000)]
    runs.append(Search(24.0, 1, 12, 12_100_000, 290_000))
    text = render(PROBLEM, [(6.0, 2), (24.0, 1)], runs, 2)
    assert "| 6 | 2 | 14, 13 | 13.50 | 13 | 70500 |" in text
    assert "| 24 | 1 | 12 | 12.00 | 12 | 290000 |" in text
    assert "--budgets 6:2,24:1" in text


def test_command_writes_its_report(tmp_path: Path) -> None:
    out = tmp_path / "curve.md"
    assert main(["--budgets", "0.2:1", "--procs", "1", "--output", str(out)]) == 0
    assert "| 0.2 | 1 |" in out.read_text(encoding="utf-8")


def test_command_refuses_a_missing_problem(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--problem", str(tmp_path / "none.json"), "--output", str(tmp_path / "x.md")])


def _plan_serving(path: Path, ids: list[str]) -> Path:
    """A plan.json for the demo week serving occurrence 0 of ``ids`` on its first unit-day
    (times are not read by ``--serve-only``)."""
    problem = load_problem(PROBLEM)
    day = problem.unit_days[0]
    stops = tuple(
        Stop(v, 0, 9 * 3600 + i * 3600, 9 * 3600 + i * 3600, 9 * 3600 + i * 3600 + 1800, 600, 5000)
        for i, v in enumerate(ids)
    )
    route = Route(day.unit_id, day.date, 8 * 3600, 15 * 3600, stops, 600, 5000)
    plan = Plan(problem.name, (route,), (), 0, 1, 1.0, 1.0)
    save_json(path, plan_to_dict(plan, problem))
    return path


def test_serving_only_a_plans_visits_leaves_the_rest_unserved(tmp_path: Path) -> None:
    problem = load_problem(PROBLEM)
    chosen = [v.id for v in problem.visits[:3]]
    given = served_in(_plan_serving(tmp_path / "plan.json", chosen))
    assert given == {(v, 0) for v in chosen}
    _warm()
    found = search_once(PROBLEM, 0.3, 1, given)
    total = sum(max(1, v.priority) * v.frequency for v in problem.visits)
    assert found.floor == total - sum(max(1, problem.visit(v).priority) for v in chosen)
    # a free search leaves far less than this unserved: only the three may be served
    assert found.floor <= found.unserved <= total


def test_command_with_a_given_choice_says_so(tmp_path: Path) -> None:
    problem = load_problem(PROBLEM)
    plan = _plan_serving(tmp_path / "plan.json", [v.id for v in problem.visits[:2]])
    out = tmp_path / "given.md"
    assert main(["--budgets", "0.2:1", "--procs", "1", "--serve-only", str(plan), "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "serving only what a given plan serves" in text
    assert f"--serve-only {plan}" in text
    assert "| 0.2 | 1 |" in text


def test_command_refuses_another_problems_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problem = load_problem(PROBLEM)
    plan = _plan_serving(tmp_path / "plan.json", [problem.visits[0].id])
    data = json.loads(plan.read_text(encoding="utf-8"))
    data["routes"][0]["steps"][1]["visit"] = "not-a-visit"
    plan.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--budgets", "0.2:1", "--serve-only", str(plan), "--output", str(tmp_path / "x.md")])
    assert "not-a-visit" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(
            [
                "--budgets",
                "0.2:1",
                "--serve-only",
                str(tmp_path / "none.json"),
                "--output",
                str(tmp_path / "x.md"),
            ]
        )
