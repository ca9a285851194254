"""The database engine and the session-per-request lifecycle."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


def make_engine(url: str, *, pool_timeout: float = 30, connect_timeout: int = 10, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, enforced foreign keys and a busy timeout.

    `pool_timeout` is how long a request waits for a free connection before the friendly 503
    (SQLAlchemy's TimeoutError); `connect_timeout` how long PostgreSQL may take to accept one.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 15})
    else:
        kwargs.setdefault("pool_pre_ping", True)
        # libpq counts whole seconds and takes at least 2.
        kwargs.setdefault("connect_args", {"connect_timeout": max(2, int(connect_timeout))})
    # In-memory SQLite and a caller's own pool class (NullPool) have no queue to wait in.
    if url not in ("sqlite://", "sqlite:///:memory:") and "poolclass" not in kwargs:
        kwargs.setdefault("pool_timeout", pool_timeout)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked on every connection; WAL lets readers
    # proceed while the one writer commits.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    if not str(_database_file(dbapi_connection)) in ("", ":memory:"):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _database_file(dbapi_connection: Any) -> str:
    row = dbapi_connection.execute("PRAGMA database_list").fetchone()
    return row[2] if row else ""


def init_app(app: Flask) -> None:
    """Attach one engine to the app and close the request's session at teardown."""
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"],
                                              pool_timeout=app.config["DATABASE_POOL_TIMEOUT"],
                                              connect_timeout=app.config["DATABASE_CONNECT_TIMEOUT"])
    app.teardown_appcontext(close_session)


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["db_engine"]


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def close_session(exc: BaseException | None = None) -> None:
    """Roll back whatever the request left uncommitted and close its session."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()
