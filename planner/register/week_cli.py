"""``kinito week``, ``kinito publish`` and ``kinito outcome``: the register's weekly cycle.

kinito week 2026-W50 [--units Βαν ...] [--time-limit 8] [--publish] [-o plan.json] [--map plan.html]
kinito publish 2026-W50 [--version 2]
kinito outcome cp-12 done --date 2026-12-08 [--time 14:00] [--note "..."] [--by maria]
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from planner.config import seed_arg
from planner.mapworker import MapWriter
from planner.register import models as m
from planner.register.db import cannot_open, database_url, make_engine, missing_file, session_scope
from planner.register.migrate import current_revision, head_revision

__all__ = ["add_commands"]

EXIT_OK, EXIT_INPUT = 0, 2
DB_HELP = (
    "αρχείο ή URL της βάσης δεδομένων (προεπιλογή: $KINITO_DATABASE_URL, $DATABASE_URL, "
    "αλλιώς instance/kinito.sqlite3) / "
    "database file or URL (default: $KINITO_DATABASE_URL, $DATABASE_URL, else instance/kinito.sqlite3)"
)


def _err(message: str) -> None:
    print(f"kinito: {message}", file=sys.stderr)


class _NotReady(ValueError):
    pass


@contextmanager
def _engine(db: str | None) -> Iterator[Engine]:
    """An engine on an existing, migrated register; a clear error otherwise."""
    url = database_url(db)
    if missing_file(url) is not None:
        raise _NotReady(
            f"δεν υπάρχει βάση στο {url.database}: τρέξτε πρώτα `kinito init --demo` ή `kinito init` / "
            f"no database at {url.database}: run `kinito init --demo` or `kinito init` first"
        )
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string()
    try:
        engine = make_engine(url)
    except ImportError as exc:  # e.g. PostgreSQL's driver not installed
        raise _NotReady(
            f"δεν ανοίγει η βάση {where}: λείπει ο οδηγός της ({exc}) / "
            f"cannot open the database {where}: its driver is not installed ({exc})"
        ) from exc
    try:
        try:
            revision = current_revision(engine)
        except SQLAlchemyError as exc:  # not a database, a server that does not answer...
            raise _NotReady(cannot_open(str(where), exc)) from exc
        if revision != head_revision():
            raise _NotReady(
                "η βάση δεν είναι ενημερωμένη: τρέξτε `kinito init` / "
                "the database is not up to date: run `kinito init`"
            )
        yield engine
    finally:
        engine.dispose()


def _actor(args: argparse.Namespace) -> str:
    return str(getattr(args, "by", None) or getpass.getuser())


def parse_day(text: str) -> date:
    """``2026-12-08`` or ``08/12/2026``."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(
        f"{text!r} δεν είναι ημερομηνία (ΗΗ/ΜΜ/ΕΕΕΕ ή ΕΕΕΕ-ΜΜ-ΗΗ) / is not a date (dd/mm/yyyy or yyyy-mm-dd)"
    )


def parse_clock(text: str) -> time:
    """``14:00`` (or ``9:05``): a time of day."""
    try:
        return datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        raise ValueError(
            f"{text!r} δεν είναι ώρα (ΩΩ:ΛΛ, π.χ. 14:00) / is not a time of day (HH:MM, e.g. 14:00)"
        ) from None


def resolve_week(text: str, today: date | None = None) -> str:
    """``2026-W50`` as given; ``this``/``αυτή`` and ``next``/``επόμενη`` from today's date."""
    word = text.strip().casefold()
    offset = {"this": 0, "αυτή": 0, "αυτη": 0, "next": 7, "επόμενη": 7, "επομενη": 7}.get(word)
    if offset is None:
        from planner.schema import typed_iso_week

        return typed_iso_week(text.strip())  # 2026w50, as the management form takes it
    from planner.register.calendar import today as calendar_today  # (holidays: not at start-up)

    year, week, _ = ((today or calendar_today()) + timedelta(days=offset)).isocalendar()
    return f"{year}-W{week:02d}"


