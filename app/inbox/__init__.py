"""Approvers' inbox: sign-off tasks for the roles a person holds, panels and delegations."""

from flask import Blueprint

bp = Blueprint("inbox", __name__)

from . import routes  # noqa: E402,F401
