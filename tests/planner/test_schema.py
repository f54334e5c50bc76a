"""Tests for planner.schema: the problem.json / plan.json contract of docs/schema.md."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planner.model import (
    HOUR,
    MINUTE,
    BreakRule,
    BreakStep,
    CrewMember,
    Location,
    Plan,
    Problem,
    Route,
    StaffMember,
    Stop,
    TimeWindow,
    Unassigned,
    Unit,
    UnitDay,
    Visit,
    Weights,
)
from planner.schema import (
    SchemaError,
    format_time,
    iso_week_dates,
    load_plan,
    load_problem,
    minutes_to_seconds,
    parse_time,
    plan_from_dict,
    plan_to_dict,
    problem_from_dict,
    problem_to_dict,
    save_json,
    weekday_name,
    weekday_number,
)
from planner.travel import EstimateTravel, MatrixTravel, TerrainSpeed

FIXTURES = Path(__file__).parent / "fixtures"
MON, TUE, WED, THU, FRI = iso_week_dates("2026-W50")


def tw(start: str, end: str) -> TimeWindow:
    """A time window from two "HH:MM" strings."""
    return TimeWindow(parse_time(start), parse_time(end))


BASE = Location("base", 38.2498, 22.0816, "Κέντρο Κοινότητας", "plain")
KALAVRYTA = Location("loc-kal", 38.0322, 22.1108, "Καλάβρυτα", "mountainous")
VILLAGE = Location("loc-vil", 38.1, 22.2, "Χωριό", "semi_mountainous")


def make_problem(travel: Any = None) -> Problem:
    """A small problem using every feature of the model, built with the dataclasses."""
    units = (
        Unit("van1", "Κινητή μονάδα", BASE, capacity=10, weekly_max_work=None, speed_factor=0.9),
        Unit("van2", "Δεύτερη μονάδα", BASE, weekly_worked=90 * MINUTE),
    )
    staff = (
        StaffMember("sw1", "Κοινωνική λειτουργός", ("social_worker",)),
        StaffMember("psy", "Ψυχολόγος", ("psychologist", "social_worker")),
    )
    days = (
        *(UnitDay(u.id, d) for d in (MON, TUE, WED) for u in units),
        UnitDay("van1", THU, crew=(CrewMember("sw1"), CrewMember("psy", tw("08:00", "12:30")))),
        UnitDay("van2", THU, available=False, note="σέρβις"),
        UnitDay(
            "van1",
            FRI,
            shift=tw("08:00", "20:00"),
            pilot=True,
            max_work=11 * HOUR + 30,
            max_drive=4 * HOUR,
            break_rule=None,
            crew=(CrewMember("psy"),),
        ),
        UnitDay(
            "van2",
            FRI,
            regular_end=15 * HOUR,
            break_rule=BreakRule(45 * MINUTE, tw("11:00", "14:30"), 5 * HOUR),
        ),
    )
    visits = (
        Visit(
            "hv-001",
            KALAVRYTA,
            45 * MINUTE,
            name="Ωφελούμενος 001",
            time_windows=(tw("09:00", "13:00"),),
            weekday_windows={4: (tw("10:00", "12:00"), tw("13:00:30", "14:00"))},
            allowed_weekdays=frozenset({0, 1, 2, 3, 4}),
            required_role="social_worker",
            priority=3,
            load=1,
            pinned_date=TUE,
            pinned_time=parse_time("10:15"),
            phone="2691000000",
            address="Οδός 1",
            notes="σημείωση",
        ),
        Visit(
            "vs-001",
            VILLAGE,
            90 * MINUTE + 30,
            kind="village_stop",
            frequency=2,
            min_gap_days=2,
            patterns=((MON, WED), (TUE, THU)),
            preferred_weekday=0,
            preferred_dates=frozenset({MON, WED}),
            preferred_units=frozenset({"van1"}),
            preferred_times={MON: 9 * HOUR + 30 * MINUTE + 15, WED: 14 * HOUR},
            preferred_day_units={WED: "van1"},  # written {"time": "14:00", "unit": "van1"}
            required_staff="psy",
        ),
        Visit("hv-002", BASE, 0, allowed_weekdays=frozenset()),
    )
    weights = Weights(
        unserved=500_000,
        travel=2,
        after_hours=3,
        off_preferred_weekday=900,
        moved=1200,
        balance=1,
        balance_target=5 * HOUR + 30,
    )
    return Problem("Δοκιμή", (MON, TUE, WED, THU, FRI), units, days, staff, visits, weights, travel)


def minimal_dict() -> dict[str, Any]:
    """The smallest valid problem.json: one unit, one staff member, one visit."""
    return {
        "schema": "kinito.problem/1",
        "week": "2026-W50",
        "locations": [{"id": "base", "lat": 38.25, "lon": 22.08}],
        "staff": [{"id": "sw1", "roles": ["social_worker"]}],
        "units": [{"id": "van1", "base": "base"}],
        "days": [{"date": "2026-12-07", "unit": "van1", "crew": ["sw1"]}],
        "visits": [
            {
                "id": "hv-001",
                "location": "base",
                "service": 45,
                "frequency": 2,
                "time_windows": [["09:00", "13:00"]],
            }
        ],
    }


def error_of(d: dict[str, Any]) -> SchemaError:
    """The SchemaError that reading ``d`` raises."""
    with pytest.raises(SchemaError) as info:
        problem_from_dict(d)
    return info.value


# --- units -------------------------------------------------------------------------------------


def test_parse_time_reads_minutes_and_seconds() -> None:
    """ "HH:MM" and "HH:MM:SS" become seconds since midnight."""
    assert parse_time("08:00") == 8 * HOUR
    assert parse_time("13:05:30") == 13 * HOUR + 5 * MINUTE + 30
    assert parse_time("23:59:59") == 24 * HOUR - 1


@pytest.mark.parametrize("text", ["24:00", "25:00", "12:60", "12:00:60", "noon", "", "8h", 480, None])
def test_parse_time_refuses_what_is_not_a_time_of_day(text: object) -> None:
    """Times of 24 h or more, bad minutes and non-strings are refused with the path."""
    with pytest.raises(SchemaError, match=r"^t: .* is not a time of day \(HH:MM or HH:MM:SS\)$") as info:
        parse_time(text, "t")
    assert info.value.path == "t"


def test_format_time_writes_seconds_and_refuses_out_of_day() -> None:
    """format_time gives HH:MM:SS (HH:MM when short and whole) and refuses times outside a day."""
    assert format_time(8 * HOUR + 31 * MINUTE + 5) == "08:31:05"
    assert format_time(9 * HOUR) == "09:00:00"
    assert format_time(9 * HOUR, short=True) == "09:00"
    assert format_time(9 * HOUR + 1, short=True) == "09:00:01"
    with pytest.raises(ValueError):
        format_time(24 * HOUR)
    with pytest.raises(ValueError):
        format_time(-1)


def test_minutes_to_seconds_rounds_to_the_second() -> None:
    """Fractional minutes are kept to the nearest second."""
    assert minutes_to_seconds(45) == 2700
    assert minutes_to_seconds(7.5) == 450
    assert minutes_to_seconds(1 / 7) == 9


def test_weekday_names_map_to_numbers_and_back() -> None:
    """mon..sun are 0..6 both ways; anything else is a ValueError."""
    assert [weekday_number(n) for n in ("mon", "fri", "sun")] == [0, 4, 6]
    assert [weekday_name(i) for i in range(7)] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    with pytest.raises(ValueError):
        weekday_number("Mon")
    with pytest.raises(ValueError):
        weekday_name(7)


def test_iso_week_gives_monday_to_friday() -> None:
    """2026-W50 is Monday 7 to Friday 11 December 2026."""
    assert iso_week_dates("2026-W50") == tuple(date(2026, 12, d) for d in range(7, 12))
    assert iso_week_dates("2026-W53")[0] == date(2026, 12, 28)  # 2026 has 53 ISO weeks


@pytest.mark.parametrize(
    ("week", "said"),
    [
        ("2025-W53", "week 53 of 2025 does not exist: 2025 has weeks 01 to 52"),
        ("2026-W00", "is not an ISO week"),
        ("2026-50", "is not an ISO week"),
        ("2026-W5", "is not an ISO week"),
        (202650, "is not an ISO week"),
    ],
)
def test_iso_week_refuses_weeks_that_do_not_exist(week: object, said: str) -> None:
    """A week number that the year does not have (said so), or a malformed one, is refused."""
    with pytest.raises(SchemaError, match=said):
        iso_week_dates(week, "week")


# --- problem.json: round trip and defaults -----------------------------------------------------

TRAVELS = [
    None,
    EstimateTravel(),
    EstimateTravel(
        terrain={
            "plain": TerrainSpeed(1.2, 55.0),
            "semi_mountainous": TerrainSpeed(1.5, 41.5),
            "mountainous": TerrainSpeed(1.75, 28.0),
        },
        stop_overhead=95,
    ),
    MatrixTravel(
        ids=("base", "loc-kal", "loc-vil"),
        durations=((0, 1861, 1200), (1859, 0, 901), (1201, 900, 0)),
        distances=((0, 24100, 15003), (24099, 0, 9000), (15000, 9001, 0)),
    ),
]


@pytest.mark.parametrize("travel", TRAVELS, ids=["none", "estimate", "estimate-custom", "matrix"])
def test_problem_round_trips_through_json(travel: Any) -> None:
    """problem_from_dict(problem_to_dict(p)) == p, also through JSON text."""
    p = make_problem(travel)
    text = json.dumps(problem_to_dict(p), ensure_ascii=False)
    assert problem_from_dict(json.loads(text)) == p


def test_problem_to_dict_writes_locations_by_id_and_every_day_in_full() -> None:
    """Locations are listed once and referenced by id; every unit-day carries every field."""
    d = problem_to_dict(make_problem())
    assert [loc["id"] for loc in d["locations"]] == ["base", "loc-kal", "loc-vil"]
    assert [v["location"] for v in d["visits"]] == ["loc-kal", "loc-vil", "base"]
    assert len(d["days"]) == 10
    assert all(set(day) == set(d["days"][0]) for day in d["days"])
    assert d["visits"][0]["weekday_windows"] == {"fri": [["10:00", "12:00"], ["13:00:30", "14:00"]]}
    assert d["visits"][1]["service"] == 90.5


def test_problem_to_dict_refuses_two_locations_with_one_id() -> None:
    """Two different locations under one id cannot be written by reference."""
    p = make_problem()
    clash = Visit("hv-009", Location("loc-kal", 0.0, 0.0), 60)
    with pytest.raises(ValueError, match="loc-kal"):
        problem_to_dict(Problem(p.name, p.dates, p.units, p.unit_days, p.staff, (*p.visits, clash)))


def test_defaults_fill_the_fields_a_day_entry_leaves_out() -> None:
    """A days entry takes shift, limits and break from defaults; its own fields win."""
    d = minimal_dict()
    d["defaults"] = {
        "shift": ["09:00", "17:00"],
        "max_work": 420,
        "max_drive": 240,
        "weekly_max_work": None,
        "break": {"duration": 45},
    }
    d["days"].append(
        {
            "date": "2026-12-08",
            "unit": "van1",
            "shift": ["07:30", "20:00"],
            "pilot": True,
            "break": {"window": ["13:00", "16:00"]},
        }
    )
    p = problem_from_dict(d)
    mon, tue = p.unit_days[0], p.unit_days[1]
    assert mon.shift == tw("09:00", "17:00")
    assert mon.regular_end == parse_time("17:00")  # defaults.regular_end: the end of defaults.shift
    assert (mon.max_work, mon.max_drive) == (420 * MINUTE, 240 * MINUTE)
    assert mon.break_rule == BreakRule(45 * MINUTE, tw("12:00", "15:00"), 6 * HOUR)
    assert (tue.shift, tue.pilot, tue.regular_end) == (tw("07:30", "20:00"), True, parse_time("17:00"))
    assert tue.break_rule == BreakRule(45 * MINUTE, tw("13:00", "16:00"), 6 * HOUR)
    assert p.units[0].weekly_max_work is None


def test_a_date_without_a_day_entry_is_a_default_day_with_no_crew() -> None:
    """Every unit gets a day for every horizon date; those without an entry have no crew."""
    p = problem_from_dict(minimal_dict())
    assert [(day.date, day.unit_id) for day in p.unit_days] == [(d, "van1") for d in p.dates]
    assert p.unit_days[0].crew == (CrewMember("sw1"),)
    for day in p.unit_days[1:]:
        assert day == UnitDay("van1", day.date)
        assert day.crew == ()


def test_break_null_means_no_break_rule() -> None:
    """ "break": null in defaults gives every default day no break rule."""
    d = minimal_dict()
    d["defaults"] = {"break": None}
    assert all(day.break_rule is None for day in problem_from_dict(d).unit_days)


def test_crew_entries_are_ids_or_part_time_objects() -> None:
    """A crew entry is a staff id or {"staff", "hours"} for someone aboard part of the day."""
    d = minimal_dict()
    d["staff"].append({"id": "sw3"})
    d["days"][0]["crew"] = ["sw1", {"staff": "sw3", "hours": ["08:00", "12:00"]}]
    crew = problem_from_dict(d).unit_days[0].crew
    assert crew == (CrewMember("sw1"), CrewMember("sw3", tw("08:00", "12:00")))


def test_dates_give_the_horizon_and_week_only_checks_them() -> None:
    """Explicit dates are the horizon (a Saturday too); with week given they must lie in it."""
    d = minimal_dict()
    d["dates"] = ["2026-12-07", "2026-12-12"]
    assert problem_from_dict(d).dates == (MON, date(2026, 12, 12))
    d["dates"] = ["2026-12-07", "2026-12-14"]
    assert error_of(d).path == "dates[1]"


def test_a_horizon_over_two_weeks_with_a_weekly_cap_is_refused() -> None:
    """The weekly cap counts one ISO week: dates of two weeks with a cap (the default 40 h) are
    refused, naming the weeks and what to do (the engine and the validator summed the two
    weeks' hours against one week's cap); without a cap they are read."""
    d = minimal_dict()
    del d["week"]
    d["dates"] = ["2026-12-07", "2026-12-14"]
    err = error_of(d)
    assert err.path == "dates" and "2026-W50, 2026-W51" in str(err) and "weekly_max_work" in str(err)
    assert "εβδομάδες ISO" in err.detail_el
    d["units"][0]["weekly_max_work"] = None
    assert problem_from_dict(d).dates == (MON, date(2026, 12, 14))


def test_inline_location_objects_join_the_locations() -> None:
    """A visit's inline location object is read and can then be referenced by id."""
    d = minimal_dict()
    inline = {"id": "x", "name": "Χ", "lat": 38.0, "lon": 22.0, "terrain": "mountainous"}
    d["visits"][0]["location"] = inline
    d["visits"].append({"id": "hv-002", "location": "x", "service": 30})
    p = problem_from_dict(d)
    assert p.visits[0].location == p.visits[1].location == Location("x", 38.0, 22.0, "Χ", "mountainous")


