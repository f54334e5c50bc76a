"""The register's number fields as a Greek office types them. Latitude and longitude took no
decimal comma: «38,25» got «Δεν είναι δεκαδικό» from the server, and chromium's number field
dropped the comma, so 3825 was sent and refused as outside the municipality; the import and the
unit's weekly hours took it. And a whole-number field given text showed two WTForms messages run
together: «Δεν είναι ακέραιο νούμερο Δώστε έναν αριθμό από 5 έως 480.»"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import COORDINATOR, PASSWORDS, live_server, only_the_server, post

from planner.register.db import session_scope
from planner.register.models import Beneficiary, Settlement
from webui import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _errors(response: Any) -> list[str]:
    """The text of each field's error line on the page."""
    return re.findall(r'<span class="error" id="[^"]*-error">([^<]*)</span>', _text(response))


def _code(app: Flask, name_el: str) -> str:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return str(s.scalars(select(Settlement.code).where(Settlement.name_el == name_el)).one())


def _person_form(app: Flask, **changes: Any) -> dict[str, Any]:
    return {"full_name": "Σοφία Ιωάννου", "settlement_code": _code(app, "Διακοπτόν"), "address": "Οδός 1",
            "phone": "2691041234", "lat": "", "lon": "", "notes": "", "active": "y", **changes}  # fmt: skip


def _point(app: Flask, person_id: int) -> tuple[float | None, float | None]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        person = s.get(Beneficiary, person_id)
        assert person is not None
        return person.lat, person.lon


@pytest.mark.parametrize(("lat", "lon"), [("38,25", "21,95"), ("38.25", "21.95"), (" 38,25 ", "21,950")])
def test_a_point_is_taken_with_a_decimal_comma_or_point(
    coordinator: FlaskClient, app: Flask, lat: str, lon: str
) -> None:
    response = post(coordinator, "/register/beneficiaries/1", _person_form(app, lat=lat, lon=lon))
    assert response.status_code == 302, _errors(response)
    assert _point(app, 1) == (38.25, 21.95)
    response = post(coordinator, "/register/beneficiaries/new", _person_form(app, lat=lat, lon=lon))
    assert response.status_code == 302, _errors(response)
    assert _point(app, int(response.location.rsplit("/", 1)[1])) == (38.25, 21.95)


def test_the_point_fields_are_text_shown_with_a_decimal_comma(coordinator: FlaskClient, app: Flask) -> None:
    """Text fields with a decimal keyboard (a number field drops the comma), the stored point
    written as Greek writes it; in English, with a point."""
    form = _person_form(app, lat="38,25", lon="21,95")
    assert post(coordinator, "/register/beneficiaries/1", form).status_code == 302
    page = _text(coordinator.get("/register/beneficiaries/1"))
    lat = re.search(r'<input[^>]*id="lat"[^>]*>', page)
    assert lat is not None and 'type="text"' in lat[0] and 'inputmode="decimal"' in lat[0]
    assert 'value="38,25"' in lat[0] and 'type="number"' not in page.split('id="lat"')[0][-200:]
    post(coordinator, "/language", {"lang": "en"})
    assert 'value="21.95"' in _text(coordinator.get("/register/beneficiaries/1"))
    # every digit shown: a rounded one would be saved back as a change of the point
    form = _person_form(app, lat="38.19123456789", lon="22.19765432101")
    assert post(coordinator, "/register/beneficiaries/1", form).status_code == 302
    assert 'value="38.19123456789"' in _text(coordinator.get("/register/beneficiaries/1"))


@pytest.mark.parametrize("text", ["38,25,1", "βόρεια", "38°15'", "nan", "inf", "3825"])
def test_text_that_is_no_point_gets_the_range_message_only(
    coordinator: FlaskClient, app: Flask, text: str
) -> None:
    response = post(coordinator, "/register/beneficiaries/1", _person_form(app, lat=text, lon="21,95"))
    assert response.status_code == 200
    assert _errors(response) == ["Έξω από τον Δήμο Αιγιαλείας: δώστε έναν αριθμό από 37,956 έως 38,349."]
    assert _point(app, 1) == (None, None)


def _stop(app: Flask, **changes: str) -> dict[str, str]:
    return {"settlement_code": _code(app, "Διακοπτόν"), "place": "Πλατεία Δοκιμής", "duration_min": "90",
            "announced_times": "10:00", "frequency_kind": "weekly", "frequency_count": "1",
            "usual_weekday": "4", "required_role": "social_worker", "active": "y", **changes}  # fmt: skip


