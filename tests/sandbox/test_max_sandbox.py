"""The fake MAX Bot API over real HTTP: each method, its errors, limits, webhooks and the test client."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from sandbox.max.app import MAX_STATE, create_max_sandbox_app
from sandbox.max.client import MaxSandboxClient, buttons_of
from sandbox.max.config import MaxSandboxConfig, Persona
from sandbox.max.runner import RunningMaxSandbox, start_max_sandbox

TOKEN = "max-sandbox-token"


@pytest.fixture
def max_config() -> MaxSandboxConfig:
    return MaxSandboxConfig()


@pytest.fixture
async def max_sandbox(max_config: MaxSandboxConfig) -> AsyncIterator[RunningMaxSandbox]:
    running = await start_max_sandbox(max_config)
    yield running
    await running.stop()


class Api:
    """A bare MAX Bot API caller: returns (status, json)."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base, self.http = base, http

    async def __call__(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = kwargs.pop("headers", {"Authorization": TOKEN})
        async with self.http.request(method, self.base + path, headers=headers, **kwargs) as resp:
            return resp.status, await resp.json()


@pytest.fixture
async def api(max_sandbox: RunningMaxSandbox) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as http:
        yield Api(max_sandbox.base_url, http)


@pytest.fixture
async def client(max_sandbox: RunningMaxSandbox) -> AsyncIterator[MaxSandboxClient]:
    async with MaxSandboxClient(max_sandbox.base_url) as max_client:
        yield max_client


@pytest.fixture
async def anna(client: MaxSandboxClient) -> dict[str, Any]:
    user = await client.register_user(first_name="Анна", last_name="Иванова", username="anna")
    await client.start(user["user_id"], payload="invite-1")
    return user


def keyboard(*rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "inline_keyboard", "payload": {"buttons": list(rows)}}


async def upload(api: Api, kind: str, data: bytes, name: str) -> str:
    status, body = await api("POST", f"/uploads?type={kind}")
    assert status == 200 and body["url"].startswith("http://")
    form = aiohttp.FormData()
    form.add_field("data", data, filename=name)
    async with api.http.post(body["url"], data=form) as resp:
        reply = await resp.json()
    return next(iter(reply["photos"].values()))["token"] if kind == "image" else reply["token"]


# -- auth, /me ------------------------------------------------------------------------------------


async def test_token_is_checked(api: Api) -> None:
    assert await api("GET", "/me", headers={}) == (
        401,
        {"code": "verify.token", "message": "Invalid access_token"},
    )
    status, body = await api("GET", "/me", headers={"Authorization": "wrong"})
    assert status == 401 and body["code"] == "verify.token"
    status, me = await api("GET", "/me")
    assert status == 200 and me["is_bot"] is True and me["user_id"] == 9_000_001


async def test_any_token_when_configured_none() -> None:
    running = await start_max_sandbox(MaxSandboxConfig(token=None))
    try:
        async with aiohttp.ClientSession() as http:
            api = Api(running.base_url, http)
            assert (await api("GET", "/me", headers={"Authorization": "anything"}))[0] == 200
            assert (await api("GET", "/me", headers={}))[0] == 401
    finally:
        await running.stop()


async def test_patch_me_sets_commands(api: Api) -> None:
    commands = [{"name": "start", "description": "Начать"}]
    status, me = await api("PATCH", "/me", json={"commands": commands})
    assert status == 200 and me["commands"] == commands
    status, body = await api("PATCH", "/me", json={"commands": "start"})
    assert status == 400 and body["code"] == "bad.request"


# -- messages -------------------------------------------------------------------------------------


async def test_send_edit_get_delete(api: Api, client: MaxSandboxClient, anna: dict[str, Any]) -> None:
    uid = anna["user_id"]
    rows = [{"type": "callback", "text": "Принять", "payload": "ok"}]
    status, body = await api(
        "POST",
        f"/messages?user_id={uid}",
        json={"text": "<b>Задача</b>", "format": "html", "attachments": [keyboard(rows)]},
    )
    assert status == 200
    message = body["message"]
    mid = message["body"]["mid"]
    assert mid.startswith("mid.") and message["sender"]["is_bot"] and message["recipient"]["user_id"] == uid
    assert message["recipient"]["chat_type"] == "dialog"
    assert (await api("GET", f"/messages/{mid}")) == (200, message)

    # Edit text only: the keyboard is kept; then remove attachments with [].
    assert await api("PUT", f"/messages?message_id={mid}", json={"text": "Задача принята"}) == (
        200,
        {"success": True},
    )
    [shown] = await client.bot_messages(uid)
    assert shown["body"]["text"] == "Задача принята" and buttons_of(shown) and shown["edited"] == 1
    assert (await api("PUT", f"/messages?message_id={mid}", json={"attachments": []}))[0] == 200
    [shown] = await client.bot_messages(uid)
    assert shown["body"]["attachments"] is None and shown["body"]["text"] == "Задача принята"

    assert await api("DELETE", f"/messages?message_id={mid}") == (200, {"success": True})
    assert await client.bot_messages(uid) == []
    assert (await client.bot_messages(uid, include_deleted=True))[0]["deleted"] is True
    for method, path in (
        ("GET", f"/messages/{mid}"),
        ("PUT", f"/messages?message_id={mid}"),
        ("DELETE", "/messages?message_id=mid.nope"),
    ):
        status, body = await api(method, path, json={"text": "x"})
        assert status == 404 and body["code"] == "not.found"


async def test_html_format_is_kept_in_transcript(
    api: Api, client: MaxSandboxClient, anna: dict[str, Any]
) -> None:
    await api("POST", f"/messages?user_id={anna['user_id']}", json={"text": "<i>x</i>", "format": "html"})
    [message] = await client.bot_messages(anna["user_id"])
    assert message["body"]["text"] == "<i>x</i>" and message["format"] == "html"


async def test_message_errors(api: Api, client: MaxSandboxClient, anna: dict[str, Any]) -> None:
    uid = anna["user_id"]
    status, body = await api("POST", f"/messages?user_id={uid}", json={"text": "x" * 4001})
    assert status == 400 and body["code"] == "text.too.long"
    assert (await api("POST", f"/messages?user_id={uid}", json={"text": "x" * 4000}))[0] == 200
    status, body = await api(
        "POST", f"/messages?user_id={uid}", json={"text": "a", "attachments": [{"type": "gif"}]}
    )
    assert status == 400 and body["code"] == "bad.request" and "unknown attachment type" in body["message"]
    status, body = await api(
        "POST", f"/messages?user_id={uid}", json={"attachments": [{"type": "file", "payload": {}}]}
    )
    assert status == 400 and "token" in body["message"]
    status, body = await api("POST", f"/messages?user_id={uid}", json={"text": None})
    assert status == 400 and body["code"] == "bad.request"
    status, body = await api("POST", "/messages", json={"text": "a"})
    assert status == 400
    status, body = await api(
        "POST", f"/messages?user_id={uid}", data=b"{not json", headers={"Authorization": TOKEN}
    )
    assert status == 400 and "JSON" in body["message"]
    status, body = await api("POST", "/messages?user_id=424242", json={"text": "a"})
    assert status == 404 and body["code"] == "not.found"


@pytest.mark.parametrize(
    ("rows", "ok"),
    [
        ([[{"type": "callback", "text": str(i), "payload": "p"} for i in range(7)]], True),
        ([[{"type": "callback", "text": str(i), "payload": "p"} for i in range(8)]], False),
        ([[{"type": "link", "text": str(i), "url": "https://e.x"} for i in range(3)]], True),
        (
            [
                [{"type": "callback", "text": "a", "payload": "p"}] * 3
                + [{"type": "request_contact", "text": "c"}]
            ],
            False,
        ),
        ([[{"type": "callback", "text": "a", "payload": "p"}]] * 30, True),
        ([[{"type": "callback", "text": "a", "payload": "p"}]] * 31, False),
        ([[{"type": "callback", "text": "a", "payload": "x" * 1024}]], True),
        ([[{"type": "callback", "text": "a", "payload": "x" * 1025}]], False),
        ([[{"type": "teleport", "text": "a"}]], False),
        ([[{"type": "link", "text": "a"}]], False),
    ],
)
async def test_keyboard_limits(
    api: Api, anna: dict[str, Any], rows: list[list[dict[str, Any]]], ok: bool
) -> None:
    status, body = await api(
        "POST", f"/messages?user_id={anna['user_id']}", json={"text": "k", "attachments": [keyboard(*rows)]}
    )
    assert (status == 200) is ok, body
    if not ok:
        assert body["code"] == "bad.request"


async def test_too_many_buttons(api: Api, anna: dict[str, Any]) -> None:
    # 31 rows of 7 is refused for rows; 30 × 7 = 210 passes, one more button in a row would exceed.
    row7 = [{"type": "callback", "text": "a", "payload": "p"}] * 7
    assert (
        await api(
            "POST",
            f"/messages?user_id={anna['user_id']}",
            json={"text": "k", "attachments": [keyboard(*[row7] * 30)]},
        )
    )[0] == 200


async def test_blocked_or_not_started_is_chat_denied(api: Api, client: MaxSandboxClient) -> None:
    user = await client.register_user(first_name="Борис")
    uid = user["user_id"]
    status, body = await api("POST", f"/messages?user_id={uid}", json={"text": "a"})
    assert status == 403 and body["code"] == "chat.denied"
    await client.start(uid)
    assert (await api("POST", f"/messages?chat_id={uid}", json={"text": "a"}))[0] == 200
    await client.block(uid)
    status, body = await api("POST", f"/messages?user_id={uid}", json={"text": "a"})
    assert status == 403 and body["code"] == "chat.denied"
    updates = (await api("GET", "/updates?timeout=0"))[1]["updates"]
    assert [u["update_type"] for u in updates] == ["bot_started", "bot_stopped"]
    await client.unblock(uid)
    assert (await api("POST", f"/messages?user_id={uid}", json={"text": "a"}))[0] == 200


# -- updates --------------------------------------------------------------------------------------


async def test_updates_and_marker_semantics(api: Api, client: MaxSandboxClient, anna: dict[str, Any]) -> None:
    uid = anna["user_id"]
    await client.send_text(uid, "привет")
    status, body = await api("GET", "/updates?timeout=0")
    assert status == 200
    started, created = body["updates"]
    assert started == {
        "update_type": "bot_started",
        "timestamp": started["timestamp"],
        "chat_id": uid,
        "user": started["user"],
        "payload": "invite-1",
        "user_locale": "ru",
    }
    assert started["user"]["name"] == "Анна Иванова"
    assert created["message"]["body"]["text"] == "привет" and created["message"]["sender"]["user_id"] == uid
    marker = body["marker"]
    # Without a marker nothing was acknowledged: the same updates again.
    assert (await api("GET", "/updates?timeout=0"))[1]["updates"] == body["updates"]
    # With the marker they are acknowledged; limit and types filter.
    assert (await api("GET", f"/updates?timeout=0&marker={marker}"))[1] == {"updates": [], "marker": marker}
    assert (await api("GET", "/updates?timeout=0"))[1]["updates"] == []
    await client.send_text(uid, "один")
    await client.send_text(uid, "два")
    first = (await api("GET", f"/updates?timeout=0&limit=1&marker={marker}"))[1]
    assert [u["message"]["body"]["text"] for u in first["updates"]] == ["один"]
    second = (await api("GET", f"/updates?timeout=0&marker={first['marker']}"))[1]
    assert [u["message"]["body"]["text"] for u in second["updates"]] == ["два"]
    await client.block(uid)
    filtered = (await api("GET", f"/updates?timeout=0&marker={second['marker']}&types=message_created"))[1]
    assert filtered["updates"] == []
    status, body = await api("GET", "/updates?limit=0")
    assert status == 400 and body["code"] == "bad.request"


async def test_long_poll_wakes_on_new_update(
    api: Api, client: MaxSandboxClient, anna: dict[str, Any]
) -> None:
    marker = (await api("GET", "/updates?timeout=0"))[1]["marker"]
    await api("GET", f"/updates?timeout=0&marker={marker}")

    async def later() -> None:
        await asyncio.sleep(0.3)
        await client.send_text(anna["user_id"], "проснись")

    task = asyncio.create_task(later())
    began = time.monotonic()
    status, body = await api("GET", f"/updates?timeout=10&marker={marker}")
    await task
    assert status == 200 and 0.2 < time.monotonic() - began < 5
    assert [u["message"]["body"]["text"] for u in body["updates"]] == ["проснись"]


# -- uploads and files ----------------------------------------------------------------------------


async def test_upload_two_steps_and_not_ready(
    api: Api, client: MaxSandboxClient, anna: dict[str, Any]
) -> None:
    uid = anna["user_id"]
    token = await upload(api, "file", b"%PDF-1.4 report", "report.pdf")
    attachment = {"type": "file", "payload": {"token": token}}
    status, body = await api("POST", f"/messages?user_id={uid}", json={"attachments": [attachment]})
    assert status == 400 and body["code"] == "attachment.not.ready"
    await asyncio.sleep(0.25)
    status, body = await api(
        "POST", f"/messages?user_id={uid}", json={"text": "отчёт", "attachments": [attachment]}
    )
    assert status == 200
    [sent] = body["message"]["body"]["attachments"]
    assert sent["type"] == "file" and sent["filename"] == "report.pdf" and sent["size"] == 15
    assert await client.download(sent["payload"]["url"]) == b"%PDF-1.4 report"

    photo = await upload(api, "image", b"\xff\xd8jpeg", "p.jpg")
    await asyncio.sleep(0.25)
    status, body = await api(
        "POST",
        f"/messages?user_id={uid}",
        json={"attachments": [{"type": "image", "payload": {"token": photo}}]},
    )
    [image] = body["message"]["body"]["attachments"]
    assert image["type"] == "image" and image["payload"]["url"].startswith("http")
    assert await client.download(image["payload"]["url"]) == b"\xff\xd8jpeg"
    status, body = await api("POST", "/uploads?type=sticker")
    assert status == 400
    status, body = await api(
        "POST",
        f"/messages?user_id={uid}",
        json={"attachments": [{"type": "file", "payload": {"token": "nope"}}]},
    )
    assert status == 400 and body["code"] == "bad.request"


async def test_no_ready_delay_when_zero() -> None:
    running = await start_max_sandbox(MaxSandboxConfig(attachment_ready_delay=0))
    try:
        async with aiohttp.ClientSession() as http, MaxSandboxClient(running.base_url) as client:
            api = Api(running.base_url, http)
            user = await client.register_user(first_name="Вера")
            await client.start(user["user_id"])
            token = await upload(api, "file", b"x", "x.txt")
            attachments = [{"type": "file", "payload": {"token": token}}]
            assert (
                await api("POST", f"/messages?user_id={user['user_id']}", json={"attachments": attachments})
            )[0] == 200
    finally:
        await running.stop()


async def test_user_media_in_one_message(api: Api, client: MaxSandboxClient, anna: dict[str, Any]) -> None:
    uid = anna["user_id"]
    await client.send_media(
        uid, images=[(b"img1", "a.jpg"), (b"img2", "b.png")], files=[(b"doc", "c.pdf")], text="вот"
    )
    updates = (await api("GET", "/updates?timeout=0&types=message_created"))[1]["updates"]
    [update] = updates
    body = update["message"]["body"]
    assert body["text"] == "вот"
    assert [a["type"] for a in body["attachments"]] == ["image", "image", "file"]
    assert body["attachments"][2]["filename"] == "c.pdf" and body["attachments"][2]["size"] == 3
    async with api.http.get(body["attachments"][1]["payload"]["url"]) as resp:  # plain GET, no auth
        assert resp.status == 200 and await resp.read() == b"img2"


async def test_contact_and_location(api: Api, client: MaxSandboxClient, anna: dict[str, Any]) -> None:
    uid = anna["user_id"]
    await client.send_contact(uid, "+79990001122", name="Пётр")
    await client.send_location(uid, 55.7, 37.6)
    updates = (await api("GET", "/updates?timeout=0&types=message_created"))[1]["updates"]
    contact, place = (u["message"]["body"]["attachments"][0] for u in updates)
    assert (
        contact["payload"]["vcf_info"]
        == "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Пётр\r\nTEL;TYPE=cell:+79990001122\r\nEND:VCARD"
    )
    assert contact["payload"]["max_info"] is None
    assert place == {"type": "location", "latitude": 55.7, "longitude": 37.6}


# -- buttons and answers --------------------------------------------------------------------------


async def test_buttons_and_answers(api: Api, client: MaxSandboxClient, anna: dict[str, Any]) -> None:
    uid = anna["user_id"]
    rows = [
        [
            {"type": "callback", "text": "Принять", "payload": "accept:7"},
            {"type": "message", "text": "Помощь"},
        ],
        [
            {"type": "request_contact", "text": "Мой телефон"},
            {"type": "request_geo_location", "text": "Где я", "quick": False},
        ],
        [{"type": "link", "text": "Сайт", "url": "https://example.org"}],
    ]
    body = (
        await api("POST", f"/messages?user_id={uid}", json={"text": "Меню", "attachments": [keyboard(*rows)]})
    )[1]
    mid = body["message"]["body"]["mid"]
    marker = (await api("GET", "/updates?timeout=0"))[1]["marker"]

    pressed = await client.press(uid, mid, text="Принять")
    assert pressed["kind"] == "callback"
    updates = (await api("GET", f"/updates?timeout=0&marker={marker}"))[1]
    [callback] = updates["updates"]
    assert callback["update_type"] == "message_callback"
    assert callback["callback"]["payload"] == "accept:7" and callback["callback"]["user"]["user_id"] == uid
    assert callback["message"]["body"]["mid"] == mid
    cid = callback["callback"]["callback_id"]
    assert cid == pressed["callback_id"]
    [answer] = await client.callback_answers(uid)
    assert answer["answered"] is False

    reply = {"message": {"text": "Принято", "attachments": []}, "notification": "Готово"}
    assert await api("POST", f"/answers?callback_id={cid}", json=reply) == (200, {"success": True})
    [answer] = await client.callback_answers(uid)
    assert answer["answered"] and answer["notification"] == "Готово"
    [edited] = await client.bot_messages(uid)
    assert edited["body"]["text"] == "Принято" and edited["body"]["attachments"] is None
    assert (await api("POST", f"/answers?callback_id={cid}", json={"message": None, "notification": None}))[
        0
    ] == 200
    status, body = await api("POST", "/answers?callback_id=nope", json={})
    assert status == 404 and body["code"] == "not.found"

    await api("PUT", f"/messages?message_id={mid}", json={"attachments": [keyboard(*rows)]})
    marker = updates["marker"]
    assert (await client.press(uid, mid, text="Помощь"))["message"]["body"]["text"] == "Помощь"
    contact = (await client.press(uid, mid, text="Мой телефон", phone="+79990001122"))["message"]
    assert contact["body"]["attachments"][0]["payload"]["max_info"]["user_id"] == uid
    assert "TEL;TYPE=cell:+79990001122" in contact["body"]["attachments"][0]["payload"]["vcf_info"]
    place = (await client.press(uid, mid, text="Где я", latitude=1.5, longitude=2.5))["message"]
    assert place["body"]["attachments"] == [{"type": "location", "latitude": 1.5, "longitude": 2.5}]
    assert (await client.press(uid, mid, text="Сайт"))["url"] == "https://example.org"
    kinds = [
        u["update_type"] for u in (await api("GET", f"/updates?timeout=0&marker={marker}"))[1]["updates"]
    ]
    assert kinds == ["message_created"] * 3
    with pytest.raises(AssertionError, match="no button"):
        await client.press(uid, mid, text="Нет такой")


# -- limits and faults ----------------------------------------------------------------------------


async def test_rate_limit_429(api: Api, client: MaxSandboxClient) -> None:
    results = await asyncio.gather(*(api("GET", "/me") for _ in range(40)))
    statuses = [status for status, _ in results]
    assert statuses.count(429) >= 5
    assert next(body for status, body in results if status == 429)["code"] == "too.many.requests"
    stats = await client.stats()
    assert stats["rate_limited"] == statuses.count(429) and stats["methods"]["GET /me"] == 40
    await client.set_limits(enforce_limits=False)
    assert all(s == 200 for s, _ in await asyncio.gather(*(api("GET", "/me") for _ in range(40))))
    await client.set_limits(enforce_limits=True, rate_per_sec=5)
    statuses = [s for s, _ in await asyncio.gather(*(api("GET", "/me") for _ in range(8)))]
    assert statuses.count(429) >= 2


async def test_faults(api: Api, client: MaxSandboxClient, anna: dict[str, Any]) -> None:
    await client.inject_faults("messages", 502, count=2)
    for _ in range(2):
        status, body = await api("POST", f"/messages?user_id={anna['user_id']}", json={"text": "a"})
        assert status == 502 and body["code"] == "service.unavailable"
    assert (await api("POST", f"/messages?user_id={anna['user_id']}", json={"text": "a"}))[0] == 200
    await client.inject_faults("*", 429)
    assert (await api("GET", "/me"))[1]["code"] == "too.many.requests"
    await client.inject_faults("me", "hang", seconds=0.3)
    began = time.monotonic()
    assert (await api("GET", "/me"))[0] == 504 and time.monotonic() - began >= 0.3


# -- webhook --------------------------------------------------------------------------------------


async def test_webhook_delivery_with_secret_and_retry(
    api: Api, client: MaxSandboxClient, anna: dict[str, Any]
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    failures = {"left": 1}

    async def hook(request: web.Request) -> web.Response:
        if failures["left"]:
            failures["left"] -= 1
            return web.Response(status=500)
        received.append((request.headers.get("X-Max-Bot-Api-Secret"), await request.json()))
        return web.json_response({})

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        subscription = {"url": url, "update_types": ["message_created", "bot_started"], "secret": "s3cret"}
        assert await api("POST", "/subscriptions", json=subscription) == (200, {"success": True})
        status, body = await api("GET", "/subscriptions")
        assert body["subscriptions"][0]["url"] == url
        status, body = await api("GET", "/updates?timeout=0")
        assert status == 400 and "webhook" in body["message"]
        await client.send_text(anna["user_id"], "по вебхуку")
        for _ in range(100):
            if len(received) >= 2:
                break
            await asyncio.sleep(0.05)
        assert [u["update_type"] for _, u in received] == ["bot_started", "message_created"]
        assert {secret for secret, _ in received} == {"s3cret"}
        assert received[1][1]["message"]["body"]["text"] == "по вебхуку"
        assert await api("DELETE", f"/subscriptions?url={url}") == (200, {"success": True})
        assert (await api("GET", "/updates?timeout=0"))[0] == 200
        # After a reset the sender still delivers to a new subscription.
        await client.reset()
        received.clear()
        assert (await api("POST", "/subscriptions", json={"url": url, "secret": "again"}))[0] == 200
        user = await client.register_user(first_name="Олег")
        await client.start(user["user_id"])
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.05)
        assert [(secret, u["update_type"]) for secret, u in received] == [("again", "bot_started")]
    finally:
        await runner.cleanup()


# -- the client -----------------------------------------------------------------------------------


async def test_client_wait_for_and_transcript(
    api: Api, client: MaxSandboxClient, anna: dict[str, Any]
) -> None:
    uid = anna["user_id"]
    await api("POST", f"/messages?user_id={uid}", json={"text": "старое: привет"})
    await client.send_text(uid, "hi")

    async def reply_later() -> None:
        await asyncio.sleep(0.2)
        await api("POST", f"/messages?user_id={uid}", json={"text": "новое: привет", "format": "markdown"})

    task = asyncio.create_task(reply_later())
    found = await client.wait_for(uid, contains="привет", timeout=3)
    await task
    assert found["body"]["text"] == "новое: привет" and found["format"] == "markdown"
    transcript = await client.transcript(uid)
    assert [(m["side"], m["body"]["text"]) for m in transcript] == [
        ("bot", "старое: привет"),
        ("user", "hi"),
        ("bot", "новое: привет"),
    ]
    with pytest.raises(AssertionError, match="новое: привет") as caught:
        await client.wait_for(uid, contains="не придёт", timeout=0.3)
    assert "within 0.3s" in str(caught.value)


async def test_mounted_as_subapp_and_reset() -> None:
    config = MaxSandboxConfig(personas=[Persona(501, "Мария Петровна", "Глава")], lang="en")
    parent = web.Application()
    max_app = create_max_sandbox_app(config)
    parent.add_subapp("/max/", max_app)
    runner = web.AppRunner(parent)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/max"
    try:
        async with aiohttp.ClientSession() as http, MaxSandboxClient(base) as client:
            api = Api(base, http)
            _, body = await api("POST", "/uploads?type=file")
            assert body["url"].startswith(f"{base}/upload/")
            await client.start(501)
            await api("POST", "/messages?user_id=501", json={"text": "Добрый день"})
            assert [m["body"]["text"] for m in await client.bot_messages(501)] == ["Добрый день"]
            assert max_app[MAX_STATE].users[501].first_name == "Мария"
            async with http.get(f"{base}/chat") as page:
                html = await page.text()
            assert '<html lang="en">' in html
            await client.set_limits(rate_per_sec=3)
            await client.reset()
            assert await client.transcript(501) == []
            assert (await client.stats())["requests"] == 0
            assert max_app[MAX_STATE].config.rate_per_sec == 30
    finally:
        await runner.cleanup()


async def test_control_api_errors(client: MaxSandboxClient, max_sandbox: RunningMaxSandbox) -> None:
    with pytest.raises(AssertionError, match="user not found"):
        await client.send_text(777, "x")
    user = await client.register_user(first_name="Глеб")
    await client.block(user["user_id"])
    with pytest.raises(AssertionError, match="blocked"):
        await client.send_text(user["user_id"], "x")
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{max_sandbox.base_url}/api/users/{user['user_id']}/messages", json={"images": [{"data": "%%"}]}
        ) as resp:
            assert resp.status == 409  # blocked first
    with pytest.raises(AssertionError, match="unknown limit"):
        await client.set_limits(speed=1)
    assert base64  # used by the page test below via the client
