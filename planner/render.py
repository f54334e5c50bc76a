"""Plain-text rendering of a `Plan` for the terminal: one row per route, then the unassigned.

Rendering only: every number comes from the `Plan` and `Problem` dataclasses (DESIGN.md,
principle 3). Headers are short Greek first, English second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from planner.model import MINUTE, CrewMember, Plan, Problem, Route, Unassigned, UnitDay, Visit

WEEKDAYS_EL: tuple[str, ...] = ("Δευ", "Τρί", "Τετ", "Πέμ", "Παρ", "Σάβ", "Κυρ")
"""Greek weekday abbreviations, Monday first (``date.weekday()`` order), accented where the
abbreviation keeps the stressed syllable (Τρί, Πέμ, Σάβ), as the web pages write them."""

NONE_MARK = "—"

_HEADERS: tuple[str, ...] = (
    "Ημερ./Date",
    "Μονάδα/Unit",
    "Στάσεις/Stops",
    "Αναχ./Leave",
    "Επιστρ./Return",
    "χλμ/km",
    "Οδήγ./Drive",
    "Εξυπ./Service",
    "Αναμ./Wait",
    "Διάλ./Break",
    "Πλήρωμα/Crew",
)
_MINUTES_NOTE = "Οδήγηση, εξυπηρέτηση, αναμονή σε λεπτά / Driving, service, waiting in minutes"
# the totals row rounds the exact sums once, so it may differ from adding up the rounded rows
_TOTALS_NOTE = "Σύνολα στρογγυλεμένα από τα ακριβή αθροίσματα / Totals rounded from the exact sums"
# Text columns are left-aligned, numbers and times right-aligned.
_LEFT = frozenset({0, 1, 9, 10})


DAY_NAMES_EL = ("Δευτέρα", "Τρίτη", "Τετάρτη", "Πέμπτη", "Παρασκευή", "Σάββατο", "Κυριακή")
DAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Role names in Greek: as the subject ("δεν επιβαίνει ...") and as the object ("προσθέστε ...").
ROLE_EL = {
    "social_worker": ("κοινωνικός λειτουργός", "κοινωνικό λειτουργό"),
    "psychologist": ("ψυχολόγος", "ψυχολόγο"),
}


def day_el(d: date) -> str:
    """A date in Greek, e.g. 'Δευτέρα 07/12'."""
    return f"{DAY_NAMES_EL[d.weekday()]} {d:%d/%m}"


def on_day_el(d: date) -> str:
    """A date in Greek with its article, as after "on": 'τη Δευτέρα 07/12', 'την Τρίτη 08/12',
    'το Σάββατο 12/12' (the article keeps its final ν before κ, π, τ and vowels)."""
    day = DAY_NAMES_EL[d.weekday()]
    article = "το" if d.weekday() == 5 else "την" if day[0] in "ΚΠΤ" else "τη"
    return f"{article} {day_el(d)}"


def day_en(d: date) -> str:
    """A date in English, e.g. 'Monday 07/12'."""
    return f"{DAY_NAMES_EN[d.weekday()]} {d:%d/%m}"


def day_label(day: date) -> str:
    """A date as the coordinator reads it: Greek weekday and day/month, e.g. ``Δευ 07/12``."""
    return f"{WEEKDAYS_EL[day.weekday()]} {day:%d/%m}"


def hhmm(t: int) -> str:
    """Seconds since midnight as ``HH:MM`` (seconds dropped, as on a timetable)."""
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}"


def _minutes(seconds: int) -> str:
    return f"{round(seconds / MINUTE)}"


def _km(metres: int) -> str:
    """Kilometres with one decimal and a decimal comma («72,1»): the table reads Greek first,
    as its day labels do, and in Greek the point separates thousands."""
    return f"{metres / 1000:.1f}".replace(".", ",")


def crew_names(problem: Problem, route: Route, *, hours: bool = False, short: bool = False) -> list[str]:
    """The names of the crew aboard the route's unit on its date (ids for unknown staff);
    ``hours``: each part-timer's hours after the name (:func:`crew_hours`); ``short``: the
    names cut as :func:`short_name` cuts them."""
    return [
        name
        for ud in problem.unit_days
        if ud.unit_id == route.unit_id and ud.date == route.date
        for name in _unit_day_crew(problem, ud, hours=hours, short=short)
    ]


def crew_hours(member: CrewMember, ud: UnitDay) -> str:
    """A crew member's hours aboard as ``08:00-12:00`` when they are not the whole shift
    (a part-timer: the driver must know who is aboard when), else empty."""
    hours = member.hours
    if hours is None or (hours.start <= ud.shift.start and hours.end >= ud.shift.end):
        return ""
    return f"{hhmm(hours.start)}-{hhmm(hours.end)}"


def _unit_day_crew(problem: Problem, ud: UnitDay, *, hours: bool = False, short: bool = False) -> list[str]:
    """The names of a unit-day's crew (ids for unknown staff); ``short``: cut to the name
    (:func:`short_name`); ``hours``: a part-timer's hours after it, «Σοφία Μ. 08:00-12:00»."""
    names: list[str] = []
    for member in ud.crew:
        try:
            name = problem.staff_member(member.staff_id).name or member.staff_id
        except KeyError:
            name = member.staff_id
        if short:
            name = short_name(name)
        # two staff of one name («Μαρία Κ.» twice): told apart by their ids
        cut = short_name if short else (lambda text: text)
        if sum(cut(s.name or s.id) == name for s in problem.staff) > 1:
            name = f"{name} ({member.staff_id})"
        if hours and (when := crew_hours(member, ud)):
            name = f"{name} {when}"
        names.append(name)
    return names


