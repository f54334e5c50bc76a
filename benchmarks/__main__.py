"""Command line: ``python -m benchmarks solve PATH`` and ``python -m benchmarks table --set SET``.

``solve`` prints Kinito's checked answer on one instance as JSON on stdout; it exits 0
when the checker accepts the solution and 1 otherwise.  ``table`` runs a whole set through
Kinito and the peers that fit it, shows progress on stderr, writes the raw results as JSON
and the set's section of the Markdown results file, and prints the summary as JSON.
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


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m benchmarks`` argument parser."""
    from benchmarks.table import RESULTS_DIR, RESULTS_MD, SETS

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
        default=RESULTS_MD,
        metavar="FILE",
        help="Markdown results file (default benchmarks/RESULTS.md)",
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

    from benchmarks.table import RESULTS_MD, run_table, summarise, write_outputs

    results_dir = args.results_dir
    if results_dir is None:
        results_dir = (
            args.results_dir_default if args.output == RESULTS_MD else args.output.parent / "results"
        )
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
    json_path = write_outputs(run, args.output, results_dir)
    summary = {
        "set": args.set_name,
        "time_limit": args.time_limit,
        "seed": args.seed,
        "output": str(args.output),
        "results": str(json_path),
        "summary": [s.__dict__ for s in summarise(run)],
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
