"""problem.json settings found wrongly accepted (or wrongly refused) by reviewers: each is
refused naming its field in both languages, or read as meant."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from planner.cli import main
from planner.schema import SchemaError, problem_from_dict

FIXTURE = Path(__file__).parent / "fixtures" / "schema_problem.json"


@pytest.fixture
def doc() -> dict[str, Any]:
    """The schema's example problem (van1; 2026-12-07, a pilot 2026-12-09, 2026-12-11 off)."""
    return copy.deepcopy(json.loads(FIXTURE.read_text(encoding="utf-8")))


def refused(doc: dict[str, Any]) -> SchemaError:
    with pytest.raises(SchemaError) as info:
        problem_from_dict(doc)
    return info.value


def add_car(doc: dict[str, Any]) -> None:
    doc["units"].append({"id": "car1", "name": "Αυτοκίνητο", "base": "base"})


# --- a crew on a day off ------------------------------------------------------------------


def test_a_crew_on_an_unavailable_day_books_no_one(doc: dict[str, Any]) -> None:
    """sw1 listed on van1's day off and in car1's crew that date: it said «already in unit
    "van1"'s crew» (exit 2)."""
    add_car(doc)
    doc["days"].append({"date": "2026-12-08", "unit": "van1", "available": False, "crew": ["sw1"]})
    doc["days"].append({"date": "2026-12-08", "unit": "car1", "crew": ["sw1"]})
    problem = problem_from_dict(doc)
    assert [ud.unit_id for ud in problem.unit_days if ud.available and ud.date.day == 8] == ["car1"]


def test_a_crew_on_two_available_units_is_still_refused(doc: dict[str, Any]) -> None:
    add_car(doc)
    doc["days"].append({"date": "2026-12-08", "unit": "van1", "crew": ["sw1"]})
    doc["days"].append({"date": "2026-12-08", "unit": "car1", "crew": ["sw1"]})
    assert refused(doc).path == "days[4].crew[0]"


# --- a break window outside the shift -----------------------------------------------------


def test_a_default_break_window_after_the_shift_is_refused(doc: dict[str, Any], tmp_path: Path) -> None:
    """17:00-18:00 with the 08:00-16:00 shift: accepted, and every day capped at 6 h."""
    doc["defaults"]["break"] = {"window": ["17:00", "18:00"]}
    err = refused(doc)
    assert err.path == "defaults.break.window"
    assert "the break window 17:00-18:00 leaves no room for the break inside the shift 08:00-16:00" in str(
        err
    )
    assert "το παράθυρο διαλείμματος 17:00-18:00 δεν αφήνει χώρο για διάλειμμα" in str(err)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["plan", str(path), "-o", str(tmp_path / "plan.json")]) == 2


def test_a_days_break_window_outside_its_shift_is_refused(doc: dict[str, Any]) -> None:
    doc["days"][0]["break"] = {"window": ["06:00", "07:30"]}
    assert refused(doc).path == "days[0].break.window"


def test_a_break_window_ending_where_the_break_could_not_fit_is_refused(doc: dict[str, Any]) -> None:
    """A 30 min break starting 15:45 at the latest ends after a 16:00 shift end."""
    doc["defaults"]["break"] = {"window": ["15:45", "17:00"], "duration": 30}
    doc["days"] = [d for d in doc["days"] if "shift" not in d]  # the pilot day would fit it
    assert refused(doc).path == "defaults.break.window"


def test_a_break_window_that_fits_or_is_never_needed_is_read(doc: dict[str, Any]) -> None:
    """A window overlapping the shift; one outside a 6 h shift (no break is ever needed);
    no break rule; a day off."""
    doc["defaults"]["break"] = {"window": ["15:00", "18:00"]}
    problem_from_dict(doc)
    doc["defaults"]["break"] = {"window": ["17:00", "18:00"]}
    doc["defaults"]["shift"] = ["08:00", "14:00"]
    doc["days"] = [d for d in doc["days"] if "shift" not in d]
    problem_from_dict(doc)
    doc["defaults"]["shift"] = ["08:00", "16:00"]
    doc["defaults"]["max_work"] = 360
    problem_from_dict(doc)
    doc["defaults"]["max_work"] = 480
    doc["defaults"]["break"] = None
    problem_from_dict(doc)
    doc["defaults"]["break"] = {"window": ["12:00", "15:00"]}
    doc["days"].append(
        {"date": "2026-12-08", "unit": "van1", "available": False, "break": {"window": ["18:00", "19:00"]}}
    )
    problem_from_dict(doc)


# --- regular_end before the shift -----------------------------------------------------------


def test_a_regular_end_before_the_shift_is_refused(doc: dict[str, Any]) -> None:
    """07:00 for 17:00: the whole day charged as after-hours."""
    doc["defaults"]["regular_end"] = "07:00"
    err = refused(doc)
    assert err.path == "defaults.regular_end"
    assert "07:00 is before the shift starts (08:00)" in str(err)
    assert "το 07:00 είναι πριν αρχίσει η βάρδια (08:00)" in str(err)


def test_a_days_regular_end_before_its_shift_is_refused(doc: dict[str, Any]) -> None:
    doc["days"][1]["regular_end"] = "07:59"
    assert refused(doc).path == "days[1].regular_end"


def test_a_regular_end_at_or_after_the_shift_start_is_read(doc: dict[str, Any]) -> None:
    """At the start (all of it after-hours, on purpose); an evening day's inherited one."""
    doc["defaults"]["regular_end"] = "08:00"
    problem_from_dict(doc)
    doc["defaults"]["regular_end"] = "16:00"
    doc["days"].append({"date": "2026-12-10", "unit": "van1", "shift": ["17:00", "22:00"]})
    problem = problem_from_dict(doc)
    assert [ud.regular_end for ud in problem.unit_days if ud.date.day == 10] == [16 * 3600]
