"""The description, the preview with its counts, and «Publish»: the draft becomes an outage, the
residents' notices are queued, and the preview turns into the broadcast's progress message."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.messages import alert, drop_buttons, outdated, settle, show_in_place
from bot.turn import Turn
from handlers.dispatch.callbacks import StepAct, StepCallback
from handlers.dispatch.common import actor, from_iso, ids
from handlers.dispatch.finish import back_to_menu, remove_confirmed
from handlers.dispatch.record import apply_draft_record
from handlers.dispatch.states import Mode, OutageForm
from handlers.dispatch.steps import ask_addresses, ask_description, ask_time, show_preview
from models import utcnow
from models.enums import OutageKind
from services import outbox
from services.errors import DomainError
from services.outages import lifecycle, signals
from services.outages.card import DESCRIPTION_LIMIT
from services.outages.notices import batch_name
from services.outages.progress import card_markup, progress_text


async def described(message: Message, turn: Turn) -> None:
    t, text = turn.t, (message.text or "").strip()
    if len(text) > DESCRIPTION_LIMIT:
        await message.answer(t("The description is too long: at most %(n)s characters.", n=DESCRIPTION_LIMIT))
        return
    await turn.fsm.update_data(description=text)
    await show_preview(turn)


async def no_description(query: CallbackQuery, turn: Turn) -> None:
    await turn.fsm.update_data(description="")
    await query.answer()
    await settle(query, turn.t("No description."))
    await show_preview(turn)


async def description_expected(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please write the description as a text message, or tap «No description»."))


async def publish(query: CallbackQuery, turn: Turn) -> None:
    t, chat_id, now = turn.t, turn.chat_id, utcnow()
    state, session, user, notice_ctx = turn.fsm, turn.session, actor(turn), turn.notice_ctx
    data = await state.get_data()
    kind, resource = str(data.get("kind")), str(data.get("resource"))
    starts_at, end = from_iso(data.get("starts_at")), from_iso(data.get("expected_end_at"))
    buildings = ids(data.get("buildings"))
    # The preview may have waited a while: a planned outage must still lie ahead.
    if starts_at is None or (kind == OutageKind.PLANNED and (end is None or end <= now)):
        await alert(query, t("The expected end of a planned outage must be in the future."))
        await drop_buttons(query)
        await state.update_data(editing=True)
        await ask_time(turn, "start")
        return
    message_id = query.message.message_id if isinstance(query.message, Message) else None
    try:
        if data.get("mode") == Mode.SIGNALS:
            outage = await signals.create_outage_from_signals(
                session,
                user,
                ids(data.get("signal_ids")),
                signals.SignalsOutage(
                    kind=kind,
                    resource=resource,
                    starts_at=starts_at,
                    expected_end_at=end,
                    description=str(data.get("description") or ""),
                    extra_building_ids=buildings,
                ),
            )
        else:
            outage = await lifecycle.create_outage(
                session,
                user,
                lifecycle.NewOutage(
                    kind=kind,
                    resource=resource,
                    building_ids=buildings,
                    starts_at=starts_at,
                    expected_end_at=end,
                    description=str(data.get("description") or ""),
                ),
            )
        result = await lifecycle.publish(
            session,
            notice_ctx,
            user,
            outage.id,
            progress_chat_id=chat_id if message_id else None,
            progress_message_id=message_id,
        )
        # After publishing: the organisation's card must show the outage as it is in effect.
        await apply_draft_record(session, notice_ctx, turn, outage, data)
    except DomainError as exc:
        await session.rollback()  # nothing half-made: no draft without its notices
        await alert(query, exc)
        await drop_buttons(query)
        await show_preview(turn)
        return
    await query.answer(t("Published."))
    progress = await outbox.batch_progress(session, batch_name(outage.id, "publish"))
    text = await progress_text(session, outage, progress, t, notice_ctx)
    await show_in_place(query, turn.bot, text, InlineKeyboardMarkup.model_validate(card_markup(outage.id, t)))
    await back_to_menu(
        turn,
        t("Outage №%(id)s is published. Notices queued for residents: %(n)s.", id=outage.id, n=result.queued),
    )


async def edit(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    if callback_data.value not in ("addresses", "times", "text"):
        await outdated(query)
        return
    await query.answer()
    await drop_buttons(query)
    await turn.fsm.update_data(editing=True)
    if callback_data.value == "addresses":
        await ask_addresses(turn)
    elif callback_data.value == "times":
        await ask_time(turn, "start")
    else:
        await ask_description(turn)


async def cancel(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await drop_buttons(query)
    await back_to_menu(turn, turn.t("Action cancelled."))


async def remove_yes(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await drop_buttons(query)
    await remove_confirmed(turn)


async def buttons_expected(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please tap one of the buttons above. To cancel, send /cancel."))


def create_router() -> Router:
    router = Router(name="dispatch.publish")
    on = router.callback_query.register
    on(no_description, OutageForm.description, StepCallback.filter(F.act == StepAct.NO_TEXT))
    on(publish, OutageForm.preview, StepCallback.filter(F.act == StepAct.PUBLISH))
    on(edit, OutageForm.preview, StepCallback.filter(F.act == StepAct.EDIT))
    on(cancel, OutageForm.preview, StepCallback.filter(F.act == StepAct.CANCEL))
    on(remove_yes, OutageForm.remove_confirm, StepCallback.filter(F.act == StepAct.REMOVE_YES))
    on(cancel, OutageForm.remove_confirm, StepCallback.filter(F.act == StepAct.CANCEL))
    router.message.register(described, OutageForm.description, F.text, ~F.text.startswith("/"))
    router.message.register(description_expected, OutageForm.description)
    router.message.register(buttons_expected, OutageForm.preview)
    router.message.register(buttons_expected, OutageForm.remove_confirm)
    return router
