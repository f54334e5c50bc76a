"""The register's wide tables on a phone (390 px), in Debian's chromium driven by Playwright:
the calendar's (750 px wide) and the stops' (865 px) made the whole page scroll sideways, the
calendar's «Αφαίρεση» buttons off-screen. Each table now scrolls in its own box. And removing a
calendar day asks first (confirm.js)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from webui_helpers import COORDINATOR, PASSWORDS, live_server, only_the_server

from planner.register.db import session_scope
from planner.register.models import CalendarDay, Settlement, VillageStop
from webui import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or importlib.util.find_spec("playwright") is None,
    reason="chromium or playwright missing",
)


@pytest.fixture
def live(db_file: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The app under waitress, with calendar days and a stop whose texts make the tables wide."""
    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance"),
                      "TODAY": "2026-11-26"})  # fmt: skip
    with session_scope(app.extensions["kinito_engine"], actor="test") as s:
        s.add_all(
            CalendarDay(day=date(2026, 12, d), kind="pilot_extended_hours",
                        name="Πιλοτικό διευρυμένο ωράριο έως 20:00 (κινητή μονάδα)")
            for d in (2, 9, 16)
        )  # fmt: skip
        code = s.scalars(select(Settlement.code).where(Settlement.name_el == "Διακοπτόν")).one()
        s.add(VillageStop(settlement_code=code, place="Πλατεία Δημαρχείου, δίπλα στο Κέντρο Υγείας",
                          duration_min=90, announced_times=["09:30", "11:00", "12:30"],
                          frequency_kind="weekly", frequency_count=1, usual_weekday=3))  # fmt: skip
    with live_server(app) as url:
        yield {"app": app, "url": url}


def _days(app: Any) -> int:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return int(s.scalar(select(func.count()).select_from(CalendarDay)) or 0)


def test_wide_tables_scroll_in_their_box_on_a_phone(live: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    base, blocked = live["url"], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="el-GR")
            context.route("**/*", only_the_server(base, blocked))
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", COORDINATOR)
            page.fill("input[name=password]", PASSWORDS[COORDINATOR])
            page.get_by_role("button", name="Σύνδεση").click()
            page.wait_for_url(f"{base}/register/beneficiaries")
            for url, table in (("/register/calendar?year=2026", "calendar"), ("/register/stops", "stops")):
                page.goto(base + url)
                box = page.locator(f"#{table}").evaluate(
                    "t => [t.parentElement.clientWidth, t.parentElement.scrollWidth, t.scrollWidth]"
                )
                assert box[2] > 390 and box[1] > box[0], (url, box)  # the table is wide, its box scrolls
                width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert width[0] <= width[1], (url, width)  # the page does not
            # «Αφαίρεση» asks first: dismissed, the day stays; accepted, it goes
            page.goto(f"{base}/register/calendar?year=2026")
            before = _days(live["app"])
            page.once("dialog", lambda d: d.dismiss())
            page.locator("#calendar button").first.click()
            page.wait_for_timeout(300)
            assert _days(live["app"]) == before
            page.once("dialog", lambda d: d.accept())
            with page.expect_navigation():
                page.locator("#calendar button").first.click()
            assert _days(live["app"]) == before - 1
        finally:
            browser.close()
    assert blocked == []
