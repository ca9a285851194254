"""Plans a candidate keeps with their team: PIP Personalized and Action Plans, the ILP, the IIPs.

One plan per kind per enrolment, edited in place: each save is checked whole (nothing is stored
half-way), bumps the revision, and writes an audit event with the items before and after. A draft
may leave fields empty (a plan is written over several sittings, often a few words at a time from a
phone, saved as typed): what a field must hold is checked at each save, that it is filled in only
when the plan is shared.
"Share for approval" freezes the revision as a PDF filed as the plan's evidence (see
plan_document), which the team verifies like any document; the approval is a sign-off task.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Enrollment, Plan, PlanKind, Program, User, utcnow
from app.services import Conflict, NotFound, NotPermitted, PathwayError
from app.services.evidence import filing as evidence_service
from app.services.evidence import plan_document
from workflows.facts import EvidenceKind
from workflows.registry import plugin
from workflows.standards import StandardSet, standard_label

MAX_ITEMS = 24
MAX_TEXT = 2000
# A due date more than this long after enrolment is a typing error (every pathway is <= 2 years).
LATEST_DUE = timedelta(days=3 * 366)


class PlanError(PathwayError):
    """A plan change that cannot be accepted; `reasons` lists every problem found."""


@dataclass(frozen=True)
class PlanField:
    """One thing a plan item (or the plan as a whole) records."""

    name: str
    label: str
    kind: str = "text"  # text | long | date | standard | choice | check
    required: bool = False  # needed before the plan is shared (a draft may leave it empty)
    hint: str | None = None
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PlanShape:
    """What one kind of plan holds, and what it needs before it is shared for approval."""

    kind: PlanKind
    title: str
    purpose: str
    source: str
    item_label: str
    fields: tuple[PlanField, ...]
    summary: tuple[PlanField, ...] = ()
    standards: StandardSet | None = None
    numbers: tuple[int, ...] = ()  # the standards this plan may address
    needed_to_submit: tuple[str, ...] = ()  # summary fields required before sharing
    every_standard: bool = False  # sharing needs a goal on each standard in `numbers`

    def standard_choices(self) -> list[tuple[int, str]]:
        """(number, "CPSEL 4: ...") for the standards this plan may address."""
        assert self.standards is not None
        return [(n, standard_label(self.standards, n)) for n in self.numbers]


_STATUS = (("not_started", "Not started"), ("in_progress", "In progress"), ("done", "Done"))
_OWNER = PlanField("owner", "Who is responsible", required=True,
                   hint="A name or role, e.g. “Candidate”, “Mentor”, “District HR”.")
_DUE = PlanField("due", "Due date", "date", required=True)


def _standard_field(set_: StandardSet) -> PlanField:
    return PlanField("standard", f"{set_.label} standard", "standard", required=True)


SHAPES: dict[PlanKind, PlanShape] = {
    PlanKind.PIP_PERSONALIZED: PlanShape(
        PlanKind.PIP_PERSONALIZED, "PIP Personalized Plan",
        "The gaps between you and intern eligibility, from the district's assessment, and how each is closed.",
        "CL-857 item 3; CCTC Credential Tracker", "Gap",
        fields=(PlanField("gap", "Gap or requirement", required=True, hint="e.g. “Subject-matter competence: CSET II”."),
                PlanField("action", "How it will be met", "long", required=True), _OWNER, _DUE,
                PlanField("status", "Status", "choice", choices=_STATUS)),
        summary=(PlanField("assessment", "How the needs were identified", "long",
                           hint="The agency-defined assessment the plan comes from."),)),
    PlanKind.PIP_ACTION: PlanShape(
        PlanKind.PIP_ACTION, "Action Plan",
        "Concrete steps toward being intern-credential ready, each with an owner and a due date.",
        "CCTC Credential Tracker", "Action",
        fields=(PlanField("action", "Action", "long", required=True), _OWNER, _DUE,
                PlanField("done", "Done", "check"))),
    PlanKind.ILP: PlanShape(
        PlanKind.ILP, "Individual Learning Plan (ILP)",
        "Your professional-growth goals on the CSTP, written with your mentor. It is never used to evaluate you.",
        "CTC Teacher Induction preconditions 4 and 5", "Goal",
        fields=(_standard_field(StandardSet.CSTP), PlanField("goal", "Goal", "long", required=True),
                PlanField("actions", "Measurable actions", "long", required=True),
                PlanField("evidence", "Evidence of growth", "long")),
        summary=(PlanField("cstp_version", "CSTP edition", "choice", choices=(("2009", "2009 CSTP"), ("2024", "2024 CSTP"))),
                 # Seed 001: induction builds on what the preliminary program left the teacher to work on.
                 PlanField("preliminary_plan", "Carried over from your preliminary program", "long",
                           hint="What your preparation program's transition plan named to work on next; "
                                "your goals build on it.")),
        standards=StandardSet.CSTP, numbers=(1, 2, 3, 4, 5, 6)),
    PlanKind.IIP1: PlanShape(
        PlanKind.IIP1, "IIP 1 (Year 1: CPSEL 1–3)",
        "Your Year 1 induction plan on CPSEL 1–3, written with your coach, with your employer's input.",
        "Butte CASC requirements; EC 44270.1", "Standard goal",
        fields=(_standard_field(StandardSet.CPSEL), PlanField("goal", "Goal", "long", required=True),
                PlanField("actions", "Measurable actions", "long", required=True),
                PlanField("resources", "Resources", "long"), PlanField("growth", "Growth", "long"),
                PlanField("challenges", "Challenges", "long")),
        summary=(PlanField("leadership_goal", "Leadership goal", "long",
                           hint="Needed before you share the plan for approval."),),
        standards=StandardSet.CPSEL, numbers=(1, 2, 3), needed_to_submit=("leadership_goal",), every_standard=True),
}
SHAPES[PlanKind.IIP2] = PlanShape(
    PlanKind.IIP2, "IIP 2 (Year 2: CPSEL 4–6)",
    "Your Year 2 induction plan on CPSEL 4–6, written with your coach, with your employer's input.",
    "Butte CASC requirements; EC 44270.1", "Standard goal",
    fields=SHAPES[PlanKind.IIP1].fields, summary=SHAPES[PlanKind.IIP1].summary, standards=StandardSet.CPSEL,
    numbers=(4, 5, 6), needed_to_submit=("leadership_goal",), every_standard=True)

def kinds(pathway: str) -> tuple[PlanKind, ...]:
    """The plans a pathway keeps (its package says which: `PathwayPlugin.plan_kinds`)."""
    return tuple(PlanKind(kind) for kind in plugin(pathway).plan_kinds)


def shape_for(enrollment: Enrollment, kind: str) -> PlanShape:
    """The shape of plan `kind`, if this enrolment's pathway keeps it (NotFound otherwise)."""
    try:
        kind_ = PlanKind(kind)
    except ValueError:
        raise NotFound("There is no such plan.") from None
    if kind_ not in kinds(enrollment.pathway):
        raise NotFound("This pathway does not keep that plan.")
    return SHAPES[kind_]


