"""The enrolment wizard: choose a pathway, then the program, the credential goal and key dates.

Two steps that work without JavaScript: the pathway is chosen with a plain GET form, so the
second step lists only that pathway's programs and asks only its dates.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app import clock, outbox
from app.candidate.blueprint import bp
from app.db import get_session
from app.idempotency import idempotent
from app.models import PATHWAY_LABELS
from app.services import PathwayError
from app.services.enrollments import signup
from workflows.registry import names, plugin, plugins


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class EnrolmentForm(FlaskForm):
    pathway = HiddenField(validators=[AnyOf(names(), message="Choose a pathway first.")])
    program = SelectField("Program", coerce=int, invalid_choice_message="Choose one of the listed programs.",
                          validators=[DataRequired(message="Choose your program.")])
    credential_sought = StringField("Credential you are working toward", filters=[_strip],
                                    validators=[DataRequired(message="Say which credential you are working toward."),
                                                Length(max=200)])
    authorization = StringField("Subject or authorization", filters=[_strip], validators=[Length(max=200)])
    employer = StringField("Employer (district, county office or school)", filters=[_strip],
                           validators=[Length(max=200)])
    enrolled_on = DateField("Date you started in the program",
                            validators=[DataRequired(message="Enter the date as a calendar date.")])
    submit = SubmitField("Start my enrolment")


# One optional date field per key date any pathway asks for; each page shows only its pathway's.
for _dates in signup.PATHWAY_DATES.values():
    for _name, _label in _dates:
        setattr(EnrolmentForm, _name, DateField(_label, validators=[Optional()]))


def _today():  # type: ignore[no-untyped-def]
    return clock.today()


def _pathway(value: str | None) -> str | None:
    """The chosen pathway's name, or None for none or one not installed."""
    return value if value in names() else None


def _program_choices(choices: list[signup.ProgramChoice]) -> list[SelectChoice]:
    return [SelectChoice(str(c.program.id), c.label) for c in choices]


def _render(form: EnrolmentForm | None, pathway: str | None, status: int = 200,
            problems: list[str] | None = None) -> tuple[str, int]:
    choices = signup.programs_for(get_session(), pathway) if pathway else []
    if form is not None:
        form.program.choices = _program_choices(choices)
    dates = [form[name] for name, _ in signup.PATHWAY_DATES[pathway]] if form is not None and pathway else []
    chosen = plugin(pathway) if pathway else None
    return render_template("candidate/enrol.html", form=form, pathway=pathway, pathways=plugins(),
                           labels=PATHWAY_LABELS, dates=dates, has_programs=bool(choices), problems=problems or [],
                           goal_hint=chosen.credential_hint if chosen else None,
                           authorization_hint=chosen.authorization_hint if chosen else None), status


@bp.get("/enrol")
@login_required
def enrol() -> tuple[str, int]:
    """Step 1: the pathway; step 2 (?pathway=...): program, credential goal and key dates."""
    chosen = request.args.get("pathway")
    pathway = _pathway(chosen)
    if pathway is None:
        problems = ["Choose one of the three pathways."] if chosen is not None else []
        return _render(None, None, 400 if problems else 200, problems)
    form = EnrolmentForm(pathway=pathway)
    if form.enrolled_on.data is None:
        form.enrolled_on.data = _today()
    return _render(form, pathway)


@bp.post("/enrol")
@login_required
@idempotent
def start_enrolment() -> Response | tuple[str, int]:
    """Create the enrolment, then send the candidate to its dashboard, pointing at the team."""
    session = get_session()
    form = EnrolmentForm()
    pathway = _pathway(form.pathway.data)
    form.program.choices = _program_choices(signup.programs_for(session, pathway) if pathway else [])
    if pathway is None or not form.validate():
        if pathway is None:
            return _render(None, None, 400, ["Choose one of the three pathways."])
        return _render(form, pathway, 400, ["Some answers need a look: see the messages below."])
    key_dates = {name: form[name].data for name, _ in signup.PATHWAY_DATES[pathway]}
    try:
        enrollment = signup.start_enrolment(
            session, current_user, form.program.data, pathway, form.enrolled_on.data, _today(),  # type: ignore[arg-type]
            credential_sought=form.credential_sought.data or "", authorization=form.authorization.data or "",
            employer=form.employer.data or "", **key_dates)
        outbox.commit(session)
    except PathwayError as error:
        session.rollback()
        return _render(form, pathway, error.status, [error.message])
    for warning in signup.late_warnings(session, enrollment):
        flash(warning, "warning")
    team = url_for("candidate.team", enrollment_id=enrollment.id)
    flash(Markup('Your enrolment has started. Next: <a href="{}">invite your support team</a> '
                 "(mentor or coach, principal, and the others who sign off your steps).").format(team), "success")
    return redirect(url_for("candidate.dashboard", enrollment_id=enrollment.id))
