"""Program directors and districts: cohorts, rosters, accreditation exports, CTC recommendations."""

from flask import Blueprint

bp = Blueprint("director", __name__)

from . import routes  # noqa: E402,F401
