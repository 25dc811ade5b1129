"""An administrator whose MAX bot long-polls the real MAX is told to use the webhook: MAX keeps no
position for a restarted poller (without a marker it sends only the latest update)."""

from __future__ import annotations

import pytest

from porucheno.runtime import max_polling_caveat
from porucheno.settings import DEFAULT_MAX_API_URL


@pytest.mark.parametrize("url", [DEFAULT_MAX_API_URL, "https://platform-api2.max.ru"])
def test_the_real_max_gets_the_webhook_advice(url: str) -> None:
    caveat = max_polling_caveat(url)
    assert caveat is not None
    assert "PORUCHENO_MAX_WEBHOOK_URL" in caveat and "only the latest update" in caveat


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/max-sandbox", "https://max.example.org", "http://notmax.ru"]
)
def test_the_sandbox_and_other_servers_do_not(url: str) -> None:
    assert max_polling_caveat(url) is None
