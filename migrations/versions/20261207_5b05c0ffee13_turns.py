"""Turns: what is a staff role's to do on an enrolment now, for their inbox (issue 25)

`enrollment_turn` is derived data, rewritten with each enrolment's summary (a step to take, a
fact to enter, a document to file, a document only the director can still verify, and whether
anybody holds the role there). After upgrading, `flask summaries rebuild` fills it for the
enrolments that exist; until then their turns appear as each enrolment next changes.

Revision ID: 5b05c0ffee13
Revises: 5b04c0ffee12
Create Date: 2026-12-07 18:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision: str = '5b05c0ffee13'
down_revision: str | Sequence[str] | None = '5b04c0ffee12'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "enrollment_turn",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("nobody", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollment.id"], ondelete="CASCADE",
                                name=op.f("fk_enrollment_turn_enrollment_id_enrollment")),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], name=op.f("fk_enrollment_turn_program_id_program")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_turn")),
    )
    op.create_index(op.f("ix_enrollment_turn_enrollment_id"), "enrollment_turn", ["enrollment_id"])
    op.create_index("ix_enrollment_turn_program_id_role", "enrollment_turn", ["program_id", "role"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_enrollment_turn_program_id_role", table_name="enrollment_turn")
    op.drop_index(op.f("ix_enrollment_turn_enrollment_id"), table_name="enrollment_turn")
    op.drop_table("enrollment_turn")
