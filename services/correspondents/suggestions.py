""" "Possible duplicate" suggestions: a contact given with an appeal matches another person's record.

Typed contacts never join an appeal to an existing record (anyone can type anyone's phone), so a
match is only put before a clerk: *confirm* merges the appeal's record into the other one (the
ordinary audited merge), *dismiss* says they are different people; either way it is decided once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import Appeal, Correspondent, CorrespondentSuggestion, utcnow
from services.audit import Actor, record
from services.correspondents.merge import merge
from services.errors import InvalidInput, NotFound

OPEN, CONFIRMED, DISMISSED = "open", "confirmed", "dismissed"
LIST_LIMIT = 200


async def suggest(
    session: AsyncSession,
    correspondent: Correspondent,
    *,
    phone: str | None,
    email: str | None,
    appeal_id: int | None,
    actor: Actor,
) -> list[CorrespondentSuggestion]:
    """Suggestions for other live records sharing a normalised phone or e-mail with ``correspondent``
    (a pair already suggested, in either direction, is not suggested again)."""
    made: list[CorrespondentSuggestion] = []
    for reason, column, value in (
        ("phone", Correspondent.phone_normalized, phone),
        ("email", Correspondent.email, email),
    ):
        if not value:
            continue
        others = await session.scalars(
            select(Correspondent.id)
            .where(column == value, Correspondent.id != correspondent.id)
            .where(Correspondent.merged_into_id.is_(None))
            .order_by(Correspondent.id)
            .limit(1)  # the oldest: a person writing five times is one suggestion, not ten
        )
        for other_id in others.all():
            if await _known_pair(session, correspondent.id, other_id):
                continue
            suggestion = CorrespondentSuggestion(
                correspondent_id=correspondent.id,
                candidate_id=other_id,
                appeal_id=appeal_id,
                reason=reason,
                status=OPEN,
            )
            session.add(suggestion)
            await session.flush()
            record(
                session,
                actor,
                "correspondent",
                correspondent.id,
                "duplicate_suggested",
                data={"suggestion_id": suggestion.id, "candidate_id": other_id, "reason": reason},
            )
            made.append(suggestion)
    return made


async def _known_pair(session: AsyncSession, a: int, b: int) -> bool:
    pair = or_(
        and_(CorrespondentSuggestion.correspondent_id == a, CorrespondentSuggestion.candidate_id == b),
        and_(CorrespondentSuggestion.correspondent_id == b, CorrespondentSuggestion.candidate_id == a),
    )
    return await session.scalar(select(CorrespondentSuggestion.id).where(pair).limit(1)) is not None


@dataclass(frozen=True, slots=True)
class SuggestionRow:
    suggestion: CorrespondentSuggestion
    correspondent: Correspondent  # the record of the appeal that raised it
    candidate: Correspondent  # the existing record its contact matches
    appeal_number: str | None


async def open_suggestions(
    session: AsyncSession, *, correspondent_id: int | None = None, limit: int = LIST_LIMIT
) -> Sequence[SuggestionRow]:
    """Open suggestions between two live records, oldest first; for one record when given."""
    mine, theirs = aliased(Correspondent), aliased(Correspondent)
    query = (
        select(CorrespondentSuggestion, mine, theirs, Appeal.reg_number)
        .join(mine, mine.id == CorrespondentSuggestion.correspondent_id)
        .join(theirs, theirs.id == CorrespondentSuggestion.candidate_id)
        .outerjoin(Appeal, Appeal.id == CorrespondentSuggestion.appeal_id)
        .where(
            CorrespondentSuggestion.status == OPEN,
            mine.merged_into_id.is_(None),
            theirs.merged_into_id.is_(None),
        )
        .order_by(CorrespondentSuggestion.created_at, CorrespondentSuggestion.id)
        .limit(limit)
    )
    if correspondent_id is not None:
        query = query.where(
            or_(
                CorrespondentSuggestion.correspondent_id == correspondent_id,
                CorrespondentSuggestion.candidate_id == correspondent_id,
            )
        )
    rows = await session.execute(query)
    return [SuggestionRow(s, c, k, n) for s, c, k, n in rows.all()]


async def _open(session: AsyncSession, suggestion_id: int) -> CorrespondentSuggestion:
    suggestion = await session.get(CorrespondentSuggestion, suggestion_id, with_for_update=True)
    if suggestion is None:
        raise NotFound("Suggestion not found.")
    if suggestion.status != OPEN:
        raise InvalidInput("This suggestion has already been decided.")
    return suggestion


async def confirm(session: AsyncSession, suggestion_id: int, *, actor: Actor) -> Correspondent:
    """The same person: the appeal's record is merged into the existing one."""
    suggestion = await _open(session, suggestion_id)
    kept = await merge(session, suggestion.candidate_id, suggestion.correspondent_id, actor=actor)
    _decide(session, suggestion, CONFIRMED, actor)
    await session.flush()
    return kept


async def dismiss(session: AsyncSession, suggestion_id: int, *, actor: Actor) -> CorrespondentSuggestion:
    """Different people: the records stay apart and the pair is not suggested again."""
    suggestion = await _open(session, suggestion_id)
    _decide(session, suggestion, DISMISSED, actor)
    await session.flush()
    return suggestion


def _decide(session: AsyncSession, suggestion: CorrespondentSuggestion, status: str, actor: Actor) -> None:
    suggestion.status = status
    suggestion.decided_at = utcnow()
    suggestion.decided_by_id = actor.user_id
    record(
        session,
        actor,
        "correspondent",
        suggestion.correspondent_id,
        f"duplicate_{status}",
        data={"suggestion_id": suggestion.id, "candidate_id": suggestion.candidate_id},
    )
