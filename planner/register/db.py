"""The register's database connection: one engine factory and one transaction helper.

By default the register is a SQLite *file* (``instance/kinito.sqlite3`` under the current
directory); ``KINITO_DATABASE_URL`` or ``DATABASE_URL`` point it elsewhere, e.g. a
municipality's PostgreSQL (``postgresql+psycopg://user@host/kinito``). Nothing in the register
uses SQLite-only SQL; the SQLite specifics live here, in connection events:

- ``PRAGMA foreign_keys=ON`` on every connection (SQLite leaves it off by default);
- ``PRAGMA journal_mode=WAL`` for file databases: readers (the web app) do not block the
  writer (an import), and a crash mid-write leaves the last committed state. A file that
  cannot be written (a copy on a read-only disk, another user's file) is read as it is, not
  switched to WAL: ``kinito export`` works on it, and a write says the register is read-only
  (:func:`busy_message`);
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
    "is_full",
    "is_locked",
    "is_read_only",
    "make_engine",
    "missing_file",
    "read_only_uri",
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


def _sqlite_error(exc: BaseException) -> tuple[str, str]:
    """SQLite's words and error name (e.g. ``SQLITE_FULL``) behind ``exc``: the exception itself,
    or the driver's error a SQLAlchemy error wraps; empty strings when there are none."""
    orig = getattr(exc, "orig", None)
    error = orig if isinstance(orig, BaseException) else exc
    return str(error), str(getattr(error, "sqlite_errorname", "") or "")


def is_locked(exc: BaseException) -> bool:
    """``exc`` is SQLite's "database is locked": another connection holds the write lock."""
    text, name = _sqlite_error(exc)
    return "database is locked" in text or "database is locked" in str(exc) or name.startswith("SQLITE_BUSY")


def is_full(exc: BaseException) -> bool:
    """``exc`` is SQLite's "database or disk is full" (``SQLITE_FULL``)."""
    text, name = _sqlite_error(exc)
    return "database or disk is full" in text or name == "SQLITE_FULL"


def is_read_only(exc: BaseException) -> bool:
    """``exc`` is SQLite's "attempt to write a readonly database" (``SQLITE_READONLY``): the
    file (or its folder, or the disk) cannot be written."""
    text, name = _sqlite_error(exc)
    return "readonly database" in text or name.startswith("SQLITE_READONLY")


def busy_message(exc: BaseException) -> str | None:
    """What to tell a user when SQLite refused a write for a reason of the moment or of the
    machine, not of what they asked (None for anything else):

    - "database is locked": another program kept a write open past :data:`BUSY_TIMEOUT_S` (an
      import, a plan being stored, the server); it said «(sqlite3.OperationalError) database
      is locked» before;
    - "database or disk is full": nothing was saved, space must be freed (it was told as a
      busy database, "save again in a moment");
    - "attempt to write a readonly database": the file, its folder or the disk is read-only.
    """
    cause = _sqlite_error(exc)[0].splitlines()[0] if str(exc) else ""
    if is_full(exc):
        return (
            f"ο δίσκος είναι γεμάτος ({cause}): δεν γράφτηκε τίποτα· ελευθερώστε χώρο στον δίσκο του "
            f"μητρώου και δοκιμάστε ξανά / the disk is full ({cause}): nothing was written; free some "
            "space on the register's disk and try again"
        )
    if is_read_only(exc):
        return (
            f"το μητρώο είναι μόνο για ανάγνωση ({cause}): δεν γράφτηκε τίποτα· ελέγξτε τα δικαιώματα "
            "του αρχείου και του φακέλου του (ή αν ο δίσκος είναι μόνο για ανάγνωση) / the register is "
            f"read-only ({cause}): nothing was written; check the permissions of the file and its "
            "folder (or whether the disk is read-only)"
        )
    if not is_locked(exc):
        return None
    return (
        f"η βάση είναι απασχολημένη: άλλη εργασία γράφει σε αυτήν εδώ και {BUSY_TIMEOUT_S:.0f} s (μια "
        "εισαγωγή, ένα πρόγραμμα που αποθηκεύεται, ο διακομιστής)· δεν γράφτηκε τίποτα, δοκιμάστε ξανά σε "
        f"λίγο / the database is busy: another task has been writing to it for {BUSY_TIMEOUT_S:.0f} s (an "
        "import, a plan being stored, the server); nothing was written, try again in a moment"
    )


def cannot_open(where: str, exc: BaseException) -> str:
    """``cannot open the database WHERE: WHY`` in Greek and English, SQLite's first line of why
    (or :func:`busy_message`); a file that cannot be written, or in a folder that cannot, is
    said to be read-only (SQLite only says "unable to open database file")."""
    why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    busy = busy_message(exc)
    if busy is not None:
        return busy
    path = Path(where)
    if path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return (
            f"δεν ανοίγει η βάση {where}: το αρχείο ή ο φάκελός του είναι μόνο για ανάγνωση ({why})· "
            f"ελέγξτε τα δικαιώματά τους / cannot open the database {where}: the file or its folder "
            f"is read-only ({why}); check their permissions"
        )
    return f"δεν ανοίγει η βάση {where} / cannot open the database {where}: {why}"


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
        if file is not None and _unopenable_wal(file):
            _open_immutable(engine, file)
    return engine


def _unopenable_wal(file: Path) -> bool:
    """A WAL register in a folder that cannot be written (a read-only disk, another user's
    folder), its ``-shm`` not there: SQLite cannot make the ``-shm`` it reads a WAL file with,
    and says only "unable to open database file". No one can be writing it (a writer would
    have made the ``-shm``), so it is read as it is (:func:`_open_immutable`)."""
    if os.access(file.parent, os.W_OK) or Path(f"{file}-shm").exists():
        return False
    try:
        with file.open("rb") as f:
            header = f.read(20)
    except OSError:
        return False
    return header[:16] == b"SQLite format 3\x00" and header[18:20] == b"\x02\x02"  # WAL's versions


def read_only_uri(file: Path) -> str:
    """The URI that opens ``file`` read-only with Python's ``sqlite3`` (``uri=True``): immutable
    for a WAL file that cannot otherwise be opened (:func:`_unopenable_wal`), as exports read it."""
    uri = f"{file.resolve().as_uri()}?mode=ro"
    return f"{uri}&immutable=1" if _unopenable_wal(file) else uri


def _open_immutable(engine: Engine, file: Path) -> None:
    """Open ``file`` read-only and immutable (SQLite's URI parameters), the URL kept."""

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
        cargs[:] = [f"{file.resolve().as_uri()}?mode=ro&immutable=1"]
        cparams["uri"] = True


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    """Connection events that make SQLite behave like a transactional server database."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            if wal and str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                try:
                    cursor.execute("PRAGMA journal_mode=WAL")  # writes the file's header once
                except Exception as exc:
                    if not is_read_only(exc):
                        raise
                    # a read-only file (a copy on a USB stick, a file of another user): read in
                    # its own journal mode; a write says "attempt to write a readonly database"
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
