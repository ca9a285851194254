"""The event feed for district systems: audit events on the enrolments the caller may see, cursor-paged.

It carries what happened (state changes, sign-offs and their tasks, documents, logs, recommendations), never
reasons, comments or details: those stay on the pages the confidentiality tables guard. An event about a
filed plan (the ILP, a PIP plan, an IIP) is left out for whoever may not read that plan.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import select

from app import policy
from app.api import schemas
from app.api.blueprint import Invalid, operation
from app.db import get_session
from app.models import AuditEvent, Enrollment, Program, User
from app.services.progress import dashboard as dashboard_service
from app.services.signoffs.inbox import roles_on_many

# What a district system follows; account, team, plan and self-assessment events are not in the feed.
FEED_ACTIONS = ("enrollment.created", "enrollment.transition", "step.asked", "signoff.given", "signoff.withdrawn",
                "task.queued", "task.requeued", "task.approved", "task.sent_back", "task.undone", "task.reopened",
                "evidence.submitted", "evidence.verified", "evidence.sent_back", "log.added", "log.signed",
                "panel.decided", "recommendation.submitted", "recommendation.fitness_answered",
                "recommendation.fee_paid", "recommendation.issued", "recommendation.returned",
                "recommendation.purged")


@operation("GET", "/events", summary="Audit events I may see (cursor-paged)", tag="events", query=schemas.EventQuery,
           response=schemas.AuditFeed)
def events(user: User, query: schemas.EventQuery) -> schemas.AuditFeed:
    """State changes, sign-offs, documents, logs and recommendations on the enrolments the caller may see (their
    own, and those they hold a role on), oldest first. Pass `next_cursor` back as `cursor` while `has_more`; an
    empty page keeps the cursor, to poll with later. A page may hold fewer than `limit` items (events the caller
    may not read are skipped), so follow `has_more`, not the count."""
    session = get_session()
    if query.cursor is not None and not (query.cursor.isdigit() and int(query.cursor) < 2**31):
        raise Invalid([{"loc": ["query", "cursor"], "message": "Pass back the next_cursor of an earlier page."}])
    after = int(query.cursor or 0)
    seen = (select(Enrollment.id).join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
            .where(or_(Enrollment.candidate_id == user.id, dashboard_service.within_reach(session, user))))
    statement = select(AuditEvent).where(AuditEvent.enrollment_id.in_(seen), AuditEvent.id > after,  # type: ignore[union-attr]
                                         AuditEvent.action.in_(FEED_ACTIONS))  # type: ignore[attr-defined]
    if query.enrollment_id is not None:
        statement = statement.where(AuditEvent.enrollment_id == query.enrollment_id)
    if query.action is not None:
        statement = statement.where(AuditEvent.action == query.action)
    rows = session.exec(statement.order_by(AuditEvent.id).limit(query.limit)).all()  # type: ignore[union-attr]
    pairs = session.exec(select(Enrollment, Program).join(Program, Enrollment.program_id == Program.id)  # type: ignore[arg-type]
                         .where(Enrollment.id.in_({a.enrollment_id for a in rows} or {0}))).all()  # type: ignore[union-attr]
    roles = roles_on_many(session, user, list(pairs)) if pairs else {}
    items = [schemas.AuditOut(id=a.id, occurred_at=a.occurred_at, enrollment_id=a.enrollment_id, action=a.action,  # type: ignore[arg-type]
                              actor_id=a.actor_id, event=a.event, from_state=a.from_state, to_state=a.to_state)
             for a in rows if _readable(a, roles.get(a.enrollment_id, frozenset()))]  # type: ignore[arg-type]
    # The cursor is the last event looked at, shown or not, so a skipped one is never looked at again.
    cursor = str(rows[-1].id) if rows else (query.cursor or None)
    return schemas.AuditFeed(items=items, next_cursor=cursor, has_more=len(rows) == query.limit)


def _readable(event: AuditEvent, roles: frozenset) -> bool:
    """Whether the event's document (if it is about one) is one these roles may read."""
    kind = (event.details or {}).get("kind") if event.action.startswith("evidence.") else None
    return kind is None or policy.can_read_evidence(roles, kind)
