"""Validation of NewMessageBody and keyboards, with MAX's limits."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from .config import MaxSandboxConfig
from .errors import bad_request
from .records import StoredFile


class MaxState(Protocol):
    """What body validation needs of the sandbox state (uploaded files, the ready delay)."""

    config: MaxSandboxConfig
    files: dict[str, StoredFile]


MAX_TEXT_LENGTH = 4000
MAX_CALLBACK_PAYLOAD = 1024
MAX_BUTTONS = 210
MAX_ROWS = 30
MAX_PER_ROW = 7
MAX_PER_ROW_SPECIAL = 3  # a row with link / request_contact / request_geo_location
SPECIAL_BUTTONS = ("link", "request_contact", "request_geo_location")
BUTTON_TYPES = ("callback", "link", "message", "request_contact", "request_geo_location")
FILE_TYPES = ("image", "file", "video", "audio")
FORMATS = ("html", "markdown")

_KEEP: Any = object()


@dataclass
class ParsedBody:
    text: Any  # str | None, or KEEP when absent/null (edits keep the old text)
    attachments: Any  # list, or KEEP
    format: str | None
    notify: bool


KEEP = _KEEP


def validate_keyboard(payload: Any) -> list[list[dict[str, Any]]]:
    buttons = payload.get("buttons") if isinstance(payload, dict) else None
    if not isinstance(buttons, list) or not all(isinstance(row, list) for row in buttons):
        raise bad_request("inline_keyboard: payload.buttons must be a list of rows (lists of buttons)")
    if len(buttons) > MAX_ROWS:
        raise bad_request(f"inline_keyboard: at most {MAX_ROWS} rows, got {len(buttons)}")
    total = sum(len(row) for row in buttons)
    if total > MAX_BUTTONS:
        raise bad_request(f"inline_keyboard: at most {MAX_BUTTONS} buttons, got {total}")
    for r, row in enumerate(buttons):
        if not row:
            raise bad_request(f"inline_keyboard: row {r} is empty")
        special = any(isinstance(b, dict) and b.get("type") in SPECIAL_BUTTONS for b in row)
        limit = MAX_PER_ROW_SPECIAL if special else MAX_PER_ROW
        if len(row) > limit:
            raise bad_request(f"inline_keyboard: row {r} has {len(row)} buttons, at most {limit} allowed")
        for button in row:
            if not isinstance(button, dict) or button.get("type") not in BUTTON_TYPES:
                raise bad_request(
                    f"inline_keyboard: row {r}: unknown button type; known: {', '.join(BUTTON_TYPES)}"
                )
            if not isinstance(button.get("text"), str) or not button["text"]:
                raise bad_request(f"inline_keyboard: row {r}: button text is required")
            kind = button["type"]
            if kind == "callback":
                data = button.get("payload")
                if not isinstance(data, str) or not data:
                    raise bad_request(f"inline_keyboard: callback button {button['text']!r} needs a payload")
                if len(data) > MAX_CALLBACK_PAYLOAD:
                    raise bad_request(
                        f"inline_keyboard: callback payload longer than {MAX_CALLBACK_PAYLOAD} characters"
                    )
            if kind == "link" and not (isinstance(button.get("url"), str) and button["url"]):
                raise bad_request(f"inline_keyboard: link button {button['text']!r} needs a url")
    return buttons


def _attachment(state: MaxState, item: Any, now: float) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise bad_request("attachments: each attachment must be an object")
    kind = item.get("type")
    payload = item.get("payload")
    if kind == "inline_keyboard":
        return {"type": "inline_keyboard", "payload": {"buttons": validate_keyboard(payload)}}
    if kind not in FILE_TYPES:
        raise bad_request(
            f"attachments: unknown attachment type {kind!r}; known: {', '.join(FILE_TYPES)}, inline_keyboard"
        )
    if not isinstance(payload, dict):
        raise bad_request(f"attachments: {kind} needs a payload with a token")
    if (
        kind == "image"
        and isinstance(payload.get("url"), str)
        and payload["url"]
        and not payload.get("token")
    ):
        return {"type": "image", "payload": {"photo_id": 0, "token": "", "url": payload["url"]}}
    token = payload.get("token")
    if not isinstance(token, str) or not token:
        raise bad_request(f"attachments: {kind} payload.token is required")
    stored = state.files.get(token)
    if stored is None:
        raise bad_request(f"attachments: unknown token {token!r}")
    if now - stored.created < state.config.attachment_ready_delay:
        raise bad_request("Key: errors.process.attachment.file.not.processed", code="attachment.not.ready")
    result = stored.attachment()
    if result["type"] != kind:  # a token of another kind is shown as the kind asked for
        result["type"] = kind
    return result


def parse_body(state: MaxState, body: Any, *, new: bool) -> ParsedBody:
    if not isinstance(body, dict):
        raise bad_request("body must be a JSON object (NewMessageBody)")
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise bad_request("text must be a string or null")
    if isinstance(text, str) and len(text) > MAX_TEXT_LENGTH:
        raise bad_request(f"text: size must be between 0 and {MAX_TEXT_LENGTH}", code="text.too.long")
    fmt = body.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise bad_request("format must be html, markdown or null")
    raw = body.get("attachments")
    if raw is not None and not isinstance(raw, list):
        raise bad_request("attachments must be a list or null")
    now = time.monotonic()
    attachments = [_attachment(state, item, now) for item in raw] if raw is not None else KEEP
    if new and not text and (attachments is KEEP or not attachments):
        raise bad_request("text or attachments are required")
    notify = body.get("notify", True)
    return ParsedBody(
        text if text is not None else KEEP,
        attachments,
        fmt,
        bool(notify) if notify is not None else True,
    )
