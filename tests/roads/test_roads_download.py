"""`kinito roads download` against a real HTTP server on 127.0.0.1: resume, checksums."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from planner.cli import main
from planner.roads.download import ChecksumError, DownloadError, download

PAYLOAD = bytes(range(256)) * 2048  # 512 KiB


class _Server(ThreadingHTTPServer):
    cut_after: int | None = None  # close the connection after this many bytes, once
    ranges: list[str | None]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        if self.path.endswith(".md5"):
            body = f"{hashlib.md5(PAYLOAD).hexdigest()}  extract.osm.pbf\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        rng = self.headers.get("Range")
        self.server.ranges.append(rng)
        start = int(rng.removeprefix("bytes=").rstrip("-")) if rng else 0
        body = PAYLOAD[start:]
        self.send_response(206 if rng else 200)
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", str(len(body)))
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        self.end_headers()
        cut = self.server.cut_after
        if cut is not None:
            self.server.cut_after = None
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.ranges = []
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _url(srv: _Server, name: str = "extract.osm.pbf") -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}/{name}"


def test_interrupted_download_resumes_from_where_it_stopped(server: _Server, tmp_path: Path) -> None:
    """The first try breaks after 100 kB; the second asks only for the rest, and the file is whole."""
    dest = tmp_path / "aigialeia.osm.pbf"
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    server.cut_after = 100_000
    with pytest.raises(DownloadError, match="resume"):
        download(_url(server), dest, sha256=sha, timeout=5)
    assert not dest.exists()
    assert (tmp_path / "aigialeia.osm.pbf.part").stat().st_size == 100_000
    seen: list[int] = []
    got = download(_url(server), dest, sha256=sha, timeout=5, progress=lambda d, t: seen.append(d))
    assert server.ranges == [None, "bytes=100000-"]
    assert got.resumed_from == 100_000
    assert dest.read_bytes() == PAYLOAD
    assert seen[-1] == len(PAYLOAD)
    assert not (tmp_path / "aigialeia.osm.pbf.part").exists()


def test_bad_checksum_is_rejected_and_nothing_installed(server: _Server, tmp_path: Path) -> None:
    """A digest that does not match: ChecksumError, no extract, no part left to resume."""
    dest = tmp_path / "x.osm.pbf"
    with pytest.raises(ChecksumError, match="expected"):
        download(_url(server), dest, sha256="0" * 64, timeout=5)
    assert not dest.exists()
    assert not (tmp_path / "x.osm.pbf.part").exists()


def test_download_command_checks_the_md5_file_beside_the_extract(
    server: _Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito roads download --url` fetches URL.md5, downloads, checks, says OK."""
    dest = tmp_path / "e.osm.pbf"
    code = main(["roads", "download", "--url", _url(server), "-o", str(dest)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert dest.read_bytes() == PAYLOAD
    assert "md5" in out.out and "OK" in out.out


def test_download_command_reports_a_bad_checksum(
    server: _Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong --sha256: exit 2 with the reason, no file."""
    dest = tmp_path / "e.osm.pbf"
    code = main(["roads", "download", "--url", _url(server), "-o", str(dest), "--sha256", "ab" * 32])
    assert code == 2
    assert "sha256" in capsys.readouterr().err
    assert not dest.exists()
