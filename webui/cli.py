"""``kinito serve`` and ``kinito user``: the web application's commands.

    kinito serve [--db PATH|URL] [--host 127.0.0.1] [--port 8000] [--instance DIR]
    kinito user add USERNAME --role coordinator|driver|management|admin [--unit UNIT] [--password-stdin]
    kinito user unit USERNAME UNIT   # set (or change) a driver's unit, by name or id
    kinito user demo        # the demo accounts (webui.demo_users), for the demo register only

Registered in :func:`planner.cli.build_parser` through :func:`add_commands`.
"""

from __future__ import annotations

import argparse
import getpass
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["add_commands", "cmd_serve", "cmd_user_add", "cmd_user_demo", "cmd_user_unit", "instance_folder"]

EXIT_OK, EXIT_INPUT = 0, 2
_DB_HELP = (
    "αρχείο ή URL της βάσης δεδομένων (προεπιλογή: $KINITO_DATABASE_URL, $DATABASE_URL, "
    "αλλιώς instance/kinito.sqlite3) / "
    "database file or URL (default: $KINITO_DATABASE_URL, $DATABASE_URL, else instance/kinito.sqlite3)"
)


def _prepare_database(db: str | None) -> tuple[Any, str]:
    """The engine of a register brought to the newest schema, with the gazetteer loaded."""
    from sqlalchemy import func, select

    from planner.register.db import database_url, make_engine, session_scope
    from planner.register.migrate import upgrade
    from planner.register.models import Settlement
    from planner.register.settlements import load_gazetteer

    url = database_url(db)
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string()
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        if not s.scalar(select(func.count()).select_from(Settlement)):
            load_gazetteer(s)
    return engine, str(where)


def _cannot_listen(host: str, port: int) -> str | None:
    """Why ``serve`` could not listen on ``host``:``port`` (a port taken by another server, an
    address not this machine's), tried by binding it for a moment; None when it can."""
    import socket

    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(
                socket.SOL_SOCKET, socket.SO_REUSEADDR, 1
            )  # as waitress: TIME_WAIT is no refusal
            probe.bind(address)
    except OSError as exc:
        where, why = f"{host}:{port}", exc.strerror or exc
        return (
            f"δεν μπορεί να ακούσει στο {where} ({why}): η θύρα είναι ίσως πιασμένη (άλλο `kinito serve`;) "
            f"ή η διεύθυνση δεν είναι αυτού του υπολογιστή· δοκιμάστε άλλη --port / cannot listen on {where} "
            f"({why}): the port may be taken (another `kinito serve`?) or the address not this machine's; "
            "try another --port"
        )
    return None


_INSTANCE_FILES = ("secret_key", "webui.toml")


def instance_folder(url: Any, given: str | None) -> tuple[Path, Path | None]:
    """The web application's instance folder (its settings ``webui.toml``, the key that signs
    the sign-ins, the planning jobs' notes, the uploads) for the register at ``url``: ``given``
    if any, else the folder of the register's SQLite file, so that the server finds the same
    key and settings from whichever folder it is started (it took ``./instance`` before, and a
    server started elsewhere made a new key: every tablet logged out), else ``./instance``.

    The second value is ``./instance`` when it holds settings or a key that the chosen folder
    does not (a server set up before the folder followed the register), to be warned about."""
    from planner.register.db import sqlite_file

    here = (Path.cwd() / "instance").resolve()
    if given:
        return Path(given).expanduser().resolve(), None
    file = sqlite_file(url)
    if file is None:
        return here, None
    chosen = file.resolve().parent
    if chosen == here or any(here.glob("*.sqlite3")):
        # ./instance with a register of its own (the demo's) holds that register's settings
        return chosen, None
    left = [name for name in _INSTANCE_FILES if (here / name).is_file() and not (chosen / name).exists()]
    return chosen, (here if left else None)


