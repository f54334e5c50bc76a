"""A planning job's child process: ``python -m webui.planjob`` with the job as JSON on stdin.

The job names the register's database, the ISO week, the actor, the time limit, seed and
workers. The week is built and solved by :func:`planner.register.week.plan_week`, which
stores a new draft plan version; with a ``problem`` document instead (tools and tests), that
problem is solved, checked by the validator and stored as the week's next draft version.

Output, one JSON object per line on stdout: ``{"progress": {...}}`` while the search runs
(one with ``"stage": "explain"`` and ``"unassigned"`` when the visits it leaves out are explained),
then ``{"done": {"plan_version_id", "version", "served", "wanted", "objective"}}``, or
``{"error": "..."}`` and a non-zero exit (``"expected": true`` when the error is the week
builder's own message to the coordinator, in Greek and English, not a fault).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from datetime import date
from typing import Any

from planner import explain
from planner.model import Plan, Problem, Route
from planner.solver import Progress

__all__ = ["main", "store_problem_plan"]


def _emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


# the search's last report and when it came (time.monotonic()), for the stage after it
_last: dict[str, Any] = {}


def _progress(p: Progress) -> None:
    _last["progress"], _last["at"] = p, time.monotonic()
    _emit({"progress": asdict(p)})


def _explaining(unassigned: int, served: int, wanted: int) -> None:
    """The search is over and its ``unassigned`` visits are explained (on a week of a thousand of
    them the desk read «checking and storing» for half a minute): the "explain" stage, on the
    search's clock (``elapsed`` goes on from its last report), with the count as ``unassigned``."""
    last: Progress | None = _last.get("progress")
    elapsed = 0.0 if last is None else round(last.elapsed + time.monotonic() - _last["at"], 1)
    objective = 0 if last is None else last.objective
    report = Progress(elapsed, objective, served, wanted, "explain")
    _emit({"progress": {**asdict(report), "unassigned": unassigned}})


def _served(plan: Plan) -> int:
    return sum(len(r.stops) for r in plan.routes)


def store_problem_plan(
    database_url: str,
    iso_week: str,
    problem: Problem,
    plan: Plan,
    actor: str,
    *,
    unit_set: str | None = None,
    base_plan_version_id: int | None = None,
) -> tuple[int, int]:
    """Store ``plan`` (of ``problem``) as the next draft version of ``iso_week``; (id, version).

    ``unit_set`` defaults to the problem's unit ids; with ``base_plan_version_id`` (an
    adjustment of that version) the summary lists the changes against it, in both languages.
    """
    from sqlalchemy import func, select

    from planner.register.db import make_engine, session_scope
    from planner.register.models import PlanVersion
    from planner.schema import plan_to_dict, problem_to_dict
    from webui.adjust import plan_changes

    unit_set = unit_set or ",".join(sorted(u.id for u in problem.units))
    engine = make_engine(database_url)
    try:
        with session_scope(engine, actor=actor) as s:
            last = s.scalar(
                select(func.max(PlanVersion.version)).where(
                    PlanVersion.iso_week == iso_week, PlanVersion.unit_set == unit_set
                )
            )
            summary: dict[str, Any] = {"served": _served(plan), "unassigned": len(plan.unassigned)}
            if base_plan_version_id is not None:
                base, old_plan, old_problem = _base_version(s, base_plan_version_id)
                changes = plan_changes(old_plan, old_problem, plan, problem)
                summary["base_version"] = base.version
                summary["changes"] = [{"el": c.el, "en": c.en} for c in changes]
                # the visits removed by hand in Adjust, since the published version too (the
                # base's own): compared with it, the page says «removed», not «no longer asked for»
                gone = {v.id for v in old_problem.visits} - {v.id for v in problem.visits}
                summary["removed"] = sorted(gone | set((base.summary or {}).get("removed") or []))
            row = PlanVersion(
                iso_week=iso_week,
                unit_set=unit_set,
                version=(last or 0) + 1,
                status="draft",
                plan_json=json.dumps(plan_to_dict(plan, problem), ensure_ascii=False, indent=1),
                problem_json=json.dumps(problem_to_dict(problem), ensure_ascii=False, indent=1),
                summary=summary,
                created_by=actor,
            )
            s.add(row)
            s.flush()
            return row.id, row.version
    finally:
        engine.dispose()


