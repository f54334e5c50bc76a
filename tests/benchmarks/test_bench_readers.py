"""Tests for benchmarks.readers on the bundled public instance files."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks import INSTANCES_DIR
from benchmarks.readers import (
    decode_pattern,
    dimacs_distance,
    dimacs_tenths,
    encode_pattern,
    euclid,
    read_bks,
    read_cordeau,
    read_cordeau_solution,
    read_solomon,
    read_solomon_plain,
)

SOLOMON_DIR = INSTANCES_DIR / "solomon"
PVRP_DIR = INSTANCES_DIR / "pvrp"
SOLOMON_FILES = sorted(SOLOMON_DIR.glob("*.txt"))
CORDEAU_FILES = sorted(PVRP_DIR.glob("*.txt"))


def test_bundle_holds_the_expected_files() -> None:
    """The bundle has the 14 Solomon files, p01-p10, pr01-pr03 and a .res per PVRP file."""
    assert len(SOLOMON_FILES) == 14
    assert [p.stem for p in CORDEAU_FILES] == [f"p{i:02d}" for i in range(1, 11)] + [
        "pr01",
        "pr02",
        "pr03",
    ]
    for path in CORDEAU_FILES:
        assert (PVRP_DIR / "solutions" / f"{path.stem}.res").is_file()


# ---------------------------------------------------------------- Solomon


def test_c101_header_has_25_vehicles_of_capacity_200() -> None:
    """C101 is read with its name, fleet of 25, capacity 200 and 101 nodes."""
    inst = read_solomon(SOLOMON_DIR / "C101.txt")
    assert inst.name == "C101"
    assert inst.vehicles == 25
    assert inst.capacity == 200
    assert inst.num_customers == 100
    assert len(inst.coords) == len(inst.demand) == len(inst.ready) == 101
    assert len(inst.due) == len(inst.service) == 101


def test_c101_depot_is_node_0_with_the_horizon_as_due_time() -> None:
    """The C101 depot sits at (40, 50) with no demand or service and window [0, 1236]."""
    inst = read_solomon(SOLOMON_DIR / "C101.txt")
    assert inst.coords[0] == (40.0, 50.0)
    assert (inst.demand[0], inst.ready[0], inst.due[0], inst.service[0]) == (0, 0, 1236, 0)


def test_c101_customer_rows_give_window_demand_and_service() -> None:
    """C101 customers 1 and 100 carry the coordinates, demand, window and service of their rows."""
    inst = read_solomon(SOLOMON_DIR / "C101.txt")
    assert inst.coords[1] == (45.0, 68.0)
    assert (inst.demand[1], inst.ready[1], inst.due[1], inst.service[1]) == (10, 912, 967, 90)
    assert inst.coords[100] == (55.0, 85.0)
    assert (inst.demand[100], inst.ready[100], inst.due[100], inst.service[100]) == (
        20,
        647,
        726,
        90,
    )


def test_solomon_values_are_plain_python_numbers() -> None:
    """The vrplib numpy arrays are converted to plain int and float values."""
    inst = read_solomon(SOLOMON_DIR / "R101.txt")
    assert type(inst.vehicles) is int and type(inst.capacity) is int
    assert all(type(v) is int for v in inst.demand + inst.ready + inst.due + inst.service)
    assert all(type(x) is float and type(y) is float for x, y in inst.coords)


@pytest.mark.parametrize("path", SOLOMON_FILES, ids=lambda p: p.stem)
def test_vrplib_reader_agrees_with_the_plain_parser(path: Path) -> None:
    """vrplib and the independent plain-text parser read every Solomon file identically."""
    inst = read_solomon(path)
    assert inst == read_solomon_plain(path)
    assert inst.name == path.stem
    assert inst.vehicles == 25
    assert inst.num_customers == 100


# ---------------------------------------------------------------- Cordeau


def test_p01_header_days_and_capacities() -> None:
    """p01 is type 1 with 3 vehicles a day, 51 customers, 2 days, no duration limit, Q=160."""
    inst = read_cordeau(PVRP_DIR / "p01.txt")
    assert (inst.name, inst.type, inst.m, inst.n, inst.t) == ("p01", 1, 3, 51, 2)
    assert inst.max_duration == [0.0, 0.0]
    assert inst.capacity == [160, 160]
    assert len(inst.coords) == len(inst.patterns) == 52


def test_p01_depot_and_customer_1_are_decoded() -> None:
    """p01 node 0 is a pattern-less depot; customer 1 may be visited on either day."""
    inst = read_cordeau(PVRP_DIR / "p01.txt")
    assert inst.coords[0] == (30.0, 40.0)
    assert (inst.demand[0], inst.frequency[0], inst.patterns[0]) == (0, 0, [])
    assert inst.coords[1] == (37.0, 52.0)
    assert (inst.service[1], inst.demand[1], inst.frequency[1]) == (0.0, 7, 1)
    # "1 2 1 2": two patterns, 1 = 01 = day 2 and 2 = 10 = day 1.
    assert inst.patterns[1] == [(1,), (0,)]


def test_p01_customer_51_is_a_full_load_dummy_on_day_1() -> None:
    """p01 customer 51 sits on the depot, demands a whole vehicle and must be served on day 1."""
    inst = read_cordeau(PVRP_DIR / "p01.txt")
    assert inst.coords[51] == inst.coords[0]
    assert inst.demand[51] == inst.capacity[0] == 160
    assert inst.patterns[51] == [(0,)]


def test_p05_two_visit_patterns_are_decoded_left_to_right() -> None:
    """p05 customer 1's patterns 5, 10, 20 decode to days {3,5}, {2,4}, {1,3} (0-based)."""
    inst = read_cordeau(PVRP_DIR / "p05.txt")
    assert inst.frequency[1] == 2
    assert inst.patterns[1] == [(2, 4), (1, 3), (0, 2)]


