"""The forms block of a correspondent's CRM card: the card's tags (a clerk adds and removes them,
audited) and the forms the person answered, newest first."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.i18n import current_locale, gettext, translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash
from admin_web.views.forms.answers import channel_labels
from admin_web.views.forms.editor import audience
from models import Correspondent
from models.enums import Role
from services.audience import tags
from services.errors import DomainError
from services.forms import answers, definitions


async def card_context(request: web.Request, correspondent_id: int) -> dict[str, Any]:
    """What ``templates/forms/_card.html`` shows on the CRM card; {} hides the block."""
    user = request.get(USER_KEY)
    if user is None or not user.has_role(Role.MANAGER, Role.CLERK):
        return {}
    db = request[DB_KEY]
    locale = current_locale.get()
    return {
        "correspondent_id": correspondent_id,
        "tags": await tags.tags_of(db, correspondent_id),
        "channels": channel_labels(),
        "answers": [
            {"s": s, "title": definitions.title_in(f, locale)}
            for s, f in await answers.of_card(db, correspondent_id)
        ],
    }


async def _card_id(request: web.Request) -> int:
    correspondent_id = int(request.match_info["correspondent_id"])
    if await request[DB_KEY].get(Correspondent, correspondent_id) is None:
        raise web.HTTPNotFound()
    return correspondent_id


@audience
async def tag_add(request: web.Request) -> web.StreamResponse:
    correspondent_id = await _card_id(request)
    data = await request.post()
    typed = str(data.get("tags") or "")[:1000]
    try:
        added = await tags.add(
            request[DB_KEY],
            correspondent_id,
            tags.parse(typed),
            source="manual",
            actor=request[USER_KEY].actor,
        )
    except DomainError as exc:
        await request[DB_KEY].rollback()
        await flash(request, translate_error(exc.message, exc.params))
    else:
        await flash(
            request,
            gettext("Tags added: %(tags)s", tags=", ".join(added)) if added else gettext("No new tags."),
        )
    raise web.HTTPSeeOther(
        request.app.router["correspondent_page"].url_for(correspondent_id=str(correspondent_id))
    )


@audience
async def tag_remove(request: web.Request) -> web.StreamResponse:
    correspondent_id = await _card_id(request)
    data = await request.post()
    try:
        await tags.remove(
            request[DB_KEY], correspondent_id, str(data.get("tag") or "")[:100], actor=request[USER_KEY].actor
        )
    except DomainError as exc:
        await request[DB_KEY].rollback()
        await flash(request, translate_error(exc.message, exc.params))
    raise web.HTTPSeeOther(
        request.app.router["correspondent_page"].url_for(correspondent_id=str(correspondent_id))
    )
