"""Importing the address registry from a spreadsheet: upsert by (street_key, house_key).

Columns are found by their header, in Russian or English, in any order; unknown columns are
ignored. A bad row never stops the import: it is reported with its row number and a reason.
On an existing building an empty cell changes nothing, so a file with only streets and houses can
be re-imported without wiping coordinates someone added later.
"""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building
from porucheno.i18n import gettext
from services.addresses.normalize import fold, normalize_street, parse_address, parse_house
from services.addresses.tables import CellValue, Table, is_blank, read_table
from services.audit import Actor, record
from services.errors import InvalidInput
from services.notify import N_

_IN_CHUNK = 500


def _aliases(*names: str) -> frozenset[str]:
    return frozenset(_header_key(n) for n in names)


def _header_key(text: str) -> str:
    return re.sub(r"[\s.\-/]+", "_", fold(text).strip()).strip("_")


COLUMNS: dict[str, frozenset[str]] = {
    "street": _aliases("улица", "street", "ул", "наименование улицы", "street name"),
    "house": _aliases("дом", "house", "номер дома", "house number", "д"),
    "address": _aliases("адрес", "address"),
    "latitude": _aliases("широта", "lat", "latitude"),
    "longitude": _aliases("долгота", "lon", "lng", "long", "longitude"),
    "kind": _aliases("тип", "kind", "тип здания", "type"),
    "social": _aliases("социальный", "social", "is_social", "социальный объект", "соц объект"),
    "social_type": _aliases("тип_объекта", "тип объекта", "social_type", "вид объекта"),
    "name": _aliases("название", "name", "наименование"),
    "district": _aliases("район", "district", "микрорайон"),  # appeal routing by district
}

SOCIAL_TYPES: dict[str, tuple[str, ...]] = {
    "school": ("школа", "гимназия", "лицей", "school"),
    "kindergarten": ("детский сад", "детсад", "доу", "kindergarten"),
    "hospital": ("больница", "hospital"),
    "clinic": ("поликлиника", "амбулатория", "фап", "clinic"),
    "boiler_house": ("котельная", "boiler house", "boiler_house"),
    "care_home": ("дом престарелых", "дом-интернат", "интернат", "care home", "care_home"),
}
KINDS: dict[str, tuple[str, ...]] = {
    "residential": ("жилой", "жилой дом", "мкд", "многоквартирный", "многоквартирный дом", "residential"),
    "private": ("частный", "частный дом", "ижс", "private"),
    "social": ("социальный", "социальный объект", "social"),
    "commercial": ("нежилой", "коммерческий", "commercial", "non-residential"),
    "industrial": ("промышленный", "производственный", "industrial"),
    "other": ("другое", "прочее", "other"),
}
_YES = {"да", "1", "true", "yes", "y", "+", "истина", "д"}
_NO = {"нет", "0", "false", "no", "n", "-", "ложь", "н"}
_DERIVED_KINDS = {"residential", "social"}  # kinds that only echo is_social


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {" ".join(fold(alias).split()): code for code, aliases in table.items() for alias in aliases}


_SOCIAL_OF = _lookup(SOCIAL_TYPES)
_KIND_OF = _lookup(KINDS)


@dataclass(frozen=True, slots=True)
class RejectedRow:
    row: int  # as numbered in the spreadsheet: the header is usually row 1
    reason: str  # a msgid; see :meth:`text`
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str = "ru") -> str:
        return gettext(locale, self.reason, **self.params)


@dataclass(slots=True)
class ImportReport:
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


class _Rejected(Exception):
    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason, self.params = reason, params


@dataclass(slots=True)
class _Row:
    number: int
    street_key: str
    house_key: str
    values: dict[str, Any]  # Building attributes given by this row (empty cells left out)


def _text(cell: CellValue) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # Excel stores house «5» as 5.0
    return " ".join(str(cell).split())


def _coordinate(cell: CellValue) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        value = float(cell)
    else:
        try:
            value = float(_text(cell).replace(",", "."))  # «55,75» from a Russian-locale spreadsheet
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def _map_columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = _header_key(title)
        for column, aliases in COLUMNS.items():
            if key in aliases and column not in found:
                found[column] = index
    if not ({"street", "house"} <= found.keys() or "address" in found):
        raise InvalidInput("The table has no street and house columns (or an address column).")
    return found


def _street_and_house(cells: dict[str, CellValue]) -> tuple[str, str, str, int]:
    """(street as shown, street_key, house_key, house_number), or a rejection.

    The house is shown by its canonical key («5к1»), however the file spelt it («д. 5 корп. 1»).
    """
    street_text = _text(cells.get("street"))
    house_text = _text(cells.get("house"))
    if not street_text and not house_text and "address" in cells:
        address = _text(cells["address"])
        parsed = parse_address(address)
        if parsed is None:
            raise _Rejected(N_('Cannot read the address "%(value)s".'), value=address)
        street = " ".join(filter(None, (parsed.street_type, parsed.street_key.title())))
        if len(street) > 255:
            raise _Rejected(N_("The street name is too long."))
        return street, parsed.street_key, parsed.house_key, parsed.house_number
    if not street_text:
        raise _Rejected(N_("No street."))
    street_key = normalize_street(street_text)
    if not street_key:
        raise _Rejected(N_("No street."))
    if len(street_text) > 255:
        raise _Rejected(N_("The street name is too long."))
    if not house_text:
        raise _Rejected(N_("No house number."))
    house = parse_house(house_text)
    if house is None:
        raise _Rejected(N_('Cannot read the house number "%(value)s".'), value=house_text)
    return street_text, street_key, house.key, house.number


