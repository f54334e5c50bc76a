"""Geocoding an address: a local fake Nominatim, the cache, the bounds, the rate limit, the fallbacks.

Every request goes to a server on 127.0.0.1 started by the test; nothing reaches the internet.
"""

from __future__ import annotations

import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, select

from planner import __version__
from planner.cli import main
from planner.gazetteer import Settlement as GazetteerSettlement
from planner.register.db import make_engine, session_scope
from planner.register.geocode import (
    BOUNDS_MARGIN_KM,
    DEFAULT_USER_AGENT,
    Bounds,
    Geocoder,
    Throttle,
    geocode_query,
    locate_beneficiary,
    municipality_bounds,
    query_name,
    server_key,
)
from planner.register.models import GeocodeCache, Settlement

AIGIO, PTERI, AGIOS_NIKOLAOS, AKRATA = "3702010101", "3702010302", "3702010102", "3702030101"
AIGIO_POINT = (38.249786, 22.081621)
# A street in Aigio as the fake server places it (inside the municipality).
ERMOU_12 = (38.2489, 22.0822, "Ερμού 12, Αίγιο, Δήμος Αιγιαλείας, Αχαΐα, Ελλάδα")
PATRAS = (38.2466, 21.7346, "Ερμού 12, Πάτρα, Δήμος Πατρέων, Αχαΐα, Ελλάδα")
ATHENS = (37.9781, 23.7282, "Ερμού 12, Αθήνα, Δήμος Αθηναίων, Αττική, Ελλάδα")


# --- a fake Nominatim -----------------------------------------------------------------------


@dataclass
class Seen:
    """One request the fake server received."""

    at: float  # time.monotonic() on arrival
    path: str
    params: dict[str, str]
    user_agent: str


@dataclass
class FakeNominatim:
    """Answers ``/search`` like Nominatim's ``format=json``: a list of places, lat/lon as strings.

    ``places`` maps the first part of ``q`` (the address, before the first comma) to a point;
    an unknown address gets ``[]`` (not found). ``status``/``body`` override the answer;
    ``delay`` holds each answer back that many seconds.
    """

    url: str = ""
    places: dict[str, tuple[float, float, str]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0

    @property
    def count(self) -> int:
        return len(self.seen)

    def answer(self, params: dict[str, str]) -> bytes:
        address = params.get("q", "").split(",")[0].strip()
        place = self.places.get(address)
        if place is None:
            return b"[]"
        lat, lon, name = place
        return json.dumps(
            [
                {
                    "place_id": 1,
                    "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
                    "osm_type": "way",
                    "osm_id": 2,
                    "lat": f"{lat:.7f}",
                    "lon": f"{lon:.7f}",
                    "class": "place",
                    "type": "house",
                    "importance": 0.3,
                    "display_name": name,
                    "boundingbox": [str(lat - 1e-4), str(lat + 1e-4), str(lon - 1e-4), str(lon + 1e-4)],
                }
            ],
            ensure_ascii=False,
        ).encode("utf-8")


def _handler(fake: FakeNominatim) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            fake.seen.append(Seen(time.monotonic(), parts.path, params, self.headers.get("User-Agent", "")))
            if fake.delay:
                time.sleep(fake.delay)
            if parts.path != "/search":
                status, body = 404, b'{"error": "not found"}'
            else:
                status = fake.status
                body = fake.body if fake.body is not None else fake.answer(params)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake() -> Iterator[FakeNominatim]:
    """A fake Nominatim on 127.0.0.1 at a random port, knowing «Ερμού 12» in Aigio."""
    server_fake = FakeNominatim(places={"Ερμού 12": ERMOU_12})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server_fake))
    server.daemon_threads = True
    server.block_on_close = False
    server_fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server_fake
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def closed_port_url() -> str:
    """The URL of a port on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def _no_proxies_or_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's proxy or geocoder settings must never reach a test (nor the internet)."""
    for var in (
        "http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
        "KINITO_GEOCODER_URL", "KINITO_GEOCODER_USER_AGENT",
    ):  # fmt: skip
        monkeypatch.delenv(var, raising=False)


