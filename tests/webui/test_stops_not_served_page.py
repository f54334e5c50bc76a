"""The version page says when due village stops are left out (a village told "Tuesdays at the
square" loses the unit; the unassigned list named them only among the rest), and when none at
all is served."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import MON, TUE, small_problem, store_version

from planner.model import MINUTE, Location, Plan, Unassigned, Visit
from tests.webui.test_web_urgent_outcomes import _route


def _page(coordinator: FlaskClient, app: Flask, served_stop: bool) -> str:
    square = Location("pteri", 38.15, 22.30, "Πτέρη", "mountainous")
    stops = tuple(
        Visit(f"vs-9{k}", square, 60 * MINUTE, kind="village_stop", name=name)
        for k, name in ((1, "Πτέρη: πλατεία"), (2, "Κουνινά: κοινοτικό γραφείο"))
    )
    homes = tuple(v for v in small_problem().visits if v.kind != "village_stop")
    problem = replace(small_problem(), visits=(*homes, *stops))
    routes = (_route(MON, "hv-1"), _route(TUE, "vs-91" if served_stop else "hv-3"))
    left = tuple(
        Unassigned(v.id, 0, "week_full", "Δεν χωράει.", "No room.")
        for v in stops
        if not (served_stop and v.id == "vs-91")
    )
    plan = Plan("x", routes, left, 0, 1, 1.0, 0.1)
    return coordinator.get(f"/desk/plans/{store_version(app, plan, 1, problem=problem)}").get_data(
        as_text=True
    )


def test_the_version_page_names_the_village_stops_left_out(coordinator: FlaskClient, app: Flask) -> None:
    page = _page(coordinator, app, served_stop=False)
    box = page[page.index('id="stops-not-served"') :]
    box = box[: box.index("</div>")]
    assert "2 από τις 2 στάσεις σε οικισμούς της εβδομάδας δεν εξυπηρετούνται" in box
    assert "Πτέρη: πλατεία" in box and "Κουνινά: κοινοτικό γραφείο" in box
    assert "Καμία στάση σε οικισμό δεν εξυπηρετείται" in box


def test_one_stop_served_is_not_none_served(coordinator: FlaskClient, app: Flask) -> None:
    page = _page(coordinator, app, served_stop=True)
    box = page[page.index('id="stops-not-served"') :]
    box = box[: box.index("</div>")]
    assert "1 από τις 2 στάσεις σε οικισμούς της εβδομάδας δεν εξυπηρετείται" in box
    assert "Κουνινά: κοινοτικό γραφείο" in box and "Πτέρη: πλατεία" not in box
    assert "Καμία στάση" not in box
