"""The appeal page shown again with a form a service refused, for the page's sections.

``page`` imports the sections (for their context), so a section cannot import ``page`` back: the
import contracts forbid cycles, function-level imports included. The panel's wiring
(``appeals/__init__.py``, which imports both) hands the page's renderer over here once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.keys import DB_KEY
from admin_web.render import flash
from admin_web.views.appeals.common import appeal_id_of, load_appeal, page_url
from models import Appeal
from services.errors import DomainError

Renderer = Callable[..., Awaitable[web.StreamResponse]]
_RENDERER: list[Renderer] = []


def use(renderer: Renderer) -> None:
    _RENDERER[:] = [renderer]


async def render_page(
    request: web.Request, appeal: Appeal, forms: dict[str, Form], *, status: int = 400, **extra: Any
) -> web.StreamResponse:
    if not _RENDERER:
        raise RuntimeError("the appeal page renderer is not wired (appeals.add_routes)")
    return await _RENDERER[0](request, appeal, forms, status=status, **extra)


Act = Callable[[Form], Awaitable[str | None]]


async def run_form(
    request: web.Request, name: str, act: Act, *, multi: tuple[str, ...] = ()
) -> web.StreamResponse:
    """Parse the posted form ``name``, call ``act`` (the translated success message, or None after
    marking the form), then redirect to the page with a flash, or show the page again with what was
    typed and the refusal next to its field."""
    await load_appeal(request)  # 404 before anything else
    form = Form.posted(await request.post(), multi=multi)
    try:
        done = await act(form) if form.ok else None
    except DomainError as exc:
        await request[DB_KEY].rollback()
        form.fail_domain(exc)
        done = None
    if done is not None and form.ok:
        await flash(request, done)
        raise web.HTTPSeeOther(page_url(request, appeal_id_of(request)))
    return await render_page(request, await load_appeal(request), {name: form}, status=400)
