"""Test driver for the MAX sandbox's control API: play users, inspect what the bot sent, wait for replies.

Messages are dicts in MAX's Message shape (``body.mid``, ``body.text``, ``body.attachments``) plus the
transcript's own keys: ``side`` ("bot" | "user"), ``mid``, ``format``, ``edited``, ``deleted``, ``version``.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any

from ..control_client import ControlClient, SandboxError

Message = dict[str, Any]
LONG_POLL_SLICE = 25.0


class MaxSandboxError(SandboxError):
    """The MAX control API refused an action (a test-level failure, hence an AssertionError)."""


def buttons_of(message: Message) -> list[list[dict[str, Any]]]:
    """The inline keyboard rows of a message (empty without a keyboard)."""
    for attachment in message["body"].get("attachments") or []:
        if attachment.get("type") == "inline_keyboard":
            return attachment["payload"]["buttons"]
    return []


def _b64(items: list[tuple[bytes, str]] | None) -> list[dict[str, str]]:
    return [{"name": name, "data": base64.b64encode(data).decode()} for data, name in items or []]


class MaxSandboxClient(ControlClient):
    """Plays MAX users against the fake MAX's control API."""

    label = "MAX sandbox"

    def error(self, message: str) -> SandboxError:
        return MaxSandboxError(message)

    # -- users ----------------------------------------------------------------------------------

    async def register_user(
        self,
        user_id: int | None = None,
        first_name: str = "Тестовый житель",
        last_name: str | None = None,
        username: str | None = None,
        locale: str = "ru",
        phone: str | None = None,
    ) -> dict[str, Any]:
        body = await self._request(
            "POST",
            "users",
            json={
                "user_id": user_id,
                "first_name": first_name,
                "last_name": last_name,
                "username": username,
                "locale": locale,
                "phone": phone,
            },
        )
        return body["user"]

    async def start(self, user_id: int, payload: str | None = None) -> dict[str, Any]:
        """The user opens the bot (deep link payload optional): ``bot_started``."""
        body = await self._request("POST", f"users/{user_id}/start", json={"payload": payload})
        self._acted(user_id, body)
        return body["user"]

    async def block(self, user_id: int) -> None:
        body = await self._request("POST", f"users/{user_id}/block")
        self._acted(user_id, body)

    async def unblock(self, user_id: int) -> None:
        body = await self._request("POST", f"users/{user_id}/unblock")
        self._acted(user_id, body)

    # -- user messages --------------------------------------------------------------------------

    async def _send(self, user_id: int, path: str, payload: dict[str, Any]) -> Message:
        body = await self._request("POST", f"users/{user_id}/{path}", json=payload)
        self._acted(user_id, body)
        return body["message"]

    async def send_text(self, user_id: int, text: str) -> Message:
        return await self._send(user_id, "messages", {"text": text})

    async def send_media(
        self,
        user_id: int,
        images: list[tuple[bytes, str]] | None = None,
        files: list[tuple[bytes, str]] | None = None,
        text: str | None = None,
    ) -> Message:
        """Several images and/or files in ONE message (base64 JSON to the control API)."""
        return await self._send(
            user_id, "messages", {"text": text, "images": _b64(images), "files": _b64(files)}
        )

    async def send_contact(
        self, user_id: int, phone: str, name: str | None = None, own: bool = False
    ) -> Message:
        """A contact card; ``own=True`` is the user sharing himself (``max_info`` = the user)."""
        return await self._send(user_id, "contact", {"phone": phone, "name": name, "own": own})

    async def send_location(self, user_id: int, lat: float, lon: float) -> Message:
        return await self._send(user_id, "location", {"latitude": lat, "longitude": lon})

    async def press(
        self,
        user_id: int,
        mid: str,
        *,
        text: str | None = None,
        payload: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Press a button of a bot message by its label (or callback payload).

        Returns ``{"kind", "callback_id"}`` for callback buttons, ``{"kind", "url"}`` for links and
        ``{"kind", "message"}`` for message / request_contact / request_geo_location buttons (extra:
        ``phone``, ``latitude``, ``longitude``).
        """
        body = await self._request(
            "POST", f"users/{user_id}/press", json={"mid": mid, "text": text, "payload": payload, **extra}
        )
        self._acted(user_id, body)
        body.pop("ok", None)
        body.pop("version", None)
        return body

    # -- what the bot did -----------------------------------------------------------------------

    async def transcript(self, user_id: int) -> list[Message]:
        return (await self._request("GET", f"users/{user_id}/transcript"))["messages"]

    async def bot_messages(self, user_id: int, include_deleted: bool = False) -> list[Message]:
        return [
            m
            for m in await self.transcript(user_id)
            if m["side"] == "bot" and (include_deleted or not m["deleted"])
        ]

    async def callback_answers(self, user_id: int | None = None) -> list[dict[str, Any]]:
        path = f"users/{user_id}/callbacks" if user_id is not None else "callbacks"
        return (await self._request("GET", path))["callbacks"]

    async def wait_for(
        self,
        user_id: int,
        predicate: Callable[[Message], bool] | None = None,
        *,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - part of the documented driver API
        since_version: int | None = None,
    ) -> Message:
        """The first bot message created or edited since the user's last action that matches.

        On timeout an AssertionError carries the transcript's tail.
        """
        baseline = self._baseline.get(user_id, 0) if since_version is None else since_version

        def matches(message: Message) -> bool:
            if message["side"] != "bot" or message["deleted"] or message["version"] <= baseline:
                return False
            if contains is not None and contains not in (message["body"].get("text") or ""):
                return False
            return predicate is None or predicate(message)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        body = await self._request("GET", f"users/{user_id}/transcript")
        while True:
            found = next((m for m in body["messages"] if matches(m)), None)
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(await self._timeout_report(user_id, contains, timeout))
            body = await self._request(
                "GET",
                f"users/{user_id}/updates",
                params={"after": body["version"], "timeout": min(remaining, LONG_POLL_SLICE)},
            )

    async def _timeout_report(self, user_id: int, contains: str | None, waited: float) -> str:
        lines = [
            f"no matching bot message for user {user_id} within {waited}s"
            + (f" (contains={contains!r})" if contains else "")
            + "; transcript tail:"
        ]
        for m in (await self.transcript(user_id))[-10:]:
            body = m["body"]
            kinds = [a["type"] for a in body.get("attachments") or [] if a["type"] != "inline_keyboard"]
            labels = [b["text"] for row in buttons_of(m) for b in row]
            flags = (" [edited]" if m["edited"] else "") + (" [deleted]" if m["deleted"] else "")
            lines.append(
                f"  {m['side']} {m['mid']}{flags}: {body.get('text')!r}"
                + (f" attachments={kinds}" if kinds else "")
                + (f" buttons={labels}" if labels else "")
            )
        return "\n".join(lines)

    # -- sandbox control ------------------------------------------------------------------------

    async def download(self, url: str) -> bytes:
        """An attachment's ``payload.url`` (absolute) or a path relative to the sandbox root."""
        if "://" not in url:
            url = f"{self.base_url}/{url.lstrip('/')}"
        async with self.session.get(url) as resp:
            if resp.status != 200:
                raise MaxSandboxError(f"download of {url} failed: HTTP {resp.status}")
            return await resp.read()

    async def stats(self) -> dict[str, Any]:
        body = await self._request("GET", "stats")
        body.pop("ok", None)
        return body

    async def set_limits(self, **fields: Any) -> dict[str, Any]:
        return (await self._request("POST", "limits", json=fields))["limits"]

    async def inject_faults(
        self, method: str, status: int | str, count: int = 1, seconds: float | None = None
    ) -> None:
        """The next ``count`` calls of ``method`` (messages, updates, answers, uploads, me,
        subscriptions or ``*``) answer ``status`` (4xx/5xx) or hang (``status="hang"``)."""
        await self._request(
            "POST", "faults", json={"method": method, "status": status, "count": count, "seconds": seconds}
        )

    async def clear_faults(self) -> None:
        await self._request("DELETE", "faults")

    async def reset(self) -> None:
        await self._request("POST", "reset")
        self._baseline.clear()
