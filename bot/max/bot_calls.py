"""The bot itself in MAX: getMe, its commands, updates by long polling, the webhook subscription,
files to download, close."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiogram.exceptions import TelegramBadRequest

from bot.max.calls import (
    MaxSession,
    handles,
)
from bot.max.updates import UPDATE_TYPES, update_dicts
from services.files import MAX_FILE_BYTES

if TYPE_CHECKING:
    from aiogram import Bot


log = logging.getLogger(__name__)


@handles("getMe")
async def get_me(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    from services.messengers import max_address

    me = await session.request(method, "GET", "/me")
    return {
        "id": max_address(int(me["user_id"])),
        "is_bot": True,
        "first_name": me.get("first_name") or me.get("name") or "",
        "last_name": me.get("last_name") or None,
        "username": me.get("username") or None,
    }


@handles("setMyCommands")
async def set_my_commands(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    if method.language_code:  # MAX has one command list: the default language's
        return True
    commands = [{"name": c.command, "description": c.description} for c in method.commands]
    await session.request(method, "PATCH", "/me", body={"commands": commands})
    return True


@handles("deleteMyCommands")
async def delete_my_commands(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    if method.language_code:
        return True
    await session.request(method, "PATCH", "/me", body={"commands": []})
    return True


@handles("getUpdates")
async def get_updates(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    # aiogram's ``offset`` acknowledges what it has handled; MAX's marker does the same job.
    poll = int(method.timeout or 0)
    params: dict[str, Any] = {
        "limit": min(int(method.limit or 100), 1000),
        "timeout": poll,
        "types": ",".join(UPDATE_TYPES),
        "marker": session.marker,
    }
    answer = await session.request(
        method, "GET", "/updates", params=params, request_timeout=poll + session.timeout
    )
    if answer.get("marker") is not None:
        session.marker = int(answer["marker"])
    result: list[dict[str, Any]] = []
    for raw in answer.get("updates") or []:
        try:
            result.extend(await update_dicts(raw, session.refs, session.next_update_id))
        except Exception:  # one odd update must not stop the others
            log.exception("MAX update of type %s could not be translated", raw.get("update_type"))
    return result


async def _subscriptions(session: MaxSession, method: Any) -> list[dict[str, Any]]:
    answer = await session.request(method, "GET", "/subscriptions")
    return list((answer or {}).get("subscriptions") or [])


@handles("deleteWebhook")
async def delete_webhook(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    for subscription in await _subscriptions(session, method):
        await session.request(method, "DELETE", "/subscriptions", params={"url": subscription["url"]})
    return True


@handles("setWebhook")
async def set_webhook(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    body: dict[str, Any] = {"url": method.url, "update_types": list(UPDATE_TYPES)}
    if method.secret_token:
        body["secret"] = method.secret_token
    await session.request(method, "POST", "/subscriptions", body=body)
    return True


@handles("getWebhookInfo")
async def get_webhook_info(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    subscriptions = await _subscriptions(session, method)
    url = subscriptions[0]["url"] if subscriptions else ""
    return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}


@handles("getFile")
async def get_file(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    info = await session.refs.file(method.file_id)
    if info is None or not info.url:
        raise TelegramBadRequest(
            method=method, message="wrong file_id or the file is temporarily unavailable"
        )
    if info.size is not None and info.size > MAX_FILE_BYTES:
        raise TelegramBadRequest(method=method, message="file is too big")
    return {
        "file_id": method.file_id,
        "file_unique_id": method.file_id.split(":", 1)[-1],
        "file_size": info.size,
        "file_path": info.url,
    }


@handles("close", "logOut")
async def close(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    return True