def test_travel_matrix_form_reads_minutes_and_kilometres() -> None:
    """The matrix travel model converts minutes to seconds and km to metres."""
    d = minimal_dict()
    d["locations"].append({"id": "far", "lat": 38.0, "lon": 22.1})
    d["visits"][0]["location"] = "far"
    d["travel"] = {
        "model": "matrix",
        "ids": ["base", "far"],
        "durations": [[0, 31], [30.5, 0]],
        "distances": [[0, 24.1], [24.0, 0]],
    }
    travel = problem_from_dict(d).travel
    assert travel == MatrixTravel(("base", "far"), ((0, 1860), (1830, 0)), ((0, 24100), (24000, 0)))


def test_travel_estimate_form_fills_terrain_defaults() -> None:
    """An estimate model takes stop_overhead in minutes and keeps default terrain classes left out."""
    d = minimal_dict()
    d["travel"] = {"model": "estimate", "stop_overhead": 1.5, "terrain": {"plain": {"speed_kmh": 60}}}
    travel = problem_from_dict(d).travel
    assert isinstance(travel, EstimateTravel)
    assert travel.stop_overhead == 90
    assert travel.terrain["plain"] == TerrainSpeed(1.30, 60.0)
    assert travel.terrain["mountainous"] == EstimateTravel().terrain["mountainous"]


