"""The coordinator's planning desk: plan an ISO week in the background, watch it, read the
result (map, timelines, per-day tables, unassigned with reasons), publish; the versions.

The solve runs in a child process (:mod:`webui.jobs`); the progress page polls
``/desk/jobs/<id>.json``. A plan version's page reads everything from the database: the plan
and the problem it was solved from (``PlanVersion.plan_json`` / ``problem_json``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, cast

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext, pgettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from planner.mapview import offline_html, plan_map
from planner.model import Plan, Problem
from planner.register.calendar import today as calendar_today
from planner.register.due import iso_week_of
from planner.schema import plan_from_dict, problem_from_dict, typed_iso_week
from webui.driver import current_day
from webui.forms import CALENDAR_LABELS, DecimalTextField, PostForm
from webui.i18n import WEEKDAYS, current_language, decimal, in_language, listed, short_date, when
from webui.i18n import person as display_name
from webui.jobs import Job, JobRunner, WeekBusy, problem_digest
from webui.planview import clock_range, day_views, unassigned_rows
from webui.security import require_role
from webui.store import reader

bp = Blueprint("desk", __name__, url_prefix="/desk")
bp.before_request(require_role("coordinator"))

ISO_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")


def kind_labels() -> dict[str, str]:
    """The timeline's kinds of time, in the reader's language. Time spent at a visit has its own
    context: plain «Service» is the care plan's field («Υπηρεσία», a department)."""
    return {
        "travel": _("Travel"),
        "service": pgettext("timeline", "Service"),
        "waiting": _("Waiting"),
        "break": _("Break"),
    }


STATUS_LABELS = {
    "published": _l("published"),
    "replaced": _l("replaced"),
    "draft": _l("draft"),
}
"""A version's status as the desk shows it: "replaced" is a version published once and then
replaced by the publication of another (stored as "draft" again, see
:func:`planner.register.week.publish`)."""


def version_statuses(rows: Iterable[Any]) -> dict[int, str]:
    """``{version id: "published" | "replaced" | "draft"}`` for rows with ``id`` and ``status``.

    Publishing a version sets the week's previously published one back to "draft" and clears
    its ``published_at``; the audit log keeps that it was published (its update to "published").
    """
    from planner.register.week import published_once

    rows = list(rows)
    with reader() as s:
        once = published_once(s, rows)
    return {
        r.id: "published" if r.status == "published" else "replaced" if r.id in once else "draft"
        for r in rows
    }


def next_iso_week(today: date | None = None) -> str:
    """The ISO week after this one (``today``: default, Athens' date), e.g. ``2026-W49``."""
    return iso_week_of((today or calendar_today()) + timedelta(days=7))


