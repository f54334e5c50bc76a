"""Importing XLSX and CSV files into the register: good files, bad cells, all or nothing, re-imports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from planner.cli import main
from planner.register.db import session_scope
from planner.register.exporter import template_path, template_sheets, write_csv
from planner.register.importer import ImportReport, import_file
from planner.register.models import AuditLog, Beneficiary, Staff, VillageStop
from tests.register.test_import_helpers import (
    GOOD_PERSON,
    GOOD_STOP,
    SECOND_PERSON,
    audit_rows,
    counts,
    csv_bytes,
    write_xlsx,
)
from tests.register.test_import_helpers import write_csv as write_rows

ROWS = [GOOD_PERSON, SECOND_PERSON]


def _people(engine: Engine) -> dict[str, Beneficiary]:
    with session_scope(engine) as session:
        people = list(session.scalars(select(Beneficiary)))
        for p in people:
            _ = p.care_plans, p.settlement
        return {str(p.external_id): p for p in people}


def _assert_imported(engine: Engine, report: ImportReport) -> None:
    assert report.ok, [i.message for i in report.issues]
    assert (report.added, report.updated, report.unchanged, report.written) == (2, 0, 0, True)
    people = _people(engine)
    maria, nikos = people["Ω-1"], people["Ω-2"]
    assert maria.full_name == "Παπαδοπούλου Μαρία"
    assert maria.settlement_code == "3702040101"  # Διακοπτόν
    assert (maria.lat, maria.lon) == (38.1953, 22.2006)
    assert maria.phone == "+306912345678"
    assert maria.priority_groups == ["kea", "living_alone"]
    (plan,) = maria.care_plans
    assert (plan.service, plan.required_role, plan.duration_min) == (
        "κατ' οίκον φροντίδα",
        "social_worker",
        45,
    )
    assert (plan.frequency_kind, plan.frequency_count) == ("every_n_weeks", 2)
    assert plan.allowed_weekdays == [1, 3]
    assert plan.time_windows == [["09:00", "12:00"], ["17:00", "19:00"]]
    assert (plan.start_date, plan.end_date, plan.status) == (date(2026, 11, 2), None, "active")
    assert nikos.settlement.municipal_unit == "Συμπολιτείας" and nikos.settlement.name_el == "Λάκκα"
    assert (nikos.lat, nikos.lon, nikos.phone) == (None, None, "+302691012345")
    (plan2,) = nikos.care_plans
    assert (plan2.required_role, plan2.frequency_kind, plan2.frequency_count) == (
        "psychologist",
        "monthly",
        1,
    )
    assert (plan2.allowed_weekdays, plan2.start_date) == ([1, 2, 3, 4, 5], date(2026, 12, 1))


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ";"),
        ("utf-8", ","),
        ("utf-8-sig", ";"),
        ("utf-8-sig", ","),
        ("cp1253", ";"),
        ("cp1253", ","),
    ],
)
def test_good_csv_in_every_encoding_and_separator_imports(
    loaded_engine: Engine, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    """UTF-8 with or without BOM and Windows-1253 (Greek Excel), `;` or `,`: the same register."""
    path = write_rows(tmp_path / "people.csv", ROWS, encoding=encoding, delimiter=delimiter)
    if encoding == "cp1253":
        assert b"\xd0\xe1\xf0\xe1" in path.read_bytes()  # Παπα in Windows-1253, so the test means it
    _assert_imported(loaded_engine, import_file(loaded_engine, path, actor="maria"))


def test_an_iso_8859_7_csv_from_an_older_system_imports(loaded_engine: Engine, tmp_path: Path) -> None:
    """ISO-8859-7 differs from Windows-1253 on Ά (byte B6, ¶ in Windows-1253): it is told apart."""
    rows = [{**GOOD_PERSON, "Ονοματεπώνυμο": "Άννα Ανδρέου"}, SECOND_PERSON]
    path = write_rows(tmp_path / "old.csv", rows, encoding="iso-8859-7")
    assert b"\xb6" in path.read_bytes()
    report = import_file(loaded_engine, path)
    assert report.ok, [i.message for i in report.issues]
    assert _people(loaded_engine)["Ω-1"].full_name == "Άννα Ανδρέου"


def test_good_xlsx_with_number_and_date_cells_imports(loaded_engine: Engine, tmp_path: Path) -> None:
    """Excel cells keep their types: numbers for phone, coordinates, duration; real dates."""
    rows = [
        {**GOOD_PERSON, "Τηλέφωνο": 6912345678, "Γεωγρ. πλάτος": 38.1953, "Γεωγρ. μήκος": 22.2006,
         "Διάρκεια (λεπτά)": 45, "Έναρξη": date(2026, 11, 2)},
        SECOND_PERSON,
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "people.xlsx", rows)
    _assert_imported(loaded_engine, import_file(loaded_engine, path, actor="maria"))


def test_english_headers_are_accepted(loaded_engine: Engine, tmp_path: Path) -> None:
    """Each column may be named in English instead (or as 'Ελληνικά / English')."""
    english = {
        "Κωδικός": "ID", "Ονοματεπώνυμο": "Full name", "Οικισμός": "Settlement / Οικισμός",
        "Κωδικός ΕΛΣΤΑΤ": "ELSTAT code", "Διεύθυνση": "Address", "Γεωγρ. πλάτος": "Latitude",
        "Γεωγρ. μήκος": "Longitude", "Τηλέφωνο": "Phone", "Ομάδες προτεραιότητας": "Priority groups",
        "Σημειώσεις": "Notes", "Ενεργός": "Active", "Υπηρεσία": "Service", "Ειδικότητα": "Role",
        "Διάρκεια (λεπτά)": "Duration (min)", "Συχνότητα": "Frequency", "Ημέρες": "Weekdays",
        "Ώρες": "Time windows", "Έναρξη": "Start date", "Λήξη": "End date", "Κατάσταση πλάνου": "Plan status",
    }  # fmt: skip
    rows = [{english[k]: v for k, v in row.items()} for row in ROWS]
    path = write_rows(tmp_path / "people.csv", rows, delimiter=",")
    _assert_imported(loaded_engine, import_file(loaded_engine, path, actor="maria"))


def test_the_import_is_audited_with_its_actor(loaded_engine: Engine, tmp_path: Path) -> None:
    """Every inserted row has an audit row naming who imported."""
    path = write_rows(tmp_path / "people.csv", ROWS)
    assert import_file(loaded_engine, path, actor="maria").ok
    assert audit_rows(loaded_engine) == [
        ("maria", "insert", "beneficiaries"), ("maria", "insert", "care_plans"),
        ("maria", "insert", "beneficiaries"), ("maria", "insert", "care_plans"),
    ]  # fmt: skip


def test_reimporting_the_same_file_changes_nothing(loaded_engine: Engine, tmp_path: Path) -> None:
    """Same IDs, same values: all unchanged, no new rows, no audit rows."""
    path = write_rows(tmp_path / "people.csv", ROWS)
    assert import_file(loaded_engine, path, actor="maria").added == 2
    before = counts(loaded_engine)
    again = import_file(loaded_engine, path, actor="maria")
    assert (again.ok, again.added, again.updated, again.unchanged) == (True, 0, 0, 2)
    assert counts(loaded_engine) == before


def test_a_changed_row_is_updated_and_only_it(loaded_engine: Engine, tmp_path: Path) -> None:
    """A new phone and frequency for Ω-2: one update, logged with before and after."""
    assert import_file(loaded_engine, write_rows(tmp_path / "a.csv", ROWS), actor="maria").ok
    changed = {**SECOND_PERSON, "Τηλέφωνο": "6987654321", "Συχνότητα": "2 φορές τον μήνα"}
    report = import_file(loaded_engine, write_rows(tmp_path / "b.csv", [GOOD_PERSON, changed]), actor="eleni")
    assert (report.ok, report.added, report.updated, report.unchanged) == (True, 0, 1, 1)
    people = _people(loaded_engine)
    assert people["Ω-2"].phone == "+306987654321"
    assert people["Ω-2"].care_plans[0].frequency_count == 2
    assert len(people["Ω-2"].care_plans) == 1
    with session_scope(loaded_engine) as session:
        updates = list(
            session.scalars(select(AuditLog).where(AuditLog.action == "update").order_by(AuditLog.id))
        )
    assert [(u.actor, u.entity) for u in updates] == [("eleni", "beneficiaries"), ("eleni", "care_plans")]
    assert (updates[0].before, updates[0].after) == ({"phone": "+302691012345"}, {"phone": "+306987654321"})
    assert (updates[1].before, updates[1].after) == ({"frequency_count": 1}, {"frequency_count": 2})


def test_dry_run_counts_but_writes_nothing(loaded_engine: Engine, tmp_path: Path) -> None:
    """--dry-run: the report says what would happen; the register and its log stay as they were."""
    before = counts(loaded_engine)
    report = import_file(loaded_engine, write_rows(tmp_path / "a.csv", ROWS), actor="maria", dry_run=True)
    assert (report.ok, report.added, report.written) == (True, 2, False)
    assert counts(loaded_engine) == before


# --- bad files: an error anywhere changes nothing ------------------------------------------

BAD_CELLS = [
    ("bad-date", "Έναρξη", "31/02/2026", "δεν υπάρχει"),
    ("bad-date-format", "Λήξη", "2026/12/31", "ηη/μμ/εεεε"),
    ("end-before-start", "Λήξη", "01/01/2026", "πριν από την έναρξη"),
    ("bad-time-window", "Ώρες", "12:00-09:00", "η έναρξη δεν είναι πριν"),
    ("bad-weekday", "Ημέρες", "Δευτέρα, Funday", "Άγνωστη ημέρα"),
    ("bad-phone", "Τηλέφωνο", "691234", "τηλέφωνο"),
    ("bad-number", "Γεωγρ. πλάτος", "38,19x", "Μη έγκυρος αριθμός"),
    ("outside-municipality", "Γεωγρ. πλάτος", "40,5", "έξω από τα όρια"),
    ("bad-duration", "Διάρκεια (λεπτά)", "μισή ώρα", "Μη έγκυρη διάρκεια"),
    ("unknown-settlement", "Οικισμός", "Ατλαντίδα", "Δεν βρέθηκε οικισμός"),
    ("near-miss-settlement", "Οικισμός", "Diakopo", "Μήπως εννοείτε"),
    ("ambiguous-settlement", "Οικισμός", "Λάκκα", "Διευκρινίστε τη δημοτική ενότητα"),
    ("unknown-elstat-code", "Κωδικός ΕΛΣΤΑΤ", "9999999999", "δεν είναι οικισμός"),
    ("unknown-priority-group", "Ομάδες προτεραιότητας", "ΚΕΑ, VIP", "Άγνωστη ομάδα"),
    ("unknown-frequency", "Συχνότητα", "πότε πότε", "Άγνωστη συχνότητα"),
    ("out-of-range-frequency", "Συχνότητα", "9 φορές την εβδομάδα", "εκτός ορίων"),
    ("unknown-role", "Ειδικότητα", "μάγειρας", "Άγνωστη ειδικότητα"),
    ("empty-name", "Ονοματεπώνυμο", "", "Κενό υποχρεωτικό"),
    ("bad-active", "Ενεργός", "ίσως", "ναι ή όχι"),
]


@pytest.fixture
def registered(loaded_engine: Engine, tmp_path: Path) -> Engine:
    """The register after a first good import of Ω-1 and Ω-2 (so an update could be attempted)."""
    assert import_file(loaded_engine, write_rows(tmp_path / "first.csv", ROWS), actor="maria").ok
    return loaded_engine


@pytest.mark.parametrize(
    ("column", "value", "fragment"), [c[1:] for c in BAD_CELLS], ids=[c[0] for c in BAD_CELLS]
)
def test_each_kind_of_bad_cell_is_reported_and_nothing_is_written(
    registered: Engine, tmp_path: Path, column: str, value: str, fragment: str
) -> None:
    """Ω-1 changed (good), Ω-2 with one bad cell, Ω-3 new (good): the error names the row and the
    column in Greek and English, and no row or audit row changes."""
    changed = {**GOOD_PERSON, "Τηλέφωνο": "6900000009"}
    bad = {**SECOND_PERSON, column: value}
    new = {**GOOD_PERSON, "Κωδικός": "Ω-3", "Ονοματεπώνυμο": "Νέα Ωφελούμενη"}
    path = write_rows(tmp_path / "bad.csv", [changed, bad, new])
    before, log_before = counts(registered), audit_rows(registered)
    report = import_file(registered, path, actor="maria")
    assert not report.ok and not report.written
    errors = report.errors
    assert [(e.row, e.column) for e in errors] == [(3, column)], [e.message for e in errors]
    assert fragment in errors[0].message_el
    assert errors[0].message_en and errors[0].message_en != errors[0].message_el
    assert counts(registered) == before
    assert audit_rows(registered) == log_before
    assert _people(registered)["Ω-1"].phone == "+306912345678"


def test_one_bad_row_among_many_reports_every_error(registered: Engine, tmp_path: Path) -> None:
    """The report lists all problems of the file, not just the first."""
    rows = [{**GOOD_PERSON, "Έναρξη": "99/99/2026"}, {**SECOND_PERSON, "Ώρες": "πρωί", "Τηλέφωνο": "12"}]
    report = import_file(registered, write_rows(tmp_path / "bad.csv", rows), actor="maria")
    assert {(e.row, e.column) for e in report.errors} == {(2, "Έναρξη"), (3, "Τηλέφωνο"), (3, "Ώρες")}


def test_missing_required_column_is_one_clear_error_in_both_languages(
    registered: Engine, tmp_path: Path
) -> None:
    """No 'Συχνότητα' column: one error naming it in Greek and English, nothing written."""
    rows = [{k: v for k, v in row.items() if k != "Συχνότητα"} for row in ROWS]
    before = counts(registered)
    report = import_file(registered, write_rows(tmp_path / "bad.csv", rows), actor="maria")
    assert len(report.errors) == 1
    (error,) = report.errors
    assert "«Συχνότητα»" in error.message_el and "'Frequency'" in error.message_en
    assert counts(registered) == before


def test_a_duplicate_id_in_one_file_is_an_error(registered: Engine, tmp_path: Path) -> None:
    """Two rows with Ω-2 and two names: the second is reported with the row and name of the
    first (two people with one ID); nothing written."""
    rows = [GOOD_PERSON, SECOND_PERSON, {**SECOND_PERSON, "Ονοματεπώνυμο": "Άλλος"}]
    before, log_before = counts(registered), audit_rows(registered)
    report = import_file(registered, write_rows(tmp_path / "dup.csv", rows), actor="maria")
    assert [(e.row, e.column) for e in report.errors] == [(4, "Ονοματεπώνυμο")]
    assert "δύο άτομα με τον ίδιο κωδικό" in report.errors[0].message_el
    assert "γραμμή 3" in report.errors[0].message_el and "row 3" in report.errors[0].message_en
    assert (counts(registered), audit_rows(registered)) == (before, log_before)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(csv_bytes(ROWS).decode("utf-8").encode("utf-16"), id="utf-16"),
        pytest.param(
            b"\x81\x98\xff;\x90\x9d\n" + csv_bytes(ROWS, encoding="cp1253"), id="neither-utf8-nor-cp1253"
        ),
        pytest.param(
            csv_bytes(ROWS, encoding="iso-8859-7").replace(b"\xd0", b"\xb6\x8a"), id="control-bytes"
        ),
    ],
)
def test_wrong_encoding_is_reported_and_nothing_is_written(
    registered: Engine, tmp_path: Path, data: bytes
) -> None:
    """Bytes that are neither UTF-8 nor sensible Windows-1253: one file-level error."""
    path = tmp_path / "weird.csv"
    path.write_bytes(data)
    before = counts(registered)
    report = import_file(registered, path, actor="maria")
    assert [(e.row, e.column) for e in report.errors] == [(None, None)]
    assert "κωδικοποίηση" in report.errors[0].message_el or "UTF-16" in report.errors[0].message_el
    assert counts(registered) == before


def test_a_file_that_is_not_xlsx_is_reported(loaded_engine: Engine, tmp_path: Path) -> None:
    """A broken .xlsx (a zip that is not a workbook) is a file-level error, not a crash."""
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    report = import_file(loaded_engine, path)
    assert not report.ok and report.errors[0].row is None


def test_data_on_a_later_sheet_is_pointed_out(loaded_engine: Engine, tmp_path: Path) -> None:
    """A workbook whose first sheet is notes and whose data is on the second: the error says
    only the first sheet was read, naming both (it said only "kind cannot be told")."""
    from openpyxl import Workbook

    wb = Workbook()
    notes = wb.active
    assert notes is not None
    notes.title = "Σημειώσεις"
    notes.append(["Λίστα ωφελουμένων, Νοέμβριος"])
    data = wb.create_sheet("Data")
    data.append(list(GOOD_PERSON))
    data.append(list(GOOD_PERSON.values()))
    path = tmp_path / "two-sheets.xlsx"
    wb.save(path)
    report = import_file(loaded_engine, path)
    assert not report.ok
    [error] = report.errors
    assert "Only the first sheet, «Σημειώσεις», was read (the file also has «Data»)" in error.message_en
    assert "Διαβάστηκε μόνο το πρώτο φύλλο, «Σημειώσεις»" in error.message_el


def test_ambiguity_is_settled_by_municipal_unit_or_elstat_code(loaded_engine: Engine, tmp_path: Path) -> None:
    """'Λάκκα (Αιγίου)' or the ELSTAT code column name the one Λάκκα meant."""
    rows = [
        {**GOOD_PERSON, "Οικισμός": "Λάκκα (Αιγίου)"},
        {**SECOND_PERSON, "Οικισμός": "Λάκκα", "Κωδικός ΕΛΣΤΑΤ": "3702061001"},
    ]
    assert import_file(loaded_engine, write_rows(tmp_path / "a.csv", rows)).ok
    people = _people(loaded_engine)
    assert people["Ω-1"].settlement_code == "3702010902"
    assert people["Ω-2"].settlement_code == "3702061001"


def test_a_named_staff_member_is_resolved_by_name_or_id(loaded_engine: Engine, tmp_path: Path) -> None:
    """The 'Υπάλληλος' column names a staff member of the register; an unknown one is an error."""
    with session_scope(loaded_engine) as session:
        session.add(Staff(external_id="ΨΥ-1", name="Ελένη Κ.", role="psychologist"))
    rows = [
        {**GOOD_PERSON, "Ειδικότητα": "ψυχολόγος", "Υπάλληλος": "ελενη κ"},
        {**SECOND_PERSON, "Υπάλληλος": "ΨΥ-1"},
    ]
    assert import_file(loaded_engine, write_rows(tmp_path / "a.csv", rows)).ok
    people = _people(loaded_engine)
    assert people["Ω-1"].care_plans[0].staff_id == people["Ω-2"].care_plans[0].staff_id is not None
    bad = import_file(loaded_engine, write_rows(tmp_path / "b.csv", [{**GOOD_PERSON, "Υπάλληλος": "Κανείς"}]))
    assert [e.column for e in bad.errors] == ["Υπάλληλος"]


def test_a_row_without_a_service_is_a_beneficiary_without_a_care_plan(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """Empty care-plan cells: the person only. A service left empty beside plan details: an error."""
    plan_cells = ("Υπηρεσία", "Ειδικότητα", "Διάρκεια (λεπτά)", "Συχνότητα", "Ημέρες", "Ώρες", "Έναρξη")
    row = {**GOOD_PERSON, **dict.fromkeys(plan_cells, "")}
    assert import_file(loaded_engine, write_rows(tmp_path / "a.csv", [row])).ok
    assert _people(loaded_engine)["Ω-1"].care_plans == []
    half = {**row, "Συχνότητα": "μηνιαία"}
    report = import_file(loaded_engine, write_rows(tmp_path / "b.csv", [half]))
    assert [e.column for e in report.errors] == ["Υπηρεσία"]


# --- village stops ---------------------------------------------------------------------------


def test_village_stops_import_and_reimport(loaded_engine: Engine, tmp_path: Path) -> None:
    """A stops file (kind from its headers): added, then unchanged, then updated."""
    path = write_rows(tmp_path / "stops.csv", [GOOD_STOP], encoding="cp1253")
    first = import_file(loaded_engine, path, actor="maria")
    assert (first.kind, first.ok, first.added) == ("stops", True, 1), [i.message for i in first.issues]
    with session_scope(loaded_engine) as session:
        stop = session.scalars(select(VillageStop)).one()
        assert (stop.external_id, stop.settlement_code, stop.place) == ("Σ-1", "3702010701", "Πλατεία")
        assert (stop.duration_min, stop.announced_times, stop.usual_weekday) == (120, ["10:00", "12:30"], 2)
        assert (stop.frequency_kind, stop.frequency_count, stop.required_role) == (
            "weekly",
            1,
            "social_worker",
        )
    assert import_file(loaded_engine, path).unchanged == 1
    moved = write_rows(tmp_path / "moved.csv", [{**GOOD_STOP, "Ημέρα": "Πέμπτη"}])
    assert import_file(loaded_engine, moved).updated == 1


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Ώρες ανακοίνωσης", "10:00, 25:00"),
        ("Ημέρα", "Δευ, Τρι"),
        ("Συχνότητα", "ποτέ"),
        ("Οικισμός", "Λάκκα"),
    ],
)
def test_bad_stop_cells_write_nothing(loaded_engine: Engine, tmp_path: Path, column: str, value: str) -> None:
    """A bad announced time, two usual weekdays, a bad frequency, an ambiguous village."""
    before = counts(loaded_engine)
    rows = [GOOD_STOP, {**GOOD_STOP, "Κωδικός": "Σ-2", column: value}]
    report = import_file(loaded_engine, write_rows(tmp_path / "s.csv", rows), kind="stops")
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    assert counts(loaded_engine) == before


# --- the templates and the command -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["beneficiaries", "stops"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_shipped_template_imports_cleanly(loaded_engine: Engine, kind: str, fmt: str) -> None:
    """Its example row (ID «ΠΑΡΑΔΕΙΓΜΑ») is skipped: nothing added, one warning naming it and no
    other issue (test_import_seventh checks that its cells are valid)."""
    report = import_file(loaded_engine, template_path(kind, fmt), actor="maria")  # type: ignore[arg-type]
    assert (report.kind, report.ok, report.added) == (kind, True, 0)
    assert [(i.row, i.column, i.severity) for i in report.issues] == [(2, "Κωδικός", "warning")]


@pytest.mark.parametrize("kind", ["beneficiaries", "stops"])
def test_the_shipped_csv_template_is_what_the_code_builds(tmp_path: Path, kind: str) -> None:
    """The committed template matches the code's columns (rebuild: python -m planner.register.exporter)."""
    (built,) = write_csv(template_sheets(kind)[:1], tmp_path)  # type: ignore[arg-type]
    assert built.read_bytes() == template_path(kind, "csv").read_bytes()  # type: ignore[arg-type]
    assert built.read_bytes().startswith(b"\xef\xbb\xbf")


