"""`kinito init`: create the register database and load the gazetteer, or say why not."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from planner.cli import main
from planner.register.migrate import head_revision


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_kinito_init_creates_the_database_and_loads_140_settlements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito init --db tmp/x.sqlite3` makes the folder and file, migrates and loads; a rerun is a no-op."""
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--db", "tmp/x.sqlite3"]) == 0
    db = tmp_path / "tmp" / "x.sqlite3"
    out = capsys.readouterr().out
    assert str(db) in out
    assert f"κενή / empty -> {head_revision()}" in out
    assert "140 νέοι / added" in out
    assert _rows(db, "SELECT count(*) FROM settlements") == [(140,)]
    assert _rows(db, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert _rows(db, "PRAGMA journal_mode") == [("wal",)]

    assert main(["init", "--db", "tmp/x.sqlite3"]) == 0
    again = capsys.readouterr().out
    assert "ήδη στην έκδοση / already at revision" in again and "140 ήδη σωστοί / unchanged" in again
    assert _rows(db, "SELECT count(*) FROM settlements") == [(140,)]


def test_kinito_init_uses_the_database_url_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --db the KINITO_DATABASE_URL setting says where the register lives."""
    db = tmp_path / "office.sqlite3"
    monkeypatch.setenv("KINITO_DATABASE_URL", f"sqlite:///{db}")
    assert main(["init"]) == 0
    assert str(db) in capsys.readouterr().out
    assert _rows(db, "SELECT count(*) FROM settlements") == [(140,)]


@pytest.mark.parametrize("case", ["directory", "file-in-the-way", "not-a-database"])
def test_kinito_init_refuses_a_bad_path_with_exit_code_2(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder, a path under a file, a file that is no database: exit 2, a clear message, no change."""
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a database\n", encoding="utf-8")
    target = {
        "directory": tmp_path,
        "file-in-the-way": blocker / "x.sqlite3",
        "not-a-database": blocker,
    }[case]
    assert main(["init", "--db", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"δεν μπορεί να δημιουργηθεί η βάση στο {target}" in err
    assert f"cannot create the database at {target}" in err
    assert "Traceback" not in err and "internal error" not in err
    assert blocker.read_text(encoding="utf-8") == "not a database\n"


def test_demo_accounts_only_on_a_register_made_by_init_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito user demo` (public passwords) is refused, exit 2 with a Greek / English reason, on
    a register made by plain `kinito init`, on a missing file (not created), and on a demo
    register that now holds a real person; it works on a fresh `kinito init --demo`."""
    from tests.register.test_import_helpers import GOOD_PERSON, write_csv

    real, missing, demo = tmp_path / "real.sqlite3", tmp_path / "missing.sqlite3", tmp_path / "demo.sqlite3"
    assert main(["init", "--db", str(real)]) == 0
    capsys.readouterr()
    assert main(["user", "demo", "--db", str(real)]) == 2
    err = capsys.readouterr().err
    assert "kinito init --demo" in err and "δημοσιευμένους κωδικούς" in err and "published passwords" in err
    assert _rows(real, "SELECT count(*) FROM users") == [(0,)]
    assert main(["user", "demo", "--db", str(missing)]) == 2
    assert not missing.exists()
    assert main(["init", "--demo", "--db", str(demo), "--reference-date", "2026-12-07"]) == 0
    assert main(["user", "demo", "--db", str(demo)]) == 0
    assert _rows(demo, "SELECT count(*) FROM users") == [(4,)]
    assert main(["import", write_csv(tmp_path / "p.csv", [GOOD_PERSON]).as_posix(), "--db", str(demo)]) == 0
    capsys.readouterr()
    assert main(["user", "demo", "--db", str(demo)]) == 2
    assert "1 μη πλασματικά πρόσωπα" in capsys.readouterr().err
