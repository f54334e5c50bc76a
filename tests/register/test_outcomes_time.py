"""An outcome recorded without a time of day: the real time it was recorded, never a made-up
noon (third walkthrough: ``kinito outcome cp-1 postponed`` showed "recorded at 12:00")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from planner.cli import main
from planner.register import models as m
from planner.register import outcomes
from planner.register.db import session_scope

ATHENS = ZoneInfo("Europe/Athens")
AIGIO = "3702010101"  # ELSTAT code of Aigio
NOW = datetime(2026, 11, 26, 9, 47, 13, tzinfo=ATHENS)  # Thursday morning at the office


def _care_plan(engine: Engine) -> str:
    with session_scope(engine, actor="test") as s:
        person = m.Beneficiary(full_name="Πρόσωπο", settlement_code=AIGIO)
        s.add(person)
        s.flush()
        plan = m.CarePlan(beneficiary_id=person.id, service="home_care", required_role="social_worker",
                          duration_min=40, frequency_kind="weekly", frequency_count=1,
                          start_date=date(2026, 1, 5))  # fmt: skip
        s.add(plan)
        s.flush()
        return f"cp-{plan.id}"


def _stored(engine: Engine) -> list[tuple[str, date | None, datetime]]:
    with session_scope(engine) as s:
        rows = s.scalars(select(m.VisitOutcome).order_by(m.VisitOutcome.id))
        return [
            (o.status, o.planned_date, o.occurred_at.replace(tzinfo=UTC).astimezone(ATHENS)) for o in rows
        ]


def test_a_postponement_from_the_command_line_is_stored_at_the_time_it_was_recorded(
    loaded_engine: Engine, db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``kinito outcome cp-N postponed`` (no time can be given) at 09:47:13 on Thursday: the
    postponement is stored at 09:47:13, for today and for Monday's visit alike (the office
    decided it now), not at 12:00."""
    visit = _care_plan(loaded_engine)
    monkeypatch.setattr(outcomes, "_now", lambda: NOW, raising=False)
    monkeypatch.setenv("KINITO_TODAY", "2026-11-26")
    assert main(["outcome", visit, "postponed", "--db", str(db_file)]) == 0
    assert main(["outcome", visit, "postponed", "--date", "23/11/2026", "--db", str(db_file)]) == 0
    stored = _stored(loaded_engine)
    assert [(status, day) for status, day, _at in stored] == [
        ("postponed", date(2026, 11, 26)),
        ("postponed", date(2026, 11, 23)),
    ]
    assert [at for _s, _d, at in stored] == [NOW, NOW]
    assert all(at.strftime("%H:%M") != "12:00" for _s, _d, at in stored)


def test_other_outcomes_are_timed_now_today_and_keep_an_earlier_day() -> None:
    """Done today: the real time. Done on an earlier day, recorded later: that day (noon), since
    the week builder dates visits done by it; never the recording day. Just after midnight in
    Athens (still yesterday in UTC): the real time too, since the week builder dates it in
    Athens (``test_the_week_builder_dates_a_done_visit_by_its_day_in_athens``)."""
    from planner.register.outcomes import recorded_when

    today = NOW.date()
    assert recorded_when(today, "done", NOW) == NOW
    assert recorded_when(today, "cancelled", NOW) == NOW
    earlier = recorded_when(date(2026, 11, 23), "done", NOW)
    assert earlier == datetime(2026, 11, 23, 12, 0, tzinfo=ATHENS)
    night = datetime(2026, 11, 26, 0, 30, tzinfo=ATHENS)  # 22:30 UTC on the 25th
    assert recorded_when(today, "done", night) == night
    assert recorded_when(today, "postponed", night) == night


def test_the_week_builder_dates_a_done_visit_by_its_day_in_athens(loaded_engine: Engine) -> None:
    """A visit done at 00:30 on Thursday in Athens (22:30 UTC on Wednesday) and one done at
    23:30 on Wednesday (21:30 UTC): the week builder's history has them on Thursday and
    Wednesday, and a history that ends on Thursday (exclusive) holds only Wednesday's. Before,
    it dated both by UTC and put the first on Wednesday."""
    from planner.register.week import _done_dates, _last_done_before

    visit = _care_plan(loaded_engine)
    thursday, wednesday = date(2026, 11, 26), date(2026, 11, 25)
    with session_scope(loaded_engine, actor="test") as s:
        for at in (
            datetime(2026, 11, 26, 0, 30, tzinfo=ATHENS),
            datetime(2026, 11, 25, 23, 30, tzinfo=ATHENS),
        ):
            s.add(m.VisitOutcome(care_plan_id=int(visit[3:]), status="done", occurred_at=at.astimezone(UTC),
                                 recorded_by="test"))  # fmt: skip
    with session_scope(loaded_engine) as s:
        care, _stops = _done_dates(s, date(2026, 11, 23), date(2026, 11, 30))
        assert sorted(care[int(visit[3:])]) == [wednesday, thursday]
        care, _stops = _done_dates(s, date(2026, 11, 23), thursday)
        assert care[int(visit[3:])] == [wednesday]
        last, _stops = _last_done_before(s, thursday)
        assert last[int(visit[3:])] == wednesday
        last, _stops = _last_done_before(s, date(2026, 11, 27))
        assert last[int(visit[3:])] == thursday


def test_the_same_outcome_twice_is_stored_once_and_keeps_both_notes(loaded_engine: Engine) -> None:
    """A second «done» for the same visit and day (another tab, another reference) is not a
    second row, but its note joins the first's; the same note again is not repeated. Before,
    the second note was dropped without a word."""
    visit = _care_plan(loaded_engine)
    day = date(2026, 11, 23)
    with session_scope(loaded_engine, actor="odigos") as s:
        first = outcomes.record_outcome(s, visit, "done", on=day, recorded_by="odigos",
                                        note="πήρε τα φάρμακα", client_ref="a")  # fmt: skip
        again = outcomes.record_outcome(s, visit, "done", on=day, recorded_by="odigos",
                                        note="να τηλεφωνήσει η κόρη", client_ref="b")  # fmt: skip
        outcomes.record_outcome(s, visit, "done", on=day, recorded_by="odigos",
                                note="να τηλεφωνήσει η κόρη", client_ref="c")  # fmt: skip
        assert first.created and not again.created and again.outcome_id == first.outcome_id
    with session_scope(loaded_engine) as s:
        (row,) = s.scalars(select(m.VisitOutcome)).all()
        assert row.note == "πήρε τα φάρμακα\nνα τηλεφωνήσει η κόρη"
