"""The import's report names every row it adds or updates and, for an update, each column that
changes with its old and new value (the dry run's preview too), on the command line as well."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from planner.cli import main
from planner.register.db import session_scope
from planner.register.importer import FieldChange, import_file
from planner.register.models import Beneficiary, CarePlan, Staff, VillageStop
from tests.register.test_import_helpers import GOOD_PERSON, GOOD_STOP, SECOND_PERSON, counts, write_csv


@pytest.fixture
def register(loaded_engine: Engine, tmp_path: Path) -> Engine:
    """Ω-1 and Ω-2 with a care plan each, Ω-1's phone stored without +30 (as the demo register
    and the web form keep it), and the stop Σ-1."""
    assert import_file(loaded_engine, write_csv(tmp_path / "p.csv", [GOOD_PERSON, SECOND_PERSON])).ok
    assert import_file(loaded_engine, write_csv(tmp_path / "s.csv", [GOOD_STOP])).ok
    with session_scope(loaded_engine) as session:
        person = session.scalars(select(Beneficiary).where(Beneficiary.external_id == "Ω-1")).one()
        person.phone = "2691000001"
    return loaded_engine


def _plan_id(engine: Engine, person: str) -> int:
    with session_scope(engine) as session:
        return session.scalars(
            select(CarePlan.id).join(Beneficiary).where(Beneficiary.external_id == person)
        ).one()


def test_a_dry_run_names_who_changes_and_which_columns_old_and_new(register: Engine, tmp_path: Path) -> None:
    """Ω-1's phone, duration and days change, Ω-2 is as stored, Ω-3 is new: the report says
    so per person, with the columns' Greek and English names, and writes nothing."""
    changed = {**GOOD_PERSON, "Τηλέφωνο": "2691000002", "Διάρκεια (λεπτά)": "50", "Ημέρες": "Δευτέρα",
               "Συχνότητα": "εβδομαδιαία"}  # fmt: skip
    new = {**SECOND_PERSON, "Κωδικός": "Ω-3", "Ονοματεπώνυμο": "Νικολάου Ελένη"}
    path = write_csv(tmp_path / "again.csv", [changed, SECOND_PERSON, new])
    before = counts(register)
    report = import_file(register, path, dry_run=True)
    assert report.ok, report.issues
    assert (report.added, report.updated, report.unchanged) == (1, 1, 1)
    assert counts(register) == before
    updated, added = report.changes
    assert (updated.action, updated.row, updated.who) == ("updated", 2, "Παπαδοπούλου Μαρία (Ω-1)")
    assert updated.fields == (
        FieldChange("Τηλέφωνο", "Phone", "+30 2691000001", "+30 2691000002"),
        FieldChange("Διάρκεια (λεπτά)", "Duration (min)", "45", "50"),
        FieldChange("Συχνότητα", "Frequency", "κάθε 2 εβδομάδες", "εβδομαδιαία"),
        FieldChange("Ημέρες", "Weekdays", "Δευτέρα, Τετάρτη", "Δευτέρα"),
    )
    assert updated.text("el") == (
        "Παπαδοπούλου Μαρία (Ω-1): Τηλέφωνο: +30 2691000001 → +30 2691000002; Διάρκεια (λεπτά): 45 → 50; "
        "Συχνότητα: κάθε 2 εβδομάδες → εβδομαδιαία; Ημέρες: Δευτέρα, Τετάρτη → Δευτέρα"
    )
    assert updated.text("en").startswith("Παπαδοπούλου Μαρία (Ω-1): Phone: +30 2691000001 → +30 2691000002;")
    assert (added.action, added.row, added.who, added.new_plans) == (
        "added", 4, "Νικολάου Ελένη (Ω-3)", ("ψυχολογική υποστήριξη (μηνιαία)",),  # as read
    )  # fmt: skip


def test_emptied_cells_long_values_settlement_and_staff_are_shown_readably(
    register: Engine, tmp_path: Path
) -> None:
    """A cleared value shows «(κενό)»; a settlement by its name, not its code; a long note by
    its column only."""
    with session_scope(register) as session:
        session.add(Staff(name="Ελένη Κ.", role="social_worker", weekdays=[1, 2, 3], day_start=time(8),
                          day_end=time(16)))  # fmt: skip
    row = {**GOOD_PERSON, "Οικισμός": "Ακράτα", "Διεύθυνση": "", "Σημειώσεις": "λ" * 60, "Ώρες": "",
           "Υπάλληλος": "Ελένη Κ."}  # fmt: skip
    report = import_file(register, write_csv(tmp_path / "a.csv", [row]), dry_run=True)
    assert report.ok, report.issues
    (change,) = report.changes
    texts = change.details("el")
    assert "Οικισμός: Διακοπτόν → Ακράτα" in texts
    assert "Διεύθυνση: Αγίου Νικολάου 12 → (κενό)" in texts
    assert "Σημειώσεις" in texts
    assert "Ώρες: 09:00-12:00, 17:00-19:00 → (κενό)" in texts
    assert "Υπάλληλος: (κενό) → Ελένη Κ." in texts
    assert "Address: Αγίου Νικολάου 12 → (empty)" in change.details("en")


