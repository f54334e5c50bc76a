"""A visit's outcome on a day is its last one: a driver who taps «done» by mistake and then
«not at home» (or two devices of one unit that disagree) leaves two rows, and counting both
made a visit not made count as done, so the week builder did not carry it over, and
management counted the visit twice (a reviewer's walkthrough, eighteenth session). A visit
found not at home at 09:10 and done at 13:00 is done."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, time, timedelta
from pathlib import Path

from field_helpers import TODAY, WEEK, demo_template
from sqlalchemy import select
from webui_helpers import COORDINATOR, login

from planner.register.db import make_engine, session_scope
from planner.register.models import PlanVersion
from planner.register.outcomes import ATHENS, record_outcome
from planner.register.week import _done_dates
from planner.schema import plan_from_dict
from webui import create_app
from webui.coverage import compute_figures


def test_the_last_outcome_of_a_visit_on_a_day_is_the_one_counted(tmp_path: Path) -> None:
    template, pv_id = demo_template(tmp_path / "template")
    db = tmp_path / "demo.sqlite3"
    shutil.copy(template, db)
    engine = make_engine(db)
    sunday = TODAY + timedelta(days=6)
    try:
        with session_scope(engine) as s:
            plan = plan_from_dict(
                json.loads(s.scalar(select(PlanVersion.plan_json).where(PlanVersion.id == pv_id)))
            )
            visit = next(
                st.visit_id
                for r in plan.routes
                if r.date == TODAY
                for st in r.stops
                if st.visit_id.startswith("cp-")
            )
            care_plan = int(visit.removeprefix("cp-"))
            before = compute_figures(s, TODAY, sunday).outcomes
        assert WEEK == "2026-W50" and sum(before.values()) == 0  # nothing recorded in the week yet

        def record(status: str, hhmm: time) -> None:
            with session_scope(engine, actor="odigos") as s:
                record_outcome(s, visit, status, on=TODAY, recorded_by="odigos",
                               at=datetime.combine(TODAY, hhmm, ATHENS), plan_version_id=pv_id)  # fmt: skip

        def counted() -> tuple[dict[str, int], list[object]]:
            with session_scope(engine) as s:
                figures = compute_figures(s, TODAY, sunday).outcomes
                done = _done_dates(s, TODAY, TODAY + timedelta(days=1))[0].get(care_plan, [])
            return {k: v for k, v in figures.items() if v}, list(done)

        record("done", time(9, 10))
        assert counted() == ({"done": 1}, [TODAY])
        record("not_at_home", time(9, 12))  # the tap corrected: not done after all
        assert counted() == ({"not_at_home": 1}, [])
        record("done", time(13, 0))  # back at one o'clock, and found in
        assert counted() == ({"done": 1}, [TODAY])
    finally:
        engine.dispose()
    # the office's list keeps all three, the first two marked as replaced
    app = create_app({"DATABASE_URL": str(db), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "TODAY": TODAY.isoformat()})  # fmt: skip
    try:
        client = app.test_client()
        assert login(client, COORDINATOR).status_code == 302
        page = client.get(f"/desk/outcomes/{WEEK}").get_data(as_text=True)
        assert page.count("data-superseded") == 2
        assert "αντικαταστάθηκε από μεταγενέστερη καταγραφή της επίσκεψης την ίδια ημέρα" in page
    finally:
        app.extensions["kinito_engine"].dispose()
