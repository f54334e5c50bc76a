"""Management's coverage review: a map of the settlements, the period's figures, exports.

Every figure comes from :mod:`webui.coverage` (pure, tested without Flask); this module picks
the period, draws the page and writes the same figures to XLSX (openpyxl) and PDF (fpdf2
with the DejaVu fonts, which carry Greek). People appear only as ``Ω-0042``: no names, no
addresses, no notes reach management.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.register.due import monday_of
from webui.coverage import OUTCOME_ORDER, Figures, SettlementCoverage, compute_figures, settlement_coverage
from webui.driver import current_day
from webui.forms import ROLE_LABELS
from webui.security import require_role
from webui.store import reader

bp = Blueprint("management", __name__, url_prefix="/management")
bp.before_request(require_role("management"))

ISO_WEEK = re.compile(r"^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$")
DEFAULT_WEEKS = 12

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


def _week_monday(text: str | None) -> date | None:
    match = ISO_WEEK.match(text or "")
    if not match:
        return None
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def _week_name(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Period:
    """Whole ISO weeks ``first``..``last`` (Mondays), as the form and the exports name them."""

    first: date
    last: date

    @property
    def names(self) -> tuple[str, str]:
        """``("2026-W38", "2026-W49")``."""
        return _week_name(self.first), _week_name(self.last)


def period_from_request() -> Period:
    """The period asked for (``?from=2026-W38&to=2026-W49``), else the last 12 weeks to today's."""
    this = monday_of(current_day())
    first = _week_monday(request.args.get("from"))
    last = _week_monday(request.args.get("to"))
    if last is None:
        last = this
    if first is None:
        first = last - timedelta(weeks=DEFAULT_WEEKS - 1)
    if first > last:
        first, last = last, first
    if (last - first).days > 7 * 104:
        abort(400)
    return Period(first, last)


def _figures(period: Period) -> tuple[Figures, list[SettlementCoverage]]:
    with reader() as s:
        figures = compute_figures(s, period.first, period.last + timedelta(days=6))
        places = settlement_coverage(s, current_day())
    return figures, places


