"""The bot's part of forms: «📝 Forms and applications» and ``/start form_<slug>`` links."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandStart

from bot.menu import MenuButton, MenuItem
from handlers.forms import opening, sending, steps
from handlers.forms.callbacks import Act, FormCb, FormFill
from services.forms.links import START_PREFIX

MENU_ITEMS: list[MenuItem] = [opening.FORMS]


def create_router() -> Router:
    router = Router(name="forms")
    router.message.register(opening.show_list, MenuButton(opening.FORMS.key))
    router.callback_query.register(opening.open_pressed, FormCb.filter(F.act == Act.OPEN))
    router.callback_query.register(opening.consent_pressed, FormFill.consent, FormCb.filter(F.act == Act.PD))
    router.callback_query.register(sending.send_pressed, FormFill.confirm, FormCb.filter(F.act == Act.SEND))
    router.callback_query.register(
        sending.cancel_pressed, FormFill.consent, FormCb.filter(F.act == Act.CANCEL)
    )
    router.callback_query.register(
        sending.cancel_pressed, FormFill.answering, FormCb.filter(F.act == Act.CANCEL)
    )
    router.callback_query.register(
        sending.cancel_pressed, FormFill.confirm, FormCb.filter(F.act == Act.CANCEL)
    )
    router.callback_query.register(
        steps.pressed,
        FormFill.answering,
        FormCb.filter(F.act.in_({Act.PICK, Act.TOGGLE, Act.DONE, Act.SKIP, Act.AGREE})),
    )
    router.message.register(steps.contact_shared, FormFill.answering, F.contact)
    router.message.register(steps.file_sent, FormFill.answering, F.photo | F.document)
    router.message.register(steps.typed, FormFill.answering, F.text, ~F.text.startswith("/"))
    router.message.register(sending.confirm_expected, FormFill.confirm, ~F.text.startswith("/"))
    router.message.register(sending.consent_expected, FormFill.consent, ~F.text.startswith("/"))
    # Anything else under a form's step (a sticker, a voice message): the question again.
    router.message.register(steps.unexpected, FormFill.answering, ~F.text)
    # A press outside its step (an old message, a finished form) or forged: «outdated».
    router.callback_query.register(sending.stale, FormCb.filter())
    return router


def create_start_router() -> Router:
    """``/start form_<slug>``: opens a form from a link; included before /start's catch-all."""
    router = Router(name="forms_start")
    router.message.register(
        opening.start_link, CommandStart(deep_link=True, magic=F.args.startswith(START_PREFIX))
    )
    return router
