"""The register's database connection: one engine factory and one transaction helper.

By default the register is a SQLite *file* (``instance/kinito.sqlite3`` under the current
directory); ``KINITO_DATABASE_URL`` or ``DATABASE_URL`` point it elsewhere, e.g. a
municipality's PostgreSQL (``postgresql+psycopg://user@host/kinito``). Nothing in the register
uses SQLite-only SQL; the SQLite specifics live here, in connection events:

- ``PRAGMA foreign_keys=ON`` on every connection (SQLite leaves it off by default);
- ``PRAGMA journal_mode=WAL`` for file databases: readers (the web app) do not block the
  writer (an import), and a crash mid-write leaves the last committed state;
- Python's ``sqlite3`` module is told not to manage transactions itself and SQLAlchemy emits
  ``BEGIN`` (the SQLAlchemy documentation's recipe): otherwise DDL and SAVEPOINTs escape the
  transaction, and a failed migration or import could be half-applied;
- every transaction that may write begins ``IMMEDIATE``, taking the write lock at once, and a
  connection waits up to ``BUSY_TIMEOUT_S`` for it. With a plain (deferred) ``BEGIN`` a
  transaction that reads and then writes fails at once ("database is locked", without
  waiting) when another connection wrote in between: two tablets sending outcomes together, a
  form saved while the office published, a planning job storing its plan. The register's
  transactions are short (the solver runs between two of them), so taking turns costs
  milliseconds. A session opened ``read_only`` (:func:`session_scope`: the web's pages) begins
  deferred, as before: it reads a consistent snapshot and never waits for a writer, even a
  long import.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import Session

from planner.register import audit as _audit  # noqa: F401  (registers the audit hook)

__all__ = [
    "DEFAULT_DB_PATH",
    "busy_message",
    "cannot_open",
    "create_private_file",
    "database_url",
    "make_engine",
    "missing_file",
    "session_scope",
    "sqlite_file",
]

DEFAULT_DB_PATH = Path("instance") / "kinito.sqlite3"
READ_ONLY = "kinito_read_only"  # the execution option of a session_scope(read_only=True)
BUSY_TIMEOUT_S = 30.0  # how long a transaction waits for another's write lock before giving up
ENV_VARS = ("KINITO_DATABASE_URL", "DATABASE_URL")


def database_url(url: str | Path | URL | None = None) -> URL:
    """The register's database URL: ``url`` if given, else the environment, else the default file.

    A value without ``://`` is a file path and becomes a SQLite URL (relative paths are
    resolved against the current directory, so the URL names one file wherever it is used).
    """
    if isinstance(url, URL):
        return url
    value: str | Path | None = url
    if value is None:
        value = next((os.environ[v] for v in ENV_VARS if os.environ.get(v)), None)
    if value is None:
        value = DEFAULT_DB_PATH
    if isinstance(value, Path) or "://" not in value:
        return URL.create("sqlite", database=str(Path(value).expanduser().resolve()))
    return make_url(value)


def sqlite_file(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for in-memory databases and other backends."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def missing_file(url: URL) -> Path | None:
    """The SQLite file ``url`` names when it does not exist (a register not made yet, or a
    mistyped path); None when it does, or for other backends."""
    path = sqlite_file(url)
    return path if path is not None and not path.exists() else None


def busy_message(exc: BaseException) -> str | None:
    """What to tell a user when ``exc`` is SQLite's "database is locked" (another program kept a
    write open past :data:`BUSY_TIMEOUT_S`: an import, a plan being stored, the server); None
    for anything else. It said «(sqlite3.OperationalError) database is locked» before."""
    if "database is locked" not in str(exc):
        return None
    return (
        f"η βάση είναι απασχολημένη: άλλη εργασία γράφει σε αυτήν εδώ και {BUSY_TIMEOUT_S:.0f} s (μια "
        "εισαγωγή, ένα πρόγραμμα που αποθηκεύεται, ο διακομιστής)· δεν γράφτηκε τίποτα, δοκιμάστε ξανά σε "
        f"λίγο / the database is busy: another task has been writing to it for {BUSY_TIMEOUT_S:.0f} s (an "
        "import, a plan being stored, the server); nothing was written, try again in a moment"
    )


def cannot_open(where: str, exc: BaseException) -> str:
    """``cannot open the database WHERE: WHY`` in Greek and English, SQLite's first line of why
    (or :func:`busy_message`)."""
    return busy_message(exc) or (
        f"δεν ανοίγει η βάση {where} / cannot open the database {where}: {str(exc).splitlines()[0]}"
    )


def create_private_file(path: Path) -> None:
    """A new, empty register file readable by its owner only: the register holds names,
    addresses and health notes (SQLite gives its -wal and -shm files the same permissions)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str | Path | URL | None = None, **engine_options: Any) -> Engine:
    """An engine for the register (see :func:`database_url` for how ``url`` is chosen).

    For a SQLite file the parent directory is created if missing, and a new file is made
    readable and writable by its owner only; every connection gets foreign keys on and WAL
    journalling. ``engine_options`` go to ``create_engine``.
    Raises ``NotADirectoryError`` when a file is in the way of the database's folder,
    ``IsADirectoryError`` when the path is a directory, ``OSError`` when the folder cannot be
    created; a missing driver (e.g. for PostgreSQL) raises ``ImportError``.
    """
    db_url = database_url(url)
    file = sqlite_file(db_url)
    if file is not None:
        if file.is_dir():
            raise IsADirectoryError(21, "is a directory, not a database file", str(file))
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise NotADirectoryError(20, "a file is in the way of the database's folder", str(file)) from exc
        if not file.exists():
            create_private_file(file)
    if db_url.get_backend_name() == "sqlite":
        engine_options.setdefault("connect_args", {}).setdefault("timeout", BUSY_TIMEOUT_S)
    engine = create_engine(db_url, **engine_options)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, wal=file is not None)
    return engine


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    """Connection events that make SQLite behave like a transactional server database."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def session_scope(engine: Engine, actor: str | None = None, *, read_only: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back on any error.

    Objects stay readable after the commit (``expire_on_commit=False``), so a caller can
    report what was written without another query. ``actor`` (a user name) is written to the
    audit log with every change made in the session (:mod:`planner.register.audit`).
    ``read_only``: the transaction does not take the write lock (see the module); a write in
    it may then fail at once with "database is locked" when another connection writes.
    """
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    info = {"actor": actor, READ_ONLY: read_only}
    with Session(bind, expire_on_commit=False, info=info) as session, session.begin():
        yield session


@event.listens_for(Session, "before_flush")
def _refuse_writes_when_read_only(session: Session, _context: Any, _instances: Any) -> None:
    """A read-only session that would write is a bug: said at once, not as a rare lock error."""
    if session.info.get(READ_ONLY) and (session.new or session.deleted or session.dirty):
        raise RuntimeError("a read-only session (session_scope(read_only=True)) tried to write")
