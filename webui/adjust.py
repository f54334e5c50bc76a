"""Adjusting a plan: pin a visit to a day, move it, drop it, add an urgent one, re-optimise.

Pure functions over the engine's dataclasses (no Flask). :func:`adjusted_problem` turns the
coordinator's choices into a new problem for the same week, built so that the new plan
changes as little as possible of what stays: every served visit gets the dates it is served
on as its ``preferred_dates``, and the engine's ``moved`` cost of serving it elsewhere is
raised to :data:`STABILITY_SECONDS` of driving (as :func:`planner.register.week.plan_week`
does against a published plan); a pinned or moved visit gets
that date as a hard pin, a dropped one leaves the problem. :func:`plan_changes` says, in
Greek and in English, what differs between two plans of the same week (stored with the new
version, like the engine's reasons for unassigned visits, so each reader sees their language);
:func:`week_changes` says it in the same words of a re-planned week against its published
version (:func:`planner.register.week.plan_change_items`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from babel.dates import format_date

from planner.model import Location, Plan, Problem, Visit
from planner.render import hhmm

if TYPE_CHECKING:
    from planner.register.week import PlanChange

__all__ = [
    "STABILITY_SECONDS",
    "URGENT_MARK",
    "URGENT_PRIORITY",
    "Change",
    "adjusted_problem",
    "hours_backwards",
    "plan_changes",
    "served_dates",
    "served_units",
    "shared_name_places",
    "week_changes",
]

URGENT_PRIORITY = 5
"""An urgent visit's priority: leaving it out costs five ordinary visits."""
URGENT_MARK = ("επείγουσα", "urgent")
"""What an urgent visit's name says after the person's, in Greek and in English: the problem
stores "Όνομα (επείγουσα / urgent)", so that every list (unassigned visits, route tables and
sheets, the tablet) tells it from the same person's care plan visit; the changes are written
in each language (:func:`localized_name`)."""
STABILITY_SECONDS = 2 * 3600
"""Moving a kept visit to another day costs as much as this much driving: it moves only to
serve more visits or to save more than two hours on the road."""


@dataclass(frozen=True)
class Change:
    """One difference between two plans, in both languages."""

    visit_id: str
    el: str
    en: str


def served_dates(plan: Plan) -> dict[str, list[date]]:
    """Visit id -> the dates it is served on, sorted."""
    return {k: [day for day, _start in v] for k, v in served_times(plan).items()}


def served_times(plan: Plan) -> dict[str, list[tuple[date, int]]]:
    """Visit id -> (date, start) of each time it is served, in order."""
    out: dict[str, list[tuple[date, int]]] = {}
    for route in plan.routes:
        for stop in route.stops:
            out.setdefault(stop.visit_id, []).append((route.date, stop.start))
    return {k: sorted(v) for k, v in out.items()}


def served_units(plan: Plan) -> dict[str, set[str]]:
    """Visit id -> the units that serve it."""
    out: dict[str, set[str]] = {}
    for route in plan.routes:
        for stop in route.stops:
            out.setdefault(stop.visit_id, set()).add(route.unit_id)
    return out


