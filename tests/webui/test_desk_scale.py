"""The desk at the scale of a large register (1,500 people, a week with a thousand visits left
for lack of room): the version page's unassigned list buried the eleven visits a crew would
have served among 1,083 week-full rows (a page 200,000 px tall on an iPad), and Adjust's
urgent-visit list had 1,501 options, no search, and namesakes under the same label."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import (
    COORDINATOR,
    MON,
    PASSWORDS,
    TUE,
    live_server,
    only_the_server,
    small_problem,
    store_version,
)

from planner.model import HOUR, MINUTE, Location, Plan, Route, Stop, Unassigned, Visit
from planner.register.db import session_scope
from planner.register.models import Beneficiary
from webui import create_app

CHROMIUM = Path("/usr/bin/chromium")

FULL, CREW, WINDOW = 1083, 11, 3  # week_full, no_crew and no_time_in_shift visits


def _route(day: object, visit_id: str) -> Route:
    stop = Stop(visit_id, 0, 9 * HOUR, 9 * HOUR, 9 * HOUR + 30 * MINUTE, 900, 10_000)
    return Route("van1", day, 8 * HOUR + 45 * MINUTE, 10 * HOUR, (stop,), 930, 40)  # type: ignore[arg-type]


def _large_version(app: Flask) -> int:
    """A version of the small problem with 1,097 more visits left unassigned: the week-full
    ones first in visit order (as the engine lists them), the no-crew ones among them, one of
    them of high priority, and a few outside every shift."""
    here = Location("x", 38.25, 22.08, "Αίγιον")
    problem = small_problem()
    extra: list[Visit] = []
    left: list[Unassigned] = []
    for i in range(FULL + CREW + WINDOW):
        if i < FULL:
            reason, why = "week_full", ("η εβδομάδα γέμισε", "the week was full")
        elif i < FULL + CREW:
            reason, why = "no_crew", ("κανείς με την ειδικότητα", "nobody with the role")
        else:
            reason, why = "no_time_in_shift", ("ωράριο εκτός βάρδιας", "window outside shifts")
        priority = 3 if i == FULL + CREW - 1 else 1  # the last no-crew one matters most
        extra.append(Visit(f"cp-{i:04d}", here, 30 * MINUTE, name=f"Ωφελούμενος {i:04d}", priority=priority))
        left.append(Unassigned(f"cp-{i:04d}", 0, reason, *why))
    problem = replace(problem, visits=(*problem.visits, *extra))
    plan = Plan("x", (_route(MON, "hv-1"), _route(TUE, "hv-3")), tuple(left), 0, 1, 1.0, 0.1)
    return store_version(app, plan, 1, problem=problem)


def _names(html: str) -> list[str]:
    return re.findall(r"<tr><td>(Ωφελούμενος \d{4})</td>", html)


def test_the_unassigned_list_at_scale_says_the_reasons_first_and_folds_the_weeks_room(
    coordinator: FlaskClient, app: Flask
) -> None:
    """The count per reason (as management names them) before the rows; the visits a crew or
    a shift would serve first, the most important first; fifty week-full rows, and the rest
    behind «Όλες οι 1.083», in the page still: no row lost."""
    page = coordinator.get(f"/desk/plans/{_large_version(app)}").get_data(as_text=True)
    section = page[page.index('<h2 id="unassigned-heading">Χωρίς ανάθεση</h2>') :]
    section = section[: section.index("</section>")]
    summary = section[section.index('id="unassigned-reasons"') : section.index('id="unassigned"')]
    assert re.findall(r'<a href="#unassigned-(\w+)">([^<]+)</a>: <b>([\d.]+)</b>', summary) == [
        ("no_crew", "Κανείς με την απαιτούμενη ειδικότητα στο πλήρωμα", "11"),
        ("no_time_in_shift", "Ωράριο εκτός κάθε βάρδιας", "3"),
        ("week_full", "Η εβδομάδα ήταν γεμάτη", "1.083"),
    ]
    table = section[section.index('id="unassigned"') : section.index("</table>")]
    shown = _names(table)
    crew = [f"Ωφελούμενος {i:04d}" for i in range(FULL, FULL + CREW)]
    assert shown[:CREW] == [crew[-1], *crew[:-1]]  # the high-priority one first
    assert shown[CREW : CREW + WINDOW] == [
        f"Ωφελούμενος {i:04d}" for i in range(FULL + CREW, FULL + CREW + WINDOW)
    ]
    assert shown[CREW + WINDOW :] == [f"Ωφελούμενος {i:04d}" for i in range(50)]
    assert 'id="unassigned-no_crew"' in table and 'id="unassigned-week_full"' in table
    folded = section[section.index('<details id="unassigned-more">') :]
    # «Όλες οι 1.083: άλλες 1.033» once translated (the catalogue is compiled apart)
    assert re.match(r'<details id="unassigned-more"><summary>[^<]*1\.083[^<]*1\.033[^<]*</summary>', folded)
    assert _names(folded) == [f"Ωφελούμενος {i:04d}" for i in range(50, FULL)]
    assert '<a href="#unassigned-heading"><b>1.097</b> χωρίς ανάθεση</a>' in page


def test_a_short_unassigned_list_is_not_folded(coordinator: FlaskClient, app: Flask) -> None:
    """A week with a few left: every row in the table, the reasons counted above it."""
    left = (Unassigned("hv-4", 0, "no_time_in_shift", "α", "a"),)
    pv_id = store_version(app, Plan("x", (_route(MON, "hv-1"),), left, 0, 1, 1.0, 0.1), 1)
    page = coordinator.get(f"/desk/plans/{pv_id}").get_data(as_text=True)
    assert 'id="unassigned-more"' not in page
    assert '<a href="#unassigned-no_time_in_shift">Ωράριο εκτός κάθε βάρδιας</a>: <b>1</b>' in page
    table = page[page.index('id="unassigned"') :]
    assert "<tr><td>Νυχτερινή</td>" in table[: table.index("</table>")]


def _options(page: str) -> list[tuple[str, str]]:
    select = page[page.index('<select name="urgent_beneficiary"') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)


def _namesakes(app: Flask) -> tuple[list[int], str]:
    """Two Λιάπης Σπυρίδων in beneficiary 1's village, each with an office ID; their ids and the village."""
    with session_scope(app.extensions["kinito_engine"], actor="syntonistria") as s:
        one = s.get(Beneficiary, 1)
        assert one is not None
        pair = []
        for office in ("ΑΙΓ-0412", "ΑΙΓ-1187"):
            b = Beneficiary(full_name="Λιάπης Σπυρίδων", settlement_code=one.settlement_code,
                            address="Οδός 2", external_id=office, lat=one.lat, lon=one.lon)  # fmt: skip
            s.add(b)
            s.flush()
            pair.append(b.id)
        return pair, one.settlement.name_el


