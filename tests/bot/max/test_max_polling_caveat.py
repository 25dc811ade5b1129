"""An administrator whose MAX bot long-polls the real MAX is told to use the webhook: MAX documents
polling for development, and updates in hand when the process is killed are lost."""

from __future__ import annotations

import pytest

from porucheno.runtime import max_polling_caveat
from porucheno.settings import DEFAULT_MAX_API_URL


@pytest.mark.parametrize("url", [DEFAULT_MAX_API_URL, "https://platform-api2.max.ru"])
def test_the_real_max_gets_the_webhook_advice(url: str) -> None:
    caveat = max_polling_caveat(url)
    assert caveat is not None
    assert "PORUCHENO_MAX_WEBHOOK_URL" in caveat and "lost" in caveat


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/max-sandbox", "https://max.example.org", "http://notmax.ru"]
)
def test_the_sandbox_and_other_servers_do_not(url: str) -> None:
    assert max_polling_caveat(url) is None
