"""Two coordinators on the same row (walkthrough scripts t1, t1b, t1c, t1lock, t5): a save over a
change made after the form was shown is refused and shown, not written back; pause and resume
buttons send the state they show; «Αποθηκεύτηκε.» only after the commit, and a database that
refuses the write shows the form again; a care plan keeps its named staff member once inactive."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from webui_helpers import ADMIN, COORDINATOR, login, post

from planner.register.db import session_scope
from planner.register.models import AuditLog, Beneficiary, CarePlan, Staff, Unit, VillageStop
from webui.demo_users import DEMO_USERS

Fields = list[tuple[str, str]]
NAMES = {username: name for username, _role, _password, name in DEMO_USERS}


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


class _FormReader(HTMLParser):
    """The fields of each form of a page as a browser sends them: inputs (ticked boxes only),
    the selected option of each select (else the first), text areas."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Fields] = []
        self._select: list[str | None] | None = None
        self._area: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.forms[-1].append((str(a["name"]), a.get("value") or ("y" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = [a.get("name"), None, None]
        elif tag == "option" and self._select is not None:
            if self._select[2] is None:
                self._select[2] = a.get("value")
            if "selected" in a:
                self._select[1] = a.get("value")
        elif tag == "textarea":
            self._area = [str(a.get("name")), ""]

    def handle_data(self, data: str) -> None:
        if self._area is not None:
            self._area[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            name, chosen, first = self._select
            self.forms[-1].append((str(name), chosen if chosen is not None else first or ""))
            self._select = None
        elif tag == "textarea" and self._area is not None:
            text = self._area[1]  # a browser drops the line break that opens a text area
            self.forms[-1].append(
                (self._area[0], text[2:] if text.startswith("\r\n") else text.removeprefix("\n"))
            )
            self._area = None


def _form(client: FlaskClient, url: str) -> Fields:
    """The page's edit form as the browser would send it."""
    return _form_of(_text(client.get(url)))


def _form_of(html: str) -> Fields:
    """The edit form of a page: its largest (the others are buttons)."""
    reader = _FormReader()
    reader.feed(html)
    return max(reader.forms, key=len)


def _set(fields: Fields, name: str, value: str | None) -> Fields:
    """The fields with ``name`` set to ``value`` (None: a box unticked, the field left out)."""
    out = [(k, v) for k, v in fields if k != name]
    return out if value is None else [*out, (name, value)]


def _send(client: FlaskClient, url: str, fields: Fields) -> Any:
    data: dict[str, list[str]] = {}
    for k, v in fields:
        data.setdefault(k, []).append(v)
    return client.post(url, data=data)


def _flashes(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", m).strip() for m in re.findall(r'class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)
    ]


@pytest.fixture
def second(app: Flask) -> FlaskClient:
    """Another coordinator's browser (the same account, as on the office's two PCs)."""
    client = app.test_client()
    assert login(client, COORDINATOR).status_code == 302
    return client


def _english(*clients: FlaskClient) -> None:
    """The messages added with this check have no Greek yet in the catalogue: read them in English."""
    for client in clients:
        post(client, "/language", {"lang": "en"})


def _row(app: Flask, model: type[Any], key: int) -> Any:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return s.get(model, key)


# --- 1. a save over a later change ----------------------------------------------------------


def test_a_save_over_a_later_change_is_refused_and_keeps_both(
    coordinator: FlaskClient, second: FlaskClient, app: Flask
) -> None:
    """Walkthrough t1: A changes the phone and notes, B (form opened before) the address. B's save
    wrote every field back, A's phone and notes undone. Now B's save is refused (409), nothing
    written; the page says who changed it and when, lists A's fields with their stored value and
    fills them in; B's address stays; saving again keeps both changes."""
    _english(coordinator, second)
    url = "/register/beneficiaries/1"
    fields_a, fields_b = _form(coordinator, url), _form(second, url)
    changed = _set(_set(fields_a, "phone", "6900000001"), "notes", "Κλειδί στον γείτονα")
    assert _send(coordinator, url, changed).status_code == 302
    audits = len(_audit_rows(app))
    response = _send(second, url, _set(fields_b, "address", "Οδός Β 5"))
    assert response.status_code == 409
    page = _text(response)
    person = _row(app, Beneficiary, 1)
    assert (person.phone, person.notes, person.address) == (
        "+306900000001",
        "Κλειδί στον γείτονα",
        "Μητροπόλεως 3",
    )
    assert len(_audit_rows(app)) == audits
    at = _audit_rows(app)[-1].at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Athens"))
    assert f"changed by {NAMES[COORDINATOR]} at {at:%H:%M}, after you opened the form" in page
    assert "Αποθηκεύτηκε" not in page and "Saved." not in page
    taken = page[page.index('id="conflict-taken"') : page.index("</dl>", page.index('id="conflict-taken"'))]
    assert "6900000001" in taken and "Κλειδί στον γείτονα" in taken and "Οδός Β 5" not in taken
    again = _form_of(page)
    assert dict(again)["address"] == "Οδός Β 5" and dict(again)["phone"] == "+306900000001"
    assert _send(second, url, again).status_code == 302
    person = _row(app, Beneficiary, 1)
    assert (person.phone, person.notes, person.address) == (
        "+306900000001",
        "Κλειδί στον γείτονα",
        "Οδός Β 5",
    )


def _audit_rows(app: Flask) -> list[AuditLog]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return list(s.scalars(select(AuditLog).order_by(AuditLog.id)))


def test_both_changing_the_same_field_is_shown_and_the_form_keeps_yours(
    coordinator: FlaskClient, second: FlaskClient, app: Flask
) -> None:
    """A and B both change the phone: B is told the stored one (A's), the form keeps B's; a change
    by another account is named by the account's name; the same edit twice is no conflict."""
    _english(second)
    url = "/register/beneficiaries/2"
    fields_b = _form(second, url)
    with session_scope(app.extensions["kinito_engine"], actor=ADMIN) as s:
        person = s.get(Beneficiary, 2)
        assert person is not None
        person.phone = "6900000002"
    response = _send(second, url, _set(fields_b, "phone", "6900000003"))
    assert response.status_code == 409
    page = _text(response)
    assert f"changed by {NAMES[ADMIN]} at " in page
    clashes = page[page.index('id="conflict-clashes"') :]
    assert "6900000002" in clashes[: clashes.index("</dl>")]
    assert dict(_form_of(page))["phone"] == "6900000003"
    assert _row(app, Beneficiary, 2).phone == "6900000002"
    # the same edit as the other's: saving it undoes nothing, so it is saved
    fields_b = _form(second, url)
    with session_scope(app.extensions["kinito_engine"], actor=ADMIN) as s:
        person = s.get(Beneficiary, 2)
        assert person is not None
        person.address = "Πλατεία 1"
    assert _send(second, url, _set(fields_b, "address", "Πλατεία 1")).status_code == 302


@pytest.mark.parametrize(
    ("url", "edit_a", "edit_b", "model", "key", "check"),
    [
        # t1b: A pauses the plan (unticks «active») and lengthens it; B changes its hours
        ("/register/beneficiaries/1/plans/1", {"active": None, "duration_min": "90"},
         {"time_windows": "09:00-12:00"}, CarePlan, 1,
         lambda r: (r.status, r.duration_min, r.time_windows) == ("paused", 90, [["09:00", "12:00"]])),
        # A: the staff member left; B changes her hours
        ("/register/staff/1", {"active": None}, {"day_end": "15:00"}, Staff, 1,
         lambda r: (r.active, r.day_end.hour) == (False, 15)),
        # A: the unit out of service; B changes its seats
        ("/register/units/1", {"active": None}, {"capacity": "3"}, Unit, 1,
         lambda r: (r.active, r.capacity) == (False, 3)),
        # A: the stop inactive; B renames its place
        ("/register/stops/1", {"active": None}, {"place": "Καφενείο"}, VillageStop, 1,
         lambda r: (r.active, r.place) == (False, "Καφενείο")),
    ],
)  # fmt: skip
def test_every_register_form_refuses_to_undo_a_later_change(
    coordinator: FlaskClient,
    second: FlaskClient,
    app: Flask,
    url: str,
    edit_a: dict[str, str | None],
    edit_b: dict[str, str],
    model: type[Any],
    key: int,
    check: Any,
) -> None:
    """Walkthrough t1b, for care plans, staff, units and stops: B's stale save is refused and
    changes nothing (A's pause or deactivation stays); B's second save, from the page shown
    with the conflict, keeps both."""
    fields_a, fields_b = _form(coordinator, url), _form(second, url)
    for name, value in edit_a.items():
        fields_a = _set(fields_a, name, value)
    assert _send(coordinator, url, fields_a).status_code == 302
    after_a = _row(app, model, key)
    for name, value in edit_b.items():
        fields_b = _set(fields_b, name, value)
    response = _send(second, url, fields_b)
    assert response.status_code == 409 and 'id="conflict"' in _text(response)
    assert _same(_row(app, model, key), after_a)
    assert _send(second, url, _form_of(_text(response))).status_code == 302
    assert check(_row(app, model, key))


def _same(a: Any, b: Any) -> bool:
    keys = [c.key for c in a.__mapper__.column_attrs]
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def test_a_page_from_before_the_check_is_held_to_its_own_time(
    coordinator: FlaskClient, second: FlaskClient, app: Flask
) -> None:
    """A form without ``last_change`` (shown before this version): a change made after the page
    was shown (its CSRF token's time) is a conflict; the same form shown after the change saves."""
    url = "/register/beneficiaries/1"
    fields_b = [(k, v) for k, v in _form(second, url) if k != "last_change"]
    assert _send(coordinator, url, _set(_form(coordinator, url), "phone", "6900000004")).status_code == 302
    _later(app, "beneficiaries", "1")
    response = _send(second, url, _set(fields_b, "address", "Οδός Γ 7"))
    assert response.status_code == 409 and _row(app, Beneficiary, 1).phone == "+306900000004"
    fields_b = [(k, v) for k, v in _form(second, url) if k != "last_change"]  # shown after the change
    assert _send(second, url, _set(fields_b, "address", "Οδός Γ 7")).status_code == 302
    person = _row(app, Beneficiary, 1)
    assert (person.phone, person.address) == ("+306900000004", "Οδός Γ 7")


def _later(app: Flask, entity: str, key: str) -> None:
    """Move the row's newest audit entry 2 s on: a change made clearly after the page was shown
    (a CSRF token's time is to the second)."""
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.scalars(
            select(AuditLog)
            .where(AuditLog.entity == entity, AuditLog.entity_id == key)
            .order_by(AuditLog.id.desc())
        ).first()
        assert row is not None
        row.at = row.at.replace(tzinfo=UTC) + timedelta(seconds=2)


# --- 2. pause and resume buttons say what they do ---------------------------------------------


def test_pause_buttons_send_the_state_they_show(
    coordinator: FlaskClient, second: FlaskClient, app: Flask
) -> None:
    """Walkthrough t1c: B's «Παύση» on a page shown before A paused the plan resumed it. Each
    button now sends its state; the state already there is left, and said."""
    _english(second)
    page = _text(second.get("/register/beneficiaries/1"))
    assert "/register/beneficiaries/1/plans/1/pause?to=paused" in page
    assert "/register/beneficiaries/1/pause?to=paused" in page
    assert post(coordinator, "/register/beneficiaries/1/plans/1/pause?to=paused").status_code == 302
    assert post(coordinator, "/register/beneficiaries/1/pause?to=paused").status_code == 302
    response = post(second, "/register/beneficiaries/1/plans/1/pause?to=paused", follow_redirects=True)
    assert "This care plan is already paused: nothing was changed." in _flashes(_text(response))
    response = post(second, "/register/beneficiaries/1/pause?to=paused", follow_redirects=True)
    assert "This person is already paused: nothing was changed." in _flashes(_text(response))
    assert _row(app, CarePlan, 1).status == "paused" and not _row(app, Beneficiary, 1).active
    page = _text(second.get("/register/beneficiaries/1"))
    assert "/plans/1/pause?to=active" in page and "/register/beneficiaries/1/pause?to=active" in page
    post(second, "/register/beneficiaries/1/plans/1/pause?to=active")
    post(second, "/register/beneficiaries/1/pause?to=active")
    assert _row(app, CarePlan, 1).status == "active" and _row(app, Beneficiary, 1).active


def test_a_toggle_from_an_old_page_does_not_undo_a_later_change(
    coordinator: FlaskClient, second: FlaskClient, app: Flask
) -> None:
    """A button without ``to`` (a page shown before this version) toggled: after a change made
    since that page was shown it changes nothing and says the page was out of date."""
    _english(second)
    token = re.search(r'name="csrf_token" value="([^"]+)"', _text(second.get("/register/beneficiaries/1")))
    assert token is not None
    post(coordinator, "/register/beneficiaries/1/plans/1/pause?to=paused")
    _later(app, "care_plans", "1")
    url = "/register/beneficiaries/1/plans/1/pause"
    response = second.post(url, data={"csrf_token": token.group(1)}, follow_redirects=True)
    assert any("This page was out of date" in f for f in _flashes(_text(response)))
    assert _row(app, CarePlan, 1).status == "paused"


# --- 3. «Αποθηκεύτηκε.» only after the commit ----------------------------------------------


@pytest.fixture
def failing_commit(app: Flask) -> Iterator[list[int]]:
    """The next commit that writes to the register fails, as with a full disk or a lock held
    beyond the wait (once: the page shown afterwards reads it again); the list counts the
    failures."""
    engine = app.extensions["kinito_engine"]
    failed: list[int] = []

    def changes(connection: Any) -> int:
        return int(connection.connection.dbapi_connection.total_changes)

    def begin(connection: Any) -> None:
        connection.info["changes at begin"] = changes(connection)

    def commit(connection: Any) -> None:
        if not failed and changes(connection) != connection.info.get("changes at begin"):
            failed.append(1)
            raise OperationalError("COMMIT", None, sqlite3.OperationalError("database or disk is full"))

    app.config["PROPAGATE_EXCEPTIONS"] = False  # an unexpected error is the 500 page, as in service
    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", commit)
    yield failed
    event.remove(engine, "commit", commit)
    event.remove(engine, "begin", begin)


@pytest.mark.parametrize(
    ("url", "field", "value"),
    [
        ("/register/beneficiaries/1", "phone", "6900000009"),
        ("/register/beneficiaries/1/plans/1", "notes", "Σημείωση που δεν γράφτηκε"),
        ("/register/staff/1", "day_end", "15:30"),
        ("/register/units/1", "capacity", "4"),
        ("/register/stops/1", "place", "Καφενείο Πλατείας"),
    ],
)
def test_a_failed_commit_says_nothing_was_saved_and_keeps_the_input(
    coordinator: FlaskClient, app: Flask, failing_commit: list[int], url: str, field: str, value: str
) -> None:
    """Walkthrough t1lock: with the database locked, «Αποθηκεύτηκε.» was shown above a 500 page.
    Now: no «Αποθηκεύτηκε.», the form again (503) with the input and a message that nothing was
    saved; nothing in the register or its audit log; the next page shows no stale «saved»."""
    _english(coordinator)
    fields = _set(_form(coordinator, url), field, value)
    audits = len(_audit_rows(app))
    response = _send(coordinator, url, fields)
    assert failing_commit == [1]
    page = _text(response)
    assert "Saved." not in page and "Αποθηκεύτηκε" not in page
    assert response.status_code == 503
    assert any(f.startswith("Nothing was saved") for f in _flashes(page))
    assert any("disk is full" in f for f in _flashes(page))  # not "busy, save again in a moment"
    assert dict(_form_of(page))[field] == value
    assert len(_audit_rows(app)) == audits
    assert "Saved." not in _text(coordinator.get("/register/beneficiaries"))
    assert _send(coordinator, url, _form_of(page)).status_code == 302  # saving again works
    assert "Saved." in _flashes(_text(coordinator.get("/register/beneficiaries")))


def test_a_failed_pause_says_so(coordinator: FlaskClient, app: Flask, failing_commit: list[int]) -> None:
    """A pause the database refuses: no «paused» message, the error instead, nothing changed."""
    _english(coordinator)
    response = post(coordinator, "/register/beneficiaries/1/plans/1/pause?to=paused", follow_redirects=True)
    flashes = _flashes(_text(response))
    assert failing_commit == [1] and any(f.startswith("Nothing was saved") for f in flashes)
    assert not any(f.startswith("Paused") for f in flashes)
    assert _row(app, CarePlan, 1).status == "active"


# --- 4. a care plan's inactive staff member ----------------------------------------------------


def test_a_plan_keeps_its_staff_member_once_inactive(coordinator: FlaskClient, app: Flask) -> None:
    """Walkthrough t5: a plan naming a staff member made inactive opened with «anyone with the
    role» selected, and saving it for a note cleared the name. The plan's own member stays
    offered, marked inactive, selected; saving keeps them."""
    with session_scope(app.extensions["kinito_engine"], actor="test") as s:
        plan, eleni = s.get(CarePlan, 2), s.get(Staff, 2)
        assert plan is not None and eleni is not None
        plan.staff_id = eleni.id  # Ελένη Π., psychologist, Wednesdays as the plan
        eleni.active = False
    url = "/register/beneficiaries/1/plans/2"
    page = _text(coordinator.get(url))
    select_html = page[page.index('name="staff_id"') : page.index("</select>", page.index('name="staff_id"'))]
    assert re.search(r'<option selected value="2">Ελένη Π\. \(Ψυχολόγος, [^<]+\)</option>', select_html)
    assert dict(_form_of(page))["staff_id"] == "2"
    assert _send(coordinator, url, _set(_form_of(page), "notes", "σημείωση")).status_code == 302
    plan = _row(app, CarePlan, 2)
    assert (plan.staff_id, plan.notes) == (2, "σημείωση")
    other = _text(coordinator.get("/register/beneficiaries/1/plans/1"))  # not offered to other plans
    assert (
        'value="2"'
        not in other[
            other.index('name="staff_id"') : other.index("</select>", other.index('name="staff_id"'))
        ]
    )


def test_deactivating_a_staff_member_says_how_many_plans_name_them(
    coordinator: FlaskClient, app: Flask
) -> None:
    """The staff member's page lists the care plans naming them; deactivating them says how many
    still do, on their page."""
    _english(coordinator)
    with session_scope(app.extensions["kinito_engine"], actor="test") as s:
        plan = s.get(CarePlan, 2)
        assert plan is not None
        plan.staff_id = 2
    page = _text(coordinator.get("/register/staff/2"))
    naming = page[page.index('id="plans-naming"') :]
    assert "1 care plan names this staff member" in naming and "Γεώργιος Παπαδόπουλος" in naming
    assert "/register/beneficiaries/1/plans/2" in naming
    response = _send(
        coordinator, "/register/staff/2", _set(_form(coordinator, "/register/staff/2"), "active", None)
    )
    assert response.status_code == 302 and response.location == "/register/staff/2"
    page = _text(coordinator.get(response.location))
    assert "Ελένη Π. is now inactive, and 1 care plan still names them: see below." in _flashes(page)
    assert "1 care plan still names this inactive staff member" in page
    assert not _row(app, Staff, 2).active and _row(app, CarePlan, 2).staff_id == 2


@pytest.mark.parametrize(
    ("url", "name", "value"),
    [
        ("/register/stops/1", "usual_weekday", "abc"),
        ("/register/stops/1", "usual_weekday", "0"),
        ("/register/stops/1", "usual_weekday", "-1"),
        ("/register/stops/1", "usual_weekday", "99999999999999999999"),
        ("/register/stops/1", "usual_weekday", " "),
        ("/register/beneficiaries/1/plans/1", "staff_id", " "),
        ("/register/beneficiaries/1/plans/1", "staff_id", "x"),
        ("/register/beneficiaries/1/plans/1", "staff_id", "²"),
        ("/register/stops/1", "usual_weekday", "³"),
    ],
)
def test_a_tampered_choice_is_refused_or_read_as_none_never_an_error_page(
    coordinator: FlaskClient, app: Flask, url: str, name: str, value: str
) -> None:
    """A reviewer's hand-edited requests (eighteenth session) gave error 500 pages: a choice
    that is not one of the select's options is refused with the form shown again (200); a
    blank one means no choice (the form's ``Optional``) and saves as none."""
    response = _send(coordinator, url, _set(_form(coordinator, url), name, value))
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert "Άγνωστη επιλογή" in _text(response)  # the choice refused, in Greek
    else:
        assert value.strip() == ""
        with session_scope(app.extensions["kinito_engine"]) as s:
            row = s.get(VillageStop if "stops" in url else CarePlan, 1)
            assert getattr(row, name) is None


@pytest.mark.parametrize("value", [" ", "x", "²"])
def test_a_tampered_calendar_choice_is_refused(coordinator: FlaskClient, value: str) -> None:
    """A staff member's absence with a blank or unknown staff member: refused, no error page."""
    token = dict(_form(coordinator, "/register/calendar"))["csrf_token"]
    fields = [("day", "2026-12-09"), ("kind", "staff_unavailable"), ("staff_id", value), ("unit_id", ""),
              ("name", ""), ("csrf_token", token)]  # fmt: skip
    response = _send(coordinator, "/register/calendar", fields)
    assert response.status_code == 200  # the form again, with why
    page = _text(coordinator.get("/register/calendar"))
    assert "09/12/2026" not in page and "9 Δεκεμβρίου 2026" not in page


def test_a_week_past_the_calendars_last_day_is_not_found(coordinator: FlaskClient) -> None:
    """9999-W52's Sunday is past year 9999: a 404 and a refusal, not an error page."""
    assert coordinator.get("/desk/outcomes/9999-W52").status_code == 404
