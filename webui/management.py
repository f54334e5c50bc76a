"""Management's coverage review: a map of the settlements, the period's figures, exports.

Every figure comes from :mod:`webui.coverage` (pure, tested without Flask); this module picks
the period, draws the page and writes the same figures to XLSX (openpyxl) and PDF (fpdf2
with the DejaVu fonts, which carry Greek). People appear only as ``Ψ-0042``: no names, no
addresses, no notes reach management (the office finds ``Ψ-0042`` with the register's search).

Numbers are written in the interface's language (:func:`figure_text`): ``841,4`` km and
``41,6%`` in Greek, ``841.4`` and ``41.6%`` in English; the XLSX keeps them numbers (a share
with Excel's percent format), and an unknown figure is an empty cell there.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from babel.dates import format_date
from flask import Blueprint, render_template, request, send_file
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.register.due import iso_week_of, monday_of
from webui.coverage import (
    FIRST_YEAR,
    LAST_YEAR,
    OUTCOME_ORDER,
    Figures,
    SettlementCoverage,
    WeekFigures,
    compute_figures,
    records_start,
    settlement_coverage,
)
from webui.driver import current_day
from webui.forms import ROLE_LABELS
from webui.i18n import decimal, long_date, short_date
from webui.security import require_role
from webui.store import reader

bp = Blueprint("management", __name__, url_prefix="/management")
bp.before_request(require_role("management"))

ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")  # 2026-W48; also 2026w48, 2026-W8
DEFAULT_WEEKS = 12
MAX_WEEKS = 104  # two years: the longest period the page and the exports show
UNKNOWN = "—"  # a figure nobody measured: no records, or no published plan
XLSX_DECIMAL, XLSX_PERCENT = "0.0", "0.0%"  # Excel's own formats (shown in the reader's locale)
# the weeks table's columns after the week: the due visits and outcomes, then the plan's
WEEK_KEYS = ("carried", "new", "due", "done-due", "not-done", "done-beyond", "not_at_home", "cancelled",
             "postponed")  # fmt: skip
PLAN_KEYS = ("km", "drive", "service")

OUTCOME_LABELS = {
    "done": _l("Done"),
    "not_at_home": _l("Not at home"),
    "cancelled": _l("Cancelled"),
    "postponed": _l("Postponed"),
}
REASON_LABELS = {
    "no_allowed_date": _l("No allowed day in the period"),
    "no_available_day": _l("No available day"),
    "pinned_date_unavailable": _l("Pinned to a day with no unit"),
    "no_crew": _l("Nobody with the required role aboard"),
    "over_capacity": _l("Over the unit's capacity"),
    "no_time_in_shift": _l("Time window outside every shift"),
    "unreachable": _l("Too far for the time window"),
    "frequency": _l("Too many visits for the days"),
    "week_full": _l("The week was full"),
    "week_full_timing": _l("The week was full at the hours allowed"),
}
TERRAIN_LABELS = {
    "plain": _l("Plain"),
    "semi_mountainous": _l("Semi-mountainous"),
    "mountainous": _l("Mountainous"),
}


def _weeks_in(year: int) -> int:
    """52 or 53: the ISO weeks of ``year`` (28 December is always in its last week)."""
    return date(year, 12, 28).isocalendar()[1]


def parse_week(text: str, example: str) -> date:
    """The Monday of the ISO week ``text`` names; :class:`PeriodError` says what is wrong."""
    match = ISO_WEEK.match(text.strip().upper().replace(" ", ""))
    if not match or int(match[1]) < 1:
        raise PeriodError(
            _("“%(text)s” is not an ISO week: write the year, a dash, W and the week's number, "
              "e.g. %(example)s.", text=text, example=example)
        )  # fmt: skip
    year, week = int(match[1]), int(match[2])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(
            _("The year %(year)s is outside the years the page covers: choose a week from %(first)s to "
              "%(last)s.", year=match[1], first=f"{FIRST_YEAR}-W01",
              last=f"{LAST_YEAR}-W{_weeks_in(LAST_YEAR):02d}")
        )  # fmt: skip
    if not 1 <= week <= _weeks_in(year):
        raise PeriodError(
            _("Week %(week)s of %(year)s does not exist: %(year)s has weeks 01 to %(weeks)s.",
              week=f"{week:02d}", year=year, weeks=_weeks_in(year))
        )  # fmt: skip
    return date.fromisocalendar(year, week, 1)


class PeriodError(ValueError):
    """A week or a period the page cannot show; the message says why and what is allowed."""


@dataclass(frozen=True)
class Period:
    """Whole ISO weeks ``first``..``last`` (Mondays), as the form and the exports name them."""

    first: date
    last: date

    @property
    def names(self) -> tuple[str, str]:
        """``("2026-W38", "2026-W49")``."""
        return iso_week_of(self.first), iso_week_of(self.last)

    @property
    def n_weeks(self) -> int:
        """Weeks in the period, both ends included."""
        return (self.last - self.first).days // 7 + 1


@dataclass(frozen=True)
class AskedPeriod:
    """The period the form asked for: the period, or the errors (field -> message) with what
    the user typed, to show back in the form."""

    period: Period | None
    typed: tuple[str, str]
    errors: dict[str, str]

    @property
    def values(self) -> tuple[str, str]:
        """What the form's two fields show: the period's weeks, else what was typed."""
        return self.period.names if self.period is not None else self.typed


def period_from_request() -> AskedPeriod:
    """The period asked for (``?from=2026-W38&to=2026-W49``; a reversed one is put right).

    Without ``to``: up to today's week (or ``from``'s, if later). Without ``from``: the 12
    weeks up to ``to``, starting no earlier than the register's first records. A week that is
    not an ISO week ("2026w48" is one), or a period longer than 104 weeks, is an error shown
    in the form, never replaced."""
    this = monday_of(current_day())
    typed = (request.args.get("from", "").strip(), request.args.get("to", "").strip())
    errors: dict[str, str] = {}
    weeks: list[date | None] = []
    for name, text in zip(("from", "to"), typed, strict=True):
        try:
            weeks.append(parse_week(text, iso_week_of(this)) if text else None)
        except PeriodError as error:
            errors[name] = str(error)
            weeks.append(None)
    if errors:
        return AskedPeriod(None, typed, errors)
    first, last = weeks
    if last is None:
        last = this if first is None or first <= this else first
    if first is None:  # not chosen: 12 weeks, from the register's first records if later
        first = max(last - timedelta(weeks=DEFAULT_WEEKS - 1), date.fromisocalendar(FIRST_YEAR, 1, 1))
        with reader() as s:
            since = records_start(s)
        if since is not None and first < since <= last:
            first = since
    if first > last:
        first, last = last, first
    period = Period(first, last)
    if period.n_weeks > MAX_WEEKS:
        first_name, last_name = period.names
        errors["period"] = _(
            "The period %(first)s – %(last)s is %(n)s weeks long: at most %(max)s weeks (two years) "
            "can be shown. Choose a later first week, e.g. %(suggest)s.",
            first=first_name, last=last_name, n=period.n_weeks, max=MAX_WEEKS,
            suggest=iso_week_of(last - timedelta(weeks=MAX_WEEKS - 1)),
        )  # fmt: skip
        return AskedPeriod(None, typed, errors)
    return AskedPeriod(period, typed, {})


def _figures(period: Period) -> tuple[Figures, list[SettlementCoverage]]:
    """The period's figures and the settlements as of its last day (today, if earlier): a
    report of a past period reads the same whenever it is made."""
    with reader() as s:
        figures = compute_figures(s, period.first, period.last + timedelta(days=6), current_day())
        assert figures.as_of is not None
        places = settlement_coverage(s, figures.as_of)
    return figures, places


def trend_chart(
    figures: Figures, width: int = 720, height: int = 240, left: int = 44, bottom: int = 34
) -> dict[str, Any]:
    """The weekly trend as polylines (SVG units, or millimetres in the PDF) over the weeks with
    records: visits due that week, done of them, not done; ``left`` and ``bottom`` leave room
    for the scale and the weeks. Each week's value is also a marker (``markers``: x, y), so
    that a period of one week, a polyline of one point that draws nothing, still shows (its
    week in the middle of the chart)."""
    weeks = [w for w in figures.weeks if w.recorded]
    right, top = 12, 4 if height < 120 else 12
    # the week under way has no "not done" point: its visits not done yet are not missed yet
    # (the summary counts them apart), and drawn they were a spike at the line's end
    missed = [(i, w.not_done) for i, w in enumerate(weeks) if not w.current]
    top_value = max([1, *(max(w.due, w.done_due) for w in weeks), *(v for _i, v in missed)])
    step = (width - left - right) / max(1, len(weeks) - 1)

    def x(i: int) -> float:
        return round(left + i * step if len(weeks) > 1 else (left + width - right) / 2, 1)

    def y(value: int) -> float:
        return round(top + (height - top - bottom) * (1 - value / top_value), 1)

    def points(values: list[int] | list[tuple[int, int]]) -> str:
        pairs = [v if isinstance(v, tuple) else (i, v) for i, v in enumerate(values)]
        return " ".join(f"{x(i)},{y(v)}" for i, v in pairs)

    def markers(values: list[int] | list[tuple[int, int]]) -> list[dict[str, float]]:
        pairs = [v if isinstance(v, tuple) else (i, v) for i, v in enumerate(values)]
        return [{"x": x(i), "y": y(v)} for i, v in pairs]

    current = [w.iso_week for w in weeks if w.current]

    ticks = sorted({0, top_value // 2, top_value})
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": height - bottom,
        "right": width - right,
        "empty": not weeks,
        "series": [
            {
                "key": "due",
                "radius": 7,  # the markers nest when values meet: grey, green, red ring inside
                "label": _("Due that week"),
                "colour": "#555555",
                "points": points([w.due for w in weeks]),
                "markers": markers([w.due for w in weeks]),
            },
            {
                "key": "done",
                "radius": 5,
                "label": _("Done of them"),
                "colour": "#0a6b2e",
                "points": points([w.done_due for w in weeks]),
                "markers": markers([w.done_due for w in weeks]),
            },
            {
                "key": "missed",
                "radius": 3,
                "label": _("Not done"),
                "colour": "#b00020",
                "dash": True,  # red against the green of "done": told apart by more than colour
                "points": points(missed),
                "markers": markers(missed),
            },
        ],
        "note": _under_way_note(current[0]) if current else "",
        "ticks": [{"value": t, "y": y(t)} for t in ticks],
        "labels": [{"x": x(i), "text": w.iso_week[5:]} for i, w in enumerate(weeks)],
    }


def _under_way_note(week: str) -> str:
    """Under the trend chart: why the week under way has no "not done" point."""
    return str(
        _("The week still under way (%(week)s) has no point on the “Not done” line: its visits not "
          "done yet are not missed yet.", week=week)
    )  # fmt: skip


def staff_pivot(figures: Figures) -> list[dict[str, Any]]:
    """Staff load as one row per staff member, one (visits, days aboard) cell per week: visits
    ``None`` in a week without records (after today's: not happened yet), days aboard ``None``
    in a week without a published plan; the cell itself ``None`` (shown "no data", as the weeks
    table shows such a week) when the week has neither records nor a published plan, e.g.
    before the register's first records."""
    rows: dict[tuple[str, str], dict[str, tuple[int | None, int | None]]] = {}
    for s in figures.staff_weeks:
        rows.setdefault((s.staff, s.role), {})[s.iso_week] = (s.visits, s.days_aboard)

    def empty(w: WeekFigures) -> tuple[int | None, int | None] | None:
        if not w.recorded and not w.published:
            return None  # (a unit without a published plan: they may have ridden it, unknown)
        return (0 if w.recorded else None, 0 if w.all_units_published else None)

    return [
        {
            "staff": staff,
            "role": role,
            "cells": [cells[w.iso_week] if w.iso_week in cells else empty(w) for w in figures.weeks],
        }
        for (staff, role), cells in sorted(rows.items())
    ]


def _records_note(figures: Figures) -> str:
    """Where the register's records start, when the period reaches back to it or before."""
    if figures.records_start is None:
        return str(_("The register has no records yet (no outcome, no plan): nothing is counted."))
    if figures.records_start < figures.start:
        return ""
    return str(_(
        "The register's records start in week %(week)s (%(day)s): weeks before it have no data "
        "and count neither as due nor as not done.",
        week=iso_week_of(figures.records_start), day=long_date(figures.records_start),
    ))  # fmt: skip


def _week_note(week: WeekFigures) -> str:
    """Why a week's figures are unknown or partial ('' when they are all measured)."""
    notes = []
    if week.no_data == "before":
        notes.append(_("no data: before the register's first records"))
    elif week.no_data == "future":
        notes.append(_("no data yet: after this week"))
    elif week.current:
        notes.append(_("week in progress"))
    if week.km_ahead is not None:
        notes.append(km_ahead_text(week))
    if not week.published:
        notes.append(_("no published plan: kilometres and hours unknown"))
    elif week.units_unpublished:
        notes.append(units_unpublished_text(week))
    return " · ".join(notes)


def km_ahead_text(week: WeekFigures) -> str:
    """A week with published routes after the day counted up to: their kilometres, apart (not
    driven yet, not in the week's kilometres)."""
    return str(_("%(km)s km planned, still to come (not counted)", km=figure_text(week.km_ahead)))


def units_unpublished_text(week: WeekFigures) -> str:
    """A week published for only some of the units in service: which have no published plan
    (their kilometres, hours and days aboard are not in the week's figures)."""
    return str(
        _("no published plan for %(units)s: kilometres, hours and days aboard are those of the other "
          "units only", units=", ".join(week.units_unpublished))
    )  # fmt: skip


def _render_overview(asked: AskedPeriod, status: int = 200) -> Any:
    """The page: the form and, for a valid period, its figures; for an invalid one, the form
    with what the user typed and what is wrong (as a form does: 200; an export asked for such
    a period gets the same page with ``status`` 400, not a file)."""
    common = {"asked": asked, "this_week": iso_week_of(monday_of(current_day())), "MAX_WEEKS": MAX_WEEKS,
              "DEFAULT_WEEKS": DEFAULT_WEEKS}  # fmt: skip
    if asked.period is None:
        return render_template("management/overview.html", figures=None, **common), status
    period = asked.period
    figures, places = _figures(period)
    points = [
        {
            "code": p.code,
            "name": p.name,
            "lat": p.lat,
            "lon": p.lon,
            "population": p.population,
            "population_label": figure_text(p.population),  # 20.422 in Greek: grouped as km are
            "people": p.beneficiaries,
            "done4": p.done_4w,
            "done12": p.done_12w,
            # the period's own (the summary's visits done add these up)
            "period": figures.done_by_settlement.get(p.code, 0),
            "served": figures.served_by_settlement.get(p.code, 0),
            "last": p.last_done.isoformat() if p.last_done else None,
            "last_label": short_date(p.last_done) if p.last_done else None,
            "recent": p.recent,
            "terrain": p.terrain,
        }
        for p in places
    ]
    tables = _tables(figures, places)
    return render_template(
        "management/overview.html",
        **common,
        period=period,
        figures=figures,
        summary=summary_rows(figures),
        weeks_table=tables[0],
        units_table=tables[4],
        outcome_rows=tables[1][2],
        records_note=_records_note(figures),
        due_note=due_note(),
        unserved_note=unserved_note(figures),
        no_plan_text=no_plan_text(),
        WEEK_KEYS=WEEK_KEYS,
        PLAN_KEYS=PLAN_KEYS,
        points=points,
        as_of=figures.as_of,
        chart=trend_chart(figures),
        staff_rows=staff_pivot(figures),
        UNKNOWN=UNKNOWN,
        figure=figure_text,
        mountain_shares=(share(figures.mountain_visit_share), share(figures.mountain_beneficiary_share)),
        units_unpublished_text=units_unpublished_text,
        km_ahead_text=km_ahead_text,
        OUTCOME_ORDER=OUTCOME_ORDER,
        OUTCOME_LABELS=OUTCOME_LABELS,
        REASON_LABELS=REASON_LABELS,
        TERRAIN_LABELS=TERRAIN_LABELS,
        ROLE_LABELS=ROLE_LABELS,
    )


@bp.route("/")
def overview() -> Any:
    """The coverage map and the period's figures."""
    return _render_overview(period_from_request())


# --- exports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutOf:
    """A count of a total (``47 / 140`` settlements served): text on the page and in the PDF,
    two number cells in the XLSX (the count, and the total written ``/ 140``)."""

    n: int
    total: int


XLSX_OUT_OF = '"/ "0'  # the total's cell: a number, shown "/ 140"


class Share(float):
    """A share (0..1) of the summary: a percentage on the page and in the PDF, a number with
    Excel's percent format in the XLSX."""


def share(value: float | None) -> Share | None:
    """A share, or ``None`` (unknown: "—", an empty cell) for a share of nothing (no visit
    done, nobody with a care plan), never 0 %."""
    return None if value is None else Share(value)


def _percent_pattern() -> str:
    """The interface language's percent pattern with one decimal: ``#,##0.0%``."""
    pattern = get_locale().percent_formats[None].pattern
    return re.sub(r"0(?!.*0)", "0.0", pattern, count=1)


def figure_text(value: Any) -> str:
    """A figure as the page and the PDF write it, in the interface's language: ``—`` when
    unknown, a share as a percentage (``41,6%``), kilometres and hours with one decimal
    (``841,4``), a date as ``19/10/2026``, a count of 1,000 or more grouped as kilometres are
    (``20.422`` in Greek); texts as they are."""
    if value is None:
        return UNKNOWN
    if isinstance(value, OutOf):
        return f"{figure_text(value.n)} / {figure_text(value.total)}"
    if isinstance(value, Share):
        return str(format_percent(float(value), format=_percent_pattern()))
    if isinstance(value, float):
        return decimal(value)  # kilometres and hours: one decimal, grouped, the language's mark
    if isinstance(value, date):
        return _day(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000:
        return decimal(value, 0)  # a population: 20.422, beside 1.226,9 km
    return str(value)


def _xlsx_cell(cell: Any) -> None:
    """An XLSX cell's number format: a share as a percentage, a decimal with one decimal, a
    date as a date (the value itself stays a number: Excel shows it in the reader's manner)."""
    if isinstance(cell.value, date):
        cell.number_format = "dd/mm/yyyy"
    elif isinstance(cell.value, Share):
        cell.value, cell.number_format = float(cell.value), XLSX_PERCENT
    elif isinstance(cell.value, float):
        cell.number_format = XLSX_DECIMAL


def _day(day: date | None) -> str:
    """A date in the interface's language and manner, with its year: ``19/10/2026``."""
    return format_date(day, "d/M/y", locale=str(get_locale())) if day else ""


def _happened(figures: Figures) -> Callable[[Any], Any]:
    """What was recorded in the period (visits done, attempts, people and places served) as
    it stands, or ``None`` (unknown: "—", not 0) when no week of the period has records: all
    of it is before the register's first records, or has not happened yet."""
    recorded = figures.weeks_recorded > 0
    return lambda value: value if recorded else None


def summary_rows(figures: Figures) -> list[tuple[str, str, Any]]:
    """The headline figures as (key, label, value) rows, ``None`` for unknown: the page (ids
    ``k-<key>``), the XLSX and the PDF all write these same rows."""
    first, last = iso_week_of(figures.start), iso_week_of(figures.end)
    n_weeks = len(figures.weeks)
    seen = _happened(figures)
    rows: list[tuple[str, str, Any]] = [
        ("period", _("Period"), f"{first} – {last} ({_day(figures.start)} – {_day(figures.end)})"),
        ("as-of", _("Settlements' visits and beneficiaries counted up to"), _day(figures.as_of)),
        ("weeks-recorded", _("Weeks with records"), OutOf(figures.weeks_recorded, n_weeks)),
        ("due", _("Visits due"), figures.visits_due),
        ("due-before", _("of which due already before the period"), figures.due_before),
        ("due-done", _("Due visits done"), figures.due_done),
        ("due-not-done", _("Due visits not done"), figures.due_not_done),
        *(
            [("due-not-done-current", _("of which in the week still under way (not missed yet)"),
              figures.not_done_in_progress)]
            if figures.not_done_in_progress is not None
            else []
        ),
        ("done", _("Visits done"), seen(figures.visits_done)),
        ("done-beyond", _("of which not due (beyond the rhythm, or a care plan or person no longer active)"),
         seen(figures.done_beyond_due)),
        *[(k, str(OUTCOME_LABELS[k]), seen(figures.outcomes[k])) for k in OUTCOME_ORDER if k != "done"],
        ("ben-due", _("Beneficiaries due"), figures.beneficiaries_due),
        ("ben-served", _("Beneficiaries served"), seen(figures.beneficiaries_served)),
        ("ben-both", _("Beneficiaries due and served"), figures.beneficiaries_served_of_due),
        ("settlements", _("Settlements served"),
         seen(OutOf(figures.settlements_served, figures.settlements_total))),
        ("mountain-settlements", _("Mountain settlements served"),
         seen(OutOf(figures.mountain_settlements_served, figures.mountain_settlements_total))),
        ("weeks-published", _("Weeks with a published plan"), OutOf(figures.weeks_published, n_weeks)),
        ("km", _("Kilometres (published plans)"), figures.km),
        ("drive", _("Driving hours (published plans)"), figures.drive_h),
        ("service", _("Service hours (published plans)"), figures.service_h),
        ("routes", _("Routes (published plans)"), figures.routes),
        *(
            [("km-ahead", _("Kilometres planned, still to come (published routes dated after the day counted "
                            "up to; not in the figures above)"), figures.km_ahead)]
            if figures.km_ahead is not None
            else []
        ),
        ("mountain-visits", _("Mountain villages: share of visits done"),
         seen(share(figures.mountain_visit_share))),
        ("mountain-people", _("Mountain villages: share of beneficiaries"),
         share(figures.mountain_beneficiary_share)),
    ]  # fmt: skip
    return rows


SMALL_PLACE = 5  # the exports name a person's settlement only where it has this many beneficiaries


def not_shown_text() -> str:
    """An export's settlement cell for a person of a settlement with few beneficiaries."""
    return str(_("not shown"))


def small_place_note() -> str:
    """Why the exports' list of people due and not served leaves some settlements out."""
    return str(
        _("Settlement not shown where it has fewer than %(n)s beneficiaries, so that nobody can be "
          "recognised from it (the department's page shows it).", n=SMALL_PLACE)
    )  # fmt: skip


def no_plan_text() -> str:
    """Why the reasons for unplanned visits are not known."""
    return str(_("No published plan in the period: not known."))


def unserved_note(figures: Figures) -> str:
    """Who the list of people due and not served leaves out: those due only in the week under
    way ('' when nobody), as the summary counts their visits apart (not missed yet)."""
    if not figures.unserved_in_progress:
        return ""
    return str(
        _("Not listed: the people due only in the week still under way (not missed yet: they may be on "
          "its routes still to come): %(n)s.", n=figures.unserved_in_progress)
    )  # fmt: skip


def due_note() -> str:
    """What the due figures count: the page and the exports say it under the summary."""
    return str(
        _(
            "Visits due: each visit counts once, in the week it fell due; a visit not done that stays "
            "due later is not counted again. Due = done + not done. Not at home, cancelled, "
            "postponed: attempts (a visit may have several). —: unknown."
        )
    )


Table = tuple[str, list[str], list[list[Any]]]


def _week_row(w: WeekFigures) -> list[Any]:
    if not w.recorded:
        due: list[Any] = [None] * len(WEEK_KEYS)
    else:
        due = [w.carried, w.new, w.due, w.done_due, w.not_done, w.done - w.done_due,
               *(w.outcomes[k] for k in OUTCOME_ORDER if k != "done")]  # fmt: skip
    return [w.iso_week, *due, w.km, w.drive_h, w.service_h, _week_note(w)]


def _tables(figures: Figures, places: list[SettlementCoverage]) -> list[Table]:
    """Every table of the report: (title, header, rows); ``None`` is an unknown figure."""
    seen = _happened(figures)
    weeks = [_week_row(w) for w in figures.weeks]
    weeks.append(
        [_("Period (each visit once)"), figures.due_before,
         None if figures.visits_due is None else figures.visits_due - (figures.due_before or 0),
         figures.visits_due, figures.due_done, figures.due_not_done, seen(figures.done_beyond_due),
         *(seen(figures.outcomes[k]) for k in OUTCOME_ORDER if k != "done"),
         figures.km, figures.drive_h, figures.service_h, ""]
    )  # fmt: skip
    outcome_rows = [
        [str(OUTCOME_LABELS[k]), seen(figures.outcomes_home[k]), seen(figures.outcomes_stops[k]),
         seen(figures.outcomes[k])]
        for k in OUTCOME_ORDER
    ]  # fmt: skip
    reasons: list[list[Any]] = [
        [str(REASON_LABELS.get(k, k)), n] for k, n in figures.unassigned_reasons.items()
    ]
    if not figures.weeks_published:
        reasons = [[no_plan_text(), None]]
    staff = [[s.iso_week, s.staff, str(ROLE_LABELS.get(s.role, s.role)), s.visits, s.days_aboard]
             for s in figures.staff_weeks]  # fmt: skip
    settlements = [
        [p.name, p.municipal_unit, str(TERRAIN_LABELS.get(p.terrain, p.terrain)), p.population,
         p.beneficiaries, seen(figures.done_by_settlement.get(p.code, 0)),
         seen(figures.served_by_settlement.get(p.code, 0)), p.done_4w, p.done_12w, p.last_done]
        for p in places
    ]  # fmt: skip
    units = [
        [u.name, seen(u.visits_done), seen(u.beneficiaries_served), seen(u.settlements_served),
         u.settlements_total]
        for u in figures.municipal_units
    ]  # fmt: skip
    people = {p.code: p.beneficiaries for p in places}
    unserved = [
        [u.pseudonym, u.settlement if people.get(u.settlement_code, 0) >= SMALL_PLACE else not_shown_text(),
         u.municipal_unit, str(TERRAIN_LABELS.get(u.terrain, u.terrain)),
         u.due_weeks, u.last_done, u.not_at_home, u.cancelled, u.postponed]
        for u in figures.unserved
    ]  # fmt: skip
    return [
        (_("Weeks"), [_("ISO week"), _("From earlier weeks"), _("Fell due"), _("Due that week"),
                      _("Done of them"), _("Not done"), _("Done, not due"),
                      *(str(OUTCOME_LABELS[k]) for k in OUTCOME_ORDER if k != "done"),
                      _("Kilometres"), _("Driving hours"), _("Service hours"), _("Note")], weeks),
        (_("Outcomes"), [_("Outcome"), _("Home visits"), _("Village stops"), _("Total")], outcome_rows),
        (_("Not planned, and why"), [_("Reason"), _("Visits")], reasons),
        (_("Staff load"), [_("ISO week"), _("Staff member"), _("Role"), _("Visits"),
                           _("Days aboard")], staff),
        (_("Municipal units"), [_("Municipal unit"), _("Visits done"), _("Beneficiaries served"),
                                _("Settlements served"), _("Settlements")], units),
        (_("Settlements"), [_("Settlement"), _("Municipal unit"), _("Terrain"),
                            _("Population (2011 census)"), _("Beneficiaries"), _("Done in the period"),
                            _("Beneficiaries served in the period"), _("Done, last 4 weeks"),
                            _("Done, last 12 weeks"), _("Last visit done")], settlements),
        (_("Due and not served"), [_("Beneficiary (pseudonym)"), _("Settlement"), _("Municipal unit"),
                                   _("Terrain"), _("Weeks due"), _("Last visit done"), _("Not at home"),
                                   _("Cancelled"), _("Postponed")], unserved),
    ]  # fmt: skip


def sheet_names() -> list[str]:
    """The XLSX's sheets after the summary, one per table of :func:`_tables`, in its order:
    short names of their own, as Excel allows at most 31 characters (checked in the tests)."""
    return [_("Weeks"), _("Outcomes"), _("Not planned"), _("Staff load"), _("Municipal units"),
            _("Settlements"), _("Due, not served")]  # fmt: skip


WEEK_CHART_COLUMNS = (4, 6)  # the weeks sheet's "due that week", "done of them", "not done"


def _week_chart(ws: Any, n_weeks: int) -> None:
    """Excel's own line chart of the weeks sheet: due that week, done of them, not done (the
    weeks without records are empty cells: gaps in the lines)."""
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = _("Trend over the weeks")
    chart.height, chart.width = 9, 22
    low, high = WEEK_CHART_COLUMNS
    chart.add_data(Reference(ws, min_col=low, max_col=high, min_row=1, max_row=1 + n_weeks),
                   titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + n_weeks))
    ws.add_chart(chart, f"A{n_weeks + 5}")


@bp.route("/export.xlsx")
def export_xlsx() -> Any:
    """The period's figures as an Excel workbook: a summary sheet and one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from planner.register.exporter import cell_values, text_cells_only

    asked = period_from_request()
    if asked.period is None:
        return _render_overview(asked, 400)
    period = asked.period
    figures, places = _figures(period)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Summary")
    sheet.append([_("Kinito: coverage of the mobile unit")])
    sheet["A1"].font = Font(bold=True, size=13)
    for _key, label, value in summary_rows(figures):
        if isinstance(value, OutOf):  # two numbers: the count, and the total written "/ 140"
            sheet.append([label, value.n, value.total])
            sheet.cell(row=sheet.max_row, column=3).number_format = XLSX_OUT_OF
            continue
        sheet.append([label, value])  # unknown (None): an empty cell, as in the other sheets
        _xlsx_cell(sheet.cell(row=sheet.max_row, column=2))
    sheet.append([])
    sheet.append([due_note()])
    at = sheet.max_row
    sheet.cell(row=at, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=at, start_column=1, end_row=at, end_column=2)
    sheet.row_dimensions[at].height = 90
    if records := _records_note(figures):
        sheet.append([records])
    sheet.column_dimensions["A"].width = 56
    sheet.column_dimensions["B"].width = 44
    tables = zip(_tables(figures, places), sheet_names(), strict=True)
    for index, ((_title, header, rows), name) in enumerate(tables):
        ws = book.create_sheet(name)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(cell_values(row))
            for cell in ws[ws.max_row]:
                _xlsx_cell(cell)
        if index == len(sheet_names()) - 1:
            notes = [unserved_note(figures), small_place_note() if rows else ""]
            if any(notes):
                ws.append([])
            for note in filter(None, notes):
                ws.append([note])  # who is not in the list, and whose settlement is not named
        for i, _h in enumerate(header):
            ws.column_dimensions[chr(ord("A") + i)].width = 18
        if index == 0:  # the weeks (and the period's row): bold total, a line chart of the weeks
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
            ws.column_dimensions[chr(ord("A") + len(header) - 1)].width = 60
            if figures.weeks_recorded:
                _week_chart(ws, len(figures.weeks))
    text_cells_only(book)  # a name or settlement typed as "=…" stays text, never a formula
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    first, last = period.names
    return send_file(
        out,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"kinito-coverage-{first}-{last}.xlsx",
    )


FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _font(name: str) -> str:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    raise RuntimeError(f"{name} not found (apt-get install fonts-dejavu-core)")


MARKER_MM = 0.25  # a marker's radius on the PDF's chart, in millimetres per SVG unit


def _pdf_chart(pdf: Any, figures: Figures) -> None:
    """The trend chart drawn with lines (the page's SVG, in millimetres) and its legend."""
    chart = trend_chart(figures, width=270, height=60, left=12, bottom=8)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, _("Trend over the weeks"), new_x="LMARGIN", new_y="NEXT")
    x0, y0 = pdf.l_margin, pdf.get_y()
    pdf.set_font("DejaVu", "", 7)
    pdf.set_draw_color(208, 212, 217)
    for tick in chart["ticks"]:
        pdf.line(x0 + chart["left"], y0 + tick["y"], x0 + chart["right"], y0 + tick["y"])
        pdf.text(x0 + 2, y0 + tick["y"] + 1, str(tick["value"]))
    for label in chart["labels"]:
        pdf.text(x0 + label["x"] - 3, y0 + chart["bottom"] + 4, label["text"])
    pdf.set_line_width(0.6)
    legend_x = x0 + chart["left"]
    for series in chart["series"]:
        colour = tuple(int(series["colour"][i : i + 2], 16) for i in (1, 3, 5))
        pdf.set_draw_color(*colour)
        if series.get("dash"):
            pdf.set_dash_pattern(dash=2, gap=1.2)
        points = [tuple(float(v) for v in p.split(",")) for p in series["points"].split()]
        if len(points) > 1:  # (a "not done" line without the week under way may have no point)
            pdf.polyline([(x0 + x, y0 + y) for x, y in points])
        pdf.line(legend_x, y0 + chart["height"] + 2, legend_x + 8, y0 + chart["height"] + 2)
        pdf.set_dash_pattern()
        with pdf.local_context(
            fill_color=(255, 255, 255) if series.get("dash") else colour
        ):  # as on the page
            for marker in series["markers"]:  # each week a dot: one week alone still shows
                r = series["radius"] * MARKER_MM
                pdf.ellipse(x0 + marker["x"] - r, y0 + marker["y"] - r, 2 * r, 2 * r, style="DF")
        pdf.text(legend_x + 10, y0 + chart["height"] + 3, str(series["label"]))
        legend_x += max(45, 10 + pdf.get_string_width(str(series["label"])) + 6)  # a long label: no overlap
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(y0 + chart["height"] + 6)
    if chart["note"]:
        pdf.multi_cell(0, 4, chart["note"], new_x="LMARGIN", new_y="NEXT")


def _col_widths(pdf: Any, header: list[str], rows: list[list[str]]) -> tuple[float, ...]:
    """Column widths (mm) for a PDF table: every column at least as wide as its longest word
    (no word broken, "προηγούμενες" stays whole), the rest of the page shared by how much
    more each column's longest text would take (long notes get the room)."""
    pad = 3.0

    def widths(texts: Sequence[str]) -> tuple[float, float]:  # the longest word's, the longest text's
        words = [w for text in texts for w in text.split()] or [""]
        return max(map(pdf.get_string_width, words)) + pad, max(map(pdf.get_string_width, texts)) + pad

    style, size = pdf.font_style, pdf.font_size_pt
    pdf.set_font("DejaVu", "B", size)  # the headings are bold: wider
    heads = [widths([h]) for h in header]
    pdf.set_font("DejaVu", style, size)
    bodies = [widths(col) for col in zip(*rows, strict=True)] if rows else [(0.0, 0.0)] * len(header)
    need = [max(h[0], b[0]) for h, b in zip(heads, bodies, strict=True)]
    want = [max(h[1], b[1]) for h, b in zip(heads, bodies, strict=True)]
    room = pdf.epw - sum(need)
    more = [w - n for w, n in zip(want, need, strict=True)]
    if room <= 0 or not sum(more):
        return tuple(need)
    if sum(more) <= room:
        return tuple(want)
    return tuple(n + room * m / sum(more) for n, m in zip(need, more, strict=True))


@bp.route("/export.pdf")
def export_pdf() -> Any:
    """The period's figures as an A4 PDF (Greek, DejaVu fonts): summary, chart data, tables."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    asked = period_from_request()
    if asked.period is None:
        return _render_overview(asked, 400)
    period = asked.period
    figures, places = _figures(period)
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("DejaVu", "", _font("DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", _font("DejaVuSans-Bold.ttf"))
    pdf.set_title(_("Kinito: coverage of the mobile unit"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 9, _("Kinito: coverage of the mobile unit"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    with pdf.table(col_widths=(130, 70), text_align=("LEFT", "RIGHT"), first_row_as_headings=False,
                   width=200, align="LEFT") as table:  # fmt: skip
        for _key, label, value in summary_rows(figures):
            table.row([label, figure_text(value)])
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 8)
    for note in (due_note(), _records_note(figures)):
        if note:
            pdf.multi_cell(0, 4, note, new_x="LMARGIN", new_y="NEXT")
    if figures.weeks_recorded:
        _pdf_chart(pdf, figures)
    for title, header, rows in _tables(figures, places):
        if title == _("Settlements"):  # the PDF lists settlements with people or visits (12 weeks, period)
            rows = [r for r in rows if r[4] or r[5] or r[8]]
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 7 if len(header) > 9 else 8)
        if title == _("Due and not served"):
            for note in (unserved_note(figures), small_place_note() if rows else ""):
                if note:
                    pdf.multi_cell(0, 4, note, new_x="LMARGIN", new_y="NEXT")
        if not rows:
            pdf.cell(0, 6, _("None."), new_x="LMARGIN", new_y="NEXT")
            continue
        cells = [[figure_text(x) for x in row] for row in rows]
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=4,
                       col_widths=_col_widths(pdf, header, cells)) as table:  # fmt: skip
            table.row(header)
            for row in cells:
                table.row(row)
    first, last = period.names
    return send_file(
        io.BytesIO(bytes(pdf.output())),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"kinito-coverage-{first}-{last}.pdf",
    )
