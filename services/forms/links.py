"""The personal web link of a form sent by the bot: ``/f/<slug>?t=<token>``.

The token signs the person's Telegram id and an expiry with the app's secret key (HMAC-SHA256 under
a key of its own purpose), so whoever opens the link lands on that person's CRM card: the bot proved
the id, the signature proves the link came from the bot. Nothing else in it is personal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote

LINK_DAYS = 7
START_PREFIX = "form_"
_PURPOSE = b"porucheno-form-link"
_SIG_BYTES = 18


def _key(secret_key: str) -> bytes:
    if len(secret_key) < 16:
        raise ValueError("the secret key is too short to sign form links")
    return hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()


def _sig(secret_key: str, payload: str) -> str:
    digest = hmac.new(_key(secret_key), payload.encode(), hashlib.sha256).digest()[:_SIG_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret_key: str, telegram_id: int, *, now: float | None = None, days: int = LINK_DAYS) -> str:
    expires = int((now if now is not None else time.time()) + days * 86400)
    payload = f"{telegram_id}.{expires}"
    return f"{payload}.{_sig(secret_key, payload)}"


def verify(secret_key: str, token: str | None, *, now: float | None = None) -> int | None:
    """The Telegram id the token was issued for; None for a forged, damaged or expired one."""
    if not token or len(token) > 80 or not secret_key:
        return None
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[0]) > 15:
        return None
    payload = f"{parts[0]}.{parts[1]}"
    try:
        good = hmac.compare_digest(_sig(secret_key, payload), parts[2])
    except ValueError:
        return None
    if not good or int(parts[1]) < (now if now is not None else time.time()):
        return None
    return int(parts[0])


def web_url(base_url: str, slug: str, token: str | None = None) -> str:
    url = f"{base_url.rstrip('/')}/f/{quote(slug)}"
    return f"{url}?t={quote(token)}" if token else url


def start_payload(slug: str) -> str:
    return f"{START_PREFIX}{slug}"


def bot_url(bot_username: str | None, slug: str) -> str | None:
    """The bot's deep link; None without a username (the panel then shows the /start payload)."""
    name = (bot_username or "").strip().lstrip("@")
    return f"https://t.me/{name}?start={start_payload(slug)}" if name else None
