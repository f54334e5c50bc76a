"""The driver's route sheet as PDF: one A4 page per route (a unit's day), Greek by default.

Drawn with fpdf2 and the DejaVu Sans font (full Greek), found in Debian's fonts-dejavu-core,
in ``ROUTE_SHEET_FONT_DIR`` if configured, or in matplotlib's bundled copy. Each page has
the day in words, the unit, the crew, leaving and return times, a small map drawn from the
coordinates (no tiles, so it prints the same with no internet), the ordered stops with
times, addresses, phone numbers and service, a notes column per stop and lined room for
notes. Every figure comes from :mod:`webui.planview`, the same data as the result page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.recorder import FPDFRecorder

from planner.mapview import marker_text_colour
from planner.model import Plan, Problem, Route
from planner.register.importer import format_phone
from planner.render import crew_names
from webui.planview import DayView, day_views

__all__ = ["FONT_DIRS", "FontMissing", "find_font_dir", "route_sheet_pdf"]

FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
)
_REGULAR, _BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"


class FontMissing(RuntimeError):
    """No DejaVu Sans on this machine (Debian: apt-get install fonts-dejavu-core)."""


def find_font_dir(extra: str | Path | None = None) -> Path:
    """The first folder holding DejaVu Sans regular and bold."""
    candidates = [Path(extra)] if extra else []
    candidates += list(FONT_DIRS)
    try:
        import matplotlib

        candidates.append(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf")
    except ImportError:
        pass
    for folder in candidates:
        if (folder / _REGULAR).is_file() and (folder / _BOLD).is_file():
            return folder
    raise FontMissing("DejaVu Sans not found: apt-get install fonts-dejavu-core")


Labels = Callable[[str], str]
"""Translates a label (the caller passes the app's gettext)."""


class _Sheet(FPDF):
    footer_text = ""
    continued = ""  # a route's date and unit: heads the pages its table runs onto

    def header(self) -> None:
        if not self.continued:
            return
        self.set_font("DejaVu", "B", 10)
        self.set_text_color(0)
        self.multi_cell(0, 6, self.continued, new_x="LMARGIN", new_y="NEXT", align="L")
        self.ln(1)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text}  ·  {self.page_no()}/{{nb}}", align="R")


def _project(
    points: Sequence[tuple[float, float]], box: tuple[float, float, float, float]
) -> list[tuple[float, float]]:
    """Lat/lon to the box (x, y, w, h) in mm, same scale both ways, north up."""
    x0, y0, w, h = box
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    k = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * k, 1e-3)
    span_y = max(max(lats) - min(lats), 1e-3)
    scale = min((w - 12) / span_x, (h - 12) / span_y)
    cx, cy = (max(lons) + min(lons)) / 2, (max(lats) + min(lats)) / 2
    return [(x0 + w / 2 + (lon - cx) * k * scale, y0 + h / 2 - (lat - cy) * scale) for lat, lon in points]


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


Point = tuple[float, float]
"""A place on the page, (x, y) in mm from the top left."""
MARKER_RADIUS = 2.4
"""A map marker's radius on the page (mm): the stops' and the base's."""
_LEADER_MIN = 0.3  # a marker moved further than this (mm) from its point is tied back to it
_GOLDEN = math.pi * (3 - math.sqrt(5))  # the golden angle: markers started round a point never line up


