"""The fictional demo register (`kinito init --demo`): real places, invented people, a plausible history.

The weekly demand of the reference week is counted here from the stored care plans and
outcomes with the week builder's rule (planner.register.due), independently of the state the
generator kept while writing the history; the history itself is checked against each plan's
rhythm (no plan visited more often than it asks for).
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import CheckConstraint, Engine, func, select, text

from planner.cli import main
from planner.register.db import make_engine, session_scope
from planner.register.demo import FICTIONAL, DemoRegisterError, DemoSummary, load_demo
from planner.register.due import Rhythm, occurrences_due
from planner.register.migrate import upgrade
from planner.register.models import (
    Base,
    Beneficiary,
    CarePlan,
    Settlement,
    VillageStop,
    VisitOutcome,
)
from planner.register.settlements import load_gazetteer

REFERENCE = date(2026, 12, 7)  # Monday of 2026-W50
REF_MONDAY = date(2026, 12, 7)
ATHENS = ZoneInfo("Europe/Athens")
TABLES = ("beneficiaries", "care_plans", "staff", "units", "village_stops", "calendar_days", "visit_outcomes")
VOLATILE = {"created_at", "updated_at"}
Demo = tuple[Engine, DemoSummary, Path]


def _fresh(path: Path, reference: date = REFERENCE, seed: int = 1) -> tuple[Engine, DemoSummary]:
    engine = make_engine(path)
    upgrade(engine)
    with session_scope(engine, actor="test") as session:
        load_gazetteer(session)
        summary = load_demo(session, reference=reference, seed=seed)
    return engine, summary


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, DemoSummary, Path]]:
    """One demo register (seed 1, reference 2026-12-07) shared by the read-only tests."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    engine, summary = _fresh(path)
    yield engine, summary, path
    engine.dispose()


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every demo table's rows (without creation timestamps), in id order."""
    out = {}
    for table in TABLES:
        columns = [r[1] for r in _rows(path, f"PRAGMA table_info({table})") if r[1] not in VOLATILE]
        out[table] = _rows(path, f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
    return out


def _days(path: Path, where: str) -> set[date]:
    return {date.fromisoformat(d) for (d,) in _rows(path, f"SELECT day FROM calendar_days WHERE {where}")}


def _local(instant: datetime) -> datetime:
    """An instant read back from SQLite (naive UTC there) as Europe/Athens wall time."""
    aware = instant if instant.tzinfo else instant.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(ATHENS)


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlon = math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * 6_371_009 * math.asin(math.sqrt(h))


# --- the week builder's view of the register --------------------------------------------------


def _weeks(reference: date = REFERENCE) -> list[date]:
    monday = reference - timedelta(days=reference.weekday())
    return [monday - timedelta(weeks=k) for k in range(8, -1, -1)]  # 8 history weeks + the reference week


def _thursday_month(day: date) -> tuple[int, int]:
    thursday = day - timedelta(days=day.weekday()) + timedelta(days=3)
    return thursday.year, thursday.month


def _reference_week_due(engine: Engine, reference: date = REFERENCE) -> tuple[int, int]:
    """Home visits and village stop sessions due in the reference week, from the stored rows."""
    monday = reference - timedelta(days=reference.weekday())
    with session_scope(engine) as session:
        done: dict[tuple[str, int], list[date]] = defaultdict(list)
        for o in session.scalars(select(VisitOutcome).where(VisitOutcome.status == "done")):
            key = ("cp", o.care_plan_id) if o.care_plan_id is not None else ("vs", o.village_stop_id or 0)
            done[key].append(_local(o.occurred_at).date())
        plans = session.scalars(
            select(CarePlan).join(Beneficiary).where(CarePlan.status == "active", Beneficiary.active)
        ).all()
        stops = session.scalars(select(VillageStop).where(VillageStop.active)).all()
        closed = {
            d
            for (d,) in session.execute(
                text("SELECT day FROM calendar_days WHERE kind IN ('holiday', 'closure')")
            )
        }
    working = sum(1 for i in range(5) if (monday + timedelta(days=i)).isoformat() not in closed)
    home = sum(
        occurrences_due(
            Rhythm(p.frequency_kind, p.frequency_count), monday, done[("cp", p.id)],
            start=p.start_date, end=p.end_date, working_days=working,
        ).occurrences
        for p in plans
    )  # fmt: skip
    sessions = sum(
        occurrences_due(
            Rhythm(v.frequency_kind, v.frequency_count), monday, done[("vs", v.id)],
            start=date.min, working_days=working,
        ).occurrences
        for v in stops
    )  # fmt: skip
    return home, sessions


# --- people and places ------------------------------------------------------------------------


def test_about_250_fictional_beneficiaries_with_made_up_phones(demo: Demo) -> None:
    """250 people, every one marked fictional, phones only from the made-up ranges."""
    engine, summary, _ = demo
    with session_scope(engine) as session:
        people = list(session.scalars(select(Beneficiary)))
    assert len(people) == summary.beneficiaries == 250
    assert all(p.full_name.endswith(FICTIONAL) for p in people)
    assert all("πλασματική κατοικία" in (p.address or "") for p in people)
    phones = [p.phone for p in people if p.phone]
    assert len(phones) > 150
    assert all(re.fullmatch(r"269100\d{4}|69000\d{5}", ph) for ph in phones)
    assert len({p.external_id for p in people}) == 250


def test_every_home_is_within_300_m_of_its_real_settlement(demo: Demo) -> None:
    """Each beneficiary lives in one of the 140 ELSTAT settlements, within 300 m of its point."""
    engine, _, _ = demo
    with session_scope(engine) as session:
        places = {s.code: s for s in session.scalars(select(Settlement))}
        people = list(session.scalars(select(Beneficiary)))
    assert len(places) == 140
    for p in people:
        s = places[p.settlement_code]
        assert p.lat is not None and p.lon is not None
        assert _metres(p.lat, p.lon, s.lat, s.lon) <= 300, p.external_id
        assert s.population > 0
    # spread over the municipality, not piled in Aigio
    assert len({p.settlement_code for p in people}) >= 50
    assert len({places[p.settlement_code].municipal_unit for p in people}) == 6
    mountain = sum(places[p.settlement_code].terrain == "mountainous" for p in people)
    assert mountain >= 60


def test_staff_roles_are_the_centres(demo: Demo) -> None:
    """Two full-time social workers, one part-time, one psychologist, one driver; all fictional."""
    _, summary, path = demo
    rows = _rows(path, "SELECT role, part_time, name FROM staff")
    assert sorted((r[0], bool(r[1])) for r in rows) == [
        ("driver", False),
        ("psychologist", False),
        ("social_worker", False),
        ("social_worker", False),
        ("social_worker", True),
    ]
    assert all(r[2].endswith(FICTIONAL) for r in rows)
    assert summary.staff == {"social_worker": 3, "psychologist": 1, "driver": 1}
    assert _rows(path, "SELECT count(*), sum(capacity) FROM units") == [(2, 3)]


def test_village_stops_are_in_remote_hill_villages(demo: Demo) -> None:
    """About 20 stops, none in a plain settlement, announced HH:MM, 60-120 min, a usual weekday."""
    engine, summary, _ = demo
    with session_scope(engine) as session:
        rows = list(session.execute(select(VillageStop, Settlement).join(Settlement)))
    assert 18 <= len(rows) == summary.village_stops <= 22
    assert len({s.code for _, s in rows}) == len(rows)
    for stop, s in rows:
        assert s.terrain in ("semi_mountainous", "mountainous"), s.name_el
        assert stop.announced_times
        assert all(re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t) for t in stop.announced_times)
        assert 60 <= stop.duration_min <= 120
        assert stop.usual_weekday in (1, 2, 3, 4, 5)
        assert stop.required_role == "social_worker"
    # due sessions per week on average: weekly + 1/n + monthly (12 months over 52 weeks)
    per_week = sum(
        st.frequency_count if st.frequency_kind == "weekly"
        else 1 / st.frequency_count if st.frequency_kind == "every_n_weeks"
        else st.frequency_count * 12 / 52
        for st, _ in rows
    )  # fmt: skip
    assert 8 <= per_week <= 12


