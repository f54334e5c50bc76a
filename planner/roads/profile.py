"""How fast a van drives on each kind of OpenStreetMap road: the speed profile.

The base speeds are OSRM's car profile (``profiles/car.lua``, OSRM 5.2x), which is a fair,
widely used model of free-flow driving. Speeds in km/h:

=================  ======  =================================================
``highway=``       km/h    note
=================  ======  =================================================
motorway           90      not used for snapping (no stopping on a motorway)
motorway_link      45      idem
trunk              85
trunk_link         40
primary            65
primary_link       30
secondary          55
secondary_link     25
tertiary           40
tertiary_link      20
unclassified       25
residential        25
living_street      10
service            15
track              -       not driven (as OSRM's car profile); set a speed to allow
=================  ======  =================================================

Adjustments, in this order:

1. ``maxspeed``: where a way has a usable ``maxspeed`` tag, its speed is
   ``maxspeed_factor`` (0.8, OSRM's ``speed_reduction``) times that limit, instead of the
   class speed. Greek zone values count too (``GR:urban`` 50, ``GR:rural`` 90,
   ``GR:motorway`` 130).
2. ``surface``: unpaved surfaces cap the speed (``surface_caps``, OSRM's values: gravel and
   unpaved and dirt 40, cobblestone 30, earth 20, mud 10...).
3. Winding roads: open engines are known to under-estimate time on winding mountain roads
   (hairpins, narrow lanes, no overtaking). Kinito measures how winding each stretch of
   road between two junctions is, as the sum of its turning angles per kilometre, and
   multiplies the speed by a factor from ``winding``: by default 0.85 from 250 deg/km on and
   0.70 from 600 deg/km on. The thresholds are our assumption, not a measurement: a
   typical Greek mountain road with a hairpin every few hundred metres turns
   600-1500 deg/km; a main road through rolling country 50-200 deg/km. Stretches shorter
   than ``winding_min_km`` are measured over that length (one corner in a village street
   is not a winding road). Calibrate against a van's real times when they are known.

Access: a way is driven unless the most specific of ``motorcar``, ``motor_vehicle``,
``vehicle``, ``access`` is one of ``access_blacklist`` (no, agricultural, forestry,
emergency, psv); ``private``/``destination``/``delivery`` are allowed (a home visit may need
the last metres of a private lane). One-way: ``oneway=yes/true/1`` (``-1``/``reverse`` the
other way; ``oneway:motorcar``/``oneway:motor_vehicle``/``oneway:vehicle`` win over ``oneway``),
roundabouts and motorways are one-way unless ``oneway=no``; a direction is closed by
``motorcar:forward=no`` (and ``motor_vehicle``/``vehicle``/``access``, ``:backward``), as OSRM
reads them. Turn restrictions,
turn and traffic-signal penalties are not modelled (the planner's per-move
``stop_overhead`` covers parking and the last metres).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

OSRM_CAR_SPEEDS: Mapping[str, float] = {
    "motorway": 90.0,
    "motorway_link": 45.0,
    "trunk": 85.0,
    "trunk_link": 40.0,
    "primary": 65.0,
    "primary_link": 30.0,
    "secondary": 55.0,
    "secondary_link": 25.0,
    "tertiary": 40.0,
    "tertiary_link": 20.0,
    "unclassified": 25.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
}
"""OSRM car profile speeds (km/h) by ``highway`` value."""

OSRM_SURFACE_CAPS: Mapping[str, float] = {
    "cement": 80.0,
    "compacted": 80.0,
    "fine_gravel": 80.0,
    "paving_stones": 60.0,
    "metal": 60.0,
    "bricks": 60.0,
    "grass": 40.0,
    "wood": 40.0,
    "sett": 40.0,
    "grass_paver": 40.0,
    "gravel": 40.0,
    "unpaved": 40.0,
    "ground": 40.0,
    "dirt": 40.0,
    "pebblestone": 40.0,
    "cobblestone": 30.0,
    "clay": 30.0,
    "earth": 20.0,
    "stone": 20.0,
    "rocky": 20.0,
    "sand": 20.0,
    "mud": 10.0,
}
"""Speed caps (km/h) by ``surface`` value, after OSRM's car profile."""

ZONE_MAXSPEEDS: Mapping[str, float] = {
    "gr:urban": 50.0,
    "gr:rural": 90.0,
    "gr:motorway": 130.0,
    "gr:trunk": 110.0,
    "none": 130.0,
    "walk": 5.0,
}
"""``maxspeed`` values that are names, not numbers (Greek zones and a few generic ones)."""

NO_SNAP_CLASSES = frozenset({"motorway", "motorway_link"})
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def parse_maxspeed(value: str | None) -> float | None:
    """A ``maxspeed`` tag in km/h, or ``None`` when it is missing or not understood."""
    if not value:
        return None
    text = value.strip().lower()
    if text in ZONE_MAXSPEEDS:
        return ZONE_MAXSPEEDS[text]
    m = _NUMBER.match(text.split(";")[0])
    if not m:
        return None
    speed = float(m.group(1))
    if m.group(2) and m.group(2).lower() == "mph":
        speed *= 1.609344
    return speed if speed > 0 else None


@dataclass(frozen=True)
class WayRule:
    """How one OSM way is driven: speed (km/h) before winding, directions, class."""

    speed_kmh: float
    forward: bool
    backward: bool
    highway: str


