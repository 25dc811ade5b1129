"""Inline-button payloads of residents' appeals. Packed data stays within Telegram's 64 bytes.

The services queue the final answer with ``apl:rate:<id>:<n>`` buttons and notices with
``apl:open:<id>`` (services.appeals.notices); two factories share the ``apl`` prefix and tell
the two shapes apart by their number of fields.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class FormAct:
    CATEGORY = "cat"  # value: the category id
    TEXT_DONE = "next"  # the text is complete
    ADDRESS_YES = "addr"  # the nearest building offered for a shared location is right
    ADDRESS_NO = "noaddr"  # it is not: type the address
    ADDRESS_PICK = "pick"  # value: a building id among those offered for the typed address
    ADDRESS_AS_TYPED = "astyped"  # none of them: keep the address as typed
    FILES_DONE = "files"  # attachments finished (or skipped)
    FILES_CLEAR = "clear"  # remove the attachments collected so far
    NAME_KNOWN = "name"  # the full name offered (kept in the draft, not on the button) is right
    SEND = "send"  # value: the draft key (the appeal's exactly-once key)
    EDIT = "edit"  # value: empty (show the sections) or the section to change
    CANCEL = "cancel"
    OFFER = "offer"  # write the free text just sent as an appeal (handlers/appeals/offer.py)
    AGREE = "agree"  # value: the consent version shown (handlers/appeals/consent.py)
    DECLINE = "decline"  # value: the consent version shown


class AppealFormCallback(CallbackData, prefix="apf"):
    act: str
    value: str = ""


class AppealOpenCallback(CallbackData, prefix="apl"):
    action: str  # "open"
    id: int


class AppealRateCallback(CallbackData, prefix="apl"):
    action: str  # "rate"
    id: int
    n: int  # 1..5


class AppealPageCallback(CallbackData, prefix="apg"):
    page: int
