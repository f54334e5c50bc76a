"""Recording what happened at a planned visit: done, not at home, cancelled, postponed.

An outcome names its visit by the plan's id (``cp-12``: care plan 12, ``vs-3``: village
stop 3, ``urgent-b35``: an urgent visit to person 35 that a coordinator added to a plan in
Adjust). A care plan's or a stop's outcome is stored against it; an urgent visit's, which no
care plan asks for, against its person (``VisitOutcome.beneficiary_id``), and only when a
published version of that date's week has the visit (:func:`published_with`). A device that
may send the same outcome twice (the driver's tablet, offline) gives a ``client_ref``: a
second submission with the same reference returns the stored row and writes nothing; the
same reference with another visit, date or status is refused. Without a reference, the same
visit, date and status recorded again is the same fact: the stored row is returned (unless
another status was recorded for them after it: done, not at home, done is three rows, and the
visit's outcome that day is the last, :func:`planner.register.models.superseded_outcome`). A date
before the care plan starts (or after ``today``, when given) is refused.

An outcome recorded without a time of day (the office's ``kinito outcome``) gets the real time
it was recorded (:func:`recorded_when`), never a made-up one: the tablet and the office's page
show it as "recorded at". Only a done, not at home or cancelled visit of an earlier day keeps
that day (at noon, Athens time), since the week builder dates what was done by it. The
office's word is never outvoted by a time it did not give: when the visit already has a later
outcome that day (the tablet's «done» at 14:00, corrected the next day), the office's one is
stamped just after it, so that it is the one that counts (:attr:`Recorded.moved_after`).

Not every outcome fits every visit (:data:`STATUSES_FOR`): a village stop (the unit parked in
a settlement for announced hours) is done, cancelled or postponed; nobody is "not at home" at
it, and :func:`record_outcome` refuses that status for one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.model import Problem, Route
from planner.register import models as m
from planner.register.calendar import ATHENS
from planner.register.due import iso_week_of
from planner.register.week import WeekError, published_once, visit_subject
from planner.schema import iso_week_dates, plan_from_dict, problem_from_dict

__all__ = [
    "ATHENS",
    "STATUSES_FOR",
    "STATUS_NAMES",
    "Recorded",
    "allowed_statuses",
    "published_with",
    "record_outcome",
    "recorded_keys",
    "recorded_when",
    "unrecorded_stops",
    "version_staff",
]

STATUS_NAMES = {
    "done": "έγινε",
    "not_at_home": "δεν βρέθηκε στο σπίτι",
    "cancelled": "ακυρώθηκε",
    "postponed": "αναβλήθηκε",
}
STATUSES_FOR: dict[str, tuple[str, ...]] = {
    "care_plan": m.OUTCOME_STATUSES,
    "village_stop": ("done", "cancelled", "postponed"),
    "beneficiary": m.OUTCOME_STATUSES,
}
"""The outcomes each kind of visit allows (by :func:`visit_subject`'s kind): a home visit (a
care plan's, or an urgent one to a person) any of them; a village stop has no one to find at
home."""
SUBJECT_COLUMNS = {
    "care_plan": m.VisitOutcome.care_plan_id,
    "village_stop": m.VisitOutcome.village_stop_id,
    "beneficiary": m.VisitOutcome.beneficiary_id,
}
SUBJECT_MODELS: dict[str, type[m.CarePlan] | type[m.VillageStop] | type[m.Beneficiary]] = {
    "care_plan": m.CarePlan,
    "village_stop": m.VillageStop,
    "beneficiary": m.Beneficiary,
}


def allowed_statuses(visit_id: str) -> tuple[str, ...]:
    """The statuses an outcome of ``visit_id`` (``cp-12``, ``vs-3``, ``urgent-b35``) may have."""
    kind, _number = visit_subject(visit_id)
    return STATUSES_FOR[kind]


def published_with(session: Session, visit_id: str, on: date) -> list[m.PlanVersion]:
    """The versions of ``on``'s ISO week that drivers were shown (published now, or once:
    :func:`planner.register.week.published_once`) and whose problem has ``visit_id``: an
    urgent visit exists only in them."""
    rows = [
        row
        for row in session.scalars(
            select(m.PlanVersion).where(m.PlanVersion.iso_week == iso_week_of(on)).order_by(m.PlanVersion.id)
        )
        if row.problem_json
        and any(v.get("id") == visit_id for v in json.loads(row.problem_json).get("visits", ()))
    ]
    shown = published_once(session, rows)
    return [row for row in rows if row.id in shown]


def served_by(problem: Problem | None, route: Route, visit_id: str) -> int | None:
    """Who served the visit: the named staff member, else the first aboard with the role."""
    if problem is None:
        return None
    try:
        visit = problem.visit(visit_id)
    except KeyError:
        return None
    crew: list[str] = []
    for unit_day in problem.unit_days:
        if unit_day.unit_id == route.unit_id and unit_day.date == route.date:
            crew = [c.staff_id for c in unit_day.crew]
    chosen = visit.required_staff
    if chosen is None:
        for sid in crew:
            try:
                member = problem.staff_member(sid)
            except KeyError:
                continue
            if visit.required_role is None or visit.required_role in member.roles:
                chosen = sid
                break
    return None if chosen is None else m.register_id(chosen, "st-")


@dataclass(frozen=True)
class Planned:
    """A stop of a published version: the version, its problem, the route and the stop's start."""

    version: m.PlanVersion
    problem: Problem
    route: Route
    visit_id: str
    start: int


