"""aiogram's I18n fed from the project's merged ``.po`` catalogs (see :mod:`porucheno.i18n`)."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiogram.utils.i18n import I18n

from porucheno.i18n import LOCALES_DIR, load_translations


def N_(message: str) -> str:
    """Mark a msgid for extraction without translating it (translated later, in the user's locale)."""
    return message


class CatalogI18n(I18n):
    """Reads every ``<lang>/LC_MESSAGES/*.po`` through Babel: no compiled ``.mo`` files to forget."""

    def __init__(self, *, default_locale: str, path: Path = LOCALES_DIR) -> None:
        super().__init__(path=path, default_locale=default_locale, domain="bot")

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        return dict(load_translations(self.path))

    @contextmanager
    def context(self) -> Iterator[I18n]:
        # Each subclass of aiogram's context mixin gets its own context variable, but
        # ``aiogram.utils.i18n.gettext`` looks the instance up on ``I18n``: register it there.
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)
