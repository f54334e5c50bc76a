"""Every reason code of planner.explain, produced by a tiny problem, in words that name specifics."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path

from planner.explain import on_day_el
from planner.model import HOUR, MINUTE, Plan, Problem, TimeWindow, Unassigned
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
    stops_of,
    village,
)

REPO = Path(__file__).resolve().parents[2]


def explained(problem: Problem, visit_id: str, time_limit: float = 0.5) -> tuple[Plan, list[Unassigned]]:
    """Solve, check the plan is valid, and return the unassigned entries of ``visit_id``."""
    plan = quick(problem, time_limit)
    assert validate(problem, plan) == []
    entries = [u for u in plan.unassigned if u.visit_id == visit_id]
    assert entries, f"{visit_id} was not left unassigned"
    for u in entries:
        assert u.message_el.strip() and u.message_en.strip()
        assert u.message_el != u.message_en
    return plan, entries


def test_visit_allowed_only_on_a_holiday_has_no_available_day() -> None:
    """Wednesday-only visit, Wednesday a holiday: no_available_day."""
    p = make_problem(
        [make_visit("wed-only", allowed_weekdays=frozenset({2})), make_visit("other", "temeni")],
        days={WED: {"available": False}},
    )
    plan, [u] = explained(p, "wed-only")
    assert u.reason == "no_available_day"
    assert "unavailable" in u.message_en
    assert "other" in served_ids(plan)


def test_holiday_week_leaves_every_visit_unassigned_without_crashing() -> None:
    """Every day unavailable: the solver returns a plan, the visit no_available_day (no crash)."""
    script = textwrap.dedent(
        """
        from tests.planner.conftest import MON, make_problem, make_visit, quick
        p = make_problem([make_visit("a", "temeni")], dates=(MON,), days={MON: {"available": False}})
        plan = quick(p, 0.5)
        print(plan.routes, [u.reason for u in plan.unassigned])
        """
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, f"solver process died with code {run.returncode}"
    assert "() ['no_available_day']" in run.stdout


def test_visit_pinned_to_a_holiday_reports_the_date() -> None:
    """Pinned to Wednesday, a holiday: pinned_date_unavailable naming Wednesday 09/12."""
    p = make_problem([make_visit("pin", pinned_date=WED)], days={WED: {"available": False}})
    _, [u] = explained(p, "pin")
    assert u.reason == "pinned_date_unavailable"
    assert "Wednesday 09/12" in u.message_en
    assert "κλειδωμένη για την Τετάρτη 09/12" in u.message_el


def test_greek_days_take_their_article() -> None:
    """'τη Δευτέρα', 'την Τρίτη', 'το Σάββατο': the ν stays before κ, π, τ (Greek spelling)."""
    week = [on_day_el(MON + timedelta(days=k)) for k in range(7)]
    assert week == [
        "τη Δευτέρα 07/12",
        "την Τρίτη 08/12",
        "την Τετάρτη 09/12",
        "την Πέμπτη 10/12",
        "την Παρασκευή 11/12",
        "το Σάββατο 12/12",
        "την Κυριακή 13/12",
    ]


def test_psychologist_visit_with_no_psychologist_aboard_is_no_crew() -> None:
    """Nobody with the psychologist role rides all week: no_crew naming the role."""
    p = make_problem([make_visit("psy", required_role="psychologist")])
    _, [u] = explained(p, "psy")
    assert u.reason == "no_crew"
    assert "psychologist" in u.message_en
    assert "ψυχολόγος" in u.message_el


def test_named_staff_never_aboard_is_no_crew_naming_the_person() -> None:
    """The visit names sw2, who never rides: no_crew with sw2's name in both languages."""
    p = make_problem([make_visit("cont", required_staff="sw2")])
    _, [u] = explained(p, "cont")
    assert u.reason == "no_crew"
    assert "Γιώργος Αντωνίου" in u.message_en
    assert "Γιώργος Αντωνίου" in u.message_el


