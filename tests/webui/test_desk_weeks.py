"""The planning desk takes a week as people type it (2026w50), and on a Saturday refuses the
ISO week whose working days are over, offering next week (it stored a draft with no routes,
every visit blamed on a closure)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import post


def test_a_week_typed_in_lower_case_without_a_dash_is_planned(coordinator: FlaskClient, app: Flask) -> None:
    response = post(coordinator, "/desk/plan", {"iso_week": "2026w50", "time_limit": "1"})
    assert response.status_code == 302 and "/desk/jobs/" in response.location
    (job,) = app.extensions["kinito_jobs"].jobs()
    assert job.iso_week == "2026-W50"


def test_on_a_saturday_this_weeks_working_days_are_over(coordinator: FlaskClient, app: Flask) -> None:
    app.config["TODAY"] = "2026-11-28"
    response = post(coordinator, "/desk/plan", {"iso_week": "2026-W48", "time_limit": "1"})
    assert response.status_code == 302 and response.location.endswith("/desk/")
    page = coordinator.get("/desk/").get_data(as_text=True)
    assert "Οι εργάσιμες ημέρες της εβδομάδας 2026-W48" in page and "2026-W49" in page
    assert app.extensions["kinito_jobs"].jobs() == []
    app.config["TODAY"] = "2026-11-27"  # its Friday: planned
    response = post(coordinator, "/desk/plan", {"iso_week": "2026-W48", "time_limit": "1"})
    assert "/desk/jobs/" in response.location


def test_a_search_time_with_a_decimal_comma_is_read(coordinator: FlaskClient, app: Flask) -> None:
    """«7,5» seconds as a Greek keyboard types it: 7.5 s (type=number dropped the comma: 75 s)."""
    page = coordinator.get("/desk/").get_data(as_text=True)
    before, after = page.split('id="time_limit"', 1)
    field = before.rsplit("<input", 1)[1] + after.split(">")[0]
    assert 'type="number"' not in field and 'inputmode="decimal"' in field
    response = post(coordinator, "/desk/plan", {"iso_week": "2026-W50", "time_limit": "7,5"})
    assert response.status_code == 302 and "/desk/jobs/" in response.location
    (job,) = app.extensions["kinito_jobs"].jobs()
    assert job.time_limit == 7.5


def test_adjusts_search_time_with_a_decimal_comma_is_read() -> None:
    from webui.desk import time_limit_of

    assert time_limit_of("7,5", 8.0) == 7.5 and time_limit_of("", 8.0) == 8.0
    assert time_limit_of("x", 8.0) is None
