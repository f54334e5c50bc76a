"""The engine: ``Problem`` -> ``Plan`` with Google OR-Tools. The ONLY module importing ortools.

Model (one OR-Tools routing model per choice of day patterns):

* a vehicle per available unit-day, starting and ending at the unit's base;
* a node per (visit occurrence, group of unit-days sharing the same effective windows);
  the nodes of one occurrence form a disjunction (serve at most one of them), whose
  penalty ``weights.unserved * priority`` makes serving come before any saving in travel;
* a ``time`` dimension (transit = service + travel, waiting allowed) bounded by the shift,
  the start windows and the driver's maximum working time (span); the break as an optional
  interval that becomes required when the working time exceeds the rule's threshold;
  a ``drive`` dimension for the maximum driving time, a ``load`` dimension for capacity,
  and the driver's weekly cap as a span bound per day (see ``_Model._add_weekly_caps``);
* arc costs of travel seconds, plus the soft costs: a visit off its preferred weekday,
  work after the regular end on pilot days, and optionally long days (balance).

Visits wanted several times over the horizon with only a minimum gap between their days
have a node on every date each occurrence may take. The others wanted several times (with
explicit day patterns as in Cordeau's periodic VRP, a pinned date, or too few dates for
every occurrence) have a day pattern chosen by the search: ruin and recreate (the default,
:mod:`planner.ruin`) takes such a visit out whole and puts it back by its cheapest pattern;
OR-Tools' search (``search="ortools"``, and the second worker where priorities are equal)
works on one choice of patterns at a time: a greedy first choice, then a large-neighbourhood
search that re-chooses the patterns of a few visits by cheapest insertion and lets OR-Tools
re-optimise from the previous routes.

When more is wanted than the days can hold, choosing what to serve is a knapsack inside
the routing: a 90-minute stop worth 2 against three half-hour visits worth 2 each. One
OR-Tools move cannot make that trade (drop the stop and insert two visits), so the search
is staged: the first solution tells how many visits are too many; that many visits giving
the least priority per minute are held back while OR-Tools packs the days with the rest,
then they are offered again for whatever room is left.
"""

from __future__ import annotations

import itertools
import os
import pickle
import random
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner import candidates as cand
from planner import child_env
from planner.explain import explain_unassigned
from planner.model import (
    HOUR,
    TIME_BAND,
    BreakRule,
    BreakStep,
    Plan,
    Problem,
    Route,
    Stop,
    TimeWindow,
    UnitDay,
    Visit,
)
from planner.travel import TravelMatrix, travel_model_of

if TYPE_CHECKING:
    from planner import ruin

DAY = 24 * HOUR


@dataclass(frozen=True)
class SolveParams:
    """Solver settings (loadable from TOML with :meth:`from_toml`).

    ``first_solution`` and ``metaheuristic`` are OR-Tools enum names; ``savings_shape`` is
    the route-shape parameter of the SAVINGS first solution (1 is Clarke and Wright's).
    ``workers`` searches run at once, one per core, with seeds ``seed + k``; how they are
    made to differ is told at :func:`_worker_params`. ``pattern_share`` is the
    share of the time spent re-choosing day patterns (of the visits whose patterns are
    chosen before the search, see :func:`_free_days`) when most visits are wanted more than
    once (less, in proportion, when fewer are), ``round_time`` the OR-Tools time per such
    round and ``lns_size`` the visits re-chosen per round; when fewer than ``min_rounds``
    rounds would fit, there are none and the search has their time (in 16 traced 8 s
    searches of the demo week the one round that fitted never improved the plan; 32 runs of
    8 s without it left 21.1 unserved on average, 14 at the 120 s level, against 21.3 and
    10 with it). When idle time has a cost
    (``Weights.work``), the last ``polish_share`` of the time (at most ``polish_max``
    seconds) compacts the days.

    When the first solution leaves visits out (more is wanted than the days hold) and the
    episode has at least ``episode_per_visit`` seconds per visit, the search is staged:
    for ``stage_time`` of its first part it plans without the visits giving the least
    priority per minute (as many as the first solution left out, times ``stage_share``),
    then offers them for the room left. This weighs a long stop against
    the short visits it would displace, which single moves cannot. When every visit has
    the same priority only the other workers stage (``stage_uniform``), so that one
    search stays unstaged. Searches that weigh visits restart in episodes of ``episode``
    seconds (``episode_per_visit`` per visit wanted, if longer) while two still fit in the
    time left, each first solution of ``portfolio`` once and then the one that did best.

    ``search`` chooses the search: ``"auto"`` (ruin and recreate, and OR-Tools' in the
    second worker when every visit has the same priority; see :func:`_ruin_and_recreate`),
    ``"ruin"`` or ``"ortools"``.
    """

    time_limit: float = 10.0
    seed: int = 1
    workers: int = 1
    first_solution: str = "SAVINGS"
    # Filtered construction heuristics only: PATH_CHEAPEST_ARC, the textbook choice, is a
    # tree search that can spend most of the budget and end with nothing served.
    portfolio: tuple[str, ...] = ("SAVINGS", "PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION")
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    savings_shape: float = 1.0
    pattern_share: float = 0.6
    round_time: float = 0.5
    min_rounds: int = 4
    lns_size: int = 6
    stage_share: float = 1.0
    stage_time: float = 0.5
    stage_uniform: bool = False
    episode: float = 8.0
    episode_per_visit: float = 0.05
    polish_share: float = 0.1
    polish_max: float = 2.0
    log_search: bool = False
    search: str = "auto"

    def __post_init__(self) -> None:
        if self.search not in ("auto", "ruin", "ortools"):
            raise ValueError(f"solver settings: search must be auto, ruin or ortools, not {self.search!r}")

    @classmethod
    def from_toml(cls, path: str | Path) -> SolveParams:
        """Settings from the ``[solver]`` table of a TOML file (or its top level's plain keys),
        each checked by :func:`planner.config.solver_settings` (a ``ConfigError`` names the
        file, the key and what is allowed); the keys it leaves out keep these defaults."""
        from planner.config import solver_settings

        return cls(**solver_settings(path))


@dataclass(frozen=True)
class Progress:
    """A progress report during a solve: ``stage`` "search", or "compile" while the search is
    compiled before its time starts (once after installing, see :func:`_ready_search`; then
    ``elapsed`` counts that and the other figures are 0)."""

    elapsed: float
    objective: int
    served: int
    wanted: int
    stage: str = "search"


ProgressFn = Callable[[Progress], None]


# --- preparation: what can go where -------------------------------------------------------


@dataclass
class _VisitPrep:
    """Per visit: open slots, candidate patterns, and occurrences that cannot be planned."""

    visit: Visit
    slots: list[cand.Slot]
    refused: dict[str, int]
    patterns: list[tuple[date, ...]]
    plannable: int  # number of occurrences that can be planned (0..frequency)


@dataclass
class _Prep:
    problem: Problem
    vehicles: list[int]  # unit-day index per vehicle
    loc_index: dict[str, int]
    matrices: dict[str, TravelMatrix]  # per unit id
    visits: list[_VisitPrep]
    vehicle_of_ud: dict[int, int] = field(default_factory=dict)
    # Visits wanted several times whose days OR-Tools chooses itself (see _free_days).
    free: frozenset[int] = frozenset()


def _prepare(problem: Problem) -> _Prep:
    locations = problem.locations()
    travel = travel_model_of(problem.travel)
    matrices = {u.id: travel.matrix(locations, u) for u in problem.units}
    loc_index = {loc.id: i for i, loc in enumerate(locations)}
    vehicles = [i for i, ud in enumerate(problem.unit_days) if ud.available and ud.date in problem.dates]
    vpreps: list[_VisitPrep] = []
    for v in problem.visits:
        slots, refused = cand.visit_slots(problem, v)
        slots = [s for s in slots if s.unit_day in set(vehicles)]
        if v.frequency == 1:
            pats: list[tuple[date, ...]] = [
                (d,) for d in sorted({problem.unit_days[s.unit_day].date for s in slots})
            ]
            plannable = 1 if slots else 0
        else:
            pats = cand.candidate_patterns(problem, v, slots)
            if not pats:
                pats = cand.best_partial_patterns(problem, v, slots)
            plannable = len(pats[0]) if pats else 0
        vpreps.append(_VisitPrep(v, slots, refused, pats, plannable))
    prep = _Prep(problem, vehicles, loc_index, matrices, vpreps)
    prep.vehicle_of_ud = {ud: k for k, ud in enumerate(vehicles)}
    prep.free = frozenset(vi for vi, vp in enumerate(vpreps) if _free_days(vp))
    return prep


def _free_days(vp: _VisitPrep) -> bool:
    """Whether OR-Tools can choose this visit's days itself, with no pattern fixed first.

    So it can when the only rule on the days is the minimum gap (no explicit patterns, no
    pinned date) and full patterns exist: each occurrence then has a node on every date it
    could take, and the gap between any two served occurrences is a precedence on a "day"
    dimension (see _Model._add_day_gaps), which OR-Tools' own filters check. Fixing the
    patterns first made the search's outcome hang on that guess: on the demo week one
    first choice ended 8 searches of 8 s out of 8 with 23-24 priority unserved, another
    6 of 8 at 20.
    """
    v = vp.visit
    return (
        v.frequency > 1
        and v.patterns is None
        and v.pinned_date is None
        and bool(vp.patterns)
        and len(vp.patterns[0]) == v.frequency
    )