def adjusted_problem(
    problem: Problem,
    plan: Plan,
    actions: Mapping[str, str],
    urgent: Sequence[Visit] = (),
) -> Problem:
    """The problem to re-optimise: ``actions`` maps a visit id to ``"keep"`` (default),
    ``"drop"``, ``"pin:YYYY-MM-DD"`` (that date, which must be in the week; only for a
    visit wanted once) or ``"unpin"`` (kept, its pin taken off: pins carry from version to
    version). ``urgent`` visits are added. ValueError names a bad action."""
    served = served_dates(plan)
    units = served_units(plan)
    times: dict[str, dict[date, int]] = {}  # the start each person was told, per date
    day_units: dict[str, dict[date, str]] = {}  # and the route it was on
    for route in plan.routes:
        for stop in route.stops:
            times.setdefault(stop.visit_id, {})[route.date] = stop.start
            day_units.setdefault(stop.visit_id, {})[route.date] = route.unit_id
    visits: list[Visit] = []
    for visit in problem.visits:
        action = actions.get(visit.id, "keep")
        if action == "drop":
            continue
        if action == "unpin":
            visit, action = replace(visit, pinned_date=None, pinned_time=None), "keep"
        if action.startswith("pin:"):
            try:
                day = date.fromisoformat(action[4:])
            except ValueError as exc:
                raise ValueError(f"{visit.id}: {action!r} is not a date") from exc
            if day not in problem.dates:
                raise ValueError(f"{visit.id}: {day} is not in this week")
            if visit.frequency != 1:
                raise ValueError(f"{visit.id}: only a visit wanted once can be pinned to a day")
            visits.append(replace(visit, pinned_date=day, pinned_time=None))
        elif action == "keep":
            dates = served.get(visit.id, [])
            kept_units = units.get(visit.id)
            if kept_units:  # the unit, and so the crew, the person was told of
                visit = replace(visit, preferred_units=frozenset(kept_units))
            if dates:  # its start and route too, a pinned one's as well: the search starts from them
                visit = replace(
                    visit,
                    preferred_times=times.get(visit.id, {}),
                    preferred_day_units=day_units.get(visit.id, {}),
                )
            if dates and visit.pinned_date is None:
                visits.append(replace(visit, preferred_dates=frozenset(dates)))
            else:
                visits.append(visit)
        else:
            raise ValueError(f"{visit.id}: unknown action {action!r}")
    taken = {v.id for v in visits}
    for extra in urgent:
        if extra.id in taken:
            raise ValueError(f"{extra.id}: already in the plan")
        visits.append(extra)
        taken.add(extra.id)
    weights = problem.weights
    stable = max(weights.moved, weights.travel * STABILITY_SECONDS)
    return replace(problem, visits=tuple(visits), weights=replace(weights, moved=stable))


def urgent_visit(
    visit_id: str,
    location: Location,
    minutes: int,
    *,
    name: str,
    role: str,
    day: date | None = None,
    phone: str = "",
    address: str = "",
    place: str = "",
    hours: Sequence[Sequence[str]] = (),
) -> Visit:
    """An urgent home visit, wanted once this week (on ``day`` if given), high priority, inside
    the person's available ``hours`` (``[["09:00", "12:00"], ...]``: the visit begins and ends
    inside one of them; none: any time of the day's shift).

    ``visit_id`` is ``urgent-b<person id>`` (``-2``, ``-3`` for another one of the same person
    in the same plan): outcomes are stored against the person
    (:func:`planner.register.week.visit_subject`). ``name`` is the person's; the visit is
    named ``"<name> (επείγουσα / urgent)"`` (:data:`URGENT_MARK`). ``address`` and ``place``
    (the person's settlement; default the location's name) make its address as the week
    builder's visits have it: "Μητροπόλεως 3, Αίγιον", or the settlement alone."""
    from planner.register.week import _windows, _with_place

    return Visit(
        id=visit_id,
        location=location,
        service=minutes * 60,
        time_windows=_windows(hours, minutes * 60),
        name=f"{name} ({URGENT_MARK[0]} / {URGENT_MARK[1]})",
        required_role=role,
        priority=URGENT_PRIORITY,
        pinned_date=day,
        phone=phone,
        address=_with_place(address, place or location.name),
    )


def person_hours(care_plans: Iterable[Any], monday: date, sunday: date) -> list[list[str]]:
    """A person's available hours in the week ``monday``..``sunday`` as their care plans in
    force then state them (active, started by its end, not ended before it), joined
    (:func:`merged_hours`); none (any time) when no plan in force states hours, or one of them
    has none (that visit may come at any time, so the person is in)."""
    in_force = [
        cp
        for cp in care_plans
        if cp.status == "active"
        and cp.start_date <= sunday
        and (cp.end_date is None or cp.end_date >= monday)
    ]
    if not in_force or any(not cp.time_windows for cp in in_force):
        return []
    return merged_hours(pair for cp in in_force for pair in cp.time_windows)


def hours_backwards(text: str) -> str | None:
    """The first of typed hours («12:00-10:00, 14:00-16:00») that reads as two times but does
    not end after it starts, as typed; None if there is none. Said so, not «cannot be read»."""
    import re

    from webui.forms import parse_times

    for part in re.split(r"[,;]+", text):
        bits = re.split(r"\s*[-–]\s*", part.strip())
        if len(bits) != 2:
            continue
        try:
            (start,), (end,) = parse_times(bits[0]), parse_times(bits[1])
        except ValueError:  # not a time, or several: not this case
            continue
        if start >= end:
            return part.strip()
    return None


