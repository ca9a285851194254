"""A plan's editor in parts, one per screen on a phone: the plan as a whole, then one standard (or one item).

Every part is in the one form, so a save (typed, autosaved or without JavaScript) always sends the
whole plan and the service checks it whole; the parts only decide what a screen shows. A form row's
index (`items-<index>-<field>`) is unique across the parts; the rows are read back in index order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from app.services.evidence.plans import PlanShape
from workflows.standards import standard_label

_ITEM_KEY = re.compile(r"^items-(\d{1,3})-([a-z_]+)$")
# What makes a row more than blank: something typed. A standard alone is the part's, not the person's.
_WRITTEN_KINDS = frozenset({"text", "long", "date"})


@dataclass(frozen=True)
class Row:
    """One item's fields in the form, at its form index; `new` for the empty row offered to fill in."""

    index: int
    values: dict[str, Any]
    new: bool = False


@dataclass
class Part:
    """One screen of the editor: the plan's summary, one standard's goals, or one item."""

    number: int
    title: str
    summary: bool = False
    standard: int | None = None  # the standard every row of this part is on (no standard picker shown)
    rows: list[Row] = field(default_factory=list)
    answered: bool = False


def written(shape: PlanShape, values: dict[str, Any]) -> bool:
    """Whether an item's row holds anything a person wrote."""
    return any(str(values.get(f.name) or "").strip() for f in shape.fields if f.kind in _WRITTEN_KINDS)


def parts(shape: PlanShape, summary: dict[str, Any], items: list[dict[str, Any]]) -> list[Part]:
    """The editor's parts, in order, each existing item in one of them and an empty row where one may be added."""
    built: list[Part] = []
    counter = iter(range(1000))

    def add(title: str, **kwargs: Any) -> Part:
        part = Part(len(built) + 1, title, **kwargs)
        built.append(part)
        return part

    if shape.summary:
        add("The plan as a whole", summary=True,
            answered=any(str(summary.get(f.name) or "").strip() for f in shape.summary if f.kind in _WRITTEN_KINDS))
    if shape.standards is not None:
        placed: set[int] = set()
        for number in shape.numbers:
            part = add(standard_label(shape.standards, number), standard=number)
            for position, item in enumerate(items):
                if item.get("standard") == number or str(item.get("standard")) == str(number):
                    part.rows.append(Row(next(counter), item))
                    placed.add(position)
            part.answered = any(written(shape, row.values) for row in part.rows)
            part.rows.append(Row(next(counter), {"standard": number}, new=True))
        strays = [item for position, item in enumerate(items) if position not in placed]
        if strays:  # only a refused form re-shown can hold these: the standard picker lets them be placed
            part = add(f"{shape.item_label}s to place on a standard")
            part.rows = [Row(next(counter), item) for item in strays]
            part.answered = True
        return built
    for number, item in enumerate(items, start=1):
        add(f"{shape.item_label} {number}", rows=[Row(next(counter), item)], answered=written(shape, item))
    add(f"A new {shape.item_label.lower()}", rows=[Row(next(counter), {}, new=True)])
    return built


def current_part(requested: str | None, count: int) -> int | None:
    """The part a page opens on (`?section=N`), or None for every part on one page (`?section=all`)."""
    if requested == "all":
        return None
    number = int(requested) if requested and requested.isdigit() else 1
    return min(max(number, 1), count)


def items_from_form(shape: PlanShape, form: MultiDict) -> list[tuple[int, dict[str, Any]]]:
    """(form index, row) for the rows the form sent, in index order; blank rows and rows ticked for removal
    are dropped."""
    rows: dict[int, dict[str, Any]] = {}
    for key in form:
        match = _ITEM_KEY.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = form.get(key)
    return [(index, row) for index, row in sorted(rows.items())
            if not row.get("remove") and written(shape, row)]
