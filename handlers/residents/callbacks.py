"""Inline-button payloads of the residents' outage features. Packed data stays within 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from services.outages.notices import SIGNAL_CB_PREFIX


class Goal:
    """What a picked address is for; one address step serves the three resident features."""

    SUBSCRIBE = "sub"
    OUTAGES = "out"
    REPORT = "rep"


class AddressCallback(CallbackData, prefix="rad"):
    goal: str  # a Goal value
    id: int  # the building; 0: «not this one, I will type the address»


class UnsubscribeCallback(CallbackData, prefix="runs"):
    id: int  # the building


class OtherAddressCallback(CallbackData, prefix="rout"):
    """«Check another address» under the outages overview."""


class SignalAct:
    RESOURCE = "res"  # value: the resource code
    OTHER = "other"  # not a utility: a fallen tree, a road, a sewer… (an incident report)
    INCIDENT_KIND = "ikind"  # value: the incident kind
    RAW = "raw"  # send the address as typed: it is not in the registry
    SKIP = "skip"  # no comment
    SEND = "send"
    CANCEL = "cancel"


class SignalFormCallback(CallbackData, prefix="rsf"):
    act: str
    value: str = ""


class SignalCallback(CallbackData, prefix=SIGNAL_CB_PREFIX):
    """Packs to ``osig:reopen:<id>``, the button the service puts under a «restored» notice."""

    action: str  # "reopen"
    id: int
