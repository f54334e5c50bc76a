"""The driver's tablet, sixth walkthrough's defects, in Debian's chromium (Playwright; the app
under waitress on 127.0.0.1, as in test_driver_browser): two tabs of one tablet, a page left
open while the office publishes or the day changes, a tablet with the wrong date, an outcome
of an earlier day sent after today's route loaded, log-out with outcomes unsent, a request
that never answers, the refused outcomes' list and notes typed before a redraw."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from field_helpers import TODAY
from sqlalchemy import select
from test_driver import new_version
from test_driver_browser import _driver_tablet, _route_visits
from webui_helpers import DRIVER

from planner.register.db import session_scope
from planner.register.models import PlanVersion, VisitOutcome

MONDAY_0930 = "2026-12-07T09:30:00+02:00"
QUEUE = f"() => JSON.parse(localStorage.getItem('kinito.driver.queue.{DRIVER}') || '[]')"
REJECTED = f"kinito.driver.rejected.{DRIVER}"
I18N = "() => JSON.parse(document.getElementById('driver-i18n').textContent)"


def _queue(page: Any) -> list[dict[str, Any]]:
    return list(page.evaluate(QUEUE))


def test_two_tabs_share_the_marks_and_never_record_a_stop_twice(live_driver: dict[str, Any]) -> None:
    """Offline, tab A marks stop 1 done: tab B redraws it done at once, with no buttons; a tap
    on B's stop-1 button drawn before (the storage event not yet in) records nothing; B marks
    stop 2 and A shows it; after a reload both are done and the queue holds exactly two."""
    from playwright.sync_api import expect

    base = live_driver["url"]
    with _driver_tablet(base, MONDAY_0930) as a:
        b = a.context.new_page()
        b.clock.install(time=MONDAY_0930)
        b.goto(f"{base}/driver/")
        expect(b.locator("#stops > li")).to_have_count(3)
        a.context.set_offline(True)
        b.evaluate("() => { window.__drawn = document.querySelector('#stop-1 button.mark-cancelled'); }")
        a.locator("#stop-1").get_by_role("button", name="Έγινε").click()
        expect(b.locator("#stop-1")).to_have_attribute("data-status", "done", timeout=3000)
        assert b.locator("#stop-1 button.mark").count() == 0
        b.evaluate("() => window.__drawn.click()")  # the old button, tapped before the redraw
        assert [q["status"] for q in _queue(b)] == ["done"]
        b.locator("#stop-2").get_by_role("button", name="Έγινε").click()
        expect(a.locator("#stop-2")).to_have_attribute("data-status", "done", timeout=3000)
        expect(a.locator("#stop-1")).to_have_attribute("data-status", "done")
        a.reload()
        expect(a.locator("#stops > li")).to_have_count(3)
        expect(a.locator("#stop-1")).to_have_attribute("data-status", "done")
        expect(a.locator("#stop-2")).to_have_attribute("data-status", "done")
        assert a.locator("#stop-1 button.mark, #stop-2 button.mark").count() == 0
        assert sorted(q["status"] for q in _queue(a)) == ["done", "done"]
        assert len({q["visit_id"] for q in _queue(a)}) == 2


def test_a_page_left_open_picks_up_each_new_version(live_driver: dict[str, Any]) -> None:
    """The office publishes while the page stays open with signal: the page shows the new route
    within 5 minutes, at once when the signal returns, and when it is shown again; what the
    driver recorded stays."""
    from playwright.sync_api import expect

    base, app, version = live_driver["url"], live_driver["app"], live_driver["version"]
    engine = app.extensions["kinito_engine"]
    first, _second, last = _route_visits(app, version)
    with _driver_tablet(base, "2026-12-07T08:30:00+02:00") as page:
        stops = page.locator("#stops > li")
        page.locator(f"#stops > li[data-visit='{first}']").get_by_role("button", name="Έφτασα").click()
        second = new_version(engine, version, drop=[last])
        page.clock.run_for(5 * 60 * 1000 + 1000)  # the periodic fetch
        expect(stops).to_have_count(2)
        expect(page.locator(f"#stops > li[data-visit='{first}']")).to_have_attribute("data-status", "arrived")
        third = new_version(engine, second, add=[last])
        page.context.set_offline(True)
        page.context.set_offline(False)  # the signal returns: the queue at once, the route
        page.clock.run_for(6000)  # 5 s later (the link settled)
        expect(stops).to_have_count(3)
        new_version(engine, third, drop=[last])
        page.evaluate(
            "() => { Object.defineProperty(document, 'visibilityState', { value: 'visible',"
            " configurable: true }); document.dispatchEvent(new Event('visibilitychange')); }"
        )
        expect(stops).to_have_count(2)
        expect(page.locator(f"#stops > li[data-visit='{first}']")).to_have_attribute("data-status", "arrived")
        expect(page.locator("#stale-route")).to_be_hidden()


def test_past_midnight_with_signal_the_page_loads_the_new_day(live_driver: dict[str, Any]) -> None:
    """Open since Monday night, with signal: after midnight the page fetches Tuesday's route
    (none for van1) and says «Σήμερα: Τρίτη», never "connect to the network". Offline into
    Wednesday it says to connect; when the signal returns it says it is loading (not to
    connect), then shows Wednesday's route."""
    from playwright.sync_api import expect

    base, app = live_driver["url"], live_driver["app"]
    with _driver_tablet(base, "2026-12-07T23:59:50+02:00") as page:
        texts = page.evaluate(I18N)
        warning = page.locator("#stale-route")
        app.config["TODAY"] = "2026-12-08"
        page.clock.run_for(61_000)  # the minute's check sees the new day
        expect(page.locator("#route-date")).to_have_text("Τρίτη 8 Δεκεμβρίου 2026")
        expect(page.locator("#route-label")).to_have_text("Σήμερα")
        expect(warning).to_be_hidden()
        expect(page.locator("#no-route")).to_be_visible()
        # no empty map box, and Monday's stops are not left on the page (UI walkthrough)
        expect(page.locator("#route-map")).to_be_hidden()
        expect(page.locator("#stops")).to_be_hidden()

        page.context.set_offline(True)
        app.config["TODAY"] = "2026-12-09"
        page.clock.set_fixed_time("2026-12-09T07:30:00+02:00")
        page.clock.run_for(61_000)
        expect(warning).to_contain_text(texts["stale"].split("{")[0])  # no signal: connect
        page.context.set_offline(False)
        expect(warning).to_have_text(texts["loading"])
        page.clock.run_for(6000)
        expect(page.locator("#route-date")).to_have_text("Τετάρτη 9 Δεκεμβρίου 2026")
        expect(warning).to_be_hidden()
        expect(page.locator("#stops > li")).to_have_count(1)
        expect(page.locator("#route-map")).to_be_visible()


