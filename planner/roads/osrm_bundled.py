"""The OSRM engine bundled in the ``osrm-bindings`` package, behind the same travel interface.

:class:`BundledOsrmTravel` is :class:`~planner.roads.osrm.OsrmTravel` without a server: it
prepares OSRM's data files from an OpenStreetMap extract with the executables shipped in
the package (``osrm-extract`` with OSRM's own car profile, then ``osrm-partition`` and
``osrm-customize`` for the MLD algorithm, or ``osrm-contract`` for CH), keeps them in the
roads cache folder (``osrm-<key>/``, reused when present), and answers the ``table`` and
``route`` services in process. ``matrix()``, ``road_matrix()``, ``leg()`` and ``shapes()``
are OsrmTravel's: the same ``null`` -> :class:`~planner.roads.travel.UnreachableError`,
stop overhead and speed factor.

``osrm-bindings`` ships wheels for Python >= 3.12 only (``pip install 'kinito[osrm]'``).
This module imports on any Python; the ``osrm`` package is imported on first use, and
:class:`BundledOsrmUnavailable` says plainly (Greek first) when Python is older or the
package is missing. :func:`find_osrm_python` finds a Python >= 3.12 that has it, and
:func:`matrix_in` runs the matrix there (``python3.12 -m planner.roads.osrm_bundled``,
JSON in and out), which is how a Python 3.11 process (the tests, the benchmark) uses it.

Not the same model as :class:`~planner.roads.travel.RoadTravel`: OSRM's car profile has
no winding-road slow-down, adds turn and traffic-signal penalties, models turn
restrictions, and does not add the metres from a place to its road (docs/roads.md).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from planner.model import Location
from planner.roads.cache import RoadCache, digest
from planner.roads.network import StageFn
from planner.roads.osrm import OsrmTravel, RoutingServerError

MIN_PYTHON = (3, 12)
PREPARED_FORMAT = 1
Algorithm = Literal["MLD", "CH"]
STEPS: dict[str, tuple[str, ...]] = {"MLD": ("partition", "customize"), "CH": ("contract",)}


class BundledOsrmUnavailable(RuntimeError):
    """The bundled OSRM cannot run here: Python < 3.12, or osrm-bindings not installed."""


def load_osrm() -> ModuleType:
    """The ``osrm`` module of osrm-bindings, or :class:`BundledOsrmUnavailable` saying why."""
    version = tuple(sys.version_info[:2])
    if version < MIN_PYTHON:
        found = find_osrm_python()[0]
        hint = (
            f" Βρέθηκε / found: {found} (python -m planner.roads.osrm_bundled)"
            if found
            else " (make install-osrm)"
        )
        raise BundledOsrmUnavailable(
            f"το ενσωματωμένο OSRM (osrm-bindings) θέλει Python >= 3.12, αυτή είναι η "
            f"{version[0]}.{version[1]} / the bundled OSRM (osrm-bindings) needs Python >= 3.12, "
            f"this is {version[0]}.{version[1]}.{hint}"
        )
    try:
        import osrm
    except ImportError as exc:
        raise BundledOsrmUnavailable(
            "το πακέτο osrm-bindings δεν είναι εγκατεστημένο / the osrm-bindings package is not "
            f"installed: pip install 'kinito[osrm]' ({exc})"
        ) from exc
    module: ModuleType = osrm
    return module


def osrm_version() -> str:
    """The installed osrm-bindings version (that of the bundled OSRM), or "" when absent."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("osrm-bindings")
    except PackageNotFoundError:
        return ""


def bundled_profile(name: str = "car") -> Path:
    """A routing profile shipped with osrm-bindings (``car`` is OSRM's car profile)."""
    osrm = load_osrm()
    path = Path(str(osrm.__file__)).parent / "share" / "profiles" / f"{name}.lua"
    if not path.is_file():
        raise BundledOsrmUnavailable(f"osrm-bindings χωρίς προφίλ / without the profile {path}")
    return path


def _plain(value: Any, osrm: ModuleType) -> Any:
    """OSRM's answer (osrm.Object / osrm.Array) as plain dicts, lists, numbers, None."""
    if isinstance(value, osrm.Object):
        return {str(k): _plain(value[k], osrm) for k in value}
    if isinstance(value, osrm.Array):
        return [_plain(v, osrm) for v in value]
    return value