class FakeClock:
    """A monotonic clock that only moves when slept on (or told to)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _geocoder(url: str, clock: FakeClock | None = None, **options: Any) -> Geocoder:
    """A geocoder on ``url`` whose rate limit runs on a fake clock (no real waiting)."""
    clock = clock or FakeClock()
    return Geocoder(url, throttle=Throttle(1.0, clock=clock, sleep=clock.sleep), **options)


def _cache_rows(engine: Engine) -> list[GeocodeCache]:
    with session_scope(engine) as session:
        return list(session.scalars(select(GeocodeCache).order_by(GeocodeCache.query_key)))


# --- found, cached ----------------------------------------------------------------------------


def test_first_lookup_asks_the_server_and_the_second_comes_from_the_cache(
    loaded_engine: Engine, fake: FakeNominatim
) -> None:
    """An address is geocoded once; asking again in the same session sends nothing."""
    geocoder = _geocoder(fake.url)
    with session_scope(loaded_engine) as session:
        first = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=geocoder)
        assert fake.count == 1
        second = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=geocoder)
    assert fake.count == 1
    for located in (first, second):
        assert located.source == "geocoded"
        assert (located.lat, located.lon) == pytest.approx(ERMOU_12[:2])
        assert located.display_name == ERMOU_12[2]
        assert located.message == ""


def test_the_cache_is_in_the_database_file_and_survives_a_new_engine(
    loaded_engine: Engine, db_file: Path, fake: FakeNominatim
) -> None:
    """A new engine on the same file (another run of the program) finds the answer without a request."""
    with session_scope(loaded_engine) as session:
        locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=_geocoder(fake.url))
    loaded_engine.dispose()
    assert fake.count == 1

    engine = make_engine(db_file)
    try:
        with session_scope(engine) as session:
            again = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=_geocoder(fake.url))
        rows = _cache_rows(engine)
    finally:
        engine.dispose()
    assert fake.count == 1
    assert again.source == "geocoded" and (again.lat, again.lon) == pytest.approx(ERMOU_12[:2])
    assert len(rows) == 1
    row = rows[0]
    assert row.server == fake.url
    assert row.query == "Ερμού 12, Aígio, Greece"
    assert row.query_key == "ermou 12 aigio greece"
    assert row.display_name == ERMOU_12[2]


def test_the_same_address_typed_differently_hits_the_same_cache_row(
    loaded_engine: Engine, fake: FakeNominatim
) -> None:
    """Case, accents and spacing do not make a new query: «ΕΡΜΟΥ  12» is «Ερμού 12»."""
    geocoder = _geocoder(fake.url)
    with session_scope(loaded_engine) as session:
        a = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=geocoder)
        b = locate_beneficiary(session, AIGIO, "  ΕΡΜΟΥ   12 ", geocoder=geocoder)
    assert fake.count == 1
    assert (a.lat, a.lon) == (b.lat, b.lon)


def test_the_cache_is_per_server(loaded_engine: Engine, fake: FakeNominatim) -> None:
    """An answer from one server is not reused for another (a different URL path is another server)."""
    with session_scope(loaded_engine) as session:
        locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=_geocoder(fake.url))
        other = _geocoder(fake.url + "/nominatim")
        located = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=other)
    # The second server (a path prefix on the fake) answers 404: not cached, settlement point.
    assert fake.count == 2 and fake.seen[1].path == "/nominatim/search"
    assert located.source == "settlement"
    assert [r.server for r in _cache_rows(loaded_engine)] == [fake.url]


def test_an_address_the_server_cannot_place_is_cached_as_not_found(
    loaded_engine: Engine, fake: FakeNominatim
) -> None:
    """Not found: the settlement's point with a message, a NULL row in the cache, no second request."""
    geocoder = _geocoder(fake.url)
    with session_scope(loaded_engine) as session:
        first = locate_beneficiary(session, AIGIO, "Οδός Πουθενά 99", geocoder=geocoder)
        second = locate_beneficiary(session, AIGIO, "Οδός Πουθενά 99", geocoder=geocoder)
    assert fake.count == 1
    for located in (first, second):
        assert located.source == "settlement"
        assert (located.lat, located.lon) == AIGIO_POINT
        assert "δεν βρέθηκε" in located.message_el and "Αίγιον" in located.message_el
        assert "did not find" in located.message_en and "Aigion" in located.message_en
        assert located.message.index("δεν βρέθηκε") < located.message.index("did not find")
    [row] = _cache_rows(loaded_engine)
    assert row.lat is None and row.lon is None and row.query == "Οδός Πουθενά 99, Aígio, Greece"


