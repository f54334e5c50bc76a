"""The ``kinito`` command: plan a week, validate a plan.

    kinito plan problem.json -o plan.json --map plan.html [--time-limit 8] [--seed 1] [--workers 2]
    kinito validate problem.json plan.json
    kinito init [--db PATH] [--demo [--reference-date YYYY-MM-DD] [--seed N]]

Exit codes: 0 fine; 1 the plan breaks rules (validate); 2 bad input (named field);
3 internal error (a plan from the engine failed the validator: a bug, reported as such).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from planner import __version__, explain
from planner.config import seed_arg, solver_settings
from planner.mapworker import MapWriter
from planner.model import Plan, Problem
from planner.schema import SchemaError, load_plan, load_problem, plan_to_dict, save_json
from planner.solver import Progress, SolveParams, solve
from planner.travel import haversine_km, travel_model_of
from planner.validate import stated_warnings, validate

if TYPE_CHECKING:
    from planner.mapview import Shapes

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3
# The search budget of `kinito plan`: Python start-up, reading the problem, explaining the
# unassigned visits and writing the files take the rest of a 10-second wall-clock answer.
DEFAULT_TIME_LIMIT = 8.0
# Modules with an ``add_commands(subparsers)`` function: the register's week cycle, geocoding,
# import/export, roads, the web application.
CORE_COMMANDS = frozenset({"plan", "validate", "init"})
PLUGIN_COMMANDS: tuple[str, ...] = (
    "planner.register.week_cli",
    "planner.register.fleet_cli",
    "planner.register.geocode_cli",
    "planner.register.io_cli",
    "planner.register.backup_cli",
    "planner.roads.cli",
    "webui.cli",
)


def _err(message: str) -> None:
    print(f"kinito: {message}", file=sys.stderr)


COMPILING = (
    "η αναζήτηση μεταγλωττίζεται μία φορά μετά την εγκατάσταση ή την ενημέρωση (περίπου 4 λεπτά· ο "
    "χρόνος της επίλυσης μετρά μετά) / the search is compiled once after installing or updating "
    "(about 4 minutes; the time limit starts after)"
)


def explaining_words(n: int) -> str:
    """The progress line's stage after the search: the unassigned visits being explained."""
    if n == 1:
        return "εξήγηση 1 επίσκεψης χωρίς ανάθεση / explaining 1 unassigned visit"
    return f"εξήγηση {n} επισκέψεων χωρίς ανάθεση / explaining {n} unassigned visits"


class _ProgressLine:
    """The solver's progress on stderr (at most once a second when not on a terminal), then
    the explaining of the unassigned visits, which runs after the search's time (a week of a
    thousand of them printed nothing for 20 s past the time limit): see :func:`_progress_printer`."""

    def __init__(self, time_limit: float) -> None:
        self.time_limit = time_limit
        self.tty = sys.stderr.isatty()
        self.last = -1.0
        self.stage = "search"
        self.open = False  # a terminal line without its end yet
        self.token: Any = explain.listen(self.explaining)  # held weakly: gone with this object

    def _print(self, line: str) -> None:
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)
        self.open = self.tty

    def _end_line(self) -> None:
        if self.open:
            print(file=sys.stderr)
            self.open = False

    def __call__(self, p: Progress) -> None:
        if p.stage != self.stage:  # a new stage: its own line, its own clock
            self._end_line()
            self.stage, self.last = p.stage, -1.0
        if p.stage == "compile":  # what happens, then the seconds (every 15 when not on a terminal)
            if self.last < 0:
                print(COMPILING, file=sys.stderr, flush=True)
            elif not self.tty and p.elapsed - self.last < 15.0:
                return
            line = f"μεταγλώττιση / compiling {p.elapsed:4.0f} s"
        else:
            if not self.tty and p.elapsed - self.last < 1.0:
                return
            line = (
                f"επίλυση / solving {p.elapsed:5.1f}/{self.time_limit:.0f} s  "
                f"εξυπηρετούνται / served {p.served}/{p.wanted}  κόστος / objective {p.objective}"
            )
        self.last = p.elapsed
        self._print(line)

    def explaining(self, unassigned: int, _served: int, _wanted: int) -> None:
        """The search is over and its unassigned visits are being explained: a line of its own."""
        self._end_line()
        self.stage, self.last = "explain", -1.0
        print(explaining_words(unassigned), file=sys.stderr, flush=True)

    def done(self, plan: Plan | None = None) -> None:
        """End the line and, given the plan, say what it serves."""
        self._end_line()
        if self.token is not None:
            explain.unlisten(self.token)
            self.token = None
        if plan is not None:
            served = sum(len(r.stops) for r in plan.routes)
            print(
                f"τέλος / done {plan.wall_time:5.1f} s  εξυπηρετούνται / served {served}/"
                f"{served + len(plan.unassigned)}",
                file=sys.stderr,
                flush=True,
            )


