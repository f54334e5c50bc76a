"""The planning desk: a week solved in a child process with live progress, the result page
(map, timeline, per-day tables, unassigned with reasons), publishing, versions."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import (
    COORDINATOR,
    DRIVER,
    MON,
    login,
    post,
    small_problem,
    small_problem_dict,
    store_version,
)

from planner.model import (
    HOUR,
    MINUTE,
    BreakStep,
    Route,
    Stop,
)
from planner.register.db import session_scope
from planner.register.models import AuditLog, CarePlan, PlanVersion
from planner.schema import problem_to_dict
from webui import create_app
from webui.jobs import JobRunner
from webui.planview import timeline

WEEK = "2026-W50"


def _wait(client: FlaskClient, job_url: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    seen: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        data = client.get(job_url).get_json()
        seen.append(data)
        if data["state"] != "running":
            data["_seen"] = seen
            return dict(data)
        time.sleep(0.1)
    raise AssertionError(f"job still running after {timeout} s: {seen[-1]}")


@pytest.fixture(scope="session")
def solved_template(
    register_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """The register after the small problem was solved once through the app (1 s): a copy per test."""
    path = tmp_path_factory.mktemp("solved") / "register.sqlite3"
    shutil.copy(register_template, path)
    application = create_app(
        {"DATABASE_URL": str(path), "INSTANCE_PATH": str(path.parent / "instance"), "TESTING": True}
    )
    try:
        client = application.test_client()
        login(client, COORDINATOR)
        runner: JobRunner = application.extensions["kinito_jobs"]
        job = runner.start(WEEK, COORDINATOR, time_limit=1.0, problem=problem_to_dict(small_problem()))
        data = _wait(client, f"/desk/jobs/{job.id}.json")
    finally:
        application.extensions["kinito_engine"].dispose()
    assert data["state"] == "done", data
    return path, data


@pytest.fixture
def db_file(solved_template: tuple[Path, dict[str, Any]], tmp_path: Path) -> Path:
    """This module's tests start on a register with the week solved once (version 1, a draft)."""
    path = tmp_path / "register.sqlite3"
    shutil.copy(solved_template[0], path)
    return path


@pytest.fixture
def solved(solved_template: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    """What the job reported when it finished."""
    return solved_template[1]


def test_desk_proposes_next_week_and_lists_the_versions(coordinator: FlaskClient) -> None:
    """The desk proposes the next ISO week and lists the stored versions."""
    from webui.desk import next_iso_week

    page = coordinator.get("/desk/").get_data(as_text=True)
    assert 'type="week"' in page and f'value="{next_iso_week()}"' in page
    assert WEEK in page and "πρόχειρη" in page
    assert next_iso_week(date(2026, 12, 31)) == "2027-W01"
    field = re.search(r'<input[^>]*id="time_limit"[^>]*>', page)
    assert field and 'value="1"' in field.group(0)  # the test's 1.0 s, written «1», not «1.0»


def test_a_job_reports_progress_and_stores_a_draft_version(solved: dict[str, Any], app: Flask) -> None:
    """The job ends done with its plan version stored as a draft by the coordinator; served 3 of 4."""
    assert (solved["served"], solved["wanted"]) == (3, 4)
    assert solved["version"] == 1 and solved["result_url"] == f"/desk/plans/{solved['plan_version_id']}"
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, solved["plan_version_id"])
        assert row is not None and (row.iso_week, row.status, row.created_by) == (WEEK, "draft", COORDINATOR)
        audit = s.scalars(select(AuditLog).where(AuditLog.entity == "plan_versions")).one()
        assert audit.action == "insert"
        assert audit.actor == COORDINATOR


def test_result_page_shows_map_timeline_days_and_unassigned(
    coordinator: FlaskClient, solved: dict[str, Any]
) -> None:
    """The result page: Greek dates, one timeline row and one table per route, the reason in Greek."""
    page = coordinator.get(solved["result_url"]).get_data(as_text=True)
    assert "Εβδομάδα 2026-W50, έκδοση 1" in page and "πρόχειρη" in page
    assert "Δευτέρα 7 Δεκεμβρίου 2026" in page
    assert 'id="plan-map"' in page and f"/desk/plans/{solved['plan_version_id']}/map" in page
    assert page.count('class="tl-row" data-date=') >= 1
    assert page.count('class="seg service"') == 3
    assert "Στάση Κουνινών" in page and "Αικατερίνη Ν." in page
    assert "Νυχτερινή" in page  # unassigned, with its Greek reason
    unassigned = page[page.index('id="unassigned"') :]
    assert "Νυχτερινή" in unassigned and "Όλες οι επισκέψεις" not in unassigned


def test_result_page_in_english_shows_the_english_reason(
    coordinator: FlaskClient, solved: dict[str, Any]
) -> None:
    """The unassigned reason follows the interface language."""
    post(coordinator, "/language", {"lang": "en"})
    page = coordinator.get(solved["result_url"]).get_data(as_text=True)
    assert "Monday 7 December 2026" in page and "Week 2026-W50, version 1" in page


