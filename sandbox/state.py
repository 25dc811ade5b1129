"""The fake Telegram world: bots, users, chats, messages, files and per-bot update queues."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import replace
from typing import Any, Protocol

from .config import SandboxConfig
from .errors import ApiError
from .faults import FaultInjector
from .limits import RateLimiter
from .notifier import Notifier
from .records import BotAccount, CallbackRecord, ChatRecord, MessageRecord, StoredFile, UserAccount
from .stats import Stats

TOKEN_RE = re.compile(r"^(\d{1,20}):([A-Za-z0-9_-]{1,100})$")
# getUpdates without allowed_updates delivers everything except these (Bot API docs).
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
FIRST_GENERATED_USER_ID = 7_000_000_001
# Generated ids start from a floor that grows with wall time (10 ids a second since 2026-01-01), so
# a restarted sandbox never hands a new user the id a user of an earlier run had: the product's
# database outlives the sandbox, and an old id may be bound to a staff member there.
_ID_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z
_IDS_PER_SECOND = 10


def generated_user_id_floor(now: float | None = None) -> int:
    """The lowest id a user registered at ``now`` may get (10 digits until about 2035)."""
    elapsed = max(0.0, (time.time() if now is None else now) - _ID_EPOCH)
    return FIRST_GENERATED_USER_ID + int(elapsed * _IDS_PER_SECOND)


class Webhooks(Protocol):
    """What the state needs of ``webhook.WebhookManager`` (which itself works on the state)."""

    def configure(self, bot: BotAccount) -> None: ...

    async def close(self) -> None: ...


class SandboxState:
    def __init__(self, config: SandboxConfig) -> None:
        self.initial_config = config
        self.config = replace(config, personas=list(config.personas))  # limits change at runtime
        self.limiter = RateLimiter(self.config)
        self.stats = Stats()
        self.faults = FaultInjector()
        self.changes = Notifier()  # wakes transcript long-polls
        self.webhooks: Webhooks | None = None  # wired by create_sandbox_app
        self.bots: dict[int, BotAccount] = {}
        self._last_generated_id = 0  # survives reset(): ids are never handed out twice
        self._clear_world()

    def _clear_world(self) -> None:
        self.users: dict[int, UserAccount] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.pending_updates: list[tuple[str, dict[str, Any]]] = []  # user actions before any bot connected
        self.version = 0
        self._file_seq = 0
        for persona in self.config.personas:
            self.register_user(
                persona.user_id, persona.name, persona.username, role=persona.role, persona=True
            )

    def reset(self) -> None:
        """Forget all chats, files, stats and queued updates; keep bots, restore configured limits."""
        self.config.update_limits(**self.initial_config.limits())
        self.limiter.reset()
        self.stats.reset()
        self.faults.clear()
        for bot in self.bots.values():
            bot.updates.clear()
        self._clear_world()
        self.changes.notify()

    # -- bots -------------------------------------------------------------------------------------

    def bot_for_token(self, token: str) -> BotAccount | None:
        match = TOKEN_RE.match(token)
        if not match:
            return None
        bot_id = int(match.group(1))
        bot = self.bots.get(bot_id)
        if bot is None:
            bot = self.bots[bot_id] = BotAccount(bot_id, token)
            if len(self.bots) == 1:
                # Messages users sent before the first bot connected are waiting for it.
                for kind, payload in self.pending_updates:
                    if kind == "my_chat_member":
                        for side in ("old_chat_member", "new_chat_member"):
                            payload[side]["user"] = bot.to_user()
                    self.push_update(bot, kind, payload)
                self.pending_updates.clear()
        return bot

    def primary_bot(self) -> BotAccount | None:
        return next(iter(self.bots.values()), None)

    def push_update(self, bot: BotAccount | None, kind: str, payload: dict[str, Any]) -> None:
        bot = bot or self.primary_bot()
        if bot is None:
            self.pending_updates.append((kind, payload))
            return
        bot.updates.append({"update_id": bot.next_update_id, kind: payload})
        bot.next_update_id += 1
        bot.notifier.notify()

    @staticmethod
    def drop_disallowed(bot: BotAccount) -> None:
        """Forget queued updates of kinds the bot did not ask for (allowed_updates)."""
        allowed = set(bot.allowed_updates or ())

        def wanted(update: dict[str, Any]) -> bool:
            kind = next(k for k in update if k != "update_id")
            return kind in allowed if allowed else kind not in OPT_IN_UPDATES

        if not all(wanted(u) for u in bot.updates):
            kept = [u for u in bot.updates if wanted(u)]
            bot.updates.clear()
            bot.updates.extend(kept)

    # -- users and chats --------------------------------------------------------------------------

    def register_user(
        self,
        user_id: int | None,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "ru",
        *,
        role: str | None = None,
        persona: bool = False,
    ) -> UserAccount:
        if user_id is None:
            user_id = max([generated_user_id_floor() - 1, self._last_generated_id, *self.users]) + 1
            self._last_generated_id = user_id
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = UserAccount(
                user_id, first_name, username, language_code, role=role, persona=persona
            )
            self.chats[user_id] = ChatRecord(user_id, "private", user=user)
        else:
            user.first_name, user.username, user.language_code = first_name, username, language_code
            user.role = role or user.role
        self.bump(self.chats[user_id])
        return user

    def create_group(self, chat_id: int | None, title: str, member_ids: list[int]) -> ChatRecord:
        if chat_id is None:
            chat_id = min([-1001000000000, *self.chats]) - 1
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = self.chats.setdefault(chat_id, ChatRecord(chat_id, "supergroup", title=title))
        chat.members.update(member_ids)
        return chat

    def set_blocked(self, user: UserAccount, blocked: bool) -> None:
        if user.blocked == blocked:
            return
        user.blocked = blocked
        chat = self.chats[user.id]
        # Before any bot connected, the update waits in the pending queue for the first one.
        for bot in list(self.bots.values()) or [None]:
            me = bot.to_user() if bot else {"id": 0, "is_bot": True, "first_name": "bot"}
            old, new = ({"status": "member"}, {"status": "kicked", "until_date": 0})
            if not blocked:
                old, new = new, old
            self.push_update(
                bot,
                "my_chat_member",
                {
                    "chat": chat.to_telegram(),
                    "from": user.to_telegram(),
                    "date": int(time.time()),
                    "old_chat_member": {**old, "user": me},
                    "new_chat_member": {**new, "user": me},
                },
            )
        self.bump(chat)

    # -- messages ---------------------------------------------------------------------------------

    def bump(self, chat: ChatRecord, *items: MessageRecord | CallbackRecord) -> int:
        """Record a change visible in the transcript and wake its long-pollers."""
        self.version += 1
        chat.version = self.version
        for item in items:
            item.version = self.version
        self.changes.notify()
        return self.version

    def store_file(self, data: bytes, kind: str, file_name: str | None, mime_type: str | None) -> StoredFile:
        self._file_seq += 1
        stored = StoredFile.create(data, kind, file_name, mime_type, self._file_seq)
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def add_message(
        self,
        chat: ChatRecord,
        content: dict[str, Any],
        *,
        files: list[StoredFile] | None = None,
        bot: BotAccount | None = None,
        user: UserAccount | None = None,
        reply_markup: dict[str, Any] | None = None,
        reply_to: MessageRecord | None = None,
        media_group_id: str | None = None,
    ) -> MessageRecord:
        message = MessageRecord(
            chat.next_message_id,
            chat,
            int(time.time()),
            content,
            files or [],
            bot,
            user,
            reply_markup,
            reply_to,
            media_group_id,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        if bot is not None and reply_markup:
            if "keyboard" in reply_markup:
                chat.reply_keyboard = reply_markup
            elif reply_markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        self.bump(chat, message)
        return message

    def user_message(
        self,
        chat: ChatRecord,
        user: UserAccount,
        content: dict[str, Any],
        *,
        files: list[StoredFile] | None = None,
        media_group_id: str | None = None,
        reply_to: MessageRecord | None = None,
        bot_id: int | None = None,
    ) -> MessageRecord:
        """A user writes to the bot: store the message and queue a ``message`` update."""
        message = self.add_message(
            chat, content, files=files, user=user, media_group_id=media_group_id, reply_to=reply_to
        )
        self.push_update(self.bots.get(bot_id) if bot_id else None, "message", message.to_telegram())
        return message

    def press_callback(self, message: MessageRecord, user: UserAccount, data: str) -> CallbackRecord:
        """A user taps an inline button: queue a ``callback_query`` for the bot that sent the message."""
        assert message.bot is not None
        query = CallbackRecord(
            str(secrets.randbits(62)), message.chat, message, user, data, message.bot, time.time()
        )
        self.callbacks[query.id] = query
        message.chat.callbacks.append(query)
        self.push_update(
            message.bot,
            "callback_query",
            {
                "id": query.id,
                "from": user.to_telegram(),
                "message": message.to_telegram(),
                "chat_instance": str(message.chat.id * 7919 + message.bot.id),
                "data": data,
            },
        )
        self.bump(message.chat, query)
        return query

    def find_chat(self, chat_id: int | str | None) -> ChatRecord | None:
        try:
            return self.chats.get(int(chat_id)) if chat_id is not None else None  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    def transcript(self, chat: ChatRecord, after_version: int = 0) -> dict[str, Any]:
        return {
            "chat": chat.to_telegram(),
            "user": chat.user.to_json() if chat.user else None,
            "version": self.version,
            "messages": [m.to_transcript() for m in chat.messages.values() if m.version > after_version],
            "callback_queries": [c.to_json() for c in chat.callbacks if c.version > after_version],
            "reply_keyboard": chat.reply_keyboard,
            "last_action": chat.last_action,
        }


def require_bot_token(state: SandboxState, token: str) -> BotAccount:
    bot = state.bot_for_token(token)
    if bot is None:
        raise ApiError(401, "Unauthorized")
    return bot
