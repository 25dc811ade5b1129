"""Importing the municipality's buildings from a (synthetic) region of the ГАР XML export, both backends."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Building
from services.addresses.gar import import_gar
from services.audit import Actor
from services.errors import InvalidInput

OKTMO = "46701000"
OTHER = "46702000"
G = "{:08d}-aaaa-bbbb-cccc-000000000000"  # house GUIDs: G.format(n)


def _xml(root: str, tag: str, rows: list[dict[str, str]]) -> str:
    items = "\n".join(f"  <{tag} " + " ".join(f'{k}="{v}"' for k, v in row.items()) + " />" for row in rows)
    return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n{items}\n</{root}>\n'


def _obj(oid: int, name: str, typename: str, level: str = "8", **flags: str) -> dict[str, str]:
    return {"ID": str(oid), "OBJECTID": str(oid), "OBJECTGUID": f"s-{oid}", "NAME": name,
            "TYPENAME": typename, "LEVEL": level, "ISACTUAL": flags.get("actual", "1"),
            "ISACTIVE": flags.get("active", "1")}  # fmt: skip


def _house(oid: int, num: str, *, add1: str = "", type1: str = "", actual: str = "1", active: str = "1"):
    row = {"ID": str(oid * 10), "OBJECTID": str(oid), "OBJECTGUID": G.format(oid), "HOUSENUM": num,
           "HOUSETYPE": "2", "ISACTUAL": actual, "ISACTIVE": active}  # fmt: skip
    if add1:
        row.update(ADDNUM1=add1, ADDTYPE1=type1)
    return row


def _item(oid: int, parent: int, oktmo: str = "") -> dict[str, str]:
    # The town (201) holds streets 100-103; the village (200) street 104 and house 12 directly.
    path = [1, 200 if parent in (104, 200) else 201] + ([parent] if parent not in (200, 201) else []) + [oid]
    return {"ID": str(oid), "OBJECTID": str(oid), "PARENTOBJID": str(parent), "OKTMO": oktmo,
            "STARTDATE": "2000-01-01", "ENDDATE": "2079-06-06", "ISACTIVE": "1",
            "PATH": ".".join(map(str, path))}  # fmt: skip


def _oktmo(oid: int, value: str, start: str = "2000-01-01", end: str = "2079-06-06") -> dict[str, str]:
    return {"ID": str(oid), "OBJECTID": str(oid), "TYPEID": "7", "VALUE": value,
            "STARTDATE": start, "ENDDATE": end}  # fmt: skip


REJECTED = [  # (where, the reason in the default locale: Russian)
    (f"ул. Ленина, уч. 3 ({G.format(9)})", "Не удалось разобрать номер дома «уч. 3»."),
    (f"?, 2 ({G.format(10)})", "Улицы этого дома нет в муниципальной иерархии реестра."),
]


def write_region(folder: Path, *, lenin_name: str = "Ленина") -> Path:
    """Streets 100 «ул. Ленина», 101 «пр-кт Мира» (ours), 102 «ул. Чужая» (another municipality)."""
    region = folder / "46"
    region.mkdir(parents=True, exist_ok=True)
    stamp = "20261201_0b2c"
    objects = [_obj(100, lenin_name, "ул"), _obj(101, "Мира", "пр-кт"), _obj(102, "Чужая", "ул"),
               _obj(103, "Старая", "ул", actual="0"), _obj(104, "Ленина", "ул"),
               _obj(200, "Ивановка", "с", level="6"), _obj(201, "Энск", "г", level="5")]  # fmt: skip
    houses = [
        _house(1, "5"),
        _house(2, "9", add1="1", type1="1"),  # корпус 1 → 9к1
        _house(3, "10А", add1="2", type1="2"),  # строение 2 → 10ас2
        _house(4, "7", actual="0"),  # a historic record of a house
        _house(5, "11", active="0"),  # a house that no longer exists
        _house(6, "1"),  # another municipality
        _house(7, "3"),  # ours on пр-кт Мира; entered by hand before
        _house(8, "1"),  # OKTMO moved to the other municipality last year
        _house(9, "уч. 3"),  # a number that is not a house's: rejected with its reason
        _house(10, "2"),  # on a street that is no longer actual: rejected
        _house(11, "5"),  # ул. Ленина 5 of the village: not the town's
        _house(12, "1"),  # a house of the village without a street
    ]
    hierarchy = [_item(h, 100) for h in (1, 2, 3, 4, 5, 8, 9)] + [
        _item(6, 102),
        _item(7, 101),
        _item(10, 103),
        _item(11, 104),
        _item(12, 200),
    ]
    params = [_oktmo(1, OKTMO), _oktmo(2, OKTMO + "101"), _oktmo(3, OKTMO), _oktmo(4, OKTMO),
              _oktmo(5, OKTMO), _oktmo(6, OTHER), _oktmo(7, OKTMO),
              _oktmo(8, OKTMO, end="2025-01-01"), _oktmo(8, OTHER, start="2025-01-01"),
              _oktmo(9, OKTMO), _oktmo(10, OKTMO), _oktmo(11, OKTMO), _oktmo(12, OKTMO),
              {**_oktmo(1, "123456", ), "TYPEID": "5"}]  # fmt: skip
    (region / f"AS_ADDR_OBJ_{stamp}.XML").write_text(_xml("ADDRESSOBJECTS", "OBJECT", objects), "utf-8")
    (region / f"AS_HOUSES_{stamp}.XML").write_text(_xml("HOUSES", "HOUSE", houses), "utf-8")
    (region / f"AS_MUN_HIERARCHY_{stamp}.XML").write_text(_xml("ITEMS", "ITEM", hierarchy), "utf-8")
    (region / f"AS_HOUSES_PARAMS_{stamp}.XML").write_text(_xml("PARAMS", "PARAM", params), "utf-8")
    return region


def zip_region(region: Path) -> Path:
    archive = region.parent / "46.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in region.iterdir():
            z.write(path, f"46/{path.name}")
    return archive


async def _buildings(session: AsyncSession) -> dict[str, tuple[str, str, str, str | None]]:
    rows = (await session.scalars(select(Building))).all()
    return {b.fias_guid or f"hand-{b.id}": (b.street, b.street_key, b.house_key, b.oktmo) for b in rows}


@pytest.mark.parametrize("zipped", [False, True], ids=["folder", "zip"])
async def test_import_keeps_the_municipality_and_updates_by_guid(
    session: AsyncSession, tmp_path: Path, zipped: bool
) -> None:
    session.add(Building(street="Мира пр-т", street_key="мира", house="3", house_key="3", house_number=3,
                         latitude=55.1, longitude=37.1, kind="residential", is_social=False))  # fmt: skip
    await session.flush()
    region = write_region(tmp_path / "gar")
    source = zip_region(region) if zipped else region
    seen: list[int] = []

    dry = await import_gar(session, source, oktmo=OKTMO, dry_run=True, progress=seen.append)
    assert (dry.created, dry.updated, dry.unchanged, dry.skipped, dry.rejected) == (5, 1, 0, 2, REJECTED)
    assert await session.scalar(select(func.count(Building.id))) == 1
    assert await session.scalar(select(func.count(AuditEvent.id))) == 0

    result = await import_gar(session, source, oktmo=OKTMO, dry_run=False, actor=Actor.system("t"))
    counts = (result.created, result.updated, result.unchanged, result.skipped, result.rejected)
    assert counts == (5, 1, 0, 2, REJECTED)
    assert seen and seen[-1] == 8  # the municipality's actual houses, rejected ones included
    assert await _buildings(session) == {
        G.format(1): ("ул. Ленина", "ленина", "5", OKTMO),
        G.format(2): ("ул. Ленина", "ленина", "9к1", OKTMO + "101"),
        G.format(3): ("ул. Ленина", "ленина", "10ас2", OKTMO),
        G.format(7): ("пр-т Мира", "мира", "3", OKTMO),  # the hand-entered building, GUID attached
        G.format(11): ("с. Ивановка, ул. Ленина", "ивановка ленина", "5", OKTMO),
        G.format(12): ("с. Ивановка", "ивановка", "1", OKTMO),
    }
    hand = await session.scalar(select(Building).where(Building.fias_guid == G.format(7)))
    assert hand is not None and (hand.latitude, hand.longitude) == (55.1, 37.1)  # people's data stays
    events = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "gar_imported"))).all()
    assert len(events) == 1 and events[0].data and events[0].data["created"] == 5

    # The street was renamed in the register: the same houses are updated, not duplicated.
    renamed = write_region(tmp_path / "gar2", lenin_name="Ленина В.И.")
    again = await import_gar(session, zip_region(renamed) if zipped else renamed, oktmo=OKTMO, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 3, 3)
    assert await session.scalar(select(func.count(Building.id))) == 6
    streets = {b.street for b in (await session.scalars(select(Building))).all()}
    assert streets == {"ул. Ленина В.И.", "пр-т Мира", "с. Ивановка, ул. Ленина", "с. Ивановка"}


async def test_bad_sources_get_a_clear_refusal(session: AsyncSession, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        await import_gar(session, tmp_path / "missing", oktmo=OKTMO, dry_run=True)
    with pytest.raises(InvalidInput):
        await import_gar(session, tmp_path, oktmo="12", dry_run=True)
    with pytest.raises(InvalidInput):  # a folder without the register's files
        await import_gar(session, tmp_path, oktmo=OKTMO, dry_run=True)
    not_a_zip = tmp_path / "46.zip"
    not_a_zip.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(InvalidInput, match="Cannot read the register"):
        await import_gar(session, not_a_zip, oktmo=OKTMO, dry_run=True)
    region = write_region(tmp_path / "gar")
    next(region.glob("AS_HOUSES_2*")).write_text("<HOUSES><HOUSE", "utf-8")
    with pytest.raises(InvalidInput):
        await import_gar(session, region, oktmo=OKTMO, dry_run=True)
