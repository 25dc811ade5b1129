"""Shared pieces of the bot tests of an organisation's work: the dispatch town (tests/bot/dispatch_support.py)
plus two outside organisations, each with one person in Telegram, and work addressed to the first.

``УК «Уют»`` (publishes through the dispatcher's approval unless a test switches it to direct) has
the foreman ``member``; ``РСО «Водоканал»`` has ``stranger``, who must not touch the УК's work.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Organisation, User, utcnow
from models.enums import IncidentKind, InformantKind, OutageKind, PublishMode, Role
from sandbox.client import SandboxClient
from services import staff
from services.audit import Actor
from services.incidents import journal, update_notices
from services.incidents.updates import Target
from services.outages import lifecycle
from services.partners import directory
from services.telegram_accounts import TelegramProfile, touch_account
from tests.bot.conftest import Chat
from tests.bot.dispatch_support import Town

_ids = itertools.count(730_000_001)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(48))
PNG_2 = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(100, 160))


@dataclass
class Partners:
    town: Town
    org_id: int
    member: Chat
    member_id: int
    other_org_id: int
    stranger: Chat
    second_dispatcher: Chat

    @property
    def session_factory(self) -> async_sessionmaker[AsyncSession]:
        return self.town.session_factory

    async def set_mode(self, mode: PublishMode) -> None:
        async with self.session_factory() as session:
            await session.execute(
                sql_update(Organisation).where(Organisation.id == self.org_id).values(publish_mode=mode)
            )
            await session.commit()

    async def _dispatcher(self, session: AsyncSession) -> User:
        user = await session.get(User, self.town.dispatcher_id)
        assert user is not None
        return user

    async def incident_at(self, house: str, *, description: str = "Прорыв трубы в подвале") -> int:
        """An incident logged by the dispatcher, the УК responsible, its people told (queued)."""
        async with self.session_factory() as session:
            incident = await journal.log_incident(
                session,
                await self._dispatcher(session),
                journal.NewIncident(
                    kind=IncidentKind.WATER_MAIN,
                    received_at=utcnow() - timedelta(minutes=5),
                    informant_kind=InformantKind.RESIDENT,
                    description=description,
                    building_id=self.town.houses[house],
                    responsible_organisation_id=self.org_id,
                ),
                tz=self.town.ctx.tz,
            )
            await update_notices.notify_assigned(session, self.town.ctx, Target("incident", incident.id))
            await session.commit()
            return incident.id

    async def outage_at(self, house: str) -> int:
        """A published emergency outage of cold water at ``house``, the УК responsible, its people told."""
        async with self.session_factory() as session:
            dispatcher = await self._dispatcher(session)
            outage = await lifecycle.create_outage(
                session,
                dispatcher,
                lifecycle.NewOutage(
                    kind=OutageKind.ACCIDENT,
                    resource="cold_water",
                    building_ids=[self.town.houses[house]],
                    starts_at=utcnow() - timedelta(minutes=30),
                    description="Авария на вводе",
                ),
            )
            await lifecycle.publish(session, self.town.ctx, dispatcher, outage.id)
            outage.responsible_organisation_id = self.org_id
            await update_notices.notify_assigned(session, self.town.ctx, Target("outage", outage.id))
            await session.commit()
            return outage.id


async def _person(
    session: AsyncSession,
    client: SandboxClient,
    name: str,
    department_id: int | None,
    role: Role = Role.EXECUTOR,
) -> tuple[int, Chat]:
    telegram_id = next(_ids)
    user = await staff.create_user(
        session,
        Actor.system(),
        full_name=name,
        roles=(role,),
        department_id=department_id,
        telegram_id=telegram_id,
    )
    await client.register_user(user_id=telegram_id, first_name=name.split()[1], language_code="ru")
    await _bind(session, user.id, telegram_id)
    return user.id, Chat(client, telegram_id)


async def _bind(session: AsyncSession, user_id: int, telegram_id: int) -> None:
    """The Telegram account bound to the user, as joining by an invitation leaves it: notices find it."""
    account = await touch_account(session, TelegramProfile(id=telegram_id, chat_id=telegram_id))
    account.user_id = user_id
    await session.flush()


@pytest.fixture(name="partners")
async def partners_fixture(town: Town, client: SandboxClient) -> Partners:
    async with town.session_factory() as session:
        admin = await staff.create_user(
            session, Actor.system(), full_name="Админ Системы", roles=(Role.ADMIN,)
        )
        as_admin = Actor(user_id=admin.id)
        org = await directory.create_organisation(
            session,
            as_admin,
            directory.OrganisationInput(name="УК «Уют»", short_name="Уют", publish_mode=PublishMode.APPROVAL),
        )
        other = await directory.create_organisation(
            session, as_admin, directory.OrganisationInput(name="РСО «Водоканал»")
        )
        member_id, member = await _person(session, client, "Сидоров Пётр Ильич", org.department_id)
        _, stranger = await _person(session, client, "Кузнецов Олег Юрьевич", other.department_id)
        await _bind(session, town.dispatcher_id, town.dispatcher.user_id)
        _, second = await _person(session, client, "Волкова Ирина Павловна", None, Role.DISPATCHER)
        await session.commit()
        return Partners(town, org.id, member, member_id, other.id, stranger, second)
