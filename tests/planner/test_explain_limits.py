"""Reasons that name what actually stops a visit: the pin, the load, the limit it breaks (with
its figures), the visit's own length, the part-timer's hours, a far place; and advice that can
help. Each problem is the smallest that showed a misattributed reason."""

from __future__ import annotations

from datetime import date

from planner.model import HOUR, MINUTE, Location, Plan, Problem, TimeWindow, Unassigned
from planner.travel import EstimateTravel
from planner.validate import validate
from tests.planner.conftest import (
    BASE,
    MON,
    NO_BREAK,
    TUE,
    WED,
    crew,
    hm,
    make_problem,
    make_unit,
    make_visit,
    quick,
    served_ids,
    village,
)


def explained(problem: Problem, visit_id: str, time_limit: float = 0.5) -> tuple[Plan, list[Unassigned]]:
    """Solve, check the plan is valid, and return the unassigned entries of ``visit_id``."""
    plan = quick(problem, time_limit)
    assert validate(problem, plan) == []
    entries = [u for u in plan.unassigned if u.visit_id == visit_id]
    assert entries, f"{visit_id} was not left unassigned"
    return plan, entries


def drive_min(place: Location) -> int:
    """Minutes from the base to ``place`` (the estimate is symmetric around Aigio)."""
    return round(int(EstimateTravel().matrix([BASE, place]).durations[0, 1]) / 60)


def test_pinned_day_without_the_role_names_the_pin_and_the_day_with_one() -> None:
    """Pinned to Tuesday, whose crew is the psychologist only; Monday has a social worker:
    the pin is what stops it, not the week's crews."""
    p = make_problem(
        [make_visit("pin", "temeni", required_role="social_worker", pinned_date=TUE)],
        dates=(MON, TUE),
        days={TUE: {"crew": ("psy1",)}},
    )
    _, [u] = explained(p, "pin")
    assert u.reason == "no_crew"
    assert "pinned to Tuesday 08/12, but no social worker is aboard that day" in u.message_en
    assert "(one is aboard on Monday 07/12)" in u.message_en
    assert "No available day" not in u.message_en
    assert "κλειδωμένη για την Τρίτη 08/12, αλλά εκείνη την ημέρα δεν επιβαίνει κοινωνικός λειτουργός" in (
        u.message_el
    )
    assert "(επιβαίνει τη Δευτέρα 07/12)" in u.message_el


def test_van_full_by_load_is_week_full_naming_the_load_not_the_time() -> None:
    """Capacity 5, three Monday-only visits of load 2: the one left out is stopped by the load."""
    p = make_problem(
        [make_visit(f"L{i}", "temeni", 20 * MINUTE, load=2, allowed_weekdays=frozenset({0})) for i in "123"],
        dates=(MON, TUE),
        units=(make_unit(capacity=5),),
    )
    plan = quick(p, 0.5)
    assert validate(p, plan) == []
    [u] = plan.unassigned
    assert u.reason == "week_full"
    assert "on Monday 07/12, where it would go, the unit already carries a load of 4 of its 5" in u.message_en
    assert "its load (2) does not fit" in u.message_en
    assert "time left" not in u.message_en and "minutes" not in u.message_en
    assert "η μονάδα έχει ήδη φορτίο 4 από τα 5 που χωρά, και το φορτίο της (2) δεν χωρά" in u.message_el
    assert (u.details["load_used"], u.details["capacity"]) == (4, 5)


def test_round_trip_over_the_driving_limit_names_the_limit_and_its_figures() -> None:
    """A 90 min driving limit and Kalavryta 2 x 56 min away (a pilot day in the week): the reason
    is the driving limit, not the shift, the working time or an extended-hours day."""
    rt = 2 * drive_min(village("kalavryta"))
    p = make_problem(
        [make_visit("far", "kalavryta", HOUR)],
        dates=(MON, WED),
        day_defaults={"max_drive": 90 * MINUTE},
        days={WED: {"pilot": True, "shift": TimeWindow(hm(8), hm(20))}},
    )
    _, [u] = explained(p, "far")
    assert u.reason == "unreachable"
    assert f"the drive there and back ({rt} min) is more than the driver's daily driving limit (90 min)" in (
        u.message_en
    )
    assert "Raise the driving limit" in u.message_en
    assert "extended-hours" not in u.message_en and "window" not in u.message_en
    assert f"({rt} λεπτά οδήγησης) ξεπερνά το ημερήσιο όριο οδήγησης του οδηγού (90 λεπτά)" in u.message_el
    assert u.details["limit"] == "max_drive"


