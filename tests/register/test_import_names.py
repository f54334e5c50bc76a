"""People's names as Greek offices' lists write them: «Επώνυμο» and «Όνομα» in two columns
(the surname was dropped with an "unknown column" warning and people stored by their first
name), and stray spaces inside a name."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from planner.register.db import session_scope
from planner.register.importer import import_file
from planner.register.models import Beneficiary
from tests.register.test_import_helpers import GOOD_PERSON, SECOND_PERSON, write_csv


def _split(person: dict[str, str], surname: str, given: str) -> dict[str, str]:
    """``person`` with «Επώνυμο», «Όνομα» and «Πατρώνυμο» columns instead of «Ονοματεπώνυμο»."""
    out = {"Κωδικός": person["Κωδικός"], "Επώνυμο": surname, "Όνομα": given, "Πατρώνυμο": "Ιωάννης"}
    out.update({k: v for k, v in person.items() if k not in out and k != "Ονοματεπώνυμο"})
    return out


def _names(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as s:
        return {b.external_id or "": b.full_name for b in s.scalars(select(Beneficiary))}


def test_surname_and_name_columns_are_joined_surname_first(loaded_engine: Engine, tmp_path: Path) -> None:
    rows = [_split(GOOD_PERSON, "Οικονόμου", "Βασιλική"), _split(SECOND_PERSON, "Οικονόμου", "Γεώργιος")]
    report = import_file(loaded_engine, write_csv(tmp_path / "split.csv", rows))
    assert report.ok, report.errors
    assert _names(loaded_engine) == {"Ω-1": "Οικονόμου Βασιλική", "Ω-2": "Οικονόμου Γεώργιος"}
    warned = " ".join(i.message_el for i in report.issues)
    assert "«Επώνυμο»" not in warned  # joined, not ignored
    assert "«Πατρώνυμο»" in warned  # still an unknown column, said so
    # the same file again changes nothing
    again = import_file(loaded_engine, write_csv(tmp_path / "split.csv", rows))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)


def test_a_surname_left_empty_keeps_the_name_and_an_empty_name_is_refused(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    rows = [_split(GOOD_PERSON, "", "Βασιλική"), _split(SECOND_PERSON, "", "")]
    report = import_file(loaded_engine, write_csv(tmp_path / "split.csv", rows))
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, "Όνομα")]


def test_stray_spaces_inside_a_name_are_one(loaded_engine: Engine, tmp_path: Path) -> None:
    """«Παπαδάκη  Άννα » on one row and «Παπαδάκη Άννα» on the person's next: one name, no
    conflict between the rows, stored with single spaces."""
    second_plan = {**GOOD_PERSON, "Ονοματεπώνυμο": "Παπαδάκη Άννα", "Υπηρεσία": "ψυχολογική υποστήριξη",
                   "Ειδικότητα": "ψυχολόγος"}  # fmt: skip
    rows = [{**GOOD_PERSON, "Ονοματεπώνυμο": "Παπαδάκη  Άννα "}, second_plan]
    report = import_file(loaded_engine, write_csv(tmp_path / "spaces.csv", rows))
    assert report.ok, report.errors
    assert _names(loaded_engine) == {"Ω-1": "Παπαδάκη Άννα"}


def test_an_active_cell_of_n_is_refused_as_ambiguous(loaded_engine: Engine, tmp_path: Path) -> None:
    """«Ενεργός» = «Ν» (Greek Ναι) or "N" (English No) look the same: it was read as yes, so an
    "N" meant as no kept the person active. Refused, with why; «όχι» and "no" are no."""
    rows = [
        {**GOOD_PERSON, "Ενεργός": "N"},
        {**SECOND_PERSON, "Ενεργός": "Ν"},
        {**GOOD_PERSON, "Κωδικός": "Ω-3", "Ενεργός": "όχι"},
    ]
    report = import_file(loaded_engine, write_csv(tmp_path / "active.csv", rows), dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Ενεργός"), (3, "Ενεργός")]
    assert "αμφίσημη" in report.errors[0].message_el
    rows = [{**GOOD_PERSON, "Ενεργός": "no"}, {**SECOND_PERSON, "Ενεργός": "ΟΧΙ"}]
    assert import_file(loaded_engine, write_csv(tmp_path / "active.csv", rows)).ok
    with session_scope(loaded_engine) as s:
        assert [b.active for b in s.scalars(select(Beneficiary))] == [False, False]


def test_two_names_of_one_column_are_said_to_be_one(loaded_engine: Engine, tmp_path: Path) -> None:
    """«Τηλέφωνο» and «Κινητό» (an alias of it) said «the column «Κινητό» appears twice»,
    though it appears once: now both are named, and the register's column."""
    row = {**GOOD_PERSON, "Κινητό": "6912345679"}
    report = import_file(loaded_engine, write_csv(tmp_path / "phones.csv", [row]), dry_run=True)
    (error,) = report.errors
    assert "Οι στήλες «Τηλέφωνο» και «Κινητό» είναι η ίδια στήλη του μητρώου («Τηλέφωνο»)" in error.message_el
    same = write_csv(tmp_path / "twice.csv", [row]).read_text(encoding="utf-8-sig")
    same = same.replace("Κινητό", "Τηλέφωνο")
    (tmp_path / "twice.csv").write_text(same, encoding="utf-8")
    (error,) = import_file(loaded_engine, tmp_path / "twice.csv", dry_run=True).errors
    assert "Η στήλη «Τηλέφωνο» εμφανίζεται δεύτερη φορά" in error.message_el


