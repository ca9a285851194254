"""Who may see and do what: decided here, and only here.

A person's roles on an enrolment come from being its candidate, from memberships on that
enrolment (mentor, coach, site administrator...), on its program (director, analyst, panel) or on
the program's organisation (district HR). Service administrators run the service; they see
enrolments to support people but act on none unless they also hold a role.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from app.confidentiality import DOCUMENTS, NOTES_OF, PLANS, Channel, Content, may_read, plan_co_author, plan_owners
from app.models import Enrollment, Membership, Program, User
from app.reads import remembered
from workflows.registry import plugin
from workflows.roles import Role


def memberships_of(session: Session, user: User) -> list[Any]:
    """The person's live roles, each with where it is held (role, organisation_id, program_id,
    enrollment_id: columns, not rows to change; a mentor of hundreds holds hundreds), read once until
    the session writes (app/reads.py): the navigation, the inbox badge and the page's checks all ask."""
    return remembered(session, ("memberships", user.id), lambda: list(session.exec(select(
        Membership.id, Membership.role, Membership.organisation_id, Membership.program_id, Membership.enrollment_id)
        .where(Membership.user_id == user.id, Membership.revoked_at.is_(None))).all()), ("membership",))  # type: ignore[union-attr]


def roles_on(session: Session, user: User, enrollment: Enrollment) -> frozenset[Role]:
    """Every role `user` holds on this enrolment.

    A candidate holds only that on their own enrolment: an organisation-wide grant (say, district
    HR who enrols in a program of their own district) never lets them approve their own steps.
    """
    if enrollment.candidate_id == user.id:
        return frozenset({Role.CANDIDATE})
    program = session.get(Program, enrollment.program_id)
    organisation_id = program.organisation_id if program is not None else None
    return frozenset(Role(m.role) for m in memberships_of(session, user)
                     if m.enrollment_id == enrollment.id
                     or (m.program_id is not None and m.program_id == enrollment.program_id)
                     or (organisation_id is not None and m.organisation_id == organisation_id
                         and m.program_id is None and m.enrollment_id is None))


def is_service_administrator(session: Session, user: User) -> bool:
    """Whether `user` administers the whole service."""
    return any(m.role == Role.SERVICE_ADMINISTRATOR for m in memberships_of(session, user))


def can_view_enrollment(session: Session, user: User, enrollment: Enrollment) -> bool:
    """Whether `user` may open this enrolment at all."""
    return bool(roles_on(session, user, enrollment)) or is_service_administrator(session, user)


def can_request_event(roles: frozenset[Role], allowed: frozenset[Role]) -> bool:
    """Whether someone with `roles` may ask for an event that `allowed` roles may ask for."""
    return bool(roles & allowed)


def can_read_confidential_notes(roles: frozenset[Role], kind: str = "mentoring") -> bool:
    """Mentoring, coaching or support notes of log kind `kind`, on a page (the confidentiality tables)."""
    notes = NOTES_OF.get(kind)
    return notes is not None and may_read(roles, notes, Channel.PAGE)


# Who may upload documents on an enrolment: the candidate and the people who hold records for them.
_UPLOADERS = frozenset({Role.CANDIDATE, Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST, Role.PROGRAM_DIRECTOR,
                        Role.PREP_PROGRAM_SUPPORT_PROVIDER, Role.SITE_ADMINISTRATOR})


def can_read_evidence(roles: frozenset[Role], kind: str | None = None) -> bool:
    """Documents: anyone with a role on the enrolment (service administrators do not read them);
    a plan filed as a PDF (the ILP, an IIP) only for those the confidentiality table lets read it."""
    if not roles:
        return False
    content = DOCUMENTS.get(kind or "")
    return content is None or may_read(roles, content, Channel.PDF)


def can_upload_evidence(roles: frozenset[Role], kind: str | None = None) -> bool:
    """Whether someone with `roles` may add a document (of `kind`) to this enrolment. A confidential plan
    filed as a document (the ILP, an IIP) is written only by its owners, the candidate and the plan's
    co-author, and never by an evaluator: an upload would replace the plan everyone else relies on."""
    plan = DOCUMENTS.get(kind or "")
    if plan is not None:
        return bool(roles & plan_owners(kind or "")) and may_read(roles, plan, Channel.PDF)
    return bool(roles & _UPLOADERS)


def can_decide_evidence(roles: frozenset[Role], clears: Role | None) -> bool:
    """Verify or send back: the role the rule names as clearing it, or a credential analyst."""
    return Role.CREDENTIAL_ANALYST in roles or (clears is not None and clears in roles and clears is not Role.CANDIDATE)


def can_verify_evidence(roles: frozenset[Role], kind: str, clears: Role | None) -> bool:
    """Verify or send back this kind of document: decide it, and read it (nobody verifies a plan
    they may not read, the ILP)."""
    return can_read_evidence(roles, kind) and can_decide_evidence(roles, clears)