def test_a_tablet_with_the_wrong_date_is_told_to_check_it(live_driver: dict[str, Any]) -> None:
    """With signal, the office says Monday and the tablet's clock Tuesday: the warning says to
    check the tablet's date (not to connect to the network) and no outcome can be recorded."""
    from playwright.sync_api import expect

    with _driver_tablet(live_driver["url"], "2026-12-08T08:30:00+02:00") as page:
        texts = page.evaluate(I18N)
        warning = page.locator("#stale-route")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text(texts["check_date"].split("{")[0])
        expect(warning).to_contain_text("Δευτέρα 7 Δεκεμβρίου 2026")
        expect(warning).to_contain_text("Τρίτη 8 Δεκεμβρίου 2026")
        assert texts["stale"].split("{")[0] not in warning.inner_text()
        assert page.locator("#stops button.mark").count() == 0


def _monday_again_on_tuesday(app: Any, version: int) -> None:
    """Van1's Monday route in ``version`` repeated on Tuesday 8 December (the same visits)."""
    with session_scope(app.extensions["kinito_engine"], actor="fixture") as s:
        row = s.get(PlanVersion, version)
        assert row is not None
        plan = json.loads(row.plan_json)
        monday = next(r for r in plan["routes"] if r["unit"] == "unit-1" and r["date"] == TODAY.isoformat())
        tuesday = "2026-12-08"
        plan["routes"] = [r for r in plan["routes"] if (r["unit"], r["date"]) != ("unit-1", tuesday)]
        plan["routes"].append({**monday, "date": tuesday})
        row.plan_json = json.dumps(plan)


