"""Service administration: background jobs that failed, and emails whose delivery is uncertain."""

from app.admin import clock, routes, sign_on  # noqa: F401  (importing a view module registers its views)
from app.admin.blueprint import bp

__all__ = ["bp"]
