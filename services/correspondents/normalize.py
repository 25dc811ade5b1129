"""Contact normalisation shared by de-duplication and search: phones, e-mail addresses, names."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
PHONE_MIN_DIGITS = 7
PHONE_MAX_DIGITS = 15  # E.164


def digits_of(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())


def normalize_phone(text: str | None) -> str | None:
    """``+7`` and ten digits for Russian numbers (``8 916 …``, ``+7 (916) …``, ``916 …``); other numbers
    written with ``+`` keep their country code; anything else is not a phone number (None)."""
    raw = (text or "").strip()
    digits = digits_of(raw)
    if len(digits) == 11 and digits[0] in "78" and not (raw.startswith("+") and digits[0] == "8"):
        return "+7" + digits[1:]
    if len(digits) == 10 and not raw.startswith("+"):
        return "+7" + digits
    if raw.startswith("+") and PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS:
        return "+" + digits
    return None


def normalize_email(text: str | None) -> str | None:
    """The address lower-cased (``Ivanov@Mail.RU`` and ``ivanov@mail.ru`` are one person), or None
    when the text is not an address."""
    value = (text or "").strip().removeprefix("mailto:").strip("<> ").casefold()
    return value if _EMAIL.match(value) and len(value) <= 255 else None


def name_key(name: str | None) -> str:
    """The ``name_search`` column: casefolded (Cyrillic aware, ``Ё`` as ``Е``), spaces collapsed."""
    return " ".join((name or "").casefold().replace("ё", "е").split())[:255]


def search_key(query: str | None) -> str:
    return name_key(query)


def phone_fragments(query: str | None, *, min_digits: int = 3) -> list[str]:
    """Digit strings to look for in ``phone_normalized``: ``916 123`` as is; a fragment typed the
    Russian way with a leading 8 (``8 916 12``) also as ``7916 12``."""
    digits = digits_of(query)
    if len(digits) < min_digits:
        return []
    if digits[0] == "8" and len(digits) >= 4:
        return [digits, "7" + digits[1:]]
    return [digits]
