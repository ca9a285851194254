"""Teacher Induction -> clear teaching credential (rule book §2.4).

B3/B4 merge: setting ILP goals starts Year 1's waiting point `ilp_goals_set`, from which the
candidate either begins the two-year track or applies for the Early Completion Option. The ECO
decision is taken after the mentor and ILP steps because their 30/60-day clocks run from
enrolment on both tracks (§2.1); an approved ECO runs one year (`eco_active`), and revoking or
denying it returns the candidate to Year 1 of the two-year track (§2.3).
"""

from __future__ import annotations

from typing import Any

from statemachine import Event, State

from workflows import rules as common
from workflows.base import (
    Definition,
    GroupSpec,
    PathwayMachine,
    automatic,
    ended_by,
    person,
    recommendation_events,
    recommendation_specs,
    step,
    step_from,
)
from workflows.facts import Pathway
from workflows.induction import rules as r
from workflows.induction.keys import NAME
from workflows.roles import Role


class InductionMachine(PathwayMachine[Any]):
    """Teacher Induction -> clear teaching credential."""

    eligible = State("Eligible", initial=True)
    enrolled = State("Enrolled")
    mentor_assigned = State("Mentor assigned")
    ilp_goals_set = State("ILP goals set")
    eco_applied = State("Early Completion Option applied")
    eco_active = State("Early Completion year")
    year1_active = State("Year 1")
    year1_complete = State("Year 1 complete")
    year2_active = State("Year 2")
    extended = State("Extended (extensive support)")
    completion_review = State("Completion review")
    ready_for_recommendation = State("Ready for recommendation")
    recommended = State("Recommended to the CTC")
    clear_credential_issued = State("Clear credential issued", final=True)
    preliminary_expired = State("Preliminary credential expired", final=True)
    induction_unavailable = State("Induction unavailable (CL-855)", final=True)
    transferred_out = State("Transferred out", final=True)
    withdrawn = State("Withdrawn", final=True)

    enrol = Event(step(eligible, enrolled), name="Enrol")
    declare_induction_unavailable = Event(step(eligible, induction_unavailable),
                                          name="No induction program available (CL-855)")
    assign_mentor = Event(step(enrolled, mentor_assigned), name="Assign a mentor")
    set_ilp_goals = Event(step(mentor_assigned, ilp_goals_set), name="Set ILP goals")
    begin_year1 = Event(step(ilp_goals_set, year1_active), name="Begin Year 1")
    apply_eco = Event(step(ilp_goals_set, eco_applied), name="Apply for Early Completion")
    approve_eco = Event(step(eco_applied, eco_active), name="Approve Early Completion")
    deny_eco = Event(step(eco_applied, year1_active), name="Deny Early Completion")
    revoke_eco = Event(step(eco_active, year1_active), name="Revoke Early Completion")
    complete_year1 = Event(step(year1_active, year1_complete), name="Complete Year 1")
    begin_year2 = Event(step(year1_complete, year2_active), name="Begin Year 2")
    request_completion_review = Event(step_from(completion_review, year2_active, eco_active),
                                      name="Request the completion review")
    extend = Event(step_from(extended, eco_active, year2_active, completion_review),
                   name="Extend with an extensive support plan")
    resume = Event(step(extended, year2_active), name="Resume after the extension")
    pass_completion_review = Event(step(completion_review, ready_for_recommendation),
                                   name="Pass the completion review")
    recommend, recommendation_purged, recommendation_returned, credential_issued = (
        recommendation_events(ready_for_recommendation, recommended, clear_credential_issued))
    transfer_out = Event(step_from(transferred_out, year1_complete, year2_active),
                         name="Transfer out")
    _active = (eligible, enrolled, mentor_assigned, ilp_goals_set, eco_applied, eco_active,
               year1_active, year1_complete, year2_active, extended, completion_review,
               ready_for_recommendation, recommended)
    expire_preliminary = Event(step_from(preliminary_expired, *_active),
                               name="Preliminary credential expired")
    withdraw = Event(step_from(withdrawn, *_active), name="Withdraw")
    del _active


