"""Chat addresses: one integer per chat across messengers, so handlers and services never fork.

Everything that used to hold a Telegram id (``telegram_id`` columns, ``TelegramAccount.id``, the
outbox's ``chat_id``, aiogram's ``from_user.id``) holds a *chat address*. A Telegram id is its own
address: Telegram documents user ids as having at most 52 significant bits and group ids sit well
within that range too. A MAX id ``n`` is moved above that range, ``MAX_OFFSET + n`` (negative MAX
chat ids below ``-MAX_OFFSET``), by the MAX adapter on the way in and back on the way out. Columns
keep their historical ``telegram_*`` names; renaming 60 tables' worth of code bought nothing.
"""

from __future__ import annotations

from enum import StrEnum

MAX_OFFSET = 1 << 53
# File ids the MAX adapter hands out (the rest are Telegram's): a file id only works where it was issued.
MAX_FILE_PREFIX = "max:"
# MAX ids are int64; ours must stay int64 after the offset.
_MAX_NATIVE_LIMIT = (1 << 63) - 1 - MAX_OFFSET


class Messenger(StrEnum):
    TELEGRAM = "telegram"
    MAX = "max"


MESSENGERS = (Messenger.TELEGRAM, Messenger.MAX)
# Brand names: the same in every language.
MESSENGER_NAMES = {Messenger.TELEGRAM: "Telegram", Messenger.MAX: "MAX"}


def max_address(native_id: int) -> int:
    """The chat address of MAX user or chat ``native_id``."""
    if abs(native_id) > _MAX_NATIVE_LIMIT:
        raise ValueError(f"MAX id {native_id} out of range")
    return MAX_OFFSET + native_id if native_id >= 0 else -(MAX_OFFSET - native_id)


def max_native(address: int) -> int:
    """The MAX id behind a MAX chat address."""
    if messenger_of(address) is not Messenger.MAX:
        raise ValueError(f"{address} is not a MAX address")
    return address - MAX_OFFSET if address > 0 else -(-address - MAX_OFFSET)


def messenger_of(address: int) -> Messenger:
    return Messenger.MAX if abs(address) >= MAX_OFFSET else Messenger.TELEGRAM


def address_for(messenger: Messenger | str, native_id: int) -> int:
    return max_address(native_id) if Messenger(messenger) is Messenger.MAX else native_id


def native_id(address: int) -> int:
    """The id the address's own messenger knows the chat by."""
    return max_native(address) if messenger_of(address) is Messenger.MAX else address
