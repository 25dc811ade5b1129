"""Posting one of the appeal page's action forms: parse it, act, then redirect to the page with a
flash, or show the page again with what was typed and the refusal next to its field.

Used by the answer, questions, article 11, marks and registration actions alike. It lives outside
the page's sections because it renders the page (a section importing ``page`` would be a cycle).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash
from admin_web.views.appeals.common import appeal_id_of, load_appeal, page_url
from admin_web.views.appeals.page import render_page
from services.errors import DomainError

# ``act`` returns the success message (a msgid or text already translated), or None after
# marking the form with what is wrong.
Act = Callable[[Form], Awaitable[str | None]]


async def run_form(
    request: web.Request,
    name: str,
    act: Act,
    *,
    multi: tuple[str, ...] = (),
    anchor: str = "",
    status: int = 400,
) -> web.StreamResponse:
    await load_appeal(request)  # 404 (and the scope check) before anything else
    form = Form.posted(await request.post(), multi=multi)
    try:
        done = await act(form) if form.ok else None
    except DomainError as exc:
        await request[DB_KEY].rollback()
        form.fail_domain(exc)
        done = None
    if done is not None and form.ok:
        await flash(request, gettext(done))
        raise web.HTTPSeeOther(page_url(request, appeal_id_of(request)) + anchor)
    return await render_page(request, await load_appeal(request), {name: form}, status=status)
