"""Kinito's JSON files, ``problem.json`` and ``plan.json``, to and from :mod:`planner.model`.

The contract is ``docs/schema.md``. In the JSON a time of day is ``"HH:MM"`` or
``"HH:MM:SS"``, a duration is a number of minutes, a date is ISO ``"YYYY-MM-DD"`` and a
weekday is ``"mon"`` ... ``"sun"``; in the model they are seconds, seconds, :class:`date`
and ``0`` ... ``6``. Reading checks every rule of the contract and refuses a malformed file
with a :class:`SchemaError` that names the field by its JSON path, e.g.
``visits[12].time_windows[0]: "25:00" is not a time of day (HH:MM or HH:MM:SS)``.

Reading is built from small *readers*: functions ``(value, path) -> result`` that either
return the converted value or raise a :class:`SchemaError` for ``path``. Readers combine
(``_list(_window)``, ``_nullable(_minutes)``...) and :class:`_Object` applies them to the
fields of a JSON object, refusing keys that the contract does not know (typos).

Only :func:`load_problem`, :func:`load_plan` and :func:`save_json` touch files.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import stat
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from planner.gazetteer import BASE_DEFAULT
from planner.model import (
    TERRAINS,
    WEEKLY_MAX_WORK,
    BreakRule,
    BreakStep,
    CrewMember,
    Location,
    Plan,
    Problem,
    Route,
    StaffMember,
    Stop,
    Terrain,
    TimeWindow,
    Unassigned,
    Unit,
    UnitDay,
    Visit,
    VisitKind,
    Weights,
)
from planner.travel import DEFAULT_TERRAIN, EstimateTravel, MatrixTravel, TerrainSpeed, TravelModel

__all__ = [
    "PLAN_SCHEMA",
    "PROBLEM_SCHEMA",
    "WEEKDAYS",
    "SchemaError",
    "format_time",
    "iso_week_dates",
    "load_plan",
    "load_problem",
    "minutes_to_seconds",
    "parse_time",
    "plan_from_dict",
    "plan_to_dict",
    "problem_from_dict",
    "problem_to_dict",
    "save_json",
    "seconds_to_minutes",
    "weekday_name",
    "weekday_number",
]

PROBLEM_SCHEMA = "kinito.problem/1"
PLAN_SCHEMA = "kinito.plan/1"
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
VISIT_KINDS: tuple[VisitKind, ...] = ("home_visit", "village_stop")
DAY_SECONDS = 24 * 3600

T = TypeVar("T")
U = TypeVar("U")
S = TypeVar("S", bound=str)
Reader = Callable[[object, str], T]
"""Converts the JSON value found at a path, or raises :class:`SchemaError` for that path."""


class SchemaError(ValueError):
    """A malformed JSON file; the message starts with the JSON path of the faulty field.

    ``path`` is that path (``""`` for the whole document), ``detail`` the message without
    it, ``el`` (``detail_el``) the same in Greek; the message gives both, Greek first, as the
    command line's other errors do. ``line``/``column`` are set for JSON syntax errors.
    """

    def __init__(
        self,
        path: str,
        detail: str,
        el: str = "",
        *,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        text = f"{el} / {detail}" if el else detail
        super().__init__(f"{path}: {text}" if path else text)
        self.path = path
        self.detail = detail
        self.detail_el = el
        self.line = line
        self.column = column
        self.file: str | None = None  # the file it was read from, when it was

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.file}: {text}" if self.file else text


# --- units: times, minutes, weekdays, weeks ---------------------------------------------

_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")


def parse_time(text: object, path: str = "") -> int:
    """Seconds since midnight of ``"HH:MM"`` or ``"HH:MM:SS"`` (00:00:00 ... 23:59:59)."""
    match = _TIME.fullmatch(text) if isinstance(text, str) else None
    if match:
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
        if hours < 24 and minutes < 60 and seconds < 60:
            return hours * 3600 + minutes * 60 + seconds
    raise SchemaError(
        path,
        f"{_show(text)} is not a time of day (HH:MM or HH:MM:SS)",
        f"{_show(text, el=True)} δεν είναι ώρα (HH:MM ή HH:MM:SS)",
    )


def format_time(seconds: int, *, short: bool = False) -> str:
    """``"HH:MM:SS"`` for seconds since midnight; ``short`` drops ``":00"`` seconds."""
    if not 0 <= seconds < DAY_SECONDS:
        raise ValueError(f"{seconds} s is not a time of day (0 <= t < 24 h)")
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" if short and secs == 0 else f"{hours:02d}:{minutes:02d}:{secs:02d}"


def minutes_to_seconds(minutes: float) -> int:
    """A duration in minutes (fractions allowed) as whole seconds, rounded."""
    return round(minutes * 60)


def seconds_to_minutes(seconds: int) -> int | float:
    """A duration in seconds as minutes: an ``int`` when whole, else the exact fraction."""
    return seconds // 60 if seconds % 60 == 0 else seconds / 60


def weekday_number(name: str) -> int:
    """``"mon"`` -> 0 ... ``"sun"`` -> 6; ``ValueError`` for anything else."""
    if name not in WEEKDAYS:
        raise ValueError(f"{name!r} is not a weekday (mon..sun)")
    return WEEKDAYS.index(name)


def weekday_name(number: int) -> str:
    """0 -> ``"mon"`` ... 6 -> ``"sun"``; ``ValueError`` for anything else."""
    if not 0 <= number < len(WEEKDAYS):
        raise ValueError(f"{number} is not a weekday number (0..6)")
    return WEEKDAYS[number]


_WEEK_TYPED = re.compile(r"\s*([0-9]{4})\s*-?\s*[Ww]\s*([0-9]{1,2})\s*")


def typed_iso_week(text: str) -> str:
    """An ISO week as people type it (``2026w50``, ``2026-w5``, ``2026 W50``) written the one way,
    ``2026-W50``; anything else as it was (for the reader to refuse)."""
    match = _WEEK_TYPED.fullmatch(text)
    return f"{match[1]}-W{int(match[2]):02d}" if match else text


def iso_week_dates(week: object, path: str = "") -> tuple[date, ...]:
    """Monday to Friday of an ISO week ``"YYYY-Www"``, e.g. ``"2026-W50"``."""
    match = _WEEK.fullmatch(week) if isinstance(week, str) else None
    try:
        weeks = date(int(match[1]), 12, 28).isocalendar().week if match is not None else 53
    except ValueError:  # year 0000
        weeks = 53
    if match is not None and weeks < int(match[2]) <= 53:  # 2027-W53: said so (W99: not a week)
        raise SchemaError(
            path,
            f"{_show(week)}: week {match[2]} of {match[1]} does not exist: "
            f"{match[1]} has weeks 01 to {weeks}",
            f"{_show(week, el=True)}: η εβδομάδα {match[2]} του {match[1]} δεν υπάρχει: το {match[1]} έχει "
            f"εβδομάδες 01 έως {weeks}",
        )
    try:
        if match is None:
            raise ValueError
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise SchemaError(
            path,
            f"{_show(week)} is not an ISO week (YYYY-Www)",
            f"{_show(week, el=True)} δεν είναι εβδομάδα ISO (YYYY-Www)",
        ) from None
    return tuple(monday + timedelta(days=i) for i in range(5))


# --- readers ------------------------------------------------------------------------------


def _show(value: object, el: bool = False) -> str:
    """A JSON value as it would be written in the file, shortened, for error messages (an
    object or a list named, in Greek with ``el``)."""
    if isinstance(value, Mapping):
        return "αντικείμενο" if el else "an object"
    if isinstance(value, list | tuple):
        if el:
            return "κενή λίστα" if not value else "λίστα"
        return "an empty list" if not value else "a list"
    if isinstance(value, date):
        value = value.isoformat()
    if value is None or isinstance(value, str | int | float):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 40 else text[:36] + '..."'
    return repr(value)


def _listing(names: Collection[str], most: int = 12) -> str:
    """``a, b, c`` (at most ``most`` of them, then ``...``)."""
    shown = list(names)[:most]
    return ", ".join(shown) + (", ..." if len(names) > most else "")


def _join(path: str, key: str) -> str:
    """The path of field ``key`` of the object at ``path``."""
    return f"{path}.{key}" if path else key


def _string(value: object, path: str) -> str:
    """A JSON string that is Unicode text (JSON can spell half of a character, a lone
    ``\\ud83d``, which no file can be written with)."""
    if not isinstance(value, str):
        raise SchemaError(
            path,
            f"expected a string, got {_show(value)}",
            f"αναμενόταν κείμενο, βρέθηκε {_show(value, el=True)}",
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SchemaError(
            path,
            f"not valid Unicode text (half a character at position {exc.start})",
            f"μη έγκυρο κείμενο Unicode (μισός χαρακτήρας στη θέση {exc.start})",
        ) from None
    return value


def _boolean(value: object, path: str) -> bool:
    """``true`` or ``false``."""
    if not isinstance(value, bool):
        raise SchemaError(
            path,
            f"expected true or false, got {_show(value)}",
            f"αναμενόταν true ή false, βρέθηκε {_show(value, el=True)}",
        )
    return value


def _integer(value: object, path: str) -> int:
    """An integer (a float with no fraction, such as ``2.0``, counts; booleans do not)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SchemaError(
            path,
            f"expected an integer, got {_show(value)}",
            f"αναμενόταν ακέραιος, βρέθηκε {_show(value, el=True)}",
        )
    return value


