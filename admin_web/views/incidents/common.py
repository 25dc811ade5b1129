"""What the ЕДДС journal pages share: who may see and act, labels for stored codes, the incident's place."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import current_locale
from admin_web.keys import DB_KEY
from admin_web.security import requires_role
from models import Incident
from models.enums import IncidentKind, IncidentStatus, InformantKind, Role
from services.incidents import kinds
from services.incidents.shift_render import publish_name, update_kind_name
from services.notify import Translator

# Managers read the journal; dispatchers keep it (administrators pass everywhere). The services
# re-check the dispatcher role on every change, so a forged form from a manager is refused there too.
viewer = requires_role(Role.DISPATCHER, Role.MANAGER)
dispatcher = requires_role(Role.DISPATCHER)
PAGE_SIZE = 50
KINDS = tuple(k.value for k in IncidentKind)
STATUSES = tuple(s.value for s in IncidentStatus)
INFORMANTS = tuple(i.value for i in InformantKind)


def _t() -> Translator:
    return Translator(current_locale.get())


def kind_label(code: str) -> str:
    return kinds.kind_label(code, _t())


def kind_text(code: str) -> str:
    return kinds.kind_name(code, _t())


def status_label(code: str) -> str:
    return kinds.status_name(code, _t())


def informant_label(code: str | None) -> str:
    return kinds.informant_name(code, _t())


def entry_label(code: str) -> str:
    return update_kind_name(code, _t())


def publish_label(code: str) -> str:
    return publish_name(code, _t())


def labels() -> dict[str, object]:
    """Label functions for the templates (the Jinja environment is shared, so no new filters)."""
    return {
        "incident_kind_label": kind_label,
        "incident_kind_text": kind_text,
        "incident_status_label": status_label,
        "informant_label": informant_label,
        "entry_label": entry_label,
        "publish_label": publish_label,
    }


def options(codes: tuple[str, ...], label) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(c, label(c)) for c in codes]


async def incident_of(request: web.Request) -> Incident:
    incident = await request[DB_KEY].get(Incident, int(request.match_info["incident_id"]))
    if incident is None:
        raise web.HTTPNotFound()
    return incident