def find(session: Session, enrollment: Enrollment, kind: str) -> Plan | None:
    """The enrolment's plan of `kind`, if one was started."""
    return session.exec(select(Plan).where(Plan.enrollment_id == enrollment.id, Plan.kind == kind)).first()


def save(session: Session, enrollment: Enrollment, kind: str, actor: User, *, items: list[Mapping[str, Any]],
         summary: Mapping[str, Any], expected_revision: int) -> Plan:
    """Replace the plan's items and summary after checking all of them (the caller commits).

    `expected_revision` is the revision the form was built from (0 for a plan not yet started):
    a save over someone else's newer edit is refused rather than silently overwriting it.
    """
    shape = shape_for(enrollment, kind)
    if not policy.can_edit_plan(policy.roles_on(session, actor, enrollment), shape.kind.value):
        raise NotPermitted("Only the candidate and their mentor or coach edit this plan.")
    plan = find(session, enrollment, shape.kind.value)
    if (plan.revision if plan else 0) != expected_revision:
        raise Conflict("Someone saved this plan while you were editing it. Reload the page to see their "
                       "changes, then make yours again.")
    known_ids = {item.get("id") for item in plan.items} if plan else set()
    clean_items, problems = _check_items(shape, items, enrollment, known_ids)
    clean_summary = _check_summary(shape, summary, problems)
    if problems:
        raise PlanError("The plan was not saved.", problems)
    before = {"items": plan.items, "summary": plan.summary, "revision": plan.revision} if plan else None
    if plan is None:
        plan = Plan(enrollment_id=enrollment.id, kind=shape.kind.value, created_by_id=actor.id, revision=1,  # type: ignore[arg-type]
                    items=clean_items, summary=clean_summary)
    else:
        if plan.items == clean_items and plan.summary == clean_summary:
            return plan  # nothing changed: no new revision, no audit noise
        plan.items, plan.summary, plan.revision = clean_items, clean_summary, plan.revision + 1
    plan.updated_at = utcnow()
    was_shared = plan.submitted_at is not None
    # An approval covers what the approver saw: a changed plan is shared again before it counts.
    plan.submitted_at = None
    session.add(plan)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("Someone started this plan at the same moment. Reload the page and try again.") from None
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="plan.saved",
                           details={"kind": plan.kind, "revision": plan.revision, "before": before,
                                    "after": {"items": clean_items, "summary": clean_summary},
                                    "unshared": was_shared}))
    return plan


