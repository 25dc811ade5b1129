"""Application types: a name, scoring criteria with their maximum scores, whether a council decides,
whether approved objects enter the registry, and the reviewers appointed to each new application."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApplicationReviewer, ApplicationType, User
from porucheno.i18n import gettext
from services.applications.access import require_manager
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound
from services.notify import N_

NAME_MAX = 255
CRITERIA_MAX = 12
SCORE_LIMIT = 100


@dataclass(slots=True)
class TypeInput:
    name_ru: str
    name_en: str = ""
    # [(name in Russian, maximum score)], in the order reviewers see them
    criteria: list[tuple[str, int]] = field(default_factory=list)
    score_max: int = 10  # the one overall score when there are no criteria
    needs_council: bool = False
    to_registry: bool = False
    reviewer_ids: list[int] = field(default_factory=list)
    is_active: bool = True


def parse_criteria(text: str) -> list[tuple[str, int]]:
    """«Name | max» per line (the panel's textarea); a line without «| max» is scored out of 10."""
    result: list[tuple[str, int]] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        name, _, top = line.rpartition("|") if "|" in line else (line, "", "10")
        name = name.strip()
        if not re.fullmatch(r"\s*\d{1,3}\s*", top):
            raise InvalidInput("The maximum score of «%(name)s» must be a whole number.", name=name[:60])
        result.append((name, int(top)))
    return result


def criteria_text(kind: ApplicationType) -> str:
    return "\n".join(f"{c['ru']} | {c['max']}" for c in kind.criteria or [])


def _checked(data: TypeInput) -> list[dict[str, Any]]:
    if not data.name_ru.strip():
        raise InvalidInput("Give the type a name.")
    if len(data.name_ru) > NAME_MAX or len(data.name_en) > NAME_MAX:
        raise InvalidInput("The name is too long (at most %(limit)s characters).", limit=NAME_MAX)
    if len(data.criteria) > CRITERIA_MAX:
        raise InvalidInput("At most %(limit)s criteria.", limit=CRITERIA_MAX)
    if not 1 <= data.score_max <= SCORE_LIMIT:
        raise InvalidInput("A maximum score is from 1 to %(limit)s.", limit=SCORE_LIMIT)
    criteria = []
    for position, (name, top) in enumerate(data.criteria, start=1):
        if not name or len(name) > NAME_MAX:
            raise InvalidInput(
                "Every criterion needs a name of at most %(limit)s characters.", limit=NAME_MAX
            )
        if not 1 <= top <= SCORE_LIMIT:
            raise InvalidInput("A maximum score is from 1 to %(limit)s.", limit=SCORE_LIMIT)
        criteria.append({"key": f"c{position}", "ru": name, "en": "", "max": top})
    return criteria


async def _set_reviewers(session: AsyncSession, kind: ApplicationType, user_ids: Sequence[int]) -> list[int]:
    wanted = sorted(set(user_ids))
    if wanted:
        found = set(
            await session.scalars(select(User.id).where(User.id.in_(wanted), User.is_active.is_(True)))
        )
        if found != set(wanted):
            raise InvalidInput("A chosen reviewer is not an active staff member.")
    await session.execute(delete(ApplicationReviewer).where(ApplicationReviewer.type_id == kind.id))
    session.add_all(ApplicationReviewer(type_id=kind.id, user_id=uid) for uid in wanted)
    await session.flush()
    return wanted


async def reviewer_ids(session: AsyncSession, type_id: int) -> list[int]:
    rows = await session.scalars(
        select(ApplicationReviewer.user_id)
        .where(ApplicationReviewer.type_id == type_id)
        .order_by(ApplicationReviewer.user_id)
    )
    return list(rows)


def _state(kind: ApplicationType, reviewers: list[int]) -> dict[str, Any]:
    return {
        "name_ru": kind.name_ru,
        "criteria": kind.criteria,
        "score_max": kind.score_max,
        "needs_council": kind.needs_council,
        "to_registry": kind.to_registry,
        "is_active": kind.is_active,
        "reviewers": reviewers,
    }


async def create_type(session: AsyncSession, data: TypeInput, *, actor: User) -> ApplicationType:
    require_manager(actor)
    kind = ApplicationType(
        code=f"t-{secrets.token_hex(6)}",
        name_ru=data.name_ru.strip(),
        name_en=data.name_en.strip(),
        criteria=_checked(data),
        score_max=data.score_max,
        needs_council=data.needs_council,
        to_registry=data.to_registry,
        is_active=data.is_active,
    )
    session.add(kind)
    await session.flush()
    reviewers = await _set_reviewers(session, kind, data.reviewer_ids)
    record(
        session, Actor(user_id=actor.id), "application_type", kind.id, "created", data=_state(kind, reviewers)
    )
    return kind


async def update_type(
    session: AsyncSession, type_id: int, data: TypeInput, *, actor: User
) -> ApplicationType:
    """Changes apply to new applications; reviewers already appointed keep their reviews."""
    require_manager(actor)
    kind = await session.get(ApplicationType, type_id)
    if kind is None:
        raise NotFound("Application type not found.")
    before = _state(kind, await reviewer_ids(session, kind.id))
    kind.criteria = _checked(data)
    kind.name_ru, kind.name_en = data.name_ru.strip(), data.name_en.strip()
    kind.score_max = data.score_max
    kind.needs_council, kind.to_registry, kind.is_active = (
        data.needs_council,
        data.to_registry,
        data.is_active,
    )
    reviewers = await _set_reviewers(session, kind, data.reviewer_ids)
    record(
        session,
        Actor(user_id=actor.id),
        "application_type",
        kind.id,
        "updated",
        data={"before": before, "after": _state(kind, reviewers)},
    )
    return kind


async def list_types(session: AsyncSession, *, active_only: bool = False) -> list[ApplicationType]:
    query = select(ApplicationType).order_by(ApplicationType.name_ru)
    if active_only:
        query = query.where(ApplicationType.is_active.is_(True))
    return list(await session.scalars(query))


def type_name(kind: ApplicationType, locale: str) -> str:
    return kind.name_en if locale == "en" and kind.name_en else kind.name_ru


def criteria_of(kind: ApplicationType) -> list[dict[str, Any]]:
    """What a reviewer scores: the type's criteria, or one overall score keyed «total»."""
    if kind.criteria:
        return list(kind.criteria)
    return [{"key": "total", "ru": "", "en": "", "max": kind.score_max}]


def criterion_name(criterion: dict[str, Any], locale: str) -> str:
    if criterion.get("key") == "total":
        return gettext(locale, N_("Overall score"))
    return str(criterion.get("en") if locale == "en" and criterion.get("en") else criterion.get("ru", ""))
