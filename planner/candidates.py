"""Where and when each visit could go at all: the slots and day patterns open to it.

Pure functions shared by the solver (to build its model) and by :mod:`planner.explain`
(to say why a visit cannot go anywhere). The validator does not use them: it checks a plan
against the problem's rules on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations, pairwise

from planner.model import Problem, TimeWindow, UnitDay, Visit

MAX_PATTERNS = 256

# Reason codes for a unit-day that cannot take a visit, most specific last.
UNAVAILABLE = "unit_unavailable"
WEEKDAY = "weekday_not_allowed"
PINNED = "pinned_elsewhere"
NO_ROLE = "no_role_aboard"
NO_STAFF = "staff_not_aboard"
CAPACITY = "over_capacity"
NO_TIME = "no_time_in_shift"
NOT_IN_PATTERN = "date_in_no_pattern"

ANY_TIME = TimeWindow(0, 2**40)
"""No limit of its own: the route's shift bounds the visit (benchmark shifts can be longer
than a day, so this is not 24 hours)."""


@dataclass(frozen=True)
class Slot:
    """A unit-day on which a visit can be served, with its effective start windows."""

    unit_day: int
    windows: tuple[TimeWindow, ...]


def crew_hours(problem: Problem, ud: UnitDay, visit: Visit) -> list[TimeWindow] | None:
    """The hours in which someone able to serve ``visit`` is aboard (``ANY_TIME`` for a
    member aboard all shift), or None if nobody is."""
    staff = {s.id: s for s in problem.staff}
    hours: list[TimeWindow] = []
    for member in ud.crew:
        person = staff.get(member.staff_id)
        if person is None:
            continue
        if visit.required_staff is not None and member.staff_id != visit.required_staff:
            continue
        if visit.required_role is not None and visit.required_role not in person.roles:
            continue
        hours.append(member.hours or ANY_TIME)
    if visit.required_staff is None and visit.required_role is None:
        return [ANY_TIME]
    return hours or None


def slot_for(problem: Problem, ud_index: int, visit: Visit, *, ignore_pin: bool = False) -> Slot | str:
    """The slot ``visit`` has on unit-day ``ud_index``, or the reason code it has none."""
    ud = problem.unit_days[ud_index]
    if not ud.available:
        return UNAVAILABLE
    if visit.allowed_weekdays is not None and ud.date.weekday() not in visit.allowed_weekdays:
        return WEEKDAY
    if not ignore_pin and visit.pinned_date is not None and ud.date != visit.pinned_date:
        return PINNED
    hours = crew_hours(problem, ud, visit)
    if hours is None:
        return NO_STAFF if visit.required_staff is not None else NO_ROLE
    capacity = problem.unit(ud.unit_id).capacity
    if capacity is not None and visit.load > capacity:
        return CAPACITY
    # The windows a node needs are only the visit's own and the part-timers' hours: the shift
    # itself is already enforced on the route (leave and return inside it). Leaving it out
    # lets unit-days with different shifts (a pilot day) share one node per visit.
    base = visit.windows_on(ud.date) or (ANY_TIME,)
    if visit.pinned_time is not None and not ignore_pin and visit.pinned_date == ud.date:
        base = (TimeWindow(visit.pinned_time, visit.pinned_time),)
    limits = [
        h if h == ANY_TIME else TimeWindow(h.start, h.end - visit.service)
        for h in hours
        if h.end - h.start >= visit.service
    ]
    in_shift = (
        TimeWindow(ud.shift.start, ud.shift.end - visit.service)
        if ud.shift.end - ud.shift.start >= visit.service
        else None
    )
    windows: list[TimeWindow] = []
    for w in base:
        for lim in limits:
            x = w.intersect(lim)
            if (
                x is not None
                and in_shift is not None
                and x.intersect(in_shift) is not None
                and x not in windows
            ):
                windows.append(x)
    if not windows:
        return NO_TIME
    return Slot(ud_index, merge_windows(windows))


def merge_windows(windows: Sequence[TimeWindow]) -> tuple[TimeWindow, ...]:
    """The same set of times as sorted, non-overlapping windows (so equal sets compare equal)."""
    merged: list[TimeWindow] = []
    for w in sorted(windows, key=lambda t: (t.start, t.end)):
        if merged and w.start <= merged[-1].end + 1:
            merged[-1] = TimeWindow(merged[-1].start, max(merged[-1].end, w.end))
        else:
            merged.append(w)
    return tuple(merged)


def visit_slots(problem: Problem, visit: Visit) -> tuple[list[Slot], dict[str, int]]:
    """Every slot open to ``visit``, and how many unit-days were refused for each reason."""
    slots: list[Slot] = []
    refused: dict[str, int] = {}
    ignore_pin = visit.frequency > 1
    pattern_dates = {d for p in visit.patterns for d in p} if visit.patterns is not None else None
    for i in range(len(problem.unit_days)):
        if pattern_dates is not None and problem.unit_days[i].date not in pattern_dates:
            refused[NOT_IN_PATTERN] = refused.get(NOT_IN_PATTERN, 0) + 1
            continue
        got = slot_for(problem, i, visit, ignore_pin=ignore_pin)
        if isinstance(got, Slot):
            slots.append(got)
        else:
            refused[got] = refused.get(got, 0) + 1
    return slots, refused


def candidate_patterns(problem: Problem, visit: Visit, slots: Sequence[Slot]) -> list[tuple[date, ...]]:
    """The day patterns (sorted date tuples of length ``frequency``) that ``visit`` could take.

    Explicit patterns are kept when all their dates have a slot; otherwise every set of
    ``frequency`` open dates at least ``min_gap_days`` apart. A pinned visit's pattern
    starts on its pinned date.
    """
    open_dates = sorted({problem.unit_days[s.unit_day].date for s in slots})
    k = visit.frequency
    if visit.patterns is not None:
        pats = [tuple(sorted(p)) for p in visit.patterns if all(d in open_dates for d in p)]
    else:
        pats = []
        for combo in combinations(open_dates, k):
            if all((b - a).days >= visit.min_gap_days for a, b in pairwise(combo)):
                pats.append(combo)
                if len(pats) >= MAX_PATTERNS:
                    break
    if visit.pinned_date is not None:
        pats = [p for p in pats if p[0] == visit.pinned_date]
    return pats


def best_partial_patterns(problem: Problem, visit: Visit, slots: Sequence[Slot]) -> list[tuple[date, ...]]:
    """Patterns of the largest size below ``frequency`` that fit, when no full pattern does.

    A visit wanted twice a week with only one possible date still gets its one visit; the
    missing one is reported as unassigned. Explicit patterns (periodic VRP) are all or nothing.
    """
    if visit.patterns is not None:
        return []
    for k in range(visit.frequency - 1, 0, -1):
        shrunk = Visit(**{**visit.__dict__, "frequency": k})
        pats = candidate_patterns(problem, shrunk, slots)
        if pats:
            return pats
    return []


def own_limit(ud: UnitDay) -> int:
    """The most a unit-day's driver may work by the day's own rules: its working time, or the
    length of its shift."""
    return min(2**40 if ud.max_work is None else ud.max_work, ud.shift.end - ud.shift.start)


def binding_caps(problem: Problem, uds: Sequence[UnitDay]) -> dict[str, int]:
    """The weekly caps that bind over the unit-days ``uds``: unit id -> what the cap leaves
    them (:attr:`planner.model.Unit.weekly_left`), for each unit where that is less than its
    days' own limits together."""
    out: dict[str, int] = {}
    for unit in problem.units:
        most = sum(own_limit(ud) for ud in uds if ud.unit_id == unit.id)
        left = unit.weekly_left
        if left is not None and most > left:
            out[unit.id] = left
    return out


def weekly_shares(problem: Problem, uds: Sequence[UnitDay]) -> list[int]:
    """Each unit-day's limit on working time: its own, or, where a unit's weekly cap binds
    (:func:`binding_caps`), a share of the cap in proportion to its days' own limits (the
    solver's way to keep the cap inside OR-Tools' routing filters; always valid, but it can
    leave room unused)."""
    out = [own_limit(ud) for ud in uds]
    for uid, cap in binding_caps(problem, uds).items():
        mine = [i for i, ud in enumerate(uds) if ud.unit_id == uid]
        most = sum(out[i] for i in mine)
        for i in mine:
            out[i] = out[i] * cap // most
    return out


def day_limits(problem: Problem) -> list[int]:
    """:func:`weekly_shares` over the problem's available unit-days of the horizon (index as
    ``problem.unit_days``; unavailable ones keep their own limit)."""
    idx = [i for i, ud in enumerate(problem.unit_days) if ud.available and ud.date in problem.dates]
    shares = weekly_shares(problem, [problem.unit_days[i] for i in idx])
    out = [own_limit(ud) for ud in problem.unit_days]
    for i, share in zip(idx, shares, strict=True):
        out[i] = share
    return out
