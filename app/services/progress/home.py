"""The enrolment's home, seen by one person: their next steps, what waits on others, how far along it is.

The dashboard (dashboard.py) knows every step and what each lacks; this sorts those lines by who acts.
A line is a *next step* only when the viewer can do it here (upload, write a plan, enter a date, log
hours, ask for a step or a sign-off), each with the form it opens; everything else is *waiting on
others*, naming the role and the people who hold it, since when and by when. Steps off the main route
(withdrawing, the Early Completion Option, a transfer) are kept apart for the "More actions" menu.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from app import policy
from app.models import Enrollment, Evidence, Membership, SignOffTask, User
from app.services.enrollments import case_file
from app.services.enrollments.fact_registry import BY_NAME
from app.services.enrollments.words import count_unit, figure, local_day
from app.services.evidence.plans import EVIDENCE_KIND
from app.services.evidence.plans import kinds as plan_kinds
from app.services.progress import late
from app.services.progress.dashboard import Dashboard, StepOption
from app.services.signoffs import queueing
from workflows import engine
from workflows.facts import EvidenceKind
from workflows.keys import CommonCount, CommonEvidence
from workflows.pathway_map import PathwayMap, pathway_map
from workflows.registry import definition, plugin
from workflows.roles import Role
from workflows.rules import Rule, RuleStatus


def _filed_by_others(pathway: str) -> frozenset[str]:
    """Documents someone else files: the candidate has nothing to upload for them, only to wait."""
    return plugin(pathway).filed_by_others


def _done_elsewhere(pathway: str) -> frozenset[str]:
    """Documents a person records after the candidate did something outside the app (attend,
    present, pay): the pathway's own, and on every pathway the credential the CTC issued."""
    return plugin(pathway).done_elsewhere | {CommonEvidence.ISSUED_CREDENTIAL}


def _counted_on(pathway: str, count: str) -> str:
    """The page on which the candidate raises a total: the pathway's own pages, the self-assessments
    page, else the log book."""
    pages = {CommonCount.SELF_ASSESSMENTS: "self_assessments", **plugin(pathway).counted_on}
    return pages.get(count, "logs")


# The words a step's button says to the candidate, where the machine's name is worded for staff.
CANDIDATE_WORDS = {
    "recommendation_returned": "Tell the program you returned the recommendation",
    "withdraw": "Withdraw from the program",
}
STAFF_WORDS = {"recommendation_returned": "Record that the candidate returned the recommendation"}


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


@dataclass(frozen=True)
class Waiting:
    """Something another person does before the candidate can move on."""

    what: str
    role: str  # "Credential analyst"
    names: tuple[str, ...]
    since: date | None
    due: date | None
    source: str = ""  # the rule's source, in words


@dataclass(frozen=True)
class Home:
    """The enrolment's home for one viewer."""

    next_steps: list[NextStep]
    waiting: list[Waiting]
    more: list[tuple[StepOption, str]]  # side steps the viewer may take, with the button's words
    step_number: int  # where the current state sits on the main route, from 1
    step_count: int
    map: PathwayMap
    reached: dict[str, datetime]  # state -> when the enrolment (last) reached it
    taken: list[str]  # the states visited, in order
    eco: engine.RequirementGroup | None  # the Early Completion Option's checklist, when it applies
    signoff_titles: dict[tuple[str, str], str]  # (sign-off key, role) -> what it is, in words
    button_words: dict[str, str]  # event -> its button's words for this viewer
    at_rest: str  # what to say when no step can be taken from here
    deadline_rules: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (its rule, source)
    overdue: list[late.Overdue] = field(default_factory=list)  # deadlines passed: what is late and why


