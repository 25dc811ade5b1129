"""The «Messengers» block of a person (a staff member's page, a correspondent's CRM card): the
accounts in Telegram and MAX, and where notices go. services/messenger_accounts.py holds the rule;
each page re-checks its own rights before calling :func:`save`."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash
from services import messenger_accounts
from services.errors import DomainError

FIRST_BOUND = N_("the first bound")
FIELD = "messenger"


def block(
    accounts: list[messenger_accounts.AccountView], preferred: str | None, action: str, *, may_edit: bool
) -> dict[str, Any]:
    """What ``templates/_messengers.html`` shows: the select offers only the person's messengers."""
    offered = messenger_accounts.messengers_of(accounts)
    names = messenger_accounts.MESSENGER_NAMES
    options = [("", gettext(FIRST_BOUND))] + [(m.value, names[m]) for m in offered]
    return {
        "accounts": accounts,
        "options": options,
        "preferred": preferred or "",
        "preferred_label": dict(options).get(preferred or "", preferred or ""),
        "action": action,
        # Nothing to choose without an account (unless a stale choice is left to clear).
        "may_edit": may_edit and bool(offered or preferred),
    }


async def save(
    request: web.Request, *, user_id: int | None = None, correspondent_id: int | None = None
) -> None:
    """Store the POSTed channel and flash the outcome; a refusal is flashed as translated text."""
    db = request[DB_KEY]
    value = str((await request.post()).get(FIELD) or "")
    try:
        chosen = await messenger_accounts.set_preferred_messenger(
            db, request[USER_KEY].actor, user_id=user_id, correspondent_id=correspondent_id, messenger=value
        )
    except DomainError as exc:
        await db.rollback()
        await flash(request, translate_error(exc.message, exc.params))
        return
    name = messenger_accounts.MESSENGER_NAMES[chosen] if chosen else gettext(FIRST_BOUND)
    await flash(request, gettext("Notices now go to: %(messenger)s.", messenger=name))
