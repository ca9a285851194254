"""Sign-in, sign-up, password and notification-preference forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

MIN_PASSWORD = 10


def _strip(value: str | None) -> str | None:
    # Phone keyboards often add a trailing space after an autocompleted address.
    return value.strip() if isinstance(value, str) else value


class SignInForm(FlaskForm):
    email = EmailField("Email", filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class DistrictSignInForm(FlaskForm):
    """The sign-in page's email alone, for "Use my district account"."""

    email = EmailField("Email", filters=[_strip], validators=[
        DataRequired(message="Enter your district email address."), Email(), Length(max=254)])


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Email me a reset link")


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200,
                                           message=f"Use at least {MIN_PASSWORD} characters.")],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Set new password")


class SignUpForm(FlaskForm):
    name = StringField("Your name", filters=[_strip], validators=[DataRequired(message="Enter your name."),
                                                                  Length(max=120)])
    email = EmailField("Email", filters=[_strip], validators=[
        DataRequired(), Email(message="Enter a whole email address, like name@district.org."), Length(max=254)])
    password = PasswordField(
        "Choose a password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200,
                                           message=f"Use at least {MIN_PASSWORD} characters.")],
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Create my account")


class NotificationsForm(FlaskForm):
    delivery = RadioField("How should task emails reach you?", choices=[
        SelectChoice("routine", "Routine items in one email a day, everything else at once (the default)"),
        SelectChoice("each", "One email for each item, as it happens"),
        SelectChoice("daily", "Everything in one email a day, except urgent items"),
    ], invalid_choice_message="Choose one of the three.",
        validators=[InputRequired(message="Choose one of the three.")])
    submit = SubmitField("Save")


class JoinForm(FlaskForm):
    """For someone invited who has no account yet: the link proves the email is theirs."""

    name = StringField("Your name", filters=[_strip], validators=[DataRequired(message="Enter your name."),
                                                                  Length(max=120)])
    password = PasswordField("Choose a password", validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters.")])
    confirm = PasswordField("Repeat the password", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")])
    submit = SubmitField("Create my account and join")
