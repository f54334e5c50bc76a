"""The route sheet's small map and crew line (a reviewer's findings): markers of stops close
together on the page spread apart, the base's «B» never hidden, part-timers' hours given."""

from __future__ import annotations

import io
import itertools
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planner.model import (
    HOUR,
    MINUTE,
    CrewMember,
    Location,
    Plan,
    Problem,
    Route,
    StaffMember,
    Stop,
    TimeWindow,
    Unit,
    UnitDay,
    Visit,
)
from webui.routesheet import _project, route_sheet_pdf

pdfium = pytest.importorskip("pypdfium2", reason="pip install pypdfium2 (a dev dependency)")

WED = date(2026, 12, 9)
BOX = (10.0, 40.0, 190.0, 62.0)  # where route_sheet_pdf draws the map: left margin, 190 x 62 mm
MARKER_RADIUS = 2.4  # mm, as drawn
DIAMETER = 2 * MARKER_RADIUS
TOLERANCE = 0.01
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# the base at Aigio; a stop far south sets the map's scale (about 250 mm a degree), so that a
# cluster of five stops (two at one point) lies within 1 mm on the page, and one stop ~0.2 mm
# from the base would hide its «B»
BASE = Location("base", 38.2498, 22.0816, "Κέντρο Κοινότητας Αιγίου")
PLACES = [
    (38.2503, 22.0811),  # by the base
    (38.1500, 22.2000),
    (38.1500, 22.2000),  # the same point (a village's visits)
    (38.1505, 22.2004),
    (38.1497, 22.2007),
    (38.1502, 22.1995),
    (38.0500, 22.0800),  # far south
]


def _problem() -> Problem:
    visits = tuple(
        Visit(f"hv-{i}", Location(f"p{i}", lat, lon, f"Οικισμός {i}"), 30 * MINUTE, name=f"Ωφελούμενος {i}")
        for i, (lat, lon) in enumerate(PLACES, start=1)
    )
    crew = (
        CrewMember("sw3", TimeWindow(8 * HOUR, 12 * HOUR)),
        CrewMember("sw1", TimeWindow(12 * HOUR, 20 * HOUR)),
    )
    return Problem(
        name="Πυκνές στάσεις",
        dates=(WED,),
        units=(Unit("van1", "Κινητή μονάδα", BASE),),
        unit_days=(UnitDay("van1", WED, shift=TimeWindow(8 * HOUR, 20 * HOUR), pilot=True, crew=crew),),
        staff=(
            StaffMember("sw1", "Ελένη Κ.", ("social_worker",)),
            StaffMember("sw3", "Σοφία Μ.", ("social_worker",)),
        ),
        visits=visits,
    )


def _route() -> Route:
    stops = []
    t = 8 * HOUR + 30 * MINUTE
    for i in range(1, len(PLACES) + 1):
        stops.append(Stop(f"hv-{i}", 0, t, t, t + 30 * MINUTE, 600, 1_000))
        t += 40 * MINUTE
    return Route("van1", WED, 8 * HOUR, t + 30 * MINUTE, tuple(stops), 1800, 20_000)


def _points() -> list[tuple[float, float]]:
    """The route's path (base, stops, base) as the sheet projects it into BOX (page mm)."""
    places = [(BASE.lat, BASE.lon), *PLACES, (BASE.lat, BASE.lon)]
    return _project(places, BOX)


def _check_spread(markers: list[tuple[float, float]], base: tuple[float, float]) -> None:
    for (i, a), (j, b) in itertools.combinations(enumerate(markers, start=1), 2):
        assert math.dist(a, b) >= DIAMETER - TOLERANCE, (i, j, math.dist(a, b))
    for i, m in enumerate(markers, start=1):
        assert math.dist(m, base) >= DIAMETER - TOLERANCE, (i, "covers the base", math.dist(m, base))
        x0, y0, w, h = BOX
        assert x0 + MARKER_RADIUS - TOLERANCE <= m[0] <= x0 + w - MARKER_RADIUS + TOLERANCE, m
        assert y0 + MARKER_RADIUS - TOLERANCE <= m[1] <= y0 + h - MARKER_RADIUS + TOLERANCE, m


