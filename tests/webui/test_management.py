"""Management's pages through the test client, on the demo register (eight weeks of history,
W50 published): permissions, the figures shown, no names, the XLSX and PDF exports; and on the
small register of test_coverage, whose figures are counted there by hand: the page, the XLSX
and the PDF show the same ones."""

from __future__ import annotations

import io
import itertools
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from field_helpers import demo_template
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from test_coverage import HAND_WEEKS
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


def _greek_number(text: str) -> float:
    """A number as the Greek interface writes it: ``1.234,5`` is 1234.5."""
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d+)?", text), text
    return float(text.replace(".", "").replace(",", "."))


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
    # a keyboard user's way past the map's 140 circles, to the summary (UI walkthrough)
    assert html.index('<a class="skip-link" href="#summary-heading">') < html.index('id="coverage-map"')
    assert '<h2 id="summary-heading" tabindex="-1">' in html
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
    assert _greek_number(_cell(html, "k-km")) > 0  # W50's published plan, in Greek: 644,5


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
    assert "Ψ-0" in html and "Ψ-0" in cells


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
    assert weeks[0][:7] == ("Εβδομάδα (ISO)", "Από προηγούμενες εβδομάδες", "Νέες οφειλόμενες",
                            "Οφειλόμενες της εβδομάδας", "Έγιναν από αυτές", "Δεν έγιναν",
                            "Έγιναν χωρίς να οφείλονται")  # fmt: skip
    assert len(weeks) == 1 + 9 + 1  # the header, the weeks, the period counting each visit once
    # done = done of the due + done not due; SQLite's %W counts Monday weeks from the year's first
    # Monday: 2026 starts on a Thursday, so +1
    assert {int(r[0][-2:]): r[4] + r[6] for r in weeks[1:-1] if r[4] + r[6]} == {
        int(k) + 1: v for k, v in by_week.items()
    }
    period = weeks[-1]
    assert period[0] == "Περίοδος (κάθε επίσκεψη μία φορά)"
    assert period[3] == summary["Οφειλόμενες επισκέψεις"] == period[4] + period[5]
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
    assert "Ψ-0" in text
    assert "Πορεία ανά εβδομάδα" in text and "W42" in reader.pages[0].extract_text()  # the chart


def test_the_pdf_charts_legend_labels_do_not_overlap(manager: FlaskClient) -> None:
    """Each legend label of the PDF's chart ends before the next one's line begins (UI
    walkthrough: «Οφειλόμενες της εβδομάδας» ran into the next item at a fixed 45 mm step)."""
    import pypdfium2 as pdfium

    response = manager.get(f"/management/export.pdf{PERIOD}")
    doc = pdfium.PdfDocument(io.BytesIO(response.data))
    try:
        hits = []  # every (left, right, baseline) of each label on every page
        for k in range(len(doc)):
            text = doc[k].get_textpage()
            for label in ("Οφειλόμενες της εβδομάδας", "Έγιναν από αυτές", "Δεν έγιναν"):
                searcher = text.search(label)
                while (hit := searcher.get_next()) is not None:
                    first, last = text.get_charbox(hit[0]), text.get_charbox(hit[0] + hit[1] - 1)
                    hits.append((k, round(first[1]), label, first[0], last[2]))
        # the legend: the line where all three labels stand
        line = next(
            key for key in {(h[0], h[1]) for h in hits} if len({h[2] for h in hits if h[:2] == key}) == 3
        )
        spans = sorted((h[3], h[4]) for h in hits if h[:2] == line)
    finally:
        doc.close()
    mm = 72 / 25.4
    for (_left, right), (next_left, _right) in itertools.pairwise(spans):
        assert right + 12 * mm <= next_left, spans  # the next item: 2 mm, its 8 mm line, 2 mm, its label


