"""The lifecycle buttons, described once: what each runs and what the user reads.

A row with a ``prompt`` asks for a typed reason first (the other party reads it); a row without one
applies at once. Two handlers serve all rows: :func:`tap` and the pair :func:`ask_reason` /
:func:`got_reason`. Rights and the current state are the services' business (the lifecycle's
``TRANSITIONS`` name the party allowed to act): every press reloads the record, so forged or stale
data is refused there, and a stale one also redraws the card and says in the alert what the
assignment is now. The control's answers to an extension request are a table of their own
(:func:`decide_extension`); a rejection asks for the reason the executor then reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import messages
from bot.i18n import N_
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.assignments.callbacks import AssignmentCallback, ExtensionCallback
from handlers.assignments.cards import card, redraw_card
from handlers.assignments.common import (
    NOT_STAFF,
    checked,
    checked_or_refresh,
    refuse,
    refuse_and_refresh,
    start_text_prompt,
    text_expected,
)
from handlers.assignments.states import CancelForm, DeclineForm, ExtensionRejectForm, ReturnForm
from models.enums import AssignmentStatus as S
from services.assignments import commands, extensions
from services.assignments.lifecycle import Action
from services.errors import DomainError, InvalidInput
from services.html_cut import cut_html


@dataclass(frozen=True)
class CardAction:
    action: Action  # the service transition; its party decides who may press
    headline: str  # msgid: the card's headline afterwards
    done: str  # msgid: the answer to a tap, or the message after the reason (with %(id)s)
    expected: S | None = None  # a tap: the status the button was drawn for (a double tap is refused)
    prompt: str | None = None  # msgid asking for the reason (with %(id)s and %(title)s); None: one tap
    form: State | None = None  # the conversation step that waits for the reason


ACTIONS: dict[str, CardAction] = {
    "ack": CardAction(
        Action.ACKNOWLEDGE,
        headline=N_("You have acknowledged the assignment"),
        done=N_("Acknowledged. The author has been notified."),
        expected=S.NEW,
    ),
    "accept": CardAction(
        Action.ACCEPT,
        headline=N_("Report accepted: the assignment is done"),
        done=N_("Accepted. The executor has been notified."),
        expected=S.ON_REVIEW,
    ),
    "decline": CardAction(
        Action.DECLINE,
        headline=N_("You have declined the assignment"),
        done=N_("Assignment №%(id)s is declined. The author has been notified and will see your reason."),
        prompt=N_(
            "Why do you decline assignment №%(id)s «%(title)s»? Please write the reason: "
            "the author will see it and will be able to hand the work to someone else."
        ),
        form=DeclineForm.reason,
    ),
    "return": CardAction(
        Action.RETURN,
        headline=N_("The assignment is returned for rework"),
        done=N_("Assignment №%(id)s is returned for rework. The executor has received your reason."),
        prompt=N_(
            "What needs to be redone in assignment №%(id)s «%(title)s»? Please write it: "
            "the executor will see your words."
        ),
        form=ReturnForm.reason,
    ),
    "cancel": CardAction(
        Action.CANCEL,
        headline=N_("The assignment is cancelled"),
        done=N_("Assignment №%(id)s is cancelled. The executor has been notified and will see your reason."),
        prompt=N_(
            "Why do you cancel assignment №%(id)s «%(title)s»? Please write the reason: "
            "the executor will see it."
        ),
        form=CancelForm.reason,
    ),
}
TAPS = frozenset(key for key, row in ACTIONS.items() if row.prompt is None)
REASONED = frozenset(key for key, row in ACTIONS.items() if row.prompt is not None)
# The waiting step tells which row a typed reason belongs to.
BY_FORM = {row.form.state: row for row in ACTIONS.values() if row.form is not None}


@dataclass(frozen=True)
class ExtensionDecision:
    approve: bool
    verdict: str  # msgid appended to the request's message, with %(when)s: the deadline now in force


EXTENSION_DECISIONS = {
    "approve": ExtensionDecision(
        True, N_("✅ Approved: the new deadline is %(when)s. The executor has been notified.")
    ),
    "reject": ExtensionDecision(
        False, N_("❌ Rejected: the deadline stays %(when)s. The executor has been notified.")
    ),
}


async def tap(query: CallbackQuery, callback_data: AssignmentCallback, turn: Turn) -> None:
    """A one-tap action: apply it through the service, answer the press, redraw the card in place."""
    row = ACTIONS[callback_data.action]
    if turn.user is None:
        await refuse(query, NOT_STAFF)
        return
    try:
        a = await commands.transition(
            turn.session,
            turn.user,
            callback_data.id,
            row.action,
            expected_status=row.expected,
            notify=turn.notice_ctx,
        )
    except DomainError as exc:
        await refuse_and_refresh(query, turn, callback_data.id, exc)
        return
    await query.answer(_(row.done))
    text, markup = await card(turn, a, _(row.headline))
    await messages.show_in_place(query, turn.bot, text, markup)


async def ask_reason(query: CallbackQuery, callback_data: AssignmentCallback, turn: Turn) -> None:
    """Check the action now (rights, state), then wait for the reason."""
    row = ACTIONS[callback_data.action]
    assert row.prompt is not None and row.form is not None
    a = await checked_or_refresh(
        query,
        turn,
        callback_data.id,
        lambda u: commands.precheck(turn.session, u, callback_data.id, row.action),
    )
    if a is None:
        return
    prompt = _(row.prompt) % {"id": a.id, "title": quote(a.title)}
    await start_text_prompt(query, turn, row.form, prompt, aid=a.id, status=a.status)


async def got_reason(message: Message, turn: Turn) -> None:
    assert turn.state is not None
    row = BY_FORM[await turn.state.get_state() or ""]
    data = await turn.state.get_data()
    if turn.user is None:
        await turn.state.clear()
        return
    reason = (message.text or "").strip()
    if len(reason) > commands.REASON_LIMIT:  # ask again: the conversation goes on
        too_long = InvalidInput("The text is too long: at most %(n)d characters.", n=commands.REASON_LIMIT)
        await message.answer(domain_error_text(too_long))
        return
    await turn.state.clear()
    try:
        a = await commands.transition(
            turn.session,
            turn.user,
            data["aid"],
            row.action,
            reason=reason,
            expected_status=data.get("status"),  # absent in conversations begun before it was kept
            notify=turn.notice_ctx,
        )
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    await redraw_card(turn, data.get("card"), a, _(row.headline))
    await message.answer(_(row.done) % {"id": a.id})


async def decide_extension(query: CallbackQuery, callback_data: ExtensionCallback, turn: Turn) -> None:
    """The control approves or rejects an extension request; the request's message keeps its text
    and gains the verdict instead of the buttons. A rejection first asks for the reason, which the
    executor reads with the kept deadline."""
    row = EXTENSION_DECISIONS.get(callback_data.decision)
    if turn.user is None or row is None:
        await refuse(query, NOT_STAFF)
        return
    original = query.message.html_text if isinstance(query.message, Message) else ""
    if not row.approve:
        checked_request = await checked(
            query, turn, lambda u: extensions.extension_decision_precheck(turn.session, u, callback_data.id)
        )
        if checked_request is None:
            return
        request, a = checked_request
        prompt = _(
            "Why do you refuse to move the deadline of assignment №%(id)s «%(title)s»? "
            "Please write the reason: the executor will see it."
        ) % {"id": a.id, "title": quote(a.title)}
        await start_text_prompt(
            query, turn, ExtensionRejectForm.reason, prompt, request=request.id, original=original
        )
        return
    try:
        request = await extensions.decide_extension(
            turn.session, turn.user, callback_data.id, approve=True, notify=turn.notice_ctx
        )
    except DomainError as exc:
        await refuse(query, exc)
        return
    verdict = _(row.verdict) % {"when": turn.notice_ctx.format_dt(request.new_deadline)}
    await query.answer()
    await messages.show_in_place(query, turn.bot, f"{original}\n\n{verdict}", None)


async def got_reject_reason(message: Message, turn: Turn) -> None:
    """The refusal's reason: checked here first, so a bad one is asked again and the request stays
    pending; then the service decides (and re-checks everything)."""
    data = await turn.fsm.get_data()
    if turn.user is None:
        await turn.fsm.clear()
        return
    reason = (message.text or "").strip()
    if not reason or len(reason) > commands.REASON_LIMIT:
        refused = (
            InvalidInput("The text is too long: at most %(n)d characters.", n=commands.REASON_LIMIT)
            if reason
            else InvalidInput("Please give a reason.")
        )
        await message.answer(domain_error_text(refused))
        return
    await turn.fsm.clear()
    try:
        request = await extensions.decide_extension(
            turn.session, turn.user, data["request"], approve=False, reason=reason, notify=turn.notice_ctx
        )
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    verdict = _(EXTENSION_DECISIONS["reject"].verdict) % {
        "when": turn.notice_ctx.format_dt(request.old_deadline)
    }
    verdict += "\n" + _("Reason: %(reason)s") % {"reason": quote(reason)}
    card_id = data.get("card")
    if isinstance(card_id, int):  # the request's message keeps its text and gains the verdict
        try:
            await turn.bot.edit_message_text(
                text=cut_html(f"{data.get('original') or ''}\n\n{verdict}".strip()),
                chat_id=turn.chat_id,
                message_id=card_id,
                reply_markup=None,
            )
        except TelegramBadRequest:
            pass  # too old to edit: the answer below says it all
    await message.answer(verdict)


def create_router() -> Router:
    router = Router(name="assignments_actions")
    router.callback_query.register(tap, AssignmentCallback.filter(F.action.in_(TAPS)))
    router.callback_query.register(ask_reason, AssignmentCallback.filter(F.action.in_(REASONED)))
    for row in ACTIONS.values():
        if row.form is not None:
            router.message.register(got_reason, row.form, F.text)
            router.message.register(text_expected, row.form)
    router.callback_query.register(decide_extension, ExtensionCallback.filter())
    router.message.register(got_reject_reason, ExtensionRejectForm.reason, F.text)
    router.message.register(text_expected, ExtensionRejectForm.reason)
    return router
