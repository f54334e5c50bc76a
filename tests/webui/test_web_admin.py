"""The administrator's user pages: add, edit, reset a password, deactivate; never lock oneself out."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import ADMIN, login, post

from planner.register.db import session_scope
from planner.register.models import AuditLog, User
from webui.security import check_password


def _user(app: Flask, username: str) -> User | None:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return s.scalars(select(User).where(User.username == username)).one_or_none()


def test_admin_lists_users_and_adds_one_who_can_log_in(client: FlaskClient, app: Flask) -> None:
    """A new coordinator account works at once; its password is hashed; the audit names the admin."""
    login(client, ADMIN)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "syntonistria" in page and "Συντονιστής/τρια" in page
    data = {
        "username": "katerina",
        "display_name": "Κατερίνα Λ.",
        "role": "coordinator",
        "locale": "el",
        "password": "a long password 1",
        "active": "y",
    }
    assert post(client, "/admin/users/new", data).status_code == 302
    user = _user(app, "katerina")
    assert user is not None and check_password(user.password_hash, "a long password 1")
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.scalars(
            select(AuditLog).where(AuditLog.entity == "users").order_by(AuditLog.id.desc())
        ).first()
        assert row is not None and row.actor == ADMIN and row.after is not None
        assert "password_hash" not in row.after
    post(client, "/logout")
    assert login(client, "katerina", "a long password 1").location == "/register/beneficiaries"


def test_new_account_needs_a_long_password_and_a_free_name(client: FlaskClient, app: Flask) -> None:
    """No password, a short one, or a taken name: the form comes back with the reason."""
    login(client, ADMIN)
    base = {"username": "x1", "display_name": "X", "role": "driver", "locale": "el", "active": "y"}
    page = post(client, "/admin/users/new", {**base, "password": ""}).get_data(as_text=True)
    assert "χρειάζεται κωδικό" in page
    page = post(client, "/admin/users/new", {**base, "password": "short"}).get_data(as_text=True)
    assert "has-error" in page
    page = post(
        client, "/admin/users/new", {**base, "username": "odigos", "password": "long enough 12"}
    ).get_data(as_text=True)
    assert "υπάρχει ήδη" in page
    assert _user(app, "x1") is None


def test_deactivating_an_account_and_not_oneself(client: FlaskClient, app: Flask) -> None:
    """The driver's account is deactivated (a blank password keeps it); the admin cannot demote themself."""
    login(client, ADMIN)
    driver = _user(app, "odigos")
    assert driver is not None
    old_hash = driver.password_hash
    data = {
        "username": "odigos",
        "display_name": driver.display_name,
        "role": "driver",
        "locale": "el",
        "password": "",
    }
    assert post(client, f"/admin/users/{driver.id}", data).status_code == 302
    after = _user(app, "odigos")
    assert after is not None and not after.active and after.password_hash == old_hash
    admin = _user(app, ADMIN)
    assert admin is not None
    page = post(
        client,
        f"/admin/users/{admin.id}",
        {"username": ADMIN, "display_name": "A", "role": "driver", "locale": "el", "active": "y"},
    ).get_data(as_text=True)
    assert "Δεν μπορείτε να αφαιρέσετε" in page
    still = _user(app, ADMIN)
    assert still is not None and still.role == "admin"


def _add_unit(app: Flask, name: str) -> int:
    from planner.register.models import Unit

    with session_scope(app.extensions["kinito_engine"], actor="test") as s:
        unit = Unit(name=name, base_name="Διακοπτό", base_lat=38.19, base_lon=22.19)
        s.add(unit)
        s.flush()
        return unit.id


