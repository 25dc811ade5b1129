"""Texts and keyboards of the residents' outage features, in the current update's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import N_
from bot.texts import CANCEL, quote
from handlers.residents.callbacks import AddressCallback, SignalAct, SignalFormCallback
from models import Building, Outage
from models.enums import OutageKind, OutageStatus
from services.html_cut import cut_plain
from services.notify import NoticeContext, Translator
from services.outages import resources
from services.outages.notices import address
from services.outages.resources import enabled_resources, get_resource

SEND_LOCATION = N_("📍 Send my location")
NO_COMMENT = N_("No comment")


def address_text(b: Building) -> str:
    """«ул. Ленина, 5», HTML-escaped for the message body."""
    return quote(address(b))


# Addresses of the demo town, in the town's language whatever the bot's: each must be found as typed
# (tests/bot/test_address_examples.py sends every one back).
ADDRESS_EXAMPLES = ("ул. Ленина, 5", "Ленина 9к1")


def format_hint() -> str:
    examples = ", ".join(f"«{e}»" for e in ADDRESS_EXAMPLES)
    return _("Type the street and the house number, for example: %(examples)s.") % {"examples": examples}


def location_keyboard(*, extra: str | None = None) -> ReplyKeyboardMarkup:
    """While an address is awaited: share a location (Telegram asks for it), or cancel."""
    rows = [[KeyboardButton(text=_(SEND_LOCATION), request_location=True)]]
    if extra is not None:
        rows.append([KeyboardButton(text=extra)])
    rows.append([KeyboardButton(text=_(CANCEL))])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True)


def comment_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_(NO_COMMENT))], [KeyboardButton(text=_(CANCEL))]],
        resize_keyboard=True,
    )


def address_choice(goal: str, buildings: Sequence[Building]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for b in buildings:
        builder.button(text=address(b), callback_data=AddressCallback(goal=goal, id=b.id))
    builder.adjust(1)
    return builder.as_markup()


def location_confirm(goal: str, building: Building) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Yes, this address"), callback_data=AddressCallback(goal=goal, id=building.id))
    builder.button(text=_("✏️ No, I will type it"), callback_data=AddressCallback(goal=goal, id=0))
    builder.adjust(1)
    return builder.as_markup()


def resource_name(code: str) -> str:
    # Names are configured per language in the panel; the update's language picks one.
    return resources.resource_name(code, Translator(get_i18n().current_locale))


def resource_label(code: str) -> str:
    return f"{get_resource(code).emoji} {resource_name(code)}"


def resource_choice() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for r in enabled_resources():
        builder.button(
            text=resource_label(r.code),
            callback_data=SignalFormCallback(act=SignalAct.RESOURCE, value=r.code),
        )
    builder.adjust(2)
    return builder.as_markup()


def outage_lines(outage: Outage, ctx: NoticeContext, now: datetime) -> list[str]:
    """One outage as a resident sees it: what, which kind, since when, until when, why."""
    kind = _("emergency") if outage.kind == OutageKind.ACCIDENT else _("planned")
    lines = [
        f"{resource_label(outage.resource)} — {kind}",
    ]
    if outage.status == OutageStatus.ACTIVE or outage.starts_at <= now:
        lines.append(_("Since: %(when)s") % {"when": ctx.format_dt(outage.starts_at)})
    else:
        lines.append(_("Starts: %(when)s") % {"when": ctx.format_dt(outage.starts_at)})
    if outage.expected_end_at is not None:
        lines.append(_("Expected end: %(when)s") % {"when": ctx.format_dt(outage.expected_end_at)})
    else:
        lines.append(_("Expected end: not yet known"))
    if outage.description:
        lines.append(cut_plain(outage.description, 1000))
    return lines


def outages_block(building: Building, outages: Sequence[Outage], ctx: NoticeContext, now: datetime) -> str:
    lines = [f"<b>{address_text(building)}</b>"]
    if not outages:
        lines.append(_("No outages."))
    for i, outage in enumerate(outages):
        if i:
            lines.append("")
        lines += outage_lines(outage, ctx, now)
    return "\n".join(lines)


def signal_card(data: dict[str, object]) -> str:
    comment = str(data.get("comment") or "")
    return "\n".join(
        [
            _("<b>Check your report</b>"),
            _("What is missing: %(resource)s") % {"resource": resource_label(str(data["resource"]))},
            _("Address: %(address)s") % {"address": quote(str(data["address"]))},
            _("Comment: %(comment)s") % {"comment": quote(comment)},
        ]
    )


def signal_buttons() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Send"), callback_data=SignalFormCallback(act=SignalAct.SEND))
    builder.button(text=_("✖ Cancel"), callback_data=SignalFormCallback(act=SignalAct.CANCEL))
    return builder.as_markup()


def raw_address_button() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("📨 Send the address as typed"), callback_data=SignalFormCallback(act=SignalAct.RAW)
    )
    return builder.as_markup()
