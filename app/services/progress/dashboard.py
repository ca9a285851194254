"""What a person sees on an enrolment: where it stands, what is missing, by when, who clears it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, Evidence, Membership, Program, User
from app.services.enrollments import case_file, words
from app.services.enrollments.fact_registry import BY_NAME
from app.services.enrollments.facts import build_facts
from app.services.signoffs import queueing
from workflows import engine
from workflows.deadlines import Deadline, days_left, deadlines
from workflows.facts import EvidenceKind, Facts
from workflows.roles import Role
from workflows.rules import Rule
from workflows.support import KINDS
from workflows.vocabulary import about_the_candidate


@dataclass(frozen=True)
class MissingItem:
    """One thing standing between the candidate and a step."""

    reason: str
    clears: str  # the role's label
    due: date | None
    evidence_kind: str | None  # offer an upload when the candidate can clear it
    fact: str | None = None  # a recorded fact (key date, number, yes/no): link to the facts page
    rule: Rule | None = None  # the rule itself, so the home page can tell who acts on it


@dataclass(frozen=True)
class StepOption:
    """A step out of the current state: a button for who may ask, or what is missing."""

    event: str
    label: str
    target_label: str
    enabled: bool
    mine: bool  # whether this person may ask for it
    asked_by: str
    missing: tuple[MissingItem, ...]


@dataclass(frozen=True)
class Activity:
    """A line of recent activity."""

    when: datetime
    who: str
    what: str


@dataclass(frozen=True)
class Dashboard:
    """Everything the enrolment page shows."""

    enrollment: Enrollment
    program: Program
    candidate: User
    roles: frozenset[Role]
    facts: Facts
    states: list[engine.StateInfo]
    current: engine.StateInfo
    groups: list[engine.RequirementGroup]
    steps: list[StepOption]
    deadlines: list[tuple[Deadline, int]]  # with days left
    headline: tuple[Deadline, int] | None  # the deadline that matters most
    evidence: dict[str, list[Evidence]]  # kind -> versions, newest first
    activity: list[Activity]
    # The rules' messages speak to the candidate; anyone else reads them said about the candidate.
    said: Callable[[str], str] = str

    @property
    def progress(self) -> tuple[int, int]:
        """Requirements met, of all requirements."""
        return sum(g.met for g in self.groups), sum(g.total for g in self.groups)


def build(session: Session, enrollment: Enrollment, viewer: User, now: datetime | None = None) -> Dashboard:
    """Assemble the enrolment page for `viewer`."""
    facts = build_facts(session, enrollment, now)
    file = case_file.of(session, enrollment)
    # Every date on the enrolment's pages is on its organisation's calendar, like its deadlines.
    words.use_zone(file.organisation.timezone if file.organisation else None)
    candidate = session.get(User, enrollment.candidate_id)
    roles = policy.roles_on(session, viewer, enrollment)
    version = enrollment.pathway_version
    states = engine.states(enrollment.pathway, version)
    current = next(s for s in states if s.value == enrollment.state)
    labels = {s.value: s.label for s in states}
    dated = deadlines(facts, version, enrollment.state)
    due_by_rule = {d.rule_key: d.due for d in dated if not d.met}

    said = str if viewer.id == enrollment.candidate_id else about_the_candidate
    steps = []
    for option in engine.events_from(enrollment.pathway, version, enrollment.state, facts):
        if option.automatic:
            continue
        steps.append(StepOption(
            event=option.event, label=option.label, target_label=labels.get(option.target, option.target),
            enabled=option.enabled, mine=policy.can_request_event(roles, option.by),
            asked_by=", ".join(sorted(r.label for r in option.by)),
            missing=tuple(MissingItem(reason=said(_with_prerequisites(enrollment, rule, reason, facts)),
                                      clears=rule.clears.label, due=due_by_rule.get(rule.key),
                                      evidence_kind=rule.evidence_kind.value if rule.evidence_kind else None,
                                      fact=_recorded_fact(rule), rule=rule)
                          for rule, reason in zip(option.unmet, option.reasons))))

    open_deadlines = [(d, days_left(d, facts.today)) for d in dated if not d.met]
    return Dashboard(
        enrollment=enrollment, program=file.program, candidate=candidate, roles=roles, facts=facts,  # type: ignore[arg-type]
        states=[s for s in states if not s.final or s.success or s.value == enrollment.state],
        current=current, groups=said_to(engine.requirements(enrollment.pathway, version, facts), said), steps=steps,
        deadlines=open_deadlines, headline=open_deadlines[0] if open_deadlines else None,
        evidence=_evidence_history(file.documents),
        activity=_activity(session, enrollment.id, labels,  # type: ignore[arg-type]
                           unread={k.value for k in KINDS if not policy.can_read_support(roles, enrollment.pathway, k)}),
        said=said,
    )


def said_to(groups: list[engine.RequirementGroup], said: Callable[[str], str]) -> list[engine.RequirementGroup]:
    """The checklist with each line's title and explanation passed through `said` (the reader's point of view)."""
    return [engine.RequirementGroup(group.label, tuple(replace(item, title=said(item.title), explanation=said(item.explanation))
                                                       for item in group.items)) for group in groups]


def _evidence_history(documents: list[Evidence]) -> dict[str, list[Evidence]]:
    history: dict[str, list[Evidence]] = {}
    for row in sorted(documents, key=lambda row: (row.kind, -row.version)):
        history.setdefault(row.kind, []).append(row)
    return history


_ACTIONS = {
    "enrollment.created": "enrolled",
    "evidence.submitted": "uploaded {kind}",
    "evidence.verified": "verified {kind}",
    "evidence.sent_back": "sent back {kind}",
    "signoff.given": "signed off as {role}",
    "signoff.withdrawn": "withdrew a sign-off: the document it saw changed",
    "enrollment.facts_recorded": "recorded dates and details",
    "enrollment.flag_set": "recorded a yes/no fact",
    "enrollment.goal_changed": "updated the credential goal",
    "fact.confirmed": "confirmed a date or detail",
    "task.queued": "asked for a sign-off",
    "task.requeued": "asked for a sign-off again",
    "task.approved": "approved a sign-off",
    "task.sent_back": "sent a sign-off back",
    "step.asked": "asked for a step",
    "log.added": "added a log entry",
    "log.signed": "signed a log entry",
    "plan.saved": "saved a plan",
    "plan.submitted": "shared a plan",
    "self_assessment.recorded": "recorded a self-assessment",
    "support_record.recorded": "recorded support (on the Support page)",
    "support.assigned": "assigned the {role}",
    "support.revoked": "took the {role} off the support team",
    "team.invited": "invited someone to the team",
    "team.invitation_accepted": "joined the team",
    "team.invitation_resent": "sent an invitation again",
    "team.invitation_withdrawn": "withdrew an invitation",
    "team.member_removed": "removed someone from the team",
    "record.exported": "exported the record",
    "recommendation.submitted": "recommended the candidate to the CTC",
    "recommendation.purged": "closed the recommendation: it lapsed after 90 days",
    "calendar_feed.rotated": "made a new calendar link",
    "calendar_feed.revoked": "stopped a calendar link",
    "panel.created": "set up the exit interview panel",
    "panel.voted": "voted on the exit interview",
    "panel.decided": "cast the vote that decided the exit interview",
    "reminder.sent_by_director": "sent a reminder",
    "role.proposed": "proposed a role",
    "role.confirmed": "confirmed a role",
}


def _label_or(enum: type[EvidenceKind | Role], value: object, fallback: str) -> str:
    """The words of an enum value recorded in an audit row, inside a sentence, or `fallback` for anything else."""
    try:
        return enum(value).in_sentence  # type: ignore[arg-type]
    except ValueError:
        return fallback


def _activity(session: Session, enrollment_id: int, labels: dict[str, str], limit: int = 12,
              unread: frozenset[str] | set[str] = frozenset()) -> list[Activity]:
    """The latest changes; a support record of a kind in `unread` (the viewer may not read it) is left out."""
    rows = session.exec(select(AuditEvent, User).join(User, AuditEvent.actor_id == User.id, isouter=True)  # type: ignore[arg-type]
                        .where(AuditEvent.enrollment_id == enrollment_id)
                        .order_by(AuditEvent.id.desc()).limit(limit)).all()  # type: ignore[union-attr]
    lines = []
    for audit, actor in rows:
        if audit.action == "support_record.recorded" and audit.details.get("kind") in unread:
            continue
        if audit.action == "enrollment.transition":
            what = f"moved to “{labels.get(audit.to_state or '', audit.to_state)}”"
        else:
            what = _ACTIONS.get(audit.action, "made a change").format(
                kind=_label_or(EvidenceKind, audit.details.get("kind"), "a document"),
                role=_label_or(Role, audit.details.get("role"), "supporter"))
        lines.append(Activity(when=audit.occurred_at, who=actor.name if actor else "The system", what=what))
    return lines


def uploadable_kinds(dashboard: Dashboard) -> list[EvidenceKind]:
    """The kinds of evidence this pathway's rules ask for, in checklist order, then any the next steps
    still miss that no checklist group lists (the Early Completion application)."""
    seen: list[EvidenceKind] = []
    for group in dashboard.groups:
        for item in group.items:
            kind = item.rule.evidence_kind
            if kind is not None and kind not in seen:
                seen.append(kind)
    for step in dashboard.steps:
        for missing in step.missing:
            if missing.evidence_kind and EvidenceKind(missing.evidence_kind) not in seen:
                seen.append(EvidenceKind(missing.evidence_kind))
    return seen


@dataclass(frozen=True)
class EnrollmentLine:
    """An enrolment on someone's home page."""

    enrollment: Enrollment
    program: Program
    candidate: User
    state_label: str


