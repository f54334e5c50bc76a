"""The web import's preview names who or what each row would add or update and which columns
would change, old → new, in the page's language, before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import confirm_import, post, upload_import

from planner.register.db import session_scope
from planner.register.models import Beneficiary, CarePlan

TEMPLATES = Path(__file__).resolve().parents[2] / "planner" / "register" / "templates"


def _upload(client: FlaskClient, name: str, data: bytes) -> Any:
    return upload_import(client, name, data)


def test_the_preview_lists_each_changed_row_with_old_and_new_values(
    coordinator: FlaskClient, app: Flask
) -> None:
    """The template imported, then the same row with another duration and phone and a second
    person: the preview names both, with the changed columns, in Greek; then in English."""
    template = (
        (TEMPLATES / "beneficiaries.csv").read_bytes().decode("utf-8-sig").replace("ΠΑΡΑΔΕΙΓΜΑ", "Ω-0011")
    )
    template = template.splitlines()  # the example row, given an ID of its own
    page = _upload(coordinator, "a.csv", "\n".join(template).encode())
    assert confirm_import(coordinator, page).status_code == 302
    header, row = template[0], template[1]
    changed = row.replace(";45;", ";50;").replace("6900000001", "6900000002")
    other = changed.replace("Ω-0011", "Ω-0002").replace("Παπαδοπούλου Μαρία", "Νικολάου Ελένη")
    data = "\n".join([header, changed, other]).encode()
    text = _upload(coordinator, "b.csv", data).get_data(as_text=True)
    assert "θα προσθέσει 1, θα ενημερώσει 1" in text  # the counts as they were
    changes = text[text.index('id="import-changes"') : text.index('id="confirm-import"')]
    assert "Παπαδοπούλου Μαρία (Ω-0011)" in changes and "ενημέρωση" in changes
    assert "Τηλέφωνο: +30 6900000001 → +30 6900000002" in changes
    assert "Διάρκεια (λεπτά): 45 → 50" in changes
    assert "Νικολάου Ελένη (Ω-0002)" in changes and "νέα εγγραφή" in changes
    with session_scope(app.extensions["kinito_engine"]) as s:  # a preview writes nothing
        assert s.scalars(select(CarePlan.duration_min).join(Beneficiary).where(
            Beneficiary.external_id == "Ω-0011")).one() == 45  # fmt: skip
    post(coordinator, "/language", {"lang": "en", "next": "/register/import"})
    text = _upload(coordinator, "b.csv", data).get_data(as_text=True)
    changes = text[text.index('id="import-changes"') : text.index('id="confirm-import"')]
    assert "Duration (min): 45 → 50" in changes and "updated" in changes and "added" in changes


def test_an_unchanged_file_lists_nothing(coordinator: FlaskClient) -> None:
    """Re-checking what is stored: the counts, no list of changes."""
    data = (TEMPLATES / "beneficiaries.csv").read_bytes().replace("ΠΑΡΑΔΕΙΓΜΑ".encode(), "Ω-0011".encode())
    confirm_import(coordinator, _upload(coordinator, "a.csv", data))
    text = _upload(coordinator, "a.csv", data).get_data(as_text=True)
    assert 'id="import-ok"' in text and 'id="import-changes"' not in text
