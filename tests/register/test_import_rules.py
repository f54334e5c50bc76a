"""The import refuses what the web forms refuse and what could never be planned: care plans only
on Saturday or Sunday, hours shorter than the visit or outside the Centre's day, durations out of
the forms' range, more weekly visits than allowed days, a named staff member who never works on
the allowed days; stops on a weekend day or announced outside the Centre's day
(planner.register.rules)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from planner.register import rules
from planner.register.db import session_scope
from planner.register.importer import import_file
from planner.register.models import Staff
from tests.register.test_import_helpers import GOOD_PERSON, GOOD_STOP, counts, write_csv


def _errors(engine: Engine, path: Path, **kind: str) -> list[tuple[int | None, str | None, str, str, str]]:
    """(row, column, value, Greek, English) of each error; the file must change nothing."""
    before = counts(engine)
    report = import_file(engine, path, **kind)  # type: ignore[arg-type]
    if report.errors:
        assert not report.written and counts(engine) == before
    return [(e.row, e.column, e.value, e.message_el, e.message_en) for e in report.errors]


def _plan(tmp_path: Path, **cells: str) -> Path:
    """A file of GOOD_PERSON with ``cells`` changed (keys: the Greek headers)."""
    row = {**GOOD_PERSON, **cells}
    return write_csv(tmp_path / "plans.csv", [row])


def _stop(tmp_path: Path, **cells: str) -> Path:
    row = {**GOOD_STOP, **cells}
    return write_csv(tmp_path / "stops.csv", [row])


# --- care plans ------------------------------------------------------------------------------


@pytest.mark.parametrize("days", ["Κυριακή", "Σάββατο", "Σαβ-Κυρ", "Saturday, Sunday"])
def test_a_plan_allowed_only_on_a_weekend_day_is_refused(
    loaded_engine: Engine, tmp_path: Path, days: str
) -> None:
    """The Centre works Monday to Friday: the cell is an error in both languages, as in the web form."""
    [(row, column, value, el, en)] = _errors(loaded_engine, _plan(tmp_path, Ημέρες=days))
    assert (row, column, value) == (2, "Ημέρες", days)
    assert el.startswith("Το Κέντρο εργάζεται Δευτέρα με Παρασκευή")
    assert en.startswith("The Centre works Monday to Friday")


def test_a_weekend_day_beside_a_working_day_is_kept(loaded_engine: Engine, tmp_path: Path) -> None:
    """As in the web form: Friday or Saturday is still planned (on Friday)."""
    assert _errors(loaded_engine, _plan(tmp_path, Ημέρες="Παρασκευή, Σάββατο")) == []


def test_hours_shorter_than_the_visit_are_refused(loaded_engine: Engine, tmp_path: Path) -> None:
    """08:00-08:20 for a 30-minute visit: the web form's message, naming the window and the visit."""
    path = _plan(tmp_path, **{"Διάρκεια (λεπτά)": "30", "Ώρες": "10:00-12:00, 08:00-08:20"})
    [(row, column, value, el, en)] = _errors(loaded_engine, path)
    assert (row, column, value) == (2, "Ώρες", "10:00-12:00, 08:00-08:20")
    assert el == "Το 08:00-08:20 είναι μικρότερο από την επίσκεψη (30 λεπτά)."
    assert en == "The window 08:00-08:20 is shorter than the visit (30 minutes)."
    exact = _plan(tmp_path, **{"Διάρκεια (λεπτά)": "30", "Ώρες": "08:00-08:30"})
    assert _errors(loaded_engine, exact) == []


@pytest.mark.parametrize(
    ("hours", "ok"),
    [("06:00-07:30", False), ("07:00-08:30", False), ("19:30-21:00", False), ("07:00-09:00", True),
     ("17:00-19:00", True), ("18:00-22:00", True)],
)  # fmt: skip
def test_hours_that_leave_no_room_in_the_centres_day_are_refused(
    loaded_engine: Engine, tmp_path: Path, hours: str, ok: bool
) -> None:
    """A 60-minute visit needs an hour of the window between 08:00 and 20:00 (after 16:00 only the
    extended-hours days, which the template's 17:00-19:00 example relies on)."""
    errors = _errors(loaded_engine, _plan(tmp_path, **{"Διάρκεια (λεπτά)": "60", "Ώρες": hours}))
    if ok:
        assert errors == []
    else:
        [(_row, column, _value, el, en)] = errors
        assert column == "Ώρες" and "08:00-20:00" in el and "08:00-20:00" in en


