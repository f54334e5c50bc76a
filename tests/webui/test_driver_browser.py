"""End to end on the driver's tablet: Debian's chromium driven by Playwright, the app under
waitress on 127.0.0.1 (a secure context, so the service worker runs). The driver opens
today's route, the tablet loses its signal, the page still reloads (from the service
worker's cache), two stops are marked done and one not at home, the badge says three are
waiting, the signal comes back and exactly three outcomes arrive in the database.
Screenshots: tests/artifacts/driver-*.png."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from field_helpers import TODAY, TODAY_STOPS
from sqlalchemy import select
from test_driver import new_version
from test_web_browser import CHROMIUM_ARGS, _browser_missing
from webui_helpers import ARTIFACTS, COORDINATOR, DRIVER, PASSWORDS, login, post

from planner.register.db import session_scope
from planner.register.models import PlanVersion, VisitOutcome
from planner.register.outcomes import record_outcome
from planner.schema import format_time, parse_time

CHROMIUM = Path("/usr/bin/chromium")


def _outcomes(app: Any, version: int) -> list[VisitOutcome]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = list(s.scalars(select(VisitOutcome).where(VisitOutcome.plan_version_id == version)))
        s.expunge_all()
    return rows


def _expected_start(plan: dict[str, Any], index: int, free_s: int) -> str:
    """The client's rule, computed here from the plan: stop ``index`` starts no earlier than
    planned, nor before the van is free after the previous stop plus the planned drive;
    shown with the seconds dropped, as the planned times are."""
    route = plan["route"]
    prev_end = route["stops"][index - 1]["end"]
    stop = route["stops"][index]
    slack = stop["start"] - prev_end - stop["travel"]
    start = stop["start"] + max(0, (free_s - prev_end) - max(0, slack))
    minutes = start // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def test_driver_works_offline_and_sends_three_outcomes_once(live_driver: dict[str, Any]) -> None:
    """Open today's route, go offline, reload, mark 2 done and 1 not at home, back online: 3 rows."""
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    base, app, version = live_driver["url"], live_driver["app"], live_driver["version"]
    foreign: list[str] = []
    errors: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 800}, locale="el-GR", timezone_id="Europe/Athens"
            )
            context.on("request", lambda r: None if r.url.startswith(base) else foreign.append(r.url))
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.clock.set_fixed_time("2026-12-07T08:30:00+02:00")

            page.goto(f"{base}/login")
            page.get_by_label("Όνομα χρήστη").fill(DRIVER)
            page.get_by_label("Κωδικός").fill(PASSWORDS[DRIVER])
            page.get_by_role("button", name="Σύνδεση").click()
            page.wait_for_url(f"{base}/driver/")
            stops = page.locator("#stops > li")
            expect(stops).to_have_count(3)
            page.wait_for_selector("#route-map[data-ready='1']")
            assert "Δευτέρα 7 Δεκεμβρίου 2026" in page.locator("#route-date").inner_text()
            assert page.locator("#route-map .stop-pin").count() == 4  # three stops and the base
            assert page.locator("#route-map path.leaflet-interactive").count() >= 1  # the route line
            # Leaflet's own titles in Greek too ("Zoom in" / "Zoom out" in Leaflet)
            assert page.locator("#route-map .leaflet-control-zoom-in").get_attribute("title") == "Μεγέθυνση"
            assert page.locator("#route-map .leaflet-control-zoom-out").get_attribute("title") == "Σμίκρυνση"
            # the service worker controls the page and keeps the page, data, script, styles, Leaflet
            # a function, not an expression: Playwright polls an expression with eval inside
            # the page, which the page's CSP (rightly) refuses whenever the first try fails
            page.wait_for_function(
                "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null"
            )
            page.wait_for_function(
                "async () => (await (await caches.open('kinito-driver-v1')).keys()).length >= 7",
                timeout=10_000,
            )

            doc = page.evaluate("fetch('/driver/today.json').then(r => r.json())")
            # the three stops pinned to today, in the published route's order (the order is
            # the search's: both directions of this route cost the same)
            assert sorted(s["visit_id"] for s in doc["stops"]) == sorted(TODAY_STOPS)
            first = stops.nth(0)
            assert "next" in (first.get_attribute("class") or "")
            assert first.locator("a[href^='geo:']").count() == 1
            assert first.locator("a[href*='google.com/maps/dir/']").count() == 1
            assert first.locator("a[href*='osmand.net']").count() == 1
            phone = doc["stops"][0]["phone"]
            assert first.locator(f"a[href='tel:{phone}']").count() == (1 if phone else 0)
            page.screenshot(path=str(ARTIFACTS / "driver-today.png"), full_page=True)
            page.set_viewport_size({"width": 800, "height": 1280})  # a 10-inch tablet upright
            page.wait_for_timeout(400)
            page.screenshot(path=str(ARTIFACTS / "driver-tablet-portrait.png"))
            page.set_viewport_size({"width": 1280, "height": 800})

            # no signal: the page reloads from the service worker's cache and still works
            context.set_offline(True)
            page.reload()
            expect(stops).to_have_count(3)
            expect(page.locator("#net")).to_have_attribute("data-state", "offline")

            # stop 1 done later than the slack allows: the later planned times move
            planned_end = doc["stops"][0]["end"]
            slack = doc["stops"][1]["start"] - planned_end - doc["stops"][1]["travel"]
            late = planned_end + max(40 * 60, slack + 25 * 60)
            page.clock.set_fixed_time(f"2026-12-07T{late // 3600:02d}:{late % 3600 // 60:02d}:00+02:00")
            stops.nth(0).get_by_role("button", name="Έγινε").click()
            expect(stops.nth(0)).to_have_attribute("data-status", "done")
            expect(stops.nth(1)).to_have_class("stop next")
            free = late // 60 * 60
            expected = _expected_start({"route": doc}, 1, free)
            if expected != doc["stops"][1]["planned"]:
                expect(stops.nth(1).locator(".expected")).to_have_text(f"→ {expected}")
            assert expected > doc["stops"][1]["planned"]  # later than the slack allows
            page.screenshot(path=str(ARTIFACTS / "driver-late.png"), full_page=True)

            page.clock.set_fixed_time("2026-12-07T12:05:00+02:00")
            stops.nth(1).get_by_role("button", name="Έφτασα").click()
            stops.nth(1).get_by_role("button", name="Έγινε").click()
            page.clock.set_fixed_time("2026-12-07T12:55:00+02:00")
            stops.nth(2).locator(".stop-note").fill("Κανείς δεν άνοιξε· αφέθηκε σημείωμα.")
            stops.nth(2).get_by_role("button", name="Δεν βρέθηκε στο σπίτι").click()
            badge = page.locator("#queue-badge")
            expect(badge).to_have_attribute("data-count", "3")
            expect(badge).to_have_text("3 αναμένουν αποστολή")
            assert _outcomes(app, version) == []  # nothing reached the server while offline
            page.screenshot(path=str(ARTIFACTS / "driver-offline-queue.png"), full_page=True)

            # a reload with no signal loses nothing
            page.reload()
            expect(stops).to_have_count(3)
            expect(badge).to_have_attribute("data-count", "3")

            # signal again: the queue empties, exactly three rows arrive
            context.set_offline(False)
            expect(badge).to_have_attribute("data-count", "0", timeout=25_000)
            expect(badge).to_be_hidden()
            page.screenshot(path=str(ARTIFACTS / "driver-sent.png"), full_page=True)
            page.reload()
            expect(stops).to_have_count(3)
            expect(stops.nth(2)).to_have_attribute("data-status", "not_at_home")

            # logging out forgets the kept route on the tablet
            page.locator("#logout").click()
            page.wait_for_url(f"{base}/login**")
            assert page.evaluate("caches.has('kinito-driver-v1')") is False
            assert page.evaluate(f"localStorage.getItem('kinito.driver.route.{DRIVER}')") is None
            page.goto(f"{base}/driver/")
            page.wait_for_url(f"{base}/login**")
        finally:
            browser.close()

    rows = _outcomes(app, version)
    assert len(rows) == 3
    by_visit = {r.visit_ref: r for r in rows}
    statuses = {k: r.status for k, r in by_visit.items()}
    first, second, third = (s["visit_id"] for s in doc["stops"])  # the route's order
    assert statuses == {first: "done", second: "done", third: "not_at_home"}
    assert all(r.recorded_by == DRIVER and r.planned_date == TODAY and r.staff_id is not None for r in rows)
    assert len({r.client_ref for r in rows}) == 3
    assert by_visit[third].note == "Κανείς δεν άνοιξε· αφέθηκε σημείωμα."
    assert by_visit[second].occurred_at.strftime("%H:%M") == "10:05"  # 12:05 Athens, UTC+2
    assert foreign == []
    assert errors == []


