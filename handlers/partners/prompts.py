"""The report conversation's questions with their buttons, asked when a step begins (or again)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import drop_buttons_of
from bot.turn import Turn
from handlers.partners import times
from handlers.partners.callbacks import StepAct, StepCallback
from handlers.partners.states import OrgReport
from models import utcnow
from services.notify import Translator

TIME_EXAMPLES = "14:30, 05.12 14:30, завтра 9:00"


def step_button(text: str, act: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=StepCallback(act=act, value=value).pack())


def cancel_button(t: Translator) -> InlineKeyboardButton:
    return step_button(t("✖ Cancel"), StepAct.CANCEL)


async def send_prompt(turn: Turn, text: str, markup: InlineKeyboardMarkup) -> None:
    """A question of the conversation; the previous one loses its buttons, so only the current step
    can be pressed."""
    previous = (await turn.fsm.get_data()).get("prompt")
    sent = await turn.bot.send_message(turn.chat_id, text, reply_markup=markup)
    await drop_buttons_of(turn.bot, turn.chat_id, previous)
    await turn.fsm.update_data(prompt=sent.message_id)


async def ask_eta(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(OrgReport.eta)
    now = turn.notice_ctx.local(utcnow())
    picks = [step_button(times.pick_label(c, t), StepAct.TIME, c) for c in times.pick_codes(now)]
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            picks[:3],
            [picks[3]],
            [step_button(t("🤷 Not known yet"), StepAct.UNKNOWN_TIME)],
            [cancel_button(t)],
        ]
    )
    await send_prompt(
        turn,
        t(
            "When do you expect restoration? Tap a button or type the time, e.g. %(examples)s.",
            examples=TIME_EXAMPLES,
        ),
        markup,
    )


async def ask_audience(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(OrgReport.audience)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                step_button(t("👥 For residents"), StepAct.RESIDENTS),
                step_button(t("🔒 Dispatcher only"), StepAct.DISPATCHER_ONLY),
            ],
            [step_button(t("✖ Cancel"), StepAct.CANCEL)],
        ]
    )
    await send_prompt(
        turn,
        t(
            "Who is the report for? «For residents»: the residents of the houses concerned hear of it "
            "(at once or after the dispatcher's check, as agreed with your organisation). "
            "«Dispatcher only»: a note in the journal."
        ),
        markup,
    )
