"""Every fact a pathway rule reads, with its owner: the role that records or confirms it, on the facts page.

A fact is a key date, a declared number or a yes/no fact stored on the enrolment. The people who
own a fact record it (confirmed at once); a candidate may *claim* the facts they know first (a
permit's issue date they type at sign-up), and no rule counts a claim until an owner confirms it.
Facts the product works out by itself (a mentor's assignment date, hours from signed logs) are
listed in DERIVED with where they come from, so a test can tell that every fact has a writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflows.facts import Count, Flag, KeyDate, Pathway
from workflows.roles import Role
from workflows.rules import role_name

PIP, INDUCTION, CASC = Pathway.PIP, Pathway.INDUCTION, Pathway.CASC
ANALYST, HR, DIRECTOR = Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR, Role.PROGRAM_DIRECTOR


@dataclass(frozen=True)
class FactSpec:
    """One recordable fact: what it is called, who owns it, and where its value comes from."""

    key: KeyDate | Count | Flag
    label: str
    help: str
    source: str
    pathways: frozenset[Pathway]
    owners: frozenset[Role]
    claimable: bool = False  # the candidate may enter it; an owner confirms it
    needs_reason: bool = False  # a yes/no fact that is an exception: recorded with a reason
    maximum: float | None = None  # for numbers

    @property
    def name(self) -> str:
        """The stored name (an Enrollment column, or the flag's value)."""
        return self.key.value

    @property
    def owners_text(self) -> str:
        """Who records it, in a sentence: "credential analyst or district HR"."""
        return " or ".join(sorted(role_name(role) for role in self.owners))

    @property
    def kind(self) -> str:
        """"date", "number" or "flag"."""
        return {KeyDate: "date", Count: "number", Flag: "flag"}[type(self.key)]


def _spec(key: KeyDate | Count | Flag, label: str, help: str, source: str, pathways: tuple[Pathway, ...],
          owners: tuple[Role, ...], **options: object) -> FactSpec:
    return FactSpec(key, label, help, source, frozenset(pathways), frozenset(owners), **options)  # type: ignore[arg-type]


FACTS: tuple[FactSpec, ...] = (
    _spec(KeyDate.ENROLLED_ON, "Enrolment date", "The day the program enrolled you; the 30- and 60-day "
          "windows count from it.", "Enrolment agreement with the program", (PIP, INDUCTION, CASC), (DIRECTOR,)),
    # PIP
    _spec(KeyDate.PERMIT_ISSUED_ON, "Permit issued on", "The issue date printed on the Provisional "
          "Internship Permit; the one-year clock starts here.", "The PIP as issued by the CTC (CL-856)",
          (PIP,), (ANALYST, HR), claimable=True),
    _spec(KeyDate.PERMIT_EXPIRES_ON, "Permit expires on", "Only if the permit shows a date other than one "
          "year after issue.", "The PIP as issued by the CTC (CL-856)", (PIP,), (ANALYST,), claimable=True),
    _spec(Count.PRIOR_EMERGENCY_PERMITS, "Long-term emergency permits held before", "Five or more make a "
          "candidate ineligible for a PIP.", "CTC record of credentials held (CL-856)", (PIP,), (ANALYST, HR),
          claimable=True, maximum=50),
    _spec(Flag.SMC_ALREADY_MET, "Subject-matter competence already met", "Yes when the degree or passed "
          "exams already meet it: the candidate goes straight to an intern program instead.",
          "Transcripts and exam records (CL-856)", (PIP,), (ANALYST,)),
    # Induction
    _spec(KeyDate.PRELIMINARY_ISSUED_ON, "Preliminary credential issued on", "The issue date on the "
          "preliminary teaching credential; it must be cleared within five years.",
          "The preliminary credential (CTC)", (INDUCTION,), (ANALYST, HR), claimable=True),
    _spec(KeyDate.PRELIMINARY_EXPIRES_ON, "Preliminary credential expires on", "Only if the credential "
          "shows a date other than five years after issue.", "The preliminary credential (CTC)",
          (INDUCTION,), (ANALYST,), claimable=True),
    _spec(Count.TEACHING_YEARS, "Years as teacher of record", "Counts toward the Early Completion Option.",
          "District HR records of service", (INDUCTION,), (HR,), claimable=True, maximum=60),
    _spec(Flag.ECO_ADVISED, "Advised of the Early Completion Option", "The program told the teacher "
          "about finishing induction in one year.", "Induction precondition 6 (CTC)", (INDUCTION,), (DIRECTOR,)),
    _spec(Flag.MENTOR_LATE_ACCEPTED, "Carry on after a late mentor assignment", "The mentor came after the "
          "30-day window; the enrolment carries on and the lateness stays on the record.",
          "Program director's decision", (INDUCTION,), (DIRECTOR,), needs_reason=True),
    _spec(Flag.ILP_LATE_ACCEPTED, "Carry on after late ILP goals", "The ILP goals came after the 60-day "
          "window; the enrolment carries on and the lateness stays on the record.",
          "Program director's decision", (INDUCTION,), (DIRECTOR,), needs_reason=True),
    # CASC
    _spec(KeyDate.ADMIN_POSITION_STARTED_ON, "First administrative position started on", "The enrolment "
          "window counts from this day.", "CL-777 administrator verification of employment", (CASC,), (HR,),
          claimable=True),
    _spec(KeyDate.PASC_ISSUED_ON, "Preliminary ASC issued on", "The issue date on the preliminary "
          "administrative services credential.", "The preliminary ASC (CTC)", (CASC,), (ANALYST, HR),
          claimable=True),
    _spec(KeyDate.PASC_EXPIRES_ON, "Preliminary ASC expires on", "Only if the credential shows a date other "
          "than five years after issue.", "The preliminary ASC (CTC)", (CASC,), (ANALYST,), claimable=True),
    _spec(Count.ADMIN_EXPERIENCE_YEARS, "Years of full-time administrative experience", "Two are needed for "
          "the clear credential.", "Employer's verification letter", (CASC,), (HR,), claimable=True, maximum=60),
    _spec(Flag.ENROLMENT_WINDOW_EXTENSION, "Admit after the enrolment window", "An exception to the window "
          "for starting induction after a first administrative position.", "Program director's decision",
          (CASC,), (DIRECTOR,), needs_reason=True),
    _spec(Flag.COACH_LATE_ACCEPTED, "Carry on after a late coach assignment", "The coach came after the "
          "30-day window; the enrolment carries on and the lateness stays on the record.",
          "Program director's decision", (CASC,), (DIRECTOR,), needs_reason=True),
)

BY_NAME = {spec.name: spec for spec in FACTS}

# Facts the product works out itself: where each comes from (shown on the facts page and in tests).
DERIVED: dict[KeyDate | Count | Flag, str] = {
    KeyDate.ADMITTED_ON: "the enrolment date (CASC admission)",
    KeyDate.MENTOR_ASSIGNED_ON: "the day a mentor joined the support team",
    KeyDate.COACH_ASSIGNED_ON: "the day a coach joined the support team",
    KeyDate.ILP_GOALS_SET_ON: "the day the first ILP was filed",
    KeyDate.RECOMMENDED_ON: "the day the program submitted the CTC recommendation",
    Count.REVIEWS_HELD: "signed review meetings",
    Count.PRESERVICE_HOURS: "signed pre-service log entries",
    Count.MENTORING_HOURS: "signed mentoring log entries",
    Count.COACHING_WEEKS_Y1: "weeks with a signed coaching meeting in Year 1",
    Count.COACHING_WEEKS_Y2: "weeks with a signed coaching meeting in Year 2",
    Count.COACHING_HOURS_Y1: "signed coaching log entries in Year 1",
    Count.COACHING_HOURS_Y2: "signed coaching log entries in Year 2",
    Count.PL_HOURS_Y1: "signed professional-learning entries in Year 1",
    Count.PL_HOURS_Y2: "signed professional-learning entries in Year 2",
    Count.SELF_ASSESSMENTS: "self-assessments the candidate recorded",
    Flag.EXIT_PANEL_MASTERY: "the exit-interview panel's decision",
    Flag.ILP_SHARED_WITH_EVALUATOR: "never set: the ILP is kept from evaluators by the access rules",
}


def specs_for(pathway: str) -> list[FactSpec]:
    """The recordable facts of a pathway, in the order of the facts page."""
    return [spec for spec in FACTS if pathway in spec.pathways]


def may_record(spec: FactSpec, roles: frozenset[Role]) -> bool:
    """Whether these roles record the fact as confirmed."""
    return bool(spec.owners & roles)


def may_claim(spec: FactSpec, roles: frozenset[Role]) -> bool:
    """Whether these roles may enter the fact as a claim (the candidate, for facts they know)."""
    return spec.claimable and Role.CANDIDATE in roles


def parse(spec: FactSpec, raw: str | None) -> date | float | bool | None:
    """The typed value of a form entry; an empty entry clears the fact. ValueError says why not."""
    text = (raw or "").strip()
    if spec.kind == "flag":
        if text not in ("yes", "no"):
            raise ValueError(f"Choose yes or no for “{spec.label}”.")
        return text == "yes"
    if not text:
        return None
    if spec.kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"“{text}” is not a date; use the date picker or YYYY-MM-DD.") from None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"“{spec.label}” must be a number, not “{text}”.") from None
    if not 0 <= number <= (spec.maximum or 60):
        raise ValueError(f"“{spec.label}” must be between 0 and {spec.maximum or 60:g}.")
    return number
