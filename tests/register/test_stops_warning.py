"""Due village stops left out of the week are said apart, not only as `week_full` lines among
the unassigned visits (a reviewer's register: 29 stops due, none served, and no word of it),
and a stop ranks at least as an ordinary home visit of the week with the same weeks overdue."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from planner.cli import main
from planner.model import Unassigned
from planner.register import models as m
from planner.register.db import session_scope
from planner.register.week import build_week, plan_week, unserved_stops, unserved_stops_warning

AIGIO, KOUNINA, PTERI = "3702010101", "3702010701", "3702011101"
W50 = "2026-W50"  # Mon 7 - Fri 11 December 2026
GROUPS = ["kea", "disability", "living_alone"]


def _register(engine: Engine, groups: list[str] | None = None) -> None:
    """One unit, one social worker on Mondays only, six weekly home visits in Aigio (priority
    groups ``groups``) and two half-day village stops: the Monday cannot take both."""
    with session_scope(engine, actor="test") as s:
        s.add(m.Unit(name="Βαν", base_name="Κέντρο Κοινότητας", base_lat=38.2498, base_lon=22.0816))
        s.add(m.Staff(name="Κοινωνική Λειτουργός", role="social_worker", weekdays=[1]))
        for n in range(6):
            person = m.Beneficiary(
                full_name=f"Πρόσωπο {n + 1}", settlement_code=AIGIO, priority_groups=list(groups or [])
            )
            s.add(person)
            s.flush()
            s.add(
                m.CarePlan(
                    beneficiary_id=person.id,
                    service="home_care",
                    required_role="social_worker",
                    duration_min=60,
                    frequency_kind="weekly",
                    frequency_count=1,
                    start_date=date(2026, 1, 5),
                )
            )
        for code, place in ((PTERI, "πλατεία"), (KOUNINA, None)):
            s.add(
                m.VillageStop(
                    settlement_code=code,
                    place=place,
                    duration_min=240,
                    announced_times=["09:00"],
                    frequency_kind="weekly",
                    frequency_count=1,
                    usual_weekday=1,
                    required_role="social_worker",
                )
            )


def test_kinito_week_warns_when_the_weeks_village_stops_are_not_served(
    loaded_engine: Engine, db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _register(loaded_engine, GROUPS)
    code = main(["week", W50, "--db", str(db_file), "--time-limit", "1", "--workers", "1", "--seed", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 από τις 2 στάσεις σε οικισμούς της εβδομάδας δεν εξυπηρετούνται: Πτέρη: πλατεία, Κουνινά" in out
    assert "warning: 2 of the week's 2 village stops are not served: Πτέρη: πλατεία, Κουνινά" in out
    assert "καμία στάση σε οικισμό δεν εξυπηρετείται" in out and "not one village stop is served" in out


def test_the_warning_counts_names_up_to_ten_and_a_stop_served_on_some_of_its_days(
    loaded_engine: Engine,
) -> None:
    _register(loaded_engine, GROUPS)
    result = plan_week(loaded_engine, W50, time_limit=1, workers=1, seed=1)
    plan, problem = result.plan, result.problem
    stop = next(v for v in problem.visits if v.kind == "village_stop")
    assert unserved_stops(plan, problem).none_served
    # twelve more stops, all left out, and the first one twice a week and served once
    more = [replace(stop, id=f"vs-{100 + i}", name=f"Χωριό {i + 1}") for i in range(12)]
    twice = replace(more[0], frequency=2, min_gap_days=2)
    route = plan.routes[0]
    served = replace(route, stops=(*route.stops, replace(route.stops[-1], visit_id=twice.id, occurrence=0)))
    left = [Unassigned(v.id, 0, "week_full", "", "") for v in more[1:]]
    bigger = replace(problem, visits=(*problem.visits, twice, *more[1:]))
    plan = replace(
        plan,
        routes=(served, *plan.routes[1:]),
        unassigned=(*plan.unassigned, Unassigned(twice.id, 1, "week_full", "", ""), *left),
    )
    lines = unserved_stops_warning(plan, bigger)
    assert len(lines) == 1  # one stop is served (once): not "none at all"
    el, en = lines[0].split(" / ")
    assert el.startswith("προσοχή: 14 από τις 14 στάσεις σε οικισμούς της εβδομάδας δεν εξυπηρετούνται: ")
    assert "Χωριό 1 (μόνο 1 από 2 φορές)" in el and "Χωριό 8, και 4 ακόμη" in el and "Χωριό 9" not in el
    assert en.startswith("warning: 14 of the week's 14 village stops are not served: ")
    assert "Χωριό 1 (only 1 of 2 times)" in en and en.endswith("and 4 more")
    # every stop served: nothing to say
    everyone = replace(plan, unassigned=tuple(u for u in plan.unassigned if not u.visit_id.startswith("vs-")))
    assert unserved_stops_warning(everyone, bigger) == []


def test_a_stop_ranks_at_least_as_the_weeks_ordinary_home_visit(loaded_engine: Engine) -> None:
    """Every person in three priority groups: a stop due with no weeks overdue ranks as their
    visits do (1 + 3), not at 1."""
    _register(loaded_engine, GROUPS)
    with session_scope(loaded_engine) as s:
        visits = build_week(s, W50).problem.visits
    homes = {v.priority for v in visits if v.kind == "home_visit"}
    stops = {v.priority for v in visits if v.kind == "village_stop"}
    assert homes == {4} and stops == {4}


def test_a_stop_is_served_before_a_home_visit_below_the_ordinary_one(loaded_engine: Engine) -> None:
    """Monday's 09:00 can take the village's announced stop or the visit of a person in one
    priority group (most people are in three): the village gets the unit. Before, the stop
    (priority 1) gave way to any home visit."""
    with session_scope(loaded_engine, actor="test") as s:
        s.add(m.Unit(name="Βαν", base_name="Κέντρο Κοινότητας", base_lat=38.2498, base_lon=22.0816))
        s.add(m.Staff(name="Κοινωνική Λειτουργός", role="social_worker", weekdays=[1]))
        people = [(GROUPS, ["12:00", "16:00"])] * 3 + [(["kea"], ["09:00", "10:30"])]
        for n, (groups, hours) in enumerate(people):
            person = m.Beneficiary(
                full_name=f"Πρόσωπο {n + 1}", settlement_code=AIGIO, priority_groups=groups
            )
            s.add(person)
            s.flush()
            plan = m.CarePlan(
                beneficiary_id=person.id,
                service="home_care",
                required_role="social_worker",
                duration_min=60,
                frequency_kind="weekly",
                frequency_count=1,
                start_date=date(2026, 1, 5),
                time_windows=[hours],
            )
            s.add(plan)
            s.flush()
            home = f"cp-{plan.id}"  # the last: the person in one group, at 09:00
        stop = m.VillageStop(
            settlement_code=AIGIO,
            place="πλατεία",
            duration_min=60,
            announced_times=["09:00"],
            frequency_kind="weekly",
            frequency_count=1,
            usual_weekday=1,
            required_role="social_worker",
        )
        s.add(stop)
        s.flush()
        vid = f"vs-{stop.id}"
    result = plan_week(loaded_engine, W50, time_limit=1, workers=1, seed=1)
    served = {st.visit_id for r in result.plan.routes for st in r.stops}
    assert vid in served
    assert [u.visit_id for u in result.plan.unassigned] == [home]
    assert unserved_stops_warning(result.plan, result.problem) == []
