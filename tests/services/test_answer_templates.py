"""Answer templates: managers and administrators keep them (audited), a text with unknown
placeholders is refused with the names listed, an appeal is offered its topic's templates and the
general ones only, and filling never trips over a stray brace."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Category, OrgCard
from models.enums import Role
from porucheno.demo_seed import ANSWER_TEMPLATES
from services import staff
from services.appeals import answer_templates as tpl
from services.appeals.intake import ContactInput
from services.audit import Actor
from services.errors import InvalidInput, PermissionDenied
from tests.services.appeals_helpers import SYSTEM, make_staff, register

TZ = ZoneInfo("Europe/Moscow")


async def _manager(session: AsyncSession) -> Actor:
    user = await staff.create_user(session, SYSTEM, full_name="Руководитель", roles=[Role.MANAGER])
    await session.commit()
    return Actor(user_id=user.id)


async def test_templates_are_kept_by_managers_validated_and_audited(session: AsyncSession) -> None:
    people = await make_staff(session)
    manager = await _manager(session)
    roads = Category(code="roads", name_ru="Дороги", name_en="Roads", answer_days=30)
    session.add(roads)
    await session.commit()

    with pytest.raises(PermissionDenied):
        await tpl.save(session, Actor(user_id=people["clerk"].id), None, tpl.TemplateInput("Т", "Текст"))
    with pytest.raises(InvalidInput) as refused:
        await tpl.save(
            session,
            manager,
            None,
            tpl.TemplateInput("Яма", "Уважаемый {Applicant}! {number} {адрес} и снова {Applicant}", roads.id),
        )
    assert refused.value.params == {"names": "{Applicant}, {адрес}", "field": "body"}
    with pytest.raises(InvalidInput) as empty:
        await tpl.save(session, manager, None, tpl.TemplateInput("  ", "Текст"))
    assert empty.value.params["field"] == "title"

    saved = await tpl.save(
        session, manager, None, tpl.TemplateInput("  Яма   на дороге ", "Уважаемый {applicant}!", roads.id)
    )
    await tpl.save(
        session, manager, saved.id, tpl.TemplateInput("Яма на дороге", "Здравствуйте, {applicant}!", roads.id)
    )
    await tpl.set_active(session, manager, saved.id, False)
    await session.commit()

    assert (saved.title, saved.body, saved.is_active) == (
        "Яма на дороге",
        "Здравствуйте, {applicant}!",
        False,
    )
    assert saved.updated_by_id == manager.user_id
    events = (
        await session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "answer_template").order_by(AuditEvent.id)
        )
    ).all()
    assert [e.action for e in events] == ["created", "updated", "deactivated"]
    assert events[1].data == {"changes": {"body": ["Уважаемый {applicant}!", "Здравствуйте, {applicant}!"]}}
    assert all(e.actor_user_id == manager.user_id for e in events)


async def test_an_appeal_is_offered_its_topic_and_general_templates_filled_from_it(
    session: AsyncSession, tmp_path: Path
) -> None:
    manager = await _manager(session)
    roads = Category(code="roads", name_ru="Дороги и тротуары", name_en="Roads", answer_days=30)
    parks = Category(code="parks", name_ru="Парки", name_en="Parks", answer_days=30)
    session.add_all(
        [roads, parks, OrgCard(id=1, name="Администрация", short_name="Адм. Энска", head_name="С. В. Иванов")]
    )
    await session.commit()
    general = await tpl.save(session, manager, None, tpl.TemplateInput("Общий", "Общий ответ {org}"))
    road = await tpl.save(
        session,
        manager,
        None,
        tpl.TemplateInput(
            "Дороги",
            "Уважаемый(-ая) {applicant}! № {number} от {date} ({received}), {address}, {category}, "
            "срок {due}. {org}, {head}. {subject} Лишняя скобка { и {{number}} и {unknown_here",
            roads.id,
        ),
    )
    park = await tpl.save(session, manager, None, tpl.TemplateInput("Парки", "Про парки", parks.id))
    old = await tpl.save(session, manager, None, tpl.TemplateInput("Старый", "Старый", roads.id))
    await tpl.set_active(session, manager, old.id, False)
    when = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 3 March in Moscow
    appeal = (
        await register(
            session,
            tmp_path,
            contact=ContactInput(name="Кузнецова Ольга", telegram_id=1001),
            category_id=roads.id,
            address="ул. Ленина, 5",
            now=when,
        )
    ).appeal

    offered = await tpl.for_category(session, appeal.category_id)
    assert [t.id for t in offered] == [road.id, general.id]  # the topic's own first; no parks, no inactive
    assert [t.id for t in await tpl.for_category(session, None)] == [general.id]

    text = await tpl.fill_for_appeal(session, road.id, appeal, TZ)
    assert text == (
        f"Уважаемый(-ая) Кузнецова Ольга! № {appeal.reg_number} от 03.03.2026 (03.03.2026), ул. Ленина, 5, "
        f"Дороги и тротуары, срок {appeal.due_at.astimezone(TZ):%d.%m.%Y}. Адм. Энска, С. В. Иванов. "
        f" Лишняя скобка {{ и {{{appeal.reg_number}}} и {{unknown_here"
    )
    for refused in (park.id, old.id, 10**9):
        with pytest.raises(InvalidInput):
            await tpl.fill_for_appeal(session, refused, appeal, TZ)


def test_filling_leaves_unknown_names_and_lone_braces_and_never_reads_attributes() -> None:
    values = {"number": "12/2026"}
    assert tpl.fill("{number} {nope} {number.__class__} {0} } {", values) == (
        "12/2026 {nope} {number.__class__} {0} } {"
    )
    assert tpl.unknown_placeholders("{number.__class__} {0} {number}") == ["number.__class__", "0"]


def test_the_demo_templates_use_known_placeholders_only() -> None:
    assert len(ANSWER_TEMPLATES) >= 2
    for _code, _title, body in ANSWER_TEMPLATES:
        assert tpl.unknown_placeholders(body) == [], body