# --- the query ------------------------------------------------------------------------------


def test_the_request_carries_the_query_the_country_the_viewbox_and_the_user_agent(
    loaded_engine: Engine, fake: FakeNominatim
) -> None:
    """What Nominatim receives: q, format=json, limit 1, countrycodes=gr, the municipality's viewbox."""
    with session_scope(loaded_engine) as session:
        locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=_geocoder(fake.url))
    [seen] = fake.seen
    assert seen.path == "/search"
    assert seen.params["q"] == "Ερμού 12, Aígio, Greece"
    assert seen.params["format"] == "json" and seen.params["limit"] == "1"
    assert seen.params["countrycodes"] == "gr"
    box = municipality_bounds()
    west, south, east, north = (float(v) for v in seen.params["viewbox"].split(","))
    assert (south, west, north, east) == pytest.approx((box.south, box.west, box.north, box.east))
    assert "bounded" not in seen.params  # a point outside must come back, to be rejected in words
    assert seen.user_agent == DEFAULT_USER_AGENT == f"kinito/{__version__}"


def test_the_user_agent_and_the_server_can_come_from_the_environment(
    loaded_engine: Engine, fake: FakeNominatim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KINITO_GEOCODER_URL and KINITO_GEOCODER_USER_AGENT configure the geocoder; a parameter wins."""
    assert Geocoder.from_environment() is None  # nothing configured: no geocoding
    monkeypatch.setenv("KINITO_GEOCODER_URL", fake.url + "/")
    monkeypatch.setenv("KINITO_GEOCODER_USER_AGENT", "kinito/0.1.0 (+mailto:it@aigialeia.example)")
    geocoder = Geocoder.from_environment()
    assert geocoder is not None and geocoder.server == fake.url
    with session_scope(loaded_engine) as session:
        locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=geocoder)
        param = _geocoder(fake.url, user_agent="tests/1")
        locate_beneficiary(session, AKRATA, "Ερμού 12", geocoder=param)
    assert [s.user_agent for s in fake.seen] == ["kinito/0.1.0 (+mailto:it@aigialeia.example)", "tests/1"]


def test_the_query_uses_the_settlements_everyday_name() -> None:
    """Αίγιον is asked as Aígio, Πτέρη as Φτέρη; a name without an everyday form stays official."""

    def row(code: str, name_el: str, aliases: list[str]) -> Settlement:
        return Settlement(code=code, name_el=name_el, name_latin="-", aliases=aliases)

    assert query_name(row(AIGIO, "Αίγιον", ["Aígio"])) == "Aígio"
    assert query_name(row(PTERI, "Πτέρη", ["Φτέρη", "Ftéri"])) == "Φτέρη"
    assert query_name(row(AGIOS_NIKOLAOS, "Άγιος Νικόλαος", ["Ayios Nikolaos"])) == "Άγιος Νικόλαος"
    assert query_name(row("1", "Λάκκα", [])) == "Λάκκα"
    assert geocode_query("  Ερμού\t12 ", row(PTERI, "Πτέρη", ["Φτέρη"])) == "Ερμού 12, Φτέρη, Greece"


# --- bounds ---------------------------------------------------------------------------------


def test_the_bounds_hold_every_settlement_and_reject_patras_athens_and_the_far_shore(
    settlements: tuple[GazetteerSettlement, ...],
) -> None:
    """All 140 ELSTAT points are inside; Patras, Athens and Galaxidi (across the gulf) are not."""
    box = municipality_bounds()
    assert len(settlements) == 140
    assert all(box.contains(s.lat, s.lon) for s in settlements)
    assert not box.contains(38.2466, 21.7346)  # Patras
    assert not box.contains(37.9838, 23.7275)  # Athens
    assert not box.contains(38.3770, 22.3830)  # Galaxidi, on the north shore of the gulf
    assert BOUNDS_MARGIN_KM == 3.0


def test_the_margin_is_about_three_kilometres(settlements: tuple[GazetteerSettlement, ...]) -> None:
    """2 km beyond the westernmost or northernmost settlement is inside, 4 km beyond is outside."""
    box = municipality_bounds()
    westmost = min(settlements, key=lambda s: s.lon)
    km_per_degree_lon = 111.32 * math.cos(math.radians(westmost.lat))
    assert box.contains(westmost.lat, westmost.lon - 2.0 / km_per_degree_lon)
    assert not box.contains(westmost.lat, westmost.lon - 4.0 / km_per_degree_lon)
    northmost = max(settlements, key=lambda s: s.lat)
    assert box.contains(northmost.lat + 2.0 / 111.32, northmost.lon)
    assert not box.contains(northmost.lat + 4.0 / 111.32, northmost.lon)
    assert Bounds.around([(38.0, 22.0)]) == Bounds(38.0, 22.0, 38.0, 22.0)


@pytest.mark.parametrize(("place", "city"), [(PATRAS, "Patras"), (ATHENS, "Athens")])
def test_a_point_outside_the_municipality_is_rejected_with_a_message(
    loaded_engine: Engine, fake: FakeNominatim, place: tuple[float, float, str], city: str
) -> None:
    """A namesake street in Patras or Athens is rejected: the settlement's point, and why (Greek, English)."""
    fake.places["Ερμού 12"] = place
    with session_scope(loaded_engine) as session:
        located = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=_geocoder(fake.url))
    assert located.source == "settlement", city
    assert (located.lat, located.lon) == AIGIO_POINT
    assert "εκτός των ορίων του Δήμου Αιγιαλείας" in located.message_el
    assert "απορρίφθηκε" in located.message_el and place[2] in located.message_el
    assert "outside the Municipality of Aigialeia" in located.message_en
    assert "rejected" in located.message_en


