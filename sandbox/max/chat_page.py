"""The browser chat page (``/chat``) for a MAX persona; every URL in it is relative."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from ..chat_page import STATIC_DIR as TELEGRAM_STATIC_DIR
from .keys import MAX_STATE

STATIC_DIR = Path(__file__).parent / "static"
SUPPORTED_LANGS = ("ru", "en")


async def chat_page(request: web.Request) -> web.Response:
    state = request.app[MAX_STATE]
    lang = request.query.get("lang") or state.config.lang
    lang = lang if lang in SUPPORTED_LANGS else "ru"
    html = (STATIC_DIR / "chat.html").read_text(encoding="utf-8").replace("{{lang}}", lang)
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})


async def index(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.path.rstrip("/") + "/chat")


def add_page_routes(app: web.Application) -> None:
    app.router.add_get("/", index, name="max_root")
    app.router.add_get("/chat", chat_page)
    app.router.add_static("/static/base/", TELEGRAM_STATIC_DIR)  # the Telegram page's styles
    app.router.add_static("/static/", STATIC_DIR)
