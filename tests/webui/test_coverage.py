"""Management's figures (webui.coverage) on the demo register's history and a published week,
each checked against a count made here directly from the stored rows; and on a small register
whose due, done and missed visits are counted here by hand, week by week."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from field_helpers import demo_template
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.register.db import make_engine, session_scope
from planner.register.due import Rhythm
from planner.register.models import (
    Beneficiary,
    CarePlan,
    PlanVersion,
    Settlement,
    Staff,
    VillageStop,
    VisitOutcome,
)
from planner.schema import problem_from_dict
from webui.coverage import (
    DueWeek,
    compute_figures,
    due_ledger,
    iso_week_of,
    pseudonym,
    records_start,
    settlement_coverage,
)

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
    """Ψ and four digits (not the Ω of the office's codes); ISO week names."""
    assert pseudonym(42) == "Ψ-0042" and pseudonym(12345) == "Ψ-12345"
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
    # the history has no plans stored: its kilometres and hours are unknown, not 0.0
    history = [w for w in f.weeks if w.iso_week != "2026-W50"]
    assert [(w.km, w.drive_h, w.service_h, w.published) for w in history] == [(None, None, None, False)] * 8
    assert f.weeks[-1].km == f.km and f.weeks[-1].published
    crew = Counter(member for r in plan["routes"] for member in r["crew"])
    assert sum(s.days_aboard or 0 for s in f.staff_weeks) == sum(crew.values()) > 0
    assert {s.days_aboard for s in f.staff_weeks if s.iso_week != "2026-W50"} == {None}


def test_mountain_shares_match_the_rows(session: Session) -> None:
    """Done visits in mountainous settlements over all done; people likewise: those with a care
    plan in force on the period's last day (active, started, not ended: the demo register has
    plans still 'active' whose end date has passed, which do not count)."""
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
    in_force = select(CarePlan.beneficiary_id).where(
        CarePlan.status == "active", CarePlan.start_date <= END,
        CarePlan.end_date.is_(None) | (CarePlan.end_date >= END),
    )  # fmt: skip
    people = session.execute(
        select(Beneficiary.id, Settlement.terrain).join(Settlement)
        .where(Beneficiary.active)
        .where(Beneficiary.id.in_(in_force))
    ).all()  # fmt: skip
    ended = session.scalars(
        select(CarePlan.id).where(CarePlan.status == "active", CarePlan.end_date < END)
    ).all()
    assert ended  # the case the rule is for is in the demo register
    assert f.as_of == END and f.active_beneficiaries == len(people)
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
    # the map's recency agrees with its counts (a walkthrough found a village «2-4 weeks ago»
    # by days and «not served» in the last 4 weeks by ISO weeks): the same weeks
    this_monday = date(2026, 12, 7)
    for p in places:
        expected = (
            3 if p.last_done is None or p.last_done < since_12
            else 0 if p.last_done >= this_monday else 1 if p.last_done >= since_4 else 2
        )  # fmt: skip
        assert p.recent == expected, p
        assert (p.recent <= 1) == (p.done_4w > 0) and (p.recent <= 2) == (p.done_12w > 0), p
    assert {1, 2, 3} <= {p.recent for p in places}  # (the demo records nothing in W50 itself)


def test_figures_name_nobody(session: Session) -> None:
    """The list of people is pseudonymous: no name, no note (staff are named, as staff)."""
    f = compute_figures(session, START, END)
    assert f.unserved
    text = repr(f.unserved)
    names = list(session.scalars(select(Beneficiary.full_name)))
    notes = [n for n in session.scalars(select(VisitOutcome.note)) if n]
    assert not [n for n in names + notes if n in text]
    assert all(u.pseudonym.startswith("Ψ-") for u in f.unserved)


def test_an_empty_register_has_no_data(tmp_path: Path) -> None:
    """No outcomes, no plans: nothing is due or missed (unknown, not zero), no kilometres; the
    outcomes counted are zero; the settlements are still there."""
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
    assert f.visits_done == 0 and f.mountain_visit_share is None  # a share of nothing: unknown, not 0 %
    assert f.visits_due is f.due_not_done is f.beneficiaries_due is f.km is f.routes is None
    assert f.records_start is None and f.weeks_recorded == 0
    assert {w.no_data for w in f.weeks} == {"before"}
    assert len(places) == 140 and not any(p.done_12w for p in places)
    assert len(f.weeks) == (END - START + timedelta(days=1)).days // 7


# --- a small register, counted by hand ---------------------------------------------------------
#
# Weeks 2026-W44..W48 (Mondays 26/10, 2/11, 9/11, 16/11, 23/11; W45-W48 are November's weeks,
# W44 is October's: a week's month is its Thursday's). Nothing is closed. Every plan starts
# 5/1/2026 unless said otherwise.
#
#   A  person 1, weekly 1          done 3/11, not at home 10/11, done 24/11 and again 26/11
#   B  person 1, every 2 weeks     done 27/10 (W44), cancelled 11/11, done 17/11
#   C  person 2, every 4 weeks     never done (postponed 12/11): due since long before
#   D  person 3, monthly 1         done 13/11
#   F  person 3, weekly 2 from Wednesday 18/11: done 19/11, 23/11, 25/11
#   G  person 4 (no longer active), weekly 1: done 5/11
#   E  a village stop every 2 weeks, never done before the period: done 4/11 and 18/11
#
# Week by week in W45-W48, (from earlier weeks, fell due, done of them), by the rule:
#   W45: C and E were due in W44 already (2, 0); A and D fall due (0, 2); A and E are done: 2.
#        Done that week: A, E and G = 3 (G's plan is not active: done, not due).
#   W46: C carried, D carried (not done in W45, still November): 2; A and B fall due: 2 (B's
#        last visit was two weeks ago); D is done: 1. Done: 1.
#   W47: B (cancelled in W46) and C carried: 2; A, E (two weeks after 4/11) and F's two visits
#        fall due: 4; B, E and one of F's are done: 3. Done: 3.
#   W48: C carried: 1; A and F's two fall due: 3; A and F's two are done: 3. Done: 4 (A twice).
# The period: due = 2 carried in + 2 + 2 + 4 + 3 fallen due = 13; done of them 2+1+3+3 = 9; not
# done 4 (A in W46 and W47: weekly, lost; C: still due; F's second visit in W47); done 11, of
# which 2 not due (G's, and A's second in W48). Summing the weeks' due (4+4+6+4 = 18) would
# count C four times, B and D twice.

HAND_PERIOD = (date(2026, 11, 2), date(2026, 11, 29))  # W45..W48
HAND_WEEKS = {  # (from earlier weeks, fell due, due that week, done of them, not done, done)
    "2026-W45": (2, 2, 4, 2, 2, 3),
    "2026-W46": (2, 2, 4, 1, 3, 1),
    "2026-W47": (2, 4, 6, 3, 3, 3),
    "2026-W48": (1, 3, 4, 3, 1, 4),
}


def build_hand_register(path: Path) -> dict[str, int]:
    """The small register above, and a published plan for W48 with one 12.5 km route on
    24/11 (30 min driving, 90 min service, Μαρία aboard); returns the ids by letter."""
    from planner.register.migrate import upgrade
    from planner.register.settlements import load_gazetteer

    engine = make_engine(path)
    upgrade(engine)
    ids: dict[str, int] = {}
    with session_scope(engine, actor="test") as s:
        load_gazetteer(s)
        code = s.scalars(select(Settlement.code).order_by(Settlement.code)).first()
        assert code is not None
        maria = Staff(name="Μαρία Κ.", role="social_worker")
        people = [
            Beneficiary(full_name=f"Πρόσωπο {n}", settlement_code=code, active=n != 4) for n in (1, 2, 3, 4)
        ]
        s.add_all([maria, *people])
        s.flush()
        plans = {
            "A": (people[0], "weekly", 1, date(2026, 1, 5)),
            "B": (people[0], "every_n_weeks", 2, date(2026, 1, 5)),
            "C": (people[1], "every_n_weeks", 4, date(2026, 1, 5)),
            "D": (people[2], "monthly", 1, date(2026, 1, 5)),
            "F": (people[2], "weekly", 2, date(2026, 11, 18)),
            "G": (people[3], "weekly", 1, date(2026, 1, 5)),
        }
        for letter, (person, kind, count, start) in plans.items():
            row = CarePlan(beneficiary_id=person.id, service="Κοινωνική υποστήριξη", duration_min=30,
                           required_role="social_worker", frequency_kind=kind, frequency_count=count,
                           start_date=start)  # fmt: skip
            s.add(row)
            s.flush()
            ids[letter] = row.id
        stop = VillageStop(
            settlement_code=code, duration_min=60, frequency_kind="every_n_weeks", frequency_count=2
        )
        s.add(stop)
        s.flush()
        ids["E"] = stop.id
        outcomes = [
            ("B", "done", 10, 27), ("A", "done", 11, 3), ("E", "done", 11, 4), ("G", "done", 11, 5),
            ("A", "not_at_home", 11, 10), ("B", "cancelled", 11, 11), ("C", "postponed", 11, 12),
            ("D", "done", 11, 13), ("B", "done", 11, 17), ("E", "done", 11, 18), ("F", "done", 11, 19),
            ("F", "done", 11, 23), ("A", "done", 11, 24), ("F", "done", 11, 25), ("A", "done", 11, 26),
        ]  # fmt: skip
        for letter, status, month, day in outcomes:
            on = date(2026, month, day)
            subject = {"village_stop_id": ids[letter]} if letter == "E" else {"care_plan_id": ids[letter]}
            at = datetime.combine(on, time(10, 0), tzinfo=UTC)
            s.add(VisitOutcome(**subject, status=status, planned_date=on, occurred_at=at, staff_id=maria.id,
                               recorded_by="test"))  # fmt: skip
        route = {"date": "2026-11-24", "unit_id": "unit-1", "crew": [f"st-{maria.id}"], "stops": [],
                 "summary": {"km": 12.5, "driving_min": 30, "service_min": 90}}  # fmt: skip
        plan = {"routes": [route], "unassigned": [{"reason": "week_full"}]}
        s.add(PlanVersion(iso_week="2026-W48", unit_set="1", version=1, status="published",
                          plan_json=json.dumps(plan)))  # fmt: skip
        ids["maria"] = maria.id
        ids.update({f"person{n}": p.id for n, p in enumerate(people, 1)})
    engine.dispose()
    return ids


@pytest.fixture
def hand(tmp_path: Path) -> Iterator[tuple[Session, dict[str, int]]]:
    """A session on the small register counted by hand, and its ids."""
    ids = build_hand_register(tmp_path / "hand.sqlite3")
    engine = make_engine(tmp_path / "hand.sqlite3")
    with session_scope(engine) as s:
        yield s, ids
    engine.dispose()


def test_each_visit_due_counts_once_over_a_period(hand: tuple[Session, dict[str, int]]) -> None:
    """The figures of W45-W48 are those counted by hand above: due = done of them + not done."""
    session, ids = hand
    f = compute_figures(session, *HAND_PERIOD)
    weeks = {w.iso_week: (w.carried, w.new, w.due, w.done_due, w.not_done, w.done) for w in f.weeks}
    assert weeks == HAND_WEEKS
    assert (f.visits_due, f.due_before, f.due_done, f.due_not_done) == (13, 2, 9, 4)
    assert (f.visits_done, f.done_beyond_due) == (11, 2)
    assert f.visits_due == f.due_done + f.due_not_done
    assert f.visits_due == f.due_before + sum(w.new for w in f.weeks)
    assert f.outcomes == {"done": 11, "not_at_home": 1, "cancelled": 1, "postponed": 1}
    # people: 1, 2 and 3 were due; 1, 3 and 4 (no longer active) were served; 2 was not
    assert (f.beneficiaries_due, f.beneficiaries_served, f.beneficiaries_served_of_due) == (3, 3, 2)
    assert [(u.pseudonym, u.due_weeks, u.postponed) for u in f.unserved] == [
        (pseudonym(ids["person2"]), 4, 1)
    ]


def test_a_person_with_two_plans_due_in_a_week_is_due_one_week(hand: tuple[Session, dict[str, int]]) -> None:
    """«Εβδομάδες οφειλής» counted one per care plan per week: person 2 with a second plan as
    due as the first showed 8 weeks due in a period of 4 (a walkthrough found 2 in a one-week
    period). Weeks are counted, not plans."""
    session, ids = hand
    first = session.get(CarePlan, ids["C"])
    assert first is not None
    second = CarePlan(beneficiary_id=first.beneficiary_id, service="Ψυχολογική υποστήριξη", duration_min=45,
                      required_role="psychologist", frequency_kind="every_n_weeks", frequency_count=4,
                      start_date=first.start_date)  # fmt: skip
    session.add(second)
    session.flush()
    f = compute_figures(session, *HAND_PERIOD)
    assert [(u.pseudonym, u.due_weeks) for u in f.unserved] == [(pseudonym(ids["person2"]), 4)]
    one_week = compute_figures(session, date(2026, 11, 23), date(2026, 11, 29))
    assert [u.due_weeks for u in one_week.unserved] == [1]


def test_weeks_before_the_first_records_and_after_today_have_no_data(
    hand: tuple[Session, dict[str, int]],
) -> None:
    """The first record is B's visit on 27/10 (W44): W41-W43 have no data and nothing is due
    or missed there. W44 by hand: B, C, D and E due from before (B done), A falls due:
    (4, 1, 5, 1, 4). The period W41-W48 then counts 4 carried in + 1 + 11 = 16 due, 10 done of
    them. With today in W47, W48 has no data yet."""
    session, _ids = hand
    assert records_start(session) == date(2026, 10, 26)
    f = compute_figures(session, date(2026, 10, 5), HAND_PERIOD[1])
    assert [(w.iso_week, w.no_data, w.due) for w in f.weeks[:3]] == [
        ("2026-W41", "before", 0), ("2026-W42", "before", 0), ("2026-W43", "before", 0)
    ]  # fmt: skip
    w44 = f.weeks[3]
    assert (w44.carried, w44.new, w44.due, w44.done_due, w44.not_done, w44.done) == (4, 1, 5, 1, 4, 1)
    assert {
        w.iso_week: (w.carried, w.new, w.due, w.done_due, w.not_done, w.done) for w in f.weeks[4:]
    } == HAND_WEEKS
    assert (f.visits_due, f.due_before, f.due_done, f.due_not_done, f.weeks_recorded) == (16, 4, 10, 6, 5)
    g = compute_figures(session, *HAND_PERIOD, today=date(2026, 11, 18))
    assert [(w.no_data, w.current) for w in g.weeks] == [
        ("", False),
        ("", False),
        ("", True),
        ("future", False),
    ]
    assert g.weeks[-1].due == 0 and g.visits_due == 2 + 2 + 2 + 4


def test_kilometres_are_unknown_without_a_published_plan(hand: tuple[Session, dict[str, int]]) -> None:
    """W48's published route: 12.5 km, 0.5 h driving, 1.5 h service, Μαρία one day aboard;
    W45-W47 have no plan: unknown (None), not 0.0."""
    session, _ids = hand
    f = compute_figures(session, *HAND_PERIOD)
    assert [(w.km, w.drive_h, w.service_h) for w in f.weeks] == [(None, None, None)] * 3 + [(12.5, 0.5, 1.5)]
    assert (f.km, f.drive_h, f.service_h, f.routes, f.weeks_published) == (12.5, 0.5, 1.5, 1, 1)
    assert [(s.iso_week, s.visits, s.days_aboard) for s in f.staff_weeks] == [
        ("2026-W45", 3, None), ("2026-W46", 4, None), ("2026-W47", 3, None), ("2026-W48", 4, 1)
    ]  # fmt: skip
    assert f.unassigned_reasons == {"week_full": 1}
    g = compute_figures(session, date(2026, 11, 2), date(2026, 11, 22))  # W45-W47: no plan at all
    assert (g.km, g.drive_h, g.service_h, g.routes, g.weeks_published) == (None, None, None, None, 0)


def test_the_ledger_carries_what_the_rhythm_keeps_due() -> None:
    """One plan at a time, November 2026 (W45-W48), nothing done unless said."""
    mondays = [date(2026, 11, 2) + timedelta(weeks=k) for k in range(4)]
    start = date(2026, 1, 5)
    # weekly: each week's visit is its own; not done, it is lost, not carried
    assert due_ledger(Rhythm("weekly", 1), mondays, [], start=start) == [DueWeek(0, 1, 0, 0)] * 4
    # every 4 weeks, never done: due before the period, carried through it (one visit)
    assert due_ledger(Rhythm("every_n_weeks", 4), mondays, [], start=start) == [DueWeek(1, 0, 0, 0)] * 4
    # ... and a closed week (no working day) carries it through, not a new visit after it
    closed = {date(2026, 11, 9)}
    rows = due_ledger(Rhythm("every_n_weeks", 4), mondays, [], start=start,
                      working=lambda monday: 0 if monday in closed else 5)  # fmt: skip
    assert rows == [DueWeek(1, 0, 0, 0), DueWeek(0, 0, 0, 0), DueWeek(1, 0, 0, 0), DueWeek(1, 0, 0, 0)]
    # monthly twice: October's visits are not November's; November's two fall due once each
    rows = due_ledger(Rhythm("monthly", 2), mondays, [], start=start)
    assert rows == [DueWeek(0, 1, 0, 0), DueWeek(1, 0, 0, 0), DueWeek(1, 0, 0, 0), DueWeek(1, 1, 0, 0)]
    rows = due_ledger(Rhythm("monthly", 2), mondays, [date(2026, 11, 10)], start=start)
    assert rows == [DueWeek(0, 1, 0, 0), DueWeek(1, 0, 1, 1), DueWeek(0, 0, 0, 0), DueWeek(0, 1, 0, 0)]
    # a plan starting within the period: nothing before it
    assert due_ledger(Rhythm("every_n_weeks", 2), mondays, [], start=date(2026, 11, 18)) == [
        DueWeek(0, 0, 0, 0), DueWeek(0, 0, 0, 0), DueWeek(0, 1, 0, 0), DueWeek(1, 0, 0, 0)
    ]  # fmt: skip
