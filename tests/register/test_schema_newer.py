"""A register written by a newer Kinito is refused with what to do, by `init` and by the
commands that open the register (`serve`, `user`): before, `init` said "Can't locate revision"
and `serve` "internal error ... please report it". A database SQLite refuses (read-only, disk
full) is said in words, without the SQL."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from planner.cli import _database_error, main
from planner.register.migrate import upgrade


@pytest.fixture
def newer(tmp_path: Path) -> Path:
    path = tmp_path / "kinito.sqlite3"
    upgrade(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    con.commit()
    con.close()
    return path


ARGVS = [
    ["init"],
    ["user", "unit", "odigos", "Βαν"],
    ["user", "add", "maria", "--role", "coordinator", "--password-stdin"],
]


@pytest.mark.parametrize("argv", ARGVS)
def test_a_register_from_a_newer_kinito_is_refused_with_what_to_do(
    newer: Path, argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("ένας-μακρύς-κωδικός\n"))
    before = newer.read_bytes()
    assert main([*argv, "--db", str(newer)]) == 2
    err = capsys.readouterr().err
    assert "νεότερη έκδοση του Kinito (σχήμα 0099_from_the_future" in err and "update Kinito" in err
    assert "internal error" not in err and "Can't locate" not in err
    assert newer.read_bytes() == before


def test_a_database_sqlite_refuses_is_said_without_the_sql() -> None:
    refused = OperationalError(
        "INSERT INTO users (username) VALUES (?)",
        ("maria",),
        sqlite3.OperationalError("attempt to write a readonly database"),
    )
    text = _database_error(refused)
    assert text is not None and "attempt to write a readonly database" in text
    assert "δικαιώματα" in text and "permissions" in text and "INSERT" not in text and "maria" not in text
    assert _database_error(RuntimeError("x")) is None