def _progress_printer(
    time_limit: float,
) -> tuple[Callable[[Progress], None], Callable[..., None]]:
    """``show`` for the solver's progress (at most once a second when not on a terminal) and
    ``done``, which ends the line and, given the plan, says what it serves: the last line of
    progress may be from before the plan's final polish. In between, the explaining of the
    unassigned visits after the search gets a line of its own (:func:`planner.explain.listen`)."""
    line = _ProgressLine(time_limit)
    return line, line.done


def _params(args: argparse.Namespace) -> SolveParams:
    """The solver settings: the command's defaults, then the ``[solver]`` table of
    ``--config`` (each key checked, see :mod:`planner.config`), then the flags given."""
    settings: dict[str, Any] = {"time_limit": DEFAULT_TIME_LIMIT, "workers": min(2, os.cpu_count() or 1)}
    from_file = solver_settings(args.config) if args.config else {}
    settings.update(from_file)
    if args.time_limit is not None:
        if not (math.isfinite(args.time_limit) and args.time_limit > 0):
            raise ValueError(
                f"--time-limit {args.time_limit:g}: πρέπει να είναι θετικός αριθμός δευτερολέπτων / "
                "must be a positive number of seconds"
            )
        settings["time_limit"] = args.time_limit
    if args.seed is not None:
        settings["seed"] = args.seed
    if args.workers is not None:
        if args.workers < 1:
            raise ValueError(f"--workers {args.workers}: πρέπει να είναι τουλάχιστον 1 / must be at least 1")
        settings["workers"] = args.workers
    cores = max(1, os.cpu_count() or 1)
    asked = args.workers is not None or "workers" in from_file
    if asked and settings["workers"] > cores:  # (the default on a 1-core machine is not news)
        print(
            f"σημείωση: {settings['workers']} αναζητήσεις ζητήθηκαν, ο υπολογιστής έχει {cores} πυρήνες: "
            f"τρέχουν {cores} / note: {settings['workers']} searches asked for, the machine has {cores} "
            f"cores: {cores} run",
            file=sys.stderr,
        )
    return SolveParams(**settings)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (the same path spelt otherwise, a link to it)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return False


