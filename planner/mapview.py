"""An interactive map of a `Plan` (folium/Leaflet) that also works with no network.

`plan_map` draws every route (unit and date) in its own colour and layer, numbered stop
markers with Greek popups, the base and the unassigned visits. `save_plan_map` writes it
as one self-contained HTML file: folium's CDN `<script>`/`<link>` tags are replaced by the
Leaflet build vendored in ``planner/static`` (see its README) or dropped when the map does
not use them (jQuery, Bootstrap, Font Awesome, awesome-markers). To keep those unneeded,
the map uses only DivIcon markers, polylines, circle markers, a layer control and popups
bound with plain Leaflet calls (folium's own `Popup` needs jQuery).

Only the optional tile layer needs the network; offline, the routes draw on a blank
background.

``language=None`` (the command line's map) labels the map in Greek and English at once, with
visit ids in the popups; ``"el"`` or ``"en"`` (the web application's, in its user's language)
in that language only, naming people and stops without ids, with a metric scale.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from importlib import resources
from pathlib import Path

import folium
from branca.element import Figure, MacroElement
from folium.template import Template

from planner.model import MINUTE, Location, Plan, Problem, Route, Stop, Visit
from planner.render import WEEKDAYS_EL, day_label, hhmm, unit_label

DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
"""OpenStreetMap's standard tiles (an optional layer: offline it just stays blank)."""
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
ATTRIBUTION_PREFIX = 'Kinito | <a href="https://leafletjs.com" title="BSD-2-Clause">Leaflet</a>'

PALETTE: tuple[str, ...] = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#003f5c",
)  # fmt: skip
"""Route colours, in route order (date, unit); grey is kept for the unassigned."""
UNASSIGNED_COLOUR = "#7f7f7f"
BASE_COLOUR = "#222222"
AIGIO = (38.2498, 22.0816)  # where to look when a problem has no place at all

KIND_EL: Mapping[str, str] = {"home_visit": "Επίσκεψη κατ' οίκον", "village_stop": "Στάση σε οικισμό"}
WEEKDAYS_EN: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# The map's words: "el" and "en", the web application's, in one language; None, the command
# line's: Greek, with the English after the labels of the map's frame.
_LABELS: Mapping[str, tuple[str, str]] = {  # key: (Greek, English)
    "all": ("Όλες", "All"),
    "routes": ("Διαδρομές", "Routes"),
    "dashed": ("διακεκομμένη", "dashed"),
    "dotted": ("διάστικτη", "dotted"),
    "unassigned": ("Χωρίς ανάθεση", "Unassigned"),
    "unassigned_one": ("Χωρίς ανάθεση", "Unassigned"),
    "visit": ("επίσκεψη", "visit"),
    "visits": ("επισκέψεις", "visits"),
    "base": ("Βάση", "Base"),
    "map": ("Χάρτης", "Map"),
    "stop": ("στάση", "stop"),
    "stops": ("στάσεις", "stops"),
    "minutes": ("λεπτά", "min"),
    "arrival": ("Άφιξη", "Arrival"),
    "from_previous": ("km από το προηγούμενο σημείο", "km from the previous point"),
    "phone": ("Τηλ.", "Tel."),
    "zoom_in": ("Μεγέθυνση", "Zoom in"),
    "zoom_out": ("Σμίκρυνση", "Zoom out"),
    "layers": ("Επίπεδα", "Layers"),
    "staff": ("Προσωπικό", "Staff"),
    "social_worker": ("Κοινωνικός λειτουργός", "Social worker"),
    "psychologist": ("Ψυχολόγος", "Psychologist"),
    "driver": ("Οδηγός", "Driver"),
}
_EL = {k: el for k, (el, _) in _LABELS.items()}
_EN = {k: en for k, (_, en) in _LABELS.items()}
_BOTH = ("all", "routes", "dashed", "dotted", "unassigned", "base", "map", "visit", "visits")
_WORDS: Mapping[str | None, Mapping[str, str]] = {
    None: {**_EL, **{k: f"{_EL[k]} / {_EN[k]}" for k in _BOTH}},
    "el": _EL,
    "en": _EN,
}
KIND_EN: Mapping[str, str] = {"home_visit": "Home visit", "village_stop": "Village stop"}
LANGUAGES = ("el", "en")

LatLon = tuple[float, float]
Shapes = Mapping[tuple[str, date], Sequence[Sequence[LatLon]]]
"""Per route (unit id, date): one [lat, lon] point list per leg, base -> stops -> base."""


