"""Why a visit is unassigned, in words a coordinator can act on (Greek and English).

Reason codes (``Unassigned.reason``):

==========================  ====================================================================
``no_allowed_date``         none of the horizon's dates falls on a weekday the visit allows (or
                            it is pinned to a date it does not allow, or that none of its day
                            patterns starts on)
``no_available_day``        no date of the horizon is open for it: the unit is unavailable
                            (holiday, closure) on every date its allowed weekdays fall on
``pinned_date_unavailable`` it is pinned to a date on which no unit is available
``no_crew``                 on every open date (for a visit pinned to a date: on that date),
                            nobody with the required role (or the named staff member) is aboard
``over_capacity``           its load is more than any unit carries, or than any unit available
                            on a day it could take carries (the units that carry it, off those
                            days, are named)
``no_time_in_shift``        its time windows (or the hours of the staff it needs) do not
                            overlap the shift on any open date, or the visit is longer than the
                            shift; the message says which, naming the staff and their hours
``unreachable``             on its own it still cannot be served on any day: the message names
                            the limit that stops it (too far for a day's shift, longer than the
                            driver's working time, the driving limit, the break, the unit's
                            weekly cap (what it leaves for the whole week, or used up), a window
                            too early to reach or too late to be back within the shift)
``frequency``               it is wanted k times at least g days apart, and the open dates
                            cannot hold that many visits
``week_full``               it fits on its own, but the days it could go on are full (time, or
                            the unit's load capacity, named as such)
==========================  ====================================================================

This module re-derives the reasons from the problem and the plan; it does not use OR-Tools.
"""

from __future__ import annotations

import inspect
import itertools
import weakref
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from datetime import date

from planner import candidates as cand
from planner.model import Location, Plan, Problem, Route, TimeWindow, Unassigned, Unit, UnitDay, Visit
from planner.render import (
    DAY_NAMES_EL,
    DAY_NAMES_EN,
    ROLE_EL,
    day_el,
    day_en,
    hhmm,
    on_day_el,
    short_name,
)
from planner.travel import TravelModel, travel_model_of

# where crews come from when the week is planned from the register (no one edits them by hand)
# (a problem file written by hand has its crews in it: the pointer says when it applies)
CREWS_EL = (
    "(όταν η εβδομάδα βγαίνει από το μητρώο: οι ημέρες και ώρες εργασίας του προσωπικού, οι "
    "απουσίες του στο ημερολόγιο και οι θέσεις των μονάδων)"
)
CREWS_EN = (
    "(when the week is planned from the register: the staff's working days and hours, their absences "
    "in the calendar, and the units' seats)"
)


def _who(problem: Problem, v: Visit) -> dict[str, str]:
    """Who the visit needs aboard: ``who_el`` (subject), ``whom_el`` (object), ``who_en``."""
    if v.required_staff is not None:
        try:
            name = problem.staff_member(v.required_staff).name or v.required_staff
        except KeyError:
            name = v.required_staff
        # a name's article depends on its gender, which the register does not hold
        return {"who_el": f"το μέλος του προσωπικού «{name}»", "whom_el": f"«{name}»", "who_en": name}
    role = v.required_role or ""
    subject, obj = ROLE_EL.get(role, (f"«{role}»", f"«{role}»"))
    return {"who_el": subject, "whom_el": obj, "who_en": role.replace("_", " ")}


MESSAGES: dict[str, tuple[str, str]] = {
    "no_available_day": (
        "Καμία διαθέσιμη ημέρα: η μονάδα δεν είναι διαθέσιμη (αργία, κλειστό) σε καμία από τις "
        "επιτρεπτές ημέρες της επίσκεψης. Επιτρέψτε άλλη ημέρα ή μεταφέρετέ τη σε άλλη εβδομάδα.",
        "No available day: the unit is unavailable (holiday, closure) on every day the visit is "
        "allowed. Allow another weekday or move it to another week.",
    ),
    "no_allowed_date": (
        "Καμία ημέρα αυτής της περιόδου δεν είναι επιτρεπτή για την επίσκεψη ({allowed_el}). "
        "Αλλάξτε τις επιτρεπτές ημέρες της ή μεταφέρετέ τη σε άλλη εβδομάδα.",
        "None of the dates planned falls on a day the visit allows ({allowed_en}). Change its "
        "allowed weekdays or move it to another week.",
    ),
    "no_allowed_date_pinned": (
        "Είναι κλειδωμένη για {pinned_on_el}, που δεν είναι επιτρεπτή ημέρα της ({allowed_el}). "
        "Αλλάξτε την ημερομηνία ή τις επιτρεπτές ημέρες.",
        "It is pinned to {pinned_en}, which is not a day it allows ({allowed_en}). Change the date "
        "or its allowed weekdays.",
    ),
    "pinned_date_unavailable": (
        "Είναι κλειδωμένη για {pinned_on_el}, αλλά εκείνη την ημέρα καμία μονάδα δεν είναι διαθέσιμη. "
        "Ξεκλειδώστε την ή αλλάξτε ημερομηνία.",
        "It is pinned to {pinned_en}, but no unit is available that day. Unpin it or change the date.",
    ),
    "pinned_date_unavailable_only": (
        "Είναι κλειδωμένη για {pinned_on_el}, αλλά εκείνη την ημέρα καμία μονάδα δεν είναι διαθέσιμη, "
        "ούτε άλλη ημέρα αυτής της περιόδου που επιτρέπει ({allowed_el}). Επιτρέψτε άλλη ημέρα ή "
        "μεταφέρετέ τη σε άλλη εβδομάδα.",
        "It is pinned to {pinned_en}, but no unit is available that day, nor on another day of this "
        "period that it allows ({allowed_en}). Allow another weekday or move it to another week.",
    ),
    "no_crew": (
        "Σε καμία διαθέσιμη ημέρα δεν επιβαίνει {who_el}· προσθέστε {whom_el} στο πλήρωμα κάποιας ημέρας"
        f" {CREWS_EL}.",
        f"No available day has the required {{who_en}} aboard; add one to a day's crew {CREWS_EN}.",
    ),
    "no_crew_staff": (
        "Σε καμία διαθέσιμη ημέρα δεν επιβαίνει {who_el}· προσθέστε {whom_el} στο πλήρωμα κάποιας ημέρας"
        f" {CREWS_EL}, ή αφήστε την επίσκεψη σε όποιον έχει την ειδικότητα.",
        f"No available day has {{who_en}} aboard; add them to a day's crew {CREWS_EN}, or let anyone"
        " with the role make the visit.",
    ),
    "no_crew_pinned": (
        "Είναι κλειδωμένη για {pinned_on_el}, αλλά εκείνη την ημέρα δεν επιβαίνει {who_el}{elsewhere_el}. "
        "Μεταφέρετέ τη σε ημέρα που επιβαίνει ή προσθέστε {whom_el} στο πλήρωμα εκείνης της ημέρας"
        f" {CREWS_EL}.",
        "It is pinned to {pinned_en}, but {who_en_absent} that day{elsewhere_en}. Move it to a day"
        f" {{who_en_they}} aboard or add {{who_en_them}} to that day's crew {CREWS_EN}.",
    ),
    "over_capacity": (
        "Το φορτίο της ({load}) ξεπερνά τη χωρητικότητα κάθε μονάδας.",
        "Its load ({load}) exceeds every unit's capacity.",
    ),
    "no_time_in_shift": (
        "Τα διαθέσιμα ωράριά της (ή οι ώρες του προσωπικού που χρειάζεται) δεν χωρούν στη βάρδια "
        "καμίας διαθέσιμης ημέρας. Διευρύνετε το ωράριο ή τη βάρδια.",
        "Its time windows (or the hours of the staff it needs) do not fit the shift of any available "
        "day. Widen the window or the shift.",
    ),
    "no_time_pinned": (
        "Τα ωράριά της (ή οι ώρες του προσωπικού που χρειάζεται) δεν χωρούν στη βάρδια εκείνης της "
        "ημέρας ({shift}). Διευρύνετε το ωράριο ή τη βάρδια, ή αλλάξτε την ημερομηνία.",
        "Its time windows (or the hours of the staff it needs) do not fit that day's shift ({shift}). "
        "Widen the window or the shift, or change the date.",
    ),
    "no_time_pinned_time": (
        "Η ώρα που είναι κλειδωμένη ({at}) δεν χωρά στη βάρδια εκείνης της ημέρας ({shift}) μαζί με τα "
        "{service_min} λεπτά της. Κλειδώστε τη σε ώρα μέσα στη βάρδια.",
        "The time it is pinned to ({at}) does not fit that day's shift ({shift}) with its {service_min} "
        "min. Pin it to a time inside the shift.",
    ),
    "no_time_too_long": (
        "Η ίδια η επίσκεψη ({service_min} λεπτά) διαρκεί περισσότερο από τη βάρδια κάθε διαθέσιμης "
        "ημέρας ({shift_min} λεπτά το πολύ). Μικρύνετε τη διάρκειά της ή χωρίστε τη σε δύο επισκέψεις.",
        "The visit itself ({service_min} min) is longer than the shift of any available day "
        "({shift_min} min at most). Shorten it or split it into two visits.",
    ),
    "no_time_crew_hours": (
        "Όποιος μπορεί να την κάνει επιβαίνει μόνο σε ώρες που δεν χωρούν την έναρξή της "
        "({windows_el}) μαζί με τα {service_min} λεπτά της: {people_el}. Αλλάξτε το ωράριό της ή "
        f"τις ώρες του προσωπικού {CREWS_EL}{{anyone_el}}.",
        "Whoever can make it is aboard only at hours that do not hold its start ({windows_en}) and "
        f"its {{service_min}} min: {{people_en}}. Change its time window or the staff's hours {CREWS_EN}"
        "{anyone_en}.",
    ),
    "no_allowed_date_pinned_pattern": (
        "Η πρώτη της επίσκεψη είναι κλειδωμένη για {pinned_on_el}, αλλά κανένας από τους επιτρεπτούς "
        "συνδυασμούς ημερών της ({patterns_el}) δεν αρχίζει εκείνη την ημέρα. Αλλάξτε την ημερομηνία "
        "ή προσθέστε συνδυασμό που αρχίζει τότε.",
        "Its first visit is pinned to {pinned_en}, but none of its allowed day patterns ({patterns_en}) "
        "starts on that date. Change the date or add a pattern that starts on it.",
    ),
    "frequency": (
        "Ζητούνται {k} επισκέψεις {apart_el}, αλλά οι διαθέσιμες ημέρες χωρούν μόνο {fit}. "
        "Μειώστε τη συχνότητα{or_gap_el}.",
        "{k} visits {apart_en} are wanted, but the available days hold only {fit}. Lower the "
        "frequency{or_gap_en}.",
    ),
    "frequency_pinned": (
        "Ζητούνται {k} επισκέψεις {apart_el}, και η πρώτη είναι κλειδωμένη για {pinned_on_el}: από εκεί "
        "και πέρα οι διαθέσιμες ημέρες χωρούν μόνο {fit}. Κλειδώστε νωρίτερη ημέρα, ή μειώστε τη "
        "συχνότητα{or_gap_el}.",
        "{k} visits {apart_en} are wanted, and the first is pinned to {pinned_en}: from there on the "
        "available days hold only {fit}. Pin an earlier day, or lower the frequency{or_gap_en}.",
    ),
    "frequency_patterns": (
        "Ζητούνται {k} επισκέψεις σε έναν από τους επιτρεπτούς συνδυασμούς ημερών της, αλλά κανένας "
        "συνδυασμός δεν έχει όλες τις ημέρες του διαθέσιμες (δεν μπορεί να γίνει {missing_el}). "
        "Προσθέστε συνδυασμό ή μειώστε τη συχνότητα.",
        "{k} visits on one of its allowed day patterns are wanted, but no pattern has all its days "
        "available (it cannot go on {missing_en}). Add a pattern or lower the frequency.",
    ),
    "frequency_crew": (
        "Ζητούνται {k} επισκέψεις {apart_el}, αλλά επιβαίνει {who_el} μόνο {days_el}, οπότε "
        "χωρούν μόνο {fit}. Προσθέστε {whom_el} στο πλήρωμα κι άλλης ημέρας"
        f" {CREWS_EL}, ή μειώστε τη συχνότητα{{or_gap_el}}.",
        "{k} visits {apart_en} are wanted, but {who_en_is} aboard only on {days_en}, so only {fit} "
        f"can be made. Add {{who_en_them}} to another day's crew {CREWS_EN}, or lower the frequency"
        "{or_gap_en}.",
    ),
    "week_full": (
        "Χωράει μόνη της, αλλά οι ημέρες είναι γεμάτες: θα χρειαζόταν {need} λεπτά ακόμη "
        "{on_day_el}. {instead_el}",
        "It fits on its own, but the week is full: it would need {need} more minutes on {day_en}. "
        "{instead_en}",
    ),
    "week_full_upto": (
        "Χωράει μόνη της, αλλά οι ημέρες είναι γεμάτες: θα χρειαζόταν το πολύ {need} λεπτά ακόμη "
        "{on_day_el} (ίσως λιγότερα με τις στάσεις σε άλλη σειρά). {instead_el}",
        "It fits on its own, but the week is full: it would need at most {need} more minutes on "
        "{day_en} (perhaps fewer with the stops in another order). {instead_en}",
    ),
    "week_full_clash": (
        "Χωράει μόνη της, αλλά όχι {on_day_el}, όπου θα πήγαινε. {instead_el}",
        "It fits on its own, but not on {day_en}, where it would go. {instead_en}",
    ),
    "week_full_search": (
        "Χωράει {on_day_el}: η διαδρομή εκείνης της ημέρας την παίρνει μαζί με όλες τις στάσεις της, "
        "με τα ωράριά τους και το διάλειμμα. Η αναζήτηση δεν το βρήκε μέσα στον χρόνο της· "
        "μεγαλύτερος χρόνος αναζήτησης (--time-limit) ή νέος σχεδιασμός μπορεί να την εξυπηρετήσει.",
        "It fits on {day_en}: that day's route takes it with all its stops, their windows and the "
        "break. The search did not find that within its time; a longer search time (--time-limit) "
        "or planning again may serve it.",
    ),
    "week_full_weights": (
        "Χωράει {on_day_el}, αλλά με τα βάρη του προβλήματος η εξυπηρέτησή της κοστίζει "
        "περισσότερο ({cost}) από την παράλειψή της ({miss}: βάρος «unserved» {weight} × "
        "προτεραιότητα {priority}). Αυξήστε το βάρος «unserved».",
        "It fits on {day_en}, but under the problem's weights serving it costs more ({cost}) "
        'than leaving it out ({miss}: the weight "unserved" {weight} × priority {priority}). '
        'Raise the "unserved" weight.',
    ),
    "week_full_capacity": (
        "Χωράει μόνη της, αλλά {on_day_el}, όπου θα πήγαινε, η μονάδα έχει ήδη φορτίο {used} από τα "
        "{capacity} που χωρά, και το φορτίο της ({load}) δεν χωρά. {instead_el}",
        "It fits on its own, but on {day_en}, where it would go, the unit already carries a load of "
        "{used} of its {capacity}, and its load ({load}) does not fit. {instead_en}",
    ),
    "week_full_span": (
        "Χωράει μόνη της, αλλά {on_day_el} οι ώρες της ({windows_el}) μαζί με των άλλων επισκέψεων θα "
        "έκαναν τη μέρα του οδηγού τουλάχιστον {span_h} ώρες, πάνω από το όριο των {limit_h} ωρών "
        "εργασίας εκείνη την ημέρα. Άλλη ώρα γι' αυτήν ή για τις άλλες, ή μεγαλύτερο όριο εκείνη την "
        "ημέρα, θα τη χωρούσαν. {instead_el}",
        "It fits on its own, but on {day_en} its hours ({windows_en}) together with the other visits' "
        "would make the driver's day at least {span_h_en} h, over the {limit_h_en} h working limit that "
        "day. Another hour for it or for the others, or a longer limit that day, would fit it. "
        "{instead_en}",
    ),
    "week_full_unchecked": (
        "Χωράει μόνη της, αλλά έμεινε εκτός: είναι μία από τις {left} επισκέψεις χωρίς ανάθεση αυτής "
        "της εβδομάδας.{overload_el} Με τόσες, οι ημέρες ξαναϋπολογίστηκαν λεπτό προς λεπτό με την "
        "επίσκεψη μόνο για τις {checked} πρώτες σε προτεραιότητα· γι' αυτήν δεν υπολογίστηκε ποια "
        "ημέρα θα τη χωρούσε ούτε πόσος χρόνος λείπει.",
        "It fits on its own, but it was left out: it is one of the week's {left} unassigned "
        "visits.{overload_en} With that many, the days were re-timed minute by minute with the visit "
        "only for the first {checked} by priority; for this one, which day would take it and how much "
        "time is missing were not worked out.",
    ),
    "week_full_timing": (
        "Χωράει μόνη της, αλλά {on_day_el}, όπου ταιριάζει καλύτερα, ο χρόνος που περισσεύει δεν "
        "πέφτει σε ώρα που επιτρέπει το ωράριό της μαζί με τις ώρες των άλλων επισκέψεων και το "
        "διάλειμμα. {instead_el}",
        "It fits on its own, but on {day_en}, where it fits best, the time left is not at an hour "
        "its window allows together with the other visits' times and the break. {instead_en}",
    ),
}


