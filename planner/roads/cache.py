"""The on-disk cache of road graphs and matrices.

Layout of the cache folder (default ``$KINITO_CACHE_DIR`` or ``~/.cache/kinito/roads``):

``digests.json``
    extract path, size and modification time -> SHA-256 of its bytes, so a large extract is
    hashed once, not on every plan;
``graph-<key>.npz``
    a built graph; ``key`` digests the extract's bytes, the speed profile, the bounding box
    and the graph format version;
``matrix-<key>.npz``
    a matrix; ``key`` digests the graph key, every location (id, lat, lon) and the snapping
    settings.

Files are written to a temporary name and renamed, so a crash never leaves half a file
that a later run would trust.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

GRAPH_FORMAT = 1


def default_cache_dir() -> Path:
    """``$KINITO_CACHE_DIR``, else ``$XDG_CACHE_HOME/kinito/roads``, else ``~/.cache/kinito/roads``."""
    env = os.environ.get("KINITO_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "kinito" / "roads"


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def digest(*parts: object) -> str:
    """A short key from JSON-able parts."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _box(value: object) -> tuple[float, float, float, float] | None:
    if isinstance(value, list) and len(value) == 4:
        return (float(value[0]), float(value[1]), float(value[2]), float(value[3]))
    return None


class RoadCache:
    """Graphs and matrices saved as ``.npz`` in one folder."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()

    def extract_digest(self, path: str | Path) -> str:
        """SHA-256 of the extract, remembered per (path, size, mtime) in ``digests.json``."""
        p = Path(path).resolve()
        st = p.stat()
        stamp = f"{p}|{st.st_size}|{st.st_mtime_ns}"
        index_path = self.folder / "digests.json"
        index: dict[str, str] = {}
        if index_path.is_file():
            try:
                loaded = json.loads(index_path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    index = {str(k): str(v) for k, v in loaded.items()}
            except (OSError, ValueError):
                index = {}
        if stamp in index:
            return index[stamp]
        sha = file_sha256(p)
        index = {k: v for k, v in index.items() if not k.startswith(f"{p}|")}
        index[stamp] = sha
        self._write_text(index_path, json.dumps(index, indent=1, sort_keys=True))
        return sha

    def remember_area(
        self,
        extract_sha: str,
        bbox: tuple[float, float, float, float] | None,
        extract: str | Path | None = None,
    ) -> None:
        """Remember the box the last ``kinito roads build`` of this extract used (None: all of it),
        by its contents and, given ``extract``, by its resolved path too (``path:<path>``)."""
        path = self.folder / "areas.json"
        areas = self._read_json(path)
        value = list(bbox) if bbox is not None else None
        areas[extract_sha] = value
        if extract is not None:
            areas[f"path:{Path(extract).resolve()}"] = value
        self._write_text(path, json.dumps(areas, indent=1, sort_keys=True))

    def remembered_area(self, extract_sha: str) -> tuple[float, float, float, float] | None:
        """The box remembered for this extract, or None (all of it, or never built with a box)."""
        return _box(self._read_json(self.folder / "areas.json").get(extract_sha))

    def area_for(
        self, extract_sha: str, extract: str | Path
    ) -> tuple[tuple[float, float, float, float] | None, str]:
        """The box of the last build of these contents, else of this file (its path) when
        its contents changed since; and which: ``"digest"``, ``"path"`` or ``""`` (none)."""
        areas = self._read_json(self.folder / "areas.json")
        if extract_sha in areas:
            return _box(areas[extract_sha]), "digest"
        key = f"path:{Path(extract).resolve()}"
        if key in areas:
            return _box(areas[key]), "path"
        return None, ""

    def _read_json(self, path: Path) -> dict[str, Any]:
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def path(self, kind: str, key: str) -> Path:
        """Where an entry of ``kind`` ("graph" or "matrix") with ``key`` is kept."""
        return self.folder / f"{kind}-{key}.npz"

    def load(self, kind: str, key: str) -> dict[str, np.ndarray] | None:
        """The arrays of an entry, or ``None`` when it is not cached (or unreadable)."""
        p = self.path(kind, key)
        if not p.is_file():
            return None
        try:
            with open(p, "rb") as fh, np.load(fh, allow_pickle=False) as data:  # (closed however it fails)
                return {name: data[name] for name in data.files}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error):
            # damaged (a full disk, a copy cut short): as if missing, and removed so that the
            # entry computed again replaces it
            with contextlib.suppress(OSError):
                p.unlink()
            return None

    def save(self, kind: str, key: str, arrays: dict[str, Any]) -> Path:
        """Store an entry atomically; returns its path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.path(kind, key)
        tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, final)
        return final

    def _write_text(self, path: Path, text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
