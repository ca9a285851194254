"""The enrolment workspace: where a candidate stands, what is missing, and the steps forward."""

from app.candidate import enrol, export, facts, log_book, meetings, plans, resources, routes, sections, support, team  # noqa: F401  (importing a view module registers its views)
from app.candidate.blueprint import bp

__all__ = ["bp"]
