"""The public holidays' names as a Greek office writes them: the holidays package's Greek
«Εικοστή Πέμπτη Μαρτίου» (spelled out) and «Ημέρα του Όχι» were shown on the calendar page and
in the weeks; its English names were American or literal («Glorifying Mother of God»)."""

from __future__ import annotations

from datetime import date

import pytest

from planner.register.calendar import greek_holidays, holidays_closed, national_holidays

STANDARD_EL = {
    date(2026, 1, 1): "Πρωτοχρονιά",
    date(2026, 1, 6): "Θεοφάνεια",
    date(2026, 2, 23): "Καθαρά Δευτέρα",
    date(2026, 3, 25): "25η Μαρτίου (Ευαγγελισμός – Εθνική Επέτειος)",
    date(2026, 4, 10): "Μεγάλη Παρασκευή",
    date(2026, 4, 13): "Δευτέρα του Πάσχα",
    date(2026, 5, 1): "Εργατική Πρωτομαγιά",
    date(2026, 6, 1): "Δευτέρα του Αγίου Πνεύματος",
    date(2026, 8, 15): "Κοίμηση της Θεοτόκου",
    date(2026, 10, 28): "Επέτειος του Όχι",
    date(2026, 12, 25): "Χριστούγεννα",
    date(2026, 12, 26): "Σύναξη της Υπεραγίας Θεοτόκου",
}


def test_every_greek_name_of_2026() -> None:
    assert dict(greek_holidays([2026])) == STANDARD_EL
    assert dict(national_holidays([2026])) == STANDARD_EL


@pytest.mark.parametrize("year", range(2026, 2036))
def test_no_spelled_out_date_nor_ohi_day_any_year(year: int) -> None:
    """The week builder's and management's names (holidays_closed) too."""
    for name in [*dict(greek_holidays([year])).values(), *holidays_closed([year]).values()]:
        assert "Εικοστή" not in name and "Ημέρα του Όχι" not in name and "παρατηρήθηκε" not in name
    names = dict(greek_holidays([year]))
    assert names[date(year, 3, 25)] == "25η Μαρτίου (Ευαγγελισμός – Εθνική Επέτειος)"
    assert names[date(year, 10, 28)] == "Επέτειος του Όχι"


def test_english_names() -> None:
    names = dict(national_holidays([2026, 2027], "en"))
    assert names[date(2026, 3, 25)] == "25 March (Annunciation – Independence Day)"
    assert names[date(2026, 2, 23)] == "Clean Monday"
    assert names[date(2026, 5, 1)] == "Labour Day"
    assert names[date(2026, 6, 1)] == "Whit Monday"
    assert names[date(2026, 10, 28)] == "Ohi Day"
    assert names[date(2026, 12, 26)] == "Synaxis of the Mother of God"
    assert names[date(2027, 5, 4)] == "Labour Day (moved from 1 May)"
    assert not any("observed" in name or "Labor" in name for name in names.values())
    assert dict(national_holidays([2027]))[date(2027, 5, 4)] == "Εργατική Πρωτομαγιά (μεταφορά από 1/5)"
