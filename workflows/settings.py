"""Program settings: the thresholds a program may tune, with the rule book's defaults.

Every field documents where its default comes from. Fields marked [C] are values on which the
sources conflict (credential-rules.md legend), so a program must be able to change them. The app
stores `ProgramSettings.to_mapping()` as JSON on the program and rebuilds it with
`ProgramSettings.from_mapping()`, which rejects unknown keys and out-of-range values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class InvalidSetting(ValueError):
    """A program setting has the wrong name, type or range; the message names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name


def _setting(default: Any, doc: str, source: str, *, low: float = 0, high: float,
             conflict: bool = False) -> Any:
    """Declare one setting with its documentation, source and allowed range."""
    kind = "tuple" if isinstance(default, tuple) else type(default).__name__
    return field(default=default, metadata={"doc": doc, "source": source, "conflict": conflict,
                                            "low": low, "high": high, "kind": kind})


@dataclass(frozen=True)
class ProgramSettings:
    """Thresholds for one program; the defaults are the rule book's (credential-rules.md §6)."""

    # --- PIP -----------------------------------------------------------------------------
    pip_validity_months: int = _setting(
        12, "Months a Provisional Internship Permit is valid after issue (not renewable).",
        "CL-856 (CTC leaflet, July 2022); 5 CCR §80021.1", low=1, high=24)
    pip_min_reviews: int = _setting(
        3, "Reviews of the tracker with the support team during the PIP year.",
        "CCTC Credential Tracker flyer (rev. 3 Oct 2019)", low=1, high=24)
    # Who must attend a review for it to count (seed: "with your district, direct supervisor,
    # mentor, and support provider"); a program may drop one it cannot staff.
    pip_review_needs_district: bool = _setting(
        True, "A review counts only if someone from the district (HR or credential analyst) "
        "attended.", "CCTC Credential Tracker flyer (rev. 3 Oct 2019), step 6", low=0, high=1)
    pip_review_needs_supervisor: bool = _setting(
        True, "A review counts only if the direct supervisor (site administrator) attended.",
        "CCTC Credential Tracker flyer (rev. 3 Oct 2019), step 6", low=0, high=1)
    pip_review_needs_mentor: bool = _setting(
        True, "A review counts only if the mentor attended.",
        "CCTC Credential Tracker flyer (rev. 3 Oct 2019), step 6", low=0, high=1)
    pip_review_needs_support_provider: bool = _setting(
        True, "A review counts only if the teacher-preparation program support provider "
        "attended.", "CCTC Credential Tracker flyer (rev. 3 Oct 2019), step 6", low=0, high=1)
    pip_preservice_hours: float = _setting(
        120.0, "Pre-service clock hours before becoming an intern teacher of record.",
        "University Internship Credentials CL-402A (CTC)", low=0, high=1000)
    pip_requires_basic_skills: bool = _setting(
        True, "Whether the PIP itself needs the basic skills requirement [C]: 5 CCR §80021.1(a)(2) "
        "lists it, the July 2022 CL-856 leaflet does not. The intern credential needs it anyway.",
        "5 CCR §80021.1(a)(2) vs CL-856 (July 2022)", low=0, high=1, conflict=True)
    pip_max_prior_emergency_permits: int = _setting(
        4, "Most long-term emergency permits a PIP applicant may have held (five makes one "
        "ineligible).", "CL-856 (CTC leaflet, July 2022)", low=0, high=20)
    # --- Teacher induction -------------------------------------------------------------------
    mentor_assignment_days: int = _setting(
        30, "Days after enrolment by which a mentor is assigned.",
        "Teacher Induction precondition 2 (CTC)", low=1, high=365)
    ilp_goals_days: int = _setting(
        60, "Days after enrolment by which the ILP goals are developed.",
        "Teacher Induction precondition 4 (CTC)", low=1, high=365)
    mentoring_hours_per_week: float = _setting(
        1.0, "Average hours of individualized mentoring per week since enrolment.",
        "Teacher Induction precondition 3 (CTC)", low=0, high=40)
    eco_min_teaching_years: int = _setting(
        2, "Years as teacher of record needed to apply for the Early Completion Option [C]: "
        "most programs say 2, some 3.", "Induction programs' ECO criteria (SMUHSD, BCOE, Paramount)",
        low=0, high=20, conflict=True)
    preliminary_validity_years: int = _setting(
        5, "Years a preliminary teaching credential is valid when no expiry date is recorded.",
        "CTC two-tier structure; CSULB catalog", low=1, high=10)
    # --- CASC ----------------------------------------------------------------------------------
    casc_enrolment_window_days: int = _setting(
        365, "Days after starting a first administrative position within which a candidate must "
        "be admitted [C]: 12 months (Butte; PSA 16-13 as cited by programs) vs 120 days (CTC PS1 "
        "summary page).", "Butte CASC requirements; PSA 16-13; CTC CASC PS1 summary",
        low=1, high=3650, conflict=True)
    casc_enrolment_warning_days: int = _setting(
        120, "Days after starting the position at which the candidate is warned to enrol (the "
        "CTC PS1 summary's 120-day figure).", "CTC CASC PS1 summary", low=1, high=3650)
    coach_assignment_days: int = _setting(
        30, "Days after admission by which a coach is assigned.",
        "CASC Program Standard 3 (CTC); Butte CASC FAQ", low=1, high=365)
    coaching_weeks_per_year: int = _setting(
        40, "Weekly coaching meetings required in each program year.",
        "Butte CASC requirements", low=0, high=52)
    coaching_hours_per_year: float = _setting(
        40.0, "Hours of one-on-one coaching required in each program year (80 over the two "
        "years), on top of the weekly meetings.",
        "Butte CASC requirements (80 hours of one-on-one coaching; 40 weeks a year)",
        low=0, high=500)
    pl_hours_per_year: float = _setting(
        20.0, "Professional-learning hours required in each program year (CTC minimum 20-30).",
        "Butte CASC requirements; CASC PS4C (CTC)", low=0, high=500)
    cpsel_self_assessments: int = _setting(
        3, "CPSEL self-assessments over the two years.", "Butte CASC requirements", low=1, high=12)
    admin_experience_years: float = _setting(
        2.0, "Years of successful full-time administrative experience for the clear credential.",
        "Butte CASC requirements; CSU Fullerton, Cal Lutheran", low=0, high=20)
    pasc_validity_years: int = _setting(
        5, "Years a preliminary administrative services credential is valid when no expiry date "
        "is recorded.", "Cal Lutheran / UCI CASC pages", low=1, high=10)
    exit_panel_quorum: int = _setting(
        3, "Panel members (the candidate's coach never counts) who must agree on mastery of "
        "every CPSEL for the exit interview to pass.", "Butte CASC requirements (exit interview "
        "with a panel of educational partners); program rule [I]", low=1, high=15)
    exit_panel_mastery_score: int = _setting(
        3, "Lowest rubric score (1-4) on a CPSEL that counts as mastery.",
        "Green Dot CASC: rating of 3 or more on every CPSEL", low=1, high=4)
    # --- All pathways ----------------------------------------------------------------------------
    signoff_due_days: int = _setting(
        7, "Days an approver has for a sign-off task before it is overdue and escalated to the "
        "program director.", "program rule [I]", low=1, high=90)
    undo_minutes: int = _setting(
        10, "Minutes during which an approver may undo their own decision if the step has not "
        "moved on; after that only a program director may reopen it, with a reason.",
        "program rule [I]", low=0, high=1440)
    recommendation_window_days: int = _setting(
        90, "Days the candidate has to answer the fitness questions and pay after a "
        "recommendation before CTC purges it.", "Complete Your Recommendation (CTC)",
        low=1, high=365)
    deadline_warning_days: tuple[int, ...] = _setting(
        (90, 60, 30, 7), "Days before a deadline on which reminders go out.", "program rule",
        low=1, high=3650)

    def __post_init__(self) -> None:
        # Validate here too, so a ProgramSettings built directly in code is as safe as one read
        # from JSON; from_mapping only adds the unknown-key and list->tuple handling.
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, _validated(f, getattr(self, f.name)))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ProgramSettings:
        """Build settings from stored JSON; missing keys take defaults, unknown keys raise."""
        data = dict(data or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidSetting(unknown[0], "is not a program setting")
        return cls(**data)

    def to_mapping(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict (tuples become lists)."""
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
                for f in dataclasses.fields(self)}

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """Each setting's name, default, documentation, source and [C] marker, for admin pages."""
        return [{"name": f.name, "default": f.default, "doc": f.metadata["doc"],
                 "source": f.metadata["source"], "conflict": f.metadata["conflict"],
                 "low": f.metadata["low"], "high": f.metadata["high"]}
                for f in dataclasses.fields(cls)]


def _number(name: str, value: Any, kind: str, low: float, high: float) -> int | float:
    """Check one number's type and range."""
    # bool is a subclass of int; True as "12 months" is a data-entry error, not a number.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSetting(name, f"must be a number, got {value!r}")
    if kind == "int" and not (isinstance(value, int) or float(value).is_integer()):
        raise InvalidSetting(name, f"must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise InvalidSetting(name, f"must be between {low:g} and {high:g}, got {value!r}")
    return int(value) if kind == "int" else float(value)


def _validated(f: dataclasses.Field[Any], value: Any) -> Any:
    """Return the value in canonical form or raise InvalidSetting."""
    kind, low, high = f.metadata["kind"], f.metadata["low"], f.metadata["high"]
    if kind == "bool":
        if not isinstance(value, bool):
            raise InvalidSetting(f.name, f"must be true or false, got {value!r}")
        return value
    if kind == "tuple":
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise InvalidSetting(f.name, f"must be a list of whole numbers, got {value!r}")
        days = [_number(f.name, v, "int", low, high) for v in value]
        if len(set(days)) != len(days):
            raise InvalidSetting(f.name, f"must not repeat a value, got {value!r}")
        return tuple(sorted(days, reverse=True))
    return _number(f.name, value, kind, low, high)
