"""The demo candidates' enrolments (filled in once the pathway engine lands)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session


def seed_enrollments(session: Session, today: date, programs: dict, candidates: dict, approvers: dict,
                     grant: Callable[..., Any]) -> None:
    """Place each demo candidate part-way along their pathway."""