def week_dates(iso_week: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week; ValueError for one that is not (2025-W53) or whose
    Sunday is past the calendar's last day (9999-W52)."""
    monday = date.fromisocalendar(int(iso_week[:4]), int(iso_week[6:]), 1)
    try:
        return monday, monday + timedelta(days=6)
    except OverflowError:
        raise ValueError(f"{iso_week}: past the calendar's last day") from None


WEEK_MESSAGE = _l("A week like 2026-W49")


class PlanForm(FlaskForm):
    """Which week to plan, and how long to search."""

    iso_week = StringField(
        _l("ISO week"),
        validators=[DataRequired(), Regexp(ISO_WEEK.pattern, message=WEEK_MESSAGE)],
        filters=[lambda text: typed_iso_week(text) if isinstance(text, str) else text],  # 2026w50 too
    )
    # text, not type=number: a Greek keyboard's «7,5» lost its comma there and became 75 s
    time_limit = DecimalTextField(_l("Search time (seconds)"), validators=[Optional()])

    def validate_iso_week(self, field: StringField) -> None:
        """A week 53 only in a year that has one (2026 does, 2027 not), said as management says it."""
        text = str(field.data or "")
        if ISO_WEEK.match(text):
            year, week = int(text[:4]), int(text[6:])
            weeks = date(year, 12, 28).isocalendar().week
            if week > weeks:
                raise ValidationError(
                    _("Week %(week)s of %(year)s does not exist: %(year)s has weeks 01 to %(weeks)s.",
                      week=f"{week:02d}", year=year, weeks=weeks)
                )  # fmt: skip

    def validate_time_limit(self, field: DecimalTextField) -> None:
        """Text that is no number («nan» too), or one outside 1-600: the one message Adjust gives
        (a range check alone passes NaN: every comparison with it is false)."""
        number = field.data
        if field.unreadable or (number is not None and not (math.isfinite(number) and 1 <= number <= 600)):
            raise ValidationError(str(TIME_LIMIT_MESSAGE))


TIME_LIMIT_MESSAGE = _l("The search time must be a number of seconds from 1 to 600.")


def time_limit_of(text: str | None, default: float) -> float | None:
    """A search time in seconds from a form (blank: ``default``); None if it is not a number
    of seconds from 1 to 600 (said so, as the plan form does: 5000 became 600 silently)."""
    try:
        # «7,5» as a Greek keyboard types it
        value = float(text.strip().replace(",", ".")) if text and text.strip() else float(default)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return value if 1.0 <= value <= 600.0 else None


def closed_working_days(iso_week: str) -> list[tuple[date, str]]:
    """The week's Monday-to-Friday days that are closed (Greece's public holidays, and the
    register's holidays and closures), with why, as the calendar page lists them."""
    from planner.register.models import CalendarDay
    from webui.coordinator import public_holidays

    monday, _sunday = week_dates(iso_week)
    weekdays = [monday + timedelta(days=n) for n in range(5)]
    closed = {d: name for year in {d.year for d in weekdays} for d, name in public_holidays(year)}
    with reader() as s:
        rows = s.scalars(
            select(CalendarDay).where(
                CalendarDay.day.in_(weekdays), CalendarDay.kind.in_(("holiday", "closure"))
            )
        )
        for row in rows:
            closed.setdefault(row.day, row.name or str(CALENDAR_LABELS[row.kind]))
    return [(d, closed[d]) for d in weekdays if d in closed]


def _runner() -> JobRunner:
    runner: JobRunner = current_app.extensions["kinito_jobs"]
    return runner


@bp.route("/", methods=["GET"])
def index() -> Any:
    """Pick a week and plan it; running jobs; the weeks already planned."""
    from planner.register.models import PlanVersion, Unit

    limit = float(current_app.config["PLAN_TIME_LIMIT"])  # «30», not «30.0»
    form = PlanForm(
        iso_week=next_iso_week(current_day()), time_limit=int(limit) if limit.is_integer() else limit
    )
    # said before planning next week: its plan takes a stop with no outcome as not done
    unrecorded = unrecorded_weeks(next_iso_week(current_day()))
    with reader() as s:
        unit_names = {u.id: u.name for u in s.scalars(select(Unit))}
        versions = list(
            s.execute(
                select(
                    PlanVersion.id,
                    PlanVersion.iso_week,
                    PlanVersion.unit_set,
                    PlanVersion.version,
                    PlanVersion.status,
                    PlanVersion.created_at,
                    PlanVersion.created_by,
                    PlanVersion.published_at,
                )
                .order_by(PlanVersion.iso_week.desc(), PlanVersion.version.desc())
                .limit(60)
            )
        )
    units = {v.unit_set: _unit_names(v.unit_set, unit_names) for v in versions}
    jobs = _runner().jobs()[:10]
    return render_template(
        "desk/index.html", form=form, jobs=jobs, versions=versions, units=units,
        statuses=version_statuses(versions), status_labels=STATUS_LABELS,
        this_week=iso_week_of(current_day()), job_errors={j.id: job_error_text(j) for j in jobs},
        unrecorded=unrecorded,
    )  # fmt: skip


def _unit_names(unit_set: str, names: dict[int, str]) -> tuple[str, str]:
    """A version's units by name, short (up to a bracket, as the plan's tables write them) and
    in full: ``"1,2"`` -> ``("Κινητή μονάδα, Δημοτικό αυτοκίνητο", "Κινητή μονάδα (βαν ...), ...")``."""
    from planner.register.models import unit_ids

    full = [names.get(i) or str(i) for i in sorted(unit_ids(unit_set))]
    short = [name.split("(")[0].strip() or name for name in full]
    return ", ".join(short) or unit_set, ", ".join(full) or unit_set


@bp.route("/plan", methods=["POST"])
def plan() -> Any:
    """Start planning the chosen week in the background; show its progress page."""
    form = PlanForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("desk.index"))
    week = str(form.iso_week.data)
    try:
        monday, sunday = week_dates(week)
    except ValueError:  # e.g. 2025-W53: that year has 52 weeks
        flash(str(WEEK_MESSAGE), "error")
        return redirect(url_for("desk.index"))
    if current_day().weekday() >= 5 and monday + timedelta(days=4) < current_day():
        # its working days are over (a Saturday, this ISO week too): next week is the one to plan
        flash(_("The working days of week %(week)s (%(monday)s – %(friday)s) are over: it cannot be "
                "planned any more. Plan next week (%(next_week)s) or a later one.",
                week=week, monday=short_date(monday), friday=short_date(monday + timedelta(days=4)),
                next_week=next_iso_week(current_day())), "error")  # fmt: skip
        return redirect(url_for("desk.index"))
    if sunday < current_day():
        flash(_("Week %(week)s (%(monday)s – %(sunday)s) is over: a past week cannot be planned. "
                "Plan this week (%(this_week)s: it is planned from today on) or a later one.",
                week=week, monday=short_date(monday), sunday=short_date(sunday),
                this_week=iso_week_of(current_day())), "error")  # fmt: skip
        return redirect(url_for("desk.index"))
    closed = closed_working_days(week)
    if len(closed) == 5:
        days = ", ".join(f"{short_date(d)} ({why})" for d, why in closed)
        flash(_("Every working day of week %(week)s is closed: %(days)s. There is nothing to plan.",
                week=week, days=days), "error")  # fmt: skip
        return redirect(url_for("desk.index"))
    time_limit = float(form.time_limit.data or current_app.config["PLAN_TIME_LIMIT"])
    try:  # checked and started at once: two requests together start one run
        job = _runner().start_if_idle(week, g.user.username, time_limit=time_limit, today=current_day(),
                                      workers=int(current_app.config["PLAN_WORKERS"]))  # fmt: skip
    except WeekBusy as busy:
        flash(_("This week is already being planned."), "info")
        return redirect(url_for("desk.job", job_id=busy.job.id))
    return redirect(url_for("desk.job", job_id=job.id))


@bp.route("/jobs/<job_id>")
def job(job_id: str) -> Any:
    """A planning job's live progress (the page polls the JSON below)."""
    found = _runner().get(job_id)
    if found is None:  # the server restarted since, or the run ended long ago: not a dead end
        message = _("This planning run is no longer known to the server (it was restarted, or the run "
                    "ended long ago). A version it stored is in the list of the planning desk.")  # fmt: skip
        return render_template("error.html", code=404, message=message, desk=True), 404
    monday, sunday = week_dates(found.iso_week)
    return render_template("desk/job.html", job=found, monday=monday, sunday=sunday)


@bp.route("/jobs/<job_id>/cancel", methods=["POST"])
def job_cancel(job_id: str) -> Any:
    """Stop a planning run; nothing is stored."""
    if not PostForm().validate_on_submit():
        abort(400)
    if _runner().get(job_id) is None:
        abort(404)
    if _runner().cancel(job_id):
        # the run's process ends within moments: waited for, the desk's list no longer says
        # «running» beside «stopped»
        _runner().wait(job_id, 5)
        flash(_("Planning stopped; nothing was stored."), "info")
    return redirect(url_for("desk.index"))


@bp.route("/jobs/<job_id>.json")
def job_json(job_id: str) -> Response:
    """A planning job's state: elapsed, best objective, visits served, and where the result is."""
    found = _runner().get(job_id)
    if found is None:
        abort(404)
    data = found.as_dict()
    if found.plan_version_id is not None:
        data["result_url"] = url_for("desk.version", pv_id=found.plan_version_id)
    data["error"] = job_error_text(found)
    # JSON has no NaN or infinity: the page could not read the answer and would poll for ever
    for key, value in data.items():
        if isinstance(value, float) and not math.isfinite(value):
            data[key] = None
    return jsonify(data)


def job_error_text(job: Job) -> str | None:
    """A failed job's error for the coordinator: the week builder's message in the interface's
    language (it writes "Greek / English"), else a plain sentence with the technical detail."""
    if not job.error or job.state != "failed":
        return None
    if job.expected_error:
        return in_language(job.error)
    return str(
        _("An unexpected error stopped the planning (%(detail)s). Tell the administrator.", detail=job.error)
    )


