"""The validator catches hand-broken plans: a real solver plan with one thing broken at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest

from planner.model import HOUR, MINUTE, Plan, Problem, Route, TimeWindow
from planner.schema import format_time
from planner.validate import Violation, _dur, _dur_el, validate
from tests.planner.conftest import MON, THU, TUE, WED, crew, hm, make_problem, make_unit, make_visit, quick

MONDAY_ONLY = frozenset({0})


@pytest.fixture(scope="module")
def busy_week() -> Problem:
    """A long Monday (break, psychologist, a load), a Mon+Wed pattern visit, a night visit."""
    return make_problem(
        [
            make_visit(
                "w",
                "temeni",
                45 * MINUTE,
                time_windows=(TimeWindow(hm(10), hm(11)),),
                allowed_weekdays=MONDAY_ONLY,
            ),
            make_visit("psy", "kounina", HOUR, required_role="psychologist"),
            make_visit("a", "rododafni", 45 * MINUTE, load=3, allowed_weekdays=MONDAY_ONLY),
            make_visit("b", "valimitika", 45 * MINUTE, allowed_weekdays=MONDAY_ONLY),
            make_visit("c", "diakopto", 45 * MINUTE, allowed_weekdays=MONDAY_ONLY),
            make_visit("d", "pteri", 45 * MINUTE, allowed_weekdays=MONDAY_ONLY),
            make_visit("twice", "valimitika", 30 * MINUTE, frequency=2, patterns=((MON, WED),)),
            make_visit("night", "temeni", time_windows=(TimeWindow(hm(21), hm(22)),)),
        ],
        dates=(MON, TUE, WED, THU),
        units=(make_unit(capacity=10),),
        days={MON: {"crew": crew("sw1", "psy1")}},
    )


@pytest.fixture(scope="module")
def busy_plan(busy_week: Problem) -> Plan:
    """The solver's plan for the busy week."""
    return quick(busy_week, 1.5)


def codes(problem: Problem, plan: Plan) -> set[str]:
    """The violation codes the validator finds (each one said in Greek, then in English)."""
    found = validate(problem, plan)
    for v in found:
        assert v.message_el and v.message_el != v.message, v
        assert str(v).endswith(f": {v.message_el} / {v.message}"), v
    return {v.code for v in found}


def route_index(plan: Plan, day: date) -> int:
    """The position of the route on ``day``."""
    return next(i for i, r in enumerate(plan.routes) if r.date == day)


def with_route(plan: Plan, day: date, **changes: Any) -> Plan:
    """``plan`` with the route on ``day`` changed."""
    routes = list(plan.routes)
    i = route_index(plan, day)
    routes[i] = replace(routes[i], **changes)
    return replace(plan, routes=tuple(routes))


def with_stop(plan: Plan, day: date, vid: str, /, **changes: Any) -> Plan:
    """``plan`` with the stop serving visit ``vid`` on ``day`` changed."""
    r = plan.routes[route_index(plan, day)]
    stops = tuple(replace(s, **changes) if s.visit_id == vid else s for s in r.stops)
    return with_route(plan, day, stops=stops)


def monday(plan: Plan) -> Route:
    """The long Monday route."""
    return plan.routes[route_index(plan, MON)]


def shifted(plan: Plan, day: date, visit_id: str, delta: int) -> Plan:
    """The stop moved ``delta`` seconds later (arrival, start and end alike)."""
    s = next(s for s in plan.routes[route_index(plan, day)].stops if s.visit_id == visit_id)
    return with_stop(plan, day, visit_id, arrival=s.arrival + delta, start=s.start + delta, end=s.end + delta)


# --- the untouched plan ------------------------------------------------------------------------


def test_solver_plan_of_the_busy_week_is_valid(busy_week: Problem, busy_plan: Plan) -> None:
    """The base plan has no violations and has what the other tests break."""
    assert validate(busy_week, busy_plan) == []
    mon = monday(busy_plan)
    assert mon.rest is not None and mon.work_time > 6 * HOUR
    assert {s.visit_id for s in mon.stops} >= {"w", "psy", "a", "twice"}
    assert {r.date for r in busy_plan.routes} == {MON, WED}
    assert [s.visit_id for s in busy_plan.routes[route_index(busy_plan, WED)].stops] == ["twice"]
    assert [u.visit_id for u in busy_plan.unassigned] == ["night"]


# --- one thing broken at a time -------------------------------------------------------------------