def test_load_problem_reads_the_utf8_fixture() -> None:
    """The fixture file, with Greek names and every kind of field, loads as documented."""
    p = load_problem(FIXTURES / "schema_problem.json")
    assert p.name.startswith("Αιγιάλεια")
    assert p.dates == (MON, TUE, WED, THU, FRI)
    assert p.staff_member("psy").roles == ("psychologist",)
    wed = next(day for day in p.unit_days if day.date == WED)
    assert (wed.pilot, wed.shift.end, wed.note) == (True, 20 * HOUR, "πιλοτική ημέρα")
    assert not next(day for day in p.unit_days if day.date == FRI).available
    assert p.visit("vs-001").patterns == ((MON, WED), (TUE, THU))
    assert p.visit("vs-001").preferred_weekday == 0
    assert p.visit("hv-001").windows_on(FRI) == (tw("10:00", "12:00"),)
    assert isinstance(p.travel, EstimateTravel) and p.travel.stop_overhead == 120


# --- problem.json: errors name the field ----------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    """A mutation that sets the field at ``path`` (keys and indexes) to ``value``."""

    def mutate(d: dict[str, Any]) -> None:
        target = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _drop(path: tuple[Any, ...]) -> Mutation:
    """A mutation that removes the field at ``path``."""

    def mutate(d: dict[str, Any]) -> None:
        target = d
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


