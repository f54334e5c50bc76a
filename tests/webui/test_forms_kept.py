"""A form is not lost when it cannot be saved for the session: typed, left past the idle limit
and saved, it went to the log-in page and came back empty; a log-in page left open (its
cookie gone) answered the right password with an error page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select
from test_web_browser import CHROMIUM_ARGS, _browser_missing
from webui_helpers import COORDINATOR, PASSWORDS, live_server

from planner.register.models import Beneficiary, User
from webui import create_app
from webui.security import hash_password


def test_a_log_in_page_left_open_logs_in_on_a_second_try(client: FlaskClient) -> None:
    """Its token expired: the log-in page again, the name kept, a fresh token; then it works."""
    refused = client.post("/login", data={"username": COORDINATOR, "password": PASSWORDS[COORDINATOR]})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Η σελίδα σύνδεσης είχε λήξει" in page and f'value="{COORDINATOR}"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    again = client.post(
        "/login",
        data={"csrf_token": token.group(1), "username": COORDINATOR, "password": PASSWORDS[COORDINATOR]},
    )
    assert again.status_code == 302


def test_a_refused_form_says_what_to_do_and_links_back(coordinator: FlaskClient) -> None:
    """A form sent with an expired token: nothing saved, the way back to the form named."""
    page = coordinator.post(
        "/register/beneficiaries/1",
        data={"full_name": "Χ"},
        headers={"Referer": "http://localhost/register/beneficiaries/1"},
    )
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert 'data-page="form-refused"' in text and 'href="/register/beneficiaries/1"' in text
    assert "δεν αποθηκεύτηκε τίποτα" in text


def _browser() -> None:
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    if reason:
        pytest.skip(reason)


def test_a_form_saved_after_the_session_ended_is_filled_in_again(db_file: Path, tmp_path: Path) -> None:
    """Chromium: a note typed, the session ended meanwhile, «Αποθήκευση»: the log-in page says it
    was not saved; after the log-in the person's page has the note typed again, marked not
    saved, and saving it stores it."""
    _browser()
    from playwright.sync_api import expect, sync_playwright

    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance")})

    engine = create_engine(f"sqlite:///{db_file}")
    with live_server(app) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="el-GR", timezone_id="Europe/Athens").new_page()

            def log_in() -> None:
                page.get_by_label("Όνομα χρήστη").fill(COORDINATOR)
                page.get_by_label("Κωδικός").fill(PASSWORDS[COORDINATOR])
                page.get_by_role("button", name="Σύνδεση").click()

            page.goto(f"{base}/login")
            log_in()
            page.goto(f"{base}/register/beneficiaries/1")
            note = "Τηλεφώνησε η κόρη: την Τρίτη μετά τις 10"
            page.locator("textarea").first.fill(note)
            app.config["SESSION_IDLE_MINUTES"] = 0  # the session ends before the save arrives
            page.get_by_role("button", name="Αποθήκευση").first.click()
            expect(page.get_by_text("δεν αποθηκεύτηκε: η συνεδρία είχε λήξει")).to_be_visible()
            app.config["SESSION_IDLE_MINUTES"] = 30
            log_in()
            page.wait_for_url(f"{base}/register/beneficiaries/1")
            expect(page.locator("textarea").first).to_have_value(note)
            expect(page.get_by_text("Δεν έχει αποθηκευτεί ακόμη")).to_be_visible()
            with engine.connect() as c:
                assert c.scalar(select(Beneficiary.notes).where(Beneficiary.id == 1)) != note
            with page.expect_navigation():
                page.get_by_role("button", name="Αποθήκευση").first.click()
            with engine.connect() as c:
                assert c.scalar(select(Beneficiary.notes).where(Beneficiary.id == 1)) == note
            # a page that is not the form's drops the copy: the note is not typed in again
            page.goto(f"{base}/register/beneficiaries/1")
            expect(page.get_by_text("Δεν έχει αποθηκευτεί ακόμη")).to_have_count(0)

            # a colleague logs in next on the same computer: not handed another's unsaved form
            with engine.begin() as c:
                c.execute(
                    User.__table__.insert().values(
                        username="eleni", display_name="Ελένη Κ.", role="coordinator", active=True,
                        locale="el", password_hash=hash_password("another long password"),
                    )
                )  # fmt: skip
            page.locator("textarea").first.fill("Σημείωση της πρώτης")
            app.config["SESSION_IDLE_MINUTES"] = 0
            page.get_by_role("button", name="Αποθήκευση").first.click()
            expect(page.get_by_text("δεν αποθηκεύτηκε: η συνεδρία είχε λήξει")).to_be_visible()
            app.config["SESSION_IDLE_MINUTES"] = 30
            page.get_by_label("Όνομα χρήστη").fill("eleni")
            page.get_by_label("Κωδικός").fill("another long password")
            page.get_by_role("button", name="Σύνδεση").click()
            page.wait_for_url(f"{base}/register/beneficiaries/1")
            expect(page.locator("textarea").first).to_have_value(note)  # as stored, not the other's
            expect(page.get_by_text("Δεν έχει αποθηκευτεί ακόμη")).to_have_count(0)
        finally:
            browser.close()
            engine.dispose()


def test_a_field_in_error_is_tied_to_its_message(coordinator: FlaskClient) -> None:
    """A refused form: the field says it is invalid and names its message (screen readers read
    it; the page's script puts the focus there)."""
    page = coordinator.get("/register/beneficiaries/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    refused = coordinator.post(
        "/register/beneficiaries/new", data={"csrf_token": token.group(1), "full_name": ""}
    )
    text = refused.get_data(as_text=True)
    field = re.search(r'<input[^>]*id="full_name"[^>]*>', text)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="full_name-error"' in field.group(0) and 'id="full_name-error"' in text
