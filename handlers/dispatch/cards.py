"""The published outages: the paged list and one outage's card, drawn from reloaded rows."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.dispatch import keyboards
from models import Outage
from models.enums import OutageKind
from services.notify import NoticeContext, Translator
from services.outages import lifecycle, listing
from services.outages.card import OutageView, card_title, outage_text, resource_label


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
    if note:
        text += "\n\n" + note
    return text, keyboards.card_markup(outage, t)


def notified(queued: int, t: Translator) -> str:
    return t("Notices queued for residents: %(n)s", n=queued)
