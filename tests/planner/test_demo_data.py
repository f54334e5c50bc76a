"""The fictional demo week (data/demo/week.json) and its seeded generator."""

from __future__ import annotations

import importlib.util
import json
import math
import re
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from planner.gazetteer import Settlement, load_settlements, settlements_by_code

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
WEEK_JSON = DEMO / "week.json"
LOCATION_ID = re.compile(r"^set-(\d{10})(-h\d{3})?$")
FICTIONAL = "(πλασματικό πρόσωπο)"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kinito_demo_generate", DEMO / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def week() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WEEK_JSON.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def by_code() -> dict[str, Settlement]:
    return settlements_by_code(load_settlements())


def _home_visits(problem: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in problem["visits"] if v["kind"] == "home_visit"]


def _stops(problem: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in problem["visits"] if v["kind"] == "village_stop"]


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_009 * math.asin(math.sqrt(h))


def test_generator_is_deterministic(tmp_path: Path) -> None:
    """The same seed and week write byte-identical files; another seed writes another week."""
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    assert gen.main(["--seed", "7", "--week", "2026-W50", "-o", str(a), "-q"]) == 0
    assert gen.main(["--seed", "7", "--week", "2026-W50", "-o", str(b), "-q"]) == 0
    assert gen.main(["--seed", "8", "--week", "2026-W50", "-o", str(c), "-q"]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_committed_week_equals_a_fresh_generation() -> None:
    """data/demo/week.json is exactly what the generator writes with its default seed."""
    fresh = gen.render(gen.build_problem(gen.DEFAULT_SEED, gen.DEFAULT_WEEK))
    assert WEEK_JSON.read_text(encoding="utf-8") == fresh, "regenerate: python data/demo/generate.py"


def test_main_prints_the_demand_and_capacity_sums(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without -q the script reports service, travel and available hours."""
    gen.main(["-o", str(tmp_path / "w.json")])
    out = capsys.readouterr().out
    assert "service:" in out and "available:" in out and "load" in out


def test_week_header_and_horizon(week: dict[str, Any]) -> None:
    """Schema tag, ISO week 2026-W50 and its Monday to Friday."""
    assert week["schema"] == "kinito.problem/1"
    assert week["week"] == "2026-W50"
    assert week["dates"] == ["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"]
    assert week["defaults"]["shift"] == ["08:00", "16:00"]
    assert week["defaults"]["max_work"] == 480


def test_staff_units_and_crews(week: dict[str, Any]) -> None:
    """Four staff (three social workers, one psychologist), two units, a crew every unit-day."""
    staff = {s["id"]: s for s in week["staff"]}
    assert set(staff) == {"sw1", "sw2", "sw3", "psy"}
    assert all(FICTIONAL in s["name"] for s in staff.values())
    assert staff["psy"]["roles"] == ["psychologist"]
    assert [u["id"] for u in week["units"]] == ["van1", "car1"]
    assert all(u["base"] == "base" for u in week["units"])
    days = week["days"]
    assert {(d["date"], d["unit"]) for d in days} == {
        (date, unit) for date in week["dates"] for unit in ("van1", "car1")
    }
    aboard: Counter[str] = Counter()
    for d in days:
        assert 1 <= len(d["crew"]) <= 2
        for c in d["crew"]:
            aboard[c if isinstance(c, str) else c["staff"]] += 1
    assert aboard["psy"] == 2
    assert aboard["sw3"] == 3
    sw3_hours = [c["hours"] for d in days for c in d["crew"] if isinstance(c, dict) and c["staff"] == "sw3"]
    assert sw3_hours == [["08:00", "12:00"]] * 3
    # nobody is aboard two units on the same date
    for date in week["dates"]:
        people = [
            c if isinstance(c, str) else c["staff"] for d in days if d["date"] == date for c in d["crew"]
        ]
        assert len(people) == len(set(people)), date


def test_one_extended_hours_pilot_day(week: dict[str, Any]) -> None:
    """Exactly one unit-day is the pilot, with a 08:00-20:00 shift."""
    pilots = [d for d in week["days"] if d.get("pilot")]
    assert len(pilots) == 1
    assert pilots[0]["shift"] == ["08:00", "20:00"]


def test_counts_are_in_the_designed_ranges(week: dict[str, Any]) -> None:
    """About 85 home visits and a dozen village stops, with the designed mix of constraints."""
    homes, stops = _home_visits(week), _stops(week)
    assert 80 <= len(homes) <= 125
    assert 10 <= len(stops) <= 20
    assert len(homes) + len(stops) == len(week["visits"])
    assert len({v["id"] for v in week["visits"]}) == len(week["visits"])
    assert 10 <= sum(v["required_role"] == "psychologist" for v in homes) <= 15
    assert 3 <= sum("required_staff" in v for v in homes) <= 6
    twice = [v for v in homes if v.get("frequency", 1) == 2]
    assert 4 <= len(twice) <= 8
    assert all(v["min_gap_days"] == 2 for v in twice)
    pinned = [v for v in homes if "pinned_date" in v]
    assert len(pinned) == 5
    assert sum("pinned_time" in v for v in pinned) == 2
    assert all(v["pinned_date"] in week["dates"] for v in pinned)
    windowed = sum(bool(v.get("time_windows")) for v in homes)
    assert 0.15 <= windowed / len(homes) <= 0.35
    assert 3 <= sum("allowed_weekdays" in v for v in homes) <= 8
    assert sum("preferred_weekday" in v for v in homes) >= 5
    assert {v["priority"] for v in homes} == {1, 2, 3}
    assert all(20 <= v["service"] <= 60 for v in homes)
    assert all(v["required_role"] in {"social_worker", "psychologist"} for v in homes)


def test_village_stops_are_announced_in_remote_villages(
    week: dict[str, Any], by_code: dict[str, Settlement]
) -> None:
    """Village stops: remote hill villages, 60-120 min, a 15-minute announced start, their weekday."""
    for v in _stops(week):
        m = LOCATION_ID.match(v["location"])
        assert m is not None and m.group(2) is None, v["location"]
        s = by_code[m.group(1)]
        assert s.terrain in {"mountainous", "semi_mountainous"}
        assert s.code != "3702010101"
        assert 60 <= v["service"] <= 120
        ((start, end),) = v["time_windows"]
        assert gen.to_minutes(end) - gen.to_minutes(start) == 15
        assert v["preferred_weekday"] in {"mon", "tue", "wed", "thu", "fri"}
        assert v["required_role"] == "social_worker"
        assert v["priority"] == 2
    assert len({v["location"] for v in _stops(week)}) == len(_stops(week))


def test_every_visit_is_in_a_real_settlement(week: dict[str, Any], by_code: dict[str, Settlement]) -> None:
    """Each visit's location names an ELSTAT settlement, lies within 300 m of it, with its terrain."""
    locations = {loc["id"]: loc for loc in week["locations"]}
    for v in week["visits"]:
        loc = locations[v["location"]]
        m = LOCATION_ID.match(loc["id"])
        assert m is not None, loc["id"]
        s = by_code[m.group(1)]
        assert loc["terrain"] == s.terrain
        assert _metres(loc["lat"], loc["lon"], s.lat, s.lon) <= 300.0, loc
        assert s.population > 0


def test_people_are_marked_fictional(week: dict[str, Any]) -> None:
    """Every beneficiary is marked fictional; phones use the made-up number ranges."""
    for v in _home_visits(week):
        assert v["name"].endswith(FICTIONAL)
        assert "πλασματική" in v["address"]
        if v.get("phone"):
            assert re.fullmatch(r"269100\d{4}|69000\d{5}", v["phone"]), v["phone"]


def test_aigio_town_gets_a_reduced_share(week: dict[str, Any]) -> None:
    """Aigio town has 41 % of the population but far fewer of the home visits."""
    homes = _home_visits(week)
    in_town = sum(v["location"].startswith("set-3702010101-") for v in homes)
    assert in_town / len(homes) < 0.15


def test_demand_fits_two_units_but_fills_the_week(week: dict[str, Any]) -> None:
    """Service alone fits the available hours; with travel the week is full (about 90-130 %)."""
    r = gen.demand_report(week)
    assert r["available_h"] == 75.0
    assert r["service_h"] < r["available_h"]
    assert 90 <= r["load_pct"] <= 130


@pytest.mark.parametrize("seed", [1, 2, 3, 11, 2024])
def test_other_seeds_keep_the_shape(seed: int, by_code: dict[str, Settlement]) -> None:
    """Any seed gives a week of the same shape over real settlements."""
    problem = gen.build_problem(seed, "2027-W03")
    assert problem["dates"][0] == "2027-01-18"
    assert len(_home_visits(problem)) == gen.N_HOME_VISITS
    assert 8 <= len(_stops(problem)) <= 20
    for loc in problem["locations"][1:]:
        m = LOCATION_ID.match(loc["id"])
        assert m is not None and m.group(1) in by_code


def test_bad_week_is_refused() -> None:
    """A week that is not an ISO week is refused in plain words."""
    with pytest.raises(ValueError, match="ISO week"):
        gen.build_problem(7, "2026-50")


def test_demo_week_loads_with_the_schema_reader() -> None:
    """planner.schema reads the committed week into a Problem with every visit and unit-day."""
    schema = pytest.importorskip("planner.schema")
    problem = schema.load_problem(WEEK_JSON)
    data = json.loads(WEEK_JSON.read_text(encoding="utf-8"))
    assert len(problem.visits) == len(data["visits"])
    assert len(problem.unit_days) == 10
    assert {u.id for u in problem.units} == {"van1", "car1"}
    assert sum(ud.pilot for ud in problem.unit_days) == 1
