"""Routing servers behind the same interface: an OSRM client against a local fake OSRM.

The OSRM bundled in osrm-bindings is tested in test_roads_osrm_bundled.py.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from roadfix import NODES

from planner.model import Location
from planner.roads.network import RoadNetwork
from planner.roads.osrm import OsrmTravel, RoutingServerError
from planner.roads.travel import RoadTravel, UnreachableError


class _FakeOsrm(ThreadingHTTPServer):
    """Answers OSRM v1 `table` and `route` requests from a RoadNetwork (as a real OSRM would)."""

    net: RoadNetwork
    seen: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _FakeOsrm

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _send(self, body: object, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)  # not urlparse: it cuts ";" params off the path
        self.server.seen.append(url.path)
        parts = url.path.strip("/").split("/")  # service, v1, profile, coords
        if len(parts) != 4 or parts[1] != "v1" or parts[2] != "driving":
            self._send({"code": "InvalidUrl", "message": "bad path"}, 400)
            return
        points = []
        for k, pair in enumerate(parts[3].split(";")):
            lon, lat = (float(x) for x in pair.split(","))
            points.append((f"p{k}", lat, lon))
        if parts[0] == "table":
            m = self.server.net.matrix(points)
            nul = lambda a: [[None if np.isnan(x) else float(x) for x in row] for row in a]  # noqa: E731
            self._send({"code": "Ok", "durations": nul(m.seconds), "distances": nul(m.metres)})
        elif parts[0] == "route":
            (leg,) = self.server.net.legs(points, [(0, 1)])
            if leg is None:
                self._send({"code": "NoRoute", "message": "Impossible route between points"}, 400)
                return
            coords = [[lon, lat] for lat, lon in leg.points]
            route = {
                "distance": leg.metres,
                "duration": leg.seconds,
                "geometry": {"type": "LineString", "coordinates": coords},
            }
            self._send({"code": "Ok", "routes": [route]})
        else:
            self._send({"code": "InvalidService"}, 400)


@pytest.fixture
def fake_osrm(tiny_extract: Path) -> Iterator[str]:
    srv = _FakeOsrm(("127.0.0.1", 0), _Handler)
    srv.net = RoadNetwork.build(tiny_extract)
    srv.seen = []
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


LOCS = [Location("house", 38.0001, 22.005), Location("c", *NODES[3]), Location("kiosk", 38.005, 22.01)]


def test_osrm_client_gives_the_same_matrix_as_the_local_model(
    fake_osrm: str, tiny_extract: Path, tmp_path: Path
) -> None:
    """Same roads behind a server: the OSRM client's matrix equals RoadTravel's to the second."""
    from planner.roads.cache import RoadCache

    remote = OsrmTravel(fake_osrm).matrix(LOCS)
    local = RoadTravel(tiny_extract, cache=RoadCache(tmp_path)).matrix(LOCS)
    assert remote.ids == local.ids
    assert np.array_equal(remote.durations, local.durations)
    assert np.array_equal(remote.distances, local.distances)


def test_osrm_route_gives_the_leg_shape(fake_osrm: str) -> None:
    """The route service's GeoJSON becomes [lat, lon] points through B."""
    points, metres = OsrmTravel(fake_osrm).leg(LOCS[0], LOCS[1])
    assert (NODES[2][0], NODES[2][1]) in points
    assert metres > 4000


def test_osrm_no_route_is_an_unreachable_error(fake_osrm: str) -> None:
    """OSRM's null durations become a named UnreachableError, not a number."""
    with pytest.raises(UnreachableError, match="island"):
        OsrmTravel(fake_osrm).matrix([LOCS[1], Location("island", 37.91, 22.005)])


def test_osrm_server_down_is_a_plain_error() -> None:
    """No server listening: RoutingServerError naming the address."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RoutingServerError, match=f"127.0.0.1:{port}"):
        OsrmTravel(f"http://127.0.0.1:{port}", timeout=2).matrix(LOCS)


def test_plan_on_an_osrm_server_draws_its_routes(
    fake_osrm: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito plan --roads http://...`: the OSRM server's times and shapes, said so."""
    from test_roads_cli import PLACES, _problem

    from planner.cli import main

    problem = _problem(tmp_path / "problem.json", PLACES)
    out, html = tmp_path / "plan.json", tmp_path / "plan.html"
    argv = ["plan", str(problem), "-o", str(out), "--map", str(html), "--time-limit", "1", "--workers", "1"]
    assert main([*argv, "--roads", fake_osrm]) == 0
    assert "OSRM server" in capsys.readouterr().err
    assert json.loads(out.read_text(encoding="utf-8"))["travel_model"] == "osrm"
    assert f"[{NODES[2][0]}, {NODES[2][1]}]" in html.read_text(encoding="utf-8")
