"""A calendar change made after a week was planned (a closure, a staff member away): the plan's
page and its publishing say which routes no longer follow the calendar, and Adjust re-plans
the open days as the calendar has them now. Before, Adjust re-used the stored days and crews,
so a coordinator could publish a plan that sent the van out on a closed day with someone who
was away, and nothing said so (a reviewer's walkthrough, eighteenth session)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from field_helpers import demo_template
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import COORDINATOR, login, post

from planner.register.db import session_scope
from planner.register.models import CalendarDay, PlanVersion, Staff
from planner.schema import plan_from_dict, problem_from_dict
from planner.validate import validate
from webui import create_app

THU, FRI = date(2026, 12, 10), date(2026, 12, 11)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The demo register, W50 published."""
    return demo_template(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def changed(demo: tuple[Path, int], tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The app on a copy of the demo register (today Monday 7 December, W50 published), with
    Friday closed and one of Thursday's crew away, both added after the week was published."""
    db = tmp_path / "demo.sqlite3"
    shutil.copy(demo[0], db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": "2026-12-07", "PLAN_TIME_LIMIT": 1.0, "PLAN_WORKERS": 1})  # fmt: skip
    engine = app.extensions["kinito_engine"]
    with session_scope(engine, actor=COORDINATOR) as s:
        row = s.get(PlanVersion, demo[1])
        assert row is not None and row.status == "published"
        problem = problem_from_dict(json.loads(row.problem_json))
        plan = plan_from_dict(json.loads(row.plan_json))
        thursday = [ud for ud in problem.unit_days if ud.date == THU and ud.available and ud.crew]
        route_units = {r.unit_id for r in plan.routes if r.date == THU and r.stops}
        ud = next(ud for ud in thursday if ud.unit_id in route_units)
        away_id = int(ud.crew[0].staff_id.removeprefix("st-"))
        away = s.get(Staff, away_id)
        assert away is not None
        s.add(CalendarDay(day=FRI, kind="closure", name="Τοπική αργία"))
        s.add(CalendarDay(day=THU, kind="staff_unavailable", staff_id=away_id))
        fri_routes = any(r.date == FRI and r.stops for r in plan.routes)
        info = {"app": app, "pv_id": demo[1], "away": away.name, "away_id": f"st-{away_id}",
                "thu_unit": ud.unit_id, "thu_crew": len(ud.crew), "fri_routes": fri_routes}  # fmt: skip
    try:
        yield info
    finally:
        app.extensions["kinito_jobs"].stop_all()
        engine.dispose()


def _client(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, COORDINATOR).status_code == 302
    return client


def test_the_plan_page_says_which_routes_the_calendar_no_longer_allows(changed: dict[str, Any]) -> None:
    assert changed["fri_routes"]  # the published plan drives on Friday
    client = _client(changed["app"])
    page = client.get(f"/desk/plans/{changed['pv_id']}").get_data(as_text=True)
    assert 'id="calendar-drift"' in page
    box = page[page.index('id="calendar-drift"') :]
    box = box[: box.index("</div>")]
    assert "Παρ 11/12" in box and "η ημέρα είναι πια κλειστή (Τοπική αργία)" in box
    assert "Πέμ 10/12" in box and f"{changed['away']}: απουσιάζει" in box
    assert "Προσαρμόστε το πρόγραμμα" in box


def test_adjust_plans_the_open_days_as_the_calendar_has_them_now(changed: dict[str, Any]) -> None:
    client = _client(changed["app"])
    url = f"/desk/plans/{changed['pv_id']}/adjust"
    page = client.get(url).get_data(as_text=True)
    box = page[page.index('id="calendar-changed"') :]
    assert "Παρ 11/12" in box and "κλειστή (Τοπική αργία)" in box and "Πέμ 10/12" in box
    assert "pin:2026-12-11" not in page  # no visit can be put on the closed day
    # and what dropping a visit does, in Greek (a reviewer expected a drop to last the week)
    assert "θέστε το πλάνο φροντίδας σε παύση" in page[page.index('id="drop-hint"') :]
    reply = post(client, url, {"time_limit": "1"})
    assert reply.status_code == 302 and "/desk/jobs/" in reply.location
    job_url = reply.location.split("localhost")[-1] + ".json"
    deadline = time.monotonic() + 120
    while (job := client.get(job_url).get_json())["state"] == "running":
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    assert job["state"] == "done", job
    with session_scope(changed["app"].extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, job["plan_version_id"])
        assert row is not None
        problem = problem_from_dict(json.loads(row.problem_json))
        plan = plan_from_dict(json.loads(row.plan_json))
    friday = [ud for ud in problem.unit_days if ud.date == FRI]
    assert friday and not any(ud.available for ud in friday)
    assert not any(r.date == FRI and r.stops for r in plan.routes)
    thursday = {ud.unit_id: ud for ud in problem.unit_days if ud.date == THU}
    assert all(changed["away_id"] not in {c.staff_id for c in ud.crew} for ud in thursday.values())
    # the absent member's seat went to another who works that day (the demo's part-time social worker)
    assert (
        thursday[changed["thu_unit"]].available
        and len(thursday[changed["thu_unit"]].crew) == changed["thu_crew"]
    )
    assert validate(problem, plan) == []
    # the new version follows the calendar: its page has nothing to say of it
    page = client.get(f"/desk/plans/{job['plan_version_id']}").get_data(as_text=True)
    assert 'id="calendar-drift"' not in page


def test_publishing_a_plan_the_calendar_has_changed_under_warns(changed: dict[str, Any]) -> None:
    """Publishing the earlier version again (it went back to draft when replaced) warns."""
    client = _client(changed["app"])
    with session_scope(changed["app"].extensions["kinito_engine"], actor=COORDINATOR) as s:
        row = s.get(PlanVersion, changed["pv_id"])
        assert row is not None
        row.status = "draft"  # as publishing another version leaves it
    reply = post(client, f"/desk/plans/{changed['pv_id']}/publish", follow_redirects=True)
    page = reply.get_data(as_text=True)
    assert "Δημοσιεύτηκε." in page
    assert "Το ημερολόγιο άλλαξε από τότε που έγινε αυτό το πρόγραμμα" in page and "Παρ 11/12" in page


def _stored(engine: Any, pv_id: int) -> tuple[Any, Any]:
    with session_scope(engine) as s:
        row = s.get(PlanVersion, pv_id)
        assert row is not None
        return problem_from_dict(json.loads(row.problem_json)), plan_from_dict(json.loads(row.plan_json))


def test_no_warning_for_a_week_the_calendar_has_not_changed_since(
    demo: tuple[Path, int], tmp_path: Path
) -> None:
    """No false alarm: the published demo week as it is; and a week re-planned after a van
    came back into service on a day with one professional left, where the crews are seated
    as the published version had them (a reviewer's case: seated afresh, the one social
    worker went to the first van, and the page said the second van's day was closed for want
    of a crew, on a week just planned from the calendar as it stands)."""
    from planner.register.db import make_engine
    from planner.register.week import calendar_drift, plan_week, publish, with_calendar_now

    db = tmp_path / "demo.sqlite3"
    shutil.copy(demo[0], db)
    engine = make_engine(db)
    today = date(2026, 12, 7)
    try:
        problem, plan = _stored(engine, demo[1])
        with session_scope(engine) as s:
            assert calendar_drift(s, problem, plan, today) == []
            assert with_calendar_now(s, problem, problem.dates) is problem
        with session_scope(engine, actor=COORDINATOR) as s:
            professionals = s.scalars(select(Staff).where(Staff.role.in_(("social_worker", "psychologist"))))
            away = [st.id for st in professionals][1:]  # all but one away on Friday
            s.add_all([CalendarDay(day=FRI, kind="staff_unavailable", staff_id=sid) for sid in away])
            unit_off = CalendarDay(day=FRI, kind="unit_unavailable", unit_id=1)
            s.add(unit_off)
        first = plan_week(engine, "2026-W50", time_limit=0.5, workers=1, actor="test", today=today)
        publish(engine, first.plan_version_id, actor="test", today=today)
        with session_scope(engine, actor=COORDINATOR) as s:
            s.delete(s.get(CalendarDay, unit_off.id))  # the van is back in service on Friday
        second = plan_week(engine, "2026-W50", time_limit=0.5, workers=1, actor="test", today=today)
        publish(engine, second.plan_version_id, actor="test", today=today)
        problem, plan = _stored(engine, second.plan_version_id)
        friday = [ud for ud in problem.unit_days if ud.date == FRI]
        assert sum(ud.available for ud in friday) == 1  # one professional: one unit goes out
        with session_scope(engine) as s:
            assert calendar_drift(s, problem, plan, today) == []
            assert with_calendar_now(s, problem, problem.dates) is problem
    finally:
        engine.dispose()


def test_a_unit_taken_out_of_service_closes_its_days(demo: tuple[Path, int], tmp_path: Path) -> None:
    """A unit made inactive in the register after the week was planned: its routes are
    flagged, and Adjust plans none for it (the week builder would leave it out)."""
    from planner.register.db import make_engine
    from planner.register.models import Unit
    from planner.register.week import calendar_drift, with_calendar_now

    db = tmp_path / "demo.sqlite3"
    shutil.copy(demo[0], db)
    engine = make_engine(db)
    try:
        problem, plan = _stored(engine, demo[1])
        with session_scope(engine, actor=COORDINATOR) as s:
            unit = s.get(Unit, 2)
            assert unit is not None
            unit.active = False
        with session_scope(engine) as s:
            drift = calendar_drift(s, problem, plan, date(2026, 12, 7))
            assert (
                drift and {d.unit_id for d in drift} == {"unit-2"} and {d.kind for d in drift} == {"closed"}
            )
            now = with_calendar_now(s, problem, problem.dates)
        assert not any(ud.available for ud in now.unit_days if ud.unit_id == "unit-2")
        assert [ud for ud in now.unit_days if ud.unit_id == "unit-1"] == [
            ud for ud in problem.unit_days if ud.unit_id == "unit-1"
        ]
    finally:
        engine.dispose()


def test_todays_route_is_said_to_stay_as_published(changed: dict[str, Any]) -> None:
    """The same changes seen on Thursday: Thursday's route is today's, which a re-plan keeps as
    published, so «adjust the plan» cannot help it (a walkthrough): its line says to tell the
    driver; Friday's does not."""
    app = changed["app"]
    app.config["TODAY"] = THU.isoformat()
    page = _client(app).get(f"/desk/plans/{changed['pv_id']}").get_data(as_text=True)
    box = page[page.index('id="calendar-drift"') :]
    box = box[: box.index("</div>")]
    lines = {line.split(",")[0]: line.split("</li>")[0] for line in box.split("<li>")[1:]}
    assert "ενημερώστε τον οδηγό" in lines["Πέμ 10/12"]
    assert "ενημερώστε τον οδηγό" not in lines["Παρ 11/12"]
    # a week with nothing published plans today anew: no such note
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, changed["pv_id"])
        assert row is not None
        row.status = "draft"
    page = _client(app).get(f"/desk/plans/{changed['pv_id']}").get_data(as_text=True)
    box = page[page.index('id="calendar-drift"') :]
    assert "μένει όπως δημοσιεύτηκε" not in box[: box.index("</div>")]