@pytest.mark.parametrize(("minutes", "ok"), [("4", False), ("5", True), ("480", True), ("481", False),
                                             ("600", False), ("0", False)])  # fmt: skip
def test_a_care_plans_duration_is_5_to_480_minutes_as_in_the_web_form(
    loaded_engine: Engine, tmp_path: Path, minutes: str, ok: bool
) -> None:
    errors = _errors(loaded_engine, _plan(tmp_path, **{"Διάρκεια (λεπτά)": minutes, "Ώρες": ""}))
    if ok:
        assert errors == []
    else:
        [(_row, column, value, el, en)] = errors
        assert (column, value) == ("Διάρκεια (λεπτά)", minutes)
        assert "από 5 έως 480" in el and "from 5 to 480" in en


@pytest.mark.parametrize(
    ("frequency", "days", "allowed"),
    [("2 φορές την εβδομάδα", "Δευτέρα", 1), ("3 φορές την εβδομάδα", "Δευ, Τετ, Σαβ, Κυρ", 2),
     ("6 φορές την εβδομάδα", "", 5), ("7 φορές την εβδομάδα", "Δευ-Κυρ", 5)],
)  # fmt: skip
def test_more_weekly_visits_than_allowed_working_days_are_refused(
    loaded_engine: Engine, tmp_path: Path, frequency: str, days: str, allowed: int
) -> None:
    """Each visit of a week needs its own day (as the web form says); the error is on the frequency."""
    [(_row, column, value, el, en)] = _errors(
        loaded_engine, _plan(tmp_path, Συχνότητα=frequency, Ημέρες=days)
    )
    assert (column, value) == ("Συχνότητα", frequency)
    count = frequency.split()[0]
    assert el.startswith(f"{count} επισκέψεις την εβδομάδα θέλουν ισάριθμες διαφορετικές ημέρες")
    assert f" {allowed} " in el and f" {allowed} " in en
    enough = _plan(tmp_path, Συχνότητα="2 φορές την εβδομάδα", Ημέρες="Δευτέρα, Πέμπτη")
    assert _errors(loaded_engine, enough) == []


