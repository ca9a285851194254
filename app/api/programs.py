"""A program's CTC recommendations (list, submit a batch, follow each one's status) and district roster imports,
over the API: the services and policy of the program pages, so the same audit and the same refusals."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import request
from sqlmodel import Session, func, select

from app import clock, policy
from app.api import schemas, work_schemas
from app.api.blueprint import Invalid, operation
from app.db import get_session
from app.models import Enrollment, Program, Recommendation, RecommendationBatch, User
from app.services import Conflict, NotFound, NotPermitted, PathwayError
from app.services.programs import recommendations as recs
from app.services.programs import roster as roster_service
from workflows.roles import Role

S = recs.S


def _program(session: Session, user: User, program_id: int, also: Callable[[frozenset[Role]], bool] | None = None,
             ) -> tuple[Program, frozenset[Role]]:
    """The program and the caller's roles on it: 404 for whoever holds no program role (nor `also`)."""
    program = session.get(Program, program_id)
    roles = policy.program_roles(session, user, program) if program else frozenset()
    if program is None or not (policy.can_view_program(roles) or (also is not None and also(roles))):
        raise NotFound("There is no such program.")
    return program, roles


def _submits(program: Program) -> Callable[[frozenset[Role]], bool]:
    return lambda roles: policy.can_recommend(roles, recs.submitters(program))


def _rec_out(rec: Recommendation, candidate: User) -> work_schemas.RecommendationOut:
    return work_schemas.RecommendationOut(
        id=rec.id, enrollment_id=rec.enrollment_id, candidate_name=candidate.name, batch_id=rec.batch_id,  # type: ignore[arg-type]
        status=rec.status, status_label=recs.STATUS_LABELS[S(rec.status)], submitted_on=rec.submitted_on,  # type: ignore[arg-type]
        fitness_answered_on=rec.fitness_answered_on, fee_paid_on=rec.fee_paid_on, issued_on=rec.issued_on,
        returned_on=rec.returned_on, return_reason=rec.return_reason, purged_on=rec.purged_on,
        replaces_id=rec.replaces_id)


def _program_recommendations(program: Program, query: work_schemas.RecommendationQuery | None = None):  # type: ignore[no-untyped-def]
    """The program's recommendations with their candidates, filtered in SQL."""
    statement = (select(Recommendation, User)
                 .join(RecommendationBatch, Recommendation.batch_id == RecommendationBatch.id)  # type: ignore[arg-type]
                 .join(Enrollment, Recommendation.enrollment_id == Enrollment.id)  # type: ignore[arg-type]
                 .join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
                 .where(RecommendationBatch.program_id == program.id))
    if query is not None and query.status is not None:
        statement = statement.where(Recommendation.status == query.status)
    if query is not None and query.enrollment_id is not None:
        statement = statement.where(Recommendation.enrollment_id == query.enrollment_id)
    return statement


@operation("GET", "/programs/<int:program_id>/recommendations", summary="A program's CTC recommendations",
           tag="recommendations", query=work_schemas.RecommendationQuery, response=work_schemas.RecommendationPage)
def list_recommendations(user: User, program_id: int,
                         query: work_schemas.RecommendationQuery) -> work_schemas.RecommendationPage:
    """Every recommendation the program submitted, newest first, for those who see its recommendations page
    (director, credential analyst, district HR, and whoever the pathway names as submitting)."""
    session = get_session()
    program = session.get(Program, program_id)
    _program(session, user, program_id, _submits(program) if program else None)
    statement = _program_recommendations(program, query)  # type: ignore[arg-type]
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(statement.order_by(Recommendation.id.desc())  # type: ignore[union-attr]
                        .offset((query.page - 1) * query.limit).limit(query.limit)).all()
    return work_schemas.RecommendationPage(items=[_rec_out(r, u) for r, u in rows],
                                           page=schemas.PageInfo(page=query.page, limit=query.limit, total=total))


@operation("POST", "/programs/<int:program_id>/recommendations", summary="Attest and submit a batch",
           tag="recommendations", body=work_schemas.SubmitBatch, response=work_schemas.BatchResult, status=201,
           errors=(409,))
def submit_recommendations(user: User, program_id: int, body: work_schemas.SubmitBatch) -> work_schemas.BatchResult:
    """Recommend each selected candidate at "ready for recommendation" (one transaction each, re-checking the
    readiness rules); the others are reported with the reason. 422 when nobody could be submitted."""
    session = get_session()
    program = session.get(Program, program_id)
    program, roles = _program(session, user, program_id, _submits(program) if program else None)
    if not policy.can_recommend(roles, recs.submitters(program)):
        raise NotPermitted("Your roles on this program do not include submitting recommendations.")
    result = recs.submit_batch(session, program, body.enrollment_ids, user, body.attestation)
    if result.batch is None:
        raise PathwayError("Nobody could be submitted; nothing was recorded.",
                           [f"{o.candidate_name}: {o.message}" for o in result.outcomes])
    return work_schemas.BatchResult(batch_id=result.batch.id, outcomes=[
        work_schemas.BatchOutcome(enrollment_id=o.enrollment_id, candidate_name=o.candidate_name, ok=o.ok,
                                  message=o.message, reasons=list(o.reasons)) for o in result.outcomes])


@operation("POST", "/programs/<int:program_id>/recommendations/<int:recommendation_id>/status",
           summary="Record a recommendation's next status", tag="recommendations", body=work_schemas.StatusChange,
           response=work_schemas.RecommendationOut, errors=(409,))
