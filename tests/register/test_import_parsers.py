"""The cell readers of the importer: phones, dates, frequencies, weekdays, time windows, groups."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from planner.register.importer import (
    CellError,
    format_frequency,
    normalise_phone,
    parse_date,
    parse_frequency,
    parse_priority_groups,
    parse_time_windows,
    parse_weekdays,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("6912345678", "+306912345678"),
        ("+30 691 234 5678", "+306912345678"),
        ("0030-6912345678", "+306912345678"),
        ("2691 0 12345", "+302691012345"),
        ("(2691) 012.345", "+302691012345"),
        (6912345678, "+306912345678"),
        (6912345678.0, "+306912345678"),
        (306912345678, "+306912345678"),  # Excel dropped the zeros of 0030
        ("", None),
        (None, None),
    ],
)
def test_greek_phone_numbers_are_normalised_to_plus_30(cell: object, expected: str | None) -> None:
    """Spaces, dashes, brackets and +30/0030 go; a number cell from Excel is read as digits."""
    assert normalise_phone(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cell", ["691234567", "69123456789", "1234567890", "6812345678", "+44 2071234567", "τηλ"]
)
def test_phone_numbers_that_are_not_greek_are_refused(cell: str) -> None:
    """10 digits, a landline 2xxxxxxxxx or a mobile 69xxxxxxxx, nothing else."""
    with pytest.raises(CellError, match="τηλέφωνο"):
        normalise_phone(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("02/11/2026", date(2026, 11, 2)),
        ("2/1/2026", date(2026, 1, 2)),
        ("02.11.2026", date(2026, 11, 2)),
        ("2026-11-02", date(2026, 11, 2)),
        (datetime(2026, 11, 2), date(2026, 11, 2)),
        ("", None),
    ],
)
def test_dates_are_day_first(cell: object, expected: date | None) -> None:
    """dd/mm/yyyy first, ISO and spreadsheet dates too."""
    assert parse_date(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["31/02/2026", "13/13/2026", "11/2026", "tomorrow", "02/11/26"])
def test_impossible_or_unreadable_dates_are_refused(cell: str) -> None:
    """A date that does not exist or is not dd/mm/yyyy is an error, never a guess."""
    with pytest.raises(CellError):
        parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("εβδομαδιαία", ("weekly", 1)),
        ("Κάθε εβδομάδα", ("weekly", 1)),
        ("2 φορές την εβδομάδα", ("weekly", 2)),
        ("δύο φορές την εβδομάδα", ("weekly", 2)),
        ("2/εβδομάδα", ("weekly", 2)),
        ("twice a week", ("weekly", 2)),
        ("weekly", ("weekly", 1)),
        ("κάθε 2 εβδομάδες", ("every_n_weeks", 2)),
        ("ανά 3 εβδομάδες", ("every_n_weeks", 3)),
        ("every 4 weeks", ("every_n_weeks", 4)),
        ("δεκαπενθήμερη", ("every_n_weeks", 2)),
        ("fortnightly", ("every_n_weeks", 2)),
        ("μηνιαία", ("monthly", 1)),
        ("Μία φορά το μήνα", ("monthly", 1)),
        ("2 φορές τον μήνα", ("monthly", 2)),
        ("monthly", ("monthly", 1)),
        ("3 times a month", ("monthly", 3)),
        # the number after «κάθε» / «ανά» is the interval (a walkthrough: the first number was
        # taken, so these five were read as weekly: twice the visits)
        ("1 φορά κάθε 2 εβδομάδες", ("every_n_weeks", 2)),
        ("μία φορά κάθε δύο εβδομάδες", ("every_n_weeks", 2)),
        ("1 επίσκεψη ανά 2 εβδομάδες", ("every_n_weeks", 2)),
        ("κάθε δεύτερη εβδομάδα", ("every_n_weeks", 2)),
        ("κάθε 2η εβδομάδα", ("every_n_weeks", 2)),
        ("κάθε τρίτη εβδομάδα", ("every_n_weeks", 3)),
        ("every other week", ("every_n_weeks", 2)),
        ("2 φορές ανά εβδομάδα", ("weekly", 2)),
        ("κάθε μήνα", ("monthly", 1)),
        # «Τρίτη» and «Τετάρτη» are weekdays too: an ordinal only before «εβδομάδα» / «μήνα»
        ("εβδομαδιαία, κάθε Τετάρτη", ("weekly", 1)),
        ("κάθε Τρίτη, εβδομαδιαία", ("weekly", 1)),
        ("κάθε τέταρτη εβδομάδα", ("every_n_weeks", 4)),
    ],
)
def test_readable_frequencies_become_the_models_kind_and_count(cell: str, expected: tuple[str, int]) -> None:
    """Greek and English words, with a count in digits or words."""
    assert parse_frequency(cell) == expected


@pytest.mark.parametrize(
    ("kind", "count"), [("weekly", 1), ("weekly", 3), ("every_n_weeks", 2), ("monthly", 1), ("monthly", 2)]
)
def test_formatted_frequency_reads_back(kind: str, count: int) -> None:
    """What the export writes, the import reads."""
    assert parse_frequency(format_frequency(kind, count)) == (kind, count)


@pytest.mark.parametrize(
    "cell",
    [
        "συχνά",
        "often",
        "κάθε 2 μήνες",
        "9 φορές την εβδομάδα",
        "εβδομάδα και μήνα",
        "",
        "1 φορά κάθε 2 μήνες",
        "2 φορές κάθε 2 εβδομάδες",
        "2η εβδομάδα",
        "κάθε 15 ημέρες",
    ],
)
def test_unknown_or_out_of_range_frequencies_are_refused(cell: str) -> None:
    """No guessing: an unreadable frequency is an error."""
    with pytest.raises(CellError):
        parse_frequency(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Δευτέρα, Τετάρτη", [1, 3]),
        ("ΔΕΥ;ΠΑΡ", [1, 5]),
        ("Δευ-Πεμ", [1, 2, 3, 4]),
        ("Mon - Wed", [1, 2, 3]),
        ("Tue/Thu", [2, 4]),
        ("Τρίτη και Πέμπτη", [2, 4]),
        ("Παρ.", [5]),
        ("καθημερινές", [1, 2, 3, 4, 5]),
        ("", []),
    ],
)
def test_weekdays_in_greek_or_english_names_and_abbreviations(cell: str, expected: list[int]) -> None:
    """ISO numbers come out, sorted."""
    assert parse_weekdays(cell) == expected


@pytest.mark.parametrize("cell", ["Δευτ-Κυρ-Σαβ", "Funday", "Παρ-Δευ", "8"])
def test_unknown_weekdays_are_refused(cell: str) -> None:
    """An unknown name, a backwards range: errors."""
    with pytest.raises(CellError):
        parse_weekdays(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("09:00-12:00", [["09:00", "12:00"]]),
        ("17:00-19:00, 9:00 – 12:00", [["09:00", "12:00"], ["17:00", "19:00"]]),
        ("9.30-11; 14-16", [["09:30", "11:00"], ["14:00", "16:00"]]),
        ("", []),
    ],
)
def test_time_windows(cell: str, expected: list[list[str]]) -> None:
    """Several windows by comma or semicolon, sorted, as HH:MM pairs."""
    assert parse_time_windows(cell) == expected


@pytest.mark.parametrize("cell", ["12:00-09:00", "09:00", "25:00-26:00", "09:00-12:00, 11:00-13:00", "πρωί"])
def test_bad_time_windows_are_refused(cell: str) -> None:
    """Backwards, open, impossible, overlapping or wordy windows are errors."""
    with pytest.raises(CellError):
        parse_time_windows(cell)


def test_priority_groups_map_to_the_models_codes() -> None:
    """Greek words, abbreviations and the codes themselves; duplicates fold."""
    assert parse_priority_groups("ΚΕΑ, ΑμεΑ, μόνος/μόνη, Ρομά") == [
        "disability",
        "kea",
        "living_alone",
        "roma",
    ]
    assert parse_priority_groups("elderly; living_alone") == ["elderly", "living_alone"]
    with pytest.raises(CellError, match="προτεραιότητας"):
        parse_priority_groups("ΚΕΑ, VIP")
