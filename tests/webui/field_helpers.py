"""Helpers of the driver's and management's tests: registers with a published week."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from webui_helpers import MON

from planner.register.db import make_engine, session_scope
from planner.register.demo import load_demo
from planner.register.week import plan_week, publish
from webui.demo_users import ensure_demo_users

WEEK = "2026-W50"
TODAY = MON  # Monday 7 December 2026: the published week's first day is "today"
TODAY_STOPS = ("cp-1", "cp-3", "vs-1")  # pinned to Monday: three stops on the driver's route
DEMO_REFERENCE = date(2026, 12, 7)


def publish_week(template: Path, target: Path) -> int:
    """Copy the test register and publish week 2026-W50 in it with three stops on Monday;
    returns the published plan version's id."""
    shutil.copy(template, target)
    engine = make_engine(target)
    try:
        result = plan_week(
            engine, WEEK, time_limit=1.0, workers=1, actor="fixture",
            pins={visit: (TODAY, None) for visit in TODAY_STOPS},
        )  # fmt: skip
        publish(engine, result.plan_version_id, actor="fixture")
    finally:
        engine.dispose()
    return result.plan_version_id


def demo_register(target: Path) -> int:
    """A new register with the gazetteer, the demo register (reference 7 December 2026: eight
    weeks of history, W42-W49), the demo accounts and week 2026-W50 planned (1 s) and
    published; returns the published version's id."""
    from planner.register.migrate import upgrade
    from planner.register.settlements import load_gazetteer

    engine = make_engine(target)
    try:
        upgrade(engine)
        with session_scope(engine, actor="fixture") as s:
            load_gazetteer(s)
            load_demo(s, reference=DEMO_REFERENCE)
            ensure_demo_users(s)
        result = plan_week(engine, WEEK, time_limit=1.0, workers=1, actor="fixture")
        publish(engine, result.plan_version_id, actor="fixture")
    finally:
        engine.dispose()
    return result.plan_version_id


_DEMO: dict[str, tuple[Path, int]] = {}


def demo_template(folder: Path) -> tuple[Path, int]:
    """The demo register with W50 published, built once per test run (``folder`` the first
    caller's temporary folder); copy it before changing it."""
    if "path" not in _DEMO:
        path = folder / "demo.sqlite3"
        _DEMO["path"] = (path, demo_register(path))
    return _DEMO["path"]
