"""Every fact a pathway rule reads, with its owner, as the facts page asks: each is declared once, in
`workflows.fact_specs` (the common ones) or its pathway package (see `workflows.fact_specs`)."""

from __future__ import annotations

from datetime import date

from workflows.fact_specs import COMMON_DERIVED, COMMON_FACTS, FactSpec, key_of
from workflows.facts import Count, Flag, KeyDate
from workflows.registry import plugins
from workflows.roles import Role

__all__ = ["BY_NAME", "DERIVED", "FACTS", "FactSpec", "may_claim", "may_record", "parse", "specs_for"]

# Every recordable fact, the common ones first, then each installed pathway's (its package declares them).
FACTS: tuple[FactSpec, ...] = (*COMMON_FACTS, *(spec for p in plugins() for spec in p.facts))
BY_NAME = {spec.name: spec for spec in FACTS}


# Facts the product works out itself: where each comes from (shown on the facts page and in tests).
DERIVED: dict[KeyDate | Count | Flag, str] = {
    key_of(k): v for k, v in [*COMMON_DERIVED.items(), *(i for p in plugins() for i in p.derived.items())]}


def specs_for(pathway: str) -> list[FactSpec]:
    """The recordable facts of a pathway, in the order of the facts page."""
    return [spec for spec in FACTS if spec.applies_to(pathway)]


def may_record(spec: FactSpec, roles: frozenset[Role]) -> bool:
    """Whether these roles record the fact as confirmed."""
    return bool(spec.owners & roles)


def may_claim(spec: FactSpec, roles: frozenset[Role]) -> bool:
    """Whether these roles may enter the fact as a claim (the candidate, for facts they know)."""
    return spec.claimable and Role.CANDIDATE in roles


def parse(spec: FactSpec, raw: str | None) -> date | float | bool | None:
    """The typed value of a form entry; an empty entry clears the fact. ValueError says why not."""
    text = (raw or "").strip()
    if spec.kind == "flag":
        if text not in ("yes", "no"):
            raise ValueError(f"Choose yes or no for “{spec.label}”.")
        return text == "yes"
    if not text:
        return None
    if spec.kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"“{text}” is not a date; use the date picker or YYYY-MM-DD.") from None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"“{spec.label}” must be a number, not “{text}”.") from None
    if not 0 <= number <= (spec.maximum or 60):
        raise ValueError(f"“{spec.label}” must be between 0 and {spec.maximum or 60:g}.")
    return number