def check_writable(
    *paths: Path | None,
    source: Path | None = None,
    source_name: tuple[str, str] = ("του προβλήματος", "problem"),
    inputs: Mapping[str, Path | str | None] | None = None,
) -> None:
    """Refuse, before any work is done, an output path that cannot be written: a folder, a
    device, pipe or socket (never replaced by a file: as root ``-o /dev/null`` replaced the
    system's), a folder that does not exist, or one (or a file) without permission to write;
    the file the command reads (``source``: the problem, the register, named by
    ``source_name``, Greek genitive and English), another file it reads (``inputs``: option ->
    path, ``--config``), or another output of the same command (``-o x --map x``): the plan or
    the map would replace it."""
    given = [path for path in paths if path is not None]
    for k, path in enumerate(given):
        for option, read in (inputs or {}).items():
            if read and _same_file(path, Path(read)):
                raise ValueError(
                    f"{path}: είναι το αρχείο του {option}, που διαβάζει η εντολή· δώστε άλλο όνομα / "
                    f"is the {option} file the command reads; give another name"
                )
        if source is not None and _same_file(path, source):
            raise ValueError(
                f"{path}: είναι το ίδιο το αρχείο {source_name[0]}· δώστε άλλο όνομα / "
                f"is the {source_name[1]} file itself; give another name"
            )
        if any(_same_file(path, other) for other in given[:k]):
            raise ValueError(
                f"{path}: δίνεται και για το πλάνο και για τον χάρτη· δώστε δύο ονόματα / "
                "is given for both the plan and the map; give two names"
            )
        folder = path.parent if str(path.parent) else Path(".")
        if path.is_dir():
            raise ValueError(f"{path}: είναι φάκελος, όχι αρχείο / is a folder, not a file")
        if path.exists() and not path.is_file():  # a device, a pipe, a socket (a link followed)
            kind_el, kind_en = special_file_kind(path)
            raise ValueError(
                f"{path}: δεν είναι κανονικό αρχείο αλλά {kind_el}, και δεν θα αντικατασταθεί· δώστε "
                f"όνομα αρχείου / is not a regular file but {kind_en}, and will not be replaced; give a "
                "file name"
            )
        if not folder.is_dir():
            raise ValueError(f"{path}: ο φάκελος {folder} δεν υπάρχει / the folder {folder} does not exist")
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise ValueError(f"{path}: δεν επιτρέπεται η εγγραφή / no permission to write it")


def special_file_kind(path: Path) -> tuple[str, str]:
    """What an existing path that is neither a file nor a folder is, in Greek and English."""
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    kinds = (
        (stat.S_ISCHR, "συσκευή χαρακτήρων", "a character device"),
        (stat.S_ISBLK, "συσκευή μπλοκ", "a block device"),
        (stat.S_ISFIFO, "σωλήνας (pipe)", "a pipe"),
        (stat.S_ISSOCK, "υποδοχή (socket)", "a socket"),
    )
    return next(((el, en) for test, el, en in kinds if test(mode)), ("ειδικό αρχείο", "a special file"))


FAR_BASE_KM = 150.0  # a base this far from every visit is most likely typed wrong


def far_bases(problem: Problem) -> list[str]:
    """A warning for each unit whose base lies more than :data:`FAR_BASE_KM` from every visit
    (geographic travel only), saying when its latitude and longitude look swapped: a base typed
    (22.08, 38.25) left all 103 visits «unreachable», each saying to check its own coordinates,
    and nothing pointed at the base."""
    if travel_model_of(problem.travel).name == "matrix" or not problem.visits:
        return []
    import numpy as np

    lat = np.array([v.location.lat for v in problem.visits])
    lon = np.array([v.location.lon for v in problem.visits])
    out = []
    for unit in problem.units:
        base_lat, base_lon = np.array(unit.base.lat), np.array(unit.base.lon)
        nearest = float(haversine_km(base_lat, base_lon, lat, lon).min())
        if nearest <= FAR_BASE_KM:
            continue
        swapped = float(haversine_km(base_lon, base_lat, lat, lon).min())
        hint_el = hint_en = ""
        if swapped <= FAR_BASE_KM and abs(unit.base.lon) <= 90:
            hint_el = " Μήπως το γεωγραφικό πλάτος και μήκος είναι ανάποδα;"
            hint_en = " Are its latitude and longitude swapped?"
        out.append(
            f"Προσοχή: η βάση της μονάδας {unit.id} ({unit.base.lat}, {unit.base.lon}) απέχει "
            f"{nearest:.0f} km από την πλησιέστερη επίσκεψη.{hint_el} / Warning: the base of unit {unit.id} "
            f"({unit.base.lat}, {unit.base.lon}) is {nearest:.0f} km from the nearest visit.{hint_en}"
        )
    return out