def can_set_up_sign_on(session: Session, user: User) -> bool:
    """An organisation's own sign-in (its OpenID Connect provider): service administrators only."""
    return is_service_administrator(session, user)


def can_manage_background_jobs(session: Session, user: User) -> bool:
    """Failed jobs, their requeue and email resends: service administrators only."""
    return is_service_administrator(session, user)


# --- Role conflicts: nobody approves their own work ---------------------------------------------


def can_sign_off(user: User, enrollment: Enrollment, role: Role, roles: frozenset[Role]) -> bool:
    """A sign-off as `role`: held on this enrolment, and never by the candidate on their own step."""
    return enrollment.candidate_id != user.id and role in roles


def can_keep_log(user: User, enrollment: Enrollment) -> bool:
    """Logs are the candidate's own record."""
    return enrollment.candidate_id == user.id


def can_sign_log(user: User, signer_id: int | None) -> bool:
    """Only the mentor or coach an entry names signs it."""
    return signer_id is not None and signer_id == user.id


def can_sign_logs_on(user: User, enrollment: Enrollment, roles: frozenset[Role], signing_roles: frozenset[Role]) -> bool:
    """Signing logs on an enrolment at all (one by one the entry must also name the person):
    a role that signs some kind of its logs, and never the candidate."""
    return enrollment.candidate_id != user.id and bool(roles & signing_roles)


def can_decide_own_upload(user: User, uploaded_by_id: int) -> bool:
    """Whoever uploaded a document never verifies it."""
    return user.id != uploaded_by_id


# --- Plans, exports and resources ---------------------------------------------------------------

def can_read_growth_record(roles: frozenset[Role], pathway: str) -> bool:
    """Self-assessments (and the ILP): never evaluators, even one who also mentors."""
    return may_read(roles, (pathway, Content.SELF_ASSESSMENT), Channel.PAGE)


def can_read_plan(roles: frozenset[Role], kind: str, channel: str = "page") -> bool:
    """A plan's content through `channel`, as the pathway's confidentiality table says."""
    return may_read(roles, PLANS[kind], Channel(channel))


def can_edit_plan(roles: frozenset[Role], kind: str) -> bool:
    """The candidate and the plan's co-author (mentor or coach), if they may read it."""
    return can_read_plan(roles, kind) and bool(roles & {Role.CANDIDATE, plan_co_author(kind)})


def can_submit_plan(user: User, enrollment: Enrollment) -> bool:
    """Only the candidate shares their plan for approval."""
    return enrollment.candidate_id == user.id


def can_record_self_assessment(user: User, enrollment: Enrollment) -> bool:
    """A self-assessment is the candidate's own."""
    return enrollment.candidate_id == user.id


def can_read_support(roles: frozenset[Role], pathway: str, kind: Content) -> bool:
    """A kind of support record (observations, feedback to the mentor...): its confidentiality table."""
    return may_read(roles, (pathway, kind), Channel.PAGE)


def can_record_support(roles: frozenset[Role], pathway: str, kind: Content) -> bool:
    """Record a kind of support record: the pathway names the role as its writer, who also reads it."""
    spec = plugin(pathway).support
    return spec is not None and spec.may_write(roles, kind) and can_read_support(roles, pathway, kind)


def can_export_record(roles: frozenset[Role]) -> bool:
    """The whole record (summary and every document): the candidate, and the program director who
    assembles recommendation packets. Each sees only what they may read (confidential notes,
    the ILP); others export nothing."""
    return bool(roles & {Role.CANDIDATE, Role.PROGRAM_DIRECTOR})


def can_follow_calendar(roles: frozenset[Role]) -> bool:
    """A private calendar feed: anyone with a role on the enrolment (not service administrators)."""
    return bool(roles)


def can_manage_resources(session: Session, user: User, organisation_id: int | None) -> bool:
    """Links for everyone: service administrators; links for one organisation: also its directors."""
    if is_service_administrator(session, user):
        return True
    if organisation_id is None:
        return False
    directs = session.exec(select(Membership.id).join(Program, Membership.program_id == Program.id, isouter=True)  # type: ignore[arg-type]
                           .where(Membership.user_id == user.id, Membership.revoked_at.is_(None),  # type: ignore[union-attr]
                                  Membership.role == Role.PROGRAM_DIRECTOR.value,
                                  or_(Program.organisation_id == organisation_id,
                                      (Membership.organisation_id == organisation_id)
                                      & Membership.program_id.is_(None)))).first()  # type: ignore[union-attr]
    return directs is not None


# --- Support team and role grants -----------------------------------------------------------

