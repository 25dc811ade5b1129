"""A mailing's page: the preview, who it reaches, the actions (test to oneself, send now after a
confirmation, schedule, cancel) and the live progress (``progress.json``, polled by mailings.js;
without JavaScript the page reloads itself while sending)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, current_locale, gettext, translate_error
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import acting_user, local_input, parse_local, zone
from admin_web.views.mailings.common import LEFT_OUT_LABELS, load, page_url, status_label
from models import Mailing, Segment
from models.enums import MailingStatus, Role
from services.errors import DomainError
from services.mailings import audience, content, drafts, sending
from services.notify import Translator


async def _audience(request: web.Request, mailing: Mailing) -> dict[str, Any] | None:
    if mailing.segment_id is None:
        return None
    db = request[DB_KEY]
    segment = await db.get(Segment, mailing.segment_id)
    found = await audience.breakdown(db, mailing.segment_id, zone(request))
    return {
        "segment": segment.name if segment else "—",
        "recipients": len(found.recipients),
        "left_out": [(gettext(LEFT_OUT_LABELS[k]), n) for k, n in sorted(found.left_out.items())],  # type: ignore[call-overload]
        "left_total": sum(found.left_out.values()),
    }


async def _context(request: web.Request, mailing: Mailing, form: Form | None = None) -> dict[str, Any]:
    db = request[DB_KEY]
    attached = await drafts.attached_file(db, mailing)
    started = mailing.status in (MailingStatus.SENDING, MailingStatus.SENT)
    progress = await sending.progress(db, mailing) if started else None
    await db.commit()  # a mailing found finished on read stays finished
    return {
        "mailing": mailing,
        "status": status_label(mailing.status),
        "preview": content.preview_html(mailing.body_html),
        "attached": attached,
        "unsubscribe": Translator(current_locale.get())(sending.UNSUBSCRIBE),
        "audience": None if started else await _audience(request, mailing),
        "progress": progress,
        "editable": mailing.status in drafts.EDITABLE,
        "form": form or Form(values={"scheduled_at": local_input(mailing.scheduled_at, zone(request))}),
        "section": "mailings",
    }


@requires_role(Role.MANAGER, Role.CLERK)
async def mailing_page(request: web.Request) -> web.StreamResponse:
    mailing = await load(request)
    return await render(request, "mailings/mailing.html", await _context(request, mailing))


@requires_role(Role.MANAGER, Role.CLERK)
async def progress_json(request: web.Request) -> web.StreamResponse:
    mailing = await load(request)
    progress = await sending.progress(request[DB_KEY], mailing)
    await request[DB_KEY].commit()
    return web.json_response({**progress.as_json(), "status_label": status_label(progress.status)})


async def _act(request: web.Request, action: Any, done: str) -> web.StreamResponse:
    """Run a service action on the mailing of the URL; a refusal comes back on the page."""
    db = request[DB_KEY]
    mailing = await load(request)
    mailing_id = mailing.id
    try:
        await action(db, await acting_user(request), mailing_id)
    except DomainError as exc:
        await db.rollback()
        await flash(request, translate_error(exc.message, exc.params))
    else:
        await db.commit()
        await flash(request, gettext(done))  # type: ignore[call-overload]
    raise web.HTTPSeeOther(page_url(request, mailing_id))


@requires_role(Role.MANAGER, Role.CLERK)
async def test_send(request: web.Request) -> web.StreamResponse:
    locale = current_locale.get()

    async def action(db: Any, user: Any, mailing_id: int) -> None:
        await sending.test_send(db, user, mailing_id, locale=locale)

    return await _act(request, action, N_("The test is on its way to your Telegram."))


@requires_role(Role.MANAGER, Role.CLERK)
async def send_confirm(request: web.Request) -> web.StreamResponse:
    """«Send now» asks once more, with the number of people it reaches."""
    mailing = await load(request)
    if request.method != "POST":
        context = await _context(request, mailing)
        return await render(request, "mailings/send.html", context)
    # Recipients read the bot's default language, whatever the panel's language of the sender.
    locale = request.config_dict[SETTINGS_KEY].locale
    tz = zone(request)

    async def action(db: Any, user: Any, mailing_id: int) -> None:
        await sending.send_now(db, user, mailing_id, locale=locale, tz=tz)

    return await _act(request, action, N_("The mailing is being sent."))


@requires_role(Role.MANAGER, Role.CLERK)
async def schedule(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    mailing = await load(request)
    form = Form.posted(await request.post())
    raw = str(form.values.get("scheduled_at") or "")
    at = parse_local(raw, zone(request))
    if at is None:
        form.fail("scheduled_at", N_("Enter the date and time."))
    else:
        try:
            await sending.schedule(db, await acting_user(request), mailing.id, at)
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            await db.commit()
            await flash(request, gettext("The mailing is scheduled."))
            raise web.HTTPSeeOther(page_url(request, mailing.id))
    mailing = await load(request)
    if "" in form.errors and "scheduled_at" not in form.errors:
        form.errors["scheduled_at"] = form.errors.pop("")
    return await render(request, "mailings/mailing.html", await _context(request, mailing, form), status=400)


@requires_role(Role.MANAGER, Role.CLERK)
async def cancel(request: web.Request) -> web.StreamResponse:
    return await _act(request, sending.cancel, N_("The mailing is cancelled."))
