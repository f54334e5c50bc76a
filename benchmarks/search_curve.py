"""The demo week's search alone, at several budgets: how what it reaches grows with its time.

The demo benchmark (``python -m benchmarks demo``) times the whole command; this one runs only
the compiled ruin-and-recreate search (:mod:`planner.ruin`) on the model the command builds,
for a budget of seconds per search, two searches at a time (one per core), and reports the
priority each leaves unserved. A budget four times as long stands for a search four times as
fast, so the curve says what a faster search would buy before one is written, and a new
method can be compared with it at equal seconds.

With ``--serve-only PLAN`` the searches may serve only what that plan (a ``plan.json``
written by ``kinito plan`` for the same problem) serves: the choice of what to serve is given
and only the routing is left, so the curve says which of the two is hard. The priority
unserved still counts every visit, so the plan's own figure is the floor.

Run as ``python -m benchmarks.search_curve`` (rewrites ``benchmarks/SEARCH_CURVE.md``;
progress on stderr).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.demo import DEMO_PROBLEM as PROBLEM
from benchmarks.demo import REPO
from benchmarks.demo import _display_path as _shown

OUTPUT = REPO / "benchmarks" / "SEARCH_CURVE.md"
OUTPUT_GIVEN = REPO / "benchmarks" / "SEARCH_CURVE_GIVEN.md"


@dataclass(frozen=True)
class Search:
    """One search's outcome: its budget and seed, the priority it left unserved, its
    objective and how many rounds it made; ``floor``: the priority it was not allowed to serve."""

    budget: float
    seed: int
    unserved: int
    objective: int
    rounds: int
    floor: int = 0


def _warm() -> None:
    """Load the compiled search in a worker process before any budget starts."""
    from planner import ruin

    ruin.warm()


def search_once(
    problem: Path, budget: float, seed: int, serve_only: Collection[tuple[str, int]] | None = None
) -> Search:
    """One search of ``budget`` seconds on the model ``kinito plan`` builds for ``problem``;
    with ``serve_only`` ((visit id, occurrence) pairs) it may serve only those."""
    from planner import ruin, solver
    from planner.schema import load_problem

    prep = solver._prepare(load_problem(problem))
    model = solver._Model(prep, solver._first_patterns(prep, random.Random(seed)), wide=True)
    inst = model.ruin_instance()
    if serve_only is not None:
        allowed = set(serve_only)
        nodes = {
            kv: x for kv, x in inst.key_node.items() if (prep.visits[kv[0][0]].visit.id, kv[0][1]) in allowed
        }
        inst = replace(inst, key_node=nodes)
    found = ruin.search(inst, seed, time.time() + budget)
    served = {key for route in found.routes for key in route}
    worth = {key: max(1, prep.visits[key[0]].visit.priority) for key in inst.keys}
    unserved = sum(w for key, w in worth.items() if key not in served)
    servable = {key for key, _ in inst.key_node}
    floor = sum(w for key, w in worth.items() if key not in servable) if serve_only is not None else 0
    return Search(budget, seed, unserved, found.objective, found.rounds, floor)


def served_in(plan_path: Path) -> frozenset[tuple[str, int]]:
    """The (visit id, occurrence) pairs a ``plan.json`` serves."""
    from planner.schema import load_plan

    return frozenset(
        (stop.visit_id, stop.occurrence) for route in load_plan(plan_path).routes for stop in route.stops
    )


def run_curve(
    problem: Path,
    plan: list[tuple[float, int]],
    procs: int = 2,
    serve_only: Collection[tuple[str, int]] | None = None,
) -> list[Search]:
    """Searches of each budget with seeds 1..n (``plan``: (budget, n) pairs), ``procs`` at a
    time, serving only ``serve_only`` when given; progress on stderr."""
    jobs = [(budget, seed) for budget, n in plan for seed in range(1, n + 1)]
    out: list[Search] = []
    with ProcessPoolExecutor(max_workers=procs, initializer=_warm) as pool:
        futures = [pool.submit(search_once, problem, budget, seed, serve_only) for budget, seed in jobs]
        for future in futures:
            found = future.result()
            out.append(found)
            print(
                f"{found.budget:g} s seed {found.seed}: unserved priority {found.unserved}, "
                f"{found.rounds} rounds",
                file=sys.stderr,
                flush=True,
            )
    return out


def render(
    problem: Path,
    plan: list[tuple[float, int]],
    runs: list[Search],
    procs: int,
    serve_only: Path | None = None,
) -> str:
    """The results as Markdown."""
    budgets = ",".join(f"{b:g}:{n}" for b, n in plan)
    given = f" --serve-only {_shown(serve_only)}" if serve_only is not None else ""
    lines = [
        "# Demo week: the search alone, at several budgets"
        + (", serving only what a given plan serves" if serve_only is not None else ""),
        "",
        "Written by `python -m benchmarks.search_curve`; not a timed test. Each row: searches of "
        "the compiled ruin and recreate (`planner/ruin.py`, default settings) on the model "
        "`kinito plan` builds for the problem, with seeds 1..n, "
        f"{procs} at a time (one per core), the compiled code loaded before the budget starts. "
        "The command's own budget of 8 s leaves its search about 6-7 s (start-up, the model, "
        "reading the routes back and the polish take the rest). A budget k times as long stands "
        "for a search k times as fast.",
        "",
        f"- Reproduce: `python -m benchmarks.search_curve --problem {_shown(problem)} "
        f"--budgets {budgets} --procs {procs}{given}`",
        f"- Machine: nproc {os.cpu_count()}, {platform.platform()}; Python {platform.python_version()}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
    ]
    if serve_only is not None:
        floor = max((r.floor for r in runs), default=0)
        lines.append(
            f"- Only the visits `{_shown(serve_only)}` serves may be served: the choice is given, "
            f"only the routing is searched. The priority that plan leaves unserved ({floor}) is "
            "counted too, so it is the least a search can show."
        )
    lines += [
        "",
        "| budget s | searches | unserved priority, seed 1.. | mean | best | rounds (mean) |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for budget, _ in plan:
        rows = sorted((r for r in runs if r.budget == budget), key=lambda r: r.seed)
        if not rows:
            continue
        values = [r.unserved for r in rows]
        rounds = round(statistics.mean(r.rounds for r in rows))
        lines.append(
            f"| {budget:g} | {len(rows)} | {', '.join(map(str, values))} | "
            f"{statistics.mean(values):.2f} | {min(values)} | {rounds} |"
        )
    return "\n".join(lines) + "\n"


def _plan(text: str) -> list[tuple[float, int]]:
    """``"6:16,24:16"`` -> [(6.0, 16), (24.0, 16)]."""
    plan = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        budget, _, count = part.partition(":")
        try:
            pair = (float(budget), int(count or 1))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected BUDGET:SEARCHES pairs, got {part!r}") from None
        if pair[0] <= 0 or pair[1] < 1:
            raise argparse.ArgumentTypeError(f"budget and searches must be positive, got {part!r}")
        plan.append(pair)
    if not plan:
        raise argparse.ArgumentTypeError("at least one budget is needed")
    return plan


def _given_choice(
    parser: argparse.ArgumentParser, problem: Path, plan_path: Path
) -> frozenset[tuple[str, int]]:
    """What ``--serve-only``'s plan serves, checked against the problem (else a usage error)."""
    from planner.schema import SchemaError, load_problem

    if not plan_path.is_file():
        parser.error(f"no such plan file: {plan_path}")
    try:
        given = served_in(plan_path)
        known = {visit.id for visit in load_problem(problem).visits}
    except SchemaError as e:
        parser.error(f"{plan_path}: {e}")
    strangers = sorted({visit for visit, _ in given} - known)
    if strangers:
        shown = ", ".join(strangers[:5])
        parser.error(f"{plan_path} serves visits that are not in the problem: {shown}")
    return given


def main(argv: list[str] | None = None) -> int:
    """Run the curve, write the Markdown file."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_curve", description=__doc__)
    parser.add_argument("--problem", type=Path, default=PROBLEM)
    parser.add_argument(
        "--budgets", type=_plan, default=_plan("6:16,24:16,96:4"), metavar="S:N,...", help="seconds:searches"
    )
    parser.add_argument("--procs", type=int, default=2, help="searches at a time")
    parser.add_argument(
        "--serve-only", type=Path, metavar="PLAN", help="serve only what this plan.json (same problem) serves"
    )
    parser.add_argument("--output", type=Path, help=f"default {_shown(OUTPUT)}, or {_shown(OUTPUT_GIVEN)}")
    args = parser.parse_args(argv)
    if args.procs < 1:
        parser.error("--procs must be at least 1")
    if not args.problem.is_file():
        parser.error(f"no such problem file: {args.problem}")
    given = None
    if args.serve_only is not None:
        given = _given_choice(parser, args.problem, args.serve_only)
    output = args.output or (OUTPUT if given is None else OUTPUT_GIVEN)
    runs = run_curve(args.problem, args.budgets, args.procs, given)
    text = render(args.problem, args.budgets, runs, args.procs, args.serve_only)
    output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
