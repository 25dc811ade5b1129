"""59-FZ article 11 outcomes through the panel in headless Chromium: each is an action on the appeal
page with a prefilled letter; the appeal closes with its outcome, the letter is kept as DOCX and PDF
with the law's wording, and the applicant gets the notice with the letter's PDF (Telegram outbox or
e-mail) — or nothing, for an anonymous appeal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.i18n import format_dt
from models import utcnow
from models.enums import LetterKind
from porucheno.settings import Settings
from services.appeals.intake import ContactInput
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.outcomes_support import (
    HEAD,
    ORG,
    add_appeal,
    letter_texts,
    load,
    mail_for,
    make_law_office,
    outbox_for,
    sign_in_as,
)
from tests.web.test_appeals_http import RESIDENT_TG

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_anonymous_appeal_reporting_a_crime_is_forwarded_to_the_police_and_nobody_is_told(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_law_office(session_factory, settings.files_dir)
    # An e-mail without a name: the law needs the surname and an address, so this one is anonymous.
    appeal_id = await add_appeal(
        session_factory,
        settings.files_dir,
        channel="email",
        contact=ContactInput(email="noname@example.org"),
        text="Сосед из кв. 12 по ул. Садовой, 3 торгует наркотиками по ночам",
    )
    mail_before = len(await mail_for(session_factory, appeal_id))
    await sign_in_as(page, "clerk")
    await page.goto(f"/appeals/{appeal_id}")
    await page.click("#outcome-anonymous summary")
    await expect(page.locator("#f-anon_forward_to")).to_have_value("ОМВД России по … району")
    await page.check("#f-anon_crime")
    await page.fill("#f-anon_forward_to", "ОМВД России по Заречному району")
    await page.get_by_role("button", name="Оставить без ответа").first.click()

    await expect(page.locator(".flash")).to_contain_text("Анонимное обращение закрыто без ответа")
    await expect(page.locator("#status")).to_have_text("Закрыто")
    await expect(page.locator("#outcome")).to_contain_text("Анонимное: оставлено без ответа")
    await expect(page.locator("#outcome-forwarded")).to_have_text(
        "Направлено в: ОМВД России по Заречному району"
    )
    await expect(page.locator('#letters li[data-kind="anonymous_forward"]')).to_contain_text(
        "О направлении обращения"
    )
    await expect(page.locator("#outcome-actions")).to_have_count(0)  # closed: nothing more to decide
    await expect(page.locator("#timeline")).to_contain_text("анонимное: оставлено без ответа")

    appeal = await load(session_factory, appeal_id)
    assert (appeal.status, appeal.outcome) == ("closed", "anonymous")
    letter, docx_text, pdf_text = await letter_texts(
        session_factory, settings.files_dir, appeal_id, LetterKind.ANONYMOUS_FORWARD
    )
    for text in (docx_text, pdf_text):
        for expected in (ORG, "ОМВД России по Заречному району", "В соответствии с частью 1 статьи 11",
                         f"за № {appeal.reg_number}", "о подготавливаемом, совершаемом или совершённом",
                         "противоправном деянии", f"Обращение № {appeal.reg_number}", *HEAD):  # fmt: skip
            assert expected in text, (expected, text)
    assert letter.recipient == "ОМВД России по Заречному району" and letter.sent_at is None
    assert len(await mail_for(session_factory, appeal_id)) == mail_before  # nobody to tell


async def test_abusive_appeal_tells_the_applicant_once_with_the_letter(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    law = await make_law_office(session_factory, settings.files_dir)
    await sign_in_as(page, "clerk")
    await page.goto(f"/appeals/{law.appeal_id}")
    await page.click("#outcome-abusive summary")
    body = page.locator("#f-abusive_body")
    await expect(body).to_contain_text("Уважаемый(ая) Ольга Кузнецова!")
    await expect(body).to_contain_text("о недопустимости злоупотребления правом")
    # The clerk edits the prefilled text before issuing it.
    text = await body.input_value()
    await body.fill(text + "\n\nОбращение можно направить повторно через бот.")
    await page.get_by_role("button", name="Оставить без ответа по существу").click()

    await expect(page.locator(".flash")).to_contain_text("Обращение оставлено без ответа по существу.")
    await expect(page.locator(".flash")).to_contain_text("отправлено заявителю")
    await expect(page.locator("#status")).to_have_text("Закрыто")
    await expect(page.locator("#outcome")).to_contain_text("Нецензурные или оскорбительные выражения")
    appeal = await load(session_factory, law.appeal_id)
    assert appeal.outcome == "abusive"
    letter, docx_text, pdf_text = await letter_texts(
        session_factory, settings.files_dir, law.appeal_id, LetterKind.ABUSIVE_NOTICE
    )
    for text in (docx_text, pdf_text):
        for expected in ("Ольга Кузнецова", "О недопустимости злоупотребления правом",
                         "В соответствии с частью 3 статьи 11", "без ответа по существу",
                         "Обращение можно направить повторно через бот.", HEAD[1]):  # fmt: skip
            assert expected in text, (expected, text)
    assert letter.sent_via == "telegram"
    rows = await outbox_for(session_factory, law.appeal_id, "abusive")
    assert [r.method for r in rows] == ["sendMessage", "sendDocument"]
    assert all(r.chat_id == RESIDENT_TG for r in rows)
    assert "оставлено без ответа по существу" in rows[0].payload["text"]
    assert "недопустимости злоупотребления правом" in rows[0].payload["text"]
    assert rows[1].payload["document"]["filename"].endswith(".pdf")

    # Her next abusive appeal: the page says she was told already, and nothing is sent again.
    second = await add_appeal(session_factory, settings.files_dir, text="Опять вы ничего не делаете, …")
    await page.goto(f"/appeals/{second}")
    await page.click("#outcome-abusive summary")
    await expect(page.locator("#abusive-already-told")).to_contain_text(letter.out_number)
    await expect(page.locator("#f-abusive_body")).to_have_count(0)
    await page.get_by_role("button", name="Оставить без ответа по существу").click()
    await expect(page.locator(".flash")).to_contain_text("Уведомление не отправлено")
    await expect(page.locator("#outcome-notice")).to_contain_text(
        f"уже сообщалось письмом {letter.out_number}"
    )
    assert (await load(session_factory, second)).outcome == "abusive"
    assert await outbox_for(session_factory, second, "abusive") == []
    await expect(page.locator('#letters li[data-kind="abusive_notice"]')).to_have_count(0)


async def test_unreadable_appeal_shows_the_7_day_notice_deadline_and_mails_the_letter(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_law_office(session_factory, settings.files_dir)
    # The notice is already late. A fixed Thursday: 7 days later is a working Thursday, so the term
    # does not move on the production calendar (a weekend or a holiday would move it earlier).
    registered = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    appeal_id = await add_appeal(
        session_factory,
        settings.files_dir,
        channel="email",
        contact=ContactInput(name="Сидоров Пётр", email="petr@example.org", postal_address="ул. Мира, 7"),
        text="Нрзб. нрзб. ... (скан неразборчив)",
        now=registered,
    )
    due = format_dt(registered + timedelta(days=7), settings.tz)
    await sign_in_as(page, "clerk")
    await page.goto(f"/appeals/{appeal_id}")
    await page.click("#outcome-unreadable summary")
    await expect(page.locator("#unreadable-due")).to_contain_text(f"Сообщить заявителю до {due}")
    await expect(page.locator("#unreadable-due .badge")).to_have_text("просрочено")
    await expect(page.locator("#f-unreadable_notify")).to_be_checked()  # name and address known
    await page.locator("#outcome-unreadable").get_by_role("button", name="Оставить без ответа").click()

    await expect(page.locator(".flash")).to_contain_text("Обращение с нечитаемым текстом закрыто без ответа.")
    await expect(page.locator("#outcome")).to_contain_text("Текст не поддаётся прочтению: без ответа")
    await expect(page.locator("#outcome-notice")).to_contain_text("позже 7 дней")
    letter, docx_text, pdf_text = await letter_texts(
        session_factory, settings.files_dir, appeal_id, LetterKind.UNREADABLE_NOTICE
    )
    for text in (docx_text, pdf_text):
        for expected in ("Сидоров Пётр", "ул. Мира, 7", "не поддаётся прочтению",
                         "В соответствии с частью 4 статьи 11", "не подлежит направлению"):  # fmt: skip
            assert expected in text, (expected, text)
    notice = [
        m
        for m in await mail_for(session_factory, appeal_id)
        if m.dedup_key == f"appeal:{appeal_id}:unreadable"
    ]
    assert len(notice) == 1
    assert notice[0].to_address == "petr@example.org"
    assert "текст не поддаётся прочтению" in notice[0].subject
    assert notice[0].file_ids == [letter.pdf_file_id]
    assert letter.sent_via == "email"


async def test_manager_stops_correspondence_on_a_repeated_question_and_later_appeals_warn(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_law_office(session_factory, settings.files_dir)
    start = utcnow() - timedelta(days=120)
    first = await add_appeal(
        session_factory, settings.files_dir, now=start, answer="Яма включена в план ремонта на лето."
    )
    second = await add_appeal(
        session_factory, settings.files_dir, now=start + timedelta(days=40), answer="Ремонт выполнен в июле."
    )
    current = await add_appeal(
        session_factory, settings.files_dir, text="Почему не отремонтировали яму у дома 5?"
    )
    numbers = {i: (await load(session_factory, i)).reg_number for i in (first, second, current)}

    # A clerk prepares but does not decide: the action is not offered.
    await sign_in_as(page, "clerk")
    await page.goto(f"/appeals/{current}")
    await expect(page.locator("#outcome-abusive")).to_have_count(1)
    await expect(page.locator("#outcome-stop")).to_have_count(0)
    await page.click("#logout")

    await sign_in_as(page, "boss")
    await page.goto(f"/appeals/{current}")
    await page.click("#outcome-stop summary")
    earlier = page.locator("#stop-earlier input[name=stop_earlier]")
    await expect(earlier).to_have_count(2)
    await expect(page.locator("#f-stop_body")).to_contain_text(numbers[first])
    await expect(page.locator("#f-stop_body")).to_contain_text(numbers[second])
    # Only one earlier answer picked: «неоднократно» means more than once.
    await page.locator(f'#stop-earlier input[value="{first}"]').uncheck()
    await page.fill("#f-stop_reason", "Ремонт ямы у дома 5: ответы даны дважды, новых доводов нет")
    await page.get_by_role("button", name="Прекратить переписку").click()
    await expect(page.locator("#e-stop_earlier")).to_contain_text("не менее 2")
    await expect(page.locator("#status")).not_to_have_text("Закрыто")
    assert await outbox_for(session_factory, current, "correspondence_stopped") == []

    await page.locator(f'#stop-earlier input[value="{first}"]').check()
    await page.get_by_role("button", name="Прекратить переписку").click()
    await expect(page.locator(".flash")).to_contain_text("Переписка по этому вопросу прекращена.")
    await expect(page.locator("#status")).to_have_text("Закрыто")
    await expect(page.locator("#outcome")).to_contain_text(
        "Повторное без новых доводов: переписка прекращена"
    )
    await expect(page.locator("#outcome-earlier")).to_contain_text(numbers[first])
    await expect(page.locator("#stop-warning")).to_have_count(0)  # not on the deciding appeal itself

    letter, docx_text, pdf_text = await letter_texts(
        session_factory, settings.files_dir, current, LetterKind.CORRESPONDENCE_STOPPED
    )
    for text in (docx_text, pdf_text):
        for expected in ("О прекращении переписки", "Ольга Кузнецова",
                         "неоднократно давались письменные ответы", numbers[first], numbers[second],
                         "В соответствии с частью 5 статьи 11",
                         "о безосновательности очередного обращения и прекращении переписки"):  # fmt: skip
            assert expected in text, (expected, text)
    rows = await outbox_for(session_factory, current, "correspondence_stopped")
    assert [r.method for r in rows] == ["sendMessage", "sendDocument"]
    assert "Переписка по вопросу вашего обращения" in rows[0].payload["text"]
    assert letter.sent_via == "telegram"

    # Her next appeal warns whoever opens it.
    later = await add_appeal(session_factory, settings.files_dir, text="И всё-таки, когда будет ремонт?")
    await page.goto(f"/appeals/{later}")
    warning = page.locator("#stop-warning")
    await expect(warning).to_contain_text("Переписка с этим корреспондентом прекращена")
    await expect(warning).to_contain_text("Борис Начальников")
    await expect(warning).to_contain_text(numbers[current])
    await expect(warning).to_contain_text("Ремонт ямы у дома 5")


async def test_repeated_appeal_is_linked_from_a_suggestion_or_a_number_and_collective_marked(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    law = await make_law_office(session_factory, settings.files_dir)
    first = law.appeal_id  # «Глубокая яма на дороге у дома 5», topic «Дороги»
    other = await add_appeal(
        session_factory,
        settings.files_dir,
        text="Не вывозят мусор во дворе",
        now=utcnow() - timedelta(days=2),
    )
    repeat = await add_appeal(
        session_factory, settings.files_dir, text="Повторно: яма на дороге у дома 5 всё ещё не заделана",
        category_id=law.office.category_id,
    )  # fmt: skip
    first_number = (await load(session_factory, first)).reg_number
    other_number = (await load(session_factory, other)).reg_number
    await sign_in_as(page, "clerk")
    await page.goto(f"/appeals/{repeat}")
    await expect(page.locator("#repeat")).to_contain_text("нет")
    suggestions = page.locator("#repeat-suggestions li")
    await expect(suggestions).to_have_count(1)  # the rubbish appeal is on another topic
    await expect(suggestions.first).to_contain_text(first_number)
    await suggestions.first.get_by_role("button", name="Повторное к этому").click()
    await expect(page.locator(".flash")).to_contain_text(
        f"Обращение отмечено как повторное к {first_number}."
    )
    await expect(page.locator("#repeat-mark")).to_have_text("Повторное")
    await expect(page.locator("#repeat-of")).to_have_text(first_number)
    await page.click("#repeat-of")
    await expect(page.locator("#repeated-by")).to_contain_text(
        (await load(session_factory, repeat)).reg_number
    )

    # Corrected by a typed number; a later appeal cannot be the earlier one.
    await page.goto(f"/appeals/{repeat}")
    await page.get_by_role("button", name="Не повторное").click()
    await expect(page.locator("#repeat")).to_contain_text("нет")
    await page.goto(f"/appeals/{other}")
    await page.fill("#f-repeat_number", (await load(session_factory, repeat)).reg_number)
    await page.get_by_role("button", name="Отметить как повторное").click()
    await expect(page.locator("#e-repeat_number")).to_contain_text("зарегистрировано позже")
    await page.goto(f"/appeals/{repeat}")
    await page.fill("#f-repeat_number", other_number)
    await page.get_by_role("button", name="Отметить как повторное").click()
    await expect(page.locator("#repeat-of")).to_have_text(other_number)

    # Collective: needs at least two signatures.
    await page.check("#f-collective")
    await page.fill("#f-signatories", "1")
    await page.locator("#collective-form").get_by_role("button", name="Сохранить").click()
    await expect(page.locator("#e-signatories")).to_contain_text("от 2 до")
    await page.fill("#f-signatories", "37")
    await page.locator("#collective-form").get_by_role("button", name="Сохранить").click()
    await expect(page.locator("#collective-mark")).to_have_text("Коллективное")
    await expect(page.locator("#collective")).to_contain_text("подписавших: 37")
    await expect(page.locator("#timeline")).to_contain_text("отмечено как повторное")
    appeal = await load(session_factory, repeat)
    assert (appeal.repeat_of_id, appeal.is_collective, appeal.signatories) == (other, True, 37)

    # The list filters by the marks and shows them; the export carries them.
    repeat_number = appeal.reg_number
    await page.goto("/appeals")
    await page.check("#filter-collective")
    await page.get_by_role("button", name="Показать").click()
    rows = page.locator("#appeal-table tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(repeat_number)
    await expect(rows.first.locator(".badge.repeated")).to_have_text("повторное")
    await expect(rows.first.locator(".badge.collective")).to_have_text("коллективное")
    await expect(page.locator("#filter-chips")).to_contain_text("Только коллективные")
    response = await page.request.get("/appeals/export.csv?repeated=1")
    lines = (await response.text()).lstrip("\ufeff").splitlines()
    assert "Повторное к" in lines[0] and "Подписавших коллективное обращение" in lines[0]
    assert len(lines) == 2 and repeat_number in lines[1] and other_number in lines[1] and "37" in lines[1]
