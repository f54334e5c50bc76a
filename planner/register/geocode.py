"""Where a beneficiary lives: exact coordinates, a geocoded address, or the settlement's point.

The default is always the settlement's ELSTAT point: every beneficiary belongs to one of the
municipality's 140 settlements, and in a village the settlement point is within a few minutes'
walk of every house. Geocoding an address is optional and only refines that point:

- :class:`Geocoder` asks a Nominatim server through geopy. Its URL comes from the ``url``
  argument or the ``KINITO_GEOCODER_URL`` environment variable; there is **no default
  server**, because an address is personal data and must not leave the office unless someone
  chose where it goes. The user agent is ``kinito/<version>`` unless ``user_agent`` or
  ``KINITO_GEOCODER_USER_AGENT`` says otherwise (the public server's policy asks for one that
  names the application and a contact, e.g. ``kinito/0.1.0 (+mailto:it@example.gr)``).
- At most one request per second per server, across every call and every :class:`Geocoder`
  of the process (the public Nominatim's policy; a municipality's own server deserves the
  same courtesy). One request is in flight at a time, and the next starts at least a second
  after the previous one ended (``time.monotonic``). Other processes on the same database
  are respected too: a request waits until a second after the newest answer in the cache.
- Every answer is kept in the ``geocode_cache`` table, keyed by the normalised query and the
  server, so the same address is asked once, ever: an answer that the server could not place
  is cached too (``lat``/``lon`` NULL). Network errors and timeouts are *not* cached: the next
  call tries again.
- A point outside the municipality's bounds (:func:`municipality_bounds`: the box around the
  140 ELSTAT settlement points plus :data:`BOUNDS_MARGIN_KM`) is rejected with a message:
  a geocoder that answers with a namesake street in Patras or Athens must not send the van
  there.
- Nothing here raises on a network problem: :func:`locate_beneficiary` falls back to the
  settlement's point and says why, in Greek and English.

The query sent to the server is ``"<address>, <settlement>, Greece"`` with the results biased
towards the municipality's box (``viewbox``) and limited to Greece (``countrycodes=gr``). The
settlement's name is its everyday form where the gazetteer knows one (Αίγιο rather than the
official katharevousa Αίγιον, Φτέρη rather than Πτέρη), because OpenStreetMap uses everyday
names and Nominatim must match every word of a query. For the same reason the municipality's
name is not in the query: OpenStreetMap calls it «Δήμος Αιγιαλείας» and a word that matches
nothing can empty the answer; the viewbox and the bounds check do its job. See
``docs/geocoding.md``.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal, Protocol
from urllib.parse import urlsplit

from geopy.adapters import URLLibAdapter
from geopy.exc import GeopyError
from geopy.geocoders import Nominatim
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner import __version__
from planner.gazetteer import load_settlements
from planner.register.models import GeocodeCache, Settlement
from planner.register.places import name_variants, normalise

__all__ = [
    "BOUNDS_MARGIN_KM",
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "ENV_URL",
    "ENV_USER_AGENT",
    "MIN_INTERVAL",
    "Bounds",
    "GeocodeAnswer",
    "Geocoder",
    "Located",
    "Throttle",
    "geocode_query",
    "geocoder_url",
    "locate_beneficiary",
    "municipality_bounds",
    "query_name",
    "server_key",
]

ENV_URL = "KINITO_GEOCODER_URL"
ENV_USER_AGENT = "KINITO_GEOCODER_USER_AGENT"
DEFAULT_USER_AGENT = f"kinito/{__version__}"
DEFAULT_TIMEOUT = 10.0  # seconds for one request; the public server answers in well under 1 s
MIN_INTERVAL = 1.0  # seconds between two requests to one server
# The bounds are the box around the settlement points, widened by this much on every side:
# the settlement point of a village is its centre, and its last houses (and the monasteries
# and farmsteads counted with it) lie up to 2-3 km away.
BOUNDS_MARGIN_KM = 3.0
_KM_PER_DEGREE_LAT = 111.32
# Longest query and cache key the table holds (``String(400)``): longer ones are not sent.
_MAX_KEY = 400

Source = Literal["exact", "geocoded", "settlement"]
Status = Literal["found", "not_found", "error"]


# --- bounds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """A latitude/longitude box (WGS 84 degrees): ``south <= lat <= north``, ``west <= lon <= east``."""

    south: float
    west: float
    north: float
    east: float

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]], margin_km: float = 0.0) -> Bounds:
        """The smallest box holding every ``(lat, lon)`` point, widened by ``margin_km`` on each side.

        The margin in longitude is converted at the box's most poleward latitude, so it is at
        least ``margin_km`` everywhere in the box. Raises ``ValueError`` for no points.
        """
        pts = list(points)
        if not pts:
            raise ValueError("Bounds.around needs at least one point")
        if margin_km < 0:
            raise ValueError("margin_km must not be negative")
        south, north = min(p[0] for p in pts), max(p[0] for p in pts)
        west, east = min(p[1] for p in pts), max(p[1] for p in pts)
        dlat = margin_km / _KM_PER_DEGREE_LAT
        widest = max(abs(south), abs(north)) + dlat
        dlon = margin_km / (_KM_PER_DEGREE_LAT * math.cos(math.radians(widest)))
        return cls(south - dlat, west - dlon, north + dlat, east + dlon)

    def contains(self, lat: float, lon: float) -> bool:
        """True when the point lies in the box (edges included)."""
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def viewbox(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The box as geopy wants a viewbox: two ``(lat, lon)`` corners."""
        return (self.south, self.west), (self.north, self.east)

    def describe(self) -> str:
        """``37.955-38.349 N, 21.850-22.407 E``: the box for a message."""
        return f"{self.south:.3f}-{self.north:.3f} N, {self.west:.3f}-{self.east:.3f} E"


