"""Resources: links to credential programs, job fairs, events and guidance, kept by administrators."""

from __future__ import annotations

from datetime import date
from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from app import clock, outbox
from app.candidate.blueprint import bp
from app.db import get_session
from app.models import PATHWAY_LABELS, Organisation, Pathway, ResourceCategory
from app.services import PathwayError
from app.services.programs import resources as resources_service


def _page(status: int = 200, problems: list[str] | None = None, entered: dict[str, str] | None = None) -> tuple[str, int]:
    session = get_session()
    rows = resources_service.visible(session, current_user)  # type: ignore[arg-type]
    scopes = resources_service.manageable_scopes(session, current_user)  # type: ignore[arg-type]
    managed = {org for org, _ in scopes}
    shown = {r.organisation_id for r in rows if r.organisation_id is not None}
    organisations = {org.id: org.name for org in session.exec(
        select(Organisation).where(Organisation.id.in_(shown or {0}))).all()}  # type: ignore[union-attr]
    grouped = [(resources_service.CATEGORY_LABELS[ResourceCategory(category)], list(items))
               for category, items in groupby(rows, key=lambda r: r.category)]
    return render_template("candidate/resources.html", grouped=grouped, scopes=scopes, managed=managed,
                           organisations=organisations, categories=resources_service.CATEGORY_LABELS,
                           pathways=PATHWAY_LABELS, problems=problems or [], entered=entered or {},
                           today=clock.today(), Pathway=Pathway), status


@bp.get("/resources")
@login_required
def resources() -> tuple[str, int]:
    """The links that apply to the signed-in person; administrators add and archive them here."""
    return _page()


@bp.post("/resources")
@login_required
def add_resource() -> Response | tuple[str, int]:
    """Add a link (service administrators for everyone; program directors for their organisation)."""
    session = get_session()
    form = request.form
    entered = {key: form.get(key, "") for key in ("title", "url", "category", "organisation_id", "pathway",
                                                   "description", "happens_on")}
    scope = form.get("organisation_id", "")
    if scope and not scope.isdigit():
        return _page(400, ["Choose who the link is for from the list."], entered)
    try:
        happens_on = date.fromisoformat(form["happens_on"]) if form.get("happens_on") else None
    except ValueError:
        return _page(400, ["Enter the event date as a calendar date, or leave it empty."], entered)
    try:
        resources_service.add(session, current_user, title=form.get("title", ""), url=form.get("url", ""),  # type: ignore[arg-type]
                              category=form.get("category", ""), organisation_id=int(scope) if scope else None,
                              pathway=form.get("pathway") or None, description=form.get("description", ""),
                              happens_on=happens_on, today=clock.today())
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _page(error.status, error.reasons or [error.message], entered)
    flash("Link added.", "success")
    return redirect(url_for("candidate.resources"))


@bp.post("/resources/<int:resource_id>/archive")
@login_required
def archive_resource(resource_id: int) -> Response:
    """Take a link off the page (it is kept, archived)."""
    session = get_session()
    try:
        resources_service.archive(session, current_user, resource_id)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        abort(error.status, error.message)
    flash("Link archived.", "success")
    return redirect(url_for("candidate.resources"))
