"""The plan map: one layer per route, numbered stops, and an HTML file that draws offline."""

from __future__ import annotations

import importlib.util
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planner.mapview import offline_html, plan_map, save_plan_map
from planner.mapworker import MapWriter
from planner.model import (
    HOUR,
    MINUTE,
    BreakStep,
    CrewMember,
    Location,
    Plan,
    Problem,
    Route,
    StaffMember,
    Stop,
    Unassigned,
    Unit,
    UnitDay,
    Visit,
)

MON, TUE = date(2026, 12, 7), date(2026, 12, 8)
CHROMIUM = Path("/usr/bin/chromium")
STATIC = Path(__file__).resolve().parents[2] / "planner" / "static"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def problem() -> Problem:
    """One van at Aigio, four mountain villages around it."""
    base = Location("base", 38.2498, 22.0816, "Κέντρο Κοινότητας Αιγίου")
    zachlorou = Location("zachlorou", 38.10, 22.15, "Ζαχλωρού", "mountainous")
    kalavryta = Location("kalavryta", 38.03, 22.11, "Καλάβρυτα", "mountainous")
    selinous = Location("selinous", 38.20, 21.95, "Σελινούς", "semi_mountainous")
    pteri = Location("pteri", 38.15, 22.30, "Πτέρη", "mountainous")
    return Problem(
        name="Δοκιμαστική εβδομάδα",
        dates=(MON, TUE),
        units=(Unit("van1", "Κινητή μονάδα", base),),
        unit_days=(UnitDay("van1", MON, crew=(CrewMember("sw1"),)), UnitDay("van1", TUE)),
        staff=(StaffMember("sw1", "Μαρία Π.", ("social_worker",)),),
        visits=(
            Visit("hv-001", zachlorou, 45 * MINUTE, name="Ωφελούμενος <001>", phone="2691012345"),
            Visit("vs-002", kalavryta, 90 * MINUTE, kind="village_stop", name="Στάση Καλαβρύτων"),
            Visit("hv-003", selinous, 30 * MINUTE, name="Ωφελούμενος `003` ${x}"),
            Visit("hv-004", pteri, 60 * MINUTE, name="Ωφελούμενος 004", frequency=2),
        ),
    )


@pytest.fixture
def plan() -> Plan:
    """Monday: two stops; Tuesday: one; hv-004 is unassigned twice (one circle on the map)."""
    monday = Route(
        "van1", MON, 8 * HOUR, 14 * HOUR,
        (
            Stop("hv-001", 0, 8 * HOUR + 30 * MINUTE, 9 * HOUR, 9 * HOUR + 45 * MINUTE, 1800, 24_100),
            Stop("vs-002", 0, 10 * HOUR, 10 * HOUR, 11 * HOUR + 30 * MINUTE, 900, 8_000),
        ),
        return_travel=3000, return_distance=40_000, rest=BreakStep(12 * HOUR, 30 * MINUTE, 2),
    )  # fmt: skip
    tuesday = Route(
        "van1", TUE, 8 * HOUR, 10 * HOUR,
        (Stop("hv-003", 0, 8 * HOUR + 30 * MINUTE, 8 * HOUR + 30 * MINUTE, 9 * HOUR, 900, 12_000),),
        return_travel=900, return_distance=12_500,
    )  # fmt: skip
    unassigned = tuple(
        Unassigned("hv-004", k, "no_time", "Δεν χωράει στη βάρδια.", "Does not fit in the shift.")
        for k in (0, 1)
    )
    return Plan("Δοκιμαστική εβδομάδα", (monday, tuesday), unassigned, 0, 1, 10.0, 1.2)


