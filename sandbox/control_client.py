"""What the test clients of both fake messengers share: an aiohttp session (owned or lent), JSON
calls to the control API under ``/api/``, and the per-chat version after our last action."""

from __future__ import annotations

from typing import Any, Self

import aiohttp


class SandboxError(AssertionError):
    """The control API refused an action (a test-level failure, hence an AssertionError)."""


class ControlClient:
    label = "sandbox"  # in error messages

    def __init__(self, base_url: str, session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._owns_session = session is None
        # Per chat: the state version right after our last action; wait_for looks only at newer changes.
        self._baseline: dict[int, int] = {}

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session

    def error(self, message: str) -> SandboxError:
        return SandboxError(message)

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        async with self.session.request(method, f"{self.base_url}/api/{path}", **kwargs) as resp:
            body = await resp.json()
        if not body.get("ok"):
            raise self.error(f"{self.label} {method} /api/{path} failed ({resp.status}): {body}")
        return body

    def _acted(self, chat_id: int, body: dict[str, Any]) -> None:
        if "version" in body:
            self._baseline[chat_id] = body["version"]
