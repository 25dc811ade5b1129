"""The public map in headless Chromium: a resident's view of outages and incidents, alone and framed.

Without a tile server the page is a plain list by street and house; with one (a local test server
here) the vendored Leaflet draws a marker per house and incident, and a popup tells what is cut
off; when the tiles fail, the map steps aside and the list stays. Any other site may frame it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory
from tests.web.public_map_support import CAUSE, PUBLISHED_UPDATE, MapTown, seed_map_town

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


def _grey_tile() -> bytes:
    """A 1×1 light grey PNG: Leaflet stretches it over the 256-pixel tile."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xe8\xe8\xe8")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _tile_app() -> web.Application:
    """Another origin: tiles (good and missing) and a host page that frames the public map."""
    png = _grey_tile()

    async def tile(request: web.Request) -> web.Response:
        return web.Response(body=png, content_type="image/png")

    async def missing(request: web.Request) -> web.Response:
        raise web.HTTPNotFound()

    async def host(request: web.Request) -> web.Response:
        src = request.query["src"]
        html = (
            "<!doctype html><html><head><title>Сайт администрации</title></head><body>"
            f'<h1>Сайт администрации</h1><iframe id="outages" src="{src}" width="600" height="500"></iframe>'
            "</body></html>"
        )
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/tiles/{z}/{x}/{y}.png", tile)
    app.router.add_get("/missing/{z}/{x}/{y}.png", missing)
    app.router.add_get("/host", host)
    return app


@asynccontextmanager
async def _serve(app: web.Application) -> AsyncIterator[str]:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@asynccontextmanager
async def _panel_with_tiles(
    app_factory: AppFactory, settings: Settings, tiles_url: str, tiles_path: str
) -> AsyncIterator[str]:
    tiled = settings.model_copy(update={"map_tile_url": f"{tiles_url}/{tiles_path}/{{z}}/{{x}}/{{y}}.png"})
    async with _serve(app_factory(settings=tiled)) as url:
        yield url


@asynccontextmanager
async def _page(browser: Browser, base_url: str, *, scripts: bool = True) -> AsyncIterator[Page]:
    context = await browser.new_context(base_url=base_url, locale="ru-RU", java_script_enabled=scripts)
    context.set_default_timeout(10_000)
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def _sees_the_town_list(page: Page, town: MapTown) -> None:
    school = page.locator(f"#house-{town.houses['Ленина 12']}")
    await expect(school).to_contain_text("ул. Ленина, 12")
    await expect(school).to_contain_text("Школа № 3")
    await expect(school).to_contain_text("горячая вода")
    await expect(page.locator(f"#house-{town.houses['Ленина 5']}")).to_contain_text("горячая вода")
    mira = page.locator(f"#house-{town.houses['Мира 10а']}")
    await expect(mira).to_contain_text("электроэнергия")
    await expect(mira).to_contain_text("плановое")
    await expect(page.locator(".pm-house")).to_have_count(4)  # not the houses of other outages
    await expect(page.locator(f"#incident-{town.public_incident_id}")).to_contain_text(
        "ул. Советская, у дома 3"
    )
    await expect(page.locator(f"#incident-{town.hidden_incident_id}")).to_have_count(0)
    await expect(page.locator("body")).not_to_contain_text("Утечка газа")
    await expect(page.locator("body")).not_to_contain_text("Пётр Сидоров")