def trend_chart(
    figures: Figures, width: int = 720, height: int = 240, left: int = 44, bottom: int = 34
) -> dict[str, Any]:
    """The weekly trend as polylines (SVG units, or millimetres in the PDF): visits due, done
    and not done per week; ``left`` and ``bottom`` leave room for the scale and the weeks."""
    weeks = figures.weeks
    right, top = 12, 4 if height < 120 else 12
    top_value = max([1, *(max(w.due, w.done, w.missed) for w in weeks)])
    step = (width - left - right) / max(1, len(weeks) - 1)

    def y(value: int) -> float:
        return round(top + (height - top - bottom) * (1 - value / top_value), 1)

    def points(values: list[int]) -> str:
        return " ".join(f"{round(left + i * step, 1)},{y(v)}" for i, v in enumerate(values))

    ticks = sorted({0, top_value // 2, top_value})
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": height - bottom,
        "right": width - right,
        "series": [
            {"key": "due", "label": _("Due"), "colour": "#555555", "points": points([w.due for w in weeks])},
            {
                "key": "done",
                "label": _("Done"),
                "colour": "#0a6b2e",
                "points": points([w.done for w in weeks]),
            },
            {
                "key": "missed",
                "label": _("Not done"),
                "colour": "#b00020",
                "points": points([w.missed for w in weeks]),
            },
        ],
        "ticks": [{"value": t, "y": y(t)} for t in ticks],
        "labels": [{"x": round(left + i * step, 1), "text": w.iso_week[5:]} for i, w in enumerate(weeks)],
    }


def staff_pivot(figures: Figures) -> list[dict[str, Any]]:
    """Staff load as one row per staff member, one (visits, days aboard) cell per week."""
    rows: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
    for s in figures.staff_weeks:
        rows.setdefault((s.staff, s.role), {})[s.iso_week] = (s.visits, s.days_aboard)
    return [
        {"staff": staff, "role": role, "cells": [cells.get(w.iso_week, (0, 0)) for w in figures.weeks]}
        for (staff, role), cells in sorted(rows.items())
    ]


@bp.route("/")
def overview() -> Any:
    """The coverage map and the period's figures."""
    period = period_from_request()
    figures, places = _figures(period)
    points = [
        {
            "code": p.code,
            "name": p.name,
            "lat": p.lat,
            "lon": p.lon,
            "population": p.population,
            "people": p.beneficiaries,
            "done4": p.done_4w,
            "done12": p.done_12w,
            "last": p.last_done.isoformat() if p.last_done else None,
            "terrain": p.terrain,
        }
        for p in places
    ]
    return render_template(
        "management/overview.html",
        period=period,
        figures=figures,
        points=points,
        today=current_day(),
        chart=trend_chart(figures),
        staff_rows=staff_pivot(figures),
        OUTCOME_ORDER=OUTCOME_ORDER,
        OUTCOME_LABELS=OUTCOME_LABELS,
        REASON_LABELS=REASON_LABELS,
        TERRAIN_LABELS=TERRAIN_LABELS,
        ROLE_LABELS=ROLE_LABELS,
    )


# --- exports ------------------------------------------------------------------------------------


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def summary_rows(figures: Figures) -> list[tuple[str, Any]]:
    """The headline figures as (label, value) rows: the page, the XLSX and the PDF share them."""
    rows: list[tuple[str, Any]] = [
        (_("Period"), f"{figures.start.isoformat()} – {figures.end.isoformat()}"),
        (_("Visits due"), figures.visits_due),
        (_("Visits done"), figures.visits_done),
        *[(str(OUTCOME_LABELS[k]), figures.outcomes[k]) for k in OUTCOME_ORDER if k != "done"],
        (_("Beneficiaries due"), figures.beneficiaries_due),
        (_("Beneficiaries served"), figures.beneficiaries_served),
        (_("Beneficiaries due and served"), figures.beneficiaries_served_of_due),
        (_("Settlements served"), f"{figures.settlements_served} / {figures.settlements_total}"),
        (_("Kilometres (published plans)"), figures.km),
        (_("Driving hours (published plans)"), figures.drive_h),
        (_("Service hours (published plans)"), figures.service_h),
        (_("Routes (published plans)"), figures.routes),
        (_("Mountain villages: share of visits done"), _pct(figures.mountain_visit_share)),
        (_("Mountain villages: share of beneficiaries"), _pct(figures.mountain_beneficiary_share)),
    ]
    return rows


Table = tuple[str, list[str], list[list[Any]]]


def _tables(figures: Figures, places: list[SettlementCoverage]) -> list[Table]:
    """Every table of the report: (title, header, rows)."""
    weeks = [
        [w.iso_week, w.due, *(w.outcomes[k] for k in OUTCOME_ORDER), w.km, w.drive_h, w.service_h]
        for w in figures.weeks
    ]
    outcome_rows = [
        [str(OUTCOME_LABELS[k]), figures.outcomes_home[k], figures.outcomes_stops[k], figures.outcomes[k]]
        for k in OUTCOME_ORDER
    ]
    reasons = [[str(REASON_LABELS.get(k, k)), n] for k, n in figures.unassigned_reasons.items()]
    staff = [[s.iso_week, s.staff, str(ROLE_LABELS.get(s.role, s.role)), s.visits, s.days_aboard]
             for s in figures.staff_weeks]  # fmt: skip
    settlements = [
        [p.name, p.municipal_unit, str(TERRAIN_LABELS.get(p.terrain, p.terrain)), p.population,
         p.beneficiaries, p.done_4w, p.done_12w, p.last_done.isoformat() if p.last_done else ""]
        for p in places
    ]  # fmt: skip
    unserved = [
        [u.pseudonym, u.settlement, u.municipal_unit, str(TERRAIN_LABELS.get(u.terrain, u.terrain)),
         u.due_weeks, u.last_done.isoformat() if u.last_done else "", u.not_at_home, u.cancelled, u.postponed]
        for u in figures.unserved
    ]  # fmt: skip
    return [
        (_("Weeks"), [_("ISO week"), _("Due"), *(str(OUTCOME_LABELS[k]) for k in OUTCOME_ORDER),
                      _("Kilometres"), _("Driving hours"), _("Service hours")], weeks),
        (_("Outcomes"), [_("Outcome"), _("Home visits"), _("Village stops"), _("Total")], outcome_rows),
        (_("Not planned, and why"), [_("Reason"), _("Visits")], reasons),
        (_("Staff load"), [_("ISO week"), _("Staff member"), _("Role"), _("Visits"),
                           _("Days aboard")], staff),
        (_("Settlements"), [_("Settlement"), _("Municipal unit"), _("Terrain"), _("Population"),
                            _("Beneficiaries"), _("Done, last 4 weeks"), _("Done, last 12 weeks"),
                            _("Last visit done")], settlements),
        (_("Due and not served"), [_("Beneficiary (pseudonym)"), _("Settlement"), _("Municipal unit"),
                                   _("Terrain"), _("Weeks due"), _("Last visit done"), _("Not at home"),
                                   _("Cancelled"), _("Postponed")], unserved),
    ]  # fmt: skip


def _week_chart(ws: Any, n_weeks: int) -> None:
    """Excel's own line chart of the weeks sheet: due and each outcome per week."""
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = _("Trend over the weeks")
    chart.height, chart.width = 9, 22
    chart.add_data(Reference(ws, min_col=2, max_col=2 + len(OUTCOME_ORDER), min_row=1, max_row=1 + n_weeks),
                   titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + n_weeks))
    ws.add_chart(chart, f"A{n_weeks + 4}")