def test_load_above_every_capacity_is_over_capacity() -> None:
    """A load of 5 on a van carrying 3: over_capacity quoting the load."""
    p = make_problem([make_visit("big", load=5)], units=(make_unit(capacity=3),))
    _, [u] = explained(p, "big")
    assert u.reason == "over_capacity"
    assert "(5)" in u.message_en and "(5)" in u.message_el


def test_window_outside_the_shift_is_no_time_in_shift() -> None:
    """A 21:00-22:00 window on 08:00-16:00 shifts: no_time_in_shift."""
    p = make_problem([make_visit("night", time_windows=(TimeWindow(hm(21), hm(22)),))], dates=(MON, TUE))
    _, [u] = explained(p, "night")
    assert u.reason == "no_time_in_shift"
    assert "window" in u.message_en


def test_part_timer_hours_outside_the_window_is_no_time_in_shift() -> None:
    """The psychologist rides 08:00-10:00 but the visit opens at 11:00: no_time_in_shift."""
    p = make_problem(
        [make_visit("psy", required_role="psychologist", time_windows=(TimeWindow(hm(11), hm(13)),))],
        dates=(MON,),
        days={MON: {"crew": crew("sw1", "psy1", hours={"psy1": (hm(8), hm(10))})}},
    )
    _, [u] = explained(p, "psy")
    assert u.reason == "no_time_in_shift"


def test_window_too_early_to_reach_is_unreachable_with_the_drive() -> None:
    """Kalavryta by 08:10 when the shift starts 08:00 in Aigio: unreachable, quoting the drive."""
    p = make_problem(
        [make_visit("early", "kalavryta", time_windows=(TimeWindow(hm(8), hm(8, 10)),))], dates=(MON,)
    )
    _, [u] = explained(p, "early")
    assert u.reason == "unreachable"
    drive = EstimateTravel().matrix([BASE, village("kalavryta")]).durations[0, 1]
    minutes = round(int(drive) / 60)
    assert f"{minutes} min" in u.message_en
    assert f"{minutes} λεπτά" in u.message_el


def test_too_frequent_for_the_horizon_says_how_many_fit() -> None:
    """Three visits 2 days apart over Mon-Wed: two are served, the third is 'frequency', fit 2."""
    p = make_problem([make_visit("often", "temeni", frequency=3, min_gap_days=2)], dates=(MON, TUE, WED))
    plan, entries = explained(p, "often", 1.0)
    assert [d for d, _ in stops_of(plan, "often")] == [MON, WED]
    assert [(u.occurrence, u.reason) for u in entries] == [(2, "frequency")]
    u = entries[0]
    assert "3 visits at least 2 days apart" in u.message_en
    assert "hold only 2" in u.message_en
    assert "μόνο 2" in u.message_el


def test_full_day_leaves_visits_week_full_naming_the_day_and_minutes() -> None:
    """Ten 1 h visits on one Monday: the ones left out are week_full, naming Monday and minutes."""
    near = ("rododafni", "temeni", "valimitika")
    p = make_problem(
        [make_visit(f"v{i}", near[i % 3], HOUR) for i in range(10)], dates=(MON,), day_defaults=NO_BREAK
    )
    plan = quick(p, 1.0)
    assert validate(p, plan) == []
    assert 5 <= len(served_ids(plan)) <= 8
    assert plan.unassigned
    for u in plan.unassigned:
        assert u.reason == "week_full"
        m = re.search(r"need (?:at most )?(\d+) more minutes on Monday 07/12", u.message_en)
        assert m, u.message_en
        assert int(m.group(1)) >= 1
        assert re.search(r"\d+ λεπτά ακόμη τη Δευτέρα 07/12", u.message_el), u.message_el
        assert u.details["date"] == MON.isoformat()


