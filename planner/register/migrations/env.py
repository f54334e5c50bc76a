"""Alembic environment of the register, run through :mod:`planner.register.migrate`.

The caller hands over an open connection in ``config.attributes["connection"]`` (online: the
migration runs inside the caller's transaction, so a failure leaves nothing half-applied), or
a URL in the ``sqlalchemy.url`` option (offline: the SQL is printed, e.g. to review what a
PostgreSQL server would run). ``render_as_batch`` makes future ALTERs work on SQLite too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from planner.register.models import Base

config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    """Emit the migration SQL for ``sqlalchemy.url``'s dialect without connecting."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online(connection: Connection) -> None:
    """Migrate through the caller's connection."""
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run the register's migrations through planner.register.migrate")
    run_online(connection)
