"""First week of a new Centre (seventh import review): the templates' example row is skipped,
never imported; the «Οδηγίες» sheet says one row per care plan, as the importer reads it; the
report lists the settlements found under another name than the one typed; and it warns (the
import goes on) about a known ID under an entirely other name and about a new person who has
the phone or the name of someone already known."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from planner.cli import main
from planner.register.db import session_scope
from planner.register.exporter import template_path, template_sheets
from planner.register.importer import ImportReport, Issue, import_file
from planner.register.models import Beneficiary
from tests.register.test_import_helpers import GOOD_PERSON, SECOND_PERSON, counts, write_csv

EXAMPLE_ID = "ΠΑΡΑΔΕΙΓΜΑ"  # the templates' example row's ID (importer.EXAMPLE_ID)

# The example row of the templates shipped before it had an ID of its own.
OLD_TEMPLATE = (
    "Κωδικός;Ονοματεπώνυμο;Οικισμός;Κωδικός ΕΛΣΤΑΤ;Διεύθυνση;Γεωγρ. πλάτος;Γεωγρ. μήκος;Τηλέφωνο;"
    "Ομάδες προτεραιότητας;Σημειώσεις;Ενεργός;Υπηρεσία;Ειδικότητα;Υπάλληλος;Διάρκεια (λεπτά);Συχνότητα;"
    "Ημέρες;Ώρες;Έναρξη;Λήξη;Κατάσταση πλάνου;Κωδικός πλάνου\r\n"
    "Ω-0001;Παπαδοπούλου Μαρία;Διακοπτό;;Αγίου Νικολάου 12;;;6900000001;ηλικιωμένος, μόνος/μόνη;;ναι;"
    "κατ' οίκον φροντίδα;κοινωνικός λειτουργός;;45;κάθε 2 εβδομάδες;Δευτέρα, Τετάρτη;09:00-12:00;"
    "02/11/2026;;ενεργό;\r\n"
)


def _warnings(report: ImportReport) -> list[Issue]:
    return [i for i in report.issues if i.severity == "warning"]


def _person(engine: Engine, external_id: str) -> Beneficiary:
    with session_scope(engine) as session:
        person = session.scalars(select(Beneficiary).where(Beneficiary.external_id == external_id)).one()
        session.expunge(person)
        return person


def _template_with_id(kind: str, fmt: str, new_id: str, folder: Path) -> Path:
    """The shipped template with its example row's ID replaced."""
    source = template_path(kind, fmt)  # type: ignore[arg-type]
    target = folder / source.name
    if fmt == "csv":
        target.write_bytes(source.read_bytes().replace(EXAMPLE_ID.encode(), new_id.encode()))
    else:
        book = load_workbook(source)
        book.worksheets[0]["A2"] = new_id
        book.save(target)
    return target


# --- 1. the example row ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["beneficiaries", "stops"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_templates_example_row_is_skipped_with_a_warning(
    loaded_engine: Engine, tmp_path: Path, kind: str, fmt: str
) -> None:
    """The shipped template as it is: its example row (ID «ΠΑΡΑΔΕΙΓΜΑ») is neither imported nor
    counted, and one warning on its ID cell says so; every cell of it is valid all the same
    (with an ID of its own the row imports with no issue)."""
    before = counts(loaded_engine)
    report = import_file(loaded_engine, template_path(kind, fmt), actor="maria")  # type: ignore[arg-type]
    assert report.ok and report.written
    assert (report.kind, report.rows, report.added, report.updated, report.unchanged) == (kind, 0, 0, 0, 0)
    (warning,) = report.issues
    assert (warning.row, warning.column, warning.value, warning.severity) == (
        2,
        "Κωδικός",
        EXAMPLE_ID,
        "warning",
    )
    assert "παράδειγμα" in warning.message_el and "δεν εισάγεται" in warning.message_el
    assert "example row" in warning.message_en and "not imported" in warning.message_en
    assert counts(loaded_engine) == before
    own = import_file(loaded_engine, _template_with_id(kind, fmt, "Ω-0100", tmp_path))
    assert (own.issues, own.added) == ([], 1)


