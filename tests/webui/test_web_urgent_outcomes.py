"""Urgent visits added in Adjust (``urgent-b1``: beneficiary 1), walkthrough: the driver's
«Έγινε» was refused with 403 although the visit was on the route, the tablet showed no village
for it, the next week's «Μεταφέρθηκαν» listed the raw id, and the unassigned list showed it
exactly as the same person's care plan visit."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from field_helpers import TODAY, publish_week
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import DRIVER, MON, TUE, login, post, small_problem, store_version

from planner.model import HOUR, MINUTE, Location, Plan, Route, Stop, Unassigned, Visit
from planner.register.db import session_scope
from planner.register.models import PlanVersion, VisitOutcome
from planner.register.week import PlanChange, publish
from planner.schema import plan_from_dict, problem_from_dict, problem_to_dict
from webui import create_app
from webui.adjust import urgent_visit, week_changes

URGENT = "urgent-b1"  # Γεώργιος Παπαδόπουλος, Μητροπόλεως 3, Αίγιον (webui_helpers.build_register)


# --- the tablet -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published_template(register_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The test register with week 2026-W50 published (three stops on Monday), built once."""
    path = tmp_path_factory.mktemp("published-urgent") / "register.sqlite3"
    return path, publish_week(register_template, path)


@pytest.fixture
def field_app(published_template: tuple[Path, int], tmp_path: Path) -> Iterator[Flask]:
    """The app on a copy of it, Monday 7 December 2026 as today, with an urgent visit to
    beneficiary 1 added to Monday's route of van1 in a new published version (as Adjust makes
    one; its address empty, as Adjust stored it before the fix)."""
    db = tmp_path / "register.sqlite3"
    shutil.copy(published_template[0], db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": TODAY.isoformat()})  # fmt: skip
    engine = app.extensions["kinito_engine"]
    with session_scope(engine, actor="syntonistria") as s:
        base = s.get(PlanVersion, published_template[1])
        assert base is not None and base.problem_json
        problem = problem_from_dict(json.loads(base.problem_json))
        urgent = Visit(URGENT, Location("b1", 38.2466, 22.0822, "Αίγιον"), 30 * MINUTE,
                       name="Γεώργιος Παπαδόπουλος", required_role="social_worker", priority=5)  # fmt: skip
        problem = replace(problem, visits=(*problem.visits, urgent))
        plan = json.loads(base.plan_json)
        for route in plan["routes"]:
            if route["unit"] == "unit-1" and route["date"] == TODAY.isoformat():
                last = next(x for x in reversed(route["steps"]) if x["type"] == "visit")
                route["steps"].insert(-1, {**last, "visit": URGENT})
        row = PlanVersion(iso_week=base.iso_week, unit_set=base.unit_set, version=base.version + 1,
                          status="draft", plan_json=json.dumps(plan),
                          problem_json=json.dumps(problem_to_dict(problem)), summary={})  # fmt: skip
        s.add(row)
        s.flush()
        app.config["URGENT_VERSION"] = row.id
    publish(engine, app.config["URGENT_VERSION"], actor="syntonistria")
    yield app
    app.extensions["kinito_jobs"].stop_all()
    engine.dispose()


@pytest.fixture
def driver(field_app: Flask) -> FlaskClient:
    client = field_app.test_client()
    assert login(client, DRIVER).status_code == 302
    return client


def _send(client: FlaskClient, **fields: Any) -> Any:
    token = client.get("/driver/token.json").get_json()["csrf"]
    body = {"client_ref": str(uuid.uuid4()), "visit_id": URGENT, "status": "done", "note": "",
            "time": "11:40", "date": TODAY.isoformat(), "plan_version_id": 1, **fields}  # fmt: skip
    return client.post("/driver/outcomes.json", json=body, headers={"X-CSRFToken": token})


def test_the_driver_records_an_urgent_visit_of_his_route(driver: FlaskClient, field_app: Flask) -> None:
    """«Έγινε» at the urgent stop is stored against the person (it was 403 «not on your
    route»); «δεν βρέθηκε στο σπίτι» is offered as at any home visit; the route shows it done."""
    doc = driver.get("/driver/today.json").get_json()
    stop = next(s for s in doc["stops"] if s["visit_id"] == URGENT)
    assert stop["choices"] == ["done", "not_at_home", "cancelled"]
    answer = _send(driver, plan_version_id=doc["plan_version_id"])
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert data["ok"] and data["created"] and data["on_route"] is True
    with session_scope(field_app.extensions["kinito_engine"]) as s:
        row = s.scalars(select(VisitOutcome).where(VisitOutcome.visit_ref == URGENT)).one()
        assert (row.beneficiary_id, row.care_plan_id, row.village_stop_id) == (1, None, None)
        assert row.plan_version_id == field_app.config["URGENT_VERSION"] and row.status == "done"
        assert row.recorded_by == DRIVER and row.staff_id is not None
    assert driver.get("/driver/today.json").get_json()["outcomes"][URGENT]["status"] == "done"
    # the same person's care plan visit is another visit, recorded apart
    assert _send(driver, visit_id="cp-1", plan_version_id=doc["plan_version_id"]).get_json()["created"]


def test_the_tablet_shows_the_village_of_an_urgent_stop_published_without_an_address(
    driver: FlaskClient,
) -> None:
    doc = driver.get("/driver/today.json").get_json()
    stop = next(s for s in doc["stops"] if s["visit_id"] == URGENT)
    assert stop["address"] == "Αίγιον"


# --- the desk ---------------------------------------------------------------------------------


def _route(day: Any, visit_id: str) -> Route:
    stop = Stop(visit_id, 0, 9 * HOUR, 9 * HOUR, 9 * HOUR + 30 * MINUTE, 900, 10_000)
    return Route("van1", day, 8 * HOUR + 45 * MINUTE, 10 * HOUR, (stop,), 930, 40)


def test_an_urgent_visit_carries_the_persons_address_with_the_place() -> None:
    """As the week builder's visits: "Μητροπόλεως 3, Αίγιον"; the place alone without one."""
    here = Location("b1", 38.2466, 22.0822, "Αίγιον")
    visit = urgent_visit(URGENT, here, 30, name="Γεώργιος Παπαδόπουλος", role="social_worker",
                         address="Μητροπόλεως 3", place="Αίγιον")  # fmt: skip
    assert visit.address == "Μητροπόλεως 3, Αίγιον"
    bare = urgent_visit(URGENT, here, 30, name="Γεώργιος Παπαδόπουλος", role="social_worker")
    assert bare.address == "Αίγιον"


def test_adjust_gives_the_urgent_visit_its_address_and_names_it_urgent(
    coordinator: FlaskClient, app: Flask
) -> None:
    """Through the desk: the new version's problem has the person's address and village, and
    the version's page names the visit as urgent beside its change line."""
    plan = Plan("x", (_route(MON, "hv-1"), _route(TUE, "hv-3")), (), 0, 1, 1.0, 0.1)
    pv_id = store_version(app, plan, 1)
    form = {"urgent_beneficiary": "1", "urgent_role": "social_worker", "urgent_minutes": "30",
            "urgent_day": TUE.isoformat(), "time_limit": "1"}  # fmt: skip
    response = post(coordinator, f"/desk/plans/{pv_id}/adjust", form)
    assert response.status_code == 302 and "/desk/jobs/" in response.location
    deadline = time.monotonic() + 60
    while (done := coordinator.get(response.location + ".json").get_json())["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert done["state"] == "done", done
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, done["plan_version_id"])
        assert row is not None and row.problem_json
        visit = problem_from_dict(json.loads(row.problem_json)).visit(URGENT)
        served = plan_from_dict(json.loads(row.plan_json)).served_occurrences()
    assert visit.address == "Μητροπόλεως 3, Αίγιον" and visit.phone == "2691012345"
    assert visit.name == "Γεώργιος Παπαδόπουλος (επείγουσα / urgent)"
    page = coordinator.get(done["result_url"]).get_data(as_text=True)
    assert "Γεώργιος Παπαδόπουλος (επείγουσα)" in page and "/ urgent" not in page  # the page's language
    assert [day for day, _stop in served[URGENT]] == [TUE]
    assert "Νέα επίσκεψη: Γεώργιος Παπαδόπουλος, Τρίτη 8/12" in page  # "new" says it: no mark


def test_the_unassigned_list_tells_an_urgent_visit_from_the_care_plan_visit(
    coordinator: FlaskClient, app: Flask
) -> None:
    here = Location("b1", 38.2466, 22.0822, "Αίγιον")
    problem = small_problem()
    routine = Visit("cp-1", here, 45 * MINUTE, name="Γεώργιος Παπαδόπουλος", address="Μητροπόλεως 3, Αίγιον")
    urgent = urgent_visit(URGENT, here, 30, name="Γεώργιος Παπαδόπουλος", role="social_worker")
    problem = replace(problem, visits=(*problem.visits, routine, urgent))
    why = ("καμία διαθέσιμη ημέρα", "no available day")
    left = tuple(Unassigned(vid, 0, "no_available_day", *why) for vid in ("cp-1", URGENT))
    plan = Plan("x", (_route(MON, "hv-1"), _route(TUE, "hv-3")), left, 0, 1, 1.0, 0.1)
    page = coordinator.get(f"/desk/plans/{store_version(app, plan, 1, problem=problem)}").get_data(
        as_text=True
    )
    table = page[page.index('id="unassigned"') :]
    table = table[: table.index("</table>")]
    names = [cell.split("</td>")[0] for cell in table.split("<tr><td>")[1:]]
    # the higher priority first (the urgent visit's), as the list at scale orders them
    assert names == ["Γεώργιος Παπαδόπουλος (επείγουσα)", "Γεώργιος Παπαδόπουλος"]


def test_carried_over_lists_names_and_never_an_urgent_id(coordinator: FlaskClient, app: Flask) -> None:
    """A version stored before the fix lists last week's urgent visit as carried over: the
    page names only the visits this week has."""
    plan = Plan("x", (_route(MON, "hv-1"), _route(TUE, "hv-3")), (), 0, 1, 1.0, 0.1)
    pv_id = store_version(app, plan, 1, summary={"carried_over": ["hv-1", "urgent-b35"]})
    page = coordinator.get(f"/desk/plans/{pv_id}").get_data(as_text=True)
    carried = page[page.index('id="carried-over"') :]
    carried = carried[: carried.index("</p>")]
    assert "Αικατερίνη Ν." in carried and "urgent-b35" not in carried


def test_changes_name_an_urgent_visit_in_the_readers_language() -> None:
    change = PlanChange("moved", URGENT, "Γεώργιος Π. (επείγουσα / urgent)", 0, MON, TUE)
    [line] = week_changes([change])
    assert line.el == "Αλλαγή ημέρας: Γεώργιος Π. (επείγουσα), Δευτέρα 7/12 → Τρίτη 8/12"
    assert line.en == "Day changed: Γεώργιος Π. (urgent), Monday 7/12 → Tuesday 8/12"


# --- the office's outcomes page, conflicts and management (follow-up in other files) ----------


def test_the_office_lists_and_corrects_an_urgent_visits_outcome(
    driver: FlaskClient, field_app: Flask
) -> None:
    from webui_helpers import COORDINATOR

    doc = driver.get("/driver/today.json").get_json()
    assert _send(driver, plan_version_id=doc["plan_version_id"]).status_code == 200
    office = field_app.test_client()
    assert login(office, COORDINATOR).status_code == 302
    page = office.get("/desk/outcomes/2026-W50").get_data(as_text=True)
    assert (
        "Γεώργιος Παπαδόπουλος · επείγουσα επίσκεψη" in page or "Γεώργιος Παπαδόπουλος · urgent visit" in page
    )
    with session_scope(field_app.extensions["kinito_engine"]) as s:
        oid = s.scalars(select(VisitOutcome.id).where(VisitOutcome.visit_ref == URGENT)).one()
    form = office.get(f"/desk/outcomes/{oid}/correct").get_data(as_text=True)
    assert 'value="not_at_home"' in form
    assert (
        post(
            office, f"/desk/outcomes/{oid}/correct", {"status": "not_at_home", "note": "κλειστά"}
        ).status_code
        == 302
    )
    with session_scope(field_app.extensions["kinito_engine"]) as s:
        row = s.get(VisitOutcome, oid)
        assert row is not None and (row.status, row.note, row.beneficiary_id) == ("not_at_home", "κλειστά", 1)


def test_another_persons_urgent_visit_postponed_by_the_office_is_no_conflict(
    driver: FlaskClient, field_app: Flask
) -> None:
    """Two urgent visits name no care plan and no stop: only the same person's is the same visit."""
    with session_scope(field_app.extensions["kinito_engine"], actor="syntonistria") as s:
        at = datetime(2026, 12, 7, 8, tzinfo=UTC)
        s.add(VisitOutcome(beneficiary_id=4, visit_ref="urgent-b4", status="postponed", planned_date=TODAY,
                           occurred_at=at, recorded_by="syntonistria"))  # fmt: skip
    doc = driver.get("/driver/today.json").get_json()
    data = _send(driver, plan_version_id=doc["plan_version_id"]).get_json()
    assert data["ok"] and data["conflict"] is None and data["on_route"] is True


def test_management_counts_an_urgent_visit_done_as_a_home_visit_for_the_person(
    driver: FlaskClient, field_app: Flask
) -> None:
    from webui.coverage import compute_figures

    doc = driver.get("/driver/today.json").get_json()
    assert _send(driver, plan_version_id=doc["plan_version_id"]).status_code == 200
    with session_scope(field_app.extensions["kinito_engine"]) as s:
        figures = compute_figures(s, TODAY, TODAY, today=TODAY)
    assert figures.outcomes_home["done"] == 1 and figures.outcomes_stops["done"] == 0
    assert figures.beneficiaries_served == 1


def test_a_dropped_urgent_visit_is_not_said_to_be_a_paused_plan() -> None:
    """A re-plan without an earlier version's urgent visit: the change says it was that
    version's urgent visit (add it again if still needed), not «πλάνο σε παύση ή λήξη»."""
    from dataclasses import replace

    from webui_helpers import MON, small_problem

    from planner.model import HOUR, MINUTE, Plan, Route, Stop, Visit
    from planner.register.week import plan_change_items, plan_changes
    from webui.adjust import week_changes

    now = small_problem()
    urgent = Visit("urgent-b7", now.visits[0].location, 30 * MINUTE, name="Ελένη Π. (επείγουσα / urgent)")
    before_problem = replace(now, visits=(*now.visits, urgent))
    stop = Stop("urgent-b7", 0, 9 * HOUR, 9 * HOUR, 9 * HOUR + 30 * MINUTE, 1800, 20_000)
    route = Route("van1", MON, 8 * HOUR, 10 * HOUR, (stop,), return_travel=1800, return_distance=20_000)
    before = Plan("v1", (route,), (), 0, 1, 1.0, 0.1)
    after = Plan("v2", (), (), 0, 1, 1.0, 0.1)
    (line,) = plan_changes(before, after, now, before_problem)
    assert "επείγουσα επίσκεψη της προηγούμενης έκδοσης" in line and "an urgent visit" in line
    assert "παύση" not in line
    (change,) = week_changes(plan_change_items(before, after, now, before_problem))
    assert "επείγουσα επίσκεψη της προηγούμενης έκδοσης" in change.el and "παύση" not in change.el
    assert "add it again in Adjust" in change.en