BAD_PROBLEMS: list[tuple[str, Mutation, str, str]] = [
    (
        "bad time",
        _set(("visits", 0, "time_windows"), [["09:00", "13:00"], ["25:00", "26:00"]]),
        "visits[0].time_windows[1]",
        '"25:00" is not a time of day (HH:MM or HH:MM:SS)',
    ),
    (
        "window ends first",
        _set(("visits", 0, "time_windows", 0), ["13:00", "09:00"]),
        "visits[0].time_windows[0]",
        "ends (09:00) before it starts (13:00)",
    ),
    (
        "visit key typo",
        _set(("visits", 0, "servce"), 30),
        "visits[0].servce",
        'unknown field; did you mean "service"? allowed: id, kind',
    ),
    ("top-level key typo", _set(("visit",), []), "visit", "unknown field"),
    ("day key typo", _set(("days", 0, "shfit"), ["08:00", "16:00"]), "days[0].shfit", 'did you mean "shift"'),
    ("unit key typo", _set(("units", 0, "speed"), 1), "units[0].speed", "unknown field"),
    (
        "unknown staff in crew",
        _set(("days", 0, "crew"), ["sw1", "sw9"]),
        "days[0].crew[1]",
        'must be a known staff id (sw1), got "sw9"',
    ),
    (
        "unknown staff in part-time crew",
        _set(("days", 0, "crew"), [{"staff": "sw9"}]),
        "days[0].crew[0].staff",
        "known staff id",
    ),
    (
        "crew member twice",
        _set(("days", 0, "crew"), ["sw1", {"staff": "sw1", "hours": ["08:00", "12:00"]}]),
        "days[0].crew[1]",
        'duplicate "sw1"',
    ),
    ("unknown unit in day", _set(("days", 0, "unit"), "van9"), "days[0].unit", "known unit id"),
    ("day outside horizon", _set(("days", 0, "date"), "2026-12-14"), "days[0].date", "a date of the horizon"),
    (
        "unknown location",
        _set(("visits", 0, "location"), "nowhere"),
        "visits[0].location",
        "known location id",
    ),
    ("unknown base", _set(("units", 0, "base"), "nowhere"), "units[0].base", "known location id"),
    (
        "unknown required staff",
        _set(("visits", 0, "required_staff"), "sw9"),
        "visits[0].required_staff",
        "known staff id",
    ),
    (
        "pattern with wrong count",
        _set(("visits", 0, "patterns"), [["2026-12-07", "2026-12-09"], ["2026-12-08"]]),
        "visits[0].patterns[1]",
        "expected 2 dates (the visit's frequency), got 1",
    ),
    (
        "pattern date twice",
        _set(("visits", 0, "patterns"), [["2026-12-07", "2026-12-07"]]),
        "visits[0].patterns[0][1]",
        "duplicate",
    ),
    (
        "pattern date outside horizon",
        _set(("visits", 0, "patterns"), [["2026-12-07", "2026-12-14"]]),
        "visits[0].patterns[0][1]",
        "a date of the horizon",
    ),
    (
        "pinned date outside horizon",
        _set(("visits", 0, "pinned_date"), "2026-12-14"),
        "visits[0].pinned_date",
        'must be a date of the horizon (2026-12-07 .. 2026-12-11), got "2026-12-14"',
    ),
    (
        "pinned time alone",
        _set(("visits", 0, "pinned_time"), "10:00"),
        "visits[0].pinned_time",
        "needs a pinned_date",
    ),
    (
        "priority of wrong type",
        _set(("visits", 0, "priority"), "high"),
        "visits[0].priority",
        'expected an integer, got "high"',
    ),
    (
        "priority as boolean",
        _set(("visits", 0, "priority"), True),
        "visits[0].priority",
        "expected an integer, got true",
    ),
    (
        "priority zero",
        _set(("visits", 0, "priority"), 0),
        "visits[0].priority",
        "must be from 1 to 1,000, got 0",
    ),
    (
        "priority huge",
        _set(("visits", 0, "priority"), 10**20),
        "visits[0].priority",
        "must be from 1 to 1,000",
    ),
    ("frequency zero", _set(("visits", 0, "frequency"), 0), "visits[0].frequency", "must be from 1 to 366"),
    (
        "frequency huge",
        _set(("visits", 0, "frequency"), 10**9),
        "visits[0].frequency",
        "must be from 1 to 366",
    ),
    ("negative service", _set(("visits", 0, "service"), -5), "visits[0].service", "must be from 0 to 10080"),
    ("service huge", _set(("visits", 0, "service"), 1e300), "visits[0].service", "must be from 0 to 10080"),
    ("load huge", _set(("visits", 0, "load"), 10**30), "visits[0].load", "must be from 0 to 1,000,000"),
    (
        "half a character",
        _set(("visits", 0, "id"), "v\ud83d"),
        "visits[0].id",
        "not valid Unicode text (half a character at position 1)",
    ),
    ("service missing", _drop(("visits", 0, "service")), "visits[0].service", "required field is missing"),
    ("service not a number", _set(("visits", 0, "service"), "45"), "visits[0].service", "expected a number"),
    ("bad kind", _set(("visits", 0, "kind"), "visit"), "visits[0].kind", "one of home_visit, village_stop"),
    (
        "bad weekday",
        _set(("visits", 0, "allowed_weekdays"), ["mon", "Tue"]),
        "visits[0].allowed_weekdays[1]",
        "is not a weekday",
    ),
    (
        "bad weekday window key",
        _set(("visits", 0, "weekday_windows"), {"fry": []}),
        "visits[0].weekday_windows.fry",
        "unknown field",
    ),
    (
        "bad terrain",
        _set(("locations", 0, "terrain"), "hilly"),
        "locations[0].terrain",
        "one of plain, semi_mountainous, mountainous",
    ),
    ("latitude out of range", _set(("locations", 0, "lat"), 138.0), "locations[0].lat", "between -90 and 90"),
    (
        "duplicate visit id",
        lambda d: d["visits"].append(dict(d["visits"][0])),
        "visits[1].id",
        'duplicate "hv-001" (also at [0])',
    ),
    (
        "duplicate location id",
        lambda d: d["locations"].append({"id": "base", "lat": 0, "lon": 0}),
        "locations[1].id",
        "duplicate",
    ),
    (
        "duplicate day",
        lambda d: d["days"].append({"date": "2026-12-07", "unit": "van1"}),
        "days[1]",
        'duplicate "van1 on 2026-12-07"',
    ),
    (
        "inline location clashes",
        _set(("visits", 0, "location"), {"id": "base", "lat": 1, "lon": 2}),
        "visits[0].location.id",
        "different location",
    ),
    ("wrong schema", _set(("schema",), "kinito.problem/2"), "schema", 'must be "kinito.problem/1"'),
    ("schema missing", _drop(("schema",)), "schema", "required field is missing"),
    ("no horizon", _drop(("week",)), "dates", 'give "dates" or "week"'),
    ("bad week", _set(("week",), "2026-W60"), "week", "is not an ISO week"),
    ("dates out of order", _set(("dates",), ["2026-12-08", "2026-12-07"]), "dates[1]", "must come after"),
    ("visits not a list", _set(("visits",), {}), "visits", "expected a list, got an object"),
    ("name not a string", _set(("name",), None), "name", "expected a string, got null"),
    ("bad weight", _set(("weights",), {"unserved": -1}), "weights.unserved", "must be from 0 to"),
    ("huge weight", _set(("weights",), {"travel": 10**18}), "weights.travel", "must be from 0 to"),
    (
        "negative work",
        _set(("units", 0, "weekly_worked"), -60),
        "units[0].weekly_worked",
        "must be from 0 to",
    ),
    ("crawling unit", _set(("units", 0, "speed_factor"), 1e-300), "units[0].speed_factor", "from 0.1 to 10"),
    (
        "bad preferred time",
        _set(("visits", 0, "preferred_times"), {"2026-12-07": "25:00"}),
        "visits[0].preferred_times.2026-12-07",
        "is not a time of day",
    ),
    (
        "unknown unit of a preferred time",
        _set(("visits", 0, "preferred_times"), {"2026-12-07": {"time": "09:00", "unit": "bus9"}}),
        "visits[0].preferred_times.2026-12-07.unit",
        "a known unit id",
    ),
    (
        "bad preferred date",
        _set(("visits", 0, "preferred_times"), {"7/12": "09:00"}),
        "visits[0].preferred_times.7/12",
        "is not a date",
    ),
    (
        "bad break",
        _set(("defaults",), {"break": {"duration": 30, "windows": []}}),
        "defaults.break.windows",
        "unknown field",
    ),
    ("bad travel model", _set(("travel",), {"model": "osrm"}), "travel.model", "one of estimate, matrix"),
    (
        "bad circuity",
        _set(("travel",), {"model": "estimate", "terrain": {"plain": {"circuity": 0.5}}}),
        "travel.terrain.plain.circuity",
        "must be from 1 to 10",
    ),
    (
        "tiny speed",
        _set(("travel",), {"model": "estimate", "terrain": {"mountainous": {"speed_kmh": 1e-300}}}),
        "travel.terrain.mountainous.speed_kmh",
        "must be from 1 to 300",
    ),
    (
        "matrix row short",
        _set(("travel",), {"model": "matrix", "ids": ["base"], "durations": [[]], "distances": [[0]]}),
        "travel.durations[0]",
        "expected 1 entries (one per id), got 0",
    ),
    (
        "matrix misses a location",
        _set(("travel",), {"model": "matrix", "ids": ["elsewhere"], "durations": [[0]], "distances": [[0]]}),
        "travel.ids",
        "no row for location(s) base",
    ),
]


