"""``kinito outcome``, ``kinito week`` and ``kinito publish`` as the coordinator met them: an
office correction of an earlier day outvoted by the tablet's later outcome, a week planned over
stops with no outcome, an outcome against a named version without its staff member, a new note
said as "not stored", and the wording of a few messages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from planner.cli import main
from planner.register import models as m
from planner.register.db import session_scope
from planner.register.outcomes import record_outcome
from planner.register.week import plan_week, publish
from planner.schema import plan_from_dict

ATHENS = ZoneInfo("Europe/Athens")
AIGIO, KOUNINA = "3702010101", "3702010701"
W48 = "2026-W48"  # Mon 23 - Fri 27 November 2026; the tests' today is Thu 26/11
MON_W48 = date(2026, 11, 23)


def _register(engine: Engine) -> None:
    """One van, a social worker, three people with a weekly visit each."""
    with session_scope(engine, actor="test") as s:
        s.add(m.Unit(name="Βαν", base_name="Κέντρο", base_lat=38.2498, base_lon=22.0816, capacity=2))
        s.add(m.Staff(name="Κοινωνική Λειτουργός", role="social_worker"))
        for name, place in (("Άννα Π.", AIGIO), ("Πέτρος Κ.", KOUNINA), ("Ελένη Σ.", AIGIO)):
            person = m.Beneficiary(full_name=name, settlement_code=place)
            s.add(person)
            s.flush()
            s.add(m.CarePlan(beneficiary_id=person.id, service="home_care", required_role="social_worker",
                             duration_min=40, frequency_kind="weekly", frequency_count=1,
                             start_date=date(2026, 1, 5)))  # fmt: skip


def _stops(engine: Engine, pv_id: int) -> list[tuple[date, str]]:
    """(day, visit) of every stop of a version, by day."""
    with session_scope(engine) as s:
        row = s.get(m.PlanVersion, pv_id)
        assert row is not None
        plan = plan_from_dict(json.loads(row.plan_json))
    return sorted((r.date, st.visit_id) for r in plan.routes for st in r.stops)


@pytest.fixture
def week48(loaded_engine: Engine) -> tuple[Engine, int]:
    """The register with W48 planned from Monday 23/11 and published; the version's id."""
    _register(loaded_engine)
    result = plan_week(loaded_engine, W48, time_limit=1, workers=1, actor="test", today=MON_W48)
    publish(loaded_engine, result.plan_version_id, actor="test")
    return loaded_engine, result.plan_version_id


def _rows(engine: Engine, visit: str) -> list[m.VisitOutcome]:
    with session_scope(engine) as s:
        rows = list(s.scalars(select(m.VisitOutcome).where(m.VisitOutcome.visit_ref == visit)
                              .order_by(m.VisitOutcome.id)))  # fmt: skip
        s.expunge_all()
    return rows


def _counted(engine: Engine, visit: str, day: date) -> str:
    """The status that counts for the visit that day (the last one, as the week builder reads it)."""
    with session_scope(engine) as s:
        return str(
            s.scalar(
                select(m.VisitOutcome.status).where(
                    m.VisitOutcome.visit_ref == visit, m.VisitOutcome.planned_date == day,
                    ~m.superseded_outcome(),
                )
            )
        )  # fmt: skip


def _athens(moment: datetime) -> datetime:
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(ATHENS)


def _at_two(day: date) -> datetime:
    """The tablet's time of the visit: 14:00 in Athens."""
    return datetime.combine(day, time(14, 0), tzinfo=ATHENS)