def _number(value: object, path: str) -> float:
    """A finite number, as a float."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise SchemaError(
            path,
            f"expected a number, got {_show(value)}",
            f"αναμενόταν αριθμός, βρέθηκε {_show(value, el=True)}",
        )
    return float(value)


def _date(value: object, path: str) -> date:
    """An ISO date ``"YYYY-MM-DD"``."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise SchemaError(
        path,
        f"{_show(value)} is not a date (YYYY-MM-DD)",
        f"{_show(value, el=True)} δεν είναι ημερομηνία (YYYY-MM-DD)",
    )


def _weekday(value: object, path: str) -> int:
    """A weekday name ``"mon"`` ... ``"sun"`` as 0 ... 6."""
    if isinstance(value, str) and value in WEEKDAYS:
        return WEEKDAYS.index(value)
    days = ", ".join(WEEKDAYS)
    raise SchemaError(
        path,
        f"{_show(value)} is not a weekday ({days})",
        f"{_show(value, el=True)} δεν είναι ημέρα της εβδομάδας ({days})",
    )


def _where(read: Reader[T], ok: Callable[[T], bool], need: str, need_el: str = "") -> Reader[T]:
    """``read``, then refuse a result for which ``ok`` is false: "must be <need>" (in Greek
    ``need_el``, by default ``need`` itself, as for ">= 0")."""

    def read_checked(value: object, path: str) -> T:
        result = read(value, path)
        if not ok(result):
            raise SchemaError(
                path,
                f"must be {need}, got {_show(value)}",
                f"πρέπει να είναι {need_el or need}, βρέθηκε {_show(value, el=True)}",
            )
        return result

    return read_checked


def _nullable(read: Reader[T]) -> Reader[T | None]:
    """``read``, but JSON ``null`` gives ``None``."""

    def read_or_null(value: object, path: str) -> T | None:
        return None if value is None else read(value, path)

    return read_or_null


def _list(read: Reader[T], length: int | None = None, what: str = "entries") -> Reader[tuple[T, ...]]:
    """A JSON list, each element read by ``read``; ``length`` demands that many elements."""

    def read_list(value: object, path: str) -> tuple[T, ...]:
        if not isinstance(value, list | tuple):
            raise SchemaError(
                path,
                f"expected a list, got {_show(value)}",
                f"αναμενόταν λίστα, βρέθηκε {_show(value, el=True)}",
            )
        if length is not None and len(value) != length:
            raise SchemaError(
                path,
                f"expected {length} {what}, got {len(value)}",
                f"αναμενόταν {length} στοιχεία, βρέθηκαν {len(value)}",
            )
        return tuple(read(item, f"{path}[{i}]") for i, item in enumerate(value))

    return read_list


def _choice(options: Sequence[S]) -> Reader[S]:
    """One of the strings ``options``."""

    def read_choice(value: object, path: str) -> S:
        for option in options:
            if value == option:
                return option
        names = ", ".join(options)
        raise SchemaError(
            path,
            f"must be one of {names}, got {_show(value)}",
            f"πρέπει να είναι ένα από: {names}· βρέθηκε {_show(value, el=True)}",
        )

    return read_choice


def _ref(ids: Collection[str], what: str) -> Reader[str]:
    """The id of a known ``what`` (a location, a staff member, a unit)."""
    what_el = {"location": "τοποθεσίας", "staff": "μέλους του προσωπικού", "unit": "μονάδας"}[what]
    return _where(
        _string,
        lambda s: s in ids,
        f"a known {what} id ({_listing(ids) or 'there are none'})",
        f"γνωστός κωδικός {what_el} ({_listing(ids) or 'δεν υπάρχει κανένας'})",
    )


def _no_duplicates(keys: Sequence[object], path: str, field: str = "") -> None:
    """Refuse the second of two equal ``keys``, naming ``path[i]`` (``.field``)."""
    first: dict[object, int] = {}
    for i, key in enumerate(keys):
        if key in first:
            raise SchemaError(
                f"{path}[{i}]{field}",
                f"duplicate {_show(key)} (also at [{first[key]}])",
                f"διπλό {_show(key, el=True)} (υπάρχει και στο [{first[key]}])",
            )
        first[key] = i


def _maybe(value: T | None, convert: Callable[[T], U]) -> U | None:
    """``convert(value)``, or ``None`` for ``None``."""
    return None if value is None else convert(value)


_id = _where(_string, bool, "a non-empty string", "μη κενό κείμενο")
_non_negative_int = _where(_integer, lambda n: n >= 0, ">= 0")
_positive_int = _where(_integer, lambda n: n >= 1, ">= 1")
_non_negative = _where(_number, lambda x: x >= 0, ">= 0")


def _int_range(low: int, high: int) -> Reader[int]:
    """An integer from ``low`` to ``high``: the bounds keep every cost and count the engine adds
    up within its 64-bit integers (a larger value is a slip, refused by its field's name)."""
    return _where(_integer, lambda n: low <= n <= high, f"from {low} to {high:,}", f"από {low} έως {high:,}")


def _number_range(low: float, high: float) -> Reader[float]:
    """A number from ``low`` to ``high``."""
    return _where(
        _number, lambda x: low <= x <= high, f"from {low:g} to {high:g}", f"από {low:g} έως {high:g}"
    )


MAX_MINUTES = 7 * 24 * 60
"""The longest duration a problem may give (a week, in minutes)."""
MAX_PRIORITY = 1000
MAX_COUNT = 366
"""The most visits of one visit in a horizon, and the widest gap in days between two."""
MAX_LOAD = 1_000_000
MAX_WEIGHT = 10**12
_minutes_in_range = _number_range(0, MAX_MINUTES)


def _minutes(value: object, path: str) -> int:
    """A duration: minutes from 0 to a week in the JSON, seconds in the model."""
    return minutes_to_seconds(_minutes_in_range(value, path))


def _km(value: object, path: str) -> int:
    """A distance: kilometres >= 0 (at most round the Earth) in the JSON, metres in the model."""
    return round(_number_range(0, 40_000)(value, path) * 1000)


def _window(value: object, path: str) -> TimeWindow:
    """``["HH:MM", "HH:MM"]``; errors in either time name the window."""
    start, end = (parse_time(t, path) for t in _list(_string, 2, "times (from, to)")(value, path))
    if end < start:
        a, b = format_time(start, short=True), format_time(end, short=True)
        raise SchemaError(path, f"ends ({b}) before it starts ({a})", f"τελειώνει ({b}) πριν αρχίσει ({a})")
    return TimeWindow(start, end)


_windows = _list(_window)


def _preferred_times(unit_ref: Reader[str]) -> Reader[tuple[dict[date, int], dict[date, str]]]:
    """``{"2026-12-07": "09:30", "2026-12-09": {"time": "11:00", "unit": "van1"}, ...}``: per
    date the start a published plan gave that day, and optionally its unit; the starts and
    the units per date."""

    def read(value: object, path: str) -> tuple[dict[date, int], dict[date, str]]:
        obj = _Object(value, path)
        times: dict[date, int] = {}
        units: dict[date, str] = {}
        for key in obj.data:
            day, at = _date(key, _join(path, key)), _join(path, key)
            item = obj.data[key]
            if isinstance(item, Mapping):
                slot = _Object(item, at, ("time", "unit"))
                times[day] = slot.req("time", parse_time)
                unit = slot.opt("unit", unit_ref, None)
                if unit is not None:
                    units[day] = unit
            else:
                times[day] = parse_time(item, at)
        return times, units

    return read


def _horizon_date(dates: Sequence[date]) -> Reader[date]:
    """A date that belongs to the horizon ``dates``."""
    span = f"{dates[0].isoformat()} .. {dates[-1].isoformat()}"
    return _where(
        _date, lambda d: d in dates, f"a date of the horizon ({span})", f"ημερομηνία του ορίζοντα ({span})"
    )