def test_week_full_names_lower_priority_visits_served_instead() -> None:
    """Four priority-1 visits outweigh one priority-2 day in Kalavryta: the message lists them."""
    near = ("rododafni", "temeni", "valimitika", "temeni")
    p = make_problem(
        [
            *(make_visit(f"low{i}", near[i], HOUR, priority=1) for i in range(3)),
            make_visit("low3", near[3], HOUR, priority=1, name="Μαρία Κ. (πλασματικό πρόσωπο)"),
            make_visit("urgent", "kalavryta", 2 * HOUR + 15 * MINUTE, priority=2),
        ],
        dates=(MON,),
        # 5 h of work holds the four (4 h 33) or Kalavryta alone (4 h 07), never it and another.
        day_defaults={"max_work": 5 * HOUR, **NO_BREAK},
    )
    plan, [u] = explained(p, "urgent", 1.0)
    assert served_ids(plan) == {"low0", "low1", "low2", "low3"}
    assert u.reason == "week_full"
    # named by their short name (the coordinator knows people by name), by id only without one
    assert "Lower-priority visits were served instead: low0, low1, low2, Μαρία Κ." in u.message_en
    assert "χαμηλότερης προτεραιότητας: low0, low1, low2, Μαρία Κ." in u.message_el
    assert ".." not in u.message_en + u.message_el  # the name's full stop ends the sentence
    assert u.details["served_lower_priority"] == ["low0", "low1", "low2", "low3"]


def test_visit_that_leaves_no_room_for_the_break_is_not_called_week_full() -> None:
    """A 7 h visit covers the 12:00-15:00 break window: the empty week is not 'full'."""
    p = make_problem([make_visit("long", "temeni", 7 * HOUR)], dates=(MON,))
    plan, [u] = explained(p, "long")
    assert plan.routes == ()
    assert u.reason != "week_full"
    assert "week is full" not in u.message_en


def test_unreachable_pinned_occurrence_is_explained_as_unreachable() -> None:
    """Twice weekly, pinned Monday 08:00 in Kalavryta: its pinned occurrence is 'unreachable'."""
    p = make_problem(
        [make_visit("pin2", "kalavryta", frequency=2, min_gap_days=2, pinned_date=MON, pinned_time=hm(8))],
        dates=(MON, TUE, WED),
    )
    plan = quick(p, 1.0)
    first = next(u for u in plan.unassigned if u.visit_id == "pin2" and u.occurrence == 0)
    assert first.reason == "unreachable"


# --- reviewed: the visit's own settings, Greek grammar, the week_full figures --------------


def test_visit_allowed_on_no_date_of_the_week_is_no_allowed_date() -> None:
    """Saturday-only in a Mon-Fri week (every unit available): no_allowed_date, not a holiday."""
    p = make_problem([make_visit("sat", allowed_weekdays=frozenset({5})), make_visit("other", "temeni")])
    _, [u] = explained(p, "sat")
    assert u.reason == "no_allowed_date"
    assert "unavailable" not in u.message_en and "holiday" not in u.message_en
    assert "Saturday" in u.message_en and "Σάββατο" in u.message_el


def test_visit_with_no_allowed_weekday_is_no_allowed_date() -> None:
    p = make_problem([make_visit("none", allowed_weekdays=frozenset()), make_visit("other", "temeni")])
    _, [u] = explained(p, "none")
    assert u.reason == "no_allowed_date"
    assert "καμία ημέρα" in u.message_el


def test_visit_pinned_to_a_weekday_it_does_not_allow_says_so() -> None:
    """Pinned to Tuesday, allowed only Monday: no_allowed_date naming the pinned date."""
    p = make_problem(
        [make_visit("pin", allowed_weekdays=frozenset({0}), pinned_date=TUE), make_visit("other", "temeni")]
    )
    _, [u] = explained(p, "pin")
    assert u.reason == "no_allowed_date"
    assert "pinned to Tuesday 08/12" in u.message_en
    assert "κλειδωμένη για την Τρίτη 08/12" in u.message_el