def cmd_week(args: argparse.Namespace) -> int:
    """Build the week from the register, solve it, store a new version, print the plan."""
    from planner.cli import check_writable

    url = database_url(args.db)
    register = Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None
    # before a version is stored (and published)
    check_writable(
        args.output,
        args.map,
        source=register,
        source_name=("του μητρώου", "register"),
        inputs={"--config": getattr(args, "config", None)},
    )
    with MapWriter(args.map) as maps:  # gets ready to draw the map while the week is planned
        return _week(args, maps)


def _no_such_week(iso_week: str) -> str | None:
    """What to say of a week number its year does not have (2027-W53: 2027 has 52 weeks), the
    reader's own message; None for any other week, good or malformed (said elsewhere)."""
    from planner.schema import SchemaError, iso_week_dates

    try:
        iso_week_dates(iso_week)
    except SchemaError as exc:
        if "δεν υπάρχει" in str(exc):
            return str(exc)
    return None


def _week_over(iso_week: str) -> str | None:
    """Why ``iso_week`` cannot be planned because it has ended (a mistyped year stored an empty
    draft, and publishing it said «published»), as the planning desk refuses it; None else
    (a week that is not one is the week builder's to refuse)."""
    from planner.register.calendar import today as calendar_today
    from planner.schema import SchemaError, iso_week_dates

    try:
        friday = iso_week_dates(iso_week)[-1]  # the dates run Monday to Friday
    except SchemaError:
        return None
    today = calendar_today()
    if friday >= today:
        return None
    # over once its working days are: on a Saturday, this ISO week too (planned then, every
    # visit was «not planned again» and blamed on a closure); then next week is the one to plan
    end = f"{friday:%d/%m/%Y}"
    if today.weekday() >= 5:
        later = resolve_week("next", today)
        return (
            f"οι εργάσιμες ημέρες της εβδομάδας {iso_week} έχουν περάσει (έως Παρασκευή {end}): δεν "
            f"προγραμματίζεται πια· προγραμματίστε την επόμενη ({later}) ή μεταγενέστερη / the working "
            f"days of week {iso_week} are over (to Friday {end}): it cannot be planned any more; plan "
            f"next week ({later}) or a later one"
        )
    this = resolve_week("this", today)
    return (
        f"η εβδομάδα {iso_week} έχει τελειώσει (έως {end}): μια περασμένη εβδομάδα δεν προγραμματίζεται· "
        f"προγραμματίστε αυτή ({this}: από σήμερα) ή επόμενη / week {iso_week} is over (to {end}): a past "
        f"week cannot be planned; plan this one ({this}: from today on) or a later one"
    )


