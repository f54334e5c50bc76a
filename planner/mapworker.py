"""`kinito plan`'s map, drawn by a second process that gets ready while the plan is solved.

Importing folium takes about 0.7 s, a tenth of the 10 s the demo week's plan may take, and
the map is drawn last, when one core is idle. :class:`MapWriter` therefore starts
``python -m planner.mapworker`` when the command starts: at the lowest CPU priority it takes
almost nothing from the two searches, imports folium while they run (mostly while the routes
are read back on one core), then reads (plan, problem, path, road shapes) pickled on stdin,
writes the map and leaves. Should the child fail for any reason, the map is drawn in this
process as before, so its errors (a missing folder, say) read the same.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from planner import child_env

if TYPE_CHECKING:
    from planner.mapview import Shapes
    from planner.model import Plan, Problem


class MapWriter:
    """Writes a plan's map to ``path`` (nothing when ``path`` is None) through a child started
    now; use as a context manager so that a child whose map is not wanted after all (the plan
    failed) is ended."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.child: subprocess.Popen[bytes] | None = None
        if path is not None:
            try:
                self.child = subprocess.Popen(
                    [sys.executable, "-m", "planner.mapworker"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=child_env(),
                )
            except OSError:  # no child: the map is drawn here
                self.child = None

    def write(self, plan: Plan, problem: Problem, shapes: Shapes | None = None) -> None:
        """Draw the map (in the child, else here)."""
        if self.path is None:
            return
        child, self.child = self.child, None
        if child is not None and _handed_over(child, pickle.dumps((plan, problem, self.path, shapes))):
            return
        from planner.mapview import save_plan_map

        save_plan_map(plan, problem, self.path, shapes=shapes)

    def close(self) -> None:
        """End a child that was given nothing to draw."""
        child, self.child = self.child, None
        if child is not None:
            _handed_over(child, b"")

    def __enter__(self) -> MapWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _handed_over(child: subprocess.Popen[bytes], job: bytes) -> bool:
    """Give ``child`` its job (empty: none) and wait for it; whether it did the job."""
    try:
        child.communicate(job, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        child.kill()
        child.communicate()
        return False
    return child.returncode == 0


def main() -> None:
    """The child: get ready, then draw the map it is sent (none if it is sent nothing)."""
    with contextlib.suppress(OSError):
        os.nice(19)
    from planner.mapview import save_plan_map

    job = sys.stdin.buffer.read()
    if job:
        plan, problem, path, shapes = pickle.loads(job)
        save_plan_map(plan, problem, path, shapes=shapes)
    sys.stderr.flush()
    # done: leave without the interpreter's teardown
    os._exit(0)


if __name__ == "__main__":
    main()