def merged_hours(hours: Iterable[Sequence[str]]) -> list[list[str]]:
    """Hours ``[["09:00", "12:00"], ["11:00", "13:00"]]`` in order, those that overlap or touch
    joined: ``[["09:00", "13:00"]]``."""
    out: list[list[str]] = []
    for start, end in sorted((str(a), str(b)) for a, b in hours):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def localized_name(name: str, locale: str, *, mark: bool = True) -> str:
    """A visit's name in one language: an urgent visit's "(επείγουσα / urgent)" becomes
    "(επείγουσα)" or "(urgent)", or goes (``mark`` false); other names are as they are."""
    suffix = f" ({URGENT_MARK[0]} / {URGENT_MARK[1]})"
    if not name.endswith(suffix):
        return name
    plain = name.removesuffix(suffix)
    if not mark:
        return plain
    return f"{plain} ({URGENT_MARK[1] if locale == 'en' else URGENT_MARK[0]})"


def _day(day: date, locale: str) -> str:
    return format_date(day, "EEEE d/M", locale=locale)


def _days(days: Sequence[date], locale: str) -> str:
    return ", ".join(_day(d, locale) for d in days)


def _at(times: Sequence[tuple[date, int]], locale: str) -> str:
    """Days with their start times, ``Τρίτη 8/12 10:15``: what the person is to be told."""
    return ", ".join(f"{_day(d, locale)} {hhmm(start)}" for d, start in times)


def _units(ids: set[str], problem: Problem) -> str:
    names = {u.id: u.name or u.id for u in problem.units}
    return ", ".join(sorted(names.get(i, i) for i in ids))


def _place(visit: Visit) -> str:
    """The settlement of a visit's place (the last part of ``Address, Settlement``)."""
    return visit.location.name.rsplit(", ", 1)[-1] if visit.location.name else ""


