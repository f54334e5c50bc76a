"""The demo week's speed and quality, measured on the product's own command.

``python -m benchmarks demo`` (``make bench-demo``) plans ``data/demo/week.json`` with the
short budget (default 10 s) for every seed and with the long budget (default 120 s) for the
first seed, one run after another, each a fresh subprocess running exactly what a user types::

    python -m planner.cli plan data/demo/week.json -o PLAN.json --time-limit T --seed S

with every other setting left at its default (the CLI then uses 2 worker processes).  For
each run it records

* the wall time of the whole command (Python start-up, imports, solving, writing the plan and map),
  timed in this process from just before the command starts to just after it has exited, and
  its CPU time (user + system, the command and its waited-for descendants) and the CPU time
  the rest of the machine spent busy meanwhile (``/proc/stat``), which exposes a run that
  shared the cores with another program;
* the peak memory: ``ru_maxrss`` of the command as returned by ``wait4`` for its pid, which
  on Linux is the largest resident set of any *single* process among the command and the
  descendants it waited for (the CLI waits for its worker), in KiB; and, since the CLI's
  worker runs at the same time as the main process, the peak of the *sum* of the resident
  sets of the command's process tree, sampled from ``/proc`` every 0.25 s (a lower bound of
  the true peak: a spike between two samples is missed);
* from the written plan JSON (``docs/schema.md``): objective, served / wanted visits,
  served and unserved priority, km, work minutes, the solver's own ``wall_time``;
* whether ``python -m planner.cli validate PROBLEM PLAN`` exits 0.  A run whose command or
  validation fails is shown as such in the table and fails both verdicts.

Before the first run and after the last it times a speed probe (``benchmarks/probe.py``: the
engine's first descent on the problem, the same work when the machine runs as usual; when it
is slow, OR-Tools' own time limits inside the descent can send it another way, which the
report flags), since what a search reaches in
a budget of seconds follows how fast the machine is at the time, and that varies.

It then writes ``benchmarks/DEMO_WEEK.md`` with the machine, versions, a row per run and two
verdicts computed from the numbers: the short runs' wall time against the 10 s target, and
each short run's objective against the best long run's (within 1 %).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from benchmarks.probe import Probe, run_probe
from planner.cli import DEFAULT_TIME_LIMIT

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DEMO_PROBLEM = REPO / "data" / "demo" / "week.json"
DEMO_MD = BENCH_DIR / "DEMO_WEEK.md"

WALL_TARGET_S = 10.0
"""The issue's target: the demo week solves in at most this many seconds of wall time."""
GAP_TARGET = 0.01
"""The issue's target: the short run's objective within this fraction of the best long run's."""
REPRODUCE = "make bench-demo"
SHORT_DEFAULT = DEFAULT_TIME_LIMIT
"""The short runs use the plan command's own default search budget: "default settings"."""
SAMPLE_INTERVAL_S = 0.25
BUSY_SHARE = 0.1
"""A run is flagged when the rest of the machine was busy more than this share of one core."""
SPEED_SPREAD = 1.25
"""The machine's speed is flagged as changed when the slower speed probe took this many times
as long as the faster one."""


@dataclass(frozen=True)
class DemoRun:
    """One measured run of ``planner.cli plan``; plan fields are ``None`` when there is no plan."""

    kind: str
    """``"short"`` or ``"long"``."""
    budget: float
    seed: int
    command: tuple[str, ...]
    wall_s: float
    exit_code: int
    peak_rss_kib: int | None
    peak_tree_rss_kib: int | None = None
    cpu_s: float | None = None
    """User + system CPU seconds of the command and its waited-for descendants."""
    other_cpu_s: float | None = None
    """CPU seconds the rest of the machine was busy during the run (``/proc/stat`` minus ``cpu_s``)."""
    objective: int | None = None
    served: int | None = None
    wanted: int | None = None
    served_priority: int | None = None
    unserved_priority: int | None = None
    km: float | None = None
    work_min: float | None = None
    solver_wall_s: float | None = None
    status: str | None = None
    validate_exit: int | None = None
    error: str | None = None
    engine: str | None = None
    """Fingerprint of the engine's source (``planner/**/*.py``) when the run started."""

    @property
    def valid(self) -> bool:
        """The command exited 0, wrote a plan with an objective, and ``validate`` exited 0."""
        return self.exit_code == 0 and self.objective is not None and self.validate_exit == 0


