"""The PIP pathway's program settings, with the rule book's defaults and sources.

`workflows.settings` adds these to every program's settings; a program shows only its own
pathway's (`pathway=NAME`). Names are what programs store: never rename one.
"""

from __future__ import annotations

from workflows.declare import setting

NAME = "pip"


class Settings:
    """Thresholds a pip program may tune."""

    pip_validity_months: int = setting(
        12, "Months a Provisional Internship Permit is valid after issue (not renewable).",
        "CL-856 (CTC leaflet, July 2022); 5 CCR §80021.1", low=1, high=24, pathway=NAME,
        label="Months a Provisional Internship Permit lasts",
        help="Counted from the day the permit is issued; a permit cannot be renewed.")
    pip_min_reviews: int = setting(
        3, "Reviews of the tracker with the support team during the PIP year.",
        "CCTC Credential Tracker flyer (rev. 3 Oct 2019)", low=1, high=24, pathway=NAME,
        label="Tracker reviews in the permit year",
        help="How many times the teacher reviews the tracker with the support team.")
    # Who must attend a review for it to count (seed: "with your district, direct supervisor,
    # mentor, and support provider"); a program may drop one it cannot staff.
    pip_review_needs_district: bool = setting(
        True, "A review counts only if someone from the district (HR or credential analyst) "
        "attended.", "CCTC Credential Tracker flyer (rev. 3 Oct 2019), step 6", low=0, high=1, pathway=NAME,
        label="A review needs someone from the district",
        help="Only reviews attended by district HR or a credential analyst count.")
    pip_review_needs_supervisor: bool = setting(
        True, "A review counts only if the direct supervisor (site administrator) attended.",
        "CCTC Credential Tracker flyer (rev. 3 Oct 2019), step 6", low=0, high=1, pathway=NAME,
        label="A review needs the direct supervisor",
        help="Only reviews attended by the site administrator count.")
    pip_review_needs_mentor: bool = setting(
        True, "A review counts only if the mentor attended.",
        "CCTC Credential Tracker flyer (rev. 3 Oct 2019), step 6", low=0, high=1, pathway=NAME,
        label="A review needs the mentor",
        help="Only reviews attended by the mentor count.")
    pip_review_needs_support_provider: bool = setting(
        True, "A review counts only if the teacher-preparation program support provider "
        "attended.", "CCTC Credential Tracker flyer (rev. 3 Oct 2019), step 6", low=0, high=1, pathway=NAME,
        label="A review needs the preparation program's support provider",
        help="Only reviews attended by the support provider count.")
    pip_preservice_hours: float = setting(
        120.0, "Pre-service clock hours before becoming an intern teacher of record.",
        "University Internship Credentials CL-402A (CTC)", low=0, high=1000, pathway=NAME,
        label="Pre-service hours before teaching as an intern",
        help="Clock hours of preparation needed before becoming the intern teacher of record.")
    pip_requires_basic_skills: bool = setting(
        True, "Whether the PIP itself needs the basic skills requirement [C]: 5 CCR §80021.1(a)(2) "
        "lists it, the July 2022 CL-856 leaflet does not. The intern credential needs it anyway.",
        "5 CCR §80021.1(a)(2) vs CL-856 (July 2022)", low=0, high=1, conflict=True, pathway=NAME,
        label="The permit itself needs the basic skills requirement",
        help="The intern credential needs it anyway; this decides whether the permit does too.")
    pip_max_prior_emergency_permits: int = setting(
        4, "Most long-term emergency permits a PIP applicant may have held (five makes one "
        "ineligible).", "CL-856 (CTC leaflet, July 2022)", low=0, high=20, pathway=NAME,
        label="Most emergency permits held before",
        help="An applicant who held more long-term emergency permits than this is not eligible.")
