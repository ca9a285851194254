"""A real server process on a seeded database, and headless Chromium to drive it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import services

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or (("/usr/bin/chromium") if os.path.exists("/usr/bin/chromium") else None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn serving the app on 127.0.0.1, on a migrated SQLite database with the demo data."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("browser journeys run once, in the SQLite lane")
    folder = tmp_path_factory.mktemp("live")
    env = {**os.environ, "INSTANCE_PATH": str(folder), "SECRET_KEY": "browser-tests",
           "DATABASE_URL": f"sqlite:///{folder / 'live.db'}", "MAIL_FOLDER": str(folder / "mail"),
           "UPLOAD_FOLDER": str(folder / "uploads"), "FLASK_APP": "wsgi"}
    env.pop("REDIS_URL", None)
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "alembic", "-c", "pyproject.toml", "upgrade", "head"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    subprocess.run([bin_dir / "flask", "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(folder / "server.log", "wb")
    server = subprocess.Popen([bin_dir / "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the server did not start: {(folder / 'server.log').read_text()[-2000:]}")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's package) under Playwright; a fresh profile per context."""
    path = chromium_path()
    if path is None:
        services.unavailable("Chromium", "no chromium binary; `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def has_no_horizontal_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    """Whether the page fits its viewport's width."""
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
