"""The driver's pages through the test client: today's route, permissions, outcomes, CSRF."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from field_helpers import TODAY, TODAY_STOPS, publish_week
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webui_helpers import COORDINATOR, DRIVER, MANAGEMENT, csrf_token, login, post

from planner.register.db import session_scope
from planner.register.models import PlanVersion, Unit, User, VisitOutcome
from planner.register.week import build_week, publish
from webui import create_app
from webui.driver import off_route


@pytest.fixture(scope="module")
def published_template(register_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The test register with week 2026-W50 published (three stops on Monday), built once."""
    path = tmp_path_factory.mktemp("published") / "register.sqlite3"
    return path, publish_week(register_template, path)


@pytest.fixture
def field_app(published_template: tuple[Path, int], tmp_path: Path) -> Iterator[Flask]:
    """The app on a copy of the published register, with Monday 7 December 2026 as today."""
    import shutil

    db = tmp_path / "register.sqlite3"
    shutil.copy(published_template[0], db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": TODAY.isoformat()})  # fmt: skip
    yield app
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()


@pytest.fixture
def driver(field_app: Flask) -> FlaskClient:
    """A client logged in as the driver of van1."""
    client = field_app.test_client()
    assert login(client, DRIVER).status_code == 302
    return client


def _token(client: FlaskClient) -> str:
    return str(client.get("/driver/token.json").get_json()["csrf"])


def _send(client: FlaskClient, token: str | None = None, **fields: Any) -> Any:
    body: dict[str, Any] = {
        "client_ref": str(uuid.uuid4()), "visit_id": "cp-1", "status": "done", "note": "",
        "time": "09:50", "date": TODAY.isoformat(), "plan_version_id": 1,
    }  # fmt: skip
    body.update(fields)
    headers = {"X-CSRFToken": token if token is not None else _token(client)}
    return client.post("/driver/outcomes.json", json=body, headers=headers)


def new_version(
    engine: Any,
    base_id: int,
    *,
    drop: Iterable[str] = (),
    add: Iterable[str] = (),
    published: bool = True,
) -> int:
    """A new version of ``base_id``'s week as the office would make it, with Monday's route of
    van1 changed (``drop``: visits taken off it; ``add``: visits put on it, at its last stop's
    place and times), published through :func:`publish` (the base version goes back to draft)
    unless ``published`` is false; returns its id."""
    with session_scope(engine, actor="fixture") as s:
        base = s.get(PlanVersion, base_id)
        assert base is not None
        plan = json.loads(base.plan_json)
        for route in plan["routes"]:
            if route["unit"] == "unit-1" and route["date"] == TODAY.isoformat():
                steps = [x for x in route["steps"] if x.get("visit") not in set(drop)]
                last = next(x for x in reversed(route["steps"]) if x["type"] == "visit")
                for visit in add:
                    steps.insert(-1, {**last, "visit": visit})
                route["steps"] = steps
        row = PlanVersion(iso_week=base.iso_week, unit_set=base.unit_set, version=base.version + 1,
                          status="draft", plan_json=json.dumps(plan), problem_json=base.problem_json,
                          summary={})  # fmt: skip
        s.add(row)
        s.flush()
        new_id = row.id
    if published:
        publish(engine, new_id, actor="fixture")
    return new_id


def _count(app: Flask) -> int:
    with session_scope(app.extensions["kinito_engine"]) as s:
        query = select(func.count()).select_from(VisitOutcome).where(VisitOutcome.plan_version_id == 1)
        return int(s.scalar(query) or 0)


def test_today_page_loads_in_greek_for_the_driver(driver: FlaskClient) -> None:
    """The page names the day in Greek and links the data, the service worker and the scripts."""
    page = driver.get("/driver/").get_data(as_text=True)
    assert "Δευτέρα 7 Δεκεμβρίου 2026" in page and "van1" in page
    urls = ("/driver/today.json", "/driver/sw.js", "/static/driver/driver.js", "/vendor/leaflet/leaflet.js")
    for url in urls:
        assert url in page


def test_today_json_is_the_published_route_of_the_drivers_unit_today(driver: FlaskClient) -> None:
    """Three stops in the plan's order, with times, phone and point; only Monday's route."""
    doc = driver.get("/driver/today.json").get_json()
    assert doc["date"] == "2026-12-07" and doc["plan_version_id"] == 1 and doc["unit"] == "van1"
    assert sorted(s["visit_id"] for s in doc["stops"]) == sorted(TODAY_STOPS)
    assert [s["number"] for s in doc["stops"]] == [1, 2, 3]
    starts = [s["start"] for s in doc["stops"]]
    assert starts == sorted(starts) and all(s["end"] - s["start"] == s["service"] for s in doc["stops"])
    person = next(s for s in doc["stops"] if s["visit_id"] == "cp-1")
    assert person["name"] == "Γεώργιος Παπαδόπουλος" and person["phone"] == "2691012345"
    assert "ΕΥΑΙΣΘΗΤΟ" not in str(doc)  # the person's notes never reach the tablet
    assert doc["csrf"]


def test_driver_with_no_route_today_gets_none(driver: FlaskClient, field_app: Flask) -> None:
    """On Sunday there is no route: ``stops`` is null and the page says so."""
    field_app.config["TODAY"] = (TODAY + timedelta(days=6)).isoformat()
    doc = driver.get("/driver/today.json").get_json()
    assert doc["stops"] is None
    assert "Δεν υπάρχει δημοσιευμένο δρομολόγιο" in driver.get("/driver/").get_data(as_text=True)


def test_a_draft_is_not_shown_to_the_driver(driver: FlaskClient, field_app: Flask) -> None:
    """An unpublished version of the week is not what drivers see."""
    from planner.register.models import PlanVersion

    with session_scope(field_app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, 1)
        assert row is not None
        row.status = "draft"
    assert driver.get("/driver/today.json").get_json()["stops"] is None


def test_driver_asking_for_another_day_is_refused(driver: FlaskClient) -> None:
    """Tomorrow's or yesterday's route of his own unit: 403."""
    for day in (TODAY + timedelta(days=1), TODAY - timedelta(days=1)):
        assert driver.get(f"/driver/routes/1/{day.isoformat()}.json").status_code == 403
    assert driver.get(f"/driver/routes/1/{TODAY.isoformat()}.json").status_code == 200
    assert driver.get("/driver/routes/1/not-a-date.json").status_code == 404


def test_driver_asking_for_another_units_route_is_refused(driver: FlaskClient, field_app: Flask) -> None:
    """Another unit's route today: 403, even when it exists."""
    with session_scope(field_app.extensions["kinito_engine"]) as s:
        other = Unit(name="car2", base_name="Αίγιο", base_lat=38.25, base_lon=22.08)
        s.add(other)
        s.flush()
        other_id = other.id
    assert driver.get(f"/driver/routes/{other_id}/{TODAY.isoformat()}.json").status_code == 403


def test_driver_without_a_unit_sees_no_route(driver: FlaskClient, field_app: Flask) -> None:
    """An account with no unit is told to ask the office, and gets no data."""
    with session_scope(field_app.extensions["kinito_engine"]) as s:
        user = s.scalars(select(User).where(User.username == DRIVER)).one()
        user.unit_id = None
    assert driver.get("/driver/today.json").get_json()["unit"] is None
    assert "δεν έχει μονάδα" in driver.get("/driver/").get_data(as_text=True)
    assert driver.get(f"/driver/routes/1/{TODAY.isoformat()}.json").status_code == 403


@pytest.mark.parametrize("username", [COORDINATOR, MANAGEMENT])
def test_other_roles_cannot_open_the_drivers_pages_or_post_outcomes(field_app: Flask, username: str) -> None:
    """The coordinator records outcomes with ``kinito outcome``, not as the driver: 403 here."""
    client = field_app.test_client()
    login(client, username)
    for url in ("/driver/", "/driver/today.json", "/driver/token.json", "/driver/sw.js"):
        assert client.get(url).status_code == 403, url
    valid = csrf_token(client, "/")  # a good token of their own session: the role still refuses
    assert _send(client, token=valid).status_code == 403
    assert _count(field_app) == 0


def test_anonymous_json_gets_401_not_a_log_in_page(field_app: Flask) -> None:
    """The tablet's scripts learn that the session ended (and keep their queue)."""
    client = field_app.test_client()
    assert client.get("/driver/today.json").status_code == 401
    assert client.post("/driver/outcomes.json", json={}).status_code in (400, 401)


def test_an_outcome_is_stored_with_who_when_and_the_version(driver: FlaskClient, field_app: Flask) -> None:
    """Done at 09:50 Athens on the route's day, by the driver, the crew's social worker as staff."""
    ref = str(uuid.uuid4())
    answer = _send(driver, client_ref=ref, note="Όλα καλά.")
    assert answer.status_code == 200 and answer.get_json()["created"] is True
    with session_scope(field_app.extensions["kinito_engine"]) as s:
        row = s.scalars(select(VisitOutcome).where(VisitOutcome.client_ref == ref)).one()
        assert (row.visit_ref, row.care_plan_id, row.status, row.plan_version_id) == ("cp-1", 1, "done", 1)
        assert row.recorded_by == DRIVER and row.planned_date == TODAY and row.note == "Όλα καλά."
        assert row.occurred_at.strftime("%Y-%m-%d %H:%M") == "2026-12-07 07:50"  # UTC
        assert row.staff_id == 1  # Μαρία Κ., the social worker aboard


def test_the_same_outcome_sent_twice_is_stored_once(driver: FlaskClient, field_app: Flask) -> None:
    """A resend with the same client_ref answers with the stored row and writes nothing."""
    ref = str(uuid.uuid4())
    first = _send(driver, client_ref=ref).get_json()
    second = _send(driver, client_ref=ref).get_json()
    assert first["created"] is True and second["created"] is False
    assert first["outcome_id"] == second["outcome_id"]
    assert _count(field_app) == 1


def test_an_outcome_without_csrf_token_is_refused(driver: FlaskClient, field_app: Flask) -> None:
    """No header, or a wrong one: 400, nothing stored."""
    assert _send(driver, token="").status_code == 400
    assert _send(driver, token="not-a-token").status_code == 400
    assert _count(field_app) == 0


def test_a_token_from_an_earlier_page_still_works_in_the_same_session(driver: FlaskClient) -> None:
    """The token is bound to the session: the one in today.json (cached) is accepted later."""
    token = driver.get("/driver/today.json").get_json()["csrf"]
    driver.get("/driver/")
    assert _send(driver, token=token).status_code == 200


def test_outcomes_outside_the_drivers_route_are_refused(driver: FlaskClient, field_app: Flask) -> None:
    """A visit not on today's route (cp-2 is on Wednesday), a wrong day, a made-up version:
    refused, with a Greek reason the tablet shows."""
    answer = _send(driver, visit_id="cp-2")
    assert answer.status_code == 403
    assert (
        answer.get_json()["error"]
        == "Αυτή η επίσκεψη δεν είναι στο δρομολόγιο της μονάδας σας εκείνη την ημέρα."
    )
    future = _send(driver, date=(TODAY + timedelta(days=2)).isoformat())
    assert future.status_code == 422
    assert "δεν έχει έρθει ακόμη" in future.get_json()["error"]  # not "the day is over"
    assert _send(driver, visit_id="cp-2", plan_version_id=99).status_code == 403
    assert _send(driver, visit_id="xx-1").status_code == 403
    assert _count(field_app) == 0


def test_a_queued_outcome_is_accepted_after_the_office_publishes_a_new_version(
    driver: FlaskClient, field_app: Flask
) -> None:
    """The tablet recorded cp-1 done on version 1 (offline); the office published version 2
    with Monday's route unchanged (version 1 is a draft again). Sent later, the outcome is
    stored against version 2 with its note, and today.json shows it; whatever version the
    tablet names, a visit on today's published route is accepted."""
    engine = field_app.extensions["kinito_engine"]
    second = new_version(engine, 1)
    ref = str(uuid.uuid4())
    answer = _send(driver, client_ref=ref, visit_id="cp-1", note="Ζήτησε φάρμακα.", plan_version_id=1)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["on_route"] is True and answer.get_json()["plan_version_id"] == second
    with session_scope(engine) as s:
        row = s.scalars(select(VisitOutcome).where(VisitOutcome.client_ref == ref)).one()
        assert (row.plan_version_id, row.note, row.status, row.staff_id) == (
            second,
            "Ζήτησε φάρμακα.",
            "done",
            1,
        )
    doc = driver.get("/driver/today.json").get_json()
    assert doc["plan_version_id"] == second and doc["outcomes"]["cp-1"]["status"] == "done"
    assert _send(driver, visit_id="cp-3", plan_version_id=99).status_code == 200


def test_an_outcome_for_a_visit_taken_off_the_route_since_is_kept_and_flagged(
    driver: FlaskClient, field_app: Flask
) -> None:
    """Version 2 takes cp-1 off Monday while the tablet is offline with version 1: the outcome
    is a fact, so it is stored (against version 1, the route the driver had), the answer says
    it is no longer on the route, and the office's outcomes page names it in a warning. cp-3,
    still on the route, is stored against version 2 and not flagged."""
    engine = field_app.extensions["kinito_engine"]
    second = new_version(engine, 1, drop=["cp-1"])
    ref = str(uuid.uuid4())
    answer = _send(driver, client_ref=ref, visit_id="cp-1", note="Όλα καλά.", plan_version_id=1)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["on_route"] is False and answer.get_json()["created"] is True
    again = _send(driver, client_ref=ref, visit_id="cp-1", note="Όλα καλά.", plan_version_id=1).get_json()
    assert (again["created"], again["on_route"]) == (False, False)
    assert _send(driver, visit_id="cp-3", plan_version_id=1).get_json()["on_route"] is True
    with session_scope(engine) as s:
        rows = {r.visit_ref: r for r in s.scalars(select(VisitOutcome))}
        assert (rows["cp-1"].plan_version_id, rows["cp-1"].note) == (1, "Όλα καλά.")
        assert rows["cp-3"].plan_version_id == second
        assert off_route(s, list(rows.values())) == {rows["cp-1"].id}
    office = field_app.test_client()
    login(office, COORDINATOR)
    page = office.get("/desk/outcomes/2026-W50").get_data(as_text=True)
    warning = page[page.index("δρομολόγιο που άλλαξε") :]
    warning = warning[: warning.index("</p>")]
    assert "Γεώργιος Παπαδόπουλος" in warning and "Δευ 7/12" in warning
    # and the row itself, not cp-3's
    flagged = page[page.index(f'id="outcome-{rows["cp-1"].id}"') :]
    assert 'off-route"' in flagged[:80] and "το δρομολόγιό της άλλαξε" in flagged[: flagged.index("</tr>")]
    other = page[page.index(f'id="outcome-{rows["cp-3"].id}"') :]
    assert "off-route" not in other[: other.index("</tr>")]


def test_a_never_published_version_gives_no_right_to_record(driver: FlaskClient, field_app: Flask) -> None:
    """A draft the office never published (cp-2 put on Monday in it): the driver was never
    sent there, so nothing is stored; nor on another unit's published version."""
    engine = field_app.extensions["kinito_engine"]
    draft = new_version(engine, 1, add=["cp-2"], published=False)
    assert _send(driver, visit_id="cp-2", plan_version_id=draft).status_code == 403
    with session_scope(engine) as s:
        other = Unit(name="car2", base_name="Αίγιο", base_lat=38.25, base_lon=22.08)
        s.add(other)
        s.flush()
        version = s.get(PlanVersion, draft)
        assert version is not None
        version.unit_set = str(other.id)
    publish(engine, draft, actor="fixture")
    assert _send(driver, visit_id="cp-2", plan_version_id=draft).status_code == 403
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(VisitOutcome)) == 0


