"""The web form's priority group ``children`` becomes the importer's ``child``.

The care-plan office's words for a child or minor (παιδί, ανήλικος) were read by the importer
as ``child``, while the beneficiary form offered ``children``: the same group under two
codes, and the form's save dropped the groups it did not offer (poverty, other vulnerable
group). The form now offers the importer's codes; this revision renames the stored
``children`` to ``child`` (once, however often it was there). No schema change.

Revision ID: 0004_priority_group_child
Revises: 0003_unit_weekly_hours
Create Date: 2026-11-27 02:10:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0004_priority_group_child"
down_revision: str | None = "0003_unit_weekly_hours"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = sa.table("beneficiaries", sa.column("id", sa.Integer), sa.column("priority_groups", sa.JSON))


def _rename(old: str, new: str) -> None:
    if context.is_offline_mode():  # SQL for a DBA: the JSON text, as both databases store it
        cast = "priority_groups::text" if op.get_context().dialect.name == "postgresql" else "priority_groups"
        back = "::json" if op.get_context().dialect.name == "postgresql" else ""
        op.execute(
            f"UPDATE beneficiaries SET priority_groups = REPLACE({cast}, '\"{old}\"', '\"{new}\"'){back}"
            f" WHERE {cast} LIKE '%\"{old}\"%'"
        )
        return
    bind = op.get_bind()
    for row_id, groups in bind.execute(sa.select(_TABLE.c.id, _TABLE.c.priority_groups)).all():
        if isinstance(groups, str):  # (a driver that hands JSON back as text)
            groups = json.loads(groups)
        if not groups or old not in groups:
            continue
        fixed = sorted({new if g == old else g for g in groups})
        bind.execute(sa.update(_TABLE).where(_TABLE.c.id == row_id).values(priority_groups=fixed))


def upgrade() -> None:
    """Apply this revision."""
    _rename("children", "child")


def downgrade() -> None:
    """Revert this revision (the form of 0003 offered ``children``)."""
    _rename("child", "children")
