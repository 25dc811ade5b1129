"""Answer templates: texts a clerk starts an answer from, per topic (category) or general.

Placeholders are single-brace names (``{applicant}``, ``{number}``, …) that a clerk can type on any
keyboard. They are replaced by a plain regular expression rather than ``str.format_map``: a stray
brace in a letter must never raise, and format's attribute and index syntax (``{number.__class__}``)
must never reach the values. Unknown names are refused when a template is saved and left as typed
when one is filled, so a mistake shows in the answer instead of vanishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AnswerTemplate, Appeal, Category, Correspondent, User, UserRole, utcnow
from models.enums import Role
from services.audit import Actor, record
from services.config import org_card
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import N_

TITLE_LIMIT = 255
BODY_LIMIT = 10_000  # the answer form's limit: a filled template must fit into it
DATE_FORMAT = "%d.%m.%Y"
# Every name a template may use, with what it stands for (shown on the editing page).
PLACEHOLDERS: dict[str, str] = {
    "applicant": N_("the applicant's name"),
    "number": N_("the registration number"),
    "date": N_("the registration date"),
    "received": N_("the date the appeal arrived"),
    "subject": N_("the appeal's subject"),
    "address": N_("the address in the appeal"),
    "category": N_("the appeal's topic"),
    "org": N_("the organisation's name"),
    "head": N_("the head of the organisation"),
    "due": N_("the answer due date"),
}
# Anything between single braces on one line counts as a placeholder, so «{Applicant}» or
# «{applicant name}» is reported as unknown rather than silently kept.
_TOKEN = re.compile(r"\{([^{}\n]{1,60})\}")
EDITOR_ROLES = (Role.ADMIN.value, Role.MANAGER.value)


@dataclass(frozen=True, slots=True)
class TemplateInput:
    title: str
    body: str
    category_id: int | None = None  # None: offered for every topic


def unknown_placeholders(body: str) -> list[str]:
    """The braced names in ``body`` that are not placeholders, each once, in order of appearance."""
    seen: list[str] = []
    for match in _TOKEN.finditer(body):
        name = match.group(1)
        if name not in PLACEHOLDERS and name not in seen:
            seen.append(name)
    return seen


def fill(body: str, values: dict[str, str]) -> str:
    """``body`` with known placeholders replaced; anything else (unknown names, lone braces) as is."""
    return _TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), body)


async def _require_editor(session: AsyncSession, actor: Actor) -> None:
    """Templates are the managers' and administrators' to keep (read afresh, whatever the UI)."""
    user = await session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is not None and user.is_active:
        role = await session.scalar(
            select(UserRole.role).where(UserRole.user_id == user.id, UserRole.role.in_(EDITOR_ROLES))
        )
        if role is not None:
            return
    raise PermissionDenied("Only a manager or an administrator may edit answer templates.")


async def list_all(session: AsyncSession) -> list[AnswerTemplate]:
    """Every template, active first, general ones before the topics', then by title."""
    query = (
        select(AnswerTemplate)
        .where(AnswerTemplate.scope == "appeal")  # the service desk's replies are kept apart
        .order_by(
            AnswerTemplate.is_active.desc(),
            AnswerTemplate.category_id.is_not(None),
            AnswerTemplate.category_id,
            AnswerTemplate.title,
            AnswerTemplate.id,
        )
    )
    return list((await session.scalars(query)).all())


async def get(session: AsyncSession, template_id: int) -> AnswerTemplate:
    template = await session.get(AnswerTemplate, template_id)
    if template is None:
        raise NotFound("Answer template not found.")
    return template


async def for_category(session: AsyncSession, category_id: int | None) -> list[AnswerTemplate]:
    """Active templates for an appeal of this topic: the topic's own first, then the general ones."""
    applies = AnswerTemplate.category_id.is_(None)
    if category_id is not None:
        applies = or_(applies, AnswerTemplate.category_id == category_id)
    query = (
        select(AnswerTemplate)
        .where(AnswerTemplate.is_active.is_(True), AnswerTemplate.scope == "appeal", applies)
        .order_by(AnswerTemplate.category_id.is_(None), AnswerTemplate.title, AnswerTemplate.id)
    )
    return list((await session.scalars(query)).all())


