"""The terminal table of a plan: routes per day, totals, and the unassigned with reasons."""

from __future__ import annotations

from datetime import date

import pytest

from planner.model import (
    HOUR,
    MINUTE,
    BreakStep,
    CrewMember,
    Location,
    Plan,
    Problem,
    Route,
    StaffMember,
    Stop,
    Unassigned,
    Unit,
    UnitDay,
    Visit,
)
from planner.render import day_label, format_plan_table, format_violations, hhmm

MON, TUE = date(2026, 12, 7), date(2026, 12, 8)


@pytest.fixture
def problem() -> Problem:
    """Two days of one van around Aigio, three villages and a visit that does not fit."""
    base = Location("base", 38.2498, 22.0816, "Κέντρο Κοινότητας")
    places = [
        Location("zachlorou", 38.10, 22.15, "Ζαχλωρού", "mountainous"),
        Location("kalavryta", 38.03, 22.11, "Καλάβρυτα", "mountainous"),
        Location("pteri", 38.15, 22.30, "Πτέρη", "mountainous"),
    ]
    return Problem(
        name="Δοκιμαστική εβδομάδα",
        dates=(MON, TUE),
        units=(Unit("van1", "Βαν (κινητή μονάδα)", base),),
        unit_days=(
            UnitDay("van1", MON, crew=(CrewMember("sw1"), CrewMember("psy"))),
            UnitDay("van1", TUE, crew=(CrewMember("sw1"), CrewMember("ghost"))),
        ),
        staff=(
            StaffMember("sw1", "Μαρία Παπαδοπούλου", ("social_worker",)),
            StaffMember("psy", "Νίκος Κ.", ("psychologist",)),
        ),
        visits=(
            Visit("hv-001", places[0], 45 * MINUTE, name="Ωφελούμενος 001"),
            Visit("vs-002", places[1], 90 * MINUTE, kind="village_stop", name="Στάση Καλαβρύτων"),
            Visit("hv-003", places[2], 30 * MINUTE, name="Ωφελούμενος 003"),
            Visit("hv-004", places[2], 60 * MINUTE, name="Ωφελούμενος 004", frequency=2),
        ),
    )


@pytest.fixture
def plan() -> Plan:
    """Monday: two stops and a break; Tuesday: one stop; hv-004 unserved twice."""
    monday = Route(
        "van1", MON, 8 * HOUR, 14 * HOUR + 10 * MINUTE,
        (
            Stop("hv-001", 0, 8 * HOUR + 30 * MINUTE, 9 * HOUR, 9 * HOUR + 45 * MINUTE, 1800, 24_100),
            Stop("vs-002", 0, 10 * HOUR, 10 * HOUR, 11 * HOUR + 30 * MINUTE, 900, 8_000),
        ),
        return_travel=3000, return_distance=40_000, rest=BreakStep(12 * HOUR, 30 * MINUTE, 2),
    )  # fmt: skip
    tuesday = Route(
        "van1", TUE, 8 * HOUR + 15 * MINUTE, 10 * HOUR,
        (Stop("hv-003", 0, 8 * HOUR + 30 * MINUTE, 8 * HOUR + 30 * MINUTE, 9 * HOUR, 900, 12_000),),
        return_travel=900, return_distance=12_500,
    )  # fmt: skip
    unassigned = tuple(
        Unassigned("hv-004", k, "no_time", "Δεν χωράει στη βάρδια.", "Does not fit in the shift.")
        for k in (0, 1)
    )
    return Plan("Δοκιμαστική εβδομάδα", (tuesday, monday), unassigned, 0, 1, 10.0, 1.2)


def _row(table: str, start: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(start))


def test_day_label_is_greek_weekday_and_day_month() -> None:
    """A date reads as the Greek weekday abbreviation and dd/mm."""
    assert day_label(MON) == "Δευ 07/12"
    assert day_label(date(2026, 12, 13)) == "Κυρ 13/12"


