"""idempotent commands: one open invitation per person and enrolment, idempotency keys

Revision ID: 5a18c0ffee01
Revises: 25e04ab06bc6
Create Date: 2026-12-02 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5a18c0ffee01'
down_revision: str | Sequence[str] | None = '25e04ab06bc6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('idempotency_key',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_idempotency_key'))
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_key_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_key', sa.String(length=320), nullable=True))
    # Invitations open today take their slot; where a race already made two, the newest keeps it
    # (the older one still works until it expires, but no longer blocks the constraint).
    op.execute(
        "UPDATE invitation SET open_key = CAST(enrollment_id AS VARCHAR(20)) || ':' || role || ':' || email "
        "WHERE id IN (SELECT MAX(id) FROM invitation WHERE accepted_at IS NULL AND revoked_at IS NULL "
        "GROUP BY enrollment_id, role, email)"
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_invitation_open_key'), ['open_key'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_invitation_open_key'), type_='unique')
        batch_op.drop_column('open_key')
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_key_created_at'))
    op.drop_table('idempotency_key')
