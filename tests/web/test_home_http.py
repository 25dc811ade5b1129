"""The home page over HTTP: every figure of every role equals the rows of the list it links to."""

from __future__ import annotations

import html
import re

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, login
from tests.web.home_support import ALL_BLOCKS, EXPECTED, ROLES, make_day
from tests.web.outages_support import PASSWORD

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

FIGURE_RE = re.compile(r'id="([\w-]+)">\s*<a class="num" href="([^"]+)">(\d+)</a>')
DEPARTMENT_RE = re.compile(r'<tr id="(dept-\d+)"><td>[^<]*</td><td><a class="num" href="([^"]+)">(\d+)</a>')
ROW_RE = re.compile(r'<tr data-id="(\d+)"')
BLOCK_RE = re.compile(r'<section class="home-block" id="block-([\w-]+)">')
NOT_LISTS = ("outages-houses", "outages-social")  # they point at the outage summary, not at a list


async def test_every_figure_equals_the_rows_of_its_list(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    day = await make_day(session_factory, settings.tz)
    for role, (login_name, blocks) in ROLES.items():
        client.session.cookie_jar.clear()
        await login(client, login_name, PASSWORD)
        page = await (await client.get("/")).text()
        assert set(BLOCK_RE.findall(page)) == blocks, role
        assert not (ALL_BLOCKS - blocks) & set(BLOCK_RE.findall(page))
        found = FIGURE_RE.findall(page) + DEPARTMENT_RE.findall(page)
        figures = {fid: (html.unescape(href), int(n)) for fid, href, n in found}
        for fid, count in EXPECTED.get(role, {}).items():
            assert figures[fid][1] == count, (role, fid)
        for fid, (href, count) in figures.items():
            if fid in NOT_LISTS:
                continue
            response = await client.get(href)
            assert response.status == 200, (role, fid, href)
            rows = ROW_RE.findall(await response.text())
            assert len(rows) == count, (role, fid, href)
        if role == "manager":
            assert figures[f"dept-{day.housing_id}"][1] == day.overdue_dept_rows
