"""The rule book as named pure predicates over a `Facts` snapshot.

Each `Rule` is written once and used three ways: as a transition guard (`cond`), in the
validator that raises `StepBlocked` with every unmet rule, and in the candidate's checklist
(`engine.requirements`). Messages speak to the candidate, render the actual figures and the
setting they come from, and say who can clear the rule (`clears`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from workflows import dates as d
from workflows.declare import Labelled
from workflows.facts import Count, EvidenceKind, EvidenceStatus, Facts, Flag, KeyDate, SignOff
from workflows.keys import CommonDate, CommonEvidence
from workflows.roles import Role
from workflows.vocabulary import agree

Predicate = Callable[[Facts], bool]
Figures = Callable[[Facts], Mapping[str, object]]
Measure = Callable[[Facts], tuple[float, float]]


class RuleStatus(StrEnum):
    """How a requirement stands, for the checklist."""

    MET = "met"
    NOT_MET = "not_met"
    MISSING = "missing"  # evidence not uploaded
    AWAITING_VERIFICATION = "awaiting_verification"  # evidence submitted, not yet verified
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # a fact the candidate entered, not yet confirmed
    NOT_RECORDED = "not_recorded"  # a fact the rule reads that nobody has recorded yet
    SENT_BACK = "sent_back"  # evidence sent back with a reason


@dataclass(frozen=True, eq=False)
class Rule:
    """A named pure predicate with a plain-language message, who clears it, and its source.

    `message` is a `str.format` template filled from `figures(facts)` (plus `{setting}`, the
    name of the program setting it uses). The metadata fields (`evidence_kind`, `signoff`,
    `count`, `key_date`, `flag`, `setting`) say which facts the rule reads, so the app can show
    an upload button or queue a sign-off task to the right role.
    """

    key: str
    message: str
    clears: Role
    source: str
    predicate: Predicate = field(repr=False)
    figures: Figures | None = field(default=None, repr=False)
    measure: Measure | None = field(default=None, repr=False)  # (have, need) for progress bars
    applies: Predicate | None = field(default=None, repr=False)  # a setting may switch it off
    # Any kind's key (a package names its own); held as the composed key (see __post_init__).
    evidence_kind: Labelled | None = None
    signoff: tuple[Labelled, Role] | None = None
    count: StrEnum | None = None
    key_date: StrEnum | None = None
    flag: StrEnum | None = None
    setting: str | None = None
    label: str | None = None  # short checklist title when the message reads only as a reason
    # A passed deadline that ends the enrolment's steps: asking for sign-offs is pointless then.
    ends_steps: bool = False
    # A window rule the program director may waive once it closed late (the flag records it).
    waiver: StrEnum | None = None
    due: Callable[[Facts], date | None] | None = field(default=None, repr=False)
    # A recordable number or yes/no fact nobody recorded leaves the rule unmet (its default is no
    # answer); off for a rule that holds only on what *was* recorded (a "yes", a count over a limit).
    unrecorded_unmet: bool = True

    def __post_init__(self) -> None:
        # A pathway package's rules name its own keys (`workflows.pip.keys.EvidenceKind.CL_857`);
        # hold the composed member, the one the facts and the app hold, so `is` compares alike.
        set_ = object.__setattr__
        for name, kind in (("evidence_kind", EvidenceKind), ("count", Count), ("key_date", KeyDate),
                           ("flag", Flag), ("waiver", Flag)):
            if getattr(self, name) is not None:
                set_(self, name, kind(getattr(self, name)))
        if self.signoff is not None:
            set_(self, "signoff", (SignOff(self.signoff[0]), self.signoff[1]))

    def check(self, facts: Facts) -> bool:
        """Whether the rule holds for these facts (a rule that does not apply holds).

        A fact the candidate only claimed never satisfies a rule: its owner confirms it first.
        """
        if not self.is_applicable(facts):
            return True
        if self.reads_claim(facts) or self.unrecorded(facts):
            return False
        return bool(self.predicate(facts))

    def unrecorded(self, facts: Facts) -> RecordedFact | None:
        """The recordable fact (a declared number or yes/no fact) this rule reads that nobody has
        recorded yet, if any: its default (0, "no") is no answer, so the rule is not met on it."""
        if not self.unrecorded_unmet:
            return None
        for key in (self.count, self.flag):
            if key is not None and not facts.is_recorded(key):
                spec = _RECORDABLE.get(str(facts.pathway), {}).get(str(key))
                if spec is not None:
                    return spec
        return None

    def reads_claim(self, facts: Facts) -> bool:
        """Whether the fact this rule reads is claimed but not yet confirmed."""
        return any(facts.is_claimed(key) for key in (self.key_date, self.count, self.flag))

    def is_applicable(self, facts: Facts) -> bool:
        """Whether the program's settings make this rule a requirement at all."""
        return self.applies is None or bool(self.applies(facts))

    def status(self, facts: Facts) -> RuleStatus:
        """MET, or why not: evidence missing / awaiting verification / sent back, or NOT_MET."""
        if self.check(facts):
            return RuleStatus.MET
        if self.reads_claim(facts):
            return RuleStatus.AWAITING_CONFIRMATION
        if self.unrecorded(facts) is not None:
            return RuleStatus.NOT_RECORDED
        if self.evidence_kind is not None:
            return {
                EvidenceStatus.MISSING: RuleStatus.MISSING,
                EvidenceStatus.SUBMITTED: RuleStatus.AWAITING_VERIFICATION,
                EvidenceStatus.SENT_BACK: RuleStatus.SENT_BACK,
            }.get(facts.status(self.evidence_kind), RuleStatus.NOT_MET)
        return RuleStatus.NOT_MET

    def explain(self, facts: Facts) -> str:
        """The message for these facts, with the figures rendered."""
        status = self.status(facts)
        if self.evidence_kind is not None and status is RuleStatus.AWAITING_VERIFICATION:
            return (f"Your {self.evidence_kind.label} is awaiting verification by your "
                    f"{role_name(self.clears)}.")
        if self.evidence_kind is not None and status is RuleStatus.SENT_BACK:
            return (f"Your {role_name(self.clears)} sent back your {self.evidence_kind.label}; "
                    f"upload a corrected copy.")
        if status is RuleStatus.AWAITING_CONFIRMATION:
            return f"{self._render(facts)} You entered it; it counts once your {role_name(self.clears)} confirms it."
        if status is RuleStatus.NOT_RECORDED and (spec := self.unrecorded(facts)) is not None:
            return f"{spec.label}: not recorded yet; your {spec.owners_text} records it."
        return self._render(facts)

    def _render(self, facts: Facts) -> str:
        """The message template filled with this rule's figures."""
        values: dict[str, object] = {"setting": self.setting}
        if self.figures is not None:
            values.update(self.figures(facts))
        return agree(self.message.format(**values))

    def title(self, facts: Facts) -> str:
        """A short name for the checklist: the document's name, else the rendered message."""
        if self.label is not None:
            return self.label
        if self.evidence_kind is not None:
            label = self.evidence_kind.label
            return label[0].upper() + label[1:]
        return self._render(facts)

    def progress(self, facts: Facts) -> tuple[float, float] | None:
        """(have, need) for count-like rules, else None."""
        return None if self.measure is None else self.measure(facts)

    def is_late(self, facts: Facts) -> bool:
        """For a window rule: the date came after the window closed, or the window closed unmet."""
        if self.due is None or self.key_date is None:
            return False
        on, by = facts.date_of(self.key_date), self.due(facts)
        if by is None:
            return False
        return on > by if on is not None else facts.today > by

    def waived(self, facts: Facts) -> bool:
        """Whether the program director let the enrolment carry on past this late window."""
        return self.waiver is not None and facts.flag(self.waiver)


