"""What a mailing says: Telegram HTML checked and normalised, its length within Telegram's limits,
link buttons with real http(s) addresses, and the Bot API request built for one chat.

The body is re-emitted from its parse (text escaped, only Telegram's tags and attributes kept), so
what is stored is always something Telegram accepts; anything else is refused with a message
naming the problem rather than silently dropped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from services.errors import InvalidInput
from services.notify import N_

CAPTION_LIMIT = 1024  # a photo's or document's caption
TEXT_LIMIT = 4096  # a text message
MAX_BUTTONS = 6
BUTTON_TEXT_LIMIT = 64
URL_LIMIT = 2048
TITLE_LIMIT = 255
# What may be typed with its markup: far above any text that fits the limits, yet bounded, so a
# pasted megabyte is refused before it is parsed.
RAW_BODY_LIMIT = 20_000
OPT_OUT_PREFIX = "mlo"  # «Отписаться»: ``mlo:<mailing id>`` (handlers/mailings/optout.py)

# Telegram's HTML: tag → the attributes it keeps.
_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-spoiler": frozenset(),
    "span": frozenset({"class"}),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def utf16_len(text: str) -> int:
    """Telegram counts a message's length in UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


class _Normaliser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.visible: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":  # a habit from e-mail editors: Telegram wants a new line
            self.handle_data("\n")
            return
        if tag not in _TAGS:
            raise InvalidInput("The tag <%(tag)s> is not supported by Telegram.", tag=tag, field="body")
        kept = []
        for name, value in attrs:
            if name not in _TAGS[tag]:
                continue
            if tag == "a":
                value = check_url(value or "", field="body")
            if tag == "span" and value != "tg-spoiler":
                raise InvalidInput('Only <span class="tg-spoiler"> is supported.', field="body")
            kept.append(
                f' {name}="{html.escape(value or "", quote=True)}"' if value is not None else f" {name}"
            )
        if tag == "a" and not kept:
            raise InvalidInput('A link <a> needs an address: <a href="https://…">.', field="body")
        if tag == "span" and not kept:
            raise InvalidInput('Only <span class="tg-spoiler"> is supported.', field="body")
        self.open.append(tag)
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.handle_data("\n")
            return
        raise InvalidInput("The tag <%(tag)s> is not supported by Telegram.", tag=tag, field="body")

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            return
        if not self.open or self.open[-1] != tag:
            raise InvalidInput(
                "The tag </%(tag)s> closes nothing open; check the tags.", tag=tag, field="body"
            )
        self.open.pop()
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.visible.append(data)
        self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        raise InvalidInput("Comments are not supported in the text.", field="body")


@dataclass(frozen=True, slots=True)
class Body:
    html: str  # normalised Telegram HTML
    length: int  # visible characters as Telegram counts them


def clean_body(raw: str, *, with_file: bool) -> Body:
    """Check a body: Telegram's tags only, balanced, and within the caption or message limit."""
    if len(raw or "") > RAW_BODY_LIMIT:
        raise InvalidInput("At most %(n)d characters.", n=RAW_BODY_LIMIT, field="body")
    text = _CONTROL.sub("", (raw or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    parser = _Normaliser()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise InvalidInput("The tag <%(tag)s> is not closed.", tag=parser.open[-1], field="body")
    body = Body(html="".join(parser.out), length=utf16_len("".join(parser.visible)))
    if body.length == 0 and not with_file:
        raise InvalidInput("Write the text of the mailing or attach a photo or a document.", field="body")
    limit = CAPTION_LIMIT if with_file else TEXT_LIMIT
    if body.length > limit:
        message = (
            N_("A caption under a photo or document may be at most %(limit)d characters; this one has %(n)d.")
            if with_file
            else N_("A message may be at most %(limit)d characters; this one has %(n)d.")
        )
        raise InvalidInput(message, limit=limit, n=body.length, field="body")
    return body


def check_url(url: str, *, field: str = "buttons") -> str:
    url = url.strip()
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "." not in parts.hostname
        or len(url) > URL_LIMIT
        or any(c.isspace() for c in url)
        or _CONTROL.search(url)
    ):
        raise InvalidInput(
            "“%(url)s” is not a web address (http:// or https://).", url=url[:100], field=field
        )
    return url


def clean_buttons(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Link buttons from (text, url) pairs; blank pairs are skipped, half-filled ones refused."""
    buttons: list[dict[str, str]] = []
    for text, url in pairs:
        text, url = " ".join((text or "").split()), (url or "").strip()
        if not text and not url:
            continue
        if not text or not url:
            raise InvalidInput("A button needs both a label and an address.", field="buttons")
        if len(text) > BUTTON_TEXT_LIMIT:
            raise InvalidInput(
                "A button's label may be at most %(n)d characters.", n=BUTTON_TEXT_LIMIT, field="buttons"
            )
        buttons.append({"text": text, "url": check_url(url)})
    if len(buttons) > MAX_BUTTONS:
        raise InvalidInput("At most %(n)d buttons.", n=MAX_BUTTONS, field="buttons")
    return buttons


def opt_out_data(mailing_id: int) -> str:
    return f"{OPT_OUT_PREFIX}:{mailing_id}"


def request_for(
    chat_id: int,
    *,
    body_html: str,
    buttons: list[dict[str, Any]],
    file_ref: dict[str, str] | str | None,
    file_kind: str | None,
    opt_out: tuple[str, str] | None,
) -> tuple[str, dict[str, Any]]:
    """The Bot API method and payload of a mailing for one chat: one link button per row, then
    «unsubscribe» (``opt_out`` = label, callback data) unless it is a test."""
    rows: list[list[dict[str, str]]] = [[{"text": b["text"], "url": b["url"]}] for b in buttons]
    if opt_out is not None:
        rows.append([{"text": opt_out[0], "callback_data": opt_out[1]}])
    payload: dict[str, Any] = {"chat_id": chat_id, "parse_mode": "HTML"}
    if rows:
        payload["reply_markup"] = {"inline_keyboard": rows}
    if file_ref is not None and file_kind in ("photo", "document"):
        payload[file_kind] = file_ref
        if body_html:
            payload["caption"] = body_html
        return ("sendPhoto" if file_kind == "photo" else "sendDocument"), payload
    payload["text"] = body_html
    return "sendMessage", payload


def preview_html(body_html: str) -> str:
    """The stored body re-checked (never trusted as markup as is) with new lines as ``<br>``, for the
    panel's preview of how the message will look."""
    parser = _Normaliser()
    try:
        parser.feed(body_html or "")
        parser.close()
    except InvalidInput:
        return html.escape(body_html or "").replace("\n", "<br>")
    closing = "".join(f"</{tag}>" for tag in reversed(parser.open))
    return ("".join(parser.out) + closing).replace("\n", "<br>")
