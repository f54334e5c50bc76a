"""An index on the audit log's ``(entity, entity_id)``: one row's history.

The register's edit forms look up a row's newest change on every form shown and saved, and
management reads the care plans, people and stops "as they stood" from their changes; without
the index each is a scan of the whole log, which only grows (about 0.1 s at a million rows).

Revision ID: 0006_audit_log_entity_index
Revises: 0005_user_sessions_after
Create Date: 2026-11-27 05:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_audit_log_entity_index"
down_revision: str | None = "0005_user_sessions_after"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_index("ix_audit_log_entity_entity_id", "audit_log", ["entity", "entity_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_audit_log_entity_entity_id", table_name="audit_log")
