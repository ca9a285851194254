"""The CASC's due dates, shared by its rules and deadlines (see `workflows.dates`)."""

from __future__ import annotations

from datetime import date

from workflows.casc.keys import KeyDate
from workflows.dates import add_years, after
from workflows.facts import Facts


def pasc_expires_on(facts: Facts) -> date | None:
    """PASC expiry: recorded date, else issue + pasc_validity_years; None for a Certificate of
    Eligibility only (it has no expiry)."""
    explicit = facts.date_of(KeyDate.PASC_EXPIRES_ON)
    issued = facts.date_of(KeyDate.PASC_ISSUED_ON)
    if explicit is not None:
        return explicit
    return None if issued is None else add_years(issued, facts.settings.pasc_validity_years)


def coach_due_on(facts: Facts) -> date | None:
    """Last day to assign a CASC coach (admission + coach_assignment_days)."""
    return after(facts.date_of(KeyDate.ADMITTED_ON), facts.settings.coach_assignment_days)


def enrolment_window_closes_on(facts: Facts) -> date | None:
    """Last day to be admitted to CASC (admin start + casc_enrolment_window_days)."""
    return after(facts.date_of(KeyDate.ADMIN_POSITION_STARTED_ON),
                 facts.settings.casc_enrolment_window_days)


def enrolment_warning_on(facts: Facts) -> date | None:
    """The CTC PS1 120-day mark after starting the admin position."""
    return after(facts.date_of(KeyDate.ADMIN_POSITION_STARTED_ON),
                 facts.settings.casc_enrolment_warning_days)