def short_name(name: str) -> str:
    """A name without what follows it ("Ελένη Κ., κοινωνική λειτουργός (...)" -> "Ελένη Κ."),
    so that the table's crew column stays narrow."""
    return name.split(", ")[0].split(" (")[0].strip() or name


def _break_cell(route: Route) -> str:
    if route.rest is None:
        return NONE_MARK
    return f"{hhmm(route.rest.start)}-{hhmm(route.rest.start + route.rest.duration)}"


def unit_label(problem: Problem, unit_id: str, most: int = 20) -> str:
    """A unit's short name for tables and legends: its name up to any bracket, else its id."""
    try:
        name = problem.unit(unit_id).name.split("(")[0].strip()
    except KeyError:
        name = ""
    if not name:
        return unit_id
    return name if len(name) <= most else name[: most - 1] + "…"


def _route_row(route: Route, problem: Problem) -> list[str]:
    return [
        day_label(route.date),
        unit_label(problem, route.unit_id),
        str(len(route.stops)),
        hhmm(route.depart),
        hhmm(route.arrive),
        _km(route.distance),
        _minutes(route.drive_time),
        _minutes(route.service_time),
        _minutes(route.waiting_time),
        _break_cell(route),
        ", ".join(crew_names(problem, route, hours=True, short=True)) or NONE_MARK,
    ]


def _idle_row(ud: UnitDay, problem: Problem) -> list[str]:
    """The row of a unit-day with no route: why (unavailable), or that none was sent out and
    who was aboard (so that a crew left idle while visits wait is seen)."""
    note = "μη διαθέσιμη / unavailable" if not ud.available else "χωρίς διαδρομή / no route"
    if not ud.available and ud.note:  # the why the week builder gave: "ρεπό οδηγού / driver off"
        note = f"{note}: {ud.note}"
    crew = ", ".join(_unit_day_crew(problem, ud, hours=True, short=True)) if ud.available else ""
    if crew:
        note += f": {crew}"
    return [day_label(ud.date), unit_label(problem, ud.unit_id), "0", *[NONE_MARK] * 2, *[""] * 5, note]


def _totals_row(routes: Sequence[Route]) -> list[str]:
    return [
        "Σύνολο/Total",
        "",
        str(sum(len(r.stops) for r in routes)),
        "",
        "",
        _km(sum(r.distance for r in routes)),
        _minutes(sum(r.drive_time for r in routes)),
        _minutes(sum(r.service_time for r in routes)),
        _minutes(sum(r.waiting_time for r in routes)),
        "",
        "",
    ]