def _json_object(value: object, path: str) -> dict[str, object]:
    """Any JSON object, kept as it is (``details`` of an unassigned visit)."""
    return dict(_Object(value, path).data)


class _Object:
    """A JSON object being read: typed access to its fields, each error naming its path."""

    def __init__(self, value: object, path: str, keys: Collection[str] | None = None) -> None:
        """Check that ``value`` is an object and, if ``keys`` is given, has no other keys."""
        if not isinstance(value, Mapping):
            raise SchemaError(
                path,
                f"expected an object, got {_show(value)}",
                f"αναμενόταν αντικείμενο, βρέθηκε {_show(value, el=True)}",
            )
        for key in value:
            if keys is not None and key not in keys:
                close = difflib.get_close_matches(str(key), list(keys), n=1)
                hint = f'did you mean "{close[0]}"? ' if close else ""
                hint_el = f'· μήπως εννοείτε "{close[0]}";' if close else ""
                names = ", ".join(keys)
                raise SchemaError(
                    _join(path, str(key)),
                    f"unknown field; {hint}allowed: {names}",
                    f"άγνωστο πεδίο{hint_el}",  # the allowed names follow in English
                )
        self.data: Mapping[str, object] = value
        self.path = path

    def at(self, key: str) -> str:
        """The path of field ``key``."""
        return _join(self.path, key)

    def has(self, key: str) -> bool:
        """Whether the field is present."""
        return key in self.data

    def req(self, key: str, read: Reader[T]) -> T:
        """A required field."""
        if key not in self.data:
            raise SchemaError(self.at(key), "required field is missing", "λείπει το υποχρεωτικό πεδίο")
        return read(self.data[key], self.at(key))

    def opt(self, key: str, read: Reader[T], default: U) -> T | U:
        """An optional field, ``default`` when it is left out."""
        return read(self.data[key], self.at(key)) if key in self.data else default


def _tagged(
    value: object, path: str, tag: str, variants: Mapping[str, Collection[str]]
) -> tuple[str, _Object]:
    """An object whose ``tag`` field picks which keys it may have (``variants``)."""
    kind = _Object(value, path).req(tag, _choice(list(variants)))
    return kind, _Object(value, path, variants[kind])


def _check_schema(obj: _Object, expected: str) -> None:
    """The document's ``schema`` field must name ``expected``."""
    obj.req("schema", _where(_string, lambda s: s == expected, f'"{expected}"'))


# --- problem.json: reading -----------------------------------------------------------------

_PROBLEM_KEYS = (
    "schema",
    "name",
    "week",
    "dates",
    "defaults",
    "weights",
    "travel",
    "locations",
    "staff",
    "units",
    "days",
    "visits",
)
_DEFAULTS_KEYS = ("shift", "regular_end", "max_work", "max_drive", "break", "weekly_max_work")
_BREAK_KEYS = ("duration", "window", "required_after")
_LOCATION_KEYS = ("id", "name", "lat", "lon", "terrain")
_STAFF_KEYS = ("id", "name", "roles")
_UNIT_KEYS = ("id", "name", "base", "capacity", "speed_factor", "weekly_max_work", "weekly_worked")
_DAY_KEYS = (
    "date",
    "unit",
    "available",
    "pilot",
    "shift",
    "regular_end",
    "max_work",
    "max_drive",
    "break",
    "crew",
    "note",
)
_CREW_KEYS = ("staff", "hours")
_VISIT_KEYS = (
    "id",
    "kind",
    "name",
    "location",
    "service",
    "time_windows",
    "weekday_windows",
    "allowed_weekdays",
    "required_role",
    "required_staff",
    "priority",
    "load",
    "frequency",
    "min_gap_days",
    "patterns",
    "pinned_date",
    "pinned_time",
    "preferred_weekday",
    "preferred_dates",
    "preferred_units",
    "preferred_times",
    "phone",
    "address",
    "notes",
)
_TRAVEL_KEYS: Mapping[str, tuple[str, ...]] = {
    "estimate": ("model", "stop_overhead", "terrain"),
    "matrix": ("model", "ids", "durations", "distances"),
}
_TERRAIN_SPEED_KEYS = ("circuity", "speed_kmh")


@dataclass(frozen=True)
class _Defaults:
    """The ``defaults`` block: what a unit-day (and a unit's week) has unless told otherwise."""

    shift: TimeWindow
    regular_end: int
    max_work: int | None
    max_drive: int | None
    break_rule: BreakRule | None
    weekly_max_work: int | None

    def day(self, unit_id: str, day: date) -> UnitDay:
        """The default day of a unit: available, these limits, no crew."""
        return UnitDay(
            unit_id,
            day,
            shift=self.shift,
            regular_end=self.regular_end,
            max_work=self.max_work,
            max_drive=self.max_drive,
            break_rule=self.break_rule,
        )


_MODEL_DAY = UnitDay("", date.min)
_MODEL_DEFAULTS = _Defaults(
    _MODEL_DAY.shift,
    _MODEL_DAY.regular_end,
    _MODEL_DAY.max_work,
    _MODEL_DAY.max_drive,
    _MODEL_DAY.break_rule,
    WEEKLY_MAX_WORK,
)


def _break_rule(fill: BreakRule | None) -> Reader[BreakRule | None]:
    """A break rule or ``null``; fields left out are taken from ``fill`` (or the model's)."""
    base = fill or BreakRule()

    def read_break(value: object, path: str) -> BreakRule | None:
        if value is None:
            return None
        obj = _Object(value, path, _BREAK_KEYS)
        return BreakRule(
            duration=obj.opt("duration", _minutes, base.duration),
            window=obj.opt("window", _window, base.window),
            required_after=obj.opt("required_after", _minutes, base.required_after),
        )

    return read_break


def _regular_end_in_shift(obj: _Object, day: UnitDay) -> None:
    """Refuse a given ``regular_end`` before the shift starts: «07:00» for 17:00 charged the
    whole day as after-hours, silently (one at the shift's start is meant: all of it is)."""
    if obj.has("regular_end") and day.regular_end < day.shift.start:
        end, start = format_time(day.regular_end, short=True), format_time(day.shift.start, short=True)
        raise SchemaError(
            obj.at("regular_end"),
            f"{end} is before the shift starts ({start}): every hour of the day would count as "
            "after-hours; give the end of ordinary hours inside the shift",
            f"το {end} είναι πριν αρχίσει η βάρδια ({start}): όλες οι ώρες της ημέρας θα μετρούσαν "
            "ως εκτός ωραρίου· δώστε το τέλος του κανονικού ωραρίου μέσα στη βάρδια",
        )


def _break_fits_shift(day: UnitDay, path: str) -> None:
    """Refuse a break rule whose break cannot start inside the shift (and end in it) on a day
    that could last longer than ``required_after``: no break could ever be taken, and every
    such day was silently capped at ``required_after`` (6 h by default). ``path`` names the
    ``break.window`` to mend."""
    rule = day.break_rule
    if rule is None or not day.available:
        return
    longest = day.shift.end - day.shift.start
    if day.max_work is not None:
        longest = min(longest, day.max_work)
    if longest <= rule.required_after:
        return  # no break is ever needed
    if max(rule.window.start, day.shift.start) <= min(rule.window.end, day.shift.end - rule.duration):
        return
    window = f"{format_time(rule.window.start, short=True)}-{format_time(rule.window.end, short=True)}"
    shift = f"{format_time(day.shift.start, short=True)}-{format_time(day.shift.end, short=True)}"
    after = rule.required_after // 60
    raise SchemaError(
        path,
        f"the break window {window} leaves no room for the break inside the shift {shift}: no "
        f"break could be taken and every day would stop after {after} min of work; give a window "
        "inside the shift",
        f"το παράθυρο διαλείμματος {window} δεν αφήνει χώρο για διάλειμμα μέσα στη βάρδια {shift}: "
        f"δεν θα γινόταν ποτέ διάλειμμα και κάθε ημέρα θα σταματούσε στα {after} λεπτά εργασίας· "
        "δώστε παράθυρο μέσα στη βάρδια",
    )


