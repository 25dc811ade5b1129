"""An appeal with several questions, coded and decided on its page in headless Chromium: the first
question (made at registration) gets its classifier code, a second is added with another code found
by a word, a supported result without its measures is refused, then both are decided and the card
and the history show it; an invalid code is refused next to its field."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porucheno.demo_seed import DEMO_CLASSIFIER
from porucheno.settings import Settings
from services.appeals import classifier, questions
from services.audit import Actor
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.test_appeals_browser import sign_in
from tests.web.test_appeals_http import make_office

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

ROADS = "0003.0009.0096.0511"
LIGHTS = "0003.0011.0120.0604"


async def test_clerk_codes_adds_and_decides_questions(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    async with session_factory() as s:
        report = await classifier.load_trusted(
            s, DEMO_CLASSIFIER.read_bytes(), filename="demo.csv", actor=Actor.system("test")
        )
        assert report.loaded
        await s.commit()
    await sign_in(page)
    await page.goto(f"/appeals/{office.appeal_id}")
    first = page.locator("#question-1")
    await expect(first.locator(".question-text")).to_have_text("Глубокая яма на дороге у дома 5")
    await expect(first.locator(".question-code")).to_have_text("нет кода классификатора")
    await expect(first.locator(".question-result")).to_have_text("результата ещё нет")

    # Code the first question.
    await first.locator("summary", has_text="Изменить вопрос").click()
    await first.locator("input[name=classifier_code]").fill(ROADS)
    await first.get_by_role("button", name="Сохранить вопрос").click()
    await expect(page.locator(".flash")).to_have_text("Вопрос сохранён.")
    await expect(first.locator(".question-code")).to_have_text(ROADS)
    await expect(first.locator(".question-name")).to_have_text("Ремонт дорог, ямы на проезжей части")

    # Add a second one: the picker finds the code by a word of its name.
    await page.locator("#question-add summary").click()
    code = page.locator("#q-code-new")
    await code.press_sequentially("освещ")
    options = page.locator("#classifier-codes option")
    await expect(options).to_have_count(1)
    await expect(options).to_have_attribute("value", LIGHTS)
    # A section is not a question: refused next to the field, the text kept.
    await code.fill("0003.0011")
    await page.fill("#q-text-new", "Не горит фонарь у подъезда")
    await page.get_by_role("button", name="Добавить", exact=True).click()
    await expect(page.locator("#q-code-new-e")).to_contain_text("Выберите вопрос классификатора")
    await expect(page.locator("#q-text-new")).to_have_value("Не горит фонарь у подъезда")
    await page.fill("#q-code-new", LIGHTS)
    await page.get_by_role("button", name="Добавить", exact=True).click()
    await expect(page.locator(".flash")).to_have_text("Вопрос добавлен.")
    second = page.locator("#question-2")
    await expect(second.locator(".question-code")).to_have_text(LIGHTS)
    await expect(second.locator(".question-name")).to_have_text("Уличное освещение")
    await expect(second.locator(".question-text")).to_have_text("Не горит фонарь у подъезда")

    # Supported with measures taken, but no measures described: refused.
    await first.locator("summary", has_text="Результат и меры").click()
    await first.locator("select[name=result]").select_option(label="Поддержано")
    await first.locator("input[name=measures_taken]").check()
    await first.get_by_role("button", name="Записать результат").click()
    await expect(first.locator(".question-decide .error")).to_have_text("Опишите принятые меры.")
    await first.locator("textarea[name=measures]").fill("Яма засыпана щебнем 5 марта")
    await first.get_by_role("button", name="Записать результат").click()
    await expect(page.locator(".flash")).to_have_text("Результат по вопросу записан.")
    await expect(first.locator(".question-result")).to_have_text("Поддержано")
    await expect(first.locator(".question-measures")).to_have_text(
        "Приняты меры: Яма засыпана щебнем 5 марта"
    )

    await second.locator("summary", has_text="Результат и меры").click()
    await second.locator("select[name=result]").select_option(label="Разъяснено")
    await second.get_by_role("button", name="Записать результат").click()
    await expect(page.locator(".flash")).to_have_text("Результат по вопросу записан.")
    await expect(second.locator(".question-result")).to_have_text("Разъяснено")
    await expect(page.locator(".step-question_added")).to_have_count(1)
    await expect(page.locator(".step-question_result").first).to_contain_text("записан результат по вопросу")

    async with session_factory() as s:
        await questions.require_results(s, office.appeal_id)  # both decided
        rows = (await questions.results_for_export(s, [office.appeal_id]))[office.appeal_id]
    assert [(r.position, r.code, r.result, r.measures_taken, r.measures) for r in rows] == [
        (1, ROADS, "supported", True, "Яма засыпана щебнем 5 марта"),
        (2, LIGHTS, "explained", False, None),
    ]
