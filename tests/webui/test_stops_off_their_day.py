"""A village stop the plan moves off the weekday the village expects (its preferred weekday is
a soft wish the search trades for serving more) was moved silently: villagers told «Friday
12:00» found nobody. The command line's notes and the plan's page now list such stops."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import MON, TUE, small_problem, store_version

from planner.model import HOUR, MINUTE, Plan, Route, Stop
from planner.render import format_plan_table, stops_off_their_day


def _stop_on(day: object) -> Plan:
    stop = Stop("vs-2", 0, 9 * HOUR, 9 * HOUR, 10 * HOUR + 30 * MINUTE, 900, 10_000)
    route = Route("van1", day, 8 * HOUR + 45 * MINUTE, 11 * HOUR, (stop,), 930, 10_000)  # type: ignore[arg-type]
    return Plan("x", (route,), (), 0, 1, 1.0, 0.1)


def _expects_tuesday() -> object:
    problem = small_problem()
    visits = tuple(replace(v, preferred_weekday=1) if v.id == "vs-2" else v for v in problem.visits)
    return replace(problem, visits=visits)


def test_the_command_line_notes_a_stop_off_its_usual_day() -> None:
    problem = _expects_tuesday()
    assert [(v.id, days) for v, days in stops_off_their_day(_stop_on(MON), problem)] == [("vs-2", (MON,))]
    assert stops_off_their_day(_stop_on(TUE), problem) == []
    assert stops_off_their_day(_stop_on(MON), small_problem()) == []  # no usual day: nothing to say
    table = format_plan_table(_stop_on(MON), problem)  # type: ignore[arg-type]
    assert "vs-2 Στάση Κουνινών: Δευ 07/12, όχι Τρίτη όπως συνήθως: ενημερώστε το χωριό" in table
    assert "on Mon 07/12, not on its usual Tuesday: tell the village" in table


def test_the_plans_page_lists_a_stop_off_its_usual_day(coordinator: FlaskClient, app: Flask) -> None:
    problem = _expects_tuesday()
    moved = store_version(app, _stop_on(MON), 1, problem=problem)  # type: ignore[arg-type]
    page = coordinator.get(f"/desk/plans/{moved}").get_data(as_text=True)
    assert 'id="off-usual-day"' in page and "Στάση Κουνινών: Δευ 7/12 (συνήθως: Τρίτη)" in page
    kept = store_version(app, _stop_on(TUE), 2, problem=problem)  # type: ignore[arg-type]
    assert 'id="off-usual-day"' not in coordinator.get(f"/desk/plans/{kept}").get_data(as_text=True)
