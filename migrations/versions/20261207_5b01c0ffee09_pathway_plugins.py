"""Pathways are plug-ins: the database no longer lists pathways, document and sign-off kinds, log and plan kinds or roles (issue 23)

Each installed pathway package declares its own; the app validates every value against the
registry before it writes. A CHECK listing the values would make every new pathway, document kind
or sign-off role a migration; these constraints go. The downgrade puts back the lists as they
stood at this revision.

`enrollment.facts` keeps every recorded date or number a pathway declares that has no column of
its own, so a new pathway's facts need no migration either.

Revision ID: 5b01c0ffee09
Revises: 5a1ac0ffee08
Create Date: 2026-12-07 11:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5b01c0ffee09'
down_revision: str | Sequence[str] | None = '5a1ac0ffee08'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PATHWAYS = ['pip', 'induction', 'casc']
EVIDENCE_KINDS = ['clearance', 'withdrawal_notice', 'issued_credential', 'recruitment_records', 'transcripts', 'eligibility_worksheet', 'board_notice', 'cl_857', 'live_scan_receipt', 'personalized_plan', 'action_plan', 'smc_verification', 'us_constitution', 'basic_skills', 'intern_admission_letter', 'job_offer', 'preliminary_credential', 'employment_verification', 'mentor_match_record', 'ilp', 'eco_application', 'extensive_support_plan', 'completion_review', 'transportability_document', 'cl_855', 'pasc_or_coe', 'cl_777', 'orientation_y1', 'assurances_y1', 'iip_1', 'orientation_y2', 'assurances_y2', 'iip_2', 'experience_letter', 'year1_completion_document']
LOG_KINDS = ['mentoring', 'coaching', 'professional_learning', 'preservice', 'support_note', 'review_meeting']
PLAN_KINDS = ['pip_personalized', 'pip_action', 'ilp', 'iip1', 'iip2']
SIGNOFF_KEYS = ['year1_complete', 'plan_established', 'intern_ready', 'eco_approved', 'completion_review_passed', 'extension_approved', 'extension_completed', 'admitted', 'iip1_approved', 'iip2_approved', 'recommendation_approved']
ROLES = ['candidate', 'mentor', 'coach', 'site_administrator', 'credential_analyst', 'district_hr', 'prep_program_support_provider', 'program_director', 'panel_member', 'service_administrator', 'viewer']

# (table, constraint name as the naming convention spells it without its prefix, column, values)
CHECKS = (
    ("program", "pathway", "pathway", PATHWAYS),
    ("enrollment", "pathway", "pathway", PATHWAYS),
    ("evidence", "kind", "kind", EVIDENCE_KINDS),
    ("log_entry", "kind", "kind", LOG_KINDS),
    ("plan", "kind", "kind", PLAN_KINDS),
    ("membership", "role", "role", ROLES),
    ("membership", "proposed_role", "proposed_role", ROLES),
    ("sign_off", "key", "key", SIGNOFF_KEYS),
    ("sign_off", "role", "role", ROLES),
    ("invitation", "role", "role", ROLES),
    ("sign_off_task", "key", "key", SIGNOFF_KEYS),
    ("sign_off_task", "role", "role", ROLES),
)


def upgrade() -> None:
    """Drop the lists; the registry and the roles enum are the one source."""
    for table, name, _column, _values in CHECKS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    with op.batch_alter_table("enrollment") as batch:
        batch.add_column(sa.Column("facts", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    """Put the lists back as they stood."""
    with op.batch_alter_table("enrollment") as batch:
        batch.drop_column("facts")
    for table, name, column, values in CHECKS:
        allowed = ", ".join(f"'{v}'" for v in values)
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(name, f"{column} IN ({allowed})")
