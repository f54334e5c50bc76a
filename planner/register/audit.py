"""The audit log: every change to personal data and plans, with who, when, before and after.

Recorded by one SQLAlchemy ``before_flush`` hook on every ORM session, so no code path can
change a beneficiary, a care plan, a stop, a staff member, a unit, a calendar day, a plan
version, an outcome or a user without leaving a row in ``audit_log``, in the same transaction
(a rolled-back change leaves no audit row either). The actor is the session's
``info["actor"]`` (see :func:`planner.register.db.session_scope`); a change without one is
recorded as ``"system"``.

Password hashes are never copied into the log: a changed password is logged as
``{"password": "changed"}`` (before: ``"previous"``), so a reset shows who did it and when.
A user's ``sessions_after`` (set at every log-out) is not logged: it is no one's data. Bulk
``UPDATE``/``DELETE`` statements bypass the ORM and therefore this hook: the register's code
does not use them for audited tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from planner.register.models import (
    AuditLog,
    Base,
    Beneficiary,
    CalendarDay,
    CarePlan,
    PlanVersion,
    Staff,
    Unit,
    User,
    VillageStop,
    VisitOutcome,
)

__all__ = ["AUDITED", "SYSTEM_ACTOR", "row_values", "rows_as_of"]

SYSTEM_ACTOR = "system"
AUDITED: tuple[type[Base], ...] = (
    Beneficiary,
    CarePlan,
    VillageStop,
    Staff,
    Unit,
    CalendarDay,
    PlanVersion,
    VisitOutcome,
    User,
)
# never copied into the log
_SECRET_COLUMNS = frozenset({"password_hash"})
# bookkeeping of log-ins, not a change of anyone's data: not logged
_UNLOGGED_COLUMNS = frozenset({"sessions_after"})
# plan documents are large: the log keeps their length, the row keeps the text
_BULKY_COLUMNS = frozenset({"plan_json", "problem_json"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def row_values(obj: Base, *, committed: bool = False) -> dict[str, Any]:
    """The object's column values as JSON-ready data (``committed``: as loaded, before changes)."""
    state = inspect(obj)
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SECRET_COLUMNS or key in _UNLOGGED_COLUMNS:
            continue
        if committed:
            history = state.attrs[key].history
            value = (
                history.deleted[0]
                if history.deleted
                else (history.unchanged[0] if history.unchanged else getattr(obj, key))
            )
        else:
            value = getattr(obj, key)
        if key in _BULKY_COLUMNS and isinstance(value, str):
            value = f"<{len(value)} characters>"
        values[key] = _jsonable(value)
    return values


def _utc(instant: datetime) -> datetime:
    """A stored instant with its zone (SQLite gives the register's UTC back without it)."""
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def rows_as_of(
    session: Session, model: type[Base], instants: Sequence[datetime]
) -> list[dict[str, dict[str, Any]]]:
    """The rows of ``model`` as they stood at each of ``instants`` (aware datetimes), keyed by
    primary key (as the log writes it), each row as :func:`row_values` gives it: the rows as
    they are now, with every update logged after the instant undone and every row deleted
    after it restored.

    Inserts are not undone: a row counts as first stored from before the log's first entry,
    since a care plan's or a stop's own dates say from when it applies (a plan entered today
    that started in September was in force in September; a demo register or an import stores
    its past at once)."""
    current = {_entity_id(obj): row_values(obj) for obj in session.scalars(select(model))}
    entries = session.scalars(
        select(AuditLog)
        .where(AuditLog.entity == model.__tablename__, AuditLog.action.in_(("update", "delete")))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    ).all()
    out: list[dict[str, dict[str, Any]]] = [{} for _ in instants]
    state = {key: dict(row) for key, row in current.items()}
    j = 0
    for i in sorted(range(len(instants)), key=lambda k: instants[k], reverse=True):
        while j < len(entries) and _utc(entries[j].at) > instants[i]:
            entry = entries[j]
            if entry.action == "update":
                row = state.get(entry.entity_id)
                if row is not None:
                    row.update(entry.before or {})
            else:
                state[entry.entity_id] = dict(entry.before or {})
            j += 1
        out[i] = {key: dict(row) for key, row in state.items()}
    return out


def _entity_id(obj: Base) -> str:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key)


def _entry(
    actor: str, action: str, obj: Base, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> AuditLog:
    entity, entity_id = obj.__tablename__, _entity_id(obj)
    return AuditLog(
        actor=actor, action=action, entity=entity, entity_id=entity_id, before=before, after=after
    )


def _order(obj: object) -> tuple[str, str]:
    """A stable order for the log: by table, then primary key (a session's sets have none)."""
    if not isinstance(obj, Base):
        return ("", "")
    return (obj.__tablename__, _entity_id(obj).zfill(12))


def _secret_changed(obj: Base) -> bool:
    """Whether a secret column (a password hash) of ``obj`` was given a different value."""
    state = inspect(obj)
    for key in _SECRET_COLUMNS:
        if key in state.attrs:
            history = state.attrs[key].history
            if history.added and list(history.added) != list(history.deleted):
                return True
    return False


@event.listens_for(Session, "before_flush")
def _record(session: Session, _context: Any, _instances: Any) -> None:
    actor = str(session.info.get("actor") or SYSTEM_ACTOR)
    pending_inserts = [obj for obj in session.new if isinstance(obj, AUDITED)]
    for obj in sorted(session.dirty, key=_order):
        if not isinstance(obj, AUDITED) or not session.is_modified(obj, include_collections=False):
            continue
        before = row_values(obj, committed=True)
        after = row_values(obj)
        if _secret_changed(obj):  # the hash stays out of the log; that it changed does not
            before["password"], after["password"] = "previous", "changed"
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed:
            continue
        keys = sorted(changed)
        session.add(_entry(actor, "update", obj, {k: before[k] for k in keys}, {k: after[k] for k in keys}))
    for obj in sorted(session.deleted, key=_order):
        if isinstance(obj, AUDITED):
            session.add(_entry(actor, "delete", obj, row_values(obj, committed=True), None))
    if pending_inserts:
        session.info.setdefault("_audit_inserts", []).extend(pending_inserts)


@event.listens_for(Session, "after_flush")
def _record_inserts(session: Session, _context: Any) -> None:
    """Inserted rows get their primary key only during the flush: log them after it."""
    inserted = session.info.pop("_audit_inserts", None)
    if not inserted:
        return
    actor = str(session.info.get("actor") or SYSTEM_ACTOR)
    for obj in inserted:
        session.add(_entry(actor, "insert", obj, None, row_values(obj)))
