"""An outage's record on its page: the cause, the informant, the responsible organisation, the updates
with their publish state, and the dispatcher's forms to change the record and to post news.

The forms only carry ids and text; the services reload the outage and re-check the dispatcher.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.views.common import notice_context, parse_local, zone
from models import DispatchUpdate, Organisation, Outage, User
from models.enums import InformantKind, OutageStatus, Role, UpdateKind, UpdatePublish
from services.errors import DomainError, InvalidInput
from services.incidents import update_notices
from services.incidents.kinds import INFORMANT_NAMES
from services.incidents.updates import TEXT_LIMIT, FieldReport, Target, post_dispatcher_update, updates_of
from services.outages import record
from services.partners.members import active_organisations

OPEN = (OutageStatus.PLANNED, OutageStatus.ACTIVE)
PUBLISH_LABELS: dict[str, str] = {
    UpdatePublish.PUBLISHED: N_("published to residents"),
    UpdatePublish.PENDING: N_("awaiting the dispatcher's approval"),
    UpdatePublish.REJECTED: N_("kept from residents"),
    UpdatePublish.INTERNAL: N_("internal note"),
}
KIND_LABELS: dict[str, str] = {
    UpdateKind.ACKNOWLEDGED: N_("The organisation took it"),
    UpdateKind.ASSIGNED: N_("Sent to the organisation"),
}


@dataclass(frozen=True, slots=True)
class UpdateRow:
    update: DispatchUpdate
    text: str
    publish: str
    organisation: str | None


def is_dispatcher(user: User) -> bool:
    return user.is_active and user.has_role(Role.DISPATCHER)


def record_form(outage: Outage) -> Form:
    return Form(
        values={
            "cause": outage.cause or "",
            "informant_kind": outage.informant_kind or "",
            "informant_text": outage.informant_text or "",
            "organisation_id": str(outage.responsible_organisation_id or ""),
        }
    )


async def record_context(
    db: AsyncSession, outage: Outage, user: User, *, rec: Form | None = None, news: Form | None = None
) -> dict[str, Any]:
    orgs = list(await active_organisations(db))
    org = (
        await db.get(Organisation, outage.responsible_organisation_id)
        if outage.responsible_organisation_id
        else None
    )
    if org is not None and org not in orgs:
        orgs.append(org)  # a deactivated one stays visible as the current choice
    names = {o.id: o.short_name or o.name for o in orgs}
    rows = []
    for u in await updates_of(db, Target("outage", outage.id)):
        text = gettext(KIND_LABELS[u.kind]) if u.kind in KIND_LABELS and not u.text else u.text
        rows.append(
            UpdateRow(
                u, text, gettext(PUBLISH_LABELS.get(u.publish, u.publish)), names.get(u.organisation_id or 0)
            )
        )
    return {
        "org": org,
        "informant_label": gettext(INFORMANT_NAMES[outage.informant_kind])
        if outage.informant_kind in INFORMANT_NAMES
        else None,
        "informant_options": [(k.value, gettext(INFORMANT_NAMES[k])) for k in InformantKind],
        "org_options": [(o.id, names[o.id]) for o in orgs],
        "updates": rows,
        "can_record": is_dispatcher(user),
        "can_post": is_dispatcher(user) and outage.status in OPEN,
        "record_form": rec or record_form(outage),
        "news_form": news or Form(values={"for_residents": True}),
        "text_limit": TEXT_LIMIT,
    }


async def save_record(
    request: web.Request, db: AsyncSession, user: User, outage: Outage, form: Form
) -> int | None:
    """Apply the record form; None when the form has errors (shown on the page), else how many
    of a newly responsible organisation's people were notified."""
    cause = form.text("cause", max_length=record.CAUSE_LIMIT) or ""
    kind = form.text("informant_kind", max_length=16)
    informant = form.text("informant_text", max_length=record.INFORMANT_LIMIT) or ""
    org_id = form.choice(
        "organisation_id",
        {o.id for o in await active_organisations(db)} | {outage.responsible_organisation_id or 0},
    )
    if not form.ok:
        return None
    try:
        await record.set_record(db, user, outage.id, record.OutageRecord(cause, kind, informant))
        changed = None
        if org_id != outage.responsible_organisation_id and (outage.status in OPEN or org_id is None):
            changed = await record.set_responsible(db, user, outage.id, org_id)
        elif org_id != outage.responsible_organisation_id:
            raise InvalidInput("The outage is already closed.")
        sent = 0
        if changed is not None:
            sent = await update_notices.notify_assigned(
                db, notice_context(request), Target("outage", outage.id)
            )
    except DomainError as exc:  # refused before anything changed; nothing is committed
        form.fail_domain(exc)
        return None
    return sent


async def post_news(
    request: web.Request, db: AsyncSession, user: User, outage: Outage, form: Form
) -> int | None:
    """The dispatcher's update; None when refused (errors on the form), else notices queued."""
    text = form.text("text", required=True, max_length=TEXT_LIMIT)
    raw_end = form.text("expected_end_at", max_length=32)
    end = parse_local(raw_end, zone(request)) if raw_end else None
    if raw_end and end is None:
        form.fail("expected_end_at", N_("Enter a date and time."))
    for_residents = form.flag("for_residents")
    if not form.ok or text is None:
        return None
    try:
        update = await post_dispatcher_update(
            db,
            user,
            Target("outage", outage.id),
            FieldReport(text, expected_end_at=end, for_residents=for_residents),
        )
        result = await update_notices.broadcast_update(db, notice_context(request), update)
    except DomainError as exc:  # refused before anything changed; nothing is committed
        form.fail_domain(exc)
        return None
    return result.queued
