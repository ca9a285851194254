"""The installed pathways and their versioned definitions.

Every installed pathway package (see `workflows.installed`) hands over one `PathwayPlugin`; the
engine and the app ask here for every list, label and definition, never name a pathway.

An enrolment stores (pathway, version, state). Each version's definition keeps its own rules,
so publishing v2 never rewrites a running v1 enrolment; moving an enrolment to a new version is
an explicit, audited act of the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from workflows import installed
from workflows.base import Definition
from workflows.errors import UnknownDefinition
from workflows.fact_specs import COMMON_FACTS
from workflows.facts import Pathway
from workflows.pathway import PathwayPlugin
from workflows.rules import declare_recordable

_PLUGINS: dict[str, PathwayPlugin] = {}
_DEFINITIONS: dict[tuple[Pathway, int], Definition] = {}

# The version new enrolments are pinned to, per pathway.
CURRENT_VERSION: dict[str, int] = {}


def _pathway(pathway: str) -> Pathway:
    """Parse a pathway name, raising UnknownDefinition for anything else."""
    try:
        return Pathway(pathway)
    except ValueError:
        raise UnknownDefinition(f"unknown pathway {pathway!r}") from None


def plugin(pathway: str) -> PathwayPlugin:
    """Everything about one installed pathway; raises UnknownDefinition for any other name."""
    try:
        return _PLUGINS[_pathway(pathway)]
    except KeyError:
        raise UnknownDefinition(f"unknown pathway {pathway!r}") from None


def plugins() -> list[PathwayPlugin]:
    """Every installed pathway, in installation order."""
    return list(_PLUGINS.values())


def names() -> list[str]:
    """Every installed pathway's name, in installation order."""
    return list(_PLUGINS)


def labels() -> dict[str, str]:
    """Pathway name -> its label, in installation order (for pickers and headings)."""
    return {p.name: p.label for p in _PLUGINS.values()}


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


def _install(plug: PathwayPlugin) -> None:
    """Take one pathway package's plug-in: its versions and the current one."""
    _PLUGINS[plug.name] = plug
    CURRENT_VERSION[plug.name] = plug.current_version
    for defn in plug.definitions:
        register(defn)
    declare_recordable(plug.name, [spec for spec in (*COMMON_FACTS, *plug.facts)
                                   if spec.kind != "date" and spec.applies_to(plug.name)])


for _module in installed.parts("pathway"):
    _install(_module.PATHWAY)
