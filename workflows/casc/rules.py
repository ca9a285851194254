"""The CASC's rules: the rule book as named pure predicates (see `workflows.rules`)."""

from __future__ import annotations

from workflows.casc import dates as d
from workflows.casc.keys import Count, EvidenceKind, Flag, KeyDate, SignOff
from workflows.facts import Facts
from workflows.keys import CommonCount, CommonSignOff
from workflows.roles import Role
from workflows.rules import (
    Rule,
    at_least,
    day_words,
    evidence,
    flag_present,
    reached,
    recommendation_submitted,
    recorded,
    recorded_by,
    signoff,
    still_valid,
    withdrawal,
)

BUTTE = "Butte CASC requirements"
BUTTE_FAQ = "Butte CASC FAQ"
CASC_ADMISSION = "5 CCR §80054(d); Butte CASC requirements"
CASC_PS3 = "CASC Program Standard 3 (CTC); Butte CASC FAQ"
CASC_WINDOW = "Butte CASC requirements; PSA 16-13; CTC PS1 summary [configurable]"
PASC = "Preliminary ASC valid 5 years (CTC; program pages)"


CASC_PASC_OR_COE = evidence("casc.pasc_or_coe", EvidenceKind.PASC_OR_COE,
                            Role.CREDENTIAL_ANALYST, CASC_ADMISSION)
CASC_CL_777 = evidence(
    "casc.cl_777", EvidenceKind.CL_777, Role.DISTRICT_HR, BUTTE + "; CL-777 (CTC)",
    "Your employer completes CL-777 verifying your administrative position; district HR "
    "uploads it.")
CASC_ADMIN_START = recorded(
    "casc.admin_position_started_on", KeyDate.ADMIN_POSITION_STARTED_ON, Role.DISTRICT_HR,
    CASC_WINDOW, "Your district HR records the start date of your administrative position.")
CASC_ADMITTED_ON = recorded(
    "casc.admitted_on", KeyDate.ADMITTED_ON, Role.PROGRAM_DIRECTOR, BUTTE,
    "Your program director records your admission date.")


def _admitted_in_window(f: Facts) -> bool:
    """Admitted (or, if not yet, today) on or before the window closes, or an exception."""
    closes = d.enrolment_window_closes_on(f)
    on = f.date_of(KeyDate.ADMITTED_ON) or f.today
    return f.flag(Flag.ENROLMENT_WINDOW_EXTENSION) or (closes is not None and on <= closes)


CASC_IN_WINDOW = Rule(
    key="casc.within_enrolment_window", clears=Role.PROGRAM_DIRECTOR, source=CASC_WINDOW,
    key_date=KeyDate.ADMITTED_ON, setting="casc_enrolment_window_days",
    predicate=_admitted_in_window,
    figures=lambda f: {"due": day_words(d.enrolment_window_closes_on(f)),
                       "days": f.settings.casc_enrolment_window_days},
    message="You must be admitted within {days} days of starting your administrative position, "
            "by {due}.")
CASC_ADMISSION_SIGNOFF = signoff(
    "casc.admission_approved", SignOff.ADMITTED, Role.PROGRAM_DIRECTOR, BUTTE,
    "Your program director approves your admission.")
CASC_ORIENTATION_Y1 = evidence("casc.orientation_y1", EvidenceKind.ORIENTATION_Y1,
                               Role.PROGRAM_DIRECTOR, BUTTE,
                               "Attend the Year 1 orientation; your program director records it.")
CASC_ASSURANCES_Y1 = evidence("casc.assurances_y1", EvidenceKind.ASSURANCES_Y1,
                              Role.PROGRAM_DIRECTOR, BUTTE)
CASC_COACH_IN_TIME = recorded_by(
    "casc.coach_within_days", KeyDate.COACH_ASSIGNED_ON, d.coach_due_on, Role.PROGRAM_DIRECTOR,
    CASC_PS3, setting="coach_assignment_days",
    message="A coach must be assigned by {due} (coach assigned: {on}).", waiver=Flag.COACH_LATE_ACCEPTED)


