"""Shared set-up for the appeals service tests: staff, a category, registering an appeal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from models import Category, TelegramAccount, User
from models.enums import AppealChannel, Role
from services import staff
from services.appeals.intake import AppealInput, ContactInput, IntakeResult, register_appeal
from services.audit import Actor
from services.notify import NoticeContext

CTX = NoticeContext()
SYSTEM = Actor.system("test")
# Smallest valid PNG: 1×1 pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f6a0b30000000049454e44ae426082"
)


async def make_staff(session: AsyncSession) -> dict[str, User]:
    dept = await staff.create_department(session, SYSTEM, "Управление ЖКХ")
    people = {
        "clerk": await staff.create_user(session, SYSTEM, full_name="Секретарь", roles=[Role.CLERK]),
        "exec": await staff.create_user(session, SYSTEM, full_name="Исполнитель", department_id=dept.id),
        "outsider": await staff.create_user(session, SYSTEM, full_name="Посторонний"),
    }
    await session.commit()
    return people


async def make_category(session: AsyncSession, code: str = "roads", answer_days: int = 30) -> Category:
    category = Category(code=code, name_ru="Дороги", name_en="Roads", answer_days=answer_days)
    session.add(category)
    await session.commit()
    return category


async def add_account(session: AsyncSession, telegram_id: int, locale: str | None = None) -> TelegramAccount:
    account = TelegramAccount(id=telegram_id, chat_id=telegram_id, first_name="Иван", locale=locale)
    session.add(account)
    await session.commit()
    return account


async def register(
    session: AsyncSession,
    files_dir: Path,
    *,
    text: str = "Яма на дороге у дома 5",
    channel: str = AppealChannel.TELEGRAM,
    contact: ContactInput | None = None,
    notify: NoticeContext | None = CTX,
    now: datetime | None = None,
    commit: bool = True,
    **fields: object,
) -> IntakeResult:
    data = AppealInput(
        channel=channel,
        text=text,
        contact=contact or ContactInput(name="Иванов Иван", telegram_id=1001),
        **fields,  # type: ignore[arg-type]
    )
    result = await register_appeal(session, data, actor=SYSTEM, files_dir=files_dir, notify=notify, now=now)
    if commit:
        await session.commit()
    return result
