"""A form filled in slowly is not lost to the 30-minute idle limit: while someone types, the
office pages tell the server (at most every 4 minutes) that the user is there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_web_browser import CHROMIUM_ARGS, _browser_missing
from webui_helpers import COORDINATOR, PASSWORDS, live_server

from webui import create_app


def test_the_keep_alive_refreshes_an_idle_session_and_says_when_it_has_ended(
    coordinator: FlaskClient, app: Flask
) -> None:
    with coordinator.session_transaction() as session:
        session["seen"] = session["seen"] - 29 * 60  # 29 minutes without a request: typing
    assert coordinator.get("/session/alive").status_code == 204
    with coordinator.session_transaction() as session:
        session["seen"] = session["seen"] - 29 * 60  # 29 more: 58 since the last page
    assert coordinator.get("/register/beneficiaries").status_code == 200
    assert app.test_client().get("/session/alive").status_code == 401  # nobody logged in


def test_typing_in_a_form_keeps_the_session(db_file: Path, tmp_path: Path) -> None:
    """Chromium, the clock installed: typing in a person's notes for 10 minutes sends the
    keep-alive (about twice, not on every key)."""
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance")})
    with live_server(app) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="el-GR", timezone_id="Europe/Athens").new_page()
            page.clock.install(time="2026-12-07T09:00:00+02:00")
            pings: list[str] = []
            page.on("request", lambda r: pings.append(r.url) if r.url.endswith("/session/alive") else None)
            page.goto(f"{base}/login")
            page.get_by_label("Όνομα χρήστη").fill(COORDINATOR)
            page.get_by_label("Κωδικός").fill(PASSWORDS[COORDINATOR])
            page.get_by_role("button", name="Σύνδεση").click()
            page.goto(f"{base}/register/beneficiaries/1")
            notes = page.locator("textarea").first
            for minute in range(10):
                notes.type("α")
                page.clock.run_for(60_000)
                if minute == 0:
                    assert pings == []  # the first minutes: the page itself was the last request
            page.wait_for_timeout(200)
            assert 1 <= len(pings) <= 3, pings
        finally:
            browser.close()


def test_the_import_button_says_it_is_busy_and_cannot_be_pressed_twice(db_file: Path, tmp_path: Path) -> None:
    """«Έλεγχος αρχείου» pressed: the button then reads «Έλεγχος του αρχείου…» and is disabled
    while the server works, so the file is not sent twice."""
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    upload = tmp_path / "people.csv"
    upload.write_text("Ονοματεπώνυμο;Οικισμός\nΜαρία Π.;Αίγιο\n", encoding="utf-8")
    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance")})
    with live_server(app) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="el-GR").new_page()
            page.goto(f"{base}/login")
            page.get_by_label("Όνομα χρήστη").fill(COORDINATOR)
            page.get_by_label("Κωδικός").fill(PASSWORDS[COORDINATOR])
            page.get_by_role("button", name="Σύνδεση").click()
            page.goto(f"{base}/register/import")
            page.locator("#import-form input[type=file]").set_input_files(str(upload))
            # the form sent to another tab, so that this page stays to be looked at
            page.evaluate("() => { document.getElementById('import-form').target = '_blank'; }")
            with page.context.expect_page():
                page.locator("#check-button").click()
            button = page.locator("#check-button")
            expect(button).to_be_disabled()
            expect(button).to_have_text("Έλεγχος του αρχείου…")
        finally:
            browser.close()
