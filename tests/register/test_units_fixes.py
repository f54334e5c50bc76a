"""A reviewer's units and staff added to a register: a second (part-time) psychologist no
longer takes the social workers' seats, `--units` names each unit once, in the order of the
ids, and refuses a name two units share; a unit whose only crew are part-timers is out only
within their hours; the refusal to re-plan fewer units names them in the plural; and the
week's table says why a unit-day has no route."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from planner.cli import main
from planner.model import HOUR, Location, Plan, Problem, Route, Stop, TimeWindow, Unit, UnitDay
from planner.register import models as m
from planner.register.db import session_scope
from planner.register.week import (
    WeekError,
    _Calendar,
    _refuse_fewer_units,
    _unit_days,
    build_week,
    plan_week,
    publish,
)
from planner.render import day_label, format_plan_table
from tests.register.test_week import W50, _register

TUE, THU, FRI = date(2026, 12, 8), date(2026, 12, 10), date(2026, 12, 11)


@pytest.fixture
def register(loaded_engine: Engine) -> tuple[Engine, dict[str, int]]:
    return loaded_engine, _register(loaded_engine)


def _crews(engine: Engine, units: list[str] | None = None) -> dict[tuple[str, date], list[str]]:
    with session_scope(engine) as s:
        problem = build_week(s, W50, units=units).problem
    return {(ud.unit_id, ud.date): [c.staff_id for c in ud.crew] for ud in problem.unit_days}


def _add_part_time_psychologist(engine: Engine) -> str:
    """«Κατερίνα Λ.»: psychologist, Tuesdays and Thursdays, 09:00-13:00; her staff id."""
    with session_scope(engine, actor="test") as s:
        katerina = m.Staff(
            name="Κατερίνα Λ.", role="psychologist", part_time=True, weekdays=[2, 4],
            day_start=time(9), day_end=time(13),
        )  # fmt: skip
        s.add(katerina)
        s.flush()
        return f"st-{katerina.id}"


def test_a_part_time_psychologist_added_does_not_take_the_social_workers_seats(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """The van alone, Thursday: the psychologist and the new part-time one took both seats
    (no social worker, no route for most of the week's visits). Now the van keeps a social
    worker whenever one works that day, and the crews are those without her: she rides only
    in a seat nobody the visits need more would take."""
    engine, ids = register
    social = {f"st-{ids[k]}" for k in ("sw1", "sw2", "sw3")}
    before = _crews(engine, ["Βαν"])
    katerina = _add_part_time_psychologist(engine)
    after = _crews(engine, ["Βαν"])
    for (unit, day), crew in after.items():
        assert len(crew) < 2 or set(crew) & social, (unit, day, crew)
    assert after == before
    # both units: every two-seat unit-day has a social worker when one is free, and she
    # rides only where no social worker working that day is left at the office (the week's
    # psychologist visits all name the other psychologist: she can serve none of them)
    both = _crews(engine)
    van = f"unit-{ids['van']}"
    for (unit, day), crew in both.items():
        free = social - {c for (_, d), cr in both.items() if d == day for c in cr}
        if unit == van and len(crew) == 2 and free:
            assert set(crew) & social, (day, crew)
        assert katerina not in crew or not free, (day, crew, free)
    assert not any(katerina in crew for (_, day), crew in both.items() if day in (TUE, THU))


def test_units_named_twice_or_out_of_order_are_planned_once_by_id(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """`--units Βαν 1` planned the van twice (the validator's "duplicate_route", an internal
    error); `--units Αυτοκίνητο Βαν` made the car the driver's van: on Friday, the driver's day
    off, the van went out without him and the car stayed at the base."""
    engine, ids = register
    van, car = f"unit-{ids['van']}", f"unit-{ids['car']}"
    with session_scope(engine) as s:
        twice = build_week(s, W50, units=["Βαν", str(ids["van"]), "βαν"]).problem
        assert [u.id for u in twice.units] == [van]
        assert len([ud for ud in twice.unit_days if ud.date == FRI]) == 1
        swapped = build_week(s, W50, units=["Αυτοκίνητο", "Βαν"]).problem
    assert [u.id for u in swapped.units] == [van, car]
    friday = {ud.unit_id: ud for ud in swapped.unit_days if ud.date == FRI}
    assert not friday[van].available and "driver off" in friday[van].note
    assert friday[car].available


def test_a_unit_name_that_starts_a_word_of_another_is_refused_as_ambiguous(
    register: tuple[Engine, dict[str, int]], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--units Βαν` picked «Βαν Ακράτας» because its name starts so, though «Κινητή μονάδα
    (βαν με οδηγό)» has the word too: now both are named (and no other) and nothing is planned."""
    engine, ids = register
    with session_scope(engine, actor="test") as s:
        s.get(m.Unit, ids["van"]).name = "Κινητή μονάδα (βαν με οδηγό)"
        akrata = m.Unit(name="Βαν Ακράτας", base_name="Ακράτα", base_lat=38.15, base_lon=22.31, capacity=2)
        s.add(akrata)
        s.flush()
        akrata_id = akrata.id
    with session_scope(engine) as s:
        with pytest.raises(WeekError, match=r"αμφίσημη.*Κινητή μονάδα \(βαν.*Βαν Ακράτας.*ambiguous"):
            build_week(s, W50, units=["Βαν"])
        # more of the name, or the full name, is still one unit
        assert [u.name for u in build_week(s, W50, units=["Βαν Ακ"]).problem.units] == ["Βαν Ακράτας"]
        assert [u.id for u in build_week(s, W50, units=["ακρατ", "Κινητή"]).problem.units] == [
            f"unit-{ids['van']}", f"unit-{akrata_id}"
        ]  # fmt: skip
    assert main(["week", W50, "--db", str(db_file), "--units", "Αυτοκ", "βαν"]) == 2
    err = capsys.readouterr().err
    assert "Βαν Ακράτας" in err and "Κινητή μονάδα (βαν με οδηγό)" in err and "ambiguous" in err
    assert "Αυτοκίνητο" not in err  # only the two it could mean


def test_refusing_to_re_plan_fewer_units_speaks_of_them_in_the_plural() -> None:
    """Three units left out read «της μονάδας A, B, C … αυτή τη μονάδα»: now plural, and it
    says what they would lose."""
    base = Location("b", 38.25, 22.08)
    names = {"unit-1": "Κινητή", "unit-2": "Δημοτικό", "unit-3": "Βαν Ακράτας", "unit-4": "Διακοπτού"}
    units = tuple(Unit(uid, name, base) for uid, name in names.items())
    published = Problem("w", (TUE,), units, (), (), ())
    mine = Problem("w", (TUE,), units[3:], (), (), ())
    stop = Stop("v", 0, 9 * HOUR, 9 * HOUR, 10 * HOUR, 0, 0)
    routes = tuple(Route(u, TUE, 8 * HOUR, 11 * HOUR, (stop,), 0, 0) for u in ("unit-1", "unit-2", "unit-3"))
    plan = Plan("w", routes, (), 0, 0, 0.0, 0.0)
    with pytest.raises(WeekError) as many:
        _refuse_fewer_units(plan, published, mine, [TUE])
    text = str(many.value)
    assert "των μονάδων Κινητή, Δημοτικό, Βαν Ακράτας" in text and "μη διαθέσιμες" in text
    assert "units Κινητή, Δημοτικό, Βαν Ακράτας" in text and "lose" in text and "Διακοπτού" in text
    assert "αυτή τη μονάδα" not in text
    with pytest.raises(WeekError) as one:
        _refuse_fewer_units(Plan("w", routes[:1], (), 0, 0, 0.0, 0.0), published, mine, [TUE])
    assert "της μονάδας Κινητή" in str(one.value) and "unit Κινητή" in str(one.value)


def _staff(k: int, role: str, start: int = 8, end: int = 16) -> m.Staff:
    return m.Staff(
        id=k, name=f"s{k}", role=role, weekdays=[1, 2, 3, 4, 5], active=True, part_time=end - start < 8,
        day_start=time(start), day_end=time(end),
    )  # fmt: skip


def test_a_unit_whose_only_crew_are_part_timers_is_out_only_within_their_hours() -> None:
    """The Akrata van's only crew on Friday was Σοφία Μ. (08:00-12:00): its route ran to
    12:27. A unit its crew drive is out within the span of their hours; the driver's van
    keeps its shift (he drives it back), and a crew with a full-timer too keeps it."""
    van, car = m.Unit(id=1, name="van", capacity=2), m.Unit(id=2, name="car", capacity=1)
    staff = [_staff(1, "driver"), _staff(2, "psychologist"), _staff(3, "social_worker", 8, 12)]
    calendar = _Calendar({}, frozenset(), frozenset({THU}), {})
    days = {(ud.unit_id, ud.date): ud for ud in _unit_days(calendar, [van, car], staff, [THU, FRI])}
    assert [c.staff_id for c in days[("unit-2", FRI)].crew] == ["st-3"]
    assert days[("unit-2", FRI)].shift == TimeWindow(8 * HOUR, 12 * HOUR)
    assert days[("unit-2", THU)].shift == TimeWindow(8 * HOUR, 12 * HOUR)  # a pilot day too
    assert days[("unit-1", FRI)].shift == TimeWindow(8 * HOUR, 16 * HOUR)
    # no driver in the register: the first unit is crew-driven too
    alone = _unit_days(calendar, [van], [_staff(3, "social_worker", 9, 12)], [FRI])
    assert alone[0].shift == TimeWindow(9 * HOUR, 12 * HOUR)
    mixed = _unit_days(calendar, [van], [_staff(2, "psychologist"), _staff(3, "social_worker", 8, 12)], [FRI])
    assert mixed[0].shift == TimeWindow(8 * HOUR, 16 * HOUR)


def test_the_table_says_why_a_unit_day_is_unavailable() -> None:
    """«μη διαθέσιμη / unavailable» stood for five reasons; the week builder's note is shown."""
    base = Location("b", 38.25, 22.08)
    mon = date(2026, 12, 7)
    problem = Problem(
        "w", (mon, TUE, THU), (Unit("u1", "Κινητή", base),),
        (UnitDay("u1", mon),
         UnitDay("u1", TUE, available=False, note="ρεπό οδηγού / driver off"),
         UnitDay("u1", THU, available=False, note="χωρίς πλήρωμα / no crew")),
        (), (),
    )  # fmt: skip
    stop = Stop("v", 0, 9 * HOUR, 9 * HOUR, 10 * HOUR, 0, 0)
    plan = Plan("w", (Route("u1", mon, 8 * HOUR, 11 * HOUR, (stop,), 0, 0),), (), 0, 0, 0.0, 0.0)
    rows = format_plan_table(plan, problem).splitlines()
    assert next(r for r in rows if r.startswith("Τρί 08/12")).endswith("ρεπό οδηγού / driver off")
    assert next(r for r in rows if r.startswith("Πέμ 10/12")).endswith("χωρίς πλήρωμα / no crew")


def test_a_re_plan_after_an_absence_says_why_its_visits_changed(
    register: tuple[Engine, dict[str, int]], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Published, then a social worker of a route away that day and the week planned again:
    the changes were listed (19 in the reviewer's week) with no word of the absence."""
    engine, ids = register
    first = plan_week(engine, W50, time_limit=0.5, workers=1)
    publish(engine, first.plan_version_id)
    social = {f"st-{ids[k]}": k for k in ("sw1", "sw2", "sw3")}
    route = next(r for r in first.plan.routes if r.stops and r.unit_id == f"unit-{ids['van']}")
    crew = next(
        ud.crew for ud in first.problem.unit_days if (ud.unit_id, ud.date) == (route.unit_id, route.date)
    )
    away = next(c.staff_id for c in crew if c.staff_id in social)
    with session_scope(engine, actor="test") as s:
        s.add(m.CalendarDay(day=route.date, kind="staff_unavailable", staff_id=ids[social[away]]))
        name = s.get(m.Staff, ids[social[away]]).name  # type: ignore[union-attr]
    capsys.readouterr()
    assert main(["week", W50, "--db", str(db_file), "--time-limit", "0.5", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    said = out[out.index("changes against published version") :]
    assert "the calendar has changed since the published version" in said
    assert f"{day_label(route.date)}, Βαν: {name}: απουσιάζει / {name}: away" in said, said