def test_weights_the_engine_cannot_add_up_are_refused() -> None:
    """Leaving every visit out must cost less than the engine's 64-bit sums can hold: a pinned
    visit weighs as much again as all the others, and with ``weights.unserved`` 4e16 the demo
    week's pinned visit was silently dropped (the objective saturated)."""
    d = minimal_dict()
    d["visits"] = [
        {"id": f"v{k}", "location": "base", "service": 10, "priority": 1000, "frequency": 100}
        for k in range(10)
    ]
    d["visits"][0]["pinned_date"] = "2026-12-07"
    d["weights"] = {"unserved": 10**11}
    problem_from_dict(d)  # 2e17 in all: fits
    d["weights"] = {"unserved": 10**12}
    err = error_of(d)
    assert err.path == "weights.unserved" and "too large for this problem" in err.detail
    assert "at most about 5" in err.detail and "πολύ μεγάλο" in err.detail_el


@pytest.mark.parametrize(
    ("mutate", "path", "message"), [case[1:] for case in BAD_PROBLEMS], ids=[case[0] for case in BAD_PROBLEMS]
)
def test_bad_problem_is_refused_naming_the_field(mutate: Mutation, path: str, message: str) -> None:
    """Each kind of malformed problem gives a SchemaError whose path names the faulty field."""
    d = minimal_dict()
    d["visits"][0]["patterns"] = None
    mutate(d)
    err = error_of(d)
    assert err.path == path
    assert str(err).startswith(f"{path}: ")
    assert message in err.detail
    assert re.search("[α-ω]", err.detail_el) and str(err) == f"{path}: {err.detail_el} / {err.detail}"


