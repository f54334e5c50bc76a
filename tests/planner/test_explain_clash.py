"""A «week full» reason that named lower-priority visits «served instead», though leaving them
out would not have made room: the visit's hours clash with a higher-priority one's that day
(found on the web desk: two evening visits that could not share the car)."""

from __future__ import annotations

from planner.model import HOUR, MINUTE, TimeWindow
from planner.validate import validate
from tests.planner.conftest import MON, NO_BREAK, hm, make_problem, make_visit, quick


def test_a_clash_with_a_higher_priority_visit_is_named_not_the_lower_ones() -> None:
    high = make_visit("hi", "kerpini", 90 * MINUTE, name="Υψηλή Π.", priority=3,
                      time_windows=(TimeWindow(hm(13), hm(13, 30)),))  # fmt: skip
    mid = make_visit("mid", "kalavryta", HOUR, name="Μεσαία Π.", priority=2,
                     time_windows=(TimeWindow(hm(13), hm(14)),))  # fmt: skip
    low = [
        make_visit(
            f"lo{i}",
            place,
            45 * MINUTE,
            name=f"Χαμηλή {i}.",
            priority=1,
            time_windows=(TimeWindow(hm(8), hm(11)),),
        )
        for i, place in enumerate(("rododafni", "temeni", "valimitika"))
    ]
    p = make_problem([high, mid, *low], dates=(MON,), day_defaults={**NO_BREAK})
    plan = quick(p, 2.0)
    assert validate(p, plan) == []
    served = {st.visit_id for r in plan.routes for st in r.stops}
    assert {"hi", "lo0", "lo1", "lo2"} <= served and "mid" not in served
    (u,) = plan.unassigned
    assert u.reason == "week_full"
    assert u.details["clashes_with"] == ["hi"]
    assert "cannot go with a visit of equal or higher priority served then (Υψηλή Π.)" in u.message_en
    assert "whatever else is left out" in u.message_en
    assert "Lower-priority visits were served instead" not in u.message_en
    assert "δεν συμβιβάζονται με επίσκεψη ίσης ή υψηλότερης προτεραιότητας" in u.message_el
    assert "(Υψηλή Π.)" in u.message_el


def test_an_evening_visit_in_a_week_without_a_pilot_day_is_told_it_needs_one() -> None:
    """«Widen the window or the shift» left the coordinator with nothing to do on the desk (the
    week's pilot day a holiday): an evening visit is told that only an extended-hours day serves
    it, and there is none."""
    evening = make_visit("eve", "temeni", HOUR, name="Βραδινή Π.", time_windows=(TimeWindow(hm(17), hm(19)),))
    p = make_problem([evening], dates=(MON,), day_defaults={**NO_BREAK})
    plan = quick(p, 1.0)
    (u,) = plan.unassigned
    assert u.reason == "no_time_in_shift"
    assert "only an extended-hours day (a pilot day) can serve it" in u.message_en
    assert "μόνο ημέρα με διευρυμένο ωράριο (πιλοτική ημέρα)" in u.message_el
    morning = make_visit("morn", "temeni", HOUR, time_windows=(TimeWindow(hm(6), hm(7)),))
    plan = quick(make_problem([morning], dates=(MON,), day_defaults={**NO_BREAK}), 1.0)
    (u,) = plan.unassigned
    assert u.reason == "no_time_in_shift" and "pilot" not in u.message_en
