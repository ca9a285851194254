"""The access matrix: every route of app.url_map × every subject × every method, against app/access.py.

One world is built per module: a candidate on each pathway with a person in every role, another
candidate of the same program, the same roles on another program's candidate, and a service
administrator. Every cell is one request from a cached signed-in client, its answer reduced to an
outcome class (ok, login, hidden, forbidden), and all mismatches are reported at once.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlmodel import Session, select

from app import access, confidentiality, create_app, outbox
from app.auth.tokens import make_reset_token
from app.confidentiality import Channel, Content
from app.models import (
    Evidence,
    LogEntry,
    Membership,
    Organisation,
    OutboxMessage,
    Recommendation,
    SentNotification,
    User,
)
from app.services.enrollments import pathways
from app.services.evidence import filing, plans
from app.services.notifications import calendar_feed
from app.services.programs import organisations
from app.services.programs import recommendations as recs
from app.services.programs import resources as resources_service
from app.services.signoffs import delegations, panels
from app.services.team import accounts, staff, staff_invitations
from app.services.team import invitations as invitations_service
from tests import today as suite_day
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.app.signoffs.test_panels import at_exit_interview
from tests.app.signoffs.test_tasks import waiting_on_signoffs
from tests.conftest import ON_POSTGRES, csrf_token
from tests.today import TODAY
from workflows import registry
from workflows.facts import Pathway
from workflows.roles import Role

PASSWORD = "correct horse battery"
ATTEST = "I attest that the candidate completed every program requirement."
GOAL = "Secret growth goal zebra"
NOTE = "Confidential note walrus"


# --- The world --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    """Whom a client signs in as."""

    id: int
    email: str


@dataclass
class Case:
    """One home enrolment and everything its routes' URLs and forms need."""

    driver: PathwayDriver
    people: dict[str, User]  # subject name -> user, for the subjects tied to this enrolment
    values: dict[str, Any] = field(default_factory=dict)  # URL values every route of the case may use
    by_endpoint: dict[str, dict[str, Any]] = field(default_factory=dict)  # URL values for one endpoint
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)  # URL values of a named variant
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)  # form fields for one endpoint's POST
    logins: dict[str, Login] = field(default_factory=dict)  # the people, once built


@dataclass
class World:
    """The app, the cases, and a signed-in client per person (made on first use)."""

    app: Flask
    cases: dict[str, Case]
    shared: dict[str, Login]  # other_*, service administrator: the same person whatever the case
    clients: dict[int | None, FlaskClient] = field(default_factory=dict)
    tokens: dict[int | None, str] = field(default_factory=dict)


def _user(session: Session, label: str) -> User:
    return accounts.create_user(session, f"{label}@example.org", label.replace("-", " ").title(), PASSWORD)


def _team(session: Session, driver: PathwayDriver, label: str) -> dict[str, User]:
    """Mentor, coach and viewer on the enrolment (the driver holds the rest), and the subject map."""
    viewer = _user(session, f"viewer-{label}")
    for role, user in ((Role.MENTOR, driver.person(Role.MENTOR)), (Role.COACH, driver.person(Role.COACH)),
                       (Role.VIEWER, viewer)):
        if session.exec(select(Membership).where(Membership.user_id == user.id, Membership.role == role.value,
                                                 Membership.enrollment_id == driver.enrollment.id)).first() is None:
            session.add(Membership(user_id=user.id, role=role.value, enrollment_id=driver.enrollment.id))
    session.commit()
    people = {access.CANDIDATE: driver.candidate, Role.VIEWER.value: viewer}
    for role in access.TEAM_ROLES:
        if role is not Role.VIEWER:
            people[role.value] = driver.person(role)
    other = _user(session, f"classmate-{label}")
    with driver.app.app_context():
        pathways.enroll(session, other, driver.program, TODAY - timedelta(days=5), other)
    session.commit()
    people[access.OTHER_CANDIDATE] = other
    return people