def test_start_outside_the_window_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Visit w starting at 11:30 (window 10:00-11:00) is a time_window violation."""
    s = next(s for s in monday(busy_plan).stops if s.visit_id == "w")
    late = hm(11, 30) - s.start
    assert "time_window" in codes(busy_week, shifted(busy_plan, MON, "w", late))


def test_wrong_travel_seconds_are_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A leg claiming one minute more than the travel model is a travel violation."""
    first = monday(busy_plan).stops[0]
    broken = with_stop(busy_plan, MON, first.visit_id, travel=first.travel + 60)
    assert codes(busy_week, broken) == {"travel"}


def test_wrong_return_travel_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A return leg of the wrong length is a travel violation."""
    broken = with_route(busy_plan, WED, return_travel=monday(busy_plan).return_travel + 1)
    assert "travel" in codes(busy_week, broken)


def test_overlapping_stops_are_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A stop starting when the previous one ends, with a drive between them, is a timing violation."""
    stops = monday(busy_plan).stops
    first, second = next((a, b) for a, b in pairwise(stops) if b.travel > 0)
    delta = first.end - second.start
    broken = with_stop(
        busy_plan, MON, second.visit_id, arrival=first.end, start=first.end, end=second.end + delta
    )
    assert "timing" in codes(busy_week, broken)


def test_arrival_after_start_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A stop that starts before the van arrives is an arrival violation."""
    s = monday(busy_plan).stops[1]
    assert "arrival" in codes(busy_week, with_stop(busy_plan, MON, s.visit_id, arrival=s.start + 1))


def test_short_service_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A stop ending ten minutes early is a service violation."""
    s = monday(busy_plan).stops[-1]
    assert "service" in codes(busy_week, with_stop(busy_plan, MON, s.visit_id, end=s.end - 10 * MINUTE))


def test_missing_break_on_a_long_day_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A day over six hours with its break removed is a break violation."""
    assert codes(busy_week, with_route(busy_plan, MON, rest=None)) == {"break"}


def test_break_outside_its_window_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A break starting 09:00 (rule: 12:00-15:00) is a break violation."""
    rest = monday(busy_plan).rest
    assert "break" in codes(busy_week, with_route(busy_plan, MON, rest=replace(rest, start=hm(9))))


def test_break_shorter_than_the_rule_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A 10-minute break where the rule wants 30 is a break violation."""
    rest = monday(busy_plan).rest
    assert "break" in codes(busy_week, with_route(busy_plan, MON, rest=replace(rest, duration=10 * MINUTE)))


def test_break_during_a_service_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A break placed in the middle of a service is a break violation."""
    mon = monday(busy_plan)
    k = mon.rest.after_stop
    s = mon.stops[k] if k < len(mon.stops) else mon.stops[-1]
    rest = replace(mon.rest, start=s.start + 60, after_stop=k)
    assert "break" in codes(busy_week, with_route(busy_plan, MON, rest=rest))


def test_route_before_the_shift_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Leaving the base at 07:00 on an 08:00-16:00 shift is a shift violation."""
    assert "shift" in codes(busy_week, with_route(busy_plan, WED, depart=hm(7)))


def test_route_after_the_shift_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Coming back at 16:30 on an 08:00-16:00 shift is a shift violation."""
    assert "shift" in codes(busy_week, with_route(busy_plan, WED, arrive=hm(16, 30)))


def test_work_over_the_weekly_cap_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """The same plan under a 5 h weekly cap is a weekly_cap violation."""
    total = sum(r.work_time for r in busy_plan.routes)
    assert total > 5 * HOUR
    capped = replace(busy_week, units=(make_unit(capacity=10, weekly_max_work=5 * HOUR),))
    assert codes(capped, busy_plan) == {"weekly_cap"}


def test_hours_already_worked_count_against_the_weekly_cap(busy_week: Problem, busy_plan: Plan) -> None:
    """A cap the plan keeps on its own is broken once the driver's work before the horizon
    (a re-plan's kept days) is added, and holds while the two together fit."""
    total = sum(r.work_time for r in busy_plan.routes)
    cap = total + HOUR

    def worked(before: int) -> Problem:
        return replace(busy_week, units=(make_unit(capacity=10, weekly_max_work=cap, weekly_worked=before),))

    assert codes(worked(HOUR), busy_plan) == set()
    assert codes(worked(HOUR + 60), busy_plan) == {"weekly_cap"}


