"""The dispatch town of ``outages_support`` with the ЕДДС journal: a manager, an outside organisation
with one member (Telegram chat 9301), and one open incident at Lenina 1 received an hour ago."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import TelegramAccount, User, utcnow
from models.enums import IncidentKind, InformantKind, Role
from services import staff
from services.audit import Actor
from services.incidents import journal
from services.partners import directory
from services.telegram_accounts import TelegramProfile, touch_account
from tests.web.outages_support import PASSWORD, Town, make_staff, make_town

MSK = ZoneInfo("Europe/Moscow")
ORG_NAME = "ООО «Горводоканал»"


@dataclass(frozen=True)
class Journal:
    town: Town
    org_id: int
    incident_id: int
    number: str


async def make_journal(session_factory: async_sessionmaker[AsyncSession]) -> Journal:
    town = await make_town(session_factory)
    async with session_factory() as s:
        await make_staff(s, "boss", "manager", "Мария Руководителева")
        admin = await make_staff(s, "root", "admin", "Админ Админов")
        org = await directory.create_organisation(
            s, Actor(user_id=admin.id), directory.OrganisationInput(name=ORG_NAME, short_name="Водоканал")
        )
        member = await staff.create_user(
            s,
            Actor.system("test"),
            full_name="Мастер Водоканала",
            roles=[Role.EXECUTOR],
            department_id=org.department_id,
            login="vodokanal",
            password=PASSWORD,
        )
        await touch_account(s, TelegramProfile(id=301, chat_id=9301, first_name="Мастер"))
        account = await s.get(TelegramAccount, 301)
        assert account is not None
        account.user_id = member.id
        dispatcher = await s.scalar(select(User).where(User.login == "dispatch"))
        assert dispatcher is not None
        incident = await journal.log_incident(
            s,
            dispatcher,
            journal.NewIncident(
                kind=IncidentKind.FALLEN_TREE,
                received_at=utcnow() - timedelta(hours=1),
                informant_kind=InformantKind.RESIDENT,
                description="Дерево упало на дорогу",
                building_id=town.houses["l1"],
            ),
            tz=MSK,
        )
        await s.commit()
        return Journal(town, org.id, incident.id, incident.journal_number)
