"""Finding a settlement by name: Greek or Latin, any case and accents, official or everyday."""

from __future__ import annotations

from collections import defaultdict

import pytest

from planner.gazetteer import Settlement
from planner.register.places import Place, find_settlement, loose_key, name_variants, normalise

AIGIO, DIAKOPTO, ANO_DIAKOPTO = "3702010101", "3702040101", "3702040201"
LAKKA_AIGIOU, LAKKA_SYMPOLITEIAS = "3702010902", "3702061001"

Gazetteer = tuple[Settlement, ...]
Aliases = dict[str, tuple[str, ...]]


@pytest.mark.parametrize("query", ["Αίγιον", "Αίγιο", "AIGIO", "aigio", "ΑΙΓΙΟ", "αιγιο", " Aígio "])
def test_aigio_is_found_whatever_the_spelling(query: str, settlements: Gazetteer, aliases: Aliases) -> None:
    """Official, everyday, Latin, upper- and lower-case forms of Αίγιον all find it."""
    match = find_settlement(query, settlements, aliases)
    assert match.status == "found" and match.settlement is not None
    assert match.settlement.code == AIGIO and match.settlement.name_el == "Αίγιον"


@pytest.mark.parametrize("query", ["Διακοπτόν", "Διακοπτό", "Diakopto", "DIAKOPTON", "διακοπτο"])
def test_diakopto_is_found_in_its_official_and_everyday_forms(
    query: str, settlements: Gazetteer, aliases: Aliases
) -> None:
    """Διακοπτόν / Διακοπτό / Diakopto name the town, not Άνω Διακοπτόν."""
    match = find_settlement(query, settlements, aliases)
    assert match.settlement is not None and match.settlement.code == DIAKOPTO


@pytest.mark.parametrize(
    ("query", "official"),
    [
        ("Δάφνες", "Δάφναι"),
        ("Καμάρες", "Καμάραι"),
        ("Νεραντζιές", "Νεραντζιαί"),
        ("Πυργάκι", "Πυργάκιον"),
        ("Φτέρη", "Πτέρη"),
        ("Σελινούντας", "Σελινούς"),
        ("Mesorougi", "Μεσορρούγιον"),
        ("Άνω Διακοπτό", "Άνω Διακοπτόν"),
    ],
)
def test_everyday_forms_find_the_official_katharevousa_name(
    query: str, official: str, settlements: Gazetteer, aliases: Aliases
) -> None:
    """Demotic endings (-ες, -ιές, -ι, -ο), GeoNames names and loose spellings reach the official name."""
    match = find_settlement(query, settlements, aliases)
    assert match.settlement is not None and match.settlement.name_el == official


def test_lakka_is_ambiguous_and_names_both_municipal_units(settlements: Gazetteer, aliases: Aliases) -> None:
    """Two settlements are called Λάκκα: both are listed with their municipal units, none is guessed."""
    match = find_settlement("Λάκκα", settlements, aliases)
    assert match.status == "ambiguous" and match.settlement is None
    assert {s.code for s in match.candidates} == {LAKKA_AIGIOU, LAKKA_SYMPOLITEIAS}
    assert {s.municipal_unit for s in match.candidates} == {"Αιγίου", "Συμπολιτείας"}
    assert "Αιγίου" in match.message_el and "Συμπολιτείας" in match.message_el
    assert "matches 2 settlements" in match.message_en
    assert match.message.startswith(match.message_el)  # Greek first


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Λάκκα (Συμπολιτείας)", LAKKA_SYMPOLITEIAS),
        ("lakka, Aigio", LAKKA_AIGIOU),
        (LAKKA_AIGIOU, LAKKA_AIGIOU),
    ],
)
def test_municipal_unit_or_elstat_code_settles_the_ambiguity(
    query: str, code: str, settlements: Gazetteer, aliases: Aliases
) -> None:
    """Naming the municipal unit, or giving the ELSTAT code, picks one Λάκκα."""
    match = find_settlement(query, settlements, aliases)
    assert match.settlement is not None and match.settlement.code == code


