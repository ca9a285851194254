"""What a pathway package declares with: labelled keys and program settings.

Pure and imported by every pathway package's `keys` and `settings` modules, before any engine
module exists, so it imports nothing of `workflows` but the leaf `vocabulary`. The engine composes each kind of key
(evidence kinds, key dates, counts, flags, sign-offs) from the common ones and every installed
package's own (`workflows.facts`), and the program settings likewise (`workflows.settings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field
from enum import StrEnum
from typing import Any

from workflows.vocabulary import in_sentence

# The words people say for each key, by stored value; filled by `labels()` at import.
_LABELS: dict[str, str] = {}


class Labelled(StrEnum):
    """A key whose members read as words (`label`), registered with `labels()`."""

    @property
    def label(self) -> str:
        """The key as people say it."""
        return _LABELS[self.value]

    @property
    def in_sentence(self) -> str:
        """The key's words inside a sentence, acronyms kept ("official transcripts", "IIP 1")."""
        return in_sentence(_LABELS[self.value])


def labels(enum: type[StrEnum], words: Mapping[Any, str]) -> None:
    """Register the words for every member of `enum`; a member without words fails at import."""
    missing = [m.name for m in enum if m not in words]
    if missing:
        raise ValueError(f"{enum.__qualname__}: no words for {', '.join(missing)}")
    for member, text in words.items():
        _LABELS[enum(member).value] = text


def composed(name: str, base: type[StrEnum], parts: Iterable[type[StrEnum]]) -> Any:
    """One enum holding the members of every part (the common keys and each pathway's).

    A value two parts both declare must carry the same name there: a stored key means one thing.
    """
    members: dict[str, str] = {}
    for part in parts:
        for member in part:
            if members.get(member.name, member.value) != member.value:
                raise ValueError(f"{name}.{member.name} is declared twice with different values")
            clash = [n for n, v in members.items() if v == member.value and n != member.name]
            if clash:
                raise ValueError(f"{name}: {member.value!r} is declared as {clash[0]} and {member.name}")
            members[member.name] = member.value
    make: Any = base  # the functional API: a new enum of `base` with these members
    return make(name, list(members.items()))


def setting(default: Any, doc: str, source: str, *, low: float = 0, high: float,
            conflict: bool = False, pathway: str | None = None, label: str, help: str) -> Any:
    """Declare one program setting once: default, documentation, source, allowed range, and the
    words a director's settings page shows (`label`, `help`).

    `pathway` names the pathway the setting belongs to (None: every pathway), so a director's
    settings page shows a program only its own pathway's settings.
    """
    kind = "tuple" if isinstance(default, tuple) else type(default).__name__
    return field(default=default, metadata={"doc": doc, "source": source, "conflict": conflict,
                                            "low": low, "high": high, "kind": kind,
                                            "pathway": pathway, "label": label, "help": help})
