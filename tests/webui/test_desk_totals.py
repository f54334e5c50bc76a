"""A plan version's page gives the week's kilometres and driving minutes as the command line's
table does: summed over the routes, then rounded once (not the sum of each day's rounded
figure, which can differ from the CLI's total by a tenth of a km per day)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import MON, TUE, small_problem, store_version

from planner.model import HOUR, MINUTE, Plan, Route, Stop
from planner.render import format_plan_table


def _route(day: object, visit_id: str) -> Route:
    # 10,000 m out and 40 m back (10.04 km: 10.0 by the day), 900 s out, 930 s back (30.5 min)
    stop = Stop(visit_id, 0, 9 * HOUR, 9 * HOUR, 9 * HOUR + 30 * MINUTE, 900, 10_000)
    return Route("van1", day, 8 * HOUR + 45 * MINUTE, 10 * HOUR, (stop,), 930, 40)  # type: ignore[arg-type]


def test_the_weeks_km_and_driving_are_rounded_once_as_in_the_cli(
    coordinator: FlaskClient, app: Flask
) -> None:
    plan = Plan("x", (_route(MON, "hv-1"), _route(TUE, "hv-3")), (), 0, 1, 1.0, 0.1)
    page = coordinator.get(f"/desk/plans/{store_version(app, plan, 1)}").get_data(as_text=True)
    assert "<li><b>20,1</b> km</li>" in page  # 20,080 m; the days' 10.0 + 10.0 said 20.0
    assert " · 10,0 km · " in page and "10.0 km" not in page  # Greek: a decimal comma
    minutes = re.search(r"<li><b>(\d+)</b> [^<]*</li>", page[page.index("km</li>") :])
    assert minutes is not None and minutes.group(1) == "61"  # 3,660 s; the days' 30 + 30 said 60
    table = format_plan_table(plan, small_problem())
    total = next(line for line in table.splitlines() if line.startswith("Σύνολο"))
    assert "20,1" in total and "61" in total  # the CLI table: a decimal comma too


def test_kilometres_have_the_languages_decimal_mark(coordinator: FlaskClient, app: Flask) -> None:
    """Greek «20,1 km», English "20.1 km" (the page wrote 20.1 in both, management 20,1)."""
    plan = Plan("x", (_route(MON, "hv-1"), _route(TUE, "hv-3")), (), 0, 1, 1.0, 0.1)
    url = f"/desk/plans/{store_version(app, plan, 1)}"
    with coordinator.session_transaction() as session:
        session["lang"] = "en"
    page = coordinator.get(url).get_data(as_text=True)
    assert "<li><b>20.1</b> km</li>" in page and " · 10.0 km · " in page
