"""The driver's tablet on emulated devices (a reviewer's walkthrough: 7" tablet, phone, 10"
tablet, 150 % zoom): a weak signal that answers nothing, outcome buttons too close and a
wrong «Έγινε» not undone, a note after the outcome, the next stop screens down, the return
to base not following delays, the map's pins, accessibility and a narrow header. Chromium
driven by Playwright, the app under waitress (tests/webui/conftest.py's ``live_driver``)."""

from __future__ import annotations

import itertools
import time as clock
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from test_driver_browser import _driver_tablet
from test_driver_no_signal import _Gateway
from webui_helpers import DRIVER, login, post

from planner.register.db import session_scope
from planner.register.models import Settlement, VisitOutcome

MONDAY_0930 = "2026-12-07T09:30:00+02:00"
QUEUE = f"() => JSON.parse(localStorage.getItem('kinito.driver.queue.{DRIVER}') || '[]')"
ATHENS = ZoneInfo("Europe/Athens")


def _net(page: Any) -> tuple[str, str]:
    net = page.locator("#net")
    return str(net.get_attribute("data-state")), net.inner_text()


def test_a_signal_that_answers_nothing_opens_the_kept_route_in_seconds(live_driver: dict[str, Any]) -> None:
    """Every request left hanging (a weak signal): the tab stayed blank past 90 s, the service
    worker waiting on the network with no time limit. Now the kept route shows within a few
    seconds, and the header says the office cannot be reached, not «Με σύνδεση»."""
    from playwright.sync_api import expect

    base = live_driver["url"]
    hung: list[Any] = []
    with _driver_tablet(base, MONDAY_0930) as page:
        page.context.route(f"{base}/**", lambda route: hung.append(route))  # never answered
        began = clock.monotonic()
        page.reload(wait_until="commit", timeout=15_000)
        expect(page.locator("#stops > li")).to_have_count(3, timeout=15_000)
        expect(page.locator("#net")).to_have_attribute("data-state", "unreachable", timeout=5_000)
        assert clock.monotonic() - began < 15
        assert hung, "the requests never reached the network"
        assert "Με σύνδεση" not in _net(page)[1]
        page.context.unroute(f"{base}/**")


def test_a_gateway_error_is_not_called_online(live_driver: dict[str, Any]) -> None:
    """The office answered 502: the route came from the kept copy, but the header said
    «Με σύνδεση». Now it says the office cannot be reached, and «Με σύνδεση» again once the
    office answers."""
    from playwright.sync_api import expect

    base, app = live_driver["url"], live_driver["app"]
    gateway = _Gateway(app.wsgi_app)
    app.wsgi_app = gateway
    with _driver_tablet(base, MONDAY_0930) as page:
        expect(page.locator("#net")).to_have_attribute("data-state", "online")
        gateway.down = True
        page.reload()
        expect(page.locator("#stops > li")).to_have_count(3)
        expect(page.locator("#net")).to_have_attribute("data-state", "unreachable")
        assert "Με σύνδεση" not in _net(page)[1]
        gateway.down = False
        page.reload()
        expect(page.locator("#net")).to_have_attribute("data-state", "online")
        assert _net(page)[1] == "Με σύνδεση"


def _athens_rows(app: Any, visit: str) -> list[tuple[str, str, str]]:
    """The visit's outcomes stored: (status, time in Athens, note), in the order recorded."""
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = s.scalars(
            select(VisitOutcome).where(VisitOutcome.visit_ref == visit).order_by(VisitOutcome.id)
        )
        out = []
        for r in rows:
            at = r.occurred_at if r.occurred_at.tzinfo else r.occurred_at.replace(tzinfo=UTC)
            out.append((r.status, at.astimezone(ATHENS).strftime("%H:%M"), r.note or ""))
        return out


