"""The web import's check in a new Centre's first week (seventh import review): the template's
example row is skipped, saying why; the settlements found under another name are listed;
another name for a known ID and a likely duplicate are warnings, the import still offered."""

from __future__ import annotations

import html
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webui_helpers import confirm_import, post, upload_import

from planner.register.db import session_scope
from planner.register.models import Beneficiary

TEMPLATES = Path(__file__).resolve().parents[2] / "planner" / "register" / "templates"


def _people(app: Flask) -> int:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return int(s.scalar(select(func.count()).select_from(Beneficiary)) or 0)


def _upload(client: FlaskClient, name: str, data: bytes) -> str:
    response = upload_import(client, name, data)
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def _template() -> tuple[str, str]:
    """The CSV template's header and a row like its example, with the ID Ω-0100."""
    header = (TEMPLATES / "beneficiaries.csv").read_bytes().decode("utf-8-sig").splitlines()[0]
    row = (
        "Ω-0100;Παπαδοπούλου Μαρία;Διακοπτό;;Αγίου Νικολάου 12;;;6900000011;ηλικιωμένος;;ναι;"
        "κατ' οίκον φροντίδα;κοινωνικός λειτουργός;;45;κάθε 2 εβδομάδες;Δευτέρα, Τετάρτη;09:00-12:00;"
        "02/11/2026;;ενεργό;"
    )
    return header, row


def _csv(*lines: str) -> bytes:
    return "\r\n".join(lines).encode("utf-8")


def test_the_template_as_downloaded_imports_nothing_and_says_why(
    coordinator: FlaskClient, app: Flask
) -> None:
    """The template still holding its example: the check passes with nothing to add, a warning
    names the example row; importing it adds nobody."""
    before = _people(app)
    text = _upload(coordinator, "protypo.csv", (TEMPLATES / "beneficiaries.csv").read_bytes())
    assert 'id="import-ok"' in text and "θα προσθέσει 0, θα ενημερώσει 0" in text
    report = text[text.index('id="import-report"') : text.index("</table>")]
    assert 'class="issue-warning"' in report and "ΠΑΡΑΔΕΙΓΜΑ" in report
    assert "Η γραμμή-παράδειγμα του προτύπου δεν εισάγεται" in report
    assert 'id="import-changes"' not in text
    assert confirm_import(coordinator, text).status_code == 302
    assert _people(app) == before


def test_the_check_lists_the_settlements_found_under_another_name(coordinator: FlaskClient) -> None:
    """«Σελινούντας» and «Καμάρες»: the settlement each was taken to be, with its unit, code and
    rows, above the changes; in the page's language."""
    header, row = _template()
    first = row.replace("Διακοπτό", "Σελινούντας")
    second = first.replace("Ω-0100", "Ω-0101").replace("Σελινούντας", "Καμάρες").replace("6900000011", "")
    data = _csv(header, first, second)
    text = _upload(coordinator, "a.csv", data)
    assert 'id="import-ok"' in text
    listed = text[
        text.index('id="import-settlements"') : text.index("</ul>", text.index('id="import-settlements"'))
    ]
    assert "«Σελινούντας» → Σελινούς (Δ.Ε. Αιγίου, 3702011201): γραμμή 2" in listed
    assert "«Καμάρες» → Καμάραι (Δ.Ε. Ερινεού, 3702050401): γραμμή 3" in listed
    assert text.index('id="import-settlements"') < text.index('id="import-changes"')
    post(coordinator, "/language", {"lang": "en", "next": "/register/import"})
    text = html.unescape(_upload(coordinator, "a.csv", data))
    assert "Settlements found under another name" in text
    assert "'Καμάρες' → Καμάραι / Kamarai (municipal unit of Ερινεού, 3702050401): row 3" in text


def test_another_name_for_a_known_id_and_a_likely_duplicate_are_warnings(
    coordinator: FlaskClient, app: Flask
) -> None:
    """Ω-0100 imported, then the file gives Ω-0100 an entirely other name, and a new Ω-0101 the
    phone of «Γεώργιος Παπαδόπουλος», entered on the web without an office ID: both are
    warnings in the check, which still offers the import, and the import goes through."""
    header, row = _template()
    first = row
    assert confirm_import(coordinator, _upload(coordinator, "a.csv", _csv(header, first))).status_code == 302
    renamed = first.replace("Παπαδοπούλου Μαρία", "Ιωάννου Σοφία")
    twin = first.replace("Ω-0100", "Ω-0101").replace("Παπαδοπούλου Μαρία", "Λάμπρου Άννα")
    twin = twin.replace("6900000011", "2691012345")
    before = _people(app)
    text = _upload(coordinator, "b.csv", _csv(header, renamed, twin))
    assert 'id="import-ok"' in text and 'id="confirm-import"' in text
    report = text[text.index('id="import-report"') : text.index("</table>")]
    assert report.count('class="issue-warning"') == 2
    assert "Άλλο όνομα για τον ίδιο κωδικό «Ω-0100» (στο μητρώο: «Παπαδοπούλου Μαρία»)" in report
    assert "ελέγξτε ότι είναι το ίδιο πρόσωπο" in report
    assert "Πιθανό διπλότυπο του «Γεώργιος Παπαδόπουλος» του μητρώου (χωρίς κωδικό): ίδιο τηλέφωνο" in report
    assert confirm_import(coordinator, text).status_code == 302
    assert _people(app) == before + 1
