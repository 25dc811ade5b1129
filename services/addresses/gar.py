"""Importing the municipality's buildings from the state address register (ГАР XML), by house GUID.

gar_xml.py reads the region's files in a worker thread; here its houses are upserted in batches:
a house already imported is found by its GUID (a renamed street updates it, never duplicates it), a
building entered by hand at the same street and house gets the GUID attached. Only the register's
fields are written (street, house, OKTMO, GUID): coordinates, kinds and names people added stay.
"""

from __future__ import annotations

import asyncio
import inspect
import pathlib
import re
import zipfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building
from porucheno.i18n import DEFAULT_LOCALE, gettext
from services.addresses.gar_xml import GarHouse, GarScan, GarSource, municipality_houses, scan_municipality
from services.audit import Actor, record
from services.errors import InvalidInput
from services.notify import N_

BATCH = 500
# A broken file or archive (ElementTree's ParseError is a SyntaxError), or OBJECTID="abc".
_UNREADABLE = (OSError, SyntaxError, ValueError, zipfile.BadZipFile)
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_IN_CHUNK = 500


@dataclass
class GarImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where, translated reason)


@dataclass(slots=True)
class _Run:
    result: GarImportResult
    dry_run: bool
    seen_guids: set[str] = field(default_factory=set)
    seen_addresses: set[tuple[str, str]] = field(default_factory=set)

    def reject(self, house: GarHouse, reason: str, **params: Any) -> None:
        where = f"{house.street or '?'}, {house.raw_number or '?'} ({house.guid or house.object_id})"
        self.result.rejected.append((where, gettext(DEFAULT_LOCALE, reason, **params)))


def _open(source: pathlib.Path, oktmo: str) -> tuple[GarSource, GarScan]:
    gar = GarSource(source)
    if not gar.has("HOUSES"):
        raise InvalidInput(
            N_("No AS_HOUSES file in this folder or archive: is it a region of the ГАР export?")
        )
    return gar, scan_municipality(gar, oktmo, datetime.now(UTC).date())


def _next_batch(houses: Iterator[GarHouse]) -> list[GarHouse]:
    return list(islice(houses, BATCH))


async def _by_guid(session: AsyncSession, guids: list[str]) -> dict[str, Building]:
    found: dict[str, Building] = {}
    for i in range(0, len(guids), _IN_CHUNK):
        query = select(Building).where(Building.fias_guid.in_(guids[i : i + _IN_CHUNK]))
        found.update({b.fias_guid: b for b in (await session.scalars(query)).all() if b.fias_guid})
    return found


async def _by_address(
    session: AsyncSession, addresses: list[tuple[str, str]]
) -> dict[tuple[str, str], Building]:
    # Exact (street, house) pairs: a batch never loads whole streets, however big the municipality.
    found: dict[tuple[str, str], Building] = {}
    for i in range(0, len(addresses), _IN_CHUNK):
        pairs = addresses[i : i + _IN_CHUNK]
        query = select(Building).where(tuple_(Building.street_key, Building.house_key).in_(pairs))
        found.update({(b.street_key, b.house_key): b for b in (await session.scalars(query)).all()})
    return found


def _readable(run: _Run, house: GarHouse) -> bool:
    if not _GUID.fullmatch(house.guid):
        run.reject(house, N_('The house has no valid GUID ("%(value)s").'), value=house.guid[:40] or "—")
    elif house.street is None or not house.street_key:
        run.reject(house, N_("The house's street is not in the register's municipal hierarchy."))
    elif house.house is None:
        run.reject(house, N_('Cannot read the house number "%(value)s".'), value=house.raw_number or "—")
    elif len(house.street) > 255:
        run.reject(house, N_("The street name is too long."))
    else:
        return True
    return False


