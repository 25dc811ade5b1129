"""The published outages: the paged list and one outage's card, drawn from reloaded rows."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.dispatch import keyboards
from models import DispatchUpdate, Organisation, Outage
from models.enums import OutageKind, UpdateKind, UpdatePublish
from services.errors import DomainError
from services.html_cut import MESSAGE_LIMIT, cut_html, cut_plain
from services.incidents.kinds import informant_name
from services.incidents.updates import Target, updates_of
from services.notify import NoticeContext, Translator, html_escape
from services.outages import lifecycle, listing, record
from services.outages.card import OutageView, card_title, outage_text, resource_label

CAUSE_SHOWN = 500


async def draft_org_name(session: AsyncSession, data: dict[str, object]) -> str | None:
    raw = data.get("org_id")
    if not isinstance(raw, int) or not raw:
        return None
    try:
        org = await record.usable_organisation(session, raw)
    except DomainError:
        return None
    return org.short_name or org.name


def record_lines(
    cause: str, informant_kind: str | None, informant_text: str | None, org_name: str | None, t: Translator
) -> list[str]:
    """What the preview and the card say of the record (nothing for an empty field)."""
    lines = []
    if cause:
        lines.append(t("Cause: %(text)s", text=cut_plain(cause, CAUSE_SHOWN)))
    who = [informant_name(informant_kind, t)] if informant_kind else []
    who += [html_escape(informant_text)] if informant_text else []
    if who:
        lines.append(t("Informant: %(text)s", text=" — ".join(who)))
    if org_name:
        lines.append(t("Responsible organisation: %(org)s", org=html_escape(org_name)))
    return lines


async def list_view(
    session: AsyncSession, page: int, t: Translator, ctx: NoticeContext
) -> tuple[str, InlineKeyboardMarkup]:
    total = await listing.count_published(session)
    page, pages = keyboards.page_bounds(total, page, keyboards.LIST_PAGE)
    outages = await listing.published_outages(
        session, offset=page * keyboards.LIST_PAGE, limit=keyboards.LIST_PAGE
    )
    counts = await listing.house_counts(session, [o.id for o in outages])
    lines = [t("<b>Active outages</b>: %(n)s", n=total), ""]
    if not outages:
        lines.append(t("There are no active or planned outages now."))
    labels: dict[int, str] = {}
    for o in outages:
        until = ctx.format_dt(o.expected_end_at) if o.expected_end_at else t("not yet known")
        mark = "⚠️" if o.kind == OutageKind.ACCIDENT else "🛠"
        lines.append(
            t(
                "%(mark)s №%(id)s %(resource)s — houses: %(n)s, until %(until)s",
                mark=mark,
                id=o.id,
                resource=resource_label(o.resource, t),
                n=counts.get(o.id, 0),
                until=until,
            )
        )
        labels[o.id] = f"{mark} №{o.id} {resource_label(o.resource, t)}"
    return "\n".join(lines), keyboards.outage_list_markup(outages, labels, page, pages)


async def card_view(
    session: AsyncSession, outage: Outage, t: Translator, ctx: NoticeContext, *, note: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    view = OutageView.of(outage, await lifecycle.buildings_of(session, outage.id))
    text = outage_text(view, t, ctx, title=card_title(outage, t))
    extra = await outage_record_lines(session, outage, t, ctx)
    if extra:
        text += "\n\n" + "\n".join(extra)
    if note:  # the note answers the dispatcher's press: it survives a cut of a long card
        return cut_html(text, MESSAGE_LIMIT - len(note) - 2) + "\n\n" + note, keyboards.card_markup(outage, t)
    return cut_html(text), keyboards.card_markup(outage, t)


UPDATES_SHOWN = 5
UPDATE_TEXT_LIMIT = 250
PUBLISH_MARKS = {
    UpdatePublish.PUBLISHED: "📢",
    UpdatePublish.PENDING: "⏳",
    UpdatePublish.REJECTED: "✖",
    UpdatePublish.INTERNAL: "🗄",
}


def update_line(update: DispatchUpdate, t: Translator, ctx: NoticeContext) -> str:
    if update.kind == UpdateKind.ACKNOWLEDGED:
        text = t("the organisation took it")
    elif update.kind == UpdateKind.ASSIGNED:
        text = (
            t("handed to an organisation")
            if update.organisation_id
            else t("taken back from the organisation")
        )
    else:
        text = cut_plain(update.text, UPDATE_TEXT_LIMIT)
    if update.expected_end_at is not None:
        text += " " + t("(expected end: %(when)s)", when=ctx.format_dt(update.expected_end_at))
    mark = PUBLISH_MARKS.get(update.publish, "")
    return f"• {ctx.format_dt(update.occurred_at)} {mark} {text}"


async def outage_record_lines(
    session: AsyncSession, outage: Outage, t: Translator, ctx: NoticeContext
) -> list[str]:
    """The cause, informant, organisation (taken or not) and the latest updates."""
    org = (
        await session.get(Organisation, outage.responsible_organisation_id)
        if outage.responsible_organisation_id
        else None
    )
    lines = record_lines(outage.cause or "", outage.informant_kind, outage.informant_text, None, t)
    if org is not None:
        name = html_escape(org.short_name or org.name)
        if outage.acknowledged_at is not None:
            state = t("took it at %(when)s", when=ctx.format_dt(outage.acknowledged_at))
        else:
            state = t("not acknowledged yet")
        lines.append(t("Responsible organisation: %(org)s", org=name) + f" ({state})")
    updates = await updates_of(session, Target("outage", outage.id))
    if updates:
        lines += ["", t("Updates (📢 published to residents, ⏳ awaiting approval, 🗄 internal):")]
        lines += [update_line(u, t, ctx) for u in updates[-UPDATES_SHOWN:]]
        if len(updates) > UPDATES_SHOWN:
            lines.append(t("…and %(n)s earlier", n=len(updates) - UPDATES_SHOWN))
    return lines


def notified(queued: int, t: Translator) -> str:
    return t("Notices queued for residents: %(n)s", n=queued)