def _week(args: argparse.Namespace, maps: MapWriter) -> int:
    """:func:`cmd_week`, the map drawn through ``maps``."""
    from planner.cli import _progress_printer, write_outputs
    from planner.config import solver_settings
    from planner.register.week import (
        DEFAULT_TIME_LIMIT,
        WeekError,
        plan_week,
        publish,
        unserved_stops_warning,
    )
    from planner.render import format_plan_table
    from planner.roads.cli import configured_travel, roads_after_plan

    # the [solver] table of --config too (it was read for [roads] only, and [solver] ignored)
    settings = solver_settings(args.config) if args.config else {}
    time_limit = args.time_limit
    if time_limit is None:
        time_limit = settings.get("time_limit", DEFAULT_TIME_LIMIT)
    args.week = resolve_week(args.week)
    missing = _no_such_week(args.week)
    if missing is not None:
        _err(missing)
        return EXIT_INPUT
    over = _week_over(args.week)
    if over is not None:
        _err(over)
        return EXIT_INPUT
    try:
        travel, sentence = configured_travel(args.roads, args.config)
        print(sentence, file=sys.stderr)
        with _engine(args.db) as engine:
            show, done = _progress_printer(time_limit)
            print(
                f"εβδομάδα / week {args.week}: κατάρτιση από το μητρώο / building from the register",
                file=sys.stderr,
            )
            result = plan_week(
                engine,
                args.week,
                units=args.units,
                time_limit=time_limit,
                seed=args.seed,
                workers=args.workers,
                actor=_actor(args),
                on_progress=show,
                travel=travel,
                settings=settings,
            )
            done()
            drift = _why_changed(engine, result.summary.get("based_on_published_id"))
            unrecorded = _unrecorded(engine, args.week)
            status = "πρόχειρη / draft"  # (η έκδοση: feminine, as the web says it)
            if args.publish:
                publish(engine, result.plan_version_id, actor=_actor(args))
                status = "δημοσιευμένη / published"
    except (WeekError, _NotReady) as exc:
        _err(str(exc))
        return EXIT_INPUT
    problem, plan, summary = result.problem, result.plan, result.summary
    for day, why in result.removed_dates:
        print(f"κλειστά / closed: {day.isoformat()} ({why})")
    if result.frozen_dates:
        days = ", ".join(d.isoformat() for d in result.frozen_dates)
        print(
            f"δεν ξανασχεδιάζονται (παρελθόν, σημερινές διαδρομές ως δημοσιεύτηκαν) / "
            f"not planned again (past, today's routes as published): {days}"
        )
    carried = summary.get("carried_over", [])
    print(
        f"οφειλόμενες επισκέψεις / visits due: {summary['visits_wanted']} "
        f"({len(problem.visits)} άτομα και στάσεις / people and stops; "
        f"{len(carried)} μεταφέρθηκαν από την προηγούμενη εβδομάδα / carried over from last week)"
    )
    for line in unrecorded:
        print(line)
    print(format_plan_table(plan, problem))
    # apart from the unassigned visits' list, where a village's stop is one line among many:
    # a village told "Tuesdays at the square" goes without the unit
    for line in unserved_stops_warning(plan, problem):
        print(line)
    if summary.get("based_on_published") is not None:
        changes = result.changes
        print(
            f"αλλαγές σε σχέση με τη δημοσιευμένη έκδοση {summary['based_on_published']} / "
            f"changes against published version {summary['based_on_published']}: {len(changes)}"
        )
        if drift:
            print(
                "  το ημερολόγιο άλλαξε από τη δημοσιευμένη έκδοση / the calendar has changed since "
                "the published version:"
            )
            for line in drift:
                print(f"  * {line}")
        for line in changes:
            print(f"  - {line}")
    print(f"αποθηκεύτηκε ως έκδοση / stored as version {result.version} ({status})")
    shapes = None
    if travel is not None:  # warnings about pairs with no road; the road shapes for the map
        shapes = roads_after_plan(plan, replace(problem, travel=travel), want_shapes=bool(args.map))
    write_outputs(plan, problem, args.output, maps, shapes)
    return EXIT_OK


def _why_changed(engine: Engine, published_id: int | None) -> list[str]:
    """What of the published version's routes from today the calendar no longer allows (an
    absence, a unit out of service, a closure): why a re-plan changes them, said above its list
    of changes (19 changes after one absence, and no word of it). A line each, both languages."""
    import json

    from planner.register.calendar import today as calendar_today
    from planner.register.week import calendar_drift
    from planner.render import day_label
    from planner.schema import plan_from_dict, problem_from_dict

    if published_id is None:
        return []
    with session_scope(engine) as session:
        row = session.get(m.PlanVersion, published_id)
        if row is None or not row.problem_json:
            return []
        problem = problem_from_dict(json.loads(row.problem_json))
        plan = plan_from_dict(json.loads(row.plan_json))
        units = {u.id: u.name for u in problem.units}
        return [
            f"{day_label(d.day)}, {units.get(d.unit_id, d.unit_id)}: {d.why_el} / {d.why_en}"
            for d in calendar_drift(session, problem, plan, calendar_today())
        ]


def _unrecorded(engine: Engine, iso_week: str, shown: int = 20) -> list[str]:
    """The warning about the stops of the week before ``iso_week`` (and of its own days gone by)
    that were published and have no outcome, up to yesterday: the week builder takes them as
    not done and plans them again, so a visit done but not yet recorded (the tablet offline) is
    sent to again. Empty when every stop has one."""
    from planner.register.calendar import today as calendar_today
    from planner.register.outcomes import unrecorded_stops
    from planner.register.week import _previous_week

    today = calendar_today()
    lines: list[str] = []
    with session_scope(engine) as session:
        for week in (_previous_week(iso_week), iso_week):
            missing = unrecorded_stops(session, week, today)
            if not missing:
                continue
            n = len(missing)
            stops = "στάση" if n == 1 else "στάσεις"
            stops_en = "stop" if n == 1 else "stops"
            lines.append(
                f"προσοχή: {n} {stops} της {week} χωρίς έκβαση: ό,τι δεν έχει καταγραφεί λογίζεται "
                f"ως μη γενόμενο και προγραμματίζεται ξανά· καταγράψτε τις εκβάσεις (σελίδα «Εκβάσεις» "
                f"ή `kinito outcome`) και σχεδιάστε ξανά / warning: {n} {stops_en} of {week} with no "
                f"outcome: a stop with none counts as not done and is planned again; record the "
                f"outcomes (the outcomes page or `kinito outcome`) and plan again"
            )
            lines += [f"  - {day:%d/%m/%Y} {visit}" for day, visit in missing[:shown]]
            if n > shown:
                lines.append(f"  … και {n - shown} ακόμη / and {n - shown} more")
    return lines


