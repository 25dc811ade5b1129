"""A caption sent with a photo, document or video is part of what the person wrote.

Every conversation that takes files keeps the caption in the text it collects, on a line of its own
(an album may carry one per part). A caption already there is not added twice: a file sent again
(after a refusal, or forwarded) with the same caption changes nothing.
"""

from __future__ import annotations


def with_caption(text: str | None, caption: str | None) -> str:
    """``text`` with ``caption`` added as a new line; unchanged when the caption is empty or
    already one of its lines (or blocks of lines)."""
    text = (text or "").strip()
    caption = (caption or "").strip()
    if not caption or f"\n{caption}\n" in f"\n{text}\n":
        return text
    return f"{text}\n{caption}" if text else caption
