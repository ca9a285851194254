"""Every fact a rule reads has an owner and a screen: candidates claim, owners confirm, directors carry on past late windows."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, FactRecord, Membership
from app.services.enrollments import recorded_facts
from app.services.enrollments.fact_registry import BY_NAME, DERIVED, FACTS, specs_for
from app.services.enrollments.facts import build_facts
from app.services.evidence import documents, filing
from app.services.programs import accreditation, cohort
from tests.app.director_fixtures import post, ready_casc
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.conftest import csrf_token, signed_in
from tests.today import TODAY
from workflows.facts import Flag, KeyDate
from workflows.induction import rules as induction_rules
from workflows.pip import rules as pip_rules
from workflows.registry import CURRENT_VERSION, definition
from workflows.roles import Role
from workflows.rules import RuleStatus


def _facts_read_by_rules() -> dict[str, set[str]]:
    read: dict[str, set[str]] = {}
    for pathway, version in CURRENT_VERSION.items():
        for spec in definition(pathway, version).events.values():
            for rule in spec.rules:
                for key in (rule.key_date, rule.count, rule.flag, rule.waiver):
                    if key is not None:
                        read.setdefault(key.value, set()).add(str(pathway))
    return read


def test_every_fact_a_rule_reads_has_a_writer_in_the_product_or_is_derived() -> None:
    derived = {key.value for key in DERIVED}
    orphans = {fact: pathways for fact, pathways in _facts_read_by_rules().items()
               if fact not in derived and not (fact in BY_NAME and all(BY_NAME[fact].applies_to(p) for p in pathways))}
    assert orphans == {}
    assert all(spec.owners and Role.CANDIDATE not in spec.owners for spec in FACTS)


def _fact_page(app: Flask, driver: PathwayDriver, role: Role):  # type: ignore[no-untyped-def]
    client = signed_in(app, driver.person(role).email)
    return client, f"/enrollments/{driver.enrollment.id}/facts"


def record(app: Flask, driver: PathwayDriver, role: Role, name: str, value: str, reason: str = ""):  # type: ignore[no-untyped-def]
    client, page = _fact_page(app, driver, role)
    return post(client, page, f"{page}/{name}", {"value": value, "reason": reason})


def test_a_date_the_candidate_enters_waits_for_the_analyst_then_counts(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    issued = TODAY - timedelta(days=20)
    assert record(app, driver, Role.CANDIDATE, "permit_issued_on", issued.isoformat()).status_code == 302
    facts = driver.facts()
    assert facts.date_of(KeyDate.PERMIT_ISSUED_ON) == issued and "permit_issued_on" in facts.claimed
    assert not pip_rules.PIP_PERMIT_ISSUED.check(facts)
    assert pip_rules.PIP_PERMIT_ISSUED.status(facts) is RuleStatus.AWAITING_CONFIRMATION
    assert "confirms it" in pip_rules.PIP_PERMIT_ISSUED.explain(facts)

    client, page = _fact_page(app, driver, Role.CREDENTIAL_ANALYST)
    text = client.get(page).get_data(as_text=True)
    assert "Waiting for confirmation" in text and "Confirm" in text
    assert post(client, page, f"{page}/permit_issued_on/confirm", {}).status_code == 302
    facts = driver.facts()
    assert "permit_issued_on" not in facts.claimed and pip_rules.PIP_PERMIT_ISSUED.check(facts)
    row = session.exec(select(FactRecord).where(FactRecord.name == "permit_issued_on")).one()
    assert row.status == "confirmed" and row.confirmed_by_id == driver.person(Role.CREDENTIAL_ANALYST).id
    actions = set(session.exec(select(AuditEvent.action).where(AuditEvent.enrollment_id == driver.enrollment.id)).all())
    assert {"enrollment.facts_recorded", "fact.confirmed"} <= actions


def test_a_candidate_cannot_change_a_confirmed_fact_nor_record_one_they_do_not_own(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    assert record(app, driver, Role.CREDENTIAL_ANALYST, "prior_emergency_permits", "2").status_code == 302
    refused = record(app, driver, Role.CANDIDATE, "prior_emergency_permits", "0")
    assert refused.status_code == 409 and "already recorded by the credential analyst" in refused.get_data(as_text=True)
    assert driver.refresh().prior_emergency_permits == 2
    assert record(app, driver, Role.CANDIDATE, "smc_already_met", "no").status_code == 403
    assert record(app, driver, Role.SITE_ADMINISTRATOR, "permit_issued_on", TODAY.isoformat()).status_code == 403
    assert record(app, driver, Role.MENTOR, "permit_issued_on", TODAY.isoformat()).status_code == 404
    assert driver.refresh().permit_issued_on is None


def test_bad_values_are_refused_with_the_reason_and_change_nothing(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    for name, value, words in (("teaching_years", "many", "must be a number"), ("teaching_years", "99", "between 0"),
                               ("preliminary_issued_on", "31/02/2024", "not a date"),
                               ("permit_issued_on", "2025-01-01", "not a fact of this pathway")):
        response = record(app, driver, Role.DISTRICT_HR, name, value)
        assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert driver.refresh().teaching_years is None and session.exec(select(FactRecord)).all() == []


def test_the_owner_of_every_pathway_fact_records_it_on_the_facts_page(app: Flask, session: Session) -> None:
    values = {"date": (TODAY - timedelta(days=30)).isoformat(), "number": "2", "flag": "yes"}
    for pathway in ("pip", "induction", "casc"):
        driver = PathwayDriver(app, session, pathway, enrolled_days_ago=5)
        for spec in specs_for(pathway):
            if spec.needs_reason or spec.key is KeyDate.ENROLLED_ON:
                continue
            owner = min(spec.owners)
            value = values[spec.kind]
            if spec.name.endswith("_expires_on"):
                value = (TODAY + timedelta(days=300)).isoformat()
            assert record(app, driver, owner, spec.name, value).status_code == 302, spec.name
        enrollment = driver.refresh()
        for spec in specs_for(pathway):
            if not spec.needs_reason and spec.kind != "flag" and spec.key is not KeyDate.ENROLLED_ON:
                assert getattr(enrollment, spec.name) is not None, spec.name
        assert build_facts(session, enrollment).claimed == frozenset()


def _late_mentor(app: Flask, session: Session) -> PathwayDriver:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=45)
    session.add(Membership(user_id=driver.person(Role.MENTOR).id, role=Role.MENTOR.value,
                           enrollment_id=driver.enrollment.id))
    session.commit()
    return driver


def test_a_late_mentor_is_recorded_and_the_director_lets_the_enrolment_carry_on_with_a_reason(app: Flask, session: Session) -> None:
    driver = _late_mentor(app, session)
    facts = driver.facts()
    assert induction_rules.IND_MENTOR_IN_TIME.is_late(facts) and not induction_rules.IND_MENTOR_IN_TIME.check(facts)
    client, page = _fact_page(app, driver, Role.PROGRAM_DIRECTOR)
    assert "Let the enrolment carry on" in client.get(page).get_data(as_text=True)
    no_reason = record(app, driver, Role.PROGRAM_DIRECTOR, "mentor_late_accepted", "yes")
    assert no_reason.status_code == 400 and "Say why" in no_reason.get_data(as_text=True)
    assert record(app, driver, Role.CANDIDATE, "mentor_late_accepted", "yes", "please").status_code == 403
    assert record(app, driver, Role.PROGRAM_DIRECTOR, "mentor_late_accepted", "yes",
                  "The district's mentor pool was empty until October.").status_code == 302
    facts = driver.facts()
    assert induction_rules.IND_MENTOR_IN_TIME.check(facts) and induction_rules.IND_MENTOR_IN_TIME.is_late(facts)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "enrollment.flag_set")).one()
    assert event.reason == "The district's mentor pool was empty until October."
    text = client.get(page).get_data(as_text=True)
    assert "Carrying on" in text and "mentor pool was empty" in text
    # The lateness stays visible for accreditation.
    with app.app_context():
        table = accreditation.evidence_table(session, driver.program, cohort.load(session, driver.program))
    header = list(table.header)
    assert "mentor_late" in header
    row = dict(zip(header, next(iter(table.values()))))
    assert row["mentor_late"] == "yes (carried on)"


def test_a_window_that_was_met_in_time_cannot_be_waived(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=5)
    session.add(Membership(user_id=driver.person(Role.MENTOR).id, role=Role.MENTOR.value,
                           enrollment_id=driver.enrollment.id))
    session.commit()
    refused = record(app, driver, Role.PROGRAM_DIRECTOR, "mentor_late_accepted", "yes", "just in case")
    assert refused.status_code == 409 and Flag.MENTOR_LATE_ACCEPTED.value not in driver.refresh().flags


def test_the_candidate_updates_the_credential_goal_and_the_dashboard_shows_it(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    client = signed_in(app, driver.candidate.email)
    page = f"/enrollments/{driver.enrollment.id}/goal"
    data = {"credential_sought": "Clear Multiple Subject Teaching Credential", "authorization": "English learners",
            "employer": "Valley Unified", "csrf_token": csrf_token(client, page)}
    assert client.post(page, data=data).status_code == 302
    enrollment = driver.refresh()
    assert (enrollment.credential_sought, enrollment.employer) == ("Clear Multiple Subject Teaching Credential", "Valley Unified")
    assert "Clear Multiple Subject Teaching Credential" in client.get(f"/enrollments/{driver.enrollment.id}").get_data(as_text=True)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "enrollment.goal_changed")).one()
    assert event.details["employer"] == {"from": "", "to": "Valley Unified"}
    long = client.post(page, data={**data, "employer": "x" * 201, "csrf_token": csrf_token(client, page)})
    assert long.status_code == 400 and driver.refresh().employer == "Valley Unified"
    mentor = signed_in(app, driver.person(Role.SITE_ADMINISTRATOR).email)
    assert mentor.post(page, data={**data, "csrf_token": csrf_token(mentor, page)}).status_code == 403


def test_a_recommendation_rechecks_the_experience_letter_replaced_after_ready(app: Flask, session: Session) -> None:
    driver = ready_casc(app, session)
    with app.app_context():
        filing.submit(session, driver.refresh(), "experience_letter", "letter-v2.pdf", pdf_bytes("v2"), driver.candidate)
        session.commit()
    client = signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email)
    page = f"/programs/{driver.program.id}/recommendations"
    response = post(client, page, page, {"enrollment_id": str(driver.enrollment.id), "attest": "yes",
                                        "attestation": "I attest that the candidate completed every requirement."})
    assert driver.refresh().state == "ready_for_recommendation"
    assert "letter" in response.get_data(as_text=True).lower()
    with app.app_context():
        current = documents.current(session, driver.enrollment)["experience_letter"]
        assert current.status == "submitted"


def test_a_proposed_mentor_counts_as_assigned_on_the_day_the_program_confirms(app: Flask, session: Session) -> None:
    from app.models import utcnow
    from app.services.team import members

    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=45)
    proposal = Membership(user_id=driver.person(Role.MENTOR).id, role=Role.VIEWER.value,
                          proposed_role=Role.MENTOR.value, enrollment_id=driver.enrollment.id,
                          created_at=utcnow() - timedelta(days=40))  # proposed in time, on day 5
    session.add(proposal)
    session.commit()
    with app.app_context():
        members.confirm(session, driver.refresh(), proposal, driver.person(Role.PROGRAM_DIRECTOR))
        session.commit()
        facts = build_facts(session, driver.refresh())
    assert facts.date_of(KeyDate.MENTOR_ASSIGNED_ON) == facts.today
    assert induction_rules.IND_MENTOR_IN_TIME.is_late(facts)


def test_a_fact_nobody_recorded_meets_no_rule_until_its_owner_records_it(app: Flask, session: Session) -> None:
    """PIP eligibility is not "Done" on "0 long-term emergency permits" nobody recorded, nor on a
    subject-matter competence nobody answered: each says who records it; once recorded, it counts."""
    driver = PathwayDriver(app, session, "pip")
    permits, smc = pip_rules.PIP_PRIOR_PERMITS_WITHIN_LIMIT, pip_rules.PIP_SMC_NOT_ALREADY_MET
    facts = driver.facts()
    for rule in (permits, smc):
        assert not rule.check(facts) and rule.status(facts) is RuleStatus.NOT_RECORDED
    assert "not recorded yet; your credential analyst or district HR records it" in permits.explain(facts)
    client, page = _fact_page(app, driver, Role.CREDENTIAL_ANALYST)
    text = client.get(page).get_data(as_text=True)
    assert "Subject-matter competence already met" in text and "Not recorded" in text

    assert record(app, driver, Role.CREDENTIAL_ANALYST, "prior_emergency_permits", "0").status_code == 302
    assert record(app, driver, Role.CREDENTIAL_ANALYST, "smc_already_met", "no").status_code == 302
    facts = driver.facts()
    assert permits.check(facts) and smc.check(facts)
    assert Flag.SMC_ALREADY_MET in facts.answered_no and Flag.SMC_ALREADY_MET not in facts.flags
    line = next(line for line in recorded_facts.lines(session, driver.refresh(), driver.person(Role.CREDENTIAL_ANALYST))
                if line.spec.name == "smc_already_met")
    assert line.status == "confirmed" and line.value is False