def test_p10_three_visit_patterns_have_three_days() -> None:
    """p10's three-visit customers have the three 5-day patterns 11, 21 and 26."""
    inst = read_cordeau(PVRP_DIR / "p10.txt")
    triple = [i for i in range(1, inst.n + 1) if inst.frequency[i] == 3]
    assert triple
    for customer in triple:
        assert inst.patterns[customer] == [(1, 3, 4), (0, 2, 4), (0, 1, 3)]


def test_p06_ten_day_patterns_cover_every_single_day() -> None:
    """p06 has t=10 and each customer may take any one of the ten days (512 = day 1)."""
    inst = read_cordeau(PVRP_DIR / "p06.txt")
    assert (inst.m, inst.n, inst.t) == (1, 75, 10)
    assert inst.patterns[1] == [(9,), (8,), (7,), (6,), (5,), (4,), (3,), (2,), (1,), (0,)]


def test_pr01_header_duration_limit_and_real_coordinates() -> None:
    """pr01 has 2 vehicles a day over 4 days with D=500, Q=200 and decimal coordinates."""
    inst = read_cordeau(PVRP_DIR / "pr01.txt")
    assert (inst.type, inst.m, inst.n, inst.t) == (1, 2, 48, 4)
    assert inst.max_duration == [500.0] * 4
    assert inst.capacity == [200] * 4
    assert inst.coords[0] == (-10.442, 19.999)
    assert inst.coords[1] == (-29.730, 64.136)
    assert (inst.service[1], inst.demand[1], inst.frequency[1]) == (2.0, 12, 4)
    # pattern 15 = 1111: every day
    assert inst.patterns[1] == [(0, 1, 2, 3)]


