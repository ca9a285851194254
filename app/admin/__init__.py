"""Service administration: background jobs that failed, and emails whose delivery is uncertain."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import routes  # noqa: E402,F401