class BundledOsrmTravel(OsrmTravel):
    """Travel times from the OSRM bundled in osrm-bindings, on ``extract`` (see the module doc)."""

    def __init__(
        self,
        extract: str | Path,
        cache: RoadCache | None = None,
        algorithm: Algorithm = "MLD",
        profile_lua: str | Path | None = None,
        stop_overhead: int = 120,
        threads: int = 2,
        progress: StageFn | None = None,
        name: str = "osrm-bindings",
    ) -> None:
        if algorithm not in STEPS:
            raise ValueError(f'osrm algorithm must be "MLD" or "CH", got {algorithm!r}')
        if stop_overhead < 0:
            raise ValueError("osrm stop_overhead must be >= 0")
        self.extract = Path(extract)
        super().__init__(f"osrm-bindings:{self.extract.name}", stop_overhead=stop_overhead, name=name)
        self.cache = cache if cache is not None else RoadCache()
        self.algorithm: Algorithm = algorithm
        self.profile_lua = Path(profile_lua) if profile_lua is not None else None
        self.threads = max(1, threads)
        self.progress = progress
        self.prepare_seconds = 0.0
        self.prepared_from_cache = False
        self._base: Path | None = None
        self._engine: Any = None
        self._osrm: ModuleType | None = None

    def __getstate__(self) -> dict[str, object]:
        """Pickled for the solver's worker processes: the matrices at hand, not the engine."""
        state = dict(self.__dict__)
        state["_engine"] = None
        state["_osrm"] = None
        state["progress"] = None
        return state

    def _stage(self, stage: str, fraction: float, note: str = "") -> None:
        if self.progress is not None:
            self.progress(stage, fraction, note)

    def data_key(self) -> str:
        """The cache key of the prepared files: extract bytes, profile, algorithm, OSRM version."""
        profile = self.profile_lua or bundled_profile()
        return digest(
            "osrm-bindings",
            PREPARED_FORMAT,
            osrm_version(),
            self.cache.extract_digest(self.extract),
            self.cache.extract_digest(profile),  # its lib/*.lua: those of this OSRM version
            self.algorithm,
        )

    def prepare(self) -> Path:
        """OSRM's files for the extract (the ``.osrm`` base path), prepared once into the cache."""
        if self._base is not None:
            return self._base
        load_osrm()
        t0 = time.perf_counter()
        folder = self.cache.folder / f"osrm-{self.data_key()}"
        base = folder / "extract.osrm"
        if (folder / "prepared.json").is_file():
            self._base, self.prepared_from_cache = base, True
            self.prepare_seconds = time.perf_counter() - t0
            return base
        self.cache.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.cache.folder / f"tmp-{folder.name}-{os.getpid()}"  # no dot: OSRM cuts at dots
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            profile = self.profile_lua or bundled_profile()
            tmp_base = tmp / "extract.osrm"
            steps: list[tuple[str, list[str]]] = [
                ("extract", ["-p", str(profile), "-o", str(tmp / "extract"), str(self.extract.resolve())]),
                *((step, [str(tmp_base)]) for step in STEPS[self.algorithm]),
            ]
            for k, (step, args) in enumerate(steps):
                self._stage("osrm", k / len(steps), f"osrm-{step}")
                self._run(step, [*args, "-t", str(self.threads)])
            info = {"osrm_bindings": osrm_version(), "algorithm": self.algorithm, "profile": str(profile)}
            (tmp / "prepared.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
            try:
                os.replace(tmp, folder)
            except OSError:  # another process prepared it meanwhile: use theirs
                if not (folder / "prepared.json").is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self._stage("osrm", 1.0, "")
        self._base, self.prepared_from_cache = base, False
        self.prepare_seconds = time.perf_counter() - t0
        return base

    def _run(self, step: str, args: list[str]) -> None:
        cmd = [sys.executable, "-m", "osrm", step, *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-5:])
            raise RoutingServerError(
                f"osrm-{step}: απέτυχε / failed ({proc.returncode}) στο / on {self.extract}:\n{tail}"
            )

    def engine(self) -> Any:
        """The OSRM engine on the prepared files (loaded once)."""
        if self._engine is None:
            base = self.prepare()
            self._osrm = load_osrm()
            self._engine = self._osrm.OSRM(
                storage_config=str(base), algorithm=self.algorithm, use_shared_memory=False
            )
        return self._engine

    def _get(self, service: str, locations: Sequence[Location], query: dict[str, str]) -> dict[str, Any]:
        """OSRM's answer to ``table`` or ``route``, as the HTTP API's JSON would give it."""
        engine = self.engine()
        osrm = self._osrm
        assert osrm is not None
        coords = [(loc.lon, loc.lat) for loc in locations]
        try:
            if service == "table":
                answer = engine.Table(
                    osrm.TableParameters(coordinates=coords, annotations=["duration", "distance"])
                )
            elif service == "route":
                answer = engine.Route(
                    osrm.RouteParameters(
                        coordinates=coords,
                        overview=query.get("overview", "full"),
                        geometries=query.get("geometries", "geojson"),
                    )
                )
            else:
                raise RoutingServerError(f"OSRM: unknown service {service}")
        except RuntimeError as exc:  # "NoRoute - Impossible route between points", ...
            raise RoutingServerError(f"OSRM {service}: {exc}") from exc
        body: dict[str, Any] = _plain(answer, osrm)
        if body.get("code") != "Ok":
            raise RoutingServerError(f"OSRM {service}: {body.get('code')}: {body.get('message', '')}")
        return body

    def table(self, locations: Sequence[Location]) -> dict[str, Any]:
        """The whole ``table`` answer (durations, distances, and where each place was snapped)."""
        return self._get("table", locations, {})


# --- running it from another Python (3.11 processes use a Python >= 3.12) --------------------


