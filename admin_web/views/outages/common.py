"""What the dispatch pages share: who may see them, labels for stored codes, local dates, durations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_web import labels
from admin_web.i18n import N_, current_locale, gettext
from admin_web.security import requires_role
from models.enums import OutageKind, Role
from porucheno.numbers import format_number
from services.notify import Translator
from services.outages import resources
from services.outages.resources import social_key

# Clerks may look (read-only); dispatchers and managers may also import the registry. Admins pass all.
VIEW_ROLES = (Role.DISPATCHER, Role.MANAGER, Role.CLERK)
EDIT_ROLES = (Role.DISPATCHER, Role.MANAGER)
viewer = requires_role(*VIEW_ROLES)
editor = requires_role(*EDIT_ROLES)
PAGE_SIZE = 50

OUTAGE_STATUS_LABELS = labels.OUTAGE_STATUS_LABELS  # one mapping for the whole panel
OUTAGE_KIND_LABELS: dict[str, str] = {
    OutageKind.ACCIDENT: N_("Emergency"),
    OutageKind.PLANNED: N_("Planned works"),
}
# Building kinds as the importer stores them (services.addresses.importer.KINDS).
BUILDING_KIND_LABELS: dict[str, str] = {
    "residential": N_("Apartment building"),
    "private": N_("Private house"),
    "social": N_("Social facility"),
    "commercial": N_("Non-residential building"),
    "industrial": N_("Industrial building"),
    "other": N_("Other"),
}
# One object (the summaries use the plural names of services.outages.resources).
SOCIAL_TYPE_LABELS: dict[str, str] = {
    "school": N_("school"),
    "kindergarten": N_("kindergarten"),
    "hospital": N_("hospital"),
    "clinic": N_("clinic"),
    "boiler_house": N_("boiler house"),
    "care_home": N_("care home"),
    "other": N_("social facility"),
}


def _label(labels: Mapping[str, str], code: object) -> str:
    return gettext(labels[str(code)]) if str(code) in labels else str(code or "—")


def resource_label(code: str) -> str:
    return resources.resource_name(code, Translator(current_locale.get())) if code else "—"


def status_label(code: str) -> str:
    return _label(OUTAGE_STATUS_LABELS, code)


def kind_label(code: str) -> str:
    return _label(OUTAGE_KIND_LABELS, code)


def building_kind_label(code: str | None) -> str:
    return _label(BUILDING_KIND_LABELS, code)


def social_label(social_type: str | None) -> str:
    key = social_key(social_type)
    if key in SOCIAL_TYPE_LABELS:
        return gettext(SOCIAL_TYPE_LABELS[key])
    return social_group_label(key)  # a type added in the panel has one (plural) name


def social_group_label(key: str) -> str:
    """The plural name used in counts («школы: 2»)."""
    return resources.social_type_name(key, Translator(current_locale.get()))


def social_text(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{social_group_label(k)}: {n}" for k, n in sorted(counts.items()))


def number(value: float, digits: int = 1) -> str:
    return format_number(value, current_locale.get(), digits)


def duration(span: timedelta) -> str:
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return gettext("%(d)d d %(h)d h %(m)d min", d=days, h=hours, m=mins)
    return gettext("%(h)d h %(m)d min", h=hours, m=mins)


def labels() -> dict[str, object]:
    """Label functions for the templates (the Jinja environment is shared, so no new filters)."""
    return {
        "resource_label": resource_label,
        "status_label": status_label,
        "kind_label": kind_label,
        "building_kind_label": building_kind_label,
        "social_label": social_label,
        "social_text": social_text,
        "duration": duration,
        "number": number,
    }


def local_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight of ``day`` in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def positive_int(value: str | None, default: int = 1) -> int:
    value = (value or "").strip()
    return int(value) if value.isdigit() and 0 < len(value) < 7 and int(value) > 0 else default


def page_url(request: web.Request, **changes: object) -> str:
    query = {k: v for k, v in request.query.items() if k != "page"}
    query.update({k: str(v) for k, v in changes.items()})
    return str(request.rel_url.with_query(query))
