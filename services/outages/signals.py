"""Residents' signals ("no hot water at Lenina 5") and the dispatcher's queue of them.

A signal is NEW while it waits in the queue, LINKED once the dispatcher ties it to an outage (its
author then hears when supply is restored), DISMISSED when it needs no outage. "Still not restored"
after a resolve puts it back to NEW, keeping ``outage_id`` as the outage it came back from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, Outage, OutageBuilding, OutageSignal, TelegramAccount, User, utcnow
from models.enums import OutageKind, OutageStatus, SignalStatus
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound
from services.outages.lifecycle import OPEN, NewOutage, create_outage, get_outage, require_dispatcher
from services.outages.resources import offered_resource
from services.textfold import fold

TEXT_LIMIT = 2000


@dataclass(slots=True)
class SignalGroup:
    """Signals about one house and resource (or one unrecognised address text)."""

    resource: str
    building: Building | None
    address_text: str | None
    signal_ids: list[int] = field(default_factory=list)
    first_at: datetime | None = None
    last_at: datetime | None = None
    reopened: int = 0  # signals among them that came back after a resolve
    open_outage_ids: list[int] = field(default_factory=list)  # where they could be linked

    @property
    def count(self) -> int:
        return len(self.signal_ids)


def address_key(text: str | None) -> str:
    """An address as typed, folded for comparison (case, ё, spaces)."""
    return " ".join(fold(text).split())


async def report_signal(
    session: AsyncSession,
    telegram_id: int,
    building_id: int | None,
    address_text: str | None,
    resource: str,
    text: str = "",
    *,
    now: datetime | None = None,
) -> OutageSignal:
    """Queue a report; a repeated one (same author, house and resource still waiting) is not doubled."""
    offered_resource(resource)
    return await queue_signal(session, telegram_id, building_id, address_text, resource, text, now=now)


async def queue_signal(
    session: AsyncSession,
    telegram_id: int,
    building_id: int | None,
    address_text: str | None,
    resource: str,
    text: str = "",
    *,
    incident_kind: str | None = None,
    now: datetime | None = None,
) -> OutageSignal:
    """A resident's report of a resource (or, with ``incident_kind``, of an incident) with its checked
    resource or kind: the one still waiting from the same author about the same place is returned
    instead of a second."""
    if await session.get(TelegramAccount, telegram_id) is None:
        raise NotFound("Telegram account not found.")
    address_text = (address_text or "").strip()[:500] or None
    if building_id is not None and await session.get(Building, building_id) is None:
        raise NotFound("Building not found.")
    if building_id is None and address_text is None:
        raise InvalidInput("Tell us the address.")
    waiting = (
        await session.scalars(
            select(OutageSignal).where(
                OutageSignal.telegram_id == telegram_id,
                OutageSignal.resource == resource,
                OutageSignal.status == SignalStatus.NEW,
                OutageSignal.incident_kind.is_(None)
                if incident_kind is None
                else OutageSignal.incident_kind == incident_kind,
                OutageSignal.building_id.is_(None)
                if building_id is None
                else OutageSignal.building_id == building_id,
            )
        )
    ).all()
    for signal in waiting:
        if building_id is not None or address_key(signal.address_text) == address_key(address_text):
            return signal
    signal = OutageSignal(
        telegram_id=telegram_id,
        building_id=building_id,
        address_text=address_text,
        resource=resource,
        incident_kind=incident_kind,
        text=(text or "").strip()[:TEXT_LIMIT],
        status=SignalStatus.NEW,
        created_at=now or utcnow(),
    )
    session.add(signal)
    await session.flush()
    data: dict[str, object] = {"building": building_id, "resource": resource}
    if incident_kind is not None:
        data["incident_kind"] = incident_kind
    record(
        session,
        Actor(telegram_id=telegram_id),
        "outage_signal",
        signal.id,
        "report",
        new_state=SignalStatus.NEW,
        data=data,
    )
    await session.flush()
    return signal


async def signal_queue(session: AsyncSession) -> list[SignalGroup]:
    """Waiting signals grouped by (house, resource), the biggest and oldest groups first."""
    signals = (
        await session.scalars(
            select(OutageSignal)
            # Reports of incidents (a fallen tree) wait in their own queue (services.incidents.signals).
            .where(OutageSignal.status == SignalStatus.NEW, OutageSignal.incident_kind.is_(None))
            .order_by(OutageSignal.created_at, OutageSignal.id)
        )
    ).all()
    building_ids = {s.building_id for s in signals if s.building_id is not None}
    buildings = (
        {
            b.id: b
            for b in (await session.scalars(select(Building).where(Building.id.in_(building_ids)))).all()
        }
        if building_ids
        else {}
    )
    groups: dict[tuple[object, ...], SignalGroup] = {}
    for s in signals:
        key: tuple[object, ...] = (
            (s.resource, s.building_id)
            if s.building_id is not None
            else (s.resource, None, address_key(s.address_text))
        )
        g = groups.get(key)
        if g is None:
            g = groups[key] = SignalGroup(
                s.resource, buildings.get(s.building_id or 0), None if s.building_id else s.address_text
            )
            g.first_at = s.created_at
        g.signal_ids.append(s.id)
        g.last_at = s.created_at
        g.reopened += 1 if s.reopened_count else 0
    if building_ids:
        rows = await session.execute(
            select(OutageBuilding.building_id, Outage.resource, Outage.id)
            .join(Outage, Outage.id == OutageBuilding.outage_id)
            .where(
                OutageBuilding.building_id.in_(building_ids),
                OutageBuilding.removed_at.is_(None),
                Outage.status.in_([OutageStatus.DRAFT, OutageStatus.PLANNED, OutageStatus.ACTIVE]),
            )
            .order_by(Outage.id)
        )
        for b_id, resource, outage_id in rows.all():
            if (g := groups.get((resource, b_id))) is not None:
                g.open_outage_ids.append(outage_id)
    return sorted(groups.values(), key=lambda g: (-g.count, g.signal_ids[0]))


async def _signals(session: AsyncSession, signal_ids: Iterable[int]) -> Sequence[OutageSignal]:
    ids = list(dict.fromkeys(signal_ids))
    if not ids:
        raise InvalidInput("Choose at least one signal.")
    found = (await session.scalars(select(OutageSignal).where(OutageSignal.id.in_(ids)))).all()
    if len(found) != len(ids):
        raise NotFound("Signal not found.")
    return found


async def link_signals(
    session: AsyncSession, dispatcher: User, signal_ids: Iterable[int], outage_id: int
) -> int:
    """Tie waiting signals to an open outage; returns how many changed (already linked: no-op)."""
    actor = require_dispatcher(dispatcher)
    outage = await get_outage(session, outage_id)
    if outage.status not in OPEN:
        raise InvalidInput("The outage is already closed.")
    found = await _signals(session, signal_ids)
    if any(s.resource != outage.resource for s in found):
        raise InvalidInput("The reports are about another resource.")
    changed = 0
    for s in found:
        if s.status == SignalStatus.LINKED and s.outage_id == outage.id:
            continue
        if s.status == SignalStatus.DISMISSED:
            raise InvalidInput("The signal is dismissed.")
        old = s.status
        s.status = SignalStatus.LINKED
        s.outage_id = outage.id
        record(
            session,
            actor,
            "outage_signal",
            s.id,
            "link",
            old_state=old,
            new_state=SignalStatus.LINKED,
            data={"outage": outage.id},
        )
        changed += 1
    await session.flush()
    return changed


async def dismiss_signals(
    session: AsyncSession, dispatcher: User, signal_ids: Iterable[int], reason: str | None = None
) -> int:
    actor = require_dispatcher(dispatcher)
    changed = 0
    for s in await _signals(session, signal_ids):
        if s.status != SignalStatus.NEW:
            continue
        s.status = SignalStatus.DISMISSED
        record(
            session,
            actor,
            "outage_signal",
            s.id,
            "dismiss",
            old_state=SignalStatus.NEW,
            new_state=SignalStatus.DISMISSED,
            reason=reason,
        )
        changed += 1
    await session.flush()
    return changed


@dataclass(frozen=True, slots=True)
class SignalsOutage:
    """An outage made from residents' reports: by default an accident of the reports' resource,
    over their houses, from the first report on."""

    kind: str = OutageKind.ACCIDENT
    resource: str | None = None
    starts_at: datetime | None = None
    expected_end_at: datetime | None = None
    description: str = ""
    extra_building_ids: Iterable[int] = ()


async def create_outage_from_signals(
    session: AsyncSession,
    dispatcher: User,
    signal_ids: Iterable[int],
    data: SignalsOutage = SignalsOutage(),
    *,
    now: datetime | None = None,
) -> Outage:
    """A draft outage over the signals' houses, starting at the first report, signals linked."""
    require_dispatcher(dispatcher)
    resource, extra_building_ids = data.resource, data.extra_building_ids
    signals = await _signals(session, signal_ids)
    resources = {s.resource for s in signals}
    if resource is None:
        if len(resources) > 1:
            raise InvalidInput("The signals are about different resources.")
        resource = resources.pop()
    building_ids = [s.building_id for s in signals if s.building_id is not None] + list(extra_building_ids)
    if not building_ids:
        raise InvalidInput("Choose at least one building.")
    outage = await create_outage(
        session,
        dispatcher,
        NewOutage(
            kind=data.kind,
            resource=resource,
            building_ids=building_ids,
            starts_at=data.starts_at or min(s.created_at for s in signals),
            expected_end_at=data.expected_end_at,
            description=data.description,
        ),
        now=now,
    )
    await link_signals(session, dispatcher, [s.id for s in signals], outage.id)
    return outage


async def reopen_signal(session: AsyncSession, telegram_id: int, signal_id: int) -> OutageSignal:
    """The "still not restored" button under a restored notice: back to the queue (idempotent)."""
    signal = await session.get(OutageSignal, signal_id)
    if signal is None or signal.telegram_id != telegram_id:
        raise NotFound("Signal not found.")
    if signal.status == SignalStatus.NEW:
        return signal
    outage = await session.get(Outage, signal.outage_id) if signal.outage_id is not None else None
    if signal.status != SignalStatus.LINKED or outage is None or outage.status != OutageStatus.RESOLVED:
        raise InvalidInput("The outage is not resolved yet.")
    signal.status = SignalStatus.NEW
    signal.reopened_count += 1
    record(
        session,
        Actor(telegram_id=telegram_id),
        "outage_signal",
        signal.id,
        "reopen",
        old_state=SignalStatus.LINKED,
        new_state=SignalStatus.NEW,
        data={"outage": outage.id, "reopened": signal.reopened_count},
    )
    await session.flush()
    return signal
