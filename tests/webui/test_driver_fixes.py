"""The driver's tablet, sixth walkthrough, through the test client: the route's JSON names the
office's day (the tablet checks its own clock against it), the service worker marks the copy
of the route it kept, and the page carries the texts of the new notices with their fields."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from field_helpers import TODAY, publish_week
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import DRIVER, login

from planner.register.db import session_scope
from planner.register.models import User
from webui import create_app


@pytest.fixture
def driver(register_template: Path, tmp_path: Path) -> Iterator[tuple[Flask, FlaskClient]]:
    """The app with week 2026-W50 published and Monday 7 December as today; the driver logged in."""
    db = tmp_path / "register.sqlite3"
    publish_week(register_template, db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": TODAY.isoformat()})  # fmt: skip
    client = app.test_client()
    assert login(client, DRIVER).status_code == 302
    yield app, client
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()


def test_the_route_names_the_offices_day(driver: tuple[Flask, FlaskClient]) -> None:
    """``today`` is the office's day: with a route, with none that day, with no unit."""
    app, client = driver
    doc = client.get("/driver/today.json").get_json()
    assert doc["today"] == TODAY.isoformat() and doc["stops"]
    sunday = TODAY + timedelta(days=6)
    app.config["TODAY"] = sunday.isoformat()
    doc = client.get("/driver/today.json").get_json()
    assert (doc["today"], doc["stops"]) == (sunday.isoformat(), None)
    with session_scope(app.extensions["kinito_engine"]) as s:
        s.scalars(select(User).where(User.username == DRIVER)).one().unit_id = None
    assert client.get("/driver/today.json").get_json()["today"] == sunday.isoformat()


def test_the_service_worker_marks_the_kept_route(driver: tuple[Flask, FlaskClient]) -> None:
    """The kept copy of today.json is answered with X-Kinito-Kept (the page then knows it is
    not the office's answer of now); the data's URL is the one the page fetches."""
    _app, client = driver
    text = client.get("/driver/sw.js").get_data(as_text=True)
    assert 'var DATA = "/driver/today.json";' in text
    assert 'headers.set("X-Kinito-Kept", "1")' in text


def test_the_page_carries_the_new_notices_with_their_fields(driver: tuple[Flask, FlaskClient]) -> None:
    """The texts driver.js fills in: each with its fields, in whatever language."""
    _app, client = driver
    page = client.get("/driver/").get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="driver-i18n">(.*?)</script>', page, re.S)
    assert found is not None
    texts = json.loads(found.group(1))
    fields = {"loading": [], "check_date": ["{office}", "{today}"], "dismiss": [],
              "logout_unsent": ["{n}", "{user}"], "logout_ask": []}  # fmt: skip
    for key, needed in fields.items():
        assert texts.get(key), key
        assert all(field in texts[key] for field in needed), (key, texts[key])
