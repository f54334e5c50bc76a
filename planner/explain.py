"""Why a visit is unassigned, in words a coordinator can act on (Greek and English).

Reason codes (``Unassigned.reason``):

==========================  ====================================================================
``no_allowed_date``         none of the horizon's dates falls on a weekday the visit allows (or
                            it is pinned to a date it does not allow)
``no_available_day``        no date of the horizon is open for it: the unit is unavailable
                            (holiday, closure) on every date its allowed weekdays fall on
``pinned_date_unavailable`` it is pinned to a date on which no unit is available
``no_crew``                 on every open date, nobody with the required role (or the named
                            staff member) is aboard
``over_capacity``           its load is more than any unit carries
``no_time_in_shift``        its time windows (or the hours of the staff it needs) do not
                            overlap the shift on any open date
``unreachable``             on its own it still cannot be reached inside its window and be back
                            at the base within the shift and the driver's working time
``frequency``               it is wanted k times at least g days apart, and the open dates
                            cannot hold that many visits
``week_full``               it fits on its own, but the days it could go on are full
==========================  ====================================================================

This module re-derives the reasons from the problem and the plan; it does not use OR-Tools.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

from planner import candidates as cand
from planner.model import Plan, Problem, Route, Unassigned, UnitDay, Visit
from planner.render import hhmm, short_name
from planner.travel import travel_model_of

WEEKDAYS_EL = ("Δευτέρα", "Τρίτη", "Τετάρτη", "Πέμπτη", "Παρασκευή", "Σάββατο", "Κυριακή")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_el(d: date) -> str:
    """A date in Greek, e.g. 'Δευτέρα 07/12'."""
    return f"{WEEKDAYS_EL[d.weekday()]} {d:%d/%m}"


def on_day_el(d: date) -> str:
    """A date in Greek with its article, as after "on": 'τη Δευτέρα 07/12', 'την Τρίτη 08/12',
    'το Σάββατο 12/12' (the article keeps its final ν before κ, π, τ and vowels)."""
    day = WEEKDAYS_EL[d.weekday()]
    article = "το" if d.weekday() == 5 else "την" if day[0] in "ΚΠΤ" else "τη"
    return f"{article} {day_el(d)}"


def day_en(d: date) -> str:
    """A date in English, e.g. 'Monday 07/12'."""
    return f"{WEEKDAYS_EN[d.weekday()]} {d:%d/%m}"


# Role names in Greek: as the subject ("δεν επιβαίνει ...") and as the object ("προσθέστε ...").
# where crews come from when the week is planned from the register (no one edits them by hand)
CREWS_EL = "(στο μητρώο: οι ημέρες και ώρες εργασίας του προσωπικού και οι θέσεις των μονάδων)"
CREWS_EN = "(in the register: the staff's working days and hours and the units' seats)"

ROLE_EL = {
    "social_worker": ("κοινωνικός λειτουργός", "κοινωνικό λειτουργό"),
    "psychologist": ("ψυχολόγος", "ψυχολόγο"),
}


def _who(problem: Problem, v: Visit) -> dict[str, str]:
    """Who the visit needs aboard: ``who_el`` (subject), ``whom_el`` (object), ``who_en``."""
    if v.required_staff is not None:
        try:
            name = problem.staff_member(v.required_staff).name or v.required_staff
        except KeyError:
            name = v.required_staff
        return {"who_el": f"ο/η {name}", "whom_el": f"τον/την {name}", "who_en": name}
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
    "unreachable": (
        "Ακόμη και μόνη της, δεν προλαβαίνει η μονάδα να φτάσει μέσα στο ωράριό της ({drive_min} λεπτά "
        "δρόμος από τη βάση) και να επιστρέψει μέσα στη βάρδια και στο όριο εργασίας του οδηγού. "
        "Διευρύνετε το ωράριο ή ορίστε ημέρα με διευρυμένο ωράριο.",
        "Even on its own, the unit cannot reach it inside its time window ({drive_min} min from the "
        "base) and be back within the shift and the driver's working time. Widen the window or use "
        "an extended-hours day.",
    ),
    "unreachable_no_window": (
        "Ακόμη και μόνη της, η επίσκεψη ({service_min} λεπτά, {drive_min} λεπτά δρόμος από τη βάση) "
        "δεν χωράει στη βάρδια, στο όριο εργασίας του οδηγού και στο διάλειμμα καμίας ημέρας. "
        "Μικρύνετε τη διάρκειά της ή ορίστε ημέρα με διευρυμένο ωράριο.",
        "Even on its own, the visit ({service_min} min, {drive_min} min from the base) does not fit "
        "any day's shift, driver's working time and break. Shorten it or use an extended-hours day.",
    ),
    "frequency": (
        "Ζητούνται {k} επισκέψεις {apart_el}, αλλά οι διαθέσιμες ημέρες χωρούν μόνο {fit}. "
        "Μειώστε τη συχνότητα{or_gap_el}.",
        "{k} visits {apart_en} are wanted, but the available days hold only {fit}. Lower the "
        "frequency{or_gap_en}.",
    ),
    "frequency_patterns": (
        "Ζητούνται {k} επισκέψεις σε έναν από τους επιτρεπτούς συνδυασμούς ημερών της, αλλά κανένας "
        "συνδυασμός δεν έχει όλες τις ημέρες του διαθέσιμες. Προσθέστε συνδυασμό ή μειώστε τη συχνότητα.",
        "{k} visits on one of its allowed day patterns are wanted, but no pattern has all its days "
        "available. Add a pattern or lower the frequency.",
    ),
    "week_full": (
        "Χωράει μόνη της, αλλά οι ημέρες είναι γεμάτες: θα χρειαζόταν {need} λεπτά ακόμη "
        "{on_day_el}. {instead_el}",
        "It fits on its own, but the week is full: it would need {need} more minutes on {day_en}. "
        "{instead_en}",
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
    return ", ".join(WEEKDAYS_EL[d] for d in days), ", ".join(WEEKDAYS_EN[d] for d in days)


def _no_slot_reason(
    problem: Problem, v: Visit, refused: dict[str, int]
) -> tuple[str, str, dict[str, object]]:
    """The most useful reason (code, message key, details) when no unit-day can take the visit."""
    details: dict[str, object] = {"refused_unit_days": dict(refused)}
    allowed = [d for d in problem.dates if v.allowed_weekdays is None or d.weekday() in v.allowed_weekdays]
    pinned_single = v.pinned_date is not None and v.frequency == 1
    if pinned_single:
        assert v.pinned_date is not None
        details["pinned_el"], details["pinned_en"] = day_el(v.pinned_date), day_en(v.pinned_date)
        if v.pinned_date not in allowed:
            return "no_allowed_date", "no_allowed_date_pinned", details
        open_that_day = any(ud.available and ud.date == v.pinned_date for ud in problem.unit_days)
        if not open_that_day:
            return "pinned_date_unavailable", "pinned_date_unavailable", details
    if not allowed:
        return "no_allowed_date", "no_allowed_date", details
    for code, reason in (
        (cand.NO_TIME, "no_time_in_shift"),
        (cand.CAPACITY, "over_capacity"),
        (cand.NO_ROLE, "no_crew"),
        (cand.NO_STAFF, "no_crew_staff"),
    ):
        if refused.get(code):
            return reason.removesuffix("_staff"), reason, details
    return "no_available_day", "no_available_day", details


def _fits_alone(ud: UnitDay, out: int, service: int, back: int, start: int) -> bool:
    """Whether base -> visit (service starting at ``start``) -> base fits the day's rules."""
    work = out + service + back
    if start + service + back > ud.shift.end:
        return False
    if ud.max_drive is not None and out + back > ud.max_drive:
        return False
    rule = ud.break_rule
    if rule is not None and work > rule.required_after:
        # a break must split the day into stretches no longer than the rule allows
        work += rule.duration
        if min(max(out + service, back), max(out, service + back)) > rule.required_after:
            return False
    return ud.max_work is None or work <= ud.max_work


