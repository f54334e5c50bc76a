"""The validator's words found wanting by reviewers: each fault once, in plain words, both
languages (a real solver plan with one thing broken at a time)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from planner.model import HOUR, MINUTE, Location, Plan, Problem, Route, TimeWindow, Weights
from planner.validate import validate
from tests.planner.conftest import MON, THU, TUE, WED, crew, hm, make_problem, make_unit, make_visit, quick


@pytest.fixture(scope="module")
def week() -> Problem:
    """Two units; a Mon+Wed pattern visit, a visit for sw1 by name, one for a psychologist."""
    return make_problem(
        [
            make_visit("twice", "valimitika", 30 * MINUTE, frequency=2, patterns=((MON, WED),)),
            make_visit("maria", "temeni", 30 * MINUTE, required_staff="sw1", allowed_weekdays=frozenset({0})),
            make_visit("psy", "kounina", HOUR, required_role="psychologist", allowed_weekdays=frozenset({0})),
            make_visit("once", "diakopto", 30 * MINUTE, allowed_weekdays=frozenset({0})),
        ],
        dates=(MON, TUE, WED, THU),
        units=(make_unit(), make_unit("car1")),
        days={MON: {"crew": crew("sw1", "psy1")}},
    )


@pytest.fixture(scope="module")
def plan(week: Problem) -> Plan:
    """The solver's plan: valid, every visit served."""
    got = quick(week, 1.5)
    assert validate(week, got) == [] and not got.unassigned
    return got


def route_of(plan: Plan, vid: str) -> tuple[int, Route]:
    """The index and route of the (first) stop of ``vid``."""
    return next((k, r) for k, r in enumerate(plan.routes) if any(s.visit_id == vid for s in r.stops))


def with_route(plan: Plan, k: int, route: Route) -> Plan:
    return replace(plan, routes=(*plan.routes[:k], route, *plan.routes[k + 1 :]))


def lines(problem: Problem, plan: Plan) -> list[str]:
    return [str(v) for v in validate(problem, plan)]


def test_the_return_leg_names_its_distance(week: Problem, plan: Plan) -> None:
    """An `end` step edited to 0 m: it said «1650 s, the travel model 1650 s», no distance."""
    k, r = route_of(plan, "once")
    [v] = validate(week, with_route(plan, k, replace(r, return_distance=0)))
    assert v.code == "travel"
    assert (
        f"{r.return_travel} s / 0 m, the travel model {r.return_travel} s / {r.return_distance} m"
        in v.message
    )
    assert f"{r.return_travel} s και 0 m" in v.message_el
    assert f"{r.return_travel} s και {r.return_distance} m" in v.message_el


def test_a_pattern_violation_names_the_dates_and_the_allowed_patterns(week: Problem, plan: Plan) -> None:
    """Served Mon+Wed, allowed only Tue+Thu or Mon+Thu: it printed a Python list in English."""
    visits = tuple(
        replace(v, patterns=((TUE, THU), (MON, THU))) if v.id == "twice" else v for v in week.visits
    )
    [v] = [v for v in validate(replace(week, visits=visits), plan) if v.code == "pattern"]
    assert v.message == (
        "the dates Monday 07/12, Wednesday 09/12 fit none of its allowed patterns: "
        "Tuesday 08/12 + Thursday 10/12 or Monday 07/12 + Thursday 10/12"
    )
    assert v.message_el == (
        "οι ημέρες Δευτέρα 07/12, Τετάρτη 09/12 δεν ταιριάζουν σε κανέναν από τους επιτρεπτούς "
        "συνδυασμούς ημερών της: Τρίτη 08/12 + Πέμπτη 10/12 ή Δευτέρα 07/12 + Πέμπτη 10/12"
    )


def test_a_duplicated_route_is_one_fault(week: Problem, plan: Plan) -> None:
    """A route copied: it gave duplicate_route, duplicate, accounting, «visited twice on the
    same date» and «closer than 1 days» besides."""
    _, r = route_of(plan, "twice")
    found = validate(week, replace(plan, routes=(*plan.routes, r)))
    assert [v.code for v in found] == ["duplicate_route"]


def test_the_same_visit_twice_on_a_date_by_two_units_is_said_once(week: Problem, plan: Plan) -> None:
    """Both occurrences on one date, on two units: «twice on the same date», not also «closer
    than 1 days»."""
    [(d0, s0), (d1, s1)] = sorted(plan.served_occurrences()["twice"], key=lambda p: p[0])
    routes = []
    for r in plan.routes:
        r = replace(r, stops=tuple(s for s in r.stops if s != s1 or r.date != d1))
        if r.date == d0 and not any(s == s0 for s in r.stops):
            r = replace(r, stops=(*r.stops, s1))
        routes.append(r)
    if not any(r.date == d0 and s1 in r.stops for r in routes):
        other = "car1" if next(r for r in routes if s0 in r.stops).unit_id == "van1" else "van1"
        routes.append(Route(other, d0, hm(8), hm(9), (s1,), 0, 0))
    # without its pattern: the days' gap is the rule then
    free = tuple(replace(v, patterns=None) if v.id == "twice" else v for v in week.visits)
    found = validate(replace(week, visits=free), replace(plan, routes=tuple(routes)))
    text = " ".join(str(v) for v in found)
    assert "closer than" not in text and "λιγότερο από" not in text
    assert [v.message for v in found if v.code == "frequency"] == ["visited twice on the same date"]


