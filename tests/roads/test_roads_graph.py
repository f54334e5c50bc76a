"""The road graph, snapping and shortest paths on a hand-drawn extract and on real Helsinki data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from roadfix import NODES, hav

from planner.roads.network import RoadNetwork, RoadSettings

A, B, C, E, H = NODES[1], NODES[2], NODES[3], NODES[4], NODES[5]
KMH = 1 / 3.6


@pytest.fixture(scope="module")
def tiny(tiny_extract: Path) -> RoadNetwork:
    return RoadNetwork.build(tiny_extract)


def test_fastest_path_matches_a_hand_computed_one(tiny: RoadNetwork) -> None:
    """A house just off the residential road goes back to A and takes the faster primary to C."""
    house = (38.0001, 22.005)
    on_road = (38.0, 22.005)
    access = hav(house, on_road)
    back_to_a = hav(on_road, A)
    primary = hav(A, B) + hav(B, C)
    expect_s = access / (15 * KMH) + back_to_a / (25 * KMH) + primary / (65 * KMH)
    expect_m = access + back_to_a + primary
    m = tiny.matrix([("house", *house), ("c", *C)])
    assert m.seconds[0, 1] == pytest.approx(expect_s, rel=2e-3)
    assert m.metres[0, 1] == pytest.approx(expect_m, rel=2e-3)
    # the metres are those of the fastest path, not the shortest road (straight on, 3.1 km)
    assert m.metres[0, 1] > hav(on_road, C) + 1000


def test_two_places_on_one_street_are_one_street_apart(tiny: RoadNetwork) -> None:
    """Two snapped points on the same edge are joined along it, not via its ends."""
    p, q = (38.0, 22.025), (38.0, 22.035)
    m = tiny.matrix([("p", *p), ("q", *q)])
    assert m.metres[0, 1] == pytest.approx(hav(p, q), rel=1e-3)
    assert m.seconds[1, 0] == pytest.approx(hav(p, q) / (25 * KMH), rel=1e-3)


def test_unreachable_pairs_are_named_with_their_reason(tiny: RoadNetwork) -> None:
    """One-way spur, separate road and a place far from every road: listed, never infinite."""
    pts = [("c", *C), ("spur", *H), ("island", 37.91, 22.005), ("sea", 39.0, 22.0)]
    m = tiny.matrix(pts)
    reasons = {(u.from_id, u.to_id): u.reason for u in m.unreachable}
    assert reasons[("c", "spur")] == "one_way"
    assert ("spur", "c") not in reasons  # the spur leads out
    assert m.seconds[1, 0] == pytest.approx(hav(H, C) / (25 * KMH), rel=1e-3)
    assert reasons[("c", "island")] == "separate_networks"
    assert reasons[("island", "c")] == "separate_networks"
    assert all(reasons[("sea", x)] == "off_network" for x in ("c", "spur", "island"))
    assert np.isnan(m.seconds).sum() == len(m.unreachable)
    assert not np.isinf(m.seconds).any()
    assert all(u.message_el and u.message_en for u in m.unreachable)


def test_footways_are_not_driven(tiny: RoadNetwork) -> None:
    """The footway A-E adds no road: the graph has the primary, residential, spur and island."""
    assert tiny.graph.edges == 4
    expected = hav(A, B) + hav(B, C) + hav(A, E) + hav(E, C) + hav(H, C) + hav(NODES[6], NODES[7])
    assert tiny.graph.edge_len.sum() == pytest.approx(expected, rel=1e-6)


def test_leg_shape_follows_the_road(tiny: RoadNetwork) -> None:
    """The shape of the fastest leg passes through B and its metres match the matrix."""
    pts = [("house", 38.0001, 22.005), ("c", *C)]
    (leg,) = tiny.legs(pts, [(0, 1)])
    assert leg is not None
    assert any(abs(la - B[0]) < 1e-9 and abs(lo - B[1]) < 1e-9 for la, lo in leg.points)
    assert leg.points[0] == pytest.approx((38.0, 22.005), abs=1e-7)
    assert leg.points[-1] == pytest.approx(C, abs=1e-9)
    m = tiny.matrix(pts)
    assert leg.metres == pytest.approx(m.metres[0, 1], abs=0.5)  # the matrix rounds each arc to 5 cm
    assert tiny.legs([("c", *C), ("spur", *H)], [(0, 1)]) == [None]


@pytest.fixture(scope="module")
def helsinki_net(helsinki: Path) -> RoadNetwork:
    return RoadNetwork.build(helsinki, settings=RoadSettings(max_snap_m=300))


def _random_points(net: RoadNetwork, n: int, seed: int) -> list[tuple[str, float, float]]:
    rng = np.random.default_rng(seed)
    lat, lon = net.graph.node_lat, net.graph.node_lon
    la = rng.uniform(np.percentile(lat, 10), np.percentile(lat, 90), n)
    lo = rng.uniform(np.percentile(lon, 10), np.percentile(lon, 90), n)
    return [(f"p{i}", float(a), float(b)) for i, (a, b) in enumerate(zip(la, lo, strict=True))]


def test_helsinki_graph_is_read_from_the_real_extract(helsinki_net: RoadNetwork) -> None:
    """The packaged Helsinki extract yields a connected city road network of plausible size."""
    s = helsinki_net.summary()
    assert 500 < int(str(s["junctions"])) < 5000
    assert 10 < float(str(s["road_km"])) < 100
    assert float(str(s["main_network_share"])) > 0.8
    assert helsinki_net.graph.edge_fwd.sum() > helsinki_net.graph.edge_bwd.sum()  # one-way streets


def test_helsinki_times_obey_the_triangle_inequality(helsinki_net: RoadNetwork) -> None:
    """Fastest times: t(i,k) <= t(i,j) + t(j,k) for every triple of 40 random places."""
    m = helsinki_net.matrix(_random_points(helsinki_net, 40, seed=3))
    t = m.seconds
    ok = np.isfinite(t)
    assert ok.mean() > 0.9
    via = t[:, :, None] + t[None, :, :]  # i -> j -> k
    direct = t[:, None, :]
    bad = np.isfinite(via) & np.isfinite(direct) & (direct > via + 1e-6)
    assert not bad.any()
    finite = np.isfinite(t) & ~np.eye(len(t), dtype=bool)
    assert (m.metres[finite] > 0).all()


def test_helsinki_times_are_roughly_symmetric(helsinki_net: RoadNetwork) -> None:
    """One-way streets make there and back differ, but not by much in a city centre."""
    m = helsinki_net.matrix(_random_points(helsinki_net, 30, seed=5))
    i, j = np.triu_indices(len(m.ids), 1)
    ratio = m.seconds[i, j] / m.seconds[j, i]
    ratio = ratio[np.isfinite(ratio)]
    assert len(ratio) > 300
    assert 0.85 < float(np.median(ratio)) < 1.15
    assert float(np.mean((ratio > 0.5) & (ratio < 2.0))) > 0.9
    assert float(np.mean(np.abs(ratio - 1) > 1e-9)) > 0.1  # one-way streets do show


def test_helsinki_road_is_longer_than_the_straight_line(helsinki_net: RoadNetwork) -> None:
    """Every road distance is at least the great-circle distance, and a city's circuity is 1.1-2."""
    pts = _random_points(helsinki_net, 30, seed=7)
    m = helsinki_net.matrix(pts)
    i, j = np.nonzero(np.isfinite(m.metres) & ~np.eye(len(pts), dtype=bool))
    straight = np.array([hav(pts[a][1:], pts[b][1:]) for a, b in zip(i, j, strict=True)])
    assert (m.metres[i, j] >= straight - 1e-6).all()
    far = straight > 500
    assert 1.1 < float(np.median(m.metres[i, j][far] / straight[far])) < 2.0


