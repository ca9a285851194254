"""Whose turn it is on each enrolment, when it is a staff role's and nothing else asks them.

Sign-off tasks, logs to sign and documents to verify reach their people through their own
queues (signoffs/waiting_on.py). What is left is worked out here, from the enrolment's facts and
the people who hold roles where it is: a step a staff role takes (district HR's "Diligent search
done"), a fact a staff role enters or confirms, a document staff file for the candidate, and a
document that falls to the program director to verify because the only people who could have
verified it uploaded it. Each is a row of `enrollment_turn`, rewritten with the enrolment's
summary, so every holder's inbox reads them in one indexed query, and a turn nobody holds is on
the director's "no one can act" list the moment it appears.

The home page names the same people (home.py): whoever a page says we are waiting on has the item
in their inbox (tests/app/progress/test_turn_scenarios.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from app import outbox, policy
from app.models import (
    Enrollment,
    EnrollmentTurn,
    Evidence,
    Membership,
    Organisation,
    Panel,
    Program,
    SignOffTask,
    TaskStatus,
    User,
)
from app.services.enrollments import pathways
from app.services.enrollments.fact_registry import BY_NAME, FactSpec
from app.services.signoffs import queueing
from app.zones import DEFAULT_ZONE, local_day
from workflows import engine
from workflows.deadlines import deadlines
from workflows.facts import EvidenceKind, EvidenceStatus, Facts
from workflows.keys import CommonDate, CommonEvidence
from workflows.pathway_map import pathway_map
from workflows.registry import plugin
from workflows.roles import Role
from workflows.rules import Rule, RuleStatus

# Who verifies a document when its own clearing role cannot: the program's director.
FALLBACK = Role.PROGRAM_DIRECTOR


@dataclass(frozen=True)
class Turn:
    """One thing a staff role is to do on an enrolment now."""

    role: Role
    # "step", "ask", "fact", "assign", "recommend", "upload", "verify", "panel", "other" (a rule in words), or
    # "signoff" (held by nobody: its task reaches holders otherwise)
    kind: str
    key: str
    what: str
    since: datetime | None
    due_on: date | None
    nobody: bool


@dataclass(frozen=True)
class Upload:
    """A live document waiting for its verification: who filed it, and when."""

    kind: str
    uploaded_by_id: int
    uploaded_at: datetime


@dataclass
class Staffing:
    """Who holds each role where one enrolment is (on it, its program, its organisation), active only."""

    holders: dict[Role, set[int]]
    candidate_id: int

    def of(self, role: Role, besides: int | None = None) -> set[int]:
        return {p for p in self.holders.get(role, set()) if p not in (besides, self.candidate_id)}


def verifiers(staffing: Staffing, clears: Role | None, uploaded_by_id: int) -> tuple[set[int], Role | None]:
    """Who may verify a document that `clears` clears, never its uploader: its clearing role and
    the credential analysts; when none of them is anyone but the uploader, the program director
    (returned as the fallback role, so the home, the inbox and the decision agree)."""
    usual = staffing.of(Role.CREDENTIAL_ANALYST, uploaded_by_id)
    if clears is not None and clears is not Role.CANDIDATE:
        usual |= staffing.of(clears, uploaded_by_id)
    if usual:
        return usual, None
    return staffing.of(FALLBACK, uploaded_by_id), FALLBACK


@dataclass(frozen=True)
class OnFile:
    """What one enrolment's turns read besides its facts, read for many enrolments at once."""

    staffing: Staffing
    uploads: dict[str, Upload]  # live documents waiting for verification, by kind
    asked: set[tuple[str, str]]  # (sign-off key, role) with an open task
    panel_open: bool  # an exit-interview panel is convened and has not decided
    since: datetime | None  # when the enrolment reached its state


