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
    Panel,
    Program,
    SignOffTask,
    TaskStatus,
    User,
)
from app.services.enrollments import pathways
from app.services.enrollments.fact_registry import BY_NAME, FactSpec
from app.services.evidence import reviews
from app.services.signoffs import queueing
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
    # "step", "ask", "fact", "assign", "recommend", "upload", "verify", "panel", "other" (a rule in words),
    # "attend" (a review meeting to confirm, app/services/evidence/reviews.py), or "signoff" (held by nobody)
    kind: str
    key: str
    what: str
    since: datetime | None
    due_on: date | None
    nobody: bool


@dataclass(frozen=True)
class Upload:
    """A live document: who filed it, when, and whether it still waits for its verification."""

    kind: str
    uploaded_by_id: int
    uploaded_at: datetime
    waiting: bool


@dataclass
class Staffing:
    """Who holds each role where one enrolment is (on it, its program, its organisation), active only."""

    holders: dict[Role, set[int]]
    candidate_id: int

    def of(self, role: Role, besides: int | None = None) -> set[int]:
        return {p for p in self.holders.get(role, set()) if p not in (besides, self.candidate_id)}

    def roles_of(self, person: int) -> frozenset[Role]:
        return frozenset(role for role, people in self.holders.items() if person in people)


def verifiers(staffing: Staffing, clears: Role | None, uploaded_by_id: int, kind: str) -> tuple[set[int], Role | None]:
    """Who may verify a document that `clears` clears: its clearing role and the credential analysts,
    never its uploader nor anyone who may not read it (the ILP); when none of them is left, the
    program director (returned as the fallback role, so the home, the inbox and the decision agree)."""
    def readers(role: Role) -> set[int]:
        return {p for p in staffing.of(role, uploaded_by_id) if policy.can_read_evidence(staffing.roles_of(p), kind)}

    usual = readers(Role.CREDENTIAL_ANALYST)
    if clears is not None and clears is not Role.CANDIDATE:
        usual |= readers(clears)
    if usual:
        return usual, None
    return readers(FALLBACK), FALLBACK


@dataclass(frozen=True)
class OnFile:
    """What one enrolment's turns read besides its facts, read for many enrolments at once."""

    staffing: Staffing
    uploads: dict[str, Upload]  # live documents, by kind
    asked: set[tuple[str, str]]  # (sign-off key, role) with an open task
    panel_open: bool  # an exit-interview panel is convened and has not decided
    panel_again: bool  # an earlier panel said "not yet" (its own notice told the director)
    since: datetime | None  # when the enrolment reached its state


def of(enrollment: Enrollment, facts: Facts, on_file: OnFile) -> list[Turn]:
    """The staff turns on one enrolment, on its way forward (the home page's main step)."""
    staffing, uploads, asked, since = on_file.staffing, on_file.uploads, on_file.asked, on_file.since
    found: list[Turn] = []
    if enrollment.state == plugin(enrollment.pathway).panel_state and not on_file.panel_open:
        again = on_file.panel_again
        found.append(Turn(FALLBACK, "panel", "again" if again else "first",
                          f"Convene the {'next ' if again else ''}exit-interview panel", since, None,
                          not staffing.of(FALLBACK)))
    # A document waiting for verification falls to the director when only its uploader could verify
    # it, whichever step it is for (one can be filed ahead of its step).
    clearing = pathways.clearing_roles(enrollment)
    for kind, upload in uploads.items():
        if not upload.waiting:
            continue
        people, fallback = verifiers(staffing, clearing.get(kind), upload.uploaded_by_id, kind)
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
        _rule(enrollment, facts, rule, due_by_rule.get(rule.key), on_file, option.label, add)
    # Sign-offs that could be given now but nobody was asked for: asking is the step's askers' to do.
    unasked = [rule for rule in option.unmet if rule.signoff is not None
               and (rule.signoff[0].value, rule.signoff[1].value) not in asked
               and not any(queueing.prerequisites(enrollment, rule.signoff[0].value, rule.signoff[1].value, facts))]
    if unasked and Role.CANDIDATE not in option.by:
        for role in sorted(option.by, key=lambda r: r.value):
            add(role, "ask", option.event, f"Ask for the sign-offs for “{option.label}”")
    return found


