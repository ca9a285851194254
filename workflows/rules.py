"""The rule book as named pure predicates over a `Facts` snapshot.

Each `Rule` is written once and used three ways: as a transition guard (`cond`), in the
validator that raises `StepBlocked` with every unmet rule, and in the candidate's checklist
(`engine.requirements`). Messages speak to the candidate, render the actual figures and the
setting they come from, and say who can clear the rule (`clears`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from workflows import dates as d
from workflows.facts import Count, EvidenceKind, EvidenceStatus, Facts, Flag, KeyDate, SignOff
from workflows.program_years import in_words, review_required
from workflows.roles import Role

Predicate = Callable[[Facts], bool]
Figures = Callable[[Facts], Mapping[str, object]]
Measure = Callable[[Facts], tuple[float, float]]


class RuleStatus(StrEnum):
    """How a requirement stands, for the checklist."""

    MET = "met"
    NOT_MET = "not_met"
    MISSING = "missing"  # evidence not uploaded
    AWAITING_VERIFICATION = "awaiting_verification"  # evidence submitted, not yet verified
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # a fact the candidate entered, not yet confirmed
    SENT_BACK = "sent_back"  # evidence sent back with a reason


@dataclass(frozen=True, eq=False)
class Rule:
    """A named pure predicate with a plain-language message, who clears it, and its source.

    `message` is a `str.format` template filled from `figures(facts)` (plus `{setting}`, the
    name of the program setting it uses). The metadata fields (`evidence_kind`, `signoff`,
    `count`, `key_date`, `flag`, `setting`) say which facts the rule reads, so the app can show
    an upload button or queue a sign-off task to the right role.
    """

    key: str
    message: str
    clears: Role
    source: str
    predicate: Predicate = field(repr=False)
    figures: Figures | None = field(default=None, repr=False)
    measure: Measure | None = field(default=None, repr=False)  # (have, need) for progress bars
    applies: Predicate | None = field(default=None, repr=False)  # a setting may switch it off
    evidence_kind: EvidenceKind | None = None
    signoff: tuple[SignOff, Role] | None = None
    count: Count | None = None
    key_date: KeyDate | None = None
    flag: Flag | None = None
    setting: str | None = None
    label: str | None = None  # short checklist title when the message reads only as a reason
    # A passed deadline that ends the enrolment's steps: asking for sign-offs is pointless then.
    ends_steps: bool = False
    # A window rule the program director may waive once it closed late (the flag records it).
    waiver: Flag | None = None
    due: Callable[[Facts], date | None] | None = field(default=None, repr=False)

    def check(self, facts: Facts) -> bool:
        """Whether the rule holds for these facts (a rule that does not apply holds).

        A fact the candidate only claimed never satisfies a rule: its owner confirms it first.
        """
        if not self.is_applicable(facts):
            return True
        if self.reads_claim(facts):
            return False
        return bool(self.predicate(facts))

    def reads_claim(self, facts: Facts) -> bool:
        """Whether the fact this rule reads is claimed but not yet confirmed."""
        return any(facts.is_claimed(key) for key in (self.key_date, self.count, self.flag))

    def is_applicable(self, facts: Facts) -> bool:
        """Whether the program's settings make this rule a requirement at all."""
        return self.applies is None or bool(self.applies(facts))

    def status(self, facts: Facts) -> RuleStatus:
        """MET, or why not: evidence missing / awaiting verification / sent back, or NOT_MET."""
        if self.check(facts):
            return RuleStatus.MET
        if self.reads_claim(facts):
            return RuleStatus.AWAITING_CONFIRMATION
        if self.evidence_kind is not None:
            return {
                EvidenceStatus.MISSING: RuleStatus.MISSING,
                EvidenceStatus.SUBMITTED: RuleStatus.AWAITING_VERIFICATION,
                EvidenceStatus.SENT_BACK: RuleStatus.SENT_BACK,
            }.get(facts.status(self.evidence_kind), RuleStatus.NOT_MET)
        return RuleStatus.NOT_MET

    def explain(self, facts: Facts) -> str:
        """The message for these facts, with the figures rendered."""
        status = self.status(facts)
        if self.evidence_kind is not None and status is RuleStatus.AWAITING_VERIFICATION:
            return (f"Your {self.evidence_kind.label} is awaiting verification by your "
                    f"{role_name(self.clears)}.")
        if self.evidence_kind is not None and status is RuleStatus.SENT_BACK:
            return (f"Your {role_name(self.clears)} sent back your {self.evidence_kind.label}; "
                    f"upload a corrected copy.")
        if status is RuleStatus.AWAITING_CONFIRMATION:
            return f"{self._render(facts)} You entered it; it counts once your {role_name(self.clears)} confirms it."
        return self._render(facts)

    def _render(self, facts: Facts) -> str:
        """The message template filled with this rule's figures."""
        values: dict[str, object] = {"setting": self.setting}
        if self.figures is not None:
            values.update(self.figures(facts))
        return self.message.format(**values)

    def title(self, facts: Facts) -> str:
        """A short name for the checklist: the document's name, else the rendered message."""
        if self.label is not None:
            return self.label
        if self.evidence_kind is not None:
            label = self.evidence_kind.label
            return label[0].upper() + label[1:]
        return self._render(facts)

    def progress(self, facts: Facts) -> tuple[float, float] | None:
        """(have, need) for count-like rules, else None."""
        return None if self.measure is None else self.measure(facts)

    def is_late(self, facts: Facts) -> bool:
        """For a window rule: the date came after the window closed, or the window closed unmet."""
        if self.due is None or self.key_date is None:
            return False
        on, by = facts.date_of(self.key_date), self.due(facts)
        if by is None:
            return False
        return on > by if on is not None else facts.today > by

    def waived(self, facts: Facts) -> bool:
        """Whether the program director let the enrolment carry on past this late window."""
        return self.waiver is not None and facts.flag(self.waiver)


