"""Shared by the appeal pages: who may use them, labels, loading an appeal, where an answer goes."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import gettext
from admin_web.keys import DB_KEY, OFFLOAD_KEY, SETTINGS_KEY
from admin_web.labels import APPEAL_STATUS_LABELS
from admin_web.views.common import acting_user, notice_context, zone
from models import Appeal
from models.enums import AppealChannel, Role
from services.appeals import access, notices, workflow
from services.letters.issue import LetterEnv

# Clerks register and answer, managers oversee; administrators always pass ``requires_role``.
STAFF_ROLES = (Role.CLERK, Role.MANAGER)

STATUS_LABELS = APPEAL_STATUS_LABELS  # one mapping for the whole panel (admin_web.labels)
# The page offers what the workflow accepts: answer, extend or reject while open; close afterwards.
OPEN_STATUSES = workflow.OPEN_STATES
ANSWERABLE = OPEN_STATUSES
CLOSABLE = workflow.CLOSABLE_STATES


def letter_env(request: web.Request) -> LetterEnv:
    """Where letters are stored, the zone their dates are shown in and their language."""
    settings = request.config_dict[SETTINGS_KEY]
    return LetterEnv(
        files_dir=settings.files_dir,
        tz=zone(request),
        locale=settings.locale,
        appeal_term_rule=settings.appeal_term_on_day_off,
        offload=request.app.get(OFFLOAD_KEY),
    )


def label(labels: dict[str, str], code: str | None) -> str:
    return gettext(labels[code]) if code in labels else (code or "—")


def appeal_id_of(request: web.Request) -> int:
    return int(request.match_info["appeal_id"])


async def load_appeal(request: web.Request) -> Appeal:
    """The appeal of the URL, for a staff member whose scope covers it (else 404, as if absent)."""
    db = request[DB_KEY]
    appeal = await db.get(Appeal, appeal_id_of(request), populate_existing=True)
    if appeal is None or not await access.may_see(db, await acting_user(request), appeal):
        raise web.HTTPNotFound()
    return appeal


def page_url(request: web.Request, appeal_id: int) -> str:
    return str(request.app.router["appeal_page"].url_for(appeal_id=str(appeal_id)))


async def answer_route(request: web.Request, appeal: Appeal) -> notices.AnswerRoute:
    return await notices.answer_route(request[DB_KEY], notice_context(request), appeal)


async def delivery(request: web.Request, appeal: Appeal) -> str:
    """Where the final answer will go (the same rule the notices follow), said the way a clerk thinks."""
    to = await answer_route(request, appeal)
    if to.chat_id is not None:
        return gettext("It will be sent to the correspondent in the Telegram bot.")
    if to.email is not None:
        return gettext("It will be sent by e-mail to %(address)s.", address=to.email)
    parts: list[str] = []
    if to.postal_address:
        parts.append(
            gettext(
                "No e-mail or Telegram: print the answer letter and post it to %(address)s.",
                address=to.postal_address,
            )
        )
    elif to.phone:
        parts.append(
            gettext("No e-mail or Telegram: call the applicant at %(phone)s with the answer.", phone=to.phone)
        )
    if appeal.channel in (AppealChannel.WEB, AppealChannel.OPEN311):
        parts.append(gettext("The applicant will see it when checking the appeal status."))
    if not parts:
        return gettext("It will only be stored: send the answer to the correspondent yourself.")
    return " ".join(parts)
