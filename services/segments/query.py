"""A segment's filters compiled to ONE query over correspondents.

Every criterion is an ``EXISTS`` (or ``NOT EXISTS``) correlated with the correspondent row, so the
database walks the card list once and probes indexed child tables; nothing is filtered in Python.
Merged cards (``merged_into_id``) and erased ones (``pd_erasures``) are never members.

A person's Telegram accounts are those linked to the card (``TelegramAccount.correspondent_id``)
or the one the card names (``Correspondent.telegram_id``); address subscriptions hang off them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Appeal,
    Building,
    Correspondent,
    CorrespondentTag,
    EventRegistration,
    Form,
    FormSubmission,
    MailingConsent,
    MuseumEvent,
    PdErasure,
    Subscription,
    TelegramAccount,
    utcnow,
)
from models.enums import MailingConsentStatus, RegistrationStatus
from services.addresses.normalize import normalize_street
from services.segments.filters import Channel, ConsentFilter, SegmentFilters
from services.streamed import row_parts

C = Correspondent
PREVIEW_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Member:
    correspondent_id: int
    name: str
    telegram_chat_id: int | None  # a chat the bot may write to (not blocked); None: no Telegram
    email: str | None
    consent_status: str | None  # MailingConsentStatus, None: never asked


def _exists(*where: ColumnElement[bool]) -> ColumnElement[bool]:
    """``EXISTS (… WHERE …)`` correlated with the card only: the members query joins the consent
    table, which must not leak into the subqueries that look at it."""
    return exists().where(*where).correlate(C)


def _own_account() -> ColumnElement[bool]:
    """The Telegram accounts of the card ``C`` (correlated)."""
    return or_(TelegramAccount.correspondent_id == C.id, TelegramAccount.id == C.telegram_id)


def _local_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def _tags(f: SegmentFilters) -> list[ColumnElement[bool]]:
    tag = CorrespondentTag
    mine = tag.correspondent_id == C.id
    out: list[ColumnElement[bool]] = []
    if f.tags.any:
        out.append(_exists(mine, tag.tag.in_(f.tags.any)))
    out.extend(_exists(mine, tag.tag == t) for t in f.tags.all)
    if f.tags.none:
        out.append(not_(_exists(mine, tag.tag.in_(f.tags.none))))
    return out


def _forms(f: SegmentFilters, tz: tzinfo) -> list[ColumnElement[bool]]:
    if not f.forms.ids:
        return []
    where = [FormSubmission.correspondent_id == C.id, FormSubmission.form_id.in_(f.forms.ids)]
    if f.forms.since:
        where.append(FormSubmission.created_at >= _local_start(f.forms.since, tz))
    if f.forms.until:
        where.append(FormSubmission.created_at < _local_start(f.forms.until + timedelta(days=1), tz))
    return [_exists(*where)]


def _events(f: SegmentFilters) -> list[ColumnElement[bool]]:
    reg = EventRegistration
    out: list[ColumnElement[bool]] = []
    if f.events.attended:
        out.append(
            _exists(
                reg.correspondent_id == C.id, reg.event_id.in_(f.events.attended), reg.attended.is_(true())
            )
        )
    if f.events.registered:
        out.append(
            _exists(
                reg.correspondent_id == C.id,
                reg.event_id.in_(f.events.registered),
                reg.status != RegistrationStatus.CANCELLED.value,
            )
        )
    return out


def _programmes(f: SegmentFilters) -> list[ColumnElement[bool]]:
    if not f.programmes:
        return []
    by_form = _exists(
        FormSubmission.correspondent_id == C.id,
        FormSubmission.form_id == Form.id,
        Form.programme.in_(f.programmes),
    )
    by_event = _exists(
        EventRegistration.correspondent_id == C.id,
        EventRegistration.attended.is_(true()),
        EventRegistration.event_id == MuseumEvent.id,
        MuseumEvent.programme.in_(f.programmes),
    )
    return [or_(by_form, by_event)]


def _address(f: SegmentFilters) -> list[ColumnElement[bool]]:
    a = f.address
    if a is None:
        return []
    where: list[ColumnElement[bool]] = [Subscription.telegram_id == TelegramAccount.id, _own_account()]
    if a.building_id is not None:
        where.append(Subscription.building_id == a.building_id)
    if a.street:
        where += [Building.id == Subscription.building_id, Building.street_key == normalize_street(a.street)]
    clause = _exists(*where)
    return [clause if a.subscribed else not_(clause)]


def _channel(f: SegmentFilters) -> list[ColumnElement[bool]]:
    if f.channel == Channel.TELEGRAM:
        return [_exists(_own_account(), TelegramAccount.blocked_at.is_(None))]
    if f.channel == Channel.EMAIL:
        return [and_(C.email.is_not(None), C.email != "")]
    return []


def _activity(f: SegmentFilters, now: datetime) -> list[ColumnElement[bool]]:
    days = f.activity.active_days or f.activity.inactive_days
    if not days:
        return []
    cutoff = now - timedelta(days=days)
    active = or_(
        _exists(_own_account(), TelegramAccount.last_seen_at >= cutoff),
        _exists(FormSubmission.correspondent_id == C.id, FormSubmission.created_at >= cutoff),
        _exists(EventRegistration.correspondent_id == C.id, EventRegistration.created_at >= cutoff),
        _exists(Appeal.correspondent_id == C.id, Appeal.registered_at >= cutoff),
    )
    return [active if f.activity.active_days else not_(active)]


def _consent(f: SegmentFilters) -> list[ColumnElement[bool]]:
    mine = MailingConsent.correspondent_id == C.id
    if f.consent == ConsentFilter.ANY:
        return []
    if f.consent == ConsentFilter.NONE:
        return [not_(_exists(mine))]
    return [_exists(mine, MailingConsent.status == MailingConsentStatus(f.consent.value).value)]


def conditions(
    f: SegmentFilters, *, now: datetime | None = None, tz: tzinfo = UTC
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a spec, all correlated with ``Correspondent``."""
    clauses: list[ColumnElement[bool]] = [
        C.merged_into_id.is_(None),
        not_(_exists(PdErasure.correspondent_id == C.id)),
    ]
    clauses += _tags(f) + _forms(f, tz) + _events(f) + _programmes(f)
    if f.topics:
        clauses.append(_exists(Appeal.correspondent_id == C.id, Appeal.category_id.in_(f.topics)))
    clauses += _address(f) + _channel(f) + _activity(f, now or utcnow()) + _consent(f)
    return clauses


