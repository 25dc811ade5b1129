"""The MAX Bot API subset (see the contract): auth, limits, faults, and the method handlers."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from aiohttp import web

from .bodies import KEEP, parse_body
from .errors import MaxApiError, bad_request, not_found, status_error
from .keys import MAX_STATE, MAX_WEBHOOKS, public_base
from .records import Subscription, now_ms
from .state import MaxState

MAX_POLL_TIMEOUT = 90.0
UPLOAD_TYPES = ("image", "file", "video", "audio")
BOT_ROUTE = "bot:"  # route names of Bot API methods start with it (the middleware guards only those)


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.json_response(payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _state(request: web.Request) -> MaxState:
    return request.app[MAX_STATE]


@web.middleware
async def bot_api_guard(request: web.Request, handler: Any) -> web.StreamResponse:
    """Token check, fault injection, the 30 req/s limit, counters and the ``{code, message}`` errors."""
    state = request.app[MAX_STATE]
    state.public_base = public_base(request)
    name = request.match_info.route.name or ""
    if not name.startswith(BOT_ROUTE):
        return await handler(request)
    method = name[len(BOT_ROUTE) :].split("-")[0]
    state.stats.requests += 1
    state.stats.methods[f"{request.method} /{method}"] += 1
    try:
        token = request.headers.get("Authorization", "")
        expected = state.config.token
        if not token or (expected is not None and token != expected):
            raise MaxApiError(401, "verify.token", "Invalid access_token")
        fault = state.take_fault(method)
        if fault is not None:
            if fault.status == 0:  # hang: the client should time out
                await asyncio.sleep(fault.seconds)
                raise status_error(504)
            raise state.fault_error(fault)
        if not state.rate_allows():
            state.stats.rate_limited += 1
            raise MaxApiError(429, "too.many.requests", "Too many requests: 30 requests per second per bot")
        return await handler(request)
    except MaxApiError as error:
        state.stats.statuses[error.code] += 1
        return _json(error.payload(), error.status)


async def _body(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    try:
        return await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("body is not valid JSON") from None


def _int_query(request: web.Request, name: str, default: int | None = None) -> int | None:
    raw = request.query.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None


# -- /me -------------------------------------------------------------------------------------------


async def get_me(request: web.Request) -> web.Response:
    return _json(_state(request).bot_api())


async def patch_me(request: web.Request) -> web.Response:
    state, body = _state(request), await _body(request)
    if not isinstance(body, dict):
        raise bad_request("body must be a JSON object")
    commands = body.get("commands")
    if commands is not None:
        if not isinstance(commands, list) or not all(
            isinstance(c, dict) and isinstance(c.get("name"), str) and c["name"] for c in commands
        ):
            raise bad_request("commands must be a list of {name, description}")
        state.commands = [{"name": c["name"], "description": c.get("description")} for c in commands]
    if isinstance(body.get("name"), str) and body["name"]:
        state.config.bot_name = body["name"]
    state.touch()
    return _json(state.bot_api())


# -- /updates --------------------------------------------------------------------------------------


async def get_updates(request: web.Request) -> web.Response:
    state = _state(request)
    if state.subscriptions:
        raise bad_request("GET /updates is unavailable while a webhook subscription is active")
    limit = _int_query(request, "limit", 100)
    if limit is None or not 1 <= limit <= 1000:
        raise bad_request("limit must be between 1 and 1000")
    timeout = _int_query(request, "timeout", 30)
    if timeout is None or not 0 <= timeout <= MAX_POLL_TIMEOUT:
        raise bad_request(f"timeout must be between 0 and {int(MAX_POLL_TIMEOUT)}")
    marker = _int_query(request, "marker")
    raw_types = request.query.get("types")
    types = {t.strip() for t in raw_types.split(",") if t.strip()} if raw_types else None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        updates, next_marker = state.take_updates(marker, limit, types)
        remaining = deadline - loop.time()
        if updates or remaining <= 0 or state.subscriptions:
            return _json({"updates": updates, "marker": next_marker})
        if marker is None:
            marker = next_marker  # later calls in this poll: only what is new
        await state.new_updates.wait(remaining)


# -- /messages -------------------------------------------------------------------------------------


async def post_message(request: web.Request) -> web.Response:
    state = _state(request)
    user_id = _int_query(request, "user_id")
    chat_id = _int_query(request, "chat_id")
    if user_id is None and chat_id is None:
        raise bad_request("user_id or chat_id is required")
    target = user_id if user_id is not None else chat_id
    assert target is not None
    if target < 0:
        raise not_found(f"chat {target} not found (the sandbox has dialogs only)")
    body = parse_body(state, await _body(request), new=True)
    user = state.recipient_for_bot(target)
    attachments = [] if body.attachments is KEEP else list(body.attachments)
    text = None if body.text is KEEP else body.text
    message = state.add_message(user, True, text, attachments, body.format, body.notify)
    return _json({"message": state.message_api(message)})


def _bot_message(state: MaxState, request: web.Request) -> Any:
    mid = request.query.get("message_id")
    if not mid:
        raise bad_request("message_id is required")
    message = state.find_message(mid)
    if not message.from_bot:
        raise MaxApiError(403, "chat.denied", "only the bot's own messages can be changed")
    return message


async def put_message(request: web.Request) -> web.Response:
    state = _state(request)
    message = _bot_message(state, request)
    body = parse_body(state, await _body(request), new=False)
    state.edit_message(message, body)
    return _json({"success": True})


async def delete_message(request: web.Request) -> web.Response:
    state = _state(request)
    state.delete_message(_bot_message(state, request))
    return _json({"success": True})


async def get_message(request: web.Request) -> web.Response:
    state = _state(request)
    return _json(state.message_api(state.find_message(request.match_info["mid"])))


# -- /answers --------------------------------------------------------------------------------------


async def post_answer(request: web.Request) -> web.Response:
    state = _state(request)
    callback_id = request.query.get("callback_id")
    if not callback_id:
        raise bad_request("callback_id is required")
    callback = state.callbacks.get(callback_id)
    if callback is None:
        raise not_found(f"callback {callback_id} not found")
    body = await _body(request)
    if not isinstance(body, dict):
        raise bad_request("body must be a JSON object {message, notification}")
    notification = body.get("notification")
    if notification is not None and not isinstance(notification, str):
        raise bad_request("notification must be a string or null")
    new_message = body.get("message")
    if new_message is not None:
        parsed = parse_body(state, new_message, new=False)
        message = state.messages.get(callback.mid)
        if message is not None and not message.deleted:
            state.edit_message(message, parsed)
    callback.answered, callback.notification, callback.message = True, notification, new_message
    callback.answered_at = now_ms()
    state.touch()
    return _json({"success": True})


# -- uploads and files -----------------------------------------------------------------------------


async def post_upload(request: web.Request) -> web.Response:
    state = _state(request)
    kind = request.query.get("type")
    if kind not in UPLOAD_TYPES:
        raise bad_request(f"type must be one of {', '.join(UPLOAD_TYPES)}")
    upload_id = secrets.token_urlsafe(12)
    state.uploads[upload_id] = kind
    return _json({"url": f"{public_base(request)}/upload/{upload_id}"})


async def receive_upload(request: web.Request) -> web.Response:
    state = _state(request)
    kind = state.uploads.get(request.match_info["upload_id"])
    if kind is None:
        return _json({"code": "not.found", "message": "unknown upload url"}, 404)
    if not request.content_type.startswith("multipart/"):
        return _json(
            {"code": "bad.request", "message": "multipart/form-data with a field 'data' expected"}, 400
        )
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if getattr(part, "name", None) == "data":
            data = await part.read()  # type: ignore[union-attr]
            filename = getattr(part, "filename", None) or "file"
            mime = part.headers.get("Content-Type", "application/octet-stream")
            stored = state.store_file(kind, bytes(data), filename, mime)
            if kind == "image":
                return _json({"photos": {f"{stored.photo_id}": {"token": stored.token}}})
            return _json({"token": stored.token})
    return _json({"code": "bad.request", "message": "multipart field 'data' is missing"}, 400)


async def download(request: web.Request) -> web.Response:
    stored = _state(request).files.get(request.match_info["token"])
    if stored is None:
        return _json({"code": "not.found", "message": "file not found"}, 404)
    name = stored.filename.replace('"', "")
    return web.Response(
        body=stored.data,
        content_type=stored.mime_type or "application/octet-stream",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


# -- subscriptions ---------------------------------------------------------------------------------


async def get_subscriptions(request: web.Request) -> web.Response:
    return _json({"subscriptions": [s.to_api() for s in _state(request).subscriptions]})


async def post_subscription(request: web.Request) -> web.Response:
    state, body = _state(request), await _body(request)
    if not isinstance(body, dict) or not isinstance(body.get("url"), str) or not body["url"]:
        raise bad_request("url is required")
    url: str = body["url"]
    if not url.startswith(("http://", "https://")):
        raise bad_request("url must be an http(s) URL")
    types = body.get("update_types")
    if types is not None and (not isinstance(types, list) or not all(isinstance(t, str) for t in types)):
        raise bad_request("update_types must be a list of strings")
    secret = body.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise bad_request("secret must be a string")
    state.subscriptions = [s for s in state.subscriptions if s.url != url]
    request.app[MAX_WEBHOOKS].ensure_running()
    state.subscriptions.append(Subscription(url, secret, types or None))
    # Updates still waiting for GET /updates go to the webhook from now on.
    queue = state.webhook_queue
    assert queue is not None
    for _, update in state.updates:
        queue.put_nowait(update)
    state.updates.clear()
    state.new_updates.notify()
    return _json({"success": True})


async def delete_subscription(request: web.Request) -> web.Response:
    state = _state(request)
    url = request.query.get("url")
    if not url:
        raise bad_request("url is required")
    before = len(state.subscriptions)
    state.subscriptions = [s for s in state.subscriptions if s.url != url]
    if len(state.subscriptions) == before:
        raise not_found(f"no subscription for {url}")
    return _json({"success": True})


def add_bot_api_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/me", get_me, name="bot:me")
    r.add_patch("/me", patch_me, name="bot:me-patch")
    r.add_get("/updates", get_updates, name="bot:updates")
    r.add_post("/messages", post_message, name="bot:messages")
    r.add_put("/messages", put_message, name="bot:messages-put")
    r.add_delete("/messages", delete_message, name="bot:messages-delete")
    r.add_get("/messages/{mid}", get_message, name="bot:message")
    r.add_post("/answers", post_answer, name="bot:answers")
    r.add_post("/uploads", post_upload, name="bot:uploads")
    r.add_get("/subscriptions", get_subscriptions, name="bot:subscriptions")
    r.add_post("/subscriptions", post_subscription, name="bot:subscriptions-post")
    r.add_delete("/subscriptions", delete_subscription, name="bot:subscriptions-delete")
    r.add_post("/upload/{upload_id}", receive_upload, name="upload")
    r.add_get("/files/{token}", download, name="file")
