"""CSV for spreadsheets: cells that cannot run as formulas, UTF-8 with a BOM for Excel.

A cell that starts with = + - @ (or a tab or carriage return, which some spreadsheets skip before
reading a formula) is prefixed with a single quote, as OWASP's "CSV Injection" advice says, so a
candidate named "=HYPERLINK(...)" stays text when a director opens the export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value: Any) -> str:
    """The cell as text, with a leading quote when a spreadsheet could read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Iterable[str], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> str:
    """A whole CSV document, every cell (header included) neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return (BOM if bom else "") + buffer.getvalue()
