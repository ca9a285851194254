"""Typed errors the engine raises; the app maps them to HTTP statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflows.facts import Facts
    from workflows.rules import Rule


class WorkflowError(Exception):
    """Base class for every error raised by workflows/."""


class StepBlocked(WorkflowError):
    """The event is valid from this state but rules are unmet (HTTP 422).

    Carries every unmet rule, not just the first, and their plain-language explanations.
    """

    def __init__(self, event: str, unmet: list[Rule], facts: Facts) -> None:
        self.event = event
        self.unmet = list(unmet)
        self.reasons = [rule.explain(facts) for rule in self.unmet]
        super().__init__(f"{event} is blocked: " + " ".join(self.reasons))


class EventNotAllowed(WorkflowError):
    """The event does not exist or does not leave the current state (HTTP 409)."""

    def __init__(self, event: str, state: str) -> None:
        self.event = event
        self.state = state
        super().__init__(f"{event!r} is not possible from state {state!r}")


class UnknownState(WorkflowError):
    """The stored state value is not a state of this pathway version (corrupt data)."""

    def __init__(self, pathway: str, version: int, state: object) -> None:
        self.state = state
        super().__init__(f"{state!r} is not a state of {pathway} v{version}")


class UnknownDefinition(WorkflowError, LookupError):
    """No pathway definition is registered under this pathway and version."""
