"""A user's ``sessions_after``: log-ins before it are over (set when the user logs out).

The session cookie is signed but kept by the browser: before, a copy of it taken before
log-out went on working until it expired. Log-out now records the instant, and a session
begun before it is refused. The column is nullable (NULL: no session ended so far), so
existing rows need no default; added inline, not through batch mode (a batch copy of
``users`` would gain nothing and, on SQLite, copies the table).

Revision ID: 0005_user_sessions_after
Revises: 0004_priority_group_child
Create Date: 2026-11-27 05:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_user_sessions_after"
down_revision: str | None = "0004_priority_group_child"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.add_column(
        "users",
        sa.Column(
            "sessions_after",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="log-ins before this instant are over (set at log-out)",
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_column("users", "sessions_after")
