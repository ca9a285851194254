"""PIP tracker reviews: who must attend for a review meeting to count.

A review counts toward `pip_min_reviews` only when the roles the rule book names (§1.3, seed:
"with your district, direct supervisor, mentor and support provider") attended; which of them
are required is a program setting (`pip_review_needs_*`).
"""

from __future__ import annotations

from workflows.pathway import ReviewMeetings
from workflows.pip.keys import Count
from workflows.roles import Role

# Who stands for each part of "district, direct supervisor, mentor and support provider".
REVIEW_PARTS: dict[str, tuple[str, frozenset[Role]]] = {
    "pip_review_needs_district": (
        "someone from your district (HR or credential analyst)",
        frozenset({Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST})),
    "pip_review_needs_supervisor": (
        "your direct supervisor (site administrator)", frozenset({Role.SITE_ADMINISTRATOR})),
    "pip_review_needs_mentor": ("your mentor", frozenset({Role.MENTOR})),
    "pip_review_needs_support_provider": (
        "your teacher-preparation program support provider",
        frozenset({Role.PREP_PROGRAM_SUPPORT_PROVIDER})),
}
# The roles a review meeting's record may list as present.
REVIEW_ROLES = (Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST, Role.SITE_ADMINISTRATOR, Role.MENTOR,
                Role.PREP_PROGRAM_SUPPORT_PROVIDER)


REVIEWS = ReviewMeetings(REVIEW_PARTS, REVIEW_ROLES, "your PIP year", Count.REVIEWS_HELD, "pip_min_reviews")