def test_care_plans_have_the_described_shape(demo: Demo) -> None:
    """~150-170 active plans of every rhythm, durations by role, windows, weekdays, named staff."""
    engine, summary, _ = demo
    with session_scope(engine) as session:
        plans = list(session.scalars(select(CarePlan)))
        roles: dict[int, str] = {i: r for i, r in session.execute(text("SELECT id, role FROM staff"))}
    active = [p for p in plans if p.status == "active" and (p.end_date is None or p.end_date >= REF_MONDAY)]
    assert 145 <= len(active) == summary.active_care_plans <= 170
    assert summary.paused_care_plans == sum(p.status == "paused" for p in plans) >= 20
    assert sum(p.end_date is not None and p.end_date < REF_MONDAY for p in plans) >= 20
    rhythms = Counter((p.frequency_kind, p.frequency_count) for p in active)
    assert rhythms[("weekly", 1)] >= 3 and rhythms[("weekly", 2)] >= 2
    assert rhythms[("every_n_weeks", 2)] >= 10 and rhythms[("every_n_weeks", 8)] >= 40
    assert rhythms[("monthly", 1)] >= 8 and rhythms[("monthly", 2)] >= 1
    for p in plans:
        if p.required_role == "psychologist":
            assert 45 <= p.duration_min <= 60
        else:
            assert p.required_role == "social_worker" and 20 <= p.duration_min <= 50
        if p.staff_id is not None:
            assert roles[p.staff_id] == p.required_role
        for lo, hi in p.time_windows:
            assert lo < hi
    windowed = sum(bool(p.time_windows) for p in active) / len(active)
    assert 0.15 <= windowed <= 0.35
    assert sum(bool(p.allowed_weekdays) for p in active) >= 4
    assert sum(p.staff_id is not None for p in active if p.required_role == "social_worker") >= 4
    # people without a mobile-unit plan exist: they are served at the office
    with session_scope(engine) as session:
        without = session.scalar(
            select(func.count()).select_from(Beneficiary).where(~Beneficiary.care_plans.any())
        )
    assert without is not None and without >= 20


