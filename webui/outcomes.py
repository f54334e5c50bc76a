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

The week's page also lists what was planned and has **no** outcome (:func:`missing_rows`):
each stop of the week's published plans (every unit set's published version) on a day up to
today with nothing recorded for that visit on that day (the driver phoned in, the tablet
broke). Next week's planning takes such a visit as not done (docs/week.md), so the office
records it there (``POST /desk/outcomes/<week>/record``): through
:func:`planner.register.outcomes.record_outcome`, under the coordinator's name, against the
published version and on the route's day, at the time given in Athens; audited as any change.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from planner.model import Problem
from planner.register import models as m
from planner.register.calendar import local_date
from planner.register.due import iso_week_of
from planner.register.outcomes import (
    ATHENS,
    STATUSES_FOR,
    Planned,
    allowed_statuses,
    planned_stops,
    record_outcome,
    recorded_keys,
    served_by,
)
from planner.register.week import WeekError, visit_subject
from planner.render import hhmm
from webui.coordinator import _conflict, _newest_change
from webui.desk import ISO_WEEK, week_dates
from webui.driver import current_day, field_conflicts, off_route, office_conflicts
from webui.forms import options
from webui.i18n import in_language, listed, short_date
from webui.management import OUTCOME_LABELS
from webui.security import require_role
from webui.store import reader, transaction

__all__ = ["bp", "iso_week_of", "missing_rows", "week_rows"]

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
    superseded: bool = False  # a later outcome of the visit that day is the one counted
    field_status: str | None = None  # another tablet's different status, about the same time


def _described(s: Session, kind: str, number: int) -> tuple[str, str, int | None] | None:
    """Who or where a visit is, by :func:`planner.register.week.visit_subject`'s kind and number
    (a person and the plan's service, a person's urgent visit, or a village stop), the
    settlement, and the person's id; None when the register no longer has it."""
    if kind == "beneficiary":  # an urgent visit added to a plan in Adjust
        someone = s.get(m.Beneficiary, number)
        if someone is None:
            return None
        urgent = _("urgent visit")  # (outside the f-string, where Babel finds it)
        return f"{someone.full_name} · {urgent}", someone.settlement.name_el, someone.id
    if kind == "care_plan":
        plan = s.get(m.CarePlan, number)
        if plan is None:
            return None
        person = plan.beneficiary
        return f"{person.full_name} · {plan.service}", person.settlement.name_el, person.id
    stop = s.get(m.VillageStop, number)
    if stop is None:
        return None
    label = _("Village stop") + (f" · {stop.place}" if stop.place else "")
    return label, stop.settlement.name_el, None


def _subject(s: Session, outcome: m.VisitOutcome) -> tuple[str, str, int | None]:
    """Who or where (a person and the plan's service, a person's urgent visit, or a village
    stop), the settlement, and the person's id."""
    if outcome.beneficiary_id is not None:
        found = _described(s, "beneficiary", outcome.beneficiary_id)
    elif outcome.care_plan_id is not None:
        found = _described(s, "care_plan", outcome.care_plan_id)
    else:
        assert outcome.village_stop_id is not None
        found = _described(s, "village_stop", outcome.village_stop_id)
    assert found is not None  # the foreign keys cascade
    return found


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
    disagree = field_conflicts(s, outcomes)
    ids = [o.id for o in outcomes]
    replaced = set(
        s.scalars(select(m.VisitOutcome.id).where(m.VisitOutcome.id.in_(ids), m.superseded_outcome()))
    )
    rows = []
    for o in outcomes:
        subject, place, beneficiary_id = _subject(s, o)
        fix = corrected.get(o.id)
        rows.append(
            OutcomeRow(
                id=o.id, day=o.planned_date, subject=subject, place=place, beneficiary_id=beneficiary_id,
                status=o.status, note=o.note or "", recorded_by=o.recorded_by, occurred_at=o.occurred_at,
                corrected_by=fix.actor if fix else None, corrected_at=fix.at if fix else None,
                off_route=o.id in changed, office_status=conflicts.get(o.id), superseded=o.id in replaced,
                field_status=disagree.get(o.id),
            )
        )  # fmt: skip
    return rows


@dataclass(frozen=True)
class MissingRow:
    """A stop of a published plan on a day up to today with no outcome recorded for it."""

    day: date
    visit_id: str
    plan_version_id: int
    unit: str
    planned: str  # the planned start, HH:MM
    subject: str
    place: str
    beneficiary_id: int | None
    choices: tuple[str, ...]  # the statuses the visit allows

    @property
    def key(self) -> str:
        """The row's id on the page (``2026-12-07-cp-1``)."""
        return f"{self.day.isoformat()}-{self.visit_id}"


def _recorded_keys(s: Session, monday: date, sunday: date) -> set[tuple[date, str]]:
    """(day, visit) of every outcome recorded for the days from ``monday`` to ``sunday``
    (:func:`planner.register.outcomes.recorded_keys`, which ``kinito week``'s warning of stops
    with no outcome counts by too)."""
    return recorded_keys(s, monday, sunday)


