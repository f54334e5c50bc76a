"""Command line: ``python -m benchmarks solve PATH``, ``python -m benchmarks table --set SET``
and ``python -m benchmarks demo``.

``solve`` prints Kinito's checked answer on one instance as JSON on stdout; it exits 0
when the checker accepts the solution and 1 otherwise.  ``table`` runs a whole set through
Kinito and the peers that fit it, shows progress on stderr, writes the raw results as JSON
and the set's section of the Markdown results file, and prints the summary as JSON.
``demo`` times the product's own ``plan`` command on the demo week (short and long budgets,
one run after another), writes ``benchmarks/DEMO_WEEK.md`` with the verdicts, and prints
them as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(name) for name in _names(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not seeds:
        raise argparse.ArgumentTypeError("at least one seed is needed")
    return seeds


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m benchmarks`` argument parser."""
    from benchmarks.demo import DEMO_MD, DEMO_PROBLEM
    from benchmarks.table import RESULTS_DIR, SETS

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    solve = sub.add_parser("solve", help="solve one instance with Kinito and check it; JSON on stdout")
    solve.add_argument("path", type=Path, help="a Solomon (.txt) or Cordeau periodic-VRP file")
    solve.add_argument("--time-limit", type=_positive, required=True, metavar="S", help="seconds")
    solve.add_argument("--seed", type=int, default=1, metavar="N")

    table = sub.add_parser("table", help="run a set through Kinito and its peers; write RESULTS.md")
    table.add_argument("--set", dest="set_name", choices=sorted(SETS), required=True)
    table.add_argument(
        "--time-limit", type=_positive, required=True, metavar="S", help="seconds per solver run"
    )
    table.add_argument("--seed", type=int, default=1, metavar="N")
    table.add_argument(
        "--instances",
        type=_names,
        default=None,
        metavar="A,B",
        help="only these instances (names, comma separated)",
    )
    table.add_argument(
        "--solvers",
        type=_names,
        default=None,
        metavar="A,B",
        help="only these solvers (default: every solver that fits the set)",
    )
    table.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="Markdown results file (default benchmarks/RESULTS.md for a whole run; a run "
        "restricted by --instances or --solvers writes none unless given)",
    )
    table.add_argument(
        "--results-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where <set>-<date>.json goes (default: benchmarks/results, or a "
        "'results' folder beside --output when --output is given)",
    )
    table.add_argument("--quiet", action="store_true", help="no progress on stderr")

    demo = sub.add_parser(
        "demo", help="time the plan command on the demo week (short and long budgets); write DEMO_WEEK.md"
    )
    demo.add_argument(
        "--problem", type=Path, default=DEMO_PROBLEM, metavar="FILE", help="default data/demo/week.json"
    )
    demo.add_argument(
        "--short",
        type=_positive,
        default=None,
        metavar="S",
        help="short budget (default: the plan command's own)",
    )
    demo.add_argument("--long", type=_positive, default=120.0, metavar="S", help="long budget (default 120)")
    demo.add_argument(
        "--seeds", type=_seeds, default=[1, 2, 3], metavar="1,2,3", help="seeds of the short runs"
    )
    demo.add_argument(
        "--long-seeds",
        type=_seeds,
        default=None,
        metavar="1",
        help="seeds of the long runs (default: the first of --seeds)",
    )
    demo.add_argument(
        "--output", type=Path, default=DEMO_MD, metavar="FILE", help="default benchmarks/DEMO_WEEK.md"
    )
    demo.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(results_dir_default=RESULTS_DIR)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "solve":
        from benchmarks.runner import solve_file

        out = solve_file(args.path, args.time_limit, args.seed)
        print(json.dumps(out))
        return 0 if out["feasible"] else 1
    if args.command == "demo":
        return _demo(args)

    from benchmarks.table import RESULTS_MD, run_table, summarise, write_outputs

    output = args.output
    results_dir = args.results_dir
    if results_dir is None:
        results_dir = args.results_dir_default if output in (None, RESULTS_MD) else output.parent / "results"
    try:
        run = run_table(
            args.set_name,
            args.time_limit,
            args.seed,
            instances=args.instances,
            solvers=args.solvers,
            progress=None if args.quiet else sys.stderr,
        )
    except ValueError as exc:
        parser.error(str(exc))
    if output is None and not run.partial:
        output = RESULTS_MD
    json_path = write_outputs(run, output, results_dir)
    if output is None and not args.quiet:
        print(f"a partial run: {json_path} written, {RESULTS_MD.name} left as it is "
              "(--output FILE writes its table)", file=sys.stderr)  # fmt: skip
    summary = {
        "set": args.set_name,
        "time_limit": args.time_limit,
        "seed": args.seed,
        "output": None if output is None else str(output),
        "results": str(json_path),
        "summary": [s.__dict__ for s in summarise(run)],
    }
    print(json.dumps(summary))
    return 0


def _demo(args: argparse.Namespace) -> int:
    """``demo``: measure, write the report, print the verdicts as JSON; exit 0 when it was written."""
    from benchmarks.demo import SHORT_DEFAULT, run_demo, write_markdown

    bench = run_demo(
        args.problem,
        short=args.short if args.short is not None else SHORT_DEFAULT,
        long=args.long,
        seeds=args.seeds,
        long_seeds=args.long_seeds,
        progress=None if args.quiet else sys.stderr,
    )
    verdicts = write_markdown(bench, args.output)
    if not args.quiet:
        print(f"written {args.output}", file=sys.stderr)
    print(
        json.dumps(
            {
                "problem": bench.problem,
                "output": str(args.output),
                "runs": [
                    {
                        "kind": r.kind,
                        "budget": r.budget,
                        "seed": r.seed,
                        "wall_s": round(r.wall_s, 3),
                        "objective": r.objective,
                        "served": r.served,
                        "wanted": r.wanted,
                        "served_priority": r.served_priority,
                        "peak_rss_kib": r.peak_rss_kib,
                        "peak_tree_rss_kib": r.peak_tree_rss_kib,
                        "valid": r.valid,
                    }
                    for r in bench.runs
                ],
                "wall_passed": verdicts.wall_passed,
                "max_short_wall_s": verdicts.max_short_wall_s,
                "gap_passed": verdicts.gap_passed,
                "gaps": {str(g.seed): g.gap for g in verdicts.gaps},
                "speed_probe_s": {when: p.seconds for when, p in bench.probes.items()},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
