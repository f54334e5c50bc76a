"""The comparison tables: every instance of a set through Kinito and its peers, checked.

``python -m benchmarks table --set solomon|pvrp --time-limit S`` runs, instance by
instance, each solver in turn with the same time budget on the same machine (interleaved,
so that a drift of the machine hits every solver alike), judges every answer with
:mod:`benchmarks.checker`, reports progress on stderr, writes the raw outcomes as JSON
(``benchmarks/results/<set>-<date>.json``) and the set's section of
``benchmarks/RESULTS.md``.  A solver's infeasible, missing or failed result is reported
as such and never dropped; mean gaps are over the instances where the solver was feasible,
next to the count of those where it was not.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

from benchmarks import INSTANCES_DIR
from benchmarks.readers import read_bks
from benchmarks.runner import KINITO, Format, Outcome, read_instance, run_solver

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_MD = BENCH_DIR / "RESULTS.md"
RESULTS_DIR = BENCH_DIR / "results"


@dataclass(frozen=True)
class BenchSet:
    """A set of instances: where its files are, its BKS rows, the solvers that fit it."""

    name: str
    title: str
    folder: Path
    bks_source: str
    solvers: tuple[str, ...]
    convention: str
    solver_note: str


SETS: dict[str, BenchSet] = {
    "solomon": BenchSet(
        name="solomon",
        title="Solomon VRPTW, 100 customers",
        folder=INSTANCES_DIR / "solomon",
        bks_source="solomon-dimacs",
        solvers=(KINITO, "ortools", "pyvrp", "vroom"),
        convention=(
            "DIMACS 2021: cost = total distance only (the fleet of 25 is an upper bound, the number "
            "of vehicles is not minimised first); every arc length and travel time is truncated to one "
            "decimal, `floor(10*d)/10`; every solver works in integer tenths. BKS: the `solomon-dimacs` "
            "rows of `instances/BKS.csv`."
        ),
        solver_note=(
            "`kinito` is the product's engine (`planner.solver.solve`, one worker: its ruin-and-recreate "
            "search, with SISR's settings as its first solution serves every customer, see README "
            '"How the engine searches") on '
            "the problem built by `benchmarks/adapters.py`; `ortools` is OR-Tools' textbook VRPTW recipe "
            "(PATH_CHEAPEST_ARC + GUIDED_LOCAL_SEARCH, Python callbacks, all customers mandatory) written "
            "directly in `benchmarks/peers.py`; `pyvrp` is PyVRP's HGS on a `pyvrp.Model`; `vroom` is "
            "pyvroom with `exploration_level=5`, one thread, stopped at the same budget."
        ),
    ),
    "pvrp": BenchSet(
        name="pvrp",
        title="Cordeau periodic VRP (p01-p10, pr01-pr03)",
        folder=INSTANCES_DIR / "pvrp",
        bks_source="pvrp",
        solvers=(KINITO,),
        convention=(
            "Cordeau: cost = total unrounded Euclidean distance over all days (the engine itself works "
            "on `ceil(1000*d)` integers, so route duration limits stay safe). BKS: the `pvrp` rows of "
            "`instances/BKS.csv` (2014 compilation)."
        ),
        solver_note=(
            "Only Kinito runs on this set: PyVRP and VROOM have no periodic (multi-day visit pattern) "
            "model, and the textbook OR-Tools recipe is a single-day VRPTW. Kinito (one worker) takes "
            "its ruin-and-recreate search, which also chooses the day patterns where customers have "
            'several (p02, p05, p08, p10, pr01-pr03; see README "How the engine searches").'
        ),
    ),
}


@dataclass
class TableRun:
    """The outcomes of one table run and what is needed to publish them."""

    set: BenchSet
    time_limit: float
    seed: int
    started: datetime
    instances: list[str]
    bks: dict[str, float]
    solvers: tuple[str, ...]
    outcomes: list[Outcome] = field(default_factory=list)
    machine: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    finished: datetime | None = None
    set_instances: list[str] = field(default_factory=list)
    """Every instance of the set (its folder), to tell a partial run from a whole one."""

    def left_out(self) -> tuple[list[str], list[str]]:
        """The set's instances and solvers this run did not run (a run restricted with
        ``--instances`` or ``--solvers``); both empty for a whole run."""
        instances = [name for name in self.set_instances if name not in self.instances]
        return instances, [s for s in self.set.solvers if s not in self.solvers]

    @property
    def partial(self) -> bool:
        """Whether some of the set's instances or solvers were not run."""
        instances, solvers = self.left_out()
        return bool(instances or solvers)

    def outcome(self, instance: str, solver: str) -> Outcome | None:
        """The outcome of ``solver`` on ``instance``, if it ran."""
        for o in self.outcomes:
            if o.instance == instance and o.solver == solver:
                return o
        return None

    def gap(self, o: Outcome) -> float | None:
        """Gap to the BKS in percent, for a feasible outcome with a known BKS."""
        bks = self.bks.get(o.instance)
        if not o.feasible or o.cost is None or bks is None:
            return None
        return 100.0 * (o.cost - bks) / bks