def _describe_sets(session: Any, rows: Sequence[m.PlanVersion]) -> str:
    """Each set of units of ``rows`` by its units' names, with its versions: «Κινητή μονάδα,
    Δημοτικό αυτοκίνητο: 1, 2; Κινητή μονάδα, Βαν Ζ: 1»."""
    by_set: dict[str, list[int]] = {}
    for r in rows:
        by_set.setdefault(r.unit_set, []).append(r.version)
    parts = []
    for unit_set, versions in by_set.items():
        names = [
            (u.name if (u := session.get(m.Unit, uid)) else str(uid)) for uid in sorted(m.unit_ids(unit_set))
        ]
        parts.append(f"{', '.join(names)}: {', '.join(str(v) for v in sorted(versions))}")
    return "; ".join(parts)


def cmd_publish(args: argparse.Namespace) -> int:
    """Publish a stored version of a week (default: the newest)."""
    from planner.register.week import WeekError, _select_units, _unit_set, publish
    from planner.schema import SchemaError, iso_week_dates

    args.week = resolve_week(args.week)
    missing = _no_such_week(args.week)
    if missing is not None:
        _err(missing)
        return EXIT_INPUT
    try:
        iso_week_dates(args.week)
    except SchemaError:
        _err(
            f"«{args.week}» δεν είναι εβδομάδα ISO (π.χ. 2026-W50, this, next) / "
            f"'{args.week}' is not an ISO week (e.g. 2026-W50, this, next)"
        )
        return EXIT_INPUT
    try:
        with _engine(args.db) as engine:
            with session_scope(engine) as session:
                query = select(m.PlanVersion).where(m.PlanVersion.iso_week == args.week)
                every = list(session.scalars(query.order_by(m.PlanVersion.version.desc())))
            rows = [r for r in every if args.version is None or r.version == args.version]
            if args.units:  # the versions of those units (version numbers count per set of units)
                with session_scope(engine) as session:
                    chosen = _unit_set([u.id for u in _select_units(session, args.units)])
                rows = [r for r in rows if r.unit_set == chosen]
                every = [r for r in every if r.unit_set == chosen]
            if every and not rows:
                numbers = sorted({r.version for r in every})
                known = ", ".join(str(n) for n in numbers)
                there = (
                    f"υπάρχει μόνο η έκδοση {known} / week {args.week} has no version {args.version}: "
                    f"there is only version {known}"
                    if len(numbers) == 1
                    else f"υπάρχουν οι εκδόσεις {known} / week {args.week} has no version "
                    f"{args.version}: the versions are {known}"
                )
                raise WeekError(f"η εβδομάδα {args.week} δεν έχει έκδοση {args.version}: {there}")
            if not rows:
                raise WeekError(
                    f"δεν υπάρχει πλάνο για την εβδομάδα {args.week}: τρέξτε `kinito week {args.week}` / "
                    f"no plan for week {args.week}: run `kinito week {args.week}`"
                )
            sets = {r.unit_set for r in rows}
            if len(sets) > 1:  # a version number of one set of units may be another's too
                with session_scope(engine) as session:
                    which = _describe_sets(session, rows)
                raise WeekError(
                    f"η εβδομάδα έχει σχέδια για διαφορετικές μονάδες ({which}): δώστε --units / "
                    f"the week has plans for different sets of units ({which}): give --units"
                )
            with session_scope(engine) as session:
                published_rows = list(
                    session.scalars(
                        select(m.PlanVersion).where(
                            m.PlanVersion.iso_week == args.week, m.PlanVersion.status == "published"
                        )
                    )
                )
                was_published = {v.id: v.version for v in published_rows}
                # a version number of one set of units may be another's too: then each is named
                all_rows = list(
                    session.scalars(select(m.PlanVersion).where(m.PlanVersion.iso_week == args.week))
                )
                several = len({v.unit_set for v in all_rows}) > 1
                label = {
                    v.id: f"{v.version} ({_describe_sets(session, [v]).rsplit(': ', 1)[0]})"
                    if several
                    else str(v.version)
                    for v in all_rows
                }
            row = publish(engine, rows[0].id, actor=_actor(args))
            with session_scope(engine) as session:
                withdrawn = sorted(
                    (version, label[pv_id])
                    for pv_id, version in was_published.items()
                    if (v := session.get(m.PlanVersion, pv_id)) is not None and v.status != "published"
                )
    except (WeekError, _NotReady) as exc:
        _err(str(exc))
        return EXIT_INPUT
    if row.id in was_published:
        print(f"ήδη δημοσιευμένη / already published: {row.iso_week} έκδοση / version {label[row.id]}")
    else:
        print(f"δημοσιεύτηκε / published: {row.iso_week} έκδοση / version {label[row.id]}")
    for _version, text in withdrawn:
        print(
            f"η έκδοση {text} δεν είναι πλέον δημοσιευμένη (πρόχειρη) / "
            f"version {text} is no longer published (draft)"
        )
    return EXIT_OK


