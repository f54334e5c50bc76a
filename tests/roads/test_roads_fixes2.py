"""Road defects met by users (second round): each test is what the user met.

A fake OSRM on 127.0.0.1 answers in a chosen way (a failing route service, TooBig, a table
without distances, ragged rows, null pairs); tiny extracts are written with pyosmium.
"""

from __future__ import annotations

import io
import json
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from roadfix import NODES, WAYS, hav, write_extract
from test_roads_cli import PLACES, _problem

from planner.cli import main
from planner.model import Location
from planner.roads.cache import RoadCache
from planner.roads.network import Unreachable
from planner.roads.osrm import OsrmTravel, RoutingServerError
from planner.roads.travel import RoadTravel, UnreachableError
from planner.travel import EstimateTravel, TerrainSpeed


class _Osrm(ThreadingHTTPServer):
    mode: str
    seen: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Osrm

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
        parts = urllib.parse.urlsplit(self.path).path.strip("/").split("/")
        self.server.seen.append(parts[0])
        pts = [tuple(float(x) for x in p.split(",")) for p in parts[3].split(";")]
        metres = [[1.3 * hav((a[1], a[0]), (b[1], b[0])) for b in pts] for a in pts]
        mode = self.server.mode
        if parts[0] == "route":
            if mode == "routefail":
                self._send({"code": "NoRoute", "message": "Impossible route between points"}, 400)
                return
            a, b = pts
            geometry = {"type": "LineString", "coordinates": [list(a), [a[0], b[1]], list(b)]}
            self._send({"code": "Ok", "routes": [{"distance": metres[0][1], "geometry": geometry}]})
            return
        seconds: list[list[float | None]] = [[m / 12.0 for m in row] for row in metres]
        dist: list[list[float | None]] = [list(row) for row in metres]
        n = len(pts)
        if mode == "toobig":
            self._send({"code": "TooBig", "message": "Too many table coordinates"}, 400)
            return
        if mode == "nulls":
            seconds[0][n - 1] = dist[0][n - 1] = None
        body: dict[str, Any] = {"code": "Ok", "durations": seconds, "distances": dist}
        if mode == "nodist":
            del body["distances"]
        elif mode == "ragged":
            body["durations"][1] = body["durations"][1][:-1]
        elif mode == "short":
            body["durations"] = body["durations"][:-1]
        self._send(body)


@pytest.fixture
def osrm() -> Iterator[_Osrm]:
    srv = _Osrm(("127.0.0.1", 0), _Handler)
    srv.mode, srv.seen = "ok", []
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _url(srv: _Osrm) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}"


LOCS = [Location("a", 38.0, 22.0, "A"), Location("b", 38.01, 22.02, "B"), Location("c", 38.0, 22.04, "C")]
QUICK = ["--time-limit", "1", "--workers", "1"]


# --- 1. the route service failing loses no plan --------------------------------------------------


