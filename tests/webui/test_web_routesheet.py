"""The route sheet PDF: A4, one page per route, Greek text, rendered to PNG as a person sees it."""

from __future__ import annotations

import importlib.util
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import ARTIFACTS, COORDINATOR, DRIVER, MON, login, post, small_problem_dict

from webui.jobs import JobRunner

if importlib.util.find_spec("pypdfium2") is None and os.environ.get("CI"):
    pytest.fail("CI must render the route sheet: pip install pypdfium2 (a dev dependency)", pytrace=False)
pdfium = pytest.importorskip("pypdfium2", reason="pip install pypdfium2 (a dev dependency)")


@pytest.fixture
def plan_id(coordinator: FlaskClient, app: Flask) -> int:
    """The small problem solved for 2026-W50 (1 s)."""
    runner: JobRunner = app.extensions["kinito_jobs"]
    job = runner.start("2026-W50", COORDINATOR, time_limit=1.0, problem=small_problem_dict())
    done = runner.wait(job.id, 60)
    assert done is not None and done.state == "done" and done.plan_version_id is not None, done
    return done.plan_version_id


def _stored_plan(coordinator: FlaskClient, plan_id: int) -> Any:
    """The plan stored as version ``plan_id``."""
    from planner.register.db import session_scope
    from planner.register.models import PlanVersion
    from planner.schema import plan_from_dict

    assert coordinator.application is not None
    with session_scope(coordinator.application.extensions["kinito_engine"]) as s:
        return plan_from_dict(json.loads(s.get_one(PlanVersion, plan_id).plan_json))


def _pdf(data: bytes) -> tuple[list[tuple[float, float]], list[str]]:
    """Each page's size in points and its text (line breaks made spaces, as table cells wrap)."""
    doc = pdfium.PdfDocument(io.BytesIO(data))
    try:
        sizes, texts = [], []
        for page in doc:
            sizes.append(page.get_size())
            textpage = page.get_textpage()
            texts.append(" ".join(textpage.get_text_range().split()))
            textpage.close()
            page.close()
        return sizes, texts
    finally:
        doc.close()


def _render(data: bytes, path: Path) -> Any:
    """Page 1 as a PNG at 1.5x, saved to ``path``; returned as a PIL image."""
    doc = pdfium.PdfDocument(io.BytesIO(data))
    try:
        page = doc[0]
        image = page.render(scale=1.5).to_pil()
        page.close()
    finally:
        doc.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return image


