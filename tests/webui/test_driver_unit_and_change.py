"""The driver's tablet, from the eighteenth session's walkthrough: outcomes of a route held on
the tablet when the office has since moved the account to another unit (or taken it off); an
outcome the driver changes (a mis-tap, or not at home at 09:10 and found at 13:00); a session
that ended overnight; the unit's name in the heading of a page left open."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from field_helpers import TODAY, TODAY_STOPS, publish_week
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from test_driver_browser import _driver_tablet
from webui_helpers import COORDINATOR, DRIVER, live_server, login, post

from planner.register.db import session_scope
from planner.register.models import AuditLog, Unit, User, VisitOutcome, superseded_outcome
from webui import create_app
from webui.security import hash_password

I18N = "() => JSON.parse(document.getElementById('driver-i18n').textContent)"
QUEUE = f"() => JSON.parse(localStorage.getItem('kinito.driver.queue.{DRIVER}') || '[]')"


@pytest.fixture
def published(register_template: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The app (test client) on a register with week 2026-W50 published, Monday as today."""
    db = tmp_path / "register.sqlite3"
    version = publish_week(register_template, db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": TODAY.isoformat()})  # fmt: skip
    yield {"app": app, "version": version}
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()


def _driver(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, DRIVER).status_code == 302
    return client


def _send(client: FlaskClient, **fields: Any) -> Any:
    token = str(client.get("/driver/token.json").get_json()["csrf"])
    body: dict[str, Any] = {"client_ref": str(uuid.uuid4()), "visit_id": TODAY_STOPS[0], "status": "done",
                            "note": "", "time": "09:50", "date": TODAY.isoformat()}  # fmt: skip
    body.update(fields)
    return client.post("/driver/outcomes.json", json=body, headers={"X-CSRFToken": token})


def _move_driver(app: Flask, unit_id: int | None) -> int:
    """The office moves the driver's account to ``unit_id`` (a new unit "car2" when 0); its id."""
    with session_scope(app.extensions["kinito_engine"]) as s:
        if unit_id == 0:
            car = Unit(name="car2", base_name="Αίγιο", base_lat=38.25, base_lon=22.08)
            s.add(car)
            s.flush()
            unit_id = car.id
        user = s.scalars(select(User).where(User.username == DRIVER)).one()
        user.unit_id = unit_id
        user_id = user.id
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.scalars(
            select(AuditLog).where(AuditLog.entity == "users", AuditLog.entity_id == str(user_id))
            .order_by(AuditLog.id.desc())
        ).first()  # fmt: skip
        assert row is not None and (row.after or {}).get("unit_id") == unit_id
        # on the route's day (the machine's clock is not the app's TODAY), in the order made
        row.at = datetime.combine(TODAY, time(13, 0), tzinfo=UTC) + timedelta(seconds=row.id)
    return unit_id or 0


def _rows(app: Flask) -> list[tuple[str, str, int | None]]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = s.scalars(select(VisitOutcome).order_by(VisitOutcome.occurred_at, VisitOutcome.id))
        return [(r.visit_ref, r.status, r.plan_version_id) for r in rows]


def test_outcomes_of_the_route_held_are_kept_after_the_office_moves_the_driver(
    published: dict[str, Any],
) -> None:
    """Monday's outcomes recorded offline on van1's route; the office then moves the account to
    another unit (the van in the garage), or takes it off: sent later, they were refused (403)
    and the visits done counted as not done. With the route the tablet held (its version and
    unit), they are stored against it. Without that proof (an old tablet's item with no unit,
    no version, a visit not on that route, a version never published) still refused."""
    app, version = published["app"], published["version"]
    driver = _driver(app)
    van = driver.get("/driver/today.json").get_json()
    assert van["unit_id"] == 1 and van["plan_version_id"] == version
    _move_driver(app, 0)
    held = {"plan_version_id": version, "unit_id": 1}
    assert _send(driver, visit_id=TODAY_STOPS[1], status="not_at_home").status_code == 403  # no proof
    assert _send(driver, visit_id=TODAY_STOPS[1], unit_id=1).status_code == 403  # no version
    answer = _send(driver, visit_id=TODAY_STOPS[1], status="not_at_home", **held)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["on_route"] is True  # van1's route as published
    assert _send(driver, visit_id="cp-2", **held).status_code == 403  # cp-2 is Wednesday's
    _move_driver(app, None)  # taken off any unit
    assert _send(driver, visit_id=TODAY_STOPS[0], **held).status_code == 200
    assert _send(driver, visit_id=TODAY_STOPS[0]).status_code == 403
    assert sorted(_rows(app)) == sorted(
        [(TODAY_STOPS[1], "not_at_home", version), (TODAY_STOPS[0], "done", version)]
    )


def test_a_driver_cannot_record_on_a_unit_the_account_never_had(published: dict[str, Any]) -> None:
    """The unit the tablet names counts only if the account had it that day, by the audit log:
    a driver of another unit naming van1 and the published version (which any tablet knows)
    could record on van1's visits, unflagged, and the last outcome counts (a review)."""
    app, version = published["app"], published["version"]
    with session_scope(app.extensions["kinito_engine"], actor="admin") as s:
        car = Unit(name="car2", base_name="Αίγιο", base_lat=38.25, base_lon=22.08)
        s.add(car)
        s.flush()
        s.add(User(username="other", display_name="Άλλος Ο.", role="driver", unit_id=car.id,
                   password_hash=hash_password("long enough password")))  # fmt: skip
    other = app.test_client()
    assert login(other, "other", "long enough password").status_code == 302
    spoof = _send(other, visit_id=TODAY_STOPS[0], status="cancelled", plan_version_id=version, unit_id=1)
    assert spoof.status_code == 403
    assert _rows(app) == []


def test_the_driver_changes_an_outcome_and_the_last_one_counts(
    register_template: Path, tmp_path: Path
) -> None:
    """«Έγινε» tapped on the wrong stop, and «δεν βρέθηκε στο σπίτι» at 09:10 then found at
    13:00: the stop had no buttons once recorded. Now «Αλλαγή» opens it again (the recorded
    outcome said, its own button left out, «Να μείνει όπως ήταν» closes it unchanged); the new
    outcome is a new row, the last one counts, offline too, and a reload shows the last."""
    from playwright.sync_api import expect

    db = tmp_path / "register.sqlite3"
    version = publish_week(register_template, db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"),
                      "TODAY": TODAY.isoformat()})  # fmt: skip
    with live_server(app) as base, _driver_tablet(base, "2026-12-07T09:10:00+02:00") as page:
        texts = page.evaluate(I18N)
        first = page.locator(f"#stops > li[data-visit='{TODAY_STOPS[0]}']")
        first.get_by_role("button", name="Δεν βρέθηκε στο σπίτι").click()
        expect(first).to_have_attribute("data-status", "not_at_home")
        page.wait_for_function(f"() => ({QUEUE})().length === 0")
        keep_as_is = first.get_by_role("button", name=texts["change"])
        keep_as_is.click()
        expect(first.locator(".changing")).to_contain_text("Δεν βρέθηκε στο σπίτι")
        assert first.get_by_role("button", name="Δεν βρέθηκε στο σπίτι").count() == 0
        first.get_by_role("button", name=texts["keep"]).click()
        expect(first.get_by_role("button", name=texts["change"])).to_be_visible()
        assert len(_rows(app)) == 1

        page.context.set_offline(True)
        page.clock.set_fixed_time("2026-12-07T13:00:00+02:00")
        first.get_by_role("button", name=texts["change"]).click()
        first.get_by_role("button", name="Έγινε").click()
        expect(first).to_have_attribute("data-status", "done")
        expect(first.locator(".stop-result")).to_contain_text("13:00")
        assert len(page.evaluate(QUEUE)) == 1
        page.context.set_offline(False)
        page.wait_for_function(f"() => ({QUEUE})().length === 0", timeout=30_000)
        assert _rows(app) == [(TODAY_STOPS[0], "not_at_home", version), (TODAY_STOPS[0], "done", version)]
        page.reload()
        expect(first).to_have_attribute("data-status", "done")
        expect(first.locator(".stop-result")).to_contain_text("13:00")
    with session_scope(app.extensions["kinito_engine"]) as s:
        counted = list(s.scalars(select(VisitOutcome.status).where(~superseded_outcome())))
    assert counted == ["done"]  # as the week builder and management count it
    app.extensions["kinito_jobs"].stop_all()


