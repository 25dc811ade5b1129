"""The start, the expected end (skippable for an emergency) and a published outage's new end.

Quick picks and typed moments are local time; the draft and the services get UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import alert, outdated, settle
from bot.turn import Turn
from handlers.dispatch.callbacks import StepAct, StepCallback
from handlers.dispatch.common import from_iso
from handlers.dispatch.finish import time_done
from handlers.dispatch.parsing import parse_moment, too_far
from handlers.dispatch.picks import resolve
from handlers.dispatch.states import Mode, OutageForm
from handlers.dispatch.steps import TIME_EXAMPLES, time_base
from models import Outage, utcnow
from models.enums import OutageKind
from services.notify import Translator


async def _which(state: FSMContext) -> str:
    if (await state.get_data()).get("mode") == Mode.EXTEND:
        return "extend"
    return "start" if await state.get_state() == OutageForm.start.state else "end"


async def _problem(
    state: FSMContext, session: AsyncSession, which: str, moment: datetime, now: datetime, t: Translator
) -> str | None:
    """Why the moment cannot be taken, or None."""
    if too_far(moment, now):
        return t("%(when)s is too far from today. Check the date.", when=moment.strftime("%d.%m.%Y %H:%M"))
    data = await state.get_data()
    if which == "start":
        return None
    start = from_iso(data.get("starts_at"))
    if which == "extend":
        outage = await session.get(Outage, int(str(data.get("outage_id"))))
        start = outage.starts_at if outage is not None else None
        if moment <= now:
            return t("The expected end must be in the future.")
    if start is not None and moment <= start:
        return t("The expected end must come after the start.")
    if data.get("kind") == OutageKind.PLANNED and moment <= now:
        return t("The expected end of a planned outage must be in the future.")
    return None


async def _take(turn: Turn, which: str, moment: datetime | None) -> None:
    await time_done(turn, which, moment.astimezone(UTC) if moment else None)


def _label(which: str, t: Translator, when: str) -> str:
    return t("Start: %(when)s", when=when) if which == "start" else t("Expected end: %(when)s", when=when)


async def picked(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    t, state, session, notice_ctx = turn.t, turn.fsm, turn.session, turn.notice_ctx
    now = notice_ctx.local(utcnow())
    which = await _which(state)
    if callback_data.act == StepAct.SKIP_END:
        if which != "end" or (await state.get_data()).get("kind") != OutageKind.ACCIDENT:
            await alert(query, t("A planned outage needs an expected end."))
            return
        await query.answer()
        await settle(query, t("Expected end: not yet known"))
        await _take(turn, which, None)
        return
    base = await time_base(turn, which)
    moment = resolve(callback_data.value, base=base, now=now, from_base=which != "start")
    if moment is None or (which != "start" and callback_data.value == "now"):
        await outdated(query)
        return
    if problem := await _problem(state, session, which, moment, now, t):
        await alert(query, problem)
        return
    await query.answer()
    await settle(query, _label(which, t, notice_ctx.format_dt(moment)))
    await _take(turn, which, moment)


async def typed(message: Message, turn: Turn) -> None:
    t, state, session, notice_ctx = turn.t, turn.fsm, turn.session, turn.notice_ctx
    now = notice_ctx.local(utcnow())
    which = await _which(state)
    # A bare «18:00» means the first 18:00 after the start (an end) or after now (a new end).
    after = {"start": None, "end": await time_base(turn, "end"), "extend": now}[which]
    moment = parse_moment(message.text or "", now, after=after)
    if moment is None:
        await message.answer(
            t("I could not read a date and time. Examples: %(examples)s.", examples=TIME_EXAMPLES)
        )
        return
    if problem := await _problem(state, session, which, moment, now, t):
        await message.answer(problem)
        return
    await message.answer(_label(which, t, notice_ctx.format_dt(moment)))
    await _take(turn, which, moment)


async def hint(message: Message, turn: Turn) -> None:
    t = turn.t
    await message.answer(
        t("I am waiting for a date and time. Examples: %(examples)s.", examples=TIME_EXAMPLES)
    )


def create_router() -> Router:
    router = Router(name="dispatch.times")
    timed = (OutageForm.start, OutageForm.end)
    router.callback_query.register(
        picked, StateFilter(*timed), StepCallback.filter(F.act.in_({StepAct.TIME, StepAct.SKIP_END}))
    )
    for st in timed:
        router.message.register(typed, st, F.text, ~F.text.startswith("/"))
        router.message.register(hint, st)
    return router
