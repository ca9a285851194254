"""facts: who recorded and confirmed each fact, late windows carried on by the director

Revision ID: 5a13c0ffee04
Revises: 5a14c0ffee03
Create Date: 2026-12-02 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5a13c0ffee04'
down_revision: str | Sequence[str] | None = '5a14c0ffee03'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --- Logs validated against the enrolment (log_entry.attendee_roles, program_year from dates) ---
# Kept in its own block: another change shares this revision.


def _logs_upgrade() -> None:
    """Review attendees by role; every stored program year recomputed from the entry's date."""
    with op.batch_alter_table('log_entry', schema=None) as batch_op:
        # Existing review meetings recorded no roles: they stop counting until re-recorded, which
        # is the point (a review counts only with the roles the rule book names).
        batch_op.add_column(sa.Column('attendee_roles', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
    # "Year" was a free label; it is now the year the date falls in (Year 1 = the first 12 months
    # from enrolment, the rest Year 2; workflows.program_years). Dates before the enrolment keep
    # their label but count toward nothing. Done in Python: the dialects' date arithmetic differs.
    log_entry = sa.table('log_entry', sa.column('id', sa.Integer), sa.column('enrollment_id', sa.Integer),
                         sa.column('occurred_on', sa.Date), sa.column('program_year', sa.Integer))
    enrollment = sa.table('enrollment', sa.column('id', sa.Integer), sa.column('enrolled_on', sa.Date))
    bind = op.get_bind()
    rows = bind.execute(sa.select(log_entry.c.id, log_entry.c.occurred_on, log_entry.c.program_year,
                                  enrollment.c.enrolled_on)
                        .join(enrollment, enrollment.c.id == log_entry.c.enrollment_id)).all()
    for entry_id, occurred_on, stored, enrolled_on in rows:
        if occurred_on < enrolled_on:
            continue
        try:
            anniversary = enrolled_on.replace(year=enrolled_on.year + 1)
        except ValueError:  # 29 February: the anniversary is 28 February (workflows.dates)
            anniversary = enrolled_on.replace(year=enrolled_on.year + 1, day=28)
        year = 1 if occurred_on < anniversary else 2
        if year != stored:
            bind.execute(log_entry.update().where(log_entry.c.id == entry_id).values(program_year=year))


def _logs_downgrade() -> None:
    """Drop the attendee roles (the recomputed years stay: they are valid labels)."""
    with op.batch_alter_table('log_entry', schema=None) as batch_op:
        batch_op.drop_column('attendee_roles')

# --- end of the logs block -------------------------------------------------------------------


def upgrade() -> None:
    """Upgrade schema."""
    _logs_upgrade()
    # --- Fact provenance: who recorded each fact, claimed or confirmed (issue 13, facts) ---
    op.create_table(
        'fact_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrollment_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=48), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reason', sa.String(length=2000), nullable=True),
        sa.CheckConstraint("status IN ('claimed', 'confirmed')", name=op.f('ck_fact_record_fact_record_status')),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id'], name=op.f('fk_fact_record_confirmed_by_id_user')),
        sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_fact_record_enrollment_id_enrollment')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_fact_record_recorded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_record')),
        sa.UniqueConstraint('enrollment_id', 'name', name='uq_fact_record_enrollment_name'),
    )
    with op.batch_alter_table('fact_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fact_record_enrollment_id'), ['enrollment_id'], unique=False)
    # --- end of fact provenance ---


def downgrade() -> None:
    """Downgrade schema."""
    _logs_downgrade()
    # --- Fact provenance (issue 13, facts) ---
    with op.batch_alter_table('fact_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fact_record_enrollment_id'))
    op.drop_table('fact_record')
    # --- end of fact provenance ---
