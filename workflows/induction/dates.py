"""The Teacher Induction's due dates, shared by its rules and deadlines (see `workflows.dates`)."""

from __future__ import annotations

from datetime import date

from workflows.dates import add_years, after
from workflows.facts import Facts
from workflows.induction.keys import KeyDate
from workflows.keys import CommonDate


def preliminary_expires_on(facts: Facts) -> date | None:
    """Preliminary credential expiry: recorded date, else issue + preliminary_validity_years."""
    explicit = facts.date_of(KeyDate.PRELIMINARY_EXPIRES_ON)
    issued = facts.date_of(KeyDate.PRELIMINARY_ISSUED_ON)
    if explicit is not None:
        return explicit
    return None if issued is None else add_years(issued, facts.settings.preliminary_validity_years)


def mentor_due_on(facts: Facts) -> date | None:
    """Last day to assign an induction mentor (enrolment + mentor_assignment_days)."""
    return after(facts.date_of(CommonDate.ENROLLED_ON), facts.settings.mentor_assignment_days)


def ilp_goals_due_on(facts: Facts) -> date | None:
    """Last day to set ILP goals (enrolment + ilp_goals_days)."""
    return after(facts.date_of(CommonDate.ENROLLED_ON), facts.settings.ilp_goals_days)
