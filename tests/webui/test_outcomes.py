"""The office's page of recorded outcomes: a week's list with the driver's notes, corrections audited."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import COORDINATOR, DRIVER, MANAGEMENT, login, post

from planner.register.db import session_scope
from planner.register.models import AuditLog, VisitOutcome
from planner.register.outcomes import allowed_statuses, record_outcome
from planner.register.week import WeekError


@pytest.fixture
def recorded(app: Flask) -> dict[str, int]:
    """Two outcomes the driver recorded in week 2026-W48: a visit done with a note, a village
    stop cancelled; and one of the week before."""
    with session_scope(app.extensions["kinito_engine"], actor=DRIVER) as s:
        done = record_outcome(s, "cp-1", "done", on=date(2026, 11, 24), recorded_by=DRIVER,
                              note="ζήτησε φάρμακα")  # fmt: skip
        stop = record_outcome(s, "vs-1", "cancelled", on=date(2026, 11, 25), recorded_by=DRIVER)
        record_outcome(s, "cp-1", "not_at_home", on=date(2026, 11, 17), recorded_by=DRIVER)
    return {"done": done.outcome_id, "stop": stop.outcome_id}


def _text(response: object) -> str:
    return str(response.get_data(as_text=True))  # type: ignore[attr-defined]


def test_the_week_lists_outcomes_with_notes(coordinator: FlaskClient, recorded: dict[str, int]) -> None:
    """Date, person and service, settlement, status in Greek, the note, who recorded it."""
    page = _text(coordinator.get("/desk/outcomes/2026-W48"))
    assert "Καταγεγραμμένες εκβάσεις, εβδομάδα 2026-W48" in page
    row = page[page.index(f'id="outcome-{recorded["done"]}"') :]
    row = row[: row.index("</tr>")]
    assert "Γεώργιος Παπαδόπουλος" in row and "Αίγιον" in row and "Έγινε" in row
    assert "ζήτησε φάρμακα" in row and "Τρί 24/11" in row
    assert f'title="{DRIVER}">Γιώργος Οδηγός (demo)</td>' in row  # the account's name, not its log-in
    stop = page[page.index(f'id="outcome-{recorded["stop"]}"') :]
    assert "Στάση σε οικισμό · Πλατεία" in stop[: stop.index("</tr>")] and "Ακυρώθηκε" in stop
    assert "Τρί 17/11" not in page  # the week before is on its own page
    assert "Τρί 17/11" in _text(coordinator.get("/desk/outcomes/2026-W47"))


def test_this_week_and_the_links(coordinator: FlaskClient, recorded: dict[str, int]) -> None:
    """/desk/outcomes/ opens the current week (today is 26/11/2026); the desk links to it."""
    response = coordinator.get("/desk/outcomes/")
    assert response.status_code == 302 and response.location.endswith("/desk/outcomes/2026-W48")
    assert 'id="outcomes-link"' in _text(coordinator.get("/desk/"))
    empty = _text(coordinator.get("/desk/outcomes/2026-W50"))
    assert "Δεν έχει καταγραφεί τίποτα για αυτή την εβδομάδα" in empty
    for bad in ("2026-W60", "2026-48", "2027-W53"):
        assert coordinator.get(f"/desk/outcomes/{bad}").status_code == 404, bad


def test_a_wrong_status_is_corrected_and_audited(
    coordinator: FlaskClient, app: Flask, recorded: dict[str, int]
) -> None:
    """A mistaken 'cancelled' becomes 'done' with a note; the audit log keeps before and after
    under the coordinator's name; the list says who corrected it."""
    oid = recorded["stop"]
    form = _text(coordinator.get(f"/desk/outcomes/{oid}/correct"))
    assert "Διόρθωση έκβασης" in form and "Καταγράφηκε από" in form
    response = post(coordinator, f"/desk/outcomes/{oid}/correct",
                    {"status": "done", "note": "πατήθηκε κατά λάθος «Ακυρώθηκε»"})  # fmt: skip
    assert response.status_code == 302 and response.location.endswith("/desk/outcomes/2026-W48")
    with session_scope(app.extensions["kinito_engine"]) as s:
        outcome = s.get(VisitOutcome, oid)
        assert outcome is not None and outcome.status == "done"
        audit = s.scalars(
            select(AuditLog).where(AuditLog.entity == "visit_outcomes", AuditLog.action == "update")
        ).one()
        assert audit.actor == COORDINATOR and audit.entity_id == str(oid)
        assert audit.before is not None and audit.after is not None
        assert (audit.before["status"], audit.after["status"]) == ("cancelled", "done")
        assert audit.after["note"] == "πατήθηκε κατά λάθος «Ακυρώθηκε»"
    page = _text(coordinator.get("/desk/outcomes/2026-W48"))
    row = page[page.index(f'id="outcome-{oid}"') :]
    assert "διορθώθηκε από Ελένη Συντονίστρια (demo)" in row[: row.index("</tr>")]