def _message(reason: str, **kw: object) -> tuple[str, str]:
    el, en = MESSAGES[reason]
    return el.format(**kw), en.format(**kw)


def _allowed_words(v: Visit) -> tuple[str, str]:
    """The visit's allowed weekdays, in Greek and English."""
    days = sorted(v.allowed_weekdays) if v.allowed_weekdays is not None else list(range(7))
    if not days:
        return "καμία ημέρα", "no day"
    return ", ".join(DAY_NAMES_EL[d] for d in days), ", ".join(DAY_NAMES_EN[d] for d in days)


def _mins(seconds: int) -> int:
    """Seconds as whole minutes, as the messages give them."""
    return round(seconds / 60)


def _span(w: TimeWindow) -> str:
    """A window as 'HH:MM-HH:MM' (or one time when it is a point)."""
    return hhmm(w.start) if w.start == w.end else f"{hhmm(w.start)}-{hhmm(w.end)}"


def _start_windows(v: Visit, d: date, use_pin: bool) -> tuple[TimeWindow, ...]:
    """The visit's own start windows on date ``d`` (its pinned time there, if it counts)."""
    if use_pin and v.pinned_time is not None and v.pinned_date == d:
        return (TimeWindow(v.pinned_time, v.pinned_time),)
    return v.windows_on(d)


def _windows_words(v: Visit, d: date, use_pin: bool) -> tuple[str, str]:
    """The visit's start windows on ``d`` in words, Greek and English."""
    if use_pin and v.pinned_time is not None and v.pinned_date == d:
        return f"κλειδωμένη στις {hhmm(v.pinned_time)}", f"pinned at {hhmm(v.pinned_time)}"
    windows = v.windows_on(d)
    if not windows:
        return "οποιαδήποτε ώρα", "any time"
    text = ", ".join(_span(w) for w in windows)
    return text, text


def _pin_words(v: Visit) -> tuple[str, str]:
    """'Είναι κλειδωμένη για τη Δευτέρα 07/12 10:00. ' and its English, for a pinned visit."""
    if v.pinned_date is None:
        return "", ""
    at = f" {hhmm(v.pinned_time)}" if v.pinned_time is not None else ""
    return (
        f"Είναι κλειδωμένη για {on_day_el(v.pinned_date)}{at}. ",
        f"It is pinned to {day_en(v.pinned_date)}{at}. ",
    )


def _refusals(problem: Problem, v: Visit, days: Sequence[int], use_pin: bool) -> dict[str, list[int]]:
    """Unit-days ``days`` that cannot take ``v``, by the reason code (as in
    :func:`planner.candidates.visit_slots`)."""
    out: dict[str, list[int]] = {}
    pattern_dates = {d for p in v.patterns for d in p} if v.patterns is not None else None
    for i in days:
        if pattern_dates is not None and problem.unit_days[i].date not in pattern_dates:
            code = cand.NOT_IN_PATTERN
        else:
            got = cand.slot_for(problem, i, v, ignore_pin=not use_pin)
            if isinstance(got, cand.Slot):
                continue
            code = got
        out.setdefault(code, []).append(i)
    return out