async def test_without_tiles_the_page_is_a_list_by_street_and_house(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    town = await seed_map_town(session_factory)
    response = await page.goto("/public/map")
    assert response is not None and response.status == 200
    await expect(page.get_by_role("heading", name="Отключения и происшествия сейчас")).to_be_visible()
    await _sees_the_town_list(page, town)
    await expect(page.locator("#public-map")).to_have_count(0)
    await expect(page.locator(".leaflet-container")).to_have_count(0)
    await expect(page.locator(f"#outage-{town.active_id}")).to_contain_text(CAUSE)
    await expect(page.locator(f"#outage-{town.active_id}")).to_contain_text(PUBLISHED_UPDATE)
    await expect(page.locator("#pm-summary")).to_contain_text(
        "Отключений: 2, домов: 4, социальных объектов: 1"
    )

    await page.select_option("#pm-resource", label="электроэнергия")
    await page.click("#pm-apply")
    await expect(page.locator(".pm-house")).to_have_count(1)
    await expect(page.locator(f"#house-{town.houses['Мира 10а']}")).to_be_visible()
    await expect(page.locator("#pm-incidents")).to_have_count(0)

    await page.fill("#pm-street", "Садовая")
    await page.click("#pm-apply")
    await expect(page.locator("#pm-empty")).to_have_text("На этой улице сейчас ничего не отключено.")
    await page.select_option("#pm-resource", label="Всё")
    await page.fill("#pm-street", "ленина")
    await page.click("#pm-apply")
    await expect(page.locator(".pm-house")).to_have_count(3)
    await expect(page.locator(f"#house-{town.houses['Мира 10а']}")).to_have_count(0)

    await page.select_option("#pm-resource", label="электроэнергия")
    await page.fill("#pm-street", "")
    await page.click("#pm-apply")
    await page.click("#pm-lang")
    await expect(page.get_by_role("heading", name="Outages and incidents now")).to_be_visible()
    await expect(page.locator(f"#house-{town.houses['Мира 10а']}")).to_contain_text("electricity")


async def test_with_tiles_the_map_shows_markers_and_a_popup(
    browser: Browser,
    app_factory: AppFactory,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    town = await seed_map_town(session_factory)
    async with (
        _serve(_tile_app()) as tiles,
        _panel_with_tiles(app_factory, settings, tiles, "tiles") as panel,
        _page(browser, panel) as page,
    ):
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        await page.goto("/public/map")
        await expect(page.locator("#public-map.leaflet-container")).to_be_visible()
        await expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()
        # Four houses with coordinates (Lenina 5, 7, the school, Mira 10a) and the fallen tree.
        await expect(page.locator("path.pm-marker-house")).to_have_count(4)
        await expect(page.locator("path.pm-marker-incident")).to_have_count(1)
        await expect(page.locator("path.pm-marker-planned")).to_have_count(1)
        await expect(page.locator(".pm-legend-row")).to_have_text(
            ["горячая вода", "электроэнергия", "Происшествия"]
        )

        await page.locator("path.pm-marker-social").click()
        popup = page.locator(".leaflet-popup-content")
        await expect(popup).to_contain_text("ул. Ленина, 12")
        await expect(popup).to_contain_text("Школа № 3")
        await expect(popup).to_contain_text("горячая вода — Аварийное отключение")
        await expect(popup).to_contain_text(CAUSE)
        await expect(popup).to_contain_text(PUBLISHED_UPDATE)

        await page.locator(".leaflet-popup-close-button").click()
        await expect(popup).to_have_count(0)
        # The popup panned the map to fit; a fresh view puts every marker back inside it.
        await page.reload()
        await expect(page.locator("path.pm-marker-incident")).to_have_count(1)
        await page.locator("path.pm-marker-incident").click()
        await expect(popup).to_contain_text("ул. Советская, у дома 3")
        await expect(popup).to_contain_text("Дерево распиливают")

        await _sees_the_town_list(page, town)  # the list stays under the map
        assert refused == []


async def test_when_tiles_fail_the_map_steps_aside_for_the_list(
    browser: Browser,
    app_factory: AppFactory,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    town = await seed_map_town(session_factory)
    async with (
        _serve(_tile_app()) as tiles,
        _panel_with_tiles(app_factory, settings, tiles, "missing") as panel,
        _page(browser, panel) as page,
    ):
        await page.goto("/public/map")
        await expect(page.locator("body.pm-no-map")).to_be_attached()
        await expect(page.locator("#public-map")).to_be_hidden()
        await _sees_the_town_list(page, town)


async def test_without_javascript_the_list_is_all_there_is(
    browser: Browser,
    app_factory: AppFactory,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    town = await seed_map_town(session_factory)
    async with (
        _serve(_tile_app()) as tiles,
        _panel_with_tiles(app_factory, settings, tiles, "tiles") as panel,
        _page(browser, panel, scripts=False) as page,
    ):
        await page.goto("/public/map")
        await expect(page.locator("#public-map")).to_be_hidden()
        await _sees_the_town_list(page, town)


async def test_another_site_frames_the_compact_page(
    browser: Browser,
    live_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    town = await seed_map_town(session_factory)
    async with _serve(_tile_app()) as site, _page(browser, site) as page:
        framed: list[dict[str, str]] = []

        async def remember(response: object) -> None:
            if response.url.startswith(f"{live_url}/public/map"):  # type: ignore[attr-defined]
                framed.append(await response.all_headers())  # type: ignore[attr-defined]

        page.on("response", remember)
        await page.goto(f"/host?src={live_url}/public/map%3Fembed%3D1")
        await expect(page.get_by_role("heading", name="Сайт администрации")).to_be_visible()
        frame = page.frame_locator("#outages")
        await expect(frame.locator("body.embed")).to_be_attached()
        await expect(frame.locator(f"#house-{town.houses['Ленина 12']}")).to_contain_text("Школа № 3")
        await expect(frame.locator("#pm-header")).to_have_count(0)
        await expect(frame.locator("#pm-by-resource")).to_have_count(0)
        await expect(frame.locator("#pm-full")).to_have_attribute("target", "_blank")
        assert framed and "frame-ancestors *" in framed[0]["content-security-policy"]
