"""Spreadsheet formula injection: a note typed on the tablet as ``=HYPERLINK(...)`` (or a name,
an address) was written as a live formula in ``kinito export --format xlsx`` and raw in the
CSV export. Now XLSX text cells are text, CSV cells that would start a formula get a leading
apostrophe, and the importer drops that apostrophe, so an export still imports back unchanged."""

from __future__ import annotations

import csv
import zipfile
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from planner.cli import main
from planner.register.db import session_scope
from planner.register.exporter import export
from planner.register.importer import import_file
from planner.register.models import Beneficiary, CarePlan, Staff, Unit, VisitOutcome
from tests.register.test_import_helpers import GOOD_PERSON, GOOD_STOP, SECOND_PERSON, counts, write_csv

LINK = '=HYPERLINK("http://evil.example/?x","Κλικ")'
CMD = "+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3"
PLANTED = {LINK, CMD, AT, MINUS}


@pytest.fixture
def planted(loaded_engine: Engine, tmp_path: Path) -> Engine:
    """Two people and a stop imported, then edited as the web forms allow: a formula as a name,
    an address, notes; a staff member and a unit named like formulas; an outcome whose note
    is a formula."""
    assert import_file(loaded_engine, write_csv(tmp_path / "p.csv", [GOOD_PERSON, SECOND_PERSON])).ok
    assert import_file(loaded_engine, write_csv(tmp_path / "s.csv", [GOOD_STOP])).ok
    with session_scope(loaded_engine, actor="maria") as session:
        people = {p.external_id: p for p in session.scalars(select(Beneficiary))}
        people["Ω-1"].full_name, people["Ω-1"].address, people["Ω-1"].notes = LINK, CMD, AT
        people["Ω-2"].notes = MINUS
        session.add(Staff(name="\t=1+2", role="social_worker", day_start=time(8), day_end=time(16)))
        session.add(Unit(name="=cmd|' /C calc'!A0", base_name="Αίγιο", base_lat=38.25, base_lon=22.08))
        plan = session.scalars(
            select(CarePlan).join(Beneficiary).where(Beneficiary.external_id == "Ω-2")
        ).one()
        session.add(VisitOutcome(care_plan_id=plan.id, visit_ref=f"cp-{plan.id}", status="done",
                                 planned_date=date(2026, 12, 1), recorded_by="odigos",
                                 occurred_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC), note=LINK))  # fmt: skip
    return loaded_engine


def test_xlsx_export_writes_formula_like_text_as_text(planted: Engine, tmp_path: Path) -> None:
    """No cell of the workbook is a formula: each planted text is a text cell, shown exactly."""
    (path,) = export(planted, "xlsx", tmp_path / "out.xlsx")
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any(b"<f>" in x or b"<f " in x for x in sheets)
    book = load_workbook(path)
    texts = {c.value: c.data_type for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)}  # fmt: skip
    assert PLANTED | {"\t=1+2", "=cmd|' /C calc'!A0"} <= set(texts)
    assert all(kind == "s" for kind in texts.values())


