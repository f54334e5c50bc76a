"""The fourth walkthrough's defects in management's figures (webui.coverage), on the small
register of test_coverage with a few rows added here: the period's years are bounded, the
kilometres and hours are rounded once, a care plan that has ended is not a beneficiary's, the
settlements are counted up to the period's end, and a plan is not due in its first week
when none of its allowed weekdays is left after its start."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_coverage import HAND_PERIOD, HAND_WEEKS, build_hand_register

from planner.register.db import make_engine, session_scope
from planner.register.due import Rhythm, occurrences_due
from planner.register.models import Beneficiary, CarePlan, PlanVersion, Settlement
from webui.coverage import compute_figures, due_ledger, settlement_coverage

TODAY = date(2026, 11, 30)  # Monday of W49, as the walkthrough's reference date


@pytest.fixture
def hand(tmp_path: Path) -> Iterator[tuple[Path, dict[str, int]]]:
    """The hand-counted register's file and its ids."""
    path = tmp_path / "hand.sqlite3"
    yield path, build_hand_register(path)


@contextmanager
def _session(path: Path) -> Iterator[Session]:
    """A session on the register file, committed at the end."""
    engine = make_engine(path)
    try:
        with session_scope(engine, actor="test") as s:
            yield s
    finally:
        engine.dispose()


def _add_plan(path: Path, settlement: str, **plan: object) -> int:
    """A new person in ``settlement`` with one care plan (weekly, social worker): its id."""
    with _session(path) as s:
        person = Beneficiary(full_name="Νέο πρόσωπο", settlement_code=settlement)
        s.add(person)
        s.flush()
        fields = {"service": "Κοινωνική υποστήριξη", "duration_min": 30, "required_role": "social_worker",
                  "frequency_kind": "weekly", "frequency_count": 1,
                  "start_date": date(2026, 1, 5)} | plan  # fmt: skip
        s.add(CarePlan(beneficiary_id=person.id, **fields))
        return person.id


def _mountain_code(path: Path) -> str:
    with _session(path) as s:
        code = s.scalars(select(Settlement.code).where(Settlement.terrain == "mountainous")).first()
        assert code is not None
        return code


# --- 1. years out of range ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(9999, 12, 20), date(9999, 12, 26)),
        (date(1, 1, 1), date(1, 1, 14)),
        (date(1999, 12, 27), date(2000, 1, 9)),
    ],
)
def test_a_period_outside_the_years_covered_is_refused_not_an_overflow(
    hand: tuple[Path, dict[str, int]], start: date, end: date
) -> None:
    """9999-W52 and 0001-W01 ran into date.max / date.min (OverflowError); they are refused
    with a ValueError naming the years allowed, as is a period reaching back into 1999."""
    with _session(hand[0]) as s:
        with pytest.raises(ValueError, match="2000-2099"):
            compute_figures(s, start, end, TODAY)
        f = compute_figures(s, date(2000, 1, 3), date(2000, 1, 9), TODAY)  # the first week allowed
        assert f.weeks[0].iso_week == "2000-W01" and f.weeks[0].no_data == "before"
        g = compute_figures(s, date(2099, 12, 21), date(2100, 1, 3), TODAY)  # the last one: 2099-W53
        assert g.weeks[-1].iso_week == "2099-W53" and g.weeks[-1].no_data == "future"


# --- 2. kilometres and hours rounded once -------------------------------------------------------