# --- calendar ---------------------------------------------------------------------------------


def test_calendar_has_2026_holidays_aigio_closure_and_pilot_wednesdays(
    demo: Demo,
) -> None:
    """Good Friday, Easter Monday, Whit Monday 2026 are holidays; pilot days are working Wednesdays."""
    _, summary, path = demo
    rows = _rows(path, "SELECT day, kind, unit_id, name FROM calendar_days")
    by_kind: dict[str, set[date]] = defaultdict(set)
    for day, kind, _unit, _name in rows:
        by_kind[kind].add(date.fromisoformat(day))
    assert {date(2026, 4, 10), date(2026, 4, 13), date(2026, 6, 1)} <= by_kind["holiday"]
    assert date(2026, 4, 17) in by_kind["closure"]  # Παναγία Τρυπητή, Aigio
    assert date(2027, 4, 30) in by_kind["holiday"]  # Good Friday 2027: the year after is loaded too
    pilot = by_kind["pilot_extended_hours"]
    assert len(pilot) >= 17
    assert all(d.isoweekday() == 3 for d in pilot)
    assert not pilot & (by_kind["holiday"] | by_kind["closure"])
    assert date(2026, 10, 28) not in pilot  # Ohi Day fell on a Wednesday
    assert len(by_kind["unit_unavailable"]) == 1
    assert sum(summary.calendar_days.values()) == len(rows)


# --- history ----------------------------------------------------------------------------------


def _outcomes(engine: Engine) -> list[tuple[VisitOutcome, CarePlan | None]]:
    with session_scope(engine) as session:
        return list(session.execute(select(VisitOutcome, CarePlan).outerjoin(CarePlan)).all())


def test_eight_weeks_of_outcomes_all_before_the_reference_week(demo: Demo) -> None:
    """Outcomes fill exactly the 8 ISO weeks before the reference week, with no plan version."""
    engine, summary, _ = demo
    rows = _outcomes(engine)
    assert len(rows) == summary.outcomes > 300
    days = [o.planned_date for o, _ in rows]
    assert all(d is not None and REF_MONDAY - timedelta(weeks=8) <= d < REF_MONDAY for d in days)
    weeks = {d.isocalendar()[:2] for d in days if d}
    assert len(weeks) == 8
    assert summary.history_weeks == [f"2026-W{w:02d}" for w in range(42, 50)]
    assert all(o.plan_version_id is None and o.visit_ref is None and o.client_ref is None for o, _ in rows)
    assert all(o.recorded_by for o, _ in rows)
    assert sum(o.village_stop_id is not None for o, _ in rows) >= 50


