"""Solve one benchmark instance with a solver and judge the answer with the independent checker.

:func:`solve_file` is what ``python -m benchmarks solve PATH`` runs: Kinito's engine
(:func:`planner.solver.solve`, the very function the weekly plans use) on the problem
built by :mod:`benchmarks.adapters`, then :mod:`benchmarks.checker` on the routes.  The
table mode (:mod:`benchmarks.table`) runs the same :func:`run_kinito` and the peers of
:mod:`benchmarks.peers` through :func:`run_solver`.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from benchmarks.checker import CheckResult, check_cordeau, check_solomon
from benchmarks.readers import CordeauInstance, PathLike, SolomonInstance, read_cordeau, read_solomon

Format = Literal["solomon", "cordeau"]
Instance = SolomonInstance | CordeauInstance
SolomonRoutes = list[list[int]]
CordeauRoutes = list[tuple[int, list[int]]]

KINITO = "kinito"


@dataclass
class Outcome:
    """One solver's result on one instance, as judged by the checker.

    ``status`` is ``"feasible"``, ``"infeasible"`` (the checker found violations),
    ``"no_solution"`` (the solver returned none) or ``"error"`` (it raised; ``error``
    says what).  ``cost`` is the checker's recomputed cost (``None`` without routes).
    ``routes`` are customer ids per route; for Cordeau instances ``(day, customers)``.
    """

    solver: str
    instance: str
    format: Format
    status: str
    cost: float | None
    seconds: float
    routes: SolomonRoutes | CordeauRoutes | None = None
    violations: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def feasible(self) -> bool:
        """Whether the checker accepted the solution."""
        return self.status == "feasible"

    def routes_json(self) -> list[Any] | None:
        """Routes for JSON: lists of customer ids; Cordeau: ``{"day": d, "nodes": [...]}``."""
        if self.routes is None:
            return None
        out: list[Any] = []
        for route in self.routes:
            if isinstance(route, tuple):
                out.append({"day": route[0], "nodes": list(route[1])})
            else:
                out.append(list(route))
        return out

    def to_json(self, *, with_routes: bool = True) -> dict[str, Any]:
        """The outcome as a JSON-ready dict."""
        out: dict[str, Any] = {
            "solver": self.solver,
            "instance": self.instance,
            "format": self.format,
            "cost": self.cost,
            "feasible": self.feasible,
            "status": self.status,
            "seconds": round(self.seconds, 3),
        }
        if with_routes:
            out["routes"] = self.routes_json()
            out["vehicles"] = None if self.routes is None else len(self.routes)
        if self.violations:
            out["violations"] = self.violations
        if self.error is not None:
            out["error"] = self.error
        return out


def detect_format(path: PathLike) -> Format:
    """``"cordeau"`` when line 1 is the four-integer header ``type m n t``, else ``"solomon"``."""
    with open(path, encoding="utf-8") as handle:
        first = handle.readline().split()
    if len(first) == 4 and all(tok.lstrip("-").isdigit() for tok in first):
        return "cordeau"
    return "solomon"


def read_instance(path: PathLike) -> tuple[Format, Instance]:
    """Read a Solomon or Cordeau file, detecting which it is."""
    fmt = detect_format(path)
    inst: Instance = read_cordeau(path) if fmt == "cordeau" else read_solomon(path)
    return fmt, inst


def check(inst: Instance, routes: SolomonRoutes | CordeauRoutes) -> CheckResult:
    """Run the independent checker that fits the instance."""
    if isinstance(inst, CordeauInstance):
        return check_cordeau(inst, routes)  # type: ignore[arg-type]
    return check_solomon(inst, routes)  # type: ignore[arg-type]


def _cost(inst: Instance, result: CheckResult) -> float:
    # DIMACS costs are whole tenths: round away the float noise of tenths / 10.
    return round(result.cost, 1) if isinstance(inst, SolomonInstance) else result.cost


def judge(
    solver: str, inst: Instance, routes: SolomonRoutes | CordeauRoutes | None, seconds: float
) -> Outcome:
    """An :class:`Outcome` for ``routes`` (``None`` = no solution) checked against ``inst``."""
    fmt: Format = "cordeau" if isinstance(inst, CordeauInstance) else "solomon"
    if routes is None:
        return Outcome(solver, inst.name, fmt, "no_solution", None, seconds)
    result = check(inst, routes)
    status = "feasible" if result.feasible else "infeasible"
    return Outcome(
        solver, inst.name, fmt, status, _cost(inst, result), seconds, routes, list(result.violations)
    )


def kinito_routes(inst: Instance, time_limit: float, seed: int) -> SolomonRoutes | CordeauRoutes:
    """Solve ``inst`` with Kinito's engine and return its routes as node ids."""
    from benchmarks import adapters
    from planner.solver import SolveParams, solve

    params = SolveParams(time_limit=time_limit, seed=seed)
    if isinstance(inst, CordeauInstance):
        return adapters.cordeau_routes(solve(adapters.cordeau_problem(inst), params))
    return adapters.solomon_routes(solve(adapters.solomon_problem(inst), params))


