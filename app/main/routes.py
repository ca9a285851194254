"""Home and /healthz."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_request_context, jsonify, render_template
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import db, health, policy, storage
from app.db import get_session
from app.main.blueprint import bp
from app.services.progress import dashboard
from app.services.team import staff
from workflows.roles import Role


@bp.get("/")
@login_required
def home() -> str:
    """What the signed-in person holds: their enrolments and their roles."""
    session = get_session()
    own, supported = dashboard.enrollments_for(session, current_user)  # type: ignore[arg-type]
    return render_template("main/home.html", own=own, supported=supported, Role=Role,
                           places=staff.places_of(session, current_user))  # type: ignore[arg-type]


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Database, Redis and upload disk status; 200 whenever the database answers."""
    running = current_app.extensions.setdefault("health_checks", {})
    status = health.check(running, db.engine(), current_app.extensions.get("redis"))
    if "unavailable" in status.values():
        current_app.logger.warning("health check: %s", health.why(running))
    # Low disk is "degraded", not 503: every node shares the upload volume, so a balancer that
    # dropped nodes for it would drop them all, while reading and deciding still work.
    disk = storage.disk_report(Path(current_app.config["UPLOAD_FOLDER"]))
    status["disk"] = "low" if disk["low"] else "ok"
    if status["database"] != "ok":
        return jsonify(status="unavailable", disk_free_mb=disk["free_mb"], **status), 503
    overall = "degraded" if "unavailable" in status.values() or disk["low"] else "ok"
    return jsonify(status=overall, disk_free_mb=disk["free_mb"], **status), 200


@bp.app_context_processor
def navigation() -> dict[str, bool]:
    """What the navigation offers the signed-in person."""
    # Jobs render email templates too, with no request and nobody signed in.
    if not has_request_context() or not current_user.is_authenticated:
        return {"nav_jobs": False}
    administrator = policy.can_manage_background_jobs(get_session(), current_user)  # type: ignore[arg-type]
    return {"nav_jobs": administrator, "nav_organisations": administrator,
            "nav_resources": True}  # everyone signed in reads the links that apply to them
