"""Export the register, plan versions and visit outcomes to XLSX and CSV, with Greek headers.

- XLSX: one workbook, one sheet per table, real dates and numbers, a bold frozen header row.
- CSV: one file per table in a folder, UTF-8 with BOM and ``;`` separators (what Greek Excel
  opens with a double click), dates ``dd/mm/yyyy``, decimal commas.
- No text is ever a live formula (a note ``=HYPERLINK(...)`` typed on a tablet would otherwise
  run in the office's Excel): in XLSX every text is a text cell, shown exactly as stored
  (:func:`text_cells_only`); in CSV a text that a spreadsheet would read as a formula gets a
  leading apostrophe (:func:`csv_text`), which the importer drops again.

The beneficiaries and village-stops tables use the import layout
(:data:`planner.register.importer.BENEFICIARY_COLUMNS`, ``STOP_COLUMNS``), so an export can be
corrected in Excel and imported again. Times are local (Europe/Athens).

The export holds sensitive personal data (health, disability, social situation): whoever runs
it is responsible for where the file goes.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from planner.register.db import session_scope
from planner.register.importer import (
    BENEFICIARY_COLUMNS,
    CARE_PLAN_STATUS_EL,
    EXAMPLE_ID,
    KINDS,
    ROLE_EL,
    STOP_COLUMNS,
    Kind,
    columns_for,
    example_row,
    format_frequency,
    format_phone,
    format_priority_groups,
    format_weekdays,
)
from planner.register.models import (
    Beneficiary,
    CalendarDay,
    CarePlan,
    PlanVersion,
    Staff,
    Unit,
    VillageStop,
    VisitOutcome,
    plain_text,
)

__all__ = [
    "TEMPLATES_DIR",
    "WHAT",
    "Sheet",
    "collect",
    "csv_text",
    "export",
    "template_path",
    "template_sheets",
    "text_cells_only",
    "write_csv",
    "write_templates",
    "write_xlsx",
]

What = Literal["register", "plans", "outcomes", "all"]
WHAT: tuple[What, ...] = ("register", "plans", "outcomes", "all")
ATHENS = ZoneInfo("Europe/Athens")
TEMPLATES_DIR = Path(__file__).parent / "templates"
Value = str | int | float | date | datetime | None

STATUS_EL = CARE_PLAN_STATUS_EL
PLAN_STATUS_EL = {"draft": "πρόχειρο", "published": "δημοσιευμένο"}
OUTCOME_EL = {
    "done": "έγινε",
    "not_at_home": "δεν βρέθηκε στο σπίτι",
    "cancelled": "ακυρώθηκε",
    "postponed": "αναβλήθηκε",
}
CALENDAR_EL = {
    "holiday": "αργία",
    "closure": "κλειστό",
    "pilot_extended_hours": "διευρυμένο ωράριο",
    "unit_unavailable": "μονάδα μη διαθέσιμη",
    "staff_unavailable": "απουσία μέλους προσωπικού",
}


@dataclass(frozen=True)
class Sheet:
    """One exported table: the XLSX sheet name, the CSV file name, Greek headers, rows."""

    title: str
    filename: str
    header: tuple[str, ...]
    rows: list[list[Value]]


def _yes(flag: bool) -> str:
    return "ναι" if flag else "όχι"


def _local(moment: datetime | None) -> datetime | None:
    """A stored UTC instant as naive Athens local time (spreadsheets have no time zones)."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive values: they were stored as UTC
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ATHENS).replace(tzinfo=None)


def _windows(windows: Iterable[Sequence[str]]) -> str:
    return ", ".join(f"{a}-{b}" for a, b in windows)


def _beneficiaries(session: Session) -> Sheet:
    people = session.scalars(
        select(Beneficiary)
        .options(selectinload(Beneficiary.care_plans), selectinload(Beneficiary.settlement))
        .order_by(Beneficiary.external_id, Beneficiary.id)
    )
    staff = {s.id: s for s in session.scalars(select(Staff))}
    rows: list[list[Value]] = []
    for b in people:
        person: dict[str, Value] = {
            "external_id": b.external_id,
            "full_name": b.full_name,
            "settlement": b.settlement.name_el,
            "elstat_code": b.settlement_code,
            "address": b.address,
            "lat": b.lat,
            "lon": b.lon,
            "phone": format_phone(b.phone),
            "priority_groups": format_priority_groups(b.priority_groups or ()),
            "notes": b.notes,
            "active": _yes(b.active),
        }
        plans: list[CarePlan | None] = [*sorted(b.care_plans, key=lambda p: p.id)] or [None]
        for p in plans:
            values = dict(person)
            if p is not None:
                named = staff.get(p.staff_id) if p.staff_id is not None else None
                values.update(
                    service=p.service,
                    required_role=ROLE_EL.get(p.required_role, p.required_role),
                    staff=(named.external_id or named.name) if named else None,
                    duration_min=p.duration_min,
                    frequency=format_frequency(p.frequency_kind, p.frequency_count),
                    weekdays=format_weekdays(p.allowed_weekdays or ()),
                    time_windows=_windows(p.time_windows or ()),
                    start_date=p.start_date,
                    end_date=p.end_date,
                    status=STATUS_EL.get(p.status, p.status),
                    plan_ref=f"cp-{p.id}",
                )
            rows.append([values.get(c.field) for c in BENEFICIARY_COLUMNS])
    return Sheet("Ωφελούμενοι", "beneficiaries.csv", tuple(c.el for c in BENEFICIARY_COLUMNS), rows)


