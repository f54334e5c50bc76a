"""The driver's tablet: today's published route for his own unit, working offline.

- ``/driver/`` is the page; ``/driver/today.json`` its data: the newest **published** plan
  version of today's ISO week that includes the driver's unit (``User.unit_id``), only that
  unit's route, only today. ``/driver/routes/<unit>/<day>.json`` answers 403 for any other
  unit or day: a driver sees nothing else.
- ``/driver/sw.js`` is the service worker (scope ``/driver/``, rendered from
  ``templates/driver/sw.js`` with the URLs it keeps): it keeps the page, its data,
  the script, the style and Leaflet, so the route keeps working with no signal.
- ``POST /driver/outcomes.json`` records one outcome (done, not at home, cancelled) through
  :func:`planner.register.outcomes.record_outcome`, idempotent on the device's ``client_ref``
  (a UUID made on the tablet): the offline queue may send the same outcome twice, it is
  stored once. CSRF: the ``X-CSRFToken`` header, with a token the page fetches fresh from
  ``/driver/token.json`` right before sending (a page from the cache may hold an old one).
- "Today" is :func:`current_day`: the ``TODAY`` setting, else the ``KINITO_TODAY``
  environment variable (an ISO date: tests, demonstrations), else the date in Athens.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner.model import Plan, Problem, Route
from planner.register import models as m
from planner.register.calendar import today as calendar_today
from planner.register.outcomes import record_outcome
from planner.render import hhmm
from planner.schema import plan_from_dict, problem_from_dict
from webui.i18n import long_date
from webui.security import require_role
from webui.store import reader, transaction

__all__ = ["DRIVER_STATUSES", "TodayRoute", "bp", "current_day", "find_route", "route_document"]

bp = Blueprint("driver", __name__, url_prefix="/driver")
bp.before_request(require_role("driver"))

ATHENS = ZoneInfo("Europe/Athens")
DRIVER_STATUSES = ("done", "not_at_home", "cancelled")
"""What the driver may record (postponing is the coordinator's decision)."""
SEND_DAYS = 7
"""An outcome queued offline is accepted up to this many days after its route's date."""
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_REF = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def current_day() -> date:
    """Today for the driver's pages: the ``TODAY`` setting if set, else the date in Athens."""
    fixed = current_app.config.get("TODAY")
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return calendar_today()  # KINITO_TODAY, else the date in Athens


@dataclass(frozen=True)
class TodayRoute:
    """A unit's route on a date, with the published version and the problem it came from."""

    version: m.PlanVersion
    plan: Plan
    problem: Problem
    route: Route | None


def find_route(session: Any, unit_id: int, day: date) -> TodayRoute | None:
    """The newest published version covering ``day``'s week and ``unit_id``, and the unit's
    route on ``day`` in it (None if that version sends the unit nowhere that day)."""
    year, week, _ = day.isocalendar()
    rows = session.scalars(
        select(m.PlanVersion)
        .where(m.PlanVersion.iso_week == f"{year}-W{week:02d}", m.PlanVersion.status == "published")
        .order_by(m.PlanVersion.published_at.desc(), m.PlanVersion.id.desc())
    )
    for row in rows:
        if unit_id not in m.unit_ids(row.unit_set) or not row.problem_json:
            continue
        plan = plan_from_dict(json.loads(row.plan_json))
        problem = problem_from_dict(json.loads(row.problem_json))
        route = next((r for r in plan.routes if r.unit_id == f"unit-{unit_id}" and r.date == day), None)
        return TodayRoute(row, plan, problem, route)
    return None


def _staff_for(problem: Problem, route: Route, visit_id: str) -> int | None:
    """Who served the visit: the named staff member, else the first aboard with the role."""
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
    if chosen and chosen.startswith("st-") and chosen[3:].isdigit():
        return int(chosen[3:])
    return None


def route_document(session: Any, found: TodayRoute, unit: m.Unit) -> dict[str, Any]:
    """What the tablet needs for the day, as JSON: stops with times in seconds since midnight
    (for the client's re-timing) and as "HH:MM", and the outcomes already recorded."""
    route = found.route
    assert route is not None
    problem = found.problem
    stops = []
    for n, stop in enumerate(route.stops, start=1):
        visit = problem.visit(stop.visit_id)
        stops.append(
            {
                "number": n,
                "visit_id": stop.visit_id,
                "kind": visit.kind,
                "name": visit.name or stop.visit_id,
                "address": visit.address,
                "phone": visit.phone,
                "lat": visit.location.lat,
                "lon": visit.location.lon,
                "arrival": stop.arrival,
                "start": stop.start,
                "end": stop.end,
                "travel": stop.travel,
                "service": stop.end - stop.start,
                "km": round(stop.distance / 1000, 1),
                "planned": hhmm(stop.start),
            }
        )
    # recorded from a plan (this version, or an earlier one re-planned since) on this date
    recorded = session.execute(
        select(m.VisitOutcome.visit_ref, m.VisitOutcome.status, m.VisitOutcome.occurred_at)
        .where(m.VisitOutcome.planned_date == route.date, m.VisitOutcome.plan_version_id.is_not(None))
        .where(m.VisitOutcome.visit_ref.in_([s.visit_id for s in route.stops]))
        .order_by(m.VisitOutcome.id)
    )
    outcomes = {ref: {"status": status, "time": _local_hhmm(occurred)} for ref, status, occurred in recorded}
    base = problem.unit(route.unit_id).base
    rest = route.rest
    return {
        "date": route.date.isoformat(),
        "date_label": long_date(route.date),
        "plan_version_id": found.version.id,
        "version": found.version.version,
        "iso_week": found.version.iso_week,
        "unit": unit.name,
        "base": {"name": base.name, "lat": base.lat, "lon": base.lon},
        "depart": route.depart,
        "arrive": route.arrive,
        "return_travel": route.return_travel,
        "rest": None
        if rest is None
        else {"start": rest.start, "duration": rest.duration, "after": rest.after_stop},
        "stops": stops,
        "outcomes": outcomes,
    }


def _local_hhmm(instant: datetime) -> str:
    if instant.tzinfo is None:  # SQLite gives naive UTC back
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(ATHENS).strftime("%H:%M")


def _own_unit() -> m.Unit | None:
    unit_id = g.user.unit_id
    if unit_id is None:
        return None
    with reader() as s:
        unit = s.get(m.Unit, unit_id)
        if unit is not None:
            s.expunge(unit)
        return unit


def _no_route(day: date, unit: str | None) -> dict[str, Any]:
    return {"date": day.isoformat(), "date_label": long_date(day), "unit": unit, "stops": None,
            "csrf": generate_csrf()}  # fmt: skip


def _route_json(unit_id: int, day: date) -> Any:
    unit = _own_unit()
    if unit is None or unit.id != unit_id or day != current_day():
        abort(403)
    with reader() as s:
        found = find_route(s, unit_id, day)
        if found is None or found.route is None:
            return jsonify(_no_route(day, unit.name))
        doc = route_document(s, found, unit)
    doc["csrf"] = generate_csrf()
    return jsonify(doc)


@bp.route("/")
def today() -> Any:
    """Today's route: the page; its data comes from ``today.json`` (kept for offline use)."""
    return render_template("driver/today.html", unit=_own_unit(), day=current_day())


@bp.route("/today.json")
def today_json() -> Any:
    """Today's route of the driver's own unit (or ``stops: null`` when it has none today)."""
    unit = _own_unit()
    if unit is None:
        return jsonify(_no_route(current_day(), None))
    return _route_json(unit.id, current_day())


@bp.route("/routes/<int:unit_id>/<day>.json")
def route_json(unit_id: int, day: str) -> Any:
    """A unit's route on a date: only the driver's own unit, only today; else 403."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    return _route_json(unit_id, when)


@bp.route("/token.json")
def token() -> Any:
    """A fresh CSRF token for sending queued outcomes (never cached by the service worker)."""
    return jsonify({"csrf": generate_csrf()})


@bp.route("/sw.js")
def service_worker() -> Response:
    """The service worker script; its scope is /driver/."""
    kept = [
        url_for("driver.today"),
        url_for("driver.today_json"),
        url_for("static", filename="kinito.css"),
        url_for("static", filename="driver/driver.css"),
        url_for("static", filename="driver/driver.js"),
        url_for("auth.leaflet", name="leaflet.css"),
        url_for("auth.leaflet", name="leaflet.js"),
    ]
    response = make_response(render_template("driver/sw.js", kept=kept))
    response.mimetype = "text/javascript"
    return response


def _problem(message: str, status: int = 422) -> Any:
    return jsonify({"ok": False, "error": message}), status


@bp.route("/outcomes.json", methods=["POST"])
def post_outcome() -> Any:
    """Record one outcome from the tablet (JSON). Idempotent on ``client_ref``."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _problem(_("The request is not a JSON object."), 400)
    ref, visit_id, status = data.get("client_ref"), data.get("visit_id"), data.get("status")
    note = data.get("note") or None
    if not isinstance(ref, str) or not _REF.match(ref):
        return _problem(_("The outcome has no valid reference."))
    if status not in DRIVER_STATUSES:
        return _problem(_("Unknown outcome."))
    if note is not None and (not isinstance(note, str) or len(note) > 1000):
        return _problem(_("The note is too long."))
    clock = data.get("time")
    if not isinstance(clock, str) or not _HHMM.match(clock):
        return _problem(_("The time is not a time of day."))
    try:
        day = date.fromisoformat(str(data.get("date")))
        version_id = int(data.get("plan_version_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _problem(_("The outcome names no route."))
    unit = _own_unit()
    if unit is None:
        abort(403)
    if not 0 <= (current_day() - day).days <= SEND_DAYS:
        return _problem(_("This route's day is over; tell the office."))
    with transaction() as s:
        existing = s.scalar(select(m.VisitOutcome.id).where(m.VisitOutcome.client_ref == ref))
        if existing is not None:
            return jsonify({"ok": True, "outcome_id": existing, "created": False})
        version = s.get(m.PlanVersion, version_id)
        if version is None or version.status != "published" or unit.id not in m.unit_ids(version.unit_set):
            abort(403)
        plan = plan_from_dict(json.loads(version.plan_json))
        route = next((r for r in plan.routes if r.unit_id == f"unit-{unit.id}" and r.date == day), None)
        if route is None or visit_id not in {x.visit_id for x in route.stops}:
            abort(403)
        problem = problem_from_dict(json.loads(version.problem_json or "{}"))
        hour, minute = (int(x) for x in clock.split(":"))
        recorded = record_outcome(
            s, visit_id, status, on=day, recorded_by=g.user.username,
            at=datetime.combine(day, time(hour, minute), tzinfo=ATHENS), note=note,
            plan_version_id=version.id, staff_id=_staff_for(problem, route, visit_id), client_ref=ref,
        )  # fmt: skip
        outcome_id, created = recorded.outcome_id, recorded.created
    return jsonify({"ok": True, "outcome_id": outcome_id, "created": created})


@bp.errorhandler(IntegrityError)
def _same_ref_at_once(_error: IntegrityError) -> Any:
    """Two sends of one outcome raced: the other one stored it; answer as for a repeat."""
    data = request.get_json(silent=True) or {}
    with reader() as s:
        ref = data.get("client_ref")
        existing = s.scalar(select(m.VisitOutcome.id).where(m.VisitOutcome.client_ref == ref))
    if existing is None:
        raise _error
    return jsonify({"ok": True, "outcome_id": existing, "created": False})