def test_weekday_abbreviations_are_accented_as_greek_writes_them() -> None:
    """Τρί, Πέμ, Σάβ carry their accent, as the web pages write them (not Τρι, Πεμ, Σαβ)."""
    from planner.render import WEEKDAYS_EL

    assert WEEKDAYS_EL == ("Δευ", "Τρί", "Τετ", "Πέμ", "Παρ", "Σάβ", "Κυρ")
    week = [day_label(date(2026, 12, d)).split()[0] for d in range(7, 14)]
    assert week == list(WEEKDAYS_EL)
    assert day_label(TUE) == "Τρί 08/12"
    assert day_label(date(2026, 12, 12)) == "Σάβ 12/12"


def test_table_shows_the_accented_weekday(plan: Plan, problem: Problem) -> None:
    """The terminal table's Tuesday row reads «Τρί 08/12»."""
    table = format_plan_table(plan, problem)
    assert "Τρί 08/12" in table
    assert "Τρι 08/12" not in table


def test_accented_abbreviations_still_parse_as_weekdays() -> None:
    """What the table prints can be typed back (staff --weekdays, import files): accented and
    unaccented abbreviations both parse."""
    from planner.register.importer import parse_weekdays
    from planner.render import WEEKDAYS_EL

    for iso, abbreviation in enumerate(WEEKDAYS_EL, start=1):
        assert parse_weekdays(abbreviation) == [iso]
    assert parse_weekdays("Τρι, Πεμ, Σαβ") == parse_weekdays("Τρί, Πέμ, Σάβ") == [2, 4, 6]
    assert parse_weekdays("Δευ-Πέμ") == [1, 2, 3, 4]


def test_hhmm_drops_seconds() -> None:
    """Times of day show hours and minutes only."""
    assert hhmm(15 * HOUR + 40 * MINUTE + 12) == "15:40"
    assert hhmm(8 * HOUR) == "08:00"


def test_headers_are_greek_first_then_english(plan: Plan, problem: Problem) -> None:
    """Every column header is bilingual, Greek before English."""
    header = format_plan_table(plan, problem).splitlines()[1]
    for title in ("Ημερ./Date", "Στάσεις/Stops", "χλμ/km", "Διάλ./Break", "Πλήρωμα/Crew"):
        assert title in header


def test_each_route_row_shows_date_stops_km_times_and_break(plan: Plan, problem: Problem) -> None:
    """A route's row has its date, unit, stop count, leave/return, km, minutes and break."""
    table = format_plan_table(plan, problem)
    monday = _row(table, "Δευ 07/12").split()
    assert monday[:5] == ["Δευ", "07/12", "Βαν", "2", "08:00"]
    assert monday[5:11] == ["14:10", "72,1", "95", "135", "110", "12:00-12:30"]
    tuesday = _row(table, "Τρί 08/12").split()
    assert tuesday[3:10] == ["1", "08:15", "10:00", "24,5", "30", "30", "45"]
    assert "—" in tuesday


def test_routes_are_listed_by_date(plan: Plan, problem: Problem) -> None:
    """Rows come in date order whatever the order of the plan's routes."""
    lines = format_plan_table(plan, problem).splitlines()
    assert lines.index(_row("\n".join(lines), "Δευ")) < lines.index(_row("\n".join(lines), "Τρί"))


def test_crew_shows_staff_names_or_ids(plan: Plan, problem: Problem) -> None:
    """The crew column names the staff aboard, falling back to the id for unknown staff."""
    table = format_plan_table(plan, problem)
    assert "Μαρία Παπαδοπούλου, Νίκος Κ." in _row(table, "Δευ")
    assert "Μαρία Παπαδοπούλου, ghost" in _row(table, "Τρί")


