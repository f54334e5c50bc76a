"""Helpers for the road tests: a hand-drawn extract and an independent haversine."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

R = 6_371_008.8

# The tiny extract, by hand (lat 38.00, 0.01 deg of lon is about 876 m):
#
#   B (38.01, 22.02)              primary A-B-C (65 km/h), a detour north: fast
#  /  \
# A----E----C----H               residential A-E-C (25 km/h), straight: short
# (22.00) (22.02) (22.04)        H -> C one-way (a spur that only leads out)
#
# I-J: a separate residential road 10 km south, joined to nothing.
NODES: Mapping[int, tuple[float, float]] = {
    1: (38.00, 22.00),  # A
    2: (38.01, 22.02),  # B
    3: (38.00, 22.04),  # C
    4: (38.00, 22.02),  # E
    5: (38.00, 22.08),  # H
    6: (37.91, 22.00),  # I
    7: (37.91, 22.01),  # J
}
WAYS: Sequence[tuple[int, Sequence[int], Mapping[str, str]]] = (
    (100, (1, 2, 3), {"highway": "primary"}),
    (101, (1, 4, 3), {"highway": "residential"}),
    (102, (5, 3), {"highway": "residential", "oneway": "yes"}),
    (103, (6, 7), {"highway": "residential"}),
    (104, (1, 4), {"highway": "footway"}),  # not for cars
)


def hav(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle metres, written out independently of the code under test."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(h))


def write_extract(
    path: Path,
    nodes: Mapping[int, tuple[float, float]],
    ways: Sequence[tuple[int, Sequence[int], Mapping[str, str]]],
) -> Path:
    """Write an .osm.pbf with pyosmium."""
    import osmium

    path.unlink(missing_ok=True)  # the writer refuses to overwrite
    writer = osmium.SimpleWriter(str(path))
    try:
        for nid, (lat, lon) in sorted(nodes.items()):
            writer.add_node(
                osmium.osm.mutable.Node(id=nid, location=osmium.osm.Location(lon, lat), version=1)
            )
        for wid, refs, tags in ways:
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=list(refs), tags=dict(tags), version=1))
    finally:
        writer.close()
    return path