def test_a_village_stop_is_never_not_at_home(driver: FlaskClient, field_app: Flask) -> None:
    """vs-1 is on today's route: the tablet is offered done and cancelled for it (a home visit
    also not at home); "not at home" sent anyway is refused with a Greek reason."""
    doc = driver.get("/driver/today.json").get_json()
    choices = {s["visit_id"]: s["choices"] for s in doc["stops"]}
    assert choices["vs-1"] == ["done", "cancelled"]
    assert choices["cp-1"] == ["done", "not_at_home", "cancelled"]
    answer = _send(driver, visit_id="vs-1", status="not_at_home")
    assert answer.status_code == 422
    assert "στάση σε οικισμό" in answer.get_json()["error"] and "Έγινε" in answer.get_json()["error"]
    assert _count(field_app) == 0
    assert _send(driver, visit_id="vs-1", status="cancelled").status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "postponed"),
        ("status", "arrived"),
        ("time", "25:00"),
        ("client_ref", "x"),
        ("note", "x" * 1001),
    ],
)
def test_malformed_outcomes_are_refused(
    driver: FlaskClient, field_app: Flask, field: str, value: str
) -> None:
    """Postponing is the office's call; arrival stays on the tablet; bad times and refs: 422."""
    assert _send(driver, **{field: value}).status_code == 422
    assert _count(field_app) == 0


