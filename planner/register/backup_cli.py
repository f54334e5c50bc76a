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
so a restore can itself be undone) and the upgraded copy's contents put in, the register's
write lock held from that copy to the replacement (as an upgrade holds it): the web
application's writers wait, and everything they committed is in one of the two files. A
damaged register (the main reason to restore) is kept as its files are and replaced. The
restored register's audit log says who restored it, from which file. A backup whose upgrade
fails leaves the register as it was, and the message names the migration. It asks for
``--yes``: what was recorded since the backup is replaced (it stays in the file made before
the restore). Stop the web application first, or its users' open pages will show the
restored register at their next click.

SQLite only: a PostgreSQL register is backed up with ``pg_dump``.

Exit codes as in :mod:`planner.cli`: 0 fine; 2 bad input (no register, a file that is not a
Kinito register, a target that exists, no ``--yes``).
"""

from __future__ import annotations

import argparse
import errno
import getpass
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
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


class DamagedRegister(BackupError):
    """The register itself cannot be copied the online way: it is damaged, or no SQLite file
    at all; ``why``: SQLite's words, in one line."""

    def __init__(self, message: str, why: str) -> None:
        super().__init__(message)
        self.why = why


SQLITE_HEADER = b"SQLite format 3\x00"


def _register_file(db: str | None) -> Path:
    from planner.register.db import database_url

    url = database_url(db)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "η αντιγραφή ασφαλείας γίνεται εδώ μόνο για μητρώο σε αρχείο SQLite· για PostgreSQL "
            "χρησιμοποιήστε το pg_dump / backups here are for a SQLite register file only; for "
            "PostgreSQL use pg_dump"
        )
    register = Path(url.database)
    if register.is_dir():
        raise BackupError(
            f"το {register} είναι φάκελος, όχι αρχείο μητρώου: δώστε στο --db το αρχείο .sqlite3 / "
            f"{register} is a folder, not a register file: give --db the .sqlite3 file"
        )
    return register


def _stamp() -> str:
    """The time of a backup in its file's name: Athens time, as the office reads it."""
    return datetime.now(ATHENS).strftime("%Y%m%d-%H%M%S")


def _one_line(text: str) -> str:
    """SQLite's findings in one line: an integrity check lists every damaged page, over lines."""
    lines = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("*** in database")
    ]
    if not lines:
        return text.strip()
    return lines[0] + (" …" if len(lines) > 1 else "")


