"""Management's coverage figures, computed from the register: pure functions of a session.

No Flask here, so every figure is testable on a database file alone. Sources, stated once:

- **Outcomes** (``visit_outcomes``): what happened at each visit (done, not at home,
  cancelled, postponed). An outcome's day is its ``planned_date`` (else the Athens date of
  ``occurred_at``). Where it happened: the beneficiary's settlement for a care plan, the stop's
  settlement for a village stop.
- **Due**: the week builder's own rule (:func:`planner.register.due.occurrences_due`),
  re-applied week by week to the care plans and stops active now, with the visits done
  before that week; working days are Monday-Friday minus the register's holidays and closures.
- **Kilometres, driving and service hours, unassigned reasons, days aboard**: the newest
  published version of each week's plan (``plan_versions.plan_json``), routes dated inside
  the period. Weeks without a published plan add nothing there.
- **Mountain**: ELSTAT's terrain class ``mountainous``.

People appear only pseudonymously: ``Ω-0042`` for beneficiary 42 (the office can look the
number up in the register; management cannot), never a name, an address or a note.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from planner.register import models as m
from planner.register.due import Rhythm, iso_week_of, monday_of, occurrences_due

__all__ = [
    "OUTCOME_ORDER",
    "Figures",
    "SettlementCoverage",
    "StaffWeek",
    "WeekFigures",
    "compute_figures",
    "iso_week_of",
    "pseudonym",
    "settlement_coverage",
]

ATHENS = ZoneInfo("Europe/Athens")
OUTCOME_ORDER = ("done", "not_at_home", "cancelled", "postponed")
MOUNTAIN = "mountainous"


def pseudonym(beneficiary_id: int) -> str:
    """``Ω-0042``: a beneficiary as management may see them."""
    return f"Ω-{beneficiary_id:04d}"


@dataclass(frozen=True)
class _Outcome:
    day: date
    status: str
    staff_id: int | None
    care_plan_id: int | None
    village_stop_id: int | None
    beneficiary_id: int | None
    settlement_code: str


def _day_of(planned: date | None, occurred: datetime | None) -> date:
    if planned is not None:
        return planned
    assert occurred is not None
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    return occurred.astimezone(ATHENS).date()


def _outcomes(session: Session, before: date) -> list[_Outcome]:
    """Every outcome with a day before ``before`` (exclusive), with where and whose."""
    rows = session.execute(
        select(
            m.VisitOutcome.planned_date,
            m.VisitOutcome.occurred_at,
            m.VisitOutcome.status,
            m.VisitOutcome.staff_id,
            m.VisitOutcome.care_plan_id,
            m.VisitOutcome.village_stop_id,
            m.CarePlan.beneficiary_id,
            m.Beneficiary.settlement_code,
            m.VillageStop.settlement_code,
        )
        .outerjoin(m.CarePlan, m.CarePlan.id == m.VisitOutcome.care_plan_id)
        .outerjoin(m.Beneficiary, m.Beneficiary.id == m.CarePlan.beneficiary_id)
        .outerjoin(m.VillageStop, m.VillageStop.id == m.VisitOutcome.village_stop_id)
    )
    out = []
    for planned, occurred, status, staff_id, cp, vs, bid, home_code, stop_code in rows:
        day = _day_of(planned, occurred)
        if day < before:
            out.append(_Outcome(day, status, staff_id, cp, vs, bid, home_code or stop_code or ""))
    return out


def _with_active_plan() -> Select[Any]:
    """Ids of the beneficiaries with an active care plan."""
    return select(m.CarePlan.beneficiary_id).where(m.CarePlan.status == "active")


# --- the map -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementCoverage:
    """One settlement on the coverage map: how often and how recently the unit served it."""

    code: str
    name: str
    municipal_unit: str
    terrain: str
    lat: float
    lon: float
    population: int
    beneficiaries: int
    done_4w: int
    done_12w: int
    last_done: date | None


def settlement_coverage(session: Session, today: date) -> list[SettlementCoverage]:
    """Every settlement of the gazetteer with its visits done in the last 4 and 12 weeks
    (today's week and the weeks before it) and its last visit done before tomorrow."""
    this_monday = monday_of(today)
    since_4 = this_monday - timedelta(weeks=3)
    since_12 = this_monday - timedelta(weeks=11)
    tomorrow = today + timedelta(days=1)
    done_4: Counter[str] = Counter()
    done_12: Counter[str] = Counter()
    last: dict[str, date] = {}
    for o in _outcomes(session, tomorrow):
        if o.status != "done":
            continue
        if o.day >= since_12:
            done_12[o.settlement_code] += 1
        if o.day >= since_4:
            done_4[o.settlement_code] += 1
        if o.day > last.get(o.settlement_code, date.min):
            last[o.settlement_code] = o.day
    people = Counter(
        session.scalars(
            select(m.Beneficiary.settlement_code)
            .where(m.Beneficiary.active)
            .where(m.Beneficiary.id.in_(_with_active_plan()))
        )
    )
    return [
        SettlementCoverage(
            s.code,
            s.name_el,
            s.municipal_unit,
            s.terrain,
            s.lat,
            s.lon,
            s.population,
            people[s.code],
            done_4[s.code],
            done_12[s.code],
            last.get(s.code),
        )
        for s in session.scalars(select(m.Settlement).order_by(m.Settlement.code))
    ]


# --- the figures for a period ------------------------------------------------------------------


@dataclass
class WeekFigures:
    """One ISO week of the period: due, done and missed visits, and the plan's kilometres."""

    iso_week: str
    monday: date
    due: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_ORDER, 0))
    km: float = 0.0
    drive_h: float = 0.0
    service_h: float = 0.0
    published: bool = False

    @property
    def done(self) -> int:
        """Visits done this week."""
        return self.outcomes["done"]

    @property
    def missed(self) -> int:
        """Visits planned and not done (not at home, cancelled, postponed)."""
        return sum(n for k, n in self.outcomes.items() if k != "done")


