"""The SLA watch: a warning at 80 % of a target and an escalation at the breach, each queued once
(reruns, a restart), to the right people, none while the request waits for the requester, a new
one after a pause moved the due moment; a resolved request nobody confirmed closes by itself."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import OutboxMessage, ServiceRequest
from models.enums import ServiceStatus
from scheduler import service_desk_jobs
from services.notify import NoticeContext
from services.service_desk import notices, requests, resolution, sla_watch
from tests.services.service_desk_support import MSK, Desk, make_desk, msk


async def _messages(session: AsyncSession) -> list[OutboxMessage]:
    rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [
        m
        for m in rows.all()
        if "sd:" in (m.dedup_key or "") and ("-warn:" in m.dedup_key or "-breach:" in m.dedup_key)
    ]


def _buttons(message: OutboxMessage) -> list[str]:
    return [b["callback_data"] for row in message.payload["reply_markup"]["inline_keyboard"] for b in row]


async def _setup(session_factory: async_sessionmaker[AsyncSession]) -> tuple[Desk, int]:
    async with session_factory() as session:
        desk = await make_desk(session)
        # Monday 16 March 2026 09:00: reaction due 11:00 (warning 10:36), resolution due 13:00 (12:12).
        request = await desk.file(session, msk(2026, 3, 16, 9, 0))
        await session.commit()
        return desk, request.id


async def test_warning_and_escalation_once_to_the_right_people(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    desk, request_id = await _setup(session_factory)
    ctx = desk.ctx
    scan = service_desk_jobs.sla_watch_scan

    result = await scan(session_factory, ctx, now=msk(2026, 3, 16, 10, 30))
    assert result.warnings == 0 and result.queued == 0  # 90 of 120 minutes used: not yet 80 %

    # 10:40: the reaction warning goes to the service (nobody took it): the two agents and the head.
    for _ in range(2):
        await scan(session_factory, ctx, now=msk(2026, 3, 16, 10, 40))
    async with session_factory() as session:
        warned = await _messages(session)
    service_chats = {desk.agent.telegram_id, desk.colleague.telegram_id, desk.head.telegram_id}
    assert {m.chat_id for m in warned} == service_chats and len(warned) == 3
    text = warned[0].payload["text"]
    assert "2026-0001" in text and "11:00" in text and "Не печатает принтер" in text
    assert _buttons(warned[0]) == [notices.cb("open", request_id)]

    # The agent takes it: the reaction clock stops; the resolution one warns the assignee only.
    async with session_factory() as session:
        await requests.take(session, desk.agent, request_id, ctx=ctx, now=msk(2026, 3, 16, 10, 50))
        await session.commit()
    await scan(session_factory, ctx, now=msk(2026, 3, 16, 12, 15))
    async with session_factory() as session:
        resolution_warn = (await _messages(session))[3:]
    assert [m.chat_id for m in resolution_warn] == [desk.agent.telegram_id]
    assert "13:00" in resolution_warn[0].payload["text"]

    # 13:05: breached; the escalation goes to the assignee and the topic's lead, once, also after
    # a restart (the job opens its own session every time).
    first = await scan(session_factory, ctx, now=msk(2026, 3, 16, 13, 5))
    again = await scan(session_factory, ctx, now=msk(2026, 3, 16, 13, 6))
    assert first.escalations == 1 and first.queued == 2 and again.queued == 0
    async with session_factory() as session:
        escalated = (await _messages(session))[4:]
    assert {m.chat_id for m in escalated} == {desk.agent.telegram_id, desk.lead.telegram_id}
    assert all("Инженер Петров" in m.payload["text"] for m in escalated)
    # A restarted scheduler builds everything anew (a new context and session): still nothing new.
    restarted = await scan(session_factory, NoticeContext(tz=MSK), now=msk(2026, 3, 16, 14, 0))
    async with session_factory() as session:
        assert restarted.escalations == 1 and restarted.queued == 0 and len(await _messages(session)) == 6


async def test_paused_request_is_not_warned_and_a_moved_due_warns_afresh(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    desk, request_id = await _setup(session_factory)
    ctx = desk.ctx
    async with session_factory() as session:
        await requests.take(session, desk.agent, request_id, ctx=ctx, now=msk(2026, 3, 16, 9, 10))
        await resolution.wait_for_requester(
            session, desk.agent, request_id, "Какой принтер?", ctx=ctx, now=msk(2026, 3, 16, 9, 30)
        )
        await session.commit()
    # Waiting: past the warning moment and the due moment of resolution, nothing is said.
    result = await service_desk_jobs.sla_watch_scan(session_factory, ctx, now=msk(2026, 3, 16, 14, 0))
    assert result.queued == 0 and result.escalations == 0
    async with session_factory() as session:
        assert await _messages(session) == []
        # The requester answers on Tuesday 09:30: 510 working minutes paused; due 13:00 → Tue 13:00.
        await resolution.comment(
            session, desk.requester, request_id, "HP 1020", ctx=ctx, now=msk(2026, 3, 17, 9, 30)
        )
        await session.commit()
        request = await session.get(ServiceRequest, request_id)
        assert request is not None and request.resolution_due_at == msk(2026, 3, 17, 13, 0)
    await service_desk_jobs.sla_watch_scan(session_factory, ctx, now=msk(2026, 3, 17, 12, 20))
    async with session_factory() as session:
        [warning] = await _messages(session)
    assert warning.chat_id == desk.agent.telegram_id and "17.03.2026 13:00" in warning.payload["text"]


async def test_resolved_and_unconfirmed_closes_after_the_term(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    desk, request_id = await _setup(session_factory)
    ctx = desk.ctx
    async with session_factory() as session:
        await requests.take(session, desk.agent, request_id, ctx=ctx, now=msk(2026, 3, 16, 9, 10))
        # Resolved on Friday 20 March 10:00; three working days: Wednesday 25 March 10:00.
        await resolution.resolve(
            session, desk.agent, request_id, "Заменил картридж", ctx=ctx, now=msk(2026, 3, 20, 10, 0)
        )
        await session.commit()
    early = await service_desk_jobs.sla_watch_scan(session_factory, ctx, 3, now=msk(2026, 3, 25, 9, 59))
    assert early.closed == 0
    done = await service_desk_jobs.sla_watch_scan(session_factory, ctx, 3, now=msk(2026, 3, 25, 10, 0))
    again = await service_desk_jobs.sla_watch_scan(session_factory, ctx, 3, now=msk(2026, 3, 25, 11, 0))
    assert done.closed == 1 and again.closed == 0
    async with session_factory() as session:
        request = await session.get(ServiceRequest, request_id)
        assert request is not None and request.status == ServiceStatus.CLOSED
        assert request.closed_at == msk(2026, 3, 25, 10, 0)
    assert sla_watch.DEFAULT_CONFIRM_DAYS == 3
