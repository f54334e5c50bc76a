"""Explaining a week of a thousand left-out visits: a reviewer's register (1,164 visits due, two
units) had ``kinito week`` re-time every left-out visit into every day's route, 22 s after the
search's time limit, with nothing on the progress line but the last search figures. The days
are now re-timed for the visits of highest priority only (a fixed number of re-timings), the
others told the truth without figures, and the progress line and the web job say what runs."""

from __future__ import annotations

import gc
import io
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

import webui.planjob as planjob
from planner import explain
from planner.model import Location, Plan, Problem, Route, Stop, Unassigned
from planner.schema import problem_to_dict
from tests.planner.conftest import MON, hm, make_problem, make_unit, make_visit

WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def week(n: int, per_route: int, urgent: int = 0, seed: int = 7) -> tuple[Problem, Plan]:
    """``n`` visits around Aigio for two units over five days, and a plan serving the first
    ``per_route`` of them on each unit-day (a plan as the search leaves it, made by hand: the
    explanation re-times the days itself); the last ``urgent`` visits have the top priority."""
    rnd = random.Random(seed)
    visits = [
        make_visit(
            f"v{i:04d}",
            Location(f"p{i}", 38.20 + rnd.random() * 0.08, 22.03 + rnd.random() * 0.12, f"Τόπος {i}"),
            service=rnd.choice((30, 45)) * 60,
            priority=9 if i >= n - urgent else rnd.randint(1, 3),
            name=f"Δοκιμή Επώνυμο{i}",
        )
        for i in range(n)
    ]
    problem = make_problem(
        visits, units=(make_unit("van1"), make_unit("van2")), day_defaults={"break_rule": None}
    )
    routes = []
    served = iter(visits)
    for ud in problem.unit_days:
        stops, t = [], hm(8, 15)
        for _ in range(per_route):
            v = next(served)
            stops.append(Stop(v.id, 0, t, t, t + v.service, 15 * 60, 8000))
            t += v.service + 15 * 60
        routes.append(Route(ud.unit_id, ud.date, hm(8), t + 15 * 60, tuple(stops), 15 * 60, 8000))
    return problem, Plan(problem.name, tuple(routes), (), 0, 1, 2.0, 2.0, "FEASIBLE", "estimate")


def explained(problem: Problem, plan: Plan, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Unassigned], int]:
    """The plan's unassigned entries and how many days were re-timed with a visit."""
    made = [0]
    fit = explain._Timing._fit

    def counted(self: explain._Timing, *args: Any) -> Any:
        made[0] += 1
        return fit(self, *args)

    monkeypatch.setattr(explain._Timing, "_fit", counted)
    return list(explain.explain_unassigned(problem, plan)), made[0]


def retimed(u: Unassigned) -> bool:
    return u.details.get("retimed") is not False


def test_a_week_of_hundreds_left_out_retimes_a_bounded_number_of_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """660 visits, 80 served: every left-out visit gets its entry, in the problem's order, but
    the days are re-timed at most FIT_BUDGET times (and one visit's worth more: its days and the
    stops left out to make room), the visits of top priority first."""
    problem, plan = week(660, 8, urgent=5)
    entries, made = explained(problem, plan, monkeypatch)
    assert [u.visit_id for u in entries] == [v.id for v in problem.visits[80:]]
    one_visit = len(problem.unit_days) + 13  # its days, then the stops left out (all, then 12 one by one)
    assert made <= explain.FIT_BUDGET + one_visit
    exact = [u for u in entries if retimed(u)]
    assert 5 <= len(exact) < len(entries) // 4
    assert all(retimed(u) for u in entries if u.visit_id >= f"v{660 - 5:04d}")  # the top priority
    assert {u.reason for u in entries} == {"week_full"}


def test_a_visit_not_retimed_is_told_no_day_and_no_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The others are told the truth: it fits on its own, how many were left out and re-timed,
    and the week's overload (its visits' service alone against the most its units work), with
    no day and no minutes, which without re-timing would be guesses."""
    problem, plan = week(660, 8)
    entries, _ = explained(problem, plan, monkeypatch)
    rough = [u for u in entries if not retimed(u)]
    checked = len(entries) - len(rough)
    service_h = sum(v.service for v in problem.visits) // 3600  # rounded down: «at least»
    work_h = 10 * 8  # ten 08:00-16:00 days
    u = rough[0]
    assert u.details == {
        "retimed": False,
        "unassigned": len(entries),
        "retimed_visits": checked,
        "service_h": service_h,
        "work_h": work_h,
    }
    assert u.message_en == (
        f"It fits on its own, but it was left out: it is one of the week's {len(entries)} unassigned "
        f"visits. Serving the week's visits takes at least {service_h} h without the driving, and the "
        f"units work at most {work_h} h: they cannot all fit. With that many, the days were re-timed "
        f"minute by minute with the visit only for the first {checked} by priority; for this one, "
        "which day would take it and how much time is missing were not worked out."
    )
    assert f"μία από τις {len(entries)} επισκέψεις χωρίς ανάθεση" in u.message_el
    assert f"τουλάχιστον {service_h} ώρες" in u.message_el and f"το πολύ {work_h} ώρες" in u.message_el
    for x in rough:
        assert "need_min" not in x.details and "date" not in x.details
        assert not re.search(r"\d+ more minutes|λεπτά ακόμη", x.message_en + x.message_el)
        assert not any(day in x.message_en for day in WEEKDAYS_EN)


def test_a_week_not_overloaded_is_not_said_to_be(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the overload (a week left half-empty by a short search), no such sentence."""
    problem, plan = week(660, 8)
    monkeypatch.setattr(explain, "FIT_BUDGET", 20)
    light = replace(problem, visits=tuple(replace(v, service=5 * 60) for v in problem.visits))
    entries, _ = explained(light, plan, monkeypatch)
    rough = [u for u in entries if not retimed(u)]
    assert rough and "service_h" not in rough[0].details
    assert "cannot all fit" not in rough[0].message_en and "δεν χωρούν όλες" not in rough[0].message_el