def _load_search() -> None:
    """Load Kinito's compiled search (numba's cache; compiled first if it is not there), as
    the peers' modules are imported before their clocks start (:func:`benchmarks.peers.preload`).

    Loaded inside the first solve call, it took that call's budget: a 1 s run of C101 took
    3.3-3.7 s and stopped at its first solution (14 vehicles, 2552.1, against 827.3 once
    loaded)."""
    from planner import ruin, warmup

    warmup.prepare()
    ruin.warm()


def _solver(
    name: str, inst: Instance
) -> Callable[[Instance, float, int], SolomonRoutes | CordeauRoutes | None]:
    """The solve function of solver ``name``, its modules already imported."""
    if name == KINITO:
        importlib.import_module("planner.solver")
        _load_search()
        return kinito_routes
    from benchmarks import peers

    if name not in peers.PEERS:
        raise ValueError(f"unknown solver {name!r}; known: {KINITO}, {', '.join(peers.PEERS)}")
    if not isinstance(inst, SolomonInstance):
        raise ValueError(f"{name} has no periodic VRP model")
    peers.preload(name)
    peer = peers.PEERS[name]

    def run(inst: Instance, time_limit: float, seed: int) -> SolomonRoutes | None:
        assert isinstance(inst, SolomonInstance)
        return peer(inst, time_limit, seed)

    return run


def run_solver(name: str, inst: Instance, time_limit: float, seed: int) -> Outcome:
    """Run solver ``name`` (``"kinito"`` or a key of :data:`benchmarks.peers.PEERS`) and judge it.

    ``seconds`` is the wall time of the solve call (model building included, imports
    excluded).  Exceptions, including a missing package, are reported as an ``"error"``
    outcome, never dropped.
    """
    fmt: Format = "cordeau" if isinstance(inst, CordeauInstance) else "solomon"
    start = time.monotonic()
    try:
        fn = _solver(name, inst)
        start = time.monotonic()
        routes = fn(inst, time_limit, seed)
    except Exception as exc:  # a solver failure is a result to report
        return Outcome(name, inst.name, fmt, "error", None, time.monotonic() - start, error=repr(exc))
    return judge(name, inst, routes, time.monotonic() - start)


def run_kinito(inst: Instance, time_limit: float, seed: int = 1) -> Outcome:
    """Kinito on one instance, checked."""
    return run_solver(KINITO, inst, time_limit, seed)


def solve_file(path: PathLike, time_limit: float, seed: int = 1) -> dict[str, Any]:
    """What ``python -m benchmarks solve`` prints: Kinito's checked answer as a dict.

    Keys: ``instance``, ``format``, ``cost`` (the checker's), ``routes``, ``feasible``,
    ``seconds`` (wall time including model building), plus ``solver``, ``status``,
    ``vehicles``, ``time_limit``, ``seed``, ``path`` and ``violations``/``error`` when any.
    """
    _, inst = read_instance(path)
    outcome = run_kinito(inst, time_limit, seed)
    out = outcome.to_json()
    out.update({"time_limit": time_limit, "seed": seed, "path": str(Path(path))})
    return out