def test_map_page_draws_offline_and_alone_may_run_inline_scripts(
    coordinator: FlaskClient, solved: dict[str, Any]
) -> None:
    """The map (planner.mapview) has Leaflet inlined, no tiles by default; only it allows inline scripts."""
    response = coordinator.get(f"/desk/plans/{solved['plan_version_id']}/map")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Leaflet 1.9.4" in page and "L.polyline(" in page and "L.tileLayer" not in page
    assert "script-src 'self' 'unsafe-inline'" in response.headers["Content-Security-Policy"]
    other = coordinator.get(solved["result_url"]).headers["Content-Security-Policy"]
    assert "script-src 'self';" in other


def test_publish_marks_the_version_and_keeps_it_listed(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """Publishing (with the token) marks the version published; the desk lists it."""
    url = f"/desk/plans/{solved['plan_version_id']}/publish"
    assert coordinator.post(url).status_code == 400  # no token
    assert post(coordinator, url).status_code == 302
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, solved["plan_version_id"])
        assert row is not None and row.status == "published" and row.published_at is not None
    desk = coordinator.get("/desk/").get_data(as_text=True)
    assert WEEK in desk and "δημοσιευμένη" in desk
    # who made it: the account's name, as the header says it, not the log-in «syntonistria»
    assert f'<td title="{COORDINATOR}">Ελένη Συντονίστρια (demo)</td>' in desk
    page = coordinator.get(f"/desk/plans/{solved['plan_version_id']}").get_data(as_text=True)
    assert "από Ελένη Συντονίστρια (demo)" in page


def test_a_second_run_is_version_two_and_both_stay_viewable(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """Re-planning the week makes version 2; version 1 is still there and linked."""
    runner: JobRunner = app.extensions["kinito_jobs"]
    job = runner.start(WEEK, COORDINATOR, time_limit=1.0, problem=problem_to_dict(small_problem()))
    second = _wait(coordinator, f"/desk/jobs/{job.id}.json")
    assert second["version"] == 2
    page = coordinator.get(second["result_url"]).get_data(as_text=True)
    assert "έκδοση 1" in page and "έκδοση 2" in page
    assert coordinator.get(solved["result_url"]).status_code == 200


def test_the_job_page_is_served_and_its_state_is_json(coordinator: FlaskClient, app: Flask) -> None:
    """The progress page shows the week and polls its JSON; an unknown job is 404."""
    runner: JobRunner = app.extensions["kinito_jobs"]
    job = runner.start(WEEK, COORDINATOR, time_limit=1.0, problem=problem_to_dict(small_problem()))
    page = coordinator.get(f"/desk/jobs/{job.id}").get_data(as_text=True)
    assert "Προγραμματισμός της εβδομάδας 2026-W50" in page and "desk.js" in page
    assert "Δευτέρα 7 Δεκεμβρίου 2026" in page
    _wait(coordinator, f"/desk/jobs/{job.id}.json")
    assert coordinator.get("/desk/jobs/nope.json").status_code == 404


def test_a_failing_job_says_why(coordinator: FlaskClient, app: Flask) -> None:
    """A problem the engine rejects ends the job as failed, with the message."""
    bad = problem_to_dict(small_problem())
    bad["visits"][0]["service"] = -5
    runner: JobRunner = app.extensions["kinito_jobs"]
    job = runner.start(WEEK, COORDINATOR, time_limit=1.0, problem=bad)
    data = _wait(coordinator, f"/desk/jobs/{job.id}.json")
    assert data["state"] == "failed" and data["error"]


def test_plan_button_rejects_a_bad_week(coordinator: FlaskClient) -> None:
    """The week must look like 2026-W49."""
    response = post(coordinator, "/desk/plan", {"iso_week": "next week", "time_limit": "1"})
    assert response.status_code == 302
    assert "Μια εβδομάδα όπως 2026-W49" in coordinator.get("/desk/").get_data(as_text=True)


def test_the_driver_cannot_open_the_desk_or_a_plan(client: FlaskClient, solved: dict[str, Any]) -> None:
    """The desk and its plans are the coordinator's."""
    post(client, "/logout")
    login(client, DRIVER)
    for page in ("/desk/", solved["result_url"], f"{solved['result_url']}/map", "/desk/jobs/x.json"):
        assert client.get(page).status_code == 403, page


def test_server_stays_responsive_while_a_job_runs(coordinator: FlaskClient, app: Flask) -> None:
    """The solve runs in a child process: pages answer meanwhile, many times over during one
    3 s search (a server that waited for the search would answer once or twice), each well
    within the search's time (a bound loose enough for a busy machine)."""
    runner: JobRunner = app.extensions["kinito_jobs"]
    job = runner.start(WEEK, COORDINATOR, time_limit=3.0, problem=problem_to_dict(small_problem()))
    slowest, answered = 0.0, 0
    while runner.get(job.id).state == "running":  # type: ignore[union-attr]
        t0 = time.monotonic()
        assert coordinator.get("/register/beneficiaries").status_code == 200
        slowest = max(slowest, time.monotonic() - t0)
        answered += 1
    assert answered >= 5 and slowest < 1.5, (answered, slowest)


def test_timeline_covers_the_day_and_adds_up_to_the_route() -> None:
    """Segments run back to back from leaving to returning; their sums are the route's figures."""
    route = Route(
        "van1",
        MON,
        8 * HOUR,
        14 * HOUR,
        (
            Stop("a", 0, 8 * HOUR + 30 * MINUTE, 9 * HOUR, 9 * HOUR + 45 * MINUTE, 1800, 24_100),
            Stop("b", 0, 45900, 45900, 13 * HOUR + 15 * MINUTE, 900, 8000),  # 12:45
        ),
        return_travel=2700,
        return_distance=40_000,
        rest=BreakStep(12 * HOUR, 30 * MINUTE, 1),
    )
    segments = timeline(route)
    assert segments[0].start == route.depart and segments[-1].end == route.arrive
    assert all(a.end == b.start for a, b in itertools.pairwise(segments))
    total = {k: sum(s.end - s.start for s in segments if s.kind == k) for k in ("travel", "service", "break")}
    assert total == {"travel": route.drive_time, "service": route.service_time, "break": 30 * MINUTE}
    waiting = sum(s.end - s.start for s in segments if s.kind == "waiting")
    assert waiting == route.waiting_time
    kinds = [s.kind for s in segments]
    assert kinds.index("break") < kinds.index("service", kinds.index("break"))  # break before stop b


def test_problem_round_trip_is_what_the_page_reads(solved: dict[str, Any], app: Flask) -> None:
    """The version keeps the problem beside the plan, so the page needs nothing else."""
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, solved["plan_version_id"])
        assert row is not None and row.problem_json
        assert json.loads(row.problem_json)["name"] == "Δοκιμαστική εβδομάδα"


def _served_on(app: Flask, pv_id: int) -> dict[str, list[str]]:
    from planner.schema import plan_from_dict
    from webui.adjust import served_dates

    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, pv_id)
        assert row is not None
        plan = plan_from_dict(json.loads(row.plan_json))
    return {k: [d.isoformat() for d in v] for k, v in served_dates(plan).items()}


