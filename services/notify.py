"""Building notices for the outbox: the recipient's language, local time, inline buttons as data.

Services describe buttons as plain ``(text, callback_data)`` pairs; the callback strings follow the
bot's CallbackData packing (``prefix:field:field``), which a bot test keeps in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from models import User
from porucheno.i18n import get_translations


class HasLocale(Protocol):
    """A recipient as far as the language of a notice goes (a ``User``, or a lighter row of one)."""

    @property
    def locale(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class NoticeContext:
    """What rendering needs from the settings: built once in the entry point."""

    default_locale: str = "ru"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Moscow"))
    # The staff panel as users reach it (settings' public URL): notices link to its pages.
    panel_url: str | None = None
    # The service desk's mailbox address: set only when its mail is configured (letters to requesters).
    service_mail_from: str | None = None
    # An appeal term ending on a day off: previous | next | none (services.work_calendar.terms).
    appeal_term_rule: str = "previous"

    @classmethod
    def from_settings(cls, settings: Any) -> NoticeContext:
        desk_mail = getattr(settings, "service_imap_host", "") and getattr(settings, "service_mail_from", "")
        return cls(
            default_locale=settings.locale,
            tz=settings.tz,
            panel_url=settings.admin_base_url,
            service_mail_from=desk_mail or None,
            appeal_term_rule=settings.appeal_term_on_day_off,
        )

    def panel_link(self, path: str) -> str | None:
        return f"{self.panel_url.rstrip('/')}{path}" if self.panel_url else None

    def locale_of(self, user: User | HasLocale | None) -> str:
        return (user.locale if user is not None and user.locale else None) or self.default_locale

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def format_dt(self, moment: datetime) -> str:
        return self.local(moment).strftime("%d.%m.%Y %H:%M")


class Translator:
    """``t("msgid", name=...)`` in one recipient's language; placeholders are ``%(name)s``."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        # The catalog is looked up once: a scan's notices translate thousands of strings.
        self._gettext = get_translations(locale).gettext

    def __call__(self, message: str, **params: object) -> str:
        text = self._gettext(message)
        return text % params if params else text

    def __reduce__(self) -> tuple[type[Translator], tuple[str]]:
        # Sent to the render pool with a chart's inputs: the other process looks its catalog up itself.
        return Translator, (self.locale,)


def N_(message: str) -> str:
    """Mark a msgid for extraction where it is translated later, per recipient."""
    return message


def inline_keyboard(rows: list[list[tuple[str, str]]]) -> dict[str, Any]:
    return {
        "inline_keyboard": [
            [{"text": text, "callback_data": data} for text, data in row] for row in rows if row
        ]
    }


def html_escape(value: str | None) -> str:
    if not value:
        return "—"
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