def enrollments_for(session: Session, user: User) -> tuple[list[EnrollmentLine], list[EnrollmentLine]]:
    """(their own enrolments, the enrolments they support through a role), for the home page."""
    query = (select(Enrollment, Program, User).join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
             .join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
             .where(or_(Enrollment.candidate_id == user.id, within_reach(session, user)))
             .order_by(User.name))
    own, supported = [], []
    for enrollment, program, candidate in session.exec(query).all():
        labels = {s.value: s.label for s in engine.states(enrollment.pathway, enrollment.pathway_version)}
        line = EnrollmentLine(enrollment, program, candidate, labels.get(enrollment.state, enrollment.state))
        (own if enrollment.candidate_id == user.id else supported).append(line)
    return own, supported


def within_reach(session: Session, user: User) -> Any:
    """A WHERE clause for the enrolments `user` holds a role on (joined with Program), never their own.

    The scopes are those of policy.roles_on: the enrolment, its program, or its organisation.
    """
    scopes = policy.memberships_of(session, user)
    enrollment_ids = {m.enrollment_id for m in scopes if m.enrollment_id}
    program_ids = {m.program_id for m in scopes if m.program_id and not m.enrollment_id}
    organisation_ids = {m.organisation_id for m in scopes if m.organisation_id and not m.program_id and not m.enrollment_id}
    return (Enrollment.candidate_id != user.id) & or_(
        Enrollment.id.in_(enrollment_ids or {0}), Enrollment.program_id.in_(program_ids or {0}),  # type: ignore[union-attr,attr-defined]
        Program.organisation_id.in_(organisation_ids or {0}))  # type: ignore[attr-defined]


