"""Issue #16's own test for forms: a form filled in the bot and on the web lands on one CRM card.

A resident fills «Университет детей» in the bot (the sandbox), opens the personal web link from the
bot's message, fills the news form on the website, and the panel's card shows both answers and the
forms' tags on one card. The same web form without the link makes a new card and a duplicate
suggestion, never an attachment. Plus: mistyped answers, stale and forged presses, a repeated Send.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.app import create_admin_app
from models import Correspondent, CorrespondentSuggestion, FormSubmission
from porucheno.settings import Settings
from services.audit import Actor
from services.forms import definitions as d
from tests.bot.assignments_support import press_data
from tests.bot.conftest import keyboard_texts
from tests.services.forms_support import make_form
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, login, make_user

KEY_RE = re.compile(r'name="form_key" value="([0-9a-f]{32})"')
OUTDATED = "Эта кнопка устарела"


async def _seed(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session:
        await make_form(session)
        news = await d.create_form(
            session,
            d.FormDraft(slug="news", title_ru="Новости музея", tags="новости", thanks_ru="Вы подписаны!"),
            actor=Actor.system("test"),
        )
        await d.add_field(
            session,
            news.id,
            d.FieldDraft("email", "email", "Ваша почта", required=True, maps_to="email"),
            actor=Actor.system("test"),
        )
        await session.commit()


def _url_button(message: dict[str, Any]) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    urls = [b["url"] for row in rows for b in row if b.get("url")]
    assert urls, "no URL button"
    return urls[0]


async def _fill_kids_in_the_bot(chat: Any, sandbox: Any) -> dict[str, Any]:
    intro = await chat.send("/start form_kids", expect="Университет детей")
    assert keyboard_texts(intro) == ["🌐 Заполнить на сайте"]
    prompt = await chat.reply("Согласие на обработку персональных данных")
    await chat.press(prompt, "✅ Согласен")
    await chat.reply("Вопрос 1 из 9")
    # Only words: a megabyte is not possible in Telegram, 101 characters is over this field's limit.
    await chat.send("М" * 101, expect="Не более 100 символов")
    await chat.send("Маша", expect="Вопрос 2 из 9")
    course = (await chat.client.bot_messages(chat.user_id))[-1]
    assert keyboard_texts(course) == ["Рисование", "История"]
    # A forged option value under the current question: refused, nothing chosen.
    query = press_data(sandbox, chat, course["message_id"], f"fm:p:{_form_id(course)}:1:forged")
    answer = await chat.callback_answer(query)
    assert answer["show_alert"] and "Выберите из предложенных" in answer["text"]
    await chat.press(course, "Рисование")
    days = await chat.reply("Вопрос 3 из 9")
    await chat.press(days, "▫️ Суббота")
    await chat.press(days, "✔ Готово")
    await chat.reply("Вопрос 4 из 9")
    await chat.send("31.02.2016", expect="Введите дату")
    await chat.send("01.02.2016", expect="Вопрос 5 из 9")
    await chat.send("20", expect="не больше 14")
    phone_q = await chat.send("9", expect="Вопрос 6 из 9")
    assert keyboard_texts(phone_q) == ["📱 Поделиться телефоном", "Пропустить"]
    await chat.press(phone_q, "📱 Поделиться телефоном")
    email_q = await chat.reply("Вопрос 7 из 9")
    await chat.send("maria@", expect="Введите адрес электронной почты")
    await chat.press(email_q, "Пропустить")
    await chat.reply("Вопрос 8 из 9")
    agree = await chat.send("Любит рисовать", expect="Вопрос 9 из 9")
    await chat.send("да", expect="воспользуйтесь кнопками")  # a consent is a button, not a word
    await chat.press(agree, "✅ Согласен")
    summary = await chat.reply("проверьте перед отправкой")
    for part in (
        "Имя ребёнка: Маша",
        "Курс: Рисование",
        "Дни: Суббота",
        "Дата рождения: 01.02.2016",
        "Возраст: 9",
    ):
        assert part in summary["text"], part
    send_data = summary["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await chat.press(summary, "✅ Отправить")
    await chat.reply("Спасибо! Мы позвоним.")
    # «Send» pressed again (a slow client's second tap reaching the bot late): stale, one answer.
    again = await chat.callback_answer(press_data(sandbox, chat, summary["message_id"], send_data))
    assert OUTDATED in again["text"]
    return intro


def _form_id(message: dict[str, Any]) -> int:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return int(rows[0][0]["callback_data"].split(":")[2])


@pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING)
async def test_bot_and_web_answers_land_on_one_card(
    new_chat: Any, sandbox: Any, bot_settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _seed(session_factory)
    chat = await new_chat("Мария")
    intro = await _fill_kids_in_the_bot(chat, sandbox)

    # The personal link from the bot's message, opened in a browser: the news form on the website.
    link = urlsplit(_url_button(intro))
    assert link.path == "/f/kids" and link.query.startswith("t=")
    app = create_admin_app(bot_settings, session_factory)
    async with TestClient(TestServer(app, host="127.0.0.1")) as web:
        page = await (await web.get(f"/f/news?{link.query}")).text()
        assert 'id="personal-note"' in page
        response = await web.post(
            f"/f/news?{link.query}",
            data={
                "csrf_token": csrf_of(page),
                "form_key": KEY_RE.search(page).group(1),  # type: ignore[union-attr]
                "f_email": "maria@mail.ru",
                "pd_consent": "1",
            },
            allow_redirects=False,
        )
        assert response.status == 303
        assert "Вы подписаны!" in await (await web.get(response.headers["Location"])).text()

        async with session_factory() as session:
            rows = (await session.scalars(select(FormSubmission).order_by(FormSubmission.id))).all()
            card = await session.get(Correspondent, rows[0].correspondent_id)
        assert [s.channel for s in rows] == ["telegram", "web"]
        assert {s.correspondent_id for s in rows} == {card.id} and card.telegram_id == chat.user_id
        assert card.phone_proven and card.email == "maria@mail.ru" and not card.email_proven

        # The clerk opens the card in the panel: both answers, all the forms' tags, one card.
        await make_user(session_factory, "clerk", "correct-horse-battery", ["clerk"])
        await login(web, "clerk", "correct-horse-battery")
        html = await (await web.get(f"/correspondents/{card.id}")).text()
        block = html[html.index('id="card-forms"') :]
        assert re.findall(r'data-tag="([^"]+)"', block) == ["дети", "новости", "университет"]
        assert block.index("Новости музея") < block.index("Университет детей")  # newest first
        answer = await (await web.get(f"/forms/answers/{rows[0].id}")).text()
        assert "Маша" in answer and "Рисование" in answer and "Суббота" in answer

        # The same web form without the link, with the same e-mail typed: a new card and a
        # suggestion for a clerk, never an answer on Мария's card.
        web.session.cookie_jar.clear()
        page = await (await web.get("/f/news")).text()
        assert 'id="personal-note"' not in page
        response = await web.post(
            "/f/news",
            data={
                "csrf_token": csrf_of(page),
                "form_key": KEY_RE.search(page).group(1),  # type: ignore[union-attr]
                "f_email": "maria@mail.ru",
                "pd_consent": "1",
            },
            allow_redirects=False,
        )
        assert response.status == 303
    async with session_factory() as session:
        third = (await session.scalars(select(FormSubmission).order_by(FormSubmission.id.desc()))).first()
        assert third.correspondent_id != card.id
        suggestion = await session.scalar(select(CorrespondentSuggestion))
        assert suggestion is not None and suggestion.candidate_id == card.id
        assert await session.scalar(select(func.count()).select_from(Correspondent)) == 2


async def test_stale_unknown_and_cancelled_forms(
    new_chat: Any, sandbox: Any, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _seed(session_factory)
    chat = await new_chat("Пётр")
    await chat.send("/start form_nothing", expect="Форма недоступна")
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, "📝 Анкеты и заявки")
    listing = await chat.reply("Выберите форму")
    assert keyboard_texts(listing) == ["Новости музея", "Университет детей"]
    await chat.press(listing, "Новости музея")
    prompt = await chat.reply("Согласие на обработку персональных данных")
    agree_data = prompt["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await chat.press(prompt, "✖ Не согласен")
    await chat.reply("Ничего не сохранено")
    # The consent button pressed again after the decline (its buttons are gone): outdated.
    again = await chat.callback_answer(press_data(sandbox, chat, prompt["message_id"], agree_data))
    assert OUTDATED in again["text"]
    # Forged data of every shape, on a message of the chat: answered, never a traceback.
    for data in ("fm:send:999:0:", "fm:p:1:0:" + "x" * 40, "fm:zz:1:0:", "fm:\x00\x07"):
        answer = await chat.callback_answer(press_data(sandbox, chat, listing["message_id"], data))
        assert answer["answered"] and answer.get("show_alert"), data
    # The form closed while someone is on it: the next answer says so.
    await chat.press(listing, "Новости музея")
    prompt = await chat.reply("Согласие на обработку персональных данных")
    await chat.press(prompt, "✅ Согласен")
    await chat.reply("Ваша почта")
    async with session_factory() as session:
        form = await d.by_slug(session, "news")
        await d.set_active(session, form.id, False, actor=Actor.system("test"))
        await session.commit()
    await chat.send("petr@mail.ru", expect="больше недоступна")
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(FormSubmission)) == 0


async def test_files_and_a_required_choice_in_the_bot(
    new_chat: Any, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from models import StoredFile
    from tests.bot.assignments_support import PDF, PNG_1

    async with session_factory() as session:
        form = await d.create_form(
            session,
            d.FormDraft(slug="drawings", title_ru="Конкурс рисунков", tags="конкурс"),
            actor=Actor.system("t"),
        )
        await d.add_field(
            session,
            form.id,
            d.FieldDraft("works", "file", "Рисунки", required=True, rules={"max_files": 2}),
            actor=Actor.system("t"),
        )
        await session.commit()
    chat = await new_chat("Оля")
    await chat.send("/start form_drawings", expect="Конкурс рисунков")
    await chat.press(await chat.reply("Согласие на обработку"), "✅ Согласен")
    question = await chat.reply("Вопрос 1 из 1")
    # «Done» with nothing attached: the field is required.
    answer = await chat.callback_answer(await chat.press(question, "✔ Готово"))
    assert answer["show_alert"] and "Обязательное поле" in answer["text"]
    await chat.send("вот мой рисунок", expect="Пришлите фото или документ")
    await chat.client.send_photo(chat.user_id, PNG_1, "cat.png")
    await chat.reply("Приложено: 1")
    await chat.client.send_document(chat.user_id, b"not really a document", "virus.exe")
    await chat.reply("тип файла")
    await chat.client.send_document(chat.user_id, PDF, "story.pdf", "application/pdf")
    progress = await chat.reply("Приложено: 2")
    await chat.client.send_document(chat.user_id, PDF + b" ", "third.pdf", "application/pdf")
    await chat.reply("не более 2")
    await chat.press(progress, "✔ Готово")
    summary = await chat.reply("проверьте перед отправкой")
    assert "Рисунки: файлов: 2" in summary["text"]
    await chat.press(summary, "✅ Отправить")
    await chat.reply("Спасибо! Ваши ответы получены.")
    async with session_factory() as session:
        submission = await session.scalar(select(FormSubmission))
        stored = (
            await session.scalars(select(StoredFile).where(StoredFile.form_submission_id == submission.id))
        ).all()
    assert sorted(f.mime_type for f in stored) == ["application/pdf", "image/png"]
    assert sorted(submission.answers["works"]) == sorted(f.id for f in stored)
