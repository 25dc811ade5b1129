"""The segment builder's fields ↔ the filter spec, and the choices its lists offer.

The form posts flat fields (the same names on the live-count request); :func:`filters_from_form`
turns them into the spec's JSON and the service validates it — the panel adds no rules of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_web.i18n import N_
from models import Category, Form, MuseumEvent
from services.segments.filters import Channel, ConsentFilter, SegmentFilters

MULTI = ("forms", "events_attended", "events_registered", "programmes", "topics")
TAG_FIELDS = ("tags_any", "tags_all", "tags_none")
CHOICES_LIMIT = 500

CHANNEL_LABELS = {
    Channel.ANY: N_("any"),
    Channel.TELEGRAM: N_("has a Telegram chat"),
    Channel.EMAIL: N_("has an e-mail address"),
}
CONSENT_LABELS = {
    ConsentFilter.CONFIRMED: N_("confirmed (may receive mailings)"),
    ConsentFilter.PENDING: N_("asked, not confirmed yet"),
    ConsentFilter.WITHDRAWN: N_("withdrawn"),
    ConsentFilter.NONE: N_("never asked"),
    ConsentFilter.ANY: N_("any"),
}
ADDRESS_LABELS = {"": N_("any"), "yes": N_("subscribed to an address"), "no": N_("no address subscription")}
ACTIVITY_LABELS = {"": N_("any"), "active": N_("active within N days"), "inactive": N_("inactive for N days")}


def _getall(data: Mapping[str, Any], name: str) -> list[str]:
    getall = getattr(data, "getall", None)
    values = getall(name, []) if getall else data.get(name) or []
    return [str(v).strip() for v in (values if isinstance(values, list) else [values]) if str(v).strip()]


def _ids(values: list[str]) -> list[Any]:
    # Digits become ids; anything else goes to the service as is and is refused there with a message.
    return [int(v) if v.isdigit() else v for v in values]


def filters_from_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """The posted builder fields as the spec's JSON (validated by ``filters.parse``)."""
    raw: dict[str, Any] = {}
    tags = {key[5:]: [t for t in str(data.get(key) or "").split(",") if t.strip()] for key in TAG_FIELDS}
    if any(tags.values()):
        raw["tags"] = {k: v for k, v in tags.items() if v}
    forms = _ids(_getall(data, "forms"))
    if forms:
        raw["forms"] = {"ids": forms}
        for key in ("since", "until"):
            if value := str(data.get(f"forms_{key}") or "").strip():
                raw["forms"][key] = value
    events = {k: _ids(_getall(data, f"events_{k}")) for k in ("attended", "registered")}
    if any(events.values()):
        raw["events"] = {k: v for k, v in events.items() if v}
    if programmes := _getall(data, "programmes"):
        raw["programmes"] = programmes
    if topics := _ids(_getall(data, "topics")):
        raw["topics"] = topics
    address = str(data.get("address") or "")
    street = str(data.get("street") or "").strip()
    if address in ("yes", "no") or street:
        raw["address"] = {"subscribed": address != "no"}
        if street:
            raw["address"]["street"] = street
    raw["channel"] = str(data.get("channel") or Channel.ANY)
    activity, days = str(data.get("activity") or ""), str(data.get("activity_days") or "").strip()
    if activity in ("active", "inactive"):
        raw["activity"] = {f"{activity}_days": int(days) if days.isdigit() else days or None}
    raw["consent"] = str(data.get("consent") or ConsentFilter.CONFIRMED)
    return raw


def values_from_filters(spec: SegmentFilters) -> dict[str, Any]:
    """The builder's field values for a saved spec (to edit it)."""
    activity = spec.activity
    return {
        "tags_any": ", ".join(spec.tags.any),
        "tags_all": ", ".join(spec.tags.all),
        "tags_none": ", ".join(spec.tags.none),
        "forms": [str(i) for i in spec.forms.ids],
        "forms_since": spec.forms.since.isoformat() if spec.forms.since else "",
        "forms_until": spec.forms.until.isoformat() if spec.forms.until else "",
        "events_attended": [str(i) for i in spec.events.attended],
        "events_registered": [str(i) for i in spec.events.registered],
        "programmes": list(spec.programmes),
        "topics": [str(i) for i in spec.topics],
        "address": "" if spec.address is None else ("yes" if spec.address.subscribed else "no"),
        "street": (spec.address.street or "") if spec.address else "",
        "channel": spec.channel.value,
        "activity": "active" if activity.active_days else "inactive" if activity.inactive_days else "",
        "activity_days": str(activity.active_days or activity.inactive_days or ""),
        "consent": spec.consent.value,
    }


@dataclass(frozen=True, slots=True)
class Choices:
    forms: list[tuple[str, str]]
    events: list[tuple[str, str]]
    programmes: list[tuple[str, str]]
    topics: list[tuple[str, str]]


async def choices(session: AsyncSession, locale: str, tz: tzinfo) -> Choices:
    forms = (
        await session.execute(
            select(Form.id, Form.title_ru, Form.title_en).order_by(Form.title_ru).limit(CHOICES_LIMIT)
        )
    ).all()
    events = (
        await session.execute(
            select(MuseumEvent.id, MuseumEvent.title, MuseumEvent.starts_at)
            .order_by(MuseumEvent.starts_at.desc())
            .limit(CHOICES_LIMIT)
        )
    ).all()
    names = set(
        (await session.scalars(select(Form.programme).where(Form.programme.is_not(None)).distinct())).all()
    )
    names |= set(
        (
            await session.scalars(
                select(MuseumEvent.programme).where(MuseumEvent.programme.is_not(None)).distinct()
            )
        ).all()
    )
    topics = (
        await session.execute(
            select(Category.id, Category.name_ru, Category.name_en).order_by(Category.name_ru)
        )
    ).all()
    en = locale == "en"
    return Choices(
        forms=[(str(i), (en and title_en) or title_ru) for i, title_ru, title_en in forms],
        events=[
            (str(i), f"{title} · {starts.astimezone(tz).strftime('%d.%m.%Y')}") for i, title, starts in events
        ],
        programmes=[(n, n) for n in sorted(n for n in names if n)],
        topics=[(str(i), (en and name_en) or name_ru) for i, name_ru, name_en in topics],
    )
