"""What a candidate files, over the API: evidence (upload, list, download) and logs (add, list, sign)."""

from __future__ import annotations

from flask import Response, request, send_file
from sqlmodel import func, select

from app import outbox, policy
from app.api import log_schemas, schemas, work_schemas
from app.api.blueprint import Invalid, operation
from app.api.enrollments import visible
from app.db import get_session
from app.downloads import named
from app.models import Enrollment, Evidence, LogEntry, User
from app.services import Conflict, NotFound, NotPermitted, PathwayError
from app.services.enrollments import case_file
from app.services.enrollments.facts import confirmed_roles
from app.services.evidence import documents, filing, log_batches, reviews
from app.services.evidence import logs as logs_service
from app.services.evidence.uploads import RejectedUpload
from app.services.progress import dashboard as dashboard_service
from app.services.progress import turns
from workflows.facts import EvidenceKind


def _evidence_out(row: Evidence, current_ids: set[int]) -> schemas.EvidenceOut:
    return schemas.EvidenceOut(id=row.id, kind=row.kind, kind_label=EvidenceKind(row.kind).label, version=row.version,  # type: ignore[arg-type]
                               status=row.status, filename=row.original_filename, content_type=row.content_type,
                               size_bytes=row.size_bytes, sha256=row.sha256, uploaded_by_id=row.uploaded_by_id,
                               uploaded_at=row.uploaded_at, current=row.id in current_ids,
                               decision_reason=row.decision_reason)


def _readable(user: User, enrollment: Enrollment) -> frozenset:
    roles = policy.roles_on(get_session(), user, enrollment)
    if not policy.can_read_evidence(roles):
        raise NotFound("There is no such enrolment.")
    return roles


@operation("GET", "/enrollments/<int:enrollment_id>/evidence", summary="Documents on an enrolment", tag="evidence",
           response=schemas.EvidenceList)