def _bystanders(session: Session, driver: PathwayDriver, label: str) -> dict[str, int]:
    """Memberships no subject relies on, for the routes that end or confirm one."""
    made: dict[str, int] = {}
    for key, role, proposed in (("member", Role.VIEWER, None), ("proposal", Role.VIEWER, Role.MENTOR),
                                ("assignment", Role.MENTOR, None)):
        person = _user(session, f"bystander-{key}-{label}")
        row = Membership(user_id=person.id, role=role.value, proposed_role=proposed.value if proposed else None,
                         enrollment_id=driver.enrollment.id)
        session.add(row)
        session.flush()
        made[key] = row.id  # type: ignore[assignment]
    made["person"] = person.id
    session.commit()
    return made


def _enrolment_records(app: Flask, session: Session, case: Case, label: str, plan_kind: str) -> None:
    """A document, a plan filed as a PDF, a log, invitations and a calendar feed on the case's enrolment."""
    driver = case.driver
    enrollment = driver.refresh()
    candidate = driver.candidate
    with app.app_context():
        document = filing.submit(session, enrollment, _DOCUMENT[driver.pathway], "letter.pdf", pdf_bytes("letter"),
                                 candidate)
        outbox.commit(session)
        items, summary = _PLAN_CONTENT[plan_kind]
        plans.save(session, enrollment, plan_kind, candidate, items=items, summary=summary, expected_revision=0)
        plans.submit(session, enrollment, plan_kind, candidate)  # files the plan as a PDF
        outbox.commit(session)
        filed = session.exec(select(Evidence).where(Evidence.enrollment_id == enrollment.id,
                                                    Evidence.kind == _FILED[plan_kind])
                             .order_by(Evidence.id.desc())).first()
        kind = _NOTES[driver.pathway]
        log = LogEntry(enrollment_id=enrollment.id, kind=kind, occurred_on=TODAY, hours=1,
                       notes=NOTE, author_id=candidate.id,
                       signer_id=driver.person(Role.COACH if kind == "coaching" else Role.MENTOR).id)
        session.add(log)
        link = invitations_service.invite(session, enrollment, candidate, f"invitee-{label}@example.org", "viewer")
        spare = invitations_service.invite(session, enrollment, candidate, f"spare-{label}@example.org", "viewer")
        outbox.commit(session)
        feed = calendar_feed.create(session, candidate, enrollment)
        outbox.commit(session)
    case.values.update(enrollment_id=enrollment.id, program_id=driver.program.id, evidence_id=filed.id,  # type: ignore[union-attr]
                       log_id=log.id, number=1, kind=plan_kind, invitation_id=spare.id, event=_EVENT[driver.pathway],
                       name=_FACT[driver.pathway], token=invitations_service.token_for(link))
    case.by_endpoint["candidate.calendar"] = {"token": feed}
    # Nobody's token: each person's own tokens (and someone else's, refused) are tested in tests/api.
    case.by_endpoint["api_tokens.revoke"] = {"token_id": 0}
    case.variants["document"] = {"evidence_id": document.id}  # an ordinary document, not the plan
    bystanders = _bystanders(session, driver, label)
    case.by_endpoint["candidate.remove_member"] = {"membership_id": bystanders["member"]}
    case.by_endpoint["director.confirm"] = {"membership_id": bystanders["proposal"]}
    case.by_endpoint["director.revoke"] = {"membership_id": bystanders["assignment"]}
    case.forms["candidate.add_log"] = {"kind": _NOTES[driver.pathway]}
    case.forms["candidate.add_logs"] = {"kind": _NOTES[driver.pathway]}
    case.forms["director.assign"] = {"enrollment_id": enrollment.id, "user_id": bystanders["person"]}
    case.forms["director.assign_many"] = {"enrollment_id": enrollment.id, "user_id": bystanders["person"]}


