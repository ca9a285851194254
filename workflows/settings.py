"""Program settings: the thresholds a program may tune, with the rule book's defaults.

Every field documents where its default comes from. Fields marked [C] are values on which the
sources conflict (the rule book's legend), so a program must be able to change them. The app
stores `ProgramSettings.to_mapping()` as JSON on the program (the common settings below and each
installed pathway package's, from its `settings` module) and rebuilds it with
`ProgramSettings.from_mapping()`, which rejects unknown keys and out-of-range values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from workflows import installed
from workflows.declare import setting


class InvalidSetting(ValueError):
    """A program setting has the wrong name, type or range; the message names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name


class CommonSettings:
    """Thresholds every program has, whatever its pathway."""

    signoff_due_days: int = setting(
        7, "Days an approver has for a sign-off task before it is overdue and escalated to the "
        "program director.", "program rule [I]", low=1, high=90,
        label="Days an approver has for a sign-off",
        help="After this the sign-off is overdue and the program director is told.")
    undo_minutes: int = setting(
        10, "Minutes during which an approver may undo their own decision if the step has not "
        "moved on; after that only a program director may reopen it, with a reason.",
        "program rule [I]", low=0, high=1440,
        label="Minutes to undo a decision",
        help="An approver may take back their own decision within this time; later only the director can.")
    recommendation_window_days: int = setting(
        90, "Days the candidate has to answer the fitness questions and pay after a "
        "recommendation before CTC purges it.", "Complete Your Recommendation (CTC)",
        low=1, high=365,
        label="Days the candidate has after a recommendation",
        help="To answer the fitness questions and pay on CTC Online before the CTC removes it.")
    deadline_warning_days: tuple[int, ...] = setting(
        (90, 60, 30, 7), "Days before a deadline on which reminders go out.", "program rule",
        low=1, high=3650,
        label="Days before a deadline to send reminders",
        help="Whole numbers separated by commas, for example 90, 60, 30, 7.")


def _fields(settings: Any) -> tuple[dataclasses.Field[Any], ...]:
    """The settings' fields (the class is made at import, so the type checker cannot see them)."""
    return dataclasses.fields(settings)


class _Settings:
    """What every program's settings can do: validate, store, describe."""

    def __post_init__(self) -> None:
        # Validate here too, so a ProgramSettings built directly in code is as safe as one read
        # from JSON; from_mapping only adds the unknown-key and list->tuple handling.
        for f in _fields(self):
            object.__setattr__(self, f.name, _validated(f, getattr(self, f.name)))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ProgramSettings:
        """Build settings from stored JSON; missing keys take defaults, unknown keys raise."""
        data = dict(data or {})
        known = {f.name for f in _fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidSetting(unknown[0], "is not a program setting")
        return cls(**data)

    def to_mapping(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict (tuples become lists)."""
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
                for f in _fields(self)}

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """Each setting's name, default, documentation, source, [C] marker and pathway (None:
        every pathway), for admin pages."""
        return [{"name": f.name, "default": f.default, "doc": f.metadata["doc"],
                 "source": f.metadata["source"], "conflict": f.metadata["conflict"],
                 "low": f.metadata["low"], "high": f.metadata["high"],
                 "pathway": f.metadata["pathway"]}
                for f in _fields(cls)]


def _declared(declarations: type) -> list[tuple[str, Any, Any]]:
    """The (name, type, field) of each setting a settings class declares."""
    return [(name, kind, declarations.__dict__[name])
            for name, kind in declarations.__annotations__.items()]


# One program's settings: the common ones and every installed pathway's, each with its default.
ProgramSettings: Any = dataclasses.make_dataclass(
    "ProgramSettings",
    [*_declared(CommonSettings), *(f for m in installed.parts("settings") for f in _declared(m.Settings))],
    bases=(_Settings,), frozen=True)
ProgramSettings.__module__ = __name__


def _number(name: str, value: Any, kind: str, low: float, high: float) -> int | float:
    """Check one number's type and range."""
    # bool is a subclass of int; True as "12 months" is a data-entry error, not a number.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSetting(name, f"must be a number, got {value!r}")
    if kind == "int" and not (isinstance(value, int) or float(value).is_integer()):
        raise InvalidSetting(name, f"must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise InvalidSetting(name, f"must be between {low:g} and {high:g}, got {value!r}")
    return int(value) if kind == "int" else float(value)


def _validated(f: dataclasses.Field[Any], value: Any) -> Any:
    """Return the value in canonical form or raise InvalidSetting."""
    kind, low, high = f.metadata["kind"], f.metadata["low"], f.metadata["high"]
    if kind == "bool":
        if not isinstance(value, bool):
            raise InvalidSetting(f.name, f"must be true or false, got {value!r}")
        return value
    if kind == "tuple":
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise InvalidSetting(f.name, f"must be a list of whole numbers, got {value!r}")
        days = [_number(f.name, v, "int", low, high) for v in value]
        if len(set(days)) != len(days):
            raise InvalidSetting(f.name, f"must not repeat a value, got {value!r}")
        return tuple(sorted(days, reverse=True))
    return _number(f.name, value, kind, low, high)