# --- one OR-Tools model for a choice of day patterns ---------------------------------------


@dataclass(frozen=True)
class _Node:
    visit: int  # index into problem.visits
    occurrence: int
    loc: int
    service: int
    windows: tuple[TimeWindow, ...]
    vehicles: tuple[int, ...]
    prefer: int | None = None  # the start a published plan gave on these days (soft)


def _occurrence_nodes(
    prep: _Prep, vi: int, choice: tuple[date, ...] | None, wide: bool = False
) -> list[list[_Node]]:
    """The alternative nodes of each occurrence of visit ``vi`` (one list per occurrence);
    ``wide``: on every date the occurrence takes in one of its patterns, not only in
    ``choice``."""
    vp = prep.visits[vi]
    v = vp.visit
    loc = prep.loc_index[v.location.id]
    dates: list[set[date] | None]
    if vi in prep.free or wide:  # occurrence k on any date it takes in some pattern
        dates = [{p[k] for p in vp.patterns} for k in range(len(vp.patterns[0]))]
    else:
        dates = [None] if choice is None else [{d} for d in choice]
    out: list[list[_Node]] = []
    problem = prep.problem
    for occ, wanted in enumerate(dates):
        # days alike share a node; a day with a preferred start (a published plan's time) has
        # its own, which carries that start
        groups: dict[tuple[tuple[TimeWindow, ...], int | None], list[int]] = {}
        for s in vp.slots:
            ud = problem.unit_days[s.unit_day]
            if wanted is not None and ud.date not in wanted:
                continue
            windows = s.windows
            if occ == 0 and v.frequency > 1 and v.pinned_date == ud.date and v.pinned_time is not None:
                pinned = cand.slot_for(problem, s.unit_day, v)
                if not isinstance(pinned, cand.Slot):
                    continue
                windows = pinned.windows
            prefer = v.preferred_times.get(ud.date)
            groups.setdefault((windows, prefer), []).append(prep.vehicle_of_ud[s.unit_day])
        out.append([_Node(vi, occ, loc, v.service, w, tuple(vs), t) for (w, t), vs in groups.items()])
    return out


