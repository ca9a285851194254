"""Checking uploaded files by what they contain, not by what they are called."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

# What we accept, keyed by the content type we record and serve back.
PDF, PNG, JPEG, DOCX = ("application/pdf", "image/png", "image/jpeg",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", DOCX: ".docx"}


class RejectedUpload(ValueError):
    """An upload we will not store, with a message the person can act on."""

    status = 400


class TooLarge(RejectedUpload):
    """An upload over the size limit."""

    status = 413


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks."""

    filename: str
    content_type: str
    data: bytes


def check_upload(filename: str | None, data: bytes, max_bytes: int) -> CheckedFile:
    """Accept a PDF, PNG, JPEG or DOCX within the size limit, whatever its name says."""
    if not data:
        raise RejectedUpload("The file is empty. Choose the document again.")
    if len(data) > max_bytes:
        raise TooLarge(f"The file is {len(data) / 1_048_576:.1f} MB; the limit is "
                             f"{max_bytes // 1_048_576} MB.")
    content_type = sniff(data)
    if content_type is None:
        raise RejectedUpload("That file is not a PDF, PNG, JPEG or Word (.docx) document. "
                             "Scan or save it in one of those formats.")
    return CheckedFile(clean_filename(filename, content_type), content_type, data)


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return DOCX
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def clean_filename(filename: str | None, content_type: str) -> str:
    """A display name safe to show and to offer on download: no paths, no control characters."""
    name = unicodedata.normalize("NFKD", filename or "").encode("ascii", "ignore").decode()
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")[:120]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or 'document'}{EXTENSIONS[content_type]}"