def build(session: Session, board: Dashboard, viewer: User) -> Home:
    """Sort the dashboard's lines by who acts, for `viewer`."""
    enrollment = board.enrollment
    shape = pathway_map(enrollment.pathway, enrollment.pathway_version)
    forward = shape.forward(enrollment.state)
    main_event = forward[0].event if forward else None
    is_candidate = enrollment.candidate_id == viewer.id
    file = case_file.of(session, enrollment)
    people = _people_by_role(file.team)
    taken, reached = _history(enrollment, file.moves)
    since_here = reached.get(enrollment.state)
    tasks = {(asked.task.key, asked.task.role): (asked.task, asked.claimed_by) for asked in reversed(file.requests)
             if asked.task.status == queueing.OPEN}
    uploaded = {kind: versions[0] for kind, versions in board.evidence.items()}

    sorter = _Sorter(board, viewer, is_candidate, people, tasks, uploaded, since_here)
    mine, waiting = sorter.mine, sorter.waiting
    more: list[tuple[StepOption, str]] = []
    for step in board.steps:
        if step.event != main_event:
            if step.mine:
                more.append((step, _button_words(step, is_candidate)))
            continue
        if step.enabled and step.mine:
            mine.append(NextStep(_button_words(step, is_candidate), f"Everything this step needs is in place: "
                                 f"it takes you to “{step.target_label}”.", "step", step.event))
        elif step.enabled:
            waiting.append(Waiting(f"Take the step “{step.label}”: everything it needs is in place.",
                                   step.asked_by, _names(people, _labels(step.asked_by)), local_day(since_here), None))
        for item in step.missing:
            sorter.line(item.rule, item.reason, item.due)
    if is_candidate and not mine and enrollment.state in plugin(enrollment.pathway).logging_states:
        # Nothing blocks her, yet the year runs on her log: keeping it is always her next step.
        mine.append(NextStep("Log a meeting or hours", "Each entry counts once the person you name signs it.", "logs"))
    for event, label, _wanted in queueing.askable(session, enrollment, viewer, board.facts):
        # The sign-offs are named under "Waiting on others"; here only what the button does.
        mine.append(NextStep(f"Ask for the sign-offs for {label}", "Nobody has been asked for them yet.",
                             "ask_signoffs", event))
    if is_candidate and board.steps:  # an ended enrolment (issued, expired, withdrawn) asks for nothing more
        mine.extend(_ahead(board, mine))
    position = _position(shape, enrollment.state)
    return Home(next_steps=_unique(mine), waiting=waiting, more=more, step_number=position,
                step_count=len(shape.spine), map=shape, reached=reached, taken=taken,
                eco=_side_track_group(enrollment, board, taken), signoff_titles=_signoff_titles(board),
                button_words={step.event: _button_words(step, is_candidate) for step in board.steps},
                at_rest=_at_rest(shape, enrollment.state), **late.deadline_rules(board))


def _at_rest(shape: PathwayMap, state: str) -> str:
    """Why there is no step to take: the credential came, the pathway ended another way, or it waits on others."""
    if state == shape.spine[-1]:
        return "The credential is issued: this pathway is complete."
    if state in shape.exits:
        return f"This pathway has ended ({shape.labels[state]}). The program director can say what comes next."
    return "No step to take here for now: what is left is in other people's hands."


AHEAD = 3  # documents offered for later steps: enough to get ahead, few enough for the first screen


def _ahead(board: Dashboard, already: list[NextStep]) -> list[NextStep]:
    """Documents the candidate can already file for later requirements (the checklist's order)."""
    if not policy.can_upload_evidence(board.roles):
        return []
    offered = {step.target for step in already}
    found = []
    for group in board.groups:
        for item in group.items:
            kind = item.rule.evidence_kind
            pathway = board.enrollment.pathway
            if (kind is None or kind in _filed_by_others(pathway) or kind in _done_elsewhere(pathway) or kind.value in offered
                    or item.status not in (RuleStatus.MISSING, RuleStatus.SENT_BACK)):
                continue
            plan = _plan_for(board.enrollment.pathway, kind)
            offered.add(kind.value)
            found.append(NextStep(f"Write and share your {kind.label}" if plan else f"Upload your {kind.label}",
                                  item.explanation if item.status is RuleStatus.SENT_BACK else f"Needed later ({group.label}).",
                                  "plan" if plan else "upload",
                                  plan or kind.value))
    return found[:AHEAD]


def _labels(asked_by: str) -> list[str]:
    """The role labels of a step's askers ("Credential analyst, Program director" -> each label)."""
    return [label.strip() for label in asked_by.split(",") if label.strip()]


