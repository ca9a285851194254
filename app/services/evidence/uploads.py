"""Checking uploaded files by what they contain, not by what they are called."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
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
    if content_type == PDF:
        _refuse_active_pdf(data)
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


# A Word file is a ZIP. Real ones hold tens to a few hundred parts and unpack to a few times their
# size; these bounds refuse "zip bombs" before anything reads them in full.
DOCX_MAX_ENTRIES = 1000
DOCX_MAX_INFLATED_BYTES = 150 * 1_048_576


def _is_docx(data: bytes) -> bool:
    """Whether the ZIP is a Word document; refuses one too big once unpacked, or damaged."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > DOCX_MAX_ENTRIES:
                raise RejectedUpload(f"That Word file holds {len(entries)} parts; a document has far fewer "
                                     f"(at most {DOCX_MAX_ENTRIES} are accepted). Save it again from Word, "
                                     "or as a PDF.")
            inflated = sum(entry.file_size for entry in entries)
            if inflated > DOCX_MAX_INFLATED_BYTES:
                raise RejectedUpload(f"That Word file unpacks to {inflated / 1_048_576:.0f} MB, more than the "
                                     f"{DOCX_MAX_INFLATED_BYTES // 1_048_576} MB accepted. Save it as a PDF, "
                                     "or make its pictures smaller.")
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                return False
            # Reads every part, within the sizes checked above (zipfile stops at the declared size),
            # so a part that lies about its size or is corrupt is caught here, not by a reader later.
            try:
                damaged = archive.testzip() is not None
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
                damaged = True
            if damaged:
                raise RejectedUpload("That Word file is damaged. Save it again from Word, or as a PDF.")
    except RejectedUpload:
        raise
    except (zipfile.BadZipFile, ValueError, EOFError, zlib.error, NotImplementedError):
        return False
    return True


# Names that make a PDF run code or open other programs when viewed. Names may hide letters as #xx
# (/J#61vaScript), and may sit inside compressed object streams, so both are looked through.
_ACTIVE_NAMES = {b"JS", b"JavaScript", b"Launch"}
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_PDF_MAX_INFLATED_BYTES = 64 * 1_048_576


def _names(chunk: bytes) -> set[bytes]:
    return {_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw) for raw in _NAME.findall(chunk)}


def _object_streams(data: bytes) -> list[bytes]:
    """The inflated contents of the PDF's compressed object streams (where dictionaries can hide)."""
    found, budget = [], _PDF_MAX_INFLATED_BYTES
    for match in _STREAM.finditer(data):
        header = data[max(0, match.start() - 1024):match.start()]
        header = header[header.rfind(b" obj") + 1:] if b" obj" in header else header
        if not {b"ObjStm", b"FlateDecode"} <= _names(header):
            continue
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(data[match.end():match.end() + _PDF_MAX_INFLATED_BYTES], budget)
        except zlib.error:
            continue
        budget -= len(chunk)
        found.append(chunk)
        if budget <= 0:
            break
    return found


def _refuse_active_pdf(data: bytes) -> None:
    """Refuse a PDF carrying JavaScript or a launch action: reviewers open these files."""
    names = _names(data)
    for chunk in _object_streams(data):
        names |= _names(chunk)
    if names & _ACTIVE_NAMES:
        raise RejectedUpload("That PDF contains JavaScript or an action that opens other programs, which we "
                             "do not accept. Print it to a new PDF (or scan the paper copy) and upload that.")


# Characters no file name may hold on common systems, and whitespace runs (tabs, line breaks) to one space.
_UNSAFE = re.compile(r'[<>:"/\\|?*]+')
_SPACES = re.compile(r"\s+")


def clean_filename(filename: str | None, content_type: str) -> str:
    """A display name safe to show and to offer on download: the name as typed ("IIP 1 (CPSEL 1–3), revision
    2.pdf", "Hằng's letter.pdf"), less any path, control or invisible formatting characters (a right-to-left
    override could make "fdp.exe" read as "exe.pdf"), with the extension of what the file really is."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C") or c in "\t\n")
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip(" ._")[:120].strip(" ._")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or 'document'}{EXTENSIONS[content_type]}"