def _text(page: str) -> str:
    """The page with JSON ``\\uXXXX`` escapes decoded, to search the strings folium encoded."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


N_PATHS = 2 + 1  # two route polylines + one unassigned circle
N_MARKERS = 3 + 1  # three stops + the base


@pytest.fixture
def saved(plan: Plan, problem: Problem, tmp_path: Path) -> Path:
    """The map saved with the default (OpenStreetMap) tile layer."""
    path = tmp_path / "map.html"
    save_plan_map(plan, problem, path)
    return path


def test_saved_map_loads_no_external_script_or_stylesheet(saved: Path) -> None:
    """No <script src> or <link href> points anywhere: everything needed is inline (the one
    link is the page's empty icon, a data URI, so that no browser asks for /favicon.ico)."""
    page = saved.read_text(encoding="utf-8")
    assert not re.search(r"<script\b[^>]*\bsrc=", page, re.IGNORECASE)
    assert not re.search(r'<link\b[^>]*\bhref="(?!data:)', page, re.IGNORECASE)
    assert '<html lang="el">' in page and '<link rel="icon" href="data:,">' in page
    assert not re.search(r"<script[^>]*src=\"http|<link[^>]*href=\"http", page)


def test_saved_map_inlines_the_vendored_leaflet(saved: Path) -> None:
    """Leaflet's code and stylesheet (with its layer icons as data URIs) are in the page."""
    page = saved.read_text(encoding="utf-8")
    assert "Leaflet 1.9.4, a JS library for interactive maps" in page
    assert ".leaflet-control-layers-toggle" in page
    assert "url(data:image/png;base64," in page
    assert "url(images/layers" not in page


def test_only_the_tile_template_mentions_the_network(saved: Path) -> None:
    """Besides links in text (attribution, Leaflet's comments), the tile URL is the only http URL."""
    url = re.compile(r"https?://[^\s\"'\\)<>]+")
    urls = set(url.findall(saved.read_text(encoding="utf-8")))
    vendored = {u for f in ("leaflet.js", "leaflet.css") for u in url.findall((STATIC / f).read_text())}
    allowed = vendored | {
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "https://www.openstreetmap.org/copyright",
        "https://leafletjs.com",
    }
    assert urls <= allowed, urls - allowed


def test_the_map_uses_no_library_that_was_dropped(saved: Path) -> None:
    """None of folium's dropped assets (jQuery, Bootstrap, awesome-markers) is called."""
    page = saved.read_text(encoding="utf-8")
    script = page[page.index("</style>") :]  # the part folium wrote, after the inlined Leaflet
    for name in ("$(", "jQuery", "AwesomeMarkers", "bootstrap", "L.Icon.Default"):
        assert name not in script


def test_no_tiles_means_no_tile_layer(plan: Plan, problem: Problem) -> None:
    """tiles_url=None draws the routes on a blank background."""
    page = offline_html(plan_map(plan, problem, tiles_url=None))
    assert "L.tileLayer" not in page and "openstreetmap" not in page.lower()


def test_one_layer_per_route_named_by_day_and_unit(plan: Plan, problem: Problem) -> None:
    """The layer control lists each route by Greek weekday, date and unit, and the unassigned."""
    page = _text(offline_html(plan_map(plan, problem)))
    assert "Δευ 07/12 · Κινητή μονάδα" in page and "Τρί 08/12 · Κινητή μονάδα" in page
    assert "Τρι 08/12" not in page  # the weekday keeps its accent, as on the web pages
    assert page.count("L.polyline(") == 2
    # as the plan's table counts them: hv-004's two occurrences, on one circle
    assert "Χωρίς ανάθεση / Unassigned: 2 (1 επίσκεψη / visit)" in page


def test_popups_are_greek_and_escaped(plan: Plan, problem: Problem) -> None:
    """A stop's popup has its time, kind in Greek, phone; names cannot inject HTML or JS."""
    page = _text(offline_html(plan_map(plan, problem)))
    assert "09:00–09:45 (45 λεπτά)" in page
    assert "Επίσκεψη κατ' οίκον" in page and "Στάση σε οικισμό" in page
    assert "Τηλ. 2691012345" in page
    assert "Ωφελούμενος &lt;001&gt;" in page and "Ωφελούμενος <001>" not in page


def test_shapes_replace_the_straight_legs(plan: Plan, problem: Problem) -> None:
    """Given leg shapes, the route's line goes through their points."""
    legs = [[(38.2, 22.12)], [(38.07, 22.13), (38.05, 22.12)], []]
    page = offline_html(plan_map(plan, problem, shapes={("van1", MON): legs}))
    assert "[38.07, 22.13], [38.05, 22.12]" in page


def test_shapes_with_the_wrong_number_of_legs_are_refused(plan: Plan, problem: Problem) -> None:
    """A shape list that does not match the route's legs is an error, not a wrong drawing."""
    with pytest.raises(ValueError, match="2 legs given, the route has 3"):
        plan_map(plan, problem, shapes={("van1", MON): [[], []]})


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "python package playwright not installed (pip install playwright)"
    return None


def _popup_of(page: Any, marker: Any) -> str:
    """The text of ``marker``'s popup, clicked up to three times: a click while the map still
    pans after loading can miss (it failed a CI run now and then); the assertions are the
    caller's."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    popup = page.locator(".leaflet-popup-content")
    for _attempt in range(3):
        marker.click()
        try:
            popup.wait_for(state="visible", timeout=3000)
            break
        except PlaywrightTimeout:  # click again
            page.wait_for_timeout(300)
    return str(popup.inner_text())


def test_saved_map_draws_in_a_browser_with_no_network(saved: Path) -> None:
    """Headless Chromium, every non-file request refused: routes, circles and markers draw."""
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")  # make test installs both
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import Route as PwRoute
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []

    def refuse_network(route: PwRoute) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 700})
            context.route("**/*", refuse_network)
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(saved.as_uri())
            page.wait_for_selector(".leaflet-marker-icon", state="attached", timeout=10_000)
            n_paths = page.locator(".leaflet-overlay-pane svg path").count()
            n_canvas = page.locator(".leaflet-overlay-pane canvas").count()
            n_markers = page.locator(".leaflet-marker-icon").count()
            n_layers = page.locator(".leaflet-control-layers-overlays label").count()
            legend = page.locator(".kinito-legend").inner_text()
            popup = _popup_of(page, page.locator(".leaflet-marker-icon", has_text="1").first)
            page.wait_for_timeout(500)  # let the popup fade in before the screenshot
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "map.png"))
            # one day only, then all again: the day buttons switch the route layers
            page.keyboard.press("Escape")
            page.locator(".kinito-day", has_text="Τρί 08/12").click()
            one_day = page.locator(".leaflet-overlay-pane svg path").count()
            ticked = page.locator(".leaflet-control-layers-overlays input:checked").count()
            page.locator(".kinito-day", has_text="Όλες / All").click()
            all_again = page.locator(".leaflet-overlay-pane svg path").count()
        finally:
            browser.close()
    assert (one_day, ticked) == (N_PATHS - 1, 2)  # Monday's line gone; Tuesday and the unassigned
    assert all_again == N_PATHS
    assert errors == []
    assert (n_paths, n_canvas) == (N_PATHS, 0)
    assert n_markers == N_MARKERS
    assert n_layers == 2 + 1  # two days and the unassigned
    assert "Δευ 07/12 · Κινητή μονάδα" in legend
    assert "Επίσκεψη κατ' οίκον" in popup and "09:00–09:45" in popup
    assert all("openstreetmap" in url for url in blocked), blocked


def test_a_plugin_needing_an_unvendored_library_is_refused(plan: Plan, problem: Problem) -> None:
    """An asset that is neither vendored nor known to be unused fails loudly, not silently offline."""
    from folium.plugins import MiniMap

    m = plan_map(plan, problem, tiles_url=None)
    MiniMap().add_to(m)  # type: ignore[no-untyped-call]
    with pytest.raises(ValueError, match="not vendored"):
        offline_html(m)


def test_empty_plan_shows_just_the_base(problem: Problem, tmp_path: Path) -> None:
    """A plan with no routes and nothing unassigned still saves a map with the base on it."""
    path = tmp_path / "empty.html"
    save_plan_map(Plan("x", (), (), 0, 1, 1.0, 0.1), problem, path, tiles_url=None)
    page = _text(path.read_text(encoding="utf-8"))
    assert "L.polyline(" not in page and "L.circleMarker(" not in page
    assert page.count("L.marker(") == 1 and "Κέντρο Κοινότητας Αιγίου" in page


def test_one_colour_per_day_and_a_dashed_line_for_a_second_unit() -> None:
    """Issue 5: one colour family per day; two units on one day each get their own shade of it
    (a reviewer's finding: sharing one colour, their numbered markers could not be told apart),
    the second dashed."""
    from planner.mapview import route_colour, route_styles

    routes = [
        Route("van1", MON, 8 * HOUR, 9 * HOUR, (), 0, 0),
        Route("car1", MON, 8 * HOUR, 9 * HOUR, (), 0, 0),
        Route("van1", TUE, 8 * HOUR, 9 * HOUR, (), 0, 0),
    ]
    styles = route_styles(routes)
    assert styles[("car1", MON)][0] == route_colour(0) != styles[("van1", TUE)][0] == route_colour(1)
    assert styles[("van1", MON)][0] not in (route_colour(0), route_colour(1))
    assert styles[("car1", MON)][1] is None  # car1 sorts first: solid
    assert styles[("van1", MON)][1] is not None and styles[("van1", TUE)][1] is None


def test_the_base_is_drawn_above_the_stops_and_the_legend_names_dashed_lines(
    plan: Plan, problem: Problem
) -> None:
    """The base marker keeps on top of stops in the same place; a dashed route says so."""
    from dataclasses import replace

    page = offline_html(plan_map(plan, problem))
    assert '"zIndexOffset": 1000' in page
    assert "dashed" not in _text(page)
    car = replace(plan.routes[0], unit_id="car1")
    two = replace(problem, units=(*problem.units, replace(problem.units[0], id="car1", name="Αυτοκίνητο")))
    page = _text(offline_html(plan_map(replace(plan, routes=(*plan.routes, car)), two)))
    assert page.count("(διακεκομμένη / dashed)") == 1


def _same_page(a: str, b: str) -> bool:
    """Two renderings of one map are the same page up to folium's random element ids."""
    ids = re.compile(r"[0-9a-f]{32}")
    return ids.sub("ID", a) == ids.sub("ID", b)


def test_map_writer_draws_the_same_map_in_its_child(
    plan: Plan, problem: Problem, saved: Path, tmp_path: Path
) -> None:
    """`kinito plan`'s map comes from a child started before the solve: the same page as drawn here."""
    path = tmp_path / "child.html"
    writer = MapWriter(path)
    child = writer.child
    assert child is not None
    writer.write(plan, problem)
    assert child.returncode == 0  # the child drew it, not the fallback
    assert _same_page(path.read_text(encoding="utf-8"), saved.read_text(encoding="utf-8"))


def test_map_writer_draws_here_when_its_child_is_gone(
    plan: Plan, problem: Problem, saved: Path, tmp_path: Path
) -> None:
    path = tmp_path / "here.html"
    writer = MapWriter(path)
    assert writer.child is not None
    writer.child.kill()
    writer.child.wait()
    writer.write(plan, problem)
    assert _same_page(path.read_text(encoding="utf-8"), saved.read_text(encoding="utf-8"))


def test_map_writer_ends_a_child_with_nothing_to_draw(tmp_path: Path) -> None:
    """A plan that fails (the validator, an error) leaves no map and no process behind."""
    path = tmp_path / "never.html"
    with MapWriter(path) as writer:
        child = writer.child
        assert child is not None
    assert child.returncode == 0
    assert not path.exists()
    MapWriter(None).write(
        Plan("x", (), (), 0, 0, 0.0, 0.0), Problem.__new__(Problem)
    )  # no map asked: nothing


def test_map_writer_reports_a_missing_folder_as_before(plan: Plan, problem: Problem, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        MapWriter(tmp_path / "no-such-folder" / "map.html").write(plan, problem)


def _script(page: str) -> str:
    """The part of the page folium wrote (after the inlined Leaflet), escapes decoded."""
    return _text(page[page.index("</style>") :])


def test_the_web_map_speaks_the_readers_language_only(plan: Plan, problem: Problem) -> None:
    """language="el" (the web's Greek reader): every label in Greek only, the popups name the
    person or stop and not its id, the unassigned reason without the engine's code, the base's
    units by name, and a scale in metres only."""
    from dataclasses import replace

    car = replace(plan.routes[0], unit_id="car1")
    two = replace(problem, units=(*problem.units, replace(problem.units[0], id="car1", name="Αυτοκίνητο")))
    page = _script(offline_html(plan_map(replace(plan, routes=(*plan.routes, car)), two, language="el")))
    bilingual = ("Όλες / All", "Διαδρομές / Routes", "Χωρίς ανάθεση / Unassigned", "διακεκομμένη / dashed",
                 "Βάση / Base", "Χάρτης / Map")  # fmt: skip
    for label in bilingual:
        assert label not in page, label
    assert '"Όλες"' in page and "<b>Διαδρομές</b>" in page and "(διακεκομμένη)" in page
    assert "Χωρίς ανάθεση: 2 (1 επίσκεψη)" in page and "2: 1" not in page
    assert "Βάση · Κινητή μονάδα, Αυτοκίνητο" in page
    for visit_id in ("hv-001", "vs-002", "hv-003", "hv-004"):
        assert visit_id not in page, visit_id
    assert "[no_time]" not in page and "Δεν χωράει στη βάρδια." in page
    assert page.count("Δεν χωράει στη βάρδια.") == 1  # two occurrences, one reason
    assert "09:00–09:45 (45 λεπτά)" in page and "Επίσκεψη κατ' οίκον" in page
    assert 'L.control.scale({"metric": true, "imperial": false})' in page and "L.control.scale()" not in page
    assert '".leaflet-control-zoom-in": "Μεγέθυνση"' in page  # Leaflet's own titles too


def test_the_web_map_in_english(plan: Plan, problem: Problem) -> None:
    """language="en": English weekdays and words, the English reason, no Greek label."""
    page = _script(offline_html(plan_map(plan, problem, language="en")))
    assert "Mon 7/12 · Κινητή μονάδα" in page and "Tue 8/12 · Κινητή μονάδα" in page
    assert '"All"' in page and "<b>Routes</b>" in page and "Unassigned: 2 (1 visit)" in page
    assert "09:00–09:45 (45 min)" in page and "Home visit" in page and "Village stop" in page
    assert "Tel. 2691012345" in page and "Does not fit in the shift." in page
    for greek in ("Δευ", "Όλες", "Διαδρομές", "Χωρίς ανάθεση", "λεπτά", "Τηλ.", "Επίσκεψη", "Δεν χωράει"):
        assert greek not in page, greek
    with pytest.raises(ValueError, match="language"):
        plan_map(plan, problem, language="fr")


def test_the_command_lines_map_stays_as_it_was(plan: Plan, problem: Problem) -> None:
    """No language (kinito plan, kinito week): both languages, the visit ids; a metric scale
    (Leaflet's own showed miles too)."""
    page = _script(offline_html(plan_map(plan, problem)))
    assert '"Όλες / All"' in page and "<b>Διαδρομές / Routes</b>" in page
    assert "hv-001 · Επίσκεψη κατ' οίκον" in page and "[no_time] Δεν χωράει στη βάρδια." in page
    assert "L.control.scale().addTo" not in page and '"imperial": false' in page


def test_stops_at_one_point_are_drawn_side_by_side(problem: Problem, tmp_path: Path) -> None:
    """Fifth walkthrough: visits default to their settlement's point, and stops at the same
    point were drawn one on another, so only the top number could be clicked. Three stops in
    Ζαχλωρού (two on Monday, one on Tuesday) are drawn apart, each clickable to its own popup."""
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    from planner.mapview import marker_shifts

    here = problem.visits[0].location
    visits = (*problem.visits, Visit("hv-005", here, 30 * MINUTE, name="Δεύτερη"),
              Visit("hv-006", here, 30 * MINUTE, name="Τρίτη στη σειρά"))  # fmt: skip
    crowded = Problem(problem.name, problem.dates, problem.units, problem.unit_days, problem.staff, visits)

    def stop(vid: str, hour: int) -> Stop:
        return Stop(vid, 0, hour * HOUR, hour * HOUR, hour * HOUR + 30 * MINUTE, 600, 5_000)

    routes = (
        Route("van1", MON, 8 * HOUR, 12 * HOUR, (stop("hv-001", 9), stop("hv-005", 10)), 600, 5_000),
        Route("van1", TUE, 8 * HOUR, 12 * HOUR, (stop("hv-006", 9),), 600, 5_000),
    )
    plan = Plan("x", routes, (), 0, 1, 1.0, 0.1)
    shifts = marker_shifts(routes, crowded)
    assert set(shifts) == {("van1", MON, 2), ("van1", TUE, 1)} and len(set(shifts.values())) == 2
    path = tmp_path / "crowded.html"
    save_plan_map(plan, crowded, path, tiles_url=None)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            page.goto(path.as_uri())
            page.wait_for_selector(".kinito-marker", state="attached", timeout=10_000)
            markers = page.locator(".kinito-marker").filter(has_not_text="Β")
            boxes = [markers.nth(i).bounding_box() for i in range(markers.count())]
            assert len(boxes) == 3 and all(b is not None for b in boxes)
            centres = {(round(b["x"] + b["width"] / 2), round(b["y"] + b["height"] / 2)) for b in boxes if b}
            assert len(centres) == 3, centres  # apart, not on one another
            names = []
            for i in range(3):
                names.append(_popup_of(page, markers.nth(i)))
                page.locator(".leaflet-popup-close-button").click()
                page.wait_for_selector(".leaflet-popup", state="detached")
        finally:
            browser.close()
    assert any("Ωφελούμενος <001>" in n for n in names)
    assert any("Δεύτερη" in n for n in names) and any("Τρίτη στη σειρά" in n for n in names)


def test_the_unassigned_are_counted_as_the_plans_table_counts_them(plan: Plan) -> None:
    """Occurrences, as the table's «Χωρίς ανάθεση (N)»; the circles' visits beside them when fewer."""
    from dataclasses import replace

    from planner.mapview import unassigned_count

    assert unassigned_count(plan, "el") == "2 (1 επίσκεψη)"
    more = (
        *plan.unassigned,
        Unassigned("hv-001", 0, "no_time", "α", "a"),
        Unassigned("hv-003", 0, "no_time", "β", "b"),
    )
    assert unassigned_count(replace(plan, unassigned=more), "en") == "4 (3 visits)"
    assert unassigned_count(replace(plan, unassigned=more[1:]), None) == "3"