def test_exact_coordinates_are_used_when_inside_and_rejected_when_outside(loaded_engine: Engine) -> None:
    """The office's own coordinates win when inside the bounds; outside, the settlement point and why."""
    with session_scope(loaded_engine) as session:
        inside = locate_beneficiary(session, AIGIO, "Ερμού 12", lat=38.2501, lon=22.0799)
        outside = locate_beneficiary(session, AIGIO, "Ερμού 12", lat=PATRAS[0], lon=PATRAS[1])
        with pytest.raises(ValueError, match="lat and lon"):
            locate_beneficiary(session, AIGIO, None, lat=38.25)
    assert (inside.lat, inside.lon, inside.source, inside.message) == (38.2501, 22.0799, "exact", "")
    assert outside.source == "settlement" and (outside.lat, outside.lon) == AIGIO_POINT
    assert "απορρίφθηκαν" in outside.message_el and "were rejected" in outside.message_en


def test_rejected_coordinates_fall_back_to_the_geocoded_address(
    loaded_engine: Engine, fake: FakeNominatim
) -> None:
    """Coordinates outside the bounds, an address inside: the address's point, with a note."""
    with session_scope(loaded_engine) as session:
        located = locate_beneficiary(
            session, AIGIO, "Ερμού 12", geocoder=_geocoder(fake.url), lat=ATHENS[0], lon=ATHENS[1]
        )
    assert located.source == "geocoded" and (located.lat, located.lon) == pytest.approx(ERMOU_12[:2])
    assert "απορρίφθηκαν" in located.message_el and "address's point is used" in located.message_en


# --- no geocoder, no address ----------------------------------------------------------------


def test_without_a_geocoder_or_an_address_the_settlement_point_is_used_silently(
    loaded_engine: Engine, fake: FakeNominatim
) -> None:
    """The default: the settlement's ELSTAT point, no message, no request."""
    with session_scope(loaded_engine) as session:
        no_geocoder = locate_beneficiary(session, AIGIO, "Ερμού 12")
        no_address = locate_beneficiary(session, AIGIO, "  ", geocoder=_geocoder(fake.url))
        none_address = locate_beneficiary(session, AIGIO, None, geocoder=_geocoder(fake.url))
    for located in (no_geocoder, no_address, none_address):
        assert (located.lat, located.lon, located.source, located.message) == (*AIGIO_POINT, "settlement", "")
    assert fake.count == 0


