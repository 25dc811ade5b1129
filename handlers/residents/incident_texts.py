"""«Report a problem» beyond the utilities: the kinds a resident may pick, the buttons, the card.

A fire, a gas leak or a road accident is 112's (and 104's) business first: they are not offered here,
the prompt says to call.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.texts import quote
from handlers.residents.callbacks import SignalAct, SignalFormCallback
from models.enums import IncidentKind
from services.incidents.kinds import kind_label

RESIDENT_KINDS = (
    IncidentKind.FALLEN_TREE,
    IncidentKind.ROAD,
    IncidentKind.SEWER,
    IncidentKind.HEATING_NETWORK,
    IncidentKind.WATER_MAIN,
    IncidentKind.FLOODING,
    IncidentKind.POWER_LINE,
    IncidentKind.OTHER,
)


def with_other(markup: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    """The resource buttons and, below them, «Other: a tree, a road, a sewer…»."""
    other = InlineKeyboardButton(
        text=_("Other: a tree, a road, a sewer…"),
        callback_data=SignalFormCallback(act=SignalAct.OTHER).pack(),
    )
    return InlineKeyboardMarkup(inline_keyboard=[*markup.inline_keyboard, [other]])


def kinds_choice() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in RESIDENT_KINDS:
        builder.button(
            text=kind_label(kind, _),
            callback_data=SignalFormCallback(act=SignalAct.INCIDENT_KIND, value=kind.value),
        )
    builder.adjust(2)
    return builder.as_markup()


def kinds_prompt() -> str:
    return _(
        "What happened? Choose below. If people are in danger (a fire, a gas smell, an accident), "
        "call 112 at once."
    )


def incident_card(data: dict[str, object]) -> str:
    comment = str(data.get("comment") or "")
    return "\n".join(
        [
            _("<b>Check your report</b>"),
            _("What happened: %(kind)s") % {"kind": kind_label(str(data.get("incident_kind")), _)},
            _("Address: %(address)s") % {"address": quote(str(data["address"]))},
            _("Comment: %(comment)s") % {"comment": quote(comment)},
        ]
    )
