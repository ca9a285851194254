"""A document's preview that any phone shows: a PDF's first pages drawn as PNG images, and its text.

Phones draw no PDF inside a page (the approver saw a dark empty box), so the server draws the first
pages with PDFium and serves them as images, and extracts the text for screen readers and search.
A version's preview is drawn once and kept under PREVIEW_FOLDER by its SHA-256: the bytes of a
version never change, so neither does its preview, and a new version has a new digest. Who may see
a preview is decided by the routes, exactly as for the download; this module only draws.
A damaged or password-protected PDF gets a plain message, never an error page.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from flask import current_app

from app.models import Evidence
from app.services.evidence import documents
from app.services.evidence.uploads import JPEG, PDF, PNG

MAX_PAGES = 3
# Pixels across a page image: sharp on a 390-point phone at twice its density, light to send.
WIDTH = 900
MAX_TEXT = 200_000  # characters of text shown; a longer document is read in full by opening it
_VERSION = 1  # bump to redraw every cached preview after a change to how they are drawn
# PDFium is not safe to call from two threads at once (a threaded server would): one drawing at a time.
_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class Preview:
    """What can be shown of one version: `pages` images of its `total` pages, its text, or why not."""

    kind: str  # "pages" (a PDF drawn), "image" (an image shown as itself), "none" (nothing to show)
    pages: int = 0
    total: int = 0
    text: str = ""
    message: str = ""


def of(evidence: Evidence) -> Preview:
    """The preview of `evidence`, drawn now if it was not drawn before."""
    if evidence.content_type in (PNG, JPEG):
        return Preview("image", pages=1, total=1)
    if evidence.content_type != PDF:
        return Preview("none", message="This kind of document can’t be shown here. "
                                       "Open the whole document to read it.")
    folder = _folder(evidence)
    manifest = folder / "preview.json"
    if not manifest.is_file():
        _draw(documents.path_of(evidence), folder)
    saved = json.loads(manifest.read_text(encoding="utf-8"))
    return Preview(saved["kind"], saved["pages"], saved["total"], saved["text"], saved["message"])


def page_image(evidence: Evidence, number: int) -> Path | None:
    """The PNG of page `number` (from 1), if the preview has it."""
    preview = of(evidence)
    if preview.kind != "pages" or not 1 <= number <= preview.pages:
        return None
    return _folder(evidence) / f"page-{number}.png"


def text_of(data: bytes) -> str:
    """A PDF's text, page after page (for tests and the preview)."""
    with _PDFIUM:
        document = pdfium.PdfDocument(data)
        try:
            return "\n".join(_page_text(page) for page in document)
        finally:
            document.close()


def _folder(evidence: Evidence) -> Path:
    return Path(current_app.config["PREVIEW_FOLDER"]) / f"v{_VERSION}" / evidence.sha256


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return str(textpage.get_text_bounded()).replace("\r\n", "\n").strip()
    finally:
        textpage.close()


def _draw(source: Path, folder: Path) -> None:
    """Draw the preview into `folder` whole, or not at all: it is built aside and moved in at once."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".drawing-"))
    try:
        with _PDFIUM:
            saved = _render(source, work)
        (work / "preview.json").write_text(json.dumps(saved), encoding="utf-8")
        try:
            os.replace(work, folder)
        except OSError:
            pass  # another request drew it first: theirs is the same
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _render(source: Path, work: Path) -> dict[str, object]:
    try:
        document = pdfium.PdfDocument(str(source))
    except pdfium.PdfiumError as error:
        locked = "password" in str(error).lower()
        return {"kind": "none", "pages": 0, "total": 0, "text": "",
                "message": ("This PDF is locked with a password, so it can’t be shown here. "
                            if locked else "This PDF is damaged or unreadable, so it can’t be shown here. ")
                + "Open the whole document to try it on your device, or send it back and ask for a new copy."}
    try:
        total = len(document)
        texts, pages = [], 0
        for index in range(total):
            page = document[index]
            try:
                texts.append(_page_text(page))
                if index < MAX_PAGES:
                    scale = WIDTH / max(page.get_width(), 1)
                    page.render(scale=scale, may_draw_forms=True).to_pil().save(work / f"page-{index + 1}.png",
                                                                              optimize=True)
                    pages += 1
            finally:
                page.close()
            if sum(len(t) for t in texts) > MAX_TEXT:
                break
    except pdfium.PdfiumError:
        return {"kind": "none", "pages": 0, "total": 0, "text": "",
                "message": "This PDF could not be drawn here. Open the whole document to read it."}
    finally:
        document.close()
    text = "\n\n".join(t for t in texts if t)[:MAX_TEXT]
    return {"kind": "pages" if pages else "none", "pages": pages, "total": total, "text": text,
            "message": "" if pages else "This PDF has no pages to show."}