def spread_markers(
    points: Sequence[Point],
    base: Point,
    box: tuple[float, float, float, float],
    radius: float = MARKER_RADIUS,
    iterations: int = 400,
) -> list[Point]:
    """Where to draw each stop's marker (page mm) so that none overlaps another or the base's.

    Markers start on their points; stops at one point (a village's visits) first go round it on
    a small circle. Then each overlapping pair is pushed apart along the line between them
    (half each), and a marker on the base's pushed off it (the base never moves), until no two
    centres are closer than a marker's diameter, or ``iterations`` passes. Markers stay inside
    ``box`` (x, y, w, h).
    """
    gap = 2 * radius + 0.3  # a little over the diameter: the white outlines do not touch
    x0, y0, w, h = box
    lo_x, hi_x, lo_y, hi_y = x0 + radius, x0 + w - radius, y0 + radius, y0 + h - radius
    out: list[list[float]] = []
    at: dict[tuple[float, float], int] = {}
    for x, y in points:
        key = (round(x, 3), round(y, 3))
        k = at.get(key, 0)
        at[key] = k + 1
        # the second and later at one point start round it (golden angle: never in line)
        angle = k * _GOLDEN
        out.append(
            [x + 0.5 * radius * math.cos(angle) * (k > 0), y + 0.5 * radius * math.sin(angle) * (k > 0)]
        )

    def clamp(p: list[float]) -> None:
        p[0] = min(max(p[0], lo_x), hi_x)
        p[1] = min(max(p[1], lo_y), hi_y)

    for _ in range(iterations):
        moved = False
        for i, p in enumerate(out):
            # off the base: the whole way, the base stays on its point
            dx, dy = p[0] - base[0], p[1] - base[1]
            d = math.hypot(dx, dy)
            if d < gap:
                ux, uy = (dx / d, dy / d) if d > 1e-9 else (math.cos(i * _GOLDEN), math.sin(i * _GOLDEN))
                p[0], p[1] = base[0] + ux * gap, base[1] + uy * gap
                clamp(p)
                moved = True
            for j in range(i + 1, len(out)):
                q = out[j]
                dx, dy = q[0] - p[0], q[1] - p[1]
                d = math.hypot(dx, dy)
                if d >= gap:
                    continue
                ux, uy = (dx / d, dy / d) if d > 1e-9 else (math.cos(j * _GOLDEN), math.sin(j * _GOLDEN))
                push = (gap - d) / 2
                p[0], p[1] = p[0] - ux * push, p[1] - uy * push
                q[0], q[1] = q[0] + ux * push, q[1] + uy * push
                clamp(p)
                clamp(q)
                moved = True
        if not moved:
            break
    return [(p[0], p[1]) for p in out]


def _marker(
    pdf: FPDF, x: float, y: float, label: str, fill: tuple[int, int, int], text: tuple[int, int, int]
) -> None:
    pdf.set_fill_color(*fill)
    pdf.set_draw_color(255)
    pdf.set_line_width(0.3)
    pdf.circle(x, y, MARKER_RADIUS, style="FD")
    pdf.set_text_color(*text)
    pdf.set_xy(x - MARKER_RADIUS, y - MARKER_RADIUS)
    pdf.cell(2 * MARKER_RADIUS, 2 * MARKER_RADIUS, label, align="C")


def map_layout(
    route: Route, problem: Problem, box: tuple[float, float, float, float]
) -> tuple[list[Point], list[Point]]:
    """The route sheet's small map in page mm: the route's path (base, stops, base) projected
    into ``box``, and where each stop's marker is drawn (:func:`spread_markers`)."""
    base = problem.unit(route.unit_id).base
    places = [(base.lat, base.lon)]
    for stop in route.stops:
        visit = problem.visit(stop.visit_id)
        places.append((visit.location.lat, visit.location.lon))
    pts = _project([*places, places[0]], box)
    return pts, spread_markers(pts[1:-1], pts[0], box)


def _draw_map(
    pdf: FPDF, route: Route, view: DayView, problem: Problem, box: tuple[float, float, float, float]
) -> None:
    pts, spots = map_layout(route, problem, box)
    pdf.set_draw_color(180)
    pdf.set_line_width(0.2)
    pdf.rect(*box)
    colour = _hex(view.colour)
    pdf.set_draw_color(*colour)
    pdf.set_line_width(0.8)
    pdf.polyline(pts)
    # stops close together on the page (a village's visits, a stop by the base) would hide
    # each other's numbers and the base's «B»: their markers are spread apart, each tied to
    # its true point by a thin line, and the base is drawn last, on top
    pdf.set_draw_color(90)
    pdf.set_line_width(0.15)
    pdf.set_fill_color(90)
    for (x, y), (mx, my) in zip(pts[1:-1], spots, strict=True):
        if math.hypot(mx - x, my - y) > _LEADER_MIN:
            pdf.line(x, y, mx, my)
            pdf.circle(x, y, 0.35, style="F")
    pdf.set_font("DejaVu", "B", 7)
    text = _hex(marker_text_colour(view.colour))
    for i, (x, y) in enumerate(spots, start=1):
        _marker(pdf, x, y, str(i), colour, text)
    _marker(pdf, *pts[0], "B", (34, 34, 34), (255, 255, 255))
    pdf.set_text_color(0)


