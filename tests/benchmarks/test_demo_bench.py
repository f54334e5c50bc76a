"""Tests for ``python -m benchmarks demo``: verdicts and report on synthetic runs, one real run.

The real run uses a 2 s budget and checks only that every field is filled and the plan
validates; it asserts no time or objective (the demo bench is a measurement, not a timed test).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks.__main__ import build_parser
from benchmarks.demo import (
    DEMO_MD,
    DEMO_PROBLEM,
    DemoBench,
    DemoRun,
    busy_runs,
    compute_verdicts,
    engine_fingerprint,
    git_revision,
    measure_run,
    plan_command,
    render_markdown,
    write_markdown,
)
from benchmarks.probe import Probe, probe, run_probe


def fake_run(
    kind: str,
    seed: int,
    objective: int | None,
    wall: float,
    *,
    budget: float | None = None,
    validate_exit: int | None = 0,
    exit_code: int = 0,
    error: str | None = None,
    other_cpu: float = 0.3,
    engine: str = "0123456789ab",
) -> DemoRun:
    budget = budget if budget is not None else (10.0 if kind == "short" else 120.0)
    return DemoRun(
        kind=kind,
        budget=budget,
        seed=seed,
        command=tuple(plan_command("data/demo/week.json", "plan.json", budget, seed)),
        wall_s=wall,
        exit_code=exit_code,
        peak_rss_kib=150 * 1024,
        peak_tree_rss_kib=280 * 1024,
        other_cpu_s=other_cpu,
        engine=engine,
        cpu_s=2 * wall - 2.0 if objective is not None else 0.5,
        objective=objective,
        served=90 if objective is not None else None,
        wanted=103 if objective is not None else None,
        served_priority=170 if objective is not None else None,
        unserved_priority=20 if objective is not None else None,
        km=412.34 if objective is not None else None,
        work_min=2300.0 if objective is not None else None,
        solver_wall_s=wall - 1.2 if objective is not None else None,
        status="SUCCESS",
        validate_exit=validate_exit,
        error=error,
    )


def fake_bench(runs: list[DemoRun], seeds: tuple[int, ...] = (1, 2, 3)) -> DemoBench:
    return DemoBench(
        problem="data/demo/week.json",
        short=8.0,
        long=120.0,
        seeds=seeds,
        long_seeds=(1,),
        runs=runs,
        started=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        machine={"nproc": 2, "cpu": "Test CPU", "ram_gib": 4.0, "os": "Linux"},
        versions={"python": "3.11.7", "ortools": "9.15"},
        git="abc1234",
        engine_after="0123456789ab",
    )


# --- verdicts -------------------------------------------------------------------------------


def test_verdicts_pass() -> None:
    runs = [
        fake_run("short", 1, 1_005_000, 9.8),
        fake_run("short", 2, 1_009_999, 9.9),
        fake_run("short", 3, 999_000, 9.5),  # better than the long run: a negative gap passes
        fake_run("long", 1, 1_000_000, 120.9),
    ]
    v = compute_verdicts(runs)
    assert v.wall_passed
    assert v.max_short_wall_s == 9.9
    assert v.best_long_objective == 1_000_000 and v.best_long_seed == 1
    assert [g.seed for g in v.gaps] == [1, 2, 3]
    assert [g.gap for g in v.gaps] == pytest.approx([0.005, 0.009999, -0.001])
    assert all(g.passed for g in v.gaps) and v.gap_passed


def test_verdicts_fail_on_wall_and_gap() -> None:
    runs = [
        fake_run("short", 1, 1_011_000, 10.01),  # 1.1 % worse, and over 10 s
        fake_run("short", 2, 1_000_500, 9.0),
        fake_run("long", 1, 1_000_000, 121.0),
    ]
    v = compute_verdicts(runs)
    assert not v.wall_passed and v.max_short_wall_s == 10.01
    assert [g.passed for g in v.gaps] == [False, True]
    assert v.gaps[0].gap == pytest.approx(0.011)
    assert not v.gap_passed


def test_verdicts_best_of_several_long_runs_and_invalid_runs() -> None:
    runs = [
        fake_run("short", 1, 1_000_000, 9.0),
        fake_run("short", 2, 900_000, 9.0, validate_exit=1, error="validate exited 1: late"),
        fake_run("long", 1, 1_000_000, 121.0),
        fake_run("long", 2, 995_000, 121.0),
        fake_run("long", 3, 900_000, 121.0, validate_exit=1),  # invalid: never the reference
    ]
    v = compute_verdicts(runs)
    assert v.best_long_objective == 995_000 and v.best_long_seed == 2
    assert v.gaps[0].gap == pytest.approx(5_000 / 995_000) and v.gaps[0].passed
    # an invalid short run fails both verdicts even though its numbers look fine
    assert v.gaps[1].gap is None and not v.gaps[1].passed
    assert not v.gap_passed and not v.wall_passed


def test_verdicts_without_a_valid_long_run() -> None:
    runs = [
        fake_run("short", 1, 1_000_000, 9.0),
        fake_run("long", 1, None, 3.0, exit_code=3, validate_exit=None, error="plan exited 3"),
    ]
    v = compute_verdicts(runs)
    assert v.wall_passed
    assert v.best_long_objective is None and not v.gap_passed
    assert v.gaps[0].gap is None


def test_verdicts_zero_best_objective() -> None:
    v = compute_verdicts([fake_run("short", 1, 5, 9.0), fake_run("long", 1, 0, 120.5)])
    assert v.gaps[0].gap == math.inf and not v.gap_passed
    v = compute_verdicts([fake_run("short", 1, 0, 9.0), fake_run("long", 1, 0, 120.5)])
    assert v.gaps[0].gap == 0.0 and v.gap_passed


# --- the report -------------------------------------------------------------------------------


def test_markdown_pass_case(tmp_path: Path) -> None:
    bench = fake_bench(
        [
            fake_run("short", 1, 1_005_000, 9.8),
            fake_run("short", 2, 1_002_000, 9.85),
            fake_run("short", 3, 1_001_000, 9.7),
            fake_run("long", 1, 1_000_000, 120.9),
        ]
    )
    out = tmp_path / "sub" / "DEMO_WEEK.md"
    verdicts = write_markdown(bench, out)
    text = out.read_text(encoding="utf-8")
    assert text == render_markdown(bench, verdicts)
    assert "`make bench-demo`" in text  # default settings: the Makefile target reproduces them
    assert "nproc 2, CPU Test CPU, RAM 4.0 GiB" in text
    assert "Python 3.11.7, OR-Tools 9.15" in text
    assert "2026-12-01 09:30 UTC" in text
    shown = "planner.cli plan data/demo/week.json -o plan.json --map plan.html --time-limit 8 --seed 1"
    assert shown in text
    assert (
        "| 10 | 1 | 9.80 | 8.60 | 17.6 | 0.3 | 1005000 | 90/103 | 170 | 20 | 412.3 | 150 | 280 | yes |"
        in text
    )
    assert "| 120 | 1 | 120.90 |" in text
    assert "**10 s target** (wall <= 10 s over the 8 s runs): **PASS**: max wall 9.85 s" in text
    assert "including Python start-up" in text
    assert "(best: 1000000, seed 1; gap = (short - best) / best): **PASS**" in text
    assert "seed 1: objective 1005000, gap +0.500%: **PASS**" in text
    assert "engine: git abc1234, `planner/` source fingerprint 0123456789ab" in text
    assert "The machine was idle" in text and "Every run measured the same engine source." in text
    assert "FAIL" not in text and "**NO**" not in text and "not idle" not in text


def test_markdown_fail_case_shows_invalid_runs() -> None:
    bench = fake_bench(
        [
            fake_run("short", 1, 1_020_000, 11.3),
            fake_run("short", 2, None, 0.9, exit_code=2, validate_exit=None, error="plan exited 2: bad"),
            fake_run("long", 1, 1_000_000, 121.2),
        ],
        seeds=(1, 2),
    )
    text = render_markdown(bench)
    assert "**10 s target** (wall <= 10 s over the 8 s runs): **FAIL**: max wall 11.30 s" in text
    assert "invalid runs, seeds 2" in text
    assert "seed 1: objective 1020000, gap +2.000%: **FAIL**" in text
    assert "seed 2: objective n/a, gap n/a (invalid run): **FAIL**" in text
    assert (
        "| 10 | 2 | 0.90 | n/a | 0.5 | 0.3 | n/a | n/a | n/a | n/a | n/a | 150 | 280 "
        "| **NO**: plan exited 2: bad |" in text
    )
    # not the defaults: the reproduce line spells out the options
    assert "python -m benchmarks demo --problem data/demo/week.json --short 8 --long 120 --seeds 1,2" in text


def test_markdown_flags_a_busy_machine_and_a_changing_engine() -> None:
    runs = [
        fake_run("short", 1, 1_000_000, 9.0, other_cpu=0.8),  # under 10 % of a core: not flagged
        fake_run("short", 2, 1_000_000, 9.0, other_cpu=7.2),
        fake_run("long", 1, 1_000_000, 121.0, other_cpu=89.3, engine="ba9876543210"),
    ]
    assert [(r.seed, r.kind) for r in busy_runs(runs)] == [(2, "short"), (1, "long")]
    text = render_markdown(fake_bench(runs, seeds=(1, 2)))
    assert "**The machine was not idle**" in text
    assert "10 s seed 2 (7.2 CPU s), 120 s seed 1 (89.3 CPU s)." in text
    assert "**The engine's source changed during the measurement**" in text
    assert "120 s seed 1: ba9876543210, after the last run: 0123456789ab" in text
    bench = fake_bench(runs[:2], seeds=(1, 2))
    bench.engine_after = "ffffffffffff"  # changed during the last run
    assert "**The engine's source changed during the measurement**" in render_markdown(bench)


def test_markdown_speed_probe() -> None:
    bench = fake_bench([fake_run("short", 1, 1_000_000, 9.0)], seeds=(1,))
    assert "- Speed probe: not run." in render_markdown(bench)
    bench.probes = {"before": Probe(6.0, 156, 23_099_496), "after": Probe(7.4, 156, 23_099_496)}
    text = render_markdown(bench)
    assert "6.00 s before the runs, 7.40 s after (156 and 156 improving moves" in text
    assert "speed changed" not in text and "different work" not in text
    bench.probes["after"] = Probe(7.6, 156, 23_099_496)  # more than 1.25 times as long
    text = render_markdown(bench)
    assert "**The machine's speed changed during the measurement**" in text
    assert "took 6.00 s before the runs and 7.60 s after" in text
    bench.probes["after"] = Probe(6.0, 150, 23_100_000)  # another path: times not comparable
    text = render_markdown(bench)
    assert "**The speed probe did different work before and after the runs**" in text
    assert "speed changed" not in text
    bench.probe_error = "after the runs: speed probe exited 1: boom"
    text = render_markdown(bench)
    assert "**The speed probe failed** (after the runs: speed probe exited 1: boom)." in text


def test_speed_probe_repeats_its_work(tmp_path: Path) -> None:
    """The probe's seconds measure the machine only if it always does the same work."""
    raw = json.loads(DEMO_PROBLEM.read_text(encoding="utf-8"))
    raw["visits"] = raw["visits"][:40]  # a smaller week, so that the test is quick
    small = tmp_path / "small.json"
    small.write_text(json.dumps(raw), encoding="utf-8")
    here = probe(small)
    assert here.moves > 0 and here.seconds > 0 and here.objective > 0
    fresh = run_probe(small)  # in a fresh process, as the benchmark runs it
    assert (fresh.moves, fresh.objective) == (here.moves, here.objective)
    with pytest.raises(RuntimeError, match="speed probe exited"):
        run_probe(tmp_path / "missing.json")


