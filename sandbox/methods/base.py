"""Shared plumbing for method handlers: target chat lookup, text parsing, rate limiting, sending."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..errors import bad_request, forbidden_blocked, too_many_requests
from ..keyboards import validate_reply_markup
from ..limits import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, utf16_len
from ..params import Params
from ..records import BotAccount, ChatRecord, MessageRecord, StoredFile
from ..state import SandboxState
from ..text_format import parse_formatted


@dataclass
class Described:
    """A successful result that also carries Telegram's ``description`` (setWebhook & co)."""

    result: Any
    description: str


@dataclass
class MethodCall:
    state: SandboxState
    bot: BotAccount
    method: str
    params: Params

    def chat(self, name: str = "chat_id", *, writable: bool = True) -> ChatRecord:
        if not self.params.has(name):
            raise bad_request(f"{name} is empty")
        chat = self.state.find_chat(self.params.values[name])
        if chat is None:
            raise bad_request("chat not found")
        if writable and chat.user is not None and chat.user.blocked:
            raise forbidden_blocked()
        return chat

    def message(
        self, chat: ChatRecord, name: str = "message_id", missing: str = "message to edit not found"
    ) -> MessageRecord:
        message_id = self.params.integer(name)
        if message_id is None:
            raise bad_request(
                f"{name} is empty" if name != "message_id" else "message identifier is not specified"
            )
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request(missing)
        return message

    def text(self, *, caption: bool = False, prefix: str = "") -> tuple[str | None, list[dict[str, Any]]]:
        """Parse text/caption with parse_mode or explicit entities and enforce Telegram's lengths."""
        name = "caption" if caption else "text"
        raw = self.params.string(prefix + name)
        if raw is None or (caption and raw == ""):
            if caption:
                return None, []
            raise bad_request("message text is empty")
        entities = self.params.obj(prefix + ("caption_entities" if caption else "entities"))
        text, parsed = parse_formatted(raw, self.params.string(prefix + "parse_mode"), entities)
        if not caption and not text.strip():
            raise bad_request("message text is empty")
        limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
        if utf16_len(text) > limit:
            raise bad_request("message caption is too long" if caption else "message is too long")
        return text, parsed

    def reply_markup(self, *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = self.params.obj("reply_markup", "can't parse reply keyboard markup JSON object")
        return validate_reply_markup(markup, inline_only=inline_only)

    def reply_to(self, chat: ChatRecord) -> MessageRecord | None:
        reply = self.params.obj("reply_parameters") or {}
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        if message_id is None:
            message_id = self.params.integer("reply_to_message_id")
            allow_missing = self.params.flag("allow_sending_without_reply")
        else:
            allow_missing = bool(reply.get("allow_sending_without_reply"))
        if message_id is None:
            return None
        target = chat.messages.get(int(message_id))
        if (target is None or target.deleted) and not allow_missing:
            raise bad_request("message to be replied not found")
        return target

    def charge(self, chat: ChatRecord, amount: int = 1) -> None:
        retry_after = self.state.limiter.acquire(self.bot.id, chat.id, amount)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    def send(
        self,
        chat: ChatRecord,
        content: dict[str, Any],
        *,
        files: list[StoredFile] | None = None,
        reply_markup: dict[str, Any] | None = None,
        reply_to: MessageRecord | None = None,
        media_group_id: str | None = None,
    ) -> MessageRecord:
        message = self.state.add_message(
            chat,
            content,
            files=files,
            bot=self.bot,
            reply_markup=reply_markup,
            reply_to=reply_to,
            media_group_id=media_group_id,
        )
        fingerprint = (
            message.kind,
            message.plain_text,
            tuple(f.file_unique_id for f in message.files),
            json.dumps(reply_markup, sort_keys=True, ensure_ascii=False) if reply_markup else "",
        )
        self.state.stats.record_send(self.bot.id, chat.id, 1, fingerprint, message.plain_text)
        return message


Handler = Callable[[MethodCall], Awaitable[Any]]