@bp.route("/export.xlsx")
def export_xlsx() -> Any:
    """The period's figures as an Excel workbook: a summary sheet and one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    period = period_from_request()
    figures, places = _figures(period)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Summary")[:31]
    sheet.append([_("Kinito: coverage of the mobile unit")])
    sheet["A1"].font = Font(bold=True, size=13)
    for label, value in summary_rows(figures):
        sheet.append([label, value])
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 26
    for index, (title, header, rows) in enumerate(_tables(figures, places)):
        ws = book.create_sheet(title[:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        for i, _h in enumerate(header):
            ws.column_dimensions[chr(ord("A") + i)].width = 18
        if index == 0 and rows:  # the weeks: a line chart of due, done and not at home...
            _week_chart(ws, len(rows))
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
        points = [tuple(float(v) for v in p.split(",")) for p in series["points"].split()]
        pdf.polyline([(x0 + x, y0 + y) for x, y in points])
        pdf.line(legend_x, y0 + chart["height"] + 2, legend_x + 8, y0 + chart["height"] + 2)
        pdf.text(legend_x + 10, y0 + chart["height"] + 3, str(series["label"]))
        legend_x += 45
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(y0 + chart["height"] + 6)


@bp.route("/export.pdf")
def export_pdf() -> Any:
    """The period's figures as an A4 PDF (Greek, DejaVu fonts): summary, chart data, tables."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    period = period_from_request()
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
    with pdf.table(col_widths=(110, 60), text_align=("LEFT", "RIGHT"), first_row_as_headings=False,
                   width=170, align="LEFT") as table:  # fmt: skip
        for label, value in summary_rows(figures):
            table.row([label, str(value)])
    _pdf_chart(pdf, figures)
    for title, header, rows in _tables(figures, places):
        if title == _("Settlements"):
            rows = [r for r in rows if r[4] or r[6]]  # the PDF lists settlements with people or visits
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        if not rows:
            pdf.cell(0, 6, _("None."), new_x="LMARGIN", new_y="NEXT")
            continue
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=5) as table:
            table.row(header)
            for row in rows:
                table.row([str(x) for x in row])
    first, last = period.names
    return send_file(
        io.BytesIO(bytes(pdf.output())),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"kinito-coverage-{first}-{last}.pdf",
    )
