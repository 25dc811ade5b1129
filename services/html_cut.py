"""Cutting texts to Telegram's limits without breaking them: the one place that shortens a message.

Telegram refuses a whole message whose HTML is broken, so a plain ``text[:4096]`` can lose the
message (a cut inside ``&amp;`` or ``<b>``) or silently drop its end. :func:`cut_html` never cuts
inside a tag or an entity, closes the tags it leaves open and marks the cut with «…».
:func:`cut_plain` escapes a user's text first and cuts the escaped form, so the limit holds after
escaping too. Limits count the marked-up length: a little stricter than Telegram's visible length.
"""

from __future__ import annotations

import re

from services.notify import html_escape

MESSAGE_LIMIT = 4096  # Telegram: a text message
CAPTION_LIMIT = 1024  # Telegram: a photo's or a document's caption
ELLIPSIS = "…"

# A tag, an entity, or one plain character.
_TOKEN = re.compile(r"<[^<>]*>|&#?[0-9A-Za-z]+;|.", re.DOTALL)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([A-Za-z0-9-]+)")


def cut_html(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` (HTML) at most ``limit`` characters long; when cut, it ends with «…» and every tag
    opened before the cut is closed."""
    if len(text) <= limit:
        return text
    out: list[str] = []
    size = 0
    opened: list[str] = []  # tag names still open, innermost last

    def closing(names: list[str]) -> str:
        return "".join(f"</{name}>" for name in reversed(names))

    for match in _TOKEN.finditer(text):
        token = match.group()
        names = opened
        tag = _TAG_NAME.match(token) if token.startswith("<") and token.endswith(">") else None
        if tag is not None:
            closing_tag, name = tag.group(1) == "/", tag.group(2).lower()
            if closing_tag:
                names = opened[: len(opened) - 1 - opened[::-1].index(name)] if name in opened else opened
            else:
                names = [*opened, name]
        # Room for this token, the mark and the tags that would still need closing.
        if size + len(token) + len(ELLIPSIS) + len(closing(names)) > limit:
            break
        out.append(token)
        size += len(token)
        opened = names
    return "".join(out).rstrip() + ELLIPSIS + closing(opened)


def cut_plain(text: str | None, limit: int) -> str:
    """A user's plain text, HTML-escaped and cut to ``limit`` characters of the escaped form
    («—» when empty, like :func:`services.notify.html_escape`)."""
    return cut_html(html_escape(text), limit)