@pytest.mark.parametrize("path", CORDEAU_FILES, ids=lambda p: p.stem)
def test_every_cordeau_file_reads_with_patterns_matching_frequency(path: Path) -> None:
    """Every PVRP file yields n+1 nodes, a pattern-less depot and f-day patterns for customers."""
    inst = read_cordeau(path)
    assert len(inst.coords) == len(inst.demand) == len(inst.service) == inst.n + 1
    assert len(inst.max_duration) == len(inst.capacity) == inst.t
    assert inst.patterns[0] == []
    for customer in range(1, inst.n + 1):
        assert inst.patterns[customer], f"customer {customer} has no pattern"
        for days in inst.patterns[customer]:
            assert len(days) == inst.frequency[customer]
            assert all(0 <= day < inst.t for day in days)


def test_cordeau_values_wrapped_across_lines_read_the_same(tmp_path: Path) -> None:
    """A PVRP file whose tokens are re-wrapped three per line parses to the same instance."""
    original = PVRP_DIR / "p05.txt"
    tokens = original.read_text(encoding="utf-8").split()
    wrapped = tmp_path / "p05.txt"
    wrapped.write_text(
        "\n".join(" ".join(tokens[i : i + 3]) for i in range(0, len(tokens), 3)) + "\n",
        encoding="utf-8",
    )
    assert read_cordeau(wrapped) == read_cordeau(original)


def test_cordeau_file_cut_short_is_rejected(tmp_path: Path) -> None:
    """A PVRP file missing its last node raises ValueError."""
    lines = (PVRP_DIR / "p03.txt").read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.txt"
    short.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="file ends"):
        read_cordeau(short)


def test_pattern_10_over_5_days_is_days_2_and_4() -> None:
    """The README example: t=5, 10 = 01010 = days 2 and 4, i.e. indices (1, 3)."""
    assert decode_pattern(10, 5) == (1, 3)
    assert decode_pattern(1, 5) == (4,)
    assert decode_pattern(16, 5) == (0,)
    assert decode_pattern(31, 5) == (0, 1, 2, 3, 4)


@pytest.mark.parametrize("t", range(1, 11))
def test_pattern_encode_inverts_decode_for_every_value(t: int) -> None:
    """encode_pattern(decode_pattern(v, t), t) == v for every v < 2**t."""
    for value in range(2**t):
        assert encode_pattern(decode_pattern(value, t), t) == value


def test_pattern_too_large_for_the_horizon_is_rejected() -> None:
    """A pattern needing more than t bits raises ValueError."""
    with pytest.raises(ValueError):
        decode_pattern(32, 5)


# ---------------------------------------------------------------- .res files


def test_p05_solution_routes_days_vehicles_and_empty_routes() -> None:
    """p05.res gives its cost, 0-based day/vehicle, printed duration/load and empty routes."""
    sol = read_cordeau_solution(PVRP_DIR / "solutions" / "p05.res")
    assert sol.cost == 2027.99
    assert len(sol.routes) == 30
    first = sol.routes[0]
    assert (first.day, first.vehicle, first.duration, first.load) == (0, 0, 81.57, 127.0)
    assert first.customers == [53, 11, 66, 14]
    empty = sol.routes[2]
    assert (empty.day, empty.vehicle, empty.customers) == (0, 2, [])
    last = sol.routes[-1]  # the file's last line has no newline
    assert (last.day, last.vehicle) == (4, 5)
    assert last.customers == [29, 5, 37, 20, 15, 57, 13, 54, 8]
    assert sol.day_routes()[0] == (0, [53, 11, 66, 14])


def test_p01_solution_lists_five_routes() -> None:
    """p01.res has cost 524.61 and five routes, two on day 1 and three on day 2."""
    sol = read_cordeau_solution(PVRP_DIR / "solutions" / "p01.res")
    assert sol.cost == 524.61
    assert [route.day for route in sol.routes] == [0, 0, 1, 1, 1]
    assert sol.routes[0].customers[:3] == [8, 26, 31]


# ---------------------------------------------------------------- BKS