class _Model:
    """An OR-Tools routing model for one choice of day patterns (of the visits whose days
    are not free, see :func:`_free_days`).

    ``wide``: the visits with a choice of day patterns (:func:`_multi`) get nodes on every
    date of their patterns instead, for ruin and recreate, which keeps
    them to one pattern itself (:meth:`ruin_instance`); OR-Tools must not search such a
    model, as nothing in it holds the patterns."""

    def __init__(
        self,
        prep: _Prep,
        choice: dict[int, tuple[date, ...]],
        compact: bool = False,
        leave_out: frozenset[tuple[int, int]] = frozenset(),
        spans: Sequence[int] | None = None,
        wide: bool = False,
    ) -> None:
        self.prep = prep
        self.wide: frozenset[int] = frozenset(_multi(prep)) if wide else frozenset()
        self.compact = compact
        self.spans = spans
        self.closed = False
        problem = prep.problem
        units = {u.id: u for u in problem.units}
        # only the bases of units with a day to work: another's base would be a node no
        # vehicle starts from, and OR-Tools would route it as a stop
        working = {problem.unit_days[i].unit_id for i in prep.vehicles} or {u.id for u in problem.units}
        bases = sorted({prep.loc_index[u.base.id] for u in problem.units if u.id in working})
        self.node_loc: list[int] = list(bases)
        self.node_service: list[int] = [0] * len(bases)
        self.nodes: list[_Node | None] = [None] * len(bases)
        self.occ_nodes: dict[tuple[int, int], list[int]] = {}
        self.free_occ: dict[int, list[list[int]]] = {}  # free visit -> node ids per occurrence
        for vi, vp in enumerate(prep.visits):
            if vp.plannable == 0:
                continue
            per_occ = _occurrence_nodes(
                prep, vi, choice.get(vi) if vp.visit.frequency > 1 else None, vi in self.wide
            )
            for occ, alts in enumerate(per_occ):
                if (vi, occ) in leave_out:
                    continue
                ids = []
                for node in alts:
                    ids.append(len(self.nodes))
                    self.nodes.append(node)
                    self.node_loc.append(node.loc)
                    self.node_service.append(node.service)
                if ids:
                    self.occ_nodes[(vi, occ)] = ids
                if vi in prep.free:
                    self.free_occ.setdefault(vi, []).append(ids)
        n = len(self.nodes)
        self.vehicles = prep.vehicles
        self.uds = [problem.unit_days[i] for i in self.vehicles]
        base_node = {b: k for k, b in enumerate(bases)}
        starts = [base_node[prep.loc_index[units[ud.unit_id].base.id]] for ud in self.uds]
        self.manager = pywrapcp.RoutingIndexManager(n, len(self.vehicles), starts, starts)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._build(units)

    # RegisterTransitMatrix and RegisterUnaryTransitVector are indexed by node, not index.
    def _node_matrix(self, m: np.ndarray) -> np.ndarray:
        idx = np.array(self.node_loc)
        out: np.ndarray = m[np.ix_(idx, idx)]
        return out

    def _build(self, units: dict[str, Any]) -> None:
        prep, routing, manager = self.prep, self.routing, self.manager
        problem = prep.problem
        w = problem.weights
        service = np.array(self.node_service, dtype=np.int64)
        # Per unit: travel and time transits; per (unit, weekday): arc costs. Identical
        # matrices are registered once, so that identical vans form one vehicle class.
        self.travel_idx: dict[str, np.ndarray] = {}
        self.dist_idx: dict[str, np.ndarray] = {}
        self._registered: dict[bytes, int] = {}
        time_cb: dict[str, int] = {}
        self.drive_cb: dict[str, int] = {}
        self.arc_cost: list[np.ndarray] = []  # per vehicle
        pref = np.array([self._pref_weekday(i) for i in range(len(self.nodes))])
        keep = [self._pref_dates(i) for i in range(len(self.nodes))]
        units_kept = [
            None if node is None else prep.visits[node.visit].visit.preferred_units for node in self.nodes
        ]
        for uid in {ud.unit_id for ud in self.uds}:
            travel = self._node_matrix(prep.matrices[uid].durations)
            self.travel_idx[uid] = travel
            self.dist_idx[uid] = self._node_matrix(prep.matrices[uid].distances)
            time_cb[uid] = self._register(travel + service[:, None])
            if any(ud.max_drive is not None for ud in self.uds):
                self.drive_cb[uid] = self._register(travel)
        for v, ud in enumerate(self.uds):
            off = (pref >= 0) & (pref != ud.date.weekday())
            cost = self.travel_idx[ud.unit_id] * w.travel
            if off.any() and w.off_preferred_weekday:
                cost = cost + np.where(off, w.off_preferred_weekday, 0)[:, None]
            moved = np.array([k is not None and ud.date not in k for k in keep])
            if moved.any() and w.moved:
                cost = cost + np.where(moved, w.moved, 0)[:, None]
            other = np.array([u is not None and ud.unit_id not in u for u in units_kept])
            if other.any() and w.other_unit:
                cost = cost + np.where(other, w.other_unit, 0)[:, None]
            self.arc_cost.append(cost)
            routing.SetArcCostEvaluatorOfVehicle(self._register(cost), v)

        horizon = max([ud.shift.end for ud in self.uds] + [DAY])
        routing.AddDimensionWithVehicleTransits(
            [time_cb[ud.unit_id] for ud in self.uds], horizon, horizon, False, "time"
        )
        tdim = routing.GetDimensionOrDie("time")
        self.tdim = tdim
        for v, ud in enumerate(self.uds):
            for idx in (routing.Start(v), routing.End(v)):
                tdim.CumulVar(idx).SetRange(ud.shift.start, ud.shift.end)
            if ud.max_work is not None:
                tdim.SetSpanUpperBoundForVehicle(ud.max_work, v)
            if w.work > 0 and self.compact:
                tdim.SetSpanCostCoefficientForVehicle(w.work, v)
            if ud.shift.end > ud.regular_end and w.after_hours > 0:
                tdim.SetCumulVarSoftUpperBound(routing.End(v), ud.regular_end, w.after_hours)
            if w.balance > 0:
                tdim.SetSoftSpanUpperBoundForVehicle(pywrapcp.BoundCost(w.balance_target, w.balance), v)
            routing.AddVariableMaximizedByFinalizer(tdim.CumulVar(routing.Start(v)))
            routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.End(v)))
        for node_id, node in enumerate(self.nodes):
            if node is None:
                continue
            idx = manager.NodeToIndex(node_id)
            lo, hi = node.windows[0].start, max(t.end for t in node.windows)
            var = tdim.CumulVar(idx)
            var.SetRange(lo, hi)
            for a, b in zip(node.windows, node.windows[1:], strict=False):
                if b.start > a.end + 1:
                    var.RemoveInterval(a.end + 1, b.start - 1)
            if node.prefer is not None and w.off_preferred_time:
                tdim.SetCumulVarSoftLowerBound(idx, max(0, node.prefer - TIME_BAND), w.off_preferred_time)
                tdim.SetCumulVarSoftUpperBound(idx, node.prefer + TIME_BAND, w.off_preferred_time)
            if len(node.vehicles) < len(self.vehicles):
                # SetAllowedVehiclesForIndex's Python binding rejects lists in ortools 9.15.
                routing.VehicleVar(idx).SetValues([-1, *node.vehicles])
        for (vi, occ), ids in self.occ_nodes.items():
            penalty = prep.problem.unserved_cost(prep.visits[vi].visit, occ)
            routing.AddDisjunction([manager.NodeToIndex(i) for i in ids], penalty, 1)
        self._add_drive_limits(self.drive_cb)
        self._add_capacity(units)
        self._add_breaks(service)
        self._add_weekly_caps()
        self._add_day_gaps()

    def _register(self, matrix: np.ndarray) -> int:
        """Register a node x node transit matrix once per distinct content."""
        key = matrix.astype(np.int64).tobytes()
        if key not in self._registered:
            self._registered[key] = self.routing.RegisterTransitMatrix(matrix.tolist())
        return self._registered[key]

    def _pref_weekday(self, node_id: int) -> int:
        node = self.nodes[node_id]
        if node is None:
            return -1
        p = self.prep.visits[node.visit].visit.preferred_weekday
        return -1 if p is None else p

    def _pref_dates(self, node_id: int) -> frozenset[date] | None:
        node = self.nodes[node_id]
        return None if node is None else self.prep.visits[node.visit].visit.preferred_dates

    def _add_drive_limits(self, drive_cb: dict[str, int]) -> None:
        if all(ud.max_drive is None for ud in self.uds):
            return
        caps = [ud.max_drive if ud.max_drive is not None else DAY for ud in self.uds]
        self.routing.AddDimensionWithVehicleTransitAndCapacity(
            [drive_cb[ud.unit_id] for ud in self.uds], 0, caps, True, "drive"
        )

    def _add_capacity(self, units: dict[str, Any]) -> None:
        caps = [units[ud.unit_id].capacity for ud in self.uds]
        if all(c is None for c in caps):
            return
        loads = [0 if node is None else self.prep.visits[node.visit].visit.load for node in self.nodes]
        cb = self.routing.RegisterUnaryTransitVector(loads)
        big = sum(loads) + 1
        self.routing.AddDimensionWithVehicleCapacity(
            cb, 0, [c if c is not None else big for c in caps], True, "load"
        )

    def _add_breaks(self, service: np.ndarray) -> None:
        """The break as an optional interval, with OR-Tools' own rule that no stretch of
        work between breaks (or the route's ends) may exceed ``required_after``.

        Only constraints that OR-Tools' routing filters know are used here: generic CP
        constraints on cumul or interval variables would make every move fail late in
        propagation and slow the search by orders of magnitude.
        """
        routing, tdim = self.routing, self.tdim
        solver = routing.solver()
        visit_transits = [int(service[self.manager.IndexToNode(i)]) for i in range(routing.Size())]
        self.breaks: dict[int, Any] = {}
        for v in range(len(self.uds)):
            rule = self.break_rule(v)
            if rule is None:
                continue
            win = rule.window
            brk = solver.FixedDurationIntervalVar(win.start, win.end, rule.duration, True, f"break-{v}")
            tdim.SetBreakIntervalsOfVehicle([brk], v, visit_transits)
            tdim.SetBreakDistanceDurationOfVehicle(rule.required_after, rule.duration, v)
            routing.AddIntervalToAssignment(brk)
            self.breaks[v] = brk

    def break_rule(self, v: int) -> BreakRule | None:
        """Vehicle ``v``'s break rule, when its day can be long enough to need one."""
        ud = self.uds[v]
        rule = ud.break_rule
        longest = min(DAY if ud.max_work is None else ud.max_work, ud.shift.end - ud.shift.start)
        return None if rule is None or longest <= rule.required_after else rule

    def _add_weekly_caps(self) -> None:
        """The driver's weekly cap, as a bound on each day's span where the cap would bind.

        A linear constraint over all the days' spans is exact but invisible to OR-Tools'
        routing filters, which made the search crawl; per-day bounds summing to at most
        the cap are always valid and kept inside the filters. OR-Tools' own search gets a
        share in proportion to each day's own limit (which can leave room unused); routes
        found by ruin and recreate, which keeps the cap itself, come with their days'
        shortest spans (``spans``), and each day may take its span and an equal part of
        what the cap leaves.
        """
        own = [cand.own_limit(ud) for ud in self.uds]
        shares = cand.weekly_shares(self.prep.problem, self.uds)
        if self.spans is not None:
            for uid, cap in cand.binding_caps(self.prep.problem, self.uds).items():
                mine = [v for v, ud in enumerate(self.uds) if ud.unit_id == uid]
                left = max(0, cap - sum(self.spans[v] for v in mine))
                for v in mine:
                    shares[v] = min(own[v], self.spans[v] + left // len(mine))
        for v, share in enumerate(shares):
            if share < own[v]:
                self.tdim.SetSpanUpperBoundForVehicle(share, v)

    def _add_day_gaps(self) -> None:
        """The minimum gap between the served occurrences of the visits whose days are free.

        A "day" dimension whose cumul is the vehicle's date (days since the first date: no
        transit, no slack) and a node precedence between every two occurrences, which holds
        only when both are served: the later one at least ``min_gap_days`` after.
        """
        if not any(self.free_occ.values()):
            return
        routing, manager = self.routing, self.manager
        first = min(ud.date for ud in self.uds)
        days = [(ud.date - first).days for ud in self.uds]
        zero = routing.RegisterUnaryTransitVector([0] * len(self.nodes))
        routing.AddDimension(zero, 0, max(days) + 1, False, "day")
        ddim = routing.GetDimensionOrDie("day")
        for v, d in enumerate(days):
            ddim.CumulVar(routing.Start(v)).SetValue(d)
            ddim.CumulVar(routing.End(v)).SetValue(d)
        for vi, per_occ in self.free_occ.items():
            gap = max(1, self.prep.visits[vi].visit.min_gap_days)
            for a, b in itertools.combinations(range(len(per_occ)), 2):
                for x in per_occ[a]:
                    for y in per_occ[b]:
                        ddim.AddNodePrecedence(manager.NodeToIndex(x), manager.NodeToIndex(y), gap)

    def key_nodes(self) -> dict[tuple[tuple[int, int], int], int]:
        """``{((visit, occurrence), vehicle): node}``: where each occurrence can go."""
        out: dict[tuple[tuple[int, int], int], int] = {}
        for key, ids in self.occ_nodes.items():
            for i in ids:
                node = self.nodes[i]
                assert node is not None
                for v in node.vehicles:
                    out[(key, v)] = i
        return out

    def ruin_instance(self) -> ruin.Instance:
        """This model in the plain lists of :class:`planner.ruin.Instance` (same node ids)."""
        from planner import ruin

        prep, problem = self.prep, self.prep.problem
        w = problem.weights
        units = {u.id: u for u in problem.units}
        first = min(ud.date for ud in self.uds)
        key_node = self.key_nodes()
        after_first = frozenset(
            key for key in self.occ_nodes if key[1] > 0 and prep.visits[key[0]].visit.pinned_date is not None
        )
        per_unit = {uid: m.astype(np.int64).tolist() for uid, m in self.travel_idx.items()}
        unit_index = {u.id: i for i, u in enumerate(problem.units)}
        binding = cand.binding_caps(problem, self.uds)
        # identical matrices (vans alike, days alike) shared, as OR-Tools registers them once
        costs: dict[bytes, list[list[int]]] = {}
        cost = []
        for c in self.arc_cost:
            c64 = c.astype(np.int64)
            cost.append(costs.setdefault(c64.tobytes(), c64.tolist()))
        brk: list[tuple[int, int, int, int] | None] = []
        for v in range(len(self.uds)):
            rule = self.break_rule(v)
            brk.append(
                None
                if rule is None
                else (rule.window.start, rule.window.end, rule.duration, rule.required_after)
            )
        return ruin.Instance(
            service=list(self.node_service),
            windows=[[] if n is None else [(t.start, t.end) for t in n.windows] for n in self.nodes],
            load=[0 if n is None else prep.visits[n.visit].visit.load for n in self.nodes],
            start=[self.manager.IndexToNode(self.routing.Start(v)) for v in range(len(self.uds))],
            travel=[per_unit[ud.unit_id] for ud in self.uds],
            cost=cost,
            shift=[(ud.shift.start, ud.shift.end) for ud in self.uds],
            regular_end=[ud.regular_end for ud in self.uds],
            after_hours=w.after_hours,
            # each day's own limit (its working time, else its shift's length: not capped at 24 h,
            # the benchmarks' shifts are longer); the weekly cap is the search's to share
            span_limit=[cand.own_limit(ud) for ud in self.uds],
            max_drive=[ud.max_drive for ud in self.uds],
            capacity=[units[ud.unit_id].capacity for ud in self.uds],
            brk=brk,
            day=[(ud.date - first).days for ud in self.uds],
            keys=list(self.occ_nodes),
            key_node=key_node,
            penalty={k: prep.problem.unserved_cost(prep.visits[k[0]].visit, k[1]) for k in self.occ_nodes},
            min_gap={vi: max(1, prep.visits[vi].visit.min_gap_days) for vi in self.free_occ},
            after_first=after_first,
            balance=(w.balance_target, w.balance),
            prefer=[-1 if n is None or n.prefer is None else n.prefer for n in self.nodes],
            prefer_weight=w.off_preferred_time,
            unit=[unit_index[ud.unit_id] for ud in self.uds],
            weekly=[binding.get(u.id) for u in problem.units],  # the others never bind
            patterns={
                vi: [tuple((d - first).days for d in p) for p in prep.visits[vi].patterns] for vi in self.wide
            },
        )

    def chosen_patterns(
        self, routes: Sequence[Sequence[tuple[int, int]]], choice: dict[int, tuple[date, ...]]
    ) -> dict[int, tuple[date, ...]]:
        """``choice`` with each wide visit's pattern read off ``routes`` (per vehicle, its
        occurrences): the first of its patterns that the dates of its served occurrences
        keep to (its first choice when none is served)."""
        out = dict(choice)
        served: dict[int, dict[int, date]] = {}
        for v, keys in enumerate(routes):
            for vi, occ in keys:
                if vi in self.wide:
                    served.setdefault(vi, {})[occ] = self.uds[v].date
        for vi, on in served.items():
            fits = [p for p in self.prep.visits[vi].patterns if all(p[o] == d for o, d in on.items())]
            if not fits:
                raise RuntimeError(f"visit {vi}: its served dates {on} keep to none of its patterns (a bug)")
            out[vi] = fits[0]
        return out

    def start_routes(self) -> list[list[tuple[int, int]]] | None:
        """Per vehicle, the occurrences a published plan gave it, in the order of their
        start, rebuilt from what each visit was promised (``preferred_times``: the date and
        start; ``preferred_day_units``, or else ``preferred_units``: the unit); None when no
        visit has a promised start. Each date takes the visit's first occurrence not yet
        placed that can go on a vehicle of that date and unit (a pinned visit's first
        occurrence only on its pinned date)."""
        per_vehicle: list[list[tuple[int, int, tuple[int, int]]]] = [[] for _ in self.uds]
        on = self.key_nodes()
        any_start = False
        for vi, vp in enumerate(self.prep.visits):
            visit = vp.visit
            used: set[int] = set()
            for day, start in sorted(visit.preferred_times.items()):
                for occ in range(visit.frequency):
                    key = (vi, occ)
                    if occ in used or key not in self.occ_nodes:
                        continue
                    unit = visit.preferred_day_units.get(day)
                    vs = [
                        v
                        for v, ud in enumerate(self.uds)
                        if ud.date == day
                        and (
                            ud.unit_id == unit
                            if unit
                            else visit.preferred_units is None or ud.unit_id in visit.preferred_units
                        )
                        and (key, v) in on
                    ]
                    if vs:
                        per_vehicle[vs[0]].append((start, occ, key))
                        used.add(occ)
                        any_start = True
                        break
        if not any_start:
            return None
        return [[key for _s, _o, key in sorted(stops)] for stops in per_vehicle]

    # --- solving -------------------------------------------------------------------------

    def search_params(self, params: SolveParams, seconds: float) -> Any:
        sp = pywrapcp.DefaultRoutingSearchParameters()
        sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, params.first_solution)
        metaheuristic = "GREEDY_DESCENT" if self.compact else params.metaheuristic
        sp.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic)
        sp.savings_parameters.arc_coefficient = params.savings_shape
        sp.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
        sp.log_search = params.log_search
        return sp

    def routes_from(self, seq: dict[int, list[tuple[int, int]]]) -> list[list[int]]:
        """Per vehicle, the routing indices for (visit, occurrence) keys that still fit it."""
        out: list[list[int]] = []
        for v in range(len(self.vehicles)):
            route = []
            for key in seq.get(v, []):
                for node_id in self.occ_nodes.get(key, []):
                    node = self.nodes[node_id]
                    if node is not None and v in node.vehicles:
                        route.append(self.manager.NodeToIndex(node_id))
                        break
            out.append(route)
        return out

    def solve(
        self,
        params: SolveParams,
        seconds: float,
        warm: dict[int, list[tuple[int, int]]] | None,
        on_solution: Callable[[int, int], None] | None = None,
    ) -> Any:
        """Run OR-Tools for ``seconds``; start from ``warm`` routes when given (from nothing
        when they cannot be restored)."""
        sp = self.search_params(params, seconds)
        if on_solution is not None:
            self.watch(on_solution)
        if warm:
            initial = self._read(params, warm)
            if initial is not None:
                sol = self.routing.SolveFromAssignmentWithParameters(initial, sp)
                if sol is not None:
                    return sol
        t0 = time.time()
        first = self.first(params)
        if first is None:
            return None
        return self.improve(params, seconds - (time.time() - t0), first)

    def watch(self, on_solution: Callable[[int, int], None]) -> None:
        """Call ``on_solution(objective, served nodes)`` at every solution found."""
        routing = self.routing
        nexts = [(i, routing.NextVar(i)) for i in range(routing.Size()) if not routing.IsStart(i)]
        # The model keeps the callback; were the callback to keep the model, neither would
        # ever be freed (a cycle through C++ that Python's collector cannot see).
        model_ref = weakref.ref(routing)

        def at_solution() -> None:
            model = model_ref()
            if model is None:
                return
            served = sum(1 for i, var in nexts if var.Value() != i)
            on_solution(model.CostVar().Max(), served)

        routing.AddAtSolutionCallback(at_solution)

    def _first_only(self, params: SolveParams) -> Any:
        """Search parameters that stop at the first solution rather than at a time limit."""
        sp = self.search_params(params, 60.0)
        sp.solution_limit = 1
        return sp

    def first(self, params: SolveParams) -> Any:
        """A first solution by ``params.first_solution``, always built to the end however
        loaded the machine (a time limit could stop it half-way and leave nothing)."""
        self.closed = True
        return self.routing.SolveWithParameters(self._first_only(params))

    def improve(self, params: SolveParams, seconds: float, start: Any) -> Any:
        """Local search from ``start``, a solution of this (closed) model, for ``seconds``;
        ``start`` itself when there is no time or nothing better."""
        if seconds < 0.05:
            return start
        sol = self.routing.SolveFromAssignmentWithParameters(start, self.search_params(params, seconds))
        return start if sol is None else sol

    def _read(self, params: SolveParams, warm: dict[int, list[tuple[int, int]]]) -> Any:
        """The known routes as an assignment of this model (None when they do not fit it).

        Reading runs a small search of its own (the breaks' and cumuls' values) under the
        limits the model was closed with; closed with a time limit, it can spend all of it
        improving those values, so it is closed to stop at the first solution instead.
        """
        if not self.closed:
            self.routing.CloseModelWithParameters(self._first_only(params))
            self.closed = True
        return self.routing.ReadAssignmentFromRoutes(self.routes_from(warm), True)

    def restore(
        self,
        params: SolveParams,
        warm: dict[int, list[tuple[int, int]]],
        breaks: dict[int, tuple[int, int]] | None = None,
    ) -> Any:
        """The known routes as a solution of this model, however loaded the machine: the
        search stops at the first solution instead of at a time limit. ``breaks`` (per
        vehicle: its break's start, -1: none needed; when it leaves the base) fixes when the
        breaks start and the routes leave, else OR-Tools sets them."""
        for v, (start, depart) in (breaks or {}).items():  # on the model: reading ignores them in the routes
            brk = self.breaks.get(v)
            # (a day that needs none: OR-Tools decides; unperforming the break aborts)
            if brk is not None and start >= 0:
                brk.SetStartRange(start, start)
            if depart >= 0:
                self.tdim.CumulVar(self.routing.Start(v)).SetRange(depart, depart)
        initial = self._read(params, warm)
        if initial is None:
            return None
        return self.routing.SolveFromAssignmentWithParameters(initial, self._first_only(params))

    def sequences(self, sol: Any) -> dict[int, list[tuple[int, int]]]:
        """Per vehicle, the (visit, occurrence) keys in route order."""
        out: dict[int, list[tuple[int, int]]] = {}
        for v in range(len(self.vehicles)):
            idx = self.routing.Start(v)
            keys = []
            while not self.routing.IsEnd(idx):
                idx = sol.Value(self.routing.NextVar(idx))
                node = self.nodes[self.manager.IndexToNode(idx)] if not self.routing.IsEnd(idx) else None
                if node is not None:
                    keys.append((node.visit, node.occurrence))
            out[v] = keys
        return out

    def extract(self, sol: Any) -> list[Route]:
        """Plain routes from an OR-Tools assignment (DESIGN principle 3)."""
        routing, tdim, problem = self.routing, self.tdim, self.prep.problem
        routes: list[Route] = []
        for v, ud in enumerate(self.uds):
            travel, dist = self.travel_idx[ud.unit_id], self.dist_idx[ud.unit_id]
            idx = routing.Start(v)
            depart = sol.Value(tdim.CumulVar(idx))
            raw: list[tuple[int, int, int]] = []  # (routing index, start, end)
            prev = idx
            while True:
                idx = sol.Value(routing.NextVar(prev))
                if routing.IsEnd(idx):
                    break
                start = sol.Value(tdim.CumulVar(idx))
                raw.append((idx, start, start + self.node_service[self.manager.IndexToNode(idx)]))
                prev = idx
            if not raw:
                continue
            end_idx = idx
            arrive = sol.Value(tdim.CumulVar(end_idx))
            rest = self._rest(sol, v, depart, raw)
            nodes = [self.nodes[self.manager.IndexToNode(i)] for i, _, _ in raw]
            legs = [
                int(travel[self.manager.IndexToNode(a), self.manager.IndexToNode(b)])
                for a, b in itertools.pairwise([routing.Start(v), *(i for i, _, _ in raw), end_idx])
            ]
            starts = [start for _, start, _ in raw]
            depart, arrive = _retime(depart, starts, arrive, rest, legs, nodes, ud)
            raw = [(i, t, t + end - start) for (i, start, end), t in zip(raw, starts, strict=True)]
            stops: list[Stop] = []
            prev, prev_end = routing.Start(v), depart
            for k, (i, start, end) in enumerate(raw):
                a, b = self.manager.IndexToNode(prev), self.manager.IndexToNode(i)
                leg = int(travel[a, b])
                arrival = prev_end + leg
                if rest is not None and rest.after_stop == k and rest.start < arrival:
                    arrival += rest.duration  # the break is taken on the way
                node = self.nodes[self.manager.IndexToNode(i)]
                assert node is not None
                vid = problem.visits[node.visit].id
                stops.append(Stop(vid, node.occurrence, arrival, start, end, leg, int(dist[a, b])))
                prev, prev_end = i, end
            a, b = self.manager.IndexToNode(prev), self.manager.IndexToNode(end_idx)
            routes.append(
                Route(
                    ud.unit_id,
                    ud.date,
                    depart,
                    arrive,
                    tuple(stops),
                    int(travel[a, b]),
                    int(dist[a, b]),
                    rest,
                )
            )
        return routes

    def _rest(self, sol: Any, v: int, depart: int, raw: list[tuple[int, int, int]]) -> BreakStep | None:
        brk = self.breaks.get(v)
        if brk is None:
            return None
        if sol.PerformedValue(brk) == 0:
            return None
        start = sol.StartValue(brk)
        arrive = sol.Value(self.tdim.CumulVar(self.routing.End(v)))
        if start < depart or start + brk.DurationMin() > arrive:
            return None  # OR-Tools may leave an unneeded optional break outside the route
        after = sum(1 for _, _, end in raw if end <= start)
        return BreakStep(start, brk.DurationMin(), after)