def test_an_unknown_settlement_code_is_an_error(loaded_engine: Engine) -> None:
    """A code that is not in the register raises ValueError, in Greek and English."""
    with session_scope(loaded_engine) as session, pytest.raises(ValueError, match=r"Άγνωστος.*Unknown"):
        locate_beneficiary(session, "9999999999", "Ερμού 12")


def test_a_geocoder_needs_a_valid_http_url() -> None:
    """No URL, or one that is not http(s) with a host, is a ValueError naming the problem."""
    with pytest.raises(ValueError, match="KINITO_GEOCODER_URL"):
        Geocoder()
    for bad in ("ftp://example.org", "nominatim.example.org", "http://"):
        with pytest.raises(ValueError, match="Invalid geocoder URL"):
            Geocoder(bad)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://nominatim.openstreetmap.org", "https://nominatim.openstreetmap.org"),
        ("HTTPS://Nominatim.OpenStreetMap.org/search/", "https://nominatim.openstreetmap.org"),
        ("https://nominatim.openstreetmap.org/search.php", "https://nominatim.openstreetmap.org"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("https://user:secret@gis.example.gr/nominatim/", "https://gis.example.gr/nominatim"),
    ],
)
def test_server_urls_are_stored_in_one_canonical_form(url: str, key: str) -> None:
    """Case, trailing slashes and a trailing /search do not split the cache; credentials are dropped."""
    assert server_key(url) == key


# --- failures never crash -------------------------------------------------------------------


def test_a_server_that_is_down_gives_the_settlement_point_and_a_message(
    loaded_engine: Engine, closed_port_url: str
) -> None:
    """Connection refused: no exception, the settlement point, the server named, nothing cached."""
    with session_scope(loaded_engine) as session:
        located = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=_geocoder(closed_port_url))
    assert located.source == "settlement" and (located.lat, located.lon) == AIGIO_POINT
    assert f"Η υπηρεσία γεωκωδικοποίησης {closed_port_url} δεν απάντησε" in located.message_el
    assert f"The geocoder at {closed_port_url} gave no answer" in located.message_en
    assert "tried again" in located.message_en
    assert _cache_rows(loaded_engine) == []


def test_a_timeout_falls_back_and_is_retried_next_time(loaded_engine: Engine, fake: FakeNominatim) -> None:
    """A slow server: the lookup gives up after the timeout, and the next call asks again."""
    fake.delay = 1.0
    geocoder = _geocoder(fake.url, timeout=0.2)
    started = time.monotonic()
    with session_scope(loaded_engine) as session:
        slow = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=geocoder)
    assert time.monotonic() - started < 0.9
    assert slow.source == "settlement" and "TimedOut" in slow.message_en
    assert _cache_rows(loaded_engine) == []

    fake.delay = 0.0
    with session_scope(loaded_engine) as session:
        again = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=geocoder)
    assert again.source == "geocoded"
    assert fake.count == 2


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b"internal error"),
        (429, b"too many requests"),
        (200, b"<html>not json</html>"),
        (200, b'[{"lat": "north", "lon": "22.08", "display_name": "x"}]'),
        (200, b'[{"lat": "95.0", "lon": "22.08", "display_name": "x"}]'),
    ],
)
def test_a_bad_answer_falls_back_without_an_exception(
    loaded_engine: Engine, fake: FakeNominatim, status: int, body: bytes
) -> None:
    """HTTP errors, non-JSON and impossible coordinates: the settlement point, a message, nothing cached."""
    fake.status, fake.body = status, body
    with session_scope(loaded_engine) as session:
        located = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=_geocoder(fake.url))
    assert located.source == "settlement" and (located.lat, located.lon) == AIGIO_POINT
    assert "δεν απάντησε" in located.message_el
    assert _cache_rows(loaded_engine) == []
    assert fake.count == 1  # one request: no silent retries behind the rate limit's back


def test_an_address_too_long_for_the_cache_is_not_sent(loaded_engine: Engine, fake: FakeNominatim) -> None:
    """A query longer than the cache key holds: no request, the settlement point and why."""
    with session_scope(loaded_engine) as session:
        located = locate_beneficiary(session, AIGIO, "Ερμού 12 " * 60, geocoder=_geocoder(fake.url))
    assert located.source == "settlement" and "άνω των 400 χαρακτήρων" in located.message_el
    assert fake.count == 0


