"""Public benchmark instances, readers, an independent solution checker, and the runs.

The readers and the checker are deliberately independent of ``planner``: they
never import the project's engine or OR-Tools, so they can judge the engine's
output without sharing its bugs.

* :mod:`benchmarks.readers` reads Solomon VRPTW files, Cordeau periodic-VRP
  files, Cordeau ``.res`` reference solutions and ``BKS.csv``.
* :mod:`benchmarks.checker` checks a solution against an instance and
  recomputes its cost.
* :mod:`benchmarks.adapters` turns an instance into the engine's own
  ``planner.model.Problem`` and a ``Plan`` back into routes of node ids.
* :mod:`benchmarks.runner` solves an instance (Kinito or a peer) and checks it.
* :mod:`benchmarks.peers` holds the peer solvers (OR-Tools textbook recipe,
  PyVRP, VROOM); none of them uses ``planner``.
* :mod:`benchmarks.table` runs whole sets and writes ``RESULTS.md``;
  ``python -m benchmarks`` is the command line.
* ``benchmarks/instances/`` holds the data files (see its ``README.md``);
  :data:`INSTANCES_DIR` points at it.
"""

from pathlib import Path

INSTANCES_DIR: Path = Path(__file__).resolve().parent / "instances"
"""Directory holding the bundled benchmark files."""

__all__ = ["INSTANCES_DIR"]
