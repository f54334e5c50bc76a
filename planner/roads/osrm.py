"""A client for an OSRM routing server the municipality may run, behind the same interface.

:class:`OsrmTravel` asks the server's ``table`` service for durations and distances and its
``route`` service for leg shapes (plain HTTP, JSON; OSRM's v1 API). OSRM answers ``null`` for
a pair with no route: as with :class:`~planner.roads.travel.RoadTravel` that raises
:class:`~planner.roads.travel.UnreachableError` (never an infinity), or with
``unreachable="estimate"`` takes the estimate and is listed in ``fallbacks``. ``stop_overhead``
and a unit's speed factor apply as in the embedded estimate. Errors (no answer, an error
answer with OSRM's own ``code`` and ``message``, a table that is not n x n) are
:class:`RoutingServerError`, "Greek / English"; :meth:`OsrmTravel.shapes` never raises (a leg
it cannot draw stays straight and is listed in ``shape_failures``).
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
from planner.roads.travel import UnreachableError, UnreachablePolicy
from planner.travel import EstimateTravel, TravelMatrix


class RoutingServerError(ValueError):
    """The routing server could not be reached or gave an unusable answer.

    The message is "Greek / English"; ``code`` is OSRM's answer code when the server answered
    (``"NoRoute"``, ``"TooBig"``...), ``answered`` whether it answered at all.
    """

    def __init__(self, message: str, code: str | None = None, answered: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.answered = answered


DEFAULT_MAX_TABLE_SIZE = 100
"""osrm-routed's default ``--max-table-size``: the most places of one ``table`` request."""


def _error_body(exc: urllib.error.HTTPError) -> tuple[str | None, str]:
    """OSRM's ``code`` and ``message`` from the JSON body of an error answer (None, "" if none)."""
    try:
        raw = exc.read(65536)
        body = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, HTTPException, AttributeError, TypeError):
        return None, ""
    finally:
        exc.close()
    if not isinstance(body, dict):
        return None, ""
    code = body.get("code")
    return (str(code) if code is not None else None), str(body.get("message") or "")


def _answer_error(
    service: str, where: str, code: str | None, message: str, count: int, status: str = ""
) -> str:
    """The sentence for an OSRM error answer (``status``: "HTTP 400 " or ""), with a hint."""
    what = ": ".join(x for x in (code, message) if x) or "χωρίς λεπτομέρειες"
    what_en = ": ".join(x for x in (code, message) if x) or "no details"
    el = f"OSRM {service}: ο διακομιστής {where} απάντησε {status}με σφάλμα ({what})"
    en = f"OSRM {service}: the server {where} answered {status}with an error ({what_en})"
    if code == "TooBig":
        el += (
            f"· ζητήθηκαν {count} θέσεις σε έναν πίνακα, περισσότερες από όσες δέχεται ο διακομιστής "
            f"(προεπιλογή του osrm-routed: {DEFAULT_MAX_TABLE_SIZE}): ο διαχειριστής του να τον ξεκινήσει "
            f"με --max-table-size τουλάχιστον {count} (π.χ. 1000)"
        )
        en += (
            f"; {count} places were asked for in one table, more than the server takes (osrm-routed's "
            f"default: {DEFAULT_MAX_TABLE_SIZE}): its administrator should start it with "
            f"--max-table-size of at least {count} (e.g. 1000)"
        )
    elif code == "NoSegment":
        el += "· κάποια θέση είναι μακριά από κάθε δρόμο του διακομιστή (εκτός του χάρτη του;)"
        en += "; a place is far from every road of the server (outside its map?)"
    return f"{el} / {en}"


