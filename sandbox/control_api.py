"""JSON control API under ``/api/…`` for tests, the demo and the browser chat page."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from .errors import ApiError
from .keys import SANDBOX_STATE
from .limits import MAX_USER_UPLOAD_BYTES
from .params import Params, read_body
from .records import ChatRecord
from .state import SandboxState
from .user_actions import ActionError, press_button, send_from_params

MAX_LONG_POLL = 60.0


def _ok(payload: dict[str, Any] | None = None, **extra: Any) -> web.Response:
    body = {"ok": True, **(payload or {}), **extra}
    return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _fail(status: int, message: str, **extra: Any) -> web.Response:
    body = {"ok": False, "error": message, **extra}
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def _params(request: web.Request, max_file_bytes: int = 0) -> Params:
    return await read_body(request.headers, request.content, request.query, max_file_bytes=max_file_bytes)


def _state(request: web.Request) -> SandboxState:
    return request.app[SANDBOX_STATE]


def _chat(request: web.Request) -> ChatRecord:
    chat = _state(request).find_chat(request.match_info["chat_id"])
    if chat is None:
        raise ActionError(404, "chat not found")
    return chat


@web.middleware
async def control_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Turn action/parameter errors into JSON replies (only for /api routes)."""
    try:
        return await handler(request)
    except ActionError as error:
        return _fail(error.status, error.message, **error.extra)
    except ApiError as error:
        if "/api/" not in request.path:
            raise
        return _fail(error.status, error.description)
    except ValueError as error:
        if "/api/" not in request.path:
            raise
        return _fail(400, str(error))


async def get_config(request: web.Request) -> web.Response:
    state = _state(request)
    personas = [u.to_json() for u in state.users.values() if u.persona]
    return _ok(lang=state.config.lang, personas=personas, limits=state.config.limits())


async def list_users(request: web.Request) -> web.Response:
    return _ok(users=[u.to_json() for u in _state(request).users.values()])


async def create_user(request: web.Request) -> web.Response:
    state, params = _state(request), await _params(request)
    first_name = (params.string("first_name") or params.string("name") or "").strip()
    if not first_name:
        raise ActionError(400, "first_name is required")
    user = state.register_user(
        params.integer("user_id"),
        first_name,
        params.string("username") or None,
        params.string("language_code", "ru"),
        role=params.string("role"),
    )
    return _ok(user=user.to_json(), version=state.version)


async def block_user(request: web.Request) -> web.Response:
    state = _state(request)
    user = state.users.get(int(request.match_info["user_id"]))
    if user is None:
        raise ActionError(404, "user not found")
    state.set_blocked(user, request.match_info["action"] == "block")
    return _ok(user=user.to_json(), version=state.version)


async def create_group(request: web.Request) -> web.Response:
    state, params = _state(request), await _params(request)
    members = params.obj("member_ids") or []
    chat = state.create_group(params.integer("chat_id"), params.string("title") or "Group", list(members))
    return _ok(chat=chat.to_telegram())


async def list_bots(request: web.Request) -> web.Response:
    return _ok(bots=[bot.to_json() for bot in _state(request).bots.values()])


async def transcript(request: web.Request) -> web.Response:
    return _ok(_state(request).transcript(_chat(request)))


async def chat_updates(request: web.Request) -> web.Response:
    """Long-poll: answer as soon as the chat changed after ``after`` (or on timeout)."""
    state = _state(request)
    after = int(request.query.get("after", "0") or 0)
    timeout = min(max(float(request.query.get("timeout", "25") or 0), 0.0), MAX_LONG_POLL)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        chat = _chat(request)
        if after > state.version:  # the sandbox was reset: hand out everything again
            return _ok(state.transcript(chat), reset=True)
        remaining = deadline - asyncio.get_running_loop().time()
        if chat.version > after or remaining <= 0:
            return _ok(state.transcript(chat, after_version=after))
        await state.changes.wait(remaining)


async def user_sends(request: web.Request) -> web.Response:
    state, chat = _state(request), _chat(request)
    params = await _params(request, MAX_USER_UPLOAD_BYTES)
    message = send_from_params(state, chat, params)
    return _ok(message=message.to_transcript(), version=state.version)


async def press(request: web.Request) -> web.Response:
    state, chat = _state(request), _chat(request)
    result = press_button(state, chat, await _params(request))
    return _ok(result, version=state.version)


async def download_file(request: web.Request) -> web.StreamResponse:
    state = _state(request)
    if "file_path" in request.match_info:
        stored = state.files_by_path.get(request.match_info["file_path"])
    else:
        stored = state.files.get(request.match_info["file_id"])
    if stored is None:
        raise ActionError(404, "file not found")
    name = (stored.file_name or stored.file_path.rsplit("/", 1)[-1]).replace('"', "")
    return web.Response(
        body=stored.data,
        content_type=stored.mime_type or "application/octet-stream",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


async def get_stats(request: web.Request) -> web.Response:
    return _ok(_state(request).stats.to_json())


async def reset_stats(request: web.Request) -> web.Response:
    _state(request).stats.reset()
    return _ok()


async def get_limits(request: web.Request) -> web.Response:
    return _ok(limits=_state(request).config.limits())


async def set_limits(request: web.Request) -> web.Response:
    state, params = _state(request), await _params(request)
    state.config.update_limits(**params.values)
    state.limiter.reset()  # new parameters start from full buckets
    return _ok(limits=state.config.limits())


async def list_faults(request: web.Request) -> web.Response:
    return _ok(faults=[f.to_json() for f in _state(request).faults.faults])


async def add_fault(request: web.Request) -> web.Response:
    state, params = _state(request), await _params(request)
    method, status = params.string("method"), params.integer("status")
    if not method or status is None or not 400 <= status <= 599:
        raise ActionError(400, "method and an HTTP error status (4xx/5xx) are required")
    fault = state.faults.add(
        method,
        status,
        params.integer("count", 1) or 1,
        params.integer("retry_after"),
        params.string("description"),
    )
    return _ok(fault=fault.to_json())


async def clear_faults(request: web.Request) -> web.Response:
    _state(request).faults.clear()
    return _ok()


async def reset(request: web.Request) -> web.Response:
    _state(request).reset()
    return _ok()


def add_control_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/config", get_config)
    r.add_get("/api/users", list_users)
    r.add_post("/api/users", create_user)
    r.add_post(r"/api/users/{user_id:-?\d+}/{action:block|unblock}", block_user)
    r.add_post("/api/groups", create_group)
    r.add_get("/api/bots", list_bots)
    r.add_get(r"/api/chats/{chat_id:-?\d+}", transcript)
    r.add_get(r"/api/chats/{chat_id:-?\d+}/updates", chat_updates)
    r.add_post(r"/api/chats/{chat_id:-?\d+}/messages", user_sends)
    r.add_post(r"/api/chats/{chat_id:-?\d+}/press", press)
    r.add_get("/api/files/by-path/{file_path:.+}", download_file)
    r.add_get("/api/files/{file_id}", download_file)
    r.add_get("/api/stats", get_stats)
    r.add_post("/api/stats/reset", reset_stats)
    r.add_get("/api/limits", get_limits)
    r.add_post("/api/limits", set_limits)
    r.add_get("/api/faults", list_faults)
    r.add_post("/api/faults", add_fault)
    r.add_delete("/api/faults", clear_faults)
    r.add_post("/api/reset", reset)
