"""How much a re-plan of a published week changes: the demo week planned once ("published"),
then re-planned with that plan's dates, units and starts as the promised ones (as
``kinito week`` sets them), from the published routes or from scratch, with nothing changed or
with one unit-day taken away. One worker (the command's second worker, a child process, would
start from the routes even with ``--from-scratch``). Figures for docs/week.md; not a timed
test.

Run as ``python -m benchmarks.replan [--from-scratch] [--lose UNIT:DATE]`` (progress and one
line per re-plan on stdout): each line gives the priority left unserved and how many visit
occurrences of the published plan are no longer on their date, are on another unit, start
more than 30 minutes away from the published start, or 1-30 minutes away (which costs
nothing), and how many of the last are on routes whose stops are all unchanged.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def promised(problem: Any, plan: Any) -> Any:
    """``problem`` with every served visit's dates, units and starts promised as published."""
    dates: dict[str, set[date]] = {}
    units: dict[str, set[str]] = {}
    times: dict[str, dict[date, int]] = {}
    day_units: dict[str, dict[date, str]] = {}
    for route in plan.routes:
        for stop in route.stops:
            dates.setdefault(stop.visit_id, set()).add(route.date)
            units.setdefault(stop.visit_id, set()).add(route.unit_id)
            times.setdefault(stop.visit_id, {})[route.date] = stop.start
            day_units.setdefault(stop.visit_id, {})[route.date] = route.unit_id
    visits = tuple(
        replace(
            v,
            preferred_dates=frozenset(dates[v.id]),
            preferred_units=frozenset(units[v.id]),
            preferred_times=times[v.id],
            preferred_day_units=day_units[v.id],
        )
        if v.id in dates
        else v
        for v in problem.visits
    )
    return replace(problem, visits=visits)


def main(argv: list[str] | None = None) -> int:
    from planner import solver
    from planner.model import TIME_BAND
    from planner.schema import load_problem
    from planner.solver import SolveParams, solve
    from planner.validate import validate

    ap = argparse.ArgumentParser(prog="python -m benchmarks.replan", description=__doc__)
    ap.add_argument("--problem", default=str(REPO / "data" / "demo" / "week.json"))
    ap.add_argument("--time-limit", type=float, default=8.0)
    ap.add_argument("--seeds", default="2,3,4,5", help="the re-plans' seeds (the published plan: seed 1)")
    ap.add_argument("--from-scratch", action="store_true", help="the search does not start from the routes")
    ap.add_argument("--lose", default=None, metavar="UNIT:DATE", help="that unit-day is not available")
    args = ap.parse_args(argv)
    if args.from_scratch:
        solver._Model.start_routes = lambda self: None  # type: ignore[method-assign]
    problem = load_problem(args.problem)
    if args.lose:
        try:
            unit_id, day = args.lose.split(":")
            lost = date.fromisoformat(day)
        except ValueError:
            ap.error(f"--lose: UNIT:YYYY-MM-DD, e.g. car1:2026-12-10, not {args.lose!r}")
        if not any((u.unit_id, u.date) == (unit_id, lost) for u in problem.unit_days):
            ap.error(f"--lose: the problem has no unit-day {args.lose!r}")
    published = solve(problem, SolveParams(time_limit=args.time_limit, seed=1))
    told = promised(problem, published)
    if args.lose:
        days = []
        for u in told.unit_days:
            days.append(replace(u, available=False) if (u.unit_id, u.date) == (unit_id, lost) else u)
        told = replace(told, unit_days=tuple(days))

    def unserved(p: Any, plan: Any) -> int:
        return sum(p.visit(u.visit_id).priority for u in plan.unassigned)

    print(f"published (seed 1): {unserved(problem, published)} priority unserved", flush=True)
    was = {(s.visit_id, r.date): (r.unit_id, s.start) for r in published.routes for s in r.stops}
    routes_was = {(r.unit_id, r.date): [s.visit_id for s in r.stops] for r in published.routes}
    for seed in (int(x) for x in args.seeds.split(",")):
        again = solve(told, SolveParams(time_limit=args.time_limit, seed=seed))
        if validate(told, again):
            raise SystemExit(f"seed {seed}: the re-plan fails the validator (a bug)")
        now = {(s.visit_id, r.date): (r.unit_id, s.start) for r in again.routes for s in r.stops}
        gone = sum(1 for key in was if key not in now)
        unit = sum(1 for key, (u, _t) in was.items() if key in now and now[key][0] != u)
        moved = sum(1 for key, (_u, t) in was.items() if key in now and abs(now[key][1] - t) > TIME_BAND)
        shifted = sum(
            1 for key, (_u, t) in was.items() if key in now and 60 < abs(now[key][1] - t) <= TIME_BAND
        )
        same = [
            r for r in again.routes if routes_was.get((r.unit_id, r.date)) == [s.visit_id for s in r.stops]
        ]
        same_moved = sum(1 for r in same for s in r.stops if abs(was[(s.visit_id, r.date)][1] - s.start) > 60)
        how = "from scratch" if args.from_scratch else "from the published routes"
        print(
            f"seed {seed} ({how}): {unserved(told, again)} priority unserved; {gone} not on their date, "
            f"{unit} on another unit, {moved} starts moved > 30 min, {shifted} by 1-30 min "
            f"({same_moved} of them on the {len(same)} routes whose stops are unchanged)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