def test_engine_fingerprint_and_git_revision(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n", encoding="utf-8")
    first = engine_fingerprint(tmp_path)
    assert len(first) == 12 and first == engine_fingerprint(tmp_path)
    (tmp_path / "pkg" / "a.py").write_text("x = 2\n", encoding="utf-8")
    assert engine_fingerprint(tmp_path) != first
    assert len(engine_fingerprint()) == 12
    rev = git_revision()
    assert rev is None or len(rev.split()[0]) >= 7


def test_markdown_without_long_run() -> None:
    bench = fake_bench([fake_run("short", 1, 1_000_000, 9.0)], seeds=(1,))
    text = render_markdown(bench)
    assert "**FAIL**: no valid 120 s run to compare with" in text


# --- the command line -------------------------------------------------------------------------


def test_demo_parser_defaults_and_options() -> None:
    args = build_parser().parse_args(["demo"])
    assert (args.problem, args.short, args.long, args.seeds, args.long_seeds, args.output) == (
        DEMO_PROBLEM,
        None,
        120.0,
        [1, 2, 3],
        None,
        DEMO_MD,
    )
    args = build_parser().parse_args(
        ["demo", "--short", "5", "--long", "60", "--seeds", "4, 5", "--long-seeds", "4,5", "--output", "x.md"]
    )
    assert (args.short, args.long, args.seeds, args.long_seeds, args.output) == (
        5.0,
        60.0,
        [4, 5],
        [4, 5],
        Path("x.md"),
    )
    for bad in (["--seeds", "a,b"], ["--seeds", ","], ["--short", "0"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["demo", *bad])
    # the other subcommands are untouched
    assert build_parser().parse_args(["table", "--set", "pvrp", "--time-limit", "1"]).command == "table"


# --- one real run ---------------------------------------------------------------------------


def test_measure_run_end_to_end(tmp_path: Path) -> None:
    run = measure_run(DEMO_PROBLEM, 2.0, 1, workdir=tmp_path)
    assert run.error is None
    assert run.exit_code == 0 and run.validate_exit == 0 and run.valid
    assert run.command[1:4] == ("-m", "planner.cli", "plan")
    assert run.command[-4:] == ("--time-limit", "2", "--seed", "1")
    assert run.wall_s > 2.0  # the whole command, budget included
    assert run.solver_wall_s is not None and 0 < run.solver_wall_s < run.wall_s
    assert run.objective is not None and run.objective > 0
    assert run.wanted is not None and run.served is not None and 0 < run.served <= run.wanted
    assert run.served_priority is not None and run.served_priority > 0
    assert run.unserved_priority is not None and run.unserved_priority >= 0
    assert run.km is not None and run.km > 0
    assert run.peak_rss_kib is not None and run.peak_rss_kib > 10 * 1024
    assert run.peak_tree_rss_kib is not None and run.peak_tree_rss_kib > 0
    assert run.cpu_s is not None and run.cpu_s > 1.0
    assert run.other_cpu_s is not None and run.other_cpu_s >= 0.0
    assert list(tmp_path.iterdir()) == []  # the temporary plan is cleaned up
