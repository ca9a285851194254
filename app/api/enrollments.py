"""Enrolments over the API: the caller's own and those they hold a role on; one in full; asking for a step."""

from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy import or_
from sqlmodel import Session, func, select

from app import policy
from app.api import schemas
from app.api.blueprint import Invalid, operation
from app.db import get_session
from app.models import Enrollment, Membership, Program, User
from app.services import Blocked, NotFound
from app.services.enrollments import case_file, pathways
from app.services.progress import dashboard as dashboard_service
from app.services.signoffs import queueing
from workflows import engine
from workflows.roles import Role
from workflows.rules import Rule


def visible(session: Session, user: User, enrollment_id: int) -> Enrollment:
    """The enrolment if the caller may open it; 404 otherwise, so nothing about it leaks."""
    enrollment = case_file.read_enrollment(session, enrollment_id)
    if enrollment is None or not policy.can_view_enrollment(session, user, enrollment):
        raise NotFound("There is no such enrolment.")
    return enrollment


def unmet(rule: Rule, message: str) -> dict[str, Any]:
    """A rule the step still needs, as the API shows it."""
    return {"key": rule.key, "message": message, "clears": rule.clears.label, "source": rule.source,
            "evidence_kind": rule.evidence_kind.value if rule.evidence_kind else None,
            "signoff": rule.signoff[0].value if rule.signoff else None}


def _summary(line: dashboard_service.EnrollmentLine, user: User) -> schemas.EnrollmentSummary:
    e = line.enrollment
    return schemas.EnrollmentSummary(id=e.id, candidate_id=e.candidate_id, candidate_name=line.candidate.name,  # type: ignore[arg-type]
                                     program_id=e.program_id, program_name=line.program.name, pathway=e.pathway,
                                     state=e.state, state_label=line.state_label, version=e.version_id,
                                     mine=e.candidate_id == user.id)


@operation("GET", "/me", summary="The token's owner and their roles", tag="me", response=schemas.Me)
def me(user: User) -> schemas.Me:
    """Who the token acts as, and every role they hold (service-wide, organisation, program, enrolment)."""
    rows = get_session().exec(select(Membership).where(Membership.user_id == user.id,
                                                       Membership.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    grants = [schemas.RoleGrant(role=m.role, label=Role(m.role).label, organisation_id=m.organisation_id,
                                program_id=m.program_id, enrollment_id=m.enrollment_id) for m in rows]
    return schemas.Me(id=user.id, email=user.email, name=user.name, roles=grants,  # type: ignore[arg-type]
                      token_expires_at=g.api_token.expires_at)


@operation("GET", "/enrollments", summary="Enrolments I may see", tag="enrollments",
           query=schemas.EnrollmentFilter, response=schemas.EnrollmentPage)
def list_enrollments(user: User, query: schemas.EnrollmentFilter) -> schemas.EnrollmentPage:
    """The caller's own enrolments and those they hold a role on (as on the home page), filtered and paged in
    the database, oldest first (by id, so pages are stable)."""
    session = get_session()
    mine = Enrollment.candidate_id == user.id
    reach = dashboard_service.within_reach(session, user)
    who = mine if query.mine else reach if query.mine is False else or_(mine, reach)
    statement = (select(Enrollment, Program, User).join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
                 .join(User, Enrollment.candidate_id == User.id).where(who))  # type: ignore[arg-type]
    if query.pathway is not None:
        statement = statement.where(Enrollment.pathway == query.pathway)
    if query.program_id is not None:
        statement = statement.where(Enrollment.program_id == query.program_id)
    if query.state is not None:
        statement = statement.where(Enrollment.state == query.state)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(statement.order_by(Enrollment.id).offset((query.page - 1) * query.limit)  # type: ignore[arg-type]
                        .limit(query.limit)).all()
    items = []
    for enrollment, program, candidate in rows:
        labels = {s.value: s.label for s in engine.states(enrollment.pathway, enrollment.pathway_version)}
        line = dashboard_service.EnrollmentLine(enrollment, program, candidate,
                                                labels.get(enrollment.state, enrollment.state))
        items.append(_summary(line, user))
    return schemas.EnrollmentPage(items=items, page=schemas.PageInfo(page=query.page, limit=query.limit, total=total))


@operation("GET", "/enrollments/<int:enrollment_id>", summary="One enrolment in full", tag="enrollments",
           response=schemas.EnrollmentDetail)
def get_enrollment(user: User, enrollment_id: int) -> schemas.EnrollmentDetail:
    """State, every requirement with its status, open deadlines, and each step out of here: enabled, or
    blocked with the unmet rules (message, who clears it, the rule's source)."""
    session = get_session()
    board = dashboard_service.build(session, visible(session, user, enrollment_id), user)
    e = board.enrollment
    labels = {s.value: s.label for s in board.states}
    events = [schemas.EventOut(event=o.event, label=o.label, target=o.target, target_label=labels.get(o.target, o.target),
                               enabled=o.enabled, may_ask=policy.can_request_event(board.roles, o.by),
                               asked_by=sorted(r.label for r in o.by),
                               unmet=[schemas.UnmetRule(**unmet(r, m)) for r, m in zip(o.unmet, o.reasons)],
                               closes=pathways.closes(e, o.event))
              for o in engine.events_from(e.pathway, e.pathway_version, e.state, board.facts) if not o.automatic]
    requirements = [schemas.Requirement(key=i.rule.key, group=g.label, title=i.title, status=i.status.value,
                                        explanation=i.explanation, clears=i.rule.clears.label, source=i.rule.source,
                                        progress=list(i.progress) if i.progress else None)
                    for g in board.groups for i in g.items]
    deadlines = [schemas.DeadlineOut(key=d.key, label=d.label, due=d.due, days_left=left, source=d.source)
                 for d, left in board.deadlines]
    return schemas.EnrollmentDetail(
        id=e.id, candidate_id=e.candidate_id, candidate_name=board.candidate.name, program_id=e.program_id,  # type: ignore[arg-type]
        program_name=board.program.name, pathway=e.pathway, state=e.state, state_label=board.current.label,
        version=e.version_id, mine=e.candidate_id == user.id, requirements=requirements, deadlines=deadlines,
        events=events)


@operation("POST", "/enrollments/<int:enrollment_id>/events/<event>", summary="Ask for a step", tag="enrollments",
           body=schemas.FireEvent, response=schemas.Fired, errors=(409,))
def fire_event(user: User, enrollment_id: int, event: str, body: schemas.FireEvent) -> schemas.Fired:
    """Take the step when every rule holds; when it waits on sign-offs, their holders are asked (as on the
    page) and the answer is 422 with the unmet rules; 409 when `expected_version` is not the current one."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    closing = pathways.closes(enrollment, event)
    if closing and not body.understood:
        raise Invalid([{"loc": ["body", "understood"], "message": f"{closing} Send `understood: true` to take the step."}])
    try:
        done = queueing.ask_for_step(session, enrollment.id, event, user, expected_version=body.expected_version,  # type: ignore[arg-type]
                                     reason=body.reason)
    except Blocked as blocked:
        if blocked.facts is not None:
            option = next((o for o in engine.events_from(enrollment.pathway, enrollment.pathway_version,
                                                          enrollment.state, blocked.facts) if o.event == event), None)
            blocked.api_unmet = [unmet(r, m) for r, m in zip(option.unmet, option.reasons)] if option else []  # type: ignore[attr-defined]
        raise
    return schemas.Fired(event=done.event, from_state=done.from_state, to_state=done.to_state,
                         version=done.enrollment.version_id, audit_event_id=done.audit_event_id)