def plan_changes(old_plan: Plan, old_problem: Problem, new_plan: Plan, new_problem: Problem) -> list[Change]:
    """What the new plan does differently: visits added, removed, moved, newly (un)served.
    Names in each line's language (:func:`localized_name`); a visit the adjustment added (an
    urgent one) without its mark: "Νέα επίσκεψη" says it."""
    old, new = served_dates(old_plan), served_dates(new_plan)
    old_at, new_at = served_times(old_plan), served_times(new_plan)
    units_before, units_after = served_units(old_plan), served_units(new_plan)
    old_ids = {v.id for v in old_problem.visits}
    names = {v.id: v.name or v.id for v in (*old_problem.visits, *new_problem.visits)}
    places = {v.id: _place(v) for v in (*old_problem.visits, *new_problem.visits)}
    # two people may share a short name (Φωτεινή Κ. of Ζήρια and of Διακοπτό): then the place too
    holders: dict[str, set[str]] = {}
    for vid, name in names.items():
        holders.setdefault(name, set()).add(vid)

    def label(vid: str, lang: str, *, mark: bool = True) -> str:
        text = localized_name(names[vid], lang, mark=mark)
        place = places[vid]
        if len(holders[names[vid]]) > 1 and place and place != names[vid]:
            text = f"{text}, {place}"
        return text

    changes: list[Change] = []
    for visit in new_problem.visits:
        vid = visit.id
        el, en = label(vid, "el"), label(vid, "en")
        before, after = old.get(vid, []), new.get(vid, [])
        lost, gained = [d for d in before if d not in after], [d for d in after if d not in before]
        if vid not in old_ids:
            el, en = (label(vid, lang, mark=False) for lang in ("el", "en"))
            if after:
                changes.append(Change(vid, f"Νέα επίσκεψη: {el}, {_at(new_at[vid], 'el')}",
                                      f"New visit: {en}, {_at(new_at[vid], 'en')}"))  # fmt: skip
            else:
                changes.append(Change(vid, f"Νέα επίσκεψη χωρίς ανάθεση: {el}",
                                      f"New visit, unassigned: {en}"))  # fmt: skip
        elif before and not after:
            changes.append(Change(vid, f"Δεν εξυπηρετείται πια: {el} (ήταν {_days(before, 'el')})",
                                  f"No longer served: {en} (was {_days(before, 'en')})"))  # fmt: skip
        elif after and not before:
            changes.append(Change(vid, f"Εξυπηρετείται τώρα: {el}, {_at(new_at[vid], 'el')}",
                                  f"Now served: {en}, {_at(new_at[vid], 'en')}"))  # fmt: skip
        elif lost and not gained:  # fewer times this week, the others where they were
            kept_el = f"· μένει {_at(new_at[vid], 'el')}" if after else ""
            kept_en = f"; still {_at(new_at[vid], 'en')}" if after else ""
            changes.append(Change(vid, f"Δεν εξυπηρετείται πια: {el} (ήταν {_days(lost, 'el')}){kept_el}",
                                  f"No longer served: {en} (was {_days(lost, 'en')}){kept_en}"))  # fmt: skip
        elif gained and not lost:
            more = [t for t in new_at[vid] if t[0] in gained]
            changes.append(Change(vid, f"Εξυπηρετείται τώρα και: {el}, {_at(more, 'el')}",
                                  f"Now served also: {en}, {_at(more, 'en')}"))  # fmt: skip
        elif before != after:
            changes.append(Change(
                vid,
                f"Αλλαγή ημέρας: {el}, {_at(old_at[vid], 'el')} → {_at(new_at[vid], 'el')}",
                f"Day changed: {en}, {_at(old_at[vid], 'en')} → {_at(new_at[vid], 'en')}",
            ))  # fmt: skip
        elif units_before.get(vid) and units_after.get(vid) and units_before[vid] != units_after[vid]:
            was, now = _units(units_before[vid], new_problem), _units(units_after[vid], new_problem)
            changes.append(Change(vid, f"Άλλο όχημα (άλλο πλήρωμα): {el}, {was} → {now}",
                                  f"Other unit (other crew): {en}, {was} → {now}"))  # fmt: skip
    new_ids = {v.id for v in new_problem.visits}
    for visit in old_problem.visits:
        if visit.id not in new_ids:  # with its place and day: two people may share a short name
            name = names[visit.id]
            el, en = localized_name(name, "el"), localized_name(name, "en")
            place = places[visit.id]
            if place and place != name:
                el, en = f"{el}, {place}", f"{en}, {place}"
            on = old.get(visit.id, [])
            was_el = f" (ήταν {_days(on, 'el')})" if on else ""
            was_en = f" (was {_days(on, 'en')})" if on else ""
            changes.append(Change(visit.id, f"Αφαιρέθηκε: {el}{was_el}", f"Removed: {en}{was_en}"))
    # and the visits kept on their day and unit whose start moved, as a re-plan lists them
    from planner.register.week import plan_change_items

    items = plan_change_items(old_plan, new_plan, new_problem, old_problem)
    changes += week_changes([c for c in items if c.kind == "new_time"], problems=(old_problem, new_problem))
    return changes


def shared_name_places(problems: Iterable[Problem]) -> dict[str, str]:
    """Visit id -> its place (settlement), for the visits whose name another visit of
    ``problems`` has too (Γεωργία Β. of Άγιος Κωνσταντίνος and of Ροδοδάφνη): a change line
    names them with it, as :func:`plan_changes` does."""
    names: dict[str, str] = {}
    places: dict[str, str] = {}
    for problem in problems:
        for v in problem.visits:
            names[v.id], places[v.id] = v.name or v.id, _place(v)
    holders: dict[str, set[str]] = {}
    for vid, name in names.items():
        holders.setdefault(name, set()).add(vid)
    return {
        vid: places[vid]
        for vid, name in names.items()
        if len(holders[name]) > 1 and places[vid] and places[vid] != name
    }


