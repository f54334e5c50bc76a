"""A day a staff member is away: calendar entries of kind ``staff_unavailable``.

A coordinator told on Tuesday that the psychologist is sick on Wednesday and Thursday could only
take those weekdays out of her working days, and had to remember to put them back (a re-plan in
between seated her again; forgotten, the next weeks were planned without her). A calendar entry
of the new kind names the staff member (``calendar_days.staff_id``, nullable, indexed, ON DELETE
CASCADE as ``unit_id``) for that one date, and the week builder seats nobody who is away. The
CHECKs: ``kind`` takes the new value, ``staff_only_when_away`` asks for a staff member exactly
for that kind (as ``unit_only_when_unavailable`` does for a unit). Existing rows have no staff
member and another kind, so they keep satisfying them. Through batch mode (a copy of
``calendar_days`` on SQLite; no table refers to it). The downgrade deletes the absences first.

Revision ID: 0008_staff_unavailable
Revises: 0007_outcome_beneficiary
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_staff_unavailable"
down_revision: str | None = "0007_outcome_beneficiary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_KINDS = "kind IN ('holiday', 'closure', 'pilot_extended_hours', 'unit_unavailable')"
_NEW_KINDS = "kind IN ('holiday', 'closure', 'pilot_extended_hours', 'unit_unavailable', 'staff_unavailable')"
_STAFF_ONLY = " OR ".join(
    (
        "(kind = 'staff_unavailable' AND staff_id IS NOT NULL)",
        "(kind <> 'staff_unavailable' AND staff_id IS NULL)",
    )
)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("staff_id", sa.Integer(), nullable=True, comment="who is away (staff_unavailable)")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_calendar_days_staff_id_staff"), "staff", ["staff_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index(batch_op.f("ix_calendar_days_staff_id"), ["staff_id"])
        batch_op.drop_constraint(batch_op.f("ck_calendar_days_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_calendar_days_kind"), _NEW_KINDS)
        batch_op.create_check_constraint(batch_op.f("ck_calendar_days_staff_only_when_away"), _STAFF_ONLY)


def downgrade() -> None:
    """Revert this revision: the staff absences are deleted (the old CHECK refuses their kind)."""
    op.execute("DELETE FROM calendar_days WHERE kind = 'staff_unavailable'")
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_calendar_days_staff_only_when_away"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_calendar_days_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_calendar_days_kind"), _OLD_KINDS)
        batch_op.drop_index(batch_op.f("ix_calendar_days_staff_id"))
        batch_op.drop_constraint(batch_op.f("fk_calendar_days_staff_id_staff"), type_="foreignkey")
        batch_op.drop_column("staff_id")
