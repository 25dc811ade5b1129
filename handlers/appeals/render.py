"""Appeals as a resident sees them in the bot: the draft summary, the list and the card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n.context import get_i18n

from bot.i18n import N_
from bot.texts import EMPTY, quote
from handlers.appeals.callbacks import AppealOpenCallback, AppealPageCallback, AppealRateCallback
from models import Appeal, Category
from models.enums import AppealStatus
from services.appeals import categories
from services.notify import NoticeContext

PAGE_SIZE = 5
EXCERPT = 1000  # characters of the text in a summary or a card
LINE_EXCERPT = 60  # characters of the text in a list line

STATUS_NAMES = {
    AppealStatus.RECEIVED: N_("received, waiting for registration"),
    AppealStatus.REGISTERED: N_("registered"),
    AppealStatus.IN_WORK: N_("in work"),
    AppealStatus.ANSWERED: N_("answered"),
    AppealStatus.CLOSED: N_("closed"),
    AppealStatus.REJECTED: N_("rejected"),
    AppealStatus.REDIRECTED: N_("sent by competence to another body"),
}
STATUS_MARKS = {
    AppealStatus.RECEIVED: "📥",
    AppealStatus.REGISTERED: "🆕",
    AppealStatus.IN_WORK: "🛠",
    AppealStatus.ANSWERED: "✅",
    AppealStatus.CLOSED: "✅",
    AppealStatus.REJECTED: "⛔",
    AppealStatus.REDIRECTED: "↪️",
}


def status_name(status: str) -> str:
    name = STATUS_NAMES.get(status)  # StrEnum keys match plain strings
    return _(name) if name else status


def category_name(category: Category | None) -> str:
    """The category in the reader's language (the catalog holds Russian and English names)."""
    if category is None:
        return EMPTY
    return categories.name_in(category, get_i18n().current_locale)


def excerpt(text: str | None, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def draft_text(data: dict[str, Any]) -> str:
    """The appeal's text: every message the resident wrote, in order."""
    return "\n\n".join(str(part) for part in data.get("text_parts") or [])


def location_text(data: dict[str, Any]) -> str | None:
    lat, lon = data.get("latitude"), data.get("longitude")
    if lat is None or lon is None:
        return None
    return f"{float(lat):.5f}, {float(lon):.5f}"


def summary(data: dict[str, Any], category: Category | None) -> str:
    lines = [_("<b>Your appeal — please check it before sending</b>"), ""]
    if data.get("category_id") is not None or category is not None:
        lines.append(_("Category: %(name)s") % {"name": quote(category_name(category))})
    lines += [_("Text:"), quote(excerpt(draft_text(data), EXCERPT)), ""]
    lines.append(_("Address: %(address)s") % {"address": quote(data.get("address"))})
    if (where := location_text(data)) is not None:
        lines.append(_("Location: %(point)s") % {"point": where})
    lines.append(_("Files: %(n)d") % {"n": len(data.get("files") or [])})
    lines.append(_("Full name: %(name)s") % {"name": quote(data.get("full_name"))})
    lines.append(_("Phone: %(phone)s") % {"phone": quote(data.get("phone"))})
    lines.append(_("E-mail: %(email)s") % {"email": quote(data.get("email"))})
    lines += ["", _("Tap «Send» to register the appeal.")]
    return "\n".join(lines)


# -- «My appeals» ---------------------------------------------------------------------------------


def _page_button(text: str, page: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=AppealPageCallback(page=page).pack())


def list_view(
    appeals: Sequence[Appeal], page: int, has_more: bool, ctx: NoticeContext
) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [_("<b>My appeals</b>"), ""]
    rows: list[list[InlineKeyboardButton]] = []
    if not appeals:
        lines.append(_("You have no appeals yet.") if page == 0 else _("There are no more appeals."))
    for number, a in enumerate(appeals, page * PAGE_SIZE + 1):
        mark = STATUS_MARKS.get(a.status, "•")
        lines.append(
            _("%(n)d. №%(number)s of %(date)s — %(mark)s %(status)s")
            % {
                "n": number,
                "number": a.reg_number,
                "date": ctx.local(a.registered_at).strftime("%d.%m.%Y"),
                "mark": mark,
                "status": status_name(a.status),
            }
        )
        lines.append(f"   <i>{quote(excerpt(a.text, LINE_EXCERPT))}</i>")
        label = f"{mark} №{a.reg_number}"
        rows.append(
            [
                InlineKeyboardButton(
                    text=label, callback_data=AppealOpenCallback(action="open", id=a.id).pack()
                )
            ]
        )
    nav = []
    if page > 0:
        nav.append(_page_button(_("‹ Newer"), page - 1))
    if has_more:
        nav.append(_page_button(_("Older ›"), page + 1))
    if nav:
        rows.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def rating_markup(appeal_id: int) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(
            text=f"{n}⭐",  # the same labels as under the answer (services.appeals.notices)
            callback_data=AppealRateCallback(action="rate", id=appeal_id, n=n).pack(),
        )
        for n in range(1, 6)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])


def card(
    appeal: Appeal, category: Category | None, ctx: NoticeContext
) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [
        _("<b>Appeal №%(number)s</b> of %(when)s")
        % {"number": appeal.reg_number, "when": ctx.format_dt(appeal.registered_at)},
        _("Status: %(status)s") % {"status": status_name(appeal.status)},
    ]
    if appeal.category_id is not None:
        lines.append(_("Category: %(name)s") % {"name": quote(category_name(category))})
    if appeal.address:
        lines.append(_("Address: %(address)s") % {"address": quote(appeal.address)})
    lines.append(_("Answer due by: %(when)s") % {"when": ctx.format_dt(appeal.due_at)})
    lines += ["", quote(excerpt(appeal.text, EXCERPT))]
    markup = None
    if appeal.answer_text:
        when = ctx.format_dt(appeal.answered_at) if appeal.answered_at else EMPTY
        lines += [
            "",
            _("<b>Answer</b> of %(when)s:") % {"when": when},
            quote(excerpt(appeal.answer_text, 2500)),
        ]
        if appeal.rating is not None:
            lines += ["", _("Your rating of the answer: %(n)d of 5") % {"n": appeal.rating}]
        else:
            lines += ["", _("Please rate the answer from 1 to 5.")]
            markup = rating_markup(appeal.id)
    return "\n".join(lines), markup
