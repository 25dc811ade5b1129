"""The browser chat page (``/chat``) and its static files; every URL in them is relative."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from .keys import SANDBOX_STATE

STATIC_DIR = Path(__file__).parent / "static"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SUPPORTED_LANGS = ("ru", "en")


def page_handler(static_dir: Path, default_lang: Callable[[web.Request], str]) -> Handler:
    """``chat.html`` of ``static_dir`` in the asked language (the fake MAX's page uses it too)."""

    async def chat_page(request: web.Request) -> web.Response:
        lang = request.query.get("lang") or default_lang(request)
        lang = lang if lang in SUPPORTED_LANGS else "ru"
        html = (static_dir / "chat.html").read_text(encoding="utf-8").replace("{{lang}}", lang)
        return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})

    return chat_page


chat_page = page_handler(STATIC_DIR, lambda request: request.app[SANDBOX_STATE].config.lang)


async def index(request: web.Request) -> web.Response:
    # Built from the request path so it stays correct when mounted under a prefix.
    raise web.HTTPFound(request.path.rstrip("/") + "/chat")


def add_page_routes(app: web.Application) -> None:
    app.router.add_get("/", index)
    app.router.add_get("/chat", chat_page)
    app.router.add_static("/static/", STATIC_DIR)
