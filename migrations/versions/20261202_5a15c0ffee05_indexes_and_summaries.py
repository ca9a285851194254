"""scale: indexes for every filter and sort, and what keeps cohort questions set-based

Revision ID: 5a15c0ffee05
Revises: 5a13c0ffee04
Create Date: 2026-12-02 02:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op

revision: str = '5a15c0ffee05'
down_revision: str | Sequence[str] | None = '5a13c0ffee04'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (index, table, columns): the filters the cohort, its exports and the facts batch use.
INDEXES = (
    ("ix_log_entry_enrollment_id_signed_at", "log_entry", ["enrollment_id", "signed_at"]),
    ("ix_sign_off_task_enrollment_id_status", "sign_off_task", ["enrollment_id", "status"]),
    ("ix_audit_event_enrollment_id_action_to_state", "audit_event", ["enrollment_id", "action", "to_state"]),
)


def upgrade() -> None:
    """Upgrade schema."""
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    """Downgrade schema."""
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
