"""Credential Tracker: the Flask application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from . import config as settings
from . import db


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application from the environment, or from test_config when given."""
    # INSTANCE_PATH lets an operator keep the database, uploads and key outside the code tree.
    app = Flask(__name__, instance_relative_config=True, instance_path=os.environ.get("INSTANCE_PATH") or None)
    os.makedirs(app.instance_path, exist_ok=True)

    app.config.update(settings.from_environment(app.instance_path))
    if test_config is not None:
        app.config.update(test_config)
    settings.finalise(app.config)

    from . import inputs, observability

    observability.init_app(app)  # first: every answer, refusals included, carries its request id
    inputs.init_app(app)  # the id converter must be in place before any route is added
    db.init_app(app)
    from app.services.programs import summaries
    summaries.watch()  # every commit keeps the enrolment summaries current (see that module)

    from app import admin, extensions, filters, idempotency, mail
    from app import queue as jobs

    extensions.init_app(app)
    idempotency.init_app(app)
    filters.init_app(app)
    jobs.init_app(app)
    mail.init_app(app)

    from .auth import bp as auth_bp
    from .candidate import bp as candidate_bp
    from .director import bp as director_bp
    from .errors import register_error_pages
    from .inbox import bp as inbox_bp
    from .main import bp as main_bp
    from .organisations import bp as organisations_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(candidate_bp)
    app.register_blueprint(inbox_bp, url_prefix="/inbox")
    app.register_blueprint(director_bp, url_prefix="/programs")
    app.register_blueprint(organisations_bp)
    from . import api

    api.init_app(app)  # /api/v1 (bearer tokens, no CSRF) and the tokens page
    register_error_pages(app)

    from . import limits, personal_data, security

    security.init_app(app)
    limits.init_app(app)  # after the blueprints: it wraps their endpoints
    personal_data.init_app(app)

    from .cli import register_commands

    register_commands(app)

    observability.configure_logging(app)
    observability.report_errors(app)
    return app