def test_no_crew_messages_use_the_greek_object_case_and_no_role_code() -> None:
    p = make_problem(
        [make_visit("psy", required_role="psychologist"), make_visit("cont", required_staff="sw2")]
    )
    plan = quick(p, 0.5)
    by_id = {u.visit_id: u for u in plan.unassigned}
    psy, cont = by_id["psy"].message_el, by_id["cont"].message_el
    assert "δεν επιβαίνει ψυχολόγος· προσθέστε ψυχολόγο στο πλήρωμα" in psy
    assert "psychologist" not in psy
    assert "δεν επιβαίνει το μέλος του προσωπικού «Γιώργος Αντωνίου»· προσθέστε «Γιώργος Αντωνίου»" in cont
    assert ".." not in cont
    # where a register's crews come from (no page edits them), said as such (a problem file
    # written by hand has its crews in it), and for a named person the other way out: anyone
    # with the role
    for text in (psy, cont):
        assert "(όταν η εβδομάδα βγαίνει από το μητρώο: οι ημέρες και ώρες εργασίας" in text
    assert "όποιον έχει την ειδικότητα" in cont and "ειδικότητα" not in psy
    assert "or let anyone with the role make the visit" in by_id["cont"].message_en
    assert {by_id["psy"].reason, by_id["cont"].reason} == {"no_crew"}


def test_twice_weekly_visit_on_different_days_is_not_called_days_apart() -> None:
    """Wanted twice with the default gap of one day, one date only: "on different days"."""
    p = make_problem([make_visit("two", "temeni", frequency=2)], dates=(MON,))
    _, entries = explained(p, "two")
    u = next(e for e in entries if e.reason == "frequency")
    assert "2 visits on different days" in u.message_en
    assert "σε διαφορετικές ημέρες" in u.message_el
    assert "1 days" not in u.message_en and "1 ημερών" not in u.message_el
    assert "minimum gap" not in u.message_en


def test_too_long_visit_with_no_window_is_not_told_to_widen_a_window() -> None:
    p = make_problem([make_visit("long", "temeni", 470 * MINUTE)], dates=(MON,))
    _, [u] = explained(p, "long")
    assert u.reason == "unreachable"
    assert "window" not in u.message_en
    assert "470 min" in u.message_en and "470 λεπτά" in u.message_el


def test_week_full_counts_the_break_a_longer_day_would_need() -> None:
    """Three 150 min visits, no windows: two fit in 8 h; the third would take the day past
    8 h with its 30 min break: the reason gives the minutes, not 'the hour its window allows'
    (which it said when the break was left out of the count)."""
    p = make_problem([make_visit(f"v{i}", "rododafni", 150 * MINUTE) for i in range(3)], dates=(MON,))
    plan = quick(p, 1.0)
    assert validate(p, plan) == []
    [u] = plan.unassigned
    assert u.reason == "week_full"
    m = re.search(r"need (\d+) more minutes on Monday 07/12", u.message_en)
    assert m, u.message_en
    route = plan.routes[0]
    assert int(m.group(1)) == round((route.work_time + 150 * MINUTE + 30 * MINUTE - 8 * HOUR) / 60)
    assert "window" not in u.message_en


def test_week_full_of_a_twice_weekly_visit_names_a_day_it_could_take() -> None:
    """Twice weekly, two days apart, Mon-Wed full: its missing visit is never pointed at the
    day its other visit is on, nor at the day next to it."""
    near = ("rododafni", "temeni", "valimitika")
    fillers = [make_visit(f"f{i}", near[i % 3], HOUR, priority=3) for i in range(21)]
    p = make_problem(
        [make_visit("two", "temeni", HOUR, frequency=2, min_gap_days=2), *fillers],
        dates=(MON, TUE, WED),
        day_defaults=NO_BREAK,
    )
    plan = quick(p, 1.5)
    assert validate(p, plan) == []
    served = [d for d, _ in stops_of(plan, "two")]
    missing = [u for u in plan.unassigned if u.visit_id == "two" and u.reason == "week_full"]
    for u in missing:
        day = date.fromisoformat(str(u.details["date"]))
        assert all(abs((day - d).days) >= 2 for d in served), (served, u.details)


