"""The API tokens page (a browser page, signed in, CSRF-protected): make a token, see it once, revoke it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app import outbox
from app.db import get_session
from app.idempotency import idempotent
from app.services import PathwayError
from app.services.team import api_tokens

pages = Blueprint("api_tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField("What will use it", validators=[DataRequired(), Length(max=api_tokens.NAME_LENGTH)])
    days = SelectField("Lasts", choices=[SelectChoice(str(d), f"{d} days") for d in api_tokens.LIFETIMES], default="90")
    submit = SubmitField("Make a token")


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke")


def _page(form: TokenForm, status: int = 200, secret: str | None = None, problem: str | None = None) -> tuple[str, int]:
    tokens = api_tokens.active(get_session(), current_user)  # type: ignore[arg-type]
    return render_template("api/tokens.html", form=form, revoke=RevokeForm(), tokens=tokens, secret=secret,
                           problem=problem), status


@pages.get("")
@login_required
def index() -> tuple[str, int]:
    """The person's working tokens, and the form for a new one."""
    return _page(TokenForm())


@pages.post("")
@login_required
@idempotent
def create() -> Response | tuple[str, int]:
    """Make a token and show its secret on this response only (never in a cookie, a flash or a log)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    session = get_session()
    try:
        _, secret = api_tokens.create(session, current_user, form.name.data or "", int(form.days.data or 0))  # type: ignore[arg-type]
        outbox.commit(session)
    except (PathwayError, ValueError) as error:
        session.rollback()
        return _page(form, 422, problem=getattr(error, "message", "Choose how long the token lasts from the list."))
    return _page(TokenForm(formdata=None), 201, secret=secret)


@pages.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Stop a token at once; apps using it get 401 from the next request on."""
    if not RevokeForm().validate_on_submit():
        return redirect(url_for("api_tokens.index"))
    session = get_session()
    try:
        row = api_tokens.revoke(session, current_user, token_id)  # type: ignore[arg-type]
        outbox.commit(session)
    except PathwayError:
        session.rollback()
        flash("There is no such token.", "error")
        return redirect(url_for("api_tokens.index"))
    flash(f"Revoked “{row.name}”.", "success")
    return redirect(url_for("api_tokens.index"))