async def _clean(session: AsyncSession, data: TemplateInput) -> TemplateInput:
    title = " ".join(data.title.split())
    body = data.body.replace("\r\n", "\n").strip()
    if not title:
        raise InvalidInput("Enter the template's title.", field="title")
    if len(title) > TITLE_LIMIT:
        raise InvalidInput("Too long: at most %(n)d characters.", n=TITLE_LIMIT, field="title")
    if not body:
        raise InvalidInput("Enter the template's text.", field="body")
    if len(body) > BODY_LIMIT:
        raise InvalidInput("Too long: at most %(n)d characters.", n=BODY_LIMIT, field="body")
    unknown = unknown_placeholders(body)
    if unknown:
        raise InvalidInput(
            "Unknown placeholders: %(names)s.",
            names=", ".join("{" + name + "}" for name in unknown),
            field="body",
        )
    if data.category_id is not None:
        category = await session.get(Category, data.category_id)
        if category is None:
            raise InvalidInput("Unknown topic.", field="category_id")
    return TemplateInput(title=title, body=body, category_id=data.category_id)


async def save(
    session: AsyncSession,
    actor: Actor,
    template_id: int | None,
    data: TemplateInput,
    *,
    now: datetime | None = None,
) -> AnswerTemplate:
    """Create (``template_id=None``) or update a template; audited with what changed."""
    await _require_editor(session, actor)
    clean = await _clean(session, data)
    values = {"title": clean.title, "body": clean.body, "category_id": clean.category_id}
    if template_id is None:
        template = AnswerTemplate(**values, is_active=True)
        session.add(template)
        changes: dict[str, object] = values
    else:
        template = await get(session, template_id)
        changes = {k: [getattr(template, k), v] for k, v in values.items() if getattr(template, k) != v}
        for key, (_old, new) in changes.items():  # type: ignore[misc]
            setattr(template, key, new)
    template.updated_at = now or utcnow()
    template.updated_by_id = actor.user_id
    await session.flush()
    if template_id is None:
        record(session, actor, "answer_template", template.id, "created", data=changes)
    elif changes:
        record(session, actor, "answer_template", template.id, "updated", data={"changes": changes})
    return template


async def set_active(session: AsyncSession, actor: Actor, template_id: int, active: bool) -> AnswerTemplate:
    """Deactivate (no longer offered; answers already given keep their text) or bring one back."""
    await _require_editor(session, actor)
    template = await get(session, template_id)
    if template.is_active != active:
        template.is_active = active
        template.updated_at = utcnow()
        template.updated_by_id = actor.user_id
        record(session, actor, "answer_template", template.id, "activated" if active else "deactivated")
        await session.flush()
    return template


def _day(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime(DATE_FORMAT) if moment is not None else ""


async def placeholder_values(
    session: AsyncSession, appeal: Appeal, tz: ZoneInfo, locale: str = "ru"
) -> dict[str, str]:
    """What each placeholder stands for in this appeal; empty strings where the appeal says nothing."""
    person = await session.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None
    category = await session.get(Category, appeal.category_id) if appeal.category_id else None
    head = await org_card.letterhead(session)
    topic = ""
    if category is not None:
        topic = (category.name_en if locale == "en" and category.name_en else category.name_ru) or ""
    return {
        "applicant": person.name if person is not None and person.name else "",
        "number": appeal.reg_number or "",
        "date": _day(appeal.registered_at, tz),
        "received": _day(appeal.received_at or appeal.registered_at, tz),
        "subject": appeal.subject or "",
        "address": appeal.address or "",
        "category": topic,
        "org": head.short_name or head.name,
        "head": head.head_name,
        "due": _day(appeal.due_at, tz),
    }


async def fill_for_appeal(
    session: AsyncSession, template_id: int, appeal: Appeal, tz: ZoneInfo, locale: str = "ru"
) -> str:
    """The template's text for this appeal; refused when it is inactive or of another topic (the id
    comes from a form and is never trusted)."""
    template = await session.get(AnswerTemplate, template_id)
    if (
        template is None
        or not template.is_active
        or template.scope != "appeal"
        or template.category_id not in (None, appeal.category_id)
    ):
        raise InvalidInput("This template does not apply to the appeal.", field="answer_template")
    return fill(template.body, await placeholder_values(session, appeal, tz, locale))
