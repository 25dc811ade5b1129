"""aiogram keyboards → MAX ``inline_keyboard`` attachments.

Inline buttons become callback / link buttons. A reply keyboard becomes ``message`` buttons: pressing
one sends its label as the user's text, so ``F.text == label`` handlers work as in Telegram; its
contact and location requests become request_contact / request_geo_location buttons."""

from __future__ import annotations

from typing import Any

from aiogram.types import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

MAX_PER_ROW = 7
MAX_PER_ROW_SPECIAL = 3  # a row with a link, contact or location request
MAX_ROWS = 30
MAX_BUTTONS = 210
_SPECIAL = {"link", "request_contact", "request_geo_location"}

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None


def _inline_button(button: InlineKeyboardButton) -> dict[str, Any] | None:
    if button.callback_data is not None:
        return {"type": "callback", "text": button.text, "payload": button.callback_data}
    url = button.url
    if url is None and button.login_url is not None:
        url = button.login_url.url
    if url is None and button.web_app is not None:
        url = button.web_app.url
    if url:
        return {"type": "link", "text": button.text, "url": url}
    return None  # switch_inline_query, pay, games...: nothing like them in MAX


def _reply_button(button: KeyboardButton | str) -> dict[str, Any]:
    if isinstance(button, str):
        return {"type": "message", "text": button}
    if button.request_contact:
        return {"type": "request_contact", "text": button.text}
    if button.request_location:
        return {"type": "request_geo_location", "text": button.text, "quick": False}
    return {"type": "message", "text": button.text}


def _split_row(row: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    special = any(button["type"] in _SPECIAL for button in row)
    size = MAX_PER_ROW_SPECIAL if special else MAX_PER_ROW
    return [row[i : i + size] for i in range(0, len(row), size)]


def buttons_of(markup: Markup) -> list[list[dict[str, Any]]] | None:
    """The MAX button rows for an aiogram markup; None when it means no keyboard."""
    rows: list[list[dict[str, Any]]] = []
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            converted = [b for b in (_inline_button(button) for button in row) if b is not None]
            if converted:
                rows.extend(_split_row(converted))
    elif isinstance(markup, ReplyKeyboardMarkup):
        for row in markup.keyboard:
            converted = [_reply_button(button) for button in row]
            if converted:
                rows.extend(_split_row(converted))
    else:
        return None
    rows = rows[:MAX_ROWS]
    total, kept = 0, []
    for row in rows:
        if total + len(row) > MAX_BUTTONS:
            row = row[: MAX_BUTTONS - total]
        if row:
            kept.append(row)
            total += len(row)
    return kept or None


def keyboard_attachment(markup: Markup | dict[str, Any]) -> dict[str, Any] | None:
    """The ``inline_keyboard`` AttachmentRequest for ``markup`` (None: no keyboard)."""
    if isinstance(markup, dict):  # a markup that arrived as plain JSON (e.g. stored by the outbox)
        markup = _markup_from_dict(markup)
    rows = buttons_of(markup)
    if rows is None:
        return None
    return {"type": "inline_keyboard", "payload": {"buttons": rows}}


def _markup_from_dict(data: dict[str, Any]) -> Markup:
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.model_validate(data)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.model_validate(data)
    return None
