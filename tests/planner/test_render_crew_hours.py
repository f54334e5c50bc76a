"""The terminal table's crew column with part-timers' hours, and the note on rounded totals
(a reviewer's findings)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from planner.model import (
    HOUR,
    MINUTE,
    CrewMember,
    Location,
    Plan,
    Problem,
    Route,
    StaffMember,
    Stop,
    TimeWindow,
    Unit,
    UnitDay,
    Visit,
)
from planner.render import crew_names, format_plan_table

ROOT = Path(__file__).resolve().parents[2]
WED = date(2026, 12, 9)


def _row(table: str, start: str, unit: str = "") -> str:
    """The table's line starting with ``start`` (a day) of ``unit`` (a word of its name)."""
    return next(line for line in table.splitlines() if line.startswith(start) and unit in line)


PILOT_SHIFT = TimeWindow(8 * HOUR, 20 * HOUR)


def _problem(crew: tuple[CrewMember, ...], shift: TimeWindow = PILOT_SHIFT) -> Problem:
    base = Location("base", 38.2498, 22.0816, "Κέντρο Κοινότητας")
    return Problem(
        name="Πιλοτική ημέρα",
        dates=(WED,),
        units=(Unit("van1", "Βαν (κινητή μονάδα)", base),),
        unit_days=(UnitDay("van1", WED, shift=shift, regular_end=16 * HOUR, pilot=True, crew=crew),),
        staff=(
            StaffMember("sw1", "Ελένη Κ., κοινωνική λειτουργός", ("social_worker",)),
            StaffMember("sw3", "Σοφία Μ. (μερική απασχόληση)", ("social_worker",)),
        ),
        visits=(Visit("hv-1", Location("a", 38.10, 22.15, "Ζαχλωρού"), 45 * MINUTE, name="Ωφελούμενος 1"),),
    )


def _plan() -> Plan:
    stop = Stop("hv-1", 0, 9 * HOUR, 9 * HOUR, 9 * HOUR + 45 * MINUTE, 1800, 20_000)
    route = Route("van1", WED, 8 * HOUR + 30 * MINUTE, 11 * HOUR, (stop,), 1800, 20_000)
    return Plan("Πιλοτική ημέρα", (route,), (), 0, 1, 1.0, 0.1)


def test_part_timers_hours_follow_their_names() -> None:
    """The pilot day's van has a part-timer 08:00-12:00 and another 12:00-20:00: the crew cell
    says who is aboard when, not just the names."""
    problem = _problem(
        (
            CrewMember("sw3", TimeWindow(8 * HOUR, 12 * HOUR)),
            CrewMember("sw1", TimeWindow(12 * HOUR, 20 * HOUR)),
        )
    )
    row = _row(format_plan_table(_plan(), problem), "Τετ 09/12")
    assert row.endswith("Σοφία Μ. 08:00-12:00, Ελένη Κ. 12:00-20:00"), row


def test_whole_shift_crew_shows_no_hours() -> None:
    """A crew member aboard all day (no hours, or hours covering the shift) is named alone."""
    problem = _problem((CrewMember("sw1"), CrewMember("sw3", TimeWindow(8 * HOUR, 20 * HOUR))))
    row = _row(format_plan_table(_plan(), problem), "Τετ 09/12")
    assert row.endswith("Ελένη Κ., Σοφία Μ."), row
    # the web's result page keeps its list of names (hours only when asked for)
    route = _plan().routes[0]
    part = _problem((CrewMember("sw3", TimeWindow(8 * HOUR, 12 * HOUR)),))
    assert crew_names(part, route) == ["Σοφία Μ. (μερική απασχόληση)"]
    assert crew_names(part, route, hours=True) == ["Σοφία Μ. (μερική απασχόληση) 08:00-12:00"]


def test_idle_unit_day_lists_its_crews_hours() -> None:
    """A unit-day with no route names who sat idle aboard, with their hours too."""
    problem = _problem((CrewMember("sw3", TimeWindow(8 * HOUR, 12 * HOUR)), CrewMember("sw1")))
    other = Route("car1", WED, 8 * HOUR, 9 * HOUR, (), 0, 0)
    problem = Problem(
        name=problem.name,
        dates=problem.dates,
        units=(*problem.units, Unit("car1", "Αυτοκίνητο", problem.units[0].base)),
        unit_days=(*problem.unit_days, UnitDay("car1", WED)),
        staff=problem.staff,
        visits=problem.visits,
    )
    table = format_plan_table(Plan("x", (other,), (), 0, 1, 1.0, 0.1), problem)
    assert _row(table, "Τετ 09/12", "Βαν").endswith(
        "χωρίς διαδρομή / no route: Σοφία Μ. 08:00-12:00, Ελένη Κ."
    )


def test_demo_pilot_day_crew_hours() -> None:
    """data/demo/week.json: on the pilot day (Wednesday) van1's part-timer is aboard 08:00-12:00
    and Ελένη Κ. 12:00-20:00; on Monday Ελένη Κ. all day and the part-timer 08:00-12:00."""
    from planner.schema import load_problem

    problem = load_problem(ROOT / "data" / "demo" / "week.json")
    routes = tuple(Route("van1", day, 8 * HOUR, 9 * HOUR, (), 0, 0) for day in (date(2026, 12, 7), WED))
    table = format_plan_table(Plan("demo", routes, (), 0, 1, 1.0, 0.1), problem)
    assert _row(table, "Τετ 09/12", "Κινητή").endswith("Σοφία Μ. 08:00-12:00, Ελένη Κ. 12:00-20:00")
    assert _row(table, "Δευ 07/12", "Κινητή").endswith("Ελένη Κ., Σοφία Μ. 08:00-12:00")


def test_a_note_under_the_table_says_totals_are_rounded_from_the_exact_sums() -> None:
    """Rows and totals are each rounded once from exact seconds and metres, so the totals may
    differ from adding up the rows by 0.1 km or a minute: a line under the table says so."""
    problem = _problem((CrewMember("sw1"),))
    stop = Stop("hv-1", 0, 9 * HOUR, 9 * HOUR, 9 * HOUR + 45 * MINUTE, 1830, 20_040)
    one = Route("van1", WED, 8 * HOUR, 11 * HOUR, (stop,), 1800, 20_030)  # 40.07 km, 60.5 min
    two = Route("van1", date(2026, 12, 10), 8 * HOUR, 11 * HOUR, (stop,), 1800, 20_030)
    problem = Problem(
        name=problem.name,
        dates=(WED, date(2026, 12, 10)),
        units=problem.units,
        unit_days=(*problem.unit_days, UnitDay("van1", date(2026, 12, 10))),
        staff=problem.staff,
        visits=problem.visits,
    )
    lines = format_plan_table(Plan("x", (one, two), (), 0, 1, 1.0, 0.1), problem).splitlines()
    totals = _row("\n".join(lines), "Σύνολο/Total").split()
    rows = [_row("\n".join(lines), day).split() for day in ("Τετ", "Πέμ")]
    assert [row[6:8] for row in rows] == [["40,1", "60"]] * 2  # rows: 40.1 + 40.1 km, 60 + 60 min
    assert totals[2:4] == ["80,1", "121"]  # the exact sums, 80.14 km and 121 min, rounded once
    at = lines.index(_row("\n".join(lines), "Σύνολο/Total"))
    assert lines[at + 1].startswith("Οδήγηση, εξυπηρέτηση, αναμονή σε λεπτά")
    assert (
        lines[at + 2] == "Σύνολα στρογγυλεμένα από τα ακριβή αθροίσματα / Totals rounded from the exact sums"
    )