@dataclass
class DemoBench:
    """The whole measurement: the problem, the budgets, the runs, the machine."""

    problem: str
    short: float
    long: float
    seeds: tuple[int, ...]
    long_seeds: tuple[int, ...]
    runs: list[DemoRun] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    machine: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    git: str | None = None
    engine_after: str | None = None
    """The engine's source fingerprint after the last run."""
    probes: dict[str, Probe] = field(default_factory=dict)
    """The speed probe, ``"before"`` the first run and ``"after"`` the last (``benchmarks/probe.py``)."""
    probe_error: str | None = None


@dataclass(frozen=True)
class GapVerdict:
    """One short run against the best long run."""

    seed: int
    objective: int | None
    gap: float | None
    passed: bool


@dataclass(frozen=True)
class Verdicts:
    """The two targets of the issue, computed from the runs."""

    max_short_wall_s: float | None
    wall_passed: bool
    best_long_objective: int | None
    best_long_seed: int | None
    gaps: tuple[GapVerdict, ...]
    gap_passed: bool


# --- the engine's code and the machine's load --------------------------------------------------


def engine_fingerprint(root: Path = REPO / "planner") -> str:
    """A short hash of every ``.py`` file under ``root`` (paths and contents)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def git_revision(repo: Path = REPO) -> str | None:
    """``HEAD``'s short hash, with ``+ uncommitted changes in planner/`` when there are any."""
    try:
        rev = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--", "planner"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{rev} + uncommitted changes in planner/" if dirty else rev


def busy_runs(runs: Sequence[DemoRun], share: float = BUSY_SHARE) -> list[DemoRun]:
    """The runs during which the rest of the machine used more than ``share`` of a core."""
    return [r for r in runs if r.other_cpu_s is not None and r.other_cpu_s > share * r.wall_s]


# --- measuring one run ------------------------------------------------------------------------


def plan_command(problem: Path | str, plan: Path | str, budget: float, seed: int) -> list[str]:
    """The product's command, as a user runs it (the plan and its map beside it), with only the
    budget and seed set."""
    return [
        sys.executable,
        "-m",
        "planner.cli",
        "plan",
        str(problem),
        "-o",
        str(plan),
        "--map",
        str(Path(plan).with_suffix(".html")),
        "--time-limit",
        f"{budget:g}",
        "--seed",
        str(seed),
    ]


def _proc_tree_rss_kib(root: int) -> int:
    """Sum of the resident sets (KiB) of ``root`` and its descendants, read from ``/proc``."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm", encoding="utf-8") as fh:
                total += int(fh.read().split()[1]) * page_kib
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(children.get(pid, []))
    return total


def _busy_cpu_s() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``), or ``None``."""
    try:
        with open("/proc/stat", encoding="utf-8") as fh:
            first = fh.readline().split()
    except OSError:
        return None
    if not first or first[0] != "cpu" or len(first) < 8:
        return None
    # user nice system idle iowait irq softirq steal (guest time is already counted in user)
    ticks = [int(x) for x in first[1:9]]
    busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]
    return busy / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class _Measured:
    wall_s: float
    exit_code: int
    cpu_s: float
    maxrss_kib: int | None
    tree_rss_kib: int | None
    other_cpu_s: float | None


def _run_measured(
    command: Sequence[str], cwd: Path, stdout: TextIO, stderr: TextIO, timeout: float
) -> _Measured:
    """Run ``command``; return its wall time, exit code, CPU time and memory peaks.

    The main thread blocks in ``wait4`` on the command's pid (so the wall time is not rounded
    to a polling interval and the rusage is that command's alone); a helper thread samples the
    process tree's memory and kills the tree (its own session) after ``timeout`` seconds.
    """
    can_sample = os.path.isdir("/proc/self")
    peak_tree = [0]
    done = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(list(command), cwd=cwd, stdout=stdout, stderr=stderr, start_new_session=True)

    def watch() -> None:
        while not done.wait(SAMPLE_INTERVAL_S):
            if can_sample:
                peak_tree[0] = max(peak_tree[0], _proc_tree_rss_kib(proc.pid))
            if time.perf_counter() - start > timeout:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                return

    busy_before = _busy_cpu_s()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        done.set()
    wall = time.perf_counter() - start
    busy_after = _busy_cpu_s()
    watcher.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    other = None if busy_before is None or busy_after is None else max(0.0, busy_after - busy_before - cpu)
    return _Measured(
        wall_s=wall,
        exit_code=proc.returncode,
        cpu_s=cpu,
        other_cpu_s=other,
        maxrss_kib=int(usage.ru_maxrss) if sys.platform.startswith("linux") else None,
        tree_rss_kib=(peak_tree[0] or None) if can_sample else None,
    )


