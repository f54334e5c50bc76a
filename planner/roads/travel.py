"""Real road travel times behind the planner's travel interface (:class:`RoadTravel`).

``RoadTravel`` is a :class:`planner.travel.TravelModel`: ``matrix()`` gives whole seconds
and metres between locations from an OpenStreetMap extract, via the cached
:class:`~planner.roads.network.RoadNetwork`. Like the embedded estimate, every move between
two different places also costs ``stop_overhead`` seconds (parking, finding the door), and
a unit's ``speed_factor`` divides the driving time.

A pair with no road between it is never an infinity: with ``unreachable="error"`` (the
default) ``matrix()`` raises :class:`UnreachableError` naming the places and the reason;
with ``unreachable="estimate"`` those pairs take the embedded estimate and are listed in
``fallbacks`` so the command can say so.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np

from planner.model import Location, Plan, Problem, Unit
from planner.roads.cache import RoadCache
from planner.roads.network import (
    Leg,
    Point,
    RoadMatrix,
    RoadNetwork,
    RoadSettings,
    StageFn,
    Unreachable,
    load_cached_matrix,
    matrix_key,
)
from planner.roads.osm import BBox
from planner.roads.profile import SpeedProfile
from planner.travel import EstimateTravel, TravelMatrix

UnreachablePolicy = Literal["error", "estimate"]


class UnreachableError(ValueError):
    """Some pairs of locations have no road between them in the extract."""

    def __init__(
        self, pairs: Sequence[Unreachable], names: Mapping[str, str], off_network: Sequence[str] = ()
    ) -> None:
        self.pairs = tuple(pairs)
        self.off_network = tuple(off_network)
        self.names = dict(names)
        super().__init__("\n".join(describe_unreachable(self.pairs, names, self.off_network)))


def describe_unreachable(
    pairs: Sequence[Unreachable],
    names: Mapping[str, str],
    off_network: Sequence[str] = (),
    limit: int = 8,
    advice: bool = True,
) -> list[str]:
    """Lines for people: each place off the network once, then the other pairs (at most ``limit``).

    ``advice``: the first line names the ``[roads] unreachable`` setting (for the command
    line, which reads it; not for the web desk, which cannot). Places are listed with «; »
    between them: their names hold commas («Παπαδοπούλου Μαρία, Πτέρη»)."""
    hint = (
        ' (ρύθμιση / setting [roads] unreachable = "estimate" για εκτίμηση / to use the estimate)'
        if advice
        else ""
    )
    lines = [f"{len(pairs)} ζεύγη θέσεων χωρίς δρόμο / pairs of places with no road between them{hint}:"]
    off = set(off_network)
    shown = 0
    for u in pairs:
        if u.reason == "off_network" and (u.from_id in off or u.to_id in off):
            continue
        if shown < limit:
            a, b = names.get(u.from_id, u.from_id), names.get(u.to_id, u.to_id)
            lines.append(f"  {a} -> {b}: {u.message_el} / {u.message_en}")
        shown += 1
    if shown > limit:
        lines.append(f"  ... και άλλα / and {shown - limit} more")
    if off:
        text = next((u for u in pairs if u.reason == "off_network"), None)
        why = f": {text.message_el} / {text.message_en}" if text else ""
        listed = "; ".join(names.get(p, p) for p in list(off_network)[:limit])
        more = f" (+{len(off) - limit})" if len(off) > limit else ""
        lines.append(f"  εκτός δικτύου / off the network: {listed}{more}{why}")
    return lines


def _point(loc: Location) -> Point:
    return (loc.id, loc.lat, loc.lon)


@dataclass(eq=False)
class RoadTravel:
    """Travel times on the roads of an OSM extract (see the module doc)."""

    extract: Path
    profile: SpeedProfile = field(default_factory=SpeedProfile)
    settings: RoadSettings = field(default_factory=RoadSettings)
    cache: RoadCache = field(default_factory=RoadCache)
    bbox: BBox | None = None
    remembered_area: bool = True  # with no bbox: the box of the last `kinito roads build`
    stop_overhead: int = 120
    unreachable: UnreachablePolicy = "error"
    progress: StageFn | None = None
    name: str = "roads"
    fallbacks: list[Unreachable] = field(default_factory=list)
    # the driving time of a pair with no road (unreachable="estimate"): the problem's own
    # calibrated estimate when it has one (its overhead is this model's, added once)
    estimate: EstimateTravel = field(default_factory=lambda: EstimateTravel(stop_overhead=0))
    area_note: str = ""  # how the box was found, when people should hear it (see area())
    _net: RoadNetwork | None = field(default=None, repr=False)
    _memo: dict[tuple[Point, ...], RoadMatrix] = field(default_factory=dict, repr=False)
    _full: list[tuple[dict[Point, int], RoadMatrix]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.unreachable not in ("error", "estimate"):
            raise ValueError(f'roads unreachable must be "error" or "estimate", got {self.unreachable!r}')
        if self.stop_overhead < 0:
            raise ValueError("roads stop_overhead must be >= 0")

    def __getstate__(self) -> dict[str, object]:
        """Pickled for the solver's worker processes: the matrices at hand, not the graph."""
        state = dict(self.__dict__)
        state["_net"] = None  # a worker needing more than the matrices loads it from the cache
        state["progress"] = None  # a progress bar holds the terminal
        return state

    def area(self) -> BBox | None:
        """The box of roads used: ``bbox``, else the one the last build of this extract used.

        The box is remembered per extract content (its SHA-256) and per file: an extract
        downloaded again to the same path (new contents) keeps the box of the file's last
        build, and ``area_note`` says so."""
        if self.bbox is None and self.remembered_area:
            sha = self.cache.extract_digest(self.extract)
            self.bbox, how = self.cache.area_for(sha, self.extract)
            self.remembered_area = False
            if how == "path" and self.bbox is not None:
                box = ",".join(f"{x:g}" for x in self.bbox)
                self.area_note = (
                    f"το {self.extract} άλλαξε από το τελευταίο `kinito roads build` του: χρησιμοποιείται "
                    f"η περιοχή εκείνου ({box}) / {self.extract} changed since its last `kinito roads "
                    f"build`: the area of that build is used ({box})"
                )
        return self.bbox

    def network(self) -> RoadNetwork:
        """The road network, built or loaded from the cache on first use."""
        self.area()
        if self._net is None:
            self._net = RoadNetwork.open(
                self.extract, self.profile, self.settings, self.cache, self.bbox, self._stage
            )
        return self._net

    def _stage(self, stage: str, fraction: float, note: str) -> None:
        if self.progress is not None:
            self.progress(stage, fraction, note)

    def graph_key(self) -> str:
        """The cache key of this extract's graph (hashes the extract once per file version)."""
        if self._net is not None:
            return self._net.key
        return RoadNetwork.graph_key(self.extract, self.profile, self.area(), self.cache)

    def road_matrix(self, locations: Sequence[Location]) -> RoadMatrix:
        """Driving seconds and metres (no overhead), from memory, the disk cache, or computed."""
        points = tuple(_point(loc) for loc in locations)
        if points in self._memo:
            return self._memo[points]
        for pos, m in self._full:  # a subset of a matrix already at hand (explanations ask so)
            if all(p in pos for p in points):
                idx = np.array([pos[p] for p in points], dtype=np.int64)
                wanted = set(p[0] for p in points)
                sub = RoadMatrix(
                    tuple(p[0] for p in points),
                    m.seconds[np.ix_(idx, idx)],
                    m.metres[np.ix_(idx, idx)],
                    m.snap_m[idx],
                    tuple(u for u in m.unreachable if u.from_id in wanted and u.to_id in wanted),
                    from_cache=m.from_cache,
                    max_snap_m=m.max_snap_m,
                )
                self._memo[points] = sub
                return sub
        key = matrix_key(self.graph_key(), points, self.settings)
        cached = load_cached_matrix(self.cache, key)
        result = cached if cached is not None else self.network().matrix(points, self._stage)
        self._memo[points] = result
        self._full.append(({p: i for i, p in enumerate(points)}, result))
        return result

    def matrix(self, locations: Sequence[Location], unit: Unit | None = None) -> TravelMatrix:
        """Whole seconds and metres between ``locations`` on the roads (see the module doc)."""
        m = self.road_matrix(locations)
        seconds, metres = m.seconds.copy(), m.metres.copy()
        missing = np.isnan(seconds)
        if missing.any():
            if self.unreachable == "error":
                names = {loc.id: loc.name or loc.id for loc in locations}
                raise UnreachableError(m.unreachable, names, m.off_network())
            est = replace(self.estimate, stop_overhead=0).matrix(locations, None)
            seconds[missing] = est.durations[missing]
            metres[missing] = est.distances[missing]
            seen = {(u.from_id, u.to_id) for u in self.fallbacks}
            self.fallbacks.extend(u for u in m.unreachable if (u.from_id, u.to_id) not in seen)
        factor = unit.speed_factor if unit is not None else 1.0
        ids = tuple(loc.id for loc in locations)
        same = np.array([[a == b for b in ids] for a in ids], dtype=bool)
        durations = np.rint(seconds / factor).astype(np.int64) + np.where(same, 0, self.stop_overhead)
        distances = np.rint(metres).astype(np.int64)
        np.fill_diagonal(durations, 0)
        np.fill_diagonal(distances, 0)
        return TravelMatrix(ids, durations, distances)

    def route_legs(self, plan: Plan, problem: Problem) -> dict[tuple[str, date], list[Leg | None]]:
        """Per route (unit, date): the road shape and metres of each leg, base -> stops -> base."""
        places: list[Location] = []
        index: dict[Point, int] = {}
        routes: list[tuple[tuple[str, date], list[int]]] = []
        for route in plan.routes:
            base = problem.unit(route.unit_id).base
            seq = [base, *(problem.visit(s.visit_id).location for s in route.stops), base]
            ids = []
            for loc in seq:
                p = _point(loc)
                if p not in index:
                    index[p] = len(places)
                    places.append(loc)
                ids.append(index[p])
            routes.append(((route.unit_id, route.date), ids))
        if not places:
            return {}
        pairs = sorted({(a, b) for _, ids in routes for a, b in itertools.pairwise(ids)})
        legs = self.network().legs([_point(p) for p in places], pairs)
        by_pair = dict(zip(pairs, legs, strict=True))
        return {key: [by_pair[(a, b)] for a, b in itertools.pairwise(ids)] for key, ids in routes}

    def shapes(self, plan: Plan, problem: Problem) -> dict[tuple[str, date], list[list[tuple[float, float]]]]:
        """Road shapes for :func:`planner.mapview.plan_map` (a leg with no road stays straight)."""
        out: dict[tuple[str, date], list[list[tuple[float, float]]]] = {}
        for key, legs in self.route_legs(plan, problem).items():
            out[key] = [list(leg.points) if leg is not None else [] for leg in legs]
        return out
