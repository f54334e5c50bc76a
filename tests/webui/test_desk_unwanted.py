"""A stored plan's visits that the register no longer asks for (a care plan paused, a stop made
inactive after the plan was made) are named on the version's page and when it is published:
before, a draft was published with them and «Δημοσιεύτηκε.» alone."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import post

from planner.register.db import session_scope
from planner.register.models import CarePlan, PlanVersion, VillageStop
from planner.register.week import no_longer_wanted
from planner.schema import plan_from_dict, problem_from_dict


def _planned(coordinator: FlaskClient, app: Flask) -> dict[str, Any]:
    app.config["TODAY"] = "2026-11-26"
    response = post(coordinator, "/desk/plan", {"iso_week": "2026-W52", "time_limit": "1"})
    assert response.status_code == 302
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        data = coordinator.get(response.location + ".json").get_json()
        if data["state"] != "running":
            assert data["state"] == "done", data
            return dict(data)
        time.sleep(0.1)
    raise AssertionError("the planning job did not finish")


def test_visits_paused_after_planning_are_named_before_and_after_publishing(
    coordinator: FlaskClient, app: Flask
) -> None:
    done = _planned(coordinator, app)
    url = done["result_url"]
    assert 'id="no-longer-wanted"' not in coordinator.get(url).get_data(as_text=True)
    with session_scope(app.extensions["kinito_engine"], actor="other") as s:
        row = s.get(PlanVersion, done["plan_version_id"])
        assert row is not None
        plan = plan_from_dict(json.loads(row.plan_json))
        problem = problem_from_dict(json.loads(row.problem_json))
        served = [stop.visit_id for r in plan.routes for stop in r.stops]
        cp_id = next(int(v[3:]) for v in served if v.startswith("cp-"))
        vs_id = next(int(v[3:]) for v in served if v.startswith("vs-"))
        care_plan = s.get(CarePlan, cp_id)
        stop = s.get(VillageStop, vs_id)
        assert care_plan is not None and stop is not None
        care_plan.status = "paused"
        stop.active = False
        person = care_plan.beneficiary.full_name
        s.flush()
        found = no_longer_wanted(s, plan, problem)
        assert {u.visit_id for u in found} == {f"cp-{cp_id}", f"vs-{vs_id}"}
    page = coordinator.get(url).get_data(as_text=True)
    box = page[page.index('id="no-longer-wanted"') :]
    box = box[: box.index("</div>")]
    assert person in box and "το πλάνο φροντίδας είναι σε παύση" in box and "η στάση είναι ανενεργή" in box
    published = post(coordinator, f"/desk/plans/{done['plan_version_id']}/publish", follow_redirects=True)
    text = published.get_data(as_text=True)
    assert "Δημοσιεύτηκε." in text
    assert "Το μητρώο δεν ζητά πια 2 επισκέψεις αυτού του προγράμματος" in text and person in text


def test_a_paused_person_is_said_paused_as_the_register_says(coordinator: FlaskClient, app: Flask) -> None:
    """The register pauses a person («Σε παύση»); the desk said «ο ωφελούμενος είναι πια
    ανενεργός», a word the coordinator never sees elsewhere."""
    done = _planned(coordinator, app)
    with session_scope(app.extensions["kinito_engine"], actor="other") as s:
        row = s.get(PlanVersion, done["plan_version_id"])
        assert row is not None
        plan = plan_from_dict(json.loads(row.plan_json))
        problem = problem_from_dict(json.loads(row.problem_json))
        cp_id = next(
            int(st.visit_id[3:]) for r in plan.routes for st in r.stops if st.visit_id.startswith("cp-")
        )
        care_plan = s.get(CarePlan, cp_id)
        assert care_plan is not None
        care_plan.beneficiary.active = False
        s.flush()
        (found,) = [u for u in no_longer_wanted(s, plan, problem) if u.visit_id == f"cp-{cp_id}"]
    assert (found.why_el, found.why_en) == ("ο ωφελούμενος είναι σε παύση", "the person is paused")
