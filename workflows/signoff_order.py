"""The order in which several roles give one sign-off: any order unless the pathway says.

Most multi-role sign-offs are parallel. A pathway lists the ones given in turn
(`PathwayPlugin.sequential_signoffs`: an employer who consents before the program director
decides, say); a later role's task is queued only once every earlier role has signed.
"""

from __future__ import annotations

from workflows.facts import SignOff
from workflows.registry import plugin
from workflows.roles import Role


def _order(pathway: str, key: str) -> tuple[Role, ...]:
    """The roles that give `key` in turn on `pathway` (empty when in any order)."""
    return plugin(pathway).sequential_signoffs.get(SignOff(key), ())


def earlier_roles(pathway: str, key: str, role: str) -> tuple[Role, ...]:
    """The roles that must sign `key` before `role` may (empty when parallel or first)."""
    order, role_ = _order(pathway, key), Role(role)
    return order[:order.index(role_)] if role_ in order else ()


def later_roles(pathway: str, key: str, role: str) -> tuple[Role, ...]:
    """The roles that sign `key` after `role` in a sequential sign-off."""
    order, role_ = _order(pathway, key), Role(role)
    return order[order.index(role_) + 1:] if role_ in order else ()
