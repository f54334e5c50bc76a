"""`kinito roads build|calibrate` and `kinito plan --roads` end to end, and the cache."""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from roadfix import NODES

from planner.cli import main
from planner.model import Location
from planner.roads.cache import RoadCache
from planner.roads.cli import gazetteer_locations
from planner.roads.network import RoadNetwork
from planner.roads.travel import RoadTravel, UnreachableError
from planner.travel import DEFAULT_TERRAIN

PLACES = [
    ("base", 38.0, 22.03, "plain"),
    ("house", 38.0001, 22.005, "plain"),
    ("kiosk", 38.005, 22.01, "semi_mountainous"),
]


def _csv(path: Path, rows: list[tuple[str, float, float, str]]) -> Path:
    path.write_text(
        "id,lat,lon,terrain\n" + "".join(f"{a},{b},{c},{d}\n" for a, b, c, d in rows), encoding="utf-8"
    )
    return path


def _problem(path: Path, places: list[tuple[str, float, float, str]]) -> Path:
    locations = [{"id": i, "name": i, "lat": la, "lon": lo, "terrain": t} for i, la, lo, t in places]
    visits = [
        {"id": f"v-{p['id']}", "kind": "home_visit", "location": p["id"], "service": 30,
         "required_role": "social_worker"}
        for p in locations[1:]
    ]  # fmt: skip
    problem = {
        "schema": "kinito.problem/1",
        "name": "roads test",
        "dates": ["2026-12-07"],
        "locations": locations,
        "staff": [{"id": "sw1", "name": "SW", "roles": ["social_worker"]}],
        "units": [{"id": "van1", "name": "Van", "base": "base"}],
        "days": [{"date": "2026-12-07", "unit": "van1", "crew": ["sw1"]}],
        "visits": visits,
    }
    path.write_text(json.dumps(problem), encoding="utf-8")
    return path


