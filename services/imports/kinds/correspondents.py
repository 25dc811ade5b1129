"""Correspondents (people and organisations) from a CRM or a spreadsheet.

Imported contacts are typed data nobody proved: ``phone_proven`` and ``email_proven`` stay False, so
they never route an incoming appeal to this record (see models/crm.py); clerks see them and
duplicate suggestions use them. A row is matched by external id, else by the same name with the
same phone or e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent
from models.enums import CorrespondentKind
from services.correspondents.normalize import name_key, normalize_email, normalize_phone
from services.imports.base import Cells, ChunkContext, ImportKind, assign_changed
from services.imports.columns import Column, Rejected, choice, required, spellings, text
from services.imports.kinds.lookups import chunks
from services.notify import N_

KIND_SPELLINGS = spellings(
    {
        CorrespondentKind.PERSON: ("гражданин", "физлицо", "физическое лицо", "фл", "person", "individual"),
        CorrespondentKind.ORGANISATION: (
            "организация",
            "юрлицо",
            "юридическое лицо",
            "юл",
            "organization",
            "company",
        ),
    }
)
_INN = re.compile(r"^\d{10}(\d{2})?$")


@dataclass(slots=True)
class ContactRow:
    name: str
    kind: str
    phone: str
    phone_normalized: str | None
    email: str | None
    postal_address: str
    inn: str
    external_id: str

    def pair_keys(self) -> list[str]:
        key = name_key(self.name)
        return [f"{key}|{c}" for c in (self.phone_normalized, self.email) if c]


def parse_contact(cells: Cells, *, name_required: bool = True) -> ContactRow:
    name = text(cells.get("name"), limit=255, name="name")
    if name_required:
        required(name, "name")
    phone = text(cells.get("phone"), limit=32, name="phone")
    phone_normalized = normalize_phone(phone) if phone else None
    if phone and phone_normalized is None:
        raise Rejected(N_('"%(value)s" is not a phone number.'), value=phone)
    raw_email = text(cells.get("email"), limit=255, name="email")
    email = normalize_email(raw_email) if raw_email else None
    if raw_email and email is None:
        raise Rejected(N_('"%(value)s" is not an e-mail address.'), value=raw_email)
    inn = text(cells.get("inn"), limit=12, name="inn").replace(" ", "")
    if inn and not _INN.match(inn):
        raise Rejected(N_('The INN "%(value)s" must have 10 or 12 digits.'), value=inn)
    return ContactRow(
        name=name,
        kind=choice(cells.get("kind"), KIND_SPELLINGS, "kind") or "",  # empty: unchanged / a person
        phone=phone,
        phone_normalized=phone_normalized,
        email=email,
        postal_address=text(cells.get("postal_address"), limit=500, name="postal_address"),
        inn=inn,
        external_id=text(cells.get("external_id"), limit=100, name="external_id"),
    )


async def existing_contacts(session: AsyncSession, rows: Iterable[ContactRow]) -> dict[str, Correspondent]:
    """Records for a chunk, by ``ext:<id>`` and by ``<name key>|<phone or e-mail>``."""
    rows = list(rows)
    found: dict[str, Correspondent] = {}
    for part in chunks(r.external_id for r in rows):
        for c in (
            await session.scalars(select(Correspondent).where(Correspondent.external_id.in_(part)))
        ).all():
            found[f"ext:{c.external_id}"] = c
    phones = [r.phone_normalized for r in rows if r.phone_normalized]
    emails = [r.email for r in rows if r.email]
    for column, values in ((Correspondent.phone_normalized, phones), (Correspondent.email, emails)):
        for part in chunks(v for v in values if v):
            query = select(Correspondent).where(column.in_(part), Correspondent.merged_into_id.is_(None))
            for c in (await session.scalars(query)).all():
                for contact in (c.phone_normalized, c.email):
                    if contact:
                        found.setdefault(f"{c.name_search}|{contact}", c)
    return found


def match(found: dict[str, Correspondent], row: ContactRow) -> Correspondent | None:
    if row.external_id:
        return found.get(f"ext:{row.external_id}") or next(
            (c for k in row.pair_keys() if (c := found.get(k)) is not None and not c.external_id), None
        )
    return next((c for k in row.pair_keys() if (c := found.get(k)) is not None), None)


def new_correspondent(row: ContactRow) -> Correspondent:
    return Correspondent(
        kind=row.kind or CorrespondentKind.PERSON,
        name=row.name,
        name_search=name_key(row.name),
        phone=row.phone or None,
        phone_normalized=row.phone_normalized,
        email=row.email,
        phone_proven=False,  # typed by someone, somewhere: never a proof (see the module docstring)
        email_proven=False,
        postal_address=row.postal_address or None,
        organisation_inn=row.inn or None,
        external_id=row.external_id or None,
        appeals_count=0,
    )


def remember(found: dict[str, Correspondent], row: ContactRow, c: Correspondent) -> None:
    if row.external_id:
        found[f"ext:{row.external_id}"] = c
    for key in row.pair_keys():
        found.setdefault(key, c)


class CorrespondentsKind(ImportKind):
    name = "correspondents"
    title = N_("Correspondents")
    columns = (
        Column(
            "name",
            N_("Name or organisation"),
            ("фио", "наименование", "корреспондент", "заявитель", "name"),
            required=True,
            example="Петров Пётр Петрович",
        ),
        Column("kind", N_("Type"), ("тип", "вид", "kind", "type"), example="гражданин"),
        Column("phone", N_("Phone"), ("телефон", "phone"), example="+7 900 765-43-21"),
        Column(
            "email",
            N_("E-mail"),
            ("email", "почта", "электронная почта", "e mail"),
            example="petrov@example.ru",
        ),
        Column(
            "postal_address",
            N_("Postal address"),
            ("адрес", "почтовый адрес", "address"),
            example="ул. Ленина, д. 5, кв. 12",
        ),
        Column("inn", N_("INN"), ("инн", "inn"), example=""),
        Column(
            "external_id",
            N_("External id"),
            ("код", "id", "внешний id", "id в crm", "code"),
            example="C-000001",
        ),
    )

    def parse(self, cells: Cells, ctx: ChunkContext) -> ContactRow:
        return parse_contact(cells)

    async def apply(self, ctx: ChunkContext, rows: list[tuple[int, Any]]) -> None:
        found = await existing_contacts(ctx.session, (r for _n, r in rows))
        for _number, row in rows:
            c = match(found, row)
            if c is None:
                if ctx.is_pending("correspondents", row.external_id) or any(
                    ctx.is_pending("correspondents", k) for k in row.pair_keys()
                ):
                    ctx.report.updated += 1
                    continue
                c = new_correspondent(row)
                ctx.session.add(c)
                remember(found, row, c)
                ctx.remember("correspondents", row.external_id, *row.pair_keys())
                ctx.report.created += 1
            else:
                ctx.report.found(_update(c, row))
        await ctx.session.flush()


def _update(c: Correspondent, row: ContactRow) -> bool:
    values: dict[str, Any] = {"name": row.name, "name_search": name_key(row.name)}
    if row.kind:
        values["kind"] = row.kind
    if row.phone and row.phone_normalized != c.phone_normalized:
        # A new number replaces an old one only as typed data: a proof of the old one does not carry over.
        values.update(phone=row.phone, phone_normalized=row.phone_normalized, phone_proven=False)
    if row.email and row.email != c.email:
        values.update(email=row.email, email_proven=False)
    for attr, value in (
        ("postal_address", row.postal_address),
        ("organisation_inn", row.inn),
        ("external_id", row.external_id),
    ):
        if value:
            values[attr] = value
    return assign_changed(c, values)
