"""Every table, imported so SQLModel.metadata (and Alembic) sees them all."""

from workflows.facts import Pathway

from .api_tokens import ApiToken
from .audit import AuditEvent
from .base import UTCDateTime, utcnow
from .enrollments import Enrollment
from .evidence import Evidence
from .facts import FactRecord
from .idempotency import IdempotencyKey
from .logs import LogEntry, LogKind, SelfAssessment
from .notifications import DeliveryStatus, DigestItem, NotificationPreference, SentNotification
from .outbox import OutboxMessage
from .people import PATHWAY_LABELS, Membership, Organisation, OrganisationKind, PoolMember, Program, SignIn, User
from .plans import Plan, PlanKind, Resource, ResourceCategory
from .recommendations import Recommendation, RecommendationBatch, RecommendationStatus, RosterImport
from .sign_on import SignOnAttempt, SignOnLink, SignOnProvider
from .signoffs import SignOff
from .summaries import EnrollmentRisk, EnrollmentSummary, EnrollmentTurn
from .support import SupportRecord
from .tasks import Delegation, Panel, PanelMember, PanelVote, SignOffTask, TaskComment, TaskStatus
from .team import CalendarFeed, Invitation, StaffInvitation

__all__ = [
    "PATHWAY_LABELS",
    "ApiToken",
    "AuditEvent",
    "CalendarFeed",
    "Delegation",
    "DeliveryStatus",
    "DigestItem",
    "Enrollment",
    "EnrollmentRisk",
    "EnrollmentSummary",
    "EnrollmentTurn",
    "Evidence",
    "FactRecord",
    "IdempotencyKey",
    "Invitation",
    "LogEntry",
    "LogKind",
    "Membership",
    "NotificationPreference",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "Panel",
    "PanelMember",
    "PanelVote",
    "Pathway",
    "Plan",
    "PlanKind",
    "PoolMember",
    "Program",
    "Recommendation",
    "RecommendationBatch",
    "RecommendationStatus",
    "Resource",
    "ResourceCategory",
    "RosterImport",
    "SelfAssessment",
    "SentNotification",
    "SignIn",
    "SignOff",
    "SignOffTask",
    "SignOnAttempt",
    "SignOnLink",
    "SignOnProvider",
    "StaffInvitation",
    "SupportRecord",
    "TaskComment",
    "TaskStatus",
    "UTCDateTime",
    "User",
    "utcnow",
]
