"""Every test runs on a fixed "today" (``KINITO_TODAY``): the register's weekly cycle plans
nothing before today and keeps today's published route, and the tests' fixed weeks
(2026-W49 to W52) must stay in the future of the day they were written on, whatever the
machine's clock says when they run."""

from __future__ import annotations

import pytest

TEST_TODAY = "2026-11-26"


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINITO_TODAY", TEST_TODAY)
