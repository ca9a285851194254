"""Every table, imported so SQLModel.metadata (and Alembic) sees them all."""

from .base import UTCDateTime, utcnow  # noqa: F401  (base first: it sets the naming convention)
from .audit import AuditEvent
from .enrollments import Enrollment
from .outbox import OutboxMessage
from .people import Membership, Organisation, OrganisationKind, Pathway, Program, User

__all__ = [
    "AuditEvent",
    "Enrollment",
    "Membership",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "Pathway",
    "Program",
    "User",
    "UTCDateTime",
    "utcnow",
]
