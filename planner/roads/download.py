"""Fetch an OpenStreetMap extract over HTTP: resumable, with progress and a checksum.

The download goes to ``<dest>.part``; an interrupted run leaves it there and the next run
asks the server for the rest only (an HTTP ``Range`` request, guarded by ``If-Range`` with
the first answer's ``ETag``/``Last-Modified`` so a file that changed meanwhile is fetched
again whole). Only a file whose checksum matches is renamed to ``dest``; a mismatch deletes
the part and raises :class:`ChecksumError`. Geofabrik publishes an ``.md5`` file beside each
extract; ``--sha256``/``--md5`` take a known digest instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

DEFAULT_URL = "https://download.geofabrik.de/europe/greece-latest.osm.pbf"
"""Geofabrik's extract of Greece (daily; about 0.4 GB): Aigialeia is inside it."""

ProgressFn = Callable[[int, int | None], None]
"""Bytes so far, total bytes (None when the server does not say)."""


class DownloadError(OSError):
    """The download failed; a partial file may be kept for a later resume."""


class ChecksumError(DownloadError):
    """The downloaded bytes do not match the expected checksum (the file is not kept)."""


@dataclass(frozen=True)
class Downloaded:
    """A finished download: where, how many bytes, how many were resumed, the digest checked."""

    path: Path
    size: int
    resumed_from: int
    algorithm: str
    digest: str


def _hash_file(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def fetch_checksum(url: str, timeout: float = 30.0) -> str:
    """The hex digest in a checksum file (``<hex>  <name>`` as md5sum/sha256sum write it)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            text = resp.read(4096).decode("ascii", "replace")
    except (urllib.error.URLError, HTTPException, OSError) as exc:
        raise DownloadError(
            f"δεν διαβάζεται το αρχείο checksum {url} ({exc}): δώστε το γνωστό checksum με --sha256 ή "
            f"--md5, ή άλλο αρχείο με --checksum-url / cannot read the checksum file {url} ({exc}): give "
            "the known checksum with --sha256 or --md5, or another file with --checksum-url"
        ) from exc
    m = re.match(r"\s*([0-9a-fA-F]{32,128})\b", text)
    if not m:
        raise DownloadError(
            f"το αρχείο checksum {url} δεν έχει δεκαεξαδικό checksum: δώστε το με --sha256 ή --md5 / "
            f"the checksum file {url} holds no hex digest: give it with --sha256 or --md5"
        )
    return m.group(1).lower()


def download(
    url: str,
    dest: str | Path,
    *,
    sha256: str | None = None,
    md5: str | None = None,
    progress: ProgressFn | None = None,
    timeout: float = 30.0,
    chunk: int = 1 << 16,
) -> Downloaded:
    """Fetch ``url`` into ``dest`` (resuming ``dest.part``) and check its digest.

    At least one of ``sha256``/``md5`` is required: an extract that cannot be checked is
    not installed. Raises :class:`DownloadError` (the part file is kept) or
    :class:`ChecksumError` (it is deleted).
    """
    if not sha256 and not md5:
        raise ValueError(
            "λήψη: χρειάζεται checksum (--sha256, --md5 ή --checksum-url) / "
            "download: a checksum is required (sha256, md5 or a checksum URL)"
        )
    algorithm, expected = ("sha256", sha256) if sha256 else ("md5", md5)
    assert expected is not None
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    meta_path = dest.with_name(dest.name + ".part.json")
    dest.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    meta: dict[str, str] = {}
    if have and meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except ValueError:
            meta = {}
    if have and meta.get("url") != url:
        have = 0  # a part of another file
    request = urllib.request.Request(url, headers={"User-Agent": "kinito-roads/1"})
    if have:
        request.add_header("Range", f"bytes={have}-")
        validator = meta.get("etag") or meta.get("last_modified")
        if validator:
            request.add_header("If-Range", validator)
    resumed_from = 0
    try:
        try:
            resp = urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and have:  # nothing more to send: the part is whole
                resp = None
            else:
                raise DownloadError(
                    f"ο διακομιστής απάντησε HTTP {exc.code} για το {url} ({exc.reason}) / "
                    f"HTTP {exc.code} from {url}: {exc.reason}"
                ) from exc
        if resp is not None:
            with resp:
                if resp.status == 206 and have:
                    resumed_from = have
                    mode = "ab"
                    total_hdr = resp.headers.get("Content-Range", "").rpartition("/")[2]
                    total = int(total_hdr) if total_hdr.isdigit() else None
                else:
                    have, mode = 0, "wb"
                    length = resp.headers.get("Content-Length")
                    total = int(length) if length and length.isdigit() else None
                meta = {
                    "url": url,
                    "etag": resp.headers.get("ETag", ""),
                    "last_modified": resp.headers.get("Last-Modified", ""),
                }
                meta_path.write_text(json.dumps(meta), encoding="utf-8")
                done = have
                with open(part, mode) as out:
                    while True:
                        block = resp.read(chunk)
                        if not block:
                            break
                        out.write(block)
                        done += len(block)
                        if progress is not None:
                            progress(done, total)
                if total is not None and done < total:
                    raise DownloadError(
                        f"η σύνδεση έκλεισε μετά από {done} από {total} bytes· τρέξτε ξανά την εντολή για "
                        f"να συνεχιστεί / the connection closed after {done} of {total} bytes; run again "
                        "to resume"
                    )
    except (urllib.error.URLError, HTTPException, OSError) as exc:
        if isinstance(exc, DownloadError):
            raise
        raise DownloadError(
            f"η λήψη του {url} διακόπηκε ({exc})· τρέξτε ξανά την εντολή για να συνεχιστεί / "
            f"download of {url} interrupted ({exc}); run again to resume"
        ) from exc
    got = _hash_file(part, algorithm)
    if got != expected.lower():
        part.unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)
        raise ChecksumError(
            f"το {algorithm} του αρχείου που κατέβηκε είναι {got}, αναμενόταν {expected.lower()}: το αρχείο "
            f"διαγράφηκε (τρέξτε ξανά την εντολή) / {algorithm} of the downloaded file is {got}, expected "
            f"{expected.lower()}: the file was deleted (run the command again)"
        )
    size = part.stat().st_size
    os.replace(part, dest)
    meta_path.unlink(missing_ok=True)
    return Downloaded(dest, size, resumed_from, algorithm, got)
