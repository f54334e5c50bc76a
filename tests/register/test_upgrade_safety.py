"""An upgrade, a restore and the register's errors leave a way back and say what happened.

- `kinito init`, `serve` and the other commands that bring an older register to this schema
  first copy it (``backups/<name>-before-upgrade-<time>.sqlite3``) and say from which schema
  to which and where the copy is: before, the register was upgraded in place, silently, and
  the older Kinito then refused it.
- `kinito restore` upgrades a copy of the backup first: a backup whose upgrade fails leaves the
  register as it was (before, the register was already replaced by the un-upgradable backup).
- A failed migration is said as such (its name, the register unchanged), a full disk as a full
  disk (it was told as a busy database), a register from a newer Kinito as such by `week`,
  `export` and `import` (they said "run kinito init", which refuses it) and backed up by
  `kinito backup` (it refused); a read-only register can be exported, and a write to it says it
  is read-only.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from planner.cli import _database_error, main
from planner.register.db import busy_message, cannot_open
from planner.register.migrate import head_revision, upgrade

OLD = "0006_audit_log_entity_index"
FAILING = "0008_staff_unavailable"  # its copy of calendar_days refuses a kind the CHECK lacks


def _revision(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return str(con.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        con.close()


def _staff(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [name for (name,) in con.execute("SELECT name FROM staff ORDER BY id")]
    finally:
        con.close()


def _register(path: Path, revision: str = "head", *, staff: str = "Άννα", failing: bool = False) -> Path:
    """A register file at ``revision`` with one staff member; ``failing``: with a calendar day
    whose kind no CHECK allows (written past the CHECK), on which migration 0008 fails."""
    upgrade(path, revision)  # a new file: nothing to back up
    con = sqlite3.connect(path)
    try:
        con.execute(
            "INSERT INTO staff (name, role, part_time, weekdays, day_start, day_end, active)"
            " VALUES (?, 'psychologist', 0, '[1, 4]', '08:00:00', '16:00:00', 1)",
            (staff,),
        )
        if failing:
            con.execute("PRAGMA ignore_check_constraints = ON")
            con.execute("INSERT INTO calendar_days (day, kind) VALUES ('2026-12-08', 'strike')")
        con.commit()
    finally:
        con.close()
    return path


def _newer(path: Path) -> Path:
    _register(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    con.commit()
    con.close()
    return path


def _journal_delete(path: Path) -> None:
    """In rollback-journal mode, as a backup is: a read-only copy of it cannot switch to WAL."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Make a register file read-only for SQLite, as for a user who may not write it (the tests
    may run as root, whom file permissions do not stop): its connections open ``mode=ro``,
    what SQLite falls back to for a file it cannot write."""
    files: set[str] = set()
    real = sqlite3.connect

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if str(database) in files:
            database, kwargs["uri"] = f"{Path(database).resolve().as_uri()}?mode=ro", True
        connection: sqlite3.Connection = real(database, *args, **kwargs)
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(sqlite3.dbapi2, "connect", connect)
    return lambda path: files.add(str(path.resolve()))


# 1. an upgrade copies the register first and says so ------------------------------------------


def _init(register: Path) -> None:
    assert main(["init", "--db", str(register)]) == 0


def _serve(register: Path) -> None:
    from webui.cli import _prepare_database  # what `kinito serve` opens the register with

    engine, _where = _prepare_database(str(register))
    engine.dispose()


def _user_unit(register: Path) -> None:  # an account command: `_cli_session`
    assert main(["user", "unit", "nobody", "Βαν", "--db", str(register)]) == 2


@pytest.mark.parametrize("command", [_init, _serve, _user_unit], ids=["init", "serve", "user"])
def test_an_older_register_is_backed_up_before_it_is_upgraded_and_it_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: Callable[[Path], None]
) -> None:
    register = _register(tmp_path / "instance" / "kinito.sqlite3", OLD)
    command(register)
    assert _revision(register) == head_revision()
    (copy,) = (register.parent / "backups").glob("kinito-before-upgrade-*.sqlite3")
    assert _revision(copy) == OLD and _staff(copy) == ["Άννα"]  # what the older Kinito opens
    assert os.stat(copy).st_mode & 0o777 == 0o600 and not Path(f"{copy}-wal").exists()
    said = [line for line in capsys.readouterr().err.splitlines() if "before-upgrade" in line]
    assert len(said) == 1 and OLD in said[0] and head_revision() in said[0] and str(copy) in said[0]
    assert "αναβαθμίστηκε" in said[0] and "upgraded" in said[0]
    command(register)  # at the newest schema already: no copy, nothing said
    assert len(list((register.parent / "backups").iterdir())) == 1
    assert "before-upgrade" not in capsys.readouterr().err


def test_a_new_register_is_not_backed_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "instance" / "kinito.sqlite3"
    assert main(["init", "--db", str(register)]) == 0
    assert not (register.parent / "backups").exists() and "before-upgrade" not in capsys.readouterr().err


def test_two_upgrades_in_the_same_second_keep_both_copies(tmp_path: Path) -> None:
    register = _register(tmp_path / "kinito.sqlite3", "0003_unit_weekly_hours")
    upgrade(register, OLD)
    upgrade(register)
    copies = sorted((tmp_path / "backups").iterdir())
    assert len(copies) == 2 and sorted(_revision(c) for c in copies) == ["0003_unit_weekly_hours", OLD]


# 2. a restore whose backup cannot be upgraded leaves the register alone -------------------------


def test_a_backup_that_cannot_be_upgraded_is_not_restored_and_the_register_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = _register(tmp_path / "rs" / "reg.sqlite3", staff="Τωρινή")
    backup = _register(tmp_path / "fail6.sqlite3", OLD, staff="Παλιά", failing=True)
    before, backup_before = register.read_bytes(), backup.read_bytes()
    assert main(["restore", str(backup), "--db", str(register), "--yes"]) == 2
    err = capsys.readouterr().err
    assert register.read_bytes() == before and _staff(register) == ["Τωρινή"]
    assert backup.read_bytes() == backup_before
    assert sorted(p.name for p in register.parent.iterdir()) == ["reg.sqlite3"]  # no copy left over
    assert FAILING in err and "CHECK constraint failed" in err
    assert "δεν μπορεί να φερθεί στο σχήμα" in err and "cannot be brought to this version's schema" in err
    assert "δεν άλλαξε" in err and "is unchanged" in err
    assert "δικαιώματα" not in err and "permissions" not in err


def test_an_older_backup_is_restored_upgraded_with_nothing_left_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = _register(tmp_path / "rs" / "reg.sqlite3", staff="Τωρινή")
    backup = _register(tmp_path / "old.sqlite3", OLD, staff="Παλιά")
    assert main(["restore", str(backup), "--db", str(register), "--yes"]) == 0
    assert _revision(register) == head_revision() and _staff(register) == ["Παλιά"]
    assert _revision(backup) == OLD
    (kept,) = (register.parent / "backups").glob("reg-before-restore-*.sqlite3")
    assert _staff(kept) == ["Τωρινή"] and str(kept) in capsys.readouterr().out
    assert not [p for p in register.parent.iterdir() if "restoring" in p.name]


# 3. what went wrong is said as it is ---------------------------------------------------------


def test_a_failed_migration_is_said_with_its_name_and_the_register_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = _register(tmp_path / "instance" / "kinito.sqlite3", OLD, failing=True)
    assert main(["init", "--db", str(register)]) == 2
    err = capsys.readouterr().err
    assert FAILING in err and "CHECK constraint failed" in err and OLD in err
    assert "απέτυχε" in err and "failed" in err and "δεν άλλαξε" in err and "unchanged" in err
    assert "δικαιώματα" not in err and "permissions" not in err and "cannot create" not in err
    assert _revision(register) == OLD and _staff(register) == ["Άννα"]
    assert not (register.parent / "backups").exists()  # the copy, the same as the register, removed


def _refused(message: str) -> OperationalError:
    return OperationalError(
        "INSERT INTO staff (name) VALUES (?)", ("Άννα",), sqlite3.OperationalError(message)
    )


def test_a_full_disk_is_said_to_be_full_not_busy() -> None:
    full = _refused("database or disk is full")
    for text in (busy_message(full), _database_error(full), cannot_open("/srv/kinito.sqlite3", full)):
        assert text is not None
        assert "δίσκος είναι γεμάτος" in text and "disk is full" in text and "free some space" in text
        assert "δεν γράφτηκε τίποτα" in text and "nothing was written" in text
        assert "απασχολημένη" not in text and "busy" not in text and "Άννα" not in text
    locked = busy_message(_refused("database is locked"))
    assert locked is not None and "busy" in locked


def test_a_read_only_register_is_said_to_be_read_only() -> None:
    text = busy_message(_refused("attempt to write a readonly database"))
    assert text is not None and "μόνο για ανάγνωση" in text and "read-only" in text and "busy" not in text


# 4. a register from a newer Kinito, a read-only register ------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["week", "next"], ["export", "--format", "csv", "--out", "{tmp}/out"], ["import", "{tmp}/t.csv"]],
    ids=["week", "export", "import"],
)
def test_a_register_from_a_newer_kinito_says_to_update_kinito_not_to_run_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    newer = _newer(tmp_path / "kinito.sqlite3")
    assert main(["template", "--out", str(tmp_path / "t.csv"), "--format", "csv"]) == 0
    before = newer.read_bytes()
    capsys.readouterr()
    assert main([*(a.format(tmp=tmp_path) for a in argv), "--db", str(newer)]) == 2
    err = capsys.readouterr().err
    assert "νεότερη έκδοση του Kinito (σχήμα 0099_from_the_future" in err and "update Kinito" in err
    assert "kinito init" not in err and "not up to date" not in err
    assert newer.read_bytes() == before


def test_a_register_from_a_newer_kinito_is_backed_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = _newer(tmp_path / "kinito.sqlite3")
    out = tmp_path / "copy.sqlite3"
    assert main(["backup", "--db", str(newer), "--out", str(out)]) == 0
    assert _revision(out) == "0099_from_the_future" and _staff(out) == ["Άννα"]
    assert "backup:" in capsys.readouterr().out


def test_a_read_only_register_can_be_exported(
    tmp_path: Path, read_only: Callable[[Path], None], capsys: pytest.CaptureFixture[str]
) -> None:
    register = _register(tmp_path / "kinito.sqlite3")
    _journal_delete(register)
    before = register.read_bytes()
    read_only(register)
    assert main(["export", "--format", "csv", "--db", str(register), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "beneficiaries.csv").is_file()
    assert register.read_bytes() == before
    assert "readonly" not in capsys.readouterr().err


def test_a_wal_register_in_a_folder_that_cannot_be_written_is_read_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite cannot make the -shm file it reads a WAL register with there: the register is
    opened immutable (the tests may run as root, so the folder's refusal is simulated)."""
    register = _register(tmp_path / "ro" / "kinito.sqlite3")
    assert not Path(f"{register}-shm").exists()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == register.parent else real(p, m))
    assert main(["export", "--format", "csv", "--db", str(register), "--out", str(tmp_path / "out")]) == 0
    assert not Path(f"{register}-shm").exists() and not Path(f"{register}-wal").exists()


def test_demo_accounts_on_a_read_only_register_say_it_is_read_only(
    tmp_path: Path, read_only: Callable[[Path], None], capsys: pytest.CaptureFixture[str]
) -> None:
    register = tmp_path / "demo.sqlite3"
    assert main(["init", "--demo", "--db", str(register), "--reference-date", "2026-12-07"]) == 0
    _journal_delete(register)
    before = register.read_bytes()
    read_only(register)
    capsys.readouterr()
    assert main(["user", "demo", "--db", str(register)]) == 2
    err = capsys.readouterr().err
    assert "μόνο για ανάγνωση" in err and "read-only" in err
    assert "kinito init --demo" not in err and "run `kinito init" not in err
    assert register.read_bytes() == before
