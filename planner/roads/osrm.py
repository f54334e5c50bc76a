"""A client for an OSRM routing server the municipality may run, behind the same interface.

:class:`OsrmTravel` asks the server's ``table`` service for durations and distances and its
``route`` service for leg shapes (plain HTTP, JSON; OSRM's v1 API). OSRM answers ``null`` for
a pair with no route: as with :class:`~planner.roads.travel.RoadTravel` that raises
:class:`~planner.roads.travel.UnreachableError` (never an infinity). ``stop_overhead`` and a
unit's speed factor apply as in the embedded estimate.
"""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from http.client import HTTPException
from typing import Any

import numpy as np

from planner.model import Location, Plan, Problem, Unit
from planner.roads.network import Unreachable
from planner.roads.travel import UnreachableError
from planner.travel import TravelMatrix


class RoutingServerError(ValueError):
    """The routing server could not be reached or gave an unusable answer."""


@dataclass(eq=False)
class OsrmTravel:
    """Travel times from an OSRM server at ``base_url`` (e.g. ``http://127.0.0.1:5000``)."""

    base_url: str
    profile: str = "driving"
    stop_overhead: int = 120
    timeout: float = 30.0
    name: str = "osrm"
    _memo: dict[tuple[tuple[str, float, float], ...], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False
    )

    def _get(self, service: str, locations: Sequence[Location], query: dict[str, str]) -> dict[str, Any]:
        coords = ";".join(f"{loc.lon:.7f},{loc.lat:.7f}" for loc in locations)
        base = self.base_url.rstrip("/")
        url = f"{base}/{service}/v1/{self.profile}/{coords}?{urllib.parse.urlencode(query)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as resp:
                body: dict[str, Any] = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise RoutingServerError(f"OSRM {service}: HTTP {exc.code} from {self.base_url}") from exc
        except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
            raise RoutingServerError(f"OSRM {service}: no answer from {self.base_url} ({exc})") from exc
        if body.get("code") != "Ok":
            raise RoutingServerError(f"OSRM {service}: {body.get('code')}: {body.get('message', '')}")
        return body

    def road_matrix(self, locations: Sequence[Location]) -> tuple[np.ndarray, np.ndarray]:
        """Driving seconds and metres from the server (``nan`` where OSRM found no route)."""
        key = tuple((loc.id, loc.lat, loc.lon) for loc in locations)
        if key not in self._memo:
            body = self._get("table", locations, {"annotations": "duration,distance"})
            sec = np.array([[np.nan if x is None else float(x) for x in row] for row in body["durations"]])
            met = np.array([[np.nan if x is None else float(x) for x in row] for row in body["distances"]])
            self._memo[key] = (sec, met)
        return self._memo[key]

    def matrix(self, locations: Sequence[Location], unit: Unit | None = None) -> TravelMatrix:
        """Whole seconds and metres between ``locations`` from the server."""
        sec, met = self.road_matrix(locations)
        ids = tuple(loc.id for loc in locations)
        bad = [(i, j) for i, j in zip(*np.nonzero(np.isnan(sec)), strict=True) if i != j]
        if bad:
            el = "ο διακομιστής OSRM δεν βρήκε διαδρομή"
            en = "the OSRM server found no route"
            pairs = [Unreachable(ids[i], ids[j], "separate_networks", el, en) for i, j in bad]
            raise UnreachableError(pairs, {loc.id: loc.name or loc.id for loc in locations})
        factor = unit.speed_factor if unit is not None else 1.0
        same = np.array([[a == b for b in ids] for a in ids], dtype=bool)
        durations = np.rint(np.nan_to_num(sec) / factor).astype(np.int64) + np.where(
            same, 0, self.stop_overhead
        )
        distances = np.rint(np.nan_to_num(met)).astype(np.int64)
        np.fill_diagonal(durations, 0)
        np.fill_diagonal(distances, 0)
        return TravelMatrix(ids, durations, distances)

    def shapes(self, plan: Plan, problem: Problem) -> dict[tuple[str, date], list[list[tuple[float, float]]]]:
        """Road shapes of every leg of the plan's routes, from the route service."""
        out: dict[tuple[str, date], list[list[tuple[float, float]]]] = {}
        memo: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for route in plan.routes:
            base = problem.unit(route.unit_id).base
            seq = [base, *(problem.visit(s.visit_id).location for s in route.stops), base]
            legs = []
            for a, b in itertools.pairwise(seq):
                if (a.id, b.id) not in memo:
                    memo[(a.id, b.id)] = self.leg(a, b)[0] if a.id != b.id else []
                legs.append(memo[(a.id, b.id)])
            out[(route.unit_id, route.date)] = legs
        return out

    def leg(self, a: Location, b: Location) -> tuple[list[tuple[float, float]], float]:
        """The road shape ([lat, lon] points) and metres of the leg from ``a`` to ``b``."""
        body = self._get("route", [a, b], {"overview": "full", "geometries": "geojson"})
        route = body["routes"][0]
        points = [(float(lat), float(lon)) for lon, lat in route["geometry"]["coordinates"]]
        return points, float(route["distance"])
