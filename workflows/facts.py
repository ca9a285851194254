"""The facts snapshot: everything the rules may look at for ONE enrolment, as plain data.

The app builds a `Facts` from the database for each command or page; `workflows/` never reads
the database. Keys are StrEnums whose values are what the app stores, so a plain `dict[str, ...]`
from the database works; unknown keys raise ValueError at construction (a typo never silently
counts as "missing").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from workflows import installed, keys
from workflows.declare import Labelled, composed
from workflows.roles import Role
from workflows.school_calendar import EVERY_WEEK, SchoolCalendar
from workflows.settings import ProgramSettings


class PathwayName(StrEnum):
    """Base of `Pathway`: an installed pathway's name, as the database stores it."""


def _keys(kind: str) -> list[type[StrEnum]]:
    """The common keys of `kind` (a `workflows.keys` class) and every installed pathway's."""
    return [getattr(module, kind) for module in installed.parts("keys") if hasattr(module, kind)]


if TYPE_CHECKING:
    # The members are known only once the installed packages are imported: to the type checker each
    # composed key is its (memberless) kind, and code names members through a package's own keys.
    class Pathway(PathwayName): ...
    class KeyDate(StrEnum): ...
    class EvidenceKind(Labelled): ...
    class Count(StrEnum): ...
    class Flag(StrEnum): ...
    class SignOff(Labelled): ...
else:
    # Every installed pathway, by name (`Pathway.PIP == "pip"`); the registry holds what each is.
    Pathway = composed("Pathway", PathwayName, [
        PathwayName("Installed", [(m.NAME.upper(), m.NAME) for m in installed.parts("keys")])])
    # Each kind of key: the common ones and every installed pathway's own (see `workflows.keys`).
    KeyDate = composed("KeyDate", StrEnum, [keys.CommonDate, *_keys("KeyDate")])
    EvidenceKind = composed("EvidenceKind", Labelled, [keys.CommonEvidence, *_keys("EvidenceKind")])
    Count = composed("Count", StrEnum, [keys.CommonCount, *_keys("Count")])
    Flag = composed("Flag", StrEnum, _keys("Flag"))
    SignOff = composed("SignOff", Labelled, [keys.CommonSignOff, *_keys("SignOff")])


class EvidenceStatus(StrEnum):
    """Where an uploaded document stands; only VERIFIED satisfies a rule."""

    MISSING = "missing"
    SUBMITTED = "submitted"  # shown as "awaiting verification"
    VERIFIED = "verified"
    SENT_BACK = "sent_back"


def signoff_label(key: str) -> str:
    """A stored sign-off key in words; a key a later version retired still reads as words."""
    try:
        return SignOff(key).label
    except ValueError:
        return key.replace("_", " ").capitalize()


E = TypeVar("E", bound=StrEnum)


def _keyed(enum: type[E], data: Mapping[Any, Any], what: str) -> Mapping[E, Any]:
    """Copy a mapping with its keys converted to `enum`, read-only."""
    try:
        return MappingProxyType({enum(k): v for k, v in data.items()})
    except ValueError as err:
        raise ValueError(f"unknown {what}: {err}") from None


def _signoffs(pairs: Iterable[tuple[Any, Any]]) -> frozenset[tuple[SignOff, Role]]:
    """Normalise sign-off pairs to (SignOff, Role)."""
    try:
        return frozenset((SignOff(k), Role(r)) for k, r in pairs)
    except ValueError as err:
        raise ValueError(f"unknown sign-off: {err}") from None


