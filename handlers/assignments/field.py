"""The field card: the appeal's place and the return history on the card, the materials on demand.

The card itself stays a text that is redrawn in place after every press; photos, documents and the
map pin are sent only when the executor presses «📂 Files and location» (and again only when pressed
again), so a refreshed card never floods the chat with the same album. Files go by Telegram's file
id when it is known, else they are uploaded from storage once and their new id is remembered.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, FSInputFile, InputMediaPhoto, Message
from aiogram.utils.i18n import gettext as _

from bot.texts import quote
from bot.turn import Turn
from handlers.assignments.callbacks import AssignmentCallback
from handlers.assignments.common import checked
from models import StoredFile
from porucheno.settings import Settings
from services.assignments import commands
from services.assignments.field import albums, field_view, remember_file_id
from services.files import file_path

log = logging.getLogger(__name__)


def _media(f: StoredFile, settings: Settings) -> str | FSInputFile:
    if f.telegram_file_id:
        return f.telegram_file_id
    return FSInputFile(file_path(settings.files_dir, f), filename=f.original_name or None)


async def _learn_ids(turn: Turn, files: list[StoredFile], sent: list[Message]) -> None:
    """Keep the ids Telegram gave the uploaded files, so the next sending needs no upload."""
    for f, message in zip(files, sent, strict=False):
        if f.telegram_file_id:
            continue
        if message.photo:
            await remember_file_id(turn.session, f.id, message.photo[-1].file_id)
        elif message.document:
            await remember_file_id(turn.session, f.id, message.document.file_id)


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
    chat, failed = turn.chat_id, []
    for chunk in albums(view.photos):
        try:
            if len(chunk) == 1:
                sent = [await turn.bot.send_photo(chat, _media(chunk[0], settings))]
            else:
                media = [InputMediaPhoto(media=_media(f, settings)) for f in chunk]
                sent = await turn.bot.send_media_group(chat, media=media)
        except (TelegramAPIError, OSError) as exc:
            log.warning("photos of assignment %s not sent: %s", a.id, exc)
            failed += [f.original_name or _("photo") for f in chunk]
            continue
        await _learn_ids(turn, chunk, sent)
    for f in view.documents:
        try:
            sent_doc = await turn.bot.send_document(chat, _media(f, settings))
        except (TelegramAPIError, OSError) as exc:
            log.warning("file %s of assignment %s not sent: %s", f.id, a.id, exc)
            failed.append(f.original_name or _("file"))
            continue
        await _learn_ids(turn, [f], [sent_doc])
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
