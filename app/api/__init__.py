"""JSON API v1 at /api/v1: the same services and access policy as the pages, bearer tokens, an OpenAPI document.

Importing the view modules registers their operations; `init_app` mounts the API (exempt from
CSRF: it takes no cookies, only `Authorization: Bearer`) and the browser page for tokens.
"""

from __future__ import annotations

from flask import Flask

from app.api import (  # noqa: F401  (importing registers)
    calendar,
    enrollments,
    feed,
    openapi,
    organisations,
    previews,
    programs,
    records,
    setup,
    staff,
    support,
    tasks,
)
from app.api.blueprint import bp
from app.api.tokens_page import pages

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Mount the API at /api/v1 and the tokens page at /auth/api-tokens."""
    from app.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp, url_prefix="/api/v1")
    app.register_blueprint(pages, url_prefix="/auth/api-tokens")
