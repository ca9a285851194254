"""PIP pathway: Provisional Internship Permit -> intern credential ready -> issued (rule book §1.5).

A0-A3 are sequential states. A4-A9 "may occur partly in parallel" (§1.5), so they are one
checklist: `pip_active` (permit issued) -> `plan_established` (A5) -> `intern_ready` once every
intern-readiness rule holds (A6-A10). The permit cannot be renewed: `expire_permit` is a
job-fired event guarded by the expiry date.
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
from workflows.pip import rules as r
from workflows.pip.keys import NAME
from workflows.roles import Role


class PipMachine(PathwayMachine[Any]):
    """Provisional Internship Permit -> intern credential."""

    vacancy_search = State("Vacancy search", initial=True)
    eligibility_screen = State("Eligibility screen")
    public_notice = State("Public notice")
    pip_requested = State("PIP requested")
    pip_active = State("PIP active")
    plan_established = State("Plan established")
    intern_ready = State("Intern credential ready")
    intern_recommended = State("Intern credential recommended")
    intern_credential_issued = State("Intern credential issued", final=True)
    pip_expired_not_ready = State("PIP expired before intern-ready", final=True)
    ineligible = State("Ineligible for a PIP", final=True)
    withdrawn = State("Withdrawn", final=True)

    start_screening = Event(step(vacancy_search, eligibility_screen),
                            name="Diligent search done: screen eligibility")
    confirm_eligibility = Event(step(eligibility_screen, public_notice), name="Confirm eligibility")
    found_ineligible = Event(step(eligibility_screen, ineligible), name="Found ineligible")
    request_permit = Event(step(public_notice, pip_requested), name="Request the PIP")
    permit_issued = Event(step(pip_requested, pip_active), name="PIP issued by the CTC")
    establish_plan = Event(step(pip_active, plan_established), name="Establish the plan")
    declare_intern_ready = Event(step(plan_established, intern_ready),
                                 name="Declare intern-credential ready")
    recommend, recommendation_purged, recommendation_returned, credential_issued = (
        recommendation_events(intern_ready, intern_recommended, intern_credential_issued))
    expire_permit = Event(step_from(pip_expired_not_ready, pip_active, plan_established),
                           name="PIP expired")
    withdraw = Event(step_from(withdrawn, vacancy_search, eligibility_screen, public_notice,
                               pip_requested, pip_active, plan_established, intern_ready,
                               intern_recommended), name="Withdraw")


ELIGIBILITY = (r.PIP_RECRUITMENT_RECORDS, r.PIP_TRANSCRIPTS, r.PIP_ELIGIBILITY_WORKSHEET,
               r.PIP_SMC_NOT_ALREADY_MET, r.PIP_PRIOR_PERMITS_WITHIN_LIMIT,
               r.PIP_BASIC_SKILLS_FOR_PERMIT)
PERMIT = (r.PIP_BOARD_NOTICE, r.PIP_CL_857, r.PIP_LIVE_SCAN, r.PIP_PERMIT_ISSUED)
PLAN = (r.PIP_PERSONALIZED_PLAN, r.PIP_PLAN_SITE_ADMIN, r.PIP_PLAN_DISTRICT_HR)
SUPPORT = (r.PIP_ACTION_PLAN, r.PIP_REVIEWS)
INTERN_READINESS = (r.PIP_SMC, r.PIP_US_CONSTITUTION, r.PIP_BASIC_SKILLS, r.PIP_CLEARANCE,
                    r.PIP_INTERN_ADMISSION, r.PIP_PRESERVICE_HOURS, r.PIP_JOB_OFFER)
READY_SIGNOFFS = (r.PIP_READY_ANALYST, r.PIP_READY_PROGRAM)

EVENTS_V1 = {
    "start_screening": person(Role.DISTRICT_HR, rules=(r.PIP_RECRUITMENT_RECORDS,)),
    "confirm_eligibility": person(Role.CREDENTIAL_ANALYST, rules=ELIGIBILITY[1:]),
    "found_ineligible": person(Role.CREDENTIAL_ANALYST, rules=(r.PIP_FOUND_INELIGIBLE,)),
    "request_permit": person(Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR, rules=PERMIT[:3]),
    "permit_issued": person(Role.CREDENTIAL_ANALYST, rules=(r.PIP_PERMIT_ISSUED,)),
    "establish_plan": person(Role.CANDIDATE, Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR,
                             rules=PLAN),
    "declare_intern_ready": person(Role.CANDIDATE, Role.CREDENTIAL_ANALYST,
                                   Role.PREP_PROGRAM_SUPPORT_PROVIDER,
                                   rules=SUPPORT + INTERN_READINESS + READY_SIGNOFFS),
    # Recommending re-checks readiness: a document replaced since then must be verified again.
    **recommendation_specs(r.PIP_RECOMMENDATION, Role.PREP_PROGRAM_SUPPORT_PROVIDER,
                           extra=INTERN_READINESS + READY_SIGNOFFS),
    "expire_permit": automatic(r.PIP_PERMIT_EXPIRED),
    "withdraw": person(Role.CANDIDATE, Role.DISTRICT_HR, rules=(r.PIP_WITHDRAWAL,)),
}

# Once the PIP has expired nothing more can be done on it (rule book §1.5: no renewal).
EVENTS_V1 = ended_by(EVENTS_V1, r.PIP_PERMIT_NOT_EXPIRED,
                     only=("establish_plan", "declare_intern_ready"))

GROUPS_V1 = (
    GroupSpec("Eligibility", ELIGIBILITY),
    GroupSpec("Permit", PERMIT),
    GroupSpec("Plan & support", PLAN + SUPPORT),
    GroupSpec("Intern readiness", INTERN_READINESS + READY_SIGNOFFS),
    GroupSpec("Credential", (common.CREDENTIAL_ISSUED,)),
)

DEFINITION_V1 = Definition(Pathway(NAME), 1, PipMachine, EVENTS_V1, GROUPS_V1,
                           success="intern_credential_issued")
