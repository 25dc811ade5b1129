"""Contact normalisation shared by de-duplication and search: phones, e-mail addresses, names."""

from __future__ import annotations

import re

from services.textfold import fold

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_SEPARATORS = re.compile(r"[\s\-().\u00a0]")
_PHONE = re.compile(r"^\+?\d+$")
# Russian geographic and mobile codes start with 3, 4, 8 or 9 (after the country code).
RU_FIRST_DIGITS = "3489"
PHONE_MIN_DIGITS = 8
PHONE_MAX_DIGITS = 15  # E.164


def digits_of(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())


def normalize_phone(text: str | None, *, foreign: bool = True, international: bool = False) -> str | None:
    """The one phone rule: ``+7`` and ten digits for Russian numbers (``8 916 …``, ``+7 (916) …``,
    ``916 …``; the national number starts with 3, 4, 8 or 9); with ``foreign``, other numbers
    written with ``+`` keep their country code. ``international``: the digits are a whole number
    even without ``+`` (contacts shared through Telegram, which verified them). Only digits,
    spaces, dashes, dots and brackets are allowed; anything else is not a phone number (None)."""
    compact = _SEPARATORS.sub("", (text or "").strip())
    if not _PHONE.match(compact):
        return None
    digits = compact.lstrip("+")
    plus = compact.startswith("+")
    national: str | None = None
    if len(digits) == 11 and (digits[0] == "7" or (digits[0] == "8" and not plus)):
        national = digits[1:]
    elif len(digits) == 10 and not plus:
        national = digits
    if national is not None and national[0] in RU_FIRST_DIGITS:
        return "+7" + national
    if foreign and (plus or international) and digits[0] != "0":
        if PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS:
            return "+" + digits
    return None


def normalize_email(text: str | None) -> str | None:
    """The address lower-cased (``Ivanov@Mail.RU`` and ``ivanov@mail.ru`` are one person), or None
    when the text is not an address."""
    value = (text or "").strip().removeprefix("mailto:").strip("<> ").casefold()
    return value if _EMAIL.match(value) and len(value) <= 255 else None


def name_key(name: str | None) -> str:
    """The ``name_search`` column: casefolded (Cyrillic aware, ``Ё`` as ``Е``), spaces collapsed."""
    return " ".join(fold(name).split())[:255]


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