def test_week_full_names_the_unit_and_the_weekly_cap_share() -> None:
    """Two units whose drivers may work 10 h a week over five 8 h days, searched by OR-Tools
    (which keeps the cap as a share per day): 2 h a day each. The reasons name the unit and
    the cap's share."""
    fillers = [make_visit(f"f{i}", "temeni", HOUR) for i in range(20)]
    p = make_problem(
        fillers,
        units=(make_unit("van1", weekly_max_work=10 * HOUR), make_unit("van2", weekly_max_work=10 * HOUR)),
        day_defaults={**NO_BREAK},
    )
    plan = quick(p, 1.0, search="ortools")
    assert validate(p, plan) == []
    assert plan.unassigned
    for u in plan.unassigned:
        assert u.reason == "week_full"
        unit = u.details["unit"]
        assert f"07/12 – Κινητή μονάδα {unit}" in u.message_en or f" – Κινητή μονάδα {unit}." in u.message_en
        assert f" – Κινητή μονάδα {unit}" in u.message_el
        assert "weekly cap (10 h), shared over the days, leaves 2 h that day" in u.message_en
        assert "εβδομαδιαίο όριο του οδηγού (10 ώρες)" in u.message_el


def test_week_full_under_a_weekly_cap_kept_whole_says_what_the_other_days_take() -> None:
    """A 6 h week over three days (ruin and recreate keeps it whole): a visit left out is
    told what the cap leaves on its best day after the other days, not a share of it."""
    near = ("rododafni", "temeni", "valimitika")
    visits = [make_visit(f"v{i}", near[i % 3], HOUR, priority=1 + i % 2) for i in range(12)]
    p = make_problem(visits, dates=(MON, TUE, WED), units=(make_unit(weekly_max_work=6 * HOUR),))
    plan = quick(p, 1.0)
    assert validate(p, plan) == []
    full = [u for u in plan.unassigned if u.reason == "week_full"]
    assert full
    for u in full:
        assert "The driver's weekly cap (6 h): the other days take" in u.message_en
        assert "shared over the days" not in u.message_en
        assert "Το εβδομαδιαίο όριο του οδηγού (6 ώρες): οι άλλες ημέρες παίρνουν" in u.message_el


def test_week_full_names_the_whole_cap_and_the_hours_already_worked() -> None:
    """The same week re-planned after 2 h worked on days kept from an 8 h cap: the days get
    the 6 h left, and the reason names the driver's cap (8 h) and the 2 h, not a 6 h cap."""
    near = ("rododafni", "temeni", "valimitika")
    visits = [make_visit(f"v{i}", near[i % 3], HOUR, priority=1 + i % 2) for i in range(12)]
    unit = make_unit(weekly_max_work=8 * HOUR, weekly_worked=2 * HOUR)
    p = make_problem(visits, dates=(MON, TUE, WED), units=(unit,))
    plan = quick(p, 1.0)
    assert validate(p, plan) == []
    assert sum(r.work_time for r in plan.routes) <= 6 * HOUR
    full = [u for u in plan.unassigned if u.reason == "week_full"]
    assert full
    for u in full:
        assert "The driver's weekly cap (8 h): 2 h already worked on the days kept, the other days take" in (
            u.message_en
        )
        assert "(8 ώρες): 2 ώρες ήδη δουλεμένες σε ημέρες που κρατήθηκαν, οι άλλες ημέρες" in u.message_el