def test_a_week_with_few_left_out_retimes_them_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo week's size (15 left out): every one re-timed, as before."""
    problem, plan = week(45, 3)
    entries, made = explained(problem, plan, monkeypatch)
    assert len(entries) == 15 and all(retimed(u) for u in entries)
    assert made <= explain.FIT_BUDGET
    assert any("more minutes" in u.message_en or "It fits on" in u.message_en for u in entries)


def small() -> tuple[Problem, Plan]:
    """25 visits, 20 served."""
    return week(25, 2)


def test_the_progress_line_says_the_unassigned_visits_are_explained(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """After the search's figures, a line of its own says what runs past the time limit; once
    the command is done (or its printer is gone, a failed command), explaining says nothing."""
    from planner.cli import _progress_printer
    from planner.solver import Progress

    problem, plan = small()
    show, done = _progress_printer(8.0)
    show(Progress(8.0, 500, 20, 25))
    entries = explain.explain_unassigned(problem, plan)
    done()
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == (
        f"εξήγηση {len(entries)} επισκέψεων χωρίς ανάθεση / explaining {len(entries)} unassigned visits"
    )
    assert lines[0].startswith("επίλυση / solving")
    explain.explain_unassigned(problem, plan)
    show, done = _progress_printer(8.0)
    del show, done  # a command that failed before done()
    gc.collect()
    explain.explain_unassigned(problem, plan)
    assert capsys.readouterr().err == ""


def test_one_unassigned_visit_is_said_in_the_singular() -> None:
    from planner.cli import explaining_words

    assert explaining_words(1) == "εξήγηση 1 επίσκεψης χωρίς ανάθεση / explaining 1 unassigned visit"


def test_the_web_job_reports_the_explain_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk's job: after the search's reports, one with stage "explain", the number of
    visits explained, and the search's clock going on (not from 0), before "done"."""
    visits = [make_visit(f"v{i}", "diakopto", service=60 * 60) for i in range(12)]
    problem = make_problem(visits, dates=(MON,))
    monkeypatch.setattr(planjob, "store_problem_plan", lambda *a, **k: (1, 1))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    spec = {"database_url": "sqlite:///:memory:", "iso_week": "2026-W50", "time_limit": 0.5, "seed": 1,
            "workers": 1, "actor": "coordinator", "today": "2026-11-26"}  # fmt: skip
    spec["problem"] = problem_to_dict(problem)
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(spec)))
    assert planjob.main() == 0
    lines: Sequence[dict[str, Any]] = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["progress"]["stage"] for x in lines if "progress" in x][-1] == "explain"
    p = lines[-2]["progress"]
    done = lines[-1]["done"]
    assert p["unassigned"] == done["wanted"] - done["served"] > 0
    assert p["served"] == done["served"] and p["wanted"] == done["wanted"]
    search = [x["progress"] for x in lines if "progress" in x and x["progress"]["stage"] == "search"]
    assert p["elapsed"] >= (search[-1]["elapsed"] if search else 0.0)
    # the job's listener goes with it: explaining afterwards writes nothing
    out.truncate(0)
    explain.explain_unassigned(*small())
    assert out.getvalue() == ""


def test_the_explain_stage_goes_on_from_the_search_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk's clock (``elapsed`` of the last report) goes on from the search's, not from 0."""
    from planner.solver import Progress

    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    planjob._last.clear()
    planjob._progress(Progress(8.0, 900, 100, 1164, "search"))
    planjob._explaining(1064, 100, 1164)
    p = json.loads(out.getvalue().splitlines()[-1])["progress"]
    assert p["stage"] == "explain" and p["unassigned"] == 1064 and p["elapsed"] >= 8.0
    assert (p["served"], p["wanted"], p["objective"]) == (100, 1164, 900)