def test_kinito_export_xlsx_from_the_command_line_has_no_formula(
    planted: Engine, db_file: Path, tmp_path: Path
) -> None:
    """The same through `kinito export --format xlsx`."""
    out = tmp_path / "μητρώο.xlsx"
    assert main(["export", "--db", str(db_file), "--format", "xlsx", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def test_csv_export_puts_an_apostrophe_before_a_formula_but_not_before_a_phone(
    planted: Engine, tmp_path: Path
) -> None:
    """= @ tab CR, and + or - unless a number follows, get a leading apostrophe; the phones
    stay "+30 6912345678" (written so on purpose)."""
    export(planted, "csv", tmp_path / "csv")
    people = {r["Κωδικός"]: r for r in _rows(tmp_path / "csv" / "beneficiaries.csv")}
    one, two = people["Ω-1"], people["Ω-2"]
    assert (one["Ονοματεπώνυμο"], one["Διεύθυνση"], one["Σημειώσεις"]) == ("'" + LINK, "'" + CMD, "'" + AT)
    assert two["Σημειώσεις"] == "'" + MINUS
    assert (one["Τηλέφωνο"], two["Τηλέφωνο"]) == ("+30 6912345678", "+30 2691012345")
    assert one["Γεωγρ. πλάτος"] == "38,1953"
    (outcome,) = _rows(tmp_path / "csv" / "visit_outcomes.csv")
    assert outcome["Σημείωση"] == "'" + LINK
    assert "'\t=1+2" in {r["Ονοματεπώνυμο"] for r in _rows(tmp_path / "csv" / "staff.csv")}
    assert "'=cmd|' /C calc'!A0" in {r["Όνομα"] for r in _rows(tmp_path / "csv" / "units.csv")}


@pytest.mark.parametrize(
    ("text", "written"),
    [("=1+1", "'=1+1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("+cmd", "'+cmd"),
     ("-1+2", "'-1+2"), ("+30 6900000001", "+30 6900000001"), ("-2,5", "-2,5"), ("- 1.5", "- 1.5"),
     ("-", "-"), ("'=x", "''=x"), ("'+30 69", "''+30 69"), ("'abc", "'abc"), ("a=b", "a=b"), ("", "")],
)  # fmt: skip
def test_csv_text_rule(text: str, written: str) -> None:
    """The rule cell by cell (an apostrophe already there is doubled when the importer would
    take it off)."""
    from planner.register.exporter import csv_text

    assert csv_text(text) == written


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_guarded_export_imports_back_unchanged(planted: Engine, tmp_path: Path, fmt: str) -> None:
    """The importer drops the apostrophe the CSV export added: re-importing changes nothing,
    and the texts are stored exactly as before."""
    files = export(planted, fmt, tmp_path / ("out.xlsx" if fmt == "xlsx" else "csv"), "register")  # type: ignore[arg-type]
    before = counts(planted)
    people = files[0] if fmt == "xlsx" else tmp_path / "csv" / "beneficiaries.csv"
    report = import_file(planted, people, kind="beneficiaries", actor="maria")
    assert (report.ok, report.unchanged, report.added, report.updated) == (True, 2, 0, 0), report.issues
    assert counts(planted) == before
    with session_scope(planted) as session:
        one = session.scalars(select(Beneficiary).where(Beneficiary.external_id == "Ω-1")).one()
        assert (one.full_name, one.address, one.notes) == (LINK, CMD, AT)


def test_the_importer_drops_one_leading_apostrophe_before_a_formula_sign(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """'=x is read =x (and ''=x as '=x, what the export writes for a stored '=x); an
    apostrophe before anything else is kept."""
    rows = [{**GOOD_PERSON, "Σημειώσεις": "'=1+1", "Διεύθυνση": "'Αγίου Νικολάου"},
            {**SECOND_PERSON, "Σημειώσεις": "''=x", "Διεύθυνση": "'-5"}]  # fmt: skip
    assert import_file(loaded_engine, write_csv(tmp_path / "p.csv", rows)).ok
    with session_scope(loaded_engine) as session:
        stored = {p.external_id: (p.notes, p.address) for p in session.scalars(select(Beneficiary))}
    assert stored == {"Ω-1": ("=1+1", "'Αγίου Νικολάου"), "Ω-2": ("'=x", "-5")}


def test_a_stored_apostrophe_formula_survives_the_csv_round_trip(planted: Engine, tmp_path: Path) -> None:
    """A text stored as '=x is exported ''=x and imported back '=x: nothing changes."""
    with session_scope(planted) as session:
        two = session.scalars(select(Beneficiary).where(Beneficiary.external_id == "Ω-2")).one()
        two.address = "'=x"
    export(planted, "csv", tmp_path / "csv", "register")
    report = import_file(planted, tmp_path / "csv" / "beneficiaries.csv", kind="beneficiaries")
    assert (report.ok, report.unchanged, report.updated) == (True, 2, 0), report.issues
