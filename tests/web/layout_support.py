"""The demo town plus the longest content a real administration produces, for the layout tests.

The demo seed (``porucheno.demo_seed``) gives every panel page rows; on top of it one assignment and
one appeal carry an unbroken 80-character word (a URL, an account number) and a long title, which
is what pushed the panel sideways at 1280 px and on phones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from playwright.async_api import Page
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Outage, Project, User, utcnow
from porucheno.demo_seed import DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, seed_demo
from services.assignments import commands

LONG_WORD = "https://example.ru/" + "очень-длинный-адрес-без-пробелов-" * 3 + "40702810900000012345"
LONG_TITLE = "Провести комиссионное обследование " + "технического состояния многоквартирного дома " * 3


@dataclass(frozen=True)
class DemoPages:
    assignment_id: int
    appeal_id: int
    outage_id: int
    project_id: int
    staff_id: int


async def seed_long_demo(factory: async_sessionmaker[AsyncSession]) -> DemoPages:
    async with factory() as s:
        assert await seed_demo(s)
        await s.commit()
    async with factory() as s:
        manager = await s.scalar(select(User).where(User.full_name == "Смирнов Алексей Петрович"))
        executor = await s.scalar(select(User).where(User.full_name == "Попов Игорь Сергеевич"))
        assert manager is not None and executor is not None
        assignment = await commands.create(
            s,
            manager,
            commands.NewAssignment(
                title=LONG_TITLE[:250],
                text=f"Реквизиты и ссылка: {LONG_WORD}\n" * 3,
                executor_id=executor.id,
                deadline=utcnow() + timedelta(days=3),
            ),
        )
        appeal = await s.scalar(select(Appeal).order_by(Appeal.id))
        assert appeal is not None
        appeal.text = f"{appeal.text} {LONG_WORD}"
        outage_id = await s.scalar(select(Outage.id).order_by(Outage.id))
        project_id = await s.scalar(select(Project.id).order_by(Project.id))
        await s.commit()
        assert outage_id is not None and project_id is not None
        return DemoPages(assignment.id, appeal.id, outage_id, project_id, executor.id)


__all__ = ["DEMO_ADMIN_LOGIN", "DEMO_ADMIN_PASSWORD", "DemoPages", "open_nav", "seed_long_demo"]


async def open_nav(page: Page, group: str, link: str) -> None:
    """Go to a page through the grouped menu: open the group's dropdown, then follow its link."""
    nav = page.locator("#main-nav")
    await nav.locator("details.nav-group > summary", has_text=group).click()
    await nav.get_by_role("link", name=link, exact=True).click()
