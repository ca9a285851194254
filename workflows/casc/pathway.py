"""CASC, as the registry serves it: Year 1 -> Year 2 -> exit interview -> recommendation to the
CTC for the clear administrative services credential (rule book §3)."""

from __future__ import annotations

from datetime import date, timedelta

from workflows.casc import confidentiality, machine, recorded
from workflows.casc import dates as d
from workflows.casc import rules as r
from workflows.casc.keys import NAME, Count, EvidenceKind, KeyDate
from workflows.dates import add_years
from workflows.facts import Facts
from workflows.pathway import DeadlineSpec, PaceTarget, PathwayPlugin, TimeEvent, credential_issued, done_on
from workflows.roles import Role
from workflows.settings import ProgramSettings
from workflows.standards import StandardSet


def _latest_start(today: date, settings: ProgramSettings) -> date:
    """A position started after this day still has its enrolment window open on `today`."""
    return today - timedelta(days=settings.casc_enrolment_window_days + 1)


def _latest_issue(today: date, settings: ProgramSettings) -> date:
    """A preliminary ASC issued after this day cannot have expired by `today`."""
    return add_years(today, -settings.pasc_validity_years)


def _pace(facts: Facts, start: date) -> list[PaceTarget]:
    """Coaching weeks and professional-learning hours, each program year on its own: Year 1 is
    paced until its anniversary, Year 2 from then on."""
    found = []
    s = facts.settings
    for year, (weeks_count, pl_count) in ((1, (Count.COACHING_WEEKS_Y1, Count.PL_HOURS_Y1)),
                                          (2, (Count.COACHING_WEEKS_Y2, Count.PL_HOURS_Y2))):
        begins, ends = add_years(start, year - 1), add_years(start, year)
        until, since = (ends, None) if year == 1 else (None, begins)
        found += [
            PaceTarget(f"coaching_weeks_y{year}", f"Weeks with a coaching meeting, Year {year}", "weeks",
                       facts.count(weeks_count), s.coaching_weeks_per_year, begins, ends, weekly=True,
                       applies_from=since, applies_until=until),
            PaceTarget(f"pl_hours_y{year}", f"Professional-learning hours, Year {year}", "hours",
                       facts.count(pl_count), s.pl_hours_per_year, begins, ends,
                       applies_from=since, applies_until=until),
        ]
    return found


PATHWAY = PathwayPlugin(
    name=NAME,
    label="CASC induction → clear administrative services credential",
    short="CASC",
    title="Clear Administrative Services Credential",
    description="You hold a preliminary administrative services credential and started an administrative position.",
    credential_hint="For example: Clear Administrative Services Credential.",
    authorization_hint="Usually Administrative Services.",
    signup_dates=((KeyDate.ADMIN_POSITION_STARTED_ON, "First administrative position started on"),
                  (KeyDate.PASC_ISSUED_ON, "Preliminary Administrative Services Credential issued on"),
                  (KeyDate.PASC_EXPIRES_ON, "Preliminary Administrative Services Credential expires on")),
    definitions=(machine.DEFINITION_V1,),
    current_version=1,
    deadlines=(
        DeadlineSpec("casc_enrolment_warning", "Enrol and start coaching (CTC PS1: 120 days)",
                     d.enrolment_warning_on, r.CASC_IN_WINDOW,
                     done_on(KeyDate.ADMITTED_ON)),
        DeadlineSpec("casc_enrolment_window", "Be admitted to the CASC program",
                     d.enrolment_window_closes_on, r.CASC_IN_WINDOW,
                     done_on(KeyDate.ADMITTED_ON)),
        DeadlineSpec("coach_assignment", "Coach assigned", d.coach_due_on, r.CASC_COACH_IN_TIME,
                     done_on(KeyDate.COACH_ASSIGNED_ON)),
        DeadlineSpec("pasc_expiry", "Clear your credential before your preliminary ASC expires",
                     d.pasc_expires_on, r.CASC_PASC_EXPIRED, credential_issued),
    ),
    time_events=(
        TimeEvent("miss_enrolment_window", d.enrolment_window_closes_on,
                  anchor=KeyDate.ADMIN_POSITION_STARTED_ON, latest_anchor=_latest_start,
                  meaning="The window to be admitted to the CASC program after starting the administrative "
                          "position closed without an admission or an extension."),
        TimeEvent("expire_pasc", d.pasc_expires_on, anchor=KeyDate.PASC_ISSUED_ON,
                  latest_anchor=_latest_issue, expiry=KeyDate.PASC_EXPIRES_ON,
                  meaning="The preliminary administrative services credential expired before the CASC was "
                          "completed."),
    ),
    standards=StandardSet.CPSEL,
    paced_states=frozenset({"admitted", "year1_active", "year1_complete", "year2_active"}),
    pace=_pace,
    logging_states=frozenset({"year1_active", "year2_active"}),
    filed_by_others=frozenset({EvidenceKind.CL_777, EvidenceKind.YEAR1_COMPLETION_DOCUMENT,
                               EvidenceKind.EXPERIENCE_LETTER}),
    done_elsewhere=frozenset({EvidenceKind.ORIENTATION_Y1, EvidenceKind.ORIENTATION_Y2}),
    log_kinds={"coaching": Role.COACH, "professional_learning": Role.COACH},
    plan_kinds=("iip1", "iip2"),  # rule book §3.3
    plan_documents={"iip1": EvidenceKind.IIP_1, "iip2": EvidenceKind.IIP_2},
    plan_co_author=Role.COACH,
    confidentiality=confidentiality.TABLE,
    facts=recorded.FACTS,
    team_roles=(Role.COACH, Role.SITE_ADMINISTRATOR, Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR),
    supporter=Role.COACH,
    weekly_log="coaching",
    year_round=True,  # administrators work through the summer; 40 coaching weeks do not fit 38 school weeks
    logs_carry_year=True,
    panel_state="exit_interview",
    late_windows={"coach_late": r.CASC_COACH_IN_TIME},
    assigned_on={Role.COACH: KeyDate.COACH_ASSIGNED_ON},
    enrolment_is=(KeyDate.ADMITTED_ON,),  # admission is the enrolment
    derived=recorded.DERIVED,
    confidential_logs=("coaching",),
)
