"""The organisations blueprint, which every view module of the area registers on."""

from flask import Blueprint

bp = Blueprint("organisations", "app.organisations")