def _read_defaults(value: object, path: str) -> _Defaults:
    """The ``defaults`` block; ``regular_end`` defaults to the end of its ``shift``."""
    obj = _Object(value, path, _DEFAULTS_KEYS)
    base = _MODEL_DEFAULTS
    shift = obj.opt("shift", _window, base.shift)
    limit = _nullable(_minutes)
    out = _Defaults(
        shift=shift,
        regular_end=obj.opt("regular_end", parse_time, shift.end),
        max_work=obj.opt("max_work", limit, base.max_work),
        max_drive=obj.opt("max_drive", limit, base.max_drive),
        break_rule=obj.opt("break", _break_rule(base.break_rule), base.break_rule),
        weekly_max_work=obj.opt("weekly_max_work", limit, base.weekly_max_work),
    )
    model_day = out.day("", date.min)
    _regular_end_in_shift(obj, model_day)
    _break_fits_shift(model_day, f"{obj.at('break')}.window")
    return out


def _read_weights(value: object, path: str) -> Weights:
    """``weights``: integers >= 0 in cost units, ``balance_target`` in minutes."""
    names = [f.name for f in fields(Weights)]
    obj = _Object(value, path, names)
    base = Weights()
    return Weights(
        **{
            name: obj.opt(
                name, _minutes if name == "balance_target" else _int_range(0, MAX_WEIGHT), getattr(base, name)
            )
            for name in names
        }
    )


def _read_terrain_table(value: object, path: str) -> dict[Terrain, TerrainSpeed]:
    """``{"plain": {"circuity": 1.3, "speed_kmh": 50}, ...}``; what is left out keeps its default."""
    table = _Object(value, path, TERRAINS)
    out: dict[Terrain, TerrainSpeed] = {}
    for terrain in TERRAINS:
        base = DEFAULT_TERRAIN[terrain]
        entry = _Object(table.data.get(terrain, {}), table.at(terrain), _TERRAIN_SPEED_KEYS)
        out[terrain] = TerrainSpeed(
            circuity=entry.opt("circuity", _number_range(1, 10), base.circuity),
            speed_kmh=entry.opt("speed_kmh", _number_range(1, 300), base.speed_kmh),
        )
    return out


def _read_travel(value: object, path: str) -> TravelModel | None:
    """``travel``: ``null`` (the embedded estimate), an ``estimate`` or a ``matrix`` model."""
    if value is None:
        return None
    model, obj = _tagged(value, path, "model", _TRAVEL_KEYS)
    if model == "estimate":
        default = EstimateTravel()
        return EstimateTravel(
            terrain=obj.opt("terrain", _read_terrain_table, default.terrain),
            stop_overhead=obj.opt("stop_overhead", _minutes, default.stop_overhead),
        )
    ids = obj.req("ids", _list(_id))
    _no_duplicates(ids, obj.at("ids"))
    n, per_id = len(ids), "entries (one per id)"
    return MatrixTravel(
        ids=ids,
        durations=obj.req("durations", _list(_list(_minutes, n, per_id), n, "rows")),
        distances=obj.req("distances", _list(_list(_km, n, per_id), n, "rows")),
    )


def _read_location(value: object, path: str) -> Location:
    """A location object of ``locations`` (or inline)."""
    obj = _Object(value, path, _LOCATION_KEYS)
    return Location(
        id=obj.req("id", _id),
        lat=obj.req(
            "lat", _where(_number, lambda x: -90 <= x <= 90, "between -90 and 90", "μεταξύ -90 και 90")
        ),
        lon=obj.req(
            "lon", _where(_number, lambda x: -180 <= x <= 180, "between -180 and 180", "μεταξύ -180 και 180")
        ),
        name=obj.opt("name", _string, ""),
        terrain=obj.opt("terrain", _choice(TERRAINS), "plain"),
    )


class _Places:
    """The problem's locations by id: the ``locations`` table and inline objects met later."""

    def __init__(self, table: Sequence[Location]) -> None:
        self.by_id = {loc.id: loc for loc in table}

    def read(self, value: object, path: str) -> Location:
        """A location id, or an inline location object (then known by its id from here on)."""
        if isinstance(value, str):
            return self.by_id[_ref(self.by_id, "location")(value, path)]
        if not isinstance(value, Mapping):
            raise SchemaError(
                path,
                f"expected a location id or a location object, got {_show(value)}",
                f"αναμενόταν κωδικός τοποθεσίας ή αντικείμενο τοποθεσίας, βρέθηκε {_show(value, el=True)}",
            )
        loc = _read_location(value, path)
        if self.by_id.setdefault(loc.id, loc) != loc:
            raise SchemaError(
                _join(path, "id"),
                f"{_show(loc.id)} is already the id of a different location",
                f"το {_show(loc.id)} είναι ήδη ο κωδικός άλλης τοποθεσίας",
            )
        return loc

    def default_base(self) -> Location:
        """The default base, the Community Centre in Aigio (or the location with its id)."""
        return self.by_id.setdefault(BASE_DEFAULT.id, BASE_DEFAULT)


def _read_staff(value: object, path: str) -> StaffMember:
    """A ``staff`` entry."""
    obj = _Object(value, path, _STAFF_KEYS)
    return StaffMember(
        id=obj.req("id", _id), name=obj.opt("name", _string, ""), roles=obj.opt("roles", _list(_id), ())
    )


def _unit_reader(places: _Places, defaults: _Defaults) -> Reader[Unit]:
    """A ``units`` entry; ``weekly_max_work`` defaults to ``defaults.weekly_max_work``."""

    def read_unit(value: object, path: str) -> Unit:
        obj = _Object(value, path, _UNIT_KEYS)
        return Unit(
            id=obj.req("id", _id),
            name=obj.opt("name", _string, ""),
            base=obj.opt("base", places.read, None) or places.default_base(),
            capacity=obj.opt("capacity", _nullable(_int_range(0, MAX_LOAD)), None),
            weekly_max_work=obj.opt("weekly_max_work", _nullable(_minutes), defaults.weekly_max_work),
            speed_factor=obj.opt("speed_factor", _number_range(0.1, 10), 1.0),
            weekly_worked=obj.opt("weekly_worked", _minutes, 0),
        )

    return read_unit


def _crew_reader(staff_ids: Collection[str]) -> Reader[CrewMember]:
    """A crew entry: a staff id, or ``{"staff": id, "hours": [from, to]}``."""
    staff = _ref(staff_ids, "staff")

    def read_crew(value: object, path: str) -> CrewMember:
        if isinstance(value, str):
            return CrewMember(staff(value, path))
        obj = _Object(value, path, _CREW_KEYS)
        return CrewMember(obj.req("staff", staff), obj.opt("hours", _nullable(_window), None))

    return read_crew


def _day_reader(
    dates: Sequence[date], unit_ids: Collection[str], staff_ids: Collection[str], defaults: _Defaults
) -> Reader[UnitDay]:
    """A ``days`` entry; the fields it leaves out come from ``defaults``."""
    read_crew = _list(_crew_reader(staff_ids))

    def read_day(value: object, path: str) -> UnitDay:
        obj = _Object(value, path, _DAY_KEYS)
        base = defaults.day(obj.req("unit", _ref(unit_ids, "unit")), obj.req("date", _horizon_date(dates)))
        crew = obj.opt("crew", read_crew, ())
        _no_duplicates([member.staff_id for member in crew], obj.at("crew"))
        limit = _nullable(_minutes)
        day = replace(
            base,
            available=obj.opt("available", _boolean, base.available),
            pilot=obj.opt("pilot", _boolean, base.pilot),
            shift=obj.opt("shift", _window, base.shift),
            regular_end=obj.opt("regular_end", parse_time, base.regular_end),
            max_work=obj.opt("max_work", limit, base.max_work),
            max_drive=obj.opt("max_drive", limit, base.max_drive),
            break_rule=obj.opt("break", _break_rule(base.break_rule), base.break_rule),
            crew=crew,
            note=obj.opt("note", _string, base.note),
        )
        _regular_end_in_shift(obj, day)
        # the defaults' rule fits the defaults' shift: a day that sets either is checked anew
        if obj.has("break") or obj.has("shift") or obj.has("max_work"):
            _break_fits_shift(day, f"{obj.at('break')}.window")
        return day

    return read_day


def _pattern_reader(dates: Sequence[date], frequency: int) -> Reader[tuple[date, ...]]:
    """One allowed pattern: exactly ``frequency`` distinct dates of the horizon."""
    read_dates = _list(_horizon_date(dates), frequency, "dates (the visit's frequency)")

    def read_pattern(value: object, path: str) -> tuple[date, ...]:
        pattern = read_dates(value, path)
        _no_duplicates(pattern, path)
        return pattern

    return read_pattern


def _read_weekday_windows(value: object, path: str) -> dict[int, tuple[TimeWindow, ...]]:
    """``{"fri": [[from, to], ...], ...}`` keyed by weekday number."""
    obj = _Object(value, path, WEEKDAYS)
    return {weekday_number(day): _windows(windows, obj.at(day)) for day, windows in obj.data.items()}


