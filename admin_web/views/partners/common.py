"""What the organisations' pages share: who may see them, the period of the KPI, labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from aiohttp import web

from admin_web.i18n import current_locale, gettext
from admin_web.keys import DB_KEY
from admin_web.security import requires_role
from admin_web.views.common import zone
from models import Organisation
from models.enums import Role
from services.errors import NotFound
from services.notify import Translator
from services.outages.resources import all_resources, resource_name
from services.partners import labels as partner_labels
from services.partners.members import get_organisation

# Dispatchers and managers look (to pick an organisation, to compare them); administrators edit.
VIEW_ROLES = (Role.DISPATCHER, Role.MANAGER)
viewer = requires_role(*VIEW_ROLES)
admin_only = requires_role(Role.ADMIN)
MAX_PERIOD_DAYS = 3 * 366
SEARCH_LIMIT = 200


async def organisation_from(request: web.Request) -> Organisation:
    try:
        return await get_organisation(request[DB_KEY], int(request.match_info["org_id"]))
    except NotFound:
        raise web.HTTPNotFound() from None


def page_url(request: web.Request, org: Organisation) -> str:
    return str(request.app.router["organisation_page"].url_for(org_id=str(org.id)))


def kind_label(code: str) -> str:
    return partner_labels.kind_name(code, Translator(current_locale.get()))


def publish_label(code: str) -> str:
    names = partner_labels.PUBLISH_MODE_NAMES
    return gettext(names[code]) if code in names else code


def resource_label(code: str | None) -> str:
    return resource_name(code, Translator(current_locale.get())) if code else gettext("any resource")


def resource_options() -> list[tuple[str, str]]:
    return [(r.code, resource_label(r.code)) for r in all_resources()]


def resources_text(codes: str) -> str:
    return ", ".join(resource_label(c) for c in codes.split(",") if c) or gettext("any resource")


def labels() -> dict[str, object]:
    return {
        "kind_label": kind_label,
        "publish_label": publish_label,
        "resource_label": resource_label,
        "resources_text": resources_text,
    }


@dataclass(frozen=True, slots=True)
class Period:
    start_day: date
    end_day: date  # inclusive, as typed
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive

    def query(self) -> dict[str, str]:
        return {"from": self.start_day.isoformat(), "to": self.end_day.isoformat()}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def read_period(request: web.Request, now: datetime) -> Period:
    """``from``/``to`` (local days, inclusive); by default the current month. Nonsense falls back."""
    tz = zone(request)
    today = now.astimezone(tz).date()
    end_day = _day(request.query.get("to")) or today
    start_day = _day(request.query.get("from")) or end_day.replace(day=1)
    if start_day > end_day:
        start_day, end_day = end_day, start_day
    start_day = max(start_day, end_day - timedelta(days=MAX_PERIOD_DAYS))
    start = datetime.combine(start_day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return Period(start_day, end_day, start, end)