def _unit_name(s: Session, problem: Problem, unit_id: str) -> str:
    """The register's name of a plan's unit (``unit-1``), else the name the plan has."""
    number = m.register_id(unit_id, "unit-")
    unit = s.get(m.Unit, number) if number is not None else None
    if unit is not None:
        return unit.name
    try:
        return problem.unit(unit_id).name
    except KeyError:
        return unit_id


def _choices(visit_id: str) -> tuple[str, ...]:
    """The statuses the office may record for the visit, in the list's order."""
    try:
        allowed = allowed_statuses(visit_id)
    except WeekError:
        return ()
    return tuple(k for k in OUTCOME_LABELS if k in allowed)


def _missing_row(s: Session, planned: Planned, day: date) -> MissingRow:
    described = None
    with contextlib.suppress(WeekError):  # an id the register cannot read: as the plan names it
        described = _described(s, *visit_subject(planned.visit_id))
    if described is None:  # gone from the register: as the plan names it
        try:
            visit = planned.problem.visit(planned.visit_id)
            described = (visit.name or planned.visit_id, visit.location.name, None)
        except KeyError:
            described = (planned.visit_id, "", None)
    subject, place, beneficiary_id = described
    return MissingRow(
        day=day, visit_id=planned.visit_id, plan_version_id=planned.version.id,
        unit=_unit_name(s, planned.problem, planned.route.unit_id), planned=hhmm(planned.start),
        subject=subject, place=place, beneficiary_id=beneficiary_id, choices=_choices(planned.visit_id),
    )  # fmt: skip


def missing_rows(s: Session, iso_week: str, today: date) -> list[MissingRow]:
    """The stops of the week's published plans on a day up to ``today`` with no outcome
    recorded for that visit on that day: by day, unit and planned start."""
    monday, sunday = week_dates(iso_week)
    recorded = _recorded_keys(s, monday, sunday)
    rows = [
        (planned.start, _missing_row(s, planned, day))
        for (day, visit_id), planned in planned_stops(s, iso_week).items()
        if day <= today and (day, visit_id) not in recorded
    ]
    rows.sort(key=lambda pair: (pair[1].day, pair[1].unit, pair[0], pair[1].visit_id))
    return [row for _start, row in rows]


@bp.route("/")
def this_week() -> Any:
    """The current week's outcomes."""
    return redirect(url_for("outcomes.week", iso_week=iso_week_of(current_day())))


def _week_or_404(iso_week: str) -> tuple[date, date]:
    if not ISO_WEEK.match(iso_week):
        abort(404)
    try:
        return week_dates(iso_week)
    except ValueError:  # week 53 of a year that has 52
        abort(404)


@bp.route("/<iso_week>")
def week(iso_week: str) -> Any:
    """A week's recorded outcomes, with the previous and next weeks a click away."""
    return _page(iso_week)


def _page(iso_week: str, kept: dict[str, str] | None = None, status: int = 200) -> Any:
    """The week's page; ``kept``: a refused recording's fields, shown again on its row."""
    monday, sunday = _week_or_404(iso_week)
    today = current_day()
    with reader() as s:
        rows = week_rows(s, iso_week)
        missing = missing_rows(s, iso_week, today)
    changed = [r for r in rows if r.off_route]
    if changed:
        flash(
            _(
                "Recorded on the tablet on a route that has changed since: the published plan no "
                "longer sends that unit to the visit on that day. The outcome is kept; check "
                "whether the visit is planned again: %(visits)s",
                visits=listed(f"{short_date(r.day)} {r.subject}" for r in changed if r.day),
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
                visits=listed(disputed),
            ),
            "error",
        )
    two_tablets = sorted({f"{short_date(r.day)} {r.subject}" for r in rows if r.field_status and r.day})
    if two_tablets:
        flash(
            _(
                "Two tablets recorded different outcomes for the same visit at about the same "
                "time: the one sent last counts; correct the one that is wrong: %(visits)s",
                visits=listed(two_tablets),
            ),
            "error",
        )
    page = render_template(
        "desk/outcomes.html", rows=rows, iso_week=iso_week, monday=monday, sunday=sunday,
        previous=iso_week_of(monday - timedelta(days=7)), following=iso_week_of(monday + timedelta(days=7)),
        labels=OUTCOME_LABELS, missing=missing, kept=kept or {}, today=today,
    )  # fmt: skip
    return page, status


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class MissingForm(FlaskForm):
    """The outcome of a planned visit that has none, as the office records it from the list."""

    visit_id = HiddenField()
    day = HiddenField()
    status = SelectField(_l("Outcome"), choices=options(OUTCOME_LABELS.items()))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    time = StringField(_l("Time"))


class _Refused(Exception):
    """A recording refused, with the message for the coordinator."""


def _register_words(error: WeekError) -> str:
    """The register's message ("Greek / English") in the interface's language."""
    return in_language(str(error))


