"""Seventh walkthrough of management's figures, on the small register counted by hand in
test_coverage (W45-W48 of 2026):

1. a person who moves today leaves their past visits where they were: the map, the
   settlements served, the mountain share of visits done, the list of people due and not served;
2. a week with no working day still settles open visits with the visits done in it (a closure
   entered afterwards for a past week adds no missed visit); the closed days are the register's
   holidays and closures as they stood when the week ended, plus Greece's public holidays as the
   week builder removes them;
3. numbers in the interface's language on the page and in the PDF; numbers, percentages and
   empty cells for unknown figures in the XLSX summary;
4. the pseudonym is Ψ-0042 (never the office's Ω-0001 codes), and the office's beneficiary
   search finds a person by it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_coverage import HAND_PERIOD, build_hand_register
from webui_helpers import post

from planner.register.db import make_engine, session_scope
from planner.register.due import Rhythm
from planner.register.models import (
    AuditLog,
    Beneficiary,
    CalendarDay,
    CarePlan,
    Settlement,
    VisitOutcome,
)
from webui.coverage import DueWeek, Figures, compute_figures, due_ledger, pseudonym, settlement_coverage

TODAY = date(2026, 12, 11)  # Friday of W50: W45-W48 are past
LATER = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)  # Tuesday of W50: the day of a change made "today"


@pytest.fixture
def hand_db(tmp_path: Path) -> Iterator[tuple[Path, dict[str, int]]]:
    """The register counted by hand (test_coverage), as a file the test may change."""
    path = tmp_path / "hand.sqlite3"
    ids = build_hand_register(path)
    yield path, ids


def _mark(session: Session) -> int:
    return session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1)) or 0


def _dated(session: Session, since_id: int, at: datetime) -> None:
    """The audit rows written after ``since_id`` dated ``at``: the change was made then."""
    session.flush()
    for row in session.scalars(select(AuditLog).where(AuditLog.id > since_id)):
        row.at = at


def _figures(path: Path, start: date, end: date) -> Figures:
    engine = make_engine(path)
    with session_scope(engine) as s:
        f = compute_figures(s, start, end, TODAY)
    engine.dispose()
    return f


def _places(path: Path, day: date) -> dict[str, tuple[int, int, date | None, int]]:
    engine = make_engine(path)
    with session_scope(engine) as s:
        out = {c.code: (c.done_4w, c.done_12w, c.last_done, c.beneficiaries)
               for c in settlement_coverage(s, day)}  # fmt: skip
    engine.dispose()
    return out


def _where(f: Figures) -> tuple[object, ...]:
    """What the figures say about where the visits were."""
    return (f.settlements_served, f.mountain_visits, f.mountain_visit_share,
            [(u.pseudonym, u.settlement, u.municipal_unit, u.terrain) for u in f.unserved])  # fmt: skip


# --- 1. a person who moves -------------------------------------------------------------------


def test_a_person_moved_today_leaves_past_visits_where_they_were(
    hand_db: tuple[Path, dict[str, int]],
) -> None:
    """Persons 1 (plans A and B: five visits done in W45-W48) and 2 (due, never served) move on
    Tuesday of W50 from the hand register's plain settlement to a mountain village: W45-W48's
    settlements served, mountain share of visits done, map and list of people due and not served
    read as before; a visit person 1 has after the move counts in the mountain village."""
    path, ids = hand_db
    engine = make_engine(path)
    with session_scope(engine, actor="test") as s:
        home = s.scalars(select(Beneficiary.settlement_code).where(Beneficiary.id == ids["person1"])).one()
        assert s.get(Settlement, home).terrain != "mountainous"  # type: ignore[union-attr]
        mountain = s.scalars(
            select(Settlement).where(Settlement.terrain == "mountainous").order_by(Settlement.code)
        ).first()
        assert mountain is not None
        new_home, new_name = mountain.code, mountain.name_el
    engine.dispose()
    before = _figures(path, *HAND_PERIOD)
    places_before = _places(path, HAND_PERIOD[1])
    assert before.mountain_visits == 0 and before.settlements_served == 1  # all lived in one plain village
    assert [u.pseudonym for u in before.unserved] == [pseudonym(ids["person2"])]

    with session_scope(engine, actor="test") as s:
        mark = _mark(s)
        for key in ("person1", "person2"):
            person = s.get(Beneficiary, ids[key])
            assert person is not None
            person.settlement_code = new_home
        _dated(s, mark, LATER)
        # a visit after the move: in the mountain village
        at = datetime.combine(date(2026, 12, 9), time(10), tzinfo=UTC)
        s.add(VisitOutcome(care_plan_id=ids["A"], status="done", planned_date=date(2026, 12, 9),
                           occurred_at=at, recorded_by="test"))  # fmt: skip
    engine.dispose()

    after = _figures(path, *HAND_PERIOD)
    assert _where(after) == _where(before)
    assert after.unserved[0].settlement != new_name
    assert _places(path, HAND_PERIOD[1]) == places_before
    w50 = _figures(path, date(2026, 12, 7), date(2026, 12, 13))
    assert (w50.settlements_served, w50.mountain_visits) == (1, 1)
    places_now = _places(path, TODAY)
    assert places_now[new_home][0] == 1 and places_now[new_home][2] == date(2026, 12, 9)
    assert places_now[home][2] == date(2026, 11, 26)  # the visits before the move stay at home


# --- 2. closed weeks ---------------------------------------------------------------------------


MONDAYS = [date(2026, 11, 2) + timedelta(weeks=k) for k in range(4)]  # W45-W48


def _missed(rows: list[DueWeek]) -> int:
    """Due visits not done: those carried into the first week and fallen due, less those done."""
    return rows[0].carried + sum(r.new for r in rows) - sum(r.done_due for r in rows)


def test_a_visit_done_in_a_closed_week_settles_the_open_one() -> None:
    """Every 4 weeks, never done before: due before W45 and carried. Done on Tuesday 10/11 (W46):
    nothing missed. A closure entered afterwards for W46 keeps it so: the visit settles the open
    one there (carried 1, done 1), not «done, not due» leaving it missed."""
    start, done = date(2026, 1, 5), [date(2026, 11, 10)]
    rhythm = Rhythm("every_n_weeks", 4)
    open_week = due_ledger(rhythm, MONDAYS, done, start=start)
    closed = due_ledger(rhythm, MONDAYS, done, start=start, working=lambda mo: 0 if mo == MONDAYS[1] else 5)
    assert _missed(open_week) == 0
    assert [(r.carried, r.new, r.done_due, r.done) for r in closed] == [
        (1, 0, 0, 0), (1, 0, 1, 1), (0, 0, 0, 0), (0, 0, 0, 0)
    ]  # fmt: skip
    assert _missed(closed) == 0
    # monthly: a closed week settles only within the month the visit is due in
    monthly = due_ledger(Rhythm("monthly", 1), MONDAYS, [date(2026, 11, 10)], start=start,
                         working=lambda mo: 0 if mo == MONDAYS[1] else 5)  # fmt: skip
    assert [(r.carried, r.new, r.done_due) for r in monthly] == [(0, 1, 0), (1, 0, 1), (0, 0, 0), (0, 0, 0)]


def _closure(session: Session, monday: date, name: str = "απεργία") -> list[CalendarDay]:
    rows = [CalendarDay(day=monday + timedelta(days=i), kind="closure", name=name) for i in range(5)]
    session.add_all(rows)
    return rows


def test_a_closure_entered_for_a_past_week_adds_no_missed_visit(hand_db: tuple[Path, dict[str, int]]) -> None:
    """W47 closed afterwards (B's visit carried from W46 was done on 17/11, E's and F's on 18
    and 19/11): W47 asks for nothing new, B's visit settles the one carried in. By hand: 2 due
    from before + 2 (W45) + 2 (W46) + 0 (W47) + 3 (W48: A and F's two) = 9 due; done of them
    2 + 1 + 1 (B, in W47) + 3 = 7; not done 2 (A in W46, C): fewer than the 4 before the closure."""
    path, _ids = hand_db
    before = _figures(path, *HAND_PERIOD)
    assert before.due_not_done == 4
    engine = make_engine(path)
    with session_scope(engine, actor="test") as s:
        _closure(s, MONDAYS[2])
    engine.dispose()
    after = _figures(path, *HAND_PERIOD)
    w47 = after.weeks[2]
    assert (w47.carried, w47.new, w47.done_due, w47.done) == (1, 0, 1, 3)
    assert (after.visits_due, after.due_done, after.due_not_done) == (9, 7, 2)
    assert after.due_not_done <= before.due_not_done  # type: ignore[operator]


def test_a_closed_first_week_still_counts_what_was_due_before(hand_db: tuple[Path, dict[str, int]]) -> None:
    """W45 closed: C (every 4 weeks, never done) and E (a stop every 2 weeks, never done before)
    were due before the period. E's visit on 4/11 settles its open one in W45; C is carried into
    W46. Both count as due from before the period, so due = done of them + not done, none
    negative."""
    path, _ids = hand_db
    engine = make_engine(path)
    with session_scope(engine, actor="test") as s:
        _closure(s, MONDAYS[0])
    engine.dispose()
    f = _figures(path, *HAND_PERIOD)
    assert (f.weeks[0].carried, f.weeks[0].done_due) == (1, 1)  # E settled in the closed week
    assert f.weeks[1].carried >= 1  # C, carried on
    assert f.due_before == 2
    assert f.visits_due == f.due_before + sum(w.new for w in f.weeks)
    assert f.due_not_done is not None and f.due_not_done >= 0
    assert f.visits_due == f.due_done + f.due_not_done  # type: ignore[operator]


def test_a_closure_deleted_today_still_closes_its_past_week(hand_db: tuple[Path, dict[str, int]]) -> None:
    """The register's closures as they stood when the week ended: W46 closed then, the closure
    deleted on Tuesday of W50; W45-W48 read as before the deletion."""
    path, _ids = hand_db
    engine = make_engine(path)
    with session_scope(engine, actor="test") as s:
        _closure(s, MONDAYS[1])
    with_closure = _figures(path, *HAND_PERIOD)
    assert with_closure.weeks[1].new == 0  # closed: nothing new
    with session_scope(engine, actor="test") as s:
        mark = _mark(s)
        for row in s.scalars(select(CalendarDay)):
            s.delete(row)
        _dated(s, mark, LATER)
    engine.dispose()
    after = _figures(path, *HAND_PERIOD)
    assert [(w.carried, w.new, w.done_due) for w in after.weeks] == [
        (w.carried, w.new, w.done_due) for w in with_closure.weeks
    ]
    assert (after.visits_due, after.due_done) == (with_closure.visits_due, with_closure.due_done)


def test_greek_public_holidays_close_their_days_as_in_the_week_builder(
    hand_db: tuple[Path, dict[str, int]],
) -> None:
    """The hand register's calendar is empty; 28 October 2026 (Wednesday of W44) is a public
    holiday: a plan of five visits a week asks for four that week, as the week builder plans
    them (W44 by hand, test_coverage: B, C, D and E carried, A new). Over 2026, the closed days
    management counts are the week builder's, a closure of the register included."""
    from planner.register.week import _closed_days as builder_closed_days
    from webui.coverage import _closed_days

    path, ids = hand_db
    engine = make_engine(path)
    with session_scope(engine, actor="test") as s:
        s.add(CarePlan(beneficiary_id=ids["person3"], service="Φροντίδα", duration_min=30,
                       required_role="social_worker", frequency_kind="weekly", frequency_count=5,
                       start_date=date(2026, 1, 5)))  # fmt: skip
        _closure(s, date(2026, 6, 15), "τοπική αργία")
    w44 = _figures(path, date(2026, 10, 26), date(2026, 11, 1)).weeks[0]
    assert (w44.carried, w44.new) == (4, 1 + 4)  # by hand (test_coverage), and the new plan's 4, not 5
    with session_scope(engine) as s:
        mondays = [date(2025, 12, 29) + timedelta(weeks=k) for k in range(53)]
        ours = _closed_days(s, mondays)
        for monday in mondays:
            week = [monday + timedelta(days=i) for i in range(5)]
            assert ours[monday] == set(builder_closed_days(s, week)), monday
        assert len(ours[date(2026, 6, 15)]) == 5 and date(2026, 10, 28) in ours[date(2026, 10, 26)]
    engine.dispose()


# --- 3. numbers in the interface's language ----------------------------------------------------


def _cell(html: str, cell_id: str) -> str:
    match = re.search(rf'id="{cell_id}">([^<]*)<', html)
    assert match, cell_id
    return match.group(1).strip()


def test_numbers_are_written_in_the_interfaces_language(hand_manager: FlaskClient) -> None:
    """W48's 12.5 km, 0.5 h driving and 1.5 h service read 12,5, 0,5 and 1,5 in Greek (page and
    PDF), shares 0,0%; 12.5 and 0.0% in English."""
    from pypdf import PdfReader

    query = "?from=2026-W45&to=2026-W48"
    html = hand_manager.get(f"/management/{query}").get_data(as_text=True)
    assert (_cell(html, "k-km"), _cell(html, "k-drive"), _cell(html, "k-service")) == ("12,5", "0,5", "1,5")
    assert _cell(html, "k-mountain-visits") == "0,0%" and _cell(html, "k-mountain-people") == "0,0%"
    row = re.search(r'<tr data-week="2026-W48" data-recorded="1">(.*?)</tr>', html, re.S)
    assert row and '<td data-key="km">12,5</td>' in row.group(1)
    shares = re.findall(r"<strong>([^<]*)</strong>", html[html.index('id="mountain"') :])[:2]
    assert shares == ["0,0%", "0,0%"]
    reader = PdfReader(io.BytesIO(hand_manager.get(f"/management/export.pdf{query}").data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "(δημοσιευμένα προγράμματα) 12,5" in text and "μερίδιο των ωφελουμένων 0,0%" in text
    assert "12.5" not in text and " %" not in text

    post(hand_manager, "/language", {"lang": "en", "next": "/management/"})
    html = hand_manager.get(f"/management/{query}").get_data(as_text=True)
    assert (_cell(html, "k-km"), _cell(html, "k-mountain-people")) == ("12.5", "0.0%")


def test_the_xlsx_summary_holds_numbers_percentages_and_empty_cells(hand_manager: FlaskClient) -> None:
    """The summary sheet: kilometres a number, the shares numbers with a percent format, and
    an unknown figure (no published plan in W45-W47: kilometres unknown) an empty cell, not "—"."""
    from openpyxl import load_workbook

    def summary(query: str) -> dict[str, object]:
        book = load_workbook(io.BytesIO(hand_manager.get(f"/management/export.xlsx{query}").data))
        return {row[0].value: row[1] for row in book["Σύνοψη"].iter_rows(min_row=2) if row[0].value}

    cells = summary("?from=2026-W45&to=2026-W48")
    km = cells["Χιλιόμετρα (δημοσιευμένα προγράμματα)"]
    assert km.value == 12.5 and km.number_format == "0.0"  # type: ignore[attr-defined]
    for label in ("Ορεινά χωριά: μερίδιο των επισκέψεων που έγιναν", "Ορεινά χωριά: μερίδιο των ωφελουμένων"):
        share = cells[label]
        assert share.value == 0.0 and share.number_format == "0.0%", label  # type: ignore[attr-defined]
    unknown = summary("?from=2026-W45&to=2026-W47")
    for label in ("Χιλιόμετρα (δημοσιευμένα προγράμματα)", "Ώρες οδήγησης (δημοσιευμένα προγράμματα)",
                  "Δρομολόγια (δημοσιευμένα προγράμματα)"):  # fmt: skip
        assert unknown[label].value is None, label  # type: ignore[attr-defined]


# --- 4. the pseudonym --------------------------------------------------------------------------


def test_the_pseudonym_is_not_an_office_code() -> None:
    """Ψ and the register's number, read back however it is typed; Ω-0042 (an office's code,
    as the import template teaches) is not a pseudonym."""
    assert pseudonym(42) == "Ψ-0042" and not pseudonym(42).startswith("Ω")
    from webui.coverage import pseudonym_id

    for typed in ("Ψ-0042", "ψ42", " ψ-42 ", "Ψ 0042", "ψ0042"):
        assert pseudonym_id(typed) == 42, typed
    for typed in ("Ω-0042", "42", "Ψαρράς", "ψ-", "ps42"):
        assert pseudonym_id(typed) is None, typed


def _listed(html: str) -> list[str]:
    table = html[html.index('id="beneficiaries"') :]
    return re.findall(r'<a href="/register/beneficiaries/\d+">([^<]+)</a>', table[: table.index("</table>")])


def test_the_office_finds_a_person_by_managements_pseudonym(coordinator: FlaskClient, db_file: Path) -> None:
    """Typed as management's list writes it (Ψ-0002) or loosely (ψ2), the search finds that
    one person, even paused; an office code typed the same way finds its own person."""
    engine = make_engine(db_file)
    with session_scope(engine, actor="test") as s:
        people = s.scalars(select(Beneficiary).order_by(Beneficiary.id)).all()
        paused = next(p for p in people if not p.active)
        active = next(p for p in people if p.active and p.id != paused.id)
        wanted = {active.id: active.full_name, paused.id: paused.full_name}
    engine.dispose()
    for bid, name in wanted.items():
        for typed in (f"Ψ-{bid:04d}", f"ψ{bid}"):
            response = coordinator.get("/register/beneficiaries", query_string={"q": typed})
            assert _listed(response.get_data(as_text=True)) == [name], typed
