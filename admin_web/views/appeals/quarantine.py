"""The mail quarantine in the panel: letters the e-mail intake could not register.

Clerks and managers (like every appeal page) see the list and each letter, download the original
``.eml``, retry the registration once the cause is fixed, or dismiss the letter; the services audit
both actions. The raw letter is only ever sent as a download, never rendered.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY, SETTINGS_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES, page_url
from admin_web.views.common import notice_context
from models.mail_quarantine import QUARANTINE_DISMISSED, QUARANTINE_PENDING, QUARANTINE_REGISTERED
from services.errors import DomainError, NotFound
from services.mail import quarantine, retry
from services.service_desk import mail_retry
from services.service_desk.mail_in import DeskMail

STATUS_LABELS = {
    QUARANTINE_PENDING: N_("Waiting for a decision"),
    QUARANTINE_REGISTERED: N_("Registered"),
    QUARANTINE_DISMISSED: N_("Dismissed"),
}
REASON_LIMIT = 1000


def _item_id(request: web.Request) -> int:
    return int(request.match_info["item_id"])


def _item_url(request: web.Request, item_id: int) -> str:
    return str(request.app.router["mail_quarantine_item"].url_for(item_id=str(item_id)))


@requires_role(*STAFF_ROLES)
async def quarantine_list(request: web.Request) -> web.StreamResponse:
    status = request.query.get("status", QUARANTINE_PENDING)
    status = status if status in STATUS_LABELS or status == "all" else QUARANTINE_PENDING
    rows = await quarantine.list_letters(request[DB_KEY], status=None if status == "all" else status)
    return await render(
        request,
        "appeals/quarantine_list.html",
        {"rows": rows, "status": status, "statuses": STATUS_LABELS, "section": "mail_quarantine"},
    )


async def _render_item(request: web.Request, form: Form | None = None) -> web.Response:
    try:
        item = await quarantine.get_letter(request[DB_KEY], _item_id(request))
    except NotFound as exc:
        raise web.HTTPNotFound() from exc
    return await render(
        request,
        "appeals/quarantine_page.html",
        {
            "item": item,
            "statuses": STATUS_LABELS,
            "form": form or Form(),
            "appeal_url": page_url(request, item.appeal_id) if item.appeal_id else None,
            "desk_letter": mail_retry.is_desk_letter(item),
            "section": "mail_quarantine",
        },
    )


@requires_role(*STAFF_ROLES)
async def quarantine_item(request: web.Request) -> web.StreamResponse:
    return await _render_item(request)


@requires_role(*STAFF_ROLES)
async def quarantine_download(request: web.Request) -> web.StreamResponse:
    try:
        item = await quarantine.get_letter(request[DB_KEY], _item_id(request))
    except NotFound as exc:
        raise web.HTTPNotFound() from exc
    return web.Response(
        body=item.raw,
        content_type="message/rfc822",
        headers={
            "Content-Disposition": f'attachment; filename="letter-{item.id}.eml"',
            "Cache-Control": "no-store",  # a citizen's letter: personal data
        },
    )


@requires_role(*STAFF_ROLES)
async def quarantine_retry(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    settings = request.config_dict[SETTINGS_KEY]
    form = Form.posted(await request.post())
    try:
        item = await quarantine.get_letter(db, _item_id(request))
    except NotFound as exc:
        raise web.HTTPNotFound() from exc
    if mail_retry.is_desk_letter(item):
        return await _retry_desk_letter(request, form)
    try:
        result = await retry.retry_letter(
            db,
            _item_id(request),
            actor=request[USER_KEY].actor,
            files_dir=settings.files_dir,
            notify=notice_context(request),
            default_locale=settings.locale,
        )
    except NotFound as exc:
        raise web.HTTPNotFound() from exc
    except DomainError as exc:
        await db.rollback()
        form.errors[""] = translate_error(exc.message, exc.params)
        return await _render_item(request, form)
    if not result.ok:
        form.fail("", N_("The letter still cannot be registered (%(error)s)."), error=result.error or "")
        return await _render_item(request, form)
    if result.appeal is None:
        await flash(request, gettext("The letter is an auto-reply; it is dismissed."))
    else:
        await flash(request, gettext("Appeal %(number)s is registered.", number=result.appeal.reg_number))
    raise web.HTTPSeeOther(_item_url(request, _item_id(request)))


async def _retry_desk_letter(request: web.Request, form: Form) -> web.StreamResponse:
    """A letter of the service mailbox: retried into its service request, never into an appeal."""
    db = request[DB_KEY]
    settings = request.config_dict[SETTINGS_KEY]
    desk = DeskMail(
        ctx=notice_context(request), files_dir=settings.files_dir, default_topic=settings.service_mail_topic
    )
    try:
        result = await mail_retry.retry_desk_letter(
            db, _item_id(request), actor=request[USER_KEY].actor, desk=desk
        )
    except DomainError as exc:
        await db.rollback()
        form.errors[""] = translate_error(exc.message, exc.params)
        return await _render_item(request, form)
    if not result.ok:
        form.fail("", N_("The letter still cannot be taken in (%(error)s)."), error=result.error or "")
        return await _render_item(request, form)
    if result.request is None:
        await flash(request, gettext("The letter is an auto-reply or was already taken in; it is dismissed."))
    else:
        await flash(request, gettext("The letter is on request %(number)s.", number=result.request.number))
    raise web.HTTPSeeOther(_item_url(request, _item_id(request)))


@requires_role(*STAFF_ROLES)
async def quarantine_dismiss(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    form = Form.posted(await request.post())
    reason = form.text("reason", max_length=REASON_LIMIT)
    if form.ok:
        try:
            await quarantine.dismiss_letter(
                db, _item_id(request), actor=request[USER_KEY].actor, reason=reason
            )
        except NotFound as exc:
            raise web.HTTPNotFound() from exc
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
    if not form.ok:
        return await _render_item(request, form)
    await flash(request, gettext("The letter is dismissed."))
    raise web.HTTPSeeOther(_item_url(request, _item_id(request)))
