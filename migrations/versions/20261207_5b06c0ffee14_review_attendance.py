"""Review attendance: who confirmed being at a PIP review meeting (issue 29)

`log_entry.attendance` maps each role listed as present to the person who confirmed it. Meetings
recorded before this revision keep NULL: their listed roles stand as the mentor signed them.

Revision ID: 5b06c0ffee14
Revises: 5b05c0ffee13
Create Date: 2026-12-07 21:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5b06c0ffee14'
down_revision: str | Sequence[str] | None = '5b05c0ffee13'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("log_entry") as batch:
        batch.add_column(sa.Column("attendance", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("log_entry") as batch:
        batch.drop_column("attendance")