@dataclass(frozen=True)
class SpeedProfile:
    """Speeds per road class and the adjustments of the module doc; all configurable."""

    speeds: Mapping[str, float] = field(default_factory=lambda: dict(OSRM_CAR_SPEEDS))
    maxspeed_factor: float = 0.8
    surface_caps: Mapping[str, float] = field(default_factory=lambda: dict(OSRM_SURFACE_CAPS))
    winding: tuple[tuple[float, float], ...] = ((250.0, 0.85), (600.0, 0.70))
    winding_min_km: float = 0.5
    access_blacklist: frozenset[str] = frozenset({"no", "agricultural", "forestry", "emergency", "psv"})

    def __post_init__(self) -> None:
        for name, speed in self.speeds.items():
            if not speed > 0:
                raise ValueError(f"roads speeds.{name}: speed must be positive, got {speed}")
        if not 0 < self.maxspeed_factor <= 1.5:
            raise ValueError(f"roads maxspeed_factor must be in (0, 1.5], got {self.maxspeed_factor}")
        for threshold, factor in self.winding:
            if threshold < 0 or not 0 < factor <= 1:
                raise ValueError(
                    f"roads winding: ({threshold}, {factor}) needs threshold >= 0, 0 < factor <= 1"
                )

    def way_rule(self, tags: Mapping[str, str]) -> WayRule | None:
        """How a way with these tags is driven, or ``None`` when a van does not drive it."""
        highway = tags.get("highway", "")
        base = self.speeds.get(highway)
        if base is None or tags.get("area") == "yes":
            return None
        for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
            value = tags.get(key)
            if value is not None:
                if value in self.access_blacklist:
                    return None
                break
        speed = base
        limit = parse_maxspeed(tags.get("maxspeed"))
        if limit is not None:
            speed = limit * self.maxspeed_factor
        cap = self.surface_caps.get(tags.get("surface", ""))
        if cap is not None:
            speed = min(speed, cap)
        oneway = next(
            (tags[k] for k in ("oneway:motorcar", "oneway:motor_vehicle", "oneway:vehicle") if k in tags),
            tags.get("oneway", ""),
        )
        implied = tags.get("junction") in ("roundabout", "circular") or highway == "motorway"
        if oneway in ("yes", "true", "1"):
            forward, backward = True, False
        elif oneway in ("-1", "reverse"):
            forward, backward = False, True
        elif oneway == "no":
            forward, backward = True, True
        else:
            forward, backward = True, not implied
        # direction-only access (a tram street cars may take one way): motor_vehicle:forward=no
        forward = forward and self._direction_open(tags, "forward")
        backward = backward and self._direction_open(tags, "backward")
        if not forward and not backward:
            return None
        return WayRule(speed, forward, backward, highway)

    def _direction_open(self, tags: Mapping[str, str], direction: str) -> bool:
        for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
            value = tags.get(f"{key}:{direction}")
            if value is not None:
                return value not in self.access_blacklist
        return True

    def winding_factor(self, degrees_per_km: float) -> float:
        """The speed factor for a stretch that turns this many degrees per kilometre."""
        factor = 1.0
        for threshold, f in sorted(self.winding):
            if degrees_per_km >= threshold:
                factor = f
        return factor

    def to_dict(self) -> dict[str, object]:
        """A JSON-able form (for cache keys and reports)."""
        return {
            "speeds": dict(sorted(self.speeds.items())),
            "maxspeed_factor": self.maxspeed_factor,
            "surface_caps": dict(sorted(self.surface_caps.items())),
            "winding": [list(w) for w in self.winding],
            "winding_min_km": self.winding_min_km,
            "access_blacklist": sorted(self.access_blacklist),
        }

    def key(self) -> str:
        """A short stable digest of the profile: changing any speed rebuilds the graph."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @classmethod
    def from_mapping(cls, table: Mapping[str, object]) -> SpeedProfile:
        """A profile from a TOML-like table; ``speeds``/``surface_caps`` entries update the defaults."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ValueError(
                f"roads profile: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        speeds = dict(OSRM_CAR_SPEEDS)
        speeds.update(
            {
                str(k): _number(v, f"speeds.{k}")
                for k, v in _mapping(table.get("speeds", {}), "speeds").items()
            }
        )
        caps = dict(OSRM_SURFACE_CAPS)
        caps.update(
            {
                str(k): _number(v, f"surface_caps.{k}")
                for k, v in _mapping(table.get("surface_caps", {}), "surface_caps").items()
            }
        )
        kwargs: dict[str, object] = {"speeds": speeds, "surface_caps": caps}
        if "maxspeed_factor" in table:
            kwargs["maxspeed_factor"] = _number(table["maxspeed_factor"], "maxspeed_factor")
        if "winding" in table:
            raw = table["winding"]
            if not isinstance(raw, list):
                raise ValueError("roads winding: expected a list of [degrees_per_km, factor] pairs")
            kwargs["winding"] = tuple((float(a), float(b)) for a, b in raw)
        if "winding_min_km" in table:
            kwargs["winding_min_km"] = _number(table["winding_min_km"], "winding_min_km")
        if "access_blacklist" in table:
            raw_list = table["access_blacklist"]
            if not isinstance(raw_list, list):
                raise ValueError("roads access_blacklist: expected a list of access values")
            kwargs["access_blacklist"] = frozenset(str(x) for x in raw_list)
        return cls(**kwargs)  # type: ignore[arg-type]


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"roads {name}: expected a number, got {value!r}")
    return float(value)


def _mapping(value: object, name: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ValueError(f"roads {name}: expected a table of name = km/h")
    return value