def test_a_queued_outcome_sent_the_next_morning_is_accepted(driver: FlaskClient, field_app: Flask) -> None:
    """Offline all Monday, sent on Tuesday: stored on Monday's date."""
    field_app.config["TODAY"] = date(2026, 12, 8).isoformat()
    assert _send(driver).status_code == 200
    field_app.config["TODAY"] = date(2026, 12, 20).isoformat()
    late = _send(driver)
    assert late.status_code == 422  # more than a week later: the office must hear of it
    assert "έχει περάσει" in late.get_json()["error"]
    assert _count(field_app) == 1


def test_done_outcomes_make_the_visit_not_due_next_week(driver: FlaskClient, field_app: Flask) -> None:
    """cp-1 (weekly) done on Monday of W50 counts as done for the week builder: W51 still due
    once (weekly), but no longer overdue; an every-2-weeks rhythm would not be due."""
    assert _send(driver, visit_id="cp-1").status_code == 200
    with session_scope(field_app.extensions["kinito_engine"]) as s:
        from planner.register.models import CarePlan

        plan = s.get(CarePlan, 1)
        assert plan is not None
        plan.frequency_kind, plan.frequency_count = "every_n_weeks", 2
    with session_scope(field_app.extensions["kinito_engine"]) as s:
        week = build_week(s, "2026-W51")
    assert "cp-1" not in {v.id for v in week.problem.visits}


