"""Telling people about incidents and updates, through the outbox.

- residents: a published update of an outage or incident goes to the subscribers of its houses
  and the residents whose reports it answers; a closed incident to its informant and subscribers;
- an organisation's people: a card when something is addressed to their organisation;
- dispatchers: a report waiting for their approval.

Callback data the bot's handlers unpack (``handlers/partners`` and ``handlers/incidents``):
``org:ack:<i|o>:<id>``, ``org:rep:<i|o>:<id>``, ``dupd:ok:<update id>``, ``dupd:no:<update id>``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Building,
    DispatchUpdate,
    Incident,
    Organisation,
    Outage,
    OutageSignal,
    TelegramAccount,
    User,
)
from models.enums import Role, SignalStatus, UpdatePublish
from services import outbox
from services.html_cut import cut_plain
from services.incidents.kinds import kind_label
from services.incidents.updates import Target, load
from services.notify import NoticeContext, Translator, html_escape, inline_keyboard
from services.outages import notices as outage_notices
from services.outages.lifecycle import current_building_ids
from services.outages.resources import get_resource, resource_name
from services.partners.members import member_chats, staff_chats

ORG_CB = "org"
DECIDE_CB = "dupd"


def ack_cb(target: Target) -> str:
    return f"{ORG_CB}:ack:{target.code}:{target.id}"


def report_cb(target: Target) -> str:
    return f"{ORG_CB}:rep:{target.code}:{target.id}"


def decide_cb(update_id: int, approve: bool) -> str:
    return f"{DECIDE_CB}:{'ok' if approve else 'no'}:{update_id}"


def title(row: Incident | Outage, t: Translator) -> str:
    """«🌳 Fallen tree № 2026-0012» or «💧 Cold water (outage № 5)»."""
    if isinstance(row, Incident):
        return t("%(kind)s № %(number)s", kind=kind_label(row.kind, t), number=row.journal_number)
    res = get_resource(row.resource)
    return t(
        "%(emoji)s %(resource)s (outage № %(id)s)",
        emoji=res.emoji,
        resource=resource_name(row.resource, t),
        id=row.id,
    )


async def place_lines(
    session: AsyncSession, row: Incident | Outage, t: Translator, *, limit: int = 10
) -> list[str]:
    if isinstance(row, Incident):
        building = await session.get(Building, row.building_id) if row.building_id else None
        place = outage_notices.address(building) if building is not None else (row.address_text or "")
        if not place and row.latitude is not None:
            place = f"{row.latitude:.5f}, {row.longitude:.5f}"
        return [t("Place: %(place)s", place=html_escape(place))]
    buildings = await outage_notices_buildings(session, row.id)
    names = [html_escape(outage_notices.address(b)) for b in buildings[:limit]]
    if len(buildings) > limit:
        names.append(t("…and %(n)s more", n=len(buildings) - limit))
    return [t("Houses: %(list)s", list="; ".join(names) or "—")]


class PlaceLines:
    """``place_lines`` once per language for a whole broadcast: an outage's house list is one query,
    not one per recipient."""

    def __init__(self, session: AsyncSession, row: Incident | Outage) -> None:
        self.session, self.row = session, row
        self._by_locale: dict[str, list[str]] = {}

    async def __call__(self, t: Translator) -> list[str]:
        if t.locale not in self._by_locale:
            self._by_locale[t.locale] = await place_lines(self.session, self.row, t)
        return self._by_locale[t.locale]


def resident_place(r: outage_notices.Recipient, t: Translator) -> list[str] | None:
    """A resident's own affected addresses, as the outage notices name them; None when unknown."""
    if not r.buildings:
        return None
    names = [html_escape(outage_notices.address(b)) for b in list(r.buildings.values())[:10]]
    if len(r.buildings) > len(names):
        names.append(t("…and %(n)s more", n=len(r.buildings) - len(names)))
    return [t("Your addresses: %(list)s", list="; ".join(names))]


async def outage_notices_buildings(session: AsyncSession, outage_id: int) -> list[Building]:
    ids = await current_building_ids(session, outage_id)
    if not ids:
        return []
    rows = await session.scalars(
        select(Building)
        .where(Building.id.in_(ids))
        .order_by(Building.street_key, Building.house_number, Building.house_key)
    )
    return list(rows.all())


