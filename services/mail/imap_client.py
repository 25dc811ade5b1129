"""A small async IMAP reader on top of aioimaplib: log in, SELECT, list UIDs, fetch letters.

Only what intake needs. Letters are fetched with ``BODY.PEEK[]`` so reading never sets ``\\Seen``;
marking them read is a separate, optional step (flags are never relied upon for exactly-once).
"""

from __future__ import annotations

import asyncio
import base64
import re
import ssl
from dataclasses import dataclass
from typing import Any

import aioimaplib

_UIDVALIDITY_RE = re.compile(rb"UIDVALIDITY (\d+)")
_FETCH_RE = re.compile(rb"^\d+ FETCH \(")
_UID_RE = re.compile(rb"UID (\d+)")
_SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapError(Exception):
    """The server refused or the connection failed; the whole poll is retried next time."""


@dataclass(frozen=True, slots=True)
class ImapConfig:
    host: str
    port: int = 993
    ssl: bool = True
    starttls: bool = False
    user: str = ""
    password: str = ""
    mailbox: str = "INBOX"
    mark_seen: bool = False
    timeout: float = 60.0

    @classmethod
    def from_settings(cls, settings: Any) -> ImapConfig:
        return cls(
            host=settings.imap_host,
            port=settings.imap_port,
            ssl=settings.imap_ssl,
            starttls=settings.imap_starttls and not settings.imap_ssl,
            user=settings.imap_user,
            password=settings.imap_password.get_secret_value(),
            mailbox=settings.imap_mailbox,
            mark_seen=settings.imap_mark_seen,
        )

    @property
    def cursor_key(self) -> str:
        """Names the mailbox in ``MailboxCursor``: one cursor per account and folder."""
        return f"{self.user}@{self.host}/{self.mailbox}"[:255]


def encode_mailbox(name: str) -> str:
    """A mailbox name as an IMAP astring: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    encoded = "".join(out)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response: Any, what: str) -> Any:
    if response.result != "OK":
        detail = b" ".join(x for x in response.lines if isinstance(x, bytes)).decode("utf-8", "replace")
        raise ImapError(f"{what}: {response.result} {detail}".strip())
    return response


def parse_fetch(lines: list[Any]) -> dict[int, bytes]:
    """``UID FETCH ... (UID BODY.PEEK[])`` response lines to {uid: letter bytes}; the UID may
    come before or after the literal, depending on the server."""
    letters: dict[int, bytes] = {}
    uid: int | None = None
    body: bytes | None = None

    def done() -> None:
        if uid is not None and body is not None:
            letters[uid] = body

    for line in lines:
        if isinstance(line, bytearray | memoryview):
            body = bytes(line)
            continue
        if _FETCH_RE.match(line):
            done()
            uid, body = None, None
        match = _UID_RE.search(line)
        if match and uid is None:
            uid = int(match.group(1))
    done()
    return letters


class ImapMailbox:
    """``async with ImapMailbox(config) as box:`` — logged in, the folder selected read-write."""

    def __init__(self, config: ImapConfig) -> None:
        self.config = config
        self.uidvalidity = 0
        self._client: aioimaplib.IMAP4 | None = None

    async def __aenter__(self) -> ImapMailbox:
        cfg = self.config
        try:
            if cfg.ssl:
                client: aioimaplib.IMAP4 = aioimaplib.IMAP4_SSL(cfg.host, cfg.port, timeout=cfg.timeout)
            else:
                client = aioimaplib.IMAP4(cfg.host, cfg.port, timeout=cfg.timeout)
            self._client = client
            await client.wait_hello_from_server()
            if cfg.starttls:
                await self._starttls(client)
            _check(await client.login(cfg.user, cfg.password), "LOGIN")
            selected = _check(await client.select(encode_mailbox(cfg.mailbox)), "SELECT")
        except ImapError:
            await self.__aexit__(None, None, None)
            raise
        except (OSError, TimeoutError, aioimaplib.AioImapException) as exc:
            await self.__aexit__(None, None, None)
            raise ImapError(f"{cfg.host}:{cfg.port}: {exc.__class__.__name__}: {exc}") from exc
        for line in selected.lines:
            match = _UIDVALIDITY_RE.search(line) if isinstance(line, bytes) else None
            if match:
                self.uidvalidity = int(match.group(1))
        if not self.uidvalidity:
            raise ImapError("SELECT: the server sent no UIDVALIDITY")
        return self

    async def _starttls(self, client: aioimaplib.IMAP4) -> None:
        protocol = client.protocol
        if "STARTTLS" not in protocol.capabilities:
            raise ImapError("the server does not offer STARTTLS")
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        _check(await asyncio.wait_for(protocol.execute(command), self.config.timeout), "STARTTLS")
        loop = asyncio.get_running_loop()
        protocol.transport = await loop.start_tls(
            protocol.transport, protocol, ssl.create_default_context(), server_hostname=self.config.host
        )
        await protocol.capability()  # capabilities may differ once the channel is encrypted

    async def __aexit__(self, *exc: object) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if client.get_state() in ("NONAUTH", "AUTH", "SELECTED"):
                await asyncio.wait_for(client.logout(), 5)
        except Exception:  # the connection may already be gone; nothing to keep
            pass
        transport = client.protocol.transport
        if transport is not None:
            transport.close()

    @property
    def client(self) -> aioimaplib.IMAP4:
        if self._client is None:
            raise ImapError("not connected")
        return self._client

    async def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above ``last_uid`` in ascending order (``n:*`` also matches the highest UID)."""
        try:
            response = _check(await self.client.uid_search(f"UID {last_uid + 1}:*", charset=None), "SEARCH")
        except (OSError, TimeoutError, aioimaplib.AioImapException) as exc:
            raise ImapError(f"SEARCH: {exc}") from exc
        uids: set[int] = set()
        for line in response.lines[:-1]:  # the last line is the tagged completion text
            if isinstance(line, bytes):
                uids.update(int(x) for x in line.removeprefix(b"SEARCH").split() if x.isdigit())
        return sorted(u for u in uids if u > last_uid)

    async def fetch(self, uids: list[int]) -> dict[int, bytes]:
        """Whole letters: ``{uid: bytes}``."""
        return parse_fetch(await self._fetch(uids, "(UID BODY.PEEK[])"))

    async def fetch_headers(self, uids: list[int]) -> dict[int, bytes]:
        """Only the header block of each letter (what a clerk needs to see an oversized one)."""
        return parse_fetch(await self._fetch(uids, "(UID BODY.PEEK[HEADER])"))

    async def sizes(self, uids: list[int]) -> dict[int, int]:
        """``{uid: size in bytes}`` as the server counts it, asked before anything is downloaded."""
        sizes: dict[int, int] = {}
        for line in await self._fetch(uids, "(UID RFC822.SIZE)"):
            if isinstance(line, bytes) and _FETCH_RE.match(line):
                uid, size = _UID_RE.search(line), _SIZE_RE.search(line)
                if uid and size:
                    sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    async def _fetch(self, uids: list[int], items: str) -> list[Any]:
        if not uids:
            return []
        try:
            response = _check(await self.client.uid("fetch", ",".join(map(str, uids)), items), "FETCH")
        except (OSError, TimeoutError, aioimaplib.AioImapException) as exc:
            raise ImapError(f"FETCH: {exc}") from exc
        return list(response.lines)

    async def mark_seen(self, uid: int) -> None:
        try:
            await self.client.uid("store", str(uid), "+FLAGS.SILENT", "(\\Seen)")
        except (OSError, TimeoutError, aioimaplib.AioImapException):
            pass  # cosmetic only: intake never relies on flags
