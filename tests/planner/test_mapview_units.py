"""The map with two units on one day (a reviewer's findings): each unit its own colour, the
legend's swatch dashed as its line is, and each stop's tooltip naming its unit."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from planner.mapview import offline_html, plan_map, route_styles
from planner.model import HOUR, MINUTE, Location, Plan, Problem, Route, Stop, Unit, UnitDay, Visit

MON = date(2026, 12, 7)
WEEK = [MON + timedelta(days=k) for k in range(5)]


def _lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* of ``#rrggbb`` (D65), to measure how far apart two colours look."""

    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _delta_e(a: str, b: str) -> float:
    return float(sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b), strict=True)) ** 0.5)


def _luminance(colour: str) -> float:
    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _week_routes() -> list[Route]:
    """The demo week's shape: two units (van1, car1) every day, Monday to Friday."""
    return [Route(unit, day, 8 * HOUR, 9 * HOUR, (), 0, 0) for day in WEEK for unit in ("van1", "car1")]


def test_two_units_on_one_day_get_visibly_distinct_colours() -> None:
    """Two units on one day were one colour (two «1», two «2» on the map): each unit of a day
    now has its own shade, far apart from its sibling's and from the other days' colours."""
    styles = route_styles(_week_routes())
    for day in WEEK:
        first, second = styles[("car1", day)][0], styles[("van1", day)][0]  # car1 sorts first
        assert _delta_e(first, second) >= 20, (day, first, second)
    colours = [colour for colour, _ in styles.values()]
    assert len(set(colours)) == len(colours) == 10
    # every route of the week looks different from every other (CIE76 ΔE; ~2.3 is just noticeable)
    closest = min(_delta_e(a, b) for a, b in itertools.combinations(colours, 2))
    assert closest >= 15, closest
    # still one colour family a day, the second unit dashed as before
    assert styles[("car1", MON)][1] is None and styles[("van1", MON)][1] is not None


def test_each_markers_number_can_be_read_on_its_colour() -> None:
    """A shade darker or lighter than the day's colour keeps its number readable: white or
    near-black, whichever contrasts more with the marker (at least 4:1)."""
    from planner.mapview import marker_text_colour

    three = [Route(u, day, 8 * HOUR, 9 * HOUR, (), 0, 0) for day in WEEK for u in ("a", "b", "c")]
    for colour, _ in route_styles(three).values():
        text = marker_text_colour(colour)
        hi, lo = sorted((_luminance(colour), _luminance(text)), reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4, (colour, text)


@pytest.fixture
def two_units() -> tuple[Plan, Problem]:
    """One Monday, a van and a car each with one stop (both numbered «1»)."""
    base = Location("base", 38.2498, 22.0816, "Κέντρο Κοινότητας Αιγίου")
    problem = Problem(
        name="Δύο μονάδες",
        dates=(MON,),
        units=(Unit("van1", "Βαν (κινητή μονάδα)", base), Unit("car1", "Αυτοκίνητο", base)),
        unit_days=(UnitDay("van1", MON), UnitDay("car1", MON)),
        staff=(),
        visits=(
            Visit("hv-1", Location("a", 38.10, 22.15, "Ζαχλωρού"), 45 * MINUTE, name="Ελένη Α."),
            Visit("hv-2", Location("b", 38.20, 21.95, "Σελινούς"), 30 * MINUTE, name="Γιώργος Β."),
        ),
    )

    def route(unit: str, visit: str, start: int) -> Route:
        stop = Stop(visit, 0, start, start, start + 30 * MINUTE, 1800, 20_000)
        return Route(unit, MON, 8 * HOUR, 12 * HOUR, (stop,), 1800, 20_000)

    plan = Plan(
        "Δύο μονάδες", (route("van1", "hv-1", 10 * HOUR), route("car1", "hv-2", 9 * HOUR)), (), 0, 1, 1.0, 0.1
    )
    return plan, problem


def _legend(page: str) -> str:
    """The legend control's HTML (JSON-encoded in the page's script)."""
    match = re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', page)
    assert match is not None
    return str(json.loads(match.group(1)))


def test_the_legend_swatch_of_a_dashed_route_is_dashed(two_units: tuple[Plan, Problem]) -> None:
    """The legend showed a solid square for both units of a day: the dashed route's swatch is
    now a dashed stretch of line, the solid route's a solid one, each in its route's colour."""
    plan, problem = two_units
    for language in (None, "el", "en"):
        legend = _legend(offline_html(plan_map(plan, problem, tiles_url=None, language=language)))
        rows = re.findall(r"<div>(.*?)</div>", legend)
        styles = route_styles(plan.routes)
        car, van = styles[("car1", MON)], styles[("van1", MON)]
        car_row = next(row for row in rows if "Αυτοκίνητο" in row)
        van_row = next(row for row in rows if "Βαν" in row)
        assert car[0] in car_row and "stroke-dasharray" not in car_row
        assert van[0] in van_row and "stroke-dasharray" in van_row


def test_a_stops_tooltip_names_its_unit(two_units: tuple[Plan, Problem]) -> None:
    """Both units' first stops are «1»: hovering one says whose it is («1. Ελένη Α. (10:00) · Βαν»)."""
    plan, problem = two_units
    for language in (None, "el", "en"):
        page = offline_html(plan_map(plan, problem, tiles_url=None, language=language))
        tips = [json.loads(t) for t in re.findall(r'\.bindTooltip\(("(?:[^"\\]|\\.)*")\)', page)]
        assert "1. Ελένη Α. (10:00) · Βαν" in tips, tips
        assert "1. Γιώργος Β. (09:00) · Αυτοκίνητο" in tips, tips


def test_the_two_units_markers_differ_in_colour_on_the_map(two_units: tuple[Plan, Problem]) -> None:
    """The numbered markers themselves carry their unit's colour, not one colour for the day."""
    plan, problem = two_units
    page = offline_html(plan_map(plan, problem, tiles_url=None))
    backgrounds = set(re.findall(r"background:(#[0-9a-f]{6});color:", page))
    styles = route_styles(plan.routes)
    assert {styles[("car1", MON)][0], styles[("van1", MON)][0]} <= backgrounds
    assert styles[("car1", MON)][0] != styles[("van1", MON)][0]
    # with one unit a day, nothing changes: the day's own colour, solid
    single = replace(plan, routes=plan.routes[:1])
    assert route_styles(single.routes)[("van1", MON)] == (styles[("car1", MON)][0], None)