def _candidates() -> list[str]:
    out: list[str] = []
    env = os.environ.get("KINITO_PY312")
    if env:
        out.append(env)
    if tuple(sys.version_info[:2]) >= MIN_PYTHON:
        out.append(sys.executable)
    for name in ("python3.12", "python3.13", "python3.14"):
        found = shutil.which(name)
        if found:
            out.append(found)
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    for pattern in ("3.12*/bin/python3.12", "3.13*/bin/python3.13", "3.14*/bin/python3.14"):
        out.extend(sorted(glob.glob(os.path.join(root, "versions", pattern))))
    out.extend(sorted(glob.glob("/root/.pyenv/versions/3.12*/bin/python3.12")))
    seen: list[str] = []
    for c in out:
        if c not in seen:
            seen.append(c)
    return seen


_PROBE = (
    "import sys, json\n"
    "out = {'version': list(sys.version_info[:2])}\n"
    "try:\n"
    "    import osrm  # noqa\n"
    "    from importlib.metadata import version\n"
    "    out['osrm_bindings'] = version('osrm-bindings')\n"
    "except Exception as exc:\n"
    "    out['error'] = f'{type(exc).__name__}: {exc}'\n"
    "print(json.dumps(out))\n"
)


def find_osrm_python() -> tuple[str | None, str]:
    """A Python >= 3.12 with osrm-bindings, and what was found (the reason when there is none).

    Looked for in order: ``$KINITO_PY312``, this interpreter, ``python3.12`` (3.13, 3.14) on
    the PATH, pyenv's versions (``$PYENV_ROOT`` or ``~/.pyenv``, and ``/root/.pyenv``).
    """
    notes: list[str] = []
    for python in _candidates():
        try:
            proc = subprocess.run(
                [python, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
            )
            info = json.loads(proc.stdout.strip().splitlines()[-1])
        except (OSError, ValueError, IndexError, subprocess.TimeoutExpired) as exc:
            notes.append(f"{python}: {exc}")
            continue
        major, minor = info["version"]
        if (major, minor) < MIN_PYTHON:
            notes.append(f"{python}: Python {major}.{minor}")
        elif "error" in info:
            notes.append(f"{python}: Python {major}.{minor} χωρίς / without osrm-bindings ({info['error']})")
        else:
            return python, f"{python}: Python {major}.{minor}, osrm-bindings {info['osrm_bindings']}"
    if not notes:
        return None, "καμία Python >= 3.12 / no Python >= 3.12 found (KINITO_PY312, PATH, pyenv)"
    return None, "; ".join(notes)


def matrix_in(
    python: str,
    extract: str | Path,
    places: Sequence[Location],
    cache_dir: str | Path,
    algorithm: Algorithm = "MLD",
    timeout: float = 600,
) -> dict[str, Any]:
    """The bundled OSRM's table for ``places``, computed by ``python`` (see :func:`main`)."""
    root = Path(__file__).resolve().parents[2]
    request = {
        "extract": str(Path(extract).resolve()),
        "cache": str(Path(cache_dir).resolve()),
        "algorithm": algorithm,
        "places": [[p.id, p.lat, p.lon] for p in places],
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [python, "-m", "planner.roads.osrm_bundled"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=root,
        check=False,
    )
    if proc.returncode != 0:
        raise RoutingServerError(
            f"{python} -m planner.roads.osrm_bundled: {proc.returncode}\n{proc.stderr.strip()[-2000:]}"
        )
    lines = proc.stdout.strip().splitlines()  # the answer is the last line
    answer: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return answer


def main(argv: Sequence[str] | None = None) -> int:
    """JSON in (stdin: extract, cache, algorithm, places [[id, lat, lon]...]), JSON out (stdout).

    Out: ``durations`` and ``distances`` (driving seconds and metres as OSRM gives them,
    ``null`` where there is no route), ``snap_m`` (metres from each place to where OSRM
    joined the road), ``prepare_s``, ``prepared_from_cache``, ``load_s``, ``query_s``,
    ``osrm_bindings``, ``python``.
    """
    parser = argparse.ArgumentParser(
        prog="python3.12 -m planner.roads.osrm_bundled",
        description="Ο πίνακας του ενσωματωμένου OSRM / the bundled OSRM's table (JSON in/out)",
    )
    parser.parse_args(argv)
    request = json.load(sys.stdin)
    places = [Location(str(i), float(la), float(lo)) for i, la, lo in request["places"]]
    travel = BundledOsrmTravel(
        request["extract"], RoadCache(request["cache"]), algorithm=request.get("algorithm", "MLD")
    )
    try:
        travel.prepare()
        t0 = time.perf_counter()
        travel.engine()
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        body = travel.table(places)
        query_s = time.perf_counter() - t0
    except (BundledOsrmUnavailable, RoutingServerError) as exc:
        print(exc, file=sys.stderr)
        return 2
    out = {
        "ids": [p.id for p in places],
        "durations": body["durations"],
        "distances": body["distances"],
        "snap_m": [s.get("distance") for s in body["sources"]],
        "prepare_s": travel.prepare_seconds,
        "prepared_from_cache": travel.prepared_from_cache,
        "load_s": load_s,
        "query_s": query_s,
        "osrm_bindings": osrm_version(),
        "python": sys.version.split()[0],
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