class RecordedFact(Protocol):
    """A fact people record (a `workflows.fact_specs.FactSpec`), as a rule names it when nobody has."""

    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def owners_text(self) -> str: ...


# Per pathway, the numbers and yes/no facts people record on its enrolments, by name (the registry
# declares each installed pathway's; the totals the product works out itself are never among them).
_RECORDABLE: dict[str, dict[str, RecordedFact]] = {}


def declare_recordable(pathway: str, facts: Iterable[RecordedFact]) -> None:
    """Say which numbers and yes/no facts people record on `pathway`'s enrolments."""
    _RECORDABLE[str(pathway)] = {fact.name: fact for fact in facts}


def role_name(role: Role) -> str:
    """The role's label inside a sentence ("credential analyst", "district HR")."""
    label = role.label
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def day_words(value: date | None) -> str:
    """A date as people read it in a message."""
    return "not recorded" if value is None else f"{value:%B} {value.day}, {value.year}"


# --- Rule factories: the shapes every pathway reuses ----------------------------------------


def evidence(key: str, kind: Labelled, clears: Role, source: str,
             message: str | None = None, applies: Predicate | None = None) -> Rule:
    """A document that must be verified."""
    return Rule(key=key, clears=clears, source=source, evidence_kind=kind, applies=applies,
                message=message or f"Upload your {kind.label}; your {role_name(clears)} "
                                   f"verifies it.",
                predicate=lambda f: f.verified(kind))


def signoff(key: str, signoff_key: Labelled, role: Role, source: str, message: str) -> Rule:
    """A sign-off `role` must give; the app queues a task to holders of that role."""
    return Rule(key=key, clears=role, source=source, message=message,
                signoff=(signoff_key, role), predicate=lambda f: f.signed(signoff_key, role))


def at_least(key: str, count: StrEnum, need: Callable[[Facts], float], clears: Role, source: str,
             message: str, setting: str | None = None) -> Rule:
    """A total that must reach a threshold; the message gets {have} and {need}."""
    return Rule(key=key, clears=clears, source=source, message=message, count=count,
                setting=setting, predicate=lambda f: f.count(count) >= need(f),
                figures=lambda f: {"have": f.count(count), "need": need(f)},
                measure=lambda f: (f.count(count), need(f)))


def recorded(key: str, key_date: StrEnum, clears: Role, source: str, message: str) -> Rule:
    """A key date that must be recorded."""
    return Rule(key=key, clears=clears, source=source, message=message, key_date=key_date,
                predicate=lambda f: f.date_of(key_date) is not None)


