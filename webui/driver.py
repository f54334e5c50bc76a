"""The driver's tablet: today's published route for his own unit, working offline.

- ``/driver/`` is the page; ``/driver/today.json`` its data: the newest **published** plan
  version of today's ISO week that includes the driver's unit (``User.unit_id``), only that
  unit's route, only today. ``/driver/routes/<unit>/<day>.json`` answers 403 for any other
  unit or day: a driver sees nothing else.
- ``/driver/sw.js`` is the service worker (scope ``/driver/``, rendered from
  ``templates/driver/sw.js`` with the URLs it keeps): it keeps the page, its data,
  the script, the style and Leaflet, so the route keeps working with no signal.
- ``POST /driver/outcomes.json`` records one outcome (done, not at home, cancelled; a village
  stop only done or cancelled) through :func:`planner.register.outcomes.record_outcome`,
  idempotent on the device's ``client_ref`` (a UUID made on the tablet): the offline queue may
  send the same outcome twice, it is stored once. CSRF: the ``X-CSRFToken`` header, with a
  token the page fetches fresh from ``/driver/token.json`` right before sending (a page from
  the cache may hold an old one).
- An outcome is a fact, whatever version of the week the tablet had when it was recorded
  (it may have been offline while the office published a new one): it is stored against the
  **currently published** route of the driver's unit on that date when the visit is on it,
  else against the tablet's version, provided that version was published for the driver's
  unit and had the visit on that date. The latter case answers ``on_route: false``; the
  tablet says so, and the office's outcomes page flags it (:func:`off_route`), since the
  published plan may now send someone there again. Nothing else is accepted: a driver
  records only on his own unit's published routes.
- The office's record is never overwritten: an outcome for a visit the office had already
  recorded otherwise on that day (postponed it, typically; :func:`office_conflicts`) is kept
  beside the office's, answered ``on_route: false`` with ``conflict`` naming the office's
  status (the tablet shows it among the outcomes kept but flagged: the office has taken the
  visit off the day), and flagged on the office's outcomes page until one is corrected.
- Two tablets that record different outcomes of one stop within minutes of each other (one
  offline, its outcome arriving later and counting) are both kept; :func:`field_conflicts`
  names them for the office (each tablet marks its outcomes' ``client_ref``).
- "Today" is :func:`current_day`: the ``TODAY`` setting, else the ``KINITO_TODAY``
  environment variable (an ISO date: tests, demonstrations), else the date in Athens. The
  route's JSON carries it as ``today``: a tablet whose own date disagrees is told to check
  its clock (the page refetches the route while open, so a route of another day shown with
  signal is the tablet's clock, not a route left from before).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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
from planner.register.due import iso_week_of
from planner.register.outcomes import allowed_statuses, record_outcome, served_by
from planner.register.week import WeekError, published_once
from planner.render import hhmm
from planner.schema import plan_from_dict, problem_from_dict
from webui.adjust import localized_name
from webui.i18n import current_language, long_date
from webui.security import require_role
from webui.store import reader, transaction

__all__ = [
    "DRIVER_STATUSES",
    "TodayRoute",
    "bp",
    "current_day",
    "field_conflicts",
    "find_route",
    "off_route",
    "office_conflicts",
    "route_document",
    "was_published",
]

bp = Blueprint("driver", __name__, url_prefix="/driver")
bp.before_request(require_role("driver"))

ATHENS = ZoneInfo("Europe/Athens")
DRIVER_STATUSES = ("done", "not_at_home", "cancelled")
"""What the driver may record (postponing is the coordinator's decision); of these, a village
stop allows only what :func:`planner.register.outcomes.allowed_statuses` allows it."""
SEND_DAYS = 7
"""An outcome queued offline is accepted up to this many days after its route's date."""
MAX_ID = 2**63 - 1
"""The largest id the register holds (SQLite's INTEGER, PostgreSQL's BIGINT)."""
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
    rows = session.scalars(
        select(m.PlanVersion)
        .where(m.PlanVersion.iso_week == iso_week_of(day), m.PlanVersion.status == "published")
        .order_by(m.PlanVersion.published_at.desc(), m.PlanVersion.id.desc())
    )
    for row in rows:
        if unit_id not in m.unit_ids(row.unit_set) or not row.problem_json:
            continue
        plan = plan_from_dict(json.loads(row.plan_json))
        problem = problem_from_dict(json.loads(row.problem_json))
        return TodayRoute(row, plan, problem, _route_in(plan, unit_id, day))
    return None


def _route_in(plan: Plan, unit_id: int, day: date) -> Route | None:
    return next((r for r in plan.routes if r.unit_id == f"unit-{unit_id}" and r.date == day), None)


def was_published(session: Any, version: m.PlanVersion) -> bool:
    """Whether drivers were ever shown ``version`` (:func:`planner.register.week.published_once`)."""
    return version.id in published_once(session, [version])


def _serving(plan: Plan, visit_id: str, day: date) -> set[str]:
    """The units (``unit-1``) whose route in ``plan`` serves ``visit_id`` on ``day``."""
    return {r.unit_id for r in plan.routes if r.date == day and any(x.visit_id == visit_id for x in r.stops)}


def off_route(session: Any, outcomes: list[m.VisitOutcome]) -> set[int]:
    """The outcomes (ids) recorded on a route that has changed since: their plan version is
    no longer published, and no published version sends the same unit to the visit on that
    date. The office checks them: the plan may send someone there again."""
    plans: dict[int, Plan] = {}
    published: dict[str, list[Plan]] = {}

    def plan_of(version: m.PlanVersion) -> Plan:
        if version.id not in plans:
            plans[version.id] = plan_from_dict(json.loads(version.plan_json))
        return plans[version.id]

    flagged: set[int] = set()
    for outcome in outcomes:
        day, visit_id = outcome.planned_date, outcome.visit_ref
        if outcome.plan_version_id is None or day is None or visit_id is None:
            continue  # recorded by the office, not from a route
        version = session.get(m.PlanVersion, outcome.plan_version_id)
        if version is None or version.status == "published":
            continue
        iso_week = iso_week_of(day)
        if iso_week not in published:
            rows = session.scalars(
                select(m.PlanVersion).where(
                    m.PlanVersion.iso_week == iso_week, m.PlanVersion.status == "published"
                )
            )
            published[iso_week] = [plan_of(row) for row in rows]
        now = set().union(*(_serving(plan, visit_id, day) for plan in published[iso_week]))
        then = _serving(plan_of(version), visit_id, day)
        if not (then & now if then else now):
            flagged.add(outcome.id)
    return flagged


def office_conflicts(session: Any, outcomes: list[m.VisitOutcome]) -> dict[int, str]:
    """The outcomes from a tablet that disagree with what the office had already recorded for
    the same visit on the same day: ``{outcome id: the office's status}``.

    The office's record is an outcome stored **before** the tablet's, with another status,
    that is the office's decision: postponed (only the office postpones), recorded by the
    office (not from a tablet: no ``client_ref``), or corrected by it on the outcomes page.
    Both are kept (the tablet's is a fact from the field, the office's is not overwritten);
    the office sees them flagged and corrects the one that is wrong. Once they agree (the
    office corrected either), nothing is flagged. An office record made after the tablet's is
    the office's own reading of it (e.g. not at home, then postponed to another day): not
    flagged."""
    from_tablet = [
        o for o in outcomes if o.client_ref is not None and o.plan_version_id is not None and o.planned_date
    ]
    if not from_tablet:
        return {}
    days = {o.planned_date for o in from_tablet}
    earlier = list(
        session.scalars(
            select(m.VisitOutcome)
            .where(m.VisitOutcome.planned_date.in_(days))
            .where(m.VisitOutcome.id < max(o.id for o in from_tablet))
            .order_by(m.VisitOutcome.id)
        )
    )
    corrected = set(
        session.scalars(
            select(m.AuditLog.entity_id).where(
                m.AuditLog.entity == m.VisitOutcome.__tablename__,
                m.AuditLog.action == "update",
                m.AuditLog.entity_id.in_([str(o.id) for o in earlier]),
            )
        )
    )

    def office_made(o: m.VisitOutcome) -> bool:
        return o.status == "postponed" or o.client_ref is None or str(o.id) in corrected

    found: dict[int, str] = {}
    for outcome in from_tablet:
        office = [
            other
            for other in earlier
            if other.id < outcome.id
            and other.planned_date == outcome.planned_date
            and (other.care_plan_id, other.village_stop_id, other.beneficiary_id)
            == (outcome.care_plan_id, outcome.village_stop_id, outcome.beneficiary_id)
            and (outcome.beneficiary_id is None or other.visit_ref == outcome.visit_ref)
            and office_made(other)
        ]
        if office and office[-1].status != outcome.status:  # the office's latest word
            found[outcome.id] = office[-1].status
    return found


FIELD_CONFLICT_MINUTES = 10
"""Two tablets recording different outcomes of one stop this close together disagree."""
_DEVICE_REF = re.compile(r"^d([0-9a-f]{8})-")


def _device(outcome: m.VisitOutcome) -> tuple[str, str]:
    """Who recorded a tablet's outcome and on which tablet: the account, and the tablet's mark
    at the front of ``client_ref`` (webui/static/driver/driver.js; "" from a tablet whose page
    did not put it there yet, which only the account then tells apart)."""
    mark = _DEVICE_REF.match(outcome.client_ref or "")
    return outcome.recorded_by, mark.group(1) if mark else ""


def field_conflicts(session: Any, outcomes: list[m.VisitOutcome]) -> dict[int, str]:
    """The outcomes from a tablet that another tablet contradicts: ``{outcome id: the other
    tablet's status}``, both of the pair flagged.

    Two devices (two accounts, or two tablets under one account) recorded different statuses
    for the same visit on the same day within :data:`FIELD_CONFLICT_MINUTES` of each other:
    one tablet offline taps «done», the other «not at home» at the same minute, and whichever
    reached the server last counted, with nobody told. Each device's last word on the visit
    is compared (a driver who changed an outcome on the same tablet, «Αλλαγή», is correcting
    himself, not disagreeing), as it stands now: once the office has corrected one of the two
    to agree, nothing is flagged. Hours apart is no conflict: not at home at 09:10, done at
    13:00."""
    asked = [o for o in outcomes if o.client_ref is not None and o.visit_ref and o.planned_date]
    if not asked:
        return {}
    rows = session.scalars(
        select(m.VisitOutcome)
        .where(m.VisitOutcome.planned_date.in_({o.planned_date for o in asked}))
        .where(m.VisitOutcome.visit_ref.in_({o.visit_ref for o in asked}))
        .where(m.VisitOutcome.client_ref.is_not(None))
        .order_by(m.VisitOutcome.occurred_at, m.VisitOutcome.id)
    )
    last: dict[tuple[Any, str | None], dict[tuple[str, str], m.VisitOutcome]] = {}
    for row in rows:  # oldest first: each device's last word stays
        last.setdefault((row.planned_date, row.visit_ref), {})[_device(row)] = row
    window = timedelta(minutes=FIELD_CONFLICT_MINUTES)

    def apart(one: m.VisitOutcome, other: m.VisitOutcome) -> timedelta:
        return abs(_utc(one.occurred_at) - _utc(other.occurred_at))

    def disagree(one: m.VisitOutcome, other: m.VisitOutcome) -> bool:
        # one account on a tablet without its mark cannot be told from a correction: not flagged
        devices = one.recorded_by != other.recorded_by or bool(_device(one)[1] and _device(other)[1])
        return one.status != other.status and apart(one, other) <= window and devices

    found: dict[int, str] = {}
    for words in last.values():
        latest = list(words.values())
        for row in latest:
            others = [other for other in latest if disagree(row, other)]
            if others:
                found[row.id] = min(others, key=lambda o: apart(o, row)).status
    wanted = {o.id for o in asked}
    return {k: v for k, v in found.items() if k in wanted}


def route_document(session: Any, found: TodayRoute, unit: m.Unit) -> dict[str, Any]:
    """What the tablet needs for the day, as JSON: stops with times in seconds since midnight
    (for the client's re-timing) and as "HH:MM" (seconds dropped; the tablet drops them too),
    the outcomes the driver may record at each, and the outcomes already recorded."""
    route = found.route
    assert route is not None
    problem = found.problem
    stops = []
    latin = _latin_places(session, [problem.visit(x.visit_id).location.id for x in route.stops])
    for n, stop in enumerate(route.stops, start=1):
        visit = problem.visit(stop.visit_id)
        stops.append(
            {
                "number": n,
                "visit_id": stop.visit_id,
                "kind": visit.kind,
                "name": localized_name(visit.name, current_language()) or stop.visit_id,
                # a version published before urgent visits carried an address had only the
                # place in their location: the tablet shows the village at least
                "address": visit.address or visit.location.name,
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
                "choices": _choices(stop.visit_id),
                # the English page: the settlement in Latin letters too (the names are Greek)
                "place_latin": latin.get(visit.location.id, ""),
            }
        )
    # recorded on this date, from this version, an earlier one re-planned since, or by the
    # office (as corrected there: a visit the office postponed shows postponed, not open)
    recorded = session.execute(
        select(
            m.VisitOutcome.visit_ref, m.VisitOutcome.status, m.VisitOutcome.occurred_at, m.VisitOutcome.note
        )
        .where(m.VisitOutcome.planned_date == route.date)
        .where(m.VisitOutcome.visit_ref.in_([s.visit_id for s in route.stops]))
        .order_by(m.VisitOutcome.occurred_at, m.VisitOutcome.id)  # the last one is the visit's
    )
    outcomes = {
        ref: {"status": status, "time": _local_hhmm(occurred), "note": note or ""}
        for ref, status, occurred, note in recorded
    }
    base = problem.unit(route.unit_id).base
    rest = route.rest
    return {
        "date": route.date.isoformat(),
        "date_label": long_date(route.date),
        "plan_version_id": found.version.id,
        "version": found.version.version,
        "iso_week": found.version.iso_week,
        "unit": unit.name,
        "unit_id": unit.id,
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


def _latin_places(session: Any, location_ids: list[str]) -> dict[str, str]:
    """The settlement's name in Latin letters (the gazetteer's ``name_latin``) of each location
    (``set-<code>`` a village stop, ``b-<id>`` a beneficiary's home), for the English page only:
    the Greek page has the Greek name already."""
    if current_language() != "en":
        return {}
    codes: dict[str, str] = {}
    people: dict[int, str] = {}
    for loc in location_ids:
        if loc.startswith("set-"):
            codes[loc] = loc.removeprefix("set-")
        elif loc.startswith("b-") and loc[2:].isdigit():
            people[int(loc[2:])] = loc
    if people:
        rows = session.execute(
            select(m.Beneficiary.id, m.Beneficiary.settlement_code).where(m.Beneficiary.id.in_(people))
        )
        codes.update({people[pid]: code for pid, code in rows})
    if not codes:
        return {}
    wanted = set(codes.values())
    rows = session.execute(
        select(m.Settlement.code, m.Settlement.name_latin).where(m.Settlement.code.in_(wanted))
    )
    names = dict(rows.all())
    return {loc: names[code] for loc, code in codes.items() if names.get(code)}


def _choices(visit_id: str) -> list[str]:
    """The outcomes the driver may record at the visit (a village stop: no "not at home")."""
    try:
        allowed = allowed_statuses(visit_id)
    except WeekError:
        allowed = DRIVER_STATUSES
    return [s for s in DRIVER_STATUSES if s in allowed]


def _utc(instant: datetime) -> datetime:
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)  # SQLite: naive UTC


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
            "today": current_day().isoformat(), "csrf": generate_csrf()}  # fmt: skip


