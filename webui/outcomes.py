"""The office's view of what happened at the visits: a week's recorded outcomes, and corrections.

The driver records done / not at home / cancelled with a note on the tablet
(:mod:`webui.driver`); nothing else showed them. ``/desk/outcomes/<week>`` lists the week's
outcomes (date, person or stop, status, note, who recorded it and when) and
``/desk/outcomes/<id>/correct`` lets the coordinator correct a wrong status or note. The
correction goes through :func:`webui.store.transaction`, so the register's audit log keeps the
row before and after under the coordinator's name; the list marks corrected rows with who
corrected them and when. A village stop is never corrected to "not at home".

An outcome the tablet recorded on a route that changed since (offline while the office
published a new version without that visit on that day: :func:`webui.driver.off_route`) is
kept, as every recorded fact is, and the week's page names it in a warning: the published
plan may send someone there again. So is an outcome the tablet sent for a visit the office
had already recorded otherwise that day (postponed it: :func:`webui.driver.office_conflicts`):
both rows stay, the tablet's is flagged with the office's status, until a correction makes
them agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from planner.register import models as m
from planner.register.calendar import local_date
from planner.register.due import iso_week_of
from planner.register.outcomes import STATUSES_FOR
from webui.desk import ISO_WEEK, week_dates
from webui.driver import current_day, off_route, office_conflicts
from webui.forms import options
from webui.i18n import short_date
from webui.management import OUTCOME_LABELS
from webui.security import require_role
from webui.store import reader, transaction

__all__ = ["bp", "iso_week_of", "week_rows"]

bp = Blueprint("outcomes", __name__, url_prefix="/desk/outcomes")
bp.before_request(require_role("coordinator"))


@dataclass(frozen=True)
class OutcomeRow:
    """One recorded outcome as the list shows it."""

    id: int
    day: date | None
    subject: str
    place: str
    beneficiary_id: int | None
    status: str
    note: str
    recorded_by: str
    occurred_at: datetime
    corrected_by: str | None
    corrected_at: datetime | None
    off_route: bool = False  # recorded on a route that changed since (see the module)
    office_status: str | None = None  # from the tablet, against the office's earlier record


def _subject(s: Session, outcome: m.VisitOutcome) -> tuple[str, str, int | None]:
    """Who or where (a person and the plan's service, a person's urgent visit, or a village
    stop), the settlement, and the person's id."""
    if outcome.beneficiary_id is not None:  # an urgent visit added to a plan in Adjust
        someone = s.get(m.Beneficiary, outcome.beneficiary_id)
        assert someone is not None  # the foreign key cascades
        urgent = _("urgent visit")  # (outside the f-string, where Babel finds it)
        return f"{someone.full_name} · {urgent}", someone.settlement.name_el, someone.id
    if outcome.care_plan_id is not None:
        plan = s.get(m.CarePlan, outcome.care_plan_id)
        assert plan is not None  # the foreign key cascades
        person = plan.beneficiary
        return f"{person.full_name} · {plan.service}", person.settlement.name_el, person.id
    stop = s.get(m.VillageStop, outcome.village_stop_id)
    assert stop is not None
    label = _("Village stop") + (f" · {stop.place}" if stop.place else "")
    return label, stop.settlement.name_el, None


def _corrections(s: Session, ids: list[int]) -> dict[int, m.AuditLog]:
    """The latest audited change of each outcome made after it was recorded (a correction)."""
    rows = s.scalars(
        select(m.AuditLog)
        .where(
            m.AuditLog.entity == m.VisitOutcome.__tablename__,
            m.AuditLog.action == "update",
            m.AuditLog.entity_id.in_([str(i) for i in ids]),
        )
        .order_by(m.AuditLog.id)
    )
    return {int(row.entity_id): row for row in rows}


