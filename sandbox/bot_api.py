"""HTTP side of the Bot API: ``/bot{token}/{method}`` and ``/file/bot{token}/{file_path}``."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from .errors import ApiError, not_found
from .keys import SANDBOX_STATE
from .limits import MAX_BOT_UPLOAD_BYTES
from .methods import method_table
from .methods.base import Described, MethodCall
from .params import Params, read_body
from .records import BotAccount
from .state import SandboxState, require_bot_token

log = logging.getLogger(__name__)


async def call_method(state: SandboxState, bot: BotAccount, method: str, params: Params) -> Any:
    """Run one Bot API method; raises ApiError. Shared by HTTP calls and webhook replies."""
    state.stats.methods[method] += 1
    handler = method_table().get(method.lower())
    if handler is None:
        raise not_found()
    chat = state.find_chat(params.values.get("chat_id"))
    fault = state.faults.take(method)
    if fault is not None:
        state.stats.record_error(bot.id, chat.id if chat else None, fault.status, injected=True)
        raise fault
    try:
        return await handler(MethodCall(state, bot, method, params))
    except ApiError as error:
        state.stats.record_error(bot.id, chat.id if chat else None, error.status, injected=False)
        raise


def _json(payload: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def handle_method(request: web.Request) -> web.StreamResponse:
    state = request.app[SANDBOX_STATE]
    try:
        bot = require_bot_token(state, request.match_info["token"])
        params = await read_body(
            request.headers, request.content, request.query, max_file_bytes=MAX_BOT_UPLOAD_BYTES
        )
        result = await call_method(state, bot, request.match_info["method"], params)
    except (ValueError, UnicodeDecodeError, AssertionError):
        # Malformed bodies (broken multipart, bad encodings) are the client's fault, as in Telegram.
        error = ApiError(400, "Bad Request: can't parse request")
        return _json(error.payload(), 400)
    except ApiError as error:
        if error.status >= 500 or error.status == 429:
            log.debug("sandbox answers %s to %s", error.status, request.match_info["method"])
        return _json(error.payload(), error.status)
    if isinstance(result, Described):
        return _json({"ok": True, "result": result.result, "description": result.description})
    return _json({"ok": True, "result": result})


async def handle_file_download(request: web.Request) -> web.StreamResponse:
    state = request.app[SANDBOX_STATE]
    if state.bot_for_token(request.match_info["token"]) is None:
        return _json(ApiError(401, "Unauthorized").payload(), 401)
    stored = state.files_by_path.get(request.match_info["file_path"])
    if stored is None:
        return _json(not_found().payload(), 404)
    return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")


def add_bot_api_routes(app: web.Application) -> None:
    app.router.add_route("*", "/bot{token}/{method}", handle_method)
    app.router.add_get("/file/bot{token}/{file_path:.+}", handle_file_download)