def test_bks_table_maps_set_and_instance_to_vehicles_and_cost() -> None:
    """BKS.csv gives (vehicles, cost) per (set, instance); PVRP rows have no vehicle count."""
    bks = read_bks(INSTANCES_DIR / "BKS.csv")
    assert len(bks) == 2 * 14 + 13
    assert bks[("solomon-dimacs", "C101")] == (10, 827.3)
    assert bks[("solomon-hier", "C101")] == (10, 828.94)
    assert bks[("solomon-hier", "R101")] == (19, 1650.80)
    assert bks[("pvrp", "p01")] == (None, 524.61)
    assert bks[("pvrp", "pr03")] == (None, 5153.54)


def test_every_bundled_instance_has_bks_rows() -> None:
    """Each Solomon file has a dimacs and a hier BKS row, each PVRP file a pvrp row."""
    bks = read_bks(INSTANCES_DIR / "BKS.csv")
    for path in SOLOMON_FILES:
        assert ("solomon-dimacs", path.stem) in bks
        assert ("solomon-hier", path.stem) in bks
    for path in CORDEAU_FILES:
        assert ("pvrp", path.stem) in bks


# ---------------------------------------------------------------- distances


def test_euclid_is_unrounded() -> None:
    """euclid returns the exact Euclidean distance."""
    assert euclid((0.0, 0.0), (3.0, 4.0)) == 5.0
    assert euclid((0.0, 0.0), (1.0, 1.0)) == math.sqrt(2.0)


def test_dimacs_distance_truncates_to_one_decimal() -> None:
    """dimacs_distance truncates (never rounds up) to one decimal."""
    assert dimacs_distance((0.0, 0.0), (1.0, 1.0)) == 1.4
    assert dimacs_distance((0.0, 0.0), (3.0, 4.0)) == 5.0
    assert dimacs_distance((0.0, 0.0), (2.0, 3.0)) == 3.6  # sqrt(13) = 3.6056
    assert dimacs_distance((40.0, 50.0), (45.0, 68.0)) == 18.6  # C101 depot -> 1: 18.682
    assert dimacs_tenths((40.0, 50.0), (45.0, 68.0)) == 186


def _c101_with(tmp_path: Path, edit: Callable[[list[str]], None]) -> Path:
    """A copy of C101 with its lines changed by ``edit``."""
    lines = (SOLOMON_DIR / "C101.txt").read_text(encoding="utf-8").splitlines()
    edit(lines)
    path = tmp_path / "C101.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _customer_line(lines: list[str], node: int) -> int:
    """The index of node ``node``'s row."""
    return next(
        k for k, line in enumerate(lines) if line.split()[:1] == [str(node)] and len(line.split()) == 7
    )


def test_decimal_coordinate_is_refused_not_read_as_minus_one(tmp_path: Path) -> None:
    """vrplib turned 45.7 into -1 silently; the engine and the checker then agreed on a
    corrupted instance and called the answer feasible."""

    def edit(lines: list[str]) -> None:
        k = _customer_line(lines, 1)
        lines[k] = lines[k].replace(" 45 ", " 45.7 ", 1)

    with pytest.raises(ValueError, match=r"node 1 coords .*45\.7"):
        read_solomon(_c101_with(tmp_path, edit))


def test_rows_out_of_order_are_refused(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> None:
        a, b = _customer_line(lines, 1), _customer_line(lines, 2)
        lines[a], lines[b] = lines[b], lines[a]

    with pytest.raises(ValueError, match="not numbered"):
        read_solomon(_c101_with(tmp_path, edit))


def test_decimal_demand_is_refused(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> None:
        k = _customer_line(lines, 1)
        tokens = lines[k].split()
        tokens[3] = "10.5"
        lines[k] = "  ".join(tokens)

    with pytest.raises(ValueError, match="demand"):
        read_solomon(_c101_with(tmp_path, edit))
