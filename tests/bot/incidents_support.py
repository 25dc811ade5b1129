"""Shared pieces of the incident bot tests: the dispatch town (tests/bot/dispatch_support.py) plus an
outside organisation, «УК «Уют»», whose foreman ``member`` has a Telegram account."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import Role
from sandbox.client import SandboxClient
from services import staff
from services.audit import Actor
from services.partners import directory
from tests.bot.conftest import Chat, make_invite
from tests.bot.dispatch_support import Town

_ids = itertools.count(730_000_001)
ORG_NAME = "УК «Уют»"


@dataclass
class Partner:
    org_id: int
    member: Chat


@pytest.fixture(name="partner")
async def partner_fixture(
    town: Town, client: SandboxClient, session_factory: async_sessionmaker[AsyncSession]
) -> Partner:
    async with session_factory() as session:
        sys = Actor.system("test")
        admin = await staff.create_user(session, sys, full_name="Админов Пётр Ильич", roles=(Role.ADMIN,))
        org = await directory.create_organisation(
            session, Actor(user_id=admin.id), directory.OrganisationInput(name=ORG_NAME)
        )
        foreman = await staff.create_user(
            session,
            sys,
            full_name="Мастеров Олег Юрьевич",
            roles=(Role.EXECUTOR,),
            department_id=org.department_id,
        )
        await session.commit()
    # The foreman joins the bot through his invite link, as the panel hands it out.
    telegram_id = next(_ids)
    await client.register_user(user_id=telegram_id, first_name="Олег", language_code="ru")
    member = Chat(client, telegram_id)
    await member.send(f"/start inv_{await make_invite(session_factory, foreman.id)}", expect="Олег")
    return Partner(org.id, member)
