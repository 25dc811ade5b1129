"""The pacer alone: per-chat spacing, the room the outbox leaves for replies, 429 pauses, and which
Bot API methods count as messages."""

from __future__ import annotations

import asyncio
import time

from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetUpdates,
    SendChatAction,
    SendMediaGroup,
    SendMessage,
)
from aiogram.types import InputMediaPhoto

from bot.paced_requests import message_count
from bot.pacing import Pacer, PacingLimits


class FakeTime:
    """A clock that moves only when the pacer sleeps (one waiter at a time)."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def fake_pacer(**limits: float) -> tuple[Pacer, FakeTime]:
    fake = FakeTime()
    return Pacer(PacingLimits(**limits), clock=fake.clock, sleep=fake.sleep), fake  # type: ignore[arg-type]


async def test_replies_to_one_chat_are_spaced_after_a_short_burst() -> None:
    pacer, fake = fake_pacer(global_rate=28, global_burst=10, chat_rate=1, chat_burst=2)
    times = []
    for _ in range(4):
        await pacer.acquire(42)
        times.append(round(fake.now, 3))
    assert times == [0.0, 0.0, 1.0, 2.0]
    await pacer.acquire(43)  # another chat is not held up
    assert fake.now == 2.0


async def test_the_outbox_leaves_room_for_replies() -> None:
    pacer, fake = fake_pacer(global_rate=28, global_burst=10, chat_rate=1, chat_burst=2)
    # The outbox takes what is left above the reserve (3 of 10), then has to wait...
    for chat in range(7):
        assert await pacer.acquire_bulk(1000 + chat) == 0.0
    assert fake.now == 0.0
    # ...while replies still go at once.
    for chat in range(3):
        await pacer.acquire(2000 + chat)
    assert fake.now == 0.0
    assert await pacer.acquire_bulk(3000) == 0.0
    assert fake.now > 0.1  # waited for four tokens to come back


async def test_the_outbox_defers_a_chat_a_reply_just_used() -> None:
    pacer, fake = fake_pacer(global_rate=28, global_burst=10, chat_rate=1, chat_burst=2)
    await pacer.acquire(42)
    delay = await pacer.acquire_bulk(42)  # the chat's last token stays for the next reply
    assert 0.9 < delay <= 1.0 and fake.now == 0.0
    await pacer.acquire(42)
    assert fake.now == 0.0  # the reply got it


async def test_a_reply_waiting_goes_before_the_outbox() -> None:
    pacer = Pacer(PacingLimits(global_rate=50, global_burst=4, chat_rate=50, chat_burst=2))
    for chat in range(4):  # the global bucket is empty now
        await pacer.acquire(chat)
    done: list[str] = []

    async def bulk() -> None:
        assert await pacer.acquire_bulk(100) == 0.0
        done.append("outbox")

    async def reply() -> None:
        await pacer.acquire(101)
        done.append("reply")

    await asyncio.gather(bulk(), reply())
    assert done == ["reply", "outbox"]


async def test_a_429_pause_holds_every_message() -> None:
    pacer, fake = fake_pacer(global_rate=28, global_burst=10, chat_rate=1, chat_burst=2)
    pacer.pause(5)
    assert pacer.pause_remaining() == 5.0
    assert await pacer.acquire_bulk(7) == 5.0  # the outbox defers
    await pacer.acquire(8)  # a reply (or the error handler's apology) waits
    assert fake.now >= 5.0 and pacer.pause_remaining() == 0.0


def test_which_requests_are_messages() -> None:
    photo = InputMediaPhoto(media="file-id")
    assert message_count(SendMessage(chat_id=1, text="x")) == 1
    assert message_count(EditMessageText(chat_id=1, message_id=2, text="x")) == 1
    assert message_count(SendMediaGroup(chat_id=1, media=[photo, photo, photo])) == 3
    assert message_count(AnswerCallbackQuery(callback_query_id="1")) == 0
    assert message_count(SendChatAction(chat_id=1, action="typing")) == 0
    assert message_count(GetUpdates()) == 0


async def test_real_clock_pacing_is_not_faster_than_the_rate() -> None:
    pacer = Pacer(PacingLimits(global_rate=40, global_burst=1, chat_rate=40, chat_burst=1))
    started = time.monotonic()
    for chat in range(5):
        await pacer.acquire(chat)
    assert time.monotonic() - started >= 4 / 40 - 0.005


async def test_bulk_sends_keep_the_configured_rate_and_refunds_give_slots_back() -> None:
    # Alone (no reply waiting) the outbox waits just until its token is there, not a whole slot more.
    pacer, fake = fake_pacer(global_rate=10.0, global_burst=4, chat_rate=1.0, chat_burst=2)
    for chat in range(40):
        assert await pacer.acquire_bulk(chat) == 0.0
    assert 3.85 <= fake.now <= 3.95  # 40 sends: one from the burst (3 are the reserve), 39 at 10/s
    # A blocked chat's 403 gives its token back (never beyond the bucket).
    level = pacer._global.level(fake.now)
    pacer.refund()
    assert pacer._global.level(fake.now) == min(level + 1, 4)
    for _ in range(10):
        pacer.refund()
    assert pacer._global.level(fake.now) == 4