def _no_time_words(problem: Problem, v: Visit, days: Sequence[int], use_pin: bool) -> tuple[str, str, str]:
    """Why ``v`` has no start time on unit-days ``days`` (each refused as no time in the shift):
    the message key, Greek and English. The staff able to make it aboard only at hours that do
    not hold it are named with their hours; a visit longer than every shift is called so."""
    who = _who(problem, v)
    too_long = 0
    people: dict[tuple[str, str], list[date]] = {}
    first: date | None = None
    staff = {s.id: s for s in problem.staff}
    for i in days:
        ud = problem.unit_days[i]
        if ud.shift.end - ud.shift.start < v.service:
            too_long += 1
            continue
        in_shift = TimeWindow(ud.shift.start, ud.shift.end - v.service)
        own = _start_windows(v, ud.date, use_pin) or (cand.ANY_TIME,)
        if not any(w.intersect(in_shift) for w in own):
            continue  # its own window misses the shift
        # the window meets the shift: the hours of those who could make it do not hold it
        first = first or ud.date
        for member in ud.crew:
            person = staff.get(member.staff_id)
            if person is None or (v.required_staff is not None and member.staff_id != v.required_staff):
                continue
            if v.required_role is not None and v.required_role not in person.roles:
                continue
            name = short_name(person.name) if person.name else person.id
            people.setdefault((name, _span(member.hours or ud.shift)), []).append(ud.date)
    if people and first is not None:
        people_el = " · ".join(  # not ";", a question mark in Greek
            f"{name} {hours} {', '.join(on_day_el(d) for d in sorted(set(ds)))}"
            for (name, hours), ds in people.items()
        )
        people_en = "; ".join(
            f"{name} {hours} on {', '.join(day_en(d) for d in sorted(set(ds)))}"
            for (name, hours), ds in people.items()
        )
        windows_el, windows_en = _windows_words(v, first, use_pin)
        staff_named = v.required_staff is not None
        el, en = _message(
            "no_time_crew_hours",
            **who,
            windows_el=windows_el,
            windows_en=windows_en,
            service_min=_mins(v.service),
            people_el=people_el,
            people_en=people_en,
            anyone_el=", ή αφήστε την επίσκεψη σε όποιον έχει την ειδικότητα" if staff_named else "",
            anyone_en=", or let anyone with the role make the visit" if staff_named else "",
        )
        return "no_time_crew_hours", el, en
    if too_long == len(days):
        longest = max(problem.unit_days[i].shift.end - problem.unit_days[i].shift.start for i in days)
        el, en = _message("no_time_too_long", service_min=_mins(v.service), shift_min=_mins(longest))
        return "no_time_too_long", el, en
    if use_pin and v.pinned_date is not None:
        shift = _span(problem.unit_days[days[0]].shift)
        if v.pinned_time is not None:
            el, en = _message(
                "no_time_pinned_time", at=hhmm(v.pinned_time), shift=shift, service_min=_mins(v.service)
            )
            return "no_time_pinned_time", el, en
        el, en = _message("no_time_pinned", shift=shift)
        return "no_time_pinned", el, en
    el, en = _message("no_time_in_shift")
    shifts = [problem.unit_days[i] for i in days]

    def evening(ud: UnitDay) -> bool:  # its windows that day (weekday's own) start after the shift
        windows = v.windows_on(ud.date)
        return bool(windows) and all(
            w.start >= ud.shift.start and w.start + v.service > ud.shift.end for w in windows
        )

    if shifts and not any(ud.pilot for ud in shifts) and all(evening(ud) for ud in shifts):
        # an evening visit: the shift is widened by a pilot day, which the coordinator sets, not by
        # the visit's page. A pilot day of the period whose shift holds its hours, if any, is named
        # with who is missing aboard (it said «no available day has one» of a pilot day without
        # the social worker)
        pilots = [
            ud
            for ud in problem.unit_days
            if ud.pilot
            and ud.available
            and ud.date in problem.dates
            and (v.allowed_weekdays is None or ud.date.weekday() in v.allowed_weekdays)
            and any(w.start + v.service <= ud.shift.end for w in v.windows_on(ud.date) or (cand.ANY_TIME,))
        ]
        el += (
            " Οι ώρες της είναι μετά το τέλος της βάρδιας: μόνο ημέρα με διευρυμένο ωράριο (πιλοτική "
            "ημέρα) μπορεί να την εξυπηρετήσει"
        )
        en += " Its hours are after the shift ends: only an extended-hours day (a pilot day) can serve it"
        crewless = sorted({ud.date for ud in pilots if cand.crew_hours(problem, ud, v) is None})
        if not pilots:
            el += ", και καμία διαθέσιμη ημέρα αυτής της περιόδου δεν έχει."
            en += ", and no available day of this period has one."
        elif crewless and len(crewless) == len({ud.date for ud in pilots}):
            named = v.required_staff is not None
            one = len(crewless) == 1
            el += (
                f"· {', '.join(on_day_el(d) for d in crewless)} "
                f"{'η ημέρα είναι πιλοτική' if one else 'οι ημέρες είναι πιλοτικές'}, αλλά δεν επιβαίνει "
                f"{who['who_el']}. Προσθέστε {who['whom_el']} στο πλήρωμα "
                f"{'εκείνης της ημέρας' if one else 'μιας από αυτές'} {CREWS_EL}."
            )
            pilot_en = "is a pilot day" if one else "are pilot days"
            en += (
                f"; {', '.join(day_en(d) for d in crewless)} {pilot_en}, "
                f"but {who['who_en'] + ' is not' if named else 'no ' + who['who_en'] + ' is'} aboard. Add "
                f"{'them' if named else 'one'} to the crew of {'that day' if one else 'one of them'}"
                f" {CREWS_EN}."
            )
        else:
            el, en = el + ".", en + "."
    return "no_time_in_shift", el, en


def _no_slot_reason(
    problem: Problem, v: Visit, refused: dict[str, int], pinned: bool = False
) -> tuple[str, str, str, dict[str, object]]:
    """The most useful reason (code, Greek, English, details) when no unit-day can take the
    visit; with ``pinned`` (or for a single visit with a pinned date), on its pinned date."""
    details: dict[str, object] = {"refused_unit_days": dict(refused)}
    allowed_el, allowed_en = _allowed_words(v)
    kw: dict[str, object] = {
        **_who(problem, v),
        "load": v.load,
        "allowed_el": allowed_el,
        "allowed_en": allowed_en,
    }
    allowed = [d for d in problem.dates if v.allowed_weekdays is None or d.weekday() in v.allowed_weekdays]
    open_days = [i for i, ud in enumerate(problem.unit_days) if ud.available and ud.date in problem.dates]
    pinned = v.pinned_date is not None and (pinned or v.frequency == 1)
    days = open_days
    if pinned:
        assert v.pinned_date is not None
        details["pinned_el"], details["pinned_en"] = day_el(v.pinned_date), day_en(v.pinned_date)
        kw["pinned_on_el"], kw["pinned_en"] = on_day_el(v.pinned_date), day_en(v.pinned_date)
        if v.pinned_date not in allowed:
            return ("no_allowed_date", *_message("no_allowed_date_pinned", **kw), details)
        days = [i for i in open_days if problem.unit_days[i].date == v.pinned_date]
        if not days:
            # «unpin it» helps only when another day it allows is open
            others = any(problem.unit_days[i].date in allowed for i in open_days)
            key = "pinned_date_unavailable" if others else "pinned_date_unavailable_only"
            return ("pinned_date_unavailable", *_message(key, **kw), details)
    if not allowed:
        return ("no_allowed_date", *_message("no_allowed_date", **kw), details)
    by_code = _refusals(problem, v, days, use_pin=pinned)
    pin_el, pin_en = _pin_words(v) if pinned else ("", "")
    lead_el = lead_en = ""  # which units carry its load, when only some do
    if by_code.get(cand.NO_TIME):
        key, el, en = _no_time_words(problem, v, by_code[cand.NO_TIME], use_pin=pinned)
        details["why"] = key
        return "no_time_in_shift", pin_el + el, pin_en + en, details
    if by_code.get(cand.CAPACITY):
        # the units that could carry it: none, or none on a day it could take (off all week)
        able = {u.id for u in problem.units if u.capacity is None or u.capacity >= v.load}
        usable = [
            i for i in days if problem.unit_days[i].unit_id in able and problem.unit_days[i].date in allowed
        ]
        if not able:
            el, en = _message("over_capacity", **kw)
            return "over_capacity", pin_el + el, pin_en + en, details
        if not usable:
            el, en = _capacity_units_off(problem, v, able, by_code[cand.CAPACITY], pinned)
            details["units_able"] = sorted(able)
            return "over_capacity", pin_el + el, pin_en + en, details
        # a unit that carries it is available: what stops it there is the reason, said of
        # those units (not «over every unit's capacity»)
        by_code = _refusals(problem, v, usable, use_pin=pinned)
        open_days = [i for i in open_days if problem.unit_days[i].unit_id in able]
        names = [u.name or u.id for u in problem.units if u.id in able]
        if len(names) == 1:
            lead_el = f"Το φορτίο της ({v.load}) το χωρά μόνο η μονάδα «{names[0]}». "
        else:
            lead_el = (
                f"Το φορτίο της ({v.load}) το χωρούν μόνο οι μονάδες {', '.join(f'«{n}»' for n in names)}. "
            )
        lead_en = f"Only {', '.join(names)} can carry its load ({v.load}). "
        details["units_able"] = sorted(able)
    if by_code.get(cand.NO_ROLE) or by_code.get(cand.NO_STAFF):
        if not pinned:
            key = "no_crew" if by_code.get(cand.NO_ROLE) else "no_crew_staff"
            el, en = _message(key, **kw)
            return "no_crew", lead_el + el, lead_en + en, details
        # the pin is what stops it: say so, and name the days the role (or person) is aboard
        aboard = sorted(
            {
                problem.unit_days[i].date
                for i in open_days
                if problem.unit_days[i].date != v.pinned_date
                and problem.unit_days[i].date in allowed
                and cand.crew_hours(problem, problem.unit_days[i], v) is not None
            }
        )
        named = v.required_staff is not None
        who_en = str(kw["who_en"])
        if aboard:
            elsewhere_el = f" (επιβαίνει {', '.join(on_day_el(d) for d in aboard)})"
            elsewhere_en = (
                f" ({'they are' if named else 'one is'} aboard on {', '.join(day_en(d) for d in aboard)})"
            )
        else:
            elsewhere_el = " (ούτε άλλη ημέρα)"
            elsewhere_en = " (nor on any other day)"
        details["aboard_dates"] = [d.isoformat() for d in aboard]
        el, en = _message(
            "no_crew_pinned",
            **kw,
            elsewhere_el=elsewhere_el,
            elsewhere_en=elsewhere_en,
            who_en_absent=f"{who_en} is not aboard" if named else f"no {who_en} is aboard",
            who_en_they="they are" if named else "one is",
            who_en_them="them" if named else "one",
        )
        return "no_crew", lead_el + el, lead_en + en, details
    el, en = _message("no_available_day", **kw)
    return "no_available_day", lead_el + el, lead_en + en, details


def _capacity_units_off(
    problem: Problem, v: Visit, able: set[str], too_small: Sequence[int], pinned: bool
) -> tuple[str, str]:
    """Why a visit whose load only units ``able`` carry has no day: those units are not
    available on any day it could take (on its pinned date, its allowed days, the whole
    week), and the units available on them (unit-days ``too_small``) carry less. (It said
    «exceeds every unit's capacity» of a load a unit off all week carries.)"""
    small = sorted({problem.unit_days[i].unit_id for i in too_small})
    units = {u.id: u for u in problem.units}

    def name(uid: str) -> str:
        return units[uid].name or uid

    carry = ", ".join(f"«{name(uid)}»: {units[uid].capacity}" for uid in small)
    carry_en = ", ".join(f"{name(uid)}: {units[uid].capacity}" for uid in small)
    of_el = "της διαθέσιμης μονάδας" if len(small) == 1 else "των διαθέσιμων μονάδων"
    of_en = "the unit available" if len(small) == 1 else "the units available"
    shown = sorted(able, key=lambda uid: [u.id for u in problem.units].index(uid))
    listed_el = ", ".join(f"«{name(uid)}»" for uid in shown)
    listed_en = ", ".join(name(uid) for uid in shown)
    some_day = any(
        ud.available and ud.unit_id in able and ud.date in problem.dates for ud in problem.unit_days
    )
    if pinned and v.pinned_date is not None:
        when_el, when_en = on_day_el(v.pinned_date), f"on {day_en(v.pinned_date)}"
    elif some_day:
        when_el, when_en = "σε καμία από τις επιτρεπτές ημέρες της", "on any day it allows"
    else:
        when_el, when_en = "καμία ημέρα της περιόδου", "on any day of the period"
    if len(shown) == 1:
        who_el = f"η μόνη μονάδα που τη χωρά, {listed_el}, δεν είναι διαθέσιμη"
        who_en = f"the only unit that can carry it, {listed_en}, is not available"
    else:
        who_el = f"οι μονάδες που τη χωρούν ({listed_el}) δεν είναι διαθέσιμες"
        who_en = f"the units that can carry it ({listed_en}) are not available"
    return (
        f"Το φορτίο της ({v.load}) ξεπερνά τη χωρητικότητα {of_el} ({carry}), και {who_el} "
        f"{when_el}. Κάντε διαθέσιμη μια μονάδα που τη χωρά ή μειώστε το φορτίο της.",
        f"Its load ({v.load}) exceeds the capacity of {of_en} ({carry_en}), and {who_en} "
        f"{when_en}. Make a unit that can carry it available, or lower its load.",
    )


