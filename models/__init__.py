"""Typed SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from models.appeal_law import AnswerTemplate, AppealLetter, AppealQuestion, ChannelRegime, ClassifierEntry
from models.assignments import (
    Assignment,
    AssignmentComment,
    AssignmentMember,
    AssignmentReport,
    DeadlineNudge,
    ExtensionRequest,
)
from models.audience import (
    CorrespondentTag,
    EventRegistration,
    Form,
    FormField,
    FormSubmission,
    Mailing,
    MailingConsent,
    MailingRecipient,
    MuseumEvent,
    Segment,
)
from models.audit import AuditEvent
from models.base import Base, utcnow
from models.config import OrgCard, OutageResource, RoutingRule, SocialObjectType
from models.crm import (
    ApiClient,
    Appeal,
    Category,
    Correspondent,
    MailboxCursor,
    MailOutbox,
    StoredFile,
)
from models.dispatch import Building, Outage, OutageBuilding, OutageSignal, Subscription
from models.expertise import (
    Application,
    ApplicationReview,
    ApplicationReviewer,
    ApplicationType,
    CouncilAgendaItem,
    CouncilMeeting,
    CouncilMember,
    CouncilVote,
    RegistryEntry,
)
from models.identity import CorrespondentSuggestion, EmailCode
from models.imports import ImportJob
from models.incidents import DispatchUpdate, Incident, ShiftHandover, SocialAlertRecipient
from models.mail_quarantine import MailQuarantine
from models.messenger_refs import MaxFileRef, MaxMessageRef
from models.org import Department, Invite, TelegramAccount, User, UserRole, WebSession
from models.outbox import OutboxMessage
from models.partners import Organisation, OrganisationArea, OrganisationInvite
from models.privacy import ConsentRecord, ConsentText, PdAccessLog, PdErasure
from models.projects import Project, ProjectStage
from models.service_desk import ServiceComment, ServiceRequest, ServiceTopic, SlaTarget
from models.task_tools import AssignmentTemplate, ChecklistItem, RecurrenceRun, RecurringAssignment
from models.volunteers import Volunteer, VolunteerShift
from models.work_calendar import CalendarDay, WorkHours

__all__ = [
    "AnswerTemplate",
    "ApiClient",
    "Appeal",
    "AppealLetter",
    "AppealQuestion",
    "Application",
    "ApplicationReview",
    "ApplicationReviewer",
    "ApplicationType",
    "Assignment",
    "AssignmentComment",
    "AssignmentMember",
    "AssignmentReport",
    "AssignmentTemplate",
    "AuditEvent",
    "Base",
    "Building",
    "CalendarDay",
    "Category",
    "ChannelRegime",
    "ChecklistItem",
    "ClassifierEntry",
    "ConsentRecord",
    "ConsentText",
    "Correspondent",
    "CorrespondentSuggestion",
    "CorrespondentTag",
    "CouncilAgendaItem",
    "CouncilMeeting",
    "CouncilMember",
    "CouncilVote",
    "DeadlineNudge",
    "Department",
    "DispatchUpdate",
    "EmailCode",
    "EventRegistration",
    "ExtensionRequest",
    "Form",
    "FormField",
    "FormSubmission",
    "ImportJob",
    "Incident",
    "Invite",
    "MailOutbox",
    "MailQuarantine",
    "MailboxCursor",
    "Mailing",
    "MailingConsent",
    "MailingRecipient",
    "MaxFileRef",
    "MaxMessageRef",
    "MuseumEvent",
    "OrgCard",
    "Organisation",
    "OrganisationArea",
    "OrganisationInvite",
    "Outage",
    "OutageBuilding",
    "OutageResource",
    "OutageSignal",
    "OutboxMessage",
    "PdAccessLog",
    "PdErasure",
    "Project",
    "ProjectStage",
    "RecurrenceRun",
    "RecurringAssignment",
    "RegistryEntry",
    "RoutingRule",
    "Segment",
    "ServiceComment",
    "ServiceRequest",
    "ServiceTopic",
    "ShiftHandover",
    "SlaTarget",
    "SocialAlertRecipient",
    "SocialObjectType",
    "StoredFile",
    "Subscription",
    "TelegramAccount",
    "User",
    "UserRole",
    "Volunteer",
    "VolunteerShift",
    "WebSession",
    "WorkHours",
    "utcnow",
]