def of(enrollment: Enrollment, facts: Facts, on_file: OnFile) -> list[Turn]:
    """The staff turns on one enrolment, on its way forward (the home page's main step)."""
    staffing, uploads, asked, since = on_file.staffing, on_file.uploads, on_file.asked, on_file.since
    found: list[Turn] = []
    if enrollment.state == plugin(enrollment.pathway).panel_state and not on_file.panel_open:
        found.append(Turn(FALLBACK, "panel", enrollment.state, "Convene the exit-interview panel", since, None,
                          not staffing.of(FALLBACK)))
    # A document waiting for verification falls to the director when only its uploader could verify
    # it, whichever step it is for (one can be filed ahead of its step).
    clearing = pathways.clearing_roles(enrollment)
    for kind, upload in uploads.items():
        people, fallback = verifiers(staffing, clearing.get(kind), upload.uploaded_by_id)
        if fallback is not None:
            found.append(Turn(fallback, "verify", kind, f"Verify the {label_of(kind)}: nobody else here can",
                              upload.uploaded_at, None, not people))
    forward = pathway_map(enrollment.pathway, enrollment.pathway_version).forward(enrollment.state)
    if not forward:
        return found
    option = next((o for o in engine.events_from(enrollment.pathway, enrollment.pathway_version, enrollment.state,
                                                 facts) if o.event == forward[0].event), None)
    if option is None or option.automatic:
        return found
    due_by_rule = {d.rule_key: d.due for d in deadlines(facts, enrollment.pathway_version, enrollment.state)
                   if not d.met}

    def add(role: Role, kind: str, key: str, what: str, due: date | None = None, when: datetime | None = None,
            people: set[int] | None = None) -> None:
        if role is Role.CANDIDATE:
            return
        nobody = not (people if people is not None else staffing.of(role))
        found.append(Turn(role, kind, key, what[:300], when or since, due, nobody))

    if option.enabled:
        if Role.CANDIDATE not in option.by:
            for role in sorted(option.by, key=lambda r: r.value):
                add(role, "step", option.event, f"Take the step “{option.label}”")
        return found
    for rule in option.unmet:
        _rule(enrollment, facts, rule, due_by_rule.get(rule.key), staffing, option.label, add)
    # Sign-offs that could be given now but nobody was asked for: asking is the step's askers' to do.
    unasked = [rule for rule in option.unmet if rule.signoff is not None
               and (rule.signoff[0].value, rule.signoff[1].value) not in asked
               and not any(queueing.prerequisites(enrollment, rule.signoff[0].value, rule.signoff[1].value, facts))]
    if unasked and Role.CANDIDATE not in option.by:
        for role in sorted(option.by, key=lambda r: r.value):
            add(role, "ask", option.event, f"Ask for the sign-offs for “{option.label}”")
    return found


def _rule(enrollment: Enrollment, facts: Facts, rule: Rule, due: date | None, staffing: Staffing, step: str,
          add: Any) -> None:
    """The staff turn one unmet rule makes, if any (the candidate's own work and sign-off tasks are not here)."""
    status = rule.status(facts)
    kind = rule.evidence_kind
    if kind is not None:
        if status in (RuleStatus.MISSING, RuleStatus.SENT_BACK) and kind.value in filed_by_staff(enrollment.pathway):
            add(rule.clears, "upload", kind.value, f"Upload the {kind.label}", due)
        return
    if rule.clears is Role.PANEL_MEMBER:
        return  # the panel decides together: each seat is its member's turn (signoffs/waiting_on.py)
    if rule.signoff is not None:
        # Its task reaches the role's holders (signoffs/waiting_on.py); held by nobody, it is listed.
        key, role = rule.signoff
        if not staffing.of(role):
            add(role, "signoff", key.value, rule.explain(facts), due, people=set())
        return
    assigned = {str(key): role for role, key in plugin(enrollment.pathway).assigned_on.items()}
    if rule.key_date is not None and str(rule.key_date) in assigned:
        # A date the app keeps itself when someone is assigned: assigning them is the turn.
        role = assigned[str(rule.key_date)]
        add(rule.clears, "assign", role.value, f"Assign a {role.in_sentence}", due)
        return
    if rule.key_date is not None and str(rule.key_date) == CommonDate.RECOMMENDED_ON:
        # Kept from the recommendation the director records on the program's recommendations page.
        add(rule.clears, "recommend", str(rule.key_date), "Submit the recommendation on CTC Online and record it", due)
        return
    fact = next((key.value for key in (rule.key_date, rule.count, rule.flag)
                 if key is not None and key.value in BY_NAME), None)
    if fact is None:
        if rule.count is None:  # a rule in words: its checklist title, under its step
            add(rule.clears, "other", rule.key, f"{step}: {rule.title(facts)}", due)
        return
    spec = BY_NAME[fact]
    if spec.claimable and status is not RuleStatus.AWAITING_CONFIRMATION:
        return  # the candidate enters it; its owner confirms it next
    what = fact_words(spec, confirm=status is RuleStatus.AWAITING_CONFIRMATION)
    for role in sorted(spec.owners, key=lambda r: r.value):
        add(role, "fact", fact, what, due)


