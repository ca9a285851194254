"""The PIP pathway's rules: the rule book as named pure predicates (see `workflows.rules`)."""

from __future__ import annotations

from workflows.keys import CommonEvidence
from workflows.pip import dates as d
from workflows.pip.keys import Count, EvidenceKind, Flag, KeyDate, SignOff
from workflows.pip.reviews import REVIEWS
from workflows.program_years import in_words
from workflows.roles import Role
from workflows.rules import (
    CL_900,
    Rule,
    at_least,
    evidence,
    flag_absent,
    reached,
    recommendation_submitted,
    recorded,
    signoff,
    still_valid,
    withdrawal,
)

CL_856 = "CL-856 (CTC leaflet, July 2022)"
CL_857 = "CL-857 employer verification, CL-856 (CTC leaflet, July 2022)"
REG_80021 = "5 CCR §80021.1(a)(2) [configurable: pip_requires_basic_skills]"
TRACKER = "CCTC Credential Tracker flyer (rev. 3 Oct 2019)"
CL_402A = "University Internship Credentials CL-402A (CTC)"


PIP_RECRUITMENT_RECORDS = evidence(
    "pip.recruitment_records", EvidenceKind.RECRUITMENT_RECORDS, Role.DISTRICT_HR,
    CL_857 + " item 1",
    "Your district HR uploads the records of its diligent search for a credentialed teacher.")
PIP_TRANSCRIPTS = evidence("pip.transcripts", EvidenceKind.TRANSCRIPTS,
                           Role.CREDENTIAL_ANALYST, CL_856)
PIP_ELIGIBILITY_WORKSHEET = evidence(
    "pip.eligibility_worksheet", EvidenceKind.ELIGIBILITY_WORKSHEET, Role.CREDENTIAL_ANALYST,
    "CL-860/862/864 worksheets, " + CL_856,
    "Your credential analyst completes the PIP evaluation worksheet (CL-860/862/864) from your "
    "transcripts.")
PIP_SMC_NOT_ALREADY_MET = flag_absent(
    "pip.smc_not_already_met", Flag.SMC_ALREADY_MET, Role.CREDENTIAL_ANALYST, CL_856,
    "Your degree or passed exams already meet subject-matter competence, so a PIP is not for "
    "you: apply to an intern program directly.",
    label="Subject-matter competence not already met")
PIP_PRIOR_PERMITS_WITHIN_LIMIT = Rule(
    key="pip.prior_permits_within_limit", clears=Role.CREDENTIAL_ANALYST, source=CL_856,
    count=Count.PRIOR_EMERGENCY_PERMITS, setting="pip_max_prior_emergency_permits",
    predicate=lambda f: f.count(Count.PRIOR_EMERGENCY_PERMITS)
    <= f.settings.pip_max_prior_emergency_permits,
    figures=lambda f: {"have": f.count(Count.PRIOR_EMERGENCY_PERMITS),
                       "limit": f.settings.pip_max_prior_emergency_permits},
    message="You have held {have:g} long-term emergency permits; a PIP allows at most {limit}.")
PIP_BASIC_SKILLS_FOR_PERMIT = evidence(
    "pip.basic_skills_for_permit", EvidenceKind.BASIC_SKILLS, Role.CREDENTIAL_ANALYST, REG_80021,
    "Your program requires the basic skills requirement before the PIP: upload your "
    "verification; your credential analyst verifies it.",
    applies=lambda f: f.settings.pip_requires_basic_skills)
PIP_BOARD_NOTICE = evidence(
    "pip.board_notice", EvidenceKind.BOARD_NOTICE, Role.DISTRICT_HR, CL_857 + " item 6",
    "Your district HR uploads the board agenda item (or the public notice posted at least 72 "
    "hours before filling the position).")
PIP_CL_857 = evidence(
    "pip.cl_857", EvidenceKind.CL_857, Role.CREDENTIAL_ANALYST, CL_857,
    "Upload your CL-857 verification; your credential analyst verifies it.")
PIP_LIVE_SCAN = evidence("pip.live_scan_receipt", EvidenceKind.LIVE_SCAN_RECEIPT,
                         Role.CREDENTIAL_ANALYST, CL_856)
PIP_PERMIT_ISSUED = recorded(
    "pip.permit_issued", KeyDate.PERMIT_ISSUED_ON, Role.CREDENTIAL_ANALYST, CL_856,
    "Your credential analyst records the date the CTC issued your PIP.")
PIP_PERSONALIZED_PLAN = evidence(
    "pip.personalized_plan", EvidenceKind.PERSONALIZED_PLAN, Role.SITE_ADMINISTRATOR,
    CL_857 + " item 3",
    "Build your PIP Personalized Plan with your district and upload it; your site "
    "administrator verifies it.")
PIP_PLAN_SITE_ADMIN = signoff(
    "pip.plan_signed_by_site_administrator", SignOff.PLAN_ESTABLISHED, Role.SITE_ADMINISTRATOR,
    CL_857 + " items 2-3",
    "Your site administrator signs off that your plan is established.")
