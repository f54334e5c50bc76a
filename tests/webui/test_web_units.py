"""The coordinator's units pages: list, add, edit (the driver's weekly hours, seats, base, name);
impossible data refused on the field in Greek, every change audited, other roles refused."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import ADMIN, COORDINATOR, DRIVER, MANAGEMENT, login, post

from planner.register.db import session_scope
from planner.register.models import AuditLog, Settlement, Unit

# the fixture's van1: a base that is no settlement's point (the Community Centre in Aigio)
VAN1_BASE = ("Κέντρο Κοινότητας Αιγίου", 38.2498, 22.0816)
HOURS_ERROR = "Ώρες την εβδομάδα: περισσότερες από 0 και έως 168, π.χ. 20 ή 20,5."


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _audit(app: Flask) -> list[AuditLog]:
    """The audit rows the web requests wrote for units (not the fixture's)."""
    with session_scope(app.extensions["kinito_engine"]) as s:
        stmt = select(AuditLog).where(AuditLog.entity == "units", AuditLog.actor != "fixture")
        return list(s.scalars(stmt.order_by(AuditLog.id)))


def _units(app: Flask) -> list[Unit]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return list(s.scalars(select(Unit).order_by(Unit.id)))


def _settlement(app: Flask, name_el: str) -> Settlement:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return s.scalars(select(Settlement).where(Settlement.name_el == name_el)).one()


def _van1_form(**changes: Any) -> dict[str, Any]:
    """van1's edit form as the page sends it, the base kept as it is."""
    return {"name": "van1", "base": "current", "capacity": "2", "weekly_hours": "", "active": "y", **changes}


def test_units_are_listed_and_linked_from_the_menu(coordinator: FlaskClient) -> None:
    """The list shows a unit's name, base, seats, weekly hours (none: the default, said so) and
    state; the coordinator's menu links it, beside the staff."""
    page = _text(coordinator.get("/register/units"))
    row = page[page.index('id="units"') :]
    assert "van1" in row and "Κέντρο Κοινότητας Αιγίου" in row and "<td>2</td>" in row
    assert "40 (προεπιλογή)" in row and "σε λειτουργία" in row
    menu = _text(coordinator.get("/register/beneficiaries"))
    assert 'href="/register/staff">Προσωπικό</a>' in menu and 'href="/register/units">Μονάδες</a>' in menu
    for url in ("/register/units", "/register/units/new", "/register/units/1"):
        response = coordinator.get(url)
        assert response.status_code == 200 and 'lang="el"' in _text(response), url
    assert coordinator.get("/register/units/999").status_code == 404


def test_weekly_hours_are_stored_audited_and_cleared(coordinator: FlaskClient, app: Flask) -> None:
    """20,5 hours a week for a part-time driver: stored, shown in Greek, audited under the
    coordinator's name (before and after); empty puts back the default (NULL)."""
    response = post(coordinator, "/register/units/1", _van1_form(weekly_hours="20,5"))
    assert response.status_code == 302 and response.location == "/register/units"
    assert "Αποθηκεύτηκε." in _text(coordinator.get(response.location))
    assert _units(app)[0].weekly_hours == 20.5
    assert "<td>20,5</td>" in _text(coordinator.get("/register/units"))
    assert 'value="20,5"' in _text(coordinator.get("/register/units/1"))
    rows = _audit(app)
    assert [(r.actor, r.action, r.entity_id) for r in rows] == [(COORDINATOR, "update", "1")]
    assert rows[0].before == {"weekly_hours": None} and rows[0].after == {"weekly_hours": 20.5}

    assert post(coordinator, "/register/units/1", _van1_form(weekly_hours="20")).status_code == 302
    assert _units(app)[0].weekly_hours == 20
    assert post(coordinator, "/register/units/1", _van1_form(weekly_hours="")).status_code == 302
    assert _units(app)[0].weekly_hours is None
    assert "40 (προεπιλογή)" in _text(coordinator.get("/register/units"))
    last = _audit(app)[-1]
    assert last.before == {"weekly_hours": 20.0} and last.after == {"weekly_hours": None}


@pytest.mark.parametrize(("text", "hours"), [("20", 20.0), ("20,5", 20.5), ("20.5", 20.5), (" 7,25 ", 7.25),
                                             ("168", 168.0)])  # fmt: skip
def test_weekly_hours_as_people_write_them(
    coordinator: FlaskClient, app: Flask, text: str, hours: float
) -> None:
    """A comma or a point, spaces around, up to the whole week."""
    assert post(coordinator, "/register/units/1", _van1_form(weekly_hours=text)).status_code == 302
    assert _units(app)[0].weekly_hours == hours


@pytest.mark.parametrize("text", ["0", "-3", "0,001", "168,5", "200", "είκοσι", "20 ώρες", "nan", "inf"])
def test_impossible_weekly_hours_are_refused_on_the_field(
    coordinator: FlaskClient, app: Flask, text: str
) -> None:
    """Not over 0 and at most 168: the field says so in Greek (HTTP 200), nothing is stored."""
    response = post(coordinator, "/register/units/1", _van1_form(weekly_hours=text))
    assert response.status_code == 200 and HOURS_ERROR in _text(response)
    assert _units(app)[0].weekly_hours is None and _audit(app) == []
    car = _van1_form(name="Αυτοκίνητο", weekly_hours=text, base=_settlement(app, "Αίγιον").code)
    response = post(coordinator, "/register/units/new", car)
    assert response.status_code == 200 and HOURS_ERROR in _text(response)
    assert len(_units(app)) == 1 and _audit(app) == []


@pytest.mark.parametrize(
    ("seats", "message"),
    [
        ("0", "Δώστε έναν αριθμό από 1 έως 20."),
        ("-1", "Δώστε έναν αριθμό από 1 έως 20."),
        ("21", "Δώστε έναν αριθμό από 1 έως 20."),
        ("δύο", "Δώστε έναν ακέραιο αριθμό από 1 έως 20."),
        ("2,5", "Δώστε έναν ακέραιο αριθμό από 1 έως 20."),
        ("", "Αυτό το πεδίο είναι υποχρεωτικό"),
    ],
)
def test_impossible_seats_are_refused_on_the_field(
    coordinator: FlaskClient, app: Flask, seats: str, message: str
) -> None:
    """At least one seat besides the driver's, a whole number: else a Greek error, nothing stored."""
    response = post(coordinator, "/register/units/1", _van1_form(capacity=seats, weekly_hours="20"))
    assert response.status_code == 200 and message in _text(response)
    assert (_units(app)[0].capacity, _units(app)[0].weekly_hours) == (2, None)
    assert _audit(app) == []


def test_a_duplicate_name_is_a_form_error_not_a_crash(coordinator: FlaskClient, app: Flask) -> None:
    """A new unit, or a renamed one, with another unit's name (case and accents aside, as
    ``kinito week --units`` reads names): the field names the other unit, nothing is stored;
    a unit keeping its own name is fine."""
    aigio = _settlement(app, "Αίγιον").code
    car = {"name": "Αυτοκίνητο", "base": aigio, "capacity": "1", "weekly_hours": "", "active": "y"}
    assert post(coordinator, "/register/units/new", car).status_code == 302
    car_id = _units(app)[-1].id
    for name in ("van1", "VAN1", " van1 "):
        response = post(coordinator, "/register/units/new", {**car, "name": name})
        assert response.status_code == 200 and "Υπάρχει ήδη μονάδα με το όνομα van1." in _text(response)
        response = post(coordinator, f"/register/units/{car_id}", {**car, "name": name})
        assert response.status_code == 200 and "Υπάρχει ήδη μονάδα με το όνομα van1." in _text(response)
    response = post(coordinator, "/register/units/1", _van1_form(name="αυτοκινητο"))
    assert response.status_code == 200 and "Υπάρχει ήδη μονάδα με το όνομα Αυτοκίνητο." in _text(response)
    assert [u.name for u in _units(app)] == ["van1", "Αυτοκίνητο"]
    assert [r.action for r in _audit(app)] == ["insert"]
    assert post(coordinator, f"/register/units/{car_id}", {**car, "capacity": "3"}).status_code == 302
    assert post(coordinator, "/register/units/new", {**car, "name": ""}).status_code == 200
    assert len(_units(app)) == 2


def test_a_base_that_is_no_settlement_is_kept_when_only_the_hours_change(
    coordinator: FlaskClient, app: Flask
) -> None:
    """van1's base (the Community Centre, set by coordinates) is offered as the current base and
    chosen; saving with new hours changes the hours only, the base stays as it was."""
    page = _text(coordinator.get("/register/units/1"))
    current = page[page.index('<option selected value="current">') :]
    current = current[: current.index("</option>")]  # its point with Greek decimal commas
    assert "Κέντρο Κοινότητας Αιγίου" in current and "38,24980" in current and "22,08160" in current
    assert post(coordinator, "/register/units/1", _van1_form(weekly_hours="25")).status_code == 302
    van1 = _units(app)[0]
    assert (van1.base_name, van1.base_lat, van1.base_lon) == VAN1_BASE and van1.weekly_hours == 25
    assert [(r.before, r.after) for r in _audit(app)] == [({"weekly_hours": None}, {"weekly_hours": 25.0})]


def test_a_new_unit_takes_its_base_from_a_settlement(coordinator: FlaskClient, app: Flask) -> None:
    """The base is a settlement of the gazetteer: its name and point; the edit page then shows
    that settlement chosen; another settlement moves the base (audited); the inactive unit is
    listed as out of service."""
    diakopto, aigio = _settlement(app, "Διακοπτόν"), _settlement(app, "Αίγιον")
    data = {"name": "Αυτοκίνητο", "base": diakopto.code, "capacity": "1", "weekly_hours": "12,5"}
    assert post(coordinator, "/register/units/new", data).status_code == 302
    car = _units(app)[-1]
    assert (car.base_name, car.base_lat, car.base_lon) == ("Διακοπτόν", diakopto.lat, diakopto.lon)
    assert (car.capacity, car.weekly_hours, car.active) == (1, 12.5, False)
    page = _text(coordinator.get(f"/register/units/{car.id}"))
    assert f'<option selected value="{diakopto.code}">' in page and "Τρέχουσα βάση" not in page
    assert "εκτός λειτουργίας" in _text(coordinator.get("/register/units"))
    assert post(coordinator, f"/register/units/{car.id}", {**data, "base": "current"}).status_code == 200
    assert post(coordinator, f"/register/units/{car.id}", {**data, "base": aigio.code}).status_code == 302
    moved = _units(app)[-1]
    assert (moved.base_name, moved.base_lat, moved.base_lon) == ("Αίγιον", aigio.lat, aigio.lon)
    insert, update = _audit(app)
    assert (insert.action, insert.actor, update.action, update.actor) == (
        "insert",
        COORDINATOR,
        "update",
        COORDINATOR,
    )
    assert update.after == {"base_name": "Αίγιον", "base_lat": aigio.lat, "base_lon": aigio.lon}
    # the "current base" choice is for a unit that has one
    response = post(coordinator, "/register/units/new", {**data, "name": "Τρίτο", "base": "current"})
    assert response.status_code == 200 and len(_units(app)) == 2


@pytest.mark.parametrize("username", [DRIVER, MANAGEMENT, ADMIN])
def test_other_roles_cannot_see_or_change_units(client: FlaskClient, app: Flask, username: str) -> None:
    """Whoever may not edit the staff may not edit the units: 403, nothing stored."""
    login(client, username)
    for url in ("/register/units", "/register/units/new", "/register/units/1"):
        assert client.get(url).status_code == 403, url
    assert post(client, "/register/units/1", _van1_form(weekly_hours="20")).status_code == 403
    assert _units(app)[0].weekly_hours is None and _audit(app) == []


def test_a_post_without_its_csrf_token_changes_nothing(coordinator: FlaskClient, app: Flask) -> None:
    """The form without its token: 400, nothing stored."""
    assert coordinator.post("/register/units/1", data=_van1_form(weekly_hours="20")).status_code == 400
    assert _units(app)[0].weekly_hours is None and _audit(app) == []