def test_no_outcome_on_a_holiday_a_closure_or_a_weekend(demo: Demo) -> None:
    """Outcomes fall on working days; their local time matches the day and the opening hours."""
    engine, _, path = demo
    closed = _days(path, "kind IN ('holiday', 'closure')")
    pilot = _days(path, "kind = 'pilot_extended_hours'")
    assert date(2026, 10, 28) in closed
    for o, _plan in _outcomes(engine):
        assert o.planned_date is not None
        assert o.planned_date.isoweekday() <= 5 and o.planned_date not in closed
        local = _local(o.occurred_at)
        assert local.date() == o.planned_date
        assert 8 * 60 <= local.hour * 60 + local.minute < 20 * 60
        if local.hour >= 16:
            assert o.planned_date in pilot  # evenings only on the extended-hours pilot day


def test_easter_weeks_have_no_visits_on_the_holidays(tmp_path: Path) -> None:
    """History over Easter 2026: nothing on Good Friday, Easter Monday, Bright Friday, 25 March."""
    engine, _ = _fresh(tmp_path / "spring.sqlite3", reference=date(2026, 4, 27))
    try:
        days = Counter(o.planned_date for o, _ in _outcomes(engine) if o.planned_date is not None)
    finally:
        engine.dispose()
    for holiday in (date(2026, 3, 25), date(2026, 4, 10), date(2026, 4, 13), date(2026, 4, 17)):
        assert days[holiday] == 0
    assert days[date(2026, 4, 14)] > 0 and days[date(2026, 4, 16)] > 0  # the rest of the week works
    assert min(days) >= date(2026, 2, 23) and max(days) < date(2026, 4, 27)


def test_outcomes_follow_the_plans_and_the_roles(demo: Demo) -> None:
    """Each home-visit outcome is for a plan that was due that week, on an allowed day, by its role."""
    engine, _, _ = demo
    with session_scope(engine) as session:
        rows = session.execute(text("SELECT id, role, external_id FROM staff"))
        staff = {s_id: (role, ext) for s_id, role, ext in rows}
        stop_days = dict(session.execute(select(VillageStop.id, VillageStop.usual_weekday)).all())
    per_plan_week: Counter[tuple[int, date]] = Counter()
    done_days: dict[int, list[date]] = defaultdict(list)
    plans: dict[int, CarePlan] = {}
    for o, plan in _outcomes(engine):
        assert o.planned_date is not None and o.staff_id is not None
        role, ext = staff[o.staff_id]
        monday = o.planned_date - timedelta(days=o.planned_date.weekday())
        if plan is None:
            assert o.village_stop_id is not None and role == "social_worker"
            assert o.planned_date.isoweekday() == stop_days[o.village_stop_id]
            continue
        assert role == plan.required_role
        if plan.staff_id is not None:
            assert o.staff_id == plan.staff_id
        assert plan.start_date <= o.planned_date
        assert plan.end_date is None or o.planned_date <= plan.end_date
        if plan.allowed_weekdays:
            assert o.planned_date.isoweekday() in plan.allowed_weekdays
        if ext == "sw3":  # the part-timer works mornings
            assert _local(o.occurred_at).hour < 12
        per_plan_week[(plan.id, monday)] += 1
        if plan.frequency_kind == "weekly":
            assert per_plan_week[(plan.id, monday)] <= plan.frequency_count
        if o.status == "done":
            done_days[plan.id].append(o.planned_date)
        plans[plan.id] = plan
    # no plan was visited more often than its rhythm asks
    for plan_id, days in done_days.items():
        plan = plans[plan_id]
        days.sort()
        if plan.frequency_kind == "every_n_weeks":
            mondays = [d - timedelta(days=d.weekday()) for d in days]
            assert all((b - a).days >= 7 * plan.frequency_count for a, b in pairwise(mondays))
        elif plan.frequency_kind == "monthly":
            per_month = Counter(_thursday_month(d) for d in days)
            assert max(per_month.values()) <= max(plan.frequency_count, 1) + 1  # catch-up at most one more


def test_status_shares_are_plausible(demo: Demo) -> None:
    """Mostly done; not at home, cancelled and postponed a few percent each; notes on the misses."""
    engine, summary, _ = demo
    rows = [o for o, plan in _outcomes(engine) if plan is not None]
    shares = {k: v / len(rows) for k, v in Counter(o.status for o in rows).items()}
    assert 0.70 <= shares["done"] <= 0.90
    for status in ("not_at_home", "cancelled", "postponed"):
        assert 0.02 <= shares[status] <= 0.14, status
    assert all(o.note for o in rows if o.status != "done")
    assert sum(summary.outcome_statuses.values()) == summary.outcomes


