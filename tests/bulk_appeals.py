"""Many residents and their appeals at once (Core inserts: thousands of rows in a blink), for tests
of long lists: the search at scale, exports that must not hold the event loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from models import Appeal, Correspondent


async def add_appeals(
    db: AsyncConnection | AsyncSession,
    count: int,
    now: datetime,
    *,
    registered_step: timedelta = timedelta(days=1),
    subject: Callable[[int], str | None] = lambda _i: None,
    text: Callable[[int], str] = lambda _i: "",
) -> None:
    """Resident i («Житель i», id i + 1) with appeal 2026-00000(i + 1), registered ``i`` steps before
    ``now``; the appeals' subjects and texts from the given functions of i."""
    await db.execute(
        insert(Correspondent),
        [{"id": i + 1, "name": f"Житель {i}", "name_search": f"житель {i}"} for i in range(count)],
    )
    await db.execute(
        insert(Appeal),
        [
            {
                "reg_year": 2026,
                "reg_seq": i + 1,
                "reg_number": f"2026-{i + 1:06d}",
                "channel": "web",
                "correspondent_id": i + 1,
                "subject": subject(i),
                "text": text(i),
                "status": "in_work",
                "registered_at": now - i * registered_step,
                "due_at": now + timedelta(days=30 - i % 40),
            }
            for i in range(count)
        ],
    )