class _Bind(MacroElement):
    """Bind a popup (and a hover tooltip) to the parent layer with plain Leaflet calls.

    The strings are JSON-encoded into the script, so names need no JS escaping. A popup opening
    near the map's edge pans the map to keep clear of the controls in its corners.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindPopup(
                {{ this.popup|tojson }}, {"maxWidth": 320, "autoPanPadding": [50, 50]});
            {% if this.tooltip %}
            {{ this._parent.get_name() }}.bindTooltip({{ this.tooltip|tojson }});
            {% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, popup: str, tooltip: str = "") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Bind"
        self.popup = popup
        self.tooltip = tooltip


class _Legend(MacroElement):
    """A Leaflet control in the map's corner holding an HTML legend."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: "bottomleft"});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "kinito-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self.html = html_text


class _DayPicker(MacroElement):
    """Buttons in the map's corner that show one day's routes only (or all), zoomed to them: the
    layer control alone needs a click per route to do that."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: "topleft"});
            {{ this.get_name() }}.onAdd = function (map) {
                var groups = {
                {%- for label, names in this.days %}
                    {{ label|tojson }}: [{{ names|join(", ") }}],
                {%- endfor %}
                };
                var div = L.DomUtil.create("div", "kinito-days leaflet-bar");
                div.style.background = "#fff";
                function show(only) {
                    var bounds = L.latLngBounds([]);
                    Object.keys(groups).forEach(function (label) {
                        groups[label].forEach(function (g) {
                            if (only === null || only === label) {
                                map.addLayer(g);
                                bounds.extend(g.getBounds());
                            } else {
                                map.removeLayer(g);
                            }
                        });
                    });
                    // the chosen day's stops fill the map (the week's view had them small)
                    if (bounds.isValid()) {
                        map.fitBounds(bounds, {padding: [30, 30], maxZoom: 14});
                    }
                }
                function button(text, only) {
                    var b = L.DomUtil.create("a", "kinito-day", div);
                    b.href = "#";
                    b.textContent = text;
                    b.style.width = "auto";
                    b.style.padding = "0 6px";
                    L.DomEvent.on(b, "click", function (e) { L.DomEvent.preventDefault(e); show(only); });
                }
                button({{ this.all_label|tojson }}, null);
                Object.keys(groups).forEach(function (label) { button(label, label); });
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, days: Sequence[tuple[str, Sequence[str]]], all_label: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "DayPicker"
        self.days = [(label, list(names)) for label, names in days]
        self.all_label = all_label


class _AttributionPrefix(MacroElement):
    """Set the text before the tile attribution (who drew the map)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.setPrefix({{ this.prefix|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, prefix: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "AttributionPrefix"
        self.prefix = prefix


class _ControlTitles(MacroElement):
    """Leaflet's own control titles (zoom in, zoom out, layers; English in Leaflet) in the
    map's language."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (box) {
                var titles = {{ this.titles|tojson }};
                Object.keys(titles).forEach(function (sel) {
                    box.querySelectorAll(sel).forEach(function (a) {
                        a.title = titles[sel];
                        a.setAttribute("aria-label", titles[sel]);
                    });
                });
            })({{ this._parent.get_name() }}.getContainer());
        {% endmacro %}
        """
    )

    def __init__(self, words: Mapping[str, str]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ControlTitles"
        self.titles = {
            ".leaflet-control-zoom-in": words["zoom_in"],
            ".leaflet-control-zoom-out": words["zoom_out"],
            ".leaflet-control-layers-toggle": words["layers"],
        }


class _MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only (folium's shows miles too)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({"metric": true, "imperial": false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "MetricScale"


class _Spread(MacroElement):
    """Spread the markers that overlap on the screen at the map's zoom, so that every stop's
    number shows and can be clicked: a village's stops 175 m apart lie on one another until
    zoom 16, and :func:`marker_shifts` parts only stops at one point.

    On every zoom (and when a day's layers are shown or hidden) the markers on the map start at
    their points (plus their :func:`marker_shifts`); each overlapping pair is pushed apart along
    the line between them, half each, and a stop on the base off it (the base stays on its
    point), until no two are closer than their radii and ``gap`` pixels. A marker moved off its
    point is tied to it by a thin grey line. Plain Leaflet: it works offline and in the web's map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map) {
                var GAP = {{ this.gap }};
                var leaders = L.layerGroup().addTo(map);
                var pending = false, rounds = 0;
                function ours(layer) {
                    return layer instanceof L.Marker && layer.options.kinitoSize;
                }
                function spread() {
                    pending = false;
                    leaders.clearLayers();
                    var items = [];
                    map.eachLayer(function (layer) {
                        if (!ours(layer) || !layer.getElement()) { return; }
                        var p = map.latLngToLayerPoint(layer.getLatLng());
                        var s = layer.options.kinitoShift || [0, 0];
                        items.push({m: layer, x0: p.x, y0: p.y, x: p.x + s[0], y: p.y + s[1],
                                    r: layer.options.kinitoSize / 2, fixed: !!layer.options.kinitoFixed});
                    });
                    for (var pass = 0; pass < 400; pass++) {
                        var moved = false;
                        for (var i = 0; i < items.length; i++) {
                            for (var j = i + 1; j < items.length; j++) {
                                var a = items[i], b = items[j];
                                if (a.fixed && b.fixed) { continue; }
                                var gap = a.r + b.r + GAP, dx = b.x - a.x, dy = b.y - a.y;
                                if (Math.abs(dx) >= gap || Math.abs(dy) >= gap) { continue; }
                                var d = Math.sqrt(dx * dx + dy * dy);
                                if (d >= gap - 0.01) { continue; }
                                var t = j * 2.39996;  // the golden angle: markers at one spot never in line
                                var ux = d > 1e-6 ? dx / d : Math.cos(t);
                                var uy = d > 1e-6 ? dy / d : Math.sin(t);
                                var push = gap - d;
                                if (a.fixed) {
                                    b.x += ux * push; b.y += uy * push;
                                } else if (b.fixed) {
                                    a.x -= ux * push; a.y -= uy * push;
                                } else {
                                    a.x -= ux * push / 2; a.y -= uy * push / 2;
                                    b.x += ux * push / 2; b.y += uy * push / 2;
                                }
                                moved = true;
                            }
                        }
                        if (!moved) { break; }
                    }
                    items.forEach(function (it) {
                        var dx = Math.round(it.x - it.x0), dy = Math.round(it.y - it.y0);
                        var icon = it.m.getElement(), half = it.r, opts = it.m.options.icon.options;
                        icon.style.marginLeft = (dx - half) + "px";
                        icon.style.marginTop = (dy - half) + "px";
                        opts.popupAnchor = [dx, dy - half];
                        opts.tooltipAnchor = [dx, dy];
                        if (it.m.isPopupOpen()) { it.m.getPopup().update(); }  // on its marker again
                        if (dx * dx + dy * dy > half * half) {
                            leaders.addLayer(new L.Polyline(
                                [it.m.getLatLng(), map.layerPointToLatLng([it.x0 + dx, it.y0 + dy])],
                                {color: "#444", weight: 1, opacity: 0.8, interactive: false}));
                            leaders.addLayer(new L.CircleMarker(it.m.getLatLng(), {radius: 2, stroke: false,
                                fillColor: "#444", fillOpacity: 0.9, interactive: false}));
                        }
                    });
                    rounds += 1;
                    map.getContainer().setAttribute("data-kinito-spread", String(rounds));
                }
                function later(e) {
                    if (e && e.layer && !ours(e.layer) && !(e.layer instanceof L.LayerGroup)) { return; }
                    if (e && e.layer === leaders) { return; }
                    if (!pending) { pending = true; setTimeout(spread, 0); }
                }
                map.on("zoomend viewreset layeradd layerremove", later);
                later();
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, gap: int = 2) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Spread"
        self.gap = gap


# --- labels and popups -------------------------------------------------------------------

MARKER_SIZE = 24
"""A numbered stop marker's diameter in pixels."""
BASE_SIZE = 28
"""The base's «Β» marker's diameter in pixels."""


def route_colour(index: int) -> str:
    """The ``index``-th colour of the palette (the ``index``-th day of a plan)."""
    return PALETTE[index % len(PALETTE)]


UNIT_SHADES: tuple[tuple[int, float], ...] = ((0, 0.0), (0, 0.45), (255, 0.4))
"""The shades of a day's colour for its units: (mixed towards black 0 or white 255, by how
much). The first keeps the day's colour, the second a darker shade, the third a lighter."""
UNIT_DASHES: tuple[str | None, ...] = (None, "10 7", "2 7")
"""The units' Leaflet ``dashArray`` on a day: solid, dashed, dotted."""
DASH_WORDS: Mapping[str, str] = {"10 7": "dashed", "2 7": "dotted"}
"""What the legend calls each line (a key of the map's words)."""


def unit_style(k: int) -> tuple[tuple[int, float], str | None]:
    """The k-th unit's (from 0) shade and dash on a day: shade and dash cycle independently
    (the dash moves on one more every full round of shades), so that the first nine units of
    a day each differ from the others (a fourth unit used to repeat the first's look)."""
    return UNIT_SHADES[k % len(UNIT_SHADES)], UNIT_DASHES[(k + k // len(UNIT_SHADES)) % len(UNIT_DASHES)]


def shade(colour: str, towards: int, amount: float) -> str:
    """``colour`` (``#rrggbb``) mixed ``amount`` (0 to 1) of the way towards grey level ``towards``."""
    rgb = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (towards - c) * amount):02x}" for c in rgb)


def marker_text_colour(colour: str) -> str:
    """White on a dark marker, near-black on a light one (a lighter shade, a yellow day), so
    that its number can be read: whichever contrasts more with ``colour`` (WCAG luminance)."""

    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    dark_lum = 0.0159  # #222222
    return "#ffffff" if 1.05 / (lum + 0.05) >= (lum + 0.05) / (dark_lum + 0.05) else "#222222"


def route_styles(routes: Sequence[Route]) -> dict[tuple[str, date], tuple[str, str | None]]:
    """One colour family per day; each unit of a day its own shade of it (:data:`UNIT_SHADES`),
    the second and later ones dashed or dotted too, so that two units' markers on one day
    (both numbered 1, 2...) can be told apart.

    Keyed by (unit id, date): (colour, Leaflet ``dashArray`` or None).
    """
    days = sorted({r.date for r in routes})
    styles: dict[tuple[str, date], tuple[str, str | None]] = {}
    seen: dict[date, int] = {}
    for route in sorted(routes, key=lambda r: (r.date, r.unit_id)):
        k = seen.get(route.date, 0)
        seen[route.date] = k + 1
        (towards, amount), dash = unit_style(k)
        colour = route_colour(days.index(route.date))
        if amount:
            colour = shade(colour, towards, amount)
        styles[(route.unit_id, route.date)] = (colour, dash)
    return styles


def _day_label(day: date, language: str | None = None) -> str:
    """``Δευ 07/12`` (the command line's map); the web's, as its pages write dates: ``Δευ 7/12``,
    ``Mon 7/12``."""
    if language is None:
        return day_label(day)
    names = WEEKDAYS_EN if language == "en" else WEEKDAYS_EL
    return f"{names[day.weekday()]} {day.day}/{day.month}"


def _km(metres: float, language: str | None) -> str:
    """Kilometres with one decimal: a decimal comma in Greek («66,2»), as the web's pages write
    them, the command line's map included (its figures stand in Greek text)."""
    text = f"{metres / 1000:.1f}"
    return text if language == "en" else text.replace(".", ",")


def route_label(route: Route, problem: Problem, language: str | None = None) -> str:
    """A route's name in the layer control and legend, e.g. ``Δευ 07/12 · Κινητή μονάδα``."""
    return f"{_day_label(route.date, language)} · {unit_label(problem, route.unit_id)}"


def _kind(visit: Visit, language: str | None) -> str:
    kinds = KIND_EN if language == "en" else KIND_EL
    return kinds.get(visit.kind, visit.kind)


def _swatch(colour: str) -> str:
    return (
        f'<span style="display:inline-block;width:12px;height:12px;margin-right:4px;'
        f'vertical-align:middle;background:{colour};border-radius:2px"></span>'
    )


def _line_swatch(colour: str, dash: str | None) -> str:
    """A route's legend and layer sample: a short stretch of its line, dashed as it is (an
    inline SVG, no network), its colour's marker at the end."""
    pattern = ""
    if dash:  # the map's dashes at the swatch's scale (its line is thinner)
        pattern = f' stroke-dasharray="{" ".join(str(max(1, round(int(n) * 0.5))) for n in dash.split())}"'
    return (
        f'<svg width="30" height="12" viewBox="0 0 30 12" aria-hidden="true" '
        f'style="margin-right:4px;vertical-align:middle">'
        f'<line x1="0" y1="6" x2="22" y2="6" stroke="{colour}" stroke-width="3"{pattern}/>'
        f'<circle cx="24" cy="6" r="5" fill="{colour}" stroke="#fff" stroke-width="1"/></svg>'
    )


def _stop_popup(
    route: Route, number: int, stop: Stop, visit: Visit | None, problem: Problem, language: str | None = None
) -> str:
    esc = html.escape
    words = _WORDS[language]
    name = (visit.name if visit else "") or stop.visit_id
    kind = _kind(visit, language) if visit else ""
    lines = [
        f"<b>{number}. {esc(name)}</b>",
        # the command line's map names the visit's id too; the web's only what it is
        f"{esc(stop.visit_id)} · {kind}" if language is None else kind,
        f"{hhmm(stop.start)}–{hhmm(stop.end)} ({round((stop.end - stop.start) / MINUTE)} {words['minutes']})",
    ]
    if stop.arrival < stop.start:
        lines.append(f"{words['arrival']} {hhmm(stop.arrival)}")
    if visit and (who := _who(visit, problem, words)):  # a crew of two: whose visit it is
        lines.append(f"{words['staff']}: {esc(who)}")
    lines.append(f"{_km(stop.distance, language)} {words['from_previous']}")  # the leg's km
    if visit and visit.phone:
        lines.append(f"{words['phone']} {esc(visit.phone)}")
    if visit and visit.address:
        lines.append(esc(visit.address))
    lines.append(f"<i>{esc(route_label(route, problem, language))}</i>")
    return "<br>".join(line for line in lines if line)


def _who(visit: Visit, problem: Problem, words: Mapping[str, str]) -> str:
    """The staff member a visit names, else the role it needs, else nothing (as the route
    sheet's service column)."""
    if visit.required_staff:
        try:
            return problem.staff_member(visit.required_staff).name or visit.required_staff
        except KeyError:
            pass
    role = visit.required_role
    return words.get(role, role) if role else ""


def _number_icon(
    text: str, colour: str, size: int = MARKER_SIZE, shift: tuple[int, int] = (0, 0)
) -> folium.DivIcon:
    """A round numbered marker; ``shift`` moves it that many pixels right and down of its
    point (stops at the same point side by side, every number visible and clickable)."""
    dx, dy = shift
    style = (
        f"width:{size}px;height:{size}px;border-radius:50%;box-sizing:border-box;"
        f"background:{colour};color:{marker_text_colour(colour)};"
        "border:2px solid #fff;box-shadow:0 0 3px #000;"
        f"text-align:center;font:bold 12px/{size - 4}px sans-serif"
    )
    return folium.DivIcon(
        html=f'<div style="{style}">{html.escape(text)}</div>',
        icon_size=(size, size),
        icon_anchor=(size // 2 - dx, size // 2 - dy),
        popup_anchor=(dx, dy - size // 2),
        class_name="kinito-marker",
    )


RING = 8  # markers around a shared point per ring; each ring SPACING pixels further out
SPACING = 22


def marker_shifts(routes: Sequence[Route], problem: Problem) -> dict[tuple[str, date, int], tuple[int, int]]:
    """Per stop (unit, date, its number in the route) sharing its point with stops before it
    (in date, unit and route order: visits default to their settlement's point, so a village
    often has several), the pixels to move its marker by: the first stays on the point, the
    others go round it. Stops alone at their point are not listed."""
    seen: dict[tuple[float, float], int] = {}
    out: dict[tuple[str, date, int], tuple[int, int]] = {}
    for route in sorted(routes, key=lambda r: (r.date, r.unit_id)):
        for number, stop in enumerate(route.stops, start=1):
            visit = _find_visit(problem, stop.visit_id)
            if visit is None:
                continue
            point = (round(visit.location.lat, 6), round(visit.location.lon, 6))
            k = seen.get(point, 0)
            seen[point] = k + 1
            if k:
                ring, slot = divmod(k - 1, RING)
                angle = 2 * math.pi * slot / RING - math.pi / 2  # the first above the point
                radius = SPACING * (ring + 1)
                out[(route.unit_id, route.date, number)] = (
                    round(radius * math.cos(angle)),
                    round(radius * math.sin(angle)),
                )
    return out


def _find_visit(problem: Problem, visit_id: str) -> Visit | None:
    try:
        return problem.visit(visit_id)
    except KeyError:
        return None


# --- layers --------------------------------------------------------------------------------


def _route_path(route: Route, base: Location, problem: Problem, shapes: Shapes | None) -> list[LatLon]:
    """The route's polyline: given leg shapes when there are, else straight legs."""
    places: list[LatLon] = [(base.lat, base.lon)]
    for stop in route.stops:
        visit = _find_visit(problem, stop.visit_id)
        if visit is not None:
            places.append((visit.location.lat, visit.location.lon))
    places.append((base.lat, base.lon))
    legs = shapes.get((route.unit_id, route.date)) if shapes else None
    if legs is None:
        return places
    if len(legs) != len(places) - 1:
        raise ValueError(
            f"shapes[{route.unit_id!r}, {route.date}]: {len(legs)} legs given, "
            f"the route has {len(places) - 1}"
        )
    path: list[LatLon] = [places[0]]
    for leg, end in zip(legs, places[1:], strict=True):
        path.extend((float(lat), float(lon)) for lat, lon in leg)
        path.append(end)
    return path


def _add_route(
    m: folium.Map,
    route: Route,
    style: tuple[str, str | None],
    problem: Problem,
    shapes: Shapes | None,
    groups: list[str],
    language: str | None = None,
    shifts: Mapping[tuple[str, date, int], tuple[int, int]] | None = None,
) -> list[LatLon]:
    """Draw ``route`` in its own layer (its JavaScript name appended to ``groups``); markers
    moved by ``shifts`` (:func:`marker_shifts`)."""
    colour, dash = style
    label = route_label(route, problem, language)
    group = folium.FeatureGroup(name=f"{_line_swatch(colour, dash)}{html.escape(label)}").add_to(m)
    path = _route_path(route, problem.unit(route.unit_id).base, problem, shapes)
    line = folium.PolyLine(path, color=colour, weight=4, opacity=0.85, dash_array=dash)  # type: ignore[no-untyped-call]
    _Bind(html.escape(label), tooltip=html.escape(label)).add_to(line)
    line.add_to(group)
    for number, stop in enumerate(route.stops, start=1):
        visit = _find_visit(problem, stop.visit_id)
        if visit is None:
            continue
        shift = (shifts or {}).get((route.unit_id, route.date, number), (0, 0))
        marker = folium.Marker(
            (visit.location.lat, visit.location.lon),
            icon=_number_icon(str(number), colour, shift=shift),
            kinito_size=MARKER_SIZE,  # spread by _Spread when markers overlap on the screen
            kinito_shift=list(shift),
            kinito_number=number,
        )
        # two units a day both number their stops from 1: the tooltip says whose stop it is
        tooltip = (
            f"{number}. {visit.name or visit.id} ({hhmm(stop.start)}) · {unit_label(problem, route.unit_id)}"
        )
        _Bind(_stop_popup(route, number, stop, visit, problem, language), html.escape(tooltip)).add_to(marker)
        marker.add_to(group)
    groups.append(group.get_name())
    return path


def _add_bases(m: folium.Map, problem: Problem, language: str | None = None) -> list[LatLon]:
    """One «Β» marker per place a unit starts from: bases at one point (two units' bases of
    different ids in one yard) share a marker whose popup names each (two markers one on the
    other let only the top one be clicked)."""
    word = _WORDS[language]["base"]
    group = folium.FeatureGroup(name=word, control=False).add_to(m)
    at: dict[tuple[float, float], dict[str, Location]] = {}
    for u in problem.units:
        at.setdefault((round(u.base.lat, 5), round(u.base.lon, 5)), {})[u.base.id] = u.base
    for bases in at.values():
        parts, names = [], []
        for base in bases.values():
            here = [u for u in problem.units if u.base.id == base.id]
            # the command line's map names the units' ids; the web's their names
            units = ", ".join(u.id if language is None else (u.name or u.id) for u in here)
            parts.append(f"<b>{html.escape(base.name or base.id)}</b><br>{word} · {html.escape(units)}")
            names.append(html.escape(base.name or base.id))
        first = next(iter(bases.values()))
        marker = folium.Marker(
            (first.lat, first.lon),
            icon=_number_icon("Β", BASE_COLOUR, size=BASE_SIZE),
            z_index_offset=1000,  # above a stop at its point until the stops are spread off it
            kinito_size=BASE_SIZE,
            kinito_fixed=True,
        )
        _Bind("<br>".join(parts), " · ".join(names)).add_to(marker)
        marker.add_to(group)
    return [(b.lat, b.lon) for bases in at.values() for b in bases.values()]


def unassigned_count(plan: Plan, language: str | None = None) -> str:
    """The unassigned as the plan's table counts them, each unserved occurrence of a visit
    (a visit twice a week may miss both), with the visits (the map's circles) when fewer:
    ``12`` or ``12 (11 visits)``."""
    occurrences, visits = len(plan.unassigned), len({u.visit_id for u in plan.unassigned})
    word = _WORDS[language]["visit" if visits == 1 else "visits"]
    return str(occurrences) if visits == occurrences else f"{occurrences} ({visits} {word})"


def _add_unassigned(m: folium.Map, plan: Plan, problem: Problem, language: str | None = None) -> list[LatLon]:
    """One grey circle per unassigned visit; the popup lists each unserved occurrence's reason
    (the web's map: each reason once, in the reader's language, without the engine's code)."""
    words = _WORDS[language]
    by_visit: dict[str, list[str]] = {}
    for item in plan.unassigned:
        reasons = by_visit.setdefault(item.visit_id, [])
        if language is None:
            reasons.append(f"[{html.escape(item.reason)}] {html.escape(item.message_el)}")
        elif (reason := html.escape(item.message_en if language == "en" else item.message_el)) not in reasons:
            reasons.append(reason)
    if not by_visit:
        return []
    count = unassigned_count(plan, language)
    # «Χωρίς ανάθεση (7)», or «Χωρίς ανάθεση: 7 (6 επισκέψεις)» (not a bracket in a bracket)
    said = f": {count}" if "(" in count else f" ({count})"
    name = f"{_swatch(UNASSIGNED_COLOUR)}{words['unassigned']}{said}"
    group = folium.FeatureGroup(name=name).add_to(m)
    points: list[LatLon] = []
    for visit_id, reasons in by_visit.items():
        visit = _find_visit(problem, visit_id)
        if visit is None:
            continue
        title = html.escape(visit.name or visit.id)
        what = (
            f"{html.escape(visit.id)} · {words['unassigned_one']}"
            if language is None
            else words["unassigned"]
        )
        popup = f"<b>{title}</b><br>{what}<br>" + "<br>".join(reasons)
        point = (visit.location.lat, visit.location.lon)
        circle = folium.CircleMarker(
            point, radius=7, color="#444444", weight=1, fill=True,
            fill_color=UNASSIGNED_COLOUR, fill_opacity=0.8,
        )  # fmt: skip
        _Bind(popup, title).add_to(circle)
        circle.add_to(group)
        points.append(point)
    return points


def _legend_html(entries: Sequence[tuple[str, str]], language: str | None = None) -> str:
    """Entries (swatch HTML, text): a route's line sample, or the unassigned's square."""
    rows = "".join(f"<div>{swatch}{html.escape(text)}</div>" for swatch, text in entries)
    style = "background:#fff;padding:6px 8px;border-radius:4px;box-shadow:0 0 4px #888;font:12px sans-serif"
    return f'<div style="{style}"><b>{_WORDS[language]["routes"]}</b>{rows}</div>'


def plan_map(
    plan: Plan,
    problem: Problem,
    tiles_url: str | None = DEFAULT_TILES,
    *,
    attribution: str = OSM_ATTRIBUTION,
    shapes: Shapes | None = None,
    language: str | None = None,
) -> folium.Map:
    """The plan as a folium map: a coloured layer per route, the base and the unassigned.

    ``tiles_url=None`` draws no tile layer; ``attribution`` credits the tiles. ``shapes``
    replaces the straight legs of the routes it names with the given point lists.
    ``language`` ("el" or "en"): every label in that language only, popups naming people and
    stops without their ids, a metric scale (the web's map); None: the command line's map.
    """
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES} or None, not {language!r}")
    words = _WORDS[language]
    # folium's scale shows miles too: the map draws a metric one instead
    m = folium.Map(location=AIGIO, tiles=None, zoom_start=10, control_scale=False)
    root = m.get_root()
    if isinstance(root, Figure):  # always, for a new Map; the check is for the type checker
        root.title = html.escape(f"Kinito · {plan.problem_name or problem.name}")
    if tiles_url:
        folium.TileLayer(tiles=tiles_url, attr=attribution, name=words["map"], control=False).add_to(m)
    _AttributionPrefix(ATTRIBUTION_PREFIX).add_to(m)
    _MetricScale().add_to(m)
    points = _add_bases(m, problem, language)
    legend: list[tuple[str, str]] = []
    routes = sorted(plan.routes, key=lambda r: (r.date, r.unit_id))
    styles = route_styles(routes)
    shifts = marker_shifts(routes, problem)
    by_day: dict[str, list[str]] = {}
    for route in routes:
        style = styles[(route.unit_id, route.date)]
        colour = style[0]
        day = by_day.setdefault(_day_label(route.date, language), [])
        points += _add_route(m, route, style, problem, shapes, day, language, shifts)
        km = _km(route.distance, language)
        stops = f"{len(route.stops)} {words['stop'] if len(route.stops) == 1 else words['stops']}"
        dashed = f" ({words[DASH_WORDS.get(style[1], 'dashed')]})" if style[1] else ""
        entry = f"{route_label(route, problem, language)}: {stops}, {km} km{dashed}"
        legend.append((_line_swatch(colour, style[1]), entry))
    unassigned = _add_unassigned(m, plan, problem, language)
    if unassigned:
        legend.append(
            (_swatch(UNASSIGNED_COLOUR), f"{words['unassigned']}: {unassigned_count(plan, language)}")
        )
    points += unassigned
    # the web's map is small: an open layer list covered its eastern stops and their popups;
    # the legend says what each line is, the list (one click away) switches them
    folium.LayerControl(collapsed=language is not None).add_to(m)
    if language is not None:
        _ControlTitles(words).add_to(m)
    if len(by_day) > 1:
        _DayPicker(list(by_day.items()), words["all"]).add_to(m)
    _Legend(_legend_html(legend, language)).add_to(m)
    _fit(m, points)
    _Spread().add_to(m)
    return m


def _fit(m: folium.Map, points: Sequence[LatLon]) -> None:
    if not points:
        return
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    m.location = [(min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2]
    m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30), max_zoom=14)


# --- offline HTML --------------------------------------------------------------------------

# One pass over folium's page, so the inlined code is never itself rescanned.
_EXTERNAL = re.compile(
    r'<script\b[^>]*\bsrc="(?P<js>[^"]*)"[^>]*>\s*</script>|<link\b[^>]*\bhref="(?P<css>[^"]*)"[^>]*>',
    re.IGNORECASE,
)
_LEAFLET_JS = re.compile(r"leaflet(\.min)?\.js")
_LEAFLET_CSS = re.compile(r"leaflet(\.min)?\.css")
# folium's default assets that serve only features this map does not use: jQuery (folium's
# Popup), Bootstrap and its glyphicons, Font Awesome and awesome-markers (image icons).
_UNUSED = ("jquery", "bootstrap", "glyphicons", "fontawesome", "awesome-markers", "awesome.rotate")


def _static(name: str) -> bytes:
    return resources.files("planner").joinpath("static", name).read_bytes()


def _leaflet_css() -> str:
    css = _static("leaflet.css").decode("utf-8")
    for image in ("layers.png", "layers-2x.png"):
        data = base64.b64encode(_static(image)).decode("ascii")
        css = css.replace(f"url(images/{image})", f"url(data:image/png;base64,{data})")
    return css


def _asset_name(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1].lower()


def _inline(match: re.Match[str], js: str, css: str) -> str:
    """What replaces one external asset tag: the vendored Leaflet, or nothing."""
    url = match.group("js") or match.group("css") or ""
    name = _asset_name(url)
    if match.group("js") and _LEAFLET_JS.fullmatch(name):
        return js
    if match.group("css") and _LEAFLET_CSS.fullmatch(name):
        return css
    if any(key in url.lower() for key in _UNUSED):
        return ""
    raise ValueError(f"the map needs {url!r}, which is not vendored in planner/static")


def offline_html(m: folium.Map, lang: str = "el") -> str:
    """The map's complete HTML page, with Leaflet inlined and no external script or stylesheet;
    the page says its language (``lang``: a screen reader reads Greek as Greek) and has an
    empty icon (a browser asks for ``/favicon.ico`` otherwise)."""
    page = str(m.get_root().render()).replace("<html>", f'<html lang="{lang}">', 1)
    js = "<script>\n" + _static("leaflet.js").decode("utf-8") + "\n</script>"
    css = "<style>\n" + _leaflet_css() + "\n</style>"
    page = _EXTERNAL.sub(lambda match: _inline(match, js, css), page)
    return page.replace("<head>", '<head>\n<link rel="icon" href="data:,">', 1)


def save_plan_map(
    plan: Plan,
    problem: Problem,
    path: str | Path,
    tiles_url: str | None = DEFAULT_TILES,
    *,
    attribution: str = OSM_ATTRIBUTION,
    shapes: Shapes | None = None,
) -> None:
    """Write the plan's map to ``path`` as one HTML file that needs no network to draw."""
    m = plan_map(plan, problem, tiles_url, attribution=attribution, shapes=shapes)
    Path(path).write_text(offline_html(m), encoding="utf-8")