def test_near_miss_is_not_found_and_suggests_diakopto(settlements: Gazetteer, aliases: Aliases) -> None:
    """A typo ("Diakopo") finds nothing but suggests Διακοπτόν first, at most three names."""
    match = find_settlement("Diakopo", settlements, aliases)
    assert match.status == "not_found" and match.settlement is None
    assert 1 <= len(match.suggestions) <= 3
    assert match.suggestions[0].code == DIAKOPTO
    assert "Μήπως εννοείτε Διακοπτόν" in match.message_el and "Did you mean Diakopton" in match.message_en


def test_nonsense_is_not_found_without_suggestions(settlements: Gazetteer) -> None:
    """A name like nothing in the gazetteer gets a plain not-found message in both languages."""
    match = find_settlement("Θεσσαλονίκη", settlements)
    assert match.status == "not_found" and match.suggestions == ()
    assert match.message == "Δεν βρέθηκε οικισμός «Θεσσαλονίκη». / No settlement 'Θεσσαλονίκη' was found."


def test_search_works_on_plain_places_without_a_database() -> None:
    """Any objects with code, names and municipal unit can be searched."""
    places = [Place("1", "Ελίκη", "Eliki", "Διακοπτού"), Place("2", "Τέμενη", "Temeni", "Αιγίου")]
    match = find_settlement("ELIKI", places)
    assert match.settlement == places[0]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Αίγιον", "aigion"),
        ("ΣΕΛΙΝΟΥΣ", "selinous"),
        ("Σελινούς", "selinous"),
        ("Πιμπαίϊκα", "pimpaiika"),
        ("Πεύκα", "pefka"),
        ("Ευαγγελίστρια", "evangelistria"),
        ("Κορινθιακό Μπαλκόνι", "korinthiako balkoni"),
        ("Άνω-Ζήρια", "ano ziria"),
        ("Aígio", "aigio"),
    ],
)
def test_normalise_strips_accents_folds_case_and_transliterates(text: str, key: str) -> None:
    """Final sigma, diaeresis, αυ/ευ, γγ, μπ and punctuation follow ELOT 743."""
    assert normalise(text) == key


def test_transliteration_agrees_with_elstat_latin_names(settlements: Gazetteer) -> None:
    """For all 140 settlements the Greek name's key equals the published ELOT Latin name's key."""
    assert [s.name_el for s in settlements if normalise(s.name_el) != normalise(s.name_latin)] == []


def test_only_lakka_shares_a_search_key(settlements: Gazetteer, aliases: Aliases) -> None:
    """Variant and loose keys make no new namesakes: the only shared key is the two Λάκκα."""
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for s in settlements:
        for name in (s.name_el, s.name_latin, *aliases.get(s.code, ())):
            for variant in name_variants(normalise(name)):
                owners[variant].add(s.code)
                owners[loose_key(variant)].add(s.code)
    shared = {k: codes for k, codes in owners.items() if len(codes) > 1}
    assert shared == {"lakka": {LAKKA_AIGIOU, LAKKA_SYMPOLITEIAS}, "laka": {LAKKA_AIGIOU, LAKKA_SYMPOLITEIAS}}


def test_an_empty_name_is_said_in_both_languages_alike(settlements: Gazetteer, aliases: Aliases) -> None:
    found = find_settlement("  ", settlements, aliases)
    assert found.settlement is None
    assert (found.message_el, found.message_en) == (
        "Δεν δόθηκε όνομα οικισμού.",
        "No settlement name was given.",
    )


def test_zachlorou_is_said_to_be_in_kalavryta_pointing_to_zachloritika(
    settlements: Gazetteer, aliases: Aliases
) -> None:
    """«Ζαχλωρού» (the rack railway's village, in the Municipality of Kalavryta): not found, said
    to be elsewhere, Ζαχλωρίτικα suggested; Καλάβρυτα is not «Καλαμιάς»."""
    m = find_settlement("Ζαχλωρού", settlements, aliases)
    assert m.status == "not_found" and [s.code for s in m.suggestions] == ["3702040501"]
    assert "Καλαβρύτων" in m.message_el and "Kalavryta" in m.message_en
    m = find_settlement("Καλάβρυτα", settlements, aliases)
    assert m.status == "not_found" and "Καλαμιάς" not in m.message_el
