"""All state of one fake MAX bot: users, dialogs, the update queue, files, callbacks, counters."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..limits import TokenBucket
from ..notifier import Notifier
from .bodies import KEEP, ParsedBody
from .config import LIMIT_FIELDS, MaxSandboxConfig
from .errors import MaxApiError, chat_denied, not_found, status_error
from .records import Callback, MaxMessage, MaxUser, StoredFile, Subscription, absolutize, now_ms


@dataclass
class Fault:
    method: str  # a Bot API path name (messages, updates, me, answers, uploads, subscriptions) or *
    status: int  # an HTTP error status, or 0 to hang
    remaining: int
    seconds: float = 30.0  # how long a hang lasts before the server gives up with 504

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class MaxStats:
    def __init__(self) -> None:
        self.requests = 0
        self.methods: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()  # error statuses by code
        self.rate_limited = 0
        self.sent = 0
        self.first_send_at: float | None = None
        self.last_send_at: float | None = None

    def record_send(self) -> None:
        now = time.time()
        self.sent += 1
        self.first_send_at = self.first_send_at or now
        self.last_send_at = now

    def to_json(self) -> dict[str, Any]:
        span = (self.last_send_at or 0) - (self.first_send_at or 0)
        rate = (self.sent - 1) / span if self.sent > 1 and span > 0 else None
        return {
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "sent": self.sent,
            "achieved_rate": rate,
            "methods": dict(self.methods),
            "errors": dict(self.statuses),
        }


class MaxState:
    def __init__(self, config: MaxSandboxConfig) -> None:
        self.config = config
        self._initial_limits = config.limits()
        self.changes = Notifier()  # wakes the control API's long polls (chat page, client)
        self.new_updates = Notifier()  # wakes GET /updates and the webhook sender
        self.public_base = ""  # absolute URL of the app root, learnt from the latest request
        self.version = 0  # grows forever (also across resets), so client baselines stay valid
        self.reset(restore_limits=False)

    # -- lifecycle ----------------------------------------------------------------------------

    def reset(self, restore_limits: bool = True) -> None:
        if restore_limits:
            self.config.update_limits(**self._initial_limits)
        self.users: dict[int, MaxUser] = {}
        self.messages: dict[str, MaxMessage] = {}
        self.dialogs: dict[int, list[MaxMessage]] = {}
        self.updates: list[tuple[int, dict[str, Any]]] = []  # not yet acknowledged (polling)
        self.next_update = 1
        self.files: dict[str, StoredFile] = {}
        self.uploads: dict[str, str] = {}  # upload id → type
        self.callbacks: dict[str, Callback] = {}
        self.subscriptions: list[Subscription] = []
        self.commands: list[dict[str, Any]] = []
        self.stats = MaxStats()
        self.faults: list[Fault] = []
        self.bucket: TokenBucket | None = None
        # The webhook sender keeps waiting on the same queue across resets: only drain it.
        self.webhook_queue: asyncio.Queue[dict[str, Any]] | None = getattr(self, "webhook_queue", None)
        while self.webhook_queue is not None and not self.webhook_queue.empty():
            self.webhook_queue.get_nowait()
        self._seq = 0
        self.bot_activity = now_ms()
        self._photo_id = 0
        for persona in self.config.personas:
            first, _, last = persona.name.partition(" ")
            user = self.register_user(
                persona.user_id, first, last or None, persona.username, role=persona.role
            )
            # The demo's staff were bound by an invite: they have written to the bot already.
            user.started = user.started or self.config.personas_started
        self.touch()

    def touch(self) -> int:
        self.version += 1
        self.changes.notify()
        return self.version

    # -- bot and users ------------------------------------------------------------------------

    def bot_api(self) -> dict[str, Any]:
        cfg = self.config
        return {
            "user_id": cfg.bot_user_id,
            "first_name": cfg.bot_name,
            "last_name": None,
            "name": cfg.bot_name,
            "username": cfg.bot_username,
            "is_bot": True,
            "last_activity_time": self.bot_activity,
            "description": None,
            "commands": list(self.commands) or None,
        }

    def register_user(
        self,
        user_id: int | None,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        locale: str = "ru",
        phone: str | None = None,
        role: str | None = None,
    ) -> MaxUser:
        if user_id is None:
            user_id = max([*self.users, 100_000]) + 1
        user = MaxUser(user_id, first_name, last_name, username, locale or "ru", phone, role)
        old = self.users.get(user_id)
        if old is not None:  # re-registering keeps the dialog state
            user.started, user.blocked, user.role = old.started, old.blocked, old.role or role
        self.users[user_id] = user
        self.touch()
        return user

    def user(self, user_id: int) -> MaxUser:
        user = self.users.get(user_id)
        if user is None:
            raise LookupError(f"user {user_id} is not registered")
        return user

    def recipient_for_bot(self, user_id: int) -> MaxUser:
        """The person a bot message goes to; 403 chat.denied if he blocked or never started the bot."""
        user = self.users.get(user_id)
        if user is None:
            raise not_found(f"chat {user_id} not found")
        if user.blocked:
            raise chat_denied("chat.denied: the user has blocked the bot")
        if not user.started:
            raise chat_denied("chat.denied: the user has not started a dialog with the bot")
        return user

    # -- messages -----------------------------------------------------------------------------

    def _new_mid(self) -> tuple[str, int]:
        self._seq += 1
        return f"mid.{self._seq:016x}{secrets.token_hex(8)}", self._seq

    def add_message(
        self,
        user: MaxUser,
        from_bot: bool,
        text: str | None,
        attachments: list[dict[str, Any]],
        fmt: str | None = None,
        notify: bool = True,
    ) -> MaxMessage:
        mid, seq = self._new_mid()
        message = MaxMessage(
            mid, seq, user.user_id, from_bot, now_ms(), text, attachments, fmt, notify=notify
        )
        self.messages[mid] = message
        self.dialogs.setdefault(user.user_id, []).append(message)
        message.version = self.touch()
        if from_bot:
            self.stats.record_send()
        else:
            user.last_activity_time = message.timestamp
        return message

    def edit_message(self, message: MaxMessage, body: ParsedBody) -> None:
        if body.text is not KEEP:
            message.text = body.text
            message.format = body.format
        if body.attachments is not KEEP:
            message.attachments = list(body.attachments)
        message.edited += 1
        message.version = self.touch()

    def delete_message(self, message: MaxMessage) -> None:
        message.deleted = True
        message.version = self.touch()

    def find_message(self, mid: str) -> MaxMessage:
        message = self.messages.get(mid)
        if message is None or message.deleted:
            raise not_found(f"message {mid} not found")
        return message

    def message_api(self, message: MaxMessage) -> dict[str, Any]:
        user = self.users.get(message.user_id) or MaxUser(message.user_id, "?")
        bot = self.bot_api()
        bot.pop("description", None)
        bot.pop("commands", None)
        if message.from_bot:
            sender, recipient = bot, {"chat_id": user.user_id, "chat_type": "dialog", "user_id": user.user_id}
        else:
            sender = user.to_api()
            recipient = {"chat_id": user.user_id, "chat_type": "dialog", "user_id": self.config.bot_user_id}
        return {
            "sender": sender,
            "recipient": recipient,
            "timestamp": message.timestamp,
            "body": {
                "mid": message.mid,
                "seq": message.seq,
                "text": message.text,
                "attachments": absolutize(message.attachments, self.public_base) or None,
                "markup": None,
            },
            "link": None,
        }

    def transcript_entry(self, message: MaxMessage) -> dict[str, Any]:
        return {
            **self.message_api(message),
            "side": "bot" if message.from_bot else "user",
            "mid": message.mid,
            "format": message.format,
            "edited": message.edited,
            "deleted": message.deleted,
            "version": message.version,
        }

    def transcript(self, user_id: int, after_version: int = 0) -> dict[str, Any]:
        messages = [m for m in self.dialogs.get(user_id, []) if m.version > after_version]
        return {
            "messages": [self.transcript_entry(m) for m in messages],
            "callbacks": [c.to_json() for c in self.callbacks.values() if c.user_id == user_id],
            "version": self.version,
        }

    # -- files --------------------------------------------------------------------------------

    def store_file(self, kind: str, data: bytes, filename: str, mime_type: str) -> StoredFile:
        self._photo_id += 1
        token = secrets.token_urlsafe(24)
        stored = StoredFile(token, kind, data, filename, mime_type, time.monotonic(), self._photo_id)
        self.files[token] = stored
        return stored

    # -- updates ------------------------------------------------------------------------------

    def emit(self, update_type: str, who: MaxUser, /, **fields: Any) -> dict[str, Any]:
        update = {"update_type": update_type, "timestamp": now_ms(), **fields, "user_locale": who.locale}
        if self.subscriptions and self.webhook_queue is not None:
            self.webhook_queue.put_nowait(update)
        else:
            self.updates.append((self.next_update, update))
            self.next_update += 1
        self.new_updates.notify()
        return update

    def emit_message(self, message: MaxMessage) -> None:
        self.emit("message_created", self.users[message.user_id], message=self.message_api(message))

    def take_updates(
        self, marker: int | None, limit: int, types: set[str] | None
    ) -> tuple[list[dict[str, Any]], int]:
        if marker is not None:  # acknowledges everything before it
            self.updates = [(n, u) for n, u in self.updates if n >= marker]
        found: list[dict[str, Any]] = []
        last = (marker if marker is not None else self.next_update) - 1
        if self.updates:
            last = min(last, self.updates[0][0] - 1)
        for number, update in self.updates:
            if len(found) >= limit:
                break
            last = number
            if types is None or update["update_type"] in types:
                found.append(update)
        return found, last + 1

    # -- callbacks ----------------------------------------------------------------------------

    def new_callback(self, user: MaxUser, message: MaxMessage, payload: str) -> Callback:
        callback = Callback(secrets.token_urlsafe(16), user.user_id, message.mid, payload, now_ms())
        self.callbacks[callback.callback_id] = callback
        return callback

    # -- faults and limits --------------------------------------------------------------------

    def take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.remaining > 0 and fault.method in (method, "*"):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def rate_allows(self) -> bool:
        cfg = self.config
        if not cfg.enforce_limits:
            return True
        now = time.monotonic()
        if self.bucket is None or self.bucket.rate != cfg.rate_per_sec:
            self.bucket = TokenBucket(cfg.rate_per_sec, max(cfg.rate_per_sec, 1.0), now)
        if self.bucket.wait_needed(1, now) > 0:
            return False
        self.bucket.take(1)
        return True

    def fault_error(self, fault: Fault) -> MaxApiError:
        return status_error(fault.status)

    def limits(self) -> dict[str, Any]:
        return {name: getattr(self.config, name) for name in LIMIT_FIELDS}
