"""Approvers' inbox: sign-off tasks for the roles a person holds, panels and delegations."""

from app.inbox import delegations, panels, previews, queue_actions, routes  # noqa: F401  (importing a view module registers its views)
from app.inbox.blueprint import bp

__all__ = ["bp"]
