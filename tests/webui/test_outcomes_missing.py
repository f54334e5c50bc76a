"""The office's outcomes page: the published plan's visits with no outcome, and recording one.

A new Centre's first weeks: the driver phones in «done» for three stops, or the tablet breaks.
The week's page lists each stop of the published plan on a day up to today that has no
outcome, and records one from the list (the coordinator only, CSRF as every form), through
the register's ``record_outcome``: audited, under the coordinator's name, on the route's day
and the published version, at the time given in Athens.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from field_helpers import TODAY, publish_week
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webui_helpers import COORDINATOR, DRIVER, MANAGEMENT, csrf_token, login, post

from planner.register.db import session_scope
from planner.register.models import AuditLog, PlanVersion, VisitOutcome
from planner.register.outcomes import ATHENS, record_outcome
from planner.register.week import publish
from planner.render import hhmm
from planner.schema import plan_from_dict
from webui import create_app

WEEK = "2026-W50"
MON, TUE, WED = TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=2)
URL = f"/desk/outcomes/{WEEK}"
RECORD = f"{URL}/record"
_ROW = re.compile(r'<tr id="missing-(\d{4}-\d\d-\d\d)-([\w-]+)"')


@pytest.fixture(scope="module")
def published_template(register_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The test register with week 2026-W50 published (cp-1, cp-3 and vs-1 on Monday, cp-2 on
    Wednesday), built once."""
    path = tmp_path_factory.mktemp("published-missing") / "register.sqlite3"
    return path, publish_week(register_template, path)