def _plan(**changes: str) -> dict[str, Any]:
    return {"service": "home_visit", "required_role": "psychologist", "staff_id": "2", "duration_min": "60",
            "frequency_kind": "every_n_weeks", "frequency_count": "2", "allowed_weekdays": ["1", "3"],
            "time_windows": "", "start_date": "2026-12-01", "end_date": "", "active": "y", "notes": "",
            **changes}  # fmt: skip


def _van1(**changes: str) -> dict[str, str]:
    return {"name": "van1", "base": "current", "capacity": "2", "weekly_hours": "", "active": "y", **changes}


@pytest.mark.parametrize("text", ["δύο", "12,5", "90 λεπτά"])
def test_a_whole_number_field_given_text_says_one_thing(
    coordinator: FlaskClient, app: Flask, text: str
) -> None:
    """One message, a sentence with its full stop, not WTForms' «Δεν είναι ακέραιο νούμερο»
    joined to the range's; the same on the stop, the care plan and the unit."""
    forms = [
        ("/register/stops/new", _stop(app, duration_min=text), "10 to 600"),
        ("/register/beneficiaries/2/plans/new", _plan(duration_min=text), "5 to 480"),
        ("/register/units/1", _van1(capacity=text), "1 to 20"),
    ]
    for url, data, _numbers in forms:
        errors = _errors(post(coordinator, url, data))
        assert len(errors) == 1 and errors[0].endswith("."), (url, errors)
        assert "ακέραιο νούμερο" not in errors[0] and "Δώστε έναν αριθμό" not in errors[0], (url, errors)
    post(coordinator, "/language", {"lang": "en"})
    for url, data, numbers in forms:
        assert _errors(post(coordinator, url, data)) == [f"Enter a whole number from {numbers}."], url


def test_a_whole_number_out_of_range_keeps_its_message(coordinator: FlaskClient, app: Flask) -> None:
    errors = _errors(post(coordinator, "/register/stops/new", _stop(app, duration_min="700")))
    assert errors == ["Δώστε έναν αριθμό από 10 έως 600."]


@pytest.fixture
def live(db_file: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance"),
                      "TODAY": "2026-11-26"})  # fmt: skip
    with live_server(app) as url:
        yield {"app": app, "url": url}


@pytest.mark.skipif(
    not CHROMIUM.exists() or importlib.util.find_spec("playwright") is None,
    reason="chromium or playwright missing",
)
def test_typing_a_greek_decimal_comma_in_chromium_saves_the_point(live: dict[str, Any]) -> None:
    """Keys typed one by one into the fields, as a coordinator does: 38,25 and 21,95 are saved
    as 38.25 and 21.95 (before: the number field dropped the comma and 3825 was refused)."""
    from playwright.sync_api import sync_playwright

    base, blocked = live["url"], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="el-GR")
            context.route("**/*", only_the_server(base, blocked))
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", COORDINATOR)
            page.fill("input[name=password]", PASSWORDS[COORDINATOR])
            page.get_by_role("button", name="Σύνδεση").click()
            page.wait_for_url(f"{base}/register/beneficiaries")
            page.goto(f"{base}/register/beneficiaries/1")
            for name, typed in (("Γεωγρ. πλάτος", "38,25"), ("Γεωγρ. μήκος", "21,95")):
                box = page.get_by_label(name)
                box.click()
                box.press_sequentially(typed)
                assert box.input_value() == typed
            page.get_by_role("button", name="Αποθήκευση").click()
            assert page.get_by_text("Αποθηκεύτηκε.").is_visible()
            assert _point(live["app"], 1) == (38.25, 21.95)
            assert page.get_by_label("Γεωγρ. πλάτος").input_value() == "38,25"
        finally:
            browser.close()
    assert blocked == []


def test_the_calendar_page_names_the_holidays_as_an_office_does(coordinator: FlaskClient) -> None:
    """The page's table of public holidays used the holidays package's own names: «Εικοστή
    Πέμπτη Μαρτίου», «Ημέρα του Όχι», and «(παρατηρήθηκε)» for a moved May Day."""
    for year, moved in ((2026, None), (2027, "Εργατική Πρωτομαγιά (μεταφορά από 1/5)")):
        page = _text(coordinator.get(f"/register/calendar?year={year}"))
        table = page[page.index('id="public-holidays"') :]
        assert "25η Μαρτίου (Ευαγγελισμός – Εθνική Επέτειος)" in table and "Επέτειος του Όχι" in table
        assert "Εικοστή" not in page and "Ημέρα του Όχι" not in page and "παρατηρήθηκε" not in page
        assert moved is None or moved in table
    post(coordinator, "/language", {"lang": "en"})
    page = _text(coordinator.get("/register/calendar?year=2027"))
    assert "25 March (Annunciation – Independence Day)" in page and "Labour Day (moved from 1 May)" in page
    assert "Glorifying" not in page and "(observed)" not in page
