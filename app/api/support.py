"""Support records over the API: list and record (the Support page's service and policy)."""

from __future__ import annotations

from app import outbox, policy
from app.api import support_schemas as schemas
from app.api.blueprint import operation
from app.api.enrollments import visible
from app.confidentiality import Content
from app.db import get_session
from app.models import Enrollment, SupportRecord, User
from app.services import NotFound
from app.services.evidence import support as support_service
from app.services.progress import dashboard as dashboard_service


def _out(enrollment: Enrollment, row: SupportRecord) -> schemas.SupportOut:
    return schemas.SupportOut(
        id=row.id, kind=row.kind, kind_label=support_service.kind_label(enrollment, row.kind),  # type: ignore[arg-type]
        occurred_on=row.occurred_on, program_year=row.program_year, author_id=row.author_id,
        author_role=row.author_role, colleague=row.colleague, standard=row.standard, minutes=row.minutes,
        topic=row.topic, ratings=row.ratings, goal=row.goal, text=row.text, created_at=row.created_at)


@operation("GET", "/enrollments/<int:enrollment_id>/support", summary="Support records", tag="support",
           query=schemas.SupportQuery, response=schemas.SupportList)
def list_support(user: User, enrollment_id: int, query: schemas.SupportQuery) -> schemas.SupportList:
    """Observations, just-in-time contacts, assessments on the standards, goal reflections and feedback to the
    mentor that the caller may read, newest first; 404 to whoever reads none (evaluators never do)."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    roles = policy.roles_on(session, user, enrollment)
    kinds = support_service.readable(roles, enrollment)
    if not kinds:
        raise NotFound("There is no such enrolment.")
    if query.kind is not None:
        kinds = [kind for kind in kinds if kind == Content(query.kind)]
    found = support_service.history(session, enrollment, kinds)
    rows = sorted((row for rows in found.values() for row in rows), key=lambda r: (r.occurred_on, r.id), reverse=True)
    return schemas.SupportList(items=[_out(enrollment, row) for row in rows],
                               may_record=[kind.value for kind in support_service.writable(roles, enrollment)])


@operation("POST", "/enrollments/<int:enrollment_id>/support", summary="Record support", tag="support",
           body=schemas.SupportCreate, response=schemas.SupportOut, status=201, errors=(422,))
def record_support(user: User, enrollment_id: int, body: schemas.SupportCreate) -> schemas.SupportOut:
    """Record one support record, as the Support page does: each kind by the roles the pathway names (feedback to
    the mentor by the program director, just-in-time contacts by the mentor...); dated inside the enrolment and not
    after today, except an observation scheduled ahead."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    roles = policy.roles_on(session, user, enrollment)
    entry = support_service.Entry(kind=body.kind, occurred_on=body.occurred_on, text=body.text,
                                  colleague=body.colleague, standard=body.standard, minutes=body.minutes,
                                  topic=body.topic, ratings=body.ratings, goal=body.goal)
    row = support_service.record(session, enrollment, user, roles, entry,
                                 dashboard_service.today_for(session, enrollment))
    outbox.commit(session)
    return _out(enrollment, row)