def fact_words(spec: FactSpec, confirm: bool = False) -> str:
    """What entering a fact is, in words: "Enter the date mentor assigned", "Answer yes or no: Advised
    of the Early Completion Option"."""
    if spec.kind == "flag":
        return f"{'Confirm' if confirm else 'Answer'} yes or no: {spec.label}"
    label = spec.label if spec.label[:2].isupper() else spec.label[:1].lower() + spec.label[1:]
    return f"{'Confirm' if confirm else 'Enter'} the {label}"


def filed_by_staff(pathway: str) -> frozenset[str]:
    """Documents staff file for the candidate: the pathway's own, what is done outside the app, and
    on every pathway the credential the CTC issued."""
    found = plugin(pathway)
    return found.filed_by_others | found.done_elsewhere | {CommonEvidence.ISSUED_CREDENTIAL}


# --- Read and written in bulk, with the summaries ----------------------------------------------------


def compute(session: Session, enrollments: Sequence[Enrollment], facts_of: dict[int, Facts],
            since_of: dict[int, datetime | None]) -> tuple[list[dict[str, Any]], dict[int, Staffing]]:
    """The `enrollment_turn` rows of these enrolments, in five statements."""
    ids = [e.id for e in enrollments]
    staffing = staffing_of(session, enrollments)
    uploads = waiting_uploads(session, ids)  # type: ignore[arg-type]
    asked: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for enrollment_id, key, role in session.exec(select(SignOffTask.enrollment_id, SignOffTask.key, SignOffTask.role).where(
            SignOffTask.enrollment_id.in_(ids), SignOffTask.status == TaskStatus.OPEN.value)).all():  # type: ignore[attr-defined]
        asked[enrollment_id].add((key, role))
    panels = set(session.exec(select(Panel.enrollment_id).where(
        Panel.enrollment_id.in_(ids), Panel.outcome.is_(None))).all())  # type: ignore[attr-defined, union-attr]
    rows: list[dict[str, Any]] = []
    for e in enrollments:
        on_file = OnFile(staffing[e.id], uploads.get(e.id, {}), asked.get(e.id, set()), e.id in panels,  # type: ignore[index, arg-type]
                         since_of.get(e.id))  # type: ignore[arg-type]
        for turn in of(e, facts_of[e.id], on_file):  # type: ignore[index]
            rows.append({"enrollment_id": e.id, "program_id": e.program_id, "role": turn.role.value,
                         "kind": turn.kind, "key": turn.key, "what": turn.what, "since": turn.since,
                         "due_on": turn.due_on, "nobody": turn.nobody})
    return rows, staffing


# Turns each holder hears of when one appears (a step once everything it needs is in place, not
# before). Sign-off tasks and documents have their own notices, and a turn nobody holds has nobody
# to tell: it is on the director's list instead.
TOLD = frozenset({"step", "ask", "fact", "assign", "recommend", "upload", "verify", "panel", "other"})


def announce(session: Session, enrollments: Sequence[Enrollment], before: set[tuple[int, str, str, str]],
             rows: list[dict[str, Any]], staffing: dict[int, Staffing], now: datetime) -> None:
    """Tell each holder of a turn that was not there before, once (an email, or their digest). Directors
    hear of what a new enrolment needs from them by the new enrolment's own notice (director_notices)."""
    starting = {e.id for e in enrollments if e.state == engine.initial_state(e.pathway, e.pathway_version)}
    for row in rows:
        if row["kind"] not in TOLD or (row["enrollment_id"], row["role"], row["kind"], row["key"]) in before:
            continue
        if row["role"] == Role.PROGRAM_DIRECTOR.value and row["enrollment_id"] in starting:
            continue
        for person in sorted(staffing[row["enrollment_id"]].of(Role(row["role"]))):
            outbox.add(session, "email.turn", f"turn-{row['enrollment_id']}-{row['kind']}-{row['key']}-{person}-"
                       f"{now:%Y%m%d%H%M%S%f}", enrollment_id=row["enrollment_id"], recipient_id=person,
                       role=row["role"], kind=row["kind"], key=row["key"])