def role_name(role: Role) -> str:
    """The role's label inside a sentence ("credential analyst", "district HR")."""
    label = role.label
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def _day(value: date | None) -> str:
    """A date as people read it in a message."""
    return "not recorded" if value is None else f"{value:%B} {value.day}, {value.year}"


# --- Rule factories: the shapes every pathway reuses ----------------------------------------


def evidence(key: str, kind: EvidenceKind, clears: Role, source: str,
             message: str | None = None, applies: Predicate | None = None) -> Rule:
    """A document that must be verified."""
    return Rule(key=key, clears=clears, source=source, evidence_kind=kind, applies=applies,
                message=message or f"Upload your {kind.label}; your {role_name(clears)} "
                                   f"verifies it.",
                predicate=lambda f: f.verified(kind))


def signoff(key: str, signoff_key: SignOff, role: Role, source: str, message: str) -> Rule:
    """A sign-off `role` must give; the app queues a task to holders of that role."""
    return Rule(key=key, clears=role, source=source, message=message,
                signoff=(signoff_key, role), predicate=lambda f: f.signed(signoff_key, role))


def at_least(key: str, count: Count, need: Callable[[Facts], float], clears: Role, source: str,
             message: str, setting: str | None = None) -> Rule:
    """A total that must reach a threshold; the message gets {have} and {need}."""
    return Rule(key=key, clears=clears, source=source, message=message, count=count,
                setting=setting, predicate=lambda f: f.count(count) >= need(f),
                figures=lambda f: {"have": f.count(count), "need": need(f)},
                measure=lambda f: (f.count(count), need(f)))


def recorded(key: str, key_date: KeyDate, clears: Role, source: str, message: str) -> Rule:
    """A key date that must be recorded."""
    return Rule(key=key, clears=clears, source=source, message=message, key_date=key_date,
                predicate=lambda f: f.date_of(key_date) is not None)


def recorded_by(key: str, key_date: KeyDate, due: Callable[[Facts], date | None], clears: Role,
                source: str, message: str, setting: str, waiver: Flag | None = None) -> Rule:
    """A key date that must be recorded on or before a due date; {on} and {due} in message.

    With `waiver`, a late date still passes once the program director has let the enrolment
    carry on (the flag); `Rule.is_late` keeps telling that it was late, for accreditation.
    """
    def holds(f: Facts) -> bool:
        on, by = f.date_of(key_date), due(f)
        if waiver is not None and f.flag(waiver) and on is not None:
            return True
        return on is not None and by is not None and on <= by
    return Rule(key=key, clears=clears, source=source, message=message, key_date=key_date,
                setting=setting, predicate=holds, waiver=waiver, due=due,
                figures=lambda f: {"on": _day(f.date_of(key_date)), "due": _day(due(f))})


def reached(key: str, due: Callable[[Facts], date | None], key_date: KeyDate, clears: Role,
            source: str, message: str, setting: str | None = None) -> Rule:
    """A time rule: today is on or after a due date (guards automatic, job-fired events)."""
    def holds(f: Facts) -> bool:
        when = due(f)
        return when is not None and f.today >= when
    return Rule(key=key, clears=clears, source=source, message=message, key_date=key_date,
                setting=setting, predicate=holds,
                figures=lambda f: {"due": _day(due(f)), "today": _day(f.today)})


def still_valid(key: str, ends: Callable[[Facts], date | None], clears: Role, source: str,
                message: str, label: str, setting: str | None = None,
                last_day: bool = False, extension: Flag | None = None) -> Rule:
    """A time rule for person-fired steps: the deadline that ends them has not passed.

    `ends` is the first day no longer valid (an expiry), or with `last_day` the last day still
    open (a window). An unknown end date holds (other rules ask for it); `extension` lifts it.
    The message gets {due}.
    """
    def holds(f: Facts) -> bool:
        when = ends(f)
        if when is None or (extension is not None and f.flag(extension)):
            return True
        return f.today <= when if last_day else f.today < when
    return Rule(key=key, clears=clears, source=source, message=message, setting=setting,
                label=label, predicate=holds, figures=lambda f: {"due": _day(ends(f))},
                ends_steps=True)


def flag_absent(key: str, flag: Flag, clears: Role, source: str, message: str,
                label: str) -> Rule:
    """A flag that must NOT be set; `label` titles it in the checklist."""
    return Rule(key=key, clears=clears, source=source, message=message, flag=flag, label=label,
                predicate=lambda f: not f.flag(flag))


def flag_present(key: str, flag: Flag, clears: Role, source: str, message: str) -> Rule:
    """A flag that must be set."""
    return Rule(key=key, clears=clears, source=source, message=message, flag=flag,
                predicate=lambda f: f.flag(flag))


# --- Sources ------------------------------------------------------------------------------------

