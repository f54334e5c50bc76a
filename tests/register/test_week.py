"""`kinito week` from a small register: what is due, holidays, crews, carry-over, versions,
stability against a published plan, outcomes; every plan passes the independent validator."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from planner.cli import main
from planner.model import HOUR, MINUTE, Problem
from planner.register import models as m
from planner.register.db import make_engine, session_scope
from planner.register.outcomes import record_outcome
from planner.register.week import WeekError, build_week, keep_past, plan_week, publish, weekly_max_work
from planner.schema import plan_from_dict, problem_from_dict
from planner.validate import validate

AIGIO, KOUNINA, PTERI, SELINOUS, TEMENI, DIAKOPTO = (
    "3702010101",
    "3702010701",
    "3702011101",
    "3702011201",
    "3702011301",
    "3702040101",
)
W50 = "2026-W50"  # Mon 7 - Fri 11 December 2026
EASTER_WEEK = "2026-W15"  # Good Friday 10 April, Easter Monday 13 April is W16
EASTER_MONDAY_WEEK = "2026-W16"


def _register(engine: Engine) -> dict[str, int]:
    """Two units, the Centre's staff, six people, two village stops. Returns ids by name."""
    ids: dict[str, int] = {}
    with session_scope(engine, actor="test") as s:
        van = m.Unit(
            name="Βαν", base_name="Κέντρο Κοινότητας", base_lat=38.2498, base_lon=22.0816, capacity=2
        )
        car = m.Unit(
            name="Αυτοκίνητο", base_name="Κέντρο Κοινότητας", base_lat=38.2498, base_lon=22.0816, capacity=1
        )
        s.add_all([van, car])
        staff = {
            "sw1": m.Staff(name="Κοινωνική Λειτουργός Α", role="social_worker"),
            "sw2": m.Staff(name="Κοινωνικός Λειτουργός Β", role="social_worker"),
            "sw3": m.Staff(
                name="Κοινωνική Λειτουργός Γ",
                role="social_worker",
                part_time=True,
                weekdays=[1, 2, 3],
                day_start=time(8),
                day_end=time(12),
            ),
            "psy": m.Staff(name="Ψυχολόγος", role="psychologist", weekdays=[1, 4]),
            "drv": m.Staff(name="Οδηγός", role="driver", weekdays=[1, 2, 3, 4]),
        }
        s.add_all(staff.values())
        people = {
            "p1": m.Beneficiary(full_name="Πρόσωπο 1", settlement_code=KOUNINA, priority_groups=["kea"]),
            "p2": m.Beneficiary(full_name="Πρόσωπο 2", settlement_code=PTERI, phone="2691000001"),
            "p3": m.Beneficiary(full_name="Πρόσωπο 3", settlement_code=SELINOUS, lat=38.2201, lon=22.0402),
            "p4": m.Beneficiary(full_name="Πρόσωπο 4", settlement_code=TEMENI),
            "p5": m.Beneficiary(full_name="Πρόσωπο 5", settlement_code=DIAKOPTO),
            "p6": m.Beneficiary(full_name="Πρόσωπο 6", settlement_code=AIGIO, active=False),
        }
        s.add_all(people.values())
        s.flush()
        start = date(2026, 1, 5)

        def plan(person: str, **kw: object) -> m.CarePlan:
            values: dict[str, object] = dict(
                service="home_care",
                required_role="social_worker",
                duration_min=40,
                frequency_kind="every_n_weeks",
                frequency_count=2,
                start_date=start,
            )
            values.update(kw)
            return m.CarePlan(beneficiary_id=people[person].id, **values)

        plans = {
            "weekly2": plan("p1", frequency_kind="weekly", frequency_count=2),
            "biweekly": plan("p2"),
            "monthly": plan(
                "p3", frequency_kind="monthly", frequency_count=1, time_windows=[["09:00", "12:00"]]
            ),
            "psy": plan(
                "p4",
                required_role="psychologist",
                frequency_kind="weekly",
                frequency_count=1,
                duration_min=50,
                staff_id=staff["psy"].id,
            ),
            "paused": plan("p5", status="paused"),
            "inactive_person": plan("p6", frequency_kind="weekly", frequency_count=1),
            "thursdays": plan("p5", frequency_kind="weekly", frequency_count=1, allowed_weekdays=[4]),
        }
        s.add_all(plans.values())
        stops = {
            "vs_pteri": m.VillageStop(
                settlement_code=PTERI,
                place="πλατεία",
                duration_min=90,
                announced_times=["10:00"],
                frequency_kind="weekly",
                frequency_count=1,
                usual_weekday=3,
            ),
            "vs_kounina": m.VillageStop(
                settlement_code=KOUNINA,
                duration_min=60,
                announced_times=["11:00"],
                frequency_kind="every_n_weeks",
                frequency_count=4,
                usual_weekday=2,
            ),
        }
        s.add_all(stops.values())
        s.flush()
        ids.update({k: v.id for k, v in plans.items()})
        ids.update({k: v.id for k, v in stops.items()})
        ids.update({k: v.id for k, v in staff.items()})
        ids.update({"van": van.id, "car": car.id})
    return ids


def _done(engine: Engine, visit_id: str, on: date) -> None:
    with session_scope(engine, actor="test") as s:
        record_outcome(s, visit_id, "done", on=on, recorded_by="test")


def _add_urgent(engine: Engine) -> str:
    """A new person with a weekly "any day" social-worker visit from 7/12; its visit id."""
    with session_scope(engine, actor="maria") as s:
        person = m.Beneficiary(full_name="Επείγον", settlement_code=TEMENI)
        s.add(person)
        s.flush()
        urgent = m.CarePlan(
            beneficiary_id=person.id,
            service="urgent",
            required_role="social_worker",
            duration_min=30,
            frequency_kind="weekly",
            frequency_count=1,
            start_date=date(2026, 12, 7),
        )
        s.add(urgent)
        s.flush()
        return f"cp-{urgent.id}"


@pytest.fixture
def register(loaded_engine: Engine) -> tuple[Engine, dict[str, int]]:
    return loaded_engine, _register(loaded_engine)