def test_small_working_time_is_named_with_its_figures_not_the_window() -> None:
    """max_work 60 min; a 45 min visit 2 x 8 min away with a 09:00-11:00 window."""
    rt = 2 * drive_min(village("temeni"))
    p = make_problem(
        [make_visit("short", "temeni", 45 * MINUTE, time_windows=(TimeWindow(hm(9), hm(11)),))],
        dates=(MON,),
        day_defaults={"max_work": HOUR},
    )
    _, [u] = explained(p, "short")
    assert u.reason == "unreachable"
    assert (
        f"the drive there and back ({rt} min) and the visit (45 min) take {rt + 45} min, more than the "
        "driver's working time (60 min)"
    ) in u.message_en
    assert "Widen the window" not in u.message_en and "extended-hours" not in u.message_en
    assert "περισσότερα από το όριο εργασίας του οδηγού (60 λεπτά)" in u.message_el


def test_visit_longer_than_the_shift_says_so() -> None:
    """A 600 min visit with no windows on 8 h shifts: the visit itself is too long."""
    p = make_problem([make_visit("long", "temeni", 600 * MINUTE)], dates=(MON, TUE))
    _, [u] = explained(p, "long")
    assert u.reason == "no_time_in_shift"
    assert "The visit itself (600 min) is longer than the shift of any available day (480 min" in u.message_en
    assert "window" not in u.message_en
    assert "Η ίδια η επίσκεψη (600 λεπτά) διαρκεί περισσότερο από τη βάρδια" in u.message_el


def test_visit_longer_than_the_working_time_says_so() -> None:
    """A 90 min visit on days whose driver may work 60 min: the visit itself is too long."""
    hour_a_day = {"max_work": HOUR}
    p = make_problem([make_visit("long", "temeni", 90 * MINUTE)], dates=(MON,), day_defaults=hour_a_day)
    _, [u] = explained(p, "long")
    assert u.reason == "unreachable"
    assert "the visit itself (90 min) is longer than the driver's working time (60 min)" in u.message_en


def test_part_timer_hours_are_named_with_the_person() -> None:
    """The visit needs sw2, aboard Monday 08:00-10:00 only; its window is 12:00-13:00."""
    p = make_problem(
        [make_visit("cont", "temeni", required_staff="sw2", time_windows=(TimeWindow(hm(12), hm(13)),))],
        dates=(MON, TUE),
        days={MON: {"crew": crew("sw1", "sw2", hours={"sw2": (hm(8), hm(10))})}},
    )
    _, [u] = explained(p, "cont")
    assert u.reason == "no_time_in_shift"
    assert "Γιώργος Αντωνίου 08:00-10:00 on Monday 07/12" in u.message_en
    assert "(12:00-13:00)" in u.message_en
    assert "Γιώργος Αντωνίου 08:00-10:00 τη Δευτέρα 07/12" in u.message_el


def test_pin_on_a_date_no_pattern_starts_on_names_the_pin() -> None:
    """Pinned to Monday, its only pattern Tue-Thu-Fri (all days open): contradictory input."""
    thu, fri = date(2026, 12, 10), date(2026, 12, 11)
    p = make_problem(
        [make_visit("pp", "temeni", frequency=3, patterns=((TUE, thu, fri),), pinned_date=MON)],
    )
    _, entries = explained(p, "pp")
    assert [u.occurrence for u in entries] == [0, 1, 2]
    for u in entries:
        assert u.reason == "no_allowed_date"
        assert "pinned to Monday 07/12" in u.message_en
        assert "none of its allowed day patterns (08/12, 10/12, 11/12) starts on that date" in u.message_en
        assert "available" not in u.message_en
        assert "κλειδωμένη για τη Δευτέρα 07/12" in u.message_el


