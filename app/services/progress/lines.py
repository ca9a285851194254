"""Who acts on each line of an enrolment's home: the viewer (a next step, with the form that does it)
or someone else (waiting on others, naming the people who have the item in their inbox now).

A line names people only when the thing is theirs to do now: a sign-off nobody has asked for yet
names nobody and says who asks; a document waiting for verification names who may verify it (never
its uploader; the program director when nobody else could: progress/turns.py); a step anyone of
several roles takes names the candidate when they are among them. So "waiting on" and the inboxes
agree (tests/app/progress/test_turn_scenarios.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from app import policy
from app.models import Evidence, Membership, SignOffTask, User
from app.services.enrollments.fact_registry import BY_NAME
from app.services.enrollments.words import count_unit, figure, local_day
from app.services.evidence.plans import EVIDENCE_KIND
from app.services.evidence.plans import kinds as plan_kinds
from app.services.progress import late, turns
from app.services.progress.dashboard import Dashboard
from app.services.signoffs import queueing
from workflows.facts import EvidenceKind
from workflows.keys import CommonCount, CommonEvidence
from workflows.registry import plugin
from workflows.roles import Role
from workflows.rules import Rule, RuleStatus

ROLES = frozenset(r.value for r in Role)


def filed_by_others(pathway: str) -> frozenset[str]:
    """Documents someone else files: the candidate has nothing to upload for them, only to wait."""
    return plugin(pathway).filed_by_others


def done_elsewhere(pathway: str) -> frozenset[str]:
    """Documents a person records after the candidate did something outside the app (attend,
    present, pay): the pathway's own, and on every pathway the credential the CTC issued."""
    return plugin(pathway).done_elsewhere | {CommonEvidence.ISSUED_CREDENTIAL}


def counted_on(pathway: str, count: str) -> str:
    """The page on which the candidate raises a total: the pathway's own pages, the self-assessments
    page, else the log book."""
    pages = {CommonCount.SELF_ASSESSMENTS: "self_assessments", **plugin(pathway).counted_on}
    return pages.get(count, "logs")


@dataclass(frozen=True)
class NextStep:
    """Something the viewer can do now, and the form that does it.

    `action`: "step" (a button asking for `target`, an event), "upload" (`target` an evidence kind),
    "plan" (`target` a plan kind), "fact" (`target` a fact name), "logs", "meetings",
    "self_assessments", "ask_signoffs" (`target` an event), "verify" (the documents list), or
    "elsewhere" (done outside the app: the sentence says how).
    """

    title: str
    detail: str
    action: str
    target: str = ""
    due: date | None = None
    source: str = ""  # the rule's source, in words, behind a late or blocked step
    warning: str = ""  # what the step closes for good, said beside its button (the Early Completion Option)


@dataclass(frozen=True)
class Waiting:
    """Something another person does before the candidate can move on."""

    what: str
    role: str  # "Credential analyst"
    names: tuple[str, ...]
    since: date | None
    due: date | None
    source: str = ""  # the rule's source, in words
    # Why nobody has it yet ("Not asked yet: …"), said instead of since when: nobody is named then.
    note: str = ""


