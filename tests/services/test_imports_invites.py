"""Invite links for imported staff: the CSV/XLSX list and the QR page hold links that work."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from models import TelegramAccount, User
from services.imports import KINDS
from services.imports.invites import bulk_invites, invites_csv, invites_xlsx, qr_svg
from services.imports.templates import template_bytes
from services.invites import INVITE_PREFIX, redeem_invite
from tests.services.imports_support import ACTOR, run, write_csv

TZ = ZoneInfo("Europe/Moscow")


async def test_bulk_invites_export_working_links(session: AsyncSession, tmp_path: Path) -> None:
    rows = [["ФИО", "Логин", "Код"], ["Иванов Иван", "ivanov", "S-1"], ["Петрова Анна", "petrova", "S-2"]]
    report = await run(session, "staff", write_csv(tmp_path / "s.csv", rows))
    lines = await bulk_invites(
        session, ACTOR, report.created_user_ids, bot_username="porucheno_bot", ttl=timedelta(hours=72)
    )
    await session.commit()
    assert [x.full_name for x in lines] == ["Иванов Иван", "Петрова Анна"]
    exported = list(csv.reader(io.StringIO(invites_csv(lines, "ru", TZ).decode("utf-8-sig")), delimiter=";"))
    assert exported[0][:4] == ["ФИО", "Подразделение", "Логин", "Ссылка-приглашение"]
    link = exported[1][3]
    assert link.startswith(f"https://t.me/porucheno_bot?start={INVITE_PREFIX}")
    sheet = load_workbook(io.BytesIO(invites_xlsx(lines, "ru", TZ))).active
    assert sheet is not None and sheet.cell(row=3, column=4).value == lines[1].link
    assert qr_svg(link).lstrip().startswith("<svg")

    # The exported link binds a Telegram account to the imported staff member.
    account = TelegramAccount(id=555001, chat_id=555001, first_name="Иван")
    session.add(account)
    await session.flush()
    user = await redeem_invite(session, link.split(f"start={INVITE_PREFIX}", 1)[1], account)
    assert user.login == "ivanov" and (await session.get(User, user.id)).telegram_id == 555001

    # Linked staff get no new link.
    again = await bulk_invites(
        session, ACTOR, report.created_user_ids, bot_username="b", ttl=timedelta(hours=1)
    )
    assert [x.login for x in again] == ["petrova"]


async def test_templates_are_read_back(session: AsyncSession, tmp_path: Path) -> None:
    for kind in KINDS.values():
        for fmt in ("xlsx", "csv"):
            path = tmp_path / f"{kind.name}.{fmt}"
            path.write_bytes(template_bytes(kind, fmt, "ru"))
            report = await run(session, kind.name, path, dry_run=True)  # every header is recognised
            assert report.rows == 1, (kind.name, fmt)