def list_evidence(user: User, enrollment_id: int) -> schemas.EvidenceList:
    """Every version of every document the caller may read (a plan filed as a PDF only for its readers)."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    roles = _readable(user, enrollment)
    file = case_file.of(session, enrollment)  # (one read of the documents, for both)
    current_ids = {row.id for row in file.current_documents.values()}
    rows = sorted(file.documents, key=lambda row: (row.kind, -row.version))
    return schemas.EvidenceList(items=[_evidence_out(r, current_ids) for r in rows  # type: ignore[arg-type]
                                       if policy.can_read_evidence(roles, r.kind)])


@operation("POST", "/enrollments/<int:enrollment_id>/evidence", summary="Upload a document", tag="evidence",
           multipart=schemas.EvidenceUpload, response=schemas.EvidenceOut, status=201, errors=(413,))
def upload_evidence(user: User, enrollment_id: int) -> tuple[Response, int] | schemas.EvidenceOut:
    """multipart/form-data with `kind` (the requirement's evidence kind) and `file`; a replacement keeps
    the old version and withdraws the sign-offs that saw it, as on the page."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    kind = request.form.get("kind", "")
    if not policy.can_upload_evidence(policy.roles_on(session, user, enrollment), kind):
        raise NotPermitted(filing.refusal(kind))
    if request.mimetype != "multipart/form-data":
        raise Invalid([{"loc": ["body"], "message": "Send the document as multipart/form-data."}])
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid([{"loc": ["body", "file"], "message": "Attach the file as `file`, with its filename."}])
    try:
        row = filing.submit(session, enrollment, kind, upload.filename, upload.read(), user)
        outbox.commit(session)
    except (RejectedUpload, documents.EvidenceError) as error:
        session.rollback()
        refused = PathwayError(str(error))
        refused.status = getattr(error, "status", 400)  # a file too large stays 413
        raise refused from None
    return _evidence_out(row, {row.id})  # type: ignore[arg-type]


def readable_evidence(user: User, enrollment_id: int, evidence_id: int) -> Evidence:
    """A document of an enrolment `user` sees, if they may read its kind; 404 alike for any other."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    row = session.get(Evidence, evidence_id)
    if row is None or row.enrollment_id != enrollment.id or not policy.can_read_evidence(
            policy.roles_on(session, user, enrollment), row.kind):
        raise NotFound("There is no such document.")
    return row


@operation("GET", "/enrollments/<int:enrollment_id>/evidence/<int:evidence_id>/file", summary="Download a document",
           tag="evidence", binary=True)
def download_evidence(user: User, enrollment_id: int, evidence_id: int) -> Response:
    """The document's bytes, as an attachment, for those allowed to read it."""
    row = readable_evidence(user, enrollment_id, evidence_id)
    response = named(send_file(documents.path_of(row), mimetype="application/octet-stream", as_attachment=True,
                               download_name=row.original_filename, max_age=0), row.original_filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Digest"] = f"sha-256={row.sha256}"
    return response


@operation("POST", "/enrollments/<int:enrollment_id>/evidence/<int:evidence_id>/decision", summary="Verify or send back",
           tag="evidence", body=schemas.EvidenceDecision, response=schemas.EvidenceOut, errors=(409,))
def decide_evidence(user: User, enrollment_id: int, evidence_id: int, body: schemas.EvidenceDecision) -> schemas.EvidenceOut:
    """Verify a document (it then counts, and held-back sign-off tasks are queued) or send it back with a
    reason; by the role the rule names as clearing it, or a credential analyst, never its uploader."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    row = session.get(Evidence, evidence_id)
    roles = policy.roles_on(session, user, enrollment)
    if row is None or row.enrollment_id != enrollment.id or not policy.can_read_evidence(roles, row.kind):
        raise NotFound("There is no such document.")
    if not turns.may_decide(session, enrollment, row, roles):
        raise NotPermitted("Your roles on this enrolment do not include deciding on this document.")
    if row.superseded_at is not None:
        raise Conflict("A newer version of this document has been uploaded; decide on that one.")
    if body.expected_status is not None and body.expected_status != row.status:
        raise Conflict(f"The document's status changed since you read it (now {row.status}). Read it again, "
                       "then retry.")
    try:
        filing.decide(session, row, user, verified=body.decision == "verify", reason=body.reason)
        outbox.commit(session)
    except documents.EvidenceError as error:
        session.rollback()
        raise PathwayError(str(error)) from None
    current_ids = {r.id for r in documents.current(session, enrollment).values()}
    return _evidence_out(row, current_ids)  # type: ignore[arg-type]


def _log_out(entry: LogEntry, notes: str | None) -> log_schemas.LogOut:
    return log_schemas.LogOut(id=entry.id, kind=entry.kind, occurred_on=entry.occurred_on, program_year=entry.program_year,  # type: ignore[arg-type]
                          hours=entry.hours, notes=notes, author_id=entry.author_id, signer_id=entry.signer_id,
                          signed_at=entry.signed_at, attendee_roles=entry.attendee_roles,
                          confirmed_roles=confirmed_roles(entry.attendee_roles, entry.attendance))


@operation("GET", "/enrollments/<int:enrollment_id>/logs", summary="Log entries", tag="logs",
           query=log_schemas.LogQuery, response=log_schemas.LogList)
def list_logs(user: User, enrollment_id: int, query: log_schemas.LogQuery) -> log_schemas.LogList:
    """The enrolment's logs, newest first; confidential notes are null for those the tables keep them from."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    roles = policy.roles_on(session, user, enrollment)
    statement = select(LogEntry).where(LogEntry.enrollment_id == enrollment.id)
    if query.kind is not None:
        statement = statement.where(LogEntry.kind == query.kind)
    if query.signed is not None:
        statement = statement.where(LogEntry.signed_at.is_not(None) if query.signed  # type: ignore[union-attr]
                                    else LogEntry.signed_at.is_(None))  # type: ignore[union-attr]
    if query.since is not None:
        statement = statement.where(LogEntry.occurred_on >= query.since)  # type: ignore[operator]
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    entries = session.exec(statement.order_by(LogEntry.occurred_on.desc(), LogEntry.id.desc())  # type: ignore[attr-defined]
                           .offset((query.page - 1) * query.limit).limit(query.limit)).all()
    return log_schemas.LogList(items=[_log_out(e, logs_service.visible_notes(e, roles, user)) for e in entries],
                           page=schemas.PageInfo(page=query.page, limit=query.limit, total=total))


@operation("POST", "/enrollments/<int:enrollment_id>/logs", summary="Add a log entry", tag="logs",
           body=log_schemas.LogCreate, response=log_schemas.LogOut, status=201, errors=(409,))
def add_log(user: User, enrollment_id: int, body: log_schemas.LogCreate) -> log_schemas.LogOut:
    """The candidate logs a meeting or hours naming who signs it; their mentor, supervisor or district staff
    add a support note. The program year follows from the date."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    signer = session.get(User, body.signer_id) if body.signer_id else None
    entry = logs_service.add(session, enrollment, user, kind=body.kind, occurred_on=body.occurred_on,
                             hours=body.hours, notes=body.notes, signer=signer, participants=body.participants,
                             attendee_roles=body.attendee_roles, today=dashboard_service.today_for(session, enrollment))
    outbox.commit(session)
    return _log_out(entry, entry.notes)


@operation("POST", "/enrollments/<int:enrollment_id>/logs/batch", summary="Add several log entries at once",
           tag="logs", body=log_schemas.LogBatchCreate, response=log_schemas.LogBatchOut, status=201, errors=(409,))
def add_logs(user: User, enrollment_id: int, body: log_schemas.LogBatchCreate) -> log_schemas.LogBatchOut:
    """Several entries of one kind, each with the checks and audit of adding one; all or none, and a refusal
    names the entry it stopped at (its place in `entries` and its date)."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    signer = session.get(User, body.signer_id) if body.signer_id else None
    rows = [log_batches.LogRow(row.occurred_on, row.hours, row.notes) for row in body.entries]
    saved = log_batches.add_many(session, enrollment, user, kind=body.kind, signer=signer, rows=rows,
                                 today=dashboard_service.today_for(session, enrollment))
    outbox.commit(session)
    return log_schemas.LogBatchOut(items=[_log_out(entry, entry.notes) for entry in saved])


@operation("POST", "/enrollments/<int:enrollment_id>/logs/<int:log_id>/sign", summary="Sign a log entry",
           tag="logs", response=log_schemas.LogOut, errors=(409,))
def sign_log(user: User, enrollment_id: int, log_id: int) -> log_schemas.LogOut:
    """The mentor or coach the entry names signs it; only then does it count."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    entry = session.get(LogEntry, log_id)
    if entry is None or entry.enrollment_id != enrollment.id:
        raise NotFound("There is no such log entry.")
    if entry.signed_at is not None and entry.signer_id == user.id:
        raise Conflict("This entry is already signed.")
    logs_service.sign(session, entry, user)
    outbox.commit(session)
    return _log_out(entry, logs_service.visible_notes(entry, policy.roles_on(session, user, enrollment), user))


@operation("POST", "/enrollments/<int:enrollment_id>/logs/sign", summary="Sign several log entries at once",
           tag="logs", body=work_schemas.LogSignMany, response=work_schemas.LogSigned, errors=(409,))
def sign_logs(user: User, enrollment_id: int, body: work_schemas.LogSignMany) -> work_schemas.LogSigned:
    """The mentor or coach signs several of one candidate's entries (a week's, a month's, all waiting) with the
    checks of signing one: each names them and is not signed yet. All or none: if any cannot be signed, none is,
    and the problem lists each entry with the reason."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    signed = logs_service.sign_many(session, enrollment, user, body.log_ids)
    outbox.commit(session)
    roles = policy.roles_on(session, user, enrollment)
    return work_schemas.LogSigned(items=[_log_out(e, logs_service.visible_notes(e, roles, user)) for e in signed])


@operation("POST", "/enrollments/<int:enrollment_id>/logs/<int:log_id>/attendance", summary="Confirm being at a review",
           tag="logs", body=log_schemas.Attendance, response=log_schemas.LogOut, errors=(409,))
def answer_attendance(user: User, enrollment_id: int, log_id: int, body: log_schemas.Attendance) -> log_schemas.LogOut:
    """Someone a PIP review meeting lists as present, in a role they hold for the candidate, confirms it
    (`present: true`) or says they were not there (the role comes off the record); as on the meetings page."""
    session = get_session()
    enrollment = visible(session, user, enrollment_id)
    entry = reviews.answer(session, enrollment, log_id, user, present=body.present)
    outbox.commit(session)
    return _log_out(entry, logs_service.visible_notes(entry, policy.roles_on(session, user, enrollment), user))