PIP_PLAN_DISTRICT_HR = signoff(
    "pip.plan_signed_by_district_hr", SignOff.PLAN_ESTABLISHED, Role.DISTRICT_HR,
    CL_857 + " items 2-3", "Your district HR signs off that your plan is established.")
PIP_ACTION_PLAN = evidence(
    "pip.action_plan", EvidenceKind.ACTION_PLAN, Role.MENTOR, TRACKER,
    "Identify your gaps and upload your Action Plan; your mentor verifies it.")
PIP_REVIEWS = Rule(
    key="pip.reviews_held", clears=Role.SITE_ADMINISTRATOR, source=TRACKER + ", step 6",
    count=Count.REVIEWS_HELD, setting="pip_min_reviews",
    predicate=lambda f: f.count(Count.REVIEWS_HELD) >= f.settings.pip_min_reviews,
    measure=lambda f: (f.count(Count.REVIEWS_HELD), f.settings.pip_min_reviews),
    # A review counts only when the roles the program requires attended (pip_review_needs_*).
    figures=lambda f: {"have": f.count(Count.REVIEWS_HELD), "need": f.settings.pip_min_reviews,
                       "who": in_words(REVIEWS.required(f.settings)) or "your support team"},
    message="{have:g} of {need:g} reviews of your tracker held and signed with {who} present.")
PIP_SMC = evidence("pip.smc_verified", EvidenceKind.SMC_VERIFICATION, Role.CREDENTIAL_ANALYST,
                   CL_402A,
                   "Upload your subject-matter competence verification (CSET scores or "
                   "approved coursework); your credential analyst verifies it.")
PIP_US_CONSTITUTION = evidence("pip.us_constitution", EvidenceKind.US_CONSTITUTION,
                               Role.CREDENTIAL_ANALYST, CL_402A)
PIP_BASIC_SKILLS = evidence("pip.basic_skills", EvidenceKind.BASIC_SKILLS,
                            Role.CREDENTIAL_ANALYST, CL_402A + "; CL-667")
PIP_CLEARANCE = evidence("pip.clearance", CommonEvidence.CLEARANCE, Role.CREDENTIAL_ANALYST,
                         CL_900)
PIP_INTERN_ADMISSION = evidence(
    "pip.intern_admission", EvidenceKind.INTERN_ADMISSION_LETTER,
    Role.PREP_PROGRAM_SUPPORT_PROVIDER, CL_402A)
PIP_PRESERVICE_HOURS = at_least(
    "pip.preservice_hours", Count.PRESERVICE_HOURS, lambda f: f.settings.pip_preservice_hours,
    Role.PREP_PROGRAM_SUPPORT_PROVIDER, CL_402A, setting="pip_preservice_hours",
    message="{have:g} of {need:g} pre-service clock hours verified by your intern program.")
PIP_JOB_OFFER = evidence(
    "pip.job_offer", EvidenceKind.JOB_OFFER, Role.DISTRICT_HR, CL_402A,
    "Your district HR uploads your offer of employment as teacher of record.")
PIP_READY_ANALYST = signoff(
    "pip.intern_ready_by_credential_analyst", SignOff.INTERN_READY, Role.CREDENTIAL_ANALYST,
    CL_402A, "Your credential analyst signs off that you are intern-ready.")
PIP_READY_PROGRAM = signoff(
    "pip.intern_ready_by_intern_program", SignOff.INTERN_READY,
    Role.PREP_PROGRAM_SUPPORT_PROVIDER, CL_402A,
    "Your intern program's support provider signs off that you are intern-ready.")
PIP_FOUND_INELIGIBLE = Rule(
    key="pip.found_ineligible", clears=Role.CREDENTIAL_ANALYST, source=CL_856,
    flag=Flag.SMC_ALREADY_MET, setting="pip_max_prior_emergency_permits",
    predicate=lambda f: f.flag(Flag.SMC_ALREADY_MET) or f.count(Count.PRIOR_EMERGENCY_PERMITS)
    > f.settings.pip_max_prior_emergency_permits,
    unrecorded_unmet=False,  # either recorded fact alone makes the candidate ineligible
    message="Only a candidate who already meets subject-matter competence, or has held more "
            "than the allowed long-term emergency permits, is ineligible.")
PIP_PERMIT_EXPIRED = reached(
    "pip.permit_expired", d.pip_expires_on, KeyDate.PERMIT_ISSUED_ON, Role.CREDENTIAL_ANALYST,
    CL_856, setting="pip_validity_months",
    message="Your PIP expires on {due} and cannot be renewed; it has not expired yet.")
PIP_PERMIT_NOT_EXPIRED = still_valid(
    "pip.permit_not_expired", d.pip_expires_on, Role.CREDENTIAL_ANALYST, CL_856,
    setting="pip_validity_months", label="PIP still valid",
    message="Your PIP expired on {due} and cannot be renewed, so this step can no longer be "
            "taken on it. If the expiry date is wrong, your credential analyst corrects it.")
PIP_WITHDRAWAL = withdrawal("pip", Role.DISTRICT_HR, CL_856 + " (employer-restricted)")
PIP_RECOMMENDATION = recommendation_submitted("pip", Role.PREP_PROGRAM_SUPPORT_PROVIDER)