def test_day_over_the_working_time_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """The same plan with a 4 h working day is a work_time violation."""
    days = tuple(replace(ud, max_work=4 * HOUR) for ud in busy_week.unit_days)
    assert "work_time" in codes(replace(busy_week, unit_days=days), busy_plan)


def test_day_over_the_driving_time_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """The same plan with a 10-minute driving limit is a drive_time violation."""
    days = tuple(replace(ud, max_drive=10 * MINUTE) for ud in busy_week.unit_days)
    assert "drive_time" in codes(replace(busy_week, unit_days=days), busy_plan)


def test_load_over_capacity_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """The same plan for a van carrying 2 (visit a loads 3) is a capacity violation."""
    assert codes(replace(busy_week, units=(make_unit(capacity=2),)), busy_plan) == {"capacity"}


def test_missing_crew_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """The psychologist's visit on a Monday without the psychologist is a crew violation."""
    days = tuple(replace(ud, crew=crew("sw1")) for ud in busy_week.unit_days)
    assert codes(replace(busy_week, unit_days=days), busy_plan) == {"crew"}


def test_crew_outside_part_time_hours_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """The psychologist aboard only 06:00-08:00 cannot cover her visit: a crew violation."""
    days = tuple(
        replace(ud, crew=crew("sw1", "psy1", hours={"psy1": (hm(6), hm(8))})) if ud.date == MON else ud
        for ud in busy_week.unit_days
    )
    assert codes(replace(busy_week, unit_days=days), busy_plan) == {"crew"}


def test_same_occurrence_served_twice_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Both dates of the twice-weekly visit claiming occurrence 1 is a duplicate."""
    mon_occ = next(s for s in monday(busy_plan).stops if s.visit_id == "twice").occurrence
    broken = with_stop(busy_plan, MON, "twice", occurrence=1 - mon_occ)
    found = codes(busy_week, broken)
    assert "duplicate" in found
    assert "accounting" in found


def test_visit_neither_served_nor_unassigned_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Dropping the night visit's unassigned entry breaks the accounting."""
    assert codes(busy_week, replace(busy_plan, unassigned=())) == {"accounting"}


def test_visit_both_served_and_unassigned_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Also listing served visit a as unassigned breaks the accounting."""
    extra = replace(busy_plan.unassigned[0], visit_id="a", occurrence=0)
    assert codes(busy_week, replace(busy_plan, unassigned=(*busy_plan.unassigned, extra))) == {"accounting"}


def test_unassigned_without_words_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """An unassigned entry with an empty Greek message is a reason violation."""
    silent = replace(busy_plan.unassigned[0], message_el="")
    assert codes(busy_week, replace(busy_plan, unassigned=(silent,))) == {"reason"}


def test_broken_pattern_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Moving the Wednesday visit of a Mon+Wed pattern to Thursday is a pattern violation."""
    assert codes(busy_week, with_route(busy_plan, WED, date=THU)) == {"pattern"}


def test_same_day_twice_for_a_frequency_visit_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Both visits of the twice-weekly visit on Monday is a frequency violation."""
    wed = busy_plan.routes[route_index(busy_plan, WED)]
    broken = replace(
        busy_plan, routes=tuple(replace(r, date=MON) if r is wed else r for r in busy_plan.routes)
    )
    assert "frequency" in codes(busy_week, replace(broken, routes=(*broken.routes,)))


def test_route_on_an_unavailable_day_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Wednesday declared a holiday after planning is a unit_unavailable violation."""
    days = tuple(replace(ud, available=False) if ud.date == WED else ud for ud in busy_week.unit_days)
    assert "unit_unavailable" in codes(replace(busy_week, unit_days=days), busy_plan)


def test_route_on_a_date_outside_the_horizon_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A route dated the Friday, outside the problem's dates, is an unknown_day violation."""
    assert "unknown_day" in codes(busy_week, with_route(busy_plan, WED, date=date(2026, 12, 11)))


def test_two_routes_for_one_day_are_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Two routes of van1 on Wednesday is a duplicate_route violation."""
    wed = busy_plan.routes[route_index(busy_plan, WED)]
    assert "duplicate_route" in codes(busy_week, replace(busy_plan, routes=(*busy_plan.routes, wed)))


def test_served_on_a_weekday_not_allowed_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """The Monday route relabelled Tuesday serves Monday-only visits: a weekday violation."""
    assert "weekday" in codes(busy_week, with_route(busy_plan, MON, date=TUE))


def test_pinned_visit_served_elsewhere_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Visit a pinned to Tuesday but served Monday is a pinned violation."""
    visits = tuple(replace(v, pinned_date=TUE) if v.id == "a" else v for v in busy_week.visits)
    assert codes(replace(busy_week, visits=visits), busy_plan) == {"pinned"}