@dataclass(frozen=True)
class _Miss:
    """How base -> visit -> base misses one unit-day on its own: the first of the day's rules
    it breaks (``limit``), by how many seconds (``over``), and the figures to name."""

    limit: str
    over: int
    ud: UnitDay
    window: TimeWindow
    out: int
    back: int
    unit: Unit | None = None  # whose weekly cap it is (``weekly_cap``)
    unit_name: str = ""  # named when the problem has more than one unit


# What stops a visit that cannot go on any day even on its own (``_Miss.limit``), in the order
# :func:`_alone_miss` checks: ``too_long`` the visit longer than the driver's working time;
# ``too_far`` the trip and the visit longer than the shift; ``max_drive`` the daily driving
# limit; ``break`` no room for the break; ``max_work`` the driver's working time;
# ``weekly_cap`` more than the unit's weekly cap leaves for the whole week (``weekly_max_work``
# less ``weekly_worked``); ``early`` a window closing before the unit can get there; ``late``
# one too late to be back in time.


def _alone_miss(
    ud: UnitDay,
    out: int,
    service: int,
    back: int,
    w: TimeWindow,
    unit: Unit | None = None,
    unit_name: str = "",
) -> _Miss | None:
    """What base -> visit (service starting in window ``w``, as early as it can) -> base breaks
    of unit-day ``ud``'s rules (and of its ``unit``'s weekly cap, when given), or None when it
    fits."""
    day = ud.shift.end - ud.shift.start
    work = out + service + back

    def miss(limit: str, over: int) -> _Miss:
        return _Miss(limit, over, ud, w, out, back, unit, unit_name)

    if ud.max_work is not None and service > ud.max_work:
        return miss("too_long", service - ud.max_work)
    if work > day:
        return miss("too_far", work - day)
    if ud.max_drive is not None and out + back > ud.max_drive:
        return miss("max_drive", out + back - ud.max_drive)
    rule = ud.break_rule
    if rule is not None and work > rule.required_after:
        # a break must split the day into stretches no longer than the rule allows
        stretch = min(max(out + service, back), max(out, service + back))
        if stretch > rule.required_after:
            return miss("break", stretch - rule.required_after)
        work += rule.duration
    if ud.max_work is not None and work > ud.max_work:
        return miss("max_work", work - ud.max_work)
    left = unit.weekly_left if unit is not None else None
    if left is not None and work > left:  # the whole week cannot hold this one day
        return miss("weekly_cap", work - left)
    start = max(ud.shift.start + out, w.start)
    if start > w.end:
        return miss("early", start - w.end)
    if start + service + back > ud.shift.end:
        return miss("late", start + service + back - ud.shift.end)
    return None


def _alone(problem: Problem, v: Visit, slots: Sequence[cand.Slot]) -> tuple[bool, int, list[_Miss]]:
    """Whether the visit fits in some slot on its own (base -> visit -> base), the drive from
    the base, and, when it fits nowhere, how it misses each slot (its nearest window)."""
    travel = travel_model_of(problem.travel)
    drive = 0
    misses: list[_Miss] = []
    for s in slots:
        ud = problem.unit_days[s.unit_day]
        unit = problem.unit(ud.unit_id)
        m = travel.matrix([unit.base, v.location], unit)
        out, back = int(m.durations[0, 1]), int(m.durations[1, 0])
        drive = out
        here: list[_Miss] = []
        name = (unit.name or unit.id) if len(problem.units) > 1 else ""
        for w in s.windows:
            got = _alone_miss(ud, out, v.service, back, w, unit, name)
            if got is None:
                return True, out, []
            here.append(got)
        if here:
            misses.append(min(here, key=lambda x: x.over))
    return False, drive, misses


def _miss_words(v: Visit, m: _Miss, use_pin: bool) -> tuple[str, str, str, str]:
    """The limit ``m`` breaks, in words with its figures, and the advice that can help (Greek,
    English)."""
    ud, s = m.ud, _mins(v.service)
    out, back = _mins(m.out), _mins(m.back)
    rt = out + back
    total = rt + s
    day = _mins(ud.shift.end - ud.shift.start)
    shorten_el = "Μικρύνετε τη διάρκειά της ή χωρίστε τη σε δύο επισκέψεις."
    shorten_en = "Shorten it or split it into two visits."
    nearer_el, nearer_en = "αναθέστε τη σε μονάδα με βάση πιο κοντά", "have a unit based nearer serve it"
    pinned = use_pin and v.pinned_time is not None and v.pinned_date == ud.date
    if m.limit == "too_long":
        return (
            f"η ίδια η επίσκεψη ({s} λεπτά) διαρκεί περισσότερο από το όριο εργασίας του οδηγού "
            f"({_mins(ud.max_work or 0)} λεπτά)",
            f"the visit itself ({s} min) is longer than the driver's working time "
            f"({_mins(ud.max_work or 0)} min)",
            shorten_el,
            shorten_en,
        )
    if m.limit == "too_far" and m.out + m.back >= v.service:
        return (
            f"ο τόπος της είναι πολύ μακριά για να πάει η μονάδα και να γυρίσει μέσα σε μία ημέρα: "
            f"{out} λεπτά δρόμος ως εκεί και {back} πίσω, που μαζί με τα {s} λεπτά της επίσκεψης κάνουν "
            f"{total} λεπτά, περισσότερα από όλη τη βάρδια ({day} λεπτά)",
            f"its place is too far to go there and back in a day: {out} min's drive there and {back} "
            f"back, which with its {s} min of service make {total} min, more than the whole shift "
            f"({day} min)",
            f"Ελέγξτε τις συντεταγμένες του τόπου ή {nearer_el}.",
            f"Check the place's coordinates, or {nearer_en}.",
        )
    if m.limit == "too_far":
        return (
            f"η επίσκεψη ({s} λεπτά) μαζί με τη διαδρομή ως εκεί και πίσω ({rt} λεπτά) κρατά {total} λεπτά, "
            f"περισσότερα από όλη τη βάρδια ({day} λεπτά)",
            f"the visit ({s} min) with the drive there and back ({rt} min) takes {total} min, more than "
            f"the whole shift ({day} min)",
            shorten_el,
            shorten_en,
        )
    if m.limit == "max_drive":
        limit = _mins(ud.max_drive or 0)
        return (
            f"η διαδρομή ως εκεί και πίσω ({rt} λεπτά οδήγησης) ξεπερνά το ημερήσιο όριο οδήγησης του οδηγού "
            f"({limit} λεπτά)",
            f"the drive there and back ({rt} min) is more than the driver's daily driving limit "
            f"({limit} min)",
            f"Αυξήστε το όριο οδήγησης ή {nearer_el}.",
            f"Raise the driving limit, or {nearer_en}.",
        )
    if m.limit == "break":
        rule = ud.break_rule
        assert rule is not None
        after, dur = _mins(rule.required_after), _mins(rule.duration)
        return (
            f"η επίσκεψη ({s} λεπτά) δεν αφήνει χώρο για το διάλειμμα του οδηγού: κανένα διάστημα εργασίας "
            f"δεν μπορεί να ξεπερνά τα {after} λεπτά χωρίς διάλειμμα {dur} λεπτών",
            f"the visit ({s} min) leaves no room for the driver's break: no stretch of work may be longer "
            f"than {after} min without a {dur} min break",
            shorten_el,
            shorten_en,
        )
    if m.limit == "max_work":
        limit = _mins(ud.max_work or 0)
        rule = ud.break_rule
        brk = rule is not None and m.out + v.service + m.back > rule.required_after
        work = total + (_mins(rule.duration) if rule is not None and brk else 0)
        with_el = (
            f" μαζί με το διάλειμμα των {_mins(rule.duration)} λεπτών" if rule is not None and brk else ""
        )
        with_en = f" with the {_mins(rule.duration)} min break" if rule is not None and brk else ""
        return (
            f"η διαδρομή ως εκεί και πίσω ({rt} λεπτά) και η επίσκεψη ({s} λεπτά) κρατούν {work} "
            f"λεπτά{with_el}, "
            f"περισσότερα από το όριο εργασίας του οδηγού ({limit} λεπτά)",
            f"the drive there and back ({rt} min) and the visit ({s} min) take {work} min{with_en}, "
            "more than "
            f"the driver's working time ({limit} min)",
            "Αυξήστε το όριο εργασίας της ημέρας ή μικρύνετε τη διάρκειά της.",
            "Raise the day's working time or shorten the visit.",
        )
    if m.limit == "weekly_cap":
        return _weekly_cap_words(v, m)
    leave, arrive = hhmm(ud.shift.start), hhmm(ud.shift.start + m.out)
    if m.limit == "early":
        when_el = (
            f"στην ώρα που είναι κλειδωμένη ({hhmm(m.window.end)})"
            if pinned
            else f"ώστε να αρχίσει έως τις {hhmm(m.window.end)}"
        )
        when_en = (
            f"by the time it is pinned to ({hhmm(m.window.end)})"
            if pinned
            else f"to start by {hhmm(m.window.end)}"
        )
        return (
            f"δεν προλαβαίνει η μονάδα να φτάσει {when_el}: ξεκινά στις {leave} και ο τόπος είναι "
            f"{out} λεπτά "
            f"δρόμος από τη βάση (φτάνει στις {arrive})",
            f"the unit cannot get there {when_en}: it leaves at {leave} and the place is {out} min from the "
            f"base (it arrives at {arrive})",
            ("Κλειδώστε τη σε αργότερη ώρα" if pinned else "Μεταθέστε το ωράριό της αργότερα")
            + " ή ξεκινήστε τη βάρδια νωρίτερα.",
            ("Pin it to a later time" if pinned else "Move its window later")
            + " or start the shift earlier.",
        )
    start = max(ud.shift.start + m.out, m.window.start)
    longer_el = " ή ορίστε ημέρα με διευρυμένο ωράριο" if not ud.pilot else ""
    longer_en = " or use an extended-hours day" if not ud.pilot else ""
    return (
        f"αρχίζοντας στις {hhmm(start)}, το νωρίτερο που επιτρέπει το ωράριό της, η επίσκεψη "
        f"({s} λεπτά) και η "
        f"επιστροφή ({back} λεπτά δρόμος) τελειώνουν μετά το τέλος της βάρδιας ({hhmm(ud.shift.end)})",
        f"starting at {hhmm(start)}, the earliest its window allows, the visit ({s} min) and the drive "
        f"back ({back} min) end after the shift does ({hhmm(ud.shift.end)})",
        ("Κλειδώστε τη σε νωρίτερη ώρα" if pinned else "Μεταθέστε το ωράριό της νωρίτερα") + longer_el + ".",
        ("Pin it to an earlier time" if pinned else "Move its window earlier") + longer_en + ".",
    )


