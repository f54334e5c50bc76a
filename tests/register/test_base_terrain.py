"""A unit's base takes the terrain of its settlement (it was always "plain")."""

from __future__ import annotations

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