def test_adjust_pin_drop_and_urgent_make_a_new_version_with_its_changes(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """Pin Σοφία to Tuesday, drop the village stop, add an urgent visit in Aigio on Tuesday: version 2 does
    exactly that, and its page says what changed against version 1, in Greek."""
    pv_id = solved["plan_version_id"]
    before = _served_on(app, pv_id)
    assert before["hv-3"] == ["2026-12-07"]
    page = coordinator.get(f"/desk/plans/{pv_id}/adjust").get_data(as_text=True)
    assert 'name="action-hv-3"' in page and 'value="pin:2026-12-08"' in page and "Αικατερίνη Νικολάου" in page
    assert '<option value="pin:2026-12-08">κλείδωμα: Τρί 8/12</option>' in page
    form = {
        "action-hv-3": "pin:2026-12-08",
        "action-vs-2": "drop",
        "action-hv-1": "keep",
        "urgent_beneficiary": "1",
        "urgent_role": "social_worker",
        "urgent_minutes": "30",
        "urgent_day": "2026-12-08",
        "time_limit": "1",
    }
    response = post(coordinator, f"/desk/plans/{pv_id}/adjust", form)
    assert response.status_code == 302 and "/desk/jobs/" in response.location
    done = _wait(coordinator, response.location + ".json")
    assert done["state"] == "done" and done["version"] == 2, done
    after = _served_on(app, done["plan_version_id"])
    assert after["hv-3"] == ["2026-12-08"] and "vs-2" not in after
    assert after["urgent-b1"] == ["2026-12-08"] and after["hv-1"] == before["hv-1"]
    result = coordinator.get(done["result_url"]).get_data(as_text=True)
    changes = result[result.index('id="changes"') :]
    assert "Αλλαγές σε σχέση με την έκδοση 1" in result
    # with the times the people were told and are to be told now
    assert re.search(r"Αλλαγή ημέρας: Σοφία Ι., Δευτέρα 7/12 \d\d:\d\d → Τρίτη 8/12 \d\d:\d\d", changes)
    assert "Αφαιρέθηκε: Στάση Κουνινών, Κουνινά (ήταν " in changes  # with its place and day
    assert re.search(r"Νέα επίσκεψη: Γεώργιος Παπαδόπουλος, Τρίτη 8/12 \d\d:\d\d", changes)
    # kept on her day and unit: no day change; a start moved by more than 30 minutes is listed
    # as a re-plan lists it ("Άλλη ώρα: Αικατερίνη Ν., Δευτέρα 7/12, 09:29 → 08:26")
    assert "Αλλαγή ημέρας: Αικατερίνη" not in changes and "Δεν εξυπηρετείται πια: Αικατερίνη" not in changes


def test_adjust_while_the_week_is_being_planned_is_said_not_applied(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """While a run of the week goes on, an adjustment starts no second one (both would share the
    two cores and end worse). It used to send the coordinator to the running one, whose version
    lacked their changes, with only «already being planned» (two coordinators at once: the
    second believed the new version had their pin and urgent visit); now they stay on their
    adjust page, told their adjustments were not applied, and by whom the week is planned."""
    runner: JobRunner = app.extensions["kinito_jobs"]
    first = runner.start(WEEK, "maria", time_limit=20.0, problem=problem_to_dict(small_problem()))
    try:
        url = f"/desk/plans/{solved['plan_version_id']}/adjust"
        form = {"action-hv-3": "keep", "time_limit": "1", "urgent_beneficiary": "1",
                "urgent_role": "social_worker", "urgent_minutes": "30"}  # fmt: skip
        response = post(coordinator, url, form)
        assert response.status_code == 302 and response.location == f"{url}?refill=1"
        assert [j.id for j in runner.running(WEEK)] == [first.id]
        page = coordinator.get(url).get_data(as_text=True)
        assert "Οι προσαρμογές σας δεν εφαρμόστηκαν" in page and "maria" in page
    finally:
        runner.cancel(first.id)
        runner.wait(first.id, 30)
    # their own adjustment of this version sent twice (a double click): its run shown, as
    # before; another adjustment of it (a second tab's) is not applied, and said so
    started = post(coordinator, url, {"action-hv-3": "keep", "time_limit": "20"})
    assert "/desk/jobs/" in started.location
    own = runner.running(WEEK)[0]
    try:
        again = post(coordinator, url, {"action-hv-3": "keep", "time_limit": "20"})
        assert again.location.endswith(f"/desk/jobs/{own.id}")
        different = post(coordinator, url, {"action-hv-3": "drop", "time_limit": "20"})
        assert different.location == f"{url}?refill=1"
        assert "Οι προσαρμογές σας δεν εφαρμόστηκαν" in coordinator.get(different.location).get_data(
            as_text=True
        )
        assert [j.id for j in runner.running(WEEK)] == [own.id]
    finally:
        runner.cancel(own.id)
        runner.wait(own.id, 30)
    # another run of their own (a plan of the week from another tab): this adjustment was
    # dropped for it, the run's version without the pin; now not applied, and said so
    other = runner.start(WEEK, COORDINATOR, time_limit=20.0, problem=problem_to_dict(small_problem()))
    try:
        response = post(coordinator, url, {"time_limit": "1"})
        assert response.location == f"{url}?refill=1"
        page = coordinator.get(response.location).get_data(as_text=True)
        assert "Οι προσαρμογές σας δεν εφαρμόστηκαν" in page and 'data-refill="1"' in page
    finally:
        runner.cancel(other.id)
        runner.wait(other.id, 30)


def test_adjust_refuses_a_day_outside_the_week(coordinator: FlaskClient, solved: dict[str, Any]) -> None:
    """A pin to a date not in the week changes nothing and says so."""
    pv_id = solved["plan_version_id"]
    response = post(coordinator, f"/desk/plans/{pv_id}/adjust", {"action-hv-3": "pin:2026-12-20"})
    assert response.status_code == 302 and response.location.endswith("/adjust?refill=1")
    assert "Η προσαρμογή δεν εφαρμόστηκε" in coordinator.get(response.location).get_data(as_text=True)


def test_adjusted_problem_keeps_served_visits_on_their_weekday() -> None:
    """Kept visits prefer their current dates; pins are hard; drops leave; bad actions are errors."""
    from webui.adjust import adjusted_problem

    problem = small_problem()
    route = Route(
        "van1", MON, 8 * HOUR, 10 * HOUR, (Stop("hv-1", 0, 0, 9 * HOUR, 9 * HOUR + 2700, 600, 1),), 600, 1
    )
    from planner.model import Plan

    plan = Plan("x", (route,), (), 0, 1, 1.0, 0.1)
    new = adjusted_problem(problem, plan, {"hv-3": "pin:2026-12-08", "vs-2": "drop"})
    by_id = {v.id: v for v in new.visits}
    assert set(by_id) == {"hv-1", "hv-3", "hv-4"}
    assert by_id["hv-1"].preferred_dates == {MON} and by_id["hv-1"].pinned_date is None
    assert by_id["hv-1"].preferred_times == {MON: 9 * HOUR}  # the start the person was told
    assert by_id["hv-1"].preferred_day_units == {MON: "van1"}  # and the route it was on
    assert by_id["hv-3"].pinned_date == date(2026, 12, 8)
    assert by_id["hv-4"].preferred_dates is None  # unassigned: nothing to keep
    assert new.weights.moved == max(problem.weights.moved, new.weights.travel * 2 * 3600)
    with pytest.raises(ValueError, match="not in this week"):
        adjusted_problem(problem, plan, {"hv-3": "pin:2026-12-14"})
    with pytest.raises(ValueError, match="unknown action"):
        adjusted_problem(problem, plan, {"hv-3": "later"})


def test_the_plan_button_builds_the_week_from_the_register(coordinator: FlaskClient, app: Flask) -> None:
    """ "Plan" runs planner.register.week.plan_week on the register in the background: the due
    care plans and the village stop are planned, the Saturday-only visit is unassigned with why,
    Christmas Day is left out."""
    app.config["TODAY"] = "2026-11-26"  # a week that has ended is not planned: this one is to come
    response = post(coordinator, "/desk/plan", {"iso_week": "2026-W52", "time_limit": "1"})
    assert response.status_code == 302 and "/desk/jobs/" in response.location
    done = _wait(coordinator, response.location + ".json")
    assert done["state"] == "done", done
    assert (done["served"], done["wanted"]) == (4, 5)
    page = coordinator.get(done["result_url"]).get_data(as_text=True)
    assert "Εβδομάδα 2026-W52, έκδοση 1" in page and "Δευτέρα 21 Δεκεμβρίου 2026" in page
    closed = page[page.index('id="closed-days"') :]
    assert "Παρασκευή 25 Δεκεμβρίου 2026 (Χριστούγεννα)" in closed[: closed.index("</p>")]
    assert "Κουνινά: Πλατεία" in page and "Ευάγγελος Μαρίνος" in page
    unassigned = page[page.index('id="unassigned"') :]
    assert "Ευάγγελος Μαρίνος" in unassigned
    assert "Καμία ημέρα αυτής της περιόδου δεν είναι επιτρεπτή για την επίσκεψη (Σάββατο)" in unassigned
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, done["plan_version_id"])
        assert row is not None and (row.unit_set, row.created_by) == ("1", COORDINATOR)
    assert post(coordinator, f"/desk/plans/{done['plan_version_id']}/publish").status_code == 302
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, done["plan_version_id"])
        assert row is not None and row.status == "published"


