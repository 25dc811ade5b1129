"""Outage resources and social object types as the administrator keeps them, and loading them into
the registry the synchronous call sites read (``services.outages.resources``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutageResource, SocialObjectType
from services.audit import Actor, record
from services.config.access import require_admin
from services.errors import InvalidInput, NotFound
from services.outages import resources

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_POSITION = 999


@dataclass(frozen=True, slots=True)
class CatalogInput:
    code: str
    name_ru: str
    name_en: str
    position: int = 0
    is_active: bool = True
    emoji: str = ""  # resources only


async def load(session: AsyncSession) -> None:
    """Fill the registry from the tables (an empty table keeps the built-in defaults)."""
    res = (
        await session.scalars(select(OutageResource).order_by(OutageResource.position, OutageResource.id))
    ).all()
    soc = (
        await session.scalars(
            select(SocialObjectType).order_by(SocialObjectType.position, SocialObjectType.id)
        )
    ).all()
    resources.install(
        [resources.Resource(r.code, r.name_en, r.emoji, r.name_ru, r.is_active) for r in res],
        [resources.SocialType(s.code, s.name_en, s.name_ru, s.is_active) for s in soc],
    )


async def ensure_defaults(session: AsyncSession) -> bool:
    """Write the built-in lists into empty tables (the migration seeds them; a database made
    another way gets them on first start or first visit). True when something was written."""
    wrote = False
    if await session.scalar(select(OutageResource.id).limit(1)) is None:
        for i, r in enumerate(resources.DEFAULT_RESOURCES, 1):
            session.add(
                OutageResource(code=r.code, name_ru=r.name_ru, name_en=r.name, emoji=r.emoji, position=i * 10)
            )
        wrote = True
    if await session.scalar(select(SocialObjectType.id).limit(1)) is None:
        for i, t in enumerate(resources.DEFAULT_SOCIAL_TYPES, 1):
            session.add(SocialObjectType(code=t.code, name_ru=t.name_ru, name_en=t.name, position=i * 10))
        wrote = True
    if wrote:
        await session.flush()
        record(session, Actor.system("settings"), "outage_catalogs", None, "seeded")
    return wrote


async def list_resources(session: AsyncSession) -> list[OutageResource]:
    query = select(OutageResource).order_by(OutageResource.position, OutageResource.id)
    return list((await session.scalars(query)).all())


async def list_social_types(session: AsyncSession) -> list[SocialObjectType]:
    query = select(SocialObjectType).order_by(SocialObjectType.position, SocialObjectType.id)
    return list((await session.scalars(query)).all())


def _clean(data: CatalogInput, *, emoji: bool) -> dict[str, object]:
    code = data.code.strip().lower()
    if not CODE_RE.match(code) or code == resources.OTHER_SOCIAL:
        raise InvalidInput(
            "The code takes Latin letters, digits and underscores, starting with a letter (up to 32).",
            field="code",
        )
    name_ru, name_en = " ".join(data.name_ru.split())[:255], " ".join(data.name_en.split())[:255]
    if not name_ru:
        raise InvalidInput("Enter the Russian name.", field="name_ru")
    if not 0 <= data.position <= MAX_POSITION:
        raise InvalidInput("The order is 0 to %(n)d.", n=MAX_POSITION, field="position")
    values: dict[str, object] = {
        "code": code,
        "name_ru": name_ru,
        "name_en": name_en or name_ru,
        "position": data.position,
        "is_active": data.is_active,
    }
    if emoji:
        mark = data.emoji.strip()
        if len(mark) > 8:
            raise InvalidInput("One emoji, please.", field="emoji")
        values["emoji"] = mark
    return values


async def _save(
    session: AsyncSession,
    actor: Actor,
    model: type[OutageResource] | type[SocialObjectType],
    item_id: int | None,
    data: CatalogInput,
) -> OutageResource | SocialObjectType:
    await require_admin(session, actor)
    await ensure_defaults(session)  # a first entry must not replace the built-in list
    values = _clean(data, emoji=model is OutageResource)
    entity = model.__tablename__.removesuffix("s")
    taken = await session.scalar(select(model.id).where(model.code == values["code"]))
    if taken is not None and taken != item_id:
        raise InvalidInput("This code is already taken.", field="code")
    if item_id is None:
        item = model(**values)
        session.add(item)
        await session.flush()
        record(session, actor, entity, item.id, "created", data=values)
    else:
        found = await session.get(model, item_id)
        if found is None:
            raise NotFound("Not found.")
        item = found
        if item.code != values["code"]:
            # Outages and buildings store the code: renaming it would orphan them.
            raise InvalidInput("The code cannot be changed once saved.", field="code")
        changes = {k: [getattr(item, k), v] for k, v in values.items() if getattr(item, k) != v}
        for key, (_old, new) in changes.items():
            setattr(item, key, new)
        if changes:
            record(session, actor, entity, item.id, "updated", data={"changes": changes})
    await session.flush()
    await load(session)
    return item


async def save_resource(
    session: AsyncSession, actor: Actor, item_id: int | None, data: CatalogInput
) -> OutageResource:
    item = await _save(session, actor, OutageResource, item_id, data)
    assert isinstance(item, OutageResource)
    return item


async def save_social_type(
    session: AsyncSession, actor: Actor, item_id: int | None, data: CatalogInput
) -> SocialObjectType:
    item = await _save(session, actor, SocialObjectType, item_id, data)
    assert isinstance(item, SocialObjectType)
    return item
