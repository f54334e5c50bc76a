"""Fixes to the shipped data and its generator: holidays and bad weeks in the demo generator,
and settlements people type that lie outside the municipality."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from planner.gazetteer import OUTSIDE_PLACES, load_settlements, outside_note, settlements_by_code

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kinito_demo_generate_fixes", DEMO / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


# --- the demo generator ---------------------------------------------------------------------


def test_christmas_week_closes_christmas_day(tmp_path: Path) -> None:
    """2026-W52: 25 December is a closed day for both units, with its name, and nothing is
    pinned to it or announced on it (the reviewer found a visit pinned to Christmas Day)."""
    out = tmp_path / "w52.json"
    assert gen.main(["--week", "2026-W52", "-o", str(out), "-q"]) == 0
    problem: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    christmas = [d for d in problem["days"] if d["date"] == "2026-12-25"]
    assert {d["unit"] for d in christmas} == {"van1", "car1"}
    for d in christmas:
        assert d["available"] is False and "crew" not in d and d["note"] == "Χριστούγεννα"
    visits = problem["visits"]
    pins = [v["pinned_date"] for v in visits if "pinned_date" in v]
    assert len(pins) == gen.N_PINNED and "2026-12-25" not in pins
    assert all(v.get("preferred_weekday") != "fri" for v in visits)
    # the other days are working days with their crews
    open_days = [d for d in problem["days"] if d["date"] != "2026-12-25"]
    assert len(open_days) == 8 and all(d.get("crew") for d in open_days)
    schema = pytest.importorskip("planner.schema")
    loaded = schema.load_problem(out)
    assert sum(ud.available for ud in loaded.unit_days) == 8


def test_aigio_local_holiday_is_closed_too() -> None:
    """Bright Friday 2027 (7 May), Aigio's patron saint, closes the day as the register does."""
    problem = gen.build_problem(7, "2027-W18")
    closed = {d["date"]: d["note"] for d in problem["days"] if d.get("available") is False}
    assert set(closed) == {"2027-05-03", "2027-05-04", "2027-05-07"}  # Easter Monday, May Day moved
    assert "Τρυπητή" in closed["2027-05-07"]


def test_default_week_is_unchanged() -> None:
    """The committed week (no holiday in 2026-W50) is still exactly what the generator writes."""
    fresh = gen.render(gen.build_problem(gen.DEFAULT_SEED, gen.DEFAULT_WEEK))
    assert (DEMO / "week.json").read_text(encoding="utf-8") == fresh
    assert all("available" not in d for d in json.loads(fresh)["days"])


@pytest.mark.parametrize("week", ["2026-W54", "2026-52", "2026-W5", "1899-W10"])
def test_bad_week_is_a_usage_error(week: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A week that is not an ISO week is argparse's usage error (exit 2), not a traceback."""
    with pytest.raises(SystemExit) as exc:
        gen.main(["--week", week, "-o", str(tmp_path / "x.json"), "-q"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage:") and f"error: week '{week}'" in err
    assert not (tmp_path / "x.json").exists()


# --- places outside the municipality ------------------------------------------------------


@pytest.mark.parametrize("typed", ["Ζαχλωρού", "ζαχλωρου", "ΖΑΧΛΩΡΟΥ", "Zachlorou", " Ζαχλωρού "])
def test_zachlorou_points_to_zachloritika(typed: str) -> None:
    """«Ζαχλωρού» is in the Municipality of Kalavryta: the note says so in both languages and
    suggests Aigialeia's Ζαχλωρίτικα, by its ELSTAT code."""
    note = outside_note(typed)
    assert note is not None
    el, en, code = note
    assert "Δήμο Καλαβρύτων" in el and "Ζαχλωρίτικα (Δ.Ε. Διακοπτού, 3702040501)" in el
    assert el.endswith(";")
    assert (
        "Municipality of Kalavryta" in en and "Zachloritika (municipal unit of Διακοπτού, 3702040501)" in en
    )
    assert code == "3702040501"


def test_kalavryta_is_said_to_be_outside() -> None:
    """«Καλάβρυτα» (not Καλαμιάς, the nearest spelling) is a town of another municipality."""
    note = outside_note("Καλάβρυτα")
    assert note is not None
    el, en, code = note
    assert "Δήμο Καλαβρύτων" in el and "Municipality of Kalavryta" in en
    assert code is None and "Μήπως" not in el and "Did you mean" not in en


def test_places_in_aigialeia_have_no_note() -> None:
    """A settlement of the municipality, or a name nobody knows, gets no outside note."""
    assert outside_note("Ζαχλωρίτικα") is None
    assert outside_note("Αίγιο") is None
    assert outside_note("Ξυζ") is None


def test_outside_table_agrees_with_the_gazetteer() -> None:
    """Every near-miss named in the table is a settlement of the gazetteer with that name; no
    outside place is itself in the gazetteer."""
    by_code = settlements_by_code(load_settlements())
    names = {s.name_el for s in by_code.values()}
    for place in OUTSIDE_PLACES:
        assert place.name_el not in names
        if place.meant_code is not None:
            assert by_code[place.meant_code].name_el == place.meant_name_el