def cmd_plan(args: argparse.Namespace) -> int:
    """Solve a problem file, print the table, write the plan JSON and the map."""
    from planner.render import format_plan_table, format_violations
    from planner.roads.cli import roads_after_plan, roads_for_plan

    check_writable(
        args.output, args.map, source=args.problem, inputs={"--config": args.config, "--roads": args.roads}
    )
    params = _params(args)  # before the roads read their own table of the same file
    problem = roads_for_plan(load_problem(args.problem), args.roads, args.config)
    print(
        f"Kinito {__version__}: {problem.name}: {len(problem.visits)} επισκέψεις / visits, "
        f"{len(problem.dates)} ημέρες / days, "
        f"χρόνος / time limit {params.time_limit:g} s, seed {params.seed}",
        file=sys.stderr,
    )
    for warning in far_bases(problem):
        print(warning, file=sys.stderr)
    with MapWriter(args.map) as maps:  # gets ready to draw the map while the plan is solved
        show, done = _progress_printer(params.time_limit)
        plan = solve(problem, params, show)
        done(plan)
        violations = validate(problem, plan)
        if violations:
            _err("BUG: the engine's plan fails the independent validator; it is not written.")
            print(format_violations([str(v) for v in violations]), file=sys.stderr)
            return EXIT_BUG
        print(format_plan_table(plan, problem))
        # the road shapes are asked for after the plan is written: a routing server failing
        # then costs the map its road lines, never the plan
        write_outputs(
            plan,
            problem,
            args.output,
            maps,
            lambda: roads_after_plan(plan, problem, want_shapes=bool(args.map)),
        )
    return EXIT_OK