def test_far_place_is_too_far_for_a_day_without_advice_about_windows() -> None:
    """A visit in Athens (about 4 h each way) with a 09:00-11:00 window."""
    athens = Location("athens", 37.98, 23.72, "Αθήνα")
    p = make_problem(
        [make_visit("ath", athens, 45 * MINUTE, time_windows=(TimeWindow(hm(9), hm(11)),))], dates=(MON,)
    )
    _, [u] = explained(p, "ath")
    assert u.reason == "unreachable"
    assert "its place is too far to go there and back in a day" in u.message_en
    assert "Check the place's coordinates" in u.message_en
    assert "window" not in u.message_en and "extended-hours" not in u.message_en
    assert "πολύ μακριά" in u.message_el and "ωράριο" not in u.message_el


def test_morning_window_too_early_to_reach_is_not_told_to_use_a_longer_day() -> None:
    """Kalavryta by 08:10 from Aigio: a pilot day extends the end, not the start."""
    p = make_problem(
        [make_visit("early", "kalavryta", time_windows=(TimeWindow(hm(8), hm(8, 10)),))],
        dates=(MON,),
    )
    _, [u] = explained(p, "early")
    assert u.reason == "unreachable"
    assert "extended-hours" not in u.message_en and "διευρυμένο" not in u.message_el
    assert "to start by 08:10" in u.message_en and "Move its window later" in u.message_en
    assert "έως τις 08:10" in u.message_el


def test_afternoon_window_too_late_to_be_back_may_use_a_longer_day() -> None:
    """Kalavryta from 15:30: back after 16:00, which an extended-hours day would allow."""
    p = make_problem(
        [make_visit("late", "kalavryta", time_windows=(TimeWindow(hm(15, 30), hm(15, 45)),))],
        dates=(MON,),
    )
    _, [u] = explained(p, "late")
    assert u.reason == "unreachable"
    assert "end after the shift does (16:00)" in u.message_en
    assert "Move its window earlier or use an extended-hours day" in u.message_en


def test_lower_priority_visits_served_instead_say_how_many_are_not_shown() -> None:
    """Seven priority-1 visits outweigh one priority-2 day in Kalavryta: five are named, and
    "and 2 more" (the details list all seven)."""
    near = ("rododafni", "temeni", "valimitika")
    p = make_problem(
        [
            *(make_visit(f"low{i}", near[i % 3], 20 * MINUTE, priority=1) for i in range(7)),
            make_visit("urgent", "kalavryta", 2 * HOUR + 15 * MINUTE, priority=2),
        ],
        dates=(MON,),
        # 4 h 15 holds the seven or Kalavryta alone (4 h 07), never it and another
        day_defaults={"max_work": 4 * HOUR + 15 * MINUTE, **NO_BREAK},
    )
    plan, [u] = explained(p, "urgent", 1.0)
    assert served_ids(plan) == {f"low{i}" for i in range(7)}
    assert u.reason == "week_full"
    assert "served instead: low0, low1, low2, low3, low4 and 2 more." in u.message_en
    assert "low0, low1, low2, low3, low4 και 2 ακόμη." in u.message_el
    assert u.details["served_lower_priority"] == [f"low{i}" for i in range(7)]


def test_pinned_time_outside_the_shift_says_to_pin_it_inside() -> None:
    """Pinned to Monday 17:00 on an 08:00-16:00 shift: the pinned time, not 'any day's' window."""
    p = make_problem([make_visit("pt", "temeni", pinned_date=MON, pinned_time=hm(17))], dates=(MON, TUE))
    _, [u] = explained(p, "pt")
    assert u.reason == "no_time_in_shift"
    assert "The time it is pinned to (17:00) does not fit that day's shift (08:00-16:00)" in u.message_en
    assert "any available day" not in u.message_en
    assert "Η ώρα που είναι κλειδωμένη (17:00) δεν χωρά στη βάρδια εκείνης της ημέρας" in u.message_el


def test_pinned_first_visit_of_a_twice_weekly_visit_names_the_missing_role() -> None:
    """Twice weekly, its first visit pinned to Tuesday, when no social worker rides."""
    p = make_problem(
        [
            make_visit(
                "pm", "temeni", required_role="social_worker", frequency=2, min_gap_days=2, pinned_date=TUE
            )
        ],
        dates=(MON, TUE, WED, date(2026, 12, 10)),
        days={TUE: {"crew": ("psy1",)}},
    )
    _, entries = explained(p, "pm")
    first = next(u for u in entries if u.occurrence == 0)
    assert first.reason == "no_crew"
    assert "pinned to Tuesday 08/12, but no social worker is aboard that day" in first.message_en
