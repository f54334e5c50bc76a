"""A speed probe: one fixed piece of the engine's work, timed, to tell how fast the machine is.

The demo benchmark gives the search budgets in seconds, so what a run reaches depends on how
much work the machine does in those seconds, and on this virtual machine that varies even when
it is idle: the probe below took from 5.6 s to 13.9 s within one hour of 2026-11-26 with
nothing else running, and 8 s searches of the demo week, the same engine and seeds, left a
mean of 24-27 priority unserved at the slow times and 20-21 at the fast ones.

The work is the engine's first descent on a problem: its model, the SAVINGS first solution,
then OR-Tools' greedy descent to a local optimum, in one process with no time limit. The same
engine on the same problem always takes the same path (the probe reports the number of
improving moves and the objective reached, so that two probes can be checked to have done the
same work), which makes its seconds a measure of the machine.

Run as ``python -m benchmarks.probe PROBLEM``: prints the probe as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBE_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Probe:
    """One timed first descent."""

    seconds: float
    """Wall time of the descent alone (the model and first solution are built before the clock)."""
    moves: int
    """Improving solutions OR-Tools found on the way: the same path gives the same count."""
    objective: int
    """The objective of the local optimum reached."""


def probe(problem_path: Path | str) -> Probe:
    """Run the probe in this process."""
    # The engine's internals: the probe must do exactly the engine's own first descent.
    from planner.schema import load_problem
    from planner.solver import SolveParams, _Model, _prepare

    prep = _prepare(load_problem(problem_path))
    model = _Model(prep, {})
    params = SolveParams(first_solution="SAVINGS", metaheuristic="GREEDY_DESCENT")
    first = model.first(params)
    if first is None:
        raise RuntimeError("OR-Tools found no first solution")
    moves = 0

    def count(_objective: int, _served: int) -> None:
        nonlocal moves
        moves += 1

    model.watch(count)
    t0 = time.perf_counter()
    sol = model.improve(params, PROBE_TIMEOUT_S, first)
    seconds = time.perf_counter() - t0
    return Probe(round(seconds, 3), moves, int(sol.ObjectiveValue()))


def run_probe(problem_path: Path | str, timeout: float = PROBE_TIMEOUT_S + 60) -> Probe:
    """Run the probe in a fresh process (as each benchmark run is); raise on failure."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.probe", str(problem_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"speed probe exited {proc.returncode}: {tail}")
    data = json.loads(proc.stdout)
    return Probe(float(data["seconds"]), int(data["moves"]), int(data["objective"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe", description=__doc__.splitlines()[0])
    parser.add_argument("problem", type=Path, help="a problem JSON file")
    args = parser.parse_args(argv)
    print(json.dumps(asdict(probe(args.problem))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
