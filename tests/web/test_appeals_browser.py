"""A clerk's appeals in headless Chromium: register a paper letter, find and merge duplicates, create
an assignment from an appeal and, once it is done, answer the resident in Telegram."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Assignment, Correspondent, OutboxMessage, StoredFile, User
from porucheno.settings import Settings
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.assignments import commands
from services.assignments.lifecycle import Action
from services.audit import Actor
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav
from tests.web.test_appeals_http import RESIDENT_TG, make_office
from tests.web.test_assignments_http import PASSWORD, submit_report, tiny_png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

NUMBER_RE = re.compile(r"\d{4}-\d{6}")


async def sign_in(page: Page) -> None:
    await page.goto("/login")
    await page.fill("#f-login", "clerk")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()


async def test_clerk_registers_a_paper_letter_finds_and_merges_duplicates(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_office(session_factory, settings.files_dir)
    await sign_in(page)
    await open_nav(page, "Обращения", "Обращения")
    await page.click("#new-appeal")
    await page.fill("#f-name", "Кузнецова Ольга Петровна")
    await page.fill("#f-phone", "8 (900) 111-22-33")
    await page.fill("#f-postal_address", "ул. Ленина, 5, кв. 12")
    await page.select_option("#f-category_id", label="Дороги и тротуары")
    await page.fill("#f-subject", "Ремонт тротуара")
    await page.fill("#f-text", "Прошу отремонтировать тротуар у дома 5.")
    await page.set_input_files(
        "#f-scans", files=[{"name": "письмо.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    await page.click("#register-appeal")
    await expect(page.locator(".flash")).to_have_text(re.compile(r"Обращение \d{4}-\d{6} зарегистрировано\."))
    number = NUMBER_RE.search(await page.locator("#reg-number").inner_text())
    assert number is not None
    await expect(page.locator("#channel")).to_have_text("Бумажное письмо")
    await expect(page.locator("#status")).to_have_text("Зарегистрировано")
    await expect(page.locator("#appeal-files")).to_contain_text("письмо.png")
    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal).where(Appeal.reg_number == number.group()))
        assert appeal is not None and appeal.channel == "paper" and appeal.subject == "Ремонт тротуара"
        assert await s.scalar(select(StoredFile.id).where(StoredFile.appeal_id == appeal.id)) is not None

    # The Telegram resident later shares the same phone in the bot: now two records share it.
    async with session_factory() as s:
        await register_appeal(
            s,
            AppealInput(
                channel="telegram",
                text="И ещё фонарь не горит",
                # Shared with the contact button: a proven phone completes the resident's record.
                contact=ContactInput(telegram_id=RESIDENT_TG, phone="+79001112233", phone_proven=True),
            ),
            actor=Actor(telegram_id=RESIDENT_TG),
            files_dir=settings.files_dir,
        )
        await s.commit()

    await open_nav(page, "Обращения", "Корреспонденты")
    await page.fill("#filter-q", "кузнецова")
    await page.get_by_role("button", name="Найти").click()
    await expect(page.locator("#correspondent-table tbody tr")).to_have_count(2)
    await page.get_by_role("link", name="Кузнецова Ольга Петровна").click()
    await expect(page.locator("#appeal-count")).to_have_text("1")
    await expect(page.locator("#duplicates")).to_contain_text("Ольга Кузнецова")
    # The matching phone also raised a suggestion; merging settles it too.
    await expect(page.locator("#suggestions")).to_contain_text("Ольга Кузнецова")
    await page.locator("#duplicates a.button").click()
    await expect(page.locator("#retire")).to_contain_text("Ольга Кузнецова")
    await page.click("#confirm-merge")
    await expect(page.locator(".flash")).to_have_text("Записи объединены в «Кузнецова Ольга Петровна».")
    await expect(page.locator("#appeal-count")).to_have_text("3")
    await expect(page.locator("#duplicates")).to_have_count(0)
    await expect(page.locator("#suggestions")).to_have_count(0)
    async with session_factory() as s:
        kept = await s.scalar(select(Correspondent).where(Correspondent.name == "Кузнецова Ольга Петровна"))
        assert kept is not None and kept.telegram_id == RESIDENT_TG and kept.appeals_count == 3

    # The next letter from her: the autocomplete finds the kept record by a fragment.
    await page.goto("/appeals/new")
    await page.fill("#f-find", "кузн")
    await page.get_by_role("option", name="Кузнецова Ольга Петровна").click()
    await expect(page.locator("#chosen-name")).to_have_text("Кузнецова Ольга Петровна")
    await page.fill("#f-text", "Спасибо за тротуар, теперь двор.")
    await page.click("#register-appeal")
    await expect(page.locator(".flash")).to_contain_text("зарегистрировано")
    await page.locator("#correspondent a").click()
    await expect(page.locator("#appeal-count")).to_have_text("4")


async def test_clerk_assigns_and_answers_the_telegram_resident(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    await sign_in(page)
    await page.goto(f"/appeals/{office.appeal_id}")
    await expect(page.locator("#delivery")).to_have_text(
        "Ответ будет отправлен корреспонденту в Telegram-бот."
    )
    await page.click("#create-assignment")
    await expect(page.locator("#f-title")).to_have_value(re.compile(r"Глубокая яма на дороге у дома 5"))
    await expect(page.locator("#f-text")).to_contain_text("ул. Ленина, 5")
    await page.select_option("#f-executor_id", label="Иван Петров")
    await page.click("#create-assignment")
    await expect(page.locator(".flash")).to_have_text(re.compile(r"Поручение №\d+ создано\."))
    await expect(page.locator("#status")).to_have_text("В работе")
    link = page.locator("#assignments li a")
    await expect(link).to_contain_text("Глубокая яма")
    aid = int((await link.get_attribute("href") or "").rsplit("/", 1)[1])

    await submit_report(session_factory, settings, office.ivan_id, aid, "Яму засыпали щебнем")
    async with session_factory() as s:
        clerk = await s.get(User, office.clerk_id)
        assert clerk is not None
        await commands.transition(s, clerk, aid, Action.ACCEPT)
        await s.commit()
    await page.reload()
    await expect(page.locator("#assignments .status-done")).to_be_visible()
    await expect(page.locator("#ready")).to_be_visible()
    await page.fill("#f-answer", "Яма на дороге у дома 5 засыпана щебнем.")
    await page.get_by_role("button", name="Дать ответ").click()
    await expect(page.locator(".flash")).to_have_text("Ответ записан.")
    await expect(page.locator("#status")).to_have_text("Ответ дан")
    await expect(page.locator("#answer")).to_contain_text("засыпана щебнем")
    await expect(page.locator("#timeline")).to_contain_text("дан ответ")
    async with session_factory() as s:
        payloads = (
            await s.scalars(select(OutboxMessage.payload).where(OutboxMessage.chat_id == RESIDENT_TG))
        ).all()
        assert any("засыпана щебнем" in p["text"] for p in payloads)
        assignment = await s.get(Assignment, aid)
        assert assignment is not None and assignment.appeal_id == office.appeal_id