def test_week_full_when_the_days_kept_used_up_the_cap() -> None:
    """More already worked on the days kept than the cap allows: the reason says the cap is used
    up, with no arithmetic of the other days (it said "the other days take -43.3 h"). Nothing
    fits the week even alone, so it is "unreachable" (it was "week_full", «It fits on its
    own»)."""
    visits = [make_visit("v1", "temeni", HOUR), make_visit("v2", "rododafni", HOUR, priority=2)]
    unit = make_unit(weekly_max_work=8 * HOUR, weekly_worked=10 * HOUR)
    p = make_problem(visits, dates=(MON, TUE), units=(unit,))
    plan = quick(p, 1.0)
    assert validate(p, plan) == [] and not plan.routes
    assert {u.visit_id for u in plan.unassigned} == {"v1", "v2"}
    for u in plan.unassigned:
        assert u.reason == "unreachable", u
        assert "weekly cap (8 h) is already used up: 10 h worked on the days kept" in u.message_en
        assert "(8 ώρες) έχει ήδη εξαντληθεί: 10 ώρες δουλεμένες" in u.message_el
        assert "-" not in u.message_en.split("cap")[1]


def test_staff_whose_hours_do_not_hold_the_visit_are_listed_with_a_greek_separator() -> None:
    """A 5-hour visit needs a social worker, and the two aboard split the day (08:00-12:00,
    12:00-16:00): the reason names both with their hours, separated by « · » in Greek (it was
    «;», the Greek question mark) and «; » in English."""
    day = {"crew": crew("sw1", "sw2", hours={"sw1": (hm(8), hm(12)), "sw2": (hm(12), hm(16))})}
    problem = make_problem(
        [make_visit("long", required_role="social_worker", service=5 * HOUR)],
        dates=(MON,),
        days={MON: day},
    )
    (u,) = quick(problem).unassigned
    assert "08:00-12:00" in u.message_el and "12:00-16:00" in u.message_el
    assert " · " in u.message_el and ";" not in u.message_el
    assert "; " in u.message_en


def test_a_pin_that_leaves_no_room_for_the_next_visit_is_named() -> None:
    """Twice a week, 2 days apart, pinned on Thursday: the week holds two such visits, but not
    from Thursday on. The reason said to lower the frequency, as if the week were too short; it
    now names the pin and says to pin an earlier day. Unpinned, nothing is left out."""
    from tests.planner.conftest import THU

    visit = make_visit("twice", frequency=2, min_gap_days=2, pinned_date=THU)
    plan = quick(make_problem([visit]))
    (u,) = plan.unassigned
    assert (u.reason, u.occurrence) == ("frequency", 1)
    assert "κλειδωμένη για την Πέμπτη 10/12" in u.message_el and "Κλειδώστε νωρίτερη ημέρα" in u.message_el
    assert "pinned to Thursday 10/12" in u.message_en and "Pin an earlier day" in u.message_en
    free = make_visit("twice", frequency=2, min_gap_days=2)
    assert quick(make_problem([free])).unassigned == ()


def test_a_visit_too_far_in_the_day_from_the_others_names_the_working_limit() -> None:
    """A pilot day to 20:00 with the driver's 8 h: a visit at 08:30 and one at 18:00 cannot
    share the day. The reason said the time left was not at an hour its window allows (0 more
    minutes needed) and never named the 8 h; it now gives the day's least span and the limit."""
    early = make_visit("early", time_windows=(TimeWindow(hm(8, 30), hm(9)),), priority=3)
    late = make_visit("late", "temeni", time_windows=(TimeWindow(hm(18), hm(18, 30)),))
    problem = make_problem(
        [early, late], dates=(MON,), days={MON: {"shift": TimeWindow(hm(8), hm(20)), "pilot": True}}
    )
    plan = quick(problem)
    assert validate(problem, plan) == []
    (u,) = plan.unassigned
    assert (u.visit_id, u.reason) == ("late", "week_full")
    assert "πάνω από το όριο των 8 ωρών εργασίας" in u.message_el and "18:00-18:30" in u.message_el
    assert "over the 8 h working limit" in u.message_en
    assert u.details["need_min"] > 0
    # with a 12 h limit that day both are served
    roomy = make_problem(
        [early, late], dates=(MON,),
        days={MON: {"shift": TimeWindow(hm(8), hm(20)), "pilot": True, "max_work": 12 * HOUR}},
    )  # fmt: skip
    assert quick(roomy).unassigned == ()