def _closed_days(summary: dict[str, Any]) -> list[tuple[date, str]]:
    """The week's days with no routes and why (holidays, closures), from the week builder."""
    out = []
    for item in summary.get("closed_dates") or []:
        try:
            out.append((date.fromisoformat(str(item[0])), str(item[1])))
        except (ValueError, IndexError, TypeError):
            continue
    return out


@dataclass(frozen=True)
class Carried:
    """A visit carried over from last week, and why: its last outcome there (``status``, on
    ``day``; None: nothing recorded; "unplanned": on no published route of last week), and the
    days this version plans it (none: unassigned)."""

    visit_id: str
    name: str
    status: str | None
    day: date | None
    planned: tuple[date, ...]


def _last_outcomes(session: Any, monday: date) -> dict[str, tuple[str, date]]:
    """Each visit's last outcome (status, day) recorded for the week from ``monday``: by day,
    then as the register counts them (:func:`planner.register.models.superseded_outcome`)."""
    from planner.register.models import VisitOutcome

    rows = session.scalars(
        select(VisitOutcome)
        .where(VisitOutcome.planned_date >= monday, VisitOutcome.planned_date <= monday + timedelta(days=6))
        .order_by(VisitOutcome.planned_date, VisitOutcome.occurred_at, VisitOutcome.id)
    )
    last: dict[str, tuple[str, date]] = {}
    for o in rows:
        ref = o.visit_ref or (
            f"cp-{o.care_plan_id}" if o.care_plan_id is not None else f"vs-{o.village_stop_id}"
        )
        if o.planned_date is not None:
            last[ref] = (o.status, o.planned_date)
    return last


def _carried_over(row: Any, plan: Plan, problem: Problem) -> list[Carried]:
    """The visits carried over from last week (not done then) that this week's problem has,
    each with its last outcome of last week and where this version plans it: bare names did not
    say why a visit came back, nor whether it is planned. Only a care plan's or a stop's visit
    is carried over; a version stored before that was so may list an urgent visit of last week,
    which this week does not have."""
    names = {v.id: v.name or v.id for v in problem.visits}
    ids = [str(vid) for vid in (row.summary or {}).get("carried_over") or [] if str(vid) in names]
    if not ids:
        return []
    days: dict[str, list[date]] = {}
    for route in plan.routes:
        for stop in route.stops:
            days.setdefault(stop.visit_id, []).append(route.date)
    from planner.register.outcomes import planned_stops

    before = week_dates(row.iso_week)[0] - timedelta(days=7)
    with reader() as s:
        last = _last_outcomes(s, before)
        # on last week's published routes: else it was not planned then (unassigned), and "no
        # outcome recorded" would blame the driver
        driven = {vid for _day, vid in planned_stops(s, iso_week_of(before))}
    out = []
    for vid in ids:
        status, day = last.get(vid) or ("unplanned" if vid not in driven else None, None)
        out.append(Carried(vid, names[vid], status, day, tuple(sorted(days.get(vid, ())))))
    return out


def unrecorded_weeks(iso_week: str) -> list[tuple[str, int]]:
    """The weeks whose published stops planning ``iso_week`` reads as not done because they have
    no outcome (the week before it, and its own days gone by): (week, how many stops), those
    with any. Planned so, a visit done but not yet recorded (a tablet offline) is sent to again."""
    from planner.register.outcomes import unrecorded_stops

    monday, _sunday = week_dates(iso_week)
    out = []
    with reader() as s:
        for week in (iso_week_of(monday - timedelta(days=7)), iso_week):
            count = len(unrecorded_stops(s, week, current_day()))
            if count:
                out.append((week, count))
    return out


@bp.app_template_global()
def change_text(change: Any) -> str:
    """A change in the interface's language: ``{"el": ..., "en": ...}``, a pair, or plain text."""
    from webui.i18n import current_language

    lang = current_language()
    if isinstance(change, dict):
        return str(change.get(lang) or change.get("el") or "")
    if isinstance(change, list | tuple) and len(change) == 2:
        return str(change[0] if lang == "el" else change[1])
    return str(change)


def _outcome_labels() -> dict[str, Any]:
    from webui.management import OUTCOME_LABELS

    return dict(OUTCOME_LABELS)


UNASSIGNED_SHOWN = 50  # the week's-room rows shown before the rest is folded (hundreds at scale)


@dataclass(frozen=True)
class UnassignedView:
    """The version page's unassigned visits: the count per reason, the rows shown by reason
    (what the coordinator can act on, then the first week-full ones) and the rest, folded."""

    groups: list[tuple[str, list[Any]]]  # (reason, its rows), in the page's order
    folded: list[Any]
    reasons: list[tuple[str, str, int]]  # (reason, its label, visits)
    total: int


def _unassigned_view(plan: Plan, problem: Problem) -> UnassignedView:
    """The unassigned rows in the CLI's order (planner.render.format_unassigned), by reason:
    what the coordinator can act on (a crew, a day, a window) before the week's room, and
    within each reason the highest priority first. 1,083 week-full rows in visit order buried
    the 11 that a crew would have served, in a page 200,000 px tall: beyond the first
    ``UNASSIGNED_SHOWN`` of them the rest is folded (still in the page)."""
    from webui.management import REASON_LABELS

    def priority(row: Any) -> int:
        try:
            return int(problem.visit(row.visit_id).priority)
        except KeyError:
            return 0

    found = unassigned_rows(plan, problem)
    counts: dict[str, int] = {}
    for r in found:
        counts[r.reason] = counts.get(r.reason, 0) + r.occurrences
    # the reasons to act on first (the most numerous first), the week's room last; the rows by
    # reason in that order, the highest priority first (sorted() keeps the plan's order among equals)
    order = sorted(counts, key=lambda k: (k == "week_full", -counts[k]))
    rank = {k: i for i, k in enumerate(order)}
    rows = sorted(found, key=lambda r: (rank[r.reason], -priority(r)))
    full = [r for r in rows if r.reason == "week_full"]
    actionable = rows[: len(rows) - len(full)]
    groups: list[tuple[str, list[Any]]] = []
    for r in actionable + full[:UNASSIGNED_SHOWN]:
        if not groups or groups[-1][0] != r.reason:
            groups.append((r.reason, []))
        groups[-1][1].append(r)
    return UnassignedView(
        groups=groups,
        folded=full[UNASSIGNED_SHOWN:],
        reasons=[(k, str(REASON_LABELS.get(k, k)), counts[k]) for k in order],
        total=sum(counts.values()),
    )


