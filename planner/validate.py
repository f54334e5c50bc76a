"""An independent checker of every hard rule: ``validate(problem, plan) -> [Violation]``.

It recomputes every leg from the problem's travel model and never imports OR-Tools nor the
solver's helpers, so a plan the product shows is trusted because two separate pieces of
code agree on it (DESIGN principle 4). An empty list means the plan is valid.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from planner.model import REASONS, Plan, Problem, Route, TimeWindow, UnitDay, Visit
from planner.render import ROLE_EL, day_el, day_en, on_day_el
from planner.travel import TravelMatrix, travel_model_of


@dataclass(frozen=True)
class Violation:
    """One broken rule: a short code, where it happened and a plain sentence in English
    (``message``) and in Greek (``message_el``).

    ``where`` names the unit, date, stop or visit ('van1 2026-12-07 stop 2 (hv-1)'); ``label`` is
    the same place as printed, its words in both languages ('van1 2026-12-07 στάση/stop 2 (hv-1)'),
    empty when ``where`` has no words. ``str()`` gives '[code] label: Greek / English'.
    """

    code: str
    where: str
    message: str
    message_el: str = ""
    label: str = ""

    def __str__(self) -> str:
        text = f"{self.message_el} / {self.message}" if self.message_el else self.message
        return f"[{self.code}] {self.label or self.where}: {text}"


def _hm(t: int) -> str:
    return f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"


def _dur(t: int) -> str:
    """A length of time to the second: '480 min', '480 min 20 s', '20 s'."""
    if 0 < t < 60:
        return f"{t} s"
    return f"{t // 60} min" + (f" {t % 60} s" if t % 60 else "")


# the roles' Greek as the object of "χρειάζεται" (planner.render: the reasons' words too)
_ROLE_EL = {role: obj for role, (_, obj) in ROLE_EL.items()}


def _dur_el(t: int) -> str:
    """The same in Greek: '480 λεπτά', '1 λεπτό', '480 λεπτά και 20 δευτ.', '20 δευτ.'."""
    if 0 < t < 60:
        return f"{t} δευτ."
    return f"{t // 60} {'λεπτό' if t // 60 == 1 else 'λεπτά'}" + (f" και {t % 60} δευτ." if t % 60 else "")


def _long(t: int) -> str:
    """A length of time that may be hours: '3 h 30 min 47 s', '45 min' (:func:`_dur` below an
    hour; a negative length as such: '-5 min')."""
    if t < 0:
        return "-" + _long(-t)
    if t < 3600:
        return _dur(t)
    return f"{t // 3600} h" + (f" {_dur(t % 3600)}" if t % 3600 else "")


def _long_el(t: int) -> str:
    """The same in Greek: '3 ώρες 30 λεπτά και 47 δευτ.', '1 ώρα', '45 λεπτά'."""
    if t < 0:
        return "-" + _long_el(-t)
    if t < 3600:
        return _dur_el(t)
    hours = t // 3600
    return f"{hours} {'ώρα' if hours == 1 else 'ώρες'}" + (f" {_dur_el(t % 3600)}" if t % 3600 else "")


def _h_el(t: int) -> str:
    """Seconds as hours with one decimal, the Greek way: '7,5'."""
    return f"{t / 3600:.1f}".replace(".", ",")


def _patterns(patterns: Sequence[Sequence[date]], day: Callable[[date], str], or_: str) -> str:
    """A visit's allowed day patterns in words: 'Monday 07/12 + Wednesday 09/12 or Tuesday
    08/12 + Thursday 10/12' (the first six: a long list is no help in one line)."""
    shown = [" + ".join(day(d) for d in sorted(p)) for p in patterns[:6]]
    return f" {or_} ".join(shown) + (" …" if len(patterns) > 6 else "")


def _windows(windows: Sequence[TimeWindow]) -> str:
    return ", ".join(f"{_hm(w.start)}-{_hm(w.end)}" for w in windows)


