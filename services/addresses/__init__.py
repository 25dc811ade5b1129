"""The address registry: normalising Russian addresses, finding buildings, importing the registry."""

from services.addresses.importer import ImportReport, RejectedRow, import_buildings
from services.addresses.nearest import haversine_m, nearest_building
from services.addresses.normalize import (
    HouseParts,
    HouseRange,
    ParsedAddress,
    house_key,
    normalize_street,
    parse_address,
    parse_house,
    parse_range,
    split_street,
)
from services.addresses.search import (
    find_building,
    houses_in_range,
    rank_streets,
    search_buildings,
    street_houses,
)

__all__ = [
    "HouseParts",
    "HouseRange",
    "ImportReport",
    "ParsedAddress",
    "RejectedRow",
    "find_building",
    "haversine_m",
    "house_key",
    "houses_in_range",
    "import_buildings",
    "nearest_building",
    "normalize_street",
    "parse_address",
    "parse_house",
    "parse_range",
    "rank_streets",
    "search_buildings",
    "split_street",
    "street_houses",
]