# The candidate invites people to view and monitor and proposes their mentor, coach or supervisor
# (seed 000, step 4); the program director does the same and grants directly.
_TEAM_MANAGERS = frozenset({Role.CANDIDATE, Role.PROGRAM_DIRECTOR})
# Roles that verify documents or decide steps: granted by the organisation, never by the candidate.
DECIDING_ROLES = frozenset({Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR, Role.SITE_ADMINISTRATOR,
                            Role.PROGRAM_DIRECTOR, Role.PANEL_MEMBER, Role.PREP_PROGRAM_SUPPORT_PROVIDER})
# Who grants each role (besides a service administrator, who grants any): deciding roles by district
# HR or the program director; mentors and coaches by the program; viewers by the team's managers.
GRANTORS: dict[Role, frozenset[Role]] = {
    **{role: frozenset({Role.DISTRICT_HR, Role.PROGRAM_DIRECTOR}) for role in DECIDING_ROLES},
    Role.MENTOR: frozenset({Role.PROGRAM_DIRECTOR}), Role.COACH: frozenset({Role.PROGRAM_DIRECTOR}),
    Role.VIEWER: _TEAM_MANAGERS | {Role.DISTRICT_HR},
}
# What a candidate may propose; until the program confirms, the person only views and monitors.
PROPOSABLE = frozenset({Role.MENTOR, Role.COACH, Role.SITE_ADMINISTRATOR})


def can_manage_team(roles: frozenset[Role]) -> bool:
    """Invite people to an enrolment's team, re-send or withdraw invitations, remove members."""
    return bool(roles & _TEAM_MANAGERS)


def can_grant(roles: frozenset[Role], role: Role, service_administrator: bool = False) -> bool:
    """Whether someone holding `roles` (on the enrolment or program) may give `role` to someone else."""
    if role in (Role.CANDIDATE, Role.SERVICE_ADMINISTRATOR):
        return False  # enrolling makes a candidate; service administrators are made on the command line
    return service_administrator or bool(roles & GRANTORS.get(role, frozenset()))


# Per-candidate roles a program keeps a pool of; a place in the pool is no role on any candidate.
POOL_ROLES = frozenset({Role.MENTOR, Role.COACH, Role.SITE_ADMINISTRATOR})
# What a program's director gives on their own program: its panel, support provider and pool.
_DIRECTOR_STAFFS = POOL_ROLES | {Role.PANEL_MEMBER, Role.PREP_PROGRAM_SUPPORT_PROVIDER}


def can_administer_organisations(session: Session, user: User) -> bool:
    """Create, edit and archive organisations and programs: service administrators only."""
    return is_service_administrator(session, user)


def can_staff(held: frozenset[Role], role: Role, *, program_wide: bool, administrator: bool) -> bool:
    """Give (or take) an organisation- or program-wide role, or a pool place: a service administrator
    gives any (organisation roles and directors included); a program's director gives the program's
    panel, support provider and pool. Nobody gives candidacy, viewing or service administration here."""
    if role in (Role.CANDIDATE, Role.VIEWER, Role.SERVICE_ADMINISTRATOR):
        return False
    return administrator or (program_wide and Role.PROGRAM_DIRECTOR in held and role in _DIRECTOR_STAFFS)


def can_see_staff(held: frozenset[Role], administrator: bool) -> bool:
    """A program's or organisation's staff directory: service administrators, directors, district HR."""
    return administrator or bool(held & {Role.PROGRAM_DIRECTOR, Role.DISTRICT_HR})


def can_assign(roles: frozenset[Role]) -> bool:
    """The program's assignments page as a grantor: its director or district HR."""
    return bool(roles & {Role.PROGRAM_DIRECTOR, Role.DISTRICT_HR})


def can_propose(roles: frozenset[Role], role: Role) -> bool:
    """A candidate proposes their mentor, coach or supervisor; the program confirms."""
    return Role.CANDIDATE in roles and role in PROPOSABLE


def can_hold(person: User, enrollment: Enrollment, role: Role) -> bool:
    """Nobody holds a role on their own enrolment but candidate."""
    return role is Role.CANDIDATE or enrollment.candidate_id != person.id


# --- Programs: directors, HR, analysts ----------------------------------------------------------

# Roles that open a program's pages (cohort, roster, lists); everyone else gets 404.
_PROGRAM_VIEWERS = frozenset({Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR})


def program_roles(session: Session, user: User, program: Program) -> frozenset[Role]:
    """Roles `user` holds on the whole program: program-scoped, or organisation-wide (district HR)."""
    org_wide = ((Membership.organisation_id == program.organisation_id) & Membership.program_id.is_(None)  # type: ignore[union-attr]
                & Membership.enrollment_id.is_(None))  # type: ignore[union-attr]
    on_program = (Membership.program_id == program.id) & Membership.enrollment_id.is_(None)  # type: ignore[union-attr]
    rows = session.exec(select(Membership.role).where(
        Membership.user_id == user.id, Membership.revoked_at.is_(None), or_(on_program, org_wide))).all()  # type: ignore[union-attr]
    return frozenset(Role(role) for role in rows)


