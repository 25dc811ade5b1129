"""The role-aware main menu: a registry of reply-keyboard buttons.

Features register :class:`MenuItem` s (see ``handlers/__init__.py``); the keyboard shows each user
only the items their roles allow, and :class:`MenuButton` routes a pressed button to its handler in
whichever language the keyboard was drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aiogram.filters import Filter
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy import inspect

from models import User
from models.enums import Role

ALL_STAFF: frozenset[Role] = frozenset(Role)
ROW_WIDTH = 2
_PARTNER_KEY = "menu.partner"


def mark_partner(user: User, is_partner: bool) -> None:
    """Say whether ``user`` works for an outside organisation (a УК, РСО or contractor), for
    :attr:`MenuItem.partners`. Drawing the keyboard is synchronous and cannot ask the database, so
    ``handlers/partners/marker.py`` marks the sender on every update (kept on the ORM object's state,
    which lives as long as the update's session); a flow that makes someone a member marks them too."""
    inspect(user).info[_PARTNER_KEY] = is_partner


def is_marked_partner(user: User) -> bool:
    return bool(inspect(user).info.get(_PARTNER_KEY))


@dataclass(frozen=True, slots=True)
class MenuItem:
    key: str
    text: str  # msgid, marked with N_()
    roles: frozenset[Role] = frozenset()  # staff roles that see the item (admins see every staff item)
    residents: bool = False  # shown to people who are not staff
    hint: str | None = None  # msgid of a short description for /help
    order: int = 100
    # Shown only to the people of an outside organisation (see mark_partner), whatever their roles.
    partners: bool = False

    def visible_to(self, user: User | None) -> bool:
        if user is None:
            return self.residents
        if self.partners:
            return is_marked_partner(user)
        roles = user.roles
        return bool(roles & self.roles) or (Role.ADMIN in roles and bool(self.roles))


class OwnItem(MenuItem):
    """An item for the organisation's own people (its staff, its residents), never for the people of
    an outside organisation (a УК's foreman sees the outage work, not the museum's events)."""

    __slots__ = ()

    def visible_to(self, user: User | None) -> bool:
        return not (user is not None and is_marked_partner(user)) and MenuItem.visible_to(self, user)


class Menu:
    def __init__(self, items: Iterable[MenuItem] = ()) -> None:
        self._items: dict[str, MenuItem] = {}
        self._by_text: dict[str, str] | None = None
        # At most (languages × distinct role sets) entries: a few dozen.
        self._keyboards: dict[tuple[str, tuple[str, ...]], ReplyKeyboardMarkup] = {}
        self.register(*items)

    def register(self, *items: MenuItem) -> None:
        for item in items:
            if item.key in self._items:
                raise ValueError(f"menu item {item.key!r} is registered twice")
            self._items[item.key] = item
        self._by_text = None
        self._keyboards.clear()

    def items_for(self, user: User | None) -> list[MenuItem]:
        return sorted((i for i in self._items.values() if i.visible_to(user)), key=lambda i: i.order)

    def keyboard(self, user: User | None, i18n: I18n) -> ReplyKeyboardMarkup:
        """The menu for ``user`` in the current language. Rights are read anew on every call; only the
        drawn keyboard (a dozen pydantic objects, rebuilt on every reply before) is kept, by the
        visible items and the language."""
        items = self.items_for(user)
        key = (i18n.current_locale, tuple(item.key for item in items))
        markup = self._keyboards.get(key)
        if markup is None:
            buttons = [KeyboardButton(text=i18n.gettext(item.text)) for item in items]
            rows = [buttons[i : i + ROW_WIDTH] for i in range(0, len(buttons), ROW_WIDTH)]
            markup = ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, is_persistent=True)
            self._keyboards[key] = markup
        return markup

    def match(self, text: str, i18n: I18n) -> MenuItem | None:
        """The item whose label is ``text`` in any language (a keyboard may predate a language switch)."""
        if self._by_text is None:
            self._by_text = {}
            for item in self._items.values():
                self._by_text[item.text] = item.key
                for locale in i18n.available_locales:
                    self._by_text[i18n.gettext(item.text, locale=locale)] = item.key
        key = self._by_text.get(text.strip())
        return self._items[key] if key else None


class MenuButton(Filter):
    """Passes when the message is the label of menu item ``key`` and the user may see that item."""

    def __init__(self, key: str) -> None:
        self.key = key

    async def __call__(self, message: Message, menu: Menu, i18n: I18n, user: User | None) -> bool:
        item = menu.match(message.text or "", i18n)
        return item is not None and item.key == self.key and item.visible_to(user)


class Translated(Filter):
    """Passes when the message text is ``msgid`` translated into any available language."""

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid

    async def __call__(self, message: Message, i18n: I18n) -> bool:
        text = (message.text or "").strip()
        if not text:
            return False
        return text == self.msgid or any(
            text == i18n.gettext(self.msgid, locale=locale) for locale in i18n.available_locales
        )