def test_route_sheet_is_an_a4_pdf_in_greek(coordinator: FlaskClient, plan_id: int) -> None:
    """One A4 page per route, with the day in Greek, the ordered stops, times, phone, notes room."""
    response = coordinator.get(f"/desk/plans/{plan_id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    sizes, texts = _pdf(response.data)
    assert len(sizes) == 1  # the small week has one route
    assert (round(sizes[0][0]), round(sizes[0][1])) == (595, 842)  # A4 in points
    text = texts[0]
    for expected in (
        "Φύλλο δρομολογίου",
        "Δευτέρα 7 Δεκεμβρίου 2026",
        "Αναχώρηση 08:",
        "Πλήρωμα: Μαρία Κ.",
        "Σοφία Ι.",
        "Αικατερίνη Ν.",
        "Στάση Κουνινών",
        "+30 2691099999",  # (as the exports write a phone: wrapped at the space, not mid-number)
        "Οδός 1",
        "επίσκεψη κατ' οίκον, 30′",
        "στάση σε οικισμό, 90′",
        "Σημειώσεις",
        "έκδοση 1 (πρόχειρη)",
    ):
        assert expected in text, expected
    # the stops in the route's order (whichever order the search found)
    order = [stop.visit_id for route in _stored_plan(coordinator, plan_id).routes for stop in route.stops]
    names = {"hv-1": "Αικατερίνη Ν.", "vs-2": "Στάση Κουνινών", "hv-3": "Σοφία Ι."}
    assert {"hv-1", "vs-2", "hv-3"} <= set(order)
    places = [text.index(names[v]) for v in order if v in names]
    assert places == sorted(places)
    image = _render(response.data, ARTIFACTS / "web-route-sheet.png")
    histogram = image.convert("L").histogram()
    dark = sum(histogram[:128]) / sum(histogram)
    assert 0.01 < dark < 0.5  # ink on the page, not a blank or black one


def test_one_day_sheet_and_english(coordinator: FlaskClient, plan_id: int) -> None:
    """?day=&unit= gives that route only; an unknown day is 404; in English the labels are English."""
    url = f"/desk/plans/{plan_id}/sheet.pdf?day={MON.isoformat()}&unit=van1"
    one = coordinator.get(url)
    assert len(_pdf(one.data)[0]) == 1
    # a file per route: the day's two units' sheets had the same name
    assert one.headers["Content-Disposition"].endswith(f'-{MON.isoformat()}-van1.pdf"')
    assert coordinator.get(f"/desk/plans/{plan_id}/sheet.pdf?day=2026-12-11&unit=van1").status_code == 404
    assert coordinator.get(f"/desk/plans/{plan_id}/sheet.pdf?day=friday").status_code == 400
    # the day alone: that day's routes (fourth walkthrough: a 404 before); another unit: none
    assert len(_pdf(coordinator.get(f"/desk/plans/{plan_id}/sheet.pdf?day={MON.isoformat()}").data)[0]) == 1
    assert coordinator.get(f"/desk/plans/{plan_id}/sheet.pdf?day=2026-12-11").status_code == 404
    assert (
        coordinator.get(f"/desk/plans/{plan_id}/sheet.pdf?day={MON.isoformat()}&unit=car9").status_code == 404
    )
    post(coordinator, "/language", {"lang": "en"})
    text = _pdf(coordinator.get(url).data)[1][0]
    assert "Route sheet" in text and "Monday 7 December 2026" in text and "village stop, 90′" in text


def test_route_sheet_is_the_coordinators(client: FlaskClient, plan_id: int) -> None:
    """The driver cannot download the coordinator's sheets (part 2 gives the driver their own day)."""
    post(client, "/logout")
    login(client, DRIVER)
    assert client.get(f"/desk/plans/{plan_id}/sheet.pdf").status_code == 403


def test_missing_font_is_a_clear_503(
    coordinator: FlaskClient, plan_id: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without DejaVu Sans the server says what is missing instead of failing."""
    import webui.routesheet as sheet

    monkeypatch.setattr(sheet, "FONT_DIRS", (tmp_path,))
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    response = coordinator.get(f"/desk/plans/{plan_id}/sheet.pdf")
    assert response.status_code == 503 and "DejaVu Sans" in response.get_data(as_text=True)


def test_a_village_stops_spot_is_not_said_twice() -> None:
    """Fourth walkthrough: a stop named «Σαρκουνάς: ΚΑΠΗ» had «ΚΑΠΗ» again in the address column;
    the column gives the settlement. A home visit's address is kept."""
    from planner.model import Location, Visit
    from webui.planview import _place

    village = Location("set-1", 38.1, 22.0, "Σαρκουνάς")
    stop = Visit("vs-1", village, 3600, kind="village_stop", name="Σαρκουνάς: ΚΑΠΗ", address="ΚΑΠΗ")
    assert _place(stop) == "Σαρκουνάς"
    home = Visit("cp-1", village, 1800, name="Σοφία Ι.", address="Οδός 1, Σαρκουνάς")
    assert _place(home) == "Οδός 1, Σαρκουνάς"


def test_each_stop_says_whose_visit_it_is(app: Flask) -> None:
    """On a day with two professionals aboard, the sheet's service column names the staff
    member a visit names, else the role it needs (in the reader's language)."""
    from dataclasses import replace

    from webui_helpers import small_problem

    from webui.routesheet import _who

    problem = small_problem()
    visits = {v.id: v for v in problem.visits}
    visits["hv-1"] = replace(visits["hv-1"], required_staff="sw1")
    visits["hv-3"] = replace(visits["hv-3"], required_role="psychologist")
    problem = replace(problem, visits=tuple(visits.values()))
    with app.test_request_context():
        assert _who(problem, "hv-1") == "Μαρία Κ."
        assert _who(problem, "hv-3") == "Ψυχολόγος"
        assert _who(problem, "vs-2") == "" and _who(problem, "no-such") == ""


def test_table_rows_are_ruled_for_handwritten_notes(coordinator: FlaskClient, plan_id: int) -> None:
    """Each stop's row has a line under it across the empty notes column, so a handwritten note
    belongs to one stop (UI walkthrough: the lines were drawn white, the map's marker outline)."""
    response = coordinator.get(f"/desk/plans/{plan_id}/sheet.pdf")
    image = _render(response.data, ARTIFACTS / "web-route-sheet-lines.png").convert("L")
    px_per_mm = 1.5 * 72 / 25.4
    x = round(190 * px_per_mm)  # inside the notes column (164-200 mm), where nothing is written
    top = round(105 * px_per_mm)  # below the map
    column = [image.getpixel((x, y)) for y in range(top, image.height)]
    # the table's rules are dark; the notes area's writing lines below it light grey (~190)
    lines = sum(1 for y in range(1, len(column)) if column[y] < 160 <= column[y - 1])
    assert lines >= 3, lines  # under the heading and between the three stops


def test_a_page_the_stops_run_onto_says_whose_route_it_is(tmp_path: Path) -> None:
    """A reviewer's walkthrough (eighteenth session): a route of many stops ran onto a second
    page with only the table's header, a stop and the footer, so a loose page could not be
    matched to its van. Every page now names the day and the unit (the demo week's routes)."""
    import shutil

    from field_helpers import demo_template

    from planner.register.db import session_scope
    from planner.register.models import PlanVersion
    from planner.schema import plan_from_dict
    from webui import create_app

    template, pv_id = demo_template(tmp_path / "template")
    db = tmp_path / "demo.sqlite3"
    shutil.copy(template, db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": "2026-12-07"})  # fmt: skip
    try:
        client = app.test_client()
        assert login(client, COORDINATOR).status_code == 302
        with session_scope(app.extensions["kinito_engine"]) as s:
            row = s.get_one(PlanVersion, pv_id)
            stored = json.loads(row.plan_json)
            # one route three times as long, so that its stops surely run onto another page
            route = next(r for r in stored["routes"] if any(x["type"] == "visit" for x in r["steps"]))
            steps = route["steps"]
            visits = [x for x in steps if x["type"] == "visit"]
            steps[-1:-1] = visits + visits
            row.plan_json = json.dumps(stored, ensure_ascii=False)
            routes = [r for r in plan_from_dict(stored).routes if r.stops]
        _sizes, texts = _pdf(client.get(f"/desk/plans/{pv_id}/sheet.pdf").data)
    finally:
        app.extensions["kinito_engine"].dispose()
    assert len(texts) > len(routes)  # some route's stops run onto a second page
    continued = [text for text in texts if "(συνέχεια)" in text]
    assert len(continued) == len(texts) - len(routes)
    for text in texts:
        assert "Δεκεμβρίου 2026 · " in text and ("Κινητή μονάδα" in text or "Δημοτικό αυτοκίνητο" in text), (
            text[:200]
        )
