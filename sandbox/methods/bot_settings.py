"""Bot identity, commands, menu button and the harmless setters bots call at start-up."""

from __future__ import annotations

import json
from typing import Any

from ..errors import bad_request
from .base import Handler, MethodCall

_COMMAND_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


async def get_me(call: MethodCall) -> dict[str, Any]:
    return call.bot.get_me()


def _commands_key(call: MethodCall) -> str:
    scope = call.params.obj("scope") or {"type": "default"}
    return json.dumps([scope, call.params.string("language_code") or ""], sort_keys=True)


async def set_my_commands(call: MethodCall) -> bool:
    commands = call.params.obj("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON array")
    for command in commands:
        name = str(command.get("command", "")) if isinstance(command, dict) else ""
        if not 1 <= len(name) <= 32 or not set(name) <= _COMMAND_CHARS:
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    call.bot.commands[_commands_key(call)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


async def get_my_commands(call: MethodCall) -> list[dict[str, Any]]:
    return call.bot.commands.get(_commands_key(call), [])


async def delete_my_commands(call: MethodCall) -> bool:
    call.bot.commands.pop(_commands_key(call), None)
    return True


async def set_chat_menu_button(call: MethodCall) -> bool:
    call.bot.menu_button = call.params.obj("menu_button") or {"type": "default"}
    return True


async def get_chat_menu_button(call: MethodCall) -> dict[str, Any]:
    return call.bot.menu_button


async def get_chat(call: MethodCall) -> dict[str, Any]:
    chat = call.chat(writable=False)
    return {
        **chat.to_telegram(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
        },
    }


async def get_chat_member(call: MethodCall) -> dict[str, Any]:
    chat = call.chat(writable=False)
    user_id = call.params.integer("user_id")
    user = call.state.users.get(user_id or 0)
    if user is None:
        raise bad_request("user not found")
    status = "member" if chat.user is user or user.id in chat.members else "left"
    return {"status": status, "user": user.to_telegram()}


async def accept(call: MethodCall) -> bool:
    return True


METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "close": accept,
    "logOut": accept,
    "setMyName": accept,
    "setMyDescription": accept,
    "setMyShortDescription": accept,
    "setMyDefaultAdministratorRights": accept,
}
