"""The Aigialeia settlements gazetteer (real ELSTAT 2011 data) read by planner.gazetteer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from planner.gazetteer import (
    BASE_DEFAULT,
    SETTLEMENTS_CSV,
    Settlement,
    load_settlements,
    settlement_location,
    settlements_by_code,
)
from planner.model import TERRAINS, Location


@pytest.fixture(scope="module")
def settlements() -> tuple[Settlement, ...]:
    return load_settlements()


def test_gazetteer_has_the_140_elstat_settlements(settlements: tuple[Settlement, ...]) -> None:
    """Every ELSTAT settlement of the municipality, each with a unique 10-digit code."""
    assert len(settlements) == 140
    codes = [s.code for s in settlements]
    assert len(set(codes)) == 140
    assert all(len(c) == 10 and c.isdigit() and c.startswith("3702") for c in codes)


def test_population_sums_to_the_official_2011_total(settlements: tuple[Settlement, ...]) -> None:
    """The 2011 resident populations add up to the municipality's 49,872."""
    assert sum(s.population for s in settlements) == 49_872


def test_six_municipal_units_with_their_settlement_counts(settlements: tuple[Settlement, ...]) -> None:
    """Six municipal units, with the settlement counts of SOURCES.md."""
    assert Counter(s.municipal_unit for s in settlements) == {
        "Αιγίου": 32,
        "Αιγείρας": 16,
        "Ακράτας": 29,
        "Διακοπτού": 23,
        "Ερινεού": 19,
        "Συμπολιτείας": 21,
    }


def test_two_places_named_lakka_in_different_units(settlements: tuple[Settlement, ...]) -> None:
    """Names are not a key: there are two Λάκκα, in Αιγίου and in Συμπολιτείας."""
    lakka = [s for s in settlements if s.name_el == "Λάκκα"]
    assert len(lakka) == 2
    assert {s.municipal_unit for s in lakka} == {"Αιγίου", "Συμπολιτείας"}
    assert lakka[0].code != lakka[1].code


def test_terrain_values_are_the_engine_classes(settlements: tuple[Settlement, ...]) -> None:
    """ELSTAT's plain / semi-mountainous / mountainous map onto the engine's terrain classes."""
    counts = Counter(s.terrain for s in settlements)
    assert set(counts) <= set(TERRAINS)
    assert counts == {"mountainous": 82, "semi_mountainous": 33, "plain": 25}


def test_coordinates_and_elevations_are_in_aigialeia(settlements: tuple[Settlement, ...]) -> None:
    """Every point lies in the municipality's box, from sea level up to Άνω Μεσορρούγι (1,494 m)."""
    for s in settlements:
        assert 37.9 < s.lat < 38.35, s
        assert 21.85 < s.lon < 22.4, s
        assert 0 <= s.elevation_m <= 1_500, s
    assert max(s.elevation_m for s in settlements) == 1_494


def test_aigion_is_the_town_and_its_location(settlements: tuple[Settlement, ...]) -> None:
    """Αίγιον: ELSTAT code 3702010101, 20,422 residents, plain, and its engine Location."""
    aigion = settlements_by_code(settlements)["3702010101"]
    assert aigion.name_el == "Αίγιον"
    assert aigion.name_latin == "Aigion"
    assert aigion.municipal_unit == "Αιγίου"
    assert aigion.population == 20_422
    assert aigion.terrain == "plain"
    loc = settlement_location(aigion)
    assert loc == Location("set-3702010101", 38.249786, 22.081621, "Αίγιον", "plain")


def test_base_default_is_the_aigion_point() -> None:
    """The default base stands in at the ELSTAT point of Αίγιον (the office address is unknown)."""
    assert (BASE_DEFAULT.lat, BASE_DEFAULT.lon) == (38.249786, 22.081621)
    assert BASE_DEFAULT.terrain == "plain"
    assert BASE_DEFAULT.id == "base"


def test_settlement_is_frozen(settlements: tuple[Settlement, ...]) -> None:
    """Settlements are immutable records."""
    with pytest.raises(AttributeError):
        settlements[0].population = 0  # type: ignore[misc]


def test_default_path_is_the_repository_data_folder() -> None:
    """The gazetteer is found next to the package, whatever the working directory."""
    assert Path(__file__).resolve().parents[2] / "data" / SETTLEMENTS_CSV.name == SETTLEMENTS_CSV
    assert SETTLEMENTS_CSV.is_file()


def test_missing_file_gives_a_clear_error(tmp_path: Path) -> None:
    """A missing gazetteer names the path and the expected file."""
    with pytest.raises(FileNotFoundError, match=r"aigialeia_settlements_extended\.csv"):
        load_settlements(tmp_path / "nope.csv")


def test_unknown_terrain_is_refused_with_its_line(tmp_path: Path) -> None:
    """A terrain word the engine does not know is refused, naming the line."""
    text = SETTLEMENTS_CSV.read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace(",plain,", ",hilly,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv, line 4: community_terrain 'hilly'"):
        load_settlements(bad)
