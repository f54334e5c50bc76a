"""Which care plans and village stops are due in a week: the rules, as pure functions.

The rules, stated once (``docs/week.md`` says the same for coordinators):

- A **weekly** plan (``frequency_count`` = k) is due k times every week (k visits on distinct
  days; two a week at least two days apart).
- An **every_n_weeks** plan (N) is due once in a week when at least N weeks have passed
  since the ISO week of the last visit actually **done**; a plan never visited is due in its
  first week. Visits that were planned but not done (not at home, cancelled, postponed, or
  not reached because the week was full) therefore carry over: the plan stays due.
- A **monthly** plan (k times a calendar month) is due once in a week when fewer than k
  visits were done in the month (a week belongs to the month of its Thursday, as ISO weeks
  do) and either no visit was ever done, or at least ``4 // k`` weeks have passed since the
  last one, or the month has no more weeks left than visits still owed (then as many as
  needed to catch up, at most one a day).
- A plan is only due between its start and end dates, while it is active and its person is.
  In the week of its start date, it is due only if one of its allowed weekdays (any working
  day, Monday to Friday, when it names none) falls on or after that date, when the caller
  gives them: a Wednesday-only plan starting on a Friday is first due the next week.

**Overdue** weeks (weeks past the rhythm's due week) and a **carry-over** (planned last week
and not done) raise a visit's priority, so the engine serves them first when the week is
full: ``priority = 1 + priority groups (ΚΕΑ, disability, living alone, at most 3) +
min(overdue weeks, 3) + 1 if carried over``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "GROUP_BONUS",
    "Due",
    "Rhythm",
    "min_gap_for",
    "monday_of",
    "occurrences_due",
    "priority_of",
    "week_month",
]

WORKING_WEEKDAYS = (1, 2, 3, 4, 5)  # ISO weekdays a plan naming no allowed weekday may have

# priority groups that raise a person's priority by one each (the import maps Greek names)
GROUP_BONUS = frozenset({"kea", "disability", "living_alone"})
MAX_GROUP_BONUS = 3
MAX_OVERDUE_BONUS = 3


def iso_week_of(day: date) -> str:
    """``2026-W50`` for a day of that ISO week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def week_month(monday: date) -> tuple[int, int]:
    """(year, month) a week belongs to: that of its Thursday."""
    thursday = monday + timedelta(days=3)
    return thursday.year, thursday.month


def _weeks_left_in_month(monday: date) -> int:
    """ISO weeks of this week's month from this week on, this week included."""
    month = week_month(monday)
    n, week = 0, monday
    while week_month(week) == month:
        n += 1
        week += timedelta(days=7)
    return n


@dataclass(frozen=True)
class Rhythm:
    """How often: ``kind`` weekly | every_n_weeks | monthly, with its count."""

    kind: str
    count: int

    def __post_init__(self) -> None:
        if self.kind not in ("weekly", "every_n_weeks", "monthly"):
            raise ValueError(f"unknown frequency kind {self.kind!r}")
        if self.count < 1:
            raise ValueError("frequency count must be at least 1")


@dataclass(frozen=True)
class Due:
    """How many visits a plan needs this week, and how late it is."""

    occurrences: int
    overdue_weeks: int = 0


def occurrences_due(
    rhythm: Rhythm,
    monday: date,
    done: Iterable[date],
    *,
    start: date,
    end: date | None = None,
    working_days: int = 5,
    allowed_weekdays: Collection[int] | None = None,
    since: date | None = None,
) -> Due:
    """Visits due in the ISO week starting ``monday`` for a plan with this rhythm.

    ``since``: the day the register began planning (its first plan's week). A plan never
    visited is late only for the weeks since its start *and* since then: a caseload imported
    with start dates months back is not overdue in the register's first weeks (it has no
    history to say so), while a plan started after that and never visited is.

    ``done`` are the dates of visits actually done (earlier weeks only are used).
    ``allowed_weekdays`` (ISO numbers, 1 = Monday; empty: Monday to Friday), if given: only
    those of them this week on or after ``start`` and not after ``end`` count (the days the
    plan is in force): none, nothing is due; fewer than the rhythm asks, that many (a plan of
    three visits a week starting on a Thursday asks for two that week). ``None``: due from its
    start's week whatever the day, in full.
    """
    in_force = 7
    if allowed_weekdays is not None:
        days = {monday + timedelta(days=d - 1) for d in (allowed_weekdays or WORKING_WEEKDAYS) if 1 <= d <= 7}
        in_force = sum(1 for day in days if start <= day and (end is None or day <= end))
    if start > monday + timedelta(days=6) or (end is not None and end < monday) or working_days <= 0:
        return Due(0)
    if in_force == 0:
        return Due(0)
    working_days = min(working_days, in_force)
    earlier = sorted(d for d in done if d < monday)
    last = earlier[-1] if earlier else None
    weeks_since = None if last is None else (monday - monday_of(last)).days // 7
    if rhythm.kind == "weekly":
        late = 0 if weeks_since is None else max(0, weeks_since - 1)
        return Due(min(rhythm.count, working_days), late)
    if rhythm.kind == "every_n_weeks":
        n = rhythm.count
        if weeks_since is None:
            clock = start if since is None else max(start, since)
            late = max(0, (monday - monday_of(clock)).days // 7 - n)
            return Due(1, late)
        if weeks_since < n:
            return Due(0)
        return Due(1, weeks_since - n)
    # monthly
    month = week_month(monday)
    done_in_month = sum(1 for d in earlier if week_month(monday_of(d)) == month)
    owed = rhythm.count - done_in_month
    if owed <= 0:
        return Due(0)
    interval = max(1, 4 // rhythm.count)
    left = _weeks_left_in_month(monday)
    if owed >= left:
        return Due(
            min(owed - left + 1, working_days), 0 if weeks_since is None else max(0, weeks_since - interval)
        )
    if weeks_since is None or weeks_since >= interval:
        return Due(1, 0 if weeks_since is None else weeks_since - interval)
    return Due(0)


def min_gap_for(occurrences: int, working_days: int = 5) -> int:
    """Days between the visits of one week: two a week at least two days apart, more a day apart."""
    return 2 if occurrences == 2 and working_days >= 3 else 1


def priority_of(groups: Sequence[str], overdue_weeks: int, carried_over: bool) -> int:
    """The engine's priority of a due visit (see the module's rules)."""
    bonus = min(MAX_GROUP_BONUS, len(GROUP_BONUS.intersection(groups)))
    return 1 + bonus + min(MAX_OVERDUE_BONUS, overdue_weeks) + (1 if carried_over else 0)
