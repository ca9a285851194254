"""role grants: who granted a role, proposals the program confirms

Revision ID: 5a14c0ffee02
Revises: 5a18c0ffee01
Create Date: 2026-12-02 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5a14c0ffee02'
down_revision: str | Sequence[str] | None = '5a18c0ffee01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_ROLES = ('candidate', 'mentor', 'coach', 'site_administrator', 'credential_analyst', 'district_hr',
              'prep_program_support_provider', 'program_director', 'panel_member', 'service_administrator')
_NEW_ROLES = _OLD_ROLES + ('viewer',)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('proposed_role', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_membership_revoked_by_id_user'), 'user', ['revoked_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_membership_confirmed_by_id_user'), 'user', ['confirmed_by_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_membership_role'), type_='check')
        batch_op.create_check_constraint('role', _in('role', _NEW_ROLES))
        batch_op.create_check_constraint('proposed_role', _in('proposed_role', _NEW_ROLES))
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invitation_role'), type_='check')
        batch_op.create_check_constraint('role', _in('role', _NEW_ROLES))


def downgrade() -> None:
    """Downgrade schema."""
    # Viewers and proposals have no place in the older schema: they end as revoked memberships.
    op.execute("UPDATE membership SET role = 'mentor', revoked_at = COALESCE(revoked_at, created_at) "
               "WHERE role = 'viewer'")
    op.execute("UPDATE invitation SET role = 'mentor', revoked_at = COALESCE(revoked_at, created_at) "
               "WHERE role = 'viewer'")
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invitation_role'), type_='check')
        batch_op.create_check_constraint('role', _in('role', _OLD_ROLES))
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_membership_proposed_role'), type_='check')
        batch_op.drop_constraint(op.f('ck_membership_role'), type_='check')
        batch_op.create_check_constraint('role', _in('role', _OLD_ROLES))
        batch_op.drop_constraint(batch_op.f('fk_membership_confirmed_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_membership_revoked_by_id_user'), type_='foreignkey')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('proposed_role')
        batch_op.drop_column('revoked_by_id')
