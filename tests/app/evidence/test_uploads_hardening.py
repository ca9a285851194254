"""Uploads that could attack whoever opens them: Word files that unpack into a bomb, PDFs that run code."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import Evidence
from app.services.evidence import uploads
from app.services.evidence.uploads import DOCX, PDF, RejectedUpload, check_upload
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.app.progress.test_candidate_workspace import stored_files, upload
from tests.conftest import signed_in

LIMIT = 10 * 1_048_576


def docx(extra: dict[str, bytes] | None = None, parts: int = 0) -> bytes:
    """A minimal Word file, with `extra` parts and `parts` filler parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Plan</w:document>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
        for number in range(parts):
            archive.writestr(f"word/media/part{number}.xml", "")
    return buffer.getvalue()


def pdf_with(body: bytes) -> bytes:
    """A small PDF whose catalogue carries `body` (an action dictionary, say)."""
    return (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R " + body + b" >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def pdf_with_object_stream(hidden: bytes) -> bytes:
    """A PDF whose action dictionary sits only inside a compressed object stream."""
    packed = zlib.compress(b"3 0 " + hidden)
    return (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction 3 0 R >>\nendobj\n"
            b"4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length " + str(len(packed)).encode()
            + b" >>\nstream\n" + packed + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def test_an_ordinary_word_file_and_pdf_are_accepted() -> None:
    assert check_upload("plan.docx", docx(), LIMIT).content_type == DOCX
    assert check_upload("plan.pdf", pdf_bytes("plan"), LIMIT).content_type == PDF
    # A link to a web page is not an action that runs anything.
    assert check_upload("links.pdf", pdf_with(b"/OpenAction << /S /URI /URI (https://ctc.ca.gov) >>"), LIMIT)


def test_a_word_file_with_too_many_parts_is_refused() -> None:
    with pytest.raises(RejectedUpload, match="parts"):
        check_upload("plan.docx", docx(parts=uploads.DOCX_MAX_ENTRIES), LIMIT)


def test_a_word_file_that_unpacks_past_the_limit_is_refused_before_it_is_read() -> None:
    bomb = docx({"word/media/zeros.bin": b"\0" * (uploads.DOCX_MAX_INFLATED_BYTES + 1)})
    assert len(bomb) < LIMIT  # small on the wire: only unpacking shows it
    with pytest.raises(RejectedUpload, match="unpacks to 150 MB"):
        check_upload("plan.docx", bomb, LIMIT)


def test_a_word_file_whose_part_lies_about_its_contents_is_refused() -> None:
    data = bytearray(docx({"word/styles.xml": b"<styles>" * 200}))
    # Corrupt the compressed bytes of a part: its checksum no longer matches.
    at = data.index(b"word/styles.xml") + len("word/styles.xml") + 10
    data[at:at + 4] = b"\xff\xff\xff\xff"
    with pytest.raises(RejectedUpload, match="damaged"):
        check_upload("plan.docx", bytes(data), LIMIT)


@pytest.mark.parametrize("body", [
    b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>",
    b"/OpenAction << /S /Launch /F (cmd.exe) >>",
    b"/AA << /O << /S /J#61vaScript /J#53 (this.print\\(\\)) >> >>",  # names spelt with #xx escapes
], ids=["javascript", "launch", "escaped-names"])
def test_a_pdf_that_runs_javascript_or_launches_a_program_is_refused(body: bytes) -> None:
    with pytest.raises(RejectedUpload, match="JavaScript or an action that opens other programs"):
        check_upload("records.pdf", pdf_with(body), LIMIT)


def test_javascript_hidden_in_a_compressed_object_stream_is_found() -> None:
    with pytest.raises(RejectedUpload, match="JavaScript"):
        check_upload("records.pdf", pdf_with_object_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"), LIMIT)
    assert check_upload("records.pdf", pdf_with_object_stream(b"<< /S /GoTo /D [0 /Fit] >>"), LIMIT)


@pytest.mark.parametrize(("make", "filename", "message"), [
    (lambda: pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"), "records.pdf", "contains JavaScript"),
    (lambda: docx({"word/media/zeros.bin": b"\0" * (uploads.DOCX_MAX_INFLATED_BYTES + 1)}), "plan.docx", "unpacks to"),
], ids=["active-pdf", "docx-bomb"])
def test_through_the_page_a_dangerous_file_gets_400_with_the_reason_and_nothing_is_kept(
        app: Flask, session: Session, make: Callable[[], bytes], filename: str, message: str) -> None:
    driver = PathwayDriver(app, session, "pip")
    client = signed_in(app, driver.candidate.email)
    response = upload(client, driver, make(), filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.exec(select(Evidence)).all() == []
    assert stored_files(app) == []