CL_856 = "CL-856 (CTC leaflet, July 2022)"
CL_857 = "CL-857 employer verification, CL-856 (CTC leaflet, July 2022)"
REG_80021 = "5 CCR §80021.1(a)(2) [configurable: pip_requires_basic_skills]"
TRACKER = "CCTC Credential Tracker flyer (rev. 3 Oct 2019)"
CL_402A = "University Internship Credentials CL-402A (CTC)"
CL_900 = "Certificate of Clearance CL-900 (CTC)"
PROGRAM_RULE = "program rule"
RECOMMEND = "Complete Your Recommendation (CTC): 90-day window"


def induction_precondition(n: int) -> str:
    """Citation of a CTC Teacher Induction precondition."""
    return f"Teacher Induction precondition {n} (CTC)"


INDUCTION_PROGRAMS = "Induction program practice (rule book §2.2)"
ECO = "Early Completion Option, SB 57; program ECO criteria [configurable]"
PRELIMINARY = "Preliminary credential valid 5 years (CTC; CSULB catalog)"
BUTTE = "Butte CASC requirements"
BUTTE_FAQ = "Butte CASC FAQ"
CASC_ADMISSION = "5 CCR §80054(d); Butte CASC requirements"
CASC_PS3 = "CASC Program Standard 3 (CTC); Butte CASC FAQ"
CASC_WINDOW = "Butte CASC requirements; PSA 16-13; CTC PS1 summary [configurable]"
PASC = "Preliminary ASC valid 5 years (CTC; program pages)"


# --- Shared by all pathways ---------------------------------------------------------------------


def withdrawal(prefix: str, clears: Role, source: str) -> Rule:
    """The separation/withdrawal notice that ends an enrolment."""
    return evidence(f"{prefix}.withdrawal_notice", EvidenceKind.WITHDRAWAL_NOTICE, clears, source,
                    f"Your {role_name(clears)} records a withdrawal or separation notice.")


def recommendation_submitted(prefix: str, clears: Role) -> Rule:
    """A current CTC Online recommendation: recorded and still inside the 90-day window."""
    def holds(f: Facts) -> bool:
        purge = d.recommendation_purged_on(f)
        return purge is not None and f.today < purge
    return Rule(key=f"{prefix}.recommendation_submitted", clears=clears, source=RECOMMEND,
                key_date=KeyDate.RECOMMENDED_ON, setting="recommendation_window_days",
                predicate=holds,
                figures=lambda f: {"on": _day(f.date_of(KeyDate.RECOMMENDED_ON)),
                                   "days": f.settings.recommendation_window_days},
                message="Your " + role_name(clears) + " submits your recommendation on CTC "
                        "Online and records its date (last recorded: {on}; a recommendation "
                        "older than {days} days has been purged).")


RECOMMENDATION_PURGED = reached(
    "common.recommendation_purged", d.recommendation_purged_on, KeyDate.RECOMMENDED_ON,
    Role.CANDIDATE, RECOMMEND, setting="recommendation_window_days",
    message="Your recommendation is purged by the CTC on {due} if you have not answered the "
            "professional fitness questions and paid by then.")
CREDENTIAL_ISSUED = evidence(
    "common.credential_issued", EvidenceKind.ISSUED_CREDENTIAL, Role.CREDENTIAL_ANALYST,
    "CTC Online (credential issued)",
    "Answer the fitness questions and pay on CTC Online; your credential analyst then uploads "
    "the credential the CTC issued.")


# --- PIP: Provisional Internship Permit -> intern credential ready (rule book §1) ---------------

PIP_RECRUITMENT_RECORDS = evidence(
    "pip.recruitment_records", EvidenceKind.RECRUITMENT_RECORDS, Role.DISTRICT_HR,
    CL_857 + " item 1",
    "Your district HR uploads the records of its diligent search for a credentialed teacher.")
PIP_TRANSCRIPTS = evidence("pip.transcripts", EvidenceKind.TRANSCRIPTS,
                           Role.CREDENTIAL_ANALYST, CL_856)
PIP_ELIGIBILITY_WORKSHEET = evidence(
    "pip.eligibility_worksheet", EvidenceKind.ELIGIBILITY_WORKSHEET, Role.CREDENTIAL_ANALYST,
    "CL-860/862/864 worksheets, " + CL_856,
    "Your credential analyst completes the PIP evaluation worksheet (CL-860/862/864) from your "
    "transcripts.")
PIP_SMC_NOT_ALREADY_MET = flag_absent(
    "pip.smc_not_already_met", Flag.SMC_ALREADY_MET, Role.CREDENTIAL_ANALYST, CL_856,
    "Your degree or passed exams already meet subject-matter competence, so a PIP is not for "
    "you: apply to an intern program directly.",
    label="Subject-matter competence not already met")
PIP_PRIOR_PERMITS_WITHIN_LIMIT = Rule(
    key="pip.prior_permits_within_limit", clears=Role.CREDENTIAL_ANALYST, source=CL_856,
    count=Count.PRIOR_EMERGENCY_PERMITS, setting="pip_max_prior_emergency_permits",
    predicate=lambda f: f.count(Count.PRIOR_EMERGENCY_PERMITS)
    <= f.settings.pip_max_prior_emergency_permits,
    figures=lambda f: {"have": f.count(Count.PRIOR_EMERGENCY_PERMITS),
                       "limit": f.settings.pip_max_prior_emergency_permits},
    message="You have held {have:g} long-term emergency permits; a PIP allows at most {limit}.")
