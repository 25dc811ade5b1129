"""The outage's record beyond the residents' notice: the cause, who reported it, the organisation
that restores the supply.

For a new outage it is one optional screen off the preview (the fast path stays: «Publish» never
asks for it); the cause is typed there, the rest picked. A published outage's card changes the
organisation; its people get the card with «Acknowledge» / «Report» (``update_notices``).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import alert, drop_buttons, outdated, show_in_place
from bot.turn import Turn
from handlers.dispatch import keyboards
from handlers.dispatch.callbacks import OrgCallback, StepAct, StepCallback
from handlers.dispatch.cards import card_view, draft_org_name, record_lines
from handlers.dispatch.common import actor, ids
from handlers.dispatch.states import OutageForm
from handlers.dispatch.steps import show_preview
from models import Outage
from models.enums import InformantKind
from services.errors import DomainError
from services.incidents import update_notices
from services.incidents.updates import Target
from services.notify import NoticeContext
from services.outages import record
from services.outages.lifecycle import current_building_ids
from services.partners.areas import offered_organisations

ORGS_SHOWN = 30
CAUSE, INFORMANT = "cause", "informant"  # what a typed message on the screen fills in


async def _screen_text(turn: Turn) -> str:
    t = turn.t
    data = await turn.fsm.get_data()
    name = await draft_org_name(turn.session, data)
    kind = data.get("informant_kind")
    lines = [t("<b>Cause, informant, organisation</b> (optional)"), ""]
    lines += record_lines(
        str(data.get("cause") or ""),
        kind if isinstance(kind, str) else None,
        str(data.get("informant_text") or "") or None,
        name,
        t,
    ) or [t("Nothing given yet.")]
    lines += [
        "",
        t("Type the cause as a message; pick who reported it and the responsible organisation below."),
    ]
    return "\n".join(lines)


async def _markup(turn: Turn) -> InlineKeyboardMarkup:
    return keyboards.record_markup(
        turn.t, has_informant=bool((await turn.fsm.get_data()).get("informant_kind"))
    )


async def ask_record(turn: Turn) -> None:
    await turn.fsm.set_state(OutageForm.record)
    await turn.fsm.update_data(typing=CAUSE)
    await turn.bot.send_message(turn.chat_id, await _screen_text(turn), reply_markup=await _markup(turn))


async def opened(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    if await turn.fsm.get_state() == OutageForm.record.state:  # «Back» from the organisations
        await show_in_place(query, turn.bot, await _screen_text(turn), await _markup(turn))
        return
    await drop_buttons(query)
    await ask_record(turn)


async def typed(message: Message, turn: Turn) -> None:
    """The cause, unless «Who exactly» asked for the informant's name or phone."""
    t, text = turn.t, (message.text or "").strip()
    if (await turn.fsm.get_data()).get("typing") == INFORMANT:
        if len(text) > record.INFORMANT_LIMIT:
            await message.answer(
                t("The informant is too long: at most %(n)s characters.", n=record.INFORMANT_LIMIT)
            )
            return
        await turn.fsm.update_data(informant_text=text)
    else:
        if len(text) > record.CAUSE_LIMIT:
            await message.answer(t("The cause is too long: at most %(n)s characters.", n=record.CAUSE_LIMIT))
            return
        await turn.fsm.update_data(cause=text)
    await ask_record(turn)


async def informant_text_asked(query: CallbackQuery, turn: Turn) -> None:
    if not (await turn.fsm.get_data()).get("informant_kind"):
        await outdated(query)
        return
    await query.answer()
    await drop_buttons(query)
    await turn.fsm.update_data(typing=INFORMANT)
    await turn.bot.send_message(turn.chat_id, turn.t("Type the informant's name, phone or organisation."))


