"""Setting up a district: organisations, their programs and their staff (service administrators,
directors and district HR), and the link by which invited staff join."""

from app.organisations import routes, staff  # noqa: F401  (importing a view module registers its views)
from app.organisations.blueprint import bp

__all__ = ["bp"]