PIP_BASIC_SKILLS_FOR_PERMIT = evidence(
    "pip.basic_skills_for_permit", EvidenceKind.BASIC_SKILLS, Role.CREDENTIAL_ANALYST, REG_80021,
    "Your program requires the basic skills requirement before the PIP: upload your "
    "verification; your credential analyst verifies it.",
    applies=lambda f: f.settings.pip_requires_basic_skills)
PIP_BOARD_NOTICE = evidence(
    "pip.board_notice", EvidenceKind.BOARD_NOTICE, Role.DISTRICT_HR, CL_857 + " item 6",
    "Your district HR uploads the board agenda item (or the public notice posted at least 72 "
    "hours before filling the position).")
PIP_CL_857 = evidence(
    "pip.cl_857", EvidenceKind.CL_857, Role.CREDENTIAL_ANALYST, CL_857,
    "Upload your CL-857 verification; your credential analyst verifies it.")
PIP_LIVE_SCAN = evidence("pip.live_scan_receipt", EvidenceKind.LIVE_SCAN_RECEIPT,
                         Role.CREDENTIAL_ANALYST, CL_856)
PIP_PERMIT_ISSUED = recorded(
    "pip.permit_issued", KeyDate.PERMIT_ISSUED_ON, Role.CREDENTIAL_ANALYST, CL_856,
    "Your credential analyst records the date the CTC issued your PIP.")
PIP_PERSONALIZED_PLAN = evidence(
    "pip.personalized_plan", EvidenceKind.PERSONALIZED_PLAN, Role.SITE_ADMINISTRATOR,
    CL_857 + " item 3",
    "Build your PIP Personalized Plan with your district and upload it; your site "
    "administrator verifies it.")
PIP_PLAN_SITE_ADMIN = signoff(
    "pip.plan_signed_by_site_administrator", SignOff.PLAN_ESTABLISHED, Role.SITE_ADMINISTRATOR,
    CL_857 + " items 2-3",
    "Your site administrator signs off that your plan is established.")
PIP_PLAN_DISTRICT_HR = signoff(
    "pip.plan_signed_by_district_hr", SignOff.PLAN_ESTABLISHED, Role.DISTRICT_HR,
    CL_857 + " items 2-3", "Your district HR signs off that your plan is established.")
PIP_ACTION_PLAN = evidence(
    "pip.action_plan", EvidenceKind.ACTION_PLAN, Role.MENTOR, TRACKER,
    "Identify your gaps and upload your Action Plan; your mentor verifies it.")
PIP_REVIEWS = Rule(
    key="pip.reviews_held", clears=Role.SITE_ADMINISTRATOR, source=TRACKER + ", step 6",
    count=Count.REVIEWS_HELD, setting="pip_min_reviews",
    predicate=lambda f: f.count(Count.REVIEWS_HELD) >= f.settings.pip_min_reviews,
    measure=lambda f: (f.count(Count.REVIEWS_HELD), f.settings.pip_min_reviews),
    # A review counts only when the roles the program requires attended (pip_review_needs_*).
    figures=lambda f: {"have": f.count(Count.REVIEWS_HELD), "need": f.settings.pip_min_reviews,
                       "who": in_words(review_required(f.settings)) or "your support team"},
    message="{have:g} of {need:g} reviews of your tracker held and signed with {who} present.")
PIP_SMC = evidence("pip.smc_verified", EvidenceKind.SMC_VERIFICATION, Role.CREDENTIAL_ANALYST,
                   CL_402A,
                   "Upload your subject-matter competence verification (CSET scores or "
                   "approved coursework); your credential analyst verifies it.")
PIP_US_CONSTITUTION = evidence("pip.us_constitution", EvidenceKind.US_CONSTITUTION,
                               Role.CREDENTIAL_ANALYST, CL_402A)
PIP_BASIC_SKILLS = evidence("pip.basic_skills", EvidenceKind.BASIC_SKILLS,
                            Role.CREDENTIAL_ANALYST, CL_402A + "; CL-667")
PIP_CLEARANCE = evidence("pip.clearance", EvidenceKind.CLEARANCE, Role.CREDENTIAL_ANALYST,
                         CL_900)
PIP_INTERN_ADMISSION = evidence(
    "pip.intern_admission", EvidenceKind.INTERN_ADMISSION_LETTER,
    Role.PREP_PROGRAM_SUPPORT_PROVIDER, CL_402A)
PIP_PRESERVICE_HOURS = at_least(
    "pip.preservice_hours", Count.PRESERVICE_HOURS, lambda f: f.settings.pip_preservice_hours,
    Role.PREP_PROGRAM_SUPPORT_PROVIDER, CL_402A, setting="pip_preservice_hours",
    message="{have:g} of {need:g} pre-service clock hours verified by your intern program.")
PIP_JOB_OFFER = evidence(
    "pip.job_offer", EvidenceKind.JOB_OFFER, Role.DISTRICT_HR, CL_402A,
    "Your district HR uploads your offer of employment as teacher of record.")
PIP_READY_ANALYST = signoff(
    "pip.intern_ready_by_credential_analyst", SignOff.INTERN_READY, Role.CREDENTIAL_ANALYST,
    "Rule book §1.5 A10", "Your credential analyst signs off that you are intern-ready.")
PIP_READY_PROGRAM = signoff(
    "pip.intern_ready_by_intern_program", SignOff.INTERN_READY,
    Role.PREP_PROGRAM_SUPPORT_PROVIDER, "Rule book §1.5 A10",
    "Your intern program's support provider signs off that you are intern-ready.")
