"""Remembered reads (app/reads.py) and the case file built on them: each question asked once, and
never an answer the session could no longer see (a write to its table, a pending change, a new
transaction)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event, update
from sqlmodel import Session, select

from app import policy
from app.demo.walker import pdf_bytes
from app.models import Evidence, LogEntry, Membership, OutboxMessage, User, utcnow
from app.reads import remembered
from app.services.enrollments import case_file
from app.services.enrollments.facts import build_facts, build_many
from app.services.evidence import documents, filing
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import make_user
from workflows.facts import Count, EvidenceKind
from workflows.roles import Role


class Asked:
    """A read of the people that counts how often it really runs."""

    def __init__(self, session: Session) -> None:
        self.session, self.times = session, 0

    def __call__(self) -> object:
        self.times += 1
        return [u.email for u in self.session.exec(select(User).order_by(User.id)).all()]


def _statements(session: Session) -> list[str]:
    seen: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_an_answer_is_read_once_and_kept_across_writes_to_other_tables(app: Flask, session: Session) -> None:
    make_user(session)
    asked = Asked(session)
    assert remembered(session, "k", asked, ("membership",)) == ["ana@example.org"]
    assert remembered(session, "k", asked, ("membership",)) == ["ana@example.org"]
    assert asked.times == 1
    session.add(OutboxMessage(job="email.test", payload={}, dedupe_key="reads-1"))
    session.flush()  # another table
    remembered(session, "k", asked, ("membership",))
    assert asked.times == 1


def test_a_flush_or_a_bulk_statement_on_its_table_forgets_it(app: Flask, session: Session) -> None:
    person = make_user(session)
    asked = Asked(session)
    remembered(session, "k", asked, ("user",))
    person.name = "Ana María Ruiz"
    session.add(person)
    session.flush()
    remembered(session, "k", asked, ("user",))
    assert asked.times == 2
    session.execute(update(User).where(User.id == person.id).values(name="Ana Ruiz"))
    remembered(session, "k", asked, ("user",))
    assert asked.times == 3


def test_commit_and_rollback_forget_everything(app: Flask, session: Session) -> None:
    make_user(session)
    asked = Asked(session)
    remembered(session, "k", asked, ("user",))
    session.commit()
    remembered(session, "k", asked, ("user",))
    session.rollback()
    remembered(session, "k", asked, ("user",))
    assert asked.times == 3


def test_a_change_waiting_to_be_flushed_is_seen(app: Flask, session: Session) -> None:
    person = make_user(session)
    before = policy.memberships_of(session, person)
    session.add(Membership(user_id=person.id, role=Role.SERVICE_ADMINISTRATOR.value))  # not flushed
    after = policy.memberships_of(session, person)
    assert before == [] and [m.role for m in after] == [Role.SERVICE_ADMINISTRATOR.value]
    assert policy.is_service_administrator(session, person)


def test_the_enrolment_page_reads_each_part_of_the_case_file_once(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    enrollment = driver.refresh()
    session.commit()
    statements = _statements(session)
    first = build_facts(session, enrollment)
    asked = len(statements)
    assert asked > 0
    # The facts again, the live documents, and the whole file: nothing more is asked.
    assert build_facts(session, enrollment) == first
    documents.current(session, enrollment)
    file = case_file.of(session, enrollment)
    file.team, file.moves, file.marks, file.signed_logs  # noqa: B018
    assert len(statements) == asked


def test_a_new_upload_is_in_the_facts_the_moment_it_is_filed(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction")
    enrollment = driver.refresh()
    assert EvidenceKind.ILP not in build_facts(session, enrollment).evidence
    with app.app_context():
        filing.submit(session, enrollment, EvidenceKind.ILP.value, "ilp.pdf", pdf_bytes("ilp"),
                      driver.person(Role.CANDIDATE))
    # Not flushed yet: the read flushes it first, as autoflush would.
    facts = build_facts(session, enrollment)
    assert facts.evidence[EvidenceKind.ILP] == "submitted"
    assert [d.kind for d in case_file.of(session, enrollment).documents] == [EvidenceKind.ILP.value]


def test_a_signed_hour_counts_at_once_and_one_file_gives_what_a_cabinet_gives(app: Flask, session: Session) -> None:
    driver = PathwayDriver(app, session, "induction", enrolled_days_ago=40)
    other = PathwayDriver(app, session, "induction", enrolled_days_ago=40)
    enrollment = driver.refresh()
    before = build_facts(session, enrollment)
    session.add(LogEntry(enrollment_id=enrollment.id, kind="mentoring", occurred_on=before.today, hours=2.0,  # type: ignore[arg-type]
                         author_id=driver.person(Role.CANDIDATE).id, signer_id=driver.person(Role.MENTOR).id,
                         signed_at=utcnow()))
    after = build_facts(session, enrollment)
    assert after.counts[Count.MENTORING_HOURS] == before.counts[Count.MENTORING_HOURS] + 2.0
    both = [enrollment, other.refresh()]
    assert build_many(session, both) == {e.id: build_facts(session, e) for e in both}


def test_no_evidence_row_leaks_between_enrolments(app: Flask, session: Session) -> None:
    driver, other = PathwayDriver(app, session, "induction"), PathwayDriver(app, session, "induction")
    person = make_user(session, "analyst@example.org", "An Analyst")
    session.add(Evidence(enrollment_id=other.enrollment.id, kind=EvidenceKind.ILP.value, version=1,  # type: ignore[arg-type]
                         status="submitted", original_filename="a.pdf", stored_name="x", sha256="0" * 64,
                         size_bytes=1, content_type="application/pdf", uploaded_by_id=person.id))
    assert case_file.of(session, driver.refresh()).documents == []
    assert [d.enrollment_id for d in case_file.of(session, other.refresh()).documents] == [other.enrollment.id]