def test_service_worker_is_served_with_the_kept_urls(driver: FlaskClient) -> None:
    """JavaScript, scope /driver/, keeping the page, its data, the scripts, styles and Leaflet."""
    response = driver.get("/driver/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    text = response.get_data(as_text=True)
    for url in ("/driver/", "/driver/today.json", "/static/driver/driver.js", "/static/kinito.css",
                "/vendor/leaflet/leaflet.js", "/vendor/leaflet/leaflet.css"):  # fmt: skip
        assert f'"{url}"' in text
    assert "/driver/token.json" not in text and "outcomes.json" not in text


def test_outcomes_stay_shown_after_a_new_version(driver: FlaskClient, field_app: Flask) -> None:
    """Re-planned mid-day: the tablet switches to version 2 and still shows what was recorded."""
    from datetime import UTC, datetime

    from planner.register.models import PlanVersion

    assert _send(driver, visit_id="cp-1", time="09:50").status_code == 200
    with session_scope(field_app.extensions["kinito_engine"]) as s:
        first = s.get(PlanVersion, 1)
        assert first is not None
        s.add(PlanVersion(iso_week=first.iso_week, unit_set=first.unit_set, version=2, status="published",
                          plan_json=first.plan_json, problem_json=first.problem_json, summary={},
                          published_at=datetime.now(UTC)))  # fmt: skip
    doc = driver.get("/driver/today.json").get_json()
    assert doc["plan_version_id"] == 2 and doc["version"] == 2
    assert doc["outcomes"] == {"cp-1": {"status": "done", "time": "09:50", "note": ""}}
    assert _send(driver, visit_id="cp-3", plan_version_id=2).status_code == 200


def test_a_drivers_session_lasts_a_working_day(driver: FlaskClient) -> None:
    """A driver idle for two hours (a long visit and a drive) is still logged in, and the
    cookie lives that long; after 12 idle hours, or 14 since log-in, the session ends."""
    with driver.session_transaction() as session:
        session["seen"] = session["seen"] - 2 * 3600
        session["since"] = session["since"] - 9 * 3600
    response = driver.get("/driver/token.json")
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert (expires - datetime.now(UTC)).total_seconds() > 13 * 3600
    with driver.session_transaction() as session:
        session["since"] = session["since"] - 5 * 3600 - 60  # 14 h since log-in
    assert driver.get("/driver/token.json").status_code == 401
    assert login(driver, DRIVER).status_code == 302
    with driver.session_transaction() as session:
        session["seen"] = session["seen"] - 12 * 3600 - 60
    assert driver.get("/driver/token.json").status_code == 401


def test_other_roles_keep_the_short_idle_limit(field_app: Flask) -> None:
    """The long session is the driver's only: a coordinator idle 31 minutes logs in again."""
    client = field_app.test_client()
    login(client, COORDINATOR)
    with client.session_transaction() as session:
        session["seen"] = session["seen"] - 31 * 60
    assert client.get("/register/beneficiaries").status_code == 302


def test_the_office_s_outcome_is_what_the_tablet_shows(driver: FlaskClient, field_app: Flask) -> None:
    """Recorded on the tablet and corrected at the office to postponed, or recorded by the
    office alone (``kinito outcome``, no plan version): today.json carries it as it stands."""
    from planner.register.outcomes import record_outcome

    assert _send(driver, visit_id="cp-1").status_code == 200
    with session_scope(field_app.extensions["kinito_engine"], actor=COORDINATOR) as s:
        row = s.scalars(select(VisitOutcome).where(VisitOutcome.visit_ref == "cp-1")).one()
        row.status = "postponed"
        record_outcome(s, "cp-3", "postponed", on=TODAY, recorded_by=COORDINATOR)
    outcomes = driver.get("/driver/today.json").get_json()["outcomes"]
    assert {k: v["status"] for k, v in outcomes.items()} == {"cp-1": "postponed", "cp-3": "postponed"}


def _office_records(engine: Any, visit_id: str, status: str) -> int:
    """The office records ``status`` for ``visit_id`` today, as ``kinito outcome`` does (no
    device reference, no plan version); returns the row's id."""
    from planner.register.outcomes import record_outcome

    with session_scope(engine, actor=COORDINATOR) as s:
        return record_outcome(s, visit_id, status, on=TODAY, recorded_by=COORDINATOR, today=TODAY).outcome_id


def _office_page(field_app: Flask) -> str:
    office = field_app.test_client()
    login(office, COORDINATOR)
    return str(office.get("/desk/outcomes/2026-W50").get_data(as_text=True))


def test_done_for_a_visit_the_office_had_postponed_is_kept_beside_it_and_flagged(
    driver: FlaskClient, field_app: Flask
) -> None:
    """Third walkthrough: the office postponed cp-1 this morning (the person phoned); the
    tablet, offline since, sends "done" for it. The office's record is not overwritten and the
    driver's is not lost: both rows are stored; the answer tells the tablet (on_route false, so
    it lists it among the outcomes kept but flagged, and ``conflict``: postponed); the office's
    outcomes page names it in a warning and flags the row, until a correction makes them
    agree. A resend says the same."""
    engine = field_app.extensions["kinito_engine"]
    postponed = _office_records(engine, "cp-1", "postponed")
    ref = str(uuid.uuid4())
    answer = _send(driver, client_ref=ref, visit_id="cp-1", note="Μας άνοιξε τελικά.")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["created"], body["on_route"], body.get("conflict")) == (True, False, "postponed")
    again = _send(driver, client_ref=ref, visit_id="cp-1", note="Μας άνοιξε τελικά.").get_json()
    assert (again["created"], again["on_route"], again.get("conflict")) == (False, False, "postponed")
    with session_scope(engine) as s:
        rows = {r.id: r for r in s.scalars(select(VisitOutcome))}
        assert rows[postponed].status == "postponed" and rows[postponed].recorded_by == COORDINATOR
        done = next(r for r in rows.values() if r.client_ref == ref)
        assert (done.status, done.note, done.recorded_by) == ("done", "Μας άνοιξε τελικά.", DRIVER)
        done_id = done.id
    assert len(rows) == 2
    # the tablet's notice names the office's taking the visit off the day
    assert "τις είχε ήδη καταγράψει αλλιώς, π.χ. ως αναβολή" in driver.get("/driver/").get_data(as_text=True)

    page = _office_page(field_app)
    warning = page[page.index("για επίσκεψη που το γραφείο είχε ήδη καταγράψει αλλιώς") :]
    warning = warning[: warning.index("</p>")]
    assert "Δευ 7/12 Γεώργιος Παπαδόπουλος" in warning and "«Έγινε» από το τάμπλετ" in warning
    assert "«Αναβλήθηκε» από το γραφείο" in warning
    flagged = page[page.index(f'id="outcome-{done_id}"') :]
    flagged = flagged[: flagged.index("</tr>")]
    assert "office-conflict" in flagged[:80] and "το γραφείο είχε ήδη καταγράψει «Αναβλήθηκε»" in flagged
    office_row = page[page.index(f'id="outcome-{postponed}"') :]
    assert "office-conflict" not in office_row[: office_row.index("</tr>")]

    # the office corrects its own record (the visit was done after all): nothing flagged
    office = field_app.test_client()
    login(office, COORDINATOR)
    form = {"status": "done", "note": "Έγινε τελικά."}
    assert post(office, f"/desk/outcomes/{postponed}/correct", form).status_code == 302
    page = _office_page(field_app)
    assert "office-conflict" not in page and "είχε ήδη καταγράψει αλλιώς" not in page