def _port(text: str) -> int:
    """A TCP port, 1-65535 (a larger number wrapped around to another port)."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text}: θύρα από 1 έως 65535 / a port from 1 to 65535")
    return port


@contextmanager
def _cli_session(db: str | None) -> Iterator[Any]:
    """A session on the existing register ``db`` (brought to the newest schema), audited as the
    CLI; a ValueError when there is no register file there (a mistyped --db made a new,
    empty register before, which got the account while the real one did not)."""
    from planner.register.db import database_url, missing_file, session_scope

    missing = missing_file(database_url(db))
    if missing is not None:
        raise ValueError(
            f"δεν υπάρχει μητρώο στο {missing}: ελέγξτε το --db, ή δημιουργήστε το με `kinito init` / "
            f"no register at {missing}: check --db, or create it with `kinito init`"
        )
    engine, _where = _prepare_database(db)
    try:
        with session_scope(engine, actor="kinito-cli") as session:
            yield session
    finally:
        engine.dispose()


LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def insecure_network_warning(host: str) -> str:
    """What ``serve`` says when it listens beyond this machine over plain HTTP."""
    return (
        f"Προσοχή: η εφαρμογή ακούει στο δίκτυο ({host}) με απλό HTTP· κωδικοί και στοιχεία των "
        "ωφελουμένων ταξιδεύουν χωρίς κρυπτογράφηση. Βάλτε μπροστά έναν διακομιστή HTTPS και ορίστε "
        "KINITO_SESSION_COOKIE_SECURE=true (docs/webui.md). / Warning: listening on the network "
        f"({host}) over plain HTTP; passwords and people's data travel unencrypted. Put an HTTPS "
        "proxy in front and set KINITO_SESSION_COOKIE_SECURE=true (docs/webui.md)."
    )


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web application with waitress (a production WSGI server) on host:port."""
    import waitress

    from planner.register.db import session_scope
    from webui import create_app
    from webui.demo_users import demo_register_problem, demo_users_present

    refusal = _cannot_listen(args.host, args.port)  # before a register or key is made for nothing
    if refusal is not None:
        from planner.cli import _err

        _err(refusal)
        return EXIT_INPUT
    engine, where = _prepare_database(args.db)
    with session_scope(engine) as s:
        demo = demo_users_present(s)
        from sqlalchemy import func, select

        from planner.register.models import User

        n_users = s.scalar(select(func.count()).select_from(User)) or 0
        demo_register = demo_register_problem(s) is None
    engine.dispose()
    instance, stray = instance_folder(engine.url, args.instance)
    db_url = str(engine.url.render_as_string(hide_password=False))
    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(instance)})
    url = f"http://{args.host}:{args.port}/"
    print(f"Kinito: {url}")
    print(f"βάση / database: {where}")
    print(f"ρυθμίσεις και κλειδί συνδέσεων / settings and sign-in key: {instance}")
    if stray is not None:
        print(
            f"Προσοχή: οι ρυθμίσεις στο {stray} δεν διαβάζονται πια· ο φάκελος ρυθμίσεων είναι αυτός "
            f"του μητρώου ({instance}): μετακινήστε τις εκεί, ή δώστε --instance {stray} / Warning: the "
            f"settings in {stray} are no longer read; the settings folder is the register's ({instance}): "
            f"move them there, or give --instance {stray}",
            file=sys.stderr,
        )
    if demo:
        print("Λογαριασμοί επίδειξης / demo accounts (χρήστης / user  ρόλος / role  κωδικός / password):")
        for username, role, password in demo:
            print(f"  {username:<14} {role:<12} {password}")
    elif n_users == 0:
        on = f" --db {shlex.quote(where)}" if args.db else ""  # the commands as they run: on this register
        print(
            f"Δεν υπάρχουν χρήστες / no users yet: kinito user add NAME --role admin{on}"
            + (f"   (ή / or: kinito user demo{on})" if demo_register else "")
        )
    else:
        print("Συνδεθείτε με τον λογαριασμό σας / log in with your account.")
    if args.host not in LOOPBACK and not app.config.get("SESSION_COOKIE_SECURE"):
        print(insecure_network_warning(args.host), file=sys.stderr)
    print("Διακοπή / stop: Ctrl+C", flush=True)
    try:
        waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="kinito")
    finally:
        app.extensions["kinito_jobs"].stop_all()
    return EXIT_OK


