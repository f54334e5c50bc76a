"""Management's figures for past weeks read the register as it stood then: pausing a care plan,
changing its rhythm, or marking a person or a stop inactive today leaves October's due counts
as they were (the audit log's earlier values, :func:`planner.register.audit.rows_as_of`)."""

from __future__ import annotations

import shutil
from dataclasses import astuple
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from field_helpers import demo_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.register.audit import rows_as_of
from planner.register.db import make_engine, session_scope
from planner.register.models import AuditLog, Beneficiary, CalendarDay, CarePlan, VillageStop
from webui.coverage import Figures, compute_figures, settlement_coverage

TODAY = date(2026, 12, 11)  # a Friday of W50, the demo register's published week
PAST = (date(2026, 10, 19), date(2026, 11, 29))  # W43-W48
W50 = (date(2026, 12, 7), date(2026, 12, 13))
CHANGED_AT = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)  # Tuesday of W50, 11:30 in Athens


@pytest.fixture
def register(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo register (W50 published) that the test may change."""
    path = tmp_path / "register.sqlite3"
    shutil.copy(demo_template(tmp_path_factory.mktemp("demo"))[0], path)
    return path


def _dated(session: Session, since_id: int, at: datetime) -> None:
    """The audit rows written after ``since_id`` dated ``at``, as if the change was made then."""
    for row in session.scalars(select(AuditLog).where(AuditLog.id > since_id)):
        row.at = at


def _last_audit_id(session: Session) -> int:
    return session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1)) or 0


def _due(f: Figures) -> tuple[object, ...]:
    return (
        f.visits_due, f.due_before, f.due_done, f.beneficiaries_due, f.beneficiaries_served_of_due,
        [(w.iso_week, w.carried, w.new, w.done_due) for w in f.weeks],
        [astuple(u) for u in f.unserved], f.active_beneficiaries, f.mountain_beneficiaries,
    )  # fmt: skip


def test_changes_made_today_leave_the_past_weeks_due_figures_as_they_were(register: Path) -> None:
    """A plan paused, a plan's rhythm changed, a person and a stop made inactive on Tuesday of
    W50: W43-W48 read the same as before; W50 itself (and the people counted on its last day)
    show the change."""
    engine = make_engine(register)
    with session_scope(engine) as s:
        before_past = _due(compute_figures(s, *PAST, TODAY))
        before_w50 = compute_figures(s, *W50, TODAY)
        # plans due in W50 with no visit done there: pausing one must lower W50's due count
        plans = s.scalars(select(CarePlan).where(CarePlan.status == "active").order_by(CarePlan.id)).all()
        weekly = [p for p in plans if p.frequency_kind == "weekly" and p.end_date is None]
        stop = s.scalars(select(VillageStop).where(VillageStop.active).order_by(VillageStop.id)).first()
        assert len(weekly) >= 3 and stop is not None
        first_audit = _last_audit_id(s)
        weekly[0].status = "paused"
        weekly[1].frequency_kind, weekly[1].frequency_count = "every_n_weeks", 4
        person = s.get(Beneficiary, weekly[2].beneficiary_id)
        assert person is not None
        person.active = False
        stop.active = False
        s.flush()
        _dated(s, first_audit, CHANGED_AT)

    with session_scope(engine) as s:
        after_past = compute_figures(s, *PAST, TODAY)
        assert _due(after_past) == before_past
        after_w50 = compute_figures(s, *W50, TODAY)
        # W50 is counted as the register stood at its end: three plans and a stop fewer due
        assert after_w50.weeks[0].due < before_w50.weeks[0].due
        assert after_w50.active_beneficiaries < before_w50.active_beneficiaries
        people_then = sum(c.beneficiaries for c in settlement_coverage(s, date(2026, 11, 29)))
        people_now = sum(c.beneficiaries for c in settlement_coverage(s, TODAY))
        assert people_then == before_past[-2] and people_now == after_w50.active_beneficiaries
    engine.dispose()


def test_rows_as_of_undoes_later_updates_and_brings_back_later_deletions(register: Path) -> None:
    """A plan's rhythm changed at noon and a closure deleted at two: before noon both are as
    they were, between the two the rhythm is new and the closure still there, after both the
    rows as they are now."""
    engine = make_engine(register)
    noon, two = datetime(2026, 11, 3, 12, tzinfo=UTC), datetime(2026, 11, 3, 14, tzinfo=UTC)
    with session_scope(engine) as s:
        weekly = select(CarePlan).where(CarePlan.frequency_kind == "weekly").order_by(CarePlan.id)
        plan = s.scalars(weekly).first()
        assert plan is not None
        closure = CalendarDay(day=date(2026, 11, 4), kind="closure", name="απεργία")
        s.add(closure)
        s.flush()
        plan_id, closure_id = str(plan.id), str(closure.id)
        was = (plan.frequency_kind, plan.frequency_count)
        mark = _last_audit_id(s)
        plan.frequency_kind, plan.frequency_count = "every_n_weeks", 2
        s.flush()
        _dated(s, mark, noon)
        mark = _last_audit_id(s)
        s.delete(closure)
        s.flush()
        _dated(s, mark, two)
    with session_scope(engine) as s:
        moments = [datetime(2026, 11, 3, 11, tzinfo=UTC), datetime(2026, 11, 3, 13, tzinfo=UTC),
                   datetime(2026, 11, 3, 15, tzinfo=UTC)]  # fmt: skip
        plans = rows_as_of(s, CarePlan, moments)
        days = rows_as_of(s, CalendarDay, moments)
        assert [(p[plan_id]["frequency_kind"], p[plan_id]["frequency_count"]) for p in plans] == [
            was,
            ("every_n_weeks", 2),
            ("every_n_weeks", 2),
        ]
        assert [closure_id in d for d in days] == [True, True, False]
        assert days[0][closure_id]["day"] == "2026-11-04"
    engine.dispose()
