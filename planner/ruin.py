"""Ruin and recreate: a large-neighbourhood search over the routing model's nodes, in plain
Python (no OR-Tools; :mod:`planner.solver` builds its :class:`Instance` and reads the routes
found back into OR-Tools, which then sets the times and breaks, and the validator checks
them as always).

Why it exists: on the demo week (more wanted than the days hold) OR-Tools' local search
prices every move with the break's scheduling, a small mixed-integer problem per route
(about 40 ms per improving move), and one 8 s search ends where its first descent leaves it
(mean unserved priority about 21). Choosing what to serve needs many cheap trials more than
a few exact ones. Here a route is checked in a few microseconds per stop, and the search is
the "slack induction by string removals" of Christiaens and Vanden Berghe (2020, Transp.
Sci. 54(2)): remove a few strings of stops near one place (a served or an unserved visit),
put every unserved visit back by cheapest feasible insertion in one of several orders, keep
the result by simulated annealing on the model's own objective (unserved priority times
``Weights.unserved``, plus arc costs and the soft costs of long and late days). Insertion
results are cached per route version, so a route that did not change is not priced again.

A route's times are exact in the same model OR-Tools solves: start windows (several per
node), waiting allowed, the shift, the driver's span limit (including the weekly cap's
share), an optional driving limit and capacity, and the break: ``duration`` seconds starting
inside its window, in the gap between two stops (with the travel) or before the first or
after the last, such that no stretch of work before or after it exceeds ``required_after``;
a day no longer than that may have none. The route is feasible when a schedule exists: the
earliest times from the shift's start give the earliest return ``E``; the latest times
ending at ``E`` give the latest departure ``D`` (so ``E - D`` is the shortest span); the
break must fit between the earliest end of the stop before its gap (leaving at ``D``) and
the latest start of the stop after it.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Key = tuple[int, int]  # (visit index, occurrence)
Break = tuple[int, int, int, int]  # window start, window end, duration, required_after
Insertion = tuple[int, int, int, int, int]  # (cost delta, vehicle, position, break gap, route cost)

NO_BREAK = -1


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

    def __post_init__(self) -> None:
        self.vehicles_of: dict[Key, list[int]] = {k: [] for k in self.keys}
        for k, v in self.key_node:
            self.vehicles_of[k].append(v)
        for vs in self.vehicles_of.values():
            vs.sort()
        self.occurrences: dict[int, list[Key]] = {}
        for k in self.keys:
            self.occurrences.setdefault(k[0], []).append(k)
        self.home: dict[Key, int] = {k: self.key_node[(k, vs[0])] for k, vs in self.vehicles_of.items() if vs}
        # per key: (vehicle, node) pairs; and the keys whose days depend on other occurrences
        self.choices: dict[Key, list[tuple[int, int]]] = {
            k: [(v, self.key_node[(k, v)]) for v in vs] for k, vs in self.vehicles_of.items()
        }
        self.day_ruled = frozenset(k for k in self.keys if k in self.after_first or k[0] in self.min_gap)
        # places near each key's node (by the first vehicle's travel), for choosing what to ruin
        t0 = self.travel[0]
        self.near: dict[Key, list[Key]] = {}
        for k, a in self.home.items():
            row = t0[a]
            self.near[k] = sorted(self.home, key=lambda o: row[self.home[o]])

    # --- one route ---------------------------------------------------------------------

    def route_cost(self, v: int, seq: list[int], b: int) -> int | None:
        """The cost of vehicle ``v`` serving nodes ``seq`` in order with the break in gap
        ``b`` (before ``seq[b]``; ``len(seq)`` after the last stop; ``NO_BREAK`` for none),
        or None when no schedule keeps every rule."""
        n = len(seq)
        if n == 0:
            return 0
        brk = self.brk[v]
        if brk is None:
            b = NO_BREAK
        T = self.travel[v]
        base = self.start[v]
        win, svc = self.windows, self.service
        s0, s1 = self.shift[v]
        # earliest times from the shift's start, then the earliest return e
        t, prev = s0, base
        for k in range(n + 1):
            x = seq[k] if k < n else base
            a = t + T[prev][x]
            if k == b:  # the break in this gap, with the travel around it
                assert brk is not None
                bs = t if t > brk[0] else brk[0]
                if bs > brk[1]:
                    return None
                a = (bs if bs > a else a) + brk[2]
            if k == n:
                break
            st = -1
            for ws, we in win[x]:
                if a <= we:
                    st = a if a > ws else ws
                    break
            if st < 0:
                return None
            t = st + svc[x]
            prev = x
        e = a
        if e > s1:
            return None
        # latest times ending at e
        lat, nxt = e, base
        next_latest = e  # latest start of what follows the break's gap
        for k in range(n - 1, -1, -1):
            x = seq[k]
            if k + 1 == b:
                assert brk is not None
                if lat < brk[0] + brk[2]:
                    return None
                next_latest = lat
                bound = min(lat - T[x][nxt] - brk[2], brk[1]) - svc[x]
            else:
                bound = lat - T[x][nxt] - svc[x]
            st = -1
            for ws, we in reversed(win[x]):
                if ws <= bound:
                    st = bound if bound < we else we
                    break
            if st < 0:
                return None
            lat, nxt = st, x
        if b == 0:
            assert brk is not None
            if lat < brk[0] + brk[2]:
                return None
            next_latest = lat
            d = min(lat - T[base][nxt] - brk[2], brk[1])
        else:
            d = lat - T[base][nxt]
        span = e - d
        if span > self.span_limit[v]:
            return None
        if brk is not None:
            if b == NO_BREAK:
                if span > brk[3]:
                    return None
            else:
                # the stop before the gap ends at its earliest when leaving at d
                t, prev = d, base
                for k in range(b):
                    x = seq[k]
                    a = t + T[prev][x]
                    for ws, we in win[x]:
                        if a <= we:
                            a = a if a > ws else ws
                            break
                    t = a + svc[x]
                    prev = x
                lo = max(t, brk[0], e - brk[2] - brk[3])
                hi = min(brk[1], next_latest - brk[2], d + brk[3])
                if lo > hi:
                    return None
        md = self.max_drive[v]
        C = self.cost[v]
        cost, prev, drive = 0, base, 0
        for x in seq:
            cost += C[prev][x]
            drive += T[prev][x]
            prev = x
        cost += C[prev][base]
        drive += T[prev][base]
        if md is not None and drive > md:
            return None
        if e > self.regular_end[v]:
            cost += self.after_hours * (e - self.regular_end[v])
        target, weight = self.balance
        if weight and span > target:
            cost += weight * (span - target)
        return cost

    def bounds(self, v: int, seq: list[int], gap: int) -> tuple[list[int], ...]:
        """Per stop: its earliest end and latest start without the break, then both with
        the break in ``gap``, all without the span limit (so any insertion they rule out is
        infeasible: the first two for any place of the break, the last two for ``gap``)."""
        T = self.travel[v]
        base = self.start[v]
        win, svc = self.windows, self.service
        s0, s1 = self.shift[v]
        brk = self.brk[v]
        n = len(seq)
        out: list[list[int]] = []
        for b in (NO_BREAK, gap) if brk is not None and gap != NO_BREAK else (NO_BREAK,):
            ends = [0] * n
            t, prev = s0, base
            for k in range(n):
                x = seq[k]
                a = t + T[prev][x]
                if k == b:
                    assert brk is not None
                    a = max(brk[0], a) + brk[2]
                for ws, we in win[x]:
                    if a <= we:
                        a = a if a > ws else ws
                        break
                t = a + svc[x]
                ends[k] = t
                prev = x
            starts = [0] * n
            lat, nxt = s1, base
            for k in range(n - 1, -1, -1):
                x = seq[k]
                if k + 1 == b:
                    assert brk is not None
                    bound = min(lat - T[x][nxt] - brk[2], brk[1]) - svc[x]
                else:
                    bound = lat - T[x][nxt] - svc[x]
                st = -(10**9)
                for ws, we in reversed(win[x]):
                    if ws <= bound:
                        st = bound if bound < we else we
                        break
                starts[k] = st
                lat, nxt = st, x
            out += [ends, starts]
        if len(out) == 2:
            out += out
        return tuple(out)


class Solution:
    """Routes (occurrence keys and nodes per vehicle, the break's gap, the cost) and where
    each served occurrence is."""

    def __init__(self, inst: Instance) -> None:
        nv = len(inst.start)
        self.inst = inst
        self.keys: list[list[Key]] = [[] for _ in range(nv)]
        self.nodes: list[list[int]] = [[] for _ in range(nv)]
        self.gap: list[int] = [NO_BREAK] * nv
        self.cost: list[int] = [0] * nv
        self.load: list[int] = [0] * nv
        # per route, per stop: earliest end and latest start without the break, then with it
        # where it is (see Instance.bounds)
        self.bounds: list[tuple[list[int], ...]] = [([], [], [], []) for _ in range(nv)]
        self.busy: list[int] = [0] * nv
        self.version: list[int] = [-1 - v for v in range(nv)]  # unique, as later ones are
        self.where: dict[Key, int] = {}

    def copy(self) -> Solution:
        """A copy whose routes can change without changing this one's."""
        s = Solution.__new__(Solution)
        s.inst = self.inst
        s.keys = [list(r) for r in self.keys]
        s.nodes = [list(r) for r in self.nodes]
        s.gap = list(self.gap)
        s.cost = list(self.cost)
        s.load = list(self.load)
        s.bounds = list(self.bounds)  # replaced, never changed in place
        s.busy = list(self.busy)
        s.version = list(self.version)
        s.where = dict(self.where)
        return s

    def objective(self) -> int:
        """Route costs plus the penalties of what is unserved (the OR-Tools model's objective)."""
        pen = self.inst.penalty
        return sum(self.cost) + sum(p for k, p in pen.items() if k not in self.where)

    def unserved(self) -> list[Key]:
        """The occurrences not served, in the instance's order."""
        return [k for k in self.inst.keys if k not in self.where]


@dataclass(frozen=True)
class Settings:
    """The search's knobs: at most ``max_routes`` routes lose a string of at most
    ``max_string`` stops per round, near an unserved visit with probability
    ``near_unserved``; simulated annealing's temperature falls from ``hot`` to ``cold``
    (cost units: a priority point unserved costs ``Weights.unserved``, 1,000,000 on the demo
    week).

    Measured on the demo week (one search, 16 seeds of 3,000 rounds, mean unserved
    priority): near an unserved visit with probability 0.5: 18.9, 0.2: 17.5, 0.1: 18.1,
    0: 18.3. In 6 s (12 seeds each, two searches side by side): strings of at most 4 stops
    16.4 against 16.2 for 6; ``hot`` 6e5 16.4, 6e4 16.8; at most 2 or 5 routes 17.1, 17.2
    (a slower hour: the machine's speed moves these by about one point).
    """

    max_routes: int = 3
    max_string: int = 6
    near_unserved: float = 0.2
    hot: float = 2e5
    cold: float = 1e3


class Search:
    """The ruin-and-recreate search on one instance (see the module's docstring)."""

    def __init__(self, inst: Instance, seed: int, settings: Settings | None = None) -> None:
        self.inst = inst
        self.rng = random.Random(seed)
        self.settings = settings or Settings()
        self.cache: dict[int, Insertion | None] = {}
        self.counter = 0
        self.iterations = 0

    # --- changes to a route ------------------------------------------------------------

    def _refresh(self, sol: Solution, v: int) -> None:
        inst = self.inst
        sol.nodes[v] = [inst.key_node[(k, v)] for k in sol.keys[v]]
        sol.bounds[v] = inst.bounds(v, sol.nodes[v], sol.gap[v])
        sol.load[v] = sum(inst.load[x] for x in sol.nodes[v])
        # driving, service and the break: time the day takes whatever the waiting
        T, prev, busy = inst.travel[v], inst.start[v], 0
        for x in sol.nodes[v]:
            busy += T[prev][x] + inst.service[x]
            prev = x
        busy += T[prev][inst.start[v]] if sol.nodes[v] else 0
        brk = inst.brk[v]
        sol.busy[v] = busy + (brk[2] if brk is not None and sol.gap[v] != NO_BREAK else 0)
        self.counter += 1
        sol.version[v] = self.counter

    def _insert(self, sol: Solution, key: Key, ins: Insertion) -> None:
        _, v, p, gap, cost = ins
        sol.keys[v].insert(p, key)
        sol.gap[v] = gap
        sol.cost[v] = cost
        sol.where[key] = v
        self._refresh(sol, v)

    def _remove(self, sol: Solution, keys: list[Key]) -> list[Key]:
        """Take ``keys`` (all in one route) out of their route; what was taken out. Travel
        times need not obey the triangle inequality (terrain changes the speed), so a
        shorter route can be late where the longer was not: then the stops after the gap go
        too, until the route keeps every rule again."""
        inst = self.inst
        v = sol.where[keys[0]]
        route = sol.keys[v]
        gap = sol.gap[v]
        places = sorted((route.index(k) for k in keys), reverse=True)
        for p in places:
            del sol.where[route.pop(p)]
            if gap > p:
                gap -= 1
        p = places[-1]
        out = list(keys)
        brk = inst.brk[v]
        T, svc, base = inst.travel[v], inst.service, inst.start[v]
        while True:
            seq = [inst.key_node[(k, v)] for k in route]
            # a day that became short enough needs no break; else the break stays where it
            # was (or, failing that, in any gap where it fits)
            options = [gap]
            if brk is not None and gap != NO_BREAK:
                busy, prev = 0, base
                for x in seq:
                    busy += T[prev][x] + svc[x]
                    prev = x
                if busy + T[prev][base] <= brk[3]:
                    options.insert(0, NO_BREAK)
            options += [g for g in range(len(seq) + 1) if g not in options]
            for g in options if seq else [NO_BREAK]:
                c = inst.route_cost(v, seq, g)
                if c is not None:
                    sol.gap[v], sol.cost[v] = g, c
                    self._refresh(sol, v)
                    return out
            q = min(p, len(route) - 1)
            gone = route.pop(q)
            del sol.where[gone]
            out.append(gone)
            if gap > q:
                gap -= 1

    def _drop(self, sol: Solution, keys: list[Key]) -> list[Key]:
        """Remove ``keys`` (all in one route) and the occurrences that need them; what was
        removed."""
        out = self._remove(sol, keys)
        for gone in list(out):
            if gone[1] == 0:
                for other in self.inst.occurrences[gone[0]][1:]:
                    if other in self.inst.after_first and other in sol.where:
                        out += self._drop(sol, [other])
        return out

    # --- pricing an insertion -------------------------------------------------------------

    def _days_fit(self, sol: Solution, key: Key, v: int) -> bool:
        inst = self.inst
        vi = key[0]
        if key in inst.after_first and (vi, 0) not in sol.where:
            return False
        gap = inst.min_gap.get(vi)
        if gap is None:
            return True
        d = inst.day[v]
        for other in inst.occurrences[vi]:
            w = sol.where.get(other)
            if w is None or other == key:
                continue
            od = inst.day[w]
            if (other[1] < key[1] and d - od < gap) or (other[1] > key[1] and od - d < gap):
                return False
        return True

    def _best_in_route(self, sol: Solution, v: int, node: int) -> Insertion | None:
        """The cheapest feasible insertion of ``node`` into route ``v``: places are ranked by
        their cost and checked in that order, first with the break where it is (or moved
        only past the new stop), then, if none fits, with the break in another gap."""
        inst = self.inst
        cap = inst.capacity[v]
        if cap is not None and sol.load[v] + inst.load[node] > cap:
            return None
        seq = sol.nodes[v]
        n = len(seq)
        C, T = inst.cost[v], inst.travel[v]
        base = inst.start[v]
        gap = sol.gap[v]
        ends, starts, ends_b, starts_b = sol.bounds[v]
        wins, sv = inst.windows[node], inst.service[node]
        s0, s1 = inst.shift[v]
        brk = inst.brk[v]
        busy = sol.busy[v]
        room = min(inst.span_limit[v], s1 - s0) - busy - sv  # for more driving
        if room < 0:  # (a detour shorter than none would need travel times off the triangle)
            return None
        cands: list[tuple[int, int, int]] = []  # (cost delta, position, gap)
        places: list[tuple[int, int, int, int]] = []  # (cost delta, position, start, detour)
        for p in range(n + 1):
            prev = base if p == 0 else seq[p - 1]
            nxt = base if p == n else seq[p]
            detour = T[prev][node] + T[node][nxt] - T[prev][nxt]
            if detour > room:
                continue
            # without the break: a bound for every place of it
            a = (s0 if p == 0 else ends[p - 1]) + T[prev][node]
            st = -1
            for ws, we in wins:
                if a <= we:
                    st = a if a > ws else ws
                    break
            if st < 0 or st + sv + T[node][nxt] > (s1 if p == n else starts[p]):
                continue
            delta = C[prev][node] + C[node][nxt] - C[prev][nxt]
            places.append((delta, p, st, detour))
            # the break where it is
            pe = s0 if p == 0 else ends_b[p - 1]
            nl = s1 if p == n else starts_b[p]
            if gap == NO_BREAK:
                if brk is None or busy + sv + detour <= brk[3]:  # else too long without one
                    a = pe + T[prev][node]
                    for ws, we in wins:
                        if a <= we:
                            if (a if a > ws else ws) + sv + T[node][nxt] <= nl:
                                cands.append((delta, p, gap))
                            break
            elif p != gap:
                a = pe + T[prev][node]
                for ws, we in wins:
                    if a <= we:
                        if (a if a > ws else ws) + sv + T[node][nxt] <= nl:
                            cands.append((delta, p, gap + 1 if p < gap else gap))
                        break
            else:
                assert brk is not None
                # the new stop, then the break
                a = pe + T[prev][node]
                for ws, we in wins:
                    if a <= we:
                        e = (a if a > ws else ws) + sv
                        if max(e, brk[0]) <= brk[1] and max(brk[0], e + T[node][nxt]) + brk[2] <= nl:
                            cands.append((delta, p, gap + 1))
                        break
                # the break, then the new stop
                if max(pe, brk[0]) <= brk[1]:
                    a = max(brk[0], pe + T[prev][node]) + brk[2]
                    for ws, we in wins:
                        if a <= we:
                            if (a if a > ws else ws) + sv + T[node][nxt] <= nl:
                                cands.append((delta, p, gap))
                            break
        old = sol.cost[v]
        cands.sort()
        for _delta, p, g in cands:
            c = inst.route_cost(v, [*seq[:p], node, *seq[p:]], g)
            if c is not None:
                return (c - old, v, p, g, c)
        if brk is None or not places:
            return None
        # The break in another gap of the new route, where the bounds leave room for it.
        # Gaps of the route as it is that could hold it (ends and starts only grow along
        # the route, so they are consecutive):
        fits = [
            g
            for g in range(n + 1)
            if (s0 if g == 0 else ends[g - 1]) <= brk[1] and (s1 if g == n else starts[g]) >= brk[0] + brk[2]
        ]
        tried = {(p, g) for _, p, g in cands}
        more: list[tuple[int, int, int]] = []
        for delta, p, st, detour in places:
            if gap == NO_BREAK and detour > room - brk[2]:
                continue
            bound = (s1 if p == n else starts[p]) - T[node][base if p == n else seq[p]] - sv
            latest = st
            for ws, we in reversed(wins):
                if ws <= bound:
                    latest = bound if bound < we else we
                    break
            for old_g in fits:
                # the old gap p holds the new stop: the break can go before it or after it
                for g in (old_g, old_g + 1) if old_g == p else (old_g if old_g < p else old_g + 1,):
                    if (p, g) in tried:
                        continue
                    before = st + sv if g == p + 1 else (s0 if g == 0 else ends[(g if g <= p else g - 1) - 1])
                    after = latest if g == p else (s1 if g == n + 1 else starts[g if g < p else g - 1])
                    if before <= brk[1] and after >= brk[0] + brk[2]:
                        more.append((delta, p, g))
        more.sort()
        for _delta, p, g in more:
            c = inst.route_cost(v, [*seq[:p], node, *seq[p:]], g)
            if c is not None:
                return (c - old, v, p, g, c)
        return None

    def best_insertion(self, sol: Solution, key: Key) -> Insertion | None:
        """The cheapest feasible place for ``key`` in any route, or None."""
        inst = self.inst
        best: Insertion | None = None
        ruled = key in inst.day_ruled
        cache, version = self.cache, sol.version
        for v, node in inst.choices[key]:
            if ruled and not self._days_fit(sol, key, v):
                continue
            ck = version[v] * NODE_SPAN + node  # versions are unique to a route's content
            if ck in cache:
                found = cache[ck]
            else:
                found = self._best_in_route(sol, v, node)
                cache[ck] = found
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        return best

    # --- ruin and recreate -------------------------------------------------------------------

    def recreate(self, sol: Solution, keys: list[Key]) -> None:
        """Insert ``keys`` one by one, each at its cheapest place, in one of four orders."""
        inst, rng = self.inst, self.rng
        order = rng.randrange(4)
        worth = {k: inst.penalty[k] for k in keys}
        if order == 0:
            rng.shuffle(keys)
        elif order == 1:  # most worth first
            keys.sort(key=lambda k: (-worth[k], rng.random()))
        elif order == 2:  # most worth per minute first
            keys.sort(key=lambda k: (-worth[k] / (inst.service[inst.home[k]] + 600), rng.random()))
        else:  # longest first
            keys.sort(key=lambda k: (-inst.service[inst.home[k]], rng.random()))
        for key in keys:
            if key in sol.where:
                continue
            ins = self.best_insertion(sol, key)
            if ins is not None:
                self._insert(sol, key, ins)

    def ruin(self, sol: Solution) -> list[Key]:
        """Remove a string of stops from up to ``max_routes`` routes near one place (a served
        visit, or with probability ``near_unserved`` an unserved one); the removed keys."""
        rng = self.rng
        max_routes, max_string = self.settings.max_routes, self.settings.max_string
        served = list(sol.where)
        if not served:
            return []
        unserved = [k for k in self.inst.keys if k not in sol.where and k in self.inst.home]
        near_unserved = unserved and rng.random() < self.settings.near_unserved
        seed = rng.choice(unserved) if near_unserved else rng.choice(served)
        routes = rng.randint(1, max_routes)
        done: set[int] = set()
        removed: list[Key] = []
        for k in self.inst.near[seed]:
            if len(done) >= routes:
                break
            v = sol.where.get(k)
            if v is None or v in done:
                continue
            done.add(v)
            route = sol.keys[v]
            length = rng.randint(1, min(max_string, len(route)))
            i = route.index(k)
            s = max(0, min(i - rng.randrange(length), len(route) - length))
            removed += self._drop(sol, route[s : s + length])
        return removed

    def run(
        self,
        deadline: float,
        start: Solution | None = None,
        on_best: Callable[[Solution], None] | None = None,
        iterations: int | None = None,
    ) -> Solution:
        """Search until ``deadline`` (``time.time()``) or ``iterations``; the best solution.

        Simulated annealing's temperature falls from ``Settings.hot`` to ``Settings.cold``
        over the time (or the iterations) given, so a short search settles as a long one does.
        """
        inst = self.inst
        sol = start if start is not None else Solution(inst)
        if start is None:
            self.recreate(sol, list(inst.keys))
        cur = sol.objective()
        best, best_obj = sol.copy(), cur
        if on_best is not None:
            on_best(best)
        t_begin = time.time()
        total = max(1e-3, deadline - t_begin)
        hot, cold = self.settings.hot, self.settings.cold
        while True:
            now = time.time()
            if now >= deadline or (iterations is not None and self.iterations >= iterations):
                break
            frac = self.iterations / iterations if iterations else (now - t_begin) / total
            temp = hot * (cold / hot) ** frac
            if len(self.cache) > CACHE_MAX:
                self.cache.clear()
            trial = sol.copy()
            removed = self.ruin(trial)
            pool = removed + [k for k in trial.unserved() if k not in removed]
            self.recreate(trial, pool)
            obj = trial.objective()
            self.iterations += 1
            if obj < cur - temp * math.log(1.0 - self.rng.random()):
                sol, cur = trial, obj
                if obj < best_obj:
                    best, best_obj = trial.copy(), obj
                    if on_best is not None:
                        on_best(best)
        return best


CACHE_MAX = 300_000
NODE_SPAN = 1 << 24  # more than any model's nodes