def test_problem_from_dict_refuses_a_document_that_is_not_an_object() -> None:
    """A JSON list at the top level is refused."""
    with pytest.raises(SchemaError, match="expected an object, got an empty list"):
        problem_from_dict([])  # type: ignore[arg-type]


def test_bad_json_syntax_reports_line_and_column(tmp_path: Path) -> None:
    """A JSON syntax error becomes a SchemaError with the line and column."""
    path = tmp_path / "problem.json"
    text = '{\n "schema": "kinito.problem/1",\n "week": "2026-W50"\n "units": []\n}\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError, match=r"invalid JSON at line 4, column 2") as info:
        load_problem(path)
    assert (info.value.line, info.value.column) == (4, 2)


def test_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    """A file in another encoding (Greek in ISO-8859-7) is refused, not misread."""
    path = tmp_path / "problem.json"
    path.write_bytes('{"name": "Αίγιο"}'.encode("iso-8859-7"))
    with pytest.raises(SchemaError, match="not UTF-8"):
        load_problem(path)


# --- plan.json ---------------------------------------------------------------------------------


def make_plan() -> Plan:
    """A plan for make_problem(): a route with a mid-route break, one with an early break, one unserved."""
    r1 = Route(
        "van1",
        THU,
        depart=8 * HOUR,
        arrive=15 * HOUR + 40 * MINUTE + 12,
        stops=(
            Stop("hv-001", 0, parse_time("08:31"), parse_time("09:00"), parse_time("09:45"), 1860, 24_149),
            Stop(
                "vs-001",
                1,
                parse_time("10:00:01"),
                parse_time("10:00:01"),
                parse_time("11:31:31"),
                901,
                9_000,
            ),
        ),
        return_travel=1500,
        return_distance=20_000,
        rest=BreakStep(12 * HOUR + 30 * MINUTE, 30 * MINUTE, 1),
    )
    r2 = Route(
        "van1",
        MON,
        depart=8 * HOUR,
        arrive=10 * HOUR,
        stops=(Stop("vs-001", 0, 9 * HOUR, 9 * HOUR, 10 * HOUR - 1200, 1200, 15_003),),
        return_travel=1200,
        return_distance=15_000,
        rest=BreakStep(8 * HOUR, 0, 0),
    )
    return Plan(
        "Δοκιμή",
        (r1, r2),
        (Unassigned("hv-002", 0, "no_window", "Δεν χωράει", "Does not fit", {"dates": ["2026-12-07"]}),),
        objective=123_456,
        seed=7,
        time_limit=10.0,
        wall_time=9.81,
        status="feasible",
        travel_model="estimate",
    )


