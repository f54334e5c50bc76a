"""Peer solvers on Solomon instances, for side-by-side tables; none of them is Kinito.

Each function takes a :class:`~benchmarks.readers.SolomonInstance`, a time budget in
seconds and a seed, and returns the routes found as lists of customer ids (the input of
:func:`benchmarks.checker.check_solomon`), or ``None`` when the solver found no solution.
All of them get the DIMACS data: integer tenths ``floor(10*d)`` as both distance and travel
time, windows and service times times 10; the independent checker judges what they return.

* :func:`ortools_textbook`: OR-Tools used the way its VRPTW sample teaches, written here
  directly against ``ortools`` (no code from ``planner``): Python transit callbacks, a time
  dimension with the windows, a capacity dimension, the distance as arc cost, every
  customer mandatory, ``PATH_CHEAPEST_ARC`` + ``GUIDED_LOCAL_SEARCH``.  It is the baseline.
  OR-Tools routing takes no seed (its search is deterministic for a given time limit).
* :func:`pyvrp_solve`: PyVRP (hybrid genetic search), a :class:`pyvrp.Model` built directly.
* :func:`vroom_solve`: VROOM via ``pyvroom``, integer matrices, ``exploration_level=5``,
  one thread, stopped at the same time budget (VROOM takes no seed).

PyVRP and VROOM have no periodic (multi-day pattern) model, and the textbook OR-Tools
recipe is a single-day VRPTW model, so on the Cordeau set only Kinito runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import timedelta

from benchmarks.readers import SolomonInstance, dimacs_tenths

PeerFn = Callable[[SolomonInstance, float, int], "list[list[int]] | None"]

SCALE = 10
"""Integer tenths, the DIMACS convention."""


def _tenths(inst: SolomonInstance) -> list[list[int]]:
    """The DIMACS arc lengths in integer tenths (computed here: nothing from ``planner``)."""
    coords = inst.coords
    return [
        [0 if i == j else dimacs_tenths(a, b) for j, b in enumerate(coords)] for i, a in enumerate(coords)
    ]


def ortools_textbook(inst: SolomonInstance, time_limit: float, seed: int = 1) -> list[list[int]] | None:
    """Solve with OR-Tools' textbook VRPTW recipe (see the module doc); ``seed`` is unused."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    del seed  # OR-Tools routing has no random seed
    dist = _tenths(inst)
    n = len(inst.coords)
    depot = 0
    service = [SCALE * s for s in inst.service]
    manager = pywrapcp.RoutingIndexManager(n, inst.vehicles, depot)
    routing = pywrapcp.RoutingModel(manager)

    def distance_callback(from_index: int, to_index: int) -> int:
        return dist[int(manager.IndexToNode(from_index))][int(manager.IndexToNode(to_index))]

    def time_callback(from_index: int, to_index: int) -> int:
        i, j = int(manager.IndexToNode(from_index)), int(manager.IndexToNode(to_index))
        return service[i] + dist[i][j]

    def demand_callback(from_index: int) -> int:
        return inst.demand[int(manager.IndexToNode(from_index))]

    distance_index = routing.RegisterTransitCallback(distance_callback)
    routing.SetArcCostEvaluatorOfAllVehicles(distance_index)

    horizon = SCALE * inst.due[depot]
    time_index = routing.RegisterTransitCallback(time_callback)
    routing.AddDimension(time_index, horizon, horizon, False, "Time")
    time_dimension = routing.GetDimensionOrDie("Time")
    for node in range(1, n):
        index = manager.NodeToIndex(node)
        time_dimension.CumulVar(index).SetRange(SCALE * inst.ready[node], SCALE * inst.due[node])
    for vehicle in range(inst.vehicles):
        for index in (routing.Start(vehicle), routing.End(vehicle)):
            time_dimension.CumulVar(index).SetRange(SCALE * inst.ready[depot], SCALE * inst.due[depot])
        routing.AddVariableMinimizedByFinalizer(time_dimension.CumulVar(routing.Start(vehicle)))
        routing.AddVariableMinimizedByFinalizer(time_dimension.CumulVar(routing.End(vehicle)))

    demand_index = routing.RegisterUnaryTransitCallback(demand_callback)
    routing.AddDimensionWithVehicleCapacity(
        demand_index, 0, [inst.capacity] * inst.vehicles, True, "Capacity"
    )

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, round(time_limit * 1000)))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return None
    routes: list[list[int]] = []
    for vehicle in range(inst.vehicles):
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        route: list[int] = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


