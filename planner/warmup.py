"""Compiling the search ahead (:mod:`planner.ruin`, numba) and knowing that it is compiled.

Numba compiles the search the first time it runs after installing, or after
``planner/ruin.py`` changed (about four minutes on the 2-core machine), into its cache beside
that file; later processes load it in about a second. ``python -m planner.ruin`` (which
``make install`` runs) compiles it ahead (:func:`warm_all`) and leaves a note in the cache
once a pass finds everything there (:func:`ready`). A plan that finds no such note compiles
first (:func:`prepare`), so that the compile does not come out of the plan's time.

This module is kept apart from :mod:`planner.ruin` because numba's cache is stamped with
that whole file: a change here would otherwise throw the compiled search away.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from planner import child_env

PASSES = 4  # warm_all's processes at most (three always were: two compile, the third finds all)
COMMAND = ("-m", "planner.ruin")  # what compiles the search ahead, in a fresh process


def _dispatchers() -> list[Any]:
    """The search's compiled functions."""
    from numba.core.registry import CPUDispatcher

    from planner import ruin

    return [f for f in vars(ruin).values() if isinstance(f, CPUDispatcher)]


def _marker() -> tuple[Path, str]:
    """Where the note that numba's cache holds the whole search goes, and what it must say:
    the source (numba's own stamp of ``planner/ruin.py``), numba's version, Python's, and the
    processor numba compiles for (a cache copied to another machine is compiled again)."""
    import numba
    from numba.core.registry import cpu_target

    from planner import ruin

    cache: Any = getattr(ruin.anneal, "_cache")  # noqa: B009  numba's cache (its folder, the source's stamp)
    stamp = cache._cache_file._source_stamp
    mark = {
        "source": stamp.hex() if isinstance(stamp, bytes) else repr(stamp),
        "numba": numba.__version__,
        "python": sys.implementation.cache_tag,
        "cpu": list(cpu_target.target_context.codegen().magic_tuple()),
    }
    return Path(cache._cache_path) / f"ruin.warm.{sys.implementation.cache_tag}.json", json.dumps(mark)


def ready() -> bool:
    """Whether the search loads from numba's cache (a pass of :func:`warm_all` found every
    function there), so that a plan needs no compiling."""
    try:
        path, mark = _marker()
        return path.read_text(encoding="utf-8") == mark
    except (OSError, AttributeError, ValueError):  # no note, or a numba whose cache reads otherwise
        return False


def warm_all(passes: int = PASSES) -> bool:
    """Compile the search into numba's cache so that later processes only load it, and note
    when it is whole (:func:`ready`); whether it is.

    The functions inlined into others (``inline="always"``) leave some callers unsaved the
    first time they compile (seventeenth session: a second process compiled for another
    90 s, a third loaded all in 0.4 s), so a process that compiled anything hands over to
    a fresh one, which compiles what is left; ``passes`` processes at most, so that a cache
    that never fills (a disk full) ends the attempt."""
    from planner import ruin

    took = ruin.warm()
    compiled = sum(len(f.stats.cache_misses) for f in _dispatchers())
    print(f"ruin and recreate: {compiled} functions compiled, the rest loaded, in {took:.1f} s", flush=True)
    if compiled == 0:
        try:
            path, mark = _marker()
            path.write_text(mark, encoding="utf-8")
        except (OSError, AttributeError, ValueError) as exc:
            print(f"ruin and recreate: the cache's note not written ({exc})", flush=True)
            return False
        return True
    if passes <= 1:
        return False
    done = subprocess.run([sys.executable, *COMMAND, "--passes", str(passes - 1)], check=False)
    return done.returncode == 0


NOT_WHOLE = (
    "η μεταγλωττισμένη αναζήτηση δεν αποθηκεύτηκε ολόκληρη στην κρυφή μνήμη του numba: κάθε "
    "πλάνο θα τη μεταγλωττίζει ξανά (λεπτά)· ελέγξτε ότι ο φάκελος planner/__pycache__ (ή ο "
    "NUMBA_CACHE_DIR) γράφεται και ότι υπάρχει χώρος στον δίσκο / the compiled search was not "
    "stored whole in numba's cache: every plan will compile it again (minutes); check that "
    "planner/__pycache__ (or NUMBA_CACHE_DIR) is writable and the disk has room"
)


def main(argv: list[str] | None = None) -> int:
    """``python -m planner.ruin [--passes N]``: :func:`warm_all`; exit 1 if the cache is not
    whole after it."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m planner.ruin", description=main.__doc__)
    parser.add_argument("--passes", type=int, default=PASSES, help="processes at most (default %(default)s)")
    args = parser.parse_args(argv)
    if warm_all(max(1, args.passes)):
        return 0
    if args.passes >= PASSES:  # the first process speaks for the others
        print(NOT_WHOLE, file=sys.stderr)
    return 1


_failed: list[bool] = []  # a compile ahead that failed in this process: not tried again


@contextlib.contextmanager
def _locked(wait: Callable[[], None]) -> Iterator[None]:
    """Hold the cache's lock file (one compile at a time: two on two cores would each take
    twice as long), calling ``wait`` about once a second while another process has it. No
    lock where the cache has no folder to put it in."""
    import fcntl

    try:
        path = _marker()[0].with_suffix(".lock")
        handle = path.open("a")
    except (OSError, AttributeError, ValueError):
        yield
        return
    with handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:  # another plan compiles: wait for it
                wait()
                time.sleep(1.0)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare(report: Callable[[float], None] | None = None) -> bool:
    """Make sure the search loads from numba's cache before a plan's time starts; whether it
    had to wait for a compile (then the plan's time should start now).

    Compiled inside a plan, it took that plan's time: the demo week's first plan on a fresh
    copy took 104 s for its 8 s and served 73 of 103 visits rather than about 95. So it is
    compiled first, in fresh processes (``python -m planner.ruin``), ``report`` hearing the
    seconds since this began about once a second; another process compiling already is
    waited for. Should the compile fail, what it printed goes to standard error, the search
    compiles in the plan as it used to, and this process does not try again."""
    if _failed or ready():
        return False
    t0 = time.monotonic()

    def tick() -> None:
        if report is not None:
            report(round(time.monotonic() - t0, 1))

    tick()
    with _locked(tick):
        if ready():  # another process compiled it meanwhile
            return True
        with tempfile.TemporaryFile() as out:
            child = subprocess.Popen(
                [sys.executable, *COMMAND], stdout=out, stderr=subprocess.STDOUT, env=child_env()
            )
            try:
                while True:
                    try:
                        child.wait(timeout=1.0)
                        break
                    except subprocess.TimeoutExpired:
                        tick()
            finally:
                if child.poll() is None:  # interrupted (Ctrl-C): the compile goes with the plan
                    child.kill()
                    child.wait()
            if child.returncode != 0:
                _failed.append(True)
                out.seek(0)
                said = out.read().decode("utf-8", "replace").strip().splitlines()[-3:]
                print("\n".join(said) or NOT_WHOLE, file=sys.stderr, flush=True)
    return True
