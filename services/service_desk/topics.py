"""Settings of the service desk: its topics (who serves them) and the SLA targets per topic and
urgency, in working minutes. Administrators only; every change audited; a refusal names its field.

A target row with no topic is the default for topics without their own; with no rows at all
``sla.DEFAULT_TARGETS`` apply. Targets are copied onto a request when it is filed, so a change here
affects new requests (and ones whose urgency changes), never the clocks already running.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, ServiceTopic, SlaTarget, User
from models.enums import Role, ServiceUrgency
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
NAME_LIMIT = 255
# A target above a working year is a typo, not a promise.
MAX_TARGET_MINUTES = 2000 * 60


@dataclass(frozen=True, slots=True)
class TopicInput:
    code: str
    name_ru: str
    name_en: str
    department_id: int | None = None
    lead_id: int | None = None
    is_active: bool = True
    position: int = 0


def _admin(user: User) -> Actor:
    if not user.is_active or Role.ADMIN not in user.roles:
        raise PermissionDenied("Only an administrator can change the service desk settings.")
    return Actor(user_id=user.id, telegram_id=user.telegram_id)


async def _validate(session: AsyncSession, data: TopicInput, topic_id: int | None) -> TopicInput:
    code = (data.code or "").strip().lower()
    if not CODE_RE.match(code):
        raise InvalidInput("Latin letters, digits, «-» and «_», up to 64 characters.", field="code")
    taken = await session.scalar(select(ServiceTopic.id).where(ServiceTopic.code == code))
    if taken is not None and taken != topic_id:
        raise InvalidInput("Another topic already has this code.", field="code")
    names = {}
    for name in ("name_ru", "name_en"):
        value = (getattr(data, name) or "").strip()
        if not value:
            raise InvalidInput("This field is required.", field=name)
        if len(value) > NAME_LIMIT:
            raise InvalidInput("At most %(n)d characters.", field=name, n=NAME_LIMIT)
        names[name] = value
    if data.department_id is not None:
        department = await session.get(Department, data.department_id)
        if department is None or not department.is_active:
            raise InvalidInput("Choose a value from the list.", field="department_id")
    if data.lead_id is not None:
        lead = await session.get(User, data.lead_id)
        if lead is None or not lead.is_active:
            raise InvalidInput("Choose a value from the list.", field="lead_id")
    if not -1000 <= data.position <= 1000:
        raise InvalidInput(
            "Enter a whole number from %(low)d to %(high)d.", field="position", low=-1000, high=1000
        )
    return TopicInput(
        code=code,
        name_ru=names["name_ru"],
        name_en=names["name_en"],
        department_id=data.department_id,
        lead_id=data.lead_id,
        is_active=data.is_active,
        position=data.position,
    )


def _snapshot(topic: ServiceTopic) -> dict[str, object]:
    return {
        "code": topic.code,
        "name_ru": topic.name_ru,
        "name_en": topic.name_en,
        "department_id": topic.department_id,
        "lead_id": topic.lead_id,
        "is_active": topic.is_active,
        "position": topic.position,
    }


async def create_topic(session: AsyncSession, user: User, data: TopicInput) -> ServiceTopic:
    actor = _admin(user)
    clean = await _validate(session, data, None)
    topic = ServiceTopic(
        code=clean.code,
        name_ru=clean.name_ru,
        name_en=clean.name_en,
        department_id=clean.department_id,
        lead_id=clean.lead_id,
        is_active=clean.is_active,
        position=clean.position,
    )
    session.add(topic)
    await session.flush()
    record(session, actor, "service_topic", topic.id, "created", data=_snapshot(topic))
    return topic


async def update_topic(session: AsyncSession, user: User, topic_id: int, data: TopicInput) -> ServiceTopic:
    actor = _admin(user)
    topic = await session.get(ServiceTopic, topic_id, populate_existing=True)
    if topic is None:
        raise NotFound("Topic not found.")
    clean = await _validate(session, data, topic.id)
    before = _snapshot(topic)
    topic.code, topic.name_ru, topic.name_en = clean.code, clean.name_ru, clean.name_en
    topic.department_id, topic.lead_id = clean.department_id, clean.lead_id
    topic.is_active, topic.position = clean.is_active, clean.position
    after = _snapshot(topic)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        record(session, actor, "service_topic", topic.id, "updated", data=changed)
    await session.flush()
    return topic


async def targets(session: AsyncSession) -> dict[tuple[int | None, str], SlaTarget]:
    """Every configured target by (topic id or None for the default row, urgency)."""
    rows = (await session.scalars(select(SlaTarget))).all()
    return {(r.topic_id, r.urgency): r for r in rows}


def check_minutes(value: int | None, field: str) -> int | None:
    if value is None:
        return None
    if not 1 <= value <= MAX_TARGET_MINUTES:
        raise InvalidInput(
            "From 1 minute to %(hours)d working hours.", field=field, hours=MAX_TARGET_MINUTES // 60
        )
    return value


async def set_target(
    session: AsyncSession,
    user: User,
    topic_id: int | None,
    urgency: str,
    reaction_minutes: int | None,
    resolution_minutes: int | None,
) -> SlaTarget | None:
    """Set (or, with both values empty, remove) the target of a topic (None: the default row)."""
    actor = _admin(user)
    if urgency not in set(ServiceUrgency):
        raise InvalidInput("Choose the urgency from the list.", field="urgency")
    prefix = f"{urgency}_"
    reaction = check_minutes(reaction_minutes, prefix + "reaction")
    resolution = check_minutes(resolution_minutes, prefix + "resolution")
    if topic_id is not None and await session.get(ServiceTopic, topic_id) is None:
        raise NotFound("Topic not found.")
    row = await session.scalar(
        select(SlaTarget).where(
            SlaTarget.urgency == urgency,
            SlaTarget.topic_id == topic_id if topic_id is not None else SlaTarget.topic_id.is_(None),
        )
    )
    entity = "service_topic" if topic_id is not None else "sla_default"
    if reaction is None and resolution is None:
        if row is not None:
            record(session, actor, entity, topic_id, "sla_removed", data={"urgency": urgency})
            await session.delete(row)
            await session.flush()
        return None
    if reaction is None or resolution is None:
        missing = prefix + ("reaction" if reaction is None else "resolution")
        raise InvalidInput("Fill in both targets, or leave both empty.", field=missing)
    if resolution < reaction:
        raise InvalidInput("Resolution cannot take less time than the reaction.", field=prefix + "resolution")
    old = None if row is None else [row.reaction_minutes, row.resolution_minutes]
    if row is None:
        row = SlaTarget(topic_id=topic_id, urgency=urgency)
        session.add(row)
    if old == [reaction, resolution]:
        return row
    row.reaction_minutes, row.resolution_minutes = reaction, resolution
    record(
        session,
        actor,
        entity,
        topic_id,
        "sla_set",
        data={"urgency": urgency, "from": old, "to": [reaction, resolution]},
    )
    await session.flush()
    return row