PIP_FOUND_INELIGIBLE = Rule(
    key="pip.found_ineligible", clears=Role.CREDENTIAL_ANALYST, source=CL_856,
    flag=Flag.SMC_ALREADY_MET, setting="pip_max_prior_emergency_permits",
    predicate=lambda f: f.flag(Flag.SMC_ALREADY_MET) or f.count(Count.PRIOR_EMERGENCY_PERMITS)
    > f.settings.pip_max_prior_emergency_permits,
    message="Only a candidate who already meets subject-matter competence, or has held more "
            "than the allowed long-term emergency permits, is ineligible.")
PIP_PERMIT_EXPIRED = reached(
    "pip.permit_expired", d.pip_expires_on, KeyDate.PERMIT_ISSUED_ON, Role.CREDENTIAL_ANALYST,
    CL_856, setting="pip_validity_months",
    message="Your PIP expires on {due} and cannot be renewed; it has not expired yet.")
PIP_PERMIT_NOT_EXPIRED = still_valid(
    "pip.permit_not_expired", d.pip_expires_on, Role.CREDENTIAL_ANALYST, CL_856,
    setting="pip_validity_months", label="PIP still valid",
    message="Your PIP expired on {due} and cannot be renewed, so this step can no longer be "
            "taken on it. If the expiry date is wrong, your credential analyst corrects it.")
PIP_WITHDRAWAL = withdrawal("pip", Role.DISTRICT_HR, CL_856 + " (employer-restricted)")
PIP_RECOMMENDATION = recommendation_submitted("pip", Role.PREP_PROGRAM_SUPPORT_PROVIDER)


# --- Teacher Induction -> clear teaching credential (rule book §2) --------------------------------

IND_PRELIMINARY = evidence("induction.preliminary_credential", EvidenceKind.PRELIMINARY_CREDENTIAL,
                           Role.CREDENTIAL_ANALYST, INDUCTION_PROGRAMS)
IND_PRELIMINARY_ISSUED = recorded(
    "induction.preliminary_issued_on", KeyDate.PRELIMINARY_ISSUED_ON, Role.CREDENTIAL_ANALYST,
    PRELIMINARY, "Your credential analyst records your preliminary credential's issue date.")
IND_EMPLOYMENT = evidence(
    "induction.employment", EvidenceKind.EMPLOYMENT_VERIFICATION, Role.DISTRICT_HR,
    INDUCTION_PROGRAMS,
    "Your district HR verifies your employment as teacher of record.")
IND_CLEARANCE = evidence("induction.clearance", EvidenceKind.CLEARANCE, Role.CREDENTIAL_ANALYST,
                         CL_900)
IND_ENROLLED_ON = recorded(
    "induction.enrolled_on", KeyDate.ENROLLED_ON, Role.PROGRAM_DIRECTOR,
    induction_precondition(2), "Your program director records your enrolment date.")
IND_ECO_ADVISED = flag_present(
    "induction.eco_advised", Flag.ECO_ADVISED, Role.PROGRAM_DIRECTOR, induction_precondition(6),
    "Your program director records that you were advised of the Early Completion Option.")
IND_MENTOR_MATCH = evidence(
    "induction.mentor_match", EvidenceKind.MENTOR_MATCH_RECORD, Role.PROGRAM_DIRECTOR,
    induction_precondition(2),
    "Your program director records your mentor match (mentor's credential, grade and subject).")
IND_MENTOR_IN_TIME = recorded_by(
    "induction.mentor_within_days", KeyDate.MENTOR_ASSIGNED_ON, d.mentor_due_on,
    Role.PROGRAM_DIRECTOR, induction_precondition(2), setting="mentor_assignment_days",
    message="A mentor must be assigned by {due} (mentor assigned: {on}).", waiver=Flag.MENTOR_LATE_ACCEPTED)
IND_ILP = evidence(
    "induction.ilp", EvidenceKind.ILP, Role.MENTOR, induction_precondition(4),
    "Write your ILP goals with your mentor and upload your ILP; your mentor verifies it.")
IND_ILP_IN_TIME = recorded_by(
    "induction.ilp_goals_within_days", KeyDate.ILP_GOALS_SET_ON, d.ilp_goals_due_on, Role.MENTOR,
    induction_precondition(4), setting="ilp_goals_days",
    message="Your ILP goals must be set by {due} (goals set: {on}).", waiver=Flag.ILP_LATE_ACCEPTED)
IND_ILP_PRIVATE = flag_absent(
    "induction.ilp_private", Flag.ILP_SHARED_WITH_EVALUATOR, Role.PROGRAM_DIRECTOR,
    induction_precondition(5),
    "Your ILP was shared with someone who evaluates you; it is for your professional growth "
    "only. Your program director must withdraw that access.",
    label="ILP kept private from anyone who evaluates you")


def _mentoring_need(f: Facts) -> float:
    """Hours of mentoring owed so far: whole weeks since enrolment x hours per week."""
    weeks = d.whole_weeks_since(f.date_of(KeyDate.ENROLLED_ON), f.today)
    return weeks * f.settings.mentoring_hours_per_week


