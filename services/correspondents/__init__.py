"""Correspondents: normalisation, de-duplication, search, merge and the card."""

from services.correspondents import suggestions
from services.correspondents.contact import ContactInput
from services.correspondents.directory import (
    CorrespondentCard,
    card,
    duplicates_of,
    find_or_create,
    link_telegram_account,
    search,
)
from services.correspondents.merge import merge
from services.correspondents.normalize import normalize_email, normalize_phone

__all__ = [
    "ContactInput",
    "CorrespondentCard",
    "card",
    "duplicates_of",
    "find_or_create",
    "link_telegram_account",
    "merge",
    "normalize_email",
    "normalize_phone",
    "search",
    "suggestions",
]
