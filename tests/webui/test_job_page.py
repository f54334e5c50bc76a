"""The planning desk's progress page in a real browser: its seconds with a decimal comma in
Greek, and a run that failed no longer says «you can close this page: the planning goes on».
The planning child is a stand-in that reports progress, then fails as a re-plan can (the
week's kept routes no longer fitting the register)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from webui_helpers import COORDINATOR, PASSWORDS, live_server, only_the_server, small_problem

from planner.schema import problem_to_dict
from tests.webui.test_web_browser import CHROMIUM, CHROMIUM_ARGS, _browser_missing
from webui import create_app
from webui.jobs import JobRunner

PROGRESS = '{"progress": {"elapsed": 2.5, "objective": 10, "served": 3, "wanted": 4, "stage": "search"}}'
FAILED = '{"error": "δεν ταιριάζουν πια: λεπτομέρειες / no longer fit: details", "expected": true}'


def _stand_in(tmp_path: Path, report: str = PROGRESS, wait: int = 4) -> Path:
    """A planning child that says ``report``, waits ``wait`` seconds, then fails."""
    script = tmp_path / "python"
    script.write_text(
        f"#!/bin/sh\ncat > /dev/null\necho '{report}'\nsleep {wait}\necho '{FAILED}'\nexit 1\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@contextmanager
def _job_page(db_file: Path, tmp_path: Path, script: Path) -> Iterator[Any]:
    """The coordinator's progress page (chromium, only the server reachable) of a run whose
    child is ``script``; the run cancelled after."""
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance"),
                      "PLAN_TIME_LIMIT": 3.0, "PLAN_WORKERS": 1, "TODAY": "2026-11-26"})  # fmt: skip
    runner: JobRunner = app.extensions["kinito_jobs"]
    runner.python = str(script)
    job = runner.start("2026-W50", COORDINATOR, time_limit=3.0, problem=problem_to_dict(small_problem()))
    blocked: list[str] = []
    try:
        with live_server(app) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(locale="el-GR")
                context.route("**/*", only_the_server(base, blocked))
                page = context.new_page()
                page.goto(f"{base}/login")
                page.get_by_label("Όνομα χρήστη").fill(COORDINATOR)
                page.get_by_label("Κωδικός").fill(PASSWORDS[COORDINATOR])
                page.get_by_role("button", name="Σύνδεση").click()
                page.wait_for_url(f"{base}/register/beneficiaries")
                page.goto(f"{base}/desk/jobs/{job.id}")
                yield page
            finally:
                browser.close()
    finally:
        runner.cancel(job.id)
    assert blocked == []


def test_a_failed_run_says_so_and_not_that_planning_goes_on(db_file: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with _job_page(db_file, tmp_path, _stand_in(tmp_path)) as page:
        job_id = page.url.rsplit("/", 1)[1]
        hint = page.locator("#p-hint")
        expect(hint).to_be_visible()
        expect(page.locator("#p-served")).to_have_text("3", timeout=10_000)
        assert "," in page.locator("#p-elapsed").inner_text()
        assert "." not in page.locator("#p-elapsed").inner_text()
        error = page.locator("#p-error")
        expect(error).to_be_visible(timeout=15_000)
        expect(error).to_contain_text("δεν ταιριάζουν πια: λεπτομέρειες")
        expect(error).not_to_contain_text("no longer fit")
        expect(hint).to_be_hidden()
        expect(page.locator("#cancel-form")).to_be_hidden()
        page.reload()  # drawn by the server after the end: no hint either
        expect(page.locator("#p-hint")).to_be_hidden()
        data: Any = page.evaluate(f"fetch('/desk/jobs/{job_id}.json').then(r => r.json())")
        assert data["state"] == "failed"


EXPLAINING = (
    '{"progress": {"elapsed": 3.4, "objective": 10, "served": 3, "wanted": 10, '
    '"stage": "explain", "unassigned": 7}}'
)


def test_the_page_says_when_the_unassigned_visits_are_being_explained(db_file: Path, tmp_path: Path) -> None:
    """Past the search's time, explaining hundreds of visits left out takes seconds: the page says
    so, with how many, rather than «checking and storing» (the server's first drawing and the
    script's alike)."""
    from playwright.sync_api import expect

    with _job_page(db_file, tmp_path, _stand_in(tmp_path, EXPLAINING, 6)) as page:
        expect(page.locator("#p-state")).to_have_text(
            "εξήγηση των επισκέψεων χωρίς ανάθεση (7)…", timeout=10_000
        )
