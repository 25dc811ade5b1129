"""Every list page builds its filter form from the shared macros (templates/macros/lists.html): each
field is labelled, and a filtered page shows the chosen values again, so the next "Show" keeps them."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import User
from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, login
from tests.web.test_appeals_http import make_office

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

LIST_PAGES = [
    "/assignments",
    "/appeals",
    "/correspondents",
    "/staff",
    "/outages",
    "/buildings",
    "/outages/log",
    "/analytics",
]


class FilterForm(HTMLParser):
    """The first GET form of a page: its labels, selects (options, selected) and inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.state = "before"
        self.labels: set[str] = set()
        self.selects: dict[str, dict[str, object]] = {}
        self.inputs: dict[str, dict[str, str | None]] = {}
        self._select: str | None = None
        self._in_label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and self.state == "before" and a.get("method") == "get":
            self.state = "in"
        if self.state != "in":
            return
        if tag == "label":
            self._in_label = True
            if a.get("for"):
                self.labels.add(a["for"] or "")
        elif tag == "select":
            self._select = a["name"]
            self.selects[a["name"] or ""] = {
                "id": a.get("id"),
                "options": [],
                "selected": [],
                "disabled": "disabled" in a,
            }
        elif tag == "option" and self._select is not None:
            select = self.selects[self._select]
            select["options"].append(a.get("value"))  # type: ignore[attr-defined]
            if "selected" in a:
                select["selected"].append(a.get("value"))  # type: ignore[attr-defined]
        elif tag == "input" and a.get("type") != "hidden":
            self.inputs[a["name"] or ""] = a
            if self._in_label:  # a tick box inside its label is labelled too
                self.labels.add(a.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "label":
            self._in_label = False
        elif tag == "form" and self.state == "in":
            self.state = "after"


async def form_of(client: TestClient, url: str, params: dict[str, str] | None = None) -> FilterForm:
    response = await client.get(url, params=params)
    assert response.status == 200, (url, params)
    parser = FilterForm()
    parser.feed(await response.text())
    assert parser.state == "after", f"{url}: no filter form"
    return parser


async def test_every_list_keeps_its_filter_values_and_labels_its_fields(
    client: TestClient,
    admin: User,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await make_office(session_factory, settings.files_dir)  # a department, people, a category
    await login(client)
    kept: set[tuple[str, str]] = set()
    for path in LIST_PAGES:
        blank = await form_of(client, path)
        fields = {name: str(s["id"]) for name, s in blank.selects.items()}
        fields |= {name: str(i.get("id")) for name, i in blank.inputs.items()}
        assert fields, path
        assert set(fields.values()) <= blank.labels, f"{path}: a field without its label"

        # Choose something in every field: the last option of each select, a day, a phrase, a tick.
        chosen: dict[str, str] = {}
        for name, select in blank.selects.items():
            options = [v for v in select["options"] if v]  # type: ignore[attr-defined]
            if options and not select["disabled"]:
                chosen[name] = options[-1]
        for name, field in blank.inputs.items():
            kind = field.get("type")
            chosen[name] = {"date": "2026-01-05" if name == "from" else "2026-01-06", "checkbox": "1"}.get(
                kind or "", "Мира"
            )
        filtered = await form_of(client, path, chosen)
        # A filter may narrow another's options (a department its employees): choose again among them.
        narrowed = {
            name: options[-1]
            for name, select in filtered.selects.items()
            if name in chosen
            and (options := [v for v in select["options"] if v])  # type: ignore[attr-defined]
            and chosen[name] not in options
        }
        if narrowed:
            chosen |= narrowed
            filtered = await form_of(client, path, chosen)
        for name, select in filtered.selects.items():
            if name in chosen:
                assert select["selected"] == [chosen[name]], f"{path}: {name} lost its value"
                kept.add((path, name))
        for name, field in filtered.inputs.items():
            if field.get("type") == "checkbox":
                assert "checked" in field, f"{path}: {name} not ticked"
            else:
                assert field.get("value") == chosen[name], f"{path}: {name} lost its value"
    # Including the selects whose options a page adds itself (optgroups, objects) inside the macro.
    assert {
        ("/assignments", "status"),
        ("/assignments", "executor"),
        ("/appeals", "category"),
        ("/staff", "department"),
        ("/analytics", "employee"),
    } <= kept
