"""Program-wide figures (counts by state and standing, list totals), remembered until the program changes.

Counting a program of thousands of candidates costs the same every time it is asked, so each
answer is kept in this process under the program's summary revision: a mark that changes in the
transaction of every rewrite of one of the program's enrolment summaries
(app/services/programs/summaries.py), read once per transaction. A director asking again sees
the remembered answer until something in the program changes or the day turns (the day is part of
what is asked); a change committed anywhere, by any process, changes the mark.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from sqlalchemy import BigInteger, cast, event, update
from sqlmodel import Session, select

from app.models import Program

T = TypeVar("T")
REVISIONS = "tallies.revisions"  # session.info: program id -> revision, for the transaction
AT_MOST = 4096  # answers kept per process (each is a few counts)
_remembered: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()
_MODULUS = 2**31 - 1


def bump(session: Session, program_ids: Iterable[int]) -> None:
    """Change these programs' marks (inside the caller's transaction). The step is random, so two
    databases served by one process (the tests) practically never show the same program id the
    same mark (one chance in a billion a pair); the same database never repeats its last one."""
    ids = sorted(set(program_ids))
    if ids:
        step = 1 + secrets.randbelow(2**30)
        session.execute(update(Program.__table__).where(Program.__table__.c.id.in_(ids))  # type: ignore[attr-defined]
                        # (in 64 bits: the sum may pass the 32-bit column's range before the modulo)
                        .values(summary_revision=(cast(Program.__table__.c.summary_revision, BigInteger)  # type: ignore[attr-defined]
                                                  + step) % _MODULUS))
    forget_revisions(session)


def forget_revisions(session: Session) -> None:
    """After a commit or a rollback, the next transaction reads the marks afresh."""
    session.info.pop(REVISIONS, None)


def _loaded(program: Program, context: Any, attrs: Iterable[str] | None = None) -> None:
    """A program read in this transaction brings its mark along: no second look for it."""
    if context.session is not None and (attrs is None or "summary_revision" in attrs):
        context.session.info.setdefault(REVISIONS, {})[program.id] = program.summary_revision


event.listen(Program, "load", _loaded)
event.listen(Program, "refresh", _loaded)


def revision(session: Session, program_id: int) -> int:
    """The program's mark as this transaction first saw it."""
    known = session.info.setdefault(REVISIONS, {})
    if program_id not in known:
        known[program_id] = session.exec(select(Program.summary_revision).where(Program.id == program_id)).one()
    return known[program_id]


def remembered(session: Session, program_id: int, question: Hashable, answer: Callable[[], T]) -> T:
    """The answer to `question` (which must name everything it depends on besides the program's
    summaries, the day included) as of the program's current mark, computed only when not known."""
    return remembered_many(session, [program_id], question, lambda _: {program_id: answer()})[program_id]


def remembered_many(session: Session, program_ids: Iterable[int], question: Hashable,
                    answer: Callable[[list[int]], dict[int, T]]) -> dict[int, T]:
    """`remembered` for several programs: `answer` is asked once, for those not known."""
    where = str(session.get_bind().url)
    keys = {pid: (where, pid, revision(session, pid), question) for pid in program_ids}
    found: dict[int, T] = {}
    with _lock:
        for pid, key in keys.items():
            if key in _remembered:
                _remembered.move_to_end(key)
                found[pid] = _remembered[key]  # type: ignore[assignment]
    missing = [pid for pid in keys if pid not in found]
    if missing:
        fresh = answer(missing)
        with _lock:
            for pid in missing:
                found[pid] = _remembered[keys[pid]] = fresh[pid]
            while len(_remembered) > AT_MOST:
                _remembered.popitem(last=False)
    return found