def test_namesakes_in_the_urgent_visit_list_are_told_apart_by_their_office_id(
    coordinator: FlaskClient, app: Flask
) -> None:
    """Two Λιάπης Σπυρίδων in Αίγιον: each option says the office ID the register has; the
    value stays the person's id (the form and the server unchanged), and the list has a search
    box its script shows (hidden without it: a plain list)."""
    pair, settlement = _namesakes(app)
    pv_id = store_version(app, Plan("x", (_route(MON, "hv-1"),), (), 0, 1, 1.0, 0.1), 1)
    page = coordinator.get(f"/desk/plans/{pv_id}/adjust").get_data(as_text=True)
    options = _options(page)
    labels = [label for _value, label in options]
    assert len(labels) == len(set(labels))  # no two alike
    assert (str(pair[0]), f"Λιάπης Σπυρίδων ({settlement}) · ΑΙΓ-0412") in options
    assert (str(pair[1]), f"Λιάπης Σπυρίδων ({settlement}) · ΑΙΓ-1187") in options
    assert re.search(r'<input type="search" id="urgent_filter"[^>]* hidden', page)
    assert "desk.js" in page


def test_namesakes_without_an_office_id_are_told_by_their_address() -> None:
    """No office ID: the address, then the person's number, tells two alike apart."""
    from types import SimpleNamespace

    from webui.desk import _urgent_choices

    village = SimpleNamespace(name_el="Αίγιον")
    people = [
        SimpleNamespace(
            id=7, full_name="Λιάπης Σπυρίδων", settlement=village, external_id=None, address="Οδός 2"
        ),
        SimpleNamespace(
            id=8, full_name="Λιάπης Σπυρίδων", settlement=village, external_id=None, address="Οδός 9"
        ),
        SimpleNamespace(id=9, full_name="Άννα Β.", settlement=village, external_id=None, address="Οδός 9"),
        SimpleNamespace(id=10, full_name="Άννα Β.", settlement=village, external_id=None, address="Οδός 9"),
    ]
    assert [(i, label) for i, label, _key in _urgent_choices(people)] == [
        (9, "Άννα Β. (Αίγιον) · Οδός 9 · #9"),
        (10, "Άννα Β. (Αίγιον) · Οδός 9 · #10"),
        (7, "Λιάπης Σπυρίδων (Αίγιον) · Οδός 2"),
        (8, "Λιάπης Σπυρίδων (Αίγιον) · Οδός 9"),
    ]