def _retime(
    depart: int,
    starts: list[int],
    arrive: int,
    rest: BreakStep | None,
    legs: list[int],
    nodes: Sequence[_Node | None],
    ud: UnitDay,
) -> tuple[int, int]:
    """A route's times with the waiting OR-Tools' assignment leaves that costs nothing to
    take out: stops before their preferred start moved toward it, and the departure put off
    so that the unit does not wait at its first stop (``starts`` is changed in place; the
    departure and the return are returned).

    OR-Tools sets the times its search leaves free to the least value it may: with the
    optional break interval on the day it left Aigio at 10:55 for a 14:00 visit 65 minutes
    away, to wait from 12:00 (90 minutes), and put a visit promised for 14:00 at 12:00. Only
    blocks of the route move, each within what every rule allows as it stands (the stops'
    windows, which hold the crew's hours and a pinned time; the break, which never moves;
    the shift and ordinary hours), never away from a preferred start and never making the
    day longer: the plan stays valid and costs no more.
    """
    n = len(starts)
    service = [node.service if node is not None else 0 for node in nodes]

    def end(k: int) -> int:  # the end at place k (-1: the departure)
        return depart if k < 0 else starts[k] + service[k]

    def slack(j: int) -> int:
        """The waiting before stop ``j`` (``n``: the return) beyond the drive and break."""
        room = (starts[j] if j < n else arrive) - end(j - 1) - legs[j]
        if rest is not None and rest.after_stop == j:
            room = min(room - rest.duration, rest.start - end(j - 1))
        return max(0, room)

    def room(b: int, j: int) -> int:
        """How far the places ``b``..``j - 1`` (``b`` -1: with the departure) may move later
        together: 0 with the break among them."""
        if rest is not None and b < rest.after_stop < j:
            return 0
        most = ud.shift.end - depart if b < 0 else DAY
        for k in range(max(b, 0), j):
            node, t = nodes[k], starts[k]
            if node is None:
                return 0
            # the stop's own window (a part-timer's hours and a pinned time are in it)
            most = min(most, max((w.end - t for w in node.windows if w.start <= t <= w.end), default=0))
            if node.prefer is not None:
                most = min(most, max(0, node.prefer - t))
        return max(0, most)

    def move(b: int, j: int, by: int) -> None:
        nonlocal depart
        if by <= 0:
            return
        if b < 0:
            depart += by
        for k in range(max(b, 0), j):
            starts[k] += by

    # a stop before its preferred start: it and the stops chained before it, into the
    # waiting after it (the whole day, if it is the last stop and the day has no break)
    for j in range(n):
        node = nodes[j]
        if node is None or node.prefer is None or starts[j] >= node.prefer - TIME_BAND:
            continue
        b = j
        while b >= 0 and slack(b) == 0:
            b -= 1
        if j + 1 < n:
            move(b, j + 1, min(slack(j + 1), room(b, j + 1)))
        elif b < 0 and rest is None:  # the whole day later: not into after-hours, not past the shift
            by = min(room(b, n), ud.shift.end - arrive, max(0, ud.regular_end - arrive))
            if by > 0:
                move(b, n, by)
                arrive += by
    # then leave later rather than wait at the first stop that has waiting
    first = next((j for j in range(n) if slack(j) > 0), None)
    if first is not None:
        move(-1, first, min(slack(first), room(-1, first)))
    return depart, arrive


