"""Builders of import files for the import and export tests (files are made in tmp_path)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from planner.register.db import session_scope
from planner.register.models import AuditLog, Beneficiary, CarePlan, VillageStop

GOOD_PERSON: dict[str, str] = {
    "Κωδικός": "Ω-1",
    "Ονοματεπώνυμο": "Παπαδοπούλου Μαρία",
    "Οικισμός": "Διακοπτό",
    "Κωδικός ΕΛΣΤΑΤ": "",
    "Διεύθυνση": "Αγίου Νικολάου 12",
    "Γεωγρ. πλάτος": "38,1953",
    "Γεωγρ. μήκος": "22,2006",
    "Τηλέφωνο": "+30 6912 345 678",
    "Ομάδες προτεραιότητας": "ΚΕΑ, μόνος/μόνη",
    "Σημειώσεις": "",
    "Ενεργός": "ναι",
    "Υπηρεσία": "κατ' οίκον φροντίδα",
    "Ειδικότητα": "κοινωνική λειτουργός",
    "Διάρκεια (λεπτά)": "45",
    "Συχνότητα": "κάθε 2 εβδομάδες",
    "Ημέρες": "Δευ, Τετάρτη",
    "Ώρες": "09:00-12:00; 17:00-19:00",
    "Έναρξη": "02/11/2026",
    "Λήξη": "",
    "Κατάσταση πλάνου": "ενεργό",
}

SECOND_PERSON: dict[str, str] = {
    **GOOD_PERSON,
    "Κωδικός": "Ω-2",
    "Ονοματεπώνυμο": "Γεωργίου Νίκος",
    "Οικισμός": "Λάκκα (Συμπολιτείας)",
    "Γεωγρ. πλάτος": "",
    "Γεωγρ. μήκος": "",
    "Τηλέφωνο": "0030 2691 012345",
    "Ομάδες προτεραιότητας": "αναπηρία",
    "Υπηρεσία": "ψυχολογική υποστήριξη",
    "Ειδικότητα": "ψυχολόγος",
    "Διάρκεια (λεπτά)": "60",
    "Συχνότητα": "μηνιαία",
    "Ημέρες": "Mon-Fri",
    "Ώρες": "10:00-13:00",
    "Έναρξη": "1/12/2026",
}

GOOD_STOP: dict[str, str] = {
    "Κωδικός": "Σ-1",
    "Οικισμός": "Κουνινά",
    "Κωδικός ΕΛΣΤΑΤ": "",
    "Σημείο": "Πλατεία",
    "Διάρκεια (λεπτά)": "120",
    "Ώρες ανακοίνωσης": "10:00, 12:30",
    "Συχνότητα": "εβδομαδιαία",
    "Ημέρα": "Τρίτη",
    "Ειδικότητα": "κοινωνικός λειτουργός",
    "Ενεργή": "ναι",
}


def csv_bytes(
    rows: Sequence[Mapping[str, object]], *, encoding: str = "utf-8", delimiter: str = ";"
) -> bytes:
    """A CSV file of ``rows`` (their keys are the header) as Excel would save it."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    header = list(rows[0])
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in header])
    return out.getvalue().encode(encoding)


def write_csv(path: Path, rows: Sequence[Mapping[str, object]], **options: str) -> Path:
    """Write :func:`csv_bytes` to ``path``."""
    path.write_bytes(csv_bytes(rows, **options))
    return path


def write_xlsx(path: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    """An XLSX file of ``rows`` (the header from the first row's keys), cells as given."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    header = list(rows[0])
    ws.append(header)
    for row in rows:
        ws.append([row.get(h) for h in header])
    wb.save(path)
    wb.close()
    return path


def counts(engine: Engine) -> dict[str, int]:
    """Rows in the tables an import may touch, and in the audit log."""
    with session_scope(engine) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Beneficiary, CarePlan, VillageStop, AuditLog)
        }


def audit_rows(engine: Engine) -> list[tuple[str, str, str]]:
    """(actor, action, entity) of every audit row, in order."""
    with session_scope(engine) as session:
        return [
            (a.actor, a.action, a.entity) for a in session.scalars(select(AuditLog).order_by(AuditLog.id))
        ]