def test_a_title_above_the_header_is_skipped_and_said(loaded_engine: Engine, tmp_path: Path) -> None:
    """An office's sheet with its title on row 1, a blank row and the headers on row 3: the
    title was taken for the header («give --kind»), and with --kind every column was missing.
    Now the header is found on row 3, the title skipped with a warning, rows keep their
    spreadsheet numbers."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["ΚΕΝΤΡΟ ΚΟΙΝΟΤΗΤΑΣ ΔΗΜΟΥ ΑΙΓΙΑΛΕΙΑΣ - ΩΦΕΛΟΥΜΕΝΟΙ 2026"])
    ws.append([])
    ws.append(list(GOOD_PERSON))
    ws.append(list(GOOD_PERSON.values()))
    ws.append(list({**SECOND_PERSON, "Έναρξη": "31/02/2026"}.values()))
    wb.save(tmp_path / "titled.xlsx")
    report = import_file(loaded_engine, tmp_path / "titled.xlsx", dry_run=True)
    assert report.kind == "beneficiaries"
    assert [(e.row, e.column) for e in report.errors] == [(5, "Έναρξη")]  # the spreadsheet's row
    (title,) = [i for i in report.issues if "επικεφαλίδες διαβάστηκαν από τη γραμμή 3" in i.message_el]
    assert title.row == 1 and "οι γραμμές 1-2 από πάνω" in title.message_el
    ws.delete_rows(5)
    wb.save(tmp_path / "titled.xlsx")
    assert import_file(loaded_engine, tmp_path / "titled.xlsx").added == 1


def test_one_id_for_two_people_is_said_so_even_after_a_row_with_errors(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """D-1 on two rows with two names was «appears again without another care plan»; D-2 whose
    first row had an error of its own was not reported at all until that row was fixed (an
    extra round). Both are now «two people with one ID», naming the first row's person."""
    rows = [
        {**GOOD_PERSON, "Κωδικός": "D-1", "Ονοματεπώνυμο": "Άλφα Βήτα"},
        {**GOOD_PERSON, "Κωδικός": "D-1", "Ονοματεπώνυμο": "Γάμμα Δέλτα", "Οικισμός": "Ακράτα"},
        {**GOOD_PERSON, "Κωδικός": "D-2", "Ονοματεπώνυμο": "Έψιλον Ζήτα", "Οικισμός": "Ατλαντίδα"},
        {**GOOD_PERSON, "Κωδικός": "D-2", "Ονοματεπώνυμο": "Ήτα Θήτα"},
    ]
    report = import_file(loaded_engine, write_csv(tmp_path / "ids.csv", rows), dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "Ονοματεπώνυμο"),
        (4, "Οικισμός"),
        (5, "Ονοματεπώνυμο"),
    ]
    assert "Ο κωδικός «D-1» είναι ήδη του/της «Άλφα Βήτα» (γραμμή 2)" in report.errors[0].message_el
    assert "Ο κωδικός «D-2» είναι ήδη του/της «Έψιλον Ζήτα» (γραμμή 4)" in report.errors[2].message_el


def test_a_persons_second_row_with_another_settlement_shows_both_as_typed(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """The message showed the settlement's ELSTAT code (3702030101) and not the first row's
    value: now the cell as typed here, and the first row's."""
    second_plan = {**GOOD_PERSON, "Οικισμός": "Ακράτα", "Υπηρεσία": "ψυχολογική υποστήριξη",
                   "Ειδικότητα": "ψυχολόγος"}  # fmt: skip
    report = import_file(
        loaded_engine, write_csv(tmp_path / "two.csv", [GOOD_PERSON, second_plan]), dry_run=True
    )
    (error,) = report.errors
    assert (error.row, error.column, error.value) == (3, "Οικισμός", "Ακράτα")
    assert "από τη γραμμή 2 («Διακοπτό»)" in error.message_el


def test_a_title_above_a_csv_header_is_skipped_whatever_its_commas(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """The separator was guessed from the first line, which is the title: a comma file with a
    plain title, or a semicolon file whose title has a comma, were read with the wrong one."""
    for sep, title in ((",", "Κέντρο Κοινότητας Αιγιαλείας λίστα ωφελουμένων"),
                       (";", "Κέντρο Κοινότητας Αιγιαλείας, λίστα ωφελουμένων 1/3/2026")):  # fmt: skip
        body = write_csv(tmp_path / "p.csv", [GOOD_PERSON], delimiter=sep).read_text(encoding="utf-8-sig")
        (tmp_path / "titled.csv").write_text(f"{title}\n\n{body}", encoding="utf-8")
        report = import_file(loaded_engine, tmp_path / "titled.csv", dry_run=True)
        assert report.ok, (sep, report.errors)
        assert report.added == 1 and any("διαβάστηκαν από τη γραμμή 3" in i.message_el for i in report.issues)
