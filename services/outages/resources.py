"""Utility resources an outage can cut off, and the social object types the summaries count.

Names are English msgids translated per reader (ru/en in ``outages.po``). The list is data, not an
enum, so a municipality can narrow it (``enabled_resources("hot_water,heating")``) without a
migration: outages store the resource code as a string.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.errors import InvalidInput
from services.notify import N_, Translator


@dataclass(frozen=True, slots=True)
class Resource:
    code: str
    name: str  # msgid
    emoji: str


DEFAULT_RESOURCES: tuple[Resource, ...] = (
    Resource("cold_water", N_("cold water"), "🚰"),
    Resource("hot_water", N_("hot water"), "♨️"),
    Resource("heating", N_("heating"), "🔥"),
    Resource("electricity", N_("electricity"), "💡"),
    Resource("gas", N_("gas"), "🔵"),
    Resource("sewerage", N_("sewerage"), "🚽"),
)
_BY_CODE = {r.code: r for r in DEFAULT_RESOURCES}

SOCIAL_TYPE_NAMES: dict[str, str] = {
    "school": N_("schools"),
    "kindergarten": N_("kindergartens"),
    "hospital": N_("hospitals"),
    "clinic": N_("clinics"),
    "boiler_house": N_("boiler houses"),
    "care_home": N_("care homes"),
}
OTHER_SOCIAL = "other"
SOCIAL_TYPE_NAMES[OTHER_SOCIAL] = N_("other social objects")


def enabled_resources(codes: str | None = None) -> tuple[Resource, ...]:
    """The configured subset, in the order given (a comma-separated setting); all when empty."""
    if not codes or not codes.strip():
        return DEFAULT_RESOURCES
    picked = [c.strip() for c in codes.split(",") if c.strip()]
    unknown = [c for c in picked if c not in _BY_CODE]
    if unknown:
        raise InvalidInput("Unknown resource: %(code)s", code=", ".join(unknown))
    return tuple(_BY_CODE[c] for c in dict.fromkeys(picked))


def get_resource(code: str) -> Resource:
    try:
        return _BY_CODE[code]
    except KeyError:
        raise InvalidInput("Unknown resource: %(code)s", code=code) from None


def resource_name(code: str, t: Translator) -> str:
    r = _BY_CODE.get(code)
    return t(r.name) if r else code


def social_type_name(code: str | None, t: Translator) -> str:
    return t(SOCIAL_TYPE_NAMES.get(code or OTHER_SOCIAL, SOCIAL_TYPE_NAMES[OTHER_SOCIAL]))


def social_key(social_type: str | None) -> str:
    """Unknown or missing types are counted together so the totals always add up."""
    return social_type if social_type in SOCIAL_TYPE_NAMES else OTHER_SOCIAL