async def _upsert(session: AsyncSession, run: _Run, batch: list[GarHouse]) -> None:
    houses: list[GarHouse] = []
    for house in batch:
        if house.guid in run.seen_guids:
            run.result.skipped += 1  # a second actual record of one house: the first one counts
        elif _readable(run, house):
            houses.append(house)
    by_guid = await _by_guid(session, sorted({h.guid for h in houses}))
    by_address = await _by_address(session, sorted({(h.street_key, h.house or "") for h in houses}))
    result = run.result
    for house in houses:
        address = (house.street_key, house.house or "")
        if address in run.seen_addresses:
            run.reject(house, N_("Another house of the register has the same address."))
            continue
        building = by_guid.get(house.guid)
        holder = by_address.get(address)
        if building is None and holder is not None and holder.fias_guid not in (None, house.guid):
            run.reject(house, N_("Another house of the register has the same address."))
            continue
        if building is not None and holder is not None and holder is not building:
            run.reject(house, N_("A building with this address already exists."))
            continue
        run.seen_guids.add(house.guid)
        run.seen_addresses.add(address)
        values = {
            "street": house.street,
            "street_key": house.street_key,
            "house": house.house,
            "house_key": house.house,
            "house_number": house.house_number,
            "oktmo": house.oktmo,
            "fias_guid": house.guid,
        }
        building = building or holder
        if building is None:
            result.created += 1
            if not run.dry_run:
                session.add(Building(kind="residential", is_social=False, **values))
            continue
        changes = {k: v for k, v in values.items() if getattr(building, k) != v}
        if not changes:
            result.unchanged += 1
            continue
        result.updated += 1
        if not run.dry_run:
            for attr, value in changes.items():
                setattr(building, attr, value)
    if not run.dry_run:
        await session.flush()


async def import_gar(
    session: AsyncSession,
    source: pathlib.Path,
    *,
    oktmo: str,
    dry_run: bool,
    actor: Actor | None = None,
    progress: Callable[[int], Awaitable[None] | None] | None = None,
) -> GarImportResult:
    """Create or update the buildings of municipality ``oktmo`` from one region's ГАР export.

    ``source`` is the region's folder or a .zip of it. ``progress`` is called (and awaited when it
    returns an awaitable) with the number of the municipality's houses handled so far.
    A dry run counts, writes nothing.
    """
    oktmo = oktmo.strip()
    if not (oktmo.isdigit() and len(oktmo) in (8, 11)):
        raise InvalidInput(N_("An OKTMO code is 8 digits (a municipality) or 11 (a settlement)."))
    try:
        gar, scan = await asyncio.to_thread(_open, source, oktmo)
    except FileNotFoundError as error:
        raise InvalidInput(N_("No such file or folder: %(path)s"), path=str(source)) from error
    except _UNREADABLE as error:
        raise InvalidInput(N_("Cannot read the register: %(error)s"), error=str(error)) from error
    run = _Run(GarImportResult(created=0, updated=0, unchanged=0, skipped=0), dry_run=dry_run)
    houses = municipality_houses(gar, scan)
    handled = 0
    try:
        while batch := await asyncio.to_thread(_next_batch, houses):
            await _upsert(session, run, batch)
            handled += len(batch)
            if progress is not None:
                # The panel's job commits each batch and records its progress here (SQLite has one
                # writer: a progress row cannot be written while this session holds the lock).
                outcome = progress(handled)
                if inspect.isawaitable(outcome):
                    await outcome
    except _UNREADABLE as error:
        raise InvalidInput(N_("Cannot read the register: %(error)s"), error=str(error)) from error
    finally:
        houses.close()  # type: ignore[attr-defined]
    run.result.skipped += scan.skipped
    if not dry_run:
        record(
            session,
            actor or Actor.system("gar-import"),
            "building",
            None,
            "gar_imported",
            data={
                "source": source.name,
                "oktmo": oktmo,
                "created": run.result.created,
                "updated": run.result.updated,
                "unchanged": run.result.unchanged,
                "skipped": run.result.skipped,
                "rejected": len(run.result.rejected),
            },
        )
        await session.flush()
    return run.result
