"""The social-object alert: a school, kindergarten, hospital or boiler house loses a resource, and
the administration's heads hear of it at once, before any resident's notice goes out.

Who: every active user with the manager role, plus the staff an administrator listed
(``SocialAlertRecipient``), each once, in their own language, if reachable in Telegram.

When: each social object is announced once per outage, at the earliest moment the ЕДДС knows it
is affected — on publishing (an emergency, or a planned outage in advance with a «planned» headline,
so the heads can prepare the school or the hospital), when houses are added to a published outage,
and, should an object have escaped both (it became social in the register later), when a planned
outage begins. The audit rows (``outage``/``social_alert``, their ``buildings``) remember which
objects were announced, and each message's dedup key carries the outage and the set of objects, so
a repeated command queues nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AuditEvent,
    Building,
    Outage,
    OutageBuilding,
    SocialAlertRecipient,
    TelegramAccount,
    User,
    UserRole,
    utcnow,
)
from models.enums import OutageKind, OutageStatus, Role
from services import outbox
from services.audit import Actor, record
from services.notify import N_, NoticeContext, Translator, html_escape
from services.outages.resources import get_resource, resource_name, social_type_name

ACTION = "social_alert"
# Before everything else in the outbox: the residents' notices wait at 100, progress edits at 10.
PRIORITY = 5
OBJECTS_LISTED = 40


@dataclass(frozen=True, slots=True)
class SocialAlert:
    buildings: Sequence[Building]  # the objects announced now
    queued: int  # messages queued


NOTHING = SocialAlert((), 0)


def is_social(building: Building) -> bool:
    return bool(building.is_social or building.social_type)


async def recipients(session: AsyncSession) -> list[tuple[User, int]]:
    """(user, chat id) of the managers and the listed staff, active, bound to Telegram and not
    blocking the bot, once each (staff chats are their Telegram ids, as for every staff notice)."""
    listed = select(SocialAlertRecipient.user_id)
    managers = select(UserRole.user_id).where(UserRole.role == Role.MANAGER)
    blocked = exists().where(TelegramAccount.id == User.telegram_id, TelegramAccount.blocked_at.is_not(None))
    rows = await session.scalars(
        select(User)
        .where(
            User.is_active.is_(True),
            User.telegram_id.is_not(None),
            ~blocked,
            or_(User.id.in_(listed), User.id.in_(managers)),
        )
        .order_by(User.id)
    )
    return [(u, int(u.telegram_id or 0)) for u in rows.all()]


async def announced_ids(session: AsyncSession, outage_id: int) -> set[int]:
    rows = await session.scalars(
        select(AuditEvent.data).where(
            AuditEvent.entity_type == "outage", AuditEvent.entity_id == outage_id, AuditEvent.action == ACTION
        )
    )
    done: set[int] = set()
    for data in rows.all():
        done.update(int(i) for i in (data or {}).get("buildings", []))
    return done


async def social_buildings(session: AsyncSession, outage_id: int) -> list[Building]:
    """The outage's social objects still affected, in address order."""
    rows = await session.scalars(
        select(Building)
        .join(OutageBuilding, OutageBuilding.building_id == Building.id)
        .where(
            OutageBuilding.outage_id == outage_id,
            OutageBuilding.removed_at.is_(None),
            or_(Building.is_social.is_(True), Building.social_type.is_not(None)),
        )
        .order_by(Building.street_key, Building.house_number, Building.house_key)
    )
    return [b for b in rows.all() if is_social(b)]


def headline(outage: Outage) -> str:
    if outage.kind == OutageKind.PLANNED and outage.status == OutageStatus.PLANNED:
        return N_("🛠 Planned outage at social objects: %(resource)s")
    return N_("🚨 Social objects cut off: %(resource)s")


def object_line(b: Building, t: Translator) -> str:
    place = f"{b.street}, {b.house}"
    kind = social_type_name(b.social_type, t)
    if b.name:
        return "• " + html_escape(
            t("%(name)s (%(type)s): %(address)s", name=b.name, type=kind, address=place)
        )
    return "• " + html_escape(t("%(type)s: %(address)s", type=kind, address=place))


def render(
    outage: Outage, objects: Sequence[Building], author: User | None, t: Translator, ctx: NoticeContext
) -> str:
    res = get_resource(outage.resource)
    title = t(headline(outage), resource=resource_name(outage.resource, t))
    lines = [f"<b>{res.emoji} {html_escape(title)}</b>", "", t("Outage №%(id)s", id=outage.id)]
    lines.append(t("Start: %(when)s", when=ctx.format_dt(outage.starts_at)))
    if outage.expected_end_at is not None:
        lines.append(t("Expected end: %(when)s", when=ctx.format_dt(outage.expected_end_at)))
    else:
        lines.append(t("Expected end: not yet known"))
    lines += ["", t("Social objects affected: %(n)s", n=len(objects))]
    lines += [object_line(b, t) for b in objects[:OBJECTS_LISTED]]
    if len(objects) > OBJECTS_LISTED:
        lines.append(t("…and %(n)s more", n=len(objects) - OBJECTS_LISTED))
    if author is not None:
        lines += ["", t("Posted by: %(name)s", name=html_escape(author.full_name))]
    return "\n".join(lines)


def _set_key(ids: Iterable[int]) -> str:
    joined = ",".join(str(i) for i in sorted(ids))
    return hashlib.sha1(joined.encode(), usedforsecurity=False).hexdigest()[:16]


async def alert_new_objects(
    session: AsyncSession,
    ctx: NoticeContext,
    actor: Actor,
    outage: Outage,
    *,
    now: datetime | None = None,
) -> SocialAlert:
    """Alert about the outage's social objects not yet announced; nothing while it is a draft or
    closed. Called by publishing, adding houses and the planned start (in their transaction)."""
    if outage.status not in (OutageStatus.PLANNED, OutageStatus.ACTIVE):
        return NOTHING
    done = await announced_ids(session, outage.id)
    fresh = [b for b in await social_buildings(session, outage.id) if b.id not in done]
    if not fresh:
        return NOTHING
    now = now or utcnow()
    author_id = actor.user_id or outage.created_by_id
    author = await session.get(User, author_id) if author_id else None
    key = f"outage:{outage.id}:social:{_set_key(b.id for b in fresh)}"
    people = await recipients(session)
    if not people:
        return NOTHING  # nobody to tell: nothing announced (a recipient added later hears of them all)
    messages = []
    url = ctx.panel_link(f"/outages/{outage.id}")
    for user, chat_id in people:
        t = Translator(ctx.locale_of(user))
        text = render(outage, fresh, author, t, ctx)
        markup = None
        # Telegram refuses link buttons to plain-HTTP addresses: such a link goes into the text.
        if url and url.startswith("https://"):
            markup = {"inline_keyboard": [[{"text": t("Open in the panel"), "url": url}]]}
        elif url:
            text += "\n\n" + t("In the panel: %(url)s", url=html_escape(url))
        messages.append(outbox.text_message(chat_id, text, reply_markup=markup, dedup_key=f"{key}:{chat_id}"))
    queued = await outbox.enqueue_many(
        session, messages, batch=f"outage:{outage.id}:social", priority=PRIORITY
    )
    outage.social_alerted_at = now
    record(
        session,
        actor,
        "outage",
        outage.id,
        ACTION,
        data={"buildings": [b.id for b in fresh], "recipients": len(messages), "status": outage.status},
    )
    await session.flush()
    return SocialAlert(fresh, queued)
