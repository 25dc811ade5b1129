"""The volunteer base: a volunteer per CRM card, made or updated from the questionnaire."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models import Volunteer
from services.audit import Actor


async def from_questionnaire(
    session: AsyncSession,
    *,
    correspondent_id: int,
    submission_id: int,
    answers: dict[str, Any],
    actor: Actor,
) -> Volunteer:
    """Add a candidate (or update an existing volunteer) from a questionnaire answer.

    Contract used by ``services.forms`` for forms of purpose ``volunteer``; ``answers`` is the
    submission's {field key: value}. Skills and availability are read from fields whose keys are
    ``skills`` and ``availability`` (see the volunteer helper's README section).
    """
    raise NotImplementedError  # the volunteers helper builds it
