"""The council over HTTP as people see it: the public registry (published entries only, search,
paging, an entry page, English, cacheable without a cookie); the secretary plans a meeting with the
form; a member votes for themselves, a stranger is not shown the meeting, a non-member's vote is
refused with a message; the secretary hides an entry and the public registry stops showing it."""

from __future__ import annotations

from datetime import date

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Application, CouncilMeeting, CouncilVote, RegistryEntry
from models.enums import ApplicationStatus
from services.council import agenda, voting
from tests.services.council_support import actor, make_people, make_type, reviewed_application
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token, login

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "secret-pass-1"


async def _as(client: TestClient, who: str) -> None:
    client.session.cookie_jar.clear()
    await login(client, who, PASSWORD)


async def _post(client: TestClient, path: str, data: dict[str, object]) -> str:
    token = await csrf_token(client, "/council")
    response = await client.post(path, data={**data, "csrf_token": token})
    assert response.status in (200, 400), await response.text()  # 400: the form again, with the reason
    return await response.text()


async def _entries(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with session_factory() as s:
        rows = [
            RegistryEntry(
                number="ПНТ-2026-0001",
                title="Паровоз Ов-324",
                holder="Музей железной дороги",
                region="Ленинградская область",
                approved_on=date(2026, 3, 1),
            ),
            RegistryEntry(
                number="ПНТ-2026-0002",
                title="Телескоп АЗТ-7",
                holder="Музей астрономии",
                region="Москва",
                approved_on=date(2026, 3, 2),
                description="Рефлектор 1950-х годов.",
            ),
            RegistryEntry(
                number="ПНТ-2026-0003",
                title="Секретный прибор",
                holder="Музей связи",
                region="Москва",
                approved_on=date(2026, 3, 3),
                published=False,
            ),
        ]
        rows += [
            RegistryEntry(
                number=f"ПНТ-2025-{n:04d}",
                title=f"Станок № {n}",
                holder="Музей станкостроения",
                approved_on=date(2025, 1, 1),
            )
            for n in range(1, 21)
        ]
        s.add_all(rows)
        await s.commit()
        return {e.number: e.id for e in rows}


async def test_the_public_registry_lists_published_entries_with_search_and_pages(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _entries(session_factory)
    response = await client.get("/registry")
    html = await response.text()
    assert response.status == 200 and "Реестр памятников науки и техники" in html
    assert "Set-Cookie" not in response.headers and "public" in response.headers["Cache-Control"]
    assert "Найдено записей: 22." in html and "Секретный прибор" not in html
    assert "Телескоп АЗТ-7" in html and 'id="registry-pager"' in html  # 20 on a page
    html = await (await client.get("/registry?page=2")).text()
    assert html.count('<li id="entry-') == 2
    for query in ("паровоз", "ЛЕНИНГРАДСКАЯ", "железной"):  # title, region, holder; any case
        html = await (await client.get("/registry", params={"q": query})).text()
        assert "Найдено записей: 1." in html and "Паровоз Ов-324" in html and "Телескоп" not in html, query
    html = await (await client.get("/registry", params={"q": "секретный"})).text()
    assert "Найдено записей: 0." in html and "Записи не найдены." in html
    page = await client.get(f"/registry/{ids['ПНТ-2026-0002']}")
    html = await page.text()
    assert page.status == 200 and "Рефлектор 1950-х годов." in html and "Музей астрономии" in html
    assert (await client.get(f"/registry/{ids['ПНТ-2026-0003']}")).status == 404
    html = await (await client.get("/registry?lang=en")).text()
    assert "Registry of monuments of science and technology" in html and "Entries found: 22." in html


async def test_a_meeting_is_planned_voted_by_members_only_and_entries_hidden_by_staff(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        people = await make_people(s)
        kind = await make_type(s)
        application = await reviewed_application(
            s, kind, 1, "Паровоз Ов-324", "Музей ЖД", [9], [people["outsider"]]
        )
        await s.commit()
    members = [people[f"m{n}"] for n in range(1, 6)]
    await _as(client, "secretary")
    html = await _post(
        client,
        "/council/new",
        {
            "held_at": "2026-12-10T15:00",
            "place": "Зал заседаний",
            "chair_id": str(members[0].id),
            "secretary_id": str(people["secretary"].id),
            "member_ids": [str(m.id) for m in members[:3]],
        },
    )
    assert "Заседание ЭС-2026-01 запланировано." in html and "Зал заседаний" in html
    async with session_factory() as s:
        meeting = (await s.scalars(select(CouncilMeeting))).one()
        await agenda.add_item(s, actor(people["secretary"]), meeting.id, application.id)
        await voting.set_attendance(s, actor(people["secretary"]), meeting.id, {m.id for m in members[:3]})
        item = (await agenda.items(s, meeting.id))[0]
        await s.commit()
    path = f"/council/{meeting.id}"
    html = await (await client.get(path)).text()
    assert "З-2026-0001" in html and "Средняя оценка экспертов: 9 из 10 (рецензий: 1)." in html
    assert "Присутствуют 3 из 3: кворум есть." in html and f'id="vote-{item.id}-for"' not in html

    await _as(client, "member5")  # not invited to this meeting
    assert (await client.get(path)).status == 404
    html = await _post(client, f"{path}/vote", {"item_id": str(item.id), "vote": "for"})
    assert "Голосуют только члены совета этого заседания." in html

    await _as(client, "member2")
    html = await _post(client, f"{path}/vote", {"item_id": str(item.id), "vote": "against"})
    assert "Ваш голос учтён." in html and "За: 0, против: 1, воздержались: 0, не голосовали: 2." in html
    html = await _post(client, f"{path}/decide", {"item_id": str(item.id), "mode": "count"})
    assert "Это могут только организаторы совета (руководители)." in html
    async with session_factory() as s:
        assert [v.vote for v in await s.scalars(select(CouncilVote))] == ["against"]

    async with session_factory() as s:
        entry = RegistryEntry(
            number="ПНТ-2026-0009", title="Арифмометр", holder="Музей", approved_on=date(2026, 1, 1)
        )
        s.add(entry)
        await s.commit()
    assert "Арифмометр" in await (await client.get("/registry")).text()
    assert (await client.get(f"/council/registry/{entry.id}", allow_redirects=False)).status == 403
    await _as(client, "secretary")
    html = await _post(client, f"/council/registry/{entry.id}", {"op": "unpublish"})
    assert "Запись скрыта из открытого реестра." in html
    html = await _post(
        client, f"/council/registry/{entry.id}", {"op": "edit", "region": "Тула", "description": "Х"}
    )
    assert "Запись сохранена." in html
    assert "Найдено записей: 0." in await (await client.get("/registry?q=Арифмометр")).text()


async def test_the_secretary_edits_a_meeting_and_bad_input_gets_a_message(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        people = await make_people(s)
        kind = await make_type(s)
        application = await reviewed_application(
            s, kind, 1, "Паровоз Ов-324", "Музей ЖД", [9], [people["outsider"]]
        )
        await s.commit()
    members = [people[f"m{n}"] for n in range(1, 4)]
    form = {
        "held_at": "2026-12-10T15:00", "place": "Зал", "chair_id": str(members[0].id),
        "secretary_id": str(people["secretary"].id), "member_ids": [str(m.id) for m in members],
    }  # fmt: skip
    await _as(client, "member1")  # a member, not an organiser
    assert (await client.get("/council/new", allow_redirects=False)).status == 403
    await _as(client, "secretary")
    html = await _post(client, "/council/new", {**form, "held_at": "завтра", "place": "З" * 300})
    assert "Укажите дату и время." in html and "Не более 255 символов." in html
    html = await _post(client, "/council/new", {**form, "member_ids": [str(members[0].id)]})
    assert "В совете должно быть не меньше трёх членов (председатель считается)." in html
    html = await _post(client, "/council/new", form)
    async with session_factory() as s:
        meeting = (await s.scalars(select(CouncilMeeting))).one()
    path = f"/council/{meeting.id}"
    html = await _post(client, f"{path}/edit", {**form, "place": "Малый зал"})
    assert "Заседание ЭС-2026-01 сохранено." in html and "Малый зал" in html
    # Postponed into January: numbered in the new year; brought back, in the old one again.
    html = await _post(client, f"{path}/edit", {**form, "held_at": "2027-01-15T15:00"})
    assert "Заседание ЭС-2027-01 сохранено." in html
    html = await _post(client, f"{path}/edit", form)
    assert "Заседание ЭС-2026-01 сохранено." in html
    html = await _post(client, f"{path}/agenda_add", {"application_id": str(application.id)})
    assert "Заявка включена в повестку." in html and "Паровоз Ов-324" in html
    async with session_factory() as s:
        (item,) = await agenda.items(s, meeting.id)
    html = await _post(client, f"{path}/decide", {"item_id": str(item.id), "mode": "count"})
    assert "Нет кворума: присутствуют 0 из 3 членов совета, нужно больше половины." in html
    html = await _post(client, f"{path}/close", {})
    assert "Нет кворума" in html
    token = await csrf_token(client, "/council")
    bad = await client.post(f"{path}/vote", data={"item_id": "1;DROP", "vote": "for", "csrf_token": token})
    assert bad.status == 400
    forged = await client.post(f"{path}/cancel", data={})  # no CSRF token
    assert forged.status == 403
    html = await _post(client, f"{path}/cancel", {})
    assert "Заседание ЭС-2026-01 отменено." in html and "Отменено" in html
    html = await _post(client, f"{path}/edit", {**form, "place": "Снова"})
    assert "Заседание уже проведено или отменено: изменить его нельзя." in html


async def test_an_application_left_on_the_council_without_a_meeting_can_be_put_on_an_agenda(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """A row an older version left «on the council» on no agenda: the meeting offers it, takes it,
    and cancelling the meeting returns it to the reviewed ones."""
    async with session_factory() as s:
        people = await make_people(s)
        kind = await make_type(s)
        stranded = await reviewed_application(
            s, kind, 1, "Радиоприёмник «Рекорд»", "Музей связи", [8], [people["outsider"]]
        )
        stranded.status = ApplicationStatus.ON_COUNCIL
        await s.commit()
    members = [people[f"m{n}"] for n in range(1, 4)]
    form = {
        "held_at": "2026-12-10T15:00", "place": "Зал", "chair_id": str(members[0].id),
        "secretary_id": str(people["secretary"].id), "member_ids": [str(m.id) for m in members],
    }  # fmt: skip
    await _as(client, "secretary")
    await _post(client, "/council/new", form)
    async with session_factory() as s:
        meeting = (await s.scalars(select(CouncilMeeting))).one()
    path = f"/council/{meeting.id}"
    page = await (await client.get(path)).text()
    assert f'<option value="{stranded.id}"' in page and "Радиоприёмник «Рекорд»" in page
    html = await _post(client, f"{path}/agenda_add", {"application_id": str(stranded.id)})
    assert "Заявка включена в повестку." in html
    page = await (await client.get(path)).text()
    assert f'<option value="{stranded.id}"' not in page  # on this agenda now, not offered again
    await _post(client, f"{path}/cancel", {})
    async with session_factory() as s:
        assert (await s.get(Application, stranded.id)).status == ApplicationStatus.REVIEWED  # type: ignore[union-attr]
