"""CASC's program settings, with the rule book's defaults and sources.

`workflows.settings` adds these to every program's settings; a program shows only its own
pathway's (`pathway=NAME`). Names are what programs store: never rename one.
"""

from __future__ import annotations

from workflows.declare import setting

NAME = "casc"


class Settings:
    """Thresholds a casc program may tune."""

    casc_enrolment_window_days: int = setting(
        365, "Days after starting a first administrative position within which a candidate must "
        "be admitted [C]: 12 months (Butte; PSA 16-13 as cited by programs) vs 120 days (CTC PS1 "
        "summary page).", "Butte CASC requirements; PSA 16-13; CTC CASC PS1 summary",
        low=1, high=3650, conflict=True, pathway=NAME,
        label="Days to enrol after starting an administrative post",
        help="Counted from the first day in the post; a candidate admitted later is too late.")
    casc_enrolment_warning_days: int = setting(
        120, "Days after starting the position at which the candidate is warned to enrol (the "
        "CTC PS1 summary's 120-day figure).", "CTC CASC PS1 summary", low=1, high=3650, pathway=NAME,
        label="Days after starting the post to warn the candidate",
        help="On this day the candidate is reminded to enrol.")
    coach_assignment_days: int = setting(
        30, "Days after admission by which a coach is assigned.",
        "CASC Program Standard 3 (CTC); Butte CASC FAQ", low=1, high=365, pathway=NAME,
        label="Days to assign a coach",
        help="Counted from admission.")
    coaching_weeks_per_year: int = setting(
        40, "Weekly coaching meetings required in each program year.",
        "Butte CASC requirements", low=0, high=52, pathway=NAME,
        label="Weeks with a coaching meeting each year",
        help="A week counts once however many meetings it holds.")
    coaching_hours_per_year: float = setting(
        40.0, "Hours of one-on-one coaching required in each program year (80 over the two "
        "years), on top of the weekly meetings.",
        "Butte CASC requirements (80 hours of one-on-one coaching; 40 weeks a year)",
        low=0, high=500, pathway=NAME,
        label="Coaching hours each year",
        help="Hours of one-to-one coaching in each program year, on top of the weekly meetings.")
    pl_hours_per_year: float = setting(
        20.0, "Professional-learning hours required in each program year (CTC minimum 20-30).",
        "Butte CASC requirements; CASC PS4C (CTC)", low=0, high=500, pathway=NAME,
        label="Professional-learning hours each year",
        help="Hours needed in each program year.")
    cpsel_self_assessments: int = setting(
        3, "CPSEL self-assessments over the two years.", "Butte CASC requirements", low=1, high=12, pathway=NAME,
        label="Self-assessments over the two years",
        help="How many self-assessments on the leadership standards (CPSEL) a candidate completes.")
    admin_experience_years: float = setting(
        2.0, "Years of successful full-time administrative experience for the clear credential.",
        "Butte CASC requirements; CSU Fullerton, Cal Lutheran", low=0, high=20, pathway=NAME,
        label="Years of administrative experience for the clear credential",
        help="Full-time years in an administrative post.")
    pasc_validity_years: int = setting(
        5, "Years a preliminary administrative services credential is valid when no expiry date "
        "is recorded.", "Cal Lutheran / UCI CASC pages", low=1, high=10, pathway=NAME,
        label="Years a preliminary administrative credential lasts",
        help="Used when no expiry date is recorded for the candidate's preliminary credential.")
    exit_panel_quorum: int = setting(
        3, "Panel members (the candidate's coach never counts) who must agree on mastery of "
        "every CPSEL for the exit interview to pass.", "Butte CASC requirements (exit interview "
        "with a panel of educational partners); program rule [I]", low=1, high=15, pathway=NAME,
        label="Panel members who must agree at the exit interview",
        help="The candidate's own coach never counts toward this number.")
    exit_panel_mastery_score: int = setting(
        3, "Lowest rubric score (1-4) on a CPSEL that counts as mastery.",
        "Green Dot CASC: rating of 3 or more on every CPSEL", low=1, high=4, pathway=NAME,
        label="Lowest score that counts as mastery",
        help="On the exit interview's 1 to 4 scale, for each leadership standard.")
