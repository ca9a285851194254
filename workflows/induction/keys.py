"""The Teacher Induction's keys: what its rules read besides the common ones (`workflows.keys`).

Values are what the database stores; never rename one.
"""

from __future__ import annotations

from enum import StrEnum

from workflows.declare import Labelled, labels

NAME = "induction"


class KeyDate(StrEnum):
    """Key dates of this pathway (dates in the organisation's local zone)."""

    PRELIMINARY_ISSUED_ON = "preliminary_issued_on"
    PRELIMINARY_EXPIRES_ON = "preliminary_expires_on"  # optional override of issue + 5 years
    MENTOR_ASSIGNED_ON = "mentor_assigned_on"
    ILP_GOALS_SET_ON = "ilp_goals_set_on"


class EvidenceKind(Labelled):
    """Documents of this pathway a rule can require."""

    PRELIMINARY_CREDENTIAL = "preliminary_credential"
    EMPLOYMENT_VERIFICATION = "employment_verification"
    MENTOR_MATCH_RECORD = "mentor_match_record"
    ILP = "ilp"
    ECO_APPLICATION = "eco_application"
    EXTENSIVE_SUPPORT_PLAN = "extensive_support_plan"
    COMPLETION_REVIEW = "completion_review"
    TRANSPORTABILITY_DOCUMENT = "transportability_document"
    CL_855 = "cl_855"


labels(EvidenceKind, {
    EvidenceKind.PRELIMINARY_CREDENTIAL: "preliminary teaching credential",
    EvidenceKind.EMPLOYMENT_VERIFICATION: "verification of employment as teacher of record",
    EvidenceKind.MENTOR_MATCH_RECORD: "mentor match record",
    EvidenceKind.ILP: "Individual Learning Plan (ILP)",
    EvidenceKind.ECO_APPLICATION: "Early Completion Option application",
    EvidenceKind.EXTENSIVE_SUPPORT_PLAN: "extensive support plan",
    EvidenceKind.COMPLETION_REVIEW: "completion review record",
    EvidenceKind.TRANSPORTABILITY_DOCUMENT: "transportability document",
    EvidenceKind.CL_855: "CL-855 verification that no induction program is available",
})


class Count(StrEnum):
    """Totals of this pathway the app computes from signed logs and records."""

    MENTORING_HOURS = "mentoring_hours"  # induction, signed logs since enrolment
    TEACHING_YEARS = "teaching_years"  # years as teacher of record (ECO)


class Flag(StrEnum):
    """Yes/no facts of this pathway; present in `Facts.flags` means true."""

    ECO_ADVISED = "eco_advised"  # the program advised the candidate of the ECO
    ILP_SHARED_WITH_EVALUATOR = "ilp_shared_with_evaluator"  # must stay false
    MENTOR_LATE_ACCEPTED = "mentor_late_accepted"
    ILP_LATE_ACCEPTED = "ilp_late_accepted"


class SignOff(Labelled):
    """Sign-offs of this pathway; one given is the pair (key, role) in `Facts.signoffs`."""

    ECO_APPROVED = "eco_approved"
    COMPLETION_REVIEW_PASSED = "completion_review_passed"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_COMPLETED = "extension_completed"


labels(SignOff, {
    SignOff.ECO_APPROVED: "Early Completion approved",
    SignOff.COMPLETION_REVIEW_PASSED: "Completion review passed",
    SignOff.EXTENSION_APPROVED: "Extension approved",
    SignOff.EXTENSION_COMPLETED: "Extension completed",
})
