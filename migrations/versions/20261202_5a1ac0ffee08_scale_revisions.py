"""Scale: a revision per program's summaries, the candidate's name in the summary, indexes for the inbox badge (issue 15)

- `program.summary_revision` moves on whenever one of the program's enrolment summaries is
  rewritten, so the director's program-wide figures are remembered until it does.
- `enrollment_summary.candidate_name` (indexed with the program) orders the candidate list, so a
  page of a program of thousands reads one page; filled here from the people it names.
- A partial index on the log entries still waiting on their signer, one on documents by status
  and kind, one on sign-off tasks by status and role (the inbox badge on every page).

Revision ID: 5a1ac0ffee08
Revises: 5a19c0ffee07
Create Date: 2026-12-02 14:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5a1ac0ffee08'
down_revision: str | Sequence[str] | None = '5a19c0ffee07'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("program") as batch:
        batch.add_column(sa.Column("summary_revision", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("enrollment_summary") as batch:
        batch.add_column(sa.Column("candidate_name", sa.String(length=120), server_default="", nullable=False))
    op.execute('UPDATE enrollment_summary SET candidate_name = '
               '(SELECT "user".name FROM "user" WHERE "user".id = enrollment_summary.candidate_id)')
    op.create_index("ix_enrollment_summary_program_id_candidate_name", "enrollment_summary",
                    ["program_id", "candidate_name", "enrollment_id"])
    op.create_index("ix_log_entry_unsigned_signer_id", "log_entry", ["signer_id"],
                    sqlite_where=sa.text("signed_at IS NULL"), postgresql_where=sa.text("signed_at IS NULL"))
    op.create_index("ix_evidence_status_kind", "evidence", ["status", "kind"])
    op.create_index("ix_sign_off_task_status_role", "sign_off_task", ["status", "role"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_sign_off_task_status_role", table_name="sign_off_task")
    op.drop_index("ix_evidence_status_kind", table_name="evidence")
    op.drop_index("ix_log_entry_unsigned_signer_id", table_name="log_entry")
    op.drop_index("ix_enrollment_summary_program_id_candidate_name", table_name="enrollment_summary")
    with op.batch_alter_table("enrollment_summary") as batch:
        batch.drop_column("candidate_name")
    with op.batch_alter_table("program") as batch:
        batch.drop_column("summary_revision")
