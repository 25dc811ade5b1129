"""Open311 answers in either of the spec's formats: the same data as JSON or as XML.

Every endpoint builds one plain structure (dicts, lists, scalars) and this module writes it out, so
the two formats can never disagree. XML is built with ElementTree, which escapes text; characters
XML 1.0 cannot carry at all (control characters a client once typed) are dropped first, or the
document would not parse.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from admin_web.i18n import gettext

XML, JSON = "xml", "json"
FORMATS = (XML, JSON)
CONTENT_TYPES = {XML: "text/xml", JSON: "application/json"}
# The spec's element name for an item of each list (<services><service/>…</services>).
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
NOT_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def format_of(name: str | None) -> str:
    """The format a path ending names; anything else gets XML, the spec's default."""
    return name.lower() if name and name.lower() in FORMATS else XML


def respond(fmt: str, root: str, data: Any, *, status: int = 200) -> web.Response:
    """``data`` as JSON, or as XML under ``<root>`` (a list's items named per :data:`ITEM_NAMES`)."""
    if fmt == JSON:
        body = json.dumps(data, ensure_ascii=False).encode()
    else:
        body = ET.tostring(_element(root, data), encoding="utf-8", xml_declaration=True)
    return web.Response(body=body, status=status, content_type=CONTENT_TYPES[fmt], charset="utf-8")


def error(fmt: str, status: int, message: str, **params: Any) -> web.Response:
    """The spec's error list with the same HTTP status; ``message`` is a msgid."""
    return errors(fmt, status, gettext(message, **params))


def errors(fmt: str, status: int, *descriptions: str) -> web.Response:
    """Already translated descriptions, one ``<error>`` each."""
    body = [{"code": status, "description": text} for text in descriptions]
    return respond(fmt, "errors", body, status=status)


def _element(name: str, value: Any) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, Mapping):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list | tuple):
        item_name = ITEM_NAMES[name]
        for item in value:
            element.append(_element(item_name, item))
    elif value is not None:
        element.text = _text(value)
    return element


def _text(value: object) -> str:
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    return NOT_XML_CHARS.sub("", str(value))
