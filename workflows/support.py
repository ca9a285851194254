"""Support records a pathway keeps beside its logs: who records each kind, and its words.

Who *reads* each kind is the pathway's confidentiality table (`workflows.confidentiality`, the
support contents); who *records* it is here. A pathway that keeps none has `support=None`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workflows.confidentiality import Content
from workflows.roles import Role

# The support contents, in the order pages list them.
KINDS = (Content.OBSERVATION, Content.JUST_IN_TIME, Content.STANDARDS_ASSESSMENT, Content.GOAL_REFLECTION,
         Content.DATA_CYCLE, Content.CONNECTION, Content.MENTOR_FEEDBACK)


@dataclass(frozen=True)
class SupportKind:
    """One kind of support record: its name on screen, what one is called, who records it."""

    label: str  # "Observations of experienced colleagues"
    one: str  # "observation", inside a sentence
    action: str  # "Record an observation", the form's heading
    writers: frozenset[Role]
    hint: str = ""  # what it is for, under the form's heading


@dataclass(frozen=True)
class SupportSpec:
    """The support records a pathway keeps, by content kind."""

    kinds: Mapping[Content, SupportKind]

    def writers(self, kind: Content) -> frozenset[Role]:
        """The roles that record `kind` (none for a kind the pathway does not keep)."""
        spec = self.kinds.get(kind)
        return spec.writers if spec else frozenset()

    def may_write(self, roles: frozenset[Role], kind: Content) -> bool:
        """Whether someone holding `roles` records `kind`."""
        return bool(roles & self.writers(kind))