# --- the machine and the software ------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """nproc, CPU model (``/proc/cpuinfo``), RAM (``/proc/meminfo``), OS and Python."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram_gib: float | None = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    ram_gib = round(int(line.split()[1]) / 1024**2, 1)
                    break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"nproc": nproc, "cpu": cpu, "ram_gib": ram_gib, "os": platform.platform()}


def versions() -> dict[str, str]:
    """Versions of Python and of the solver packages (``"not installed"`` when missing)."""
    out = {"python": platform.python_version()}
    for label, dist in (("ortools", "ortools"), ("pyvrp", "pyvrp"), ("vroom", "pyvroom")):
        try:
            out[label] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[label] = "not installed"
    return out


# --- running ----------------------------------------------------------------------------------


def instance_files(bench: BenchSet, only: Sequence[str] | None = None) -> list[Path]:
    """The set's instance files in name order, restricted to the names in ``only`` when given."""
    files = sorted(bench.folder.glob("*.txt"), key=lambda p: p.stem.lower())
    if only:
        wanted = {name.lower() for name in only}
        unknown = wanted - {p.stem.lower() for p in files}
        if unknown:
            raise ValueError(f"unknown {bench.name} instance(s): {', '.join(sorted(unknown))}")
        files = [p for p in files if p.stem.lower() in wanted]
    return files


def _describe(o: Outcome) -> str:
    if o.status == "feasible":
        return f"cost {o.cost:.2f}"
    if o.status == "infeasible":
        return f"INFEASIBLE (cost {o.cost:.2f}, {len(o.violations)} violation(s))"
    if o.status == "no_solution":
        return "NO SOLUTION"
    return f"ERROR {o.error}"


def run_table(
    set_name: str,
    time_limit: float,
    seed: int = 1,
    instances: Sequence[str] | None = None,
    solvers: Sequence[str] | None = None,
    progress: TextIO | None = sys.stderr,
) -> TableRun:
    """Run every instance of ``set_name`` through each solver in turn and check every answer."""
    bench = SETS[set_name]
    chosen = tuple(solvers) if solvers else bench.solvers
    bad = [s for s in chosen if s not in bench.solvers]
    if bad:
        raise ValueError(
            f"solver(s) {', '.join(bad)} do not run on the {set_name} set ({', '.join(bench.solvers)})"
        )
    files = instance_files(bench, instances)
    table = read_bks(INSTANCES_DIR / "BKS.csv")
    bks = {inst: cost for (src, inst), (_, cost) in table.items() if src == bench.bks_source}
    run = TableRun(
        set=bench,
        time_limit=time_limit,
        seed=seed,
        started=datetime.now(UTC),
        instances=[p.stem for p in files],
        bks=bks,
        solvers=chosen,
        machine=machine_info(),
        versions=versions(),
        set_instances=[p.stem for p in instance_files(bench)],
    )
    for k, path in enumerate(files, 1):
        # Outcomes go by the file's name, as the table lists them and the BKS rows name them:
        # a Solomon file's first line can name another instance (its 25- and 50-customer
        # versions say C101 too), which would take C101's best known.
        name = path.stem
        try:
            _, inst = read_instance(path)
        except Exception as exc:  # an unreadable file is a result to report, not the run's end
            fmt: Format = "solomon" if bench.name == "solomon" else "cordeau"
            for solver in chosen:
                run.outcomes.append(
                    Outcome(solver, name, fmt, "error", None, 0.0, error=f"unreadable: {exc!r}")
                )
            if progress is not None:
                print(f"[{k}/{len(files)}] {name}: unreadable, {exc}", file=progress, flush=True)
            continue
        for solver in chosen:
            if progress is not None:
                print(f"[{k}/{len(files)}] {name} {solver} ...", file=progress, flush=True)
            outcome = replace(run_solver(solver, inst, time_limit, seed), instance=name)
            run.outcomes.append(outcome)
            if progress is not None:
                gap = run.gap(outcome)
                gap_text = f", gap {gap:+.2f} %" if gap is not None else ""
                print(
                    f"[{k}/{len(files)}] {name} {solver}: {_describe(outcome)}{gap_text} "
                    f"in {outcome.seconds:.1f} s",
                    file=progress,
                    flush=True,
                )
    run.finished = datetime.now(UTC)
    return run