def _weekly_cap_words(v: Visit, m: _Miss) -> tuple[str, str, str, str]:
    """The words of a ``weekly_cap`` miss: the day the visit needs on its own, and what the
    unit's weekly cap leaves for the whole week (it said «It fits on its own, but the week is
    full: it would need 172 more minutes» with 100 minutes left in the week)."""
    unit, ud = m.unit, m.ud
    assert unit is not None and unit.weekly_max_work is not None
    s, rt = _mins(v.service), _mins(m.out) + _mins(m.back)
    rule = ud.break_rule
    brk = rule is not None and m.out + v.service + m.back > rule.required_after
    work = rt + s + (_mins(rule.duration) if rule is not None and brk else 0)  # minutes, as shown
    with_el = f" μαζί με το διάλειμμα των {_mins(rule.duration)} λεπτών" if rule is not None and brk else ""
    with_en = f" with the {_mins(rule.duration)} min break" if rule is not None and brk else ""
    cap_h, worked_h = _hours(unit.weekly_max_work), _hours(unit.weekly_worked)
    of_el = f" της μονάδας «{m.unit_name}»" if m.unit_name else ""
    driver_en = f"{m.unit_name} driver's" if m.unit_name else "driver's"
    advice_el = "Αυξήστε το εβδομαδιαίο όριο εργασίας της μονάδας ή μεταφέρετε την επίσκεψη σε άλλη εβδομάδα."
    advice_en = "Raise the unit's weekly working cap, or move the visit to another week."
    if unit.weekly_worked >= unit.weekly_max_work:
        return (
            f"το εβδομαδιαίο όριο του οδηγού{of_el} ({_el(cap_h)} ώρες) έχει ήδη εξαντληθεί: "
            f"{_el(worked_h)} ώρες δουλεμένες σε ημέρες που κρατήθηκαν· δεν μένει χρόνος αυτή την εβδομάδα",
            f"the {driver_en} weekly cap ({cap_h} h) is already used up: {worked_h} h worked on the days "
            "kept; no time is left this week",
            advice_el,
            advice_en,
        )
    left = _mins(unit.weekly_left or 0)
    more = max(1, work - left)  # the figures shown add up
    less_el = (
        f", μείον {_el(worked_h)} ώρες ήδη δουλεμένες σε ημέρες που κρατήθηκαν" if unit.weekly_worked else ""
    )
    less_en = f", less {worked_h} h already worked on the days kept" if unit.weekly_worked else ""
    return (
        f"η διαδρομή ως εκεί και πίσω ({rt} λεπτά) και η επίσκεψη ({s} λεπτά) κρατούν {work} "
        f"λεπτά{with_el}, περισσότερα από όσα αφήνει για όλη την εβδομάδα το εβδομαδιαίο όριο του "
        f"οδηγού{of_el} ({left} λεπτά: όριο {_el(cap_h)} ώρες{less_el}): θα χρειαζόταν {more} λεπτά "
        "ακόμη",
        f"the drive there and back ({rt} min) and the visit ({s} min) take {work} min{with_en}, "
        f"more than the {driver_en} weekly cap leaves for the whole week ({left} min: a "
        f"{cap_h} h cap{less_en}): it would need {more} more minutes",
        advice_el,
        advice_en,
    )


def _unreachable(v: Visit, misses: Sequence[_Miss], use_pin: bool) -> tuple[str, str, dict[str, object]]:
    """The message for a visit that fits no day even on its own: the limit that stops it where it
    comes closest (the day named when the days differ), and what can help."""
    best = min(misses, key=lambda m: m.over)
    el, en, do_el, do_en = _miss_words(v, best, use_pin)
    if len({_miss_words(v, m, use_pin)[1] for m in misses}) > 1:
        el = f"{on_day_el(best.ud.date)}, όπου πλησιάζει περισσότερο, {el}"
        en = f"on {day_en(best.ud.date)}, where it comes closest, {en}"
    details: dict[str, object] = {
        "drive_min": _mins(best.out),
        "limit": best.limit,
        "date": best.ud.date.isoformat(),
    }
    return f"Ακόμη και μόνη της, {el}. {do_el}", f"Even on its own, {en}. {do_en}", details


def _day_room(problem: Problem, plan: Plan) -> list[int]:
    """Per unit-day (index as ``problem.unit_days``), the most its driver may work given the
    plan's other days: its own limit, or what the unit's weekly cap leaves after them."""
    out = [cand.own_limit(ud) for ud in problem.unit_days]
    open_days = [i for i, ud in enumerate(problem.unit_days) if ud.available and ud.date in problem.dates]
    caps = cand.binding_caps(problem, [problem.unit_days[i] for i in open_days])
    work = {(r.unit_id, r.date): r.work_time for r in plan.routes}
    total = {uid: sum(t for (u, _), t in work.items() if u == uid) for uid in caps}
    for i in open_days:
        ud = problem.unit_days[i]
        if ud.unit_id in caps:
            others = total[ud.unit_id] - work.get((ud.unit_id, ud.date), 0)
            out[i] = min(out[i], caps[ud.unit_id] - others)
    return out


def _pair_spans(
    problem: Problem, v: Visit, ud: UnitDay, route: Route, travel: TravelModel
) -> tuple[int, dict[str, int | None]]:
    """For each stop of ``route``'s day, the shortest day that holds it and ``v`` at starts
    their windows allow, in either order, straight from and back to the base inside the day's
    shift (the other stops only lengthen it); None when the two cannot share the day at all
    (their hours, the drive between them, the shift's end). Also ``v``'s own day alone."""
    unit = problem.unit(ud.unit_id)
    others = [problem.visit(st.visit_id) for st in route.stops]
    m = travel.matrix([unit.base, v.location, *(o.location for o in others)], unit)
    d = m.durations

    def windows(x: Visit) -> tuple[TimeWindow, ...]:
        return _start_windows(x, ud.date, x.frequency == 1) or (TimeWindow(ud.shift.start, ud.shift.end),)

    def shortest(first: int, a: Visit, second: int, b: Visit) -> int | None:
        """The shortest day serving ``a`` (matrix index ``first``) and then ``b``."""
        best: int | None = None
        for wa in windows(a):
            a_first = max(wa.start, ud.shift.start + int(d[0, first]))  # leaving at the shift's start
            if a_first > wa.end:
                continue
            for wb in windows(b):
                b_first = max(wb.start, a_first + a.service + int(d[first, second]))
                if b_first > wb.end or b_first + b.service + int(d[second, 0]) > ud.shift.end:
                    continue  # b cannot start after a, or not and be back by the shift's end
                gap = max(a.service + int(d[first, second]), wb.start - wa.end)
                span = int(d[0, first]) + gap + b.service + int(d[second, 0])
                best = span if best is None else min(best, span)
        return best

    alone = int(d[0, 1]) + v.service + int(d[1, 0])
    pairs: dict[str, int | None] = {}
    for k, other in enumerate(others, start=2):
        pair = [x for x in (shortest(k, other, 1, v), shortest(1, v, k, other)) if x is not None]
        pairs[other.id] = min(pair) if pair else None
    return alone, pairs


def _day_span_with(problem: Problem, v: Visit, ud: UnitDay, route: Route, travel: TravelModel) -> int | None:
    """A lower bound of the span, leaving the base to returning, of ``route``'s day with ``v``
    added: the longest of :func:`_pair_spans`, with the break when a day that long needs one.
    None when some stop cannot share a day with ``v`` at all (then the span is not the reason)."""
    bound, pairs = _pair_spans(problem, v, ud, route, travel)
    if any(span is None for span in pairs.values()):
        return None
    bound = max([bound, *(span for span in pairs.values() if span is not None)])
    rule = ud.break_rule
    if rule is not None and bound > rule.required_after:
        bound += rule.duration
    return bound


# --- exact timing: a day's route with one visit more ---------------------------------------

# a route of up to this many stops (with the visit) is tried in every order; a longer one with
# the visit at each place of its planned order (the search's order, already a good one), so
# that explaining a week stays well under a second
EXACT_ORDERS = 5
# the days re-timed with a left-out visit (one per day it could go on, and per set of stops left
# out to make room) for the whole plan: the visits of highest priority get them until this many
# are spent, the others a sentence without figures. A week of 1,164 visits due and two units
# left out about 1,100 of them, and re-timing all of them took 22 s after the search's time
# limit; the demo week's 10-30 left-out visits take 80-300.
FIT_BUDGET = 400
# the places whose drives :class:`_Timing` adds at a time, beyond the plan's own
PLACES_AHEAD = 100

_Brk = tuple[int, int, int, int]  # the break's window start and end, duration, required_after
_Node = tuple[int, int, tuple[tuple[int, int], ...]]  # location index, service, start windows


def _snap_up(wins: Sequence[tuple[int, int]], a: int) -> int | None:
    """The earliest start at or after ``a`` inside ``wins`` (sorted), or None."""
    for lo, hi in wins:
        if a <= hi:
            return max(a, lo)
    return None


def _snap_down(wins: Sequence[tuple[int, int]], bound: int) -> int | None:
    """The latest start at or before ``bound`` inside ``wins`` (sorted), or None."""
    for lo, hi in reversed(wins):
        if lo <= bound:
            return min(bound, hi)
    return None


def _earliest_and_latest(
    t: list[list[int]],
    base: int,
    nodes: Sequence[_Node],
    s0: int,
    brk: _Brk | None,
    b: int,
) -> tuple[int, int] | None:
    """The earliest return ``e`` leaving at ``s0`` and the latest departure ``d`` that still
    returns at ``e``, serving ``nodes`` (location, service, start windows) in order with the
    break in gap ``b`` (before ``nodes[b]``; -1 for none), or None when no schedule keeps the
    windows and the break's rules. The same schedule as :func:`planner.ruin.route_cost`, without
    the shift's end and the span limit (the caller says how far over them it is)."""
    n = len(nodes)
    b0, b1, bd, breq = brk if brk is not None else (0, 0, 0, 0)
    tm = s0
    prev = base
    a = s0
    for k in range(n + 1):
        loc = nodes[k][0] if k < n else base
        a = tm + t[prev][loc]
        if k == b:
            bs = max(tm, b0)
            if bs > b1:
                return None
            a = max(bs, a) + bd
        if k == n:
            break
        st = _snap_up(nodes[k][2], a)
        if st is None:
            return None
        tm = st + nodes[k][1]
        prev = loc
    e = a
    lat, nxt, next_latest = e, base, e
    for k in range(n - 1, -1, -1):
        loc, svc, wins = nodes[k]
        if k + 1 == b:
            if lat < b0 + bd:
                return None
            next_latest = lat
            bound = min(lat - t[loc][nxt] - bd, b1) - svc
        else:
            bound = lat - t[loc][nxt] - svc
        got = _snap_down(wins, bound)
        if got is None:
            return None
        lat, nxt = got, loc
    if b == 0:
        if lat < b0 + bd:
            return None
        next_latest = lat
        d = min(lat - t[base][nxt] - bd, b1)
    else:
        d = lat - t[base][nxt]
    if b >= 0:
        tm, prev = d, base
        for k in range(b):
            loc, svc, wins = nodes[k]
            st = _snap_up(wins, tm + t[prev][loc])
            if st is None:
                return None
            tm, prev = st + svc, loc
        if max(tm, b0, e - bd - breq) > min(b1, next_latest - bd, d + breq):
            return None
    return e, d


@dataclass(frozen=True)
class _Fit:
    """The best schedule of a day with the visit added: ``need`` the seconds more its working
    limit (and its shift's end) would need (0: it fits as it is), its ``drive``, ``span`` and
    return (``end``), and ``exact`` when every order of the stops was tried."""

    need: int
    drive: int
    span: int
    end: int
    exact: bool
    cost: int = 0  # as the search prices the day (drive, working time, hours after the regular end)
    order: tuple[_Node, ...] = ()