def _keep_past(
    spec: dict[str, Any], problem: Problem, today: date
) -> tuple[Problem, Problem, tuple[Route, ...]]:
    """(the problem to store, the problem to solve, the routes kept): an adjustment of a stored
    version plans nothing before ``today`` and, when the week has a published version, keeps
    that one's routes of the days before and of today as they were (the drivers drove them and
    may have recorded outcomes on them), whichever version is adjusted: a draft's own past
    routes were never driven. See :func:`planner.register.week.keep_past`."""
    from planner.register.db import make_engine, session_scope
    from planner.register.week import keep_past, published_for

    base_id = spec.get("base_plan_version_id")
    if base_id is None:
        return keep_past(problem, None, None, today)
    engine = make_engine(spec["database_url"])
    try:
        with session_scope(engine) as s:
            base, old_plan, old_problem = _base_version(s, base_id)
            if base.status != "published":
                driven = published_for(s, base.iso_week, base.unit_set)
                if driven is None:  # nothing published: no driver has seen a route of the week
                    return keep_past(problem, None, None, today)
                _row, old_plan, old_problem = _base_version(s, driven.id)
    finally:
        engine.dispose()
    return keep_past(problem, old_problem, old_plan, today)


def _base_version(s: Any, pv_id: int) -> tuple[Any, Plan, Problem]:
    """The stored version ``pv_id`` (a row), its plan and its problem; ValueError if none."""
    from planner.register.models import PlanVersion
    from planner.schema import plan_from_dict, problem_from_dict

    base = s.get(PlanVersion, pv_id)
    if base is None or not base.problem_json:
        raise ValueError(f"plan version {pv_id} not found")
    return base, plan_from_dict(json.loads(base.plan_json)), problem_from_dict(json.loads(base.problem_json))


