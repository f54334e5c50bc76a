"""Control characters pasted from a word processor (a vertical tab is Word's line break, a form
feed its page break; a NUL from a broken file) were stored as typed; then `kinito export
--format xlsx` and management's workbook failed on them (openpyxl refuses them: "internal
error (IllegalCharacterError)"), and a CSV export with a NUL read back as "looks like UTF-16".
Now the register stores plain text whichever way it comes, and the exports clean what an older
register already holds."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine, select, text

from planner.register.db import session_scope
from planner.register.exporter import export
from planner.register.importer import import_file
from planner.register.models import AuditLog, Beneficiary, Staff, plain_text
from tests.register.test_import_helpers import GOOD_PERSON, write_csv


def test_text_is_stored_without_control_characters(loaded_engine: Engine, tmp_path: Path) -> None:
    """A name keeps one line (Word's break a space), a note its lines; NULs go; the audit log
    records what was stored."""
    assert import_file(loaded_engine, write_csv(tmp_path / "p.csv", [GOOD_PERSON])).ok
    with session_scope(loaded_engine, actor="maria") as s:
        person = s.scalars(select(Beneficiary)).one()
        person.full_name = "Μαρία\x0bΚ.\x00"
        person.notes = "πρώτη γραμμή\x0bδεύτερη\x0cτρίτη\tστήλη"
        s.add(Staff(name="Ελένη\x07 Π.", role="social_worker"))
    with session_scope(loaded_engine) as s:
        person = s.scalars(select(Beneficiary)).one()
        assert person.full_name == "Μαρία Κ."
        assert person.notes == "πρώτη γραμμή\nδεύτερη\nτρίτη\tστήλη"
        assert s.scalars(select(Staff.name)).all() == ["Ελένη Π."]
        logged = s.scalars(select(AuditLog).where(AuditLog.action == "update")).all()
        assert logged and all("\x0b" not in str(e.after) and "\x00" not in str(e.after) for e in logged)


def test_exports_clean_what_an_older_register_holds(loaded_engine: Engine, tmp_path: Path) -> None:
    """Written behind the register's back (as an older version stored them), a vertical tab in a
    note and a NUL in a name: the workbook is written and the CSV reads back."""
    assert import_file(loaded_engine, write_csv(tmp_path / "p.csv", [GOOD_PERSON])).ok
    with loaded_engine.begin() as c:
        c.execute(
            text("UPDATE beneficiaries SET full_name = :n, notes = :t"), {"n": "Νίκος\x00 Α.", "t": "α\x0bβ"}
        )
    (book_path,) = export(loaded_engine, "xlsx", tmp_path / "out.xlsx")
    book = load_workbook(book_path)
    values = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert "Νίκος Α." in values and "α\nβ" in values
    files = export(loaded_engine, "csv", tmp_path / "csv")
    raw = b"".join(f.read_bytes() for f in files)
    assert b"\x00" not in raw and b"\x0b" not in raw
    people = next(f for f in files if "benef" in f.name)
    with people.open(encoding="utf-8-sig", newline="") as fh:
        assert any("Νίκος Α." in row for row in csv.reader(fh, delimiter=";"))
    assert plain_text("α\x0bβ", multiline=False) == "α β"


def test_an_import_compares_what_is_stored(loaded_engine: Engine, tmp_path: Path) -> None:
    """The importer read cells raw and the register stored them cleaned: a note with a control
    character was "updated" on every re-import, and an ID with one failed the second import
    (the lookup by the raw ID missed, the insert of the cleaned one collided)."""
    row = dict(GOOD_PERSON, **{"Κωδικός": "Ω\x01-1", "Σημειώσεις": "α\x01β"})
    path = write_csv(tmp_path / "p.csv", [row])
    assert import_file(loaded_engine, path).ok
    again = import_file(loaded_engine, path)
    assert again.ok and again.unchanged == 1 and not again.updated and not again.added
    with session_scope(loaded_engine) as s:
        assert [(b.external_id, b.notes) for b in s.scalars(select(Beneficiary))] == [("Ω-1", "αβ")]