# --- day patterns ----------------------------------------------------------------------------


def _day_capacity(prep: _Prep) -> tuple[dict[date, float], dict[date, float]]:
    """Per date: working seconds and load the available unit-days offer in total."""
    problem = prep.problem
    work: dict[date, float] = {d: 0.0 for d in problem.dates}
    load: dict[date, float] = {d: 0.0 for d in problem.dates}
    for k in prep.vehicles:
        ud = problem.unit_days[k]
        work[ud.date] += min(DAY if ud.max_work is None else ud.max_work, ud.shift.end - ud.shift.start)
        cap = problem.unit(ud.unit_id).capacity
        load[ud.date] += cap if cap is not None else float("inf")
    return work, load


def _first_patterns(prep: _Prep, rng: random.Random) -> dict[int, tuple[date, ...]]:
    """A greedy first choice of pattern for each multi-visit.

    Visits with the fewest patterns and the largest demand go first; each takes the pattern
    that least increases the squared use of the days' working time and capacity (so days
    fill evenly and none overflows), with a small pull towards days that already go near it.
    """
    problem = prep.problem
    cap_work, cap_load = _day_capacity(prep)
    work: dict[date, float] = {d: 0.0 for d in problem.dates}
    load: dict[date, float] = {d: 0.0 for d in problem.dates}
    members: dict[date, list[int]] = {d: [] for d in problem.dates}
    for vp in prep.visits:  # single visits: spread their expected share over their dates
        if vp.visit.frequency == 1 and vp.patterns:
            for (d,) in vp.patterns:
                work[d] += vp.visit.service / len(vp.patterns)
                load[d] += vp.visit.load / len(vp.patterns)
    dur = prep.matrices[problem.units[0].id].durations
    order = [
        vi
        for vi, vp in enumerate(prep.visits)
        if vp.visit.frequency > 1 and vp.patterns and vi not in prep.free
    ]
    order.sort(
        key=lambda vi: (
            len(prep.visits[vi].patterns),
            -prep.visits[vi].visit.load,
            -prep.visits[vi].visit.service,
            rng.random(),
        )
    )

    def use(w: float, q: float, d: date) -> float:
        u = w / max(cap_work[d], 1.0) + (q / cap_load[d] if cap_load[d] != float("inf") else 0.0)
        return u * u + 10 * max(0.0, u - 1) ** 2

    choice: dict[int, tuple[date, ...]] = {}
    for vi in order:
        v = prep.visits[vi].visit
        loc = prep.loc_index[v.location.id]
        est = v.service + 600  # service plus a typical leg, so services of 0 still count

        def score(p: tuple[date, ...], v: Visit = v, loc: int = loc, est: int = est) -> float:
            total = 0.0
            for d in p:
                near = min(
                    (int(dur[loc, prep.loc_index[prep.visits[o].visit.location.id]]) for o in members[d]),
                    default=0,
                )
                total += (
                    use(work[d] + est, load[d] + v.load, d) - use(work[d], load[d], d)
                ) * 3600 + 0.1 * near
            return total

        best = min(prep.visits[vi].patterns, key=score)
        choice[vi] = best
        for d in best:
            work[d] += est
            load[d] += v.load
            members[d].append(vi)
    return choice


@dataclass
class _RouteState:
    """What the pattern search needs of a route: its places, load and duration."""

    locs: list[int]  # base, stops..., base
    load: int
    duration: int  # travel + service


