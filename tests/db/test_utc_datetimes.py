"""Times are stored in UTC on both backends and come back timezone-aware. On SQLite, where a time is
text, the text is exactly SQLAlchemy's DATETIME format (microseconds always), so stored times sort
and compare as times, whichever way they were written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, User

MOSCOW = timezone(timedelta(hours=3))


async def test_times_round_trip_in_utc_and_compare_as_times(session: AsyncSession, db_backend: str) -> None:
    dept = Department(name="Отдел")
    session.add(dept)
    moments = [
        datetime(2026, 12, 5, 19, 22, 0, tzinfo=MOSCOW),  # 16:22 UTC, no microseconds
        datetime(2026, 12, 5, 16, 22, 0, 1, tzinfo=UTC),  # a microsecond later
        datetime(2026, 12, 5, 16, 21, 59, 999999, tzinfo=UTC),  # a microsecond earlier
    ]
    users = [User(full_name=f"Сотрудник {i}", created_at=m) for i, m in enumerate(moments)]
    session.add_all(users)
    await session.commit()

    stored = (await session.scalars(select(User.created_at).order_by(User.created_at))).all()
    assert stored == sorted(moments)
    assert all(m.tzinfo is not None and m.utcoffset() == timedelta(0) for m in stored)
    later = datetime(2026, 12, 5, 19, 22, 0, tzinfo=MOSCOW)
    at_or_after = (await session.scalars(select(User.full_name).where(User.created_at >= later))).all()
    assert sorted(at_or_after) == ["Сотрудник 0", "Сотрудник 1"]
    if db_backend == "sqlite":
        raw = (await session.scalars(text("SELECT created_at FROM users ORDER BY id"))).all()
        expected = ["2026-12-05 16:22:00.000000", "2026-12-05 16:22:00.000001", "2026-12-05 16:21:59.999999"]
        assert raw == expected


async def test_a_naive_time_is_refused(session: AsyncSession) -> None:
    session.add(User(full_name="Без зоны", created_at=datetime(2026, 12, 5, 16, 22)))
    with pytest.raises(Exception, match="naive datetime"):
        await session.flush()