def test_an_outcome_of_an_earlier_day_does_not_close_todays_stop(live_driver: dict[str, Any]) -> None:
    """Stop 1 done offline on Monday, sent on Tuesday after Tuesday's route (the same visits)
    loaded: stored on Monday, and Tuesday's stop 1 stays open (arrived, then its buttons)."""
    from playwright.sync_api import expect

    base, app, version = live_driver["url"], live_driver["app"], live_driver["version"]
    first = _route_visits(app, version)[0]
    with _driver_tablet(base, MONDAY_0930) as page:
        context = page.context
        context.set_offline(True)
        page.locator(f"#stops > li[data-visit='{first}']").get_by_role("button", name="Έγινε").click()
        context.route("**/driver/outcomes.json", lambda r: r.fulfill(status=502, body="Bad Gateway"))
        _monday_again_on_tuesday(app, version)
        app.config["TODAY"] = "2026-12-08"
        page.clock.set_fixed_time("2026-12-08T08:00:00+02:00")
        context.set_offline(False)
        page.reload()
        expect(page.locator("#route-date")).to_have_text("Τρίτη 8 Δεκεμβρίου 2026")
        expect(page.locator("#queue-badge")).to_have_attribute("data-count", "1")
        context.unroute("**/driver/outcomes.json")
        page.clock.run_for(16_000)  # the queue's next turn
        expect(page.locator("#queue-badge")).to_have_attribute("data-count", "0", timeout=10_000)
        stop = page.locator(f"#stops > li[data-visit='{first}']")
        stop.get_by_role("button", name="Έφτασα").click()
        expect(stop).to_have_attribute("data-status", "arrived")
        expect(stop.get_by_role("button", name="Έγινε")).to_be_visible()
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = [(r.visit_ref, r.status, r.planned_date) for r in s.scalars(select(VisitOutcome))]
    assert rows == [(first, "done", TODAY)]


def test_logging_out_with_outcomes_unsent_or_refused_asks_first(live_driver: dict[str, Any]) -> None:
    """One outcome refused by the office, one waiting (the server answers 502): «Αποσύνδεση»
    asks first, naming the waiting count and the driver who must log in again and listing
    the refused one; declined, nothing happens; accepted, the session ends, the queue stays
    on the tablet and the refused list goes."""
    from playwright.sync_api import expect

    base, app, version = live_driver["url"], live_driver["app"], live_driver["version"]
    first = _route_visits(app, version)[0]

    def answer(route: Any) -> None:
        if (route.request.post_data_json or {}).get("visit_id") == first:
            route.fulfill(status=422, json={"ok": False, "error": "Δοκιμαστική άρνηση."})
        else:
            route.fulfill(status=502, body="Bad Gateway")

    with _driver_tablet(base, MONDAY_0930) as page:
        page.context.route("**/driver/outcomes.json", answer)
        texts = page.evaluate(I18N)
        stops = page.locator("#stops > li")
        stops.nth(0).get_by_role("button", name="Έγινε").click()
        expect(page.locator("#rejected")).to_be_visible()
        stops.nth(1).get_by_role("button", name="Έγινε").click()
        expect(page.locator("#queue-badge")).to_have_attribute("data-count", "1")
        asked: list[str] = []
        replies = [False, True]
        page.on("dialog", lambda d: (asked.append(d.message), d.accept() if replies.pop(0) else d.dismiss()))
        page.locator("#logout").click()
        page.wait_for_timeout(300)
        assert len(asked) == 1, "no question before logging out with outcomes unsent"
        assert page.url == f"{base}/driver/"
        assert texts["logout_unsent"].replace("{n}", "1").replace("{user}", DRIVER) in asked[0]
        assert "Δοκιμαστική άρνηση." in asked[0] and texts["rejected"] in asked[0]
        page.locator("#logout").click()
        page.wait_for_url(f"{base}/login")
        assert len(asked) == 2
        assert len(_queue(page)) == 1  # sent at the next log-in of the same driver
        assert page.evaluate(f"() => localStorage.getItem('{REJECTED}')") is None


def test_a_request_that_never_answers_does_not_stall_the_queue(live_driver: dict[str, Any]) -> None:
    """The outcome's POST hangs (a dead mobile link): after 20 s it is given up, and the next
    turn sends it once the link works."""
    from playwright.sync_api import expect

    hung: list[Any] = []
    sent: list[Any] = []

    def first_hangs(route: Any) -> None:
        if hung:
            sent.append(route)
            route.continue_()
        else:
            hung.append(route)  # never answered

    with _driver_tablet(live_driver["url"], MONDAY_0930) as page:
        page.context.route("**/driver/outcomes.json", first_hangs)
        page.locator("#stops > li").nth(0).get_by_role("button", name="Έγινε").click()
        for _ in range(50):
            if hung:
                break
            page.wait_for_timeout(100)
        assert hung, "the outcome was never sent"
        page.clock.run_for(21_000)  # the request's time is up
        page.clock.run_for(16_000)  # the queue's next turn
        expect(page.locator("#queue-badge")).to_have_attribute("data-count", "0", timeout=10_000)
    assert (len(hung), len(sent)) == (1, 1)