def recorded_by(key: str, key_date: StrEnum, due: Callable[[Facts], date | None], clears: Role,
                source: str, message: str, setting: str, waiver: StrEnum | None = None) -> Rule:
    """A key date that must be recorded on or before a due date; {on} and {due} in message.

    With `waiver`, a late date still passes once the program director has let the enrolment
    carry on (the flag); `Rule.is_late` keeps telling that it was late, for accreditation.
    """
    def holds(f: Facts) -> bool:
        on, by = f.date_of(key_date), due(f)
        if waiver is not None and f.flag(waiver) and on is not None:
            return True
        return on is not None and by is not None and on <= by
    return Rule(key=key, clears=clears, source=source, message=message, key_date=key_date,
                setting=setting, predicate=holds, waiver=waiver, due=due,
                figures=lambda f: {"on": day_words(f.date_of(key_date)), "due": day_words(due(f))})


def reached(key: str, due: Callable[[Facts], date | None], key_date: StrEnum, clears: Role,
            source: str, message: str, setting: str | None = None) -> Rule:
    """A time rule: today is on or after a due date (guards automatic, job-fired events)."""
    def holds(f: Facts) -> bool:
        when = due(f)
        return when is not None and f.today >= when
    return Rule(key=key, clears=clears, source=source, message=message, key_date=key_date,
                setting=setting, predicate=holds,
                figures=lambda f: {"due": day_words(due(f)), "today": day_words(f.today)})


def still_valid(key: str, ends: Callable[[Facts], date | None], clears: Role, source: str,
                message: str, label: str, setting: str | None = None,
                last_day: bool = False, extension: StrEnum | None = None) -> Rule:
    """A time rule for person-fired steps: the deadline that ends them has not passed.

    `ends` is the first day no longer valid (an expiry), or with `last_day` the last day still
    open (a window). An unknown end date holds (other rules ask for it); `extension` lifts it.
    The message gets {due}.
    """
    def holds(f: Facts) -> bool:
        when = ends(f)
        if when is None or (extension is not None and f.flag(extension)):
            return True
        return f.today <= when if last_day else f.today < when
    return Rule(key=key, clears=clears, source=source, message=message, setting=setting,
                label=label, predicate=holds, figures=lambda f: {"due": day_words(ends(f))},
                ends_steps=True)


def flag_absent(key: str, flag: StrEnum, clears: Role, source: str, message: str,
                label: str) -> Rule:
    """A flag that must NOT be set; `label` titles it in the checklist."""
    return Rule(key=key, clears=clears, source=source, message=message, flag=flag, label=label,
                predicate=lambda f: not f.flag(flag))


def flag_present(key: str, flag: StrEnum, clears: Role, source: str, message: str) -> Rule:
    """A flag that must be set."""
    return Rule(key=key, clears=clears, source=source, message=message, flag=flag,
                predicate=lambda f: f.flag(flag))


# --- Sources shared by several pathways ----------------------------------------------------------

CL_900 = "Certificate of Clearance CL-900 (CTC)"
PROGRAM_RULE = "program rule"
RECOMMEND = "Complete Your Recommendation (CTC): 90-day window"


# --- Shared by all pathways ---------------------------------------------------------------------


def withdrawal(prefix: str, clears: Role, source: str) -> Rule:
    """The separation/withdrawal notice that ends an enrolment."""
    return evidence(f"{prefix}.withdrawal_notice", CommonEvidence.WITHDRAWAL_NOTICE, clears, source,
                    f"Your {role_name(clears)} records a withdrawal or separation notice.")


def recommendation_submitted(prefix: str, clears: Role) -> Rule:
    """A current CTC Online recommendation: recorded and still inside the 90-day window."""
    def holds(f: Facts) -> bool:
        purge = d.recommendation_purged_on(f)
        return purge is not None and f.today < purge
    return Rule(key=f"{prefix}.recommendation_submitted", clears=clears, source=RECOMMEND,
                key_date=CommonDate.RECOMMENDED_ON, setting="recommendation_window_days",
                predicate=holds,
                figures=lambda f: {"on": day_words(f.date_of(CommonDate.RECOMMENDED_ON)),
                                   "days": f.settings.recommendation_window_days},
                message="Your " + role_name(clears) + " submits your recommendation on CTC "
                        "Online and records its date (last recorded: {on}; a recommendation "
                        "older than {days} days has been purged).")


RECOMMENDATION_PURGED = reached(
    "common.recommendation_purged", d.recommendation_purged_on, CommonDate.RECOMMENDED_ON,
    Role.CANDIDATE, RECOMMEND, setting="recommendation_window_days",
    message="Your recommendation is purged by the CTC on {due} if you have not answered the "
            "professional fitness questions and paid by then.")
CREDENTIAL_ISSUED = evidence(
    "common.credential_issued", CommonEvidence.ISSUED_CREDENTIAL, Role.CREDENTIAL_ANALYST,
    "CTC Online (credential issued)",
    "Answer the fitness questions and pay on CTC Online; your credential analyst then uploads "
    "the credential the CTC issued.")