def test_plan_round_trips_through_json() -> None:
    """plan_from_dict(plan_to_dict(plan)) == plan, times exact to the second."""
    plan = make_plan()
    text = json.dumps(plan_to_dict(plan, make_problem()), ensure_ascii=False)
    assert plan_from_dict(json.loads(text)) == plan


def test_plan_to_dict_has_the_documented_shape() -> None:
    """Summary rounded to 0.1 km/min, crew from the unit-day, steps in order with the break in place."""
    d = plan_to_dict(make_plan(), make_problem())
    assert d["schema"] == "kinito.plan/1"
    assert d["summary"] == {
        "routes": 2,
        "visits": 4,
        "served": 3,
        "unassigned": 1,
        "served_priority": 5,
        "unserved_priority": 1,
        "km": 83.2,
        "driving_min": 111.0,
        "service_min": 176.5,
        "waiting_min": 262.7,
        "break_min": 30.0,
        "work_min": 580.2,
    }
    route = d["routes"][0]
    assert route["crew"] == ["sw1", "psy"]
    assert (route["unit"], route["date"], route["depart"], route["arrive"]) == (
        "van1",
        "2026-12-10",
        "08:00:00",
        "15:40:12",
    )
    assert route["summary"] == {
        "stops": 2,
        "km": 53.1,
        "driving_min": 71.0,
        "service_min": 136.5,
        "waiting_min": 222.7,
        "break_min": 30.0,
        "work_min": 460.2,
    }
    assert [s["type"] for s in route["steps"]] == ["start", "visit", "break", "visit", "end"]
    assert route["steps"][1] == {
        "type": "visit",
        "visit": "hv-001",
        "occurrence": 0,
        "location": "loc-kal",
        "arrival": "08:31:00",
        "start": "09:00:00",
        "end": "09:45:00",
        "travel_s": 1860,
        "distance_m": 24_149,
    }
    assert route["steps"][2] == {"type": "break", "start": "12:30:00", "end": "13:00:00", "after_stop": 1}
    assert route["steps"][-1] == {
        "type": "end",
        "location": "base",
        "time": "15:40:12",
        "travel_s": 1500,
        "distance_m": 20_000,
    }
    early = d["routes"][1]
    assert early["crew"] == []
    assert [s["type"] for s in early["steps"]] == ["start", "break", "visit", "end"]
    assert d["unassigned"][0]["details"] == {"dates": ["2026-12-07"]}


def test_save_json_and_load_plan_keep_greek_readable(tmp_path: Path) -> None:
    """save_json writes UTF-8 without escapes, indented; load_plan reads the plan back."""
    path = tmp_path / "plan.json"
    plan = make_plan()
    save_json(path, plan_to_dict(plan, make_problem()))
    text = path.read_text(encoding="utf-8")
    assert "Δοκιμή" in text and "\\u" not in text
    assert text.startswith('{\n "schema": "kinito.plan/1"') and text.endswith("}\n")
    assert load_plan(path) == plan


def test_problem_survives_save_and_load(tmp_path: Path) -> None:
    """A problem written with save_json loads back equal."""
    path = tmp_path / "problem.json"
    p = make_problem(TRAVELS[3])
    save_json(path, problem_to_dict(p))
    assert load_problem(path) == p


def plan_dict() -> dict[str, Any]:
    """plan.json of make_plan()."""
    return plan_to_dict(make_plan(), make_problem())


BAD_PLANS: list[tuple[str, Mutation, str, str]] = [
    (
        "break out of place",
        _set(("routes", 0, "steps", 2, "after_stop"), 2),
        "routes[0].steps[2].after_stop",
        "the number of visit steps before it",
    ),
    (
        "break ends first",
        _set(("routes", 0, "steps", 2, "end"), "12:00:00"),
        "routes[0].steps[2].end",
        "at or after 12:30:00",
    ),
    (
        "two breaks",
        lambda d: d["routes"][0]["steps"].insert(2, {"type": "break", "start": "10:00", "end": "10:10"}),
        "routes[0].steps[3]",
        "unexpected break step",
    ),
    ("no end step", lambda d: d["routes"][0]["steps"].pop(), "routes[0].steps", "finish with an end step"),
    (
        "unknown step type",
        _set(("routes", 0, "steps", 1, "type"), "stop"),
        "routes[0].steps[1].type",
        "one of start, visit, break, end",
    ),
    (
        "visit step key typo",
        _set(("routes", 0, "steps", 1, "travel"), 5),
        "routes[0].steps[1].travel",
        'did you mean "travel_s"',
    ),
    (
        "bad time",
        _set(("routes", 0, "steps", 1, "arrival"), "8:61"),
        "routes[0].steps[1].arrival",
        "is not a time of day",
    ),
    (
        "depart disagrees",
        _set(("routes", 0, "depart"), "07:00:00"),
        "routes[0].depart",
        "the start step's time",
    ),
    (
        "unassigned without reason",
        _drop(("unassigned", 0, "reason")),
        "unassigned[0].reason",
        "required field is missing",
    ),
    ("wrong schema", _set(("schema",), "kinito.problem/1"), "schema", 'must be "kinito.plan/1"'),
]


