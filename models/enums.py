"""Enumerations stored as strings (no native DB enums: adding a value needs no migration)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    CONTROLLER = "controller"
    EXECUTOR = "executor"
    DISPATCHER = "dispatcher"
    CLERK = "clerk"


class CorrespondentKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class AppealChannel(StrEnum):
    TELEGRAM = "telegram"
    EMAIL = "email"
    WEB = "web"
    OPEN311 = "open311"
    PAPER = "paper"
    PHONE = "phone"
    EPGU = "epgu"  # Госуслуги (ЕПГУ) / ПОС: electronic 59-FZ appeals the clerk brings in


class AppealRegime(StrEnum):
    """547-FZ: an appeal is considered by the whole of 59-FZ, or as a «сообщение» (simplified)."""

    APPEAL = "appeal"
    MESSAGE = "message"


class AppealOutcome(StrEnum):
    """How consideration ended when it was not an answer on the merits (59-FZ art. 8 and 11)."""

    REDIRECTED = "redirected"  # art. 8 p. 3: sent by competence to another body within 7 days
    ANONYMOUS = "anonymous"  # art. 11 p. 1: no name or address, no answer
    ABUSIVE = "abusive"  # art. 11 p. 3: obscene or abusive language
    UNREADABLE = "unreadable"  # art. 11 p. 4: the text cannot be read
    CORRESPONDENCE_STOPPED = "correspondence_stopped"  # art. 11 p. 5: repeated, no new arguments


class QuestionResult(StrEnum):
    """The result of considering one question; the values ССТУ.РФ uses (see services/sstu)."""

    SUPPORTED = "supported"
    NOT_SUPPORTED = "not_supported"
    EXPLAINED = "explained"
    ANSWERED = "answered"
    LEFT_WITHOUT_ANSWER = "left_without_answer"
    TRANSFERRED = "transferred"


class LetterKind(StrEnum):
    ANSWER = "answer"
    REDIRECT_COVER = "redirect_cover"  # to the competent body
    REDIRECT_NOTICE = "redirect_notice"  # to the applicant
    ANONYMOUS_FORWARD = "anonymous_forward"  # an anonymous report of a crime, to the police
    ABUSIVE_NOTICE = "abusive_notice"
    UNREADABLE_NOTICE = "unreadable_notice"
    CORRESPONDENCE_STOPPED = "correspondence_stopped"
    OTHER = "other"


class AppealStatus(StrEnum):
    RECEIVED = "received"  # arrived, not yet registered (59-FZ art. 8 p. 2: within 3 days)
    REGISTERED = "registered"
    IN_WORK = "in_work"
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"
    REDIRECTED = "redirected"  # sent by competence to another body (59-FZ art. 8 p. 3)


# Not answered yet: the 59-FZ term runs.
OPEN_APPEAL_STATUSES = (AppealStatus.RECEIVED, AppealStatus.REGISTERED, AppealStatus.IN_WORK)


class AssignmentStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    ON_REVIEW = "on_review"
    RETURNED = "returned"
    DONE = "done"
    DECLINED = "declined"
    CANCELLED = "cancelled"


OPEN_ASSIGNMENT_STATUSES = (
    AssignmentStatus.NEW,
    AssignmentStatus.ACKNOWLEDGED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.ON_REVIEW,
    AssignmentStatus.RETURNED,
)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class MemberRole(StrEnum):
    CO_EXECUTOR = "co_executor"
    OBSERVER = "observer"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class OutageKind(StrEnum):
    ACCIDENT = "accident"
    PLANNED = "planned"


class OutageStatus(StrEnum):
    DRAFT = "draft"
    PLANNED = "planned"
    ACTIVE = "active"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class SignalStatus(StrEnum):
    NEW = "new"
    LINKED = "linked"
    DISMISSED = "dismissed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after retries
    DROPPED = "dropped"  # recipient blocked the bot (403)


class ProjectStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    DONE = "done"


class CategoryAudience(StrEnum):
    """Who may choose an appeal category: residents, staff, or both."""

    BOTH = "both"
    RESIDENTS = "residents"
    STAFF = "staff"


class IncidentStatus(StrEnum):
    OPEN = "open"  # logged, no one has taken it yet
    IN_WORK = "in_work"  # an organisation or service acknowledged it / actions are under way
    CLOSED = "closed"


class IncidentKind(StrEnum):
    """What the ЕДДС logs beyond the utility outages (the six resources live in the outage catalogue)."""

    ROAD_ACCIDENT = "road_accident"  # ДТП affecting traffic
    FALLEN_TREE = "fallen_tree"
    HEATING_NETWORK = "heating_network"  # a break of the heating network
    WATER_MAIN = "water_main"
    SEWER = "sewer"
    POWER_LINE = "power_line"
    GAS = "gas"
    FIRE = "fire"  # a fire affecting residents
    FLOODING = "flooding"
    WEATHER = "weather"  # a weather warning
    ROAD = "road"  # road surface, snow, ice
    OTHER = "other"


class InformantKind(StrEnum):
    """Who told the ЕДДС: a resident, an organisation (УК, РСО…), a service (112, police…), or the
    dispatcher's own observation."""

    RESIDENT = "resident"
    ORGANISATION = "organisation"
    SERVICE = "service"
    DISPATCHER = "dispatcher"


