"""A care plan or village stop changed after its week was published (its hours, its days, its
length, the role it needs, a stop's announced time or usual day) was never flagged: the save
said «Saved.», the version page nothing, and a village told "Thursday 10:00" got the van on
Monday at 12:00. The version page now lists them (and nothing on a plan just made)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from field_helpers import demo_template
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import COORDINATOR, login

from planner.register.db import session_scope
from planner.register.models import CarePlan, PlanVersion, VillageStop
from planner.register.week import plan_week, rules_changed
from planner.schema import plan_from_dict, problem_from_dict
from webui import create_app

TODAY = date(2026, 12, 7)  # the published week's Monday


@pytest.fixture
def desk(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, FlaskClient, int]]:
    template, pv_id = demo_template(tmp_path_factory.mktemp("demo"))
    db = tmp_path / "demo.sqlite3"
    shutil.copy(template, db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": TODAY.isoformat()})  # fmt: skip
    client = app.test_client()
    login(client, COORDINATOR)
    yield app, client, pv_id
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()


def _served(app: Flask, pv_id: int) -> tuple[object, object, list[tuple[str, date, int]]]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, pv_id)
        assert row is not None
        plan, problem = (
            plan_from_dict(json.loads(row.plan_json)),
            problem_from_dict(json.loads(row.problem_json or "")),
        )
    stops = [(st.visit_id, r.date, st.start) for r in plan.routes for st in r.stops]
    return plan, problem, stops


def test_a_plan_just_made_has_nothing_changed(desk: tuple[Flask, FlaskClient, int]) -> None:
    app, client, pv_id = desk
    plan, problem, _ = _served(app, pv_id)
    with session_scope(app.extensions["kinito_engine"]) as s:
        assert rules_changed(s, plan, problem, TODAY) == []  # type: ignore[arg-type]
    assert 'id="rules-changed"' not in client.get(f"/desk/plans/{pv_id}").get_data(as_text=True)
    # nor one made while a care plan names a staff member no longer active (planned with anyone
    # of the role): it said «… now makes it, not aboard» on every page
    engine = app.extensions["kinito_engine"]
    with session_scope(engine, actor="maria") as s:
        named = s.scalars(select(CarePlan).where(CarePlan.staff_id.is_not(None))).first()
        assert named is not None and named.staff is not None
        named.staff.active = False
    # and the week is planned again though that member rode on a day kept as published (their
    # roles were missing from the stored week, and the kept routes «no longer fit the register»)
    for today in (TODAY, date(2026, 12, 8)):
        result = plan_week(engine, "2026-W50", time_limit=1.0, workers=1, actor="maria", today=today)
        with session_scope(engine) as s:
            assert rules_changed(s, result.plan, result.problem, today) == []


def test_hours_days_and_a_stops_time_changed_after_publishing_are_listed(
    desk: tuple[Flask, FlaskClient, int],
) -> None:
    app, client, pv_id = desk
    plan, problem, stops = _served(app, pv_id)
    person = next((vid, day, start) for vid, day, start in stops if vid.startswith("cp-") and day >= TODAY)
    stop = next((vid, day, start) for vid, day, start in stops if vid.startswith("vs-") and day >= TODAY)
    hour = person[2] // 3600
    other = "06:00-07:00" if hour >= 9 else "15:00-16:00"  # hours the planned start is not in
    with session_scope(app.extensions["kinito_engine"], actor="maria") as s:
        cp = s.get(CarePlan, int(person[0].removeprefix("cp-")))
        vs = s.get(VillageStop, int(stop[0].removeprefix("vs-")))
        assert cp is not None and vs is not None
        cp.time_windows = [other.split("-")]
        cp.duration_min += 15
        usual = stop[1].isoweekday() % 5 + 1  # another working day
        vs.usual_weekday = usual
        vs.announced_times = ["06:30"]
    with session_scope(app.extensions["kinito_engine"]) as s:
        found = {u.visit_id: u for u in rules_changed(s, plan, problem, TODAY)}  # type: ignore[arg-type]
    assert set(found) == {person[0], stop[0]}
    assert (
        f"οι ώρες του είναι πια {other}" in found[person[0]].why_el
        and "διαρκεί πια" in found[person[0]].why_el
    )
    assert "its hours are now" in found[person[0]].why_en
    assert "η ανακοινωμένη ώρα είναι πια 06:30" in found[stop[0]].why_el
    assert "the village's usual day is now" in found[stop[0]].why_en
    page = client.get(f"/desk/plans/{pv_id}").get_data(as_text=True)
    box = page.split('id="rules-changed"', 1)[1].split("</div>", 1)[0]
    assert f"οι ώρες του είναι πια {other}" in box and "η ανακοινωμένη ώρα είναι πια 06:30" in box
    # a day already past is not listed: nothing can be done about it
    with session_scope(app.extensions["kinito_engine"]) as s:
        later = rules_changed(s, plan, problem, date(2026, 12, 12))  # type: ignore[arg-type]
    assert later == []
