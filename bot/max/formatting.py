"""Telegram HTML → the HTML MAX understands, and splitting long texts for MAX's 4000 characters.

MAX keeps bold, italic, underline, strike-through, code, pre and links; anything else Telegram knows
(blockquote, tg-spoiler, span, tg-emoji...) is reduced to its text."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

MAX_TEXT = 4000
KEPT = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a"}
_RENAMED = {"strike": "s"}


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")
            return
        if tag not in KEPT:
            return
        name = _RENAMED.get(tag, tag)
        if name == "a":
            href = dict(attrs).get("href")
            if not href:
                self.stack.append("")  # a link without a target: its text only
                return
            self.out.append(f'<a href="{escape(href, quote=True)}">')
        else:
            self.out.append(f"<{name}>")
        self.stack.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag not in KEPT:
            return
        name = _RENAMED.get(tag, tag)
        # close up to the matching open tag (tolerates sloppy nesting)
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index] == name or (name == "a" and self.stack[index] == ""):
                for opened in reversed(self.stack[index:]):
                    if opened:
                        self.out.append(f"</{opened}>")
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))

    def result(self) -> str:
        for opened in reversed(self.stack):
            if opened:
                self.out.append(f"</{opened}>")
        self.stack.clear()
        return "".join(self.out)


def to_max_html(text: str) -> str:
    """Telegram-flavoured HTML as MAX's ``format: "html"`` text."""
    parser = _Converter()
    parser.feed(text)
    parser.close()
    return parser.result()


_TAG = re.compile(r"<(/?)([a-z]+)([^>]*)>")


def _open_tags(html: str, stack: list[str]) -> list[str]:
    """The open-tag stack (full opening tags) after ``html``, starting from ``stack``."""
    stack = list(stack)
    for closing, name, _attrs in _TAG.findall(html):
        if closing:
            for index in range(len(stack) - 1, -1, -1):
                if _TAG.match(stack[index]) and _TAG.match(stack[index]).group(2) == name:  # type: ignore[union-attr]
                    del stack[index:]
                    break
        else:
            stack.append(f"<{name}{_attrs}>")
    return stack


def _closing(stack: list[str]) -> str:
    return "".join(f"</{_TAG.match(tag).group(2)}>" for tag in reversed(stack))  # type: ignore[union-attr]


def _chunks(text: str, limit: int) -> list[str]:
    """Split on line boundaries; a single longer line is cut at a space, else anywhere."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = line if not current else current + "\n" + line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            if cut <= limit // 2:
                cut = limit
            parts.append(line[:cut])
            line = line[cut:].lstrip(" ")
        current = line
    if current or not parts:
        parts.append(current)
    return parts


def split_text(text: str, limit: int = MAX_TEXT, *, html: bool = False) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, on line boundaries. With ``html``, tags
    open at a cut are closed at the end of the piece and reopened at the start of the next."""
    if len(text) <= limit:
        return [text]
    if not html:
        return _chunks(text, limit)
    # leave room for the tags re-opened and closed around each piece
    pieces = _chunks(text, max(limit - 200, limit // 2))
    result: list[str] = []
    stack: list[str] = []
    for piece in pieces:
        opened = "".join(stack)
        stack = _open_tags(piece, stack)
        result.append(opened + piece + _closing(stack))
    return result
