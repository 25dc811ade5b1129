"""Reading one region of the state address register (ГАР/ФИАС XML) for one municipality, streamed.

The export is a folder per region (``77/AS_HOUSES_20261201_<guid>.XML`` …) or a .zip of it; the files
are gigabytes, so each is read with ``iterparse`` and every element is cleared once seen. Only the
municipality's ids and names are kept in memory, never the region's:

1. ``AS_HOUSES_PARAMS``: the houses whose current OKTMO (parameter type 7) starts with the code;
2. ``AS_MUN_HIERARCHY``: each of those houses' ancestors (its PATH: settlement, street);
3. ``AS_ADDR_OBJ``: the names, types and levels of those ancestors;
4. ``AS_HOUSES``: the houses themselves, yielded one by one (the caller upserts them in batches).

Without a params file the OKTMO of the municipal hierarchy's items is used instead.
Everything here is synchronous and blocking: callers run it in a thread.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, iterparse

from services.addresses.normalize import STREET_TYPES, normalize_street, parse_house

OKTMO_PARAM = "7"
# Levels of the register's address objects (AS_OBJECT_LEVELS).
CITY_LEVEL, LOCALITY_LEVEL, PLANNING_LEVEL, STREET_LEVEL = 5, 6, 7, 8
# AS_ADDHOUSE_TYPES: the kinds of a house's additional numbers (stable codes of the register).
_ADD_BLOCK = {"1"}  # корпус
_ADD_STRUCTURE = {"2", "3"}  # строение, сооружение
_ADD_LETTER = {"4"}  # литера
# ГАР's short street types («ул», «пр-кт», «б-р») → this product's canonical ones («ул.», «пр-т»).
_CANONICAL_TYPE = {alias: canon for canon, aliases in STREET_TYPES.items() for alias in aliases}


def _kind_of(name: str) -> str | None:
    """``AS_HOUSES_20261201_…xml`` → ``"HOUSES"``; the types files (``AS_HOUSE_TYPES``) are left out."""
    match = re.match(r"^AS_([A-Z_]+?)_\d{8}_", Path(name).name.upper())
    return match.group(1) if match else None


@dataclass(slots=True)
class GarHouse:
    """One actual, active house of the municipality, as the register describes it."""

    guid: str
    object_id: int
    oktmo: str
    street: str | None = None  # «ул. Ленина»; None when its parent street is unknown
    street_key: str = ""
    house: str | None = None  # canonical key «5к1»; None when the number cannot be read
    house_number: int | None = None
    raw_number: str = ""  # as the register wrote it, for messages


@dataclass(slots=True)
class GarScan:
    """What the first three passes learnt, and the counters the fourth one fills."""

    oktmo_of: dict[int, str] = field(default_factory=dict)  # house object id → its OKTMO
    path_of: dict[int, tuple[int, ...]] = field(default_factory=dict)  # house → its ancestors' ids
    objects: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # id → (type, name, level)
    place_of: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)  # (street, locality)
    main_locality: int | None = None  # the settlement most of the houses are in: its streets go unqualified
    skipped: int = 0  # the municipality's house records that are inactive or not actual
    _names: dict[tuple[int | None, int | None], tuple[str, str] | None] = field(default_factory=dict)

    def street_of(self, house_id: int) -> tuple[str, str] | None:
        """(shown, street_key) of a house's street, or None when the register does not name one.

        A municipal district has a «ул. Ленина» in many villages: outside the main settlement the
        street is qualified by its village, «с. Ивановка, ул. Ленина» keyed ``"ивановка ленина"``,
        so houses of different villages never merge. A village without streets is the street itself.
        """
        place = self.place_of.get(house_id, (None, None))
        if place not in self._names:
            self._names[place] = self._name(*place)
        return self._names[place]

    def _name(self, street_id: int | None, locality_id: int | None) -> tuple[str, str] | None:
        street = self.objects.get(street_id) if street_id is not None else None
        locality = self.objects.get(locality_id) if locality_id is not None else None
        if street is None:
            return street_name(locality[0], locality[1]) if locality is not None else None
        shown, key = street_name(street[0], street[1])
        if locality is None or locality_id == self.main_locality:
            return shown, key
        village, _ = street_name(locality[0], locality[1])
        return f"{village}, {shown}", normalize_street(f"{locality[1]} {key}")


class GarSource:
    """The files of one region's export, by kind, whether in a folder or a zip."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.files: dict[str, list[str]] = {}
        if zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
        elif source.is_dir():
            names = [str(p.relative_to(source)) for p in sorted(source.rglob("*")) if p.is_file()]
        elif source.exists():
            raise ValueError(f"{source.name} is neither a folder nor a .zip archive")
        else:
            raise FileNotFoundError(source)
        for name in sorted(names):
            kind = _kind_of(name)
            if kind is not None and name.upper().endswith(".XML"):
                self.files.setdefault(kind, []).append(name)

    def has(self, kind: str) -> bool:
        return bool(self.files.get(kind))

    def elements(self, kind: str, tag: str) -> Iterator[Element]:
        """Every ``tag`` element of every file of this kind, cleared after the caller is done with it."""
        with ExitStack() as stack:
            archive = (
                stack.enter_context(zipfile.ZipFile(self.source)) if zipfile.is_zipfile(self.source) else None
            )
            for name in self.files.get(kind, []):
                stream: IO[bytes] = stack.enter_context(
                    archive.open(name) if archive is not None else (self.source / name).open("rb")
                )
                root: Element | None = None
                for event, element in iterparse(stream, events=("start", "end")):
                    if event == "start":
                        root = root if root is not None else element
                        continue
                    if element.tag == tag:
                        yield element
                        element.clear()
                        if root is not None:
                            root.clear()  # drop the cleared children the root still holds