def test_admin_sets_and_changes_a_drivers_unit(client: FlaskClient, app: Flask) -> None:
    """A new driver gets a unit chosen among the register's; the tablet then names it; the
    admin can move the driver to another unit; a driver with no unit is refused while units exist."""
    van2 = _add_unit(app, "van2")
    login(client, ADMIN)
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "Μονάδα (για οδηγούς)" in page and ">van1<" in page and ">van2<" in page
    data = {
        "username": "nikos",
        "display_name": "Νίκος Ο.",
        "role": "driver",
        "locale": "el",
        "password": "a long password 2",
        "active": "y",
        "unit_id": "",
    }
    page = post(client, "/admin/users/new", data).get_data(as_text=True)
    assert "Επιλέξτε τη μονάδα" in page and _user(app, "nikos") is None
    assert post(client, "/admin/users/new", {**data, "unit_id": str(van2)}).status_code == 302
    nikos = _user(app, "nikos")
    assert nikos is not None and nikos.unit_id == van2
    assert "van2" in client.get("/admin/users").get_data(as_text=True)
    van1 = _user(app, "odigos")
    assert van1 is not None and van1.unit_id is not None
    edit = {**data, "password": "", "unit_id": str(van1.unit_id)}
    assert post(client, f"/admin/users/{nikos.id}", edit).status_code == 302
    moved = _user(app, "nikos")
    assert moved is not None and moved.unit_id == van1.unit_id
    post(client, "/logout")
    login(client, "nikos", "a long password 2")
    page = client.get("/driver/").get_data(as_text=True)
    assert "van1" in page and "δεν έχει μονάδα" not in page
    assert client.get("/driver/today.json").get_json()["unit"] == "van1"


def test_a_unit_only_for_drivers(client: FlaskClient, app: Flask) -> None:
    """Turning a driver into a coordinator clears the unit (it means nothing for other roles)."""
    login(client, ADMIN)
    driver = _user(app, "odigos")
    assert driver is not None and driver.unit_id is not None
    data = {"username": "odigos", "display_name": "Γ", "role": "coordinator", "locale": "el",
            "active": "y", "unit_id": str(driver.unit_id)}  # fmt: skip
    assert post(client, f"/admin/users/{driver.id}", data).status_code == 302
    after = _user(app, "odigos")
    assert after is not None and after.role == "coordinator" and after.unit_id is None


def test_spaces_are_no_password_and_a_name_in_other_capitals_is_taken(
    client: FlaskClient, app: Flask
) -> None:
    """A helper's walkthrough: a password of spaces passed (the length check took it for blank)
    and, set on a reset, locked the account out (the log-in takes spaces for empty); «Odigos»
    could be made beside «odigos» and shared its log-in lock; «nl\\n» passed the name's check."""
    login(client, ADMIN)
    base = {"display_name": "X", "role": "coordinator", "locale": "el", "active": "y"}
    for password in (" ", " " * 12):
        page = post(client, "/admin/users/new", {**base, "username": "x1", "password": password})
        assert page.status_code == 200 and _user(app, "x1") is None
    assert "δεν μπορεί να είναι μόνο κενά" in page.get_data(as_text=True)
    driver = _user(app, "odigos")
    assert driver is not None
    reset = {**base, "username": "odigos", "display_name": driver.display_name, "role": "driver",
             "unit_id": str(driver.unit_id or ""), "password": " " * 12}  # fmt: skip
    assert post(client, f"/admin/users/{driver.id}", reset).status_code == 200
    after = _user(app, "odigos")
    assert after is not None and after.password_hash == driver.password_hash  # unchanged
    page = post(client, "/admin/users/new", {**base, "username": "Odigos", "password": "long enough 12"})
    assert "υπάρχει ήδη" in page.get_data(as_text=True) and _user(app, "Odigos") is None
    post(client, "/admin/users/new", {**base, "username": "nl\n", "password": "long enough 12"})
    assert _user(app, "nl\n") is None and _user(app, "nl") is None


def test_the_user_page_is_headed_with_the_account_edited(client: FlaskClient, app: Flask) -> None:
    """base.html's «user» (the admin signed in) hid the page's own: every account's page was
    headed «admin»."""
    login(client, ADMIN)
    driver = _user(app, "odigos")
    assert driver is not None
    page = client.get(f"/admin/users/{driver.id}").get_data(as_text=True)
    assert "<h1>odigos</h1>" in page
    assert "<h1>Νέος χρήστης</h1>" in client.get("/admin/users/new").get_data(as_text=True)