def _find_unit(session: Any, wanted: str) -> Any:
    """The register's unit ``wanted`` means (its id, its name or the start of it, case and
    accents aside: :func:`planner.register.week.find_unit`); None, with the units listed on
    standard error, if there is no such unit or more than one."""
    from sqlalchemy import select

    from planner.register.models import Unit
    from planner.register.week import find_unit

    units = list(session.scalars(select(Unit).order_by(Unit.id)))
    unit = find_unit(units, wanted)
    if unit is not None:
        return unit
    print(
        f"kinito: άγνωστη ή αμφίσημη μονάδα «{wanted}» / unknown or ambiguous unit {wanted!r}",
        file=sys.stderr,
    )
    _list_units(units)
    return None


def _list_units(units: list[Any]) -> None:
    listed = ", ".join(f"{u.id}: {u.name}" for u in units) or "—"
    print(f"μονάδες του μητρώου / the register's units: {listed}", file=sys.stderr)


def _default_unit(session: Any) -> tuple[Any, bool]:
    """A new driver's unit when none is given: the register's only active unit, if it has
    exactly one; else (None, whether there was a choice to make)."""
    from sqlalchemy import select

    from planner.register.models import Unit

    active = list(session.scalars(select(Unit).where(Unit.active).order_by(Unit.id)))
    if len(active) == 1:
        return active[0], False
    if len(active) > 1:
        _list_units(active)
    return None, len(active) > 1


def cmd_user_add(args: argparse.Namespace) -> int:
    """Add a user account (or, with --update, replace an existing one's role and password)."""
    from sqlalchemy import select

    from planner.register.models import Unit, User
    from webui.admin import MIN_PASSWORD
    from webui.security import hash_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sys.stdin.isatty():
        print("kinito: δεν υπάρχει τερματικό για να ζητηθεί ο κωδικός: δώστε τον στην είσοδο με "
              "--password-stdin / no terminal to ask for the password: give it on standard input "
              "with --password-stdin", file=sys.stderr)  # fmt: skip
        return EXIT_INPUT
    else:
        password = getpass.getpass("κωδικός / password: ")
        if getpass.getpass("ξανά / again: ") != password:
            print("kinito: οι κωδικοί διαφέρουν / the passwords differ", file=sys.stderr)
            return EXIT_INPUT
    if len(password) < MIN_PASSWORD or not password.strip():
        print(f"kinito: ο κωδικός θέλει {MIN_PASSWORD}+ χαρακτήρες, όχι μόνο κενά / the password needs "
              f"at least {MIN_PASSWORD} characters, not spaces alone", file=sys.stderr)  # fmt: skip
        return EXIT_INPUT
    with _cli_session(args.db) as s:
        user = s.scalars(select(User).where(User.username == args.username)).one_or_none()
        if user is not None and not args.update:
            print(f"kinito: ο χρήστης {args.username} υπάρχει / user {args.username} exists "
                  "(--update to change it)", file=sys.stderr)  # fmt: skip
            return EXIT_INPUT
        from webui.auth import users_named

        other = next(iter(users_named(s, args.username)), None)
        if user is None and other is not None:  # «Odigos» beside «odigos»: one log-in lock, two accounts
            print(f"kinito: υπάρχει ήδη ο χρήστης {other.username} (ίδιο όνομα με άλλα κεφαλαία) / user "
                  f"{other.username} exists (the same name in other capitals)", file=sys.stderr)  # fmt: skip
            return EXIT_INPUT
        unit = None
        if args.unit is not None and args.role != "driver":
            print("kinito: --unit μόνο για οδηγό / --unit is for a driver only", file=sys.stderr)
            return EXIT_INPUT
        if args.unit is not None:
            unit = _find_unit(s, args.unit)
            if unit is None:
                return EXIT_INPUT
        elif args.role == "driver" and (user is None or user.unit_id is None):
            unit, several = _default_unit(s)
            if several:
                print("kinito: διαλέξτε τη μονάδα του οδηγού με --unit / choose the driver's "
                      "unit with --unit", file=sys.stderr)  # fmt: skip
                return EXIT_INPUT
        if user is None:
            user = User(username=args.username, password_hash="")
            s.add(user)
        if args.role != "driver":
            user.unit_id = None
        elif unit is not None:
            user.unit_id = unit.id
        if unit is None and user.unit_id is not None:
            unit = s.get(Unit, user.unit_id)
        unit_name = unit.name if unit is not None else None
        user.display_name = args.display_name or args.username
        user.role = args.role
        user.locale = args.locale
        user.active = True
        user.password_hash = hash_password(password)
    print(f"χρήστης / user {args.username}: {args.role}")
    if args.role == "driver":
        if unit_name is None:
            print("μονάδα / unit: — (kinito user unit ΧΡΗΣΤΗΣ ΜΟΝΑΔΑ / kinito user unit USER UNIT)")
        else:
            print(f"μονάδα / unit: {unit_name}")
    return EXIT_OK