@dataclass
class Sorter:
    """Puts each missing line among the viewer's next steps (`mine`) or among what waits on others."""

    board: Dashboard
    viewer: User
    is_candidate: bool
    people: dict[Role, list[str]]
    tasks: dict[tuple[str, str], tuple[SignOffTask, str | None]]
    uploaded: dict[str, Evidence]
    since_here: datetime | None
    team: list[tuple[Membership, str]]
    mine: list[NextStep] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)
    # The step whose lines are being sorted: who may ask for it (its roles' labels), and whether the viewer may.
    asked_by: str = ""
    may_ask: bool = False

    @cached_property
    def staffing(self) -> turns.Staffing:
        held: dict[Role, set[int]] = {}
        for membership, _name in self.team:
            if membership.role in ROLES:
                held.setdefault(Role(membership.role), set()).add(membership.user_id)
        return turns.Staffing(held, self.board.enrollment.candidate_id)

    def _named(self, people: set[int]) -> tuple[str, ...]:
        names = {m.user_id: name for m, name in self.team}
        return tuple(sorted({names[p] for p in people if p in names}))[:3]

    def line(self, rule: Rule | None, reason: str, due: date | None) -> None:
        """Sort one line by what its rule reads (a document, a sign-off, a fact, a total), citing its source."""
        late.cited(rule, self.mine, self.waiting, lambda: self._sort(rule, reason, due))

    def _sort(self, rule: Rule | None, reason: str, due: date | None) -> None:
        if rule is None:
            self.waiting.append(Waiting(reason, "", (), local_day(self.since_here), due))
        elif rule.clears is Role.PANEL_MEMBER:
            # The panel decides together, each member from their own seat once it is convened.
            self.waiting.append(Waiting(reason, Role.PANEL_MEMBER.label, (), None, due,
                                        note="Decided by the exit-interview panel the program director convenes."))
        elif rule.evidence_kind is not None:
            self._document(rule, reason, due)
        elif rule.signoff is not None:
            self._signoff(rule, reason, due)
        elif not self._fact(rule, reason, due) and not self._total(rule, reason, due):
            if rule.clears in self.board.roles and not self.is_candidate:
                # Theirs (a mentor to assign, a recommendation to record): it is in their inbox.
                self.mine.append(NextStep(reason, "It is in your inbox, with the page that does it.", "inbox", "", due))
            else:
                self._wait(rule.clears, reason, due)

    def _wait(self, who: Role, what: str, by: date | None, since: datetime | date | None = None,
              named: tuple[str, ...] | None = None) -> None:
        """`who` is the one to act: named by the people holding that role for this candidate."""
        if who is Role.CANDIDATE:
            named = (self.board.candidate.name,)
        self.waiting.append(Waiting(what, who.label, named if named is not None else names_of(self.people, [who.label]),
                                    local_day(since or self.since_here), by))

    def _document(self, rule: Rule, reason: str, due: date | None) -> None:
        kind, clears, status = rule.evidence_kind, rule.clears, rule.status(self.board.facts)
        assert kind is not None
        pathway, roles = self.board.enrollment.pathway, self.board.roles
        elsewhere = kind in done_elsewhere(pathway)
        others_file = elsewhere or kind in filed_by_others(pathway)
        if status is RuleStatus.AWAITING_VERIFICATION:
            self._verification(kind, clears, reason, due)
        elif status is RuleStatus.AWAITING_CONFIRMATION:
            self._wait(clears, reason, due)
        elif self.is_candidate and elsewhere:
            self.mine.append(NextStep(reason.split(";")[0].rstrip(".") + ".", reason, "elsewhere", kind.value, due))
        elif self.is_candidate and not others_file and policy.can_upload_evidence(roles, kind.value):
            # The title says what to do; only a reason it was sent back is worth a second line.
            detail = reason if status is RuleStatus.SENT_BACK else ""
            plan = plan_for(pathway, kind)
            self.mine.append(NextStep(f"Write and share your {kind.label}", detail, "plan", plan, due) if plan
                             else NextStep(f"Upload your {kind.label}", detail, "upload", kind.value, due))
        elif not self.is_candidate and others_file and clears in roles and policy.can_upload_evidence(roles, kind.value):
            self.mine.append(NextStep(f"Upload the {kind.label}", reason, "upload", kind.value, due))
        else:
            self._wait(clears if others_file else Role.CANDIDATE, reason, due)

    def _verification(self, kind: Any, clears: Role, reason: str, due: date | None) -> None:
        """An uploaded document: the viewer checks it if theirs to verify (never their own upload); else
        it waits on those who may, or on the program director when only its uploader could have."""
        row = self.uploaded.get(kind.value)
        people, fallback = turns.verifiers(self.staffing, clears, row.uploaded_by_id if row else 0, kind.value)
        if self.viewer.id in people and policy.can_read_evidence(self.board.roles, kind.value):
            self.mine.append(NextStep(f"Check the {kind.label}", reason, "verify", kind.value, due))
        else:
            self._wait(fallback or clears, f"Verify your {kind.label}." if self.is_candidate
                       else f"Verify the {kind.label}.", due, row.uploaded_at if row else None, self._named(people))

    def _signoff(self, rule: Rule, reason: str, due: date | None) -> None:
        assert rule.signoff is not None
        key, role = rule.signoff
        task, claimer = self.tasks.get((key.value, role.value), (None, None))
        if task is None:
            # Nobody has it in their inbox yet: say what must happen first, and who does it.
            first = queueing.waiting_for(self.board.enrollment, key.value, role.value, self.board.facts)
            asker = (self.board.candidate.name if Role.CANDIDATE.label in self.asked_by.split(", ")
                     else f"the {self.asked_by.lower().replace(', ', ' or the ')}" if self.asked_by else "the program")
            note = (f"Not asked yet: first {', '.join(first)}" if first
                    else "Not asked yet: ask for the sign-offs (your next steps)" if self.may_ask
                    else f"Not asked yet: {asker} asks for the sign-offs")
            self.waiting.append(Waiting(reason, role.label, (), None, due, note=note + "."))
        elif role in self.board.roles and not self.is_candidate and task.claimed_by_id in (None, self.viewer.id):
            self.mine.append(NextStep(f"Give your sign-off: {reason}", reason, "inbox", "", due))
        else:
            self._wait(role, reason, task.due_on or due, task.created_at, (claimer,) if claimer else None)

    def _fact(self, rule: Rule, reason: str, due: date | None) -> bool:
        """A recordable fact: the viewer enters it if they own it (or may claim it); else its owner."""
        fact = next((key.value for key in (rule.key_date, rule.count, rule.flag) if key is not None
                     and key.value in BY_NAME), None)
        if fact is None:
            return False
        spec = BY_NAME[fact]
        # A fact the candidate knows is theirs to enter first; its owner confirms it (turns.py agrees).
        claimable = spec.claimable and rule.status(self.board.facts) is not RuleStatus.AWAITING_CONFIRMATION
        if self.board.roles & spec.owners or (claimable and self.is_candidate):
            self.mine.append(NextStep(turns.fact_words(spec), reason, "fact", fact, due))
        else:
            self._wait(Role.CANDIDATE if claimable else min(spec.owners, key=lambda r: r.value), reason, due)
        return True

    def _total(self, rule: Rule, reason: str, due: date | None) -> bool:
        """A total the candidate raises by logging: their next step, with how far they are."""
        if rule.count is None or not self.is_candidate:
            return False
        page = counted_on(self.board.enrollment.pathway, rule.count)
        title = {"meetings": "Record a review meeting", "self_assessments": "Rate yourself on the standards"}.get(
            page, "Log your hours")
        have_need = rule.progress(self.board.facts)
        detail = (f"{figure(have_need[0])} of {figure(have_need[1])} {count_unit(rule.count, have_need[1])} so far."
                  if have_need else reason)
        self.mine.append(NextStep(title, detail, page, "", due))
        return True


def people_by_role(team: list[tuple[Membership, str]]) -> dict[Role, list[str]]:
    """Who holds each role for this enrolment (on it, on its program, or in its organisation), by name."""
    people: dict[Role, list[str]] = {}
    for membership, name in team:
        try:
            people.setdefault(Role(membership.role), [])
        except ValueError:
            continue
        if name not in people[Role(membership.role)]:
            people[Role(membership.role)].append(name)
    return people


def names_of(people: dict[Role, list[str]], labels: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for role, names in people.items():
        if role.label in labels and role is not Role.CANDIDATE:
            found.extend(n for n in names if n not in found)
    return tuple(found[:3])


def plan_for(pathway: str, kind: EvidenceKind) -> str | None:
    """The plan kind a document is filed from ("ilp"), when the pathway keeps that plan."""
    for plan, evidence_kind in EVIDENCE_KIND.items():
        if evidence_kind is kind and plan in plan_kinds(pathway):
            return plan.value
    return None