def _route(day: str, metres: int, travel: int, service_s: int) -> dict[str, object]:
    """A published route's document as plan_to_dict writes it: one visit, the way back; its
    summary rounded to 0.1 km and 0.1 min."""
    out = metres // 2
    return {
        "unit": "unit-1", "date": day, "crew": [], "depart": "08:00:00", "arrive": "16:00:00",
        "summary": {"stops": 1, "km": round(metres / 1000, 1), "driving_min": round(travel / 60, 1),
                    "service_min": round(service_s / 60, 1)},
        "steps": [
            {"type": "start", "location": "base", "time": "08:00:00"},
            {"type": "visit", "visit": "cp-1", "occurrence": 0, "location": "b-1", "arrival": "09:00:00",
             "start": "09:00:00", "end": f"09:{service_s // 60:02d}:{service_s % 60:02d}",
             "travel_s": travel // 2, "distance_m": out},
            {"type": "end", "location": "base", "time": "16:00:00", "travel_s": travel - travel // 2,
             "distance_m": metres - out},
        ],
    }  # fmt: skip


def test_kilometres_and_hours_add_up_the_metres_and_seconds_then_round_once(
    hand: tuple[Path, dict[str, int]],
) -> None:
    """Three routes of 20,049 m: each route's summary says 20.0 km, so their sum was 60.0; the
    metres add up to 60,147 m: 60.1 km, as the CLI's table and the plan page show. Hours
    likewise from the seconds (3 x 1,000 s driving, 3 x 45 min 27 s service)."""
    path, _ids = hand
    with _session(path) as s:
        routes = [_route(f"2026-12-0{d}", 20_049, 1_000, 45 * 60 + 27) for d in (1, 2, 3)]
        plan = {"problem": "2026-W49", "routes": routes, "unassigned": []}
        s.add(PlanVersion(iso_week="2026-W49", unit_set="1", version=1, status="published",
                          plan_json=json.dumps(plan)))  # fmt: skip
    with _session(path) as s:
        driven = date(2026, 12, 4)  # all three routes driven (routes still to come are not counted)
        f = compute_figures(s, date(2026, 11, 30), date(2026, 12, 6), driven)
        assert sum(r["summary"]["km"] for r in routes) == pytest.approx(60.0)  # type: ignore[index]
        assert (f.km, f.weeks[0].km) == (60.1, 60.1)
        assert (f.drive_h, f.weeks[0].drive_h) == (round(3_000 / 3600, 1),) * 2 == (0.8, 0.8)
        assert (f.service_h, f.weeks[0].service_h) == (round(3 * 2727 / 3600, 1),) * 2 == (2.3, 2.3)
        g = compute_figures(s, date(2026, 11, 23), date(2026, 12, 6), driven)  # W48's summary-only route too
        assert g.km == round(12.5 + 60.147, 1) == 72.6


# --- 3. a care plan that has ended --------------------------------------------------------------


def test_a_care_plan_ended_before_the_day_counted_is_nobodys(hand: tuple[Path, dict[str, int]]) -> None:
    """The walkthrough's share counted plans still 'active' whose end date had passed. A person
    in a mountain village whose plan ended on 31/10 is not among the beneficiaries of W45-W48
    (nor on the map as of then); one whose plan ends on 20/11 is for W45-W46 (counted up to
    15/11) but not for W45-W48 (up to 29/11); one whose plan starts on 7/12 for neither."""
    path, _ids = hand
    mountain = _mountain_code(path)
    _add_plan(path, mountain, end_date=date(2026, 10, 31))
    _add_plan(path, mountain, end_date=date(2026, 11, 20))
    _add_plan(path, mountain, start_date=date(2026, 12, 7))
    with _session(path) as s:
        f = compute_figures(s, *HAND_PERIOD, TODAY)
        # people 1-3 (person 4 is not active), none of them in a mountain village
        assert (f.mountain_beneficiaries, f.active_beneficiaries, f.mountain_beneficiary_share) == (0, 3, 0.0)
        assert f.as_of == date(2026, 11, 29)
        g = compute_figures(s, date(2026, 11, 2), date(2026, 11, 15), TODAY)
        assert (g.mountain_beneficiaries, g.active_beneficiaries) == (1, 4)
        assert g.as_of == date(2026, 11, 15)
        people = {p.code: p.beneficiaries for p in settlement_coverage(s, date(2026, 11, 29))}
        assert people[mountain] == 0 and sum(people.values()) == 3
        assert {p.code: p.beneficiaries for p in settlement_coverage(s, date(2026, 11, 15))}[mountain] == 1
        # a period still under way is counted up to today
        assert compute_figures(s, date(2026, 11, 30), date(2026, 12, 13), TODAY).as_of == TODAY


# --- 4. the settlements up to the period's end ----------------------------------------------------


def test_the_settlements_are_counted_up_to_the_day_asked(hand: tuple[Path, dict[str, int]]) -> None:
    """Up to Sunday 15/11 (the end of W45-W46): 5 visits done from W43 on (27/10, 3/11, 4/11,
    5/11, 13/11), the last on 13/11; up to 30/11, 8 from W46 on, the last on 26/11."""
    path, _ids = hand
    with _session(path) as s:
        place = next(p for p in settlement_coverage(s, date(2026, 11, 15)) if p.done_12w)
        assert (place.done_4w, place.done_12w, place.last_done) == (5, 5, date(2026, 11, 13))
        place = next(p for p in settlement_coverage(s, TODAY) if p.done_12w)
        assert (place.done_4w, place.done_12w, place.last_done) == (8, 12, date(2026, 11, 26))


# --- 5. due before the start date ---------------------------------------------------------------


def test_a_plan_starting_after_its_last_allowed_day_is_not_due_that_week() -> None:
    """Week W48 (Monday 23/11). A weekly Wednesday-only plan starting on Friday 27/11 is first
    due in W49; a Friday-only one starting that Friday is due in W48; one naming no weekday is
    due on any working day: starting on Friday it is due, on Saturday it is not. Without its
    weekdays (the week builder's call) the rule is as before."""
    monday, friday = date(2026, 11, 23), date(2026, 11, 27)
    weekly = Rhythm("weekly", 1)

    def due(start: date, allowed: list[int] | None, week: date = monday) -> int:
        return occurrences_due(weekly, week, [], start=start, allowed_weekdays=allowed).occurrences

    assert due(friday, [3]) == 0 and due(friday, [3], date(2026, 11, 30)) == 1
    assert due(friday, [5]) == 1 and due(friday, [2, 5]) == 1 and due(friday, [1, 2, 3, 4]) == 0
    assert due(friday, []) == 1 and due(date(2026, 11, 28), []) == 0 and due(date(2026, 11, 28), [6]) == 1
    assert due(friday, None) == 1 and due(date(2026, 11, 29), None) == 1
    assert due(date(2026, 11, 20), [3]) == 1  # started the week before: due in full
    every_2 = occurrences_due(Rhythm("every_n_weeks", 2), date(2026, 11, 30), [], start=friday,
                              allowed_weekdays=[3])  # fmt: skip
    assert every_2.occurrences == 1 and every_2.overdue_weeks == 0
    mondays = [monday, date(2026, 11, 30)]
    rows = due_ledger(weekly, mondays, [], start=friday, allowed_weekdays=[3])
    assert [(r.carried, r.new) for r in rows] == [(0, 0), (0, 1)]


def test_the_walkthroughs_wednesday_plan_created_on_friday_is_not_due_in_its_first_week(
    hand: tuple[Path, dict[str, int]],
) -> None:
    """The walkthrough's case in the figures: the hand-counted weeks stay as they were (W48 is
    not one visit more due and not done), the person is not among those due and not served;
    a Friday plan starting that Friday is due in W48."""
    path, _ids = hand
    with _session(path) as s:
        w49_new = compute_figures(s, date(2026, 11, 30), date(2026, 12, 6), TODAY).weeks[0].new
    wednesday = _add_plan(path, _mountain_code(path), allowed_weekdays=[3], start_date=date(2026, 11, 27))
    with _session(path) as s:
        f = compute_figures(s, *HAND_PERIOD, TODAY)
        weeks = {w.iso_week: (w.carried, w.new, w.due, w.done_due, w.not_done, w.done) for w in f.weeks}
        assert weeks == HAND_WEEKS
        assert (f.visits_due, f.due_not_done, f.beneficiaries_due) == (13, 4, 3)
        assert wednesday not in {int(u.pseudonym[2:]) for u in f.unserved}
        assert compute_figures(s, date(2026, 11, 30), date(2026, 12, 6), TODAY).weeks[0].new == w49_new + 1
    _add_plan(path, _mountain_code(path), allowed_weekdays=[5], start_date=date(2026, 11, 27))
    with _session(path) as s:
        f = compute_figures(s, *HAND_PERIOD, TODAY)
        assert f.weeks[-1].new == HAND_WEEKS["2026-W48"][1] + 1 and f.due_not_done == 5
