"""The application factory and its settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.config import ConfigurationError


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))  # no secret_key file there
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})


def test_a_key_file_in_the_instance_folder_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    (tmp_path / "secret_key").write_text("from-the-file\n")
    assert create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}).config["SECRET_KEY"] == "from-the-file"


def test_testing_and_debug_get_a_development_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert create_app({"TESTING": True, "DATABASE_URL": url}).config["SECRET_KEY"]
    assert create_app({"DEBUG": True, "DATABASE_URL": url}).config["SECRET_KEY"]


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("MAX_UPLOAD_MB", "3")
    monkeypatch.setenv("MAIL_BACKEND", "smtp")
    monkeypatch.setenv("MAIL_SERVER", "mail.example.org")
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["DATABASE_URL"].endswith("env.db")
    assert app.config["REDIS_URL"] is None
    assert app.config["MAX_CONTENT_LENGTH"] == 4 * 1024 * 1024
    assert app.config["MAIL_SERVER"] == "mail.example.org"
    assert app.extensions["rq_queue"] is None  # no Redis: jobs run in-process


def test_default_database_is_a_sqlite_file_in_the_instance_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"] == f"sqlite:///{Path(app.instance_path) / 'credential-tracker.db'}"


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(app) -> None:  # type: ignore[no-untyped-def]
    if app.extensions["db_engine"].dialect.name != "sqlite":
        pytest.skip("SQLite-specific pragmas; this lane runs on PostgreSQL")
    with app.extensions["db_engine"].connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_an_unknown_mail_backend_fails_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "MAIL_BACKEND": "pigeon"})


def test_a_redis_url_gives_a_json_queue(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                      "REDIS_URL": "redis://127.0.0.1:6379/13"})
    queue = app.extensions["rq_queue"]
    assert queue is not None and queue.name == "default"
    from rq.serializers import JSONSerializer

    assert queue.serializer is JSONSerializer  # ids only in jobs; never pickle