def _alone_drive(problem: Problem, v: Visit, slots: Sequence[cand.Slot]) -> tuple[bool, int]:
    """Whether the visit fits in some slot on its own (base -> visit -> base), and the drive."""
    travel = travel_model_of(problem.travel)
    drive = 0
    for s in slots:
        ud = problem.unit_days[s.unit_day]
        unit = problem.unit(ud.unit_id)
        m = travel.matrix([unit.base, v.location], unit)
        out, back = int(m.durations[0, 1]), int(m.durations[1, 0])
        drive = out
        for w in s.windows:
            start = max(ud.shift.start + out, w.start)
            if start <= w.end and _fits_alone(ud, out, v.service, back, start):
                return True, out
    return False, drive


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


def _week_full(
    problem: Problem, plan: Plan, v: Visit, slots: Sequence[cand.Slot], weekly_exact: bool = False
) -> tuple[str, str, dict[str, object]]:
    """How many more minutes the best day would need, and who was served there instead."""
    travel = travel_model_of(problem.travel)
    routes = {(r.unit_id, r.date): r for r in plan.routes}
    limits = _day_room(problem, plan) if weekly_exact else cand.day_limits(problem)
    best: tuple[int, int, Route | None] | None = None
    for s in slots:
        ud = problem.unit_days[s.unit_day]
        unit = problem.unit(ud.unit_id)
        route = routes.get((ud.unit_id, ud.date))
        places = [unit.base] + ([problem.visit(st.visit_id).location for st in route.stops] if route else [])
        m = travel.matrix([*places, v.location], unit)
        x = len(places)
        seq = [*list(range(len(places))), 0]
        detour = min(
            int(m.durations[a, x] + m.durations[x, b] - m.durations[a, b]) for a, b in itertools.pairwise(seq)
        )
        work = route.work_time if route else 0
        limit = limits[s.unit_day]
        more = work + detour + v.service
        rule = ud.break_rule
        if rule is not None and (route is None or route.rest is None) and more > rule.required_after:
            more += rule.duration  # the longer day would need its break too
        need = more - limit if route is not None else detour + v.service
        if best is None or need < best[0]:
            best = (need, s.unit_day, route)
    assert best is not None
    need, where, route = best
    ud = problem.unit_days[where]
    day = ud.date
    served = [problem.visit(st.visit_id) for st in route.stops] if route else []
    lower = sorted({s.id for s in served if s.priority < v.priority})
    pinned = {s.id for s in served if s.pinned_date is not None}
    names = {s.id: short_name(s.name) for s in served if s.name}

    def shown(x: str, pin: str) -> str:  # "cp-117 Μαρία Κ." (the coordinator knows names, not ids)
        return x + (f" {names[x]}" if x in names else "") + (f" ({pin})" if x in pinned else "")

    lower_el = [shown(x, "κλειδωμένη") for x in lower[:5]]
    lower_en = [shown(x, "pinned") for x in lower[:5]]
    higher = sorted({s.id for s in served if s.priority >= v.priority})
    if lower:
        # one full stop at the end, also after a name ending in one ("Βασίλειος Δ.")
        el = f"Εξυπηρετήθηκαν αντί γι' αυτήν επισκέψεις χαμηλότερης προτεραιότητας: {', '.join(lower_el)}"
        en = f"Lower-priority visits were served instead: {', '.join(lower_en)}"
        el, en = (text if text.endswith(".") else text + "." for text in (el, en))
    else:
        el = f"Εκείνη την ημέρα εξυπηρετήθηκαν επισκέψεις ίσης ή υψηλότερης προτεραιότητας ({len(higher)})."
        en = f"That day serves visits of equal or higher priority ({len(higher)})."
    own = cand.own_limit(ud)
    unit = problem.unit(ud.unit_id)
    if limits[where] < own and unit.weekly_max_work is not None:
        cap_h, left_h = _hours(unit.weekly_max_work), _hours(max(0, limits[where]))
        worked_h = _hours(unit.weekly_worked)
        if weekly_exact:
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
    if v.pinned_date is not None:
        at = f" {hhmm(v.pinned_time)}" if v.pinned_time is not None and v.frequency == 1 else ""
        el = f"Είναι κλειδωμένη για {on_day_el(v.pinned_date)}{at}. {el}"
        en = f"It is pinned to {day_en(v.pinned_date)}{at}. {en}"
    need = max(need, 0)
    details: dict[str, object] = {
        "need_min": round(need / 60),
        "date": day.isoformat(),
        "unit": ud.unit_id,
        "served_lower_priority": lower,
        "served_same_or_higher": higher[:20],
    }
    van_el = van_en = ""
    if len(problem.units) > 1:
        van_el = van_en = f" – {unit.name or unit.id}"
    m_el, m_en = _message(
        "week_full" if need >= 60 else "week_full_timing",
        need=round(need / 60),
        on_day_el=on_day_el(day) + van_el,
        day_en=day_en(day) + van_en,
        instead_el=el,
        instead_en=en,
    )
    return m_el, m_en, details


