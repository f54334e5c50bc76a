"""Import beneficiaries (with their care plans) and village stops from XLSX and CSV files.

Files as Greek offices keep them: Greek or English column headers (:data:`BENEFICIARY_COLUMNS`,
:data:`STOP_COLUMNS`; the shipped templates in ``planner/register/templates/`` use the Greek
ones), CSV in UTF-8 (with or without BOM) or Windows-1253 with ``;`` or ``,`` separators,
dates ``dd/mm/yyyy``, decimal commas, phone numbers with or without +30.

An import runs in two steps, both inside :func:`import_file`:

1. **validate** every row and column, reading the register only (settlements, staff), and
   collect :class:`Issue` s in Greek and English;
2. only if there is no error, **write** everything in one transaction (all or nothing), with
   the caller's ``actor`` in the audit log. The office's ID column (``external_id``) makes a
   re-import idempotent: a known ID updates its row when something changed, else leaves it
   unchanged.

One row is one care plan of a beneficiary (or a beneficiary without a plan); a beneficiary
with several plans has several rows with the same ID (one per plan, the same personal details).
A row's plan is matched to the beneficiary's stored plan by the plan ID (``cp-12``) when the
file has one, else by the same service; otherwise it is added (never written over another
service's plan). The documentation of the columns is ``docs/import.md``.

The templates' example row has the ID «ΠΑΡΑΔΕΙΓΜΑ» (:data:`EXAMPLE_ID`): such a row is skipped
with a warning, never imported. The report also warns (the import goes on) about a known ID
under an entirely other name and a new person with the phone or name of someone already in
the register or earlier in the file, and lists the settlements found under another name than
the one typed (:class:`SettlementGuess`), so that a wrong guess is caught before importing.
Many known IDs under entirely other names refuse the file (:data:`MASS_RENAMING`); a running
row number («Α/Α») is never the ID; an ID written otherwise than the register's (case, Greek or
Latin look-alike capitals, leading zeros of a numeric ID) is the stored one when exactly one
matches (:func:`_id_key`); a staff list is refused with one message.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache, partial
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from planner.register.db import session_scope
from planner.register.models import Beneficiary, CarePlan, Settlement, Staff, VillageStop, plain_text
from planner.register.places import Match, _split_unit, find_settlement, loose_key, normalise
from planner.register.rules import (
    CARE_PLAN_DURATION,
    STOP_DURATION,
    Problem,
    announced_time_problem,
    care_plan_duration_problem,
    care_plan_weekdays_problem,
    plan_date_problem,
    staff_days_problem,
    stop_duration_problem,
    stop_weekday_problem,
    weekly_count_problem,
    window_problem,
)

__all__ = [
    "BENEFICIARY_COLUMNS",
    "EXAMPLE_ID",
    "PRIORITY_GROUPS",
    "STOP_COLUMNS",
    "Column",
    "FieldChange",
    "ImportReport",
    "Issue",
    "Kind",
    "RowChange",
    "SettlementGuess",
    "columns_for",
    "format_frequency",
    "format_phone",
    "format_weekdays",
    "import_file",
    "normalise_phone",
    "parse_date",
    "parse_frequency",
    "parse_time_windows",
    "parse_weekdays",
    "read_table",
]

Kind = Literal["beneficiaries", "stops"]
KINDS: tuple[Kind, ...] = ("beneficiaries", "stops")
Cell = str | int | float | bool | date | datetime | time | None


# --- the columns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an import file: its field, Greek and English headers, other accepted
    headers, whether it is required, what goes in it (both languages) and an example."""

    field: str
    el: str
    en: str
    required: bool
    help_el: str
    help_en: str
    example: str
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``«Ονοματεπώνυμο» / 'Full name'``: how messages name the column."""
        return f"«{self.el}» / '{self.en}'"


EXAMPLE_ID = "ΠΑΡΑΔΕΙΓΜΑ"
"""The ID of the templates' example row: a row with it (any case or accents, also followed by
more words: «Παράδειγμα 2») is skipped with a warning, never imported."""

_ID = Column(
    "external_id", "Κωδικός", "ID", True,
    "ο κωδικός του γραφείου, μοναδικός στο αρχείο (η γραμμή με κωδικό «ΠΑΡΑΔΕΙΓΜΑ» δεν εισάγεται)",
    "the office's own ID, unique in the file (the row with the ID 'ΠΑΡΑΔΕΙΓΜΑ' is not imported)",
    EXAMPLE_ID, ("Κωδ", "Κωδικός ωφελούμενου", "Κωδικός στάσης", "External ID", "Code"),
)  # fmt: skip

# Headers of a running row number (Greek lists number their rows «Α/Α», «αύξων αριθμός»): never
# the office's ID. «Α/Α» used to be an ID alias, and a list re-numbered
# after one person was added at the top renamed every existing person to the next one's data.
_ROW_NUMBER_HEADERS = frozenset({"a a", "aa", "no", "nr", "afxon arithmos", "afxon ar", "arithmos grammis",
                                 "row", "row number", "s n"})  # fmt: skip


def _is_row_number_header(cell: str) -> bool:
    """Whether a header cell names a running row number (``Α/Α``, ``α/α``, ``Α.Α.``, ``ΑΑ``,
    ``Νο``, ``No.``, ``#``, «Αύξων αριθμός»), not the office's ID."""
    text = cell.strip()
    return bool(re.fullmatch(r"[#№]\.?", text)) or normalise(text) in _ROW_NUMBER_HEADERS


_SETTLEMENT = Column(
    "settlement", "Οικισμός", "Settlement", False,
    "όνομα στα ελληνικά ή λατινικά· για συνωνυμίες «Λάκκα (Αιγίου)»",
    "name in Greek or Latin; for namesakes 'Λάκκα (Αιγίου)'",
    "Διακοπτό", ("Χωριό", "Village", "Τόπος"),
)  # fmt: skip
_ELSTAT = Column(
    "elstat_code", "Κωδικός ΕΛΣΤΑΤ", "ELSTAT code", False,
    "10ψήφιος κωδικός οικισμού ΕΛΣΤΑΤ 2011 (αντί του ονόματος ή μαζί του)",
    "10-digit ELSTAT 2011 settlement code (instead of the name or with it)",
    "", ("ΕΛΣΤΑΤ", "ELSTAT", "Settlement code"),
)  # fmt: skip
_FREQUENCY = Column(
    "frequency", "Συχνότητα", "Frequency", True,
    "π.χ. εβδομαδιαία, 2 φορές την εβδομάδα, κάθε 2 εβδομάδες, μηνιαία, 2 φορές τον μήνα",
    "e.g. weekly, 2 times a week, every 2 weeks, monthly, 2 times a month",
    "κάθε 2 εβδομάδες",
)  # fmt: skip
_DURATION = Column(
    "duration_min", "Διάρκεια (λεπτά)", "Duration (min)", True,
    "λεπτά, ακέραιος {}-{}".format(*CARE_PLAN_DURATION),
    "minutes, a whole number {}-{}".format(*CARE_PLAN_DURATION), "45", ("Διάρκεια", "Duration", "Λεπτά"),
)  # fmt: skip
_STOP_DURATION = Column(
    _DURATION.field, _DURATION.el, _DURATION.en, True,
    "λεπτά, ακέραιος {}-{}".format(*STOP_DURATION), "minutes, a whole number {}-{}".format(*STOP_DURATION),
    _DURATION.example, _DURATION.aliases,
)  # fmt: skip
_ROLE_HELP = ("κοινωνικός λειτουργός ή ψυχολόγος", "social worker or psychologist")
_ANNOUNCED_EL, _ANNOUNCED_EN = "Ώρες ανακοίνωσης", "Announced times"

_PLAN_REF = Column("plan_ref", "Κωδικός πλάνου", "Plan ID", False,
    "ο κωδικός του πλάνου στο μητρώο, π.χ. cp-12 (η εξαγωγή τον γράφει· κενό: νέο πλάνο ή "
    "το πλάνο με την ίδια υπηρεσία)",
    "the care plan's register ID, e.g. cp-12 (the export writes it; empty: a new plan or the "
    "plan with the same service)",
    "", ("Πλάνο", "Care plan ID", "Plan"),
)  # fmt: skip
_UNKNOWN_PLAN_EL = "Δεν υπάρχει πλάνο"  # how the error of a plan ID the register lacks begins

BENEFICIARY_COLUMNS: tuple[Column, ...] = (
    _ID,
    Column("full_name", "Ονοματεπώνυμο", "Full name", True, "επώνυμο και όνομα", "surname and name",
           "Παπαδοπούλου Μαρία", ("Όνομα", "Name", "Επώνυμο Όνομα")),
    _SETTLEMENT,
    _ELSTAT,
    Column("address", "Διεύθυνση", "Address", False, "οδός και αριθμός", "street and number",
           "Αγίου Νικολάου 12"),
    Column("lat", "Γεωγρ. πλάτος", "Latitude", False,
           "δεκαδικός, π.χ. 38,1953 (κενό: το σημείο του οικισμού)",
           "decimal, e.g. 38.1953 (empty: the settlement's point)", "", ("Πλάτος", "Lat")),
    Column("lon", "Γεωγρ. μήκος", "Longitude", False, "δεκαδικός, π.χ. 22,2006", "decimal, e.g. 22.2006", "",
           ("Μήκος", "Lon", "Lng")),
    Column("phone", "Τηλέφωνο", "Phone", False,
           "10 ψηφία, σταθερό 2xxxxxxxxx ή κινητό 69xxxxxxxx, με ή χωρίς +30",
           "10 digits, landline 2xxxxxxxxx or mobile 69xxxxxxxx, with or without +30",
           "6900000001", ("Τηλ", "Τηλ.", "Κινητό", "Telephone", "Mobile")),
    Column("priority_groups", "Ομάδες προτεραιότητας", "Priority groups", False,
           "χωρισμένες με κόμμα: ΚΕΑ, φτώχεια, άνεργος, παιδί, αναπηρία, ηλικιωμένος, μόνος/μόνη, Ρομά, "
           "μετανάστης, ευπαθής",
           "comma-separated: KEA, poverty, unemployed, child, disability, elderly, living alone, Roma, "
           "migrant, vulnerable",
           "ηλικιωμένος, μόνος/μόνη", ("Προτεραιότητα", "Ομάδες", "Priority", "Groups")),
    Column("notes", "Σημειώσεις", "Notes", False, "ελεύθερο κείμενο", "free text",
           "γραμμή-παράδειγμα: δεν εισάγεται· γράψτε τα δικά σας στοιχεία από κάτω", ("Παρατηρήσεις",)),
    Column("active", "Ενεργός", "Active", False, "ναι / όχι (κενό: ναι)", "yes / no (empty: yes)", "ναι",
           ("Ενεργή",)),
    Column("service", "Υπηρεσία", "Service", True, "η υπηρεσία του πλάνου (κενό: χωρίς πλάνο)",
           "the care plan's service (empty: no care plan)", "κατ' οίκον φροντίδα", ("Παροχή",)),
    Column("required_role", "Ειδικότητα", "Role", True, *_ROLE_HELP, "κοινωνικός λειτουργός",
           ("Ρόλος", "Required role")),
    Column("staff", "Υπάλληλος", "Staff member", False,
           "όνομα ή κωδικός συγκεκριμένου υπαλλήλου (προαιρετικά)",
           "name or ID of a named staff member (optional)",
           "", ("Προσωπικό", "Staff")),
    _DURATION,
    _FREQUENCY,
    Column("weekdays", "Ημέρες", "Weekdays", False,
           "π.χ. Δευτέρα, Τετάρτη ή Δευ-Παρ (κενό: οποιαδήποτε εργάσιμη)",
           "e.g. Mon, Wed or Mon-Fri (empty: any working day)", "Δευτέρα, Τετάρτη",
           ("Επιτρεπτές ημέρες", "Days", "Allowed weekdays")),
    Column("time_windows", "Ώρες", "Time windows", False,
           "π.χ. 09:00-12:00, 17:00-19:00 (κενό: όλο το ωράριο)",
           "e.g. 09:00-12:00, 17:00-19:00 (empty: any time)",
           "09:00-12:00", ("Ώρες επίσκεψης", "Ωράριο", "Hours")),
    Column("start_date", "Έναρξη", "Start date", True, "ηη/μμ/εεεε", "dd/mm/yyyy", "02/11/2026",
           ("Ημερομηνία έναρξης", "Από", "Start")),
    Column("end_date", "Λήξη", "End date", False, "ηη/μμ/εεεε (κενό: χωρίς λήξη)",
           "dd/mm/yyyy (empty: open-ended)",
           "", ("Ημερομηνία λήξης", "Έως", "End")),
    Column("status", "Κατάσταση πλάνου", "Plan status", False, "ενεργό / σε αναστολή (κενό: ενεργό)",
           "active / paused (empty: active)", "ενεργό", ("Κατάσταση", "Status")),
    _PLAN_REF,
)  # fmt: skip

STOP_COLUMNS: tuple[Column, ...] = (
    Column("external_id", _ID.el, _ID.en, True,
           "ο κωδικός της στάσης, μοναδικός στο αρχείο (η γραμμή με κωδικό «ΠΑΡΑΔΕΙΓΜΑ» δεν εισάγεται)",
           "the stop's own ID, unique in the file (the row with the ID 'ΠΑΡΑΔΕΙΓΜΑ' is not imported)",
           EXAMPLE_ID, _ID.aliases),
    _SETTLEMENT,
    _ELSTAT,
    Column("place", "Σημείο", "Place", False, "π.χ. η πλατεία, το κοινοτικό γραφείο",
           "e.g. the square, the community office", "Πλατεία", ("Τοποθεσία", "Location")),
    _STOP_DURATION,
    Column("announced_times", _ANNOUNCED_EL, _ANNOUNCED_EN, False,
           "ώρες έναρξης, π.χ. 10:00, 12:30", "start times, e.g. 10:00, 12:30", "10:00",
           ("Ώρα", "Ώρες", "Times", "Announced time")),
    _FREQUENCY,
    Column("usual_weekday", "Ημέρα", "Weekday", False, "η συνήθης ημέρα, π.χ. Τρίτη",
           "the usual day, e.g. Tue",
           "Τρίτη", ("Συνήθης ημέρα", "Usual weekday", "Day")),
    Column("required_role", "Ειδικότητα", "Role", False, *_ROLE_HELP, "κοινωνικός λειτουργός",
           ("Ρόλος", "Required role")),
    Column("active", "Ενεργή", "Active", False, "ναι / όχι (κενό: ναι)", "yes / no (empty: yes)", "ναι",
           ("Ενεργός",)),
)  # fmt: skip

# Frequency examples of the stops' template differ from the beneficiaries' one.
_STOP_EXAMPLES = {"frequency": "εβδομαδιαία", "duration_min": "120", "settlement": "Κουνινά"}


def columns_for(kind: Kind) -> tuple[Column, ...]:
    """The columns of an import file of ``kind``."""
    return BENEFICIARY_COLUMNS if kind == "beneficiaries" else STOP_COLUMNS


def example_row(kind: Kind) -> list[str]:
    """The template's example row: valid in every cell, and skipped by the import for its ID
    (:data:`EXAMPLE_ID`), so that a template still holding it adds or changes nothing."""
    overrides = _STOP_EXAMPLES if kind == "stops" else {}
    return [overrides.get(c.field, c.example) for c in columns_for(kind)]


_EXAMPLE_KEYS = {normalise(EXAMPLE_ID), "example"}
# The example row of the templates shipped before it had its own ID: (ID, name key, phone).
_OLD_EXAMPLE = ("Ω-0001", normalise("Παπαδοπούλου Μαρία"), "+306900000001")


def is_example_id(text: str) -> bool:
    """Whether an ID cell is the templates' example ID (``ΠΑΡΑΔΕΙΓΜΑ``, ``Παράδειγμα 2``)."""
    words = normalise(text).split()
    return bool(words) and words[0] in _EXAMPLE_KEYS


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem found in the file. ``row`` is the spreadsheet row (the header is row 1;
    ``None``: the whole file); ``column`` the header as written in the file (or the expected one)."""

    row: int | None
    column: str | None
    value: str
    message_el: str
    message_en: str
    severity: Literal["error", "warning"] = "error"

    @property
    def message(self) -> str:
        """Greek, then English."""
        return f"{self.message_el} / {self.message_en}"


_SHORT = 40  # values longer than this are not shown in a change, only the column's name


@dataclass(frozen=True)
class FieldChange:
    """One column whose stored value an import changes: the column's Greek and English headers,
    the old and new values as the file writes them (``""``: empty; ``None``: too long to show),
    and, for a person with more than one care plan, the plan it belongs to."""

    column_el: str
    column_en: str
    old: str | None
    new: str | None
    plan: str = ""  # «κατ' οίκον φροντίδα (cp-12)»

    def text(self, lang: str = "el") -> str:
        """``Διάρκεια (λεπτά): 40 → 45`` (``lang`` ``"el"`` or ``"en"``)."""
        label = self.column_el if lang == "el" else self.column_en
        if self.plan:
            label = f"{self.plan} – {label}"
        if self.old is None or self.new is None:
            return label
        empty = "(κενό)" if lang == "el" else "(empty)"
        return f"{label}: {self.old or empty} → {self.new or empty}"


@dataclass(frozen=True)
class RowChange:
    """A beneficiary or village stop an import adds or updates: the spreadsheet row (a
    beneficiary's first), the office's ID, who or what it is (a person's name; a stop's
    settlement and place), the columns that change and the care plans it adds."""

    action: Literal["added", "updated"]
    row: int
    external_id: str
    name: str
    fields: tuple[FieldChange, ...] = ()
    new_plans: tuple[str, ...] = ()  # the services of the care plans added

    @property
    def who(self) -> str:
        """``Παπαδοπούλου Μαρία (Ω-1)``."""
        return f"{self.name} ({self.external_id})" if self.name else self.external_id

    def action_text(self, lang: str = "el") -> str:
        """``νέα εγγραφή`` / ``ενημέρωση`` (``added`` / ``updated``)."""
        if lang == "el":
            return "νέα εγγραφή" if self.action == "added" else "ενημέρωση"
        return "added" if self.action == "added" else "updated"

    def details(self, lang: str = "el") -> list[str]:
        """Each change in ``lang``: ``Τηλέφωνο: +30 2691000001 → +30 2691000002``, ``νέο πλάνο
        φροντίδας: ψυχολογική υποστήριξη``."""
        out = [f.text(lang) for f in self.fields]
        label = "νέο πλάνο φροντίδας" if lang == "el" else "new care plan"
        out += [f"{label}: {service}" for service in self.new_plans]
        return out

    def text(self, lang: str = "el") -> str:
        """The whole change on one line: ``Παπαδοπούλου Μαρία (Ω-1): Τηλέφωνο: … → …; …``."""
        details = self.details(lang)
        return f"{self.who}: " + "; ".join(details) if details else self.who


@dataclass
class SettlementGuess:
    """A settlement a file names otherwise than by its official name (an everyday form, another
    spelling, a GeoNames name: «Σελινούντας» for Σελινούς, «Καμάρες» for Καμάραι), so that the
    preview shows which settlement it was taken to be, and a wrong guess is caught: what was
    typed (as first written), the settlement found and the rows."""

    typed: str
    code: str
    name_el: str
    name_latin: str
    municipal_unit: str
    rows: list[int] = field(default_factory=list)

    SHOWN_ROWS = 10

    def rows_text(self, lang: str = "el") -> str:
        """``γραμμές 3, 7`` / ``rows 3, 7`` (the first ten, then how many in all)."""
        shown = ", ".join(str(r) for r in self.rows[: self.SHOWN_ROWS])
        n = len(self.rows)
        if lang == "el":
            label = "γραμμή" if n == 1 else "γραμμές"
            more = f" κ.ά. ({n} γραμμές)" if n > self.SHOWN_ROWS else ""
        else:
            label = "row" if n == 1 else "rows"
            more = f" and more ({n} rows)" if n > self.SHOWN_ROWS else ""
        return f"{label} {shown}{more}"

    def text(self, lang: str = "el") -> str:
        """``«Σελινούντας» → Σελινούς (Δ.Ε. Αιγίου, 3702011201): γραμμή 3``."""
        if lang == "el":
            return (
                f"«{self.typed}» → {self.name_el} (Δ.Ε. {self.municipal_unit}, {self.code}): "
                f"{self.rows_text('el')}"
            )
        return (
            f"'{self.typed}' → {self.name_el} / {self.name_latin} (municipal unit of {self.municipal_unit}, "
            f"{self.code}): {self.rows_text('en')}"
        )


@dataclass
class ImportReport:
    """What an import found and did. Nothing was written unless ``written`` is true.

    ``changes`` names every row added or updated and, for an update, each column changed with
    its old and new value (a dry run's too: the writes are made, described, then rolled back).
    ``settlements`` lists the settlements found under another name than the one typed;
    ``examples`` counts the template's example rows skipped.
    """

    path: str
    kind: Kind | None = None
    rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    dry_run: bool = False
    changes: list[RowChange] = field(default_factory=list)
    settlements: list[SettlementGuess] = field(default_factory=list)
    examples: int = 0

    @property
    def errors(self) -> list[Issue]:
        """The issues that stop the import."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when the file has no errors."""
        return not self.errors

    def error(self, row: int | None, column: str | None, value: Any, el: str, en: str) -> None:
        """Record an error."""
        self.issues.append(Issue(row, column, _show(value), el, en))

    def warn(self, row: int | None, column: str | None, value: Any, el: str, en: str) -> None:
        """Record a warning (the import goes on)."""
        self.issues.append(Issue(row, column, _show(value), el, en, "warning"))

    def guessed(self, row: int, typed: str, settlement: Settlement) -> None:
        """Record that row ``row`` names ``settlement`` as ``typed``, when that is not its
        official Greek or Latin name (accents and case aside) nor its ELSTAT code."""
        name, _hint = _split_unit(typed)
        official = {normalise(settlement.name_el), normalise(settlement.name_latin)}
        if normalise(name) in official or typed == settlement.code:
            return
        for guess in self.settlements:
            if guess.code == settlement.code and normalise(guess.typed) == normalise(typed):
                if row not in guess.rows:
                    guess.rows.append(row)
                return
        self.settlements.append(
            SettlementGuess(typed, settlement.code, settlement.name_el, settlement.name_latin,
                            settlement.municipal_unit, [row])
        )  # fmt: skip


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


class CellError(ValueError):
    """A cell that cannot be read: the message in Greek and English."""

    def __init__(self, el: str, en: str) -> None:
        super().__init__(f"{el} / {en}")
        self.el = el
        self.en = en


def _refuse(problem: Problem | None) -> None:
    """Raise a :class:`CellError` with a rule's problem (:mod:`planner.register.rules`), if any."""
    if problem is not None:
        raise CellError(problem.el, problem.en)


# --- reading files -------------------------------------------------------------------------


class FileError(Exception):
    """The file as a whole cannot be read (encoding, format)."""

    def __init__(self, el: str, en: str) -> None:
        super().__init__(f"{el} / {en}")
        self.el = el
        self.en = en


@dataclass(frozen=True)
class Table:
    """A sheet's content: its header cells and its data rows with their spreadsheet numbers."""

    header: list[str]
    rows: list[tuple[int, list[Cell]]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None  # the sheet read (the first), for an XLSX file
    other_sheets: tuple[str, ...] = ()  # the sheets after it, not read
    header_row: int = 1  # the header's row in the spreadsheet (below a title: :func:`_skip_title`)


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decode(data: bytes) -> tuple[str, str]:
    """Bytes of a CSV file -> (text, encoding name): UTF-8 (BOM or not), else Windows-1253, else
    ISO-8859-7 (older Greek systems)."""
    if b"\x00" in data:
        raise FileError(
            "Το αρχείο δεν είναι κείμενο UTF-8 ή Windows-1253 (μοιάζει με UTF-16). Αποθηκεύστε το ως "
            "«CSV UTF-8» ή ως .xlsx.",
            "The file is not UTF-8 or Windows-1253 text (it looks like UTF-16). Save it as 'CSV UTF-8' "
            "or as .xlsx.",
        )
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    # The Greek code pages decode almost any byte: a sensible Greek text has no control
    # characters and none of the symbols that only show up when the other code page was meant
    # (ISO-8859-7 writes Ά as the byte that is ¶ in Windows-1253).
    for encoding in ("cp1253", "iso-8859-7"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any((unicodedata.category(ch) == "Cc" and ch not in "\r\n\t") or ch in "¶¤¦" for ch in text):
            return text, encoding
    raise FileError(
        "Άγνωστη κωδικοποίηση χαρακτήρων: το αρχείο δεν είναι ούτε UTF-8 ούτε Windows-1253. "
        "Αποθηκεύστε το από το Excel ως «CSV UTF-8» ή ως .xlsx.",
        "Unknown character encoding: the file is neither UTF-8 nor Windows-1253. Save it from Excel "
        "as 'CSV UTF-8' or as .xlsx.",
    )


MAX_ROWS = 100_000
"""The most data rows one file may hold: a larger file is refused, naming the limit."""
MAX_COLUMNS = 200
"""The cells read of each row: a value further right refuses the file, naming the limit."""


def _thousands(number: int, separator: str) -> str:
    return f"{number:,}".replace(",", separator)


def _too_many_rows() -> FileError:
    return FileError(
        f"Το αρχείο έχει περισσότερες από {_thousands(MAX_ROWS, '.')} γραμμές δεδομένων, όσες το πολύ "
        "διαβάζει μία εισαγωγή. Χωρίστε το σε μικρότερα αρχεία.",
        f"The file has more than {MAX_ROWS:,} data rows, the most one import reads. Split it into "
        "smaller files.",
    )


def _too_wide(row: int, column: int, letter: str | None) -> FileError:
    where_el = f"στη στήλη {letter} (στήλη {column})" if letter else f"στο κελί {column}"
    where_en = f"in column {letter} (column {column})" if letter else f"in cell {column}"
    return FileError(
        f"Η γραμμή {row} έχει τιμή {where_el}, ενώ διαβάζονται το πολύ {MAX_COLUMNS} στήλες. Σβήστε ό,τι "
        "βρίσκεται δεξιά από τον πίνακα ή αντιγράψτε τον πίνακα μόνο σε ένα νέο αρχείο.",
        f"Row {row} has a value {where_en}, while at most {MAX_COLUMNS} columns are read. Delete what "
        "lies to the right of the table, or copy the table alone into a new file.",
    )


def _gather(
    records: Iterable[Sequence[Any]], convert: Callable[[Any], Cell], *, sheet: bool
) -> tuple[list[Cell] | None, list[tuple[int, list[Cell]]], int]:
    """The first non-blank record (the header) and the non-blank ones after it with their
    numbers (from 1), ``convert``-ed: at most :data:`MAX_COLUMNS` cells of a record and
    :data:`MAX_ROWS` data rows are kept, and a value past either refuses the file
    (:class:`FileError`). Blank records are skipped as they come, never kept. ``sheet``: the
    records are an XLSX sheet's rows (columns named by letters, no row past Excel's last)."""
    header: list[Cell] | None = None
    header_row = 1
    rows: list[tuple[int, list[Cell]]] = []
    for number, record in enumerate(records, start=1):
        if sheet and number > EXCEL_MAX_ROWS:  # a row numbered past Excel's last: padding to it
            raise FileError(  # would take forever
                f"Το αρχείο .xlsx έχει γραμμή μετά την {_thousands(EXCEL_MAX_ROWS, '.')}η, την τελευταία "
                "του Excel: είναι κατεστραμμένο. Ανοίξτε το στο Excel και αποθηκεύστε το ξανά.",
                f"The .xlsx file has a row after row {EXCEL_MAX_ROWS:,}, Excel's last: it is damaged. "
                "Open it in Excel and save it again.",
            )
        if not record:
            continue
        if len(record) > MAX_COLUMNS:
            tail = record[MAX_COLUMNS:]
            if tail.count(None) != len(tail):  # (fast: a padded XLSX row is mostly None)
                far = next((i for i, c in enumerate(tail) if not _blank(c)), None)
                if far is not None:
                    column = MAX_COLUMNS + 1 + far
                    raise _too_wide(number, column, _column_letter(column) if sheet else None)
            record = record[:MAX_COLUMNS]
        values = [convert(c) for c in record]
        if all(_blank(c) for c in values):
            continue
        if header is None:
            header, header_row = values, number
        elif len(rows) == MAX_ROWS:
            raise _too_many_rows()
        else:
            rows.append((number, values))
    return header, rows, header_row


def _column_letter(column: int) -> str:
    """A spreadsheet column's letters: 1 -> A, 27 -> AA."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _header(cells: list[Cell]) -> list[str]:
    return ["" if c is None else str(c).strip() for c in cells]


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    declared = re.fullmatch(r'"?sep=(.)"?[;,\t]*', first.strip())  # Excel's own "sep=;" first line
    if declared:
        delimiter = declared.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        # the separator of the line that has most of one among the first few: the first line
        # may be a title above the header («Αίγιο, 1/3/2026»); ties (none at all) go to ';'
        lines = [line for line in text.splitlines()[:20] if line.strip()][:10]
        if not lines:  # an empty file (0 bytes, a BOM, blank lines): «Το αρχείο είναι κενό.»
            return Table([], [], encoding, ";")
        delimiter = max(";,\t", key=lambda sep: max(line.count(sep) for line in lines))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header, rows, header_row = _gather(reader, str, sheet=False)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            limit = csv.field_size_limit()
            raise FileError(
                f"Ένα κελί του αρχείου έχει περισσότερους από {_thousands(limit, '.')} χαρακτήρες "
                f'(διαβάστηκε ως τη γραμμή {reader.line_num}): μάλλον ένα εισαγωγικό " ανοίγει μια τιμή '
                "και δεν κλείνει ποτέ. Ελέγξτε το αρχείο ή αποθηκεύστε το ως .xlsx.",
                f"A cell of the file has more than {limit:,} characters (read up to line "
                f'{reader.line_num}): most likely a quote mark " opens a value and never closes it. '
                "Check the file, or save it as .xlsx.",
            ) from exc
        raise FileError(
            f"Το αρχείο δεν διαβάζεται ως CSV (γραμμή {reader.line_num}: {exc}). Αποθηκεύστε το από το "
            "Excel ως «CSV UTF-8» ή ως .xlsx.",
            f"The file cannot be read as CSV (line {reader.line_num}: {exc}). Save it from Excel as "
            "'CSV UTF-8' or as .xlsx.",
        ) from exc
    if header is None:
        return Table([], [], encoding, delimiter)
    return Table(_header(header), rows, encoding, delimiter, header_row=header_row)


def _cell(value: object) -> Cell:
    """An openpyxl cell value as one of the types the parsers read (rich text, formulas and
    decimals become text or float)."""
    if value is None or isinstance(value, str | int | float | bool | date | datetime | time):
        return value
    try:
        return float(str(value)) if type(value).__name__ == "Decimal" else str(value)
    except ValueError:
        return str(value)


XLSX_MAX_UNPACKED = 128 * 1024 * 1024
"""The most bytes an XLSX file's parts may hold unpacked (an .xlsx is a ZIP of XML parts)."""
XLSX_MAX_ELEMENTS = 4_000_000
"""The most XML elements its parts may hold (a cell is two or three: some 1.5 million cells)."""
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


def _too_big_xlsx() -> FileError:
    return FileError(
        f"Το αρχείο .xlsx είναι πολύ μεγάλο για να διαβαστεί: αποσυμπιεσμένο ξεπερνά τα "
        f"{XLSX_MAX_UNPACKED // 2**20} MB ή τα {_thousands(XLSX_MAX_ELEMENTS, '.')} στοιχεία XML "
        "(περίπου 1,5 εκατομμύριο κελιά). Χωρίστε το σε μικρότερα αρχεία ή αποθηκεύστε το ως CSV.",
        f"The .xlsx file is too large to read: unpacked it holds more than "
        f"{XLSX_MAX_UNPACKED // 2**20} MB or {XLSX_MAX_ELEMENTS:,} XML elements (about 1.5 million "
        "cells). Split it into smaller files, or save it as CSV.",
    )


def _check_xlsx_size(data: bytes) -> None:
    """Refuse, before openpyxl reads it, a workbook whose parts would take the server's memory:
    more than :data:`XLSX_MAX_UNPACKED` bytes unpacked (a "ZIP bomb": a few KB can unpack to
    gigabytes), more than :data:`XLSX_MAX_ELEMENTS` XML elements (openpyxl keeps every row it
    has read, emptied, until the sheet ends, and parses the other parts whole), or a row of
    more than Excel's 16,384 cells (openpyxl holds a row's cells at once). Each part is read
    as a stream, with no tree kept. A damaged archive is left to openpyxl to report."""
    from xml.parsers import expat

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > XLSX_MAX_UNPACKED:
            raise _too_big_xlsx()
        elements = 0
        for member in members:
            cells: list[int] = []  # per open element: its children if it is a row, else -1

            def start(name: str, _attrs: object, cells: list[int] = cells) -> None:
                nonlocal elements
                elements += 1
                if elements > XLSX_MAX_ELEMENTS:
                    raise _too_big_xlsx()
                if cells and cells[-1] >= 0:
                    cells[-1] += 1
                    if cells[-1] > EXCEL_MAX_COLUMNS:
                        raise FileError(
                            f"Μια γραμμή του αρχείου .xlsx έχει περισσότερα από "
                            f"{_thousands(EXCEL_MAX_COLUMNS, '.')} κελιά, όσα επιτρέπει το Excel: το "
                            "αρχείο είναι κατεστραμμένο. Ανοίξτε το στο Excel και αποθηκεύστε το ξανά.",
                            f"A row of the .xlsx file has more than {EXCEL_MAX_COLUMNS:,} cells, the most "
                            "Excel allows: the file is damaged. Open it in Excel and save it again.",
                        )
                cells.append(0 if name.rpartition(" ")[2] == "row" else -1)

            def end(_name: str, cells: list[int] = cells) -> None:
                cells.pop()

            parser = expat.ParserCreate(namespace_separator=" ")
            parser.StartElementHandler = start
            parser.EndElementHandler = end
            try:
                with archive.open(member) as part:
                    head = part.read(64 * 1024)
                    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                        continue  # not XML (an image): openpyxl does not parse it
                    chunk = head
                    while chunk:
                        parser.Parse(chunk, False)
                        chunk = part.read(1024 * 1024)
                    parser.Parse(b"", True)
            except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
                continue  # not XML after all, or damaged: openpyxl reports what it cannot read


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    _check_xlsx_size(data)
    try:
        with warnings.catch_warnings():  # openpyxl warns about Excel features it skips (validation, ...)
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileError(
            f"Το αρχείο .xlsx δεν διαβάζεται ({exc}).", f"The .xlsx file cannot be read ({exc})."
        ) from exc
    try:
        ws = wb.worksheets[0]
        sheet, others = ws.title, tuple(w.title for w in wb.worksheets[1:])
        # The sheet's declared size (<dimension ref="A1:XFD1048576"/>, or a used range Excel
        # left at the last row) would pad every row to it: only the cells present are read.
        ws.reset_dimensions()
        header, rows, header_row = _gather(ws.iter_rows(values_only=True), _cell, sheet=True)
    finally:
        wb.close()
    if header is None:
        return Table([], [], sheet=sheet, other_sheets=others)
    return Table(_header(header), rows, sheet=sheet, other_sheets=others, header_row=header_row)


def _first_sheet_only(table: Table) -> tuple[str, str]:
    """' Only the first sheet, «X», was read (the file also has «Y»): put the data there.' when
    an XLSX file has more than one sheet, else empty strings."""
    if not table.other_sheets:
        return "", ""
    others = ", ".join(f"«{name}»" for name in table.other_sheets)
    return (
        f" Διαβάστηκε μόνο το πρώτο φύλλο, «{table.sheet}» (το αρχείο έχει και {others}): "
        "βάλτε τα στοιχεία στο πρώτο φύλλο.",
        f" Only the first sheet, «{table.sheet}», was read (the file also has {others}): "
        "put the data on the first sheet.",
    )


def read_table(path: Path) -> Table:
    """The first sheet of an XLSX file, or a CSV file (encoding and separator detected).

    Raises :class:`FileError` when the file cannot be read as either.
    """
    data = Path(path).read_bytes()
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(
            "Παλιό αρχείο Excel (.xls): αποθηκεύστε το ως .xlsx ή CSV.",
            "An old Excel file (.xls): save it as .xlsx or CSV.",
        )
    return _read_csv(data)


# --- cell parsers --------------------------------------------------------------------------


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = plain_text(str(value), multiline=False).strip()  # as stored: so compared and looked up
    if text.startswith("'") and (text.lstrip("'")[:1] in _FORMULA_SIGNS or _LEADING_ZERO.fullmatch(text)):
        return text[1:]  # the CSV export's guard against spreadsheet formulas ('=…) and against Excel
    return text  # dropping an ID's leading zeros ('0042), not the value's


_FORMULA_SIGNS = ("=", "+", "-", "@")
# '0042: the CSV export's guard of a text of digits with leading zeros (Excel would drop them)
_LEADING_ZERO = re.compile(r"'+0\d+")

# Greek capitals that look like Latin ones: an ID typed with either is the same ID (ΚΑ-1, KA-1).
_LOOKALIKES = str.maketrans("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX")


def _id_key(text: str) -> str:
    """An office ID as IDs are matched loosely: case folded (as capitals), Greek look-alike
    capitals as Latin ones (``κα-1``, ``ΚΑ-1``, ``KA-1`` are one key), and a purely numeric ID
    without its leading zeros (``0042`` and an Excel number ``42``)."""
    key = unicodedata.normalize("NFC", text.strip()).upper().translate(_LOOKALIKES)
    return (key.lstrip("0") or "0") if key.isdigit() else key


_DATE_RE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_date(value: Cell) -> date | None:
    """``dd/mm/yyyy`` (also with ``.`` or ``-``), ISO ``yyyy-mm-dd``, or a spreadsheet date;
    ``None`` for an empty cell. Raises :class:`CellError`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    text = text.split(" ")[0] if re.fullmatch(r"\S+ 00:00(:00)?", text) else text
    m = _DATE_RE.fullmatch(text)
    iso = _ISO_DATE_RE.fullmatch(text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError as exc:
        raise CellError(f"Η ημερομηνία «{text}» δεν υπάρχει.", f"The date '{text}' does not exist.") from exc
    raise CellError(
        f"Μη έγκυρη ημερομηνία «{text}»: γράψτε ηη/μμ/εεεε, π.χ. 02/11/2026.",
        f"Invalid date '{text}': write dd/mm/yyyy, e.g. 02/11/2026.",
    )


_TIME_RE = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?")


def _parse_hhmm(text: str, whole: str) -> str:
    m = _TIME_RE.fullmatch(text.strip())
    if m:
        h, mi = int(m.group(1)), int(m.group(2) or 0)
        if h <= 23 and mi <= 59:
            return f"{h:02d}:{mi:02d}"
    raise CellError(
        f"Μη έγκυρη ώρα «{text.strip()}» στο «{whole}»: γράψτε ΩΩ:ΛΛ, π.χ. 09:30.",
        f"Invalid time '{text.strip()}' in '{whole}': write HH:MM, e.g. 09:30.",
    )


def parse_time_windows(value: Cell) -> list[list[str]]:
    """``"09:00-12:00, 17:00-19:00"`` -> ``[["09:00", "12:00"], ["17:00", "19:00"]]``, sorted;
    windows separated by ``,`` or ``;``, each start before its end, none overlapping."""
    text = _text(value)
    if not text:
        return []
    windows: list[list[str]] = []
    for part in re.split(r"[;,]", text):
        if not part.strip():
            continue
        bounds = re.split(r"\s*[-–—]\s*", part.strip())
        if len(bounds) != 2:
            raise CellError(
                f"Μη έγκυρο διάστημα ωρών «{part.strip()}»: γράψτε π.χ. 09:00-12:00.",
                f"Invalid time window '{part.strip()}': write e.g. 09:00-12:00.",
            )
        start, end = (_parse_hhmm(b, part.strip()) for b in bounds)
        if start >= end:
            raise CellError(
                f"Στο διάστημα «{part.strip()}» η έναρξη δεν είναι πριν από τη λήξη.",
                f"In the window '{part.strip()}' the start is not before the end.",
            )
        windows.append([start, end])
    windows.sort()
    for a, b in itertools.pairwise(windows):
        if b[0] < a[1]:
            raise CellError(
                f"Τα διαστήματα {a[0]}-{a[1]} και {b[0]}-{b[1]} επικαλύπτονται.",
                f"The windows {a[0]}-{a[1]} and {b[0]}-{b[1]} overlap.",
            )
    return windows


def parse_times(value: Cell, column: str = "", duration_column: str = "") -> list[str]:
    """Announced start times: ``"10:00, 12:30"`` -> ``["10:00", "12:30"]`` (sorted, distinct).

    A window (``10:00-12:00``) is refused with a message saying that the column (the file's
    ``column``, else «Ώρες ανακοίνωσης») takes the start time and the stop's length goes in the
    duration column (``duration_column``, else «Διάρκεια (λεπτά)»)."""
    if isinstance(value, time):
        return [value.strftime("%H:%M")]
    if isinstance(value, datetime):
        return [value.strftime("%H:%M")]
    text = _text(value)
    if not text:
        return []
    for part in re.split(r"[;,]", text):
        bounds = re.split(r"\s*[-–—]\s*", part.strip())
        if len(bounds) == 2 and all(_TIME_RE.fullmatch(b) for b in bounds):
            start, end = (_parse_hhmm(b, text) for b in bounds)  # «10:00-12:00»: a window, not a time
            minutes = (int(end[:2]) * 60 + int(end[3:])) - (int(start[:2]) * 60 + int(start[3:]))
            length_el = f" (εδώ {minutes})" if minutes > 0 else ""
            length_en = f" (here {minutes})" if minutes > 0 else ""
            times_el, times_en = (f"«{column}»", f"'{column}'") if column else (
                f"«{_ANNOUNCED_EL}»", f"'{_ANNOUNCED_EN}'")  # fmt: skip
            length = duration_column or _STOP_DURATION.el
            raise CellError(
                f"Το «{part.strip()}» είναι διάστημα ωρών: η στήλη {times_el} παίρνει την ώρα έναρξης της "
                f"στάσης ({start}), και η διάρκειά της σε λεπτά{length_el} γράφεται στη στήλη «{length}».",
                f"'{part.strip()}' is a time window: the column {times_en} takes the stop's start time "
                f"({start}), and its length in minutes{length_en} goes in the column «{length}».",
            )
    return sorted({_parse_hhmm(p, text) for p in re.split(r"[;,]", text) if p.strip()})


_WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {
    1: ("Δευτέρα", "Δευ", "Δε", "Δευτ", "Monday", "Mon", "Mo"),
    2: ("Τρίτη", "Τρι", "Τρ", "Tuesday", "Tue", "Tues", "Tu"),
    3: ("Τετάρτη", "Τετ", "Τε", "Τετάρ", "Wednesday", "Wed", "We"),
    4: ("Πέμπτη", "Πεμ", "Πε", "Πέμπ", "Πέμπτ", "Thursday", "Thu", "Thur", "Thurs", "Th"),
    5: ("Παρασκευή", "Παρ", "Πα", "Παρασκ", "Friday", "Fri", "Fr"),
    6: ("Σάββατο", "Σαβ", "Σα", "Σαββ", "Saturday", "Sat", "Sa"),
    7: ("Κυριακή", "Κυρ", "Κυ", "Κυριακ", "Sunday", "Sun", "Su"),
}
_WEEKDAYS = {normalise(n): iso for iso, names in _WEEKDAY_NAMES.items() for n in names}
_WORKING_DAYS = {normalise(n) for n in ("καθημερινές", "εργάσιμες", "weekdays", "working days")}
WEEKDAY_EL = {iso: names[0] for iso, names in _WEEKDAY_NAMES.items()}


def _weekday(text: str, whole: str) -> int:
    iso = _WEEKDAYS.get(normalise(text))
    if iso is None:
        raise CellError(
            f"Άγνωστη ημέρα «{text.strip()}» στο «{whole}»: γράψτε π.χ. Δευτέρα, Δευ ή Mon.",
            f"Unknown weekday '{text.strip()}' in '{whole}': write e.g. Δευτέρα, Δευ or Mon.",
        )
    return iso


def parse_weekdays(value: Cell) -> list[int]:
    """``"Δευτέρα, Τετάρτη"``, ``"Δευ-Παρ"``, ``"Mon; Thu"`` -> ISO weekday numbers, sorted."""
    text = _text(value)
    if not text:
        return []
    if normalise(text) in _WORKING_DAYS:
        return [1, 2, 3, 4, 5]
    days: set[int] = set()
    for part in re.split(r"[,;/+&]|\s+και\s+|\s+and\s+", text, flags=re.IGNORECASE):
        if not part.strip():
            continue
        ends = re.split(r"\s*[-–—]\s*", part.strip())
        if len(ends) == 2:
            a, b = _weekday(ends[0], text), _weekday(ends[1], text)
            if a > b:
                raise CellError(
                    f"Το διάστημα ημερών «{part.strip()}» πάει ανάποδα.",
                    f"The day range '{part.strip()}' runs backwards.",
                )
            days.update(range(a, b + 1))
        elif len(part.split()) > 1 and all(normalise(w) in _WEEKDAYS for w in part.split()):
            days.update(_weekday(w, text) for w in part.split())  # "Δευ Τετ"
        else:
            days.add(_weekday(part, text))
    return sorted(days)


def format_weekdays(days: Iterable[int]) -> str:
    """ISO weekday numbers -> ``"Δευτέρα, Τετάρτη"``."""
    return ", ".join(WEEKDAY_EL[d] for d in days)


_NUMBER_WORDS = {
    normalise(w): n
    for n, words in {
        1: ("ένα", "μία", "μια", "μιά", "one", "once"),
        2: ("δύο", "δυο", "two", "twice", "δις"),
        3: ("τρεις", "τρία", "three", "thrice"),
        4: ("τέσσερις", "τέσσερα", "four"),
        5: ("πέντε", "five"),
        6: ("έξι", "six"),
    }.items()
    for w in words
}


_EVERY = frozenset({"kathe", "ana", "every", "each", "per"})
_WEEK_WORDS, _MONTH_WORDS = ("evdomad", "ebdomad", "week"), ("min", "month")  # how their words begin
# «εβδομάδα» and «μήνας» as nouns (after an ordinal: «κάθε τρίτη εβδομάδα»), not «εβδομαδιαία»
_PERIOD_NOUN = re.compile(r"(?:evdomad|ebdomad)(?:a|es|as|on)|weeks?|min(?:a|es|as|on)|months?")
# an ordinal after «κάθε» / "every": «κάθε δεύτερη εβδομάδα», "every other week"
_ORDINALS = {"defteri": 2, "deftero": 2, "defteris": 2, "triti": 3, "trito": 3, "tetarti": 4, "tetarto": 4,
             "other": 2, "second": 2, "third": 3, "fourth": 4}  # fmt: skip


def _frequency_number(word: str, *, ordinal: bool) -> int | None:
    """The count ``word`` says: digits (``2``, ``2x``, ``x2``), a number word (``δύο``), and
    where ``ordinal``, an ordinal too (``2η``, ``δεύτερη``, ``other``)."""
    m = re.fullmatch(r"x?(\d+)x?", word)
    if m:
        return int(m.group(1))
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    if ordinal:
        m = re.fullmatch(r"(\d+)(?:i|h|os|o|nd|rd|th|st)", word)
        if m:
            return int(m.group(1))
        return _ORDINALS.get(word)
    return None


def parse_frequency(value: Cell) -> tuple[str, int]:
    """A readable frequency -> ``(frequency_kind, frequency_count)`` of the model.

    ``εβδομαδιαία``/``weekly`` -> (weekly, 1); ``2 φορές την εβδομάδα``/``twice a week`` ->
    (weekly, 2); ``κάθε 2 εβδομάδες``/``every 2 weeks``/``δεκαπενθήμερη``/``1 φορά κάθε 2
    εβδομάδες``/``κάθε δεύτερη εβδομάδα``/``every other week`` -> (every_n_weeks, 2);
    ``μηνιαία``/``monthly`` -> (monthly, 1); ``2 φορές τον μήνα`` -> (monthly, 2).

    The number after «κάθε» / «ανά» / "every" is the interval, any other the times; what the
    model cannot hold (every N months, several times every N weeks) is refused, not read as
    something else (the first number used to be taken: «1 φορά κάθε 2 εβδομάδες» became
    weekly, twice the visits).
    """
    raw = _text(value)
    words = normalise(raw).replace("/", " ").split()
    if not words:
        raise CellError("Κενή συχνότητα.", "Empty frequency.")
    unknown = CellError(
        f"Άγνωστη συχνότητα «{raw}»: γράψτε π.χ. εβδομαδιαία, 2 φορές την εβδομάδα, κάθε 2 εβδομάδες, "
        "μηνιαία.",
        f"Unknown frequency '{raw}': write e.g. weekly, 2 times a week, every 2 weeks, monthly.",
    )
    interval: int | None = None  # «κάθε 2 εβδομάδες»
    times: int | None = None  # «2 φορές», "twice", «2/εβδομάδα»
    skip = False
    for i, w in enumerate(words):
        if skip:
            skip = False
            continue
        if w in _EVERY:
            after = _frequency_number(words[i + 1], ordinal=True) if i + 1 < len(words) else None
            if words[i + 1 : i + 2] in (["triti"], ["tetarti"]) and not (
                i + 2 < len(words) and _PERIOD_NOUN.fullmatch(words[i + 2].strip(",.;"))
            ):
                after = None  # «κάθε Τετάρτη»: the weekday, not «κάθε τέταρτη εβδομάδα»
            if after is not None:
                if interval is not None:
                    raise unknown
                interval, skip = after, True
            continue
        number = _frequency_number(w, ordinal=False)
        if number is None and re.fullmatch(r"\d+(?:i|h|os|o|nd|rd|th|st)", w):
            raise unknown  # an ordinal not after «κάθε»: «2η εβδομάδα» says no frequency
        if number is not None:
            if times is not None:
                raise unknown
            times = number
    week = any(w.startswith(_WEEK_WORDS) for w in words)
    month = any(w.startswith(_MONTH_WORDS) for w in words)
    fortnight = any(w.startswith(("dekapenthimer", "fortnight", "biweekly")) for w in words)
    if fortnight and not week and not month and interval is None and times in (None, 1):
        return "every_n_weeks", 2
    if week == month or fortnight:
        raise unknown
    if interval is not None and interval >= 2:
        if month:
            raise CellError(
                f"Η συχνότητα «{raw}» δεν υποστηρίζεται (κάθε N μήνες): γράψτε «κάθε N εβδομάδες».",
                f"The frequency '{raw}' is not supported (every N months): write 'every N weeks'.",
            )
        if times not in (None, 1):
            raise CellError(
                f"Η συχνότητα «{raw}» δεν υποστηρίζεται (περισσότερες φορές κάθε N εβδομάδες): γράψτε "
                "«N φορές την εβδομάδα» ή «κάθε N εβδομάδες».",
                f"The frequency '{raw}' is not supported (several times every N weeks): write 'N times a "
                "week' or 'every N weeks'.",
            )
        kind, count, limit = "every_n_weeks", interval, 52
    elif week:
        kind, count, limit = "weekly", 1 if times is None else times, 7
    else:
        kind, count, limit = "monthly", 1 if times is None else times, 31
    if not 1 <= count <= limit:
        raise CellError(
            f"Η συχνότητα «{raw}» είναι εκτός ορίων (1-{limit}).",
            f"The frequency '{raw}' is out of range (1-{limit}).",
        )
    return kind, count


def format_frequency(kind: str, count: int) -> str:
    """The readable Greek form of a frequency (what :func:`parse_frequency` reads back)."""
    if kind == "weekly":
        return "εβδομαδιαία" if count == 1 else f"{count} φορές την εβδομάδα"
    if kind == "every_n_weeks":
        return f"κάθε {count} εβδομάδες"
    return "μηνιαία" if count == 1 else f"{count} φορές τον μήνα"


def normalise_phone(value: Cell) -> str | None:
    """A Greek phone number -> ``+30`` and its 10 digits (``None`` for an empty cell).

    Accepts spaces, dashes, dots and brackets, and a ``+30`` / ``0030`` prefix (or ``30``
    when a spreadsheet dropped the leading zeros). Landlines are ``2xxxxxxxxx``, mobiles
    ``69xxxxxxxx``. Raises :class:`CellError`.
    """
    raw = _text(value)
    if not raw:
        return None
    digits = re.sub(r"[\s\-./()]", "", raw)
    if digits.startswith("+30"):
        digits = digits[3:]
    elif digits.startswith("0030"):
        digits = digits[4:]
    elif len(digits) == 12 and digits.startswith("30"):
        digits = digits[2:]
    if not re.fullmatch(r"\d{10}", digits) or not (digits.startswith("2") or digits.startswith("69")):
        raise CellError(
            f"Μη έγκυρο ελληνικό τηλέφωνο «{raw}»: 10 ψηφία, σταθερό 2xxxxxxxxx ή κινητό 69xxxxxxxx.",
            f"Invalid Greek phone number '{raw}': 10 digits, landline 2xxxxxxxxx or mobile 69xxxxxxxx.",
        )
    return "+30" + digits


def format_phone(value: str | None) -> str | None:
    """A stored phone as the export writes it, ``+30 6900000001`` (the space keeps Excel from
    turning it into a number), whether it was stored with ``+30`` or without (the demo register,
    the web form); a value that is not a Greek number is returned as stored."""
    try:
        phone = normalise_phone(value)
    except CellError:
        return value
    return None if phone is None else f"+30 {phone[3:]}"


def _parse_float(value: Cell) -> float | None:
    if isinstance(value, bool):
        raise CellError(f"Μη έγκυρος αριθμός «{value}».", f"Invalid number '{value}'.")
    if isinstance(value, int | float):
        return float(value)
    text = _text(value).replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"[-+]?\d+([.,]\d+)?", text):
        return float(text.replace(",", "."))
    raise CellError(
        f"Μη έγκυρος αριθμός «{text}»: γράψτε π.χ. 38,1953.", f"Invalid number '{text}': write e.g. 38.1953."
    )


def _parse_duration(value: Cell, check: Callable[[int], Problem | None] = care_plan_duration_problem) -> int:
    """Whole minutes (``45``, ``45'``, ``45 λεπτά``, an Excel ``45.0``) that ``check`` accepts: a
    care plan's limits (:func:`~planner.register.rules.care_plan_duration_problem`) unless told."""
    text = _text(value)
    m = re.fullmatch(r"(\d+)(?:[.,]0+)?\s*(?:'|λ|λεπτά|min|mins|minutes)?\.?", text, re.IGNORECASE)
    if not text:
        raise CellError("Κενή διάρκεια.", "Empty duration.")
    if not m:
        raise CellError(
            f"Μη έγκυρη διάρκεια «{text}»: ακέραιος αριθμός λεπτών, π.χ. 45.",
            f"Invalid duration '{text}': a whole number of minutes, e.g. 45.",
        )
    minutes = int(m.group(1))
    _refuse(check(minutes))
    return minutes


# «Ν» is Greek «Ναι» or English "No" (the letters look the same, and both normalise to "n"):
# neither list has it, and it is refused as ambiguous (it was read as yes: an "N" for "no" kept
# a person active)
_YES = {normalise(w) for w in ("ναι", "yes", "y", "1", "true", "αληθές", "ενεργός", "ενεργή", "ενεργό",
                                "active", "x", "✓")}  # fmt: skip
_NO = {normalise(w) for w in ("όχι", "οχι", "ο", "no", "0", "false", "ψευδές", "ανενεργός", "ανενεργή",
                               "ανενεργό", "inactive", "OXI")}  # fmt: skip
# (Latin "OXI", Greek «ΟΧΙ» typed on a Latin keyboard, as "NAI" is «ΝΑΙ»: refused before, while NAI
# was read as yes.)


def _parse_bool(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    key = normalise(_text(value))
    if not key or key in _YES:
        return True
    if key in _NO:
        return False
    if key == "n":
        raise CellError(
            f"Η τιμή «{_text(value)}» είναι αμφίσημη (Ναι ή No;): γράψτε ναι ή όχι.",
            f"The value '{_text(value)}' is ambiguous (Greek Ναι or No?): write yes or no.",
        )
    raise CellError(
        f"Μη έγκυρη τιμή «{_text(value)}»: γράψτε ναι ή όχι.",
        f"Invalid value '{_text(value)}': write yes or no.",
    )


_ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "social_worker": ("κοινωνικός λειτουργός", "κοινωνική λειτουργός", "κοινωνικός/ή λειτουργός", "ΚΛ",
                      "Κ.Λ.", "κοινωνική εργασία", "social worker", "social_worker", "Κοιν. Λειτουργός",
                      "Κοιν. Λειτ.", "Κοιν. Λ.", "Κ. Λειτουργός", "Κοινων. Λειτουργός", "Κοιν. Λειτουργ.",
                      "soc. worker", "SW"),
    "psychologist": ("ψυχολόγος", "ψυχολόγος/ψυχολόγος", "psychologist", "ψυχολογική υποστήριξη", "ψυχ.",
                     "ψυχολ.", "psych."),
}  # fmt: skip
_ROLES = {normalise(n): code for code, names in _ROLE_NAMES.items() for n in names}
ROLE_EL = {"social_worker": "κοινωνικός λειτουργός", "psychologist": "ψυχολόγος", "driver": "οδηγός"}


def _parse_role(value: Cell) -> str:
    key = normalise(_text(value))
    if key in _ROLES:
        return _ROLES[key]
    raise CellError(
        f"Άγνωστη ειδικότητα «{_text(value)}»: γράψτε κοινωνικός λειτουργός ή ψυχολόγος.",
        f"Unknown role '{_text(value)}': write social worker or psychologist.",
    )


# The model's priority-group codes and the words offices write for them.
PRIORITY_GROUPS: dict[str, tuple[str, ...]] = {
    "kea": ("ΚΕΑ", "Κοινωνικό Εισόδημα Αλληλεγγύης", "δικαιούχος ΚΕΑ", "social solidarity income", "SSI"),
    "poverty": ("φτώχεια", "φτωχός", "οικονομική αδυναμία", "poverty"),
    "unemployed": ("άνεργος", "άνεργη", "ανεργία", "unemployed"),
    "child": ("παιδί", "παιδιά", "ανήλικος", "ανήλικη", "child", "children", "minor"),
    "disability": ("αναπηρία", "ΑμεΑ", "άτομο με αναπηρία", "disability", "disabled"),
    "elderly": ("ηλικιωμένος", "ηλικιωμένη", "υπερήλικας", "elderly", "senior"),
    "living_alone": ("μόνος", "μόνη", "ζει μόνος", "ζει μόνη", "μοναχικός", "living alone", "lives alone",
                     "alone"),
    "roma": ("Ρομά", "Roma"),
    "migrant": ("μετανάστης", "μετανάστρια", "πρόσφυγας", "αιτών άσυλο", "αιτούσα άσυλο", "migrant",
                "refugee", "asylum seeker"),
    "other_vulnerable": ("ευπαθής", "ευάλωτος", "άλλη ευπαθής ομάδα", "vulnerable", "other vulnerable"),
}  # fmt: skip
_PRIORITY = {normalise(n): code for code, names in PRIORITY_GROUPS.items() for n in (code, *names)}
PRIORITY_EL = {
    "kea": "ΚΕΑ", "poverty": "φτώχεια", "unemployed": "άνεργος", "child": "παιδί",
    "disability": "αναπηρία", "elderly": "ηλικιωμένος", "living_alone": "μόνος/μόνη", "roma": "Ρομά",
    "migrant": "μετανάστης", "other_vulnerable": "ευπαθής",
}  # fmt: skip


def parse_priority_groups(value: Cell) -> list[str]:
    """``"ΚΕΑ, αναπηρία, μόνος/μόνη"`` -> ``["disability", "kea", "living_alone"]`` (sorted)."""
    text = _text(value)
    groups: set[str] = set()
    for part in re.split(r"[,;/+]", text):
        key = normalise(part)
        if not key:
            continue
        if key not in _PRIORITY:
            raise CellError(
                f"Άγνωστη ομάδα προτεραιότητας «{part.strip()}»: επιτρέπονται "
                + ", ".join(PRIORITY_EL.values())
                + ".",
                f"Unknown priority group '{part.strip()}': allowed are " + ", ".join(PRIORITY_GROUPS) + ".",
            )
        groups.add(_PRIORITY[key])
    return sorted(groups)


def format_priority_groups(codes: Iterable[str]) -> str:
    """Model codes -> the Greek words the importer reads back."""
    return ", ".join(PRIORITY_EL.get(c, c) for c in codes)


_PLAN_STATUS = {
    **{normalise(w): "active" for w in ("", "ενεργό", "ενεργός", "ενεργή", "active", "ναι", "yes")},
    **{normalise(w): "paused" for w in ("σε αναστολή", "αναστολή", "σε παύση", "παύση", "ανενεργό", "paused",
                                        "on hold", "όχι", "no")},
}  # fmt: skip


def _parse_status(value: Cell) -> str:
    key = normalise(_text(value))
    if key in _PLAN_STATUS:
        return _PLAN_STATUS[key]
    raise CellError(
        f"Άγνωστη κατάσταση «{_text(value)}»: γράψτε ενεργό ή σε αναστολή.",
        f"Unknown status '{_text(value)}': write active or paused.",
    )


# --- validation ----------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return normalise(text)


@cache
def _header_keys(columns: tuple[Column, ...]) -> dict[str, str]:
    """Every name a header cell may give a column (normalised) -> the column's field."""
    keys: dict[str, str] = {}
    for c in columns:
        for name in (c.el, c.en, c.field, *c.aliases):
            keys.setdefault(_header_key(name), c.field)
    return keys


def _fields_named(cell: str, columns: tuple[Column, ...]) -> set[str]:
    """The fields a header cell names: its Greek name, English name, field name or an alias,
    or ``"Greek / English"``."""
    keys = _header_keys(columns)
    candidates = [cell, *cell.split("/")] if "/" in cell else [cell]
    return {keys[k] for k in (_header_key(c) for c in candidates) if k in keys}


def _match_header(
    header: Sequence[str], columns: tuple[Column, ...]
) -> tuple[dict[str, int], list[int], list[int]]:
    """Field -> position of the header cell naming it (:func:`_fields_named`); positions of
    unknown and repeated headers."""
    found: dict[str, int] = {}
    unknown: list[int] = []
    duplicates: list[int] = []
    for pos, cell in enumerate(header):
        if not cell.strip():
            continue
        fields = _fields_named(cell, columns)
        if len(fields) != 1:
            unknown.append(pos)
            continue
        name = fields.pop()
        if name in found:
            duplicates.append(pos)
        else:
            found[name] = pos
    return found, unknown, duplicates


@dataclass(frozen=True)
class _Person:
    """A beneficiary the register (``row`` ``None``) or an earlier row of the file holds: ID
    (``None``: a person added on the web without one), name and phone (``+30`` and 10 digits, or
    as stored when it is not a Greek number)."""

    external_id: str | None
    full_name: str
    phone: str | None
    row: int | None = None


def _name_words(name: str) -> list[str]:
    """A name's words as compared: accentless, case-folded, Greek in Latin letters (Greeklish
    ``Papadopoulou`` is ``Παπαδοπούλου``), loosely spelled (y/i, ai/e, double letters)."""
    return [loose_key(w) for w in normalise(name).split()]


def _name_key(name: str) -> tuple[str, ...]:
    """Two names are the same one when their keys are equal (any word order)."""
    return tuple(sorted(_name_words(name)))


def _share_a_word(a: str, b: str) -> bool:
    """Whether two names have a word in common (initials aside, unless a name has only those)."""
    words_a, words_b = ({w for w in _name_words(n) if len(w) > 1} or set(_name_words(n)) for n in (a, b))
    return bool(words_a & words_b)


def _stored_phone(phone: str | None) -> str | None:
    try:
        return normalise_phone(phone)
    except CellError:
        return phone


@dataclass
class _People:
    """Beneficiaries by ID, phone and name, for the warnings about a known ID under another
    name and about likely duplicates: the register's (built once per import), or the new ones
    of a file's rows so far with the register's in ``register``."""

    by_id: dict[str, _Person] = field(default_factory=dict)
    by_phone: dict[str, list[_Person]] = field(default_factory=dict)
    by_name: dict[tuple[str, ...], list[_Person]] = field(default_factory=dict)
    register: _People | None = None  # the register's people, when these are the file's

    def add(self, person: _Person) -> None:
        if person.external_id:
            self.by_id.setdefault(person.external_id, person)
        if person.phone:
            self.by_phone.setdefault(person.phone, []).append(person)
        key = _name_key(person.full_name)
        if key:
            self.by_name.setdefault(key, []).append(person)

    def known(self, external_id: str) -> _Person | None:
        """The register's person with this ID (``None``: a new ID)."""
        return (self.register or self).by_id.get(external_id)

    def alike(self, name: str, phone: str | None) -> list[tuple[_Person, bool, bool]]:
        """The people with this phone or this name: (person, same phone, same name), the
        register's first, then the file's in row order."""
        key = _name_key(name)
        found: dict[int, _Person] = {}
        for index in (self.register, self):
            if index is not None:
                for person in (*index.by_phone.get(phone or "", ()), *index.by_name.get(key, ())):
                    found.setdefault(id(person), person)
        people = sorted(found.values(), key=lambda p: (p.row is not None, p.row or 0))
        return [(p, bool(phone) and p.phone == phone, _name_key(p.full_name) == key) for p in people]


@dataclass
class _Context:
    """What validation reads from the register once: settlements, aliases, staff, people."""

    settlements: list[Settlement]
    aliases: dict[str, Sequence[str]]
    staff: list[Staff]
    bounds: tuple[float, float, float, float]
    plan_owners: dict[int, str | None] = field(default_factory=dict)  # care plan id -> beneficiary ID
    found: dict[str, Any] = field(default_factory=dict)
    exact: dict[str, set[str]] = field(default_factory=dict)
    people: list[_Person] = field(default_factory=list)  # the register's beneficiaries
    stop_ids: list[str] = field(default_factory=list)  # the register's village stops' IDs
    _people_index: _People | None = None
    _id_keys: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind -> ID key -> IDs

    def stored_ids(self, kind: Kind, external_id: str) -> list[str]:
        """The register's IDs of ``kind`` that ``external_id`` names: itself when stored as
        written, else those written otherwise (:func:`_id_key`: case, Greek or Latin letters,
        leading zeros)."""
        if kind not in self._id_keys:
            people = [p.external_id for p in self.people if p.external_id]
            ids = people if kind == "beneficiaries" else self.stop_ids
            index: dict[str, list[str]] = {}
            for stored in dict.fromkeys(ids):
                index.setdefault(stored, [stored])
                key = _id_key(stored)
                if stored not in index.setdefault("\0" + key, []):
                    index["\0" + key].append(stored)
            self._id_keys[kind] = index
        index = self._id_keys[kind]
        return index.get(external_id) or index.get("\0" + _id_key(external_id), [])

    def register_people(self) -> _People:
        """The register's beneficiaries by ID, phone and name (built on the first call)."""
        if self._people_index is None:
            self._people_index = _People()
            for person in self.people:
                self._people_index.add(person)
        return self._people_index

    @classmethod
    def load(cls, session: Session) -> _Context:
        rows = list(session.scalars(select(Settlement).order_by(Settlement.code)))
        staff = list(session.scalars(select(Staff).order_by(Staff.id)))
        if rows:  # the geocoder's box (docs/geocoding.md): it was 0.15° wider, and let Patras in
            from planner.register.geocode import BOUNDS_MARGIN_KM, Bounds

            box = Bounds.around(((s.lat, s.lon) for s in rows), BOUNDS_MARGIN_KM)
            bounds = (box.south, box.north, box.west, box.east)
        else:
            bounds = (-90.0, 90.0, -180.0, 180.0)
        owners = {
            plan_id: external_id
            for plan_id, external_id in session.execute(
                select(CarePlan.id, Beneficiary.external_id).join(Beneficiary)
            )
        }
        people = [
            _Person(external_id, full_name, _stored_phone(phone))
            for external_id, full_name, phone in session.execute(
                select(Beneficiary.external_id, Beneficiary.full_name, Beneficiary.phone).order_by(
                    Beneficiary.id
                )
            )
        ]
        stop_ids = [e for e in session.scalars(select(VillageStop.external_id).order_by(VillageStop.id)) if e]
        return cls(rows, {s.code: list(s.aliases or ()) for s in rows}, staff, bounds, owners, people=people,
                   stop_ids=stop_ids)  # fmt: skip

    def settlement_named(self, name: Cell, code: Cell) -> Settlement | None:
        """The settlement a row names by its name alone (no ELSTAT code), when found."""
        if _text(code) or not _text(name):
            return None
        match = self._find(_text(name))
        return match.settlement if match.found else None

    def settlement(self, name: Cell, code: Cell) -> str:
        """The ELSTAT code of the settlement a row names (by code or by name)."""
        code_text = _text(code)
        if code_text:
            if code_text not in {s.code for s in self.settlements}:
                raise CellError(
                    f"Ο κωδικός ΕΛΣΤΑΤ «{code_text}» δεν είναι οικισμός του δήμου.",
                    f"The ELSTAT code '{code_text}' is not a settlement of the municipality.",
                )
            named = self._find(_text(name)) if _text(name) else None
            if named is not None and named.found and named.settlement.code != code_text:
                raise CellError(
                    f"Ο οικισμός «{_text(name)}» ({named.settlement.code}) δεν συμφωνεί με τον κωδικό ΕΛΣΤΑΤ "
                    f"«{code_text}».",
                    f"The settlement '{_text(name)}' ({named.settlement.code}) disagrees with the ELSTAT "
                    f"code '{code_text}'.",
                )
            return code_text
        query = _text(name)
        if not query:
            raise CellError(
                "Λείπει ο οικισμός (όνομα ή κωδικός ΕΛΣΤΑΤ).",
                "The settlement is missing (name or ELSTAT code).",
            )
        match = self._find(query)
        if not match.found:
            raise CellError(match.message_el, match.message_en)
        return str(match.settlement.code)

    def _find(self, query: str) -> Any:
        """:func:`find_settlement`, cached per query, with a fast path for exact names.

        ``find_settlement`` rebuilds its name index on every call (~10 ms for 140 settlements);
        an exact, unique name without a municipal-unit hint is what its first tier answers
        anyway, so it is looked up in an index built once.
        """
        if query not in self.found:
            if not self.exact:
                for s in self.settlements:
                    for name in {
                        normalise(n) for n in (s.name_el, s.name_latin, *self.aliases.get(s.code, ())) if n
                    }:
                        self.exact.setdefault(name, set()).add(s.code)
            codes = self.exact.get(normalise(query), set()) if not re.search(r"[(,]", query) else set()
            if len(codes) == 1:
                (code,) = codes
                settlement = next(s for s in self.settlements if s.code == code)
                self.found[query] = Match(query, "found", settlement=settlement)
            else:
                self.found[query] = find_settlement(query, self.settlements, self.aliases)
        return self.found[query]

    def plan_id(self, value: Cell, person: str) -> int | None:
        """The register id of the care plan a row names (``cp-12`` or ``12``), which must be a
        plan of ``person`` (the row's beneficiary ID); ``None`` when the cell is empty."""
        text = _text(value)  # an Excel number 12.0 reads "12"
        if not text:
            return None
        found = re.fullmatch(r"(?:cp-?)?\s*(\d+)", text, flags=re.IGNORECASE)
        if found is None:
            raise CellError(
                f"Ο κωδικός πλάνου «{text}» δεν είναι της μορφής cp-<αριθμός>.",
                f"The plan ID '{text}' is not of the form cp-<number>.",
            )
        number = int(found.group(1))
        owner = self.plan_owners.get(number)
        if number not in self.plan_owners:
            plan = _PLAN_REF.el
            raise CellError(
                f"{_UNKNOWN_PLAN_EL} cp-{number} στο μητρώο. Με κενό «{plan}» η γραμμή ενημερώνει το πλάνο "
                "της ίδιας υπηρεσίας του ωφελούμενου ή προσθέτει νέο (αν το αρχείο είναι εξαγωγή άλλου "
                f"μητρώου, αδειάστε τη στήλη «{plan}»).",
                f"There is no care plan cp-{number} in the register. With an empty '{_PLAN_REF.en}' the row "
                "updates the beneficiary's plan of the same service or adds a new one (if the file is an "
                f"export of another register, empty the column '{_PLAN_REF.en}').",
            )
        if owner != person:
            raise CellError(
                f"Το πλάνο cp-{number} ανήκει στον ωφελούμενο «{owner}», όχι στον «{person}».",
                f"The care plan cp-{number} belongs to beneficiary '{owner}', not to '{person}'.",
            )
        return number

    def staff_id(self, value: Cell) -> int | None:
        text = _text(value)
        if not text:
            return None
        hits = [s for s in self.staff if s.external_id == text] or [
            s for s in self.staff if normalise(s.name) == normalise(text)
        ]
        if len(hits) == 1:
            return hits[0].id
        if hits:
            raise CellError(
                f"Περισσότεροι από ένας υπάλληλοι λέγονται «{text}»: δώστε τον κωδικό τους.",
                f"More than one staff member is called '{text}': give their ID.",
            )
        raise CellError(
            f"Άγνωστος υπάλληλος «{text}»: προσθέστε τον πρώτα στο μητρώο (`kinito staff add` ή σελίδα "
            "«Προσωπικό») ή αδειάστε το κελί.",
            f"Unknown staff member '{text}': add them to the register first (`kinito staff add` or the "
            "'Staff' page), or empty the cell.",
        )


_SURNAME_HEADERS = frozenset(_header_key(h) for h in ("Επώνυμο", "Surname", "Last name", "Family name"))
_GIVEN_HEADERS = frozenset(_header_key(h) for h in ("Όνομα", "Name", "First name", "Given name"))


def _split_name(header: Sequence[str], positions: dict[str, int], unknown: list[int]) -> int | None:
    """The position of a «Επώνυμο» column beside an «Όνομα» one (the usual layout of a Greek
    office's lists), when the file has no «Ονοματεπώνυμο»: the name is the two joined, surname
    first. Before, «Όνομα» was taken for the full name and «Επώνυμο» ignored with a warning:
    people were stored by their first name alone."""
    given = positions.get("full_name")
    if given is None or _header_key(header[given]) not in _GIVEN_HEADERS:
        return None
    return next((pos for pos in unknown if _header_key(header[pos]) in _SURNAME_HEADERS), None)


def _validate_rows(table: Table, kind: Kind, ctx: _Context, report: ImportReport) -> list[dict[str, Any]]:
    """Each data row -> the values to write (field -> value); issues go to ``report``."""
    columns = columns_for(kind)
    positions, unknown, repeated = _match_header(table.header, columns)
    surname = _split_name(table.header, positions, unknown) if kind == "beneficiaries" else None
    if surname is not None:
        unknown = [pos for pos in unknown if pos != surname]
    row_numbers = [pos for pos in unknown if _is_row_number_header(table.header[pos])]
    unknown = [pos for pos in unknown if pos not in row_numbers]
    whose_el, whose_en = ("ωφελούμενου", "beneficiary") if kind == "beneficiaries" else ("στάσης", "stop")
    for pos in row_numbers:
        name = table.header[pos]
        report.warn(
            table.header_row, name, name,
            f"Η στήλη «{name}» είναι αύξων αριθμός γραμμής, όχι κωδικός: αγνοείται (ο κωδικός κάθε "
            f"{whose_el} διαβάζεται από τη στήλη «{_ID.el}»).",
            f"The column '{name}' is a running row number, not an ID: ignored (each {whose_en}'s ID is "
            f"read from the column '{_ID.en}').",
        )  # fmt: skip
    for pos in unknown:
        name = table.header[pos]
        report.warn(
            table.header_row,
            name,
            name,
            f"Άγνωστη στήλη «{name}»: αγνοείται.",
            f"Unknown column '{name}': ignored.",
        )
    by_name = {c.field: c for c in columns}
    for pos in repeated:
        name = table.header[pos]
        same_fields = _fields_named(name, columns)
        first = next(
            (table.header[p] for f, p in positions.items()
             if f in same_fields and _header_key(table.header[p]) != _header_key(name)),
            None,
        )  # fmt: skip
        if first is None:
            report.error(
                table.header_row,
                name,
                name,
                f"Η στήλη «{name}» εμφανίζεται δεύτερη φορά.",
                f"The column '{name}' appears twice.",
            )
            continue
        column = by_name[next(iter(same_fields))]
        report.error(  # «Τηλέφωνο» and «Κινητό»: two names of one column, not the same header twice
            table.header_row,
            name,
            name,
            f"Οι στήλες «{first}» και «{name}» είναι η ίδια στήλη του μητρώου («{column.el}»): κρατήστε μία.",
            f"The columns '{first}' and '{name}' are the same register column ('{column.en}'): keep one.",
        )
    for c in columns:
        if c.field == "external_id" and c.field not in positions and row_numbers:
            name = table.header[row_numbers[0]]
            report.error(
                table.header_row, c.el, "",
                f"Λείπει η υποχρεωτική στήλη «{c.el}». Η στήλη «{name}» είναι αύξων αριθμός γραμμής και δεν "
                "γίνεται κωδικός: αλλάζει όταν προστεθεί ή σβηστεί μια γραμμή, και η εισαγωγή θα έδινε τα "
                f"στοιχεία ενός ατόμου σε άλλο. Προσθέστε στήλη «{c.el}» με τον μόνιμο κωδικό καθενός (αν οι "
                f"αριθμοί της «{name}» είναι ήδη μόνιμοι κωδικοί του γραφείου, μετονομάστε τη σε «{c.el}»).",
                f"The required column '{c.en}' is missing. The column '{name}' is a running row number and "
                "cannot be the ID: it changes when a row is added or deleted, and the import would give one "
                f"person's details to another. Add a column '{c.en}' («{c.el}») with each one's permanent "
                f"ID (if the numbers in '{name}' are already the office's permanent IDs, rename it to "
                f"«{c.el}»).",
            )  # fmt: skip
        elif c.required and c.field not in positions:
            report.error(
                table.header_row,
                c.el,
                "",
                f"Λείπει η υποχρεωτική στήλη «{c.el}».",
                f"The required column '{c.en}' is missing.",
            )
    if "settlement" not in positions and "elstat_code" not in positions:
        report.error(
            table.header_row, _SETTLEMENT.el, "",
            f"Λείπει η στήλη «{_SETTLEMENT.el}» (ή «{_ELSTAT.el}»).",
            f"The column '{_SETTLEMENT.en}' (or '{_ELSTAT.en}') is missing.",
        )  # fmt: skip
    if ("lat" in positions) != ("lon" in positions):
        report.error(
            table.header_row, None, "", "Οι στήλες γεωγραφικού πλάτους και μήκους πάνε μαζί.",
            "The latitude and longitude columns go together.",
        )  # fmt: skip
    if not report.ok:
        return []

    def cell(values: list[Cell], name: str) -> Cell:
        pos = positions.get(name)
        value = values[pos] if pos is not None and pos < len(values) else None
        if name == "full_name" and surname is not None:  # «Επώνυμο» «Όνομα» -> «Επώνυμο Όνομα»
            family = values[surname] if surname < len(values) else None
            value = " ".join(t for t in (_text(family), _text(value)) if t)
        return value

    seen: dict[str, int] = {}
    earlier: dict[str, list[dict[str, Any]]] = {}  # beneficiaries: ID -> its valid rows so far
    first_names: dict[str, tuple[int, str | None]] = {}  # beneficiaries: ID -> its first row, the name there
    people = _People(register=ctx.register_people()) if kind == "beneficiaries" else _People()
    renamed: list[tuple[int, str, str, str]] = []  # known IDs under another name: (row, ID, stored, file)
    told: set[str] = set()  # IDs written otherwise than the register's, already said
    out: list[dict[str, Any]] = []
    for number, values in table.rows:
        if _example_row(number, values, cell, positions, table, kind, report):
            continue
        report.rows += 1
        if _too_many_cells(values, table) and any(not _blank(v) for v in values[len(table.header) :]):
            _report_cell_count(number, values, table, kind, ctx, report)  # the cells are shifted:
            continue  # their own errors would mislead
        row: dict[str, Any] = {"_row": number}
        errors_before = len(report.errors)
        issues_before = len(report.issues)

        def take(name: str, parse: Callable[[Cell], Any], values: list[Cell] = values, number: int = number,
                 row: dict[str, Any] = row) -> None:  # fmt: skip
            if name not in positions:
                return
            raw = cell(values, name)
            try:
                row[name] = parse(raw)
            except CellError as exc:
                report.error(number, table.header[positions[name]], raw, exc.el, exc.en)

        ext = _text(cell(values, "external_id"))
        if ext:
            ext = _register_id(ext, kind, ctx, report, number, table.header[positions["external_id"]], told)
        if not ext:
            report.error(
                number, table.header[positions["external_id"]], "",
                f"Λείπει ο κωδικός (στήλη «{_ID.el}»).", f"The ID is missing (column '{_ID.en}').",
            )  # fmt: skip
        elif ext in seen and kind == "stops":
            report.error(
                number, table.header[positions["external_id"]], ext,
                f"Ο κωδικός «{ext}» εμφανίζεται ξανά (πρώτη φορά στη γραμμή {seen[ext]}).",
                f"The ID '{ext}' appears again (first in row {seen[ext]}).",
            )  # fmt: skip
        elif ext in seen:
            pass  # a beneficiary's further care plan: checked against the first row below
        elif len(ext) > 64:
            report.error(
                number, table.header[positions["external_id"]], ext,
                "Ο κωδικός έχει πάνω από 64 χαρακτήρες.", "The ID is longer than 64 characters.",
            )  # fmt: skip
        else:
            seen[ext] = number
        row["external_id"] = ext
        try:
            row["settlement_code"] = ctx.settlement(cell(values, "settlement"), cell(values, "elstat_code"))
            named = ctx.settlement_named(cell(values, "settlement"), cell(values, "elstat_code"))
            if named is not None:
                report.guessed(number, _text(cell(values, "settlement")), named)
        except CellError as exc:
            by_code = "elstat_code" in positions and bool(_text(cell(values, "elstat_code")))
            name = "elstat_code" if by_code or "settlement" not in positions else "settlement"
            report.error(number, table.header[positions[name]], cell(values, name), exc.el, exc.en)
        take("active", _parse_bool)
        if kind == "stops":
            take("duration_min", lambda v: _parse_duration(v, stop_duration_problem))
            take("frequency", parse_frequency)
            take("place", _optional_text(200))
            headers = {f: table.header[p] for f, p in positions.items()}
            take("announced_times", partial(parse_times, column=headers.get("announced_times", ""),
                                            duration_column=headers.get("duration_min", "")))  # fmt: skip
            take("usual_weekday", _stop_weekday)
            take("required_role", lambda v: _parse_role(v) if _text(v) else "social_worker")
            _check_stop(row, values, cell, positions, table, report, number)
        else:
            _beneficiary_cells(row, take, values, cell, positions, table, ctx, report, number)
            if seen.get(ext) == number:
                first_names[ext] = (number, row.get("full_name"))  # even when the row has errors of its own
            if ext in seen and seen[ext] != number and len(report.errors) == errors_before:
                named_first = first_names.get(ext)
                _check_repeated_person(row, earlier.get(ext, []), positions, table, report, named_first)
            if ext and len(report.errors) == errors_before:
                if seen.get(ext) == number:
                    _check_identity(row, people, positions, table, report, renamed)
                earlier.setdefault(ext, []).append(row)
        if len(report.errors) == errors_before:
            out.append(row)
        elif _too_many_cells(values, table):  # empty cells past the header, and errors: shifted
            del report.issues[issues_before:]
            _report_cell_count(number, values, table, kind, ctx, report)
        elif table.delimiter is not None and len(values) < len(table.header):
            _hint_missing_cells(number, values, table, report, issues_before)
    _refuse_mass_renaming(renamed, len(first_names), positions, table, report)
    if kind == "beneficiaries" and "plan_ref" in positions:
        _gather_unknown_plans(table.header[positions["plan_ref"]], report)
    return out


UNKNOWN_PLANS = 3
"""More rows than this naming care plans the register lacks are one error, not one a row."""


def _gather_unknown_plans(header: str, report: ImportReport) -> None:
    """Rows naming plan IDs (``cp-90``) that the register does not have: when there are more
    than :data:`UNKNOWN_PLANS`, one error in their place says that the file most likely comes
    from another register (an export imported into a new one) and what to do, instead of the
    same error on every row."""
    unknown = [
        i for i in report.issues
        if i.severity == "error" and i.column == header and i.message_el.startswith(_UNKNOWN_PLAN_EL)
    ]  # fmt: skip
    if len(unknown) <= UNKNOWN_PLANS:
        return
    first = report.issues.index(unknown[0])
    gone = {id(i) for i in unknown}
    report.issues[:] = [i for i in report.issues if id(i) not in gone]
    shown = ", ".join(i.value for i in unknown[:3])
    rows = ", ".join(str(i.row) for i in unknown[:10]) + (" …" if len(unknown) > 10 else "")
    report.issues.insert(first, Issue(
        None, header, "",
        f"{len(unknown)} γραμμές (γραμμές {rows}) αναφέρονται σε πλάνα φροντίδας που δεν υπάρχουν σε αυτό το "
        f"μητρώο ({shown} …, στη στήλη «{header}»): το αρχείο είναι μάλλον εξαγωγή άλλου μητρώου. Για να το "
        f"εισαγάγετε εδώ (π.χ. σε νέο μητρώο), αδειάστε τη στήλη «{header}» ή σβήστε την: τότε κάθε γραμμή "
        "ενημερώνει το πλάνο της ίδιας υπηρεσίας του ωφελούμενου ή προσθέτει νέο πλάνο.",
        f"{len(unknown)} rows (rows {rows}) name care plans this register does not have ({shown} …, in "
        f"the column '{header}'): the file is most likely an export of another register. To import it "
        f"here (into a new register, say), empty the column '{header}' or delete it: then each row "
        "updates the beneficiary's plan of the same service or adds a new plan.",
    ))  # fmt: skip


def _register_id(
    ext: str, kind: Kind, ctx: _Context, report: ImportReport, number: int, header: str, told: set[str]
) -> str:
    """The ID a row's ID cell names: the register's own when written otherwise (``KA-1`` in
    Latin letters for the stored ``ΚΑ-1``, ``κα-1``, an Excel number ``42`` for ``0042``) and
    exactly one stored ID is so written, with a warning (once per ID); else as written (a new
    ID), with an error when it could be several stored IDs."""
    stored = ctx.stored_ids(kind, ext)
    if stored == [ext] or not stored:
        return ext
    if len(stored) > 1:
        names = ", ".join(f"«{s}»" for s in stored)
        report.error(
            number, header, ext,
            f"Ο κωδικός «{ext}» μοιάζει με περισσότερους από έναν κωδικούς του μητρώου ({names}): γράψτε "
            "τον ακριβώς όπως στο μητρώο.",
            f"The ID '{ext}' looks like more than one ID of the register ({names}): write it exactly as "
            "the register has it.",
        )  # fmt: skip
        return ext
    (found,) = stored
    if ext not in told:
        told.add(ext)
        report.warn(
            number, header, ext,
            f"Ο κωδικός «{ext}» είναι γραμμένος αλλιώς από τον κωδικό «{found}» του μητρώου (κεφαλαία ή "
            f"πεζά, ελληνικά ή λατινικά γράμματα, μηδενικά μπροστά): θεωρείται ο «{found}».",
            f"The ID '{ext}' is written otherwise than the register's ID '{found}' (upper or lower case, "
            f"Greek or Latin letters, leading zeros): it is taken to be '{found}'.",
        )  # fmt: skip
    return found


MASS_RENAMING = 3
"""This many known IDs under an entirely other name (or two, when they are over a fifth of the
file's people) refuse the file: its IDs most likely belong to other people (a row number taken
for the ID, a list re-numbered), and the import would give the stored people, with their care
plans and history, the names and details of others."""


def _refuse_mass_renaming(
    renamed: Sequence[tuple[int, str, str, str]],
    people: int,
    positions: Mapping[str, int],
    table: Table,
    report: ImportReport,
) -> None:
    """One error, before the rows' own warnings, when :data:`MASS_RENAMING` or more known IDs
    (or two that are over 20 % of the file's people) come with an entirely other name."""
    n = len(renamed)
    if n < MASS_RENAMING and not (n >= 2 and n * 5 > people):
        return
    shown = renamed[:3]
    examples = "; ".join(f"{ext}: «{old}» → «{new}»" for _row, ext, old, new in shown)
    more = len(renamed) - len(shown)
    more_el = f" και ακόμη {more}" if more else ""
    more_en = f" and {more} more" if more else ""
    rows = ", ".join(str(r) for r, *_ in renamed[:10]) + (" …" if n > 10 else "")
    header = table.header[positions["external_id"]]
    report.issues.insert(0, Issue(
        None, header, "",
        f"{n} κωδικοί του μητρώου έρχονται στο αρχείο με εντελώς άλλο όνομα ({examples}{more_el}· "
        f"γραμμές {rows}): μάλλον οι κωδικοί της στήλης «{header}» ανήκουν σε άλλα πρόσωπα (αρίθμηση "
        "γραμμών; κωδικοί που ξαναδόθηκαν;). Η εισαγωγή θα έδινε στους ωφελούμενους του μητρώου, με τα "
        "πλάνα και το ιστορικό τους, τα ονόματα και τα στοιχεία άλλων: δεν εισάγεται. Ελέγξτε ότι κάθε "
        "γραμμή έχει τον μόνιμο κωδικό του ατόμου της.",
        f"{n} IDs of the register come in the file with an entirely other name ({examples}{more_en}; rows "
        f"{rows}): most likely the IDs in the column '{header}' belong to other people (row numbers? IDs "
        "given again?). The import would give the register's beneficiaries, with their care plans and "
        "history, the names and details of others: it is refused. Check that each row has its person's "
        "permanent ID.",
    ))  # fmt: skip


def _example_row(
    number: int,
    values: list[Cell],
    cell: Callable[[list[Cell], str], Cell],
    positions: Mapping[str, int],
    table: Table,
    kind: Kind,
    report: ImportReport,
) -> bool:
    """Whether a row is the templates' example row (its ID :data:`EXAMPLE_ID`, or the example of
    the templates shipped before it, Ω-0001 «Παπαδοπούλου Μαρία» with the phone 6900000001):
    then a warning says that it is skipped, and it is neither imported nor counted."""
    ext = _text(cell(values, "external_id"))
    old = False
    if not is_example_id(ext):
        if kind != "beneficiaries" or ext != _OLD_EXAMPLE[0]:
            return False
        try:
            phone = normalise_phone(cell(values, "phone"))
        except CellError:
            return False
        if (normalise(_text(cell(values, "full_name"))), phone) != _OLD_EXAMPLE[1:]:
            return False
        old = True
    report.examples += 1
    which_el = "του παλιού προτύπου (Ω-0001, Παπαδοπούλου Μαρία, 6900000001)" if old else "του προτύπου"
    which_en = "of the old template (Ω-0001, Παπαδοπούλου Μαρία, 6900000001)" if old else "of the template"
    report.warn(
        number, table.header[positions["external_id"]], ext,
        f"Η γραμμή-παράδειγμα {which_el} δεν εισάγεται: σβήστε την και γράψτε τα δικά σας στοιχεία "
        "στις γραμμές του αρχείου.",
        f"The example row {which_en} is not imported: delete it and write your own details in the "
        "file's rows.",
    )  # fmt: skip
    return True


def _check_identity(
    row: Mapping[str, Any],
    people: _People,
    positions: Mapping[str, int],
    table: Table,
    report: ImportReport,
    renamed: list[tuple[int, str, str, str]] | None = None,
) -> None:
    """A beneficiary's first valid row: a warning (the import goes on) when its known ID comes
    with an entirely other name (no word in common, accents and case aside), or when a new ID
    has the phone or the name (accents, word order and Greeklish aside) of someone in the
    register or earlier in the file; then the row's person joins ``people``. A known ID under
    another name is also added to ``renamed`` (many of them refuse the file)."""
    ext, number, name = row["external_id"], row["_row"], row.get("full_name")
    if not name:
        return
    name_header = table.header[positions["full_name"]]
    phone = row.get("phone")
    known = people.known(ext)
    if known is not None:
        if not _share_a_word(known.full_name, name):
            if renamed is not None:
                renamed.append((number, ext, known.full_name, name))
            report.warn(
                number, name_header, name,
                f"Άλλο όνομα για τον ίδιο κωδικό «{ext}» (στο μητρώο: «{known.full_name}»): ελέγξτε ότι "
                "είναι το ίδιο πρόσωπο. Η εισαγωγή θα αλλάξει το όνομα και όσα άλλα στοιχεία του διαφέρουν.",
                f"Another name for the same ID '{ext}' (the register has '{known.full_name}'): check that "
                "it is the same person. The import will change the name and any other details that differ.",
            )  # fmt: skip
        return
    alike = people.alike(name, phone)
    if alike:
        other, same_phone, same_name = alike[0]
        if same_phone and same_name:
            why_el, why_en = "ίδιο όνομα και τηλέφωνο", "the same name and phone"
        elif same_phone:
            why_el, why_en = "ίδιο τηλέφωνο", "the same phone"
        else:
            why_el, why_en = "ίδιο όνομα", "the same name"
        if other.row is not None:
            where_el = f" ({other.external_id}, γραμμή {other.row} του αρχείου)"
            where_en = f" ({other.external_id}, row {other.row} of the file)"
        elif other.external_id:
            where_el = f" ({other.external_id}) του μητρώου"
            where_en = f" ({other.external_id}) in the register"
        else:
            where_el, where_en = " του μητρώου (χωρίς κωδικό)", " in the register (without an ID)"
        if other.external_id:
            then_el = f"γράψτε στη γραμμή τον κωδικό «{other.external_id}»"
            then_en = f"write the ID '{other.external_id}' in the row"
        else:
            then_el = f"δώστε πρώτα σε αυτό το πρόσωπο τον κωδικό «{ext}» στο μητρώο (σελίδα ωφελούμενου)"
            then_en = f"first give that person the ID '{ext}' in the register (the beneficiary's page)"
        more_el = f" (και ακόμη {len(alike) - 1})" if len(alike) > 1 else ""
        more_en = f" (and {len(alike) - 1} more)" if len(alike) > 1 else ""
        column = "phone" if same_phone and not same_name else "full_name"
        report.warn(
            number, table.header[positions[column]], format_phone(phone) if column == "phone" else name,
            f"Πιθανό διπλότυπο του «{other.full_name}»{where_el}{more_el}: {why_el}. Αν είναι το ίδιο "
            f"πρόσωπο, {then_el}· αλλιώς η γραμμή θα προστεθεί ως νέο πρόσωπο.",
            f"Possibly a duplicate of '{other.full_name}'{where_en}{more_en}: {why_en}. If it is the same "
            f"person, {then_en}; otherwise the row is added as a new person.",
        )  # fmt: skip
    people.add(_Person(ext, name, phone, number))


def _too_many_cells(values: Sequence[Cell], table: Table) -> bool:
    """Whether a CSV row has more cells than the header (an XLSX row's cells past the header
    are notes beside the table, ignored)."""
    return table.delimiter is not None and len(values) > len(table.header)


def _separator(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else f"«{delimiter}»"


def _report_cell_count(
    number: int, values: list[Cell], table: Table, kind: Kind, ctx: _Context, report: ImportReport
) -> None:
    """A CSV row with more cells than the header: one error saying so, most likely a value with
    the separator in it, unquoted (``9.30-11; 14-16`` in a ``;`` file), which shifted every
    later cell into the next column. When joining back exactly one pair (or run) of cells makes
    the row valid, the error names that column and value."""
    delimiter = table.delimiter or ";"
    n, m = len(values), len(table.header)
    extra = n - m
    located: list[tuple[int, str, bool]] = []  # (position, joined value, spaced after the separator)
    for i in range(m):
        parts = [str(p) for p in values[i : i + extra + 1]]
        if any(_blank(p) for p in parts):
            continue
        joined = delimiter.join(parts)
        trial = ImportReport(report.path, kind)
        _validate_rows(Table(table.header, [(number, [*values[:i], joined, *values[i + extra + 1 :]])],
                             delimiter=delimiter), kind, ctx, trial)  # fmt: skip
        if trial.ok:
            located.append((i, joined, all(p[:1].isspace() for p in parts[1:])))
    if len(located) > 1 and sum(spaced for *_, spaced in located) == 1:
        located = [c for c in located if c[2]]  # "9.30-11; 14-16": typed by hand, with a space
    column, value = None, ""
    what_el, what_en = "μια τιμή", "a value"
    if len(located) == 1:
        i, value, _ = located[0]
        column = table.header[i]
        what_el = f"η τιμή «{value}» της στήλης «{column}»"
        what_en = f"the value '{value}' of the column '{column}'"
    elif located:
        names = ", ".join(f"«{table.header[i]}»" for i, *_ in located)
        what_el = f"μια τιμή (σε μία από τις στήλες {names})"
        what_en = f"a value (in one of the columns {names})"
    sep = _separator(delimiter)
    other = "«,»" if delimiter != "," else "«;»"
    report.error(
        number, column, value,
        f"Η γραμμή έχει {n} κελιά, ενώ η επικεφαλίδα έχει {m}: {what_el} περιέχει μάλλον το "
        f"διαχωριστικό {sep} χωρίς εισαγωγικά, και οι επόμενες τιμές πέρασαν στην επόμενη στήλη. Βάλτε "
        f"την τιμή σε εισαγωγικά (\"…\") ή γράψτε τη με {other} αντί για {sep}, ή αποθηκεύστε το αρχείο "
        "ως .xlsx.",
        f"The row has {n} cells where the header has {m}: {what_en} most likely holds the separator "
        f"{sep} unquoted, and the later values moved into the next column. Put the value in quotes "
        f"(\"…\") or write it with {other} instead of {sep}, or save the file as .xlsx.",
    )  # fmt: skip


def _hint_missing_cells(number: int, values: list[Cell], table: Table, report: ImportReport, at: int) -> None:
    """A CSV row with fewer cells than the header reads the missing ones as empty (Excel leaves
    out a row's trailing empty cells); when that row has errors, a warning put before them
    (at ``at`` in the issues) says so: a lost separator moves the later values left."""
    n, m = len(values), len(table.header)
    first = table.header[n]
    sep = _separator(table.delimiter or ";")
    hint = Issue(
        number, first, "",
        f"Η γραμμή έχει {n} κελιά, ενώ η επικεφαλίδα έχει {m}: οι στήλες από την «{first}» και μετά "
        f"διαβάστηκαν κενές. Αν οι τιμές της γραμμής βρίσκονται μια στήλη πιο αριστερά, λείπει ένα "
        f"διαχωριστικό {sep} ή δύο τιμές ενώθηκαν σε μία.",
        f"The row has {n} cells where the header has {m}: the columns from '{first}' on were read as "
        f"empty. If the row's values sit one column too far left, a separator {sep} is missing or two "
        "values were joined into one.",
        "warning",
    )  # fmt: skip
    report.issues.insert(at, hint)


_PERSON_FIELDS = ("full_name", "settlement_code", "address", "lat", "lon", "phone", "priority_groups",
                  "notes", "active")  # fmt: skip


def _same_plan(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two rows of one beneficiary would write the same care plan (or no plan)."""
    if a.get("service") is None or b.get("service") is None:
        return True
    if a.get("plan_ref") is not None and b.get("plan_ref") is not None:
        return bool(a["plan_ref"] == b["plan_ref"])
    return normalise(a["service"]) == normalise(b["service"])


def _check_repeated_person(
    row: dict[str, Any],
    earlier: Sequence[dict[str, Any]],
    positions: Mapping[str, int],
    table: Table,
    report: ImportReport,
    first_named: tuple[int, str | None] | None = None,
) -> None:
    """A beneficiary's ID on a further row: allowed for another care plan (another service, or
    another plan ID), with the same personal details as the ID's first row. Another name than
    on the ID's first row (``first_named``: its row and name, even when that row had errors of
    its own) is said to be another person with the same ID, not a care plan repeated."""
    ext, number = row["external_id"], row["_row"]
    name = row.get("full_name")
    if first_named is not None and first_named[1] and name and normalise(first_named[1]) != normalise(name):
        report.error(
            number, table.header[positions["full_name"]], name,
            f"Ο κωδικός «{ext}» είναι ήδη του/της «{first_named[1]}» (γραμμή {first_named[0]}): δύο άτομα με "
            "τον ίδιο κωδικό; Δώστε σε καθένα τον δικό του.",
            f"The ID '{ext}' already belongs to '{first_named[1]}' (row {first_named[0]}): two people with "
            "one ID? Give each their own.",
        )  # fmt: skip
        return
    if not earlier:  # the earlier rows had errors of their own: reported there
        return
    clash = next((r for r in earlier if _same_plan(r, row)), None)
    if clash is not None:
        report.error(
            number, table.header[positions["external_id"]], ext,
            f"Ο κωδικός «{ext}» εμφανίζεται ξανά (πρώτη φορά στη γραμμή {clash['_row']}) χωρίς άλλο πλάνο "
            "φροντίδας: μία γραμμή ανά πλάνο, με άλλη υπηρεσία ή άλλον κωδικό πλάνου.",
            f"The ID '{ext}' appears again (first in row {clash['_row']}) without another care plan: one row "
            "per plan, with another service or another plan ID.",
        )  # fmt: skip
        return
    first = earlier[0]
    first_number = first["_row"]

    def typed(row_number: int, column: str) -> str:  # the cell as the file writes it
        values = next((v for n, v in table.rows if n == row_number), [])
        pos = positions.get(column)
        return _text(values[pos]) if pos is not None and pos < len(values) else ""

    for name in _PERSON_FIELDS:
        if row.get(name) != first.get(name):
            column = "settlement" if name == "settlement_code" and "settlement" in positions else name
            header = table.header[positions[column]] if column in positions else name
            here, there = typed(number, column), typed(first_number, column)  # «Αίγιο», not 3702010101
            report.error(
                number, header, here or _show(row.get(name)),
                f"Ο ωφελούμενος «{ext}» έχει εδώ άλλη τιμή από τη γραμμή {first_number} («{there}»): τα "
                "στοιχεία του ατόμου είναι ίδια σε όλες τις γραμμές του.",
                f"Beneficiary '{ext}' has another value here than in row {first_number} ('{there}'): the "
                "person's details are the same on all of their rows.",
            )  # fmt: skip


def _single_weekday(value: Cell) -> int | None:
    days = parse_weekdays(value)
    if len(days) > 1:
        raise CellError(f"Μία ημέρα μόνο, όχι «{_text(value)}».", f"One weekday only, not '{_text(value)}'.")
    return days[0] if days else None


def _stop_weekday(value: Cell) -> int | None:
    """A stop's usual weekday: one day, one the Centre works."""
    day = _single_weekday(value)
    _refuse(stop_weekday_problem(day))
    return day


def _allowed_weekdays(value: Cell) -> list[int]:
    """A care plan's allowed weekdays: at least one of them a day the Centre works."""
    days = parse_weekdays(value)
    _refuse(care_plan_weekdays_problem(days))
    return days


def _refuse_cell(
    report: ImportReport,
    number: int,
    table: Table,
    positions: Mapping[str, int],
    values: list[Cell],
    cell: Callable[[list[Cell], str], Cell],
    column: str,
    problem: Problem | None,
) -> None:
    """Report a rule's problem (:mod:`planner.register.rules`), if any, on row ``number``'s
    cell of ``column``."""
    if problem is not None:
        report.error(number, table.header[positions[column]], cell(values, column), problem.el, problem.en)


def _check_stop(
    row: dict[str, Any],
    values: list[Cell],
    cell: Callable[[list[Cell], str], Cell],
    positions: Mapping[str, int],
    table: Table,
    report: ImportReport,
    number: int,
) -> None:
    """The rules between a stop's cells, each read without error: every announced time fits the
    stop into the Centre's hours; a weekly stop comes at most once a working day."""

    refuse = partial(_refuse_cell, report, number, table, positions, values, cell)

    duration = row.get("duration_min")
    if row.get("announced_times") and isinstance(duration, int):
        refuse("announced_times", announced_time_problem(row["announced_times"], duration))
    if "frequency" in row:
        kind, count = row["frequency"]
        refuse("frequency", weekly_count_problem(kind, count))


FAR_FROM_SETTLEMENT_KM = 5.0  # a home this far from its settlement's point is worth a second look


def _warn_far(
    ctx: _Context, code: str | None, lat: float, lon: float, report: ImportReport, number: int, column: str
) -> None:
    """A warning when typed coordinates lie more than :data:`FAR_FROM_SETTLEMENT_KM` from the
    row's settlement (the box lets in the whole municipality and its edges: a point typed for
    Αίγιο in Kalavryta town, 24 km off, went in unremarked, and the van would go there)."""
    place = next((s for s in ctx.settlements if s.code == code), None) if code else None
    if place is None:
        return
    import numpy as np

    from planner.travel import haversine_km

    km = float(haversine_km(np.array(lat), np.array(lon), np.array(place.lat), np.array(place.lon)))
    if km > FAR_FROM_SETTLEMENT_KM:
        report.warn(
            number, column, f"{lat}, {lon}",
            f"Το σημείο απέχει {km:.0f} km από τον οικισμό «{place.name_el}»: ελέγξτε τις συντεταγμένες "
            "ή τον οικισμό.",
            f"The point is {km:.0f} km from the settlement '{place.name_el}': check the coordinates or the "
            "settlement.",
        )  # fmt: skip


def _plan_date(value: Cell) -> date | None:
    """A care plan's date (:func:`parse_date`) in the years :func:`plan_date_problem` allows."""
    day = parse_date(value)
    problem = plan_date_problem(day) if day is not None else None
    if problem is not None:
        raise CellError(problem.el, problem.en)
    return day


def _required_text(value: Cell, limit: int = 200) -> str:
    text = _text(value)
    if not text:
        raise CellError("Κενό υποχρεωτικό πεδίο.", "An empty required cell.")
    if len(text) > limit:
        raise CellError(
            f"Πολύ μεγάλο κείμενο ({len(text)} χαρακτήρες, έως {limit}).",
            f"Text too long ({len(text)} characters, at most {limit}).",
        )
    return text


def _optional_text(limit: int) -> Callable[[Cell], str | None]:
    """A reader of an optional text cell of at most ``limit`` characters (empty: ``None``)."""

    def read(value: Cell) -> str | None:
        return _required_text(value, limit) if _text(value) else None

    return read


def _beneficiary_cells(
    row: dict[str, Any],
    take: Callable[[str, Callable[[Cell], Any]], None],
    values: list[Cell],
    cell: Callable[[list[Cell], str], Cell],
    positions: Mapping[str, int],
    table: Table,
    ctx: _Context,
    report: ImportReport,
    number: int,
) -> None:
    take("full_name", lambda v: " ".join(_required_text(v).split()))  # «Άλφα  Βήτα » is «Άλφα Βήτα»
    take("address", _optional_text(200))
    take("phone", normalise_phone)
    take("priority_groups", parse_priority_groups)
    take("notes", lambda v: _text(v) or None)
    lat_lon: dict[str, float | None] = {}
    s, n, w, e = ctx.bounds
    for name, low, high in (("lat", s, n), ("lon", w, e)):
        if name not in positions:
            continue
        raw = cell(values, name)
        try:
            number_value = _parse_float(raw)
            if number_value is not None and not low <= number_value <= high:
                raise CellError(
                    f"Η συντεταγμένη {number_value} είναι έξω από τα όρια του δήμου ({low:.2f}-{high:.2f}).",
                    f"The coordinate {number_value} is outside the municipality ({low:.2f}-{high:.2f}).",
                )
            lat_lon[name] = number_value
        except CellError as exc:
            report.error(number, table.header[positions[name]], raw, exc.el, exc.en)
    if len(lat_lon) == 2:
        if (lat_lon["lat"] is None) != (lat_lon["lon"] is None):
            report.error(number, table.header[positions["lat"]], "",
                         "Γεωγρ. πλάτος και μήκος δίνονται μαζί ή καθόλου.",
                         "Latitude and longitude are given together or not at all.")  # fmt: skip
        elif lat_lon["lat"] is not None and lat_lon["lon"] is not None:
            _warn_far(ctx, row.get("settlement_code"), lat_lon["lat"], lat_lon["lon"], report, number,
                      table.header[positions["lat"]])  # fmt: skip
        row.update(lat_lon)
    # the care plan: all of its cells, or none when the service is empty
    if not _text(cell(values, "service")):
        plan_fields = ("required_role", "duration_min", "frequency", "weekdays", "time_windows", "start_date",
                       "end_date", "staff", "plan_ref")  # fmt: skip
        filled = [f for f in plan_fields if f in positions and not _blank(cell(values, f))]
        if filled:
            report.error(number, table.header[positions["service"]], "",
                         "Λείπει η υπηρεσία, ενώ υπάρχουν στοιχεία πλάνου φροντίδας.",
                         "The service is missing but the row has care-plan details.")  # fmt: skip
        row["service"] = None
        return
    take("service", lambda v: _required_text(v, 60))
    take("plan_ref", lambda v: ctx.plan_id(v, row["external_id"]))
    take("required_role", _parse_role)
    take("duration_min", _parse_duration)
    take("frequency", parse_frequency)
    take("staff", ctx.staff_id)
    take("weekdays", _allowed_weekdays)
    take("time_windows", parse_time_windows)
    take("start_date", lambda v: _plan_date(v) or _required_text(""))
    take("end_date", _plan_date)
    take("status", _parse_status)
    # the rules between the plan's cells (planner.register.rules), each cell read without error;
    # an absent «Ημέρες» column checks as any working day
    days_read = "weekdays" in row or "weekdays" not in positions
    days: list[int] = row.get("weekdays", [])

    refuse = partial(_refuse_cell, report, number, table, positions, values, cell)

    duration = row.get("duration_min")
    if row.get("time_windows") and isinstance(duration, int):
        refuse("time_windows", window_problem(row["time_windows"], duration))
    if "frequency" in row and days_read:
        kind, count = row["frequency"]
        refuse("frequency", weekly_count_problem(kind, count, days))
    named = next((s for s in ctx.staff if s.id == row.get("staff")), None)
    if named is not None and row.get("required_role") and named.role != row["required_role"]:
        report.error(
            number, table.header[positions["staff"]], cell(values, "staff"),
            f"Ο/Η «{named.name}» είναι {ROLE_EL.get(named.role, named.role)}, ενώ το πλάνο θέλει "
            f"{ROLE_EL.get(row['required_role'], row['required_role'])}.",
            f"'{named.name}' is a {named.role.replace('_', ' ')}, but the plan needs a "
            f"{row['required_role'].replace('_', ' ')}.",
        )  # fmt: skip
    elif named is not None and days_read:
        refuse("staff", staff_days_problem(f"«{named.name}»", named.weekdays, days))
    start, end = row.get("start_date"), row.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        report.error(
            number, table.header[positions["end_date"]], end,
            "Η λήξη είναι πριν από την έναρξη.", "The end date is before the start date.",
        )  # fmt: skip


# --- writing -------------------------------------------------------------------------------


Changes = dict[str, tuple[Any, Any]]  # model attribute -> (old value, new value)


def _assign(obj: Any, values: Mapping[str, Any]) -> Changes:
    """Set the attributes that differ; what changed, attribute -> (old, new) (empty: nothing)."""
    changed: Changes = {}
    for key, value in values.items():
        old = getattr(obj, key)
        if old != value:
            setattr(obj, key, value)
            changed[key] = (old, value)
    return changed


# The model attributes written from a column of another name.
_ATTRIBUTE_COLUMN = {
    "settlement_code": "settlement",
    "allowed_weekdays": "weekdays",
    "staff_id": "staff",
    "frequency_kind": "frequency",
    "frequency_count": "frequency",
}
CARE_PLAN_STATUS_EL = {"active": "ενεργό", "paused": "σε αναστολή"}


@dataclass
class _Describer:
    """Turns what :func:`_assign` changed into :class:`FieldChange` s, the values written as the
    file and the export write them (settlement and staff names, Greek weekdays...)."""

    settlements: dict[str, str]  # ELSTAT code -> Greek name
    staff: dict[int, str]  # staff id -> name

    @classmethod
    def load(cls, session: Session) -> _Describer:
        return cls(
            {code: name for code, name in session.execute(select(Settlement.code, Settlement.name_el))},
            {sid: name for sid, name in session.execute(select(Staff.id, Staff.name))},
        )

    def value(self, column: str, value: Any) -> str:
        """A stored value of ``column`` as the file writes it (``""`` for empty)."""
        if value is None or value == [] or value == "":
            return ""
        if column == "settlement":
            return self.settlements.get(value, str(value))
        if column == "staff":
            return self.staff.get(value, str(value))
        if column == "phone":
            return format_phone(value) or ""
        if column in ("lat", "lon") and isinstance(value, float):
            return repr(value).replace(".", ",")
        if column == "priority_groups":
            return format_priority_groups(value)
        if column == "active":
            return "ναι" if value else "όχι"
        if column == "required_role":
            return ROLE_EL.get(value, str(value))
        if column == "weekdays":
            return format_weekdays(value)
        if column == "usual_weekday":
            return format_weekdays([value])
        if column == "time_windows":
            return ", ".join(f"{a}-{b}" for a, b in value)
        if column == "announced_times":
            return ", ".join(value)
        if column == "status":
            return CARE_PLAN_STATUS_EL.get(value, str(value))
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        return str(value)

    def fields(
        self, obj: Any, changes: Changes, columns: Sequence[Column], plan: str = ""
    ) -> list[FieldChange]:
        """The columns (in the file's order) whose values ``changes`` made to ``obj``."""
        out: list[FieldChange] = []
        by_column: dict[str, list[str]] = {}
        for attribute in changes:
            by_column.setdefault(_ATTRIBUTE_COLUMN.get(attribute, attribute), []).append(attribute)
        for c in columns:
            if c.field not in by_column:
                continue
            if c.field == "frequency":
                old_kind, old_count = (
                    changes[a][0] if a in changes else getattr(obj, a)
                    for a in ("frequency_kind", "frequency_count")
                )
                old = format_frequency(old_kind, old_count)
                new = format_frequency(obj.frequency_kind, obj.frequency_count)
            else:
                (attribute,) = by_column[c.field]
                before, after = changes[attribute]
                old, new = self.value(c.field, before), self.value(c.field, after)
            if max(len(old), len(new)) > _SHORT:
                out.append(FieldChange(c.el, c.en, None, None, plan))
            else:
                out.append(FieldChange(c.el, c.en, old, new, plan))
        known = {c.field for c in columns}
        for column in by_column.keys() - known:  # none today: a safeguard for a new attribute
            out.append(FieldChange(column, column, None, None, plan))
        return out


def _write_beneficiaries(session: Session, rows: list[dict[str, Any]], report: ImportReport) -> None:
    ids = [r["external_id"] for r in rows]
    existing = {
        b.external_id: b
        for b in session.scalars(
            select(Beneficiary)
            .where(Beneficiary.external_id.in_(ids))
            .options(selectinload(Beneficiary.care_plans))
        )
    }
    describe = _Describer.load(session)
    by_person: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_person.setdefault(r["external_id"], []).append(r)
    for ext, person_rows in by_person.items():
        person_values = {k: person_rows[0][k] for k in _PERSON_FIELDS if k in person_rows[0]}
        person = existing.get(ext)
        is_new = person is None
        person_changes: Changes = {}
        if person is None:
            person = Beneficiary(external_id=ext, **person_values)
            session.add(person)
        else:
            person_changes = _assign(person, _differing_person_values(person, person_values))
        plan_writes = [w for w in (_write_care_plan(person, r) for r in person_rows) if w is not None]
        new_plans = tuple(  # with the frequency as read: a misread one is caught before it is imported
            f"{plan.service} ({format_frequency(plan.frequency_kind, plan.frequency_count)})"
            for plan, changes in plan_writes
            if changes is None
        )
        if is_new:
            report.added += 1
            report.changes.append(RowChange("added", person_rows[0]["_row"], ext, person.full_name,
                                            new_plans=new_plans))  # fmt: skip
            continue
        fields = describe.fields(person, person_changes, BENEFICIARY_COLUMNS)
        several = len(person.care_plans) > 1
        for plan, changes in plan_writes:
            if changes:
                name = f"{plan.service} (cp-{plan.id})" if several else ""
                fields += describe.fields(plan, changes, BENEFICIARY_COLUMNS, name)
        if fields or new_plans:
            report.updated += 1
            report.changes.append(RowChange("updated", person_rows[0]["_row"], ext, person.full_name,
                                            tuple(fields), new_plans))  # fmt: skip
        else:
            report.unchanged += 1


def _differing_person_values(person: Beneficiary, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` without those equal to the stored ones as the import reads them: a phone
    stored without +30 (the demo register, the web form) or priority groups in another order
    are the same value, and a re-import of an export leaves them as they are."""
    out = dict(values)
    if "phone" in out and person.phone:
        try:
            if normalise_phone(person.phone) == out["phone"]:
                del out["phone"]
        except CellError:
            pass
    if "priority_groups" in out and sorted(person.priority_groups or ()) == out["priority_groups"]:
        del out["priority_groups"]
    return out


def _write_care_plan(person: Beneficiary, r: Mapping[str, Any]) -> tuple[CarePlan, Changes | None] | None:
    """Write a row's care plan to ``person``: the plan the row names by its ID, else the
    person's plan with the same service, else a new plan (never another service's plan).
    The plan and what changed in it (``None``: a new plan); ``None`` for a row without a plan."""
    if not r.get("service"):
        return None
    kind, count = r["frequency"]
    plan_values: dict[str, Any] = {
        "service": r["service"],
        "required_role": r["required_role"],
        "duration_min": r["duration_min"],
        "frequency_kind": kind,
        "frequency_count": count,
        "start_date": r["start_date"],
    }
    for key in ("weekdays", "time_windows", "end_date", "status", "staff"):
        target = {"weekdays": "allowed_weekdays", "staff": "staff_id"}.get(key, key)
        if key in r:  # an absent column leaves the value as it is (a new plan: the default)
            plan_values[target] = r[key]
    plans = list(person.care_plans)
    if r.get("plan_ref") is not None:
        target_plan = next((p for p in plans if p.id == r["plan_ref"]), None)
    else:
        target_plan = next((p for p in plans if normalise(p.service) == normalise(r["service"])), None)
    if target_plan is None:
        new_plan = CarePlan(**plan_values)
        person.care_plans.append(new_plan)
        return new_plan, None
    return target_plan, _assign(target_plan, plan_values)


def _stop_name(stop: VillageStop, describe: _Describer) -> str:
    """``Κουνινά, Πλατεία``: a stop's settlement and place."""
    settlement = describe.settlements.get(stop.settlement_code, stop.settlement_code)
    return f"{settlement}, {stop.place}" if stop.place else settlement


def _write_stops(session: Session, rows: list[dict[str, Any]], report: ImportReport) -> None:
    ids = [r["external_id"] for r in rows]
    existing = {
        s.external_id: s for s in session.scalars(select(VillageStop).where(VillageStop.external_id.in_(ids)))
    }
    describe = _Describer.load(session)
    for r in rows:
        kind, count = r["frequency"]
        values = {"settlement_code": r["settlement_code"], "duration_min": r["duration_min"],
                  "frequency_kind": kind, "frequency_count": count}  # fmt: skip
        for key in ("place", "announced_times", "usual_weekday", "required_role", "active"):
            if key in r:
                values[key] = r[key]
        stop = existing.get(r["external_id"])
        if stop is None:
            stop = VillageStop(external_id=r["external_id"], **values)
            session.add(stop)
            report.added += 1
            report.changes.append(RowChange("added", r["_row"], r["external_id"], _stop_name(stop, describe)))
        elif changes := _assign(stop, values):
            report.updated += 1
            fields = tuple(describe.fields(stop, changes, STOP_COLUMNS))
            report.changes.append(
                RowChange("updated", r["_row"], r["external_id"], _stop_name(stop, describe), fields)
            )
        else:
            report.unchanged += 1


class _DryRun(Exception):
    """Raised inside the transaction of a dry run, so that it is rolled back."""


def _skip_title(table: Table) -> tuple[Table, tuple[int, int] | None]:
    """A sheet with a title above its header (the office's name, a date: common in the lists a
    municipality keeps): when the first row names fewer than two known columns and one of the
    next ten names three or more, that one is the header and the rows above it are skipped;
    the second value is the first and last row skipped. Before, the title was taken for the
    header and the advice was to give the file's kind, which then failed on every column."""

    def known(cells: Sequence[str]) -> int:
        return max(len(_match_header(cells, columns)[0]) for columns in (BENEFICIARY_COLUMNS, STOP_COLUMNS))

    if known(table.header) >= 2:
        return table, None
    for i, (number, values) in enumerate(table.rows[:10]):
        cells = _header(values)
        if known(cells) >= 3:
            skipped = (table.header_row, number - 1)
            below = table.rows[i + 1 :]
            return dataclasses.replace(table, header=cells, rows=below, header_row=number), skipped
    return table, None


# Headers only a staff list has (Kinito's own staff export: «Α/Α», «Κωδικός», «Ονοματεπώνυμο»,
# «Ειδικότητα», «Μερική απασχόληση», «Ημέρες εργασίας», «Έναρξη ωραρίου», «Λήξη ωραρίου», «Ενεργός»).
_STAFF_HEADERS = frozenset(
    normalise(h)
    for h in ("Μερική απασχόληση", "Ημέρες εργασίας", "Έναρξη ωραρίου", "Λήξη ωραρίου", "Ωράριο εργασίας",
              "Part-time", "Part time", "Working days", "Working weekdays", "Day start", "Day end",
              "Working hours")
)  # fmt: skip


def _is_staff_list(header: Sequence[str]) -> bool:
    """Whether the headers are a staff list's (two staff-only columns, and no service nor
    settlement): staff are not imported from a file."""
    staff = sum(any(normalise(p) in _STAFF_HEADERS for p in (h, *h.split("/"))) for h in header)
    found = _match_header(header, BENEFICIARY_COLUMNS)[0]
    return staff >= 2 and not {"service", "settlement", "elstat_code"} & found.keys()


def _guess_kind(header: Sequence[str]) -> Kind | None:
    b = _match_header(header, BENEFICIARY_COLUMNS)[0]
    s = _match_header(header, STOP_COLUMNS)[0]
    if "full_name" in b or "service" in b:
        return "beneficiaries"
    if "announced_times" in s or "place" in s or "usual_weekday" in s:
        return "stops"
    return None


def import_file(
    engine: Engine,
    path: Path | str,
    *,
    kind: Kind | None = None,
    actor: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Validate ``path`` and, if it has no errors, write it to the register in one transaction.

    ``kind`` is guessed from the headers when not given. With ``dry_run`` the rows are
    written and counted inside a transaction that is then rolled back. The report says what
    was found and done; a file with any error leaves the register exactly as it was.
    """
    report = ImportReport(path=str(path), kind=kind, dry_run=dry_run)
    try:
        table = read_table(Path(path))
    except FileError as exc:
        report.error(None, None, "", exc.el, exc.en)
        return report
    sheet_el, sheet_en = _first_sheet_only(table)
    if not table.header:
        report.error(None, None, "", "Το αρχείο είναι κενό." + sheet_el, "The file is empty." + sheet_en)
        return report
    table, title = _skip_title(table)
    if title is not None:
        first, last = title
        if last > first:
            el, en = (
                f"οι γραμμές {first}-{last} από πάνω (τίτλος, σημειώσεις) δεν εισάγονται",
                (f"rows {first}-{last} above them (a title, notes) are not imported"),
            )
        else:
            el, en = (
                f"η γραμμή {first} από πάνω (τίτλος, σημειώσεις) δεν εισάγεται",
                (f"row {first} above them (a title, notes) is not imported"),
            )
        report.warn(
            first, None, "",
            f"Οι επικεφαλίδες διαβάστηκαν από τη γραμμή {table.header_row}· {el}.",
            f"The headers were read from row {table.header_row}; {en}.",
        )  # fmt: skip
    if _is_staff_list(table.header):
        report.error(
            None, None, "",
            "Το αρχείο είναι κατάλογος προσωπικού (έχει στήλες όπως «Ημέρες εργασίας», «Έναρξη ωραρίου»). "
            "Οι υπάλληλοι δεν εισάγονται από αρχείο: χρησιμοποιήστε `kinito staff add` ή τη σελίδα "
            "«Προσωπικό» → «Προσθήκη μέλους προσωπικού». Η εισαγωγή δέχεται ωφελούμενους και στάσεις σε "
            "οικισμούς." + sheet_el,
            "The file is a staff list (it has columns such as «Ημέρες εργασίας» / working days, «Έναρξη "
            "ωραρίου» / day start). Staff are not imported from a file: use `kinito staff add` or the "
            "'Staff' page → 'Add a staff member'. The import takes beneficiaries and village stops."
            + sheet_en,
        )  # fmt: skip
        return report
    if kind is None:
        kind = _guess_kind(table.header)
        if kind is None:
            report.error(
                table.header_row, None, "",
                "Δεν αναγνωρίζεται το είδος του αρχείου από τις επικεφαλίδες: "
                "δώστε --kind beneficiaries ή stops." + sheet_el,
                "The kind of file cannot be told from its headers: give --kind beneficiaries or stops."
                + sheet_en,
            )  # fmt: skip
            return report
        report.kind = kind
    with session_scope(engine) as session:
        ctx = _Context.load(session)
    rows = _validate_rows(table, kind, ctx, report)
    if not report.ok:
        return report
    if not rows and not report.examples:
        report.warn(None, None, "", "Το αρχείο δεν έχει γραμμές δεδομένων.", "The file has no data rows.")
    try:
        with session_scope(engine, actor=actor) as session:
            (_write_beneficiaries if kind == "beneficiaries" else _write_stops)(session, rows, report)
            session.flush()
            if dry_run:
                raise _DryRun
    except _DryRun:
        return report
    report.written = True
    return report
