"""Sign-in, sign-up, sign-out, password-reset and notification-preference pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from app import outbox
from app.auth import sign_on
from app.auth.blueprint import bp
from app.db import get_session
from app.extensions import sign_in_on_this_device
from app.idempotency import idempotent
from app.models import AuditEvent
from app.services.notifications import emails as notifications
from app.services.team import accounts, sign_ins, sign_on_providers
from app.urls import same_site_path

from .forms import NewPasswordForm, NotificationsForm, ResetRequestForm, SignInForm, SignUpForm
from .tokens import InvalidResetLink, user_for_reset_token


def _safe_next(target: str | None) -> str:
    return same_site_path(target) or url_for("main.home")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | Response | tuple[str, int]:
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    session = get_session()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(session, form.email.data or "", form.password.data or "")
        except accounts.SignOnRequired as required:
            district = sign_on.district_for(required.provider)
            return sign_on.sign_in_page(form, 403, required.provider, (
                f"{district.name if district else 'Your district'} asks its staff to sign in with their district "
                "account, not a password. Use the button below."))
        if user is not None:
            sign_in_on_this_device(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
        # One message for unknown email and wrong password: never reveal who has an account.
        form.password.errors = ["That email and password do not match an account."]
        return sign_on.sign_in_page(form, 401, sign_on_providers.provider_for_email(session, form.email.data or ""))
    if form.is_submitted():
        return sign_on.sign_in_page(form, 400)
    # "Sign in with <district>" when a link names the organisation (?organisation=ID), e.g. in its invitations.
    chosen = request.args.get("organisation", "")
    provider = sign_on_providers.provider_for_organisation(session, int(chosen)) if chosen.isdigit() else None
    return sign_on.sign_in_page(form, 200, provider)


@bp.post("/sign-out")
@login_required
def sign_out() -> Response:
    """Sign out of this device: its session and remember-me cookie stop working wherever they are."""
    session = get_session()
    sign_ins.end(session, current_user._get_current_object())  # type: ignore[attr-defined]
    outbox.commit(session)
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/reset", methods=["GET", "POST"])
def request_reset() -> str | Response | tuple[str, int]:
    """Ask for a password-reset link by email."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(get_session(), form.email.data or "")
        flash("If an account uses that email, a reset link is on its way. It works once, "
              "for one hour.", "info")
        return redirect(url_for("auth.sign_in"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Choose a new password from an emailed link."""
    session = get_session()
    try:
        user = user_for_reset_token(session, token)
    except InvalidResetLink as error:
        flash(str(error), "error")
        return render_template("auth/reset_request.html", form=ResetRequestForm()), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(session, user, form.password.data or "")
        logout_user()
        flash("Your password is changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.sign_in"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form), status


@bp.route("/sign-up", methods=["GET", "POST"])
@idempotent
def sign_up() -> str | Response | tuple[str, int]:
    """Create a candidate account, then start the enrolment wizard."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignUpForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            user = accounts.create_user(session, form.email.data or "", form.name.data or "", form.password.data or "")
            outbox.commit(session)
        except accounts.AccountError:
            session.rollback()
            # Saying so reveals that the address has an account. We accept that here: email is
            # unique, so any sign-up form tells; hiding it would need a confirm-by-email round trip
            # before every sign-up, and people invited by their program already use the invitation
            # link. Sign-in and reset still never tell (they are where guessing would pay).
            form.email.errors = [("An account already uses this email. Sign in, or reset the password if you "
                                  "have forgotten it.")]
            return render_template("auth/sign_up.html", form=form), 400
        sign_in_on_this_device(user)
        flash("Your account is ready. Now tell us about the credential you are working toward.", "success")
        return redirect(url_for("candidate.enrol"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/sign_up.html", form=form), status


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    """Sign out of every device (a lost phone, a shared computer), this one included."""
    session = get_session()
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    ended = sign_ins.end_all(session, user)
    session.add(AuditEvent(actor_id=user.id, action="auth.signed_out_everywhere", details={"sign_ins": ended}))
    outbox.commit(session)
    logout_user()
    flash("You are signed out on every device. Sign in again here to carry on.", "info")
    return redirect(url_for("auth.sign_in"))


SAVED = {
    "routine": "Saved. Logs to sign come once a day, in one digest; everything else comes at once.",
    "each": "Saved. You get one email for each item, as it happens.",
    "daily": "Saved. Task emails come once a day, in one digest; urgent ones still come at once.",
}


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notification_settings() -> str | Response | tuple[str, int]:
    """Choose how task email comes: routine items in a daily digest (the default), each at once, or all daily."""
    session = get_session()
    form = NotificationsForm()
    if form.validate_on_submit():
        choice = str(form.delivery.data)
        if choice != notifications.delivery(session, current_user.id):
            notifications.set_delivery(session, current_user, choice)  # type: ignore[arg-type]
            session.add(AuditEvent(actor_id=current_user.id, action="notifications.preference_set",
                                   details={"delivery": choice}))
            outbox.commit(session)
        flash(SAVED[choice], "success")
        return redirect(url_for("auth.notification_settings"))
    if not form.is_submitted():
        form.delivery.data = notifications.delivery(session, current_user.id)
        return render_template("auth/notifications.html", form=form), 200
    return render_template("auth/notifications.html", form=form), 400