def _table(body: dict[str, Any], key: str, n: int, where: str) -> np.ndarray:
    """The ``n`` x ``n`` array ``key`` of a table answer (``nan`` for ``null``), checked."""
    rows = body.get(key)
    if isinstance(rows, list) and len(rows) == n and all(isinstance(r, list) and len(r) == n for r in rows):
        try:
            return np.array([[np.nan if x is None else float(x) for x in r] for r in rows], dtype=np.float64)
        except (TypeError, ValueError):
            pass
    if not isinstance(rows, list):
        shape_el, shape_en = "καθόλου", "none"
    elif len(rows) != n:
        shape_el, shape_en = f"{len(rows)} γραμμές", f"{len(rows)} rows"
    else:
        shape_el, shape_en = "γραμμές άλλου μήκους ή όχι αριθμοί", "rows of other lengths, or not numbers"
    hint_el = hint_en = ""
    if key == "distances" and rows is None:
        hint_el = " (ο διακομιστής δεν δίνει αποστάσεις: παλιό OSRM χωρίς annotations=distance;)"
        hint_en = " (the server gives no distances: an old OSRM without annotations=distance?)"
    raise RoutingServerError(
        f"OSRM table: η απάντηση του {where} δεν έχει πίνακα «{key}» {n}x{n} αριθμών ({shape_el}){hint_el} / "
        f"OSRM table: the answer of {where} has no {n}x{n} «{key}» matrix of numbers ({shape_en}){hint_en}",
        code="Malformed",
        answered=True,
    )