def test_refused_outcomes_show_day_and_note_and_can_be_cleared(live_driver: dict[str, Any]) -> None:
    """The office refuses an outcome: the list names its day, time, note and reason; one
    refused three weeks ago is no longer listed (nor kept); «seen» clears the list."""
    from playwright.sync_api import expect

    old = {"client_ref": "old-1234", "visit_id": "cp-9", "visit_name": "Παλιά Επίσκεψη", "status": "done",
           "note": "", "time": "10:00", "date": "2026-11-16", "plan_version_id": 1, "error": "παλιό",
           "rejected_at": "2026-11-16"}  # fmt: skip
    with _driver_tablet(live_driver["url"], MONDAY_0930) as page:
        page.evaluate("([k, v]) => localStorage.setItem(k, v)", [REJECTED, json.dumps([old])])
        page.context.route(
            "**/driver/outcomes.json",
            lambda r: r.fulfill(status=422, json={"ok": False, "error": "Δοκιμαστική άρνηση."}),
        )
        stop = page.locator("#stops > li").nth(0)
        name = stop.locator(".stop-name").inner_text()
        stop.locator(".stop-note").fill("Άφησα σημείωμα.")
        stop.get_by_role("button", name="Έγινε").click()
        box = page.locator("#rejected")
        expect(box).to_be_visible()
        item = box.locator("li.rejected-item")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("7/12")
        expect(item).to_contain_text("09:30")
        expect(item).to_contain_text(name)
        expect(item).to_contain_text("«Άφησα σημείωμα.»")
        expect(item).to_contain_text("Δοκιμαστική άρνηση.")
        kept = json.loads(page.evaluate(f"() => localStorage.getItem('{REJECTED}')"))
        assert [r["client_ref"] for r in kept] != [old["client_ref"]] and len(kept) == 1
        box.locator("button.dismiss-rejected").click()
        expect(box).to_be_hidden()
        assert page.evaluate(f"() => localStorage.getItem('{REJECTED}')") is None


def test_a_typed_note_survives_redraws_and_a_reload(live_driver: dict[str, Any]) -> None:
    """A note typed at stop 1 stays after «Έφτασα»; one typed at stop 3 stays when stop 2 is
    recorded; both after a reload; recorded with its outcome, then gone."""
    from playwright.sync_api import expect

    with _driver_tablet(live_driver["url"], MONDAY_0930) as page:
        page.context.set_offline(True)
        stops = page.locator("#stops > li")
        stops.nth(0).locator(".stop-note").fill("Χρειάζεται συνοδεία.")
        stops.nth(0).get_by_role("button", name="Έφτασα").click()
        expect(stops.nth(0)).to_have_attribute("data-status", "arrived")
        expect(stops.nth(0).locator(".stop-note")).to_have_value("Χρειάζεται συνοδεία.")
        stops.nth(2).locator(".stop-note").fill("Σημείωση για τη στάση 3")
        stops.nth(1).get_by_role("button", name="Έγινε").click()
        expect(stops.nth(1)).to_have_attribute("data-status", "done")
        expect(stops.nth(2).locator(".stop-note")).to_have_value("Σημείωση για τη στάση 3")
        expect(stops.nth(0).locator(".stop-note")).to_have_value("Χρειάζεται συνοδεία.")
        page.reload()
        expect(stops.nth(2).locator(".stop-note")).to_have_value("Σημείωση για τη στάση 3")
        stops.nth(0).get_by_role("button", name="Έγινε").click()
        expect(stops.nth(0)).to_have_attribute("data-status", "done")
        first = stops.nth(0).get_attribute("data-visit")
        assert [q["note"] for q in _queue(page) if q["visit_id"] == first] == ["Χρειάζεται συνοδεία."]
        page.reload()
        expect(stops.nth(2).locator(".stop-note")).to_have_value("Σημείωση για τη στάση 3")


def test_a_tablet_left_on_utc_records_the_time_in_athens(live_driver: dict[str, Any]) -> None:
    """The tablet's time zone set to UTC, its clock right: «Έγινε» tapped at 10:10 Athens
    (08:10 UTC) is stored as 10:10 Athens, and today is still today; before, the tablet sent
    its own clock's «08:10» and the office read 08:10 Athens, two hours early."""
    from playwright.sync_api import expect

    base, app, version = live_driver["url"], live_driver["app"], live_driver["version"]
    first = _route_visits(app, version)[0]
    with _driver_tablet(base, "2026-12-07T08:10:00Z", timezone_id="UTC") as page:
        stop = page.locator(f"#stops > li[data-visit='{first}']")
        stop.get_by_role("button", name="Έγινε").click()
        expect(page.locator("#queue-badge")).to_have_attribute("data-count", "0", timeout=10_000)
    with session_scope(app.extensions["kinito_engine"]) as s:
        (row,) = s.scalars(select(VisitOutcome)).all()
    at = row.occurred_at if row.occurred_at.tzinfo else row.occurred_at.replace(tzinfo=UTC)
    assert at.astimezone(ZoneInfo("Europe/Athens")).strftime("%Y-%m-%d %H:%M") == "2026-12-07 10:10"