def _self_assessments(key: str, stage: int | None, when: str) -> Rule:
    """Self-assessments due by a stage (1st, 2nd; None = all cpsel_self_assessments)."""
    def need(f: Facts) -> float:
        total = float(f.settings.cpsel_self_assessments)
        return total if stage is None else min(stage, total)
    return at_least(key, CommonCount.SELF_ASSESSMENTS, need, Role.COACH, BUTTE,
                    setting="cpsel_self_assessments",
                    message="{have:g} of {need:g} CPSEL self-assessments completed " + when + ".")


CASC_SELF_ASSESSMENT_1 = _self_assessments("casc.self_assessment_1", 1, "by the start of Year 1")
CASC_IIP_1 = evidence("casc.iip_1", EvidenceKind.IIP_1, Role.COACH, BUTTE,
                      "Write IIP 1 on CPSEL 1–3 with your coach and upload it; your coach "
                      "verifies it.")
CASC_IIP_1_APPROVED = signoff("casc.iip1_approved", SignOff.IIP1_APPROVED, Role.PROGRAM_DIRECTOR,
                              BUTTE, "Your program director approves IIP 1.")


def _per_year(key: str, count: Count, setting: str, year: int, what: str) -> Rule:
    """A yearly total (coaching weeks, PL hours) against its per-year setting."""
    return at_least(key, count, lambda f: getattr(f.settings, setting), Role.COACH, BUTTE,
                    setting=setting,
                    message="{have:g} of {need:g} " + what + f" logged for Year {year}.")


CASC_COACHING_Y1 = _per_year("casc.coaching_weeks_y1", Count.COACHING_WEEKS_Y1,
                             "coaching_weeks_per_year", 1, "coaching weeks")
CASC_COACHING_HOURS_Y1 = _per_year("casc.coaching_hours_y1", Count.COACHING_HOURS_Y1,
                                   "coaching_hours_per_year", 1, "coaching hours")
CASC_PL_Y1 = _per_year("casc.pl_hours_y1", Count.PL_HOURS_Y1, "pl_hours_per_year", 1,
                       "professional-learning hours")
CASC_YEAR1_SIGNOFF = signoff("casc.year1_complete", CommonSignOff.YEAR1_COMPLETE, Role.PROGRAM_DIRECTOR,
                             BUTTE_FAQ, "Your program director signs off your Year 1 review.")
CASC_ORIENTATION_Y2 = evidence("casc.orientation_y2", EvidenceKind.ORIENTATION_Y2,
                               Role.PROGRAM_DIRECTOR, BUTTE,
                               "Attend the Year 2 orientation; your program director records it.")
CASC_ASSURANCES_Y2 = evidence("casc.assurances_y2", EvidenceKind.ASSURANCES_Y2,
                              Role.PROGRAM_DIRECTOR, BUTTE)
CASC_SELF_ASSESSMENT_2 = _self_assessments("casc.self_assessment_2", 2, "by the start of Year 2")
CASC_IIP_2 = evidence("casc.iip_2", EvidenceKind.IIP_2, Role.COACH, BUTTE,
                      "Write IIP 2 on CPSEL 4–6 with your coach and upload it; your coach "
                      "verifies it.")
CASC_IIP_2_APPROVED = signoff("casc.iip2_approved", SignOff.IIP2_APPROVED, Role.PROGRAM_DIRECTOR,
                              BUTTE, "Your program director approves IIP 2.")
CASC_COACHING_Y2 = _per_year("casc.coaching_weeks_y2", Count.COACHING_WEEKS_Y2,
                             "coaching_weeks_per_year", 2, "coaching weeks")
CASC_COACHING_HOURS_Y2 = _per_year("casc.coaching_hours_y2", Count.COACHING_HOURS_Y2,
                                   "coaching_hours_per_year", 2, "coaching hours")