def _route_json(unit_id: int, day: date) -> Any:
    unit = _own_unit()
    if unit is None or unit.id != unit_id or day != current_day():
        abort(403)
    with reader() as s:
        found = find_route(s, unit_id, day)
        if found is None or found.route is None:
            return jsonify(_no_route(day, unit.name))
        doc = route_document(s, found, unit)
    doc["today"] = current_day().isoformat()  # the office's day: the tablet checks its own clock
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
        # base.html's script before the driver's: not kept, a weak signal that answers nothing
        # held the page's own script back for minutes (no signal fails it at once)
        url_for("static", filename="forms.js"),
        url_for("static", filename="driver/driver.css"),
        url_for("static", filename="driver/driver.js"),
        url_for("auth.leaflet", name="leaflet.css"),
        url_for("auth.leaflet", name="leaflet.js"),
    ]
    response = make_response(render_template("driver/sw.js", kept=kept, data=url_for("driver.today_json")))
    response.mimetype = "text/javascript"
    return response


def _problem(message: str, status: int = 422) -> Any:
    return jsonify({"ok": False, "error": message}), status


def _route_for_outcome(
    session: Any, unit_id: int, day: date, visit_id: str, tablet_version: int | None, held_only: bool = False
) -> tuple[m.PlanVersion, Route, Problem | None, bool] | None:
    """Where an outcome from the tablet belongs: (version, route, problem, on the published
    route). The currently published route of the unit on ``day`` when the visit is on it;
    else the tablet's version when it was published for the unit and had the visit that day
    (False: the route changed since); else None (not the driver's to record). ``held_only``:
    only when the tablet's version had the visit on the unit's route that day (a unit the
    driver's account no longer has: the route the tablet held is the proof)."""

    def held() -> tuple[m.PlanVersion, Route, Problem | None, bool] | None:
        old = session.get(m.PlanVersion, tablet_version) if tablet_version is not None else None
        if old is None or unit_id not in m.unit_ids(old.unit_set) or not was_published(session, old):
            return None
        route = _route_in(plan_from_dict(json.loads(old.plan_json)), unit_id, day)
        if route is None or visit_id not in {x.visit_id for x in route.stops}:
            return None
        problem = problem_from_dict(json.loads(old.problem_json)) if old.problem_json else None
        return old, route, problem, False

    held_route = held() if held_only else None
    if held_only and held_route is None:
        return None
    found = find_route(session, unit_id, day)
    if found is not None and found.route is not None and visit_id in {x.visit_id for x in found.route.stops}:
        return found.version, found.route, found.problem, True
    return held_route if held_only else held()


