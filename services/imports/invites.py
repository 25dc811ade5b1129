"""Invite links for imported staff, made in bulk: a CSV/XLSX list and a printable page of QR codes.

Only a hash of each token is stored (services/invites.py), so the links exist only in what this
returns: every call makes fresh links and revokes the earlier unused ones of the same people.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, User
from porucheno.i18n import gettext
from services.audit import Actor
from services.imports.reader import sample_bytes_csv
from services.invites import create_invite, invite_link
from services.notify import N_
from services.spreadsheets import xlsx_bytes

HEADER = (N_("Full name"), N_("Department"), N_("Login"), N_("Invite link"), N_("Valid until"))


@dataclass(frozen=True, slots=True)
class InviteLine:
    user_id: int
    full_name: str
    department: str
    login: str
    link: str
    expires_at: datetime


async def bulk_invites(
    session: AsyncSession, actor: Actor, user_ids: Iterable[int], *, bot_username: str, ttl: timedelta
) -> list[InviteLine]:
    """Fresh links for the active staff among ``user_ids`` who have no Telegram account yet."""
    ids = sorted(set(user_ids))
    lines: list[InviteLine] = []
    for i in range(0, len(ids), 500):
        query = (
            select(User, Department.name)
            .outerjoin(Department, Department.id == User.department_id)
            .where(User.id.in_(ids[i : i + 500]), User.is_active.is_(True), User.telegram_id.is_(None))
            .order_by(User.full_name, User.id)
        )
        for user, dept_name in (await session.execute(query)).all():
            invite, token = await create_invite(session, actor, user.id, ttl=ttl)
            lines.append(
                InviteLine(
                    user.id,
                    user.full_name,
                    dept_name or "",
                    user.login or "",
                    invite_link(bot_username, token),
                    invite.expires_at,
                )
            )
    return lines


def _rows(lines: list[InviteLine], tz: object) -> list[list[str]]:
    return [
        [x.full_name, x.department, x.login, x.link, x.expires_at.astimezone(tz).strftime("%d.%m.%Y %H:%M")]  # type: ignore[arg-type]
        for x in lines
    ]


def invites_csv(lines: list[InviteLine], locale: str, tz: object) -> bytes:
    return sample_bytes_csv([gettext(locale, h) for h in HEADER], _rows(lines, tz))


def invites_xlsx(lines: list[InviteLine], locale: str, tz: object) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([gettext(locale, h) for h in HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(lines, tz):
        sheet.append(row)
        sheet.cell(row=sheet.max_row, column=4).hyperlink = row[3]
    for letter, width in zip("ABCDE", (34, 30, 16, 60, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    return xlsx_bytes(workbook)


def qr_svg(link: str) -> str:
    """An inline SVG QR code of ``link`` (no external request, prints sharp at any size)."""
    import segno

    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode()