async def _resident_recipients(
    session: AsyncSession, row: Incident | Outage
) -> dict[int, outage_notices.Recipient]:
    if isinstance(row, Outage):
        subs = await outage_notices.subscribers(session, await current_building_ids(session, row.id))
        return outage_notices.merge(subs, await outage_notices.signal_authors(session, row.id))
    groups = []
    if row.is_public and row.building_id is not None:
        groups.append(await outage_notices.subscribers(session, [row.building_id]))
    # The informant and every resident whose report was linked to it (several may report one tree).
    account_ids = {row.informant_telegram_id} - {None}
    account_ids |= set(
        (
            await session.scalars(
                select(OutageSignal.telegram_id).where(
                    OutageSignal.incident_id == row.id,
                    OutageSignal.status == SignalStatus.LINKED,
                    OutageSignal.telegram_id.is_not(None),
                )
            )
        ).all()
    )
    for account_id in sorted(i for i in account_ids if i is not None):
        account = await session.get(TelegramAccount, account_id)
        if account is not None and account.blocked_at is None:
            groups.append({account.id: outage_notices.Recipient(account.id, account.chat_id, account.locale)})
    return outage_notices.merge(*groups)


async def broadcast_update(
    session: AsyncSession, ctx: NoticeContext, update: DispatchUpdate
) -> outage_notices.Broadcast:
    """Queue a published update for the residents concerned (idempotent per update and chat)."""
    if update.publish != UpdatePublish.PUBLISHED:
        return outage_notices.Broadcast(None, 0)
    target = (
        Target("incident", update.incident_id)
        if update.incident_id
        else Target("outage", update.outage_id or 0)
    )
    row = await load(session, target)
    org = await session.get(Organisation, update.organisation_id) if update.organisation_id else None
    batch = f"{target.kind}:{row.id}:update-{update.id}"
    messages = []
    places = PlaceLines(session, row)
    for r in (await _resident_recipients(session, row)).values():
        t = Translator(r.locale or ctx.default_locale)
        # Outside the f-string: Babel does not extract calls inside one (the heading went untranslated).
        head = t("Update: %(title)s", title=title(row, t))
        lines = [f"<b>ℹ️ {html_escape(head)}</b>", ""]
        own = resident_place(r, t) if isinstance(row, Outage) else None
        lines += own if own is not None else await places(t)
        lines += ["", cut_plain(update.text, 2000)]
        if update.expected_end_at is not None:
            lines.append(t("Expected restoration: %(when)s", when=ctx.format_dt(update.expected_end_at)))
        if org is not None:
            lines.append(t("Reported by: %(org)s", org=html_escape(org.short_name or org.name)))
        messages.append(outbox.text_message(r.chat_id, "\n".join(lines), dedup_key=f"{batch}:{r.chat_id}"))
    return outage_notices.Broadcast(batch, await outbox.enqueue_many(session, messages, batch=batch))


async def notify_incident_closed(session: AsyncSession, ctx: NoticeContext, incident: Incident) -> int:
    batch = f"incident:{incident.id}:closed"
    messages = []
    places = PlaceLines(session, incident)
    for r in (await _resident_recipients(session, incident)).values():
        t = Translator(r.locale or ctx.default_locale)
        head = t("Closed: %(title)s", title=title(incident, t))
        lines = [f"<b>✅ {html_escape(head)}</b>", ""]
        lines += await places(t)
        if incident.closing_note:
            lines += ["", cut_plain(incident.closing_note, 2000)]
        messages.append(
            outbox.text_message(
                r.chat_id, "\n".join(lines), dedup_key=f"{batch}-{incident.closed_at}:{r.chat_id}"
            )
        )
    return await outbox.enqueue_many(session, messages, batch=batch)


