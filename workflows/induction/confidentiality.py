"""Who reads Teacher Induction's notes, ILP and self-assessments (see `workflows.confidentiality`).

CTC precondition 5: the ILP is for growth, never for employment evaluation. The split with the
district (seed 001: "collaborate to develop ILP goals", "honor confidentiality"): the district
collaborates through the induction program, whose director reads and approves the ILP goals and
self-assessments; the site administrator is consulted in person and, like district HR, sees only
that the goals were set and when (a key date on the dashboard and in the CSVs), never the goals,
the self-assessments or the mentoring notes. Notes stay between candidate and mentor.

Support records (`support.py`): the candidate, mentor and program director read observations,
just-in-time contacts, CSTP assessments, goal reflections, data cycles and referrals; the program's feedback to the mentor
is read by the mentor and the director only. Evaluators read none of them.
"""

from __future__ import annotations

from workflows.confidentiality import Content, Table, readers
from workflows.roles import Role

TABLE = Table({
    Content.NOTES: readers(Role.CANDIDATE, Role.MENTOR),
    Content.PLAN: readers(Role.CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR),
    Content.SELF_ASSESSMENT: readers(Role.CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR),
    **{content: readers(Role.CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR)
       for content in (Content.OBSERVATION, Content.JUST_IN_TIME, Content.STANDARDS_ASSESSMENT,
                       Content.GOAL_REFLECTION, Content.DATA_CYCLE, Content.CONNECTION)},
    Content.MENTOR_FEEDBACK: readers(Role.MENTOR, Role.PROGRAM_DIRECTOR),
}, evaluators_never_read=frozenset(Content))
