"""What the app accepts from a request, checked once for every route.

- Record ids in URLs (`<int:...>`) stop at the narrowest id column (PostgreSQL's 32-bit integer):
  a larger one names nothing, so it is a 404 before any query, on SQLite and PostgreSQL alike.
- No text may carry NUL or other control characters (tab, line feed and carriage return excepted):
  PostgreSQL refuses NUL outright and none belongs in a name, a reason or a comment, so the request
  is refused with a clear 400 before any view sees it.
- A number too large for its column that reaches the database anyway (an id in a form field, a
  count) is a 400 saying so, never a crash (app/errors.py asks `out_of_range`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask, abort, request
from sqlalchemy import exc as db_errors
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's `integer`, the type of every id column; the API's document says the same (openapi.py).
LARGEST_ID = 2**31 - 1
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTERS = ("Something you sent contains a control character (such as a NUL byte) that "
                      "no text here may hold. Remove it and try again.")
OUT_OF_RANGE = "A number in what you sent is larger than any this service keeps. Check it and try again."


def _at_most(limit: int) -> str:
    """A regular expression for the whole numbers 1..limit, written without leading zeros."""
    digits = str(limit)
    # Fewer digits than the limit: anything. As many: the limit's digits up to some position,
    # then a smaller digit there, then anything; or the limit itself.
    shorter = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same = []
    for position, digit in enumerate(digits):
        low = 1 if position == 0 else 0
        if int(digit) > low:
            rest = len(digits) - position - 1
            same.append(f"{digits[:position]}[{low}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*shorter, *same, digits]) + ")"


class RecordIdConverter(IntegerConverter):
    """`<int:...>` for the whole app: a whole number no larger than the id columns hold.

    The range is in the pattern itself, not only checked after matching: werkzeug notes a route's
    methods before converting, so a POST to a too-large id beside a GET route would answer 405.
    """

    regex = f"(?:0|{_at_most(LARGEST_ID)})"  # 0 names nothing, like any id never issued

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min=0 if min is None else min,
                         max=LARGEST_ID if max is None else max, signed=signed)


def _texts(value: Any) -> Iterator[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _request_texts() -> Iterable[str]:
    yield from (str(v) for v in (request.view_args or {}).values())
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            yield key
            yield value
    for upload in request.files.values():
        yield upload.filename or ""
    if request.is_json:
        yield from _texts(request.get_json(silent=True))


def has_control_characters(texts: Iterable[str]) -> bool:
    """Whether any of the texts holds a character no field may hold."""
    # A form part whose name did not decode arrives as None: nothing there to refuse.
    return any(isinstance(text, str) and _CONTROL.search(text) for text in texts)


def out_of_range(error: BaseException) -> bool:
    """Whether `error` is a value too large for its column (SQLite's int64, PostgreSQL's types)."""
    if isinstance(error, OverflowError):  # sqlite3 binding an int beyond 64 bits; date arithmetic
        return True
    return isinstance(error, db_errors.DataError)  # PostgreSQL: integer or numeric out of range


def init_app(app: Flask) -> None:
    """Install the id converter (before any route is added) and the request check."""
    app.url_map.converters["int"] = RecordIdConverter

    @app.before_request
    def _refuse_control_characters() -> None:
        if has_control_characters(_request_texts()):
            abort(400, CONTROL_CHARACTERS)
