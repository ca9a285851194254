"""Small, fast factories for notification tests (no password hashing, no pathway walking)."""

from __future__ import annotations

import email
import itertools
from datetime import date
from email import policy
from email.message import Message
from pathlib import Path
from typing import Any

from flask import Flask
from sqlmodel import Session

from app.models import Enrollment, Evidence, Membership, Organisation, OrganisationKind, Program, User
from app.services.enrollments import pathways

_serial = itertools.count(1)


def person(session: Session, name: str = "Ana Ruiz", email_address: str | None = None) -> User:
    """A user who cannot sign in (no password), for recipients."""
    n = next(_serial)
    user = User(email=email_address or f"person{n}@example.org", name=name, password_hash="!")
    session.add(user)
    session.flush()
    return user


def program(session: Session, pathway: str = "induction", settings: dict[str, Any] | None = None) -> Program:
    """A program in a fresh organisation."""
    n = next(_serial)
    org = Organisation(name=f"Org {n}", kind=OrganisationKind.DISTRICT)
    session.add(org)
    session.flush()
    prog = Program(organisation_id=org.id, name=f"{pathway.title()} program {n}", pathway=pathway, settings=settings or {})
    session.add(prog)
    session.flush()
    return prog


def enrolment(app: Flask, session: Session, candidate: User, prog: Program, enrolled_on: date,
              **details: Any) -> Enrollment:
    """The candidate enrolled on the program's pathway on `enrolled_on` (committed)."""
    with app.app_context():
        enrollment = pathways.enroll(session, candidate, prog, enrolled_on, candidate)
    for name, value in details.items():
        setattr(enrollment, name, value)
    session.add(enrollment)
    session.commit()
    return enrollment


def role(session: Session, user: User, role_name: str, **scope: int) -> Membership:
    """Give `user` a role on an enrolment, program or organisation (committed)."""
    membership = Membership(user_id=user.id, role=role_name, **scope)
    session.add(membership)
    session.commit()
    return membership


def evidence(session: Session, enrollment: Enrollment, uploader: User, kind: str = "transcripts", **fields: Any) -> Evidence:
    """A document row (no file), committed."""
    row = Evidence(enrollment_id=enrollment.id, kind=kind, original_filename="doc.pdf",
                   stored_name=f"stored-{next(_serial)}", content_type="application/pdf", size_bytes=10,
                   sha256="0" * 64, uploaded_by_id=uploader.id, **fields)
    session.add(row)
    session.commit()
    return row


def folder_mail(app: Flask) -> list[Message]:
    """Every message the folder backend wrote."""
    folder = Path(app.config["MAIL_FOLDER"])
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime)]