def write_outputs(
    plan: Plan,
    problem: Problem,
    output: Path | None,
    maps: MapWriter,
    shapes: Shapes | Callable[[], Shapes | None] | None = None,
) -> None:
    """Write the plan JSON and, through ``maps``, the map (along roads when ``shapes`` are
    given), saying where. ``shapes`` may be a function giving them: it is called once the
    plan JSON is written (and even with no map, for the warnings it prints)."""
    if output:
        save_json(output, plan_to_dict(plan, problem))
        print(f"πλάνο / plan: {output}", file=sys.stderr)
    if callable(shapes):
        shapes = shapes()
    if maps.path:
        maps.write(plan, problem, shapes)
        print(f"χάρτης / map: {maps.path}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a plan file against a problem file; list what it breaks."""
    from planner.render import format_violations
    from planner.roads.cli import roads_for_validate

    read: Problem = load_problem(args.problem)
    plan: Plan = load_plan(args.plan, read)
    problem: Problem = roads_for_validate(read, plan, args.roads, args.config)
    if plan.problem_name != problem.name:
        _err(
            f"προσοχή: το πλάνο είναι για το πρόβλημα «{plan.problem_name}», όχι «{problem.name}» / "
            f"warning: the plan is for problem {plan.problem_name!r}, not {problem.name!r}"
        )
    violations = validate(problem, plan)
    # what the file states that reading it ignores (crews, summaries) or that cannot hold (a
    # reason code): warnings, the exit code is the rules'
    try:  # (read already, as the plan: a file that changed since is no reason to fail)
        stated = json.loads(Path(args.plan).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        stated = None
    warnings = stated_warnings(problem, plan, stated) if isinstance(stated, dict) else []
    if violations:
        print(format_violations([str(v) for v in violations]))
    if warnings:
        print(
            f"Προειδοποιήσεις / Warnings ({len(warnings)}): το αρχείο γράφει στοιχεία που δεν "
            "συμφωνούν με το πρόβλημα ή τις διαδρομές του / the file states what its problem or its "
            "routes contradict"
        )
        for i, w in enumerate(warnings, start=1):
            print(f"  {i}. {w}")
        print()
    if violations:
        return EXIT_VIOLATIONS
    print("έγκυρο πλάνο / valid plan: every hard rule holds")
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    """Create the register database (migrations from empty) and load the settlements gazetteer;
    with ``--demo``, the fictional demo register too, in the same transaction."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from planner.register.db import database_url, make_engine, session_scope
    from planner.register.demo import DEMO_ACTOR, DemoSummary, load_demo
    from planner.register.migrate import current_revision, upgrade
    from planner.register.settlements import load_gazetteer

    url = database_url(args.db)
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string()
    try:
        engine = make_engine(url)
        try:
            before = current_revision(engine)
            reached = upgrade(engine)
            demo: DemoSummary | None = None
            with session_scope(engine, actor=DEMO_ACTOR if args.demo else None) as session:
                loaded = load_gazetteer(session)
                if args.demo:
                    from planner.register.calendar import today as calendar_today

                    # default: next Monday, so `kinito week next` plans the week after the history
                    today = calendar_today()
                    reference = args.reference_date or today + timedelta(days=7 - today.weekday())
                    # outcomes only up to today with the default reference (its history's last
                    # week is this one: run on a Wednesday, it stored Thursday's and Friday's);
                    # a reference date given makes the same register whatever the day
                    until = None if args.reference_date else today
                    demo = load_demo(session, reference=reference, seed=args.seed, until=until)
        finally:
            engine.dispose()
    except (OSError, SQLAlchemyError, CommandError, ImportError) as exc:
        if isinstance(exc, ImportError):
            reason = f"the database driver is not installed ({exc})"
        elif isinstance(exc, OSError) and exc.strerror:
            reason = exc.strerror
        else:
            reason = str(exc).splitlines()[0]
        _err(
            f"δεν μπορεί να δημιουργηθεί η βάση στο {where} / cannot create the database at {where}: {reason}"
        )
        return EXIT_INPUT
    print(f"βάση / database: {where}")
    if before == reached:
        print(f"σχήμα / schema: ήδη στην έκδοση / already at revision {reached}")
    else:
        print(f"σχήμα / schema: {before or 'κενή / empty'} -> {reached}")
    print(
        f"οικισμοί / settlements: {loaded.added} νέοι / added, {loaded.updated} διορθώθηκαν / "
        f"updated, {loaded.unchanged} ήδη σωστοί / unchanged (σύνολο / total {loaded.total})"
    )
    for line in demo.lines() if demo else ():
        print(line)
    return EXIT_OK


_ARGPARSE_EL: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (?P<a>.+)", "λείπουν υποχρεωτικά ορίσματα: {a}"),
    (r"argument (?P<a>\S+): expected one argument", "το {a} θέλει μία τιμή"),
    (r"argument (?P<a>\S+): expected at least one argument", "το {a} θέλει τουλάχιστον μία τιμή"),
    (r"argument (?P<a>\S+): invalid choice: (?P<x>'[^']*') \(choose from (?P<c>.+)\)",
     "το {a}: μη έγκυρη επιλογή {x} (επιλέξτε από {c})"),
    (r"unrecognized arguments: (?P<a>.+)", "άγνωστα ορίσματα: {a}"),
    (r"argument (?P<a>\S+): invalid float value: (?P<x>.+)", "το {a}: το {x} δεν είναι αριθμός"),
    (r"argument (?P<a>\S+): invalid int value: (?P<x>.+)", "το {a}: το {x} δεν είναι ακέραιος"),
    (r"argument (?P<a>\S+): not allowed with argument (?P<b>\S+)", "το {a} δεν δίνεται μαζί με το {b}"),
    (r"argument (?P<a>\S+): ignored explicit argument (?P<x>.+)", "το {a} δεν παίρνει τιμή ({x})"),
)  # fmt: skip


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help with its own word «usage:» in Greek too."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "χρήση / usage: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse's parser with its own words in Greek too (they were English only: «the following
    arguments are required: problem», «usage:», «options:», «show this help message and exit»);
    messages of Kinito's own checks, already "Greek / English", are left as they are. Each
    subcommand's parser is one too (``add_subparsers`` makes its parsers of the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "ορίσματα / positional arguments"
        self._optionals.title = "επιλογές / options"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "εμφάνιση αυτής της βοήθειας και έξοδος / show this help message and exit"

    def _command_error(self, message: str) -> str | None:
        """A subcommand missing or unknown, said so: argparse named it by its internal name
        («το user_command: μη έγκυρη επιλογή 'list'»)."""
        commands = {
            a.dest: ", ".join(repr(c) for c in a.choices or ())
            for a in self._actions
            if isinstance(a, argparse._SubParsersAction)
        }
        missing = re.fullmatch(r"the following arguments are required: (?P<a>\S+)", message)
        if missing and missing["a"] in commands:
            listed = commands[missing["a"]]
            return f"λείπει η εντολή (οι εντολές: {listed}) / a command is missing (commands: {listed})"
        unknown = re.fullmatch(
            r"argument (?P<a>\S+): invalid choice: (?P<x>'[^']*') \(choose from .+\)", message
        )
        if unknown and unknown["a"] in commands:
            listed, typed = commands[unknown["a"]], unknown["x"]
            return (
                f"άγνωστη εντολή {typed} (οι εντολές: {listed}) / "
                f"unknown command {typed} (commands: {listed})"
            )
        return None

    def error(self, message: str) -> NoReturn:
        if (command := self._command_error(message)) is not None:
            self.print_usage(sys.stderr)
            self.exit(2, f"{self.prog}: {command}\n")
        greek = next(
            (
                el.format(**m.groupdict())
                for pattern, el in _ARGPARSE_EL
                if (m := re.fullmatch(pattern, message))
            ),
            None,
        )
        own = re.fullmatch(r"argument (?P<a>\S+): (?P<el>.+?) / (?P<en>.+)", message)
        if greek is None and own:  # Kinito's own check of an argument, bilingual already
            greek, message = f"το {own['a']}: {own['el']}", f"argument {own['a']}: {own['en']}"
        elif greek is None and " / " in message:
            greek, message = message, ""
        self.print_usage(sys.stderr)
        text = f"{greek} / {message}" if greek and message else greek or f"σφάλμα / error: {message}"
        self.exit(2, f"{self.prog}: {text}\n")


def build_parser(plugins: bool = True) -> argparse.ArgumentParser:
    """The argument parser of the ``kinito`` command (``plugins``: with every part's commands;
    ``plan``, ``validate`` and ``init`` need none, and skip their imports)."""
    parser = _Parser(
        prog="kinito",
        description="Kinito: σχεδιασμός διαδρομών και επισκέψεων για κινητές μονάδες / "
        "Kinito: route and visit planner for mobile units",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"kinito {__version__}",
        help="εμφάνιση της έκδοσης και έξοδος / show program's version number and exit",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "plan",
        help="σχεδιασμός μιας εβδομάδας από αρχείο προβλήματος JSON / plan a week from a problem JSON file",
    )
    p.add_argument(
        "problem",
        type=Path,
        help="το αρχείο του προβλήματος (JSON: μονάδες, πλήρωμα, επισκέψεις) / "
        "the problem file (JSON: units, crew, visits)",
    )
    p.add_argument(
        "-o", "--output", type=Path, help="εγγραφή του πλάνου (JSON) εδώ / write the plan JSON here"
    )
    p.add_argument(
        "--map",
        type=Path,
        help="εγγραφή του χάρτη (αυτοτελές HTML) εδώ / write the map (self-contained HTML) here",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help=f"δευτερόλεπτα αναζήτησης (προεπιλογή {DEFAULT_TIME_LIMIT:g}· μαζί με την εκκίνηση, "
        f"μέσα σε 10 s) / "
        f"seconds of search (default {DEFAULT_TIME_LIMIT:g}; with start-up, within 10 s wall)",
    )
    p.add_argument(
        "--seed",
        type=seed_arg,
        default=None,
        help="σπόρος τυχαίων αριθμών (προεπιλογή 1) / random seed (default 1)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="παράλληλες αναζητήσεις, μία ανά πυρήνα (προεπιλογή: 2 πυρήνες) / "
        "parallel searches, one per core (default: 2 cores)",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="ρυθμίσεις επίλυσης σε TOML (πίνακας [solver]) / solver settings TOML ([solver] table)",
    )
    p.add_argument(
        "--roads", default=None, metavar="EXTRACT|URL|off",
        help="χρόνοι διαδρομής στους δρόμους: απόσπασμα OSM (.osm.pbf) ή διακομιστής OSRM "
        "(http://...)· 'off': η ενσωματωμένη εκτίμηση· προεπιλογή $KINITO_ROADS / "
        "road travel times: an OSM extract (.osm.pbf) or an OSRM server (http://...); 'off': the "
        "embedded estimate; default $KINITO_ROADS",
    )  # fmt: skip
    p.set_defaults(func=cmd_plan)
    v = sub.add_parser(
        "validate", help="έλεγχος ενός πλάνου έναντι του προβλήματός του / check a plan against its problem"
    )
    v.add_argument("problem", type=Path, help="το αρχείο του προβλήματος (JSON) / the problem file (JSON)")
    v.add_argument(
        "plan",
        type=Path,
        help="το αρχείο του πλάνου (JSON, π.χ. από το `kinito plan -o`) / "
        "the plan file (JSON, e.g. from `kinito plan -o`)",
    )
    v.add_argument(
        "--roads", default=None, metavar="EXTRACT|URL",
        help="για πλάνο που έγινε με τους δρόμους: το ίδιο απόσπασμα ή ο ίδιος διακομιστής "
        "(προεπιλογή $KINITO_ROADS) / "
        "for a plan made on roads: the same extract or server (default $KINITO_ROADS)",
    )  # fmt: skip
    v.add_argument(
        "--config",
        type=Path,
        default=None,
        help="ρυθμίσεις σε TOML (πίνακας [roads]) / settings TOML ([roads] table)",
    )
    v.set_defaults(func=cmd_validate)
    i = sub.add_parser(
        "init",
        help="δημιουργία της βάσης δεδομένων του μητρώου και φόρτωση των οικισμών / "
        "create the register database and load the settlements",
    )
    i.add_argument(
        "--db",
        default=None,
        metavar="PATH",
        help="αρχείο ή URL της βάσης δεδομένων (προεπιλογή: $KINITO_DATABASE_URL, $DATABASE_URL, "
        "αλλιώς instance/kinito.sqlite3) / database file or URL (default: $KINITO_DATABASE_URL, "
        "$DATABASE_URL, else instance/kinito.sqlite3)",
    )
    i.add_argument(
        "--demo",
        action="store_true",
        help="φόρτωση και του φανταστικού μητρώου επίδειξης (μόνο σε κενό μητρώο) / "
        "also load the fictional demo register (empty register only)",
    )
    i.add_argument(
        "--reference-date",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="με --demo: το ιστορικό εκβάσεων καλύπτει τις 8 εβδομάδες πριν από την εβδομάδα αυτής "
        "της ημερομηνίας (προεπιλογή: η επόμενη Δευτέρα, ώστε το `kinito week next` να σχεδιάσει "
        "την εβδομάδα μετά το ιστορικό) / "
        "with --demo: the outcome history covers the 8 weeks before this date's week "
        "(default: next Monday, so `kinito week next` plans the week after the history)",
    )
    i.add_argument(
        "--seed",
        type=int,
        default=1,
        help="με --demo: σπόρος τυχαίων αριθμών (προεπιλογή 1) / with --demo: random seed (default 1)",
    )
    i.set_defaults(func=cmd_init)
    # Each part of the product registers its own commands (imports stay light until used).
    for module in PLUGIN_COMMANDS if plugins else ():
        importlib.import_module(module).add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kinito`` console script."""
    words = list(sys.argv[1:] if argv is None else argv)
    # The core commands parse without importing the register, the roads and the web app:
    # `kinito plan` answers within 10 s of wall time, start-up included.
    core = bool(words) and words[0] in CORE_COMMANDS
    args = build_parser(plugins=not core).parse_args(words)
    try:
        code: int = args.func(args)
        return code
    except SchemaError as exc:
        _err(str(exc))
        return EXIT_INPUT
    except OSError as exc:  # a missing file, a folder given as a file, no permission, a device error...
        _err(os_error_message(exc))
        return EXIT_INPUT
    except (ValueError, json.JSONDecodeError) as exc:
        _err(str(exc))
        return EXIT_INPUT
    except KeyboardInterrupt:
        _err("διακόπηκε / interrupted")
        return 130
    except Exception as exc:  # a bug: say so plainly; KINITO_DEBUG=1 shows the traceback
        if os.environ.get("KINITO_DEBUG"):
            raise
        if (database := _database_error(exc)) is not None:
            _err(database)
            return EXIT_INPUT
        _err(f"internal error ({type(exc).__name__}: {exc}); please report it. KINITO_DEBUG=1 shows details.")
        return EXIT_BUG


# what the system says of a file it cannot open, in both languages (``errno`` -> Greek, English)
_OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("δεν βρέθηκε το αρχείο", "file not found"),
    errno.EISDIR: ("είναι φάκελος, όχι αρχείο", "is a folder, not a file"),
    errno.EACCES: ("δεν επιτρέπεται η πρόσβαση (δικαιώματα)", "permission denied"),
    errno.EPERM: ("δεν επιτρέπεται η πρόσβαση (δικαιώματα)", "permission denied"),
    errno.ENOTDIR: ("μέρος της διαδρομής δεν είναι φάκελος", "part of the path is not a folder"),
    errno.ENOSPC: ("δεν υπάρχει χώρος στον δίσκο", "no room left on the disk"),
    errno.EROFS: ("ο δίσκος είναι μόνο για ανάγνωση", "the disk is read-only"),
    errno.ENAMETOOLONG: ("το όνομα είναι πολύ μεγάλο", "the name is too long"),
    errno.ELOOP: ("κύκλος συντομεύσεων (links)", "a loop of links"),
    errno.EPIPE: ("η έξοδος έκλεισε πριν γραφτούν όλα", "the output was closed before all was written"),
}


def os_error_message(exc: OSError) -> str:
    """A file the system refused (``exc``), in one bilingual sentence naming the file: the
    common causes in words, any other with the system's own (English) description and code.
    (It was «δεν είναι δυνατή η χρήση του / cannot use adir: Is a directory».)"""
    name = exc.filename
    el, en = _OS_ERRORS.get(exc.errno or 0, ("", ""))
    if not el:
        system = exc.strerror or str(exc) or type(exc).__name__
        code = (
            f" [{errno.errorcode[exc.errno]}]"
            if exc.errno is not None and exc.errno in errno.errorcode
            else ""
        )
        el = f"το σύστημα αρνήθηκε τη χρήση του ({system}{code})"
        en = f"the system refused to use it ({system}{code})"
    if name is None:
        return f"{el} / {en}"
    if exc.errno == errno.ENOENT:  # as it was, the file last: «file not found: x.json»
        return f"{el} / {en}: {name}"
    return f"{name}: {el} / {en}"


def _database_error(exc: BaseException) -> str | None:
    """The register's database refusing (a read-only file or folder, a full disk, a path that
    cannot be opened), in words with SQLite's cause and without the SQL: None for other errors."""
    import sqlite3

    if isinstance(exc, sqlite3.DatabaseError):  # SQLite's own (a backup's copy)
        cause = str(exc).splitlines()[0]
    elif "sqlalchemy" not in sys.modules:
        return None
    else:
        from sqlalchemy.exc import DatabaseError

        if not isinstance(exc, DatabaseError):  # a read-only file, a full disk, a file not a database...
            return None
        cause = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc).splitlines()[0]
    from planner.register.db import busy_message

    busy = busy_message(exc)
    if busy is not None:
        return busy
    return (
        f"η βάση δεδομένων δεν μπορεί να χρησιμοποιηθεί ({cause}): ελέγξτε τη διαδρομή, τα δικαιώματα "
        f"του αρχείου και του φακέλου του και τον χώρο στον δίσκο / the database cannot be used ({cause}): "
        "check the path, the permissions of the file and its folder, and the room on the disk"
    )


# Commands after which the process leaves without the interpreter's teardown: with the
# compiled search loaded (numba, llvmlite) that took about 0.4 s of `kinito plan`'s 10 s.
QUICK_EXIT = frozenset({"plan"})


def run() -> None:
    """The ``kinito`` console script (and ``python -m planner.cli``): :func:`main`, then exit
    with its code; after ``plan``, at once, its output flushed and its files closed."""
    words = sys.argv[1:]
    code = main(words)
    if words and words[0] in QUICK_EXIT:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
