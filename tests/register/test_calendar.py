"""The register's calendar: Greek public holidays (movable Orthodox feasts) and Aigio's local holiday."""

from __future__ import annotations

from datetime import date

import holidays
import pytest
from sqlalchemy import Engine, select

from planner.register.calendar import (
    AIGIO_PATRON_SAINT_EL,
    aigio_local_holidays,
    greek_holidays,
    load_holidays,
    orthodox_easter,
)
from planner.register.db import session_scope
from planner.register.models import CalendarDay


def test_2026_holidays_include_the_movable_orthodox_feasts() -> None:
    """Clean Monday, Good Friday, Easter Monday and Whit Monday 2026 are public holidays, in Greek."""
    days = dict(greek_holidays([2026]))
    assert days[date(2026, 2, 23)] == "Καθαρά Δευτέρα"
    assert days[date(2026, 4, 10)] == "Μεγάλη Παρασκευή"
    assert days[date(2026, 4, 13)] == "Δευτέρα του Πάσχα"
    assert days[date(2026, 6, 1)] == "Δευτέρα του Αγίου Πνεύματος"
    assert date(2026, 3, 25) in days and date(2026, 10, 28) in days and date(2026, 12, 25) in days
    assert date(2026, 4, 6) not in days  # the Western Easter Monday is an ordinary day in Greece


def test_holidays_are_sorted_and_limited_to_the_years_asked() -> None:
    """Two years: sorted by date, nothing outside them; no year at all is an error."""
    rows = greek_holidays([2027, 2026, 2026])
    assert [d for d, _ in rows] == sorted(d for d, _ in rows)
    assert {d.year for d, _ in rows} == {2026, 2027}
    with pytest.raises(ValueError, match="at least one year"):
        greek_holidays([])


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 5, 5)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 12)),
        (2027, date(2027, 5, 2)),
    ],
)
def test_orthodox_easter_known_dates(year: int, easter: date) -> None:
    """Orthodox Easter Sunday on its published dates."""
    assert orthodox_easter(year) == easter


def test_orthodox_easter_agrees_with_the_holidays_package_2000_2060() -> None:
    """Easter Monday of the holidays package is always the day after our Easter Sunday."""
    for year in range(2000, 2061):
        gr = holidays.country_holidays("GR", years=year)
        (easter_monday,) = gr.get_named("Easter Monday", lookup="exact")
        assert orthodox_easter(year).toordinal() + 1 == easter_monday.toordinal(), year


def test_aigio_patron_saint_day_is_bright_friday() -> None:
    """Παναγία Τρυπητή: the Friday after Orthodox Easter (17 April 2026, 7 May 2027)."""
    assert aigio_local_holidays([2026, 2027]) == [
        (date(2026, 4, 17), AIGIO_PATRON_SAINT_EL),
        (date(2027, 5, 7), AIGIO_PATRON_SAINT_EL),
    ]


def test_load_holidays_is_idempotent(engine: Engine) -> None:
    """A second load adds nothing; holidays are `holiday`, Aigio's day a `closure`."""
    with session_scope(engine) as session:
        first = load_holidays(session, [2026])
    with session_scope(engine) as session:
        second = load_holidays(session, [2026, 2026])
        rows = list(session.scalars(select(CalendarDay).order_by(CalendarDay.day)))
    assert first.holidays_added == len(greek_holidays([2026])) == 12
    assert first.closures_added == 1 and first.already_there == 0
    assert second.holidays_added == second.closures_added == 0 and second.already_there == 13
    assert len(rows) == 13
    kinds = {r.day: r.kind for r in rows}
    assert kinds[date(2026, 4, 13)] == "holiday" and kinds[date(2026, 4, 17)] == "closure"
    assert all(r.unit_id is None and r.name for r in rows)


def test_load_holidays_adds_a_new_year_to_existing_ones(engine: Engine) -> None:
    """Loading 2026 then 2026-2027 adds only 2027's days."""
    with session_scope(engine) as session:
        load_holidays(session, [2026])
    with session_scope(engine) as session:
        more = load_holidays(session, range(2026, 2028))
    assert more.holidays_added == len(greek_holidays([2027])) and more.closures_added == 1
    assert more.already_there == 13
