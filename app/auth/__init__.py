"""Signing in and out, and resetting a forgotten password."""

from app.auth import routes, sign_on  # noqa: F401  (importing a view module registers its views)
from app.auth.blueprint import bp

__all__ = ["bp"]