def _format_rows(rows: Sequence[Sequence[str]]) -> list[str]:
    """Align the rows into columns; a rule under the header and above the last row."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(row: Sequence[str]) -> str:
        cells = (
            c.ljust(w) if i in _LEFT else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(r) for r in rows[1:-1]]
    return [line(rows[0]), rule, *body, rule, line(rows[-1])]


def _visit_label(problem: Problem, item: Unassigned) -> tuple[str, str]:
    try:
        visit = problem.visit(item.visit_id)
    except KeyError:
        return item.visit_id, ""
    label = item.visit_id
    if visit.frequency > 1:
        label += f" #{item.occurrence + 1}"
    return label, visit.name


SUMMED_FROM = 10  # more unassigned visits than this: a line of counts per reason first


def _grouped(n: int) -> str:
    """A count as both languages read it here: 1.083 (a point groups thousands in Greek)."""
    return f"{n:,}".replace(",", ".")


def format_unassigned(plan: Plan, problem: Problem) -> str:
    """The unassigned visits, one per line with reason and Greek message; English indented below."""
    if not plan.unassigned:
        return "Χωρίς ανάθεση / Unassigned: κανένα / none"
    lines = [f"Χωρίς ανάθεση / Unassigned ({len(plan.unassigned)}):"]
    reasons = Counter(item.reason for item in plan.unassigned)
    if len(plan.unassigned) > SUMMED_FROM:  # hundreds at scale: the counts first
        counts = ", ".join(f"{reason} {_grouped(n)}" for reason, n in reasons.most_common())
        lines.append(f"  ανά αιτία / by reason: {counts}")

    def priority(item: Unassigned) -> int:
        try:
            return problem.visit(item.visit_id).priority
        except KeyError:
            return 0

    # what the coordinator can act on first (a crew, a day, a window), then the week's room;
    # within each, the highest priority first (sorted() keeps the plan's order among equals)
    ordered = sorted(plan.unassigned, key=lambda item: (item.reason == "week_full", -priority(item)))
    for item in ordered:
        label, name = _visit_label(problem, item)
        head = "  ".join(part for part in (label, name, f"[{item.reason}]") if part)
        lines.append(f"  {head}  {item.message_el}".rstrip())
        if item.message_en:
            lines.append(f"      {item.message_en}")
    return "\n".join(lines)


def format_pin_notes(problem: Problem) -> str:
    """The visits pinned to a time outside their own hours on that date, which the pin
    overrides (the coordinator's lock wins, and the validator lets it), so that nobody is left
    unaware: empty when there are none."""
    lines: list[str] = []
    for v in problem.visits:
        if v.pinned_date is None or v.pinned_time is None:
            continue
        windows = v.windows_on(v.pinned_date)
        if not windows or any(w.contains(v.pinned_time) for w in windows):
            continue
        hours = ", ".join(f"{hhmm(w.start)}-{hhmm(w.end)}" for w in windows)
        who = f"{v.id} {v.name}".strip() if v.name and v.name != v.id else v.id
        lines.append(
            f"  {who}: κλειδωμένη στις {hhmm(v.pinned_time)} ({day_label(v.pinned_date)}), εκτός των ωρών "
            f"που μπορεί να αρχίσει ({hours}): ισχύει το κλείδωμα / pinned at {hhmm(v.pinned_time)}, "
            f"outside the times it may start ({hours}): the pin holds"
        )
    if not lines:
        return ""
    return "\n".join(["Σημειώσεις / Notes:", *lines])


def stops_off_their_day(plan: Plan, problem: Problem) -> list[tuple[Visit, tuple[date, ...]]]:
    """Village stops served, but on none of them on the weekday the village expects (its
    preferred weekday: a soft wish the search may trade for serving more), with the dates
    served: the village must be told, or the plan changed."""
    served: dict[str, list[date]] = {}
    for r in plan.routes:
        for s in r.stops:
            served.setdefault(s.visit_id, []).append(r.date)
    return [
        (v, tuple(sorted(served[v.id])))
        for v in problem.visits
        if v.kind == "village_stop"
        and v.preferred_weekday is not None
        and v.id in served
        and all(d.weekday() != v.preferred_weekday for d in served[v.id])
    ]


def format_usual_day_notes(plan: Plan, problem: Problem) -> list[str]:
    """The notes' lines on :func:`stops_off_their_day`."""
    lines = []
    for v, days in stops_off_their_day(plan, problem):
        who = f"{v.id} {v.name}".strip() if v.name and v.name != v.id else v.id
        on = ", ".join(day_label(d) for d in days)
        on_en = ", ".join(f"{DAY_NAMES_EN[d.weekday()][:3]} {d:%d/%m}" for d in days)
        usual = v.preferred_weekday or 0
        lines.append(
            f"  {who}: {on}, όχι {DAY_NAMES_EL[usual]} όπως συνήθως: ενημερώστε το χωριό / "
            f"on {on_en}, not on its usual {DAY_NAMES_EN[usual]}: tell the village"
        )
    return lines


def format_plan_table(plan: Plan, problem: Problem) -> str:
    """The plan as a per-day text table with a totals row, then the unassigned visits."""
    routes = sorted(plan.routes, key=lambda r: (r.date, r.unit_id))
    title = plan.problem_name or problem.name
    if routes:
        # a unit-day with no route still gets its row: unavailable, or nothing sent out
        have = {(r.date, r.unit_id) for r in routes}
        idle = [
            ud for ud in problem.unit_days if ud.date in problem.dates and (ud.date, ud.unit_id) not in have
        ]
        keyed = [((r.date, r.unit_id), _route_row(r, problem)) for r in routes]
        keyed += [((ud.date, ud.unit_id), _idle_row(ud, problem)) for ud in idle]
        body = [row for _, row in sorted(keyed, key=lambda kr: kr[0])]
        rows = [list(_HEADERS), *body, _totals_row(routes)]
        table = "\n".join([*_format_rows(rows), _MINUTES_NOTE, _TOTALS_NOTE])
    else:
        table = "Καμία διαδρομή / No routes"
    notes = format_pin_notes(problem)
    if moved := format_usual_day_notes(plan, problem):
        notes = "\n".join([notes or "Σημειώσεις / Notes:", *moved])
    return f"{title}\n{table}\n\n{format_unassigned(plan, problem)}\n" + (f"\n{notes}\n" if notes else "")


def format_violations(violations: Sequence[str]) -> str:
    """A numbered list of validator messages, or a line saying there are none."""
    if not violations:
        return "Καμία παραβίαση / No violations\n"
    lines = [f"Παραβιάσεις / Violations ({len(violations)}):"]
    lines += [f"  {i}. {v}" for i, v in enumerate(violations, start=1)]
    return "\n".join(lines) + "\n"