@dataclass(eq=False)
class OsrmTravel:
    """Travel times from an OSRM server at ``base_url`` (e.g. ``http://127.0.0.1:5000``).

    ``unreachable``: "error" (a pair with no route raises :class:`UnreachableError`) or
    "estimate" (such pairs take ``estimate``'s driving time and are listed in ``fallbacks``),
    as :class:`~planner.roads.travel.RoadTravel`.
    """

    base_url: str
    profile: str = "driving"
    stop_overhead: int = 120
    timeout: float = 30.0
    name: str = "osrm"
    unreachable: UnreachablePolicy = "error"
    estimate: EstimateTravel = field(default_factory=lambda: EstimateTravel(stop_overhead=0))
    fallbacks: list[Unreachable] = field(default_factory=list)
    shape_failures: list[tuple[str, str, str]] = field(default_factory=list)
    _memo: dict[tuple[tuple[str, float, float], ...], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        if self.unreachable not in ("error", "estimate"):
            raise ValueError(f'roads unreachable must be "error" or "estimate", got {self.unreachable!r}')

    def _get(self, service: str, locations: Sequence[Location], query: dict[str, str]) -> dict[str, Any]:
        coords = ";".join(f"{loc.lon:.7f},{loc.lat:.7f}" for loc in locations)
        base = self.base_url.rstrip("/")
        url = f"{base}/{service}/v1/{self.profile}/{coords}?{urllib.parse.urlencode(query)}"
        where = self.base_url
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            code, message = _error_body(exc)
            raise RoutingServerError(
                _answer_error(service, where, code, message, len(locations), f"HTTP {exc.code} "),
                code=code,
                answered=True,
            ) from exc
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise RoutingServerError(
                f"OSRM {service}: καμία απάντηση από τον διακομιστή {where} ({reason}): τρέχει; είναι "
                f"σωστή η διεύθυνση; / OSRM {service}: no answer from the server {where} ({reason}): is it "
                "running, is the address right?"
            ) from exc
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError as exc:
            raise RoutingServerError(
                f"OSRM {service}: η απάντηση του {where} δεν είναι JSON του OSRM (είναι σωστή η "
                f"διεύθυνση;) / OSRM {service}: the answer of {where} is not OSRM's JSON (is the address "
                "right?)",
                answered=True,
            ) from exc
        if not isinstance(body, dict) or body.get("code") != "Ok":
            code = body.get("code") if isinstance(body, dict) else None
            message = str(body.get("message") or "") if isinstance(body, dict) else ""
            raise RoutingServerError(
                _answer_error(service, where, None if code is None else str(code), message, len(locations)),
                code=None if code is None else str(code),
                answered=True,
            )
        return body

    def road_matrix(self, locations: Sequence[Location]) -> tuple[np.ndarray, np.ndarray]:
        """Driving seconds and metres from the server (``nan`` where OSRM found no route)."""
        key = tuple((loc.id, loc.lat, loc.lon) for loc in locations)
        if key not in self._memo:
            body = self._get("table", locations, {"annotations": "duration,distance"})
            n = len(locations)
            sec = _table(body, "durations", n, self.base_url)
            met = _table(body, "distances", n, self.base_url)
            self._memo[key] = (sec, met)
        return self._memo[key]

    def matrix(self, locations: Sequence[Location], unit: Unit | None = None) -> TravelMatrix:
        """Whole seconds and metres between ``locations`` from the server."""
        sec, met = self.road_matrix(locations)
        sec, met = sec.copy(), met.copy()
        ids = tuple(loc.id for loc in locations)
        missing = np.isnan(sec) | np.isnan(met)
        np.fill_diagonal(missing, False)
        bad = [(int(i), int(j)) for i, j in zip(*np.nonzero(missing), strict=True)]
        if bad:
            el = "ο διακομιστής OSRM δεν βρήκε διαδρομή"
            en = "the OSRM server found no route"
            pairs = [Unreachable(ids[i], ids[j], "separate_networks", el, en) for i, j in bad]
            if self.unreachable != "estimate":
                raise UnreachableError(pairs, {loc.id: loc.name or loc.id for loc in locations})
            est = self.estimate.matrix(locations, None)
            sec[missing] = est.durations[missing]
            met[missing] = est.distances[missing]
            seen = {(u.from_id, u.to_id) for u in self.fallbacks}
            self.fallbacks.extend(u for u in pairs if (u.from_id, u.to_id) not in seen)
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
        """Road shapes of every leg of the plan's routes, from the route service.

        A leg the server cannot draw (an error answer: ``NoRoute``...) stays straight (an empty
        shape) and is listed in ``shape_failures`` (from, to, why); when the server does not
        answer at all, no more legs are asked for and every leg left is straight.
        """
        out: dict[tuple[str, date], list[list[tuple[float, float]]]] = {}
        memo: dict[tuple[str, str], list[tuple[float, float]]] = {}
        silent = False  # the server stopped answering: ask no more
        for route in plan.routes:
            base = problem.unit(route.unit_id).base
            seq = [base, *(problem.visit(s.visit_id).location for s in route.stops), base]
            legs = []
            for a, b in itertools.pairwise(seq):
                if (a.id, b.id) not in memo:
                    shape: list[tuple[float, float]] = []
                    if a.id != b.id and not silent:
                        try:
                            shape = self.leg(a, b)[0]
                        except RoutingServerError as exc:
                            self.shape_failures.append((a.name or a.id, b.name or b.id, str(exc)))
                            silent = not exc.answered
                    elif a.id != b.id:
                        self.shape_failures.append((a.name or a.id, b.name or b.id, ""))
                    memo[(a.id, b.id)] = shape
                legs.append(memo[(a.id, b.id)])
            out[(route.unit_id, route.date)] = legs
        return out

    def leg(self, a: Location, b: Location) -> tuple[list[tuple[float, float]], float]:
        """The road shape ([lat, lon] points) and metres of the leg from ``a`` to ``b``."""
        body = self._get("route", [a, b], {"overview": "full", "geometries": "geojson"})
        try:
            route = body["routes"][0]
            points = [(float(lat), float(lon)) for lon, lat, *_ in route["geometry"]["coordinates"]]
            return points, float(route["distance"])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise RoutingServerError(
                f"OSRM route: η απάντηση του {self.base_url} δεν έχει το σχήμα της διαδρομής / "
                f"OSRM route: the answer of {self.base_url} has no shape of the route ({exc!r})",
                code="Malformed",
                answered=True,
            ) from exc
