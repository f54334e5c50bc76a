"""Access and hand-made requests, from a reviewer's findings: the log-in lock under look-alike
spellings of a name, the last active administrator, ``next=`` to another role's page, ids and
notes past what the register holds, 401s as JSON or the app's page, two tablets that disagree
about a stop, and a queued outcome's note kept on the stop once sent."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from field_helpers import TODAY, TODAY_STOPS, publish_week
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from test_driver_browser import _driver_tablet
from webui_helpers import ADMIN, COORDINATOR, DRIVER, PASSWORDS, csrf_token, login, post

import webui.admin
from planner.register.db import session_scope
from planner.register.models import User, VisitOutcome
from webui import create_app
from webui.driver import field_conflicts
from webui.security import hash_password

BIG = "99999999999999999999999"


def _log_in(client: FlaskClient, username: str, password: str, next_page: str = "") -> Any:
    token = csrf_token(client)
    url = f"/login?next={next_page}" if next_page else "/login"
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


# --- 1. the log-in lock ---------------------------------------------------------------------


def test_the_lock_on_a_name_holds_for_its_look_alike_spellings(client: FlaskClient) -> None:
    """Five wrong passwords for «odigos» lock it; «odigoſ» (long s), «ODIGOS» and «odigoﬆ»-like
    spellings reach the same account and meet the same lock, the right password included."""
    for _ in range(5):
        assert _log_in(client, DRIVER, "wrong password").status_code == 401
    assert _log_in(client, DRIVER, PASSWORDS[DRIVER]).status_code == 429
    for spelling in ("odigoſ", "ODIGOS", "Odigoſ"):
        assert _log_in(client, spelling, PASSWORDS[DRIVER]).status_code == 429, spelling


def test_failures_under_look_alike_spellings_count_together(client: FlaskClient) -> None:
    """Failures spread over «syntonistria», «ſyntonistria» and «syntoniﬆria» are one count."""
    spellings = ["syntonistria", "ſyntonistria", "syntoniﬆria", "ſyntoniﬆria", "SYNTONISTRIA"]
    for spelling in spellings:
        assert _log_in(client, spelling, "wrong password").status_code == 401
    assert _log_in(client, "ſyntonistria", "wrong password").status_code == 429
    assert _log_in(client, COORDINATOR, PASSWORDS[COORDINATOR]).status_code == 429


# --- 2. the last active administrator -------------------------------------------------------


def _second_admin(app: Flask) -> int:
    with session_scope(app.extensions["kinito_engine"], actor="fixture") as s:
        other = User(username="admin2", display_name="Δεύτερη Διαχειρίστρια", role="admin", locale="el",
                     password_hash=hash_password("admin2-password"), active=True)  # fmt: skip
        s.add(other)
        s.flush()
        return other.id


def _account(app: Flask, user_id: int) -> User:
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.get(User, user_id)
        assert row is not None
        s.expunge(row)
        return row


def _form(client: FlaskClient, user_id: int, **changes: Any) -> dict[str, Any]:
    """The account's form as the page shows it (its last_change), with ``changes``."""
    html = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    last = re.search(r'name="last_change"[^>]*value="(\d*)"', html) or re.search(
        r'value="(\d*)"[^>]*name="last_change"', html
    )
    assert last is not None
    account = _account(client.application, user_id)
    form = {"username": account.username, "display_name": account.display_name, "role": account.role,
            "locale": account.locale, "unit_id": "", "last_change": last.group(1),
            "password": ""}  # fmt: skip
    if account.active:
        form["active"] = "y"
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


@contextmanager
def _meanwhile(monkeypatch: pytest.MonkeyPatch, app: Flask, user_id: int, **values: Any) -> Iterator[None]:
    """The other administrator's save lands between this request's log-in check and its own
    write transaction: the account ``user_id`` gets ``values`` just before the transaction begins."""
    real = webui.admin.transaction  # type: ignore[attr-defined]

    @contextmanager
    def racing() -> Iterator[Any]:
        with session_scope(app.extensions["kinito_engine"], actor="admin2") as s:
            row = s.get(User, user_id)
            assert row is not None
            for key, value in values.items():
                setattr(row, key, value)
        with real() as s:
            yield s

    monkeypatch.setattr(webui.admin, "transaction", racing)
    yield
    monkeypatch.setattr(webui.admin, "transaction", real)


def _admin_id(app: Flask) -> int:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return int(s.scalars(select(User.id).where(User.username == ADMIN)).one())


