"""Import review fixes: «Α/Α» is a row number, never an ID, and many known IDs under other names
refuse the file; IDs match across case, Greek/Latin look-alikes and leading zeros; an empty
file is «Το αρχείο είναι κενό»; nothing but `kinito geocode` geocodes; a staff list is refused
clearly and an export of another register's plans gets one message; settlements written with
abbreviations, everyday forms and units after a dash or a space are found; «ΚΑΙ», OXI, Δευτ.;
role abbreviations; a stop's announced window is explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from planner.cli import main
from planner.gazetteer import Settlement
from planner.register.db import make_engine, session_scope
from planner.register.exporter import csv_text, export
from planner.register.importer import (
    ImportReport,
    _parse_bool,
    _parse_role,
    import_file,
    parse_weekdays,
)
from planner.register.migrate import upgrade
from planner.register.models import Beneficiary, Staff
from planner.register.places import Place, find_settlement
from planner.register.settlements import load_gazetteer
from tests.register.test_import_helpers import GOOD_STOP, counts, write_csv, write_xlsx

NAMES = ("Βλάχου Μαρίνα", "Γκίκα Δέσποινα", "Ζέρβα Όλγα", "Αγγέλου Στέλλα", "Θεοδώρου Πέτρος")
Gazetteer = tuple[Settlement, ...]
Aliases = dict[str, tuple[str, ...]]


def _row(ext: str, name: str, phone: str = "", *, id_header: str = "Κωδικός", **extra: str) -> dict[str, str]:
    """A beneficiary row with one care plan (the office list's few columns)."""
    return {
        id_header: ext, "Ονοματεπώνυμο": name, "Οικισμός": "Τέμενη", "Τηλέφωνο": phone,
        "Υπηρεσία": "κατ' οίκον φροντίδα", "Ειδικότητα": "ΚΛ", "Διάρκεια": "45",
        "Συχνότητα": "εβδομαδιαία", "Έναρξη": "1/12/2026", **extra,
    }  # fmt: skip


def _names(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return {b.external_id or "": b.full_name for b in session.scalars(select(Beneficiary))}


def _errors(report: ImportReport) -> list[str]:
    return [i.message for i in report.errors]


def _warnings(report: ImportReport) -> list[str]:
    return [i.message for i in report.issues if i.severity == "warning"]


# --- 1. «Α/Α» is a row number -----------------------------------------------------------------


def test_a_renumbered_list_with_a_row_number_column_no_longer_renames_everyone(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """The reviewer's aa1.csv then aa2.csv (one person added at the top, rows re-numbered): the
    «Α/Α» column is not taken for the ID, so the file is refused (no «Κωδικός»), saying why."""
    first = [_row(str(i), n, f"269107710{i}", id_header="Α/Α") for i, n in enumerate(NAMES[:3], start=1)]
    report = import_file(loaded_engine, write_csv(tmp_path / "aa1.csv", first))
    assert not report.ok and counts(loaded_engine)["beneficiaries"] == 0
    (error,) = report.errors
    assert error.column == "Κωδικός" and "«Α/Α» είναι αύξων αριθμός" in error.message_el
    assert "rename it to «Κωδικός»" in error.message_en
    assert any("αύξων αριθμός γραμμής, όχι κωδικός: αγνοείται" in w for w in _warnings(report))


@pytest.mark.parametrize("header", ["Α/Α", "α/α", "Α.Α.", "ΑΑ", "Νο", "No.", "#", "Αύξων αριθμός"])
def test_a_row_number_beside_the_id_is_ignored_and_a_renumbering_changes_nobody(
    header: str, loaded_engine: Engine, tmp_path: Path
) -> None:
    """With «Α/Α» (or a variant) and «Κωδικός», the ID is «Κωδικός»: re-numbered rows with one
    person added at the top change no stored person."""
    rows = [{header: str(i), **_row(f"Κ-{i}", n)} for i, n in enumerate(NAMES[:3], start=1)]
    assert import_file(loaded_engine, write_csv(tmp_path / "a.csv", rows)).written
    again = [{header: "1", **_row("Κ-9", NAMES[3])}] + [{**r, header: str(int(r[header]) + 1)} for r in rows]
    report = import_file(loaded_engine, write_csv(tmp_path / "b.csv", again))
    assert report.ok and (report.added, report.updated, report.unchanged) == (1, 0, 3)
    assert any(header in w and "row number" in w for w in _warnings(report))
    assert _names(loaded_engine) == {"Κ-1": NAMES[0], "Κ-2": NAMES[1], "Κ-3": NAMES[2], "Κ-9": NAMES[3]}


def test_many_known_ids_under_other_names_refuse_the_file(loaded_engine: Engine, tmp_path: Path) -> None:
    """Three stored IDs each coming with another person's name (IDs re-used): one error first,
    nothing written; a single renamed person is still only a warning."""
    rows = [_row(f"Κ-{i}", n, f"269107710{i}") for i, n in enumerate(NAMES[:4], start=1)]
    assert import_file(loaded_engine, write_csv(tmp_path / "a.csv", rows)).written
    shifted = [_row(f"Κ-{i}", n, f"269107710{i}") for i, n in enumerate(NAMES[1:4], start=1)]
    shifted.append(rows[3])
    before = counts(loaded_engine)
    report = import_file(loaded_engine, write_csv(tmp_path / "b.csv", shifted))
    assert not report.ok and not report.written and counts(loaded_engine) == before
    first = report.issues[0]
    assert first.severity == "error" and first.row is None and first.message_el.startswith("3 κωδικοί")
    assert "Κ-1: «Βλάχου Μαρίνα» → «Γκίκα Δέσποινα»" in first.message_el and "refused" in first.message_en
    assert _names(loaded_engine)["Κ-1"] == NAMES[0]
    one = [rows[0], rows[1], rows[2], _row("Κ-4", NAMES[4], "2691077104")]  # one in four: a warning
    report = import_file(loaded_engine, write_csv(tmp_path / "c.csv", one))
    assert report.ok and report.updated == 1 and any("Άλλο όνομα" in w for w in _warnings(report))


def test_the_csv_export_still_imports_back_and_its_staff_file_is_refused_clearly(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """Kinito's own CSV export: beneficiaries.csv and village_stops.csv import back unchanged,
    staff.csv (with both «Α/Α» and «Κωδικός») is refused with one message, not ten."""
    rows = [_row(f"Κ-{i}", n) for i, n in enumerate(NAMES[:2], start=1)]
    assert import_file(loaded_engine, write_csv(tmp_path / "p.csv", rows)).written
    assert import_file(loaded_engine, write_csv(tmp_path / "s.csv", [GOOD_STOP])).written
    with session_scope(loaded_engine) as session:
        session.add(Staff(external_id="sw1", name="Ελένη Κ.", role="social_worker", weekdays=[1, 2, 3]))
    out = tmp_path / "csv"
    export(loaded_engine, "csv", out, "register")
    for name, total in (("beneficiaries.csv", 2), ("village_stops.csv", 1)):
        report = import_file(loaded_engine, out / name)
        assert report.ok and (report.added, report.updated, report.unchanged) == (0, 0, total), _errors(
            report
        )
    for kind in (None, "beneficiaries"):
        report = import_file(loaded_engine, out / "staff.csv", kind=kind)  # type: ignore[arg-type]
        assert len(report.issues) == 1 and report.issues[0].row is None
        assert "Οι υπάλληλοι δεν εισάγονται από αρχείο" in report.issues[0].message_el
        assert (
            "kinito staff add" in report.issues[0].message_en
            and "'Staff' page" in report.issues[0].message_en
        )


# --- 2. IDs written otherwise ---------------------------------------------------------------------


@pytest.mark.parametrize("written", ["KA-1", "κα-1", "ka-1", "Κα-1"])
def test_an_id_in_latin_letters_or_another_case_finds_the_stored_person(
    written: str, loaded_engine: Engine, tmp_path: Path
) -> None:
    """ids1.csv then ids_latin.csv / ids_lower.csv: the stored ΚΑ-1 (Greek capitals), no new
    person, and a warning naming the stored ID."""
    assert import_file(loaded_engine, write_csv(tmp_path / "a.csv", [_row("ΚΑ-1", NAMES[0])])).written
    report = import_file(loaded_engine, write_csv(tmp_path / "b.csv", [_row(written, NAMES[0])]))
    assert report.ok and (report.added, report.updated, report.unchanged) == (0, 0, 1)
    assert any(f"«{written}» είναι γραμμένος αλλιώς από τον κωδικό «ΚΑ-1»" in w for w in _warnings(report))
    assert _names(loaded_engine) == {"ΚΑ-1": NAMES[0]}


def test_an_excel_number_finds_the_id_with_leading_zeros(loaded_engine: Engine, tmp_path: Path) -> None:
    """An XLSX number cell 42 (Excel dropped the zeros) is the register's 0042; 42 is not 420."""
    assert import_file(loaded_engine, write_csv(tmp_path / "a.csv", [_row("0042", NAMES[0])])).written
    report = import_file(
        loaded_engine, write_xlsx(tmp_path / "b.xlsx", [{**_row("", NAMES[0]), "Κωδικός": 42}])
    )
    assert report.ok and report.unchanged == 1 and report.added == 0
    assert _names(loaded_engine) == {"0042": NAMES[0]}
    assert import_file(loaded_engine, write_csv(tmp_path / "c.csv", [_row("0420", NAMES[1])])).added == 1


def test_an_id_like_two_stored_ids_is_an_error(loaded_engine: Engine, tmp_path: Path) -> None:
    """Never a guess: κα-1 for a register that holds both ΚΑ-1 (Greek) and KA-1 (Latin)."""
    rows = [_row("ΚΑ-1", NAMES[0]), _row("KA-1", NAMES[1])]
    assert import_file(loaded_engine, write_csv(tmp_path / "a.csv", rows)).written
    report = import_file(loaded_engine, write_csv(tmp_path / "b.csv", [_row("κα-1", NAMES[0])]))
    assert not report.ok and "περισσότερους από έναν κωδικούς" in report.errors[0].message_el


def test_the_csv_export_keeps_leading_zeros_of_an_id(loaded_engine: Engine, tmp_path: Path) -> None:
    """0042 is written '0042 (Excel would read 42), as phones are written +30 69…; it imports back."""
    assert csv_text("0042") == "'0042" and csv_text("'0042") == "''0042" and csv_text("42") == "42"
    assert csv_text("0") == "0" and csv_text("0,5") == "0,5"
    assert import_file(loaded_engine, write_csv(tmp_path / "a.csv", [_row("0042", NAMES[0])])).written
    out = tmp_path / "csv"
    export(loaded_engine, "csv", out, "register")
    text = (out / "beneficiaries.csv").read_text(encoding="utf-8-sig")
    assert "\n'0042;" in text
    report = import_file(loaded_engine, out / "beneficiaries.csv")
    assert report.ok and report.unchanged == 1 and not _warnings(report)


# --- 3. empty files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [("empty.csv", b""), ("bom.csv", b"\xef\xbb\xbf"), ("blank.csv", b"\r\n  \r\n"), ("empty.xlsx", b"")],
)
def test_an_empty_file_says_so(
    name: str,
    data: bytes,
    loaded_engine: Engine,
    db_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """0 bytes, a BOM alone, blank lines, a 0-byte .xlsx: «Το αρχείο είναι κενό», no crash."""
    path = tmp_path / name
    path.write_bytes(data)
    report = import_file(loaded_engine, path)
    assert [e.message for e in report.errors] == ["Το αρχείο είναι κενό. / The file is empty."]
    assert main(["import", str(path), "--db", str(db_file)]) == 2
    out = capsys.readouterr()
    assert "Το αρχείο είναι κενό." in out.out and "max()" not in out.out + out.err


# --- 4. geocoding -------------------------------------------------------------------------------


def test_the_import_never_geocodes_and_the_docs_say_so(
    loaded_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A configured server changes nothing for an import (the person gets no point of their own):
    the README no longer says that visits happen at a geocoded point when a server is set."""
    monkeypatch.setenv("KINITO_GEOCODER_URL", "http://127.0.0.1:9")  # nothing listens there
    row = _row("Κ-1", NAMES[0], Διεύθυνση="Ερμού 12")
    assert import_file(loaded_engine, write_csv(tmp_path / "a.csv", [row])).written
    with session_scope(loaded_engine) as session:
        person = session.scalars(select(Beneficiary)).one()
        assert (person.lat, person.lon) == (None, None)
    root = Path(__file__).resolve().parents[2]
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    assert "unless the office gives exact coordinates or a Nominatim server is configured" not in readme
    assert "Nothing geocodes an address by itself" in readme
    geocoding = " ".join((root / "docs" / "geocoding.md").read_text(encoding="utf-8").split())
    assert "Nothing else calls the geocoder" in geocoding


# --- 5. plans of another register --------------------------------------------------------------


def test_an_export_imported_into_a_new_register_gets_one_message(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """Plan IDs of another register on every row: one error saying so and what to do; with the
    column emptied the file imports."""
    rows = [_row(f"Κ-{i}", n) for i, n in enumerate(NAMES, start=1)]
    assert import_file(loaded_engine, write_csv(tmp_path / "a.csv", rows)).written
    export(loaded_engine, "csv", tmp_path / "csv", "register")
    fresh = make_engine(tmp_path / "fresh.sqlite3")
    upgrade(fresh)
    with session_scope(fresh) as session:
        load_gazetteer(session)
    exported = tmp_path / "csv" / "beneficiaries.csv"
    report = import_file(fresh, exported)
    assert len(report.errors) == 1
    (error,) = report.errors
    assert error.row is None and error.column == "Κωδικός πλάνου"
    assert (
        "εξαγωγή άλλου μητρώου" in error.message_el
        and "empty the column 'Κωδικός πλάνου'" in error.message_en
    )
    lines = exported.read_text(encoding="utf-8-sig").splitlines()
    emptied = tmp_path / "emptied.csv"
    emptied.write_text("\n".join(line.rsplit(";", 1)[0] + ";" for line in lines), encoding="utf-8-sig")
    report = import_file(fresh, emptied)
    assert report.ok and report.added == 5, _errors(report)
    fresh.dispose()


# --- 6. settlements --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Διακοφτό", "3702040101"), ("Diakofto", "3702040101"), ("ΔΙΑΚΟΦΤΟ", "3702040101"),
        ("Αγ. Νικόλαος", "3702010102"), ("Αγ Νικόλαος", "3702010102"), ("Άγ. Ανδρέας", "3702011102"),
        ("Αγ. Βαρβάρα", "3702030201"), ("Ag. Varvara", "3702030201"), ("Κ. Μαυρίκι", "3702010801"),
        ("Α. Μαυρίκι", "3702010803"), ("Α. Διακοπτό", "3702040201"),
        ("Λάκκα - Συμπολιτείας", "3702061001"), ("Λάκκα Αιγίου", "3702010902"),
        ("Πλάτανος Ακράτας", "3702031201"), ("Λάκκα (Δημοτική Ενότητα Αιγίου)", "3702010902"),
        ("Λάκκα ΔΕ Συμπολιτείας", "3702061001"),
    ],
)  # fmt: skip
def test_common_forms_of_a_settlement_name_are_found(
    query: str, code: str, settlements: Gazetteer, aliases: Aliases
) -> None:
    """Everyday Διακοφτό, abbreviations Αγ./Άγ./Ag./Κ./Α., a unit after a dash or a space."""
    match = find_settlement(query, settlements, aliases)
    assert match.found and match.settlement is not None and match.settlement.code == code, match.message


def test_a_wrong_unit_says_where_the_settlement_is(settlements: Gazetteer, aliases: Aliases) -> None:
    """Ροδιά (Αιγίου): not found, the message names Ροδιά of Δ.Ε. Διακοπτού (never taken silently)."""
    match = find_settlement("Ροδιά (Αιγίου)", settlements, aliases)
    assert match.status == "not_found" and [s.code for s in match.suggestions] == ["3702041101"]
    assert "υπάρχει ως Ροδιά (Δ.Ε. Διακοπτού, 3702041101)" in match.message_el
    assert "not in the municipal unit 'Αιγίου'" in match.message_en


def test_an_abbreviation_that_fits_two_settlements_is_listed_not_picked() -> None:
    """Μ. Χωριό with both a Μεγάλο Χωριό and a Μικρό Χωριό: ambiguous, both listed."""
    places = [
        Place("1", "Μεγάλο Χωριό", "Megalo Chorio", "Αιγίου"),
        Place("2", "Μικρό Χωριό", "Mikro Chorio", "Αιγίου"),
    ]
    match = find_settlement("Μ. Χωριό", places)
    assert match.status == "ambiguous" and {s.code for s in match.candidates} == {"1", "2"}
    assert "Μεγάλο Χωριό" in match.message_el and "Μικρό Χωριό" in match.message_el
    assert "whole name" in match.message_en
    assert find_settlement("Μ. Χωριό", places[:1]).settlement == places[0]


def test_an_import_finds_diakofto_and_lists_it_as_found_under_another_name(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """«Διακοφτό» in a file is Διακοπτόν, shown among the settlements found under another name."""
    report = import_file(
        loaded_engine, write_csv(tmp_path / "a.csv", [_row("Κ-1", NAMES[0], Οικισμός="Διακοφτό")])
    )
    assert report.written and [(g.typed, g.code) for g in report.settlements] == [("Διακοφτό", "3702040101")]


# --- 7. weekdays and yes/no ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Δευτέρα ΚΑΙ Τετάρτη", "Δευτέρα Και Τετάρτη", "Δευτ. και Τετ.", "MON AND WED"]
)
def test_weekdays_joined_by_kai_in_any_case_and_dotted_abbreviations(text: str) -> None:
    """«ΚΑΙ» as «και» (the docs say in any case), and «Δευτ.»."""
    assert parse_weekdays(text) == [1, 3]


def test_latin_oxi_is_no_as_latin_nai_is_yes() -> None:
    """OXI typed in Latin letters is «όχι», as NAI is «ναι»."""
    assert (_parse_bool("OXI"), _parse_bool("NAI"), _parse_bool("ΟΧΙ")) == (False, True, False)
    assert [parse_weekdays(t) for t in ("Πέμπ.", "Παρασκ.", "Σαββ.")] == [[4], [5], [6]]


# --- 8. roles and announced times ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "role"),
    [("Κοιν. Λειτουργός", "social_worker"), ("Κοιν. Λειτ.", "social_worker"), ("ΚΟΙΝ.ΛΕΙΤ.", "social_worker"),
     ("ψυχ.", "psychologist"), ("Ψυχολ.", "psychologist"), ("ΚΛ", "social_worker")],
)  # fmt: skip
def test_role_abbreviations(text: str, role: str) -> None:
    """The abbreviations offices write for the two roles."""
    assert _parse_role(text) == role


def test_a_stop_window_in_the_time_column_is_explained(loaded_engine: Engine, tmp_path: Path) -> None:
    """«Ώρα» 10:00-12:00: the column takes the start time; the length goes in the duration column
    (named as the file names it)."""
    stop = {k: v for k, v in GOOD_STOP.items() if k not in ("Ώρες ανακοίνωσης", "Διάρκεια (λεπτά)")}
    report = import_file(
        loaded_engine, write_csv(tmp_path / "s.csv", [{**stop, "Διάρκεια": "120", "Ώρα": "10:00-12:00"}])
    )
    (error,) = report.errors
    assert error.column == "Ώρα"
    assert "η στήλη «Ώρα» παίρνει την ώρα έναρξης της στάσης (10:00)" in error.message_el
    assert "(εδώ 120) γράφεται στη στήλη «Διάρκεια»" in error.message_el
    assert "Μη έγκυρη ώρα" not in error.message_el
