"""Urgent visits (``urgent-b35``, added to a plan in Adjust) and their outcomes: stored against
the person (``visit_outcomes.beneficiary_id``, migration 0007), recorded by the office with
``kinito outcome``, audited, and never carried over into the next week as a routine visit."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from planner.cli import main
from planner.model import Location, Visit
from planner.register import models as m
from planner.register.db import make_engine, session_scope
from planner.register.migrate import alembic_config, upgrade
from planner.register.outcomes import allowed_statuses, record_outcome
from planner.register.week import WeekError, build_week, plan_week, publish, visit_subject
from planner.schema import plan_from_dict, problem_from_dict, problem_to_dict

AIGIO, KOUNINA = "3702010101", "3702010701"
W48 = "2026-W48"  # Mon 23 - Fri 27 November 2026; the tests' today is Thu 26/11 (W48)
W49 = "2026-W49"
MON_W48 = date(2026, 11, 23)


def _register(engine: Engine) -> dict[str, int]:
    """One van, a social worker, two people with a weekly visit each."""
    with session_scope(engine, actor="test") as s:
        s.add(m.Unit(name="Βαν", base_name="Κέντρο", base_lat=38.2498, base_lon=22.0816, capacity=2))
        s.add(m.Staff(name="Κοινωνική Λειτουργός", role="social_worker"))
        anna = m.Beneficiary(full_name="Άννα Π.", settlement_code=AIGIO, address="Ερμού 3")
        petros = m.Beneficiary(full_name="Πέτρος Κ.", settlement_code=KOUNINA)
        s.add_all([anna, petros])
        s.flush()
        weekly = {
            "service": "home_care", "required_role": "social_worker", "duration_min": 40,
            "frequency_kind": "weekly", "frequency_count": 1, "start_date": date(2026, 1, 5),
        }  # fmt: skip
        cp = m.CarePlan(beneficiary_id=anna.id, **weekly)
        s.add_all([cp, m.CarePlan(beneficiary_id=petros.id, **weekly)])
        s.flush()
        return {"anna": anna.id, "petros": petros.id, "cp": cp.id}


def _publish_with_urgent(engine: Engine, iso_week: str, person: int, today: date) -> tuple[int, date]:
    """Plan ``iso_week``, then a second version with an urgent visit to ``person`` added to the
    first route (as Adjust would), published; its id and the urgent visit's date."""
    first = plan_week(engine, iso_week, time_limit=1, workers=1, actor="test", today=today)
    vid = f"urgent-b{person}"
    with session_scope(engine, actor="maria") as s:
        row = s.get(m.PlanVersion, first.plan_version_id)
        assert row is not None and row.problem_json
        problem = problem_from_dict(json.loads(row.problem_json))
        place = problem.visits[0].location
        urgent = Visit(vid, Location(f"b{person}", place.lat, place.lon, place.name), 1800, name="Επείγουσα")
        problem = replace(problem, visits=(*problem.visits, urgent))
        plan = json.loads(row.plan_json)
        route = plan["routes"][0]
        last = next(x for x in reversed(route["steps"]) if x["type"] == "visit")
        route["steps"].insert(-1, {**last, "visit": vid})
        new = m.PlanVersion(iso_week=iso_week, unit_set=row.unit_set, version=2, status="draft",
                            plan_json=json.dumps(plan), problem_json=json.dumps(problem_to_dict(problem)),
                            summary={})  # fmt: skip
        s.add(new)
        s.flush()
        new_id, day = new.id, date.fromisoformat(route["date"])
    publish(engine, new_id, actor="maria")
    return new_id, day


@pytest.fixture
def register(loaded_engine: Engine) -> tuple[Engine, dict[str, int]]:
    return loaded_engine, _register(loaded_engine)


def test_an_urgent_visit_id_names_its_person_and_allows_every_outcome() -> None:
    """``urgent-b35`` (and a second one, ``urgent-b35-2``) is person 35's home visit."""
    assert visit_subject("urgent-b35") == ("beneficiary", 35)
    assert visit_subject("urgent-b35-2") == ("beneficiary", 35)
    assert allowed_statuses("urgent-b35") == m.OUTCOME_STATUSES
    for wrong in ("urgent-35", "urgent-bx", "urgent-b", "b35", "urgent-b35-"):
        with pytest.raises(WeekError):
            visit_subject(wrong)