def _input(html: str, name: str) -> str:
    match = re.search(rf'<input id="{name}" name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


BAD_PERIODS = [
    ("from=abc&to=2026-W50", "from",
     "Το «abc» δεν είναι εβδομάδα ISO: γράψτε το έτος, παύλα, W και τον αριθμό της εβδομάδας, "
     "π.χ. 2026-W50."),
    ("from=2026-W42&to=2026-W60", "to",
     "Η εβδομάδα 60 του 2026 δεν υπάρχει: το 2026 έχει εβδομάδες 01 έως 53."),
    ("from=2025-W53&to=2026-W50", "from",
     "Η εβδομάδα 53 του 2025 δεν υπάρχει: το 2025 έχει εβδομάδες 01 έως 52."),
    ("from=2020-W01&to=2026-W50", "period",
     "Η περίοδος 2020-W01 – 2026-W50 έχει 363 εβδομάδες: εμφανίζονται έως 104 εβδομάδες (δύο χρόνια). "
     "Επιλέξτε μεταγενέστερη πρώτη εβδομάδα, π.χ. 2024-W51."),
]  # fmt: skip


@pytest.mark.parametrize(("query", "field", "message"), BAD_PERIODS)
def test_a_bad_period_is_explained_in_the_form_keeping_what_was_typed(
    manager: FlaskClient, query: str, field: str, message: str
) -> None:
    """Not replaced silently, not a bare 400 page: the form, what the user typed, and in Greek
    what is wrong and what is allowed; the exports of such a period say the same (400, no file)."""
    typed = dict(part.split("=") for part in query.split("&"))
    for url, status in (
        ("/management/", 200),
        ("/management/export.xlsx", 400),
        ("/management/export.pdf", 400),
    ):
        response = manager.get(f"{url}?{query}")
        assert response.status_code == status and response.mimetype == "text/html", url
        html = response.get_data(as_text=True)
        assert f'data-field="{field}">' in html and message in html, url
        assert "Το αίτημα δεν ήταν κατανοητό" not in html
        assert _input(html, "from") == typed["from"] and _input(html, "to") == typed["to"]
        assert 'aria-invalid="true"' in html and "έως 104 εβδομάδες" in html
        assert 'id="summary"' not in html  # no figures of some other period under the message


def test_a_reversed_period_is_put_right_and_a_week_may_be_typed_loosely(manager: FlaskClient) -> None:
    """W50..W48 is W48..W50; "2026w48" is 2026-W48; 104 weeks are allowed."""
    html = manager.get("/management/?from=2026-W50&to=2026-W48").get_data(as_text=True)
    assert html.count('<tr data-week="') == 3
    html = manager.get("/management/?from=2026w48&to=2026-W50").get_data(as_text=True)
    assert html.count('<tr data-week="') == 3 and _input(html, "from") == "2026-W48"
    assert manager.get("/management/?from=2024-W52&to=2026-W50").status_code == 200  # 104 weeks


def test_weeks_before_the_first_records_are_not_counted(manager: FlaskClient) -> None:
    """The demo register's records start in W42. By default (the last 12 weeks, W39-W50) the
    period starts there; asked for W39-W50, W39-W41 show "no data" and count for nothing: the
    figures are those of W42-W50."""
    html = manager.get("/management/").get_data(as_text=True)
    assert (_input(html, "from"), _input(html, "to")) == ("2026-W42", "2026-W50")
    assert "Οι καταγραφές του μητρώου ξεκινούν την εβδομάδα 2026-W42" in html
    asked = manager.get("/management/?from=2026-W39&to=2026-W50").get_data(as_text=True)
    assert asked.count('data-recorded="0"') == 3 and asked.count('data-recorded="1"') == 9
    for week in ("2026-W39", "2026-W40", "2026-W41"):
        row = re.search(rf'<tr data-week="{week}" data-recorded="0">(.*?)</tr>', asked, re.S)
        assert row and "χωρίς δεδομένα" in row.group(1)
    for key in ("due", "due-before", "due-done", "due-not-done", "done", "ben-due"):
        assert _cell(asked, f"k-{key}") == _cell(html, f"k-{key}"), key
    assert _cell(asked, "k-weeks-recorded") == "9 / 12"


def test_kilometres_without_a_published_plan_are_unknown(manager: FlaskClient) -> None:
    """W42-W49 have no published plan: "—", not 0.0; W50's plan gives its kilometres."""
    html = manager.get(f"/management/{PERIOD}").get_data(as_text=True)
    km = dict(re.findall(r'<tr data-week="(2026-W\d\d)".*?<td data-key="km">([^<]*)</td>', html, re.S))
    assert [km[f"2026-W{n}"] for n in range(42, 50)] == ["—"] * 8
    assert _greek_number(km["2026-W50"]) == _greek_number(_cell(html, "k-km")) > 0
    assert "0,0" not in km.values()


def test_the_map_data_carries_greek_dates(manager: FlaskClient) -> None:
    """Each settlement's last visit done as the interface writes dates ("Τρί 8/12"), beside the
    ISO date the script computes the colours from."""
    import json

    html = manager.get("/management/").get_data(as_text=True)
    match = re.search(r'<script type="application/json" id="coverage-data">(.*?)</script>', html, re.S)
    assert match
    served = [p for p in json.loads(match.group(1)) if p["last"]]
    assert served and all(re.fullmatch(r"[Α-Ωά-ώ]{3} \d{1,2}/\d{1,2}", p["last_label"]) for p in served)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", p["last"]) for p in served)


def test_the_sheet_names_are_whole_words_within_excels_limit(manager: FlaskClient) -> None:
    """Excel allows 31 characters: each sheet has a short name of its own, in either language,
    never a title cut mid-word."""
    from openpyxl import load_workbook
    from webui_helpers import post

    book = load_workbook(io.BytesIO(manager.get(f"/management/export.xlsx{PERIOD}").data))
    names = book.sheetnames  # (the municipal units' sheet, new: translated or not yet)
    assert names[5] in ("Δημοτικές ενότητες", "Municipal units")
    assert names[:5] + names[6:] == ["Σύνοψη", "Εβδομάδες", "Εκβάσεις", "Μη προγραμματισμένες",
                                     "Φόρτος προσωπικού", "Οικισμοί",
                                     "Οφειλόμενοι χωρίς επίσκεψη"]  # fmt: skip
    post(manager, "/language", {"lang": "en", "next": "/management/"})
    book = load_workbook(io.BytesIO(manager.get(f"/management/export.xlsx{PERIOD}").data))
    assert book.sheetnames == ["Summary", "Weeks", "Outcomes", "Not planned", "Staff load", "Municipal units",
                               "Settlements", "Due, not served"]  # fmt: skip


# --- the small register counted by hand (test_coverage) ------------------------------------------


HAND_SUMMARY = {  # counted by hand in test_coverage: due = done of them + not done
    "Οφειλόμενες επισκέψεις": 13,
    "από αυτές, οφειλόμενες ήδη πριν από την περίοδο": 2,
    "Οφειλόμενες που έγιναν": 9,
    "Οφειλόμενες που δεν έγιναν": 4,
    "Επισκέψεις που έγιναν": 11,
    "Δεν βρέθηκε στο σπίτι": 1,
    "Ακυρώθηκε": 1,
    "Αναβλήθηκε": 1,
    "Χιλιόμετρα (δημοσιευμένα προγράμματα)": 12.5,
}
DUE_NOTE = "Οφειλόμενες: κάθε επίσκεψη μετρά μία φορά, την εβδομάδα που έγινε οφειλόμενη"


def test_page_xlsx_and_pdf_show_the_figures_counted_by_hand(hand_manager: FlaskClient) -> None:
    """W45-W48: 13 due (2 from before), 9 of them done, 4 not done; 11 done in all; the weeks
    as counted by hand; the Greek note on what "due" counts, in all three."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    query = "?from=2026-W45&to=2026-W48"
    html = hand_manager.get(f"/management/{query}").get_data(as_text=True)
    keys = (
        "due",
        "due-before",
        "due-done",
        "due-not-done",
        "done",
        "not_at_home",
        "cancelled",
        "postponed",
        "km",
    )
    ids = dict(zip(HAND_SUMMARY, (f"k-{k}" for k in keys), strict=True))
    assert {label: _greek_number(_cell(html, ids[label])) for label in HAND_SUMMARY} == HAND_SUMMARY
    assert DUE_NOTE in html
    keys = ("carried", "new", "due", "done-due", "not-done")
    for week, expected in HAND_WEEKS.items():
        row = re.search(rf'<tr data-week="{week}" data-recorded="1">(.*?)</tr>', html, re.S)
        assert row, week
        cells = dict(re.findall(r'<td data-key="([^"]+)">([^<]*)</td>', row.group(1)))
        assert tuple(int(cells[k]) for k in keys) == expected[:5], week
    total = re.search(r'<tr id="weeks-total">(.*?)</tr>', html, re.S)
    assert total and re.findall(r'<th data-key="(?:carried|new|due|done-due|not-done)">(\d+)</th>',
                                total.group(1)) == ["2", "11", "13", "9", "4"]  # fmt: skip

    book = load_workbook(io.BytesIO(hand_manager.get(f"/management/export.xlsx{query}").data))
    summary = {row[0]: row[1] for row in book["Σύνοψη"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert {label: summary[label] for label in HAND_SUMMARY} == HAND_SUMMARY
    assert any(str(label).startswith(DUE_NOTE) for label in summary)
    weeks = list(book["Εβδομάδες"].iter_rows(min_row=2, values_only=True))
    assert {r[0]: (*r[1:6], r[4] + r[6]) for r in weeks[:-1]} == HAND_WEEKS
    assert [r[10] for r in weeks[:-1]] == [None, None, None, 12.5]  # kilometres: unknown, not 0

    reader = PdfReader(io.BytesIO(hand_manager.get(f"/management/export.pdf{query}").data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for label, value in HAND_SUMMARY.items():
        assert f"{label} {str(value).replace('.', ',')}" in text, label  # 12,5 km, in Greek
    assert DUE_NOTE in text.replace("\n", " ")


def test_english_page(manager: FlaskClient) -> None:
    """The language switch applies: English labels."""
    from webui_helpers import post

    post(manager, "/language", {"lang": "en", "next": "/management/"})
    html = manager.get("/management/").get_data(as_text=True)
    assert "Visits done" in html and "Mountain villages" in html


def test_the_week_under_way_is_not_counted_as_missed(manager: FlaskClient, hand_manager: FlaskClient) -> None:
    """Today is in W50: of the due visits not done, W50's are named apart (not missed yet, the
    week is under way); a period of past weeks has no such row."""
    html = manager.get("/management/?from=2026-W49&to=2026-W50").get_data(as_text=True)
    row = re.search(r'<tr data-week="2026-W50" data-recorded="1">(.*?)</tr>', html, re.S)
    assert row and "σε εξέλιξη" in row.group(1)
    cells = dict(re.findall(r'<td data-key="([^"]+)">([^<]*)</td>', row.group(1)))
    assert int(cells["not-done"]) > 0
    assert _cell(html, "k-due-not-done-current") == cells["not-done"]
    assert "από αυτές, στην εβδομάδα σε εξέλιξη" in html
    past = hand_manager.get("/management/?from=2026-W45&to=2026-W48").get_data(as_text=True)
    assert "k-due-not-done-current" not in past


def _staff_cells(html: str) -> tuple[list[str], list[list[str]]]:
    """The staff load table: the week headings, and each row's cells after name and role."""
    table = html[html.index('id="staff-load"') :]
    table = table[: table.index("</table>")]
    weeks = re.findall(r"<th>(W\d\d)</th>", table)
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)][2:]
        for row in re.findall(r"<tr>(<td>.*?)</tr>", table, re.S)
    ]
    return weeks, rows


