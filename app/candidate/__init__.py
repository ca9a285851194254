"""The enrolment workspace: where a candidate stands, what is missing, and the steps forward."""

from flask import Blueprint

bp = Blueprint("candidate", __name__)

from . import enrol, export, meetings, plans, resources, routes, sections, team  # noqa: E402,F401
