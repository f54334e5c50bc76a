"""What the result page shows of a plan: per-day rows, timelines and the unassigned, as data.

Pure functions over :class:`planner.model.Plan` and :class:`~planner.model.Problem` (no Flask):
every number comes from the plan; the timeline only places its parts on the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import has_request_context

from planner.mapview import route_styles
from planner.model import HOUR, MINUTE, Plan, Problem, Route, Visit
from planner.render import crew_names, hhmm
from webui.adjust import localized_name
from webui.i18n import current_language

__all__ = ["DayView", "Segment", "StopRow", "UnassignedRow", "day_views", "unassigned_rows"]


@dataclass(frozen=True)
class Segment:
    """A stretch of a day on the timeline: travel, service, waiting or break."""

    kind: str
    start: int
    end: int
    label: str = ""

    @property
    def minutes(self) -> int:
        """Its length in minutes."""
        return round((self.end - self.start) / MINUTE)


@dataclass(frozen=True)
class StopRow:
    """One stop in a day's table."""

    number: int
    visit_id: str
    name: str
    kind: str
    arrival: str
    start: str
    end: str
    travel_min: int
    service_min: int
    km: float
    phone: str
    place: str


@dataclass
class DayView:
    """One route (unit and date) ready for the page."""

    date: date
    unit_id: str
    unit_name: str
    colour: str
    crew: list[str]
    depart: str
    arrive: str
    km: float
    drive_min: int
    service_min: int
    wait_min: int
    break_text: str
    stops: list[StopRow]
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class UnassignedRow:
    """An unserved visit, with how many of its occurrences and why."""

    visit_id: str
    name: str
    place: str
    occurrences: int
    reason: str
    message_el: str
    message_en: str


def _visit(problem: Problem, visit_id: str) -> Visit | None:
    try:
        return problem.visit(visit_id)
    except KeyError:
        return None


def _place(visit: Visit | None) -> str:
    """Where a visit is: its address (which names the settlement), else its place's name; a
    village stop whose name already says its spot («Σαρκουνάς: ΚΑΠΗ») gives the settlement, not
    the spot again."""
    if visit is None:
        return ""
    if visit.address and visit.kind == "village_stop" and visit.name.endswith(visit.address):
        return visit.location.name
    return visit.address or visit.location.name


def timeline(route: Route) -> list[Segment]:
    """The route's day as consecutive segments from leaving the base to being back.

    Travel to a stop is drawn right after the previous stop ends (or after the break, when
    the break starts then); what is left before the stop's start is waiting.
    """
    placed: list[Segment] = []
    rest = route.rest
    rest_seg = Segment("break", rest.start, rest.start + rest.duration) if rest else None
    if rest_seg:
        placed.append(rest_seg)
    t = route.depart
    for stop in route.stops:
        if stop.travel:
            leave = t
            if rest_seg and leave < rest_seg.end and leave + stop.travel > rest_seg.start:
                leave = rest_seg.end  # never drive through the break
            placed.append(Segment("travel", leave, leave + stop.travel))
        placed.append(Segment("service", stop.start, stop.end, stop.visit_id))
        t = stop.end
    if route.return_travel:
        leave = t
        if rest_seg and leave < rest_seg.end and leave + route.return_travel > rest_seg.start:
            leave = rest_seg.end
        placed.append(Segment("travel", leave, min(route.arrive, leave + route.return_travel)))
    placed.sort(key=lambda s: (s.start, s.end))
    out: list[Segment] = []
    t = route.depart
    for seg in placed:
        if seg.start > t:
            out.append(Segment("waiting", t, seg.start))
        out.append(seg)
        t = max(t, seg.end)
    if route.arrive > t:
        out.append(Segment("waiting", t, route.arrive))
    return out


def _name(visit: Visit | None) -> str:
    """A visit's name in the reader's language: an urgent visit's «(επείγουσα / urgent)» said
    in one (:func:`webui.adjust.localized_name`)."""
    if visit is None:
        return ""
    return localized_name(visit.name, current_language() if has_request_context() else "el")


def _unit_name(problem: Problem, unit_id: str) -> str:
    try:
        return problem.unit(unit_id).name or unit_id
    except KeyError:
        return unit_id


def day_views(plan: Plan, problem: Problem) -> list[DayView]:
    """The plan's routes in date, unit order, with the colour the map gives each (one a day)."""
    views: list[DayView] = []
    styles = route_styles(plan.routes)
    for route in sorted(plan.routes, key=lambda r: (r.date, r.unit_id)):
        rows: list[StopRow] = []
        for n, stop in enumerate(route.stops, start=1):
            visit = _visit(problem, stop.visit_id)
            rows.append(
                StopRow(
                    number=n,
                    visit_id=stop.visit_id,
                    name=_name(visit) or stop.visit_id,
                    kind=visit.kind if visit else "",
                    arrival=hhmm(stop.arrival),
                    start=hhmm(stop.start),
                    end=hhmm(stop.end),
                    travel_min=round(stop.travel / MINUTE),
                    service_min=round((stop.end - stop.start) / MINUTE),
                    km=round(stop.distance / 1000, 1),
                    phone=visit.phone if visit else "",
                    place=_place(visit),
                )
            )
        rest = route.rest
        views.append(
            DayView(
                date=route.date,
                unit_id=route.unit_id,
                unit_name=_unit_name(problem, route.unit_id),
                colour=styles[(route.unit_id, route.date)][0],
                crew=crew_names(problem, route, hours=True),
                depart=hhmm(route.depart),
                arrive=hhmm(route.arrive),
                km=round(route.distance / 1000, 1),
                drive_min=round(route.drive_time / MINUTE),
                service_min=round(route.service_time / MINUTE),
                wait_min=round(route.waiting_time / MINUTE),
                break_text=f"{hhmm(rest.start)}–{hhmm(rest.start + rest.duration)}" if rest else "",
                stops=rows,
                segments=timeline(route),
            )
        )
    return views


def clock_range(views: list[DayView]) -> tuple[int, int]:
    """Whole hours spanning every day shown (at least 08:00-16:00)."""
    start = min([8 * HOUR, *(s.start for v in views for s in v.segments)])
    end = max([16 * HOUR, *(s.end for v in views for s in v.segments)])
    return start // HOUR * HOUR, -(-end // HOUR) * HOUR


def unassigned_rows(plan: Plan, problem: Problem) -> list[UnassignedRow]:
    """One row per unserved visit and reason, with the number of occurrences."""
    grouped: dict[tuple[str, str], list[int]] = {}
    first: dict[tuple[str, str], tuple[str, str]] = {}
    for item in plan.unassigned:
        key = (item.visit_id, item.reason)
        grouped.setdefault(key, []).append(item.occurrence)
        first.setdefault(key, (item.message_el, item.message_en))
    rows = []
    for (visit_id, reason), occurrences in grouped.items():
        visit = _visit(problem, visit_id)
        el, en = first[(visit_id, reason)]
        rows.append(
            UnassignedRow(
                visit_id=visit_id,
                name=_name(visit) or visit_id,
                place=_place(visit),
                occurrences=len(occurrences),
                reason=reason,
                message_el=el,
                message_en=en,
            )
        )
    return rows
