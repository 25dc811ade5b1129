"""An aiogram session that talks to MAX: an ordinary ``aiogram.Bot`` with a ``MaxSession`` serves MAX.

``make_request`` translates each Bot API method to MAX requests (methods.py) and MAX answers back to
aiogram objects; MAX errors become aiogram's exceptions, so the outbox, the retry middleware and the
handlers' ``except TelegramBadRequest`` keep working. Session middlewares (commit before send, pacing)
wrap ``make_request`` as for Telegram.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

import aiohttp
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update

from bot.max.methods import execute
from bot.max.refs import Refs
from bot.max.updates import translate_update

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

DEFAULT_MAX_API_URL = "https://platform-api.max.ru"


class MaxSession(BaseSession):
    def __init__(
        self,
        token: str,
        refs: Refs,
        *,
        api_url: str = DEFAULT_MAX_API_URL,
        retry_seconds: float = 1.0,
        timeout: float = 60.0,
    ) -> None:
        base = api_url.rstrip("/")
        # ``bot.download_file(path)`` builds its URL with ``api.file_url``: our file paths are the
        # absolute download URLs MAX gave, so the pattern is the path itself.
        super().__init__(api=TelegramAPIServer(base=base + "/{method}", file="{path}"), timeout=timeout)
        self.base_url = base
        self.refs = refs
        self.retry_seconds = retry_seconds
        self.marker: int | None = None  # GET /updates position (acknowledges what came before)
        self.not_ready_retries = 6
        self.not_ready_pause = 0.15
        self.__token = token
        self._update_ids = itertools.count(1)
        self._http: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:  # never show the token
        return f"MaxSession({self.base_url!r})"

    def next_update_id(self) -> int:
        return next(self._update_ids)

    async def translate(self, raw: dict[str, Any], bot: Bot | None = None) -> list[Update]:
        """A MAX update (webhook body or one of GET /updates) as aiogram Updates."""
        return await translate_update(raw, self.refs, self.next_update_id, bot)

    async def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()
        return self._http

    async def close(self) -> None:
        if self._http is not None and not self._http.closed:
            await self._http.close()
        self._http = None

    # -- HTTP ----------------------------------------------------------------------------------------

    def _error(self, method: TelegramMethod[Any], status: int, data: Any, text: str) -> TelegramAPIError:
        code = data.get("code") if isinstance(data, dict) else None
        message = data.get("message") if isinstance(data, dict) else None
        description = f"{code}: {message}" if code and message else (message or code or text[:200])
        if status == 429:
            return TelegramRetryAfter(
                method=method, message=description, retry_after=max(1, math.ceil(self.retry_seconds))
            )
        if status == 400:
            return TelegramBadRequest(method=method, message=description)
        if status == 401:
            return TelegramUnauthorizedError(method=method, message=description)
        if status == 403:
            return TelegramForbiddenError(method=method, message=description)
        if status == 404:
            return TelegramNotFound(method=method, message=description)
        if status >= 500:
            return TelegramServerError(method=method, message=description)
        return TelegramAPIError(method=method, message=description)

    async def request(
        self,
        method: TelegramMethod[Any],
        http_method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        form: aiohttp.FormData | None = None,
        request_timeout: float | None = None,
        absolute: bool = False,
    ) -> Any:
        """One MAX request; its JSON answer, or the aiogram exception for its error."""
        url = path if absolute else self.base_url + path
        headers = {} if absolute else {"Authorization": self.__token}
        if body is not None and form is None:
            headers["Content-Type"] = "application/json"
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        http = await self._session()
        try:
            async with http.request(
                http_method,
                url,
                params=query,
                headers=headers,
                data=form if form is not None else (json.dumps(body) if body is not None else None),
                timeout=aiohttp.ClientTimeout(total=request_timeout or self.timeout),
            ) as response:
                text = await response.text()
                status = response.status
        except TimeoutError as exc:
            raise TelegramNetworkError(method=method, message=f"Request timeout error: {exc}") from exc
        except aiohttp.ClientError as exc:
            raise TelegramNetworkError(method=method, message=f"{type(exc).__name__}: {exc}") from exc
        try:
            data = json.loads(text) if text else None
        except ValueError:
            data = None
        if status >= 300:
            error = self._error(method, status, data, text)
            log.debug("MAX %s %s → %s %s", http_method, path if not absolute else "<upload>", status, error)
            raise error
        return data

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        return await execute(self, bot, method, timeout)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        http = await self._session()
        async with http.get(
            url,
            headers=headers or {},
            timeout=aiohttp.ClientTimeout(total=timeout),
            raise_for_status=raise_for_status,
        ) as response:
            async for chunk in response.content.iter_chunked(chunk_size):
                yield chunk


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
