"""The demo's service desk: topics with their services, leads and targets, requests in every state,
and the SLA watch escalating the breached one to the topic's lead (a sandbox persona)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, OutboxMessage, ServiceRequest, ServiceTopic, SlaTarget, User, utcnow
from models.enums import ServiceStatus as S
from porucheno.demo_desk import DEPUTY, TOPICS
from porucheno.demo_seed import DEMO_TZ, seed_demo
from services.notify import NoticeContext
from services.service_desk import compliance, sla_watch


async def test_demo_desk_is_seeded_and_watched(session: AsyncSession) -> None:
    assert await seed_demo(session)
    topics = (await session.scalars(select(ServiceTopic).order_by(ServiceTopic.position))).all()
    assert [t.name_ru for t in topics] == [name for _c, name, *_rest in TOPICS]
    for topic in topics:
        assert topic.department_id is not None and topic.lead_id is not None
        department = await session.get(Department, topic.department_id)
        assert department is not None and department.head_id is not None
    assert await session.scalar(select(SlaTarget.id).where(SlaTarget.topic_id == topics[0].id)) is not None

    statuses = Counter((await session.scalars(select(ServiceRequest.status))).all())
    assert statuses == Counter({S.CLOSED: 1, S.RESOLVED: 1, S.WAITING: 1, S.IN_WORK: 1, S.NEW: 2})
    now = utcnow()
    assert await compliance.breached_open(session, now) >= 1

    await sla_watch.scan(session, NoticeContext(tz=DEMO_TZ), now)
    deputy = await session.scalar(select(User).where(User.full_name == DEPUTY))
    assert deputy is not None
    breached = await session.scalar(select(ServiceRequest).where(ServiceRequest.subject.like("%проектор%")))
    assert breached is not None
    keys = (
        await session.scalars(
            select(OutboxMessage.dedup_key).where(OutboxMessage.chat_id == deputy.telegram_id)
        )
    ).all()
    assert any(k.startswith(f"sd:{breached.id}:") and "-breach:" in k for k in keys)