def test_due_visits_crews_and_holidays_of_a_week(register: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = register
    _done(engine, f"cp-{ids['biweekly']}", date(2026, 12, 1))  # done last week: not due now
    _done(engine, f"cp-{ids['monthly']}", date(2026, 11, 3))  # over four weeks ago: due
    with session_scope(engine) as s:
        built = build_week(s, W50)
    p = built.problem
    visits = {v.id: v for v in p.visits}
    assert set(visits) == {
        f"cp-{ids['weekly2']}",
        f"cp-{ids['monthly']}",
        f"cp-{ids['psy']}",
        f"cp-{ids['thursdays']}",
        f"vs-{ids['vs_pteri']}",
        f"vs-{ids['vs_kounina']}",
    }
    twice = visits[f"cp-{ids['weekly2']}"]
    assert (twice.frequency, twice.min_gap_days, twice.priority) == (2, 2, 2)  # ΚΕΑ raises priority
    assert visits[f"cp-{ids['thursdays']}"].allowed_weekdays == frozenset({3})  # ISO 4 = Thursday
    assert visits[f"cp-{ids['psy']}"].required_staff == f"st-{ids['psy']}"
    assert visits[f"vs-{ids['vs_pteri']}"].preferred_weekday == 2  # ISO 3 = Wednesday
    exact = visits[f"cp-{ids['monthly']}"].location
    assert (exact.lat, exact.lon) == (38.2201, 22.0402)
    # crews: the psychologist rides the van on Monday and Thursday; the car gets a social
    # worker before the van gets a second one; Friday the driver is off
    days = {(ud.unit_id, ud.date.isoweekday()): ud for ud in p.unit_days}
    van, car = f"unit-{ids['van']}", f"unit-{ids['car']}"
    assert {c.staff_id for c in days[(van, 1)].crew} == {f"st-{ids['psy']}", f"st-{ids['sw2']}"}
    assert {c.staff_id for c in days[(car, 1)].crew} == {f"st-{ids['sw1']}"}
    assert not days[(van, 5)].available and "driver" in days[(van, 5)].note
    assert days[(car, 5)].available
    # nobody is seated in the van that stays: Friday's first social worker rides the car
    assert not days[(van, 5)].crew and {c.staff_id for c in days[(car, 5)].crew} == {f"st-{ids['sw1']}"}
    part_timer = [c for ud in p.unit_days for c in ud.crew if c.staff_id == f"st-{ids['sw3']}"]
    assert part_timer and all(c.hours is not None and c.hours.end == 12 * 3600 for c in part_timer)


def test_monthly_twice_done_once_this_month_is_due_again(register: tuple[Engine, dict[str, int]]) -> None:
    # Twice a month, done once in December (Tue 1/12, W49): two weeks on, in W51, the second
    # December visit is due. The one done visit counts once, though it is both among the recent
    # ones and the last ever (counted twice, the month looked complete and the visit was lost).
    engine, ids = register
    with session_scope(engine, actor="test") as s:
        s.get_one(m.CarePlan, ids["monthly"]).frequency_count = 2
    _done(engine, f"cp-{ids['monthly']}", date(2026, 12, 1))
    with session_scope(engine) as s:
        due = {v.id for v in build_week(s, "2026-W51").problem.visits}
    assert f"cp-{ids['monthly']}" in due


def test_a_re_plan_keeps_everyone_in_the_unit_they_were_published_in(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """Published: on Thursday the psychologist and the second social worker ride the van, the
    first the car. The psychologist then stops working Thursdays: the re-plan keeps each social
    worker in the unit the people on their routes were told (spread by id alone, the two
    swapped units and 16 visits of a demo week silently got another social worker)."""
    engine, ids = register
    first = plan_week(engine, W50, time_limit=0.5, workers=1, today=date(2026, 12, 4))
    publish(engine, first.plan_version_id, today=date(2026, 12, 4))
    thursday = date(2026, 12, 10)
    van, car = f"unit-{ids['van']}", f"unit-{ids['car']}"

    def crews(problem: Problem) -> dict[str, set[str]]:
        return {ud.unit_id: {c.staff_id for c in ud.crew} for ud in problem.unit_days if ud.date == thursday}

    sw1, sw2, psy = (f"st-{ids[k]}" for k in ("sw1", "sw2", "psy"))
    assert crews(first.problem) == {van: {psy, sw2}, car: {sw1}}
    with session_scope(engine, actor="test") as s:
        s.get_one(m.Staff, ids["psy"]).weekdays = [1]
    with session_scope(engine) as s:
        again = build_week(s, W50, today=date(2026, 12, 4)).problem
    assert crews(again) == {van: {sw2}, car: {sw1}}


def test_a_staff_member_away_for_a_day_rides_on_no_unit_that_day(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """The psychologist is away on Thursday (a calendar entry for that date, not a change of
    her working days): Thursday's crews are seated without her, Monday's keep her (midweek
    walkthrough: an absence could only be entered by changing the weekdays she works, which a
    re-plan or the next weeks then got wrong)."""
    engine, ids = register
    thursday = date(2026, 12, 10)
    with session_scope(engine, actor="test") as s:
        s.add(m.CalendarDay(day=thursday, kind="staff_unavailable", staff_id=ids["psy"], name="άδεια"))
    with session_scope(engine) as s:
        built = build_week(s, W50, today=date(2026, 12, 4))
    psy = f"st-{ids['psy']}"
    aboard = {(ud.date, c.staff_id) for ud in built.problem.unit_days for c in ud.crew}
    assert (date(2026, 12, 7), psy) in aboard and (thursday, psy) not in aboard
    with session_scope(engine) as s:
        assert s.get_one(m.Staff, ids["psy"]).weekdays == [1, 4]  # her working days as they were
    # the driver away on Tuesday: his van stays at the base that day, as on his days off (review:
    # with him left out of who is present, the register looked as if it had no driver)
    with session_scope(engine, actor="test") as s:
        s.add(m.CalendarDay(day=date(2026, 12, 8), kind="staff_unavailable", staff_id=ids["drv"]))
    with session_scope(engine) as s:
        days = {
            (ud.unit_id, ud.date): ud for ud in build_week(s, W50, today=date(2026, 12, 4)).problem.unit_days
        }
    tuesday_van = days[(f"unit-{ids['van']}", date(2026, 12, 8))]
    assert not tuesday_van.available and "driver" in tuesday_van.note


def test_a_re_plan_seats_who_the_spread_chooses_in_their_published_units(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """Published while the psychologist was away on Monday; her absence then removed: the re-plan
    seats her on Monday (three seats, four at work: she comes first), the social workers who
    keep a seat in their published units (review: the published seats were filled first and
    she was left out)."""
    engine, ids = register
    monday = date(2026, 12, 7)
    with session_scope(engine, actor="test") as s:
        s.add(m.CalendarDay(day=monday, kind="staff_unavailable", staff_id=ids["psy"]))
    first = plan_week(engine, W50, time_limit=0.5, workers=1, today=date(2026, 12, 4))
    publish(engine, first.plan_version_id, today=date(2026, 12, 4))
    with session_scope(engine, actor="test") as s:
        for row in s.scalars(select(m.CalendarDay).where(m.CalendarDay.kind == "staff_unavailable")):
            s.delete(row)
    with session_scope(engine) as s:
        again = build_week(s, W50, today=date(2026, 12, 4)).problem
    aboard = {ud.unit_id: {c.staff_id for c in ud.crew} for ud in again.unit_days if ud.date == monday}
    before = {
        ud.unit_id: {c.staff_id for c in ud.crew} for ud in first.problem.unit_days if ud.date == monday
    }
    assert f"st-{ids['psy']}" in set().union(*aboard.values())
    sw1, sw2 = f"st-{ids['sw1']}", f"st-{ids['sw2']}"
    for member in (sw1, sw2):  # each still in the unit they were published in
        assert [u for u, crew in aboard.items() if member in crew] == [
            u for u, crew in before.items() if member in crew
        ]


def test_two_psychologists_ride_in_two_units() -> None:
    # Two professionals in one van serve one visit at a time: every unit gets one before any
    # gets a second, psychologists too (both in the first van, three units served one role each).
    from planner.register.week import _crews

    units = [m.Unit(id=k, name=f"u{k}", capacity=2) for k in (1, 2, 3)]
    staff = [
        m.Staff(id=1, name="Ψ1", role="psychologist", weekdays=[1], active=True),
        m.Staff(id=2, name="Ψ2", role="psychologist", weekdays=[1], active=True),
        *(m.Staff(id=k, name=f"Κ{k}", role="social_worker", weekdays=[1], active=True,
                  part_time=False) for k in (3, 4, 5, 6)),
    ]  # fmt: skip
    for s in staff:
        s.day_start, s.day_end = time(8), time(16)
    crews = _crews(units, staff, date(2026, 12, 7))
    assert {uid: [c.staff_id for c in crew] for uid, crew in crews.items()} == {
        1: ["st-1", "st-4"], 2: ["st-2", "st-5"], 3: ["st-3", "st-6"]
    }  # fmt: skip


def test_a_person_a_due_visit_names_is_seated_on_a_day_they_work(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """The part-time social worker works only on Mondays, when the psychologist and the two
    full-timers fill the three seats: she would ride on no day. A care plan due this week
    names her (continuity of care): she is seated first on Monday, and her visit can be
    served; a full-timer stays at the office that Monday. Without such a plan she is not."""
    engine, ids = register
    with session_scope(engine, actor="test") as s:
        s.get(m.Staff, ids["sw3"]).weekdays = [1]
    sw3 = f"st-{ids['sw3']}"

    def monday_crews() -> set[str]:
        with session_scope(engine) as s:
            p = build_week(s, W50).problem
        return {c.staff_id for ud in p.unit_days if ud.date.isoweekday() == 1 for c in ud.crew}

    assert sw3 not in monday_crews()
    with session_scope(engine, actor="test") as s:
        person = m.Beneficiary(full_name="Συνέχεια φροντίδας", settlement_code=TEMENI)
        s.add(person)
        s.flush()
        s.add(
            m.CarePlan(
                beneficiary_id=person.id, service="home_care", required_role="social_worker",
                staff_id=ids["sw3"], duration_min=30, frequency_kind="weekly", frequency_count=1,
                start_date=date(2026, 12, 7),
            )
        )  # fmt: skip
    crews = monday_crews()
    assert sw3 in crews and f"st-{ids['psy']}" in crews
    assert len({f"st-{ids['sw1']}", f"st-{ids['sw2']}"} & crews) == 1  # one full-timer gives way
    from planner.solver import SolveParams, solve

    with session_scope(engine) as s:
        problem = build_week(s, W50).problem
    plan = solve(problem, SolveParams(time_limit=1))
    assert validate(problem, plan) == []
    named = next(v.id for v in problem.visits if v.required_staff == sw3)
    assert any(st.visit_id == named for r in plan.routes for st in r.stops)


def test_holiday_week_removes_the_holidays(register: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = register
    with session_scope(engine) as s:
        easter = build_week(s, EASTER_WEEK)
        monday = build_week(s, EASTER_MONDAY_WEEK)
    assert [d.isoformat() for d, _ in easter.removed_dates] == ["2026-04-10"]  # Good Friday
    # Easter Monday, and Bright Friday: Aigio's local holiday (Παναγία Τρυπητή)
    assert [d.isoformat() for d, _ in monday.removed_dates] == ["2026-04-13", "2026-04-17"]
    closed = {ud.date for ud in easter.problem.unit_days if not ud.available}
    assert date(2026, 4, 10) in closed
    # a weekly twice-a-week visit still gets two dates in a four-day week
    assert max(v.frequency for v in easter.problem.visits) == 2


def test_a_persons_hours_bound_the_whole_visit(register: tuple[Engine, dict[str, int]]) -> None:
    """Hours 09:00-12:00 for a 40-minute visit: the engine's window bounds its start, 09:00 to
    11:20, so the visit ends by 12:00 (it could start at 12:00 and run to 12:40 before)."""
    engine, ids = register
    with session_scope(engine) as s:
        built = build_week(s, W50)
    visit = next(v for v in built.problem.visits if v.id == f"cp-{ids['monthly']}")
    assert [(w.start, w.end) for w in visit.time_windows] == [(9 * 3600, 11 * 3600 + 20 * 60)]
    assert visit.service == 40 * 60


def test_register_closure_and_pilot_day(register: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = register
    with session_scope(engine, actor="test") as s:
        s.add(m.CalendarDay(day=date(2026, 12, 8), kind="closure", name="εκλογές (πλασματικό)"))
        s.add(m.CalendarDay(day=date(2026, 12, 9), kind="pilot_extended_hours"))
        s.add(m.CalendarDay(day=date(2026, 12, 10), kind="unit_unavailable", unit_id=ids["car"]))
    with session_scope(engine) as s:
        built = build_week(s, W50)
    days = {(ud.unit_id, ud.date.day): ud for ud in built.problem.unit_days}
    assert not days[(f"unit-{ids['van']}", 8)].available
    assert days[(f"unit-{ids['van']}", 9)].pilot and days[(f"unit-{ids['van']}", 9)].shift.end == 20 * 3600
    assert not days[(f"unit-{ids['car']}", 10)].available and days[(f"unit-{ids['van']}", 10)].available


@pytest.mark.parametrize("command", [["week", "next"], ["outcome", "cp-1", "done"]])
def test_a_register_that_cannot_be_opened_is_a_clear_error(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Not a database, or a database whose driver is not installed: exit 2 and a sentence, not
    'internal error'."""
    not_a_db = tmp_path / "notes.sqlite3"
    not_a_db.write_text("hello", encoding="utf-8")
    for db, words in ((str(not_a_db), "file is not a database"), ("mysql+mysqldb://u@host/k", "driver")):
        assert main([*command, "--db", db]) == 2
        err = capsys.readouterr().err
        assert "cannot open the database" in err and words in err and "internal error" not in err


def test_a_week_with_every_day_closed_says_so(register: tuple[Engine, dict[str, int]]) -> None:
    """Not 'nothing is due': every day of the week is closed, and the message says why."""
    engine, _ = register
    with session_scope(engine, actor="test") as s:
        for day in range(7, 12):
            s.add(m.CalendarDay(day=date(2026, 12, day), kind="closure", name="απεργία (πλασματικό)"))
    with session_scope(engine) as s, pytest.raises(WeekError, match="every day of week 2026-W50 is closed"):
        build_week(s, W50)


def test_plan_week_stores_valid_versions_and_keeps_published_stable(
    register: tuple[Engine, dict[str, int]],
) -> None:
    engine, _ = register
    first = plan_week(engine, W50, time_limit=1.5, workers=1, actor="maria")
    assert first.version == 1 and not validate(first.problem, first.plan)
    assert first.summary["visits_served"] > 0
    publish(engine, first.plan_version_id, actor="maria")
    # the stored documents read back and still validate
    with session_scope(engine) as s:
        row = s.get(m.PlanVersion, first.plan_version_id)
        assert row is not None and row.status == "published" and row.published_at is not None
        stored_problem = problem_from_dict(json.loads(row.problem_json or ""))
        stored_plan = plan_from_dict(json.loads(row.plan_json))
        assert not validate(stored_problem, stored_plan)
        audit = s.scalars(select(m.AuditLog).where(m.AuditLog.entity == "plan_versions")).all()
        assert {a.action for a in audit} == {"insert", "update"} and {a.actor for a in audit} == {"maria"}
    # an urgent new visit; re-planning keeps what was published where it was
    _add_urgent(engine)
    second = plan_week(engine, W50, time_limit=1.5, workers=1, actor="maria")
    assert second.version == 2 and not validate(second.problem, second.plan)
    assert second.summary["based_on_published"] == 1
    old = {(s.visit_id, s.occurrence): r.date for r in first.plan.routes for s in r.stops}
    new = {(s.visit_id, s.occurrence): r.date for r in second.plan.routes for s in r.stops}
    kept = [k for k in old if new.get(k) == old[k]]
    assert len(kept) == len(old), second.changes  # nothing published moved
    assert any(line.startswith("προστέθηκε / added") for line in second.changes)
    assert all("moved" not in line for line in second.changes)


def test_not_done_visit_carries_over_with_higher_priority(register: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = register
    last_week = plan_week(engine, "2026-W49", time_limit=1, workers=1)
    publish(engine, last_week.plan_version_id)
    served = {s.visit_id: r.date for r in last_week.plan.routes for s in r.stops}
    psy = f"cp-{ids['psy']}"
    weekly = f"cp-{ids['thursdays']}"
    assert psy in served and weekly in served
    # the psychologist's client was seen; the Thursday visit was 'not at home'
    with session_scope(engine, actor="driver") as s:
        record_outcome(s, psy, "done", on=served[psy], recorded_by="driver")
        record_outcome(s, weekly, "not_at_home", on=served[weekly], recorded_by="driver")
    with session_scope(engine) as s:
        built = build_week(s, W50, today=date(2026, 12, 7))
    assert weekly in built.carried_over and psy not in built.carried_over
    visits = {v.id: v for v in built.problem.visits}
    assert visits[weekly].priority == visits[psy].priority + 1
    # then seen on Saturday: done in its week (the due rule and the carry-over both count the
    # whole ISO week), so no longer carried over
    with session_scope(engine, actor="office") as s:
        record_outcome(s, weekly, "done", on=date(2026, 12, 5), recorded_by="office")
    with session_scope(engine) as s:
        assert weekly not in build_week(s, W50, today=date(2026, 12, 7)).carried_over


def test_a_visit_no_longer_owed_is_not_counted_as_carried(register: tuple[Engine, dict[str, int]]) -> None:
    """Not done last week, but its plan ended since: not in the week, so not counted among the
    visits carried over (the summary said 16 carried over, one of them ended)."""
    engine, ids = register
    last_week = plan_week(engine, "2026-W49", time_limit=1, workers=1)
    publish(engine, last_week.plan_version_id)
    weekly = f"cp-{ids['thursdays']}"
    assert weekly in {s.visit_id for r in last_week.plan.routes for s in r.stops}
    with session_scope(engine) as s:
        assert weekly in build_week(s, W50, today=date(2026, 12, 7)).carried_over
    with session_scope(engine, actor="office") as s:
        plan = s.get(m.CarePlan, ids["thursdays"])
        assert plan is not None
        plan.end_date = date(2026, 12, 4)
    with session_scope(engine) as s:
        built = build_week(s, W50, today=date(2026, 12, 7))
    assert weekly not in {v.id for v in built.problem.visits} and weekly not in built.carried_over


def test_aigios_local_holiday_is_closed_in_any_year(register: tuple[Engine, dict[str, int]]) -> None:
    """Bright Friday (Παναγία Τρυπητή) was closed only in the demo register, for two years: a
    register of its own planned the van out on it."""
    engine, _ = register
    with session_scope(engine) as s:
        built = build_week(s, "2027-W18", today=date(2027, 4, 1))  # Easter 2 May 2027
        later = build_week(s, "2031-W16", today=date(2031, 4, 1))  # Easter 13 April 2031
    assert dict(built.removed_dates)[date(2027, 5, 7)].startswith("Παναγία Τρυπητή")
    assert not any(ud.available for ud in built.problem.unit_days if ud.date == date(2027, 5, 7))
    assert date(2031, 4, 18) in dict(later.removed_dates)


def test_pins_are_kept_from_the_latest_version(register: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = register
    pinned = f"cp-{ids['monthly']}"
    first = plan_week(engine, W50, time_limit=1, workers=1, pins={pinned: (date(2026, 12, 9), None)})
    assert any(
        s.visit_id == pinned and r.date == date(2026, 12, 9) for r in first.plan.routes for s in r.stops
    )
    with session_scope(engine) as s:
        again = build_week(s, W50)
    assert {v.id: v.pinned_date for v in again.problem.visits}[pinned] == date(2026, 12, 9)


def test_bad_week_and_unknown_unit_are_clear_errors(register: tuple[Engine, dict[str, int]]) -> None:
    engine, _ = register
    with session_scope(engine) as s:
        with pytest.raises(WeekError, match="ISO"):
            build_week(s, "2026-50")
        with pytest.raises(WeekError, match="Αυτοκίνητο"):
            build_week(s, W50, units=["Φορτηγό"])


def test_re_planning_fewer_units_than_published_mid_week_says_what_to_do_instead(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """Published for both units, then on Wednesday re-planned for the car alone: the van's
    routes of Monday to Wednesday would belong to no plan, so the re-plan is refused, naming
    the van and saying what to do (before: "no such unit and date in the problem"). Doing
    that, the van unavailable on Thursday and Friday and both units re-planned, keeps the
    van's routes up to today and sends it nowhere after."""
    engine, ids = register
    first = plan_week(engine, W50, time_limit=0.5, workers=1, today=date(2026, 12, 4))
    publish(engine, first.plan_version_id, today=date(2026, 12, 4))
    wednesday, van = date(2026, 12, 9), f"unit-{ids['van']}"
    van_days = {r.date for r in first.plan.routes if r.unit_id == van and r.stops}
    assert van_days & {date(2026, 12, 7), date(2026, 12, 8), wednesday}
    with pytest.raises(WeekError, match=r"Βαν.*ημερολόγιο.*Βαν.*calendar"):
        plan_week(engine, W50, units=["Αυτοκίνητο"], time_limit=0.5, workers=1, today=wednesday)
    # the web's Adjust keeps the past through keep_past too: refused before its solve
    car_only = replace(
        first.problem,
        units=tuple(u for u in first.problem.units if u.id != van),
        unit_days=tuple(ud for ud in first.problem.unit_days if ud.unit_id != van),
    )
    with pytest.raises(WeekError, match="Βαν"):
        keep_past(car_only, first.problem, first.plan, wednesday)
    with session_scope(engine, actor="test") as s:
        for day in (10, 11):
            s.add(m.CalendarDay(day=date(2026, 12, day), kind="unit_unavailable", unit_id=ids["van"]))
    again = plan_week(engine, W50, time_limit=0.5, workers=1, today=wednesday)
    assert validate(again.problem, again.plan) == []
    kept = {(r.date, tuple(s.visit_id for s in r.stops)) for r in first.plan.routes if r.unit_id == van}
    now = {(r.date, tuple(s.visit_id for s in r.stops)) for r in again.plan.routes if r.unit_id == van}
    assert {x for x in now if x[0] <= wednesday} == {x for x in kept if x[0] <= wednesday}
    assert not [x for x in now if x[0] > wednesday and x[1]]


def test_a_unit_is_found_by_the_start_of_its_name_without_accents(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """`--units αυτοκ` (or "ΑΥΤΟΚΙΝΗΤΟ", or its id) means the car; what starts no name is
    refused (as is a start two names share)."""
    engine, ids = register
    with session_scope(engine) as s:
        for typed in ("αυτοκ", "ΑΥΤΟΚΙΝΗΤΟ", "Αυτοκίνητο", str(ids["car"])):
            built = build_week(s, W50, units=[typed])
            assert [u.id for u in built.problem.units] == [f"unit-{ids['car']}"], typed
        with pytest.raises(WeekError, match="unknown or ambiguous"):
            build_week(s, W50, units=["ξ"])


def test_outcome_with_a_client_reference_is_stored_once(register: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = register
    visit = f"cp-{ids['psy']}"
    with session_scope(engine) as s:
        a = record_outcome(
            s, visit, "done", on=date(2026, 12, 7), recorded_by="d", client_ref="tablet-1-0001"
        )
    with session_scope(engine) as s:
        b = record_outcome(
            s, visit, "done", on=date(2026, 12, 7), recorded_by="d", client_ref="tablet-1-0001"
        )
        count = s.scalar(select(func.count()).select_from(m.VisitOutcome))
        row = s.get(m.VisitOutcome, a.outcome_id)
        assert row is not None
        occurred = row.occurred_at.replace(tzinfo=row.occurred_at.tzinfo or UTC)
    assert a.created and not b.created and a.outcome_id == b.outcome_id and count == 1
    assert occurred == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # noon in Athens (UTC+2)


def test_cli_week_publish_outcome_end_to_end(
    register: tuple[Engine, dict[str, int]], db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ids = register
    out, html = tmp_path / "plan.json", tmp_path / "plan.html"
    code = main(
        [
            "week",
            W50,
            "--db",
            str(db_file),
            "--time-limit",
            "1",
            "--workers",
            "1",
            "-o",
            str(out),
            "--map",
            str(html),
            "--by",
            "maria",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "stored as version 1" in printed and out.exists() and html.exists()
    assert main(["publish", W50, "--db", str(db_file), "--by", "maria"]) == 0
    assert "published" in capsys.readouterr().out
    visit = f"cp-{ids['psy']}"
    assert main(["outcome", visit, "done", "--date", "23/11/2026", "--db", str(db_file), "--ref", "x1"]) == 0
    assert main(["outcome", visit, "done", "--date", "23/11/2026", "--db", str(db_file), "--ref", "x1"]) == 0
    assert "already recorded" in capsys.readouterr().out
    assert main(["outcome", "cp-99999", "done", "--db", str(db_file)]) == 2
    assert main(["outcome", visit, "done", "--date", "32/12/2026", "--db", str(db_file)]) == 2
    assert main(["week", "2026-W99", "--db", str(db_file)]) == 2
    assert main(["week", W50, "--db", str(tmp_path / "missing.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert "kinito init" in err and "ISO" in err


def test_cli_week_with_an_unwritable_output_stores_nothing(
    register: tuple[Engine, dict[str, int]], db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito week -o <missing folder>/plan.json --publish`: refused before planning, so no
    version is stored or published that a re-run would then duplicate."""
    engine, _ = register
    bad = tmp_path / "nowhere" / "plan.json"
    args = ["week", W50, "--db", str(db_file), "--time-limit", "1", "--workers", "1", "--publish"]
    assert main([*args, "-o", str(bad)]) == 2
    assert "does not exist" in capsys.readouterr().err
    with session_scope(engine) as s:
        assert s.scalars(select(m.PlanVersion)).all() == []


def test_kinito_week_on_the_demo_register_end_to_end(
    db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito init --demo`, then `kinito week` twice (publishing the first): each stored plan
    passes the validator against its stored problem, and the second lists its changes."""
    assert main(["init", "--db", str(db_file), "--demo", "--reference-date", "2026-12-07"]) == 0
    # 4 s: with 2 s of one search the re-plan sometimes kept too few visits with their unit
    # when the machine was busy (the fresh-clone CI, 3 runs of 8 this session)
    args = ["week", "2026-W50", "--db", str(db_file), "--time-limit", "4", "--workers", "1"]
    assert main([*args, "--publish"]) == 0
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Κινητή μονάδα" in out and "stored as version 2" in out
    assert "changes against published version 1" in out
    engine = make_engine(db_file)
    try:
        with session_scope(engine) as s:
            rows = s.scalars(select(m.PlanVersion).order_by(m.PlanVersion.version)).all()
            assert [(r.version, r.status) for r in rows] == [(1, "published"), (2, "draft")]
            for row in rows:
                problem = problem_from_dict(json.loads(row.problem_json or ""))
                plan = plan_from_dict(json.loads(row.plan_json))
                assert not validate(problem, plan)
                served = sum(len(r.stops) for r in plan.routes)
                assert served >= 0.8 * sum(v.frequency for v in problem.visits)
                assert {v.id[:3] for v in problem.visits} == {"cp-", "vs-"}
            # nothing changed in the register: the re-plan keeps visits with their unit (crew)
            first, second = (plan_from_dict(json.loads(r.plan_json)) for r in rows)
            unit_of = [{s.visit_id: r.unit_id for r in p.routes for s in r.stops} for p in (first, second)]
            both = set(unit_of[0]) & set(unit_of[1])
            moved = [v for v in both if unit_of[0][v] != unit_of[1][v]]
            assert len(moved) <= 0.05 * len(both), moved
            second_problem = problem_from_dict(json.loads(rows[1].problem_json or ""))
            kept = {v.id: v.preferred_units for v in second_problem.visits if v.preferred_units}
            units_in_first = defaultdict(set)
            for r in first.routes:
                for st in r.stops:
                    units_in_first[st.visit_id].add(r.unit_id)
            assert kept == units_in_first
            # and the start each person was told, per date
            told = {v.id: dict(v.preferred_times) for v in second_problem.visits if v.preferred_times}
            starts: dict[str, dict[date, int]] = defaultdict(dict)
            for r in first.routes:
                for st in r.stops:
                    starts[st.visit_id][r.date] = st.start
            assert told == starts
            # and the route (unit) of each date: a visit twice a week may have had both
            day_units = {
                v.id: dict(v.preferred_day_units) for v in second_problem.visits if v.preferred_times
            }
            assert day_units == {
                vid: {r.date: r.unit_id for r in first.routes for st in r.stops if st.visit_id == vid}
                for vid in starts
            }
    finally:
        engine.dispose()


def test_this_and_next_week_resolve_from_today() -> None:
    from planner.register.week_cli import resolve_week

    wednesday = date(2026, 11, 25)
    assert resolve_week("next", wednesday) == "2026-W49"
    assert resolve_week("επόμενη", wednesday) == "2026-W49"
    assert resolve_week("this", wednesday) == "2026-W48"
    assert resolve_week("this", date(2026, 12, 31)) == "2026-W53"
    assert resolve_week("next", date(2026, 12, 31)) == "2027-W01"
    assert resolve_week(" 2026-W50 ") == "2026-W50"


def _copies_of_version(engine: Engine, pv_id: int, versions: tuple[int, ...]) -> None:
    """Store copies of a plan version as further versions of its week (drafts)."""
    with session_scope(engine) as s:
        row = s.get(m.PlanVersion, pv_id)
        assert row is not None
        for n in versions:
            s.add(m.PlanVersion(iso_week=row.iso_week, unit_set=row.unit_set, version=n, status="draft",
                                plan_json=row.plan_json, problem_json=row.problem_json, summary=row.summary,
                                created_by="test"))  # fmt: skip


def test_week_never_writes_its_plan_over_the_register(
    register: tuple[Engine, dict[str, int]], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito week -o` or `--map` naming the register file: exit 2 before anything is planned
    or stored, the register intact (before, the plan JSON replaced the database)."""
    before = db_file.read_bytes()
    for flag in ("-o", "--map"):
        assert main(["week", W50, "--db", str(db_file), flag, str(db_file), "--time-limit", "1"]) == 2
        assert "is the register file itself" in capsys.readouterr().err
    assert db_file.read_bytes() == before


def test_publishing_an_older_version_makes_it_the_one_drivers_get(
    register: tuple[Engine, dict[str, int]], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """v1 and v2 published in turn, then `kinito publish --version 1`: v1 is the only published
    version of the week, v2 is a draft again, and the driver's view serves v1."""
    from webui.driver import find_route

    engine, ids = register
    first = plan_week(engine, W50, time_limit=0.5, workers=1, actor="maria")
    _copies_of_version(engine, first.plan_version_id, (2, 3))
    db = ["--db", str(db_file)]
    assert main(["publish", W50, "--version", "1", *db]) == 0
    assert main(["publish", W50, "--version", "2", *db]) == 0
    capsys.readouterr()
    assert main(["publish", W50, "--version", "1", *db]) == 0
    out = capsys.readouterr().out
    assert "published: 2026-W50 έκδοση / version 1" in out and "version 2 is no longer published" in out
    with session_scope(engine) as s:
        rows = s.scalars(select(m.PlanVersion).order_by(m.PlanVersion.version)).all()
        assert [(r.version, r.status, r.published_at is not None) for r in rows] == [
            (1, "published", True), (2, "draft", False), (3, "draft", False),
        ]  # fmt: skip
        for day in (date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10)):
            today = find_route(s, ids["van"], day)
            assert today is not None and today.version.version == 1
    assert main(["publish", W50, "--version", "1", *db]) == 0
    assert "already published" in capsys.readouterr().out


def test_a_draft_made_before_days_since_driven_is_not_published(
    register: tuple[Engine, dict[str, int]], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """v1 published; v2, a draft whose Tuesday differs (made before Tuesday), published on
    Thursday would send the drivers Tuesday's and Wednesday's routes again with visits already
    done: refused, v1 stays published, the CLI says which days and what to do. Published before
    Tuesday, it goes through. A re-plan made on Thursday keeps the days so far and publishes."""
    from planner.register.week import StalePublish

    engine, _ids = register
    first = plan_week(engine, W50, time_limit=0.5, workers=1, actor="maria", today=date(2026, 12, 4))
    publish(engine, first.plan_version_id, today=date(2026, 12, 4))
    _copies_of_version(engine, first.plan_version_id, (2,))
    with session_scope(engine) as s:
        v2 = s.scalars(select(m.PlanVersion).where(m.PlanVersion.version == 2)).one()
        plan = json.loads(v2.plan_json)
        day = date.fromisoformat(min(r["date"] for r in plan["routes"]))  # the week's first route
        assert day < date(2026, 12, 10)
        plan["routes"] = [r for r in plan["routes"] if r["date"] != day.isoformat()]
        v2.plan_json, v2_id = json.dumps(plan), v2.id
    with pytest.raises(StalePublish, match=day.strftime("%d/%m")):
        publish(engine, v2_id, today=date(2026, 12, 10))
    db = ["--db", str(db_file)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KINITO_TODAY", "2026-12-10")
        assert main(["publish", W50, "--version", "2", *db]) == 2
    err = capsys.readouterr().err
    assert (
        f"({day:%d/%m}) from published version 1" in err and "Re-plan the week or adjust this version" in err
    )
    with session_scope(engine) as s:
        assert s.get_one(m.PlanVersion, first.plan_version_id).status == "published"
    again = plan_week(engine, W50, time_limit=0.5, workers=1, actor="maria", today=date(2026, 12, 10))
    publish(engine, again.plan_version_id, today=date(2026, 12, 10))  # keeps Monday to Thursday
    publish(engine, v2_id, today=day - timedelta(days=1))  # the day before, that day was still to come


def test_a_register_made_by_plain_init_is_planned_after_unit_and_staff_add(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito init`, an import, `kinito unit add` and `kinito staff add`: `kinito week` plans
    (before the unit it says how to add one); bad unit and staff arguments are exit 2."""
    from tests.register.test_import_helpers import GOOD_PERSON, write_csv

    db = ["--db", str(tmp_path / "real.sqlite3")]
    week = ["week", W50, *db, "--time-limit", "0.5", "--workers", "1"]
    assert main(["init", *db]) == 0
    assert main(["import", str(write_csv(tmp_path / "p.csv", [GOOD_PERSON])), *db]) == 0
    capsys.readouterr()
    assert main(week) == 2
    assert "kinito unit add" in capsys.readouterr().err
    assert main(["unit", "add", "Βαν", "--base", "Αίγιο", "--capacity", "2", *db]) == 0
    assert main(["unit", "add", "Βαν", "--base", "Αίγιο", *db]) == 2  # the same name twice
    assert main(["unit", "add", "Άλλη", "--base", "Πουθενά", *db]) == 2
    assert main(["unit", "add", "Άλλη", "--base-lat", "38.2", *db]) == 2
    capsys.readouterr()
    # a base outside the municipality (here latitude and longitude swapped): refused, with why
    assert main(["unit", "add", "Άλλη", "--base-lat", "22.0816", "--base-lon", "38.2498", *db]) == 2
    err = capsys.readouterr().err
    assert "outside the municipality" in err and "latitude and longitude swapped?" in err
    assert main(["unit", "add", "Άλλη", "--base-lat", "38.2498", "--base-lon", "22.0816", *db]) == 0
    assert main(["staff", "add", "Μαρία Κ.", "--role", "κοινωνική λειτουργός", "--id", "ΚΛ-1", *db]) == 0
    capsys.readouterr()
    assert main(["staff", "add", "Μαρία Κ.", "--role", "κοινωνική λειτουργός", *db]) == 2  # twice, by mistake
    assert "there is already staff member 'Μαρία Κ.'" in capsys.readouterr().err
    assert main(["staff", "add", "Γιώργος", "--role", "οδηγός", "--weekdays", "Δευ-Πεμ", *db]) == 0
    assert main(["staff", "add", "Σοφία Μ.", "--role", "ψυχολόγος", "--part-time", *db]) == 0
    assert main(["staff", "add", "Κάποιος", "--role", "μάγειρας", *db]) == 2
    assert main(["unit", "list", *db]) == 0 and main(["staff", "list", *db]) == 0
    listed = capsys.readouterr().out
    assert "Βαν" in listed and "Αίγιον" in listed and "ΚΛ-1" in listed and "οδηγός" in listed
    # --part-time shows in the list (there was no way to see it had been taken)
    (sofia,) = [line for line in listed.splitlines() if line.startswith("st-") and "Σοφία Μ." in line]
    assert sofia.endswith("μερική απασχόληση / part-time")
    assert not any("part-time" in line for line in listed.splitlines() if "Γιώργος" in line)
    assert main(week) == 0
    out = capsys.readouterr().out
    assert "stored as version 1" in out and "Μαρία Κ." in out


def test_unit_weekly_hours_are_set_changed_and_listed_by_the_cli(
    loaded_engine: Engine, db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito unit add --weekly-hours 20,5` and `kinito unit hours ΜΟΝΑΔΑ 12` / `--default`:
    a part-time driver's week, stored in hours and audited; `unit list` shows it, or the
    default 40 h; hours not over 0 and up to 168, or neither / both of H and --default, exit 2."""
    db = ["--db", str(db_file)]

    def stored() -> dict[str, float | None]:
        with session_scope(loaded_engine) as s:
            return {u.name: u.weekly_hours for u in s.scalars(select(m.Unit))}

    assert main(["unit", "add", "Βαν", "--base", "Αίγιο", "--weekly-hours", "20,5", *db]) == 0
    assert "20,5 ώρες/εβδ. / h/week" in capsys.readouterr().out
    assert main(["unit", "add", "Αυτοκίνητο", "--base", "Αίγιο", *db]) == 0
    assert "40 ώρες/εβδ. / h/week (προεπιλογή / default)" in capsys.readouterr().out
    assert stored() == {"Βαν": 20.5, "Αυτοκίνητο": None}
    capsys.readouterr()
    assert main(["unit", "add", "ΒΆΝ", "--base", "Αίγιο", *db]) == 2  # the same name, case and accents aside
    assert "υπάρχει ήδη μονάδα «Βαν»" in capsys.readouterr().err
    for bad in ("0", "-5", "168,5", "είκοσι", "nan", "inf"):
        assert main(["unit", "add", "Τρίτη", "--base", "Αίγιο", "--weekly-hours", bad, *db]) == 2, bad
        err = capsys.readouterr().err
        assert "πάνω από 0 και έως 168" in err and "over 0 and at most 168" in err
        assert main(["unit", "hours", "Βαν", bad, *db]) == 2, bad
        err = capsys.readouterr().err  # each half names what was typed, not the argument's H
        greek, _, english = err.partition(" / ")
        assert f"«{bad}»: ώρες την εβδομάδα" in greek and f"«{bad}»: hours a week" in english
        assert "H '" not in err
    assert stored() == {"Βαν": 20.5, "Αυτοκίνητο": None}  # nothing added, nothing changed
    assert main(["unit", "hours", "αυτοκ", "12", "--by", "maria", *db]) == 0  # the start of its name
    assert main(["unit", "hours", "1", "168", *db]) == 0  # by id; a whole week is allowed
    assert stored() == {"Βαν": 168, "Αυτοκίνητο": 12}
    assert main(["unit", "hours", "βαν", "--default", *db]) == 0
    assert main(["unit", "hours", "Αυτοκίνητο", "12.25", *db]) == 0
    assert stored() == {"Βαν": None, "Αυτοκίνητο": 12.25}
    capsys.readouterr()
    assert main(["unit", "hours", "Βαν", *db]) == 2
    assert main(["unit", "hours", "Βαν", "12", "--default", *db]) == 2
    assert "--default" in capsys.readouterr().err
    assert main(["unit", "hours", "Φορτηγό", "12", *db]) == 2
    assert "άγνωστη ή αμφίσημη μονάδα" in capsys.readouterr().err
    assert main(["unit", "list", *db]) == 0
    van, car = capsys.readouterr().out.splitlines()
    assert "Βαν" in van and "40 ώρες/εβδ. / h/week (προεπιλογή / default)" in van
    assert "Αυτοκίνητο" in car and "12,25 ώρες/εβδ. / h/week\t" in car
    with session_scope(loaded_engine) as s:
        changes = s.scalars(
            select(m.AuditLog)
            .where(m.AuditLog.entity == "units", m.AuditLog.action == "update")
            .order_by(m.AuditLog.id)
        ).all()
    assert changes[0].actor == "maria" and changes[0].after == {"weekly_hours": 12}
    assert len(changes) == 4


def test_a_part_time_drivers_weekly_hours_cap_the_units_week(register: tuple[Engine, dict[str, int]]) -> None:
    """A van whose driver works 6 h a week works at most 6 h of the week (without the cap it
    works some 10 h of W50: the cap binds, the car takes the rest); the car keeps the engine's
    40 h; the plan passes the validator, and so do the documents stored with it."""
    engine, ids = register
    with session_scope(engine, actor="maria") as s:
        van = s.get(m.Unit, ids["van"])
        assert van is not None
        van.weekly_hours = 6
    result = plan_week(engine, W50, time_limit=1.5, workers=1, actor="maria")
    van_id, car_id = f"unit-{ids['van']}", f"unit-{ids['car']}"
    assert {u.id: u.weekly_max_work for u in result.problem.units} == {van_id: 6 * HOUR, car_id: 40 * HOUR}
    worked = sum(r.arrive - r.depart for r in result.plan.routes if r.unit_id == van_id)
    assert 0 < worked <= 6 * HOUR
    assert validate(result.problem, result.plan) == []
    with session_scope(engine) as s:
        row = s.get(m.PlanVersion, result.plan_version_id)
        assert row is not None
        stored_problem = problem_from_dict(json.loads(row.problem_json or ""))
        assert validate(stored_problem, plan_from_dict(json.loads(row.plan_json))) == []
    assert {u.id: u.weekly_max_work for u in stored_problem.units}[van_id] == 6 * HOUR
    # hours become whole minutes: the stored problem's minutes stay whole
    assert weekly_max_work(20.5) == 20 * HOUR + 30 * MINUTE and weekly_max_work(12 + 1 / 3) == 740 * MINUTE


def test_publish_refuses_a_non_week_and_names_the_versions_that_exist(
    register: tuple[Engine, dict[str, int]], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito publish garbage` is not an ISO week; `--version 7` when 1-3 exist lists them."""
    engine, _ = register
    first = plan_week(engine, W50, time_limit=0.5, workers=1, actor="maria")
    _copies_of_version(engine, first.plan_version_id, (2, 3))
    capsys.readouterr()
    assert main(["publish", "garbage", "--db", str(db_file)]) == 2
    err = capsys.readouterr().err
    assert "δεν είναι εβδομάδα ISO" in err and "is not an ISO week" in err and "kinito week" not in err
    assert main(["publish", W50, "--version", "7", "--db", str(db_file)]) == 2
    err = capsys.readouterr().err
    assert "υπάρχουν οι εκδόσεις 1, 2, 3" in err and "the versions are 1, 2, 3" in err


# --- re-planning the current week: the past and today's published routes stay -------------

THURSDAY = date(2026, 12, 10)  # W50
WEDNESDAY = date(2026, 12, 9)


def _routes(plan: object, before: date) -> dict[tuple[str, date], list[tuple[str, int]]]:
    return {
        (r.unit_id, r.date): [(s.visit_id, s.start) for s in r.stops]
        for r in plan.routes  # type: ignore[attr-defined]
        if r.date <= before and r.stops
    }


def test_replanning_the_current_week_keeps_the_past_and_todays_routes(
    register: tuple[Engine, dict[str, int]],
) -> None:
    engine, _ = register
    first = plan_week(engine, W50, time_limit=1.5, workers=1, today=date(2026, 12, 1))
    publish(engine, first.plan_version_id)
    published = _routes(first.plan, THURSDAY)
    assert any(d == THURSDAY for _, d in published) and any(d < THURSDAY for _, d in published)
    # the driver records Thursday's first stop; an urgent "any day" visit comes in
    (unit, _), stops = next((k, v) for k, v in published.items() if k[1] == THURSDAY)
    _done(engine, stops[0][0], THURSDAY)
    urgent_id = _add_urgent(engine)
    second = plan_week(engine, W50, time_limit=1.5, workers=1, today=THURSDAY)
    # Monday to Thursday exactly as published: same unit, same visits, same times
    assert _routes(second.plan, THURSDAY) == published
    assert second.frozen_dates == (date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9), THURSDAY)
    placed = [r.date for r in second.plan.routes for s in r.stops if s.visit_id == urgent_id]
    assert all(d > THURSDAY for d in placed)
    assert placed or any(u.visit_id == urgent_id for u in second.plan.unassigned)
    assert not any(unit in line and "other unit" in line for line in second.changes)
    # the stored version validates against its stored problem
    with session_scope(engine) as s:
        row = s.get(m.PlanVersion, second.plan_version_id)
        assert row is not None
        stored_problem = problem_from_dict(json.loads(row.problem_json or ""))
        stored_plan = plan_from_dict(json.loads(row.plan_json))
    assert not validate(stored_problem, stored_plan)
    past = {(ud.unit_id, ud.date): ud for ud in stored_problem.unit_days if ud.date < THURSDAY}
    assert all(ud.available == (key in published) for key, ud in past.items())


def test_planning_the_current_week_unpublished_places_nothing_before_today(
    register: tuple[Engine, dict[str, int]],
) -> None:
    engine, _ = register
    wednesday = date(2026, 12, 9)
    result = plan_week(engine, W50, time_limit=1, workers=1, today=wednesday)
    assert result.plan.routes and all(r.date >= wednesday for r in result.plan.routes if r.stops)
    assert not validate(result.problem, result.plan)
    days = {(ud.unit_id, ud.date): ud for ud in result.problem.unit_days}
    assert all(not ud.available and "past" in ud.note for (_, d), ud in days.items() if d < wednesday)


def test_planning_the_current_week_counts_the_visits_done_in_it_already(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """Re-planned on Wednesday, a visit every two weeks done on Tuesday is not planned again,
    and a twice-a-week visit done on Monday wants one more, two days or more later (both were
    planned again in full: only visits done before the week's Monday counted)."""
    engine, ids = register
    biweekly, weekly2 = f"cp-{ids['biweekly']}", f"cp-{ids['weekly2']}"
    _done(engine, biweekly, date(2026, 12, 8))
    _done(engine, weekly2, date(2026, 12, 7))
    with session_scope(engine) as s:
        built = build_week(s, W50, today=WEDNESDAY)
    visits = {v.id: v for v in built.problem.visits}
    assert biweekly not in visits
    assert visits[weekly2].frequency == 1 and visits[weekly2].allowed_weekdays == frozenset({2, 3, 4})
    with session_scope(engine) as s:  # planned the week before, they were owed in full
        ahead = {v.id: v for v in build_week(s, W50, today=date(2026, 12, 4)).problem.visits}
    assert biweekly in ahead and ahead[weekly2].frequency == 2
    # pinned to the Tuesday it was done on (a pin kept from a draft): not planned a second time
    with session_scope(engine) as s:
        pinned = build_week(s, W50, pins={biweekly: (date(2026, 12, 8), None)}, today=WEDNESDAY)
    assert biweekly not in {v.id for v in pinned.problem.visits}


def test_replanning_a_published_week_drops_a_visit_done_on_another_day(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """Published with a visit on Thursday, done on Tuesday instead: the re-plan on Wednesday
    no longer sends it on Thursday, and says so."""
    engine, _ = register
    first = plan_week(engine, W50, time_limit=1, workers=1, today=date(2026, 12, 1))
    publish(engine, first.plan_version_id)
    visit = next(
        s.visit_id
        for r in first.plan.routes
        if r.date == THURSDAY
        for s in r.stops
        if s.visit_id.startswith("cp-")
        and sum(x.visit_id == s.visit_id for rr in first.plan.routes for x in rr.stops) == 1
    )
    _done(engine, visit, date(2026, 12, 8))
    second = plan_week(engine, W50, time_limit=1, workers=1, today=WEDNESDAY)
    assert not any(s.visit_id == visit for r in second.plan.routes for s in r.stops)
    assert any(visit in line and "no longer wanted" in line for line in second.changes)
    assert not validate(second.problem, second.plan)


def test_changes_list_another_unit_and_time_with_a_move(register: tuple[Engine, dict[str, int]]) -> None:
    from dataclasses import replace

    from planner.register.week import plan_changes

    engine, _ = register
    result = plan_week(engine, W50, time_limit=1, workers=1, today=date(2026, 12, 1))
    plan, problem = result.plan, result.problem
    route = next(r for r in plan.routes if r.stops)
    other_unit = next(u.id for u in problem.units if u.id != route.unit_id)
    later = next(d for d in problem.dates if d != route.date)
    stop = route.stops[0]
    moved = replace(route, unit_id=other_unit, date=later, stops=(stop,))
    shifted = replace(plan, routes=(moved,))
    lines = plan_changes(replace(plan, routes=(replace(route, stops=(stop,)),)), shifted, problem)
    assert any("moved" in line and stop.visit_id in line for line in lines)
    assert any("other unit" in line and stop.visit_id in line for line in lines)
    late = replace(route, stops=(replace(stop, start=stop.start + 2 * 3600),))
    lines = plan_changes(
        replace(plan, routes=(replace(route, stops=(stop,)),)), replace(plan, routes=(late,)), problem
    )
    assert any("new time" in line for line in lines)


def test_next_week_published_is_not_missed_when_planning_the_week_after(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """Planning W50 on Thu 26/11 (W48) while W49 is published: W49's visits are still to
    come, so none is carried over, and W49's scheduled visits count for what W50 owes."""
    engine, ids = register
    today = date(2026, 11, 26)
    w49 = plan_week(engine, "2026-W49", time_limit=1, workers=1, today=today)
    publish(engine, w49.plan_version_id)
    scheduled = {s.visit_id for r in w49.plan.routes for s in r.stops}
    biweekly = f"cp-{ids['biweekly']}"
    assert biweekly in scheduled
    with session_scope(engine) as s:
        built = build_week(s, W50, today=today)
    assert not (built.carried_over & scheduled)
    # every two weeks, scheduled in W49: not due again in W50
    assert biweekly not in {v.id for v in built.problem.visits}
    # once W49 is over with nothing recorded done, its visits are missed and carry over
    with session_scope(engine) as s:
        later = build_week(s, W50, today=date(2026, 12, 7))
    assert scheduled <= later.carried_over and biweekly in {v.id for v in later.problem.visits}


def test_cli_outcome_is_stored_against_the_published_route_and_who_served_it(
    register: tuple[Engine, dict[str, int]], db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kinito outcome` stores the published version whose route of that day has the visit,
    and the staff member who served it there, as the tablet and the office page do (calendar
    walkthrough: it stored neither, so management's per-person counts missed those visits)."""
    engine, ids = register
    first = plan_week(engine, W50, time_limit=0.5, workers=1, today=date(2026, 12, 4))
    publish(engine, first.plan_version_id, today=date(2026, 12, 4))
    visit = f"cp-{ids['psy']}"  # names the psychologist
    day = next(r.date for r in first.plan.routes for s in r.stops if s.visit_id == visit)
    monkeypatch.setenv("KINITO_TODAY", "2026-12-11")
    assert main(["outcome", visit, "done", "--date", day.strftime("%d/%m/%Y"), "--db", str(db_file)]) == 0
    with session_scope(engine) as s:
        row = s.scalars(select(m.VisitOutcome).where(m.VisitOutcome.visit_ref == visit)).one()
        assert (row.plan_version_id, row.staff_id) == (first.plan_version_id, ids["psy"])


def test_cli_outcome_is_safe_to_rerun_and_refuses_impossible_dates(
    register: tuple[Engine, dict[str, int]], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, ids = register
    visit, db = f"cp-{ids['psy']}", ["--db", str(db_file)]

    def rows() -> list[tuple[str, str | None]]:
        with session_scope(engine) as s:
            return [(o.status, o.client_ref) for o in s.scalars(select(m.VisitOutcome))]

    # the same command twice, no reference: one row, and the second run says so
    assert main(["outcome", visit, "done", "--date", "23/11/2026", *db]) == 0
    assert main(["outcome", visit, "done", "--date", "23/11/2026", *db]) == 0
    assert rows() == [("done", None)]
    assert "already recorded" in capsys.readouterr().out.splitlines()[-1]
    # a reference reused with another status: refused, the stored status unchanged and named
    assert main(["outcome", visit, "done", "--date", "24/11/2026", "--ref", "abc", *db]) == 0
    capsys.readouterr()
    assert main(["outcome", visit, "not_at_home", "--date", "24/11/2026", "--ref", "abc", *db]) == 2
    got = capsys.readouterr()
    assert "not_at_home" not in got.out and "abc" in got.err and "done" in got.err
    assert rows() == [("done", None), ("done", "abc")]
    # a date in the future or before the care plan starts (5/1/2026): exit 2, Greek / English
    assert main(["outcome", visit, "done", "--date", "01/01/2030", *db]) == 2
    assert "μελλοντική" in capsys.readouterr().err
    assert main(["outcome", visit, "done", "--date", "01/01/1990", *db]) == 2
    err = capsys.readouterr().err
    assert "πριν από την έναρξη" in err and "before care plan" in err
    assert len(rows()) == 2
    with session_scope(engine) as s, pytest.raises(WeekError, match="future"):
        record_outcome(s, visit, "done", on=date(2026, 12, 2), recorded_by="t", today=date(2026, 12, 1))


def test_keep_past_for_a_caller_that_solves_itself(register: tuple[Engine, dict[str, int]]) -> None:
    from planner.register.week import keep_past, merge_kept
    from planner.solver import SolveParams, solve

    engine, _ = register
    first = plan_week(engine, W50, time_limit=1, workers=1, today=date(2026, 12, 1))
    stored, to_solve, kept = keep_past(first.problem, first.problem, first.plan, THURSDAY)
    assert kept and all(r.date <= THURSDAY for r in kept)
    plan = merge_kept(kept, solve(to_solve, SolveParams(time_limit=1, workers=1)), stored)
    assert not validate(stored, plan)
    assert _routes(plan, THURSDAY) == _routes(first.plan, THURSDAY)


def test_replanning_the_current_week_counts_the_kept_days_in_a_part_time_drivers_hours(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """A 6 h van, its week published, re-planned on Wednesday: the days left get only what
    the kept Monday-Wednesday routes leave of the 6 h (they were given all 6 h, and the merged
    week went over the cap), so the stored version validates and the van works at most 6 h."""
    engine, ids = register
    with session_scope(engine, actor="maria") as s:
        van = s.get(m.Unit, ids["van"])
        assert van is not None
        van.weekly_hours = 6
    first = plan_week(engine, W50, time_limit=1.5, workers=1, today=date(2026, 12, 1))
    publish(engine, first.plan_version_id)
    van_id = f"unit-{ids['van']}"
    kept = sum(r.work_time for r in first.plan.routes if r.unit_id == van_id and r.date <= WEDNESDAY)
    assert kept > 0
    _add_urgent(engine)
    second = plan_week(engine, W50, time_limit=1.5, workers=1, today=WEDNESDAY)
    with session_scope(engine) as s:
        row = s.get(m.PlanVersion, second.plan_version_id)
        assert row is not None
        stored_problem = problem_from_dict(json.loads(row.problem_json or ""))
        stored_plan = plan_from_dict(json.loads(row.plan_json))
    assert validate(stored_problem, stored_plan) == []
    assert sum(r.work_time for r in stored_plan.routes if r.unit_id == van_id) <= 6 * HOUR
    # the rule itself: what is solved anew gets the 6 h less the kept days' work, and knows
    # both (so its reasons name the driver's 6 h and what was worked)
    _, to_solve, _ = keep_past(first.problem, first.problem, first.plan, WEDNESDAY)
    unit = {u.id: u for u in to_solve.units}[van_id]
    assert (unit.weekly_max_work, unit.weekly_worked, unit.weekly_left) == (6 * HOUR, kept, 6 * HOUR - kept)


def test_hours_lowered_below_what_the_kept_days_took_still_replan_the_rest_of_the_week(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """The van's week published with 40 h; on Wednesday its driver's hours go down to 1 h, less
    than Monday to Wednesday's kept routes took. The re-plan refused («the routes kept as
    published no longer fit the register: [weekly_cap] …»), so nothing of the week could be
    planned again; now the kept days stay, nothing more goes to the van, the car takes what
    it can, and the stored version validates (its cap counted from what the kept days took).
    The published version's page says its plan is now over the driver's hours."""
    from planner.register.week import calendar_drift, with_calendar_now

    engine, ids = register
    first = plan_week(engine, W50, time_limit=1.5, workers=1, today=date(2026, 12, 1))
    publish(engine, first.plan_version_id)
    van_id = f"unit-{ids['van']}"
    kept = sum(r.work_time for r in first.plan.routes if r.unit_id == van_id and r.date <= WEDNESDAY)
    assert kept > HOUR
    with session_scope(engine, actor="maria") as s:
        van = s.get(m.Unit, ids["van"])
        assert van is not None
        van.weekly_hours = 1
    with session_scope(engine) as s:
        drift = calendar_drift(s, first.problem, first.plan, WEDNESDAY)
        now = with_calendar_now(s, first.problem, [THURSDAY, date(2026, 12, 11)])
    said = [d for d in drift if d.kind == "weekly_hours"]
    assert len(said) == 1 and said[0].unit_id == van_id
    assert "οι ώρες του οδηγού την εβδομάδα είναι πια 1 (ήταν 40)" in said[0].why_el
    assert {u.id: u.weekly_max_work for u in now.units}[van_id] == HOUR  # what Adjust solves with
    second = plan_week(engine, W50, time_limit=1.5, workers=1, today=WEDNESDAY)
    assert _routes(second.plan, WEDNESDAY) == _routes(first.plan, WEDNESDAY)
    assert not any(r.stops for r in second.plan.routes if r.unit_id == van_id and r.date > WEDNESDAY)
    with session_scope(engine) as s:
        row = s.get(m.PlanVersion, second.plan_version_id)
        assert row is not None
        stored_problem = problem_from_dict(json.loads(row.problem_json or ""))
        stored_plan = plan_from_dict(json.loads(row.plan_json))
    assert validate(stored_problem, stored_plan) == []
    assert {u.id: u.weekly_max_work for u in stored_problem.units}[van_id] == kept
    # the re-planned version has nothing over the hours still to come: no warning that a new
    # plan could not clear («they were 3.3», the kept days' work, on every page)
    last = max(r.date for r in stored_plan.routes if r.unit_id == van_id and r.stops)
    with session_scope(engine) as s:
        for day in (WEDNESDAY, last):  # its last route today: kept as published, nothing to re-plan
            drift = calendar_drift(s, stored_problem, stored_plan, day)
            assert [d for d in drift if d.kind == "weekly_hours"] == []


def test_kept_routes_that_no_longer_fit_are_told_in_each_language_with_their_details(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """The van's base moved after its week was published: Monday to Wednesday's kept routes no
    longer fit. The web shows one language of the "Greek / English" message, and the details
    were all in the English half, so the Greek page said only that something no longer fits."""
    engine, ids = register
    first = plan_week(engine, W50, time_limit=1.5, workers=1, today=date(2026, 12, 1))
    publish(engine, first.plan_version_id)
    with session_scope(engine, actor="maria") as s:
        van = s.get(m.Unit, ids["van"])
        assert van is not None
        van.base_lat += 0.25
    with pytest.raises(WeekError) as caught:
        plan_week(engine, W50, time_limit=1.5, workers=1, today=WEDNESDAY)
    greek, _, english = str(caught.value).partition(" / ")
    assert (
        greek.startswith("οι διαδρομές που κρατούνται ως δημοσιεύτηκαν")
        and "δεν ταιριάζουν πια με το μητρώο: " in greek
    )
    assert english.startswith("the routes kept as published") and "no longer fit the register: " in english
    details_el, details_en = greek.split("μητρώο: ", 1)[1], english.split("register: ", 1)[1]
    assert details_el and details_en and details_el != details_en
    assert not any(c in details_en for c in "αεηιουωστ"), details_en  # the English half in English only


def test_a_visit_twice_a_week_kept_on_its_day_is_not_reported_moved() -> None:
    """Published: cp-16 served Wednesday (its other visit unassigned); re-planned: Wednesday
    kept as it was, Friday added. The occurrence numbers are the search's (Wednesday is now
    its "second"), and the list said «added: Wednesday», «moved: Wednesday -> Friday» and
    «other unit»: the person would be told their Wednesday visit moved. Now: «added: Friday»."""
    from planner.model import Location, Plan, Problem, Route, Stop, Unit, Visit
    from planner.register.week import plan_change_items, plan_changes

    wed, fri = date(2026, 12, 9), date(2026, 12, 11)
    base = Location("base", 38.2498, 22.0816, "Βάση")
    place = Location("kounina", 38.17, 22.01, "Κουνινά")
    problem = Problem(
        name="x", dates=(wed, fri), units=(Unit("unit-1", "Βαν", base), Unit("unit-2", "Αυτοκίνητο", base)),
        unit_days=(), staff=(), visits=(Visit("cp-16", place, 30 * MINUTE, name="Πρόσωπο Α.", frequency=2),),
    )  # fmt: skip

    def route(unit: str, day: date, occurrence: int, start: int) -> Route:
        stop = Stop("cp-16", occurrence, start, start, start + 30 * MINUTE, 600, 5_000)
        return Route(unit, day, 8 * HOUR, 14 * HOUR, (stop,), 600, 5_000)

    wed_at = 8 * HOUR + 46 * MINUTE
    before = Plan("x", (route("unit-1", wed, 0, wed_at),), (), 0, 1, 1.0, 0.1)
    after = Plan(
        "x", (route("unit-1", wed, 1, wed_at), route("unit-2", fri, 0, 9 * HOUR)), (), 0, 1, 1.0, 0.1
    )
    items = plan_change_items(before, after, problem)
    assert [(c.kind, c.day_before, c.day_after, c.unit_after) for c in items] == [
        ("added", None, fri, "Αυτοκίνητο")
    ]
    assert plan_changes(before, after, problem) == (
        "προστέθηκε / added: Πρόσωπο Α. (cp-16): Παρασκευή 11/12 / Friday 11/12 09:00, Αυτοκίνητο",
    )
    # a real move of one of two: the other, kept on its day, is not listed
    moved = Plan(
        "x", (route("unit-1", wed, 0, wed_at), route("unit-1", fri, 1, 9 * HOUR)), (), 0, 1, 1.0, 0.1
    )
    later = Plan("x", (route("unit-1", wed, 1, wed_at), route("unit-1", date(2026, 12, 10), 0, 9 * HOUR)),
                 (), 0, 1, 1.0, 0.1)  # fmt: skip
    assert [(c.kind, c.day_before, c.day_after) for c in plan_change_items(moved, later, problem)] == [
        ("moved", fri, date(2026, 12, 10))
    ]


def test_plan_change_items_are_the_changes_as_data_and_the_cli_lines_come_from_them() -> None:
    """The web lists a re-planned week's changes from data (names, dates, unit names, times in
    seconds); the command line's bilingual lines are written from the same data, unchanged."""
    from planner.model import Location, Plan, Problem, Route, Stop, Unit, Visit
    from planner.register.week import PlanChange, plan_change_items, plan_changes

    mon, tue = date(2026, 12, 7), date(2026, 12, 8)
    base = Location("base", 38.2498, 22.0816, "Βάση")
    place = Location("kounina", 38.17, 22.01, "Κουνινά")
    problem = Problem(
        name="x", dates=(mon, tue),
        units=(Unit("unit-1", "Βαν", base), Unit("unit-2", "Αυτοκίνητο", base)), unit_days=(), staff=(),
        visits=tuple(Visit(f"cp-{n}", place, 30 * MINUTE, name=f"Πρόσωπο {n}") for n in (1, 2, 3, 4, 5)),
    )  # fmt: skip

    def stop(vid: str, start: int) -> Stop:
        return Stop(vid, 0, start, start, start + 30 * MINUTE, 600, 5_000)

    def route(unit: str, day: date, *stops: Stop) -> Route:
        return Route(unit, day, 8 * HOUR, 14 * HOUR, stops, 600, 5_000)

    late = 12 * HOUR + 8 * MINUTE + 32
    before = Plan("x", (route("unit-1", mon, stop("cp-1", 9 * HOUR), stop("cp-2", 10 * HOUR),
                                 stop("cp-3", 11 * HOUR)),), (), 0, 1, 1.0, 0.1)  # fmt: skip
    after = Plan("x", (route("unit-1", mon, stop("cp-2", late)),
                       route("unit-2", tue, stop("cp-1", 9 * HOUR), stop("cp-4", 10 * HOUR))),
                 (), 0, 1, 1.0, 0.1)  # fmt: skip
    items = plan_change_items(before, after, problem)
    assert all(isinstance(c, PlanChange) for c in items)
    assert [(c.kind, c.visit_id) for c in items] == [
        ("moved", "cp-1"), ("other_unit", "cp-1"), ("new_time", "cp-2"), ("dropped", "cp-3"),
        ("added", "cp-4"),
    ]  # fmt: skip
    moved, other, new_time, dropped, added = items
    assert (moved.name, moved.day_before, moved.day_after) == ("Πρόσωπο 1", mon, tue)
    assert (other.unit_before, other.unit_after) == ("Βαν", "Αυτοκίνητο")
    assert (new_time.day_before, new_time.start_before, new_time.start_after) == (mon, 10 * HOUR, late)
    assert (dropped.day_before, dropped.day_after, dropped.start_after) == (mon, None, None)
    assert (added.day_before, added.day_after, added.start_after) == (None, tue, 10 * HOUR)
    assert added.unit_after == "Αυτοκίνητο"
    assert plan_changes(before, after, problem) == (
        # the new day with its time and unit (midweek walkthrough: the person could not be told
        # when to expect the visit); times as on a timetable, a new time with its day
        "μετακινήθηκε / moved: Πρόσωπο 1 (cp-1): Δευτέρα 07/12 09:00 -> Τρίτη 08/12 09:00 / "
        "Monday 07/12 09:00 -> Tuesday 08/12 09:00, Αυτοκίνητο",
        "άλλη μονάδα / other unit: Πρόσωπο 1 (cp-1): Βαν -> Αυτοκίνητο",
        "άλλη ώρα / new time: Πρόσωπο 2 (cp-2): Δευτέρα 07/12 / Monday 07/12 10:00 -> 12:08",
        "αφαιρέθηκε / dropped: Πρόσωπο 3 (cp-3): ήταν / was Δευτέρα 07/12 / Monday 07/12: "
        "δεν μπήκε στο νέο πλάνο (το γιατί: στις επισκέψεις χωρίς θέση) / "
        "left out of the new plan (why: see the unassigned visits)",
        "προστέθηκε / added: Πρόσωπο 4 (cp-4): Τρίτη 08/12 / Tuesday 08/12 10:00, Αυτοκίνητο",
    )
    # a visit only the published version wanted (an urgent one) is named from its problem
    from dataclasses import replace

    urgent = Visit("urgent-b9", place, 30 * MINUTE, name="Επείγουσα Α.")
    published = replace(problem, visits=(*problem.visits, urgent))
    with_urgent = Plan("x", (route("unit-1", mon, stop("cp-1", 9 * HOUR), stop("urgent-b9", 11 * HOUR)),),
                       (), 0, 1, 1.0, 0.1)  # fmt: skip
    gone = [c for c in plan_change_items(with_urgent, after, problem, published) if c.visit_id == "urgent-b9"]
    assert [(c.kind, c.name) for c in gone] == [("dropped", "Επείγουσα Α.")]
    assert [c.name for c in plan_change_items(with_urgent, after, problem) if c.visit_id == "urgent-b9"] == [
        "urgent-b9"
    ]
    assert gone[0].wanted is False and dropped.wanted is True
    # the command line's line names it too (fourth walkthrough: "cp-74 (cp-74)" for a paused
    # plan) and says that the new week no longer wants it: for an urgent visit, that it was the
    # earlier version's (not «a plan paused or ended», which it never had)
    assert [line for line in plan_changes(with_urgent, after, problem, published) if "urgent-b9" in line] == [
        "αφαιρέθηκε / dropped: Επείγουσα Α. (urgent-b9): ήταν / was Δευτέρα 07/12 / Monday 07/12: "
        "επείγουσα επίσκεψη της προηγούμενης έκδοσης· το μητρώο δεν τη ζητά (αν χρειάζεται ακόμη, "
        "προσθέστε τη ξανά στην Προσαρμογή) / an urgent visit of the earlier version; the register "
        "does not ask for it (if still needed, add it again in Adjust)"
    ]

    # an adjustment's own list names the visits whose start moved on their day, as a re-plan does
    from webui.adjust import plan_changes as adjusted

    shifted = Plan("x", (route("unit-1", mon, stop("cp-1", 9 * HOUR), stop("cp-2", late),
                                 stop("cp-3", 11 * HOUR)),), (), 0, 1, 1.0, 0.1)  # fmt: skip
    lines = [c.el for c in adjusted(before, problem, shifted, problem)]
    assert lines == ["Άλλη ώρα: Πρόσωπο 2, Δευτέρα 7/12, 10:00 → 12:08"], lines


def test_a_persons_address_names_the_settlement_once() -> None:
    """The settlement follows a street address, but not an address that already names it
    (the demo's "Ελίκη, Δ.Ε. Διακοπτού ..." had ", Ελίκη" added again)."""
    from planner.register.week import _with_place

    assert _with_place("Ερμού 12", "Αίγιον") == "Ερμού 12, Αίγιον"
    assert _with_place("Ελίκη, Δ.Ε. Διακοπτού (πλασματική κατοικία)", "Ελίκη") == (
        "Ελίκη, Δ.Ε. Διακοπτού (πλασματική κατοικία)"
    )
    assert _with_place("ΑΙΓΙΟΝ, πλατεία", "Αίγιον") == "ΑΙΓΙΟΝ, πλατεία"
    assert _with_place(None, "Αίγιον") == _with_place("", "Αίγιον") == "Αίγιον"


def test_the_web_says_a_visit_the_register_no_longer_wants_is_not_wanted() -> None:
    """Fourth walkthrough: a paused care plan's visit was listed as «Δεν εξυπηρετείται πια»
    like one the new plan could not fit; the version page now says which."""
    from dataclasses import replace

    from planner.register.week import PlanChange
    from webui.adjust import week_changes

    mon = date(2026, 12, 7)
    gone = PlanChange("dropped", "cp-74", "Ιωάννα Σ.", 0, day_before=mon, start_before=9 * HOUR, wanted=False)
    left = replace(gone, visit_id="cp-75", name="Νίκος Α.", wanted=True)
    stop = replace(gone, visit_id="vs-15", name="Μαμουσιά: ΚΑΠΗ", start_before=10 * HOUR)
    changes = week_changes([gone, left, stop])
    assert [c.el for c in changes] == [
        "Δεν ζητείται πια: Ιωάννα Σ. (ήταν Δευτέρα 7/12): πλάνο σε παύση ή λήξη, ή έγινε ήδη",
        "Δεν εξυπηρετείται πια: Νίκος Α. (ήταν Δευτέρα 7/12)",
        # a stop has no plan to pause (midweek walkthrough: it said "plan paused or ended")
        "Δεν ζητείται πια: Μαμουσιά: ΚΑΠΗ (ήταν Δευτέρα 7/12): στάση ανενεργή, ή έγινε ήδη",
    ]
    assert (
        changes[0].en
        == "No longer wanted: Ιωάννα Σ. (was Monday 7/12): plan paused or ended, or already done"
    )


def test_a_plan_starting_or_ending_within_the_week_is_visited_only_while_in_force(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """Fourth walkthrough: a plan is due from the week of its start, but the week builder let the
    engine put its visit on any day of that week, before its start date too; and after its
    end date. Now only the days in force are offered, and a Wednesday-only plan that starts on
    Thursday is first due the week after."""
    engine, _ids = register
    mon = date(2026, 12, 7)  # W50
    with session_scope(engine, actor="test") as s:
        person = m.Beneficiary(full_name="Νέα", settlement_code=TEMENI)
        s.add(person)
        s.flush()

        def plan(**kw: object) -> str:
            values: dict[str, object] = dict(
                service="home_care", required_role="social_worker", duration_min=30,
                frequency_kind="weekly", frequency_count=1, start_date=date(2026, 1, 5),
            )  # fmt: skip
            values.update(kw)
            row = m.CarePlan(beneficiary_id=person.id, **values)
            s.add(row)
            s.flush()
            return f"cp-{row.id}"

        starts_wed = plan(start_date=mon + timedelta(days=2))
        ends_tue = plan(end_date=mon + timedelta(days=1))
        mon_fri_from_thu = plan(start_date=mon + timedelta(days=3), allowed_weekdays=[1, 5])
        wed_only_from_thu = plan(start_date=mon + timedelta(days=3), allowed_weekdays=[3])
    with session_scope(engine) as s:
        visits = {v.id: v for v in build_week(s, W50).problem.visits}
    assert visits[starts_wed].allowed_weekdays == frozenset({2, 3, 4})  # Wednesday to Friday
    assert visits[ends_tue].allowed_weekdays == frozenset({0, 1})
    assert visits[mon_fri_from_thu].allowed_weekdays == frozenset({4})  # Friday only
    assert wed_only_from_thu not in visits
    with session_scope(engine) as s:
        later = {v.id: v for v in build_week(s, "2026-W51").problem.visits}
    assert later[wed_only_from_thu].allowed_weekdays == frozenset({2}) and ends_tue not in later
    assert later[starts_wed].allowed_weekdays is None


def test_a_plan_starting_on_thursday_asks_that_week_only_for_the_visits_its_days_can_take(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """A plan of three visits a week starting on Thursday is due twice that week (Thursday and
    Friday, a day apart), and three times the week after; one of two a week ending on Monday,
    once. Before, the week asked for all three and the third was listed unassigned."""
    engine, _ids = register
    mon = date(2026, 12, 7)  # W50
    with session_scope(engine, actor="test") as s:
        person = m.Beneficiary(full_name="Νέα", settlement_code=TEMENI)
        s.add(person)
        s.flush()
        rows = [
            m.CarePlan(beneficiary_id=person.id, service="home_care", required_role="social_worker",
                       duration_min=30, frequency_kind="weekly", frequency_count=count, start_date=start,
                       end_date=end)
            for count, start, end in ((3, mon + timedelta(days=3), None), (2, date(2026, 1, 5), mon))
        ]  # fmt: skip
        s.add_all(rows)
        s.flush()
        thrice, twice = (f"cp-{row.id}" for row in rows)
    with session_scope(engine) as s:
        visits = {v.id: v for v in build_week(s, W50).problem.visits}
    assert (visits[thrice].frequency, visits[thrice].min_gap_days) == (2, 1)
    assert visits[thrice].allowed_weekdays == frozenset({3, 4})
    assert visits[twice].frequency == 1 and visits[twice].allowed_weekdays == frozenset({0})
    with session_scope(engine) as s:
        later = {v.id: v for v in build_week(s, "2026-W51").problem.visits}
    assert later[thrice].frequency == 3 and twice not in later


def test_a_unit_taken_out_of_the_week_re_plans_against_the_published_plan_of_both(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """W50 published for both units; the van is made inactive and the week re-planned: the new
    plan (the car alone) starts from and lists its changes against that published version, so the
    visits the van had are named (moved, or dropped and why); before, a new unit set had no
    published version to compare with, and its dropped visits were named nowhere."""
    engine, ids = register
    first = plan_week(engine, W50, time_limit=1.5, workers=1, actor="maria")
    publish(engine, first.plan_version_id, actor="maria")
    with session_scope(engine) as s:
        both = s.get(m.PlanVersion, first.plan_version_id)
        assert both is not None and both.unit_set == f"{ids['van']},{ids['car']}"
        van = s.get(m.Unit, ids["van"])
        assert van is not None
        van.active = False
    van_id = f"unit-{ids['van']}"
    van_visits = {st.visit_id for r in first.plan.routes if r.unit_id == van_id for st in r.stops}
    assert van_visits, [r.unit_id for r in first.plan.routes]
    second = plan_week(engine, W50, time_limit=1.5, workers=1, actor="maria")
    assert second.summary["based_on_published"] == first.version
    assert second.summary["based_on_published_id"] == first.plan_version_id
    changed = " ".join(second.changes)
    served_now = {st.visit_id for r in second.plan.routes for st in r.stops}
    for vid in van_visits:  # each of the van's visits is either still served (by the car) or named
        assert vid in served_now or f"({vid})" in changed, vid
    assert any("αφαιρέθηκε" in line or "μετακινήθηκε" in line for line in second.changes), second.changes


def test_a_caseload_imported_with_old_start_dates_is_not_overdue_in_the_first_weeks(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """A fortnightly plan started twelve weeks back and never visited: in the register's first
    planned week it is due with no overdue bonus (before: ten weeks late, the highest priority,
    ahead of a weekly plan of a person with a disability, first-week walkthrough); once the
    register has planned for five weeks, it is late for those weeks."""
    engine, _ids = register
    monday = date(2026, 12, 7)  # W50
    with session_scope(engine, actor="test") as s:
        person = m.Beneficiary(full_name="Εισαγόμενη", settlement_code=TEMENI)
        s.add(person)
        s.flush()
        row = m.CarePlan(beneficiary_id=person.id, service="home_care", required_role="social_worker",
                         duration_min=30, frequency_kind="every_n_weeks", frequency_count=2,
                         start_date=monday - timedelta(weeks=12))  # fmt: skip
        s.add(row)
        s.flush()
        vid = f"cp-{row.id}"
        assert s.scalar(select(func.count()).select_from(m.PlanVersion)) == 0
    with session_scope(engine) as s:
        first = {v.id: v for v in build_week(s, W50).problem.visits}[vid]
    assert first.priority == 1
    with session_scope(engine, actor="test") as s:
        s.add(m.PlanVersion(iso_week="2026-W45", unit_set="1", version=1, status="published",
                            plan_json="{}", summary={}))  # fmt: skip
    with session_scope(engine) as s:
        later = {v.id: v for v in build_week(s, W50).problem.visits}[vid]
    assert later.priority == 1 + 3  # W45 to W50, less its two weeks


def test_a_visit_keeps_last_weeks_weekday_before_it_has_a_history(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """W49 planned and published; in W50 each visit W49 had on one weekday prefers that weekday
    (soft), unless its own visits done say another: before, a preference needed two visits
    done on one weekday, so in a new register people changed day week after week."""
    engine, _ids = register
    w49 = plan_week(engine, "2026-W49", time_limit=1, workers=1, today=date(2026, 11, 27))
    publish(engine, w49.plan_version_id)
    told = {}
    for route in w49.plan.routes:
        for stop in route.stops:
            told.setdefault(stop.visit_id, set()).add(route.date.weekday())
    with session_scope(engine) as s:
        visits = {v.id: v for v in build_week(s, W50, today=date(2026, 11, 27)).problem.visits}
    once = [vid for vid, days in told.items() if len(days) == 1 and vid in visits and vid.startswith("cp-")]
    assert once  # (care plans: a village stop's announced usual weekday comes first)
    for vid in once:
        assert visits[vid].preferred_weekday is not None, vid
    from planner.register.week import _history_weekday

    with session_scope(engine) as s:
        for vid in once:
            done = [
                r.planned_date
                for r in s.scalars(select(m.VisitOutcome).where(m.VisitOutcome.visit_ref == vid))
                if r.status == "done" and r.planned_date is not None
            ]
            own = _history_weekday(done)
            assert visits[vid].preferred_weekday == (own if own is not None else next(iter(told[vid]))), vid


def test_publish_names_the_units_when_the_week_has_plans_for_different_sets(
    register: tuple[Engine, dict[str, int]], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Version numbers count per set of units: with a plan of both units (version 1) and one of
    the van alone (version 1 too), `kinito publish --version 1` picked either (a reviewer's
    walkthrough: it answered «already published» of the other one). It now lists the sets and
    asks for --units, which picks the set."""
    engine, ids = register
    both = plan_week(engine, W50, time_limit=0.5, workers=1, actor="maria")
    alone = plan_week(engine, W50, units=[str(ids["van"])], time_limit=0.5, workers=1, actor="maria")
    db = ["--db", str(db_file)]
    with session_scope(engine) as s:
        rows = {r.id: r for r in s.scalars(select(m.PlanVersion))}
        assert rows[both.plan_version_id].version == rows[alone.plan_version_id].version == 1
        van, car = s.get(m.Unit, ids["van"]), s.get(m.Unit, ids["car"])
        assert van is not None and car is not None
        van_name, car_name = van.name, car.name
    capsys.readouterr()
    for version in ([], ["--version", "1"]):
        assert main(["publish", W50, *version, *db]) == 2
        err = capsys.readouterr().err
        assert "give --units" in err and f"{van_name}, {car_name}: 1" in err and f"{van_name}: 1" in err
    assert main(["publish", W50, "--units", str(ids["van"]), *db]) == 0
    assert f"published: 2026-W50 έκδοση / version 1 ({van_name})" in capsys.readouterr().out
    with session_scope(engine) as s:
        assert [
            r.id for r in s.scalars(select(m.PlanVersion).where(m.PlanVersion.status == "published"))
        ] == [alone.plan_version_id]
    # publishing the other set's version 1 said «published: version 1» and «version 1 is no
    # longer published»: each named by its units now
    assert main(["publish", W50, "--units", str(ids["van"]), str(ids["car"]), *db]) == 0
    out = capsys.readouterr().out
    assert f"published: 2026-W50 έκδοση / version 1 ({van_name}, {car_name})" in out
    assert f"version 1 ({van_name}) is no longer published (draft)" in out


def test_kinito_week_refuses_a_week_that_is_over(
    register: tuple[Engine, dict[str, int]],
    db_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A mistyped year (1999-W10) stored an empty draft, and publishing it said «published» (a
    reviewer's walkthrough): `kinito week` refuses a week that has ended, as the planning desk
    does, and stores nothing; the current week is still planned (from today on)."""
    monkeypatch.setenv("KINITO_TODAY", "2026-12-09")
    db = ["--db", str(db_file), "--time-limit", "0.5", "--workers", "1"]
    for past in ("1999-W10", "2026-W49"):
        assert main(["week", past, *db]) == 2
        err = capsys.readouterr().err
        assert f"week {past} is over" in err and "2026-W50" in err and "έχει τελειώσει" in err
    with session_scope(register[0]) as s:
        assert s.scalar(select(func.count()).select_from(m.PlanVersion)) == 0
    assert main(["week", "2026-W50", *db]) == 0


def test_kinito_week_reads_the_solver_table_of_its_config(
    register: tuple[Engine, dict[str, int]],
    db_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`kinito week --config` read only [roads]: a [solver] table (another search, another time
    limit) was ignored without a word (a walkthrough). It is read as `kinito plan` reads it,
    the flags given over it; a key it does not know is refused, naming it."""
    import planner.register.week as week_module
    from planner.solver import SolveParams

    seen: list[SolveParams] = []
    real = week_module.solve
    monkeypatch.setattr(
        week_module, "solve", lambda problem, params, *a: seen.append(params) or real(problem, params, *a)
    )
    config = tmp_path / "kinito.toml"
    config.write_text('[solver]\ntime_limit = 0.5\nworkers = 1\nseed = 7\nsearch = "ortools"\n')
    assert main(["week", W50, "--db", str(db_file), "--config", str(config)]) == 0
    assert (seen[-1].time_limit, seen[-1].workers, seen[-1].seed, seen[-1].search) == (0.5, 1, 7, "ortools")
    assert main(["week", W50, "--db", str(db_file), "--config", str(config), "--seed", "3"]) == 0
    assert seen[-1].seed == 3
    config.write_text("[solver]\ntime_limt = 0.5\n")
    capsys.readouterr()
    assert main(["week", W50, "--db", str(db_file), "--config", str(config)]) == 2
    assert "time_limt" in capsys.readouterr().err
