"""The admin blueprint, which every view module of the area registers on."""

from flask import Blueprint

bp = Blueprint("admin", "app.admin")
