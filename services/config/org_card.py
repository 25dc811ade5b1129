"""The organisation's card: one row with its names, letterhead data, working hours and time zone.

Other code reads it through :func:`letterhead` (answers, exports) and :func:`effective_timezone`
(the display zone: the card's zone wins over PORUCHENO_TIMEZONE; applied when the service starts).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from models import OrgCard, utcnow
from services.audit import Actor, record
from services.config.access import require_admin
from services.errors import InvalidInput

CARD_ID = 1
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LIMITS = {
    "name": 500,
    "short_name": 255,
    "address": 500,
    "phone": 64,
    "email": 255,
    "website": 255,
    "head_position": 255,
    "head_name": 255,
    "working_hours": 2000,
    "timezone": 64,
    "sstu_department_id": 36,  # a GUID; kept apart from the letterhead (see save_sstu_department_id)
}
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True, slots=True)
class Letterhead:
    """What a letter or an export header needs; empty strings where the card says nothing."""

    name: str = ""
    short_name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    inn: str = ""
    ogrn: str = ""
    head_position: str = ""
    head_name: str = ""
    working_hours: str = ""
    timezone: str = ""


async def get_card(session: AsyncSession) -> OrgCard | None:
    return await session.get(OrgCard, CARD_ID)


async def letterhead(session: AsyncSession) -> Letterhead:
    card = await get_card(session)
    if card is None:
        return Letterhead()
    return Letterhead(**{k: getattr(card, k) or "" for k in Letterhead.__dataclass_fields__})


async def org_name(session: AsyncSession) -> str:
    """The short name where set (headers are narrow), else the full name; empty when not configured."""
    card = await get_card(session)
    return (card.short_name or card.name or "") if card is not None else ""


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


async def effective_timezone(session: AsyncSession, fallback: str) -> str:
    """The card's time zone when set and known, else ``fallback`` (the PORUCHENO_TIMEZONE setting)."""
    card = await get_card(session)
    zone = (card.timezone or "").strip() if card is not None else ""
    return zone if zone and valid_zone(zone) else fallback


def _clean(data: Letterhead) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for key, value in asdict(data).items():
        text = value.strip() if key == "working_hours" else " ".join(value.split())
        limit = LIMITS.get(key)
        if limit is not None and len(text) > limit:
            raise InvalidInput("Too long: at most %(n)d characters.", n=limit, field=key)
        values[key] = text or None
    if not values["name"]:
        raise InvalidInput("Enter the organisation's name.", field="name")
    if values["email"] and not EMAIL_RE.match(values["email"]):
        raise InvalidInput("Enter a valid e-mail address.", field="email")
    if values["inn"] and not re.fullmatch(r"\d{10}|\d{12}", values["inn"]):
        raise InvalidInput("The INN has 10 or 12 digits.", field="inn")
    if values["ogrn"] and not re.fullmatch(r"\d{13}|\d{15}", values["ogrn"]):
        raise InvalidInput("The OGRN has 13 or 15 digits.", field="ogrn")
    if values["timezone"] and not valid_zone(values["timezone"]):
        raise InvalidInput("Unknown time zone: use an IANA name such as Europe/Moscow.", field="timezone")
    return values


async def save_card(session: AsyncSession, actor: Actor, data: Letterhead) -> OrgCard:
    """Create or update the card; audited with the changed fields."""
    await require_admin(session, actor)
    values = _clean(data)
    card = await get_card(session)
    if card is None:
        card = OrgCard(id=CARD_ID, **values, updated_at=utcnow())
        session.add(card)
        record(session, actor, "org_card", CARD_ID, "created", data=values)
    else:
        changes = {k: [getattr(card, k), v] for k, v in values.items() if getattr(card, k) != v}
        for key, (_old, new) in changes.items():
            setattr(card, key, new)
        if changes:
            card.updated_at = utcnow()
            record(session, actor, "org_card", CARD_ID, "updated", data={"changes": changes})
    await session.flush()
    return card


async def sstu_department_id(session: AsyncSession) -> str:
    card = await get_card(session)
    return (card.sstu_department_id or "") if card is not None else ""


async def save_sstu_department_id(session: AsyncSession, actor: Actor, value: str) -> OrgCard:
    """The body's ССТУ.РФ identifier (a GUID the portal issues); not part of the letterhead, so the
    letters never see it. The card must exist (save it first); audited when it changes."""
    await require_admin(session, actor)
    text = "".join((value or "").split()).lower()
    if len(text) > LIMITS["sstu_department_id"] or (text and not GUID_RE.match(text)):
        raise InvalidInput(
            "The SSTU.RF identifier is a GUID like 0f8fad5b-d9cb-469f-a165-70867728950e.",
            field="sstu_department_id",
        )
    card = await get_card(session)
    if card is None:
        raise InvalidInput("Enter the organisation's name.", field="name")
    new = text or None
    if card.sstu_department_id != new:
        record(
            session,
            actor,
            "org_card",
            CARD_ID,
            "updated",
            data={"changes": {"sstu_department_id": [card.sstu_department_id, new]}},
        )
        card.sstu_department_id = new
        card.updated_at = utcnow()
    await session.flush()
    return card