def _changes(
    row: Any, plan: Plan, problem: Problem, status: str, published_now: Any | None
) -> tuple[list[Any], tuple[str, int | None]]:
    """What the version changes, and against what (the page's heading):

    - an adjustment: its changes as stored (Greek and English), against the version it
      adjusted (``("version", n)``); but a draft adjusted from another version than the one
      published now is compared with the published one, as a re-plan is (what publishing it
      would change for the drivers and the people);
    - a re-planned week, never published itself: against the version of the week published
      **now** (``("published", n)``), worked out again from the two stored plans (the stored
      lines are the command line's, in both languages at once, and name the version that was
      published when it was made, which may have been replaced since);
    - a re-planned week that is published, or was and has been replaced: against the version
      that was published when it was made (``("published_then", n)``): comparing the published
      version with itself would say nothing.

    ``status`` is the version's as the desk shows it (:func:`version_statuses`);
    ``published_now`` the week's published version (a row with ``version``), if any."""
    from planner.register.models import PlanVersion
    from planner.register.week import plan_change_items
    from webui.adjust import week_changes

    summary = row.summary or {}
    stored = summary.get("changes") or []
    now = published_now if status == "draft" else None
    against_id: int | None = None
    if summary.get("base_version") is not None:
        same_series = now is not None and getattr(now, "unit_set", row.unit_set) == row.unit_set
        if now is None or (same_series and int(now.version) == int(summary["base_version"])):
            return list(stored), ("version", int(summary["base_version"]))
        against, against_id, compared = int(now.version), int(now.id), "published"
    elif summary.get("based_on_published") is None:
        return list(stored), ("published", None)
    elif now is not None:
        against, against_id, compared = int(now.version), int(now.id), "published"
    else:
        against, compared = int(summary["based_on_published"]), "published_then"
        against_id = summary.get("based_on_published_id")
    with reader() as s:
        base = (
            s.get(PlanVersion, int(against_id))
            if against_id is not None
            else s.scalars(
                select(PlanVersion).where(
                    PlanVersion.iso_week == row.iso_week,
                    PlanVersion.unit_set == row.unit_set,
                    PlanVersion.version == against,
                )
            ).first()
        )
        base_plan = plan_from_dict(json.loads(base.plan_json)) if base is not None else None
        base_problem = None
        if base is not None and base.problem_json:
            base_problem = problem_from_dict(json.loads(base.problem_json))
    if base_plan is None:  # versions are never deleted (outcomes refer to them): not expected
        return [], (compared, against)
    items = plan_change_items(base_plan, plan, problem, base_problem)
    removed = set(summary.get("removed") or [])
    # the two versions' visits: a name two people share is said with the place
    problems = [p for p in (base_problem, problem) if p is not None]
    lines = week_changes(items, removed, problems=problems)
    return [{"el": c.el, "en": c.en} for c in lines], (compared, against)


def _load(pv_id: int) -> tuple[Any, Plan, Problem]:
    from planner.register.models import PlanVersion

    with reader() as s:
        row = s.get(PlanVersion, pv_id)
        if row is None or not row.problem_json:
            abort(404)
        s.expunge(row)
    return row, plan_from_dict(json.loads(row.plan_json)), problem_from_dict(json.loads(row.problem_json))


def _unwanted_lines(session: Any, plan: Plan, problem: Problem) -> list[str]:
    """The plan's visits the register no longer asks for, a line each in the reader's language:
    «Όνομα (Τρί 08/12): το πλάνο φροντίδας είναι σε παύση»."""
    from planner.register.week import no_longer_wanted

    english = current_language() == "en"
    return [
        f"{u.name} ({short_date(u.day)}): {u.why_en if english else u.why_el}"
        for u in no_longer_wanted(session, plan, problem)
    ]


def _changed_lines(session: Any, plan: Plan, problem: Problem) -> list[str]:
    """The plan's visits from today on whose care plan or stop the register has changed since
    so that their place no longer follows it, a line each in the reader's language: «Όνομα (Παρ
    11/12): οι ώρες του είναι πια 09:00-11:00»."""
    from planner.register.week import rules_changed

    english = current_language() == "en"
    return [
        f"{u.name} ({short_date(u.day)}): {u.why_en if english else u.why_el}"
        for u in rules_changed(session, plan, problem, current_day())
    ]


def _off_day_lines(plan: Plan, problem: Problem) -> list[str]:
    """The village stops served on another weekday than the village's usual one, a line each:
    «Πτέρη: πλατεία: Δευ 7/12 (συνήθως: Παρασκευή)»; those still to come only (a day past, or
    today's kept route, can no longer be changed)."""
    from planner.render import stops_off_their_day

    today = current_day()
    return [
        str(
            _(
                "%(stop)s: %(days)s (usually: %(weekday)s)",
                stop=v.name or v.id,
                days=listed(short_date(d) for d in days),
                weekday=WEEKDAYS[(v.preferred_weekday or 0) + 1],
            )
        )
        for v, days in stops_off_their_day(plan, problem)
        if max(days) > today
    ]


def _stops_left(plan: Plan, problem: Problem) -> dict[str, Any] | None:
    """The week's due village stops the plan leaves out, for the page's warning: None when every
    one is served; else how many are due, the names (a stop served on some of its days says
    how many), and whether none at all is served (a village told "Tuesdays at the square"
    loses the unit; the unassigned list names them only among the rest)."""
    from planner.register.week import unserved_stops

    found = unserved_stops(plan, problem)
    if not found.unserved:
        return None
    names = [
        str(
            _(
                "%(stop)s (only %(served)d of %(times)d times)",
                stop=v.name or v.id,
                served=done,
                times=v.frequency,
            )
        )
        if done
        else v.name or v.id
        for v, done in found.unserved
    ]
    none = found.none_served
    return {"num": len(found.unserved), "due": found.due, "names": names, "none": none}