def _route_states(
    prep: _Prep, model: _Model, seqs: dict[int, list[tuple[int, int]]], skip: set[int]
) -> dict[int, _RouteState]:
    out: dict[int, _RouteState] = {}
    for v, ud in enumerate(model.uds):
        dur = prep.matrices[ud.unit_id].durations
        base = prep.loc_index[prep.problem.unit(ud.unit_id).base.id]
        keys = [k for k in seqs.get(v, []) if k[0] not in skip]
        locs = [base] + [prep.loc_index[prep.visits[k[0]].visit.location.id] for k in keys] + [base]
        travel = sum(int(dur[a, b]) for a, b in itertools.pairwise(locs))
        service = sum(prep.visits[k[0]].visit.service for k in keys)
        load = sum(prep.visits[k[0]].visit.load for k in keys)
        out[v] = _RouteState(locs, load, travel + service)
    return out


def _insertion(prep: _Prep, model: _Model, st: _RouteState, v: int, vi: int) -> tuple[float, int]:
    """Cheapest extra travel to put visit ``vi`` in route ``v`` (windows ignored), with a
    penalty when capacity or working time would overflow; and the position."""
    ud = model.uds[v]
    dur = prep.matrices[ud.unit_id].durations
    visit = prep.visits[vi].visit
    x = prep.loc_index[visit.location.id]
    best, pos = float("inf"), 1
    for k, (a, b) in enumerate(itertools.pairwise(st.locs)):
        delta = float(dur[a, x] + dur[x, b] - dur[a, b])
        if delta < best:
            best, pos = delta, k + 1
    cap = prep.problem.unit(ud.unit_id).capacity
    over = 0.0
    if cap is not None and st.load + visit.load > cap:
        over += (st.load + visit.load - cap) / max(cap, 1) * 10 * DAY
    limit = min(DAY if ud.max_work is None else ud.max_work, ud.shift.end - ud.shift.start)
    if st.duration + best + visit.service > limit:
        over += st.duration + best + visit.service - limit + DAY
    return best + over, pos


def _repattern(
    prep: _Prep,
    model: _Model,
    seqs: dict[int, list[tuple[int, int]]],
    choice: dict[int, tuple[date, ...]],
    chosen: list[int],
    avoid: set[date] | None = None,
) -> dict[int, tuple[date, ...]]:
    """Re-choose the patterns of ``chosen`` visits by cheapest feasible insertion, keeping
    them off the ``avoid`` dates where they have a pattern that allows it."""
    new = dict(choice)
    states = _route_states(prep, model, seqs, set(chosen))
    by_date: dict[date, list[int]] = {}
    for v, ud in enumerate(model.uds):
        by_date.setdefault(ud.date, []).append(v)
    for vi in chosen:
        visit = prep.visits[vi].visit
        best, best_cost = choice[vi], float("inf")
        options = prep.visits[vi].patterns
        if avoid:
            options = [p for p in options if not avoid & set(p)] or options
        for p in options:
            cost = sum(
                min(
                    (_insertion(prep, model, states[v], v, vi)[0] for v in by_date.get(d, [])),
                    default=float("inf"),
                )
                for d in p
            )
            if cost < best_cost:
                best, best_cost = p, cost
        new[vi] = best
        for d in best:  # put it where it is cheapest, so the next chosen visit sees it
            vs = by_date.get(d, [])
            if not vs:
                continue
            v = min(vs, key=lambda v: _insertion(prep, model, states[v], v, vi)[0])
            st = states[v]
            _, pos = _insertion(prep, model, st, v, vi)
            dur = prep.matrices[model.uds[v].unit_id].durations
            x = prep.loc_index[visit.location.id]
            a, b = st.locs[pos - 1], st.locs[pos]
            st.duration += int(dur[a, x] + dur[x, b] - dur[a, b]) + visit.service
            st.load += visit.load
            st.locs.insert(pos, x)
    return new


def _orphans(prep: _Prep, seqs: dict[int, list[tuple[int, int]]]) -> frozenset[tuple[int, int]]:
    """Later visits of a pinned multi-visit whose pinned (first) visit is not served.

    A pinned visit is served on its pinned date or not at all; the rule is applied to the
    found routes rather than inside OR-Tools, where a constraint on which nodes are active
    is invisible to the first-solution heuristics and made them fail outright.
    """
    served = {k for seq in seqs.values() for k in seq}
    out: set[tuple[int, int]] = set()
    for vi, vp in enumerate(prep.visits):
        v = vp.visit
        if v.frequency > 1 and v.pinned_date is not None and (vi, 0) not in served:
            out.update((vi, o) for o in range(1, v.frequency))
    return frozenset(out)


def _full_dates(prep: _Prep, found: _Found) -> set[date]:
    """Dates on which an occurrence with a fixed day pattern was left unserved."""
    served = {k for seq in found.seqs.values() for k in seq}
    out: set[date] = set()
    for vi, days in found.choice.items():
        for occ, d in enumerate(days):
            if (vi, occ) not in served:
                out.add(d)
    return out


def _multi(prep: _Prep) -> list[int]:
    """The visits wanted more than once that have a choice of day patterns."""
    return [
        vi
        for vi, vp in enumerate(prep.visits)
        if vp.visit.frequency > 1 and len(vp.patterns) > 1 and vi not in prep.free
    ]


def _related(prep: _Prep, multi: list[int], size: int, rng: random.Random) -> list[int]:
    """A seed multi-visit and those nearest to it, or a random handful (half the time)."""
    if rng.random() < 0.5 or len(multi) <= size:
        return rng.sample(multi, min(size, len(multi)))
    dur = prep.matrices[prep.problem.units[0].id].durations
    seed = rng.choice(multi)
    at = prep.loc_index[prep.visits[seed].visit.location.id]
    return sorted(multi, key=lambda vi: int(dur[at, prep.loc_index[prep.visits[vi].visit.location.id]]))[
        :size
    ]


# --- the public entry point ------------------------------------------------------------------


def _empty_plan(problem: Problem, params: SolveParams, t0: float, status: str) -> Plan:
    plan = Plan(
        problem.name,
        (),
        (),
        0,
        params.seed,
        params.time_limit,
        round(time.monotonic() - t0, 3),
        status,
        travel_model_of(problem.travel).name,
    )
    return replace(plan, unassigned=explain_unassigned(problem, plan))


def _densest_first(prep: _Prep, model: _Model, sol: Any, share: float) -> frozenset[tuple[int, int]]:
    """The visits to leave for later when more is wanted than the week can hold.

    As many occurrences as the first solution left unserved (times ``share``), those
    giving the least priority per minute of the unit's time: priority over service plus
    the travel from the nearest other place (where a colleague visit or the base is). An
    empty set when the first solution served everything. Pinned visits are never left.
    """
    served = {k for seq in model.sequences(sol).values() for k in seq}
    missing = sum(1 for k in model.occ_nodes if k not in served)
    count = round(missing * share)
    if count == 0:
        return frozenset()
    dur = prep.matrices[prep.problem.units[0].id].durations
    places = sorted({model.node_loc[i] for i in range(len(model.nodes))})
    near = dur[np.ix_(places, places)].astype(float)
    np.fill_diagonal(near, np.inf)
    nearest = dict(zip(places, near.min(axis=1), strict=True))

    def density(key: tuple[int, int]) -> float:
        v = prep.visits[key[0]].visit
        at = prep.loc_index[v.location.id]
        return max(1, v.priority) / (v.service + float(nearest[at]) + 1)

    movable = [k for k in model.occ_nodes if prep.visits[k[0]].visit.pinned_date is None]
    return frozenset(sorted(movable, key=density)[:count])


@dataclass(frozen=True)
class _Found:
    """A search's result, in plain data so that it can come back from a worker process."""

    objective: int
    choice: dict[int, tuple[date, ...]]
    seqs: dict[int, list[tuple[int, int]]]
    status: str
    spans: list[int] | None = None  # per vehicle, where ruin and recreate kept a weekly cap
    breaks: dict[int, tuple[int, int]] | None = None  # per vehicle: break's start, departure (restore)


def _search(
    prep: _Prep, params: SolveParams, deadline: float, report: Callable[[int, int], None] | None
) -> _Found:
    """Search until ``deadline`` (time.time()), in episodes when visits are weighed.

    Which visits to serve is decided early in an episode (the staged packing) and later
    moves rarely undo it, so a long budget is better spent on several episodes, each from
    another first solution or day patterns, than on one: episodes of ``params.episode``
    seconds (longer for big problems), the last one taking what is left, the best kept.
    """
    if _ruin_and_recreate(params):
        return _ruin_search(prep, params, deadline, report)
    rng = random.Random(params.seed)
    weighed = _weighed(prep) or params.stage_uniform
    episode = max(params.episode, params.episode_per_visit * _wanted(prep))
    strategies = [params.first_solution] + [fs for fs in params.portfolio if fs != params.first_solution]
    best: _Found | None = None
    best_strategy = params.first_solution
    for k in itertools.count():
        left = deadline - time.time()
        last = not weighed or left < 2 * episode
        # each first solution once, then the one whose episode did best so far; a repeated
        # SAVINGS start gets another route shape, or (with nothing else chosen at random)
        # it would repeat an earlier episode move for move
        strategy = strategies[k] if k < len(strategies) else best_strategy
        shape = params.savings_shape if k < len(strategies) else params.savings_shape + rng.uniform(-0.1, 0.6)
        ep = replace(params, first_solution=strategy, savings_shape=shape)
        found = _episode(prep, ep, rng, deadline if last else time.time() + episode, report, weighed)
        if best is None or found.objective < best.objective:
            best, best_strategy = found, strategy
        if last:
            return best
    raise AssertionError("unreachable")