@dataclass
class _Sorter:
    """Puts each missing line among the viewer's next steps (`mine`) or among what waits on others."""

    board: Dashboard
    viewer: User
    is_candidate: bool
    people: dict[Role, list[str]]
    tasks: dict[tuple[str, str], tuple[SignOffTask, str | None]]
    uploaded: dict[str, Evidence]
    since_here: datetime | None
    mine: list[NextStep] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)

    def line(self, rule: Rule | None, reason: str, due: date | None) -> None:
        """Sort one line by what its rule reads (a document, a sign-off, a fact, a total), citing its source."""
        late.cited(rule, self.mine, self.waiting, lambda: self._sort(rule, reason, due))

    def _sort(self, rule: Rule | None, reason: str, due: date | None) -> None:
        if rule is None:
            self.waiting.append(Waiting(reason, "", (), local_day(self.since_here), due))
        elif rule.evidence_kind is not None:
            self._document(rule, reason, due)
        elif rule.signoff is not None:
            self._signoff(rule, reason, due)
        elif not self._fact(rule, reason, due) and not self._total(rule, reason, due):
            self._wait(rule.clears, reason, due)

    def _wait(self, who: Role, what: str, by: date | None, since: datetime | date | None = None,
              named: tuple[str, ...] | None = None) -> None:
        """`who` is the one to act: named by the people holding that role for this candidate."""
        if who is Role.CANDIDATE:
            named = (self.board.candidate.name,)
        self.waiting.append(Waiting(what, who.label, named if named is not None else _names(self.people, [who.label]),
                                    local_day(since or self.since_here), by))

    def _document(self, rule: Rule, reason: str, due: date | None) -> None:
        kind, clears, status = rule.evidence_kind, rule.clears, rule.status(self.board.facts)
        assert kind is not None
        pathway, roles = self.board.enrollment.pathway, self.board.roles
        elsewhere = kind in _done_elsewhere(pathway)
        others_file = elsewhere or kind in _filed_by_others(pathway)
        if status is RuleStatus.AWAITING_VERIFICATION:
            self._verification(kind, clears, reason, due)
        elif status is RuleStatus.AWAITING_CONFIRMATION:
            self._wait(clears, reason, due)
        elif self.is_candidate and elsewhere:
            self.mine.append(NextStep(reason.split(";")[0].rstrip(".") + ".", reason, "elsewhere", kind.value, due))
        elif self.is_candidate and not others_file and policy.can_upload_evidence(roles):
            # The title says what to do; only a reason it was sent back is worth a second line.
            detail = reason if status is RuleStatus.SENT_BACK else ""
            plan = _plan_for(pathway, kind)
            self.mine.append(NextStep(f"Write and share your {kind.label}", detail, "plan", plan, due) if plan
                             else NextStep(f"Upload your {kind.label}", detail, "upload", kind.value, due))
        elif not self.is_candidate and others_file and clears in roles and policy.can_upload_evidence(roles):
            self.mine.append(NextStep(f"Upload the {kind.label}", reason, "upload", kind.value, due))
        else:
            self._wait(clears if others_file else Role.CANDIDATE, reason, due)

    def _verification(self, kind: Any, clears: Role, reason: str, due: date | None) -> None:
        """An uploaded document: the viewer checks it if theirs to verify (never their own upload)."""
        row = self.uploaded.get(kind.value)
        if (policy.can_verify_evidence(self.board.roles, kind.value, clears)
                and (row is None or policy.can_decide_own_upload(self.viewer, row.uploaded_by_id))):
            self.mine.append(NextStep(f"Check the {kind.label}", reason, "verify", kind.value, due))
        else:
            self._wait(clears, f"Verify your {kind.label}." if self.is_candidate else f"Verify the {kind.label}.",
                       due, row.uploaded_at if row else None)

    def _signoff(self, rule: Rule, reason: str, due: date | None) -> None:
        assert rule.signoff is not None
        key, role = rule.signoff
        task, claimer = self.tasks.get((key.value, role.value), (None, None))
        if role in self.board.roles:
            self.mine.append(NextStep(f"Give your sign-off: {reason}", reason, "inbox", "", due))
        elif task is not None:
            self._wait(role, reason, task.due_on or due, task.created_at, (claimer,) if claimer else None)
        else:
            self._wait(role, reason, due)

    def _fact(self, rule: Rule, reason: str, due: date | None) -> bool:
        """A recordable fact: the viewer enters it if they own it (or may claim it); else its owner."""
        fact = next((key.value for key in (rule.key_date, rule.count, rule.flag) if key is not None
                     and key.value in BY_NAME), None)
        if fact is None:
            return False
        spec = BY_NAME[fact]
        claimable = (self.is_candidate and spec.claimable
                     and rule.status(self.board.facts) is not RuleStatus.AWAITING_CONFIRMATION)
        if self.board.roles & spec.owners or claimable:
            label = spec.label if spec.label[:2].isupper() else spec.label[:1].lower() + spec.label[1:]
            self.mine.append(NextStep(f"Enter the {label}", reason, "fact", fact, due))
        else:
            self._wait(min(spec.owners, key=lambda r: r.value), reason, due)
        return True

    def _total(self, rule: Rule, reason: str, due: date | None) -> bool:
        """A total the candidate raises by logging: their next step, with how far they are."""
        if rule.count is None or not self.is_candidate:
            return False
        page = _counted_on(self.board.enrollment.pathway, rule.count)
        title = {"meetings": "Record a review meeting", "self_assessments": "Rate yourself on the standards"}.get(
            page, "Log your hours")
        have_need = rule.progress(self.board.facts)
        detail = (f"{figure(have_need[0])} of {figure(have_need[1])} {count_unit(rule.count)} so far."
                  if have_need else reason)
        self.mine.append(NextStep(title, detail, page, "", due))
        return True