def test_kinito_template_then_import_from_the_command_line(
    loaded_engine: Engine, db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito template` writes the file, `kinito import` takes it; a bad file exits 2 with a table."""
    out = tmp_path / "t.xlsx"
    assert main(["template", "--out", str(out)]) == 0
    # a folder not there yet, written as one: made, the file inside (it wrote «templates.xlsx»)
    assert main(["template", "--out", f"{tmp_path / 'templates'}/", "--format", "csv"]) == 0
    assert (tmp_path / "templates" / "beneficiaries.csv").is_file()
    assert not (tmp_path / "templates.csv").exists()
    assert main(["import", str(out), "--db", str(db_file), "--actor", "maria"]) == 0
    printed = capsys.readouterr().out
    assert "νέες / added 0" in printed and "γραμμή-παράδειγμα" in printed  # the example is skipped
    book = load_workbook(out)
    book.worksheets[0]["A2"] = "Ω-0100"  # the office's first person, over the example
    book.save(out)
    assert main(["import", str(out), "--db", str(db_file), "--actor", "maria"]) == 0
    assert "νέες / added 1" in capsys.readouterr().out
    bad = write_rows(tmp_path / "bad.csv", [{**GOOD_PERSON, "Ημέρες": "Funday"}])
    before = counts(loaded_engine)
    assert main(["import", str(bad), "--db", str(db_file)]) == 2
    printed = capsys.readouterr().out
    assert "Funday" in printed and "Άγνωστη ημέρα" in printed and "Unknown weekday" in printed
    assert "δεν γράφτηκε τίποτα / nothing was written" in printed
    # the count of data rows, not a row's number («errors: 1 (rows: 1)» read as "in row 1")
    assert "σφάλματα / errors: 1 σε 1 γραμμές δεδομένων / in 1 data rows" in printed
    assert counts(loaded_engine) == before
    assert audit_rows(loaded_engine)[0][0] == "maria"


def test_kinito_import_refuses_a_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No register yet: exit 2 and the advice to run `kinito init`, no file created."""
    path = write_rows(tmp_path / "a.csv", ROWS)
    assert main(["import", str(path), "--db", str(tmp_path / "none.sqlite3")]) == 2
    assert "kinito init" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite3").exists()


def test_excel_sep_line_is_understood(loaded_engine: Engine, tmp_path: Path) -> None:
    """Excel may write 'sep=;' as the first line of a CSV: it names the separator, it is no header."""
    path = tmp_path / "sep.csv"
    path.write_bytes(b"sep=,\r\n" + csv_bytes(ROWS, delimiter=","))
    _assert_imported(loaded_engine, import_file(loaded_engine, path))


def test_settlement_name_and_elstat_code_must_agree(loaded_engine: Engine, tmp_path: Path) -> None:
    """Διακοπτό with the code of Αίγιον is a contradiction, reported on the code column."""
    rows = [{**GOOD_PERSON, "Κωδικός ΕΛΣΤΑΤ": "3702010101"}]
    report = import_file(loaded_engine, write_rows(tmp_path / "a.csv", rows))
    assert [(e.row, e.column) for e in report.errors] == [(2, "Κωδικός ΕΛΣΤΑΤ")]
    assert "δεν συμφωνεί" in report.errors[0].message_el


def test_too_long_texts_are_errors_not_database_failures(loaded_engine: Engine, tmp_path: Path) -> None:
    """An ID over 64 characters or a service over 60 is reported per cell (PostgreSQL would refuse it)."""
    rows = [{**GOOD_PERSON, "Κωδικός": "Ω" * 65}, {**SECOND_PERSON, "Υπηρεσία": "υ" * 61}]
    report = import_file(loaded_engine, write_rows(tmp_path / "a.csv", rows))
    assert {(e.row, e.column) for e in report.errors} == {(2, "Κωδικός"), (3, "Υπηρεσία")}


def test_an_absent_optional_column_leaves_the_stored_value_alone(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """A later file without 'Ώρες' or 'Τηλέφωνο' keeps the time windows and phones already stored."""
    assert import_file(loaded_engine, write_rows(tmp_path / "a.csv", ROWS)).ok
    rows = [{k: v for k, v in row.items() if k not in ("Ώρες", "Τηλέφωνο")} for row in ROWS]
    report = import_file(loaded_engine, write_rows(tmp_path / "b.csv", rows))
    assert (report.ok, report.unchanged) == (True, 2)
    maria = _people(loaded_engine)["Ω-1"]
    assert maria.phone == "+306912345678"
    assert maria.care_plans[0].time_windows == [["09:00", "12:00"], ["17:00", "19:00"]]


def test_the_importers_settlement_lookup_agrees_with_find_settlement(loaded_engine: Engine) -> None:
    """Every official, Latin and alias name (and a few hints and misses) resolves as the search says."""
    from planner.register.importer import _Context
    from planner.register.places import find_settlement

    with session_scope(loaded_engine) as session:
        ctx = _Context.load(session)
    queries = {
        n for s in ctx.settlements for n in (s.name_el, s.name_latin, s.name_el.upper(), *ctx.aliases[s.code])
    }
    queries |= {"Λάκκα (Αιγίου)", "aigio", "Diakopto", "Ατλαντίδα", "3702010101", "Αίγιο, Αιγίου"}
    for query in sorted(queries):
        mine, reference = ctx._find(query), find_settlement(query, ctx.settlements, ctx.aliases)
        assert (mine.status, mine.settlement and mine.settlement.code) == (
            reference.status,
            reference.settlement and reference.settlement.code,
        ), query


def test_docs_name_every_column_in_both_languages() -> None:
    """docs/import.md lists each column by its Greek and English header."""
    from planner.register.importer import BENEFICIARY_COLUMNS, STOP_COLUMNS

    doc = (Path(__file__).parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    for column in (*BENEFICIARY_COLUMNS, *STOP_COLUMNS):
        assert f"| {column.el} | {column.en} |" in doc, column.field


def test_kinito_import_dry_run_and_template_formats(
    loaded_engine: Engine, db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--dry-run` counts and writes nothing; `template --format csv --kind stops` writes into a folder."""
    assert main(["template", "--out", str(tmp_path), "--format", "csv", "--kind", "stops"]) == 0
    written = tmp_path / "stops.csv"
    assert written.read_bytes() == template_path("stops", "csv").read_bytes()
    capsys.readouterr()
    before = counts(loaded_engine)
    assert main(["import", str(written), "--db", str(db_file), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "νέες / added 0" in printed and "dry run: nothing was written" in printed
    assert counts(loaded_engine) == before


# --- several care plans of one beneficiary ----------------------------------------------------

PSYCH_PLAN = {**GOOD_PERSON, "Υπηρεσία": "ψυχολογική υποστήριξη", "Ειδικότητα": "ψυχολόγος",
              "Διάρκεια (λεπτά)": "60", "Συχνότητα": "μηνιαία"}  # fmt: skip


def test_a_second_file_with_another_service_adds_a_plan_and_keeps_the_first(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """Ω-1 has a social worker's plan; a second file with a psychologist's plan for Ω-1 adds it,
    and the first plan (its id, service, role) is left as it was."""
    assert import_file(loaded_engine, write_rows(tmp_path / "a.csv", [GOOD_PERSON])).ok
    (first,) = _people(loaded_engine)["Ω-1"].care_plans
    report = import_file(loaded_engine, write_rows(tmp_path / "b.csv", [PSYCH_PLAN]))
    assert (report.ok, report.added, report.updated) == (True, 0, 1), report.issues
    plans = sorted(_people(loaded_engine)["Ω-1"].care_plans, key=lambda p: p.id)
    assert [(p.id, p.service, p.required_role) for p in plans] == [
        (first.id, "κατ' οίκον φροντίδα", "social_worker"),
        (plans[1].id, "ψυχολογική υποστήριξη", "psychologist"),
    ]
    again = import_file(loaded_engine, write_rows(tmp_path / "b.csv", [PSYCH_PLAN]))
    assert (again.ok, again.unchanged, len(_people(loaded_engine)["Ω-1"].care_plans)) == (True, 1, 2)


def test_one_file_may_hold_several_plans_of_a_person_on_rows_with_the_same_id(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """Two rows of Ω-1 with two services: one person, two plans. The person's details must agree,
    and the same service twice is still a duplicate."""
    report = import_file(loaded_engine, write_rows(tmp_path / "a.csv", [GOOD_PERSON, PSYCH_PLAN]))
    assert (report.ok, report.added) == (True, 1), report.issues
    assert len(_people(loaded_engine)["Ω-1"].care_plans) == 2
    other_phone = {**PSYCH_PLAN, "Τηλέφωνο": "6911111111"}
    bad = import_file(loaded_engine, write_rows(tmp_path / "b.csv", [GOOD_PERSON, other_phone]))
    assert [(e.row, e.column, e.value) for e in bad.errors] == [(3, "Τηλέφωνο", "6911111111")]  # as typed
    assert "γραμμή 2" in bad.errors[0].message_el and "row 2" in bad.errors[0].message_en
    twice = import_file(loaded_engine, write_rows(tmp_path / "c.csv", [GOOD_PERSON, PSYCH_PLAN, PSYCH_PLAN]))
    assert [(e.row, e.column) for e in twice.errors] == [(4, "Κωδικός")]


def test_the_plan_id_column_names_the_plan_to_update(loaded_engine: Engine, tmp_path: Path) -> None:
    """With «Κωδικός πλάνου» a row updates that plan even when its service was renamed; a plan
    of another person or one that does not exist is an error on that cell."""
    assert import_file(loaded_engine, write_rows(tmp_path / "a.csv", ROWS)).ok
    people = _people(loaded_engine)
    (plan,) = people["Ω-1"].care_plans
    renamed = {**GOOD_PERSON, "Υπηρεσία": "κατ' οίκον υποστήριξη", "Κωδικός πλάνου": f"cp-{plan.id}"}
    report = import_file(loaded_engine, write_rows(tmp_path / "b.csv", [renamed]))
    assert (report.ok, report.updated) == (True, 1), report.issues
    ((stored_id, service),) = [(p.id, p.service) for p in _people(loaded_engine)["Ω-1"].care_plans]
    assert (stored_id, service) == (plan.id, "κατ' οίκον υποστήριξη")
    (other,) = people["Ω-2"].care_plans
    for value in (f"cp-{other.id}", "cp-999", "πλάνο"):
        row = {**renamed, "Κωδικός πλάνου": value}
        bad = import_file(loaded_engine, write_rows(tmp_path / "c.csv", [row]))
        assert [(e.column, e.value) for e in bad.errors] == [("Κωδικός πλάνου", value)]


def test_a_named_staff_member_of_another_role_is_refused(loaded_engine: Engine, tmp_path: Path) -> None:
    """A social worker named on a psychologist's plan, the driver on a social worker's plan: each
    row is an error on «Υπάλληλος» with the value, in Greek and English; nothing is written."""
    with session_scope(loaded_engine) as session:
        session.add_all([Staff(external_id="sw2", name="Νίκος Π.", role="social_worker"),
                         Staff(external_id="drv", name="Γιώργος Δ.", role="driver")])  # fmt: skip
    before = counts(loaded_engine)
    rows = [{**SECOND_PERSON, "Υπάλληλος": "sw2"}, {**GOOD_PERSON, "Υπάλληλος": "drv"}]
    report = import_file(loaded_engine, write_rows(tmp_path / "a.csv", rows))
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (2, "Υπάλληλος", "sw2"),
        (3, "Υπάλληλος", "drv"),
    ]
    assert "ψυχολόγος" in report.errors[0].message_el and "psychologist" in report.errors[0].message_en
    assert "οδηγός" in report.errors[1].message_el and "driver" in report.errors[1].message_en
    assert counts(loaded_engine) == before
