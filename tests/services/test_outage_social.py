"""The social-object alert's rules: who gets it (managers and the list, once each, reachable and
active only), a planned outage announced in advance under its own headline and not again at its
start, nothing recorded while there is nobody to tell; and the outage record's checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Department, Organisation, OutboxMessage, SocialAlertRecipient, TelegramAccount
from models.enums import Role
from services import staff
from services.audit import Actor
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext
from services.outages import lifecycle, planned, record, social
from tests.services.test_outages_lifecycle import CTX, NOW, World, create, seed

SYS = Actor.system("t")


async def _alerts(session: AsyncSession) -> list[OutboxMessage]:
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.batch.like("outage:%:social")).order_by(OutboxMessage.id)
    )
    return list(rows.all())


async def _people(session: AsyncSession) -> dict[str, int]:
    """Telegram ids: a manager also on the list, a listed controller, a deactivated manager, a manager
    who blocked the bot, a manager without Telegram."""
    made = {}
    for key, role, tg in (
        ("head", Role.MANAGER, 9001),
        ("deputy", Role.CONTROLLER, 9002),
        ("gone", Role.MANAGER, 9003),
        ("blocked", Role.MANAGER, 9004),
        ("offline", Role.MANAGER, None),
    ):
        user = await staff.create_user(session, SYS, full_name=key, roles=[role], telegram_id=tg)
        made[key] = user
    made["gone"].is_active = False
    session.add(TelegramAccount(id=9004, chat_id=9004, user_id=made["blocked"].id, blocked_at=NOW))
    session.add_all(
        [SocialAlertRecipient(user_id=made["head"].id), SocialAlertRecipient(user_id=made["deputy"].id)]
    )
    await session.flush()
    return {k: u.telegram_id for k, u in made.items() if u.telegram_id}


async def test_recipients_once_each_and_reachable_only(session: AsyncSession) -> None:
    w: World = await seed(session)
    tg = await _people(session)
    oid = await create(session, w, ["l1", "s5"])
    await lifecycle.publish(session, CTX, w.dispatcher, oid, now=NOW)  # type: ignore[arg-type]
    alerts = await _alerts(session)
    assert sorted(m.chat_id for m in alerts) == [tg["head"], tg["deputy"]]
    assert all(m.priority < 100 for m in alerts)
    text = alerts[0].payload["text"]
    assert text.startswith("<b>♨️ 🚨 Отключение на социальных объектах: горячая вода</b>")
    assert "• Школа № 2 (школы): ул. Школьная, 5" in text and "Ленина" not in text
    outage = await lifecycle.get_outage(session, oid)
    assert outage.social_alerted_at is not None
    # Houses without a social object added later: nobody alerted again.
    await lifecycle.add_buildings(session, CTX, w.dispatcher, oid, [w.b["l3"]], now=NOW)  # type: ignore[arg-type]
    assert len(await _alerts(session)) == 2


async def test_planned_outage_is_announced_in_advance_once(session: AsyncSession) -> None:
    w = await seed(session)
    await _people(session)
    start = NOW + timedelta(days=2)
    oid = await create(
        session, w, ["m10"], kind="planned", starts_at=start, expected_end_at=start + timedelta(hours=6)
    )
    panel = NoticeContext(panel_url="https://porucheno.example")
    await lifecycle.publish(session, panel, w.dispatcher, oid, now=NOW)  # type: ignore[arg-type]
    alerts = await _alerts(session)
    assert len(alerts) == 2
    button = alerts[0].payload["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "Открыть в панели", "url": f"https://porucheno.example/outages/{oid}"}
    assert "🛠 Плановое отключение на социальных объектах: горячая вода" in alerts[0].payload["text"]
    assert "ЦРБ (больницы): ул. Мира, 10" in alerts[0].payload["text"]
    await planned.planned_scan(session, CTX, start + timedelta(minutes=1))
    assert (await lifecycle.get_outage(session, oid)).status == "active"
    assert len(await _alerts(session)) == 2  # the heads knew: the start alerts nobody again


async def test_nobody_to_tell_records_nothing(session: AsyncSession) -> None:
    w = await seed(session)
    oid = await create(session, w, ["s5"])
    await lifecycle.publish(session, CTX, w.dispatcher, oid, now=NOW)  # type: ignore[arg-type]
    assert await _alerts(session) == []
    actions = (
        await session.scalars(select(AuditEvent.action).where(AuditEvent.action == social.ACTION))
    ).all()
    assert actions == [] and (await lifecycle.get_outage(session, oid)).social_alerted_at is None


async def test_record_checks(session: AsyncSession) -> None:
    w = await seed(session)
    oid = await create(session, w, ["l1"])
    with pytest.raises(PermissionDenied):
        await record.set_record(session, w.clerk, oid, record.OutageRecord(cause="x"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        await record.set_record(session, w.dispatcher, oid, record.OutageRecord(informant_kind="alien"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        await record.set_record(session, w.dispatcher, oid, record.OutageRecord(cause="x" * 2001))  # type: ignore[arg-type]
    data = record.OutageRecord(cause=" Порыв ", informant_kind="resident", informant_text="кв. 5")
    assert await record.set_record(session, w.dispatcher, oid, data)  # type: ignore[arg-type]
    assert not await record.set_record(session, w.dispatcher, oid, data)  # type: ignore[arg-type]
    outage = await lifecycle.get_outage(session, oid)
    assert (outage.cause, outage.informant_kind, outage.informant_text) == ("Порыв", "resident", "кв. 5")

    dept = Department(name="УК")
    session.add(dept)
    await session.flush()
    org = Organisation(name="УК «Уют»", department_id=dept.id)
    session.add(org)
    await session.flush()
    with pytest.raises(NotFound):
        await record.set_responsible(session, w.dispatcher, oid, 999999)  # type: ignore[arg-type]
    assert await record.set_responsible(session, w.dispatcher, oid, org.id) is outage  # type: ignore[arg-type]
    assert await record.set_responsible(session, w.dispatcher, oid, org.id) is None  # type: ignore[arg-type]
    await lifecycle.cancel(session, CTX, w.dispatcher, oid)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        await record.set_responsible(session, w.dispatcher, oid, None)  # type: ignore[arg-type]
