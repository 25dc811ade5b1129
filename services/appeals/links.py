"""Repeated and collective appeals (59-FZ, the ССТУ «повторное» / «коллективное» marks).

A repeated appeal points to the earlier one (``Appeal.repeat_of_id``). ``suggest_repeats`` offers
the likely earlier appeals (the same correspondent, the last 12 months, the same topic or a subject
in the same words) for the clerk to confirm in one click; a typed number links any earlier appeal.
A collective appeal is signed by several people (``is_collective``, ``signatories``).
Marks are registration data: they can be corrected whatever the appeal's state, always audited.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, User
from services.appeals import access
from services.appeals.outcomes import OUTCOME_ROLES, check_role
from services.appeals.status_sync import load
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound

LOOK_BACK = timedelta(days=365)
MAX_SUGGESTIONS = 5
MAX_SIGNATORIES = 100_000
# Words of at least this many letters count; their first STEM letters are compared, so Russian
# endings (яма / ямы / ямой) do not hide a shared word.
MIN_WORD = 4
STEM = 5
MIN_SHARED_WORDS = 2
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def _stems(text: str | None) -> set[str]:
    words = _WORD_RE.findall((text or "").casefold()[:2000])
    return {w[:STEM] for w in words if len(w) >= MIN_WORD and not w.isdigit()}


def _topic_words(appeal: Appeal) -> set[str]:
    return _stems(appeal.subject) or _stems((appeal.text or "")[:500])


def similar(appeal: Appeal, other: Appeal) -> bool:
    """The same topic, or subjects (the text's beginning without one) sharing enough words."""
    if appeal.category_id is not None and appeal.category_id == other.category_id:
        return True
    mine, theirs = _topic_words(appeal), _topic_words(other)
    shared = len(mine & theirs)
    return shared >= MIN_SHARED_WORDS or (shared >= 1 and shared * 2 >= min(len(mine), len(theirs)))


async def suggest_repeats(session: AsyncSession, appeal: Appeal) -> list[Appeal]:
    """Earlier appeals this one probably repeats, newest first; none once it is linked."""
    if appeal.correspondent_id is None or appeal.repeat_of_id is not None:
        return []
    query = (
        select(Appeal)
        .where(
            Appeal.correspondent_id == appeal.correspondent_id,
            Appeal.id != appeal.id,
            Appeal.registered_at <= appeal.registered_at,
            Appeal.registered_at >= appeal.registered_at - LOOK_BACK,
        )
        .order_by(Appeal.registered_at.desc(), Appeal.id.desc())
        .limit(50)
    )
    earlier = [a for a in (await session.scalars(query)).all() if _before(a, appeal)]
    return [a for a in earlier if similar(appeal, a)][:MAX_SUGGESTIONS]


def _before(earlier: Appeal, appeal: Appeal) -> bool:
    """Strictly earlier (ties broken by id), so links never form a cycle."""
    return (earlier.registered_at, earlier.id) < (appeal.registered_at, appeal.id)


async def _checked(session: AsyncSession, appeal_id: int, actor: User) -> Appeal:
    check_role(actor, OUTCOME_ROLES)
    appeal = await load(session, appeal_id, for_update=True)
    if not await access.may_see(session, actor, appeal):
        raise NotFound("Appeal not found.")
    return appeal


async def mark_repeat(session: AsyncSession, appeal_id: int, earlier_id: int, *, actor: User) -> Appeal:
    """Link ``appeal_id`` to the earlier appeal it repeats (found by a suggestion or a typed number)."""
    appeal = await _checked(session, appeal_id, actor)
    earlier = await session.get(Appeal, earlier_id)
    if earlier is None or not await access.may_see(session, actor, earlier):
        raise NotFound("Appeal not found.")
    if not _before(earlier, appeal):
        raise InvalidInput(
            "A repeated appeal links to an earlier one: %(number)s was registered later.",
            number=earlier.reg_number,
            field="repeat_number",
        )
    old = appeal.repeat_of_id
    appeal.repeat_of_id = earlier.id
    record(
        session,
        Actor(user_id=actor.id, telegram_id=actor.telegram_id),
        "appeal",
        appeal.id,
        "marked_repeat",
        data={"repeat_of_id": earlier.id, "repeat_of_number": earlier.reg_number, "old_repeat_of_id": old},
    )
    await session.flush()
    return appeal


async def unmark_repeat(session: AsyncSession, appeal_id: int, *, actor: User) -> Appeal:
    appeal = await _checked(session, appeal_id, actor)
    if appeal.repeat_of_id is None:
        raise InvalidInput("The appeal is not marked as repeated.")
    old = appeal.repeat_of_id
    appeal.repeat_of_id = None
    record(
        session,
        Actor(user_id=actor.id, telegram_id=actor.telegram_id),
        "appeal",
        appeal.id,
        "unmarked_repeat",
        data={"old_repeat_of_id": old},
    )
    await session.flush()
    return appeal


async def set_collective(
    session: AsyncSession, appeal_id: int, *, collective: bool, signatories: int | None, actor: User
) -> Appeal:
    """A collective appeal is signed by two or more people; its count of signatures is kept."""
    if collective and (signatories is None or not 2 <= signatories <= MAX_SIGNATORIES):
        raise InvalidInput(
            "A collective appeal has from 2 to %(n)d signatories.", n=MAX_SIGNATORIES, field="signatories"
        )
    appeal = await _checked(session, appeal_id, actor)
    old = (appeal.is_collective, appeal.signatories)
    appeal.is_collective = collective
    appeal.signatories = signatories if collective else None
    record(
        session,
        Actor(user_id=actor.id, telegram_id=actor.telegram_id),
        "appeal",
        appeal.id,
        "marked_collective",
        data={
            "is_collective": collective,
            "signatories": appeal.signatories,
            "old_is_collective": old[0],
            "old_signatories": old[1],
        },
    )
    await session.flush()
    return appeal


async def repeats_of(session: AsyncSession, appeal_id: int) -> list[Appeal]:
    """Later appeals marked as repeating this one (shown on the earlier appeal's card)."""
    query = select(Appeal).where(Appeal.repeat_of_id == appeal_id).order_by(Appeal.registered_at)
    return list((await session.scalars(query)).all())
