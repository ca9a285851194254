"""Documents people print or file, written as PDF: a title, facts under it, sections of text and tables.

Shared plans, the printable record and the CTC packet summary are built as a `Document` and
rendered here with fpdf2, in DejaVu Sans embedded as a subset, so every name prints as typed
("Nguyễn Thị Bích Hằng", not "Nguy?n"). A shared plan's PDF is evidence that sign-offs bind to by
SHA-256, so the same document must give the same bytes: the creation date is the content's own
time (never "now"), and fpdf2 derives the file id from the content.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
FAMILY = "DejaVu"
_MARGIN = 54  # points: three quarters of an inch
_GREY = (90, 90, 90)
_RULE = (200, 200, 200)


@dataclass(frozen=True)
class Table:
    """Rows under column headings; `widths` are relative column widths (equal if empty)."""

    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class Facts:
    """Labelled values, one a line ("Due date: June 1, 2026")."""

    pairs: tuple[tuple[str, str], ...]


Block = str | Facts | Table  # a str is a paragraph


@dataclass(frozen=True)
class Section:
    """A heading and what it holds; `level` 2 is a sub-heading."""

    heading: str
    blocks: tuple[Block, ...] = ()
    level: int = 1


@dataclass(frozen=True)
class Document:
    """What a printed document says, in reading order."""

    title: str
    created: datetime  # the content's own time: it becomes the PDF's creation date
    facts: tuple[tuple[str, str], ...] = ()
    sections: tuple[Section, ...] = ()
    subject: str = ""
    footer: str = ""


def text(value: object) -> str:
    """A value as it prints: composed Unicode (a name typed as "e" + combining marks prints as one letter)."""
    return unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\t", "    ")


class _Pages(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-36)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*_GREY)
        self.cell(0, 10, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="R")


def render(document: Document) -> bytes:
    """The document as PDF bytes (US Letter); the same document always gives the same bytes."""
    pdf = _Pages(format="letter", unit="pt")
    pdf.footer_text = text(document.footer)
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=54)
    created = document.created if document.created.tzinfo else document.created.replace(tzinfo=UTC)
    pdf.set_creation_date(created)
    pdf.set_title(text(document.title))
    if document.subject:
        pdf.set_subject(text(document.subject))
    pdf.set_creator("Credential Tracker")
    pdf.set_producer("Credential Tracker")  # not the library's version: an upgrade must not change a plan's bytes
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    pdf.multi_cell(0, 22, text(document.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _facts(pdf, document.facts)
    for section in document.sections:
        _section(pdf, section)
    return bytes(pdf.output())


def _facts(pdf: FPDF, pairs: Sequence[tuple[str, str]]) -> None:
    for label, value in pairs:
        pdf.set_font(FAMILY, "B", 10)
        pdf.set_text_color(*_GREY)
        pdf.multi_cell(0, 13, text(label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 11)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(0, 14, text(value) or "—", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)


def _section(pdf: FPDF, section: Section) -> None:
    pdf.ln(8 if section.level == 1 else 4)
    # A heading is not left alone at a page's foot.
    if pdf.will_page_break(60):
        pdf.add_page()
    pdf.set_font(FAMILY, "B", 14 if section.level == 1 else 12)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(0, 18 if section.level == 1 else 15, text(section.heading), new_x="LMARGIN", new_y="NEXT")
    if section.level == 1:
        pdf.set_draw_color(*_RULE)
        pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
        pdf.ln(5)
    for block in section.blocks:
        if isinstance(block, Facts):
            _facts(pdf, block.pairs)
        elif isinstance(block, Table):
            _table(pdf, block)
        else:
            pdf.set_font(FAMILY, "", 11)
            pdf.multi_cell(0, 15, text(block), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(FAMILY, "", 9)
    headings = FontFace(emphasis="BOLD", fill_color=(236, 236, 236))
    widths = table.widths or tuple(1 for _ in table.headings)
    with pdf.table(col_widths=widths, headings_style=headings, line_height=12, padding=3,
                   borders_layout="SINGLE_TOP_LINE", repeat_headings=1, text_align="LEFT") as grid:
        grid.row([text(h) for h in table.headings])
        for row in table.rows:
            grid.row([text(cell) for cell in row])
    pdf.ln(6)
