"""Test driver for the sandbox's control API: play users, inspect what the bot sent, wait for replies."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

import aiohttp

from .control_client import ControlClient, SandboxError

Message = dict[str, Any]
LONG_POLL_SLICE = 25.0
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp")


class SandboxClient(ControlClient):
    """Plays Telegram users against the fake Telegram's control API."""

    # -- users ------------------------------------------------------------------------------------

    async def register_user(
        self,
        user_id: int | None = None,
        first_name: str = "Тестовый житель",
        username: str | None = None,
        language_code: str = "ru",
    ) -> dict[str, Any]:
        body = await self._request(
            "POST",
            "users",
            json={
                "user_id": user_id,
                "first_name": first_name,
                "username": username,
                "language_code": language_code,
            },
        )
        return body["user"]

    async def create_group(
        self, title: str, member_ids: list[int], chat_id: int | None = None
    ) -> dict[str, Any]:
        body = await self._request(
            "POST", "groups", json={"title": title, "member_ids": member_ids, "chat_id": chat_id}
        )
        return body["chat"]

    async def block(self, user_id: int) -> None:
        await self._request("POST", f"users/{user_id}/block")

    async def unblock(self, user_id: int) -> None:
        await self._request("POST", f"users/{user_id}/unblock")

    # -- user messages ----------------------------------------------------------------------------

    async def _send(self, user_id: int, **payload: Any) -> Message:
        body = await self._request("POST", f"chats/{user_id}/messages", json=payload)
        self._acted(user_id, body)
        return body["message"]

    async def _send_file(
        self,
        user_id: int,
        kind: str,
        data: bytes,
        filename: str,
        mime_type: str | None,
        caption: str | None,
        media_group_id: str | None,
    ) -> Message:
        form = aiohttp.FormData()
        form.add_field("type", kind)
        if caption:
            form.add_field("caption", caption)
        if media_group_id:
            form.add_field("media_group_id", media_group_id)
        form.add_field("file", data, filename=filename, content_type=mime_type or "application/octet-stream")
        body = await self._request("POST", f"chats/{user_id}/messages", data=form)
        self._acted(user_id, body)
        return body["message"]

    async def send_text(self, user_id: int, text: str) -> Message:
        return await self._send(user_id, type="text", text=text)

    async def send_photo(
        self,
        user_id: int,
        data: bytes,
        filename: str = "photo.jpg",
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> Message:
        return await self._send_file(user_id, "photo", data, filename, None, caption, media_group_id)

    async def send_document(
        self,
        user_id: int,
        data: bytes,
        filename: str,
        mime_type: str | None = None,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> Message:
        return await self._send_file(user_id, "document", data, filename, mime_type, caption, media_group_id)

    async def send_album(self, user_id: int, items: list[tuple[bytes, str]]) -> list[Message]:
        """Images go as photos, anything else as documents, all sharing one media_group_id."""
        group_id = str(secrets.randbits(60))
        sent = []
        for data, filename in items:
            if filename.lower().endswith(_IMAGE_EXTENSIONS):
                sent.append(await self.send_photo(user_id, data, filename, media_group_id=group_id))
            else:
                sent.append(await self.send_document(user_id, data, filename, media_group_id=group_id))
        return sent

    async def send_location(self, user_id: int, lat: float, lon: float) -> Message:
        return await self._send(user_id, type="location", latitude=lat, longitude=lon)

    async def send_contact(self, user_id: int, phone: str, first_name: str) -> Message:
        return await self._send(user_id, type="contact", phone_number=phone, first_name=first_name)

    async def send_sticker(self, user_id: int) -> Message:
        return await self._send(user_id, type="sticker")

    async def send_voice(self, user_id: int) -> Message:
        return await self._send(user_id, type="voice")

    async def press(
        self, user_id: int, message_id: int, *, text: str | None = None, data: str | None = None
    ) -> str:
        """Tap a button on a bot message, by visible text or callback_data.

        Returns the callback_query id for inline callback buttons, the URL for URL buttons, and the id
        (as a string) of the sent message for reply-keyboard buttons.
        """
        body = await self._request(
            "POST", f"chats/{user_id}/press", json={"message_id": message_id, "text": text, "data": data}
        )
        self._acted(user_id, body)
        if "callback_query_id" in body:
            return str(body["callback_query_id"])
        if "url" in body:
            return str(body["url"])
        return str(body["message"]["message_id"])

    # -- observing --------------------------------------------------------------------------------

    async def chat(self, chat_id: int) -> dict[str, Any]:
        """The full transcript object: messages, callback queries, current reply keyboard."""
        return await self._request("GET", f"chats/{chat_id}")

    async def transcript(self, user_id: int) -> list[Message]:
        return (await self.chat(user_id))["messages"]

    async def bot_messages(self, user_id: int) -> list[Message]:
        return [m for m in await self.transcript(user_id) if m["side"] == "bot" and not m["deleted"]]

    async def callback_queries(self, user_id: int) -> list[dict[str, Any]]:
        return (await self.chat(user_id))["callback_queries"]

    async def wait_for(
        self,
        user_id: int,
        predicate: Callable[[Message], bool] | None = None,
        *,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - part of the documented driver API
        after_message_id: int | None = None,
    ) -> Message:
        """Wait for a bot message (new or edited) matching ``contains``/``predicate``.

        By default only messages sent or edited after this client's last action in the chat count;
        pass ``after_message_id`` (0 for "any") to select by message id instead.
        """
        baseline = self._baseline.get(user_id, 0)

        def matches(message: Message) -> bool:
            if message["side"] != "bot" or message["deleted"]:
                return False
            if after_message_id is not None:
                if message["message_id"] <= after_message_id:
                    return False
            elif message["version"] <= baseline:
                return False
            text = (message.get("text") or "") + (message.get("caption") or "")
            if contains is not None and contains not in text:
                return False
            return predicate is None or bool(predicate(message))

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        body = await self.chat(user_id)
        while True:
            found = next((m for m in body["messages"] if matches(m)), None)
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(await self._timeout_report(user_id, contains, timeout))
            body = await self._request(
                "GET",
                f"chats/{user_id}/updates",
                params={"after": body["version"], "timeout": min(remaining, LONG_POLL_SLICE)},
            )

    async def _timeout_report(self, user_id: int, contains: str | None, waited: float) -> str:
        lines = [
            f"no matching bot message in chat {user_id} within {waited}s"
            + (f" (contains={contains!r})" if contains else "")
            + "; transcript tail:"
        ]
        for m in (await self.transcript(user_id))[-10:]:
            text = m.get("text") or m.get("caption") or f"<{m['kind']}>"
            buttons = [
                b["text"] for row in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
            ]
            flags = (" [edited]" if m["edited"] else "") + (" [deleted]" if m["deleted"] else "")
            lines.append(
                f"  {m['side']}#{m['message_id']}{flags}: {text!r}"
                + (f" buttons={buttons}" if buttons else "")
            )
        return "\n".join(lines)

    # -- sandbox control --------------------------------------------------------------------------

    async def stats(self) -> dict[str, Any]:
        body = await self._request("GET", "stats")
        body.pop("ok", None)
        return body

    async def set_limits(self, **fields: Any) -> dict[str, Any]:
        return (await self._request("POST", "limits", json=fields))["limits"]

    async def inject_faults(
        self, method: str, status: int, count: int, retry_after: int | None = None
    ) -> None:
        await self._request(
            "POST",
            "faults",
            json={"method": method, "status": status, "count": count, "retry_after": retry_after},
        )

    async def reset(self) -> None:
        await self._request("POST", "reset")
        self._baseline.clear()

    async def download(self, file_path_or_url: str) -> bytes:
        """Accepts an absolute URL, a transcript ``url`` (``api/files/…``), a bot file_path or a file_id."""
        ref = file_path_or_url
        if "://" in ref:
            url = ref
        elif ref.lstrip("/").startswith("api/"):
            url = f"{self.base_url}/{ref.lstrip('/')}"
        elif "/" in ref:
            url = f"{self.base_url}/api/files/by-path/{ref}"
        else:
            url = f"{self.base_url}/api/files/{ref}"
        async with self.session.get(url) as resp:
            if resp.status != 200:
                raise SandboxError(f"download of {ref} failed: HTTP {resp.status}")
            return await resp.read()
