"""The audit log records every insert, update and delete of audited rows, with the actor."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select

from planner.register.db import session_scope
from planner.register.models import AuditLog, Beneficiary, CarePlan, User


def _log(engine: Engine) -> list[AuditLog]:
    with session_scope(engine) as session:
        return list(session.scalars(select(AuditLog).order_by(AuditLog.id)))


def test_insert_update_delete_are_logged_with_actor(loaded_engine: Engine) -> None:
    with session_scope(loaded_engine, actor="maria") as session:
        person = Beneficiary(full_name="Α. Παπαδοπούλου", settlement_code="3702010101", phone="2691000000")
        session.add(person)
        session.flush()
        session.add(
            CarePlan(
                beneficiary=person,
                service="home_care",
                required_role="social_worker",
                duration_min=45,
                frequency_kind="weekly",
                frequency_count=1,
                start_date=date(2026, 11, 2),
            )
        )
    person_id = str(person.id)
    log = _log(loaded_engine)
    assert [(row.action, row.entity) for row in log] == [
        ("insert", "beneficiaries"),
        ("insert", "care_plans"),
    ]
    assert log[0].actor == "maria" and log[0].entity_id == person_id
    assert log[0].after is not None and log[0].after["full_name"] == "Α. Παπαδοπούλου"

    with session_scope(loaded_engine, actor="nikos") as session:
        row = session.get(Beneficiary, person.id)
        assert row is not None
        row.phone = "6900000000"
    update = _log(loaded_engine)[-1]
    assert (update.action, update.actor, update.entity_id) == ("update", "nikos", person_id)
    assert update.before is not None and update.before["phone"] == "2691000000" and update.after is not None
    assert update.after["phone"] == "6900000000"
    assert "full_name" not in update.after  # only what changed

    with session_scope(loaded_engine, actor="nikos") as session:
        row = session.get(Beneficiary, person.id)
        session.delete(row)
    actions = [(row.action, row.entity) for row in _log(loaded_engine)[-2:]]
    assert ("delete", "beneficiaries") in actions


def test_rolled_back_change_leaves_no_audit_row(loaded_engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(loaded_engine, actor="maria") as session:
        session.add(Beneficiary(full_name="X", settlement_code="3702010101"))
        session.flush()
        raise RuntimeError("crash mid-change")
    assert _log(loaded_engine) == []


def test_password_hash_never_logged(loaded_engine: Engine) -> None:
    with session_scope(loaded_engine) as session:
        session.add(User(username="u", display_name="U", role="driver", password_hash="scrypt:secret"))
    (row,) = _log(loaded_engine)
    assert row.actor == "system"
    assert row.after is not None and "password_hash" not in row.after
    assert "secret" not in str(row.after)
