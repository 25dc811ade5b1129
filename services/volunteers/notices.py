"""What volunteers are told in the bot, through the outbox: status changes and assignments to events.

A volunteer hears only in the chat of a Telegram account that holds their CRM card (linked to it, or
the card filed under that account's id) and has not blocked the bot; a card without one is simply
not told (staff see that on the volunteer's page). Buttons are ``vol:<action>:<shift id>``, the
strings ``handlers.volunteers.callbacks.ShiftCallback`` packs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, MuseumEvent, TelegramAccount, User, Volunteer, VolunteerShift
from models.enums import VolunteerStatus
from services import outbox
from services.notify import N_, NoticeContext, Translator, html_escape, inline_keyboard
from services.telegram_accounts import staff_chats

CB_PREFIX = "vol"
CONFIRM = "ok"
DECLINE = "no"

STATUS_TEXTS = {
    VolunteerStatus.ACTIVE: N_(
        "🙋 You are now an active volunteer of the museum. Thank you! "
        "We will write here when we invite you to an event."
    ),
    VolunteerStatus.PAUSED: N_("⏸ Your volunteering is paused. Write to us when you want to come back."),
    VolunteerStatus.LEFT: N_("Your volunteering is finished. Thank you for your help!"),
}
RESUMED_TEXT = N_("🙋 Your volunteering is resumed. Welcome back!")


def cb(action: str, shift_id: int) -> str:
    return f"{CB_PREFIX}:{action}:{shift_id}"


@dataclass(frozen=True, slots=True)
class Chat:
    chat_id: int
    locale: str


async def chat_of(session: AsyncSession, correspondent_id: int, ctx: NoticeContext) -> Chat | None:
    """The chat a card's person is reached in, or None (no Telegram, or they blocked the bot)."""
    account = await session.scalar(
        select(TelegramAccount)
        .where(
            or_(
                TelegramAccount.correspondent_id == correspondent_id,
                TelegramAccount.id.in_(
                    select(Correspondent.telegram_id).where(
                        Correspondent.id == correspondent_id, Correspondent.telegram_id.is_not(None)
                    )
                ),
            ),
        )
        .order_by(TelegramAccount.blocked_at.is_not(None), TelegramAccount.last_seen_at.desc())
        .limit(1)
    )
    if account is None or account.blocked_at is not None:
        return None
    return Chat(account.chat_id, account.locale or ctx.default_locale)


async def status_changed(
    session: AsyncSession, volunteer: Volunteer, old: str, *, ctx: NoticeContext
) -> bool:
    chat = await chat_of(session, volunteer.correspondent_id, ctx)
    if chat is None:
        return False
    t = Translator(chat.locale)
    resumed = volunteer.status == VolunteerStatus.ACTIVE and old == VolunteerStatus.PAUSED
    text = t(RESUMED_TEXT if resumed else STATUS_TEXTS[VolunteerStatus(volunteer.status)])
    key = f"vol-status:{volunteer.id}:{volunteer.status}:{volunteer.updated_at:%Y%m%d%H%M%S%f}:{chat.chat_id}"
    await outbox.enqueue_many(session, [outbox.text_message(chat.chat_id, text, dedup_key=key[:191])])
    return True


def shift_lines(shift: VolunteerShift, event: MuseumEvent, t: Translator, ctx: NoticeContext) -> list[str]:
    lines = [f"<b>{html_escape(event.title)}</b>"]
    if event.place:
        lines.append(t("Place: %(place)s", place=html_escape(event.place)))
    end = ctx.local(shift.ends_at)
    lines.append(
        t("Time: %(start)s–%(end)s", start=ctx.format_dt(shift.starts_at), end=end.strftime("%H:%M"))
    )
    if shift.role:
        lines.append(t("Role: %(role)s", role=html_escape(shift.role)))
    return lines


async def shift_assigned(
    session: AsyncSession,
    volunteer: Volunteer,
    shift: VolunteerShift,
    event: MuseumEvent,
    *,
    ctx: NoticeContext,
) -> bool:
    """The invitation with «Confirm» / «Decline»; False when the person has no chat to be told in."""
    chat = await chat_of(session, volunteer.correspondent_id, ctx)
    if chat is None:
        return False
    t = Translator(chat.locale)
    text = "\n".join(
        [
            t("🙋 You are invited to volunteer at an event."),
            "",
            *shift_lines(shift, event, t, ctx),
            "",
            t("Will you come?"),
        ]
    )
    markup = inline_keyboard(
        [[(t("✅ I will come"), cb(CONFIRM, shift.id)), (t("✖ I can't"), cb(DECLINE, shift.id))]]
    )
    key = f"vol-shift:{shift.id}:{shift.updated_at:%Y%m%d%H%M%S%f}:{chat.chat_id}"
    await outbox.enqueue_many(
        session, [outbox.text_message(chat.chat_id, text, reply_markup=markup, dedup_key=key)]
    )
    return True


async def shift_declined(
    session: AsyncSession,
    volunteer: Volunteer,
    shift: VolunteerShift,
    event: MuseumEvent,
    *,
    ctx: NoticeContext,
) -> None:
    """The staff member who assigned the shift hears that the volunteer cannot come."""
    if shift.assigned_by_id is None:
        return
    chats = await staff_chats(session, User.id == shift.assigned_by_id)
    card = await session.get(Correspondent, volunteer.correspondent_id)
    if not chats or card is None:
        return
    user, chat_id = chats[0]
    t = Translator(ctx.locale_of(user))
    text = "\n".join(
        [
            t("✖ %(name)s cannot come to volunteer.", name=html_escape(card.name)),
            "",
            *shift_lines(shift, event, t, ctx),
        ]
    )
    key = f"vol-declined:{shift.id}:{shift.updated_at:%Y%m%d%H%M%S%f}:{chat_id}"
    await outbox.enqueue_many(session, [outbox.text_message(chat_id, text, dedup_key=key)])