def week_rows(s: Session, iso_week: str) -> list[OutcomeRow]:
    """The outcomes recorded for the days of ``iso_week``, by date and time."""
    monday, sunday = week_dates(iso_week)
    outcomes = list(
        s.scalars(
            select(m.VisitOutcome)
            .where(m.VisitOutcome.planned_date >= monday, m.VisitOutcome.planned_date <= sunday)
            .order_by(m.VisitOutcome.planned_date, m.VisitOutcome.occurred_at, m.VisitOutcome.id)
        )
    )
    corrected = _corrections(s, [o.id for o in outcomes])
    changed = off_route(s, outcomes)
    conflicts = office_conflicts(s, outcomes)
    rows = []
    for o in outcomes:
        subject, place, beneficiary_id = _subject(s, o)
        fix = corrected.get(o.id)
        rows.append(
            OutcomeRow(
                id=o.id, day=o.planned_date, subject=subject, place=place, beneficiary_id=beneficiary_id,
                status=o.status, note=o.note or "", recorded_by=o.recorded_by, occurred_at=o.occurred_at,
                corrected_by=fix.actor if fix else None, corrected_at=fix.at if fix else None,
                off_route=o.id in changed, office_status=conflicts.get(o.id),
            )
        )  # fmt: skip
    return rows


@bp.route("/")
def this_week() -> Any:
    """The current week's outcomes."""
    return redirect(url_for("outcomes.week", iso_week=iso_week_of(current_day())))


@bp.route("/<iso_week>")
def week(iso_week: str) -> Any:
    """A week's recorded outcomes, with the previous and next weeks a click away."""
    if not ISO_WEEK.match(iso_week):
        abort(404)
    try:
        monday, sunday = week_dates(iso_week)
    except ValueError:  # week 53 of a year that has 52
        abort(404)
    with reader() as s:
        rows = week_rows(s, iso_week)
    changed = [r for r in rows if r.off_route]
    if changed:
        flash(
            _(
                "Recorded on the tablet on a route that has changed since: the published plan no "
                "longer sends that unit to the visit on that day. The outcome is kept; check "
                "whether the visit is planned again: %(visits)s",
                visits="; ".join(f"{short_date(r.day)} {r.subject}" for r in changed if r.day),
            ),
            "error",
        )
    disputed = [
        _(
            '%(day)s %(subject)s: "%(tablet)s" from the tablet, "%(office)s" from the office',
            day=short_date(r.day), subject=r.subject, tablet=OUTCOME_LABELS.get(r.status, r.status),
            office=OUTCOME_LABELS.get(str(r.office_status), r.office_status),
        )
        for r in rows
        if r.office_status and r.day
    ]  # fmt: skip
    if disputed:
        flash(
            _(
                "Recorded on the tablet for a visit the office had already recorded otherwise "
                "(postponed, for instance): both are kept and nothing was overwritten; correct "
                "the one that is wrong: %(visits)s",
                visits="; ".join(disputed),
            ),
            "error",
        )
    return render_template(
        "desk/outcomes.html", rows=rows, iso_week=iso_week, monday=monday, sunday=sunday,
        previous=iso_week_of(monday - timedelta(days=7)), following=iso_week_of(monday + timedelta(days=7)),
        labels=OUTCOME_LABELS,
    )  # fmt: skip


class CorrectionForm(FlaskForm):
    """A recorded outcome's status and note, as the office corrects them."""

    status = SelectField(_l("Outcome"), choices=options(OUTCOME_LABELS.items()))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


@bp.route("/<int:oid>/correct", methods=["GET", "POST"])
def correct(oid: int) -> Any:
    """Correct a wrong status or note; the audit log keeps what it was and who changed it."""
    with transaction() as s:
        outcome = s.get(m.VisitOutcome, oid)
        if outcome is None:
            abort(404)
        form = CorrectionForm(obj=outcome)
        # a village stop is never corrected to "not at home" (kept only if it was recorded so)
        kind = "village_stop" if outcome.village_stop_id is not None else "care_plan"
        fits = {*STATUSES_FOR[kind], outcome.status}
        form.status.choices = options((k, v) for k, v in OUTCOME_LABELS.items() if k in fits)
        day = outcome.planned_date or local_date(outcome.occurred_at)
        back = url_for("outcomes.week", iso_week=iso_week_of(day))
        if form.validate_on_submit():
            note = (form.note.data or "").strip() or None
            if (form.status.data, note) == (outcome.status, outcome.note):
                flash(_("Nothing was changed."), "info")
            else:
                outcome.status = str(form.status.data)
                outcome.note = note
                flash(_("Corrected; the audit log keeps what it was."), "info")
            return redirect(back)
        subject, place, beneficiary_id = _subject(s, outcome)
        recorded = (outcome.recorded_by, outcome.occurred_at)
    return render_template(
        "desk/outcome.html", form=form, oid=oid, day=day, subject=subject, place=place,
        beneficiary_id=beneficiary_id, recorded=recorded, back=back,
    )  # fmt: skip
