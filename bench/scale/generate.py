"""Synthetic statewide data, loaded by bulk insert (SQLAlchemy Core `insert` with many rows).

Shape (per `n` enrolments): the three pathways in proportion 20/45/35 % (PIP / induction / CASC)
over ~60 programs in 12 organisations, one program ten times the others' size (the director's,
10 % of everyone: 5,000 at 50,000); states spread along each pathway with most candidates
mid-way; ~40 log entries per enrolment (90 % signed), 1-4 evidence documents (some replaced),
sign-offs, a mentor or coach membership each; 1 approver per 10 enrolments; one busy approver
(mentor on 500 enrolments, each with an open task). Random but seeded, so two runs match.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Connection
from werkzeug.security import generate_password_hash

from app.models import (
    AuditEvent,
    Enrollment,
    Evidence,
    LogEntry,
    Membership,
    Organisation,
    Program,
    SelfAssessment,
    SignOff,
    SignOffTask,
    User,
)
from workflows import engine
from workflows.registry import CURRENT_VERSION

PASSWORD = "bench-password-2026"
PATHWAYS = (("pip", 0.20), ("induction", 0.45), ("casc", 0.35))
LOG_KINDS = {"pip": ("preservice", "support_note", "review_meeting"),
             "induction": ("mentoring", "professional_learning"),
             "casc": ("coaching", "professional_learning")}
EVIDENCE_KINDS = {"pip": ("personalized_plan", "job_offer"), "induction": ("ilp", "employment_verification"),
                  "casc": ("iip_1", "iip_2", "employment_verification")}
CHUNK = 5_000


@dataclass(frozen=True)
class Dataset:
    """Who to sign in as, and where: what the runner needs after loading."""

    enrollments: int
    director_email: str
    director_program_id: int
    busy_approver_email: str
    candidate_email: str
    candidate_enrollment_id: int
    log_entries: int


def _bulk(conn: Connection, table: type, rows: list[dict]) -> None:
    # executemany needs the same keys in every row: missing ones are NULL.
    keys = {key for row in rows for key in row}
    rows = [{key: row.get(key) for key in keys} for row in rows]
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table.__table__), rows[start:start + CHUNK])  # type: ignore[attr-defined]


def _state_weights(pathway: str) -> tuple[list[str], list[float]]:
    states = [s for s in engine.states(pathway, CURRENT_VERSION[pathway])]
    # Most candidates are mid-way; a few finished or left.
    weights = [0.3 if s.final else (1.5 if i < len(states) // 2 else 1.0) for i, s in enumerate(states)]
    return [s.value for s in states], weights


def load(conn: Connection, n: int, today: date, seed: int = 15) -> Dataset:
    """Insert a statewide data set of `n` enrolments into an empty schema; returns whom to sign in as."""
    rnd = random.Random(seed)
    now = datetime.combine(today, time(12), tzinfo=UTC)
    password_hash = generate_password_hash(PASSWORD)
    # Users: ids are assigned here so the rows can refer to each other before anything is read back.
    approvers = max(n // 10, 20)
    users = [{"id": 1, "email": "director@bench.example.org", "name": "Dana Director"},
             {"id": 2, "email": "busy@bench.example.org", "name": "Bailey Busy"}]
    users += [{"id": 3 + i, "email": f"approver{i}@bench.example.org", "name": f"Approver {i:05d}"}
              for i in range(approvers)]
    first_candidate = 3 + approvers
    surnames = ["Garcia", "Nguyen", "Smith", "Lopez", "Kim", "Patel", "Johnson", "Martinez", "Chen", "Brown"]
    users += [{"id": first_candidate + i, "email": f"candidate{i}@bench.example.org",
               "name": f"{surnames[rnd.randrange(10)]} {rnd.choice('ABCDEFGHJKLMNPRSTW')}. {i:06d}"}
              for i in range(n)]
    for row in users:
        row.update(password_hash=password_hash, active=True, created_at=now, session_stamp=secrets.token_hex(8))
    _bulk(conn, User, users)

    _bulk(conn, Organisation, [{"id": o + 1, "name": f"Bench county office {o + 1}", "kind": "county_office",
                                "timezone": "America/Los_Angeles", "created_at": now} for o in range(12)])
    programs = []
    for p in range(60):
        pathway = PATHWAYS[p % 3][0]
        programs.append({"id": p + 1, "organisation_id": p % 12 + 1, "name": f"Bench {pathway} program {p + 1:02d}",
                         "pathway": pathway, "settings": {}, "created_at": now})
    _bulk(conn, Program, programs)
    # The director's program (an induction program) holds a tenth of everyone.
    big = programs[1]
    by_pathway = {pw: [p for p in programs if p["pathway"] == pw and p is not big] for pw, _ in PATHWAYS}
    memberships = [{"user_id": 1, "role": "program_director", "program_id": big["id"], "created_at": now}]
    # Approvers: program-wide site administrators and credential analysts, spread over the programs.
    for i in range(approvers):
        role = ("site_administrator", "credential_analyst", "program_director")[i % 3]
        memberships.append({"user_id": 3 + i, "role": role, "program_id": programs[i % 60]["id"], "created_at": now})

    states = {pw: _state_weights(pw) for pw, _ in PATHWAYS}
    busy_left, log_count = 500, 0
    enrollments, logs, evidence, signoffs, tasks, assessments, audits = [], [], [], [], [], [], []
    for i in range(n):
        eid = i + 1
        # The candidate whose own page is measured (the last) has the same shape at every size: in
        # Year 1 of an ordinary induction program, with a mentor and a sign-off waiting.
        measured = i == n - 1
        if measured:
            program = by_pathway["induction"][0]
        elif i < max(n // 10, 1):
            program = big
        else:
            pathway = rnd.choices([p for p, _ in PATHWAYS], [w for _, w in PATHWAYS])[0]
            program = rnd.choice(by_pathway[pathway])
        pathway = program["pathway"]
        values, weights = states[pathway]
        state = "year1_active" if measured else rnd.choices(values, weights)[0]
        enrolled = today - timedelta(days=rnd.randrange(5, 700))
        row = {"id": eid, "candidate_id": first_candidate + i, "program_id": program["id"], "pathway": pathway,
               "pathway_version": 1, "state": state, "version_id": 1, "credential_sought": "", "authorization": "",
               "employer": "", "enrolled_on": enrolled, "flags": [], "created_at": now, "state_changed_at": now}
        if pathway == "pip":
            row.update(permit_issued_on=enrolled, permit_expires_on=enrolled + timedelta(days=365))
        elif pathway == "induction":
            row.update(preliminary_issued_on=enrolled - timedelta(days=30),
                       preliminary_expires_on=enrolled + timedelta(days=5 * 365))
        else:
            row.update(admin_position_started_on=enrolled - timedelta(days=rnd.randrange(10, 90)))
        enrollments.append(row)
        memberships.append({"user_id": first_candidate + i, "role": "candidate", "enrollment_id": eid, "created_at": now})
        supporter = "coach" if pathway == "casc" else "mentor"
        busy = pathway != "casc" and busy_left > 0
        busy_left -= busy
        signer = 2 if busy else 3 + rnd.randrange(approvers)
        if measured or rnd.random() < 0.85:
            memberships.append({"user_id": signer, "role": supporter, "enrollment_id": eid,
                                "created_at": now - timedelta(days=rnd.randrange(0, 60))})
        for k in range(max(int(rnd.gauss(40, 10)), 5)):
            occurred = enrolled + timedelta(days=rnd.randrange(0, max((today - enrolled).days, 1)))
            kind = rnd.choice(LOG_KINDS[pathway])
            signed = rnd.random() < 0.9
            logs.append({"enrollment_id": eid, "kind": kind, "occurred_on": occurred,
                         "program_year": 1 if occurred < enrolled + timedelta(days=365) else 2,
                         "hours": round(rnd.uniform(0.5, 3.0), 1), "notes": "Met and planned the next lesson.",
                         "participants": ["Mentor"], "attendee_roles": ["mentor", "site_administrator"]
                         if kind == "review_meeting" else [], "author_id": first_candidate + i,
                         "signer_id": signer, "signed_at": now if signed else None, "created_at": now})
        for version_kind in EVIDENCE_KINDS[pathway][:rnd.randrange(1, len(EVIDENCE_KINDS[pathway]) + 1)]:
            versions = 2 if rnd.random() < 0.2 else 1
            for version in range(1, versions + 1):
                live = version == versions
                evidence.append({"enrollment_id": eid, "kind": version_kind, "version": version,
                                 "status": rnd.choice(("submitted", "verified", "verified")) if live else "verified",
                                 "original_filename": f"{version_kind}.pdf", "stored_name": secrets.token_hex(20),
                                 "content_type": "application/pdf", "size_bytes": 120_000,
                                 "sha256": secrets.token_hex(32), "uploaded_by_id": first_candidate + i,
                                 "uploaded_at": now - timedelta(days=rnd.randrange(1, 300)),
                                 "superseded_at": None if live else now})
        if rnd.random() < 0.5:
            signoffs.append({"enrollment_id": eid, "key": "year1_complete",
                             "role": "program_director", "signer_id": 3, "signed_at": now, "evidence_hashes": {}})
        if busy:
            tasks.append({"enrollment_id": eid, "key": "year1_complete", "role": supporter, "event": "complete_year1",
                          "what": "Year 1 completion", "due_on": today + timedelta(days=rnd.randrange(-20, 40)),
                          "priority": rnd.randrange(2), "status": "open", "created_at": now, "version_id": 1})
        elif measured or rnd.random() < 0.3:
            tasks.append({"enrollment_id": eid, "key": "year1_complete", "role": "site_administrator",
                          "event": "complete_year1", "what": "Year 1 completion",
                          "due_on": today + timedelta(days=rnd.randrange(-20, 40)), "priority": 0,
                          "status": "open" if measured else rnd.choice(("open", "approved", "approved")),
                          "created_at": now, "version_id": 1})
        if pathway != "pip" and rnd.random() < 0.6:
            assessments.append({"enrollment_id": eid, "standards": "cpsel" if pathway == "casc" else "cstp",
                                "taken_on": enrolled + timedelta(days=30), "ratings": {str(s): 3 for s in range(1, 7)},
                                "created_at": now})
        audits.append({"occurred_at": now, "actor_id": 1, "enrollment_id": eid, "action": "enrollment.transition",
                       "event": "advance", "from_state": values[0], "to_state": state, "details": {},
                       "previous_hash": "", "chain_hash": ""})
        if len(logs) >= 50_000:
            log_count += len(logs)  # keep memory flat on large sets: flush the biggest table as we go
            _bulk(conn, Enrollment, enrollments)
            enrollments.clear()
            _bulk(conn, LogEntry, logs)
            logs.clear()
    _bulk(conn, Enrollment, enrollments)
    _bulk(conn, LogEntry, logs)
    log_count += len(logs)
    _bulk(conn, Membership, memberships)
    _bulk(conn, Evidence, evidence)
    _bulk(conn, SignOff, signoffs)
    _bulk(conn, SignOffTask, tasks)
    _bulk(conn, SelfAssessment, assessments)
    _bulk(conn, AuditEvent, audits)
    # The candidate whose dashboard is measured: the last one (see `measured`).
    candidate = {"id": n, "candidate_id": first_candidate + n - 1}
    return Dataset(enrollments=n, director_email="director@bench.example.org", director_program_id=big["id"],
                   busy_approver_email="busy@bench.example.org",
                   candidate_email=f"candidate{candidate['candidate_id'] - first_candidate}@bench.example.org",
                   candidate_enrollment_id=candidate["id"], log_entries=log_count)