@dataclass(frozen=True)
class StaffWeek:
    """One staff member's load in one week: visits with an outcome, days aboard the unit."""

    staff: str
    role: str
    iso_week: str
    visits: int
    days_aboard: int


@dataclass(frozen=True)
class UnservedRow:
    """A beneficiary due in the period and not served: pseudonymous, no name, no notes."""

    pseudonym: str
    settlement: str
    municipal_unit: str
    terrain: str
    due_weeks: int
    last_done: date | None
    not_at_home: int
    cancelled: int
    postponed: int


@dataclass
class Figures:
    """Everything management's page and exports show for ``start``..``end`` (whole ISO weeks)."""

    start: date
    end: date
    weeks: list[WeekFigures]
    outcomes: dict[str, int]
    outcomes_home: dict[str, int]
    outcomes_stops: dict[str, int]
    visits_due: int
    beneficiaries_due: int
    beneficiaries_served: int
    beneficiaries_served_of_due: int
    unassigned_reasons: dict[str, int]
    km: float
    drive_h: float
    service_h: float
    routes: int
    staff_weeks: list[StaffWeek]
    mountain_visits: int
    mountain_beneficiaries: int
    active_beneficiaries: int
    unserved: list[UnservedRow]
    settlements_served: int
    settlements_total: int

    @property
    def visits_done(self) -> int:
        """Visits done in the period."""
        return self.outcomes["done"]

    @property
    def mountain_visit_share(self) -> float:
        """Mountain villages' share of the visits done (0..1)."""
        return self.mountain_visits / self.visits_done if self.visits_done else 0.0

    @property
    def mountain_beneficiary_share(self) -> float:
        """Mountain villages' share of the beneficiaries with an active care plan (0..1)."""
        return self.mountain_beneficiaries / self.active_beneficiaries if self.active_beneficiaries else 0.0


def _closed_days(session: Session, start: date, end: date) -> set[date]:
    return set(
        session.scalars(
            select(m.CalendarDay.day).where(
                m.CalendarDay.day >= start,
                m.CalendarDay.day <= end,
                m.CalendarDay.kind.in_(("holiday", "closure")),
            )
        )
    )


