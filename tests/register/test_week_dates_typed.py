"""Weeks as people type and reach them: a week whose working days are over (on a Saturday,
this ISO week), a week number the year does not have, ``2026w50``; and a holiday moved to
another day named as moved (the package's «παρατηρήθηκε» means "noticed")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from planner.cli import main
from planner.register.calendar import greek_holidays, holidays_closed
from planner.register.week_cli import resolve_week
from planner.schema import typed_iso_week


def test_on_a_saturday_this_week_is_over_and_next_week_is_offered(
    loaded_engine: Engine, db_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Planned on Saturday 28/11, W48 stored a draft with no routes and blamed every visit on
    «the unit is not available (holiday, closed)»."""
    monkeypatch.setenv("KINITO_TODAY", "2026-11-28")
    assert main(["week", "this", "--db", str(db_file), "--time-limit", "1"]) == 2
    err = capsys.readouterr().err
    assert "οι εργάσιμες ημέρες της εβδομάδας 2026-W48 έχουν περάσει (έως Παρασκευή 27/11/2026)" in err
    assert "plan next week (2026-W49)" in err
    monkeypatch.setenv("KINITO_TODAY", "2026-11-27")  # its Friday: still plannable (here: no units)
    main(["week", "this", "--db", str(db_file), "--time-limit", "0.5"])
    err = capsys.readouterr().err
    assert "έχουν περάσει" not in err and "έχει τελειώσει" not in err and "μονάδ" in err


def test_a_week_the_year_does_not_have_is_said_so(
    loaded_engine: Engine, db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["week", "2027-W53", "--db", str(db_file), "--time-limit", "1"]) == 2
    err = capsys.readouterr().err
    assert "η εβδομάδα 53 του 2027 δεν υπάρχει: το 2027 έχει εβδομάδες 01 έως 52" in err
    assert "week 53 of 2027 does not exist: 2027 has weeks 01 to 52" in err


def test_weeks_are_read_as_typed() -> None:
    for typed in ("2026w50", "2026-w50", "2026 W50", " 2026W50 ", "2026-W50"):
        assert typed_iso_week(typed) == "2026-W50", typed
        assert resolve_week(typed) == "2026-W50", typed
    assert typed_iso_week("2026-w5") == "2026-W05"
    assert typed_iso_week("W50") == "W50" and typed_iso_week("garbage") == "garbage"


def test_a_moved_may_day_is_named_as_moved() -> None:
    names = dict(greek_holidays([2027, 2033]))
    assert names[date(2027, 5, 4)] == "Εργατική Πρωτομαγιά (μεταφορά από 1/5)"
    assert names[date(2033, 5, 2)] == "Εργατική Πρωτομαγιά (μεταφορά από 1/5)"
    assert not any("παρατηρήθηκε" in name for name in holidays_closed(range(2026, 2036)).values())
