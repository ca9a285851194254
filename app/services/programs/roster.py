"""District roster imports: check a CSV row by row, then enrol everyone in one transaction.

The check and the import run the very same code; the check ends in a rollback, so a preview
writes nothing and shows exactly what the import would do. Any row with an error blocks the
whole import (nothing half-imported). A row for someone already enrolled in the program is
skipped, so importing an edited copy of an old roster adds only the new people, and the same
file a second time (same SHA-256) is refused as "already imported on ...".
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, select

from app import outbox
from app.models import AuditEvent, Enrollment, Organisation, Program, RosterImport, User
from app.services.enrollments import pathways
from app.services.enrollments import records as enrollments
from app.services.enrollments.fact_registry import FACTS
from app.services.programs import csv_reader
from app.services.programs.csv_safety import to_csv
from app.services.programs.organisations import enrolling
from app.services.team import accounts
from workflows.program_years import in_words
from workflows.registry import names, plugin
from workflows.vocabulary import in_sentence

MAX_BYTES = csv_reader.MAX_BYTES
MAX_ROWS = csv_reader.MAX_ROWS
REQUIRED = ("email", "name", "enrolled_on")
# The dates a roster may carry: the enrolment's, and each pathway's dates a candidate could give at
# sign-up (the facts its package declares claimable), in the words of the facts page.
_PATHWAY_DATES = [(spec.name, f"{plugin(spec.pathway).short}: {in_sentence(spec.label)}")
                  for spec in FACTS if spec.kind == "date" and spec.claimable and spec.pathway is not None]
DATE_COLUMNS = ("enrolled_on", *(name for name, _ in _PATHWAY_DATES))
TEXT_COLUMNS = {"credential_sought": 200, "authorization": 200, "employer": 200}
# Optional cross-checks: a roster meant for another program is caught row by row.
CHECK_COLUMNS = ("program", "pathway")
COLUMNS = ("email", "name", *CHECK_COLUMNS, *TEXT_COLUMNS, *DATE_COLUMNS)
COLUMN_HELP = {
    "email": "required; the candidate's email (their sign-in)",
    "name": "required; full name as it should appear",
    "program": "optional; if filled, must be this program's name",
    "pathway": f"optional; if filled, must be this program's pathway ({in_words(names(), 'or')})",
    "credential_sought": "optional; e.g. Clear Multiple Subject Teaching Credential",
    "authorization": "optional; subject or authorization",
    "employer": "optional; the employing district",
    "enrolled_on": "required; date of enrolment (YYYY-MM-DD or MM/DD/YYYY)",
    **dict(_PATHWAY_DATES),
}


class RosterError(ValueError):
    """A roster that cannot be imported; the check explains why."""

    def __init__(self, message: str, check: RosterCheck) -> None:
        super().__init__(message)
        self.check = check


@dataclass
class RosterRow:
    """One data row: its line in the file, what it says, and what importing it does."""

    line: int
    email: str
    name: str
    values: dict[str, object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    action: str = ""  # "create account and enrol", "enrol existing account", "already enrolled: skipped"


@dataclass
class RosterCheck:
    """What a roster file would do."""

    filename: str
    sha256: str
    file_errors: list[str] = field(default_factory=list)
    rows: list[RosterRow] = field(default_factory=list)
    already_imported: RosterImport | None = None

    @property
    def row_errors(self) -> int:
        """How many rows have an error."""
        return sum(bool(row.errors) for row in self.rows)

    @property
    def to_enrol(self) -> list[RosterRow]:
        """Rows that would create an enrolment."""
        return [row for row in self.rows if not row.errors and row.action.startswith(("create", "enrol"))]

    @property
    def importable(self) -> bool:
        """No file error, no row error, not imported before, and something to do."""
        return not self.file_errors and not self.row_errors and self.already_imported is None and bool(self.to_enrol)


def template_csv() -> str:
    """The header district HR fills in (UTF-8 with a BOM, like our exports)."""
    return to_csv(COLUMNS, [])


def rows_csv(rows: list[dict[str, object]]) -> bytes:
    """Rows sent as data (the JSON API's), written as the CSV they stand for: one check and import path for
    both, and the same rows twice give the same SHA-256. Plain CSV, no formula guard: this is read, not opened."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row[c]) for c in COLUMNS])
    return buffer.getvalue().encode()


def check(session: Session, program: Program, data: bytes, filename: str, actor: User) -> RosterCheck:
    """What importing the file would do, row by row; writes nothing."""
    result = _read(session, program, data, filename)
    if not result.file_errors and result.already_imported is None:
        try:
            _apply(session, program, result, actor)
        finally:
            session.rollback()
    return result


def import_roster(session: Session, program: Program, data: bytes, filename: str, actor: User) -> RosterCheck:
    """Create the accounts and enrolments in one transaction, or raise RosterError and change nothing."""
    result = _read(session, program, data, filename)
    if result.already_imported is not None:
        raise RosterError(f"This file was already imported on {result.already_imported.created_at:%Y-%m-%d}; "
                          "nothing was changed.", result)
    if result.file_errors:
        raise RosterError("The file cannot be imported.", result)
    _apply(session, program, result, actor)
    if result.row_errors:
        session.rollback()
        raise RosterError(f"{result.row_errors} row(s) have errors; nothing was imported. Fix them and upload "
                          "the file again.", result)
    if not result.to_enrol:
        session.rollback()
        raise RosterError("Everyone in this file is already enrolled; nothing was changed.", result)
    session.add(RosterImport(program_id=program.id, sha256=result.sha256, filename=filename[:255],  # type: ignore[arg-type]
                             rows=len(result.to_enrol), imported_by_id=actor.id))  # type: ignore[arg-type]
    session.add(AuditEvent(actor_id=actor.id, action="roster.imported",
                           details={"program_id": program.id, "sha256": result.sha256, "filename": filename[:255],
                                    "enrolled": len(result.to_enrol), "skipped": len(result.rows) - len(result.to_enrol)}))
    outbox.commit(session)
    return result


def _read(session: Session, program: Program, data: bytes, filename: str) -> RosterCheck:
    """Decode and parse the file; file-level and per-row errors that need no database writes."""
    result = RosterCheck(filename=filename, sha256=hashlib.sha256(data).hexdigest())
    if not enrolling(program, session.get(Organisation, program.organisation_id)):
        result.file_errors.append(f"{program.name} is not taking new enrolments (it is closed for enrolment or "
                                  "archived), so nobody can be enrolled from a roster. A service administrator "
                                  "can open it again.")
        return result
    table = csv_reader.read(data, COLUMNS, REQUIRED, split="the roster")
    result.file_errors = table.errors
    result.already_imported = session.exec(select(RosterImport).where(
        RosterImport.program_id == program.id, RosterImport.sha256 == result.sha256)).first()
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        row = _parse_row(line, cells, program)
        if row.email and row.email in seen:
            row.errors.append(f"Duplicate: {row.email} is already on line {seen[row.email]}.")
        elif row.email:
            seen[row.email] = line
        result.rows.append(row)
    return result


def _parse_row(line: int, cells: dict[str, str], program: Program) -> RosterRow:
    email, name, problems = csv_reader.person(cells)
    row = RosterRow(line=line, email=email, name=name, errors=problems)
    named = cells.get("program", "")
    if named and named.casefold() != program.name.casefold():
        row.errors.append(f"Unknown program “{named}”: this roster is being imported into {program.name}.")
    pathway = cells.get("pathway", "").lower()
    if pathway and pathway != program.pathway:
        row.errors.append(f"Pathway “{cells.get('pathway')}” does not match this program ({program.pathway}).")
    for column, limit in TEXT_COLUMNS.items():
        value = cells.get(column, "")
        if len(value) > limit:
            row.errors.append(f"{column} is longer than {limit} characters.")
        elif value:
            row.values[column] = value
    for column in DATE_COLUMNS:
        raw = cells.get(column, "")
        if not raw:
            if column == "enrolled_on":
                row.errors.append("enrolled_on is empty.")
            continue
        parsed = parse_date(raw)
        if parsed is None:
            row.errors.append(f"{column}: “{raw}” is not a date (use YYYY-MM-DD or MM/DD/YYYY).")
        else:
            row.values[column] = parsed
    return row


def parse_date(raw: str) -> date | None:
    """A date written as YYYY-MM-DD or MM/DD/YYYY (the two forms HR systems export), else None."""
    for form in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(raw.strip(), form).date()
        except ValueError:
            continue
    return None


def _apply(session: Session, program: Program, result: RosterCheck, actor: User) -> None:
    """Create accounts and enrolments for the valid rows (the caller commits or rolls back)."""
    for row in result.rows:
        if row.errors:
            continue
        user = accounts.find_by_email(session, row.email)
        if user is not None and session.exec(select(Enrollment.id).where(
                Enrollment.candidate_id == user.id, Enrollment.program_id == program.id)).first() is not None:
            row.action = "already enrolled: skipped"
            continue
        # No savepoints (SQLite's driver would commit on RELEASE): a row that fails here leaves
        # its half in the session, and any row error rolls the whole import back anyway.
        try:
            created = user is None
            if created:
                user = _new_account(session, row, actor)
            goal = {k: v for k, v in row.values.items() if k in TEXT_COLUMNS}
            dates = {k: v for k, v in row.values.items() if k in DATE_COLUMNS and k != "enrolled_on"}
            enrollment = pathways.enroll(session, user, program, row.values["enrolled_on"], actor, **goal)  # type: ignore[arg-type]
            if dates:
                # The shared validation: documents cannot expire before they are issued.
                enrollments.record(session, enrollment, actor, **dates)
            row.action = "create account and enrol" if created else "enrol existing account"
        except enrollments.EnrollmentError as error:
            row.errors.append(str(error))
    session.flush()


def _new_account(session: Session, row: RosterRow, actor: User) -> User:
    """An account with no usable password; the person sets one from the emailed link."""
    user = User(email=row.email, name=row.name, password_hash="", session_stamp=secrets.token_hex(8))
    session.add(user)
    session.flush()
    session.add(AuditEvent(actor_id=actor.id, action="account.created", details={"by": "roster import",
                                                                                  "user_id": user.id}))
    outbox.add(session, "email.password_reset", f"roster-welcome-{user.id}", user_id=user.id)
    return user
