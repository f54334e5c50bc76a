"""Compiling the search ahead (planner.warmup): the note that numba's cache is whole, the passes
of ``python -m planner.ruin``, and a plan that compiles first, waits for another compile, or
says that the compile failed."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from planner import solver, warmup
from planner.solver import SolveParams, solve
from planner.validate import validate
from tests.planner.conftest import MON, make_problem, make_visit

VILLAGES = ("temeni", "diakopto", "kounina")


def test_the_cache_note_says_whether_the_search_loads_without_compiling(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """:func:`warmup.ready` holds only when the note matches this source, numba, Python and CPU."""
    note = tmp_path / "note.json"
    monkeypatch.setattr(warmup, "_marker", lambda: (note, '{"source": "x"}'))
    assert not warmup.ready()  # no note
    note.write_text('{"source": "y"}', encoding="utf-8")
    assert not warmup.ready()  # another source's
    note.write_text('{"source": "x"}', encoding="utf-8")
    assert warmup.ready()


def test_warm_all_notes_a_whole_cache_and_hands_over_at_most_its_passes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A pass that compiled nothing writes the note; one that compiled something hands over
    to a fresh process with one pass fewer, and the last gives up (before, a cache that never
    filled would have started processes without end)."""
    from planner import ruin

    note = tmp_path / "note.json"
    misses: Counter[tuple[str, ...]] = Counter()
    monkeypatch.setattr(warmup, "_marker", lambda: (note, "mark"))
    monkeypatch.setattr(ruin, "warm", lambda: 0.1)
    compiled = SimpleNamespace(stats=SimpleNamespace(cache_misses=misses))  # a compiled function's record
    monkeypatch.setattr(warmup, "_dispatchers", lambda: [compiled])
    calls: list[list[str]] = []

    def run(cmd: list[str], check: bool) -> SimpleNamespace:
        calls.append(cmd)
        return SimpleNamespace(returncode=1)

    monkeypatch.setattr(subprocess, "run", run)
    assert warmup.warm_all(1) and note.read_text(encoding="utf-8") == "mark" and not calls
    note.unlink()
    misses[("int64",)] = 1  # this pass compiled a function
    assert not warmup.warm_all(1) and not calls and not note.exists()
    assert not warmup.warm_all(3) and calls == [[sys.executable, "-m", "planner.ruin", "--passes", "2"]]


def test_the_installed_search_is_noted_whole() -> None:
    """``python -m planner.ruin`` (which ``make install`` runs) leaves the search whole in
    numba's cache and says so: a fresh process reads the note through numba's own stamp of
    ``planner/ruin.py`` (about a second when the cache is filled, as after installing)."""
    done = subprocess.run([sys.executable, "-m", "planner.ruin"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert ": 0 functions compiled" in done.stdout.splitlines()[-1]
    assert warmup.ready()
    path, mark = warmup._marker()
    assert path.read_text(encoding="utf-8") == mark
    from planner import ruin

    assert path.parent == Path(ruin.__file__).parent / "__pycache__"  # numba's cache beside the source
    assert json.loads(mark)["python"] == sys.implementation.cache_tag and json.loads(mark)["cpu"]


def test_a_plan_compiles_the_search_first_and_its_time_starts_after(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With the search not yet in numba's cache, a plan first runs the compile (here a
    stand-in that takes 2.5 s), reported as its own stage, and the time limit starts after
    it: before, the compile came out of the plan's seconds (the demo week's first plan on a
    fresh copy: 104 s for its 8 and 73 of 103 visits served)."""
    monkeypatch.setattr(warmup, "ready", lambda: False)
    monkeypatch.setattr(warmup, "_marker", lambda: (tmp_path / "note.json", "mark"))
    monkeypatch.setattr(warmup, "COMMAND", ("-c", "import time; time.sleep(2.5)"))
    problem = make_problem([make_visit(f"v-{name}", name) for name in VILLAGES], dates=(MON,))
    seen: list[solver.Progress] = []
    plan = solve(problem, SolveParams(time_limit=1.0, workers=1), seen.append)
    stages = [p.stage for p in seen]
    assert stages[0] == "compile" and stages.count("compile") >= 2  # at once, then every second
    assert "search" not in stages[: stages.count("compile")]  # the search only after
    assert all(p.stage == "search" for p in seen[stages.count("compile") :])
    assert plan.wall_time < 2.5  # counted from after the compile
    assert validate(problem, plan) == [] and sum(len(r.stops) for r in plan.routes) == 3


def test_a_failed_compile_is_said_and_not_tried_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A compile ahead that fails (a full disk) prints what it said, and this process does not
    try again before each plan (four passes of minutes each): the search then compiles in the
    plan, as it used to."""
    monkeypatch.setattr(warmup, "ready", lambda: False)
    monkeypatch.setattr(warmup, "_failed", [])
    monkeypatch.setattr(warmup, "_marker", lambda: (tmp_path / "note.json", "mark"))
    monkeypatch.setattr(warmup, "COMMAND", ("-c", "import sys; print('no room on the disk'); sys.exit(1)"))
    assert warmup.prepare() is True
    assert "no room on the disk" in capsys.readouterr().err
    monkeypatch.setattr(warmup, "COMMAND", ("-c", "raise SystemExit('tried again')"))
    assert warmup.prepare() is False  # not tried again
    assert capsys.readouterr().err == ""


def test_a_plan_waits_for_a_compile_already_under_way(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two plans at once compile once: the second waits for the first's lock, reporting its
    seconds, and finds the search compiled (two compiles on two cores would each take twice
    as long)."""
    note = tmp_path / "note.json"
    monkeypatch.setattr(warmup, "_failed", [])
    monkeypatch.setattr(warmup, "_marker", lambda: (note, "mark"))
    monkeypatch.setattr(warmup, "COMMAND", ("-c", "raise SystemExit('compiled twice')"))
    heard: list[float] = []
    waited: list[bool] = []
    with (tmp_path / "note.lock").open("a") as other:
        fcntl.flock(other, fcntl.LOCK_EX)  # another plan compiles
        waiting = threading.Thread(target=lambda: waited.append(warmup.prepare(heard.append)))
        waiting.start()
        time.sleep(2.5)
        assert waiting.is_alive() and len(heard) >= 2  # still waiting, and saying so
        note.write_text("mark", encoding="utf-8")  # the other plan's compile is done
        fcntl.flock(other, fcntl.LOCK_UN)
    waiting.join(timeout=10)
    assert not waiting.is_alive() and waited == [True]  # it waited: the plan's time starts now
