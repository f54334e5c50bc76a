"""Run the register's Alembic migrations from Python, from any directory or installed package.

The migration scripts ship inside the package (``planner/register/migrations``); no
``alembic.ini`` is needed. A developer writes a new revision with Alembic's ``command`` API
and :func:`alembic_config` (see ``migrations/README``: autogenerate, then review).
"""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from planner.register.db import make_engine

__all__ = [
    "MIGRATIONS_DIR",
    "SchemaTooNew",
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


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class SchemaTooNew(ValueError):
    """The database was made or upgraded by a newer Kinito than this one."""


def check_not_newer(engine: Engine) -> None:
    """Raise :class:`SchemaTooNew` (Greek, then English) if the database is at a revision this
    package does not ship: a newer Kinito wrote it, and this one would misread it."""
    found = current_revision(engine)
    if found is not None and found not in known_revisions():
        raise SchemaTooNew(
            f"το μητρώο είναι από νεότερη έκδοση του Kinito (σχήμα {found}· αυτή η έκδοση φτάνει ως το "
            f"{head_revision()}): ενημερώστε το Kinito, ή επαναφέρετε αντίγραφο ασφαλείας του μητρώου "
            f"που έγινε με αυτή την έκδοση / the register comes from a newer Kinito (schema {found}; "
            f"this one knows up to {head_revision()}): update Kinito, or restore a backup made with "
            "this version"
        )


def upgrade(engine_or_url: Engine | URL | str | Path | None = None, revision: str = "head") -> str:
    """Bring the database up to ``revision`` (default: the newest) in one transaction.

    ``engine_or_url`` is an engine, a URL or a file path (see :func:`~planner.register.db.
    make_engine`; None means the configured default). Returns the revision reached.
    """
    engine = engine_or_url if isinstance(engine_or_url, Engine) else make_engine(engine_or_url)
    try:
        check_not_newer(engine)
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        reached = current_revision(engine)
    finally:
        if engine is not engine_or_url:
            engine.dispose()
    return reached or ""


def migration_sql(url: str, revision: str = "head") -> str:
    """The SQL that migrating an empty database at ``url`` would run, without connecting.

    For a database administrator to review, e.g. ``migration_sql("postgresql://")``.
    """
    output = io.StringIO()
    command.upgrade(alembic_config(url, output), revision, sql=True)
    return output.getvalue()
