"""Outage lifecycle: draft → published (planned or active) → resolved, or cancelled at any point.

Every change writes an audit event with the dispatcher as actor; residents hear of a change only
once the outage is published. Each command takes ``now`` so the scheduler and tests can pin time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, Outage, OutageBuilding, OutageSignal, Subscription, TelegramAccount, User, utcnow
from models.enums import OutageKind, OutageStatus, Role, SignalStatus
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext
from services.outages import notices
from services.outages.notices import Broadcast
from services.outages.resources import offered_resource, social_key
from services.outages.social import alert_new_objects

S = OutageStatus
PUBLISHED = (S.PLANNED, S.ACTIVE)
OPEN = (S.DRAFT, S.PLANNED, S.ACTIVE)
NOTHING = Broadcast(None, 0)


@dataclass(frozen=True, slots=True)
class Preview:
    houses: int
    social: dict[str, int]  # social object type → count
    subscribers: int  # accounts that would be notified (blocked ones left out)


def require_dispatcher(user: User) -> Actor:
    if not user.is_active or not user.has_role(Role.DISPATCHER):
        raise PermissionDenied("Only a dispatcher can manage outages.")
    return Actor(user_id=user.id)


async def get_outage(session: AsyncSession, outage_id: int) -> Outage:
    outage = await session.get(Outage, outage_id)
    if outage is None:
        raise NotFound("Outage not found.")
    return outage


async def current_building_ids(session: AsyncSession, outage_id: int) -> list[int]:
    rows = await session.scalars(
        select(OutageBuilding.building_id)
        .where(OutageBuilding.outage_id == outage_id, OutageBuilding.removed_at.is_(None))
        .order_by(OutageBuilding.building_id)
    )
    return list(rows.all())


async def buildings_of(session: AsyncSession, outage_id: int) -> list[Building]:
    rows = await session.scalars(
        select(Building)
        .join(OutageBuilding, OutageBuilding.building_id == Building.id)
        .where(OutageBuilding.outage_id == outage_id, OutageBuilding.removed_at.is_(None))
        .order_by(Building.street_key, Building.house_number, Building.house_key)
    )
    return list(rows.all())


async def _checked_buildings(session: AsyncSession, building_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(building_ids))
    if not ids:
        raise InvalidInput("Choose at least one building.")
    found = set((await session.scalars(select(Building.id).where(Building.id.in_(ids)))).all())
    if len(found) != len(ids):
        raise NotFound("Building not found.")
    return ids


def _check_times(starts_at: datetime, expected_end_at: datetime | None) -> None:
    if expected_end_at is not None and expected_end_at <= starts_at:
        raise InvalidInput("The expected end must be after the start.")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass(frozen=True, slots=True)
class NewOutage:
    kind: str
    resource: str
    building_ids: Iterable[int]
    starts_at: datetime
    expected_end_at: datetime | None = None
    description: str = ""


async def create_outage(
    session: AsyncSession, dispatcher: User, data: NewOutage, *, now: datetime | None = None
) -> Outage:
    """A draft: nobody is notified until :func:`publish`."""
    actor = require_dispatcher(dispatcher)
    kind, resource, starts_at, expected_end_at = (
        data.kind,
        data.resource,
        data.starts_at,
        data.expected_end_at,
    )
    building_ids, description = data.building_ids, data.description
    now = now or utcnow()
    if kind not in OutageKind.__members__.values():
        raise InvalidInput("Unknown outage kind.")
    offered_resource(resource)
    ids = await _checked_buildings(session, building_ids)
    _check_times(starts_at, expected_end_at)
    if kind == OutageKind.PLANNED and expected_end_at is None:
        raise InvalidInput("A planned outage needs an expected end.")
    outage = Outage(
        kind=kind,
        resource=resource,
        status=S.DRAFT,
        description=(description or "").strip(),
        starts_at=starts_at,
        expected_end_at=expected_end_at,
        created_by_id=dispatcher.id,
        created_at=now,
    )
    session.add(outage)
    await session.flush()
    session.add_all(OutageBuilding(outage_id=outage.id, building_id=i, added_at=now) for i in ids)
    record(
        session,
        actor,
        "outage",
        outage.id,
        "create",
        new_state=S.DRAFT,
        data={
            "kind": kind,
            "resource": resource,
            "buildings": ids,
            "starts_at": _iso(starts_at),
            "expected_end_at": _iso(expected_end_at),
        },
    )
    await session.flush()
    return outage


async def preview(session: AsyncSession, target: Outage | Iterable[int]) -> Preview:
    """What publishing would reach: of an outage, or of a draft still being built (building ids)."""
    ids = await current_building_ids(session, target.id) if isinstance(target, Outage) else list(set(target))
    if not ids:
        return Preview(0, {}, 0)
    social: dict[str, int] = {}
    rows = await session.execute(
        select(Building.is_social, Building.social_type, func.count())
        .where(Building.id.in_(ids))
        .group_by(Building.is_social, Building.social_type)
    )
    houses = 0
    for is_social, social_type, n in rows.all():
        houses += n
        if is_social or social_type:
            key = social_key(social_type)
            social[key] = social.get(key, 0) + n
    subscribers = await session.scalar(
        select(func.count(distinct(Subscription.telegram_id)))
        .join(TelegramAccount, TelegramAccount.id == Subscription.telegram_id)
        .where(Subscription.building_id.in_(ids), TelegramAccount.blocked_at.is_(None))
    )
    return Preview(houses, dict(sorted(social.items())), subscribers or 0)


def _open(outage: Outage) -> None:
    if outage.status not in OPEN:
        raise InvalidInput("The outage is already closed.")


async def publish(
    session: AsyncSession,
    ctx: NoticeContext,
    dispatcher: User,
    outage_id: int,
    *,
    now: datetime | None = None,
    progress_chat_id: int | None = None,
    progress_message_id: int | None = None,
) -> Broadcast:
    actor = require_dispatcher(dispatcher)
    now = now or utcnow()
    outage = await get_outage(session, outage_id)
    if outage.status != S.DRAFT:
        raise InvalidInput("The outage is already published.")
    planned = outage.kind == OutageKind.PLANNED
    if planned and outage.expected_end_at is not None and outage.expected_end_at <= now:
        raise InvalidInput("This planned outage would already be over.")
    outage.status = S.PLANNED if planned and outage.starts_at > now else S.ACTIVE
    outage.published_at = now
    outage.progress_chat_id = progress_chat_id
    outage.progress_message_id = progress_message_id
    record(session, actor, "outage", outage.id, "publish", old_state=S.DRAFT, new_state=outage.status)
    await session.flush()
    # The heads first: the alert goes out ahead of the residents' notices (a higher outbox priority).
    await alert_new_objects(session, ctx, actor, outage, now=now)
    recipients = await notices.subscribers(session, await current_building_ids(session, outage.id))
    return await notices.broadcast(session, ctx, outage, "publish", recipients.values())


async def extend(
    session: AsyncSession,
    ctx: NoticeContext,
    dispatcher: User,
    outage_id: int,
    new_expected_end: datetime,
) -> Broadcast:
    """Move the expected end (later, or earlier when works go faster)."""
    actor = require_dispatcher(dispatcher)
    outage = await get_outage(session, outage_id)
    _open(outage)
    _check_times(outage.starts_at, new_expected_end)
    old = outage.expected_end_at
    if old == new_expected_end:
        return NOTHING
    outage.expected_end_at = new_expected_end
    event = record(
        session,
        actor,
        "outage",
        outage.id,
        "extend",
        data={"old": _iso(old), "new": _iso(new_expected_end)},
    )
    await session.flush()
    if outage.status not in PUBLISHED:
        return NOTHING
    recipients = notices.merge(
        await notices.subscribers(session, await current_building_ids(session, outage.id)),
        await notices.signal_authors(session, outage.id),
    )
    return await notices.broadcast(session, ctx, outage, "extend", recipients.values(), event_id=event.id)


async def add_buildings(
    session: AsyncSession,
    ctx: NoticeContext,
    dispatcher: User,
    outage_id: int,
    building_ids: Iterable[int],
    *,
    now: datetime | None = None,
) -> Broadcast:
    """Newly affected houses hear of the outage; residents who already knew are not told again."""
    actor = require_dispatcher(dispatcher)
    now = now or utcnow()
    outage = await get_outage(session, outage_id)
    _open(outage)
    ids = await _checked_buildings(session, building_ids)
    rows = {
        r.building_id: r
        for r in (
            await session.scalars(select(OutageBuilding).where(OutageBuilding.outage_id == outage.id))
        ).all()
    }
    current = [i for i, r in rows.items() if r.removed_at is None]
    added = [i for i in ids if i not in current]
    if not added:
        return NOTHING
    for i in added:
        if i in rows:  # removed earlier, back again
            rows[i].removed_at = None
            rows[i].added_at = now
        else:
            session.add(OutageBuilding(outage_id=outage.id, building_id=i, added_at=now))
    event = record(session, actor, "outage", outage.id, "add_buildings", data={"buildings": added})
    await session.flush()
    if outage.status not in PUBLISHED:
        return NOTHING
    await alert_new_objects(session, ctx, actor, outage, now=now)
    knew = await notices.subscribers(session, current)
    fresh = await notices.subscribers(session, added)
    recipients = [r for key, r in fresh.items() if key not in knew]
    return await notices.broadcast(session, ctx, outage, "add", recipients, event_id=event.id)


async def remove_buildings(
    session: AsyncSession,
    ctx: NoticeContext,
    dispatcher: User,
    outage_id: int,
    building_ids: Iterable[int],
    *,
    now: datetime | None = None,
) -> Broadcast:
    """Residents of houses no longer affected are told so, unless another of their houses still is."""
    actor = require_dispatcher(dispatcher)
    now = now or utcnow()
    outage = await get_outage(session, outage_id)
    _open(outage)
    wanted = set(building_ids)
    rows = (
        await session.scalars(
            select(OutageBuilding).where(
                OutageBuilding.outage_id == outage.id, OutageBuilding.removed_at.is_(None)
            )
        )
    ).all()
    removed = [r for r in rows if r.building_id in wanted]
    if not removed:
        return NOTHING
    remaining = [r.building_id for r in rows if r.building_id not in wanted]
    if not remaining:
        raise InvalidInput("An outage must keep at least one building; cancel it instead.")
    for r in removed:
        r.removed_at = now
    removed_ids = sorted(r.building_id for r in removed)
    event = record(session, actor, "outage", outage.id, "remove_buildings", data={"buildings": removed_ids})
    await session.flush()
    if outage.status not in PUBLISHED:
        return NOTHING
    still = await notices.subscribers(session, remaining)
    gone = await notices.subscribers(session, removed_ids)
    recipients = [r for key, r in gone.items() if key not in still]
    return await notices.broadcast(session, ctx, outage, "remove", recipients, event_id=event.id)


async def finish(
    session: AsyncSession, ctx: NoticeContext, actor: Actor, outage: Outage, ended_at: datetime
) -> Broadcast:
    """Resolve an active outage; shared by the dispatcher command and the planned-outage scan."""
    if outage.status != S.ACTIVE:
        raise InvalidInput("Only an active outage can be resolved.")
    if ended_at < outage.starts_at:
        raise InvalidInput("The end cannot be before the start.")
    outage.status = S.RESOLVED
    outage.ended_at = ended_at
    record(
        session,
        actor,
        "outage",
        outage.id,
        "resolve",
        old_state=S.ACTIVE,
        new_state=S.RESOLVED,
        data={"ended_at": _iso(ended_at)},
    )
    await session.flush()
    recipients = notices.merge(
        await notices.subscribers(session, await current_building_ids(session, outage.id)),
        await notices.signal_authors(session, outage.id),
    )
    return await notices.broadcast(session, ctx, outage, "resolve", recipients.values())


async def resolve(
    session: AsyncSession,
    ctx: NoticeContext,
    dispatcher: User,
    outage_id: int,
    ended_at: datetime | None = None,
    *,
    now: datetime | None = None,
) -> Broadcast:
    """Supply restored: subscribers and residents whose signals are linked hear of it."""
    actor = require_dispatcher(dispatcher)
    now = now or utcnow()
    ended_at = ended_at or now
    if ended_at > now:
        raise InvalidInput("The end cannot be in the future.")
    return await finish(session, ctx, actor, await get_outage(session, outage_id), ended_at)


async def cancel(
    session: AsyncSession,
    ctx: NoticeContext,
    dispatcher: User,
    outage_id: int,
    reason: str | None = None,
) -> Broadcast:
    """Called off (or entered by mistake): its signals go back to the queue, subscribers are told."""
    actor = require_dispatcher(dispatcher)
    outage = await get_outage(session, outage_id)
    _open(outage)
    was = S(outage.status)
    outage.status = S.CANCELLED
    record(
        session,
        actor,
        "outage",
        outage.id,
        "cancel",
        old_state=was,
        new_state=S.CANCELLED,
        reason=(reason or "").strip() or None,
    )
    # The residents still lack the resource as far as we know: their reports need a new home.
    await session.execute(
        update(OutageSignal)
        .where(OutageSignal.outage_id == outage.id, OutageSignal.status == SignalStatus.LINKED)
        .values(status=SignalStatus.NEW, outage_id=None)
        .execution_options(synchronize_session="fetch")
    )
    await session.flush()
    if was not in PUBLISHED:
        return NOTHING
    recipients = await notices.subscribers(session, await current_building_ids(session, outage.id))
    return await notices.broadcast(session, ctx, outage, "cancel", recipients.values())


async def outages_at_building(session: AsyncSession, building_id: int, now: datetime) -> Sequence[Outage]:
    """What a resident asking about one house should see: active outages and planned ones ahead."""
    query = (
        select(Outage)
        .join(OutageBuilding, OutageBuilding.outage_id == Outage.id)
        .where(
            OutageBuilding.building_id == building_id,
            OutageBuilding.removed_at.is_(None),
            or_(
                Outage.status == S.ACTIVE,
                (Outage.status == S.PLANNED)
                & or_(Outage.expected_end_at.is_(None), Outage.expected_end_at > now),
            ),
        )
        .order_by(Outage.starts_at, Outage.id)
    )
    return (await session.scalars(query)).all()
