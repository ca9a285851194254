"""Every domain command, in packages by what it serves; and the errors every command raises.

A route calls one command and commits once, so a request is one transaction. The packages:
enrollments (the pathway and its facts), evidence (what candidates file), signoffs (sign-offs and
their tasks), team (accounts and the people around a candidate), programs (what a program runs),
notifications (the outbox, emails and the daily sweep). An error's `status` is its HTTP status.
"""

from __future__ import annotations

from typing import Any


class PathwayError(Exception):
    """A command on an enrolment that cannot be carried out; `status` is the HTTP status."""

    status = 400

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = reasons or []


class Blocked(PathwayError):
    """The step's rules are not all met (every unmet rule is in `reasons`)."""

    status = 422
    # Set where the step was tried: whether some unmet rule is a sign-off, and the facts it saw.
    awaits_signoffs = False
    facts: Any = None


class Conflict(PathwayError):
    """The enrolment moved on, or changed under the request."""

    status = 409


class NotPermitted(PathwayError):
    """The person holds no role that may ask for this step."""

    status = 403


class NotFound(PathwayError):
    """No such enrolment (or none this person may see)."""

    status = 404