def before(session: Session, enrollment_ids: list[int]) -> set[tuple[int, str, str, str]]:
    """The turns these enrolments had, to tell only of new ones."""
    return set(session.exec(select(EnrollmentTurn.enrollment_id, EnrollmentTurn.role, EnrollmentTurn.kind,
                                   EnrollmentTurn.key).where(EnrollmentTurn.enrollment_id.in_(enrollment_ids))).all())  # type: ignore[attr-defined, arg-type]


def staffing_of(session: Session, enrollments: Sequence[Enrollment]) -> dict[int, Staffing]:
    """Who holds which role where each enrolment is, in one statement."""
    ids = [e.id for e in enrollments]
    programs = {e.program_id for e in enrollments}
    organisation_of = dict(session.exec(select(Program.id, Program.organisation_id).where(
        Program.id.in_(programs))).all())  # type: ignore[attr-defined]
    rows = session.exec(select(Membership.user_id, Membership.role, Membership.enrollment_id, Membership.program_id,
                               Membership.organisation_id).join(User, User.id == Membership.user_id).where(  # type: ignore[arg-type]
        Membership.revoked_at.is_(None), User.active.is_(True),  # type: ignore[union-attr, attr-defined]
        or_(Membership.enrollment_id.in_(ids),  # type: ignore[union-attr]
            Membership.program_id.in_(programs) & Membership.enrollment_id.is_(None),  # type: ignore[union-attr]
            Membership.organisation_id.in_(set(organisation_of.values()))  # type: ignore[union-attr]
            & Membership.program_id.is_(None) & Membership.enrollment_id.is_(None)))).all()  # type: ignore[union-attr]
    by_enrollment: dict[int, dict[Role, set[int]]] = defaultdict(lambda: defaultdict(set))
    by_program: dict[int, dict[Role, set[int]]] = defaultdict(lambda: defaultdict(set))
    by_organisation: dict[int, dict[Role, set[int]]] = defaultdict(lambda: defaultdict(set))
    for user_id, role, enrollment_id, program_id, organisation_id in rows:
        try:
            held = Role(role)
        except ValueError:
            continue
        if enrollment_id is not None:
            by_enrollment[enrollment_id][held].add(user_id)
        elif program_id is not None:
            by_program[program_id][held].add(user_id)
        else:
            by_organisation[organisation_id][held].add(user_id)
    found = {}
    for e in enrollments:
        holders: dict[Role, set[int]] = defaultdict(set)
        for scope in (by_enrollment.get(e.id), by_program.get(e.program_id),  # type: ignore[arg-type]
                      by_organisation.get(organisation_of.get(e.program_id))):  # type: ignore[arg-type]
            for role, people in (scope or {}).items():
                holders[role] |= people
        found[e.id] = Staffing(dict(holders), e.candidate_id)
    return found  # type: ignore[return-value]


def waiting_uploads(session: Session, enrollment_ids: list[int]) -> dict[int, dict[str, Upload]]:
    """The live documents awaiting verification on these enrolments, by kind."""
    found: dict[int, dict[str, Upload]] = defaultdict(dict)
    for enrollment_id, kind, uploaded_by_id, uploaded_at in session.exec(
            select(Evidence.enrollment_id, Evidence.kind, Evidence.uploaded_by_id, Evidence.uploaded_at).where(
                Evidence.enrollment_id.in_(enrollment_ids), Evidence.superseded_at.is_(None),  # type: ignore[attr-defined, union-attr]
                Evidence.status == EvidenceStatus.SUBMITTED.value)).all():
        found[enrollment_id][kind] = Upload(kind, uploaded_by_id, uploaded_at)
    return found


