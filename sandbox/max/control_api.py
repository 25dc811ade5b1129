"""JSON control API under ``/api/…`` for tests, the demo and the chat page.

Replies are ``{"ok": true, …}`` or ``{"ok": false, "error": str}`` with an HTTP error status. Media go
as base64 in JSON: ``{"text": …, "images": [{"name", "data"}], "files": [{"name", "data", "mime_type"}]}``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import mimetypes
from typing import Any

from aiohttp import web

from .errors import MaxApiError
from .keys import MAX_STATE
from .records import MaxMessage, MaxUser
from .state import Fault, MaxState

MAX_LONG_POLL = 60.0
MAX_START_PAYLOAD = 128
DEMO_LOCATION = (55.751244, 37.618423)


class ActionError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _ok(**payload: Any) -> web.Response:
    return web.json_response({"ok": True, **payload}, dumps=_dumps)


@web.middleware
async def control_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except (ActionError, MaxApiError, ValueError, LookupError) as error:
        if "/api/" not in request.path and not isinstance(error, ActionError):
            raise
        status = getattr(error, "status", 404 if isinstance(error, LookupError) else 400)
        message = getattr(error, "message", None) or str(error).strip("'\"")
        return web.json_response({"ok": False, "error": message}, status=status, dumps=_dumps)


def _state(request: web.Request) -> MaxState:
    return request.app[MAX_STATE]


async def _params(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise ActionError(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise ActionError(400, "the body must be a JSON object")
    return body


def _user(request: web.Request) -> MaxUser:
    user = _state(request).users.get(int(request.match_info["user_id"]))
    if user is None:
        raise ActionError(404, "user not found")
    return user


def _acting(request: web.Request) -> MaxUser:
    user = _user(request)
    if user.blocked:
        raise ActionError(409, "the user has blocked the bot: unblock (or start) first")
    return user


def _sent(state: MaxState, message: MaxMessage) -> web.Response:
    return _ok(message=state.transcript_entry(message), version=state.version)


def user_message(
    state: MaxState, user: MaxUser, text: str | None, attachments: list[dict[str, Any]]
) -> MaxMessage:
    """The user writes to the bot: the dialog opens, the bot gets ``message_created``."""
    user.started = True
    message = state.add_message(user, False, text or None, attachments)
    state.emit_message(message)
    return message


def _decode(item: Any, kind: str) -> tuple[bytes, str, str]:
    if not isinstance(item, dict) or not isinstance(item.get("data"), str):
        raise ActionError(400, f"each of {kind}s must be {{name, data (base64)}}")
    name = str(item.get("name") or ("photo.jpg" if kind == "image" else "file.bin"))
    try:
        data = base64.b64decode(item["data"], validate=True)
    except (binascii.Error, ValueError):
        raise ActionError(400, f"{kind} {name!r}: data is not valid base64") from None
    mime = item.get("mime_type") or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return data, name, str(mime)


def vcard(name: str, phone: str) -> str:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nTEL;TYPE=cell:{phone}\r\nEND:VCARD"


def _phone(user: MaxUser, params: dict[str, Any]) -> str:
    return str(params.get("phone") or user.phone or f"+7999{user.user_id % 10_000_000:07d}")


def contact_attachment(user: MaxUser, phone: str, name: str | None, own: bool) -> dict[str, Any]:
    return {
        "type": "contact",
        "payload": {"vcf_info": vcard(name or user.name, phone), "max_info": user.to_api() if own else None},
    }


def location_attachment(params: dict[str, Any]) -> dict[str, Any]:
    try:
        lat = float(params.get("latitude", DEMO_LOCATION[0]))
        lon = float(params.get("longitude", DEMO_LOCATION[1]))
    except (TypeError, ValueError):
        raise ActionError(400, "latitude and longitude must be numbers") from None
    return {"type": "location", "latitude": lat, "longitude": lon}


# -- routes --------------------------------------------------------------------------------------


async def get_config(request: web.Request) -> web.Response:
    state = _state(request)
    personas = [u.to_json() for u in state.users.values() if u.role is not None]
    return _ok(lang=state.config.lang, personas=personas, bot=state.bot_api(), limits=state.limits())


async def list_users(request: web.Request) -> web.Response:
    return _ok(users=[u.to_json() for u in _state(request).users.values()])


async def create_user(request: web.Request) -> web.Response:
    state, params = _state(request), await _params(request)
    first_name = str(params.get("first_name") or params.get("name") or "").strip()
    if not first_name:
        raise ActionError(400, "first_name is required")
    user_id = params.get("user_id")
    user = state.register_user(
        int(user_id) if user_id is not None else None,
        first_name,
        params.get("last_name") or None,
        params.get("username") or None,
        str(params.get("locale") or "ru"),
        params.get("phone") or None,
        params.get("role") or None,
    )
    return _ok(user=user.to_json(), version=state.version)


async def start(request: web.Request) -> web.Response:
    state, user, params = _state(request), _user(request), await _params(request)
    payload = params.get("payload")
    if payload is not None and (not isinstance(payload, str) or len(payload) > MAX_START_PAYLOAD):
        raise ActionError(400, f"payload must be a string of at most {MAX_START_PAYLOAD} characters")
    user.started, user.blocked = True, False
    state.emit("bot_started", user, chat_id=user.user_id, user=user.to_api(), payload=payload)
    return _ok(user=user.to_json(), version=state.touch())


async def block(request: web.Request) -> web.Response:
    state, user = _state(request), _user(request)
    if request.match_info["action"] == "block":
        if not user.blocked:
            user.blocked = True
            state.emit("bot_stopped", user, chat_id=user.user_id, user=user.to_api())
    elif user.blocked:  # in MAX a user unblocks by starting the bot again
        user.blocked, user.started = False, True
        state.emit("bot_started", user, chat_id=user.user_id, user=user.to_api(), payload=None)
    return _ok(user=user.to_json(), version=state.touch())


async def transcript(request: web.Request) -> web.Response:
    state, user = _state(request), _user(request)
    return _ok(user=user.to_json(), **state.transcript(user.user_id))


async def dialog_updates(request: web.Request) -> web.Response:
    """Long poll: answers as soon as the dialog changed after ``after`` (or on timeout)."""
    state, user = _state(request), _user(request)
    after = int(request.query.get("after", "0") or 0)
    timeout = min(max(float(request.query.get("timeout", "25") or 0), 0.0), MAX_LONG_POLL)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        if state.version > after or remaining <= 0:  # any change: the caller re-checks (cheap)
            return _ok(user=user.to_json(), **state.transcript(user.user_id, after_version=after))
        await state.changes.wait(remaining)


async def send_message(request: web.Request) -> web.Response:
    state, user, params = _state(request), _acting(request), await _params(request)
    text = params.get("text")
    if text is not None and not isinstance(text, str):
        raise ActionError(400, "text must be a string")
    attachments = []
    for kind, key in (("image", "images"), ("file", "files")):
        for item in params.get(key) or []:
            data, name, mime = _decode(item, kind)
            attachments.append(state.store_file(kind, data, name, mime).attachment())
    if not text and not attachments:
        raise ActionError(400, "text, images or files are required")
    return _sent(state, user_message(state, user, text, attachments))


async def send_contact(request: web.Request) -> web.Response:
    state, user, params = _state(request), _acting(request), await _params(request)
    own = bool(params.get("own", False))
    attachment = contact_attachment(user, _phone(user, params), params.get("name"), own)
    return _sent(state, user_message(state, user, None, [attachment]))


async def send_location(request: web.Request) -> web.Response:
    state, user, params = _state(request), _acting(request), await _params(request)
    return _sent(state, user_message(state, user, None, [location_attachment(params)]))


def _find_button(message: MaxMessage, params: dict[str, Any]) -> dict[str, Any]:
    label, payload = params.get("text"), params.get("payload")
    buttons = [
        button
        for attachment in message.attachments
        if attachment.get("type") == "inline_keyboard"
        for row in attachment["payload"]["buttons"]
        for button in row
    ]
    for button in buttons:
        if (label is not None and button.get("text") == label) or (
            payload is not None and button.get("payload") == payload
        ):
            return button
    raise ActionError(404, f"no button {label or payload!r}; buttons: {[b.get('text') for b in buttons]}")


async def press(request: web.Request) -> web.Response:
    state, user, params = _state(request), _acting(request), await _params(request)
    message = state.messages.get(str(params.get("mid") or ""))
    if message is None or message.deleted or message.user_id != user.user_id or not message.from_bot:
        raise ActionError(404, "no such bot message in this dialog")
    button = _find_button(message, params)
    kind = button["type"]
    if kind == "callback":
        callback = state.new_callback(user, message, button["payload"])
        state.emit(
            "message_callback",
            user,
            callback={
                "timestamp": callback.timestamp,
                "callback_id": callback.callback_id,
                "payload": callback.payload,
                "user": user.to_api(),
            },
            message=state.message_api(message),
        )
        return _ok(kind=kind, callback_id=callback.callback_id, version=state.touch())
    if kind == "link":
        return _ok(kind=kind, url=button["url"], version=state.version)
    if kind == "message":
        sent = user_message(state, user, button["text"], [])
    elif kind == "request_contact":
        sent = user_message(state, user, None, [contact_attachment(user, _phone(user, params), None, True)])
    else:
        sent = user_message(state, user, None, [location_attachment(params)])
    return _ok(kind=kind, message=state.transcript_entry(sent), version=state.version)


async def callbacks(request: web.Request) -> web.Response:
    state = _state(request)
    user_id = request.match_info.get("user_id")
    found = [c for c in state.callbacks.values() if user_id is None or c.user_id == int(user_id)]
    return _ok(callbacks=[c.to_json() for c in found])


async def subscriptions(request: web.Request) -> web.Response:
    return _ok(subscriptions=[s.to_json() for s in _state(request).subscriptions])


async def get_stats(request: web.Request) -> web.Response:
    return _ok(**_state(request).stats.to_json())


async def reset_stats(request: web.Request) -> web.Response:
    state = _state(request)
    state.stats = type(state.stats)()
    return _ok()


async def get_limits(request: web.Request) -> web.Response:
    return _ok(limits=_state(request).limits())


async def set_limits(request: web.Request) -> web.Response:
    state = _state(request)
    state.config.update_limits(**await _params(request))
    state.bucket = None  # new parameters start from a full bucket
    return _ok(limits=state.limits())


async def list_faults(request: web.Request) -> web.Response:
    return _ok(faults=[f.to_json() for f in _state(request).faults])


async def add_fault(request: web.Request) -> web.Response:
    state, params = _state(request), await _params(request)
    method = str(params.get("method") or "*").strip("/")
    hang = params.get("status") == "hang" or params.get("hang") is True
    status = 0 if hang else int(params.get("status") or 0)
    if not hang and not 400 <= status <= 599:
        raise ActionError(400, "status must be an HTTP error status (4xx/5xx) or 'hang'")
    fault = Fault(method, status, int(params.get("count") or 1), float(params.get("seconds") or 30.0))
    state.faults.append(fault)
    return _ok(fault=fault.to_json())


async def clear_faults(request: web.Request) -> web.Response:
    _state(request).faults.clear()
    return _ok()


async def reset(request: web.Request) -> web.Response:
    _state(request).reset()
    return _ok()


def add_control_routes(app: web.Application) -> None:
    r = app.router
    uid = r"{user_id:\d+}"
    r.add_get("/api/config", get_config)
    r.add_get("/api/users", list_users)
    r.add_post("/api/users", create_user)
    r.add_post(f"/api/users/{uid}/start", start)
    r.add_post(f"/api/users/{uid}/{{action:block|unblock}}", block)
    r.add_get(f"/api/users/{uid}/transcript", transcript)
    r.add_get(f"/api/users/{uid}/updates", dialog_updates)
    r.add_post(f"/api/users/{uid}/messages", send_message)
    r.add_post(f"/api/users/{uid}/contact", send_contact)
    r.add_post(f"/api/users/{uid}/location", send_location)
    r.add_post(f"/api/users/{uid}/press", press)
    r.add_get(f"/api/users/{uid}/callbacks", callbacks)
    r.add_get("/api/callbacks", callbacks)
    r.add_get("/api/subscriptions", subscriptions)
    r.add_get("/api/stats", get_stats)
    r.add_post("/api/stats/reset", reset_stats)
    r.add_get("/api/limits", get_limits)
    r.add_post("/api/limits", set_limits)
    r.add_get("/api/faults", list_faults)
    r.add_post("/api/faults", add_fault)
    r.add_delete("/api/faults", clear_faults)
    r.add_post("/api/reset", reset)
