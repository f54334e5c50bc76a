"""The speed profile: OSRM's speeds, maxspeed, surface, access, one-way, winding."""

from __future__ import annotations

import pytest

from planner.roads.profile import SpeedProfile, parse_maxspeed


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("50", 50.0),
        ("30 mph", 30 * 1.609344),
        ("GR:urban", 50.0),
        ("GR:rural", 90.0),
        ("signals", None),
        ("", None),
    ],
)
def test_maxspeed_values(value: str, kmh: float | None) -> None:
    """Numbers, miles per hour and Greek zone names; unknown words are ignored."""
    assert parse_maxspeed(value) == (pytest.approx(kmh) if kmh is not None else None)


def test_way_rules() -> None:
    """Class speed, 0.8 x maxspeed, surface caps, access and one-way rules."""
    p = SpeedProfile()
    assert p.way_rule({"highway": "secondary"}).speed_kmh == 55.0  # type: ignore[union-attr]
    assert p.way_rule({"highway": "secondary", "maxspeed": "70"}).speed_kmh == pytest.approx(56.0)  # type: ignore[union-attr]
    assert p.way_rule({"highway": "tertiary", "surface": "gravel", "maxspeed": "90"}).speed_kmh == 40.0  # type: ignore[union-attr]
    assert p.way_rule({"highway": "track"}) is None
    assert p.way_rule({"highway": "residential", "access": "no"}) is None
    assert p.way_rule({"highway": "residential", "access": "no", "motor_vehicle": "yes"}) is not None
    assert p.way_rule({"highway": "service", "access": "private"}) is not None
    one = p.way_rule({"highway": "primary", "junction": "roundabout"})
    assert one is not None and one.forward and not one.backward
    rev = p.way_rule({"highway": "primary", "oneway": "-1"})
    assert rev is not None and rev.backward and not rev.forward


def test_winding_factor_and_configuration() -> None:
    """Thresholds pick the factor; a TOML table updates speeds and rejects unknown keys."""
    p = SpeedProfile()
    assert p.winding_factor(100) == 1.0
    assert p.winding_factor(300) == 0.85
    assert p.winding_factor(900) == 0.70
    q = SpeedProfile.from_mapping({"speeds": {"track": 15}, "winding": [[200, 0.5]]})
    assert q.way_rule({"highway": "track"}).speed_kmh == 15.0  # type: ignore[union-attr]
    assert q.winding_factor(250) == 0.5 and q.key() != p.key()
    with pytest.raises(ValueError, match="unknown"):
        SpeedProfile.from_mapping({"speed": {}})


def test_winding_roads_take_longer(tmp_path: object) -> None:
    """A zig-zag (about 150 deg every 230 m, over 600 deg/km) is driven at 0.70 of the straight pace."""
    from pathlib import Path

    from roadfix import write_extract

    from planner.roads.network import RoadNetwork

    assert isinstance(tmp_path, Path)
    nodes = {1: (38.0, 22.0), 2: (38.0, 22.05)}
    zig = {10 + k: (38.0 + (0.001 if k % 2 else -0.001), 22.0 + 0.05 * k / 80) for k in range(1, 80)}
    nodes.update(zig)
    ways = [(1, (1, 2), {"highway": "tertiary"}), (2, (1, *sorted(zig), 2), {"highway": "tertiary"})]
    net = RoadNetwork.build(write_extract(tmp_path / "zig.osm.pbf", nodes, ways))
    straight, winding = sorted(range(2), key=lambda e: net.graph.edge_len[e])
    pace = net.graph.edge_time / net.graph.edge_len
    assert pace[winding] == pytest.approx(pace[straight] / 0.70)
