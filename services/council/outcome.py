"""The one door from the council to the applications' decision.

FOR THE LEAD, WHEN MERGING: ``apply_decision`` and ``mark_on_council`` stand in for
``services.applications.decisions.decide`` and ``mark_on_council`` (built by the applications
helper in parallel). Swap the bodies for those calls — ``decide`` also sends the decision to the
applicant and creates the registry entry itself — and delete ``_registry_entry`` here. As seen on
the applications branch, those take ``actor: User`` (load it: ``await session.get(User,
actor.user_id)``) and ``decide`` takes ``ctx``, passed through here already. Their
``mark_on_council`` accepts only REVIEWED applications of a ``needs_council`` type, a narrower rule
than ``agenda.eligible`` (the brief's: REVIEWED, or any open application of a council type):
narrow ``eligible`` to match when swapping, or the agenda offers what ``mark_on_council`` refuses.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, ApplicationType, RegistryEntry
from models.base import utcnow
from models.enums import ApplicationDecision, ApplicationStatus
from services import audit
from services.audit import Actor
from services.errors import NotFound
from services.notify import N_, NoticeContext

DECISION_STATUS = {
    ApplicationDecision.APPROVED: ApplicationStatus.APPROVED,
    ApplicationDecision.REJECTED: ApplicationStatus.REJECTED,
    ApplicationDecision.NEEDS_MORE: ApplicationStatus.NEEDS_MORE,
}


async def apply_decision(
    session: AsyncSession,
    application_id: int,
    decision: str,
    text: str,
    *,
    actor: Actor,
    meeting_id: int | None = None,
    ctx: NoticeContext | None = None,
) -> Application:
    """Record the council's decision on the application (TEMPORARY body: see the module's note;
    ``ctx`` is unused here, ``decide`` needs it to tell the applicant)."""
    application = await session.get(Application, application_id)
    if application is None:
        raise NotFound(N_("No such application."))
    old = application.status
    now = utcnow()
    application.status = DECISION_STATUS[ApplicationDecision(decision)]
    application.decision, application.decision_text = decision, text
    application.decided_at, application.decided_by_id, application.updated_at = now, actor.user_id, now
    kind = await session.get(ApplicationType, application.type_id)
    if decision == ApplicationDecision.APPROVED and kind is not None and kind.to_registry:
        await _registry_entry(session, application, meeting_id)
    audit.record(
        session,
        actor,
        "application",
        application.id,
        "decide",
        old_state=old,
        new_state=application.status,
        data={"decision": decision, "meeting_id": meeting_id},
    )
    return application


async def mark_on_council(session: AsyncSession, application_id: int, *, actor: Actor) -> None:
    """The application is on a meeting's agenda (TEMPORARY body: see the module's note)."""
    application = await session.get(Application, application_id)
    if application is None:
        raise NotFound(N_("No such application."))
    old, application.status = application.status, ApplicationStatus.ON_COUNCIL
    audit.record(
        session,
        actor,
        "application",
        application.id,
        "on_council",
        old_state=old,
        new_state=application.status,
    )


async def _registry_entry(session: AsyncSession, application: Application, meeting_id: int | None) -> None:
    if await session.scalar(select(RegistryEntry.id).where(RegistryEntry.application_id == application.id)):
        return
    year = utcnow().year
    prefix = f"ПНТ-{year}-"
    taken = await session.scalars(select(RegistryEntry.number).where(RegistryEntry.number.like(f"{prefix}%")))
    seq = max((int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()), default=0) + 1
    session.add(
        RegistryEntry(
            number=f"{prefix}{seq:04d}",
            application_id=application.id,
            meeting_id=meeting_id,
            title=application.title,
            holder=application.applicant_org,
            description=application.summary,
            approved_on=utcnow().date(),
            published=True,
        )
    )
    await session.flush()