def week_changes(
    items: Sequence[PlanChange], removed: Collection[str] = (), *, problems: Iterable[Problem] = ()
) -> list[Change]:
    """A re-planned week's changes against the published version, in Greek and in English, in
    the words of :func:`plan_changes`: names, not ids; days as ``Πέμπτη 3/12``; times HH:MM.
    Listed by the day they concern (the new one, else the old one), then by time and name.
    ``removed``: visits the coordinator removed in Adjust (said so, not «no longer asked for»).
    ``problems`` (the two versions'): a name two visits share is said with the visit's place."""

    from planner.register.week import URGENT_DROPPED, is_routine, unwanted_why

    places = shared_name_places(problems)

    def order(c: PlanChange) -> tuple[date, int, str]:
        day = c.day_after or c.day_before or date.min
        start = c.start_after if c.start_after is not None else (c.start_before or 0)
        return day, start, c.name

    changes: list[Change] = []
    for c in sorted(items, key=order):
        d0, d1, t0, t1 = c.day_before, c.day_after, c.start_before, c.start_after
        el, en = localized_name(c.name, "el"), localized_name(c.name, "en")
        if c.visit_id in places:
            el, en = f"{el}, {places[c.visit_id]}", f"{en}, {places[c.visit_id]}"
        if c.kind == "dropped" and d0 is not None and not c.wanted and c.visit_id in removed:
            changes.append(Change(c.visit_id, f"Αφαιρέθηκε στην προσαρμογή: {el} (ήταν {_day(d0, 'el')})",
                                  f"Removed in Adjust: {en} (was {_day(d0, 'en')})"))  # fmt: skip
        elif c.kind == "dropped" and d0 is not None and not c.wanted and not is_routine(c.visit_id):
            why_el, why_en = URGENT_DROPPED  # an urgent visit of the earlier version: not the register's
            changes.append(Change(c.visit_id, f"Δεν ζητείται πια: {el} (ήταν {_day(d0, 'el')}): {why_el}",
                                  f"No longer wanted: {en} (was {_day(d0, 'en')}): {why_en}"))  # fmt: skip
        elif c.kind == "dropped" and d0 is not None and not c.wanted:  # the register no longer asks
            why_el, why_en = unwanted_why(c.visit_id)
            changes.append(Change(c.visit_id, f"Δεν ζητείται πια: {el} (ήταν {_day(d0, 'el')}): {why_el}",
                                  f"No longer wanted: {en} (was {_day(d0, 'en')}): {why_en}"))  # fmt: skip
        elif c.kind == "dropped" and d0 is not None:
            changes.append(Change(c.visit_id, f"Δεν εξυπηρετείται πια: {el} (ήταν {_day(d0, 'el')})",
                                  f"No longer served: {en} (was {_day(d0, 'en')})"))  # fmt: skip
        elif c.kind == "added" and d1 is not None and t1 is not None:
            at = f"{hhmm(t1)}, {c.unit_after}" if c.unit_after else hhmm(t1)
            changes.append(Change(c.visit_id, f"Εξυπηρετείται τώρα: {el}, {_day(d1, 'el')} {at}",
                                  f"Now served: {en}, {_day(d1, 'en')} {at}"))  # fmt: skip
        elif c.kind == "moved" and d0 is not None and d1 is not None:
            # the times: when the person was told, and what to tell them now
            at0, at1 = ("" if t is None else f" {hhmm(t)}" for t in (t0, t1))
            changes.append(Change(
                c.visit_id,
                f"Αλλαγή ημέρας: {el}, {_day(d0, 'el')}{at0} → {_day(d1, 'el')}{at1}",
                f"Day changed: {en}, {_day(d0, 'en')}{at0} → {_day(d1, 'en')}{at1}",
            ))  # fmt: skip
        elif c.kind == "other_unit":
            was, now = c.unit_before, c.unit_after
            changes.append(Change(c.visit_id, f"Άλλο όχημα (άλλο πλήρωμα): {el}, {was} → {now}",
                                  f"Other unit (other crew): {en}, {was} → {now}"))  # fmt: skip
        elif c.kind == "new_time" and d1 is not None and t0 is not None and t1 is not None:
            times = f"{hhmm(t0)} → {hhmm(t1)}"
            changes.append(Change(c.visit_id, f"Άλλη ώρα: {el}, {_day(d1, 'el')}, {times}",
                                  f"New time: {en}, {_day(d1, 'en')}, {times}"))  # fmt: skip
    return changes
