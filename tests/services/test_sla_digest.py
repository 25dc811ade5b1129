"""The manager's digest carries the service desk's SLA section: requests of the last days, the
share of targets met, and what is overdue and open now; it is left out where the desk is unused."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.digest import build_digest, render_digest
from services.analytics.digest_sections import SERVICE_DESK
from services.notify import Translator
from services.service_desk import requests, resolution
from tests.services.service_desk_support import make_desk, msk


async def test_sla_section_of_the_digest(session: AsyncSession) -> None:
    desk = await make_desk(session)
    ctx, t = desk.ctx, Translator("ru")
    now = msk(2026, 3, 17, 12, 0)  # the digest reports on Monday 16 March
    empty = await build_digest(session, ctx, now=now, sections=frozenset({SERVICE_DESK}))
    assert empty.service_desk is None
    assert "SLA" not in render_digest(empty, t, ctx, heading="")[0]

    served = await desk.file(session, msk(2026, 3, 16, 9, 0))
    await requests.take(session, desk.agent, served.id, ctx=ctx, now=msk(2026, 3, 16, 9, 30))
    await resolution.resolve(session, desk.agent, served.id, "Готово", ctx=ctx, now=msk(2026, 3, 16, 10, 0))
    await desk.file(session, msk(2026, 3, 16, 9, 0), subject="Никто не взял")  # overdue on both clocks

    digest = await build_digest(session, ctx, now=now, sections=frozenset({SERVICE_DESK}))
    figures = digest.service_desk
    assert figures is not None
    # One of two met each target; the other is overdue and still open.
    assert (figures.requests, figures.reaction_pct, figures.resolution_pct, figures.breached_now) == (
        2,
        100 * 1 / 2,
        100 * 1 / 2,
        1,
    )
    text, _markup = render_digest(digest, t, ctx, heading="Глава")
    assert "SLA службы поддержки за 7 дн." in text
    assert (
        "Заявок: 2" in text
        and "реакция в срок: 50%" in text.lower()
        and "Просрочено и открыто сейчас: 1" in text
    )
