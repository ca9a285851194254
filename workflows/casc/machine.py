"""CASC induction -> Clear Administrative Services Credential (rule book §3.4).

The table's C3-C6 (orientation, assurances, coach, self-assessment 1, IIP 1) are the checklist
for starting Year 1, and C9-C11 for starting Year 2; C14 (exit interview) and C15 (experience)
are independent guards that both lead to `ready_for_recommendation` (§3.4 notes).
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
from workflows.casc import rules as r
from workflows.casc.keys import NAME
from workflows.facts import Pathway
from workflows.roles import Role


class CascMachine(PathwayMachine[Any]):
    """CASC induction -> Clear Administrative Services Credential."""

    pasc_or_coe_held = State("Preliminary ASC or Certificate of Eligibility held", initial=True)
    admin_employed = State("Employed as an administrator")
    admitted = State("Admitted")
    year1_active = State("Year 1")
    year1_complete = State("Year 1 complete")
    year2_active = State("Year 2")
    exit_interview = State("Exit interview")
    ready_for_recommendation = State("Ready for recommendation")
    recommended = State("Recommended to the CTC")
    casc_issued = State("Clear ASC issued", final=True)
    enrolment_window_missed = State("Enrolment window missed", final=True)
    pasc_expired = State("Preliminary ASC expired", final=True)
    transferred = State("Transferred (Year 1 completion document)", final=True)
    withdrawn = State("Withdrawn", final=True)

    verify_employment = Event(step(pasc_or_coe_held, admin_employed),
                              name="Verify administrative employment (CL-777)")
    admit = Event(step(admin_employed, admitted), name="Admit")
    miss_enrolment_window = Event(step(admin_employed, enrolment_window_missed),
                                  name="Enrolment window missed")
    start_year1 = Event(step(admitted, year1_active), name="Start Year 1")
    complete_year1 = Event(step(year1_active, year1_complete), name="Complete Year 1")
    start_year2 = Event(step(year1_complete, year2_active), name="Start Year 2")
    complete_year2 = Event(step(year2_active, exit_interview), name="Complete Year 2")
    pass_exit_interview = Event(step(exit_interview, ready_for_recommendation),
                                name="Pass the exit interview")
    recommend, recommendation_purged, recommendation_returned, credential_issued = (
        recommendation_events(ready_for_recommendation, recommended, casc_issued))
    transfer_out = Event(step_from(transferred, year1_complete, year2_active),
                         name="Transfer with the Year 1 completion document")
    _active = (pasc_or_coe_held, admin_employed, admitted, year1_active, year1_complete,
               year2_active, exit_interview, ready_for_recommendation, recommended)
    expire_pasc = Event(step_from(pasc_expired, *_active), name="Preliminary ASC expired")
    withdraw = Event(step_from(withdrawn, *_active), name="Withdraw")
    del _active


EMPLOYMENT = (r.CASC_PASC_OR_COE, r.CASC_CL_777, r.CASC_ADMIN_START)
ADMISSION = (r.CASC_PASC_OR_COE, r.CASC_CL_777, r.CASC_ADMITTED_ON, r.CASC_IN_WINDOW,
             r.CASC_ADMISSION_SIGNOFF)
YEAR1_START = (r.CASC_ORIENTATION_Y1, r.CASC_ASSURANCES_Y1, r.CASC_COACH_IN_TIME,
               r.CASC_SELF_ASSESSMENT_1, r.CASC_IIP_1, r.CASC_IIP_1_APPROVED)
YEAR1 = (r.CASC_COACHING_Y1, r.CASC_COACHING_HOURS_Y1, r.CASC_PL_Y1, r.CASC_YEAR1_SIGNOFF)
YEAR2_START = (r.CASC_ORIENTATION_Y2, r.CASC_ASSURANCES_Y2, r.CASC_SELF_ASSESSMENT_2,
               r.CASC_IIP_2, r.CASC_IIP_2_APPROVED)
YEAR2 = (r.CASC_COACHING_Y2, r.CASC_COACHING_HOURS_Y2, r.CASC_PL_Y2, r.CASC_SELF_ASSESSMENT_3)
EXIT = (r.CASC_EXIT_MASTERY, r.CASC_EXPERIENCE_LETTER, r.CASC_EXPERIENCE_YEARS)
DIRECTOR = (Role.PROGRAM_DIRECTOR,)

EVENTS_V1 = {
    "verify_employment": person(Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST, rules=EMPLOYMENT),
    "admit": person(*DIRECTOR, rules=ADMISSION),
    "miss_enrolment_window": automatic(r.CASC_WINDOW_MISSED),
    "start_year1": person(Role.CANDIDATE, *DIRECTOR, rules=YEAR1_START),
    "complete_year1": person(*DIRECTOR, rules=YEAR1),
    "start_year2": person(Role.CANDIDATE, *DIRECTOR, rules=YEAR2_START),
    "complete_year2": person(Role.CANDIDATE, *DIRECTOR, rules=YEAR2),
    "pass_exit_interview": person(*DIRECTOR, rules=EXIT),
    **recommendation_specs(r.CASC_RECOMMENDATION, Role.PROGRAM_DIRECTOR,
                           # Recommending re-checks the exit and experience guards: an
                           # experience letter replaced since then must be verified again.
                           extra=EXIT + (r.CASC_RECOMMENDATION_APPROVED,)),
    "transfer_out": person(*DIRECTOR, rules=(r.CASC_YEAR1_DOCUMENT,)),
    "expire_pasc": automatic(r.CASC_PASC_EXPIRED),
    "withdraw": person(Role.CANDIDATE, *DIRECTOR, rules=(r.CASC_WITHDRAWAL,)),
}

# Admission only while the enrolment window is open; nothing but closing steps once the
# preliminary ASC expired.
EVENTS_V1 = ended_by(EVENTS_V1, r.CASC_WINDOW_OPEN, only=("admit",))
EVENTS_V1 = ended_by(EVENTS_V1, r.CASC_PASC_NOT_EXPIRED,
                     exempt=("recommendation_returned", "credential_issued", "transfer_out",
                             "withdraw"))

GROUPS_V1 = (
    GroupSpec("Admission", EMPLOYMENT + ADMISSION[2:]),
    GroupSpec("Year 1", YEAR1_START + YEAR1),
    GroupSpec("Year 2", YEAR2_START + YEAR2),
    GroupSpec("Exit & experience", EXIT + (r.CASC_RECOMMENDATION_APPROVED,)),
    GroupSpec("Credential", (common.CREDENTIAL_ISSUED,)),
)

DEFINITION_V1 = Definition(Pathway(NAME), 1, CascMachine, EVENTS_V1, GROUPS_V1,
                           success="casc_issued")
