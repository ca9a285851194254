"""The Teacher Induction's rules: the rule book as named pure predicates (see `workflows.rules`)."""

from __future__ import annotations

from workflows.facts import Facts
from workflows.induction import dates as d
from workflows.induction.keys import Count, EvidenceKind, Flag, KeyDate, SignOff
from workflows.keys import CommonDate, CommonEvidence, CommonSignOff
from workflows.roles import Role
from workflows.rules import (
    CL_900,
    Rule,
    at_least,
    evidence,
    flag_absent,
    flag_present,
    reached,
    recommendation_submitted,
    recorded,
    recorded_by,
    signoff,
    still_valid,
    withdrawal,
)


def induction_precondition(n: int) -> str:
    """Citation of a CTC Teacher Induction precondition."""
    return f"Teacher Induction precondition {n} (CTC)"


INDUCTION_PROGRAMS = "Induction program practice"  # rule book §2.2
ECO = "Early Completion Option, SB 57; program ECO criteria [configurable]"
PRELIMINARY = "Preliminary credential valid 5 years (CTC; CSULB catalog)"


IND_PRELIMINARY = evidence("induction.preliminary_credential", EvidenceKind.PRELIMINARY_CREDENTIAL,
                           Role.CREDENTIAL_ANALYST, INDUCTION_PROGRAMS)
IND_PRELIMINARY_ISSUED = recorded(
    "induction.preliminary_issued_on", KeyDate.PRELIMINARY_ISSUED_ON, Role.CREDENTIAL_ANALYST,
    PRELIMINARY, "Your credential analyst records your preliminary credential's issue date.")
IND_EMPLOYMENT = evidence(
    "induction.employment", EvidenceKind.EMPLOYMENT_VERIFICATION, Role.DISTRICT_HR,
    INDUCTION_PROGRAMS,
    "Your district HR verifies your employment as teacher of record.")
IND_CLEARANCE = evidence("induction.clearance", CommonEvidence.CLEARANCE, Role.CREDENTIAL_ANALYST,
                         CL_900)
IND_ENROLLED_ON = recorded(
    "induction.enrolled_on", CommonDate.ENROLLED_ON, Role.PROGRAM_DIRECTOR,
    induction_precondition(2), "Your program director records your enrolment date.")
IND_ECO_ADVISED = flag_present(
    "induction.eco_advised", Flag.ECO_ADVISED, Role.PROGRAM_DIRECTOR, induction_precondition(6),
    "Your program director records that you were advised of the Early Completion Option.")
IND_MENTOR_MATCH = evidence(
    "induction.mentor_match", EvidenceKind.MENTOR_MATCH_RECORD, Role.PROGRAM_DIRECTOR,
    induction_precondition(2),
    "Your program director records your mentor match (mentor's credential, grade and subject).")
IND_MENTOR_IN_TIME = recorded_by(
    "induction.mentor_within_days", KeyDate.MENTOR_ASSIGNED_ON, d.mentor_due_on,
    Role.PROGRAM_DIRECTOR, induction_precondition(2), setting="mentor_assignment_days",
    message="A mentor must be assigned by {due} (mentor assigned: {on}).", waiver=Flag.MENTOR_LATE_ACCEPTED)
IND_ILP = evidence(
    "induction.ilp", EvidenceKind.ILP, Role.MENTOR, induction_precondition(4),
    "Write your ILP goals with your mentor and upload your ILP; your mentor verifies it.")
IND_ILP_IN_TIME = recorded_by(
    "induction.ilp_goals_within_days", KeyDate.ILP_GOALS_SET_ON, d.ilp_goals_due_on, Role.MENTOR,
    induction_precondition(4), setting="ilp_goals_days",
    message="Your ILP goals must be set by {due} (goals set: {on}).", waiver=Flag.ILP_LATE_ACCEPTED)
IND_ILP_PRIVATE = flag_absent(
    "induction.ilp_private", Flag.ILP_SHARED_WITH_EVALUATOR, Role.PROGRAM_DIRECTOR,
    induction_precondition(5),
    "Your ILP was shared with someone who evaluates you; it is for your professional growth "
    "only. Your program director must withdraw that access.",
    label="ILP kept private from anyone who evaluates you")


def _mentoring_weeks(f: Facts) -> int:
    """The weeks the weekly average is owed for: school weeks since enrolment on the program's
    calendar (or whole weeks, when the program counts every week)."""
    return f.calendar.weeks_owed(f.date_of(CommonDate.ENROLLED_ON), f.today)


def _mentoring_need(f: Facts) -> float:
    """Hours of mentoring owed so far: weeks owed since enrolment x hours per week."""
    return _mentoring_weeks(f) * float(f.settings.mentoring_hours_per_week)


