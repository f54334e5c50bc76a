"""`kinito week --roads`: the week planned on road times, frozen into the stored problem so that
the stored plan checks against it alone; `kinito validate` wants the roads for a roads plan."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import select

from planner.cli import main
from planner.model import Location
from planner.register import models as m
from planner.register.db import make_engine, session_scope
from planner.roads.cache import RoadCache
from planner.roads.travel import RoadTravel
from planner.schema import plan_from_dict, problem_from_dict
from planner.validate import validate


def _register(db: Path) -> None:
    """A unit and a person on the hand-drawn extract's roads (roadfix.py's base and house)."""
    assert main(["init", "--db", str(db)]) == 0
    engine = make_engine(db)
    try:
        with session_scope(engine, actor="test") as s:
            s.add(m.Unit(name="Βαν", base_name="Βάση", base_lat=38.0, base_lon=22.03, capacity=1))
            s.add(m.Staff(name="ΚΛ", role="social_worker", day_start=time(8), day_end=time(16)))
            person = m.Beneficiary(full_name="Πρόσωπο", settlement_code="3702010101", lat=38.0001, lon=22.005)
            s.add(person)
            s.flush()
            s.add(
                m.CarePlan(
                    beneficiary_id=person.id,
                    service="home_care",
                    required_role="social_worker",
                    duration_min=30,
                    frequency_kind="weekly",
                    frequency_count=2,
                    start_date=date(2026, 11, 2),
                )
            )
    finally:
        engine.dispose()


def test_week_on_roads_stores_the_road_matrix_and_validates(
    tiny_extract: Path, cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "r.sqlite3"
    _register(db)
    config = tmp_path / "kinito.toml"
    config.write_text(f'[roads]\ncache_dir = "{cache_dir}"\n', encoding="utf-8")
    html = tmp_path / "week.html"
    args = ["week", "2026-W50", "--db", str(db), "--roads", str(tiny_extract), "--config", str(config)]
    assert main([*args, "--time-limit", "1", "--workers", "1", "--map", str(html)]) == 0
    err = capsys.readouterr().err
    assert "OSM roads" in err
    engine = make_engine(db)
    try:
        with session_scope(engine) as s:
            row = s.scalars(select(m.PlanVersion)).one()
            doc = json.loads(row.problem_json or "")
            problem, plan = problem_from_dict(doc), plan_from_dict(json.loads(row.plan_json))
    finally:
        engine.dispose()
    assert doc["travel"]["model"] == "matrix" and plan.travel_model == "roads"
    assert sum(len(r.stops) for r in plan.routes) == 2 and not validate(problem, plan)
    # the stored metres are the road's, not the straight line's estimate
    road = RoadTravel(tiny_extract, cache=RoadCache(cache_dir))
    places = [Location("base-1", 38.0, 22.03), Location("b-1", 38.0001, 22.005)]
    expected = road.matrix(places).distances[0][1]
    first = plan.routes[0].stops[0]
    assert first.distance == expected
    assert html.exists()


def test_validate_asks_for_the_roads_of_a_roads_plan(
    tiny_extract: Path, cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_roads_cli import PLACES, _problem

    problem = _problem(tmp_path / "p.json", PLACES)
    plan = tmp_path / "plan.json"
    config = tmp_path / "kinito.toml"
    config.write_text(f'[roads]\ncache_dir = "{cache_dir}"\n', encoding="utf-8")
    roads = ["--roads", str(tiny_extract), "--config", str(config)]
    assert main(["plan", str(problem), "-o", str(plan), "--time-limit", "1", "--workers", "1", *roads]) == 0
    capsys.readouterr()
    assert main(["validate", str(problem), str(plan), "--roads", "off"]) == 2
    assert "--roads" in capsys.readouterr().err
    assert main(["validate", str(problem), str(plan), *roads]) == 0