def _ruin_and_recreate(params: SolveParams) -> bool:
    """Whether to search by ruin and recreate (:mod:`planner.ruin`) rather than OR-Tools:
    always, unless ``params.search`` says otherwise. When every visit counts the same, the
    second worker takes OR-Tools' search (:func:`_worker_params`).

    Until the seventeenth session visits with explicit day patterns to choose took
    OR-Tools' search, whose rounds re-choose the patterns of a few visits between
    searches (:func:`_episode`): ruin and recreate kept the first choice of patterns, and
    was worse on the Cordeau instances with patterns (30 s: p02 left a customer out, pr01
    +4.3 %). Now it chooses them itself (a visit with patterns leaves and comes back whole,
    by its cheapest pattern; :func:`planner.ruin.insert_pattern`), and the seven Cordeau
    instances with patterns went, one search of 60 s each against the table of the
    sixteenth session: p02 +1.64 % against +6.39 %, p05 +2.42 % against +5.21 %, p08
    +1.66 % against +6.26 %, p10 +1.52 % against +13.37 %, pr01 +0.00 % against +0.45 %,
    pr02 +1.04 % against +3.43 %, pr03 +2.63 % against +8.77 %.

    Until the sixteenth session problems where every visit counts the same took OR-Tools'
    search first: it had measured better where all fits (the 14 Solomon instances, 10 s:
    +2.55 % against +5.29 %) and where vehicle loads bind (six Cordeau instances without
    day patterns: it served every customer, ruin and recreate did not). Both were the ruin
    search's defects: temperatures fixed for the demo week's cost scale, a random walk in
    Solomon's tenths, and every day's span capped at 24 h, shorter than the Cordeau
    instances' shifts. Fixed, ruin and recreate is the better (the Solomon table at 30 s:
    +0.19 % against +1.93 %; the six Cordeau instances at 60 s: better on p06, p07, p09,
    equal on p01, p03, 0.1 % worse on p04), and it was already where more is wanted than
    the days hold (the demo week with every priority 1, 8 s, two workers: 94-95 visits of
    103 served against 87-88 by OR-Tools' search alone).
    """
    return params.search != "ortools"


def _ruin_search(
    prep: _Prep, params: SolveParams, deadline: float, report: Callable[[int, int], None] | None
) -> _Found:
    """One ruin-and-recreate search until ``deadline``, on the wide model (every date of a
    visit's day patterns open to it; the search keeps each visit to one pattern); the
    patterns the best routes keep to are the result's choice."""
    from planner import ruin  # numba's import and compiled code: only where the search runs

    rng = random.Random(params.seed)
    choice = _first_patterns(prep, rng)
    model = _Model(prep, choice, wide=True)
    inst = model.ruin_instance()

    def on_best(found: ruin.Result) -> None:
        if report is not None:
            report(found.objective, found.served)

    best = ruin.search(inst, params.seed, deadline, on_best=on_best, start=model.start_routes())
    seqs = {v: list(keys) for v, keys in enumerate(best.routes)}
    breaks = ruin.best_breaks(inst, best.routes, best.spans, prep.problem.weights.work)
    return _Found(best.objective, model.chosen_patterns(best.routes, choice), seqs, "", best.spans, breaks)


def _episode(
    prep: _Prep,
    params: SolveParams,
    rng: random.Random,
    deadline: float,
    report: Callable[[int, int], None] | None,
    weighed: bool,
) -> _Found:
    """One search until ``deadline``: first patterns, the staged packing when visits are
    weighed and too many, OR-Tools, then re-choosing day patterns."""
    multi = _multi(prep)
    choice = _first_patterns(prep, rng)
    left = deadline - time.time()
    # Time for re-choosing day patterns grows with the share of the work they decide.
    wanted = _wanted(prep)
    multi_share = sum(prep.visits[vi].plannable for vi in multi) / max(1, wanted)
    first_time = max(0.5, left * (1 - params.pattern_share * min(1.0, 2 * multi_share)))
    rounds = left - first_time >= params.min_rounds * params.round_time
    model = _Model(prep, choice)
    if report is not None:
        model.watch(report)
    t_first = time.time()
    if not rounds:  # too few rounds to matter: the search itself has their time
        first_time = deadline - t_first
    sol = model.first(params)
    if sol is None:
        raise RuntimeError("OR-Tools found no solution (every visit may be dropped, so this is a bug)")
    first_sol = sol
    # The staged packing pays only when its searches have time to settle, as much as an
    # episode needs per visit (demo week, one worker, unserved priority staged / not: 3 s
    # 36-45 / 32, 5 s 26 / 23-25, 8 s 20-21 / 23).
    settle = first_time >= params.episode_per_visit * wanted
    later = _densest_first(prep, model, sol, params.stage_share) if weighed and settle else frozenset()
    stage_end = t_first + first_time * params.stage_time
    if later and time.time() < stage_end:
        # More is wanted than the week holds: fill it with the visits that give the most
        # priority per minute first, then offer the others for what room is left.
        staged = _Model(prep, choice, leave_out=later)
        ssol = staged.solve(params, stage_end - time.time(), None, report)
        if ssol is not None:
            initial = model._read(params, staged.sequences(ssol))
            if initial is not None:
                sol = initial
    left = t_first + first_time - time.time()
    improved = model.improve(params, left, sol)
    if improved is sol and sol is not first_sol and left >= 0.05:
        # OR-Tools gave nothing from the packed routes: start from the first solution
        # instead. (Most likely what happened to one search in 16 on the demo week: its
        # search ended after 3.6 s of the 6.6 s it had, and 35 priority stayed unserved
        # instead of about 22; not reproduced since.)
        improved = model.improve(params, t_first + first_time - time.time(), first_sol)
    sol = improved
    best = _Found(sol.ObjectiveValue(), choice, model.sequences(sol), _status_name(model.routing.status()))
    while rounds and multi and time.time() + params.round_time < deadline:
        chosen = _related(prep, multi, params.lns_size, rng)
        avoid = _full_dates(prep, best)
        if avoid:  # some visit did not fit on these dates: move others away from them
            day = rng.choice(sorted(avoid))
            crowd = [vi for vi in multi if day in best.choice.get(vi, ())]
            chosen = rng.sample(crowd, min(params.lns_size, len(crowd))) or chosen
            avoid = {day}
        trial_choice = _repattern(prep, model, best.seqs, best.choice, chosen, avoid)
        if trial_choice == best.choice:
            trial_choice = dict(best.choice)
            vi = rng.choice(chosen)
            trial_choice[vi] = rng.choice(prep.visits[vi].patterns)
        trial = _Model(prep, trial_choice)
        tsol = trial.solve(params, min(params.round_time, deadline - time.time()), best.seqs, report)
        if tsol is not None and tsol.ObjectiveValue() < best.objective:
            model = trial
            best = _Found(tsol.ObjectiveValue(), trial_choice, trial.sequences(tsol), best.status)
    return best


def _worker(problem: Problem, params: SolveParams, deadline: float) -> _Found:
    """Entry point of a second search in another process (another core)."""
    return _search(_prepare(problem), params, deadline, None)


def _wanted(prep: _Prep) -> int:
    """How many visit occurrences can be planned at all."""
    return sum(vp.plannable for vp in prep.visits)


def _weighed(prep: _Prep) -> bool:
    """Whether the visits' priorities differ (so which to serve is a choice of worth)."""
    return len({max(1, vp.visit.priority) for vp in prep.visits}) > 1


def _worker_params(params: SolveParams, k: int, seeded: bool, weighed: bool = False) -> SolveParams:
    """Worker ``k``'s settings: another seed than worker 0, and its packing staged even
    when every visit has the same priority (but worker 1 when it takes OR-Tools' search
    in place of ruin and recreate, see below).

    The workers must not repeat one another. A seed makes a search different only where
    something is chosen at random: the day patterns of visits that have several
    (``seeded``); every worker then starts from ``first_solution``. Otherwise, when the
    visits' priorities differ (``weighed``), worker k starts from ``first_solution`` too,
    with savings shaped by a route-shape parameter 0.3 k higher (``savings_shape``, the
    lambda of Clarke and Wright's savings c(i,0) + c(0,j) - lambda c(i,j), a classic way
    to vary the savings routes): on the demo week, whose days are all free, a second
    worker from PARALLEL_CHEAPEST_INSERTION left 25 priority unserved in 8 s, one from
    SAVINGS 19-23 (mean 20.5 with shape 1.3, 20.3 with 1.0, 22.5 with 0.8; 8-12 runs
    each). When every visit counts the same (Solomon) worker k starts from the k-th other
    strategy of the portfolio (on R101 and R109 that start won over a second SAVINGS one).
    Whenever every visit counts the same, worker 1 takes OR-Tools' search while worker 0
    searches by ruin and recreate (:func:`_ruin_and_recreate`), so that a problem where
    one search is stuck can still gain from the other (C201 at 30 s with SISR's settings
    but not yet its recreate orders: ruin and recreate +6.43 %, OR-Tools 0).
    """
    if k == 0:
        return params
    if k == 1 and not weighed and params.search == "auto":
        return replace(params, seed=params.seed + k, search="ortools")
    others = [fs for fs in params.portfolio if fs != params.first_solution]
    same = seeded or weighed or not others
    strategy = params.first_solution if same else others[(k - 1) % len(others)]
    shape = params.savings_shape + 0.3 * k if weighed and not seeded else params.savings_shape
    return replace(
        params, first_solution=strategy, seed=params.seed + k, stage_uniform=True, savings_shape=shape
    )