def _optional_values(cells: dict[str, CellValue]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    lat_cell, lon_cell = cells.get("latitude"), cells.get("longitude")
    if not (is_blank(lat_cell) and is_blank(lon_cell)):
        lat, lon = _coordinate(lat_cell), _coordinate(lon_cell)
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _Rejected(
                N_(
                    "Bad coordinates (%(lat)s, %(lon)s): latitude must be between -90 and 90, "
                    "longitude between -180 and 180."
                ),
                lat=_text(lat_cell) or "—",
                lon=_text(lon_cell) or "—",
            )
        values["latitude"], values["longitude"] = lat, lon
    if social_text := fold(_text(cells.get("social"))):
        if social_text not in _YES | _NO:
            raise _Rejected(
                N_('Cannot read "%(value)s" in the "social" column: use yes or no.'),
                value=_text(cells["social"]),
            )
        values["is_social"] = social_text in _YES
    if type_text := _text(cells.get("social_type")):
        code = _SOCIAL_OF.get(fold(type_text))
        if code is None:
            raise _Rejected(N_('Unknown social object type "%(value)s".'), value=type_text)
        values["social_type"] = code
        values.setdefault("is_social", True)  # a school is social even if the column is left empty
    if kind_text := _text(cells.get("kind")):
        kind = _KIND_OF.get(fold(kind_text))
        if kind is None:
            raise _Rejected(N_('Unknown building type "%(value)s".'), value=kind_text)
        values["kind"] = kind
    if name := _text(cells.get("name")):
        if len(name) > 255:
            raise _Rejected(N_("The name is too long."))
        values["name"] = name
    if district := _text(cells.get("district")):
        values["district"] = " ".join(district.split())[:255]
    return values


def _parse_rows(table: Table, report: ImportReport) -> list[_Row]:
    columns = _map_columns(table.header)
    first_seen: dict[tuple[str, str], int] = {}
    rows: list[_Row] = []
    for number, raw in table.rows:
        cells = {name: raw[i] if i < len(raw) else None for name, i in columns.items()}
        try:
            street, street_key, house_key, house_number = _street_and_house(cells)
            values = _optional_values(cells)
            if (street_key, house_key) in first_seen:
                raise _Rejected(N_("Duplicate of row %(row)d."), row=first_seen[(street_key, house_key)])
        except _Rejected as rejected:
            report.rejected.append(RejectedRow(number, rejected.reason, rejected.params))
            continue
        first_seen[(street_key, house_key)] = number
        values.update(street=street, house=house_key, house_number=house_number)
        rows.append(_Row(number, street_key, house_key, values))
    return rows


async def _existing(session: AsyncSession, street_keys: list[str]) -> dict[tuple[str, str], Building]:
    found: dict[tuple[str, str], Building] = {}
    for i in range(0, len(street_keys), _IN_CHUNK):
        query = select(Building).where(Building.street_key.in_(street_keys[i : i + _IN_CHUNK]))
        for building in (await session.scalars(query)).all():
            found[(building.street_key, building.house_key)] = building
    return found


def _apply(building: Building, values: dict[str, Any]) -> bool:
    if "kind" not in values and "is_social" in values and building.kind in _DERIVED_KINDS:
        values = {**values, "kind": "social" if values["is_social"] else "residential"}
    changed = False
    for attr, value in values.items():
        if getattr(building, attr) != value:
            setattr(building, attr, value)
            changed = True
    return changed


async def import_buildings(
    session: AsyncSession, rows_source: bytes | Path, *, actor: Actor, filename: str | None = None
) -> ImportReport:
    """Create or update buildings from a CSV or XLSX file (its bytes, or a path to it)."""
    if isinstance(rows_source, Path):
        filename = filename or rows_source.name
        rows_source = await asyncio.to_thread(rows_source.read_bytes)
    table = read_table(rows_source, filename=filename)
    report = ImportReport(format=table.format)
    rows = _parse_rows(table, report)
    existing = await _existing(session, sorted({r.street_key for r in rows}))
    for row in rows:
        building = existing.get((row.street_key, row.house_key))
        if building is None:
            values = dict(row.values)
            values.setdefault("is_social", False)
            values.setdefault("kind", "social" if values["is_social"] else "residential")
            session.add(Building(street_key=row.street_key, house_key=row.house_key, **values))
            report.created += 1
        elif _apply(building, row.values):
            report.updated += 1
        else:
            report.unchanged += 1
    await session.flush()
    record(
        session,
        actor,
        "building",
        None,
        "imported",
        data={
            "format": report.format,
            "filename": filename,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
        },
    )
    return report