def _stops(session: Session) -> Sheet:
    stops = session.scalars(
        select(VillageStop)
        .options(selectinload(VillageStop.settlement))
        .order_by(VillageStop.external_id, VillageStop.id)
    )
    rows: list[list[Value]] = []
    for s in stops:
        values: dict[str, Value] = {
            "external_id": s.external_id,
            "settlement": s.settlement.name_el,
            "elstat_code": s.settlement_code,
            "place": s.place,
            "duration_min": s.duration_min,
            "announced_times": ", ".join(s.announced_times or ()),
            "frequency": format_frequency(s.frequency_kind, s.frequency_count),
            "usual_weekday": format_weekdays([s.usual_weekday]) if s.usual_weekday else None,
            "required_role": ROLE_EL.get(s.required_role, s.required_role),
            "active": _yes(s.active),
        }
        rows.append([values.get(c.field) for c in STOP_COLUMNS])
    return Sheet("Στάσεις", "village_stops.csv", tuple(c.el for c in STOP_COLUMNS), rows)


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def _staff(session: Session) -> Sheet:
    header = ("Α/Α", "Κωδικός", "Ονοματεπώνυμο", "Ειδικότητα", "Μερική απασχόληση", "Ημέρες εργασίας",
              "Έναρξη ωραρίου", "Λήξη ωραρίου", "Ενεργός")  # fmt: skip
    rows: list[list[Value]] = [
        [s.id, s.external_id, s.name, ROLE_EL.get(s.role, s.role), _yes(s.part_time),
         format_weekdays(s.weekdays or ()), _hhmm(s.day_start), _hhmm(s.day_end), _yes(s.active)]
        for s in session.scalars(select(Staff).order_by(Staff.id))
    ]  # fmt: skip
    return Sheet("Προσωπικό", "staff.csv", header, rows)


def _units(session: Session) -> Sheet:
    header = ("Α/Α", "Όνομα", "Βάση", "Γεωγρ. πλάτος", "Γεωγρ. μήκος", "Θέσεις προσωπικού",
              "Ώρες οδηγού την εβδομάδα", "Ενεργή")  # fmt: skip
    rows: list[list[Value]] = [  # weekly hours empty: the engine's default (40)
        [u.id, u.name, u.base_name, u.base_lat, u.base_lon, u.capacity, u.weekly_hours, _yes(u.active)]
        for u in session.scalars(select(Unit).order_by(Unit.id))
    ]
    return Sheet("Μονάδες", "units.csv", header, rows)


def _calendar(session: Session) -> Sheet:
    units = {u.id: u.name for u in session.scalars(select(Unit))}
    staff = {s.id: s.name for s in session.scalars(select(Staff))}
    header = ("Ημερομηνία", "Είδος", "Μονάδα", "Μέλος προσωπικού", "Περιγραφή")
    rows: list[list[Value]] = [
        [
            d.day,
            CALENDAR_EL.get(d.kind, d.kind),
            units.get(d.unit_id) if d.unit_id else None,
            staff.get(d.staff_id) if d.staff_id else None,
            d.name,
        ]
        for d in session.scalars(select(CalendarDay).order_by(CalendarDay.day, CalendarDay.id))
    ]
    return Sheet("Ημερολόγιο", "calendar.csv", header, rows)


def _plan_versions(session: Session) -> list[PlanVersion]:
    return list(
        session.scalars(
            select(PlanVersion).order_by(PlanVersion.iso_week, PlanVersion.unit_set, PlanVersion.version)
        )
    )


