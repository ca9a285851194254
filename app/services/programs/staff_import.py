"""Importing a district's staff from a CSV file: check it row by row, then give every role at once.

Columns: name, email, role, program, school (the header row is required, in any case and order;
program and school may be left out). A row gives `role` across the organisation (program empty)
or on the named program (its pool, for mentors, coaches and site administrators, who need one).
The role is read as people write it ("credential analyst", "Mentor", "district HR", "panel
member", "principal") or as stored ("credential_analyst").

`check` says what each row would do and writes nothing: `grant` (an active account has that
email: the role is given now), `invite` (no account: an invitation is emailed), `already` (they
hold the role there, or an invitation to it is open: nothing to do), or the row's problems, each
row with its line in the file. `import_staff` is all or nothing: any problem and nothing is
written; otherwise every grant goes through staff.grant and every invitation through
staff_invitations.invite (so each is audited, and each invitation emailed), with one
`staff.imported` event for the file. Importing the same file again finds every row `already`
and changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, select

from app import policy
from app.models import AuditEvent, Membership, Organisation, PoolMember, Program, StaffInvitation, User, utcnow
from app.services import PathwayError
from app.services.programs import csv_reader
from app.services.programs.csv_safety import to_csv
from app.services.team import staff, staff_invitations
from workflows.roles import Role

COLUMNS = ("name", "email", "role", "program", "school")
REQUIRED = ("name", "email", "role")
# Every role a file may give, somewhere: the organisation's, programs' and pools'.
STAFF_ROLES = (Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR, Role.PROGRAM_DIRECTOR, Role.PANEL_MEMBER,
               Role.PREP_PROGRAM_SUPPORT_PROVIDER, Role.MENTOR, Role.COACH, Role.SITE_ADMINISTRATOR)
# Other words people use for a role, besides its label and its stored value.
_ALIASES = {
    "principal": Role.SITE_ADMINISTRATOR,
    "panel member": Role.PANEL_MEMBER,
    "exit panel member": Role.PANEL_MEMBER,
    "hr": Role.DISTRICT_HR,
    "human resources": Role.DISTRICT_HR,
    "director": Role.PROGRAM_DIRECTOR,
    "support provider": Role.PREP_PROGRAM_SUPPORT_PROVIDER,
}
COLUMN_HELP = {
    "name": "required; the person's full name (an existing account keeps its own)",
    "email": "required; their sign-in address: an account with it is given the role now, any other is invited",
    "role": "required; " + ", ".join(r.in_sentence for r in STAFF_ROLES) + " (or principal, panel member)",
    "program": "optional; one of the organisation's programs, by name; empty for an organisation-wide role "
               "(credential analyst, district HR, or director of every program)",
    "school": "optional; for mentors, coaches and site administrators: where they work",
}
EXAMPLE = ("Maria Lopez", "maria.lopez@example.org", "Mentor", "Teacher Induction", "Jefferson Elementary")
_CHUNK = 500  # addresses per IN (...) when looking up accounts


class StaffAction(StrEnum):
    """What importing a row does."""

    GRANT = "grant"  # an active account has this email: the role is given now
    INVITE = "invite"  # no account: an invitation is emailed
    ALREADY = "already"  # they hold it there, or an invitation to it is open: nothing to do


@dataclass
class StaffRow:
    """One data row: its line in the file, what it asks for, and what importing it does."""

    line: int
    name: str
    email: str
    role_written: str
    program_written: str = ""
    role: Role | None = None
    program: Program | None = None  # None: organisation-wide (or a program the organisation does not run)
    school: str | None = None
    user: User | None = None  # the account with this email, if any
    action: StaffAction | None = None  # None while the row has problems
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, blocks nothing


@dataclass
class StaffImportCheck:
    """What a staff file would do (or, after import_staff, did)."""

    sha256: str
    file_errors: list[str] = field(default_factory=list)
    rows: list[StaffRow] = field(default_factory=list)

    @property
    def row_errors(self) -> int:
        """How many rows have a problem."""
        return sum(bool(row.errors) for row in self.rows)

    def of(self, action: StaffAction) -> list[StaffRow]:
        """The rows that do `action`."""
        return [row for row in self.rows if row.action is action]

    @property
    def counts(self) -> dict[str, int]:
        """Rows per action, and rows with problems."""
        return {**{a.value: len(self.of(a)) for a in StaffAction}, "problems": self.row_errors}

    @property
    def problems(self) -> list[str]:
        """Every problem in words: the file's, then each row's with its line."""
        return self.file_errors + [f"Line {row.line}: {error}" for row in self.rows for error in row.errors]

    @property
    def importable(self) -> bool:
        """No problem, and some row gives a role or sends an invitation."""
        return not self.problems and bool(self.of(StaffAction.GRANT) or self.of(StaffAction.INVITE))


class StaffImportError(PathwayError):
    """A staff file that cannot be imported; nothing was written. `check` says why, row by row."""

    def __init__(self, message: str, check: StaffImportCheck) -> None:
        super().__init__(message, check.problems)
        self.check = check


def template_csv() -> str:
    """The header and one example row, for a download link (UTF-8 with a BOM, like our exports)."""
    return to_csv(COLUMNS, [EXAMPLE])


def role_of(written: str) -> Role | None:
    """The staff role a cell names, as people write it or as stored; None if it names none."""
    return _VOCABULARY.get(_words(written))


def check(session: Session, actor: User, organisation: Organisation, data: bytes,
          now: datetime | None = None) -> StaffImportCheck:
    """What importing the file would do, row by row; writes nothing."""
    now = now or utcnow()
    result = StaffImportCheck(sha256=hashlib.sha256(data).hexdigest())
    table = csv_reader.read(data, COLUMNS, REQUIRED, split="the list")
    result.file_errors = table.errors
    if not table.errors and not table.rows:
        result.file_errors.append("The file has no one in it: add a row per person under the header.")
    if organisation.archived_at is not None:
        result.file_errors.append(f"{organisation.name} is archived: nobody is given a role there any more.")
    if result.file_errors:
        return result
    programs = {_words(p.name): p for p in session.exec(
        select(Program).where(Program.organisation_id == organisation.id)).all()}
    result.rows = [_parse(line, cells, programs, organisation) for line, cells in table.rows]
    _check_levels(session, actor, organisation, result.rows)
    _check_people(session, organisation, result.rows, now)
    return result


def import_staff(session: Session, actor: User, organisation: Organisation, data: bytes,
                 now: datetime | None = None) -> StaffImportCheck:
    """Give every row's role, or invite, in one transaction (the caller commits); or raise
    StaffImportError and write nothing (a row refused while writing rolls the session back)."""
    now = now or utcnow()
    result = check(session, actor, organisation, data, now)
    if result.file_errors:
        raise StaffImportError("The file cannot be imported.", result)
    if result.row_errors:
        raise StaffImportError(f"{result.row_errors} row(s) have problems; nothing was imported. Fix them and "
                               "upload the file again.", result)
    for row in result.rows:
        assert row.role is not None
        try:
            if row.action is StaffAction.GRANT:
                assert row.user is not None
                staff.grant(session, actor, row.user, row.role, organisation, row.program, row.school,
                            reason=f"imported from a staff file (line {row.line})", now=now)
            elif row.action is StaffAction.INVITE:
                staff_invitations.invite(session, actor, organisation, row.email, row.role.value, row.program,
                                         row.name, row.school, now=now)
        except PathwayError as error:  # changed since the check (another import, a grant): all or nothing
            session.rollback()
            row.errors.append(error.message)
            row.action = None
            raise StaffImportError(f"Line {row.line} could not be imported: {error.message} Nothing was imported; "
                                   "check the file again.", result) from error
    counts = result.counts
    if counts[StaffAction.GRANT] or counts[StaffAction.INVITE]:
        session.add(AuditEvent(actor_id=actor.id, action="staff.imported", occurred_at=now, details={
            "organisation_id": organisation.id, "sha256": result.sha256, "rows": len(result.rows),
            "granted": counts[StaffAction.GRANT], "invited": counts[StaffAction.INVITE],
            "already": counts[StaffAction.ALREADY]}))
        session.flush()
    return result


# --- Reading a row -----------------------------------------------------------------------------


def _words(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())


_VOCABULARY = {**{_words(r.value): r for r in STAFF_ROLES}, **{_words(r.label): r for r in STAFF_ROLES},
               **_ALIASES}


def _parse(line: int, cells: dict[str, str], programs: dict[str, Program], organisation: Organisation) -> StaffRow:
    """A row's own problems, those that need nothing but the row and the organisation's programs."""
    email, name, problems = csv_reader.person(cells)
    row = StaffRow(line=line, name=name, email=email, role_written=cells.get("role", ""), errors=problems)
    row.role = role_of(row.role_written)
    if row.role is None:
        words = ", ".join(r.in_sentence for r in STAFF_ROLES)
        row.errors.append(f"Unknown role “{row.role_written}”: use one of {words}." if row.role_written
                          else f"The role is empty: use one of {words}.")
    row.program_written = named = cells.get("program", "")
    if named:
        row.program = programs.get(_words(named))
        if row.program is None:
            runs = ", ".join(sorted(p.name for p in programs.values() if p.archived_at is None)) or "no programs yet"
            row.errors.append(f"Unknown program “{named}”: {organisation.name} runs {runs}.")
    school = cells.get("school", "")
    if len(school) > 120:
        row.errors.append("The school is longer than 120 characters.")
    elif school and row.role is not None and row.role not in policy.POOL_ROLES:
        row.notes.append("A school is kept only for mentors, coaches and site administrators; it is left out.")
    else:
        row.school = school or None
    return row


def _check_levels(session: Session, actor: User, organisation: Organisation, rows: list[StaffRow]) -> None:
    """Whether each role is given at the row's level, and whether the actor may give it; duplicates."""
    refusals: dict[tuple[int | None, Role], str | None] = {}
    seen: dict[tuple[str, Role, int | None], int] = {}
    for row in rows:
        if row.role is None or (row.program is None and row.program_written):
            continue  # the role or the program is unknown: already said
        program_id = row.program.id if row.program is not None else None
        if row.program is None and row.role not in staff.roles_at(None):
            row.errors.append(f"{_a(row.role)} is given on a program: fill in the program column.")
        elif row.program is not None and row.role in staff.roles_at(None) and row.role not in staff.roles_at(row.program):
            row.errors.append(f"{_a(row.role)} is given across {organisation.name}: leave the program empty.")
        elif row.program is not None and row.program.archived_at is not None:
            row.errors.append(f"The {row.program.name} program is archived: nobody is given a role there any more.")
        else:
            key = (program_id, row.role)
            if key not in refusals:
                refusals[key] = _refusal(session, actor, organisation, row.program, row.role)
            refusal = refusals[key]
            if refusal:
                row.errors.append(refusal)
        if row.email and not row.errors:
            earlier = seen.setdefault((row.email, row.role, program_id), row.line)
            if earlier != row.line:
                row.errors.append(f"Duplicate of line {earlier}: the same person, role and program.")


