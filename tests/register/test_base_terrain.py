"""A unit's base takes the terrain of its settlement (it was always "plain")."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from planner.register import models as m
from planner.register.db import session_scope
from planner.register.week import build_week

W50 = "2026-W50"
PTERI = (38.146858, 22.070395)  # ELSTAT: mountainous


def _units(engine: Engine) -> dict[str, int]:
    with session_scope(engine, actor="test") as s:
        units = {
            # named after the settlement, at its point
            "pteri": m.Unit(name="Βαν Πτέρης", base_name="Πτέρη", base_lat=PTERI[0], base_lon=PTERI[1]),
            # a name that is no settlement's, 300 m from Πτέρη's point: the nearest settlement
            "near": m.Unit(
                name="Βαν Β",
                base_name="Αποθήκη του Δήμου",
                base_lat=PTERI[0] + 0.002,
                base_lon=PTERI[1] + 0.002,
            ),
            # the Community Centre in Aigio: plain, as before
            "aigio": m.Unit(name="Βαν Γ", base_name="Κέντρο Κοινότητας", base_lat=38.2498, base_lon=22.0816),
        }
        s.add_all(units.values())
        pteri = s.query(m.Settlement).filter_by(name_el="Πτέρη").one()
        s.add(  # something due, so that the week is built
            m.VillageStop(settlement_code=pteri.code, duration_min=60, announced_times=["10:00"],
                          frequency_kind="weekly", frequency_count=1, usual_weekday=3)
        )  # fmt: skip
        s.flush()
        return {k: u.id for k, u in units.items()}


def test_a_base_at_a_mountain_village_is_mountainous(loaded_engine: Engine) -> None:
    ids = _units(loaded_engine)
    with session_scope(loaded_engine) as s:
        built = build_week(s, W50)
    terrain = {u.id: u.base.terrain for u in built.problem.units}
    assert terrain[f"unit-{ids['pteri']}"] == "mountainous"
    assert terrain[f"unit-{ids['near']}"] == "mountainous"
    assert terrain[f"unit-{ids['aigio']}"] == "plain"


def test_a_week_published_with_a_plain_base_is_re_planned_with_it(
    loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A week published before bases took their settlement's terrain (its base "plain") and
    re-planned after: its kept routes' drives were measured from a plain base, and with the
    mountain base they no longer fit («the routes kept as published no longer fit the
    register»). The week keeps the terrain it was published with."""
    from datetime import date

    from planner.register import week
    from planner.register.week import plan_week, publish
    from planner.validate import validate

    ids = _units(loaded_engine)
    with session_scope(loaded_engine, actor="test") as s:
        for uid in (ids["near"], ids["aigio"]):
            unit = s.get(m.Unit, uid)
            assert unit is not None
            unit.active = False
        s.add(m.Staff(name="Μαρία Κ.", role="social_worker"))
        far = (
            s.query(m.Settlement).filter(m.Settlement.name_el != "Πτέρη").order_by(m.Settlement.code).first()
        )
        assert far is not None  # a stop away from the base: its drive depends on the base's terrain
        s.add(
            m.VillageStop(settlement_code=far.code, duration_min=60, announced_times=["11:30"],
                          frequency_kind="weekly", frequency_count=1, usual_weekday=3)
        )  # fmt: skip
    with monkeypatch.context() as older:  # the Kinito that published it: every base plain
        older.setattr(week, "base_terrain", lambda unit, settlements: "plain")
        first = plan_week(loaded_engine, W50, time_limit=0.5, workers=1, today=date(2026, 12, 1))
    publish(loaded_engine, first.plan_version_id)
    served = sorted(r.date for r in first.plan.routes if r.stops)
    assert served
    second = plan_week(loaded_engine, W50, time_limit=0.5, workers=1, today=served[-1])
    assert {u.base.terrain for u in second.problem.units} == {"plain"}
    assert validate(second.problem, second.plan) == []
    # a week never published takes the settlement's terrain
    third = plan_week(loaded_engine, "2026-W51", time_limit=0.5, workers=1, today=date(2026, 12, 1))
    assert {u.base.terrain for u in third.problem.units} == {"mountainous"}