def planned_stops(s: Session, iso_week: str) -> dict[tuple[date, str], Planned]:
    """Every stop of the week's published versions (one per unit set; the newest published
    first, should two ever plan the same visit on the same day), by (day, visit)."""
    versions = s.scalars(
        select(m.PlanVersion)
        .where(m.PlanVersion.iso_week == iso_week, m.PlanVersion.status == "published")
        .order_by(m.PlanVersion.published_at.desc(), m.PlanVersion.id.desc())
    )
    found: dict[tuple[date, str], Planned] = {}
    for version in versions:
        if not version.problem_json:
            continue
        plan = plan_from_dict(json.loads(version.plan_json))
        problem = problem_from_dict(json.loads(version.problem_json))
        for route in plan.routes:
            for stop in route.stops:
                planned = Planned(version, problem, route, stop.visit_id, stop.start)
                found.setdefault((route.date, stop.visit_id), planned)
    return found


def published_stop(session: Session, visit_id: str, on: date) -> tuple[int | None, int | None]:
    """The published version whose route of ``on`` has ``visit_id``, and who served it there
    (:func:`served_by`): what an outcome recorded without them (``kinito outcome``) is
    stored against, as the tablet's and the office page's are. ``(None, None)`` when no
    published route of that day has it."""
    planned = planned_stops(session, iso_week_of(on)).get((on, visit_id))
    if planned is None:
        return None, None
    return planned.version.id, served_by(planned.problem, planned.route, visit_id)


def version_staff(session: Session, version_id: int, visit_id: str, on: date) -> int | None:
    """Who served ``visit_id`` on ``on`` in the version with id ``version_id`` (its route of that
    day, :func:`served_by`): an outcome recorded against a named version (``kinito outcome
    --plan-version``) is counted for that staff member, as a published stop's is. None when
    the version has no such stop."""
    row = session.get(m.PlanVersion, version_id)
    if row is None or not row.problem_json or not row.plan_json:
        return None
    plan = plan_from_dict(json.loads(row.plan_json))
    route = next(
        (r for r in plan.routes if r.date == on and any(st.visit_id == visit_id for st in r.stops)), None
    )
    if route is None:
        return None
    return served_by(problem_from_dict(json.loads(row.problem_json)), route, visit_id)


def unrecorded_stops(session: Session, iso_week: str, before: date) -> list[tuple[date, str]]:
    """The stops of ``iso_week``'s published plans on a day before ``before`` with no outcome
    recorded for that visit on that day, whatever its status: (day, visit), by day. The week
    builder takes them as not done, so planning the next week sends the unit there again."""
    monday = iso_week_dates(iso_week)[0]
    recorded = recorded_keys(session, monday, monday + timedelta(days=6))
    return sorted(key for key in planned_stops(session, iso_week) if key[0] < before and key not in recorded)