def _drift_lines(session: Any, plan: Plan, problem: Problem, published: bool = True) -> list[str]:
    """What the calendar no longer allows of the plan's routes from today on, a line each in
    the reader's language: «Παρ 04/12, Κινητή μονάδα: η ημέρα είναι πια κλειστή (Τοπική αργία)»."""
    from planner.register.week import calendar_drift

    english = current_language() == "en"
    units = {u.id: u.name for u in problem.units}
    today = current_day()
    # today's route is kept as published by a re-plan (when the week has a published plan:
    # else today is planned anew, frozen_dates): only the driver can be told
    kept = str(_("today's route stays as published when re-planned: tell the driver"))
    return [
        f"{short_date(d.day)}, {units.get(d.unit_id, d.unit_id)}: {d.why_en if english else d.why_el}"
        + (f" ({kept})" if published and d.day <= today else "")
        for d in calendar_drift(session, problem, plan, today)
    ]


@bp.route("/plans/<int:pv_id>")
def version(pv_id: int) -> Any:
    """A plan version: summary, map, timeline per day, per-day tables, unassigned, publish."""
    return _version_page(pv_id)


def _published_meanwhile(s: Any, ids: list[int]) -> str:
    """What a publish refused because the week's published version changed since the page was
    drawn says: the version published now, who published it and when."""
    from planner.register.models import AuditLog, PlanVersion
    from webui.coordinator import _actor_name, _change_time

    rows = [r for r in (s.get(PlanVersion, i) for i in ids) if r is not None]
    if not rows:
        return str(_("The week's published version changed after this page was shown: nothing was "
                     "published. Check the page and publish again if this version should be the "
                     "one the drivers get."))  # fmt: skip
    now = max(rows, key=lambda r: (r.published_at is not None, r.published_at or 0, r.id))
    entries = s.scalars(
        select(AuditLog)
        .where(AuditLog.entity == PlanVersion.__tablename__, AuditLog.entity_id == str(now.id))
        .order_by(AuditLog.id.desc())
    )
    entry = next((e for e in entries if (e.after or {}).get("status") == "published"), None)
    who = _actor_name(s, entry.actor) if entry is not None else "—"
    at = now.published_at or (entry.at if entry is not None else None)
    return str(_("Version %(n)d was published by %(who)s at %(time)s, after this page was shown: "
                 "nothing was published. Publish this version only if it should replace version "
                 "%(n)d for the drivers.", n=now.version, who=who,
                 time=_change_time(at) if at is not None else "—"))  # fmt: skip


def _replaced_versions(session: Any, others: Iterable[Any]) -> str:
    """The published versions a publish replaces, each with its number and its units (another
    unit set's version goes back to draft too, and its units' drivers lose their routes):
    «version 1 (Κινητή μονάδα, Δημοτικό αυτοκίνητο)»."""
    from planner.register.models import Unit, unit_ids

    names = {u.id: u.name for u in session.scalars(select(Unit))}
    return ", ".join(
        _(
            "version %(n)d (%(units)s)",
            n=o.version,
            units=", ".join(names.get(i, str(i)) for i in sorted(unit_ids(o.unit_set))),
        )
        for o in sorted(others, key=lambda o: o.version)
    )


def _version_page(pv_id: int, meanwhile: list[int] | None = None) -> str:
    """A plan version's page; ``meanwhile``: a publish was refused because the week's published
    versions are now these (the page says who published which, and when)."""
    from planner.register.models import PlanVersion
    from planner.register.week import _published_others

    row, plan, problem = _load(pv_id)
    days = day_views(plan, problem)
    start, end = clock_range(days) if days else (8 * 3600, 16 * 3600)
    with reader() as s:
        siblings = list(
            s.execute(
                select(PlanVersion.id, PlanVersion.version, PlanVersion.status, PlanVersion.created_at)
                .where(PlanVersion.iso_week == row.iso_week, PlanVersion.unit_set == row.unit_set)
                .order_by(PlanVersion.version.desc())
            )
        )
    served = sum(len(d.stops) for d in days)
    wanted = sum(v.frequency for v in problem.visits)
    monday, sunday = week_dates(row.iso_week)
    # publishing a version older than the published one sends the drivers back to it
    newer = [r.version for r in siblings if r.status == "published" and r.version > row.version]
    statuses = version_statuses(siblings)
    published_now: Any = next((r for r in siblings if r.status == "published"), None)
    if published_now is None:  # another unit set's version, one of whose units this plans
        from planner.register.week import published_for

        with reader() as s:
            published_now = published_for(s, row.iso_week, row.unit_set)
    changes, compared = _changes(row, plan, problem, statuses[row.id], published_now)
    # why the changes: what the calendar no longer allows of the published version's routes
    # (an absence, a unit out of service), said above them (19 changes, and not a word why)
    changes_why: list[str] = []
    if changes and compared[0] == "published" and published_now is not None and published_now.id != row.id:
        _pub, pub_plan, pub_problem = _load(int(published_now.id))
        with reader() as s:
            changes_why = _drift_lines(s, pub_plan, pub_problem, published=False)
    with reader() as s:
        unwanted = _unwanted_lines(s, plan, problem)
        changed = _changed_lines(s, plan, problem)
        drift = _drift_lines(s, plan, problem, published=published_now is not None)
        # a version publishing would refuse (days driven since it was made): said before the
        # button, which asked for a confirmation and then refused
        stale = None
        if row.status != "published":
            from planner.register.week import stale_publish

            refused = stale_publish(s, row, current_day())
            stale = in_language(str(refused)) if refused is not None else None
        # the versions publishing this one replaces, as the page shows them: the publish form
        # sends them, and a publish after another was published meanwhile is refused (publish)
        others = _published_others(s, row)
        replaces = ",".join(str(o.id) for o in others)
        # the confirmation names them: publishing the all-units version silently sent another
        # set's published version back to draft
        confirm = (
            ngettext(
                "Publish this version? It replaces the published %(versions)s, which goes back to draft.",
                "Publish this version? It replaces these published versions, which go back to draft: "
                "%(versions)s.",
                len(others),
                versions=_replaced_versions(s, others),
            )
            if others
            else _("Publish this version?")
        )
        published_meanwhile = _published_meanwhile(s, meanwhile) if meanwhile is not None else None
    return render_template(
        "desk/version.html", row=row, plan=plan, problem=problem, days=days, clock=(start, end),
        unassigned=_unassigned_view(plan, problem), siblings=siblings, served=served, wanted=wanted,
        kind_labels=kind_labels(), post=PostForm(), monday=monday, sunday=sunday,
        km=round(sum(r.distance for r in plan.routes) / 1000, 1),  # as the CLI: rounded once, not per day
        drive=round(sum(r.drive_time for r in plan.routes) / 60),
        changes=changes, compared=compared, changes_why=changes_why,
        closed=_closed_days(row.summary or {}),
        carried=_carried_over(row, plan, problem), outcome_labels=_outcome_labels(),
        unrecorded=unrecorded_weeks(row.iso_week),
        statuses=statuses, status_labels=STATUS_LABELS,
        newer_published=newer[0] if newer else None, unwanted=unwanted, drift=drift, changed=changed,
        off_day=_off_day_lines(plan, problem), stops_left=_stops_left(plan, problem),
        stale=stale, replaces=replaces, confirm=confirm,
        published_meanwhile=published_meanwhile,
    )  # fmt: skip