def held_unit_on(session: Any, user: m.User, unit_id: int, day: date) -> bool:
    """Whether the account ``user`` had the unit ``unit_id`` at some time on ``day`` (Athens),
    by the audit log of its changes: the unit it has now since its last change of unit, and
    before each change the unit that change replaced."""
    rows = session.scalars(
        select(m.AuditLog)
        .where(m.AuditLog.entity == "users", m.AuditLog.entity_id == str(user.id))
        .where(m.AuditLog.action == "update")
        .order_by(m.AuditLog.at, m.AuditLog.id)
    )
    start = datetime.combine(day, time(0, 0), tzinfo=ATHENS)
    end = start + timedelta(days=1)
    since: datetime | None = None  # the current stretch's start (None: from the beginning)
    for row in rows:
        before, after = (row.before or {}).get("unit_id"), (row.after or {}).get("unit_id")
        if before == after:
            continue
        at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
        if before == unit_id and at > start and (since is None or since < end):
            return True  # it had the unit until this change, on or after the day began
        since = at
    return user.unit_id == unit_id and (since is None or since < end)


def _units_for_outcome(
    session: Any, user: m.User, tablet_unit: int | None, day: date
) -> list[tuple[int, bool]]:
    """The units whose route an outcome may be on, each with whether only the tablet's own
    version can show it: the account's unit, then the unit of the route the tablet held when
    that is another the account had that day by the audit log (the office moved the account
    to another unit, or took it off, while outcomes of the earlier route were still waiting on
    the tablet: they were refused, and visits done counted as not done). Any other unit named
    by a request is not the driver's: before the audit check, a driver could record on any
    unit's route by naming it."""
    own = user.unit_id
    units = [(own, False)] if own is not None else []
    if tablet_unit is not None and tablet_unit != own and held_unit_on(session, user, tablet_unit, day):
        units.append((tablet_unit, True))
    return units