def changed_with_staff(session: Session, places: set[tuple[str, int]]) -> set[int]:
    """The enrolments whose turns may change when someone gains or loses a role held on a program or
    organisation-wide, or a person's account is switched off ("user": the places they hold roles):
    those there with a turn or a document waiting for verification. Only these read who holds what,
    so a statewide program's enrolments with nothing pending are not rewritten for one new analyst."""
    users = {i for kind, i in places if kind == "user"}
    held = session.exec(select(Membership.program_id, Membership.organisation_id).where(
        Membership.user_id.in_(users), Membership.enrollment_id.is_(None))).all() if users else []  # type: ignore[attr-defined, union-attr]
    programs = {i for kind, i in places if kind == "program"} | {p for p, _ in held if p is not None}
    organisations = {i for kind, i in places if kind == "organisation"} | {o for p, o in held if p is None}
    if not programs and not organisations:
        return set()
    place = or_(Enrollment.program_id.in_(programs or {0}),  # type: ignore[attr-defined]
                Enrollment.program_id.in_(select(Program.id).where(Program.organisation_id.in_(organisations or {0}))))  # type: ignore[attr-defined]
    pending = or_(Enrollment.id.in_(select(EnrollmentTurn.enrollment_id)),  # type: ignore[union-attr]
                  Enrollment.id.in_(select(Evidence.enrollment_id).where(  # type: ignore[union-attr]
                      Evidence.status == EvidenceStatus.SUBMITTED.value, Evidence.superseded_at.is_(None))))  # type: ignore[union-attr]
    return set(session.exec(select(Enrollment.id).where(place, pending)).all())  # type: ignore[arg-type]


def fallback_verifies(session: Session, enrollment: Enrollment, evidence: Evidence, clears: Role | None) -> bool:
    """Whether this document falls to the program director: nobody but its uploader holds a role
    that verifies it where the enrolment is."""
    staffing = staffing_of(session, [enrollment])[enrollment.id]  # type: ignore[index]
    return verifiers(staffing, clears, evidence.uploaded_by_id)[1] is not None


def may_decide(session: Session, enrollment: Enrollment, evidence: Evidence, roles: frozenset[Role]) -> bool:
    """Verify or send back (never one's own upload: filing refuses it): the role the rule names as
    clearing it or a credential analyst, else the program director when nobody else could."""
    clears = pathways.clearing_roles(enrollment).get(evidence.kind)
    if policy.can_decide_evidence(roles, clears):
        return True
    return FALLBACK in roles and fallback_verifies(session, enrollment, evidence, clears)


@dataclass(frozen=True)
class Stuck:
    """A turn on the "no one can act" list."""

    enrollment_id: int
    candidate_name: str
    role: Role
    what: str
    since: date | None  # the day it began to wait, on the organisation's calendar


def nobody_can_act(session: Session, program_ids: Sequence[int], limit: int = 50) -> list[Stuck]:
    """Turns on these programs' enrolments that no active person holds the role for, oldest first,
    at most `limit` (the page says when there are more): the director's "no one can act" list."""
    if not program_ids:
        return []
    rows = session.connection().execute(
        select(EnrollmentTurn.enrollment_id, User.name, EnrollmentTurn.role, EnrollmentTurn.what,  # type: ignore[call-overload]
               EnrollmentTurn.since, Organisation.timezone)
        .join(Enrollment, Enrollment.id == EnrollmentTurn.enrollment_id)
        .join(User, User.id == Enrollment.candidate_id)
        .join(Program, Program.id == Enrollment.program_id)
        .join(Organisation, Organisation.id == Program.organisation_id)
        .where(EnrollmentTurn.program_id.in_(list(program_ids)), EnrollmentTurn.nobody.is_(True))  # type: ignore[attr-defined]
        .order_by(EnrollmentTurn.since, EnrollmentTurn.id).limit(limit)).all()
    return [Stuck(eid, name, Role(role), what, local_day(since, zone or DEFAULT_ZONE))
            for eid, name, role, what, since, zone in rows]


def label_of(kind: str) -> str:
    """A document kind in words (for the inbox line of a document the director verifies)."""
    try:
        return EvidenceKind(kind).label
    except ValueError:
        return kind.replace("_", " ")
