"""Run the register's Alembic migrations from Python, from any directory or installed package.

The migration scripts ship inside the package (``planner/register/migrations``); no
``alembic.ini`` is needed. A developer writes a new revision with Alembic's ``command`` API
and :func:`alembic_config` (see ``migrations/README``: autogenerate, then review).
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from planner.register.db import busy_message, is_locked, make_engine, sqlite_file

__all__ = [
    "MIGRATIONS_DIR",
    "SchemaTooNew",
    "UpgradeFailed",
    "alembic_config",
    "check_not_newer",
    "current_revision",
    "head_revision",
    "known_revisions",
    "migration_sql",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None, output: io.StringIO | None = None) -> Config:
    """An Alembic configuration pointing at the packaged migration scripts.

    ``url`` is only needed offline (SQL generation); ``output`` collects that SQL.
    """
    config = Config(output_buffer=output)
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation would read '%' in a password as a reference
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision the package ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a revision
        raise RuntimeError("no migration revisions found in " + str(MIGRATIONS_DIR))
    return head


def known_revisions() -> set[str]:
    """Every revision the package ships (a database at another one comes from a newer Kinito)."""
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _stored_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, known to this package or not (None: empty)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database).

    Raises :class:`SchemaTooNew` for a revision this package does not ship: the database comes
    from a newer Kinito, and a caller comparing it with :func:`head_revision` would otherwise
    take it for an older one and advise ``kinito init`` (which refuses it)."""
    found = _stored_revision(engine)
    if found is not None and found not in known_revisions():
        raise SchemaTooNew(_too_new_message(found))
    return found


class SchemaTooNew(ValueError):
    """The database was made or upgraded by a newer Kinito than this one."""


class UpgradeFailed(ValueError):
    """A migration failed (its transaction rolled back: the database is as it was), or the copy
    made before it could not be made; the message (Greek, then English) names the migration."""

    def __init__(self, message: str, *, failed: str | None, reason: str) -> None:
        super().__init__(message)
        self.failed = failed  # the migration that failed (None: the copy before the upgrade)
        self.reason = reason  # why, in SQLite's (or the OS's) words, one line


def _too_new_message(found: str) -> str:
    return (
        f"το μητρώο είναι από νεότερη έκδοση του Kinito (σχήμα {found}· αυτή η έκδοση φτάνει ως το "
        f"{head_revision()}): ενημερώστε το Kinito, ή επαναφέρετε αντίγραφο ασφαλείας του μητρώου "
        f"που έγινε με αυτή την έκδοση / the register comes from a newer Kinito (schema {found}; "
        f"this one knows up to {head_revision()}): update Kinito, or restore a backup made with "
        "this version"
    )


def check_not_newer(engine: Engine) -> None:
    """Raise :class:`SchemaTooNew` (Greek, then English) if the database is at a revision this
    package does not ship: a newer Kinito wrote it, and this one would misread it."""
    current_revision(engine)


def _steps(found: str | None, revision: str) -> list[str]:
    """The revisions an upgrade from ``found`` to ``revision`` applies, oldest first; empty when
    there is nothing to do or the way is not a plain upgrade (Alembic then says why)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    try:
        path = scripts.iterate_revisions(revision, found or "base")
        return [script.revision for script in reversed(list(path))]
    except RevisionError:
        return []


def _say(line: str) -> None:
    print(f"kinito: {line}", file=sys.stderr, flush=True)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError: the driver's own words, no SQL
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _backup_before_upgrade(file: Path, found: str, target: str) -> Path:
    """A checked copy of the register ``file`` (at ``found``) in ``backups/`` beside it, made
    with ``kinito backup``'s online copy before it is upgraded; UpgradeFailed if it cannot be."""
    from planner.register.backup_cli import BackupError, backup_file, free_target

    copy = free_target(file, "-before-upgrade")
    try:
        backup_file(file, copy)
    except (BackupError, OSError, sqlite3.Error) as exc:
        if isinstance(exc, BackupError):
            reason = str(exc)
        else:
            reason = busy_message(exc) or getattr(exc, "strerror", None) or _first_line(exc)
        raise UpgradeFailed(
            f"δεν έγινε η αναβάθμιση του μητρώου {file} από το σχήμα {found} στο {target}: δεν "
            f"μπόρεσε να γίνει πρώτα το αντίγραφο ασφαλείας του στο {copy}· το μητρώο δεν άλλαξε / "
            f"the register {file} was not upgraded from schema {found} to {target}: its backup in "
            f"{copy} could not be made first; the register is unchanged: {reason}",
            failed=None,
            reason=str(reason),
        ) from exc
    return copy


