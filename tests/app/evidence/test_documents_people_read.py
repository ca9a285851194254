"""Documents people read: PDFs that print every name as typed, file names from the label, and a
preview of a document that any phone shows, under the download's access rules and audit."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from datetime import UTC, datetime

import pypdfium2 as pdfium
import pytest
from flask import Flask
from flask.testing import FlaskClient
from fpdf import FPDF
from sqlmodel import Session, select

from app.downloads import ascii_name, content_disposition
from app.models import AuditEvent, Evidence, PlanKind, Program
from app.services.evidence import filing, plan_document, plans, previews
from app.services.evidence.pdf_document import Document, Facts, Section, Table, render
from app.services.evidence.uploads import PDF, PNG, clean_filename
from tests.api.helpers import Api, token_for
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import Auth, csrf_token
from tests.today import TODAY
from workflows.facts import EvidenceKind
from workflows.roles import Role

HANG, LE = "Nguyễn Thị Bích Hằng", "Trần Văn Lễ"
WHEN = datetime(2027, 3, 2, 17, 30, tzinfo=UTC)


def lines(data: bytes) -> list[str]:
    return [line.strip() for line in previews.text_of(data).splitlines() if line.strip()]


# --- The renderer ---------------------------------------------------------------------------------

def test_the_pdf_says_vietnamese_names_exactly_as_typed() -> None:
    document = Document(HANG, WHEN, facts=(("Mentor", LE),), sections=(Section("Notes", (f"Met {LE}.",)),))
    assert lines(render(document))[:5] == [HANG, "Mentor", LE, "Notes", f"Met {LE}."]


def test_a_name_typed_with_combining_marks_prints_as_the_same_letters() -> None:
    typed = unicodedata.normalize("NFD", HANG)
    assert typed != HANG
    assert lines(render(Document(typed, WHEN)))[0] == HANG


def test_tables_keep_their_cells_and_long_text_wraps_within_the_page() -> None:
    table = Table(("Action", "Who is responsible", "Due date"),
                  ((f"Observe {LE}'s classroom " * 20, HANG, "2 March 2027"),), widths=(4, 2, 1))
    data = render(Document("Action Plan", WHEN, sections=(Section("Actions", (table, Facts((("Status", "Done"),)))),)))
    words = " ".join(lines(data))
    assert "Action Who is responsible Due date" in words and HANG in words and "Status Done" in words
    assert words.count(f"{LE}'s") == 20  # every word of the long cell is kept, none cut off the page
    document = pdfium.PdfDocument(data)
    assert len(document) == 1 and round(document[0].get_width()) == 612  # US Letter


def test_the_same_document_gives_the_same_bytes_and_its_date_is_its_own() -> None:
    document = Document("IIP 1", WHEN, facts=(("Candidate", HANG),))
    first, again = render(document), render(document)
    assert first == again
    assert render(Document("IIP 1", datetime(2027, 3, 3, tzinfo=UTC), facts=(("Candidate", HANG),))) != first
    assert b"/CreationDate (D:20270302173000Z" in first


# --- Plans ----------------------------------------------------------------------------------------

@pytest.fixture
def casc(app: Flask, session: Session) -> PathwayDriver:
    driver = PathwayDriver(app, session, "casc")
    driver.walker().assign(Role.COACH)
    driver.candidate.name = HANG
    session.add(driver.candidate)
    session.commit()
    return driver


def _share_iip(app: Flask, session: Session, driver: PathwayDriver) -> Evidence:
    goals = [{"standard": n, "goal": f"Goal on standard {n} with {LE}", "actions": "Walkthroughs"} for n in (1, 2, 3)]
    with app.app_context():
        plans.save(session, driver.refresh(), "iip1", driver.candidate, items=goals,
                   summary={"leadership_goal": "Lead learning"}, expected_revision=0)
        plans.submit(session, driver.refresh(), "iip1", driver.candidate)
        session.commit()
        return filing.current(session, driver.refresh())[EvidenceKind.IIP_1.value]


def test_a_shared_plan_prints_the_candidates_vietnamese_name_and_its_goals_by_standard(
        app: Flask, session: Session, casc: PathwayDriver) -> None:
    row = _share_iip(app, session, casc)
    with app.app_context():
        data = filing.documents.path_of(row).read_bytes()
    words = lines(data)
    assert words[0] == "IIP 1 (Year 1: CPSEL 1–3)"
    assert words[1:4] == ["Candidate", HANG, "Program"]
    assert "Revision 1, saved" in " ".join(words) and "Leadership goal" in words and "Lead learning" in words
    assert "Standard goals by standard" in words and "Standard Standard goals" in words
    text = " ".join(words)
    for n in (1, 2, 3):
        assert f"Goal on standard {n} with {LE}" in text
    assert "?" not in text  # nothing fell outside the font
    # The file is named from the label, in the reader's words.
    assert row.original_filename == f"{EvidenceKind.IIP_1.label}, revision 1.pdf"


def test_the_same_plan_revision_renders_the_bytes_its_sign_offs_bind_to(
        app: Flask, session: Session, casc: PathwayDriver) -> None:
    row = _share_iip(app, session, casc)
    enrollment = casc.refresh()
    with app.app_context():
        plan = plans.find(session, enrollment, PlanKind.IIP1.value)
        program = session.get(Program, enrollment.program_id)
        again = plan_document.plan_pdf(plans.SHAPES[PlanKind.IIP1], plan, HANG, program.name)  # type: ignore[arg-type,union-attr]
    assert hashlib.sha256(again).hexdigest() == row.sha256


def test_a_plan_of_actions_prints_as_a_table(app: Flask, session: Session) -> None:
    pip = PathwayDriver(app, session, "pip")
    pip.walker().assign(Role.MENTOR)
    session.commit()
    with app.app_context():
        plans.save(session, pip.refresh(), "pip_action", pip.candidate, items=[
            {"action": "Register for CSET II", "owner": LE, "due": TODAY.isoformat(), "done": "y"}],
            summary={}, expected_revision=0)
        plans.submit(session, pip.refresh(), "pip_action", pip.candidate)
        session.commit()
        row = filing.current(session, pip.refresh())[EvidenceKind.ACTION_PLAN.value]
        words = " ".join(lines(filing.documents.path_of(row).read_bytes()))
    assert "Action Who is responsible Due date Done" in words
    assert f"Register for CSET II {LE}" in words and f"{TODAY.year} Yes" in words


# --- File names -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "kept"), [
    ("IIP 1 (CPSEL 1–3), revision 2.pdf", "IIP 1 (CPSEL 1–3), revision 2.pdf"),
    (f"Thư của {HANG}.pdf", f"Thư của {HANG}.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\ana\\plan: final?.pdf", "plan_ final_.pdf"),
    ("evil\u202efdp.exe", "evilfdp.pdf"),  # a right-to-left override would disguise the extension
    ("tab\there\nnew\x00line.pdf", "tab here newline.pdf"),
    ("...", "document.pdf"),
])
def test_a_file_name_keeps_what_was_typed_less_paths_and_control_characters(typed: str, kept: str) -> None:
    assert clean_filename(typed, PDF) == kept


def test_downloads_name_the_file_in_utf8_with_a_close_ascii_fallback() -> None:
    assert content_disposition("IIP 1 (CPSEL 1–3), revision 2.pdf") == (
        "attachment; filename=\"IIP 1 (CPSEL 1-3), revision 2.pdf\"; "
        "filename*=UTF-8''IIP%201%20%28CPSEL%201%E2%80%933%29%2C%20revision%202.pdf")
    assert content_disposition("letter.pdf", inline=True) == 'inline; filename="letter.pdf"'
    assert ascii_name(f'{HANG} "final".pdf') == "Nguyen Thi Bich Hang 'final'.pdf"


def test_the_download_route_sends_the_name_as_typed(app: Flask, session: Session, client: FlaskClient,
                                                    casc: PathwayDriver) -> None:
    row = _share_iip(app, session, casc)
    Auth(client).sign_in(casc.person(Role.COACH).email)
    got = client.get(f"/enrollments/{casc.enrollment.id}/evidence/{row.id}")
    assert got.status_code == 200
    assert got.headers["Content-Disposition"] == content_disposition(row.original_filename)
    assert got.headers["Content-Disposition"].startswith('attachment; filename="IIP 1 (CPSEL 1-3), revision 1.pdf"')


# --- Previews -------------------------------------------------------------------------------------

def _pip_with_plan(app: Flask, session: Session) -> tuple[PathwayDriver, Evidence]:
    pip = PathwayDriver(app, session, "pip")
    pip.walker().assign(Role.MENTOR)
    pip.candidate.name = HANG
    session.add(pip.candidate)
    session.commit()
    with app.app_context():
        plans.save(session, pip.refresh(), "pip_personalized", pip.candidate, items=[
            {"gap": "CSET II", "action": f"Study group with {LE}", "owner": "Candidate", "due": TODAY.isoformat()}],
            summary={}, expected_revision=0)
        plans.submit(session, pip.refresh(), "pip_personalized", pip.candidate)
        session.commit()
        return pip, filing.current(session, pip.refresh())[EvidenceKind.PERSONALIZED_PLAN.value]


def _previews(session: Session, evidence: Evidence) -> list[AuditEvent]:
    session.expire_all()
    return [a for a in session.exec(select(AuditEvent).where(AuditEvent.action == "evidence.previewed")).all()
            if a.details.get("evidence_id") == evidence.id]


def test_a_reader_sees_the_pages_and_the_text_and_each_view_is_audited(app: Flask, session: Session,
                                                                       client: FlaskClient) -> None:
    pip, row = _pip_with_plan(app, session)
    mentor = pip.person(Role.MENTOR)
    Auth(client).sign_in(mentor.email)
    base = f"/inbox/enrollments/{pip.enrollment.id}/evidence/{row.id}/preview"
    page = client.get(base)
    html = " ".join(page.get_data(as_text=True).split())  # (a table cell's text may wrap onto lines)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert f'<img src="{base}/1.png"' in html and "Read the text" in html and "Open the whole document" in html
    assert HANG in html and f"Study group with {LE}" in html  # the text, extracted from the PDF
    image = client.get(f"{base}/1.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert client.get(f"{base}/2.png").status_code == 404  # a one-page plan has one page to draw
    audited = _previews(session, row)
    assert len(audited) == 2 and {a.actor_id for a in audited} == {mentor.id}
    assert all(a.enrollment_id == pip.enrollment.id for a in audited)


def test_who_may_not_download_the_document_may_not_preview_it(app: Flask, session: Session,
                                                              client: FlaskClient) -> None:
    pip, row = _pip_with_plan(app, session)
    base = f"/inbox/enrollments/{pip.enrollment.id}/evidence/{row.id}"
    # The panel member evaluates the candidate and does not read the PIP's plans: like the download, no document.
    Auth(client).sign_in(pip.person(Role.PANEL_MEMBER).email)
    assert client.get(f"/enrollments/{pip.enrollment.id}/evidence/{row.id}").status_code == 404
    assert client.get(f"{base}/preview").status_code == 404
    assert client.get(f"{base}/preview/1.png").status_code == 404
    assert _previews(session, row) == []


def test_a_damaged_or_locked_pdf_gets_a_plain_message_not_an_error(app: Flask, session: Session,
                                                                   client: FlaskClient) -> None:
    pip, _ = _pip_with_plan(app, session)
    locked = FPDF()
    locked.add_page()
    locked.set_encryption(owner_password="owner", user_password="secret")
    uploads = {"locked": bytes(locked.output()), "damaged": b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF\n"}
    rows = {}
    with app.app_context():
        for label, data in uploads.items():
            rows[label] = filing.submit(session, pip.refresh(), "cl_777" if label == "locked" else "recruitment_records",
                                        f"{label}.pdf", data, pip.candidate)
        session.commit()
    Auth(client).sign_in(pip.person(Role.MENTOR).email)
    for label, words in (("locked", "locked with a password"), ("damaged", "damaged or unreadable")):
        base = f"/inbox/enrollments/{pip.enrollment.id}/evidence/{rows[label].id}/preview"
        page = client.get(base)
        assert page.status_code == 200 and words in page.get_data(as_text=True)
        assert client.get(f"{base}/1.png").status_code == 404


def test_an_image_previews_as_itself_and_a_word_file_says_it_cannot(app: Flask) -> None:
    image = Evidence(enrollment_id=1, kind="cl_777", version=1, original_filename="a.png", stored_name="x.bin",
                     content_type=PNG, size_bytes=1, sha256="0" * 64, uploaded_by_id=1)
    word = Evidence(**{**image.model_dump(), "content_type": "application/vnd.openxmlformats-officedocument."
                                                             "wordprocessingml.document"})
    with app.app_context():
        assert previews.of(image).kind == "image"
        assert previews.of(word).kind == "none" and "can’t be shown here" in previews.of(word).message


def test_the_api_previews_for_the_same_readers(app: Flask, session: Session, client: FlaskClient) -> None:
    pip, row = _pip_with_plan(app, session)
    path = f"/enrollments/{pip.enrollment.id}/evidence/{row.id}/preview"
    mentor = Api(client, token_for(app, session, pip.person(Role.MENTOR)))
    shown = mentor.get(path)
    assert shown.status_code == 200, shown.json
    assert shown.json["kind"] == "pages" and shown.json["pages"] == shown.json["total_pages"] == 1
    assert HANG in shown.json["text"]
    image = mentor.get(path + "/1")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert mentor.get(path + "/4").status_code == 404
    panel = Api(client, token_for(app, session, pip.person(Role.PANEL_MEMBER)))
    assert panel.get(path).status_code == 404 and panel.get(path + "/1").status_code == 404
    assert len(_previews(session, row)) == 2


def test_an_upload_with_a_typed_name_is_offered_under_that_name(app: Flask, session: Session,
                                                                client: FlaskClient) -> None:
    pip, _ = _pip_with_plan(app, session)
    Auth(client).sign_in(pip.candidate.email)
    page = f"/enrollments/{pip.enrollment.id}"
    data = render(Document("Records", WHEN))
    client.post(f"{page}/evidence", data={"csrf_token": csrf_token(client, page), "kind": "recruitment_records",
                                          "file": (io.BytesIO(data), f"Hồ sơ – {HANG}.pdf")})
    with app.app_context():
        row = filing.current(session, pip.refresh())["recruitment_records"]
    assert row.original_filename == f"Hồ sơ – {HANG}.pdf"
    got = client.get(f"{page}/evidence/{row.id}")
    assert got.headers["Content-Disposition"].startswith('attachment; filename="Ho so - Nguyen Thi Bich Hang.pdf"; '
                                                         "filename*=UTF-8''")


def test_the_preview_page_asks_at_most_twelve_statements(app: Flask, session: Session, client: FlaskClient) -> None:
    from sqlalchemy import event

    pip, row = _pip_with_plan(app, session)
    Auth(client).sign_in(pip.person(Role.MENTOR).email)
    base = f"/inbox/enrollments/{pip.enrollment.id}/evidence/{row.id}/preview"
    assert client.get(base).status_code == 200  # drawn once; the count is of a page read afterwards
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")):
            statements.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(base).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The page's own statements: those before the view's audit line (app/personal_data.py writes it, and
    # what an audit commit refreshes, in a session of its own after the page is built).
    audit = next(i for i, statement in enumerate(statements) if "audit_chain_head" in statement)
    assert audit <= 12, "\n".join(statements[:audit])
