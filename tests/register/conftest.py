"""Fixtures of the register's tests: a migrated SQLite file per test, the real gazetteer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from planner.gazetteer import Settlement, load_settlements
from planner.register.db import ENV_VARS, make_engine, session_scope
from planner.register.migrate import upgrade
from planner.register.places import gazetteer_aliases
from planner.register.settlements import load_gazetteer


@pytest.fixture(autouse=True)
def _no_database_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's KINITO_DATABASE_URL must never reach a test."""
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """Where the test's database file goes (not created yet)."""
    return tmp_path / "register.sqlite3"


@pytest.fixture
def engine(db_file: Path) -> Iterator[Engine]:
    """An engine on a freshly migrated, empty SQLite file."""
    eng = make_engine(db_file)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def loaded_engine(engine: Engine) -> Engine:
    """The migrated file with the 140 settlements loaded."""
    with session_scope(engine) as session:
        load_gazetteer(session)
    return engine


@pytest.fixture(scope="session")
def settlements() -> tuple[Settlement, ...]:
    """The real gazetteer of Aigialeia, read once."""
    return load_settlements()


@pytest.fixture(scope="session")
def aliases() -> dict[str, tuple[str, ...]]:
    """The GeoNames aliases from the extended gazetteer CSV, read once."""
    return gazetteer_aliases()
