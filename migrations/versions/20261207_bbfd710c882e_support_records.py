"""Support records: induction's observations, just-in-time contacts, CSTP assessments, feedback to
the mentor and ILP goal reflections, as first-class rows (issue 29)

Revision ID: bbfd710c882e
Revises: 5b06c0ffee14
Create Date: 2026-12-07 20:45:35
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'bbfd710c882e'
down_revision: str | Sequence[str] | None = '5b06c0ffee14'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('support_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('program_year', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_role', sa.String(length=32), nullable=False),
    sa.Column('colleague', sa.String(length=200), nullable=False),
    sa.Column('standard', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('goal', sa.String(length=2000), nullable=False),
    sa.Column('text', sa.String(length=10000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('observation', 'just_in_time', 'standards_assessment', 'goal_reflection', 'data_cycle', 'connection', 'mentor_feedback')", name=op.f('ck_support_record_kind')),
    sa.CheckConstraint('minutes IS NULL OR (minutes >= 1 AND minutes <= 240)', name=op.f('ck_support_record_minutes')),
    sa.CheckConstraint('program_year IN (1, 2)', name=op.f('ck_support_record_program_year')),
    sa.CheckConstraint('standard IS NULL OR (standard >= 1 AND standard <= 6)', name=op.f('ck_support_record_standard')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_support_record_author_id_user')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_support_record_enrollment_id_enrollment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_record'))
    )
    with op.batch_alter_table('support_record', schema=None) as batch_op:
        batch_op.create_index('ix_support_record_enrollment_id_kind', ['enrollment_id', 'kind'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('support_record', schema=None) as batch_op:
        batch_op.drop_index('ix_support_record_enrollment_id_kind')

    op.drop_table('support_record')