def test_an_unchanged_correction_writes_nothing(
    coordinator: FlaskClient, app: Flask, recorded: dict[str, int]
) -> None:
    """Saving the form as it is changes nothing and logs nothing; a bad status is refused."""
    oid = recorded["done"]
    response = post(
        coordinator, f"/desk/outcomes/{oid}/correct", {"status": "done", "note": "ζήτησε φάρμακα"}
    )
    assert response.status_code == 302
    bad = post(coordinator, f"/desk/outcomes/{oid}/correct", {"status": "lost", "note": ""})
    assert bad.status_code == 200 and "has-error" in _text(bad)
    with session_scope(app.extensions["kinito_engine"]) as s:
        assert s.scalars(select(AuditLog).where(AuditLog.action == "update")).first() is None
    assert coordinator.get("/desk/outcomes/999/correct").status_code == 404


@pytest.mark.parametrize("user", [DRIVER, MANAGEMENT])
def test_only_the_coordinator_sees_or_corrects_outcomes(
    client: FlaskClient, recorded: dict[str, int], user: str
) -> None:
    """The driver and management get 403 on the list and the correction."""
    login(client, user)
    assert client.get("/desk/outcomes/2026-W48").status_code == 403
    assert client.get(f"/desk/outcomes/{recorded['done']}/correct").status_code == 403


def test_a_village_stop_is_never_not_at_home(
    coordinator: FlaskClient, app: Flask, recorded: dict[str, int]
) -> None:
    """Nobody is "not at home" at a village stop: the register refuses it (in Greek and
    English), and the office's correction form does not offer it for a stop, only for a home
    visit; posting it anyway is refused and changes nothing."""
    assert allowed_statuses("vs-1") == ("done", "cancelled", "postponed")
    assert "not_at_home" in allowed_statuses("cp-1")
    engine = app.extensions["kinito_engine"]
    refused = pytest.raises(WeekError, match=r"στάση σε οικισμό.*village stop")
    with session_scope(engine, actor=DRIVER) as s, refused:
        record_outcome(s, "vs-1", "not_at_home", on=date(2026, 11, 26), recorded_by=DRIVER)
    stop_form = _text(coordinator.get(f"/desk/outcomes/{recorded['stop']}/correct"))
    assert 'value="not_at_home"' not in stop_form and 'value="postponed"' in stop_form
    assert 'value="not_at_home"' in _text(coordinator.get(f"/desk/outcomes/{recorded['done']}/correct"))
    url = f"/desk/outcomes/{recorded['stop']}/correct"
    bad = post(coordinator, url, {"status": "not_at_home", "note": ""})
    assert bad.status_code == 200 and "has-error" in _text(bad)
    with session_scope(engine) as s:
        stop = s.get(VisitOutcome, recorded["stop"])
        assert stop is not None and stop.status == "cancelled"
        assert s.scalar(select(VisitOutcome).where(VisitOutcome.planned_date == date(2026, 11, 26))) is None