class _Timing:
    """The plan's days re-timed exactly with one visit more (or one stop less): what
    :func:`_week_full` says is tested, not estimated from the drive alone (it said «5 more
    minutes» of a visit that did not fit with 20 more, and «no room at a usable hour» of one
    that fitted)."""

    def __init__(
        self, problem: Problem, plan: Plan, limits: Sequence[int], upcoming: Sequence[Location] = ()
    ) -> None:
        self.problem = problem
        self.limits = limits
        self.travel = travel_model_of(problem.travel)
        # the drives between the places it re-times: the bases, the planned stops and the places
        # of the visits it is likely asked about next (``upcoming``, in order), more of them when
        # one is missing (all of a week's 1,165 places took a second and a half)
        self.upcoming = list(upcoming)
        known = {u.base.id: u.base for u in problem.units}
        for r in plan.routes:
            for st in r.stops:
                loc = problem.visit(st.visit_id).location
                known.setdefault(loc.id, loc)
        self.pos: dict[str, int] = {}
        self.t: dict[str, list[list[int]]] = {}
        self._place(list(known.values()))
        self.routes = {(r.unit_id, r.date): r for r in plan.routes}
        self._nodes: dict[int, list[tuple[str, _Node]]] = {}
        self.budget = 800  # orders :meth:`improve` may try, for the whole plan
        self.made = 0  # days re-timed with a visit (:meth:`fit` not from its cache), see FIT_BUDGET
        self._fits: dict[tuple[str, int, tuple[TimeWindow, ...], frozenset[str]], _Fit | None] = {}

    def _place(self, locations: list[Location]) -> None:
        """The drives between ``locations`` and the next :data:`PLACES_AHEAD` upcoming places."""
        ids = {x.id for x in locations}
        for loc in self.upcoming[:PLACES_AHEAD]:
            if loc.id not in ids:
                ids.add(loc.id)
                locations.append(loc)
        self.upcoming = self.upcoming[PLACES_AHEAD:]
        self.places = locations
        self.pos = {loc.id: i for i, loc in enumerate(locations)}
        self.t = {
            u.id: self.travel.matrix(locations, u).durations.astype(int).tolist() for u in self.problem.units
        }

    def node(self, v: Visit, windows: Sequence[TimeWindow]) -> _Node:
        if v.location.id not in self.pos:
            self._place([*self.places, v.location])
        wins = tuple(sorted((w.start, w.end) for w in windows)) or ((cand.ANY_TIME.start, cand.ANY_TIME.end),)
        return self.pos[v.location.id], v.service, wins

    def stops(self, i: int) -> list[tuple[str, _Node]]:
        """Unit-day ``i``'s planned stops (visit id, node), with the start windows each has there."""
        if i not in self._nodes:
            ud = self.problem.unit_days[i]
            route = self.routes.get((ud.unit_id, ud.date))
            out = []
            for st in route.stops if route else ():
                x = self.problem.visit(st.visit_id)
                own_pin = x.frequency == 1 or (st.occurrence == 0 and x.pinned_date == ud.date)
                got = cand.slot_for(self.problem, i, x, ignore_pin=not own_pin)
                windows = got.windows if isinstance(got, cand.Slot) else x.windows_on(ud.date)
                out.append((st.visit_id, self.node(x, windows)))
            self._nodes[i] = out
        return self._nodes[i]

    def fit(
        self, v: Visit, i: int, windows: Sequence[TimeWindow], drop: frozenset[str] = frozenset()
    ) -> _Fit | None:
        """The best schedule of unit-day ``i`` serving its planned stops (but those of ``drop``) and
        ``v`` (starting in ``windows``), or None when none keeps the windows and the break
        however long the day (the visit's hours cannot go with the others')."""
        key = (v.id, i, tuple(windows), drop)
        if key not in self._fits:
            self._fits[key] = self._fit(v, i, windows, drop)
        return self._fits[key]

    def _fit(self, v: Visit, i: int, windows: Sequence[TimeWindow], drop: frozenset[str]) -> _Fit | None:
        self.made += 1
        planned = [n for vid, n in self.stops(i) if vid not in drop]
        new = self.node(v, windows)
        exact = len(planned) + 1 <= EXACT_ORDERS
        orders: Iterable[Sequence[_Node]]
        if exact:
            orders = itertools.permutations([*planned, new])
        else:
            orders = ([*planned[:k], new, *planned[k:]] for k in range(len(planned) + 1))
        best: _Fit | None = None
        for seq in orders:
            got = self.timed(i, seq, exact)
            if got is not None and (best is None or (got.need, got.cost) < (best.need, best.cost)):
                best = got
        return best

    def timed(self, i: int, nodes: Sequence[_Node], exact: bool = False) -> _Fit | None:
        """Unit-day ``i`` serving ``nodes`` in this order, with the break where it does best."""
        ud = self.problem.unit_days[i]
        unit = self.problem.unit(ud.unit_id)
        t = self.t[unit.id]
        base = self.pos[unit.base.id]
        rule = ud.break_rule
        brk = None
        if rule is not None and cand.own_limit(ud) > rule.required_after:  # as the solver's model
            brk = (rule.window.start, rule.window.end, rule.duration, rule.required_after)
        w = self.problem.weights
        lim, s0, s1 = self.limits[i], ud.shift.start, ud.shift.end
        drive = t[base][nodes[0][0]] + t[nodes[-1][0]][base]
        drive += sum(t[a[0]][b[0]] for a, b in itertools.pairwise(nodes))
        if ud.max_drive is not None and drive > ud.max_drive:
            return None
        # the earliest end of each stop without a break: its windows fail without one, they fail
        # with it (a break only makes it later); a break after a stop ending past its window's
        # end cannot be taken there, nor later
        ends, tm, prev = [], s0, base
        for loc, svc, wins in nodes:
            st = _snap_up(wins, tm + t[prev][loc])
            if st is None:
                return None
            tm, prev = st + svc, loc
            ends.append(tm)
        gaps = [-1]
        if brk is not None:
            gaps += [b for b in range(len(nodes) + 1) if b == 0 or ends[b - 1] <= brk[1]]
        best: _Fit | None = None
        for b in gaps:
            got = _earliest_and_latest(t, base, nodes, s0, brk, b)
            if got is None:
                continue
            e, d = got
            span = e - d
            if brk is not None and b < 0 and span > brk[3]:
                continue
            need = max(0, span - lim, e - s1)
            cost = drive * w.travel + span * w.work + w.after_hours * max(0, e - ud.regular_end)
            if best is None or (need, cost) < (best.need, best.cost):
                best = _Fit(need, drive, span, e, exact, cost, tuple(nodes))
        return best

    def improve(self, i: int, fit: _Fit) -> _Fit:
        """``fit`` (not of every order) with its stops moved one at a time while that lowers the
        minutes needed: a closer figure for the one day a message names (a few dozen orders
        each, and a bound for the whole plan, which is explained after every search)."""
        best = fit
        budget = min(60, self.budget)
        better = True
        while better and budget > 0 and best.need > 0:
            better = False
            order = list(best.order)
            for a, b in itertools.permutations(range(len(order)), 2):
                budget -= 1
                self.budget -= 1
                seq = order[:a] + order[a + 1 :]
                seq.insert(b, order[a])
                got = self.timed(i, seq)
                if got is not None and (got.need, got.cost) < (best.need, best.cost):
                    best, better = got, True
                    break
                if budget <= 0:
                    break
        return best


@dataclass(frozen=True)
class _Rough:
    """What is said of a left-out visit whose days were not re-timed (past :data:`FIT_BUDGET`):
    ``left`` visit occurrences unassigned, ``checked`` of them re-timed; the week's ``service``
    (all its visits' service time, a lower bound of the work they need) and ``work`` (the most
    its units may work: their days' own limits, the weekly caps where they bind)."""

    left: int
    checked: int
    service: int
    work: int


def _rough(problem: Problem, left: int, checked: int) -> _Rough:
    """:class:`_Rough` of ``problem``'s week."""
    uds = [ud for ud in problem.unit_days if ud.available and ud.date in problem.dates]
    caps = cand.binding_caps(problem, uds)
    work = 0
    for unit in problem.units:
        own = sum(cand.own_limit(ud) for ud in uds if ud.unit_id == unit.id)
        work += min(own, max(0, caps[unit.id])) if unit.id in caps else own
    service = sum(v.service * v.frequency for v in problem.visits)
    return _Rough(left, checked, service, work)


def _unchecked_words(rough: _Rough) -> tuple[str, str, dict[str, object]]:
    """The words for a left-out visit that fits on its own but whose days were not re-timed:
    no day and no minutes (they would be guesses), the week's overload when there is one."""
    details: dict[str, object] = {"retimed": False, "unassigned": rough.left, "retimed_visits": rough.checked}
    overload_el = overload_en = ""
    if rough.service > rough.work:
        # whole hours, rounded so that both figures stay true: at least ..., at most ...
        service_h, work_h = rough.service // 3600, -(-rough.work // 3600)
        details["service_h"], details["work_h"] = service_h, work_h
        overload_el = (
            f" Μόνο η εξυπηρέτηση των επισκέψεων της εβδομάδας θέλει τουλάχιστον {service_h} ώρες, "
            f"χωρίς τις διαδρομές, ενώ οι μονάδες δουλεύουν το πολύ {work_h} ώρες: δεν χωρούν όλες."
        )
        overload_en = (
            f" Serving the week's visits takes at least {service_h} h without the driving, and the "
            f"units work at most {work_h} h: they cannot all fit."
        )
    el, en = _message(
        "week_full_unchecked",
        left=rough.left,
        checked=rough.checked,
        overload_el=overload_el,
        overload_en=overload_en,
    )
    return el, en, details


