"""The CASC's keys: what its rules read besides the common ones (`workflows.keys`).

Values are what the database stores; never rename one.
"""

from __future__ import annotations

from enum import StrEnum

from workflows.declare import Labelled, labels

NAME = "casc"


class KeyDate(StrEnum):
    """Key dates of this pathway (dates in the organisation's local zone)."""

    ADMIN_POSITION_STARTED_ON = "admin_position_started_on"
    PASC_ISSUED_ON = "pasc_issued_on"
    PASC_EXPIRES_ON = "pasc_expires_on"  # optional override of issue + 5 years
    ADMITTED_ON = "admitted_on"
    COACH_ASSIGNED_ON = "coach_assigned_on"


class EvidenceKind(Labelled):
    """Documents of this pathway a rule can require."""

    PASC_OR_COE = "pasc_or_coe"
    CL_777 = "cl_777"
    ORIENTATION_Y1 = "orientation_y1"
    ASSURANCES_Y1 = "assurances_y1"
    IIP_1 = "iip_1"
    ORIENTATION_Y2 = "orientation_y2"
    ASSURANCES_Y2 = "assurances_y2"
    IIP_2 = "iip_2"
    EXPERIENCE_LETTER = "experience_letter"
    YEAR1_COMPLETION_DOCUMENT = "year1_completion_document"


labels(EvidenceKind, {
    EvidenceKind.PASC_OR_COE: "preliminary administrative services credential or Certificate of Eligibility",
    EvidenceKind.CL_777: "CL-777 administrator verification of employment",
    EvidenceKind.ORIENTATION_Y1: "Year 1 orientation record",
    EvidenceKind.ASSURANCES_Y1: "Year 1 assurances and agreement forms",
    EvidenceKind.IIP_1: "IIP 1 (CPSEL 1–3)",
    EvidenceKind.ORIENTATION_Y2: "Year 2 orientation record",
    EvidenceKind.ASSURANCES_Y2: "Year 2 assurances and agreement forms",
    EvidenceKind.IIP_2: "IIP 2 (CPSEL 4–6)",
    EvidenceKind.EXPERIENCE_LETTER: "employer letter verifying administrative experience",
    EvidenceKind.YEAR1_COMPLETION_DOCUMENT: "Year 1 completion document",
})


class Count(StrEnum):
    """Totals of this pathway the app computes from signed logs and records."""

    COACHING_WEEKS_Y1 = "coaching_weeks_y1"  # distinct weeks with a signed coaching meeting
    COACHING_WEEKS_Y2 = "coaching_weeks_y2"
    COACHING_HOURS_Y1 = "coaching_hours_y1"  # signed one-on-one coaching hours dated in Year 1
    COACHING_HOURS_Y2 = "coaching_hours_y2"
    PL_HOURS_Y1 = "pl_hours_y1"
    PL_HOURS_Y2 = "pl_hours_y2"
    ADMIN_EXPERIENCE_YEARS = "admin_experience_years"  # verified full-time admin years


class Flag(StrEnum):
    """Yes/no facts of this pathway; present in `Facts.flags` means true."""

    EXIT_PANEL_MASTERY = "exit_panel_mastery"  # panel quorum agreed mastery of every CPSEL
    ENROLMENT_WINDOW_EXTENSION = "enrolment_window_extension"  # director-approved CASC exception
    COACH_LATE_ACCEPTED = "coach_late_accepted"


class SignOff(Labelled):
    """Sign-offs of this pathway; one given is the pair (key, role) in `Facts.signoffs`."""

    ADMITTED = "admitted"
    IIP1_APPROVED = "iip1_approved"
    IIP2_APPROVED = "iip2_approved"
    RECOMMENDATION_APPROVED = "recommendation_approved"


labels(SignOff, {
    SignOff.ADMITTED: "Admitted",
    SignOff.IIP1_APPROVED: "IIP 1 approved",
    SignOff.IIP2_APPROVED: "IIP 2 approved",
    SignOff.RECOMMENDATION_APPROVED: "Recommendation approved",
})