def _check(form: MissingForm, monday: date, sunday: date) -> tuple[str, date, str, time, str | None]:
    """The posted visit, day, status, time and note; :class:`_Refused` when one is wrong."""
    visit_id = (form.visit_id.data or "").strip()
    try:
        day = date.fromisoformat(form.day.data or "")
    except ValueError:
        raise _Refused(_("The outcome names no route.")) from None
    if not visit_id or not monday <= day <= sunday:
        raise _Refused(_("The outcome names no route."))
    if form.status.errors or form.status.data not in OUTCOME_LABELS:
        raise _Refused(_("Unknown outcome."))
    if form.note.errors:
        raise _Refused(_("The note is too long."))
    clock = _HHMM.match((form.time.data or "").strip())
    if clock is None:
        raise _Refused(_("The time is not a time of day."))
    note = (form.note.data or "").strip() or None
    return visit_id, day, str(form.status.data), time(int(clock.group(1)), int(clock.group(2))), note


@bp.route("/<iso_week>/record", methods=["POST"])
def record(iso_week: str) -> Any:
    """Record the outcome of a planned visit the list shows without one (see the module)."""
    monday, sunday = _week_or_404(iso_week)
    form = MissingForm()
    kept = {key: str(getattr(form, key).data or "") for key in ("visit_id", "day", "status", "note", "time")}
    today = current_day()
    try:
        form.validate_on_submit()  # (the CSRF token is checked before: CSRFProtect)
        visit_id, day, status, clock, note = _check(form, monday, sunday)
        if day > today:
            raise _Refused(
                _("This route's day has not come yet: an outcome is recorded on the day of the visit.")
            )
        with transaction() as s:
            planned = planned_stops(s, iso_week).get((day, visit_id))
            if planned is None:
                raise _Refused(
                    _(
                        "This visit is not on the week's published plan on that day (the plan "
                        "may have changed since the page was shown): nothing was recorded."
                    )
                )
            if (day, visit_id) in _recorded_keys(s, day, day):
                raise _Refused(
                    _(
                        "An outcome is already recorded for this visit on that day: nothing was "
                        "recorded; correct the recorded one if it is wrong."
                    )
                )
            record_outcome(
                s, visit_id, status, on=day, recorded_by=g.user.username,
                at=datetime.combine(day, clock, tzinfo=ATHENS), note=note,
                plan_version_id=planned.version.id,
                staff_id=served_by(planned.problem, planned.route, visit_id), today=today,
            )  # fmt: skip
            subject = _missing_row(s, planned, day).subject
    except _Refused as refused:
        flash(str(refused), "error")
        return _page(iso_week, kept, 422)
    except WeekError as error:  # the register's own refusal ("Greek / English")
        flash(_register_words(error), "error")
        return _page(iso_week, kept, 422)
    flash(
        _(
            'Recorded: %(day)s %(subject)s, "%(status)s".',
            day=short_date(day), subject=subject, status=OUTCOME_LABELS[status],
        ),
        "info",
    )  # fmt: skip
    return redirect(url_for("outcomes.week", iso_week=iso_week) + "#missing")


class CorrectionForm(FlaskForm):
    """A recorded outcome's status and note, as the office corrects them; ``last_change``, the
    outcome's newest audit entry when the form was shown: a correction over a later one (a
    colleague's, another tab's) is refused, as the register's forms refuse a stale save
    (:func:`webui.coordinator._conflict`)."""

    status = SelectField(_l("Outcome"), choices=options(OUTCOME_LABELS.items()))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    last_change = HiddenField()


def _correction_form(outcome: m.VisitOutcome | Any, *, stored: bool) -> CorrectionForm:
    """The correction form of ``outcome`` (the row now, or as it was): as stored (``stored``),
    or with the browser's input. A village stop is never corrected to "not at home" (kept only
    if it was recorded so)."""
    form = CorrectionForm(formdata=None, obj=outcome) if stored else CorrectionForm(obj=outcome)
    kind = "village_stop" if outcome.village_stop_id is not None else "care_plan"
    fits = {*STATUSES_FOR[kind], outcome.status}
    form.status.choices = options((k, v) for k, v in OUTCOME_LABELS.items() if k in fits)
    return form


@bp.route("/<int:oid>/correct", methods=["GET", "POST"])
def correct(oid: int) -> Any:
    """Correct a wrong status or note; the audit log keeps what it was and who changed it."""
    with transaction() as s:
        outcome = s.get(m.VisitOutcome, oid)
        if outcome is None:
            abort(404)
        form = _correction_form(outcome, stored=False)
        day = outcome.planned_date or local_date(outcome.occurred_at)
        back = url_for("outcomes.week", iso_week=iso_week_of(day))
        if not form.is_submitted():
            form.last_change.data = str(_newest_change(s, outcome))
        valid, conflict = form.validate_on_submit(), None
        if valid:  # a colleague's correction made after this form was shown is not undone
            conflict = _conflict(s, cast(Any, form), outcome, lambda obj: _correction_form(obj, stored=True))
        if valid and conflict is None:
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
        beneficiary_id=beneficiary_id, recorded=recorded, back=back, conflict=conflict,
    ), 409 if conflict is not None else 200  # fmt: skip
