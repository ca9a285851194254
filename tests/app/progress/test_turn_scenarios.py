"""Work reaches the person who can do it (issue 25): each pathway walked to its credential with random
staffing, the turn invariants checked after every step.

Staffing: one or two active holders of each role (program roles on the program, district HR on the
organisation, the site administrator(s), mentor(s) and coach(es) put on the enrolment by the program
director, as the app does), chosen by a fixed seed; the "solo" case gives every role one holder, so
the documents staff file themselves (HR's recruitment records, the analyst's eligibility worksheet
and copy of the issued credential, ...) are uploaded by the only holder of the role that verifies
them.

The walk: at each turn the next thing the way forward lacks is done by someone who can do it: a
document is uploaded by the candidate (or, for one staff file, a holder of the role that files it)
and verified by someone who has it in their inbox; sign-offs are asked for from a home's "Ask for
the sign-offs" (or by asking for the step) and given from the inbox; recorded facts, totals and
flags are recorded by a random holder of their owning role (the demo walker's recording); the step
is then asked for by a random holder of a role that may take it. Each of these commits.

After every commit:
  1. every "waiting on" line of the candidate's home that names people names only people who have
     an item on this enrolment in their inbox;
  2. the enrolment is final, or someone can act on it now (an item in someone's inbox, or a next
     step on the candidate's home that moves the way forward), or the director's "no one can act"
     list names it;
  3. every change of turn was told to its person exactly once. What is someone's own to do: a
     sign-off task of a role they hold, a log naming them, a turn row (kind "turn"), and a document
     for those who hold the role that clears it, else (nobody but its uploader does) the credential
     analysts, else the program director; analysts merely seeing every document is not their turn.
     (a) nobody is told twice of one inbox item (per task, document and log over the whole walk; a
         turn once while the enrolment stands in one state);
     (b) a task, document or log of one's own has its own notice (`email.task_queued`,
         `email.document_to_verify`, `email.log_to_sign`) unless their own action put it there;
     (c) when the turn comes to someone (nothing of theirs to do on this enrolment before the step,
         something now, not by their own hand) the step wrote a notice addressed to them
         (`recipient_id`/`assignee_id`/`user_id`, or a log's signer), unless all that is now
         theirs are turns they were told of since the enrolment reached its state (a step is told
         when the enrolment reaches it, and not again when, after others' work, it is ready), or
         they acted on the enrolment since it reached its state (they know where it stands).
The walk also checks that a person about to take a ready step, or a staff member about to file a
document for the candidate, finds it among their own home's next steps. When nobody can do what is next and the director's list names the enrolment, the director
answers it by adding a holder of the missing role, and the walk goes on.

Set SCENARIO_KEEP_GOING=1 to walk on past violations (a stuck item is then done by whoever the app
lets) and print every violation met, instead of failing at the first step that breaks one.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from app import outbox
from app.demo.walker import NotYet, Walker, pdf_bytes
from app.models import (
    Enrollment,
    Evidence,
    LogEntry,
    Membership,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Program,
    User,
)
from app.services import Blocked, PathwayError
from app.services.enrollments import recorded_facts, signup
from app.services.enrollments.fact_registry import BY_NAME
from app.services.enrollments.facts import build_facts
from app.services.evidence import filing
from app.services.progress import dashboard, stuck
from app.services.progress import home as homes
from app.services.signoffs import deciding, queueing, worklist
from app.services.signoffs import giving as signoffs
from app.services.team import accounts, members, staff_invitations
from tests.today import TODAY
from workflows import engine
from workflows.facts import KeyDate
from workflows.pathway_map import pathway_map
from workflows.registry import definition, plugin
from workflows.roles import Role
from workflows.rules import Rule, RuleStatus

KEEP_GOING = os.environ.get("SCENARIO_KEEP_GOING") == "1"
MAX_ACTIONS = 400
STAFF_ROLES = (Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR, Role.SITE_ADMINISTRATOR,
               Role.MENTOR, Role.COACH, Role.PANEL_MEMBER, Role.PREP_PROGRAM_SUPPORT_PROVIDER)
PROGRAM_ROLES = (Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST, Role.PANEL_MEMBER, Role.PREP_PROGRAM_SUPPORT_PROVIDER)
# Who tells a person of which kind of inbox item: (job, the payload field naming the item, the field naming them).
NOTICE = {"signoff": ("email.task_queued", "task_id", "assignee_id"),
          "document": ("email.document_to_verify", "evidence_id", "recipient_id"),
          "log": ("email.log_to_sign", "log_id", None)}
TURN_NOTICE = "email.your_turn"  # a step's notice as queued before turns were kept (none is written now)
# The notices of turns: "email.turn" for what progress/turns.py lists.
TURN_NOTICES = frozenset({TURN_NOTICE, "email.turn"})
CASES = [(pathway, seed) for pathway in ("pip", "induction", "casc") for seed in ("solo", "7", "11")]


# --- the staff -------------------------------------------------------------------------------------

@dataclass
class Staffing:
    """One candidate on a fresh program and one or two people in every role around them."""

    app: Flask
    session: Session
    pathway: str
    rng: random.Random
    program: Program = field(init=False)
    enrollment: Enrollment = field(init=False)
    candidate: User = field(init=False)
    holders: dict[Role, list[User]] = field(default_factory=dict)
    by_name: dict[str, User] = field(default_factory=dict)
    administrator: User = field(init=False)  # the service administrator who adds staff

    def set_up(self, solo: bool) -> None:
        s = self.session
        org = Organisation(name=f"Org {self.pathway}", kind=OrganisationKind.DISTRICT)
        s.add(org)
        s.flush()
        self.program = Program(organisation_id=org.id, name=f"{self.pathway} program", pathway=self.pathway, settings={})
        s.add(self.program)
        s.flush()
        self.candidate = self._person("candidate", "Casey Candidate")
        self.administrator = self._person("administrator", "Sam Administrator")
        s.add(Membership(user_id=self.administrator.id, role=Role.SERVICE_ADMINISTRATOR.value))
        for role in STAFF_ROLES:
            count = 1 if solo else self.rng.choice((1, 2))
            self.holders[role] = [self._person(f"{role.value}{i}", f"{role.label} {'AB'[i]}") for i in range(count)]
        for role in PROGRAM_ROLES:  # the program is staffed before the candidate enrols
            for person in self.holders[role]:
                s.add(Membership(user_id=person.id, role=role.value, program_id=self.program.id))
        for person in self.holders[Role.DISTRICT_HR]:
            s.add(Membership(user_id=person.id, role=Role.DISTRICT_HR.value, organisation_id=org.id))
        s.commit()
        with self.app.app_context():  # the candidate signs up, as on the sign-up page (its directors are told)
            self.enrollment = signup.start_enrolment(s, self.candidate, self.program.id, self.pathway,  # type: ignore[arg-type]
                                                     TODAY - timedelta(days=10), TODAY)
            outbox.commit(s)
        director = self.holders[Role.PROGRAM_DIRECTOR][0]
        for person in self.holders[Role.SITE_ADMINISTRATOR]:  # the director puts them on the enrolment
            members.grant(s, director, person, Role.SITE_ADMINISTRATOR, enrollment=self.enrollment)
        # The mentor and coach the pathway has, unless a rule of its own dates their assignment
        # (induction's mentor, the CASC coach: the walk assigns them when that rule comes up).
        dated = {rule.key_date for rule in definition(self.pathway, 1).rules.values()}
        for role, key in ((Role.MENTOR, KeyDate.MENTOR_ASSIGNED_ON), (Role.COACH, KeyDate.COACH_ASSIGNED_ON)):
            if role in plugin(self.pathway).team_roles and key not in dated:
                for person in self.holders[role]:
                    members.grant(s, director, person, role, enrollment=self.enrollment, action="support.assigned")
        s.commit()

    def _person(self, handle: str, name: str) -> User:
        user = accounts.create_user(self.session, f"{handle}.{self.pathway}@example.org", name, "correct horse battery")
        self.by_name[name] = user
        return user

    def add_holder(self, role: Role) -> User:
        """One more person in `role` (the director's answer to "no one can act"), where the role is held."""
        s, n = self.session, len(self.holders[role])
        person = self._person(f"{role.value}{n}", f"{role.label} {'ABCDEFGH'[n]}")
        if role is Role.DISTRICT_HR or role in PROGRAM_ROLES:
            # As the staff page's "Add someone" does: the role, and an email saying what waits on them.
            organisation = s.get(Organisation, self.program.organisation_id)
            with self.app.app_context():
                staff_invitations.add(s, self.administrator, organisation, person.email, role.value,  # type: ignore[arg-type]
                                      None if role is Role.DISTRICT_HR else self.program)
        else:
            members.grant(s, self.holders[Role.PROGRAM_DIRECTOR][0], person, role, enrollment=self.refresh())
        s.commit()
        self.holders[role].append(person)
        return person

    def describe(self) -> str:
        """The staffing in words, for a failure's first line."""
        return f"{self.pathway}, staffed: " + ", ".join(f"{role.label} ×{len(people)}" for role, people in self.holders.items())

    @property
    def staff(self) -> list[User]:
        return [p for people in self.holders.values() for p in people]

    def on_enrollment(self, role: Role) -> list[User]:
        """The holders of `role` the app counts for this candidate now (mentors and coaches once assigned)."""
        return members.holders(self.session, self.refresh(), role)

    def refresh(self) -> Enrollment:
        self.session.expire_all()
        self.enrollment = self.session.get(Enrollment, self.enrollment.id)  # type: ignore[assignment]
        return self.enrollment

    def walker(self) -> Walker:
        """The demo walker with a random holder acting for each role this time."""
        people = {Role.CANDIDATE: self.candidate}
        for role, everyone in self.holders.items():
            assigned = self.on_enrollment(role) if role in (Role.MENTOR, Role.COACH) else everyone
            people[role] = self.rng.choice(assigned or everyone)
        return Walker(self.session, self.refresh(), people)


# --- what each person sees -------------------------------------------------------------------------

@dataclass(frozen=True)
class Seen:
    """One moment of the walk: each person's inbox items on this enrolment, the candidate's home."""

    inbox: dict[int, dict[tuple[str, int | str], Any]]  # user id -> (kind, item id) -> item
    home: homes.Home
    state: str
    outbox_high: int = 0  # the newest outbox row's id then
    state_high: int = 0  # the newest outbox row's id before the step that reached this state
    acted: frozenset[int] = frozenset()  # who acted since the enrolment reached this state (that step too)


def today_of(staffing: Staffing):  # type: ignore[no-untyped-def]
    return build_facts(staffing.session, staffing.refresh()).today


def inbox_keys(item: Any) -> tuple[str, int | str]:
    """An inbox item's identity across steps: a turn's row is rewritten with each summary, so it is
    known by what it asks ("step:start_screening", "fact:permit_issued_on", "upload:cl_777")."""
    if item.kind == "turn":
        return ("turn", f"{getattr(item, 'turn_kind', '')}:{item.key}")
    return (item.kind, item.id)


def look(staffing: Staffing) -> Seen:
    s, enrollment = staffing.session, staffing.refresh()
    today = today_of(staffing)
    inbox = {person.id: {inbox_keys(i): i for i in worklist.build(s, person, today).items
                         if i.enrollment_id == enrollment.id} for person in staffing.staff}
    board = dashboard.build(s, enrollment, staffing.candidate)
    high = s.exec(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())).first() or 0  # type: ignore[union-attr]
    return Seen(inbox, homes.build(s, board, staffing.candidate), enrollment.state, high)  # type: ignore[arg-type]


