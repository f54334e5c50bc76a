"""The ``kinito backup`` and ``kinito restore`` commands: the whole register in one file and back.

    kinito backup [--db URL] [--out FILE]
    kinito restore FILE [--db URL] --yes

A copy of the ``.sqlite3`` file alone is not a backup while the web application runs: the
newest changes may still be in the ``-wal`` file beside it. ``backup`` uses SQLite's online
backup, which copies a consistent snapshot of everything committed, WAL included, while the
web application keeps running; the copy is checked (``PRAGMA integrity_check``) and readable by
its owner only (it holds people's names, addresses and health notes). By default it goes to
``backups/`` beside the register, named by the time it was made. A register from a newer
Kinito is backed up as any other (only restoring it needs that Kinito). The same copy is made
before an upgrade (:func:`planner.register.migrate.upgrade`, run by ``kinito init``, ``serve``
and the other commands): ``backups/<name>-before-upgrade-<time>.sqlite3``.

``restore`` replaces the register with a backup: the file is checked first (a SQLite file,
intact, a Kinito register of this version or an older one), copied beside the register and,
if older, brought up to this version's schema (:func:`planner.register.migrate.upgrade`); only
when that worked is the register as it is backed up beside it (``…-before-restore-….sqlite3``,
so a restore can itself be undone) and the upgraded copy copied in, in the same online way. A
backup whose upgrade fails leaves the register as it was, and the message names the migration.
It asks for ``--yes``: what was recorded since the backup is replaced (it stays in the file
made before the restore). Stop the web application first, or its users' open pages will show
the restored register at their next click.

SQLite only: a PostgreSQL register is backed up with ``pg_dump``.

Exit codes as in :mod:`planner.cli`: 0 fine; 2 bad input (no register, a file that is not a
Kinito register, a target that exists, no ``--yes``).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from planner.register.calendar import ATHENS
from planner.register.io_cli import _DB_HELP

__all__ = ["add_commands", "backup_file", "check_register_file", "cmd_backup", "cmd_restore"]

# what a backup's summary counts, and what a register must have
COUNTED = (
    ("beneficiaries", "ωφελούμενοι", "beneficiaries"),
    ("care_plans", "πλάνα φροντίδας", "care plans"),
    ("plan_versions", "εκδόσεις πλάνων", "plan versions"),
    ("visit_outcomes", "εκβάσεις", "outcomes"),
    ("audit_log", "εγγραφές ελέγχου", "audit entries"),
)


class BackupError(Exception):
    """Why a backup or a restore cannot be done, in Greek then English."""


def _register_file(db: str | None) -> Path:
    from planner.register.db import database_url

    url = database_url(db)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "η αντιγραφή ασφαλείας γίνεται εδώ μόνο για μητρώο σε αρχείο SQLite· για PostgreSQL "
            "χρησιμοποιήστε το pg_dump / backups here are for a SQLite register file only; for "
            "PostgreSQL use pg_dump"
        )
    return Path(url.database)


def _stamp() -> str:
    """The time of a backup in its file's name: Athens time, as the office reads it."""
    return datetime.now(ATHENS).strftime("%Y%m%d-%H%M%S")


