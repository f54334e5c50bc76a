"""End to end for management in Debian's chromium (Playwright), on the demo register's history
with W50 published: the coverage map draws all 140 settlements, its colour classes match the
counts made here from the rows, the figures and the trend chart show, the XLSX downloads.
Every request must go to the test server. Screenshots: tests/artifacts/management-*.png."""

from __future__ import annotations

import io
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from field_helpers import demo_template
from sqlalchemy import func, select
from test_web_browser import CHROMIUM_ARGS, _browser_missing
from webui_helpers import ARTIFACTS, MANAGEMENT, PASSWORDS, live_server, only_the_server

from planner.register.db import session_scope
from planner.register.models import Beneficiary, CarePlan, VillageStop, VisitOutcome
from webui import create_app

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def live_demo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Waitress on a copy of the demo register; today is Friday 11 December 2026."""
    db = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template(tmp_path_factory.mktemp("demo"))[0], db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"),
                      "TODAY": "2026-12-11"})  # fmt: skip
    with live_server(app) as url:
        yield {"app": app, "url": url}


def _done_per_settlement(app: Any, since: date) -> Counter[str]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = s.execute(
            select(Beneficiary.settlement_code, VillageStop.settlement_code)
            .select_from(VisitOutcome)
            .outerjoin(CarePlan, CarePlan.id == VisitOutcome.care_plan_id).outerjoin(Beneficiary)
            .outerjoin(VillageStop, VillageStop.id == VisitOutcome.village_stop_id)
            .where(VisitOutcome.status == "done", VisitOutcome.planned_date >= since)
        ).all()  # fmt: skip
    return Counter(home or stop for home, stop in rows)


def test_management_reviews_coverage_in_the_browser(live_demo: dict[str, Any]) -> None:
    """Log in, the map with 140 circles in the right classes, the figures, the XLSX download."""
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    if reason:
        pytest.skip(reason)
    from openpyxl import load_workbook
    from playwright.sync_api import expect, sync_playwright

    base, app = live_demo["url"], live_demo["app"]
    blocked: list[str] = []
    errors: list[str] = []

    only_the_test_server = only_the_server(base, blocked)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="el-GR",
                                          accept_downloads=True)  # fmt: skip
            context.route("**/*", only_the_test_server)
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
            page.goto(f"{base}/login")
            page.get_by_label("Όνομα χρήστη").fill(MANAGEMENT)
            page.get_by_label("Κωδικός").fill(PASSWORDS[MANAGEMENT])
            page.get_by_role("button", name="Σύνδεση").click()
            page.wait_for_url(f"{base}/management/")
            page.locator("#from").fill("2026-W42")
            page.locator("#to").fill("2026-W50")
            page.get_by_role("button", name="Εμφάνιση").click()
            page.wait_for_url("**/management/?from=2026-W42&to=2026-W50")
            page.wait_for_selector("#coverage-map[data-ready='1']")
            circles = page.locator("#coverage-map path.settlement")
            expect(circles).to_have_count(140)

            # by default the period's own visits (W42-W50, up to today), as the summary counts them
            expect(page.locator("#coverage-map")).to_have_attribute("data-mode", "period")
            in_period = _done_per_settlement(app, date(2026, 10, 12))
            not_served = 140 - sum(1 for n in in_period.values() if n)
            expect(page.locator("#coverage-map path.settlement.c0")).to_have_count(not_served)
            page.locator("#map-mode").select_option("done4")
            # last 4 weeks (W47-W50): "not served" circles are the settlements with no visit done
            done4 = _done_per_settlement(app, date(2026, 11, 16))
            served4 = sum(1 for n in done4.values() if n)
            expect(page.locator("#coverage-map path.settlement.c0")).to_have_count(140 - served4)
            expect(page.locator("#map-legend li[data-class='0']")).to_contain_text(f"({140 - served4})")
            # not reached: hollow in a thick ring, not only red against the green of the well served
            assert page.locator("#coverage-map path.settlement.c0").first.get_attribute("fill") == "#ffffff"
            assert page.locator("#coverage-map path.settlement.c3").first.get_attribute("fill") != "#ffffff"
            assert page.locator("#coverage-map path.settlement.c0").first.get_attribute("stroke-width") == "3"
            page.screenshot(path=str(ARTIFACTS / "management-coverage-4w.png"), full_page=False)

            page.locator("#map-mode").select_option("done12")
            expect(page.locator("#coverage-map")).to_have_attribute("data-mode", "done12")
            done12 = _done_per_settlement(app, date(2026, 9, 21))
            many = sum(1 for n in done12.values() if n >= 4)
            expect(page.locator("#coverage-map path.settlement.c3")).to_have_count(many)
            page.locator("#map-mode").select_option("recent")
            expect(page.locator("#coverage-map path.settlement.c3")).to_have_count(140 - len(done12))

            with session_scope(app.extensions["kinito_engine"]) as s:
                query = select(func.count()).select_from(VisitOutcome).where(VisitOutcome.status == "done")
                done = s.scalar(query)
            expect(page.locator("#k-done")).to_have_text(str(done))
            expect(page.locator("#trend polyline")).to_have_count(3)
            expect(page.locator("#weeks tbody tr[data-week]")).to_have_count(9)
            expect(page.locator("#weeks-total")).to_contain_text("Περίοδος (κάθε επίσκεψη μία φορά)")
            expect(page.locator("#due-note")).to_contain_text("κάθε επίσκεψη μετρά μία φορά")
            page.screenshot(path=str(ARTIFACTS / "management-overview.png"), full_page=True)

            with page.expect_download() as info:
                page.locator("#export-xlsx").click()
            book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
            summary = {r[0]: r[1] for r in book["Σύνοψη"].iter_rows(min_row=2, values_only=True)}
            assert summary["Επισκέψεις που έγιναν"] == done
            with page.expect_download() as info:
                page.locator("#export-pdf").click()
            assert Path(info.value.path()).read_bytes()[:5] == b"%PDF-"

            # a week that is not one: the form says so in Greek and keeps what was typed
            page.locator("#from").fill("abc")
            page.get_by_role("button", name="Εμφάνιση").click()
            page.wait_for_url("**/management/?from=abc&to=2026-W50")
            expect(page.get_by_role("alert")).to_contain_text("Το «abc» δεν είναι εβδομάδα ISO")
            expect(page.get_by_role("alert")).to_contain_text("π.χ. 2026-W50")
            expect(page.locator("#from")).to_have_value("abc")
            expect(page.locator("#to")).to_have_value("2026-W50")
            expect(page.locator("#from")).to_have_attribute("aria-invalid", "true")
            page.screenshot(path=str(ARTIFACTS / "management-bad-week.png"), full_page=False)
        finally:
            browser.close()
    assert errors == []
    assert blocked == []
