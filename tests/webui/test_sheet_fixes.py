"""The route sheet and the printed result page after a reviewer's findings: the notes column was
always empty, the break only in the heading, no arrival time for a crew there early, a wrapped
heading justified, a 9-stop route's last row alone on a second page, the crew listed with «;»
(the Greek question mark); printed, the timeline's bars and the swatches were left out."""

from __future__ import annotations

import importlib.util
import io
import os
import statistics
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planner.model import (
    HOUR,
    MINUTE,
    BreakStep,
    CrewMember,
    Location,
    Plan,
    Problem,
    Route,
    StaffMember,
    Stop,
    Unit,
    UnitDay,
    Visit,
)
from webui.routesheet import route_sheet_pdf

pdfium = pytest.importorskip("pypdfium2", reason="pip install pypdfium2 (a dev dependency)")

WED = date(2026, 12, 9)
BASE = Location("base", 38.2498, 22.0816, "Κέντρο Κοινότητας Αιγίου")
LABELS = {"Break": "Διάλειμμα", "Arrival": "Άφιξη", "Notes": "Σημειώσεις", "Crew": "Πλήρωμα",
          "continued": "συνέχεια", "Route sheet": "Φύλλο δρομολογίου"}  # fmt: skip
CSS = Path(__file__).resolve().parents[2] / "webui" / "static" / "kinito.css"
CHROMIUM = Path("/usr/bin/chromium")


def _problem(
    notes: dict[int, str] | None = None,
    unit_name: str = "Κινητή μονάδα",
    addresses: dict[int, str] | None = None,
) -> Problem:
    """Nine home visits round Aigio; two professionals aboard, their names with commas."""
    notes = notes if notes is not None else {3: "Σημείωση τρία", 7: "Κλειδί στη γειτόνισσα"}
    visits = tuple(
        Visit(
            f"hv-{i}",
            Location(f"p{i}", 38.20 - 0.01 * i, 22.05 + 0.012 * i, f"Οικισμός {i}"),
            20 * MINUTE,
            name=f"Ωφελούμενος {i}",
            notes=notes.get(i, ""),
            address=(addresses or {}).get(i, ""),
        )
        for i in range(1, 10)
    )
    staff = (
        StaffMember("ps1", "Άννα Δ., ψυχολόγος (πλασματικό πρόσωπο)", ("psychologist",)),
        StaffMember("sw1", "Νίκος Π., κοινωνικός λειτουργός", ("social_worker",)),
    )
    return Problem(
        name="Φύλλο",
        dates=(WED,),
        units=(Unit("van1", unit_name, BASE),),
        unit_days=(UnitDay("van1", WED, crew=(CrewMember("ps1"), CrewMember("sw1"))),),
        staff=staff,
        visits=visits,
    )


def _plan() -> Plan:
    """Nine stops; the crew at the first at 08:20 for 08:30; the break after the second."""
    stops = []
    t = 8 * HOUR + 30 * MINUTE
    for i in range(1, 10):
        arrival = t - 10 * MINUTE if i == 1 else t
        stops.append(Stop(f"hv-{i}", 0, arrival, t, t + 20 * MINUTE, 600, 3_000))
        t += 30 * MINUTE + (40 * MINUTE if i == 2 else 0)
    rest = BreakStep(9 * HOUR + 20 * MINUTE, 30 * MINUTE, 2)
    route = Route("van1", WED, 8 * HOUR, t + 20 * MINUTE, tuple(stops), 1200, 6_000, rest=rest)
    return Plan("Φύλλο", (route,), (), 0, 1, 1.0, 0.1)


def _sheet(problem: Problem | None = None) -> bytes:
    return route_sheet_pdf(
        _plan(),
        problem or _problem(),
        labels=lambda s: LABELS.get(s, s),
        long_date=lambda d: d.isoformat(),
        footer="δοκιμή",
    )


