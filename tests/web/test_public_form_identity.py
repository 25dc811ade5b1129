"""Identity only from proof on the public form: typing someone's phone or e-mail files the appeal
under a new record, writes nothing into theirs and opens none of their appeals on the status page
(only a number with its own access code does); a clerk confirms or dismisses the duplicate."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, AuditEvent, Correspondent, CorrespondentSuggestion, User
from porucheno.settings import Settings
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, csrf_token, login
from tests.web.test_public_form_http import CODE_RE, NUMBER_RE, appeal_form, make_topics

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

VICTIM_PHONE = "+7 916 123-45-67"
VICTIM_EMAIL = "olga.smirnova@example.ru"
SECRET = "Прошу проверить начисления по моему лицевому счёту 123456."
ANSWER = "Перерасчёт выполнен, долг списан."


async def send_form(client: TestClient, topic: int, **fields: str) -> tuple[str, str]:
    token = await csrf_token(client, "/form")
    response = await client.post("/form", data=appeal_form(token, topic, **fields), allow_redirects=False)
    assert response.status == 303, await response.text()
    html = await (await client.get("/form/done")).text()
    number, code = NUMBER_RE.search(html), CODE_RE.search(html)
    assert number and code, html
    return number.group(1), code.group(1)


async def status(client: TestClient, number: str, code: str) -> str:
    token = await csrf_token(client, "/form/status")
    response = await client.post("/form/status", data={"csrf_token": token, "number": number, "code": code})
    assert response.status == 200
    return await response.text()


async def test_typed_contacts_open_nothing_and_a_clerk_settles_the_duplicates(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    topics = await make_topics(session_factory)
    # The victim gives only a phone; their record has no e-mail that a stranger could fill in.
    own, own_code = await send_form(client, topics.roads, email="", phone=VICTIM_PHONE, text=SECRET)
    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal).where(Appeal.reg_number == own))
        assert appeal is not None
        appeal.status, appeal.answer_text = "answered", ANSWER
        await s.commit()
        victim_id = appeal.correspondent_id
        # The same person once wrote by e-mail: a record with that (proven) address.
        letter = await register_appeal(
            s,
            AppealInput(
                channel="email",
                text="Письмо",
                contact=ContactInput(name="Ольга", email=VICTIM_EMAIL),
                external_id="<1@example.ru>",
                reply_to=VICTIM_EMAIL,
            ),
            actor=Actor.system("test"),
            files_dir=settings.files_dir,
        )
        await s.commit()
        mail_id, mail_number = letter.appeal.correspondent_id, letter.appeal.reg_number

    by_phone, phone_code = await send_form(
        client, topics.roads, email="attacker@evil.example", phone="8 916 123 45 67", text="Покажите всё"
    )
    by_email, email_code = await send_form(
        client, topics.roads, email=VICTIM_EMAIL.upper(), phone="", text="И мне"
    )

    refused = "Обращение с таким номером и кодом доступа не найдено"
    for code in (phone_code, email_code, VICTIM_PHONE, VICTIM_EMAIL, "attacker@evil.example"):
        html = await status(client, own, code)
        assert refused in html and ANSWER not in html and 'id="appeal-status"' not in html
    for number in (own, mail_number):
        assert refused in await status(client, number, email_code)
    html = await status(client, by_phone, phone_code)  # the attacker sees their own appeal only
    assert by_phone in html and ANSWER not in html
    assert by_email in await status(client, by_email, email_code)
    html = await status(client, own, own_code)  # the owner still sees everything
    assert ANSWER in html and "Дан ответ" in html

    async with session_factory() as s:
        victim = await s.get(Correspondent, victim_id)
        assert victim is not None and victim.email is None and victim.phone_normalized == "+79161234567"
        appeals = {a.reg_number: a for a in (await s.scalars(select(Appeal))).all()}
        assert len({a.correspondent_id for a in appeals.values()}) == 4
        mail_record = await s.get(Correspondent, mail_id)
        assert mail_record is not None and mail_record.phone is None and mail_record.email_proven
        assert appeals[by_phone].contact_phone == "8 916 123 45 67"
        assert appeals[by_phone].contact_email == "attacker@evil.example"
        rows = (await s.scalars(select(CorrespondentSuggestion).order_by(CorrespondentSuggestion.id))).all()
        assert [(r.correspondent_id, r.candidate_id, r.reason) for r in rows] == [
            (appeals[by_phone].correspondent_id, victim_id, "phone"),
            (appeals[by_email].correspondent_id, mail_id, "email"),
        ]

    # The panel: the open suggestion is listed; a clerk dismisses it (different people).
    await login(client)
    listing = await (await client.get("/correspondents")).text()
    assert re.search(r'id="suggestion-count">2<', listing)
    page = await (await client.get("/correspondents/suggestions")).text()
    suggestion_id = rows[0].id
    assert f'id="suggestion-{suggestion_id}"' in page and by_phone in page
    forged = await client.post(f"/correspondents/suggestions/{suggestion_id}/dismiss", data={})
    assert forged.status == 403  # no CSRF token
    response = await client.post(
        f"/correspondents/suggestions/{suggestion_id}/dismiss",
        data={"csrf_token": csrf_of(page)},
        allow_redirects=False,
    )
    assert response.status == 303
    page = await (await client.get("/correspondents/suggestions")).text()
    assert f'id="suggestion-{suggestion_id}"' not in page and f'id="suggestion-{rows[1].id}"' in page
    again = await client.post(
        f"/correspondents/suggestions/{suggestion_id}/confirm", data={"csrf_token": csrf_of(page)}
    )
    assert "По этому предложению уже принято решение" in await again.text()

    # The owner writes again with the same phone: a new suggestion, which the clerk confirms from
    # the correspondent's card; the two records become one, and the merge is audited.
    second, _code = await send_form(client, topics.lighting, email="", phone=VICTIM_PHONE, text="Фонарь")
    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal).where(Appeal.reg_number == second))
        assert appeal is not None
        new_record = appeal.correspondent_id
        suggestion = await s.scalar(
            select(CorrespondentSuggestion).where(
                CorrespondentSuggestion.status == "open",
                CorrespondentSuggestion.correspondent_id == new_record,
            )
        )
        assert suggestion is not None and suggestion.correspondent_id == new_record
    card = await (await client.get(f"/correspondents/{victim_id}")).text()
    assert f'id="confirm-{suggestion.id}"' in card
    response = await client.post(
        f"/correspondents/suggestions/{suggestion.id}/confirm?back={victim_id}",
        data={"csrf_token": csrf_of(card)},
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == f"/correspondents/{victim_id}"
    async with session_factory() as s:
        merged = await s.get(Correspondent, new_record)
        assert merged is not None and merged.merged_into_id == victim_id
        moved = await s.scalar(select(Appeal).where(Appeal.reg_number == second))
        assert moved is not None and moved.correspondent_id == victim_id
        actions = set((await s.scalars(select(AuditEvent.action))).all())
        assert {"duplicate_suggested", "duplicate_dismissed", "duplicate_confirmed", "merged"} <= actions
