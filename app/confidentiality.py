"""Confidentiality: one table per pathway of who reads mentoring and coaching notes, plans and self-assessments.

Each table says, per kind of content and per channel it could leave by (a page, its PDF, an
export, an email, a calendar feed, a CSV, a search result), which roles may read it. app/policy.py
asks `may_read`; the access matrix (app/access.py) and its test check the pages against it.
"""

from __future__ import annotations

from enum import StrEnum

from workflows.facts import Pathway
from workflows.roles import EVALUATOR_ROLES, Role


class Content(StrEnum):
    """What a table rules on: notes (mentoring, coaching, support logs), plans (ILP, IIPs, PIP), self-assessments."""

    NOTES, PLAN, SELF_ASSESSMENT = "notes", "plan", "self_assessment"


class Channel(StrEnum):
    """The ways content leaves the database: a page, the plan's filed PDF, the record export and evidence
    ZIP, an email, a calendar feed, a CSV file, a list or search result (inbox, cohort, roster)."""

    PAGE, PDF, EXPORT, EMAIL, CALENDAR, CSV, SEARCH = "page", "pdf", "export", "email", "calendar", "csv", "search"


# Content is read on pages, as its PDF and in an export, by the roles listed; emails, calendar feeds, CSV files
# and search results carry none (they say what is due or done, and link to the page) unless a table says so.
_CARRIERS = (Channel.PAGE, Channel.PDF, Channel.EXPORT)


def _readers(*roles: Role, also: tuple[Channel, ...] = ()) -> dict[Channel, frozenset[Role]]:
    return {channel: frozenset(roles) if channel in _CARRIERS + also else frozenset() for channel in Channel}


_SUPPORT_TEAM = (Role.MENTOR, Role.COACH, Role.SITE_ADMINISTRATOR, Role.CREDENTIAL_ANALYST,
                 Role.PREP_PROGRAM_SUPPORT_PROVIDER, Role.PROGRAM_DIRECTOR, Role.VIEWER)

# Induction (CTC precondition 5: the ILP is for growth, never for employment evaluation). The split
# with the district (seed 001: "collaborate to develop ILP goals", "honor confidentiality"): the
# district collaborates through the induction program, whose director reads and approves the ILP
# goals and self-assessments; the site administrator is consulted in person and, like district HR,
# sees only that the goals were set and when (a key date on the dashboard and in the CSVs), never
# the goals, the self-assessments or the mentoring notes. Notes stay between candidate and mentor.
INDUCTION: dict[Content, dict[Channel, frozenset[Role]]] = {
    Content.NOTES: _readers(Role.CANDIDATE, Role.MENTOR),
    Content.PLAN: _readers(Role.CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR),
    Content.SELF_ASSESSMENT: _readers(Role.CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR),
}
# CASC: coaching notes between candidate and coach; the IIPs are written with the employer's input
# and approved by the program, so the team reads them; the CPSEL self-assessments are growth records.
CASC: dict[Content, dict[Channel, frozenset[Role]]] = {
    Content.NOTES: _readers(Role.CANDIDATE, Role.COACH),
    Content.PLAN: _readers(Role.CANDIDATE, Role.COACH, Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST,
                           Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR, Role.PANEL_MEMBER),
    Content.SELF_ASSESSMENT: _readers(Role.CANDIDATE, Role.COACH, Role.PROGRAM_DIRECTOR),
}
# PIP (seed 000): the support team (mentor, coaches, supervisor, analyst, preparation program, those invited
# to view and monitor) reads the support notes and the plans; district HR, the employer, reads only the plans.
# PIP plan items are to-dos with owners and due dates, so they also appear in the calendar feed.
PIP: dict[Content, dict[Channel, frozenset[Role]]] = {
    Content.NOTES: _readers(Role.CANDIDATE, *_SUPPORT_TEAM),
    Content.PLAN: _readers(Role.CANDIDATE, *_SUPPORT_TEAM, Role.DISTRICT_HR, also=(Channel.CALENDAR,)),
    Content.SELF_ASSESSMENT: _readers(),
}
CONFIDENTIALITY = {Pathway.INDUCTION: INDUCTION, Pathway.CASC: CASC, Pathway.PIP: PIP}

# Which table rules on each plan kind, each confidential log kind and each plan filed as a document.
PLANS = {kind: (Pathway.INDUCTION if kind == "ilp" else Pathway.CASC if kind.startswith("iip") else Pathway.PIP,
              Content.PLAN) for kind in ("ilp", "iip1", "iip2", "pip_personalized", "pip_action")}
NOTES_OF = {"mentoring": (Pathway.INDUCTION, Content.NOTES), "coaching": (Pathway.CASC, Content.NOTES),
             "support_note": (Pathway.PIP, Content.NOTES)}
DOCUMENTS = {"ilp": PLANS["ilp"], "iip_1": PLANS["iip1"], "iip_2": PLANS["iip2"],
              "personalized_plan": PLANS["pip_personalized"], "action_plan": PLANS["pip_action"]}


def may_read(roles: frozenset[Role], what: tuple[Pathway, Content], channel: Channel) -> bool:
    """Whether `roles` may read `what` through `channel`; an evaluator role always wins over a reader role on
    induction and for CASC coaching notes (a mentor or coach who is also the site administrator reads neither)."""
    pathway, content = what
    if roles & EVALUATOR_ROLES and (pathway is Pathway.INDUCTION or (pathway, content) == (Pathway.CASC, Content.NOTES)):
        return False
    return bool(roles & CONFIDENTIALITY[pathway][content][channel])