def _database_trouble(exc: BaseException) -> str | None:
    """A database error in words, without the SQL and its parameters (which hold the plan and
    people's addresses): None for other errors."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    cause = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
    return (
        f"Το μητρώο δεν δέχτηκε το πλάνο ({cause}): δεν αποθηκεύτηκε τίποτα. Ελέγξτε ότι το αρχείο "
        "της βάσης μπορεί να γραφτεί και ότι υπάρχει χώρος στον δίσκο, και ξεκινήστε ξανά τον "
        f"προγραμματισμό. / The register did not accept the plan ({cause}): nothing was stored. "
        "Check that the database file is writable and the disk has room, then plan again."
    )


# What the administrator can set for the web desk's roads: the planning job reads no settings
# file, only the environment of `kinito serve` (see docs/roads.md, "The web desk").
_ROADS_ADMIN_EL = (
    "ζητήστε από τον διαχειριστή να ρυθμίσει τους δρόμους του διακομιστή: τη μεταβλητή περιβάλλοντος "
    "KINITO_ROADS του `kinito serve` (απόσπασμα OSM που καλύπτει αυτές τις θέσεις, ή διακομιστής OSRM), "
    "ή KINITO_ROADS=off για την ενσωματωμένη εκτίμηση"
)
_ROADS_ADMIN_EN = (
    "ask the administrator to set the server's roads: the KINITO_ROADS environment variable of "
    "`kinito serve` (an OSM extract covering these places, or an OSRM server), or KINITO_ROADS=off "
    "for the embedded estimate"
)
_LIMIT = 8


def _plain(text: str) -> str:
    """A piece of a "Greek / English" message that must not hold the separator itself."""
    return text.replace(" / ", "/").replace("\n", " ")


def _roads_trouble(exc: BaseException) -> str | None:
    """A road model's error (places with no road between them, a routing server failing) as
    one "Greek / English" message for the coordinator, each place once, with what to do:
    None for other errors. (The roads' modules are looked at only when they were loaded.)"""
    if "planner.roads.travel" in sys.modules:
        from planner.roads.travel import UnreachableError

        if isinstance(exc, UnreachableError):
            return _unreachable_message(exc)
    if "planner.roads.osrm" in sys.modules:
        from planner.roads.osrm import RoutingServerError

        if isinstance(exc, RoutingServerError):
            el, _sep, en = str(exc).partition(" / ")
            el, en = _plain(el.rstrip(". ")), _plain((en or el).rstrip(". "))
            server_el = "ζητήστε από τον διαχειριστή να ελέγξει τον διακομιστή δρόμων"
            server_en = "ask the administrator to check the routing server"
            return (
                f"Ο προγραμματισμός σταμάτησε: {el}. Δεν αποθηκεύτηκε τίποτα· {server_el} (η μεταβλητή "
                f"KINITO_ROADS του `kinito serve`· KINITO_ROADS=off: η ενσωματωμένη εκτίμηση). / "
                f"Planning stopped: {en}. Nothing was stored; {server_en} (the KINITO_ROADS variable of "
                "`kinito serve`; KINITO_ROADS=off: the embedded estimate)."
            )
    return None


def _unreachable_message(exc: Any) -> str:
    """:func:`_roads_trouble` for an UnreachableError: the places off every road once, then
    the other pairs (at most eight of each), « · » between them in Greek and «; » in English
    (a place's name holds a comma: «Παπαδοπούλου Μαρία, Πτέρη»)."""
    names: dict[str, str] = getattr(exc, "names", {})

    def name(pid: str) -> str:
        return _plain(names.get(pid, pid))

    off = list(dict.fromkeys(exc.off_network))
    pairs = [u for u in exc.pairs if not (u.reason == "off_network" and (u.from_id in off or u.to_id in off))]
    parts_el: list[str] = []
    parts_en: list[str] = []
    if off:
        more = f" (+{len(off) - _LIMIT})" if len(off) > _LIMIT else ""
        parts_el.append("Μακριά από κάθε δρόμο: " + " · ".join(name(p) for p in off[:_LIMIT]) + more + ".")
        parts_en.append("Far from every road: " + "; ".join(name(p) for p in off[:_LIMIT]) + more + ".")
    if pairs:
        more = f" (+{len(pairs) - _LIMIT})" if len(pairs) > _LIMIT else ""
        shown = pairs[:_LIMIT]
        parts_el.append(
            "Χωρίς δρόμο: "
            + " · ".join(f"{name(u.from_id)} → {name(u.to_id)} ({_plain(u.message_el)})" for u in shown)
            + more
            + "."
        )
        parts_en.append(
            "No road: "
            + "; ".join(f"{name(u.from_id)} → {name(u.to_id)} ({_plain(u.message_en)})" for u in shown)
            + more
            + "."
        )
    return (
        f"Ο προγραμματισμός σταμάτησε: {len(exc.pairs)} ζεύγη θέσεων της εβδομάδας δεν ενώνονται με "
        f"δρόμο. {' '.join(parts_el)} Δεν αποθηκεύτηκε τίποτα. Ελέγξτε τις συντεταγμένες αυτών των "
        f"θέσεων στο μητρώο· αν είναι σωστές, {_ROADS_ADMIN_EL}. / "
        f"Planning stopped: {len(exc.pairs)} pairs of the week's places have no road between them. "
        f"{' '.join(parts_en)} Nothing was stored. Check these places' coordinates in the register; "
        f"if they are right, {_ROADS_ADMIN_EN}."
    )


def main() -> int:
    """Run the job read from stdin."""
    spec = json.loads(sys.stdin.read())
    _last.clear()
    token = explain.listen(_explaining)
    try:
        return _job(spec)
    finally:
        explain.unlisten(token)


def _job(spec: dict[str, Any]) -> int:
    """:func:`main` for the job ``spec``."""
    try:
        from planner.register.calendar import today as calendar_today

        today = date.fromisoformat(spec["today"]) if spec.get("today") else calendar_today()
        if spec.get("problem") is not None:
            from planner.schema import problem_from_dict
            from planner.solver import SolveParams, solve
            from planner.validate import validate

            problem = problem_from_dict(spec["problem"])
            params = SolveParams(time_limit=float(spec["time_limit"]), seed=int(spec["seed"]),
                                 workers=int(spec["workers"]))  # fmt: skip
            problem, to_solve, kept = _keep_past(spec, problem, today)
            plan = solve(to_solve, params, _progress)
            if to_solve is not problem:
                from planner.register.week import merge_kept

                plan = merge_kept(kept, plan, problem)
            violations = validate(problem, plan)
            if violations:
                raise RuntimeError(f"the plan fails the validator: {violations[0]}")
            pv_id, version = store_problem_plan(
                spec["database_url"], spec["iso_week"], problem, plan, spec["actor"],
                unit_set=spec.get("unit_set"), base_plan_version_id=spec.get("base_plan_version_id"),
            )  # fmt: skip
        else:
            from planner.register.db import make_engine
            from planner.register.week import plan_week
            from planner.roads.cli import configured_travel

            # real roads when the server is configured for them ($KINITO_ROADS), as kinito week;
            # the job reads no settings file ([roads] of a --config is the command line's)
            travel, _sentence = configured_travel(None, None)
            engine = make_engine(spec["database_url"])
            try:
                result = plan_week(
                    engine,
                    spec["iso_week"],
                    time_limit=float(spec["time_limit"]),
                    seed=int(spec["seed"]),
                    workers=int(spec["workers"]),
                    actor=spec["actor"],
                    on_progress=_progress,
                    travel=travel,
                    today=today,
                )
            finally:
                engine.dispose()
            problem, plan = result.problem, result.plan
            pv_id, version = result.plan_version_id, result.version
    except Exception as exc:  # reported to the desk as the job's error, in one line
        from planner.register.week import WeekError

        roads = _roads_trouble(exc)
        if isinstance(exc, WeekError):  # the register's own words, "Greek / English"
            _emit({"error": str(exc), "expected": True})
        elif roads is not None:
            _emit({"error": roads, "expected": True})
        elif (database := _database_trouble(exc)) is not None:
            _emit({"error": database, "expected": True})
        else:
            _emit({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    wanted = sum(v.frequency for v in problem.visits)
    _emit({"done": {"plan_version_id": pv_id, "version": version, "served": _served(plan),
                    "wanted": wanted, "objective": plan.objective}})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