def submit(session: Session, enrollment: Enrollment, kind: str, actor: User) -> Plan:
    """The candidate shares the plan for approval (the caller commits)."""
    shape = shape_for(enrollment, kind)
    if not policy.can_submit_plan(actor, enrollment):
        raise NotPermitted("Only the candidate shares their plan for approval.")
    plan = find(session, enrollment, shape.kind.value)
    if plan is None or not plan.items:
        raise PlanError(f"Add at least one {shape.item_label.lower()} before you share the plan.")
    if plan.submitted_at is not None:
        raise Conflict("This version of the plan is already shared for approval.")
    problems = [f"Fill in “{f.label}” before you share the plan." for f in shape.summary
                if f.name in shape.needed_to_submit and not plan.summary.get(f.name)]
    problems += unfilled(shape, plan.items)
    if shape.every_standard:
        covered = {item.get("standard") for item in plan.items}
        problems += [f"Add a goal on {standard_label(shape.standards, n)}."  # type: ignore[arg-type]
                     for n in shape.numbers if n not in covered]
    if problems:
        raise PlanError("The plan was not shared.", problems)
    plan.submitted_at = utcnow()
    session.add(plan)
    session.add(AuditEvent(actor_id=actor.id, enrollment_id=enrollment.id, action="plan.submitted",
                           details={"kind": plan.kind, "revision": plan.revision}))
    candidate = session.get(User, enrollment.candidate_id)
    program = session.get(Program, enrollment.program_id)
    kind = EVIDENCE_KIND[shape.kind]
    evidence_service.submit(session, enrollment, kind.value, plan_document.file_name(kind.label, plan.revision),
                            plan_document.plan_pdf(shape, plan, candidate.name if candidate else "",
                                                   program.name if program else ""), actor)
    return plan


# The evidence a shared plan is filed as: the rules read these kinds.
EVIDENCE_KIND = {PlanKind.PIP_PERSONALIZED: EvidenceKind.PERSONALIZED_PLAN, PlanKind.PIP_ACTION: EvidenceKind.ACTION_PLAN,
                 PlanKind.ILP: EvidenceKind.ILP, PlanKind.IIP1: EvidenceKind.IIP_1, PlanKind.IIP2: EvidenceKind.IIP_2}


def unfilled(shape: PlanShape, items: list[Mapping[str, Any]]) -> list[str]:
    """What each item still needs before the plan is shared, e.g. "Goal 2: fill in “Measurable actions”."."""
    return [f"{item_name(shape, number, item)}: fill in “{field.label}”." for number, item in enumerate(items, start=1)
            for field in shape.fields if field.required and item.get(field.name) in (None, "")]


def item_name(shape: PlanShape, number: int, item: Mapping[str, Any]) -> str:
    """How a person finds an item on the page: "CPSEL 2 goal" on a plan by standard, else "Gap 3"."""
    if shape.standards is not None and item.get("standard") in shape.numbers:
        return f"{shape.standards.label} {item['standard']} goal"
    return f"{shape.item_label} {number}"


def _check_items(shape: PlanShape, items: list[Mapping[str, Any]], enrollment: Enrollment,
                 known_ids: set[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    problems: list[str] = []
    if len(items) > MAX_ITEMS:
        problems.append(f"A plan holds at most {MAX_ITEMS} {shape.item_label.lower()}s.")
        return [], problems
    clean_items = []
    for number, raw in enumerate(items, start=1):
        where = f"{shape.item_label} {number}"
        item: dict[str, Any] = {"id": raw.get("id") if raw.get("id") in known_ids else secrets.token_hex(6)}
        for field in shape.fields:
            value = _check_value(shape, field, raw.get(field.name), where, problems, enrollment)
            item[field.name] = value
        clean_items.append(item)
    return clean_items, problems


def _check_summary(shape: PlanShape, summary: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    return {field.name: _check_value(shape, field, summary.get(field.name), "The plan", problems, None)
            for field in shape.summary}


def _check_value(shape: PlanShape, field: PlanField, raw: Any, where: str, problems: list[str],
                 enrollment: Enrollment | None) -> Any:
    """The field's clean value; a problem is appended (and None returned) when it cannot be accepted."""
    if field.kind == "check":
        return raw in (True, "y", "on", "true", "1")
    text = str(raw).strip() if raw is not None else ""
    if not text:  # a draft may leave any field empty; sharing checks what must be filled in (`unfilled`)
        if field.kind == "choice" and field.choices:
            return field.choices[0][0]
        return "" if field.kind in ("text", "long") else None
    if field.kind in ("text", "long"):
        if len(text) > MAX_TEXT:
            problems.append(f"{where}: “{field.label}” is longer than {MAX_TEXT} characters.")
        return text
    if field.kind == "choice":
        if text not in {value for value, _ in field.choices}:
            problems.append(f"{where}: choose one of the listed values for “{field.label}”.")
        return text
    if field.kind == "standard":
        assert shape.standards is not None
        number = int(text) if text.isdigit() else None
        if number not in shape.numbers:
            allowed = f"{shape.numbers[0]}–{shape.numbers[-1]}"
            problems.append(f"{where}: this plan covers {shape.standards.label} {allowed} only.")
            return None
        return number
    # A due date: on or after enrolment, and not absurdly far away.
    try:
        due = date.fromisoformat(text)
    except ValueError:
        problems.append(f"{where}: enter “{field.label}” as a date.")
        return None
    assert enrollment is not None
    if due < enrollment.enrolled_on:
        problems.append(f"{where}: the due date is before the enrolment began "
                        f"({enrollment.enrolled_on:%B} {enrollment.enrolled_on.day}, {enrollment.enrolled_on.year}).")
    elif due > enrollment.enrolled_on + LATEST_DUE:
        problems.append(f"{where}: the due date is more than three years after enrolment. Check the year.")
    return due.isoformat()