# What each pathway's case files, logs and asks for.
_DOCUMENT = {"induction": "preliminary_credential", "pip": "transcripts", "casc": "pasc_or_coe"}
_PLAN = {"induction": "ilp", "pip": "pip_action", "casc": "iip1"}
_FILED = {"ilp": "ilp", "pip_action": "action_plan", "iip1": "iip_1"}
_PLAN_CONTENT: dict[str, tuple[list[dict[str, Any]], dict[str, str]]] = {
    "ilp": ([{"standard": n, "goal": f"{GOAL} {n}", "actions": "Try circles"} for n in range(1, 7)],
            {"cstp_version": "2024"}),
    "iip1": ([{"standard": n, "goal": f"{GOAL} {n}", "actions": "Walkthroughs"} for n in (1, 2, 3)],
             {"leadership_goal": "Lead learning"}),
    "pip_action": ([{"action": GOAL, "owner": "Me", "due": TODAY.isoformat()}], {}),
}
_NOTES = {"induction": "mentoring", "pip": "support_note", "casc": "coaching"}
_EVENT = {"induction": "enrol", "pip": "establish_plan", "casc": "pass_exit_interview"}
_FACT = {"induction": "preliminary_issued_on", "pip": "board_notice_on", "casc": "employed_on"}


def _staff_records(app: Flask, session: Session, case: Case, administrator: User) -> None:
    """An organisation-wide role and two staff invitations in the case's organisation, and a spare
    organisation with a program to archive (archiving the case's own would change every other cell)."""
    organisation = session.get(Organisation, case.driver.program.organisation_id)
    with app.app_context():
        analyst = _user(session, "staff-bystander")
        held = staff.grant(session, administrator, analyst, Role.CREDENTIAL_ANALYST, organisation, reason="matrix")  # type: ignore[arg-type]
        withdrawn = staff_invitations.invite(session, administrator, organisation, "staff-spare@example.org",  # type: ignore[arg-type]
                                             Role.CREDENTIAL_ANALYST.value)
        joining = staff_invitations.invite(session, administrator, organisation, "staff-invitee@example.org",  # type: ignore[arg-type]
                                           Role.DISTRICT_HR.value)
        spare = organisations.create_organisation(session, administrator, "Spare district", "district")
        spare_program = organisations.create_program(session, administrator, spare, "induction", "Spare induction")
        outbox.commit(session)
        token = staff_invitations.token_for(joining)
    case.by_endpoint.update({
        "organisations.revoke": {"place": "role", "held_id": held.id},
        "organisations.withdraw": {"staff_invitation_id": withdrawn.id},
        "organisations.deactivate": {"user_id": analyst.id},
        "organisations.join": {"token": token}, "organisations.accept": {"token": token},
        "organisations.archive": {"organisation_id": spare.id},
        "organisations.archive_program": {"organisation_id": spare.id, "program_id": spare_program.id}})