def _unit_names(version: PlanVersion, register: dict[str, str]) -> dict[str, str]:
    """A plan's unit ids (``unit-1``) -> the units' names, as the version's problem has them,
    else as the register has them now."""
    names = dict(register)
    try:
        problem: Any = json.loads(version.problem_json) if version.problem_json else {}
    except ValueError:
        problem = {}
    units = problem.get("units") if isinstance(problem, dict) else None
    for unit in units if isinstance(units, list) else ():
        if isinstance(unit, dict) and unit.get("id") and unit.get("name"):
            names[str(unit["id"])] = str(unit["name"])
    return names


def _unit_set_names(unit_set: str, names: dict[str, str]) -> str:
    """A version's units, ``"1,2"`` (register ids) -> their names, comma-separated."""
    ids = [i.strip() for i in unit_set.split(",") if i.strip()]
    return ", ".join(names.get(f"unit-{i}", i) for i in ids)


def _plans(session: Session) -> list[Sheet]:
    versions = _plan_versions(session)
    register_units = {f"unit-{u.id}": u.name for u in session.scalars(select(Unit))}
    header_v = ("Α/Α", "Εβδομάδα", "Μονάδες", "Έκδοση", "Κατάσταση", "Δημιουργήθηκε", "Από", "Δημοσιεύθηκε",
                "Επισκέψεις", "Εξυπηρετούνται", "Χωρίς θέση")  # fmt: skip
    header_s = ("Α/Α σχεδίου", "Εβδομάδα", "Έκδοση", "Κατάσταση", "Ημερομηνία", "Μονάδα", "Σειρά", "Επίσκεψη",
                "Επανάληψη", "Άφιξη", "Έναρξη", "Λήξη", "Διαδρομή (λεπτά)", "Απόσταση (km)")  # fmt: skip
    rows_v: list[list[Value]] = []
    rows_s: list[list[Value]] = []
    for v in versions:
        doc: dict[str, Any] = json.loads(v.plan_json) if v.plan_json else {}
        summary = doc.get("summary") or v.summary or {}
        status = PLAN_STATUS_EL.get(v.status, v.status)
        unit_names = _unit_names(v, register_units)
        rows_v.append([v.id, v.iso_week, _unit_set_names(v.unit_set, unit_names), v.version, status,
                       _local(v.created_at), v.created_by, _local(v.published_at), summary.get("visits"),
                       summary.get("served"), summary.get("unassigned")])  # fmt: skip
        for route in doc.get("routes") or ():
            day = date.fromisoformat(route["date"]) if route.get("date") else None
            unit = str(route.get("unit", ""))
            order = 0
            for step in route.get("steps") or ():
                if step.get("type") != "visit":
                    continue
                order += 1
                travel = step.get("travel_s")
                distance = step.get("distance_m")
                rows_s.append([
                    v.id, v.iso_week, v.version, status, day, unit_names.get(unit, unit), order,
                    str(step.get("visit", "")), step.get("occurrence", 0), step.get("arrival"),
                    step.get("start"), step.get("end"),
                    round(travel / 60) if isinstance(travel, int | float) else None,
                    round(distance / 1000, 1) if isinstance(distance, int | float) else None,
                ])  # fmt: skip
    return [
        Sheet("Εκδόσεις σχεδίων", "plan_versions.csv", header_v, rows_v),
        Sheet("Σχέδια ανά στάση", "plan_stops.csv", header_s, rows_s),
    ]


def _outcomes(session: Session) -> Sheet:
    header = ("Α/Α", "Κατάσταση", "Ημερομηνία σχεδίου", "Πότε", "Κωδικός ωφελούμενου", "Ωφελούμενος",
              "Υπηρεσία", "Κωδικός στάσης", "Οικισμός στάσης", "Εβδομάδα σχεδίου", "Έκδοση σχεδίου",
              "Επίσκεψη", "Υπάλληλος", "Καταχωρήθηκε από", "Σημείωση")  # fmt: skip
    staff = {s.id: s.name for s in session.scalars(select(Staff))}
    versions = {v.id: v for v in _plan_versions(session)}
    stops = {
        s.id: s for s in session.scalars(select(VillageStop).options(selectinload(VillageStop.settlement)))
    }
    plans = {p.id: p for p in session.scalars(select(CarePlan).options(selectinload(CarePlan.beneficiary)))}
    people = {b.id: b for b in session.scalars(select(Beneficiary))}
    outcomes = session.scalars(select(VisitOutcome).order_by(VisitOutcome.occurred_at, VisitOutcome.id))
    rows: list[list[Value]] = []
    for o in outcomes:
        plan = plans.get(o.care_plan_id) if o.care_plan_id is not None else None
        stop = stops.get(o.village_stop_id) if o.village_stop_id is not None else None
        version = versions.get(o.plan_version_id) if o.plan_version_id is not None else None
        # whose: the care plan's person, or an urgent visit's (no care plan: its service says so)
        urgent = o.beneficiary_id is not None
        person = plan.beneficiary if plan else (people.get(o.beneficiary_id or 0) if urgent else None)
        service = plan.service if plan else ("επείγουσα επίσκεψη" if urgent else None)
        rows.append([
            o.id, OUTCOME_EL.get(o.status, o.status), o.planned_date, _local(o.occurred_at),
            person.external_id if person else None, person.full_name if person else None,
            service, stop.external_id if stop else None,
            stop.settlement.name_el if stop else None, version.iso_week if version else None,
            version.version if version else None, o.visit_ref,
            staff.get(o.staff_id) if o.staff_id is not None else None, o.recorded_by, o.note,
        ])  # fmt: skip
    return Sheet("Εκβάσεις επισκέψεων", "visit_outcomes.csv", header, rows)


