"""Confidentiality: per pathway, who reads mentoring and coaching notes, plans and self-assessments.

Each pathway package declares one `Table`: per kind of content and per channel it could leave by
(a page, its PDF, an export, an email, a calendar feed, a CSV, a search result), which roles may
read it. The app's policy asks `may_read`; the access matrix and its test check the pages against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from workflows.roles import EVALUATOR_ROLES, Role


class Content(StrEnum):
    """What a table rules on: notes (mentoring, coaching, support logs), plans, self-assessments, and
    the support records a pathway keeps (`workflows.support`): observations of colleagues, short
    "just in time" contacts, the mentor's or program's assessment on the standards, the program's
    feedback to the mentor, reflections on plan goals, referrals and connections (to expert colleagues,
    resources, a professional learning community), and cycles of looking at student data."""

    NOTES, PLAN, SELF_ASSESSMENT = "notes", "plan", "self_assessment"
    OBSERVATION, JUST_IN_TIME, STANDARDS_ASSESSMENT = "observation", "just_in_time", "standards_assessment"
    MENTOR_FEEDBACK, GOAL_REFLECTION = "mentor_feedback", "goal_reflection"
    CONNECTION, DATA_CYCLE = "connection", "data_cycle"


class Channel(StrEnum):
    """The ways content leaves the database: a page, the plan's filed PDF, the record export and evidence
    ZIP, an email, a calendar feed, a CSV file, a list or search result (inbox, cohort, roster)."""

    PAGE, PDF, EXPORT, EMAIL, CALENDAR, CSV, SEARCH = "page", "pdf", "export", "email", "calendar", "csv", "search"


# Content is read on pages, as its PDF and in an export, by the roles listed; emails, calendar feeds, CSV files
# and search results carry none (they say what is due or done, and link to the page) unless a table says so.
_CARRIERS = (Channel.PAGE, Channel.PDF, Channel.EXPORT)


def readers(*roles: Role, also: tuple[Channel, ...] = ()) -> dict[Channel, frozenset[Role]]:
    """`roles` read the content on a page, as its PDF and in an export (and through `also`)."""
    return {channel: frozenset(roles) if channel in _CARRIERS + also else frozenset() for channel in Channel}


@dataclass(frozen=True)
class Table:
    """One pathway's rules: who reads each content through each channel. For the contents in
    `evaluators_never_read`, an evaluator role wins over a reader role (a mentor who is also the
    site administrator reads none of it)."""

    contents: Mapping[Content, Mapping[Channel, frozenset[Role]]]
    evaluators_never_read: frozenset[Content] = frozenset()

    def may_read(self, roles: frozenset[Role], content: Content, channel: Channel) -> bool:
        """Whether `roles` may read `content` through `channel`."""
        if roles & EVALUATOR_ROLES and content in self.evaluators_never_read:
            return False
        return bool(roles & self.contents.get(content, {}).get(channel, frozenset()))


# A pathway that keeps no notes, plans or self-assessments: nobody reads what does not exist.
NOBODY = Table({content: readers() for content in Content})
SUPPORT_TEAM = (Role.MENTOR, Role.COACH, Role.SITE_ADMINISTRATOR, Role.CREDENTIAL_ANALYST,
                Role.PREP_PROGRAM_SUPPORT_PROVIDER, Role.PROGRAM_DIRECTOR, Role.VIEWER)
