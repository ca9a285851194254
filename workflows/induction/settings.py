"""Teacher Induction's program settings, with the rule book's defaults and sources.

`workflows.settings` adds these to every program's settings; a program shows only its own
pathway's (`pathway=NAME`). Names are what programs store: never rename one.
"""

from __future__ import annotations

from workflows.declare import setting

NAME = "induction"


class Settings:
    """Thresholds a induction program may tune."""

    mentor_assignment_days: int = setting(
        30, "Days after enrolment by which a mentor is assigned.",
        "Teacher Induction precondition 2 (CTC)", low=1, high=365, pathway=NAME,
        label="Days to assign a mentor",
        help="Counted from enrolment; the director assigns the mentor within this time.")
    ilp_goals_days: int = setting(
        60, "Days after enrolment by which the ILP goals are developed.",
        "Teacher Induction precondition 4 (CTC)", low=1, high=365, pathway=NAME,
        label="Days to set the Individual Learning Plan goals",
        help="Counted from enrolment.")
    mentoring_hours_per_week: float = setting(
        1.0, "Average hours of individualized mentoring per week since enrolment.",
        "Teacher Induction precondition 3 (CTC)", low=0, high=40, pathway=NAME,
        label="Mentoring hours a week",
        help="The average of one-to-one mentoring a teacher receives, counted since enrolment.")
    eco_min_teaching_years: int = setting(
        2, "Years as teacher of record needed to apply for the Early Completion Option [C]: "
        "most programs say 2, some 3.", "Induction programs' ECO criteria (SMUHSD, BCOE, Paramount)",
        low=0, high=20, conflict=True, pathway=NAME,
        label="Years of teaching for Early Completion",
        help="Years as teacher of record before a teacher may apply for the Early Completion Option.")
    preliminary_validity_years: int = setting(
        5, "Years a preliminary teaching credential is valid when no expiry date is recorded.",
        "CTC two-tier structure; CSULB catalog", low=1, high=10, pathway=NAME,
        label="Years a preliminary credential lasts",
        help="Used when no expiry date is recorded for the teacher's preliminary credential.")
