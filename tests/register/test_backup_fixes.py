"""``kinito backup`` / ``restore`` / ``export`` where they failed their users: writes made during a
restore, a damaged register, read-only WAL files, messages that named the wrong file or none,
two backups in one second, a restore that left no trace, exports readable by everyone."""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from planner.cli import main
from planner.register import backup_cli
from planner.register import db as register_db
from planner.register.db import make_engine, session_scope
from planner.register.migrate import upgrade
from planner.register.models import Staff


def _staff(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [name for (name,) in con.execute("SELECT name FROM staff ORDER BY id")]
    finally:
        con.close()


def _add_staff(register: Path, *names: str) -> None:
    engine = make_engine(register)
    try:
        with session_scope(engine, actor="test") as s:
            s.add_all(Staff(name=name, role="social_worker") for name in names)
    finally:
        engine.dispose()


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "instance" / "kinito.sqlite3"
    upgrade(path)
    return path


@pytest.fixture
def backup(register: Path, tmp_path: Path) -> Path:
    """A backup of the register holding one staff member, «Πριν»."""
    _add_staff(register, "Πριν")
    out = tmp_path / "monday.sqlite3"
    assert main(["backup", "--db", str(register), "--out", str(out)]) == 0
    return out


def _kept(register: Path) -> Path:
    (kept,) = (register.parent / "backups").glob("kinito-before-restore-*.sqlite3")
    return kept


# 1. writes committed while a restore runs ---------------------------------------------------


def test_every_write_committed_during_a_restore_is_in_the_kept_copy_or_the_restored_register(
    register: Path, backup: Path
) -> None:
    """A writer (the web application's tablets sending outcomes) keeps committing while the
    restore runs: what it committed before the restore took the register is in the copy kept
    beside it, what it committed after is in the restored register; none is lost."""
    committed: list[str] = []
    stop = threading.Event()
    failed: list[BaseException] = []

    def writer() -> None:
        engine = make_engine(register)
        try:
            n = 0
            while not stop.is_set():
                n += 1
                name = f"w{n}"
                with session_scope(engine, actor="tablet") as s:
                    s.add(Staff(name=name, role="social_worker"))
                committed.append(name)
        except BaseException as exc:  # said by the test below
            failed.append(exc)
        finally:
            engine.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 20:
            time.sleep(0.005)
        assert main(["restore", str(backup), "--db", str(register), "--yes"]) == 0
        before = len(committed)
        while len(committed) < before + 5 and thread.is_alive():
            time.sleep(0.005)
    finally:
        stop.set()
        thread.join(60)
    assert not failed, failed
    kept, restored = set(_staff(_kept(register))), set(_staff(register))
    assert "Πριν" in restored
    lost = [name for name in committed if name not in kept and name not in restored]
    assert lost == []


# 2. a damaged register can be restored ------------------------------------------------------


def _corrupt(register: Path) -> None:
    """A page of the staff table overwritten (a disk error): SQLite opens the file, its
    integrity check fails."""
    _add_staff(register, *(f"Λειτουργός {i} " + "χ" * 300 for i in range(60)))
    con = sqlite3.connect(register)
    con.execute("PRAGMA journal_mode=DELETE")
    (page_size,) = con.execute("PRAGMA page_size").fetchone()
    (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'staff'").fetchone()
    con.close()
    with register.open("r+b") as f:
        f.seek((root - 1) * page_size + 8)
        f.write(b"\xff" * 64)


def _miscount(register: Path) -> None:
    """The staff table's page says it holds fewer rows than it does: SQLite reads the file, its
    integrity check lists what it finds over several lines."""
    _add_staff(register, "α", "β", "γ")
    con = sqlite3.connect(register)
    con.execute("PRAGMA journal_mode=DELETE")
    (page_size,) = con.execute("PRAGMA page_size").fetchone()
    (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'staff'").fetchone()
    con.close()
    with register.open("r+b") as f:
        f.seek((root - 1) * page_size + 3)
        f.write(b"\x00\x01")


@pytest.mark.parametrize("damage", ["page", "garbage", "truncated"])
def test_a_damaged_register_is_kept_as_it_is_and_replaced(
    register: Path, backup: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if damage == "page":
        _corrupt(register)
    elif damage == "garbage":
        register.write_bytes(b"not a register at all " * 100)
    else:
        register.write_bytes(register.read_bytes()[:3000])
    damaged = register.read_bytes()
    capsys.readouterr()
    assert main(["restore", str(backup), "--db", str(register), "--yes"]) == 0
    assert _staff(register) == ["Πριν"]
    kept = _kept(register)
    assert kept.read_bytes() == damaged and os.stat(kept).st_mode & 0o777 == 0o600
    said = capsys.readouterr()
    text = said.out + said.err
    assert (
        f"το μητρώο {register} είναι κατεστραμμένο" in text and f"the register {register} is damaged" in text
    )
    assert str(kept) in said.out
    assert "before-restore" not in said.err  # no message about a copy that was never made


# 3. "the register as it was" only for a copy that exists ------------------------------------


def test_no_copy_is_named_when_none_was_made(
    register: Path, backup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (register.parent / "backups").write_text("a file where the folder goes", encoding="utf-8")
    capsys.readouterr()
    assert main(["restore", str(backup), "--db", str(register), "--yes"]) == 2
    said = capsys.readouterr()
    assert "the register as it was" not in said.out + said.err
    assert str(register.parent / "backups") in said.err
    assert _staff(register) == ["Πριν"]


# 4. backing up a damaged or foreign register blames the register -----------------------------


def test_backing_up_a_damaged_register_says_the_register_is_damaged(
    register: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _corrupt(register)
    out = tmp_path / "cb.sqlite3"
    capsys.readouterr()
    assert main(["backup", "--db", str(register), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"το μητρώο {register} είναι κατεστραμμένο" in err and "no backup was made" in err
    assert f"το {out}" not in err and err.count("\n") == 1  # one line, SQLite's findings shortened
    assert not out.exists()
    other_register = tmp_path / "miscounted" / "kinito.sqlite3"
    upgrade(other_register)
    _miscount(other_register)
    assert main(["backup", "--db", str(other_register), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"the register {other_register} is damaged (" in err and "***" not in err and err.count("\n") == 1
    assert not out.exists()
    register.write_bytes(register.read_bytes()[:3000])  # truncated: damaged, not "not a SQLite database"
    assert main(["backup", "--db", str(register), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "κατεστραμμένο" in err and "not a SQLite database" not in err and not out.exists()
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert main(["backup", "--db", str(other), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{other} is not a Kinito register; no backup was made" in err and not out.exists()


# 5. read-only WAL files -----------------------------------------------------------------------


@pytest.fixture
def unwritable_folder(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """A folder SQLite cannot write (a read-only disk; the tests may run as root, whom
    permissions do not stop): ``os.access`` says so, and SQLite cannot open a WAL file there
    but immutable, having no ``-shm`` (it says "unable to open database file")."""
    folders: set[Path] = set()
    real_access, real_connect = os.access, sqlite3.connect

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if Path(path).resolve() in folders and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        text = str(database)
        file = Path(text.removeprefix("file://").split("?")[0]) if text.startswith("file:") else Path(text)
        if file.resolve().parent in folders and "immutable=1" not in text:
            raise sqlite3.OperationalError("unable to open database file")
        connection: sqlite3.Connection = real_connect(database, *args, **kwargs)
        return connection

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(sqlite3, "connect", connect)
    return lambda folder: folders.add(folder.resolve())


def _wal_register(path: Path, *names: str) -> Path:
    upgrade(path)
    _add_staff(path, *names)
    assert not Path(f"{path}-shm").exists()  # the last connection closed: WAL in its header only
    with path.open("rb") as f:
        assert f.read(20)[18:20] == b"\x02\x02"
    return path


def test_a_wal_register_in_a_read_only_folder_is_backed_up_and_restored_from(
    tmp_path: Path,
    register: Path,
    unwritable_folder: Callable[[Path], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    ro = _wal_register(tmp_path / "roreg" / "reg.sqlite3", "Από USB")
    unwritable_folder(ro.parent)
    out = tmp_path / "robk.sqlite3"
    assert main(["backup", "--db", str(ro), "--out", str(out)]) == 0, capsys.readouterr().err
    assert _staff(out) == ["Από USB"]
    assert main(["restore", str(ro), "--db", str(register), "--yes"]) == 0, capsys.readouterr().err
    assert _staff(register) == ["Από USB"]


def test_a_file_that_cannot_be_opened_is_not_called_not_a_sqlite_database(
    tmp_path: Path, register: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _wal_register(tmp_path / "media" / "copy.sqlite3", "x")
    real = sqlite3.connect

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if "copy.sqlite3" in str(database):
            raise sqlite3.OperationalError("unable to open database file")
        connection: sqlite3.Connection = real(database, *args, **kwargs)
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    assert main(["restore", str(source), "--db", str(register), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "not a SQLite database" not in err and str(source) in err and "unable to open" in err


# 6. exports are their owner's only --------------------------------------------------------------


def test_exports_are_readable_by_their_owner_only(register: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "exp" / "all.xlsx"
    assert main(["export", "--format", "xlsx", "--db", str(register), "--out", str(xlsx)]) == 0
    assert os.stat(xlsx).st_mode & 0o777 == 0o600
    folder = tmp_path / "csv"
    assert main(["export", "--format", "csv", "--db", str(register), "--out", str(folder)]) == 0
    files = list(folder.iterdir())
    assert files and all(os.stat(f).st_mode & 0o777 == 0o600 for f in files)
    assert os.stat(folder).st_mode & 0o077 == 0
    old = tmp_path / "old.xlsx"  # written over: made private too
    old.write_bytes(b"")
    os.chmod(old, 0o644)
    assert main(["export", "--format", "xlsx", "--db", str(register), "--out", str(old)]) == 0
    assert os.stat(old).st_mode & 0o777 == 0o600


# 7. OS errors with the file and in words ----------------------------------------------------------


def test_os_errors_name_the_file_and_say_what_to_do(
    register: Path,
    backup: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "afolder"
    folder.mkdir()
    capsys.readouterr()
    assert main(["restore", str(backup), "--db", str(folder), "--yes"]) == 2
    err = capsys.readouterr().err
    assert f"{folder}" in err and "φάκελος" in err and "is a folder" in err

    def refused(path: Path) -> None:
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(register_db, "create_private_file", refused)
    out = tmp_path / "locked" / "b.sqlite3"
    assert main(["backup", "--db", str(register), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "δικαιώματα" in err and "permissions" in err
    assert main(["restore", str(backup), "--db", str(register), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "before-restore" in err and "δικαιώματα" in err and "permissions" in err
    assert "the register as it was" not in err


# 8. a full disk is the backup file's disk ---------------------------------------------------------


def test_a_full_disk_names_the_backup_files_disk(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = sqlite3.Connection.backup

    class Full(sqlite3.Connection):
        def backup(self, target: sqlite3.Connection, *args: Any, **kwargs: Any) -> None:
            target.execute("PRAGMA max_page_count = 1")  # no room for the copy, as on a full disk
            real(self, target, *args, **kwargs)

    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, **{**k, "factory": Full}))
    out = tmp_path / "usb" / "b.sqlite3"
    assert main(["backup", "--db", str(register), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "register's disk" not in err and "full" in err
    assert not out.exists()


# 9. two backups with the default name in one second ------------------------------------------------


def test_two_default_backups_in_one_second_both_made(register: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup_cli, "_stamp", lambda: "20261128-052508")
    assert main(["backup", "--db", str(register)]) == 0
    assert main(["backup", "--db", str(register)]) == 0
    names = sorted(p.name for p in (register.parent / "backups").iterdir())
    assert names == ["kinito-20261128-052508-2.sqlite3", "kinito-20261128-052508.sqlite3"]


# 10. a restore is in the audit log -------------------------------------------------------------------


def test_a_restore_is_written_in_the_restored_registers_audit_log(register: Path, backup: Path) -> None:
    _add_staff(register, "Μετά")
    assert main(["restore", str(backup), "--db", str(register), "--yes"]) == 0
    con = sqlite3.connect(register)
    try:
        rows = con.execute(
            "SELECT actor, action, entity, before, after FROM audit_log WHERE entity = 'register'"
        ).fetchall()
    finally:
        con.close()
    ((actor, action, entity, before, after),) = rows
    assert actor == getpass.getuser() and action == "update" and entity == "register"
    assert json.loads(after)["restored_from"] == str(backup.resolve())
    assert json.loads(before)["kept_in"] == str(_kept(register))
    engine = make_engine(register)  # read back through the model as any other entry
    try:
        from planner.register.models import AuditLog

        with session_scope(engine, read_only=True) as s:
            (entry,) = s.query(AuditLog).filter(AuditLog.entity == "register").all()
            assert (
                entry.at.year >= 2026
                and entry.after
                and entry.after["restored_from"] == str(backup.resolve())
            )
    finally:
        engine.dispose()
