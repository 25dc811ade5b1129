"""Checking an appeal's status by its registration number and the access code given with it.

The number alone is not enough: numbers are sequential. Contact fields are not enough either:
anyone can type someone's phone. The access code is random, shown once at registration, and only
its hash is stored. A wrong number and a wrong code get the same reply, the comparison takes the
same time, and look-ups are rate-limited per address.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, current_locale
from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.security import public
from admin_web.views.files import stored_file_response
from admin_web.views.public.common import STATUS_LIMITER_KEY, STATUS_TEXTS, client_ip, local_date, too_many
from models import Appeal, Category
from models.enums import AppealStatus
from services.appeals import attachments, categories, queries

ANSWER_STATES = (AppealStatus.ANSWERED, AppealStatus.CLOSED, AppealStatus.REJECTED)


@public
async def appeal_status(request: web.Request) -> web.StreamResponse:
    form = Form()
    if request.method != "POST":
        return await _render(request, form, None)
    ip = client_ip(request)
    limiter = request.config_dict[STATUS_LIMITER_KEY]
    wait = limiter.retry_after(ip)
    if wait:
        return await too_many(request, wait)
    form = Form.posted(await request.post())
    number = form.text("number", required=True, max_length=32)
    code = form.text("code", required=True, max_length=32)
    if not form.ok or number is None or code is None:
        return await _render(request, form, None)
    wait = limiter.acquire(ip)  # check and count in one step: parallel posts cannot all pass
    if wait:
        return await too_many(request, wait)
    appeal = await queries.find_with_code(request[DB_KEY], number, code)
    if appeal is None:
        form.fail("", N_("No appeal with this number and access code was found. Check them and try again."))
    return await _render(request, form, appeal)


@public
async def answer_file(request: web.Request) -> web.StreamResponse:
    """A file of the answer, fetched with the number and the access code posted again (nothing is
    remembered between requests) and counted by the same limiter as the status look-ups."""
    ip = client_ip(request)
    limiter = request.config_dict[STATUS_LIMITER_KEY]
    wait = limiter.acquire(ip)
    if wait:
        return await too_many(request, wait)
    form = Form.posted(await request.post())
    number = form.text("number", max_length=32) or ""
    code = form.text("code", max_length=32) or ""
    raw_id = form.text("file_id", max_length=18) or ""
    stored = (
        await attachments.answer_file_with_code(request[DB_KEY], number, code, int(raw_id))
        if raw_id.isdigit()
        else None
    )
    if stored is None:
        raise web.HTTPNotFound()
    return stored_file_response(request, stored)


async def _render(request: web.Request, form: Form, appeal: Appeal | None) -> web.Response:
    context: dict[str, object] = {"form": form, "appeal": None}
    if appeal is not None:
        answered = appeal.answered_at is not None and appeal.status in ANSWER_STATES
        category = await request[DB_KEY].get(Category, appeal.category_id) if appeal.category_id else None
        context["appeal"] = {
            "number": appeal.reg_number,
            "status": appeal.status,
            "status_text": STATUS_TEXTS.get(appeal.status, appeal.status),
            "category": categories.name_in(category, current_locale.get()) if category else None,
            "registered": local_date(request, appeal.registered_at),
            "due": local_date(request, appeal.due_at),
            "answered": local_date(request, appeal.answered_at),
            "answer": appeal.answer_text if appeal.status in ANSWER_STATES else None,
            # Listed only here, after the number and the code were checked; each download checks again.
            "files": await attachments.answer_files(request[DB_KEY], appeal.id) if answered else [],
        }
    return await render(request, "public/status.html", context)
