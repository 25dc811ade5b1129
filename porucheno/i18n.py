"""Translations shared by the bot and the web panel.

Catalogs are the ``*.po`` files under ``porucheno/locales/<lang>/LC_MESSAGES/``; every file of a
language is merged into one catalog, so the bot, the panel and the services may each keep their own
file. They are read with Babel at start-up, so there is no compiled ``.mo`` to forget to rebuild.
Message ids are English; Russian is the default language.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "ru"


def _read_catalog(po_path: Path, locale: str) -> Translations:
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    # Fuzzy entries are unreviewed guesses: leave them out like msgfmt does.
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain=po_path.stem)


@lru_cache(maxsize=4)
def load_translations(locales_dir: Path = LOCALES_DIR) -> dict[str, Translations]:
    result: dict[str, Translations] = {}
    for lang_dir in sorted(p for p in locales_dir.iterdir() if p.is_dir()):
        merged: Translations | None = None
        for po_path in sorted((lang_dir / "LC_MESSAGES").glob("*.po")):
            part = _read_catalog(po_path, lang_dir.name)
            if merged is None:
                merged = part
            else:
                merged.merge(part)
        result[lang_dir.name] = merged if merged is not None else Translations()
    return result


def get_translations(locale: str) -> NullTranslations:
    return load_translations().get(locale) or load_translations().get(DEFAULT_LOCALE) or NullTranslations()


def gettext(locale: str, message: str, **params: object) -> str:
    text = get_translations(locale).gettext(message)
    return text % params if params else text
