"""Who reads the PIP pathway's support notes and plans (see `workflows.confidentiality`).

Seed 000: the support team (mentor, coaches, supervisor, analyst, preparation program, those
invited to view and monitor) reads the support notes and the plans; district HR, the employer,
reads only the plans. PIP plan items are to-dos with owners and due dates, so they also appear
in the calendar feed. PIP teachers keep no self-assessments.
"""

from __future__ import annotations

from workflows.confidentiality import SUPPORT_TEAM, Channel, Content, Table, readers
from workflows.roles import Role

TABLE = Table({
    Content.NOTES: readers(Role.CANDIDATE, *SUPPORT_TEAM),
    Content.PLAN: readers(Role.CANDIDATE, *SUPPORT_TEAM, Role.DISTRICT_HR, also=(Channel.CALENDAR,)),
    Content.SELF_ASSESSMENT: readers(),
})