def cmd_outcome(args: argparse.Namespace) -> int:
    """Record what happened at one visit."""
    from planner.register import outcomes
    from planner.register.calendar import ATHENS
    from planner.register.calendar import today as calendar_today
    from planner.register.outcomes import STATUS_NAMES, published_stop, record_outcome, version_staff
    from planner.register.week import WeekError

    try:
        on = parse_day(args.date) if args.date else calendar_today()
        at = None
        if getattr(args, "time", None):
            at = datetime.combine(on, parse_clock(args.time), tzinfo=ATHENS)
            # the time of day against the clock's (KINITO_TODAY moves the day, not the hour)
            now = outcomes._now().astimezone(ATHENS)
            if on > calendar_today() or (on == calendar_today() and at.time() > now.time()):
                raise WeekError(
                    f"η ώρα {at:%H:%M} της {on:%d/%m/%Y} δεν έχει έρθει ακόμη: καταγράφεται ό,τι έγινε / "
                    f"{at:%H:%M} on {on:%d/%m/%Y} has not come yet: only what happened is recorded"
                )
        with _engine(args.db) as engine, session_scope(engine, actor=_actor(args)) as session:
            # stored against the published route of that day and who served it there, as the
            # tablet's are (management counts a staff member's visits by them)
            version, staff = published_stop(session, args.visit, on)
            if args.plan_version is not None and args.plan_version != version:
                # the named version's route of that day says who served it (else management's
                # staff load missed the visit)
                version = args.plan_version
                staff = version_staff(session, version, args.visit, on)
            recorded = record_outcome(
                session,
                args.visit,
                args.status,
                on=on,
                recorded_by=_actor(args),
                at=at,
                note=args.note,
                plan_version_id=version,
                staff_id=staff,
                client_ref=args.ref,
                today=calendar_today(),
            )
    except (WeekError, _NotReady, ValueError) as exc:
        _err(str(exc))
        return EXIT_INPUT
    if recorded.created:
        what = "καταγράφηκε / recorded"
    elif recorded.note_added:  # the same outcome again, with a new note: the note is kept
        what = "υπήρχε ήδη, η σημείωση προστέθηκε / already recorded, note added"
    else:
        what = "υπήρχε ήδη, δεν γράφτηκε ξανά / already recorded, not stored again"
    status = recorded.status or args.status
    print(f"{what}: {args.visit} {on.isoformat()} {STATUS_NAMES.get(status, status)} / {status}")
    if recorded.moved_after is not None:
        was, when = recorded.moved_after
        clock = f"{when.astimezone(ATHENS):%H:%M}"
        print(
            f"καταχωρίστηκε μετά την έκβαση «{STATUS_NAMES.get(was, was)}» των {clock} της ίδιας ημέρας: "
            f"μετράει αυτή, όχι εκείνη (δώστε --time για άλλη ώρα) / stored after the {was} recorded "
            f"at {clock} that day: this one counts, not that one (give --time for another time)"
        )
    counted = recorded.counted
    if counted and counted != status and recorded.counted_at is not None:
        # a later outcome of that day (the tablet's, at a time after --time) outvotes this one:
        # said, not hidden behind «recorded»
        clock = f"{_local(recorded.counted_at):%H:%M}"
        print(
            f"προσοχή: μετράει η μεταγενέστερη έκβαση «{STATUS_NAMES.get(counted, counted)}» των "
            f"{clock}, όχι αυτή· για να μετρήσει, καταγράψτε την με --time μετά τις {clock} ή "
            f"διορθώστε την άλλη στη σελίδα των εκβάσεων / warning: the later outcome {counted} "
            f"at {clock} counts, not this one; to make this one count, record it with --time "
            f"after {clock} or correct the other on the outcomes page"
        )
    return EXIT_OK


