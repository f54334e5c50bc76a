"""Import from XLSX/CSV in the browser: the validation report as a table, then confirm."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webui_helpers import COORDINATOR, confirm_import, upload_import

from planner.register.db import session_scope
from planner.register.models import AuditLog, Beneficiary

TEMPLATES = Path(__file__).resolve().parents[2] / "planner" / "register" / "templates"


def _people(app: Flask) -> int:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return int(s.scalar(select(func.count()).select_from(Beneficiary)) or 0)


def _upload(client: FlaskClient, name: str, data: bytes, kind: str = "") -> Any:
    return upload_import(client, name, data, kind)


def test_the_template_is_checked_then_imported_on_confirmation(coordinator: FlaskClient, app: Flask) -> None:
    """The shipped template, its example row given an ID of its own, passes; nothing is written
    until "Import"; then one person is added."""
    before = _people(app)
    data = (TEMPLATES / "beneficiaries.csv").read_bytes().replace("ΠΑΡΑΔΕΙΓΜΑ".encode(), "Ω-0100".encode())
    page = _upload(coordinator, "ofeloumenoi.csv", data)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="import-ok"' in text and "θα προσθέσει 1" in text
    assert 'id="confirm-import"' in text
    assert _people(app) == before  # checked only
    response = confirm_import(coordinator, page)
    assert response.status_code == 302 and response.location == "/register/beneficiaries"
    assert _people(app) == before + 1
    assert "Έγινε εισαγωγή: 1 νέα" in coordinator.get("/register/beneficiaries").get_data(as_text=True)
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.scalars(
            select(AuditLog).where(AuditLog.entity == "beneficiaries").order_by(AuditLog.id.desc())
        ).first()
        assert row is not None and (row.action, row.actor) == ("insert", COORDINATOR)
    assert not list((Path(app.instance_path) / "uploads").iterdir())  # the upload is gone
    again = confirm_import(coordinator, page)
    assert again.location == "/register/import"  # nothing waiting any more


def test_a_file_with_errors_shows_them_row_by_row_and_changes_nothing(
    coordinator: FlaskClient, app: Flask
) -> None:
    """An unknown village and a bad date: each in the table with row and column, in Greek; no Import."""
    good = (TEMPLATES / "beneficiaries.csv").read_bytes().decode("utf-8-sig").splitlines()
    bad_row = good[1].replace("ΠΑΡΑΔΕΙΓΜΑ", "Ω-0100").replace("Διακοπτό", "Ατλαντίδα")
    bad_row = bad_row.replace("02/11/2026", "31/02/2026")
    data = "\n".join([good[0], bad_row]).encode("utf-8")
    before = _people(app)
    text = _upload(coordinator, "bad.csv", data).get_data(as_text=True)
    assert 'id="import-errors"' in text and "δεν μπορεί να γίνει εισαγωγή" in text
    report = text[text.index('id="import-report"') :]
    assert "Ατλαντίδα" in report and "Οικισμός" in report and "31/02/2026" in report
    assert ">2<" in report  # the spreadsheet row
    assert 'id="confirm-import"' not in text
    assert _people(app) == before
    assert not list((Path(app.instance_path) / "uploads").iterdir())


def test_only_xlsx_or_csv_and_the_templates_download(coordinator: FlaskClient) -> None:
    """Another kind of file is refused before reading; the four templates download."""
    response = _upload(coordinator, "notes.txt", b"hello")
    assert response.status_code == 302
    assert "Επιλέξτε ένα αρχείο .xlsx ή .csv" in coordinator.get(response.location).get_data(as_text=True)
    for name in ("beneficiaries.xlsx", "beneficiaries.csv", "stops.xlsx", "stops.csv"):
        with coordinator.get(f"/register/import/template/{name}") as download:
            assert download.status_code == 200 and download.data == (TEMPLATES / name).read_bytes()
    assert coordinator.get("/register/import/template/secret.txt").status_code == 404


def test_upload_without_csrf_token_is_refused(coordinator: FlaskClient, app: Flask) -> None:
    """The upload form needs its token like every other."""
    response = coordinator.post(
        "/register/import",
        data={"file": (io.BytesIO((TEMPLATES / "beneficiaries.csv").read_bytes()), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_unconfirmed_uploads_older_than_an_hour_are_swept(coordinator: FlaskClient, app: Flask) -> None:
    """A file left by a closed tab is deleted at the next upload once it is an hour old."""
    import os
    import time

    folder = Path(app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    old, fresh = folder / "old.csv", folder / "fresh.csv"
    old.write_text("x", encoding="utf-8")
    fresh.write_text("x", encoding="utf-8")
    os.utime(old, (time.time() - 2 * 3600, time.time() - 2 * 3600))
    _upload(coordinator, "a.csv", (TEMPLATES / "beneficiaries.csv").read_bytes())
    assert not old.exists() and fresh.exists()


def test_headers_that_say_nothing_ask_for_the_contents_field(coordinator: FlaskClient, app: Flask) -> None:
    """Review 3: a CSV whose headers are neither the beneficiaries' nor the stops' asks the web
    user to choose the «Περιεχόμενο» field (the form is offered again, that field marked), not
    for the command line's --kind; chosen, the same file is checked as that kind."""
    data = "Α;Β\n1;2\n".encode()
    text = _upload(coordinator, "agnosto.csv", data).get_data(as_text=True)
    report = text[text.index('id="import-report"') : text.index("</table>")]
    assert "Επιλέξτε το στο πεδίο «Περιεχόμενο» παρακάτω" in report
    assert "--kind" not in text and "stops" not in report
    form = text[text.index('id="import-form"') :]
    assert 'class="field has-error"><label for="kind">Περιεχόμενο</label>' in form
    assert 'id="confirm-import"' not in text
    again = _upload(coordinator, "agnosto.csv", data, kind="beneficiaries").get_data(as_text=True)
    assert "«Περιεχόμενο»" not in again and "--kind" not in again and 'id="import-errors"' in again


