"""The one door from the council to the applications: putting one on the agenda and recording the
meeting's decision go through ``services.applications.decisions`` (which tells the applicant and
makes the registry entry of an approved object), so an application changes in one place only."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, User
from services.applications import decisions
from services.audit import Actor
from services.errors import PermissionDenied
from services.notify import N_, NoticeContext


async def _user(session: AsyncSession, actor: Actor) -> User:
    user = await session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise PermissionDenied(N_("Only the council's organisers may do this."))
    return user


async def apply_decision(
    session: AsyncSession,
    application_id: int,
    decision: str,
    text: str,
    *,
    actor: Actor,
    meeting_id: int | None = None,
    ctx: NoticeContext | None = None,
) -> Application:
    """Record the council's decision on the application (who may close the meeting is checked by
    the caller, ``voting.close_meeting``)."""
    user = await _user(session, actor)
    return await decisions.decide(
        session, application_id, decision, text, actor=user, meeting_id=meeting_id, ctx=ctx
    )


async def mark_on_council(
    session: AsyncSession, application_id: int, *, actor: Actor, meeting_id: int
) -> None:
    """The application is on the meeting's agenda (its item is already added)."""
    await decisions.mark_on_council(
        session, application_id, actor=await _user(session, actor), meeting_id=meeting_id
    )