def test_a_published_urgent_visit_is_recorded_against_the_person_and_audited(
    register: tuple[Engine, dict[str, int]],
) -> None:
    engine, ids = register
    pv_id, day = _publish_with_urgent(engine, W48, ids["petros"], MON_W48)
    vid = f"urgent-b{ids['petros']}"
    with session_scope(engine, actor="odigos") as s:
        first = record_outcome(s, vid, "done", on=day, recorded_by="odigos", plan_version_id=pv_id,
                               client_ref="tablet-0001")  # fmt: skip
        again = record_outcome(s, vid, "done", on=day, recorded_by="maria")
        retry = record_outcome(s, vid, "done", on=day, recorded_by="odigos", client_ref="tablet-0001")
    assert first.created and (again.outcome_id, again.created) == (first.outcome_id, False)
    assert (retry.outcome_id, retry.created) == (first.outcome_id, False)
    with session_scope(engine) as s:
        row = s.get(m.VisitOutcome, first.outcome_id)
        assert row is not None
        assert (row.beneficiary_id, row.care_plan_id, row.village_stop_id) == (ids["petros"], None, None)
        assert (row.visit_ref, row.planned_date, row.plan_version_id) == (vid, day, pv_id)
        audit = s.scalars(
            select(m.AuditLog).where(m.AuditLog.entity == "visit_outcomes", m.AuditLog.action == "insert")
        ).one()
    assert audit.actor == "odigos" and audit.after is not None
    assert audit.after["beneficiary_id"] == ids["petros"] and audit.after["visit_ref"] == vid


def test_an_urgent_visit_no_published_version_has_is_refused(register: tuple[Engine, dict[str, int]]) -> None:
    """Only a visit drivers were given: not another person's id, nor another week's."""
    engine, ids = register
    _pv, day = _publish_with_urgent(engine, W48, ids["petros"], MON_W48)
    for vid, on in (
        (f"urgent-b{ids['anna']}", day),  # nobody added one for Anna
        (f"urgent-b{ids['petros']}", date(2026, 11, 30)),  # W49 has no published plan
        ("urgent-b9999", day),  # no such person
    ):
        with pytest.raises(WeekError), session_scope(engine, actor="maria") as s:
            record_outcome(s, vid, "done", on=on, recorded_by="maria")


