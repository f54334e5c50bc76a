"""Readers for the public benchmark files in ``benchmarks/instances``.

Pure Python apart from ``vrplib`` (used for Solomon files); no OR-Tools and
nothing from ``planner``.  Node indices follow the files: node 0 is the depot
and customers are ``1..n``.  Days of the periodic VRP are 0-based here
(the files number them from 1).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vrplib

Point = tuple[float, float]
"""An ``(x, y)`` coordinate pair."""

PathLike = str | os.PathLike[str]
"""Anything :func:`open` accepts as a file name."""

_TENTHS_EPS = 1e-9


# --------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------


def euclid(a: Point, b: Point) -> float:
    """Return the unrounded Euclidean distance between points ``a`` and ``b``."""
    return math.hypot(a[0] - b[0], a[1] - b[1])


def dimacs_tenths(a: Point, b: Point) -> int:
    """Return the DIMACS-truncated distance in integer tenths: ``floor(10*d)``.

    A ``1e-9`` guard absorbs floating-point noise just below an integer; for
    integer coordinates (all Solomon files) it never changes the result.
    """
    return math.floor(10.0 * euclid(a, b) + _TENTHS_EPS)


def dimacs_distance(a: Point, b: Point) -> float:
    """Return the DIMACS 2021 VRPTW distance ``floor(10*euclid(a, b))/10``."""
    return dimacs_tenths(a, b) / 10.0


# --------------------------------------------------------------------------
# Solomon VRPTW
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SolomonInstance:
    """A Solomon (1987) VRPTW instance; every list is indexed by node (0 = depot).

    ``ready``/``due`` bound the *start* of service; the depot's ``due`` is the
    planning horizon.  ``vehicles`` is the maximum fleet size.
    """

    name: str
    vehicles: int
    capacity: int
    coords: list[Point]
    demand: list[int]
    ready: list[int]
    due: list[int]
    service: list[int]

    @property
    def num_customers(self) -> int:
        """Number of customers (nodes other than the depot)."""
        return len(self.coords) - 1


def _as_int(value: Any, what: str) -> int:
    """Convert a number (Python or numpy scalar, or a numeric string) to ``int``.

    Raises :class:`ValueError` when the value is not integral.
    """
    number = float(value)
    if not number.is_integer():
        raise ValueError(f"{what}: expected an integer, got {value!r}")
    return int(number)


def _check_solomon(inst: SolomonInstance) -> SolomonInstance:
    """Validate the shape of a freshly read Solomon instance and return it."""
    size = len(inst.coords)
    lists = (inst.demand, inst.ready, inst.due, inst.service)
    if size < 1 or any(len(values) != size for values in lists):
        raise ValueError(f"{inst.name}: node lists have inconsistent lengths")
    if inst.vehicles < 1 or inst.capacity < 0:
        raise ValueError(f"{inst.name}: bad vehicle number or capacity")
    return inst


def read_solomon(path: PathLike) -> SolomonInstance:
    """Read a Solomon VRPTW file with ``vrplib`` and return a :class:`SolomonInstance`.

    ``vrplib.read_instance(path, instance_format="solomon")`` returns a dict
    with ``name`` (str), ``vehicles`` and ``capacity`` (int), and numpy arrays
    ``node_coord`` (n+1, 2), ``demand`` (n+1,), ``time_window`` (n+1, 2) and
    ``service_time`` (n+1,); the arrays are converted to plain Python lists.
    :func:`read_solomon_plain` is an independent parser; the file is refused unless
    both read the same (:func:`_same_reading`).
    """
    data = vrplib.read_instance(path, instance_format="solomon", compute_edge_weights=False)
    name = str(data["name"])
    coords = [(float(x), float(y)) for x, y in data["node_coord"].tolist()]
    windows = data["time_window"].tolist()
    inst = _check_solomon(
        SolomonInstance(
            name=name,
            vehicles=_as_int(data["vehicles"], f"{name} vehicles"),
            capacity=_as_int(data["capacity"], f"{name} capacity"),
            coords=coords,
            demand=[_as_int(q, f"{name} demand") for q in data["demand"].tolist()],
            ready=[_as_int(a, f"{name} ready time") for a, _ in windows],
            due=[_as_int(b, f"{name} due time") for _, b in windows],
            service=[_as_int(s, f"{name} service time") for s in data["service_time"].tolist()],
        )
    )
    _same_reading(inst, read_solomon_plain(path))
    return inst


def _same_reading(inst: SolomonInstance, plain: SolomonInstance) -> None:
    """Refuse a file the two readers read differently.

    ``vrplib`` reads the node rows as integers, and a value it cannot convert (a decimal
    coordinate, a stray character) becomes -1 without a word; it also ignores the id column.
    The engine and the checker would both work on that corrupted instance and call the
    answer feasible, so the plain reader (which checks the ids) must agree field by field."""
    for field_name in ("vehicles", "capacity", "coords", "demand", "ready", "due", "service"):
        ours, theirs = getattr(inst, field_name), getattr(plain, field_name)
        if ours == theirs:
            continue
        if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
            node = next(k for k, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b)
            raise ValueError(
                f"{inst.name}: node {node} {field_name} is read as {ours[node]!r} by vrplib but "
                f"the file says {theirs[node]!r} (Solomon files hold whole numbers)"
            )
        raise ValueError(f"{inst.name}: {field_name} read differently by vrplib and the plain reader")


def read_solomon_plain(path: PathLike) -> SolomonInstance:
    """Read a Solomon VRPTW file without ``vrplib`` (a cross-check of :func:`read_solomon`).

    Layout: line 1 the name; the first line with exactly two numbers (line 5)
    holds ``vehicles capacity``; every later line with seven numbers is a node
    row ``id x y demand ready due service``, the depot (id 0) first.
    """
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    name = lines[0].strip()
    header: tuple[int, int] | None = None
    rows: list[list[str]] = []
    for line in lines[1:]:
        tokens = line.split()
        if not tokens or not all(_is_number(tok) for tok in tokens):
            continue
        if header is None and len(tokens) == 2:
            header = (_as_int(tokens[0], f"{name} vehicles"), _as_int(tokens[1], f"{name} capacity"))
        elif header is not None and len(tokens) == 7:
            rows.append(tokens)
        else:
            raise ValueError(f"{name}: unexpected line {line!r}")
    if header is None:
        raise ValueError(f"{name}: no 'vehicles capacity' line found")
    for expected, row in enumerate(rows):
        if _as_int(row[0], f"{name} node id") != expected:
            raise ValueError(f"{name}: node rows are not numbered 0, 1, 2, ... (row {row})")
    return _check_solomon(
        SolomonInstance(
            name=name,
            vehicles=header[0],
            capacity=header[1],
            coords=[(float(row[1]), float(row[2])) for row in rows],
            demand=[_as_int(row[3], f"{name} demand") for row in rows],
            ready=[_as_int(row[4], f"{name} ready time") for row in rows],
            due=[_as_int(row[5], f"{name} due time") for row in rows],
            service=[_as_int(row[6], f"{name} service time") for row in rows],
        )
    )


def _is_number(token: str) -> bool:
    """Return True when ``token`` parses as a float."""
    try:
        float(token)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------
# Cordeau periodic VRP
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CordeauInstance:
    """A Cordeau-format periodic VRP instance (type 1); lists are indexed by node (0 = depot).

    ``max_duration`` and ``capacity`` are per day (``max_duration`` 0 = no
    limit).  ``patterns[i]`` lists customer ``i``'s allowed visit patterns,
    each a sorted tuple of 0-based day indices; the depot has none.
    """

    name: str
    type: int
    m: int
    n: int
    t: int
    max_duration: list[float]
    capacity: list[int]
    coords: list[Point]
    service: list[float]
    demand: list[int]
    frequency: list[int]
    patterns: list[list[tuple[int, ...]]]


def decode_pattern(value: int, t: int) -> tuple[int, ...]:
    """Decode a Cordeau visit pattern into 0-based day indices.

    The decimal ``value`` is written as a ``t``-bit binary string read left to
    right as days 1..t, so for ``t=5`` the value 10 = ``01010`` means days 2 and
    4, returned as ``(1, 3)``.
    """
    if t < 1:
        raise ValueError(f"number of days must be positive, got {t}")
    if not 0 <= value < 2**t:
        raise ValueError(f"pattern {value} does not fit in {t} days")
    bits = format(value, f"0{t}b")
    return tuple(day for day, bit in enumerate(bits) if bit == "1")


def encode_pattern(days: Sequence[int], t: int) -> int:
    """Inverse of :func:`decode_pattern`: 0-based day indices to the decimal pattern."""
    value = 0
    for day in set(days):
        if not 0 <= day < t:
            raise ValueError(f"day index {day} outside 0..{t - 1}")
        value += 2 ** (t - 1 - day)
    return value


class _Tokens:
    """A whitespace token stream over a whole file (values may wrap lines)."""

    def __init__(self, text: str, source: str) -> None:
        self._tokens: Iterator[str] = iter(text.split())
        self._source = source

    def next(self, what: str) -> str:
        """Return the next token; ``what`` names it in the error raised at end of file."""
        try:
            return next(self._tokens)
        except StopIteration:
            raise ValueError(f"{self._source}: file ends before {what}") from None

    def next_int(self, what: str) -> int:
        """Return the next token as an integer."""
        return _as_int(self.next(what), f"{self._source} {what}")

    def next_float(self, what: str) -> float:
        """Return the next token as a float."""
        token = self.next(what)
        try:
            return float(token)
        except ValueError:
            raise ValueError(f"{self._source}: {what} is not a number: {token!r}") from None

    def rest(self) -> list[str]:
        """Return every token not consumed yet."""
        return list(self._tokens)


def read_cordeau(path: PathLike) -> CordeauInstance:
    """Read a Cordeau periodic-VRP file (type 1).

    Header ``type m n t``; then ``t`` pairs ``D Q`` (maximum route duration,
    0 = none; vehicle capacity); then for nodes 0..n the tokens
    ``i x y d q f a`` followed by ``a`` decimal patterns.  The file is read as a
    token stream, so values wrapped onto several lines are handled.  Every
    pattern must contain exactly ``f`` days.
    """
    name = Path(path).stem
    with open(path, encoding="utf-8") as handle:
        tokens = _Tokens(handle.read(), name)
    kind = tokens.next_int("problem type")
    m = tokens.next_int("vehicles per day m")
    n = tokens.next_int("customer count n")
    t = tokens.next_int("day count t")
    if m < 1 or n < 0 or t < 1:
        raise ValueError(f"{name}: bad header m={m} n={n} t={t}")
    max_duration: list[float] = []
    capacity: list[int] = []
    for day in range(t):
        max_duration.append(tokens.next_float(f"maximum duration of day {day + 1}"))
        capacity.append(tokens.next_int(f"capacity of day {day + 1}"))

    coords: list[Point] = []
    service: list[float] = []
    demand: list[int] = []
    frequency: list[int] = []
    patterns: list[list[tuple[int, ...]]] = []
    for node in range(n + 1):
        node_id = tokens.next_int(f"id of node {node}")
        if node_id != node:
            raise ValueError(f"{name}: expected node {node}, found node {node_id}")
        x = tokens.next_float(f"x of node {node}")
        y = tokens.next_float(f"y of node {node}")
        coords.append((x, y))
        service.append(tokens.next_float(f"service time of node {node}"))
        demand.append(tokens.next_int(f"demand of node {node}"))
        freq = tokens.next_int(f"frequency of node {node}")
        count = tokens.next_int(f"pattern count of node {node}")
        frequency.append(freq)
        node_patterns: list[tuple[int, ...]] = []
        for index in range(count):
            value = tokens.next_int(f"pattern {index + 1} of node {node}")
            days = decode_pattern(value, t)
            if len(days) != freq:
                raise ValueError(
                    f"{name}: node {node} pattern {value} has {len(days)} days, frequency is {freq}"
                )
            node_patterns.append(days)
        patterns.append(node_patterns)
    if patterns[0]:
        raise ValueError(f"{name}: the depot (node 0) must have no visit patterns")
    leftover = tokens.rest()
    if leftover:
        raise ValueError(f"{name}: unexpected data after node {n}: {' '.join(leftover[:10])}")
    return CordeauInstance(
        name=name,
        type=kind,
        m=m,
        n=n,
        t=t,
        max_duration=max_duration,
        capacity=capacity,
        coords=coords,
        service=service,
        demand=demand,
        frequency=frequency,
        patterns=patterns,
    )


@dataclass(frozen=True)
class CordeauRoute:
    """One route line of a ``.res`` file.

    ``day`` and ``vehicle`` are 0-based (the file counts from 1); ``duration``
    (distance + service time) and ``load`` are as printed; ``customers`` omits
    the depot zeros at both ends (an empty route has no customers).
    """

    day: int
    vehicle: int
    duration: float
    load: float
    customers: list[int]


@dataclass(frozen=True)
class CordeauSolution:
    """A Cordeau ``.res`` solution: the printed total cost and its routes."""

    cost: float
    routes: list[CordeauRoute]

    def day_routes(self) -> list[tuple[int, list[int]]]:
        """Return the routes as ``(day, customers)`` pairs, the input of ``check_cordeau``."""
        return [(route.day, list(route.customers)) for route in self.routes]


def read_cordeau_solution(path: PathLike) -> CordeauSolution:
    """Read a Cordeau ``.res`` solution file.

    Line 1 is the total cost; every further non-blank line is a route
    ``day vehicle duration load 0 c1 c2 ... 0`` (1-based day and vehicle).
    Empty routes appear as ``0 0``.
    """
    name = Path(path).name
    with open(path, encoding="utf-8") as handle:
        lines = [line.split() for line in handle.read().splitlines()]
    lines = [tokens for tokens in lines if tokens]
    if not lines or len(lines[0]) != 1:
        raise ValueError(f"{name}: line 1 must hold the total cost alone")
    cost = float(lines[0][0])
    routes: list[CordeauRoute] = []
    for tokens in lines[1:]:
        if len(tokens) < 5:
            raise ValueError(f"{name}: route line too short: {' '.join(tokens)}")
        day = _as_int(tokens[0], f"{name} day") - 1
        vehicle = _as_int(tokens[1], f"{name} vehicle") - 1
        nodes = [_as_int(tok, f"{name} node") for tok in tokens[4:]]
        if nodes[0] != 0 or (len(nodes) > 1 and nodes[-1] != 0):
            raise ValueError(f"{name}: route does not start and end at the depot: {' '.join(tokens)}")
        customers = nodes[1:-1] if len(nodes) > 1 else []
        if 0 in customers:
            raise ValueError(f"{name}: depot inside a route: {' '.join(tokens)}")
        routes.append(
            CordeauRoute(
                day=day,
                vehicle=vehicle,
                duration=float(tokens[2]),
                load=float(tokens[3]),
                customers=customers,
            )
        )
    return CordeauSolution(cost=cost, routes=routes)


# --------------------------------------------------------------------------
# Best-known solutions
# --------------------------------------------------------------------------


def read_bks(path: PathLike) -> dict[tuple[str, str], tuple[int | None, float]]:
    """Read ``BKS.csv`` (``set,instance,vehicles,cost,source``).

    Returns ``{(set, instance): (vehicles, cost)}``; ``vehicles`` is ``None``
    where the column is empty (the ``pvrp`` rows).
    """
    table: dict[tuple[str, str], tuple[int | None, float]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["set"].strip(), row["instance"].strip())
            if key in table:
                raise ValueError(f"BKS.csv: duplicate row for {key}")
            vehicles_text = row["vehicles"].strip()
            vehicles = int(vehicles_text) if vehicles_text else None
            table[key] = (vehicles, float(row["cost"]))
    return table