def _week_full(
    problem: Problem,
    plan: Plan,
    v: Visit,
    slots: Sequence[cand.Slot],
    weekly_exact: bool = False,
    occurrence: int = 0,
    timing: _Timing | None = None,
    rough: _Rough | None = None,
) -> tuple[str, str, dict[str, object]]:
    """How many more minutes the best day would need, and who was served there instead; or,
    when the visit fits a day as planned, that the search (or the weights) left it out. With
    ``rough``, no day is re-timed: :func:`_unchecked_words`."""
    if rough is not None:
        return _unchecked_words(rough)
    travel = travel_model_of(problem.travel)
    routes = {(r.unit_id, r.date): r for r in plan.routes}
    limits = _day_room(problem, plan) if weekly_exact else cand.day_limits(problem)
    if timing is None:
        timing = _Timing(problem, plan, limits)
    # the days ranked: where it fits or lacks the fewest minutes (re-timed exactly, windows,
    # waiting and break), then a day whose hours clash with a visit of equal or higher
    # priority (no minutes make room there), then one where its hours cannot go with the
    # others' at all, last a day whose unit's load is already full (full whatever the time)
    best: tuple[tuple[int, int, int], int, cand.Slot, Route | None, int, _Fit | None, list[str]] | None = None
    for s in slots:
        ud = problem.unit_days[s.unit_day]
        unit = problem.unit(ud.unit_id)
        route = routes.get((ud.unit_id, ud.date))
        used = sum(problem.visit(st.visit_id).load for st in route.stops) if route else 0
        loaded = unit.capacity is not None and used + v.load > unit.capacity
        places = [unit.base] + ([problem.visit(st.visit_id).location for st in route.stops] if route else [])
        m = travel.matrix([*places, v.location], unit)
        x = len(places)
        seq = [*list(range(len(places))), 0]
        detour = min(
            int(m.durations[a, x] + m.durations[x, b] - m.durations[a, b]) for a, b in itertools.pairwise(seq)
        )
        # the drive's estimate, for a day where no figure is exact (its load, its hours)
        estimate = (route.work_time if route else 0) + detour + v.service - limits[s.unit_day]
        fit = None if loaded else timing.fit(v, s.unit_day, s.windows)
        clash: list[str] = []
        if route is not None and not loaded:
            _, pairs = _pair_spans(problem, v, ud, route, travel)
            clash = [
                st.visit_id
                for st in route.stops
                if pairs.get(st.visit_id, 0) is None and problem.visit(st.visit_id).priority >= v.priority
            ]
        group = 3 if loaded else 1 if clash else 2 if fit is None else 0
        rank = (group, fit.need if fit is not None and group == 0 else estimate, fit.span if fit else 0)
        if best is None or rank < best[0]:
            best = (rank, estimate, s, route, used, fit, clash)
    assert best is not None
    (group, *_), estimate, slot, route, used, fit, clash = best
    where = slot.unit_day
    if fit is not None and group == 0 and fit.need > 0 and not fit.exact:
        fit = timing.improve(where, fit)
    loaded = group == 3
    ud = problem.unit_days[where]
    day = ud.date
    unit = problem.unit(ud.unit_id)
    van_el = van_en = ""
    if len(problem.units) > 1:
        van_el = van_en = f" – {unit.name or unit.id}"
    pin_el = pin_en = ""
    if v.pinned_date is not None:
        at = f" {hhmm(v.pinned_time)}" if v.pinned_time is not None and v.frequency == 1 else ""
        pin_el = f"Είναι κλειδωμένη για {on_day_el(v.pinned_date)}{at}. "
        pin_en = f"It is pinned to {day_en(v.pinned_date)}{at}. "
    if fit is not None and fit.need == 0 and group == 0:
        return _fits_words(problem, v, occurrence, where, route, fit, van_el, pin_el, pin_en)
    served = [problem.visit(st.visit_id) for st in route.stops] if route else []
    lower_all = sorted({s.id for s in served if s.priority < v.priority})
    # only those whose leaving out makes room (re-timed as above): one that does alone, else all
    # of them when together they do (it named a pinned visit whose leaving out freed nothing)
    lower: list[str] = []
    if lower_all and not loaded and not clash:

        def frees(xs: Sequence[str]) -> bool:
            got = timing.fit(v, where, slot.windows, drop=frozenset(xs))
            return got is not None and got.need == 0

        if frees(lower_all):
            lower = [x for x in lower_all[:12] if frees([x])] or lower_all
    pinned = {s.id for s in served if s.pinned_date is not None}
    names = {s.id: short_name(s.name) for s in served if s.name}
    # two people of one short name (Φωτεινή Κ. of Ζήρια and of Διακοπτό): their places too
    twins = {n for n in names.values() if [*names.values(), short_name(v.name or "")].count(n) > 1}
    for twin in served:
        place = twin.location.name.rsplit(", ", 1)[-1] if twin.location.name else ""
        if names.get(twin.id) in twins and place and place != names[twin.id]:
            names[twin.id] = f"{names[twin.id]}, {place}"

    def shown(x: str, pin: str) -> str:  # "Μαρία Κ." (the coordinator knows names, not ids)
        return names.get(x, x) + (f" ({pin})" if x in pinned else "")

    lower_el = [shown(x, "κλειδωμένη") for x in lower[:5]]
    lower_en = [shown(x, "pinned") for x in lower[:5]]
    if len(lower) > 5:  # all of them are in the details
        lower_el[-1] += f" και {len(lower) - 5} ακόμη"
        lower_en[-1] += f" and {len(lower) - 5} more"
    higher = sorted({s.id for s in served if s.priority >= v.priority})
    if clash:
        who_el = ", ".join(shown(x, "κλειδωμένη") for x in clash)
        who_en = ", ".join(shown(x, "pinned") for x in clash)
        el = (
            f"Εκείνη την ημέρα οι ώρες της δεν συμβιβάζονται με επίσκεψη ίσης ή υψηλότερης "
            f"προτεραιότητας που εξυπηρετείται τότε ({who_el}): δεν χωρούν και οι δύο στη βάρδια, "
            "όποιες άλλες κι αν αφαιρεθούν. Άλλη ημέρα ή άλλη ώρα για μία από τις δύο θα τη χωρούσε."
        )
        en = (
            f"That day its hours cannot go with a visit of equal or higher priority served then "
            f"({who_en}): the two do not both fit in the shift, whatever else is left out. Another "
            "day or another hour for one of them would fit it."
        )
    elif lower:
        # one full stop at the end, also after a name ending in one ("Βασίλειος Δ.")
        if len(lower) == 1:
            el = f"Εξυπηρετήθηκε αντί γι' αυτήν επίσκεψη χαμηλότερης προτεραιότητας: {lower_el[0]}"
            en = f"A lower-priority visit was served instead: {lower_en[0]}"
        else:
            el = f"Εξυπηρετήθηκαν αντί γι' αυτήν επισκέψεις χαμηλότερης προτεραιότητας: {', '.join(lower_el)}"
            en = f"Lower-priority visits were served instead: {', '.join(lower_en)}"
        el, en = (text if text.endswith(".") else text + "." for text in (el, en))
    elif lower_all and not loaded:
        el = (
            "Οι επισκέψεις χαμηλότερης προτεραιότητας εκείνης της ημέρας δεν θα της άφηναν χώρο "
            "ακόμη κι αν έμεναν όλες εκτός."
        )
        en = "Leaving out that day's lower-priority visits, even all of them, would not make room for it."
    elif higher:
        el = f"Εκείνη την ημέρα εξυπηρετήθηκαν επισκέψεις ίσης ή υψηλότερης προτεραιότητας ({len(higher)})."
        en = f"That day serves visits of equal or higher priority ({len(higher)})."
    elif lower_all:  # a full load: the lower ones carry it
        el = f"Εκείνη την ημέρα εξυπηρετήθηκαν επισκέψεις χαμηλότερης προτεραιότητας ({len(lower_all)})."
        en = f"That day serves lower-priority visits ({len(lower_all)})."
    else:
        el, en = "Εκείνη την ημέρα δεν εξυπηρετείται καμία επίσκεψη.", "Nothing is served that day."
    need = fit.need if fit is not None and group == 0 else max(estimate, 0)
    own = cand.own_limit(ud)
    if not loaded and not clash and limits[where] < own and unit.weekly_max_work is not None:
        cap_h, left_h = _hours(unit.weekly_max_work), _hours(max(0, limits[where]))
        worked_h = _hours(unit.weekly_worked)
        if unit.weekly_worked >= unit.weekly_max_work:
            el += (
                f" Το εβδομαδιαίο όριο του οδηγού ({_el(cap_h)} ώρες) έχει ήδη εξαντληθεί: {_el(worked_h)} "
                "ώρες δουλεμένες σε ημέρες που κρατήθηκαν· δεν μένει χρόνος αυτή την εβδομάδα."
            )
            en += (
                f" The driver's weekly cap ({cap_h} h) is already used up: {worked_h} h worked on the "
                "days kept; no time is left this week."
            )
        elif weekly_exact:
            others_h = _hours(unit.weekly_max_work - unit.weekly_worked - limits[where])
            before_el, before_en = "", ""
            if unit.weekly_worked:
                before_el = f"{_el(worked_h)} ώρες ήδη δουλεμένες σε ημέρες που κρατήθηκαν, "
                before_en = f"{worked_h} h already worked on the days kept, "
            el += (
                f" Το εβδομαδιαίο όριο του οδηγού ({_el(cap_h)} ώρες): {before_el}οι άλλες ημέρες "
                f"παίρνουν {_el(others_h)} ώρες και αφήνουν {_el(left_h)} ώρες εκείνη την ημέρα."
            )
            en += (
                f" The driver's weekly cap ({cap_h} h): {before_en}the other days take {others_h} h, "
                f"leaving {left_h} h that day."
            )
        else:
            less_el = f", μείον {_el(worked_h)} ώρες ήδη δουλεμένες" if unit.weekly_worked else ""
            less_en = f", less {worked_h} h already worked" if unit.weekly_worked else ""
            el += (
                f" Το εβδομαδιαίο όριο του οδηγού ({_el(cap_h)} ώρες){less_el}, μοιρασμένο στις "
                f"ημέρες, αφήνει {_el(left_h)} ώρες εκείνη την ημέρα."
            )
            en += (
                f" The driver's weekly cap ({cap_h} h){less_en}, shared over the days, "
                f"leaves {left_h} h that day."
            )
    el, en = pin_el + el, pin_en + en
    details: dict[str, object] = {
        "date": day.isoformat(),
        "unit": ud.unit_id,
        "served_lower_priority": lower,
        "served_same_or_higher": higher[:20],
    }
    if group in (0, 3):  # a figure only where minutes (or the load) say what is missing
        details["need_min"] = round(need / 60)
    if clash:
        details["clashes_with"] = clash
    if loaded:
        details["load_used"], details["capacity"] = used, unit.capacity
    key = {3: "week_full_capacity", 1: "week_full_clash", 2: "week_full_timing"}.get(group, "week_full")
    if key == "week_full" and fit is not None and not fit.exact:
        key = "week_full_upto"  # tried at each place of the planned order only
    # (only where the drive alone leaves room: then waiting for the hours is what the day lacks)
    span = _day_span_with(problem, v, ud, route, travel) if group == 0 and estimate < 60 and route else None
    if span is not None and span > limits[where]:
        # its hours lie far from the others' (08:30 and 18:00 on a day to 20:00): the day's span,
        # not its free minutes, is what the driver's working limit refuses
        key = "week_full_span"
        details["need_min"] = round(max(need, span - limits[where]) / 60)
    windows_el, windows_en = _windows_words(v, day, v.frequency == 1)
    m_el, m_en = _message(
        key,
        span_h=_el(_hours(span or 0)),
        span_h_en=_hours(span or 0),
        limit_h=_el(_hours(limits[where])),
        limit_h_en=_hours(limits[where]),
        windows_el=windows_el,
        windows_en=windows_en,
        need=round(need / 60),
        used=used,
        capacity=unit.capacity,
        load=v.load,
        on_day_el=on_day_el(day) + van_el,
        day_en=day_en(day) + van_en,
        instead_el=el,
        instead_en=en,
    )
    return m_el, m_en, details


def _fits_words(
    problem: Problem,
    v: Visit,
    occurrence: int,
    where: int,
    route: Route | None,
    fit: _Fit,
    van: str,
    pin_el: str,
    pin_en: str,
) -> tuple[str, str, dict[str, object]]:
    """The words for a visit that fits a day as planned: the search did not find the room in its
    time, or, under the problem's weights, serving it costs more than leaving it out."""
    ud = problem.unit_days[where]
    w = problem.weights
    unit_id = ud.unit_id
    # what serving it there adds to the objective, as the search prices a day (its drive, its
    # working time, the hours after the regular end, and the visit's own preferences)
    before = 0
    if route is not None:
        before = (
            route.drive_time * w.travel
            + route.work_time * w.work
            + w.after_hours * max(0, route.arrive - ud.regular_end)
        )
    after = fit.drive * w.travel + fit.span * w.work + w.after_hours * max(0, fit.end - ud.regular_end)
    extra = after - before
    if v.preferred_weekday is not None and v.preferred_weekday != ud.date.weekday():
        extra += w.off_preferred_weekday
    if v.preferred_dates is not None and ud.date not in v.preferred_dates:
        extra += w.moved
    if v.preferred_units is not None and unit_id not in v.preferred_units:
        extra += w.other_unit
    left_out = problem.unserved_cost(v, occurrence)
    details: dict[str, object] = {"date": ud.date.isoformat(), "unit": unit_id, "need_min": 0}
    day_el_, day_en_ = on_day_el(ud.date) + van, day_en(ud.date) + van
    if extra >= left_out:
        details["why"] = "weights"
        details["serve_cost"], details["unserved_cost"] = extra, left_out
        el, en = _message(
            "week_full_weights",
            on_day_el=day_el_,
            day_en=day_en_,
            cost=extra,
            miss=left_out,
            weight=w.unserved,
            priority=max(1, v.priority),
        )
    else:
        details["why"] = "search"
        el, en = _message("week_full_search", on_day_el=day_el_, day_en=day_en_)
    return pin_el + el, pin_en + en, details


