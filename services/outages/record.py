"""The ЕДДС's record of an outage beyond what residents are told: the cause, who reported it, and
the organisation whose network it is (the one that must restore the supply).

Plain edits of a dispatcher, each re-checked and audited. Setting the responsible organisation sends
nothing by itself: the caller queues the organisation's card (``update_notices.notify_assigned``),
because ``services.incidents`` builds on this package and not the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import DispatchUpdate, Organisation, Outage, User, utcnow
from models.enums import InformantKind, OutageStatus, UpdateKind, UpdatePublish
from services.audit import record
from services.errors import InvalidInput, NotFound
from services.outages.lifecycle import get_outage, require_dispatcher

CAUSE_LIMIT = 2000
INFORMANT_LIMIT = 255
CLOSED = (OutageStatus.RESOLVED, OutageStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class OutageRecord:
    """The fields as the dispatcher wants them now; ``None`` informant kind clears it."""

    cause: str = ""
    informant_kind: str | None = None
    informant_text: str = ""


def checked_record(data: OutageRecord) -> OutageRecord:
    """Trimmed and validated (shared with :func:`lifecycle.create_outage`)."""
    cause = (data.cause or "").strip()
    informant = (data.informant_text or "").strip()
    if len(cause) > CAUSE_LIMIT:
        raise InvalidInput("The cause is too long: at most %(n)s characters.", n=CAUSE_LIMIT)
    if len(informant) > INFORMANT_LIMIT:
        raise InvalidInput("The informant is too long: at most %(n)s characters.", n=INFORMANT_LIMIT)
    kind = data.informant_kind or None
    if kind is not None and kind not in InformantKind.__members__.values():
        raise InvalidInput("Unknown kind of informant.")
    if kind is None and informant:
        raise InvalidInput("Choose who reported the outage.")
    return OutageRecord(cause, kind, informant)


async def set_record(session: AsyncSession, dispatcher: User, outage_id: int, data: OutageRecord) -> bool:
    """Cause and informant; False when nothing changed (a second save of the same form)."""
    actor = require_dispatcher(dispatcher)
    outage = await get_outage(session, outage_id)
    clean = checked_record(data)
    old = (outage.cause or "", outage.informant_kind, outage.informant_text or "")
    new = (clean.cause, clean.informant_kind, clean.informant_text)
    if old == new:
        return False
    outage.cause, outage.informant_kind = clean.cause, clean.informant_kind
    outage.informant_text = clean.informant_text or None
    record(
        session,
        actor,
        "outage",
        outage.id,
        "record",
        data={
            "cause": clean.cause,
            "informant_kind": clean.informant_kind,
            "informant": clean.informant_text,
        },
    )
    await session.flush()
    return True


async def usable_organisation(session: AsyncSession, organisation_id: int) -> Organisation:
    org = await session.get(Organisation, organisation_id)
    if org is None or not org.is_active:
        raise NotFound("Organisation not found.")
    return org


async def set_responsible(
    session: AsyncSession, dispatcher: User, outage_id: int, organisation_id: int | None
) -> Outage | None:
    """Hand the outage to an organisation (None: to nobody). Returns the outage when the
    organisation changed to a new one, so the caller notifies its people; None otherwise."""
    actor = require_dispatcher(dispatcher)
    outage = await get_outage(session, outage_id)
    if outage.status in CLOSED:
        raise InvalidInput("The outage is already closed.")
    if organisation_id is not None:
        await usable_organisation(session, organisation_id)
    old = outage.responsible_organisation_id
    if old == organisation_id:
        return None
    outage.responsible_organisation_id = organisation_id
    outage.acknowledged_at = None  # the new organisation has not taken it yet
    # In the outage's journal too: the hand-over's time starts the scheduler's wait for the
    # organisation's acknowledgement (services.incidents.nudges).
    session.add(
        DispatchUpdate(
            outage_id=outage.id,
            kind=UpdateKind.ASSIGNED,
            occurred_at=utcnow(),
            text="",
            author_user_id=dispatcher.id,
            organisation_id=organisation_id,
            publish=UpdatePublish.INTERNAL,
        )
    )
    record(
        session,
        actor,
        "outage",
        outage.id,
        "responsible",
        data={"old": old, "new": organisation_id},
    )
    await session.flush()
    return outage if organisation_id is not None else None
