"""The letters issued on an appeal (answers, covering letters, notices): listed on the appeal page
with their outgoing numbers, each downloadable as DOCX and PDF through the appeal's file route
(same role and scope checks as the page)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.keys import DB_KEY
from models import Appeal
from services.letters import issue


async def page_context(request: web.Request, appeal: Appeal, forms: dict[str, Form]) -> dict[str, Any]:
    return {"letters": await issue.letters_of(request[DB_KEY], appeal.id)}


def add_routes(router: web.UrlDispatcher) -> None:
    """Downloads go through ``appeal_file``; nothing of its own yet."""