def cmd_user_unit(args: argparse.Namespace) -> int:
    """Set or change the unit of a driver's account (the route the tablet shows)."""
    from sqlalchemy import select

    from planner.register.models import User

    with _cli_session(args.db) as s:
        user = s.scalars(select(User).where(User.username == args.username)).one_or_none()
        if user is None:
            print(f"kinito: δεν υπάρχει χρήστης {args.username} / no user {args.username}",
                  file=sys.stderr)  # fmt: skip
            return EXIT_INPUT
        if user.role != "driver":
            print(f"kinito: ο χρήστης {args.username} δεν είναι οδηγός / user {args.username} "
                  "is not a driver", file=sys.stderr)  # fmt: skip
            return EXIT_INPUT
        unit = _find_unit(s, args.unit)
        if unit is None:
            return EXIT_INPUT
        user.unit_id = unit.id
        name = unit.name
    print(f"χρήστης / user {args.username}: μονάδα / unit {name}")
    return EXIT_OK


def _demo_users_refusal(db: str | None) -> str | None:
    """Why ``kinito user demo`` must not run on the register ``db`` (Greek / English), or None
    when it is a demo register (:func:`webui.demo_users.demo_register_problem`). A database
    that does not exist yet is refused without creating it."""
    from sqlalchemy.exc import SQLAlchemyError

    from planner.register.db import (
        busy_message,
        cannot_open,
        database_url,
        make_engine,
        missing_file,
        session_scope,
    )
    from webui.demo_users import demo_register_problem

    url = database_url(db)
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    if missing_file(url) is not None:
        return (
            f"δεν υπάρχει μητρώο στο {where}: δημιουργήστε το μητρώο επίδειξης με `kinito init --demo` / "
            f"there is no register at {where}: make the demo register with `kinito init --demo`"
        )
    try:
        engine = make_engine(url)
        try:
            with session_scope(engine) as session:
                return demo_register_problem(session)
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        reason = str(exc).splitlines()[0]
        if busy_message(exc) is not None or "unable to open" in reason:  # busy, full, read-only
            return cannot_open(str(where), exc)
        return (
            f"δεν διαβάζεται το μητρώο στο {where} (τρέξτε `kinito init --demo`) / cannot read the register "
            f"at {where} (run `kinito init --demo`): {reason}"
        )


