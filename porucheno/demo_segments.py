"""Demo: the museum's saved segments (issue #16), created through the service as a manager would.

Filters name programmes and tags by their text, so they work whatever forms and events the other
demo parts create; the counts are live.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import User, UserRole
from models.enums import Role
from services.audit import Actor
from services.segments import saved

SEGMENTS = (
    (
        "Родители Университета детей",
        "Родители, чьи дети занимаются в «Университете детей» (анкеты и посещённые занятия), "
        "с подтверждённым согласием на рассылку.",
        {"programmes": ["Университет детей"], "tags": {"any": ["родители", "дети"]}},
    ),
    (
        "Подписчики новостей",
        "Все, кто подтвердил согласие на рассылку: в боте или по ссылке из письма.",
        {},
    ),
    (
        "Волонтёры",
        "Волонтёры музея, в том числе без согласия на рассылку: для личных приглашений, не для рассылок.",
        {"tags": {"any": ["волонтёр", "волонтеры", "волонтёры"]}, "consent": "any"},
    ),
    (
        "Давно не заходили",
        "Подписчики без активности полгода: бот, анкеты, записи на мероприятия, обращения.",
        {"activity": {"inactive_days": 180}, "channel": "telegram"},
    ),
)


async def _author(session: AsyncSession, actor: Actor) -> User | None:
    if actor.user_id is not None:
        user = await session.get(User, actor.user_id)
        if user is not None and user.has_role(Role.MANAGER, Role.CLERK):
            return user
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.is_active, UserRole.role.in_([Role.MANAGER, Role.CLERK, Role.ADMIN]))
        .order_by(UserRole.role != Role.MANAGER, User.id)
        .limit(1)
    )
    return await session.scalar(query)


async def seed_segments(session: AsyncSession, actor: Actor, tz: ZoneInfo, now: datetime) -> list[int]:
    """The saved segments; their ids, in order. Needs a manager, clerk or administrator."""
    author = await _author(session, actor)
    if author is None:
        return []
    ids = []
    for name, description, filters in SEGMENTS:
        segment = await saved.create(session, author, name=name, filters=filters, description=description)
        ids.append(segment.id)
    return ids
