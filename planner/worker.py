"""A second search on another core: reads (problem, params, deadline) pickled on stdin and
writes the search's result pickled on stdout. Started only by :mod:`planner.solver`."""

from __future__ import annotations

import os
import pickle
import sys

from planner.solver import _worker


def main() -> None:
    """Run one worker search."""
    problem, params, deadline = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(_worker(problem, params, deadline)))
    sys.stdout.buffer.flush()
    # The result is out: leave without the interpreter's teardown (with numba's compiled
    # search loaded it took about 0.4 s, which the caller spent waiting).
    os._exit(0)


if __name__ == "__main__":
    main()
