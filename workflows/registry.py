"""Versioned pathway definitions.

An enrolment stores (pathway, version, state). Each version's definition keeps its own rules,
so publishing v2 never rewrites a running v1 enrolment; moving an enrolment to a new version is
an explicit, audited act of the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from workflows import casc, induction, pip
from workflows.base import Definition
from workflows.errors import UnknownDefinition
from workflows.facts import Pathway

_DEFINITIONS: dict[tuple[Pathway, int], Definition] = {}

# The version new enrolments are pinned to.
CURRENT_VERSION: dict[str, int] = {Pathway.PIP: 1, Pathway.INDUCTION: 1, Pathway.CASC: 1}


def _pathway(pathway: str) -> Pathway:
    """Parse a pathway name, raising UnknownDefinition for anything else."""
    try:
        return Pathway(pathway)
    except ValueError:
        raise UnknownDefinition(f"unknown pathway {pathway!r}") from None


def register(defn: Definition) -> None:
    """Add a definition; a (pathway, version) already registered cannot be replaced."""
    key = (defn.pathway, defn.version)
    if key in _DEFINITIONS:
        raise ValueError(f"{defn.pathway} v{defn.version} is already registered")
    _DEFINITIONS[key] = defn


def unregister(pathway: str, version: int) -> None:
    """Remove a definition (tests and dry runs only)."""
    _DEFINITIONS.pop((_pathway(pathway), version), None)


@contextmanager
def registered(defn: Definition) -> Iterator[Definition]:
    """Register `defn` for the duration of a block (dry runs, tests)."""
    register(defn)
    try:
        yield defn
    finally:
        unregister(defn.pathway, defn.version)


def definition(pathway: str, version: int) -> Definition:
    """The definition of `pathway` at `version`; raises UnknownDefinition if there is none."""
    try:
        return _DEFINITIONS[(_pathway(pathway), version)]
    except (KeyError, TypeError):
        raise UnknownDefinition(f"{pathway} has no version {version!r}") from None


def versions(pathway: str) -> list[int]:
    """The registered versions of a pathway, oldest first."""
    p = _pathway(pathway)
    return sorted(v for (q, v) in _DEFINITIONS if q is p)


def current(pathway: str) -> Definition:
    """The definition new enrolments of `pathway` are pinned to."""
    p = _pathway(pathway)
    return definition(p, CURRENT_VERSION[p])


for _defn in (pip.DEFINITION_V1, induction.DEFINITION_V1, casc.DEFINITION_V1):
    register(_defn)
