"""The settlements gazetteer of the Municipality of Aigialeia (ELSTAT 2011), as plain data.

The data ship with the product in ``data/aigialeia_settlements_extended.csv`` (see
``data/README.md`` and ``data/SOURCES.md`` for where every column comes from). Every one of
the 140 ELSTAT settlements (οικισμοί) of Δήμος Αιγιαλείας is one :class:`Settlement`, keyed
by its 10-digit ELSTAT 2011 code: names are not unique (there are two places called Λάκκα).

The coordinates are ELSTAT's settlement points: one point per settlement as a whole, not a
street address. The terrain is ELSTAT's 2011 classification of the settlement's *community*
(plain / semi-mountainous / mountainous), which is what :mod:`planner.travel` uses to pick a
road circuity and a speed.
"""

from __future__ import annotations

import csv
import math
import random
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from planner.model import Location, Terrain

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SETTLEMENTS_CSV = DATA_DIR / "aigialeia_settlements_extended.csv"

# ELSTAT's terrain words as written in the CSV -> the engine's terrain classes.
TERRAIN_OF_CSV: Mapping[str, Terrain] = {
    "plain": "plain",
    "semi-mountainous": "semi_mountainous",
    "mountainous": "mountainous",
}

_REQUIRED_COLUMNS = (
    "elstat_code_2011",
    "name_el",
    "name_latin",
    "municipal_unit",
    "community",
    "community_terrain",
    "lat",
    "lon",
    "elevation_m",
    "pop2011_resident",
)


@dataclass(frozen=True)
class Settlement:
    """One ELSTAT settlement (οικισμός) of the municipality.

    ``code`` is the ELSTAT 2011 settlement code (10 digits, kept as a string), ``name_el``
    the official name without its article (often katharevousa: Αίγιον, Διακοπτόν),
    ``name_latin`` its ELOT 743 transliteration, ``municipal_unit`` the δημοτική ενότητα
    (e.g. ``Αιγίου``), ``community`` the local or municipal community it belongs to,
    ``terrain`` ELSTAT's class of that community, ``lat``/``lon`` the ELSTAT settlement point
    (WGS 84), ``elevation_m`` its elevation in metres and ``population`` the 2011 resident
    (μόνιμος) population.
    """

    code: str
    name_el: str
    name_latin: str
    municipal_unit: str
    community: str
    terrain: Terrain
    lat: float
    lon: float
    elevation_m: int
    population: int


