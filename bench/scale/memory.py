"""Peak RSS of a web process: a real gunicorn worker serving the bench's pages (the issue: under 200 MB).

One sync worker on 127.0.0.1, configured as a deployment is (SECRET_KEY from the environment or a random
one, no TESTING, no debug, no Redis: jobs run in-process and rate limits count in memory). Every page of
`runner.pages` is requested ROUNDS times as its person, over HTTP, after signing in through the form;
then the worker's VmHWM (the kernel's high-water mark of its resident set) is read from /proc.

Standalone: `BENCH_KEEP=/work/bench_keep .venv/bin/python -m bench.scale.memory 1000 50000`.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from bench.scale.generate import PASSWORD, Dataset
from bench.scale.runner import TOKEN, api_headers, build, database, emit, kept, pages

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("BENCH_RSS_ROUNDS", "5"))
REQUEST_SECONDS = 600  # a page is allowed to be slow here; only its memory is measured


def peak_rss(url: str, data: Dataset, size: int, db: str) -> float:
    """The gunicorn worker's peak resident set (MB) after every page, ROUNDS times; emitted as "peak_rss"."""
    with tempfile.TemporaryDirectory() as folder, serving(url, Path(folder)) as (base, master):
        worker = worker_pid(master)
        sessions: dict[str, requests.Session] = {}
        headers: dict[str, dict[str, str]] = {}  # an API path's token
        for _ in range(ROUNDS):
            for page, (who, path) in pages(data).items():
                if who not in sessions:
                    sessions[who] = sign_in(base, who)
                if path.startswith("/api/") and path not in headers:
                    headers[path] = api_headers(url, who)
                response = sessions[who].get(f"{base}{path}", timeout=REQUEST_SECONDS, allow_redirects=False,
                                             headers=headers.get(path))
                if response.status_code != 200:
                    log = (Path(folder) / "gunicorn.log").read_text(errors="replace")[-3000:]
                    raise AssertionError(f"{page} ({path}): HTTP {response.status_code}; the server's log ends:\n{log}")
        # A worker killed mid-run (timeout, out of memory) would be replaced, and its peak lost with it.
        assert worker_pid(master) == worker, "the gunicorn worker was replaced during the run"
        mb = round(status_kb(worker, "VmHWM") / 1024, 1)
        for session in sessions.values():
            session.close()
    emit("peak_rss", mb, "MB", size, db, "web process")
    return mb


@contextmanager
def serving(url: str, folder: Path) -> Iterator[tuple[str, int]]:
    """gunicorn (one sync worker) serving wsgi:app on `url`'s database: (base URL, master pid); stopped after."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
           "INSTANCE_PATH": str(folder), "MAIL_FOLDER": str(folder / "mail"), "UPLOAD_FOLDER": str(folder / "uploads"),
           "PACKET_FOLDER": str(folder / "packets"), "CLOCK_FILE": str(folder / "clock.json")}
    for name in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "FLASK_DEBUG", "CLOCK_OFFSET_SECONDS"):
        env.pop(name, None)  # production settings, without Redis (the app then runs jobs in-process)
    port = free_port()
    log_path = folder / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([Path(sys.executable).parent / "gunicorn", "--workers", "1", "--worker-class", "sync",
                                   "--timeout", str(REQUEST_SECONDS), "--graceful-timeout", "3",
                                   # (no control socket: it is one fixed path in $HOME, shared by every gunicorn)
                                   "--no-control-socket",
                                   "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, server, log_path)
            yield base, server.pid
        finally:
            server.terminate()  # SIGTERM: gunicorn stops its worker and exits
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def wait_until_up(base: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    for _ in range(300):
        if server.poll() is not None:
            break
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start:\n{log_path.read_text(errors='replace')[-3000:]}")


def sign_in(base: str, email: str) -> requests.Session:
    """A session signed in through the sign-in form (CSRF token from the page, as runner.sign_in)."""
    session = requests.Session()
    page = session.get(f"{base}/auth/sign-in", timeout=30).text
    match = TOKEN.search(page)
    assert match, "no csrf_token on /auth/sign-in"
    response = session.post(f"{base}/auth/sign-in", timeout=30, allow_redirects=False,
                            data={"email": email, "password": PASSWORD, "csrf_token": match.group(1) or match.group(2)})
    assert response.status_code == 302, f"sign-in as {email} failed ({response.status_code})"
    return session


def worker_pid(master: int) -> int:
    """The master's one child: the worker."""
    children = [int(pid) for task in Path(f"/proc/{master}/task").iterdir()
                for pid in (task / "children").read_text().split()]
    assert len(children) == 1, f"expected one gunicorn worker, found {children}"
    return children[0]


def status_kb(pid: int, field: str) -> int:
    """A kB field of /proc/<pid>/status (VmHWM: peak resident set; VmRSS: current)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(sizes: list[int]) -> None:
    """Each size in a database of its own (BENCH_KEEP reuses a kept dataset, as the runner does)."""
    for size in sizes:
        with database(size) as (url, db):
            data = kept(url, size) or build(url, size)
            peak_rss(url, data, size, db)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000])
