"""Report drafts with files, and the paginated lists of assignments."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models import User, utcnow
from models.enums import AssignmentStatus as S
from models.enums import Role
from services import staff
from services.assignments import commands, queries, reports
from services.assignments.lifecycle import Action
from services.audit import Actor
from services.errors import InvalidInput
from services.files import file_path

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test document\n"


@pytest.fixture
async def pair(session: AsyncSession) -> tuple[User, User]:
    sys = Actor.system("test")
    boss = await staff.create_user(session, sys, full_name="Контролёр", roles=[Role.CONTROLLER])
    ex = await staff.create_user(session, sys, full_name="Исполнитель")
    await session.commit()
    return boss, ex


async def test_report_draft_keeps_files_and_refuses_bad_ones(
    session: AsyncSession, pair: tuple[User, User], tmp_path: Path
) -> None:
    boss, ex = pair
    a = await commands.create(
        session,
        boss,
        commands.NewAssignment(title="Фотоотчёт", deadline=utcnow() + timedelta(days=1), executor_id=ex.id),
    )
    await commands.transition(session, ex, a.id, Action.ACKNOWLEDGE)
    draft = await reports.open_draft(session, ex, a.id)
    with pytest.raises(InvalidInput):  # nothing in it yet
        await reports.submit(session, ex, draft.id)
    stored = await reports.add_file(session, ex, draft.id, tmp_path, PNG, filename="снимок.png")
    with pytest.raises(InvalidInput):  # an executable renamed to .pdf is still refused
        await reports.add_file(
            session, ex, draft.id, tmp_path, b"MZ\x90\x00" + b"\x00" * 60, filename="x.pdf"
        )
    await reports.add_file(session, ex, draft.id, tmp_path, PDF, filename="акт.pdf")
    assert (await reports.open_draft(session, ex, a.id)).id == draft.id  # the same draft is resumed
    await reports.set_text(session, ex, draft.id, "Снег убран")
    submitted = await reports.submit(session, ex, draft.id)
    await session.commit()
    files = await reports.report_files(session, submitted.id)
    assert [f.mime_type for f in files] == ["image/png", "application/pdf"]
    assert file_path(tmp_path, stored).read_bytes() == PNG
    assert (await commands.load(session, a.id)).status == S.ON_REVIEW


async def test_lists_filter_and_paginate(session: AsyncSession, pair: tuple[User, User]) -> None:
    boss, ex = pair
    now = utcnow()
    ids = []
    for i in range(7):
        a = await commands.create(
            session,
            boss,
            commands.NewAssignment(
                title=f"Задача {i}", deadline=now + timedelta(hours=2 + i * 10), executor_id=ex.id
            ),
            now=now,
        )
        ids.append(a.id)
    other = await staff.create_user(session, Actor.system("t"), full_name="Соисполнитель")
    shared = await commands.create(
        session,
        boss,
        commands.NewAssignment(
            title="Общая", deadline=now + timedelta(days=30), executor_id=ex.id, co_executor_ids=(other.id,)
        ),
        now=now,
    )
    await session.commit()
    seen, cursor = [], None
    while True:
        page = await queries.my_assignments(session, ex, now=now, cursor=cursor, limit=3)
        seen += [a.id for a in page.items]
        if page.next_cursor is None:
            break
        cursor = queries.Cursor.decode(page.next_cursor.encode())
    assert seen == [*ids, shared.id]
    soon = await queries.my_assignments(session, ex, queries.ListFilter.DUE_SOON, now=now, limit=10)
    assert [a.id for a in soon.items] == ids[:3]  # deadlines in 2, 12 and 22 hours
    later = now + timedelta(hours=15)
    overdue = await queries.my_assignments(session, ex, queries.ListFilter.OVERDUE, now=later, limit=10)
    assert [a.id for a in overdue.items] == ids[:2]
    co_page = await queries.my_assignments(session, other, now=now)
    assert [a.id for a in co_page.items] == [shared.id]
    controlled = await queries.under_control(session, boss, now=now, limit=100)
    assert len(controlled.items) == 8