def build_world(app: Flask, session: Session) -> World:
    """Every record the routes' URLs name, once."""
    induction = PathwayDriver(app, session, "induction")
    pip, tasks = waiting_on_signoffs(app, session, "pip")
    casc, members = at_exit_interview(app, session)
    elsewhere = PathwayDriver(app, session, "induction")
    cases = {}
    for label, driver in (("induction", induction), ("pip", pip), ("casc", casc)):
        cases[label] = Case(driver, _team(session, driver, label))
        _enrolment_records(app, session, cases[label], label, _PLAN[label])
    # Every other installed pathway (the suite's own, tests/pathways): its enrolment, for the routes
    # every pathway serves.
    for label in registry.names():
        if label not in cases:
            driver = PathwayDriver(app, session, label)
            cases[label] = Case(driver, _team(session, driver, label))
            cases[label].values.update(enrollment_id=driver.enrollment.id, program_id=driver.program.id)
    others = _team(session, elsewhere, "elsewhere")
    shared = {f"other_{name}": user for name, user in others.items() if name in access.ROLE_SUBJECTS}
    administrator = _user(session, "service-administrator")
    session.add(Membership(user_id=administrator.id, role=Role.SERVICE_ADMINISTRATOR.value))
    session.commit()
    shared[access.SERVICE_ADMINISTRATOR] = administrator
    _staff_records(app, session, cases["induction"], administrator)

    # PIP: two open sign-off tasks (district HR, site administrator), a delegation by the site administrator.
    by_role = {t.role: t for t in tasks}
    site_admin = pip.person(Role.SITE_ADMINISTRATOR)
    with app.app_context():
        delegation = delegations.create(session, site_admin, pip.person(Role.MENTOR).email, TODAY,
                                        TODAY + timedelta(days=3), TODAY, "")
        session.commit()
    cases["pip"].values.update(task_id=by_role["site_administrator"].id, delegation_id=delegation.id)
    # A send-back decides its task: it gets a task of its own, so the others stay open.
    cases["pip"].by_endpoint["inbox.send_back"] = {"task_id": by_role["district_hr"].id}

    # CASC: a panel (a panel member and the coach), then the exit interview passed and a recommendation.
    with app.app_context():
        panel = panels.create(session, casc.enrollment.id, casc.person(Role.PROGRAM_DIRECTOR),
                              [members[0].id, casc.person(Role.COACH).id], 1)
        panels.vote(session, panel.id, members[0], {str(n): 3 for n in range(1, 7)}, True, None)
        casc.refresh()
        result = recs.submit_batch(session, casc.program, [casc.enrollment.id], casc.person(Role.PROGRAM_DIRECTOR),
                                   ATTEST)
    batch = result.batch
    rec = session.exec(select(Recommendation).where(Recommendation.batch_id == batch.id)).one()  # type: ignore[union-attr]
    cases["casc"].values.update(panel_id=panel.id, batch_id=batch.id, recommendation_id=rec.id,  # type: ignore[union-attr]
                                action="fitness_answered")

    # Service-wide records: a link for everyone, an outbox message, an email, a reset link.
    with app.app_context():
        link = resources_service.add(session, administrator, title="Job fair", url="https://example.org/fair",
                                     category=next(iter(resources_service.CATEGORY_LABELS)), organisation_id=None,
                                     pathway=None, description="", happens_on=None, today=TODAY)
        outbox.commit(session)
        reset = make_reset_token(_user(session, "resetting"))
    message = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    sent = session.exec(select(SentNotification).order_by(SentNotification.id)).first()
    common = {"resource_id": link.id, "message_id": message.id, "notification_id": sent.id,  # type: ignore[union-attr]
              "job_id": "outbox-1", "filename": "favicon.svg",
              "organisation_id": cases["induction"].driver.program.organisation_id}
    for case in cases.values():
        for key, value in common.items():
            case.values.setdefault(key, value)
    cases["induction"].by_endpoint["auth.reset_password"] = {"token": reset}
    # Who signs in, as plain values: the rows are not used after this session closes.
    for case in cases.values():
        case.logins = {name: Login(user.id, user.email) for name, user in case.people.items()}  # type: ignore[misc]
    return World(app, cases, {name: Login(user.id, user.email) for name, user in shared.items()})  # type: ignore[misc]


# --- Requests and outcome classes ---------------------------------------------------------------------


def _client(world: World, user: Login | None) -> tuple[FlaskClient, str]:
    """A client signed in as `user` (None: anonymous), made once, with its CSRF token."""
    key = user.id if user else None
    if key not in world.clients:
        client = world.app.test_client()
        # An address per person, as in a school: the rate limits count per address.
        client.environ_base["REMOTE_ADDR"] = f"10.1.{(len(world.clients) // 250)}.{len(world.clients) % 250 + 1}"
        if user is not None:
            page = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD,
                                                      "csrf_token": csrf_token(client, "/auth/sign-in")})
            assert page.status_code == 302, (user.email, page.status_code)
        world.clients[key] = client
        world.tokens[key] = csrf_token(client, "/auth/reset")
    return world.clients[key], world.tokens[key]