def _visit_reader(
    dates: Sequence[date], places: _Places, staff_ids: Collection[str], unit_ids: Collection[str]
) -> Reader[Visit]:
    """A ``visits`` entry."""
    in_horizon = _horizon_date(dates)
    unit_ref = _ref(unit_ids, "unit")

    def read_visit(value: object, path: str) -> Visit:
        obj = _Object(value, path, _VISIT_KEYS)
        visit_id = obj.req("id", _id)
        frequency = obj.opt("frequency", _int_range(1, MAX_COUNT), 1)
        read_patterns = _where(
            _list(_pattern_reader(dates, frequency)),
            bool,
            "a non-empty list of patterns (null: any dates)",
            "μη κενή λίστα μοτίβων (null: οποιεσδήποτε ημερομηνίες)",
        )
        patterns = obj.opt("patterns", _nullable(read_patterns), None)
        pinned_date = obj.opt("pinned_date", _nullable(in_horizon), None)
        pinned_time = obj.opt("pinned_time", _nullable(parse_time), None)
        if pinned_time is not None and pinned_date is None:
            raise SchemaError(
                obj.at("pinned_time"),
                "a pinned_time needs a pinned_date",
                "το pinned_time χρειάζεται pinned_date",
            )
        allowed = obj.opt("allowed_weekdays", _nullable(_list(_weekday)), None)
        promised = obj.opt("preferred_times", _preferred_times(unit_ref), ({}, {}))
        return Visit(
            id=visit_id,
            location=obj.req("location", places.read),
            service=obj.req("service", _minutes),
            kind=obj.opt("kind", _choice(VISIT_KINDS), "home_visit"),
            name=obj.opt("name", _string, ""),
            time_windows=obj.opt("time_windows", _windows, ()),
            weekday_windows=obj.opt("weekday_windows", _read_weekday_windows, {}),
            allowed_weekdays=_maybe(allowed, frozenset),
            required_role=obj.opt("required_role", _nullable(_id), None),
            required_staff=obj.opt("required_staff", _nullable(_ref(staff_ids, "staff")), None),
            priority=obj.opt("priority", _int_range(1, MAX_PRIORITY), 1),
            load=obj.opt("load", _int_range(0, MAX_LOAD), 0),
            frequency=frequency,
            min_gap_days=obj.opt("min_gap_days", _int_range(1, MAX_COUNT), 1),
            patterns=patterns,
            pinned_date=pinned_date,
            pinned_time=pinned_time,
            preferred_weekday=obj.opt("preferred_weekday", _nullable(_weekday), None),
            preferred_dates=_maybe(
                obj.opt("preferred_dates", _nullable(_list(_date, what="dates")), None), frozenset
            ),
            preferred_units=_maybe(obj.opt("preferred_units", _nullable(_list(unit_ref)), None), frozenset),
            preferred_times=promised[0],
            preferred_day_units=promised[1],
            phone=obj.opt("phone", _string, ""),
            address=obj.opt("address", _string, ""),
            notes=obj.opt("notes", _string, ""),
        )

    return read_visit


def _no_double_booking(days: Sequence[UnitDay], staff: Sequence[StaffMember]) -> None:
    """Refuse a staff member aboard two units at once on one date (hours that overlap, or
    either aboard all day)."""
    seen: dict[tuple[str, date], list[tuple[UnitDay, TimeWindow | None]]] = {}
    names = {s.id: s.name or s.id for s in staff}
    for i, day in enumerate(days):
        if not day.available:  # a crew listed on a day off rides nowhere
            continue
        for j, member in enumerate(day.crew):
            for other, hours in seen.get((member.staff_id, day.date), []):
                if other.unit_id == day.unit_id:
                    continue
                if (
                    hours is None
                    or member.hours is None
                    or (member.hours.start < hours.end and hours.start < member.hours.end)
                ):
                    who = f"{_show(member.staff_id)} ({names.get(member.staff_id, '')})"
                    raise SchemaError(
                        f"days[{i}].crew[{j}]",
                        f"{who} is already in unit {_show(other.unit_id)}'s crew on {day.date.isoformat()} "
                        "at the same hours (one person cannot be in two vehicles at once)",
                        f"{who}: είναι ήδη στο πλήρωμα της μονάδας {_show(other.unit_id)} στις "
                        f"{day.date.isoformat()} τις ίδιες ώρες (κανείς δεν είναι σε δύο οχήματα μαζί)",
                    )
            seen.setdefault((member.staff_id, day.date), []).append((day, member.hours))


# Roles the product knows even when no staff member of a problem holds one (a visit may wait
# for a psychologist who is not on the staff this week: then it is unassigned, "no_crew").
KNOWN_ROLES = ("social_worker", "psychologist")


def _known_roles(visits: Sequence[Visit], staff: Sequence[StaffMember]) -> None:
    """Refuse a ``required_role`` that no staff member holds and the product does not know:
    a typo would otherwise leave the visit out with no one to serve it."""
    known = {*KNOWN_ROLES, *(role for s in staff for role in s.roles)}
    for i, v in enumerate(visits):
        if v.required_role is not None and v.required_role not in known:
            raise SchemaError(
                f"visits[{i}].required_role",
                f"unknown role {_show(v.required_role)}: no staff member has it; "
                f"known roles: {_listing(sorted(known))}",
                f"άγνωστος ρόλος {_show(v.required_role)}: δεν τον έχει κανένα μέλος του προσωπικού· "
                f"γνωστοί ρόλοι: {_listing(sorted(known))}",
            )


def _read_horizon(top: _Object) -> tuple[date, ...]:
    """``dates`` (ascending, distinct, inside ``week`` if that is given too), or ``week``'s Mon-Fri."""
    week = top.opt("week", iso_week_dates, None)
    if not top.has("dates"):
        if week is None:
            raise SchemaError(
                "dates",
                'required field is missing (give "dates" or "week")',
                'λείπει το υποχρεωτικό πεδίο (δώστε "dates" ή "week")',
            )
        return week
    dates = top.req("dates", _where(_list(_date), bool, "a non-empty list", "μη κενή λίστα"))
    for i in range(1, len(dates)):
        if dates[i] <= dates[i - 1]:
            raise SchemaError(
                f"dates[{i}]",
                f"must come after {dates[i - 1].isoformat()} "
                f"(dates ascending, each once), got {_show(dates[i])}",
                f"πρέπει να έρχεται μετά την {dates[i - 1].isoformat()} "
                f"(ημερομηνίες σε αύξουσα σειρά, η καθεμία μία φορά), βρέθηκε {_show(dates[i])}",
            )
    if week is not None:
        monday = week[0]
        for i, day in enumerate(dates):
            if not monday <= day < monday + timedelta(days=7):
                raise SchemaError(
                    f"dates[{i}]",
                    f"{_show(day)} is not in week {top.data['week']}",
                    f"η {_show(day)} δεν είναι στην εβδομάδα {top.data['week']}",
                )
    return dates


MAX_TOTAL_COST = 2**60
"""What the costs of leaving every visit out may add up to at most: the engine sums costs in
64-bit integers (2**63), with room left for travel and the soft costs."""