@contextmanager
def _driver_tablet(base: str, clock_at: str, timezone_id: str = "Europe/Athens") -> Iterator[Any]:
    """Chromium logged in as the driver on today's route (its service worker in control), the
    page's clock installed (timers too) at ``clock_at``, the tablet set to ``timezone_id``;
    yields the page."""
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 800, "height": 1280}, locale="el-GR", timezone_id=timezone_id
            )
            page = context.new_page()
            page.clock.install(time=clock_at)
            page.goto(f"{base}/login")
            page.get_by_label("Όνομα χρήστη").fill(DRIVER)
            page.get_by_label("Κωδικός").fill(PASSWORDS[DRIVER])
            page.get_by_role("button", name="Σύνδεση").click()
            page.wait_for_url(f"{base}/driver/")
            expect(page.locator("#stops > li")).to_have_count(3)
            page.wait_for_function(
                "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null"
            )
            page.wait_for_function(
                "async () => (await (await caches.open('kinito-driver-v1')).keys()).length >= 7",
                timeout=10_000,
            )
            yield page
        finally:
            browser.close()


def test_driver_page_keeps_the_session_alive_and_a_new_log_in_sends_the_queue(
    live_driver: dict[str, Any],
) -> None:
    """With signal, the page asks the server every 10 minutes, so an idle tablet stays logged
    in; a session that did end anyway (cookies gone) leaves the outcome queued and offers a
    log-in, after which the queue goes out."""
    from playwright.sync_api import expect

    base, app, version = live_driver["url"], live_driver["app"], live_driver["version"]
    with _driver_tablet(base, "2026-12-07T08:30:00+02:00") as page:
        pings: list[str] = []
        page.on("request", lambda r: pings.append(r.url) if r.url.endswith("/driver/token.json") else None)
        page.clock.run_for(11 * 60 * 1000)
        page.wait_for_timeout(500)
        assert pings, "no keep-alive request in 11 minutes"
        page.context.clear_cookies()  # the session is over
        page.locator("#stops > li").nth(0).get_by_role("button", name="Έγινε").click()
        expect(page.locator("#login-again")).to_be_visible()
        expect(page.locator("#queue-badge")).to_have_attribute("data-count", "1")
        assert _outcomes(app, version) == []
        page.locator("#login-again").click()
        page.get_by_label("Όνομα χρήστη").fill(DRIVER)
        page.get_by_label("Κωδικός").fill(PASSWORDS[DRIVER])
        page.get_by_role("button", name="Σύνδεση").click()
        page.wait_for_url(f"{base}/driver/")
        for _ in range(100):  # the badge reads 0 before the script runs: wait for the row itself
            if _outcomes(app, version):
                break
            page.wait_for_timeout(100)
        expect(page.locator("#queue-badge")).to_have_attribute("data-count", "0", timeout=10_000)
    assert len(_outcomes(app, version)) == 1