@bp.route("/plans/<int:pv_id>/map")
def version_map(pv_id: int) -> Response:
    """The plan's map page (planner.mapview, Leaflet inlined), shown in the result page's frame."""
    _row, plan, problem = _load(pv_id)
    tiles = current_app.config.get("TILE_URL") or None
    attribution = current_app.config.get("TILE_ATTRIBUTION") or ""
    language = current_language()
    page = offline_html(
        plan_map(plan, problem, tiles, attribution=attribution, language=language), lang=language
    )
    g.inline_scripts = True  # folium writes its map as inline script: allowed on this page only
    return Response(page, mimetype="text/html")


@bp.route("/plans/<int:pv_id>/publish", methods=["POST"])
def publish(pv_id: int) -> Any:
    """Publish a plan version: drivers will see it; earlier versions stay viewable."""
    if not PostForm().validate_on_submit():
        abort(400)
    from planner.register.week import PublishedMeanwhile, StalePublish, WeekError
    from planner.register.week import publish as publish_version
    from webui.store import engine

    # the published versions this one replaces, as the page saw them ("": none); a form without
    # them (a page from before this check) is not checked
    sent = request.form.get("replaces")
    seen = None if sent is None else [int(part) for part in sent.split(",") if part.strip().isdigit()]
    from planner.register.models import PlanVersion
    from planner.register.week import _published_others

    with reader() as s:  # what it replaces, to say so (a change meanwhile is refused below)
        row = s.get(PlanVersion, pv_id)
        others = _published_others(s, row) if row is not None and row.status != "published" else []
        replaced = _replaced_versions(s, others) if others else ""
    try:
        publish_version(engine(), pv_id, g.user.username, today=current_day(), seen=seen)
    except PublishedMeanwhile as exc:
        # a colleague published another version after the page was drawn: the page again, its
        # confirmation as it stands now, for the user to decide
        return _version_page(pv_id, meanwhile=exc.published), 409
    except StalePublish as exc:
        flash(in_language(str(exc)), "error")
        return redirect(url_for("desk.version", pv_id=pv_id))
    except WeekError:
        abort(404)
    flash(_("Published."), "info")
    if replaced:
        flash(
            ngettext(
                "It replaces %(versions)s, which is a draft again: its drivers now get this version.",
                "It replaces %(versions)s, which are drafts again: their drivers now get this version.",
                len(others),
                versions=replaced,
            ),
            "info",
        )
    _row, plan, problem = _load(pv_id)
    with reader() as s:
        unwanted = _unwanted_lines(s, plan, problem)
        changed = _changed_lines(s, plan, problem)
        drift = _drift_lines(s, plan, problem)
    if changed:
        flash(
            _(
                "The register has changed these visits since this plan was made, and their places in it no "
                "longer follow it: %(lines)s. Plan the week again (a new plan reads the register as it is "
                "now), or tell the driver and the people.",
                lines=listed(changed),
            ),
            "warning",
        )
    if drift:
        message = _(
            "The calendar has changed since this plan was made, and its routes do not follow it: "
            "%(lines)s. Adjust the plan (re-optimising applies the calendar), or tell the driver.",
            lines=listed(drift),
        )
        flash(message, "warning")
    if unwanted:
        message = ngettext(
            "The register no longer asks for %(num)d visit of this plan: %(names)s. "
            "Adjust the plan, or tell the driver.",
            "The register no longer asks for %(num)d visits of this plan: %(names)s. "
            "Adjust the plan, or tell the driver.",
            len(unwanted),
            names=listed(unwanted),
        )
        flash(message, "warning")
    return redirect(url_for("desk.version", pv_id=pv_id))


