"""Import from XLSX/CSV in the browser: the validation report as a table, then confirm."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webui_helpers import COORDINATOR, csrf_token, post

from planner.register.db import session_scope
from planner.register.models import AuditLog, Beneficiary

TEMPLATES = Path(__file__).resolve().parents[2] / "planner" / "register" / "templates"


def _people(app: Flask) -> int:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return int(s.scalar(select(func.count()).select_from(Beneficiary)) or 0)


def _upload(client: FlaskClient, name: str, data: bytes, kind: str = "") -> Any:
    token = csrf_token(client, "/register/import")
    return client.post(
        "/register/import",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_template_is_checked_then_imported_on_confirmation(coordinator: FlaskClient, app: Flask) -> None:
    """The shipped template passes; nothing is written until "Import"; then one person is added."""
    before = _people(app)
    page = _upload(coordinator, "ofeloumenoi.csv", (TEMPLATES / "beneficiaries.csv").read_bytes())
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="import-ok"' in text and "θα προσθέσει 1" in text
    assert 'id="confirm-import"' in text
    assert _people(app) == before  # checked only
    response = post(coordinator, "/register/import/confirm")
    assert response.status_code == 302 and response.location == "/register/beneficiaries"
    assert _people(app) == before + 1
    assert "Έγινε εισαγωγή: 1 νέα" in coordinator.get("/register/beneficiaries").get_data(as_text=True)
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.scalars(
            select(AuditLog).where(AuditLog.entity == "beneficiaries").order_by(AuditLog.id.desc())
        ).first()
        assert row is not None and (row.action, row.actor) == ("insert", COORDINATOR)
    assert not list((Path(app.instance_path) / "uploads").iterdir())  # the upload is gone
    again = post(coordinator, "/register/import/confirm")
    assert again.location == "/register/import"  # nothing waiting any more


def test_a_file_with_errors_shows_them_row_by_row_and_changes_nothing(
    coordinator: FlaskClient, app: Flask
) -> None:
    """An unknown village and a bad date: each in the table with row and column, in Greek; no Import."""
    good = (TEMPLATES / "beneficiaries.csv").read_bytes().decode("utf-8-sig").splitlines()
    bad_row = good[1].replace("Διακοπτό", "Ατλαντίδα").replace("02/11/2026", "31/02/2026")
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
