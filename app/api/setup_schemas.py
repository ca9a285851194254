"""Request and response models of the set-up operations (app/api/setup.py): organisations, programs, staff."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.api.schemas import RowId, Strict

Kind = Literal["district", "county_office", "university", "consortium", "program_sponsor"]  # OrganisationKind
# Every role the staff pages give somewhere: the organisation's, a program's, and its pool's.
StaffRole = Literal["credential_analyst", "district_hr", "program_director", "panel_member",
                    "prep_program_support_provider", "mentor", "coach", "site_administrator"]


# --- Organisations and programs -------------------------------------------------------------------


class OrganisationQuery(BaseModel):
    """Current organisations, or (`archived=true`) the archived ones."""

    archived: bool = False


class OrganisationIn(Strict):
    """A new organisation: its name, kind, time zone and CDS code (7 or 14 digits, or empty)."""

    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    timezone: str = Field(default="America/Los_Angeles", min_length=1, max_length=64)
    cds_code: str = Field(default="", max_length=20)


class OrganisationPatch(Strict):
    """The fields to change; those left out keep their value."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: Kind | None = None
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    cds_code: str | None = Field(default=None, max_length=20, description="Empty to clear it.")


class Archive(Strict):
    """`true` archives (nothing is deleted); `false` brings it back."""

    archived: bool


class OrganisationOut(BaseModel):
    """An organisation, with how many current programs it runs."""

    id: int
    name: str
    kind: str
    timezone: str
    cds_code: str | None
    created_at: datetime
    archived_at: datetime | None
    programs: int


class OrganisationList(BaseModel):
    """Organisations by name."""

    items: list[OrganisationOut]


class ProgramIn(Strict):
    """A new program on one pathway (it starts on the pathway's documented settings)."""

    name: str = Field(min_length=1, max_length=200)
    pathway: str = Field(min_length=1, max_length=16, description="The pathway's name, e.g. induction, pip.")
    open_for_enrolment: bool = True


class ProgramPatch(Strict):
    """Rename a program, or open or close it for enrolment (its pathway never changes)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    open_for_enrolment: bool | None = None


class ProgramOut(BaseModel):
    """A program."""

    id: int
    organisation_id: int
    name: str
    pathway: str
    open_for_enrolment: bool
    created_at: datetime
    archived_at: datetime | None


# --- Staff ------------------------------------------------------------------------------------------


class StaffLineOut(BaseModel):
    """One role someone holds: where (`program_id` null: organisation-wide), since when, given by whom, their work.
    `place` and `held_id` name it for revoking."""

    user_id: int
    name: str
    email: str
    active: bool
    role: str
    role_label: str
    program_id: int | None
    since: datetime
    granted_by: str | None
    school: str | None
    open_tasks: int
    caseload: int | None
    place: Literal["role", "pool"]
    held_id: int


class StaffInvitationOut(BaseModel):
    """An invitation sent by email to take a role."""

    id: int
    organisation_id: int
    program_id: int | None
    email: str
    name: str
    role: str
    school: str | None
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    withdrawn_at: datetime | None


class StaffDirectory(BaseModel):
    """Who holds which role here (by name), the open invitations, and the roles the caller may give here."""

    organisation_id: int
    program_id: int | None
    lines: list[StaffLineOut]
    invitations: list[StaffInvitationOut]
    may_give: list[str]


class StaffIn(Strict):
    """Give `role` to whoever has an account with `email` now, or invite the address."""

    email: str = Field(min_length=3, max_length=254)
    role: StaffRole
    name: str = Field(default="", max_length=120, description="For an invitation: the person's name.")
    school: str | None = Field(default=None, max_length=120,
                               description="Mentors, coaches and site administrators: where they work.")


class StaffAdded(BaseModel):
    """`granted`: they hold the role now (`place`, `held_id`); `invited`: an invitation was emailed."""

    outcome: Literal["granted", "invited"]
    role: str
    email: str
    user_id: int | None = None
    place: Literal["role", "pool"] | None = None
    held_id: int | None = None
    invitation: StaffInvitationOut | None = None


class Reason(Strict):
    """Why: it goes in the record with the caller's name."""

    reason: str = Field(max_length=500)


class Handover(BaseModel):
    """What revoking did with their work: claimed sign-offs back in the queue (seen by `other_holders`), and the
    candidates they still hold the role on (`caseload`: the director reassigns them)."""

    user_id: int
    role: str
    released_tasks: int
    other_holders: int
    caseload: int


class Deactivated(BaseModel):
    """The account is off: it signs in nowhere (its tokens stop working), its records and roles stay."""

    user_id: int
    active: bool
    sign_ins_ended: int


class ImportQuery(BaseModel):
    """`dry_run=true` checks the file and writes nothing."""

    dry_run: bool = False


class StaffCsv(BaseModel):
    """multipart/form-data: the staff list (the template's header: name, email, role, program, school)."""

    file: bytes = Field(json_schema_extra={"format": "binary"})


class StaffImportRow(BaseModel):
    """What one line of the file does (grant, invite, already), or its problems."""

    line: int
    name: str
    email: str
    role: str | None
    program_id: int | None
    action: Literal["grant", "invite", "already"] | None
    errors: list[str]
    notes: list[str]


class StaffImportResult(BaseModel):
    """The check (`dry_run`) or the import, row by row; `imported` when it gave or sent anything now (the same
    file again finds every row `already` and changes nothing)."""

    dry_run: bool
    imported: bool
    sha256: str
    counts: dict[str, int]
    rows: list[StaffImportRow]


# --- Assignments ------------------------------------------------------------------------------------


class AssignMany(Strict):
    """One person from the program's staff, on several candidates, in one role; all or nothing."""

    enrollment_ids: list[RowId] = Field(min_length=1, max_length=500)
    user_id: RowId
    role: str = Field(min_length=1, max_length=40, description="mentor, coach, site_administrator, ...")


class AssignedOut(BaseModel):
    """The candidates they were put on now, and those who already had them in that role."""

    user_id: int
    role: str
    assigned: list[int]
    already: list[int]
    membership_ids: list[int]