CASC_PL_Y2 = _per_year("casc.pl_hours_y2", Count.PL_HOURS_Y2, "pl_hours_per_year", 2,
                       "professional-learning hours")
CASC_SELF_ASSESSMENT_3 = _self_assessments("casc.self_assessments", None, "by the end of Year 2")
CASC_EXIT_MASTERY = flag_present(
    "casc.exit_panel_mastery", Flag.EXIT_PANEL_MASTERY, Role.PANEL_MEMBER, BUTTE,
    "At your exit interview the panel must agree you have mastered every CPSEL (1-6).")
CASC_EXPERIENCE_LETTER = evidence(
    "casc.experience_letter", EvidenceKind.EXPERIENCE_LETTER, Role.DISTRICT_HR, BUTTE,
    "Your employer's letter (superintendent, assistant superintendent or HR director) verifies "
    "your administrative experience; district HR uploads it.")
CASC_EXPERIENCE_YEARS = at_least(
    "casc.admin_experience_years", Count.ADMIN_EXPERIENCE_YEARS,
    lambda f: f.settings.admin_experience_years, Role.DISTRICT_HR, BUTTE,
    setting="admin_experience_years",
    message="{have:g} of {need:g} years of successful full-time administrative experience "
            "verified.")
CASC_RECOMMENDATION_APPROVED = signoff(
    "casc.recommendation_approved", SignOff.RECOMMENDATION_APPROVED, Role.PROGRAM_DIRECTOR, BUTTE,
    "Your program director (Sr. Director of Professional Learning) approves your "
    "recommendation to the CTC.")
CASC_YEAR1_DOCUMENT = evidence(
    "casc.year1_completion_document", EvidenceKind.YEAR1_COMPLETION_DOCUMENT,
    Role.PROGRAM_DIRECTOR, BUTTE_FAQ,
    "Your program director issues your transferable Year 1 completion document.")
CASC_WINDOW_MISSED = Rule(
    key="casc.enrolment_window_missed", clears=Role.PROGRAM_DIRECTOR, source=CASC_WINDOW,
    key_date=KeyDate.ADMIN_POSITION_STARTED_ON, setting="casc_enrolment_window_days",
    predicate=lambda f: (not f.flag(Flag.ENROLMENT_WINDOW_EXTENSION)
                         and (closes := d.enrolment_window_closes_on(f)) is not None
                         and f.today > closes),
    figures=lambda f: {"due": day_words(d.enrolment_window_closes_on(f))},
    message="Your enrolment window is open until {due} (or extended by your program director).")
CASC_PASC_EXPIRED = reached(
    "casc.pasc_expired", d.pasc_expires_on, KeyDate.PASC_ISSUED_ON, Role.CREDENTIAL_ANALYST, PASC,
    setting="pasc_validity_years",
    message="Your preliminary administrative services credential expires on {due}; it has not "
            "expired yet (a Certificate of Eligibility never expires).")
CASC_PASC_NOT_EXPIRED = still_valid(
    "casc.pasc_not_expired", d.pasc_expires_on, Role.CREDENTIAL_ANALYST, PASC,
    setting="pasc_validity_years", label="Preliminary ASC still valid",
    message="Your preliminary administrative services credential expired on {due}, so CASC "
            "steps can no longer be taken on it. If the expiry date is wrong, your credential "
            "analyst corrects it.")
CASC_WINDOW_OPEN = still_valid(
    "casc.enrolment_window_open", d.enrolment_window_closes_on, Role.PROGRAM_DIRECTOR,
    CASC_WINDOW, setting="casc_enrolment_window_days", label="Enrolment window still open",
    last_day=True, extension=Flag.ENROLMENT_WINDOW_EXTENSION,
    message="Your enrolment window closed on {due}, so you can no longer be admitted unless "
            "your program director records an extension.")
CASC_WITHDRAWAL = withdrawal("casc", Role.PROGRAM_DIRECTOR, BUTTE)
CASC_RECOMMENDATION = recommendation_submitted("casc", Role.PROGRAM_DIRECTOR)