def _costs_fit(problem: Problem) -> None:
    """Refuse weights under which leaving visits out would cost more than the engine can add up
    (a pinned visit weighs as much again as all the others: with ``weights.unserved`` 4e16 a
    pinned visit of the demo week was silently dropped)."""
    total = sum(problem.unserved_cost(v, k) for v in problem.visits for k in range(v.frequency))
    if total > MAX_TOTAL_COST:
        most = max(1, problem.weights.unserved * MAX_TOTAL_COST // total)
        raise SchemaError(
            "weights.unserved",
            f"too large for this problem: leaving every visit out would cost {total:.3g}, more than "
            f"the engine can add up ({MAX_TOTAL_COST:.3g}); at most about {most:,}",
            f"πολύ μεγάλο για αυτό το πρόβλημα: η παράλειψη όλων των επισκέψεων θα κόστιζε {total:.3g}, "
            f"περισσότερο από όσο αθροίζει η μηχανή ({MAX_TOTAL_COST:.3g}); το πολύ περίπου {most:,}",
        )


def _one_week_if_capped(dates: Sequence[date], units: Sequence[Unit]) -> None:
    """A weekly cap counts one ISO week: a horizon over two or more weeks with a cap would
    share one week's hours among all of them (the engine and the validator sum the horizon)."""
    weeks = sorted({f"{y}-W{w:02d}" for y, w, _ in (d.isocalendar() for d in dates)})
    capped = [u.id for u in units if u.weekly_max_work is not None]
    if len(weeks) > 1 and capped:
        span = ", ".join(weeks)
        raise SchemaError(
            "dates",
            f"the horizon spans the ISO weeks {span}, but the driver's weekly cap (weekly_max_work "
            f"of {', '.join(capped)}) counts one week: give one week per problem, or set "
            "weekly_max_work to null",
            f"οι ημερομηνίες καλύπτουν τις εβδομάδες ISO {span}, ενώ το εβδομαδιαίο όριο ωρών του "
            f"οδηγού (weekly_max_work της μονάδας {', '.join(capped)}) μετρά μία εβδομάδα: δώστε μία "
            "εβδομάδα σε κάθε πρόβλημα, ή weekly_max_work null",
        )


def problem_from_dict(d: Mapping[str, Any]) -> Problem:
    """The :class:`Problem` described by a parsed ``problem.json``, checked against the contract.

    ``unit_days`` has one entry per unit and horizon date: the ``days`` entries in file
    order, then the default days (no crew) for the unit-dates they leave out, date by date.
    Raises :class:`SchemaError` naming the first faulty field.
    """
    top = _Object(d, "", _PROBLEM_KEYS)
    _check_schema(top, PROBLEM_SCHEMA)
    dates = _read_horizon(top)
    defaults = top.opt("defaults", _read_defaults, _MODEL_DEFAULTS)
    weights = top.opt("weights", _read_weights, Weights())
    travel = top.opt("travel", _read_travel, None)

    table = top.opt("locations", _list(_read_location), ())
    _no_duplicates([loc.id for loc in table], "locations", ".id")
    places = _Places(table)
    staff = top.opt("staff", _list(_read_staff), ())
    _no_duplicates([s.id for s in staff], "staff", ".id")
    read_units = _where(
        _list(_unit_reader(places, defaults)),
        bool,
        "a non-empty list (leave it out: one van)",
        "μη κενή λίστα (χωρίς αυτό: ένα βαν)",
    )
    units = top.opt("units", read_units, None) or (
        Unit(
            "van1",
            "Κινητή μονάδα / Mobile unit",
            places.default_base(),
            weekly_max_work=defaults.weekly_max_work,
        ),
    )
    _no_duplicates([u.id for u in units], "units", ".id")
    _one_week_if_capped(dates, units)

    staff_ids = [s.id for s in staff]
    given = top.opt("days", _list(_day_reader(dates, [u.id for u in units], staff_ids, defaults)), ())
    _no_duplicates([f"{day.unit_id} on {day.date.isoformat()}" for day in given], "days")
    have = {(day.unit_id, day.date) for day in given}
    filled = tuple(defaults.day(u.id, day) for day in dates for u in units if (u.id, day) not in have)

    _no_double_booking(given, staff)

    visits = top.opt("visits", _list(_visit_reader(dates, places, staff_ids, [u.id for u in units])), ())
    _no_duplicates([v.id for v in visits], "visits", ".id")
    _known_roles(visits, staff)

    problem = Problem(
        name=top.opt("name", _string, ""),
        dates=dates,
        units=units,
        unit_days=given + filled,
        staff=staff,
        visits=visits,
        weights=weights,
        travel=travel,
    )
    _costs_fit(problem)
    if isinstance(travel, MatrixTravel):
        missing = [loc.id for loc in problem.locations() if loc.id not in travel.ids]
        if missing:
            raise SchemaError(
                "travel.ids",
                f"no row for location(s) {_listing(missing)}",
                f"καμία γραμμή για τις τοποθεσίες {_listing(missing)}",
            )
    return problem


# --- problem.json: writing -----------------------------------------------------------------


def _time_out(seconds: int) -> str:
    """A time of day for problem.json: ``"HH:MM"``, with seconds only when there are some."""
    return format_time(seconds, short=True)


def _window_out(window: TimeWindow) -> list[str]:
    """A time window for problem.json."""
    return [_time_out(window.start), _time_out(window.end)]


def _windows_out(windows: Sequence[TimeWindow]) -> list[list[str]]:
    """A list of time windows for problem.json."""
    return [_window_out(w) for w in windows]


def _break_out(rule: BreakRule) -> dict[str, Any]:
    """A break rule with every field."""
    return {
        "duration": seconds_to_minutes(rule.duration),
        "window": _window_out(rule.window),
        "required_after": seconds_to_minutes(rule.required_after),
    }


def _travel_out(travel: TravelModel) -> dict[str, Any]:
    """The ``travel`` block; ``ValueError`` for a model with no JSON form."""
    if isinstance(travel, EstimateTravel):
        return {
            "model": "estimate",
            "stop_overhead": seconds_to_minutes(travel.stop_overhead),
            "terrain": {
                t: {"circuity": s.circuity, "speed_kmh": s.speed_kmh} for t, s in travel.terrain.items()
            },
        }
    if isinstance(travel, MatrixTravel):
        return {
            "model": "matrix",
            "ids": list(travel.ids),
            "durations": [[seconds_to_minutes(s) for s in row] for row in travel.durations],
            "distances": [[m / 1000 for m in row] for row in travel.distances],
        }
    raise ValueError(f"travel model {travel.name!r} has no JSON form")


def _location_out(loc: Location) -> dict[str, Any]:
    """A ``locations`` entry with every field."""
    return {"id": loc.id, "name": loc.name, "lat": loc.lat, "lon": loc.lon, "terrain": loc.terrain}


def _all_locations(p: Problem) -> tuple[Location, ...]:
    """:meth:`Problem.locations`, refusing two different locations under one id."""
    seen: dict[str, Location] = {}
    for loc in [u.base for u in p.units] + [v.location for v in p.visits]:
        if seen.setdefault(loc.id, loc) != loc:
            raise ValueError(f"two different locations share the id {loc.id!r}")
    return p.locations()


def _day_out(day: UnitDay) -> dict[str, Any]:
    """A ``days`` entry with every field, so that defaults do not matter."""
    return {
        "date": day.date.isoformat(),
        "unit": day.unit_id,
        "available": day.available,
        "pilot": day.pilot,
        "shift": _window_out(day.shift),
        "regular_end": _time_out(day.regular_end),
        "max_work": _maybe(day.max_work, seconds_to_minutes),
        "max_drive": _maybe(day.max_drive, seconds_to_minutes),
        "break": _maybe(day.break_rule, _break_out),
        "crew": [
            m.staff_id if m.hours is None else {"staff": m.staff_id, "hours": _window_out(m.hours)}
            for m in day.crew
        ],
        "note": day.note,
    }


def _visit_out(v: Visit) -> dict[str, Any]:
    """A ``visits`` entry with every field, its location by id."""
    weekday_windows = sorted(v.weekday_windows.items())
    return {
        "id": v.id,
        "kind": v.kind,
        "name": v.name,
        "location": v.location.id,
        "service": seconds_to_minutes(v.service),
        "time_windows": _windows_out(v.time_windows),
        "weekday_windows": {weekday_name(day): _windows_out(ws) for day, ws in weekday_windows},
        "allowed_weekdays": _maybe(v.allowed_weekdays, lambda ds: [weekday_name(d) for d in sorted(ds)]),
        "required_role": v.required_role,
        "required_staff": v.required_staff,
        "priority": v.priority,
        "load": v.load,
        "frequency": v.frequency,
        "min_gap_days": v.min_gap_days,
        "patterns": _maybe(v.patterns, lambda ps: [[d.isoformat() for d in p] for p in ps]),
        "pinned_date": _maybe(v.pinned_date, date.isoformat),
        "pinned_time": _maybe(v.pinned_time, _time_out),
        "preferred_weekday": _maybe(v.preferred_weekday, weekday_name),
        "preferred_dates": _maybe(v.preferred_dates, lambda ds: [d.isoformat() for d in sorted(ds)]),
        "preferred_units": _maybe(v.preferred_units, sorted),
        **(
            {
                "preferred_times": {
                    d.isoformat(): (
                        {"time": format_time(t, short=True), "unit": v.preferred_day_units[d]}
                        if d in v.preferred_day_units
                        else format_time(t, short=True)
                    )
                    for d, t in sorted(v.preferred_times.items())
                }
            }
            if v.preferred_times
            else {}
        ),
        "phone": v.phone,
        "address": v.address,
        "notes": v.notes,
    }


def problem_to_dict(p: Problem) -> dict[str, Any]:
    """``problem.json`` for ``p``: every location in ``locations``, every unit-day written in full.

    :func:`problem_from_dict` gives ``p`` back (travel ``None``, :class:`EstimateTravel` or
    :class:`MatrixTravel`). Raises ``ValueError`` for two different locations sharing an id.
    """
    weights = {
        name: (seconds_to_minutes(value) if name == "balance_target" else value)
        for name, value in asdict(p.weights).items()
    }
    out: dict[str, Any] = {
        "schema": PROBLEM_SCHEMA,
        "name": p.name,
        "dates": [d.isoformat() for d in p.dates],
        "weights": weights,
    }
    if p.travel is not None:
        out["travel"] = _travel_out(p.travel)
    out["locations"] = [_location_out(loc) for loc in _all_locations(p)]
    out["staff"] = [{"id": s.id, "name": s.name, "roles": list(s.roles)} for s in p.staff]
    out["units"] = [
        {
            "id": u.id,
            "name": u.name,
            "base": u.base.id,
            "capacity": u.capacity,
            "speed_factor": u.speed_factor,
            "weekly_max_work": _maybe(u.weekly_max_work, seconds_to_minutes),
            **({"weekly_worked": seconds_to_minutes(u.weekly_worked)} if u.weekly_worked else {}),
        }
        for u in p.units
    ]
    out["days"] = [_day_out(day) for day in p.unit_days]
    out["visits"] = [_visit_out(v) for v in p.visits]
    return out


# --- plan.json -----------------------------------------------------------------------------

_PLAN_KEYS = (
    "schema",
    "problem",
    "seed",
    "time_limit",
    "wall_time",
    "objective",
    "status",
    "travel_model",
    "summary",
    "routes",
    "unassigned",
)
_ROUTE_KEYS = ("unit", "date", "crew", "depart", "arrive", "summary", "steps")
_STEP_KEYS: Mapping[str, tuple[str, ...]] = {
    "start": ("type", "location", "time"),
    "visit": ("type", "visit", "occurrence", "location", "arrival", "start", "end", "travel_s", "distance_m"),
    "break": ("type", "start", "end", "after_stop"),
    "end": ("type", "location", "time", "travel_s", "distance_m"),
}
_UNASSIGNED_KEYS = ("visit", "occurrence", "reason", "message_el", "message_en", "details")


def _km_out(metres: int) -> float:
    """Kilometres rounded to 0.1, for summaries."""
    return round(metres / 1000, 1)


def _min_out(seconds: int) -> float:
    """Minutes rounded to 0.1, for summaries."""
    return round(seconds / 60, 1)


def _totals(routes: Sequence[Route]) -> dict[str, float]:
    """Distance and time totals over ``routes``, in km and minutes rounded to 0.1."""
    return {
        "km": _km_out(sum(r.distance for r in routes)),
        "driving_min": _min_out(sum(r.drive_time for r in routes)),
        "service_min": _min_out(sum(r.service_time for r in routes)),
        "waiting_min": _min_out(sum(r.waiting_time for r in routes)),
        "break_min": _min_out(sum(r.rest.duration for r in routes if r.rest is not None)),
        "work_min": _min_out(sum(r.work_time for r in routes)),
    }


def _route_out(route: Route, problem: Problem, crews: Mapping[tuple[str, date], UnitDay]) -> dict[str, Any]:
    """A ``routes`` entry: the break step goes right after visit step ``after_stop``."""
    day = crews.get((route.unit_id, route.date))
    base = problem.unit(route.unit_id).base.id
    steps: list[dict[str, Any]] = [{"type": "start", "location": base, "time": format_time(route.depart)}]
    steps += [
        {
            "type": "visit",
            "visit": s.visit_id,
            "occurrence": s.occurrence,
            "location": problem.visit(s.visit_id).location.id,
            "arrival": format_time(s.arrival),
            "start": format_time(s.start),
            "end": format_time(s.end),
            "travel_s": s.travel,
            "distance_m": s.distance,
        }
        for s in route.stops
    ]
    if route.rest is not None:
        rest = route.rest
        steps.insert(
            1 + min(max(rest.after_stop, 0), len(route.stops)),
            {
                "type": "break",
                "start": format_time(rest.start),
                "end": format_time(rest.start + rest.duration),
                "after_stop": rest.after_stop,
            },
        )
    steps.append(
        {
            "type": "end",
            "location": base,
            "time": format_time(route.arrive),
            "travel_s": route.return_travel,
            "distance_m": route.return_distance,
        }
    )
    return {
        "unit": route.unit_id,
        "date": route.date.isoformat(),
        "crew": [m.staff_id for m in day.crew] if day is not None else [],
        "depart": format_time(route.depart),
        "arrive": format_time(route.arrive),
        "summary": {"stops": len(route.stops), **_totals([route])},
        "steps": steps,
    }


def plan_to_dict(plan: Plan, problem: Problem) -> dict[str, Any]:
    """``plan.json`` for ``plan`` of ``problem`` (which gives crews, locations and priorities).

    Raises ``KeyError`` if the plan names a unit or visit that the problem does not have.
    """
    crews = {(day.unit_id, day.date): day for day in problem.unit_days}
    served = [s.visit_id for r in plan.routes for s in r.stops]
    summary: dict[str, Any] = {
        "routes": len(plan.routes),
        "visits": sum(v.frequency for v in problem.visits),
        "served": len(served),
        "unassigned": len(plan.unassigned),
        "served_priority": sum(problem.visit(v).priority for v in served),
        "unserved_priority": sum(problem.visit(u.visit_id).priority for u in plan.unassigned),
        **_totals(plan.routes),
    }
    unassigned = [
        {
            "visit": u.visit_id,
            "occurrence": u.occurrence,
            "reason": u.reason,
            "message_el": u.message_el,
            "message_en": u.message_en,
            "details": dict(u.details),
        }
        for u in plan.unassigned
    ]
    return {
        "schema": PLAN_SCHEMA,
        "problem": plan.problem_name,
        "seed": plan.seed,
        "time_limit": plan.time_limit,
        "wall_time": plan.wall_time,
        "objective": plan.objective,
        "status": plan.status,
        "travel_model": plan.travel_model,
        "summary": summary,
        "routes": [_route_out(r, problem, crews) for r in plan.routes],
        "unassigned": unassigned,
    }


def _read_step(value: object, path: str) -> tuple[str, _Object]:
    """A route step: its ``type`` and its fields."""
    return _tagged(value, path, "type", _STEP_KEYS)


def _read_stop(step: _Object) -> Stop:
    """A ``visit`` step."""
    return Stop(
        visit_id=step.req("visit", _id),
        occurrence=step.opt("occurrence", _non_negative_int, 0),
        arrival=step.req("arrival", parse_time),
        start=step.req("start", parse_time),
        end=step.req("end", parse_time),
        travel=step.req("travel_s", _non_negative_int),
        distance=step.req("distance_m", _non_negative_int),
    )


def _read_break_step(step: _Object, stops_before: int) -> BreakStep:
    """A ``break`` step found after ``stops_before`` visit steps (``after_stop`` must agree)."""
    start = step.req("start", parse_time)
    end = step.req(
        "end",
        _where(
            parse_time,
            lambda t: t >= start,
            f"at or after {format_time(start)}",
            f"{format_time(start)} ή αργότερα",
        ),
    )
    step.opt(
        "after_stop",
        _where(
            _integer,
            lambda n: n == stops_before,
            f"{stops_before}, the number of visit steps before it",
            f"{stops_before}, όσα τα βήματα επίσκεψης πριν από αυτό",
        ),
        stops_before,
    )
    return BreakStep(start=start, duration=end - start, after_stop=stops_before)


def _read_route(value: object, path: str) -> Route:
    """A ``routes`` entry: start step, visit steps with at most one break, end step."""
    obj = _Object(value, path, _ROUTE_KEYS)
    unit_id, day = obj.req("unit", _id), obj.req("date", _date)
    steps = obj.req("steps", _list(_read_step))
    if len(steps) < 2 or steps[0][0] != "start" or steps[-1][0] != "end":
        raise SchemaError(
            obj.at("steps"),
            "must begin with a start step and finish with an end step",
            "πρέπει να αρχίζει με βήμα start και να τελειώνει με βήμα end",
        )
    first, last = steps[0][1], steps[-1][1]
    stops: list[Stop] = []
    rest: BreakStep | None = None
    for kind, step in steps[1:-1]:
        if kind == "visit":
            stops.append(_read_stop(step))
        elif kind == "break" and rest is None:
            rest = _read_break_step(step, len(stops))
        else:
            raise SchemaError(
                step.path,
                f"unexpected {kind} step: a route is start, visits (with at most one break among them), end",
                f"απρόσμενο βήμα {kind}: μια διαδρομή είναι start, επισκέψεις (ένα διάλειμμα το πολύ), end",
            )
    depart, arrive = first.req("time", parse_time), last.req("time", parse_time)
    obj.opt(
        "depart",
        _where(parse_time, lambda t: t == depart, "the start step's time", "η ώρα του βήματος start"),
        depart,
    )
    obj.opt(
        "arrive",
        _where(parse_time, lambda t: t == arrive, "the end step's time", "η ώρα του βήματος end"),
        arrive,
    )
    return Route(
        unit_id=unit_id,
        date=day,
        depart=depart,
        arrive=arrive,
        stops=tuple(stops),
        return_travel=last.req("travel_s", _non_negative_int),
        return_distance=last.req("distance_m", _non_negative_int),
        rest=rest,
    )


def _read_unassigned(value: object, path: str) -> Unassigned:
    """An ``unassigned`` entry."""
    obj = _Object(value, path, _UNASSIGNED_KEYS)
    return Unassigned(
        visit_id=obj.req("visit", _id),
        occurrence=obj.opt("occurrence", _non_negative_int, 0),
        reason=obj.req("reason", _id),
        message_el=obj.opt("message_el", _string, ""),
        message_en=obj.opt("message_en", _string, ""),
        details=obj.opt("details", _json_object, {}),
    )


def plan_from_dict(d: Mapping[str, Any], problem: Problem | None = None) -> Plan:
    """The :class:`Plan` in a parsed ``plan.json``: routes, stops, breaks and unassigned, exact to the second.

    The summaries and route crews are derived data and are not read back. Given its
    ``problem``, a step's ``location`` must also be the one the problem gives it (the unit's
    base for the start and end steps, the visit's place for a visit step).
    """
    top = _Object(d, "", _PLAN_KEYS)
    _check_schema(top, PLAN_SCHEMA)
    plan = Plan(
        problem_name=top.req("problem", _string),
        routes=top.req("routes", _list(_read_route)),
        unassigned=top.opt("unassigned", _list(_read_unassigned), ()),
        objective=top.opt("objective", _integer, 0),
        seed=top.opt("seed", _integer, 0),
        time_limit=top.opt("time_limit", _number, 0.0),
        wall_time=top.opt("wall_time", _number, 0.0),
        status=top.opt("status", _string, ""),
        travel_model=top.opt("travel_model", _string, ""),
    )
    if problem is not None:
        _check_step_locations(d, plan, problem)
    return plan


def _check_step_locations(d: Mapping[str, Any], plan: Plan, problem: Problem) -> None:
    """Refuse a step whose ``location`` is not the place the problem gives it."""
    units = {u.id: u for u in problem.units}
    visits = {v.id: v for v in problem.visits}
    for i, (raw, route) in enumerate(zip(d["routes"], plan.routes, strict=True)):
        unit = units.get(route.unit_id)
        for j, step in enumerate(raw["steps"]):
            if "location" not in step:
                continue
            kind = step["type"]
            if kind in ("start", "end"):
                want = unit.base.id if unit is not None else None
            elif kind == "visit":
                visit = visits.get(step["visit"])
                want = visit.location.id if visit is not None else None
            else:
                continue
            if want is not None and step["location"] != want:
                what = "the unit's base" if kind != "visit" else f"visit {_show(step['visit'])}'s place"
                what_el = (
                    "η βάση της μονάδας"
                    if kind != "visit"
                    else f"ο τόπος της επίσκεψης {_show(step['visit'])}"
                )
                raise SchemaError(
                    f"routes[{i}].steps[{j}].location",
                    f"{_show(step['location'])} is not {what}, {_show(want)}",
                    f"το {_show(step['location'])} δεν είναι {what_el}, {_show(want)}",
                )


# --- files ---------------------------------------------------------------------------------


def _read_json(path: str | Path) -> Any:
    """Parse a UTF-8 JSON file (a leading byte-order mark is allowed); syntax errors become SchemaError."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise SchemaError(
            "",
            f"not UTF-8 text (byte {e.start}); save it as UTF-8",
            f"δεν είναι κείμενο UTF-8 (byte {e.start}); αποθηκεύστε το ως UTF-8",
        ) from None
    if not text.strip():
        raise SchemaError("", "the file is empty", "το αρχείο είναι κενό")
    try:
        return json.loads(text, object_pairs_hook=_no_repeated_keys, parse_int=_json_int)
    except _LongNumber as e:  # Python's own message named no place, in English only, for programmers
        at = text.find(e.literal)
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        shown = e.literal[:12] + "…"
        raise SchemaError(
            "",
            f"a number of {len(e.literal)} digits at line {line}, column {column} ({shown}): no field "
            "takes one",
            f"αριθμός {len(e.literal)} ψηφίων στη γραμμή {line}, στήλη {column} ({shown}): κανένα πεδίο δεν "
            "παίρνει τέτοιον",
            line=line,
            column=column,
        ) from None
    except RecursionError:
        raise SchemaError(
            "", "nested too deeply to be a Kinito file", "υπερβολικά βαθιά εμφώλευση για αρχείο του Kinito"
        ) from None
    except json.JSONDecodeError as e:
        raise SchemaError(
            "",
            f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}",
            f"μη έγκυρο JSON στη γραμμή {e.lineno}, στήλη {e.colno}",
            line=e.lineno,
            column=e.colno,
        ) from None


_LONGEST_INT = 40  # digits: no field of a Kinito file needs more (a seed has at most 18)


class _LongNumber(Exception):
    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal


def _json_int(literal: str) -> int:
    """A JSON integer; one longer than any field takes is refused where it stands (Python's own
    limit, 4,300 digits, answered in English with advice for programmers)."""
    if len(literal.lstrip("-")) > _LONGEST_INT:
        raise _LongNumber(literal)
    return int(literal)


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are each given once: as an unknown key is refused so that a
    typo is not ignored, a key given twice (a block pasted into another) is refused rather
    than the last one silently winning."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SchemaError(
                "",
                f'the key "{key}" is given twice in one object',
                f"το κλειδί «{key}» δίνεται δύο φορές στο ίδιο αντικείμενο",
            )
        out[key] = value
    return out


def _from_file(path: str | Path, read: Callable[[Any], T]) -> T:
    """``read`` of the JSON in ``path``; a SchemaError names the file too."""
    try:
        return read(_read_json(path))
    except SchemaError as e:
        e.file = str(path)
        raise


def load_problem(path: str | Path) -> Problem:
    """Read and check a ``problem.json`` file."""

    def read(d: Any) -> Problem:
        if isinstance(d, Mapping) and "routes" in d and "visits" not in d:
            raise SchemaError(
                "",
                "this is a plan file, not a problem file (kinito validate PROBLEM PLAN)",
                "αυτό είναι αρχείο πλάνου, όχι προβλήματος",
            )
        return problem_from_dict(d)

    return _from_file(path, read)


def load_plan(path: str | Path, problem: Problem | None = None) -> Plan:
    """Read a ``plan.json`` file (checked against its ``problem`` when given, see
    :func:`plan_from_dict`)."""

    def read(d: Any) -> Plan:
        if isinstance(d, Mapping) and "visits" in d and "routes" not in d:
            raise SchemaError(
                "",
                "this is a problem file, not a plan file (kinito validate PROBLEM PLAN)",
                "αυτό είναι αρχείο προβλήματος, όχι πλάνου",
            )
        return plan_from_dict(d, problem)

    return _from_file(path, read)


def save_json(path: str | Path, obj: object) -> None:
    """Write ``obj`` as UTF-8 JSON (Greek left readable, one-space indent, final newline): the
    whole text first into a file beside ``path``, then put in its place, so that a write that
    fails (a full disk) never leaves a truncated file where an earlier one was. A link is
    followed (the file it names is written, the link stays) and an earlier file's permissions
    are kept. A path that exists and is not a regular file (a device, a pipe) is refused
    (``ValueError``): the rename would replace it with a file."""
    data = (json.dumps(obj, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode("utf-8")
    target = Path(path).resolve() if Path(path).is_symlink() else Path(path)  # the file a link names
    if Path(path).exists() and not Path(path).is_file():  # stat follows the link (/dev/stdout too)
        raise ValueError(
            f"{path}: δεν είναι κανονικό αρχείο (φάκελος, συσκευή, σωλήνας) και δεν θα αντικατασταθεί / "
            "is not a regular file (a folder, a device, a pipe) and will not be replaced"
        )
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        if target.exists():  # keep who may read it: a plan names people and their addresses
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
