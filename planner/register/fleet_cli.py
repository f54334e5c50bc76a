"""``kinito unit`` and ``kinito staff``: the mobile units and the staff of a register.

A register made by plain ``kinito init`` has neither, and ``kinito week`` needs both: an
active unit (its base and seats) and staff who ride in it (a social worker or the
psychologist; a driver, if any, decides the van's days off). ``kinito init --demo`` loads its
own; these commands add the real ones (the web application edits them later). A bad
argument raises ``ValueError`` with a Greek / English message: ``kinito`` prints it, exit 2.

A unit's weekly hours cap its driver's working time over the week (a part-time driver's 20 h
is two and a half full days); without them, or after ``--default``, the engine's 40 h. A unit
is named by its id, its name or the start of it, as ``kinito week --units`` names it.

    kinito unit add NAME (--base SETTLEMENT | --base-lat LAT --base-lon LON) [--base-name TEXT] [--capacity N]
                    [--weekly-hours H]
    kinito unit hours UNIT (H | --default)   # the driver's working hours a week, e.g. 20 or 20,5
    kinito unit list
    kinito staff add NAME --role ROLE [--id ID] [--weekdays Δευ-Παρ] [--hours 08:00-16:00] [--part-time]
    kinito staff list
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.model import HOUR, WEEKLY_MAX_WORK
from planner.register import models as m
from planner.register.db import session_scope
from planner.register.places import fold, normalise
from planner.register.settlements import find_in_register
from planner.register.week_cli import DB_HELP, EXIT_OK, _actor, _engine

__all__ = ["add_commands", "format_weekly_hours", "parse_weekly_hours", "same_name_unit"]


MAX_WEEKLY_HOURS = 168  # the week itself; the register's CHECK constraint says the same


def parse_weekly_hours(text: str, label: str = "--weekly-hours ") -> float:
    """``20``, ``20,5`` or ``20.5`` hours a week, to the minute; over 0 and at most 168.
    ``label`` (the option's name and a space, or nothing) starts each half of the message."""
    try:
        hours = float(text.strip().replace(",", "."))
    except ValueError:
        hours = float("nan")
    if not 0 < hours <= MAX_WEEKLY_HOURS or round(hours * 60) < 1:  # nan, inf: refused too
        raise ValueError(
            f"{label}«{text}»: ώρες την εβδομάδα, πάνω από 0 και έως {MAX_WEEKLY_HOURS}, π.χ. 20 ή 20,5 / "
            f"{label}«{text}»: hours a week, over 0 and at most {MAX_WEEKLY_HOURS}, e.g. 20 or 20,5"
        )
    return round(hours * 60) / 60


def format_weekly_hours(hours: float | None) -> str:
    """A unit's weekly hours as ``20,5 ώρες/εβδ. / h/week``; None: the engine's default, said so."""
    default = hours is None
    if hours is None:
        hours = WEEKLY_MAX_WORK / HOUR
    text = f"{hours:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} ώρες/εβδ. / h/week" + (" (προεπιλογή / default)" if default else "")


def same_name_unit(session: Session, name: str, other_than: m.Unit | None = None) -> m.Unit | None:
    """A unit (not ``other_than``) whose name is ``name``, case and accents aside: two such
    names could not be told apart by `kinito week --units`; None if there is none."""
    key = fold(name.strip())
    same = (u for u in session.scalars(select(m.Unit)) if u is not other_than and fold(u.name) == key)
    return next(same, None)


def _check_base(lat: float, lon: float) -> None:
    """A base given by coordinates lies in the municipality, as the web form's map and the
    geocoder hold it (a base elsewhere left the unit with no route all week, silently)."""
    from planner.register.geocode import municipality_bounds

    box = municipality_bounds()
    if box.contains(lat, lon):
        return
    swapped = box.contains(lon, lat)
    hint_el = " (μήπως αντιστράφηκαν πλάτος και μήκος;)" if swapped else ""
    hint_en = " (latitude and longitude swapped?)" if swapped else ""
    where = box.describe()
    raise ValueError(
        f"--base-lat/--base-lon: το σημείο ({lat}, {lon}) είναι έξω από τον δήμο ({where}){hint_el} / "
        f"the point ({lat}, {lon}) is outside the municipality ({where}){hint_en}"
    )


def cmd_unit_add(args: argparse.Namespace) -> int:
    """Add an active mobile unit with its base point."""
    name = args.name.strip()
    if not name:
        raise ValueError("κενό όνομα μονάδας / an empty unit name")
    if args.capacity < 1:
        raise ValueError("--capacity: τουλάχιστον 1 θέση / at least 1 seat")
    weekly_hours = None if args.weekly_hours is None else parse_weekly_hours(args.weekly_hours)
    if (args.base_lat is None) != (args.base_lon is None):
        raise ValueError("--base-lat και --base-lon δίνονται μαζί / --base-lat and --base-lon go together")
    if args.base is None and args.base_lat is None:
        raise ValueError(
            "δώστε τη βάση: --base ΟΙΚΙΣΜΟΣ ή --base-lat/--base-lon / "
            "give the base: --base SETTLEMENT or --base-lat/--base-lon"
        )
    if args.base_lat is not None:
        _check_base(args.base_lat, args.base_lon)
    with _engine(args.db) as engine, session_scope(engine, actor=_actor(args)) as session:
        same = same_name_unit(session, name)
        if same is not None:
            raise ValueError(f"υπάρχει ήδη μονάδα «{same.name}» / there is already a unit '{same.name}'")
        base_name, lat, lon = args.base_name, args.base_lat, args.base_lon
        if lat is None:
            match = find_in_register(session, args.base)
            if not match.found or match.settlement is None:
                raise ValueError(f"--base: {match.message_el} / {match.message_en}")
            lat, lon = match.settlement.lat, match.settlement.lon
            base_name = base_name or match.settlement.name_el
        unit = m.Unit(name=name, base_name=base_name or name, base_lat=lat, base_lon=lon,
                      capacity=args.capacity, weekly_hours=weekly_hours)  # fmt: skip
        session.add(unit)
        session.flush()
        print(
            f"μονάδα / unit {unit.id}: {unit.name}, βάση / base {unit.base_name} "
            f"({unit.base_lat:.5f}, {unit.base_lon:.5f}), θέσεις / seats {unit.capacity}, "
            f"{format_weekly_hours(unit.weekly_hours)}"
        )
    return EXIT_OK


def cmd_unit_hours(args: argparse.Namespace) -> int:
    """Set a unit's weekly hours (its driver's, e.g. part-time), or back to the default."""
    from planner.register.week import unit_named  # (holidays: not at start-up)

    if (args.hours is None) != args.default:
        raise ValueError(
            "δώστε είτε τις ώρες (π.χ. 20 ή 20,5) είτε --default / "
            "give either the hours (e.g. 20 or 20,5) or --default"
        )
    hours = None if args.default else parse_weekly_hours(args.hours, "")
    with _engine(args.db) as engine, session_scope(engine, actor=_actor(args)) as session:
        unit = unit_named(list(session.scalars(select(m.Unit).order_by(m.Unit.id))), args.unit)
        unit.weekly_hours = hours
        print(f"μονάδα / unit {unit.id}: {unit.name}, {format_weekly_hours(unit.weekly_hours)}")
    return EXIT_OK


def _unit_line(u: m.Unit) -> str:
    state = "ενεργή / active" if u.active else "ανενεργή / inactive"
    return (
        f"{u.id}\t{u.name}\t{u.base_name} ({u.base_lat:.5f}, {u.base_lon:.5f})\t{u.capacity}\t"
        f"{format_weekly_hours(u.weekly_hours)}\t{state}"
    )


def _staff_line(s: m.Staff) -> str:
    from planner.register.importer import ROLE_EL, format_weekdays

    return (
        f"st-{s.id}\t{s.external_id or '-'}\t{s.name}\t{ROLE_EL.get(s.role, s.role)}\t"
        f"{format_weekdays(s.weekdays or ())}\t{s.day_start:%H:%M}-{s.day_end:%H:%M}"
        f"{chr(9) + 'μερική απασχόληση / part-time' if s.part_time else ''}"
        f"{'' if s.active else chr(9) + 'ανενεργός / inactive'}"
    )


_LISTS: dict[str, tuple[type[m.Unit] | type[m.Staff], Callable[[Any], str], str]] = {
    "unit": (m.Unit, _unit_line, "καμία μονάδα / no units: kinito unit add ΟΝΟΜΑ --base ΟΙΚΙΣΜΟΣ"),
    "staff": (m.Staff, _staff_line, "κανένας υπάλληλος / no staff: kinito staff add ΟΝΟΜΑ --role ΕΙΔΙΚΟΤΗΤΑ"),
}


def cmd_list(args: argparse.Namespace) -> int:
    """List the register's units or staff (``args.listing``), one a line, tab-separated."""
    model, line, empty = _LISTS[args.listing]
    with _engine(args.db) as engine, session_scope(engine) as session:  # not ready: kinito says why
        rows = list(session.scalars(select(model).order_by(model.id)))
    print("\n".join(line(r) for r in rows) if rows else empty)
    return EXIT_OK


def _hours(text: str | None) -> tuple[time, time]:
    from planner.register.importer import parse_time_windows

    if not text:
        return time(8, 0), time(16, 0)
    windows = parse_time_windows(text)
    if len(windows) != 1:
        raise ValueError("--hours: ένα διάστημα, π.χ. 08:00-12:00 / one interval, e.g. 08:00-12:00")
    (start, end), *_ = windows
    return time.fromisoformat(start), time.fromisoformat(end)


def cmd_staff_add(args: argparse.Namespace) -> int:
    """Add an active staff member."""
    # the importer's readers, imported here: building kinito's parser should not load them
    from planner.register.importer import ROLE_EL, _parse_role, format_weekdays, parse_weekdays

    # a CellError is a ValueError saying "el / en": kinito prints it, exit 2
    role = "driver" if normalise(args.role) in (normalise("οδηγός"), "driver") else _parse_role(args.role)
    weekdays = parse_weekdays(args.weekdays) if args.weekdays else [1, 2, 3, 4, 5]
    day_start, day_end = _hours(args.hours)
    name = args.name.strip()
    if not name:
        raise ValueError("κενό όνομα / an empty name")
    with _engine(args.db) as engine, session_scope(engine, actor=_actor(args)) as session:
        if args.id and session.scalar(select(m.Staff.id).where(m.Staff.external_id == args.id)) is not None:
            raise ValueError(f"υπάρχει ήδη υπάλληλος με κωδικό «{args.id}» / staff ID '{args.id}' exists")
        same = [s for s in session.scalars(select(m.Staff)) if normalise(s.name) == normalise(name)]
        if same and not args.id:  # the same person added twice, as a unit's name is refused
            raise ValueError(
                f"υπάρχει ήδη υπάλληλος «{same[0].name}» (st-{same[0].id}): για δεύτερο με το ίδιο όνομα "
                f"δώστε --id / there is already staff member '{same[0].name}' (st-{same[0].id}): for a "
                "second one of the same name give --id"
            )
        staff = m.Staff(external_id=args.id or None, name=name, role=role, part_time=args.part_time,
                        weekdays=weekdays, day_start=day_start, day_end=day_end)  # fmt: skip
        session.add(staff)
        session.flush()
        print(
            f"υπάλληλος / staff st-{staff.id}: {staff.name}, {ROLE_EL[role]} / {role}, "
            f"{format_weekdays(weekdays)} {day_start:%H:%M}-{day_end:%H:%M}"
        )
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``unit`` and ``staff`` on the ``kinito`` parser."""
    unit = sub.add_parser(
        "unit",
        help="οι κινητές μονάδες του μητρώου: add (προσθήκη), hours (ώρες), list (κατάλογος) / "
        "the register's mobile units: add, hours, list",
    )
    unit_sub = unit.add_subparsers(dest="unit_command", required=True)
    add = unit_sub.add_parser(
        "add",
        help="προσθήκη κινητής μονάδας (ενός βαν) με τη βάση της / add a mobile unit (a van) with its base",
    )
    add.add_argument(
        "name", help="το όνομα της μονάδας, π.χ. «Κινητή μονάδα» / the unit's name, e.g. 'Κινητή μονάδα'"
    )
    add.add_argument(
        "--base",
        default=None,
        metavar="SETTLEMENT",
        help="η βάση: το σημείο ενός οικισμού / the base: a settlement's point",
    )
    add.add_argument(
        "--base-lat",
        type=float,
        default=None,
        help="το γεωγραφικό πλάτος της βάσης (μαζί με --base-lon) / the base's latitude (with --base-lon)",
    )
    add.add_argument(
        "--base-lon",
        type=float,
        default=None,
        help="το γεωγραφικό μήκος της βάσης / the base's longitude",
    )
    add.add_argument(
        "--base-name",
        default=None,
        help="η ονομασία της βάσης (προεπιλογή: ο οικισμός) / the base's label (default: the settlement)",
    )
    add.add_argument(
        "--capacity",
        type=int,
        default=2,
        help="θέσεις για το προσωπικό εκτός από τον οδηγό (προεπιλογή 2) / "
        "seats for staff besides the driver (default 2)",
    )
    add.add_argument(
        "--weekly-hours",
        default=None,
        metavar="H",
        help="οι ώρες εργασίας του οδηγού την εβδομάδα, π.χ. 20 ή 20,5 για μερική απασχόληση "
        "(προεπιλογή 40) / "
        "the driver's working hours a week, e.g. 20 or 20,5 for a part-timer (default 40)",
    )
    add.add_argument(
        "--by",
        default=None,
        help="ποιος την προσθέτει (αρχείο ελέγχου· προεπιλογή: το όνομα σύνδεσης) / "
        "who adds it (audit log; default: login name)",
    )
    add.add_argument("--db", default=None, metavar="PATH", help=DB_HELP)
    add.set_defaults(func=cmd_unit_add)
    hrs = unit_sub.add_parser(
        "hours",
        help="ορισμός των ωρών μιας μονάδας την εβδομάδα (του οδηγού της) ή --default / "
        "set a unit's weekly hours (its driver's), or --default",
    )
    hrs.add_argument(
        "unit",
        help="η μονάδα: ο κωδικός της, το όνομά της ή η αρχή του / "
        "the unit: its id, its name or the start of it",
    )
    hrs.add_argument(
        "hours",
        nargs="?",
        default=None,
        metavar="H",
        help="ώρες την εβδομάδα, π.χ. 20 ή 20,5 / hours a week, e.g. 20 or 20,5",
    )
    hrs.add_argument(
        "--default",
        action="store_true",
        help="επιστροφή στην προεπιλογή, 40 ώρες την εβδομάδα / back to the default, 40 hours a week",
    )
    hrs.add_argument(
        "--by",
        default=None,
        help="ποιος κάνει την αλλαγή (αρχείο ελέγχου· προεπιλογή: το όνομα σύνδεσης) / "
        "who changes it (audit log; default: login name)",
    )
    hrs.add_argument("--db", default=None, metavar="PATH", help=DB_HELP)
    hrs.set_defaults(func=cmd_unit_hours)
    ls = unit_sub.add_parser("list", help="κατάλογος των μονάδων / list the units")
    ls.add_argument("--db", default=None, metavar="PATH", help=DB_HELP)
    ls.set_defaults(func=cmd_list, listing="unit")
    staff = sub.add_parser(
        "staff",
        help="το προσωπικό του μητρώου: add (προσθήκη), list (κατάλογος) / the register's staff: add, list",
    )
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    sadd = staff_sub.add_parser("add", help="προσθήκη μέλους του προσωπικού / add a staff member")
    sadd.add_argument(
        "name",
        help="το ονοματεπώνυμο, π.χ. «Μαρία Παπαδοπούλου» / the full name, e.g. 'Μαρία Παπαδοπούλου'",
    )
    sadd.add_argument(
        "--role",
        required=True,
        help="ειδικότητα: κοινωνικός λειτουργός, ψυχολόγος ή οδηγός / "
        "role: social worker, psychologist or driver",
    )
    sadd.add_argument(
        "--id",
        default=None,
        help="ο κωδικός υπαλλήλου της υπηρεσίας (τα αρχεία εισαγωγής μπορούν να αναφέρουν "
        "το προσωπικό με αυτόν) / "
        "the office's ID (import files may name staff by it)",
    )
    sadd.add_argument(
        "--weekdays",
        default=None,
        help="ημέρες εργασίας, π.χ. «Δευ-Παρ» (προεπιλογή Δευ-Παρ) / "
        "working days, e.g. 'Δευ-Παρ' (default Mon-Fri)",
    )
    sadd.add_argument(
        "--hours",
        default=None,
        help="ωράριο εργασίας, π.χ. 08:00-12:00 (προεπιλογή 08:00-16:00) / "
        "working hours, e.g. 08:00-12:00 (default 08:00-16:00)",
    )
    sadd.add_argument(
        "--part-time",
        action="store_true",
        help="μερική απασχόληση (μετακινείται μόνο μέσα στο ωράριό του) / "
        "part-time (rides only within its hours)",
    )
    sadd.add_argument(
        "--by",
        default=None,
        help="ποιος κάνει την προσθήκη (αρχείο ελέγχου· προεπιλογή: το όνομα σύνδεσης) / "
        "who adds it (audit log; default: login name)",
    )
    sadd.add_argument("--db", default=None, metavar="PATH", help=DB_HELP)
    sadd.set_defaults(func=cmd_staff_add)
    sls = staff_sub.add_parser("list", help="κατάλογος του προσωπικού / list the staff")
    sls.add_argument("--db", default=None, metavar="PATH", help=DB_HELP)
    sls.set_defaults(func=cmd_list, listing="staff")
