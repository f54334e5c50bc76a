"""The planning desk as the coordinator met it: next week planned over stops with no outcome
(no warning), carried-over visits listed without why, the timeline's «Service» read as a
department, and ``sheet.pdf?unit=`` without a day giving every unit's pages."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from field_helpers import publish_week
from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import COORDINATOR, login, post

from planner.register.db import make_engine, session_scope
from planner.register.outcomes import planned_stops, record_outcome
from planner.register.week import plan_week
from webui import create_app

W50, W51 = "2026-W50", "2026-W51"
MON = date(2026, 12, 7)
THU = MON + timedelta(days=3)  # the app's today: Monday to Wednesday of W50 are past


@pytest.fixture(scope="module")
def published(register_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The test register with W50 published (cp-1, cp-3, vs-1 on Monday; cp-2 on Wednesday)."""
    path = tmp_path_factory.mktemp("desk-fixes") / "register.sqlite3"
    return path, publish_week(register_template, path)


@pytest.fixture
def db(published: tuple[Path, int], tmp_path: Path) -> Path:
    path = tmp_path / "register.sqlite3"
    shutil.copy(published[0], path)
    return path


def _app(db: Path, tmp_path: Path) -> Flask:
    return create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                       "TODAY": THU.isoformat(), "PLAN_TIME_LIMIT": 1.0, "PLAN_WORKERS": 1})  # fmt: skip


@pytest.fixture
def office(db: Path, tmp_path: Path) -> Iterator[FlaskClient]:
    """The coordinator, logged in; today is Thursday 10 December 2026."""
    app = _app(db, tmp_path)
    client = app.test_client()
    assert login(client, COORDINATOR).status_code == 302
    yield client
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()


def _past_stops(db: Path) -> list[tuple[date, str]]:
    engine = make_engine(db)
    try:
        with session_scope(engine) as s:
            return sorted(key for key in planned_stops(s, W50) if key[0] < THU)
    finally:
        engine.dispose()


def _record(db: Path, visit: str, status: str, day: date) -> None:
    engine = make_engine(db)
    try:
        with session_scope(engine, actor="test") as s:
            record_outcome(s, visit, status, on=day, recorded_by="test")
    finally:
        engine.dispose()


def _plan_w51(db: Path) -> int:
    """W51 planned (a draft) as on Thursday 10/12; its version id."""
    engine = make_engine(db)
    try:
        return plan_week(engine, W51, time_limit=1, workers=1, actor="test", today=THU).plan_version_id
    finally:
        engine.dispose()


def _unrecorded(page: str, week: str) -> int | None:
    found = re.search(rf'id="unrecorded-{week}" data-count="(\d+)"', page)
    return int(found.group(1)) if found else None


def test_the_plan_form_warns_of_last_weeks_stops_with_no_outcome(office: FlaskClient, db: Path) -> None:
    """Planning next week (W51) while stops of W50 have no outcome: the desk says how many,
    with a link to the outcomes page; one recorded, one fewer."""
    past = _past_stops(db)
    assert len(past) >= 2
    page = office.get("/desk/").get_data(as_text=True)
    assert _unrecorded(page, W50) == len(past)
    assert f'href="/desk/outcomes/{W50}#missing"' in page
    post(office, "/language", {"lang": "en"})
    english = office.get("/desk/").get_data(as_text=True)
    assert f"{len(past)} stops of {W50} have no outcome: planning takes a stop" in english
    post(office, "/language", {"lang": "el"})
    _record(db, past[0][1], "done", past[0][0])
    assert _unrecorded(office.get("/desk/").get_data(as_text=True), W50) == len(past) - 1
    for day, visit in past[1:]:
        _record(db, visit, "done", day)
    assert 'class="flash warning unrecorded"' not in office.get("/desk/").get_data(as_text=True)


def test_a_version_lists_why_each_visit_was_carried_over(office: FlaskClient, db: Path) -> None:
    """W50's Monday stops: one postponed, one not at home, the rest unrecorded; W51 planned.
    The version page says, for each carried-over visit, its last outcome of W50 and whether it
    is planned or unassigned; and how many stops of W50 still have no outcome."""
    past = _past_stops(db)
    (d1, v1), (d2, v2) = past[0], past[1]
    _record(db, v1, "postponed", d1)
    _record(db, v2, "cancelled", d2)
    pv_id = _plan_w51(db)
    page = office.get(f"/desk/plans/{pv_id}").get_data(as_text=True)
    block = page[page.index('id="carried-over"') :]
    block = block[: block.index("</div>")]
    items = dict(
        re.findall(r'<li data-visit="([\w-]+)" data-outcome="(\w+)" data-planned="(?:yes|no)"', block)
    )
    assert items.get(v1) == "postponed" and items.get(v2) == "cancelled"
    assert set(items) - {v1, v2}, items  # some had nothing recorded
    assert {items[v] for v in set(items) - {v1, v2}} <= {"none", "unplanned"}
    assert "none" in items.values()
    assert "Αναβλήθηκε" in block
    assert _unrecorded(page, W50) == len(past) - 2
    post(office, "/language", {"lang": "en"})
    page = office.get(f"/desk/plans/{pv_id}").get_data(as_text=True)
    block = page[page.index('id="carried-over"') :]
    block = block[: block.index("</div>")]
    assert "Postponed last week (" in block and "Cancelled last week (" in block
    assert "no outcome recorded last week" in block
    lines = re.findall(r'data-planned="(yes|no)">(.*?)</li>', block)
    assert lines and all(
        ("· planned " in text) == (flag == "yes") and ("unassigned in this version" in text) == (flag == "no")
        for flag, text in lines
    )


def test_the_timeline_legend_does_not_say_department(office: FlaskClient, db: Path) -> None:
    """«Service» of the timeline (time at the visit) had the care plan field's «Υπηρεσία»."""
    pv_id = _plan_w51(db)
    page = office.get(f"/desk/plans/{pv_id}").get_data(as_text=True)
    legend = page[page.index('class="legend"') :]
    legend = legend[: legend.index("</div>")]
    assert "Υπηρεσία" not in legend and "seg-key service" in legend


def test_a_route_sheet_of_one_unit_without_a_day(office: FlaskClient, published: tuple[Path, int]) -> None:
    """``?unit=`` alone: that unit's sheets (it was ignored: every page); an unknown unit 404."""
    pdfium = pytest.importorskip("pypdfium2")
    pv_id = published[1]
    assert office.get(f"/desk/plans/{pv_id}/sheet.pdf?unit=no-such-unit").status_code == 404
    page = office.get(f"/desk/plans/{pv_id}").get_data(as_text=True)
    units = re.findall(r"sheet\.pdf\?day=[\d-]+&amp;unit=([\w-]+)", page)
    assert units
    unit = units[0]
    response = office.get(f"/desk/plans/{pv_id}/sheet.pdf?unit={unit}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'-{unit}.pdf"')
    doc = pdfium.PdfDocument(io.BytesIO(response.data))
    try:
        assert len(doc) == units.count(unit)
    finally:
        doc.close()
