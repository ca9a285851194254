"""A shared plan, frozen as a PDF: the document the team verifies and sign-offs bind to.

Sharing a plan files this rendering as the plan's evidence (ILP, IIP 1/2, PIP plans), so a plan
goes through the same verify / send back / SHA-256 binding as any uploaded document, and editing
and re-sharing it withdraws the sign-offs that relied on the old revision. The same revision
renders to the same bytes (pdf_document: dated by the revision's own save, not by the clock).

Plans on standards (ILP, IIPs) print a table of goals by standard, then each standard's goals in
full; plans of actions (PIP) print one table, a row an item, as the team works through it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from app.models import Plan
from app.services.evidence.pdf_document import Document, Facts, Section, Table, render
from app.zones import day_in_words
from workflows.standards import StandardSet, standard_label


# What this module reads of plans.PlanField and plans.PlanShape (plans imports this module, not the reverse).
class PlanField(Protocol):
    name: str
    label: str
    kind: str
    choices: tuple[tuple[str, str], ...]


class PlanShape(Protocol):
    title: str
    purpose: str
    source: str
    item_label: str
    fields: tuple[PlanField, ...]
    summary: tuple[PlanField, ...]
    standards: StandardSet | None
    numbers: tuple[int, ...]


def plan_pdf(shape: PlanShape, plan: Plan, candidate: str, program: str) -> bytes:
    """The plan's revision as a PDF."""
    return render(document(shape, plan, candidate, program))


def file_name(label: str, revision: int) -> str:
    """The shared plan's file name: "IIP 1 (CPSEL 1–3), revision 2.pdf"."""
    return f"{label}, revision {revision}.pdf"


def document(shape: PlanShape, plan: Plan, candidate: str, program: str) -> Document:
    """The plan as a printed document: who and which revision, what it is for, then its content."""
    saved: datetime = plan.updated_at or plan.created_at
    facts = (("Candidate", candidate), ("Program", program),
             ("Revision", f"Revision {plan.revision}, saved {day_in_words(saved)}"), ("Source", shape.source))
    summary = [Facts(((f.label, shown(shape, f, plan.summary[f.name])),)) for f in shape.summary
               if plan.summary.get(f.name) not in (None, "")]
    sections = [Section("About this plan", (shape.purpose, *summary))]
    sections += _by_standard(shape, plan) if shape.standards is not None else [_as_table(shape, plan)]
    return Document(title=shape.title, created=saved, facts=facts, sections=tuple(sections),
                    subject=f"{shape.title} for {candidate}",
                    footer=f"{candidate} · {shape.title} · revision {plan.revision}")


def _by_standard(shape: PlanShape, plan: Plan) -> list[Section]:
    assert shape.standards is not None
    goals = [item for item in plan.items if item.get("standard") is not None]
    overview = Table(("Standard", f"{shape.item_label}s"),
                     tuple((standard_label(shape.standards, n), str(sum(1 for g in goals if g["standard"] == n)))
                           for n in shape.numbers), widths=(5, 1))
    sections = [Section(f"{shape.item_label}s by standard", (overview,))]
    others = [f for f in shape.fields if f.kind != "standard"]
    for n in shape.numbers:
        mine = [item for item in goals if item["standard"] == n]
        if not mine:
            continue
        sections.append(Section(standard_label(shape.standards, n)))
        for number, item in enumerate(mine, start=1):
            pairs = tuple((f.label, shown(shape, f, item[f.name])) for f in others if item.get(f.name) not in (None, ""))
            heading = f"{shape.item_label} {number}" if len(mine) > 1 else shape.item_label
            sections.append(Section(heading, (Facts(pairs),), level=2))
    return sections


def _as_table(shape: PlanShape, plan: Plan) -> Section:
    # Sentences get the room; a name or role next; a date, a status or a tick the least.
    widths = tuple(3 if f.kind == "long" or f.name == "gap" else 2 if f.kind == "text" else 1.4 for f in shape.fields)
    rows = tuple(tuple(shown(shape, f, item.get(f.name)) for f in shape.fields) for item in plan.items)
    return Section(f"{shape.item_label}s", (Table(tuple(f.label for f in shape.fields), rows, widths),))


def shown(shape: PlanShape, field: PlanField, value: Any) -> str:
    """A stored value as the plan's reader says it ("CPSEL 2: …", "June 1, 2026", "Done")."""
    if value in (None, ""):
        return "" if field.kind != "check" else "No"
    if field.kind == "standard" and shape.standards is not None:
        return standard_label(shape.standards, int(value))
    if field.kind == "check":
        return "Yes" if value else "No"
    if field.kind == "choice":
        return dict(field.choices).get(value, str(value))
    if field.kind == "date":
        return day_in_words(datetime.fromisoformat(str(value)).date())
    return str(value)
