"""Teacher Induction's recordable facts, each declared once (see `workflows.fact_specs`)."""

from __future__ import annotations

from workflows.fact_specs import fact
from workflows.induction.keys import NAME, Count, Flag, KeyDate
from workflows.roles import Role

ANALYST, HR, DIRECTOR = Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR, Role.PROGRAM_DIRECTOR

FACTS = (
    fact(KeyDate.PRELIMINARY_ISSUED_ON, "Preliminary credential issued on", "The issue date on the "
         "preliminary teaching credential; it must be cleared within five years.",
         "The preliminary credential (CTC)", ANALYST, HR, pathway=NAME, claimable=True),
    fact(KeyDate.PRELIMINARY_EXPIRES_ON, "Preliminary credential expires on", "Only if the credential "
         "shows a date other than five years after issue.", "The preliminary credential (CTC)",
         ANALYST, pathway=NAME, claimable=True),
    fact(Count.TEACHING_YEARS, "Years as teacher of record", "Counts toward the Early Completion Option.",
         "District HR records of service", HR, pathway=NAME, claimable=True, maximum=60),
    fact(Flag.ECO_ADVISED, "Advised of the Early Completion Option", "The program told the teacher "
         "about finishing induction in one year.", "Induction precondition 6 (CTC)", DIRECTOR, pathway=NAME),
    fact(Flag.MENTOR_LATE_ACCEPTED, "Carry on after a late mentor assignment", "The mentor came after the "
         "30-day window; the enrolment carries on and the lateness stays on the record.",
         "Program director's decision", DIRECTOR, pathway=NAME, needs_reason=True),
    fact(Flag.ILP_LATE_ACCEPTED, "Carry on after late ILP goals", "The ILP goals came after the 60-day "
         "window; the enrolment carries on and the lateness stays on the record.",
         "Program director's decision", DIRECTOR, pathway=NAME, needs_reason=True),
)
# Facts the product works out itself, and where each comes from.
DERIVED: dict[str, str] = {
    KeyDate.MENTOR_ASSIGNED_ON: "the day a mentor joined the support team",
    KeyDate.ILP_GOALS_SET_ON: "the day the first ILP was filed",
    Count.MENTORING_HOURS: "signed mentoring log entries",
    Flag.ILP_SHARED_WITH_EVALUATOR: "never set: the ILP is kept from evaluators by the access rules",
}