@pytest.mark.parametrize("change", [{"active": None}, {"role": "coordinator"}])
def test_two_admins_removing_each_other_leave_one_active(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch, change: dict[str, Any]
) -> None:
    """«admin» deactivates (or demotes) «admin2» while «admin2» has just deactivated «admin»:
    refused with the reason, and «admin2» stays an active administrator."""
    other = _second_admin(app)
    assert login(client, ADMIN).status_code == 302
    form = _form(client, other, **change)
    form["csrf_token"] = csrf_token(client, "/admin/users")
    with _meanwhile(monkeypatch, app, _admin_id(app), active=False):
        response = client.post(f"/admin/users/{other}", data=form)
    assert response.status_code == 200
    text = response.get_data(as_text=True)  # in English until the message's Greek is in the catalogue
    assert "Πρέπει να μείνει τουλάχιστον ένας ενεργός διαχειριστής." in text or (
        "At least one active administrator must remain." in text
    )
    still = _account(app, other)
    assert (still.active, still.role) == (True, "admin")


def test_an_admin_whose_access_ended_meanwhile_saves_nothing(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deactivated by the other administrator while sending a form: the save is refused (403)."""
    other = _second_admin(app)
    assert login(client, ADMIN).status_code == 302
    with session_scope(app.extensions["kinito_engine"]) as s:
        coordinator = int(s.scalars(select(User.id).where(User.username == COORDINATOR)).one())
    form = _form(client, coordinator, display_name="Άλλο όνομα")
    form["csrf_token"] = csrf_token(client, "/admin/users")
    with _meanwhile(monkeypatch, app, _admin_id(app), active=False):
        assert client.post(f"/admin/users/{coordinator}", data=form).status_code == 403
    assert _account(app, coordinator).display_name != "Άλλο όνομα"
    assert _account(app, other).active


def test_a_huge_last_change_is_a_bad_request_not_a_missing_page(client: FlaskClient, app: Flask) -> None:
    """POST /admin/users/<id> with last_change past SQLite's integers: 400, not 404."""
    assert login(client, ADMIN).status_code == 302
    with session_scope(app.extensions["kinito_engine"]) as s:
        coordinator = int(s.scalars(select(User.id).where(User.username == COORDINATOR)).one())
    form = _form(client, coordinator, last_change=BIG)
    response = post(client, f"/admin/users/{coordinator}", form)
    assert response.status_code == 400


# --- 3. next= to another role's page --------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "next_page", "lands"),
    [
        (COORDINATOR, "/admin/users", "/register/beneficiaries"),
        (DRIVER, "/desk/", "/driver/"),
        (ADMIN, "/driver/", "/admin/users"),
        (COORDINATOR, "/desk", "/desk"),  # its own page (slash added by the redirect)
        (COORDINATOR, "/desk/outcomes/2026-W50", "/desk/outcomes/2026-W50"),
        (ADMIN, "/admin/users/new", "/admin/users/new"),
        (COORDINATOR, "/no/such/page", "/register/beneficiaries"),
    ],
)
def test_next_is_followed_only_to_a_page_of_the_new_role(
    client: FlaskClient, username: str, next_page: str, lands: str
) -> None:
    """After log-in ``next`` leads on only when the role may open it; else the role's first page."""
    response = _log_in(client, username, PASSWORDS[username], next_page)
    assert response.status_code == 302
    assert response.headers["Location"] == lands
    assert client.get(lands, follow_redirects=True).status_code == 200


# --- 4, 5, 6: the driver's JSON ----------------------------------------------------------------


