"""An outcome may name a person: the urgent visits added to a plan in Adjust.

An urgent visit (``urgent-b35``: person 35) is no care plan's and no village stop's, so its
outcome could not be stored. ``visit_outcomes.beneficiary_id`` (nullable, indexed, ON DELETE
CASCADE like the other two subjects) names its person, and the CHECK ``one_subject`` now asks
for exactly one of care plan, village stop and person. Existing rows have a care plan or a
stop, so they keep satisfying it. Through batch mode: a copy of ``visit_outcomes`` on SQLite
(no table refers to it, so dropping the old copy deletes nothing else; the ids, and so the
audit log's references to them, are kept), plain ALTERs on PostgreSQL. The downgrade deletes
the urgent visits' outcomes first (the old CHECK cannot hold them).

Revision ID: 0007_outcome_beneficiary
Revises: 0006_audit_log_entity_index
Create Date: 2026-11-27 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_outcome_beneficiary"
down_revision: str | None = "0006_audit_log_entity_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ONE_OF_THREE = (
    "(CASE WHEN care_plan_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN village_stop_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN beneficiary_id IS NULL THEN 0 ELSE 1 END) = 1"
)
_ONE_OF_TWO = "(care_plan_id IS NULL) <> (village_stop_id IS NULL)"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("visit_outcomes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "beneficiary_id",
                sa.Integer(),
                nullable=True,
                comment="an urgent visit's person (no care plan asks for it)",
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_visit_outcomes_beneficiary_id_beneficiaries"),
            "beneficiaries",
            ["beneficiary_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_visit_outcomes_beneficiary_id"), ["beneficiary_id"])
        batch_op.drop_constraint(batch_op.f("ck_visit_outcomes_one_subject"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_visit_outcomes_one_subject"), _ONE_OF_THREE)


def downgrade() -> None:
    """Revert this revision: the urgent visits' outcomes are deleted (the old CHECK refuses them)."""
    op.execute("DELETE FROM visit_outcomes WHERE beneficiary_id IS NOT NULL")
    with op.batch_alter_table("visit_outcomes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_visit_outcomes_one_subject"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_visit_outcomes_one_subject"), _ONE_OF_TWO)
        batch_op.drop_index(batch_op.f("ix_visit_outcomes_beneficiary_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_visit_outcomes_beneficiary_id_beneficiaries"), type_="foreignkey"
        )
        batch_op.drop_column("beneficiary_id")
