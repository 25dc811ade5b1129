"""The sandbox's MAX world: users, stored files, dialog messages, callbacks and subscriptions."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

FILES_PREFIX = "files/"  # internal attachment URLs are relative; rendered absolute per request host


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class MaxUser:
    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    locale: str = "ru"
    phone: str | None = None
    role: str | None = None  # set for personas (chat page sidebar)
    started: bool = False  # pressed "start" or wrote to the bot: the bot may write to him
    blocked: bool = False
    last_activity_time: int = field(default_factory=now_ms)

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def to_api(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "name": self.name,
            "username": self.username,
            "is_bot": False,
            "last_activity_time": self.last_activity_time,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            **self.to_api(),
            "locale": self.locale,
            "phone": self.phone,
            "role": self.role,
            "persona": self.role is not None,
            "started": self.started,
            "blocked": self.blocked,
        }


@dataclass
class StoredFile:
    token: str
    kind: str  # image | file | video | audio
    data: bytes
    filename: str
    mime_type: str
    created: float  # time.monotonic() of the upload
    photo_id: int = 0

    @property
    def path(self) -> str:
        return f"{FILES_PREFIX}{self.token}"

    def attachment(self) -> dict[str, Any]:
        """The attachment as MAX shows it in Message.body.attachments (url relative until rendered)."""
        if self.kind == "image":
            return {
                "type": "image",
                "payload": {"photo_id": self.photo_id, "token": self.token, "url": self.path},
            }
        if self.kind == "file":
            return {
                "type": "file",
                "payload": {"url": self.path, "token": self.token},
                "filename": self.filename,
                "size": len(self.data),
            }
        return {"type": self.kind, "payload": {"url": self.path, "token": self.token}}


@dataclass
class MaxMessage:
    mid: str
    seq: int
    user_id: int  # the person of the dialog
    from_bot: bool
    timestamp: int
    text: str | None
    attachments: list[dict[str, Any]]
    format: str | None = None
    version: int = 0  # state version of the last change (creation, edit, deletion)
    edited: int = 0
    deleted: bool = False
    notify: bool = True


@dataclass
class Callback:
    callback_id: str
    user_id: int
    mid: str
    payload: str
    timestamp: int
    answered: bool = False
    notification: str | None = None
    message: dict[str, Any] | None = None  # the NewMessageBody of the answer, if any
    answered_at: int | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Subscription:
    url: str
    secret: str | None
    update_types: list[str] | None
    time: int = field(default_factory=now_ms)
    delivered: int = 0
    failed: int = 0
    last_error: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {"url": self.url, "time": self.time, "update_types": self.update_types}

    def to_json(self) -> dict[str, Any]:
        return {
            **self.to_api(),
            "delivered": self.delivered,
            "failed": self.failed,
            "last_error": self.last_error,
        }


def absolutize(value: Any, base: str) -> Any:
    """Deep copy of attachments with internal ``files/…`` URLs made absolute."""
    value = copy.deepcopy(value)
    for item in value or []:
        payload = item.get("payload") if isinstance(item, dict) else None
        if isinstance(payload, dict) and str(payload.get("url", "")).startswith(FILES_PREFIX):
            payload["url"] = f"{base}/{payload['url']}"
    return value
