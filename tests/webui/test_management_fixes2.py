"""The eighth review of management's coverage page, on the demo register (history W42-W49,
W50 published): each defect as management met it.

1. W50 published for each unit apart: «Δεν σχεδιάστηκαν, και γιατί» counted a visit left by
   both plans twice, and one the other unit serves as not planned.
2. «Οφειλόμενοι που δεν εξυπηρετήθηκαν» named people due only in the week under way, booked
   on its routes still to come (the summary counts those visits apart: not missed yet).
3. On Saturday the week just ended was still "in progress".
4. A period of one week drew an empty trend chart (a polyline of one point draws nothing).
5. A share of nothing read «0,0%».
6. W50 published for one unit of two looked complete.
7. The form's hint promised "the last 12 weeks"; the default starts at the first records.
8. Populations without digit grouping («20422») beside grouped kilometres.

The texts added in this review may not be translated yet: the tests look for the unit's name,
an element's id or the English text (the interface switched to English), not Greek words.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from field_helpers import demo_template
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import MANAGEMENT, login, post

from planner.register.db import make_engine, session_scope
from planner.register.models import CarePlan, PlanVersion, Unit
from planner.register.week import plan_week, publish
from webui import create_app
from webui.coverage import compute_figures

W50 = "?from=2026-W50&to=2026-W50"
W50_MONDAY, W50_SUNDAY = date(2026, 12, 7), date(2026, 12, 13)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The demo register, W50 published for both units together."""
    return demo_template(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def split(demo: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two registers: W50 published for the second unit only (``one``), and then also for the
    first unit on its own (``two``), as ``kinito week 2026-W50 --units … --publish`` does."""
    folder = tmp_path_factory.mktemp("split")
    one, two = folder / "one.sqlite3", folder / "two.sqlite3"
    shutil.copy(demo[0], one)
    engine = make_engine(one)
    with session_scope(engine) as s:
        names = [u.name for u in s.scalars(select(Unit).order_by(Unit.id))]
    result = plan_week(engine, "2026-W50", units=[names[1]], time_limit=1.0, workers=1, actor="fixture")
    publish(engine, result.plan_version_id, actor="fixture")
    engine.dispose()
    shutil.copy(one, two)
    engine = make_engine(two)
    result = plan_week(engine, "2026-W50", units=[names[0]], time_limit=1.0, workers=1, actor="fixture")
    publish(engine, result.plan_version_id, actor="fixture")
    engine.dispose()
    return {"one": one, "two": two, "units": names}


def _client(db: Path, tmp_path: Path, today: str) -> Iterator[FlaskClient]:
    copy = tmp_path / f"{db.stem}-{today}.sqlite3"
    shutil.copy(db, copy)
    app: Flask = create_app({"DATABASE_URL": str(copy), "INSTANCE_PATH": str(tmp_path / "instance"),
                             "TESTING": True, "TODAY": today})  # fmt: skip
    client = app.test_client()
    assert login(client, MANAGEMENT).status_code == 302
    yield client
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()


@pytest.fixture
def manager(demo: tuple[Path, int], tmp_path: Path) -> Iterator[FlaskClient]:
    """Management on the demo register; today is Wednesday 9 December 2026 (W50 under way)."""
    yield from _client(demo[0], tmp_path, "2026-12-09")


def _published_docs(db: Path) -> list[dict[str, Any]]:
    engine = make_engine(db)
    with session_scope(engine) as s:
        rows = s.scalars(
            select(PlanVersion).where(PlanVersion.iso_week == "2026-W50", PlanVersion.status == "published")
        ).all()
        docs = [json.loads(row.plan_json) for row in rows]
    engine.dispose()
    return docs


def _table(html: str, table_id: str) -> list[list[str]]:
    table = html[html.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") :]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


# --- 1. not planned, and why: each visit once over the week's plans -------------------------------


def test_a_visit_no_units_plan_serves_counts_once_and_one_another_serves_not_at_all(
    split: dict[str, Any], tmp_path: Path
) -> None:
    """W50 published for each unit apart: each plan leaves unassigned what its own unit does
    not serve, so the page added up both lists (a visit neither serves twice, one the other
    unit serves once). Now each visit is counted as often as it was due that week less the
    times any plan serves it: the count made here from the two plans' documents, on the page,
    in the XLSX and the PDF."""
    from openpyxl import load_workbook

    docs = _published_docs(split["two"])
    assert len(docs) == 2
    served: Counter[str] = Counter()
    left: list[Counter[str]] = []
    for doc in docs:
        served.update(s["visit"] for r in doc["routes"] for s in r["steps"] if s.get("type") == "visit")
        left.append(Counter(item["visit"] for item in doc["unassigned"]))
    naive = sum(len(doc["unassigned"]) for doc in docs)
    not_served = {v for counts in left for v in counts if not served[v]}
    # a visit due once that week (as most are): unassigned by one plan, on no route of any
    expected = sum(max(counts[v] for counts in left) for v in not_served)
    assert not_served and expected < naive  # both plans list those: the page counted them twice

    for client in _client(split["two"], tmp_path, "2026-11-26"):
        html = client.get(f"/management/{W50}").get_data(as_text=True)
        rows = _table(html, "reasons")
        assert sum(int(n) for _reason, n in rows) == expected, (rows, expected, naive)
        book = load_workbook(io.BytesIO(client.get(f"/management/export.xlsx{W50}").data))
        sheet = book.worksheets[3]  # «Δεν σχεδιάστηκαν»: the third table
        assert sum(int(str(row[1])) for row in sheet.iter_rows(min_row=2, values_only=True)) == expected

    engine = make_engine(split["two"])
    with session_scope(engine) as s:
        f = compute_figures(s, W50_MONDAY, W50_SUNDAY, date(2026, 11, 26))
    engine.dispose()
    assert sum(f.unassigned_reasons.values()) == expected
    # one plan alone (the other unit without a plan): its own list, as before
    engine = make_engine(split["one"])
    with session_scope(engine) as s:
        g = compute_figures(s, W50_MONDAY, W50_SUNDAY, date(2026, 11, 26))
    engine.dispose()
    (doc,) = _published_docs(split["one"])
    assert sum(g.unassigned_reasons.values()) == len(doc["unassigned"])
    assert g.unassigned_reasons == dict(Counter(item["reason"] for item in doc["unassigned"]))


# --- 2 and 3. the week under way --------------------------------------------------------------------


def _booked_people(db: Path, since: date) -> set[str]:
    """The pseudonyms of the people on W50's published routes from ``since`` on."""
    (doc,) = _published_docs(db)
    visits = {int(s["visit"][3:]) for r in doc["routes"] if date.fromisoformat(r["date"]) >= since
              for s in r["steps"] if s.get("type") == "visit" and s["visit"].startswith("cp-")}  # fmt: skip
    engine = make_engine(db)
    with session_scope(engine) as s:
        people = set(s.scalars(select(CarePlan.beneficiary_id).where(CarePlan.id.in_(visits))))
    engine.dispose()
    return {f"Ψ-{bid:04d}" for bid in people}


def test_people_due_only_in_the_week_under_way_are_not_listed_as_not_served(
    manager: FlaskClient, demo: tuple[Path, int]
) -> None:
    """Wednesday 9/12, W50 alone: everybody due is due in W50 only, the week under way, and
    most are booked on its routes of today, Thursday or Friday; the list named them as due and
    not served while the summary counts their visits apart, «not missed yet». Now they are
    left out, and a line under the table says how many."""
    booked = _booked_people(demo[0], date(2026, 12, 9))
    assert booked
    html = manager.get(f"/management/{W50}").get_data(as_text=True)
    assert 'id="k-due-not-done-current"' in html  # the summary: not missed yet
    listed = {row[0] for row in _table(html, "unserved") if row[0].startswith("Ψ-")}
    assert not listed & booked, sorted(listed & booked)
    assert not listed  # W50 is the only week: nobody is due earlier in the period
    note = re.search(r'<p class="hint" id="unserved-in-progress">([^<]*)</p>', html)
    due = int(re.findall(r'id="k-ben-due">(\d+)<', html)[0])
    assert note and note.group(1).endswith(f" {due}.")  # all those due (none served yet): left out
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(manager.get(f"/management/export.xlsx{W50}").data))
    rows = [r for r in book.worksheets[-1].iter_rows(min_row=2, values_only=True) if r[0]]
    assert rows == [(note.group(1), *([None] * (len(rows[0]) - 1)))]  # the note alone, nobody listed


def test_at_the_weekend_the_week_just_ended_is_over(demo: tuple[Path, int], tmp_path: Path) -> None:
    """Saturday 12/12: W50's last working day was yesterday, so nothing of it is «not missed
    yet»: no badge, no summary row, its people due and not served are listed. On Friday 11/12
    the week is still under way."""
    for client in _client(demo[0], tmp_path, "2026-12-12"):
        html = client.get("/management/?from=2026-W49&to=2026-W50").get_data(as_text=True)
        assert 'id="k-due-not-done-current"' not in html
        row = re.search(r'<tr data-week="2026-W50" data-recorded="1">(.*?)</tr>', html, re.S)
        assert row and '<span class="badge">' not in row.group(1)
        assert 'id="unserved-in-progress"' not in html
        listed = {r[0] for r in _table(html, "unserved") if r[0].startswith("Ψ-")}
        assert listed & _booked_people(demo[0], date(2026, 12, 9))
    engine = make_engine(demo[0])
    with session_scope(engine) as s:
        friday = compute_figures(s, W50_MONDAY, W50_SUNDAY, date(2026, 12, 11))
        saturday = compute_figures(s, W50_MONDAY, W50_SUNDAY, date(2026, 12, 12))
        # Friday 25/12 is Christmas: on Thursday 24/12 W52 is under way, on the holiday it is over
        christmas_eve = compute_figures(s, date(2026, 12, 21), date(2026, 12, 27), date(2026, 12, 24))
        christmas = compute_figures(s, date(2026, 12, 21), date(2026, 12, 27), date(2026, 12, 25))
    engine.dispose()
    assert friday.weeks[0].current and friday.not_done_in_progress is not None
    assert not saturday.weeks[0].current and saturday.not_done_in_progress is None
    assert christmas_eve.weeks[0].current and not christmas.weeks[0].current


# --- 4. a trend of one week ---------------------------------------------------------------------------


def test_a_trend_of_one_week_shows_on_the_page_and_in_the_pdf(manager: FlaskClient) -> None:
    """W49 alone: each series was a polyline of one point, which draws nothing. Each week now
    has a marker (a circle) per series, on the page and in the PDF."""
    from pypdf import PdfReader

    html = manager.get("/management/?from=2026-W49&to=2026-W49").get_data(as_text=True)
    svg = html[html.index('<svg id="trend"') : html.index("</svg>")]
    for key in ("due", "done", "missed"):
        circles = re.findall(
            rf'<circle cx="([\d.]+)" cy="([\d.]+)" r="\d+"[^>]*class="marker marker-{key}"', svg
        )
        assert len(circles) == 1, key
    many = manager.get("/management/?from=2026-W46&to=2026-W49").get_data(as_text=True)
    assert many.count('class="marker marker-due"') == 4

    def curves(query: str) -> int:
        reader = PdfReader(io.BytesIO(manager.get(f"/management/export.pdf{query}").data))
        streams = [page.get_contents() for page in reader.pages]
        return sum(len(re.findall(rb"\sc\s", stream.get_data())) for stream in streams if stream is not None)

    assert curves("?from=2026-W49&to=2026-W49") >= 3 * 4  # three dots of four Bézier arcs each


# --- 5. a share of nothing ------------------------------------------------------------------------------


def test_a_share_of_no_visits_done_is_unknown_not_zero(manager: FlaskClient) -> None:
    """W50 under way (Wednesday 9/12), no visit done yet: the mountain villages' share of the
    visits done read «0,0%»; it is «—» on the page and in the PDF, an empty cell in the XLSX."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    html = manager.get(f"/management/{W50}").get_data(as_text=True)
    assert re.search(r'id="k-done">0<', html)  # recorded, nothing done yet
    assert re.search(r'id="k-mountain-visits">—<', html)
    shares = re.findall(r"<strong>([^<]*)</strong>", html[html.index('id="mountain"') :])[:2]
    assert shares[0] == "—" and re.fullmatch(r"\d{1,3},\d%", shares[1])
    book = load_workbook(io.BytesIO(manager.get(f"/management/export.xlsx{W50}").data))
    cells = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    label = "Ορεινά χωριά: μερίδιο των επισκέψεων που έγιναν"
    assert [row[1] for row in cells if row[0] == label] == [None]
    text = "\n".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(manager.get(f"/management/export.pdf{W50}").data)).pages
    )
    assert "0,0%" not in text and f"{label} —" in text


def test_a_share_of_nobody_is_unknown(tmp_path: Path) -> None:
    """A register with no care plan: the mountain villages' share of the beneficiaries is
    unknown (``None``), not 0."""
    from planner.register.migrate import upgrade
    from planner.register.settlements import load_gazetteer

    engine = make_engine(tmp_path / "empty.sqlite3")
    upgrade(engine)
    with session_scope(engine) as s:
        load_gazetteer(s)
    with session_scope(engine) as s:
        f = compute_figures(s, W50_MONDAY, W50_SUNDAY, date(2026, 11, 26))
    engine.dispose()
    assert f.mountain_visit_share is None and f.mountain_beneficiary_share is None


# --- 6. a week published for some of the units ------------------------------------------------------


def _staff_w50(html: str) -> list[str]:
    table = html[html.index('id="staff-load"') :]
    table = table[: table.index("</table>")]
    heads = re.findall(r"<th>(W\d\d)</th>", table)
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)][2:]
        for row in re.findall(r"<tr>(<td>.*?)</tr>", table, re.S)
    ]
    return [row[heads.index("W50")] for row in rows]


def test_a_week_published_for_some_units_names_the_others(split: dict[str, Any], tmp_path: Path) -> None:
    """W50 published for the second unit only (today 2/12, W50 still to come): the row showed
    «δημοσιευμένο πρόγραμμα», one unit's kilometres, and "— / 0" for the staff the plan has
    not aboard (they may ride the other unit). Now the week names the unit in service with no
    published plan (page, XLSX, PDF), and those staff read "— / —"; published for both units,
    nothing is named."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    first, second = split["units"]
    for client in _client(split["one"], tmp_path, "2026-12-02"):
        html = client.get("/management/?from=2026-W49&to=2026-W50").get_data(as_text=True)
        row = re.search(r'<tr data-week="2026-W50" data-recorded="0">(.*?)</tr>', html, re.S)
        assert row
        note = re.search(r'data-key="units-unpublished">([^<]*)<', row.group(1))
        assert note and first in note.group(1) and second not in note.group(1)
        cells = _staff_w50(html)
        assert "— / 0" not in cells and "— / —" in cells
        assert any(re.fullmatch(r"— / [1-9]\d*", c) for c in cells), cells  # the second unit's crew
        book = load_workbook(io.BytesIO(client.get("/management/export.xlsx?from=2026-W49&to=2026-W50").data))
        weeks = {r[0]: r for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
        assert first in str(weeks["2026-W50"][-1]) and first not in str(weeks["2026-W49"][-1] or "")
        staff = [r for r in book.worksheets[4].iter_rows(min_row=2, values_only=True) if r[0] == "2026-W50"]
        assert staff and all(r[4] is None or (isinstance(r[4], int) and r[4] > 0) for r in staff)
        pdf = PdfReader(io.BytesIO(client.get("/management/export.pdf?from=2026-W49&to=2026-W50").data))
        text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
        assert " ".join(first.split()[:2]) in text

    engine = make_engine(split["two"])
    with session_scope(engine) as s:
        f = compute_figures(s, W50_MONDAY, W50_SUNDAY, date(2026, 12, 2))
    engine.dispose()
    assert f.weeks[0].published and f.weeks[0].units_unpublished == []
    for client in _client(split["two"], tmp_path, "2026-12-02"):
        html = client.get(f"/management/{W50}").get_data(as_text=True)
        assert 'data-key="units-unpublished"' not in html
        assert "— / —" not in _staff_w50(html)


# --- 7. the period form's hint ------------------------------------------------------------------------


def test_the_forms_hint_says_what_empty_fields_give(manager: FlaskClient) -> None:
    """The hint said empty fields give "the last 12 weeks"; on the demo register they give
    W42-W50, from its first records: the hint now says so (in English: the text is new)."""
    post(manager, "/language", {"lang": "en", "next": "/management/"})
    html = manager.get("/management/?from=abc").get_data(as_text=True)
    hint = re.search(r'<p class="hint">(Weeks are ISO weeks[^<]*)</p>', html)
    assert hint
    text = hint.group(1).replace("&#39;", "'")
    assert "Leave both empty for the last 12 weeks." not in text
    assert "12 weeks up to this one" in text and "register's first records if that is later" in text
    default = manager.get("/management/").get_data(as_text=True)
    assert 'name="from" value="2026-W42"' in default and 'name="to" value="2026-W50"' in default


# --- 8. populations grouped -------------------------------------------------------------------------


def test_populations_are_grouped_as_the_kilometres_are(manager: FlaskClient) -> None:
    """Aigio's 20422 read «20422» in the PDF's settlements table and the map's tooltip, beside
    «1.226,9» km: now «20.422» in Greek, "20,422" in English; the XLSX keeps a number."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    def points(html: str) -> list[dict[str, Any]]:
        match = re.search(r'<script type="application/json" id="coverage-data">(.*?)</script>', html, re.S)
        assert match
        return list(json.loads(match.group(1)))

    html = manager.get("/management/?from=2026-W49&to=2026-W49").get_data(as_text=True)
    aigio = [p for p in points(html) if p["population"] == 20422]
    assert len(aigio) == 1 and aigio[0]["population_label"] == "20.422"
    assert all(p["population_label"] == str(p["population"]) for p in points(html) if p["population"] < 1000)
    pdf = PdfReader(io.BytesIO(manager.get("/management/export.pdf?from=2026-W49&to=2026-W49").data))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "20.422" in text and "20422" not in text
    book = load_workbook(io.BytesIO(manager.get("/management/export.xlsx?from=2026-W49&to=2026-W49").data))
    assert 20422 in [row[3] for row in book.worksheets[6].iter_rows(min_row=2, values_only=True)]
    js = Path(__file__).parents[2] / "webui" / "static" / "management" / "management.js"
    assert "p.population_label" in js.read_text(encoding="utf-8")  # the tooltip writes the label

    post(manager, "/language", {"lang": "en", "next": "/management/"})
    html = manager.get("/management/?from=2026-W49&to=2026-W49").get_data(as_text=True)
    assert [p["population_label"] for p in points(html) if p["population"] == 20422] == ["20,422"]
