"""A second search on another core: reads (problem, params, deadline) pickled on stdin and
writes the search's result pickled on stdout. Started only by :mod:`planner.solver`."""

from __future__ import annotations

import pickle
import sys

from planner.solver import _worker


def main() -> None:
    """Run one worker search."""
    problem, params, deadline = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(_worker(problem, params, deadline)))


if __name__ == "__main__":
    main()
