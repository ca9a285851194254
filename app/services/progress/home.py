"""The enrolment's home, seen by one person: their next steps, what waits on others, how far along it is.

The dashboard (dashboard.py) knows every step and what each lacks; this sorts those lines by who acts.
A line is a *next step* only when the viewer can do it here (upload, write a plan, enter a date, log
hours, ask for a step or a sign-off), each with the form it opens; everything else is *waiting on
others*, naming the role and the people who hold it, since when and by when. Steps off the main route
(withdrawing, the Early Completion Option, a transfer) are kept apart for the "More actions" menu.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app import policy
from app.models import Enrollment, User
from app.services.enrollments import case_file, pathways
from app.services.enrollments.words import local_day
from app.services.progress import late
from app.services.progress.dashboard import Dashboard, StepOption, said_to
from app.services.progress.lines import (
    NextStep,
    Sorter,
    Waiting,
    done_elsewhere,
    filed_by_others,
    names_of,
    people_by_role,
    plan_for,
)
from app.services.signoffs import queueing
from workflows import engine
from workflows.pathway_map import PathwayMap, pathway_map
from workflows.registry import definition, plugin
from workflows.roles import Role
from workflows.rules import RuleStatus

# The words a step's button says to the candidate, where the machine's name is worded for staff.
CANDIDATE_WORDS = {
    "recommendation_returned": "Tell the program you returned the recommendation",
    "withdraw": "Withdraw from the program",
}
STAFF_WORDS = {"recommendation_returned": "Record that the candidate returned the recommendation"}


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
    people = people_by_role(file.team)
    taken, reached = _history(enrollment, file.moves)
    since_here = reached.get(enrollment.state)
    tasks = {(asked.task.key, asked.task.role): (asked.task, asked.claimed_by) for asked in reversed(file.requests)
             if asked.task.status == queueing.OPEN}
    uploaded = {kind: versions[0] for kind, versions in board.evidence.items()}

    sorter = Sorter(board, viewer, is_candidate, people, tasks, uploaded, since_here, file.team)
    askable = queueing.askable(session, enrollment, viewer, board.facts)
    mine, waiting = sorter.mine, sorter.waiting
    more: list[tuple[StepOption, str]] = []
    for step in board.steps:
        if step.event != main_event:
            if step.mine:
                more.append((step, _button_words(step, is_candidate)))
            continue
        if step.enabled and step.mine:
            mine.append(NextStep(_button_words(step, is_candidate), f"Everything this step needs is in place: "
                                 f"it takes you to “{step.target_label}”.", "step", step.event,
                                 warning=pathways.closes(enrollment, step.event) or ""))
        elif step.enabled:
            # Whoever may take it has it: the candidate on their home, staff in their inbox (turns.py).
            named = ((board.candidate.name,) if Role.CANDIDATE.label in _labels(step.asked_by)
                     else names_of(people, _labels(step.asked_by)))
            waiting.append(Waiting(f"Take the step “{step.label}”: everything it needs is in place.",
                                   step.asked_by, named, local_day(since_here), None))
        sorter.asked_by, sorter.may_ask = step.asked_by, any(event == step.event for event, _l, _w in askable)
        for item in step.missing:
            sorter.line(item.rule, item.reason, item.due)
    if is_candidate and not mine and enrollment.state in plugin(enrollment.pathway).logging_states:
        # Nothing blocks her, yet the year runs on her log: keeping it is always her next step.
        mine.append(NextStep("Log a meeting or hours", "Each entry counts once the person you name signs it.", "logs"))
    for event, label, _wanted in askable:
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
            if (kind is None or kind in filed_by_others(pathway) or kind in done_elsewhere(pathway) or kind.value in offered
                    or item.status not in (RuleStatus.MISSING, RuleStatus.SENT_BACK)):
                continue
            plan = plan_for(board.enrollment.pathway, kind)
            offered.add(kind.value)
            found.append(NextStep(f"Write and share your {kind.label}" if plan else f"Upload your {kind.label}",
                                  item.explanation if item.status is RuleStatus.SENT_BACK else f"Needed later ({group.label}).",
                                  "plan" if plan else "upload",
                                  plan or kind.value))
    return found[:AHEAD]


def _labels(asked_by: str) -> list[str]:
    """The role labels of a step's askers ("Credential analyst, Program director" -> each label)."""
    return [label.strip() for label in asked_by.split(",") if label.strip()]


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
    return said_to([engine.RequirementGroup(track.title, items)], board.said)[0]


def _signoff_titles(board: Dashboard) -> dict[tuple[str, str], str]:
    """Each sign-off of the pathway in the words of its rule ("Your program director approves IIP 1.")."""
    rules = definition(board.enrollment.pathway, board.enrollment.pathway_version).rules.values()
    return {(rule.signoff[0].value, rule.signoff[1].value): board.said(rule.title(board.facts))
            for rule in rules if rule.signoff is not None}


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


