"""The public counter of appeals the decree asks bodies to publish (Указ № 171): figures only,
never a name, address or text.

The figures cover the 59-FZ appeals that arrived in the month, as they stand at its end (for the
running month: now); the classifier sections count their questions.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AppealQuestion, ClassifierEntry, utcnow
from services.errors import InvalidInput
from services.sstu.period import month_bounds
from services.sstu.state import Stage, month_states

FIGURES = ("received", "registered", "in_work", "answered", "redirected", "left_without_answer", "extended")
STAGE_FIGURE = {
    Stage.IN_WORK: "in_work",
    Stage.ANSWERED: "answered",
    Stage.REDIRECTED: "redirected",
    Stage.NO_ANSWER: "left_without_answer",
}


async def _section_names(session: AsyncSession) -> dict[str, str]:
    """Section (раздел) names by their first code group, from the loaded classifier."""
    rows = await session.execute(
        select(ClassifierEntry.code, ClassifierEntry.name).where(ClassifierEntry.level == 1)
    )
    return {code.split(".")[0]: name for code, name in rows.all()}


async def month_figures(
    session: AsyncSession, year: int, month: int, *, tz: ZoneInfo, now: datetime | None = None
) -> dict[str, Any]:
    period = month_bounds(year, month, tz)
    now = now or utcnow()
    if period.start > now:
        raise InvalidInput("The month has not begun yet.")
    states = [s for s in await month_states(session, period) if period.start <= s.incoming_at < period.end]
    figures: Counter[str] = Counter({name: 0 for name in FIGURES})
    for state in states:
        figures["received"] += 1
        if state.stage != Stage.NOT_REGISTERED:
            figures["registered"] += 1
        if state.stage in STAGE_FIGURE:
            figures[STAGE_FIGURE[state.stage]] += 1
        extended = state.appeal.extended_at
        if extended is not None and extended < period.end:
            figures["extended"] += 1
    sections: Counter[str] = Counter()
    ids = [s.appeal.id for s in states]
    with_questions: set[int] = set()
    for i in range(0, len(ids), 500):
        rows = await session.execute(
            select(AppealQuestion.appeal_id, AppealQuestion.classifier_code).where(
                AppealQuestion.appeal_id.in_(ids[i : i + 500])
            )
        )
        for appeal_id, code in rows.all():
            with_questions.add(appeal_id)
            sections[(code or "").split(".")[0].strip()] += 1
    sections[""] += len(set(ids) - with_questions)  # no question rows yet: one unclassified question
    names = await _section_names(session)
    by_section = [
        {"code": code, "name": names.get(code, ""), "questions": n}
        for code, n in sorted(sections.items())
        if code and n
    ]
    return {
        "period": period.label,
        "year": year,
        "month": month,
        **{name: figures[name] for name in FIGURES},
        "by_section": by_section,
        "unclassified_questions": sections[""],
    }
