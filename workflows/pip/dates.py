"""The PIP pathway's due dates, shared by its rules and deadlines (see `workflows.dates`)."""

from __future__ import annotations

from datetime import date

from workflows.dates import add_months
from workflows.facts import Facts
from workflows.pip.keys import KeyDate


def pip_expires_on(facts: Facts) -> date | None:
    """PIP expiry: the recorded expiry date, else issue date + pip_validity_months."""
    explicit = facts.date_of(KeyDate.PERMIT_EXPIRES_ON)
    issued = facts.date_of(KeyDate.PERMIT_ISSUED_ON)
    if explicit is not None:
        return explicit
    return None if issued is None else add_months(issued, facts.settings.pip_validity_months)