def test_staff_load_says_no_data_for_weeks_without_records(manager: FlaskClient, demo_app: Flask) -> None:
    """Third walkthrough: the demo register's records start in W42. Asked for W39-W50, each
    staff member's W39-W41 read «χωρίς δεδομένα», as the weeks table says, not "0 / —". A week
    after today's with a published plan (today in W49, W50 published) has no visits yet but
    its days aboard: "— / n"; one with neither reads «χωρίς δεδομένα» too."""
    html = manager.get("/management/?from=2026-W39&to=2026-W50").get_data(as_text=True)
    weeks, rows = _staff_cells(html)
    assert weeks == [f"W{n}" for n in range(39, 51)] and rows
    for row in rows:
        assert row[:3] == ["χωρίς δεδομένα"] * 3, row
        assert all(re.fullmatch(r"\d+ / (—|\d+)", cell) for cell in row[3:]), row
    assert "<td>0 / —</td>" not in html[html.index('id="staff-load"') :]

    demo_app.config["TODAY"] = "2026-12-02"  # Wednesday of W49: W50 is still to come
    html = manager.get("/management/?from=2026-W48&to=2026-W51").get_data(as_text=True)
    weeks, rows = _staff_cells(html)
    assert weeks == ["W48", "W49", "W50", "W51"] and rows
    aboard = [row[2] for row in rows]
    assert all(re.fullmatch(r"— / \d+", cell) for cell in aboard), aboard
    assert any(cell != "— / 0" for cell in aboard)
    assert [row[3] for row in rows] == ["χωρίς δεδομένα"] * len(rows)


