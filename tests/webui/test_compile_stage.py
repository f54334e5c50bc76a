"""The planning desk says when a run first compiles the engine's search (once after installing,
about four minutes, before the run's time starts): the progress page in a real browser shows
it in Greek rather than "searching" with a clock far past the time limit. The planning child
is a stand-in that reports the compile stage and waits, so no compile is needed here."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from webui_helpers import COORDINATOR, PASSWORDS, live_server, only_the_server, small_problem

from planner.schema import problem_to_dict
from tests.webui.test_web_browser import CHROMIUM, CHROMIUM_ARGS, _browser_missing
from webui import create_app
from webui.jobs import JobRunner

COMPILING = '{"progress": {"elapsed": 12.0, "objective": 0, "served": 0, "wanted": 4, "stage": "compile"}}'


def _stand_in(tmp_path: Path) -> Path:
    """An executable that reads the job, reports the compile stage, then waits to be stopped."""
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\ncat > /dev/null\necho '{COMPILING}'\nsleep 120\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_the_progress_page_says_the_search_is_being_prepared(db_file: Path, tmp_path: Path) -> None:
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")  # make test installs both
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance"),
                      "PLAN_TIME_LIMIT": 1.0, "PLAN_WORKERS": 1, "TODAY": "2026-11-26"})  # fmt: skip
    runner: JobRunner = app.extensions["kinito_jobs"]
    runner.python = str(_stand_in(tmp_path))
    job = runner.start("2026-W50", COORDINATOR, time_limit=1.0, problem=problem_to_dict(small_problem()))
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
                state = page.locator("#p-state")
                expect(state).to_contain_text("μεταγλωττίζεται μία φορά", timeout=10_000)
                expect(state).to_contain_text("περίπου 4 λεπτά")
                data: Any = page.evaluate(f"fetch('/desk/jobs/{job.id}.json').then(r => r.json())")
                assert (data["state"], data["stage"]) == ("running", "compile")
                assert data["elapsed"] >= 12.0  # the stage's own clock (12 s in), not the run's
            finally:
                browser.close()
    finally:
        runner.cancel(job.id)
    assert blocked == []


def test_the_progress_page_says_the_week_is_being_read(coordinator: Any, app: Any, tmp_path: Path) -> None:
    """Before the first progress the page counted from the run's start (the register read, the
    problem built) and then jumped back when the search's clock began, over «0 / 0» visits.
    Now it says the week is being read, with no clock and no counts yet."""
    runner: JobRunner = app.extensions["kinito_jobs"]
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\ncat > /dev/null\nsleep 120\n", encoding="utf-8")  # no progress yet
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    runner.python = str(script)
    job = runner.start("2026-W50", COORDINATOR, time_limit=1.0, problem=problem_to_dict(small_problem()))
    try:
        job.started_at -= 5  # five seconds of reading the week
        data = coordinator.get(f"/desk/jobs/{job.id}.json").get_json()
        assert (data["state"], data["stage"], data["elapsed"]) == ("running", "prepare", 0.0)
        page = coordinator.get(f"/desk/jobs/{job.id}").get_data(as_text=True)
        assert "ανάγνωση της εβδομάδας από το μητρώο" in page
        assert '<span id="p-served">–</span> / <span id="p-wanted">–</span>' in page
    finally:
        runner.cancel(job.id)