def test_yesterdays_route_reopened_offline_says_so_and_records_nothing(live_driver: dict[str, Any]) -> None:
    """Loaded on Monday; reopened offline on Tuesday morning: the heading names Monday's route,
    a Greek warning says the tablet's date is Tuesday, and no outcome can be queued on it."""
    from playwright.sync_api import expect

    base = live_driver["url"]
    with _driver_tablet(base, "2026-12-07T08:30:00+02:00") as page:
        expect(page.locator("#stale-route")).to_be_hidden()
        expect(page.locator("#route-label")).to_have_text("Σήμερα")
        page.context.set_offline(True)
        page.clock.set_fixed_time("2026-12-08T08:30:00+02:00")
        page.reload()
        stops = page.locator("#stops > li")
        expect(stops).to_have_count(3)
        warning = page.locator("#stale-route")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("Δευτέρα 7 Δεκεμβρίου 2026")
        expect(warning).to_contain_text("Τρίτη 8 Δεκεμβρίου 2026")
        expect(page.locator("#route-label")).to_have_text("Δρομολόγιο ημέρας")
        expect(page.locator("#route-date")).to_have_text("Δευτέρα 7 Δεκεμβρίου 2026")
        assert page.locator("#stops button.mark").count() == 0
        assert page.evaluate(f"localStorage.getItem('kinito.driver.queue.{DRIVER}')") in (None, "[]")
        page.screenshot(path=str(ARTIFACTS / "driver-stale-route.png"), full_page=True)
        # back on Monday (the tablet's clock was wrong): the buttons return
        page.clock.set_fixed_time("2026-12-07T09:00:00+02:00")
        page.reload()
        expect(page.locator("#stale-route")).to_be_hidden()
        assert page.locator("#stops button.mark-done").count() == 3