def test_an_outcome_against_the_offices_correction_is_flagged_and_not_the_other_way_round(
    driver: FlaskClient, field_app: Flask
) -> None:
    """The tablet sent cp-1 not at home; the office then postponed the visit to another day:
    the office's reading of it, nothing to flag. cp-3 was sent done and the office corrected
    it to cancelled; a second tablet of the unit then sends cp-3 done: flagged against the
    office's correction."""
    engine = field_app.extensions["kinito_engine"]
    assert _send(driver, visit_id="cp-1", status="not_at_home").get_json().get("conflict") is None
    _office_records(engine, "cp-1", "postponed")
    first = _send(driver, visit_id="cp-3").get_json()
    assert (first["on_route"], first.get("conflict")) == (True, None)
    office = field_app.test_client()
    login(office, COORDINATOR)
    form = {"status": "cancelled", "note": ""}
    assert post(office, f"/desk/outcomes/{first['outcome_id']}/correct", form).status_code == 302
    second = _send(driver, visit_id="cp-3", time="11:00").get_json()
    assert (second["created"], second["on_route"], second.get("conflict")) == (True, False, "cancelled")
    page = _office_page(field_app)
    assert page.count("office-conflict") == 1
    flagged = page[page.index(f'id="outcome-{second["outcome_id"]}"') :]
    assert "office-conflict" in flagged[:80]


def test_a_postponement_the_office_recorded_shows_the_time_it_was_recorded(
    driver: FlaskClient, field_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Third walkthrough: the office postpones cp-1 at 09:12 with ``kinito outcome`` (which
    takes no time of day): the tablet reads "postponed, recorded at 09:12", not a made-up 12:00."""
    from zoneinfo import ZoneInfo

    from planner.register import outcomes

    at = datetime(2026, 12, 7, 9, 12, 41, tzinfo=ZoneInfo("Europe/Athens"))
    monkeypatch.setattr(outcomes, "_now", lambda: at, raising=False)
    _office_records(field_app.extensions["kinito_engine"], "cp-1", "postponed")
    doc = driver.get("/driver/today.json").get_json()
    assert doc["outcomes"]["cp-1"] == {"status": "postponed", "time": "09:12", "note": ""}