def test_a_running_job_can_be_stopped_and_stores_nothing(coordinator: FlaskClient, app: Flask) -> None:
    """Stop (with the token) ends the child; the job says so and no version is added."""
    with session_scope(app.extensions["kinito_engine"]) as s:
        before = len(list(s.scalars(select(PlanVersion.id))))
    runner: JobRunner = app.extensions["kinito_jobs"]
    job = runner.start(WEEK, COORDINATOR, time_limit=30.0, problem=small_problem_dict())
    assert "cancel-job" in coordinator.get(f"/desk/jobs/{job.id}").get_data(as_text=True)
    response = post(coordinator, f"/desk/jobs/{job.id}/cancel")
    assert response.status_code == 302
    # the desk it goes back to lists the run as stopped, not still «in progress»
    assert "σε εξέλιξη" not in coordinator.get("/desk/").get_data(as_text=True)
    data = _wait(coordinator, f"/desk/jobs/{job.id}.json", timeout=20)
    assert data["state"] == "cancelled" and data["plan_version_id"] is None
    with session_scope(app.extensions["kinito_engine"]) as s:
        assert len(list(s.scalars(select(PlanVersion.id)))) == before
    assert "διακόπηκε" in coordinator.get("/desk/").get_data(as_text=True)


@pytest.mark.parametrize("value", ["abc", "nan", "inf"])
def test_adjust_with_a_search_time_that_is_not_a_number_says_so(
    coordinator: FlaskClient, solved: dict[str, Any], value: str
) -> None:
    """No 500 and no job: back to the adjust page with a Greek message."""
    pv_id = solved["plan_version_id"]
    response = post(coordinator, f"/desk/plans/{pv_id}/adjust", {"action-hv-3": "keep", "time_limit": value})
    assert response.status_code == 302 and response.location.endswith("/adjust?refill=1")
    page = coordinator.get(response.location).get_data(as_text=True)
    assert "Ο χρόνος αναζήτησης πρέπει να είναι αριθμός δευτερολέπτων από 1 έως 600" in page


def test_plan_button_refuses_a_search_time_of_nan(coordinator: FlaskClient, app: Flask) -> None:
    """NaN passes a range check (every comparison with it is false): refused by name."""
    response = post(coordinator, "/desk/plan", {"iso_week": "2026-W50", "time_limit": "nan"})
    assert response.status_code == 302 and response.location == "/desk/"
    assert "αριθμός δευτερολέπτων" in coordinator.get("/desk/").get_data(as_text=True)
    assert app.extensions["kinito_jobs"].jobs() == []


def test_a_week_with_every_working_day_closed_says_so_in_greek(coordinator: FlaskClient, app: Flask) -> None:
    """Monday to Friday closed (Christmas Day from Greece's holidays, the rest closures): the
    Plan button says so, naming the days, and starts no job."""
    from planner.register.models import CalendarDay

    with session_scope(app.extensions["kinito_engine"], actor="test") as s:
        for day in range(21, 25):
            s.add(CalendarDay(day=date(2026, 12, day), kind="closure", name="Εορταστικό κλείσιμο"))
    app.config["TODAY"] = "2026-11-26"
    response = post(coordinator, "/desk/plan", {"iso_week": "2026-W52", "time_limit": "1"})
    assert response.status_code == 302 and response.location == "/desk/"
    page = coordinator.get("/desk/").get_data(as_text=True)
    assert "Όλες οι εργάσιμες ημέρες της εβδομάδας 2026-W52 είναι κλειστές" in page
    assert "Χριστούγεννα" in page and "Εορταστικό κλείσιμο" in page
    assert "WeekError" not in page and "nothing is due" not in page
    assert app.extensions["kinito_jobs"].jobs() == []


def test_a_week_builder_error_is_shown_in_the_interfaces_language(
    coordinator: FlaskClient, app: Flask
) -> None:
    """A week with nothing due (every village stop paused, no care plan started yet): the job
    fails with the builder's Greek sentence alone, no class name, no English; an engine fault
    is a plain sentence."""
    from sqlalchemy import update

    from planner.register.models import VillageStop

    with session_scope(app.extensions["kinito_engine"], actor="test") as s:
        s.execute(update(VillageStop).values(active=False))
    runner: JobRunner = app.extensions["kinito_jobs"]
    job = runner.start("2020-W02", COORDINATOR, time_limit=1.0)
    data = _wait(coordinator, f"/desk/jobs/{job.id}.json")
    assert data["state"] == "failed" and data["expected_error"]
    assert "2020-W02" in data["error"] and "WeekError" not in data["error"]
    assert "nothing" not in data["error"] and " / " not in data["error"]
    bad = problem_to_dict(small_problem())
    bad["visits"][0]["service"] = -5
    fault = _wait(
        coordinator, f"/desk/jobs/{runner.start(WEEK, COORDINATOR, time_limit=1.0, problem=bad).id}.json"
    )
    assert fault["error"].startswith("Ένα απρόβλεπτο σφάλμα σταμάτησε τον προγραμματισμό")


