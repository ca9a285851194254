"""The apprentice pathway as the registry serves it: machine, rules, deadline, time event, words."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from statemachine import Event, State

from tests.pathways.apprentice.keys import NAME, EvidenceKind, KeyDate, SignOff
from workflows.base import Definition, GroupSpec, PathwayMachine, automatic, person, step, step_from
from workflows.dates import after
from workflows.fact_specs import fact
from workflows.facts import Facts, Pathway
from workflows.keys import CommonDate
from workflows.pathway import DeadlineSpec, PathwayPlugin, TimeEvent, all_hold
from workflows.roles import Role
from workflows.rules import evidence, reached, recorded, signoff, still_valid
from workflows.settings import ProgramSettings

SOURCE = "test pathway"


def window_closes_on(facts: Facts) -> date | None:
    """The first day the apprenticeship has lapsed: enrolment + apprentice_window_days."""
    return after(facts.date_of(CommonDate.ENROLLED_ON), facts.settings.apprentice_window_days)


PORTFOLIO = evidence("apprentice.portfolio", EvidenceKind.PORTFOLIO, Role.SITE_ADMINISTRATOR, SOURCE)
OBSERVATION = evidence("apprentice.observation", EvidenceKind.OBSERVATION_RECORD, Role.SITE_ADMINISTRATOR,
                       SOURCE)
OBSERVED_ON = recorded("apprentice.observed_on", KeyDate.OBSERVED_ON, Role.SITE_ADMINISTRATOR, SOURCE,
                       "Your site administrator records the day they observed you teach.")
OBSERVED = signoff("apprentice.observed", SignOff.OBSERVED, Role.SITE_ADMINISTRATOR, SOURCE,
                   "Your site administrator signs off that they observed you teach.")
LAPSED = reached("apprentice.lapsed", window_closes_on, CommonDate.ENROLLED_ON, Role.SITE_ADMINISTRATOR,
                 SOURCE, "Your apprenticeship lapses on {due} unless you are certified by then.",
                 setting="apprentice_window_days")
OPEN = still_valid("apprentice.open", window_closes_on, Role.SITE_ADMINISTRATOR, SOURCE,
                   "Your apprenticeship lapsed on {due}.", label="Apprenticeship still open",
                   setting="apprentice_window_days")


class ApprenticeMachine(PathwayMachine[Any]):
    """Applied -> in review -> certified, or lapsed when the window closes."""

    applied = State("Applied", initial=True)
    in_review = State("In review")
    certified = State("Certified", final=True)
    lapsed = State("Lapsed", final=True)

    submit = Event(step(applied, in_review), name="Submit the portfolio")
    certify = Event(step(in_review, certified), name="Certify")
    lapse = Event(step_from(lapsed, applied, in_review), name="Apprenticeship lapsed")


DEFINITION_V1 = Definition(Pathway(NAME), 1, ApprenticeMachine, {
    "submit": person(Role.CANDIDATE, rules=(OPEN, PORTFOLIO)),
    "certify": person(Role.CANDIDATE, Role.SITE_ADMINISTRATOR, rules=(OPEN, OBSERVATION, OBSERVED_ON, OBSERVED)),
    "lapse": automatic(LAPSED),
}, (GroupSpec("Portfolio", (PORTFOLIO,)), GroupSpec("Observation", (OBSERVATION, OBSERVED_ON, OBSERVED))),
    success="certified")


def _certified(facts: Facts, defn: Definition) -> bool:
    return all_hold(defn.events["certify"].rules, facts)


def _latest_enrolment(today: date, settings: ProgramSettings) -> date:
    return today - timedelta(days=settings.apprentice_window_days)


PATHWAY = PathwayPlugin(
    name=NAME,
    label="Apprenticeship → certified apprentice teacher",
    short="Apprenticeship",
    title="Apprenticeship",
    description="You teach as an apprentice and are observed before certification.",
    credential_hint="For example: Apprentice Teacher Certificate.",
    authorization_hint="The subject you teach as an apprentice.",
    definitions=(DEFINITION_V1,),
    facts=(fact(KeyDate.OBSERVED_ON, "Observed in class on", "The day the site administrator watched a lesson.",
                SOURCE, Role.SITE_ADMINISTRATOR, pathway=NAME, claimable=True),),
    current_version=1,
    deadlines=(DeadlineSpec("apprentice_window", "Be certified before your apprenticeship lapses",
                            window_closes_on, LAPSED, _certified),),
    time_events=(TimeEvent("lapse", window_closes_on, anchor=CommonDate.ENROLLED_ON,
                           latest_anchor=_latest_enrolment,
                           meaning="The apprenticeship lapsed before the apprentice was certified."),),
)