def upgrade(
    engine_or_url: Engine | URL | str | Path | None = None,
    revision: str = "head",
    *,
    backup: bool = True,
    notify: Callable[[str], None] | None = _say,
) -> str:
    """Bring the database up to ``revision`` (default: the newest) in one transaction.

    ``engine_or_url`` is an engine, a URL or a file path (see :func:`~planner.register.db.
    make_engine`; None means the configured default). Returns the revision reached.

    A SQLite register that has a schema and is not at ``revision`` is first copied (``backup``;
    ``kinito backup``'s checked online copy) to ``backups/<name>-before-upgrade-<time>.sqlite3``
    beside it: an older Kinito refuses the upgraded register, and the copy is what it can open.
    Once the upgrade is done ``notify`` (default: a line on stderr) is told the schema before
    and after and where the copy is. A new, empty register is not copied.

    Raises :class:`SchemaTooNew` for a register from a newer Kinito and :class:`UpgradeFailed`
    when a migration fails (the database is then as it was; the copy made for it is removed,
    being the same) or the copy cannot be made (the database is not touched). "database is
    locked" is raised as it is (:func:`~planner.register.db.busy_message` says it).
    """
    engine = engine_or_url if isinstance(engine_or_url, Engine) else make_engine(engine_or_url)
    copy: Path | None = None
    try:
        found = current_revision(engine)
        steps = _steps(found, revision)
        file = sqlite_file(engine.url)
        target = steps[-1] if steps else revision
        config = alembic_config()
        step = steps[0] if steps else revision
        try:
            with engine.begin() as connection:  # the write lock (SQLite): no one writes after the copy
                if backup and steps and found is not None and file is not None and file.is_file():
                    copy = _backup_before_upgrade(file, found, target)
                config.attributes["connection"] = connection
                for step in steps or [revision]:
                    command.upgrade(config, step)
        except (SQLAlchemyError, sqlite3.Error) as exc:
            if is_locked(exc):
                raise
            if copy is not None:  # the same as the register, which the rollback left as it was
                copy.unlink(missing_ok=True)
                with contextlib.suppress(OSError):
                    copy.parent.rmdir()  # backups/, if it was made for it
                copy = None
            raise _upgrade_failed(engine, found, target, step, exc) from exc
        reached = current_revision(engine)
    finally:
        if engine is not engine_or_url:
            engine.dispose()
    if copy is not None and notify is not None:
        notify(
            f"μητρώο {file}: αναβαθμίστηκε από το σχήμα {found} στο {reached}· αντίγραφο του μητρώου "
            f"όπως ήταν: {copy} / register {file}: upgraded from schema {found} to {reached}; a "
            f"copy of it as it was: {copy}"
        )
    return reached or ""


def _upgrade_failed(
    engine: Engine, found: str | None, target: str, step: str, exc: BaseException
) -> UpgradeFailed:
    """What to say when migration ``step`` failed with ``exc`` (its transaction rolled back)."""
    file = sqlite_file(engine.url)
    where = f" {file}" if file is not None else ""
    before = found or "κενή"
    before_en = found or "empty"
    reason = _first_line(exc)
    return UpgradeFailed(
        f"η αναβάθμιση του μητρώου{where} από το σχήμα {before} στο {target} απέτυχε στη μετάβαση "
        f"{step} ({reason}): το μητρώο δεν άλλαξε (σχήμα {before}) / upgrading the register{where} "
        f"from schema {before_en} to {target} failed at migration {step} ({reason}): the register "
        f"is unchanged (schema {before_en})",
        failed=step,
        reason=reason,
    )


def migration_sql(url: str, revision: str = "head") -> str:
    """The SQL that migrating an empty database at ``url`` would run, without connecting.

    For a database administrator to review, e.g. ``migration_sql("postgresql://")``.
    """
    output = io.StringIO()
    command.upgrade(alembic_config(url, output), revision, sql=True)
    return output.getvalue()