IND_MENTORING_AVERAGE = Rule(
    key="induction.mentoring_average", clears=Role.MENTOR, source=induction_precondition(3),
    count=Count.MENTORING_HOURS, setting="mentoring_hours_per_week",
    # Without an enrolment date the average cannot be computed, so it is not met.
    predicate=lambda f: (f.date_of(KeyDate.ENROLLED_ON) is not None
                         and f.count(Count.MENTORING_HOURS) >= _mentoring_need(f)),
    measure=lambda f: (f.count(Count.MENTORING_HOURS), _mentoring_need(f)),
    figures=lambda f: {"have": f.count(Count.MENTORING_HOURS), "need": _mentoring_need(f),
                       "weeks": _plural(d.whole_weeks_since(f.date_of(KeyDate.ENROLLED_ON), f.today), "week"),
                       "per_week": _plural(f.settings.mentoring_hours_per_week, "hour")},
    message="{have:g} mentoring hours logged over {weeks} since enrolment; an average of "
            "{per_week} a week needs {need:g}.")


def _plural(amount: float, unit: str) -> str:
    """"1 hour", "1.5 hours", "6 weeks": never "hour(s)"."""
    return f"{amount:g} {unit}{'' if amount == 1 else 's'}"
IND_YEAR1_SIGNOFF = signoff(
    "induction.year1_complete", SignOff.YEAR1_COMPLETE, Role.PROGRAM_DIRECTOR, INDUCTION_PROGRAMS,
    "Your program director signs off your Year 1 review.")
IND_COMPLETION_REVIEW = evidence(
    "induction.completion_review", EvidenceKind.COMPLETION_REVIEW, Role.PROGRAM_DIRECTOR,
    INDUCTION_PROGRAMS,
    "Present your ILP evidence of growth on the CSTP for the completion review; your program "
    "director records it.")
IND_COMPLETION_SIGNOFF = signoff(
    "induction.completion_review_passed", SignOff.COMPLETION_REVIEW_PASSED,
    Role.PROGRAM_DIRECTOR, INDUCTION_PROGRAMS,
    "Your program director signs off that you passed the completion review.")
IND_ECO_APPLICATION = evidence(
    "induction.eco_application", EvidenceKind.ECO_APPLICATION, Role.PROGRAM_DIRECTOR, ECO,
    "Upload your Early Completion Option application (evaluations, letters); your program "
    "director verifies it.")
IND_ECO_YEARS = at_least(
    "induction.eco_teaching_years", Count.TEACHING_YEARS,
    lambda f: f.settings.eco_min_teaching_years, Role.DISTRICT_HR, ECO,
    setting="eco_min_teaching_years",
    message="The Early Completion Option needs {need:g} years as teacher of record; your "
            "district HR has verified {have:g}.")
IND_ECO_DIRECTOR = signoff(
    "induction.eco_approved_by_program_director", SignOff.ECO_APPROVED, Role.PROGRAM_DIRECTOR,
    ECO, "Your program director approves your Early Completion Option.")
IND_ECO_EMPLOYER = signoff(
    "induction.eco_approved_by_district_hr", SignOff.ECO_APPROVED, Role.DISTRICT_HR, ECO,
    "Your employer (district HR) approves your Early Completion Option.")
IND_EXTENSION_PLAN = evidence(
    "induction.extensive_support_plan", EvidenceKind.EXTENSIVE_SUPPORT_PLAN,
    Role.PROGRAM_DIRECTOR, INDUCTION_PROGRAMS,
    "Your program director uploads your extensive support plan.")
IND_EXTENSION_APPROVED = signoff(
    "induction.extension_approved", SignOff.EXTENSION_APPROVED, Role.PROGRAM_DIRECTOR,
    INDUCTION_PROGRAMS, "Your program director approves a program extension.")
IND_EXTENSION_COMPLETED = signoff(
    "induction.extension_completed", SignOff.EXTENSION_COMPLETED, Role.PROGRAM_DIRECTOR,
    INDUCTION_PROGRAMS, "Your program director signs off that your support plan is complete.")
IND_TRANSPORTABILITY = evidence(
    "induction.transportability", EvidenceKind.TRANSPORTABILITY_DOCUMENT, Role.PROGRAM_DIRECTOR,
    INDUCTION_PROGRAMS, "Your program director issues your transportability document.")
IND_CL_855 = evidence(
    "induction.cl_855", EvidenceKind.CL_855, Role.DISTRICT_HR, "CL-855 (CTC); CSULB catalog",
    "Your employer signs CL-855 verifying no induction program is available; district HR "
    "uploads it.")
IND_PRELIMINARY_EXPIRED = reached(
    "induction.preliminary_expired", d.preliminary_expires_on, KeyDate.PRELIMINARY_ISSUED_ON,
    Role.CREDENTIAL_ANALYST, PRELIMINARY, setting="preliminary_validity_years",
    message="Your preliminary credential expires on {due}; it has not expired yet.")
IND_PRELIMINARY_NOT_EXPIRED = still_valid(
    "induction.preliminary_not_expired", d.preliminary_expires_on, Role.CREDENTIAL_ANALYST,
    PRELIMINARY, setting="preliminary_validity_years", label="Preliminary credential still valid",
    message="Your preliminary credential expired on {due}, so induction steps can no longer be "
            "taken on it. If the expiry date is wrong, your credential analyst corrects it.")
IND_WITHDRAWAL = withdrawal("induction", Role.PROGRAM_DIRECTOR, INDUCTION_PROGRAMS)
IND_RECOMMENDATION = recommendation_submitted("induction", Role.CREDENTIAL_ANALYST)