def _is_sqlite(path: Path) -> bool:
    """``path`` starts as a SQLite file does: what SQLite cannot read in it is damage."""
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _is_damage(exc: BaseException) -> bool:
    """``exc`` is SQLite finding the file damaged or no database ("database disk image is
    malformed", "file is not a database"), not failing to open or lock it."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc)
    return (
        name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
        or "malformed" in text
        or "not a database" in text
    )


def _unreadable(path: Path, exc: BaseException, *, register: bool) -> BackupError:
    """What to say when SQLite cannot read ``path`` (``register``: the register being copied,
    else a backup file): damaged, not a SQLite file, or not opened at all (no permission, a
    read-only folder), which is never called "not a SQLite database"."""
    from planner.register.db import cannot_open

    why = _one_line(str(exc)) or type(exc).__name__
    if not _is_damage(exc):
        return BackupError(cannot_open(str(path), exc))
    if _is_sqlite(path):
        if register:
            return DamagedRegister(
                f"το μητρώο {path} είναι κατεστραμμένο ({why}): δεν έγινε αντίγραφο / the register "
                f"{path} is damaged ({why}); no backup was made",
                why,
            )
        return BackupError(f"το {path} είναι κατεστραμμένο ({why}) / {path} is damaged ({why})")
    if register:
        return DamagedRegister(
            f"το {path} δεν είναι βάση SQLite ({why}): δεν έγινε αντίγραφο / {path} is not a SQLite "
            f"database ({why}); no backup was made",
            why,
        )
    return BackupError(f"το {path} δεν είναι βάση SQLite ({why}) / {path} is not a SQLite database ({why})")


def _open_read_only(path: Path) -> sqlite3.Connection:
    """``path`` opened read-only; a WAL file in a folder that cannot be written (a read-only
    disk, a copy on a USB stick) immutable, as ``kinito export`` reads it."""
    from planner.register.db import BUSY_TIMEOUT_S, read_only_uri

    return sqlite3.connect(read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_S)


def _copy(source: Path, target: Path, *, standalone: bool = False) -> None:
    """SQLite's online backup of ``source`` into ``target`` (a consistent snapshot, WAL included);
    ``standalone``: the copy in rollback-journal mode, one file with no ``-wal`` beside it."""
    from planner.register.db import BUSY_TIMEOUT_S

    src = _open_read_only(source)
    try:
        dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S)
        try:
            src.backup(dst)
            if standalone:
                dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


@dataclass
class _Contents:
    """What a SQLite file holds: its integrity check's findings ("ok"), its schema revision
    (None: no ``alembic_version``), its row counts (None: not every ``COUNTED`` table)."""

    integrity: str
    revision: str | None = None
    counts: dict[str, int] | None = None


def _contents(path: Path) -> _Contents:
    """The integrity, revision and row counts of the SQLite file ``path``; sqlite3.Error when
    it cannot be read."""
    con = _open_read_only(path)
    try:
        integrity = "\n".join(str(row[0]) for row in con.execute("PRAGMA integrity_check"))
        if integrity != "ok":
            return _Contents(integrity)
        tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        row = (
            con.execute("SELECT version_num FROM alembic_version").fetchone()
            if "alembic_version" in tables
            else None
        )
        if any(name not in tables for name, _el, _en in COUNTED):
            return _Contents(integrity, row[0] if row else None)
        counts = {
            name: int(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # the names: COUNTED's
            for name, _el, _en in COUNTED
        }
        return _Contents(integrity, row[0] if row else None, counts)
    finally:
        con.close()


def check_register_file(path: Path, *, newer: bool = False) -> dict[str, int]:
    """The row counts of a backup file (see ``COUNTED``) after checking that it is an intact
    Kinito register this version can open (``newer``: or one from a newer Kinito, which a
    backup copies as it is); BackupError says what is wrong."""
    from planner.register.migrate import head_revision, known_revisions

    if not path.is_file():
        raise BackupError(f"δεν υπάρχει το αρχείο {path} / no file {path}")
    try:
        found = _contents(path)
    except sqlite3.Error as exc:
        raise _unreadable(path, exc, register=False) from exc
    if found.integrity != "ok":
        why = _one_line(found.integrity)
        raise BackupError(f"το {path} είναι κατεστραμμένο ({why}) / {path} is damaged ({why})")
    if found.revision is None or found.counts is None:
        raise BackupError(f"το {path} δεν είναι μητρώο του Kinito / {path} is not a Kinito register")
    if found.revision not in known_revisions() and not newer:
        raise BackupError(
            f"το {path} είναι από νεότερη έκδοση του Kinito (σχήμα {found.revision}, αυτή η έκδοση "
            f"φτάνει ως το {head_revision()}) / {path} comes from a newer Kinito (schema "
            f"{found.revision}; this one knows up to {head_revision()})"
        )
    return found.counts


def _full(target: Path, exc: BaseException) -> BackupError:
    cause = _one_line(str(exc))
    return BackupError(
        f"ο δίσκος του αρχείου αντιγράφου {target} είναι γεμάτος ({cause}): δεν έγινε αντίγραφο· "
        f"ελευθερώστε χώρο σε εκείνον τον δίσκο και δοκιμάστε ξανά / the disk of the backup file "
        f"{target} is full ({cause}): no backup was made; free some space on that disk and try again"
    )


def backup_file(register: Path, target: Path, *, kinito: bool = True) -> dict[str, int]:
    """Back ``register`` up into ``target`` (which must not exist), checked; its row counts. A
    register from a newer Kinito is backed up too (only its restore needs that Kinito); with
    ``kinito`` false any intact SQLite file is (the copy kept before a restore). What is wrong
    with the register is said of the register (DamagedRegister when it is damaged), what is
    wrong with the target of the target."""
    from planner.register import db

    if not register.is_file():
        raise BackupError(
            f"δεν υπάρχει βάση στο {register}: τρέξτε πρώτα «kinito init» / "
            f"no database at {register}: run 'kinito init' first"
        )
    if target.exists():
        raise BackupError(
            f"το {target} υπάρχει ήδη: δώστε άλλο όνομα / {target} exists already: give another name"
        )
    try:  # the register readable at all, before a file is made for its copy
        con = _open_read_only(register)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise _unreadable(register, exc, register=True) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    db.create_private_file(target)
    try:
        try:
            _copy(register, target, standalone=True)
            found = _contents(target)
        except sqlite3.Error as exc:
            if db.is_full(exc):
                raise _full(target, exc) from exc
            if _is_damage(exc):  # the online copy copies pages as they are: the register's damage
                raise _unreadable(register, exc, register=True) from exc
            raise
        if found.integrity != "ok":
            why = _one_line(found.integrity)
            raise DamagedRegister(
                f"το μητρώο {register} είναι κατεστραμμένο ({why}): δεν έγινε αντίγραφο / the "
                f"register {register} is damaged ({why}); no backup was made",
                why,
            )
        if kinito and (found.revision is None or found.counts is None):
            raise BackupError(
                f"το {register} δεν είναι μητρώο του Kinito: δεν έγινε αντίγραφο / {register} is not "
                "a Kinito register; no backup was made"
            )
        return found.counts or {}
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


def _os_message(exc: OSError) -> str:
    """An operating system's refusal in Greek and English, with the file it refused."""
    name = exc.filename
    where = f" {name}" if name else ""
    why = exc.strerror or str(exc)
    if isinstance(exc, PermissionError):
        return (
            f"δεν επιτρέπεται η εγγραφή ή η ανάγνωση του{where} ({why}): ελέγξτε τα δικαιώματα του "
            f"αρχείου και του φακέλου του / no permission to write or read{where} ({why}): check the "
            "permissions of the file and its folder"
        )
    if exc.errno == errno.ENOSPC:
        return (
            f"ο δίσκος του{where} είναι γεμάτος ({why}): ελευθερώστε χώρο σε αυτόν και δοκιμάστε ξανά / "
            f"the disk of{where} is full ({why}): free some space on it and try again"
        )
    if isinstance(exc, FileExistsError | NotADirectoryError) and name and Path(name).is_file():
        return (
            f"το {name} είναι αρχείο, εκεί που χρειάζεται φάκελος ({why}) / {name} is a file where a "
            f"folder is needed ({why})"
        )
    if isinstance(exc, IsADirectoryError) and name:
        return f"το {name} είναι φάκελος, όχι αρχείο ({why}) / {name} is a folder, not a file ({why})"
    return f"{name}: {why}" if name else why