def cmd_user_demo(args: argparse.Namespace) -> int:
    """Create the demo accounts (demo register only: their passwords are public)."""
    from planner.cli import _err
    from webui.demo_users import DEMO_USERS, ensure_demo_users

    refusal = _demo_users_refusal(args.db)  # before the register is opened (or created)
    if refusal is not None:
        _err(refusal)
        return EXIT_INPUT
    with _cli_session(args.db) as s:
        created = ensure_demo_users(s)
    for username, role, password, _display in DEMO_USERS:
        mark = "+" if username in created else "="
        print(f"{mark} {username:<14} {role:<12} {password}")
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    """Add ``serve`` and ``user`` to the ``kinito`` command's subparsers."""
    from planner.register.models import USER_ROLES

    serve = subparsers.add_parser(
        "serve", help="εκκίνηση της διαδικτυακής εφαρμογής (waitress) / run the web application (waitress)"
    )
    serve.add_argument("--db", default=None, metavar="PATH", help=_DB_HELP)
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="διεύθυνση ακρόασης (προεπιλογή 127.0.0.1) / address to listen on (default 127.0.0.1)",
    )
    serve.add_argument(
        "--port", type=_port, default=8000, help="θύρα (προεπιλογή 8000) / port (default 8000)"
    )
    serve.add_argument(
        "--instance",
        default=None,
        metavar="DIR",
        help=(
            "φάκελος ρυθμίσεων (webui.toml, κλειδί συνδέσεων, εργασίες)· προεπιλογή ο φάκελος του "
            "μητρώου / settings folder (webui.toml, sign-in key, jobs); default: the register's folder"
        ),
    )
    serve.add_argument(
        "--threads",
        type=int,
        default=8,
        help="νήματα εξυπηρέτησης αιτημάτων (προεπιλογή 8) / request threads (default 8)",
    )
    serve.set_defaults(func=cmd_serve)

    user = subparsers.add_parser(
        "user",
        help="διαχείριση των λογαριασμών χρηστών της διαδικτυακής εφαρμογής / "
        "manage the web application's user accounts",
    )
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="προσθήκη λογαριασμού χρήστη / add a user account")
    add.add_argument("username", help="το όνομα σύνδεσης του λογαριασμού / the account's login name")
    add.add_argument(
        "--role",
        required=True,
        choices=USER_ROLES,
        help="ρόλος: coordinator (συντονιστής/τρια), driver (οδηγός), management (διοίκηση) "
        "ή admin (διαχειριστής) / role: coordinator, driver, management or admin",
    )
    add.add_argument(
        "--display-name",
        default=None,
        help="το ονοματεπώνυμο που εμφανίζεται στην εφαρμογή / full name shown in the application",
    )
    add.add_argument(
        "--unit",
        default=None,
        help="η μονάδα ενός οδηγού, με το όνομα ή τον κωδικό της (προεπιλογή: η μόνη μονάδα του μητρώου, "
        "αν έχει μία) / a driver's unit, by name or id (default: the register's only unit, if it has one)",
    )
    add.add_argument(
        "--locale",
        default="el",
        choices=("el", "en"),
        help="η γλώσσα της εφαρμογής για τον χρήστη: el (ελληνικά, η προεπιλογή) ή en (αγγλικά) / "
        "the user's application language: el (Greek, the default) or en (English)",
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="ανάγνωση του κωδικού πρόσβασης από την τυπική είσοδο / read the password from standard input",
    )
    add.add_argument(
        "--update",
        action="store_true",
        help="αντικατάσταση του ρόλου και του κωδικού πρόσβασης ενός υπάρχοντος λογαριασμού / "
        "replace an existing account's role and password",
    )
    add.add_argument("--db", default=None, metavar="PATH", help=_DB_HELP)
    add.set_defaults(func=cmd_user_add)
    unit = user_sub.add_parser(
        "unit", help="ορισμός ή αλλαγή της μονάδας ενός οδηγού / set or change a driver's unit"
    )
    unit.add_argument("username", help="το όνομα σύνδεσης του οδηγού / the driver's login name")
    unit.add_argument("unit", help="το όνομα ή ο κωδικός της μονάδας / the unit's name or id")
    unit.add_argument("--db", default=None, metavar="PATH", help=_DB_HELP)
    unit.set_defaults(func=cmd_user_unit)
    demo = user_sub.add_parser(
        "demo",
        help="δημιουργία των λογαριασμών επίδειξης (δημόσιοι κωδικοί πρόσβασης: μόνο για επίδειξη) / "
        "create the demo accounts (public passwords: demo only)",
    )
    demo.add_argument("--db", default=None, metavar="PATH", help=_DB_HELP)
    demo.set_defaults(func=cmd_user_demo)