# --- summaries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SolverSummary:
    """Per solver: counts by status and the mean gap over its feasible instances."""

    solver: str
    runs: int
    feasible: int
    infeasible: int
    no_solution: int
    error: int
    mean_gap: float | None
    mean_gap_common: float | None
    mean_seconds: float | None


def common_instances(run: TableRun) -> list[str]:
    """The instances on which every solver of the run returned a feasible result."""
    return [
        name
        for name in run.instances
        if all(
            (o := run.outcome(name, solver)) is not None and run.gap(o) is not None for solver in run.solvers
        )
    ]


def summarise(run: TableRun) -> list[SolverSummary]:
    """One :class:`SolverSummary` per solver of the run.

    ``mean_gap`` is over the instances where this solver was feasible;
    ``mean_gap_common`` over those where every solver was (:func:`common_instances`).
    """
    out: list[SolverSummary] = []
    common = set(common_instances(run))
    for solver in run.solvers:
        mine = [o for o in run.outcomes if o.solver == solver]
        gaps = [g for g in (run.gap(o) for o in mine) if g is not None]
        shared = [g for g in (run.gap(o) for o in mine if o.instance in common) if g is not None]
        out.append(
            SolverSummary(
                solver=solver,
                runs=len(mine),
                feasible=sum(o.status == "feasible" for o in mine),
                infeasible=sum(o.status == "infeasible" for o in mine),
                no_solution=sum(o.status == "no_solution" for o in mine),
                error=sum(o.status == "error" for o in mine),
                mean_gap=statistics.fmean(gaps) if gaps else None,
                mean_gap_common=statistics.fmean(shared) if shared else None,
                mean_seconds=statistics.fmean(o.seconds for o in mine) if mine else None,
            )
        )
    return out


def to_json(run: TableRun) -> dict[str, Any]:
    """The raw results of a run (every outcome with its routes and violations)."""
    return {
        "set": run.set.name,
        "bks_source": run.set.bks_source,
        "time_limit": run.time_limit,
        "seed": run.seed,
        "started": run.started.isoformat(timespec="seconds"),
        "finished": run.finished.isoformat(timespec="seconds") if run.finished else None,
        "machine": run.machine,
        "versions": run.versions,
        "solvers": list(run.solvers),
        "instances": run.instances,
        "partial": run.partial,
        "bks": {name: run.bks.get(name) for name in run.instances},
        "summary": [s.__dict__ for s in summarise(run)],
        "results": [{**o.to_json(), "bks": run.bks.get(o.instance), "gap": run.gap(o)} for o in run.outcomes],
    }


def _cell(run: TableRun, o: Outcome | None) -> tuple[str, str]:
    """(cost cell, gap cell) of an outcome in the Markdown table."""
    if o is None:
        return "not run", ""
    if o.status == "feasible":
        gap = run.gap(o)
        return f"{o.cost:.2f}", ("" if gap is None else f"{gap:+.2f}")
    if o.status == "infeasible":
        return f"**infeasible** ({o.cost:.2f})", "—"
    if o.status == "no_solution":
        return "**no solution**", "—"
    return "**error**", "—"