def _tail(path: Path, lines: int = 5) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " / ".join(text[-lines:])


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def measure_run(
    problem: Path,
    budget: float,
    seed: int,
    *,
    kind: str = "short",
    workdir: Path | None = None,
    cwd: Path = REPO,
) -> DemoRun:
    """Plan ``problem`` once with the real CLI in a fresh subprocess, validate it, measure it."""
    with tempfile.TemporaryDirectory(prefix="kinito-demo-", dir=workdir) as tmp:
        tmpdir = Path(tmp)
        plan_path = tmpdir / "plan.json"
        command = plan_command(problem, plan_path, budget, seed)
        out_path, err_path = tmpdir / "stdout.txt", tmpdir / "stderr.txt"
        with open(out_path, "w", encoding="utf-8") as out, open(err_path, "w", encoding="utf-8") as err:
            measured = _run_measured(command, cwd, out, err, timeout=3 * budget + 120)
        code = measured.exit_code
        fields: dict[str, Any] = {}
        error: str | None = None
        if code != 0:
            error = f"plan exited {code}: {_tail(err_path)}"
        if plan_path.exists():
            try:
                plan = json.loads(plan_path.read_text(encoding="utf-8"))
                summary = plan.get("summary", {})
                fields = {
                    "objective": _int_or_none(plan.get("objective")),
                    "served": _int_or_none(summary.get("served")),
                    "wanted": _int_or_none(summary.get("visits")),
                    "served_priority": _int_or_none(summary.get("served_priority")),
                    "unserved_priority": _int_or_none(summary.get("unserved_priority")),
                    "km": _float_or_none(summary.get("km")),
                    "work_min": _float_or_none(summary.get("work_min")),
                    "solver_wall_s": _float_or_none(plan.get("wall_time")),
                    "status": str(plan["status"]) if "status" in plan else None,
                }
            except (ValueError, AttributeError) as exc:
                error = (error + "; " if error else "") + f"unreadable plan: {exc}"
            try:
                check = subprocess.run(
                    [sys.executable, "-m", "planner.cli", "validate", str(problem), str(plan_path)],
                    cwd=cwd,
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                error = (error + "; " if error else "") + "validate timed out"
            else:
                fields["validate_exit"] = check.returncode
                if check.returncode != 0:
                    detail = " / ".join((check.stdout + check.stderr).strip().splitlines()[-5:])
                    error = (error + "; " if error else "") + f"validate exited {check.returncode}: {detail}"
        elif error is None:
            error = "no plan written"
    return DemoRun(
        kind=kind,
        budget=budget,
        seed=seed,
        command=tuple(command),
        wall_s=measured.wall_s,
        exit_code=code,
        peak_rss_kib=measured.maxrss_kib,
        peak_tree_rss_kib=measured.tree_rss_kib,
        cpu_s=measured.cpu_s,
        other_cpu_s=measured.other_cpu_s,
        error=error,
        **fields,
    )


# --- the whole measurement --------------------------------------------------------------------


def _describe(run: DemoRun) -> str:
    if not run.valid:
        return f"INVALID ({run.error})"
    return (
        f"wall {run.wall_s:.2f} s, objective {run.objective}, served {run.served}/{run.wanted}, "
        f"priority {run.served_priority}, peak RSS {_mib(run.peak_rss_kib)} MiB"
    )


def run_demo(
    problem: Path = DEMO_PROBLEM,
    short: float = SHORT_DEFAULT,
    long: float = 120.0,
    seeds: Sequence[int] = (1, 2, 3),
    long_seeds: Sequence[int] | None = None,
    progress: TextIO | None = None,
) -> DemoBench:
    """Every short run, then every long run, one after another (never concurrently)."""
    from benchmarks.table import machine_info, versions

    if not seeds:
        raise ValueError("at least one seed is needed")
    longs = tuple(long_seeds) if long_seeds else (seeds[0],)
    bench = DemoBench(
        problem=_display_path(problem),
        short=short,
        long=long,
        seeds=tuple(seeds),
        long_seeds=longs,
        machine=machine_info(),
        versions={k: v for k, v in versions().items() if k in ("python", "ortools")},
        git=git_revision(),
    )
    plan = [("short", short, s) for s in seeds] + [("long", long, s) for s in longs]
    _probe(bench, problem, "before", progress)
    for i, (kind, budget, seed) in enumerate(plan, 1):
        if progress is not None:
            print(f"[{i}/{len(plan)}] {budget:g} s, seed {seed} ...", file=progress, flush=True)
        engine = engine_fingerprint()
        run = dataclasses.replace(measure_run(problem.resolve(), budget, seed, kind=kind), engine=engine)
        bench.runs.append(run)
        if progress is not None:
            print(f"[{i}/{len(plan)}] {budget:g} s, seed {seed}: {_describe(run)}", file=progress, flush=True)
    bench.engine_after = engine_fingerprint()
    _probe(bench, problem, "after", progress)
    return bench


def _probe(bench: DemoBench, problem: Path, when: str, progress: TextIO | None) -> None:
    """Time the speed probe into ``bench.probes[when]``; a failure is noted, not raised."""
    if progress is not None:
        print(f"speed probe ({when} the runs) ...", file=progress, flush=True)
    try:
        bench.probes[when] = found = run_probe(problem.resolve())
    except (RuntimeError, subprocess.TimeoutExpired, ValueError, KeyError) as exc:
        bench.probe_error = f"{when} the runs: {exc}"
        if progress is not None:
            print(f"speed probe failed: {exc}", file=progress, flush=True)
        return
    if progress is not None:
        print(
            f"speed probe ({when}): {found.seconds:.2f} s, {found.moves} moves, objective {found.objective}",
            file=progress,
            flush=True,
        )


def compute_verdicts(
    runs: Sequence[DemoRun],
    wall_target: float = WALL_TARGET_S,
    gap_target: float = GAP_TARGET,
) -> Verdicts:
    """The wall-time verdict over the short runs and the per-seed gap to the best long run.

    A short run that failed or did not validate fails both verdicts; without a valid long run
    there is no reference and the gap verdict fails.
    """
    shorts = [r for r in runs if r.kind == "short"]
    longs = [r for r in runs if r.kind == "long" and r.valid]
    max_wall = max((r.wall_s for r in shorts), default=None)
    wall_passed = bool(shorts) and all(r.valid and r.wall_s <= wall_target for r in shorts)
    best = min(longs, key=lambda r: r.objective if r.objective is not None else math.inf, default=None)
    best_obj = best.objective if best is not None else None
    gaps = []
    for r in shorts:
        gap: float | None = None
        if best_obj is not None and r.valid and r.objective is not None:
            if best_obj != 0:
                gap = (r.objective - best_obj) / abs(best_obj)
            else:
                gap = 0.0 if r.objective == 0 else math.inf
        gaps.append(GapVerdict(r.seed, r.objective, gap, gap is not None and gap <= gap_target))
    return Verdicts(
        max_short_wall_s=max_wall,
        wall_passed=wall_passed,
        best_long_objective=best_obj,
        best_long_seed=best.seed if best is not None else None,
        gaps=tuple(gaps),
        gap_passed=bool(gaps) and all(g.passed for g in gaps),
    )


# --- the report --------------------------------------------------------------------------------


def _mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f}"