def change_recommendation_status(user: User, program_id: int, recommendation_id: int,
                                 body: work_schemas.StatusChange) -> work_schemas.RecommendationOut:
    """The candidate's side, in CTC Online's order (director or credential analyst): issuing fires the step's
    `credential_issued` rules, returning needs the candidate's reason. 409 when the status moved meanwhile."""
    session = get_session()
    program, roles = _program(session, user, program_id)
    if not policy.can_follow_recommendations(roles):
        raise NotPermitted("Your roles on this program do not include following recommendations.")
    found = session.exec(_program_recommendations(program).where(Recommendation.id == recommendation_id)).first()
    if found is None:
        raise NotFound("There is no such recommendation.")
    rec, candidate = found
    if body.expected_status is not None and body.expected_status != rec.status:
        raise Conflict(f"This recommendation is “{recs.STATUS_LABELS[S(rec.status)]}” now; read it again, "
                       "then retry.")
    on = body.on or clock.today()
    if body.status == "issued":
        recs.record_issued(session, rec, user, on)
    elif body.status == "returned":
        recs.record_returned(session, rec, user, on, body.reason or "")
    elif body.status == "fee_paid":
        recs.record_fee_paid(session, rec, user, on)
    else:
        recs.record_fitness_answered(session, rec, user, on)
    return _rec_out(session.get(Recommendation, rec.id, populate_existing=True), candidate)  # type: ignore[arg-type]


# --- Roster imports --------------------------------------------------------------------------------


def _field_of(message: str) -> str | None:
    """The roster column a row error names, when it names one."""
    return next((c for c in roster_service.COLUMNS if re.search(rf"\b{c}\b", message, re.IGNORECASE)), None)


def _import(user: User, program_id: int, data: bytes, filename: str, dry_run: bool,
            where: Callable[[int, roster_service.RosterRow], list[str | int]]) -> work_schemas.RosterResult:
    """Check or import a roster; row errors are 422 with each row's fields; the same roster again changes nothing."""
    session = get_session()
    program, roles = _program(session, user, program_id)
    if not policy.can_import_roster(roles):
        raise NotPermitted("Your roles on this program do not include importing rosters.")
    try:
        if dry_run:
            result = roster_service.check(session, program, data, filename, user)
            if result.file_errors or result.row_errors:
                raise roster_service.RosterError("The roster has errors.", result)
        else:
            result = roster_service.import_roster(session, program, data, filename, user)
    except roster_service.RosterError as error:
        session.rollback()
        result = error.check
        if result.file_errors or result.row_errors:
            errors: list[dict[str, Any]] = [{"loc": ["body"], "message": m} for m in result.file_errors]
            for index, row in enumerate(result.rows):
                for message in row.errors:
                    field = _field_of(message)
                    errors.append({"loc": [*where(index, row), *([field] if field else [])], "message": message})
            raise Invalid(errors) from None
        # Imported before (this very roster, or everyone in it): idempotent, nothing changed.
        return _roster_out(result, imported=False, dry_run=dry_run, again=True)
    again = result.already_imported is not None or not result.to_enrol
    return _roster_out(result, imported=not dry_run, dry_run=dry_run, again=again)


def _roster_out(result: roster_service.RosterCheck, *, imported: bool, dry_run: bool,
                again: bool) -> work_schemas.RosterResult:
    enrolled = 0 if again else len(result.to_enrol)
    return work_schemas.RosterResult(
        imported=imported and not again, dry_run=dry_run, already_imported=again, enrolled=enrolled,
        skipped=len(result.rows) - enrolled,
        rows=[work_schemas.RosterRowOut(row=i, email=r.email, action=r.action or "already imported: skipped")
              for i, r in enumerate(result.rows)])


@operation("POST", "/programs/<int:program_id>/roster", summary="Import a roster (JSON rows)", tag="roster",
           body=work_schemas.RosterRows, response=work_schemas.RosterResult)
def import_roster_rows(user: User, program_id: int, body: work_schemas.RosterRows) -> work_schemas.RosterResult:
    """District HR or the program director enrol candidates, creating accounts as needed, all or nothing; any
    row error is a 422 naming the row (`["body", "rows", i, field]`). Someone already enrolled is skipped, and
    the same roster sent again changes nothing (`already_imported`)."""
    rows = [row.model_dump(mode="json") for row in body.rows]
    data = roster_service.rows_csv(rows)  # type: ignore[arg-type]
    return _import(user, program_id, data, "roster sent over the API", body.dry_run,
                   lambda index, _row: ["body", "rows", index])


@operation("POST", "/programs/<int:program_id>/roster/csv", summary="Import a roster (CSV upload)", tag="roster",
           multipart=work_schemas.RosterCsv, response=work_schemas.RosterResult, errors=(413,))
def import_roster_csv(user: User, program_id: int) -> work_schemas.RosterResult:
    """The roster template's CSV as multipart `file`; errors name the file's line (`["body", "file", line]`)."""
    if request.mimetype != "multipart/form-data":
        raise Invalid([{"loc": ["body"], "message": "Send the roster as multipart/form-data."}])
    upload = request.files.get("file")
    if upload is None:
        raise Invalid([{"loc": ["body", "file"], "message": "Attach the roster CSV as `file`."}])
    dry_run = request.form.get("dry_run", "false")
    if dry_run not in ("true", "false"):
        raise Invalid([{"loc": ["body", "dry_run"], "message": "Send true or false."}])
    data = upload.read(roster_service.MAX_BYTES + 1)
    return _import(user, program_id, data, upload.filename or "roster.csv", dry_run == "true",
                   lambda _index, row: ["body", "file", row.line])