# --- the rate limit -------------------------------------------------------------------------


def test_the_throttle_spaces_requests_one_interval_apart_on_a_fake_clock() -> None:
    """Back-to-back requests wait out the interval from the previous one's end; a late one does not wait."""
    clock = FakeClock()
    throttle = Throttle(1.0, clock=clock, sleep=clock.sleep)
    starts: list[float] = []
    for work in (0.0, 0.3, 0.0):
        with throttle:
            starts.append(clock.now)
            clock.now += work  # the request takes this long
    assert starts == [1000.0, 1001.0, 1002.3]
    assert clock.sleeps == [1.0, 1.0]
    clock.now += 5.0
    with throttle:
        pass
    assert clock.sleeps == [1.0, 1.0]
    assert throttle.waited == pytest.approx(2.0)


def test_two_queries_reach_the_server_at_least_a_second_apart_across_geocoders(
    loaded_engine: Engine, fake: FakeNominatim
) -> None:
    """Real clock: two addresses through two Geocoder objects on one server arrive >= 1 s apart."""
    fake.places["Κορίνθου 5"] = (38.2470, 22.0850, "Κορίνθου 5, Αίγιο")
    first, second = Geocoder(fake.url), Geocoder(fake.url)
    assert first.throttle is second.throttle  # one limit per server for the whole process
    with session_scope(loaded_engine) as session:
        locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=first)
        locate_beneficiary(session, AIGIO, "Κορίνθου 5", geocoder=second)
        locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=second)  # cached: no request, no wait
    assert fake.count == 2
    assert fake.seen[1].at - fake.seen[0].at >= 1.0


@pytest.mark.parametrize(
    ("age", "expected_wait"),
    [(0.3, 0.7), (5.0, None), (-30.0, None)],
    ids=["just-now", "long-ago", "clock-skew"],
)
def test_a_request_waits_for_another_process_that_asked_the_same_server_just_now(
    loaded_engine: Engine, fake: FakeNominatim, age: float, expected_wait: float | None
) -> None:
    """The newest answer in the shared cache (another process's) spaces requests; skew never over-waits."""
    with session_scope(loaded_engine) as session:
        session.add(
            GeocodeCache(
                query_key="other", server=fake.url, query="other", lat=None, lon=None,
                fetched_at=datetime.now(UTC) - timedelta(seconds=age),
            )
        )  # fmt: skip
    clock = FakeClock()
    with session_scope(loaded_engine) as session:
        located = locate_beneficiary(session, AIGIO, "Ερμού 12", geocoder=_geocoder(fake.url, clock))
    assert located.source == "geocoded" and fake.count == 1
    if expected_wait is None:
        assert clock.sleeps == []
    else:
        [slept] = clock.sleeps
        assert expected_wait - 0.2 < slept <= expected_wait