@bp.route("/plans/<int:pv_id>/adjust", methods=["GET", "POST"])
def adjust(pv_id: int) -> Any:
    """Pin a visit to a day, move it, drop it, add an urgent one; re-optimise as a new version."""
    from planner.model import Location, Terrain
    from planner.register.models import Beneficiary
    from planner.register.week import frozen_dates, published_for, with_calendar_now
    from planner.schema import parse_time, problem_to_dict
    from webui.adjust import adjusted_problem, hours_backwards, person_hours, served_dates, urgent_visit
    from webui.forms import format_windows, parse_windows

    row, plan, problem = _load(pv_id)
    served = served_dates(plan)
    # days already past are not offered: a visit cannot be put there
    today = current_day()
    # the week's published plan's route of today is kept as it is (the driver may be on it),
    # whichever version is adjusted: from tomorrow
    with reader() as s:
        published = published_for(s, row.iso_week, row.unit_set)
        driven_plan = plan if row.status == "published" else None
        if driven_plan is None and published is not None:
            driven_plan = plan_from_dict(json.loads(published.plan_json))
    driven = driven_plan is not None
    kept_today = driven and today in problem.dates
    frozen = frozen_dates(problem.dates, today, published=driven)
    # the days planned anew as the calendar has them now (a closure, an absence added since)
    with reader() as s:
        problem_now = with_calendar_now(s, problem, [d for d in problem.dates if d not in frozen])
    going = {ud.date for ud in problem_now.unit_days if ud.available}  # a unit goes out
    open_dates = [d for d in problem.dates if d not in frozen and d in going]
    # a visit the published routes of the days before and of today have: kept as it was driven
    locked = {
        vid
        for vid, days in (served_dates(driven_plan) if driven_plan else {}).items()
        if any(d in frozen for d in days)
    }
    newer = _made_from(row)
    if request.method == "POST":
        seen = {part for part in request.form.get("newer_seen", "").split(",") if part}
        unseen = [v for v in newer if str(v.id) not in seen]
        if unseen:  # made since the page was drawn: a colleague's changes would be lost unsaid
            flash(_("Your adjustments were not applied: %(who)s made version %(n)d from this version "
                    "%(when)s, and its changes are not in this one. Adjust that version, or this one "
                    "again if you mean to leave them out.", who=display_name(unseen[-1].created_by),
                    n=unseen[-1].version, when=when(unseen[-1].created_at)), "error")  # fmt: skip
            return redirect(url_for("desk.adjust", pv_id=pv_id, refill=1))
        actions = {
            key.removeprefix("action-"): value
            for key, value in request.form.items()
            if key.startswith("action-") and value != "keep"
        }
        urgent = []
        bid = request.form.get("urgent_beneficiary", "")
        try:
            if bid:
                minutes = int(request.form.get("urgent_minutes") or 45)
                if not 5 <= minutes <= 480:
                    raise ValueError(minutes)
                day_text = request.form.get("urgent_day", "")
                day = date.fromisoformat(day_text) if day_text else None
                if day is not None and day not in open_dates:
                    raise ValueError(day)
                role = request.form.get("urgent_role", "social_worker")
                if role not in ("social_worker", "psychologist"):
                    raise ValueError(role)
                with reader() as s:
                    person = s.get(Beneficiary, int(bid))
                    if person is None:
                        raise ValueError(bid)
                    place = person.settlement
                    lat, lon = (person.lat, person.lon) if person.lat is not None else (place.lat, place.lon)
                    terrain = cast(Terrain, place.terrain)  # the register's CHECK allows only these
                    location = Location(
                        f"b{person.id}", float(lat), float(lon or 0.0), place.name_el, terrain
                    )
                    # the person's available hours: as given, else their care plans' in force
                    given = request.form.get("urgent_hours", "").strip()
                    try:
                        stated = (
                            parse_windows(given)
                            if given
                            else person_hours(person.care_plans, *week_dates(row.iso_week))
                        )
                    except ValueError:  # said for the field, not as «check the choices»
                        backwards = hours_backwards(given)
                        if backwards:  # read fine, the wrong way round
                            flash(_("The available hours «%(hours)s» end before they start: write the "
                                    "start first, as 10:00-12:00.", hours=backwards), "error")  # fmt: skip
                        else:
                            flash(_("The available hours «%(hours)s» cannot be read: write them as "
                                    "09:00-12:00 (several with commas).", hours=given), "error")  # fmt: skip
                        return redirect(url_for("desk.adjust", pv_id=pv_id, refill=1))
                    hours = [
                        [a, b] for a, b in stated if parse_time(b) - parse_time(a) >= minutes * 60
                    ]  # room for the visit
                    if stated and not hours:
                        flash(_("The hours %(hours)s are all shorter than the visit's %(minutes)d minutes: "
                                "give other hours or a shorter visit.", hours=format_windows(stated),
                                minutes=minutes), "error")  # fmt: skip
                        return redirect(url_for("desk.adjust", pv_id=pv_id, refill=1))
                    taken = {v.id for v in problem.visits}
                    vid = f"urgent-b{person.id}"
                    n = 2
                    while vid in taken:
                        vid, n = f"urgent-b{person.id}-{n}", n + 1
                    urgent.append(
                        urgent_visit(vid, location, minutes, name=person.full_name, role=role, day=day,
                                     phone=person.phone or "", address=person.address or "",
                                     place=place.name_el, hours=hours)
                    )  # fmt: skip
            allowed = {v.id: v.allowed_weekdays for v in problem.visits}
            if locked & set(actions):  # kept as driven: neither moved nor dropped
                raise ValueError(sorted(locked & set(actions)))
            for vid, action in actions.items():
                if action.startswith("pin:"):
                    day = date.fromisoformat(action[4:])
                    weekdays = allowed.get(vid)
                    if day not in open_dates or (weekdays is not None and day.weekday() not in weekdays):
                        raise ValueError(action)  # past, or a weekday the visit may not have
            new_problem = adjusted_problem(problem_now, plan, actions, urgent)
        except ValueError:
            flash(_("The adjustment could not be applied: check the choices."), "error")
            return redirect(url_for("desk.adjust", pv_id=pv_id, refill=1))
        time_limit = time_limit_of(request.form.get("time_limit"), current_app.config["PLAN_TIME_LIMIT"])
        if time_limit is None:
            flash(str(TIME_LIMIT_MESSAGE), "error")
            return redirect(url_for("desk.adjust", pv_id=pv_id, refill=1))
        asked = problem_to_dict(new_problem)
        try:  # one run of a week at a time, checked and started at once (two requests together)
            job = _runner().start_if_idle(
                row.iso_week,
                g.user.username,
                time_limit=time_limit,
                workers=int(current_app.config["PLAN_WORKERS"]),
                problem=asked,
                unit_set=row.unit_set,
                base_plan_version_id=row.id,
                today=today,
                partial=bool(frozen),  # today's published route kept too: counted apart
            )
        except WeekBusy as busy:
            running = busy.job
            mine = running.actor == g.user.username
            same = running.problem_digest == problem_digest(asked)
            if mine and running.base_plan_version_id == row.id and same:  # sent twice (a double click)
                flash(_("This week is already being planned."), "info")
                return redirect(url_for("desk.job", job_id=running.id))
            if mine:  # another run of theirs (another tab's plan or adjustment): this one not applied
                flash(_("Your adjustments were not applied: this week is being planned already, in "
                        "another run of yours. When that run ends, adjust the version it makes."),
                      "error")  # fmt: skip
                return redirect(url_for("desk.adjust", pv_id=pv_id, refill=1))
            # two runs would share the two cores and both end worse; said as not applied, and back
            # to this page: sent to the other run's page, a second coordinator took its version
            # for one with their own changes
            flash(_("Your adjustments were not applied: this week is being planned already, by "
                    "%(who)s. When that run ends, adjust the version it makes.",
                    who=display_name(running.actor)), "error")  # fmt: skip
            return redirect(url_for("desk.adjust", pv_id=pv_id, refill=1))
        return redirect(url_for("desk.job", job_id=job.id))
    with reader() as s:
        people = _urgent_choices(s.scalars(select(Beneficiary).where(Beneficiary.active)))
    visits = sorted(problem.visits, key=lambda v: (served.get(v.id, [date.max])[0], v.name or v.id))
    # a visit twice a week whose Monday is past: Monday's stays, its later one may move
    kept_on = served_dates(driven_plan) if driven_plan else {}
    partly = {
        vid: ", ".join(short_date(d) for d in kept_on.get(vid, []) if d in frozen)
        for vid in locked
        if any(d not in frozen for d in served.get(vid, []))
    }
    monday, sunday = week_dates(row.iso_week)
    return render_template(
        "desk/adjust.html", row=row, problem=problem, visits=visits, served=served, people=people,
        monday=monday, sunday=sunday, time_limit=current_app.config["PLAN_TIME_LIMIT"],
        open_dates=open_dates, today=today, kept_today=kept_today, locked=locked, partly_locked=partly,
        changed_days=_changed_days(problem, problem_now), has_past=bool(frozen), newer=newer,
    )  # fmt: skip


