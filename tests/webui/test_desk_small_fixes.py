"""The desk walkthrough of the twentieth session: a run's page after a restart, «1 λεπτό», an
urgent visit's name in one language, the moved village stops still to come."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import MON, TUE, small_problem, store_version

from planner.model import HOUR, Plan, Route, Stop


def test_a_runs_page_after_a_restart_leads_to_the_desk(coordinator: FlaskClient) -> None:
    """It was a bare «this page does not exist», though the version was stored."""
    page = coordinator.get("/desk/jobs/0123456789abcdef")
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "δεν είναι πια γνωστή στον διακομιστή" in text and 'href="/desk/"' in text


def _plan(visit_id: str, day: object = MON, wait: int = 60) -> Plan:
    stop = Stop(visit_id, 0, 9 * HOUR - wait, 9 * HOUR, 10 * HOUR, 900, 10_000)
    depart, back = 9 * HOUR - wait - 900, 10 * HOUR + 930  # ``wait`` seconds of waiting, no more
    route = Route("van1", day, depart, back, (stop,), 930, 10_000)  # type: ignore[arg-type]
    return Plan("x", (route,), (), 0, 1, 1.0, 0.1)


def test_one_minute_is_singular_and_an_urgent_visit_is_named_in_greek(
    coordinator: FlaskClient, app: Flask
) -> None:
    """«αναμονή 1 λεπτά» and «Αικατερίνη Ν. (επείγουσα / urgent)» on the Greek page."""
    problem = small_problem()
    visits = tuple(
        replace(v, name=f"{v.name} (επείγουσα / urgent)") if v.id == "hv-1" else v for v in problem.visits
    )
    url = f"/desk/plans/{store_version(app, _plan('hv-1'), 1, problem=replace(problem, visits=visits))}"
    page = coordinator.get(url).get_data(as_text=True)
    assert "αναμονή 1 λεπτό" in page and "αναμονή 1 λεπτά" not in page
    assert "Αικατερίνη Ν. (επείγουσα)" in page and "/ urgent" not in page


def test_a_moved_village_stop_already_past_is_not_listed(coordinator: FlaskClient, app: Flask) -> None:
    """Its day past (or today's kept route), it cannot be pinned back: not listed to act on."""
    problem = small_problem()
    visits = tuple(replace(v, preferred_weekday=1) if v.id == "vs-2" else v for v in problem.visits)
    pv = store_version(app, _plan("vs-2", MON, 0), 1, problem=replace(problem, visits=visits))
    assert 'id="off-usual-day"' in coordinator.get(f"/desk/plans/{pv}").get_data(as_text=True)
    app.config["TODAY"] = TUE.isoformat()
    assert 'id="off-usual-day"' not in coordinator.get(f"/desk/plans/{pv}").get_data(as_text=True)


def test_adjust_shows_a_pin_and_takes_it_off(coordinator: FlaskClient, app: Flask) -> None:
    """Pins carry from version to version, but Adjust showed none and could not take one off
    («keep» kept the hidden pin). Now it says «κλειδωμένη για …» and offers to keep it unpinned."""
    from webui.adjust import adjusted_problem

    problem = small_problem()
    visits = tuple(replace(v, pinned_date=TUE) if v.id == "hv-3" else v for v in problem.visits)
    pinned = replace(problem, visits=visits)
    pv = store_version(app, _plan("hv-1"), 1, problem=pinned)
    page = coordinator.get(f"/desk/plans/{pv}/adjust").get_data(as_text=True)
    row = page[page.index('data-visit="hv-3"') :]
    row = row[: row.index("</tr>")]
    assert "κλειδωμένη για Τρί 8/12" in row and 'value="unpin"' in row
    other = page[page.index('data-visit="hv-1"') :]
    assert 'value="unpin"' not in other[: other.index("</tr>")]
    after = {v.id: v for v in adjusted_problem(pinned, _plan("hv-1"), {"hv-3": "unpin"}).visits}
    assert after["hv-3"].pinned_date is None
    kept = {v.id: v for v in adjusted_problem(pinned, _plan("hv-1"), {}).visits}
    assert kept["hv-3"].pinned_date == TUE
