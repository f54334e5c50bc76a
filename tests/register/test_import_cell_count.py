"""CSV rows whose cell count differs from the header's: an unquoted separator inside a value
shifts the later cells, and is reported as such (not as a bad date further on); a short row
reads its missing cells as empty, with a hint when that is what went wrong."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from planner.register.importer import import_file
from tests.register.test_import_helpers import GOOD_PERSON as QUOTED_PERSON
from tests.register.test_import_helpers import GOOD_STOP, counts

GOOD_PERSON = {**QUOTED_PERSON, "Ώρες": "09:00-12:00, 17:00-19:00"}  # no `;` in a value


def _raw_csv(path: Path, rows: list[dict[str, str]], delimiter: str = ";") -> Path:
    """Rows joined by hand, without the quotes a CSV writer would add (as a text editor leaves them)."""
    lines = [delimiter.join(rows[0])] + [delimiter.join(r.values()) for r in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_an_unquoted_separator_in_a_value_is_reported_as_such(loaded_engine: Engine, tmp_path: Path) -> None:
    """`9.30-11; 14-16` in a `;` file: one error on the row, naming the cell counts, the column
    and value that most likely hold the separator, and what to do; no misleading date error."""
    bad = {**GOOD_PERSON, "Κωδικός": "Ω-2", "Ώρες": "9.30-11; 14-16"}
    before = counts(loaded_engine)
    report = import_file(loaded_engine, _raw_csv(tmp_path / "p.csv", [GOOD_PERSON, bad]))
    assert not report.written and counts(loaded_engine) == before
    (error,) = report.errors
    assert (error.row, error.column, error.value) == (3, "Ώρες", "9.30-11; 14-16")
    assert error.message_el.startswith("Η γραμμή έχει 21 κελιά, ενώ η επικεφαλίδα έχει 20")
    assert (
        "η τιμή «9.30-11; 14-16» της στήλης «Ώρες» περιέχει μάλλον το διαχωριστικό «;» χωρίς εισαγωγικά"
        in (error.message_el)
    )
    assert "«,» αντί για «;»" in error.message_el
    assert "The row has 21 cells where the header has 20" in error.message_en
    assert not any(i.column == "Έναρξη" for i in report.issues)


def test_a_shift_with_an_empty_last_cell_is_still_found(loaded_engine: Engine, tmp_path: Path) -> None:
    """The shifted-out last cell is empty (no end date, no status): the extra cell is empty,
    but the row's other errors are those of shifted cells, so the same single error is given."""
    row = {k: v for k, v in GOOD_PERSON.items() if k != "Κατάσταση πλάνου"}
    bad = {**row, "Κωδικός": "Ω-2", "Σημειώσεις": "ζει μόνη; έχει σκύλο"}
    report = import_file(loaded_engine, _raw_csv(tmp_path / "p.csv", [row, bad]))
    (error,) = report.errors
    assert (error.row, error.column, error.value) == (3, "Σημειώσεις", "ζει μόνη; έχει σκύλο")
    assert "20 κελιά, ενώ η επικεφαλίδα έχει 19" in error.message_el


def test_a_shift_that_cannot_be_located_still_says_what_is_wrong(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """Two separators in two values: no single column is named, the counts and advice are."""
    bad = {**GOOD_STOP, "Σημείο": "Πλατεία, καφενείο", "Ώρες ανακοίνωσης": "10:00, 12:30"}
    report = import_file(loaded_engine, _raw_csv(tmp_path / "s.csv", [bad], delimiter=","))
    (error,) = report.errors
    assert (error.row, error.column) == (2, None)
    assert (
        "12 κελιά, ενώ η επικεφαλίδα έχει 10" in error.message_el and "«;» αντί για «,»" in error.message_el
    )


def test_trailing_empty_cells_past_the_header_are_harmless(loaded_engine: Engine, tmp_path: Path) -> None:
    """A valid row ending in an extra empty separator imports as before."""
    path = _raw_csv(tmp_path / "p.csv", [GOOD_PERSON])
    path.write_text(path.read_text(encoding="utf-8").replace("ενεργό\r\n", "ενεργό;\r\n"), encoding="utf-8")
    report = import_file(loaded_engine, path)
    assert report.ok and report.added == 1, report.issues


def test_a_short_row_reads_its_missing_cells_as_empty_with_a_hint_on_errors(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """Excel leaves out trailing empty cells: a short row with nothing required missing imports;
    one missing a required cell has its error, after a warning that the row is short."""
    short_ok = ";".join(v for k, v in GOOD_PERSON.items() if k not in ("Λήξη", "Κατάσταση πλάνου"))
    joined = {**GOOD_PERSON, "Κωδικός": "Ω-2"}
    joined["Ώρες"] = joined["Ώρες"] + joined.pop("Έναρξη")  # a lost separator
    lines = [";".join(GOOD_PERSON), short_ok, ";".join(joined.values())]
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(loaded_engine, path, dry_run=True)
    assert [(i.row, i.column, i.severity) for i in report.issues] == [
        (3, "Κατάσταση πλάνου", "warning"),
        (3, "Ώρες", "error"),
        (3, "Έναρξη", "error"),
        (3, "Λήξη", "error"),
    ]
    assert report.issues[0].message_el.startswith("Η γραμμή έχει 19 κελιά, ενώ η επικεφαλίδα έχει 20")
    path.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    assert import_file(loaded_engine, path).added == 1
