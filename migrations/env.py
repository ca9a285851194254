"""Alembic environment: SQLModel metadata, the app's DATABASE_URL, SQLite batch mode."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import app.models  # noqa: F401  registers every table on SQLModel.metadata
from app.models.base import UTCDateTime

config = context.config
if config.config_file_name is not None and os.path.exists(config.config_file_name):
    fileConfig(config.config_file_name)

target_metadata = SQLModel.metadata


def database_url() -> str:
    """The URL given by the caller (tests), else DATABASE_URL, else the app's default."""
    url = config.attributes.get("database_url")
    if url:
        return url
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    from app import create_app

    return create_app({"TESTING": True}).config["DATABASE_URL"]


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render SQLModel/app types as plain SQLAlchemy, so migrations never import sqlmodel."""
    if type_ == "type" and isinstance(obj, AutoString):
        return "sa.String()" if obj.length is None else f"sa.String(length={obj.length})"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _options() -> dict:
    return {"target_metadata": target_metadata, "render_as_batch": True, "render_item": render_item,
            "compare_type": True}


def run_migrations_offline() -> None:
    context.configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"},
                      **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    from app.db import make_engine

    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, **_options())
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **_options())
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