def test_build_reports_each_stage_and_then_comes_from_the_cache(
    tiny_extract: Path, tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """First run: read, graph, snap, matrix; second run: both from the cache."""
    places = _csv(tmp_path / "p.csv", PLACES)
    args = ["roads", "build", str(tiny_extract), "--cache", str(cache_dir), "--locations", str(places)]
    assert main(args) == 0
    first = capsys.readouterr()
    for stage in ("read", "graph", "snap", "matrix"):
        assert stage in first.err
    assert "0 ζεύγη χωρίς δρόμο / unreachable pairs" in first.out
    assert main(args) == 0
    second = capsys.readouterr()
    assert second.out.count("from the cache") == 2
    assert "read" not in second.err


def test_cached_matrix_needs_no_graph(
    tiny_extract: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 141-place gazetteer matrix comes back from the cache without loading the graph (how
    fast is the roads benchmark's to say, not a test's: a busy machine failed a 1 s bound)."""
    places = gazetteer_locations()
    RoadTravel(tiny_extract, cache=RoadCache(cache_dir)).road_matrix(places)

    def no_graph(*args: object, **kwargs: object) -> RoadNetwork:
        raise AssertionError("the graph was loaded although the matrix is cached")

    monkeypatch.setattr(RoadNetwork, "open", no_graph)
    again = RoadTravel(tiny_extract, cache=RoadCache(cache_dir)).road_matrix(places)
    assert again.from_cache and again.seconds.shape == (141, 141)
    moved = [Location("base", 38.0, 22.031), *places[1:]]
    with pytest.raises(AssertionError, match="graph was loaded"):
        RoadTravel(tiny_extract, cache=RoadCache(cache_dir)).road_matrix(moved)


def test_a_changed_extract_is_built_again(tmp_path: Path, cache_dir: Path) -> None:
    """The graph key follows the extract's bytes, not its name."""
    from roadfix import WAYS, write_extract

    path = write_extract(tmp_path / "e.osm.pbf", NODES, WAYS)
    first = RoadNetwork.open(path, cache=RoadCache(cache_dir))
    assert not first.from_cache
    assert RoadNetwork.open(path, cache=RoadCache(cache_dir)).from_cache
    time.sleep(0.01)
    write_extract(path, NODES, [w for w in WAYS if w[0] != 103])
    rebuilt = RoadNetwork.open(path, cache=RoadCache(cache_dir))
    assert not rebuilt.from_cache and rebuilt.key != first.key
    assert rebuilt.graph.edges == first.graph.edges - 1


def test_plan_with_roads_says_so_and_draws_legs_along_the_roads(
    tiny_extract: Path, tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`kinito plan --roads`: travel model 'roads', road metres per leg, map through node B."""
    monkeypatch.setenv("KINITO_CACHE_DIR", str(cache_dir))
    problem = _problem(tmp_path / "problem.json", PLACES)
    out, html = tmp_path / "plan.json", tmp_path / "plan.html"
    # two workers: the problem, with its road model, is pickled to a worker process
    argv = ["plan", str(problem), "-o", str(out), "--map", str(html), "--time-limit", "2", "--workers", "2"]
    assert main([*argv, "--roads", str(tiny_extract)]) == 0
    err = capsys.readouterr().err
    assert "OSM roads" in err
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["travel_model"] == "roads"
    travel = RoadTravel(tiny_extract, cache=RoadCache(cache_dir))
    locs = [Location(i, la, lo, i, t) for i, la, lo, t in PLACES]  # type: ignore[arg-type]
    m = travel.matrix(locs)
    steps = plan["routes"][0]["steps"]
    ids = [s["location"] for s in steps]
    assert ids[0] == ids[-1] == "base" and len(ids) == 4
    index = {loc.id: k for k, loc in enumerate(locs)}
    for prev, step in itertools.pairwise(steps):
        assert step["distance_m"] == m.distances[index[prev["location"]], index[step["location"]]]
    page = re.sub(
        r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), html.read_text(encoding="utf-8")
    )
    assert f"[{NODES[2][0]}, {NODES[2][1]}]" in page  # a leg passes through B, a node off every stop
    first = steps[1]
    km = f"{first['distance_m'] / 1000:.1f}".replace(".", ",")  # a decimal comma in Greek
    assert f"{km} km από το προηγούμενο σημείο" in page  # km per leg
    assert main([*argv, "--roads", "off"]) == 0
    assert "embedded estimate" in capsys.readouterr().err
    assert json.loads(out.read_text(encoding="utf-8"))["travel_model"] == "estimate"


def test_plan_with_an_unreachable_place_names_it(
    tiny_extract: Path, tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A visit on the separate road: exit 2 and a message naming the place and the reason."""
    monkeypatch.setenv("KINITO_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("KINITO_ROADS", str(tiny_extract))
    problem = _problem(tmp_path / "problem.json", [*PLACES, ("island", 37.91, 22.005, "plain")])
    assert main(["plan", str(problem), "--time-limit", "1", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "island" in err and "separate road networks" in err


def test_unreachable_pairs_can_take_the_estimate(tiny_extract: Path, cache_dir: Path) -> None:
    """unreachable='estimate': the pair gets the estimate and is listed in fallbacks."""
    locs = [Location("c", *NODES[3]), Location("island", 37.91, 22.005)]
    strict = RoadTravel(tiny_extract, cache=RoadCache(cache_dir))
    with pytest.raises(UnreachableError, match="island"):
        strict.matrix(locs)
    lenient = RoadTravel(tiny_extract, cache=RoadCache(cache_dir), unreachable="estimate")
    m = lenient.matrix(locs)
    assert m.durations[0, 1] > 0 and {(u.from_id, u.to_id) for u in lenient.fallbacks} == {
        ("c", "island"),
        ("island", "c"),
    }


def test_calibrate_reports_error_before_and_after(
    helsinki: Path, tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On Helsinki with places labelled plain: the fitted error is no worse than the default's."""
    rng = np.random.default_rng(2)
    rows = [
        (f"p{i}", float(rng.uniform(60.160, 60.172)), float(rng.uniform(24.925, 24.955)), "plain")
        for i in range(25)
    ]
    places = _csv(tmp_path / "h.csv", rows)
    assert (
        main(["roads", "calibrate", str(helsinki), "--cache", str(cache_dir), "--locations", str(places)])
        == 0
    )
    out = capsys.readouterr().out
    assert "before" in out and "after" in out and '"model": "estimate"' in out

    from planner.roads.calibrate import calibrate

    locs = [Location(i, la, lo, i, "plain") for i, la, lo, _ in rows]
    road = RoadTravel(helsinki, cache=RoadCache(cache_dir)).road_matrix(locs)
    result = calibrate(locs, road, min_km=0.3)
    assert result.after.time_median <= result.before.time_median
    assert result.after.dist_median <= result.before.dist_median + 0.02
    assert 1.0 < result.terrain["plain"].circuity < 2.5
    assert result.terrain["mountainous"] == DEFAULT_TERRAIN["mountainous"]  # no mountain place: unchanged


def test_plan_uses_the_box_of_the_last_build_and_the_config_file(
    tiny_extract: Path, tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`roads build --bbox` is remembered; `[roads] extract` in --config turns the roads on."""
    places = _csv(tmp_path / "p.csv", PLACES)
    box = "37.95,21.9,38.1,22.1"  # leaves out the separate road in the south
    build = ["roads", "build", str(tiny_extract), "--cache", str(cache_dir), "--locations", str(places)]
    assert main([*build, "--bbox", box]) == 0
    capsys.readouterr()
    travel = RoadTravel(tiny_extract, cache=RoadCache(cache_dir))
    assert travel.area() == (37.95, 21.9, 38.1, 22.1)
    assert travel.network().graph.edges == 3 and travel.network().from_cache
    config = tmp_path / "kinito.toml"
    config.write_text(
        "[solver]\ntime_limit = 1\nworkers = 1\n\n"
        f'[roads]\nextract = "{tiny_extract}"\ncache_dir = "{cache_dir}"\n',
        encoding="utf-8",
    )
    problem = _problem(tmp_path / "problem.json", PLACES)
    monkeypatch.delenv("KINITO_ROADS", raising=False)
    assert main(["plan", str(problem), "-o", str(tmp_path / "plan.json"), "--config", str(config)]) == 0
    err = capsys.readouterr().err
    assert "OSM roads" in err and "37.95,21.9,38.1,22.1" in err
    assert "read" not in err  # the graph came from the cache


def test_validating_a_road_plan_needs_the_roads(
    tiny_extract: Path, tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """roads_for_validate: the plan's own model again, or a plain error when it is not configured."""
    from planner.roads.cli import roads_for_validate
    from planner.schema import load_plan, load_problem
    from planner.validate import validate

    monkeypatch.setenv("KINITO_CACHE_DIR", str(cache_dir))
    monkeypatch.delenv("KINITO_ROADS", raising=False)
    problem_file = _problem(tmp_path / "problem.json", PLACES)
    out = tmp_path / "plan.json"
    argv = ["plan", str(problem_file), "-o", str(out), "--time-limit", "1", "--workers", "1"]
    assert main([*argv, "--roads", str(tiny_extract)]) == 0
    problem, plan = load_problem(problem_file), load_plan(out)
    assert validate(roads_for_validate(problem, plan, str(tiny_extract), None), plan) == []
    assert validate(problem, plan) != []  # the estimate's times do not match a road plan
    with pytest.raises(ValueError, match="give --roads"):
        roads_for_validate(problem, plan, None, None)


def test_road_travel_pickles_its_matrices_not_its_graph(tiny_extract: Path, cache_dir: Path) -> None:
    """What the solver sends to a worker: the matrices at hand, no graph, no progress bar."""
    import pickle

    from planner.roads.cli import StageBar

    locs = [Location(i, la, lo, i, t) for i, la, lo, t in PLACES]  # type: ignore[arg-type]
    travel = RoadTravel(tiny_extract, cache=RoadCache(cache_dir), progress=StageBar())
    before = travel.matrix(locs)
    assert travel._net is not None
    copy = pickle.loads(pickle.dumps(travel))
    assert copy._net is None and copy.progress is None
    after = copy.matrix(locs[:2])  # a subset of the matrix at hand: no graph needed
    assert copy._net is None
    assert (after.durations == before.durations[:2, :2]).all()