def test_a_session_ended_overnight_asks_for_a_log_in_at_once(live_driver: dict[str, Any]) -> None:
    """The page left open on Monday; the session ends overnight; Tuesday 07:30 with signal.
    The service worker answered the 401 with Monday's kept copy, so the page said to connect
    to the network (or «loading» for ever) and offered no log-in for up to ten minutes. Now it
    says the session has ended and shows the log-in at the first fetch."""
    from playwright.sync_api import expect

    base, app = live_driver["url"], live_driver["app"]
    with _driver_tablet(base, "2026-12-07T16:00:00+02:00") as page:
        texts = page.evaluate(I18N)
        page.context.clear_cookies()
        app.config["TODAY"] = "2026-12-08"
        page.clock.set_fixed_time("2026-12-08T07:30:00+02:00")
        page.clock.run_for(61_000)  # the minute's check: a new day, fetched
        warning = page.locator("#stale-route")
        expect(page.locator("#login-again")).to_be_visible()
        expect(warning).to_contain_text(texts["login_today"].split("{")[0])
        expect(warning).to_contain_text("Δευτέρα 7 Δεκεμβρίου 2026")
        assert texts["loading"] not in warning.inner_text()
        assert texts["stale"].split("{")[0] not in warning.inner_text()
        assert page.locator("#stops button.mark").count() == 0  # still nothing recorded on Monday's
        page.reload()  # a reload: the log-in page, as before
        expect(page).to_have_url(re.compile(r"/login\?next="))