def test_an_office_correction_of_an_earlier_day_is_not_outvoted_by_the_tablets_later_outcome(
    week48: tuple[Engine, int], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tablet recorded «done» at 14:00; the next day the office records «not at home» for
    that day with no time: it is stamped after 14:00 and counts, and the output says so."""
    engine, pv_id = week48
    day, visit = next((d, v) for d, v in _stops(engine, pv_id) if d < date(2026, 11, 26))
    with session_scope(engine, actor="driver") as s:
        record_outcome(s, visit, "done", on=day, recorded_by="driver", plan_version_id=pv_id,
                       at=_at_two(day))  # fmt: skip
    capsys.readouterr()
    code = main(["outcome", visit, "not_at_home", "--date", f"{day:%d/%m/%Y}", "--note", "έλειπε",
                 "--db", str(db_file)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    office = _rows(engine, visit)[-1]
    assert office.status == "not_at_home" and _athens(office.occurred_at) > _at_two(day)
    assert _athens(office.occurred_at).date() == day  # still that day's (the week builder dates by it)
    assert _counted(engine, visit, day) == "not_at_home"
    assert "μετά την έκβαση «έγινε» των 14:00 της ίδιας ημέρας: μετράει αυτή" in out
    assert "after the done recorded at 14:00 that day: this one counts" in out


def test_an_office_outcome_with_an_earlier_time_says_that_the_later_one_counts(
    week48: tuple[Engine, int], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--time 10:00`` before the tablet's 14:00 «done»: stored at 10:00, and a warning says
    that the later «done» counts, not it."""
    engine, pv_id = week48
    day, visit = next((d, v) for d, v in _stops(engine, pv_id) if d < date(2026, 11, 26))
    with session_scope(engine, actor="driver") as s:
        record_outcome(s, visit, "done", on=day, recorded_by="driver", plan_version_id=pv_id,
                       at=_at_two(day))  # fmt: skip
    capsys.readouterr()
    assert main(["outcome", visit, "not_at_home", "--date", day.isoformat(), "--time", "10:00",
                 "--db", str(db_file)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert _athens(_rows(engine, visit)[-1].occurred_at).strftime("%H:%M") == "10:00"
    assert _counted(engine, visit, day) == "done"
    assert "μετράει η μεταγενέστερη έκβαση «έγινε» των 14:00" in out and "done at 14:00 counts" in out


def test_a_time_that_is_not_one_is_refused(week48: tuple[Engine, int], db_file: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    engine, pv_id = week48
    day, visit = _stops(engine, pv_id)[0]
    assert main(["outcome", visit, "done", "--date", day.isoformat(), "--time", "25:00",
                 "--db", str(db_file)]) == 2  # fmt: skip
    assert "ΩΩ:ΛΛ" in capsys.readouterr().err
    assert _rows(engine, visit) == []


def test_an_outcome_against_a_named_version_is_counted_for_its_staff_member(
    loaded_engine: Engine, db_file: Path
) -> None:
    """``--plan-version ID`` of a version not published: the staff member of its route (the
    social worker aboard), not NULL (management's staff load missed the visit)."""
    _register(loaded_engine)
    result = plan_week(loaded_engine, W48, time_limit=1, workers=1, actor="test", today=MON_W48)
    day, visit = _stops(loaded_engine, result.plan_version_id)[0]
    assert main(["outcome", visit, "done", "--date", day.isoformat(), "--plan-version",
                 str(result.plan_version_id), "--db", str(db_file)]) == 0  # fmt: skip
    with session_scope(loaded_engine) as s:
        worker = s.scalars(select(m.Staff.id)).one()
    row = _rows(loaded_engine, visit)[-1]
    assert row.plan_version_id == result.plan_version_id and row.staff_id == worker


def test_the_same_outcome_again_with_a_new_note_says_the_note_was_added(
    week48: tuple[Engine, int], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, pv_id = week48
    day, visit = _stops(engine, pv_id)[0]
    args = ["outcome", visit, "done", "--date", day.isoformat(), "--db", str(db_file)]
    assert main([*args, "--note", "πρώτη"]) == 0
    capsys.readouterr()
    assert main([*args, "--note", "δεύτερη"]) == 0
    out = capsys.readouterr().out
    assert "η σημείωση προστέθηκε" in out and "note added" in out and "δεν γράφτηκε ξανά" not in out
    assert _rows(engine, visit)[-1].note == "πρώτη\nδεύτερη"
    assert main([*args, "--note", "δεύτερη"]) == 0  # nothing new: said as before
    assert "δεν γράφτηκε ξανά / already recorded, not stored again" in capsys.readouterr().out


def test_planning_the_next_week_warns_of_the_stops_with_no_outcome(
    week48: tuple[Engine, int], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """W48 published, nothing recorded for Monday to Wednesday (today is Thursday 26/11):
    ``kinito week 2026-W49 --publish`` says how many stops of W48 have no outcome, and names
    them; and says «δημοσιευμένη / published» (η έκδοση)."""
    engine, pv_id = week48
    past = [(d, v) for d, v in _stops(engine, pv_id) if d < date(2026, 11, 26)]
    assert past
    capsys.readouterr()
    assert main(["week", "2026-W49", "--publish", "--time-limit", "1", "--workers", "1", "--roads", "off",
                 "--db", str(db_file)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    n = len(past)
    assert f"{n} {'στάση' if n == 1 else 'στάσεις'} της 2026-W48 χωρίς έκβαση" in out
    assert f"{past[0][0]:%d/%m/%Y} {past[0][1]}" in out
    assert "(δημοσιευμένη / published)" in out


def test_a_missing_version_and_a_wrong_date_are_said_in_good_greek(
    week48: tuple[Engine, int], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish", W48, "--version", "7", "--db", str(db_file)]) == 2
    err = capsys.readouterr().err
    assert "δεν έχει έκδοση 7: υπάρχει μόνο η έκδοση 1" in err and "there is only version 1" in err
    assert main(["outcome", "cp-1", "done", "--date", "31/02/2026", "--db", str(db_file)]) == 2
    assert "(ΗΗ/ΜΜ/ΕΕΕΕ ή ΕΕΕΕ-ΜΜ-ΗΗ)" in capsys.readouterr().err


def test_a_time_today_is_checked_against_the_clocks_hour_not_its_day(
    week48: tuple[Engine, int],
    db_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """KINITO_TODAY moves the day, not the hour: on the stop's day at 10:00 by the clock, 08:10
    is recorded (it was refused as «not come yet» when the clock's own date was earlier) and
    11:00 is not."""
    from datetime import timedelta

    from planner.register import outcomes

    engine, pv_id = week48
    (day, first), (_, second) = _stops(engine, pv_id)[:2]
    monkeypatch.setenv("KINITO_TODAY", day.isoformat())
    clock = datetime.combine(day - timedelta(days=2), time(10, 0), tzinfo=ZoneInfo("Europe/Athens"))
    monkeypatch.setattr(outcomes, "_now", lambda: clock)
    assert main(["outcome", first, "done", "--date", day.isoformat(), "--time", "08:10",
                 "--db", str(db_file)]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["outcome", second, "done", "--date", day.isoformat(), "--time", "11:00",
                 "--db", str(db_file)]) == 2  # fmt: skip
    assert "has not come yet" in capsys.readouterr().err