def test_kinito_outcome_records_a_published_urgent_visit(
    register: tuple[Engine, dict[str, int]], db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The walkthrough's `kinito outcome urgent-b35 done --date ...` (exit 2 before)."""
    engine, ids = register
    _pv, day = _publish_with_urgent(engine, W48, ids["petros"], MON_W48)
    vid = f"urgent-b{ids['petros']}"
    argv = ["outcome", vid, "not_at_home", "--date", f"{day:%d/%m/%Y}", "--by", "maria", "--db", str(db_file)]
    assert main(argv) == 0, capsys.readouterr().err
    assert "καταγράφηκε / recorded" in capsys.readouterr().out
    assert main(argv) == 0 and "υπήρχε ήδη" in capsys.readouterr().out
    with session_scope(engine) as s:
        rows = s.scalars(select(m.VisitOutcome)).all()
    assert [(r.beneficiary_id, r.status, r.recorded_by) for r in rows] == [
        (ids["petros"], "not_at_home", "maria")
    ]
    # the export names the person and says the visit was urgent (no care plan to name them)
    from planner.register.exporter import collect

    (sheet,) = collect(engine, "outcomes")
    (row,) = sheet.rows
    header = list(sheet.header)
    with session_scope(engine) as s:
        person = s.get(m.Beneficiary, ids["petros"])
        assert person is not None
        assert row[header.index("Ωφελούμενος")] == person.full_name
    assert row[header.index("Υπηρεσία")] == "επείγουσα επίσκεψη"


def test_an_urgent_visit_left_undone_is_not_carried_into_next_week(
    register: tuple[Engine, dict[str, int]],
) -> None:
    """W48's published plan had an urgent visit and Anna's weekly visit, neither done: Anna's
    is carried over into W49, the urgent one is not (W49 does not have it)."""
    engine, ids = register
    pv_id, _day = _publish_with_urgent(engine, W48, ids["petros"], MON_W48)
    with session_scope(engine) as s:
        row = s.get(m.PlanVersion, pv_id)
        assert row is not None
        served = {st.visit_id for r in plan_from_dict(json.loads(row.plan_json)).routes for st in r.stops}
        built = build_week(s, W49, today=date(2026, 11, 30))
    urgent, anna = f"urgent-b{ids['petros']}", f"cp-{ids['cp']}"
    assert {urgent, anna} <= served
    assert anna in built.carried_over
    assert urgent not in built.carried_over
    assert urgent not in {v.id for v in built.problem.visits}


def test_an_outcome_names_exactly_one_subject(register: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = register
    when = datetime(2026, 11, 23, 10, tzinfo=UTC)
    for subjects in ({}, {"care_plan_id": ids["cp"], "beneficiary_id": ids["anna"]}):
        with pytest.raises(IntegrityError), session_scope(engine) as s:
            s.add(m.VisitOutcome(status="done", recorded_by="x", occurred_at=when, **subjects))
    with session_scope(engine) as s:
        s.add(m.VisitOutcome(status="done", recorded_by="x", occurred_at=when, beneficiary_id=ids["anna"]))
    # deleting the person deletes their urgent visits' outcomes too (as their care plans')
    with session_scope(engine) as s:
        s.execute(m.VisitOutcome.__table__.delete().where(m.VisitOutcome.care_plan_id.is_not(None)))
        s.execute(m.Beneficiary.__table__.delete().where(m.Beneficiary.id == ids["anna"]))
    with session_scope(engine) as s:
        assert s.scalars(select(m.VisitOutcome)).all() == []


def test_migration_0007_keeps_the_outcomes_and_its_downgrade_drops_the_urgent_ones(tmp_path: Path) -> None:
    """0007 copies visit_outcomes on SQLite: existing rows (and their ids, which the audit log
    names) stay; the downgrade deletes the urgent visits' outcomes, which the old CHECK refuses."""
    from alembic import command

    engine = make_engine(tmp_path / "r.sqlite3")
    try:
        upgrade(engine, "0006_audit_log_entity_index")
        with session_scope(engine) as s:  # (the models of these tables are as at 0006)
            s.add(m.Settlement(code=AIGIO, name_el="Αίγιον", name_latin="Aigion", search_key="aigion",
                               municipal_unit="Αιγίου", community="Αιγίου", terrain="plain", lat=38.25,
                               lon=22.08, elevation_m=29, population=20422))  # fmt: skip
            s.add(m.Beneficiary(id=7, full_name="Π", settlement_code=AIGIO))
            s.flush()
            s.add(m.CarePlan(id=3, beneficiary_id=7, service="s", required_role="social_worker",
                             duration_min=30, frequency_kind="weekly", frequency_count=1,
                             start_date=date(2026, 1, 5)))  # fmt: skip
        with engine.begin() as c:
            c.exec_driver_sql(
                "INSERT INTO visit_outcomes (id, care_plan_id, visit_ref, status, planned_date, occurred_at,"
                " recorded_by, client_ref) VALUES (41, 3, 'cp-3', 'done', '2026-11-23',"
                " '2026-11-23 10:00:00', 'odigos', 'tablet-0041')"
            )
        assert upgrade(engine, "0007_outcome_beneficiary") == "0007_outcome_beneficiary"
        with session_scope(engine) as s:
            row = s.get(m.VisitOutcome, 41)
            assert row is not None and (row.care_plan_id, row.beneficiary_id, row.client_ref) == (
                3,
                None,
                "tablet-0041",
            )
            s.add(m.VisitOutcome(beneficiary_id=7, visit_ref="urgent-b7", status="done", recorded_by="x",
                                 occurred_at=datetime(2026, 11, 24, 10, tzinfo=UTC)))  # fmt: skip
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0006_audit_log_entity_index")
        with engine.connect() as c:
            assert c.exec_driver_sql("SELECT id, care_plan_id FROM visit_outcomes").all() == [(41, 3)]
    finally:
        engine.dispose()
