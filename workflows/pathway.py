"""What a pathway package hands the registry: one `PathwayPlugin` holding everything the engine
and the app ask of that pathway (its versions, deadlines, time-driven events, words).

A package builds its `PATHWAY` in its `pathway` module; `workflows.registry` collects every
installed package's (see `workflows.installed`). Nothing outside the package names a pathway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflows.base import Definition
from workflows.confidentiality import NOBODY, Table
from workflows.fact_specs import FactSpec
from workflows.facts import Facts
from workflows.roles import Role
from workflows.rules import Rule
from workflows.settings import ProgramSettings
from workflows.standards import StandardSet
from workflows.support import SupportSpec

DueDate = Callable[[Facts], "date | None"]


@dataclass(frozen=True)
class DeadlineSpec:
    """A dated obligation of the pathway: what, the day it falls due, the rule that sets it, and
    whether it is met (given the enrolment's pinned definition)."""

    key: str
    label: str
    due: DueDate
    rule: Rule
    met: Callable[[Facts, Definition], bool]


@dataclass(frozen=True)
class TimeEvent:
    """An automatic event a date fires (the app's daily sweep ends the enrolment with it).

    `due` is the day it fires. For a set-based search the app also needs where that day comes
    from: the recorded `anchor` date it counts from, and `latest_anchor(today, settings)`, the
    last anchor date that can already be due on `today` (a superset: the rules then decide). An
    `expiry` date, when recorded, overrides the counted day.
    """

    event: str
    due: DueDate
    anchor: str
    latest_anchor: Callable[[date, ProgramSettings], date]
    expiry: str | None = None
    meaning: str = ""  # what the date closing the enrolment means, in the words the team uses


@dataclass(frozen=True)
class PaceTarget:
    """A requirement counted from logs, as the app's pacing measures it: what is logged (`have`),
    what is needed (`target`) and the window it must fit in. `applies_from`/`applies_until` say
    when it is the one paced (a program year's target during that year)."""

    key: str
    label: str
    unit: str
    have: float
    target: float
    starts_on: date
    due_on: date
    weekly: bool = False  # counted in weeks with a meeting, so at most one a week
    applies_from: date | None = None
    applies_until: date | None = None


@dataclass(frozen=True)
class ReviewMeetings:
    """Meetings the candidate holds with their support team, which count only when the roles the
    program requires attended: each part of the team (a setting that requires it, the words for it,
    the roles that stand for it), and the roles a meeting's record may list."""

    parts: Mapping[str, tuple[str, frozenset[Role]]]
    roles: tuple[Role, ...]
    period: str  # the stretch they are held in, in words ("your PIP year")
    count: str  # the total the meetings that count make
    needed: str  # the setting that says how many must be held

    def missing(self, attended: Iterable[str], settings: ProgramSettings) -> list[str]:
        """Who the program requires at a meeting but did not attend, in plain words (empty: counts)."""
        present = {Role(role) for role in attended}
        return [who for name, (who, roles) in self.parts.items() if getattr(settings, name) and not present & roles]

    def required(self, settings: ProgramSettings) -> list[str]:
        """Who the program requires at every meeting, in plain words."""
        return [who for name, (who, _roles) in self.parts.items() if getattr(settings, name)]


@dataclass(frozen=True)
class SideTrack:
    """A track a candidate may apply for beside the main route (an Early Completion Option): its
    title, the states in which it is offered, those that mean it was taken, and its requirements."""

    title: str
    offered_in: frozenset[str]
    taken_in: frozenset[str]
    rules: tuple[Rule, ...]
    # What a step that closes the track means, said to the person about to take it (see `closed_by`).
    closing_words: str = ""

    def closed_by(self, source: str, target: str) -> bool:
        """Whether a step from `source` to `target` closes the track for good: it leaves the states that
        offer it without taking it (beginning the two-year route closes the Early Completion Option);
        moving on from the track once taken completes it instead."""
        return (source in self.offered_in and source not in self.taken_in
                and target not in self.offered_in | self.taken_in)


@dataclass(frozen=True)
class PathwayPlugin:
    """One pathway, as the engine and the app see it."""

    name: str  # what the database stores
    label: str  # "Teacher Induction → clear teaching credential"
    short: str  # "CASC", in lists and filters
    title: str  # "Teacher induction", heading its settings
    description: str  # who it is for, when a candidate picks a pathway
    credential_hint: str  # what people write as their goal
    authorization_hint: str  # what people write as their subject or authorization
    definitions: tuple[Definition, ...]
    current_version: int  # the version new enrolments are pinned to
    deadlines: tuple[DeadlineSpec, ...] = ()
    # The key dates a candidate can give when enrolling, with the words they know them by.
    signup_dates: tuple[tuple[str, str], ...] = ()
    time_events: tuple[TimeEvent, ...] = ()
    # Sign-offs given by several roles in turn (the default is any order): key -> roles in order.
    sequential_signoffs: Mapping[str, tuple[Role, ...]] = field(default_factory=dict)
    standards: StandardSet | None = None  # the six standards plans and self-assessments use
    # Pacing: the states in which logs are kept toward a requirement, and the targets then, given
    # the facts and the enrolment date.
    paced_states: frozenset[str] = frozenset()
    pace: Callable[[Facts, date], list[PaceTarget]] | None = None
    # The logs a candidate keeps (log kind -> the role that signs an entry) and the plans.
    log_kinds: Mapping[str, Role] = field(default_factory=dict)
    plan_kinds: tuple[str, ...] = ()
    # Each plan as the document the rules read once it is shared (plan kind -> evidence kind), and
    # the supporter who writes plans with the candidate.
    plan_documents: Mapping[str, str] = field(default_factory=dict)
    plan_co_author: Role | None = None
    # Who reads notes, plans and self-assessments; the log kinds whose notes the table rules on.
    confidentiality: Table = NOBODY
    confidential_logs: tuple[str, ...] = ()
    # The facts people record on its enrolments, and those the product works out (key -> from what).
    facts: tuple[FactSpec, ...] = ()
    derived: Mapping[str, str] = field(default_factory=dict)
    # Key dates that are the day a supporter joined the team (mentor -> mentor_assigned_on), and
    # those that are the enrolment date itself on this pathway (CASC: admission).
    assigned_on: Mapping[Role, str] = field(default_factory=dict)
    enrolment_is: tuple[str, ...] = ()
    # The team: the roles added to one candidate's team (by invitation or by the director), and the
    # supporter among them (the mentor or coach) whose weekly log the candidate keeps.
    team_roles: tuple[Role, ...] = ()
    supporter: Role | None = None
    weekly_log: str | None = None
    # Its candidates work all year (administrators, not teachers): its weekly requirements count every
    # week unless the program enters a school calendar (workflows/school_calendar.py).
    year_round: bool = False
    logs_carry_year: bool = False  # a log entry is entered for a program year (else its date says)
    # A shorter track beside the main route, and the first state of each, (short, usual): the latest
    # move into either tells which the candidate is on.
    side_track: SideTrack | None = None
    one_year_track: tuple[str, str] | None = None
    panel_state: str | None = None  # where an exit panel sits, if the pathway has one
    reviews: ReviewMeetings | None = None  # review meetings with the support team, if it holds them
    # Who files each document: the candidate uploads it unless staff file it for them (an employer's
    # letter) or record it after something done outside the app (an orientation attended).
    filed_by_others: frozenset[str] = frozenset()
    done_elsewhere: frozenset[str] = frozenset()
    # The states in which the candidate's log is always their next step, and the page each total
    # the candidate raises is kept on (a count -> "meetings"), when it is not the log book.
    logging_states: frozenset[str] = frozenset()
    counted_on: Mapping[str, str] = field(default_factory=dict)
    # The window rules whose lateness accreditation reports, by the report's column.
    late_windows: Mapping[str, Rule] = field(default_factory=dict)
    # Support records beside the logs (observations, short contacts, assessments...), if it keeps any.
    support: SupportSpec | None = None

    def __post_init__(self) -> None:
        # A package that drifts from itself fails at import, not on a page.
        if any(d.pathway != self.name for d in self.definitions):
            raise ValueError(f"{self.name}: a definition belongs to another pathway")
        if self.current_version not in {d.version for d in self.definitions}:
            raise ValueError(f"{self.name}: no definition of version {self.current_version}")
        events = {e for d in self.definitions for e in d.events}
        missing = [t.event for t in self.time_events if t.event not in events]
        if missing:
            raise ValueError(f"{self.name}: time events {missing} are not events of the machine")


def all_hold(rules: tuple[Rule, ...], facts: Facts) -> bool:
    """Whether every rule holds."""
    return all(rule.check(facts) for rule in rules)


def done_on(key_date: Any) -> Callable[[Facts, Definition], bool]:
    """A deadline's 'met' test: its step happened (the key date is recorded), on time or late.

    A step done late is done: the deadline is met and nothing is left to chase (whether it was late
    is the window rule's to tell, `Rule.is_late`, for the record and accreditation).
    """
    def met(facts: Facts, _defn: Definition) -> bool:
        return facts.date_of(key_date) is not None
    return met


def on_or_before(key_date: Any, due: DueDate) -> Callable[[Facts, Definition], bool]:
    """Whether the key date is recorded on or before the due date (done in time)."""
    def met(facts: Facts, _defn: Definition) -> bool:
        on, by = facts.date_of(key_date), due(facts)
        return on is not None and by is not None and on <= by
    return met


def credential_issued(facts: Facts, _defn: Definition) -> bool:
    """A deadline that only the issued credential meets (expiries)."""
    from workflows.rules import CREDENTIAL_ISSUED
    return CREDENTIAL_ISSUED.check(facts)