def test_totals_row_sums_stops_km_and_minutes(plan: Plan, problem: Problem) -> None:
    """The totals row adds up stops, km and the driving/service/waiting minutes."""
    totals = _row(format_plan_table(plan, problem), "Σύνολο/Total").split()
    assert totals == ["Σύνολο/Total", "3", "96,6", "125", "165", "155"]


def test_columns_line_up(plan: Plan, problem: Problem) -> None:
    """Numbers are right-aligned: the km column ends at the same place on every row."""
    table = format_plan_table(plan, problem)
    rows = [_row(table, p) for p in ("Δευ", "Τρί", "Σύνολο")]
    ends = {row.index(km) + len(km) for row, km in zip(rows, ("72,1", "24,5", "96,6"), strict=True)}
    assert len(ends) == 1


def test_unassigned_lists_id_name_reason_and_messages(plan: Plan, problem: Problem) -> None:
    """Each unassigned occurrence shows id, name, reason and the Greek message; English below."""
    lines = format_plan_table(plan, problem).splitlines()
    start = lines.index("Χωρίς ανάθεση / Unassigned (2):")
    first, english = lines[start + 1], lines[start + 2]
    assert "hv-004 #1" in first and "Ωφελούμενος 004" in first
    assert "no_time" in first and "Δεν χωράει στη βάρδια." in first
    assert english.startswith("    ") and english.strip() == "Does not fit in the shift."
    assert "hv-004 #2" in lines[start + 3]


def test_plan_without_routes_or_unassigned_says_so(problem: Problem) -> None:
    """An empty plan renders words, not an empty table."""
    text = format_plan_table(Plan("x", (), (), 0, 1, 1.0, 0.1), problem)
    assert "Καμία διαδρομή / No routes" in text
    assert "Unassigned: κανένα / none" in text


def test_format_violations_numbers_each_message() -> None:
    """Violations are numbered one per line; none says so."""
    assert format_violations([]) == "Καμία παραβίαση / No violations\n"
    text = format_violations(["route van1 2026-12-07: late", "hv-001 served twice"])
    assert text.splitlines() == [
        "Παραβιάσεις / Violations (2):",
        "  1. route van1 2026-12-07: late",
        "  2. hv-001 served twice",
    ]


def test_unit_days_with_no_route_get_a_row_saying_why(plan: Plan, problem: Problem) -> None:
    """A holiday and a day with nothing sent out are listed, so they can be told apart."""
    from dataclasses import replace

    wed, thu = date(2026, 12, 9), date(2026, 12, 10)
    wider = replace(
        problem,
        dates=(MON, TUE, wed, thu),
        unit_days=(
            *problem.unit_days,
            UnitDay("van1", wed, available=False),
            UnitDay("van1", thu, crew=(CrewMember("psy"),)),
        ),
    )
    table = format_plan_table(plan, wider)
    assert "μη διαθέσιμη / unavailable" in _row(table, "Τετ 09/12")
    # who sat idle aboard is named, so a crew left at the base while visits wait is seen
    assert _row(table, "Πέμ 10/12").endswith("χωρίς διαδρομή / no route: Νίκος Κ.")
    lines = table.splitlines()
    assert [line[:9] for line in lines[3:7]] == ["Δευ 07/12", "Τρί 08/12", "Τετ 09/12", "Πέμ 10/12"]
    assert _row(table, "Σύνολο/Total").split()[1] == "3"


def test_crew_column_keeps_names_short() -> None:
    from planner.render import short_name

    assert short_name("Ελένη Κ., κοινωνική λειτουργός (πλασματικό πρόσωπο)") == "Ελένη Κ."
    assert short_name("Άννα Δ. (ψυχολόγος)") == "Άννα Δ."
    assert short_name("Μαρία Παπαδοπούλου") == "Μαρία Παπαδοπούλου"