@pytest.fixture
def published(register_template: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The app on a register with week 2026-W50 published, Monday 7 December as today."""
    db = tmp_path / "register.sqlite3"
    version = publish_week(register_template, db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": TODAY.isoformat()})  # fmt: skip
    yield {"app": app, "version": version}
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()


def _driver(app: Flask, username: str = DRIVER, password: str | None = None) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, password).status_code == 302
    return client


def _send(client: FlaskClient, **fields: Any) -> Any:
    token = str(client.get("/driver/token.json").get_json()["csrf"])
    body: dict[str, Any] = {"client_ref": str(uuid.uuid4()), "visit_id": TODAY_STOPS[0], "status": "done",
                            "note": "", "time": "09:50", "date": TODAY.isoformat()}  # fmt: skip
    body.update(fields)
    return client.post("/driver/outcomes.json", json=body, headers={"X-CSRFToken": token})


@pytest.mark.parametrize("field", ["plan_version_id", "unit_id"])
def test_a_huge_id_from_the_tablet_is_a_json_refusal(published: dict[str, Any], field: str) -> None:
    """An id past SQLite's integers: JSON 422 naming the route, not the HTML 404 page."""
    driver = _driver(published["app"])
    extra = {"plan_version_id": published["version"]} if field == "unit_id" else {}
    for value in (int(BIG), BIG):
        response = _send(driver, **extra, **{field: value})
        assert response.status_code == 422
        assert response.is_json and response.get_json()["ok"] is False
        assert response.get_json()["error"] == "Η καταγραφή δεν αναφέρει δρομολόγιο."
    assert _send(driver, plan_version_id=published["version"]).status_code == 200  # a real one still goes


def test_a_note_that_is_not_text_is_not_called_too_long(published: dict[str, Any]) -> None:
    """``"note": 123``: refused as not text, not as «too long»."""
    driver = _driver(published["app"])
    response = _send(driver, note=123)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "πολύ μεγάλη" not in error and "too long" not in error
    assert _send(driver, note="x" * 1001).get_json()["error"] != error  # too long is still said so


@pytest.mark.parametrize("path", ["/driver/today.json", "/session/alive", "/driver/token.json"])
def test_no_session_on_a_scripts_address_is_json_401(client: FlaskClient, path: str) -> None:
    """The tablet's data and the keep-alive without a session: 401 as JSON, in Greek."""
    response = client.get(path)
    assert response.status_code == 401
    assert response.is_json and response.get_json()["ok"] is False
    assert "Unauthorized" not in response.get_data(as_text=True)


def test_no_session_on_a_json_post_is_json_401(client: FlaskClient) -> None:
    """An outcome sent after the session ended: JSON 401 (driver.js checks the status)."""
    response = client.post("/driver/outcomes.json", json={}, headers={"Accept": "application/json"})
    assert response.status_code in (400, 401)  # no CSRF token: 400 first, as before
    response = client.get("/driver/routes/1/2026-12-07.json")
    assert response.status_code == 401 and response.is_json


def test_a_page_asked_for_json_without_a_session_is_the_apps_own_401(client: FlaskClient) -> None:
    """An office page fetched as JSON with no session: the app's Greek page, not Werkzeug's."""
    response = client.get("/register/beneficiaries", headers={"Accept": "application/json"})
    assert response.status_code == 401
    text = response.get_data(as_text=True)
    assert "Unauthorized" not in text and "The server could not verify" not in text
    assert 'class="error-message"' in text


def _other_tablet(app: Flask) -> FlaskClient:
    """A second driver account on van1 (the unit's second tablet)."""
    with session_scope(app.extensions["kinito_engine"], actor="fixture") as s:
        first = s.scalars(select(User).where(User.username == DRIVER)).one()
        s.add(User(username="odigos-b", display_name="Δεύτερος Οδηγός", role="driver", unit_id=first.unit_id,
                   locale="el", password_hash=hash_password("odigos-b-password"), active=True))  # fmt: skip
    return _driver(app, "odigos-b", "odigos-b-password")


def _flagged(app: Flask) -> dict[int, str]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return field_conflicts(s, list(s.scalars(select(VisitOutcome))))


def _ids(app: Flask) -> dict[str, int]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return {str(o.client_ref): o.id for o in s.scalars(select(VisitOutcome))}


def test_two_tablets_disagreeing_about_a_stop_are_flagged(published: dict[str, Any]) -> None:
    """Tablet B: not at home at 10:01 (sent at once); tablet A, offline: done at 10:00, sent
    later. Both kept, both flagged with the other's status for the office."""
    app = published["app"]
    a, b = _driver(app), _other_tablet(app)
    assert _send(b, client_ref="ref-b-0001", status="not_at_home", time="10:01").status_code == 200
    assert _send(a, client_ref="ref-a-0001", status="done", time="10:00").status_code == 200
    ids = _ids(app)
    assert _flagged(app) == {ids["ref-a-0001"]: "not_at_home", ids["ref-b-0001"]: "done"}


def test_two_tablets_under_one_account_are_told_apart_by_their_mark(published: dict[str, Any]) -> None:
    """One account on two tablets: the tablets' marks in client_ref tell them apart; the same
    tablet changing its outcome («Αλλαγή») is a correction, never flagged."""
    app = published["app"]
    a = _driver(app)
    ref = "d{}-" + "0" * 8 + "-0000-4000-8000-{}"
    first, changed, other = (
        ref.format("aaaa1111", "0" * 12),
        ref.format("aaaa1111", "1" * 12),
        ref.format("bbbb2222", "2" * 12),
    )
    assert _send(a, client_ref=first, status="done", time="10:00").status_code == 200
    assert _send(a, client_ref=changed, status="not_at_home", time="10:02").status_code == 200
    assert _flagged(app) == {}  # the same tablet changed its mind
    assert _send(a, client_ref=other, status="done", time="10:03").status_code == 200
    ids = _ids(app)
    assert _flagged(app) == {
        ids[changed]: "done",
        ids[other]: "not_at_home",
    }


def test_same_answer_or_hours_apart_is_no_conflict(published: dict[str, Any]) -> None:
    """Two tablets agreeing, or not at home at 09:10 and done at 13:00: nothing flagged."""
    app = published["app"]
    a, b = _driver(app), _other_tablet(app)
    assert _send(a, status="not_at_home", time="09:10").status_code == 200
    assert _send(b, status="done", time="13:00").status_code == 200
    assert _send(a, visit_id=TODAY_STOPS[1], status="done", time="10:00").status_code == 200
    assert _send(b, visit_id=TODAY_STOPS[1], status="done", time="10:01").status_code == 200
    assert _flagged(app) == {}


# --- 7. the note of a queued outcome --------------------------------------------------------


def test_a_queued_outcomes_note_stays_on_the_stop_once_sent(live_driver: dict[str, Any]) -> None:
    """A note and «Έγινε» on the first stop: queued, then sent; drawn again (here: «Έφτασα» at
    the next stop) before the route's next fetch, the stop still shows the note (it vanished:
    the route's copy of the sent outcome, which wins on the same minute, was kept without it).
    The same offline, sent when the signal returns."""
    from playwright.sync_api import expect

    base, app = live_driver["url"], live_driver["app"]
    with _driver_tablet(base, "2026-12-07T09:30:00+02:00") as page:
        stops = page.locator("#stops > li")
        badge = page.locator("#queue-badge")
        for n, offline in ((0, False), (2, True)):
            page.context.set_offline(offline)
            stops.nth(n).locator(".stop-note").fill(f"Ζήτησε φάρμακα {n}.")
            stops.nth(n).get_by_role("button", name="Έγινε").click()
            expect(stops.nth(n).locator(".stop-result")).to_contain_text(f"Ζήτησε φάρμακα {n}.")
            page.context.set_offline(False)
            expect(badge).to_have_attribute("data-count", "0", timeout=25_000)
            for _ in range(100):
                if len(_rows(app)) == n // 2 + 1:  # the first, then the third
                    break
                page.wait_for_timeout(100)
            # drawn again: «Έφτασα», then «Έγινε», at the second stop (no note: nothing to find)
            stops.nth(1).get_by_role("button", name="Έφτασα" if n == 0 else "Έγινε").click()
            expect(stops.nth(1)).to_have_attribute("data-status", "arrived" if n == 0 else "done")
            expect(stops.nth(n).locator(".stop-result")).to_contain_text(f"Ζήτησε φάρμακα {n}.")
        mark = page.evaluate("() => localStorage.getItem('kinito.driver.device')")
        assert mark and len(mark) == 8
    notes = {str(r.note) for r in _rows(app)}
    assert {"Ζήτησε φάρμακα 0.", "Ζήτησε φάρμακα 2."} <= notes
    assert all(str(r.client_ref).startswith(f"d{mark}-") for r in _rows(app))


def _rows(app: Flask) -> list[VisitOutcome]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = list(s.scalars(select(VisitOutcome)))
        s.expunge_all()
        return rows


def test_the_outcomes_page_shows_two_tablets_disagreeing(published: dict[str, Any]) -> None:
    """The office's outcomes page flags both rows with the other tablet's status and warns."""
    app = published["app"]
    a, b = _driver(app), _other_tablet(app)
    assert _send(b, client_ref="ref-b-0002", status="not_at_home", time="10:01").status_code == 200
    assert _send(a, client_ref="ref-a-0002", status="done", time="10:00").status_code == 200
    office = app.test_client()
    assert login(office, COORDINATOR).status_code == 302
    page = office.get("/desk/outcomes/2026-W50").get_data(as_text=True)
    ids = _ids(app)
    for ref, other in (("ref-a-0002", "Δεν βρέθηκε"), ("ref-b-0002", "Έγινε")):
        row = page.split(f'id="outcome-{ids[ref]}"')[1].split("</tr>")[0]
        assert "data-field-conflict" in row and other in row.split("data-field-conflict")[1]
    assert "Δύο τάμπλετ" in page
