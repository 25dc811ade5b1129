"""«📝 Report»: what is done or found → photos and scans → expected restoration → who sees it.

Started from a card's button (the target's kind and id are the only things taken from the press;
the service re-checks that the person's organisation is responsible for it, at the start and again
when posting). The last step posts through :mod:`handlers.partners.publish`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.messages import alert, drop_buttons, outdated, refuse, settle
from bot.turn import Turn
from handlers.partners import files, times
from handlers.partners.callbacks import OrgCallback, StepAct, StepCallback
from handlers.partners.cards import target_of
from handlers.partners.prompts import (
    TIME_EXAMPLES,
    ask_audience,
    ask_eta,
    cancel_button,
    send_prompt,
    step_button,
)
from handlers.partners.publish import audience_chosen
from handlers.partners.states import OrgReport
from models import Incident, Outage, utcnow
from services.errors import DomainError, InvalidInput
from services.incidents import update_notices, updates
from services.incidents.updates import TEXT_LIMIT, Target
from services.notify import html_escape


async def reportable(turn: Turn, target: Target) -> Incident | Outage:
    """Refused as ``post_report`` would refuse, so no report is begun on what the person may no
    longer report on."""
    assert turn.user is not None
    row = await updates.load(turn.session, target)
    await updates.responsible_member(turn.session, turn.user, row)
    if not updates.is_open(row):
        raise InvalidInput("This is already closed.")
    return row


async def start(query: CallbackQuery, callback_data: OrgCallback, turn: Turn) -> None:
    t = turn.t
    target = target_of(callback_data)
    if target is None:
        await outdated(query)
        return
    if turn.user is None:
        await refuse(
            query, t("These buttons are for the people of the organisation the work is addressed to.")
        )
        return
    try:
        row = await reportable(turn, target)
    except DomainError as exc:
        await refuse(query, exc)
        return
    await query.answer()
    state = turn.fsm
    # Pressed again (this card or another): the report begins anew; the old question goes quiet.
    earlier = (
        (await state.get_data()).get("prompt")
        if await state.get_state() in OrgReport.__all_states_names__
        else None
    )
    await state.set_state(OrgReport.text)
    await state.set_data({"kind": target.code, "id": target.id, "files": [], "prompt": earlier})
    title = update_notices.title(row, t)
    await send_prompt(
        turn,
        t(
            "📝 Report: %(title)s\n\nWrite in one message what has been done or found. "
            "Photos and scans come next.\n\nTo stop, send /cancel.",
            title=html_escape(title),
        ),
        InlineKeyboardMarkup(inline_keyboard=[[cancel_button(t)]]),
    )


async def _ask_files(turn: Turn, head: str) -> None:
    t = turn.t
    count = len((await turn.fsm.get_data()).get("files") or [])
    text = t(
        "Send photos or scans of the place, several if needed, then tap «Done». "
        "No photos: tap «Done» straight away.",
    )
    if count:
        text += "\n\n" + t("Files attached: %(n)s.", n=count)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[step_button(t("✅ Done"), StepAct.FILES_DONE)], [cancel_button(t)]]
    )
    await send_prompt(turn, f"{head}\n\n{text}" if head else text, markup)


async def _take_text(turn: Turn, text: str) -> str | None:
    """Keep the report's text; why it cannot be kept, or None."""
    t = turn.t
    text = text.strip()
    if not text:
        return t("Write what has been done or found.")
    if len(text) > TEXT_LIMIT:
        return t("The text is too long: at most %(n)s characters.", n=TEXT_LIMIT)
    await turn.fsm.update_data(text=text)
    await turn.fsm.set_state(OrgReport.files)
    return None


async def got_text(message: Message, turn: Turn) -> None:
    problem = await _take_text(turn, message.text or "")
    if problem is not None:
        await message.answer(problem)
        return
    await _ask_files(turn, turn.t("The text is saved."))