class _Checker:
    def __init__(self, problem: Problem, plan: Plan) -> None:
        self.problem = problem
        self.plan = plan
        self.out: list[Violation] = []
        self.visits = {v.id: v for v in problem.visits}
        self.units = {u.id: u for u in problem.units}
        self.days = {(ud.unit_id, ud.date): ud for ud in problem.unit_days}
        self.staff = {s.id: s for s in problem.staff}
        locations = problem.locations()
        travel = travel_model_of(problem.travel)
        self.matrix: dict[str, TravelMatrix] = {u.id: travel.matrix(locations, u) for u in problem.units}
        self.pos = {loc.id: i for i, loc in enumerate(locations)}
        # the unknown visits a stop has already been reported for: the plan-level check
        # would report each a second time
        self.unknown_said: set[str] = set()

    def bad(self, code: str, where: str, message: str, message_el: str, label: str = "") -> None:
        self.out.append(Violation(code, where, message, message_el, label))

    def need_el(self, v: Visit) -> str:
        """Whom the visit needs, as the object of 'χρειάζεται': 'ψυχολόγο', '«Μαρία Κ.»'."""
        if v.required_staff is not None:
            person = self.staff.get(v.required_staff)
            return f"«{person.name if person is not None and person.name else v.required_staff}»"
        role = v.required_role or ""
        return _ROLE_EL.get(role, f"«{role}»")

    def need_en(self, v: Visit) -> str:
        """Whom the visit needs, in English: 'a psychologist', 'Μαρία Κ. (sw1)' (it said the raw
        ids: «needs sw1 aboard», «needs social_worker aboard»)."""
        if v.required_staff is not None:
            person = self.staff.get(v.required_staff)
            name = person.name if person is not None else ""
            return f"{name} ({v.required_staff})" if name else v.required_staff
        role = (v.required_role or "").replace("_", " ")
        return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"

    def leg(self, unit_id: str, a: str, b: str) -> tuple[int, int]:
        m = self.matrix[unit_id]
        i, j = self.pos[a], self.pos[b]
        return int(m.durations[i, j]), int(m.distances[i, j])

    # --- one route ---------------------------------------------------------------------

    def route(self, r: Route) -> None:
        where = f"{r.unit_id} {r.date.isoformat()}"
        unit = self.units.get(r.unit_id)
        ud = self.days.get((r.unit_id, r.date))
        if unit is None or ud is None or r.date not in self.problem.dates:
            self.bad(
                "unknown_day",
                where,
                "no such unit and date in the problem",
                "το πρόβλημα δεν έχει αυτή τη μονάδα σε αυτή την ημερομηνία",
            )
            return
        if not ud.available:
            self.bad(
                "unit_unavailable",
                where,
                "the unit is not available on this date",
                f"η μονάδα δεν είναι διαθέσιμη {on_day_el(r.date)}",
            )
        if not ud.shift.contains(r.depart) or not ud.shift.contains(r.arrive):
            shift = f"{_hm(ud.shift.start)}-{_hm(ud.shift.end)}"
            self.bad(
                "shift",
                where,
                f"leaves {_hm(r.depart)} / returns {_hm(r.arrive)} outside the shift {shift}",
                f"αναχωρεί {_hm(r.depart)} και επιστρέφει {_hm(r.arrive)}, εκτός της βάρδιας {shift}",
            )
        if r.arrive < r.depart:  # its own sentence: both times may well be inside the shift
            self.bad(
                "shift",
                where,
                f"returns at {_hm(r.arrive)}, {_long(r.depart - r.arrive)} before it leaves "
                f"({_hm(r.depart)})",
                f"επιστρέφει στις {_hm(r.arrive)}, {_long_el(r.depart - r.arrive)} πριν αναχωρήσει "
                f"({_hm(r.depart)})",
            )
        place: str | None = unit.base.id  # None after a stop for an unknown visit: no leg to check
        prev_end = r.depart
        load = 0
        for k, s in enumerate(r.stops):
            v = self.visits.get(s.visit_id)
            if v is None:
                self.unknown_said.add(s.visit_id)
                self.bad(
                    "unknown_visit",
                    where,
                    f"stop {k + 1} serves unknown visit {s.visit_id}",
                    f"η στάση {k + 1} είναι για άγνωστη επίσκεψη {s.visit_id}",
                )
                place, prev_end = None, s.end  # the rest of the route is still checked
                continue
            sw = f"{where} stop {k + 1} ({v.id})"
            label = f"{where} στάση/stop {k + 1} ({v.id})"
            if place is None:  # from an unknown place: its own rules only
                self.visit_rules(v, s.start, s.end, s.occurrence, ud, sw, label)
                load += v.load
                place, prev_end = v.location.id, s.end
                continue
            travel, dist = self.leg(r.unit_id, place, v.location.id)
            if (s.travel, s.distance) != (travel, dist):
                self.bad(
                    "travel",
                    sw,
                    f"leg says {s.travel} s / {s.distance} m, the travel model {travel} s / {dist} m",
                    f"η διαδρομή ως εδώ γράφει {s.travel} s και {s.distance} m, ενώ το μοντέλο "
                    f"μετακινήσεων δίνει {travel} s και {dist} m",
                    label,
                )
            self.gap(r, k, prev_end, s.start, travel, sw, label)
            # a break taken before the arrival is taken on the way: the drive is outside it
            rest_on_way = r.rest is not None and r.rest.after_stop == k and r.rest.start < s.arrival
            earliest = prev_end + travel
            if r.rest is not None and rest_on_way:
                earliest = max(earliest + r.rest.duration, r.rest.start + r.rest.duration)
            if not earliest <= s.arrival <= s.start:
                self.bad(
                    "arrival",
                    sw,
                    f"arrival {_hm(s.arrival)}: it must be no earlier than the previous place's end plus "
                    f"the drive{' and the break' if rest_on_way else ''} ({_hm(earliest)}) and no later "
                    f"than the visit's start ({_hm(s.start)})",
                    f"άφιξη {_hm(s.arrival)}: πρέπει να είναι όχι νωρίτερα από το τέλος στο προηγούμενο "
                    f"σημείο συν τη διαδρομή{' και το διάλειμμα' if rest_on_way else ''} ({_hm(earliest)}) "
                    f"και όχι αργότερα από την έναρξη της επίσκεψης ({_hm(s.start)})",
                    label,
                )
            if s.end != s.start + v.service:
                self.bad(
                    "service",
                    sw,
                    f"service lasts {_long(s.end - s.start)}, not {_long(v.service)}",
                    f"η επίσκεψη διαρκεί {_long_el(s.end - s.start)}, όχι {_long_el(v.service)}",
                    label,
                )
            self.visit_rules(v, s.start, s.end, s.occurrence, ud, sw, label)
            load += v.load
            place, prev_end = v.location.id, s.end
        if place is None:
            self.day_limits(r, ud, load)
            return
        travel, dist = self.leg(r.unit_id, place, unit.base.id)
        if (r.return_travel, r.return_distance) != (travel, dist):
            self.bad(
                "travel",
                where,
                f"return leg says {r.return_travel} s / {r.return_distance} m, the travel model "
                f"{travel} s / {dist} m",
                f"η επιστροφή γράφει {r.return_travel} s και {r.return_distance} m, ενώ το μοντέλο "
                f"μετακινήσεων δίνει {travel} s και {dist} m",
            )
        self.gap(r, len(r.stops), prev_end, r.arrive, travel, f"{where} return", f"{where} επιστροφή/return")
        self.day_limits(r, ud, load)

    def gap(
        self, r: Route, k: int, prev_end: int, next_start: int, travel: int, where: str, label: str
    ) -> None:
        """Time between two places must hold the travel (and the break, if taken here)."""
        need = travel
        if r.rest is not None and r.rest.after_stop == k:
            need += r.rest.duration
            if not (prev_end <= r.rest.start and r.rest.start + r.rest.duration <= next_start):
                self.bad(
                    "break",
                    where,
                    f"break {_hm(r.rest.start)} overlaps work "
                    f"({_hm(prev_end)}-{_hm(next_start)} is the free gap)",
                    f"το διάλειμμα στις {_hm(r.rest.start)} πέφτει πάνω σε ώρα εργασίας "
                    f"(το ελεύθερο διάστημα είναι {_hm(prev_end)}-{_hm(next_start)})",
                    label,
                )
        if next_start - prev_end >= need:
            return
        what_en = f"travel{' + break' if need > travel else ''}"
        what_el = f"διαδρομή{' και διάλειμμα' if need > travel else ''}"
        if next_start < prev_end:  # not a short gap: it starts before what comes first is over
            at, then = _hm(next_start), _hm(prev_end)
            early, early_el = _long(prev_end - next_start), _long_el(prev_end - next_start)
            # the return first: on a route with no stops it is also k == 0, and it said
            # «return: starts at 08:00:00, 6 h before the unit leaves»
            if k == len(r.stops):
                if k == 0:  # returns before it leaves: the shift check says so
                    return
                en = f"returns to the base at {at}, {early} before the last stop ends ({then})"
                el = f"επιστρέφει στη βάση στις {at}, {early_el} πριν τελειώσει η τελευταία στάση ({then})"
            elif k == 0:
                en = f"starts at {at}, {early} before the unit leaves the base ({then})"
                el = f"ξεκινά στις {at}, {early_el} πριν φύγει η μονάδα από τη βάση ({then})"
            else:
                en = f"starts at {at}, {early} before the previous stop ends ({then})"
                el = f"ξεκινά στις {at}, {early_el} πριν τελειώσει η προηγούμενη στάση ({then})"
            self.bad(
                "timing",
                where,
                f"{en}; {_dur(need)} are needed in between ({what_en})",
                f"{el}· ενδιάμεσα χρειάζονται {_dur_el(need)} ({what_el})",
                label,
            )
            return
        gap = next_start - prev_end
        self.bad(
            "timing",
            where,
            f"only {_dur(gap)} between {_hm(prev_end)} and {_hm(next_start)}, but {_dur(need)} are needed "
            f"({what_en})",
            f"μόνο {_dur_el(gap)} από {_hm(prev_end)} ως {_hm(next_start)}, αλλά χρειάζονται "
            f"{_dur_el(need)} ({what_el})",
            label,
        )

    def visit_rules(
        self, v: Visit, start: int, end: int, occ: int, ud: UnitDay, where: str, label: str
    ) -> None:
        d = ud.date
        windows = v.windows_on(d)
        # a pinned time holds for whichever visit is served on the pinned date (the first)
        pinned_here = v.pinned_time is not None and v.pinned_date == d
        if windows and not pinned_here and not any(w.contains(start) for w in windows):
            self.bad(
                "time_window",
                where,
                f"starts {_hm(start)}, outside its windows {_windows(windows)}",
                f"ξεκινά {_hm(start)}, εκτός των ωραρίων της {_windows(windows)}",
                label,
            )
        if v.allowed_weekdays is not None and d.weekday() not in v.allowed_weekdays:
            self.bad(
                "weekday",
                where,
                f"served on a weekday it does not allow ({d:%A})",
                f"γίνεται {on_day_el(d)}, ημέρα της εβδομάδας που δεν επιτρέπει",
                label,
            )
        if v.pinned_date is not None and v.frequency == 1 and d != v.pinned_date:
            self.bad(
                "pinned",
                where,
                f"pinned to {v.pinned_date}, served on {d}",
                f"κλειδωμένη για {on_day_el(v.pinned_date)}, γίνεται {on_day_el(d)}",
                label,
            )
        if v.pinned_time is not None and pinned_here and start != v.pinned_time:
            self.bad(
                "pinned",
                where,
                f"pinned at {_hm(v.pinned_time)}, starts {_hm(start)}",
                f"κλειδωμένη στις {_hm(v.pinned_time)}, ξεκινά {_hm(start)}",
                label,
            )
        if occ < 0 or occ >= v.frequency:
            self.bad(
                "occurrence",
                where,
                f"occurrence {occ} of a visit wanted {v.frequency} time(s)",
                f"επανάληψη {occ} μιας επίσκεψης που ζητείται {v.frequency} "
                f"{'φορά' if v.frequency == 1 else 'φορές'} (αριθμούνται από το 0)",
                label,
            )
        if v.required_role is None and v.required_staff is None:
            return
        for member in ud.crew:
            person = self.staff.get(member.staff_id)
            if person is None:
                continue
            if v.required_staff is not None and person.id != v.required_staff:
                continue
            if v.required_role is not None and v.required_role not in person.roles:
                continue
            hours = member.hours or ud.shift
            if hours.start <= start and end <= hours.end:
                return
        self.bad(
            "crew",
            where,
            f"needs {self.need_en(v)} aboard and present {_hm(start)}-{_hm(end)}; the crew cannot cover it",
            f"χρειάζεται {self.need_el(v)} στο πλήρωμα για όλο το διάστημα {_hm(start)}-{_hm(end)}· "
            "το πλήρωμα της ημέρας δεν το καλύπτει",
            label,
        )

    def day_limits(self, r: Route, ud: UnitDay, load: int) -> None:
        where = f"{r.unit_id} {r.date.isoformat()}"
        work = r.arrive - r.depart
        drive = sum(s.travel for s in r.stops) + r.return_travel
        if ud.max_work is not None and work > ud.max_work:
            self.bad(
                "work_time",
                where,
                f"works {_dur(work)}, over the limit of {_dur(ud.max_work)}",
                f"ο οδηγός εργάζεται {_dur_el(work)}, ενώ το όριο είναι {_dur_el(ud.max_work)}",
            )
        if ud.max_drive is not None and drive > ud.max_drive:
            self.bad(
                "drive_time",
                where,
                f"drives {_dur(drive)}, over the limit of {_dur(ud.max_drive)}",
                f"ο οδηγός οδηγεί {_dur_el(drive)}, ενώ το όριο είναι {_dur_el(ud.max_drive)}",
            )
        cap = self.units[r.unit_id].capacity
        if cap is not None and load > cap:
            self.bad(
                "capacity",
                where,
                f"carries {load}, over the capacity {cap}",
                f"φορτίο {load}, πάνω από τη χωρητικότητα {cap} της μονάδας",
            )
        rule = ud.break_rule
        if r.rest is not None:
            if rule is None:
                return
            if not rule.window.contains(r.rest.start) or r.rest.duration < rule.duration:
                window = f"{_hm(rule.window.start)}-{_hm(rule.window.end)}"
                self.bad(
                    "break",
                    where,
                    f"break {_hm(r.rest.start)} for {_dur(r.rest.duration)}; the rule wants "
                    f"{_dur(rule.duration)} starting {window}",
                    f"διάλειμμα στις {_hm(r.rest.start)} για {_dur_el(r.rest.duration)}· ο κανόνας "
                    f"θέλει {_dur_el(rule.duration)} με έναρξη {window}",
                )
            before, after = r.rest.start - r.depart, r.arrive - r.rest.start - r.rest.duration
            if max(before, after) > rule.required_after:
                self.bad(
                    "break",
                    where,
                    f"{_dur(max(before, after))} of work without a break "
                    f"(at most {_dur(rule.required_after)} allowed)",
                    f"{_dur_el(max(before, after))} εργασίας χωρίς διάλειμμα "
                    f"(επιτρέπονται έως {_dur_el(rule.required_after)})",
                )
            if not 0 <= r.rest.after_stop <= len(r.stops):
                self.bad(
                    "break",
                    where,
                    f"break after stop {r.rest.after_stop}, but the route has {len(r.stops)}",
                    f"διάλειμμα μετά τη στάση {r.rest.after_stop}, αλλά η διαδρομή έχει "
                    f"{len(r.stops)} {'στάση' if len(r.stops) == 1 else 'στάσεις'}",
                )
        elif rule is not None and work > rule.required_after:
            self.bad(
                "break",
                where,
                f"works {_dur(work)} with no break (required after {_dur(rule.required_after)})",
                f"ο οδηγός εργάζεται {_dur_el(work)} χωρίς διάλειμμα (απαιτείται μετά από "
                f"{_dur_el(rule.required_after)})",
            )

    # --- the whole plan --------------------------------------------------------------------

    def plan_rules(self) -> None:
        seen_route: dict[tuple[str, date], Route] = {}
        work: dict[str, int] = defaultdict(int)
        served: dict[str, list[tuple[date, int]]] = defaultdict(list)
        for r in self.plan.routes:
            key = (r.unit_id, r.date)
            twice = key in seen_route
            if twice:
                self.bad(
                    "duplicate_route",
                    f"{r.unit_id} {r.date}",
                    "two routes for the same unit and date",
                    "δύο διαδρομές για την ίδια μονάδα και ημερομηνία",
                )
                if r == seen_route[key]:
                    continue  # an exact copy: its every fault and stop were counted once already
            seen_route.setdefault(key, r)
            self.route(r)
            work[r.unit_id] += r.arrive - r.depart
            first = seen_route[key].stops if twice else ()
            for s in r.stops:
                if any((s.visit_id, s.occurrence) == (f.visit_id, f.occurrence) for f in first):
                    continue  # the same stop in the day's other route: one fault, said above
                served[s.visit_id].append((r.date, s.occurrence))
        for uid, total in work.items():
            unit = self.units.get(uid)
            cap = unit.weekly_max_work if unit is not None else None
            if unit is not None and cap is not None and total + unit.weekly_worked > cap:
                worked = unit.weekly_worked
                before = f" and {worked / 3600:.1f} h before it" if worked else ""
                before_el = f" και {_h_el(worked)} ώρες πριν από αυτό" if worked else ""
                over = total + worked - cap
                self.bad(
                    "weekly_cap",
                    uid,
                    f"works {total / 3600:.1f} h over the horizon{before}, {_dur(over)} over the cap "
                    f"{cap / 3600:.1f} h",
                    f"ο οδηγός εργάζεται {_h_el(total)} ώρες στο διάστημα του πλάνου{before_el}, "
                    f"{_dur_el(over)} πάνω από το εβδομαδιαίο όριο των {_h_el(cap)} ωρών",
                )
        unassigned: dict[str, list[int]] = defaultdict(list)
        for u in self.plan.unassigned:
            unassigned[u.visit_id].append(u.occurrence)
            if not (u.reason and u.message_el and u.message_en):
                self.bad(
                    "reason",
                    u.visit_id,
                    "unassigned without a reason in words",
                    "εκτός πλάνου χωρίς αιτιολόγηση σε λέξεις",
                )
            elif u.reason not in REASONS:
                self.bad(
                    "reason",
                    u.visit_id,
                    f"unknown reason code {u.reason!r}",
                    f"άγνωστος κωδικός αιτίας «{u.reason}»",
                )
        for v in self.problem.visits:
            self.frequency(v, served.get(v.id, []), unassigned.get(v.id, []))
        for vid in sorted(set(served) | set(unassigned)):
            if vid not in self.visits and vid not in self.unknown_said:
                self.bad(
                    "unknown_visit",
                    vid,
                    "the plan names a visit the problem does not have",
                    "το πλάνο αναφέρει επίσκεψη που δεν υπάρχει στο πρόβλημα",
                )

    def accounting(self, v: Visit, occs: list[int], missing: list[int]) -> None:
        """The visit's occurrences that are not each either served or listed as unassigned,
        once, in plain words (it printed Python lists: «όσες γίνονται [] και όσες μένουν εκτός
        πλάνου [] δεν αντιστοιχούν στις 1 επίσκεψη»); occurrences are numbered #1, #2..."""
        k = v.frequency
        parts: list[tuple[str, str]] = []

        def which(group: list[int], one_el: str, many_el: str, one_en: str, many_en: str) -> None:
            """A sentence on the occurrences ``group``: for a visit wanted once, of the visit."""
            if not group:
                return
            if k == 1:
                parts.append((one_el, one_en))
                return
            numbers = ", ".join(f"#{o + 1}" for o in group)
            if len(group) == 1:
                parts.append(
                    (f"η επίσκεψη {numbers} από τις {k} {one_el}", f"visit {numbers} of {k} {one_en}")
                )
            else:
                parts.append(
                    (f"οι επισκέψεις {numbers} από τις {k} {many_el}", f"visits {numbers} of {k} {many_en}")
                )

        wanted = range(k)
        which(
            [o for o in wanted if o not in occs and o not in missing],
            "δεν εξυπηρετείται ούτε αναφέρεται στις μη ανατεθείσες",
            "δεν εξυπηρετούνται ούτε αναφέρονται στις μη ανατεθείσες",
            "is neither served nor listed as unassigned",
            "are neither served nor listed as unassigned",
        )
        which(
            [o for o in wanted if o in occs and o in missing],
            "εξυπηρετείται και ταυτόχρονα αναφέρεται στις μη ανατεθείσες",
            "εξυπηρετούνται και ταυτόχρονα αναφέρονται στις μη ανατεθείσες",
            "is served and also listed as unassigned",
            "are served and also listed as unassigned",
        )
        which(
            [o for o in wanted if occs.count(o) > 1],
            "εξυπηρετείται περισσότερες από μία φορές",
            "εξυπηρετούνται περισσότερες από μία φορές",
            "is served more than once",
            "are served more than once",
        )
        which(
            [o for o in wanted if missing.count(o) > 1],
            "αναφέρεται περισσότερες από μία φορές στις μη ανατεθείσες",
            "αναφέρονται περισσότερες από μία φορές στις μη ανατεθείσες",
            "is listed as unassigned more than once",
            "are listed as unassigned more than once",
        )
        extra = sorted({o for o in occs + missing if o not in wanted})
        if extra:  # (a served one is an "occurrence" violation of its stop too)
            numbers = ", ".join(f"#{o + 1}" for o in extra)
            once = len(extra) == 1
            times_el, times_en = ("μία φορά", "once") if k == 1 else (f"{k} φορές", f"{k} times")
            parts.append(
                (
                    f"{'αναφέρεται η επίσκεψη' if once else 'αναφέρονται οι επισκέψεις'} {numbers}, ενώ "
                    f"ζητείται {times_el}",
                    f"{'visit' if once else 'visits'} {numbers} {'is' if once else 'are'} named, but it is "
                    f"wanted {times_en}",
                )
            )
        label = f"{v.id} ({v.name})" if v.name else ""
        self.bad(
            "accounting",
            v.id,
            "; ".join(en for _, en in parts),
            " · ".join(el for el, _ in parts),
            label,
        )

    def frequency(self, v: Visit, got: list[tuple[date, int]], missing: list[int]) -> None:
        occs = [o for _, o in got]
        if len(set(occs)) != len(occs):
            self.bad(
                "duplicate",
                v.id,
                "the same occurrence is served twice",
                "η ίδια επανάληψη της επίσκεψης γίνεται δύο φορές",
            )
        if sorted(occs + missing) != list(range(v.frequency)):
            self.accounting(v, occs, missing)
        dates = sorted(d for d, _ in got)
        if len(set(dates)) != len(dates):
            self.bad(
                "frequency",
                v.id,
                "visited twice on the same date",
                "δύο επισκέψεις την ίδια ημέρα",
            )
        gap = v.min_gap_days
        for a, b in itertools.pairwise(dates):
            # two on the same date are said just above
            if a != b and (b - a).days < gap and v.patterns is None:
                self.bad(
                    "frequency",
                    v.id,
                    f"visits on {day_en(a)} and {day_en(b)} are closer than {gap} "
                    f"{'day' if gap == 1 else 'days'}",
                    f"οι επισκέψεις {on_day_el(a)} και {on_day_el(b)} απέχουν λιγότερο από {gap} "
                    f"{'ημέρα' if gap == 1 else 'ημέρες'}",
                )
        if v.patterns is not None and dates and not any(set(dates) <= set(p) for p in v.patterns):
            shown = sorted(set(dates))
            self.bad(
                "pattern",
                v.id,
                f"the dates {', '.join(day_en(d) for d in shown)} fit none of its allowed patterns: "
                f"{_patterns(v.patterns, day_en, 'or')}",
                f"οι ημέρες {', '.join(day_el(d) for d in shown)} δεν ταιριάζουν σε κανέναν από τους "
                f"επιτρεπτούς συνδυασμούς ημερών της: {_patterns(v.patterns, day_el, 'ή')}",
            )
        # a visit wanted once: its stop's own check says it (the same fault twice otherwise)
        if v.pinned_date is not None and v.frequency > 1 and dates and dates[0] != v.pinned_date:
            self.bad(
                "pinned",
                v.id,
                f"pinned to {v.pinned_date}, first served {dates[0]}",
                f"κλειδωμένη για {on_day_el(v.pinned_date)}, η πρώτη επίσκεψη γίνεται {on_day_el(dates[0])}",
            )


