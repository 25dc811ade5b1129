"""The field card: the appeal's place and the return history on the card, the materials on demand.

The card itself stays a text that is redrawn in place after every press; photos, documents and the
map pin are sent only when the executor presses «📂 Files and location» (and again only when pressed
again), so a refreshed card never floods the chat with the same album. Files go by Telegram's file
id when it is known, else they are uploaded from storage once and their new id is remembered
(``bot.materials``).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.materials import send_files
from bot.texts import quote
from bot.turn import Turn
from handlers.assignments.callbacks import AssignmentCallback
from handlers.assignments.common import checked
from porucheno.settings import Settings
from services.assignments import commands
from services.assignments.field import field_view


async def send_materials(
    query: CallbackQuery, callback_data: AssignmentCallback, turn: Turn, settings: Settings
) -> None:
    a = await checked(query, turn, lambda u: commands.load_visible(turn.session, callback_data.id, u))
    if a is None:
        return
    view = await field_view(turn.session, a)
    if not view.has_materials:
        await query.answer(_("This assignment has no files and no location."), show_alert=True)
        return
    await query.answer()
    chat = turn.chat_id
    files = [*view.photos, *view.documents]
    failed = await send_files(turn.bot, turn.session, chat, files, settings.files_dir, unnamed=_("file"))
    place = view.place
    if place is not None and place.has_pin:
        assert place.latitude is not None and place.longitude is not None
        await turn.bot.send_location(chat, latitude=place.latitude, longitude=place.longitude)
    lines = [_("Materials of assignment №%(id)s «%(title)s».") % {"id": a.id, "title": quote(a.title)}]
    if place is not None and place.address:
        lines.append(_("Address: %(address)s") % {"address": quote(place.address)})
    if place is not None and not place.has_pin:
        lines.append(_("The place has no coordinates, so there is no map pin."))
    if failed:
        lines.append(_("Could not send: %(names)s.") % {"names": quote(", ".join(failed))})
    await turn.bot.send_message(chat, "\n".join(lines))


def create_router() -> Router:
    router = Router(name="assignments_field")
    router.callback_query.register(send_materials, AssignmentCallback.filter(F.action == "files"))
    return router
