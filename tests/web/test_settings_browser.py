"""Settings in Chromium: an administrator configures a new administration's panel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, Category, OutageResource, RoutingRule, User
from services.audit import Actor
from services.config import outage_catalogs
from services.outages import resources
from services.staff import create_department
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav
from tests.web.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


@pytest.fixture(autouse=True)
def _registry() -> Iterator[None]:
    yield
    resources.reset_defaults()  # the resource registry is process-wide


async def test_admin_creates_a_staff_only_topic_and_a_routing_rule(
    page: Page, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        await create_department(s, Actor.system("test"), "Общий отдел")
        await create_department(s, Actor.system("test"), "Управление ЖКХ")
        await s.commit()
    await sign_in(page)
    await open_nav(page, "Администрирование", "Настройки")

    # A staff-only topic with its own term and department.
    await page.click("#new-category")
    await page.fill("#f-code", "it_support")
    await page.fill("#f-name_ru", "ИТ-поддержка")
    await page.fill("#f-name_en", "IT support")
    await page.fill("#f-answer_days", "3")
    await page.select_option("#f-department_id", label="Общий отдел")
    await page.select_option("#f-audience", "staff")
    await page.click("#save")
    await expect(page.locator(".flash")).to_have_text("Тема «ИТ-поддержка» сохранена.")
    await expect(page.locator("#categories")).to_contain_text("Только сотрудники")

    # A routing rule: the topic on Lenin street goes to housing.
    await page.click("#tab-routing")
    await page.click("#new-rule")
    await page.select_option("#f-category_id", label="ИТ-поддержка")
    await page.fill("#f-street", "ул. Ленина")
    await page.select_option("#f-department_id", label="Управление ЖКХ")
    await page.click("#save")
    await expect(page.locator(".flash")).to_have_text("Правило маршрутизации сохранено.")
    await expect(page.locator("#rules")).to_contain_text("Управление ЖКХ")

    async with session_factory() as s:
        topic = await s.scalar(select(Category).where(Category.code == "it_support"))
        assert topic is not None and topic.audience == "staff" and topic.answer_days == 3
        rule = await s.scalar(select(RoutingRule))
        assert rule is not None and rule.street_key == "ленина" and rule.category_id == topic.id
        audited = set(
            (
                await s.scalars(select(AuditEvent.entity_type).where(AuditEvent.actor_user_id == admin.id))
            ).all()
        )
        assert {"category", "routing_rule"} <= audited


async def test_admin_edits_the_card_and_adds_a_resource(
    page: Page, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await sign_in(page)
    await open_nav(page, "Администрирование", "Настройки")

    # The organisation's card: its name heads the panel.
    await page.click("#tab-org")
    await page.fill("#f-name", "Администрация города Энска")
    await page.fill("#f-short_name", "Администрация г. Энска")
    await page.fill("#f-inn", "7701234567")
    await page.fill("#f-timezone", "Asia/Yekaterinburg")
    await page.click("#save")
    await expect(page.locator(".flash")).to_have_text("Карточка организации сохранена.")
    await expect(page.locator("#org-name")).to_have_text("Администрация г. Энска")
    await expect(page).to_have_title("Организация · Администрация г. Энска")

    # A new outage resource, offered at once.
    await page.click("#tab-outages")
    await expect(page.locator("#resource-table")).to_contain_text("холодная вода")
    await page.click("#new-resource")
    await page.fill("#f-code", "steam")
    await page.fill("#f-name_ru", "пар")
    await page.fill("#f-name_en", "steam")
    await page.fill("#f-emoji", "💨")
    await page.fill("#f-position", "70")
    await page.click("#save")
    await expect(page.locator(".flash")).to_have_text("Сохранено: пар.")
    await expect(page.locator("#resource-table")).to_contain_text("пар")
    assert "steam" in {r.code for r in resources.enabled_resources()}

    async with session_factory() as s:
        assert await s.scalar(select(OutageResource).where(OutageResource.code == "steam")) is not None
        audited = set(
            (
                await s.scalars(select(AuditEvent.entity_type).where(AuditEvent.actor_user_id == admin.id))
            ).all()
        )
        assert {"org_card", "outage_resource"} <= audited


async def test_resource_list_is_seeded_on_an_empty_catalogue(
    page: Page, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """A database made without the migration (tests, create_all) still shows the built-in list."""
    async with session_factory() as s:
        assert await outage_catalogs.list_resources(s) == []
    await sign_in(page)
    await page.goto("/settings/outages")
    await expect(page.locator("#resource-table")).to_contain_text("отопление")
