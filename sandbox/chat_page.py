"""The browser chat page (``/chat``) and its static files; every URL in them is relative."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from .keys import SANDBOX_STATE

STATIC_DIR = Path(__file__).parent / "static"
SUPPORTED_LANGS = ("ru", "en")


async def chat_page(request: web.Request) -> web.Response:
    state = request.app[SANDBOX_STATE]
    lang = request.query.get("lang") or state.config.lang
    lang = lang if lang in SUPPORTED_LANGS else "ru"
    html = (STATIC_DIR / "chat.html").read_text(encoding="utf-8").replace("{{lang}}", lang)
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})


async def index(request: web.Request) -> web.Response:
    # Built from the request path so it stays correct when mounted under a prefix.
    raise web.HTTPFound(request.path.rstrip("/") + "/chat")


def add_page_routes(app: web.Application) -> None:
    app.router.add_get("/", index)
    app.router.add_get("/chat", chat_page)
    app.router.add_static("/static/", STATIC_DIR)
