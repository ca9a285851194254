"""CASC's recordable facts, each declared once (see `workflows.fact_specs`)."""

from __future__ import annotations

from workflows.casc.keys import NAME, Count, Flag, KeyDate
from workflows.fact_specs import fact
from workflows.roles import Role

ANALYST, HR, DIRECTOR = Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR, Role.PROGRAM_DIRECTOR

FACTS = (
    fact(KeyDate.ADMIN_POSITION_STARTED_ON, "First administrative position started on", "The enrolment "
         "window counts from this day.", "CL-777 administrator verification of employment", HR, pathway=NAME,
         claimable=True),
    fact(KeyDate.PASC_ISSUED_ON, "Preliminary ASC issued on", "The issue date on the preliminary "
         "administrative services credential.", "The preliminary ASC (CTC)", ANALYST, HR, pathway=NAME,
         claimable=True),
    fact(KeyDate.PASC_EXPIRES_ON, "Preliminary ASC expires on", "Only if the credential shows a date other "
         "than five years after issue.", "The preliminary ASC (CTC)", ANALYST, pathway=NAME, claimable=True),
    fact(Count.ADMIN_EXPERIENCE_YEARS, "Years of full-time administrative experience", "Two are needed for "
         "the clear credential.", "Employer's verification letter", HR, pathway=NAME, claimable=True, maximum=60),
    fact(Flag.ENROLMENT_WINDOW_EXTENSION, "Admit after the enrolment window", "An exception to the window "
         "for starting induction after a first administrative position.", "Program director's decision",
         DIRECTOR, pathway=NAME, needs_reason=True),
    fact(Flag.COACH_LATE_ACCEPTED, "Carry on after a late coach assignment", "The coach came after the "
         "30-day window; the enrolment carries on and the lateness stays on the record.",
         "Program director's decision", DIRECTOR, pathway=NAME, needs_reason=True),
)
# Facts the product works out itself, and where each comes from.
DERIVED: dict[str, str] = {
    KeyDate.ADMITTED_ON: "the enrolment date (CASC admission)",
    KeyDate.COACH_ASSIGNED_ON: "the day a coach joined the support team",
    Count.COACHING_WEEKS_Y1: "weeks with a signed coaching meeting in Year 1",
    Count.COACHING_WEEKS_Y2: "weeks with a signed coaching meeting in Year 2",
    Count.COACHING_HOURS_Y1: "signed coaching log entries in Year 1",
    Count.COACHING_HOURS_Y2: "signed coaching log entries in Year 2",
    Count.PL_HOURS_Y1: "signed professional-learning entries in Year 1",
    Count.PL_HOURS_Y2: "signed professional-learning entries in Year 2",
    Flag.EXIT_PANEL_MASTERY: "the exit-interview panel's decision",
}