def test_first_sheet_note_is_kept_with_the_contents_message(coordinator: FlaskClient) -> None:
    """The importer's note that only the first sheet was read stays beside the new message."""
    from openpyxl import Workbook

    book = Workbook()
    assert book.active is not None
    book.active.title = "Οδηγίες"
    book.active.append(["Διαβάστε με"])
    book.create_sheet("Ωφελούμενοι").append(["Ονοματεπώνυμο"])
    buffer = io.BytesIO()
    book.save(buffer)
    text = _upload(coordinator, "dyo-fylla.xlsx", buffer.getvalue()).get_data(as_text=True)
    report = text[text.index('id="import-report"') :]
    assert "«Περιεχόμενο»" in report and "Διαβάστηκε μόνο το πρώτο φύλλο, «Οδηγίες»" in report
    assert "«Ωφελούμενοι»" in report and "--kind" not in report


def test_a_damaged_xlsx_says_it_cannot_be_read_as_xlsx(coordinator: FlaskClient, app: Flask) -> None:
    """Review 3: a file named .xlsx that is not a workbook (text, a cut-off download) is
    reported as unreadable as XLSX, in Greek, without the ZIP library's English; nothing
    is kept."""
    whole = (TEMPLATES / "beneficiaries.xlsx").read_bytes()
    for data in (b"this is not a workbook\n", whole[: len(whole) // 2], b"PK\x03\x04broken"):
        text = _upload(coordinator, "ofeloumenoi.xlsx", data).get_data(as_text=True)
        report = text[text.index('id="import-report"') :]
        assert "Το αρχείο δεν διαβάζεται ως XLSX" in report, data[:10]
        assert "--kind" not in text and "zip" not in report.lower() and "«Περιεχόμενο»" not in report
        assert 'id="confirm-import"' not in text
    assert not list((Path(app.instance_path) / "uploads").iterdir())
    assert 'id="import-ok"' in _upload(coordinator, "ofeloumenoi.xlsx", whole).get_data(as_text=True)


def test_confirming_an_older_check_imports_nothing(coordinator: FlaskClient, app: Flask) -> None:
    """Two tabs of one session: A checks file A, B checks file B, then «Εισαγωγή» in A. The
    waiting upload is the session's, so file B was written in place of the file A showed
    (a walkthrough). Now A's form names its upload: refused, nothing written, B still waiting."""
    template = (TEMPLATES / "beneficiaries.csv").read_bytes()
    before = _people(app)
    tab_a = _upload(coordinator, "a.csv", template.replace("ΠΑΡΑΔΕΙΓΜΑ".encode(), "Ω-0100".encode()))
    tab_b = _upload(coordinator, "b.csv", template.replace("ΠΑΡΑΔΕΙΓΜΑ".encode(), "Ω-0200".encode()))
    refused = confirm_import(coordinator, tab_a)
    assert refused.status_code == 302 and refused.location == "/register/import"
    assert _people(app) == before
    page = coordinator.get("/register/import").get_data(as_text=True)
    assert "Δεν έγινε εισαγωγή" in page
    assert confirm_import(coordinator, tab_b).location == "/register/beneficiaries"  # B's own check
    with session_scope(app.extensions["kinito_engine"]) as s:
        assert set(s.scalars(select(Beneficiary.external_id))) >= {"Ω-0200"}
        assert "Ω-0100" not in set(s.scalars(select(Beneficiary.external_id)))
