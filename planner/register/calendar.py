"""The register's calendar: Greek public holidays and Aigio's local holiday as calendar rows.

Public holidays come from the ``holidays`` package (``country_holidays("GR")``, Greek names),
which follows the Orthodox Easter: Clean Monday, Good Friday, Easter Monday and Whit Monday
move every year. Aigio adds one local holiday of its own: the feast of its patron saint,
Παναγία Τρυπητή (the Life-giving Spring), on Bright Friday, the Friday after Orthodox Easter,
an official religious holiday of the town since the Royal Decree of 8 May 1933 (see
``docs/demo-register.md`` for the sources). The Community Centre is in Aigio, so the day is
stored as a ``closure``.

:func:`load_holidays` is idempotent: a day already stored with the same kind is left alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.register.models import CalendarDay

__all__ = [
    "AIGIO_PATRON_SAINT_EL",
    "ATHENS",
    "HolidayLoad",
    "aigio_local_holidays",
    "greek_holidays",
    "holidays_closed",
    "load_holidays",
    "local_date",
    "local_midnight",
    "national_holidays",
    "orthodox_easter",
    "today",
]

ATHENS = ZoneInfo("Europe/Athens")


def today() -> date:
    """Today in Athens, where the Centre works (the machine's clock may be UTC); the
    ``KINITO_TODAY`` environment variable (YYYY-MM-DD) fixes it for demos and tests."""
    fixed = os.environ.get("KINITO_TODAY")
    if fixed:
        return date.fromisoformat(fixed)
    return datetime.now(ATHENS).date()


def local_date(instant: datetime) -> date:
    """The day in Athens of a stored instant (the register stores UTC; SQLite gives it back
    without its zone)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(ATHENS).date()


def local_midnight(day: date) -> datetime:
    """The instant (in UTC, as the register stores and compares them) that ``day`` begins in
    Athens."""
    return datetime.combine(day, time(0), tzinfo=ATHENS).astimezone(UTC)


AIGIO_PATRON_SAINT_EL = "Παναγία Τρυπητή, πολιούχος του Αιγίου (τοπική αργία)"


def orthodox_easter(year: int) -> date:
    """Orthodox Easter Sunday (Gregorian date) for 1900-2099: Meeus' Julian algorithm + 13 days."""
    if not 1900 <= year <= 2099:
        raise ValueError(f"year {year} is outside 1900-2099, where the Julian-Gregorian gap is 13 days")
    a, b, c = year % 4, year % 7, year % 19
    d = (19 * c + 15) % 30
    e = (2 * a + 4 * b - d + 34) % 7
    month, day = divmod(d + e + 114, 31)
    return date(year, month, day + 1) + timedelta(days=13)


def _years(years: Iterable[int]) -> list[int]:
    out = sorted(set(years))
    if not out:
        raise ValueError("years: at least one year is needed")
    return out


OBSERVED_EL = " (παρατηρήθηκε)"  # the holidays package's Greek mark of a holiday moved to another day
OBSERVED_EN = " (observed)"

# The package's names that no Greek office writes so («Εικοστή Πέμπτη Μαρτίου», spelled out;
# «Ημέρα του Όχι»), and its English ones that are American or literal translations; the
# others (Καθαρά Δευτέρα, Δευτέρα του Αγίου Πνεύματος, Κοίμηση της Θεοτόκου...) are the
# standard names and stay.
HOLIDAY_NAMES: dict[str, dict[str, str]] = {
    "el": {
        "Εικοστή Πέμπτη Μαρτίου": "25η Μαρτίου (Ευαγγελισμός – Εθνική Επέτειος)",
        "Ημέρα του Όχι": "Επέτειος του Όχι",
    },
    "en": {
        "Independence Day": "25 March (Annunciation – Independence Day)",
        "Green Monday": "Clean Monday",
        "Labor Day": "Labour Day",
        "Pentecost Monday": "Whit Monday",
        "Glorifying Mother of God": "Synaxis of the Mother of God",
    },
}
_PACKAGE_LANGUAGE = {"el": "el", "en": "en_US"}
_MOVED = {"el": "μεταφορά", "en": "moved"}


def _moved_from(day: date, language: str) -> str:
    """«μεταφορά από 1/5»; in English "moved from 1 May" ("1/5" is 5 January to some readers)."""
    if language == "el":
        return f"μεταφορά από {day.day}/{day.month}"
    return f"moved from {day.day} {day:%B}"  # the C locale's month name: Python sets no other


def national_holidays(years: Iterable[int], language: str = "el") -> list[tuple[date, str]]:
    """Greece's public holidays in ``years``, sorted by date, named in ``language`` (``el`` or
    ``en``) as an office writes them (:data:`HOLIDAY_NAMES`). A holiday moved to another day
    (May Day in Holy or Easter week, or on a Sunday) is said so with the day it moved from: the
    package's «(παρατηρήθηκε)» is "noticed", not "moved"."""
    calendar = holidays.country_holidays("GR", years=_years(years), language=_PACKAGE_LANGUAGE[language])
    observed = OBSERVED_EL if language == "el" else OBSERVED_EN
    days = sorted((day, str(name)) for day, name in calendar.items())
    on: dict[tuple[int, str], date] = {(day.year, name): day for day, name in days}
    out = []
    for day, name in days:
        base = name.removesuffix(observed)
        shown = HOLIDAY_NAMES[language].get(base, base)
        if base != name:
            moved = on.get((day.year, base))
            shown += f" ({_moved_from(moved, language) if moved else _MOVED[language]})"
        out.append((day, shown))
    return out


def greek_holidays(years: Iterable[int]) -> list[tuple[date, str]]:
    """Greece's public holidays in ``years``, sorted by date, with their Greek names.

    Includes the movable Orthodox feasts (Καθαρά Δευτέρα, Μεγάλη Παρασκευή, Δευτέρα του Πάσχα,
    Δευτέρα του Αγίου Πνεύματος). A day with two names keeps them joined by ``"; "``.
    """
    return national_holidays(years, "el")


def aigio_local_holidays(years: Iterable[int]) -> list[tuple[date, str]]:
    """Aigio's local holiday in ``years``: Παναγία Τρυπητή, on Bright Friday (Easter + 5 days)."""
    return [(orthodox_easter(y) + timedelta(days=5), AIGIO_PATRON_SAINT_EL) for y in _years(years)]


def holidays_closed(years: Iterable[int]) -> dict[date, str]:
    """The days no unit goes out whatever the register says: Greece's public holidays and
    Aigio's local one, with their Greek names (the week builder and management's figures)."""
    closed = dict(greek_holidays(years))
    for day, name in aigio_local_holidays(years):
        closed.setdefault(day, name)
    return closed


@dataclass(frozen=True)
class HolidayLoad:
    """What :func:`load_holidays` did: public holidays and local closures added or already there."""

    holidays_added: int
    closures_added: int
    already_there: int


def load_holidays(session: Session, years: Iterable[int], *, local: bool = True) -> HolidayLoad:
    """Store the public holidays of ``years`` (kind ``holiday``) and, with ``local``, Aigio's
    patron-saint day (kind ``closure``) as calendar days. Idempotent: a day already stored with
    the same kind is not added again. Runs inside the caller's transaction.
    """
    wanted_years = _years(years)
    rows: list[tuple[date, str, str]] = [(d, "holiday", n) for d, n in greek_holidays(wanted_years)]
    if local:
        rows += [(d, "closure", n) for d, n in aigio_local_holidays(wanted_years)]
    first, last = date(wanted_years[0], 1, 1), date(wanted_years[-1], 12, 31)
    existing = {
        (c.day, c.kind)
        for c in session.scalars(
            select(CalendarDay).where(
                CalendarDay.day >= first,
                CalendarDay.day <= last,
                CalendarDay.kind.in_(("holiday", "closure")),
            )
        )
    }
    added = {"holiday": 0, "closure": 0}
    already = 0
    for day, kind, name in rows:
        if (day, kind) in existing:
            already += 1
            continue
        session.add(CalendarDay(day=day, kind=kind, name=name))
        existing.add((day, kind))
        added[kind] += 1
    session.flush()
    return HolidayLoad(
        holidays_added=added["holiday"], closures_added=added["closure"], already_there=already
    )
