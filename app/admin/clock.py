"""The app clock page: a service administrator moves time for a test or debug instance (404 elsewhere)."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import clock, policy
from app.admin.blueprint import bp
from app.db import get_session

# A journey moves years at most (a five-year preliminary credential); more is a typing slip.
_MAX_DAYS = 3660


def _guard() -> None:
    """404 unless the clock may move here; 403 for anyone but a service administrator."""
    if not clock.movable():
        abort(404)
    if not policy.is_service_administrator(get_session(), current_user):
        abort(403, "Only service administrators can move the app's clock.")


@bp.get("/clock")
@login_required
def app_clock() -> str:
    """What the app's clock reads, and the forms that move it."""
    _guard()
    zone = current_app.config.get("TIMEZONE") or clock.DEFAULT_TIMEZONE
    return render_template("admin/clock.html", now=clock.now().astimezone(ZoneInfo(zone)), today=clock.today(),
                           zone=zone, offset_days=clock.offset_seconds() / 86400)


@bp.post("/clock")
@login_required
def move_clock() -> Response:
    """Advance the clock by whole days, set it to a date or moment, or put it back."""
    _guard()
    action = request.form.get("action", "")
    if action == "advance":
        raw = request.form.get("days", "").strip()
        try:
            days = float(raw)
        except ValueError:
            abort(400, f"“{raw}” is not a number of days.")
        if not math.isfinite(days) or days == 0 or abs(days) > _MAX_DAYS:
            abort(400, f"Give a number of days between -{_MAX_DAYS} and {_MAX_DAYS}, other than 0.")
        clock.advance(days=days)
    elif action == "set":
        raw = request.form.get("moment", "").strip()
        try:
            moment = clock.parse_moment(raw)
        except ValueError:
            abort(400, f"“{raw}” is not a date (2027-03-01) or a date and time (2027-03-01T09:00).")
        clock.set_to(moment)
    elif action == "reset":
        clock.reset()
    else:
        abort(400, "Choose to advance, set or reset the clock.")
    flash(f"The app's clock now reads {clock.today():%A %d %B %Y}.", "success")
    return redirect(url_for("admin.app_clock"))