def moving_steps(home: homes.Home) -> list[homes.NextStep]:
    """The candidate's next steps that move the way forward: not the documents offered ahead of time,
    not the standing "log a meeting" offered when nothing else is hers."""
    return [step for step in home.next_steps
            if not step.detail.startswith("Needed later") and step.title != "Log a meeting or hours"]


# --- the invariants --------------------------------------------------------------------------------

def violations(staffing: Staffing, before: Seen, after: Seen, actor: User | None, what: str) -> list[str]:
    """Everything the step `what` (done by `actor`) left broken, in words."""
    s, found = staffing.session, []
    enrollment = staffing.refresh()
    shape = pathway_map(enrollment.pathway, enrollment.pathway_version)
    where = f"after {what} (state {after.state})"
    names = {u.id: u.name for u in staffing.staff}

    # 1. Whoever a "waiting on" line names has something on this enrolment in their inbox.
    for line in after.home.waiting:
        for name in line.names:
            if name == staffing.candidate.name:
                continue
            person = staffing.by_name.get(name)
            if person is None:
                found.append(f"{where}: “{line.what}” names {name!r}, who is nobody on the staff")
            elif not after.inbox.get(person.id):
                found.append(f"{where}: “{line.what}” waits on {name} ({line.role}), "
                             f"whose inbox has nothing on this enrolment")

    # 2. Final, or someone can act, or the director is told nobody can.
    final = enrollment.state == shape.spine[-1] or enrollment.state in shape.exits
    someone = any(after.inbox.values()) or moving_steps(after.home)
    if not final and not someone and enrollment.id not in nobody_can_act(staffing):
        waiting = "; ".join(f"{w.what} [{w.role}: {', '.join(w.names) or 'nobody named'}]" for w in after.home.waiting)
        found.append(f"{where}: nobody can act (no inbox item, no next step for the candidate) and the "
                     f"director's “no one can act” list does not name it. Waiting: {waiting or 'nothing'}")

    # 3. Each change of turn told to its person exactly once.
    outbox = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
    fresh = [m for m in outbox if m.id > before.outbox_high]  # written by this step
    this_state = [m for m in outbox if m.id > after.state_high]  # since the enrolment reached its state
    for person_id, items in after.inbox.items():
        had = before.inbox.get(person_id, {})
        untold = []
        # Someone just given a role finds what already waited for it in their inbox: the email that
        # tells them of the role says how many things wait on them (email.staff_added).
        given_role = any(m.job == "email.staff_added" and m.payload.get("recipient_id") == person_id for m in fresh)
        for key, item in items.items():
            if key in had:
                continue
            told = notices(this_state if item.kind == "turn" else outbox, item, person_id)
            # (a) Nobody is told twice of one item.
            if told > 1:
                found.append(f"{where}: {names[person_id]} was told {told} times of “{item.title}”")
            # (b) A sign-off task, a document or a log that is theirs to do has its own notice.
            elif told == 0 and item.kind in NOTICE and (actor is None or person_id != actor.id) \
                    and not given_role and must_be_told(staffing, item, person_id):
                untold.append(item)
                found.append(f"{where}: “{item.title}” reached {names[person_id]}'s inbox, but nobody told them")
        # (c) The turn came to them (nothing of theirs to do here before, something now, not by their
        #     own hand): this step told them, by a notice addressed to them, unless each thing now
        #     theirs is a turn they were told of since the enrolment reached its state.
        own = [item for item in items.values() if must_be_told(staffing, item, person_id)]
        told_already = all(item.kind == "turn" and notices(this_state, item, person_id) for item in own)
        if own and not untold and not told_already and not any(must_be_told(staffing, i, person_id) for i in had.values()) \
                and person_id not in after.acted and not any(addressee(s, m) == person_id for m in fresh):
            listed = "; ".join(f"“{item.title}”" for item in own)
            found.append(f"{where}: the turn came to {names[person_id]} ({listed}) and nobody told them")
    for key, count in Counter(notice_identity(m) for m in outbox if notice_identity(m)).items():
        if count > 1:
            found.append(f"{where}: one notice sent {count} times: {key}")
    per_state = Counter((m.job, m.payload.get("kind"), m.payload.get("event") or m.payload.get("key"), addressee(s, m))
                        for m in this_state if m.job in TURN_NOTICES)
    for (job, _kind, turn_key, person_id), count in per_state.items():
        if count > 1:
            found.append(f"{where}: {names.get(person_id, person_id)} was told {count} times ({job}) of the turn "
                         f"{turn_key} while the enrolment stood at {after.state}")
    return found


