"""Answer templates («macros») for replies on service requests: the topic's own, then common ones.

The table is ``answer_templates`` shared with appeals (``scope`` "service" here).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AnswerTemplate, ServiceTopic, utcnow
from services.appeals.answer_templates import BODY_LIMIT, TITLE_LIMIT, _require_editor
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound


async def for_service_request(session: AsyncSession, topic_id: int | None) -> list[AnswerTemplate]:
    """Active service answer templates for a request of ``topic_id``: its topic's first, then common."""
    query = select(AnswerTemplate).where(
        AnswerTemplate.scope == "service",
        AnswerTemplate.is_active,
        (AnswerTemplate.service_topic_id == topic_id) | AnswerTemplate.service_topic_id.is_(None),
    )
    rows = list((await session.scalars(query)).all())
    rows.sort(key=lambda t: (t.service_topic_id is None, t.title.casefold(), t.id))
    return rows


async def list_service(session: AsyncSession) -> list[AnswerTemplate]:
    """Every service answer template, active first, common ones before the topics'."""
    query = (
        select(AnswerTemplate)
        .where(AnswerTemplate.scope == "service")
        .order_by(
            AnswerTemplate.is_active.desc(),
            AnswerTemplate.service_topic_id.is_not(None),
            AnswerTemplate.service_topic_id,
            AnswerTemplate.title,
            AnswerTemplate.id,
        )
    )
    return list((await session.scalars(query)).all())


async def get_service(session: AsyncSession, template_id: int) -> AnswerTemplate:
    template = await session.get(AnswerTemplate, template_id)
    if template is None or template.scope != "service":
        raise NotFound("Answer template not found.")
    return template


def applies_to(template: AnswerTemplate, topic_id: int | None) -> bool:
    return (
        template.scope == "service" and template.is_active and template.service_topic_id in (None, topic_id)
    )


async def save_service(
    session: AsyncSession,
    actor: Actor,
    template_id: int | None,
    *,
    title: str,
    body: str,
    topic_id: int | None,
) -> AnswerTemplate:
    """Create (``template_id=None``) or update a service answer template; audited with the changes."""
    await _require_editor(session, actor)
    title = " ".join(title.split())
    body = body.replace("\r\n", "\n").strip()
    if not title:
        raise InvalidInput("Enter the template's title.", field="title")
    if len(title) > TITLE_LIMIT:
        raise InvalidInput("Too long: at most %(n)d characters.", n=TITLE_LIMIT, field="title")
    if not body:
        raise InvalidInput("Enter the template's text.", field="body")
    if len(body) > BODY_LIMIT:
        raise InvalidInput("Too long: at most %(n)d characters.", n=BODY_LIMIT, field="body")
    if topic_id is not None and await session.get(ServiceTopic, topic_id) is None:
        raise InvalidInput("Unknown topic.", field="service_topic_id")
    values = {"title": title, "body": body, "service_topic_id": topic_id}
    if template_id is None:
        template = AnswerTemplate(**values, scope="service", is_active=True)
        session.add(template)
        changes: dict[str, object] = values
    else:
        template = await get_service(session, template_id)
        changes = {k: [getattr(template, k), v] for k, v in values.items() if getattr(template, k) != v}
        for key, value in values.items():
            setattr(template, key, value)
    template.updated_at = utcnow()
    template.updated_by_id = actor.user_id
    await session.flush()
    if template_id is None:
        record(session, actor, "answer_template", template.id, "created", data=changes)
    elif changes:
        record(session, actor, "answer_template", template.id, "updated", data={"changes": changes})
    return template


async def set_service_active(
    session: AsyncSession, actor: Actor, template_id: int, active: bool
) -> AnswerTemplate:
    await _require_editor(session, actor)
    template = await get_service(session, template_id)
    if template.is_active != active:
        template.is_active = active
        template.updated_at = utcnow()
        template.updated_by_id = actor.user_id
        record(session, actor, "answer_template", template.id, "activated" if active else "deactivated")
        await session.flush()
    return template