def _who(problem: Problem, visit_id: str) -> str:
    """Whose visit a stop is, for a crew of two professionals: the staff member it names, else
    the role it needs (in the reader's language), else nothing."""
    from webui.forms import ROLE_LABELS

    try:
        visit = problem.visit(visit_id)
    except KeyError:
        return ""
    if visit.required_staff:
        try:
            return problem.staff_member(visit.required_staff).name
        except KeyError:
            pass
    return str(ROLE_LABELS.get(visit.required_role, "")) if visit.required_role else ""


MAP_MAX_H = 62.0
"""The small map's height (mm) when the stops' table fits below it on the page."""
MAP_MIN_H = 36.0
"""The least it shrinks to for the table to fit."""
MAP_GAP = 4.0  # between the map and the table


def _listed(items: Sequence[str]) -> str:
    """Items of a list as the reader's language lists them (:func:`webui.i18n.listed`): « · »
    in Greek; outside a request (a test, a script) the Greek way."""
    from flask import has_request_context

    from webui.i18n import listed

    return listed(items) if has_request_context() else " · ".join(items)


def _stop_table(
    pdf: FPDF | FPDFRecorder, view: DayView, route: Route, problem: Problem, labels: Labels
) -> None:
    """The stops' table: one row per stop (its arrival when the crew gets there before the
    visit starts, whose visit it is, the visit's note) and the break's row where the route
    takes it, after the stop it follows (as the tablet shows it)."""
    pdf.set_font("DejaVu", size=8.5)
    headings = ("#", labels("Time"), labels("Beneficiary / stop"), labels("Address"), labels("Phone"),
                labels("Service"), labels("Notes"))  # fmt: skip
    after = min(max(route.rest.after_stop, 0), len(view.stops)) if route.rest and view.break_text else None
    with pdf.table(
        col_widths=(6, 23, 36, 40, 22, 27, 36),
        text_align=("CENTER", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT"),
        line_height=4.6,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242)),
        first_row_as_headings=True,
    ) as table:
        head = table.row()
        for text in headings:
            head.cell(text)

        def break_row() -> None:
            row = table.row()
            row.cell("")
            row.cell(view.break_text)
            row.cell(labels("Break"), colspan=5)

        if after == 0:
            break_row()
        for stop in view.stops:
            pdf.set_font("DejaVu", size=8.5)
            row = table.row()
            row.cell(str(stop.number))
            when = f"{stop.start}–{stop.end}"
            if stop.arrival != stop.start:  # there before it starts: the crew waits
                when += f"\n{labels('Arrival')} {stop.arrival}"
            row.cell(when)
            kind = labels("village stop") if stop.kind == "village_stop" else labels("home visit")
            row.cell(stop.name)
            row.cell(stop.place)
            row.cell(format_phone(stop.phone) or "")  # «+30 6977000014»: wraps at the space, not mid-number
            who = _who(problem, stop.visit_id)
            row.cell(f"{kind}, {stop.service_min}′" + (f"\n{who}" if who else ""))
            row.cell(_note(problem, stop.visit_id))
            if after == stop.number:
                break_row()


def _note(problem: Problem, visit_id: str) -> str:
    """The visit's note in the plan (what the coordinator wrote for the crew), else nothing."""
    try:
        return problem.visit(visit_id).notes.strip()
    except KeyError:
        return ""