# --- CASC -> Clear Administrative Services Credential (rule book §3) -------------------------------

CASC_PASC_OR_COE = evidence("casc.pasc_or_coe", EvidenceKind.PASC_OR_COE,
                            Role.CREDENTIAL_ANALYST, CASC_ADMISSION)
CASC_CL_777 = evidence(
    "casc.cl_777", EvidenceKind.CL_777, Role.DISTRICT_HR, BUTTE + "; CL-777 (CTC)",
    "Your employer completes CL-777 verifying your administrative position; district HR "
    "uploads it.")
CASC_ADMIN_START = recorded(
    "casc.admin_position_started_on", KeyDate.ADMIN_POSITION_STARTED_ON, Role.DISTRICT_HR,
    CASC_WINDOW, "Your district HR records the start date of your administrative position.")
CASC_ADMITTED_ON = recorded(
    "casc.admitted_on", KeyDate.ADMITTED_ON, Role.PROGRAM_DIRECTOR, BUTTE,
    "Your program director records your admission date.")


def _admitted_in_window(f: Facts) -> bool:
    """Admitted (or, if not yet, today) on or before the window closes, or an exception."""
    closes = d.enrolment_window_closes_on(f)
    on = f.date_of(KeyDate.ADMITTED_ON) or f.today
    return f.flag(Flag.ENROLMENT_WINDOW_EXTENSION) or (closes is not None and on <= closes)


CASC_IN_WINDOW = Rule(
    key="casc.within_enrolment_window", clears=Role.PROGRAM_DIRECTOR, source=CASC_WINDOW,
    key_date=KeyDate.ADMITTED_ON, setting="casc_enrolment_window_days",
    predicate=_admitted_in_window,
    figures=lambda f: {"due": _day(d.enrolment_window_closes_on(f)),
                       "days": f.settings.casc_enrolment_window_days},
    message="You must be admitted within {days} days of starting your administrative position, "
            "by {due}.")
CASC_ADMISSION_SIGNOFF = signoff(
    "casc.admission_approved", SignOff.ADMITTED, Role.PROGRAM_DIRECTOR, BUTTE,
    "Your program director approves your admission.")
CASC_ORIENTATION_Y1 = evidence("casc.orientation_y1", EvidenceKind.ORIENTATION_Y1,
                               Role.PROGRAM_DIRECTOR, BUTTE,
                               "Attend the Year 1 orientation; your program director records it.")
CASC_ASSURANCES_Y1 = evidence("casc.assurances_y1", EvidenceKind.ASSURANCES_Y1,
                              Role.PROGRAM_DIRECTOR, BUTTE)
CASC_COACH_IN_TIME = recorded_by(
    "casc.coach_within_days", KeyDate.COACH_ASSIGNED_ON, d.coach_due_on, Role.PROGRAM_DIRECTOR,
    CASC_PS3, setting="coach_assignment_days",
    message="A coach must be assigned by {due} (coach assigned: {on}).", waiver=Flag.COACH_LATE_ACCEPTED)


def _self_assessments(key: str, stage: int | None, when: str) -> Rule:
    """Self-assessments due by a stage (1st, 2nd; None = all cpsel_self_assessments)."""
    def need(f: Facts) -> float:
        total = f.settings.cpsel_self_assessments
        return total if stage is None else min(stage, total)
    return at_least(key, Count.SELF_ASSESSMENTS, need, Role.COACH, BUTTE,
                    setting="cpsel_self_assessments",
                    message="{have:g} of {need:g} CPSEL self-assessments completed " + when + ".")


CASC_SELF_ASSESSMENT_1 = _self_assessments("casc.self_assessment_1", 1, "by the start of Year 1")
CASC_IIP_1 = evidence("casc.iip_1", EvidenceKind.IIP_1, Role.COACH, BUTTE,
                      "Write IIP 1 on CPSEL 1-3 with your coach and upload it; your coach "
                      "verifies it.")
CASC_IIP_1_APPROVED = signoff("casc.iip1_approved", SignOff.IIP1_APPROVED, Role.PROGRAM_DIRECTOR,
                              BUTTE, "Your program director approves IIP 1.")


def _per_year(key: str, count: Count, setting: str, year: int, what: str) -> Rule:
    """A yearly total (coaching weeks, PL hours) against its per-year setting."""
    return at_least(key, count, lambda f: getattr(f.settings, setting), Role.COACH, BUTTE,
                    setting=setting,
                    message="{have:g} of {need:g} " + what + f" logged for Year {year}.")


CASC_COACHING_Y1 = _per_year("casc.coaching_weeks_y1", Count.COACHING_WEEKS_Y1,
                             "coaching_weeks_per_year", 1, "coaching weeks")
CASC_COACHING_HOURS_Y1 = _per_year("casc.coaching_hours_y1", Count.COACHING_HOURS_Y1,
                                   "coaching_hours_per_year", 1, "coaching hours")
CASC_PL_Y1 = _per_year("casc.pl_hours_y1", Count.PL_HOURS_Y1, "pl_hours_per_year", 1,
                       "professional-learning hours")
CASC_YEAR1_SIGNOFF = signoff("casc.year1_complete", SignOff.YEAR1_COMPLETE, Role.PROGRAM_DIRECTOR,
                             BUTTE_FAQ, "Your program director signs off your Year 1 review.")