def _copy(source: Path, target: Path, *, standalone: bool = False) -> None:
    """SQLite's online backup of ``source`` into ``target`` (a consistent snapshot, WAL included);
    ``standalone``: the copy in rollback-journal mode, one file with no ``-wal`` beside it."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
            if standalone:
                dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def check_register_file(path: Path, *, newer: bool = False) -> dict[str, int]:
    """The row counts of a backup file (see ``COUNTED``) after checking that it is an intact
    Kinito register this version can open (``newer``: or one from a newer Kinito, which a
    backup copies as it is); BackupError says what is wrong."""
    from planner.register.migrate import head_revision, known_revisions

    if not path.is_file():
        raise BackupError(f"δεν υπάρχει το αρχείο {path} / no file {path}")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            (ok,) = con.execute("PRAGMA integrity_check").fetchone()
            tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revision = (
                con.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables
                else None
            )
            missing = [name for name, _el, _en in COUNTED if name not in tables]
            counts = {} if missing else {
                name: int(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # the names: COUNTED's
                for name, _el, _en in COUNTED
            }  # fmt: skip
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"το {path} δεν είναι βάση SQLite ({exc}) / {path} is not a SQLite database ({exc})"
        ) from exc
    if ok != "ok":
        raise BackupError(f"το {path} είναι κατεστραμμένο ({ok}) / {path} is damaged ({ok})")
    if revision is None or missing:
        raise BackupError(f"το {path} δεν είναι μητρώο του Kinito / {path} is not a Kinito register")
    if revision[0] not in known_revisions() and not newer:
        raise BackupError(
            f"το {path} είναι από νεότερη έκδοση του Kinito (σχήμα {revision[0]}, αυτή η έκδοση "
            f"φτάνει ως το {head_revision()}) / {path} comes from a newer Kinito (schema "
            f"{revision[0]}; this one knows up to {head_revision()})"
        )
    return counts


def backup_file(register: Path, target: Path) -> dict[str, int]:
    """Back ``register`` up into ``target`` (which must not exist), checked; its row counts. A
    register from a newer Kinito is backed up too (only its restore needs that Kinito)."""
    if not register.is_file():
        raise BackupError(
            f"δεν υπάρχει βάση στο {register}: τρέξτε πρώτα «kinito init» / "
            f"no database at {register}: run 'kinito init' first"
        )
    if target.exists():
        raise BackupError(
            f"το {target} υπάρχει ήδη: δώστε άλλο όνομα / {target} exists already: give another name"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.touch(mode=0o600)
    os.chmod(target, 0o600)
    try:
        _copy(register, target, standalone=True)
        return check_register_file(target, newer=True)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _default_target(register: Path, label: str = "") -> Path:
    return register.parent / "backups" / f"{register.stem}{label}-{_stamp()}.sqlite3"


def free_target(register: Path, label: str = "") -> Path:
    """``backups/<name><label>-<time>.sqlite3`` beside ``register``, with ``-2``, ``-3``… after the
    time when a copy of the same second is there already (two upgrades in a row)."""
    first = target = _default_target(register, label)
    n = 1
    while target.exists():
        n += 1
        target = first.with_name(f"{first.stem}-{n}.sqlite3")
    return target


def _counts_line(counts: dict[str, int]) -> str:
    el = ", ".join(f"{counts[name]} {word}" for name, word, _en in COUNTED)
    en = ", ".join(f"{counts[name]} {word}" for name, _el, word in COUNTED)
    return f"{el} / {en}"


def cmd_backup(args: argparse.Namespace) -> int:
    """Back the register up into one checked file."""
    from planner.cli import EXIT_INPUT, EXIT_OK, _err

    try:
        register = _register_file(args.db)
        target = Path(args.out) if args.out else _default_target(register)
        counts = backup_file(register, target)
    except BackupError as exc:
        _err(str(exc))
        return EXIT_INPUT
    except OSError as exc:
        _err(f"δεν γράφεται το αντίγραφο / cannot write the backup: {exc.strerror or exc}")
        return EXIT_INPUT
    print(f"αντίγραφο ασφαλείας / backup: {target} ({target.stat().st_size // 1024} KB)")
    print(f"  {_counts_line(counts)}")
    return EXIT_OK


def _upgraded_copy(source: Path, register: Path) -> tuple[Path, str]:
    """A private copy of the backup ``source`` beside ``register``, brought to this version's
    schema and in rollback-journal mode (one file), and the revision it reached; BackupError
    when it cannot be upgraded (the register is not touched), the copy then removed."""
    from planner.register.db import make_engine
    from planner.register.migrate import UpgradeFailed, upgrade

    folder = register.parent
    handle, name = tempfile.mkstemp(prefix=f".{register.stem}-restoring-", suffix=".sqlite3", dir=folder)
    os.close(handle)  # mkstemp: readable by its owner only
    copy = Path(name)
    try:
        _copy(source, copy, standalone=True)
        engine = make_engine(copy)
        try:
            revision = upgrade(engine, backup=False, notify=None)
        except UpgradeFailed as exc:
            step = f"η μετάβαση {exc.failed} απέτυχε: " if exc.failed else ""
            step_en = f"migration {exc.failed} failed: " if exc.failed else ""
            raise BackupError(
                f"δεν έγινε η επαναφορά: το αντίγραφο {source} δεν μπορεί να φερθεί στο σχήμα αυτής "
                f"της έκδοσης ({step}{exc.reason})· το μητρώο {register} δεν άλλαξε / the restore was "
                f"not done: the backup {source} cannot be brought to this version's schema ({step_en}"
                f"{exc.reason}); the register {register} is unchanged"
            ) from exc
        finally:
            engine.dispose()
        con = sqlite3.connect(copy)
        try:
            con.execute("PRAGMA journal_mode=DELETE")
        finally:
            con.close()
    except BaseException:
        _remove(copy)
        raise
    return copy, revision


def _remove(file: Path) -> None:
    for path in (file, Path(f"{file}-wal"), Path(f"{file}-shm"), Path(f"{file}-journal")):
        path.unlink(missing_ok=True)


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the register with a checked backup, keeping the register as it was beside it.

    The backup is copied and brought to this version's schema first, beside the register; only
    when that worked is the register backed up and replaced: a backup that cannot be upgraded
    (a migration fails on its data) leaves the register as it was."""
    from planner.cli import EXIT_INPUT, EXIT_OK, _err
    from planner.register.db import create_private_file

    source = Path(args.file)
    upgraded: Path | None = None
    kept: Path | None = None
    try:
        register = _register_file(args.db)
        counts = check_register_file(source)
        if source.resolve() == register.resolve():
            raise BackupError("το αντίγραφο είναι το ίδιο το μητρώο / the backup is the register itself")
        if not args.yes:
            raise BackupError(
                f"η επαναφορά αντικαθιστά το μητρώο {register} με το {source} ({_counts_line(counts)}): "
                "ό,τι καταγράφηκε μετά το αντίγραφο θα κρατηθεί μόνο στο αντίγραφο του τωρινού μητρώου. "
                "Προσθέστε --yes για να γίνει / restoring replaces the register "
                f"{register} with {source}; what was recorded after the backup is kept only in the copy "
                "of the register as it is now. Add --yes to go ahead"
            )
        register.parent.mkdir(parents=True, exist_ok=True)
        upgraded, revision = _upgraded_copy(source, register)
        if register.is_file():
            kept = free_target(register, "-before-restore")
            backup_file(register, kept)
        else:  # a new register file, its owner's alone as kinito init makes it
            create_private_file(register)
        _copy(upgraded, register)
    except BackupError as exc:
        _err(str(exc))
        return EXIT_INPUT
    except (OSError, sqlite3.Error) as exc:
        from planner.register.db import busy_message

        why = busy_message(exc) or getattr(exc, "strerror", None) or exc
        _err(f"δεν έγινε η επαναφορά / the restore failed: {why}")
        if kept is not None:
            _err(f"το μητρώο όπως ήταν / the register as it was: {kept}")
        return EXIT_INPUT
    finally:
        if upgraded is not None:
            _remove(upgraded)
    if kept is not None:
        print(f"το μητρώο όπως ήταν / the register as it was: {kept}")
    print(f"επαναφορά / restored: {register} ← {source} (σχήμα / schema {revision})")
    print(f"  {_counts_line(counts)}")
    return EXIT_OK


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``backup`` and ``restore`` to the ``kinito`` parser's subcommands."""
    b = subparsers.add_parser(
        "backup",
        help="αντίγραφο ασφαλείας ολόκληρου του μητρώου σε ένα αρχείο, και με τον διακομιστή σε λειτουργία / "
        "back the whole register up into one file, also while the server runs",
    )
    b.add_argument("--db", default=None, metavar="URL", help=_DB_HELP)
    b.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="το αρχείο του αντιγράφου (προεπιλογή: backups/<όνομα>-<ώρα>.sqlite3 δίπλα στο μητρώο) / "
        "the backup file (default: backups/<name>-<time>.sqlite3 beside the register)",
    )
    b.set_defaults(func=cmd_backup)
    r = subparsers.add_parser(
        "restore",
        help="επαναφορά του μητρώου από αντίγραφο ασφαλείας (το τωρινό κρατιέται δίπλα) / "
        "restore the register from a backup (the current one is kept beside it)",
    )
    r.add_argument("file", type=Path, metavar="FILE", help="το αντίγραφο ασφαλείας / the backup file")
    r.add_argument("--db", default=None, metavar="URL", help=_DB_HELP)
    r.add_argument(
        "--yes",
        action="store_true",
        help="ναι, να αντικατασταθεί το μητρώο / yes, replace the register",
    )
    r.set_defaults(func=cmd_restore)