def collect(engine: Engine, what: What = "all") -> list[Sheet]:
    """The tables to export, read in one transaction (a consistent snapshot)."""
    sheets: list[Sheet] = []
    with session_scope(engine) as session:
        if what in ("register", "all"):
            sheets += [_beneficiaries(session), _stops(session), _staff(session), _units(session),
                       _calendar(session)]  # fmt: skip
        if what in ("plans", "all"):
            sheets += _plans(session)
        if what in ("outcomes", "all"):
            sheets.append(_outcomes(session))
    return sheets


_DATE_FORMAT = "DD/MM/YYYY"
_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


def write_xlsx(sheets: Sequence[Sheet], path: Path, *, private: bool = True) -> Path:
    """One workbook, one sheet per table; returns the path written. ``private`` (not for the
    shipped templates): readable by its owner only, as a backup is."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    default = wb.active
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        ws.append(list(sheet.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for row in sheet.rows:
            ws.append(cell_values(row))
        for column in ws.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, datetime):
                    cell.number_format = (
                        _DATETIME_FORMAT if (cell.value.hour, cell.value.minute) != (0, 0) else _DATE_FORMAT
                    )
                elif isinstance(cell.value, date):
                    cell.number_format = _DATE_FORMAT
        for i, title in enumerate(sheet.header, start=1):
            width = max([len(title), *(len(_text(r[i - 1])) for r in sheet.rows[:200])])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
    if default is not None and sheets:
        wb.remove(default)
    text_cells_only(wb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if private:
        _owner_only(path)
    wb.save(path)
    wb.close()
    return path


def _owner_only(path: Path) -> None:
    """``path`` created (or kept) readable and writable by its owner only before it is written:
    an export holds the same names, addresses and health notes as a backup (``0600``), and a
    file written in place keeps its mode."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)


def cell_values(row: Sequence[Any]) -> list[Any]:
    """A row for a spreadsheet: texts without control characters (stored before the register
    cleaned them, openpyxl refused the whole workbook for one of them)."""
    return [plain_text(v) if isinstance(v, str) else v for v in row]


def text_cells_only(book: Any) -> None:
    """Make every text cell of an openpyxl workbook a text cell: openpyxl stores a string that
    starts with ``=`` as a formula (and ``#N/A`` as an error), which Excel would run on
    opening; a text cell shows exactly the characters stored."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type != "s":
                    cell.data_type = "s"


# A CSV cell a spreadsheet would read as a formula: = @ tab CR; + or - unless only a number
# follows (a phone "+30 6900000001", a "-2,5"); or such a text already behind apostrophes,
# since the importer takes one leading apostrophe off (so that "'=x" comes back as "'=x").
_LIVE_CSV = re.compile(r"'+[=+\-@]|[=@\t\r]|[+-](?![\d\s.,]*$)")
# A text of digits with leading zeros (an office ID «0042»), which Excel would read as the number
# 42 and save back without its zeros (phones are kept by their form, «+30 6900000001»), or such a
# text already behind apostrophes.
_LEADING_ZEROS = re.compile(r"'*0\d+")


def csv_text(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula nor reads as a number without its
    leading zeros: behind an apostrophe when it starts like a formula or is digits led by a zero
    (``0042``; Excel shows the apostrophe; the importer drops it)."""
    return "'" + text if _LIVE_CSV.match(text) or _LEADING_ZEROS.fullmatch(text) else text


