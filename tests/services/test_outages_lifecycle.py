"""Outage lifecycle: validations, preview, and exactly-once notices to the affected subscribers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Building, OutboxMessage, Subscription, TelegramAccount
from models.enums import OutageStatus, Role
from services import outbox, staff
from services.audit import Actor
from services.errors import InvalidInput, PermissionDenied
from services.notify import NoticeContext
from services.outages import lifecycle, listing, signals, subscriptions

CTX = NoticeContext()  # Europe/Moscow, UTC+3
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def chat(account_id: int) -> int:
    return 5000 + account_id


@dataclass
class World:
    dispatcher: object
    clerk: object
    b: dict[str, int]


async def seed(session: AsyncSession) -> World:
    """Lenina 1 and 3 (homes), Shkolnaya 5 (school), Mira 10 (hospital), Mira 12 (nobody follows).

    Accounts: 101 follows Lenina 1 and 3, 102 Lenina 3, 103 the school but blocked the bot,
    104 the hospital, 105 Mira 12's neighbour Lenina 1 only via a signal (not subscribed).
    """
    sys = Actor.system("t")
    dispatcher = await staff.create_user(session, sys, full_name="Диспетчер", roles=[Role.DISPATCHER])
    clerk = await staff.create_user(session, sys, full_name="Делопроизводитель", roles=[Role.CLERK])
    specs = {
        "l1": ("Ленина", "1", 1, None),
        "l3": ("Ленина", "3", 3, None),
        "s5": ("Школьная", "5", 5, "school"),
        "m10": ("Мира", "10", 10, "hospital"),
        "m12": ("Мира", "12", 12, None),
    }
    ids: dict[str, int] = {}
    for key, (street, house, number, social) in specs.items():
        b = Building(
            street=f"ул. {street}",
            street_key=street.lower(),
            house=house,
            house_key=house,
            house_number=number,
            is_social=social is not None,
            social_type=social,
            name={"school": "Школа № 2", "hospital": "ЦРБ"}.get(social or ""),
        )
        session.add(b)
        await session.flush()
        ids[key] = b.id
    for acc in (101, 102, 103, 104, 105):
        session.add(
            TelegramAccount(
                id=acc, chat_id=chat(acc), first_name=f"Житель {acc}", blocked_at=NOW if acc == 103 else None
            )
        )
    await session.flush()
    for acc, key in ((101, "l1"), (101, "l3"), (102, "l3"), (103, "s5"), (104, "m10")):
        session.add(Subscription(telegram_id=acc, building_id=ids[key]))
    await session.flush()
    return World(dispatcher, clerk, ids)


async def outbox_rows(session: AsyncSession, batch_prefix: str = "outage:") -> list[OutboxMessage]:
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.batch.startswith(batch_prefix)).order_by(OutboxMessage.id)
    )
    return list(rows.all())


async def create(session: AsyncSession, w: World, keys: list[str], **kw: object) -> int:
    params: dict[str, object] = {
        "kind": "accident",
        "resource": "hot_water",
        "starts_at": NOW - timedelta(hours=1),
        "expected_end_at": NOW + timedelta(hours=5),
        "description": "Порыв трубы",
    }
    params.update(kw)
    outage = await lifecycle.create_outage(
        session,
        w.dispatcher,
        lifecycle.NewOutage(
            kind=params["kind"],
            resource=params["resource"],
            building_ids=[w.b[k] for k in keys],
            starts_at=params["starts_at"],
            expected_end_at=params["expected_end_at"],
            description=params["description"],
        ),
        now=NOW - timedelta(minutes=30),
    )
    return outage.id


async def test_validations(session: AsyncSession) -> None:
    w = await seed(session)
    with pytest.raises(InvalidInput):
        await create(session, w, [])
    with pytest.raises(InvalidInput):
        await create(session, w, ["l1"], expected_end_at=NOW - timedelta(hours=2))
    with pytest.raises(InvalidInput):
        await create(session, w, ["l1"], resource="beer")
    with pytest.raises(InvalidInput):
        await create(session, w, ["l1"], kind="planned", expected_end_at=None)
    with pytest.raises(PermissionDenied):
        await lifecycle.create_outage(
            session,
            w.clerk,
            lifecycle.NewOutage(
                kind="accident", resource="gas", building_ids=[w.b["l1"]], starts_at=NOW, expected_end_at=None
            ),
        )


async def test_publish_notifies_each_affected_subscriber_once(session: AsyncSession) -> None:
    w = await seed(session)
    oid = await create(session, w, ["l1", "l3", "s5"])
    draft = await lifecycle.preview(session, [w.b["l1"], w.b["l3"], w.b["s5"], w.b["m10"]])
    assert (draft.houses, draft.social, draft.subscribers) == (4, {"hospital": 1, "school": 1}, 3)
    p = await lifecycle.preview(session, await lifecycle.get_outage(session, oid))
    # 103 follows the school but has blocked the bot.
    assert (p.houses, p.social, p.subscribers) == (3, {"school": 1}, 2)
    assert await outbox_rows(session) == []  # a draft notifies nobody

    sent = await lifecycle.publish(session, CTX, w.dispatcher, oid, now=NOW)  # type: ignore[arg-type]
    assert sent.batch == f"outage:{oid}:publish" and sent.queued == 2
    outage = await lifecycle.get_outage(session, oid)
    assert outage.status == OutageStatus.ACTIVE and outage.published_at == NOW
    rows = await outbox_rows(session)
    assert sorted((r.chat_id, r.dedup_key) for r in rows) == [
        (chat(101), f"outage:{oid}:publish:{chat(101)}"),
        (chat(102), f"outage:{oid}:publish:{chat(102)}"),
    ]
    by_chat = {r.chat_id: r.payload["text"] for r in rows}
    # One message for 101 although two of their houses are affected; both addresses listed.
    assert by_chat[chat(101)].split("\n") == [
        "<b>♨️ ⚠️ Аварийное отключение: горячая вода</b>",
        "",
        "Начало: 25.11.2026 11:00",
        "Ожидаемое окончание: 25.11.2026 17:00",
        "",
        "Порыв трубы",
        "",
        "Ваши адреса: ул. Ленина, 1; ул. Ленина, 3",
    ]
    assert by_chat[chat(102)].endswith("Ваши адреса: ул. Ленина, 3")
    progress = await outbox.batch_progress(session, sent.batch)  # type: ignore[arg-type]
    assert (progress.total, progress.pending) == (2, 2)
    with pytest.raises(InvalidInput):
        await lifecycle.publish(session, CTX, w.dispatcher, oid, now=NOW)  # type: ignore[arg-type]
    actions = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "outage").order_by(AuditEvent.id)
        )
    ).all()
    assert list(actions) == ["create", "publish"]
    published = await listing.published_outages(session)
    assert [(o.id, o.status) for o in published] == [(oid, OutageStatus.ACTIVE)]
    assert [o.id for o in await lifecycle.outages_at_building(session, w.b["l3"], NOW)] == [oid]
    assert list(await lifecycle.outages_at_building(session, w.b["m10"], NOW)) == []


async def test_extend_add_remove_resolve_notices(session: AsyncSession) -> None:
    w = await seed(session)
    d = w.dispatcher
    oid = await create(session, w, ["l1", "l3"])
    # 105 reported the outage at Lenina 1 without subscribing; their signal is linked.
    sig = await signals.report_signal(session, 105, w.b["l1"], None, "hot_water", "Нет горячей воды")
    await signals.link_signals(session, d, [sig.id], oid)  # type: ignore[arg-type]
    await lifecycle.publish(session, CTX, d, oid, now=NOW)  # type: ignore[arg-type]

    ext = await lifecycle.extend(session, CTX, d, oid, NOW + timedelta(hours=9))  # type: ignore[arg-type]
    assert ext.queued == 3  # the subscribers 101, 102 and the signal's author 105
    ext_rows = await outbox_rows(session, ext.batch)  # type: ignore[arg-type]
    assert {r.chat_id for r in ext_rows} == {chat(101), chat(102), chat(105)}
    assert "Ожидаемое окончание: 25.11.2026 21:00" in ext_rows[0].payload["text"]
    # A second extension is a second event: notified again, under its own batch.
    ext2 = await lifecycle.extend(session, CTX, d, oid, NOW + timedelta(hours=10))  # type: ignore[arg-type]
    assert ext2.queued == 3 and ext2.batch != ext.batch

    # The hospital (104) is added; the school's follower is blocked; Lenina 1 already listed.
    add = await lifecycle.add_buildings(session, CTX, d, oid, [w.b["m10"], w.b["s5"], w.b["l1"]], now=NOW)  # type: ignore[arg-type]
    assert [r.chat_id for r in await outbox_rows(session, add.batch)] == [chat(104)]  # type: ignore[arg-type]
    assert "ЦРБ" in (await outbox_rows(session, add.batch))[0].payload["text"]  # type: ignore[arg-type]

    # Lenina 3 removed: 102 is told; 101 still has Lenina 1 affected, so hears nothing.
    rem = await lifecycle.remove_buildings(session, CTX, d, oid, [w.b["l3"]], now=NOW)  # type: ignore[arg-type]
    rem_rows = await outbox_rows(session, rem.batch)  # type: ignore[arg-type]
    assert [r.chat_id for r in rem_rows] == [chat(102)]
    assert (
        rem_rows[0]
        .payload["text"]
        .startswith("<b>♨️ ✅ Отключение больше не касается вашего адреса: горячая вода</b>")
    )
    with pytest.raises(InvalidInput):
        await lifecycle.remove_buildings(session, CTX, d, oid, [w.b["l1"], w.b["m10"], w.b["s5"]])  # type: ignore[arg-type]

    res = await lifecycle.resolve(
        session, CTX, d, oid, NOW + timedelta(hours=2), now=NOW + timedelta(hours=3)
    )  # type: ignore[arg-type]
    res_rows = {r.chat_id: r for r in await outbox_rows(session, res.batch)}  # type: ignore[arg-type]
    assert set(res_rows) == {chat(101), chat(104), chat(105)}
    assert res_rows[chat(101)].payload["text"].split("\n")[:3] == [
        "<b>♨️ ✅ Подача восстановлена: горячая вода</b>",
        "",
        "Восстановлено: 25.11.2026 14:00",
    ]
    # Only the signal's author gets the "still not restored" button.
    assert "reply_markup" not in res_rows[chat(101)].payload
    assert res_rows[chat(105)].payload["reply_markup"] == {
        "inline_keyboard": [[{"text": "❗ Всё ещё нет", "callback_data": f"osig:reopen:{sig.id}"}]]
    }
    outage = await lifecycle.get_outage(session, oid)
    assert outage.status == OutageStatus.RESOLVED and outage.ended_at == NOW + timedelta(hours=2)
    with pytest.raises(InvalidInput):
        await lifecycle.resolve(session, CTX, d, oid)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        await lifecycle.cancel(session, CTX, d, oid)  # type: ignore[arg-type]
    # Re-enqueueing an event (a retried job) adds nothing.
    from services.outages import notices

    again = await notices.broadcast(
        session, CTX, outage, "resolve", (await notices.subscribers(session, [w.b["l1"]])).values()
    )
    assert again.queued == 0
    actions = (
        await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "outage", AuditEvent.entity_id == oid)
            .order_by(AuditEvent.id)
        )
    ).all()
    assert list(actions) == [
        "create",
        "publish",
        "extend",
        "extend",
        "add_buildings",
        "remove_buildings",
        "resolve",
    ]


async def test_draft_changes_notify_nobody_and_cancel_returns_signals(session: AsyncSession) -> None:
    w = await seed(session)
    d = w.dispatcher
    oid = await create(session, w, ["l1"])
    await lifecycle.add_buildings(session, CTX, d, oid, [w.b["l3"]])  # type: ignore[arg-type]
    await lifecycle.extend(session, CTX, d, oid, NOW + timedelta(hours=8))  # type: ignore[arg-type]
    assert await outbox_rows(session) == []
    sig = await signals.report_signal(session, 105, w.b["l1"], None, "hot_water")
    await signals.link_signals(session, d, [sig.id], oid)  # type: ignore[arg-type]
    await lifecycle.publish(session, CTX, d, oid, now=NOW)  # type: ignore[arg-type]
    c = await lifecycle.cancel(session, CTX, d, oid, "Ошибочно")  # type: ignore[arg-type]
    assert {r.chat_id for r in await outbox_rows(session, c.batch)} == {chat(101), chat(102)}  # type: ignore[arg-type]
    await session.refresh(sig)
    assert (sig.status, sig.outage_id) == ("new", None)
    assert (await lifecycle.get_outage(session, oid)).status == OutageStatus.CANCELLED


async def test_subscriptions_are_idempotent_and_audited(session: AsyncSession) -> None:
    w = await seed(session)
    first = await subscriptions.subscribe(session, 105, w.b["m12"])
    assert (await subscriptions.subscribe(session, 105, w.b["m12"])).id == first.id
    await subscriptions.subscribe(session, 105, w.b["l1"])
    assert [b.id for b in await subscriptions.subscriptions_of(session, 105)] == [w.b["l1"], w.b["m12"]]
    assert await subscriptions.unsubscribe(session, 105, w.b["m12"]) is True
    assert await subscriptions.unsubscribe(session, 105, w.b["m12"]) is False
    assert [b.id for b in await subscriptions.subscriptions_of(session, 105)] == [w.b["l1"]]
    actions = (
        await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "subscription", AuditEvent.actor_telegram_id == 105)
            .order_by(AuditEvent.id)
        )
    ).all()
    assert list(actions) == ["subscribe", "subscribe", "unsubscribe"]