def test_pinned_time_missed_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Visit a pinned to Monday 07:00 but starting later is a pinned violation."""
    visits = tuple(
        replace(v, pinned_date=MON, pinned_time=hm(7)) if v.id == "a" else v for v in busy_week.visits
    )
    assert codes(replace(busy_week, visits=visits), busy_plan) == {"pinned"}


def test_stop_for_an_unknown_visit_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """A stop naming a visit the problem does not have is an unknown_visit violation."""
    broken = with_stop(busy_plan, WED, "twice", visit_id="ghost")
    assert "unknown_visit" in codes(busy_week, broken)


def test_the_rest_of_a_route_is_checked_after_an_unknown_visit(busy_week: Problem, busy_plan: Plan) -> None:
    """A stop for an unknown visit does not end the route's checks: a later stop outside its
    window and the day's capacity are still caught."""
    mon = monday(busy_plan)
    ids = [s.visit_id for s in mon.stops]
    first = next(v for v in ids if v not in ("w", "a"))
    assert ids.index(first) < max(ids.index("w"), ids.index("a"))
    broken = with_stop(busy_plan, MON, first, visit_id="ghost")
    s = next(s for s in mon.stops if s.visit_id == "w")
    broken = shifted(broken, MON, "w", hm(11, 30) - s.start)
    small = replace(busy_week, units=(make_unit(capacity=1),))
    found = codes(small, broken)
    assert {"unknown_visit", "time_window", "capacity"} <= found
    # the stop after it is not measured from a place the plan does not know
    alone = {v.code for v in validate(busy_week, with_stop(busy_plan, MON, first, visit_id="ghost"))}
    assert alone == {"unknown_visit", "accounting"}  # no "travel", "timing" or "arrival" besides


def test_a_break_taken_on_the_way_delays_the_arrival(busy_week: Problem, busy_plan: Plan) -> None:
    """The drive after a break taken on the way ends no earlier than the break's end plus the
    drive: an arrival as if the van drove through the break is caught. The same break taken
    at the destination, after an arrival straight from the previous place, is valid."""
    mon = monday(busy_plan)
    rest = mon.rest
    assert rest is not None and rest.after_stop < len(mon.stops)
    k = rest.after_stop
    prev_end = mon.depart if k == 0 else mon.stops[k - 1].end
    nxt = mon.stops[k]
    straight = prev_end + nxt.travel
    on_way = with_route(busy_plan, MON, rest=replace(rest, start=prev_end))
    through = with_stop(on_way, MON, nxt.visit_id, arrival=straight)
    v = one(busy_week, through, "arrival")
    assert "the drive and the break" in v.message and "διαδρομή και το διάλειμμα" in v.message_el
    at_destination = with_stop(
        with_route(busy_plan, MON, rest=replace(rest, start=max(rest.start, straight))),
        MON,
        nxt.visit_id,
        arrival=straight,
    )
    assert nxt.start >= straight + rest.duration
    assert validate(busy_week, at_destination) == []


def test_occurrence_beyond_the_frequency_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    """Occurrence 2 of a visit wanted twice is an occurrence violation."""
    assert "occurrence" in codes(busy_week, with_stop(busy_plan, WED, "twice", occurrence=2))


def test_pinned_time_is_checked_whatever_the_occurrence_label(busy_week: Problem, busy_plan: Plan) -> None:
    """The twice-weekly visit pinned to Monday 07:00, its occurrence labels swapped (the Monday
    one called 1): the missed pinned time is still caught."""
    visits = tuple(
        replace(v, pinned_date=MON, pinned_time=hm(7)) if v.id == "twice" else v for v in busy_week.visits
    )
    pinned = replace(busy_week, visits=visits)
    assert codes(pinned, busy_plan) == {"pinned"}
    swapped = with_stop(with_stop(busy_plan, MON, "twice", occurrence=1), WED, "twice", occurrence=0)
    assert codes(pinned, swapped) == {"pinned"}


def test_unknown_reason_code_is_caught(busy_week: Problem, busy_plan: Plan) -> None:
    odd = replace(busy_plan.unassigned[0], reason="because")
    assert codes(busy_week, replace(busy_plan, unassigned=(odd,))) == {"reason"}


