"""The bot's part of forms: «📝 Forms and applications» and ``/start form_<slug>`` links."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandStart

from bot.menu import MenuButton, MenuItem
from handlers.forms import conversation as c
from handlers.forms.callbacks import Act, FormCb, FormFill
from services.forms.links import START_PREFIX

MENU_ITEMS: list[MenuItem] = [c.FORMS]


def create_router() -> Router:
    router = Router(name="forms")
    router.message.register(c.show_list, MenuButton(c.FORMS.key))
    router.callback_query.register(c.open_pressed, FormCb.filter(F.act == Act.OPEN))
    router.callback_query.register(c.consent_pressed, FormFill.consent, FormCb.filter(F.act == Act.PD))
    router.callback_query.register(c.send_pressed, FormFill.confirm, FormCb.filter(F.act == Act.SEND))
    router.callback_query.register(c.cancel_pressed, FormFill.consent, FormCb.filter(F.act == Act.CANCEL))
    router.callback_query.register(c.cancel_pressed, FormFill.answering, FormCb.filter(F.act == Act.CANCEL))
    router.callback_query.register(c.cancel_pressed, FormFill.confirm, FormCb.filter(F.act == Act.CANCEL))
    router.callback_query.register(
        c.pressed,
        FormFill.answering,
        FormCb.filter(F.act.in_({Act.PICK, Act.TOGGLE, Act.DONE, Act.SKIP, Act.AGREE})),
    )
    router.message.register(c.contact_shared, FormFill.answering, F.contact)
    router.message.register(c.file_sent, FormFill.answering, F.photo | F.document)
    router.message.register(c.typed, FormFill.answering, F.text, ~F.text.startswith("/"))
    router.message.register(c.confirm_expected, FormFill.confirm, ~F.text.startswith("/"))
    router.message.register(c.consent_expected, FormFill.consent, ~F.text.startswith("/"))
    # Anything else under a form's step (a sticker, a voice message): the question again.
    router.message.register(c.unexpected, FormFill.answering, ~F.text)
    # A press outside its step (an old message, a finished form) or forged: «outdated».
    router.callback_query.register(c.stale, FormCb.filter())
    return router


def create_start_router() -> Router:
    """``/start form_<slug>``: opens a form from a link; included before /start's catch-all."""
    router = Router(name="forms_start")
    router.message.register(c.start_link, CommandStart(deep_link=True, magic=F.args.startswith(START_PREFIX)))
    return router
