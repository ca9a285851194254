"""The three pathways, end to end through the service: guarded, explained, audited, once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Enrollment, Evidence, SignOff
from app.services import Blocked, Conflict, NotPermitted, PathwayError
from app.services.enrollments import pathways
from app.services.evidence import filing as evidence
from tests.app.pathway_driver import PathwayDriver, at, pdf_bytes
from workflows.roles import Role

JOURNEYS = {
    "pip": [("start_screening", Role.DISTRICT_HR), ("confirm_eligibility", Role.CREDENTIAL_ANALYST),
            ("request_permit", Role.CREDENTIAL_ANALYST), ("permit_issued", Role.CREDENTIAL_ANALYST),
            ("establish_plan", Role.CANDIDATE), ("declare_intern_ready", Role.CANDIDATE),
            ("recommend", Role.PREP_PROGRAM_SUPPORT_PROVIDER), ("credential_issued", Role.CREDENTIAL_ANALYST)],
    "induction": [("enrol", Role.PROGRAM_DIRECTOR), ("assign_mentor", Role.PROGRAM_DIRECTOR),
                  ("set_ilp_goals", Role.CANDIDATE), ("begin_year1", Role.CANDIDATE),
                  ("complete_year1", Role.PROGRAM_DIRECTOR), ("begin_year2", Role.CANDIDATE),
                  ("request_completion_review", Role.CANDIDATE), ("pass_completion_review", Role.PROGRAM_DIRECTOR),
                  ("recommend", Role.CREDENTIAL_ANALYST), ("credential_issued", Role.CREDENTIAL_ANALYST)],
    "casc": [("verify_employment", Role.DISTRICT_HR), ("admit", Role.PROGRAM_DIRECTOR),
             ("start_year1", Role.CANDIDATE), ("complete_year1", Role.PROGRAM_DIRECTOR),
             ("start_year2", Role.CANDIDATE), ("complete_year2", Role.CANDIDATE),
             ("pass_exit_interview", Role.PROGRAM_DIRECTOR), ("recommend", Role.PROGRAM_DIRECTOR),
             ("credential_issued", Role.CREDENTIAL_ANALYST)],
}
SUCCESS = {"pip": "intern_credential_issued", "induction": "clear_credential_issued", "casc": "casc_issued"}


@pytest.mark.parametrize("pathway", sorted(JOURNEYS))
def test_each_pathway_runs_from_start_to_its_credential(app: Flask, session: Session, pathway: str) -> None:
    driver = PathwayDriver(app, session, pathway)
    first_event = JOURNEYS[pathway][0][0]
    assert driver.unmet(first_event), "a new enrolment should not advance before any evidence exists"
    for event, role in JOURNEYS[pathway]:
        transition = driver.advance(event, role)
        assert transition.event == event
    assert driver.refresh().state == SUCCESS[pathway]

    trail = session.exec(select(AuditEvent).where(AuditEvent.enrollment_id == driver.enrollment.id,
                                                  AuditEvent.action == "enrollment.transition")
                         .order_by(AuditEvent.id)).all()
    assert [a.event for a in trail] == [event for event, _ in JOURNEYS[pathway]]
    assert trail[-1].to_state == SUCCESS[pathway]
    # Each transition names the verified documents it relied on, by SHA-256.
    verified = {e.sha256 for e in session.exec(select(Evidence).where(Evidence.enrollment_id == driver.enrollment.id))}
    assert trail[-1].details["evidence"] and set(trail[-1].details["evidence"].values()) <= verified
    assert all(a.details["pathway_version"] == 1 for a in trail)


def test_a_blocked_step_lists_every_unmet_rule_and_changes_nothing(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    version = driver.enrollment.version_id
    with pytest.raises(Blocked) as blocked:
        driver.fire("start_screening", Role.DISTRICT_HR)
    assert blocked.value.status == 422
    assert blocked.value.reasons == [
        "Your district HR uploads the records of its diligent search for a credentialed teacher."]
    enrollment = driver.refresh()
    assert (enrollment.state, enrollment.version_id) == ("vacancy_search", version)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "enrollment.transition")).all() == []


def test_a_step_needing_several_things_names_them_all(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    for event, role in JOURNEYS["pip"][:5]:
        driver.advance(event, role)
    unmet = driver.unmet("declare_intern_ready")
    assert len(unmet) >= 10  # action plan, reviews, SMC, constitution, basic skills, clearance...
    with pytest.raises(Blocked) as blocked:
        driver.fire("declare_intern_ready", Role.CANDIDATE)
    assert len(blocked.value.reasons) == len(unmet)
    assert any("0 of 3" in reason for reason in blocked.value.reasons)  # reviews held so far
    assert all(rule.source and rule.clears for rule in unmet)


def test_a_step_not_offered_from_here_is_a_conflict(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc")
    with pytest.raises(Conflict) as conflict:
        driver.fire("recommend", Role.PROGRAM_DIRECTOR)
    assert conflict.value.status == 409
    assert "pasc or coe held" in conflict.value.message


def test_someone_without_the_role_cannot_ask_for_a_step(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc")
    driver.satisfy("verify_employment")
    with pytest.raises(NotPermitted) as refused:
        driver.fire("verify_employment", Role.MENTOR)
    assert refused.value.status == 403
    assert driver.refresh().state == "pasc_or_coe_held"


def test_a_person_may_not_fire_an_automatic_step(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    for event, role in JOURNEYS["pip"][:4]:
        driver.advance(event, role)
    with pytest.raises(NotPermitted):
        driver.fire("expire_permit", Role.CREDENTIAL_ANALYST)


def test_the_permit_expires_on_its_date_and_not_before(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    for event, role in JOURNEYS["pip"][:4]:
        driver.advance(event, role)
    issued = driver.refresh().permit_issued_on
    expiry = issued.replace(year=issued.year + 1)
    with app.app_context():
        with pytest.raises(Blocked):
            pathways.apply_event(session, driver.enrollment.id, "expire_permit", None, now=at(expiry - timedelta(days=1)))
        transition = pathways.apply_event(session, driver.enrollment.id, "expire_permit", None, now=at(expiry))
    assert transition.to_state == "pip_expired_not_ready"
    audit = session.get(AuditEvent, transition.audit_event_id)
    assert audit.actor_id is None  # the system did it


def test_a_stale_page_gets_a_conflict(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    opened_at = driver.enrollment.version_id
    driver.advance("start_screening", Role.DISTRICT_HR)
    driver.satisfy("confirm_eligibility")
    with pytest.raises(Conflict):
        driver.fire("confirm_eligibility", Role.CREDENTIAL_ANALYST, expected_version=opened_at)


def test_replacing_evidence_withdraws_the_signoffs_that_saw_it(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    for event, role in JOURNEYS["pip"][:4]:
        driver.advance(event, role)
    driver.satisfy("establish_plan")
    live = session.exec(select(SignOff).where(SignOff.withdrawn_at.is_(None))).all()
    assert {s.role for s in live} == {"site_administrator", "district_hr"}
    assert all("personalized_plan" in s.evidence_hashes for s in live)

    with app.app_context():
        evidence.submit(session, driver.refresh(), "personalized_plan", "plan-v2.pdf", pdf_bytes("plan v2"),
                        driver.candidate)
        session.commit()
    assert session.exec(select(SignOff).where(SignOff.withdrawn_at.is_(None))).all() == []
    reasons = " ".join(driver.unmet("establish_plan")[i].key for i in range(len(driver.unmet("establish_plan"))))
    assert "plan" in reasons
    withdrawals = session.exec(select(AuditEvent).where(AuditEvent.action == "signoff.withdrawn")).all()
    assert len(withdrawals) == 2


def test_an_enrolment_in_an_unknown_state_is_reported_not_crashed(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    session.exec(select(Enrollment)).first()
    enrollment = driver.refresh()
    enrollment.state = "no_such_state"
    session.add(enrollment)
    session.commit()
    with pytest.raises(PathwayError, match="a step this pathway does not know"):
        driver.fire("enrol", Role.PROGRAM_DIRECTOR)


def test_concurrent_requests_for_one_step_apply_it_once(app: Flask, session: Session) -> None:
    """Two people press the same button at the same moment, on two real connections."""
    driver = PathwayDriver(app, session, "casc")
    driver.satisfy("verify_employment")
    hr, analyst = driver.people[Role.DISTRICT_HR], driver.people[Role.CREDENTIAL_ANALYST]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(person) -> None:  # type: ignore[no-untyped-def]
        with app.app_context(), Session(app.extensions["db_engine"], expire_on_commit=False) as own:
            barrier.wait()
            try:
                pathways.apply_event(own, driver.enrollment.id, "verify_employment", own.merge(person))
                outcomes.append("applied")
            except Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=press, args=(p,)) for p in (hr, analyst)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["applied", "conflict"]
    assert driver.refresh().state == "admin_employed"
    trail = session.exec(select(AuditEvent).where(AuditEvent.action == "enrollment.transition")).all()
    assert len(trail) == 1