def route_sheet_pdf(
    plan: Plan,
    problem: Problem,
    *,
    labels: Labels,
    long_date: Callable[[date], str],
    footer: str,
    decimal: Callable[[float], str] = lambda x: f"{x:.1f}",
    only: tuple[date, str | None] | None = None,
    font_dir: Path | None = None,
) -> bytes:
    """The route sheets of ``plan`` (or, ``only`` = (date, unit id), of that route; (date, None):
    of that day's) as PDF bytes; ``decimal`` writes the kilometres as the language does."""
    folder = font_dir or find_font_dir()
    pdf = _Sheet(orientation="P", unit="mm", format="A4")
    pdf.footer_text = footer
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font("DejaVu", "", str(folder / _REGULAR))
    pdf.add_font("DejaVu", "B", str(folder / _BOLD))
    pdf.alias_nb_pages()
    routes = {(r.date, r.unit_id): r for r in plan.routes}
    views = [
        v
        for v in day_views(plan, problem)
        if only is None or (v.date == only[0] and only[1] in (None, v.unit_id))
    ]
    for view in views:
        route = routes[(view.date, view.unit_id)]
        pdf.continued = ""  # the route's first page has its own heading
        pdf.add_page()
        # a page the stops run onto says whose they are (a loose page could not be matched to its van)
        more = labels("continued")
        pdf.continued = f"{long_date(view.date)} · {view.unit_name} ({more})"
        pdf.set_font("DejaVu", "B", 15)
        pdf.cell(0, 8, labels("Route sheet"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "B", 12)
        # a long unit name wraps rather than running off the page, left-aligned (justified,
        # a wrapped heading spread its words across the line)
        heading = f"{long_date(view.date)} · {view.unit_name}"
        pdf.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font("DejaVu", size=9)
        leaves, back, driving, rest = labels("Leaves"), labels("Back"), labels("Driving"), labels("Break")
        facts = [
            f"{leaves} {view.depart}",
            f"{back} {view.arrive}",
            f"{decimal(view.km)} km",
            f"{driving} {view.drive_min}′",
        ]
        if view.break_text:
            facts.append(f"{rest} {view.break_text}")
        pdf.cell(0, 5, "  ·  ".join(facts), new_x="LMARGIN", new_y="NEXT")
        # a part-timer's hours after the name, so that the driver knows who is aboard when;
        # names with commas in them («Σοφία Μ., κοινωνική λειτουργός») listed as the language
        # lists (in Greek not with «;», the question mark)
        if crew_list := crew_names(problem, route, hours=True):
            crew = labels("Crew")
            names = _listed(crew_list) if any("," in name for name in crew_list) else ", ".join(crew_list)
            pdf.multi_cell(0, 5, f"{crew}: {names}", new_x="LMARGIN", new_y="NEXT", align="L")
        top = pdf.get_y() + 2
        # the map gives way (down to MAP_MIN_H) for the table to fit on the page: a 9-stop
        # route put its last row alone on a second page
        with pdf.offset_rendering() as dummy:  # measured from the page's top: a page's room
            dummy.set_y(pdf.t_margin)
            _stop_table(dummy, view, route, problem, labels)
            fits = dummy.page == pdf.page
            table_h = dummy.get_y() - pdf.t_margin
        room = pdf.page_break_trigger - top - MAP_GAP - table_h - 1 if fits else 0.0  # 1 mm to spare
        map_h = min(MAP_MAX_H, room) if room >= MAP_MIN_H else MAP_MAX_H
        _draw_map(pdf, route, view, problem, (pdf.l_margin, top, 190, map_h))
        # the map's marker fill and white outline must not leak into the table (its row lines
        # were drawn white on white: the notes column showed no row a note belongs to)
        pdf.set_fill_color(255)
        pdf.set_draw_color(0)
        pdf.set_y(top + map_h + MAP_GAP)
        _stop_table(pdf, view, route, problem, labels)
        # lined room for notes, if the page has some: not a page of its own (the table has a
        # notes column)
        if pdf.get_y() + 4 + 6 + 6 < pdf.h - 20:
            pdf.ln(4)
            pdf.set_font("DejaVu", "B", 9)
            pdf.cell(0, 6, labels("Notes"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_draw_color(190)
            pdf.set_line_width(0.2)
            y = pdf.get_y() + 6
            while y < pdf.h - 20:
                pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
                y += 8
    pdf.continued = ""
    if not views:
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        pdf.cell(0, 8, labels("No routes in this plan."))
    return bytes(pdf.output())