FUTURE = "?from=2026-W51&to=2026-W53"  # today is in W50: none of them has happened


def test_a_period_of_weeks_still_to_come_shows_unknown_not_zero(manager: FlaskClient) -> None:
    """Third walkthrough: a period made only of weeks after today's shows "—" (not yet
    happened) for the visits done, the attempts, the people and settlements served and the
    mountain villages' share of visits done, in the summary, the outcomes table and the weeks'
    total, not 0 and 0.0 %; so do the XLSX (its tables: empty cells) and the PDF. The mountain
    villages' share of the beneficiaries (who has a care plan now) stays a figure."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    html = manager.get(f"/management/{FUTURE}").get_data(as_text=True)
    assert _cell(html, "k-weeks-recorded") == "0 / 3"
    for key in ("done", "done-beyond", "not_at_home", "cancelled", "postponed", "ben-served", "settlements",
                "mountain-visits"):  # fmt: skip
        assert _cell(html, f"k-{key}") == "—", key
    assert re.fullmatch(r"\d{1,3},\d%", _cell(html, "k-mountain-people"))  # Greek: 43,9%
    shares = re.findall(r"<strong>([^<]*)</strong>", html[html.index('id="mountain"') :])[:2]
    assert shares[0] == "—" and shares[1] == _cell(html, "k-mountain-people")
    outcomes = html[html.index('id="outcomes"') :]
    outcomes = outcomes[: outcomes.index("</table>")]
    cells = re.findall(r"<td>([^<]*)</td>", outcomes)
    assert len(cells) == 16 and [c for i, c in enumerate(cells) if i % 4] == ["—"] * 12
    total = re.search(r'<tr id="weeks-total">(.*?)</tr>', html, re.S)
    assert total
    assert set(re.findall(r'<th data-key="[^"]+">([^<]*)</th>', total.group(1))) == {"—"}

    book = load_workbook(io.BytesIO(manager.get(f"/management/export.xlsx{FUTURE}").data))
    summary = {row[0]: row[1] for row in book["Σύνοψη"].iter_rows(min_row=2, values_only=True) if row[0]}
    labels = ("Επισκέψεις που έγιναν", "Ακυρώθηκε", "Ωφελούμενοι που εξυπηρετήθηκαν",
              "Οικισμοί που εξυπηρετήθηκαν", "Ορεινά χωριά: μερίδιο των επισκέψεων που έγιναν")  # fmt: skip
    for label in labels:
        assert summary[label] is None, label  # unknown: an empty cell, as in the other sheets
    outcome_sheet = list(book["Εκβάσεις"].iter_rows(min_row=2, values_only=True))
    assert all(row[1:] == (None, None, None) for row in outcome_sheet)
    pdf = PdfReader(io.BytesIO(manager.get(f"/management/export.pdf{FUTURE}").data))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Επισκέψεις που έγιναν —" in text and "Επισκέψεις που έγιναν 0" not in text
    assert "0,0%" not in text


def test_the_trend_charts_not_done_line_is_dashed(manager: FlaskClient) -> None:
    """Red «not done» and green «done of them» were both solid lines: told apart by colour only."""
    page = manager.get("/management/?from=2026-W42&to=2026-W50").get_data(as_text=True)
    missed = re.search(r"<polyline [^>]*class=\"series-missed\"", page)
    done = re.search(r"<polyline [^>]*class=\"series-done\"", page)
    assert missed and 'stroke-dasharray="8 5"' in missed.group(0)
    assert done and "stroke-dasharray" not in done.group(0)
    assert 'class="swatch dashed"' in page