def _box(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return dict(box)


def test_outcome_buttons_are_apart_and_a_wrong_done_is_recorded_again(live_driver: dict[str, Any]) -> None:
    """7" tablet (600x960): «Έφτασα», «Έγινε», «Δεν βρέθηκε στο σπίτι», «Ακυρώθηκε» were 8 px
    apart, the call and navigation row 6.4 px above; «Έγινε» tapped instead of «Έφτασα» could
    not be recorded again at the real end («Αλλαγή» offered only the other outcomes). Now
    «Έφτασα» has its own row, the outcomes are at least 16 px apart and well below the
    navigation, and «Αλλαγή» records the same outcome again, the last one counting."""
    from playwright.sync_api import expect

    base, app = live_driver["url"], live_driver["app"]
    with _driver_tablet(base, MONDAY_0930) as page:
        page.set_viewport_size({"width": 600, "height": 960})
        first = page.locator("#stops > li").nth(0)
        arrived = _box(first.get_by_role("button", name="Έφτασα"))
        outcomes = [
            _box(first.get_by_role("button", name=n)) for n in ("Έγινε", "Δεν βρέθηκε στο σπίτι", "Ακυρώθηκε")
        ]
        assert all(o["y"] >= arrived["y"] + arrived["height"] + 16 for o in outcomes), (arrived, outcomes)
        for a, b in itertools.pairwise(outcomes):
            if abs(a["y"] - b["y"]) < 1:  # on one row
                assert b["x"] - (a["x"] + a["width"]) >= 16, (a, b)
            else:
                assert b["y"] - (a["y"] + a["height"]) >= 16, (a, b)
        links = first.locator(".stop-actions a")
        lowest = max(_box(links.nth(k))["y"] + _box(links.nth(k))["height"] for k in range(links.count()))
        assert arrived["y"] - lowest >= 24, (lowest, arrived)

        visit = str(first.get_attribute("data-visit"))
        first.get_by_role("button", name="Έγινε").click()  # meant «Έφτασα»
        expect(first).to_have_attribute("data-status", "done")
        page.clock.set_fixed_time("2026-12-07T10:15:00+02:00")
        first.get_by_role("button", name="Αλλαγή").click()
        first.locator(".record-again").click()
        expect(first.locator(".stop-result")).to_contain_text("10:15")
        page.wait_for_function(f"() => ({QUEUE})().length === 0", timeout=15_000)
        assert page.evaluate(f"() => localStorage.getItem('kinito.driver.rejected.{DRIVER}')") is None
        # recorded anew, later: the register stores it, so that the office counts 10:15 too
        # (the same status without «again» is the same fact: record_outcome)
        assert [(s, t) for s, t, _n in _athens_rows(app, visit)] == [("done", "09:30"), ("done", "10:15")]
        page.reload()
        expect(first.locator(".stop-result")).to_contain_text("10:15")


def test_a_note_goes_above_the_outcomes_and_can_be_added_after(live_driver: dict[str, Any]) -> None:
    """The note box sat under the buttons and went with the tap: the outcome went without the
    note. Now it is above them, and a recorded stop takes a note through «Αλλαγή» (the same
    outcome again, with the note)."""
    from playwright.sync_api import expect

    base, app = live_driver["url"], live_driver["app"]
    with _driver_tablet(base, MONDAY_0930) as page:
        first = page.locator("#stops > li").nth(0)
        assert _box(first.locator(".stop-note"))["y"] < _box(first.get_by_role("button", name="Έφτασα"))["y"]
        assert _box(first.locator(".stop-note"))["y"] < _box(first.get_by_role("button", name="Έγινε"))["y"]
        visit = str(first.get_attribute("data-visit"))
        first.get_by_role("button", name="Δεν βρέθηκε στο σπίτι").click()
        expect(first).to_have_attribute("data-status", "not_at_home")
        page.clock.set_fixed_time("2026-12-07T09:34:00+02:00")
        first.get_by_role("button", name="Αλλαγή").click()
        first.locator(".stop-note").fill("Ο γείτονας λέει: στο νοσοκομείο.")
        first.locator(".record-again").click()
        expect(first.locator(".stop-result")).to_contain_text("στο νοσοκομείο")
        page.wait_for_function(f"() => ({QUEUE})().length === 0", timeout=15_000)
    # the same outcome recorded anew, later, with the note: stored, the last one counting
    assert _athens_rows(app, visit) == [
        ("not_at_home", "09:30", ""),
        ("not_at_home", "09:34", "Ο γείτονας λέει: στο νοσοκομείο."),
    ]


def _in_view(page: Any, locator: Any) -> bool:
    box = _box(locator)
    height = page.viewport_size["height"]
    return bool(box["y"] >= 0 and box["y"] + box["height"] <= height)


def test_the_next_stop_comes_into_view_and_closed_stops_fold(live_driver: dict[str, Any]) -> None:
    """Phone (360x740): at load and after each outcome the next stop's buttons were screens
    down. Now the next stop is brought into view (its heading focused after an outcome), and a
    closed stop folds to one line with «Αλλαγή», its navigation hidden."""
    from playwright.sync_api import expect

    base = live_driver["url"]
    with _driver_tablet(base, MONDAY_0930) as page:
        page.set_viewport_size({"width": 360, "height": 740})
        page.reload()
        stops = page.locator("#stops > li")
        expect(stops).to_have_count(3)
        page.wait_for_timeout(300)
        assert _in_view(page, stops.nth(0).locator(".stop-head")), _box(stops.nth(0))
        opened = _box(stops.nth(0))["height"]
        for k in range(2):
            # a tap from the script: Playwright's own click would scroll the page itself
            stops.nth(k).locator("button.mark-done").evaluate("b => b.click()")
            expect(stops.nth(k)).to_have_attribute("data-status", "done")
            nxt = stops.nth(k + 1)
            assert _in_view(page, nxt.locator(".stop-head")), _box(nxt)
            assert page.evaluate("() => document.activeElement.closest('li').id") == f"stop-{k + 2}"
            assert stops.nth(k).locator(".stop-actions a").count() == 0
            expect(stops.nth(k).get_by_role("button", name="Αλλαγή")).to_be_visible()
            assert _box(stops.nth(k))["height"] < opened / 2, (_box(stops.nth(k)), opened)


def test_the_way_back_follows_the_delays_and_ends_the_list(live_driver: dict[str, Any]) -> None:
    """Stop 1 done an hour late: the stops' expected times moved but «Επιστροφή στη βάση» kept
    the plan's time, and after the last stop nothing led back to the base. Now the return is
    expected later too, and a last entry leads to the base (its navigation links)."""
    from playwright.sync_api import expect

    base = live_driver["url"]
    with _driver_tablet(base, MONDAY_0930) as page:
        doc = page.evaluate(f"() => JSON.parse(localStorage.getItem('kinito.driver.route.{DRIVER}'))")
        end = doc["stops"][0]["end"] + 3600
        page.clock.set_fixed_time(f"2026-12-07T{end // 3600:02d}:{end % 3600 // 60:02d}:00+02:00")
        first = page.locator("#stops > li").nth(0)
        first.get_by_role("button", name="Έγινε").click()
        expect(first).to_have_attribute("data-status", "done")
        planned = f"{doc['arrive'] // 3600:02d}:{doc['arrive'] % 3600 // 60:02d}"
        back = page.locator("#day-times .day-return").inner_text()
        assert back.startswith(f"Επιστροφή στη βάση {planned} → "), back
        later = back.rsplit("→ ", 1)[1]
        assert later > planned
        end_entry = page.locator("#day-end")
        expect(end_entry).to_contain_text(later)
        expect(end_entry).to_contain_text("Επιστροφή στη βάση")
        lat, lon = doc["base"]["lat"], doc["base"]["lon"]
        assert end_entry.locator(f"a[href*='{lat},{lon}']").count() == 3
        for k in (1, 2):
            page.locator("#stops > li").nth(k).get_by_role("button", name="Έγινε").click()
        expect(end_entry).to_have_class("stop day-end next")


def test_map_pins_answer_a_tap_and_stay_apart_and_readable(live_driver: dict[str, Any]) -> None:
    """A pin's tap showed nothing; the base's «⌂» hid under pin 1; the grey of a stop not at
    home, cancelled or postponed was #777 (white on it 4.48:1), one grey for all three; in
    landscape on a phone the map filled the screen. Now a tap opens the stop's number and
    name, the base is spread with the pins, the grey is #666 with a mark per outcome, and the
    map is at most half a landscape phone's height."""
    from playwright.sync_api import expect

    base = live_driver["url"]
    with _driver_tablet(base, MONDAY_0930) as page:
        page.wait_for_selector("#route-map[data-ready='1']")
        name = page.locator("#stops > li").nth(1).locator(".stop-name").inner_text()
        page.locator("#stops > li").nth(0).get_by_role("button", name="Δεν βρέθηκε στο σπίτι").click()
        page.locator("#stops > li").nth(1).get_by_role("button", name="Ακυρώθηκε").click()
        pin = page.locator("#route-map .stop-pin.pin-cancelled")
        pin.click()
        expect(page.locator(".leaflet-popup-content")).to_contain_text(f"2. {name}")
        styles = page.evaluate(
            """() => Array.from(document.querySelectorAll('.pin-not_at_home, .pin-cancelled')).map(e =>
                 [getComputedStyle(e).backgroundColor, e.querySelector('.pin-mark').textContent])"""
        )
        assert [s[0] for s in styles] == ["rgb(102, 102, 102)"] * 2
        assert len({s[1] for s in styles}) == 2
        assert page.locator("#route-map .leaflet-marker-icon[tabindex]").count() == 0  # keyboard: false
        for _ in range(8):
            page.locator("#route-map .leaflet-control-zoom-out").click()
            page.wait_for_timeout(300)
        centres = page.evaluate(
            """() => Array.from(document.querySelectorAll('#route-map .stop-pin')).map(e => {
                 const r = e.getBoundingClientRect();
                 return [r.left + r.width / 2, r.top + r.height / 2]; })"""
        )
        assert len(centres) == 4
        for i, a in enumerate(centres):
            for b in centres[i + 1 :]:
                assert ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 >= 29, centres
        page.set_viewport_size({"width": 740, "height": 360})
        page.wait_for_timeout(300)
        assert _box(page.locator("#route-map"))["height"] <= 360 / 2 + 1


def test_skip_link_status_roles_and_described_buttons(live_driver: dict[str, Any]) -> None:
    """No skip link to the stops; the network state and the queue not announced; the stops'
    buttons named alike («Έγινε» three times) with nothing telling them apart."""
    base = live_driver["url"]
    with _driver_tablet(base, MONDAY_0930) as page:
        skip = page.locator("a.skip-link")
        assert skip.get_attribute("href") == "#stops"
        assert page.locator("#net").get_attribute("role") == "status"
        assert page.locator("#queue-badge").get_attribute("role") == "status"
        second = page.locator("#stops > li").nth(1)
        name = second.locator(".stop-name").inner_text()
        for button in (second.get_by_role("button", name="Έγινε"), second.locator("a.nav-geo")):
            ref = button.get_attribute("aria-describedby")
            assert ref and page.locator(f"#{ref}").inner_text() == name


def test_the_header_wraps_on_a_narrow_screen(live_driver: dict[str, Any]) -> None:
    """At 240 px the header was 303 px wide, «Αποσύνδεση» off the screen."""
    base = live_driver["url"]
    with _driver_tablet(base, MONDAY_0930) as page:
        page.set_viewport_size({"width": 240, "height": 740})
        page.wait_for_timeout(200)
        header = page.evaluate("() => document.querySelector('header.top').scrollWidth")
        assert header <= 240
        logout = _box(page.locator("#logout"))
        assert logout["x"] >= 0 and logout["x"] + logout["width"] <= 240


def test_the_english_page_names_the_places_in_latin_letters_too(live_driver: dict[str, Any]) -> None:
    """On the English page the places were in Greek script only: each stop now carries its
    settlement's name in Latin letters (the gazetteer's name_latin), shown beside the address."""
    client = live_driver["app"].test_client()
    login(client, DRIVER)
    greek = client.get("/driver/today.json").get_json()
    assert all(not s["place_latin"] for s in greek["stops"])  # the Greek page: the Greek names
    post(client, "/language", {"lang": "en", "next": "/driver/"})
    doc = client.get("/driver/today.json").get_json()
    with session_scope(live_driver["app"].extensions["kinito_engine"]) as s:
        latin = set(s.scalars(select(Settlement.name_latin)))
    places = [s["place_latin"] for s in doc["stops"]]
    assert len(places) == 3 and all(p in latin for p in places), places
    assert all(p.isascii() for p in places)