def test_a_named_staff_member_who_never_works_on_the_allowed_days_is_refused(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    """A social worker of Tuesdays and Thursdays named on a plan of Mondays and Wednesdays."""
    with session_scope(loaded_engine) as session:
        session.add(Staff(external_id="sw-tt", name="Άννα Τ.", role="social_worker", weekdays=[2, 4]))
    path = _plan(tmp_path, Υπάλληλος="sw-tt", Ημέρες="Δευ, Τετάρτη")
    [(_row, column, value, el, en)] = _errors(loaded_engine, path)
    assert (column, value) == ("Υπάλληλος", "sw-tt")
    assert el == "«Άννα Τ.»: δεν εργάζεται σε καμία από τις ημέρες που επιτρέπει αυτό το πλάνο."
    assert en == "«Άννα Τ.» works on none of the days this plan allows."
    assert _errors(loaded_engine, _plan(tmp_path, Υπάλληλος="sw-tt", Ημέρες="Δευ-Παρ")) == []


# --- village stops ---------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["Σάββατο", "Κυριακή"])
def test_a_stop_usually_on_a_weekend_day_is_refused(loaded_engine: Engine, tmp_path: Path, day: str) -> None:
    [(_row, column, value, el, en)] = _errors(loaded_engine, _stop(tmp_path, Ημέρα=day), kind="stops")
    assert (column, value) == ("Ημέρα", day)
    assert el.startswith("Το Κέντρο εργάζεται Δευτέρα με Παρασκευή") and day in el
    assert en.startswith("The Centre works Monday to Friday")


@pytest.mark.parametrize(("minutes", "ok"), [("9", False), ("10", True), ("600", True), ("601", False)])
def test_a_stops_duration_is_10_to_600_minutes_as_in_the_web_form(
    loaded_engine: Engine, tmp_path: Path, minutes: str, ok: bool
) -> None:
    path = _stop(tmp_path, **{"Διάρκεια (λεπτά)": minutes, "Ώρες ανακοίνωσης": "08:00"})
    errors = _errors(loaded_engine, path, kind="stops")
    if ok:
        assert errors == []
    else:
        [(_row, column, _value, el, en)] = errors
        assert column == "Διάρκεια (λεπτά)" and "από 10 έως 600" in el and "from 10 to 600" in en


@pytest.mark.parametrize(
    ("times", "ok"),
    [("07:30", False), ("10:00, 19:00", False), ("18:01", False), ("08:00, 18:00", True), ("14:30", True)],
)
def test_announced_times_must_fit_the_stop_into_the_centres_day(
    loaded_engine: Engine, tmp_path: Path, times: str, ok: bool
) -> None:
    """A 120-minute stop starts at 08:00 at the earliest and ends by 20:00 (after 16:00 only on
    extended-hours days)."""
    path = _stop(tmp_path, **{"Διάρκεια (λεπτά)": "120", "Ώρες ανακοίνωσης": times})
    errors = _errors(loaded_engine, path, kind="stops")
    if ok:
        assert errors == []
    else:
        [(_row, column, value, el, en)] = errors
        assert (column, value) == ("Ώρες ανακοίνωσης", times)
        assert "08:00-20:00" in el and "08:00-20:00" in en


def test_a_stop_wanted_more_often_than_the_centre_works_is_refused(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    [(_row, column, _value, el, en)] = _errors(
        loaded_engine, _stop(tmp_path, Συχνότητα="6 φορές την εβδομάδα"), kind="stops"
    )
    assert column == "Συχνότητα" and "Δευτέρα με Παρασκευή" in el and "Monday to Friday" in en
    assert _errors(loaded_engine, _stop(tmp_path, Συχνότητα="5 φορές την εβδομάδα"), kind="stops") == []


# --- the rules module ------------------------------------------------------------------------


def test_the_rules_hours_are_the_week_builders() -> None:
    """DAY_START, DAY_END and LATEST_END are week.SHIFT and week.PILOT_END."""
    from planner.register.week import PILOT_END, SHIFT

    def seconds(hhmm: str) -> int:
        return int(hhmm[:2]) * 3600 + int(hhmm[3:]) * 60

    assert (seconds(rules.DAY_START), seconds(rules.DAY_END), seconds(rules.LATEST_END)) == (
        SHIFT.start,
        SHIFT.end,
        PILOT_END,
    )


def test_the_rules_as_plain_functions() -> None:
    """What the web form will call: None when fine, else a Problem (raised by require())."""
    assert rules.working_days([]) == rules.working_days(None) == {1, 2, 3, 4, 5}
    assert rules.working_days([5, 6, 7]) == {5}
    assert rules.care_plan_weekdays_problem([]) is None
    assert rules.care_plan_weekdays_problem([6, 7]) is not None
    assert rules.care_plan_duration_problem(5) is None and rules.care_plan_duration_problem(481) is not None
    assert rules.stop_duration_problem(600) is None and rules.stop_duration_problem(9) is not None
    assert rules.window_problem([["09:00", "12:00"]], 180) is None
    assert rules.window_problem([["09:00", "12:00"]], 181) is not None
    assert rules.weekly_count_problem("monthly", 9) is None
    assert rules.weekly_count_problem("weekly", 2, [1, 6]) is not None
    assert (
        rules.staff_days_problem("X", [1], []) is None and rules.staff_days_problem("X", None, []) is not None
    )
    assert rules.stop_weekday_problem(None) is None and rules.stop_weekday_problem(6) is not None
    assert rules.announced_time_problem(["18:00"], 120) is None
    assert rules.announced_time_problem(["18:00"], 121) is not None
    rules.require(None)
    problem = rules.care_plan_duration_problem(4)
    assert problem is not None and str(problem) == f"{problem.el} / {problem.en}"
    with pytest.raises(ValueError, match="480") as raised:
        rules.require(problem)
    assert isinstance(raised.value, rules.RuleError) and raised.value.problem == problem