def _current(element: Element, today: date) -> bool:
    """Valid today by its STARTDATE/ENDDATE (ISO dates; a missing one does not limit)."""
    start, end = element.get("STARTDATE", ""), element.get("ENDDATE", "")
    iso = today.isoformat()
    return (not start or start[:10] <= iso) and (not end or iso < end[:10])


def _flag(element: Element, name: str) -> bool:
    return element.get(name, "1") in ("1", "true", "True")


def scan_municipality(source: GarSource, oktmo: str, today: date) -> GarScan:
    """Passes 1-3: the municipality's houses, their parents and their streets' names."""
    scan = GarScan()
    if source.has("HOUSES_PARAMS"):
        started: dict[int, str] = {}  # house → STARTDATE of the OKTMO value kept, the latest wins
        for param in source.elements("HOUSES_PARAMS", "PARAM"):
            if param.get("TYPEID") != OKTMO_PARAM or not _current(param, today):
                continue
            object_id, value = int(param.get("OBJECTID", "0")), param.get("VALUE", "")
            start = param.get("STARTDATE", "")
            if object_id in started and started[object_id] > start:
                continue
            if value.startswith(oktmo):
                scan.oktmo_of[object_id], started[object_id] = value, start
            elif object_id in scan.oktmo_of:  # a newer value moved the house out of the municipality
                del scan.oktmo_of[object_id]
                started[object_id] = start
    hierarchy = "MUN_HIERARCHY" if source.has("MUN_HIERARCHY") else "ADM_HIERARCHY"
    use_hierarchy_oktmo = not source.has("HOUSES_PARAMS")
    for item in source.elements(hierarchy, "ITEM"):
        if not _flag(item, "ISACTIVE") or not _current(item, today):
            continue
        object_id = int(item.get("OBJECTID", "0"))
        if use_hierarchy_oktmo and item.get("OKTMO", "").startswith(oktmo):
            scan.oktmo_of.setdefault(object_id, item.get("OKTMO", ""))
        if object_id in scan.oktmo_of:
            # PATH lists the ancestors down to the object itself: «region.district.village.street.house».
            path = [int(p) for p in item.get("PATH", "").split(".") if p.isdigit() and int(p) != object_id]
            parent = item.get("PARENTOBJID", "")
            scan.path_of[object_id] = tuple(path) if path else ((int(parent),) if parent.isdigit() else ())
    if use_hierarchy_oktmo:
        # Streets and villages carry the code too; only what has a place in the hierarchy is kept.
        scan.oktmo_of = {k: v for k, v in scan.oktmo_of.items() if scan.path_of.get(k)}
    wanted = {ancestor for path in scan.path_of.values() for ancestor in path}
    for obj in source.elements("ADDR_OBJ", "OBJECT"):
        object_id = int(obj.get("OBJECTID", "0"))
        if object_id in wanted and _flag(obj, "ISACTUAL") and _flag(obj, "ISACTIVE"):
            level = int(obj.get("LEVEL", "0")) if obj.get("LEVEL", "").isdigit() else 0
            scan.objects[object_id] = (obj.get("TYPENAME", ""), obj.get("NAME", ""), level)
    _place_houses(scan)
    return scan


