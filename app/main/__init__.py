"""The home page, the health check and the installable app's shell."""

from app.main import app_shell, routes  # noqa: F401  (importing a view module registers its views)
from app.main.blueprint import bp

__all__ = ["bp"]
