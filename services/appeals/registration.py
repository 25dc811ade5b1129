"""59-FZ terms counted from arrival and registration, and the clerk's registration of an appeal.

* **Registration** within 3 days of receipt (art. 8 p. 2). A channel with manual registration
  (``regime``) keeps its appeals in «received» (numbered on arrival: the incoming number) until a
  clerk registers them here; the 30-day answer term (art. 12) then counts from registration.
* **Redirection by competence** within 7 days of registration (art. 8 p. 3; see ``redirect``).

Terms are calendar days ending with the last local day in the configured zone: an appeal received
on Monday must be registered by the end of Thursday. A term whose last day is a day off on the
production calendar ends on the preceding working day (``services.work_calendar.terms``; the setting
``PORUCHENO_APPEAL_TERM_ON_DAY_OFF`` may choose the next working day or plain calendar days).
A paper letter may carry an incoming date earlier than the day it was typed in; then the
registration may already be late, and the card says by how many days.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Category, User, utcnow
from models.enums import AppealStatus, Role
from services.appeals import access, notices
from services.appeals.status_sync import load
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext
from services.work_calendar import terms as work_terms
from services.work_calendar.terms import Terms

REGISTRATION_DAYS = 3  # art. 8 p. 2
REDIRECT_DAYS = 7  # art. 8 p. 3
DEFAULT_ANSWER_DAYS = 30  # art. 12 p. 1
STAFF_ROLES = (Role.CLERK, Role.MANAGER, Role.CONTROLLER)  # as in ``workflow``; administrators pass
# Redirection is possible while the appeal is being considered here.
REDIRECTABLE = frozenset({AppealStatus.REGISTERED, AppealStatus.IN_WORK})


async def load_terms(session: AsyncSession, tz: ZoneInfo, rule: str) -> Terms:
    """The terms' calendar as the administration set it, and the rule for a last day off."""
    return await work_terms.load(session, tz, rule)


def registration_deadline(received_at: datetime, tz: ZoneInfo, terms: Terms | None = None) -> datetime:
    return (terms or Terms(tz)).end_of_day(received_at, REGISTRATION_DAYS)


def redirect_deadline(registered_at: datetime, tz: ZoneInfo, terms: Terms | None = None) -> datetime:
    return (terms or Terms(tz)).end_of_day(registered_at, REDIRECT_DAYS)


def answer_deadline(start: datetime, days: int, terms: Terms) -> datetime:
    """The answer term (art. 12): ``days`` after registration, moved off a day off by the rule."""
    return terms.after(start, days)


def days_late(deadline: datetime | None, done_at: datetime | None, tz: ZoneInfo) -> int:
    """Whole local days ``done_at`` came after ``deadline`` (0: in time, or nothing to compare)."""
    if deadline is None or done_at is None or done_at <= deadline:
        return 0
    return max((done_at.astimezone(tz).date() - deadline.astimezone(tz).date()).days, 1)


def registration_overdue(appeal: Appeal, now: datetime) -> bool:
    """Still waiting for registration after its 3-day term."""
    return (
        appeal.status == AppealStatus.RECEIVED
        and appeal.registration_due_at is not None
        and now > appeal.registration_due_at
    )


def registration_late_days(appeal: Appeal, tz: ZoneInfo) -> int:
    """How late the registration was (a paper letter typed in days after it arrived, say)."""
    if appeal.status == AppealStatus.RECEIVED:
        return 0
    return days_late(appeal.registration_due_at, appeal.registered_at, tz)


def redirect_due(appeal: Appeal, tz: ZoneInfo, terms: Terms | None = None) -> datetime | None:
    """The 7-day redirection term, for an appeal registered here (not one still waiting)."""
    if appeal.status == AppealStatus.RECEIVED:
        return None
    return redirect_deadline(appeal.registered_at, tz, terms)


async def answer_days(session: AsyncSession, category_id: int | None) -> int:
    if category_id is None:
        return DEFAULT_ANSWER_DAYS
    days = await session.scalar(select(Category.answer_days).where(Category.id == category_id))
    return days or DEFAULT_ANSWER_DAYS


def check_staff(user: User) -> None:
    if not user.is_active or not user.has_role(*STAFF_ROLES):
        raise PermissionDenied("You are not allowed to work with appeals.")


async def load_in_scope(session: AsyncSession, appeal_id: int, user: User) -> Appeal:
    """The appeal locked for a change, if ``user``'s scope covers it (else as if it did not exist)."""
    appeal = await load(session, appeal_id, for_update=True)
    if not await access.may_see(session, user, appeal):
        raise NotFound("Appeal not found.")
    return appeal


async def register_received(
    session: AsyncSession,
    appeal_id: int,
    *,
    actor: User,
    notify: NoticeContext | None = None,
    now: datetime | None = None,
) -> Appeal:
    """A clerk registers an appeal waiting in «received»: the answer term starts now (art. 12) and
    the applicant is told the appeal is registered."""
    check_staff(actor)
    appeal = await load_in_scope(session, appeal_id, actor)
    if appeal.status != AppealStatus.RECEIVED:
        raise InvalidInput("The appeal is already registered.")
    now = now or utcnow()
    ctx = notify or NoticeContext()
    tz = ctx.tz
    days = await answer_days(session, appeal.category_id)
    appeal.status = AppealStatus.REGISTERED
    appeal.registered_at = now
    appeal.due_at = answer_deadline(now, days, await load_terms(session, tz, ctx.appeal_term_rule))
    late = registration_late_days(appeal, tz)
    record(
        session,
        Actor(user_id=actor.id, telegram_id=actor.telegram_id),
        "appeal",
        appeal.id,
        "registered",
        old_state=AppealStatus.RECEIVED,
        new_state=AppealStatus.REGISTERED,
        data={"number": appeal.reg_number, "due_at": appeal.due_at.isoformat(), "days_late": late},
    )
    await session.flush()
    if notify is not None:
        await notices.notify_correspondent(session, notify, appeal, notices.REGISTERED)
    return appeal
