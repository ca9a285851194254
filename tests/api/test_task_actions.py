"""Working a sign-off task over the API beyond approving: hand back, comment, undo, reopen, stale versions;
and the inbox tabs filtered and paged in the database."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, Membership, SignOff, SignOffTask, TaskComment
from tests.api.helpers import api_as
from tests.app.signoffs.test_tasks import waiting_on_signoffs
from workflows.roles import Role

PROBLEM = "application/problem+json"


def test_claim_hand_back_and_comment_with_stale_versions_refused(app: Flask, session: Session) -> None:
    driver, tasks = waiting_on_signoffs(app, session, "pip")
    task = next(t for t in tasks if t.role == Role.SITE_ADMINISTRATOR.value)
    site = api_as(app, session, driver.person(Role.SITE_ADMINISTRATOR))
    hr = api_as(app, session, driver.person(Role.DISTRICT_HR))
    read = site.get(f"/tasks/{task.id}").json
    stale = site.post(f"/tasks/{task.id}/claim", json={"expected_version": read["version"] + 1})  # type: ignore[index]
    assert stale.status_code == 409 and stale.content_type == PROBLEM and stale.json["type"].endswith("/conflict")  # type: ignore[index]
    claimed = site.post(f"/tasks/{task.id}/claim", json={"expected_version": read["version"]})  # type: ignore[index]
    assert claimed.status_code == 200 and claimed.json["version"] > read["version"]  # type: ignore[index]
    # Handing back with the version read before the claim is stale; then without a body it goes.
    assert site.post(f"/tasks/{task.id}/unclaim", json={"expected_version": read["version"]}).status_code == 409  # type: ignore[index]
    back = site.client.post(f"/api/v1/tasks/{task.id}/unclaim", headers=site._headers())  # no body at all
    assert back.status_code == 200 and back.json["claimed_by_id"] is None  # type: ignore[index]
    assert site.post(f"/tasks/{task.id}/unclaim").status_code == 409  # not claimed by me any more

    said = site.post(f"/tasks/{task.id}/comments", json={"body": "Plan looks complete; checking dates."})
    assert said.status_code == 201 and said.json["author_id"] == driver.person(Role.SITE_ADMINISTRATOR).id  # type: ignore[index]
    assert site.post(f"/tasks/{task.id}/comments", json={"body": ""}).status_code == 422
    listed = site.get(f"/tasks/{task.id}/comments").json["items"]  # type: ignore[index]
    assert [c["body"] for c in listed] == ["Plan looks complete; checking dates."]
    # Someone who may not see the task neither reads nor writes its comments.
    other_hr_task = next(t for t in tasks if t.role == Role.DISTRICT_HR.value)
    candidate = api_as(app, session, driver.candidate)
    assert candidate.get(f"/tasks/{task.id}/comments").status_code == 404  # the task page is the approver's
    assert hr.get(f"/tasks/{other_hr_task.id}/comments").status_code == 200
    outsider = api_as(app, session, driver.person(Role.MENTOR))
    assert outsider.post(f"/tasks/{task.id}/comments", json={"body": "x"}).status_code == 404
    assert len(session.exec(select(TaskComment)).all()) == 1

    # Approving with a stale version changes nothing.
    version = site.get(f"/tasks/{task.id}").json["version"]  # type: ignore[index]
    assert site.post(f"/tasks/{task.id}/approve", json={"expected_version": version - 1}).status_code == 409
    session.expire_all()
    assert session.get(SignOffTask, task.id).status == "open"  # type: ignore[union-attr]
    assert site.post(f"/tasks/{task.id}/send-back", json={"reason": "Dates", "expected_version": version + 3}
                     ).status_code == 409


def test_undo_within_the_window_then_only_the_director_reopens_with_a_reason(app: Flask, session: Session) -> None:
    driver, tasks = waiting_on_signoffs(app, session, "pip")
    task = next(t for t in tasks if t.role == Role.SITE_ADMINISTRATOR.value)
    site = api_as(app, session, driver.person(Role.SITE_ADMINISTRATOR))
    director = api_as(app, session, driver.person(Role.PROGRAM_DIRECTOR))
    assert site.post(f"/tasks/{task.id}/undo").status_code == 409  # nothing decided yet
    assert site.post(f"/tasks/{task.id}/approve", json={}).status_code == 200
    undone = site.post(f"/tasks/{task.id}/undo")
    assert undone.status_code == 200, undone.json
    assert undone.json["task"]["status"] == "withdrawn"  # type: ignore[index]
    replacement = undone.json["replacement"]  # type: ignore[index]
    assert replacement["status"] == "open" and replacement["claimed_by_id"] == driver.person(Role.SITE_ADMINISTRATOR).id
    session.expire_all()
    assert session.exec(select(SignOff).where(SignOff.withdrawn_at.is_(None), SignOff.role == task.role)).all() == []  # type: ignore[union-attr]

    assert site.post(f"/tasks/{replacement['id']}/approve", json={}).status_code == 200
    # Past the undo window the approver cannot take it back; the director reopens it, with a reason.
    app.config["CLOCK_OFFSET_SECONDS"] += 24 * 3600
    late = site.post(f"/tasks/{replacement['id']}/undo")
    assert late.status_code == 409 and "program director can reopen" in late.json["detail"]  # type: ignore[index]
    assert site.post(f"/tasks/{replacement['id']}/reopen", json={"reason": "Mine"}).status_code == 403
    assert director.post(f"/tasks/{replacement['id']}/reopen", json={"reason": ""}).status_code == 422
    reopened = director.post(f"/tasks/{replacement['id']}/reopen", json={"reason": "Dates in the plan were wrong"})
    assert reopened.status_code == 200 and reopened.json["task"]["status"] == "withdrawn"  # type: ignore[index]
    assert reopened.json["replacement"]["status"] == "open"  # type: ignore[index]
    actions = [a for a in session.exec(select(AuditEvent).where(AuditEvent.action.in_(  # type: ignore[attr-defined]
        ["task.undone", "task.reopened"])).order_by(AuditEvent.id)).all()]
    assert [a.action for a in actions] == ["task.undone", "task.reopened"]
    assert actions[1].reason == "Dates in the plan were wrong" and actions[1].actor_id == driver.person(Role.PROGRAM_DIRECTOR).id
    assert director.post(f"/tasks/{replacement['id']}/reopen", json={"reason": "again"}).status_code == 409


def test_the_inbox_tabs_are_filtered_and_paged_in_a_stable_order(app: Flask, session: Session) -> None:
    drivers = [waiting_on_signoffs(app, session, "pip") for _ in range(3)]
    person = drivers[0][0].person(Role.DISTRICT_HR)
    for driver, _ in drivers[1:]:  # HR for all three districts
        session.add(Membership(user_id=person.id, role=Role.DISTRICT_HR.value,
                               organisation_id=driver.program.organisation_id))
    session.commit()
    hr = api_as(app, session, person)
    ids = [t.id for _, tasks in drivers for t in tasks if t.role == Role.DISTRICT_HR.value]
    whole = hr.get("/tasks", query_string={"tab": "unclaimed", "limit": 100}).json
    assert whole["page"]["total"] == len(whole["items"])  # type: ignore[index]
    mine = {t["id"] for t in whole["items"]}  # type: ignore[index]
    assert set(ids) <= mine
    pages = [hr.get("/tasks", query_string={"tab": "unclaimed", "limit": 1, "page": n}).json for n in (1, 2, 3)]
    assert [p["page"]["total"] for p in pages] == [whole["page"]["total"]] * 3  # type: ignore[index]
    assert [p["items"][0]["id"] for p in pages] == [t["id"] for t in whole["items"][:3]]  # type: ignore[index]
    one = hr.get("/tasks", query_string={"tab": "unclaimed", "enrollment_id": drivers[1][0].enrollment.id}).json
    assert {t["enrollment_id"] for t in one["items"]} == {drivers[1][0].enrollment.id}  # type: ignore[index]
    assert hr.get("/tasks", query_string={"tab": "unclaimed", "pathway": "casc"}).json["items"] == []  # type: ignore[index]
    assert hr.get("/tasks", query_string={"tab": "unclaimed", "overdue": "true"}).json["items"] == []  # type: ignore[index]
    assert hr.get("/tasks", query_string={"limit": 101}).status_code == 422  # the maximum
    # Claimed moves it to "mine"; decided, to "done".
    hr.post(f"/tasks/{ids[0]}/claim")
    assert [t["id"] for t in hr.get("/tasks").json["items"]] == [ids[0]]  # type: ignore[index]
    hr.post(f"/tasks/{ids[0]}/approve", json={})
    assert [t["id"] for t in hr.get("/tasks", query_string={"tab": "done"}).json["items"]] == [ids[0]]  # type: ignore[index]
    # The site administrator of one candidate sees only that candidate's task; the other HR, only theirs.
    site = api_as(app, session, drivers[2][0].person(Role.SITE_ADMINISTRATOR))
    theirs = site.get("/tasks", query_string={"tab": "unclaimed"}).json["items"]  # type: ignore[index]
    assert [(t["enrollment_id"], t["role"]) for t in theirs] == [(drivers[2][0].enrollment.id, "site_administrator")]
    other_hr = api_as(app, session, drivers[1][0].person(Role.DISTRICT_HR))
    assert [t["id"] for t in other_hr.get("/tasks", query_string={"tab": "unclaimed"}).json["items"]] == [ids[1]]  # type: ignore[index]


def test_nobody_outside_the_task_reaches_it_by_any_route(app: Flask, session: Session) -> None:
    driver, tasks = waiting_on_signoffs(app, session, "pip")
    elsewhere, _ = waiting_on_signoffs(app, session, "pip")
    task = next(t for t in tasks if t.role == Role.SITE_ADMINISTRATOR.value)
    def changes() -> int:  # audit events besides the tokens the test makes
        return len(session.exec(select(AuditEvent).where(AuditEvent.action.not_like("api_token.%"))).all())  # type: ignore[attr-defined]

    before = changes()
    for person in (elsewhere.candidate, elsewhere.person(Role.SITE_ADMINISTRATOR),
                   elsewhere.person(Role.PROGRAM_DIRECTOR), driver.candidate):
        api = api_as(app, session, person)
        assert api.get(f"/tasks/{task.id}").status_code == 404
        assert api.get(f"/tasks/{task.id}/comments").status_code == 404
        for action, body in (("claim", {}), ("unclaim", {}), ("approve", {}), ("send-back", {"reason": "x"}),
                             ("undo", {}), ("reopen", {"reason": "x"}), ("comments", {"body": "x"})):
            answer = api.post(f"/tasks/{task.id}/{action}", json=body)
            assert answer.status_code == 404 and answer.content_type == PROBLEM, (person.email, action)
    session.expire_all()
    assert session.get(SignOffTask, task.id).status == "open" and changes() == before  # type: ignore[union-attr]
    assert session.exec(select(TaskComment)).all() == []
