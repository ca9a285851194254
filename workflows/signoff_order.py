"""The order in which several roles give one sign-off: parallel unless listed here.

Most multi-role sign-offs are parallel: PIP's plan (site administrator and district HR, rule book
§1.5 A5) and intern readiness (credential analyst and intern program, A10) are given in any order.
The Early Completion Option is sequential: the employer (district HR) consents first, and the
program director decides on an application the employer already backs (§2.3; programs' ECO
criteria ask for employer letters first) [I]. A later role's task is queued only once every
earlier role has signed.
"""

from __future__ import annotations

from collections.abc import Mapping

from workflows.facts import Pathway, SignOff
from workflows.roles import Role

SEQUENTIAL: Mapping[tuple[Pathway, SignOff], tuple[Role, ...]] = {
    (Pathway.INDUCTION, SignOff.ECO_APPROVED): (Role.DISTRICT_HR, Role.PROGRAM_DIRECTOR),
}


def earlier_roles(pathway: str, key: str, role: str) -> tuple[Role, ...]:
    """The roles that must sign `key` before `role` may (empty when parallel or first)."""
    order = SEQUENTIAL.get((Pathway(pathway), SignOff(key)), ())
    role_ = Role(role)
    return order[:order.index(role_)] if role_ in order else ()


def later_roles(pathway: str, key: str, role: str) -> tuple[Role, ...]:
    """The roles that sign `key` after `role` in a sequential sign-off."""
    order = SEQUENTIAL.get((Pathway(pathway), SignOff(key)), ())
    role_ = Role(role)
    return order[order.index(role_) + 1:] if role_ in order else ()