def render_section(run: TableRun, results_ref: str | None = None) -> str:
    """The Markdown section of ``RESULTS.md`` for this run's set.

    ``results_ref`` names the raw JSON file (default ``benchmarks/results/<set>-<date>.json``).
    """
    b = run.set
    m, v = run.machine, run.versions
    date = run.started.date().isoformat()
    lines = [
        f"## {b.title}",
        "",
        f"- Date: {date} (run {run.started.strftime('%H:%M')}"
        f"-{run.finished.strftime('%H:%M') if run.finished else '?'} UTC)",
        f"- Time budget: {run.time_limit:g} s per solver per instance, one thread each, "
        "solvers interleaved instance by instance on the same machine",
        f"- Seed: {run.seed} (Kinito's pattern search and PyVRP use it; "
        "OR-Tools routing and VROOM take no seed)",
        f"- Machine: nproc {m.get('nproc')}, CPU {m.get('cpu')}, RAM {m.get('ram_gib')} GiB, {m.get('os')}",
        f"- Versions: Python {v.get('python')}, ortools {v.get('ortools')}, pyvrp {v.get('pyvrp')}, "
        f"vroom (pyvroom) {v.get('vroom')}",
        f"- Conventions: {b.convention}",
        f"- Solvers: {b.solver_note}",
        "- Every result is checked by `benchmarks/checker.py` (independent of the engine); cost = the "
        "checker's recomputed cost; gap = 100 x (cost - BKS) / BKS. A result the checker rejects is shown "
        "as **infeasible** with its cost in brackets, a missing one as **no solution**; none is dropped.",
        f"- Raw results: `{results_ref or f'benchmarks/results/{b.name}-{date}.json'}`",
        "",
    ]
    missing_instances, missing_solvers = run.left_out()
    if missing_instances or missing_solvers:
        lines[1:1] = [
            f"- **Partial run**: {len(run.instances)} of {len(run.set_instances)} instances"
            + (f" (not run: {', '.join(missing_instances)})" if missing_instances else "")
            + f", {len(run.solvers)} of {len(b.solvers)} solvers"
            + (f" (not run: {', '.join(missing_solvers)})" if missing_solvers else "")
            + "; its means cover only what was run, not the set.",
        ]
    header = ["instance", "BKS"]
    rule = ["---", "---:"]
    for solver in run.solvers:
        header += [f"{solver} cost", f"{solver} gap %"]
        rule += ["---:", "---:"]
    lines += ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    for name in run.instances:
        bks = run.bks.get(name)
        row = [name, "?" if bks is None else f"{bks:.2f}"]
        for solver in run.solvers:
            row += list(_cell(run, run.outcome(name, solver)))
        lines.append("| " + " | ".join(row) + " |")
    common = common_instances(run)
    lines += [
        "",
        "Per solver. *Mean gap (own feasible)* is over the instances where that solver's result was "
        "feasible, so it can cover different instances for different solvers; the *infeasible*, *no "
        "solution* and *error* columns count the instances it leaves out. *Mean gap (common)* is over "
        f"the {len(common)} instance(s) where every solver was feasible"
        + (f" ({', '.join(common)})" if 0 < len(common) < len(run.instances) else "")
        + ".",
        "",
        "| solver | instances | feasible | infeasible | no solution | error | mean gap % (own feasible) "
        "| mean gap % (common) | mean seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row_sum in summarise(run):
        gap = "—" if row_sum.mean_gap is None else f"{row_sum.mean_gap:+.2f}"
        shared = "—" if row_sum.mean_gap_common is None else f"{row_sum.mean_gap_common:+.2f}"
        secs = "—" if row_sum.mean_seconds is None else f"{row_sum.mean_seconds:.1f}"
        lines.append(
            f"| {row_sum.solver} | {row_sum.runs} | {row_sum.feasible} | {row_sum.infeasible} "
            f"| {row_sum.no_solution} | {row_sum.error} | {gap} | {shared} | {secs} |"
        )
    return "\n".join(lines) + "\n"


RESULTS_HEADER = """# Benchmark results

Kinito's engine on public benchmark instances, side by side with peer solvers where they
model the problem. Produced by `python -m benchmarks table --set SET --time-limit S`
(`make bench`); each set's section is replaced by its latest run. See
`benchmarks/instances/README.md` for the instances, their sources and the BKS conventions.
"""


def _markers(set_name: str) -> tuple[str, str]:
    return f"<!-- results:{set_name}:start -->", f"<!-- results:{set_name}:end -->"


def update_results_md(path: Path, run: TableRun, results_ref: str | None = None) -> None:
    """Write this run's section into the Markdown file at ``path``, keeping other sets' sections."""
    start, end = _markers(run.set.name)
    block = f"{start}\n{render_section(run, results_ref)}{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else RESULTS_HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        # Keep the sets in a fixed order: solomon before pvrp.
        order = list(SETS)
        later = [s for s in order[order.index(run.set.name) + 1 :] if _markers(s)[0] in text]
        if later:
            at = text.index(_markers(later[0])[0])
            text = text[:at] + block + "\n" + text[at:]
        else:
            text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_outputs(run: TableRun, output: Path | None = RESULTS_MD, results_dir: Path = RESULTS_DIR) -> Path:
    """Write the JSON results and update the Markdown file (none when ``output`` is None);
    return the JSON path."""
    json_path = new_results_path(run, results_dir)
    json_path.write_text(json.dumps(to_json(run), indent=2) + "\n", encoding="utf-8")
    if output is not None:
        update_results_md(output, run, _display_path(json_path))
    return json_path


def new_results_path(run: TableRun, results_dir: Path = RESULTS_DIR) -> Path:
    """Where this run's JSON goes: ``<set>-<date>.json`` (UTC date), ``-partial`` added for a
    restricted run, and ``-2``, ``-3``... rather than over an earlier run's file of that day."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{run.set.name}-{run.started.date().isoformat()}" + ("-partial" if run.partial else "")
    path, n = results_dir / f"{stem}.json", 1
    while path.exists():
        n += 1
        path = results_dir / f"{stem}-{n}.json"
    return path


def _display_path(path: Path) -> str:
    """``path`` relative to the repository root when it lies inside it."""
    root = BENCH_DIR.parent
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)
