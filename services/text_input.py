"""Text from outside made storable: one rule for every intake (web, Open311, bot, e-mail).

PostgreSQL refuses a NUL byte in text and lone UTF-16 surrogates cannot be encoded at all, so such
a character anywhere in a form field, query parameter, message or mail header used to end in a 500
(and, for e-mail, a letter retried forever). Other control characters are invisible, can corrupt
terminals and logs (``\\x1b``), and carry no meaning in an appeal. The rule:

- removed: every control character of Unicode category Cc (C0 ``\\x00``–``\\x1f``, DEL ``\\x7f``
  and C1 ``\\x80``–``\\x9f``) except tab and newline, and lone surrogates (``\\ud800``–``\\udfff``);
- ``\\r\\n`` and a lone ``\\r`` become ``\\n`` (one line break, whatever the sender's system);
- everything else is kept as it came, including format characters like a zero-width joiner,
  which are needed by some scripts and emoji.

Single-line values (names, subjects, file names, search terms) use ``clean_line``: tabs and line
breaks there become one space.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

# Tab (\x09) and newline (\x0a) are the only control characters kept; \r is handled before this.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?")
_LINE_SPACE = re.compile(r"[\t\n]+")

T = TypeVar("T")


def clean_text(value: str) -> str:
    """Multi-line free text without unstorable or control characters (tab and newline kept)."""
    if value.isprintable():  # the common case: nothing to do (tab and newline are not printable)
        return value
    return _UNSTORABLE.sub("", _LINE_BREAKS.sub("\n", value))


def clean_line(value: str) -> str:
    """A one-line value: like ``clean_text``, and tabs or line breaks become a single space."""
    if value.isprintable():
        return value
    return _LINE_SPACE.sub(" ", clean_text(value))


def is_clean(value: str) -> bool:
    return value == clean_text(value)


def clean_fields(obj: T) -> T:
    """A dataclass copy with every string field cleaned, nested dataclasses and lists included.

    The services' last line for input records built by any channel (``register_appeal``), so a
    future intake that forgets its boundary still cannot store unstorable text.
    """
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return obj
    changes = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        cleaned = _clean_value(value)
        if cleaned is not value:
            changes[f.name] = cleaned
    return dataclasses.replace(obj, **changes) if changes else obj  # type: ignore[type-var]


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        cleaned = clean_text(value)
        return value if cleaned == value else cleaned
    if isinstance(value, list):
        items = [_clean_value(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return clean_fields(value)
