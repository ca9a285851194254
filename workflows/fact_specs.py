"""Each fact a person records, declared once: what it is called, who owns it, its bounds and source.

A fact is a key date, a declared number or a yes/no fact kept on the enrolment. The people who own
a fact record it (confirmed at once); a candidate may *claim* the facts they know first (a permit's
issue date they type at sign-up), and no rule counts a claim until an owner confirms it. Facts the
product works out by itself (a mentor's assignment date, hours from signed logs) are listed as
derived, with where they come from, so a test can tell that every fact has a writer.

Each pathway package declares its own (`PathwayPlugin.facts`, `.derived`); the common ones are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workflows.facts import Count, Flag, KeyDate
from workflows.keys import CommonCount, CommonDate
from workflows.roles import Role
from workflows.rules import role_name


def key_of(name: str) -> KeyDate | Count | Flag:
    """A fact's name as its composed key (a key date, a count or a flag)."""
    for kind in (KeyDate, Count, Flag):
        try:
            return kind(name)
        except ValueError:
            continue
    raise ValueError(f"{name!r} is not a key date, count or flag")


@dataclass(frozen=True)
class FactSpec:
    """One recordable fact: what it is called, who owns it, and where its value comes from."""

    key: str  # a KeyDate, Count or Flag value
    label: str
    help: str
    source: str
    owners: frozenset[Role]
    pathway: str | None = None  # None: every pathway
    claimable: bool = False  # the candidate may enter it; an owner confirms it
    needs_reason: bool = False  # a yes/no fact that is an exception: recorded with a reason
    maximum: float | None = None  # for numbers

    def __post_init__(self) -> None:
        # Hold the composed key (KeyDate, Count or Flag), whatever enum the package named it by.
        object.__setattr__(self, "key", key_of(self.key))

    @property
    def name(self) -> str:
        """The stored name (an Enrollment column, or the flag's value)."""
        return str(self.key)

    @property
    def pathways(self) -> frozenset[str]:
        """The pathways that keep it (empty: every pathway)."""
        return frozenset() if self.pathway is None else frozenset({self.pathway})

    def applies_to(self, pathway: str) -> bool:
        """Whether an enrolment of `pathway` keeps this fact."""
        return self.pathway is None or self.pathway == pathway

    @property
    def owners_text(self) -> str:
        """Who records it, in a sentence: "credential analyst or district HR"."""
        return " or ".join(sorted(role_name(role) for role in self.owners))

    @property
    def kind(self) -> str:
        """"date", "number" or "flag"."""
        return "date" if isinstance(self.key, KeyDate) else "number" if isinstance(self.key, Count) else "flag"


def fact(key: str, label: str, help: str, source: str, *owners: Role, pathway: str | None = None,
         claimable: bool = False, needs_reason: bool = False, maximum: float | None = None) -> FactSpec:
    """Declare one recordable fact."""
    return FactSpec(key, label, help, source, frozenset(owners), pathway, claimable, needs_reason, maximum)


COMMON_FACTS = (
    fact(CommonDate.ENROLLED_ON, "Enrolment date", "The day the program enrolled you; the 30- and 60-day "
         "windows count from it.", "Enrolment agreement with the program", Role.PROGRAM_DIRECTOR),
)
COMMON_DERIVED: Mapping[str, str] = {
    CommonDate.RECOMMENDED_ON: "the day the program submitted the CTC recommendation",
    CommonCount.SELF_ASSESSMENTS: "self-assessments the candidate recorded",
}