@dataclass(frozen=True)
class Facts:
    """A snapshot of one enrolment, built by the app from the database."""

    pathway: Pathway
    today: date  # in the organisation's local zone (see deadlines.local_today)
    settings: ProgramSettings = field(default_factory=ProgramSettings)
    # The program's school calendar, for weekly requirements. The app always passes the program's
    # (California's school year unless it edited it); facts built without one count every week.
    calendar: SchoolCalendar = EVERY_WEEK
    dates: Mapping[str, date] = field(default_factory=dict)  # KeyDate -> day
    evidence: Mapping[str, EvidenceStatus] = field(default_factory=dict)  # EvidenceKind -> status
    signoffs: frozenset[tuple[str, Role]] = frozenset()  # (SignOff, role)
    counts: Mapping[str, float] = field(default_factory=dict)  # Count -> total
    flags: frozenset[str] = frozenset()  # Flag values
    # Facts the candidate typed that no owning role has confirmed yet (KeyDate/Count/Flag values):
    # the value is there for deadlines and display, but no rule counts it as recorded.
    claimed: frozenset[str] = frozenset()
    # Yes/no facts an owner recorded as "no" (a flag set is recorded as "yes"): a flag in neither is
    # not recorded, and no rule reads its absence as an answer.
    answered_no: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Normalise once, so every rule can index by enum and nothing downstream can mutate it.
        set_ = object.__setattr__
        set_(self, "pathway", Pathway(self.pathway))
        # datetime is a subclass of date; rules compare calendar days only, in the local zone.
        if not _is_day(self.today):
            raise ValueError("today must be a date (use deadlines.local_today), not a datetime")
        set_(self, "dates", _keyed(KeyDate, self.dates, "key date"))
        for key, value in self.dates.items():
            if not _is_day(value):
                raise ValueError(f"{key} must be a date, got {value!r}")
        set_(self, "evidence", MappingProxyType(
            {k: EvidenceStatus(v) for k, v in _keyed(EvidenceKind, self.evidence, "evidence kind").items()}))
        set_(self, "signoffs", _signoffs(self.signoffs))
        set_(self, "counts", _keyed(Count, self.counts, "count"))
        for key, total in self.counts.items():
            if isinstance(total, bool) or not isinstance(total, int | float) or total < 0:
                raise ValueError(f"{key} must be a number >= 0, got {total!r}")
        try:
            set_(self, "flags", frozenset(Flag(f) for f in self.flags))
        except ValueError as err:
            raise ValueError(f"unknown flag: {err}") from None
        known = {m.value for enum in (KeyDate, Count, Flag) for m in enum}
        if not set(self.claimed) <= known:
            raise ValueError(f"unknown claimed fact: {sorted(set(self.claimed) - known)}")
        set_(self, "claimed", frozenset(str(c) for c in self.claimed))
        try:
            set_(self, "answered_no", frozenset(Flag(f) for f in self.answered_no))
        except ValueError as err:
            raise ValueError(f"unknown flag answered no: {err}") from None

    def date_of(self, key: str) -> date | None:
        """The key date, or None when not recorded."""
        return self.dates.get(key)

    def status(self, kind: str) -> EvidenceStatus:
        """The evidence's status (MISSING when absent)."""
        return self.evidence.get(kind, EvidenceStatus.MISSING)

    def verified(self, kind: str) -> bool:
        """Whether the evidence is verified (the only status that satisfies a rule)."""
        return self.status(kind) is EvidenceStatus.VERIFIED

    def signed(self, key: str, role: Role) -> bool:
        """Whether `role` has given sign-off `key`."""
        return (key, role) in self.signoffs

    def count(self, key: str) -> float:
        """The total (0 when not recorded)."""
        return float(self.counts.get(key, 0))

    def flag(self, key: str) -> bool:
        """Whether the flag is set."""
        return key in self.flags

    def is_recorded(self, key: str) -> bool:
        """Whether a date, number or yes/no fact has a recorded value (a count defaults to 0 and a
        flag to "no" for reading, but neither is recorded until someone records it)."""
        if key in _DATE_KEYS:
            return key in self.dates
        if key in _COUNT_KEYS:
            return key in self.counts
        return key in self.flags or key in self.answered_no

    def is_claimed(self, key: str | None) -> bool:
        """Whether this fact is only claimed by the candidate, not yet confirmed by its owner."""
        return key is not None and str(key) in self.claimed

    def replace(self, **changes: Any) -> Facts:
        """A copy with some fields replaced (handy for tests and dry runs)."""
        return dataclasses.replace(self, **changes)


_DATE_KEYS = frozenset(m.value for m in KeyDate)
_COUNT_KEYS = frozenset(m.value for m in Count)


def _is_day(value: object) -> bool:
    """Whether value is a calendar date (and not a datetime)."""
    return isinstance(value, date) and not isinstance(value, datetime)
