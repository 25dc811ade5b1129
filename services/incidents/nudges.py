"""The scheduler's nudges on the ЕДДС's open work, each sent once (outbox dedup keys):

- an organisation that has not acknowledged what was handed to it within ``ack_grace`` gets the
  card again, and the dispatchers are told who is silent;
- when the expected restoration time has passed and the incident or outage is still open, the
  responsible organisation is asked for news or a new time (once per expected time), and the
  dispatchers are told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import DispatchUpdate, Incident, Organisation, Outage
from models.enums import IncidentStatus, OutageStatus, UpdateKind
from services import outbox
from services.incidents.update_notices import dispatcher_chats, notify_assigned, report_cb, title
from services.incidents.updates import Target
from services.notify import NoticeContext, Translator, html_escape, inline_keyboard
from services.partners.members import member_chats

ACK_GRACE = timedelta(minutes=15)
NUDGE_PRIORITY = 20


@dataclass(slots=True)
class NudgeResult:
    unacknowledged: int = 0  # items whose organisation was reminded
    overdue: int = 0  # items past their expected restoration
    queued: int = 0


async def _assigned_at(session: AsyncSession, target: Target) -> datetime | None:
    column = DispatchUpdate.incident_id if target.kind == "incident" else DispatchUpdate.outage_id
    return await session.scalar(
        select(func.max(DispatchUpdate.created_at)).where(
            column == target.id, DispatchUpdate.kind == UpdateKind.ASSIGNED
        )
    )


async def _open_items(session: AsyncSession) -> list[tuple[Target, Incident | Outage]]:
    incidents = await session.scalars(
        select(Incident).where(
            Incident.status.in_((IncidentStatus.OPEN, IncidentStatus.IN_WORK)),
            Incident.responsible_organisation_id.is_not(None),
        )
    )
    outages = await session.scalars(
        select(Outage).where(
            Outage.status == OutageStatus.ACTIVE, Outage.responsible_organisation_id.is_not(None)
        )
    )
    items: list[tuple[Target, Incident | Outage]] = [(Target("incident", i.id), i) for i in incidents.all()]
    items += [(Target("outage", o.id), o) for o in outages.all()]
    return items


async def _tell_dispatchers(
    session: AsyncSession, ctx: NoticeContext, key: str, make: Callable[[Translator], str]
) -> int:
    messages = []
    for user, chat_id in await dispatcher_chats(session):
        t = Translator(ctx.locale_of(user))
        messages.append(outbox.text_message(chat_id, make(t), dedup_key=f"{key}:{chat_id}"))
    return await outbox.enqueue_many(session, messages, priority=NUDGE_PRIORITY)


async def dispatch_nudges(
    session: AsyncSession, ctx: NoticeContext, now: datetime, *, ack_grace: timedelta = ACK_GRACE
) -> NudgeResult:
    result = NudgeResult()
    for target, row in await _open_items(session):
        org = await session.get(Organisation, row.responsible_organisation_id)
        if org is None or not org.is_active:
            continue
        org_name = html_escape(org.short_name or org.name)
        if row.acknowledged_at is None:
            since = await _assigned_at(session, target) or (
                row.published_at if isinstance(row, Outage) else row.created_at
            )
            if since is not None and since + ack_grace <= now:
                result.unacknowledged += 1
                tag = int(since.timestamp())
                result.queued += await notify_assigned(session, ctx, target, event_id=tag, reminder=True)
                result.queued += await _tell_dispatchers(
                    session,
                    ctx,
                    f"{target.kind}:{row.id}:noack-{tag}",
                    lambda t, row=row, org_name=org_name: (
                        "⏰ "
                        + t(
                            "%(org)s has not acknowledged %(title)s yet.",
                            org=org_name,
                            title=html_escape(title(row, t)),
                        )
                    ),
                )
        end = row.expected_end_at
        if end is not None and end <= now:
            result.overdue += 1
            tag = int(end.timestamp())
            messages = []
            for user, chat_id in await member_chats(session, org.id):
                t = Translator(ctx.locale_of(user))
                text = "⏰ " + t(
                    "The expected restoration time of %(title)s (%(when)s) has passed. "
                    "Report the news or a new time.",
                    title=html_escape(title(row, t)),
                    when=ctx.format_dt(end),
                )
                markup = inline_keyboard([[(t("📝 Report"), report_cb(target))]])
                messages.append(
                    outbox.text_message(
                        chat_id,
                        text,
                        reply_markup=markup,
                        dedup_key=f"{target.kind}:{row.id}:late-{tag}:{chat_id}",
                    )
                )
            result.queued += await outbox.enqueue_many(session, messages, priority=NUDGE_PRIORITY)
            result.queued += await _tell_dispatchers(
                session,
                ctx,
                f"{target.kind}:{row.id}:late-{tag}",
                lambda t, row=row, org_name=org_name, end=end: (
                    "⏰ "
                    + t(
                        "%(title)s: the expected restoration (%(when)s) has passed; "
                        "%(org)s has been asked for news.",
                        title=html_escape(title(row, t)),
                        when=ctx.format_dt(end),
                        org=org_name,
                    )
                ),
            )
    return result