def addressee(session: Session, message: OutboxMessage) -> int | None:
    """Whom a notice is addressed to, when it is to one person."""
    p = message.payload
    if message.job == NOTICE["log"][0]:
        entry = session.get(LogEntry, p.get("log_id"))
        return entry.signer_id if entry else None
    return p.get("recipient_id") or p.get("assignee_id") or p.get("user_id")


def notices(outbox: list[OutboxMessage], item: Any, person_id: int) -> int:
    """How many of these emails told `person_id` of this inbox item (for a turn, pass those written
    since the enrolment reached its state)."""
    if item.kind == "turn":
        # A turn's notice names its person (`recipient_id`) and what it asks (the step's event, the
        # fact's name or the document's kind) as `event` or `key`.
        return sum(1 for m in outbox if m.job in TURN_NOTICES and m.payload.get("recipient_id") == person_id
                   and item.key in (m.payload.get("event"), m.payload.get("key")))
    if item.kind not in NOTICE:
        return 1  # a kind this test does not know yet: not judged
    job, item_field, person_field = NOTICE[item.kind]
    told = sum(1 for m in outbox if m.job == job and m.payload.get(item_field) == item.id
               and (person_field is None or m.payload.get(person_field) == person_id))
    if item.kind == "document":  # a verification that fell to the director is told as their turn
        told += sum(1 for m in outbox if m.job in TURN_NOTICES and m.payload.get("recipient_id") == person_id
                    and m.payload.get("kind") == "verify" and m.payload.get("key") == item.evidence_kind)
    return told


