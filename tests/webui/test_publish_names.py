"""Publishing a version that replaces another unit set's published version names it: before,
the confirmation said only «Δημοσίευση αυτής της έκδοσης;» and the flash «Δημοσιεύτηκε.»,
and the van's own published version silently went back to draft."""

from __future__ import annotations

import html
import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import post

from planner.register.db import session_scope
from planner.register.models import PlanVersion, Unit
from planner.register.week import plan_week, publish

WEEK = "2026-W52"
TODAY = date(2026, 11, 26)


def test_publishing_names_the_published_versions_it_replaces(coordinator: FlaskClient, app: Flask) -> None:
    app.config["TODAY"] = TODAY.isoformat()
    engine = app.extensions["kinito_engine"]
    with session_scope(engine, actor="test") as s:
        s.add(
            Unit(
                name="Αυτοκίνητο Διακοπτού", base_name="Διακοπτό", base_lat=38.19, base_lon=22.196, capacity=1
            )
        )
    van_only = plan_week(engine, WEEK, units=["van1"], time_limit=0.3, workers=1, today=TODAY)
    publish(engine, van_only.plan_version_id, today=TODAY)
    both = plan_week(engine, WEEK, time_limit=0.3, workers=1, today=TODAY)
    with session_scope(engine) as s:
        replaced = s.get(PlanVersion, van_only.plan_version_id)
        assert replaced is not None
        number = replaced.version
    named = re.compile(rf"(version|έκδοση) {number} \(van1\)")

    page = coordinator.get(f"/desk/plans/{both.plan_version_id}").get_data(as_text=True)
    form = page[page.index('id="publish-form"') :]
    confirm = html.unescape(re.search(r'data-confirm="([^"]*)"', form).group(1))  # type: ignore[union-attr]
    assert named.search(confirm), confirm

    done = post(
        coordinator,
        f"/desk/plans/{both.plan_version_id}/publish",
        {"replaces": str(van_only.plan_version_id)},
        follow_redirects=True,
    )
    text = html.unescape(done.get_data(as_text=True))
    assert "Δημοσιεύτηκε." in text and named.search(text), text[:2000]
    with session_scope(engine) as s:
        assert s.get(PlanVersion, van_only.plan_version_id).status == "draft"  # type: ignore[union-attr]

    # nothing published before: the confirmation is the plain one, and no such flash
    again = plan_week(engine, "2027-W01", time_limit=0.3, workers=1, today=TODAY)
    page = coordinator.get(f"/desk/plans/{again.plan_version_id}").get_data(as_text=True)
    form = page[page.index('id="publish-form"') :]
    confirm = html.unescape(re.search(r'data-confirm="([^"]*)"', form).group(1))  # type: ignore[union-attr]
    assert not re.search(r"(version|έκδοση) \d+ \(", confirm), confirm


def test_the_version_page_says_why_its_visits_changed(coordinator: FlaskClient, app: Flask) -> None:
    """A re-plan after an absence lists its changes against the published version; the page
    now says, above them, what the calendar changed: who is away, on which route's day."""
    from planner.register.models import CalendarDay, Staff

    app.config["TODAY"] = TODAY.isoformat()
    engine = app.extensions["kinito_engine"]
    first = plan_week(engine, WEEK, time_limit=0.3, workers=1, today=TODAY)
    publish(engine, first.plan_version_id, today=TODAY)
    # a day the psychologist rides too: the van still goes out, without Μαρία
    route = next(r for r in first.plan.routes if r.stops and r.date.isoweekday() in (1, 3))
    with session_scope(engine, actor="test") as s:
        maria = next(st for st in s.query(Staff).all() if st.name == "Μαρία Κ.")
        s.add(CalendarDay(day=route.date, kind="staff_unavailable", staff_id=maria.id))
    again = plan_week(engine, WEEK, time_limit=0.3, workers=1, today=TODAY)
    page = html.unescape(coordinator.get(f"/desk/plans/{again.plan_version_id}").get_data(as_text=True))
    assert 'id="changes"' in page
    why = page[page.index('id="changes-why"') :]
    why = why[: why.index("</div>")]
    assert "Μαρία Κ." in why and "van1" in why, why
    assert page.index('id="changes-why"') < page.index('id="changes"')