def test_bbox_keeps_only_the_roads_inside(tiny_extract: Path) -> None:
    """A box north of 37.95 drops the separate road 10 km south; a box through a road cuts it."""
    north = RoadNetwork.build(tiny_extract, bbox=(37.95, 21.9, 38.1, 22.1))
    assert north.graph.edges == 3
    west = RoadNetwork.build(tiny_extract, bbox=(37.95, 21.9, 38.1, 22.03))
    # only A-B (B is at 22.02) and A-E of the two A-C roads are left
    assert west.graph.edge_len.sum() == pytest.approx(hav(A, B) + hav(A, E), rel=1e-6)


def test_places_are_not_snapped_to_a_motorway(tmp_path: Path) -> None:
    """A house 11 m from a motorway and 44 m from a street joins the street."""
    from roadfix import write_extract

    nodes = {1: (38.0, 22.0), 2: (38.0, 22.01), 3: (38.0005, 22.0), 4: (38.0005, 22.01)}
    ways = [(1, (1, 2), {"highway": "residential"}), (2, (3, 4), {"highway": "motorway"})]
    net = RoadNetwork.build(write_extract(tmp_path / "m.osm.pbf", nodes, ways))
    (snap,) = net.snap([("house", 38.0004, 22.005)])
    assert snap.distance_m == pytest.approx(hav((38.0004, 22.005), (38.0, 22.005)), rel=1e-3)
    assert snap.lat == pytest.approx(38.0, abs=1e-9)
