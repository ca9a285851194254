"""How long /healthz takes while Redis hangs, the database refuses or hangs, or the pool is exhausted.

Run with `.venv/bin/python bench/healthz_failing_services.py` (part of `make bench`). A "hung"
service accepts the TCP connection (the kernel's backlog) and never answers, the way a stuck
Redis or a frozen PostgreSQL host looks to a client; "refused" is a port nobody listens on.
The database is a throwaway SQLite file unless BENCH_DATABASE_URL names PostgreSQL (needed for the
database cases). Prints one JSON object per figure, then a table.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app

RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def hung_port() -> tuple[socket.socket, int]:
    """A port that accepts connections (into the backlog) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    return listener, listener.getsockname()[1]


def refused_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def measure(name: str, config: dict[str, object], path: str = "/healthz", hold: int = 0,
            runs: int = RUNS) -> dict[str, object]:
    app = create_app(config)
    held = []
    if hold:  # exhaust the pool: every connection checked out and kept
        engine = app.extensions["db_engine"]
        held = [engine.connect() for _ in range(hold)]
    client = app.test_client()
    timings, statuses = [], []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, headers={"Authorization": "Bearer ct_unknown"})
        timings.append(time.perf_counter() - started)
        statuses.append(response.status_code)
    for connection in held:
        connection.close()
    figure = {"metric": "healthz_seconds", "case": name, "path": path, "max": round(max(timings), 3),
              "median": round(sorted(timings)[len(timings) // 2], 3), "status": statuses[-1]}
    print(json.dumps(figure), flush=True)
    return figure


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-healthz-"))
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    base = {"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": database, "REDIS_URL": None,
            "UPLOAD_FOLDER": str(tmp / "uploads"), "MAIL_FOLDER": str(tmp / "mail"), "RATELIMIT_ENABLED": False}
    listener, port = hung_port()
    figures = [measure("all well", base),
               measure("Redis hung", {**base, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}),
               measure("Redis refused", {**base, "REDIS_URL": f"redis://127.0.0.1:{refused_port()}/0"})]
    if database.startswith("postgresql"):
        figures.append(measure("database refused", {**base, "DATABASE_URL":
                                                    f"postgresql+psycopg://postgres@127.0.0.1:{refused_port()}/x"}))
        figures.append(measure("database hung", {**base, "DATABASE_URL":
                                                 f"postgresql+psycopg://postgres@127.0.0.1:{port}/x"}, runs=1))
        figures.append(measure("pool exhausted", base, hold=15, runs=1))
        # A page that reads the database (the API's caller lookup) while the pool is exhausted.
        figures.append(measure("pool exhausted", base, path="/api/v1/me", hold=15, runs=1))
    listener.close()
    print("\nBefore issue 28 (same machine, 7 December 2026): Redis hung 2.0 s (the issue measured up to 7.2 s on "
          "a busy machine), database hung 130 s, pool exhausted 30 s; refused answered at once.")
    print(f"\n{'case':<20} {'path':<14} {'status':>6} {'median s':>9} {'max s':>7}")
    for f in figures:
        print(f"{f['case']:<20} {f['path']:<14} {f['status']:>6} {f['median']:>9} {f['max']:>7}")


if __name__ == "__main__":
    main()
