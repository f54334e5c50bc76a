"""The change list of an adjusted version, line by line, on hand-made plans: an occurrence
lost is not a day change, and two people of one short name are told apart by their place."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import MON, TUE, post, small_problem, store_version

from planner.model import Plan, Route, Stop, Visit
from webui.adjust import plan_changes

WED = date(2026, 12, 9)


def _plan(stops_by_day: dict[date, list[tuple[str, int]]]) -> Plan:
    routes = []
    for day, stops in stops_by_day.items():
        steps = tuple(
            Stop(vid, k, start, start, start + 1800, 600, 5000) for k, (vid, start) in enumerate(stops)
        )
        routes.append(Route("van1", day, 8 * 3600, 15 * 3600, steps, 600, 5000))
    return Plan("t", tuple(routes), (), 0, 1, 1.0, 1.0)


def test_an_occurrence_lost_is_said_so_not_a_day_change() -> None:
    problem = small_problem()
    twice = replace(problem, dates=(MON, TUE, WED))
    before = _plan({MON: [("hv-1", 9 * 3600)], WED: [("hv-1", 10 * 3600)]})
    after = _plan({MON: [("hv-1", 9 * 3600)]})
    (line,) = [c for c in plan_changes(before, twice, after, twice) if c.visit_id == "hv-1"]
    assert line.el.startswith("Δεν εξυπηρετείται πια: Αικατερίνη Ν. (ήταν Τετάρτη 9/12)")
    assert "μένει Δευτέρα 7/12 09:00" in line.el
    assert line.en == "No longer served: Αικατερίνη Ν. (was Wednesday 9/12); still Monday 7/12 09:00"
    back = [c for c in plan_changes(after, twice, before, twice) if c.visit_id == "hv-1"]
    assert [c.el for c in back] == ["Εξυπηρετείται τώρα και: Αικατερίνη Ν., Τετάρτη 9/12 10:00"]
    moved = _plan({TUE: [("hv-1", 9 * 3600)], WED: [("hv-1", 10 * 3600)]})
    (line,) = [c for c in plan_changes(after, twice, moved, twice) if c.visit_id == "hv-1"]
    assert line.el.startswith("Αλλαγή ημέρας")


def test_two_people_of_one_short_name_are_told_apart_by_place() -> None:
    problem = small_problem()
    hv1, hv3 = (next(v for v in problem.visits if v.id == i) for i in ("hv-1", "hv-3"))
    same: tuple[Visit, ...] = tuple(
        replace(v, name="Φωτεινή Κ.") if v.id in ("hv-1", "hv-3") else v for v in problem.visits
    )
    twins = replace(problem, visits=same)
    before = _plan({MON: [("hv-1", 9 * 3600), ("hv-3", 11 * 3600)]})
    after = _plan({TUE: [("hv-1", 9 * 3600)]})
    lines = {c.visit_id: c.el for c in plan_changes(before, twins, after, twins)}
    assert lines["hv-3"].startswith(f"Δεν εξυπηρετείται πια: Φωτεινή Κ., {hv3.location.name}")
    assert lines["hv-1"].startswith(f"Αλλαγή ημέρας: Φωτεινή Κ., {hv1.location.name}")
    alone = {c.visit_id: c.el for c in plan_changes(before, problem, after, problem)}
    assert alone["hv-3"].startswith("Δεν εξυπηρετείται πια: Σοφία Ι. (ήταν")


def test_a_visit_twice_a_week_with_its_first_day_past_says_only_that_one_is_kept(
    coordinator: FlaskClient, app: Flask
) -> None:
    """Adjust said «kept as published: its day has passed or is today» of a visit twice a week
    whose Monday was past, though its Tuesday was re-optimised (and could move or go): the row
    now says Monday's is kept and the other may move."""
    twice = replace(
        small_problem(),
        visits=tuple(replace(v, frequency=2) if v.id == "hv-1" else v for v in small_problem().visits),
    )
    plan = _plan({MON: [("hv-1", 9 * 3600)], TUE: [("hv-1", 9 * 3600), ("hv-3", 11 * 3600)]})
    pv_id = store_version(app, plan, 1, problem=twice)
    assert post(coordinator, f"/desk/plans/{pv_id}/publish").status_code == 302
    app.config["TODAY"] = MON.isoformat()
    page = coordinator.get(f"/desk/plans/{pv_id}/adjust").get_data(as_text=True)
    row = page.split('data-visit="hv-1"', 1)[1].split("</tr>", 1)[0]
    assert "Δευ 7/12 κρατείται όπως δημοσιεύτηκε" in row
    assert "οι άλλες επισκέψεις της αυτή την εβδομάδα μπορεί να μετακινηθούν" in row
    other = page.split('data-visit="hv-3"', 1)[1].split("</tr>", 1)[0]
    assert 'name="action-hv-3"' in other
