"""Reasons a reviewer found false: a visit the weekly cap stops called «It fits on its own, but
the week is full», and a load a unit off all week carries called over every unit's capacity."""

from __future__ import annotations

from dataclasses import replace

from planner.model import HOUR, MINUTE, Visit
from planner.schema import plan_to_dict
from planner.validate import validate
from tests.planner.conftest import MON, NO_BREAK, crew, make_problem, make_unit, make_visit, quick


def _far_visits(n: int) -> list[Visit]:
    """``n`` one-hour visits at Kalavryta: 112 min of driving there and back, 172 min alone."""
    return [make_visit(f"w{i}", "kalavryta", HOUR, name=f"Άτομο {i}") for i in range(n)]


def test_a_visit_longer_than_the_weekly_cap_leaves_is_unreachable_naming_the_cap() -> None:
    """40 h cap, 38 h 20 min worked on days kept: 100 minutes left for the week, and a visit
    that alone needs 172. «Even on its own … more than the driver's weekly cap leaves (100 min)
    … it would need 72 more minutes» (it said «It fits on its own, but the week is full: it
    would need 172 more minutes … Nothing is served that day»)."""
    unit = make_unit(weekly_max_work=40 * HOUR, weekly_worked=38 * HOUR + 20 * MINUTE)
    p = make_problem(_far_visits(2), units=(unit,), day_defaults={**NO_BREAK})
    plan = quick(p, 1.0)
    assert validate(p, plan) == [] and not plan.routes
    assert len(plan.unassigned) == 2
    for u in plan.unassigned:
        assert u.reason == "unreachable", u
        assert u.details["limit"] == "weekly_cap"
        assert "fits on its own" not in u.message_en and "Χωράει μόνη της" not in u.message_el
        assert "Even on its own" in u.message_en and "take 172 min" in u.message_en
        assert "more than the driver's weekly cap leaves for the whole week (100 min" in u.message_en
        assert "less 38.3 h already worked on the days kept" in u.message_en
        assert "it would need 72 more minutes" in u.message_en and "172 more" not in u.message_en
        assert "το εβδομαδιαίο όριο του οδηγού (100 λεπτά" in u.message_el
        assert "θα χρειαζόταν 72 λεπτά ακόμη" in u.message_el
        assert "Raise the unit's weekly working cap" in u.message_en


def test_a_weekly_cap_shorter_than_any_visit_says_so_for_each() -> None:
    """A 2 h weekly cap and five visits of 172 min alone: each is unreachable by the cap (52
    more minutes), not «the week is full … 172 more minutes»."""
    p = make_problem(_far_visits(5), units=(make_unit(weekly_max_work=2 * HOUR),), day_defaults={**NO_BREAK})
    plan = quick(p, 1.0)
    assert validate(p, plan) == [] and not plan.routes
    assert {u.reason for u in plan.unassigned} == {"unreachable"} and len(plan.unassigned) == 5
    for u in plan.unassigned:
        assert "(120 min: a 2 h cap)" in u.message_en and "it would need 52 more minutes" in u.message_en


def test_two_units_name_whose_weekly_cap_it_is() -> None:
    """With two units, the weekly cap named is the unit's."""
    units = (make_unit("van1", weekly_max_work=2 * HOUR), make_unit("van2", weekly_max_work=2 * HOUR))
    p = make_problem(_far_visits(1), units=units, day_defaults={**NO_BREAK})
    plan = quick(p, 1.0)
    (u,) = plan.unassigned
    assert u.reason == "unreachable"
    assert "Κινητή μονάδα van" in u.message_en and "driver's weekly cap" in u.message_en
    assert "του οδηγού της μονάδας «Κινητή μονάδα van" in u.message_el


def test_a_day_with_no_route_needs_only_what_its_room_lacks() -> None:
    """A 5 h weekly cap shared over five days (the OR-Tools search keeps 1 h a day) and a visit
    of 172 min alone: nothing is served, and the best day lacks 112 minutes of its 60, not the
    whole 172 (a day with no route was counted as if it had no room at all)."""
    p = make_problem(_far_visits(1), units=(make_unit(weekly_max_work=5 * HOUR),), day_defaults={**NO_BREAK})
    plan = quick(p, 1.0, search="ortools")
    assert validate(p, plan) == [] and not plan.routes
    (u,) = plan.unassigned
    assert u.reason == "week_full"
    assert u.details["need_min"] == 112
    assert "it would need 112 more minutes" in u.message_en and "θα χρειαζόταν 112 λεπτά" in u.message_el


def test_over_capacity_names_the_unit_that_is_off_all_week() -> None:
    """A van carrying 3 and a car with no limit but unavailable every day: a load of 5 is not
    «over every unit's capacity»: the reason names the car, off all week, and the van's 3."""
    units = (
        make_unit("van1", capacity=3),
        make_unit("car1", capacity=None),
    )
    p = make_problem(
        [make_visit("x", "temeni", name="Μαρία Α.", load=5)],
        units=units,
        dates=(MON,),
    )
    off = tuple(ud if ud.unit_id == "van1" else replace(ud, available=False) for ud in p.unit_days)
    plan = quick(replace(p, unit_days=off), 0.5)
    (u,) = plan.unassigned
    assert u.reason == "over_capacity"
    assert "exceeds every unit's capacity" not in u.message_en
    assert "the only unit that can carry it, Κινητή μονάδα car1, is not available" in u.message_en
    assert "(Κινητή μονάδα van1: 3)" in u.message_en
    assert "η μόνη μονάδα που τη χωρά, «Κινητή μονάδα car1», δεν είναι διαθέσιμη" in u.message_el
    assert u.details["units_able"] == ["car1"]


def test_over_capacity_of_every_unit_is_still_said_so() -> None:
    """No unit carries the load: the reason is as it was."""
    p = make_problem([make_visit("x", "temeni", load=5)], units=(make_unit(capacity=3),), dates=(MON,))
    (u,) = quick(p, 0.5).unassigned
    assert u.reason == "over_capacity" and u.message_en == "Its load (5) exceeds every unit's capacity."


def test_a_unit_that_carries_it_but_has_no_crew_gives_the_crew_reason() -> None:
    """The van has the psychologist aboard but carries 3; the car carries the load of 5 and is
    available, with no psychologist: no_crew, said of the car (it said «exceeds every unit's
    capacity»)."""
    units = (make_unit("van1", capacity=3), make_unit("car1", capacity=None))
    p = make_problem(
        [make_visit("x", "temeni", load=5, required_role="psychologist")],
        units=units,
        dates=(MON,),
        crew_ids=("sw1",),
    )
    days = tuple(replace(ud, crew=crew("sw1", "psy1")) if ud.unit_id == "van1" else ud for ud in p.unit_days)
    (u,) = quick(replace(p, unit_days=days), 0.5).unassigned
    assert u.reason == "no_crew", u
    assert u.message_en.startswith("Only Κινητή μονάδα car1 can carry its load (5). No available day has")
    assert u.message_el.startswith("Το φορτίο της (5) το χωρά μόνο η μονάδα «Κινητή μονάδα car1». ")
    # and validate does not call the engine's own reason one that «cannot hold» (the van, which
    # cannot carry it, has the psychologist aboard)
    from planner.validate import stated_warnings

    problem = replace(p, unit_days=days)
    plan = quick(problem, 0.5)
    stated = plan_to_dict(plan, problem)
    assert [w for w in stated_warnings(problem, plan, stated) if w.code == "stated_reason"] == []
