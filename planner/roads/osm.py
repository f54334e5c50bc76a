"""Read the drivable ways of an OpenStreetMap extract (``.osm.pbf``) with pyosmium.

The reader keeps, for every way a van may drive (see :mod:`planner.roads.profile`), its node
ids and coordinates in order, its speed and its directions, as flat numpy arrays: the graph
builder (:mod:`planner.roads.graph`) works on those without any per-node Python object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner.roads.profile import NO_SNAP_CLASSES, SpeedProfile

BBox = tuple[float, float, float, float]
"""(min_lat, min_lon, max_lat, max_lon) in degrees."""


@dataclass(frozen=True)
class Ways:
    """Drivable ways as flat arrays: way ``k`` is positions ``start[k]:start[k + 1]``."""

    refs: np.ndarray  # int64 OSM node id per position
    lat: np.ndarray  # float64 degrees per position
    lon: np.ndarray
    start: np.ndarray  # int64, len = ways + 1
    speed_kmh: np.ndarray  # float64 per way, before the winding factor
    forward: np.ndarray  # bool per way: drivable from first node to last
    backward: np.ndarray  # bool per way: drivable from last to first
    snappable: np.ndarray  # bool per way: a location may be snapped to it
    way_ids: np.ndarray  # int64 OSM way id per way

    @property
    def count(self) -> int:
        """Number of ways."""
        return len(self.start) - 1


def read_ways(
    path: str | Path,
    profile: SpeedProfile,
    bbox: BBox | None = None,
    tick: Callable[[int], None] | None = None,
) -> Ways:
    """The drivable ways of ``path``; with ``bbox``, only the nodes inside it (ways are cut).

    ``tick(n)`` is called now and then with the number of ways read so far.
    Raises ``ValueError`` when the file is not a readable OSM file.
    """
    import osmium  # the optional 'roads' extra

    refs: list[int] = []
    lats: list[float] = []
    lons: list[float] = []
    start = [0]
    speed: list[float] = []
    fwd: list[bool] = []
    bwd: list[bool] = []
    snap: list[bool] = []
    wids: list[int] = []
    seen = 0
    try:
        fp = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in fp:
            if not isinstance(way, osmium.osm.Way):
                continue
            seen += 1
            if tick is not None and seen % 5000 == 0:
                tick(seen)
            rule = profile.way_rule(way.tags)  # type: ignore[arg-type]
            if rule is None:
                continue
            pieces: list[list[tuple[int, float, float]]] = [[]]
            for n in way.nodes:
                if not n.location.valid():  # a node missing from a clipped extract
                    pieces.append([])
                    continue
                la, lo = n.location.lat, n.location.lon
                if bbox is not None and not (bbox[0] <= la <= bbox[2] and bbox[1] <= lo <= bbox[3]):
                    pieces.append([])
                    continue
                pieces[-1].append((n.ref, la, lo))
            for piece in pieces:
                if len(piece) < 2:
                    continue
                for ref, la, lo in piece:
                    refs.append(ref)
                    lats.append(la)
                    lons.append(lo)
                start.append(len(refs))
                speed.append(rule.speed_kmh)
                fwd.append(rule.forward)
                bwd.append(rule.backward)
                snap.append(rule.highway not in NO_SNAP_CLASSES)
                wids.append(way.id)
    except RuntimeError as exc:  # osmium reports unreadable files this way
        raise ValueError(
            f"δεν διαβάζεται το απόσπασμα OSM {path} (χαλασμένο ή κομμένο αρχείο; κατεβάστε το ξανά) "
            f"/ cannot read the OSM extract {path} (a damaged or cut-short file? download it again): {exc}"
        ) from exc
    if tick is not None:
        tick(seen)
    return Ways(
        refs=np.asarray(refs, dtype=np.int64),
        lat=np.asarray(lats, dtype=np.float64),
        lon=np.asarray(lons, dtype=np.float64),
        start=np.asarray(start, dtype=np.int64),
        speed_kmh=np.asarray(speed, dtype=np.float64),
        forward=np.asarray(fwd, dtype=bool),
        backward=np.asarray(bwd, dtype=bool),
        snappable=np.asarray(snap, dtype=bool),
        way_ids=np.asarray(wids, dtype=np.int64),
    )