def notice_identity(message: OutboxMessage) -> tuple[Any, ...] | None:
    """(job, the item, the person) for the notices that tell a person of a turn; None for the rest."""
    p = message.payload
    if message.job in TURN_NOTICES:  # a turn may come back in another state: judged per state instead
        return None
    for job, item_field, person_field in NOTICE.values():
        if message.job == job:
            return (job, p.get(item_field), p.get(person_field) if person_field else None)
    return None


def must_be_told(staffing: Staffing, item: Any, person_id: int) -> bool:
    """Whether this inbox item is the person's own turn (told by email), not work they merely may pick
    up: a sign-off task of a role they hold; a log naming them; a turn; a document, for those who hold
    the role that clears it, else (nobody but its uploader does) the credential analysts, else the
    program director (who verifies it when nobody else can). Analysts see every document; that is
    not a turn of theirs."""
    if item.kind == "signoff":
        return person_id in {u.id for u in staffing.on_enrollment(Role(item.role))}
    if item.kind == "document":
        uploader = staffing.session.get(Evidence, item.id).uploaded_by_id  # type: ignore[union-attr]
        clears = _clears(staffing.enrollment, item.evidence_kind)
        for role in (clears, Role.CREDENTIAL_ANALYST, Role.PROGRAM_DIRECTOR):
            people = {u.id for u in staffing.on_enrollment(role)} - {uploader} if role not in (None, Role.CANDIDATE) else set()
            if people:
                return person_id in people
        return False
    return True


