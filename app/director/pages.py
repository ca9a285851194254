"""What every director page shares: the program and the person's roles on it (404 without one), rendering, CSV responses."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from flask import (
    Response,
    abort,
    has_request_context,
    make_response,
    render_template,
    stream_with_context,
)
from flask_login import current_user
from sqlmodel import Session

from app import policy
from app.db import get_session
from app.director.blueprint import bp
from app.models import (
    Program,
)
from app.services.programs import directory
from app.services.programs.csv_safety import BOM, neutralise
from workflows.roles import Role


@bp.app_context_processor
def navigation() -> dict[str, bool]:
    """Offer "Programs" to directors, district HR and credential analysts."""
    if not has_request_context() or not current_user.is_authenticated:
        return {"nav_programs": False}
    return {"nav_programs": bool(directory.visible_programs(get_session(), current_user))}


def program_or_404(program_id: int, may: Callable[[frozenset[Role]], bool] | None = None) -> tuple[Program, frozenset[Role]]:
    """The program and the person's roles on it: 404 without a role, 403 without the permission."""
    session = get_session()
    program = session.get(Program, program_id)
    roles = policy.program_roles(session, current_user, program) if program else frozenset()  # type: ignore[arg-type]
    if program is None or not policy.can_view_program(roles):
        abort(404)
    if may is not None and not may(roles):
        abort(403)
    return program, roles


def render(template: str, program: Program, roles: frozenset[Role], status: int = 200, **context: object):  # type: ignore[no-untyped-def]
    return render_template(f"director/{template}", program=program, roles=roles, policy=policy,
                           Role=Role, **context), status


def csv_response(text: str, filename: str) -> Response:
    response = make_response(text.encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def csv_stream(header: list[str], batches: Iterable[list[list[object]]], filename: str, session: Session) -> Response:
    """A CSV written out batch by batch as the client reads it, so memory stays flat however long it is.

    `session` is the one the batches read with; it is closed once the last row is out.
    """
    def chunks() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write(BOM)
        writer.writerow([neutralise(cell) for cell in header])
        try:
            for rows in batches:
                for row in rows:
                    writer.writerow([neutralise(cell) for cell in row])
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
            yield buffer.getvalue().encode("utf-8")
        finally:
            # End the read's transaction as soon as the last row is out (the streamed response runs
            # in a copy of the request's context, so its teardown would not close this session):
            # no connection is left idle in a transaction, holding locks.
            session.close()

    response = Response(stream_with_context(chunks()), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def slug(program: Program) -> str:
    return "".join(c if c.isalnum() else "-" for c in program.name.lower()).strip("-")[:60] or f"program-{program.id}"