def test_a_failing_route_service_keeps_the_plan_and_draws_straight_legs(
    osrm: _Osrm, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """/table fine, /route 400 NoRoute: the plan and the map are written (legs straight), one
    warning; it was `kinito: OSRM route: HTTP 400`, exit 2 and neither file."""
    osrm.mode = "routefail"
    problem = _problem(tmp_path / "problem.json", PLACES)
    out, html = tmp_path / "plan.json", tmp_path / "plan.html"
    code = main(["plan", str(problem), "-o", str(out), "--map", str(html), *QUICK, "--roads", _url(osrm)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert json.loads(out.read_text(encoding="utf-8"))["travel_model"] == "osrm"
    assert html.is_file()
    assert err.count("drawn straight") == 1 and "NoRoute" in err
    assert err.index("πλάνο / plan:") < err.index("drawn straight")  # the plan first


def test_a_silent_routing_server_is_asked_for_no_more_legs(osrm: _Osrm) -> None:
    """No answer at all (the server went away after the table): every leg straight, one try."""
    from datetime import date

    from planner.model import Plan, Problem, Route, Stop, Unit, Visit

    base = LOCS[0]
    day = date(2026, 12, 7)
    problem = Problem(
        "p",
        (day,),
        (Unit("van1", "Van", base),),
        (),
        (),
        (Visit("v1", LOCS[1], 600), Visit("v2", LOCS[2], 600)),
    )
    stops = (Stop("v1", 0, 0, 0, 0, 0, 0), Stop("v2", 0, 0, 0, 0, 0, 0))
    plan = Plan("p", (Route("van1", day, 0, 0, stops, 0, 0),), (), 0, 1, 1.0, 1.0)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    travel = OsrmTravel(f"http://127.0.0.1:{port}", timeout=2)
    shapes = travel.shapes(plan, problem)
    assert shapes[("van1", day)] == [[], [], []]
    assert len(travel.shape_failures) == 3 and sum(1 for f in travel.shape_failures if f[2]) == 1


# --- 2. a damaged cache file ---------------------------------------------------------------------


def test_a_damaged_cache_file_is_computed_again(
    tiny_extract: Path, tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Truncated .npz files: the plan computes them again (it was `internal error (BadZipFile)` on
    every plan), and the bad files are replaced."""
    places = tmp_path / "places.csv"
    places.write_text("id,lat,lon\n" + "".join(f"{i},{a},{b}\n" for i, a, b, _t in PLACES), encoding="utf-8")
    build = ["roads", "build", str(tiny_extract), "--cache", str(cache_dir), "--locations", str(places)]
    assert main(build) == 0
    damaged = sorted(cache_dir.glob("*.npz"))
    assert {p.name.split("-")[0] for p in damaged} == {"graph", "matrix"}
    for p in damaged:
        p.write_bytes(p.read_bytes()[:200])
    assert RoadCache(cache_dir).load("matrix", damaged[-1].stem.split("-", 1)[1]) is None
    assert not damaged[-1].exists()  # removed, to be computed again
    problem = _problem(tmp_path / "problem.json", PLACES)
    out = tmp_path / "plan.json"
    capsys.readouterr()
    code = main(["plan", str(problem), "-o", str(out), *QUICK, "--roads", str(tiny_extract)])
    assert code == 0, capsys.readouterr().err
    assert main([*build, "--rebuild"]) == 0
    for p in cache_dir.glob("*.npz"):
        assert RoadCache(cache_dir).load(p.stem.split("-")[0], p.stem.split("-", 1)[1]) is not None


@pytest.fixture(autouse=True)
def _cache_env(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINITO_CACHE_DIR", str(cache_dir))
    monkeypatch.delenv("KINITO_ROADS", raising=False)


# --- 4. OSRM's error answers and malformed tables -------------------------------------------------


def test_osrm_toobig_says_what_the_server_said_and_the_max_table_size(osrm: _Osrm) -> None:
    """It was only «HTTP 400»: the body's code and message, and the osrm-routed option."""
    osrm.mode = "toobig"
    with pytest.raises(RoutingServerError) as info:
        OsrmTravel(_url(osrm)).matrix(LOCS)
    text = str(info.value)
    assert "TooBig" in text and "Too many table coordinates" in text and "--max-table-size" in text
    assert info.value.code == "TooBig" and info.value.answered
    el, sep, en = text.partition(" / ")
    assert sep and "ζητήθηκαν 3 θέσεις" in el and "3 places" in en


@pytest.mark.parametrize("mode", ["nodist", "ragged", "short"])
def test_an_osrm_table_without_a_whole_matrix_is_a_clear_error(osrm: _Osrm, mode: str) -> None:
    """A missing `distances` (it was KeyError, an internal error), ragged or short rows (numpy's
    errors): a bilingual sentence naming the matrix."""
    osrm.mode = mode
    with pytest.raises(RoutingServerError, match=r"3x3 «(durations|distances)» matrix") as info:
        OsrmTravel(_url(osrm)).matrix(LOCS)
    assert "πίνακα" in str(info.value)


def test_plan_with_an_osrm_table_without_distances_exits_2(
    osrm: _Osrm, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    osrm.mode = "nodist"
    problem = _problem(tmp_path / "problem.json", PLACES)
    assert main(["plan", str(problem), *QUICK, "--roads", _url(osrm)]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err and "distances" in err


# --- 8. unreachable = "estimate" with OSRM -------------------------------------------------------


def test_osrm_unreachable_estimate_fills_null_pairs_and_warns(
    osrm: _Osrm, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The setting the error advises now works on OSRM too (it was ignored)."""
    osrm.mode = "nulls"
    strict = OsrmTravel(_url(osrm))
    with pytest.raises(UnreachableError):
        strict.matrix(LOCS)
    lenient = OsrmTravel(_url(osrm), unreachable="estimate", stop_overhead=0)
    got = lenient.matrix(LOCS)
    want = EstimateTravel(stop_overhead=0).matrix(LOCS)
    assert got.durations[0, 2] == want.durations[0, 2] and got.distances[0, 2] == want.distances[0, 2]
    assert [(u.from_id, u.to_id) for u in lenient.fallbacks] == [("a", "c")]
    config = tmp_path / "roads.toml"
    config.write_text('[roads]\nunreachable = "estimate"\n', encoding="utf-8")
    problem = _problem(tmp_path / "problem.json", PLACES)
    argv = ["plan", str(problem), "-o", str(tmp_path / "p.json"), *QUICK, "--roads", _url(osrm)]
    assert main([*argv, "--config", str(config)]) == 0
    assert "pairs with no road took the estimate" in capsys.readouterr().err
    assert main(argv) == 2


# --- 5. the web desk ------------------------------------------------------------------------------


def _run_job(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, exc: Exception) -> dict[str, Any]:
    import planner.register.week as week
    import webui.planjob as planjob

    def fail(*args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(week, "plan_week", fail)
    spec = {"database_url": f"sqlite:///{tmp_path / 'r.sqlite3'}", "iso_week": "2026-W50", "actor": "t",
            "time_limit": 1, "workers": 1, "seed": 1, "today": "2026-12-01"}  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(spec)))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert planjob.main() == 1
    answer: dict[str, Any] = json.loads(out.getvalue().strip().splitlines()[-1])
    return answer


def test_the_web_desk_shows_places_with_no_road_as_an_expected_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """It was «An unexpected error… tell the administrator», advising a [roads] setting the web
    job cannot read; now the coordinator's own message, each place once, « · » / «; » between."""
    names = {"b-1": "Παπαδοπούλου Μαρία, Πτέρη", "b-2": "Νικολάου Γιώργος, Αίγιον", "base-1": "Κέντρο"}
    el, en = "κανένας δρόμος", "no road joins them"
    pairs = [Unreachable("base-1", "b-1", "separate_networks", el, en),
             Unreachable("b-1", "b-2", "separate_networks", el, en)]  # fmt: skip
    answer = _run_job(monkeypatch, tmp_path, UnreachableError(pairs, names))
    assert answer["expected"] is True
    greek, sep, english = answer["error"].partition(" / ")
    assert sep and " / " not in english
    assert "Κέντρο → Παπαδοπούλου Μαρία, Πτέρη (κανένας δρόμος) · Παπαδοπούλου Μαρία, Πτέρη → " in greek
    assert "Πτέρη (no road joins them); Παπαδοπούλου" in english
    assert "unreachable" not in answer["error"] and "[roads]" not in answer["error"]
    assert "KINITO_ROADS" in greek and "KINITO_ROADS" in english


def test_the_web_desk_shows_a_routing_server_failure_as_an_expected_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, osrm: _Osrm
) -> None:
    osrm.mode = "toobig"
    with pytest.raises(RoutingServerError) as info:
        OsrmTravel(_url(osrm)).matrix(LOCS)
    answer = _run_job(monkeypatch, tmp_path, info.value)
    assert answer["expected"] is True
    greek, _sep, english = answer["error"].partition(" / ")
    assert "--max-table-size" in greek and "--max-table-size" in english and "TooBig" in english
    assert " / " not in english


# --- 7, 12. the problem file's travel block and the settings ------------------------------------


def _estimate_problem(path: Path, overhead_min: float) -> Path:
    data = json.loads(_problem(path, PLACES).read_text(encoding="utf-8"))
    data["travel"] = {
        "model": "estimate",
        "stop_overhead": overhead_min,
        "terrain": {"plain": {"circuity": 1.9, "speed_kmh": 20.0}},
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_settings_stop_overhead_wins_over_the_problem_files_with_a_note(
    tiny_extract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """[roads] stop_overhead_min = 5 was silently ignored when the problem had a travel block."""
    from planner.roads.cli import roads_for_plan
    from planner.schema import load_problem

    problem = load_problem(_estimate_problem(tmp_path / "problem.json", 1))
    config = tmp_path / "roads.toml"
    config.write_text("[roads]\nstop_overhead_min = 5\n", encoding="utf-8")
    capsys.readouterr()
    assert roads_for_plan(problem, str(tiny_extract), config).travel.stop_overhead == 300  # type: ignore[union-attr]
    err = capsys.readouterr().err
    assert "stop_overhead_min = 5" in err and "stop_overhead = 1" in err
    assert roads_for_plan(problem, str(tiny_extract), None).travel.stop_overhead == 60  # type: ignore[union-attr]
    assert "stop_overhead" not in capsys.readouterr().err


def test_pairs_with_no_road_take_the_problems_own_calibrated_estimate(
    tiny_extract: Path, tmp_path: Path
) -> None:
    """The fallback used the default terrain parameters, not the problem's calibrated ones."""
    from planner.roads.cli import roads_for_plan
    from planner.schema import load_problem

    problem = load_problem(_estimate_problem(tmp_path / "problem.json", 2))
    config = tmp_path / "roads.toml"
    config.write_text('[roads]\nunreachable = "estimate"\n', encoding="utf-8")
    travel = roads_for_plan(problem, str(tiny_extract), config).travel
    assert isinstance(travel, RoadTravel)
    locs = [Location("c", *NODES[3]), Location("island", 37.91, 22.005)]
    got = travel.matrix(locs)
    calibrated = EstimateTravel({"plain": TerrainSpeed(1.9, 20.0), **_others()}, stop_overhead=0)
    assert got.durations[0, 1] == calibrated.matrix(locs).durations[0, 1] + 120
    assert got.durations[0, 1] != EstimateTravel(stop_overhead=120).matrix(locs).durations[0, 1]


def _others() -> dict[str, TerrainSpeed]:
    from planner.travel import DEFAULT_TERRAIN

    return {k: v for k, v in DEFAULT_TERRAIN.items() if k != "plain"}


# --- 9. validate with the other kind of roads -----------------------------------------------------


def test_validating_an_osrm_plan_with_an_extract_says_the_kinds_differ(
    osrm: _Osrm, tiny_extract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said «give --roads» though --roads was given."""
    problem = _problem(tmp_path / "problem.json", PLACES)
    out = tmp_path / "plan.json"
    assert main(["plan", str(problem), "-o", str(out), *QUICK, "--roads", _url(osrm)]) == 0
    capsys.readouterr()
    assert main(["validate", str(problem), str(out), "--roads", str(tiny_extract)]) == 2
    err = capsys.readouterr().err
    assert "made with an OSRM server" in err and "checked with an OSM extract" in err
    assert "give --roads or KINITO_ROADS" not in err


# --- 11. bilingual road messages ------------------------------------------------------------------


def test_road_errors_are_in_greek_too(tmp_path: Path, osrm: _Osrm) -> None:
    from planner.roads.download import DownloadError, fetch_checksum
    from planner.roads.network import RoadNetwork

    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not a pbf at all" * 10)
    with pytest.raises(ValueError, match="δεν διαβάζεται το απόσπασμα OSM") as info:
        RoadNetwork.build(bad)
    assert "cannot read the OSM extract" in str(info.value)
    paths = write_extract(tmp_path / "foot.osm.pbf", NODES, [(1, (1, 4), {"highway": "footway"})])
    with pytest.raises(ValueError, match=r"δεν έχει κανέναν δρόμο για αυτοκίνητο .* / the extract"):
        RoadNetwork.build(paths)
    with pytest.raises(DownloadError, match=r"δεν διαβάζεται το αρχείο checksum.*--sha256.*/ cannot read"):
        fetch_checksum(f"{_url(osrm)}/missing.md5", timeout=2)  # (the fake answers no .md5: 500-ish)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(
        RoutingServerError, match=r"καμία απάντηση από τον διακομιστή .* / OSRM table: no answer"
    ):
        OsrmTravel(f"http://127.0.0.1:{port}", timeout=2).matrix(LOCS)


def test_the_download_progress_label_is_greek_too() -> None:
    from planner.roads.cli import STAGE_EL, StageBar

    stream = io.StringIO()
    StageBar(stream)("download", 0.5, "1.0/2.0 MB")
    assert STAGE_EL["download"] == "λήψη" and stream.getvalue().startswith("λήψη / download")


# --- 3. a re-downloaded extract keeps its area ----------------------------------------------------


def test_an_extract_downloaded_again_keeps_the_area_of_its_last_build(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The area was keyed by the extract's SHA-256 only: new contents at the same path built the
    whole extract (all of Greece) without a word."""
    from planner.roads.cli import configured_travel

    extract = write_extract(tmp_path / "area.osm.pbf", NODES, WAYS)
    places = tmp_path / "places.csv"
    places.write_text("id,lat,lon\nc,38.0,22.04\n", encoding="utf-8")
    box = "37.95,21.95,38.05,22.1"
    build = ["roads", "build", str(extract), "--cache", str(cache_dir), "--locations", str(places)]
    assert main([*build, "--bbox", box]) == 0
    more = {**NODES, 8: (38.02, 22.05)}
    write_extract(extract, more, [*WAYS, (105, (3, 8), {"highway": "residential"})])  # a new version
    travel, sentence = configured_travel(str(extract), None)
    assert travel.area() == (37.95, 21.95, 38.05, 22.1)
    assert "changed since its last `kinito roads build`" in sentence and "άλλαξε" in sentence