def pyvrp_solve(inst: SolomonInstance, time_limit: float, seed: int = 1) -> list[list[int]] | None:
    """Solve with PyVRP on a :class:`pyvrp.Model` built from the DIMACS tenths."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    dist = _tenths(inst)
    model = pyvrp.Model()
    locations = [model.add_location(x=x, y=y) for x, y in inst.coords]
    early, late = SCALE * inst.ready[0], SCALE * inst.due[0]
    depot = model.add_depot(locations[0], tw_early=early, tw_late=late)
    model.add_vehicle_type(
        num_available=inst.vehicles,
        capacity=inst.capacity,
        start_depot=depot,
        end_depot=depot,
        tw_early=early,
        tw_late=late,
    )
    for node in range(1, len(inst.coords)):
        model.add_client(
            locations[node],
            delivery=inst.demand[node],
            service_duration=SCALE * inst.service[node],
            tw_early=SCALE * inst.ready[node],
            tw_late=SCALE * inst.due[node],
        )
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            model.add_edge(frm, to, distance=dist[i][j], duration=dist[i][j])
    result = model.solve(stop=MaxRuntime(time_limit), seed=seed, collect_stats=False, display=False)
    best = result.best
    # Clients were added in node order after the one depot: client k is customer k + 1.
    routes = [[activity.idx + 1 for activity in route if activity.is_client()] for route in best.routes()]
    return [route for route in routes if route]


def vroom_solve(inst: SolomonInstance, time_limit: float, seed: int = 1) -> list[list[int]] | None:
    """Solve with VROOM (``pyvroom``) on integer matrices of tenths; ``seed`` is unused."""
    import vroom

    del seed  # VROOM is deterministic and takes no seed
    dist = _tenths(inst)
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=dist)
    window = vroom.TimeWindow(SCALE * inst.ready[0], SCALE * inst.due[0])
    for k in range(inst.vehicles):
        problem.add_vehicle(
            vroom.Vehicle(id=k, start=0, end=0, capacity=vroom.Amount([inst.capacity]), time_window=window)
        )
    for node in range(1, len(inst.coords)):
        problem.add_job(
            vroom.Job(
                id=node,
                location=node,
                default_service=SCALE * inst.service[node],
                delivery=vroom.Amount([inst.demand[node]]),
                time_windows=[vroom.TimeWindow(SCALE * inst.ready[node], SCALE * inst.due[node])],
            )
        )
    solution = problem.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_limit))
    frame = solution.routes
    if len(frame) == 0:
        return None
    routes: dict[int, list[int]] = {}
    for vehicle, kind, job in zip(frame["vehicle_id"], frame["type"], frame["id"], strict=True):
        if kind == "job":
            routes.setdefault(int(vehicle), []).append(int(job))
    return [route for _, route in sorted(routes.items()) if route]


MODULES: dict[str, tuple[str, ...]] = {
    "ortools": ("ortools.constraint_solver.pywrapcp",),
    "pyvrp": ("pyvrp", "pyvrp.stop"),
    "vroom": ("vroom",),
}
"""The modules each peer imports, loaded by :func:`preload` before a timed run."""


def preload(name: str) -> None:
    """Import the modules of peer ``name`` so that import time is not charged to its budget."""
    for module in MODULES.get(name, ()):
        importlib.import_module(module)


PEERS: dict[str, PeerFn] = {
    "ortools": ortools_textbook,
    "pyvrp": pyvrp_solve,
    "vroom": vroom_solve,
}
"""Peer solvers by the name used in tables and on the command line (Solomon only)."""
