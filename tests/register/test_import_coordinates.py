"""Typed coordinates (docs/import.md, docs/geocoding.md): the municipality's box is the
geocoder's (the importer's was 0.15° wider and let central Patras in), and a point far from the
row's settlement is a warning the preview shows (a point for Αίγιο typed in Kalavryta town,
24 km off, went in unremarked)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from planner.register.importer import import_file
from tests.register.test_import_helpers import GOOD_PERSON, write_csv


def _person(settlement: str, lat: str, lon: str) -> dict[str, str]:
    return {**GOOD_PERSON, "Οικισμός": settlement, "Γεωγρ. πλάτος": lat, "Γεωγρ. μήκος": lon}


def test_a_point_in_patras_is_outside_the_municipality(loaded_engine: Engine, tmp_path: Path) -> None:
    patras = _person("Ζήρια", "38,2466", "21,7346")
    report = import_file(loaded_engine, write_csv(tmp_path / "p.csv", [patras]))
    assert not report.ok
    (error,) = report.errors
    assert error.column == "Γεωγρ. μήκος" and "έξω από τα όρια του δήμου" in error.message_el
    assert "21.85" in error.message_el  # the geocoder's box, 21.850-22.407 E


def test_a_point_far_from_its_settlement_is_a_warning(loaded_engine: Engine, tmp_path: Path) -> None:
    far = _person("Αίγιο", "38,0325", "22,1106")  # Kalavryta town: inside the box, 24 km south
    near = {**GOOD_PERSON, "Κωδικός": "Ω-2"}  # Διακοπτό at its own point
    report = import_file(loaded_engine, write_csv(tmp_path / "p.csv", [far, near]), dry_run=True)
    assert report.ok
    warnings = [i for i in report.issues if i.severity == "warning" and "απέχει" in i.message_el]
    assert [(w.row, w.column) for w in warnings] == [(2, "Γεωγρ. πλάτος")]
    assert "απέχει 24 km από τον οικισμό «Αίγιον»" in warnings[0].message_el
    assert "24 km from the settlement" in warnings[0].message_en


def test_a_year_typed_wrong_is_refused(loaded_engine: Engine, tmp_path: Path) -> None:
    """01/03/2206 and 01/03/0026 for 2026 were accepted (a plan starting in 2206 is never due,
    and the export's «01/03/26» failed to import back): refused, naming row and column."""
    rows = [
        {**GOOD_PERSON, "Έναρξη": "01/03/2206"},
        {**GOOD_PERSON, "Κωδικός": "Ω-2", "Έναρξη": "01/03/0026"},
        {**GOOD_PERSON, "Κωδικός": "Ω-3", "Λήξη": "31/12/9999"},
    ]
    report = import_file(loaded_engine, write_csv(tmp_path / "years.csv", rows), dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Έναρξη"), (3, "Έναρξη"), (4, "Λήξη")]
    assert "έξω από 2000-2099" in report.errors[0].message_el


def test_the_export_writes_four_digit_years() -> None:
    from datetime import date, datetime

    from planner.register.exporter import _text

    assert _text(date(26, 3, 1)) == "01/03/0026"
    assert _text(datetime(2026, 3, 1, 9, 5)) == "01/03/2026 09:05"
