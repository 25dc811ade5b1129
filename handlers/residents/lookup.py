"""The address step the resident features share: a typed address or a shared location → a building.

Typed text goes through the registry's typo-tolerant search: one clear match is taken, several are
offered as buttons, none gets the expected format. A location offers the nearest building to confirm
(a phone's GPS is often a house or two off, so it is never taken silently).
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.menu import Menu
from handlers.residents.texts import address_choice, address_text, format_hint, location_confirm
from models import Building
from services.addresses import nearest_building, parse_address, search_buildings
from services.html_cut import cut_plain

# Far enough for a GPS fix taken in the yard, near enough not to land on the next block.
NEAREST_RADIUS_M = 200.0
CHOICE_LIMIT = 8


class NotMenuButton(Filter):
    """A text that is not a main-menu label: a menu button pressed mid-step goes to its feature."""

    async def __call__(self, message: Message, menu: Menu, i18n: I18n) -> bool:
        return menu.match(message.text or "", i18n) is None


async def building_from_text(
    message: Message,
    session: AsyncSession,
    goal: str,
    *,
    not_found: tuple[str, InlineKeyboardMarkup] | None = None,
) -> Building | None:
    """The building the resident typed, or None once they have been told what to do instead.

    ``not_found`` adds a feature's own way out (a text and buttons) to the «not found» answer.
    """
    text = (message.text or "").strip()
    if parse_address(text) is None:
        # A street alone (or a range of houses) is not one address.
        await message.answer(_("Please give the house number as well.") + "\n" + format_hint())
        return None
    found = await search_buildings(session, text, limit=CHOICE_LIMIT)
    if not found:
        answer = _("The address «%(text)s» is not in the register of buildings.") % {
            "text": cut_plain(text, 200)
        }
        answer += "\n\n" + format_hint()
        markup = None
        if not_found is not None:
            answer += "\n\n" + not_found[0]
            markup = not_found[1]
        await message.answer(answer, reply_markup=markup)
        return None
    parsed = parse_address(text)
    first = found[0]
    exact = parsed is not None and (first.street_key, first.house_key) == (
        parsed.street_key,
        parsed.house_key,
    )
    if len(found) == 1 or exact:
        return first
    await message.answer(
        _("Several buildings match «%(text)s». Choose yours:") % {"text": cut_plain(text, 200)},
        reply_markup=address_choice(goal, found),
    )
    return None


async def offer_nearest(message: Message, session: AsyncSession, goal: str) -> None:
    location = message.location
    assert location is not None  # guaranteed by the F.location filter
    found = await nearest_building(
        session, location.latitude, location.longitude, max_distance_m=NEAREST_RADIUS_M
    )
    if found is None:
        await message.answer(
            _("There is no building from the register within %(m)s m of this point. Please type the address.")
            % {"m": int(NEAREST_RADIUS_M)}
            + "\n"
            + format_hint()
        )
        return
    building, distance = found
    await message.answer(
        _("The nearest building is %(address)s (about %(m)s m away). Is this your address?")
        % {"address": address_text(building), "m": max(10, round(distance / 10) * 10)},
        reply_markup=location_confirm(goal, building),
    )


async def type_instead(query: CallbackQuery, bot: Bot) -> None:
    """«No, I will type it» under a location guess: the conversation step is still waiting."""
    await query.answer()
    await bot.send_message(query.from_user.id, _("Please type the address.") + "\n" + format_hint())


async def address_expected(message: Message) -> None:
    """A sticker, photo... while an address is awaited."""
    await message.answer(_("Please type the address or share your location. To cancel, send /cancel."))