def validate(problem: Problem, plan: Plan) -> list[Violation]:
    """Every hard rule that ``plan`` breaks for ``problem`` (empty when the plan is valid)."""
    checker = _Checker(problem, plan)
    checker.plan_rules()
    return checker.out


# --- what a plan states that is derived, not read back ---------------------------------------

# a summary figure is rounded to 0.1 when written: a difference of more is no rounding
_SUMMARY_SLACK = 0.05 + 1e-6


def _summary_differences(stated: object, derived: Mapping[str, Any]) -> list[str]:
    """The keys of ``derived`` whose value ``stated`` (a summary object) gives otherwise than
    rounding explains, as 'km 1.0 (986.2)'; keys it leaves out are not differences."""
    if not isinstance(stated, Mapping):
        return []
    out = []
    for key, want in derived.items():
        if key not in stated:
            continue
        got = stated[key]
        number = isinstance(got, int | float) and not isinstance(got, bool)
        if number and math.isfinite(got) and abs(got - want) <= _SUMMARY_SLACK:
            continue
        out.append(f"{key} {got} ({want})")
    return out


def _with_role(checker: _Checker, v: Visit, ud: UnitDay) -> bool:
    """Whether ``ud``'s crew has someone who may make ``v`` (its role, or the named person)."""
    for member in ud.crew:
        person = checker.staff.get(member.staff_id)
        if person is None or (v.required_staff is not None and person.id != v.required_staff):
            continue
        if v.required_role is not None and v.required_role not in person.roles:
            continue
        return True
    return False


