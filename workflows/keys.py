"""Keys every pathway shares: the enrolment and recommendation dates, the documents that end an
enrolment, clearance, Year 1 completion and self-assessments.

Each pathway package adds its own in its `keys` module; `workflows.facts` composes them.
"""

from __future__ import annotations

from enum import StrEnum

from workflows.declare import Labelled, labels


class CommonDate(StrEnum):
    """Key dates every pathway shares (dates in the organisation's local zone)."""

    ENROLLED_ON = "enrolled_on"
    RECOMMENDED_ON = "recommended_on"  # the latest CTC Online recommendation


class CommonEvidence(Labelled):
    """Documents every pathway shares a rule can require."""

    CLEARANCE = "clearance"
    WITHDRAWAL_NOTICE = "withdrawal_notice"
    ISSUED_CREDENTIAL = "issued_credential"  # the document CTC issued at the end


labels(CommonEvidence, {
    CommonEvidence.CLEARANCE: "Certificate of Clearance (CL-900)",
    CommonEvidence.WITHDRAWAL_NOTICE: "withdrawal or separation notice",
    CommonEvidence.ISSUED_CREDENTIAL: "credential document issued by the CTC",
})


class CommonCount(StrEnum):
    """Totals every pathway shares the app computes from signed logs and records."""

    SELF_ASSESSMENTS = "self_assessments"  # CPSEL self-assessments completed


class CommonSignOff(Labelled):
    """Sign-offs every pathway shares; one given is the pair (key, role) in `Facts.signoffs`."""

    YEAR1_COMPLETE = "year1_complete"


labels(CommonSignOff, {
    CommonSignOff.YEAR1_COMPLETE: "Year 1 complete",
})