def test_log_out_with_no_signal_keeps_the_route(live_driver: dict[str, Any]) -> None:
    """Offline, "Αποσύνδεση" says it needs signal and keeps the route and its offline copy (the
    page still reloads); with signal it logs out and forgets them."""
    from playwright.sync_api import expect

    base = live_driver["url"]
    route_key = f"localStorage.getItem('kinito.driver.route.{DRIVER}')"
    with _driver_tablet(base, "2026-12-07T08:30:00+02:00") as page:
        page.context.set_offline(True)
        page.locator("#logout").click()
        notice = page.locator("#logout-offline")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("χρειάζεται σήμα")
        assert page.url == f"{base}/driver/"
        assert page.evaluate(route_key) is not None
        assert page.evaluate("caches.has('kinito-driver-v1')") is True
        page.reload()
        expect(page.locator("#stops > li")).to_have_count(3)
        page.context.set_offline(False)
        page.locator("#logout").click()
        page.wait_for_url(f"{base}/login")
        expect(page.locator(".flash")).to_contain_text("Αποσυνδεθήκατε")
        assert page.evaluate(route_key) is None
        assert page.evaluate("caches.has('kinito-driver-v1')") is False
        page.goto(f"{base}/driver/")
        page.wait_for_url(f"{base}/login**")


def _route_visits(app: Any, version: int) -> list[str]:
    """The visits of van1's Monday route in ``version``, in the route's order."""
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, version)
        assert row is not None
        plan = json.loads(row.plan_json)
    route = next(r for r in plan["routes"] if r["unit"] == "unit-1" and r["date"] == TODAY.isoformat())
    return [x["visit"] for x in route["steps"] if x["type"] == "visit"]


def _shift_monday(app: Any, version: int, seconds_of_first_start: int) -> list[int]:
    """Move van1's whole Monday route in ``version`` later by under a minute, so that its first
    stop starts at ``seconds_of_first_start`` past the minute (the others shift alike);
    returns the stops' new starts, in seconds since midnight."""
    with session_scope(app.extensions["kinito_engine"], actor="fixture") as s:
        row = s.get(PlanVersion, version)
        assert row is not None
        plan = json.loads(row.plan_json)
        route = next(r for r in plan["routes"] if r["unit"] == "unit-1" and r["date"] == TODAY.isoformat())
        visits = [x for x in route["steps"] if x["type"] == "visit"]
        shift = (seconds_of_first_start - parse_time(visits[0]["start"])) % 60
        for key in ("depart", "arrive"):
            route[key] = format_time(parse_time(route[key]) + shift)
        for step in route["steps"]:
            for key in ("time", "arrival", "start", "end"):
                if key in step:
                    step[key] = format_time(parse_time(step[key]) + shift)
        row.plan_json = json.dumps(plan)
    return [parse_time(x["start"]) for x in visits]