def _text(value: Value) -> str:
    """A value as Greek Excel reads it from a CSV: dd/mm/yyyy, decimal comma."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # the year with four digits: strftime writes 0026 as «26»
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d} {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return str(value)


def write_csv(sheets: Sequence[Sheet], folder: Path, *, private: bool = True) -> list[Path]:
    """One CSV file per table in ``folder`` (created if missing): UTF-8 with BOM, ``;``;
    ``private``: as :func:`write_xlsx`."""
    folder = Path(folder)
    folder.mkdir(mode=0o700 if private else 0o777, parents=True, exist_ok=True)
    written: list[Path] = []
    for sheet in sheets:
        target = folder / sheet.filename
        if private:
            _owner_only(target)
        with target.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
            writer.writerow(sheet.header)
            writer.writerows([csv_text(plain_text(_text(v))) for v in row] for row in sheet.rows)
        written.append(target)
    return written


def export(engine: Engine, fmt: Literal["xlsx", "csv"], out: Path, what: What = "all") -> list[Path]:
    """Export ``what`` to ``out``: an .xlsx file, or a folder of CSV files. Returns the files."""
    sheets = collect(engine, what)
    if fmt == "xlsx":
        return [write_xlsx(sheets, out)]
    return write_csv(sheets, out)


# --- templates -----------------------------------------------------------------------------

_TEMPLATE_TITLES = {"beneficiaries": "Ωφελούμενοι", "stops": "Στάσεις"}


def template_sheets(kind: Kind) -> list[Sheet]:
    """The import template of ``kind``: the Greek header row and an example row (its ID
    :data:`~planner.register.importer.EXAMPLE_ID`: the import skips it), then a sheet of
    instructions (each column in Greek and English, required or not, what to write, and what a
    row is: one care plan, one stop)."""
    columns = columns_for(kind)
    data = Sheet(
        _TEMPLATE_TITLES[kind], f"{kind}.csv", tuple(c.el for c in columns), [list(example_row(kind))]
    )
    help_rows: list[list[Value]] = [
        [c.el, c.en, "ναι / yes" if c.required else "όχι / no", c.help_el, c.help_en] for c in columns
    ]
    if kind == "beneficiaries":
        help_rows.append(["", "", "", "Μία γραμμή ανά πλάνο φροντίδας: ωφελούμενος με δύο πλάνα έχει δύο "
                          "γραμμές με τον ίδιο «Κωδικό» και τα ίδια προσωπικά στοιχεία, μία για κάθε "
                          "υπηρεσία· ωφελούμενος χωρίς πλάνο έχει μία γραμμή με κενή «Υπηρεσία». Αντί για "
                          "«Οικισμός» αρκεί «Κωδικός ΕΛΣΤΑΤ».",
                          "One row per care plan: a beneficiary with two plans has two rows with the same "
                          "'ID' and the same personal details, one for each service; a beneficiary without a "
                          "plan has one row with an empty 'Service'. 'ELSTAT code' may replace "
                          "'Settlement'."])  # fmt: skip
    else:
        help_rows.append(["", "", "", "Μία γραμμή ανά στάση. Αντί για «Οικισμός» αρκεί «Κωδικός ΕΛΣΤΑΤ».",
                          "One row per stop. 'ELSTAT code' may replace 'Settlement'."])  # fmt: skip
    help_rows.append(["", "", "", f"Η γραμμή με κωδικό «{EXAMPLE_ID}» είναι παράδειγμα και δεν εισάγεται: "
                      "σβήστε την και γράψτε τα δικά σας στοιχεία στις επόμενες γραμμές.",
                      f"The row with the ID '{EXAMPLE_ID}' is an example and is not imported: delete it "
                      "and write your own details in the rows below."])  # fmt: skip
    guide = Sheet(
        "Οδηγίες", f"{kind}_help.csv",
        ("Στήλη", "Column", "Υποχρεωτική / Required", "Τι γράφω", "What to write"), help_rows,
    )  # fmt: skip
    return [data, guide]


def template_path(kind: Kind, fmt: Literal["xlsx", "csv"]) -> Path:
    """The shipped template file of ``kind`` in ``fmt``."""
    return TEMPLATES_DIR / f"{kind}.{fmt}"


def write_templates(folder: Path = TEMPLATES_DIR) -> list[Path]:
    """(Re)build the shipped templates: ``beneficiaries.xlsx/.csv`` and ``stops.xlsx/.csv``.

    The CSV holds the data sheet only (UTF-8 with BOM, ``;``); the XLSX also the instructions.
    """
    written: list[Path] = []
    for kind in KINDS:
        sheets = template_sheets(kind)
        written.append(write_xlsx(sheets, Path(folder) / f"{kind}.xlsx", private=False))
        written += write_csv(sheets[:1], Path(folder), private=False)
    return written


if __name__ == "__main__":  # python -m planner.register.exporter: rebuild the shipped templates
    for written_path in write_templates():
        print(written_path)