def test_a_second_care_plan_is_named_by_its_service_and_id(register: Engine, tmp_path: Path) -> None:
    """A person with two plans: the changed plan is named; an added plan is listed by service."""
    plan = _plan_id(register, "Ω-1")
    first = {**GOOD_PERSON, "Κωδικός πλάνου": f"cp-{plan}"}
    second = {
        **GOOD_PERSON,
        "Υπηρεσία": "ψυχολογική υποστήριξη",
        "Ειδικότητα": "ψυχολόγος",
        "Κωδικός πλάνου": "",
    }
    assert import_file(register, write_csv(tmp_path / "two.csv", [first, second])).ok
    again = write_csv(tmp_path / "two.csv", [{**first, "Διάρκεια (λεπτά)": "40"}, second])
    report = import_file(register, again, dry_run=True)
    (change,) = report.changes
    assert change.details("el") == [f"κατ' οίκον φροντίδα (cp-{plan}) – Διάρκεια (λεπτά): 45 → 40"]
    third = {**second, "Υπηρεσία": "συμβουλευτική"}
    report = import_file(register, write_csv(tmp_path / "three.csv", [third]), dry_run=True)
    (change,) = report.changes
    assert change.details("en") == ["new care plan: συμβουλευτική (κάθε 2 εβδομάδες)"] and report.updated == 1


def test_a_stop_is_named_by_settlement_place_and_id(register: Engine, tmp_path: Path) -> None:
    """A stop's update names it by settlement, place and ID; its frequency, weekday and times
    are written as in the file."""
    row = {**GOOD_STOP, "Ημέρα": "Πέμπτη", "Ώρες ανακοίνωσης": "10:00", "Συχνότητα": "κάθε 2 εβδομάδες"}
    new = {**GOOD_STOP, "Κωδικός": "Σ-2", "Οικισμός": "Ακράτα", "Σημείο": ""}
    report = import_file(register, write_csv(tmp_path / "s.csv", [row, new]), dry_run=True)
    assert report.ok, report.issues
    updated, added = report.changes
    assert updated.text("el") == (
        "Κουνινά, Πλατεία (Σ-1): Ώρες ανακοίνωσης: 10:00, 12:30 → 10:00; "
        "Συχνότητα: εβδομαδιαία → κάθε 2 εβδομάδες; Ημέρα: Τρίτη → Πέμπτη"
    )
    assert added.text("el") == "Ακράτα (Σ-2)" and added.action_text("el") == "νέα εγγραφή"
    with session_scope(register) as session:
        assert session.scalars(select(VillageStop.usual_weekday)).one() == 2  # a dry run


def test_the_command_line_prints_each_change_in_greek_and_english(
    register: Engine, db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito import --dry-run` lists the changed rows before the counts, which stay as they were."""
    row = {**GOOD_PERSON, "Διάρκεια (λεπτά)": "50", "Τηλέφωνο": "2691000001"}
    path = write_csv(tmp_path / "p.csv", [row, SECOND_PERSON])
    assert main(["import", str(path), "--db", str(db_file), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "γραμμή 2, ενημέρωση: Παπαδοπούλου Μαρία (Ω-1): Διάρκεια (λεπτά): 45 → 50" in out
    assert "row 2, updated: Παπαδοπούλου Μαρία (Ω-1): Duration (min): 45 → 50" in out
    assert "νέες / added 0, ενημερώθηκαν / updated 1, αμετάβλητες / unchanged 1" in out
    assert "Γεωργίου" not in out  # unchanged rows are only counted


def test_the_command_line_lists_the_first_hundred_changes(
    loaded_engine: Engine, db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A long file: the first 100 rows, then how many more."""
    rows = [{**GOOD_PERSON, "Κωδικός": f"Ω-{n:03d}", "Ονοματεπώνυμο": f"Πρόσωπο {n}"} for n in range(105)]
    assert (
        main(["import", str(write_csv(tmp_path / "many.csv", rows)), "--db", str(db_file), "--dry-run"]) == 0
    )
    out = capsys.readouterr().out
    assert "νέα εγγραφή: Πρόσωπο 99 (Ω-099)" in out and "Πρόσωπο 100 " not in out
    assert "… και 5 ακόμη / … and 5 more" in out