def select_ids(f: SegmentFilters, *, now: datetime | None = None, tz: tzinfo = UTC) -> Select[tuple[int]]:
    """``SELECT correspondents.id … WHERE <every criterion>``: usable as a subquery (mailings)."""
    return select(C.id).where(*conditions(f, now=now, tz=tz))


async def count(
    session: AsyncSession, f: SegmentFilters, *, now: datetime | None = None, tz: tzinfo = UTC
) -> int:
    query = select(func.count()).select_from(C).where(*conditions(f, now=now, tz=tz))
    return int((await session.execute(query)).scalar_one())


def _chat_id() -> ColumnElement[int | None]:
    """The chat of the most recently seen, not blocked account of the card (correlated)."""
    return (
        select(TelegramAccount.chat_id)
        .where(_own_account(), TelegramAccount.blocked_at.is_(None))
        .order_by(TelegramAccount.last_seen_at.desc(), TelegramAccount.id)
        .limit(1)
        .correlate(C)
        .scalar_subquery()
    )


def _members_query(f: SegmentFilters, *, now: datetime | None, tz: tzinfo) -> Select[Any]:
    return (
        select(C.id, C.name, _chat_id(), C.email, MailingConsent.status)
        .outerjoin(MailingConsent, MailingConsent.correspondent_id == C.id)
        .where(*conditions(f, now=now, tz=tz))
        .order_by(C.name_search, C.name, C.id)
    )


async def members(
    session: AsyncSession,
    f: SegmentFilters,
    *,
    limit: int | None = None,
    offset: int = 0,
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> list[Member]:
    """The members by name (then id): contacts for sending, the consent for the panel."""
    query = _members_query(f, now=now, tz=tz).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [Member(r[0], r[1], r[2], r[3] or None, r[4]) for r in (await session.execute(query)).all()]


async def members_in_parts(
    session: AsyncSession, f: SegmentFilters, *, limit: int, now: datetime | None = None, tz: tzinfo = UTC
) -> AsyncIterator[list[Member]]:
    """``members`` for an export: thousands of them, read a part at a time."""
    async with contextlib.aclosing(
        row_parts(session, _members_query(f, now=now, tz=tz).limit(limit))
    ) as parts:
        async for part in parts:
            yield [Member(r[0], r[1], r[2], r[3] or None, r[4]) for r in part]


__all__ = ["PREVIEW_LIMIT", "Member", "conditions", "count", "members", "members_in_parts", "select_ids"]
