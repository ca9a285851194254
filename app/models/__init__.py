"""Every table, imported so SQLModel.metadata (and Alembic) sees them all."""

from workflows.facts import Pathway

from .api_tokens import ApiToken
from .audit import AuditEvent
from .base import UTCDateTime, utcnow  # noqa: F401  (base first: it sets the naming convention)
from .enrollments import Enrollment
from .evidence import Evidence
from .facts import FactRecord
from .idempotency import IdempotencyKey
from .logs import LogEntry, LogKind, SelfAssessment
from .notifications import DeliveryStatus, DigestItem, NotificationPreference, SentNotification
from .outbox import OutboxMessage
from .people import PATHWAY_LABELS, Membership, Organisation, OrganisationKind, Program, SignIn, User
from .plans import Plan, PlanKind, Resource, ResourceCategory
from .recommendations import Recommendation, RecommendationBatch, RecommendationStatus, RosterImport
from .sign_on import SignOnAttempt, SignOnLink, SignOnProvider
from .signoffs import SignOff
from .summaries import EnrollmentRisk, EnrollmentSummary
from .tasks import Delegation, Panel, PanelMember, PanelVote, SignOffTask, TaskComment, TaskStatus
from .team import CalendarFeed, Invitation

__all__ = [
    "ApiToken",
    "FactRecord",
    "CalendarFeed",
    "Delegation",
    "IdempotencyKey",
    "Invitation",
    "Panel",
    "PanelMember",
    "PanelVote",
    "Plan",
    "PlanKind",
    "Recommendation",
    "RecommendationBatch",
    "RecommendationStatus",
    "Resource",
    "ResourceCategory",
    "RosterImport",
    "SignOffTask",
    "TaskComment",
    "TaskStatus",
    "AuditEvent",
    "DeliveryStatus",
    "DigestItem",
    "NotificationPreference",
    "SentNotification",
    "Enrollment",
    "EnrollmentRisk",
    "EnrollmentSummary",
    "Evidence",
    "LogEntry",
    "LogKind",
    "SelfAssessment",
    "SignIn",
    "SignOff",
    "SignOnAttempt",
    "SignOnLink",
    "SignOnProvider",
    "Membership",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "PATHWAY_LABELS",
    "Pathway",
    "Program",
    "User",
    "UTCDateTime",
    "utcnow",
]