def _clears(enrollment: Enrollment, kind: str) -> Role | None:
    for rule in definition(enrollment.pathway, enrollment.pathway_version).rules.values():
        if rule.evidence_kind is not None and rule.evidence_kind.value == kind:
            return rule.clears
    return None


def nobody_can_act(staffing: Staffing) -> set[int]:
    """The enrolments on the director's "no one can act" list."""
    return {line.enrollment_id for line in stuck.nobody_can_act(staffing.session, [staffing.program.id])}


# --- the walk --------------------------------------------------------------------------------------

class Stuck(AssertionError):
    """Nobody the app lets can do what the way forward needs next."""


class Remedied(Exception):
    """The walk was stuck, the director's list said so, and the director added someone who can act."""


@dataclass
class Walk:
    staffing: Staffing
    problems: list[str] = field(default_factory=list)
    actions: int = 0

    @property
    def s(self) -> Session:
        return self.staffing.session

    def run(self) -> None:
        st = self.staffing
        shape = pathway_map(st.pathway, 1)
        seen = Seen({}, self.look().home, st.enrollment.state)  # the enrolment's own notices count
        seen = self.check(seen, None, "enrolment")
        while st.refresh().state != shape.spine[-1]:
            self.actions += 1
            assert self.actions < MAX_ACTIONS, f"no end in sight at {st.enrollment.state}"
            actor, what = self.act(shape.forward(st.enrollment.state)[0].event)
            seen = self.check(seen, actor, what)

    def check(self, before: Seen, actor: User | None, what: str) -> Seen:
        """The invariants after one committed step: fail at once, or (keeping going) note what broke."""
        after = self.look()
        with self.staffing.app.app_context():
            same = after.state == before.state
            acted = (before.acted if same else frozenset()) | ({actor.id} if actor is not None else set())
            after = replace(after, state_high=before.state_high if same else before.outbox_high, acted=frozenset(acted))
            broken = violations(self.staffing, before, after, actor, what)
        if broken and not KEEP_GOING:
            pytest.fail("\n".join([self.staffing.describe(), *broken]), pytrace=False)
        self.problems += broken
        return after

    def look(self) -> Seen:
        with self.staffing.app.app_context():
            return look(self.staffing)

    def act(self, event: str) -> tuple[User | None, str]:
        """Do the next thing `event` lacks, as someone who may; (who did it, what it was)."""
        with self.staffing.app.app_context():
            try:
                return self._act(event)
            except Remedied as remedy:
                return None, str(remedy)

    def _act(self, event: str) -> tuple[User | None, str]:
        st = self.staffing
        facts = build_facts(self.s, st.refresh())
        unmet = engine.unmet_rules(st.pathway, 1, st.enrollment.state, event, facts)
        if not unmet:
            return self.take_step(event, ready=True)
        # Documents and recorded facts first; sign-offs once what they vouch for is in place.
        for rule in sorted(unmet, key=lambda r: r.signoff is not None):
            if rule.evidence_kind is not None:
                return self.document(rule, facts)
            if rule.signoff is None:
                return self.record(rule)
        return self.signoff(event, unmet, facts)

    def take_step(self, event: str, ready: bool = False) -> tuple[User | None, str]:
        """Ask for the step as a random holder of a role that may; when everything it needs is in
        place (`ready`), that person's own home must offer it as a next step."""
        st = self.staffing
        spec = definition(st.pathway, 1).events[event]
        people = [st.candidate] if Role.CANDIDATE in spec.by else []
        people += [p for role in sorted(spec.by - {Role.CANDIDATE}, key=lambda r: r.value) for p in st.on_enrollment(role)]
        actor = st.rng.choice(people)
        if ready:
            own = homes.build(self.s, dashboard.build(self.s, st.refresh(), actor), actor)
            if not any(step.action == "step" and step.target == event for step in own.next_steps):
                self.note(f"at {st.enrollment.state}: {actor.name} may take the step {event} and everything it "
                          f"needs is in place, but their own home does not offer it")
        queueing.ask_for_step(self.s, st.enrollment.id, event, actor)  # type: ignore[arg-type]
        return actor, f"{actor.name} took the step {event}"

    def document(self, rule: Rule, facts: Any) -> tuple[User | None, str]:
        st = self.staffing
        kind = rule.evidence_kind
        assert kind is not None
        status = rule.status(facts)
        if status in (RuleStatus.MISSING, RuleStatus.SENT_BACK):
            p = plugin(st.pathway)
            staff_file = kind in p.filed_by_others or kind in p.done_elsewhere or kind.value == "issued_credential"
            uploader = st.rng.choice(st.on_enrollment(rule.clears)) if staff_file else st.candidate
            if staff_file:  # the staff member's own home offers the upload
                own = homes.build(self.s, dashboard.build(self.s, st.refresh(), uploader), uploader)
                if not any(step.action == "upload" and step.target == kind.value for step in own.next_steps):
                    self.note(f"at {st.enrollment.state}: {uploader.name} files the {kind.label}, "
                              f"but their own home does not offer the upload")
            filing.submit(self.s, st.refresh(), kind.value, f"{kind.value}.pdf",
                          pdf_bytes(f"{kind.value}-{st.enrollment.id}-{self.actions}"), uploader)
            self.s.commit()
            return uploader, f"{uploader.name} uploaded the {kind.label}"
        if status is RuleStatus.AWAITING_VERIFICATION:
            row = self.s.exec(select(Evidence).where(Evidence.enrollment_id == st.enrollment.id, Evidence.kind == kind.value,
                                                     Evidence.superseded_at.is_(None))).one()  # type: ignore[union-attr]
            verifier = self.someone_with(("document", row.id)) or self.stuck(
                f"nobody has the {kind.label} (uploaded by {self._name(row.uploaded_by_id)}) in their inbox",
                fallback=lambda: self._any_verifier(row), short_of=Role.CREDENTIAL_ANALYST)
            filing.decide(self.s, row, verifier, verified=True)
            self.s.commit()
            return verifier, f"{verifier.name} verified the {kind.label}"
        return self.record(rule)

    def record(self, rule: Rule) -> tuple[User | None, str]:
        """A fact, total or flag, recorded by a random holder of its role (the demo walker's way)."""
        st = self.staffing
        for _ in range(4):
            walker = st.walker()
            try:
                if rule.key_date in (KeyDate.MENTOR_ASSIGNED_ON, KeyDate.COACH_ASSIGNED_ON):
                    role = Role.MENTOR if rule.key_date is KeyDate.MENTOR_ASSIGNED_ON else Role.COACH
                    for person in st.holders[role]:  # every holder of the role goes on the enrolment
                        Walker(self.s, st.refresh(), {**walker.people, role: person}).assign(role)
                    self.s.commit()
                else:
                    owner = self.as_owner(rule)
                    if owner is not None:
                        return owner, f"{owner.name} entered the {rule.key}"
                    walker.make_true(rule)
                return None, f"recording {rule.key}"
            except NotYet as early:
                self.travel_to(early.until)
        raise AssertionError(f"could not record {rule.key} even with time moved on")

    def as_owner(self, rule: Rule) -> User | None:
        """A recordable fact entered on the facts page by a random holder of a role that owns it, with
        the value the demo walker would record; None when the rule is not such a fact (or the walker's
        way is the one that holds it: a count it raises with logs, a flag it sets)."""
        st = self.staffing
        facts = build_facts(self.s, st.refresh())
        fact = next((key.value for key in (rule.key_date, rule.count, rule.flag) if key is not None
                     and key.value in BY_NAME), None)
        if fact is None or rule.key_date is KeyDate.ILP_GOALS_SET_ON:
            return None
        spec = BY_NAME[fact]
        people = [p for role in sorted(spec.owners, key=lambda r: r.value) if role is not Role.CANDIDATE
                  for p in st.on_enrollment(role)]
        if not people:
            return None
        if spec.kind == "flag":
            unrecorded = rule.unrecorded(facts)
            raw = "no" if unrecorded is not None and rule.predicate(facts) else (
                "yes" if rule.flag is not None and rule.flag.value not in st.enrollment.flags else "no")
        elif spec.kind == "date":
            raw = {KeyDate.PERMIT_ISSUED_ON: facts.today - timedelta(days=30),
                   KeyDate.PRELIMINARY_ISSUED_ON: facts.today - timedelta(days=400),
                   KeyDate.ADMIN_POSITION_STARTED_ON: facts.today - timedelta(days=60),
                   KeyDate.PASC_ISSUED_ON: facts.today - timedelta(days=500)}.get(rule.key_date,  # type: ignore[arg-type]
                                                                                   facts.today).isoformat()
        else:
            have_need = rule.progress(facts)
            raw = "0" if rule.count is not None and rule.count.value == "prior_emergency_permits" else (
                f"{have_need[1]:g}" if have_need else "")
        person = st.rng.choice(people)
        try:
            recorded_facts.record(self.s, st.enrollment.id, person, fact, raw)  # type: ignore[arg-type]
        except PathwayError as refused:
            self.s.rollback()
            print(f"(the walk) {person.name} could not enter {fact}={raw!r}: {refused}; recorded as the demo does")
            return None
        self.s.commit()
        return person

    def signoff(self, event: str, unmet: list[Rule], facts: Any) -> tuple[User | None, str]:
        st = self.staffing
        for rule in unmet:
            assert rule.signoff is not None
            key, role = rule.signoff
            task = queueing.open_task(self.s, st.enrollment.id, key.value, role.value)  # type: ignore[arg-type]
            if task is None:
                continue
            having = self.all_with(("signoff", task.id))
            st.rng.shuffle(having)
            if not having:
                having = [self.stuck(f"nobody has the open sign-off task {key.value} ({role.label}) in their inbox",
                                     fallback=lambda role=role: st.rng.choice(st.on_enrollment(role)), short_of=role)]
            refused = []
            for approver in having:  # whoever has it in their inbox and may give it (not over their own upload)
                try:
                    deciding.approve(self.s, task.id, approver)  # type: ignore[arg-type]
                    return approver, f"{approver.name} gave the sign-off {key.value} ({role.label})"
                except Blocked as blocked:
                    self.s.rollback()
                    refused.append(f"{approver.name}: {' '.join(getattr(blocked, 'reasons', []) or [str(blocked)])}")
            self.stuck(f"nobody with the sign-off {key.value} in their inbox may give it ({'; '.join(refused)})",
                       fallback=lambda: None, short_of=role)
            approver = having[0]
            signoffs.give(self.s, st.refresh(), key.value, role.value, approver)
            self.s.commit()
            return approver, f"{approver.name} gave the sign-off {key.value} ({role.label}) outside the inbox"
        # Nothing asked yet: someone whose home offers "Ask for the sign-offs" asks.
        askers = [p for p in [st.candidate, *st.staff]
                  if event in {e for e, _, _ in queueing.askable(self.s, st.refresh(), p, facts)}]
        if askers:
            asker = st.rng.choice(askers)
            queueing.ask_for_signoffs(self.s, st.enrollment.id, event, asker)  # type: ignore[arg-type]
            return asker, f"{asker.name} asked for the sign-offs of {event}"
        # Held back (an earlier role, a document): asking for the step queues what can be given.
        spec = definition(st.pathway, 1).events[event]
        actor = st.rng.choice([st.candidate] if Role.CANDIDATE in spec.by else
                              [p for role in sorted(spec.by, key=lambda r: r.value) for p in st.on_enrollment(role)])
        try:
            queueing.ask_for_step(self.s, st.enrollment.id, event, actor)  # type: ignore[arg-type]
        except Blocked:
            self.s.rollback()  # (what it queued is committed already)
        pending = [r for r in unmet if queueing.open_task(self.s, st.enrollment.id, r.signoff[0].value,  # type: ignore[index, arg-type]
                                                          r.signoff[1].value) is not None]  # type: ignore[index]
        if not pending:
            self.stuck(f"the sign-offs of {event} cannot be asked for: {[r.key for r in unmet]}", fallback=lambda: None)
            rule = unmet[0]
            key, role = rule.signoff  # type: ignore[misc]
            signoffs.give(self.s, st.refresh(), key.value, role.value, st.rng.choice(st.on_enrollment(role)))
            self.s.commit()
        return actor, f"the step {event} was asked for"

    def all_with(self, key: tuple[str, int]) -> list[User]:
        """Everyone with this item on this enrolment in their inbox."""
        st = self.staffing
        today = today_of(st)
        return [p for p in st.staff if any(inbox_keys(i) == key and i.enrollment_id == st.enrollment.id
                                           for i in worklist.build(self.s, p, today).items)]

    def someone_with(self, key: tuple[str, int]) -> User | None:
        having = self.all_with(key)
        return self.staffing.rng.choice(having) if having else None

    def note(self, message: str) -> None:
        """Something the walk met that the app got wrong: fail now, or (keeping going) remember it."""
        if not KEEP_GOING:
            pytest.fail(f"{self.staffing.describe()}\n{message}", pytrace=False)
        self.problems.append(message)

    def stuck(self, why: str, fallback, short_of: Role | None = None):  # type: ignore[no-untyped-def]
        """Nobody can do it through the app. When the director's "no one can act" list names the
        enrolment, the director does what it asks (another holder of `short_of` joins the program) and
        the walk goes on; else fail, or (keeping going) note it and use `fallback`."""
        st = self.staffing
        message = f"stuck at {st.enrollment.state}: {why}"
        if short_of is not None and st.enrollment.id in nobody_can_act(st):
            raise Remedied(f"the director added {st.add_holder(short_of).name} ({short_of.label}) after {why}")
        if not KEEP_GOING:
            raise Stuck(message)
        self.problems.append(message)
        return fallback()

    def _any_verifier(self, row: Evidence) -> User:
        """Keeping going past a stuck document: an analyst other than the uploader, else a director."""
        st = self.staffing
        for role in (Role.CREDENTIAL_ANALYST, Role.PROGRAM_DIRECTOR):
            others = [p for p in st.holders[role] if p.id != row.uploaded_by_id]
            if others:
                return others[0]
        raise Stuck("no one but the uploader could verify it")

    def _name(self, user_id: int | None) -> str:
        return next((u.name for u in [self.staffing.candidate, *self.staffing.staff] if u.id == user_id), "?")

    def travel_to(self, day: Any) -> None:
        today = today_of(self.staffing)
        extra = (day - today).days * 86400
        if extra > 0:
            cfg = self.staffing.app.config
            cfg["CLOCK_OFFSET_SECONDS"] = (cfg.get("CLOCK_OFFSET_SECONDS") or 0) + extra


@pytest.mark.parametrize(("pathway", "seed"), CASES, ids=[f"{p}-{s}" for p, s in CASES])
def test_work_always_reaches_someone_who_can_do_it(app: Flask, session: Session, pathway: str, seed: str) -> None:
    staffing = Staffing(app, session, pathway, random.Random(f"{pathway}-{seed}"))
    staffing.set_up(solo=seed == "solo")
    walk = Walk(staffing)
    walk.run()
    if walk.problems:
        print(f"\n{pathway}-{seed}: {len(walk.problems)} violations")
        for problem in dict.fromkeys(walk.problems):
            print("  -", problem)
    assert not walk.problems
    assert staffing.refresh().state == pathway_map(pathway, 1).spine[-1]