def test_the_example_row_never_touches_a_real_person_with_the_old_example_id(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """Ω-0001 is a real person: neither the new template nor one downloaded before this fix
    (whose example row was Ω-0001 «Παπαδοπούλου Μαρία», 6900000001) proposes to change her."""
    real = {**SECOND_PERSON, "Κωδικός": "Ω-0001"}
    assert import_file(loaded_engine, write_csv(tmp_path / "real.csv", [real])).ok
    stored = _person(loaded_engine, "Ω-0001")
    old = tmp_path / "old.csv"
    old.write_bytes(b"\xef\xbb\xbf" + OLD_TEMPLATE.encode())
    for path in (template_path("beneficiaries", "csv"), template_path("beneficiaries", "xlsx"), old):
        report = import_file(loaded_engine, path)
        assert (report.ok, report.added, report.updated, report.changes) == (True, 0, 0, []), path
        assert [(i.row, i.column, i.severity) for i in report.issues] == [(2, "Κωδικός", "warning")]
    after = _person(loaded_engine, "Ω-0001")
    assert (after.full_name, after.phone, after.settlement_code) == (
        stored.full_name, stored.phone, stored.settlement_code,
    )  # fmt: skip


@pytest.mark.parametrize("example_id", ["ΠΑΡΑΔΕΙΓΜΑ", "Παράδειγμα", "παραδειγμα 2", "Example"])
def test_the_example_id_is_known_in_any_case_and_accents(
    loaded_engine: Engine, tmp_path: Path, example_id: str
) -> None:
    """«Παράδειγμα 2» beside a real row: the real row is added, the example skipped."""
    rows = [{**GOOD_PERSON, "Κωδικός": example_id}, SECOND_PERSON]
    report = import_file(loaded_engine, write_csv(tmp_path / "a.csv", rows))
    assert (report.ok, report.rows, report.added) == (True, 1, 1)
    assert [(i.row, i.value) for i in report.issues] == [(2, example_id)]


# --- 2. the instructions: one row per care plan ------------------------------------------------


def test_the_instructions_say_one_row_per_care_plan_as_the_docs_and_the_importer() -> None:
    """The «Οδηγίες» sheet (built and shipped) and docs/import.md say one row per care plan, and
    that the example row is not imported; no «Μία γραμμή ανά ωφελούμενο» any more."""
    built = " ".join(str(cell) for row in template_sheets("beneficiaries")[1].rows for cell in row)
    book = load_workbook(template_path("beneficiaries", "xlsx"), read_only=True)
    shipped = " ".join(str(c) for row in book["Οδηγίες"].iter_rows(values_only=True) for c in row if c)
    book.close()
    for text in (built, shipped):
        assert "Μία γραμμή ανά πλάνο φροντίδας" in text and "One row per care plan" in text
        assert "ανά ωφελούμενο" not in text and "per beneficiary" not in text
        assert f"«{EXAMPLE_ID}»" in text and "δεν εισάγεται" in text
    doc = (Path(__file__).parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    assert "One row per care plan" in doc and "Μία γραμμή ανά πλάνο φροντίδας" in doc
    assert EXAMPLE_ID in doc


# --- 3. settlements found under another name ---------------------------------------------------


def _villages(tmp_path: Path) -> Path:
    names = ["Σελινούντας", "Καμάρες", "Selinountas", "Αίγιον", "AIGION", "Λάκκα (Αιγίου)", "καμαρες"]
    rows = [
        {**GOOD_PERSON, "Κωδικός": f"Ω-{n}", "Ονοματεπώνυμο": f"Πρόσωπο {n}", "Τηλέφωνο": f"69000001{n:02d}",
         "Οικισμός": name, "Γεωγρ. πλάτος": "", "Γεωγρ. μήκος": ""}
        for n, name in enumerate(names, start=10)
    ]  # fmt: skip
    rows.append({**rows[0], "Κωδικός": "Ω-30", "Ονοματεπώνυμο": "Πρόσωπο 30", "Τηλέφωνο": "6900000130",
                 "Οικισμός": "", "Κωδικός ΕΛΣΤΑΤ": "3702011201"})  # fmt: skip
    return write_csv(tmp_path / "villages.csv", rows)


def test_settlements_found_under_another_name_are_listed_with_their_rows(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """Σελινούντας (and its Latin form) was taken for Σελινούς, Καμάρες for Καμάραι: each once,
    with the settlement's unit, code and rows. Official names (any case, with a unit hint) and
    ELSTAT codes are not listed."""
    report = import_file(loaded_engine, _villages(tmp_path), dry_run=True)
    assert report.ok, report.issues
    assert [(g.typed, g.name_el, g.code, g.rows) for g in report.settlements] == [
        ("Σελινούντας", "Σελινούς", "3702011201", [2, 4]),
        ("Καμάρες", "Καμάραι", "3702050401", [3, 8]),
    ]
    selinous = report.settlements[0]
    assert selinous.text("el") == "«Σελινούντας» → Σελινούς (Δ.Ε. Αιγίου, 3702011201): γραμμές 2, 4"
    assert selinous.text("en") == (
        "'Σελινούντας' → Σελινούς / Selinous (municipal unit of Αιγίου, 3702011201): rows 2, 4"
    )


def test_the_command_line_lists_the_settlements_found_under_another_name(
    loaded_engine: Engine, db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito import --dry-run` prints them, in Greek and English, before the changes."""
    assert main(["import", str(_villages(tmp_path)), "--db", str(db_file), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "οικισμοί που βρέθηκαν με άλλο όνομα" in out and "settlements found under another name" in out
    assert "«Καμάρες» → Καμάραι (Δ.Ε. Ερινεού, 3702050401): γραμμές 3, 8" in out
    assert "'Καμάρες' → Καμάραι / Kamarai (municipal unit of Ερινεού, 3702050401): rows 3, 8" in out
    assert out.index("«Σελινούντας» → Σελινούς") < out.index("θα γίνουν αυτές οι αλλαγές")


# --- 4. another name for a known ID; a likely duplicate ----------------------------------------


@pytest.fixture
def register(loaded_engine: Engine, tmp_path: Path) -> Engine:
    """Ω-1 Παπαδοπούλου Μαρία (+30 6912345678) and Ω-2 Γεωργίου Νίκος (+30 2691012345)."""
    assert import_file(loaded_engine, write_csv(tmp_path / "p.csv", [GOOD_PERSON, SECOND_PERSON])).ok
    return loaded_engine


def test_a_known_id_under_an_entirely_other_name_is_a_warning(register: Engine, tmp_path: Path) -> None:
    """Ω-1 with a name sharing no word with «Παπαδοπούλου Μαρία»: a warning on the name, the
    update still allowed; a name sharing a word (another order, Greeklish, a second surname,
    capitals) is no warning."""
    other = {**GOOD_PERSON, "Ονοματεπώνυμο": "Νικολάου Ελένη"}
    report = import_file(register, write_csv(tmp_path / "a.csv", [other]), dry_run=True)
    assert (report.ok, report.updated) == (True, 1)
    (warning,) = report.issues
    assert (warning.row, warning.column, warning.value, warning.severity) == (
        2, "Ονοματεπώνυμο", "Νικολάου Ελένη", "warning",
    )  # fmt: skip
    assert "Άλλο όνομα για τον ίδιο κωδικό «Ω-1»" in warning.message_el
    assert "«Παπαδοπούλου Μαρία»" in warning.message_el
    assert "ελέγξτε ότι είναι το ίδιο πρόσωπο" in warning.message_el
    assert "Another name for the same ID 'Ω-1'" in warning.message_en
    for name in ("Μαρία Παπαδοπούλου", "Papadopoulou Maria", "Παπαδοπούλου-Νικολάου Μαρία", "ΜΑΡΙΑ Κ."):
        same = import_file(register, write_csv(tmp_path / "b.csv", [{**GOOD_PERSON, "Ονοματεπώνυμο": name}]),
                           dry_run=True)  # fmt: skip
        assert (same.ok, same.issues) == (True, []), name
    assert import_file(register, write_csv(tmp_path / "a.csv", [other])).written
    assert _person(register, "Ω-1").full_name == "Νικολάου Ελένη"


def test_a_new_person_with_a_known_phone_or_name_is_a_likely_duplicate(
    register: Engine, tmp_path: Path
) -> None:
    """New IDs: one with Ω-1's phone written otherwise, one with Ω-2's name in Greeklish and
    another order, one like nobody, one with the phone of that new row: each of the three is
    a warning naming whom it may duplicate; all four are added."""
    same_phone = {
        **SECOND_PERSON,
        "Κωδικός": "Ω-7",
        "Ονοματεπώνυμο": "Αλεξίου Άννα",
        "Τηλέφωνο": "6912345678",
    }
    same_name = {**SECOND_PERSON, "Κωδικός": "Ω-8", "Ονοματεπώνυμο": "Nikos Georgiou", "Τηλέφωνο": ""}
    nobody = {**SECOND_PERSON, "Κωδικός": "Ω-9", "Ονοματεπώνυμο": "Πέτρου Νίκη", "Τηλέφωνο": "6977000009"}
    after = {**SECOND_PERSON, "Κωδικός": "Ω-10", "Ονοματεπώνυμο": "Πέτρου Γιάννης", "Τηλέφωνο": "6977000009"}
    path = write_csv(tmp_path / "new.csv", [same_phone, same_name, nobody, after])
    report = import_file(register, path, dry_run=True)
    assert (report.ok, report.added) == (True, 4)
    phone, name, in_file = _warnings(report)
    assert (phone.row, phone.column, phone.value) == (2, "Τηλέφωνο", "+30 6912345678")
    assert phone.message_el.startswith(
        "Πιθανό διπλότυπο του «Παπαδοπούλου Μαρία» (Ω-1) του μητρώου: ίδιο τηλέφωνο."
    )
    assert (
        "«Ω-1»" in phone.message_el
        and "Possibly a duplicate of 'Παπαδοπούλου Μαρία' (Ω-1)" in phone.message_en
    )
    assert (name.row, name.column, name.value) == (3, "Ονοματεπώνυμο", "Nikos Georgiou")
    assert name.message_el.startswith("Πιθανό διπλότυπο του «Γεωργίου Νίκος» (Ω-2)")
    assert "ίδιο όνομα" in name.message_el and "the same name" in name.message_en
    assert (in_file.row, in_file.column) == (5, "Τηλέφωνο")
    assert "«Πέτρου Νίκη» (Ω-9, γραμμή 4 του αρχείου)" in in_file.message_el
    assert import_file(register, path).added == 4  # allowed


def test_a_person_added_on_the_web_without_an_id_is_a_duplicate_candidate_too(
    register: Engine, tmp_path: Path
) -> None:
    """The web form may leave the office ID empty: a file's new ID with that person's phone is
    told to give the person the ID in the register first."""
    with session_scope(register) as session:
        maria = session.scalars(select(Beneficiary).where(Beneficiary.external_id == "Ω-1")).one()
        maria.external_id = None
    row = {**GOOD_PERSON, "Κωδικός": "Ω-5"}
    report = import_file(register, write_csv(tmp_path / "a.csv", [row]), dry_run=True)
    (warning,) = _warnings(report)
    assert "«Παπαδοπούλου Μαρία» του μητρώου (χωρίς κωδικό)" in warning.message_el
    assert "δώστε πρώτα σε αυτό το πρόσωπο τον κωδικό «Ω-5»" in warning.message_el
    assert "ίδιο όνομα και τηλέφωνο" in warning.message_el and report.added == 1
