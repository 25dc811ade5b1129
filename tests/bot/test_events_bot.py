"""«🎟 Events» in the bot: two seats, three residents register through the sandbox (consent, a seat,
the waiting list), the first cancels in «My registrations» and the third is told a seat is theirs;
someone else's registration and unknown buttons are refused clearly."""

from __future__ import annotations

from sqlalchemy import select

from bot.messages import OUTDATED
from models import Correspondent, EventRegistration, User
from services.events.manage import cancel_event
from tests.bot.assignments_support import buttons, outbox_fixture, press_data  # noqa: F401 - fixtures
from tests.bot.conftest import Chat, keyboard_texts, make_invite, make_staff
from tests.services.events_support import CTX, make_event, make_manager, ru

TITLE = "Экскурсия по открытому хранению"
# The list's heading as shown (Telegram strips the markup).
UPCOMING = ru(
    "<b>Upcoming events</b>\nChoose one to see the details and register. ⏳ — only the waiting list."
)
UPCOMING = UPCOMING.replace("<b>", "").replace("</b>", "").split("\n")[0]


async def open_event(chat: Chat) -> dict:
    menu = await chat.send("/start", expect="Здравствуйте")
    assert ru("🎟 Events") in keyboard_texts(menu)
    listing = await chat.send(ru("🎟 Events"), expect=UPCOMING)
    label = next(text for text in buttons(listing) if TITLE in text)
    await chat.press(listing, label)
    return await chat.reply(TITLE)


async def register(chat: Chat, expect_status: str) -> dict:
    card = await open_event(chat)
    assert "Главный корпус, зал 3" in card["text"]
    pressed = next(
        label for label in buttons(card) if label in (ru("✅ Register"), ru("⏳ Join the waiting list"))
    )
    await chat.press(card, pressed)
    consent = await chat.reply("Согласие на обработку персональных данных")
    await chat.press(consent, ru("✅ I agree"))
    return await chat.reply(expect_status)


async def test_waiting_list_and_promotion_in_the_bot(new_chat, session_factory, outbox, sandbox) -> None:
    manager = await make_manager(session_factory)
    await make_event(session_factory, manager, title=TITLE, capacity=2)
    anna, boris, vera = await new_chat("Анна"), await new_chat("Борис"), await new_chat("Вера")

    card = await register(anna, ru("✅ You are registered."))
    assert ru("Free seats: %(n)s of %(total)s", n=1, total=2) in card["text"]
    await anna.reply(ru("✅ You are registered for «%(title)s».", title=TITLE))  # the confirmation
    await register(boris, ru("✅ You are registered."))
    waiting = await register(vera, ru("⏳ You are on the waiting list, number %(n)s.", n=1))
    assert ru("No free seats: you can join the waiting list") in waiting["text"]
    told = await vera.reply(TITLE)  # the waiting-list notice, with her number
    assert "1" in told["text"] and "Главный корпус, зал 3" in told["text"]

    async with session_factory() as session:
        cards = (
            await session.scalars(select(Correspondent).where(Correspondent.telegram_id == vera.user_id))
        ).all()
        assert len(cards) == 1  # the CRM card of the Telegram user

    # Anna cancels in «My registrations».
    menu = await anna.send(ru("🎟 Events"), expect=UPCOMING)
    await anna.press(menu, ru("🎫 My registrations"))
    mine = await anna.reply(ru("<b>My registrations</b>").replace("<b>", "").replace("</b>", ""))
    assert ru("✅ You are registered.") in mine["text"]
    await anna.press(mine, ru("✖ Cancel: %(title)s", title=TITLE))
    confirm = await anna.reply(ru("Cancel your registration for «%(title)s»?", title=TITLE))
    query = await anna.press(confirm, ru("Yes, cancel it"))
    assert (await anna.callback_answer(query))["text"] == ru("Your registration is cancelled.")

    # Vera is promoted and told in her chat.
    promoted = await vera.reply(
        ru("🎉 A seat has freed up: you are now registered for «%(title)s».", title=TITLE)
    )
    assert "Главный корпус, зал 3" in promoted["text"]

    # Boris forges a press on Anna's (cancelled) and Vera's registration: refused, nothing changes.
    async with session_factory() as session:
        vera_row = (
            await session.scalars(
                select(EventRegistration).where(EventRegistration.telegram_id == vera.user_id)
            )
        ).one()
    own_card = await boris.reply(TITLE)
    forged = press_data(sandbox, boris, own_card["message_id"], f"ev:cxy:{vera_row.id}:0")
    assert (await boris.callback_answer(forged))["text"] == ru("This is not your registration.")
    unknown = press_data(sandbox, boris, own_card["message_id"], "ev:zzz:1:0")
    assert (await boris.callback_answer(unknown))["text"] == ru(OUTDATED)
    missing = press_data(sandbox, boris, own_card["message_id"], "ev:show:999999:0")
    assert (await boris.callback_answer(missing))["text"] == ru("This event is no longer available.")
    async with session_factory() as session:
        assert (await session.get(EventRegistration, vera_row.id)).status == "registered"


async def test_staff_register_without_consent_and_a_cancelled_event_refuses(
    new_chat, session_factory, outbox
) -> None:
    manager = await make_manager(session_factory)
    await make_event(session_factory, manager, title=TITLE, capacity=None)
    staff_id = await make_staff(session_factory, full_name="Лебедева Нина Олеговна", roles=("executor",))
    chat = await new_chat("Нина")
    await chat.send(f"/start inv_{await make_invite(session_factory, staff_id)}", expect="Готово")
    listing = await chat.send(ru("🎟 Events"), expect=UPCOMING)
    await chat.press(listing, next(text for text in buttons(listing) if TITLE in text))
    card = await chat.reply(TITLE)
    assert ru("Seats: not limited") in card["text"]
    await chat.press(card, ru("✅ Register"))
    await chat.reply(ru("✅ You are registered."))  # staff are not asked for the residents' consent

    # Another event is cancelled while its card is open: the press is refused in words.
    other = await make_event(session_factory, manager, title="Ночь музеев", capacity=None)
    listing = await chat.send(ru("🎟 Events"), expect=UPCOMING)
    await chat.press(listing, next(text for text in buttons(listing) if "Ночь музеев" in text))
    stale = await chat.reply("Ночь музеев")
    async with session_factory() as session:
        await cancel_event(session, await session.get(User, manager), other, CTX)
        await session.commit()
    query = await chat.press(stale, ru("✅ Register"))
    assert (await chat.callback_answer(query))["text"] == ru("The event is cancelled.")
    async with session_factory() as session:
        rows = (
            await session.scalars(select(EventRegistration).where(EventRegistration.event_id == other))
        ).all()
        assert rows == []