def test_adjust_offers_no_day_before_today(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """On Tuesday 8/12 of the planned week, Monday is neither a pin nor an urgent visit's day
    (the page says why), and a hand-made form naming it is refused; Tuesday still is offered."""
    app.config["TODAY"] = "2026-12-08"
    pv_id = solved["plan_version_id"]
    page = coordinator.get(f"/desk/plans/{pv_id}/adjust").get_data(as_text=True)
    assert 'value="pin:2026-12-07"' not in page and 'value="2026-12-07"' not in page
    assert 'value="pin:2026-12-08"' in page and 'value="2026-12-08"' in page
    assert "Οι ημέρες πριν από σήμερα (Τρίτη 8 Δεκεμβρίου 2026) έχουν περάσει" in page
    for form in ({"action-hv-3": "pin:2026-12-07"}, {"urgent_beneficiary": "1", "urgent_day": "2026-12-07"}):
        response = post(coordinator, f"/desk/plans/{pv_id}/adjust", {**form, "time_limit": "1"})
        assert response.status_code == 302 and response.location.endswith("/adjust?refill=1")
    assert app.extensions["kinito_jobs"].jobs() == []


URGENT_FORM = {
    "urgent_beneficiary": "1",
    "urgent_role": "social_worker",
    "urgent_minutes": "30",
    "time_limit": "1",
}


def _adjusted(coordinator: FlaskClient, app: Flask, pv_id: int, form: dict[str, str]) -> tuple[Any, Any]:
    """Post an adjustment of version ``pv_id``, wait for its job: the new version's plan and
    problem."""
    from planner.schema import plan_from_dict, problem_from_dict

    response = post(coordinator, f"/desk/plans/{pv_id}/adjust", form)
    assert response.status_code == 302 and "/desk/jobs/" in response.location
    done = _wait(coordinator, response.location + ".json")
    assert done["state"] == "done", done
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, done["plan_version_id"])
        assert row is not None
        return plan_from_dict(json.loads(row.plan_json)), problem_from_dict(
            json.loads(row.problem_json or "")
        )


def test_adjusting_a_published_week_on_its_monday_keeps_today_as_published(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """The week (Monday and Tuesday) is published; on Monday an adjustment (an urgent visit,
    any day) keeps Monday's published routes exactly as they were (the driver may be on them,
    recording outcomes) and plans nothing new on Monday: the urgent visit goes on Tuesday."""
    from planner.schema import plan_from_dict
    from planner.validate import validate

    pv_id = solved["plan_version_id"]
    assert post(coordinator, f"/desk/plans/{pv_id}/publish").status_code == 302
    app.config["TODAY"] = "2026-12-07"
    page = coordinator.get(f"/desk/plans/{pv_id}/adjust").get_data(as_text=True)
    assert 'value="pin:2026-12-07"' not in page and 'value="pin:2026-12-08"' in page
    assert "δημοσιευμένο δρομολόγιο της σημερινής ημέρας μένει όπως είναι" in page
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, pv_id)
        assert row is not None
        old = plan_from_dict(json.loads(row.plan_json))
    new, new_problem = _adjusted(coordinator, app, pv_id, URGENT_FORM)
    monday = date(2026, 12, 7)
    kept = {(r.unit_id, r.date, r.stops) for r in old.routes if r.date == monday}
    assert kept and kept == {(r.unit_id, r.date, r.stops) for r in new.routes if r.date == monday}
    assert validate(new_problem, new) == []
    urgent = [r.date for r in new.routes for st in r.stops if st.visit_id.startswith("urgent")]
    assert urgent == [date(2026, 12, 8)]


