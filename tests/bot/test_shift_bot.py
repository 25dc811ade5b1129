"""A dispatcher hands the shift over in Telegram: reads the report with the open incident, adds a
note, hands over, and gets the report as XLSX and PDF; someone else's forged press is refused."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from models import ShiftHandover, User, utcnow
from models.enums import IncidentKind, InformantKind
from sandbox.runner import RunningSandbox
from services.incidents import journal
from tests.bot.dispatch_support import Town, buttons, press_data, town_fixture  # noqa: F401 - fixtures

MSK = ZoneInfo("Europe/Moscow")


async def _open_incident(town: Town) -> str:
    async with town.session_factory() as s:
        dispatcher = await s.get(User, town.dispatcher_id)
        assert dispatcher is not None
        incident = await journal.log_incident(
            s,
            dispatcher,
            journal.NewIncident(
                kind=IncidentKind.FALLEN_TREE,
                received_at=utcnow() - timedelta(hours=2),
                informant_kind=InformantKind.RESIDENT,
                description="Дерево перегородило проезд",
                building_id=town.houses["ул. Ленина 5"],
            ),
            tz=MSK,
        )
        await s.commit()
        return incident.journal_number


async def test_dispatcher_hands_over_and_gets_the_files(town: Town, session_factory) -> None:
    number = await _open_incident(town)
    d = town.dispatcher
    menu = await d.send("/menu", expect="меню")
    assert "Сдать смену" in [b["text"] for row in menu["reply_markup"]["keyboard"] for b in row]

    report = await d.send("Сдать смену", expect="Сдача смены ЕДДС")
    text = report["text"]
    assert "Открытые происшествия: 1" in text and f"№ {number}" in text and "ул. Ленина, 5" in text
    ask = await d.reply("Добавьте примечание")
    assert buttons(ask) == ["✅ Сдать смену", "📝 Добавить примечание", "✖ Отменить"]
    await d.press(ask, "📝 Добавить примечание")
    await d.reply("Напишите примечание")
    confirm = await d.send("Дерево на Ленина, 5 ещё не убрано", expect="Примечание для следующей смены")
    assert buttons(confirm)[0] == "✅ Сдать смену"
    await d.press(confirm, "✅ Сдать смену")

    final = await d.reply("Смену сдал(а): Морозов Денис Олегович")
    assert "Примечание: Дерево на Ленина, 5 ещё не убрано" in final["text"] and f"№ {number}" in final["text"]
    documents = []
    for _ in range(2):
        documents.append(
            await d.client.wait_for(
                d.user_id,
                lambda m: (
                    m["kind"] == "document" and m["message_id"] not in [x["message_id"] for x in documents]
                ),
                after_message_id=final["message_id"],
            )
        )
    names = sorted(doc["media"][0]["file_name"] for doc in documents)
    assert names[0].startswith("shift-") and names[0].endswith(".pdf") and names[1].endswith(".xlsx")
    by_ext = {doc["media"][0]["file_name"].rsplit(".", 1)[1]: doc for doc in documents}
    book = load_workbook(io.BytesIO(await d.client.download(by_ext["xlsx"]["media"][0]["url"])))
    firsts = [row[0] for row in book.active.iter_rows(values_only=True)]
    assert "Открытые происшествия: 1" in firsts and number in firsts
    pdf = PdfReader(io.BytesIO(await d.client.download(by_ext["pdf"]["media"][0]["url"])))
    assert number in " ".join(p.extract_text() for p in pdf.pages)

    async with session_factory() as s:
        stored = (await s.scalars(select(ShiftHandover))).one()
        assert (
            stored.note == "Дерево на Ленина, 5 ещё не убрано" and stored.handed_by_id == town.dispatcher_id
        )


async def test_a_forged_press_by_a_non_dispatcher_is_refused(
    town: Town, session_factory, sandbox: RunningSandbox
) -> None:
    ex = town.executor
    answer = await ex.send("Сдать смену")  # not their menu item: the fallback answers
    assert "Сдача смены ЕДДС" not in (answer["text"] or "")
    query = press_data(sandbox, ex, answer["message_id"], "shf:go")
    refused = await ex.callback_answer(query)
    assert refused.get("text") == "Сдать смену может только дежурный диспетчер."
    async with session_factory() as s:
        assert (await s.scalars(select(ShiftHandover))).first() is None
