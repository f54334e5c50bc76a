"""Exporting the register, plan versions and outcomes to XLSX and CSV, read back and checked."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from planner.cli import main
from planner.register.db import session_scope
from planner.register.exporter import export
from planner.register.importer import import_file
from planner.register.models import (
    Beneficiary,
    CalendarDay,
    CarePlan,
    PlanVersion,
    Staff,
    Unit,
    VisitOutcome,
)
from tests.register.test_import_helpers import GOOD_PERSON, GOOD_STOP, SECOND_PERSON, counts, write_csv

PLAN_DOC = {
    "schema": "kinito-plan/1",
    "summary": {"visits": 3, "served": 2, "unassigned": 1},
    "routes": [
        {
            "unit": "u1",
            "date": "2026-12-01",
            "steps": [
                {"type": "start", "location": "base", "time": "08:30"},
                {"type": "visit", "visit": "cp-1", "occurrence": 0, "location": "x", "arrival": "09:10",
                 "start": "09:15", "end": "10:00", "travel_s": 2400, "distance_m": 18250},
                {"type": "break", "start": "10:00", "end": "10:30", "after_stop": 1},
                {"type": "visit", "visit": "stop-1", "occurrence": 0, "location": "y", "arrival": "11:00",
                 "start": "11:00", "end": "13:00", "travel_s": 1800, "distance_m": 12000},
                {"type": "end", "location": "base", "time": "14:00", "travel_s": 1500, "distance_m": 11000},
            ],
        }
    ],
    "unassigned": [],
}  # fmt: skip


@pytest.fixture
def full_register(loaded_engine: Engine, tmp_path: Path) -> Engine:
    """Two beneficiaries with care plans and a stop (imported), staff, a unit, a holiday, a
    published plan version and one outcome."""
    assert import_file(loaded_engine, write_csv(tmp_path / "p.csv", [GOOD_PERSON, SECOND_PERSON])).ok
    assert import_file(loaded_engine, write_csv(tmp_path / "s.csv", [GOOD_STOP])).ok
    with session_scope(loaded_engine, actor="maria") as session:
        staff = Staff(external_id="ΚΛ-1", name="Ελένη Κ.", role="social_worker", part_time=True,
                      weekdays=[1, 2, 3], day_start=time(8), day_end=time(12))  # fmt: skip
        unit = Unit(name="Κινητή 1", base_name="Κέντρο Κοινότητας Αιγίου", base_lat=38.2497, base_lon=22.0816,
                    weekly_hours=20.5)  # fmt: skip
        session.add_all([staff, unit])
        session.flush()
        session.add(CalendarDay(day=date(2026, 12, 25), kind="holiday", name="Χριστούγεννα"))
        version = PlanVersion(iso_week="2026-W49", unit_set=str(unit.id), version=1, status="published",
                              plan_json=json.dumps(PLAN_DOC), summary=PLAN_DOC["summary"], created_by="maria",
                              created_at=datetime(2026, 11, 27, 10, 0, tzinfo=UTC))  # fmt: skip
        session.add(version)
        session.flush()
        plan = session.scalars(
            select(CarePlan).join(Beneficiary).where(Beneficiary.external_id == "Ω-1")
        ).one()
        outcome = VisitOutcome(
            care_plan_id=plan.id, plan_version_id=version.id, visit_ref="cp-1", status="done",
            planned_date=date(2026, 12, 1), staff_id=staff.id, recorded_by="driver1",
            occurred_at=datetime(2026, 12, 1, 7, 20, tzinfo=UTC), note="όλα καλά",
        )  # fmt: skip
        session.add(outcome)
    return loaded_engine


def _sheet(path: Path, title: str) -> list[list[object]]:
    wb = load_workbook(path, read_only=True)
    try:
        return [list(r) for r in wb[title].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_xlsx_export_has_one_sheet_per_table_with_greek_headers(
    full_register: Engine, tmp_path: Path
) -> None:
    """Every table is there, headed in Greek."""
    (path,) = export(full_register, "xlsx", tmp_path / "out.xlsx", "all")
    wb = load_workbook(path, read_only=True)
    names = wb.sheetnames
    wb.close()
    assert names == ["Ωφελούμενοι", "Στάσεις", "Προσωπικό", "Μονάδες", "Ημερολόγιο", "Εκδόσεις σχεδίων",
                     "Σχέδια ανά στάση", "Εκβάσεις επισκέψεων"]  # fmt: skip
    assert _sheet(path, "Ωφελούμενοι")[0][:3] == ["Κωδικός", "Ονοματεπώνυμο", "Οικισμός"]


def test_xlsx_beneficiaries_match_the_database(full_register: Engine, tmp_path: Path) -> None:
    """Each beneficiary row carries the database's values, in the import's readable forms."""
    (path,) = export(full_register, "xlsx", tmp_path / "out.xlsx", "register")
    header, *rows = _sheet(path, "Ωφελούμενοι")
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    with session_scope(full_register) as session:
        people = list(session.scalars(select(Beneficiary)))
        assert len(rows) == len(people) == 2
        for person in people:
            row = by_id[person.external_id]
            (plan,) = person.care_plans
            assert row["Ονοματεπώνυμο"] == person.full_name
            assert row["Κωδικός ΕΛΣΤΑΤ"] == person.settlement_code
            assert row["Οικισμός"] == person.settlement.name_el
            assert (row["Γεωγρ. πλάτος"], row["Γεωγρ. μήκος"]) == (person.lat, person.lon)
            assert str(row["Τηλέφωνο"]).replace(" ", "") == person.phone
            assert row["Διάρκεια (λεπτά)"] == plan.duration_min
            assert row["Έναρξη"] == datetime.combine(plan.start_date, time())
    maria = by_id["Ω-1"]
    assert maria["Συχνότητα"] == "κάθε 2 εβδομάδες"
    assert maria["Ημέρες"] == "Δευτέρα, Τετάρτη"
    assert maria["Ώρες"] == "09:00-12:00, 17:00-19:00"
    assert maria["Ομάδες προτεραιότητας"] == "ΚΕΑ, μόνος/μόνη"
    assert maria["Ειδικότητα"] == "κοινωνικός λειτουργός"


def test_xlsx_plans_staff_calendar_and_outcomes_match_the_database(
    full_register: Engine, tmp_path: Path
) -> None:
    """Plan stops come from the plan JSON in route order; outcomes in local (Athens) time."""
    (path,) = export(full_register, "xlsx", tmp_path / "out.xlsx", "all")
    stops_header, *stops = _sheet(path, "Σχέδια ανά στάση")
    rows = [dict(zip(stops_header, r, strict=True)) for r in stops]
    assert [(r["Σειρά"], r["Επίσκεψη"], r["Άφιξη"], r["Έναρξη"], r["Λήξη"]) for r in rows] == [
        (1, "cp-1", "09:10", "09:15", "10:00"),
        (2, "stop-1", "11:00", "11:00", "13:00"),
    ]
    assert rows[0]["Ημερομηνία"] == datetime(2026, 12, 1)
    assert (rows[0]["Μονάδα"], rows[0]["Διαδρομή (λεπτά)"], rows[0]["Απόσταση (km)"]) == ("u1", 40, 18.2)
    assert rows[0]["Εβδομάδα"] == "2026-W49" and rows[0]["Κατάσταση"] == "δημοσιευμένο"
    _, version = _sheet(path, "Εκδόσεις σχεδίων")
    assert version[1:5] == ["2026-W49", version[2], 1, "δημοσιευμένο"]
    assert version[5] == datetime(2026, 11, 27, 12, 0)  # 10:00 UTC is 12:00 in Athens in winter
    assert version[8:] == [3, 2, 1]
    staff_header, staff = _sheet(path, "Προσωπικό")
    assert dict(zip(staff_header, staff, strict=True)) | {"Α/Α": 0} == {
        "Α/Α": 0, "Κωδικός": "ΚΛ-1", "Ονοματεπώνυμο": "Ελένη Κ.", "Ειδικότητα": "κοινωνικός λειτουργός",
        "Μερική απασχόληση": "ναι", "Ημέρες εργασίας": "Δευτέρα, Τρίτη, Τετάρτη", "Έναρξη ωραρίου": "08:00",
        "Λήξη ωραρίου": "12:00", "Ενεργός": "ναι",
    }  # fmt: skip
    assert _sheet(path, "Ημερολόγιο")[1] == [datetime(2026, 12, 25), "αργία", None, None, "Χριστούγεννα"]
    unit_header, unit = _sheet(path, "Μονάδες")
    assert unit[1:4] == ["Κινητή 1", "Κέντρο Κοινότητας Αιγίου", 38.2497]
    assert unit_header[6] == "Ώρες οδηγού την εβδομάδα" and unit[6] == 20.5  # a part-time driver
    out_header, outcome = _sheet(path, "Εκβάσεις επισκέψεων")
    row = dict(zip(out_header, outcome, strict=True))
    assert (row["Κατάσταση"], row["Κωδικός ωφελούμενου"], row["Ωφελούμενος"]) == (
        "έγινε", "Ω-1", "Παπαδοπούλου Μαρία",
    )  # fmt: skip
    assert (row["Πότε"], row["Υπάλληλος"], row["Καταχωρήθηκε από"]) == (
        datetime(2026, 12, 1, 9, 20), "Ελένη Κ.", "driver1",
    )  # fmt: skip
    assert (row["Εβδομάδα σχεδίου"], row["Επίσκεψη"], row["Σημείωση"]) == ("2026-W49", "cp-1", "όλα καλά")


def test_csv_export_is_utf8_with_bom_semicolons_and_greek_formats(
    full_register: Engine, tmp_path: Path
) -> None:
    """One file per table; Greek Excel's conventions: BOM, `;`, dd/mm/yyyy, decimal comma."""
    files = export(full_register, "csv", tmp_path / "csv", "all")
    assert sorted(f.name for f in files) == sorted([
        "beneficiaries.csv", "village_stops.csv", "staff.csv", "units.csv", "calendar.csv",
        "plan_versions.csv", "plan_stops.csv", "visit_outcomes.csv",
    ])  # fmt: skip
    raw = (tmp_path / "csv" / "beneficiaries.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (tmp_path / "csv" / "beneficiaries.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    maria = next(r for r in rows if r["Κωδικός"] == "Ω-1")
    assert (maria["Γεωγρ. πλάτος"], maria["Έναρξη"], maria["Τηλέφωνο"]) == (
        "38,1953",
        "02/11/2026",
        "+30 6912345678",
    )
    with (tmp_path / "csv" / "visit_outcomes.csv").open(encoding="utf-8-sig", newline="") as fh:
        (outcome,) = list(csv.DictReader(fh, delimiter=";"))
    assert (outcome["Πότε"], outcome["Ημερομηνία σχεδίου"]) == ("01/12/2026 09:20", "01/12/2026")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_exported_register_imports_back_unchanged(full_register: Engine, tmp_path: Path, fmt: str) -> None:
    """Beneficiaries and stops are exported in the import layout: re-importing changes nothing."""
    files = export(full_register, fmt, tmp_path / ("out.xlsx" if fmt == "xlsx" else "csv"), "register")  # type: ignore[arg-type]
    before = counts(full_register)
    people = files[0] if fmt == "xlsx" else tmp_path / "csv" / "beneficiaries.csv"
    report = import_file(full_register, people, kind="beneficiaries", actor="maria")
    assert (report.ok, report.unchanged, report.added, report.updated) == (True, 2, 0, 0), report.issues
    if fmt == "csv":
        stops = import_file(full_register, tmp_path / "csv" / "village_stops.csv", actor="maria")
        assert (stops.ok, stops.unchanged) == (True, 1), stops.issues
    assert counts(full_register) == before


def test_kinito_export_from_the_command_line(
    full_register: Engine, db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito export --format xlsx --what outcomes` writes one workbook with the outcomes sheet."""
    out = tmp_path / "outcomes.xlsx"
    assert (
        main(["export", "--db", str(db_file), "--format", "xlsx", "--out", str(out), "--what", "outcomes"])
        == 0
    )
    assert str(out) in capsys.readouterr().out
    wb = load_workbook(out, read_only=True)
    names = wb.sheetnames
    wb.close()
    assert names == ["Εκβάσεις επισκέψεων"]
    assert main(["export", "--db", str(db_file), "--format", "csv", "--out", str(tmp_path / "c")]) == 0
    assert (tmp_path / "c" / "plan_stops.csv").is_file()


def test_a_file_name_that_contradicts_the_format_is_refused(
    loaded_engine: Engine, db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An XLSX workbook is not written into a .csv or .json name, nor CSV into an .xlsx one;
    a template named without a suffix gets the format's."""
    for args in (
        ["export", "--db", str(db_file), "--format", "xlsx", "--out", str(tmp_path / "x.csv")],
        ["export", "--db", str(db_file), "--format", "csv", "--out", str(tmp_path / "y.xlsx")],
        ["template", "--out", str(tmp_path / "t.json")],
        ["template", "--format", "csv", "--out", str(tmp_path / "t.xlsx")],
    ):
        assert main(args) == 2, args
        assert "xlsx" in capsys.readouterr().err
    assert not any(p.suffix in (".csv", ".json") for p in tmp_path.iterdir())
    assert main(["template", "--out", str(tmp_path / "plain")]) == 0
    assert (tmp_path / "plain.xlsx").is_file()


def test_an_empty_register_exports_headers_only(loaded_engine: Engine, tmp_path: Path) -> None:
    """No rows yet: every sheet still has its Greek header row, and nothing else."""
    (path,) = export(loaded_engine, "xlsx", tmp_path / "empty.xlsx", "all")
    wb = load_workbook(path, read_only=True)
    try:
        sizes = {ws.title: len(list(ws.iter_rows(values_only=True))) for ws in wb.worksheets}
    finally:
        wb.close()
    assert set(sizes.values()) == {1} and len(sizes) == 8


def test_the_exported_demo_register_imports_back_unchanged(loaded_engine: Engine, tmp_path: Path) -> None:
    """The demo register (people with two care plans are on two rows, phones stored without
    +30) exported to xlsx imports back with no error and no change (the docs' round trip)."""
    from planner.register.demo import load_demo

    with session_scope(loaded_engine, actor="test") as session:
        load_demo(session, reference=date(2026, 12, 7), seed=1)
    (path,) = export(loaded_engine, "xlsx", tmp_path / "demo.xlsx", "register")
    before = counts(loaded_engine)
    report = import_file(loaded_engine, path, actor="maria")
    assert report.ok, [(e.row, e.column, e.message) for e in report.errors[:5]]
    assert (report.added, report.updated, report.unchanged) == (0, 0, 250)
    assert report.rows > 250  # some people have two plans
    assert counts(loaded_engine) == before


def test_plan_stops_name_the_unit_as_the_problem_and_register_have_it(
    full_register: Engine, tmp_path: Path
) -> None:
    """The routes say `unit-1`, the engine's id of the register's unit: the «Μονάδα» column
    gives its name, from the version's problem when it has one, else from the register; so
    does the versions' «Μονάδες» (the register's ids "1,2" before)."""
    with session_scope(full_register) as session:
        unit = session.scalars(select(Unit)).one()
        version = session.scalars(select(PlanVersion)).one()
        doc = json.loads(version.plan_json)
        doc["routes"][0]["unit"] = f"unit-{unit.id}"
        version.plan_json = json.dumps(doc)
        problem = {"units": [{"id": f"unit-{unit.id}", "name": "Βαν (όπως σχεδιάστηκε)"}]}
        second = PlanVersion(iso_week="2026-W50", unit_set=str(unit.id), version=1, status="draft",
                             plan_json=json.dumps(doc), summary={}, created_by="maria",
                             problem_json=json.dumps(problem))  # fmt: skip
        session.add(second)
    (path,) = export(full_register, "xlsx", tmp_path / "out.xlsx", "plans")
    header, *rows = _sheet(path, "Σχέδια ανά στάση")
    units = [(r[header.index("Εβδομάδα")], r[header.index("Μονάδα")]) for r in rows]
    assert units == [("2026-W49", "Κινητή 1")] * 2 + [("2026-W50", "Βαν (όπως σχεδιάστηκε)")] * 2
    header, *versions = _sheet(path, "Εκδόσεις σχεδίων")
    assert [r[header.index("Μονάδες")] for r in versions] == ["Κινητή 1", "Βαν (όπως σχεδιάστηκε)"]


def test_every_phone_is_exported_with_plus_30_or_as_stored(full_register: Engine, tmp_path: Path) -> None:
    """A phone stored without +30 (the demo register, the web form) is exported as `+30 …` like
    an imported one; one that is not a Greek number is exported as it was stored."""
    with session_scope(full_register) as session:
        people = {b.external_id: b for b in session.scalars(select(Beneficiary))}
        people["Ω-1"].phone = "2691007325"
        people["Ω-2"].phone = "τηλ. κόρης"
    files = export(full_register, "csv", tmp_path / "csv", "register")
    with (tmp_path / "csv" / "beneficiaries.csv").open(encoding="utf-8-sig", newline="") as fh:
        phones = {r["Κωδικός"]: r["Τηλέφωνο"] for r in csv.DictReader(fh, delimiter=";")}
    assert phones == {"Ω-1": "+30 2691007325", "Ω-2": "τηλ. κόρης"}
    assert files


def test_the_demo_register_exports_every_phone_with_plus_30(loaded_engine: Engine, tmp_path: Path) -> None:
    """The demo register keeps phones without +30; its export writes them all as docs/import.md
    says, `+30` a space and the 10 digits (and re-importing them changes nothing, above)."""
    from planner.register.demo import load_demo

    with session_scope(loaded_engine, actor="test") as session:
        load_demo(session, reference=date(2026, 12, 7), seed=1)
        stored = [p for p in session.scalars(select(Beneficiary.phone)) if p]
    assert stored and not any(p.startswith("+30") for p in stored)
    (path,) = export(loaded_engine, "xlsx", tmp_path / "demo.xlsx", "register")
    header, *rows = _sheet(path, "Ωφελούμενοι")
    phones = {str(r[header.index("Τηλέφωνο")]) for r in rows if r[header.index("Τηλέφωνο")]}
    assert phones and all(re.fullmatch(r"\+30 [26]\d{9}", p) for p in phones), sorted(phones)[:5]