def test_markers_of_stops_within_a_millimetre_are_spread_apart() -> None:
    """Five stops within 1 mm of each other on the page and one 0.2 mm from the base: after the
    layout no two markers overlap (centres a diameter apart) and none covers the base's."""
    from webui.routesheet import MARKER_RADIUS as drawn
    from webui.routesheet import map_layout

    assert drawn == MARKER_RADIUS
    pts, markers = map_layout(_route(), _problem(), BOX)
    assert pts == _points()
    base, stops = pts[0], pts[1:-1]
    assert len(markers) == len(stops) == len(PLACES)
    # the premise: as projected, the markers would pile up
    cluster = stops[1:6]
    assert max(math.dist(a, b) for a, b in itertools.combinations(cluster, 2)) < 1.0
    assert math.dist(stops[0], base) < 1.0
    _check_spread(markers, base)
    # each marker stays near its point (its leader line short), the lone far stop on it
    for point, marker in zip(stops, markers, strict=True):
        assert math.dist(point, marker) < 3 * DIAMETER, (point, marker)
    assert markers[-1] == pytest.approx(stops[-1])


def test_many_markers_at_one_point_on_the_base_near_the_box_corner() -> None:
    """A dozen stops at the base's own point in the map's corner (the box keeps them in): still
    every marker apart and the base uncovered."""
    from webui.routesheet import spread_markers

    x0, y0, _, _ = BOX
    base = (x0 + 6, y0 + 6)
    markers = spread_markers([base] * 12, base, BOX)
    _check_spread(markers, base)


def _pdf() -> bytes:
    labels = {"Crew": "Πλήρωμα", "Route sheet": "Φύλλο δρομολογίου"}
    plan = Plan("Πυκνές στάσεις", (_route(),), (), 0, 1, 1.0, 0.1)
    return route_sheet_pdf(
        plan,
        _problem(),
        labels=lambda s: labels.get(s, s),
        long_date=lambda d: d.isoformat(),
        footer="δοκιμή",
    )


def _first_page(data: bytes, scale: float) -> tuple[str, Any]:
    doc = pdfium.PdfDocument(io.BytesIO(data))
    try:
        page = doc[0]
        textpage = page.get_textpage()
        text = " ".join(textpage.get_text_range().split())
        textpage.close()
        image = page.render(scale=scale).to_pil().convert("RGB")
        page.close()
        return text, image
    finally:
        doc.close()


def test_the_crew_line_gives_part_timers_hours() -> None:
    """«Πλήρωμα: Σοφία Μ. 08:00-12:00, Ελένη Κ. 12:00-20:00»: the driver sees who is aboard when."""
    text, _ = _first_page(_pdf(), 1)
    assert "Πλήρωμα: Σοφία Μ. 08:00-12:00, Ελένη Κ. 12:00-20:00" in text, text[:300]


def test_the_base_marker_is_drawn_over_a_stop_beside_it() -> None:
    """The stop 0.2 mm from the base used to be drawn over the «B»: the base's dark disc now
    shows where it is, with the stop's marker beside it."""
    data = _pdf()
    scale = 4.0
    per_mm = scale * 72 / 25.4
    _, image = _first_page(data, scale)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / "route-sheet-dense-map.png")
    # where the map is on the page: as route_sheet_pdf lays it out (the box's top follows the
    # text above it), found from the box's frame rather than assumed
    pts = _points()
    top = _map_top(image, per_mm)
    bx, by = pts[0][0], pts[0][1] - BOX[1] + top
    # inside the base's disc, left of its «B»
    px, py = round((bx - 1.6) * per_mm), round(by * per_mm)
    r, g, b = image.getpixel((px, py))
    assert max(r, g, b) < 80, (r, g, b)


def _map_top(image: Any, per_mm: float) -> float:
    """The map frame's top edge (mm): the first grey row down the frame's left side."""
    x = round((BOX[0] + 0.05) * per_mm)
    for y in range(round(20 * per_mm), round(120 * per_mm)):
        r, g, b = image.getpixel((x, y))
        if 150 <= r <= 200 and abs(r - g) < 8 and abs(g - b) < 8:
            return y / per_mm
    raise AssertionError("no map frame found")
