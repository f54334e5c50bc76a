"""The fourth walkthrough's defects on management's pages, on the small register of
test_coverage (today Monday 30 November 2026): weeks of years the page does not cover are
explained in the form (never a 500), and the settlements of a past period's page, XLSX and
PDF are counted up to the period's last day, which all three state."""

from __future__ import annotations

import io
import json
import re

import pytest
from flask.testing import FlaskClient

OUT_OF_RANGE = [
    ("from=9999-W52&to=9999-W52", ("from", "to"), "9999"),
    ("from=0001-W01&to=0001-W02", ("from", "to"), "0001"),
    ("from=1999-W52&to=2000-W02", ("from",), "1999"),
    ("from=2026-W40&to=2100-W01", ("to",), "2100"),
]


@pytest.mark.parametrize(("query", "fields", "year"), OUT_OF_RANGE)
def test_a_week_of_a_year_not_covered_is_explained_never_a_500(
    hand_manager: FlaskClient, query: str, fields: tuple[str, ...], year: str
) -> None:
    """9999-W52 and 0001-W01 ran past the dates Python has (OverflowError, 500): the form says
    which years are covered (2000-W01 to 2099-W53), keeping what was typed; the exports answer
    400 with the same page, as for a week that does not exist."""
    for url, status in (
        ("/management/", 200),
        ("/management/export.xlsx", 400),
        ("/management/export.pdf", 400),
    ):
        response = hand_manager.get(f"{url}?{query}")
        assert response.status_code == status and response.mimetype == "text/html", url
        html = response.get_data(as_text=True)
        for field in fields:
            message = re.search(rf'data-field="{field}">([^<]*)</p>', html)
            assert message and year in message.group(1), (url, field)
            assert "2000-W01" in message.group(1) and "2099-W53" in message.group(1), (url, field)
        assert 'aria-invalid="true"' in html and 'id="summary"' not in html, url
        typed = dict(part.split("=") for part in query.split("&"))
        assert f'name="from" value="{typed["from"]}"' in html and f'name="to" value="{typed["to"]}"' in html


def test_the_first_and_last_weeks_covered_are_shown(hand_manager: FlaskClient) -> None:
    """2000-W01 and 2099-W53 themselves are weeks like any other (no data there); asked only
    up to 2000-W05, the default twelve weeks start at 2000-W01, not in 1999."""
    for query in ("from=2000-W01&to=2000-W02", "from=2099-W52&to=2099-W53", "to=2000-W05"):
        for url in ("/management/", "/management/export.xlsx", "/management/export.pdf"):
            assert hand_manager.get(f"{url}?{query}").status_code == 200, (url, query)
    html = hand_manager.get("/management/?to=2000-W05").get_data(as_text=True)
    assert 'name="from" value="2000-W01"' in html and html.count('<tr data-week="2000-W') == 5


PAST = "?from=2026-W45&to=2026-W46"  # up to Sunday 15/11; today is 30/11


def test_a_past_periods_settlements_are_counted_up_to_its_end_in_page_and_exports(
    hand_manager: FlaskClient,
) -> None:
    """W45-W46 exported on 30/11: the «Οικισμοί» sheet counted the visits of the 4 and 12
    weeks up to today (8 and 12) and the last on 24/11 or later, after the period. Now the
    page's map, the XLSX and the PDF count up to Sunday 15/11 (5 and 5, the last on 13/11)
    and say so; a report of the period reads the same whenever it is made."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    html = hand_manager.get(f"/management/{PAST}").get_data(as_text=True)
    match = re.search(r'<script type="application/json" id="coverage-data">(.*?)</script>', html, re.S)
    assert match
    served = [p for p in json.loads(match.group(1)) if p["done12"]]
    assert [(p["done4"], p["done12"], p["last"]) for p in served] == [(5, 5, "2026-11-13")]
    assert 'data-today="2026-11-15"' in html and "Έως Κυριακή 15 Νοεμβρίου 2026" in html
    assert re.search(r'id="k-as-of">15/11/2026<', html)

    book = load_workbook(io.BytesIO(hand_manager.get(f"/management/export.xlsx{PAST}").data))
    rows = [r for r in book["Οικισμοί"].iter_rows(min_row=2, values_only=True) if r[8]]
    assert [(r[7], r[8], r[9].date().isoformat()) for r in rows] == [(5, 5, "2026-11-13")]
    summary = [row[1] for row in book["Σύνοψη"].iter_rows(min_row=2, values_only=True)]
    assert "15/11/2026" in summary  # the day the settlements are counted up to, stated

    pdf = PdfReader(io.BytesIO(hand_manager.get(f"/management/export.pdf{PAST}").data))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "13/11/2026" in text and "26/11/2026" not in text and "24/11/2026" not in text
    assert re.search(r"15/11/2026\n", text)  # the summary's row, beside the period's


def test_a_period_under_way_is_counted_up_to_today(hand_manager: FlaskClient) -> None:
    """W48-W49 (today Monday 30/11 of W49): counted up to today, as before."""
    html = hand_manager.get("/management/?from=2026-W48&to=2026-W49").get_data(as_text=True)
    assert 'data-today="2026-11-30"' in html and re.search(r'id="k-as-of">30/11/2026<', html)