@pytest.fixture
def office_app(published_template: tuple[Path, int], tmp_path: Path) -> Iterator[Flask]:
    """The app on a copy of the published register; today is Tuesday 8 December 2026."""
    db = tmp_path / "register.sqlite3"
    shutil.copy(published_template[0], db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": TUE.isoformat()})  # fmt: skip
    yield app
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()


@pytest.fixture
def office(office_app: Flask) -> FlaskClient:
    """The coordinator, logged in."""
    client = office_app.test_client()
    assert login(client, COORDINATOR).status_code == 302
    return client


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _missing(page: str) -> set[tuple[str, str]]:
    """(day, visit) of the rows of the page's «Χωρίς καταγραφή» list."""
    section = page[page.index('id="missing-visits"') :]
    return set(_ROW.findall(section[: section.index("</table>")]))


def _row(page: str, day: date, visit_id: str) -> str:
    row = page[page.index(f'<tr id="missing-{day.isoformat()}-{visit_id}"') :]
    return row[: row.index("</tr>")]


def _planned(app: Flask, version_id: int) -> dict[tuple[str, str], str]:
    """(day, visit) -> planned start (HH:MM) of every stop of a version, read from its plan."""
    with session_scope(app.extensions["kinito_engine"]) as s:
        version = s.get(PlanVersion, version_id)
        assert version is not None
        plan = plan_from_dict(json.loads(version.plan_json))
    return {(r.date.isoformat(), x.visit_id): hhmm(x.start) for r in plan.routes for x in r.stops}


def _outcomes(app: Flask, visit_id: str) -> list[VisitOutcome]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = list(s.scalars(select(VisitOutcome).where(VisitOutcome.visit_ref == visit_id)))
        s.expunge_all()
    return rows


def _count(app: Flask) -> int:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return int(s.scalar(select(func.count()).select_from(VisitOutcome)) or 0)


def _form(
    day: date, visit_id: str, status: str = "done", time: str = "10:40", note: str = ""
) -> dict[str, str]:
    return {"visit_id": visit_id, "day": day.isoformat(), "status": status, "time": time, "note": note}


def test_the_list_shows_exactly_the_planned_stops_without_outcomes_up_to_today(
    office: FlaskClient, office_app: Flask, published_template: tuple[Path, int]
) -> None:
    """Today is Tuesday: Monday's stops without an outcome, not Monday's stop with one, not
    Wednesday's (to come); an outcome of the same visit on another day leaves its row. Each row
    gives the day, the unit, the planned start and who or where; Wednesday's stop is listed
    once Wednesday is today. A week with no published plan lists nothing."""
    version_id = published_template[1]
    planned = _planned(office_app, version_id)
    with session_scope(office_app.extensions["kinito_engine"], actor=DRIVER) as s:
        record_outcome(s, "cp-3", "done", on=MON, recorded_by=DRIVER, plan_version_id=version_id)
        record_outcome(s, "cp-1", "not_at_home", on=TUE, recorded_by=DRIVER)  # not Monday's
    page = _text(office.get(URL))
    expected = {key for key in planned if key[0] <= TUE.isoformat()} - {(MON.isoformat(), "cp-3")}
    assert _missing(page) == expected == {(MON.isoformat(), "cp-1"), (MON.isoformat(), "vs-1")}
    person = _row(page, MON, "cp-1")
    assert "Δευ 7/12" in person and "van1" in person and planned[(MON.isoformat(), "cp-1")] in person
    assert "Γεώργιος Παπαδόπουλος" in person and "Αίγιον" in person
    stop = _row(page, MON, "vs-1")
    assert "Στάση σε οικισμό · Πλατεία" in stop and "Κουνινά" in stop
    assert planned[(MON.isoformat(), "vs-1")] in stop
    assert (WED.isoformat(), "cp-2") in planned  # planned, but its day has not come
    office_app.config["TODAY"] = WED.isoformat()
    assert _missing(_text(office.get(URL))) == expected | {(WED.isoformat(), "cp-2")}
    assert _missing(_text(office.get("/desk/outcomes/2026-W49"))) == set()


def test_recording_from_the_list_stores_it_once_audited(
    office: FlaskClient, office_app: Flask, published_template: tuple[Path, int]
) -> None:
    """The row's form (the planned start by default) records «done» with a note at 10:40:
    one outcome, by the coordinator, on the published version, on Monday, 10:40 in Athens, the
    crew's social worker as staff; the audit log has the insert under the coordinator's name.
    The row leaves the list and the outcome is in the recorded list; posting it again stores
    nothing more."""
    version_id = published_template[1]
    page = _text(office.get(URL))
    row = _row(page, MON, "cp-1")
    assert f'value="{_planned(office_app, version_id)[(MON.isoformat(), "cp-1")]}"' in row
    assert 'name="csrf_token"' in row
    response = post(office, RECORD, _form(MON, "cp-1", note="τηλεφώνησε ο οδηγός"))
    assert response.status_code == 302 and response.location.startswith(URL)
    [stored] = _outcomes(office_app, "cp-1")
    assert (stored.status, stored.recorded_by, stored.plan_version_id) == ("done", COORDINATOR, version_id)
    assert stored.planned_date == MON and stored.note == "τηλεφώνησε ο οδηγός" and stored.client_ref is None
    assert stored.care_plan_id == 1 and stored.staff_id is not None
    occurred = (
        stored.occurred_at.replace(tzinfo=UTC) if stored.occurred_at.tzinfo is None else stored.occurred_at
    )
    assert occurred == datetime(2026, 12, 7, 10, 40, tzinfo=ATHENS)
    with session_scope(office_app.extensions["kinito_engine"]) as s:
        audit = s.scalars(
            select(AuditLog).where(AuditLog.entity == "visit_outcomes", AuditLog.entity_id == str(stored.id))
        ).one()
        assert (audit.action, audit.actor) == ("insert", COORDINATOR)
    page = _text(office.get(URL))
    assert _missing(page) == {(MON.isoformat(), "cp-3"), (MON.isoformat(), "vs-1")}
    recorded = page[page.index(f'id="outcome-{stored.id}"') :]
    recorded = recorded[: recorded.index("</tr>")]
    assert "τηλεφώνησε ο οδηγός" in recorded and COORDINATOR in recorded and "Έγινε" in recorded
    again = post(office, RECORD, _form(MON, "cp-1", status="not_at_home"))
    assert again.status_code == 422 and 'class="flash error"' in _text(again)
    assert len(_outcomes(office_app, "cp-1")) == 1


def test_a_village_stop_offers_no_not_at_home_and_refuses_a_forged_one(
    office: FlaskClient, office_app: Flask
) -> None:
    """The stop's row offers done, cancelled, postponed; a home visit's also not at home. A
    forged «not at home» for the stop is refused with the register's message, the note typed
    kept on the row, nothing stored; then «cancelled» goes through."""
    page = _text(office.get(URL))
    stop = _row(page, MON, "vs-1")
    assert 'value="not_at_home"' not in stop
    assert all(f'value="{s}"' in stop for s in ("done", "cancelled", "postponed"))
    assert 'value="not_at_home"' in _row(page, MON, "cp-1")
    forged = post(office, RECORD, _form(MON, "vs-1", status="not_at_home", note="κλειστή πλατεία"))
    assert forged.status_code == 422
    refused = _text(forged)
    assert "στάση σε οικισμό" in refused and 'class="flash error"' in refused
    assert 'value="κλειστή πλατεία"' in _row(refused, MON, "vs-1")
    assert _outcomes(office_app, "vs-1") == []
    assert post(office, RECORD, _form(MON, "vs-1", status="cancelled")).status_code == 302
    assert [o.status for o in _outcomes(office_app, "vs-1")] == ["cancelled"]


def test_a_future_day_and_what_is_not_planned_are_refused(office: FlaskClient, office_app: Flask) -> None:
    """Wednesday's planned visit is refused on Tuesday (its day has not come); so are a visit
    the plan does not have that day, a day of another week, a time that is not HH:MM and an
    unknown status: each with a message, nothing stored, never a 500."""
    future = post(office, RECORD, _form(WED, "cp-2"))
    assert future.status_code == 422 and "δεν έχει έρθει ακόμη" in _text(future)
    for bad in (
        _form(MON, "cp-2"),  # cp-2 is planned on Wednesday, not Monday
        _form(MON, "cp-4"),  # unassigned
        _form(MON, "urgent-b9"),
        _form(MON, "nonsense"),
        _form(MON - timedelta(days=7), "cp-1"),  # another week's day
        {**_form(MON, "cp-1"), "day": "07/12/2026"},
        _form(MON, "cp-1", time="25:00"),
        _form(MON, "cp-1", time=""),
        _form(MON, "cp-1", status="lost"),
        _form(MON, "cp-1", note="x" * 2001),
    ):
        response = post(office, RECORD, bad)
        assert response.status_code == 422 and 'class="flash error"' in _text(response), bad
    assert "Η ώρα δεν είναι έγκυρη" in _text(post(office, RECORD, _form(MON, "cp-1", time="25:00")))
    assert _count(office_app) == 0
    assert post(office, "/desk/outcomes/2026-W60/record", _form(MON, "cp-1")).status_code == 404


@pytest.mark.parametrize("user", [DRIVER, MANAGEMENT])
def test_only_the_coordinator_records(office_app: Flask, user: str) -> None:
    """The driver and management get 403 on the page and on the recording; nothing is stored."""
    client = office_app.test_client()
    assert login(client, user).status_code == 302
    assert client.get(URL).status_code == 403
    assert post(client, RECORD, _form(MON, "cp-1")).status_code == 403
    assert _count(office_app) == 0


def test_recording_needs_the_csrf_token(office: FlaskClient, office_app: Flask) -> None:
    """Without the page's token the recording is refused (400) and nothing is stored; with it,
    it goes through."""
    assert office.post(RECORD, data=_form(MON, "cp-1")).status_code == 400
    assert office.post(RECORD, data={**_form(MON, "cp-1"), "csrf_token": "forged"}).status_code == 400
    assert _count(office_app) == 0
    token = csrf_token(office, URL)
    assert office.post(RECORD, data={**_form(MON, "cp-1"), "csrf_token": token}).status_code == 302
    assert len(_outcomes(office_app, "cp-1")) == 1


def test_an_urgent_visit_is_recorded_like_any_other(
    office: FlaskClient, office_app: Flask, published_template: tuple[Path, int]
) -> None:
    """An urgent visit added in Adjust to Monday's route, published as version 2 (version 1
    back to draft): listed with its person, recorded against the person on version 2."""
    engine = office_app.extensions["kinito_engine"]
    with session_scope(engine, actor="fixture") as s:
        base = s.get(PlanVersion, published_template[1])
        assert base is not None
        plan, problem = json.loads(base.plan_json), json.loads(base.problem_json)
        template = next(v for v in problem["visits"] if v["id"] == "cp-1")
        problem["visits"].append(
            {**template, "id": "urgent-b2", "name": "Αικατερίνη Νικολάου (επείγουσα / urgent)"}
        )
        for route in plan["routes"]:
            if route["date"] == MON.isoformat():
                last = next(x for x in reversed(route["steps"]) if x["type"] == "visit")
                route["steps"].insert(-1, {**last, "visit": "urgent-b2"})
        row = PlanVersion(
            iso_week=WEEK, unit_set=base.unit_set, version=2, status="draft",
            plan_json=json.dumps(plan), problem_json=json.dumps(problem), summary={},
        )  # fmt: skip
        s.add(row)
        s.flush()
        version_id = row.id
    publish(engine, version_id, actor="fixture")
    page = _text(office.get(URL))
    assert (MON.isoformat(), "urgent-b2") in _missing(page)
    assert "Αικατερίνη Νικολάου" in _row(page, MON, "urgent-b2")
    assert post(office, RECORD, _form(MON, "urgent-b2", time="12:30")).status_code == 302
    [stored] = _outcomes(office_app, "urgent-b2")
    assert (stored.beneficiary_id, stored.plan_version_id, stored.recorded_by) == (2, version_id, COORDINATOR)
    assert (MON.isoformat(), "urgent-b2") not in _missing(_text(office.get(URL)))
