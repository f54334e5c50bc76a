"""Fit the embedded estimate (:class:`planner.travel.EstimateTravel`) to a road matrix.

The estimate says: road metres = straight line x the mean circuity of a leg's two ends, and
driving time = road metres x the mean pace (1 / speed) of its two ends, by ELSTAT terrain.
Both are linear in their parameters, so each fit is a least-squares solve on *relative*
errors (a 10 % miss on a 2 km hop weighs as much as on a 30 km drive): first the circuity
per terrain on road metres, then the speed per terrain on road seconds given those
circuities. Pairs closer than ``min_km`` in a straight line are left out (a few hundred
metres of town streets say nothing about the terrain), and so are unreachable pairs.

The report gives the median and 90th percentile of the absolute relative error of the
estimate's driving time and distance before (the current parameters) and after, on all
pairs, and also "held out": parameters fitted on half the pairs (a seeded split) and
measured on the other half, which is the honest figure for places not in the fit.
Stop overhead is not part of the comparison (both sides are pure driving).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from planner.model import TERRAINS, Location, Terrain
from planner.roads.network import RoadMatrix
from planner.travel import DEFAULT_TERRAIN, EstimateTravel, TerrainSpeed, haversine_km


@dataclass(frozen=True)
class ErrorStats:
    """Median and 90th percentile of |estimate / road - 1| for time and distance."""

    pairs: int
    time_median: float
    time_p90: float
    dist_median: float
    dist_p90: float


@dataclass(frozen=True)
class Calibration:
    """Fitted terrain parameters and the estimate's error before and after."""

    terrain: Mapping[Terrain, TerrainSpeed]
    before: ErrorStats
    after: ErrorStats
    held_out_before: ErrorStats
    held_out_after: ErrorStats
    counts: Mapping[Terrain, int]


def _stats(est_s: np.ndarray, est_m: np.ndarray, road_s: np.ndarray, road_m: np.ndarray) -> ErrorStats:
    et = np.abs(est_s / road_s - 1)
    ed = np.abs(est_m / road_m - 1)
    if len(et) == 0:
        return ErrorStats(0, float("nan"), float("nan"), float("nan"), float("nan"))
    return ErrorStats(
        len(et),
        float(np.median(et)), float(np.percentile(et, 90)),
        float(np.median(ed)), float(np.percentile(ed, 90)),
    )  # fmt: skip


def _predict(
    km: np.ndarray, ti: np.ndarray, tj: np.ndarray, terrain: Mapping[Terrain, TerrainSpeed]
) -> tuple[np.ndarray, np.ndarray]:
    circ = np.array([terrain[t].circuity for t in TERRAINS])
    pace = np.array([1.0 / terrain[t].speed_kmh for t in TERRAINS])
    road_km = km * (circ[ti] + circ[tj]) / 2
    return road_km * (pace[ti] + pace[tj]) / 2 * 3600, road_km * 1000


def _fit(
    km: np.ndarray, ti: np.ndarray, tj: np.ndarray, road_s: np.ndarray, road_m: np.ndarray,
    start: Mapping[Terrain, TerrainSpeed],
) -> dict[Terrain, TerrainSpeed]:  # fmt: skip
    k = len(TERRAINS)
    present = np.zeros(k, dtype=bool)
    present[ti] = True
    present[tj] = True
    rows = np.arange(len(km))
    a = np.zeros((len(km), k))
    np.add.at(a, (rows, ti), km * 1000 / (2 * road_m))
    np.add.at(a, (rows, tj), km * 1000 / (2 * road_m))
    circ = np.array([start[t].circuity for t in TERRAINS])
    if present.any():
        circ[present] = np.linalg.lstsq(a[:, present], np.ones(len(km)), rcond=None)[0]
    road_km = km * (circ[ti] + circ[tj]) / 2
    b = np.zeros((len(km), k))
    np.add.at(b, (rows, ti), road_km * 3600 / (2 * road_s))
    np.add.at(b, (rows, tj), road_km * 3600 / (2 * road_s))
    pace = np.array([1.0 / start[t].speed_kmh for t in TERRAINS])
    if present.any():
        pace[present] = np.linalg.lstsq(b[:, present], np.ones(len(km)), rcond=None)[0]
    out: dict[Terrain, TerrainSpeed] = {}
    for i, t in enumerate(TERRAINS):
        ok = present[i] and circ[i] > 0 and pace[i] > 0
        out[t] = TerrainSpeed(round(float(circ[i]), 3), round(float(1 / pace[i]), 1)) if ok else start[t]
    return out


def calibrate(
    locations: Sequence[Location],
    road: RoadMatrix,
    start: Mapping[Terrain, TerrainSpeed] = DEFAULT_TERRAIN,
    min_km: float = 1.0,
    seed: int = 1,
) -> Calibration:
    """Fit circuity and speed per terrain to ``road`` (over ``locations``, same order)."""
    if tuple(loc.id for loc in locations) != road.ids:
        raise ValueError("calibrate: the locations are not those of the road matrix")
    lat = np.array([loc.lat for loc in locations])
    lon = np.array([loc.lon for loc in locations])
    terr = np.array([TERRAINS.index(loc.terrain) for loc in locations])
    km = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    i, j = np.nonzero(
        (km >= min_km) & np.isfinite(road.seconds) & np.isfinite(road.metres) & (road.seconds > 0)
    )
    if len(i) < 3:
        raise ValueError(f"calibrate: only {len(i)} usable pairs (reachable, at least {min_km:g} km apart)")
    pkm, ti, tj = km[i, j], terr[i], terr[j]
    rs, rm = road.seconds[i, j], road.metres[i, j]
    base_s, base_m = _predict(pkm, ti, tj, start)
    fitted = _fit(pkm, ti, tj, rs, rm, start)
    new_s, new_m = _predict(pkm, ti, tj, fitted)
    rng = np.random.default_rng(seed)
    fold = rng.random(len(pkm)) < 0.5
    half = _fit(pkm[fold], ti[fold], tj[fold], rs[fold], rm[fold], start)
    test = ~fold
    hs, hm = _predict(pkm[test], ti[test], tj[test], half)
    counts = {t: int(np.sum(terr == n)) for n, t in enumerate(TERRAINS)}
    # sanity: the estimate's own matrix agrees with _predict (same formula, no overhead)
    check = EstimateTravel(terrain=dict(start), stop_overhead=0).matrix(list(locations))
    if len(i) and abs(int(check.distances[i[0], j[0]]) - round(float(base_m[0]))) > 1:
        raise AssertionError("calibrate: the estimate's formula changed; update planner.roads.calibrate")
    return Calibration(
        fitted,
        _stats(base_s, base_m, rs, rm),
        _stats(new_s, new_m, rs, rm),
        _stats(base_s[test], base_m[test], rs[test], rm[test]),
        _stats(hs, hm, rs[test], rm[test]),
        counts,
    )
