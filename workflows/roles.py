"""The roles people hold in a program or on one candidate's enrolment."""

from enum import StrEnum

from workflows.vocabulary import in_sentence


class Role(StrEnum):
    """A role someone holds; the value is what the database stores."""

    CANDIDATE = "candidate"
    MENTOR = "mentor"
    COACH = "coach"
    SITE_ADMINISTRATOR = "site_administrator"
    CREDENTIAL_ANALYST = "credential_analyst"
    DISTRICT_HR = "district_hr"
    PREP_PROGRAM_SUPPORT_PROVIDER = "prep_program_support_provider"
    PROGRAM_DIRECTOR = "program_director"
    PANEL_MEMBER = "panel_member"
    SERVICE_ADMINISTRATOR = "service_administrator"
    # Invited by the candidate "to view and monitor" (seed 000, step 4): sees progress, decides nothing.
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        """The role's name as people say it."""
        return _LABELS[self]

    @property
    def in_sentence(self) -> str:
        """The name inside a sentence: first letter lower-cased, acronyms kept ("district HR")."""
        return in_sentence(self.label)


_LABELS = {
    Role.CANDIDATE: "Candidate",
    Role.MENTOR: "Mentor",
    Role.COACH: "Coach",
    Role.SITE_ADMINISTRATOR: "Site administrator",
    Role.CREDENTIAL_ANALYST: "Credential analyst",
    Role.DISTRICT_HR: "District HR",
    Role.PREP_PROGRAM_SUPPORT_PROVIDER: "Preparation-program support provider",
    Role.PROGRAM_DIRECTOR: "Program director",
    Role.PANEL_MEMBER: "Exit-interview panel member",
    Role.SERVICE_ADMINISTRATOR: "Service administrator",
    Role.VIEWER: "Support-team member (view and monitor)",
}

# Roles whose holders evaluate the candidate for employment: they never see confidential
# mentoring or coaching notes (CTC induction precondition 5: the ILP is not an evaluation tool).
EVALUATOR_ROLES = frozenset({Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR})