IND_MENTORING_AVERAGE = Rule(
    key="induction.mentoring_average", clears=Role.MENTOR, source=induction_precondition(3),
    count=Count.MENTORING_HOURS, setting="mentoring_hours_per_week",
    # Without an enrolment date the average cannot be computed, so it is not met.
    predicate=lambda f: (f.date_of(CommonDate.ENROLLED_ON) is not None
                         and f.count(Count.MENTORING_HOURS) >= _mentoring_need(f)),
    measure=lambda f: (f.count(Count.MENTORING_HOURS), _mentoring_need(f)),
    figures=lambda f: {"have": f.count(Count.MENTORING_HOURS), "need": _mentoring_need(f),
                       "weeks": _plural(_mentoring_weeks(f), f.calendar.week_word),
                       "per_week": _plural(f.settings.mentoring_hours_per_week, "hour"),
                       "a_week": f.calendar.week_word},
    message="{have:g} mentoring hours logged over {weeks} since enrolment; an average of "
            "{per_week} a {a_week} needs {need:g}.")


def _plural(amount: float, unit: str) -> str:
    """"1 hour", "1.5 hours", "6 weeks": never "hour(s)"."""
    return f"{amount:g} {unit}{'' if amount == 1 else 's'}"
IND_YEAR1_SIGNOFF = signoff(
    "induction.year1_complete", CommonSignOff.YEAR1_COMPLETE, Role.PROGRAM_DIRECTOR, INDUCTION_PROGRAMS,
    "Your program director signs off your Year 1 review.")
IND_COMPLETION_REVIEW = evidence(
    "induction.completion_review", EvidenceKind.COMPLETION_REVIEW, Role.PROGRAM_DIRECTOR,
    INDUCTION_PROGRAMS,
    "Present your ILP evidence of growth on the CSTP for the completion review; your program "
    "director records it.")
IND_COMPLETION_SIGNOFF = signoff(
    "induction.completion_review_passed", SignOff.COMPLETION_REVIEW_PASSED,
    Role.PROGRAM_DIRECTOR, INDUCTION_PROGRAMS,
    "Your program director signs off that you passed the completion review.")
IND_ECO_APPLICATION = evidence(
    "induction.eco_application", EvidenceKind.ECO_APPLICATION, Role.PROGRAM_DIRECTOR, ECO,
    "Upload your Early Completion Option application (evaluations, letters); your program "
    "director verifies it.")
IND_ECO_YEARS = at_least(
    "induction.eco_teaching_years", Count.TEACHING_YEARS,
    lambda f: f.settings.eco_min_teaching_years, Role.DISTRICT_HR, ECO,
    setting="eco_min_teaching_years",
    message="The Early Completion Option needs {need:g} years as teacher of record; your "
            "district HR has verified {have:g}.")
IND_ECO_DIRECTOR = signoff(
    "induction.eco_approved_by_program_director", SignOff.ECO_APPROVED, Role.PROGRAM_DIRECTOR,
    ECO, "Your program director approves your Early Completion Option.")
IND_ECO_EMPLOYER = signoff(
    "induction.eco_approved_by_district_hr", SignOff.ECO_APPROVED, Role.DISTRICT_HR, ECO,
    "Your employer (district HR) approves your Early Completion Option.")
IND_EXTENSION_PLAN = evidence(
    "induction.extensive_support_plan", EvidenceKind.EXTENSIVE_SUPPORT_PLAN,
    Role.PROGRAM_DIRECTOR, INDUCTION_PROGRAMS,
    "Your program director uploads your extensive support plan.")
IND_EXTENSION_APPROVED = signoff(
    "induction.extension_approved", SignOff.EXTENSION_APPROVED, Role.PROGRAM_DIRECTOR,
    INDUCTION_PROGRAMS, "Your program director approves a program extension.")
IND_EXTENSION_COMPLETED = signoff(
    "induction.extension_completed", SignOff.EXTENSION_COMPLETED, Role.PROGRAM_DIRECTOR,
    INDUCTION_PROGRAMS, "Your program director signs off that your support plan is complete.")
IND_TRANSPORTABILITY = evidence(
    "induction.transportability", EvidenceKind.TRANSPORTABILITY_DOCUMENT, Role.PROGRAM_DIRECTOR,
    INDUCTION_PROGRAMS, "Your program director issues your transportability document.")
IND_CL_855 = evidence(
    "induction.cl_855", EvidenceKind.CL_855, Role.DISTRICT_HR, "CL-855 (CTC); CSULB catalog",
    "Your employer signs CL-855 verifying no induction program is available; district HR "
    "uploads it.")
IND_PRELIMINARY_EXPIRED = reached(
    "induction.preliminary_expired", d.preliminary_expires_on, KeyDate.PRELIMINARY_ISSUED_ON,
    Role.CREDENTIAL_ANALYST, PRELIMINARY, setting="preliminary_validity_years",
    message="Your preliminary credential expires on {due}; it has not expired yet.")
IND_PRELIMINARY_NOT_EXPIRED = still_valid(
    "induction.preliminary_not_expired", d.preliminary_expires_on, Role.CREDENTIAL_ANALYST,
    PRELIMINARY, setting="preliminary_validity_years", label="Preliminary credential still valid",
    message="Your preliminary credential expired on {due}, so induction steps can no longer be "
            "taken on it. If the expiry date is wrong, your credential analyst corrects it.")
IND_WITHDRAWAL = withdrawal("induction", Role.PROGRAM_DIRECTOR, INDUCTION_PROGRAMS)
IND_RECOMMENDATION = recommendation_submitted("induction", Role.CREDENTIAL_ANALYST)