def _opt(value: object, fmt: str = "{}") -> str:
    return "n/a" if value is None else fmt.format(value)


def _pass(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


def _display_path(path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(REPO)) if resolved.is_relative_to(REPO) else str(path)


def _reproduce(bench: DemoBench) -> str:
    """``make bench-demo`` for the defaults, else the equivalent ``python -m benchmarks demo``."""
    defaults = (
        bench.problem == _display_path(DEMO_PROBLEM)
        and bench.short == SHORT_DEFAULT
        and bench.long == 120.0
        and bench.seeds == (1, 2, 3)
        and bench.long_seeds == (1,)
    )
    if defaults:
        return REPRODUCE
    args = [
        "python",
        "-m",
        "benchmarks",
        "demo",
        "--problem",
        bench.problem,
        "--short",
        f"{bench.short:g}",
        "--long",
        f"{bench.long:g}",
        "--seeds",
        ",".join(map(str, bench.seeds)),
        "--long-seeds",
        ",".join(map(str, bench.long_seeds)),
    ]
    return shlex.join(args)


def render_markdown(bench: DemoBench, verdicts: Verdicts | None = None) -> str:
    """The whole of ``DEMO_WEEK.md``."""
    v = verdicts or compute_verdicts(bench.runs)
    m = bench.machine
    shown = plan_command(bench.problem, "plan.json", bench.short, bench.seeds[0])
    shown[0] = "python"
    lines = [
        "# Demo week: time and quality",
        "",
        "The issue's targets: on this 2-core machine the demo week must solve in at most "
        f"{WALL_TARGET_S:g} s wall with default settings, and its objective at {WALL_TARGET_S:g} s must be "
        f"within {GAP_TARGET:.0%} of the best found in a 120 s run. Written by `python -m benchmarks demo`; "
        f"not a timed test. The short runs use the command's default search budget ({SHORT_DEFAULT:g} s), "
        "which leaves the rest of the 10 s for start-up, explanations and writing the files.",
        "",
        f"- Reproduce: `{_reproduce(bench)}` (rewrites this file; progress on stderr)",
        f"- Problem: `{bench.problem}`; budgets {bench.short:g} s (seeds {', '.join(map(str, bench.seeds))}) "
        f"and {bench.long:g} s (seeds {', '.join(map(str, bench.long_seeds))}), run one after another, "
        "never concurrently",
        f"- Each run is a fresh subprocess of the product's command with default settings "
        f"(2 worker processes): `{shlex.join(shown)}` (with `--time-limit` and `--seed` per run), "
        "then `python -m planner.cli validate PROBLEM plan.json`",
        f"- Machine: nproc {m.get('nproc')}, CPU {m.get('cpu')}, RAM {m.get('ram_gib')} GiB, {m.get('os')}",
        f"- Versions: Python {bench.versions.get('python')}, OR-Tools {bench.versions.get('ortools')}; "
        f"engine: git {bench.git or 'n/a'}, `planner/` source fingerprint "
        f"{', '.join(sorted({r.engine for r in bench.runs if r.engine})) or 'n/a'}",
        f"- Date: {bench.started.strftime('%Y-%m-%d %H:%M')} UTC",
        "",
        "## Runs",
        "",
        "| budget s | seed | wall s | solver s | CPU s | other CPU s | objective | served/wanted "
        "| served priority | unserved priority | km | peak RSS MiB | peak tree RSS MiB | valid |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in bench.runs:
        served = "n/a" if r.served is None else f"{r.served}/{_opt(r.wanted)}"
        valid = "yes" if r.valid else f"**NO**: {r.error}"
        lines.append(
            f"| {r.budget:g} | {r.seed} | {r.wall_s:.2f} | {_opt(r.solver_wall_s, '{:.2f}')} "
            f"| {_opt(r.cpu_s, '{:.1f}')} | {_opt(r.other_cpu_s, '{:.1f}')} "
            f"| {_opt(r.objective)} | {served} | {_opt(r.served_priority)} | {_opt(r.unserved_priority)} "
            f"| {_opt(r.km, '{:.1f}')} | {_mib(r.peak_rss_kib)} | {_mib(r.peak_tree_rss_kib)} | {valid} |"
        )
    lines += [
        "",
        "- *wall s*: the whole command, timed around the subprocess from just before it starts to "
        "just after it exits: Python start-up, imports, reading the problem, solving, validating "
        "and writing the plan and its map. *solver s*: the plan's own `wall_time`. *CPU s*: user + "
        "system CPU time of the command and its children, the worker and the map's (from `wait4`); "
        "with both cores busy it approaches twice the solver time, and much less hints that "
        "something else was using the machine. *other CPU s*: "
        "CPU time the rest of the machine was busy meanwhile (`/proc/stat` busy time minus *CPU s*; "
        "includes this benchmark's own small bookkeeping): near 0 on an otherwise idle machine, "
        "while tens of seconds mean another program took cores from the solver and the run's "
        "figures are pessimistic.",
        "- *peak RSS*: `ru_maxrss` of the command from `wait4` on its pid: the largest resident set "
        "of any single process among the CLI's main process and the descendants it waited for (its "
        "worker). *peak tree RSS*: the largest sum of the resident sets of the command's whole process "
        f"tree (main process plus worker, which run at the same time), sampled from `/proc` every "
        f"{SAMPLE_INTERVAL_S:g} s, so a lower bound of the true peak.",
        "- *valid*: the command exited 0, wrote a plan, and `validate` exited 0.",
        "",
        "## Conditions",
        "",
        *_conditions(bench),
        "",
        "## Verdicts",
        "",
    ]
    wall = "n/a" if v.max_short_wall_s is None else f"{v.max_short_wall_s:.2f} s"
    invalid_short = [r.seed for r in bench.runs if r.kind == "short" and not r.valid]
    lines.append(
        f"- **{WALL_TARGET_S:g} s target** (wall <= {WALL_TARGET_S:g} s over the {bench.short:g} s runs): "
        f"{_pass(v.wall_passed)}: max wall {wall} (the command's wall, including Python start-up "
        "and imports, not only the search)"
        + (f"; invalid runs, seeds {', '.join(map(str, invalid_short))}" if invalid_short else "")
    )
    if v.best_long_objective is None:
        lines.append(
            f"- **Objective at {bench.short:g} s within {GAP_TARGET:.0%} of the best {bench.long:g} s run**: "
            f"{_pass(False)}: no valid {bench.long:g} s run to compare with"
        )
    else:
        lines.append(
            f"- **Objective at {bench.short:g} s within {GAP_TARGET:.0%} of the best {bench.long:g} s run** "
            f"(best: {v.best_long_objective}, seed {v.best_long_seed}; gap = (short - best) / best): "
            f"{_pass(v.gap_passed)}"
        )
    for g in v.gaps:
        gap = "n/a (invalid run)" if g.gap is None else f"{g.gap:+.3%}"
        lines.append(f"  - seed {g.seed}: objective {_opt(g.objective)}, gap {gap}: {_pass(g.passed)}")
    lines.append("")
    return "\n".join(lines)


def _conditions(bench: DemoBench) -> list[str]:
    """Whether the machine was idle and the engine unchanged while the runs went on."""
    out = []
    busy = busy_runs(bench.runs)
    if busy:
        which = ", ".join(
            f"{r.budget:g} s seed {r.seed} ({_opt(r.other_cpu_s, '{:.1f}')} CPU s)" for r in busy
        )
        out.append(
            "- **The machine was not idle**: other programs were busy during these runs: "
            f"{which}. They took cores from the solver, so these runs' wall times, objectives and "
            "served counts understate what the engine does on an idle machine; rerun on an idle machine."
        )
    else:
        out.append(
            f"- The machine was idle: no run saw other programs busy more than {BUSY_SHARE:.0%} of a core."
        )
    engines = [r.engine for r in bench.runs if r.engine]
    if bench.engine_after:
        engines.append(bench.engine_after)
    if len(set(engines)) > 1:
        per_run = ", ".join(f"{r.budget:g} s seed {r.seed}: {r.engine}" for r in bench.runs)
        per_run += f", after the last run: {bench.engine_after}"
        out.append(
            f"- **The engine's source changed during the measurement** ({per_run}): the runs did not "
            "all measure the same code and are not comparable; rerun once `planner/` is settled."
        )
    elif engines:
        out.append("- Every run measured the same engine source.")
    out += _speed(bench)
    return out


def _speed(bench: DemoBench) -> list[str]:
    """What the speed probes say about the machine's speed during the runs."""
    if bench.probe_error is not None:
        return [f"- **The speed probe failed** ({bench.probe_error})."]
    before, after = bench.probes.get("before"), bench.probes.get("after")
    if before is None or after is None:
        return ["- Speed probe: not run."]
    out = [
        f"- Speed probe (`python -m benchmarks.probe {bench.problem}`, the engine's first descent: "
        "SAVINGS, then greedy descent to a local optimum, one process, no time limit; the same "
        "work when the machine runs as usual, so its seconds measure the machine; when it is slow "
        "the descent can take another path, flagged below): "
        f"{before.seconds:.2f} s before the runs, "
        f"{after.seconds:.2f} s after ({before.moves} and {after.moves} improving moves, objective "
        f"{before.objective} and {after.objective}). What a search reaches in a budget of seconds "
        "follows this speed; the probe is how runs on other days compare."
    ]
    if (before.moves, before.objective) != (after.moves, after.objective):
        out.append(
            "- **The speed probe did different work before and after the runs** (another path): "
            "its two times are not comparable."
        )
    elif max(before.seconds, after.seconds) > SPEED_SPREAD * min(before.seconds, after.seconds):
        out.append(
            f"- **The machine's speed changed during the measurement**: the same work took "
            f"{before.seconds:.2f} s before the runs and {after.seconds:.2f} s after, so runs made at "
            "different times had different amounts of search in their budgets."
        )
    return out


def write_markdown(bench: DemoBench, output: Path = DEMO_MD) -> Verdicts:
    """Write the report to ``output``; return the verdicts it states."""
    verdicts = compute_verdicts(bench.runs)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_markdown(bench, verdicts), encoding="utf-8")
    return verdicts
