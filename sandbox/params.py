"""Reading Bot API parameters from query string, JSON, urlencoded or multipart bodies.

Bodies are streamed so that big uploads are measured (and refused with 413) without relying on
the hosting application's ``client_max_size`` — the sandbox may be mounted as a sub-application.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from aiohttp import MultipartReader, StreamReader, hdrs
from multidict import CIMultiDictProxy, MultiMapping

from .errors import ApiError, bad_request, entity_too_large

MAX_PLAIN_BODY_BYTES = 16 * 1024 * 1024  # JSON/urlencoded bodies never carry files
_CHUNK = 256 * 1024


@dataclass
class UploadedFile:
    field: str
    filename: str
    content_type: str | None
    data: bytes


class Params:
    """Typed access to the merged parameters, with Telegram-style errors for bad values."""

    def __init__(self, values: Mapping[str, Any], files: Mapping[str, UploadedFile] | None = None) -> None:
        self.values = dict(values)
        self.files = dict(files or {})

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def string(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return (
            value
            if isinstance(value, str)
            else json.dumps(value)
            if isinstance(value, dict | list)
            else f"{value}"
        )

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, default: float | None = None) -> float | None:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("1", "true", "yes", "on")

    def obj(self, name: str, error: str | None = None) -> Any:
        """Complex values arrive JSON-encoded as strings in form bodies, or as objects in JSON bodies."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error or f"can't parse {name} JSON object") from None


async def read_body(
    headers: CIMultiDictProxy[str] | Mapping[str, str],
    content: StreamReader,
    query: MultiMapping[str] | Mapping[str, str] | None = None,
    *,
    max_file_bytes: int,
) -> Params:
    """Merge query parameters with the body; any file part over ``max_file_bytes`` → 413."""
    values: dict[str, Any] = dict(query or {})
    files: dict[str, UploadedFile] = {}
    content_type = headers.get(hdrs.CONTENT_TYPE, "").lower()
    if content_type.startswith("multipart/"):
        too_large = False
        reader = MultipartReader(headers, content)
        while (part := await reader.next()) is not None:
            name = part.name or ""  # type: ignore[union-attr]
            if part.filename is None:  # type: ignore[union-attr]
                raw = await part.read(decode=True)  # type: ignore[union-attr]
                values[name] = raw.decode(part.get_charset("utf-8"))  # type: ignore[union-attr]
                continue
            chunks: list[bytes] = []
            size = 0
            while chunk := await part.read_chunk(_CHUNK):  # type: ignore[union-attr]
                size += len(chunk)
                if size > max_file_bytes:
                    too_large = True  # keep draining so the client gets a clean 413 reply
                elif not too_large:
                    chunks.append(chunk)
            files[name] = UploadedFile(
                name,
                # aiohttp clients percent-encode non-ASCII names (RFC 7578 allows it); browsers do not.
                unquote(part.filename) if part.filename else name,
                part.headers.get(hdrs.CONTENT_TYPE),
                b"".join(chunks),  # type: ignore[union-attr]
            )
        if too_large:
            raise entity_too_large()
    elif content_type.startswith("application/json"):
        body = await _read_limited(content)
        if body.strip():
            try:
                decoded = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(decoded, dict):
                raise bad_request("JSON request body must be an object")
            values.update(decoded)
    else:
        body = await _read_limited(content)
        if body:
            values.update(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    return Params(values, files)


async def _read_limited(content: StreamReader) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await content.read(_CHUNK):
        size += len(chunk)
        if size > MAX_PLAIN_BODY_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        chunks.append(chunk)
    return b"".join(chunks)