def test_two_staff_of_one_name_are_told_apart_in_the_crew() -> None:
    """Two «Μαρία Κ.» aboard read «Μαρία Κ., Μαρία Κ.»: each now has its id."""
    from dataclasses import replace

    from planner.model import CrewMember, Route, StaffMember, UnitDay
    from planner.render import crew_names
    from tests.planner.conftest import MON, make_problem

    staff = (
        StaffMember("st-1", "Μαρία Κ.", ("social_worker",)),
        StaffMember("st-2", "Μαρία Κ., ψυχολόγος", ("psychologist",)),
    )
    p = make_problem([], dates=(MON,), staff=staff, crew_ids=())
    p = replace(p, unit_days=(UnitDay("van1", MON, crew=(CrewMember("st-1"), CrewMember("st-2"))),))
    route = Route("van1", MON, 8 * HOUR, 9 * HOUR, (), 0, 0)
    assert crew_names(p, route, short=True) == ["Μαρία Κ. (st-1)", "Μαρία Κ. (st-2)"]
    assert crew_names(p, route) == ["Μαρία Κ.", "Μαρία Κ., ψυχολόγος"]  # whole names differ


def test_a_pin_outside_the_visits_hours_is_noted_under_the_table(plan: Plan, problem: Problem) -> None:
    """Fifth walkthrough: a visit pinned to 14:00 whose hours are 09:00-11:00 was planned at
    14:00 (the coordinator's lock wins, and the validator lets it) without a word; the table
    now notes it. A pin inside the hours, or on a visit with none, is not noted."""
    from dataclasses import replace

    from planner.model import TimeWindow

    assert "Σημειώσεις / Notes" not in format_plan_table(plan, problem)
    morning = (TimeWindow(9 * HOUR, 11 * HOUR),)
    visits = list(problem.visits)
    visits[0] = replace(visits[0], time_windows=morning, pinned_date=MON, pinned_time=14 * HOUR)
    visits[2] = replace(visits[2], time_windows=morning, pinned_date=TUE, pinned_time=10 * HOUR)
    visits[1] = replace(visits[1], pinned_date=MON, pinned_time=15 * HOUR)
    table = format_plan_table(plan, replace(problem, visits=tuple(visits)))
    notes = table[table.index("Σημειώσεις / Notes:") :].splitlines()[1:]
    assert notes == [
        "  hv-001 Ωφελούμενος 001: κλειδωμένη στις 14:00 (Δευ 07/12), εκτός των ωρών που μπορεί να αρχίσει "
        "(09:00-11:00): ισχύει το κλείδωμα / pinned at 14:00, outside the times it may start (09:00-11:00): "
        "the pin holds"
    ]


def test_many_unassigned_are_counted_by_reason_and_listed_actionable_first(problem: Problem) -> None:
    """Hundreds left out at scale: a line of counts per reason first; a crew reason before the
    week's room; within a reason the highest priority first (the plan's order among equals)."""
    from dataclasses import replace

    visits = tuple(
        Visit(f"hv-{k:03d}", Location(f"p{k}", 38.2, 22.1), 30 * MINUTE, name=f"Ω {k}", priority=k % 3 + 1)
        for k in range(12)
    )
    many = replace(problem, visits=visits)
    unassigned = tuple(
        Unassigned(v.id, 0, "no_crew" if k == 11 else "week_full", "Όχι.", "No.")
        for k, v in enumerate(visits)
    )
    text = format_plan_table(Plan("x", (), unassigned, 0, 1, 1.0, 0.1), many)
    lines = text.splitlines()
    start = lines.index("Χωρίς ανάθεση / Unassigned (12):")
    assert lines[start + 1] == "  ανά αιτία / by reason: week_full 11, no_crew 1"
    listed = [line.split()[0] for line in lines[start + 2 :] if line.startswith("  hv-")]
    assert listed[0] == "hv-011"  # the crew reason first
    priorities = [visits[int(i[3:])].priority for i in listed[1:]]
    assert priorities == sorted(priorities, reverse=True)
    assert listed[1:4] == ["hv-002", "hv-005", "hv-008"]  # priority 3, in the plan's order