def _texts(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(io.BytesIO(data))
    try:
        out = []
        for page in doc:
            textpage = page.get_textpage()
            out.append(" ".join(textpage.get_text_range().split()))
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


def test_each_stop_has_its_visits_note_in_its_row() -> None:
    """«Σημειώσεις» was always empty though the plan's visits had notes."""
    text = _texts(_sheet())[0]
    assert "Ωφελούμενος 3" in text and "Σημείωση τρία" in text
    assert text.index("Ωφελούμενος 3") < text.index("Σημείωση τρία") < text.index("Ωφελούμενος 4")
    assert text.index("Ωφελούμενος 7") < text.index("Κλειδί στη γειτόνισσα") < text.index("Ωφελούμενος 8")


def test_the_break_is_a_row_after_the_stop_it_follows_and_early_arrival_is_shown() -> None:
    """The break (after stop 2) has its row between stops 2 and 3, as the tablet shows it; the
    first stop says the crew arrives at 08:20 for 08:30."""
    text = _texts(_sheet())[0]
    row = "09:20–09:50 Διάλειμμα"
    assert row in text, text
    assert text.index("Ωφελούμενος 2") < text.index(row) < text.index("Ωφελούμενος 3")
    assert "08:30–08:50 Άφιξη 08:20" in text
    assert text.count("Άφιξη") == 1  # only where it differs from the start


def test_the_crew_is_listed_without_the_greek_question_mark() -> None:
    text = _texts(_sheet())[0]
    assert "Πλήρωμα: Άννα Δ., ψυχολόγος (πλασματικό πρόσωπο) · Νίκος Π., κοινωνικός λειτουργός" in text
    assert ";" not in text


def test_a_nine_stop_route_with_long_rows_fits_on_one_page() -> None:
    """Rows of four and five lines (long addresses): the 62 mm map put the last row alone on a
    second page; the map gives way."""
    addresses = {i: "\n".join(["γραμμή"] * (5 if i <= 5 else 4)) for i in range(1, 10)}
    texts = _texts(_sheet(_problem({}, addresses=addresses)))
    assert len(texts) == 1, [t[:80] for t in texts]
    assert "Ωφελούμενος 9" in texts[0]


def test_a_wrapped_heading_is_not_justified() -> None:
    """A unit name long enough to wrap the date and unit heading: its first line's words are
    spaced as the last line's, not spread across the page."""
    name = "Κινητή μονάδα του Κέντρου Κοινότητας με οδηγό και δύο επαγγελματίες για τα ορεινά χωριά"
    data = _sheet(_problem(unit_name=name))
    doc = pdfium.PdfDocument(io.BytesIO(data))
    try:
        page = doc[0]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        start = text.index("2026-12-09 · ")
        end = text.index("χωριά", start) + len("χωριά")
        boxes = [(text[i], textpage.get_charbox(i)) for i in range(start, end)]
        textpage.close()
        page.close()
    finally:
        doc.close()
    # the heading's lines by their baseline; the gap from the end of a word to the next word
    lines: dict[int, list[float]] = {}
    for (_, a), (ch, _b), (_, c) in zip(boxes, boxes[1:], boxes[2:], strict=False):
        if ch == " " and a[2] < c[0]:
            lines.setdefault(round(a[1]), []).append(c[0] - a[2])
    first, *_, last = [gaps for _, gaps in sorted(lines.items(), reverse=True)]
    assert len(lines) >= 2
    assert max(first) < 1.5 * statistics.median(last), (first, last)


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "python package playwright not installed"
    return None


def test_printed_the_timeline_and_swatches_keep_their_colours() -> None:
    """The timeline's bars and the swatches are backgrounds: printed, the browser must be told to
    keep them; the map's frame prints whole, a sane size."""
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    body = (
        '<div class="legend"><span class="seg-key travel"></span></div>'
        '<span class="swatch" style="background:#1f77b4"></span>'
        '<div class="tl-track"><div class="seg service" style="left:0;width:30%"></div></div>'
        '<iframe class="map-frame" srcdoc="map"></iframe>'
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.set_content(f"<style>{CSS.read_text(encoding='utf-8')}</style>{body}")
            page.emulate_media(media="print")
            adjust: Any = page.evaluate(
                "() => ['.seg', '.seg-key', '.swatch'].map(s => "
                "getComputedStyle(document.querySelector(s)).printColorAdjust)"
            )
            frame: Any = page.evaluate(
                "() => { const f = document.querySelector('.map-frame'); const s = getComputedStyle(f);"
                " return [f.getBoundingClientRect().height, s.breakInside, s.display]; }"
            )
        finally:
            browser.close()
    assert adjust == ["exact"] * 3, adjust
    height, brk, display = frame
    mm = height * 25.4 / 96
    assert display != "none" and 60 <= mm <= 100 and brk == "avoid", frame
