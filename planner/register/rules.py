"""What a care plan or a village stop must be for the week builder to plan it at all.

One place for the rules that the import (:mod:`planner.register.importer`) and the web forms
check, so that neither accepts what the other refuses: a plan allowed only on Saturday, hours
shorter than the visit, a duration out of range. Each check is a small pure function that
returns ``None`` when the value is fine, else a :class:`Problem`: the message in Greek and in
English (the importer puts it in its report as it is; a form shows the one of the page's
language). :func:`require` turns a problem into a :class:`RuleError` (a :class:`ValueError`)
for callers that prefer to raise.

Weekdays are ISO numbers (Monday 1 ... Sunday 7); times ``"HH:MM"`` strings; durations
minutes. The Centre's hours mirror the week builder's (``planner.register.week.SHIFT`` and
``PILOT_END``; a test keeps them equal).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = [
    "CARE_PLAN_DURATION",
    "CENTRE_WEEKDAYS",
    "DAY_END",
    "DAY_START",
    "LATEST_END",
    "STOP_DURATION",
    "Problem",
    "RuleError",
    "announced_time_problem",
    "care_plan_duration_problem",
    "care_plan_weekdays_problem",
    "plan_date_problem",
    "require",
    "staff_days_problem",
    "stop_duration_problem",
    "stop_weekday_problem",
    "weekly_count_problem",
    "window_problem",
    "working_days",
]

CENTRE_WEEKDAYS: frozenset[int] = frozenset({1, 2, 3, 4, 5})
"""The ISO weekdays the Centre works (the week builder plans Monday to Friday only)."""
CARE_PLAN_DURATION: tuple[int, int] = (5, 480)
"""A home visit's duration in minutes, least and most (the web form's ``NumberRange(5, 480)``)."""
STOP_DURATION: tuple[int, int] = (10, 600)
"""A village stop's duration in minutes, least and most (the web form's ``NumberRange(10, 600)``)."""
DAY_START = "08:00"
"""The units' day starts (``week.SHIFT.start``)."""
DAY_END = "16:00"
"""The regular day ends (``week.SHIFT.end``)."""
LATEST_END = "20:00"
"""The latest any day ends: the extended-hours pilot days (``week.PILOT_END``)."""

_WEEKDAY_EL = {
    1: "Δευτέρα",
    2: "Τρίτη",
    3: "Τετάρτη",
    4: "Πέμπτη",
    5: "Παρασκευή",
    6: "Σάββατο",
    7: "Κυριακή",
}
_WEEKDAY_EN = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday",
               7: "Sunday"}  # fmt: skip
_HOURS_EL = (  # after «μέσα στο» / «στο»: «στο ωράριο»
    f"ωράριο του Κέντρου, {DAY_START}-{LATEST_END} (μετά τις {DAY_END} μόνο τις ημέρες διευρυμένου ωραρίου)"
)
_HOURS_EN = f"the Centre's hours, {DAY_START}-{LATEST_END} (after {DAY_END} only on extended-hours days)"


@dataclass(frozen=True)
class Problem:
    """Why a value cannot be kept: the message in Greek (``el``) and English (``en``)."""

    el: str
    en: str

    def __str__(self) -> str:
        return f"{self.el} / {self.en}"