def _hours(seconds: int) -> str:
    """Hours, with one decimal when not whole."""
    h = seconds / 3600
    return f"{h:.0f}" if abs(h - round(h)) < 0.05 else f"{h:.1f}"


def _el(number: str) -> str:
    """A number as Greek writes it: a decimal comma."""
    return number.replace(".", ",")


def _pin_blocks(problem: Problem, v: Visit, available: set[int], fit: int) -> bool:
    """Whether ``v``'s pin is what keeps its visits from fitting: unpinned, the available days
    would hold more of them than the ``fit`` they hold from the pinned date on (a visit twice a
    week, 2 days apart, pinned on Thursday: the week holds two, from Thursday only one)."""
    free = replace(v, pinned_date=None, pinned_time=None)
    slots = [s for s in cand.visit_slots(problem, free)[0] if s.unit_day in available]
    patterns = cand.candidate_patterns(problem, free, slots)
    patterns = patterns or cand.best_partial_patterns(problem, free, slots)
    return bool(patterns) and len(patterns[0]) > fit


def _crew_days(
    problem: Problem, v: Visit, available: set[int], slots: Sequence[cand.Slot], fit: int
) -> list[date]:
    """The dates someone able to make ``v`` is aboard, when they are what keeps its visits to
    ``fit``: with anyone aboard, the open days would hold more (it told a psychologist's visit
    wanted twice, a psychologist aboard on Wednesday only, that the available days hold one).
    Empty otherwise."""
    if v.patterns is not None or (v.required_role is None and v.required_staff is None):
        return []
    anyone = replace(v, required_role=None, required_staff=None)
    free = [s for s in cand.visit_slots(problem, anyone)[0] if s.unit_day in available]
    patterns = cand.candidate_patterns(problem, anyone, free) or cand.best_partial_patterns(
        problem, anyone, free
    )
    if not patterns or len(patterns[0]) <= fit:
        return []
    return sorted({problem.unit_days[s.unit_day].date for s in slots})


def explain_visit(
    problem: Problem,
    plan: Plan,
    v: Visit,
    occurrences: Sequence[int],
    weekly_exact: bool = False,
    timing: _Timing | None = None,
    rough: _Rough | None = None,
) -> list[Unassigned]:
    """The unassigned entries for the unserved ``occurrences`` of visit ``v`` (``timing``: the
    plan's days, re-timed, shared by the visits of one plan; ``rough``: its days are not
    re-timed, see :data:`FIT_BUDGET`)."""
    available = {i for i, ud in enumerate(problem.unit_days) if ud.available and ud.date in problem.dates}
    slots, refused = cand.visit_slots(problem, v)
    slots = [s for s in slots if s.unit_day in available]
    out: list[Unassigned] = []
    if (
        v.patterns is not None
        and v.pinned_date is not None
        and all(min(p) != v.pinned_date for p in v.patterns)
    ):
        # contradictory input: the pin fixes the first visit, and no allowed pattern starts there
        shown = [", ".join(f"{d:%d/%m}" for d in sorted(p)) for p in v.patterns[:4]]
        more = f" +{len(v.patterns) - 4}" if len(v.patterns) > 4 else ""
        el, en = _message(
            "no_allowed_date_pinned_pattern",
            pinned_on_el=on_day_el(v.pinned_date),
            pinned_en=day_en(v.pinned_date),
            patterns_el=" ή ".join(shown) + more,
            patterns_en=" or ".join(shown) + more,
        )
        details: dict[str, object] = {"pinned_date": v.pinned_date.isoformat()}
        return [Unassigned(v.id, o, "no_allowed_date", el, en, details) for o in occurrences]
    if not slots:
        reason, el, en, details = _no_slot_reason(problem, v, refused)
        return [Unassigned(v.id, o, reason, el, en, details) for o in occurrences]
    # explicit patterns have no partial ones: served whole or not at all (fit 0)
    patterns = cand.candidate_patterns(problem, v, slots) or cand.best_partial_patterns(problem, v, slots)
    fit = len(patterns[0]) if patterns else 0
    pinned_multi = v.frequency > 1 and v.pinned_date is not None
    pinned_slots = (
        [s for i in sorted(available) if isinstance(s := cand.slot_for(problem, i, v), cand.Slot)]
        if pinned_multi
        else []
    )
    # the dates its served visits take, and those too close to them for another
    taken = sorted({r.date for r in plan.routes for st in r.stops if st.visit_id == v.id})
    gap = max(1, v.min_gap_days) if v.patterns is None else 1
    for o in occurrences:
        # the first visit of a pinned multi-visit can only go on its pinned date
        where = pinned_slots if pinned_multi and o == 0 else slots
        if v.frequency > 1:
            where = [
                s
                for s in where
                if all(abs((problem.unit_days[s.unit_day].date - d).days) >= gap for d in taken)
            ] or where
        use_pin = v.frequency == 1 or (pinned_multi and o == 0)
        if pinned_multi and not pinned_slots:
            # its first visit is pinned to a date that cannot take it: say why there, for the later
            # visits too (they follow the first; it told them «from there on the available days hold
            # only 0» of a pin to a holiday)
            reason, el, en, details = _no_slot_reason(problem, v, refused, pinned=True)
            out.append(Unassigned(v.id, o, reason, el, en, details))
            continue
        alone, _, misses = _alone(problem, v, where)
        if v.frequency > 1 and o >= fit:
            details = {"fits": fit}
            aboard = _crew_days(problem, v, available, slots, fit)
            if v.patterns is not None:
                # the dates of its patterns that cannot take it, named (it said only «no pattern»)
                can = {problem.unit_days[s.unit_day].date for s in slots}
                missing = sorted({d for p in v.patterns for d in p if d not in can})
                el, en = _message(
                    "frequency_patterns",
                    k=v.frequency,
                    missing_el=", ".join(on_day_el(d) for d in missing),
                    missing_en=", ".join(day_en(d) for d in missing),
                )
            else:
                apart = v.min_gap_days > 1
                blocked = v.pinned_date is not None and _pin_blocks(problem, v, available, fit)
                key = "frequency_crew" if aboard else "frequency_pinned" if blocked else "frequency"
                if aboard:
                    details["aboard_dates"] = [d.isoformat() for d in aboard]
                named = v.required_staff is not None
                who = _who(problem, v)
                el, en = _message(
                    key,
                    **who,
                    who_en_is=f"{who['who_en']} is" if named else f"a {who['who_en']} is",
                    who_en_them="them" if named else "one",
                    days_el=", ".join(on_day_el(d) for d in aboard),
                    days_en=", ".join(day_en(d) for d in aboard),
                    k=v.frequency,
                    fit=fit,
                    pinned_on_el=on_day_el(v.pinned_date) if v.pinned_date else "",
                    pinned_en=day_en(v.pinned_date) if v.pinned_date else "",
                    apart_el=f"με απόσταση τουλάχιστον {v.min_gap_days} ημερών"
                    if apart
                    else "σε διαφορετικές ημέρες",
                    apart_en=f"at least {v.min_gap_days} days apart" if apart else "on different days",
                    or_gap_el=" ή το ελάχιστο διάστημα" if apart else "",
                    or_gap_en=" or the minimum gap" if apart else "",
                )
            out.append(Unassigned(v.id, o, "frequency", el, en, details))
        elif not alone:
            el, en, details = _unreachable(v, misses, use_pin)
            out.append(Unassigned(v.id, o, "unreachable", el, en, details))
        else:
            el, en, details = _week_full(problem, plan, v, where, weekly_exact, o, timing, rough)
            out.append(Unassigned(v.id, o, "week_full", el, en, details))
    return out


def explain_unassigned(problem: Problem, plan: Plan, weekly_exact: bool = False) -> tuple[Unassigned, ...]:
    """An entry, with reason, for every visit occurrence that ``plan`` does not serve.

    ``weekly_exact``: the search kept a driver's weekly cap as such (ruin and recreate),
    so a day's room is what the cap leaves after the plan's other days, not its share of
    the cap (see :func:`planner.candidates.weekly_shares`). The days are re-timed with the
    left-out visits of highest priority first, :data:`FIT_BUDGET` times at most (give or take
    one visit's); the others that fit on their own are told so without a day or minutes."""
    served: dict[str, set[int]] = {}
    for r in plan.routes:
        for s in r.stops:
            served.setdefault(s.visit_id, set()).add(s.occurrence)
    todo: list[tuple[int, Visit, list[int]]] = []
    for k, v in enumerate(problem.visits):
        got = served.get(v.id, set())
        missing = [o for o in range(v.frequency) if o not in got]
        if len(got) + len(missing) > v.frequency:
            missing = missing[: v.frequency - len(got)]
        if missing:
            todo.append((k, v, missing))
    if not todo:
        return ()
    left = sum(len(missing) for _, _, missing in todo)
    listener = _listener.get()
    hear = listener() if listener is not None else None
    if hear is not None:
        hear(left, sum(len(r.stops) for r in plan.routes), sum(v.frequency for v in problem.visits))
    limits = _day_room(problem, plan) if weekly_exact else cand.day_limits(problem)
    ranked = sorted(todo, key=lambda t: (-t[1].priority, t[0]))  # highest priority first
    timing = _Timing(problem, plan, limits, [v.location for _, v, _ in ranked])
    found: dict[int, list[Unassigned]] = {}
    later: list[tuple[int, Visit, list[int]]] = []
    checked = 0
    for k, v, missing in ranked:
        if timing.made >= FIT_BUDGET:
            later.append((k, v, missing))
            continue
        found[k] = explain_visit(problem, plan, v, missing, weekly_exact, timing)
        checked += len(missing)
    rough = _rough(problem, left, checked) if later else None
    for k, v, missing in later:
        found[k] = explain_visit(problem, plan, v, missing, weekly_exact, timing, rough)
    return tuple(u for k in sorted(found) for u in found[k])


# --- who hears that the explaining starts -----------------------------------------------------

# :func:`explain_unassigned` runs inside the solver after the search's time (a second or two on
# a week of a thousand left-out visits), and the progress line and the web desk's job say so.
# The solver's progress callback does not reach it: a progress printer listens here instead,
# weakly, so that one dropped without :func:`unlisten` (its command failed) says nothing more.
# A listener is told (unassigned, served, wanted): the visit occurrences left out, served, due.
Listener = Callable[[int, int, int], None]
_Ref = Callable[[], Listener | None]
_listener: ContextVar[_Ref | None] = ContextVar("kinito_explain_listener", default=None)


def listen(on_start: Listener) -> Token[_Ref | None]:
    """Have ``on_start`` told (unassigned, served, wanted) of the plan each time explaining its
    unassigned visits starts (held weakly: a bound method, or a function kept alive by the
    caller); the token is for :func:`unlisten`."""
    ref: _Ref = weakref.WeakMethod(on_start) if inspect.ismethod(on_start) else weakref.ref(on_start)
    return _listener.set(ref)


def unlisten(token: Token[_Ref | None]) -> None:
    """Stop what :func:`listen` started."""
    _listener.reset(token)