async def notify_assigned(
    session: AsyncSession,
    ctx: NoticeContext,
    target: Target,
    *,
    event_id: int | None = None,
    reminder: bool = False,
) -> int:
    """A card to every reachable person of the responsible organisation: acknowledge or report.
    ``reminder``: the scheduler's repeat when no one has acknowledged it (see ``nudges``)."""
    row = await load(session, target)
    if row.responsible_organisation_id is None:
        return 0
    messages = []
    places = PlaceLines(session, row)
    for user, chat_id in await member_chats(session, row.responsible_organisation_id):
        t = Translator(ctx.locale_of(user))
        head = (
            t("Reminder: please acknowledge %(title)s", title=title(row, t))
            if reminder
            else t("For your organisation: %(title)s", title=title(row, t))
        )
        lines = [f"<b>{'⏰' if reminder else '📌'} {html_escape(head)}</b>", ""]
        lines += await places(t)
        text = row.description
        if text:
            lines += ["", cut_plain(text, 1500)]
        if row.expected_end_at is not None:
            lines.append(t("Expected restoration: %(when)s", when=ctx.format_dt(row.expected_end_at)))
        markup = inline_keyboard(
            [[(t("✅ Acknowledge"), ack_cb(target)), (t("📝 Report"), report_cb(target))]]
        )
        tag = (f"-r{event_id}" if reminder else f"-e{event_id}") if event_id is not None else ""
        messages.append(
            outbox.text_message(
                chat_id,
                "\n".join(lines),
                reply_markup=markup,
                dedup_key=f"{target.kind}:{row.id}:org{row.responsible_organisation_id}{tag}:{chat_id}",
            )
        )
    # Before any mass broadcast: the people who must act come first.
    return await outbox.enqueue_many(session, messages, priority=20)


async def dispatcher_chats(session: AsyncSession) -> list[tuple[User, int]]:
    return await staff_chats(session, role=Role.DISPATCHER)


async def ask_dispatchers(session: AsyncSession, ctx: NoticeContext, update: DispatchUpdate) -> int:
    """A pending report: each dispatcher may let it through to residents or keep it internal."""
    target = (
        Target("incident", update.incident_id)
        if update.incident_id
        else Target("outage", update.outage_id or 0)
    )
    row = await load(session, target)
    org = await session.get(Organisation, update.organisation_id) if update.organisation_id else None
    messages = []
    for user, chat_id in await dispatcher_chats(session):
        t = Translator(ctx.locale_of(user))
        head = t("Report for residents: %(title)s", title=title(row, t))
        lines = [f"<b>📝 {html_escape(head)}</b>"]
        if org is not None:
            lines.append(t("From: %(org)s", org=html_escape(org.name)))
        lines += ["", cut_plain(update.text, 2000)]
        if update.expected_end_at is not None:
            lines.append(t("Expected restoration: %(when)s", when=ctx.format_dt(update.expected_end_at)))
        markup = inline_keyboard(
            [
                [
                    (t("📢 Publish to residents"), decide_cb(update.id, True)),
                    (t("🗄 Keep internal"), decide_cb(update.id, False)),
                ]
            ]
        )
        messages.append(
            outbox.text_message(
                chat_id, "\n".join(lines), reply_markup=markup, dedup_key=f"dupd:{update.id}:{chat_id}"
            )
        )
    return await outbox.enqueue_many(session, messages, priority=20)


async def notify_author_decided(session: AsyncSession, ctx: NoticeContext, update: DispatchUpdate) -> int:
    """The organisation's person who reported hears of the dispatcher's decision (once per update)."""
    if update.author_user_id is None or update.publish not in (
        UpdatePublish.PUBLISHED,
        UpdatePublish.REJECTED,
    ):
        return 0
    author = await session.get(User, update.author_user_id)
    chat_id = await session.scalar(
        select(TelegramAccount.chat_id).where(
            TelegramAccount.user_id == update.author_user_id, TelegramAccount.blocked_at.is_(None)
        )
    )
    if author is None or not author.is_active or chat_id is None:
        return 0
    t = Translator(ctx.locale_of(author))
    target = (
        Target("incident", update.incident_id)
        if update.incident_id
        else Target("outage", update.outage_id or 0)
    )
    name = html_escape(title(await load(session, target), t))
    if update.publish == UpdatePublish.PUBLISHED:
        text = t("📢 The dispatcher published your report to residents: %(title)s", title=name)
    else:
        text = t(
            "🗄 The dispatcher kept your report in the journal; residents do not see it: %(title)s", title=name
        )
    text += "\n\n" + cut_plain(update.text, 500)
    message = outbox.text_message(chat_id, text, dedup_key=f"dupd:{update.id}:author")
    return await outbox.enqueue_many(session, [message], priority=20)