def test_the_urgent_visit_list_is_searched_in_the_browser(db_file: Path, tmp_path: Path) -> None:
    """The search box narrows the list as one types (accentless, Latin letters, the office
    ID); one match alone is chosen; Enter does not send the form; emptied, the list is whole."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found")
    from playwright.sync_api import expect, sync_playwright

    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance"),
                      "TODAY": "2026-11-26"})  # fmt: skip
    pair, _settlement = _namesakes(app)
    pv_id = store_version(app, Plan("x", (_route(MON, "hv-1"),), (), 0, 1, 1.0, 0.1), 1)
    blocked: list[str] = []
    errors: list[str] = []
    with live_server(app) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="el-GR")
            context.route("**/*", only_the_server(base, blocked))
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/login")
            page.get_by_label("Όνομα χρήστη").fill(COORDINATOR)
            page.get_by_label("Κωδικός").fill(PASSWORDS[COORDINATOR])
            page.get_by_role("button", name="Σύνδεση").click()
            page.wait_for_url(f"{base}/register/beneficiaries")
            page.goto(f"{base}/desk/plans/{pv_id}/adjust")
            box, people = page.locator("#urgent_filter"), page.locator("#urgent_beneficiary option")
            expect(box).to_be_visible()
            whole = people.count()
            assert whole >= 5
            box.fill("λιαπης")  # no accent
            expect(people).to_have_count(3)  # «—» and the two
            expect(page.locator("#urgent_beneficiary")).to_have_value("")
            box.fill("liapis 1187")  # Latin letters and the office ID
            expect(people).to_have_count(2)
            expect(page.locator("#urgent_beneficiary")).to_have_value(str(pair[1]))
            box.press("Enter")
            assert page.url.endswith(f"/desk/plans/{pv_id}/adjust")
            box.fill("ΑΙΓ-04")
            expect(page.locator("#urgent_beneficiary")).to_have_value(str(pair[0]))
            box.fill("κανείς τέτοιος")
            expect(people).to_have_count(1)
            expect(page.locator("#urgent_filter_none")).to_be_visible()
            expect(page.locator("#urgent_beneficiary")).to_have_value("")
            box.fill("")
            expect(people).to_have_count(whole)
            expect(page.locator("#urgent_filter_none")).to_be_hidden()
        finally:
            browser.close()
    assert not errors and not blocked