def _people_by_role(team: list[tuple[Membership, str]]) -> dict[Role, list[str]]:
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


def _names(people: dict[Role, list[str]], labels: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for role, names in people.items():
        if role.label in labels and role is not Role.CANDIDATE:
            found.extend(n for n in names if n not in found)
    return tuple(found[:3])


def _history(enrollment: Enrollment, moves: list[Any]) -> tuple[list[str], dict[str, datetime]]:
    """The states the enrolment went through, in order, and when it last reached each."""
    taken: list[str] = []
    reached: dict[str, datetime] = {}
    first = engine.initial_state(enrollment.pathway, enrollment.pathway_version)
    for row in moves:
        state = first if row.action == "enrollment.created" else (row.to_state or "")
        if row.action == "enrollment.created" and row.to_state:
            state = row.to_state
        if not state:
            continue
        taken.append(state)
        reached[state] = row.occurred_at
    if not taken or taken[-1] != enrollment.state:
        taken.append(enrollment.state)
        reached.setdefault(enrollment.state, enrollment.created_at)  # type: ignore[arg-type]
    return taken, reached


def _position(shape: PathwayMap, state: str) -> int:
    """Where `state` sits on the main route (a branch counts as the spine state it hangs from)."""
    anchor = shape.branches.get(state, state)
    if anchor in shape.spine:
        return shape.spine.index(anchor) + 1
    return len(shape.spine)


def _side_track_group(enrollment: Enrollment, board: Dashboard, taken: list[str]) -> engine.RequirementGroup | None:
    """The requirements of the pathway's side track (an Early Completion Option), once the candidate
    may apply for it or has taken it."""
    track = plugin(enrollment.pathway).side_track
    if track is None or (enrollment.state not in track.offered_in and not set(taken) & track.taken_in):
        return None
    facts = board.facts
    items = tuple(engine.RequirementItem(rule=rule, title=rule.title(facts), status=rule.status(facts),
                                         explanation=rule.explain(facts), progress=rule.progress(facts))
                  for rule in track.rules if rule.is_applicable(facts))
    return engine.RequirementGroup(track.title, items)


def _signoff_titles(board: Dashboard) -> dict[tuple[str, str], str]:
    """Each sign-off of the pathway in the words of its rule ("Your program director approves IIP 1.")."""
    rules = definition(board.enrollment.pathway, board.enrollment.pathway_version).rules.values()
    return {(rule.signoff[0].value, rule.signoff[1].value): rule.title(board.facts)
            for rule in rules if rule.signoff is not None}


def _plan_for(pathway: str, kind: EvidenceKind) -> str | None:
    """The plan kind a document is filed from ("ilp"), when the pathway keeps that plan."""
    for plan, evidence_kind in EVIDENCE_KIND.items():
        if evidence_kind is kind and plan in plan_kinds(pathway):
            return plan.value
    return None


def _button_words(step: StepOption, is_candidate: bool) -> str:
    words = CANDIDATE_WORDS if is_candidate else STAFF_WORDS
    return words.get(step.event, step.label)


def _unique(steps: list[NextStep]) -> list[NextStep]:
    seen, kept = set(), []
    for step in steps:
        if (step.action, step.target, step.title) not in seen:
            seen.add((step.action, step.target, step.title))
            kept.append(step)
    return kept