def _reason_doubt(checker: _Checker, v: Visit, occurrence: int, reason: str) -> tuple[str, str] | None:
    """Why an unassigned entry's ``reason`` plainly cannot hold for visit ``v`` (English, Greek),
    or None: only the cheap checks that need no search (the reasons are re-derived by
    :mod:`planner.explain`; this is not that)."""
    problem = checker.problem
    if reason == "no_crew" and v.pinned_date is not None and v.frequency > 1 and occurrence > 0:
        # a later occurrence of a pinned visit: its reason is the pinned day's when the first
        # cannot go there, else its own later days': no cheap check tells which
        return None
    dates = [
        d
        for d in problem.dates
        if (v.allowed_weekdays is None or d.weekday() in v.allowed_weekdays)
        and (v.patterns is None or any(d in p for p in v.patterns))
    ]
    pinned = v.pinned_date is not None and (v.frequency == 1 or occurrence == 0)
    if pinned:
        dates = [d for d in dates if d == v.pinned_date]
    open_days = [ud for ud in problem.unit_days if ud.available and ud.date in dates]
    if reason == "no_crew":
        # only the units that can carry its load count (the reason may be «only the car can
        # carry its load, and nobody with the role rides in it»)
        able = {u.id for u in problem.units if u.capacity is None or u.capacity >= v.load}
        aboard = sorted({ud.date for ud in open_days if ud.unit_id in able and _with_role(checker, v, ud)})
        if aboard and (v.required_role is not None or v.required_staff is not None):
            if v.required_staff is not None:
                who_el = checker.need_el(v)
            else:
                role = v.required_role or ""
                who_el = ROLE_EL.get(role, (f"«{role}»", ""))[0]
            who_en = checker.need_en(v)
            return (
                f"{who_en} is aboard on {aboard[0].isoformat()}, an available day it allows",
                f"{on_day_el(aboard[0])}, διαθέσιμη ημέρα που επιτρέπει, επιβαίνει {who_el}",
            )
        if v.required_role is None and v.required_staff is None:
            return "it needs no particular role or person", "δεν χρειάζεται συγκεκριμένη ειδικότητα ή πρόσωπο"
    if reason == "over_capacity":
        small = [u for u in problem.units if u.capacity is not None and u.capacity < v.load]
        if not small:
            return (
                f"its load ({v.load}) fits every unit's capacity",
                f"το φορτίο της ({v.load}) χωρά σε κάθε μονάδα",
            )
    if reason == "frequency" and v.frequency == 1:
        return "it is wanted only once", "ζητείται μόνο μία φορά"
    if reason == "pinned_date_unavailable":
        if v.pinned_date is None:
            return "it is not pinned to a date", "δεν είναι κλειδωμένη σε ημερομηνία"
        if any(ud.available and ud.date == v.pinned_date for ud in problem.unit_days):
            return (
                f"a unit is available on {v.pinned_date.isoformat()}, its pinned date",
                f"υπάρχει διαθέσιμη μονάδα {on_day_el(v.pinned_date)}, την ημέρα που είναι κλειδωμένη",
            )
    plain = v.pinned_date is None and v.patterns is None
    if reason == "no_allowed_date" and plain and dates:
        return (
            f"{dates[0].isoformat()} is a date of the plan on a weekday it allows",
            f"το πλάνο έχει ημέρα που επιτρέπει: {day_el(dates[0])}",
        )
    if reason == "no_available_day" and plain and open_days:
        return (
            f"{open_days[0].unit_id} is available on {open_days[0].date.isoformat()}, a day it allows",
            f"η μονάδα {open_days[0].unit_id} είναι διαθέσιμη {on_day_el(open_days[0].date)}, ημέρα που "
            "επιτρέπει",
        )
    return None


