"""The due-visit rules: weekly, every N weeks, monthly, carry-over, overdue, priorities."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from planner.register.due import Due, Rhythm, min_gap_for, monday_of, occurrences_due, priority_of, week_month

W50 = date(2026, 12, 7)  # Monday of 2026-W50
START = date(2026, 1, 5)


def weeks_before(n: int, weekday: int = 1) -> date:
    return W50 - timedelta(weeks=n) + timedelta(days=weekday)


def test_weekly_is_due_its_count_every_week() -> None:
    assert occurrences_due(Rhythm("weekly", 1), W50, [weeks_before(1)], start=START) == Due(1, 0)
    assert occurrences_due(Rhythm("weekly", 2), W50, [], start=START).occurrences == 2


def test_weekly_not_done_for_three_weeks_is_two_weeks_overdue() -> None:
    assert occurrences_due(Rhythm("weekly", 1), W50, [weeks_before(3)], start=START) == Due(1, 2)


def test_weekly_count_is_capped_by_the_working_days_of_a_holiday_week() -> None:
    assert occurrences_due(Rhythm("weekly", 3), W50, [], start=START, working_days=2).occurrences == 2
    assert occurrences_due(Rhythm("weekly", 1), W50, [], start=START, working_days=0).occurrences == 0


@pytest.mark.parametrize(
    ("last_done_weeks_ago", "due", "overdue"),
    [(1, 0, 0), (2, 1, 0), (3, 1, 1), (6, 1, 4)],
)
def test_every_two_weeks_counts_from_the_last_visit_done(
    last_done_weeks_ago: int, due: int, overdue: int
) -> None:
    result = occurrences_due(
        Rhythm("every_n_weeks", 2), W50, [weeks_before(last_done_weeks_ago)], start=START
    )
    assert result == Due(due, overdue)


def test_missed_visit_carries_over_every_two_weeks() -> None:
    """Done in W46, planned in W48 but not done (no 'done' date): still due in W50, late."""
    done = [weeks_before(4)]
    assert occurrences_due(Rhythm("every_n_weeks", 2), W50 - timedelta(weeks=2), done, start=START) == Due(
        1, 0
    )
    assert occurrences_due(Rhythm("every_n_weeks", 2), W50, done, start=START) == Due(1, 2)


def test_never_visited_plan_is_due_in_its_first_week_and_not_before() -> None:
    assert (
        occurrences_due(Rhythm("every_n_weeks", 4), W50, [], start=W50 + timedelta(days=2)).occurrences == 1
    )
    assert (
        occurrences_due(Rhythm("every_n_weeks", 4), W50, [], start=W50 + timedelta(days=7)).occurrences == 0
    )
    assert (
        occurrences_due(Rhythm("weekly", 1), W50, [], start=START, end=W50 - timedelta(days=1)).occurrences
        == 0
    )


def test_visits_of_this_week_or_later_do_not_count() -> None:
    assert (
        occurrences_due(Rhythm("every_n_weeks", 2), W50, [W50 + timedelta(days=1)], start=START).occurrences
        == 1
    )


def test_week_belongs_to_the_month_of_its_thursday() -> None:
    assert week_month(date(2026, 11, 30)) == (2026, 12)  # Mon 30 Nov, Thu 3 Dec
    assert week_month(date(2026, 12, 28)) == (2026, 12)  # Thu 31 Dec
    assert monday_of(date(2026, 12, 10)) == W50


def test_monthly_once_done_this_month_is_not_due_again() -> None:
    # W49 (30 Nov - 4 Dec) belongs to December: a visit then counts for December
    assert occurrences_due(Rhythm("monthly", 1), W50, [date(2026, 12, 1)], start=START).occurrences == 0


def test_monthly_not_done_this_month_is_due_after_four_weeks() -> None:
    assert occurrences_due(Rhythm("monthly", 1), W50, [date(2026, 11, 24)], start=START).occurrences == 0
    assert occurrences_due(Rhythm("monthly", 1), W50, [date(2026, 11, 10)], start=START) == Due(1, 0)


def test_monthly_catches_up_in_the_last_week_of_the_month() -> None:
    """2026-W53 (28 Dec - 3 Jan, Thursday 31 Dec) is December's last week: with nothing done
    in December, it takes the visit even though one was done in November's last days."""
    last_week = date(2026, 12, 28)
    assert week_month(last_week) == (2026, 12)
    assert (
        occurrences_due(Rhythm("monthly", 1), last_week, [date(2026, 11, 27)], start=START).occurrences == 1
    )


def test_twice_monthly_owes_two_when_one_week_is_left() -> None:
    assert occurrences_due(Rhythm("monthly", 2), date(2026, 12, 28), [], start=START).occurrences == 2


def test_gap_and_priority_rules() -> None:
    assert min_gap_for(2) == 2 and min_gap_for(3) == 1 and min_gap_for(2, working_days=2) == 1
    assert priority_of([], 0, False) == 1
    assert priority_of(["kea", "living_alone", "elderly"], 0, False) == 3
    assert priority_of(["kea", "disability", "living_alone"], 5, True) == 1 + 3 + 3 + 1


def test_unknown_rhythm_is_refused() -> None:
    with pytest.raises(ValueError):
        Rhythm("daily", 1)
    with pytest.raises(ValueError):
        Rhythm("weekly", 0)


def test_a_week_asks_no_more_visits_than_the_plan_has_days_in_force() -> None:
    """Three a week from Thursday: two that week; two a week Monday/Wednesday ending on Monday:
    one; without weekdays (``None``, as the village stops are called) in full."""
    monday = date(2026, 12, 7)
    thrice, twice = Rhythm("weekly", 3), Rhythm("weekly", 2)
    thursday = monday + timedelta(days=3)

    def due(rhythm: Rhythm, week: date, **kw: object) -> int:
        return occurrences_due(rhythm, week, [], **kw).occurrences  # type: ignore[arg-type]

    assert due(thrice, monday, start=thursday, allowed_weekdays=[]) == 2
    assert due(thrice, monday + timedelta(weeks=1), start=thursday, allowed_weekdays=[]) == 3
    assert due(twice, monday, start=date(2026, 1, 5), end=monday, allowed_weekdays=[1, 3]) == 1
    assert due(thrice, monday, start=thursday) == 3


def test_a_plan_never_visited_is_late_only_since_the_register_began_planning() -> None:
    """A fortnightly plan imported with a start months back is not overdue in the register's
    first weeks; one started after the register began, and never visited, is."""
    fortnightly = Rhythm("every_n_weeks", 2)
    months_back = W50 - timedelta(weeks=12)
    assert occurrences_due(fortnightly, W50, [], start=months_back) == Due(1, 10)  # no register start known
    assert occurrences_due(fortnightly, W50, [], start=months_back, since=W50) == Due(1, 0)
    assert occurrences_due(fortnightly, W50, [], start=months_back, since=W50 - timedelta(weeks=5)) == Due(
        1, 3
    )
    assert occurrences_due(
        fortnightly, W50, [], start=W50 - timedelta(weeks=4), since=W50 - timedelta(weeks=9)
    ) == Due(1, 2)