ELIGIBILITY = (r.IND_PRELIMINARY, r.IND_PRELIMINARY_ISSUED, r.IND_EMPLOYMENT, r.IND_CLEARANCE)
ENROLMENT = (r.IND_ENROLLED_ON, r.IND_ECO_ADVISED)
MENTOR = (r.IND_MENTOR_MATCH, r.IND_MENTOR_IN_TIME)
ILP = (r.IND_ILP, r.IND_ILP_IN_TIME, r.IND_ILP_PRIVATE)
ECO = (r.IND_ECO_APPLICATION, r.IND_ECO_YEARS)
COMPLETION = (r.IND_COMPLETION_REVIEW, r.IND_COMPLETION_SIGNOFF)
DIRECTOR = (Role.PROGRAM_DIRECTOR,)

EVENTS_V1 = {
    "enrol": person(*DIRECTOR, rules=ELIGIBILITY + ENROLMENT),
    "declare_induction_unavailable": person(Role.DISTRICT_HR, rules=(r.IND_CL_855,)),
    "assign_mentor": person(*DIRECTOR, rules=MENTOR),
    "set_ilp_goals": person(Role.CANDIDATE, Role.MENTOR, rules=ILP),
    "begin_year1": person(Role.CANDIDATE, *DIRECTOR),
    "apply_eco": person(Role.CANDIDATE, rules=ECO),
    "approve_eco": person(*DIRECTOR, rules=(r.IND_ECO_YEARS, r.IND_ECO_DIRECTOR,
                                            r.IND_ECO_EMPLOYER)),
    "deny_eco": person(*DIRECTOR),
    "revoke_eco": person(*DIRECTOR),
    "complete_year1": person(*DIRECTOR, rules=(r.IND_MENTORING_AVERAGE, r.IND_ILP_PRIVATE,
                                               r.IND_YEAR1_SIGNOFF)),
    "begin_year2": person(Role.CANDIDATE, *DIRECTOR, rules=(r.IND_ILP, r.IND_ILP_PRIVATE)),
    "request_completion_review": person(Role.CANDIDATE, *DIRECTOR,
                                        rules=(r.IND_MENTORING_AVERAGE, r.IND_ILP_PRIVATE)),
    "extend": person(*DIRECTOR, rules=(r.IND_EXTENSION_PLAN, r.IND_EXTENSION_APPROVED)),
    "resume": person(*DIRECTOR, rules=(r.IND_EXTENSION_COMPLETED,)),
    "pass_completion_review": person(*DIRECTOR, rules=COMPLETION + (
        r.IND_MENTORING_AVERAGE, r.IND_ILP_PRIVATE)),
    # Recommending re-checks the completion review (a replaced record must be verified again).
    **recommendation_specs(r.IND_RECOMMENDATION, Role.CREDENTIAL_ANALYST, extra=COMPLETION),
    "transfer_out": person(*DIRECTOR, rules=(r.IND_TRANSPORTABILITY,)),
    "expire_preliminary": automatic(r.IND_PRELIMINARY_EXPIRED),
    "withdraw": person(Role.CANDIDATE, *DIRECTOR, rules=(r.IND_WITHDRAWAL,)),
}

# An expired preliminary credential ends induction: no step but closing ones after it.
EVENTS_V1 = ended_by(EVENTS_V1, r.IND_PRELIMINARY_NOT_EXPIRED,
                     exempt=("declare_induction_unavailable", "deny_eco", "revoke_eco",
                             "recommendation_returned", "credential_issued", "transfer_out",
                             "withdraw"))

GROUPS_V1 = (
    GroupSpec("Eligibility", ELIGIBILITY),
    GroupSpec("Enrolment", ENROLMENT),
    GroupSpec("Mentor & ILP", MENTOR + ILP),
    GroupSpec("Mentoring", (r.IND_MENTORING_AVERAGE,)),
    GroupSpec("Program completion", (r.IND_YEAR1_SIGNOFF,) + COMPLETION),
    GroupSpec("Credential", (common.CREDENTIAL_ISSUED,)),
)

DEFINITION_V1 = Definition(Pathway(NAME), 1, InductionMachine, EVENTS_V1, GROUPS_V1,
                           success="clear_credential_issued")
