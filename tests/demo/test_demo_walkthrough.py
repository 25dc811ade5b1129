"""`porucheno demo` as a newcomer meets it: one process, the panel and the sandbox chat in a browser.

Starts the real command in a subprocess on a free port, waits for /healthz, then in Chromium walks a
resident through /start and binds a staff member with an invite link made in the panel.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Page, async_playwright, expect

from porucheno.runtime import DEMO_BOT_TOKEN
from tests.prerequisites import missing
from tests.web.layout_support import open_nav

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not CHROMIUM.exists():
        missing("Debian's chromium is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORUCHENO_")}
    env |= {
        "PORUCHENO_DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3",
        "PORUCHENO_FILES_DIR": str(tmp_path / "files"),
        "PORUCHENO_ADMIN_PORT": str(port),
    }
    log = (tmp_path / "demo.log").open("w")
    command = [sys.executable, "-m", "porucheno", "demo"]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        log.close()
        output = (tmp_path / "demo.log").read_text()
        assert code == 0, f"demo did not stop cleanly (exit {code}):\n{output[-3000:]}"
        assert "Traceback" not in output, output[-3000:]
        assert "PORUCHENO_BOT_USERNAME is" not in output, output[-3000:]  # links name the bot that runs


async def _wait_healthy(base: str, within: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + within
    last: object = None
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"{base}/healthz") as resp:
                    last = await resp.json()
                    if resp.status == 200:
                        return last  # type: ignore[return-value]
            except aiohttp.ClientError as exc:
                last = exc
            await asyncio.sleep(0.5)
    raise AssertionError(f"demo not healthy in {within}s: {last}")


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield await browser.new_page()
        finally:
            await browser.close()


async def _say(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def test_newcomer_walks_a_resident_and_a_staff_member_through_start(demo: str, page: Page) -> None:
    health = await _wait_healthy(demo)
    assert health["db"] and health["bot"] and health["scheduler"]

    # A resident opens the sandbox chat and says /start.
    await page.goto(f"{demo}/sandbox/chat")
    await page.locator("#users li.user", has_text="Житель Иван").click()
    await _say(page, "/start")
    greeting = page.locator(".msg-row.in .text", has_text="Здравствуйте")
    await expect(greeting.last).to_be_visible(timeout=15_000)
    await expect(page.locator("#reply-keyboard")).to_contain_text("Помощь")

    # The admin makes an invite link for a clerk who has no Telegram yet.
    await page.goto(f"{demo}/login")
    await page.fill("#f-login", "admin")
    await page.fill("#f-password", "porucheno-demo")
    await page.get_by_role("button", name="Войти").click()
    await open_nav(page, "Администрирование", "Сотрудники")
    await page.get_by_role("link", name="Лебедева Мария Ивановна").click()
    await page.click("#make-invite")
    link = await page.input_value("#invite-link")
    token = re.search(r"start=(inv_[A-Za-z0-9_-]+)", link)
    assert token, link
    # The link opens the bot the demo runs: the one the sandbox's getMe names.
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{demo}/sandbox/bot{DEMO_BOT_TOKEN}/getMe") as resp:
            me = (await resp.json())["result"]
    assert link.startswith(f"https://t.me/{me['username']}?start="), (link, me)

    # She opens the sandbox chat as a new user and follows the link.
    await page.goto(f"{demo}/sandbox/chat")
    await page.fill("#new-user-name", "Мария")
    await page.press("#new-user-name", "Enter")
    await expect(page.locator("#chat-title")).to_have_text("Мария", timeout=15_000)
    await _say(page, f"/start {token.group(1)}")
    bound = page.locator(".msg-row.in .text", has_text="Лебедева Мария Ивановна")
    await expect(bound.last).to_be_visible(timeout=15_000)
    await expect(bound.last).to_contain_text("привязан")

    # The same link a second time (from another new user) is refused.
    await page.fill("#new-user-name", "Кто-то ещё")
    await page.press("#new-user-name", "Enter")
    await expect(page.locator("#chat-title")).to_have_text("Кто-то ещё", timeout=15_000)
    await _say(page, f"/start {token.group(1)}")
    refused = page.locator(".msg-row.in .text", has_text="уже использована")
    await expect(refused.last).to_be_visible(timeout=15_000)
