"""Teacher Induction, as the registry serves it: preliminary -> clear teaching credential in two
years, or one with the Early Completion Option (rule book §2)."""

from __future__ import annotations

from datetime import date

from workflows.dates import add_years
from workflows.facts import Facts
from workflows.induction import confidentiality, machine, recorded, support
from workflows.induction import dates as d
from workflows.induction import rules as r
from workflows.induction.keys import NAME, Count, EvidenceKind, KeyDate, SignOff
from workflows.pathway import (
    DeadlineSpec,
    PaceTarget,
    PathwayPlugin,
    SideTrack,
    TimeEvent,
    credential_issued,
    done_on,
)
from workflows.roles import Role
from workflows.settings import ProgramSettings
from workflows.standards import StandardSet


def _latest_issue(today: date, settings: ProgramSettings) -> date:
    """A preliminary credential issued after this day cannot have expired by `today`."""
    return add_years(today, -settings.preliminary_validity_years)


def _pace(facts: Facts, start: date) -> list[PaceTarget]:
    """Mentoring hours at the weekly average, over the two program years' school weeks (every week, for a
    program that counts every week)."""
    end = add_years(start, 2)
    weeks = facts.calendar.weeks_in(start, end)
    return [PaceTarget("mentoring_hours", "Mentoring hours since enrolment", "hours",
                       facts.count(Count.MENTORING_HOURS),
                       round(facts.settings.mentoring_hours_per_week * weeks, 1), start, end)]


PATHWAY = PathwayPlugin(
    name=NAME,
    label="Teacher Induction → clear teaching credential",
    short="Teacher Induction",
    title="Teacher induction",
    description="You hold a preliminary teaching credential and are in your first years of teaching.",
    credential_hint="For example: Clear Multiple Subject Teaching Credential.",
    authorization_hint="e.g. Multiple Subject, or Single Subject: English.",
    signup_dates=((KeyDate.PRELIMINARY_ISSUED_ON, "Preliminary credential issued on"),
                  (KeyDate.PRELIMINARY_EXPIRES_ON, "Preliminary credential expires on")),
    definitions=(machine.DEFINITION_V1,),
    current_version=1,
    deadlines=(
        DeadlineSpec("mentor_assignment", "Mentor assigned", d.mentor_due_on, r.IND_MENTOR_IN_TIME,
                     done_on(KeyDate.MENTOR_ASSIGNED_ON)),
        DeadlineSpec("ilp_goals", "ILP goals set", d.ilp_goals_due_on, r.IND_ILP_IN_TIME,
                     done_on(KeyDate.ILP_GOALS_SET_ON)),
        DeadlineSpec("preliminary_expiry", "Clear your credential before your preliminary expires",
                     d.preliminary_expires_on, r.IND_PRELIMINARY_EXPIRED, credential_issued),
    ),
    time_events=(TimeEvent("expire_preliminary", d.preliminary_expires_on,
                           anchor=KeyDate.PRELIMINARY_ISSUED_ON, latest_anchor=_latest_issue,
                           expiry=KeyDate.PRELIMINARY_EXPIRES_ON,
                           meaning="The preliminary credential expired before induction was completed."),),
    # The employer consents before the program director decides on an Early Completion
    # application (rule book §2.3; programs' ECO criteria ask for employer letters first) [I].
    sequential_signoffs={SignOff.ECO_APPROVED: (Role.DISTRICT_HR, Role.PROGRAM_DIRECTOR)},
    standards=StandardSet.CSTP,
    paced_states=frozenset({"mentor_assigned", "ilp_goals_set", "eco_active", "year1_active", "year1_complete",
                            "year2_active", "extended"}),
    pace=_pace,
    logging_states=frozenset({"year1_active", "year2_active", "eco_active", "extended"}),
    filed_by_others=frozenset({EvidenceKind.EMPLOYMENT_VERIFICATION, EvidenceKind.MENTOR_MATCH_RECORD,
                               EvidenceKind.EXTENSIVE_SUPPORT_PLAN, EvidenceKind.TRANSPORTABILITY_DOCUMENT,
                               EvidenceKind.CL_855}),
    done_elsewhere=frozenset({EvidenceKind.COMPLETION_REVIEW}),
    log_kinds={"mentoring": Role.MENTOR, "professional_learning": Role.MENTOR},
    plan_kinds=("ilp",),  # rule book §2.4 B3
    plan_documents={"ilp": EvidenceKind.ILP},
    plan_co_author=Role.MENTOR,
    confidentiality=confidentiality.TABLE,
    facts=recorded.FACTS,
    team_roles=(Role.MENTOR, Role.SITE_ADMINISTRATOR, Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR),
    supporter=Role.MENTOR,
    weekly_log="mentoring",
    # The Early Completion Option (rule book §2.3): offered once the ILP goals are set.
    side_track=SideTrack("Early Completion Option", frozenset({"ilp_goals_set", "eco_applied", "eco_active"}),
                         frozenset({"eco_applied", "eco_active"}),
                         (r.IND_ECO_APPLICATION, r.IND_ECO_YEARS, r.IND_ECO_DIRECTOR, r.IND_ECO_EMPLOYER),
                         closing_words="This closes the Early Completion Option for good: once Year 1 begins, "
                                       "induction cannot be finished in one year, and the two-year route is the "
                                       "only way to the clear credential. If you may be eligible (an experienced "
                                       "teacher, your employer consenting), apply for Early Completion first."),
    one_year_track=("eco_active", "year1_active"),
    late_windows={"mentor_late": r.IND_MENTOR_IN_TIME, "ilp_late": r.IND_ILP_IN_TIME},
    assigned_on={Role.MENTOR: KeyDate.MENTOR_ASSIGNED_ON},
    derived=recorded.DERIVED,
    confidential_logs=("mentoring",),
    support=support.SUPPORT,
)