CASC_ORIENTATION_Y2 = evidence("casc.orientation_y2", EvidenceKind.ORIENTATION_Y2,
                               Role.PROGRAM_DIRECTOR, BUTTE,
                               "Attend the Year 2 orientation; your program director records it.")
CASC_ASSURANCES_Y2 = evidence("casc.assurances_y2", EvidenceKind.ASSURANCES_Y2,
                              Role.PROGRAM_DIRECTOR, BUTTE)
CASC_SELF_ASSESSMENT_2 = _self_assessments("casc.self_assessment_2", 2, "by the start of Year 2")
CASC_IIP_2 = evidence("casc.iip_2", EvidenceKind.IIP_2, Role.COACH, BUTTE,
                      "Write IIP 2 on CPSEL 4-6 with your coach and upload it; your coach "
                      "verifies it.")
CASC_IIP_2_APPROVED = signoff("casc.iip2_approved", SignOff.IIP2_APPROVED, Role.PROGRAM_DIRECTOR,
                              BUTTE, "Your program director approves IIP 2.")
CASC_COACHING_Y2 = _per_year("casc.coaching_weeks_y2", Count.COACHING_WEEKS_Y2,
                             "coaching_weeks_per_year", 2, "coaching weeks")
CASC_COACHING_HOURS_Y2 = _per_year("casc.coaching_hours_y2", Count.COACHING_HOURS_Y2,
                                   "coaching_hours_per_year", 2, "coaching hours")
CASC_PL_Y2 = _per_year("casc.pl_hours_y2", Count.PL_HOURS_Y2, "pl_hours_per_year", 2,
                       "professional-learning hours")
CASC_SELF_ASSESSMENT_3 = _self_assessments("casc.self_assessments", None, "by the end of Year 2")
CASC_EXIT_MASTERY = flag_present(
    "casc.exit_panel_mastery", Flag.EXIT_PANEL_MASTERY, Role.PANEL_MEMBER, BUTTE,
    "At your exit interview the panel must agree you have mastered every CPSEL (1-6).")
CASC_EXPERIENCE_LETTER = evidence(
    "casc.experience_letter", EvidenceKind.EXPERIENCE_LETTER, Role.DISTRICT_HR, BUTTE,
    "Your employer's letter (superintendent, assistant superintendent or HR director) verifies "
    "your administrative experience; district HR uploads it.")
CASC_EXPERIENCE_YEARS = at_least(
    "casc.admin_experience_years", Count.ADMIN_EXPERIENCE_YEARS,
    lambda f: f.settings.admin_experience_years, Role.DISTRICT_HR, BUTTE,
    setting="admin_experience_years",
    message="{have:g} of {need:g} years of successful full-time administrative experience "
            "verified.")
CASC_RECOMMENDATION_APPROVED = signoff(
    "casc.recommendation_approved", SignOff.RECOMMENDATION_APPROVED, Role.PROGRAM_DIRECTOR, BUTTE,
    "Your program director (Sr. Director of Professional Learning) approves your "
    "recommendation to the CTC.")
CASC_YEAR1_DOCUMENT = evidence(
    "casc.year1_completion_document", EvidenceKind.YEAR1_COMPLETION_DOCUMENT,
    Role.PROGRAM_DIRECTOR, BUTTE_FAQ,
    "Your program director issues your transferable Year 1 completion document.")
CASC_WINDOW_MISSED = Rule(
    key="casc.enrolment_window_missed", clears=Role.PROGRAM_DIRECTOR, source=CASC_WINDOW,
    key_date=KeyDate.ADMIN_POSITION_STARTED_ON, setting="casc_enrolment_window_days",
    predicate=lambda f: (not f.flag(Flag.ENROLMENT_WINDOW_EXTENSION)
                         and (closes := d.enrolment_window_closes_on(f)) is not None
                         and f.today > closes),
    figures=lambda f: {"due": _day(d.enrolment_window_closes_on(f))},
    message="Your enrolment window is open until {due} (or extended by your program director).")
CASC_PASC_EXPIRED = reached(
    "casc.pasc_expired", d.pasc_expires_on, KeyDate.PASC_ISSUED_ON, Role.CREDENTIAL_ANALYST, PASC,
    setting="pasc_validity_years",
    message="Your preliminary administrative services credential expires on {due}; it has not "
            "expired yet (a Certificate of Eligibility never expires).")
CASC_PASC_NOT_EXPIRED = still_valid(
    "casc.pasc_not_expired", d.pasc_expires_on, Role.CREDENTIAL_ANALYST, PASC,
    setting="pasc_validity_years", label="Preliminary ASC still valid",
    message="Your preliminary administrative services credential expired on {due}, so CASC "
            "steps can no longer be taken on it. If the expiry date is wrong, your credential "
            "analyst corrects it.")
CASC_WINDOW_OPEN = still_valid(
    "casc.enrolment_window_open", d.enrolment_window_closes_on, Role.PROGRAM_DIRECTOR,
    CASC_WINDOW, setting="casc_enrolment_window_days", label="Enrolment window still open",
    last_day=True, extension=Flag.ENROLMENT_WINDOW_EXTENSION,
    message="Your enrolment window closed on {due}, so you can no longer be admitted unless "
            "your program director records an extension.")
CASC_WITHDRAWAL = withdrawal("casc", Role.PROGRAM_DIRECTOR, BUTTE)
CASC_RECOMMENDATION = recommendation_submitted("casc", Role.PROGRAM_DIRECTOR)
