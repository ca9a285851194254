"""The access matrix: what every route answers each kind of person, declared beside the policy.

app/policy.py decides; this module states the expected outcome of each decision per route, so a
test (tests/app/test_access_matrix.py) can send every route × subject × method and compare. A
route with no entry here fails that test, and so does an entry for a route that no longer exists.

Subjects, seen from one candidate's enrolment ("this candidate"):
- `anonymous`; `candidate` (on their own enrolment); `other_candidate` (enrolled in the same program);
- a role held for this candidate: `mentor`, `coach`, `site_administrator`, `credential_analyst`,
  `district_hr`, `program_director`, `panel_member`, `prep_program_support_provider`, `viewer`;
- the same roles held for another program's candidate (`other_mentor`, ...);
- `service_administrator`, who runs the service, sees enrolments to help people, decides nothing.

Outcomes: `ok` (2xx or 3xx, or 400/409/422 when input checks answer after access was granted),
`login` (redirect to sign-in), `hidden` (404: whoever may not see a record, or a confidential page,
gets the answer a missing page gets) and `forbidden` (403: the page is theirs to see, this action
is not). Cases name the enrolment a route is tried on: one per installed pathway (whose own records
the URL names), and `induction/document` (an ordinary document, where `induction` is the filed ILP).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from workflows import registry
from workflows.roles import Role

OK, LOGIN, HIDDEN, FORBIDDEN = "ok", "login", "hidden", "forbidden"
# Answers to input after access was granted: a refusal of the form, not of the person.
VALIDATION = frozenset({400, 409, 422})

ANONYMOUS, CANDIDATE, OTHER_CANDIDATE, SERVICE_ADMINISTRATOR = (
    "anonymous", "candidate", "other_candidate", "service_administrator")
TEAM_ROLES = (Role.MENTOR, Role.COACH, Role.SITE_ADMINISTRATOR, Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR,
              Role.PROGRAM_DIRECTOR, Role.PANEL_MEMBER, Role.PREP_PROGRAM_SUPPORT_PROVIDER, Role.VIEWER)
ROLE_SUBJECTS = tuple(role.value for role in TEAM_ROLES)
OTHER_ROLE_SUBJECTS = tuple(f"other_{name}" for name in ROLE_SUBJECTS)
SUBJECTS = (ANONYMOUS, CANDIDATE, OTHER_CANDIDATE, *ROLE_SUBJECTS, *OTHER_ROLE_SUBJECTS, SERVICE_ADMINISTRATOR)


def _names(*items: Role | str | Iterable[Role | str]) -> frozenset[str]:
    out: set[str] = set()
    for item in items:
        if isinstance(item, str):  # a Role is a str too: its value names the subject
            out.add(str(item))
        else:
            out |= _names(*item)
    return frozenset(out)


SIGNED_IN = _names(s for s in SUBJECTS if s != ANONYMOUS)
TEAM = _names(CANDIDATE, ROLE_SUBJECTS)  # everyone holding a role for this candidate
SEES_ENROLMENT = TEAM | {SERVICE_ADMINISTRATOR}  # policy.can_view_enrollment
STAFF = _names(TEAM_ROLES) - {Role.VIEWER}
APPROVERS = STAFF | {f"other_{role}" for role in STAFF}  # policy.APPROVER_ROLES, here or elsewhere: an inbox
PROGRAM_VIEWERS = _names(Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR)  # policy.can_view_program


# Who reads each pathway's plans (app/confidentiality.py: PIP, CASC): the candidate's own case is the ILP's.
PIP_PLAN_READERS = TEAM - {Role.PANEL_MEMBER}
CASC_PLAN_READERS = _names(CANDIDATE, Role.COACH, Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST,
                           Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR, Role.PANEL_MEMBER)


@dataclass(frozen=True)
class Entry:
    """Who gets `ok` and who `forbidden` (everyone else signed in: `hidden`), on which cases."""

    ok: frozenset[str]
    forbidden: frozenset[str] = frozenset()
    anonymous: str = LOGIN
    cases: tuple[str, ...] = ("induction",)
    by_case: Mapping[str, Entry] = field(default_factory=dict)  # a case whose answers differ

    def expect(self, subject: str, case: str) -> str:
        """The outcome `subject` should get on `case`."""
        entry = self.by_case.get(case, self)
        if subject == ANONYMOUS:
            return entry.anonymous
        return OK if subject in entry.ok else FORBIDDEN if subject in entry.forbidden else HIDDEN


def rule(ok: Iterable[str] = (), forbidden: Iterable[str] = (), *, anonymous: str = LOGIN,
         cases: tuple[str, ...] = ("induction",), **by_case: Entry) -> Entry:
    """An entry; keyword cases (`pip=rule(...)`) state where a pathway answers otherwise."""
    return Entry(_names(ok), _names(forbidden) - _names(ok), anonymous, cases,
                 {name.replace("_", "/"): entry for name, entry in by_case.items()})


PUBLIC = rule(SIGNED_IN, anonymous=OK)
SIGNED_IN_ONLY = rule(SIGNED_IN)
ENROLMENT = rule(SEES_ENROLMENT)
# The pathways a route is tried on: every installed one (the registry's), and those that keep plans
# and confidential notes (their own records are what the URLs name).
EVERY_PATHWAY = tuple(registry.names())
KEEPS_PLANS_AND_NOTES = tuple(p.name for p in registry.plugins() if p.plan_kinds and p.confidential_logs)

ACCESS: dict[tuple[str, str], Entry] = {
    # --- Public and account pages: anyone, signed in or not -------------------------------------
    ("static", "GET"): PUBLIC,
    ("main.healthz", "GET"): PUBLIC,
    ("main.manifest", "GET"): PUBLIC, ("main.service_worker", "GET"): PUBLIC, ("main.offline", "GET"): PUBLIC,
    ("main.home", "GET"): SIGNED_IN_ONLY,
    ("auth.sign_in", "GET"): PUBLIC, ("auth.sign_in", "POST"): PUBLIC,
    ("auth.sign_up", "GET"): PUBLIC, ("auth.sign_up", "POST"): PUBLIC,
    ("auth.request_reset", "GET"): PUBLIC, ("auth.request_reset", "POST"): PUBLIC,
    ("auth.reset_password", "GET"): PUBLIC, ("auth.reset_password", "POST"): PUBLIC,
    ("metrics", "GET"): rule(anonymous=HIDDEN),  # a bearer of METRICS_TOKEN only (tests/app/test_observability.py)
    ("auth.sign_out", "POST"): SIGNED_IN_ONLY, ("auth.sign_out_everywhere", "POST"): SIGNED_IN_ONLY,
    # Signing in with the district's account (tests/app/test_sign_on.py runs it against a real provider).
    # The matrix's organisations have no provider of their own, so starting there is a 404 to whoever is
    # signed out (the signed-in are sent home); a return that did not start in this browser is refused (400).
    ("auth.district_sign_in", "GET"): rule(SIGNED_IN, anonymous=HIDDEN),
    ("auth.find_district", "POST"): PUBLIC,
    ("auth.district_return", "GET"): PUBLIC,
    ("auth.notification_settings", "GET"): SIGNED_IN_ONLY, ("auth.notification_settings", "POST"): SIGNED_IN_ONLY,
    # Everyone keeps their own API tokens; a token of someone else's is not found (tests/api).
    ("api_tokens.index", "GET"): SIGNED_IN_ONLY, ("api_tokens.create", "POST"): SIGNED_IN_ONLY,
    ("api_tokens.revoke", "POST"): SIGNED_IN_ONLY,
    ("candidate.enrol", "GET"): SIGNED_IN_ONLY, ("candidate.start_enrolment", "POST"): SIGNED_IN_ONLY,
    ("candidate.resources", "GET"): SIGNED_IN_ONLY,
    # Links for everyone are kept by service administrators (directors keep their organisation's);
    # the links are public to everyone signed in, so a refusal is a plain 403.
    ("candidate.add_resource", "POST"): rule((SERVICE_ADMINISTRATOR,), SIGNED_IN),
    ("candidate.archive_resource", "POST"): rule((SERVICE_ADMINISTRATOR,), SIGNED_IN),
    # Secret links: the token is the key, whoever holds it. An invitation is for the person it was
    # sent to: signed in as anyone else, the page says so (403) and accepting is refused.
    ("candidate.calendar", "GET"): PUBLIC,
    ("candidate.invitation", "GET"): rule((), SIGNED_IN, anonymous=OK),
    ("candidate.accept_invitation", "POST"): rule((), SIGNED_IN, anonymous=OK),

    # --- One enrolment: whoever holds a role for the candidate, and service administrators --------
    ("candidate.dashboard", "GET"): rule(SEES_ENROLMENT, cases=EVERY_PATHWAY),
    ("candidate.checklist", "GET"): rule(SEES_ENROLMENT, cases=EVERY_PATHWAY),
    ("candidate.facts", "GET"): ENROLMENT,
    ("candidate.credential_goal", "GET"): ENROLMENT,
    # Changing the record: each fact's owner (here the preliminary credential's issue date: the
    # candidate enters it, the analyst or HR records and confirms it); the goal, the candidate and director.
    ("candidate.credential_goal", "POST"): rule((CANDIDATE, Role.PROGRAM_DIRECTOR), SEES_ENROLMENT),
    ("candidate.record_fact", "POST"): rule((CANDIDATE, Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR), SEES_ENROLMENT),
    ("candidate.confirm_fact", "POST"): rule((Role.CREDENTIAL_ANALYST, Role.DISTRICT_HR), SEES_ENROLMENT),
    # A step is asked for by the roles its event names (induction's enrolment: the program director).
    ("candidate.ask_for_step", "POST"): rule((Role.PROGRAM_DIRECTOR,), SEES_ENROLMENT),
    # 409 "nothing to ask for" whenever the person may ask for none of the step's sign-offs.
    ("inbox.ask_for_signoffs", "POST"): ENROLMENT,
    ("candidate.team", "GET"): ENROLMENT,
    ("candidate.invite", "POST"): rule((CANDIDATE, Role.PROGRAM_DIRECTOR)),
    ("candidate.resend_invitation", "POST"): rule((CANDIDATE, Role.PROGRAM_DIRECTOR)),
    ("candidate.withdraw_invitation", "POST"): rule((CANDIDATE, Role.PROGRAM_DIRECTOR)),
    ("candidate.remove_member", "POST"): rule((CANDIDATE, Role.PROGRAM_DIRECTOR)),
    ("candidate.export", "GET"): ENROLMENT,
    ("candidate.export_summary", "GET"): rule((CANDIDATE, Role.PROGRAM_DIRECTOR), cases=EVERY_PATHWAY),
    ("candidate.export_evidence", "GET"): rule((CANDIDATE, Role.PROGRAM_DIRECTOR), cases=EVERY_PATHWAY),
    ("candidate.create_calendar_feed", "POST"): rule(TEAM, SEES_ENROLMENT),
    ("candidate.revoke_calendar_feed", "POST"): ENROLMENT,
    # Documents
    ("candidate.upload_evidence", "POST"): rule(
        (CANDIDATE, Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST, Role.PROGRAM_DIRECTOR,
         Role.PREP_PROGRAM_SUPPORT_PROVIDER, Role.SITE_ADMINISTRATOR), SEES_ENROLMENT),
    # Verify or send back: the credential analyst and the role the rule names (the mentor verifies the
    # ILP); a filed plan is hidden from whoever may not read it, like its download.
    ("candidate.decide_evidence", "POST"): rule(
        (Role.MENTOR,), (CANDIDATE, Role.PROGRAM_DIRECTOR), cases=("induction", "induction/document"),
        induction_document=rule((Role.CREDENTIAL_ANALYST,), TEAM)),  # service administrators read no documents
    ("candidate.download_evidence", "GET"): rule(
        (CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR), cases=("induction", "induction/document", "pip", "casc"),
        induction_document=rule(TEAM),
        pip=rule(PIP_PLAN_READERS), casc=rule(CASC_PLAN_READERS)),
    # Logs: the candidate keeps them, the named mentor or coach signs; notes are confidential.
    ("candidate.log_book", "GET"): rule(SEES_ENROLMENT, cases=KEEPS_PLANS_AND_NOTES),
    ("candidate.add_log", "POST"): rule(
        (CANDIDATE,), SEES_ENROLMENT, cases=KEEPS_PLANS_AND_NOTES,
        pip=rule((CANDIDATE, Role.MENTOR, Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST,
                  Role.PREP_PROGRAM_SUPPORT_PROVIDER), SEES_ENROLMENT)),
    # Several entries at once go through the same service check, so the same people as one entry.
    ("candidate.add_logs", "POST"): rule(
        (CANDIDATE,), SEES_ENROLMENT, cases=KEEPS_PLANS_AND_NOTES,
        pip=rule((CANDIDATE, Role.MENTOR, Role.SITE_ADMINISTRATOR, Role.DISTRICT_HR, Role.CREDENTIAL_ANALYST,
                  Role.PREP_PROGRAM_SUPPORT_PROVIDER), SEES_ENROLMENT)),
    ("candidate.sign_log", "POST"): rule(
        (Role.MENTOR,), SEES_ENROLMENT, cases=KEEPS_PLANS_AND_NOTES, casc=rule((Role.COACH,), SEES_ENROLMENT)),
    # Several at once (a week's, a month's, all waiting): the same people as one by one.
    # Whoever signs some kind of the pathway's logs (PIP: the support provider signs preservice hours).
    ("candidate.sign_logs", "POST"): rule(
        (Role.MENTOR,), SEES_ENROLMENT, cases=KEEPS_PLANS_AND_NOTES, casc=rule((Role.COACH,), SEES_ENROLMENT),
        pip=rule((Role.MENTOR, Role.PREP_PROGRAM_SUPPORT_PROVIDER), SEES_ENROLMENT)),
    ("candidate.meetings", "GET"): rule(SEES_ENROLMENT, cases=("pip",)),
    ("candidate.add_meeting", "POST"): rule(SEES_ENROLMENT, cases=("pip",)),
    # Those a review lists as present confirm it, in a role they hold (app/services/evidence/reviews.py).
    ("candidate.answer_attendance", "POST"): rule(SEES_ENROLMENT, cases=("pip",)),
    # Plans and self-assessments: the pathway's confidentiality table (app/policy.py).
    ("candidate.plans", "GET"): rule(SEES_ENROLMENT, cases=KEEPS_PLANS_AND_NOTES),
    ("candidate.plan", "GET"): rule(
        (CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR), cases=KEEPS_PLANS_AND_NOTES,
        pip=rule(PIP_PLAN_READERS), casc=rule(CASC_PLAN_READERS)),
    ("candidate.save_plan", "POST"): rule(
        (CANDIDATE, Role.MENTOR), (Role.PROGRAM_DIRECTOR,), cases=KEEPS_PLANS_AND_NOTES,
        pip=rule((CANDIDATE, Role.MENTOR), PIP_PLAN_READERS),
        casc=rule((CANDIDATE, Role.COACH), CASC_PLAN_READERS)),
    ("candidate.submit_plan", "POST"): rule(
        (CANDIDATE,), (Role.MENTOR, Role.PROGRAM_DIRECTOR), cases=KEEPS_PLANS_AND_NOTES,
        pip=rule((CANDIDATE,), PIP_PLAN_READERS), casc=rule((CANDIDATE,), CASC_PLAN_READERS)),
    ("candidate.self_assessments", "GET"): rule(
        (CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR), cases=KEEPS_PLANS_AND_NOTES,
        pip=rule(), casc=rule((CANDIDATE, Role.COACH, Role.PROGRAM_DIRECTOR))),
    ("candidate.record_self_assessment", "POST"): rule(
        (CANDIDATE,), (Role.MENTOR, Role.PROGRAM_DIRECTOR), cases=KEEPS_PLANS_AND_NOTES,
        pip=rule(), casc=rule((CANDIDATE,), (Role.COACH, Role.PROGRAM_DIRECTOR))),
    # Induction support records (workflows/induction/support.py): the candidate, mentor and program
    # director read them (the mentor's feedback not the candidate) and each records their own kinds;
    # evaluators and everyone else get the answer a missing page gets; other pathways keep none.
    ("candidate.support", "GET"): rule(
        (CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR), cases=("induction", "pip", "casc"), pip=rule(), casc=rule()),
    ("candidate.record_support", "POST"): rule(
        (CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR), cases=("induction", "pip", "casc"), pip=rule(), casc=rule()),

    # --- Inbox: people holding an approving role anywhere; each task for those who may work it --
    ("inbox.index", "GET"): rule(APPROVERS),
    ("inbox.bulk_approve", "POST"): rule(APPROVERS),
    ("inbox.bulk_result", "GET"): rule(APPROVERS),
    # Deciding from the queue: the same answers as the enrolment's own document and log routes.
    ("inbox.decide_evidence", "POST"): rule(
        (Role.MENTOR,), (CANDIDATE, Role.PROGRAM_DIRECTOR), cases=("induction", "induction/document"),
        induction_document=rule((Role.CREDENTIAL_ANALYST,), TEAM)),
    ("inbox.preview_evidence", "GET"): rule(
        (CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR), cases=("induction", "induction/document", "pip", "casc"),
        induction_document=rule(TEAM), pip=rule(PIP_PLAN_READERS), casc=rule(CASC_PLAN_READERS)),
    # A page of it as an image: the same readers (tried on the filed plans, PDFs that have pages to draw).
    ("inbox.preview_page", "GET"): rule(
        (CANDIDATE, Role.MENTOR, Role.PROGRAM_DIRECTOR), cases=("induction", "pip", "casc"),
        pip=rule(PIP_PLAN_READERS), casc=rule(CASC_PLAN_READERS)),
    ("inbox.sign_log", "POST"): rule(
        (Role.MENTOR,), SEES_ENROLMENT, cases=KEEPS_PLANS_AND_NOTES, casc=rule((Role.COACH,), SEES_ENROLMENT)),
    ("inbox.sign_logs", "POST"): rule(
        (Role.MENTOR,), SEES_ENROLMENT, cases=KEEPS_PLANS_AND_NOTES, casc=rule((Role.COACH,), SEES_ENROLMENT),
        pip=rule((Role.MENTOR, Role.PREP_PROGRAM_SUPPORT_PROVIDER), SEES_ENROLMENT)),
    ("inbox.delegation_list", "GET"): rule(APPROVERS),
    ("inbox.create_delegation", "POST"): rule(APPROVERS),
    ("inbox.revoke_delegation", "POST"): rule((Role.SITE_ADMINISTRATOR,), cases=("pip",)),
    # A task (here the site administrator's): its role holder works it; the program director oversees
    # it (reads, comments, reopens); unclaiming what one did not claim is a 409.
    ("inbox.task", "GET"): rule((Role.SITE_ADMINISTRATOR, Role.PROGRAM_DIRECTOR), cases=("pip",)),
    # Sent in this order (approve before claim): a refusal is measured before the task changes hands.
    ("inbox.comment", "POST"): rule((Role.SITE_ADMINISTRATOR, Role.PROGRAM_DIRECTOR), cases=("pip",)),
    **{(f"inbox.{action}", "POST"): rule((Role.SITE_ADMINISTRATOR,), (Role.PROGRAM_DIRECTOR,), cases=("pip",))
       for action in ("approve", "claim")},
    ("inbox.unclaim", "POST"): rule((Role.SITE_ADMINISTRATOR, Role.PROGRAM_DIRECTOR), cases=("pip",)),
    ("inbox.undo", "POST"): rule((Role.SITE_ADMINISTRATOR,), (Role.PROGRAM_DIRECTOR,), cases=("pip",)),
    ("inbox.reopen", "POST"): rule((Role.PROGRAM_DIRECTOR,), (Role.SITE_ADMINISTRATOR,), cases=("pip",)),
    ("inbox.send_back", "POST"): rule((Role.DISTRICT_HR,), (Role.PROGRAM_DIRECTOR,), cases=("pip",)),
    ("inbox.panel", "GET"): rule((Role.PANEL_MEMBER, Role.COACH, Role.PROGRAM_DIRECTOR), cases=("casc",)),
    ("inbox.vote", "POST"): rule((Role.PANEL_MEMBER, Role.COACH, Role.PROGRAM_DIRECTOR), cases=("casc",)),
    ("inbox.panel_setup", "GET"): rule((Role.PROGRAM_DIRECTOR,), cases=("casc",)),
    ("inbox.create_panel", "POST"): rule((Role.PROGRAM_DIRECTOR,), cases=("casc",)),

    # --- Programs: its director, credential analysts and district HR; 403 for a lacking permission
    # The index lists the programs one holds a program-wide role on; the preparation program's support
    # provider is listed there for the PIP recommendations page (services/programs/directory.py).
    # A service administrator is sent on to the organisations, where programs are set up.
    ("director.index", "GET"): rule(PROGRAM_VIEWERS | {Role.PREP_PROGRAM_SUPPORT_PROVIDER, SERVICE_ADMINISTRATOR}
                                    | {f"other_{n}" for n in PROGRAM_VIEWERS | {Role.PREP_PROGRAM_SUPPORT_PROVIDER}}),
    **{(f"director.{page}", "GET"): rule(PROGRAM_VIEWERS, cases=("casc",))
       for page in ("cohort_dashboard", "candidates", "candidates_csv", "at_risk", "pacing", "assignments_page",
                    "recommendations")},
    ("director.accreditation_page", "GET"): rule(
        (Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST), PROGRAM_VIEWERS, cases=("casc",)),
    ("director.accreditation_csv", "GET"): rule(
        (Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST), PROGRAM_VIEWERS, cases=("casc",)),
    **{(f"director.{action}", method): rule((Role.PROGRAM_DIRECTOR, Role.DISTRICT_HR), PROGRAM_VIEWERS,
                                            cases=("casc",))
       for action, method in (("assign", "POST"), ("assign_many", "POST"), ("remind", "POST"), ("assign_from_at_risk", "GET"), ("roster", "GET"),
                              ("roster_template", "GET"),
                              ("roster_preview", "POST"), ("roster_import", "POST"))},
    # Confirming or ending a mentor's assignment: whoever grants mentors (the program director).
    ("director.confirm", "POST"): rule((Role.PROGRAM_DIRECTOR,), PROGRAM_VIEWERS, cases=("casc",)),
    ("director.revoke", "POST"): rule((Role.PROGRAM_DIRECTOR,), PROGRAM_VIEWERS, cases=("casc",)),
    ("director.settings", "GET"): rule((Role.PROGRAM_DIRECTOR,), PROGRAM_VIEWERS, cases=("casc",)),
    ("director.settings", "POST"): rule((Role.PROGRAM_DIRECTOR,), PROGRAM_VIEWERS, cases=("casc",)),
    ("director.calendar", "GET"): rule((Role.PROGRAM_DIRECTOR,), PROGRAM_VIEWERS, cases=("casc",)),
    ("director.calendar", "POST"): rule((Role.PROGRAM_DIRECTOR,), PROGRAM_VIEWERS, cases=("casc",)),
    ("director.submit_recommendations", "POST"): rule((Role.PROGRAM_DIRECTOR,), PROGRAM_VIEWERS, cases=("casc",)),
    ("director.packet", "GET"): rule(
        (Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST), PROGRAM_VIEWERS, cases=("casc",)),
    ("director.follow", "POST"): rule(
        (Role.PROGRAM_DIRECTOR, Role.CREDENTIAL_ANALYST), PROGRAM_VIEWERS, cases=("casc",)),

    # --- Setting up organisations and programs: service administrators; 404 to everyone else ---
    **{(f"organisations.{name}", method): rule((SERVICE_ADMINISTRATOR,))
       for name, method in (("index", "GET"), ("new", "GET"), ("new", "POST"), ("show", "GET"), ("edit", "GET"),
                            ("edit", "POST"), ("archive", "POST"), ("new_program", "GET"), ("new_program", "POST"),
                            ("edit_program", "GET"), ("edit_program", "POST"), ("archive_program", "POST"))},
    # Staff pages: the organisation's to its administrators and organisation-wide HR (who see, and may
    # give nothing: 403); a program's also to its directors, who give its panel, provider and pool.
    ("organisations.staff_page", "GET"): rule((SERVICE_ADMINISTRATOR, Role.DISTRICT_HR)),
    ("organisations.program_staff", "GET"): rule((SERVICE_ADMINISTRATOR, Role.PROGRAM_DIRECTOR, Role.DISTRICT_HR)),
    ("organisations.add", "POST"): rule((SERVICE_ADMINISTRATOR,), (Role.DISTRICT_HR,)),
    ("organisations.add_to_program", "POST"): rule((SERVICE_ADMINISTRATOR, Role.PROGRAM_DIRECTOR),
                                                   (Role.DISTRICT_HR,)),
    **{(f"organisations.{name}", "POST"): rule((SERVICE_ADMINISTRATOR,), (Role.DISTRICT_HR,))
       for name in ("revoke", "withdraw", "deactivate")},
    # Importing staff from a spreadsheet: service administrators (404 to HR, who gives no roles).
    **{(f"organisations.{name}", method): rule((SERVICE_ADMINISTRATOR,))
       for name, method in (("staff_import_page", "GET"), ("staff_template", "GET"),
                            ("staff_import_preview", "POST"), ("staff_import_apply", "POST"))},
    # A staff invitation's link, like a team invitation's: for the person it was sent to.
    ("organisations.join", "GET"): rule((), SIGNED_IN, anonymous=OK),
    ("organisations.accept", "POST"): rule((), SIGNED_IN, anonymous=OK),

    # --- Service administration: the pages say who they are for (403), nothing personal to hide --
    **{(f"admin.{name}", method): rule((SERVICE_ADMINISTRATOR,), SIGNED_IN)
       for name, method in (("failed_jobs", "GET"), ("retry_message", "POST"), ("resend_notification", "POST"),
                            ("app_clock", "GET"), ("move_clock", "POST"), ("sign_on_settings", "GET"),
                            ("sign_on_organisation", "GET"), ("sign_on_organisation", "POST"),
                            ("try_sign_on", "POST"))},
    # Without REDIS_URL (the matrix's setting) there is no RQ queue: 404 says so, to its administrators too.
    ("admin.requeue_job", "POST"): rule((), SIGNED_IN - {SERVICE_ADMINISTRATOR}),
}

# The JSON API (/api/v1) authenticates by bearer token, not by the browser's session: the same
# policy answers through the same services, and tests/api checks it (no record of one candidate
# reachable by another; every operation fuzzed from the OpenAPI document).
BEARER_PREFIX = "api."
