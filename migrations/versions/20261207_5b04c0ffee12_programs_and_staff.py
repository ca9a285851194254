"""A district sets itself up: organisation kinds and CDS codes, programs open or closed for
enrolment, archiving, staff invitations and programs' pools of mentors, coaches and site
administrators (issue 24)

Archiving stamps `archived_at` and deletes nothing. The organisation kind's CHECK widens to
universities and consortia; the downgrade narrows it back (rows of the new kinds become districts
first, so it cannot fail).

Revision ID: 5b04c0ffee12
Revises: 5b03c0ffee11
Create Date: 2026-12-07 14:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision: str = '5b04c0ffee12'
down_revision: str | Sequence[str] | None = '5b03c0ffee11'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ["county_office", "district", "program_sponsor"]
NEW_KINDS = ["district", "county_office", "university", "consortium", "program_sponsor"]


def _kinds(values: list[str]) -> str:
    return "kind IN ({})".format(", ".join(f"'{v}'" for v in values))


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("organisation") as batch:
        batch.drop_constraint(op.f("ck_organisation_kind"), type_="check")
        batch.create_check_constraint("kind", _kinds(NEW_KINDS))
        batch.add_column(sa.Column("cds_code", sa.String(length=14), nullable=True))
        batch.add_column(sa.Column("archived_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("program") as batch:
        batch.add_column(sa.Column("open_for_enrolment", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column("archived_at", UTCDateTime(), nullable=True))
    op.create_table(
        "pool_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("school", sa.String(length=120), nullable=True),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], name=op.f("fk_pool_member_program_id_program")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_pool_member_user_id_user")),
        sa.ForeignKeyConstraint(["granted_by_id"], ["user.id"], name=op.f("fk_pool_member_granted_by_id_user")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["user.id"], name=op.f("fk_pool_member_revoked_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_member")),
    )
    op.create_index(op.f("ix_pool_member_program_id"), "pool_member", ["program_id"], unique=False)
    op.create_index(op.f("ix_pool_member_user_id"), "pool_member", ["user_id"], unique=False)
    op.create_table(
        "staff_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("school", sa.String(length=120), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("open_key", sa.String(length=360), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_staff_invitation_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], name=op.f("fk_staff_invitation_program_id_program")),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user.id"], name=op.f("fk_staff_invitation_invited_by_id_user")),
        sa.ForeignKeyConstraint(["accepted_by_id"], ["user.id"], name=op.f("fk_staff_invitation_accepted_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_invitation_token_hash")),
        sa.UniqueConstraint("open_key", name=op.f("uq_staff_invitation_open_key")),
    )
    op.create_index(op.f("ix_staff_invitation_organisation_id"), "staff_invitation", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_staff_invitation_program_id"), "staff_invitation", ["program_id"], unique=False)
    op.create_index(op.f("ix_staff_invitation_email"), "staff_invitation", ["email"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_staff_invitation_email"), table_name="staff_invitation")
    op.drop_index(op.f("ix_staff_invitation_program_id"), table_name="staff_invitation")
    op.drop_index(op.f("ix_staff_invitation_organisation_id"), table_name="staff_invitation")
    op.drop_table("staff_invitation")
    op.drop_index(op.f("ix_pool_member_user_id"), table_name="pool_member")
    op.drop_index(op.f("ix_pool_member_program_id"), table_name="pool_member")
    op.drop_table("pool_member")
    with op.batch_alter_table("program") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("open_for_enrolment")
    op.execute(sa.text("UPDATE organisation SET kind = 'district' WHERE kind IN ('university', 'consortium')"))
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("cds_code")
        batch.drop_constraint(op.f("ck_organisation_kind"), type_="check")
        batch.create_check_constraint("kind", _kinds(OLD_KINDS))
