"""List endpoints filter and page in the database in a stable order; the event feed pages by cursor and shows
only what its holder may see; a database outage under /api/ is a problem+json 503 like every other error."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.models import AuditEvent, Membership
from app.services.enrollments import pathways
from app.services.evidence import filing
from app.services.team import accounts
from tests.api.helpers import api_as
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.today import TODAY
from workflows.roles import Role

PROBLEM = "application/problem+json"


def _classmates(app: Flask, session: Session, driver: PathwayDriver, count: int) -> list[int]:
    ids = []
    with app.app_context():
        for n in range(count):
            person = accounts.create_user(session, f"mate{n}-{driver.enrollment.id}@example.org", f"Mate {n}",
                                          "correct horse battery")
            ids.append(pathways.enroll(session, person, driver.program, TODAY - timedelta(days=3), person).id)
    session.commit()
    return ids  # type: ignore[return-value]


def _with_mentor(session: Session, driver: PathwayDriver) -> PathwayDriver:
    session.add(Membership(user_id=driver.person(Role.MENTOR).id, role=Role.MENTOR.value,
                           enrollment_id=driver.enrollment.id))
    session.commit()
    return driver


def _statements(app: Flask) -> list[str]:
    seen: list[str] = []

    @event.listens_for(app.extensions["db_engine"], "before_cursor_execute")
    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    return seen


def test_enrolments_are_filtered_and_paged_in_the_database(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    director = api_as(app, session, driver.person(Role.PROGRAM_DIRECTOR))
    director.get("/me")  # (the token's first use is stamped; the next within the minute is not)
    statements = _statements(app)
    small = director.get("/enrollments", query_string={"limit": 2}).json
    few = len(statements)
    ids = [driver.enrollment.id, *_classmates(app, session, driver, 6)]
    statements.clear()
    first = director.get("/enrollments", query_string={"limit": 2}).json
    # The same statements however many enrolments: the page is cut by the database, not in Python.
    assert len(statements) == few and any("LIMIT" in s.upper() for s in statements)
    assert small["page"]["total"] == 1 and first["page"]["total"] == 7  # type: ignore[index]
    pages = [director.get("/enrollments", query_string={"limit": 3, "page": n}).json["items"] for n in (1, 2, 3)]  # type: ignore[index]
    assert [e["id"] for page in pages for e in page] == sorted(ids)  # stable, by id, nothing twice
    assert director.get("/enrollments", query_string={"mine": "true"}).json["items"] == []  # type: ignore[index]
    assert director.get("/enrollments", query_string={"pathway": "pip"}).json["page"]["total"] == 0  # type: ignore[index]
    state = driver.refresh().state
    assert director.get("/enrollments", query_string={"state": state}).json["page"]["total"] == 7  # type: ignore[index]
    assert director.get("/enrollments", query_string={"state": "nowhere"}).json["items"] == []  # type: ignore[index]
    assert director.get("/enrollments", query_string={"program_id": driver.program.id + 1000}).json["items"] == []  # type: ignore[index]
    candidate = api_as(app, session, driver.candidate)
    assert [e["id"] for e in candidate.get("/enrollments").json["items"]] == [driver.enrollment.id]  # type: ignore[index]


def test_every_list_filter_is_in_the_openapi_document(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").json

    def names(path: str) -> set[str]:
        return {p["name"] for p in document["paths"][path]["get"]["parameters"] if p["in"] == "query"}  # type: ignore[index]
    assert {"pathway", "program_id", "state", "mine", "page", "limit"} <= names("/api/v1/enrollments")
    assert {"tab", "pathway", "program_id", "enrollment_id", "due_before", "overdue", "page", "limit"} <= names("/api/v1/tasks")
    assert {"kind", "signed", "since", "page", "limit"} <= names("/api/v1/enrollments/{enrollment_id}/logs")
    assert {"status", "enrollment_id", "page", "limit"} <= names("/api/v1/programs/{program_id}/recommendations")
    assert {"cursor", "limit", "enrollment_id", "action"} <= names("/api/v1/events")
    limit = next(p for p in document["paths"]["/api/v1/tasks"]["get"]["parameters"] if p["name"] == "limit")  # type: ignore[index]
    assert limit["schema"]["maximum"] == 100


def test_logs_are_filtered_and_paged_in_the_database(app: Flask, session: Session) -> None:
    driver = _with_mentor(session, PathwayDriver(app, session, "induction"))
    candidate = api_as(app, session, driver.candidate)
    mentor = driver.person(Role.MENTOR)
    today = driver.facts().today
    for days in range(5):
        made = candidate.post(f"/enrollments/{driver.enrollment.id}/logs", json={
            "kind": "mentoring", "occurred_on": (today - timedelta(days=days)).isoformat(), "hours": 1,
            "notes": f"week {days}", "signer_id": mentor.id})
        assert made.status_code == 201, made.json
    base = f"/enrollments/{driver.enrollment.id}/logs"
    pages = [candidate.get(base, query_string={"limit": 2, "page": n}).json for n in (1, 2, 3)]
    assert [p["page"]["total"] for p in pages] == [5, 5, 5]  # type: ignore[index]
    dates = [e["occurred_on"] for p in pages for e in p["items"]]  # type: ignore[index]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == 5
    since = (today - timedelta(days=1)).isoformat()
    assert candidate.get(base, query_string={"since": since}).json["page"]["total"] == 2  # type: ignore[index]
    assert candidate.get(base, query_string={"signed": "true"}).json["page"]["total"] == 0  # type: ignore[index]
    assert candidate.get(base, query_string={"kind": "coaching"}).json["items"] == []  # type: ignore[index]


def test_the_feed_pages_by_cursor_and_shows_only_what_its_holder_may_see(app: Flask, session: Session) -> None:
    driver = _with_mentor(session, PathwayDriver(app, session, "induction"))
    other = _with_mentor(session, PathwayDriver(app, session, "induction"))
    with app.app_context():
        filing.submit(session, driver.refresh(), "ilp", "ilp.pdf", pdf_bytes("ILP"), driver.candidate)
        session.add(AuditEvent(actor_id=driver.candidate.id, enrollment_id=driver.enrollment.id,
                               action="plan.saved", reason="Confidential goal walrus", details={"plan": "ilp"}))
        session.commit()
    mentor = api_as(app, session, driver.person(Role.MENTOR))
    site = api_as(app, session, driver.person(Role.SITE_ADMINISTRATOR))

    # The mentor reads the ILP: its upload is in their feed, one page at a time, never twice.
    seen, cursor = [], None
    for _ in range(20):
        page = mentor.get("/events", query_string={"limit": 1, **({"cursor": cursor} if cursor else {})}).json
        seen += page["items"]  # type: ignore[index]
        cursor = page["next_cursor"]  # type: ignore[index]
        if not page["has_more"]:  # type: ignore[index]
            break
    ids = [e["id"] for e in seen]
    assert ids == sorted(set(ids)) and {e["enrollment_id"] for e in seen} == {driver.enrollment.id}
    assert "evidence.submitted" in {e["action"] for e in seen}
    assert "plan.saved" not in {e["action"] for e in seen}  # plans stay on their pages
    assert all(set(e) == {"id", "occurred_at", "enrollment_id", "action", "actor_id", "event", "from_state", "to_state"}
               for e in seen)  # no reasons, comments or details
    # Polling with the last cursor: nothing new yet, and the cursor is kept.
    later = mentor.get("/events", query_string={"cursor": cursor}).json
    assert later["items"] == [] and later["next_cursor"] == cursor  # type: ignore[index]

    # The site administrator may not read the ILP (CTC: never for evaluation): its upload is not in their feed.
    theirs = site.get("/events", query_string={"limit": 100}).json["items"]  # type: ignore[index]
    assert theirs and "evidence.submitted" not in {e["action"] for e in theirs}
    assert {e["enrollment_id"] for e in theirs} == {driver.enrollment.id}
    # Another candidate's events are never in anyone else's feed.
    assert all(e["enrollment_id"] != other.enrollment.id for e in theirs + seen)
    assert site.get("/events", query_string={"enrollment_id": other.enrollment.id}).json["items"] == []  # type: ignore[index]
    assert site.get("/events", query_string={"cursor": "abc"}).status_code == 422
    only = mentor.get("/events", query_string={"action": "enrollment.created", "limit": 100}).json["items"]  # type: ignore[index]
    assert [e["action"] for e in only] == ["enrollment.created"]


def test_a_database_outage_under_the_api_is_a_problem_json_503(app: Flask, session: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services.team import api_tokens

    driver = PathwayDriver(app, session, "induction")
    api = api_as(app, session, driver.candidate)

    def down(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(api_tokens, "authenticate", down)
    answer = api.get("/me")
    assert answer.status_code == 503 and answer.content_type == PROBLEM
    assert answer.json["type"].endswith("/unavailable") and answer.json["status"] == 503  # type: ignore[index]
    assert answer.headers["Retry-After"].isdigit()
    from redis.exceptions import ConnectionError as RedisDown

    def redis_down(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RedisDown("Redis is gone")

    monkeypatch.setattr(api_tokens, "authenticate", redis_down)
    answer = api.get("/me")
    assert answer.status_code == 503 and answer.json["type"].endswith("/unavailable")  # type: ignore[index]
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "nothing")).all() == []