def outcome(status: int, location: str, body: bytes) -> str:
    """The outcome class of one answer."""
    if status in (301, 302, 303, 307, 308) and "/auth/sign-in?next=" in location:
        return access.LOGIN
    if 200 <= status < 400:
        return access.OK
    if status == 400 and b"security token" in body:
        return "csrf"  # the form was refused before anything ran: the matrix proves nothing then
    if status in access.VALIDATION:
        return access.OK
    return {403: access.FORBIDDEN, 404: access.HIDDEN}.get(status, f"error {status}")


def _person(world: World, case: Case, subject: str) -> Login | None:
    if subject == access.ANONYMOUS:
        return None
    return case.logins.get(subject) or world.shared[subject]


def _url(world: World, case: Case, endpoint: str, variant: str) -> str:
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {**case.values, **case.by_endpoint.get(endpoint, {}), **case.variants.get(variant, {})}
    with world.app.test_request_context():
        return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


def _version(world: World, case: Case) -> int:
    with world.app.extensions["db_engine"].connect() as conn:
        return conn.execute(text("SELECT version_id FROM enrollment WHERE id = :id"),
                            {"id": case.values["enrollment_id"]}).scalar_one()


# Each ends the client's sign-in, so they run last and the client is signed in again if needed.
SIGN_OUTS = ("auth.sign_out", "auth.sign_out_everywhere")


def run_cells(world: World, cells: list[tuple[str, str, str]]) -> tuple[list[str], int]:
    """Send every cell; the mismatches, and how many cells ran."""
    mismatches, count, seen = [], 0, set()
    for endpoint, method, case_name in cells:
        base, _, variant = case_name.partition("/")
        case = world.cases[base]
        url = _url(world, case, endpoint, variant)
        entry = access.ACCESS[(endpoint, method)]
        # Refusals first, on a pristine record; then the people allowed (whose POST may change it).
        subjects = sorted(access.SUBJECTS, key=lambda s: entry.expect(s, case_name) == access.OK)
        got: dict[str, str] = {}
        for subject in subjects:
            person = _person(world, case, subject)
            client, token = _client(world, person)
            if method == "GET":
                response = client.get(url)
            else:
                form = {"csrf_token": token, **FORMS.get(endpoint, {}), **case.forms.get(endpoint, {})}
                if endpoint == "candidate.ask_for_step":  # the version the page would carry now
                    form["version"] = _version(world, case)
                response = client.open(url, method=method, data=form)
            got[subject] = outcome(response.status_code, response.headers.get("Location", ""), response.data)
            count += 1
            if endpoint in SIGN_OUTS:  # that sign-in has ended on the server: the next cell signs in afresh
                world.clients.pop(person.id if person else None, None)
            for what, marker in MARKERS.items():
                if endpoint in TOKEN_ROUTES or marker.encode() not in response.data:
                    continue
                if _reads(subject, base, what):
                    seen.add(what)
                else:
                    mismatches.append(f"{method} {url} ({endpoint}, {case_name}): {subject} was shown the {what}")
        wrong: dict[tuple[str, str], list[str]] = {}
        for subject in access.SUBJECTS:
            expected = entry.expect(subject, case_name)
            if got[subject] != expected:
                wrong.setdefault((expected, got[subject]), []).append(subject)
        if wrong:
            mismatches.append(f"{method} {url} ({endpoint}, {case_name}):\n    " + "\n    ".join(
                f"expected {expected}, got {answer}: {', '.join(who)}" for (expected, answer), who in wrong.items()))
    # The probe for confidential words must be able to fire: its readers were shown each at least once.
    mismatches += [f"nobody allowed to was shown the {what}: the leak probe proves nothing" for what in MARKERS
                   if what not in seen]
    return mismatches, count


# Words only in the confidential content, and the routes whose secret link shows its owner's view.
MARKERS = {Content.PLAN: GOAL, Content.NOTES: NOTE}
TOKEN_ROUTES = {"candidate.calendar", "candidate.invitation", "candidate.accept_invitation", "organisations.join",
                "organisations.accept"}


