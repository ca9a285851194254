"""The facts snapshot: everything the rules may look at for ONE enrolment, as plain data.

The app builds a `Facts` from the database for each command or page; `workflows/` never reads
the database. Keys are StrEnums whose values are what the app stores, so a plain `dict[str, ...]`
from the database works; unknown keys raise ValueError at construction (a typo never silently
counts as "missing").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from workflows.roles import Role
from workflows.settings import ProgramSettings


class Pathway(StrEnum):
    """The three pathways; the value is what the database stores."""

    PIP = "pip"
    INDUCTION = "induction"
    CASC = "casc"


class KeyDate(StrEnum):
    """Key dates of an enrolment (dates in the organisation's local zone)."""

    ENROLLED_ON = "enrolled_on"
    PERMIT_ISSUED_ON = "permit_issued_on"
    PERMIT_EXPIRES_ON = "permit_expires_on"  # optional override of issue + pip_validity_months
    PRELIMINARY_ISSUED_ON = "preliminary_issued_on"
    PRELIMINARY_EXPIRES_ON = "preliminary_expires_on"  # optional override of issue + 5 years
    ADMIN_POSITION_STARTED_ON = "admin_position_started_on"
    PASC_ISSUED_ON = "pasc_issued_on"
    PASC_EXPIRES_ON = "pasc_expires_on"  # optional override of issue + 5 years
    ADMITTED_ON = "admitted_on"
    MENTOR_ASSIGNED_ON = "mentor_assigned_on"
    COACH_ASSIGNED_ON = "coach_assigned_on"
    ILP_GOALS_SET_ON = "ilp_goals_set_on"
    RECOMMENDED_ON = "recommended_on"  # the latest CTC Online recommendation


class EvidenceStatus(StrEnum):
    """Where an uploaded document stands; only VERIFIED satisfies a rule."""

    MISSING = "missing"
    SUBMITTED = "submitted"  # shown as "awaiting verification"
    VERIFIED = "verified"
    SENT_BACK = "sent_back"


class EvidenceKind(StrEnum):
    """Kinds of documentary evidence a rule can require."""

    # PIP
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
    CLEARANCE = "clearance"
    INTERN_ADMISSION_LETTER = "intern_admission_letter"
    JOB_OFFER = "job_offer"
    # Induction
    PRELIMINARY_CREDENTIAL = "preliminary_credential"
    EMPLOYMENT_VERIFICATION = "employment_verification"
    MENTOR_MATCH_RECORD = "mentor_match_record"
    ILP = "ilp"
    ECO_APPLICATION = "eco_application"
    EXTENSIVE_SUPPORT_PLAN = "extensive_support_plan"
    COMPLETION_REVIEW = "completion_review"
    TRANSPORTABILITY_DOCUMENT = "transportability_document"
    CL_855 = "cl_855"
    # CASC
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
    # All pathways
    WITHDRAWAL_NOTICE = "withdrawal_notice"
    ISSUED_CREDENTIAL = "issued_credential"  # the document CTC issued at the end

    @property
    def label(self) -> str:
        """The document's name as people say it."""
        return _EVIDENCE_LABELS[self]


_EVIDENCE_LABELS = {
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
    EvidenceKind.CLEARANCE: "Certificate of Clearance (CL-900)",
    EvidenceKind.INTERN_ADMISSION_LETTER: "intern program admission letter",
    EvidenceKind.JOB_OFFER: "offer of employment as teacher of record",
    EvidenceKind.PRELIMINARY_CREDENTIAL: "preliminary teaching credential",
    EvidenceKind.EMPLOYMENT_VERIFICATION: "verification of employment as teacher of record",
    EvidenceKind.MENTOR_MATCH_RECORD: "mentor match record",
    EvidenceKind.ILP: "Individual Learning Plan (ILP)",
    EvidenceKind.ECO_APPLICATION: "Early Completion Option application",
    EvidenceKind.EXTENSIVE_SUPPORT_PLAN: "extensive support plan",
    EvidenceKind.COMPLETION_REVIEW: "completion review record",
    EvidenceKind.TRANSPORTABILITY_DOCUMENT: "transportability document",
    EvidenceKind.CL_855: "CL-855 verification that no induction program is available",
    EvidenceKind.PASC_OR_COE: "preliminary administrative services credential or Certificate "
                              "of Eligibility",
    EvidenceKind.CL_777: "CL-777 administrator verification of employment",
    EvidenceKind.ORIENTATION_Y1: "Year 1 orientation record",
    EvidenceKind.ASSURANCES_Y1: "Year 1 assurances and agreement forms",
    EvidenceKind.IIP_1: "IIP 1 (CPSEL 1-3)",
    EvidenceKind.ORIENTATION_Y2: "Year 2 orientation record",
    EvidenceKind.ASSURANCES_Y2: "Year 2 assurances and agreement forms",
    EvidenceKind.IIP_2: "IIP 2 (CPSEL 4-6)",
    EvidenceKind.EXPERIENCE_LETTER: "employer letter verifying administrative experience",
    EvidenceKind.YEAR1_COMPLETION_DOCUMENT: "Year 1 completion document",
    EvidenceKind.WITHDRAWAL_NOTICE: "withdrawal or separation notice",
    EvidenceKind.ISSUED_CREDENTIAL: "credential document issued by the CTC",
}


class Count(StrEnum):
    """Totals the app computes from signed logs and records."""

    REVIEWS_HELD = "reviews_held"  # PIP tracker reviews with the support team
    PRESERVICE_HOURS = "preservice_hours"
    PRIOR_EMERGENCY_PERMITS = "prior_emergency_permits"  # long-term emergency permits held
    MENTORING_HOURS = "mentoring_hours"  # induction, signed logs since enrolment
    TEACHING_YEARS = "teaching_years"  # years as teacher of record (ECO)
    COACHING_WEEKS_Y1 = "coaching_weeks_y1"  # distinct weeks with a signed coaching meeting
    COACHING_WEEKS_Y2 = "coaching_weeks_y2"
    COACHING_HOURS_Y1 = "coaching_hours_y1"  # signed one-on-one coaching hours dated in Year 1
    COACHING_HOURS_Y2 = "coaching_hours_y2"
    PL_HOURS_Y1 = "pl_hours_y1"
    PL_HOURS_Y2 = "pl_hours_y2"
    SELF_ASSESSMENTS = "self_assessments"  # CPSEL self-assessments completed
    ADMIN_EXPERIENCE_YEARS = "admin_experience_years"  # verified full-time admin years


class Flag(StrEnum):
    """Yes/no facts that are not documents; present in `Facts.flags` means true."""

    ECO_ADVISED = "eco_advised"  # the program advised the candidate of the ECO
    SMC_ALREADY_MET = "smc_already_met"  # degree/exams already meet SMC: PIP-ineligible
    EXIT_PANEL_MASTERY = "exit_panel_mastery"  # panel quorum agreed mastery of every CPSEL
    ILP_SHARED_WITH_EVALUATOR = "ilp_shared_with_evaluator"  # must stay false
    ENROLMENT_WINDOW_EXTENSION = "enrolment_window_extension"  # director-approved CASC exception
    # A window closed late (mentor after 30 days, ILP after 60, coach after 30): the program
    # director let the enrolment carry on, with a reason; the lateness stays on the record.
    MENTOR_LATE_ACCEPTED = "mentor_late_accepted"
    ILP_LATE_ACCEPTED = "ilp_late_accepted"
    COACH_LATE_ACCEPTED = "coach_late_accepted"


class SignOff(StrEnum):
    """Sign-off keys; a sign-off given is the pair (key, role) in `Facts.signoffs`."""

    PLAN_ESTABLISHED = "plan_established"
    INTERN_READY = "intern_ready"
    ECO_APPROVED = "eco_approved"
    YEAR1_COMPLETE = "year1_complete"
    COMPLETION_REVIEW_PASSED = "completion_review_passed"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_COMPLETED = "extension_completed"
    ADMITTED = "admitted"
    IIP1_APPROVED = "iip1_approved"
    IIP2_APPROVED = "iip2_approved"
    RECOMMENDATION_APPROVED = "recommendation_approved"

    @property
    def label(self) -> str:
        """The sign-off as people say it ("Year 1 complete")."""
        return _SIGNOFF_LABELS[self]


_SIGNOFF_LABELS = {
    SignOff.PLAN_ESTABLISHED: "Plan established",
    SignOff.INTERN_READY: "Intern ready",
    SignOff.ECO_APPROVED: "Early Completion approved",
    SignOff.YEAR1_COMPLETE: "Year 1 complete",
    SignOff.COMPLETION_REVIEW_PASSED: "Completion review passed",
    SignOff.EXTENSION_APPROVED: "Extension approved",
    SignOff.EXTENSION_COMPLETED: "Extension completed",
    SignOff.ADMITTED: "Admitted",
    SignOff.IIP1_APPROVED: "IIP 1 approved",
    SignOff.IIP2_APPROVED: "IIP 2 approved",
    SignOff.RECOMMENDATION_APPROVED: "Recommendation approved",
}


def signoff_label(key: str) -> str:
    """A stored sign-off key in words; a key a later version retired still reads as words."""
    try:
        return SignOff(key).label
    except ValueError:
        return key.replace("_", " ").capitalize()


E = TypeVar("E", bound=StrEnum)


def _keyed(enum: type[E], data: Mapping[Any, Any], what: str) -> Mapping[E, Any]:
    """Copy a mapping with its keys converted to `enum`, read-only."""
    try:
        return MappingProxyType({enum(k): v for k, v in data.items()})
    except ValueError as err:
        raise ValueError(f"unknown {what}: {err}") from None


def _signoffs(pairs: Iterable[tuple[Any, Any]]) -> frozenset[tuple[SignOff, Role]]:
    """Normalise sign-off pairs to (SignOff, Role)."""
    try:
        return frozenset((SignOff(k), Role(r)) for k, r in pairs)
    except ValueError as err:
        raise ValueError(f"unknown sign-off: {err}") from None


@dataclass(frozen=True)
class Facts:
    """A snapshot of one enrolment, built by the app from the database."""

    pathway: Pathway
    today: date  # in the organisation's local zone (see deadlines.local_today)
    settings: ProgramSettings = field(default_factory=ProgramSettings)
    dates: Mapping[KeyDate, date] = field(default_factory=dict)
    evidence: Mapping[EvidenceKind, EvidenceStatus] = field(default_factory=dict)
    signoffs: frozenset[tuple[SignOff, Role]] = frozenset()
    counts: Mapping[Count, float] = field(default_factory=dict)
    flags: frozenset[Flag] = frozenset()
    # Facts the candidate typed that no owning role has confirmed yet (KeyDate/Count/Flag values):
    # the value is there for deadlines and display, but no rule counts it as recorded.
    claimed: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Normalise once, so every rule can index by enum and nothing downstream can mutate it.
        set_ = object.__setattr__
        set_(self, "pathway", Pathway(self.pathway))
        # datetime is a subclass of date; rules compare calendar days only, in the local zone.
        if not _is_day(self.today):
            raise ValueError("today must be a date (use deadlines.local_today), not a datetime")
        set_(self, "dates", _keyed(KeyDate, self.dates, "key date"))
        for key, value in self.dates.items():
            if not _is_day(value):
                raise ValueError(f"{key} must be a date, got {value!r}")
        set_(self, "evidence", MappingProxyType(
            {k: EvidenceStatus(v) for k, v in _keyed(EvidenceKind, self.evidence, "evidence kind").items()}))
        set_(self, "signoffs", _signoffs(self.signoffs))
        set_(self, "counts", _keyed(Count, self.counts, "count"))
        for key, value in self.counts.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{key} must be a number >= 0, got {value!r}")
        try:
            set_(self, "flags", frozenset(Flag(f) for f in self.flags))
        except ValueError as err:
            raise ValueError(f"unknown flag: {err}") from None
        known = {m.value for enum in (KeyDate, Count, Flag) for m in enum}
        if not set(self.claimed) <= known:
            raise ValueError(f"unknown claimed fact: {sorted(set(self.claimed) - known)}")
        set_(self, "claimed", frozenset(str(c) for c in self.claimed))

    def date_of(self, key: KeyDate) -> date | None:
        """The key date, or None when not recorded."""
        return self.dates.get(key)

    def status(self, kind: EvidenceKind) -> EvidenceStatus:
        """The evidence's status (MISSING when absent)."""
        return self.evidence.get(kind, EvidenceStatus.MISSING)

    def verified(self, kind: EvidenceKind) -> bool:
        """Whether the evidence is verified (the only status that satisfies a rule)."""
        return self.status(kind) is EvidenceStatus.VERIFIED

    def signed(self, key: SignOff, role: Role) -> bool:
        """Whether `role` has given sign-off `key`."""
        return (key, role) in self.signoffs

    def count(self, key: Count) -> float:
        """The total (0 when not recorded)."""
        return float(self.counts.get(key, 0))

    def flag(self, key: Flag) -> bool:
        """Whether the flag is set."""
        return key in self.flags

    def is_claimed(self, key: KeyDate | Count | Flag | None) -> bool:
        """Whether this fact is only claimed by the candidate, not yet confirmed by its owner."""
        return key is not None and key.value in self.claimed

    def replace(self, **changes: Any) -> Facts:
        """A copy with some fields replaced (handy for tests and dry runs)."""
        return dataclasses.replace(self, **changes)


def _is_day(value: object) -> bool:
    """Whether value is a calendar date (and not a datetime)."""
    return isinstance(value, date) and not isinstance(value, datetime)
