"""Sign-off tasks through the service: queued when a step is asked for, decided once, bound to evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Membership, SignOff, SignOffTask, User, utcnow
from app.services import Blocked, NotPermitted, PathwayError
from app.services.evidence import documents, filing
from app.services.signoffs import deciding, pending, queueing, reopening
from app.services.team import accounts
from tests.app import notify_factories as f
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from workflows.roles import Role

# Steps taken before the one whose sign-offs a test asks for.
BEFORE = {
    "pip": [("start_screening", Role.DISTRICT_HR), ("confirm_eligibility", Role.CREDENTIAL_ANALYST),
            ("request_permit", Role.CREDENTIAL_ANALYST), ("permit_issued", Role.CREDENTIAL_ANALYST)],
    "induction": [("enrol", Role.PROGRAM_DIRECTOR), ("assign_mentor", Role.PROGRAM_DIRECTOR),
                  ("set_ilp_goals", Role.CANDIDATE), ("begin_year1", Role.CANDIDATE)],
    "casc": [("verify_employment", Role.DISTRICT_HR)],
}
# The step, who asks for it, and the state it leads to.
STEP = {"pip": ("establish_plan", Role.CANDIDATE, "plan_established"),
        "induction": ("complete_year1", Role.PROGRAM_DIRECTOR, "year1_complete"),
        "casc": ("admit", Role.PROGRAM_DIRECTOR, "admitted")}


def satisfy_all_but_signoffs(driver: PathwayDriver, event: str) -> None:
    """Record everything the step needs except its sign-offs."""
    with driver.app.app_context():
        walker = driver.walker()
        for _ in range(3):
            for rule in walker.unmet(event):
                if rule.signoff is None:
                    walker.make_true(rule)


def ask(driver: PathwayDriver, event: str, role: Role) -> list[SignOffTask]:
    """Ask for a step that waits only on sign-offs; returns the open tasks it queued."""
    with pytest.raises(Blocked):
        driver.fire(event, role)
    return open_tasks(driver)


def open_tasks(driver: PathwayDriver) -> list[SignOffTask]:
    driver.session.expire_all()
    return list(driver.session.exec(select(SignOffTask).where(SignOffTask.enrollment_id == driver.enrollment.id,
                                                              SignOffTask.status == "open")
                                    .order_by(SignOffTask.role)).all())


def waiting_on_signoffs(app: Flask, session: Session, pathway: str) -> tuple[PathwayDriver, list[SignOffTask]]:
    """A candidate whose next step waits only on sign-offs, with the tasks asked for."""
    driver = PathwayDriver(app, session, pathway)
    for event, role in BEFORE[pathway]:
        driver.advance(event, role)
    event, role, _ = STEP[pathway]
    satisfy_all_but_signoffs(driver, event)
    return driver, ask(driver, event, role)


def approve(driver: PathwayDriver, task: SignOffTask, as_user: User, **kwargs) -> deciding.Decision:  # type: ignore[no-untyped-def]
    with driver.app.app_context():
        return deciding.approve(driver.session, task.id, as_user, **kwargs)  # type: ignore[arg-type]


def send_back(driver: PathwayDriver, task: SignOffTask, as_user: User, reason: str) -> deciding.Decision:
    with driver.app.app_context():
        return deciding.send_back(driver.session, task.id, as_user, reason)  # type: ignore[arg-type]


def audit(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all())


def test_asking_for_a_step_queues_one_task_per_missing_sign_off_once(app: Flask, session: Session) -> None:
    driver, tasks = waiting_on_signoffs(app, session, "pip")
    assert [(t.key, t.role, t.event) for t in tasks] == [
        ("plan_established", "district_hr", "establish_plan"),
        ("plan_established", "site_administrator", "establish_plan")]
    today = driver.facts().today
    assert all(t.due_on == today + timedelta(days=7) for t in tasks)  # signoff_due_days
    assert "Personalized Plan" in tasks[0].what
    assert ask(driver, "establish_plan", Role.CANDIDATE) == tasks  # asking again queues nothing new
    assert len(audit(session, "task.queued")) == 2
    subjects = [" ".join(m["Subject"].split()) for m in f.folder_mail(app)
                if m["To"] == driver.people[Role.SITE_ADMINISTRATOR].email]
    assert subjects == ["Action needed: Plan established sign-off (site administrator) for Candidate"]


def test_a_settings_due_date_is_honoured(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "casc", settings={"signoff_due_days": 3})
    driver.advance("verify_employment", Role.DISTRICT_HR)
    satisfy_all_but_signoffs(driver, "admit")
    [task] = ask(driver, "admit", Role.PROGRAM_DIRECTOR)
    assert task.due_on == driver.facts().today + timedelta(days=3)


@pytest.mark.parametrize("pathway", sorted(STEP))
def test_the_last_sign_off_fires_the_step_by_itself(app: Flask, session: Session, pathway: str) -> None:
    driver, tasks = waiting_on_signoffs(app, session, pathway)
    *first, last = tasks
    for task in first:  # parallel sign-offs: the earlier ones change nothing yet
        assert approve(driver, task, driver.person(Role(task.role))).transition_to is None
        assert driver.refresh().state == driver.enrollment.state
    decision = approve(driver, last, driver.person(Role(last.role)))
    assert decision.transition_to == STEP[pathway][2]
    assert driver.refresh().state == STEP[pathway][2]
    [transition] = [a for a in audit(session, "enrollment.transition") if a.event == STEP[pathway][0]]
    assert transition.actor_id == driver.person(Role(last.role)).id
    assert transition.details["completed_by"] == "sign-off" and transition.details["task"] == last.id
    assert any("Your pathway moved on" in m["Subject"] for m in f.folder_mail(app) if m["To"] == driver.candidate.email)
    signoffs = session.exec(select(SignOff).where(SignOff.enrollment_id == driver.enrollment.id)).all()
    assert {(s.key, s.role) for s in signoffs} == {(t.key, t.role) for t in tasks}


def test_a_double_approve_records_one_decision(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    director = driver.person(Role.PROGRAM_DIRECTOR)
    approve(driver, task, director)
    with pytest.raises(deciding.AlreadyDecided) as again:
        approve(driver, task, director)
    assert again.value.status == 409 and "Already decided" in again.value.message
    assert len(session.exec(select(SignOff)).all()) == 1
    assert len(audit(session, "task.approved")) == 1


def test_a_decision_from_a_stale_page_loses_to_the_first(app: Flask, session: Session) -> None:
    """Two sessions loaded the open task; the second decision finds it decided (no threads needed)."""
    driver, [_hr_task, site_task] = waiting_on_signoffs(app, session, "pip")
    other_site_admin = accounts.create_user(session, "second.site@example.org", "Second Site", "correct horse battery")
    session.add(Membership(user_id=other_site_admin.id, role="site_administrator", enrollment_id=driver.enrollment.id))
    session.commit()
    with Session(app.extensions["db_engine"], expire_on_commit=False) as stale:
        assert stale.get(SignOffTask, site_task.id).status == "open"  # type: ignore[union-attr]
        approve(driver, site_task, driver.person(Role.SITE_ADMINISTRATOR))
        with app.app_context(), pytest.raises(deciding.AlreadyDecided):
            deciding.send_back(stale, site_task.id, stale.merge(other_site_admin), "Wrong plan")  # type: ignore[arg-type]
    assert session.get(SignOffTask, site_task.id, populate_existing=True).status == "approved"  # type: ignore[union-attr]
    assert audit(session, "task.sent_back") == []


def test_sending_back_needs_a_reason_and_the_candidate_sees_it(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    director = driver.person(Role.PROGRAM_DIRECTOR)
    with pytest.raises(PathwayError) as refused:
        send_back(driver, task, director, "   ")
    assert refused.value.status == 400
    assert session.get(SignOffTask, task.id, populate_existing=True).status == "open"  # type: ignore[union-attr]

    send_back(driver, task, director, "The admission date is wrong.")
    view = pending.for_enrollment(session, driver.enrollment)
    assert [(t.id, t.reason, name) for t, name in view.sent_back] == [(task.id, "The admission date is wrong.", director.name)]
    assert view.pending == []
    mail = [m for m in f.folder_mail(app) if m["To"] == driver.candidate.email and m["Subject"].startswith("Sent back")]
    assert len(mail) == 1 and "admission date is wrong" in mail[0].get_body(("plain",)).get_content()
    with pytest.raises(deciding.AlreadyDecided):
        approve(driver, task, director)  # a send-back racing an approve: the approve loses

    [again] = ask(driver, "admit", Role.PROGRAM_DIRECTOR)  # asking again asks for the sign-off anew
    assert again.id != task.id
    assert pending.for_enrollment(session, driver.enrollment).sent_back == []


def test_changed_evidence_withdraws_the_sign_off_and_queues_a_new_task(app: Flask, session: Session) -> None:
    driver, [_hr_task, site_task] = waiting_on_signoffs(app, session, "pip")
    approve(driver, site_task, driver.person(Role.SITE_ADMINISTRATOR))
    given = session.exec(select(SignOff)).one()
    assert set(given.evidence_hashes) == {"personalized_plan"}

    with app.app_context():
        filing.submit(session, driver.refresh(), "personalized_plan", "plan-v2.pdf", pdf_bytes("plan v2"),
                        driver.candidate)
        session.commit()
    session.expire_all()
    assert session.get(SignOff, given.id).withdrawn_at is not None  # type: ignore[union-attr]
    assert session.get(SignOffTask, site_task.id).status == "withdrawn"  # type: ignore[union-attr]
    [withdrawn] = audit(session, "signoff.withdrawn")
    assert withdrawn.details["sha256"] == given.evidence_hashes["personalized_plan"]
    # The new version is not verified yet: no task is queued that nobody could act on.
    assert queueing.open_task(session, driver.enrollment.id, "plan_established", "site_administrator") is None  # type: ignore[arg-type]
    with app.app_context():
        new = documents.current(session, driver.enrollment)["personalized_plan"]
        filing.decide(session, new, driver.person(Role.CREDENTIAL_ANALYST), verified=True)
        session.commit()
    replacement = queueing.open_task(session, driver.enrollment.id, "plan_established", "site_administrator")  # type: ignore[arg-type]
    assert replacement is not None and replacement.replaces_id == site_task.id
    assert approve(driver, replacement, driver.person(Role.SITE_ADMINISTRATOR)).signoff is not None


def test_nobody_signs_off_a_document_they_uploaded(app: Flask, session: Session) -> None:
    driver, [hr_task, _] = waiting_on_signoffs(app, session, "pip")
    hr = driver.person(Role.DISTRICT_HR)
    with app.app_context():
        row = filing.submit(session, driver.refresh(), "personalized_plan", "plan-hr.pdf", pdf_bytes("by hr"), hr)
        session.flush()
        documents.decide(session, row, driver.person(Role.CREDENTIAL_ANALYST), verified=True)
        session.commit()
    with pytest.raises(Blocked) as blocked:
        approve(driver, hr_task, hr)
    assert any("nobody signs off their own evidence" in r for r in blocked.value.reasons)
    assert session.exec(select(SignOff)).all() == []


def test_bulk_approve_approves_what_passes_and_lists_the_rest_with_reasons(app: Flask, session: Session) -> None:
    casc, [admit_task] = waiting_on_signoffs(app, session, "casc")
    pip = PathwayDriver(app, session, "pip")
    for event, role in BEFORE["pip"]:
        pip.advance(event, role)
    satisfy_all_but_signoffs(pip, "establish_plan")
    pip_tasks = ask(pip, "establish_plan", Role.CANDIDATE)
    with app.app_context():  # a new version of the plan, not verified yet: the HR task's checks fail
        filing.submit(session, pip.refresh(), "personalized_plan", "plan-v2.pdf", pdf_bytes("v2"), pip.candidate)
        session.commit()
    # One person holding both roles, to select tasks of both enrolments at once.
    director = casc.person(Role.PROGRAM_DIRECTOR)
    session.add(Membership(user_id=director.id, role="district_hr", enrollment_id=pip.enrollment.id))
    session.commit()
    hr_task = next(t for t in pip_tasks if t.role == "district_hr")
    with app.app_context():
        result = deciding.bulk_approve(session, [admit_task.id, hr_task.id, 999999], director)  # type: ignore[list-item]
    assert [d.task.id for d in result.approved] == [admit_task.id]
    skipped = {s.task_id: s for s in result.skipped}
    assert set(skipped) == {hr_task.id, 999999}
    assert any("Personalized Plan" in r for r in skipped[hr_task.id].reasons)
    assert skipped[999999].reasons == ("You cannot work this task.",)
    assert session.get(SignOffTask, hr_task.id, populate_existing=True).status == "open"  # type: ignore[union-attr]


def test_the_approver_may_undo_within_the_window_and_not_after(app: Flask, session: Session) -> None:
    driver, [_hr_task, site_task] = waiting_on_signoffs(app, session, "pip")
    site = driver.person(Role.SITE_ADMINISTRATOR)
    decided = utcnow()
    approve(driver, site_task, site, now=decided)
    with app.app_context():
        with pytest.raises(NotPermitted):
            reopening.undo(session, site_task.id, driver.person(Role.DISTRICT_HR), now=decided)  # type: ignore[arg-type]
        replacement = reopening.undo(session, site_task.id, site, now=decided + timedelta(minutes=9))  # type: ignore[arg-type]
    assert session.exec(select(SignOff).where(SignOff.withdrawn_at.is_(None))).all() == []  # type: ignore[union-attr]
    assert session.get(SignOffTask, site_task.id, populate_existing=True).status == "withdrawn"  # type: ignore[union-attr]
    assert replacement.status == "open" and replacement.replaces_id == site_task.id and replacement.claimed_by_id == site.id
    assert len(audit(session, "task.undone")) == 1

    later = utcnow()
    approve(driver, replacement, site, now=later)
    with app.app_context(), pytest.raises(reopening.TooLate) as too_late:
        reopening.undo(session, replacement.id, site, now=later + timedelta(minutes=11))  # type: ignore[arg-type]
    assert "program director" in too_late.value.message
    assert session.get(SignOffTask, replacement.id, populate_existing=True).status == "approved"  # type: ignore[union-attr]


def test_no_undo_once_the_step_moved_on_but_a_director_may_reopen_with_a_reason(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    director = driver.person(Role.PROGRAM_DIRECTOR)
    assert approve(driver, task, director).transition_to == "admitted"
    with app.app_context():
        with pytest.raises(reopening.TooLate, match="moved on"):
            reopening.undo(session, task.id, director)  # type: ignore[arg-type]
        with pytest.raises(NotPermitted):
            reopening.reopen(session, task.id, driver.person(Role.CREDENTIAL_ANALYST), "mistake")  # type: ignore[arg-type]
        with pytest.raises(PathwayError) as no_reason:
            reopening.reopen(session, task.id, director, " ")  # type: ignore[arg-type]
        assert no_reason.value.status == 400
        reopening.reopen(session, task.id, director, "Admitted on the wrong cohort.")  # type: ignore[arg-type]
    assert session.get(SignOffTask, task.id, populate_existing=True).status == "withdrawn"  # type: ignore[union-attr]
    [reopened] = audit(session, "task.reopened")
    assert reopened.reason == "Admitted on the wrong cohort."
    assert session.exec(select(SignOff).where(SignOff.withdrawn_at.is_(None))).all() == []  # type: ignore[union-attr]


def test_a_sequential_sign_off_asks_the_next_role_only_after_the_first(app: Flask, session: Session) -> None:
    """Early Completion: district HR (the employer) first, then the program director."""
    driver = PathwayDriver(app, session, "induction")
    for event, role in BEFORE["induction"][:3] + [("apply_eco", Role.CANDIDATE)]:
        driver.advance(event, role)
    satisfy_all_but_signoffs(driver, "approve_eco")
    [hr_task] = ask(driver, "approve_eco", Role.PROGRAM_DIRECTOR)
    assert hr_task.role == "district_hr"
    approve(driver, hr_task, driver.person(Role.DISTRICT_HR))
    [director_task] = open_tasks(driver)
    assert director_task.role == "program_director"
    assert approve(driver, director_task, driver.person(Role.PROGRAM_DIRECTOR)).transition_to == "eco_active"


def test_a_sign_off_given_outside_the_inbox_settles_its_task(app: Flask, session: Session) -> None:
    driver, [task] = waiting_on_signoffs(app, session, "casc")
    driver.satisfy("admit")  # the walker gives the director's sign-off directly
    assert session.get(SignOffTask, task.id, populate_existing=True).status == "approved"  # type: ignore[union-attr]
    assert open_tasks(driver) == []


def test_a_sign_off_waits_for_its_documents_and_is_queued_once_they_are_verified(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    for event, role in BEFORE["pip"]:
        driver.advance(event, role)
    with app.app_context():  # the plan is filed but nobody has verified it
        filing.submit(session, driver.refresh(), "personalized_plan", "plan.pdf", pdf_bytes("plan"), driver.candidate)
        session.commit()
    assert ask(driver, "establish_plan", Role.CANDIDATE) == []  # nothing anybody could sign yet
    [asked] = audit(session, "step.asked")
    assert asked.event == "establish_plan" and asked.actor_id == driver.candidate.id
    with app.app_context():
        plan = documents.current(session, driver.enrollment)["personalized_plan"]
        filing.decide(session, plan, driver.person(Role.CREDENTIAL_ANALYST), verified=True)
        session.commit()
    assert sorted(t.role for t in open_tasks(driver)) == ["district_hr", "site_administrator"]


def test_verifying_a_document_queues_nothing_for_a_step_nobody_asked_for(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "pip")
    for event, role in BEFORE["pip"]:
        driver.advance(event, role)
    with app.app_context():
        row = filing.submit(session, driver.refresh(), "personalized_plan", "plan.pdf", pdf_bytes("plan"),
                            driver.candidate)
        session.flush()
        filing.decide(session, row, driver.person(Role.CREDENTIAL_ANALYST), verified=True)
        session.commit()
    assert open_tasks(driver) == []


def test_a_task_whose_document_was_replaced_is_not_overdue_and_never_escalates(app: Flask, session: Session) -> None:
    from app.services.signoffs.escalation import escalate_overdue
    from tests.app.pathway_driver import at

    driver, [hr_task, _] = waiting_on_signoffs(app, session, "pip")
    with app.app_context():
        filing.submit(session, driver.refresh(), "personalized_plan", "plan-v2.pdf", pdf_bytes("v2"), driver.candidate)
        session.commit()
        later = at(hr_task.due_on + timedelta(days=5))  # type: ignore[operator]
        assert escalate_overdue(session, later) == 0
        session.commit()
    assert session.get(SignOffTask, hr_task.id, populate_existing=True).escalated_at is None  # type: ignore[union-attr]