def today_for(session: Session, enrollment: Enrollment, now: datetime | None = None) -> date:
    """Today's date where the enrolment's organisation is."""
    return build_facts(session, enrollment, now).today


def signers_for(session: Session, enrollment: Enrollment) -> list[tuple[User, Role]]:
    """People who may sign this enrolment's logs: its mentors, coaches and intern-program support."""
    wanted = {Role.MENTOR, Role.COACH, Role.PREP_PROGRAM_SUPPORT_PROVIDER}
    rows = session.exec(select(User, Membership.role).join(Membership, Membership.user_id == User.id)  # type: ignore[arg-type]
                        .where(Membership.revoked_at.is_(None),  # type: ignore[union-attr]
                               or_(Membership.enrollment_id == enrollment.id,
                                   Membership.program_id == enrollment.program_id))).all()
    seen: dict[tuple[int, str], tuple[User, Role]] = {}
    for user, role in rows:
        if Role(role) in wanted and user.id != enrollment.candidate_id:
            seen[(user.id, role)] = (user, Role(role))  # type: ignore[index]
    return sorted(seen.values(), key=lambda pair: (pair[1].value, pair[0].name))


def _recorded_fact(rule: Rule) -> str | None:
    """The recordable fact a rule reads, if a person records it on the facts page."""
    for key in (rule.key_date, rule.count, rule.flag, rule.waiver):
        if key is not None and key.value in BY_NAME:
            return key.value
    return None


def _with_prerequisites(enrollment: Enrollment, rule: Rule, reason: str, facts: Facts) -> str:
    """A sign-off that cannot be asked for yet says what it waits for ("waiting for X before Y")."""
    if rule.signoff is None:
        return reason
    waiting = queueing.waiting_for(enrollment, rule.signoff[0].value, rule.signoff[1].value, facts)
    return f"{reason} Waiting for {' and '.join(waiting)} first." if waiting else reason
