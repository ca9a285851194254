"""Reading an uploaded CSV: the checks every import makes before it looks at a single row.

The roster import (programs/roster.py) and the staff import (team/staff_import.py) both read
their file here: UTF-8 with or without a byte-order mark (what Excel's "CSV UTF-8" writes), at
most MAX_BYTES and MAX_ROWS non-blank rows, a header row naming the columns in any case and order,
every cell stripped, and each row kept with its line in the file (a quoted cell may span lines),
so a row's errors can say where it is. What is wrong with the file as a whole is said in `errors`,
in words for whoever uploaded it; then there are no rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.inputs import has_control_characters
from app.models import User

MAX_BYTES = 1_048_576
MAX_ROWS = 2000
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass
class Table:
    """An uploaded file's header and its non-blank rows, or why it cannot be read."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line in the file, {column: cell})
    errors: list[str] = field(default_factory=list)


def read(data: bytes, columns: Sequence[str], required: Sequence[str], *, split: str = "the file") -> Table:
    """The file's rows by column name, or its file-level errors (`split`: what to split when it is too big)."""
    table = Table()
    if len(data) > MAX_BYTES:
        table.errors.append(f"The file is larger than {MAX_BYTES // 1024} KB; split {split}.")
        return table
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        table.errors.append("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
        return table
    if has_control_characters([text]):
        # A NUL byte or the like is no name or address, and PostgreSQL refuses to store one.
        table.errors.append("The file contains a control character (such as a NUL byte). Save it again as "
                            "“CSV UTF-8” from the spreadsheet and upload it again.")
        return table
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        table.header = [cell.strip().lower() for cell in next(reader, [])]
        records = [(reader.line_num, record) for record in reader if any(cell.strip() for cell in record)]
    except csv.Error as error:
        table.errors.append(f"The file is not valid CSV ({error}).")
        return table
    if not any(table.header):
        table.errors.append("The file is empty: it needs a header row with the template's columns.")
        return table
    missing = [c for c in required if c not in table.header]
    unknown = [c for c in table.header if c not in columns]
    repeated = sorted({c for c in table.header if table.header.count(c) > 1})
    if missing:
        table.errors.append(f"Missing column(s): {', '.join(missing)}. Use the template's header row.")
    if unknown:
        table.errors.append(f"Unknown column(s): {', '.join(unknown)}. The template lists the columns "
                            "this import reads.")
    if repeated:
        table.errors.append(f"Column(s) appear more than once: {', '.join(repeated)}.")
    if len(records) > MAX_ROWS:
        table.errors.append(f"The file has {len(records)} rows; at most {MAX_ROWS} can be imported at once.")
    if not table.errors:
        table.rows = [(line, {column: (record[i].strip() if i < len(record) else "")
                              for i, column in enumerate(table.header)}) for line, record in records]
    return table


def person(cells: dict[str, str]) -> tuple[str, str, list[str]]:
    """A row's email (normalised) and name, and what is wrong with them: both are required."""
    written = cells.get("email", "")
    email, name, problems = User.normalise_email(written), cells.get("name", ""), []
    if not email:
        problems.append("The email is empty.")
    elif len(email) > 254 or not _EMAIL.match(email):
        problems.append(f"“{written}” is not an email address.")
    if not name:
        problems.append("The name is empty.")
    elif len(name) > 120:
        problems.append("The name is longer than 120 characters.")
    return email, name, problems