def _hours(seconds: int) -> str:
    """Hours, with one decimal when not whole."""
    h = seconds / 3600
    return f"{h:.0f}" if abs(h - round(h)) < 0.05 else f"{h:.1f}"


def _el(number: str) -> str:
    """A number as Greek writes it: a decimal comma."""
    return number.replace(".", ",")


def explain_visit(
    problem: Problem, plan: Plan, v: Visit, occurrences: Sequence[int], weekly_exact: bool = False
) -> list[Unassigned]:
    """The unassigned entries for the unserved ``occurrences`` of visit ``v``."""
    available = {i for i, ud in enumerate(problem.unit_days) if ud.available and ud.date in problem.dates}
    slots, refused = cand.visit_slots(problem, v)
    slots = [s for s in slots if s.unit_day in available]
    out: list[Unassigned] = []
    who = _who(problem, v)
    if not slots:
        reason, key, details = _no_slot_reason(problem, v, refused)
        allowed_el, allowed_en = _allowed_words(v)
        kw = {**who, "load": v.load, "allowed_el": allowed_el, "allowed_en": allowed_en, **details}
        if v.pinned_date is not None:  # the message's "for <day>", with its Greek article
            kw["pinned_on_el"] = on_day_el(v.pinned_date)
        el, en = _message(key, **kw)
        return [Unassigned(v.id, o, reason, el, en, details) for o in occurrences]
    # explicit patterns have no partial ones: served whole or not at all (fit 0)
    patterns = cand.candidate_patterns(problem, v, slots) or cand.best_partial_patterns(problem, v, slots)
    fit = len(patterns[0]) if patterns else 0
    pinned_multi = v.frequency > 1 and v.pinned_date is not None
    pinned_slots = [s for i in sorted(available) if isinstance(s := cand.slot_for(problem, i, v), cand.Slot)]
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
        alone, drive = _alone_drive(problem, v, where) if where else (False, 0)
        if v.frequency > 1 and o >= fit:
            if v.patterns is not None:
                el, en = _message("frequency_patterns", k=v.frequency)
            else:
                apart = v.min_gap_days > 1
                el, en = _message(
                    "frequency",
                    k=v.frequency,
                    fit=fit,
                    apart_el=f"με απόσταση τουλάχιστον {v.min_gap_days} ημερών"
                    if apart
                    else "σε διαφορετικές ημέρες",
                    apart_en=f"at least {v.min_gap_days} days apart" if apart else "on different days",
                    or_gap_el=" ή το ελάχιστο διάστημα" if apart else "",
                    or_gap_en=" or the minimum gap" if apart else "",
                )
            out.append(Unassigned(v.id, o, "frequency", el, en, {"fits": fit}))
        elif not alone:
            has_window = bool(v.time_windows or v.weekday_windows or v.pinned_time is not None)
            el, en = _message(
                "unreachable" if has_window else "unreachable_no_window",
                drive_min=round(drive / 60),
                service_min=round(v.service / 60),
            )
            out.append(Unassigned(v.id, o, "unreachable", el, en, {"drive_min": round(drive / 60)}))
        else:
            el, en, details = _week_full(problem, plan, v, where, weekly_exact)
            out.append(Unassigned(v.id, o, "week_full", el, en, details))
    return out


def explain_unassigned(problem: Problem, plan: Plan, weekly_exact: bool = False) -> tuple[Unassigned, ...]:
    """An entry, with reason, for every visit occurrence that ``plan`` does not serve.

    ``weekly_exact``: the search kept a driver's weekly cap as such (ruin and recreate),
    so a day's room is what the cap leaves after the plan's other days, not its share of
    the cap (see :func:`planner.candidates.weekly_shares`)."""
    served: dict[str, set[int]] = {}
    for r in plan.routes:
        for s in r.stops:
            served.setdefault(s.visit_id, set()).add(s.occurrence)
    out: list[Unassigned] = []
    for v in problem.visits:
        got = served.get(v.id, set())
        missing = [o for o in range(v.frequency) if o not in got]
        if len(got) + len(missing) > v.frequency:
            missing = missing[: v.frequency - len(got)]
        if missing:
            out.extend(explain_visit(problem, plan, v, missing, weekly_exact))
    return tuple(out)