def cmd_backup(args: argparse.Namespace) -> int:
    """Back the register up into one checked file."""
    from planner.cli import EXIT_INPUT, EXIT_OK, _err
    from planner.register.db import cannot_open

    register: Path | None = None
    try:
        register = _register_file(args.db)
        target = Path(args.out) if args.out else free_target(register)
        counts = backup_file(register, target)
    except BackupError as exc:
        _err(str(exc))
        return EXIT_INPUT
    except OSError as exc:
        _err(f"δεν γράφεται το αντίγραφο / cannot write the backup: {_os_message(exc)}")
        return EXIT_INPUT
    except sqlite3.Error as exc:
        _err(f"δεν έγινε αντίγραφο / no backup was made: {cannot_open(str(register), exc)}")
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


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _swap_in(con: sqlite3.Connection) -> None:
    """Replace everything in the register open in ``con``, in its write transaction, with the
    schema and rows of the database attached as ``restored``: tables, their rows, then indexes,
    triggers and views (so that no trigger runs on the copied rows)."""
    internal = "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    for kind in ("view", "trigger", "table"):
        for (name,) in con.execute(
            f"SELECT name FROM main.sqlite_master WHERE type = ? AND {internal}", (kind,)
        ).fetchall():
            con.execute(f"DROP {kind.upper()} IF EXISTS main.{_quoted(name)}")
    for (name,) in con.execute(
        "SELECT name FROM main.sqlite_master WHERE name LIKE 'sqlite\\_stat%' ESCAPE '\\'"
    ).fetchall():
        con.execute(f"DROP TABLE IF EXISTS main.{_quoted(name)}")  # ANALYZE's, of the tables dropped
    objects = con.execute(
        f"SELECT type, name, sql FROM restored.sqlite_master WHERE sql IS NOT NULL AND {internal} "
        "ORDER BY rowid"
    ).fetchall()
    tables = [(name, sql) for kind, name, sql in objects if kind == "table"]
    for _name, sql in tables:
        con.execute(sql)
    for name, _sql in tables:
        con.execute(f"INSERT INTO main.{_quoted(name)} SELECT * FROM restored.{_quoted(name)}")
    if con.execute("SELECT 1 FROM restored.sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        con.execute("DELETE FROM main.sqlite_sequence")  # AUTOINCREMENT's counters, as in the backup
        con.execute("INSERT INTO main.sqlite_sequence SELECT * FROM restored.sqlite_sequence")
    for kind in ("index", "trigger", "view"):
        for sql in (sql for k, _name, sql in objects if k == kind):
            con.execute(sql)
    (version,) = con.execute("PRAGMA restored.user_version").fetchone()
    con.execute(f"PRAGMA main.user_version = {int(version)}")


def _actor() -> str:
    """Who restored, in the audit log: the operating system's user, as other commands write."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _audit(con: sqlite3.Connection, register: Path, source: Path, revision: str, kept: _Kept) -> None:
    """One audit log entry in the restored register open in ``con`` (in its transaction): the
    register replaced, from which file, by whom, where the register as it was is kept.

    The log's actions are the rows' insert, update and delete: a restore is an update of the
    entity ``register``. Values are stored as the ORM stores them (its column types)."""
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from planner.register.models import AuditLog

    before: dict[str, str] | None = None
    if kept.path is not None:
        before = {"kept_in": str(kept.path)}
        if kept.damaged is not None:
            before["damaged"] = kept.damaged
    values: dict[str, object] = {
        "at": datetime.now(UTC),
        "actor": _actor(),
        "action": "update",
        "entity": "register",
        "entity_id": register.name[:64],
        "before": before,
        "after": {"restored_from": str(source.resolve()), "schema": revision},
    }
    dialect = sqlite_dialect.dialect()
    bound = []
    for key, value in values.items():
        process = AuditLog.__table__.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        bound.append(process(value) if process is not None else value)  # None: JSON's null, as the ORM
    columns = ", ".join(values)
    con.execute(f"INSERT INTO main.audit_log ({columns}) VALUES ({', '.join('?' * len(values))})", bound)


@dataclass
class _Kept:
    """The copy of the register as it was, once it exists; ``damaged``: why the register could
    not be copied the online way (SQLite's words), kept then as its files are."""

    path: Path | None = None
    damaged: str | None = None


def _plain_copy(register: Path, kept: _Kept, why: str) -> None:
    """A damaged register's files copied byte for byte, owner-only, to ``…-before-restore-…``
    (its ``-wal`` or ``-journal`` beside, which hold committed or half-done changes)."""
    from planner.register import db

    target = free_target(register, "-before-restore")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        for suffix in ("", "-wal", "-journal"):
            part = Path(f"{register}{suffix}")
            if part.is_file():
                db.create_private_file(Path(f"{target}{suffix}"))
                shutil.copyfile(part, f"{target}{suffix}")
    except BaseException:
        _remove(target)
        raise
    kept.path, kept.damaged = target, why


def _replace(register: Path, upgraded: Path, source: Path, revision: str, kept: _Kept) -> None:
    """Replace the register with the (upgraded) backup ``upgraded``, keeping it as it was in
    ``kept`` first.

    The register's write lock is held from that copy to the replacement, as an upgrade does:
    the web application's writers wait, and what they committed before is in the copy, what
    they commit after in the restored register. The backup's contents go in through that same
    connection (SQLite's backup API cannot write into a connection holding a transaction).
    A damaged register (or no SQLite file at all) cannot be copied nor written that way: its
    files are copied as they are and it is replaced by the file."""
    from planner.register import db

    if not register.exists():  # a new register file, its owner's alone as kinito init makes it
        db.create_private_file(register)
        new = True
    else:
        new = False
    why: str | None = None
    con = sqlite3.connect(register, timeout=db.BUSY_TIMEOUT_S, isolation_level=None)
    try:
        try:
            con.execute("PRAGMA foreign_keys=OFF")  # the rows go in table by table
            con.execute("PRAGMA secure_delete=ON")  # the replaced rows' pages zeroed, not left in the file
            con.execute("ATTACH DATABASE ? AS restored", (str(upgraded),))
            con.execute("BEGIN IMMEDIATE")  # the write lock (SQLite): no one writes after the copy
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise
            why = _one_line(str(exc))
        else:
            if not new:
                try:
                    target = free_target(register, "-before-restore")
                    backup_file(register, target, kinito=False)
                    kept.path = target
                except DamagedRegister as exc:
                    why = exc.why
            if why is None:
                _swap_in(con)
                _audit(con, register, source, revision, kept)
                con.execute("COMMIT")
                return
    finally:
        con.close()  # an open transaction rolled back
    _plain_copy(register, kept, why)
    con = sqlite3.connect(upgraded, timeout=db.BUSY_TIMEOUT_S, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        _audit(con, register, source, revision, kept)
        con.execute("COMMIT")
    finally:
        con.close()
    for stale in (Path(f"{register}-wal"), Path(f"{register}-shm"), Path(f"{register}-journal")):
        stale.unlink(missing_ok=True)  # the damaged register's: SQLite would read them with the new one
    os.replace(upgraded, register)


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the register with a checked backup, keeping the register as it was beside it.

    The backup is copied and brought to this version's schema first, beside the register; only
    when that worked is the register backed up and replaced, its write lock held from the copy
    to the replacement (see :func:`_replace`): a backup that cannot be upgraded (a migration
    fails on its data) leaves the register as it was."""
    from planner.cli import EXIT_INPUT, EXIT_OK, _err
    from planner.register.db import cannot_open

    source = Path(args.file)
    upgraded: Path | None = None
    kept = _Kept()
    register: Path | None = None
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
        _replace(register, upgraded, source, revision, kept)
    except (BackupError, OSError, sqlite3.Error) as exc:
        if isinstance(exc, BackupError):
            _err(str(exc))
        elif isinstance(exc, OSError):
            _err(f"δεν έγινε η επαναφορά / the restore failed: {_os_message(exc)}")
        else:
            _err(f"δεν έγινε η επαναφορά / the restore failed: {cannot_open(str(register), exc)}")
        if kept.path is not None and kept.path.is_file():
            _err(f"το μητρώο όπως ήταν / the register as it was: {kept.path}")
        return EXIT_INPUT
    finally:
        if upgraded is not None:
            _remove(upgraded)
    if kept.damaged is not None:
        _err(
            f"το μητρώο {register} είναι κατεστραμμένο ({kept.damaged}): κρατήθηκε όπως είναι, ως "
            f"αντίγραφο του αρχείου του, και αντικαταστάθηκε / the register {register} is damaged "
            f"({kept.damaged}): it is kept as it is, a copy of its file, and was replaced"
        )
    if kept.path is not None:
        print(f"το μητρώο όπως ήταν / the register as it was: {kept.path}")
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
