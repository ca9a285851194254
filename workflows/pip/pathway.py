"""The PIP pathway, as the registry serves it: Provisional Internship Permit -> intern credential
ready within the permit's one non-renewable year (rule book §1)."""

from __future__ import annotations

from datetime import date

from workflows.base import Definition
from workflows.dates import add_months, add_years
from workflows.facts import Facts
from workflows.pathway import DeadlineSpec, PaceTarget, PathwayPlugin, TimeEvent, all_hold, credential_issued
from workflows.pip import confidentiality, machine, recorded
from workflows.pip import rules as r
from workflows.pip.dates import pip_expires_on
from workflows.pip.keys import NAME, Count, EvidenceKind, KeyDate
from workflows.pip.reviews import REVIEWS
from workflows.roles import Role
from workflows.settings import ProgramSettings


def _ready_or_issued(facts: Facts, defn: Definition) -> bool:
    """Intern-ready under the pinned version's rules, or already issued."""
    return all_hold(defn.events["declare_intern_ready"].rules, facts) or credential_issued(facts, defn)


def _latest_issue(today: date, settings: ProgramSettings) -> date:
    """A permit issued after this day cannot have expired by `today`."""
    return add_months(today, -settings.pip_validity_months)


def _pace(facts: Facts, start: date) -> list[PaceTarget]:
    """Pre-service hours and tracker reviews, both before the permit expires."""
    end = pip_expires_on(facts) or add_years(start, 1)
    s = facts.settings
    return [PaceTarget("preservice_hours", "Pre-service hours before the permit expires", "hours",
                       facts.count(Count.PRESERVICE_HOURS), s.pip_preservice_hours, start, end),
            PaceTarget("reviews", "Tracker reviews with the support team", "reviews",
                       facts.count(Count.REVIEWS_HELD), s.pip_min_reviews, start, end)]


PATHWAY = PathwayPlugin(
    name=NAME,
    label="Provisional Internship Permit → intern credential",
    short="PIP",
    title="Provisional Internship Permit",
    description="You teach on a Provisional Internship Permit and are getting ready for an intern program.",
    credential_hint="For example: University Intern Credential, Single Subject.",
    authorization_hint="The subject you teach on the permit, e.g. Mathematics.",
    signup_dates=((KeyDate.PERMIT_ISSUED_ON, "PIP permit issued on"), (KeyDate.PERMIT_EXPIRES_ON, "PIP permit expires on")),
    definitions=(machine.DEFINITION_V1,),
    current_version=1,
    deadlines=(DeadlineSpec("pip_expiry", "Become intern-credential ready before your PIP expires",
                            pip_expires_on, r.PIP_PERMIT_EXPIRED, _ready_or_issued),),
    time_events=(TimeEvent("expire_permit", pip_expires_on, anchor=KeyDate.PERMIT_ISSUED_ON,
                           latest_anchor=_latest_issue, expiry=KeyDate.PERMIT_EXPIRES_ON,
                           meaning="The Provisional Internship Permit expired before the intern credential was "
                                   "ready, and a PIP cannot be renewed."),),
    paced_states=frozenset({"pip_active", "plan_established"}),
    logging_states=frozenset({"pip_active", "plan_established"}),
    counted_on={Count.REVIEWS_HELD: "meetings"},
    filed_by_others=frozenset({EvidenceKind.RECRUITMENT_RECORDS, EvidenceKind.ELIGIBILITY_WORKSHEET,
                               EvidenceKind.BOARD_NOTICE, EvidenceKind.JOB_OFFER}),
    pace=_pace,
    # Support notes and review meetings signed by the mentor, pre-service hours by the intern program.
    log_kinds={"support_note": Role.MENTOR, "review_meeting": Role.MENTOR,
               "preservice": Role.PREP_PROGRAM_SUPPORT_PROVIDER},
    plan_kinds=("pip_personalized", "pip_action"),  # rule book §1.3
    plan_documents={"pip_personalized": EvidenceKind.PERSONALIZED_PLAN, "pip_action": EvidenceKind.ACTION_PLAN},
    plan_co_author=Role.MENTOR,
    confidentiality=confidentiality.TABLE,
    facts=recorded.FACTS,
    team_roles=(Role.MENTOR, Role.COACH, Role.SITE_ADMINISTRATOR, Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR,
                Role.PREP_PROGRAM_SUPPORT_PROVIDER),
    supporter=Role.MENTOR,
    reviews=REVIEWS,
    derived=recorded.DERIVED,
    confidential_logs=("support_note",),
)
