"""Append-only audit trail. Services call :func:`record` for every state change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a staff user, a Telegram account (resident) or a system component."""

    user_id: int | None = None
    telegram_id: int | None = None
    label: str | None = None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(label=label)


def record(
    session: AsyncSession,
    actor: Actor,
    entity_type: str,
    entity_id: int | None,
    action: str,
    *,
    old_state: str | None = None,
    new_state: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """``at``: when it happened, if not now (a service called with its own ``now``)."""
    event = AuditEvent(
        actor_user_id=actor.user_id,
        actor_telegram_id=actor.telegram_id,
        actor_label=actor.label,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        old_state=old_state,
        new_state=new_state,
        reason=reason,
        data=data,
    )
    if at is not None:
        event.at = at
    session.add(event)
    return event
