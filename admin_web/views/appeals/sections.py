"""The appeal page's sections that live in their own modules (59-FZ procedures, questions,
answer documents, letters): each adds its context to the page and its routes to the panel.

A section module has ``async def page_context(request, appeal, forms) -> dict`` (keys prefixed
with the section's name, so sections never clash) and ``def add_routes(router)``; its template is
``appeals/_<section>*.html``, included by ``appeals/page.html``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.views.appeals import answer_docs, letters, outcomes, questions, registration
from models import Appeal

SECTIONS = (letters, questions, registration, outcomes, answer_docs)


async def page_context(request: web.Request, appeal: Appeal, forms: dict[str, Form]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for section in SECTIONS:
        context |= await section.page_context(request, appeal, forms)
    return context


def add_routes(router: web.UrlDispatcher) -> None:
    for section in SECTIONS:
        section.add_routes(router)
