"""Pages at statewide scale: SQL per request, p50/p95 and the ratio to a bare-Flask floor.

`make bench` runs it on SQLite at 1,000 and 20,000 enrolments; `BENCH_SIZES=1000,50000` picks
sizes; `DATABASE_URL=postgresql+psycopg://...` runs it on PostgreSQL in a schema of its own
(created and dropped here; nothing else in that database is touched). `BENCH_PAGES` limits the
pages (comma-separated names, as in the table).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale.runner import measure, table


def main() -> None:
    """Measure every size, then print the table."""
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,20000").split(",") if s.strip()]
    only = {p.strip() for p in os.environ.get("BENCH_PAGES", "").split(",") if p.strip()} or None
    results = []
    for size in sizes:
        db, figures = measure(size, only)
        results.append((size, db, figures))
    print(table(results))


if __name__ == "__main__":
    main()