def test_the_bases_name_is_shown_as_text_not_html(live_driver: dict[str, Any]) -> None:
    """The base's tooltip takes the name as text: a name with markup (a unit's base given on the
    command line) shows its characters, and adds no element."""
    from playwright.sync_api import expect

    app, version = live_driver["app"], live_driver["version"]
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(PlanVersion, version)
        assert row is not None and row.problem_json
        problem = json.loads(row.problem_json)
        bases = {unit["base"] for unit in problem["units"]}
        for place in problem["locations"]:
            if place["id"] in bases:
                place["name"] = '<img src=x id="injected">Βάση'
        row.problem_json = json.dumps(problem, ensure_ascii=False)
    with _driver_tablet(live_driver["url"], MONDAY_0930) as page:
        page.evaluate("() => document.querySelector('.base-pin').dispatchEvent("
                      "new MouseEvent('mouseover', {bubbles: true}))")  # fmt: skip
        tip = page.locator(".leaflet-tooltip")
        expect(tip).to_contain_text('<img src=x id="injected">Βάση')
        assert page.locator("#injected").count() == 0


def test_the_header_buttons_are_touch_targets_well_apart(live_driver: dict[str, Any]) -> None:
    """On the tablet «Σήμερα», «EN» and «Αποσύνδεση» are at least 56 px, as every button of
    the route, and «EN» and «Αποσύνδεση» far enough apart (UI walkthrough: 30 px tall, 14 px
    apart, a mis-tap logged the driver out)."""
    with _driver_tablet(live_driver["url"], MONDAY_0930) as page:
        boxes = {
            name: page.locator(selector).bounding_box()
            for name, selector in (
                ("today", "header.top nav a"),
                ("language", "header.top button[name=lang]"),
                ("logout", "#logout"),
            )
        }
        for name, box in boxes.items():
            assert box is not None and box["height"] >= 56 and box["width"] >= 56, (name, box)
        gap = boxes["logout"]["x"] - (boxes["language"]["x"] + boxes["language"]["width"])
        assert gap >= 24, gap


def test_the_day_shows_when_to_leave_the_break_and_when_back(live_driver: dict[str, Any]) -> None:
    """A reviewer's walkthrough (eighteenth session): the tablet showed the stops but not when
    to leave the base, when to take the legal break, or when the van is due back (the route
    sheet had them). Now the day's frame heads the list, and the break sits after its stop."""
    from playwright.sync_api import expect

    app, version = live_driver["app"], live_driver["version"]
    with session_scope(app.extensions["kinito_engine"], actor="fixture") as s:
        row = s.get(PlanVersion, version)
        assert row is not None
        plan = json.loads(row.plan_json)
        route = next(r for r in plan["routes"] if r["unit"] == "unit-1" and r["date"] == "2026-12-07")
        steps = route["steps"]
        assert [x["type"] for x in steps].count("visit") == 3 and "break" not in [x["type"] for x in steps]
        first_end = steps[1]["end"]  # a half-hour break after the first stop, as a longer day has
        steps.insert(
            2, {"type": "break", "start": first_end, "end": _plus_minutes(first_end, 30), "after_stop": 1}
        )
        row.plan_json = json.dumps(plan, ensure_ascii=False)
        depart, arrive = route["depart"][:5], route["arrive"][:5]
    with _driver_tablet(live_driver["url"], MONDAY_0930) as page:
        frame = page.locator("#day-times")
        expect(frame).to_be_visible()
        text = frame.inner_text()
        assert f"Αναχώρηση από τη βάση {depart}" in text and f"Επιστροφή στη βάση {arrive}" in text
        breaks = f"Διάλειμμα {first_end[:5]}–{_plus_minutes(first_end, 30)[:5]}"
        assert breaks in text
        stops = page.locator("#stops > li")
        expect(stops).to_have_count(3)  # the break is no stop of its own
        assert stops.nth(0).locator(".stop-break").inner_text() == f"{breaks} · μετά από αυτή τη στάση"
        assert page.locator("#stops .stop-break").count() == 1


def _plus_minutes(hhmmss: str, minutes: int) -> str:
    h, m, s = (int(x) for x in hhmmss.split(":"))
    total = h * 60 + m + minutes
    return f"{total // 60:02d}:{total % 60:02d}:{s:02d}"
