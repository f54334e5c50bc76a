"""A road network built from an extract: the graph, its matrices and its leg shapes, cached.

:class:`RoadNetwork` ties :mod:`planner.roads.osm` (reading), :mod:`planner.roads.graph`
(graph, snapping, Dijkstra) and :mod:`planner.roads.cache` together. Times here are pure
driving seconds (plus the access metres from a location to its road); the planner's
per-move ``stop_overhead`` and a unit's speed factor are applied by
:class:`planner.roads.travel.RoadTravel`.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from planner.roads import graph as g
from planner.roads.cache import GRAPH_FORMAT, RoadCache, digest
from planner.roads.osm import BBox, read_ways
from planner.roads.profile import SpeedProfile

Point = tuple[str, float, float]
"""A location as (id, lat, lon)."""
StageFn = Callable[[str, float, str], None]
"""Progress: stage name ("read", "graph", "snap", "matrix"), fraction done 0..1, a note."""


@dataclass(frozen=True)
class Unreachable:
    """A pair of locations with no road between them in this direction, and why."""

    from_id: str
    to_id: str
    reason: g.Reason
    message_el: str
    message_en: str


@dataclass(frozen=True)
class RoadMatrix:
    """Driving seconds and metres between ``ids`` (row = from); ``nan`` where unreachable."""

    ids: tuple[str, ...]
    seconds: np.ndarray
    metres: np.ndarray
    snap_m: np.ndarray  # metres from each location to its road (inf: off the network)
    unreachable: tuple[Unreachable, ...]
    from_cache: bool = False
    elapsed: float = 0.0
    max_snap_m: float = 2000.0

    def off_network(self) -> tuple[str, ...]:
        """Ids of the places farther than the snap limit from every road."""
        return tuple(pid for pid, d in zip(self.ids, self.snap_m, strict=True) if not d <= self.max_snap_m)


@dataclass(frozen=True)
class RoadSettings:
    """How locations join the network; part of the matrix cache key."""

    max_snap_m: float = 2000.0
    access_speed_kmh: float = 15.0

    def __post_init__(self) -> None:
        if self.max_snap_m <= 0:
            raise ValueError(f"roads max_snap_m must be positive, got {self.max_snap_m}")
        if self.access_speed_kmh <= 0:
            raise ValueError(f"roads access_speed_kmh must be positive, got {self.access_speed_kmh}")


@dataclass(frozen=True)
class Leg:
    """The road shape of one leg ([lat, lon] points, from the first road point) and its metres."""

    points: tuple[tuple[float, float], ...]
    metres: float
    seconds: float


def _noop(stage: str, fraction: float, note: str) -> None:
    return None


@dataclass
class RoadNetwork:
    """A built road graph with its cache identity; see :meth:`open`."""

    graph: g.RoadGraph
    key: str
    extract: str
    profile: SpeedProfile
    settings: RoadSettings = field(default_factory=RoadSettings)
    cache: RoadCache | None = None
    build_seconds: float = 0.0
    from_cache: bool = False

    @classmethod
    def graph_key(
        cls, extract: str | Path, profile: SpeedProfile, bbox: BBox | None, cache: RoadCache
    ) -> str:
        """The cache key of the graph of ``extract`` under ``profile`` and ``bbox``."""
        return digest("graph", GRAPH_FORMAT, cache.extract_digest(extract), profile.key(), bbox)

    @classmethod
    def open(
        cls,
        extract: str | Path,
        profile: SpeedProfile | None = None,
        settings: RoadSettings | None = None,
        cache: RoadCache | None = None,
        bbox: BBox | None = None,
        progress: StageFn = _noop,
        rebuild: bool = False,
    ) -> RoadNetwork:
        """The network of ``extract``: from the cache when built before, else read and built."""
        profile = profile or SpeedProfile()
        settings = settings or RoadSettings()
        path = Path(extract)
        if not path.is_file():
            raise FileNotFoundError(2, "no such extract", str(path))
        cache = cache or RoadCache()
        key = cls.graph_key(path, profile, bbox, cache)
        t0 = time.perf_counter()
        if not rebuild:
            data = cache.load("graph", key)
            if data is not None:
                progress("graph", 1.0, "από την προσωρινή μνήμη / from the cache")
                net = cls(g.RoadGraph.from_arrays(data), key, str(path), profile, settings, cache)
                net.from_cache = True
                net.build_seconds = time.perf_counter() - t0
                return net
        net = cls.build(path, profile, settings, bbox, progress)
        net.key, net.cache = key, cache
        cache.save("graph", key, net.graph.arrays())
        net.build_seconds = time.perf_counter() - t0
        return net

    @classmethod
    def build(
        cls,
        extract: str | Path,
        profile: SpeedProfile | None = None,
        settings: RoadSettings | None = None,
        bbox: BBox | None = None,
        progress: StageFn = _noop,
    ) -> RoadNetwork:
        """Read ``extract`` and build its graph (no cache)."""
        profile = profile or SpeedProfile()
        t0 = time.perf_counter()
        progress("read", 0.0, str(extract))
        ways = read_ways(extract, profile, bbox, tick=lambda n: progress("read", 0.5, f"{n} ways"))
        progress("read", 1.0, f"{ways.count} δρόμοι / drivable ways, {len(ways.refs)} σημεία / points")
        if ways.count == 0:
            raise ValueError(
                f"το απόσπασμα {extract} δεν έχει κανέναν δρόμο για αυτοκίνητο (highway=*)"
                + (" μέσα στην περιοχή" if bbox else "")
                + f" / the extract {extract} has no drivable road (highway=*) for a car"
                + (" inside the area" if bbox else "")
            )
        progress("graph", 0.0, "")
        graph = g.build_graph(ways, profile)
        graph.components()
        progress("graph", 1.0, f"{graph.nodes} κόμβοι / junctions, {graph.edges} τμήματα / edges")
        net = cls(graph, "", str(extract), profile, settings or RoadSettings())
        net.build_seconds = time.perf_counter() - t0
        return net

    # --- matrices ------------------------------------------------------------------------

    def matrix_key(self, points: Sequence[Point]) -> str:
        """Cache key of the matrix over ``points`` (ids and coordinates, in order)."""
        return matrix_key(self.key, points, self.settings)

    def snap(self, points: Sequence[Point]) -> list[g.Snap]:
        """Where each point joins the roads."""
        return g.snap_points(
            self.graph, [p[0] for p in points], [p[1] for p in points], [p[2] for p in points],
            self.settings.max_snap_m,
        )  # fmt: skip

    def matrix(
        self, points: Sequence[Point], progress: StageFn = _noop, use_cache: bool = True
    ) -> RoadMatrix:
        """Driving seconds and metres between every pair of ``points``, cached by their key."""
        t0 = time.perf_counter()
        key = self.matrix_key(points) if self.key else ""
        if use_cache and key and self.cache is not None:
            data = self.cache.load("matrix", key)
            if data is not None:
                progress("matrix", 1.0, "από την προσωρινή μνήμη / from the cache")
                return _matrix_from_arrays(data, time.perf_counter() - t0)
        progress("snap", 0.0, f"{len(points)} θέσεις / places")
        snaps = self.snap(points)
        far = sum(1 for s in snaps if not s.on_network)
        progress("snap", 1.0, f"{far} εκτός δικτύου / off the network" if far else "")
        aug = g.augment(self.graph, snaps)
        on = np.array([s.on_network for s in snaps], dtype=bool)
        virt = aug.virtual[on]
        n = len(points)
        seconds = np.full((n, n), np.nan)
        metres = np.full((n, n), np.nan)
        idx = np.flatnonzero(on)
        step = 32
        packed = g.packed_weights(aug)
        for lo in range(0, len(idx), step):
            progress("matrix", lo / max(len(idx), 1), f"{lo}/{len(idx)}")
            t, m = g.shortest(aug, virt[lo : lo + step], virt, packed=packed)
            rows = idx[lo : lo + step]
            seconds[np.ix_(rows, idx)] = np.where(np.isfinite(t), t, np.nan)
            metres[np.ix_(rows, idx)] = np.where(np.isfinite(m), m, np.nan)
        snap_m = np.array([s.distance_m for s in snaps])
        access_s = np.where(on, snap_m / (self.settings.access_speed_kmh / 3.6), np.nan)
        seconds = seconds + access_s[:, None] + access_s[None, :]
        metres = metres + np.where(on, snap_m, np.nan)[:, None] + np.where(on, snap_m, np.nan)[None, :]
        np.fill_diagonal(seconds, 0.0)
        np.fill_diagonal(metres, 0.0)
        unreachable = self._explain(points, snaps, seconds)
        progress("matrix", 1.0, f"{n}x{n}")
        result = RoadMatrix(
            tuple(p[0] for p in points), seconds, metres, snap_m, unreachable,
            elapsed=time.perf_counter() - t0, max_snap_m=self.settings.max_snap_m,
        )  # fmt: skip
        if key and self.cache is not None:
            self.cache.save("matrix", key, _matrix_arrays(result))
        return result

    def _explain(
        self, points: Sequence[Point], snaps: Sequence[g.Snap], seconds: np.ndarray
    ) -> tuple[Unreachable, ...]:
        _, weak, _ = self.graph.components()
        texts = {r: unreachable_pair("", "", r, self.settings.max_snap_m) for r in REASONS}
        out: list[Unreachable] = []
        for i, j in zip(*np.nonzero(np.isnan(seconds)), strict=True):
            si, sj = snaps[i], snaps[j]
            reason: g.Reason
            if not (si.on_network and sj.on_network):
                reason = "off_network"
            elif weak[self.graph.edge_u[si.edge]] != weak[self.graph.edge_u[sj.edge]]:
                reason = "separate_networks"
            else:
                reason = "one_way"
            t = texts[reason]
            out.append(Unreachable(points[i][0], points[j][0], reason, t.message_el, t.message_en))
        return tuple(out)

    # --- shapes --------------------------------------------------------------------------

    def legs(self, points: Sequence[Point], pairs: Sequence[tuple[int, int]]) -> list[Leg | None]:
        """The road shape of each (from, to) pair of indices into ``points``; None if no road."""
        from scipy.sparse.csgraph import dijkstra

        snaps = self.snap(points)
        aug = g.augment(self.graph, snaps)
        out: list[Leg | None] = [None] * len(pairs)
        sources = sorted({i for i, _ in pairs if snaps[i].on_network})
        if not sources:
            return out
        # the same packed weights as the matrix, so a leg is the path the matrix measured
        dist, pred = dijkstra(
            g.packed_weights(aug), directed=True, indices=aug.virtual[sources], return_predecessors=True
        )
        dist, pred = np.atleast_2d(dist), np.atleast_2d(pred)
        row_of = {s: r for r, s in enumerate(sources)}
        for k, (i, j) in enumerate(pairs):
            if i == j:
                out[k] = Leg(((snaps[i].lat, snaps[i].lon),), 0.0, 0.0)
                continue
            if i not in row_of or not snaps[j].on_network:
                continue
            r = row_of[i]
            src, dst = int(aug.virtual[i]), int(aug.virtual[j])
            nodes = g.path_nodes(pred[r], src, dst)
            if nodes is None:
                continue
            pts: list[tuple[float, float]] = []
            metres = 0.0
            for x, y in itertools.pairwise(nodes):
                a = int(np.searchsorted(aug.keys, x * aug.size + y))
                piece = g.cut_shape(self.graph, int(aug.edge[a]), float(aug.o1[a]), float(aug.o2[a]))
                pts.extend(piece[1:] if pts else piece)
                metres += float(aug.length[a])
            seconds = float(np.floor(dist[r, dst] / g.LENGTH_BITS)) / 1000.0
            out[k] = Leg(tuple(pts), metres + snaps[i].distance_m + snaps[j].distance_m, seconds)
        return out

    def summary(self) -> dict[str, object]:
        """Sizes of the graph, for reports."""
        strong, _, main = self.graph.components()
        return {
            "extract": self.extract,
            "osm_nodes": self.graph.osm_nodes,
            "junctions": self.graph.nodes,
            "edges": self.graph.edges,
            "road_km": round(float(self.graph.edge_len.sum()) / 1000, 1),
            "main_network_share": round(float(np.mean(strong == main)), 4) if self.graph.nodes else 0.0,
            "key": self.key,
        }


def matrix_key(graph_key: str, points: Sequence[Point], settings: RoadSettings) -> str:
    """Cache key of a matrix: the graph, every point (id, lat, lon, in order), the snap settings."""
    pts = [(pid, round(lat, 7), round(lon, 7)) for pid, lat, lon in points]
    return digest("matrix", graph_key, pts, settings.max_snap_m, settings.access_speed_kmh)


def load_cached_matrix(cache: RoadCache, key: str) -> RoadMatrix | None:
    """A cached matrix by key, without loading the graph."""
    t0 = time.perf_counter()
    data = cache.load("matrix", key)
    return None if data is None else _matrix_from_arrays(data, time.perf_counter() - t0)


REASONS: tuple[g.Reason, ...] = ("off_network", "separate_networks", "one_way")


def _matrix_arrays(m: RoadMatrix) -> dict[str, np.ndarray]:
    index = {pid: k for k, pid in enumerate(m.ids)}
    return {
        "ids": np.array(json.dumps(list(m.ids))),
        "seconds": m.seconds,
        "metres": m.metres,
        "snap_m": m.snap_m,
        "max_snap_m": np.array(m.max_snap_m),
        "unr_from": np.array([index[u.from_id] for u in m.unreachable], dtype=np.int32),
        "unr_to": np.array([index[u.to_id] for u in m.unreachable], dtype=np.int32),
        "unr_reason": np.array([REASONS.index(u.reason) for u in m.unreachable], dtype=np.int8),
    }


def unreachable_pair(from_id: str, to_id: str, reason: g.Reason, max_snap_m: float) -> Unreachable:
    """An :class:`Unreachable` with its sentences."""
    el, en = g.REASON_TEXT[reason]
    km = max_snap_m / 1000
    return Unreachable(from_id, to_id, reason, el.format(max_km=km), en.format(max_km=km))


def _matrix_from_arrays(data: dict[str, np.ndarray], elapsed: float) -> RoadMatrix:
    ids = tuple(json.loads(str(data["ids"])))
    max_snap = float(data["max_snap_m"])
    texts = {r: unreachable_pair("", "", r, max_snap) for r in REASONS}
    pairs = tuple(
        Unreachable(ids[a], ids[b], REASONS[r], texts[REASONS[r]].message_el, texts[REASONS[r]].message_en)
        for a, b, r in zip(
            data["unr_from"].tolist(), data["unr_to"].tolist(), data["unr_reason"].tolist(), strict=True
        )
    )
    return RoadMatrix(
        ids,
        np.asarray(data["seconds"], dtype=np.float64),
        np.asarray(data["metres"], dtype=np.float64),
        np.asarray(data["snap_m"], dtype=np.float64),
        pairs,
        from_cache=True,
        elapsed=elapsed,
        max_snap_m=max_snap,
    )