def recorded_keys(session: Session, monday: date, sunday: date) -> set[tuple[date, str]]:
    """(day, visit) of every outcome recorded for the days from ``monday`` to ``sunday``,
    whatever its status or version (a row stored before visits carried their id counts by its
    care plan or stop)."""
    keys: set[tuple[date, str]] = set()
    rows = session.execute(
        select(
            m.VisitOutcome.planned_date, m.VisitOutcome.visit_ref,
            m.VisitOutcome.care_plan_id, m.VisitOutcome.village_stop_id,
        ).where(m.VisitOutcome.planned_date >= monday, m.VisitOutcome.planned_date <= sunday)
    )  # fmt: skip
    for day, ref, care_plan_id, village_stop_id in rows:
        if day is None:  # (the query asks for a day)
            continue
        if ref:
            keys.add((day, ref))
        if care_plan_id is not None:
            keys.add((day, f"cp-{care_plan_id}"))
        if village_stop_id is not None:
            keys.add((day, f"vs-{village_stop_id}"))
    return keys


def _now() -> datetime:
    """Now, in Athens (a function, so that tests can fix it)."""
    return datetime.now(ATHENS)


def recorded_when(on: date, status: str, now: datetime | None = None) -> datetime:
    """When an outcome given no time of day is stored as having happened.

    The real time it is recorded, ``now``: for a visit of today (in Athens), and for a
    postponement whatever its day (the office's decision, taken when it records it; nothing
    dates a postponement's day by it). A done, not at home or cancelled visit recorded on a
    later day keeps its own day, at noon: the week builder dates the visits done by this
    instant (its day in Athens), and nobody gave a time."""
    now = now if now is not None else _now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=ATHENS)
    if status == "postponed" or now.astimezone(ATHENS).date() == on:
        return now
    return datetime.combine(on, time(12, 0), tzinfo=ATHENS)