async def _after_file(turn: Turn, head: str) -> None:
    """After a file: a photo's caption sent before any text becomes the text."""
    state = turn.fsm
    if await state.get_state() == OrgReport.text:
        caption = (await state.get_data()).get("caption")
        if caption and await _take_text(turn, str(caption)) is None:
            await _ask_files(turn, head + "\n\n" + turn.t("The caption is taken as the text of the report."))
            return
        await turn.bot.send_message(
            turn.chat_id, head + "\n\n" + turn.t("Now write in a message what has been done or found.")
        )
        return
    await _ask_files(turn, head)


async def text_hint(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Write in a message what has been done or found, or send /cancel."))


async def files_hint(message: Message, turn: Turn) -> None:
    await _ask_files(turn, turn.t("I am waiting for photos or scans."))


async def files_done(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await drop_buttons(query)
    await ask_eta(turn)


async def _eta_taken(turn: Turn, moment_utc: datetime | None) -> None:
    await turn.fsm.update_data(eta=moment_utc.isoformat() if moment_utc is not None else None)
    await ask_audience(turn)


async def eta_picked(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    t, ctx = turn.t, turn.notice_ctx
    if callback_data.act == StepAct.UNKNOWN_TIME:
        await query.answer()
        await settle(query, t("Expected restoration: not known yet"))
        await _eta_taken(turn, None)
        return
    now = ctx.local(utcnow())
    moment = times.resolve(callback_data.value, now)
    if moment is None:
        await alert(
            query,
            t("This choice is no longer possible. Type the time, e.g. %(examples)s.", examples=TIME_EXAMPLES),
        )
        return
    await query.answer()
    await settle(query, t("Expected restoration: %(when)s", when=ctx.format_dt(moment)))
    await _eta_taken(turn, moment.astimezone(UTC))


async def eta_typed(message: Message, turn: Turn) -> None:
    t, ctx = turn.t, turn.notice_ctx
    now = ctx.local(utcnow())
    moment = times.parse_moment(message.text or "", now)
    if moment is None:
        await message.answer(
            t("I could not read a date and time. Examples: %(examples)s.", examples=TIME_EXAMPLES)
        )
        return
    if problem := times.problem(moment, now, t):
        await message.answer(problem)
        return
    await message.answer(t("Expected restoration: %(when)s", when=ctx.format_dt(moment)))
    await _eta_taken(turn, moment.astimezone(UTC))


async def eta_hint(message: Message, turn: Turn) -> None:
    await message.answer(
        turn.t(
            "I am waiting for the expected restoration time. Examples: %(examples)s.", examples=TIME_EXAMPLES
        )
    )


async def audience_hint(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Choose with the buttons above who sees the report, or send /cancel."))


async def cancelled(query: CallbackQuery, turn: Turn) -> None:
    await turn.fsm.clear()
    await query.answer()
    await settle(query, turn.t("The report is cancelled; nothing is sent."))


def create_router() -> Router:
    router = Router(name="partners.report")
    in_report = StateFilter(OrgReport.text, OrgReport.files, OrgReport.eta, OrgReport.audience)
    router.callback_query.register(cancelled, in_report, StepCallback.filter(F.act == StepAct.CANCEL))
    router.message.register(got_text, OrgReport.text, F.text, ~F.text.startswith("/"))
    take_file = partial(files.got_file, progress=_after_file)
    router.message.register(take_file, StateFilter(OrgReport.text, OrgReport.files), F.photo | F.document)
    router.message.register(text_hint, OrgReport.text)
    router.callback_query.register(
        files_done, OrgReport.files, StepCallback.filter(F.act == StepAct.FILES_DONE)
    )
    router.message.register(files_hint, OrgReport.files)
    router.callback_query.register(
        eta_picked, OrgReport.eta, StepCallback.filter(F.act.in_({StepAct.TIME, StepAct.UNKNOWN_TIME}))
    )
    router.message.register(eta_typed, OrgReport.eta, F.text, ~F.text.startswith("/"))
    router.message.register(eta_hint, OrgReport.eta)
    router.callback_query.register(
        audience_chosen,
        OrgReport.audience,
        StepCallback.filter(F.act.in_({StepAct.RESIDENTS, StepAct.DISPATCHER_ONLY})),
    )
    router.message.register(audience_hint, OrgReport.audience)
    return router
