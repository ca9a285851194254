"""Scale: the per-enrolment summary and its risk windows (issue 15)

The rows are derived: app/services/enrollments/summaries.py writes them in the transaction of every
change to an enrolment. Existing enrolments get theirs from `flask summaries rebuild` (the demo seed
and the bench run it); the migration does not call application code, which may have moved on by
the time an old database is upgraded.

Revision ID: 5a19c0ffee07
Revises: 5a17c0ffee06
Create Date: 2026-12-02 05:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision: str = '5a19c0ffee07'
down_revision: str | Sequence[str] | None = '5a17c0ffee06'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "enrollment_summary",
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("pathway", sa.String(length=16), nullable=False),
        sa.Column("pathway_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=48), nullable=False),
        sa.Column("state_label", sa.String(length=200), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("ready", sa.Boolean(), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("enrolment_year", sa.Integer(), nullable=False),
        sa.Column("year_two_on", sa.Date(), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("deadlines", sa.JSON(), nullable=False),
        sa.Column("paces", sa.JSON(), nullable=False),
        sa.Column("open_tasks", sa.JSON(), nullable=False),
        sa.Column("accreditation", sa.JSON(), nullable=False),
        sa.Column("mentor_assigned", sa.Boolean(), nullable=False),
        sa.Column("coach_assigned", sa.Boolean(), nullable=False),
        sa.Column("weekly_log_weeks", sa.JSON(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollment.id"], ondelete="CASCADE",
                                name=op.f("fk_enrollment_summary_enrollment_id_enrollment")),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], name=op.f("fk_enrollment_summary_program_id_program")),
        sa.ForeignKeyConstraint(["candidate_id"], ["user.id"], name=op.f("fk_enrollment_summary_candidate_id_user")),
        sa.PrimaryKeyConstraint("enrollment_id", name=op.f("pk_enrollment_summary")),
    )
    op.create_index("ix_enrollment_summary_program_id_state", "enrollment_summary", ["program_id", "state"])
    op.create_table(
        "enrollment_risk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollment.id"], ondelete="CASCADE",
                                name=op.f("fk_enrollment_risk_enrollment_id_enrollment")),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], name=op.f("fk_enrollment_risk_program_id_program")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_risk")),
    )
    op.create_index(op.f("ix_enrollment_risk_enrollment_id"), "enrollment_risk", ["enrollment_id"])
    op.create_index("ix_enrollment_risk_program_id_kind_starts_on", "enrollment_risk",
                    ["program_id", "kind", "starts_on"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_enrollment_risk_program_id_kind_starts_on", table_name="enrollment_risk")
    op.drop_index(op.f("ix_enrollment_risk_enrollment_id"), table_name="enrollment_risk")
    op.drop_table("enrollment_risk")
    op.drop_index("ix_enrollment_summary_program_id_state", table_name="enrollment_summary")
    op.drop_table("enrollment_summary")
