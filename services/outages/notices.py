"""Outage notices to residents, queued in the outbox.

A resident gets one message per (outage, event) however many of their addresses are affected:
recipients are grouped by Telegram account, and the dedup key ``outage:<id>:<event>:<chat>`` keeps a
retried command or scan from queueing it twice. ``batch`` lets the dispatcher's preview show progress.
Each notice is rendered in its reader's language: a staff member's ``User.locale``, else the
language a resident chose in the bot (``TelegramAccount.locale``), else the product's default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, Outage, OutageSignal, Subscription, TelegramAccount, User
from models.enums import OutageKind, SignalStatus
from services import outbox
from services.html_cut import cut_plain
from services.notify import N_, NoticeContext, Translator, html_escape, inline_keyboard
from services.outages.resources import get_resource, resource_name

SIGNAL_CB_PREFIX = "osig"
ADDRESS_LIST_LIMIT = 10
# The reader's language: staff choose on their user row, residents on their Telegram account.
READER_LOCALE = func.coalesce(User.locale, TelegramAccount.locale)
REOPEN_BUTTON_LIMIT = 3


def reopen_cb(signal_id: int) -> str:
    return f"{SIGNAL_CB_PREFIX}:reopen:{signal_id}"


def batch_name(outage_id: int, event: str) -> str:
    return f"outage:{outage_id}:{event}"


@dataclass(frozen=True, slots=True)
class Broadcast:
    """What a notifying command queued: ``batch`` feeds ``outbox.batch_progress``."""

    batch: str | None
    queued: int


@dataclass(slots=True)
class Recipient:
    telegram_id: int
    chat_id: int
    locale: str | None = None
    buildings: dict[int, Building] = field(default_factory=dict)  # the reader's affected addresses
    signal_ids: list[int] = field(default_factory=list)  # their signals linked to the outage


def address(b: Building) -> str:
    text = f"{b.street}, {b.house}"
    return f"{text} ({b.name})" if b.name else text


async def subscribers(session: AsyncSession, building_ids: Iterable[int]) -> dict[int, Recipient]:
    """Accounts subscribed to any of the buildings, blocked ones left out, keyed by account id."""
    ids = set(building_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(TelegramAccount, Building, READER_LOCALE)
        .join(Subscription, Subscription.telegram_id == TelegramAccount.id)
        .join(Building, Building.id == Subscription.building_id)
        .outerjoin(User, User.id == TelegramAccount.user_id)
        .where(Subscription.building_id.in_(ids), TelegramAccount.blocked_at.is_(None))
        .order_by(TelegramAccount.id, Building.street_key, Building.house_number, Building.house_key)
    )
    result: dict[int, Recipient] = {}
    for account, building, locale in rows.all():
        r = result.setdefault(account.id, Recipient(account.id, account.chat_id, locale))
        r.buildings[building.id] = building
    return result


async def signal_authors(session: AsyncSession, outage_id: int) -> dict[int, Recipient]:
    """Residents whose signals are linked to the outage (they may not be subscribers)."""
    rows = await session.execute(
        select(TelegramAccount, OutageSignal, Building, READER_LOCALE)
        .join(OutageSignal, OutageSignal.telegram_id == TelegramAccount.id)
        .outerjoin(Building, Building.id == OutageSignal.building_id)
        .outerjoin(User, User.id == TelegramAccount.user_id)
        .where(
            OutageSignal.outage_id == outage_id,
            OutageSignal.status == SignalStatus.LINKED,
            TelegramAccount.blocked_at.is_(None),
        )
        .order_by(OutageSignal.id)
    )
    result: dict[int, Recipient] = {}
    for account, signal, building, locale in rows.all():
        r = result.setdefault(account.id, Recipient(account.id, account.chat_id, locale))
        r.signal_ids.append(signal.id)
        if building is not None:
            r.buildings[building.id] = building
    return result


def merge(*groups: dict[int, Recipient]) -> dict[int, Recipient]:
    merged: dict[int, Recipient] = {}
    for group in groups:
        for key, r in group.items():
            if key not in merged:
                merged[key] = Recipient(r.telegram_id, r.chat_id, r.locale)
            merged[key].buildings.update(r.buildings)
            merged[key].signal_ids.extend(r.signal_ids)
    return merged


def headline_for(outage: Outage, event: str) -> str:
    """The msgid of the first line; ``event`` is the notice kind without its event-id suffix."""
    accident = outage.kind == OutageKind.ACCIDENT
    return {
        "publish": N_("⚠️ Emergency outage: %(resource)s")
        if accident
        else N_("🛠 Planned outage: %(resource)s"),
        "add": N_("⚠️ Emergency outage: %(resource)s") if accident else N_("🛠 Planned outage: %(resource)s"),
        "warn": N_("⏰ Planned outage soon: %(resource)s"),
        "start": N_("🛠 Planned outage has begun: %(resource)s"),
        "extend": N_("⏳ Outage extended: %(resource)s"),
        "remove": N_("✅ The outage no longer concerns your address: %(resource)s"),
        "resolve": N_("✅ Supply restored: %(resource)s"),
        "cancel": N_("❎ Outage cancelled: %(resource)s"),
    }[event]


def render(outage: Outage, event: str, r: Recipient, t: Translator, ctx: NoticeContext) -> str:
    res = get_resource(outage.resource)
    headline = t(headline_for(outage, event), resource=resource_name(outage.resource, t))
    lines = [f"<b>{res.emoji} {html_escape(headline)}</b>", ""]
    if event == "resolve" and outage.ended_at is not None:
        lines.append(t("Restored at: %(when)s", when=ctx.format_dt(outage.ended_at)))
    elif event not in ("remove", "cancel"):
        lines.append(t("Start: %(when)s", when=ctx.format_dt(outage.starts_at)))
        if outage.expected_end_at is not None:
            lines.append(t("Expected end: %(when)s", when=ctx.format_dt(outage.expected_end_at)))
        else:
            lines.append(t("Expected end: not yet known"))
    if outage.description and event not in ("remove", "resolve"):
        lines += ["", cut_plain(outage.description, 1500)]
    if r.buildings:
        names = [html_escape(address(b)) for b in list(r.buildings.values())[:ADDRESS_LIST_LIMIT]]
        more = len(r.buildings) - len(names)
        if more > 0:
            names.append(t("…and %(n)s more", n=more))
        lines += ["", t("Your addresses: %(list)s", list="; ".join(names))]
    if r.signal_ids and event == "resolve":
        lines += ["", t("If the supply is still not restored at your address, press the button below.")]
    return "\n".join(lines)


async def broadcast(
    session: AsyncSession,
    ctx: NoticeContext,
    outage: Outage,
    event: str,
    recipients: Iterable[Recipient],
    *,
    event_id: int | None = None,
) -> Broadcast:
    """Queue one notice per recipient (the count is of new rows). ``event_id`` (an audit event)
    tells repeated events of one kind apart (two extensions are two notices)."""
    tag = f"{event}-e{event_id}" if event_id is not None else event
    messages = []
    for r in recipients:
        t = Translator(r.locale or ctx.default_locale)
        markup = None
        if event == "resolve" and r.signal_ids:
            markup = inline_keyboard(
                [[(t("❗ Still not restored"), reopen_cb(sid))] for sid in r.signal_ids[:REOPEN_BUTTON_LIMIT]]
            )
        messages.append(
            outbox.text_message(
                r.chat_id,
                render(outage, event, r, t, ctx),
                reply_markup=markup,
                dedup_key=f"{batch_name(outage.id, tag)}:{r.chat_id}",
            )
        )
    batch = batch_name(outage.id, tag)
    return Broadcast(batch, await outbox.enqueue_many(session, messages, batch=batch))