def test_a_gap_in_days_reads_in_words(plan: Plan) -> None:
    """A gap of one day is broken only by the same date (said otherwise, above: it said
    «closer than 1 days»); a gap of two in the plural, the days in words."""
    from planner.validate import _Checker

    problem = make_problem([make_visit("v", frequency=2, min_gap_days=1)], dates=(MON, TUE))
    checker = _Checker(problem, plan)
    checker.frequency(problem.visits[0], [(MON, 0), (TUE, 1)], [])
    assert [v.code for v in checker.out] == []
    two = replace(problem.visits[0], min_gap_days=2)
    checker.frequency(two, [(MON, 0), (TUE, 1)], [])
    [v] = checker.out
    assert v.message == "visits on Monday 07/12 and Tuesday 08/12 are closer than 2 days"
    assert v.message_el == "οι επισκέψεις τη Δευτέρα 07/12 και την Τρίτη 08/12 απέχουν λιγότερο από 2 ημέρες"


def test_a_once_only_visit_on_the_wrong_date_is_one_pinned_line(week: Problem, plan: Plan) -> None:
    """Pinned to Tuesday, served Monday: two [pinned] lines (the stop's and the visit's)."""
    visits = tuple(replace(v, pinned_date=TUE) if v.id == "once" else v for v in week.visits)
    found = validate(replace(week, visits=visits), plan)
    assert [v.code for v in found] == ["pinned"]
    assert "stop" in found[0].where


def test_a_repeated_visit_first_served_off_its_pinned_date_is_still_said(week: Problem, plan: Plan) -> None:
    """The visit-level check still holds where no stop says it: wanted twice, pinned Tuesday."""
    visits = tuple(replace(v, pinned_date=TUE) if v.id == "twice" else v for v in week.visits)
    found = validate(replace(week, visits=visits), plan)
    assert [(v.code, v.where) for v in found] == [("pinned", "twice")]


def test_an_unknown_visit_is_said_once(week: Problem, plan: Plan) -> None:
    """A stop renamed to a visit the problem does not have: two [unknown_visit] lines."""
    k, r = route_of(plan, "once")
    stops = tuple(replace(s, visit_id="ghost") if s.visit_id == "once" else s for s in r.stops)
    found = validate(week, with_route(plan, k, replace(r, stops=stops)))
    assert Counter(v.code for v in found)["unknown_visit"] == 1
    assert {v.code for v in found} == {"unknown_visit", "accounting"}  # 'once' is now missing


def test_an_unknown_visit_only_among_the_unassigned_is_still_said(week: Problem, plan: Plan) -> None:
    from planner.model import Unassigned

    ghost = Unassigned("ghost", 0, "no_crew", "x", "x")
    found = validate(week, replace(plan, unassigned=(*plan.unassigned, ghost)))
    assert [(v.code, v.where) for v in found] == [("unknown_visit", "ghost")]


def test_the_crew_message_names_the_person_and_the_role_in_english(week: Problem, plan: Plan) -> None:
    """It said «needs sw1 aboard», «needs psychologist aboard» (raw ids)."""
    alone = replace(week, unit_days=tuple(replace(ud, crew=crew("sw2")) for ud in week.unit_days))
    found = {v.where.split("(")[-1]: v for v in validate(alone, plan) if v.code == "crew"}
    assert found["maria)"].message.startswith("needs Μαρία Παπαδοπούλου (sw1) aboard")
    assert found["psy)"].message.startswith("needs a psychologist aboard")
    assert "χρειάζεται «Μαρία Παπαδοπούλου»" in found["maria)"].message_el
    assert "χρειάζεται ψυχολόγο" in found["psy)"].message_el


def test_a_route_returning_before_it_leaves_is_said_so(week: Problem, plan: Plan) -> None:
    """Leaves 14:00, back 08:00, no stops: «outside the shift 08:00:00-16:00:00» though both
    are inside, and «return: starts at 08:00:00, 6 h before the unit leaves»."""
    routes = tuple(r for r in plan.routes if (r.unit_id, r.date) != ("car1", THU))
    empty = Route("car1", THU, hm(14), hm(8), (), 0, 0)
    assert lines(week, replace(plan, routes=(*routes, empty))) == [
        "[shift] car1 2026-12-10: επιστρέφει στις 08:00:00, 6 ώρες πριν αναχωρήσει (14:00:00) / "
        "returns at 08:00:00, 6 h before it leaves (14:00:00)"
    ]


def test_a_return_before_the_last_stop_ends_names_the_last_stop(week: Problem, plan: Plan) -> None:
    """A route with stops back at the base before its last stop ends: the return's words."""
    k, r = route_of(plan, "once")
    last = r.stops[-1]
    found = lines(week, with_route(plan, k, replace(r, arrive=last.end - 10 * MINUTE)))
    timing = [x for x in found if x.startswith("[timing]")]
    assert len(timing) == 1 and "before the last stop ends" in timing[0]