@pytest.mark.parametrize(
    ("mutate", "path", "message"), [case[1:] for case in BAD_PLANS], ids=[case[0] for case in BAD_PLANS]
)
def test_bad_plan_is_refused_naming_the_field(mutate: Mutation, path: str, message: str) -> None:
    """Each kind of malformed plan gives a SchemaError whose path names the faulty field."""
    d = copy.deepcopy(plan_dict())
    mutate(d)
    with pytest.raises(SchemaError) as info:
        plan_from_dict(d)
    assert info.value.path == path
    assert message in info.value.detail
    assert re.search("[α-ω]", info.value.detail_el)


def test_problem_without_units_gets_one_van_at_the_community_centre() -> None:
    """No `units`: one van, van1, based at the Community Centre in Aigio (the default base)."""
    from planner.gazetteer import BASE_DEFAULT

    problem = problem_from_dict(
        {
            "schema": "kinito.problem/1",
            "week": "2026-W50",
            "visits": [{"id": "a", "location": {"id": "x", "lat": 38.2, "lon": 22.1}, "service": 30}],
        }
    )
    assert [u.id for u in problem.units] == ["van1"]
    assert problem.units[0].base == BASE_DEFAULT
    assert len(problem.unit_days) == 5


def _two_units(d: dict[str, Any]) -> None:
    """``d`` with a second unit, car1."""
    d["units"] = [{"id": "van1", "base": "base"}, {"id": "car1", "base": "base"}]


def test_one_person_in_two_units_at_once_is_refused() -> None:
    d = minimal_dict()
    _two_units(d)
    d["days"].append({"date": "2026-12-07", "unit": "car1", "crew": ["sw1"]})
    err = error_of(d)
    assert err.path == "days[1].crew[0]"
    assert 'already in unit "van1"\'s crew on 2026-12-07' in err.detail


def test_one_person_in_two_units_at_different_hours_is_accepted() -> None:
    """A part-timer in the van in the morning and in the car in the afternoon is fine."""
    d = minimal_dict()
    _two_units(d)
    d["days"] = [
        {"date": "2026-12-07", "unit": "van1", "crew": [{"staff": "sw1", "hours": ["08:00", "12:00"]}]},
        {"date": "2026-12-07", "unit": "car1", "crew": [{"staff": "sw1", "hours": ["12:00", "16:00"]}]},
        {"date": "2026-12-08", "unit": "car1", "crew": ["sw1"]},
    ]
    p = problem_from_dict(d)
    assert len(p.unit_days) == 10


def test_a_required_role_nobody_has_and_the_product_does_not_know_is_refused() -> None:
    """A typo in a role ("social_worke") would leave the visit out silently: refused."""
    d = minimal_dict()
    d["visits"][0]["required_role"] = "social_worke"
    err = error_of(d)
    assert err.path == "visits[0].required_role"
    assert 'unknown role "social_worke"' in err.detail and "social_worker" in err.detail
    d["visits"][0]["required_role"] = "psychologist"  # known, though nobody has it this week
    assert problem_from_dict(d).visits[0].required_role == "psychologist"
    d["staff"][0]["roles"] = ["nurse"]
    d["visits"][0]["required_role"] = "nurse"  # another centre's role, held by its staff
    assert problem_from_dict(d).visits[0].required_role == "nurse"


def test_an_empty_list_of_units_is_refused_by_name() -> None:
    d = minimal_dict()
    d["units"] = []
    err = error_of(d)
    assert err.path == "units"
    assert "non-empty list" in err.detail and "an empty list" in err.detail


def test_the_documented_problem_example_reads() -> None:
    """docs/schema.md's example (its "..." left out) is a problem the reader takes, with every
    key it shows, and one the engine plans: the docs do not drift from the code."""
    import json
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "schema.md").read_text(encoding="utf-8")
    found = re.search(r"## `problem.json`\n\n```json\n(.*?)\n```", doc, re.S)
    assert found
    text = found.group(1).replace('["2026-12-07", "..."]', '["2026-12-07"]').replace(', "...": {}', "")
    d = json.loads(text)  # whole as written: the places and staff it names are in it (they were not)
    problem = problem_from_dict(d)
    assert problem.visits[0].required_role == "social_worker" and problem.units[0].weekly_worked == 0
    from planner.solver import SolveParams, solve
    from planner.validate import validate

    plan = solve(problem, SolveParams(time_limit=1.0, workers=1))
    assert validate(problem, plan) == [] and [s.visit_id for r in plan.routes for s in r.stops] == ["hv-001"]