def test_on_time_stops_show_no_delay(live_driver: dict[str, Any]) -> None:
    """Stops planned at hh:mm:40 are shown at hh:mm (seconds dropped) and, on time, with no
    red "→ hh:mm+1": the tablet drops the seconds as the server does. The first stop done in
    its planned last minute still delays nothing."""
    from playwright.sync_api import expect

    base, app, version = live_driver["url"], live_driver["app"], live_driver["version"]
    starts = _shift_monday(app, version, 40)
    assert starts[0] % 60 == 40  # seconds to drop: rounded, they would make 08:50 an 08:51
    with _driver_tablet(base, "2026-12-07T07:00:00+02:00") as page:
        stops = page.locator("#stops > li")
        for i, start in enumerate(starts):
            expect(stops.nth(i).locator(".planned")).to_have_text(
                f"{start // 3600:02d}:{start % 3600 // 60:02d}"
            )
        assert page.locator("#stops .expected").count() == 0
        doc = page.evaluate("fetch('/driver/today.json').then(r => r.json())")
        end = doc["stops"][0]["end"] // 60 * 60  # done at the planned end's minute
        page.clock.set_fixed_time(f"2026-12-07T{end // 3600:02d}:{end % 3600 // 60:02d}:00+02:00")
        stops.nth(0).get_by_role("button", name="Έγινε").click()
        expect(stops.nth(0)).to_have_attribute("data-status", "done")
        assert page.locator("#stops .expected").count() == 0
        page.screenshot(path=str(ARTIFACTS / "driver-on-time.png"), full_page=True)


def test_offline_outcomes_survive_a_new_version_of_the_week(live_driver: dict[str, Any]) -> None:
    """Offline, the driver marks the first stop done with a note and the last one done; the
    office meanwhile publishes version 2, which keeps the first stop and takes the last one
    off Monday. Back online both are stored, nothing is refused: the first against version 2
    (shown done after a reload), the last against version 1, with a Greek notice on the
    tablet that it was kept although the route changed."""
    from playwright.sync_api import expect

    base, app, version = live_driver["url"], live_driver["app"], live_driver["version"]
    first, _second, last = _route_visits(app, version)
    with _driver_tablet(base, "2026-12-07T09:30:00+02:00") as page:
        stops = page.locator("#stops > li")
        page.context.set_offline(True)
        stops.nth(0).locator(".stop-note").fill("Ζήτησε φάρμακα.")
        stops.nth(0).get_by_role("button", name="Έγινε").click()
        page.clock.set_fixed_time("2026-12-07T12:40:00+02:00")
        stops.nth(2).get_by_role("button", name="Έγινε").click()
        badge = page.locator("#queue-badge")
        expect(badge).to_have_attribute("data-count", "2")
        newer = new_version(app.extensions["kinito_engine"], version, drop=[last])
        page.context.set_offline(False)
        expect(badge).to_have_attribute("data-count", "0", timeout=25_000)
        expect(page.locator("#rejected")).to_be_hidden()
        notice = page.locator("#off-route")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("κρατήθηκαν")
        expect(notice).to_contain_text(stops.nth(2).locator(".stop-name").inner_text())
        page.reload()
        expect(stops).to_have_count(2)  # version 2's route
        expect(page.locator(f"#stops > li[data-visit='{first}']")).to_have_attribute("data-status", "done")
        expect(notice).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "driver-new-version.png"), full_page=True)
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = {r.visit_ref: r for r in s.scalars(select(VisitOutcome))}
        assert set(rows) == {first, last}
        assert (rows[first].plan_version_id, rows[first].note) == (newer, "Ζήτησε φάρμακα.")
        assert rows[last].plan_version_id == version and rows[last].status == "done"


