"""Volunteers in the panel over HTTP: who may open the pages, the base and its filters, accepting a
candidate (told in the bot), the profile editor, assigning from the suggested list, marking hours and
no-shows, refusals shown on the page, the hours report and its XLSX, the CRM card's block."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import OutboxMessage, Volunteer, VolunteerShift, utcnow
from models.enums import VolunteerShiftStatus, VolunteerStatus
from tests.volunteers_support import make_event, make_person, questionnaire
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "volunteers-password-1"
CHAT = 880_101


@dataclass
class Museum:
    volunteer_id: int
    card_id: int
    silent_id: int
    future_event: int
    past_event: int


async def _museum(factory: async_sessionmaker[AsyncSession]) -> Museum:
    await make_user(factory, "kurator", PASSWORD, ["manager"], "Кураторова Ольга")
    await make_user(factory, "clerk", PASSWORD, ["clerk"], "Делопроизводова Инна")
    await make_user(factory, "worker", PASSWORD, ["executor"], "Исполнитель Иван")
    async with factory() as s:
        card = await make_person(s, "Орлова Дарья", telegram_id=CHAT)
        volunteer = await questionnaire(s, card, {"skills": "гардероб, экскурсии", "availability": "any"})
        silent = await questionnaire(s, await make_person(s, "Тихонов Семён"), {"skills": "фото"})
        future = await make_event(s, "Ночь музеев", utcnow() + timedelta(days=3), hours=4)
        past = await make_event(s, "Лекция о Шишкине", utcnow() - timedelta(days=1), hours=3)
        await s.commit()
        return Museum(volunteer.id, card.id, silent.id, future.id, past.id)


async def _as(client: TestClient, who: str) -> None:
    client.session.cookie_jar.clear()
    await login(client, who, PASSWORD)


async def _post(client: TestClient, path: str, data: dict[str, str] | list[tuple[str, str]]) -> str:
    """POST a form as the page would; follow the redirect and return the page shown after it."""
    token = await csrf_token(client, "/volunteers")
    items = list(data.items()) if isinstance(data, dict) else list(data)
    response = await client.post(path, data=[*items, ("csrf_token", token)], allow_redirects=False)
    assert response.status == 303, (response.status, await response.text())
    return await (await client.get(response.headers["Location"])).text()


async def _volunteer(factory: async_sessionmaker[AsyncSession], volunteer_id: int) -> Volunteer:
    async with factory() as s:
        row = await s.get(Volunteer, volunteer_id)
        assert row is not None
        return row


async def _shifts(factory: async_sessionmaker[AsyncSession]) -> list[VolunteerShift]:
    async with factory() as s:
        return list(await s.scalars(select(VolunteerShift).order_by(VolunteerShift.id)))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_access_base_and_status(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    museum = await _museum(session_factory)
    page = f"/volunteers/{museum.volunteer_id}"
    await _as(client, "worker")
    for path in ("/volunteers", page, f"/volunteers/events/{museum.future_event}", "/volunteers/report"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 403, path
    await _as(client, "kurator")
    html = await (await client.get("/volunteers")).text()
    assert "Орлова Дарья" in html and "Тихонов Семён" in html and "Кандидат" in html
    only_photo = _text(await (await client.get("/volunteers?skill=фото")).text())
    assert "Тихонов Семён" in only_photo and "Орлова Дарья" not in only_photo
    evenings = _text(await (await client.get("/volunteers?day=sat&part=evening")).text())
    assert "Орлова Дарья" in evenings and "Тихонов Семён" not in evenings  # he gave no availability
    assert (await client.get("/volunteers/99999")).status == 404

    shown = _text(await _post(client, page + "/status", {"status": "active"}))
    assert "Статус: Активен." in shown
    assert (await _volunteer(session_factory, museum.volunteer_id)).status == VolunteerStatus.ACTIVE
    async with session_factory() as s:
        told = list(await s.scalars(select(OutboxMessage.payload).where(OutboxMessage.chat_id == CHAT)))
    assert len(told) == 1 and "Теперь вы активный волонтёр музея" in told[0]["text"]
    again = _text(await _post(client, page + "/status", {"status": "active"}))  # a stale second press
    assert "⚠ Статус волонтёра уже изменился; обновите страницу." in again
    forged = _text(await _post(client, page + "/status", {"status": "boss"}))
    assert "⚠ Неизвестный статус волонтёра." in forged
    silent = _text(await (await client.get(f"/volunteers/{museum.silent_id}")).text())
    assert "нет чата с ботом" in silent

    # The CRM card shows the block.
    card = _text(await (await client.get(f"/correspondents/{museum.card_id}")).text())
    assert "Волонтёр" in card and "Статус: Активен" in card and "гардероб, экскурсии" in card


async def test_profile_assign_hours_and_report(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    museum = await _museum(session_factory)
    page = f"/volunteers/{museum.volunteer_id}"
    await _as(client, "clerk")
    await _post(client, page + "/status", {"status": "active"})
    saved = _text(
        await _post(
            client,
            page + "/profile",
            [
                ("skills", "Гардероб, мастер-классы"),
                ("slot", "sat_evening"),
                ("slot", "sun_morning"),
                ("notes", "В августе в отпуске"),
            ],
        )
    )
    assert "Сохранено." in saved
    volunteer = await _volunteer(session_factory, museum.volunteer_id)
    assert volunteer.skills == ["Гардероб", "мастер-классы"] and volunteer.notes == "В августе в отпуске"
    assert volunteer.availability == {"sat": ["evening"], "sun": ["morning"]}
    refused = _text(await _post(client, page + "/profile", [("skills", "x"), ("slot", "caturday_night")]))
    assert "⚠ Выберите значение из списка." in refused
    assert (await _volunteer(session_factory, museum.volunteer_id)).skills == ["Гардероб", "мастер-классы"]
    await _post(
        client,
        page + "/profile",
        [
            ("skills", "Гардероб"),
            *(
                ("slot", f"{d}_{p}")
                for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                for p in ("morning", "afternoon", "evening")
            ),
        ],
    )

    # The past lecture: suggested, assigned, marked done with typed hours, corrected, then a bad value.
    event_page = f"/volunteers/events/{museum.past_event}"
    html = _text(await (await client.get(event_page)).text())
    assert "Орлова Дарья" in html and "Тихонов Семён" not in html  # a candidate is not suggested
    shown = _text(
        await _post(
            client, event_page + "/assign", {"volunteer_id": str(museum.volunteer_id), "role": "Гардероб"}
        )
    )
    assert "Назначено; волонтёра попросили подтвердить в боте." in shown
    (shift,) = await _shifts(session_factory)
    assert shift.role == "Гардероб" and shift.status == VolunteerShiftStatus.ASSIGNED
    twice = _text(await _post(client, event_page + "/assign", {"volunteer_id": str(museum.volunteer_id)}))
    assert "⚠ Этот волонтёр уже назначен на это мероприятие." in twice
    done = _text(
        await _post(client, f"/volunteers/shifts/{shift.id}/done", {"hours": "2,5", "back": "event"})
    )
    assert "Отмечено: 2,5 ч." in done and "Часов волонтёров на мероприятии: 2,5" in done
    wrong = _text(
        await _post(client, f"/volunteers/shifts/{shift.id}/done", {"hours": "30", "back": "volunteer"})
    )
    assert "⚠ Часов должно быть больше 0 и не больше 24." in wrong
    wrong = _text(
        await _post(client, f"/volunteers/shifts/{shift.id}/done", {"hours": "nan", "back": "volunteer"})
    )
    assert "⚠ Часов должно быть больше 0 и не больше 24." in wrong
    assert (await _shifts(session_factory))[0].hours == 2.5
    default = _text(
        await _post(client, f"/volunteers/shifts/{shift.id}/done", {"hours": "", "back": "volunteer"})
    )
    assert "Отмечено: 3 ч." in default  # the shift's length

    # The future night: assigned with its own time; a clash with it is refused; too early to mark.
    future_page = f"/volunteers/events/{museum.future_event}"
    shown = _text(
        await _post(client, future_page + "/assign", {"volunteer_id": str(museum.volunteer_id), "role": ""})
    )
    assert "Назначено" in shown
    night = (await _shifts(session_factory))[-1]
    early = _text(await _post(client, f"/volunteers/shifts/{night.id}/done", {"back": "event"}))
    assert "⚠ Смена ещё не началась." in early
    no_show = _text(await _post(client, f"/volunteers/shifts/{shift.id}/no-show", {"back": "volunteer"}))
    assert "Отмечено как неявка." in no_show
    await _post(client, f"/volunteers/shifts/{shift.id}/done", {"hours": "1.5", "back": "volunteer"})
    profile = _text(await (await client.get(page)).text())
    months = "январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь"
    assert re.search(rf"По месяцам: ({months}) \d{{4}} — 1,5", profile), profile  # not «2026-11»
    token = await csrf_token(client, "/volunteers")
    assert (await client.post(f"/volunteers/shifts/{shift.id}/fly", data={"csrf_token": token})).status == 404
    assert (await client.post("/volunteers/shifts/99999/done", data={"csrf_token": token})).status == 404

    # The report: this year's hours; the XLSX has the same numbers.
    period = {
        "from": (utcnow() - timedelta(days=2)).date().isoformat(),
        "to": (utcnow() + timedelta(days=1)).date().isoformat(),
    }
    report = _text(await (await client.get("/volunteers/report", params=period)).text())
    assert "Орлова Дарья 1 1,5" in report and "Итого 1 1,5" in report
    xlsx = await client.get("/volunteers/report.xlsx", params=period)
    assert xlsx.status == 200 and xlsx.content_type.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(await xlsx.read())).active
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == [["Волонтёр", "Смены", "Часы"], ["Орлова Дарья", 1, 1.5], ["Итого", 1, 1.5]]
