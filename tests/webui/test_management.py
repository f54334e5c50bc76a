"""Management's pages through the test client, on the demo register (eight weeks of history,
W50 published): permissions, the figures shown, no names, the XLSX and PDF exports."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from field_helpers import demo_template
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webui_helpers import ADMIN, COORDINATOR, DRIVER, MANAGEMENT, login

from planner.register.db import session_scope
from planner.register.models import Beneficiary, VisitOutcome
from webui import create_app

PERIOD = "?from=2026-W42&to=2026-W50"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The demo register, W50 published."""
    return demo_template(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo_app(demo: tuple[Path, int], tmp_path: Path) -> Iterator[Flask]:
    """The app on a copy of the demo register; today is Friday 11 December 2026."""
    db = tmp_path / "demo.sqlite3"
    shutil.copy(demo[0], db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": "2026-12-11"})  # fmt: skip
    yield app
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()


@pytest.fixture
def manager(demo_app: Flask) -> FlaskClient:
    """A client logged in as management."""
    client = demo_app.test_client()
    assert login(client, MANAGEMENT).status_code == 302
    return client


def _names(app: Flask) -> tuple[list[str], list[str], list[str]]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        names = list(s.scalars(select(Beneficiary.full_name)))
        phones = [p for p in s.scalars(select(Beneficiary.phone)) if p]
        notes = [n for n in s.scalars(select(VisitOutcome.note)) if n and len(n) > 12]
    return names, phones, notes


def _cell(html: str, cell_id: str) -> str:
    match = re.search(rf'id="{cell_id}">([^<]*)<', html)
    assert match, cell_id
    return match.group(1).strip()


@pytest.mark.parametrize("username", [COORDINATOR, DRIVER, ADMIN])
def test_only_management_opens_the_coverage_pages(demo_app: Flask, username: str) -> None:
    """Every other role: 403 on the page and both exports."""
    client = demo_app.test_client()
    login(client, username)
    for url in ("/management/", "/management/export.xlsx", "/management/export.pdf"):
        assert client.get(url).status_code == 403, url


def test_management_cannot_open_a_persons_page(manager: FlaskClient) -> None:
    """Names live in the register: management gets 403 there, and from the driver's data."""
    assert manager.get("/register/beneficiaries").status_code == 403
    assert manager.get("/register/beneficiaries/1").status_code == 403
    assert manager.get("/driver/today.json").status_code == 403


def test_the_page_shows_the_figures_counted_from_the_rows(manager: FlaskClient, demo_app: Flask) -> None:
    """Done, not at home, cancelled and postponed in W42-W50, as counted in the database."""
    html = manager.get(f"/management/{PERIOD}").get_data(as_text=True)
    with session_scope(demo_app.extensions["kinito_engine"]) as s:
        query = select(VisitOutcome.status, func.count()).group_by(VisitOutcome.status)
        counts = dict(s.execute(query).all())
    assert int(_cell(html, "k-done")) == counts["done"]
    for status in ("not_at_home", "cancelled", "postponed"):
        assert int(_cell(html, f"k-{status}")) == counts[status]
    assert "Κάλυψη" in html and "Ορεινά χωριά" in html
    assert html.count('<tr data-week="2026-W') == 9
    assert 'id="trend"' in html and html.count("<polyline") == 3
    assert _cell(html, "k-settlements").endswith("/ 140")
    assert float(_cell(html, "k-km")) > 0  # W50's published plan


def test_the_map_data_has_every_settlement(manager: FlaskClient) -> None:
    """140 settlements with population and 4 / 12 week counts, for the map's script."""
    import json

    html = manager.get("/management/").get_data(as_text=True)
    match = re.search(r'<script type="application/json" id="coverage-data">(.*?)</script>', html, re.S)
    assert match
    points = json.loads(match.group(1))
    assert len(points) == 140
    assert {"lat", "lon", "population", "done4", "done12", "last"} <= set(points[0])
    assert sum(p["done12"] for p in points) > sum(p["done4"] for p in points) > 0


def test_no_name_phone_or_note_reaches_management(manager: FlaskClient, demo_app: Flask) -> None:
    """The page and the XLSX hold pseudonyms only."""
    from openpyxl import load_workbook

    html = manager.get(f"/management/{PERIOD}").get_data(as_text=True)
    book = load_workbook(io.BytesIO(manager.get(f"/management/export.xlsx{PERIOD}").data))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    names, phones, notes = _names(demo_app)
    for text in (html, cells):
        # staff names may contain a person's first name and initial: check whole words only
        people_text = re.sub(r"[^<>]*\(πλασματικό πρόσωπο\)", "", text)
        assert not [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", people_text)]
        assert not [p for p in phones if p in text]
        assert not [n for n in notes if n in text]
    assert "Ω-0" in html and "Ω-0" in cells


def test_the_xlsx_export_holds_the_same_figures(manager: FlaskClient, demo_app: Flask) -> None:
    """Opened with openpyxl: the summary, the weeks, the outcomes, the settlements."""
    from openpyxl import load_workbook

    response = manager.get(f"/management/export.xlsx{PERIOD}")
    assert response.status_code == 200
    assert "kinito-coverage-2026-W42-2026-W50.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:3] == ["Σύνοψη", "Εβδομάδες", "Εκβάσεις"]
    summary = {row[0]: row[1] for row in book["Σύνοψη"].iter_rows(min_row=2, values_only=True)}
    with session_scope(demo_app.extensions["kinito_engine"]) as s:
        done = s.scalar(select(func.count()).select_from(VisitOutcome).where(VisitOutcome.status == "done"))
        by_week = dict(
            s.execute(
                select(func.strftime("%W", VisitOutcome.planned_date), func.count())
                .where(VisitOutcome.status == "done")
                .group_by(func.strftime("%W", VisitOutcome.planned_date))
            ).all()
        )
    assert summary["Επισκέψεις που έγιναν"] == done
    weeks = list(book["Εβδομάδες"].iter_rows(values_only=True))
    assert weeks[0][:3] == ("Εβδομάδα (ISO)", "Οφειλόμενες", "Έγινε")
    assert len(weeks) == 1 + 9
    # SQLite's %W counts Monday weeks from the year's first Monday: 2026 starts on a Thursday, so +1
    assert {int(r[0][-2:]): r[2] for r in weeks[1:] if r[2]} == {int(k) + 1: v for k, v in by_week.items()}
    assert len(book["Εβδομάδες"]._charts) == 1  # Excel's own trend chart
    settlements = list(book["Οικισμοί"].iter_rows(values_only=True))
    assert len(settlements) == 1 + 140


def test_the_pdf_export_has_greek_text(manager: FlaskClient) -> None:
    """An A4 PDF whose text (extracted with pypdf) is the Greek report."""
    from pypdf import PdfReader

    response = manager.get(f"/management/export.pdf{PERIOD}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Kinito: κάλυψη της κινητής μονάδας" in text
    assert "Επισκέψεις που έγιναν" in text and "Ορεινά χωριά" in text and "2026-W50" in text
    assert "Ω-0" in text
    assert "Πορεία ανά εβδομάδα" in text and "W42" in reader.pages[0].extract_text()  # the chart


def test_a_bad_period_falls_back_and_a_reversed_one_is_put_right(manager: FlaskClient) -> None:
    """Nonsense weeks: the last 12 weeks; from after to: swapped; too long: 400."""
    html = manager.get("/management/?from=nonsense&to=2026-W99").get_data(as_text=True)
    assert html.count('<tr data-week="') == 12
    html = manager.get("/management/?from=2026-W50&to=2026-W48").get_data(as_text=True)
    assert html.count('<tr data-week="') == 3
    assert manager.get("/management/?from=2020-W01&to=2026-W50").status_code == 400


def test_english_page(manager: FlaskClient) -> None:
    """The language switch applies: English labels."""
    from webui_helpers import post

    post(manager, "/language", {"lang": "en", "next": "/management/"})
    html = manager.get("/management/").get_data(as_text=True)
    assert "Visits done" in html and "Mountain villages" in html
