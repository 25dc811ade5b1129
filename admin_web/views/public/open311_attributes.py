"""The Open311 attributes every service accepts: what ``POST requests`` reads beyond the spec's fields.

A service definition promises a client that a posted ``attribute[code]`` lands in the appeal, so the
list here is exactly what :func:`read` takes and the POST handler stores; nothing is listed that we
would silently drop. Categories have no attributes of their own, so every offered service shares
these (and a client may omit them all: none is required).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from admin_web.i18n import N_, gettext
from models import Category


@dataclass(frozen=True, slots=True)
class Attribute:
    code: str
    description: str  # msgid: the question a client shows its user
    max_length: int
    datatype: str = "string"  # one line; "text" would allow line breaks
    required: bool = False


SUBJECT = Attribute("subject", N_("A short title of the problem."), max_length=500)
ADDRESS_DETAILS = Attribute(
    "address_details",
    N_("Entrance, floor, flat or a landmark that helps to find the place; added to the address."),
    max_length=200,
)
ATTRIBUTES = (SUBJECT, ADDRESS_DETAILS)


def definition(category: Category) -> dict[str, Any]:
    """The spec's service definition: the service code and its attributes in order."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,  # a question the user answers, not an informational line
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": gettext("Up to %(n)d characters.", n=attribute.max_length),
                "order": order,
                "description": gettext(attribute.description),
                "values": [],  # only list datatypes have values
            }
            for order, attribute in enumerate(ATTRIBUTES, start=1)
        ],
    }


class AttributeTooLong(ValueError):
    def __init__(self, attribute: Attribute) -> None:
        super().__init__(attribute.code)
        self.attribute = attribute


def read(values: Mapping[str, str]) -> dict[str, str]:
    """The known attributes a client posted as ``attribute[code]``, stripped; empty ones left out.

    Unknown codes are ignored: a client written for several cities may send another city's.
    Raises :class:`AttributeTooLong` rather than cutting a resident's words short unseen.
    """
    found = {}
    for attribute in ATTRIBUTES:
        value = " ".join(values.get(f"attribute[{attribute.code}]", "").split())  # one line
        if len(value) > attribute.max_length:
            raise AttributeTooLong(attribute)
        if value:
            found[attribute.code] = value
    return found
