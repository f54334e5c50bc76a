"""The register's storage: migrations from empty, SQLite settings, transactions, keys, gazetteer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, delete, func, inspect, select, update
from sqlalchemy.exc import IntegrityError

from planner.register.db import database_url, make_engine, session_scope
from planner.register.migrate import alembic_config, current_revision, head_revision, migration_sql, upgrade
from planner.register.models import (
    Base,
    Beneficiary,
    CalendarDay,
    CarePlan,
    Settlement,
    Staff,
    Unit,
    User,
    VisitOutcome,
)
from planner.register.settlements import find_in_register, load_gazetteer

AIGIO = "3702010101"
PTERI = "3702011101"


def _settlement(code: str = AIGIO) -> Settlement:
    return Settlement(
        code=code,
        name_el="Αίγιον",
        name_latin="Aigion",
        search_key="aigion",
        municipal_unit="Αιγίου",
        community="Δημοτική Κοινότητα Αιγίου",
        terrain="plain",
        lat=38.25,
        lon=22.08,
        elevation_m=29,
        population=20422,
    )


def _unit(weekly_hours: float | None = None) -> Unit:
    return Unit(name="Βαν", base_name="Κέντρο", base_lat=38.25, base_lon=22.08, weekly_hours=weekly_hours)


def _count(engine: Engine, model: type[Base]) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_migrations_build_every_table_in_an_empty_sqlite_file(db_file: Path) -> None:
    """Upgrading a new file creates every register table and records the head revision."""
    engine = make_engine(db_file)
    try:
        assert current_revision(engine) is None
        assert upgrade(engine) == head_revision()
        assert db_file.is_file()
        tables = set(inspect(engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        assert current_revision(engine) == head_revision()
        assert upgrade(engine) == head_revision()  # a second run changes nothing
    finally:
        engine.dispose()


def test_sqlite_file_runs_in_wal_mode_with_foreign_keys_on(engine: Engine) -> None:
    """Every new connection to the file has WAL journalling and foreign-key enforcement."""
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_match_the_models(engine: Engine) -> None:
    """Autogenerate finds nothing to add: the shipped revision and the models agree."""
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_weekly_hours_upgrade_keeps_the_units_days_and_drivers(db_file: Path) -> None:
    """0003 adds units.weekly_hours (NULL for the existing units) with its CHECK, and does not
    copy the units table: on SQLite, with foreign keys on, dropping the old copy would delete
    the units' unavailable days (CASCADE) and clear the drivers' unit (SET NULL)."""
    engine = make_engine(db_file)
    try:
        upgrade(engine, "0002_users_geocode")
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO units (id, name, base_name, base_lat, base_lon, capacity, active)"
                " VALUES (1, 'Βαν', 'Κέντρο', 38.25, 22.08, 2, 1)"
            )
            connection.exec_driver_sql(
                "INSERT INTO calendar_days (day, kind, unit_id) VALUES ('2026-12-08', 'unit_unavailable', 1)"
            )
            connection.exec_driver_sql(
                "INSERT INTO users (username, display_name, role, password_hash, unit_id, locale, active,"
                " created_at) VALUES ('giorgos', 'Γιώργος', 'driver', 'x', 1, 'el', 1, '2026-11-26')"
            )
        assert upgrade(engine, "0003_unit_weekly_hours") == "0003_unit_weekly_hours"
        with session_scope(engine) as session:
            assert session.scalars(select(Unit.weekly_hours)).all() == [None]
            assert session.scalars(select(CalendarDay.unit_id)).all() == [1]
            assert session.scalars(select(User.unit_id)).all() == [1]
        with session_scope(engine) as session:
            session.execute(update(Unit).values(weekly_hours=20.5))
        with pytest.raises(IntegrityError), session_scope(engine) as session:
            session.execute(update(Unit).values(weekly_hours=0))
    finally:
        engine.dispose()


def test_the_staff_absence_upgrade_keeps_the_calendar_and_its_downgrade_drops_absences(db_file: Path) -> None:
    """0008 copies calendar_days on SQLite (new kind, staff_id and its CHECK): the existing days
    keep their ids, kinds and units; an absence needs its staff member; the downgrade deletes
    the absences (the old CHECK refuses their kind) and keeps the rest."""
    from alembic import command

    from planner.register.migrate import alembic_config

    engine = make_engine(db_file)
    try:
        upgrade(engine, "0007_outcome_beneficiary")
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO units (id, name, base_name, base_lat, base_lon, capacity, active)"
                " VALUES (1, 'Βαν', 'Κέντρο', 38.25, 22.08, 2, 1)"
            )
            connection.exec_driver_sql(
                "INSERT INTO staff (id, name, role, part_time, weekdays, day_start, day_end, active)"
                " VALUES (4, 'Άννα', 'psychologist', 0, '[1, 4]', '08:00:00', '16:00:00', 1)"
            )
            connection.exec_driver_sql(
                "INSERT INTO calendar_days (id, day, kind, unit_id)"
                " VALUES (7, '2026-12-08', 'unit_unavailable', 1), (8, '2026-12-09', 'closure', NULL)"
            )
        assert upgrade(engine) == "0008_staff_unavailable"
        with session_scope(engine) as session:
            rows = session.scalars(select(CalendarDay).order_by(CalendarDay.id)).all()
            assert [(r.id, r.kind, r.unit_id, r.staff_id) for r in rows] == [
                (7, "unit_unavailable", 1, None), (8, "closure", None, None),
            ]  # fmt: skip
            session.add(CalendarDay(day=date(2026, 12, 10), kind="staff_unavailable", staff_id=4))
        with pytest.raises(IntegrityError), session_scope(engine) as session:
            session.add(CalendarDay(day=date(2026, 12, 11), kind="staff_unavailable"))
        with pytest.raises(IntegrityError), session_scope(engine) as session:
            session.add(CalendarDay(day=date(2026, 12, 11), kind="closure", staff_id=4))
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007_outcome_beneficiary")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT id, kind FROM calendar_days ORDER BY id").all() == [
                (7, "unit_unavailable"), (8, "closure"),
            ]  # fmt: skip
    finally:
        engine.dispose()


def test_the_child_priority_group_upgrade_renames_the_forms_code(db_file: Path) -> None:
    """0004: the web form stored ``children`` where the importer stores ``child``; the upgrade
    renames it (once, if both were there), leaves the other groups, and the downgrade gives
    the old code back."""
    engine = make_engine(db_file)
    try:
        upgrade(engine, "0003_unit_weekly_hours")
        with session_scope(engine) as session:
            session.add(_settlement())
        with engine.begin() as connection:
            for i, groups in enumerate(
                ['["kea", "children"]', '["child", "children"]', '["poverty"]', "[]", "null"], start=1
            ):
                connection.exec_driver_sql(
                    "INSERT INTO beneficiaries (id, full_name, settlement_code, priority_groups, active,"
                    f" created_at, updated_at) VALUES ({i}, 'Π', '3702010101', '{groups}', 1,"
                    " '2026-11-26', '2026-11-26')"
                )
        assert upgrade(engine, "0004_priority_group_child") == "0004_priority_group_child"
        with session_scope(engine) as session:
            stored = session.scalars(select(Beneficiary.priority_groups).order_by(Beneficiary.id)).all()
        assert stored == [["child", "kea"], ["child"], ["poverty"], [], None]
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0003_unit_weekly_hours")
        with session_scope(engine) as session:
            stored = session.scalars(select(Beneficiary.priority_groups).order_by(Beneficiary.id)).all()
        assert stored[:2] == [["children", "kea"], ["children"]]
    finally:
        engine.dispose()


def test_migration_sql_for_postgresql_has_no_sqlite_only_sql() -> None:
    """The same revision renders as PostgreSQL DDL without SQLite-only statements."""
    sql = migration_sql("postgresql://")
    assert "CREATE TABLE settlements" in sql and "CREATE TABLE visit_outcomes" in sql
    assert "ON DELETE RESTRICT" in sql and "ON DELETE CASCADE" in sql
    assert "PRAGMA" not in sql and "AUTOINCREMENT" not in sql


def test_an_error_inside_a_transaction_leaves_nothing_written(engine: Engine) -> None:
    """A failure after rows were flushed rolls the whole transaction back."""
    with pytest.raises(RuntimeError, match="crash"), session_scope(engine) as session:
        session.add(_settlement())
        session.add(Staff(name="Κοινωνική Λειτουργός Α", role="social_worker"))
        session.flush()
        raise RuntimeError("crash in the middle of an import")
    assert _count(engine, Settlement) == 0
    assert _count(engine, Staff) == 0


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    """A beneficiary in an unknown settlement is refused, and so is deleting a used settlement."""
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(Beneficiary(full_name="Μαρία Π.", settlement_code="9999999999"))
    with session_scope(engine) as session:
        session.add(_settlement())
        session.add(Beneficiary(full_name="Μαρία Π.", settlement_code=AIGIO))
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.execute(delete(Settlement).where(Settlement.code == AIGIO))
    assert _count(engine, Settlement) == 1


def test_deleting_a_beneficiary_deletes_their_care_plans_and_outcomes(engine: Engine) -> None:
    """ON DELETE CASCADE in the database itself, not only in the ORM."""
    with session_scope(engine) as session:
        session.add(_settlement())
        person = Beneficiary(full_name="Γιώργος Κ.", settlement_code=AIGIO)
        plan = CarePlan(
            service="home_visit",
            required_role="social_worker",
            duration_min=45,
            frequency_kind="every_n_weeks",
            frequency_count=2,
            start_date=date(2026, 1, 5),
        )
        person.care_plans.append(plan)
        session.add(person)
        session.flush()
        session.add(
            VisitOutcome(
                care_plan_id=plan.id,
                status="done",
                recorded_by="coordinator",
                occurred_at=datetime(2026, 1, 7, 10, 30, tzinfo=UTC),
            )
        )
    with session_scope(engine) as session:
        session.execute(delete(Beneficiary))
    assert _count(engine, CarePlan) == 0
    assert _count(engine, VisitOutcome) == 0


@pytest.mark.parametrize(
    "row",
    [
        lambda: VisitOutcome(
            care_plan_id=None,
            village_stop_id=None,
            status="done",
            recorded_by="x",
            occurred_at=datetime(2026, 1, 7, tzinfo=UTC),
        ),
        lambda: Staff(name="Οδηγός", role="pilot"),
        lambda: CalendarDay(day=date(2026, 4, 10), kind="unit_unavailable", unit_id=None),
        lambda: _unit(weekly_hours=0),
        lambda: _unit(weekly_hours=168.5),
    ],
    ids=[
        "outcome-without-subject",
        "unknown-role",
        "unavailable-without-unit",
        "no-weekly-hours",
        "weekly-hours-over-a-week",
    ],
)
def test_check_constraints_refuse_values_outside_the_enumerations(
    engine: Engine, row: Callable[[], Base]
) -> None:
    """Enumerations and either-or rules are CHECK constraints the database enforces."""
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(row())


def test_gazetteer_load_gives_140_settlements_and_is_idempotent(engine: Engine) -> None:
    """The first load adds the 140 ELSTAT settlements; a second one changes nothing."""
    with session_scope(engine) as session:
        first = load_gazetteer(session)
    with session_scope(engine) as session:
        second = load_gazetteer(session)
    assert (first.added, first.updated, first.unchanged) == (140, 0, 0)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 140)
    assert _count(engine, Settlement) == 140
    with session_scope(engine) as session:
        pteri = session.get(Settlement, PTERI)
        assert pteri is not None
        assert pteri.name_el == "Πτέρη" and "Φτέρη" in pteri.aliases
        assert pteri.terrain == "mountainous"


def test_gazetteer_reload_corrects_an_edited_row(loaded_engine: Engine) -> None:
    """A settlement changed in the database is put back to the gazetteer's values."""
    with session_scope(loaded_engine) as session:
        aigio = session.get(Settlement, AIGIO)
        assert aigio is not None
        aigio.population = 1
    with session_scope(loaded_engine) as session:
        again = load_gazetteer(session)
        aigio = session.get(Settlement, AIGIO)
    assert (again.added, again.updated, again.unchanged) == (0, 1, 139)
    assert aigio is not None and aigio.population == 20422