@lru_cache(maxsize=8)
def municipality_bounds(margin_km: float = BOUNDS_MARGIN_KM) -> Bounds:
    """The bounds of the Municipality of Aigialeia: the 140 ELSTAT settlement points plus a margin.

    A box, so it is coarse on purpose: it also holds some of the Gulf of Corinth and the edges
    of the neighbouring municipalities. It catches what geocoders actually get wrong, a
    namesake street or village elsewhere in Greece (Patras, Athens, another Λάκκα), not a
    point a few kilometres off inside the municipality.
    """
    return Bounds.around(((s.lat, s.lon) for s in load_settlements()), margin_km)


# --- settings -------------------------------------------------------------------------------


def geocoder_url(url: str | None = None) -> str | None:
    """The geocoder's URL: ``url`` if given, else ``$KINITO_GEOCODER_URL``, else None (no geocoding)."""
    value = url if url is not None else os.environ.get(ENV_URL)
    value = (value or "").strip()
    return value or None


def server_key(url: str) -> str:
    """The canonical form of a Nominatim URL, as stored in the cache's ``server`` column.

    ``HTTPS://Nominatim.example.org/search/`` -> ``https://nominatim.example.org``: scheme and
    host lower-cased, trailing slashes and a trailing ``/search`` (or ``/search.php``) dropped,
    a path prefix kept (``https://gis.example.gr/nominatim``). Raises ``ValueError`` (Greek and
    English) for anything that is not an http(s) URL with a host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"Μη έγκυρη διεύθυνση υπηρεσίας γεωκωδικοποίησης «{url}»: αναμένεται π.χ. "
            f"https://nominatim.example.org / Invalid geocoder URL '{url}': expected e.g. "
            "https://nominatim.example.org"
        )
    path = re.sub(r"/(search|search\.php)?/*$", "", parts.path.rstrip("/") + "/")
    host = parts.hostname  # lower-cased, without any user:password@ (never kept in the cache)
    if ":" in host:
        host = f"[{host}]"  # IPv6
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{scheme}://{host}{port}{path}"


# --- rate limit -----------------------------------------------------------------------------


class Throttle:
    """One request at a time, and ``min_interval`` seconds from the end of one to the start of the next.

    Use it around each request: ``with throttle: ...``. Entering blocks until the next
    request is due (and while another thread's request is in flight); leaving marks the
    time. Counting from the *end* of the previous request is stricter than counting from its
    start, so requests reach the server at least ``min_interval`` apart however long each
    takes. ``clock`` and ``sleep`` default to ``time.monotonic`` and ``time.sleep``; tests
    pass fakes. ``waited`` is the total seconds slept so far.
    """

    def __init__(
        self,
        min_interval: float = MIN_INTERVAL,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if min_interval < 0:
            raise ValueError("min_interval must not be negative")
        self.min_interval = min_interval
        self.waited = 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last_end: float | None = None

    def __enter__(self) -> Throttle:
        self._lock.acquire()
        try:
            if self._last_end is not None:
                due = self._last_end + self.min_interval
                now = self._clock()
                while now < due:
                    self._sleep(due - now)
                    self.waited += due - now
                    now = self._clock()
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._last_end = self._clock()
        self._lock.release()

    def pause(self, seconds: float) -> None:
        """Sleep ``seconds`` more inside a request's turn (another process asked just before)."""
        if seconds > 0:
            self._sleep(seconds)
            self.waited += seconds


# One throttle per server for the whole process, so the limit holds across calls and across
# Geocoder objects (a web request and an import may each make their own).
_THROTTLES: dict[str, Throttle] = {}
_THROTTLES_LOCK = threading.Lock()


def _shared_throttle(server: str, min_interval: float) -> Throttle:
    with _THROTTLES_LOCK:
        throttle = _THROTTLES.get(server)
        if throttle is None:
            throttle = _THROTTLES[server] = Throttle(min_interval)
        else:
            throttle.min_interval = max(throttle.min_interval, min_interval)
        return throttle


# --- the geocoder ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GeocodeAnswer:
    """What the server said about one query: found (a point), not found, or an error.

    ``from_cache`` is True when the answer came from ``geocode_cache`` without a request;
    ``error`` says what went wrong when ``status == "error"`` (nothing is cached then).
    """

    query: str
    server: str
    status: Status
    lat: float | None = None
    lon: float | None = None
    display_name: str | None = None
    from_cache: bool = False
    error: str = ""


class _NominatimLike(Protocol):
    def geocode(self, query: str, **kwargs: object) -> object: ...


class Geocoder:
    """geopy's Nominatim behind a rate limit and the database cache.

    ``url`` is the server (e.g. ``https://nominatim.openstreetmap.org`` or the municipality's
    own); without it ``$KINITO_GEOCODER_URL`` is used, and a ``ValueError`` is raised when
    neither is set (see :meth:`from_environment` for "geocode if configured").
    ``timeout`` is per request in seconds; ``min_interval`` the seconds between requests to
    this server (shared with every other Geocoder of the process unless ``throttle`` is
    given); ``bounds`` biases the search (``viewbox``, default the municipality's box);
    ``language`` is the ``accept-language`` of the answers' names.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        user_agent: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        min_interval: float = MIN_INTERVAL,
        throttle: Throttle | None = None,
        bounds: Bounds | None = None,
        language: str = "el",
    ) -> None:
        chosen = geocoder_url(url)
        if chosen is None:
            raise ValueError(
                "Δεν έχει οριστεί υπηρεσία γεωκωδικοποίησης (παράμετρος ή KINITO_GEOCODER_URL) / "
                "No geocoder is configured (parameter or KINITO_GEOCODER_URL)"
            )
        if timeout <= 0:
            raise ValueError("Ο χρόνος αναμονής πρέπει να είναι θετικός / The timeout must be positive")
        self.server = server_key(chosen)
        self.user_agent = (user_agent or os.environ.get(ENV_USER_AGENT) or "").strip() or DEFAULT_USER_AGENT
        self.timeout = timeout
        self.bounds = bounds or municipality_bounds()
        self.language = language
        self.throttle = throttle or _shared_throttle(self.server, min_interval)
        scheme, _, domain = self.server.partition("://")
        # The stdlib adapter: no extra dependency, and no automatic retries (each one would
        # be a request the rate limit did not see).
        self._nominatim: _NominatimLike = Nominatim(
            domain=domain,
            scheme=scheme,
            user_agent=self.user_agent,
            timeout=timeout,
            adapter_factory=URLLibAdapter,
        )

    @classmethod
    def from_environment(
        cls, *, user_agent: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> Geocoder | None:
        """A geocoder on ``$KINITO_GEOCODER_URL``, or None when it is not set (geocoding off)."""
        url = geocoder_url()
        return None if url is None else cls(url, user_agent=user_agent, timeout=timeout)

    def lookup(self, session: Session, query: str) -> GeocodeAnswer:
        """The point of ``query``: from the cache if it was asked before, else from the server.

        A found or not-found answer from the server is added to ``geocode_cache`` in
        ``session`` (in a savepoint; it is committed with the caller's transaction). A network
        error, a timeout or an unusable answer returns ``status == "error"`` and is not
        cached; nothing is raised.
        """
        query = " ".join(query.split())
        key = normalise(query)
        if not key:
            return GeocodeAnswer(query, self.server, "error", error="κενό ερώτημα / empty query")
        if len(query) > _MAX_KEY or len(key) > _MAX_KEY:
            return GeocodeAnswer(
                query,
                self.server,
                "error",
                error=f"ερώτημα άνω των {_MAX_KEY} χαρακτήρων / query longer than {_MAX_KEY} characters",
            )
        row = session.get(GeocodeCache, (key, self.server))
        if row is not None:
            return GeocodeAnswer(
                query, self.server, "found" if row.lat is not None else "not_found",
                lat=row.lat, lon=row.lon, display_name=row.display_name, from_cache=True,
            )  # fmt: skip
        try:
            # geopy warns before it refuses a latitude beyond 90 degrees: the refusal (a
            # ValueError) is what matters here, and a warning must not reach the user. (The
            # filter is process-wide while it lasts; it only hides UserWarnings.)
            with self.throttle, warnings.catch_warnings():
                self.throttle.pause(self._other_process_wait(session))
                warnings.simplefilter("ignore", UserWarning)
                location = self._nominatim.geocode(
                    query,
                    exactly_one=True,
                    timeout=self.timeout,
                    language=self.language,
                    country_codes="gr",
                    viewbox=self.bounds.viewbox(),
                )
            found = _point_of(location)
        except (GeopyError, OSError, ValueError, TypeError, AttributeError) as exc:
            return GeocodeAnswer(query, self.server, "error", error=_describe(exc))
        lat, lon, display_name = found if found else (None, None, None)
        self._store(session, GeocodeCache(
            query_key=key, server=self.server, query=query, lat=lat, lon=lon, display_name=display_name,
        ))  # fmt: skip
        return GeocodeAnswer(
            query, self.server, "found" if found else "not_found",
            lat=lat, lon=lon, display_name=display_name,
        )  # fmt: skip

    def _other_process_wait(self, session: Session) -> float:
        """Seconds still to wait because another process (or run) asked this server just now.

        The newest ``fetched_at`` of this server's cache rows is when its last answer arrived,
        whoever asked (a web app and an import, or a shell loop of ``kinito geocode``, share
        the database, not the process's throttle). Wall-clock time, so bounded: a clock that
        went backwards or a row from the future never makes it wait more than the interval.
        """
        newest = session.scalar(
            select(func.max(GeocodeCache.fetched_at)).where(GeocodeCache.server == self.server)
        )
        if newest is None:
            return 0.0
        if newest.tzinfo is None:  # SQLite keeps no offset: the register writes UTC
            newest = newest.replace(tzinfo=UTC)
        since = (datetime.now(UTC) - newest).total_seconds()
        interval = self.throttle.min_interval
        return interval - since if 0 <= since < interval else 0.0

    @staticmethod
    def _store(session: Session, row: GeocodeCache) -> None:
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            pass  # another process cached the same query meanwhile: its answer stands


def _point_of(location: object) -> tuple[float, float, str | None] | None:
    """geopy's Location -> (lat, lon, display name); None for "not found".

    Raises ``ValueError`` for a point that is not a finite WGS 84 coordinate.
    """
    if location is None:
        return None
    lat = float(location.latitude)  # type: ignore[attr-defined]
    lon = float(location.longitude)  # type: ignore[attr-defined]
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"the server answered an impossible point ({lat}, {lon})")
    address = location.address  # type: ignore[attr-defined]
    return lat, lon, (str(address) if address else None)


def _describe(exc: BaseException) -> str:
    """A one-line reason for a failed request: the exception's class and first line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


# --- locating a beneficiary -----------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """Where a beneficiary's visits happen and where that point came from.

    ``source`` is ``"exact"`` (coordinates the office gave), ``"geocoded"`` (the address,
    through the geocoder) or ``"settlement"`` (the settlement's ELSTAT point: the default).
    ``message_el`` / ``message_en`` explain a fallback (empty when nothing went wrong);
    ``display_name`` is the geocoder's name for the place, when one was asked.
    """

    lat: float
    lon: float
    source: Source
    message_el: str = ""
    message_en: str = ""
    display_name: str | None = None

    @property
    def message(self) -> str:
        """The message in Greek, then English (empty when there is nothing to say)."""
        if not self.message_el:
            return ""
        return f"{self.message_el} / {self.message_en}"


_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")


def query_name(settlement: Settlement) -> str:
    """The settlement's name as OpenStreetMap most likely writes it, for a geocoder query.

    The first Greek alias (GeoNames' everyday form: Φτέρη for Πτέρη, Δάφνες for Δάφναι); else
    a Latin alias that is an everyday form of the official name (Aígio for Αίγιον: Nominatim
    matches Greek and Latin spellings alike); else the official name.
    """
    aliases = [a for a in (settlement.aliases or []) if a.strip()]
    for alias in aliases:
        if _GREEK.search(alias):
            return alias
    everyday = name_variants(normalise(settlement.name_el))
    for alias in aliases:
        if normalise(alias) in everyday:
            return alias
    return settlement.name_el


def geocode_query(address: str, settlement: Settlement) -> str:
    """The text sent to the geocoder: ``"<address>, <settlement>, Greece"`` (see the module's notes)."""
    return f"{' '.join(address.split())}, {query_name(settlement)}, Greece"


def _settlement_point(settlement: Settlement, message_el: str = "", message_en: str = "") -> Located:
    return Located(settlement.lat, settlement.lon, "settlement", message_el, message_en)


def locate_beneficiary(
    session: Session,
    settlement_code: str,
    address: str | None,
    *,
    geocoder: Geocoder | None = None,
    lat: float | None = None,
    lon: float | None = None,
    bounds: Bounds | None = None,
) -> Located:
    """The point for a beneficiary of settlement ``settlement_code`` living at ``address``.

    In order: exact coordinates ``lat``/``lon`` when given and inside the municipality's
    ``bounds``; else the geocoded address when a ``geocoder`` is given and its answer is
    inside the bounds; else the settlement's point, with a message saying why when something
    was tried and failed. Never raises on a network problem. Raises ``ValueError`` for an
    unknown settlement code or for only one of ``lat``/``lon``.
    """
    settlement = session.get(Settlement, settlement_code)
    if settlement is None:
        raise ValueError(
            f"Άγνωστος κωδικός οικισμού «{settlement_code}» / Unknown settlement code '{settlement_code}'"
        )
    box = bounds or municipality_bounds()
    name_el, name_en = settlement.name_el, settlement.name_latin
    fallback_el = f"χρησιμοποιείται το σημείο του οικισμού {name_el}"
    fallback_en = f"using the point of the settlement {name_en}"

    if (lat is None) != (lon is None):
        raise ValueError("Δώστε και πλάτος και μήκος / Give both lat and lon, or neither")
    rejected_el = rejected_en = ""
    if lat is not None and lon is not None:
        if box.contains(lat, lon):
            return Located(lat, lon, "exact")
        rejected_el = (
            f"Οι συντεταγμένες ({lat:.6f}, {lon:.6f}) είναι εκτός των ορίων του Δήμου Αιγιαλείας "
            f"({box.describe()}) και απορρίφθηκαν. "
        )
        rejected_en = (
            f"The coordinates ({lat:.6f}, {lon:.6f}) lie outside the Municipality of Aigialeia "
            f"({box.describe()}) and were rejected. "
        )

    address = " ".join((address or "").split())
    if not address or geocoder is None:
        if rejected_el:
            return _settlement_point(
                settlement, rejected_el + fallback_el + ".", rejected_en + fallback_en + "."
            )
        return _settlement_point(settlement)

    answer = geocoder.lookup(session, geocode_query(address, settlement))
    if answer.status == "error":
        return _settlement_point(
            settlement,
            f"{rejected_el}Η υπηρεσία γεωκωδικοποίησης {answer.server} δεν απάντησε για τη διεύθυνση "
            f"«{address}» ({answer.error}): {fallback_el}. Θα ξαναδοκιμαστεί την επόμενη φορά.",
            f"{rejected_en}The geocoder at {answer.server} gave no answer for the address "
            f"'{address}' ({answer.error}): {fallback_en}. It will be tried again next time.",
        )
    if answer.status == "not_found" or answer.lat is None or answer.lon is None:
        return _settlement_point(
            settlement,
            f"{rejected_el}Η διεύθυνση «{address}» δεν βρέθηκε από την υπηρεσία γεωκωδικοποίησης: "
            f"{fallback_el}.",
            f"{rejected_en}The geocoder did not find the address '{address}': {fallback_en}.",
        )
    if not box.contains(answer.lat, answer.lon):
        where = f"{answer.lat:.6f}, {answer.lon:.6f}"
        named = f" — {answer.display_name}" if answer.display_name else ""
        return Located(
            settlement.lat, settlement.lon, "settlement",
            f"{rejected_el}Το σημείο που βρέθηκε για τη διεύθυνση «{address}» ({where}{named}) είναι "
            f"εκτός των ορίων του Δήμου Αιγιαλείας ({box.describe()}) και απορρίφθηκε: {fallback_el}.",
            f"{rejected_en}The point found for the address '{address}' ({where}{named}) lies outside "
            f"the Municipality of Aigialeia ({box.describe()}) and was rejected: {fallback_en}.",
            display_name=answer.display_name,
        )  # fmt: skip
    return Located(
        answer.lat, answer.lon, "geocoded",
        rejected_el + "Χρησιμοποιείται το σημείο της διεύθυνσης." if rejected_el else "",
        rejected_en + "The address's point is used." if rejected_en else "",
        display_name=answer.display_name,
    )  # fmt: skip