def _reads(subject: str, pathway: str, content: Content) -> bool:
    """Whether the confidentiality table lets `subject` read `content` on a page of this pathway."""
    role = Role.CANDIDATE if subject == access.CANDIDATE else Role(subject) if subject in access.ROLE_SUBJECTS else None
    return role is not None and confidentiality.may_read(frozenset({role}), (Pathway(pathway), content), Channel.PAGE)


# Form fields that carry a POST past its input checks to the permission it exercises.
ISO_TODAY = TODAY.isoformat()
FORMS: dict[str, dict[str, Any]] = {
    "candidate.save_plan": {"revision": "0"},
    "candidate.record_self_assessment": {"taken_on": ISO_TODAY},
    "candidate.add_log": {"occurred_on": ISO_TODAY, "hours": "1", "kind": "mentoring", "notes": "n"},
    "candidate.add_logs": {"mode": "rows", "row_date": ISO_TODAY, "row_hours": "1", "kind": "mentoring"},
    "candidate.add_meeting": {"occurred_on": ISO_TODAY},
    "inbox.send_back": {"reason": "Please add the missing page."},
    "inbox.reopen": {"reason": ""},
    "director.assign": {"role": "not-a-role"},
    "director.assign_many": {"role": "not-a-role"},
    "director.follow": {"on": "not-a-date"},
}


# --- Fixtures and tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(database_template: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The app on a database of this module's own, and the world built in it."""
    yield from world_on_own_database(database_template, tmp_path_factory)


def world_on_own_database(database_template: dict[str, Any], tmp_path_factory: pytest.TempPathFactory,
                          ) -> Iterator[World]:
    """Build the world on a copy of the template database; drop it afterwards (other modules reuse this)."""
    tmp = tmp_path_factory.mktemp("matrix")
    if ON_POSTGRES:
        url = database_template["url"]
    else:
        shutil.copy(database_template["path"], tmp / "matrix.db")
        url = f"sqlite:///{tmp / 'matrix.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url, "REDIS_URL": None,
                      "MAIL_BACKEND": "folder", "MAIL_FOLDER": str(tmp / "mail"), "UPLOAD_FOLDER": str(tmp / "uploads"),
                      "PACKET_FOLDER": str(tmp / "packets"), "BASE_URL": "http://localhost",
                      "CLOCK_FILE": str(tmp / "clock.json"),
                      # The suite's day (tests/today.py), as every other app of the suite runs on.
                      "CLOCK_OFFSET_SECONDS": suite_day.OFFSET_SECONDS})
    # Built in an app context of its own, closed before any request (requests would reuse it).
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session, app.app_context():
        built = build_world(app, session)
    yield built
    app.extensions["db_engine"].dispose()
    if ON_POSTGRES:
        with database_template["engine"].begin() as conn:
            conn.execute(text(database_template["truncate"]))


def _routes(app: Flask) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}  # type: ignore[operator]


def test_every_route_and_method_is_declared_and_every_declaration_is_a_route() -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": "sqlite://", "REDIS_URL": None})
    served = {(endpoint, method) for endpoint, method in _routes(app) if not endpoint.startswith(access.BEARER_PREFIX)}
    declared = set(access.ACCESS)
    assert sorted(served - declared) == [], "routes with no entry in app/access.py"
    assert sorted(declared - served) == [], "entries in app/access.py for routes that no longer exist"


def test_every_cell_answers_as_declared(world: World) -> None:
    gets = [(e, m, c) for (e, m), entry in access.ACCESS.items() if m == "GET" for c in entry.cases]
    posts = [(e, m, c) for (e, m), entry in access.ACCESS.items() if m != "GET" and e not in SIGN_OUTS
             for c in entry.cases]
    last = [(e, "POST", c) for e in SIGN_OUTS for c in access.ACCESS[(e, "POST")].cases]
    mismatches, count = run_cells(world, gets + posts + last)
    print(f"access matrix: {len(access.ACCESS)} route-methods, {len(access.SUBJECTS)} subjects, {count} cells")
    assert not mismatches, f"{len(mismatches)} routes answer otherwise than declared:\n" + "\n".join(mismatches)
