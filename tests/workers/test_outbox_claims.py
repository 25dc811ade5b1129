"""Two outbox senders on one PostgreSQL: claims never overlap, no message is sent twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from models import utcnow
from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from services import outbox
from tests.sandbox_support import make_bot, running_sandbox


async def _enqueue(factory: async_sessionmaker[AsyncSession], chats: list[int], tag: str) -> None:
    async with factory() as session:
        messages = [outbox.text_message(c, f"{tag} {c}", dedup_key=f"{tag}:{c}") for c in chats]
        await outbox.enqueue_many(session, messages)
        await session.commit()


async def test_concurrent_claims_skip_each_others_rows(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _enqueue(session_factory, list(range(1, 31)), "claim")
    now, lease = utcnow(), timedelta(seconds=10)
    async with session_factory() as first, session_factory() as second:
        mine = await outbox.claim_due(first, now=now, limit=20, lease=lease)  # rows locked, not committed
        theirs = await asyncio.wait_for(outbox.claim_due(second, now=now, limit=20, lease=lease), 5)
        await first.commit()
        await second.commit()
    assert len(mine) == 20 and len(theirs) == 10  # the second did not wait for the first's locks
    assert not {m.id for m in mine} & {m.id for m in theirs}
    async with session_factory() as third:  # both claims hold: nothing is due
        assert await outbox.claim_due(third, now=now, limit=20, lease=lease) == []


async def test_two_senders_send_each_message_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with running_sandbox(SandboxConfig(bot_rate_per_sec=100)) as sandbox:
        async with SandboxClient(sandbox.base_url) as client:
            chats = [(await client.register_user(first_name=f"Житель {i}"))["id"] for i in range(40)]
            await _enqueue(session_factory, chats, "twice")
            bots = [make_bot(sandbox.base_url) for _ in range(2)]
            senders = [OutboxSender(b, session_factory, global_rate=40, idle_poll=0.1) for b in bots]
            for sender in senders:
                sender.claim_batch = 5  # small claims: the two senders interleave
            try:
                await asyncio.gather(*(s.drain(max_seconds=30) for s in senders))
            finally:
                for b in bots:
                    await b.session.close()
            stats = await client.stats()
            assert stats["duplicates"] == 0
            for chat in chats:
                assert [m["text"] for m in await client.bot_messages(chat)] == [f"twice {chat}"]
    assert all(s.stats["sent"] > 0 for s in senders)  # both took part
    assert sum(s.stats["sent"] for s in senders) == 40
