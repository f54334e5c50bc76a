"""A register another program keeps locked for writing (an import, a plan being stored, the
server): the command line said «(sqlite3.OperationalError) database is locked»; it now says
the database is busy, that nothing was written and to try again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine

from planner.cli import main
from tests.register.test_import_helpers import GOOD_PERSON, counts, write_csv


def test_an_import_into_a_locked_register_says_it_is_busy(
    loaded_engine: Engine, db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr("planner.register.db.BUSY_TIMEOUT_S", 0.2)
    before = counts(loaded_engine)
    loaded_engine.dispose()
    holder = sqlite3.connect(db_file)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        code = main(["import", str(write_csv(tmp_path / "p.csv", [GOOD_PERSON])), "--db", str(db_file)])
    finally:
        holder.rollback()
        holder.close()
    err = capsys.readouterr().err
    assert code == 2
    assert "η βάση είναι απασχολημένη" in err and "nothing was written" in err
    assert "OperationalError" not in err
    assert counts(loaded_engine) == before