def _rule(enrollment: Enrollment, facts: Facts, rule: Rule, due: date | None, on_file: OnFile, step: str,
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
        # Its task reaches the role's holders (signoffs/waiting_on.py). Nobody signs off a document
        # they filed: when every holder filed one it covers (the one director who recorded the
        # orientation), or nobody holds the role, it is listed for the director to answer.
        key, role = rule.signoff
        filers = {on_file.uploads[r.evidence_kind.value].uploaded_by_id for r in queueing.covered_rules(enrollment, key.value)
                  if r.evidence_kind is not None and r.evidence_kind.value in on_file.uploads}
        holders = on_file.staffing.of(role)
        if not holders - filers:
            what = (f"{key.label} sign-off: every {role.in_sentence} here filed a document it covers" if holders
                    else f"{key.label} sign-off")
            add(role, "signoff", key.value, what, due, people=set())
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
    """What entering a fact is, in words: "Enter “Permit issued on”", "Answer yes or no: Advised of the
    Early Completion Option". Labels are written as the facts page's questions ("Permit issued on"),
    so they are quoted, never fitted into "Enter the …" ("Enter the permit issued on")."""
    if spec.kind == "flag":
        return f"{'Confirm' if confirm else 'Answer'} yes or no: {spec.label}"
    return f"{'Confirm' if confirm else 'Enter'} “{spec.label}”"


def filed_by_staff(pathway: str) -> frozenset[str]:
    """Documents staff file for the candidate: the pathway's own, what is done outside the app, and
    on every pathway the credential the CTC issued."""
    found = plugin(pathway)
    return found.filed_by_others | found.done_elsewhere | {CommonEvidence.ISSUED_CREDENTIAL}


# --- Read and written in bulk, with the summaries ----------------------------------------------------


def compute(session: Session, enrollments: Sequence[Enrollment], facts_of: dict[int, Facts],
            since_of: dict[int, datetime | None]) -> tuple[list[dict[str, Any]], dict[int, Staffing]]:
    """The `enrollment_turn` rows of these enrolments, in six statements."""
    ids = [e.id for e in enrollments]
    staffing = staffing_of(session, enrollments)
    uploads = live_uploads(session, ids)  # type: ignore[arg-type]
    asked: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for enrollment_id, key, role in session.exec(select(SignOffTask.enrollment_id, SignOffTask.key, SignOffTask.role).where(
            SignOffTask.enrollment_id.in_(ids), SignOffTask.status == TaskStatus.OPEN.value)).all():  # type: ignore[attr-defined]
        asked[enrollment_id].add((key, role))
    outcomes: dict[int, set[str | None]] = defaultdict(set)
    for enrollment_id, outcome in session.exec(select(Panel.enrollment_id, Panel.outcome).where(
            Panel.enrollment_id.in_(ids))).all():  # type: ignore[attr-defined]
        outcomes[enrollment_id].add(outcome)
    rows: list[dict[str, Any]] = []
    for e in enrollments:
        on_file = OnFile(staffing[e.id], uploads.get(e.id, {}), asked.get(e.id, set()),  # type: ignore[index, arg-type]
                         None in outcomes[e.id], "not_yet" in outcomes[e.id], since_of.get(e.id))  # type: ignore[index, arg-type]
        for turn in of(e, facts_of[e.id], on_file):  # type: ignore[index]
            rows.append({"enrollment_id": e.id, "program_id": e.program_id, "role": turn.role.value,
                         "kind": turn.kind, "key": turn.key, "what": turn.what, "since": turn.since,
                         "due_on": turn.due_on, "nobody": turn.nobody})
    program_of = {e.id: e.program_id for e in enrollments}
    for enrollment_id, role, key, what, meeting in reviews.awaiting(session, ids):  # type: ignore[arg-type]
        rows.append({"enrollment_id": enrollment_id, "program_id": program_of[enrollment_id],
                     "role": role.value, "kind": "attend", "key": key, "what": what, "since": meeting.created_at,
                     "due_on": None, "nobody": not staffing[enrollment_id].of(role)})
    return rows, staffing


# Turns each holder hears of when one appears (a step once everything it needs is in place, not
# before). Sign-off tasks and documents have their own notices, and a turn nobody holds has nobody
# to tell: it is on the director's list instead.
TOLD = frozenset({"step", "ask", "fact", "assign", "recommend", "upload", "verify", "panel", "other", "attend"})


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
        if row["kind"] == "panel" and row["key"] == "again":
            continue  # the "not yet" notice asked the director for the next panel, with its reasons
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


def live_uploads(session: Session, enrollment_ids: list[int]) -> dict[int, dict[str, Upload]]:
    """The live (latest) documents on these enrolments, by kind."""
    found: dict[int, dict[str, Upload]] = defaultdict(dict)
    for enrollment_id, kind, uploaded_by_id, uploaded_at, status in session.exec(
            select(Evidence.enrollment_id, Evidence.kind, Evidence.uploaded_by_id, Evidence.uploaded_at,
                   Evidence.status).where(
                Evidence.enrollment_id.in_(enrollment_ids), Evidence.superseded_at.is_(None))).all():  # type: ignore[attr-defined, union-attr]
        found[enrollment_id][kind] = Upload(kind, uploaded_by_id, uploaded_at, status == EvidenceStatus.SUBMITTED.value)
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
    return verifiers(staffing, clears, evidence.uploaded_by_id, evidence.kind)[1] is not None


def may_decide(session: Session, enrollment: Enrollment, evidence: Evidence, roles: frozenset[Role]) -> bool:
    """Verify or send back (never one's own upload: filing refuses it): the role the rule names as
    clearing it or a credential analyst, else the program director when nobody else could."""
    clears = pathways.clearing_roles(enrollment).get(evidence.kind)
    if policy.can_decide_evidence(roles, clears):
        return True
    return FALLBACK in roles and fallback_verifies(session, enrollment, evidence, clears)


def label_of(kind: str) -> str:
    """A document kind in words (for the inbox line of a document the director verifies)."""
    try:
        return EvidenceKind(kind).label
    except ValueError:
        return kind.replace("_", " ")