def test_weekly_demand_is_what_two_units_can_carry(demo: Demo) -> None:
    """~45-55 home visits and ~10 village stops due a week; the reference week counted here agrees."""
    engine, summary, _ = demo
    home, sessions = _reference_week_due(engine)
    assert (home, sessions) == (
        summary.due_home_visits_per_week["2026-W50"],
        summary.due_stops_per_week["2026-W50"],
    )
    assert 40 <= home <= 60 and 7 <= sessions <= 15
    due = list(summary.due_home_visits_per_week.values())
    assert len(due) == 9 and all(36 <= n <= 64 for n in due), due
    assert 45 <= sum(due) / len(due) <= 55, due
    stops = list(summary.due_stops_per_week.values())
    assert all(6 <= n <= 16 for n in stops) and 9 <= sum(stops) / len(stops) <= 13, stops
    # the history serves at most what was due, and misses some (a full week)
    served: Counter[str] = Counter()
    for o, plan in _outcomes(engine):
        if plan is not None and o.planned_date is not None:
            y, w, _ = o.planned_date.isocalendar()
            served[f"{y}-W{w:02d}"] += 1
    for week in summary.history_weeks:
        assert 0.6 * summary.due_home_visits_per_week[week] <= served[week]
        assert served[week] <= summary.due_home_visits_per_week[week]


def test_mountain_villages_are_covered_less_reliably(demo: Demo) -> None:
    """Visits done per visit asked for (by rhythm, 8 weeks): lower in mountainous settlements."""
    engine, _, _ = demo
    with session_scope(engine) as session:
        rows = session.execute(
            select(CarePlan, Settlement.terrain)
            .select_from(CarePlan)
            .join(Beneficiary)
            .join(Settlement, Beneficiary.settlement_code == Settlement.code)
        ).all()
    history_start = REF_MONDAY - timedelta(weeks=8)
    asked: dict[str, float] = defaultdict(float)
    terrain_of: dict[int, str] = {}
    for p, terrain in rows:
        terrain_of[p.id] = terrain
        if p.status == "active" and p.end_date is None and p.start_date < history_start:
            per_week = {"weekly": p.frequency_count, "every_n_weeks": 1 / p.frequency_count}.get(
                p.frequency_kind, p.frequency_count * 12 / 52
            )
            asked[terrain] += 8 * per_week
    done = Counter(
        terrain_of[plan.id]
        for o, plan in _outcomes(engine)
        if plan is not None
        and o.status == "done"
        and plan.end_date is None
        and plan.start_date < history_start
    )
    coverage = {t: done[t] / asked[t] for t in asked}
    assert coverage["mountainous"] < coverage["plain"] - 0.1, coverage


# --- integrity, determinism, refusal, command line --------------------------------------------


def test_every_check_constraint_and_foreign_key_holds(demo: Demo) -> None:
    """Each table's CHECK expressions, evaluated over all rows, are never false; no dangling keys."""
    engine, _, path = demo
    checked = 0
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for constraint in table.constraints:
                if isinstance(constraint, CheckConstraint):
                    bad = connection.execute(
                        text(f"SELECT count(*) FROM {table.name} WHERE NOT ({constraint.sqltext})")
                    ).scalar_one()
                    assert bad == 0, (table.name, constraint.name)
                    checked += 1
    assert checked >= 15
    assert _rows(path, "PRAGMA foreign_key_check") == []
    assert _rows(path, "PRAGMA integrity_check") == [("ok",)]


def test_same_seed_same_rows_other_seed_other_rows(tmp_path: Path, demo: Demo) -> None:
    """Deterministic: the same seed and date give identical rows; another seed gives another register."""
    _, _, path = demo
    again, _ = _fresh(tmp_path / "again.sqlite3")
    other, _ = _fresh(tmp_path / "other.sqlite3", seed=2)
    again.dispose()
    other.dispose()
    first = _dump(path)
    assert _dump(tmp_path / "again.sqlite3") == first
    second = _dump(tmp_path / "other.sqlite3")
    for table in ("beneficiaries", "care_plans", "visit_outcomes"):
        assert second[table] != first[table], table


