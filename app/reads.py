"""Reads remembered until the session writes what they read: one page asks each question once.

A page is built by several services that each need the same rows (the person's memberships, an
enrolment's documents). Passing them from one to the next would tie the services together, so each
asks `remembered(session, key, read, tables)` instead: the first asks the database, the others get
the same answer. An answer is forgotten as soon as the session could see another one:
- a flush that writes one of its `tables` (a flush writing other tables keeps it);
- a statement that is not a SELECT on one of its tables (or on a table it cannot name);
- a SELECT ... FOR UPDATE (what was read before the lock may be older than what it guards);
- commit, rollback, and a session told to expire its rows (`expire_all`: "read it all afresh").
A read with changes still waiting to be flushed flushes them first, as the session's autoflush would.
Whatever is written from what was read (an enrolment's summary) forgets first, and reads under its
lock (app/services/programs/summaries.py).

Rows written past the session (`session.connection().execute(...)`) are not seen here; nothing
remembered is written that way (the audit chain's head is, and nobody remembers it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import InstanceState, Mapper, ORMExecuteState
from sqlalchemy.orm import Session as OrmSession

T = TypeVar("T")
_KEY = "reads.remembered"  # session.info: key -> (answer, the tables it was read from)


def remembered(session: OrmSession, key: Hashable, read: Callable[[], T], tables: Iterable[str]) -> T:
    """`read()`'s answer, asked once until the session writes one of `tables`."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # (forgets what the flush writes)
    answers: dict[Hashable, tuple[Any, frozenset[str]]] = session.info.setdefault(_KEY, {})
    if key not in answers:
        answers[key] = (read(), frozenset(tables))
    return answers[key][0]  # type: ignore[no-any-return]


def forget(session: OrmSession, written: set[str] | None = None) -> None:
    """Forget the answers read from any of `written` (every answer: None)."""
    answers = session.info.get(_KEY)
    if not answers:
        return
    if written is None:
        answers.clear()
        return
    for key in [key for key, (_, tables) in answers.items() if tables & written]:
        del answers[key]


def _flushed(session: OrmSession, _context: object) -> None:
    # (After a flush, `new`, `dirty` and `deleted` still hold what it wrote.)
    written: set[str] = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        written.update(table.name for table in inspect(row).mapper.tables)  # type: ignore[union-attr]
    forget(session, written)


def _executed(state: ORMExecuteState) -> None:
    if state.is_select:
        if getattr(state.statement, "_for_update_arg", None) is not None:
            forget(state.session)
        return
    table = getattr(state.statement, "table", None)
    forget(state.session, {table.name} if getattr(table, "name", None) else None)  # type: ignore[union-attr]


def _ended(session: OrmSession, *_: object) -> None:
    forget(session)


def _expired(state: InstanceState[Any], attributes: object) -> None:
    # A whole row expired: `expire_all`, `expire(row)` or a commit. (A flush expires the columns the
    # database filled in, attribute by attribute; the flush itself forgets what it wrote.)
    session = state.session if attributes is None else None
    if session is not None:
        forget(session)


event.listen(OrmSession, "after_flush", _flushed)
event.listen(Mapper, "expire", _expired, raw=True)  # (raw: the row's state, alive or not)
event.listen(OrmSession, "do_orm_execute", _executed)
for _name in ("after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(OrmSession, _name, _ended)
