"""Our Open311 endpoint driven by a third-party client library, as a city integrator would.

``georeport`` (PyPI) is a GeoReport v2 client for Python 3: it reads services, definitions and
requests in XML (through xmltodict) or JSON, sending ``jurisdiction_id`` when configured. It cannot
post (its README says so), so the request is posted as a civic app does, form-encoded with a key.
It is synchronous (``requests``): each call runs in a thread while the server answers on the loop.
The other candidate, ``open311`` 1.1, is Python 2 code (implicit relative imports) and does not
import on Python 3.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import pytest
import requests
from aiohttp.test_utils import TestClient, TestServer
from georeport import GeoReport
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import User
from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, login
from tests.web.test_open311 import API, issue_key, request_fields
from tests.web.test_open311_spec import staff_only_topic
from tests.web.test_public_form_http import make_topics

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

JURISDICTION = "porucheno.example.ru"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # requests honours *_proxy variables; the server is on this machine.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


async def test_georeport_client_reads_services_definitions_and_requests_in_xml_and_json(
    admin: User,
    session_factory: async_sessionmaker[AsyncSession],
    app_factory: AppFactory,
    settings: Settings,
) -> None:
    await make_topics(session_factory)
    await staff_only_topic(session_factory)
    ours = settings.model_copy(update={"open311_jurisdiction": JURISDICTION})
    async with TestClient(TestServer(app_factory(settings=ours), host="127.0.0.1")) as client:
        root = str(client.make_url(API))
        via_xml = GeoReport(root, jurisdiction=JURISDICTION, output_format="xml")
        via_json = GeoReport(root, jurisdiction=JURISDICTION, output_format="json")

        services = await asyncio.to_thread(via_xml.get_service_list)
        assert [(s["service_code"], s["metadata"]) for s in services] == [
            ("roads", "true"),
            ("lighting", "true"),
        ]
        assert services[0]["service_name"] == "Дороги и тротуары"
        services = await asyncio.to_thread(via_json.get_service_list)
        assert [(s["service_code"], s["metadata"]) for s in services] == [
            ("roads", True),
            ("lighting", True),
        ]

        definition = await asyncio.to_thread(via_xml.get_service_definition, "roads")
        assert definition["service_code"] == "roads"
        attributes = definition["attributes"]["attribute"]
        assert [(a["code"], a["datatype"], a["required"], a["order"]) for a in attributes] == [
            ("subject", "string", "false", "1"),
            ("address_details", "string", "false", "2"),
        ]
        definition = await asyncio.to_thread(via_json.get_service_definition, "lighting")
        assert [a["code"] for a in definition["attributes"]] == ["subject", "address_details"]
        for client_ in (via_xml, via_json):  # a staff-only topic does not exist for the outside world
            with pytest.raises(requests.HTTPError) as refused:
                await asyncio.to_thread(client_.get_service_definition, "it_support")
            assert refused.value.response.status_code == 404

        await login(client)
        key = await issue_key(client, "Городской портал")
        fields = request_fields(
            key, jurisdiction_id=JURISDICTION, **{"attribute[address_details]": "подъезд 2"}
        )
        response = await client.post(f"{API}/requests.xml", data=fields)
        assert response.status == 201, await response.text()
        posted = await client.post(f"{API}/requests.json", data=request_fields(key, service_code="lighting"))
        [lighting] = await posted.json()

        number = ET.fromstring(await response.read()).findtext("request/service_request_id")
        assert number
        item = await asyncio.to_thread(via_xml.get_service_request, number)
        assert item["service_request_id"] == number and item["status"] == "open"
        assert item["service_code"] == "roads" and item["address"] == "Красная площадь, 1, подъезд 2"
        assert item["agency_responsible"] == "Отдел дорожного хозяйства"
        assert item["status_notes"] is None  # an empty element
        item = await asyncio.to_thread(via_json.get_service_request, number)
        assert item["service_request_id"] == number and item["lat"] == pytest.approx(55.751244)

        listed = await asyncio.to_thread(via_xml.get_service_requests, status="open")
        assert [r["service_request_id"] for r in listed] == [lighting["service_request_id"], number]
        listed = await asyncio.to_thread(via_json.get_service_requests, service_code="lighting")
        assert [r["service_request_id"] for r in listed] == [lighting["service_request_id"]]
        listed = await asyncio.to_thread(
            via_json.get_service_requests, service_request_id=f"{number},{lighting['service_request_id']}"
        )
        assert len(listed) == 2

        # A client configured for another city is told so.
        foreign = GeoReport(root, jurisdiction="sfgov.org", output_format="xml")
        with pytest.raises(requests.HTTPError) as refused:
            await asyncio.to_thread(foreign.get_service_list)
        assert refused.value.response.status_code == 404
        assert "<errors><error><code>404</code>" in refused.value.response.text