@bp.route("/outcomes.json", methods=["POST"])
def post_outcome() -> Any:
    """Record one outcome from the tablet (JSON). Idempotent on ``client_ref``.

    Stored against the currently published route of the driver's unit on that date when the
    visit is on it, whatever version the tablet had; else against the tablet's own version
    when that one was published for the unit with the visit on that date (``on_route``
    false: the office sees it flagged). When the account's unit changed since (or was taken
    off), the unit of the route the tablet held (``unit_id``) is tried too, with that
    version's route as the proof (:func:`_units_for_outcome`). Anything else: 403. A visit
    the office had already recorded otherwise that day (postponed) is stored too, with
    ``conflict`` the office's status and ``on_route`` false (:func:`office_conflicts`)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _problem(_("The request is not a JSON object."), 400)
    ref, visit_id, status = data.get("client_ref"), data.get("visit_id"), data.get("status")
    note = data.get("note") or None
    again = data.get("again") is True  # the same outcome recorded anew, later (see record_outcome)
    if not isinstance(ref, str) or not _REF.match(ref):
        return _problem(_("The outcome has no valid reference."))
    if status not in DRIVER_STATUSES:
        return _problem(_("Unknown outcome."))
    if note is not None and not isinstance(note, str):  # a hand-made request: not "too long"
        return _problem(_("The note is not text."))
    if note is not None and len(note) > 1000:
        return _problem(_("The note is too long."))
    clock = data.get("time")
    if not isinstance(clock, str) or not _HHMM.match(clock):
        return _problem(_("The time is not a time of day."))
    try:
        day = date.fromisoformat(str(data.get("date")))
        raw_version, raw_unit = data.get("plan_version_id"), data.get("unit_id")
        tablet_version = None if raw_version is None else int(raw_version)
        tablet_unit = None if raw_unit is None or tablet_version is None else int(raw_unit)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(Infinity), which JSON lets in
        return _problem(_("The outcome names no route."))
    if any(n is not None and not 0 < n <= MAX_ID for n in (tablet_version, tablet_unit)):
        # no such row (past SQLite's largest integer, the database driver overflowed: the HTML 404)
        return _problem(_("The outcome names no route."))
    if not isinstance(visit_id, str):
        return _problem(_("This visit is not on your unit's route for that day."), 403)
    try:
        allowed = allowed_statuses(visit_id)
    except WeekError:
        return _problem(_("This visit is not on your unit's route for that day."), 403)
    if status not in allowed:
        return _problem(_("A village stop has nobody to find at home: record it as done or cancelled."))
    if g.user.unit_id is None and tablet_unit is None:
        abort(403)
    if day > current_day():
        return _problem(
            _("This route's day has not come yet: an outcome is recorded on the day of the visit.")
        )
    if (current_day() - day).days > SEND_DAYS:
        return _problem(_("This route's day is over; tell the office."))
    try:
        with transaction() as s:
            existing = s.scalar(select(m.VisitOutcome).where(m.VisitOutcome.client_ref == ref))
            if existing is not None:
                conflict = office_conflicts(s, [existing]).get(existing.id)
                on_route = existing.id not in off_route(s, [existing]) and conflict is None
                return jsonify({"ok": True, "outcome_id": existing.id, "created": False,
                                "on_route": on_route, "conflict": conflict})  # fmt: skip
            user = s.get(m.User, g.user.id)
            units = _units_for_outcome(s, user, tablet_unit, day) if user is not None else []
            matched = None
            for unit_id, held_only in units:
                matched = _route_for_outcome(s, unit_id, day, visit_id, tablet_version, held_only)
                if matched is not None:
                    break
            if matched is None:
                return _problem(_("This visit is not on your unit's route for that day."), 403)
            version, route, problem, on_route = matched
            hour, minute = (int(x) for x in clock.split(":"))
            recorded = record_outcome(
                s, visit_id, status, on=day, recorded_by=g.user.username,
                at=datetime.combine(day, time(hour, minute), tzinfo=ATHENS), note=note,
                plan_version_id=version.id, staff_id=served_by(problem, route, visit_id), client_ref=ref,
                again=again,
            )  # fmt: skip
            outcome_id, created, version_id = recorded.outcome_id, recorded.created, version.id
            stored = s.get(m.VisitOutcome, outcome_id)
            conflict = office_conflicts(s, [stored]).get(outcome_id) if stored is not None else None
    except WeekError as error:  # the register's own words, "Greek / English"
        return _problem(str(error))
    # the office had already recorded the visit otherwise (postponed it): kept, and flagged on
    # both sides; for the tablet, as a visit the office has taken off the day's route
    return jsonify({"ok": True, "outcome_id": outcome_id, "created": created,
                    "on_route": on_route and conflict is None, "conflict": conflict,
                    "plan_version_id": version_id})  # fmt: skip


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
