"""A shared plan, frozen as a PDF: the document the team verifies and sign-offs bind to.

Sharing a plan files this rendering as the plan's evidence (ILP, IIP 1/2, PIP plans), so a plan
goes through the same verify / send back / SHA-256 binding as any uploaded document, and editing
and re-sharing it withdraws the sign-offs that relied on the old revision.

The PDF is written by hand (text only, Helvetica, US Letter) to need no PDF library.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

LINE_CHARS = 90  # fits 10-point Helvetica inside 1-inch margins
LINES_PER_PAGE = 54
_TOP, _LEFT, _LEADING = 742, 72, 12.5


def pdf(title: str, lines: Iterable[str]) -> bytes:
    """A text-only PDF: `title` in bold, then `lines`, wrapped and paginated."""
    wrapped: list[str] = []
    for line in lines:
        wrapped.extend(textwrap.wrap(line, LINE_CHARS, replace_whitespace=False) or [""])
    pages = [wrapped[i:i + LINES_PER_PAGE] for i in range(0, max(len(wrapped), 1), LINES_PER_PAGE)] or [[]]

    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree's number is known
    tree = add(b"")
    regular = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for number, page_lines in enumerate(pages, start=1):
        ops = [f"BT /F2 14 Tf {_LEFT} {_TOP + 14} Td ({_escape(title)}) Tj ET",
               f"BT /F1 8 Tf {_LEFT} 40 Td (Page {number} of {len(pages)}) Tj ET",
               f"BT /F1 10 Tf {_LEADING} TL {_LEFT} {_TOP - 12} Td"]
        ops += [f"({_escape(text)}) '" for text in page_lines]
        ops.append("ET")
        stream = "\n".join(ops).encode("cp1252", "replace")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>" % (tree, content, regular, bold)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                         + b"] /Count %d >>" % len(kids))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return bytes(out)


def _escape(text: str) -> str:
    # Typographic quotes and dashes exist in WinAnsi; anything else outside it becomes "?".
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\r", "").replace("\t", "    ")
