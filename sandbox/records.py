"""In-memory records of the fake Telegram world and their Bot API / transcript JSON shapes."""

from __future__ import annotations

import hashlib
import mimetypes
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .notifier import Notifier
from .text_format import entities_to_html

# Message content keys that carry files, in the order Telegram documents them.
MEDIA_KINDS = ("photo", "document", "video", "audio", "voice", "animation", "sticker", "video_note")
CONTENT_KINDS = ("text", *MEDIA_KINDS, "location", "contact", "venue")


@dataclass
class UserAccount:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "ru"
    last_name: str | None = None
    role: str | None = None
    persona: bool = False
    blocked: bool = False

    @property
    def phone(self) -> str:
        return f"+7900{self.id % 10_000_000:07d}"

    def to_telegram(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def to_json(self) -> dict[str, Any]:
        return {**self.to_telegram(), "role": self.role, "persona": self.persona, "blocked": self.blocked}


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0


@dataclass
class BotAccount:
    id: int
    token: str
    updates: deque[dict[str, Any]] = field(default_factory=deque)
    next_update_id: int = 1
    notifier: Notifier = field(default_factory=Notifier)
    poll_generation: int = 0  # a newer getUpdates call terminates an older one with 409
    allowed_updates: list[str] | None = None
    webhook: WebhookConfig | None = None
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    menu_button: dict[str, Any] = field(default_factory=lambda: {"type": "default"})

    @property
    def username(self) -> str:
        return f"sandbox_{self.id}_bot"

    @property
    def first_name(self) -> str:
        return f"Sandbox Bot {self.id}"

    def to_user(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def get_me(self) -> dict[str, Any]:
        return {
            **self.to_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            **self.to_user(),
            "pending_updates": len(self.updates),
            "webhook_url": self.webhook.url if self.webhook else None,
        }


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    kind: str
    file_name: str | None
    mime_type: str | None
    file_path: str
    width: int = 0
    height: int = 0

    @classmethod
    def create(
        cls, data: bytes, kind: str, file_name: str | None, mime_type: str | None, seq: int
    ) -> StoredFile:
        # Same bytes → same unique id, like Telegram; lets duplicate detection see re-sent media.
        unique = hashlib.sha256(data).hexdigest()[:16]
        name = file_name or f"file_{seq}"
        mime = mime_type or mimetypes.guess_type(name)[0]
        ext = (
            name.rsplit(".", 1)[-1] if "." in name else (mimetypes.guess_extension(mime or "") or ".bin")[1:]
        )
        folder = {"photo": "photos", "voice": "voice", "sticker": "stickers", "video": "videos"}.get(
            kind, "documents"
        )
        width, height = image_size(data) if kind == "photo" else (0, 0)
        return cls(
            f"{kind[:3].upper()}AgAC{seq:06d}{secrets.token_urlsafe(18)}",
            f"AQAD{unique}",
            data,
            kind,
            file_name,
            mime,
            f"{folder}/file_{seq}.{ext}",
            width or 1280,
            height or 960,
        )

    @property
    def size(self) -> int:
        return len(self.data)

    def to_get_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }

    def to_media(self) -> Any:
        """The Telegram object for this file inside a message (PhotoSize list for photos)."""
        base = {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": self.size}
        if self.kind == "photo":
            return [{**base, "width": self.width, "height": self.height}]
        if self.kind == "sticker":
            return {
                **base,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
        if self.kind in ("voice", "audio", "video", "video_note", "animation"):
            extra: dict[str, Any] = {"duration": 1}
            if self.kind in ("video", "animation"):
                extra |= {"width": 640, "height": 360}
            if self.kind == "video_note":
                extra["length"] = 240
            return {**base, **extra, **({"mime_type": self.mime_type} if self.mime_type else {})}
        data = {**base}
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data


def image_size(data: bytes) -> tuple[int, int]:
    """Width/height of a PNG/GIF/JPEG from its header; (0, 0) when unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data) and data[i] == 0xFF:
            marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
            i += 2 + length
    return 0, 0


@dataclass
class ChatRecord:
    id: int
    type: str  # "private" | "group" | "supergroup"
    user: UserAccount | None = None
    title: str | None = None
    members: set[int] = field(default_factory=set)
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: dict[str, Any] | None = None  # the custom keyboard currently shown to the user
    callbacks: list[CallbackRecord] = field(default_factory=list)
    last_action: str | None = None
    version: int = 0

    def to_telegram(self) -> dict[str, Any]:
        if self.user is not None:
            data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        return {"id": self.id, "type": self.type, "title": self.title or f"Group {self.id}"}


@dataclass
class MessageRecord:
    message_id: int
    chat: ChatRecord
    date: int
    content: dict[str, Any]  # Telegram content fields: text/entities, photo/caption/…, location, …
    files: list[StoredFile] = field(default_factory=list)
    bot: BotAccount | None = None  # set for bot-sent messages
    user: UserAccount | None = None  # set for user-sent messages
    reply_markup: dict[str, Any] | None = None
    reply_to: MessageRecord | None = None
    media_group_id: str | None = None
    edit_date: int | None = None
    edited: int = 0
    deleted: bool = False
    version: int = 0

    @property
    def kind(self) -> str:
        return next((k for k in CONTENT_KINDS if k in self.content), "unknown")

    @property
    def plain_text(self) -> str:
        return self.content.get("text") or self.content.get("caption") or ""

    def to_telegram(self, with_reply: bool = True) -> dict[str, Any]:
        sender = self.bot.to_user() if self.bot else self.user.to_telegram() if self.user else None
        data: dict[str, Any] = {"message_id": self.message_id}
        if sender:
            data["from"] = sender
        data |= {"chat": self.chat.to_telegram(), "date": self.date}
        if self.edit_date:
            data["edit_date"] = self.edit_date
        if self.media_group_id:
            data["media_group_id"] = self.media_group_id
        if with_reply and self.reply_to is not None:
            data["reply_to_message"] = self.reply_to.to_telegram(with_reply=False)
        data |= {k: v for k, v in self.content.items() if v not in (None, [])}
        # Only inline keyboards are echoed back in Message objects, as in Telegram.
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data

    def to_transcript(self) -> dict[str, Any]:
        text_key, ent_key = (
            ("text", "entities") if "text" in self.content else ("caption", "caption_entities")
        )
        text = self.content.get(text_key)
        sender = self.bot.to_user() if self.bot else self.user.to_telegram() if self.user else None
        return {
            "message_id": self.message_id,
            "chat_id": self.chat.id,
            "side": "bot" if self.bot else "user",
            "from": sender,
            "date": self.date,
            "version": self.version,
            "kind": self.kind,
            "text": self.content.get("text"),
            "caption": self.content.get("caption"),
            "entities": self.content.get(ent_key) or [],
            "html": entities_to_html(text, self.content.get(ent_key)) if text else None,
            "reply_markup": self.reply_markup,
            "media": [
                {
                    "type": f.kind,
                    "file_id": f.file_id,
                    "file_name": f.file_name,
                    "mime_type": f.mime_type,
                    "file_size": f.size,
                    "file_path": f.file_path,
                    "url": f"api/files/{f.file_id}",
                }
                for f in self.files
            ],
            "media_group_id": self.media_group_id,
            "location": self.content.get("location"),
            "contact": self.content.get("contact"),
            "reply_to_message_id": self.reply_to.message_id if self.reply_to else None,
            "edited": self.edited,
            "deleted": self.deleted,
        }


@dataclass
class CallbackRecord:
    id: str
    chat: ChatRecord
    message: MessageRecord
    user: UserAccount
    data: str
    bot: BotAccount
    created_at: float
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False
    url: str | None = None
    version: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "message_id": self.message.message_id,
            "data": self.data,
            "from_id": self.user.id,
            "answered": self.answered,
            "text": self.answer_text,
            "show_alert": self.show_alert,
            "url": self.url,
            "version": self.version,
        }