def _urgent_choices(people: Iterable[Any]) -> list[tuple[int, str, str]]:
    """The urgent visit's people as Adjust lists them: (id, label, search key), in the
    register's order. The label says the office ID the register has: two «Λιάπης Σπυρίδων
    (Αίγιον)», two people, were the same option; namesakes without one are told by their
    address, then by their number. The key is the register search's (accentless, Greek also in
    Latin letters), for the list's search box."""
    from planner.register.places import normalise
    from webui.forms import collation_key

    rows = sorted(people, key=lambda b: (collation_key(b.full_name), b.id))
    # (not «labels»: the name is a keyword the translations extract, see the Makefile)
    shown = {
        b.id: f"{b.full_name} ({b.settlement.name_el})" + (f" · {b.external_id}" if b.external_id else "")
        for b in rows
    }
    for tell in (lambda b: b.address, lambda b: f"#{b.id}"):
        seen: dict[str, int] = {}
        for label in shown.values():
            seen[label] = seen.get(label, 0) + 1
        for b in rows:
            if seen[shown[b.id]] > 1 and tell(b):
                shown[b.id] += f" · {tell(b)}"
    return [(b.id, shown[b.id], normalise(shown[b.id])) for b in rows]


def _made_from(row: Any) -> list[Any]:
    """The versions adjusted from ``row`` (same week and units, its version as their base),
    oldest first: adjusting ``row`` again makes a version without their changes."""
    from planner.register.models import PlanVersion

    with reader() as s:
        rows = s.execute(
            select(PlanVersion.id, PlanVersion.version, PlanVersion.created_by, PlanVersion.created_at,
                   PlanVersion.summary)
            .where(
                PlanVersion.iso_week == row.iso_week,
                PlanVersion.unit_set == row.unit_set,
                PlanVersion.version > row.version,
            )
            .order_by(PlanVersion.version)
        ).all()  # fmt: skip
    return [v for v in rows if (v.summary or {}).get("base_version") == row.version]


def _changed_days(before: Problem, now: Problem) -> list[str]:
    """The unit days the calendar has changed since ``before`` was made, a line each in the
    reader's language, as Adjust will plan them: «Παρ 04/12, Κινητή μονάδα: κλειστή (Τοπική
    αργία)», «Πέμ 03/12, Κινητή μονάδα: πλήρωμα Σοφία Μ.»."""
    from planner.render import hhmm

    english = current_language() == "en"
    units = {u.id: u.name for u in now.units}
    names = {st.id: st.name for st in now.staff}
    old = {(ud.unit_id, ud.date): ud for ud in before.unit_days}
    out = []
    for ud in now.unit_days:
        was = old.get((ud.unit_id, ud.date))
        if was is None or was == ud:
            continue
        if not ud.available:
            note = ud.note.partition(" / ")[2 if english else 0] or ud.note
            what = _("closed (%(why)s)", why=note)
        else:
            crew = ", ".join(names.get(c.staff_id, c.staff_id) for c in ud.crew)
            what = _("open until %(end)s, crew %(crew)s", end=hhmm(ud.shift.end), crew=crew)
        out.append(f"{short_date(ud.date)}, {units.get(ud.unit_id, ud.unit_id)}: {what}")
    return out


@bp.route("/plans/<int:pv_id>/sheet.pdf")
def route_sheet(pv_id: int) -> Response:
    """The route sheets as PDF (A4, one page per route); ``?day=YYYY-MM-DD`` for that day's,
    ``&unit=ID`` (the plan's unit id) for one; ``?unit=ID`` alone: that unit's, every day."""
    from webui.i18n import long_date
    from webui.routesheet import FontMissing, find_font_dir, route_sheet_pdf

    row, plan, problem = _load(pv_id)
    only = None
    unit_only = request.args.get("unit") or None
    if unit_only is not None and not request.args.get("day"):
        # a unit without a day: all of that unit's routes (it was ignored: every unit's pages)
        plan = replace(plan, routes=tuple(r for r in plan.routes if r.unit_id == unit_only))
        if not plan.routes:
            abort(404)
    if request.args.get("day"):
        try:
            only = (date.fromisoformat(request.args["day"]), request.args.get("unit") or None)
        except ValueError:
            abort(400)
        if not any(r.date == only[0] and only[1] in (None, r.unit_id) for r in plan.routes):
            abort(404)
    try:
        font_dir = find_font_dir(current_app.config.get("ROUTE_SHEET_FONT_DIR"))
    except FontMissing:
        return Response(_("The PDF font (DejaVu Sans) is not installed on the server."), status=503)
    status = str(STATUS_LABELS[version_statuses([row])[row.id]])
    footer = f"Kinito · {row.iso_week} · {_('version %(n)d', n=row.version)} ({status})"
    pdf = route_sheet_pdf(plan, problem, labels=_, long_date=long_date, footer=footer, only=only,
                          font_dir=font_dir, decimal=decimal)  # fmt: skip
    # one file per route: the day's two units' sheets had one name
    day = f"-{only[0].isoformat()}" if only else ""
    unit = f"-{only[1]}" if only and only[1] else f"-{unit_only}" if unit_only else ""
    name = f"kinito-{row.iso_week}-v{row.version}{day}{unit}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})  # fmt: skip