def _local(moment: datetime) -> datetime:
    """A stored instant (naive from SQLite: UTC) in Athens."""
    from datetime import UTC

    from planner.register.calendar import ATHENS

    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(ATHENS)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``week``, ``publish`` and ``outcome`` on the ``kinito`` parser."""
    w = sub.add_parser(
        "week",
        help="σχεδιασμός μιας εβδομάδας ISO από το μητρώο και αποθήκευση ως νέας έκδοσης / "
        "plan an ISO week from the register and store it as a new version",
    )
    w.add_argument(
        "week",
        help="εβδομάδα ISO, π.χ. 2026-W50, ή «αυτή» ή «επόμενη» / "
        "ISO week, e.g. 2026-W50, or 'this' / 'next' (αυτή / επόμενη)",
    )
    w.add_argument("--db", default=None, metavar="PATH", help=DB_HELP)
    w.add_argument(
        "--units",
        nargs="+",
        default=None,
        metavar="NAME",
        help="μονάδες, με το όνομά τους (προεπιλογή: όλες οι ενεργές) / units by name (default: all active)",
    )
    w.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="δευτερόλεπτα αναζήτησης (προεπιλογή 8) / seconds of search (default 8)",
    )
    w.add_argument(
        "--seed",
        type=seed_arg,
        default=None,
        help="σπόρος τυχαίων αριθμών (προεπιλογή 1) / random seed (default 1)",
    )
    w.add_argument(
        "--workers",
        type=int,
        default=None,
        help="παράλληλες αναζητήσεις (προεπιλογή: 2 πυρήνες) / parallel searches (default: 2 cores)",
    )
    w.add_argument(
        "--publish",
        action="store_true",
        help="άμεση δημοσίευση της νέας έκδοσης / publish the new version at once",
    )
    w.add_argument(
        "-o",
        "--output",
        type=Path,
        help="εγγραφή και του πλάνου (JSON) εδώ / also write the plan JSON here",
    )
    w.add_argument(
        "--map",
        type=Path,
        help="εγγραφή και του χάρτη (αυτοτελές HTML) εδώ / also write the map (self-contained HTML) here",
    )
    w.add_argument(
        "--by",
        default=None,
        help="ποιος σχεδιάζει (για το αρχείο ελέγχου· προεπιλογή: το όνομα σύνδεσης) / "
        "who is planning (for the audit log; default: login name)",
    )
    w.add_argument(
        "--roads",
        default=None,
        metavar="EXTRACT|URL|off",
        help="χρόνοι διαδρομής στους δρόμους του OSM (απόσπασμα .osm.pbf ή διακομιστής OSRM· "
        "προεπιλογή $KINITO_ROADS, αλλιώς η ενσωματωμένη εκτίμηση) / "
        "travel times on OSM roads (an .osm.pbf extract or an OSRM server; default $KINITO_ROADS, "
        "else the embedded estimate)",
    )
    w.add_argument(
        "--config",
        type=Path,
        default=None,
        help="ρυθμίσεις σε TOML (πίνακες [solver] και [roads], όπως στο kinito plan) / "
        "settings TOML ([solver] and [roads] tables, as for kinito plan)",
    )
    w.set_defaults(func=cmd_week)
    p = sub.add_parser(
        "publish",
        help="δημοσίευση μιας αποθηκευμένης έκδοσης του πλάνου μιας εβδομάδας / "
        "publish a stored plan version of a week",
    )
    p.add_argument(
        "week",
        help="εβδομάδα ISO, π.χ. 2026-W50, ή «αυτή» ή «επόμενη» / "
        "ISO week, e.g. 2026-W50, or 'this' / 'next'",
    )
    p.add_argument(
        "--version",
        type=int,
        default=None,
        help="αριθμός έκδοσης (προεπιλογή: η νεότερη) / version number (default: the newest)",
    )
    p.add_argument(
        "--units",
        nargs="+",
        default=None,
        metavar="NAME",
        help="οι μονάδες του σχεδίου, όταν η εβδομάδα έχει σχέδια για διαφορετικές / the plan's units, "
        "when the week has plans for different sets of units",
    )
    p.add_argument("--db", default=None, metavar="PATH", help=DB_HELP)
    p.add_argument(
        "--by",
        default=None,
        help="ποιος δημοσιεύει (προεπιλογή: το όνομα σύνδεσης) / who is publishing (default: login name)",
    )
    p.set_defaults(func=cmd_publish)
    o = sub.add_parser(
        "outcome",
        help="καταγραφή της έκβασης μιας επίσκεψης (done: έγινε, not_at_home: δεν βρέθηκε στο σπίτι, "
        "cancelled: ακυρώθηκε, postponed: αναβλήθηκε) / "
        "record a visit's outcome (done, not_at_home, cancelled, postponed)",
    )
    o.add_argument(
        "visit",
        help="ο κωδικός της επίσκεψης στο πλάνο, π.χ. cp-12, vs-3 ή urgent-b35 (επείγουσα επίσκεψη "
        "στον ωφελούμενο 35) / the visit's id in the plan, e.g. cp-12, vs-3 or urgent-b35 (an urgent "
        "visit to beneficiary 35)",
    )
    o.add_argument(
        "status",
        choices=m.OUTCOME_STATUSES,
        help="η έκβαση: done (έγινε), not_at_home (δεν βρέθηκε στο σπίτι), cancelled (ακυρώθηκε) "
        "ή postponed (αναβλήθηκε) / the outcome: done, not_at_home, cancelled or postponed",
    )
    o.add_argument(
        "--date",
        default=None,
        help="ημερομηνία της επίσκεψης (ΗΗ/ΜΜ/ΕΕΕΕ ή ΕΕΕΕ-ΜΜ-ΗΗ· προεπιλογή: σήμερα) / "
        "date of the visit (dd/mm/yyyy or yyyy-mm-dd; default today)",
    )
    o.add_argument(
        "--time",
        default=None,
        metavar="ΩΩ:ΛΛ",
        help="η ώρα της επίσκεψης (ΩΩ:ΛΛ, ώρα Ελλάδας· προεπιλογή: η ώρα της καταγραφής, ή 12:00 για "
        "προηγούμενη ημέρα, και πάντως μετά από ό,τι έχει ήδη καταγραφεί εκείνη την ημέρα) / the time "
        "of the visit (HH:MM, Greek time; default: the time it is recorded, or 12:00 for an earlier "
        "day, and in any case after what is already recorded that day)",
    )
    o.add_argument(
        "--note",
        default=None,
        help="σημείωση για την επίσκεψη, π.χ. γιατί δεν έγινε / "
        "a note on the visit, e.g. why it did not happen",
    )
    o.add_argument(
        "--by",
        default=None,
        help="ποιος την καταγράφει (προεπιλογή: το όνομα σύνδεσης) / who records it (default: login name)",
    )
    o.add_argument(
        "--plan-version",
        type=int,
        default=None,
        help="ο κωδικός (id) της έκδοσης του πλάνου, αν είναι γνωστός / the plan version's id, if known",
    )
    o.add_argument(
        "--ref",
        default=None,
        help="μοναδικό αναγνωριστικό: αν καταγραφεί δύο φορές, αποθηκεύεται μία / "
        "a unique reference: recording it twice stores it once",
    )
    o.add_argument("--db", default=None, metavar="PATH", help=DB_HELP)
    o.set_defaults(func=cmd_outcome)