def test_working_time_over_by_seconds_says_so(busy_week: Problem, busy_plan: Plan) -> None:
    """A day 20 s over its limit is not reported as '480 min, over the limit of 480'."""
    mon = monday(busy_plan)
    days = tuple(replace(ud, max_work=mon.work_time - 20) for ud in busy_week.unit_days)
    [v] = [v for v in validate(replace(busy_week, unit_days=days), busy_plan) if v.code == "work_time"]
    assert f"works {mon.work_time // 60} min" in v.message
    assert v.message != f"works {mon.work_time // 60} min, over the limit of {mon.work_time // 60} min"


def test_plan_file_with_a_step_at_the_wrong_place_is_refused(busy_week: Problem, busy_plan: Plan) -> None:
    """Read with its problem, a plan whose visit step names another place is refused, naming the step."""
    from planner.schema import SchemaError, plan_from_dict, plan_to_dict

    d = plan_to_dict(busy_plan, busy_week)
    assert plan_from_dict(d, busy_week) == plan_from_dict(d)
    step = next(s for s in d["routes"][0]["steps"] if s["type"] == "visit")
    step["location"] = "nowhere"
    wrong_visit = r"routes\[0\]\.steps\[\d+\]\.location: .* / \"nowhere\" is not visit"
    with pytest.raises(SchemaError, match=wrong_visit):
        plan_from_dict(d, busy_week)
    d["routes"][0]["steps"][0]["location"] = "temeni"
    step["location"] = busy_week.visit(step["visit"]).location.id
    wrong_base = (
        r"steps\[0\]\.location: το \"temeni\" δεν είναι η βάση .* / \"temeni\" is not the unit's base"
    )
    with pytest.raises(SchemaError, match=wrong_base):
        plan_from_dict(d, busy_week)


# --- the violations in words: Greek, then English --------------------------------------------------


def one(problem: Problem, plan: Plan, code: str, where: str = "") -> Violation:
    """The single violation of ``code`` the validator finds (at a ``where`` starting so)."""
    [v] = [v for v in validate(problem, plan) if v.code == code and v.where.startswith(where)]
    return v


def stop_label(plan: Plan, day: date, vid: str) -> str:
    """How a stop is named in a violation: 'van1 2026-12-07 στάση/stop 3 (w)'."""
    k = next(k for k, s in enumerate(plan.routes[route_index(plan, day)].stops, 1) if s.visit_id == vid)
    return f"van1 {day.isoformat()} στάση/stop {k} ({vid})"


def test_a_time_window_violation_reads_in_greek_then_english(busy_week: Problem, busy_plan: Plan) -> None:
    """'[time_window] van1 2026-12-07 στάση/stop k (w): ξεκινά ... / starts ...'."""
    s = next(s for s in monday(busy_plan).stops if s.visit_id == "w")
    v = one(busy_week, shifted(busy_plan, MON, "w", hm(11, 30) - s.start), "time_window")
    assert (v.where, v.message) == (
        stop_label(busy_plan, MON, "w").replace("στάση/stop", "stop"),
        "starts 11:30:00, outside its windows 10:00:00-11:00:00",
    )
    assert str(v) == (
        f"[time_window] {stop_label(busy_plan, MON, 'w')}: ξεκινά 11:30:00, εκτός των ωραρίων της "
        "10:00:00-11:00:00 / starts 11:30:00, outside its windows 10:00:00-11:00:00"
    )


def test_a_break_violation_reads_in_greek_then_english(busy_week: Problem, busy_plan: Plan) -> None:
    """A 10-minute break (the rule: 30 min starting 12:00-15:00), Greek first."""
    rest = monday(busy_plan).rest
    assert rest is not None
    v = one(busy_week, with_route(busy_plan, MON, rest=replace(rest, duration=10 * MINUTE)), "break")
    at = format_time(rest.start)
    assert str(v) == (
        f"[break] van1 {MON}: διάλειμμα στις {at} για 10 λεπτά· ο κανόνας θέλει 30 λεπτά με έναρξη "
        f"12:00:00-15:00:00 / break {at} for 10 min; the rule wants 30 min starting 12:00:00-15:00:00"
    )


