"""Fixtures of the web app's tests: a real SQLite register file per test, the app, log-in.

The register (migrated, the real gazetteer, the demo accounts and a small fictional register)
is built once per session into a template file and copied for each test, so a test starts
from a known state in well under a second. CSRF protection stays ON in every test: forms are
posted with the token read from the page, as a browser does.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from field_helpers import TODAY, publish_week
from flask import Flask
from flask.testing import FlaskClient
from test_coverage import build_hand_register
from webui_helpers import COORDINATOR, MANAGEMENT, build_register, live_server, login

from planner.register.db import ENV_VARS, make_engine, session_scope
from webui import create_app
from webui.demo_users import ensure_demo_users


@pytest.fixture(autouse=True)
def _no_database_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's KINITO_DATABASE_URL or secret must never reach a test."""
    for var in (*ENV_VARS, "KINITO_SECRET_KEY", "SECRET_KEY", "KINITO_TILE_URL"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def register_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The register built once; tests get copies."""
    path = tmp_path_factory.mktemp("template") / "register.sqlite3"
    build_register(path)
    return path


@pytest.fixture
def db_file(register_template: Path, tmp_path: Path) -> Path:
    """This test's own register file."""
    path = tmp_path / "register.sqlite3"
    shutil.copy(register_template, path)
    return path


@pytest.fixture
def app(db_file: Path, tmp_path: Path) -> Iterator[Flask]:
    """The app on the test's register, CSRF on, instance folder in the test's directory."""
    application = create_app(
        {
            "DATABASE_URL": str(db_file),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "TESTING": True,
            "PLAN_TIME_LIMIT": 1.0,
            "PLAN_WORKERS": 1,
        }
    )
    yield application
    application.extensions["kinito_jobs"].stop_all()
    application.extensions["kinito_engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client (cookies kept)."""
    return app.test_client()


@pytest.fixture
def coordinator(client: FlaskClient) -> FlaskClient:
    """A client logged in as the coordinator."""
    assert login(client, COORDINATOR).status_code == 302
    return client


@pytest.fixture
def hand_manager(tmp_path: Path) -> Iterator[FlaskClient]:
    """Management on the hand-counted register (test_coverage.build_hand_register); today is
    Monday 30 November 2026 (W49)."""
    db = tmp_path / "hand.sqlite3"
    build_hand_register(db)
    engine = make_engine(db)
    with session_scope(engine, actor="test") as s:
        ensure_demo_users(s)
    engine.dispose()
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": "2026-11-30"})  # fmt: skip
    client = app.test_client()
    assert login(client, MANAGEMENT).status_code == 302
    yield client
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()


@pytest.fixture
def live_driver(register_template: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The app under waitress with week 2026-W50 published and Monday 7 December as today."""
    db = tmp_path / "register.sqlite3"
    version_id = publish_week(register_template, db)
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"),
                      "TODAY": TODAY.isoformat()})  # fmt: skip
    with live_server(app) as url:
        yield {"app": app, "url": url, "version": version_id}