class OrganisationKind(StrEnum):
    MANAGEMENT = "management"  # управляющая компания, ТСЖ
    SUPPLIER = "supplier"  # ресурсоснабжающая организация
    CONTRACTOR = "contractor"  # подрядчик
    SERVICE = "service"  # an emergency or municipal service
    OTHER = "other"


class PublishMode(StrEnum):
    """How an outside organisation's updates reach residents."""

    APPROVAL = "approval"  # the dispatcher approves each update first
    DIRECT = "direct"  # straight to the subscribers


class UpdatePublish(StrEnum):
    INTERNAL = "internal"  # stays in the journal (an action, a note)
    PENDING = "pending"  # waits for the dispatcher's approval before residents see it
    PUBLISHED = "published"  # sent to the subscribers
    REJECTED = "rejected"  # the dispatcher kept it from residents


class UpdateKind(StrEnum):
    ACTION = "action"  # a measure taken ("бригада выехала", "дерево распилено")
    PROGRESS = "progress"  # news for residents, often with a new expected restoration time
    ACKNOWLEDGED = "acknowledged"  # the responsible organisation took it
    ASSIGNED = "assigned"  # sent to an organisation
    CLOSED = "closed"
    REOPENED = "reopened"


class CalendarDayKind(StrEnum):
    """How a date differs from the usual week (``models.work_calendar.CalendarDay``)."""

    HOLIDAY = "holiday"  # a public holiday or a day off by the government's transfer
    DAY_OFF = "day_off"  # the organisation's own day off (a sanitary day at the museum)
    WORKDAY = "workday"  # a working day on a weekend (a transferred working day)
    SHORT = "short"  # a working day one hour shorter (the eve of a public holiday, ТК art. 95)


class ServiceUrgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class ServiceStatus(StrEnum):
    NEW = "new"  # filed, nobody has taken it (the reaction clock runs)
    IN_WORK = "in_work"  # taken by an assignee (the resolution clock runs)
    WAITING = "waiting"  # waiting for the requester's answer: both clocks pause
    RESOLVED = "resolved"  # the service says it is done; the requester confirms or reopens
    CLOSED = "closed"  # confirmed by the requester (or silently after the confirmation term)
    CANCELLED = "cancelled"  # withdrawn by the requester or cancelled by the service


OPEN_SERVICE_STATUSES = (ServiceStatus.NEW, ServiceStatus.IN_WORK, ServiceStatus.WAITING)


class ServiceChannel(StrEnum):
    BOT = "bot"
    EMAIL = "email"
    PANEL = "panel"


class HolidayPolicy(StrEnum):
    """What a recurring assignment does when its day is not a working day."""

    PREVIOUS = "previous"  # the working day before
    NEXT = "next"  # the working day after
    SKIP = "skip"  # no assignment this time
    KEEP = "keep"  # created that day anyway


class FieldKind(StrEnum):
    """The kind of one field of a form (``models.audience.FormField``)."""

    TEXT = "text"  # one line
    TEXTAREA = "textarea"  # several lines
    CHOICE = "choice"  # one of the options
    MULTICHOICE = "multichoice"  # several of the options
    DATE = "date"
    NUMBER = "number"
    PHONE = "phone"
    EMAIL = "email"
    FILE = "file"
    CONSENT = "consent"  # a tick box that must be ticked to send (its text is the label)


class FormPurpose(StrEnum):
    """What an answered form does besides landing on the CRM card."""

    GENERAL = "general"  # a programme application, a library request, a question: the card only
    SUBSCRIPTION = "subscription"  # asks for consent to mailings (double opt-in)
    EVENT = "event"  # registers for the form's event (capacity, waiting list)
    VOLUNTEER = "volunteer"  # the volunteer questionnaire: adds or updates a volunteer
    APPLICATION = "application"  # an application of the form's type, for review and a decision


class SubmissionChannel(StrEnum):
    WEB = "web"
    TELEGRAM = "telegram"
    PANEL = "panel"


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITLIST = "waitlist"
    CANCELLED = "cancelled"


class MailingConsentStatus(StrEnum):
    """Consent to mailings, apart from the consent to personal data (152-FZ); double opt-in."""

    PENDING = "pending"  # asked for on a form; the confirmation message was sent
    CONFIRMED = "confirmed"  # the person pressed «confirm» (bot) or opened the e-mailed link
    WITHDRAWN = "withdrawn"  # opted out (from a mailing itself, the bot or the panel)


class MailingStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"  # recipients queued in the outbox; the sender drains them
    SENT = "sent"  # every recipient's message has a final state
    CANCELLED = "cancelled"


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"  # reviewers appointed
    REVIEWED = "reviewed"  # every reviewer sent a review
    ON_COUNCIL = "on_council"  # on a council meeting's agenda
    NEEDS_MORE = "needs_more"  # the applicant is asked for more; a new answer returns it to review
    APPROVED = "approved"
    REJECTED = "rejected"


class ApplicationDecision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    NEEDS_MORE = "needs_more"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"  # voting is over; the protocol can be generated
    CANCELLED = "cancelled"


class Vote(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class VolunteerStatus(StrEnum):
    CANDIDATE = "candidate"  # filled the questionnaire; not yet accepted
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class VolunteerShiftStatus(StrEnum):
    ASSIGNED = "assigned"
    CONFIRMED = "confirmed"  # the volunteer said they come
    DECLINED = "declined"
    DONE = "done"  # worked; hours counted
    NO_SHOW = "no_show"
