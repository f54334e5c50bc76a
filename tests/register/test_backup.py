"""``kinito backup`` and ``kinito restore`` on real register files: the newest changes (still in
the ``-wal`` file while the register is open) are in the backup, a restore keeps the register
it replaces, an older backup is brought up to this schema, and what is not a Kinito register of
this version or older is refused, nothing changed."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from planner.cli import main
from planner.register.db import make_engine, session_scope
from planner.register.migrate import current_revision, head_revision, upgrade
from planner.register.models import Staff


def _staff(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [name for (name,) in con.execute("SELECT name FROM staff ORDER BY id")]
    finally:
        con.close()


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "instance" / "kinito.sqlite3"
    upgrade(path)
    return path


def test_a_backup_taken_while_the_register_is_open_has_its_newest_changes(
    register: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A staff member added by a connection that stays open (as the web application's does) is
    in the WAL, not yet in the .sqlite3 file; the backup has them, checked, owner-only."""
    engine = make_engine(register)
    try:
        with session_scope(engine, actor="test") as s:
            s.add(Staff(name="Νέα Κοινωνική Λειτουργός", role="social_worker"))
        assert Path(f"{register}-wal").stat().st_size > 0
        out = tmp_path / "copy.sqlite3"
        assert main(["backup", "--db", str(register), "--out", str(out)]) == 0
        assert _staff(out) == ["Νέα Κοινωνική Λειτουργός"]
        assert os.stat(out).st_mode & 0o777 == 0o600
        printed = capsys.readouterr().out
        assert "αντίγραφο ασφαλείας / backup:" in printed and "0 ωφελούμενοι" in printed
        # the default name: backups/ beside the register, by time; an existing file is not overwritten
        assert main(["backup", "--db", str(register)]) == 0
        (made,) = (register.parent / "backups").iterdir()
        assert made.name.startswith("kinito-") and _staff(made) == ["Νέα Κοινωνική Λειτουργός"]
        assert main(["backup", "--db", str(register), "--out", str(out)]) == 2
        assert "υπάρχει ήδη" in capsys.readouterr().err
    finally:
        engine.dispose()


def test_restore_asks_for_yes_keeps_the_register_it_replaces_and_brings_it_back(
    register: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(register)
    with session_scope(engine) as s:
        s.add(Staff(name="Πριν", role="social_worker"))
    engine.dispose()
    backup = tmp_path / "monday.sqlite3"
    assert main(["backup", "--db", str(register), "--out", str(backup)]) == 0
    engine = make_engine(register)
    with session_scope(engine) as s:
        s.add(Staff(name="Μετά", role="psychologist"))
    engine.dispose()
    capsys.readouterr()
    assert main(["restore", str(backup), "--db", str(register)]) == 2
    assert "--yes" in capsys.readouterr().err and _staff(register) == ["Πριν", "Μετά"]
    assert main(["restore", str(backup), "--db", str(register), "--yes"]) == 0
    assert _staff(register) == ["Πριν"]
    (kept,) = (register.parent / "backups").glob("kinito-before-restore-*.sqlite3")
    assert _staff(kept) == ["Πριν", "Μετά"]
    assert "το μητρώο όπως ήταν / the register as it was" in capsys.readouterr().out
    engine = make_engine(register)
    with session_scope(engine) as s:  # the restored register works as any other
        assert s.scalar(select(func.count()).select_from(Staff)) == 1
    engine.dispose()


def test_an_older_backup_is_brought_up_to_this_schema(register: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    upgrade(old, "0003")
    assert main(["restore", str(old), "--db", str(register), "--yes"]) == 0
    engine = make_engine(register)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_what_is_not_a_kinito_register_of_this_version_is_refused(
    register: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.sqlite3"
    text.write_text("όχι βάση", encoding="utf-8")
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    newer = tmp_path / "newer.sqlite3"
    upgrade(newer)
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    before = register.read_bytes()
    refused = (
        (text, "δεν είναι βάση SQLite"),
        (other, "δεν είναι μητρώο του Kinito"),
        (newer, "νεότερη έκδοση του Kinito"),
        (tmp_path / "none.sqlite3", "δεν υπάρχει"),
    )
    for path, said in refused:
        assert main(["restore", str(path), "--db", str(register), "--yes"]) == 2
        assert said in capsys.readouterr().err, path
    assert register.read_bytes() == before and not (register.parent / "backups").exists()
    assert main(["backup", "--db", str(tmp_path / "missing.sqlite3")]) == 2
    assert "kinito init" in capsys.readouterr().err