def can_view_program(roles: frozenset[Role]) -> bool:
    """The program's cohort, lists and recommendations: its directors, analysts and district HR."""
    return bool(roles & _PROGRAM_VIEWERS)


def can_direct_program(roles: frozenset[Role]) -> bool:
    """Assigning mentors and coaches, the at-risk follow-up: the program director."""
    return Role.PROGRAM_DIRECTOR in roles


def can_import_roster(roles: frozenset[Role]) -> bool:
    """Roster imports: district HR of the program's organisation, or the program director."""
    return bool(roles & {Role.DISTRICT_HR, Role.PROGRAM_DIRECTOR})


def can_export_accreditation(roles: frozenset[Role]) -> bool:
    """Accreditation evidence: the program director and the credential analyst."""
    return bool(roles & {Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST})


def can_recommend(roles: frozenset[Role], submitters: frozenset[Role]) -> bool:
    """Attest and submit a batch: whoever the pathway names as recording the recommendation
    (`submitters`: the roles its `recommend` event allows; the program director on CASC)."""
    return bool(roles & submitters)


def can_follow_recommendations(roles: frozenset[Role]) -> bool:
    """Record the candidate's side after submission (fitness answered, fee paid): director or analyst."""
    return bool(roles & {Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST})


def can_edit_program_settings(roles: frozenset[Role]) -> bool:
    """Thresholds and windows: the program director."""
    return Role.PROGRAM_DIRECTOR in roles


# --- Sign-off tasks, panels, delegation ---------------------------------------------------------

# Roles whose holders approve something for candidates: they get an inbox.
APPROVER_ROLES = frozenset(Role) - {Role.CANDIDATE, Role.SERVICE_ADMINISTRATOR, Role.VIEWER}


def can_work_task(user: User, enrollment: Enrollment, task_role: Role, roles: frozenset[Role]) -> bool:
    """Claim, approve or send back a sign-off task: the role is held here, never on one's own step."""
    return enrollment.candidate_id != user.id and task_role in roles


def can_substitute(substitute: User, enrollment: Enrollment) -> bool:
    """A delegate acts for an approver, but never on their own enrolment."""
    return enrollment.candidate_id != substitute.id


def signs_own_evidence(signer_ids: set[int], uploader_ids: set[int]) -> bool:
    """Whether a sign-off would cover a document the signer (or the person they act for) uploaded."""
    return bool(signer_ids & uploader_ids)


def can_undo(user_id: int, decided_by_id: int | None, seconds_since: float, undo_minutes: int,
             step_moved_on: bool) -> bool:
    """The approver who decided may take it back for a short while, if nothing happened since."""
    return user_id == decided_by_id and 0 <= seconds_since <= undo_minutes * 60 and not step_moved_on


def can_reopen(roles: frozenset[Role]) -> bool:
    """After the undo window, only the program director reopens a decision (with a reason)."""
    return Role.PROGRAM_DIRECTOR in roles


def can_set_up_panel(roles: frozenset[Role]) -> bool:
    """The program director convenes the exit-interview panel."""
    return Role.PROGRAM_DIRECTOR in roles


def can_sit_on_panel(user: User, enrollment: Enrollment, roles: frozenset[Role]) -> bool:
    """Panel seats: the program's panel members, and the candidate's coach (rule book §3.3)."""
    return enrollment.candidate_id != user.id and bool(roles & {Role.PANEL_MEMBER, Role.COACH})


def can_read_panel_outcome(roles: frozenset[Role]) -> bool:
    """A panel's "not yet" and its reasons: the candidate (the form promises they read them), their coach,
    the program's director and its panel; never their employer's evaluators."""
    return bool(roles & {Role.CANDIDATE, Role.COACH, Role.PROGRAM_DIRECTOR, Role.PANEL_MEMBER})


def counts_toward_quorum(roles: frozenset[Role]) -> bool:
    """The candidate's coach sits with them at the exit interview but is no judge of mastery."""
    return Role.COACH not in roles and Role.PANEL_MEMBER in roles


# Seed 000: support notes come from the mentor, direct supervisor and district staff too, and from the
# teacher-preparation program's support provider the PIP teacher works with.
def can_record_support_note(roles: frozenset[Role]) -> bool:
    """Besides the candidate, their mentor, supervisor, district staff and support provider add support notes."""
    return bool(roles & {Role.MENTOR, Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST,
                         Role.PREP_PROGRAM_SUPPORT_PROVIDER})


def can_read_own_log_notes(user: User, author_id: int | None) -> bool:
    """Whoever wrote a log entry reads their own words, whatever the table says about others."""
    return author_id == user.id
