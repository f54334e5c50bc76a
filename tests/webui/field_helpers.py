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


def demo_register(template: Path, target: Path) -> int:
    """A register with the gazetteer (copied from ``template``'s migrated schema is not enough:
    the demo needs an empty register), the demo register, the demo accounts and week 2026-W50
    planned (1 s) and published; returns the published version's id."""
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