def _place_houses(scan: GarScan) -> None:
    """Each house's street (level 8, else a planning structure, 7) and settlement (level 5 or 6)."""
    counts: dict[int, int] = {}
    for house_id, path in scan.path_of.items():
        if not path or path[-1] not in scan.objects:
            scan.place_of[house_id] = (None, None)  # its street is not actual: say so, do not guess
            continue
        known = [a for a in path if a in scan.objects]
        by_level = {scan.objects[a][2]: a for a in known}  # the nearest ancestor of a level wins
        street = by_level.get(STREET_LEVEL, by_level.get(PLANNING_LEVEL))
        locality = by_level.get(LOCALITY_LEVEL, by_level.get(CITY_LEVEL))
        if street is None and locality is None and known:
            street = known[-1]  # an unusual hierarchy: the house's nearest named ancestor
        scan.place_of[house_id] = (street, locality)
        if locality is not None:
            counts[locality] = counts.get(locality, 0) + 1
    scan.main_locality = max(counts, key=lambda k: (counts[k], -k)) if counts else None
    scan.path_of.clear()  # not needed any more


def street_name(type_name: str, name: str) -> tuple[str, str]:
    """(shown, street_key): («ул», «Ленина») → («ул. Ленина», "ленина"); a village keeps its own type.

    A street's key drops its type as normalize.py does for typed addresses; a village («д Ивановка»,
    houses without a street) is keyed by its name alone, so «Ивановка, 5» finds its houses.
    """
    type_name, name = " ".join(type_name.split()), " ".join(name.split())
    canonical = _CANONICAL_TYPE.get(type_name.lower().rstrip("."))
    if canonical is not None:
        return f"{canonical} {name}", normalize_street(f"{canonical} {name}")
    shown = f"{type_name}. {name}" if type_name.isalpha() and len(type_name) <= 4 else f"{type_name} {name}"
    return shown.strip(), normalize_street(name)


def house_text(element: Element) -> str:
    """«5», «5 к 1», «12А стр 2»: the house number with its additional numbers, for parse_house."""
    parts = [element.get("HOUSENUM", "") or ""]
    for index in ("1", "2"):
        number, kind = element.get(f"ADDNUM{index}", ""), element.get(f"ADDTYPE{index}", "")
        if not number:
            continue
        if kind in _ADD_BLOCK:
            parts.append(f"к {number}")
        elif kind in _ADD_STRUCTURE:
            parts.append(f"стр {number}")
        elif kind in _ADD_LETTER:
            parts.append(number)
        else:
            parts.append(number)
    return " ".join(p for p in parts if p).strip()


def municipality_houses(source: GarSource, scan: GarScan) -> Iterator[GarHouse]:
    """Pass 4: the municipality's actual, active houses (other records are counted in ``scan.skipped``)."""
    for element in source.elements("HOUSES", "HOUSE"):
        object_id = int(element.get("OBJECTID", "0"))
        if object_id not in scan.oktmo_of:
            continue
        if not (_flag(element, "ISACTUAL") and _flag(element, "ISACTIVE")):
            scan.skipped += 1
            continue
        house = GarHouse(
            guid=(element.get("OBJECTGUID") or "").lower(),
            object_id=object_id,
            oktmo=scan.oktmo_of[object_id],
            raw_number=house_text(element),
        )
        street = scan.street_of(object_id)
        if street is not None:
            house.street, house.street_key = street
        parts = parse_house(house.raw_number) if house.raw_number else None
        if parts is not None:
            house.house, house.house_number = parts.key, parts.number
        yield house