def test_adjusting_a_draft_of_a_published_week_keeps_the_published_past_and_today(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """Version 1 is published; version 2, a draft of the same week, is adjusted on Tuesday
    (third walkthrough: the draft's adjustment used to plan Monday and Tuesday anew, moving
    visits the drivers had done). Monday's and Tuesday's published routes stay as they were;
    the page offers no pin on Tuesday (the published route of today is kept) and no action on
    the visits those routes have."""
    from planner.schema import plan_from_dict
    from planner.validate import validate

    pv_id = solved["plan_version_id"]
    assert post(coordinator, f"/desk/plans/{pv_id}/publish").status_code == 302
    with session_scope(app.extensions["kinito_engine"]) as s:
        first = s.get(PlanVersion, pv_id)
        assert first is not None
        published, unit_set = plan_from_dict(json.loads(first.plan_json)), first.unit_set
    draft = store_version(app, published, 2, unit_set=unit_set)
    app.config["TODAY"] = "2026-12-08"
    page = coordinator.get(f"/desk/plans/{draft}/adjust").get_data(as_text=True)
    assert 'value="pin:2026-12-08"' not in page
    assert "δημοσιευμένο δρομολόγιο της σημερινής ημέρας μένει όπως είναι" in page
    # the visits those routes have are kept as driven: no action offered, a hand-made one refused
    done = sorted({st.visit_id for r in published.routes for st in r.stops})
    assert done and all(f'name="action-{vid}"' not in page for vid in done)
    assert "κρατείται όπως δημοσιεύτηκε" in page
    drop = {f"action-{done[0]}": "drop", "time_limit": "1"}
    response = post(coordinator, f"/desk/plans/{draft}/adjust", drop)
    assert response.status_code == 302 and response.location.endswith("/adjust?refill=1")
    new, new_problem = _adjusted(coordinator, app, draft, URGENT_FORM)
    driven = (date(2026, 12, 7), date(2026, 12, 8))
    kept = {(r.unit_id, r.date, r.stops) for r in published.routes if r.date in driven}
    assert kept and kept == {(r.unit_id, r.date, r.stops) for r in new.routes if r.date in driven}
    assert validate(new_problem, new) == []


def test_publishing_a_draft_made_before_days_since_driven_is_refused(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """Version 1 is published; version 2 differs on Monday. Published on Tuesday it would send
    the driver Monday's route again (midweek walkthrough: visits done were sent again): refused
    with why and what to do, version 1 stays the published one."""
    from dataclasses import replace as replaced

    from planner.schema import plan_from_dict

    pv_id = solved["plan_version_id"]
    assert post(coordinator, f"/desk/plans/{pv_id}/publish").status_code == 302
    with session_scope(app.extensions["kinito_engine"]) as s:
        first = s.get_one(PlanVersion, pv_id)
        published, unit_set = plan_from_dict(json.loads(first.plan_json)), first.unit_set
    monday = date(2026, 12, 7)
    assert any(r.date == monday and r.stops for r in published.routes)
    other = replaced(published, routes=tuple(r for r in published.routes if r.date != monday))
    draft = store_version(app, other, 2, unit_set=unit_set)
    app.config["TODAY"] = "2026-12-08"
    # the page says so before the button is pressed (it asked to confirm, then refused)
    before = coordinator.get(f"/desk/plans/{draft}").get_data(as_text=True)
    assert 'id="cannot-publish"' in before and "αλλάζει διαδρομές ημερών που έχουν ήδη γίνει" in before
    assert f'action="/desk/plans/{draft}/publish"' not in before
    response = post(coordinator, f"/desk/plans/{draft}/publish")
    assert response.status_code == 302 and response.location.endswith(f"/desk/plans/{draft}")
    page = coordinator.get(response.location).get_data(as_text=True)
    assert "αλλάζει διαδρομές ημερών που έχουν ήδη γίνει" in page and "07/12" in page
    with session_scope(app.extensions["kinito_engine"]) as s:
        assert s.get_one(PlanVersion, pv_id).status == "published"
        assert s.get_one(PlanVersion, draft).status == "draft"


def test_adjust_offers_a_pin_only_on_the_visits_allowed_weekdays(
    coordinator: FlaskClient, app: Flask
) -> None:
    """A visit allowed only on Tuesdays is offered a pin only on Tuesday (third walkthrough: a
    pin to another day left it out, said only in the unassigned table); a hand-made form
    pinning it to Monday is refused, and no planning starts."""
    from planner.model import Plan

    problem = small_problem()
    tuesdays = tuple(
        replace(v, allowed_weekdays=frozenset({1})) if v.id == "hv-3" else v for v in problem.visits
    )
    pv_id = store_version(
        app, Plan("x", (), (), 0, 1, 1.0, 0.1), 2, problem=replace(problem, visits=tuesdays)
    )
    page = coordinator.get(f"/desk/plans/{pv_id}/adjust").get_data(as_text=True)
    choice = page[page.index('name="action-hv-3"') :]
    choice = choice[: choice.index("</select>")]
    assert 'value="pin:2026-12-08"' in choice and 'value="pin:2026-12-07"' not in choice
    other = page[page.index('name="action-hv-1"') :]
    assert 'value="pin:2026-12-07"' in other[: other.index("</select>")]  # any day for the others
    response = post(
        coordinator, f"/desk/plans/{pv_id}/adjust", {"action-hv-3": "pin:2026-12-07", "time_limit": "1"}
    )
    assert response.status_code == 302 and response.location.endswith("/adjust?refill=1")
    assert app.extensions["kinito_jobs"].jobs() == []


# --- the usability review on the demo register ------------------------------------------------


_store = store_version


def _stop(visit_id: str, start: int, minutes: int) -> Stop:
    return Stop(visit_id, 0, start, start, start + minutes * MINUTE, 900, 10_000)


def _changes_of(page: str) -> str:
    changes = page[page.index('id="changes"') :]
    return changes[: changes.index("</ul>")]


def test_changes_against_the_published_version_are_in_the_readers_language(
    coordinator: FlaskClient, app: Flask
) -> None:
    """Review 1: a re-planned week (stored as the week builder stores it: the command line's
    bilingual lines, and the published version it kept stable) lists its changes in the
    reader's language only, in the adjustments' words, naming people and stops (no ids),
    times as HH:MM."""
    from planner.model import Plan
    from planner.register.week import plan_changes

    tue = date(2026, 12, 8)
    published = Plan("x", (Route("van1", MON, 8 * HOUR, 14 * HOUR, (
        _stop("hv-1", 9 * HOUR, 45), _stop("vs-2", 10 * HOUR + 30 * MINUTE, 90), _stop("hv-3", 13 * HOUR, 30),
    ), 900, 10_000),), (), 0, 1, 1.0, 0.1)  # fmt: skip
    later = 11 * HOUR + 8 * MINUTE + 32  # 11:08:32
    replanned = Plan("x", (
        Route("van1", MON, 8 * HOUR, 14 * HOUR, (_stop("hv-1", later, 45),), 900, 10_000),
        Route("van1", tue, 8 * HOUR, 12 * HOUR, (
            _stop("hv-3", 9 * HOUR, 30), _stop("hv-4", 10 * HOUR, 60),
        ), 900, 10_000),
    ), (), 0, 1, 1.0, 0.1)  # fmt: skip
    cli_lines = list(plan_changes(published, replanned, small_problem()))
    assert any("άλλη ώρα / new time" in line and line.endswith("-> 11:08") for line in cli_lines)
    base = _store(app, published, 2)
    assert post(coordinator, f"/desk/plans/{base}/publish").status_code == 302
    pv_id = _store(app, replanned, 3, summary={"based_on_published": 2, "changes": cli_lines})

    page = coordinator.get(f"/desk/plans/{pv_id}").get_data(as_text=True)
    assert "Αλλαγές σε σχέση με τη δημοσιευμένη έκδοση (έκδοση 2)" in page
    changes = _changes_of(page)
    assert "Άλλη ώρα: Αικατερίνη Ν., Δευτέρα 7/12, 09:00 → 11:08" in changes
    assert re.search(r"Αλλαγή ημέρας: Σοφία Ι., Δευτέρα 7/12 \d\d:\d\d → Τρίτη 8/12 \d\d:\d\d", changes)
    assert "Δεν εξυπηρετείται πια: Στάση Κουνινών (ήταν Δευτέρα 7/12)" in changes
    assert "Εξυπηρετείται τώρα: Νυχτερινή, Τρίτη 8/12 10:00, Κινητή μονάδα" in changes
    assert changes.count("<li>") == 4
    for word in (" / ", "hv-", "vs-", "11:08:32", "Monday", "new time", "->"):
        assert word not in changes, word

    post(coordinator, "/language", {"lang": "en"})
    changes = _changes_of(coordinator.get(f"/desk/plans/{pv_id}").get_data(as_text=True))
    assert "New time: Αικατερίνη Ν., Monday 7/12, 09:00 → 11:08" in changes
    assert re.search(r"Day changed: Σοφία Ι., Monday 7/12 \d\d:\d\d → Tuesday 8/12 \d\d:\d\d", changes)
    assert "Δευτέρα" not in changes and " / " not in changes


def test_the_web_map_is_in_the_readers_language_with_a_metric_scale(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """Review 2: the plan's map on the web: no "Greek / English" labels, a scale in metres
    only, popups naming the person or stop without its id; in English when the reader is."""
    from planner.schema import plan_from_dict

    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, solved["plan_version_id"])
        assert row is not None
        (unassigned,) = plan_from_dict(json.loads(row.plan_json)).unassigned
    reason, reason_el = unassigned.reason, unassigned.message_el
    url = f"/desk/plans/{solved['plan_version_id']}/map"
    page = _decoded(coordinator.get(url).get_data(as_text=True))
    # the page says its language, and asks for no /favicon.ico (UI walkthrough: a 404 each time)
    assert '<html lang="el">' in page and '<link rel="icon" href="data:,">' in page
    script = page[page.index("</style>") :]  # folium's part, after the inlined Leaflet
    assert "<b>Διαδρομές</b>" in script and "Διαδρομές / Routes" not in script
    assert "Χωρίς ανάθεση (1)" in script and "Unassigned" not in script and "Βάση / Base" not in script
    assert 'L.control.scale({"metric": true, "imperial": false})' in script
    assert "L.control.scale()" not in script
    assert "Επίσκεψη κατ' οίκον" in script and "hv-1 ·" not in script and "hv-4 ·" not in script
    # dates and kilometres as the pages write them («Δευ 7/12», «10,0 km»; it wrote 07/12, 10.0)
    assert "Δευ 7/12 · " in script and "Δευ 07/12" not in script
    assert re.search(r"\d+,\d km", script) and not re.search(r"\d+\.\d km", script)
    assert f"[{reason}]" not in script and reason_el in script  # the reason, without the engine's code
    post(coordinator, "/language", {"lang": "en"})
    script = _decoded(coordinator.get(url).get_data(as_text=True))
    assert '<html lang="en">' in script
    script = script[script.index("</style>") :]
    assert "<b>Routes</b>" in script and "Unassigned (1)" in script and "Mon 7/12 · Κινητή μονάδα" in script
    assert "Home visit" in script and "Διαδρομές" not in script and "λεπτά" not in script
    assert unassigned.message_en in script and reason_el not in script


def _decoded(page: str) -> str:
    """The page with JSON ``\\uXXXX`` escapes decoded (folium encodes the popups' text)."""
    import re

    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def test_a_week_that_has_ended_is_not_planned(coordinator: FlaskClient, app: Flask) -> None:
    """Review 4: on Thursday 26/11/2026, week 2026-W45 is refused with a Greek sentence and no
    job; the week field starts at this week; this week itself is still planned (from today on)."""
    app.config["TODAY"] = "2026-11-26"
    response = post(coordinator, "/desk/plan", {"iso_week": "2026-W45", "time_limit": "1"})
    assert response.status_code == 302 and response.location == "/desk/"
    page = coordinator.get("/desk/").get_data(as_text=True)
    assert "Η εβδομάδα 2026-W45 (Δευ 2/11 – Κυρ 8/11) έχει τελειώσει" in page
    assert "Προγραμματίστε την τρέχουσα εβδομάδα (2026-W48" in page
    assert 'min="2026-W48"' in page and 'value="2026-W49"' in page
    response = post(coordinator, "/desk/plan", {"iso_week": "2025-W53", "time_limit": "1"})  # no such week
    assert response.status_code == 302 and response.location == "/desk/"
    page = coordinator.get("/desk/").get_data(as_text=True)  # said as management says it
    assert "Η εβδομάδα 53 του 2025 δεν υπάρχει: το 2025 έχει εβδομάδες 01 έως 52." in page
    assert app.extensions["kinito_jobs"].jobs() == []
    response = post(coordinator, "/desk/plan", {"iso_week": "2026-W48", "time_limit": "1"})
    assert response.status_code == 302 and "/desk/jobs/" in response.location
    done = _wait(coordinator, response.location + ".json")
    assert done["state"] == "done", done


def _version_rows(page: str) -> dict[int, str]:
    """The desk's list of versions: plan version id -> the row's text."""
    import re

    table = page[page.index('id="versions"') :]
    rows = re.findall(r"<tr[^>]*>.*?</tr>", table[: table.index("</table>")], re.S)
    out = {}
    for row in rows:
        found = re.search(r"/desk/plans/(\d+)", row)
        if found:
            out[int(found.group(1))] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
    return out


def test_a_version_published_then_replaced_reads_replaced(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """Review 5: version 1 published (drivers used it), then version 2 published: version 1
    reads "replaced" on the desk, in the week's versions and on its page, not "draft"; a
    version never published is still a draft. Only the display: the row stays "draft"."""
    from planner.schema import plan_from_dict
    from webui.planjob import store_problem_plan

    first = solved["plan_version_id"]
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, first)
        assert row is not None
        plan = plan_from_dict(json.loads(row.plan_json))
    assert post(coordinator, f"/desk/plans/{first}/publish").status_code == 302
    second, _ = store_problem_plan(app.config["DATABASE_URL"], WEEK, small_problem(), plan, COORDINATOR)
    assert post(coordinator, f"/desk/plans/{second}/publish").status_code == 302
    third, _ = store_problem_plan(app.config["DATABASE_URL"], WEEK, small_problem(), plan, COORDINATOR)

    rows = _version_rows(coordinator.get("/desk/").get_data(as_text=True))
    assert "αντικαταστάθηκε" in rows[first] and "πρόχειρη" not in rows[first]
    assert "δημοσιευμένη" in rows[second] and "πρόχειρη" in rows[third]
    page = coordinator.get(f"/desk/plans/{first}").get_data(as_text=True)
    assert 'class="badge replaced" id="status"' in page and ">αντικαταστάθηκε</span></h1>" in page
    assert "Δημοσίευση" in page  # it can be published again
    # but not unawares: version 2, newer, is published (it would go back to the drivers)
    assert 'id="older-than-published"' in page and "Η έκδοση 2, νεότερη από αυτήν" in page
    assert "older-than-published" not in coordinator.get(f"/desk/plans/{third}").get_data(as_text=True)
    siblings = page[page.index('class="versions"') :]
    assert "έκδοση 1</a> · αντικαταστάθηκε" in siblings and "έκδοση 3</a> · πρόχειρη" in siblings
    post(coordinator, "/language", {"lang": "en"})
    assert "replaced" in _version_rows(coordinator.get("/desk/").get_data(as_text=True))[first]
    with session_scope(app.extensions["kinito_engine"]) as s:
        assert s.get(PlanVersion, first).status == "draft"  # type: ignore[union-attr]


def test_the_job_page_and_the_runs_say_what_a_coordinator_reads(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """Review 6: the progress page shows no internal cost; each planning run says when it
    started and which version it made (and whether it adjusted one); versions name their units."""
    import re

    runner: JobRunner = app.extensions["kinito_jobs"]
    job = runner.start(WEEK, COORDINATOR, time_limit=1.0, problem=small_problem_dict(),
                       base_plan_version_id=solved["plan_version_id"])  # fmt: skip
    page = coordinator.get(f"/desk/jobs/{job.id}").get_data(as_text=True)
    assert "κόστος" not in page and "Επισκέψεις που εξυπηρετούνται" in page
    assert "p-objective" not in page
    done = _wait(coordinator, f"/desk/jobs/{job.id}.json")
    assert done["state"] == "done" and done["version"] == 2
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, done["plan_version_id"])
        assert row is not None
        plan_json = row.plan_json
    from planner.schema import plan_from_dict

    numbered = _store(app, plan_from_dict(json.loads(plan_json)), 1, unit_set="1")  # the register's van1
    desk = coordinator.get("/desk/").get_data(as_text=True)
    runs = desk[desk.index('id="jobs"') :]
    runs = runs[: runs.index("</table>")]
    assert f'<a href="/desk/plans/{done["plan_version_id"]}">έκδοση 2</a>' in runs
    assert "(προσαρμογή)" in runs
    assert re.search(r"<td>\d{1,2} \S+ \d{4}, \d\d:\d\d</td>", runs), runs
    assert '<td title="van1">van1</td>' in _versions_table(desk) and f"/desk/plans/{numbered}" in desk
    assert "<td>1</td>\n  <td>1</td>" not in _versions_table(desk)


def _versions_table(page: str) -> str:
    table = page[page.index('id="versions"') :]
    return table[: table.index("</table>")]


def _urgent_stop(app: Flask, pv_id: int, visit_id: str) -> tuple[Any, Any]:
    """The urgent visit of version ``pv_id`` (its problem's) and its stop in the plan."""
    from planner.schema import plan_from_dict, problem_from_dict

    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, pv_id)
        assert row is not None
        problem = problem_from_dict(json.loads(row.problem_json))
        plan = plan_from_dict(json.loads(row.plan_json))
    visit = next(v for v in problem.visits if v.id == visit_id)
    stop = next(st for r in plan.routes for st in r.stops if st.visit_id == visit_id)
    return visit, stop


@pytest.mark.parametrize(
    ("hours", "plans", "expected"),
    [
        # his care plans' hours joined, those too short for a 30-minute visit left out
        ("", ([["09:00", "09:20"], ["14:00", "15:00"]], [["14:30", "16:00"]]), ((14 * 3600, 55800),)),
        # one of his plans states no hours: any time
        ("", ([["09:00", "13:00"]], None), ()),
        # as the coordinator gives them
        ("14:00-15:00", None, ((14 * 3600, 14 * 3600 + 1800),)),
    ],
)
def test_an_urgent_visit_keeps_to_the_persons_hours(
    coordinator: FlaskClient,
    solved: dict[str, Any],
    app: Flask,
    hours: str,
    plans: tuple[Any, Any] | None,
    expected: tuple[Any, ...],
) -> None:
    """A reviewer's walkthrough (eighteenth session): an urgent visit had no time of day, so a
    person available 08:30-10:30 was visited at 13:08. Now it keeps to the hours given, else
    to those his care plans in force state (any time if one states none)."""
    if plans is not None:  # Γεώργιος's two care plans (the home visit's, the psychologist's)
        with session_scope(app.extensions["kinito_engine"], actor=COORDINATOR) as s:
            his = s.scalars(select(CarePlan).where(CarePlan.beneficiary_id == 1).order_by(CarePlan.id))
            home, psych = list(his)
            home.time_windows, psych.time_windows = plans[0], plans[1] or []
    form = {"urgent_beneficiary": "1", "urgent_role": "social_worker", "urgent_minutes": "30",
            "urgent_day": "2026-12-08", "urgent_hours": hours, "time_limit": "1"}  # fmt: skip
    response = post(coordinator, f"/desk/plans/{solved['plan_version_id']}/adjust", form)
    assert response.status_code == 302 and "/desk/jobs/" in response.location
    done = _wait(coordinator, response.location + ".json")
    assert done["state"] == "done", done
    visit, stop = _urgent_stop(app, done["plan_version_id"], "urgent-b1")
    assert tuple((w.start, w.end) for w in visit.time_windows) == expected
    if expected:
        assert expected[0][0] <= stop.start <= expected[0][1]


def test_urgent_hours_shorter_than_the_visit_are_refused(
    coordinator: FlaskClient, solved: dict[str, Any]
) -> None:
    form = {"urgent_beneficiary": "1", "urgent_role": "social_worker", "urgent_minutes": "30",
            "urgent_hours": "14:00-14:20", "time_limit": "1"}  # fmt: skip
    url = f"/desk/plans/{solved['plan_version_id']}/adjust"
    page = post(coordinator, url, form, follow_redirects=True).get_data(as_text=True)
    assert "Οι ώρες 14:00-14:20 είναι όλες μικρότερες από τα 30 λεπτά της επίσκεψης" in page


def test_urgent_hours_as_typed_at_a_desk_are_read_or_said_unreadable(
    coordinator: FlaskClient, solved: dict[str, Any]
) -> None:
    """«9-12» gave only «the adjustment could not be applied: check the choices»: whole hours
    are read (as the import reads them), and hours that cannot be read are named, with the
    format, on the adjust page."""
    url = f"/desk/plans/{solved['plan_version_id']}/adjust"
    form = {"urgent_beneficiary": "1", "urgent_role": "social_worker", "urgent_minutes": "30",
            "urgent_hours": "9 έως 12", "time_limit": "1"}  # fmt: skip
    response = post(coordinator, url, form)
    assert response.status_code == 302 and response.location == f"{url}?refill=1"
    page = coordinator.get(url).get_data(as_text=True)
    assert "Οι διαθέσιμες ώρες «9 έως 12» δεν διαβάζονται: γράψτε τες ως 09:00-12:00" in page
    response = post(coordinator, url, {**form, "urgent_hours": "9-12"})
    assert "/desk/jobs/" in response.location
    done = _wait(coordinator, response.location + ".json")
    visit, _stop = _urgent_stop(coordinator.application, done["plan_version_id"], "urgent-b1")
    assert tuple((w.start, w.end) for w in visit.time_windows) == ((9 * 3600, 11 * 3600 + 1800),)  # starts


def test_a_visit_removed_in_adjust_is_said_removed_against_the_published_version(
    coordinator: FlaskClient, solved: dict[str, Any], app: Flask
) -> None:
    """Published version 1; re-optimised into draft 2; draft 2 adjusted, a village stop dropped,
    into draft 3. Draft 3's page compares with the published version and said «no longer
    wanted: stop made inactive, or already done», though the stop is active and the
    coordinator removed it. It now says it was removed in Adjust."""
    pv_id = solved["plan_version_id"]
    assert post(coordinator, f"/desk/plans/{pv_id}/publish").status_code == 302
    url = f"/desk/plans/{pv_id}/adjust"
    second = _wait(coordinator, post(coordinator, url, {"time_limit": "1"}).location + ".json")
    assert second["state"] == "done", second
    gone = next(
        v for v, days in _served_on(app, second["plan_version_id"]).items() if v.startswith("vs-") and days
    )
    url = f"/desk/plans/{second['plan_version_id']}/adjust"
    third = _wait(
        coordinator, post(coordinator, url, {f"action-{gone}": "drop", "time_limit": "1"}).location + ".json"
    )
    assert third["state"] == "done", third
    page = coordinator.get(third["result_url"]).get_data(as_text=True)
    changes = page[page.index('id="changes"') :]
    assert "Αλλαγές σε σχέση με τη δημοσιευμένη έκδοση (έκδοση 1)" in page
    assert "Αφαιρέθηκε στην προσαρμογή: Στάση" in changes
    assert "Δεν ζητείται πια: Στάση" not in changes
