"""Ruin and recreate: a large-neighbourhood search over the routing model's nodes, compiled
with numba (no OR-Tools here; :mod:`planner.solver` builds the :class:`Instance` from its
model and reads the routes found back into OR-Tools, which then sets the times and breaks,
and the validator checks them as always).

Why it exists: on the demo week (more wanted than the days hold) OR-Tools' local search
prices every move with the break's scheduling, a small mixed-integer problem per route
(about 40 ms per improving move), and one 8 s search ends where its first descent leaves it
(mean unserved priority about 21). Choosing what to serve needs many cheap trials more than
a few exact ones. The search is the "slack induction by string removals" of Christiaens and
Vanden Berghe (2020, Transp. Sci. 54(2)): remove a few strings of stops near one place (a
served or an unserved visit), put every unserved visit back by cheapest feasible insertion
in one of several orders, keep the result by simulated annealing on the model's own
objective (unserved priority times ``Weights.unserved``, plus arc costs and the soft costs
of long and late days). Insertion results are cached per route version, so a route that did
not change is not priced again. Written first in plain Python (about 0.8 ms a round on the
demo week), compiled with numba it makes a round in about 70 us: an 8 s search then makes
some 80,000 rounds rather than 9,000, and leaves 13-15 priority unserved rather than 15-17.
Numba compiles the functions once (about four minutes, see :mod:`planner.warmup`) into its
cache beside this file; ``python -m planner.ruin`` does that ahead (``make install`` runs it).

A route's times are exact in the same model OR-Tools solves: start windows (several per
node), waiting allowed, the shift, the driver's span limit (and the weekly cap: the spans of
one unit's days together, see :func:`share_cap`), an optional driving limit and capacity,
and the break: ``duration`` seconds starting inside its window, in the gap between two
stops (with the travel) or before the first or after the last, such that no stretch of work
before or after it exceeds ``required_after``; a day no longer than that may have none. The
route is feasible when a schedule exists: the earliest times from the shift's start give the
earliest return ``E``; the latest times ending at ``E`` give the latest departure ``D`` (so
``E - D`` is the shortest span); the break must fit between the earliest end of the stop
before its gap (leaving at ``D``) and the latest start of the stop after it.

State is kept in arrays (per vehicle: stops, the break's gap, cost, load, busy time, version,
and per stop the earliest end and latest start without and with the break); the instance is
a tuple of arrays whose order :meth:`Instance.arrays` gives.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

Key = tuple[int, int]  # (visit index, occurrence)
Break = tuple[int, int, int, int]  # window start, window end, duration, required_after

NO_BREAK = -1
TIME_BAND = 30 * 60  # planner.model.TIME_BAND (no import: this module stands alone)
BIG = 1 << 50  # "no time": below or above any time of day
PAT = 4  # where the day patterns start in the instance's array 27 (see Instance.arrays)
SLOTS = 4  # insertion results kept per (occurrence, vehicle), by route version


@dataclass
class Instance:
    """The routing model in plain lists (node ids as in the OR-Tools model).

    Per node: ``service`` seconds, start ``windows`` (sorted, disjoint) and ``load``. Per
    vehicle: its ``start`` node (the base, where it also ends), ``travel`` and arc ``cost``
    matrices (node x node), ``shift`` (earliest departure, latest return),
    ``regular_end`` (work after it costs ``after_hours`` per second), ``span_limit``,
    ``max_drive`` and ``capacity`` (None: no limit), ``brk`` (the break rule or None) and
    ``day`` (days since the first date). ``key_node[(key, v)]`` is the node serving
    occurrence ``key`` on vehicle ``v``; ``penalty[key]`` what leaving it unserved costs.
    ``min_gap[visit]``: the occurrences of that visit, when served, are on days at least
    that far apart, in occurrence order. ``after_first``: occurrences that may be served
    only when occurrence 0 of their visit is (a pinned visit's later occurrences).
    ``weekly[unit[v]]``: the most the spans of that unit's vehicles (its days) may take
    together, the driver's weekly cap (None: no cap; give it only where it binds, as a cap
    the days cannot reach only costs time). ``patterns[visit]``: the allowed days of its
    occurrences (days since the first date, occurrence k on the pattern's k-th), as in
    Cordeau's periodic VRP: its served occurrences keep to one of them, the search removes
    and puts back all of them together, and the recreate chooses the pattern.
    """

    service: list[int]
    windows: list[list[tuple[int, int]]]
    load: list[int]
    start: list[int]
    travel: list[list[list[int]]]
    cost: list[list[list[int]]]
    shift: list[tuple[int, int]]
    regular_end: list[int]
    after_hours: int
    span_limit: list[int]
    max_drive: list[int | None]
    capacity: list[int | None]
    brk: list[Break | None]
    day: list[int]
    keys: list[Key]
    key_node: dict[tuple[Key, int], int]
    penalty: dict[Key, int]
    min_gap: dict[int, int] = field(default_factory=dict)
    after_first: frozenset[Key] = frozenset()
    balance: tuple[int, int] = (0, 0)  # (target span, cost per second over it)
    prefer: list[int] | None = None  # per node, the start a published plan gave (-1: none)
    prefer_weight: int = 0  # per second a start strays beyond TIME_BAND from it
    unit: list[int] | None = None  # per vehicle, its unit's index (None: each its own)
    weekly: list[int | None] | None = None  # per unit, the cap on its days' spans together
    patterns: dict[int, list[tuple[int, ...]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # per occurrence: a node serving it (its first vehicle's), and its visit's occurrences
        first: dict[Key, tuple[int, int]] = {}  # occurrence -> (vehicle, node), lowest vehicle
        for (k, v), x in self.key_node.items():
            if k not in first or v < first[k][0]:
                first[k] = (v, x)
        self.home: dict[Key, int] = {k: first[k][1] for k in self.keys if k in first}
        self.home_vehicle: dict[Key, int] = {k: first[k][0] for k in self.keys if k in first}
        self.occurrences: dict[int, list[Key]] = {}
        for k in self.keys:
            self.occurrences.setdefault(k[0], []).append(k)
        # places near each occurrence (by the first vehicle's travel), for choosing what to ruin
        t0 = self.travel[0]
        self.near: dict[Key, list[Key]] = {}
        for k, a in self.home.items():
            row = t0[a]
            self.near[k] = sorted(self.home, key=lambda o: row[self.home[o]])

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The instance as the kernel's tuple of int64 arrays (occurrences numbered in the
        order of ``keys``): 0 service, 1-3 windows (per node a range ``wptr[x]:wptr[x+1]``
        of starts and ends), 4 load; per vehicle 5 start node, 6 travel, 7 arc cost, 8-9
        shift, 10 regular end, 11 span limit, 12 driving limit and 13 capacity (-1: none),
        14 break (present, window start, end, duration, required_after), 15 day; per
        occurrence 16 node per vehicle (-1: none), 17 penalty, 18 visit, 19 occurrence
        number, 20 minimum gap in days (-1: none), 21 needs occurrence 0, 22-23 the
        occurrences of each visit, 24 a node (-1: no vehicle can serve it), 25 service, 26
        the others by distance; 27 (after_hours, balance target, balance weight, preferred
        start weight), then from ``PAT`` on the day patterns: per visit its number of
        patterns (0: none), then per visit where its patterns' days start in this array,
        then per visit their length, then the days (here rather than in arrays of their
        own: every array more in the tuple costs every compiled call that takes it, about
        4 % of the demo week's rounds for one, seventeenth session); 28 per vehicle its
        unit, 29 per unit its weekly cap (-1: none); 30 per node its preferred start (-1:
        none); 31 per occurrence the arc cost to it from the base (of its first vehicle)."""
        n_nodes, n_veh, keys = len(self.service), len(self.start), self.keys
        index = {k: i for i, k in enumerate(keys)}

        def i64(a: Any) -> np.ndarray:
            return np.asarray(a, dtype=np.int64)

        wptr = np.zeros(n_nodes + 1, np.int64)
        wst: list[int] = []
        wen: list[int] = []
        for x in range(n_nodes):
            for a, b in self.windows[x]:
                wst.append(a)
                wen.append(b)
            wptr[x + 1] = len(wst)
        brk = np.zeros((n_veh, 5), np.int64)
        for v, rule in enumerate(self.brk):
            if rule is not None:
                brk[v] = (1, *rule)
        knode = -np.ones((len(keys), n_veh), np.int64)
        for (k, v), x in self.key_node.items():
            knode[index[k], v] = x
        visits = sorted({k[0] for k in keys})
        vindex = {vi: i for i, vi in enumerate(visits)}
        vptr = np.zeros(len(visits) + 1, np.int64)
        vkeys: list[int] = []
        for i, vi in enumerate(visits):
            vkeys += [index[k] for k in self.occurrences[vi]]
            vptr[i + 1] = len(vkeys)
        unit = self.unit if self.unit is not None else list(range(n_veh))
        n_units = max(unit, default=-1) + 1
        weekly = [*(self.weekly or []), *[None] * n_units][:n_units]
        caps = [-1 if cap is None else cap for cap in weekly]
        near = -np.ones((len(keys), len(keys)), np.int64)
        nv = len(visits)
        pat = [0] * (3 * nv)
        for vi, pats in self.patterns.items():
            if vi not in vindex or not pats:
                continue
            length = len(pats[0])
            if any(len(p) != length for p in pats) or any(k[1] >= length for k in self.occurrences[vi]):
                raise ValueError(f"visit {vi}: patterns of unequal length, or shorter than its occurrences")
            i = vindex[vi]
            pat[i], pat[nv + i], pat[2 * nv + i] = len(pats), PAT + len(pat), length
            for p in pats:
                pat += list(p)
        for k, others in self.near.items():
            near[index[k], : len(others)] = [index[o] for o in others]
        return (
            i64(self.service),
            wptr,
            i64(wst),
            i64(wen),
            i64(self.load),
            i64(self.start),
            i64(self.travel).reshape(n_veh, n_nodes, n_nodes),
            i64(self.cost).reshape(n_veh, n_nodes, n_nodes),
            i64([s[0] for s in self.shift]),
            i64([s[1] for s in self.shift]),
            i64(self.regular_end),
            i64(self.span_limit),
            i64([-1 if m is None else m for m in self.max_drive]),
            i64([-1 if c is None else c for c in self.capacity]),
            brk,
            i64(self.day),
            knode,
            i64([self.penalty[k] for k in keys]),
            i64([vindex[k[0]] for k in keys]),
            i64([k[1] for k in keys]),
            i64([self.min_gap.get(k[0], -1) for k in keys]),
            i64([1 if k in self.after_first else 0 for k in keys]),
            vptr,
            i64(vkeys),
            i64([self.home.get(k, -1) for k in keys]),
            i64([self.service[self.home[k]] if k in self.home else 0 for k in keys]),
            near,
            i64(
                [
                    self.after_hours,
                    self.balance[0],
                    self.balance[1],
                    self.prefer_weight if self.prefer else 0,
                    *pat,
                ]
            ),
            i64(unit),
            i64(caps),
            i64(self.prefer if self.prefer else [-1] * n_nodes),
            i64([self._from_base(k) for k in keys]),
        )

    def _from_base(self, k: Key) -> int:
        """The arc cost from the base of the first vehicle that may serve ``k`` to its node
        (0: none may)."""
        if k not in self.home:
            return 0
        v = self.home_vehicle[k]
        return self.cost[v][self.start[v]][self.home[k]]


@dataclass(frozen=True)
class Settings:
    """The search's knobs: at most ``max_routes`` routes lose a string of at most
    ``max_string`` stops per round (by default, ``None``, as :func:`ruin_sizes` tells),
    near an unserved visit with probability ``near_unserved``; simulated annealing's
    temperature falls from ``hot`` to ``cold``.

    The temperatures are in the objective's own units. By default (``None``) they follow
    the problem (:func:`temperatures`): where the first solution leaves visits out, which to
    serve is the question and they are ``hot_left_out`` and ``cold_left_out``, the values of
    the sixth to fifteenth sessions, measured on the demo week (a priority point unserved
    costs 1,000,000 there, 10,000,000 in the register's weeks; an arc 2,675 on average, 26,750
    in the register's weeks, whose travel weighs 10 a second). Where it serves everything,
    only travel is left to save and they are ``hot_arcs`` and ``cold_arcs`` times the mean
    arc cost (SISR's 100 and 1 on the Solomon instances, whose arcs average some 34 units).
    The fixed values ran the Solomon instances far too hot (sixteenth session, 10 s, one
    search, cost against the best known: R101 +6.9 %, R109 +13.0 %, RC105 +11.1 %, R209
    +2.8 %; at SISR's temperatures +0.3 %, +0.3 %, +0.7 %, +0.4 %), while the demo week needs
    the hot start (12 searches of 6 s, mean priority unserved: 14.0 as it is, 15.5 at 3 and
    0.03 mean arcs, 14.8 from 30,000 to 80), and scaling it to the penalty (0.2 and 0.001 of
    the least left out) ran the register's weeks ten times hotter, worse by 0.5 % (7 seeds of
    ``kinito week next`` on the demo register, 6 worse).

    Measured on the demo week with the plain-Python search this was first written as (one
    search, 16 seeds of 3,000 rounds, mean unserved priority): near an unserved visit with
    probability 0.5: 18.9, 0.2: 17.5, 0.1: 18.1, 0: 18.3. In 6 s (12 seeds each, two
    searches side by side): strings of at most 4 stops 16.4 against 16.2 for 6; ``hot`` 6e5
    16.4, 6e4 16.8; at most 2 or 5 routes 17.1, 17.2 (a slower hour: the machine's speed
    moves these by about one point).
    """

    max_routes: int | None = None
    max_string: int | None = None
    near_unserved: float = 0.2
    hot: float | None = None
    cold: float | None = None
    hot_arcs: float = 3.0
    cold_arcs: float = 0.03
    hot_left_out: float = 2e5
    cold_left_out: float = 1e3
    routes_left_out: int = 3
    string_left_out: int = 6
    mean_removed: float = 10.0
    longest_string: int = 10
    travel_only: bool | None = None  # None: when the first solution serves every visit


def travel_only(m: tuple[np.ndarray, ...], st: tuple[np.ndarray, ...], cfg: Settings) -> bool:
    """Whether the search from state ``st`` (the first solution) has only travel left to save:
    as ``cfg.travel_only`` says, else when ``st`` serves every occurrence some vehicle can."""
    return cfg.travel_only if cfg.travel_only is not None else not left_out(m, st)


def left_out(m: tuple[np.ndarray, ...], st: tuple[np.ndarray, ...]) -> list[int]:
    """The penalties of the occurrences state ``st`` leaves unserved that some vehicle could
    serve."""
    khome, pen, where = m[24], m[17], st[9]
    return [int(pen[k]) for k in range(where.shape[0]) if where[k] < 0 and khome[k] >= 0]


def ruin_sizes(m: tuple[np.ndarray, ...], st: tuple[np.ndarray, ...], cfg: Settings) -> tuple[int, int]:
    """How many routes a round ruins at most, and the longest string it takes out of each,
    for the search from state ``st`` (the first solution).

    Where it leaves visits out, ``routes_left_out`` and ``string_left_out`` (measured on the
    demo week, see the class). Where it serves everything, SISR's own rule (Christiaens and
    Vanden Berghe 2020, section 5, with their ``c`` = ``mean_removed`` = 10 and ``L_max`` =
    ``longest_string`` = 10): strings of at most ``min(L_max, the mean route's stops)``, from
    at most ``4 c / (1 + that) - 1`` routes (rounded up). With 3 and 6 fixed, the Solomon
    instance C201 (three routes of some 33 stops) ended at four routes in 3 of 4 searches
    (+6.4 %), whose last route strings of six seldom empty."""
    if not travel_only(m, st, cfg):
        routes, string = cfg.routes_left_out, cfg.string_left_out
    else:
        lengths = [int(x) for x in st[0] if x > 0]
        mean = sum(lengths) / len(lengths) if lengths else 1.0
        string = max(1, min(cfg.longest_string, round(mean)))
        routes = max(1, math.ceil(4 * cfg.mean_removed / (1 + string) - 1))
    return (
        routes if cfg.max_routes is None else cfg.max_routes,
        string if cfg.max_string is None else cfg.max_string,
    )


def temperatures(m: tuple[np.ndarray, ...], st: tuple[np.ndarray, ...], cfg: Settings) -> tuple[float, float]:
    """The annealing's first and last temperature for instance ``m`` (its arrays) searched
    from state ``st`` (the first solution), as :class:`Settings` tells."""
    knode, cost = m[16], m[7]
    if not travel_only(m, st, cfg):
        hot, cold = cfg.hot_left_out, cfg.cold_left_out
    else:  # the mean arc among each vehicle's base and the nodes it may serve
        total, count = 0.0, 0
        for v in range(cost.shape[0]):
            x = _nodes(m, knode, v)
            sub = cost[v][np.ix_(x, x)]
            total += float(sub.sum(where=sub > 0))
            count += int(np.count_nonzero(sub > 0))
        mean = total / count if count else 1.0
        hot, cold = cfg.hot_arcs * mean, cfg.cold_arcs * mean
    hot = cfg.hot if cfg.hot is not None else hot
    cold = cfg.cold if cfg.cold is not None else cold
    return max(hot, 1e-9), max(min(cold, hot), 1e-9)


def _nodes(m: tuple[np.ndarray, ...], knode: np.ndarray, v: int) -> np.ndarray:
    """Vehicle ``v``'s base and the nodes it may serve."""
    served = knode[:, v]
    return np.unique(np.concatenate([[m[5][v]], served[served >= 0]]))


@njit(cache=True)
def snap_up(x: Any, a: Any, wptr: Any, wst: Any, wen: Any) -> Any:
    """The earliest start of node ``x`` at or after ``a`` inside its windows, or -1."""
    for w in range(wptr[x], wptr[x + 1]):
        if a <= wen[w]:
            return a if a > wst[w] else wst[w]
    return -1


@njit(cache=True)
def snap_down(x: Any, bound: Any, wptr: Any, wst: Any, wen: Any) -> Any:
    """The latest start of node ``x`` at or before ``bound`` inside its windows, or -BIG."""
    for w in range(wptr[x + 1] - 1, wptr[x] - 1, -1):
        if wst[w] <= bound:
            return bound if bound < wen[w] else wen[w]
    return -BIG


@njit(cache=True, inline="always")
def route_cost(m: Any, v: Any, seq: Any, n: Any, b: Any, lim: Any, span: Any) -> Any:
    """The cost of vehicle ``v`` serving nodes ``seq[:n]`` in order with the break in gap
    ``b`` (before ``seq[b]``; ``n`` after the last stop; ``NO_BREAK`` for none), or -1 when
    no schedule keeps every rule (see the module docstring for how it is found) with a span
    of at most ``lim``; the shortest span into ``span[0]`` and, when ``span`` has room for
    it, the earliest start of the break in a schedule of that span into ``span[1]``."""
    svc = m[0]
    wptr = m[1]
    wst = m[2]
    wen = m[3]
    start = m[5]
    T = m[6]
    C = m[7]
    s0a = m[8]
    s1a = m[9]
    reg = m[10]
    mdrive = m[12]
    brk = m[14]
    misc = m[27]
    span[0] = 0
    if n == 0:
        return 0
    hb = brk[v, 0] == 1
    b0, b1, bd, breq = brk[v, 1], brk[v, 2], brk[v, 3], brk[v, 4]
    if not hb:
        b = NO_BREAK
    base = start[v]
    s0, s1 = s0a[v], s1a[v]
    t = s0
    prev = base
    a = 0
    for k in range(n + 1):
        x = seq[k] if k < n else base
        a = t + T[v, prev, x]
        if k == b:
            bs = t if t > b0 else b0
            if bs > b1:
                return -1
            a = (bs if bs > a else a) + bd
        if k == n:
            break
        st = snap_up(x, a, wptr, wst, wen)
        if st < 0:
            return -1
        t = st + svc[x]
        prev = x
    e = a
    if e > s1:
        return -1
    lat = e
    nxt = base
    next_latest = e
    for k in range(n - 1, -1, -1):
        x = seq[k]
        if k + 1 == b:
            if lat < b0 + bd:
                return -1
            next_latest = lat
            bound = min(lat - T[v, x, nxt] - bd, b1) - svc[x]
        else:
            bound = lat - T[v, x, nxt] - svc[x]
        st = snap_down(x, bound, wptr, wst, wen)
        if st == -BIG:
            return -1
        lat = st
        nxt = x
    if b == 0:
        if lat < b0 + bd:
            return -1
        next_latest = lat
        d = min(lat - T[v, base, nxt] - bd, b1)
    else:
        d = lat - T[v, base, nxt]
    sp = e - d
    span[0] = sp
    if span.shape[0] > 2:  # asked for: when the route leaves the base in that schedule
        span[2] = d
    if sp > lim:
        return -1
    if hb:
        if b == NO_BREAK:
            if sp > breq:
                return -1
        else:
            t = d
            prev = base
            for k in range(b):
                x = seq[k]
                a = snap_up(x, t + T[v, prev, x], wptr, wst, wen)
                t = a + svc[x]
                prev = x
            lo = max(t, b0, e - bd - breq)
            hi = min(b1, next_latest - bd, d + breq)
            if lo > hi:
                return -1
            if span.shape[0] > 1:  # asked for: when the break starts in that schedule
                span[1] = lo
    cost = 0
    drive = 0
    prev = base
    for k in range(n):
        x = seq[k]
        cost += C[v, prev, x]
        drive += T[v, prev, x]
        prev = x
    cost += C[v, prev, base]
    drive += T[v, prev, base]
    if mdrive[v] >= 0 and drive > mdrive[v]:
        return -1
    if e > reg[v]:
        cost += misc[0] * (e - reg[v])
    if misc[2] > 0 and sp > misc[1]:
        cost += misc[2] * (sp - misc[1])
    if misc[3] > 0:  # starts a published plan gave: the day as run, leaving at the latest
        prefer = m[30]
        t = d
        prev = base
        for k in range(n):
            x = seq[k]
            a = t + T[v, prev, x]
            if k == b:
                a = max(max(t, b0), a) + bd
            st = snap_up(x, a, wptr, wst, wen)
            if prefer[x] >= 0:
                if st < prefer[x] - TIME_BAND:
                    cost += misc[3] * (prefer[x] - TIME_BAND - st)
                elif st > prefer[x] + TIME_BAND:
                    cost += misc[3] * (st - prefer[x] - TIME_BAND)
            t = st + svc[x]
            prev = x
    return cost


@njit(cache=True, inline="always")
def driving_and_service(m: Any, v: Any, seq: Any, n: Any) -> Any:
    """Vehicle ``v``'s driving (from the base, back to it) and service time for ``seq[:n]``:
    what the day takes whatever the waiting and the break."""
    svc, start, T = m[0], m[5], m[6]
    base = start[v]
    if n == 0:
        return 0
    busy = 0
    prev = base
    for k in range(n):
        x = seq[k]
        busy += T[v, prev, x] + svc[x]
        prev = x
    return busy + T[v, prev, base]


@njit(cache=True, inline="always")
def refresh(m: Any, st: Any, v: Any) -> Any:
    """Recompute route ``v``'s load, busy time (driving, service, break) and per-stop bounds
    after a change, and give it a new version."""
    svc = m[0]
    wptr = m[1]
    wst = m[2]
    wen = m[3]
    load = m[4]
    start = m[5]
    T = m[6]
    s0a = m[8]
    s1a = m[9]
    brk = m[14]
    rlen = st[0]
    rnode = st[1]
    rgap = st[3]
    rload = st[5]
    rbusy = st[6]
    rver = st[7]
    bnd = st[8]
    ctr = st[10]
    n = rlen[v]
    base = start[v]
    s0, s1 = s0a[v], s1a[v]
    gap = rgap[v]
    hb = brk[v, 0] == 1
    b0, b1, bd = brk[v, 1], brk[v, 2], brk[v, 3]
    rload[v] = load[rnode[v, :n]].sum()
    rbusy[v] = driving_and_service(m, v, rnode[v, :n], n) + (bd if hb and gap != NO_BREAK else 0)
    share_cap(m, st, v)
    for which in range(2):
        bb = NO_BREAK if which == 0 else gap
        if which == 1 and not (hb and gap != NO_BREAK):
            for k in range(n):
                bnd[v, 2, k] = bnd[v, 0, k]
                bnd[v, 3, k] = bnd[v, 1, k]
            break
        t = s0
        prev = base
        for k in range(n):
            x = rnode[v, k]
            a = t + T[v, prev, x]
            if k == bb:
                a = max(b0, a) + bd
            sa = snap_up(x, a, wptr, wst, wen)
            if sa < 0:
                sa = a
            t = sa + svc[x]
            bnd[v, 2 * which, k] = t
            prev = x
        lat = s1
        nxt = base
        for k in range(n - 1, -1, -1):
            x = rnode[v, k]
            bound = min(lat - T[v, x, nxt] - bd, b1) - svc[x] if k + 1 == bb else lat - T[v, x, nxt] - svc[x]
            sd = snap_down(x, bound, wptr, wst, wen)
            bnd[v, 2 * which + 1, k] = sd
            lat = sd
            nxt = x
    ctr[0] += 1
    rver[v] = ctr[0]


@njit(cache=True, inline="always")
def share_cap(m: Any, st: Any, v: Any) -> Any:
    """After route ``v`` changed: when its unit's weekly cap can bind, its shortest span,
    and each of the unit's routes' limit (its own, or what the cap leaves after the others'
    spans; a route whose limit changes gets a new version, as its cached insertions no
    longer hold)."""
    vunit, ucap = m[28], m[29]
    u = vunit[v]
    if ucap[u] < 0:
        return
    rlen, rnode, rgap, rver, ctr, lim, rspan = st[0], st[1], st[3], st[7], st[10], st[11], st[12]
    one = np.zeros(1, np.int64)
    route_cost(m, v, rnode[v, : rlen[v]], rlen[v], rgap[v], BIG, one)
    rspan[v] = one[0]
    total = 0
    for w in range(vunit.shape[0]):
        if vunit[w] == u:
            total += rspan[w]
    own = m[11]
    for w in range(vunit.shape[0]):
        if vunit[w] != u:
            continue
        new = min(own[w], ucap[u] - (total - rspan[w]))
        if new != lim[w]:
            lim[w] = new
            if w != v:
                ctr[0] += 1
                rver[w] = ctr[0]


@njit(cache=True)
def init_limits(m: Any, st: Any) -> Any:
    """Each route's span limit in empty routes: its own, within its unit's weekly cap."""
    own, vunit, ucap, lim = m[11], m[28], m[29], st[11]
    for v in range(own.shape[0]):
        cap = ucap[vunit[v]]
        lim[v] = own[v] if cap < 0 else min(own[v], cap)


@njit(cache=True)
def push(cd: Any, cp: Any, cg: Any, count: Any, delta: Any, p: Any, g: Any) -> Any:
    """Append an insertion (cost delta, position, break's gap) to the three lists; the new
    count."""
    cd[count] = delta
    cp[count] = p
    cg[count] = g
    return count + 1


@njit(cache=True, inline="always")
def best_in_route(m: Any, st: Any, v: Any, node: Any, out: Any) -> Any:
    """The cheapest feasible insertion of ``node`` into route ``v`` into ``out`` (delta,
    position, gap, route cost); whether there is one. Places are ranked by cost and checked in
    that order, first with the break where it is (or moved only past the new stop), then, if
    none fits, with the break in another gap where the bounds leave room for it."""
    svc = m[0]
    wptr = m[1]
    wst = m[2]
    wen = m[3]
    load = m[4]
    start = m[5]
    T = m[6]
    C = m[7]
    s0a = m[8]
    s1a = m[9]
    cap = m[13]
    brk = m[14]
    rlen = st[0]
    rnode = st[1]
    rgap = st[3]
    rload = st[5]
    rbusy = st[6]
    bnd = st[8]
    if cap[v] >= 0 and rload[v] + load[node] > cap[v]:
        return False
    n = rlen[v]
    base = start[v]
    gap = rgap[v]
    sv = svc[node]
    s0, s1 = s0a[v], s1a[v]
    hb = brk[v, 0] == 1
    b0, b1, bd, breq = brk[v, 1], brk[v, 2], brk[v, 3], brk[v, 4]
    busy = rbusy[v]
    room = min(st[11][v], s1 - s0) - busy - sv
    if room < 0:
        return False
    # insertions to check, with the break where it is: (delta, position, gap)
    cd = np.empty(2 * (n + 1), np.int64)
    cp = np.empty(2 * (n + 1), np.int64)
    cg = np.empty(2 * (n + 1), np.int64)
    nc = 0
    pd = np.empty(n + 1, np.int64)
    pp = np.empty(n + 1, np.int64)
    pst = np.empty(n + 1, np.int64)
    pdet = np.empty(n + 1, np.int64)
    npl = 0
    for p in range(n + 1):
        prev = base if p == 0 else rnode[v, p - 1]
        nxt = base if p == n else rnode[v, p]
        detour = T[v, prev, node] + T[v, node, nxt] - T[v, prev, nxt]
        if detour > room:
            continue
        a = (s0 if p == 0 else bnd[v, 0, p - 1]) + T[v, prev, node]
        stt = snap_up(node, a, wptr, wst, wen)
        if stt < 0 or stt + sv + T[v, node, nxt] > (s1 if p == n else bnd[v, 1, p]):
            continue
        delta = C[v, prev, node] + C[v, node, nxt] - C[v, prev, nxt]
        pd[npl] = delta
        pp[npl] = p
        pst[npl] = stt
        pdet[npl] = detour
        npl += 1
        pe = s0 if p == 0 else bnd[v, 2, p - 1]
        nl = s1 if p == n else bnd[v, 3, p]
        if gap == NO_BREAK or p != gap:
            # the break stays in its gap (renumbered past the new stop); a day without one
            # only while it stays short enough
            if gap != NO_BREAK or not hb or busy + sv + detour <= breq:
                a2 = snap_up(node, pe + T[v, prev, node], wptr, wst, wen)
                if a2 >= 0 and a2 + sv + T[v, node, nxt] <= nl:
                    nc = push(cd, cp, cg, nc, delta, p, gap + 1 if p < gap else gap)
        else:
            # into the break's gap: the new stop, then the break
            a2 = snap_up(node, pe + T[v, prev, node], wptr, wst, wen)
            if a2 >= 0:
                e = a2 + sv
                if max(e, b0) <= b1 and max(b0, e + T[v, node, nxt]) + bd <= nl:
                    nc = push(cd, cp, cg, nc, delta, p, gap + 1)
            # or the break, then the new stop
            if max(pe, b0) <= b1:
                a3 = snap_up(node, max(b0, pe + T[v, prev, node]) + bd, wptr, wst, wen)
                if a3 >= 0 and a3 + sv + T[v, node, nxt] <= nl:
                    nc = push(cd, cp, cg, nc, delta, p, gap)
    if first_feasible(m, st, v, node, cd, cp, cg, nc, out):
        return True
    if (not hb) or npl == 0:
        return False
    # the break in another gap
    md = np.empty((n + 2) * npl * 2, np.int64)
    mp = np.empty((n + 2) * npl * 2, np.int64)
    mg = np.empty((n + 2) * npl * 2, np.int64)
    nm = 0
    for i in range(npl):
        p = pp[i]
        stt = pst[i]
        if gap == NO_BREAK and pdet[i] > room - bd:
            continue
        nxt = base if p == n else rnode[v, p]
        bound = (s1 if p == n else bnd[v, 1, p]) - T[v, node, nxt] - sv
        latest = snap_down(node, bound, wptr, wst, wen)
        if latest == -BIG:
            latest = stt
        for og in range(n + 1):
            if not (
                (s0 if og == 0 else bnd[v, 0, og - 1]) <= b1 and (s1 if og == n else bnd[v, 1, og]) >= b0 + bd
            ):
                continue
            for twice in range(2):
                if og == p:
                    g = og + twice
                elif twice == 1:
                    break
                else:
                    g = og if og < p else og + 1
                # not one of the places already tried
                dup = False
                for j in range(nc):
                    if cp[j] == p and cg[j] == g:
                        dup = True
                        break
                if dup:
                    continue
                if g == p + 1:
                    before = stt + sv
                elif g == 0:
                    before = s0
                else:
                    before = bnd[v, 0, (g if g <= p else g - 1) - 1]
                if g == p:
                    after = latest
                elif g == n + 1:
                    after = s1
                else:
                    after = bnd[v, 1, g if g < p else g - 1]
                if before <= b1 and after >= b0 + bd:
                    nm = push(md, mp, mg, nm, pd[i], p, g)
    return first_feasible(m, st, v, node, md, mp, mg, nm, out)


@njit(cache=True, inline="always")
def first_feasible(m: Any, st: Any, v: Any, node: Any, cd: Any, cp: Any, cg: Any, nc: Any, out: Any) -> Any:
    """Of the ``nc`` insertions of ``node`` into route ``v`` (cost delta, position, break's
    gap), the cheapest whose schedule holds, into ``out`` (delta, position, gap, route cost);
    whether there was one."""
    rlen, rnode, rcost, lim = st[0], st[1], st[4], st[11]
    n = rlen[v]
    buf = np.empty(n + 2, np.int64)  # the route tried, then its span (one allocation)
    seq = buf[: n + 1]
    span = buf[n + 1 :]
    order = np.argsort(cd[:nc], kind="mergesort")
    for oi in range(nc):
        j = order[oi]
        p = cp[j]
        seq[:p] = rnode[v, :p]
        seq[p] = node
        seq[p + 1 :] = rnode[v, p:n]
        c = route_cost(m, v, seq, n + 1, cg[j], lim[v], span)
        if c >= 0:
            out[0] = c - rcost[v]
            out[1] = p
            out[2] = cg[j]
            out[3] = c
            return True
    return False


@njit(cache=True)
def constrained(m: Any, key: Any) -> Any:
    """Whether occurrence ``key``'s day depends on its visit's other occurrences."""
    return m[21][key] == 1 or m[20][key] >= 0 or m[27][PAT + m[18][key]] > 0


@njit(cache=True, inline="always")
def days_fit(m: Any, st: Any, key: Any, v: Any, as_if_first: Any = False) -> Any:
    """Whether occurrence ``key`` may go on vehicle ``v``'s day given its visit's other
    served occurrences (minimum gap, in occurrence order; a pinned visit's first, unless
    ``as_if_first``: as if it were; one of its day patterns)."""
    day = m[15]
    kvis = m[18]
    kocc = m[19]
    kgap = m[20]
    kafter = m[21]
    vptr = m[22]
    vkeys = m[23]
    where = st[9]
    vi = kvis[key]
    if kafter[key] == 1 and not as_if_first:
        first = vkeys[vptr[vi]]
        if where[first] < 0:
            return False
    if m[27][PAT + vi] > 0 and not pattern_fits(m, st, key, day[v], -1):
        return False
    g = kgap[key]
    if g < 0:
        return True
    d = day[v]
    for j in range(vptr[vi], vptr[vi + 1]):
        other = vkeys[j]
        if other == key:
            continue
        w = where[other]
        if w < 0:
            continue
        od = day[w]
        if kocc[other] < kocc[key]:
            if d - od < g:
                return False
        elif od - d < g:
            return False
    return True


@njit(cache=True, inline="always")
def pattern_fits(m: Any, st: Any, key: Any, d: Any, only: Any) -> Any:
    """Whether occurrence ``key`` on day ``d`` and its visit's served occurrences keep to
    one of its day patterns (to pattern ``only`` when it is not -1)."""
    day, kvis, kocc, vptr, vkeys, pat = m[15], m[18], m[19], m[22], m[23], m[27]
    where = st[9]
    nv = vptr.shape[0] - 1
    vi = kvis[key]
    for j in range(pat[PAT + vi]):
        if only >= 0 and j != only:
            continue
        base = pat[PAT + nv + vi] + j * pat[PAT + 2 * nv + vi]
        if pat[base + kocc[key]] != d:
            continue
        ok = True
        for i in range(vptr[vi], vptr[vi + 1]):
            other = vkeys[i]
            w = where[other]
            if other != key and w >= 0 and pat[base + kocc[other]] != day[w]:
                ok = False
                break
        if ok:
            return True
    return False


@njit(cache=True, inline="always")
def best_insertion(
    m: Any, st: Any, cache: Any, key: Any, out: Any, only_day: Any = -1, as_if_first: Any = False
) -> Any:
    """The cheapest feasible place for ``key`` in any route (of day ``only_day``, unless it
    is -1) into ``out`` (delta, position, gap, route cost, vehicle); whether there is one.
    ``as_if_first``: as if its visit's first occurrence were served (for pricing a whole
    pattern). Results per route are cached by the route's version."""
    knode = m[16]
    day = m[15]
    rver = st[7]
    cver, cres, cptr = cache
    V = knode.shape[1]
    found = False
    tmp = np.empty(4, np.int64)
    # (constrained(m, key) written out: a compiled call that takes the instance's tuple
    # cost some 8 % of the demo week's rounds here)
    need = m[21][key] == 1 or m[20][key] >= 0 or m[27][PAT + m[18][key]] > 0
    for v in range(V):
        node = knode[key, v]
        if node < 0 or (only_day >= 0 and day[v] != only_day):
            continue
        if need and not days_fit(m, st, key, v, as_if_first):
            continue
        ver = rver[v]
        hit = -1
        for s in range(cver.shape[2]):
            if cver[key, v, s] == ver:
                hit = s
                break
        if hit >= 0:
            ok = cres[key, v, hit, 1] >= 0
            if ok:
                for q in range(4):
                    tmp[q] = cres[key, v, hit, q]
        else:
            ok = best_in_route(m, st, v, node, tmp)
            s = cptr[key, v]
            cptr[key, v] = (s + 1) % cver.shape[2]
            cver[key, v, s] = ver
            if ok:
                for q in range(4):
                    cres[key, v, s, q] = tmp[q]
            else:
                cres[key, v, s, 1] = -1
        if ok and ((not found) or tmp[0] < out[0]):
            found = True
            out[0] = tmp[0]
            out[1] = tmp[1]
            out[2] = tmp[2]
            out[3] = tmp[3]
            out[4] = v
    return found


@njit(cache=True, inline="always")
def insert(m: Any, st: Any, key: Any, out: Any) -> Any:
    """Insert ``key`` as ``out`` (from :func:`best_insertion`) says."""
    rlen = st[0]
    rnode = st[1]
    rkey = st[2]
    rgap = st[3]
    rcost = st[4]
    where = st[9]
    knode = m[16]
    v = out[4]
    p = out[1]
    n = rlen[v]
    for k in range(n, p, -1):
        rnode[v, k] = rnode[v, k - 1]
        rkey[v, k] = rkey[v, k - 1]
    rnode[v, p] = knode[key, v]
    rkey[v, p] = key
    rlen[v] = n + 1
    rgap[v] = out[2]
    rcost[v] = out[3]
    where[key] = v
    refresh(m, st, v)


@njit(cache=True)
def remove_keys(m: Any, st: Any, v: Any, keys: Any, nk: Any, removed: Any, nr: Any) -> Any:
    """Take the occurrences ``keys[:nk]`` (all on route ``v``) out of it, appended to
    ``removed`` from ``nr`` on; the new count. Travel times need not obey the triangle
    inequality (terrain changes the speed), so a shorter route can be late where the longer
    was not: then the stops after the gap go too, until the route keeps every rule again.
    A day that became short enough loses its break; else the break stays in its gap or,
    failing that, goes to any gap where it fits."""
    brk = m[14]
    rlen = st[0]
    rnode = st[1]
    rkey = st[2]
    rgap = st[3]
    rcost = st[4]
    lim = st[11]
    span = np.zeros(1, np.int64)
    gap = rgap[v]
    pmin = rlen[v]
    for i in range(nk):
        key = keys[i]
        n = rlen[v]
        p = -1
        for k in range(n):
            if rkey[v, k] == key:
                p = k
                break
        take_out(st, v, p)
        removed[nr] = key
        nr += 1
        if gap > p:
            gap -= 1
        if p < pmin:
            pmin = p
    hb = brk[v, 0] == 1
    while True:
        n = rlen[v]
        seq = rnode[v, :n]
        if n == 0:
            rgap[v] = NO_BREAK
            rcost[v] = 0
            refresh(m, st, v)
            return nr
        # the break's gaps to try: none first if the day became short enough, then its own,
        # then any other
        options = np.empty(n + 2, np.int64)
        count = 0
        if hb and gap != NO_BREAK and driving_and_service(m, v, seq, n) <= brk[v, 4]:
            options[count] = NO_BREAK
            count += 1
        options[count] = gap
        count += 1
        for g in range(n + 1):
            if g != gap:
                options[count] = g
                count += 1
        for i in range(count):
            c = route_cost(m, v, seq, n, options[i], lim[v], span)
            if c >= 0:
                rgap[v] = options[i]
                rcost[v] = c
                refresh(m, st, v)
                return nr
        # still late somewhere: the stop after the gap goes too
        q = min(pmin, n - 1)
        removed[nr] = take_out(st, v, q)
        nr += 1
        if gap > q:
            gap -= 1


@njit(cache=True, inline="always")
def take_out(st: Any, v: Any, q: Any) -> Any:
    """Take the stop at position ``q`` out of route ``v`` (its times not yet updated); its
    occurrence."""
    rlen, rnode, rkey, where = st[0], st[1], st[2], st[9]
    n = rlen[v]
    key = rkey[v, q]
    rnode[v, q : n - 1] = rnode[v, q + 1 : n].copy()
    rkey[v, q : n - 1] = rkey[v, q + 1 : n].copy()
    rlen[v] = n - 1
    where[key] = -1
    return key


@njit(cache=True)
def drop(m: Any, st: Any, v: Any, keys: Any, nk: Any, removed: Any, nr: Any) -> Any:
    """Remove ``keys[:nk]`` from route ``v`` (see :func:`remove_keys`), the later
    occurrences that need a removed first one, and every occurrence of a visit with day
    patterns one of whose occurrences went (so that the recreate may choose its pattern
    afresh); the new count in ``removed``."""
    kocc, kafter, vptr, vkeys, kvis, pat = m[19], m[21], m[22], m[23], m[18], m[27]
    where = st[9]
    start_nr = nr
    nr = remove_keys(m, st, v, keys, nk, removed, nr)
    i = start_nr
    one = np.empty(1, np.int64)
    while i < nr:
        gone = removed[i]
        i += 1
        vi = kvis[gone]
        whole = pat[PAT + vi] > 0
        if kocc[gone] == 0 or whole:
            for j in range(vptr[vi], vptr[vi + 1]):
                other = vkeys[j]
                if where[other] >= 0 and (whole or (j > vptr[vi] and kafter[other] == 1)):
                    one[0] = other
                    nr = remove_keys(m, st, where[other], one, 1, removed, nr)
    return nr


@njit(cache=True)
def insert_pattern(m: Any, st: Any, cache: Any, vi: Any, out: Any) -> Any:
    """Put visit ``vi`` (day patterns, none of its occurrences served) in by the pattern
    whose occurrences cost least at their cheapest places, an occurrence that fits nowhere
    on its day counted at its penalty (ties broken at random; a pinned visit's later
    occurrences priced as if its first were in); whether any went in."""
    vptr, vkeys, kocc, khome, pen, pat = m[22], m[23], m[19], m[24], m[17], m[27]
    nv = vptr.shape[0] - 1
    n = pat[PAT + vi]
    best_j = -1
    best = 0
    first = np.random.randint(n)
    for jj in range(n):
        j = (first + jj) % n
        base = pat[PAT + nv + vi] + j * pat[PAT + 2 * nv + vi]
        score = 0
        for i in range(vptr[vi], vptr[vi + 1]):
            key = vkeys[i]
            if khome[key] >= 0 and best_insertion(m, st, cache, key, out, pat[base + kocc[key]], True):
                score += out[0]
            else:
                score += pen[key]
        if best_j < 0 or score < best:
            best_j, best = j, score
    base = pat[PAT + nv + vi] + best_j * pat[PAT + 2 * nv + vi]
    placed = False
    for i in range(vptr[vi], vptr[vi + 1]):
        key = vkeys[i]
        if khome[key] >= 0 and best_insertion(m, st, cache, key, out, pat[base + kocc[key]]):
            insert(m, st, key, out)
            placed = True
    return placed


@njit(cache=True)
def recreate(m: Any, st: Any, cache: Any, pool: Any, npool: Any, sisr: Any) -> Any:
    """Insert the occurrences ``pool[:npool]`` one by one, each at its cheapest place (a
    visit with day patterns all at once, see :func:`insert_pattern`), in one of four
    orders: at random, most worth first, most worth per minute, longest first; or, with
    ``sisr`` (only travel to save), SISR's: at random, largest load, farthest from the
    base, nearest to it, chosen 4, 4, 2 and 1 times in 11."""
    pen, khome, ksvc, load, far = m[17], m[24], m[25], m[4], m[31]
    where = st[9]
    order = np.random.randint(4)
    if sisr:  # 0 (at random) 4 times in 11, 4 (load) 4, 5 (far) 2, 6 (near) 1
        draw = np.random.randint(11)
        order = 0 if draw < 4 else (4 if draw < 8 else (5 if draw < 10 else 6))
    sc = np.empty(npool, np.float64)
    for i in range(npool):
        k = pool[i]
        r = np.random.random() * 1e-9
        if order == 0:
            sc[i] = np.random.random()
        elif order == 1:
            sc[i] = -pen[k] - r * pen[k]
        elif order == 2:
            sc[i] = -(pen[k] / (ksvc[k] + 600.0)) * (1 + r)
        elif order == 3:
            sc[i] = -ksvc[k] - r * 1000
        elif order == 4:
            sc[i] = -(load[khome[k]] if khome[k] >= 0 else 0) - np.random.random() * 0.5
        elif order == 5:
            sc[i] = -far[k] - np.random.random() * 0.5
        else:
            sc[i] = far[k] + np.random.random() * 0.5
    idx = np.argsort(sc)
    out = np.empty(5, np.int64)
    kvis, vptr, vkeys, pat = m[18], m[22], m[23], m[27]
    tried = np.zeros(vptr.shape[0] - 1, np.bool_)  # visits with patterns that went in nowhere
    for ii in range(npool):
        k = pool[idx[ii]]
        if where[k] >= 0 or khome[k] < 0:
            continue
        vi = kvis[k]
        if pat[PAT + vi] > 0:
            if tried[vi]:
                continue
            none = True
            for j in range(vptr[vi], vptr[vi + 1]):
                if where[vkeys[j]] >= 0:
                    none = False
                    break
            if none:  # the whole visit: its pattern first
                tried[vi] = not insert_pattern(m, st, cache, vi, out)
                continue
        if best_insertion(m, st, cache, k, out):
            insert(m, st, k, out)


@njit(cache=True)
def cheapest_gap(m: Any, v: Any, seq: Any, n: Any, lim: Any, work: Any, out: Any) -> Any:
    """The break's gap (``NO_BREAK`` too) where vehicle ``v`` serving ``seq[:n]`` costs least:
    the route's cost plus ``work`` per second of its shortest span (at most ``lim``), the
    first such gap on a tie. Into ``out``: the route's cost, the gap, and the break's earliest
    start there (-1: none), and when the route leaves the base in that schedule (``out`` of
    length 4); whether any gap keeps every rule."""
    span = np.zeros(3, np.int64)
    found = False
    best = 0
    for g in range(-1, n + 1):
        span[1] = -1
        c = route_cost(m, v, seq, n, g, lim, span)
        if c < 0:
            continue
        score = c + work * span[0]
        if not found or score < best:
            found = True
            best = score
            out[0] = c
            out[1] = g
            out[2] = span[1]
            if out.shape[0] > 3:
                out[3] = span[2]
    return found


@njit(cache=True)
def place(m: Any, st: Any, vs: Any, keys: Any, ptr: Any) -> Any:
    """Put given routes in, in empty state ``st``: vehicle ``vs[r]`` takes the occurrences
    ``keys[ptr[r]:ptr[r + 1]]`` in that order, each appended if the route still keeps every
    rule with it (the break in its cheapest gap) and its days and load allow, else left out
    for the recreate; how many went in. Routes go in day by day (``vs`` in day order), so
    the minimum gaps are checked against the days already placed."""
    knode, load, cap = m[16], m[4], m[13]
    rlen, rnode, rkey, rgap, rcost, rload, where, lim = (
        st[0],
        st[1],
        st[2],
        st[3],
        st[4],
        st[5],
        st[9],
        st[11],
    )
    best = np.zeros(3, np.int64)
    count = 0
    for r in range(vs.shape[0]):
        v = vs[r]
        for i in range(ptr[r], ptr[r + 1]):
            key = keys[i]
            node = knode[key, v]
            if node < 0 or where[key] >= 0:
                continue
            if constrained(m, key) and not days_fit(m, st, key, v):
                continue
            if cap[v] >= 0 and rload[v] + load[node] > cap[v]:
                continue
            n = rlen[v]
            rnode[v, n] = node
            if not cheapest_gap(m, v, rnode[v, : n + 1], n + 1, lim[v], 0, best):
                continue
            rkey[v, n] = key
            rlen[v] = n + 1
            rgap[v] = best[1]
            rcost[v] = best[0]
            where[key] = v
            refresh(m, st, v)
            count += 1
    return count


@njit(cache=True)
def ruin(m: Any, st: Any, max_routes: Any, max_string: Any, near_unserved: Any, removed: Any) -> Any:
    """Remove a string of stops from up to ``max_routes`` routes near one place (a served
    visit, or with probability ``near_unserved`` an unserved one) into ``removed``; how many."""
    near, khome = m[26], m[24]
    rlen = st[0]
    rkey = st[2]
    where = st[9]
    K = where.shape[0]
    nserved = 0
    nun = 0
    for k in range(K):
        if where[k] >= 0:
            nserved += 1
        elif khome[k] >= 0:
            nun += 1
    if nserved == 0:
        return 0
    if nun > 0 and np.random.random() < near_unserved:
        j = np.random.randint(nun)
        seed = -1
        for k in range(K):
            if where[k] < 0 and khome[k] >= 0:
                if j == 0:
                    seed = k
                    break
                j -= 1
    else:
        j = np.random.randint(nserved)
        seed = -1
        for k in range(K):
            if where[k] >= 0:
                if j == 0:
                    seed = k
                    break
                j -= 1
    routes = 1 + np.random.randint(max_routes)
    V = rlen.shape[0]
    done = np.zeros(V, np.bool_)
    ndone = 0
    nr = 0
    keys = np.empty(max_string, np.int64)
    for ii in range(K):
        k = near[seed, ii]
        if k < 0:
            break
        if ndone >= routes:
            break
        v = where[k]
        if v < 0 or done[v]:
            continue
        done[v] = True
        ndone += 1
        n = rlen[v]
        length = 1 + np.random.randint(min(max_string, n))
        i = 0
        for q in range(n):
            if rkey[v, q] == k:
                i = q
                break
        s = max(0, min(i - np.random.randint(length), n - length))
        for q in range(length):
            keys[q] = rkey[v, s + q]
        nr = drop(m, st, v, keys, length, removed, nr)
    return nr


@njit(cache=True)
def objective(m: Any, st: Any) -> Any:
    """Route costs plus the penalties of the unserved occurrences (the OR-Tools model's
    objective)."""
    pen = m[17]
    rcost, where = st[4], st[9]
    tot = 0
    for v in range(rcost.shape[0]):
        tot += rcost[v]
    for k in range(where.shape[0]):
        if where[k] < 0:
            tot += pen[k]
    return tot


@njit(cache=True)
def copy_state(src: Any, dst: Any) -> Any:
    """Copy state ``src`` into ``dst`` (both from :func:`_state`; the counter is shared)."""
    dst[0][:] = src[0]
    dst[1][:, :] = src[1]
    dst[2][:, :] = src[2]
    dst[3][:] = src[3]
    dst[4][:] = src[4]
    dst[5][:] = src[5]
    dst[6][:] = src[6]
    dst[7][:] = src[7]
    dst[8][:, :, :] = src[8]
    dst[9][:] = src[9]
    dst[11][:] = src[11]
    dst[12][:] = src[12]


@njit(cache=True)
def seed_rng(seed: Any) -> Any:
    """Seed the compiled code's random numbers."""
    np.random.seed(seed)


@njit(cache=True)
def anneal(
    m: Any,
    cur: Any,
    trial: Any,
    best: Any,
    cache: Any,
    iters: Any,
    t_from: Any,
    t_to: Any,
    max_routes: Any,
    max_string: Any,
    near_unserved: Any,
    objs: Any,
    sisr: Any,
) -> Any:
    """Run ``iters`` rounds from ``cur``, the temperature falling from ``t_from`` to
    ``t_to``; ``objs`` holds the current and the best objective, ``best`` the best state;
    whether the best improved. ``sisr``: the recreate's orders are SISR's."""
    K = cur[9].shape[0]
    removed = np.empty(K + 1, np.int64)
    pool = np.empty(2 * K + 2, np.int64)
    improved = False
    for it in range(iters):
        frac = it / max(1, iters)
        temp = t_from * (t_to / t_from) ** frac
        copy_state(cur, trial)
        nr = ruin(m, trial, max_routes, max_string, near_unserved, removed)
        npool = 0
        for i in range(nr):
            pool[npool] = removed[i]
            npool += 1
        for k in range(K):
            if trial[9][k] < 0:
                dup = False
                for i in range(nr):
                    if removed[i] == k:
                        dup = True
                        break
                if not dup:
                    pool[npool] = k
                    npool += 1
        recreate(m, trial, cache, pool, npool, sisr)
        obj = objective(m, trial)
        if obj < objs[0] - temp * np.log(1.0 - np.random.random()):
            copy_state(trial, cur)
            objs[0] = obj
            if obj < objs[1]:
                copy_state(trial, best)
                objs[1] = obj
                improved = True
    return improved


def _cache(n_keys: int, n_veh: int) -> tuple[np.ndarray, ...]:
    """Empty insertion caches: per occurrence and vehicle, ``SLOTS`` route versions, their
    results (delta, position, gap, route cost) and the slot to fill next."""
    return (
        -np.ones((n_keys, n_veh, SLOTS), np.int64) * BIG,
        np.zeros((n_keys, n_veh, SLOTS, 4), np.int64),
        np.zeros((n_keys, n_veh), np.int64),
    )


def _state(n_veh: int, n_keys: int) -> tuple[np.ndarray, ...]:
    """Empty routes: 0 stops per vehicle, 1 nodes, 2 occurrences, 3 the break's gap, 4 cost,
    5 load, 6 busy time, 7 version (unique per route content and limit), 8 bounds per stop
    (earliest end and latest start without the break, then with it), 9 each occurrence's
    vehicle (-1: unserved); 10 the version counter, shared by every copy; 11 the span limit
    per vehicle (see :func:`share_cap`), 12 its shortest span (kept only where a weekly cap
    can bind)."""
    size = n_keys + 2
    return (
        np.zeros(n_veh, np.int64),
        np.zeros((n_veh, size), np.int64),
        np.zeros((n_veh, size), np.int64),
        -np.ones(n_veh, np.int64),
        np.zeros(n_veh, np.int64),
        np.zeros(n_veh, np.int64),
        np.zeros(n_veh, np.int64),
        -np.arange(1, n_veh + 1, dtype=np.int64),
        np.zeros((n_veh, 4, size), np.int64),
        -np.ones(n_keys, np.int64),
        np.zeros(1, np.int64),
        np.zeros(n_veh, np.int64),
        np.zeros(n_veh, np.int64),
    )


@dataclass
class Result:
    """A search's best routes (occurrence keys per vehicle), their objective, and how many
    rounds the search made."""

    routes: list[list[Key]]
    objective: int
    rounds: int
    spans: list[int] | None = None  # per vehicle its shortest span, where a weekly cap binds

    @property
    def served(self) -> int:
        """How many occurrences the routes serve."""
        return sum(len(r) for r in self.routes)


def search(
    inst: Instance,
    seed: int,
    deadline: float,
    settings: Settings | None = None,
    on_best: Callable[[Result], None] | None = None,
    rounds: int | None = None,
    start: list[list[Key]] | None = None,
) -> Result:
    """Search until ``deadline`` (``time.time()``), or for ``rounds`` rounds; the best found.

    The compiled rounds run in chunks of about 20 ms, the temperature falling from
    the first to the last of :func:`temperatures` over the time (or the rounds) given, so a short
    search settles as a long one does; ``on_best`` hears of each better solution between
    chunks. ``start`` (per vehicle, occurrences in order) is put in first as far as it keeps
    the rules (:func:`place`), the rest recreated around it: the best found is then never
    worse than those routes."""
    cfg = settings or Settings()
    arrs = inst.arrays()
    n_keys, n_veh = len(inst.keys), len(inst.start)
    cache = _cache(n_keys, n_veh)
    cur = _state(n_veh, n_keys)
    init_limits(arrs, cur)
    trial = tuple(a if i == 10 else a.copy() for i, a in enumerate(cur))
    best = tuple(a if i == 10 else a.copy() for i, a in enumerate(cur))
    seed_rng(seed)
    if start is not None:  # given routes first (a published plan's), as far as they still fit
        index = {k: i for i, k in enumerate(inst.keys)}
        order = sorted((v for v in range(n_veh) if v < len(start) and start[v]), key=lambda v: inst.day[v])
        flat = [index[k] for v in order for k in start[v] if k in index]
        ptr = np.cumsum([0] + [sum(k in index for k in start[v]) for v in order]).astype(np.int64)
        place(arrs, cur, np.array(order, np.int64), np.array(flat, np.int64), ptr)
    recreate(arrs, cur, cache, np.arange(n_keys, dtype=np.int64), n_keys, False)
    hot, cold = temperatures(arrs, cur, cfg)
    sisr = travel_only(arrs, cur, cfg)
    max_routes, max_string = ruin_sizes(arrs, cur, cfg)
    copy_state(cur, best)
    objs = np.array([objective(arrs, cur)] * 2, np.int64)

    def result(done: int) -> Result:
        routes = [[inst.keys[k] for k in best[2][v, : best[0][v]]] for v in range(n_veh)]
        binding = bool((arrs[29] >= 0).any())
        return Result(routes, int(objs[1]), done, [int(x) for x in best[12]] if binding else None)

    if on_best is not None:
        on_best(result(0))
    t_begin = time.time()
    total = max(1e-3, deadline - t_begin)
    done, chunk = 0, 16
    while True:
        now = time.time()
        if now >= deadline or (rounds is not None and done >= rounds):
            break
        if rounds is not None:
            chunk = min(chunk, rounds - done)
            frac, step = done / rounds, chunk / rounds
        else:
            frac, step = (now - t_begin) / total, 0.0
        t0 = time.time()
        if step == 0.0:  # the chunk's share of the time, from the last chunk's speed
            step = min(1.0 - frac, 0.02 / total)
        t_from = hot * (cold / hot) ** frac
        t_to = hot * (cold / hot) ** min(1.0, frac + step)
        improved = anneal(
            arrs,
            cur,
            trial,
            best,
            cache,
            chunk,
            t_from,
            t_to,
            max_routes,
            max_string,
            cfg.near_unserved,
            objs,
            sisr,
        )
        done += chunk
        spent = time.time() - t0
        if rounds is None:  # chunks of about 20 ms, never past the deadline by much
            chunk = max(1, min(4 * chunk, int(chunk * 0.02 / max(spent, 1e-6))))
        if improved and on_best is not None:
            on_best(result(done))
    return result(done)


def best_breaks(
    inst: Instance, routes: list[list[Key]], limits: list[int] | None, work: int
) -> dict[int, tuple[int, int]]:
    """Per vehicle with stops, its day as the search prices it, in the gap for the break
    where the day costs least: (when the break starts, -1: none needed or no break rule;
    when the route leaves the base). The cost is the route's plus ``work`` per second of its
    shortest span, each span at most ``limits[v]`` (the spans a weekly cap left, else the
    day's own limit). The search prices a route with its break in the first gap that fits;
    reading the routes back into OR-Tools with these breaks and departures keeps the days as
    short as their stops allow (OR-Tools left alone may put the break where the day gets
    longer, and leave at the shift's start to wait later: a day of six one-hour visits left
    at 08:00 and waited 57 minutes before its break)."""
    m = inst.arrays()
    own = m[11]
    out: dict[int, tuple[int, int]] = {}
    best = np.zeros(4, np.int64)
    for v, keys in enumerate(routes):
        if not keys or any((k, v) not in inst.key_node for k in keys):  # (routes the search
            continue  # could not have made, OR-Tools' own: left to OR-Tools)
        seq = np.array([inst.key_node[(k, v)] for k in keys], np.int64)
        lim = int(own[v]) if limits is None else int(limits[v])
        if cheapest_gap(m, v, seq, len(seq), lim, work, best):
            out[v] = (int(best[2]), int(best[3]))
    return out


def warm() -> float:
    """Compile the search (or load it from numba's cache): a few rounds on a tiny instance;
    the seconds it took."""
    t0 = time.time()
    day = [(0, 10**6)]
    travel = [[0, 60, 60], [60, 0, 60], [60, 60, 0]]
    inst = Instance(
        service=[0, 600, 600],
        windows=[[], day, day],
        load=[0, 1, 1],
        start=[0],
        travel=[travel],
        cost=[travel],
        shift=[(0, 10**5)],
        regular_end=[10**5],
        after_hours=1,
        span_limit=[10**5],
        max_drive=[10**5],
        capacity=[5],
        brk=[(1000, 5000, 300, 3000)],
        day=[0],
        keys=[(0, 0), (1, 0)],
        key_node={((0, 0), 0): 1, ((1, 0), 0): 2},
        penalty={(0, 0): 1000, (1, 0): 1000},
        min_gap={1: 1},
        after_first=frozenset({(1, 0)}),
        unit=[0],
        weekly=[5000],  # binding: the weekly cap's code is compiled too
    )
    found = search(inst, 1, time.time() + 60, rounds=3, start=[[(0, 0), (1, 0)]])  # place() too
    best_breaks(inst, found.routes, found.spans, 1)  # what reading routes back calls
    return time.time() - t0


if __name__ == "__main__":  # compile ahead: see planner.warmup (kept apart, so that editing it
    from planner.warmup import main  # leaves numba's cache of this file valid)

    sys.exit(main())
