"""Utility resources an outage can cut off, and the social object types the summaries count.

Both lists are configured in the panel (tables ``outage_resources`` and ``social_object_types``,
seeded with the defaults below). Call sites are synchronous (keyboards, summaries, labels), so the
lists live in a process-wide registry: :func:`install` replaces it, and
``services.config.outage_catalogs.load`` fills it from the database at start-up and after every
change in the panel (bot, scheduler and panel run in one process). Outages store the resource code
as a string, so a deactivated resource still names the old outages that used it.

The default English names are msgids too (``outages.po``), so a reader in a locale without a stored
name still gets a translation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from services.errors import InvalidInput
from services.notify import N_


class _Translating(Protocol):
    def __call__(self, message: str, **params: object) -> str: ...


@dataclass(frozen=True, slots=True)
class Resource:
    code: str
    name: str  # English name (a msgid for the defaults)
    emoji: str
    name_ru: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class SocialType:
    code: str
    name: str  # English plural name (a msgid for the defaults): "schools"
    name_ru: str = ""
    active: bool = True


DEFAULT_RESOURCES: tuple[Resource, ...] = (
    Resource("cold_water", N_("cold water"), "🚰", "холодная вода"),
    Resource("hot_water", N_("hot water"), "♨️", "горячая вода"),
    Resource("heating", N_("heating"), "🔥", "отопление"),
    Resource("electricity", N_("electricity"), "💡", "электроэнергия"),
    Resource("gas", N_("gas"), "🔵", "газ"),
    Resource("sewerage", N_("sewerage"), "🚽", "водоотведение"),
)
OTHER_SOCIAL = "other"
DEFAULT_SOCIAL_TYPES: tuple[SocialType, ...] = (
    SocialType("school", N_("schools"), "школы"),
    SocialType("kindergarten", N_("kindergartens"), "детские сады"),
    SocialType("hospital", N_("hospitals"), "больницы"),
    SocialType("clinic", N_("clinics"), "поликлиники"),
    SocialType("boiler_house", N_("boiler houses"), "котельные"),
    SocialType("care_home", N_("care homes"), "дома-интернаты"),
)
_OTHER = SocialType(OTHER_SOCIAL, N_("other social objects"), "другие социальные объекты")

_resources: dict[str, Resource] = {}
_social: dict[str, SocialType] = {}


def install(resources: Iterable[Resource], social_types: Iterable[SocialType]) -> None:
    """Replace the registry (in display order); an empty list keeps the defaults."""
    global _resources, _social
    _resources = {r.code: r for r in resources} or {r.code: r for r in DEFAULT_RESOURCES}
    _social = {s.code: s for s in social_types if s.code != OTHER_SOCIAL} or {
        s.code: s for s in DEFAULT_SOCIAL_TYPES
    }


def reset_defaults() -> None:
    install((), ())


reset_defaults()


def _localized(name: str, name_ru: str, t: _Translating) -> str:
    locale = getattr(t, "locale", None)
    if locale == "ru" and name_ru:
        return name_ru
    return t(name) if locale is None or locale != "en" else name


def all_resources() -> tuple[Resource, ...]:
    """Every known resource, deactivated ones included (lists and filters of old outages)."""
    return tuple(_resources.values())


def enabled_resources(codes: str | None = None) -> tuple[Resource, ...]:
    """The resources new outages may use, in the configured order; ``codes`` (the legacy
    comma-separated setting PORUCHENO_OUTAGE_RESOURCES) narrows and orders them further."""
    active = [r for r in _resources.values() if r.active]
    if not codes or not codes.strip():
        return tuple(active)
    picked = [c.strip() for c in codes.split(",") if c.strip()]
    unknown = [c for c in picked if c not in _resources]
    if unknown:
        raise InvalidInput("Unknown resource: %(code)s", code=", ".join(unknown))
    return tuple(_resources[c] for c in dict.fromkeys(picked) if _resources[c].active)


def get_resource(code: str) -> Resource:
    """Any known resource, deactivated ones included: old outages keep their names."""
    try:
        return _resources[code]
    except KeyError:
        raise InvalidInput("Unknown resource: %(code)s", code=code) from None


def offered_resource(code: str) -> Resource:
    """A resource a new outage or report may name: known and active."""
    resource = get_resource(code)
    if not resource.active:
        raise InvalidInput("Unknown resource: %(code)s", code=code)
    return resource


def resource_name(code: str, t: _Translating) -> str:
    r = _resources.get(code)
    return _localized(r.name, r.name_ru, t) if r else code


def all_social_types() -> tuple[SocialType, ...]:
    return tuple(_social.values())


def social_type_name(code: str | None, t: _Translating) -> str:
    s = _social.get(code or OTHER_SOCIAL, _OTHER)
    return _localized(s.name, s.name_ru, t)


def social_key(social_type: str | None) -> str:
    """Unknown or missing types are counted together so the totals always add up."""
    return social_type if social_type in _social else OTHER_SOCIAL