def test_register_search_finds_a_settlement_by_its_everyday_name(loaded_engine: Engine) -> None:
    """find_in_register searches the stored settlements and their stored aliases."""
    with session_scope(loaded_engine) as session:
        pteri = find_in_register(session, "Φτέρη").settlement
        lakka = find_in_register(session, "Λάκκα")
    assert pteri is not None and pteri.code == PTERI
    assert lakka.status == "ambiguous" and len(lakka.candidates) == 2


def test_database_location_comes_from_argument_then_environment_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An explicit path wins; else KINITO_DATABASE_URL, DATABASE_URL; else instance/kinito.sqlite3."""
    monkeypatch.chdir(tmp_path)
    assert database_url().database == str(tmp_path / "instance" / "kinito.sqlite3")
    monkeypatch.setenv("DATABASE_URL", "postgresql://office/kinito")
    assert database_url().get_backend_name() == "postgresql"
    monkeypatch.setenv("KINITO_DATABASE_URL", f"sqlite:///{tmp_path / 'k.sqlite3'}")
    assert database_url().database == str(tmp_path / "k.sqlite3")
    assert database_url("x/y.sqlite3").database == str(tmp_path / "x" / "y.sqlite3")


def test_a_transaction_that_reads_then_writes_waits_for_another_writer(engine: Engine) -> None:
    """Two tablets (or a form and a publish) at once: A reads, B writes meanwhile, then A writes.
    With a deferred BEGIN, A's write failed at once with "database is locked" (SQLite cannot
    move A's snapshot past B's commit); each transaction now takes the write lock as it begins,
    so B waits for A and both are stored."""
    import threading
    import time

    with session_scope(engine) as s:
        s.add(Staff(name="Πρώτη", role="social_worker"))
    errors: list[BaseException] = []
    a_has_read = threading.Event()

    def writer_b() -> None:
        a_has_read.wait(5)
        try:
            with session_scope(engine, actor="b") as s:
                s.add(Staff(name="Του Β", role="social_worker"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=writer_b)
    thread.start()
    with session_scope(engine, actor="a") as s:
        assert s.scalar(select(func.count()).select_from(Staff)) == 1
        a_has_read.set()
        time.sleep(0.5)  # B tries to write now
        s.add(Staff(name="Του Α", role="psychologist"))
    thread.join(10)
    assert errors == []
    assert _count(engine, Staff) == 3


def test_a_read_only_session_does_not_wait_for_a_writer_and_may_not_write(engine: Engine) -> None:
    """The web's pages read in read-only sessions: while a long write (an import) holds the lock
    they read the last committed state at once, not after it; a read-only session that would
    write is refused at once (a bug, not a rare lock error)."""
    with session_scope(engine) as s:
        s.add(Staff(name="Πρώτη", role="social_worker"))
    with session_scope(engine, actor="import") as writer:
        writer.add(Staff(name="Από την εισαγωγή", role="social_worker"))
        writer.flush()
        # (a reader that took the write lock would wait here for the writer, in this same
        # thread: "database is locked" after the 30 s busy timeout)
        with session_scope(engine, read_only=True) as page:
            names = list(page.scalars(select(Staff.name)))
    assert names == ["Πρώτη"]
    with (
        pytest.raises(RuntimeError, match="read-only session"),
        session_scope(engine, read_only=True) as page,
    ):
        page.add(Staff(name="Από σελίδα", role="social_worker"))
    assert _count(engine, Staff) == 2


def test_a_new_register_file_is_its_owners_alone(tmp_path: Path) -> None:
    """Names, addresses and health notes: a new register (and its -wal) is mode 0600, not the
    umask's 0644; an existing file's mode is left as its owner set it."""
    import os

    path = tmp_path / "instance" / "kinito.sqlite3"
    engine = make_engine(path)
    upgrade(engine)
    with session_scope(engine) as s:  # the pool keeps this connection open, and so the -wal
        s.add(Staff(name="Πρώτη", role="social_worker"))
    for file in (path, Path(f"{path}-wal")):
        assert os.stat(file).st_mode & 0o777 == 0o600, file
    engine.dispose()
    shared = tmp_path / "shared.sqlite3"
    shared.touch(mode=0o640)
    os.chmod(shared, 0o640)
    make_engine(shared).dispose()
    assert os.stat(shared).st_mode & 0o777 == 0o640
