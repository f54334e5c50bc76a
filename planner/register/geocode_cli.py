"""``kinito geocode``: the point of one address in a settlement, and where it came from.

    kinito geocode [--db URL] [--server URL] [--user-agent UA] [--timeout S] "ADDRESS" --settlement NAME

The settlement is found as everywhere else (Greek or Latin, any case or accents, or the
ELSTAT code; an ambiguous or unknown name is an error naming the candidates). Without a
server (``--server`` or ``$KINITO_GEOCODER_URL``) the answer is the settlement's point. With
one, the answer is cached in the register, so asking again sends nothing. The point goes to
standard output; a fallback's reason to standard error.

Exit codes: 0 a point was printed (the settlement's point after a failed lookup included);
2 bad input (unknown settlement, database not initialised, invalid server URL).

This module imports only ``argparse`` at import time: the ``kinito`` command stays quick.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_commands", "cmd_geocode"]

_EXIT_OK, _EXIT_INPUT = 0, 2

_SOURCE_WORDS = {
    "exact": "ακριβείς συντεταγμένες / exact coordinates",
    "geocoded": "γεωκωδικοποίηση διεύθυνσης / geocoded address",
    "settlement": "σημείο του οικισμού (ΕΛΣΤΑΤ) / settlement point (ELSTAT)",
}


def add_commands(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``kinito geocode`` to the ``kinito`` command's subparsers."""
    g = subparsers.add_parser(
        "geocode",
        help="το σημείο μιας διεύθυνσης σε οικισμό (με γεωκωδικοποίηση και αποθήκευση, "
        "ή το σημείο του οικισμού) / "
        "the point of an address in a settlement (geocoded and cached, or the settlement's)",
    )
    g.add_argument(
        "address",
        help='η διεύθυνση (οδός και αριθμός), π.χ. "Ερμού 12" / the street address, e.g. "Ερμού 12"',
    )
    g.add_argument(
        "--settlement",
        required=True,
        help="όνομα οικισμού (με ελληνικούς ή λατινικούς χαρακτήρες) ή κωδικός ΕΛΣΤΑΤ / "
        "settlement name (Greek or Latin) or ELSTAT code",
    )
    g.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="αρχείο ή URL της βάσης δεδομένων (προεπιλογή: $KINITO_DATABASE_URL, $DATABASE_URL, "
        "αλλιώς instance/kinito.sqlite3) / database file or URL (default: $KINITO_DATABASE_URL, "
        "$DATABASE_URL, else instance/kinito.sqlite3)",
    )
    g.add_argument(
        "--server",
        default=None,
        metavar="URL",
        help="διακομιστής Nominatim (προεπιλογή: $KINITO_GEOCODER_URL· χωρίς διακομιστή: "
        "το σημείο του οικισμού) / "
        "Nominatim server (default: $KINITO_GEOCODER_URL; none: the settlement's point)",
    )
    g.add_argument(
        "--user-agent",
        default=None,
        help="το User-Agent των αιτημάτων HTTP (προεπιλογή: $KINITO_GEOCODER_USER_AGENT, "
        "αλλιώς kinito/<έκδοση>) / "
        "HTTP user agent (default: $KINITO_GEOCODER_USER_AGENT, else kinito/<version>)",
    )
    g.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="δευτερόλεπτα ανά αίτημα (προεπιλογή 10) / seconds per request (default 10)",
    )
    g.set_defaults(func=cmd_geocode)


def _err(message: str) -> None:
    print(f"kinito: {message}", file=sys.stderr)


def cmd_geocode(args: argparse.Namespace) -> int:
    """Locate one address: print the point and its source; cache what the server said."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from planner.register.db import cannot_open, database_url, make_engine, session_scope
    from planner.register.geocode import DEFAULT_TIMEOUT, Geocoder, geocoder_url, locate_beneficiary
    from planner.register.models import Settlement
    from planner.register.settlements import find_in_register

    url = database_url(args.db)
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string()
    server = geocoder_url(args.server)
    try:
        geocoder = (
            None
            if server is None
            else Geocoder(
                server,
                user_agent=args.user_agent,
                timeout=args.timeout if args.timeout is not None else DEFAULT_TIMEOUT,
            )
        )
    except ValueError as exc:
        _err(str(exc))
        return _EXIT_INPUT
    no_init = (
        f"η βάση {where} δεν έχει οικισμούς: τρέξτε πρώτα «kinito init» / "
        f"the database {where} has no settlements: run 'kinito init' first"
    )
    sqlite_file = url.get_backend_name() == "sqlite" and not (url.database or ":").startswith((":", "file:"))
    if sqlite_file and not Path(url.database or "").is_file():  # leave no empty file behind a typo
        _err(no_init)
        return _EXIT_INPUT
    try:
        engine = make_engine(url)
    except (OSError, ImportError) as exc:
        _err(cannot_open(str(where), exc))
        return _EXIT_INPUT
    try:
        with session_scope(engine, actor="kinito geocode") as session:
            try:
                count = session.scalar(select(func.count()).select_from(Settlement)) or 0
            except SQLAlchemyError:
                count = 0
            if count == 0:
                _err(no_init)
                return _EXIT_INPUT
            match = find_in_register(session, args.settlement)
            if not match.found or match.settlement is None:
                _err(match.message)
                return _EXIT_INPUT
            settlement = match.settlement
            located = locate_beneficiary(session, settlement.code, args.address, geocoder=geocoder)
    finally:
        engine.dispose()

    print(f"οικισμός / settlement: {settlement.name_el} ({settlement.name_latin}, {settlement.code})")
    print(f"σημείο / point: {located.lat:.6f}, {located.lon:.6f}")
    source = _SOURCE_WORDS[located.source]
    if located.source == "geocoded" and geocoder is not None:
        source += f" ({geocoder.server})"
    print(f"προέλευση / source: {source}")
    if located.source == "geocoded" and located.display_name:
        print(f"όνομα στον χάρτη / map name: {located.display_name}")
    if located.message:
        _err(located.message)
    elif geocoder is None and args.address.strip():
        _err(
            "δεν έχει οριστεί υπηρεσία γεωκωδικοποίησης (--server ή KINITO_GEOCODER_URL) / "
            "no geocoder is configured (--server or KINITO_GEOCODER_URL)"
        )
    return _EXIT_OK
