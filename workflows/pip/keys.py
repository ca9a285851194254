"""The PIP pathway's keys: what its rules read besides the common ones (`workflows.keys`).

Values are what the database stores; never rename one.
"""

from __future__ import annotations

from enum import StrEnum

from workflows.declare import Labelled, labels

NAME = "pip"


class KeyDate(StrEnum):
    """Key dates of this pathway (dates in the organisation's local zone)."""

    PERMIT_ISSUED_ON = "permit_issued_on"
    PERMIT_EXPIRES_ON = "permit_expires_on"  # optional override of issue + pip_validity_months


class EvidenceKind(Labelled):
    """Documents of this pathway a rule can require."""

    RECRUITMENT_RECORDS = "recruitment_records"
    TRANSCRIPTS = "transcripts"
    ELIGIBILITY_WORKSHEET = "eligibility_worksheet"
    BOARD_NOTICE = "board_notice"
    CL_857 = "cl_857"
    LIVE_SCAN_RECEIPT = "live_scan_receipt"
    PERSONALIZED_PLAN = "personalized_plan"
    ACTION_PLAN = "action_plan"
    SMC_VERIFICATION = "smc_verification"
    US_CONSTITUTION = "us_constitution"
    BASIC_SKILLS = "basic_skills"
    INTERN_ADMISSION_LETTER = "intern_admission_letter"
    JOB_OFFER = "job_offer"


labels(EvidenceKind, {
    EvidenceKind.RECRUITMENT_RECORDS: "recruitment records (diligent search)",
    EvidenceKind.TRANSCRIPTS: "official transcripts",
    EvidenceKind.ELIGIBILITY_WORKSHEET: "PIP evaluation worksheet (CL-860/862/864)",
    EvidenceKind.BOARD_NOTICE: "board agenda item or public notice of intent to employ",
    EvidenceKind.CL_857: "CL-857 verification",
    EvidenceKind.LIVE_SCAN_RECEIPT: "Live Scan receipt (41-LS)",
    EvidenceKind.PERSONALIZED_PLAN: "PIP Personalized Plan",
    EvidenceKind.ACTION_PLAN: "Action Plan",
    EvidenceKind.SMC_VERIFICATION: "subject-matter competence verification",
    EvidenceKind.US_CONSTITUTION: "U.S. Constitution course or exam record",
    EvidenceKind.BASIC_SKILLS: "basic skills requirement verification",
    EvidenceKind.INTERN_ADMISSION_LETTER: "intern program admission letter",
    EvidenceKind.JOB_OFFER: "offer of employment as teacher of record",
})


class Count(StrEnum):
    """Totals of this pathway the app computes from signed logs and records."""

    REVIEWS_HELD = "reviews_held"  # PIP tracker reviews with the support team
    PRESERVICE_HOURS = "preservice_hours"
    PRIOR_EMERGENCY_PERMITS = "prior_emergency_permits"  # long-term emergency permits held


class Flag(StrEnum):
    """Yes/no facts of this pathway; present in `Facts.flags` means true."""

    SMC_ALREADY_MET = "smc_already_met"  # degree/exams already meet SMC: PIP-ineligible


class SignOff(Labelled):
    """Sign-offs of this pathway; one given is the pair (key, role) in `Facts.signoffs`."""

    PLAN_ESTABLISHED = "plan_established"
    INTERN_READY = "intern_ready"


labels(SignOff, {
    SignOff.PLAN_ESTABLISHED: "Plan established",
    SignOff.INTERN_READY: "Intern ready",
})
