"""The PIP pathway's recordable facts, each declared once (see `workflows.fact_specs`)."""

from __future__ import annotations

from workflows.fact_specs import fact
from workflows.pip.keys import NAME, Count, Flag, KeyDate
from workflows.roles import Role

ANALYST, HR, DIRECTOR = Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR, Role.PROGRAM_DIRECTOR

FACTS = (
    fact(KeyDate.PERMIT_ISSUED_ON, "Permit issued on", "The issue date printed on the Provisional "
         "Internship Permit; the one-year clock starts here.", "The PIP as issued by the CTC (CL-856)",
         ANALYST, HR, pathway=NAME, claimable=True),
    fact(KeyDate.PERMIT_EXPIRES_ON, "Permit expires on", "Only if the permit shows a date other than one "
         "year after issue.", "The PIP as issued by the CTC (CL-856)", ANALYST, pathway=NAME, claimable=True),
    fact(Count.PRIOR_EMERGENCY_PERMITS, "Long-term emergency permits held before", "Five or more make a "
         "candidate ineligible for a PIP.", "CTC record of credentials held (CL-856)", ANALYST, HR, pathway=NAME,
         claimable=True, maximum=50),
    fact(Flag.SMC_ALREADY_MET, "Subject-matter competence already met", "Yes when the degree or passed "
         "exams already meet it: the candidate goes straight to an intern program instead.",
         "Transcripts and exam records (CL-856)", ANALYST, pathway=NAME),
)
# Facts the product works out itself, and where each comes from.
DERIVED: dict[str, str] = {
    Count.REVIEWS_HELD: "signed review meetings",
    Count.PRESERVICE_HOURS: "signed pre-service log entries",
}
