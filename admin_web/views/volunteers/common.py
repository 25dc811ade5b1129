"""What the volunteers' pages share: labels, loading from the URL, the refusal of a service action."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import N_, number, translate_error
from admin_web.keys import DB_KEY
from admin_web.render import flash
from models.enums import Role, VolunteerShiftStatus, VolunteerStatus
from services.errors import DomainError, NotFound, PermissionDenied
from services.volunteers.vocabulary import DAY_LABELS, DAYS, PART_LABELS, PARTS

ROLES = (Role.MANAGER, Role.CLERK)
STATUS_LABELS = {
    VolunteerStatus.CANDIDATE.value: N_("Candidate"),
    VolunteerStatus.ACTIVE.value: N_("Active"),
    VolunteerStatus.PAUSED.value: N_("Paused"),
    VolunteerStatus.LEFT.value: N_("Left"),
}
SHIFT_LABELS = {
    VolunteerShiftStatus.ASSIGNED.value: N_("Awaiting an answer"),
    VolunteerShiftStatus.CONFIRMED.value: N_("Confirmed"),
    VolunteerShiftStatus.DECLINED.value: N_("Declined by the volunteer"),
    VolunteerShiftStatus.DONE.value: N_("Worked"),
    VolunteerShiftStatus.NO_SHOW.value: N_("No-show"),
}
# The status buttons on a volunteer's page: (new status, label) by the current status.
ACTIONS = {
    VolunteerStatus.CANDIDATE.value: (
        (VolunteerStatus.ACTIVE.value, N_("Accept")),
        (VolunteerStatus.LEFT.value, N_("Turn down")),
    ),
    VolunteerStatus.ACTIVE.value: (
        (VolunteerStatus.PAUSED.value, N_("Pause")),
        (VolunteerStatus.LEFT.value, N_("Mark as left")),
    ),
    VolunteerStatus.PAUSED.value: (
        (VolunteerStatus.ACTIVE.value, N_("Resume")),
        (VolunteerStatus.LEFT.value, N_("Mark as left")),
    ),
    VolunteerStatus.LEFT.value: ((VolunteerStatus.ACTIVE.value, N_("Accept again")),),
}
MARKABLE = (
    VolunteerShiftStatus.ASSIGNED.value,
    VolunteerShiftStatus.CONFIRMED.value,
    VolunteerShiftStatus.DONE.value,
    VolunteerShiftStatus.NO_SHOW.value,
)


def hours_text(value: float | None) -> str:
    """Hours as people write them: «2,5», «3», «1,25» (two decimals at most, no trailing zeros)."""
    if value is None:
        return "—"
    text = number(value, 2)
    return text.rstrip("0").rstrip(",.") if any(sep in text for sep in ",.") else text


def labels() -> dict[str, object]:
    return {
        "hours_text": hours_text,
        "status_labels": STATUS_LABELS,
        "shift_labels": SHIFT_LABELS,
        "days": DAYS,
        "parts": PARTS,
        "day_labels": DAY_LABELS,
        "part_labels": PART_LABELS,
        "markable": MARKABLE,
    }


def path_id(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit() or len(raw) > 18:
        raise web.HTTPNotFound()
    return int(raw)


async def refused(request: web.Request, exc: DomainError, back: str) -> web.HTTPException:
    """A service refusal: not found → 404, not allowed → 403; anything else is said on the page the
    action came from (post/redirect/get), nothing changed."""
    await request[DB_KEY].rollback()
    text = translate_error(exc.message, exc.params)
    if isinstance(exc, NotFound):
        return web.HTTPNotFound(text=text)
    if isinstance(exc, PermissionDenied):
        return web.HTTPForbidden(text=text)
    await flash(request, "⚠ " + text)
    return web.HTTPSeeOther(back)
