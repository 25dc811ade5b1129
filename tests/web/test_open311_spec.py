"""Open311 GeoReport v2 as the spec writes it: XML read back with a real XML parser, service
definitions, staff-only topics, jurisdiction_id, JSON bodies and the discovery document."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Category, OrgCard, User, utcnow
from models.enums import AppealStatus, CategoryAudience
from porucheno.settings import Settings
from services.open311 import STATUS_GROUPS
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, login
from tests.web.test_open311 import API, issue_key, request_fields
from tests.web.test_public_form_http import count, make_topics

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


async def xml_of(response: ClientResponse, status: int = 200) -> ET.Element:
    body = await response.read()
    assert response.status == status, body
    assert response.content_type == "text/xml" and response.charset == "utf-8"
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(body)


def errors_of(root: ET.Element) -> list[tuple[str, str]]:
    assert root.tag == "errors"
    return [(e.findtext("code", ""), e.findtext("description", "")) for e in root.findall("error")]


async def staff_only_topic(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        s.add(
            Category(
                code="it_support",
                name_ru="ИТ-поддержка сотрудников",
                name_en="IT support",
                answer_days=3,
                audience=CategoryAudience.STAFF.value,
            )
        )
        await s.commit()


async def test_every_appeal_status_is_open_or_closed() -> None:
    # A status added to the enum without its Open311 state fails here (one line in STATUS_GROUPS).
    assert set(STATUS_GROUPS) == set(AppealStatus)
    assert set(STATUS_GROUPS.values()) == {"open", "closed"}


async def test_services_and_definitions_in_xml_and_json_never_show_staff_topics(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_topics(session_factory)
    await staff_only_topic(session_factory)

    root = await xml_of(await client.get(f"{API}/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == ["roads", "lighting"]
    roads = services[0]
    assert [child.tag for child in roads] == SERVICE_FIELDS
    assert roads.findtext("service_name") == "Дороги и тротуары"
    assert roads.findtext("metadata") == "true" and roads.findtext("type") == "realtime"
    assert roads.findtext("group") == "Отдел дорожного хозяйства"
    as_json = await (await client.get(f"{API}/services.json")).json()
    assert [s["service_code"] for s in as_json] == ["roads", "lighting"]

    definition = await xml_of(await client.get(f"{API}/services/roads.xml"))
    assert definition.tag == "service_definition"
    assert definition.findtext("service_code") == "roads"
    attributes = definition.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["subject", "address_details"]
    assert [child.tag for child in attributes[1]] == ATTRIBUTE_FIELDS
    details = attributes[1]
    assert details.findtext("variable") == "true" and details.findtext("required") == "false"
    assert details.findtext("datatype") == "string" and details.findtext("order") == "2"
    assert details.findtext("datatype_description") == "До 200 символов."
    assert (details.findtext("description") or "").startswith("Подъезд, этаж, квартира")
    as_json = await (await client.get(f"{API}/services/roads.json")).json()
    assert as_json["service_code"] == "roads"
    assert [
        (a["code"], a["datatype"], a["required"], a["order"], a["values"]) for a in as_json["attributes"]
    ] == [("subject", "string", False, 1, []), ("address_details", "string", False, 2, [])]

    # Staff-only, inactive and unknown codes alike: 404 in the format asked for.
    for code in ("it_support", "old", "nope"):
        root = await xml_of(await client.get(f"{API}/services/{code}.xml"), 404)
        assert errors_of(root) == [("404", "Услуги с таким кодом нет.")]
    response = await client.get(f"{API}/services/it_support.json")
    assert response.status == 404
    assert await response.json() == [{"code": 404, "description": "Услуги с таким кодом нет."}]

    await login(client)
    key = await issue_key(client, "Портал")
    response = await client.post(f"{API}/requests.xml", data=request_fields(key, service_code="it_support"))
    [(code, description)] = errors_of(await xml_of(response, 400))
    assert code == "400" and "it_support" in description
    assert await count(session_factory, Appeal) == 0

    root = await xml_of(await client.get(f"{API}/requests/2026-999999.xml"), 404)
    assert errors_of(root) == [("404", "Заявки с таким номером нет.")]
    root = await xml_of(await client.delete(f"{API}/services.xml"), 405)
    assert errors_of(root)[0][0] == "405"
    root = await xml_of(await client.get(f"{API}/tokens/abc.xml"), 404)  # no tokens: ids come at once
    assert errors_of(root)[0][0] == "404"
    response = await client.get(f"{API}/tokens/abc.json")
    assert response.status == 404 and (await response.json())[0]["code"] == 404


async def test_post_and_read_back_in_xml_with_attributes_and_a_json_body(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_topics(session_factory)
    await login(client)
    key = await issue_key(client, "Мобильное приложение")
    fields = request_fields(
        key,
        description='Люк открыт <b>"опасно"</b> & темно',
        **{"attribute[subject]": "Открытый люк", "attribute[address_details]": "у подъезда 3"},
    )
    root = await xml_of(await client.post(f"{API}/requests.xml", data=fields), 201)
    assert root.tag == "service_requests"
    [created] = root.findall("request")
    assert [child.tag for child in created] == ["service_request_id", "service_notice", "account_id"]
    number = created.findtext("service_request_id") or ""
    assert number and number in (created.findtext("service_notice") or "")
    assert created.findtext("account_id") == ""  # present and empty: we keep no accounts

    # The same fields as a JSON object, attributes as an object of codes.
    body = {k: v for k, v in fields.items() if not k.startswith("attribute[")} | {
        "service_code": "lighting",
        "description": "Темно\x00 во дворе\x07",  # cleaned as a form body would be
        "attribute": {"address_details": "во дворе", "unknown_city_field": "ignored"},
    }
    response = await client.post(f"{API}/requests.json", json=body)
    assert response.status == 201, await response.text()
    [from_json] = await response.json()
    response = await client.post(
        f"{API}/requests.json", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400 and (await response.json())[0]["code"] == 400
    response = await client.post(f"{API}/requests.json", json={"api_key": key, "description": "\x00"})
    assert await response.json() == [{"code": 400, "description": "Не указан service_code."}]
    too_long = request_fields(key, **{"attribute[address_details]": "я" * 201})
    root = await xml_of(await client.post(f"{API}/requests.xml", data=too_long), 400)
    assert "address_details" in errors_of(root)[0][1]
    async with session_factory() as s:
        appeals = (await s.scalars(select(Appeal).order_by(Appeal.id))).all()
        assert [(a.subject, a.address) for a in appeals] == [
            ("Открытый люк", "Красная площадь, 1, у подъезда 3"),
            (None, "Красная площадь, 1, во дворе"),
        ]
        assert appeals[1].reg_number == from_json["service_request_id"]
        assert appeals[1].text.startswith("Темно во дворе\n")

    root = await xml_of(await client.get(f"{API}/requests/{number}.xml"))
    [item] = root.findall("request")
    assert [child.tag for child in item] == REQUEST_FIELDS
    # Escaped on the way out, read back whole by the parser.
    assert item.findtext("description", "").startswith('Люк открыт <b>"опасно"</b> & темно')
    assert item.findtext("status") == "open" and item.findtext("service_code") == "roads"
    assert float(item.findtext("lat", "")) == pytest.approx(55.751244)
    assert item.findtext("status_notes") == "" and item.findtext("zipcode") == ""
    assert item.findtext("media_url") == "https://photos.example/hole.jpg"
    listed = await xml_of(await client.get(f"{API}/requests.xml?service_code=lighting"))
    assert [r.findtext("service_request_id") for r in listed.findall("request")] == [
        from_json["service_request_id"]
    ]
    root = await xml_of(await client.get(f"{API}/requests.xml?status=pending"), 400)
    assert errors_of(root)[0][0] == "400"


async def test_jurisdiction_id_is_ours_or_refused(
    client: TestClient,
    admin: User,
    session_factory: async_sessionmaker[AsyncSession],
    app_factory: AppFactory,
    settings: Settings,
) -> None:
    await make_topics(session_factory)
    # Not configured: any jurisdiction_id (or none) is ours.
    assert (await client.get(f"{API}/services.json?jurisdiction_id=anything")).status == 200
    await login(client)
    key = await issue_key(client, "Портал")

    ours = settings.model_copy(update={"open311_jurisdiction": "porucheno.example.ru"})
    async with TestClient(TestServer(app_factory(settings=ours), host="127.0.0.1")) as api:
        for query in ("", "?jurisdiction_id=porucheno.example.ru", "?jurisdiction_id=Porucheno.Example.RU"):
            assert (await api.get(f"{API}/services.json{query}")).status == 200, query
        foreign = "?jurisdiction_id=sfgov.org"
        response = await api.get(f"{API}/services.json{foreign}")
        assert response.status == 404
        assert await response.json() == [{"code": 404, "description": "Юрисдикции sfgov.org здесь нет."}]
        for path in ("services.xml", "services/roads.xml", "requests.xml", "requests/1.xml"):
            root = await xml_of(await api.get(f"{API}/{path}{foreign}"), 404)
            assert errors_of(root) == [("404", "Юрисдикции sfgov.org здесь нет.")], path
        assert (await api.get(f"/open311/discovery.json{foreign}")).status == 404
        response = await api.post(
            f"{API}/requests.xml", data=request_fields(key, jurisdiction_id="sfgov.org")
        )
        assert errors_of(await xml_of(response, 404))[0][0] == "404"
        response = await api.post(f"{API}/requests.json{foreign}", data=request_fields(key))
        assert response.status == 404
        assert await count(session_factory, Appeal) == 0
        response = await api.post(
            f"{API}/requests.json", data=request_fields(key, jurisdiction_id="porucheno.example.ru")
        )
        assert response.status == 201
        assert await count(session_factory, Appeal) == 1


async def test_discovery_names_our_endpoint_in_both_formats(
    session_factory: async_sessionmaker[AsyncSession], app_factory: AppFactory, settings: Settings
) -> None:
    async with session_factory() as s:
        s.add(OrgCard(id=1, name="Администрация города N", email="open311@city.example", updated_at=utcnow()))
        await s.commit()
    public = settings.model_copy(update={"public_url": "https://311.city.example/"})
    async with TestClient(TestServer(app_factory(settings=public), host="127.0.0.1")) as api:
        response = await api.get("/open311/discovery.json")
        assert response.status == 200 and response.content_type == "application/json"
        document = await response.json()
        assert list(document) == ["changeset", "contact", "key_service", "endpoints"]
        assert document["contact"] == "Администрация города N, open311@city.example"
        assert "open311@city.example" in document["key_service"]
        [endpoint] = document["endpoints"]
        assert endpoint == {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "https://311.city.example/open311/v2",
            "changeset": document["changeset"],
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
        root = await xml_of(await api.get("/open311/discovery.xml"))
        assert root.tag == "discovery"
        assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
        [element] = root.findall("endpoints/endpoint")
        assert element.findtext("url") == "https://311.city.example/open311/v2"
        assert element.findtext("type") == "production"
        assert [f.text for f in element.findall("formats/format")] == ["text/xml", "application/json"]
        assert root.findtext("changeset") == document["changeset"]