async def informant_picked(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    if callback_data.value not in InformantKind.__members__.values():
        await outdated(query)
        return
    await turn.fsm.update_data(informant_kind=callback_data.value)
    await query.answer()
    await show_in_place(query, turn.bot, await _screen_text(turn), await _markup(turn))


async def orgs_shown(query: CallbackQuery, turn: Turn) -> None:
    t = turn.t
    data = await turn.fsm.get_data()
    offered, marked = await offered_organisations(
        turn.session, ids(data.get("buildings")), str(data.get("resource"))
    )
    orgs = offered[:ORGS_SHOWN]
    await query.answer()
    text = t("Which organisation restores the supply?") if orgs else t("No organisations are registered yet.")
    await show_in_place(query, turn.bot, text, keyboards.draft_orgs_markup(orgs, t, marked))


async def org_picked(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    raw = callback_data.value
    if not raw.isdigit():
        await outdated(query)
        return
    org_id = int(raw)
    if org_id:
        try:
            await record.usable_organisation(turn.session, org_id)
        except DomainError as exc:
            await alert(query, exc)
            return
    await turn.fsm.update_data(org_id=org_id or None)
    await query.answer()
    await show_in_place(query, turn.bot, await _screen_text(turn), await _markup(turn))


async def back(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await drop_buttons(query)
    await show_preview(turn)


async def apply_draft_record(
    session: AsyncSession, ctx: NoticeContext, turn: Turn, outage: Outage, data: dict[str, object]
) -> int:
    """After the draft is created and published: the record, and the organisation's card (count)."""
    kind = data.get("informant_kind")
    cause = str(data.get("cause") or "")
    if cause or kind:
        await record.set_record(
            session,
            actor(turn),
            outage.id,
            record.OutageRecord(
                cause=cause,
                informant_kind=kind if isinstance(kind, str) else None,
                informant_text=str(data.get("informant_text") or "") if kind else "",
            ),
        )
    org_id = data.get("org_id")
    if isinstance(org_id, int) and org_id:
        if await record.set_responsible(session, actor(turn), outage.id, org_id) is not None:
            return await update_notices.notify_assigned(session, ctx, Target("outage", outage.id))
    return 0


# -- a published outage's organisation -----------------------------------------------------------


async def card_orgs(query: CallbackQuery, turn: Turn, outage: Outage) -> None:
    t = turn.t
    offered, marked = await offered_organisations(
        turn.session, await current_building_ids(turn.session, outage.id), outage.resource
    )
    orgs = offered[:ORGS_SHOWN]
    await query.answer()
    text = (
        t("Which organisation restores the supply of outage №%(id)s? Its people get the card.", id=outage.id)
        if orgs
        else t("No organisations are registered yet.")
    )
    await show_in_place(query, turn.bot, text, keyboards.card_orgs_markup(outage.id, orgs, t, marked))


async def card_org_picked(query: CallbackQuery, callback_data: OrgCallback, turn: Turn) -> None:
    t, session = turn.t, turn.session
    outage = await session.get(Outage, callback_data.oid)
    if outage is None:
        await alert(query, t("Outage not found."))
        return
    try:
        changed = await record.set_responsible(session, actor(turn), outage.id, callback_data.org or None)
        sent = (
            await update_notices.notify_assigned(session, turn.notice_ctx, Target("outage", outage.id))
            if changed is not None
            else 0
        )
    except DomainError as exc:
        await alert(query, exc)
        text, markup = await card_view(session, outage, t, turn.notice_ctx)
        await show_in_place(query, turn.bot, text, markup)
        return
    await query.answer(t("Done."))
    note = t("The organisation's people notified: %(n)s", n=sent) if changed is not None else ""
    text, markup = await card_view(session, outage, t, turn.notice_ctx, note=note)
    await show_in_place(query, turn.bot, text, markup)


def create_router() -> Router:
    router = Router(name="dispatch.record")
    on = router.callback_query.register
    on(
        opened,
        StateFilter(OutageForm.preview, OutageForm.record),
        StepCallback.filter(F.act == StepAct.RECORD),
    )
    on(informant_picked, OutageForm.record, StepCallback.filter(F.act == StepAct.INFORMANT))
    on(orgs_shown, OutageForm.record, StepCallback.filter(F.act == StepAct.ORGS))
    on(org_picked, OutageForm.record, StepCallback.filter(F.act == StepAct.ORG))
    on(back, OutageForm.record, StepCallback.filter(F.act == StepAct.BACK))
    on(card_org_picked, OrgCallback.filter())
    on(informant_text_asked, OutageForm.record, StepCallback.filter(F.act == StepAct.INFORMANT_TEXT))
    router.message.register(typed, OutageForm.record, F.text, ~F.text.startswith("/"))
    return router