def _parse_row(row: Mapping[str, str], line: int, path: Path) -> Settlement:
    """One CSV row -> a :class:`Settlement`; ``ValueError`` naming the line on bad data."""
    where = f"{path.name}, line {line}"
    raw_terrain = row["community_terrain"].strip()
    if raw_terrain not in TERRAIN_OF_CSV:
        known = ", ".join(sorted(TERRAIN_OF_CSV))
        raise ValueError(f"{where}: community_terrain {raw_terrain!r} is not one of {known}")
    code = row["elstat_code_2011"].strip()
    if not (len(code) == 10 and code.isdigit()):
        raise ValueError(f"{where}: elstat_code_2011 {code!r} is not a 10-digit ELSTAT code")
    try:
        return Settlement(
            code=code,
            name_el=row["name_el"].strip(),
            name_latin=row["name_latin"].strip(),
            municipal_unit=row["municipal_unit"].strip(),
            community=row["community"].strip(),
            terrain=TERRAIN_OF_CSV[raw_terrain],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            elevation_m=int(row["elevation_m"]),
            population=int(row["pop2011_resident"]),
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


def load_settlements(path: Path | None = None) -> tuple[Settlement, ...]:
    """Read the gazetteer: every settlement of the municipality, in the file's order.

    ``path`` defaults to ``data/aigialeia_settlements_extended.csv`` in the repository (next
    to the ``planner`` package). Raises ``FileNotFoundError`` with a plain message when the
    file is missing and ``ValueError`` naming the line when a row is malformed.
    """
    csv_path = SETTLEMENTS_CSV if path is None else Path(path)
    if not csv_path.is_file():
        raise FileNotFoundError(
            f"settlements gazetteer not found at {csv_path}: expected the ELSTAT file "
            "aigialeia_settlements_extended.csv (see data/README.md)"
        )
    with csv_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{csv_path.name}: missing column(s) {', '.join(missing)}")
        # line numbers as an editor shows them: the header is line 1
        settlements = tuple(_parse_row(row, i, csv_path) for i, row in enumerate(reader, start=2))
    codes = [s.code for s in settlements]
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise ValueError(f"{csv_path.name}: duplicate elstat_code_2011 {', '.join(dup)}")
    return settlements


def settlements_by_code(settlements: Iterable[Settlement]) -> dict[str, Settlement]:
    """ELSTAT code -> settlement (the only unique key: names repeat)."""
    return {s.code: s for s in settlements}


def settlement_location(s: Settlement) -> Location:
    """The settlement's ELSTAT point as an engine :class:`~planner.model.Location`.

    The id is ``set-<ELSTAT code>``; the name is the Greek name, the terrain its community's.
    """
    return Location(id=f"set-{s.code}", lat=s.lat, lon=s.lon, name=s.name_el, terrain=s.terrain)


class _Point(Protocol):
    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...


def straight_km(a: _Point, b: _Point) -> float:
    """Great-circle distance in km between two points (haversine on geopy's mean earth
    radius, as :func:`planner.travel.haversine_km`, for one pair without numpy)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlmb = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.009 * math.asin(math.sqrt(min(1.0, h)))


def point_near(rng: random.Random, centre: _Point, max_m: float) -> tuple[float, float]:
    """A uniformly random point within ``max_m`` metres of ``centre`` (a fictional home in a
    village), rounded to 6 decimals (about 0.1 m)."""
    r = max_m * math.sqrt(rng.random())
    theta = rng.uniform(0.0, 2 * math.pi)
    dlat = r * math.cos(theta) / 111_320.0
    dlon = r * math.sin(theta) / (111_320.0 * math.cos(math.radians(centre.lat)))
    return round(centre.lat + dlat, 6), round(centre.lon + dlon, 6)


# The Community Centre's street address is unknown (data/SOURCES.md: no public source we
# could read gives it), so the default base is a stand-in: the ELSTAT settlement point of
# Αίγιον (code 3702010101), i.e. the town as a whole. Replace it with the office's real
# coordinates when they are known; a point in town changes route times by a minute or two.
BASE_DEFAULT = Location(
    id="base",
    lat=38.249786,
    lon=22.081621,
    name="Κέντρο Κοινότητας Δήμου Αιγιαλείας (Αίγιο)",
    terrain="plain",
)


@dataclass(frozen=True)
class OutsidePlace:
    """A well-known place outside the municipality that people type for, or near, one of its
    settlements: its names, the municipality it is in, and (``meant_*``) the Aigialeia
    settlement usually meant, if any."""

    name_el: str
    names: tuple[str, ...]  # other spellings people type (Latin, everyday forms)
    municipality_el: str  # as after «στον»: «Δήμο Καλαβρύτων»
    municipality_en: str
    meant_code: str | None = None
    meant_name_el: str = ""
    meant_name_latin: str = ""
    meant_unit: str = ""


# Near-misses outside Aigialeia. Ζαχλωρού (the rack railway's village) is in the Municipality
# of Kalavryta; the Aigialeia place with the like name is Ζαχλωρίτικα (data/SOURCES.md).
OUTSIDE_PLACES: tuple[OutsidePlace, ...] = (
    OutsidePlace(
        "Ζαχλωρού", ("Zachlorou", "Zahlorou"), "Δήμο Καλαβρύτων", "Municipality of Kalavryta",
        "3702040501", "Ζαχλωρίτικα", "Zachloritika", "Διακοπτού",
    ),
    OutsidePlace("Καλάβρυτα", ("Kalavryta", "Kalavrita"), "Δήμο Καλαβρύτων", "Municipality of Kalavryta"),
)  # fmt: skip


def _fold(name: str) -> str:
    """Accents, case and spacing dropped: «ΖΑΧΛΩΡΟΥ», « ζαχλωρού » and «Ζαχλωρού» are one."""
    bare = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def outside_note(name: str) -> tuple[str, str, str | None] | None:
    """When ``name`` is a well-known place outside the municipality (:data:`OUTSIDE_PLACES`):
    the not-found message in Greek and in English, saying where it is and suggesting the
    Aigialeia settlement usually meant, and that settlement's ELSTAT code (or ``None``)."""
    key = _fold(name)
    for p in OUTSIDE_PLACES:
        if key not in {_fold(n) for n in (p.name_el, *p.names)}:
            continue
        el = f"Ο οικισμός «{p.name_el}» ανήκει στον {p.municipality_el}, όχι στον Δήμο Αιγιαλείας."
        en = (
            f"{p.names[0]} ({p.name_el}) is in the {p.municipality_en}, not in the Municipality of Aigialeia."
        )
        if p.meant_code is not None:
            where = f"{p.meant_unit}, {p.meant_code}"
            el += f" Μήπως εννοείτε {p.meant_name_el} (Δ.Ε. {where});"
            en += f" Did you mean {p.meant_name_latin} (municipal unit of {where})?"
        return el, en, p.meant_code
    return None