class RuleError(ValueError):
    """A :class:`Problem` raised (see :func:`require`)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.el = problem.el
        self.en = problem.en


def require(problem: Problem | None) -> None:
    """Raise :class:`RuleError` when ``problem`` is not ``None``:
    ``require(care_plan_duration_problem(minutes))``."""
    if problem is not None:
        raise RuleError(problem)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def working_days(weekdays: Iterable[int] | None) -> frozenset[int]:
    """The ISO weekdays a plan may be visited on that the Centre works; none given: all of them."""
    days = frozenset(weekdays or ())
    return CENTRE_WEEKDAYS & days if days else CENTRE_WEEKDAYS


def _duration_problem(minutes: int, limits: tuple[int, int]) -> Problem | None:
    low, high = limits
    if low <= minutes <= high:
        return None
    return Problem(
        f"Η διάρκεια {minutes} λεπτά είναι εκτός ορίων: ακέραιος αριθμός λεπτών από {low} έως {high}.",
        f"The duration {minutes} minutes is out of range: a whole number of minutes from {low} to {high}.",
    )


def care_plan_duration_problem(minutes: int) -> Problem | None:
    """A home visit lasts :data:`CARE_PLAN_DURATION` minutes (5 to 480)."""
    return _duration_problem(minutes, CARE_PLAN_DURATION)


def stop_duration_problem(minutes: int) -> Problem | None:
    """A village stop lasts :data:`STOP_DURATION` minutes (10 to 600)."""
    return _duration_problem(minutes, STOP_DURATION)


def care_plan_weekdays_problem(weekdays: Collection[int]) -> Problem | None:
    """The allowed weekdays (empty: any working day) include a day the Centre works. A plan
    allowed only on Saturday or Sunday is never planned; Saturday beside Monday is harmless."""
    if not weekdays or working_days(weekdays):
        return None
    return Problem(
        "Το Κέντρο εργάζεται Δευτέρα με Παρασκευή: ένα πλάνο που επιτρέπεται μόνο Σάββατο ή Κυριακή "
        "δεν προγραμματίζεται ποτέ.",
        "The Centre works Monday to Friday: a plan allowed only on Saturday or Sunday is never planned.",
    )


def weekly_count_problem(kind: str, count: int, weekdays: Collection[int] = ()) -> Problem | None:
    """A plan (or stop) wanted ``count`` times a week needs as many different working days among
    its allowed ``weekdays`` (empty: Monday to Friday). Other frequency kinds: ``None``."""
    if kind != "weekly":
        return None
    days = working_days(weekdays)
    if count <= len(days):
        return None
    if weekdays and days != CENTRE_WEEKDAYS:
        return Problem(
            f"{count} επισκέψεις την εβδομάδα θέλουν ισάριθμες διαφορετικές ημέρες, και αυτό το πλάνο "
            f"επιτρέπει μόνο {len(days)} εργάσιμες.",
            f"{count} visits a week need as many different days, and this plan allows only {len(days)} "
            "working days.",
        )
    return Problem(
        f"{count} επισκέψεις την εβδομάδα θέλουν ισάριθμες διαφορετικές ημέρες, και το Κέντρο εργάζεται "
        f"μόνο {len(CENTRE_WEEKDAYS)} ημέρες την εβδομάδα (Δευτέρα με Παρασκευή).",
        f"{count} visits a week need as many different days, and the Centre works only "
        f"{len(CENTRE_WEEKDAYS)} days a week (Monday to Friday).",
    )


PLAN_YEARS = (2000, 2099)  # a care plan's dates: any other year is a slip of the keyboard


def plan_date_problem(day: date) -> Problem | None:
    """A care plan's start or end date in :data:`PLAN_YEARS` (01/03/2206 or 01/03/0026, typed for
    2026, were accepted: a plan starting in 2206 is never due, and the export's «01/03/26»
    then failed to import back)."""
    low, high = PLAN_YEARS
    if low <= day.year <= high:
        return None
    shown = day.strftime("%d/%m/") + f"{day.year:04d}"
    return Problem(
        f"Το έτος της ημερομηνίας {shown} είναι έξω από {low}-{high}: λάθος πληκτρολόγησης;",
        f"The year of the date {shown} is outside {low}-{high}: a typing slip?",
    )


def window_problem(windows: Sequence[Sequence[str]], duration_min: int) -> Problem | None:
    """Each of a plan's hours (``[["09:00", "12:00"], ...]``, each start before its end) holds the
    whole visit, inside the Centre's hours (:data:`DAY_START` to :data:`LATEST_END`). The first
    window that does not is the problem."""
    earliest, latest = _minutes(DAY_START), _minutes(LATEST_END)
    for start, end in windows:
        a, b = _minutes(start), _minutes(end)
        if b - a < duration_min:
            return Problem(
                f"Το {start}-{end} είναι μικρότερο από την επίσκεψη ({duration_min} λεπτά).",
                f"The window {start}-{end} is shorter than the visit ({duration_min} minutes).",
            )
        if min(b, latest) - max(a, earliest) < duration_min:
            return Problem(
                f"Το {start}-{end} δεν χωράει την επίσκεψη ({duration_min} λεπτά) μέσα στο {_HOURS_EL}.",
                f"The window {start}-{end} does not hold the visit ({duration_min} minutes) within "
                f"{_HOURS_EN}.",
            )
    return None


def staff_days_problem(
    name: str, staff_weekdays: Iterable[int] | None, weekdays: Collection[int]
) -> Problem | None:
    """The named staff member works on at least one working day the plan allows (``weekdays``,
    empty: any)."""
    if working_days(weekdays) & frozenset(staff_weekdays or ()):
        return None
    return Problem(
        f"{name}: δεν εργάζεται σε καμία από τις ημέρες που επιτρέπει αυτό το πλάνο.",
        f"{name} works on none of the days this plan allows.",
    )


def stop_weekday_problem(weekday: int | None) -> Problem | None:
    """A stop's usual weekday (if any) is a day the Centre works."""
    if weekday is None or weekday in CENTRE_WEEKDAYS:
        return None
    return Problem(
        f"Το Κέντρο εργάζεται Δευτέρα με Παρασκευή: μια στάση δεν γίνεται {_WEEKDAY_EL[weekday]}.",
        f"The Centre works Monday to Friday: a stop is never made on a {_WEEKDAY_EN[weekday]}.",
    )


def announced_time_problem(times: Iterable[str], duration_min: int) -> Problem | None:
    """Each announced start time of a stop lets the stop begin and end inside the Centre's hours
    (:data:`DAY_START` to :data:`LATEST_END`). The first time that does not is the problem."""
    for t in times:
        end = _minutes(t) + duration_min
        if _minutes(t) < _minutes(DAY_START) or end > _minutes(LATEST_END):
            return Problem(
                f"Η στάση στις {t} ({duration_min} λεπτά) δεν χωράει στο {_HOURS_EL}.",
                f"The stop at {t} ({duration_min} minutes) does not fit in {_HOURS_EN}.",
            )
    return None