def test_a_pinned_violation_names_the_days_in_greek(busy_week: Problem, busy_plan: Plan) -> None:
    """Pinned to Tuesday, served Monday: the days as the rest of the product writes them."""
    visits = tuple(replace(v, pinned_date=TUE) if v.id == "a" else v for v in busy_week.visits)
    pinned = replace(busy_week, visits=visits)
    assert str(one(pinned, busy_plan, "pinned", "van1")) == (
        f"[pinned] {stop_label(busy_plan, MON, 'a')}: κλειδωμένη για την Τρίτη 08/12, γίνεται τη "
        "Δευτέρα 07/12 / pinned to 2026-12-08, served on 2026-12-07"
    )
    # a once-only visit: the stop's line says it all (no second, visit-level line)
    assert [v.label for v in validate(pinned, busy_plan) if v.code == "pinned"] == [
        stop_label(busy_plan, MON, "a")
    ]


def test_a_weekly_cap_violation_reads_in_greek_then_english(busy_week: Problem, busy_plan: Plan) -> None:
    """Hours with a decimal comma in Greek, a decimal point in English."""
    total = sum(r.work_time for r in busy_plan.routes)
    capped = replace(busy_week, units=(make_unit(capacity=10, weekly_max_work=5 * HOUR),))
    v = one(capped, busy_plan, "weekly_cap")
    hours = f"{total / 3600:.1f}"
    assert str(v) == (
        f"[weekly_cap] van1: ο οδηγός εργάζεται {hours.replace('.', ',')} ώρες στο διάστημα του πλάνου, "
        f"{_dur_el(total - 5 * HOUR)} πάνω από το εβδομαδιαίο όριο των 5,0 ωρών / works {hours} h over "
        f"the horizon, {_dur(total - 5 * HOUR)} over the cap 5.0 h"
    )


def test_limits_over_by_seconds_say_by_how_much(busy_week: Problem, busy_plan: Plan) -> None:
    """A weekly cap, a break rule or a stretch without a break missed by seconds is not said as
    '17.1 h, over the cap 17.1 h' or 'break for 30 min; the rule wants 30 min'."""
    total = sum(r.work_time for r in busy_plan.routes)
    capped = replace(busy_week, units=(make_unit(capacity=10, weekly_max_work=total - 20),))
    assert "20 s over the cap" in one(capped, busy_plan, "weekly_cap").message
    rest = monday(busy_plan).rest
    assert rest is not None
    short = with_route(busy_plan, MON, rest=replace(rest, duration=rest.duration - 30))
    assert "for 29 min 30 s; the rule wants 30 min" in one(busy_week, short, "break").message
    rule = busy_week.unit_days[0].break_rule
    assert rule is not None
    mon = monday(busy_plan)
    longest = max(rest.start - mon.depart, mon.arrive - rest.start - rest.duration)
    days = tuple(
        replace(ud, break_rule=replace(rule, required_after=longest - 20)) if ud.date == MON else ud
        for ud in busy_week.unit_days
    )
    v = one(replace(busy_week, unit_days=days), busy_plan, "break")
    assert f"{_dur(longest)} of work without a break (at most {_dur(longest - 20)} allowed)" == v.message


def test_kinito_validate_prints_each_violation_in_greek_then_english(
    busy_week: Problem, busy_plan: Plan, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito validate` lists the violations, numbered, each Greek first (exit 1)."""
    from planner import cli

    visits = tuple(replace(v, pinned_date=TUE) if v.id == "a" else v for v in busy_week.visits)
    pinned = replace(busy_week, visits=visits)
    monkeypatch.setattr(cli, "load_problem", lambda _path: pinned)
    monkeypatch.setattr(cli, "load_plan", lambda _path, _problem=None: busy_plan)
    assert cli.main(["validate", "problem.json", "plan.json"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "Παραβιάσεις / Violations (1):",
        f"  1. [pinned] {stop_label(busy_plan, MON, 'a')}: κλειδωμένη για την Τρίτη 08/12, γίνεται τη "
        "Δευτέρα 07/12 / pinned to 2026-12-08, served on 2026-12-07",
        "",
    ]


def test_the_greek_days_and_roles_are_those_of_the_explanations() -> None:
    """The checker's own Greek days and roles (it does not import planner.explain) match it."""
    from planner import explain
    from planner import validate as checker

    for d in (MON + timedelta(days=i) for i in range(7)):
        assert (checker.day_el(d), checker.on_day_el(d)) == (explain.day_el(d), explain.on_day_el(d))
    assert {role: obj for role, (_, obj) in explain.ROLE_EL.items()} == checker._ROLE_EL
