"""The home page and the health check."""

from app.main import routes  # noqa: F401  (importing a view module registers its views)
from app.main.blueprint import bp

__all__ = ["bp"]
