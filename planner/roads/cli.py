"""The ``kinito roads`` commands and the road setting of ``kinito plan``.

    kinito roads build EXTRACT.osm.pbf [--cache DIR] [--bbox S,W,N,E] [--rebuild]
    kinito roads download [--url URL] [-o FILE] [--sha256 HEX | --md5 HEX | --checksum-url URL]
    kinito roads calibrate EXTRACT.osm.pbf [--locations CSV] [--min-km 1]

``kinito plan`` uses the roads when an extract is configured: ``--roads EXTRACT`` (``--roads
off`` to force the estimate), else ``$KINITO_ROADS``, else ``extract`` in the ``[roads]``
table of the ``--config`` TOML file; otherwise the embedded estimate. It says which. An
``http://`` or ``https://`` address instead of an extract is an OSRM server.
The ``[roads]`` table may also hold ``cache_dir``, ``bbox`` ([S, W, N, E]),
``stop_overhead_min``, ``unreachable`` ("error" or "estimate"), ``max_snap_m``,
``access_speed_kmh`` and a ``[roads.profile]`` table (see :mod:`planner.roads.profile`).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import sys
import time
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from planner.model import TERRAINS, Location, Plan, Problem, Terrain

EXIT_OK, EXIT_INPUT = 0, 2
STAGES = ("read", "graph", "snap", "matrix")
STAGE_EL = {
    "read": "ανάγνωση", "graph": "γράφος", "snap": "προσκόλληση", "matrix": "πίνακας", "download": "λήψη",
    "osrm": "προετοιμασία OSRM",
}  # fmt: skip
_KNOWN = {
    "extract", "cache_dir", "bbox", "stop_overhead_min", "unreachable", "max_snap_m",
    "access_speed_kmh", "profile",
}  # fmt: skip


class StageBar:
    """A one-line progress bar per stage on stderr (a line per step when not a terminal)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.current = ""
        self.t0 = time.perf_counter()
        self.last = -1.0

    def __call__(self, stage: str, fraction: float, note: str) -> None:
        """Report ``stage`` at ``fraction`` (0..1) with a note."""
        if stage != self.current:
            if self.current and self.tty:
                print(file=self.stream)
            self.current, self.t0, self.last = stage, time.perf_counter(), -1.0
        if not self.tty and fraction < 1.0 and fraction - self.last < 0.25:
            return
        self.last = fraction
        filled = round(20 * max(0.0, min(1.0, fraction)))
        line = (
            f"{STAGE_EL.get(stage, stage)} / {stage:<6} [{'#' * filled}{'.' * (20 - filled)}] "
            f"{100 * fraction:3.0f}%  {time.perf_counter() - self.t0:5.1f} s  {note}"
        )
        if self.tty:
            print("\r" + line, end="", file=self.stream, flush=True)
            if fraction >= 1.0:
                print(file=self.stream)
                self.current = ""
        else:
            print(line, file=self.stream, flush=True)


def _need_extra() -> None:
    missing = [m for m in ("osmium", "scipy") if importlib.util.find_spec(m) is None]
    if missing:
        raise ValueError(
            f"λείπουν τα πακέτα / missing packages {', '.join(missing)}: "
            "pip install 'kinito[roads]' για δρόμους / for real roads"
        )