def test_done_for_a_visit_the_office_postponed_meanwhile_is_kept_and_the_driver_told(
    live_driver: dict[str, Any],
) -> None:
    """Third walkthrough: offline, the driver marks the first stop done; meanwhile the office
    postpones that visit. Back online the outcome is stored beside the office's postponement
    (nothing overwritten, nothing refused) and the tablet lists it among the outcomes kept but
    flagged, in Greek, naming the postponement."""
    from playwright.sync_api import expect

    base, app, version = live_driver["url"], live_driver["app"], live_driver["version"]
    first = _route_visits(app, version)[0]
    with _driver_tablet(base, "2026-12-07T09:30:00+02:00") as page:
        stops = page.locator("#stops > li")
        page.context.set_offline(True)
        stops.nth(0).get_by_role("button", name="Έγινε").click()
        badge = page.locator("#queue-badge")
        expect(badge).to_have_attribute("data-count", "1")
        with session_scope(app.extensions["kinito_engine"], actor=COORDINATOR) as s:
            record_outcome(s, first, "postponed", on=TODAY, recorded_by=COORDINATOR)
        page.context.set_offline(False)
        expect(badge).to_have_attribute("data-count", "0", timeout=25_000)
        expect(page.locator("#rejected")).to_be_hidden()
        notice = page.locator("#off-route")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("κρατήθηκαν")
        expect(notice).to_contain_text("ως αναβολή")
        expect(notice).to_contain_text("(το γραφείο το είχε καταγράψει: Αναβλήθηκε)")  # what the office said
        expect(notice).to_contain_text(stops.nth(0).locator(".stop-name").inner_text())
        page.screenshot(path=str(ARTIFACTS / "driver-office-postponed.png"), full_page=True)
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = sorted((r.status, r.recorded_by) for r in s.scalars(select(VisitOutcome)))
    assert rows == [("done", DRIVER), ("postponed", COORDINATOR)]


def test_a_corrected_outcome_shows_and_a_village_stop_offers_only_its_outcomes(
    live_driver: dict[str, Any],
) -> None:
    """The first stop was recorded done and the office corrected it to postponed: the tablet,
    loaded fresh, shows it postponed with no buttons (and delaying nothing), and the next stop
    is the one after it.
    The village stop offers done and cancelled, never "not at home"; a home visit offers it."""
    from playwright.sync_api import expect

    base, app, version = live_driver["url"], live_driver["app"], live_driver["version"]
    visits = _route_visits(app, version)
    with session_scope(app.extensions["kinito_engine"], actor=DRIVER) as s:
        oid = record_outcome(
            s, visits[0], "done", on=TODAY, recorded_by=DRIVER, plan_version_id=version
        ).outcome_id
    office = app.test_client()
    login(office, COORDINATOR)
    assert (
        post(office, f"/desk/outcomes/{oid}/correct", {"status": "postponed", "note": ""}).status_code == 302
    )
    with _driver_tablet(base, "2026-12-07T08:30:00+02:00") as page:
        stops = page.locator("#stops > li")
        expect(stops.nth(0)).to_have_attribute("data-status", "postponed")
        expect(stops.nth(0).locator(".stop-result")).to_contain_text("Αναβλήθηκε")
        assert stops.nth(0).locator("button.mark").count() == 0
        assert "next" not in (stops.nth(0).get_attribute("class") or "")
        expect(stops.nth(1)).to_have_class("stop next")
        # postponed at noon by the office: not a van late since noon, the times stay as planned
        assert page.locator("#stops .expected").count() == 0
        village = page.locator("#stops > li[data-visit='vs-1']")
        home = page.locator("#stops > li[data-visit^='cp-']").last
        if visits[0] != "vs-1":
            expect(village.get_by_role("button", name="Έγινε")).to_be_visible()
            expect(village.get_by_role("button", name="Ακυρώθηκε")).to_be_visible()
            assert village.get_by_role("button", name="Δεν βρέθηκε στο σπίτι").count() == 0
        if visits[0] != home.get_attribute("data-visit"):
            expect(home.get_by_role("button", name="Δεν βρέθηκε στο σπίτι")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "driver-corrected.png"), full_page=True)