def test_concurrent_requests_are_serialised_by_the_throttle() -> None:
    """Threads sharing a throttle never have two requests in flight and keep the spacing (fake clock)."""
    clock = FakeClock()
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            clock.sleep(seconds)

    throttle = Throttle(1.0, clock=clock, sleep=sleep)
    starts: list[float] = []
    in_flight = {"now": 0, "max": 0}

    def request() -> None:
        with throttle:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
            starts.append(clock.now)
            time.sleep(0.01)
            in_flight["now"] -= 1

    threads = [threading.Thread(target=request) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert in_flight["max"] == 1
    assert sorted(starts) == [1000.0, 1001.0, 1002.0, 1003.0]


# --- the command ----------------------------------------------------------------------------


def _init(db: Path) -> None:
    assert main(["init", "--db", str(db)]) == 0


def test_kinito_geocode_prints_the_point_and_its_source_and_caches_it(
    tmp_path: Path, fake: FakeNominatim, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito geocode "Ερμού 12" --settlement Αίγιο --server URL`: the point, geocoded; again: cached."""
    db = tmp_path / "k.sqlite3"
    _init(db)
    capsys.readouterr()
    args = ["geocode", "--db", str(db), "--server", fake.url, "Ερμού 12", "--settlement", "Αίγιο"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "σημείο / point: 38.248900, 22.082200" in out
    assert f"γεωκωδικοποίηση διεύθυνσης / geocoded address ({fake.url})" in out
    assert ERMOU_12[2] in out and "Αίγιον" in out
    assert main(args) == 0
    assert "38.248900, 22.082200" in capsys.readouterr().out
    assert fake.count == 1


def test_kinito_geocode_without_a_server_prints_the_settlement_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No --server and no KINITO_GEOCODER_URL: the settlement's point, and a note saying why."""
    db = tmp_path / "k.sqlite3"
    _init(db)
    capsys.readouterr()
    assert main(["geocode", "--db", str(db), "Ερμού 12", "--settlement", "diakopto"]) == 0
    captured = capsys.readouterr()
    assert "Διακοπτόν" in captured.out
    assert "σημείο του οικισμού (ΕΛΣΤΑΤ) / settlement point (ELSTAT)" in captured.out
    assert "no geocoder is configured" in captured.err


def test_kinito_geocode_reports_a_dead_server_and_still_prints_a_point(
    tmp_path: Path, closed_port_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server that does not answer: exit 0, the settlement point, the reason on stderr."""
    db = tmp_path / "k.sqlite3"
    _init(db)
    capsys.readouterr()
    code = main(
        ["geocode", "--db", str(db), "--server", closed_port_url, "Ερμού 12", "--settlement", "Αίγιο"]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "σημείο / point: 38.249786, 22.081621" in captured.out
    assert "δεν απάντησε" in captured.err and "gave no answer" in captured.err


def test_kinito_geocode_names_a_rejected_point_only_in_the_message(
    tmp_path: Path, fake: FakeNominatim, capsys: pytest.CaptureFixture[str]
) -> None:
    """A point in Patras: stdout shows the settlement point only; the rejection and its place on stderr."""
    fake.places["Ερμού 12"] = PATRAS
    db = tmp_path / "k.sqlite3"
    _init(db)
    capsys.readouterr()
    assert main(["geocode", "--db", str(db), "--server", fake.url, "Ερμού 12", "--settlement", "Αίγιο"]) == 0
    captured = capsys.readouterr()
    assert "σημείο / point: 38.249786, 22.081621" in captured.out
    assert "settlement point (ELSTAT)" in captured.out and "Πάτρα" not in captured.out
    assert "απορρίφθηκε" in captured.err and PATRAS[2] in captured.err


@pytest.mark.parametrize(
    ("settlement", "expected"),
    [("Λάκκα", "ταιριάζει σε 2 οικισμούς"), ("Ατλαντίδα", "Δεν βρέθηκε οικισμός")],
)
def test_kinito_geocode_rejects_an_ambiguous_or_unknown_settlement(
    tmp_path: Path, fake: FakeNominatim, capsys: pytest.CaptureFixture[str], settlement: str, expected: str
) -> None:
    """Two Λάκκα or a made-up name: exit 2 with the search's message; nothing is asked."""
    db = tmp_path / "k.sqlite3"
    _init(db)
    code = main(["geocode", "--db", str(db), "--server", fake.url, "Ερμού 12", "--settlement", settlement])
    assert code == 2
    assert expected in capsys.readouterr().err
    assert fake.count == 0


def test_kinito_geocode_on_an_empty_database_says_to_run_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No database file, or one without settlements: exit 2 and 'run kinito init first'."""
    missing = tmp_path / "new.sqlite3"
    assert main(["geocode", "--db", str(missing), "Ερμού 12", "--settlement", "Αίγιο"]) == 2
    assert "kinito init" in capsys.readouterr().err
    assert not missing.exists()  # a typo in --db leaves no empty file behind

    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    assert main(["geocode", "--db", str(empty), "Ερμού 12", "--settlement", "Αίγιο"]) == 2
    assert "kinito init" in capsys.readouterr().err


def test_kinito_geocode_rejects_an_invalid_server_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--server that is not an http(s) URL: exit 2 with the reason."""
    code = main(
        [
            "geocode",
            "--db",
            str(tmp_path / "k.sqlite3"),
            "--server",
            "nominatim",
            "x",
            "--settlement",
            "Αίγιο",
        ]
    )
    assert code == 2
    assert "Invalid geocoder URL" in capsys.readouterr().err