def stated_warnings(problem: Problem, plan: Plan, stated: Mapping[str, Any]) -> list[Violation]:
    """What a plan file (``stated``: its parsed JSON, as read into ``plan``) says otherwise than
    its problem and its own routes do, where reading it back ignores it: a route's ``crew``
    (the problem's crew of that unit-day counts), the route and plan ``summary`` figures (they
    are recomputed), and an unassigned entry's ``reason`` that plainly cannot hold (``no_crew``
    though the role is aboard on a day the visit could take...). Warnings, not violations: the
    plan's rules hold or not regardless; an edited file is worth knowing about."""
    from planner.schema import plan_to_dict

    checker = _Checker(problem, plan)
    out: list[Violation] = []
    raw_routes = stated.get("routes")
    raw_routes = raw_routes if isinstance(raw_routes, list) else []
    try:
        derived: dict[str, Any] | None = plan_to_dict(plan, problem)
    except KeyError:  # an unknown unit or visit: a violation already, no summary to compare
        derived = None
    for k, (raw, route) in enumerate(zip(raw_routes, plan.routes, strict=False)):
        if not isinstance(raw, Mapping):
            continue
        where = f"{route.unit_id} {route.date.isoformat()}"
        ud = checker.days.get((route.unit_id, route.date))
        crew = raw.get("crew")
        if ud is not None and isinstance(crew, list):
            want = [m.staff_id for m in ud.crew]
            if sorted(map(str, crew)) != sorted(want):
                shown = ", ".join(map(str, crew)) or "-"
                right = ", ".join(want) or "-"
                out.append(
                    Violation(
                        "stated_crew",
                        where,
                        f"the plan states the crew {shown}, but the problem's crew that day is {right} "
                        "(the problem's is what counts)",
                        f"το πλάνο γράφει πλήρωμα {shown}, ενώ το πλήρωμα της ημέρας στο πρόβλημα είναι "
                        f"{right} (ισχύει του προβλήματος)",
                    )
                )
        if derived is not None:
            wrong = _summary_differences(raw.get("summary"), derived["routes"][k]["summary"])
            if wrong:
                out.append(_summary_warning(where, where, wrong))
    if derived is not None:
        wrong = _summary_differences(stated.get("summary"), derived["summary"])
        if wrong:
            out.append(_summary_warning("summary", "σύνοψη/summary", wrong))
    for u in plan.unassigned:
        v = checker.visits.get(u.visit_id)
        if v is None or u.reason not in REASONS:
            continue  # a violation already
        doubt = _reason_doubt(checker, v, u.occurrence, u.reason)
        if doubt is not None:
            label = f"{v.id} ({v.name})" if v.name else ""
            out.append(
                Violation(
                    "stated_reason",
                    v.id,
                    f"the reason {u.reason} cannot hold: {doubt[0]}",
                    f"η αιτία {u.reason} δεν στέκει: {doubt[1]}",
                    label,
                )
            )
    return out


def _summary_warning(where: str, label: str, wrong: Sequence[str]) -> Violation:
    """A summary whose figures ``wrong`` ('km 1.0 (986.2)') are not those of the routes."""
    shown = ", ".join(wrong)
    return Violation(
        "stated_summary",
        where,
        f"the stated summary differs from the routes': {shown} (stated, recomputed in brackets)",
        f"η σύνοψη που γράφει το πλάνο διαφέρει από των διαδρομών: {shown} (γραμμένο, σε παρένθεση το σωστό)",
        label if label != where else "",
    )
