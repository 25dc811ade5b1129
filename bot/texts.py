"""Shared pieces of bot text: role names, empty values, domain errors."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.text_decorations import html_decoration as hd

from bot.i18n import N_
from models import User
from models.enums import Role
from services.errors import DomainError

EMPTY = "—"

# The label of the reply-keyboard button that leaves a conversation (handlers/common.py answers it).
CANCEL = N_("Cancel")

# Language names are shown in their own language, so they are not translated.
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}

ROLE_NAMES = {
    Role.ADMIN: N_("administrator"),
    Role.MANAGER: N_("manager"),
    Role.CONTROLLER: N_("controller"),
    Role.EXECUTOR: N_("executor"),
    Role.DISPATCHER: N_("dispatcher"),
    Role.CLERK: N_("clerk"),
}


def role_list(user: User) -> str:
    names = [_(ROLE_NAMES[role]) for role in Role if role in user.roles]
    return ", ".join(names) or EMPTY


def quote(value: str | None) -> str:
    """A user-supplied value made safe for HTML parse mode; ``—`` when empty."""
    return hd.quote(value) if value else EMPTY


def domain_error_text(error: DomainError) -> str:
    """Translate a service refusal; services use %-style placeholders."""
    text = _(error.message)
    return text % error.params if error.params else text
