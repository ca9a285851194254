"""Sign in with the district's account: off to the organisation's provider, and back (app/services/team/sign_on.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.blueprint import bp
from app.db import get_session
from app.extensions import sign_in_on_this_device
from app.models import Organisation, User
from app.models.sign_on import SignOnProvider
from app.services.team import sign_on
from app.services.team import sign_on_providers as providers
from app.urls import external_url, same_site_path

from .forms import DistrictSignInForm, SignInForm

# The state of the attempt this browser was sent off with: the return must bring the same one back.
STATE_KEY = "sign_on_state"


def district_for(provider: SignOnProvider | None) -> Organisation | None:
    """The organisation whose sign-in the page offers."""
    return get_session().get(Organisation, provider.organisation_id) if provider else None


def sign_in_page(form: SignInForm, status: int, provider: SignOnProvider | None = None,
                 problem: str | None = None) -> tuple[str, int]:
    """The sign-in page, offering "Sign in with <district>" when a provider is known."""
    return render_template("auth/sign_in.html", form=form, district=district_for(provider), problem=problem,
                           next_path=request.args.get("next")), status


def send_to_provider(provider: SignOnProvider, *, purpose: str = "sign_in", next_path: str | None = None,
                     login_hint: str | None = None) -> Response:
    """Redirect to the provider with a fresh attempt, remembering its state in this browser's session."""
    url, state = sign_on.start(get_session(), provider, external_url("auth.district_return"), purpose=purpose,
                               next_path=next_path, login_hint=login_hint,
                               started_by=current_user if current_user.is_authenticated else None)  # type: ignore[arg-type]
    cookie_session[STATE_KEY] = state
    return redirect(url)


@bp.get("/sign-in/district/<int:organisation_id>")
def district_sign_in(organisation_id: int) -> Response | tuple[str, int]:
    """Start signing in with the organisation's own accounts."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    provider = providers.provider_for_organisation(get_session(), organisation_id)
    if provider is None:
        abort(404, "This organisation does not sign in with its own accounts here.")
    try:
        return send_to_provider(provider, next_path=same_site_path(request.args.get("next")),
                                login_hint=request.args.get("email") or None)
    except providers.SignOnRefused as refusal:
        return sign_in_page(SignInForm(), 503, provider, refusal.message)


@bp.post("/sign-in/district")
def find_district() -> Response | tuple[str, int]:
    """Find the district sign-in the email's domain belongs to, and offer it.

    The page answers with the "Sign in with <district>" link rather than a redirect: browsers hold a
    form's redirects to the page's form-action policy (this site only), and the person sees where they go.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    # The sign-in form's own fields arrive too; only the email (and the CSRF token) count here.
    district_form, form = DistrictSignInForm(), SignInForm()
    if not district_form.validate_on_submit():
        form.email.errors = district_form.email.errors or ["Start again: this form had expired."]
        return sign_in_page(form, 400)
    email = User.normalise_email(district_form.email.data or "")
    provider = providers.provider_for_email(get_session(), email)
    if provider is None:
        form.email.errors = [("This email's district does not sign in with its own accounts here. "
                              "Sign in with your password.")]
        return sign_in_page(form, 400)
    form.email.data = email
    return sign_in_page(form, 200, provider)


@bp.get("/sign-in/district/return")
def district_return() -> Response | tuple[str, int]:
    """Back from the provider: verified, linked and signed in, or refused with the reason."""
    session = get_session()
    cookie_state = cookie_session.pop(STATE_KEY, None)
    try:
        outcome = sign_on.finish(session, returned_state=request.args.get("state", ""), cookie_state=cookie_state,
                                 redirect_uri=external_url("auth.district_return"), authorization_response=request.url,
                                 error=request.args.get("error"))
    except providers.SignOnRefused as refusal:
        attempt = sign_on.record_refusal(session, refusal, cookie_state)
        if attempt is not None and attempt.purpose == "try" and current_user.is_authenticated:
            flash(f"Trying the district's sign-in failed: {refusal.message}", "error")
            return redirect(attempt.next_path or url_for("admin.sign_on_settings"))
        # A return that is not this browser's, or is spent, is a bad request; a sign-in that fails its checks, 401.
        status = 400 if refusal.reason.startswith("state_") else 401
        return sign_in_page(SignInForm(formdata=None), status, None, refusal.message)
    if outcome.purpose == "try":
        flash(f"Signing in with the district's account works: it vouched for {outcome.email}. "
              "You are still signed in as yourself.", "success")
        return redirect(outcome.next_path or url_for("admin.sign_on_settings"))
    assert outcome.user is not None
    # A server-side sign-in for this device, on a new cookie (as after a password sign-in).
    sign_in_on_this_device(outcome.user)
    if outcome.created and not outcome.next_path:
        flash("Your account is ready. Now tell us about the credential you are working toward.", "success")
        return redirect(url_for("candidate.enrol"))
    if outcome.linked:
        flash("Your district account is now linked: next time, sign in with it.", "success")
    return redirect(same_site_path(outcome.next_path) or url_for("main.home"))