def _published_plans(session: Session, weeks: set[str]) -> dict[str, list[dict[str, object]]]:
    """iso_week -> the plan documents of the newest published version per unit set."""
    rows = session.execute(
        select(m.PlanVersion.iso_week, m.PlanVersion.unit_set, m.PlanVersion.version, m.PlanVersion.plan_json)
        .where(m.PlanVersion.status == "published", m.PlanVersion.iso_week.in_(weeks))
        .order_by(m.PlanVersion.version)
    )
    newest: dict[tuple[str, str], str] = {}
    for week, unit_set, _version, text in rows:
        newest[(week, unit_set)] = text
    out: dict[str, list[dict[str, object]]] = defaultdict(list)
    for (week, _units), text in newest.items():
        out[week].append(json.loads(text))
    return out


def compute_figures(session: Session, start: date, end: date) -> Figures:
    """The figures for the ISO weeks from ``start``'s to ``end``'s (both included)."""
    first = monday_of(start)
    last_monday = monday_of(min(end, max(start, end)))
    mondays = []
    d = first
    while d <= last_monday:
        mondays.append(d)
        d += timedelta(weeks=1)
    period_end = last_monday + timedelta(days=6)
    weeks = {iso_week_of(mo): WeekFigures(iso_week_of(mo), mo) for mo in mondays}
    outcomes = _outcomes(session, period_end + timedelta(days=1))
    settlements = {s.code: s for s in session.scalars(select(m.Settlement))}

    # outcomes in the period
    totals = dict.fromkeys(OUTCOME_ORDER, 0)
    home = dict.fromkeys(OUTCOME_ORDER, 0)
    stops = dict.fromkeys(OUTCOME_ORDER, 0)
    served: set[int] = set()
    mountain_visits = 0
    served_settlements: set[str] = set()
    staff_visits: Counter[tuple[int, str]] = Counter()
    missed_by_person: dict[int, Counter[str]] = defaultdict(Counter)
    done_before: dict[tuple[str, int], list[date]] = defaultdict(list)
    for o in outcomes:
        if o.status == "done":
            key = ("cp", o.care_plan_id) if o.care_plan_id is not None else ("vs", o.village_stop_id or 0)
            done_before[key].append(o.day)
        if o.day < first:
            continue
        week = weeks[iso_week_of(o.day)]
        week.outcomes[o.status] += 1
        totals[o.status] += 1
        (home if o.care_plan_id is not None else stops)[o.status] += 1
        if o.staff_id is not None:
            staff_visits[(o.staff_id, week.iso_week)] += 1
        if o.status == "done":
            served_settlements.add(o.settlement_code)
            place = settlements.get(o.settlement_code)
            if place is not None and place.terrain == MOUNTAIN:
                mountain_visits += 1
            if o.beneficiary_id is not None:
                served.add(o.beneficiary_id)
        elif o.beneficiary_id is not None:
            missed_by_person[o.beneficiary_id][o.status] += 1

    # due, week by week, by the week builder's rule
    closed = _closed_days(session, first, period_end)
    due_people: Counter[int] = Counter()
    visits_due = 0
    plans = session.execute(
        select(m.CarePlan, m.Beneficiary.id)
        .join(m.Beneficiary)
        .where(m.CarePlan.status == "active", m.Beneficiary.active)
    ).all()
    village_stops = list(session.scalars(select(m.VillageStop).where(m.VillageStop.active)))
    for monday in mondays:
        working = sum(1 for i in range(5) if monday + timedelta(days=i) not in closed)
        week = weeks[iso_week_of(monday)]
        for plan, bid in plans:
            due = occurrences_due(
                Rhythm(plan.frequency_kind, plan.frequency_count), monday, done_before[("cp", plan.id)],
                start=plan.start_date, end=plan.end_date, working_days=working,
            ).occurrences  # fmt: skip
            if due:
                week.due += due
                visits_due += due
                due_people[bid] += 1
        for vs in village_stops:
            due = occurrences_due(
                Rhythm(vs.frequency_kind, vs.frequency_count), monday, done_before[("vs", vs.id)],
                start=date.min, working_days=working,
            ).occurrences  # fmt: skip
            week.due += due
            visits_due += due

    # published plans: kilometres, hours, unassigned reasons, days aboard
    reasons: Counter[str] = Counter()
    aboard: Counter[tuple[str, str]] = Counter()
    km = drive = service = 0.0
    n_routes = 0
    for week_name, docs in _published_plans(session, set(weeks)).items():
        week = weeks[week_name]
        week.published = True
        for doc in docs:
            for route in doc.get("routes", []):  # type: ignore[attr-defined]
                day = date.fromisoformat(route["date"])
                if not first <= day <= period_end:
                    continue
                summary = route.get("summary", {})
                n_routes += 1
                week.km += float(summary.get("km", 0.0))
                week.drive_h += float(summary.get("driving_min", 0.0)) / 60
                week.service_h += float(summary.get("service_min", 0.0)) / 60
                for member in route.get("crew", []):
                    aboard[(str(member), week_name)] += 1
            for item in doc.get("unassigned", []):  # type: ignore[attr-defined]
                reasons[str(item.get("reason", ""))] += 1
        km += week.km
        drive += week.drive_h
        service += week.service_h
    for week in weeks.values():
        week.km, week.drive_h = round(week.km, 1), round(week.drive_h, 1)
        week.service_h = round(week.service_h, 1)

    # staff load
    staff_rows = {s.id: s for s in session.scalars(select(m.Staff))}
    keys = {(sid, w) for sid, w in staff_visits} | {
        (int(k[3:]), w) for k, w in aboard if k.startswith("st-") and k[3:].isdigit()
    }
    staff_weeks = [
        StaffWeek(
            staff_rows[sid].name if sid in staff_rows else f"#{sid}",
            staff_rows[sid].role if sid in staff_rows else "",
            w,
            staff_visits[(sid, w)],
            aboard[(f"st-{sid}", w)],
        )
        for sid, w in sorted(keys, key=lambda k: (k[1], k[0]))
    ]

    # mountain share of the people
    active_people = session.execute(
        select(m.Beneficiary.id, m.Settlement.terrain)
        .join(m.Settlement)
        .where(m.Beneficiary.active)
        .where(m.Beneficiary.id.in_(_with_active_plan()))
    ).all()

    # the pseudonymous list: due, not served
    last_done: dict[int, date] = {}
    for o in outcomes:
        who = o.beneficiary_id
        if o.status == "done" and who is not None and o.day > last_done.get(who, date.min):
            last_done[who] = o.day
    homes = dict(session.execute(select(m.Beneficiary.id, m.Beneficiary.settlement_code)).all())
    unserved = []
    for bid in sorted(set(due_people) - served):
        place = settlements.get(homes.get(bid, ""))
        missed = missed_by_person.get(bid, Counter())
        unserved.append(
            UnservedRow(
                pseudonym(bid),
                place.name_el if place else "",
                place.municipal_unit if place else "",
                place.terrain if place else "",
                due_people[bid],
                last_done.get(bid),
                missed["not_at_home"],
                missed["cancelled"],
                missed["postponed"],
            )
        )

    return Figures(
        start=first,
        end=period_end,
        weeks=[weeks[iso_week_of(mo)] for mo in mondays],
        outcomes=totals,
        outcomes_home=home,
        outcomes_stops=stops,
        visits_due=visits_due,
        beneficiaries_due=len(due_people),
        beneficiaries_served=len(served),
        beneficiaries_served_of_due=len(served & set(due_people)),
        unassigned_reasons=dict(reasons.most_common()),
        km=round(km, 1),
        drive_h=round(drive, 1),
        service_h=round(service, 1),
        routes=n_routes,
        staff_weeks=staff_weeks,
        mountain_visits=mountain_visits,
        mountain_beneficiaries=sum(1 for _bid, terrain in active_people if terrain == MOUNTAIN),
        active_beneficiaries=len(active_people),
        unserved=unserved,
        settlements_served=len(served_settlements),
        settlements_total=len(settlements),
    )