def test_the_heading_names_the_unit_of_the_route_shown(live_driver: dict[str, Any]) -> None:
    """A page left open while the office renames the unit (or moves the account to another):
    the heading kept the name from when the page was built above the new route's stops."""
    from playwright.sync_api import expect

    base, app = live_driver["url"], live_driver["app"]
    with _driver_tablet(base, "2026-12-07T08:30:00+02:00") as page:
        heading = page.locator("#route-unit")
        with session_scope(app.extensions["kinito_engine"]) as s:
            unit = s.get(Unit, 1)
            assert unit is not None
            old = unit.name
            unit.name = "Βαν Αιγίου (νέο όνομα)"
        expect(heading).to_have_text(old)
        page.clock.run_for(5 * 60 * 1000 + 1000)  # the page's regular refresh
        expect(heading).to_have_text("Βαν Αιγίου (νέο όνομα)")


def test_the_offices_correction_shows_on_the_tablet_that_recorded(live_driver: dict[str, Any]) -> None:
    """The tablet records «not at home» at 09:10; the office corrects it to «done» (the
    correction keeps the outcome's time). The tablet's own mark of the same minute won, and
    it kept showing «not at home» (a review): on the same minute the office's record wins,
    unless the driver changed it here."""
    from playwright.sync_api import expect

    base, app = live_driver["url"], live_driver["app"]
    with _driver_tablet(base, "2026-12-07T09:10:00+02:00") as page:
        first = page.locator(f"#stops > li[data-visit='{TODAY_STOPS[0]}']")
        first.get_by_role("button", name="Δεν βρέθηκε στο σπίτι").click()
        page.wait_for_function(f"() => ({QUEUE})().length === 0")
        with session_scope(app.extensions["kinito_engine"]) as s:
            (oid,) = s.scalars(select(VisitOutcome.id))
        office = app.test_client()
        login(office, COORDINATOR)
        corrected = post(office, f"/desk/outcomes/{oid}/correct", {"status": "done", "note": ""})
        assert corrected.status_code == 302
        page.reload()
        expect(first).to_have_attribute("data-status", "done")


def test_the_note_sent_with_an_outcome_shows_with_it(live_driver: dict[str, Any]) -> None:
    """«Όλα καλά» typed, «Έγινε» tapped: the recorded stop showed the outcome and time but not
    the note, so the driver could not check what was sent. Now it shows, after a reload too
    (from the server), and the map's zoom buttons are as large as the page's other controls."""
    from playwright.sync_api import expect

    base = live_driver["url"]
    with _driver_tablet(base, "2026-12-07T09:10:00+02:00") as page:
        texts = page.evaluate(I18N)
        first = page.locator(f"#stops > li[data-visit='{TODAY_STOPS[0]}']")
        first.get_by_label(texts["note"]).fill("Όλα καλά")
        first.get_by_role("button", name="Έγινε").click()
        expect(first.locator(".stop-result")).to_contain_text("«Όλα καλά»")
        page.wait_for_function(f"() => ({QUEUE})().length === 0")
        page.reload()
        expect(first.locator(".stop-result")).to_contain_text("«Όλα καλά»")
        zoom = page.locator(".leaflet-control-zoom-in").bounding_box()
        assert zoom is not None and zoom["width"] >= 44 and zoom["height"] >= 44
