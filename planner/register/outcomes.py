"""Recording what happened at a planned visit: done, not at home, cancelled, postponed.

An outcome names its visit by the plan's id (``cp-12``: care plan 12, ``vs-3``: village
stop 3). A device that may send the same outcome twice (the driver's tablet, offline) gives
a ``client_ref``: a second submission with the same reference returns the stored row and
writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.register import models as m
from planner.register.week import WeekError, visit_subject

__all__ = ["ATHENS", "STATUS_NAMES", "Recorded", "record_outcome"]

ATHENS = ZoneInfo("Europe/Athens")
STATUS_NAMES = {
    "done": "έγινε",
    "not_at_home": "δεν βρέθηκε στο σπίτι",
    "cancelled": "ακυρώθηκε",
    "postponed": "αναβλήθηκε",
}


@dataclass(frozen=True)
class Recorded:
    """The stored outcome, and whether this call wrote it (False: it was there already)."""

    outcome_id: int
    created: bool


def record_outcome(
    session: Session,
    visit_id: str,
    status: str,
    *,
    on: date,
    recorded_by: str,
    at: datetime | None = None,
    note: str | None = None,
    plan_version_id: int | None = None,
    staff_id: int | None = None,
    client_ref: str | None = None,
) -> Recorded:
    """Store one outcome (see the module). ``at`` defaults to noon of ``on``, Athens time."""
    if status not in m.OUTCOME_STATUSES:
        known = ", ".join(m.OUTCOME_STATUSES)
        raise WeekError(
            f"άγνωστη έκβαση {status!r} (επιτρέπονται: {known}) / unknown outcome {status!r} ({known})"
        )
    kind, number = visit_subject(visit_id)
    if client_ref is not None:
        existing = session.scalar(select(m.VisitOutcome).where(m.VisitOutcome.client_ref == client_ref))
        if existing is not None:
            return Recorded(existing.id, False)
    subject = session.get(m.CarePlan if kind == "care_plan" else m.VillageStop, number)
    if subject is None:
        raise WeekError(f"δεν υπάρχει {visit_id} στο μητρώο / {visit_id} is not in the register")
    if plan_version_id is not None and session.get(m.PlanVersion, plan_version_id) is None:
        raise WeekError(f"δεν υπάρχει έκδοση σχεδίου {plan_version_id} / no plan version {plan_version_id}")
    when = at if at is not None else datetime.combine(on, time(12, 0), tzinfo=ATHENS)
    if when.tzinfo is None:
        when = when.replace(tzinfo=ATHENS)
    row = m.VisitOutcome(
        care_plan_id=number if kind == "care_plan" else None,
        village_stop_id=number if kind == "village_stop" else None,
        plan_version_id=plan_version_id,
        visit_ref=visit_id,
        status=status,
        planned_date=on,
        occurred_at=when.astimezone(UTC),
        staff_id=staff_id,
        recorded_by=recorded_by,
        note=note,
        client_ref=client_ref,
    )
    session.add(row)
    session.flush()
    return Recorded(row.id, True)
