"""What a channel knows about the person writing in: the input of ``directory.find_or_create``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ContactInput:
    name: str | None = None
    kind: str = "person"
    phone: str | None = None
    email: str | None = None
    telegram_id: int | None = None
    postal_address: str | None = None
    organisation_inn: str | None = None
    # A correspondent a clerk picked from the directory (paper letters): used as is, even with no
    # contacts to match on; missing contact fields are filled from the other values.
    existing_id: int | None = None
    # Set by the channel when it has proof that the contact is the sender's own: a phone shared
    # with Telegram's contact button, an e-mail confirmed with a code (a letter's own address is
    # proven by the e-mail channel itself). Anything else is only typed.
    phone_proven: bool = False
    email_proven: bool = False
    # The person typed ``name`` as their own full name when the channel asked for it (the bot's
    # full-name step, 59-FZ art. 7): a record found through their proofs takes it (``find_or_create``).
    name_stated: bool = False
