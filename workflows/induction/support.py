"""Teacher Induction's support records (seed 001; rule book §2.6): who records each.

- Observations of experienced colleagues: the district schedules them (the mentor or the program
  director records one ahead), the candidate records what they saw with a reflection.
- "Just in time" mentoring: short contacts for day-to-day needs, recorded by the mentor, counted
  apart from the weekly hour (never added to mentoring hours).
- Assessment of progress toward mastery of the CSTP: the mentor, and the program where it judges.
- Reflection on progress toward ILP goals: the candidate, goal by goal, as often as the cycle asks;
  the mentor may add a comment of their own on a goal.
- Analysis of student data to inform planning and instruction: the candidate or the mentor records a
  cycle (the data looked at, what it showed, what comes next).
- Referrals and connections: the mentor connects the candidate to expert personnel, district and
  instructional resources, and a professional learning community.
- Formative feedback to mentors on their work and relationships: from the program director.

Who reads each is `confidentiality.TABLE` (evaluators never; the candidate not the mentor's feedback).
"""

from __future__ import annotations

from workflows.confidentiality import Content
from workflows.roles import Role
from workflows.support import SupportKind, SupportSpec

SUPPORT = SupportSpec({
    Content.OBSERVATION: SupportKind(
        "Observations of experienced colleagues", "observation", "Record an observation",
        frozenset({Role.CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR}),
        "Watching an experienced colleague teach, and what you took from it."),
    Content.JUST_IN_TIME: SupportKind(
        "Just-in-time mentoring", "just-in-time contact", "Record a just-in-time contact", frozenset({Role.MENTOR}),
        "Short contacts for day-to-day needs. They are counted on their own, not in the weekly hour."),
    Content.STANDARDS_ASSESSMENT: SupportKind(
        "Progress toward the CSTP", "CSTP assessment", "Record a CSTP assessment", frozenset({Role.MENTOR, Role.PROGRAM_DIRECTOR}),
        "The mentor's (or the program's) view of progress on each standard, on the self-assessment scale."),
    Content.GOAL_REFLECTION: SupportKind(
        "Reflections on ILP goals", "goal reflection", "Reflect on an ILP goal", frozenset({Role.CANDIDATE, Role.MENTOR}),
        "Progress toward one of the ILP goals: the teacher's reflection, or the mentor's comment on it."),
    Content.DATA_CYCLE: SupportKind(
        "Looking at student data", "data cycle", "Record a look at student data", frozenset({Role.CANDIDATE, Role.MENTOR}),
        "The student data looked at together, what it showed, and what the next lessons will do about it."),
    Content.CONNECTION: SupportKind(
        "Referrals and connections", "referral", "Record a referral or connection", frozenset({Role.MENTOR}),
        "An expert colleague, a district or instructional resource, or a professional learning community "
        "the teacher was connected to, and why."),
    Content.MENTOR_FEEDBACK: SupportKind(
        "Feedback to the mentor", "feedback to the mentor", "Write feedback to the mentor", frozenset({Role.PROGRAM_DIRECTOR}),
        "The program's feedback to the mentor on their work and their relationship with the teacher. "
        "The teacher does not see it."),
})
