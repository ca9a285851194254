"""Program settings for directors: a form built from ProgramSettings, validated, audited.

The program stores only its overrides of the rule book's defaults. Enrolments are pinned to a
pathway definition version; a setting changes what an enrolment sees only if that version's
rules read it, so the page lists, per setting, how many open enrolments the change reaches.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.models import AuditEvent, Enrollment, Program, User
from app.services.enrollments.facts import CALENDAR_KEY, program_settings
from app.services.enrollments.pathways import is_final
from workflows.registry import CURRENT_VERSION, definition, plugins
from workflows.settings import InvalidSetting, ProgramSettings


def groups() -> dict[str, str]:
    """Each settings group's heading: every pathway's title, then the program-wide ones."""
    return {**{p.name: p.title for p in plugins()}, "": "Every pathway"}


@dataclass(frozen=True)
class SettingField:
    """One setting as the form shows it."""

    name: str
    label: str
    kind: str  # int | float | bool | tuple
    value: Any
    default: Any
    doc: str
    source: str
    conflict: bool
    low: float
    high: float
    read_by_pathway: bool
    group: str = ""  # the pathway it belongs to ("": every pathway)
    help: str = ""

    @property
    def range_words(self) -> str:
        """The allowed values and the rule book's, in a sentence (nothing for a yes/no setting)."""
        if self.kind == "bool":
            return f"The rule book says {'yes' if self.default else 'no'}."
        whole = "whole numbers" if self.kind in ("int", "tuple") else "numbers"
        return f"The rule book says {self.shown_default}; {whole} from {self.low:g} to {self.high:g}."

    @property
    def shown(self) -> str:
        """The value as the input shows it (no needless decimals: 120, not 120.0)."""
        return _text(self.value, self.kind)

    @property
    def shown_default(self) -> str:
        """The documented default, as text."""
        return _text(self.default, self.kind)

    @property
    def source_words(self) -> str:
        """The source without the rule book's legend marks ("program rule [I]" -> "program rule")."""
        return re.sub(r"\s*\[[A-Z]\]", "", self.source)


def _text(value: Any, kind: str) -> str:
    if kind == "tuple":
        return ", ".join(str(v) for v in value)
    return f"{value:g}" if kind == "float" else str(value)


def _rule_settings(pathway: str, version: int) -> set[str]:
    """The settings a pathway version's rules name."""
    return {rule.setting for rule in definition(pathway, version).rules.values() if rule.setting}


def read_by(pathway: str, version: int) -> set[str]:
    """The settings a pathway version reads: its rules' own, plus those no pathway's rule names
    (reminders, sign-off tasks, panels), which apply program-wide."""
    named_anywhere = set().union(*(_rule_settings(p, v) for p, v in CURRENT_VERSION.items()))
    everything = {f.name for f in dataclasses.fields(ProgramSettings)}
    return _rule_settings(pathway, version) | (everything - named_anywhere)


def fields(program: Program) -> list[SettingField]:
    """The settings of the program's pathway, then the program-wide ones, with value, default and words."""
    current = program_settings(program)
    read = read_by(program.pathway, CURRENT_VERSION[program.pathway])
    result = []
    for f in dataclasses.fields(ProgramSettings):
        group = f.metadata["pathway"] or ""
        if group not in ("", program.pathway):
            continue
        result.append(SettingField(
            name=f.name, label=f.metadata["label"], kind=f.metadata["kind"],
            value=getattr(current, f.name), default=f.default, doc=f.metadata["doc"], source=f.metadata["source"],
            conflict=f.metadata["conflict"], low=f.metadata["low"], high=f.metadata["high"],
            read_by_pathway=f.name in read, group=group, help=f.metadata["help"]))
    return sorted(result, key=lambda s: s.group == "")


def parse_form(form: Mapping[str, str], program: Program | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn submitted text into typed values; returns (values, per-field errors). With `program`, only its
    page's settings are read from the form; the others (another pathway's) keep the program's values."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    shown = {f.name for f in fields(program)} if program is not None else None
    kept = program_settings(program).to_mapping() if program is not None else {}
    for f in dataclasses.fields(ProgramSettings):
        if shown is not None and f.name not in shown:
            values[f.name] = kept[f.name]
            continue
        kind = f.metadata["kind"]
        if kind == "bool":
            values[f.name] = form.get(f.name) in ("on", "true", "1", "yes")
            continue
        raw = (form.get(f.name) or "").strip()
        if not raw:
            errors[f.name] = "Enter a value (the rule book's is shown under the field)."
            continue
        try:
            if kind == "tuple":
                values[f.name] = [int(part) for part in raw.replace(" ", "").split(",") if part]
            elif kind == "int":
                values[f.name] = int(raw)
            else:
                values[f.name] = float(raw)
        except ValueError:
            errors[f.name] = f"“{raw}” is not {'a list of whole numbers' if kind == 'tuple' else 'a number'}."
    return values, errors


def validate(values: dict[str, Any]) -> tuple[ProgramSettings | None, dict[str, str]]:
    """Check each value through ProgramSettings; every invalid field is named."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        try:
            ProgramSettings.from_mapping({name: value})
        except InvalidSetting as error:
            # "must be between 0 and 52, got 60" -> "Must be between 0 and 52." (the value is in the field)
            message = str(error).split(": ", 1)[-1].split(", got ")[0]
            errors[error.field_name] = message[:1].upper() + message[1:] + "."
    if errors:
        return None, errors
    return ProgramSettings.from_mapping(values), {}


def overrides(settings: ProgramSettings) -> dict[str, Any]:
    """Only the values that differ from the rule book's defaults (what the program stores)."""
    defaults = ProgramSettings().to_mapping()
    return {k: v for k, v in settings.to_mapping().items() if defaults[k] != v}


def reach(session: Session, program: Program, changed: set[str]) -> dict[str, int]:
    """For each changed setting, how many open enrolments' pinned versions read it."""
    versions = Counter(e.pathway_version for e in session.exec(select(Enrollment).where(
        Enrollment.program_id == program.id)).all() if not is_final(e))
    return {name: sum(n for version, n in versions.items() if name in read_by(program.pathway, version))
            for name in sorted(changed)}


def save(session: Session, program: Program, settings: ProgramSettings, actor: User) -> dict[str, Any]:
    """Store the new overrides with an audit of before and after; returns what changed (caller commits)."""
    before = program_settings(program).to_mapping()
    after = settings.to_mapping()
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if not changed:
        return {}
    # The school calendar shares the JSON (its own page edits it): kept as it is.
    calendar = {CALENDAR_KEY: program.settings[CALENDAR_KEY]} if CALENDAR_KEY in (program.settings or {}) else {}
    program.settings = {**overrides(settings), **calendar}
    session.add(program)
    session.add(AuditEvent(actor_id=actor.id, action="program.settings_changed",
                           details={"program_id": program.id, "changed": changed,
                                    "reach": reach(session, program, set(changed))}))
    return changed
