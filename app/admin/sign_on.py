"""Each organisation's own sign-in (its OpenID Connect provider), set up and tried by a service administrator."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, PasswordField, StringField, SubmitField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app import policy
from app.admin.blueprint import bp
from app.auth.sign_on import send_to_provider
from app.db import get_session
from app.models import Organisation
from app.services.team import sign_on_providers as providers
from app.urls import external_url


class SignOnSettingsForm(FlaskForm):
    issuer = URLField("Provider address (issuer)", validators=[DataRequired(), Length(max=500)])
    client_id = StringField("Client id", validators=[DataRequired(), Length(max=255)])
    client_secret = PasswordField("Client secret", validators=[Length(max=1000)])
    email_domains = StringField("Email domains it vouches for", validators=[DataRequired(), Length(max=1000)])
    required_for_staff = BooleanField("Staff must sign in with the district's account (their password is refused)")
    check_accounts = BooleanField("Check each day that linked staff accounts still work at the provider "
                                  "(people may be asked to consent when they sign in)")
    inactive_after_days = IntegerField("Flag staff to the director after this many days without signing in",
                                       validators=[Optional(), NumberRange(min=1, max=3650)])
    submit = SubmitField("Save")


def _guard() -> None:
    if not policy.can_set_up_sign_on(get_session(), current_user):  # type: ignore[arg-type]
        abort(403, "Only service administrators can set up an organisation's sign-in.")


def _organisation(organisation_id: int) -> Organisation:
    organisation = get_session().get(Organisation, organisation_id)
    if organisation is None:
        abort(404, "There is no such organisation.")
    return organisation


@bp.get("/sign-on")
@login_required
def sign_on_settings() -> str:
    """Which organisations sign in with their own accounts."""
    _guard()
    return render_template("admin/sign_on.html", rows=providers.providers_by_organisation(get_session()),
                           organisation=None, form=None, provider=None)


@bp.route("/sign-on/<int:organisation_id>", methods=["GET", "POST"])
@login_required
def sign_on_organisation(organisation_id: int) -> str | Response | tuple[str, int]:
    """One organisation's provider: its address, client, domains and rules."""
    _guard()
    session = get_session()
    organisation = _organisation(organisation_id)
    provider = providers.provider_for_organisation(session, organisation_id)
    form = SignOnSettingsForm(obj=provider) if provider and not SignOnSettingsForm().is_submitted() \
        else SignOnSettingsForm()
    if form.validate_on_submit():
        try:
            providers.save_settings(session, organisation, current_user, issuer=form.issuer.data or "",  # type: ignore[arg-type]
                                  client_id=form.client_id.data or "", secret=form.client_secret.data or None,
                                  email_domains=form.email_domains.data or "",
                                  required_for_staff=bool(form.required_for_staff.data),
                                  inactive_after_days=form.inactive_after_days.data,
                                  check_accounts=bool(form.check_accounts.data))
        except providers.SettingsError as error:
            session.rollback()
            flash(str(error), "error")
            return render_template("admin/sign_on.html", rows=None, organisation=organisation, form=form,
                                   provider=provider, return_address=external_url("auth.district_return")), 400
        flash(f"Saved. {organisation.name} can sign in with its own accounts; try it below.", "success")
        return redirect(url_for("admin.sign_on_organisation", organisation_id=organisation_id))
    status = 400 if form.is_submitted() else 200
    if provider is not None:
        parts = urlsplit(provider.issuer)
        g.form_action_origins = [f"{parts.scheme}://{parts.netloc}"]
    return render_template("admin/sign_on.html", rows=None, organisation=organisation, form=form,
                           provider=provider, return_address=external_url("auth.district_return")), status


@bp.post("/sign-on/<int:organisation_id>/try")
@login_required
def try_sign_on(organisation_id: int) -> Response:
    """Go through the provider once, as the administrator, to see that the settings work."""
    _guard()
    if not FlaskForm().validate_on_submit():
        abort(400, "This form had expired. Open the page again and try once more.")
    provider = providers.provider_for_organisation(get_session(), _organisation(organisation_id).id or 0)
    if provider is None:
        flash("Save the organisation's settings first, then try them.", "error")
        return redirect(url_for("admin.sign_on_organisation", organisation_id=organisation_id))
    try:
        return send_to_provider(provider, purpose="try",
                                next_path=url_for("admin.sign_on_organisation", organisation_id=organisation_id))
    except providers.SignOnRefused as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("admin.sign_on_organisation", organisation_id=organisation_id))
