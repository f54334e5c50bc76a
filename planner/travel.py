"""Travel time and distance between locations, behind one small interface.

The embedded default, :class:`EstimateTravel`, needs no server: the great-circle distance
between two points times a *circuity* factor (road length / straight line) divided by an
average speed, both chosen by terrain. A leg's parameters are the mean of its two ends'
(a drive from the plain into the mountains is partly both).

Default parameters and what they rest on (estimates, not measurements of Aigialeia's roads):

=================  =========  ===========  ==========================================
ELSTAT terrain     circuity   speed km/h   reasoning
=================  =========  ===========  ==========================================
plain              1.30       50           national road circuity in Europe is about
                                           1.2-1.4 (Ballou, Rahardja & Sakai 2002,
                                           Transportation Research A 36(9)); coastal
                                           towns, national road and town streets
semi_mountainous   1.45       40           foothill roads
mountainous        1.60       32           winding mountain roads: rural mountain
                                           circuity in Europe is often 1.4-1.7;
                                           hairpins keep vans near 30 km/h
=================  =========  ===========  ==========================================

Expected error: for one leg, easily +-30 % against a real road network (a single ridge or
gorge can double a straight line); over a day's route the errors partly cancel. Every move
between two different places also costs ``stop_overhead`` seconds (parking, finding the
house), so two houses that share a settlement point are not zero minutes apart. The road
network model (OpenStreetMap) comes behind the same interface and can calibrate these.

Distances use the haversine formula on the mean earth radius that geopy uses; against
geopy's WGS-84 geodesic this differs by well under 0.5 % at these latitudes, far less than
the circuity error, and it vectorises over the whole matrix at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from geopy.distance import EARTH_RADIUS  # mean earth radius in km, as geopy uses it

from planner.model import Location, Terrain, Unit


@dataclass(frozen=True)
class TravelMatrix:
    """Durations (seconds) and distances (metres) between ``ids``, row = from, col = to."""

    ids: tuple[str, ...]
    durations: np.ndarray
    distances: np.ndarray

    def index(self) -> dict[str, int]:
        """Location id -> row/column number."""
        return {lid: i for i, lid in enumerate(self.ids)}


class TravelModel(Protocol):
    """Anything that can give a travel matrix for some locations and a unit."""

    @property
    def name(self) -> str:
        """A short name of the model, shown in plans ("estimate", "matrix", "roads")."""
        ...

    def matrix(self, locations: Sequence[Location], unit: Unit | None = None) -> TravelMatrix:
        """Travel durations and distances between every pair of ``locations``."""
        ...


@dataclass(frozen=True)
class TerrainSpeed:
    """Circuity factor and average speed for one terrain class."""

    circuity: float
    speed_kmh: float


DEFAULT_TERRAIN: Mapping[Terrain, TerrainSpeed] = {
    "plain": TerrainSpeed(1.30, 50.0),
    "semi_mountainous": TerrainSpeed(1.45, 40.0),
    "mountainous": TerrainSpeed(1.60, 32.0),
}


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km, vectorised (broadcasting) over numpy arrays of degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    out: np.ndarray = 2 * EARTH_RADIUS * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


@dataclass(frozen=True)
class EstimateTravel:
    """Embedded estimate: straight line x circuity / speed, by terrain (see module doc)."""

    terrain: Mapping[Terrain, TerrainSpeed] = field(default_factory=lambda: dict(DEFAULT_TERRAIN))
    stop_overhead: int = 120
    name: str = "estimate"

    def matrix(self, locations: Sequence[Location], unit: Unit | None = None) -> TravelMatrix:
        """The estimated matrix; ``unit.speed_factor`` scales the speeds."""
        lat = np.array([loc.lat for loc in locations], dtype=float)
        lon = np.array([loc.lon for loc in locations], dtype=float)
        km = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        circ = np.array([self.terrain[loc.terrain].circuity for loc in locations])
        pace = np.array([1.0 / self.terrain[loc.terrain].speed_kmh for loc in locations])
        road_km = km * (circ[:, None] + circ[None, :]) / 2
        hours = road_km * (pace[:, None] + pace[None, :]) / 2
        factor = unit.speed_factor if unit is not None else 1.0
        ids = tuple(loc.id for loc in locations)
        same = np.array([[a == b for b in ids] for a in ids], dtype=bool)
        durations = np.rint(hours * 3600 / factor).astype(np.int64) + np.where(same, 0, self.stop_overhead)
        distances = np.rint(road_km * 1000).astype(np.int64)
        np.fill_diagonal(durations, 0)
        np.fill_diagonal(distances, 0)
        return TravelMatrix(ids, durations, distances)


@dataclass(frozen=True)
class MatrixTravel:
    """A travel model given as explicit matrices over location ids (benchmarks, road data)."""

    ids: tuple[str, ...]
    durations: tuple[tuple[int, ...], ...]
    distances: tuple[tuple[int, ...], ...]
    name: str = "matrix"

    def matrix(self, locations: Sequence[Location], unit: Unit | None = None) -> TravelMatrix:
        """The sub-matrix for ``locations`` (scaled by the unit's speed factor)."""
        pos = {lid: i for i, lid in enumerate(self.ids)}
        missing = [loc.id for loc in locations if loc.id not in pos]
        if missing:
            raise ValueError(f"travel matrix has no row for location(s) {', '.join(missing[:5])}")
        idx = np.array([pos[loc.id] for loc in locations], dtype=np.int64)
        dur = np.asarray(self.durations, dtype=np.int64)[np.ix_(idx, idx)]
        dist = np.asarray(self.distances, dtype=np.int64)[np.ix_(idx, idx)]
        if unit is not None and unit.speed_factor != 1.0:
            dur = np.rint(dur / unit.speed_factor).astype(np.int64)
        return TravelMatrix(tuple(loc.id for loc in locations), dur, dist)


def travel_model_of(travel: TravelModel | None) -> TravelModel:
    """The problem's travel model, or the embedded estimate when it names none."""
    return travel if travel is not None else EstimateTravel()
