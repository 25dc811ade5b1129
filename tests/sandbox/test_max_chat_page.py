"""The MAX sandbox's chat page in headless Chromium: start the bot, press buttons, write, attach a file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Page, async_playwright, expect

from sandbox.max.config import MaxSandboxConfig, Persona
from sandbox.max.runner import RunningMaxSandbox, start_max_sandbox
from tests.prerequisites import missing

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
TOKEN = {"Authorization": "max-sandbox-token"}


@pytest.fixture
async def running() -> AsyncIterator[RunningMaxSandbox]:
    config = MaxSandboxConfig(personas=[Persona(501, "Мария Петровна", "Глава")], attachment_ready_delay=0)
    sandbox = await start_max_sandbox(config)
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def page(running: RunningMaxSandbox) -> AsyncIterator[Page]:
    if not HAVE_CHROMIUM:
        missing(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(base_url=running.base_url, locale="ru-RU")
        context.set_default_timeout(10_000)
        try:
            yield await context.new_page()
        finally:
            await browser.close()


async def updates(http: aiohttp.ClientSession, base: str, marker: int | None) -> dict[str, Any]:
    query = f"&marker={marker}" if marker else ""
    async with http.get(f"{base}/updates?timeout=5{query}", headers=TOKEN) as resp:
        return await resp.json()


async def test_persona_talks_to_the_bot_in_the_browser(
    page: Page, running: RunningMaxSandbox, tmp_path: Path
) -> None:
    base = running.base_url
    await page.goto("/chat")
    await page.get_by_text("Мария Петровна").click()
    await page.get_by_role("button", name="Начать").click()
    async with aiohttp.ClientSession() as http:
        got = await updates(http, base, None)
        assert [u["update_type"] for u in got["updates"]] == ["bot_started"]
        marker = got["marker"]
        buttons = [
            [{"type": "callback", "text": "Принять", "payload": "ok"}, {"type": "message", "text": "Помощь"}]
        ]
        body = {
            "text": "Новая задача",
            "attachments": [{"type": "inline_keyboard", "payload": {"buttons": buttons}}],
        }
        async with http.post(f"{base}/messages?user_id=501", json=body, headers=TOKEN) as resp:
            assert resp.status == 200
        await expect(page.get_by_text("Новая задача")).to_be_visible()

        await page.get_by_role("button", name="Принять").click()
        got = await updates(http, base, marker)
        [callback] = got["updates"]
        marker = got["marker"]
        await page.get_by_role("button", name="Помощь").click()
        got = await updates(http, base, marker)
        assert [u["message"]["body"]["text"] for u in got["updates"]] == ["Помощь"]
        marker = got["marker"]
        answer = {"message": {"text": "Задача принята", "attachments": []}, "notification": "Готово"}
        cid = callback["callback"]["callback_id"]
        async with http.post(f"{base}/answers?callback_id={cid}", json=answer, headers=TOKEN) as resp:
            assert resp.status == 200
        await expect(page.get_by_text("Задача принята")).to_be_visible()
        await expect(page.locator(".toast", has_text="Готово")).to_be_visible()

        await page.locator("#text").fill("Всё сделано")
        await page.locator("#text").press("Enter")
        document = tmp_path / "акт.pdf"
        document.write_bytes(b"%PDF-1.4 act")
        await page.locator("#file").set_input_files(str(document))
        got = await updates(http, base, marker)
        while len(got["updates"]) < 2:
            more = await updates(http, base, got["marker"])
            got = {"updates": got["updates"] + more["updates"], "marker": more["marker"]}
        texts = [u["message"]["body"]["text"] for u in got["updates"]]
        assert texts[0] == "Всё сделано"
        [sent_file] = got["updates"][1]["message"]["body"]["attachments"]
        assert sent_file["filename"] == "акт.pdf" and sent_file["size"] == 12
        await expect(page.locator(".file", has_text="акт.pdf")).to_be_visible()