@dataclass(frozen=True)
class Recorded:
    """The stored outcome, and whether this call wrote it (False: it was there already)."""

    outcome_id: int
    created: bool
    status: str = ""  # the stored row's
    note_added: bool = False  # not written again, but its new note added to the stored row's
    # stamped just after this outcome of the visit that day (its status and time), which
    # would have counted over the time it would have had
    moved_after: tuple[str, datetime] | None = None
    counted: str = ""  # the status of the visit's outcome that day now (its last one)
    counted_at: datetime | None = None  # when that one happened (UTC, as stored)


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
    today: date | None = None,
    again: bool = False,
) -> Recorded:
    """Store one outcome (see the module). ``at`` defaults to the time it is recorded
    (:func:`recorded_when`). ``again``: the same outcome as the visit's last that day, recorded
    anew at a later ``at`` (the driver tapped «done» on arriving and records it again when the
    visit ends): stored, so that the later time counts, rather than taken as the same fact."""
    if status not in m.OUTCOME_STATUSES:
        known = ", ".join(m.OUTCOME_STATUSES)
        raise WeekError(
            f"άγνωστη έκβαση {status!r} (επιτρέπονται: {known}) / unknown outcome {status!r} ({known})"
        )
    kind, number = visit_subject(visit_id)
    if status not in STATUSES_FOR[kind]:
        allowed = STATUSES_FOR[kind]
        greek = ", ".join(f"«{STATUS_NAMES[s]}»" for s in allowed)
        raise WeekError(
            f"{visit_id} είναι στάση σε οικισμό: «{STATUS_NAMES.get(status, status)}» δεν ισχύει "
            f"για στάση (επιτρέπονται: {greek}) / {visit_id} is a village stop: {status!r} does "
            f"not apply to a stop (allowed: {', '.join(allowed)})"
        )
    if client_ref is not None:
        existing = session.scalar(select(m.VisitOutcome).where(m.VisitOutcome.client_ref == client_ref))
        if existing is not None:
            if (existing.visit_ref, existing.planned_date, existing.status) != (visit_id, on, status):
                was = f"{existing.visit_ref} {existing.planned_date}"
                raise WeekError(
                    f"η αναφορά {client_ref!r} έχει ήδη καταγραφεί για {was} "
                    f"«{STATUS_NAMES.get(existing.status, existing.status)}»: δεν άλλαξε τίποτα / "
                    f"reference {client_ref!r} is already recorded for {was} {existing.status}: "
                    f"nothing was changed"
                )
            return Recorded(existing.id, False, existing.status)
    subject = session.get(SUBJECT_MODELS[kind], number)
    if subject is None:
        raise WeekError(f"δεν υπάρχει {visit_id} στο μητρώο / {visit_id} is not in the register")
    if today is not None and on > today:
        raise WeekError(
            f"η ημερομηνία {on:%d/%m/%Y} είναι μελλοντική: καταγράφεται ό,τι έγινε ως σήμερα / "
            f"the date {on:%d/%m/%Y} is in the future: only what happened up to today is recorded"
        )
    start = getattr(subject, "start_date", None)
    if start is not None and on < start:
        raise WeekError(
            f"η ημερομηνία {on:%d/%m/%Y} είναι πριν από την έναρξη του πλάνου {visit_id} "
            f"({start:%d/%m/%Y}) / "
            f"the date {on:%d/%m/%Y} is before care plan {visit_id} starts ({start:%d/%m/%Y})"
        )
    if kind == "beneficiary" and not published_with(session, visit_id, on):
        week = iso_week_of(on)
        raise WeekError(
            f"η επείγουσα επίσκεψη {visit_id} δεν είναι σε καμία δημοσιευμένη έκδοση της εβδομάδας "
            f"{week} ({on:%d/%m/%Y}) / the urgent visit {visit_id} is in no published version of "
            f"week {week} ({on:%d/%m/%Y})"
        )
    query = select(m.VisitOutcome).where(SUBJECT_COLUMNS[kind] == number, m.VisitOutcome.planned_date == on)
    if kind == "beneficiary":  # a person's two urgent visits (urgent-b35, urgent-b35-2) are two
        query = query.where(m.VisitOutcome.visit_ref == visit_id)
    # the visit's outcome that day is its last one (see m.superseded_outcome): the same status
    # as that is the same fact; another status, or the first one's again after it (done, not
    # at home, done), is stored
    last = session.scalar(
        query.order_by(m.VisitOutcome.occurred_at.desc(), m.VisitOutcome.id.desc()).limit(1)
    )
    same = last if last is not None and last.status == status else None
    if same is not None and again and at is not None and _aware(at) > _aware(same.occurred_at):
        same = None  # recorded anew, later: stored, its time counts
    if same is not None:
        # the same outcome again (a second tab, a retry with a new reference): stored once, but
        # a note it brings is kept beside the first one's, not dropped
        extra = (note or "").strip()
        added = bool(extra) and extra not in (same.note or "")
        if added:
            same.note = f"{same.note}\n{extra}" if same.note else extra
        return Recorded(same.id, False, same.status, note_added=added, counted=same.status,
                        counted_at=same.occurred_at)  # fmt: skip
    if plan_version_id is not None and session.get(m.PlanVersion, plan_version_id) is None:
        raise WeekError(f"δεν υπάρχει έκδοση σχεδίου {plan_version_id} / no plan version {plan_version_id}")
    when = at if at is not None else recorded_when(on, status)
    if when.tzinfo is None:
        when = when.replace(tzinfo=ATHENS)
    moved_after = None
    if at is None and last is not None and when <= (before := _aware(last.occurred_at)):
        # no time was given (the office's correction, a day later, got noon): a later outcome
        # of that day (the tablet's «done» at 14:00) would count over it. Just after it, kept
        # within the day (the week builder dates a done visit by its day in Athens); the same
        # instant would still come after it, by id
        end = datetime.combine(on, time(23, 59), tzinfo=ATHENS)
        when = max(min(before + timedelta(minutes=1), end), before)
        moved_after = (last.status, before)
    row = m.VisitOutcome(
        care_plan_id=number if kind == "care_plan" else None,
        village_stop_id=number if kind == "village_stop" else None,
        beneficiary_id=number if kind == "beneficiary" else None,
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
    counted = session.scalar(
        query.order_by(m.VisitOutcome.occurred_at.desc(), m.VisitOutcome.id.desc()).limit(1)
    )
    assert counted is not None  # (the row just stored, at least)
    return Recorded(row.id, True, row.status, moved_after=moved_after, counted=counted.status,
                    counted_at=counted.occurred_at)  # fmt: skip


def _aware(moment: datetime) -> datetime:
    """A stored instant (SQLite gives it back naive, in UTC) with its time zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