def load_config(path: Path | None) -> dict[str, Any]:
    """The ``[roads]`` table of a TOML settings file (empty when there is none)."""
    if path is None:
        return {}
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    table = data.get("roads", {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [roads] must be a table")
    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise ValueError(
            f"{path}: [roads] unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN))}"
        )
    return table


def aigialeia_bbox(margin_deg: float = 0.1) -> tuple[float, float, float, float]:
    """The box around the 140 settlements of Aigialeia, with a margin (0.1 deg is about 10 km)."""
    places = gazetteer_locations()
    lats, lons = [p.lat for p in places], [p.lon for p in places]
    return (
        round(min(lats) - margin_deg, 4), round(min(lons) - margin_deg, 4),
        round(max(lats) + margin_deg, 4), round(max(lons) + margin_deg, 4),
    )  # fmt: skip


def _bbox(value: object) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    if value == "aigialeia":
        return aigialeia_bbox()
    parts = value.split(",") if isinstance(value, str) else list(value) if isinstance(value, list) else None
    if parts is None or len(parts) != 4:
        raise ValueError("roads bbox: expected S,W,N,E (four numbers: min lat, min lon, max lat, max lon)")
    s, w, n, e = (float(x) for x in parts)
    if not (s < n and w < e):
        raise ValueError("roads bbox: expected S < N and W < E")
    return (s, w, n, e)


def road_travel(extract: str | Path, table: Mapping[str, Any], cache_dir: str | Path | None = None) -> Any:
    """A :class:`~planner.roads.travel.RoadTravel` from an extract and a ``[roads]`` table."""
    _need_extra()
    from planner.roads.cache import RoadCache
    from planner.roads.network import RoadSettings
    from planner.roads.profile import SpeedProfile
    from planner.roads.travel import RoadTravel

    profile = SpeedProfile.from_mapping(table.get("profile", {}))
    settings = RoadSettings(
        max_snap_m=float(table.get("max_snap_m", RoadSettings.max_snap_m)),
        access_speed_kmh=float(table.get("access_speed_kmh", RoadSettings.access_speed_kmh)),
    )
    folder = cache_dir if cache_dir is not None else table.get("cache_dir")
    return RoadTravel(
        extract=Path(extract),
        profile=profile,
        settings=settings,
        cache=RoadCache(folder),
        bbox=_bbox(table.get("bbox")),
        stop_overhead=round(float(table.get("stop_overhead_min", 2)) * 60),
        unreachable=table.get("unreachable", "error"),
        progress=StageBar(),
    )


# --- kinito plan ------------------------------------------------------------------------------


def configured_travel(roads: str | None, config: Path | None) -> tuple[Any, str]:
    """The travel model the settings ask for, and the sentence saying which.

    ``--roads`` (``roads``), else ``$KINITO_ROADS``, else ``[roads] extract`` of the config
    file: an extract gives :class:`~planner.roads.travel.RoadTravel`, an ``http(s)://``
    address :class:`~planner.roads.osrm.OsrmTravel`; nothing, or ``off``, gives ``None``
    (the embedded estimate). For any command that plans (``plan``, ``week``).
    """
    table = load_config(config)
    extract = roads or os.environ.get("KINITO_ROADS") or table.get("extract")
    off = extract is not None and str(extract).lower() in ("off", "none", "estimate")
    if not extract or off:
        why = "--roads off" if off else "χωρίς αρχείο δρόμων / no road extract: --roads, KINITO_ROADS"
        return None, f"χρόνοι διαδρομών / travel times: ενσωματωμένη εκτίμηση / embedded estimate ({why})"
    overhead = round(float(table.get("stop_overhead_min", 2)) * 60)
    if str(extract).startswith(("http://", "https://")):
        from planner.roads.osrm import OsrmTravel

        server = OsrmTravel(
            str(extract), stop_overhead=overhead, unreachable=table.get("unreachable", "error")
        )
        return server, f"χρόνοι διαδρομών / travel times: διακομιστής OSRM / OSRM server ({extract})"
    travel = road_travel(extract, table)
    box = travel.area()
    area = f", περιοχή / area {','.join(f'{x:g}' for x in box)}" if box else ""
    sentence = f"χρόνοι διαδρομών / travel times: δρόμοι OpenStreetMap / OSM roads ({extract}{area})"
    if travel.area_note:
        sentence += f"\nσημείωση / note: {travel.area_note}"
    return travel, sentence


def _overhead_note(table: Mapping[str, Any], own: int) -> tuple[int | None, str]:
    """The ``[roads] stop_overhead_min`` of the settings in seconds (None when not given) and a
    note when it differs from the problem file's own ``stop_overhead`` (``own``)."""
    if "stop_overhead_min" not in table:
        return None, ""
    given = round(float(table["stop_overhead_min"]) * 60)
    if given == own:
        return given, ""
    return given, (
        f"σημείωση: ισχύει το [roads] stop_overhead_min = {given / 60:g} λεπτά των ρυθμίσεων, όχι το "
        f"stop_overhead = {own / 60:g} του αρχείου του προβλήματος / note: the settings' [roads] "
        f"stop_overhead_min = {given / 60:g} min applies, not the problem file's stop_overhead = {own / 60:g}"
    )


def roads_for_plan(problem: Problem, roads: str | None, config: Path | None) -> Problem:
    """The problem with road travel when it is configured; prints which model is used.

    A problem file's own ``travel`` matrix is kept; its estimate block gives way to the
    roads, but its stop overhead is kept unless the settings' ``[roads] stop_overhead_min``
    says otherwise (then the settings win, with a note), and its terrain parameters give
    the driving time of any pair with no road (``unreachable = "estimate"``).
    """
    from planner.travel import EstimateTravel, MatrixTravel

    if isinstance(problem.travel, MatrixTravel):
        print(
            "χρόνοι διαδρομών / travel times: πίνακας του αρχείου / the problem file's matrix",
            file=sys.stderr,
        )
        return problem
    travel, sentence = configured_travel(roads, config)
    print(sentence, file=sys.stderr)
    if travel is None:
        return problem
    if isinstance(problem.travel, EstimateTravel):
        given, note = _overhead_note(load_config(config), problem.travel.stop_overhead)
        if given is None:  # keep the problem's own overhead
            travel.stop_overhead = problem.travel.stop_overhead
        elif note:
            print(note, file=sys.stderr)
        travel.estimate = replace(problem.travel, stop_overhead=0)
    return replace(problem, travel=travel)


_KIND = {
    "roads": ("απόσπασμα OSM (.osm.pbf)", "an OSM extract (.osm.pbf)"),
    "osrm": ("διακομιστή OSRM (http://...)", "an OSRM server (http://...)"),
}


# what a plan made off the roads was made with (Greek as the object of "με"), by travel_model
_MADE = {
    "estimate": ("την εκτίμηση χρόνων", "the estimate"),
    "matrix": ("τον πίνακα χρόνων του αρχείου", "the problem file's matrix"),
}


def roads_for_validate(problem: Problem, plan: Plan, roads: str | None, config: Path | None) -> Problem:
    """The problem with the travel model the plan was made with, for ``kinito validate``.

    A plan made on the roads (``travel_model`` "roads" or "osrm") must be checked with the
    same times; with no extract or server configured, or the other kind of the two, that is
    a plain error, not a list of false violations.
    """
    if plan.travel_model not in ("roads", "osrm"):
        if roads is not None:  # said, not silently dropped: «--roads /nonexistent» passed unnoticed
            made_el, made_en = _MADE.get(plan.travel_model, (plan.travel_model, plan.travel_model))
            print(
                f"το πλάνο φτιάχτηκε με {made_el}: ελέγχεται με τους ίδιους χρόνους, το --roads δεν "
                f"χρησιμοποιήθηκε / the plan was made with {made_en}: it is checked with the same "
                "times, --roads was not used",
                file=sys.stderr,
            )
        return problem
    checked = roads_for_plan(problem, roads, config)
    got = getattr(checked.travel, "name", "estimate")
    if got != plan.travel_model:
        made_el, made_en = _KIND[plan.travel_model]
        if got in _KIND:
            now_el, now_en = _KIND[got]
            raise ValueError(
                f"το πλάνο φτιάχτηκε με {made_el} και ελέγχεται τώρα με {now_el}: δώστε στο --roads το "
                f"ίδιο είδος / the plan was made with {made_en} and is being checked with {now_en}: "
                "give --roads the same kind"
            )
        raise ValueError(
            f"το πλάνο φτιάχτηκε με δρόμους ({plan.travel_model}: {made_el}): δώστε --roads ή KINITO_ROADS / "
            f"the plan was made on roads ({plan.travel_model}: {made_en}): give --roads or KINITO_ROADS "
            "to check it"
        )
    return checked


def roads_after_plan(plan: Plan, problem: Problem, want_shapes: bool) -> dict[tuple[str, date], Any] | None:
    """Warn about pairs that took the estimate; the road shapes of the routes for the map.

    Never fails: a shape the roads cannot give (a routing server's error, an extract that
    cannot be read any more) leaves its leg straight on the map, with one warning on stderr,
    so that a solved plan is never lost to its drawing."""
    from planner.roads.osrm import OsrmTravel
    from planner.roads.travel import RoadTravel

    travel = problem.travel
    if not isinstance(travel, OsrmTravel | RoadTravel):
        return None
    if travel.fallbacks:
        print(
            f"προσοχή / warning: {len(travel.fallbacks)} ζεύγη χωρίς δρόμο πήραν την εκτίμηση / "
            "pairs with no road took the estimate:",
            file=sys.stderr,
        )
        for u in travel.fallbacks[:8]:
            print(f"  {u.from_id} -> {u.to_id}: {u.message_el} / {u.message_en}", file=sys.stderr)
        if len(travel.fallbacks) > 8:
            print(f"  ... και άλλα / and {len(travel.fallbacks) - 8} more", file=sys.stderr)
    if not want_shapes:
        return None
    try:
        shapes: dict[tuple[str, date], Any] = travel.shapes(plan, problem)
    except (ValueError, OSError) as exc:
        print(
            f"προσοχή: ο χάρτης δείχνει τις διαδρομές σε ευθείες, χωρίς τους δρόμους / warning: the map "
            f"draws the legs straight, not along the roads: {exc}",
            file=sys.stderr,
        )
        return None
    failures = travel.shape_failures if isinstance(travel, OsrmTravel) else []
    if failures:
        first = next((why for _a, _b, why in failures if why), "")
        print(
            f"προσοχή: {len(failures)} σκέλη χωρίς σχήμα από τον διακομιστή δρόμων σχεδιάζονται ευθεία "
            f"στον χάρτη / warning: {len(failures)} legs the routing server gave no shape for are drawn "
            f"straight on the map" + (f": {first}" if first else ""),
            file=sys.stderr,
        )
    return shapes


# --- kinito roads ... ---------------------------------------------------------------------------


def gazetteer_locations() -> list[Location]:
    """The Community Centre (base) and the 140 ELSTAT settlements of Aigialeia."""
    from planner.gazetteer import BASE_DEFAULT, load_settlements, settlement_location

    return [BASE_DEFAULT, *(settlement_location(s) for s in load_settlements())]


def read_locations(path: Path) -> list[Location]:
    """Locations from a CSV with columns id, lat, lon and optional name, terrain."""
    out: list[Location] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                terrain = (row.get("terrain") or "plain").strip()
                if terrain not in TERRAINS:
                    raise ValueError(f"terrain {terrain!r} is not one of {', '.join(TERRAINS)}")
                t: Terrain = terrain
                out.append(
                    Location(row["id"], float(row["lat"]), float(row["lon"]), row.get("name") or "", t)
                )
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path.name}, line {line}: {exc}") from exc
    if not out:
        raise ValueError(f"{path}: no locations")
    return out


def _locations(args: argparse.Namespace) -> list[Location]:
    return read_locations(args.locations) if args.locations else gazetteer_locations()


def cmd_build(args: argparse.Namespace) -> int:
    """Build (or load) the road graph of an extract and the matrix of the locations."""
    table = load_config(args.config)
    if args.bbox:
        table = {**table, "bbox": args.bbox}
    travel = road_travel(args.extract, table, args.cache)
    travel.remembered_area = False  # a build uses exactly the box it is given
    travel.cache.remember_area(travel.cache.extract_digest(travel.extract), travel.bbox, travel.extract)
    from planner.roads.travel import describe_unreachable

    t0 = time.perf_counter()
    if args.rebuild:
        from planner.roads.network import RoadNetwork

        travel._net = RoadNetwork.open(
            travel.extract,
            travel.profile,
            travel.settings,
            travel.cache,
            travel.bbox,
            travel._stage,
            rebuild=True,
        )
    net = travel.network()
    locations = _locations(args)
    m = travel.road_matrix(locations)
    s = net.summary()
    print(
        f"δίκτυο / network: {s['osm_nodes']} κόμβοι OSM / OSM nodes, {s['junctions']} κόμβοι γράφου / "
        f"junctions, {s['edges']} τμήματα / edges, {s['road_km']} km"
        + (" (από την προσωρινή μνήμη / from the cache)" if net.from_cache else "")
    )
    far = m.off_network()
    print(
        f"πίνακας / matrix: {len(locations)}x{len(locations)} θέσεις / places, "
        f"{len(m.unreachable)} ζεύγη χωρίς δρόμο / unreachable pairs, "
        f"{len(far)} εκτός δικτύου / off the network"
        + (" (από την προσωρινή μνήμη / from the cache)" if m.from_cache else "")
    )
    if m.unreachable:
        names = {loc.id: loc.name or loc.id for loc in locations}
        print("\n".join(describe_unreachable(m.unreachable, names, m.off_network())[1:]))
    print(f"χρόνος / time: {time.perf_counter() - t0:.2f} s; cache: {travel.cache.folder}")
    return EXIT_OK


def cmd_download(args: argparse.Namespace) -> int:
    """Fetch an extract (resumable) and check its checksum."""
    from planner.roads.download import DownloadError, download, fetch_checksum

    url = args.url
    dest = args.output or Path(url.rstrip("/").rsplit("/", 1)[-1] or "extract.osm.pbf")
    bar = StageBar()
    try:
        md5, sha = args.md5, args.sha256
        if not md5 and not sha:
            checksum_url = args.checksum_url or (url + ".md5")
            digest = fetch_checksum(checksum_url)
            sha, md5 = (digest, None) if len(digest) == 64 else (None, digest)

        def show(done: int, total: int | None) -> None:
            frac = done / total if total else 0.0
            bar("download", min(frac, 0.999), f"{done / 1e6:.1f}/{(total or 0) / 1e6:.1f} MB")

        got = download(url, dest, sha256=sha, md5=md5, progress=show)
    except DownloadError as exc:
        print(f"kinito: {exc}", file=sys.stderr)
        return EXIT_INPUT
    bar("download", 1.0, f"{got.size / 1e6:.1f} MB")
    resumed = f", συνέχεια από / resumed at {got.resumed_from} bytes" if got.resumed_from else ""
    print(f"αρχείο / extract: {got.path} ({got.size} bytes, {got.algorithm} {got.digest} OK{resumed})")
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the embedded estimate's circuity and speed per terrain to the road matrix."""
    import json

    from planner.roads.calibrate import calibrate

    travel = road_travel(args.extract, load_config(args.config), args.cache)
    locations = _locations(args)
    road = travel.road_matrix(locations)
    result = calibrate(locations, road, min_km=args.min_km)
    pct = "{:5.1f} %".format
    print(
        "σφάλμα εκτίμησης / estimate error |est/road - 1|   χρόνος / time (median, p90)   απόσταση / distance"
    )
    for label, st in (
        ("πριν / before", result.before),
        ("μετά / after", result.after),
        ("πριν, εκτός δείγματος / before, held out", result.held_out_before),
        ("μετά, εκτός δείγματος / after, held out", result.held_out_after),
    ):
        print(
            f"  {label:<42} {pct(100 * st.time_median)} {pct(100 * st.time_p90)}   "
            f"{pct(100 * st.dist_median)} {pct(100 * st.dist_p90)}   ({st.pairs} ζεύγη / pairs)"
        )
    print("παράμετροι / parameters (terrain: circuity, km/h; θέσεις / places):")
    for t, ts in result.terrain.items():
        print(f"  {t:<17} {ts.circuity:5.3f} {ts.speed_kmh:5.1f}   ({result.counts[t]})")
    block = {
        "model": "estimate",
        "terrain": {
            t: {"circuity": ts.circuity, "speed_kmh": ts.speed_kmh} for t, ts in result.terrain.items()
        },
    }
    print('για το αρχείο προβλήματος / for the problem file, "travel":')
    print(json.dumps(block, ensure_ascii=False))
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    """Add ``kinito roads build|download|calibrate`` to the ``kinito`` command's subparsers."""
    from planner.roads.download import DEFAULT_URL

    roads = subparsers.add_parser(
        "roads",
        help="πραγματικοί χρόνοι διαδρομής στους δρόμους από το OpenStreetMap / "
        "real road travel times from OpenStreetMap",
    )
    sub = roads.add_subparsers(dest="roads_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "extract",
            type=Path,
            help="απόσπασμα του OpenStreetMap (.osm.pbf) / OpenStreetMap extract (.osm.pbf)",
        )
        p.add_argument(
            "--cache",
            type=Path,
            default=None,
            help="φάκελος προσωρινής αποθήκευσης (προεπιλογή $KINITO_CACHE_DIR ή ~/.cache/kinito/roads) / "
            "cache folder (default $KINITO_CACHE_DIR or ~/.cache/kinito/roads)",
        )
        p.add_argument(
            "--config",
            type=Path,
            default=None,
            help="ρυθμίσεις TOML με πίνακα [roads] / TOML settings with a [roads] table",
        )
        p.add_argument(
            "--locations",
            type=Path,
            default=None,
            help="CSV id,lat,lon[,name,terrain] (προεπιλογή: οι 140 οικισμοί της Αιγιάλειας και η βάση) / "
            "CSV id,lat,lon[,name,terrain] (default: the 140 settlements of Aigialeia and the base)",
        )

    b = sub.add_parser(
        "build",
        help="κατασκευή του οδικού γράφου και του πίνακα χρόνων διαδρομής των οικισμών (αποθηκεύονται) / "
        "build the road graph and the settlements' matrix (cached)",
    )
    common(b)
    b.add_argument(
        "--bbox", default=None, metavar="S,W,N,E",
        help="μόνο οι δρόμοι μέσα σε αυτό το πλαίσιο ('aigialeia': το πλαίσιο των οικισμών και περίπου "
        "10 km γύρω του) / "
        "keep only roads inside this box ('aigialeia': the settlements' box plus about 10 km)",
    )  # fmt: skip
    b.add_argument(
        "--rebuild",
        action="store_true",
        help="χωρίς τον αποθηκευμένο γράφο (νέα κατασκευή) / ignore a cached graph",
    )
    b.set_defaults(func=cmd_build)

    d = sub.add_parser(
        "download",
        help="λήψη του αποσπάσματος της περιοχής (συνεχίζεται αν διακοπεί· ελέγχεται το checksum) / "
        "fetch the area's extract (resumable, checksum checked)",
    )
    d.add_argument(
        "--url",
        default=os.environ.get("KINITO_ROADS_URL", DEFAULT_URL),
        help="προεπιλογή $KINITO_ROADS_URL, αλλιώς το απόσπασμα της Ελλάδας από το Geofabrik / "
        f"default $KINITO_ROADS_URL or {DEFAULT_URL}",
    )
    d.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="πού θα αποθηκευτεί (προεπιλογή: το όνομα αρχείου του URL) / "
        "where to save (default: the URL's file name)",
    )
    d.add_argument(
        "--sha256", default=None, help="αναμενόμενο SHA-256 (δεκαεξαδικό) / expected SHA-256 (hex)"
    )
    d.add_argument("--md5", default=None, help="αναμενόμενο MD5 (δεκαεξαδικό) / expected MD5 (hex)")
    d.add_argument(
        "--checksum-url",
        default=None,
        help="URL αρχείου με το checksum (προεπιλογή: URL + .md5) / "
        "URL of a checksum file (default: URL + .md5)",
    )
    d.set_defaults(func=cmd_download)

    c = sub.add_parser(
        "calibrate",
        help="προσαρμογή της ενσωματωμένης εκτίμησης στον πίνακα των δρόμων και το σφάλμα της / "
        "fit the embedded estimate to the road matrix, report its error",
    )
    common(c)
    c.add_argument(
        "--min-km",
        type=float,
        default=1.0,
        help="χωρίς τα ζεύγη που απέχουν λιγότερο από αυτό (προεπιλογή 1 km) / "
        "leave out pairs closer than this (default 1 km)",
    )
    c.set_defaults(func=cmd_calibrate)
