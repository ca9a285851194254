"""Who reads CASC's coaching notes, IIPs and self-assessments (see `workflows.confidentiality`).

Coaching notes stay between candidate and coach (an evaluator never reads them, even one who also
coaches); the IIPs are written with the employer's input and approved by the program, so the team
reads them; the CPSEL self-assessments are growth records.
"""

from __future__ import annotations

from workflows.confidentiality import Content, Table, readers
from workflows.roles import Role

TABLE = Table({
    Content.NOTES: readers(Role.CANDIDATE, Role.COACH),
    Content.PLAN: readers(Role.CANDIDATE, Role.COACH, Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST,
                          Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR, Role.PANEL_MEMBER),
    Content.SELF_ASSESSMENT: readers(Role.CANDIDATE, Role.COACH, Role.PROGRAM_DIRECTOR),
}, evaluators_never_read=frozenset({Content.NOTES}))