def solve(problem: Problem, params: SolveParams | None = None, on_progress: ProgressFn | None = None) -> Plan:
    """Plan ``problem``: the best plan found within ``params.time_limit`` seconds.

    With ``params.workers`` > 1, further searches with other first-solution strategies run
    in separate processes (one per core, so at most as many as the machine has cores) and the
    best result wins.
    """
    params = params or SolveParams()
    cores = max(1, os.cpu_count() or 1)
    if params.workers > cores:  # more searches than cores: each starts late and runs slower, and
        params = replace(params, workers=cores)  # the time limit was overrun (64 took 81 s for 2)
    t0 = time.monotonic()
    wanted = sum(v.frequency for v in problem.visits)
    prep = _prepare(problem)
    if not prep.vehicles or not any(vp.plannable for vp in prep.visits):
        return _empty_plan(problem, params, t0, "NOTHING_TO_PLAN")
    if _ruin_and_recreate(params) and _ready_search(on_progress, wanted):
        t0 = time.monotonic()  # the time limit is the search's: it starts once compiled
    last = [0.0]

    def report(obj: int, served: int) -> None:
        now = time.monotonic() - t0
        if on_progress is not None and now - last[0] >= 0.25:
            last[0] = now
            on_progress(Progress(now, obj, served, wanted))

    compact = problem.weights.work > 0
    polish_time = min(params.polish_max, params.time_limit * params.polish_share) if compact else 0.0
    deadline = time.time() + params.time_limit - polish_time - (time.monotonic() - t0)
    if params.workers > 1:
        found = _run_workers(problem, prep, params, deadline, report)
    else:
        found = [_search(prep, params, deadline, report)]
    best, model, sol = _restore_best(prep, params, found, compact)
    if sol is None:  # no result reads back whole: keep what of the best routes does
        salvaged, sol = _salvage(prep, params, best, compact)
        if sol is not None:
            model = salvaged
    if sol is None:  # not even that: start again from the best routes
        sol = model.solve(params, max(1.0, params.time_limit - (time.monotonic() - t0)), best.seqs, None)
    # Polish: the same routes, now also paying for idle working time, so that days are
    # compact (leave late enough, no waiting that a swap could avoid). Only improving moves
    # are taken, from the found routes, so nothing served is dropped.
    left = params.time_limit - (time.monotonic() - t0)
    if model.compact and left > 0.2 and sol is not None:
        sol = model.improve(params, left, sol)
    if sol is None:
        raise RuntimeError("the found routes could not be restored (a bug)")
    objective = sol.ObjectiveValue()
    plan = Plan(
        problem_name=problem.name,
        routes=tuple(model.extract(sol)),
        unassigned=(),
        objective=int(objective),
        seed=params.seed,
        time_limit=params.time_limit,
        wall_time=0.0,
        status=best.status or _status_name(model.routing.status()),
        travel_model=travel_model_of(problem.travel).name,
    )
    exact = best.spans is not None  # found by ruin and recreate, which keeps a binding weekly cap whole
    plan = replace(plan, unassigned=explain_unassigned(problem, plan, weekly_exact=exact))
    return replace(plan, wall_time=round(time.monotonic() - t0, 3))


def _ready_search(on_progress: ProgressFn | None, wanted: int) -> bool:
    """Make sure the compiled search loads from numba's cache before a plan's time starts
    (:func:`planner.warmup.prepare`), reporting the wait as the "compile" stage once a
    second; whether it had to wait (then the plan's time starts after)."""
    from planner import warmup

    def report(elapsed: float) -> None:
        if on_progress is not None:
            on_progress(Progress(elapsed, 0, 0, wanted, "compile"))

    return warmup.prepare(report)


def _restore_best(
    prep: _Prep, params: SolveParams, found: list[_Found], compact: bool
) -> tuple[_Found, _Model, Any]:
    """The best result that reads back into a final model, with that model and solution.

    Results are tried best first, each in the model that also prices working time (when
    it has a cost), then in the search's own model: reading routes back runs a small
    search of OR-Tools' own for the breaks' places, which has been seen to fail once in a
    while on routes the search had accepted; the next result is then better than nothing.
    """
    ranked = sorted(found, key=lambda f: f.objective)
    for best in ranked:
        orphans = _orphans(prep, best.seqs)
        hint = best.breaks
        for priced in dict.fromkeys((compact, False)):
            model = _Model(prep, best.choice, compact=priced, leave_out=orphans, spans=best.spans)
            if hint is None:  # OR-Tools' own routes: their breaks and departures placed the same way
                hint = _cheapest_breaks(prep, model, best)
            # the breaks and departures of the day the search priced, failing that OR-Tools' own
            if hint:
                sol = model.restore(params, best.seqs, hint)
                if sol is not None:
                    return best, model, sol
                # (the hints stay on the model: a fresh one without them)
                model = _Model(prep, best.choice, compact=priced, leave_out=orphans, spans=best.spans)
            sol = model.restore(params, best.seqs, None)
            if sol is not None:
                return best, model, sol
    best = ranked[0]
    model = _Model(prep, best.choice, compact=compact, leave_out=_orphans(prep, best.seqs), spans=best.spans)
    return best, model, None


def _cheapest_breaks(prep: _Prep, model: _Model, found: _Found) -> dict[int, tuple[int, int]]:
    """Per vehicle, when its break starts and when it leaves the base, its day as the ruin
    search would price it (:func:`ruin.best_breaks`), for routes OR-Tools' own search found:
    left to itself, its reading back of the routes has been seen to leave at the shift's
    start and wait before the break (a day of six one-hour visits: 57 minutes). Empty when no
    day has a break rule (then no waiting of that kind was seen, and numba is not loaded)."""
    if not any(ud.break_rule is not None for ud in model.uds):
        return {}
    from planner import ruin

    inst = model.ruin_instance()
    routes = [list(found.seqs.get(v, [])) for v in range(len(model.uds))]
    return ruin.best_breaks(inst, routes, found.spans, prep.problem.weights.work)


def _salvage(prep: _Prep, params: SolveParams, found: _Found, compact: bool) -> tuple[_Model, Any]:
    """The routes of ``found`` that read back, when they do not all at once: route by route,
    each kept as it is if it reads back together with those kept before it, or else giving
    up visits (least priority first, pinned visits last) until it does. What is given up is
    left unserved, to be offered again by the polish. The model and its solution (None if
    even the kept routes do not restore).

    Seen twice in about a hundred single-worker runs of the demo week: the best routes of
    a search did not read back into the final model, and starting again from nothing in
    the second left served priority 160 of 208 instead of about 186.
    """

    def worth(key: tuple[int, int]) -> tuple[bool, int, int]:
        visit = prep.visits[key[0]].visit
        return (visit.pinned_date is not None, visit.priority, -visit.service)

    model = _Model(
        prep, found.choice, compact=compact, leave_out=_orphans(prep, found.seqs), spans=found.spans
    )
    kept: dict[int, list[tuple[int, int]]] = {}
    for v, keys in found.seqs.items():
        route = list(keys)
        while route and model._read(params, {**kept, v: route}) is None:
            route.remove(min(route, key=worth))
        kept[v] = route
    orphans = _orphans(prep, kept)
    if orphans != _orphans(prep, found.seqs):  # a pinned first visit was given up: its later ones go too
        kept = {v: [k for k in route if k not in orphans] for v, route in kept.items()}
        model = _Model(prep, found.choice, compact=compact, leave_out=orphans, spans=found.spans)
    return model, model.restore(params, kept)


def _run_workers(
    problem: Problem, prep: _Prep, params: SolveParams, deadline: float, report: Callable[[int, int], None]
) -> list[_Found]:
    """Worker 0 here, workers 1.. as child processes (``python -m planner.worker``); their
    results.

    Child processes rather than multiprocessing: nothing of the caller's main module is
    re-imported, and nothing is forked from a possibly threaded web server.
    """
    children = []
    seeded, weighed = bool(_multi(prep)), _weighed(prep)
    env = child_env()  # so the child imports this very planner
    for k in range(1, params.workers):
        child = subprocess.Popen(
            [sys.executable, "-m", "planner.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert child.stdin is not None
        told = _worker_params(params, k, seeded, weighed)
        child.stdin.write(pickle.dumps((problem, told, deadline)))
        child.stdin.close()
        child.stdin = None  # closed: communicate() must not flush it again
        children.append(child)
    results = [_search(prep, params, deadline, report)]
    for child in children:
        try:
            out, _ = child.communicate(timeout=max(5.0, deadline - time.time() + 30))
            if child.returncode == 0:
                results.append(pickle.loads(out))
        except (subprocess.TimeoutExpired, pickle.UnpicklingError, EOFError):
            child.kill()  # a worker that failed or hung only loses its own result
            child.communicate()
    return results


def _status_name(code: int) -> str:
    for name, value in routing_enums_pb2.RoutingSearchStatus.Value.items():
        if value == code:
            return str(name).removeprefix("ROUTING_")
    return str(code)
