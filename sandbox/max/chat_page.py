"""The browser chat page (``/chat``) for a MAX persona; every URL in it is relative."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from ..chat_page import STATIC_DIR as TELEGRAM_STATIC_DIR
from ..chat_page import page_handler
from .keys import MAX_STATE

STATIC_DIR = Path(__file__).parent / "static"


chat_page = page_handler(STATIC_DIR, lambda request: request.app[MAX_STATE].config.lang)


async def index(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.path.rstrip("/") + "/chat")


def add_page_routes(app: web.Application) -> None:
    app.router.add_get("/", index, name="max_root")
    app.router.add_get("/chat", chat_page)
    app.router.add_static("/static/base/", TELEGRAM_STATIC_DIR)  # the Telegram page's styles
    app.router.add_static("/static/", STATIC_DIR)
