"""Management's figures (webui.coverage) on the demo register's history and a published week,
each checked against a count made here directly from the stored rows."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from field_helpers import demo_template
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.register.db import make_engine, session_scope
from planner.register.models import (
    Beneficiary,
    CarePlan,
    PlanVersion,
    Settlement,
    VillageStop,
    VisitOutcome,
)
from planner.schema import problem_from_dict
from webui.coverage import compute_figures, iso_week_of, pseudonym, settlement_coverage

START, END = date(2026, 10, 12), date(2026, 12, 13)  # W42 (the history's first week) to W50
TODAY = date(2026, 12, 11)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The demo register, W50 published."""
    return demo_template(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def session(demo: tuple[Path, int]) -> Iterator[Session]:
    """A read-only session on it."""
    engine = make_engine(demo[0])
    with session_scope(engine) as s:
        yield s
    engine.dispose()


def test_pseudonyms_and_week_names() -> None:
    """Ω and four digits; ISO week names."""
    assert pseudonym(42) == "Ω-0042" and pseudonym(12345) == "Ω-12345"
    assert iso_week_of(date(2026, 12, 7)) == "2026-W50" and iso_week_of(date(2027, 1, 1)) == "2026-W53"


def test_outcome_counts_match_the_stored_rows(session: Session) -> None:
    """Done / not at home / cancelled / postponed in the period, home visits and stops apart."""
    f = compute_figures(session, START, END)
    rows = Counter(
        dict(
            session.execute(
                select(VisitOutcome.status, func.count())
                .where(VisitOutcome.planned_date.between(START, END))
                .group_by(VisitOutcome.status)
            ).all()
        )
    )
    assert f.outcomes == {k: rows[k] for k in ("done", "not_at_home", "cancelled", "postponed")}
    assert f.visits_done > 300  # eight weeks of history
    stops_done = session.scalar(
        select(func.count()).select_from(VisitOutcome).where(
            VisitOutcome.village_stop_id.is_not(None), VisitOutcome.status == "done",
            VisitOutcome.planned_date.between(START, END),
        )
    )  # fmt: skip
    assert f.outcomes_stops["done"] == stops_done
    assert f.outcomes_home["done"] + f.outcomes_stops["done"] == f.outcomes["done"]
    per_week = Counter(iso_week_of(d) for d in session.scalars(
        select(VisitOutcome.planned_date).where(VisitOutcome.status == "done",
                                                VisitOutcome.planned_date.between(START, END))))  # fmt: skip
    assert {w.iso_week: w.done for w in f.weeks} == {w.iso_week: per_week[w.iso_week] for w in f.weeks}
    assert [w.iso_week for w in f.weeks] == [f"2026-W{n}" for n in range(42, 51)]


def test_a_shorter_period_counts_only_its_weeks(session: Session) -> None:
    """W45-W46 alone."""
    f = compute_figures(session, date(2026, 11, 2), date(2026, 11, 15))
    n = session.scalar(
        select(func.count()).select_from(VisitOutcome)
        .where(VisitOutcome.planned_date.between(date(2026, 11, 2), date(2026, 11, 15)))
    )  # fmt: skip
    assert sum(f.outcomes.values()) == n and len(f.weeks) == 2


def test_beneficiaries_served_are_the_people_with_a_visit_done(session: Session) -> None:
    """Distinct people with a done outcome in the period."""
    f = compute_figures(session, START, END)
    served = set(
        session.scalars(
            select(CarePlan.beneficiary_id)
            .join(VisitOutcome, VisitOutcome.care_plan_id == CarePlan.id)
            .where(VisitOutcome.status == "done", VisitOutcome.planned_date.between(START, END))
        )
    )
    assert f.beneficiaries_served == len(served)
    assert f.beneficiaries_served_of_due <= min(f.beneficiaries_served, f.beneficiaries_due)
    assert {u.pseudonym for u in f.unserved}.isdisjoint({pseudonym(b) for b in served})
    assert len(f.unserved) == f.beneficiaries_due - f.beneficiaries_served_of_due


def test_the_published_weeks_due_visits_match_what_the_week_builder_planned(
    session: Session, demo: tuple[Path, int]
) -> None:
    """W50's due count (the rule re-applied) equals the visits in W50's published problem."""
    problem_json = session.scalar(select(PlanVersion.problem_json).where(PlanVersion.id == demo[1]))
    assert problem_json is not None
    problem = problem_from_dict(json.loads(problem_json))
    f = compute_figures(session, date(2026, 12, 7), date(2026, 12, 13))
    assert f.weeks[0].due == sum(v.frequency for v in problem.visits)
    assert f.weeks[0].published


def test_kilometres_and_hours_come_from_the_published_plan(session: Session, demo: tuple[Path, int]) -> None:
    """The plan document's own summary: km, driving and service minutes, routes, unassigned."""
    plan = json.loads(session.scalar(select(PlanVersion.plan_json).where(PlanVersion.id == demo[1])) or "{}")
    f = compute_figures(session, START, END)
    # Management adds up the routes' own summaries, each rounded (km and minutes to 0.1),
    # and rounds the sum again: it can differ from the plan's total by that much per route.
    n = len(plan["routes"])
    assert f.km == pytest.approx(plan["summary"]["km"], abs=0.05 * n + 0.05 + 1e-9)
    assert f.drive_h == pytest.approx(plan["summary"]["driving_min"] / 60, abs=0.05 * n / 60 + 0.05 + 1e-9)
    assert f.service_h == pytest.approx(plan["summary"]["service_min"] / 60, abs=0.05 * n / 60 + 0.05 + 1e-9)
    assert f.routes == len(plan["routes"]) > 0
    assert sum(f.unassigned_reasons.values()) == len(plan["unassigned"])
    assert [w.km for w in f.weeks if w.iso_week != "2026-W50"] == [0.0] * 8  # history: no plans stored
    crew = Counter(member for r in plan["routes"] for member in r["crew"])
    assert sum(s.days_aboard for s in f.staff_weeks) == sum(crew.values()) > 0


def test_mountain_shares_match_the_rows(session: Session) -> None:
    """Done visits in mountainous settlements over all done; people likewise."""
    f = compute_figures(session, START, END)
    home = session.scalar(
        select(func.count()).select_from(VisitOutcome)
        .join(CarePlan, CarePlan.id == VisitOutcome.care_plan_id).join(Beneficiary)
        .join(Settlement, Settlement.code == Beneficiary.settlement_code)
        .where(VisitOutcome.status == "done", Settlement.terrain == "mountainous",
               VisitOutcome.planned_date.between(START, END))
    ) or 0  # fmt: skip
    stops = session.scalar(
        select(func.count()).select_from(VisitOutcome)
        .join(VillageStop, VillageStop.id == VisitOutcome.village_stop_id)
        .join(Settlement, Settlement.code == VillageStop.settlement_code)
        .where(VisitOutcome.status == "done", Settlement.terrain == "mountainous",
               VisitOutcome.planned_date.between(START, END))
    ) or 0  # fmt: skip
    assert f.mountain_visits == home + stops
    assert f.mountain_visit_share == pytest.approx((home + stops) / f.visits_done)
    people = session.execute(
        select(Beneficiary.id, Settlement.terrain).join(Settlement)
        .where(Beneficiary.active)
        .where(Beneficiary.id.in_(select(CarePlan.beneficiary_id).where(CarePlan.status == "active")))
    ).all()  # fmt: skip
    assert f.active_beneficiaries == len(people)
    assert f.mountain_beneficiaries == sum(1 for _b, t in people if t == "mountainous")


def test_settlement_coverage_counts_visits_done_per_settlement(session: Session) -> None:
    """All 140 settlements; done in the last 4 / 12 weeks and the last day, per settlement."""
    places = settlement_coverage(session, TODAY)
    assert len(places) == 140
    since_12 = date(2026, 9, 21)  # Monday of W39: twelve weeks up to W50
    since_4 = date(2026, 11, 16)  # Monday of W47
    counts_12: Counter[str] = Counter()
    counts_4: Counter[str] = Counter()
    last: dict[str, date] = {}
    rows = session.execute(
        select(VisitOutcome.planned_date, Beneficiary.settlement_code, VillageStop.settlement_code)
        .outerjoin(CarePlan, CarePlan.id == VisitOutcome.care_plan_id).outerjoin(Beneficiary)
        .outerjoin(VillageStop, VillageStop.id == VisitOutcome.village_stop_id)
        .where(VisitOutcome.status == "done")
    )  # fmt: skip
    for day, home, stop in rows:
        code = home or stop
        if since_12 <= day <= TODAY:
            counts_12[code] += 1
        if since_4 <= day <= TODAY:
            counts_4[code] += 1
        last[code] = max(day, last.get(code, date.min))
    assert {p.code: p.done_12w for p in places} == {p.code: counts_12[p.code] for p in places}
    assert {p.code: p.done_4w for p in places} == {p.code: counts_4[p.code] for p in places}
    assert {p.code: p.last_done for p in places if p.last_done} == last
    assert sum(1 for p in places if p.done_12w) < 140  # some villages were not reached


def test_figures_name_nobody(session: Session) -> None:
    """The list of people is pseudonymous: no name, no note (staff are named, as staff)."""
    f = compute_figures(session, START, END)
    assert f.unserved
    text = repr(f.unserved)
    names = list(session.scalars(select(Beneficiary.full_name)))
    notes = [n for n in session.scalars(select(VisitOutcome.note)) if n]
    assert not [n for n in names + notes if n in text]
    assert all(u.pseudonym.startswith("Ω-") for u in f.unserved)


def test_an_empty_register_gives_zeros(tmp_path: Path) -> None:
    """No outcomes, no plans: every figure is zero, the settlements are still there."""
    from planner.register.migrate import upgrade
    from planner.register.settlements import load_gazetteer

    engine = make_engine(tmp_path / "empty.sqlite3")
    upgrade(engine)
    with session_scope(engine) as s:
        load_gazetteer(s)
    with session_scope(engine) as s:
        f = compute_figures(s, START, END)
        places = settlement_coverage(s, TODAY)
    engine.dispose()
    assert f.visits_done == f.visits_due == f.km == 0 and f.mountain_visit_share == 0.0
    assert len(places) == 140 and not any(p.done_12w for p in places)
    assert len(f.weeks) == (END - START + timedelta(days=1)).days // 7
