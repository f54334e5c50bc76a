"""The ``kinito import``, ``kinito export`` and ``kinito template`` commands.

    kinito import FILE [--db URL] [--kind beneficiaries|stops] [--dry-run] [--actor NAME]
    kinito export [--db URL] --format xlsx|csv --out PATH [--what register|plans|outcomes|all]
    kinito template --out PATH [--format xlsx|csv] [--kind beneficiaries|stops]

Exit codes as in :mod:`planner.cli`: 0 fine; 2 bad input (a file with errors: nothing written;
a database that cannot be opened or is not initialised).

Heavy imports (SQLAlchemy, openpyxl) happen inside the commands, so ``kinito --help`` stays fast.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from planner.register.importer import ImportReport

__all__ = [
    "add_commands",
    "cmd_export",
    "cmd_import",
    "cmd_template",
    "format_changes",
    "format_report",
    "format_settlements",
]

_DB_HELP = (
    "αρχείο ή URL της βάσης δεδομένων (προεπιλογή: $KINITO_DATABASE_URL, $DATABASE_URL, "
    "αλλιώς instance/kinito.sqlite3) / "
    "database file or URL (default: $KINITO_DATABASE_URL, $DATABASE_URL, else instance/kinito.sqlite3)"
)


def _open_register(db: str | None) -> tuple[Engine | None, str]:
    """An engine on an initialised register, or ``None`` after printing why not (Greek first)."""
    from sqlalchemy.exc import SQLAlchemyError

    from planner.cli import _err
    from planner.register.db import cannot_open, database_url, make_engine
    from planner.register.migrate import SchemaTooNew, current_revision, head_revision

    url = database_url(db)
    where = str(url.database) if url.get_backend_name() == "sqlite" else url.render_as_string()
    if url.get_backend_name() == "sqlite" and not Path(where).is_file():
        _err(
            f"δεν υπάρχει βάση στο {where}: τρέξτε πρώτα «kinito init» / "
            f"no database at {where}: run 'kinito init' first"
        )
        return None, where
    try:
        engine = make_engine(url)
    except (OSError, SQLAlchemyError, ImportError) as exc:
        _err(cannot_open(str(where), exc))
        return None, where
    try:
        revision = current_revision(engine)
    except SchemaTooNew as exc:  # not "run kinito init": init refuses it, this Kinito is older
        engine.dispose()
        _err(str(exc))
        return None, where
    except (OSError, SQLAlchemyError) as exc:
        engine.dispose()
        _err(cannot_open(str(where), exc))
        return None, where
    if revision != head_revision():
        engine.dispose()
        _err(
            f"η βάση {where} δεν είναι ενημερωμένη (έκδοση {revision or 'κενή'}): τρέξτε «kinito init» / "
            f"the database {where} is not up to date (revision {revision or 'empty'}): run 'kinito init'"
        )
        return None, where
    return engine, where


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


SHOWN_CHANGES = 100  # rows added or updated listed by the command line; the rest are counted


def format_changes(report: ImportReport, limit: int = SHOWN_CHANGES) -> list[str]:
    """Each row added or updated, in Greek then English: who or what, and each column changed
    with its old and new value; the first ``limit`` of them, then how many more."""
    if not report.changes:
        return []
    done = report.written and not report.dry_run
    lines = [
        "αλλαγές / changes:" if done else "θα γίνουν αυτές οι αλλαγές / the import would make these changes:"
    ]
    for change in report.changes[:limit]:
        lines.append(f"  γραμμή {change.row}, {change.action_text('el')}: {change.text('el')}")
        lines.append(f"  row {change.row}, {change.action_text('en')}: {change.text('en')}")
    more = len(report.changes) - limit
    if more > 0:
        lines.append(f"  … και {more} ακόμη / … and {more} more")
    return lines


def format_settlements(report: ImportReport) -> list[str]:
    """The settlements the file names otherwise than by their official names, each with the
    settlement it was taken to be and its rows, in Greek then English: a wrong guess (another
    village of a similar name) is caught before importing."""
    if not report.settlements:
        return []
    lines = [
        "οικισμοί που βρέθηκαν με άλλο όνομα, ελέγξτε τους / "
        "settlements found under another name, check them:"
    ]
    for guess in report.settlements:
        lines.append(f"  {guess.text('el')}")
        lines.append(f"  {guess.text('en')}")
    return lines


def format_report(report: ImportReport) -> str:
    """The import report as a text table (row, column, value, message in Greek then English)."""
    lines = [f"αρχείο / file: {report.path}  ({report.kind or '?'})"]
    if report.issues:
        lines.append(f"{'Γραμμή/Row':>10}  {'Στήλη/Column':<24}  {'Τιμή/Value':<22}  Μήνυμα / Message")
        lines.append("-" * 100)
        for issue in report.issues:
            row = "αρχείο" if issue.row is None else str(issue.row)
            mark = "" if issue.severity == "error" else "(προειδοποίηση / warning) "
            lines.append(
                f"{row:>10}  {_clip(issue.column or '', 24):<24}  {_clip(issue.value, 22):<22}  "
                f"{mark}{issue.message_el}"
            )
            lines.append(f"{'':>10}  {'':<24}  {'':<22}  {issue.message_en}")
        lines.append("-" * 100)
    lines += format_settlements(report)
    if not report.ok:
        lines.append(
            f"σφάλματα / errors: {len(report.errors)} σε {report.rows} γραμμές δεδομένων / in {report.rows} "
            "data rows: δεν γράφτηκε τίποτα / nothing was written"
        )
        return "\n".join(lines)
    lines += format_changes(report)
    lines.append(
        f"γραμμές δεδομένων / data rows: {report.rows}; νέες / added {report.added}, ενημερώθηκαν / updated "
        f"{report.updated}, αμετάβλητες / unchanged {report.unchanged}"
    )
    if report.dry_run:
        lines.append("δοκιμή: δεν γράφτηκε τίποτα / dry run: nothing was written")
    return "\n".join(lines)


def cmd_import(args: argparse.Namespace) -> int:
    """Validate a file and, if it has no errors, import it in one transaction."""
    from sqlalchemy.exc import SQLAlchemyError

    from planner.cli import EXIT_INPUT, EXIT_OK, _err
    from planner.register.importer import import_file

    path = Path(args.file)
    if not path.is_file():
        _err(f"δεν βρέθηκε το αρχείο {path} / file not found: {path}")
        return EXIT_INPUT
    engine, where = _open_register(args.db)
    if engine is None:
        return EXIT_INPUT
    try:
        report = import_file(engine, path, kind=args.kind, actor=args.actor, dry_run=args.dry_run)
    except SQLAlchemyError as exc:
        _err(
            f"η βάση {where} απέρριψε την εισαγωγή, δεν γράφτηκε τίποτα / the database {where} refused "
            f"the import, nothing was written: {str(exc).splitlines()[0]}"
        )
        return EXIT_INPUT
    finally:
        engine.dispose()
    print(format_report(report))
    return EXIT_OK if report.ok else EXIT_INPUT


def _format_mismatch(out: Path, fmt: str, csv_folder: bool) -> str | None:
    """Why ``out`` cannot take ``fmt`` (an XLSX workbook in a file not named .xlsx, CSV in
    one named .xlsx...), in Greek and English; ``None`` when it can."""
    if out.is_dir():
        return None
    suffix = out.suffix.lower()
    if fmt == "xlsx" and suffix != ".xlsx":
        return (
            f"{out}: ένα αρχείο XLSX πρέπει να τελειώνει σε .xlsx (ή δώστε --format csv) / "
            f"an XLSX workbook must be named .xlsx (or give --format csv)"
        )
    if fmt == "csv" and (suffix in (".xlsx", ".xls") or (not csv_folder and suffix not in ("", ".csv"))):
        if csv_folder:
            return f"{out}: για CSV δώστε φάκελο (ή --format xlsx) / for CSV give a folder (or --format xlsx)"
        return (
            f"{out}: για CSV δώστε αρχείο .csv (ή --format xlsx) / "
            "for CSV give a .csv file (or --format xlsx)"
        )
    return None


def cmd_export(args: argparse.Namespace) -> int:
    """Export the register, plan versions and/or outcomes to XLSX or CSV."""
    from planner.cli import EXIT_INPUT, EXIT_OK, _err
    from planner.register.exporter import export

    out = Path(args.out)
    mismatch = _format_mismatch(out, args.format, csv_folder=True)
    if mismatch:
        _err(mismatch)
        return EXIT_INPUT
    engine, _where = _open_register(args.db)
    if engine is None:
        return EXIT_INPUT
    try:
        written = export(engine, args.format, out, args.what)
    except OSError as exc:
        _err(f"δεν γράφεται το {out} / cannot write {out}: {exc.strerror or exc}")
        return EXIT_INPUT
    finally:
        engine.dispose()
    for path in written:
        print(f"εξαγωγή / exported: {path}")
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    """Write the shipped import template (Greek headers, an example row) to ``--out``."""
    from planner.cli import EXIT_INPUT, EXIT_OK, _err
    from planner.register.exporter import template_path

    out = Path(args.out)
    fmt: Literal["xlsx", "csv"] = args.format or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    # a folder: one that exists, or one written as a folder ("πρότυπα/"), made as export makes it
    if out.is_dir() or str(args.out).endswith(("/", os.sep)):
        out = out / f"{args.kind}.{fmt}"
    elif not out.suffix:
        out = out.with_suffix(f".{fmt}")
    mismatch = _format_mismatch(out, fmt, csv_folder=False)
    if mismatch:
        _err(mismatch)
        return EXIT_INPUT
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template_path(args.kind, fmt), out)
    except OSError as exc:
        _err(f"δεν γράφεται το {out} / cannot write {out}: {exc.strerror or exc}")
        return EXIT_INPUT
    print(f"πρότυπο / template: {out}")
    return EXIT_OK


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def add_commands(subparsers: Any) -> None:
    """Add ``import``, ``export`` and ``template`` to the ``kinito`` parser's subcommands."""
    p = subparsers.add_parser(
        "import",
        help="εισαγωγή ωφελουμένων ή στάσεων σε χωριά από XLSX/CSV / "
        "import beneficiaries or village stops from XLSX/CSV",
    )
    p.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="το αρχείο XLSX ή CSV προς εισαγωγή / the XLSX or CSV file to import",
    )
    p.add_argument("--db", default=None, metavar="URL", help=_DB_HELP)
    p.add_argument(
        "--kind",
        choices=("beneficiaries", "stops"),
        default=None,
        help="τι περιέχει το αρχείο (beneficiaries: ωφελούμενους, stops: στάσεις σε οικισμούς· "
        "προεπιλογή: από τις επικεφαλίδες) / what the file holds (default: from headers)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="έλεγχος και καταμέτρηση, χωρίς εγγραφή / validate and count, write nothing",
    )
    p.add_argument(
        "--actor",
        default=_actor(),
        help="ποιος κάνει την εισαγωγή, για το αρχείο ελέγχου (προεπιλογή: ο χρήστης του λειτουργικού "
        "συστήματος) / who imports, for the audit log (default: the OS user)",
    )
    p.set_defaults(func=cmd_import)
    e = subparsers.add_parser(
        "export",
        help="εξαγωγή του μητρώου, των πλάνων και των εκβάσεων σε XLSX ή CSV / "
        "export the register, plans and outcomes to XLSX or CSV",
    )
    e.add_argument("--db", default=None, metavar="URL", help=_DB_HELP)
    e.add_argument(
        "--format",
        choices=("xlsx", "csv"),
        required=True,
        help="xlsx: ένα αρχείο με ένα φύλλο ανά πίνακα· csv: ένα αρχείο ανά πίνακα (UTF-8, «;») / "
        "xlsx: one file, a sheet per table; csv: one file per table (UTF-8, ';')",
    )
    e.add_argument(
        "--out",
        required=True,
        type=Path,
        help="το αρχείο .xlsx ή ο φάκελος για τα αρχεία CSV / "
        "the .xlsx file, or the folder for the CSV files",
    )
    e.add_argument(
        "--what",
        choices=("register", "plans", "outcomes", "all"),
        default="all",
        help="τι εξάγεται: register (μητρώο), plans (πλάνα), outcomes (εκβάσεις) ή all (όλα, "
        "προεπιλογή) / what to export: register, plans, outcomes or all (default)",
    )
    e.set_defaults(func=cmd_export)
    t = subparsers.add_parser(
        "template",
        help="εγγραφή του προτύπου εισαγωγής (ελληνικές επικεφαλίδες, μια γραμμή-παράδειγμα) / "
        "write the import template (Greek headers, an example row)",
    )
    t.add_argument(
        "--out",
        required=True,
        help="το αρχείο (ή ο φάκελος, π.χ. πρότυπα/) προς εγγραφή / "
        "file (or folder, e.g. templates/) to write",
    )
    t.add_argument(
        "--format",
        choices=("xlsx", "csv"),
        default=None,
        help="προεπιλογή: από το --out, αλλιώς xlsx / default: from --out, else xlsx",
    )
    t.add_argument(
        "--kind",
        choices=("beneficiaries", "stops"),
        default="beneficiaries",
        help="πρότυπο για beneficiaries (ωφελούμενους, προεπιλογή) ή stops (στάσεις σε "
        "οικισμούς) / template for beneficiaries (default) or village stops",
    )
    t.set_defaults(func=cmd_template)
