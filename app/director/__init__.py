"""Program directors and districts: cohorts, rosters, accreditation exports, CTC recommendations."""

from app.director import assignments, calendar, pages, recommendations, roster, routes, settings  # noqa: F401  (importing a view module registers its views)
from app.director.blueprint import bp

__all__ = ["bp"]