def _a(role: Role) -> str:
    """"A mentor", "An exit-interview panel member"."""
    label = role.in_sentence
    return ("An " if label.startswith(("a", "e", "i", "o", "u")) else "A ") + label


def _refusal(session: Session, actor: User, organisation: Organisation, program: Program | None,
             role: Role) -> str | None:
    try:
        staff.check_grantable(session, actor, organisation, program, role)
    except PathwayError as error:
        return error.message
    return None


def _check_people(session: Session, organisation: Organisation, rows: list[StaffRow], now: datetime) -> None:
    """Each sound row's account, and what importing it does: grant, invite, or nothing."""
    sound = [row for row in rows if not row.errors]
    emails = sorted({row.email for row in sound})
    accounts: dict[str, User] = {}
    for start in range(0, len(emails), _CHUNK):
        accounts.update((u.email, u) for u in session.exec(
            select(User).where(User.email.in_(emails[start:start + _CHUNK]))).all())  # type: ignore[attr-defined]
    held = _held(session, organisation, {u.id for u in accounts.values() if u.id is not None})
    invited = {i.open_key for i in staff_invitations.pending(session, organisation, now=now)}
    for row in sound:
        assert row.role is not None
        program_id = row.program.id if row.program is not None else None
        row.user = accounts.get(row.email)
        if row.user is not None and not row.user.active:
            row.errors.append(f"The account of {row.email} is deactivated: a service administrator reactivates it "
                              "first.")
            continue
        pooled = row.program is not None and row.role in policy.POOL_ROLES
        if row.user is not None and (pooled, row.user.id, program_id, row.role.value) in held:
            row.action = StaffAction.ALREADY
            row.notes.append(f"{row.user.name} is already {row.role.in_sentence} there.")
        elif StaffInvitation.open_key_for(organisation.id, program_id, row.email, row.role.value) in invited:  # type: ignore[arg-type]
            row.action = StaffAction.ALREADY
            row.notes.append(f"An invitation to {row.email} for this role is open.")
        elif row.user is not None:
            row.action = StaffAction.GRANT
            if row.user.name.casefold() != row.name.casefold():
                row.notes.append(f"The account with this email is named “{row.user.name}”.")
        else:
            row.action = StaffAction.INVITE


def _held(session: Session, organisation: Organisation, user_ids: set[int]) -> set[tuple[bool, int, int | None, str]]:
    """(pool place?, user, program or None, role) for every live role of these people in the organisation."""
    if not user_ids:
        return set()
    ids = sorted(user_ids)
    programs = select(Program.id).where(Program.organisation_id == organisation.id)
    found: set[tuple[bool, int, int | None, str]] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for m in session.exec(select(Membership).where(
                Membership.user_id.in_(chunk), Membership.revoked_at.is_(None),  # type: ignore[attr-defined, union-attr]
                Membership.enrollment_id.is_(None),  # type: ignore[union-attr]
                ((Membership.organisation_id == organisation.id) & Membership.program_id.is_(None))  # type: ignore[union-attr]
                | Membership.program_id.in_(programs))).all():  # type: ignore[union-attr]
            found.add((False, m.user_id, m.program_id, m.role))
        for p in session.exec(select(PoolMember).where(
                PoolMember.user_id.in_(chunk), PoolMember.revoked_at.is_(None),  # type: ignore[attr-defined, union-attr]
                PoolMember.program_id.in_(programs))).all():  # type: ignore[attr-defined]
            found.add((True, p.user_id, p.program_id, p.role))
    return found