def test_a_second_load_is_refused_and_changes_nothing(demo: Demo) -> None:
    """Loading the demo into a register with beneficiaries raises, in Greek then English; nothing is added."""
    engine, _, path = demo
    before = _dump(path)
    with pytest.raises(DemoRegisterError) as excinfo, session_scope(engine) as session:
        load_demo(session, reference=REFERENCE, seed=5)
    message = str(excinfo.value)
    assert message.index("ωφελούμενους") < message.index("beneficiaries")
    assert "250" in message
    assert _dump(path) == before


def test_load_without_settlements_is_refused(engine: Engine) -> None:
    """A register without the gazetteer cannot take the demo: it says to load the gazetteer first."""
    with pytest.raises(DemoRegisterError, match="gazetteer"), session_scope(engine) as session:
        load_demo(session, reference=REFERENCE)


def test_kinito_init_demo_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito init --demo --db FILE --reference-date 2026-12-07`: exit 0, counts printed; a rerun exits 2."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "demo.sqlite3"
    assert main(["init", "--demo", "--db", str(db), "--reference-date", "2026-12-07"]) == 0
    out = capsys.readouterr().out
    assert "140 νέοι / added" in out
    assert "ωφελούμενοι / beneficiaries: 250" in out
    assert "προσωπικό / staff: social_worker 3, psychologist 1, driver 1" in out
    assert "στάσεις σε οικισμούς / village stops: 20" in out
    assert "2026-W42..2026-W49" in out
    assert _rows(db, "SELECT count(*) FROM beneficiaries") == [(250,)]
    n_outcomes = _rows(db, "SELECT count(*) FROM visit_outcomes")[0][0]
    assert f"{n_outcomes} εκβάσεις / outcomes" in out
    actors = _rows(db, "SELECT DISTINCT actor FROM audit_log")
    assert actors == [("kinito init --demo",)]

    assert main(["init", "--demo", "--db", str(db), "--reference-date", "2026-12-07"]) == 2
    err = capsys.readouterr().err
    assert "ήδη 250 ωφελούμενους" in err and "already has 250 beneficiaries" in err
    assert _rows(db, "SELECT count(*) FROM beneficiaries") == [(250,)]
    assert _rows(db, "SELECT count(*) FROM visit_outcomes") == [(n_outcomes,)]


def test_kinito_init_demo_stores_no_outcome_after_today(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a Wednesday the default reference is next Monday, and the history's last week is this
    one: Thursday's and Friday's outcomes were stored (management counted them; the command
    line refuses outcomes after today). None is dated after today now; today's may be."""
    monkeypatch.setenv("KINITO_TODAY", "2026-12-02")
    db = tmp_path / "demo.sqlite3"
    assert main(["init", "--demo", "--db", str(db)]) == 0
    (last,) = _rows(db, "SELECT max(planned_date) FROM visit_outcomes")[0]
    assert last is not None and last <= "2026-12-02"
    assert _rows(db, "SELECT count(*) FROM visit_outcomes WHERE planned_date > '2026-12-02'") == [(0,)]
    assert _rows(db, "SELECT count(*) FROM visit_outcomes WHERE planned_date >= '2026-11-30'")[0][0] > 0


def test_kinito_init_rejects_a_bad_reference_date(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A reference date that is not YYYY-MM-DD is a usage error (exit 2), nothing created."""
    with pytest.raises(SystemExit) as excinfo:
        main(["init", "--demo", "--db", str(tmp_path / "x.sqlite3"), "--reference-date", "07/12/2026"])
    assert excinfo.value.code == 2
    assert "--reference-date" in capsys.readouterr().err
    assert not (tmp_path / "x.sqlite3").exists()


def test_occurred_at_is_utc(demo: Demo) -> None:
    """Instants are stored as UTC: a 09:30 village stop in December reads 07:30 UTC."""
    engine, _, _ = demo
    with session_scope(engine) as session:
        stops = session.execute(
            select(VisitOutcome.occurred_at, VillageStop.announced_times).join(VillageStop)
        ).all()
    assert stops
    for occurred, announced in stops:
        local = _local(occurred)
        assert local.strftime("%H:%M") == announced[0]
        assert isinstance(occurred, datetime)