def test_validate_says_roads_were_not_used_for_a_plan_made_with_the_estimate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito validate p.json plan.json --roads /nonexistent`: silently «valid plan»."""
    from planner.cli import main
    from planner.schema import plan_to_dict, problem_to_dict, save_json

    week = make_problem([make_visit("once", "diakopto")], dates=(MON,))
    plan = quick(week)
    assert plan.travel_model == "estimate"
    save_json(tmp_path / "p.json", problem_to_dict(week))
    save_json(tmp_path / "plan.json", plan_to_dict(plan, week))
    files = [str(tmp_path / "p.json"), str(tmp_path / "plan.json")]
    assert main(["validate", *files, "--roads", str(tmp_path / "nonexistent")]) == 0
    err = capsys.readouterr().err
    assert (
        "το πλάνο φτιάχτηκε με την εκτίμηση χρόνων: ελέγχεται με τους ίδιους χρόνους, το --roads δεν "
        "χρησιμοποιήθηκε / the plan was made with the estimate: it is checked with the same times, "
        "--roads was not used"
    ) in err
    assert main(["validate", *files]) == 0
    assert "--roads" not in capsys.readouterr().err


# --- the solver's times: no waiting that leaving later would take out ------------------------

LAMPINOS = Location("lampinos", 38.129513, 22.365229, "Λαμπινός", "mountainous")


@pytest.mark.parametrize("search", ["ruin", "ortools"])
@pytest.mark.parametrize(
    ("weight", "rule", "start"),
    [(10, True, hm(13, 30)), (1, True, hm(14)), (10, False, hm(13, 30))],
    ids=["default", "off_preferred_time-1", "no-break"],
)
def test_a_visit_with_a_preferred_time_is_reached_without_waiting(
    search: str, weight: int, rule: bool, start: int
) -> None:
    """Lampinos (65 min from Aigio), 30 min, preferred 14:00 on Wednesday, the default break
    rule: it left 10:55 to wait from 12:00 to 13:30 (with ``off_preferred_time`` 1 it
    started at 12:00, 90 min early), though leaving later costs nothing."""
    problem = make_problem(
        [make_visit("lamp", LAMPINOS, 30 * MINUTE, preferred_times={WED: hm(14)})],
        dates=(WED,),
        weights=Weights(off_preferred_time=weight),
        day_defaults={} if rule else {"break_rule": None},
    )
    plan = quick(problem, 1.0, search=search)
    assert validate(problem, plan) == []
    [route] = plan.routes
    [stop] = route.stops
    assert stop.arrival == stop.start == start
    assert route.depart == start - stop.travel


def test_retiming_keeps_windows_pins_breaks_and_part_timers_valid() -> None:
    """Busy days with windows, a pinned time, a part-timer, preferred times and the break:
    whatever the re-timing moves, the validator finds nothing."""
    visits = [
        make_visit("w", "temeni", 45 * MINUTE, time_windows=(TimeWindow(hm(10), hm(11)),)),
        make_visit("pin", "kounina", HOUR, pinned_date=MON, pinned_time=hm(9)),
        make_visit("pt", "pteri", 45 * MINUTE, required_staff="sw2", preferred_times={MON: hm(15)}),
        make_visit("late", "diakopto", 45 * MINUTE, preferred_times={MON: hm(15), TUE: hm(12)}),
        make_visit("far", LAMPINOS, HOUR, preferred_times={TUE: hm(14)}),
        make_visit("a", "rododafni", 45 * MINUTE),
        make_visit("b", "valimitika", 45 * MINUTE, preferred_times={MON: hm(13)}),
    ]
    problem = make_problem(
        visits,
        dates=(MON, TUE),
        days={MON: {"crew": crew("sw1", "sw2", hours={"sw2": (hm(12), hm(16))})}},
    )
    for search in ("ruin", "ortools"):
        plan = quick(problem, 1.0, search=search)
        assert validate(problem, plan) == [], search


def test_a_pinned_visits_later_occurrence_without_crew_is_no_doubted_reason() -> None:
    """Twice a week, pinned to Monday, where no psychologist rides (one does on Tuesday and
    Thursday): both occurrences get no_crew (the pinned day's), and validate does not call the
    second's reason one that «cannot hold»."""
    from planner.schema import plan_to_dict
    from planner.validate import stated_warnings
    from tests.planner.conftest import MON, THU, TUE, make_problem, make_visit, quick

    p = make_problem(
        [make_visit("x", "temeni", required_role="psychologist", frequency=2, pinned_date=MON)],
        crew_ids=("sw1",),
        days={TUE: {"crew": ("sw1", "psy1")}, THU: {"crew": ("sw1", "psy1")}},
    )
    plan = quick(p, 0.5)
    assert [(u.occurrence, u.reason) for u in plan.unassigned] == [(0, "no_crew"), (1, "no_crew")]
    assert [w for w in stated_warnings(p, plan, plan_to_dict(plan, p)) if w.code == "stated_reason"] == []
