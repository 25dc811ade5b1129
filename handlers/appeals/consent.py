"""Step 0: consent to the processing of personal data, before the first personal question (152-FZ).

The consent is a separate document with a version (services.privacy.consent). A person who already
agreed to the current version goes straight on; otherwise the text is shown with «I agree» and
«I decline». Until «I agree» the conversation keeps only the version shown and, for an appeal started
from a free text, that message's id; «I decline» clears the conversation's data entirely, so nothing
the person typed stays stored, and logs the refusal (version and channel only).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.consent_prompt import prompt_text
from bot.messages import drop_buttons, outdated, settle
from bot.turn import Turn
from handlers.appeals.callbacks import AppealFormCallback, FormAct
from handlers.appeals.states import AppealForm
from handlers.appeals.steps import form_button, form_markup
from models import TelegramAccount, User
from services.privacy import consent

PENDING = "consent_pending"  # FSM data: what to do after «I agree» ("" or "offer:<message id>")

Continue = Callable[[Turn, FSMContext, TelegramAccount, str], Awaitable[None]]
_continuations: dict[str, Continue] = {}


def on_agree(kind: str, handler: Continue) -> None:
    """What «I agree» goes on with: the menu's new appeal ("write") or an offered text ("offer")."""
    _continuations[kind] = handler


async def ask_or_go(
    turn: Turn, state: FSMContext, account: TelegramAccount, kind: str, arg: str = ""
) -> None:
    """Go on with ``kind`` if this account agreed to the current text; else show the text first."""
    text = await consent.current(turn.session)
    if await consent.telegram_consented(turn.session, account.id, text.version):
        await _continuations[kind](turn, state, account, arg)
        return
    kept = {k: v for k, v in (await state.get_data()).items() if k == "offered_appeal_texts"}
    await state.clear()
    await state.set_state(AppealForm.consent)
    await state.set_data({**kept, PENDING: f"{kind}:{arg}"})
    purpose = _(
        "To register an appeal we need your name and contacts. Please read the consent and "
        "tap «I agree» or «I decline». If you decline, nothing you write is kept."
    )
    markup = form_markup(
        [form_button(_("✅ I agree"), FormAct.AGREE, str(text.version))],
        [form_button(_("✖ I decline"), FormAct.DECLINE, str(text.version))],
    )
    await turn.bot.send_message(turn.chat_id, prompt_text(turn, text, purpose), reply_markup=markup)


async def agree(
    query: CallbackQuery,
    callback_data: AppealFormCallback,
    turn: Turn,
    state: FSMContext,
    account: TelegramAccount,
    user: User | None,
) -> None:
    shown = int(callback_data.value) if callback_data.value.isdigit() else 0
    # The version on the button is the one the person read; it must still exist.
    if user is not None or await consent.by_version(turn.session, shown) is None:
        await outdated(query)
        return
    pending = str((await state.get_data()).get(PENDING) or "write:")
    await consent.log(
        turn.session, consent.ConsentEntry(channel="telegram", version=shown, telegram_id=account.id)
    )
    await turn.session.commit()
    await query.answer()
    await settle(
        query, _("Consent to the processing of personal data: given (version %(v)d).") % {"v": shown}
    )
    kind, _sep, arg = pending.partition(":")
    await _continuations.get(kind, _continuations["write"])(turn, state, account, arg)


async def decline(
    query: CallbackQuery,
    callback_data: AppealFormCallback,
    turn: Turn,
    state: FSMContext,
    account: TelegramAccount,
) -> None:
    await state.clear()  # the offered texts too: nothing the person typed is kept
    shown = int(callback_data.value) if callback_data.value.isdigit() else 0
    if await consent.by_version(turn.session, shown) is not None:
        await consent.log(
            turn.session,
            consent.ConsentEntry(
                channel="telegram", version=shown, decision=consent.REFUSED, telegram_id=account.id
            ),
        )
    await query.answer()
    await drop_buttons(query)
    await turn.bot.send_message(
        turn.chat_id,
        _(
            "Without your consent we cannot register an appeal here, so nothing has been sent or kept. "
            "You can write to the administration by post or come in person; to start again, tap "
            "«%(button)s»."
        )
        % {"button": _("Write an appeal")},
        reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
    )


async def consent_hint(message: Message) -> None:
    """Anything typed before the decision is not kept: the person is asked to decide first."""
    await message.answer(_("Please tap «I agree» or «I decline» above. To cancel, send /cancel."))


def create_router() -> Router:
    router = Router(name="appeals.consent")
    router.callback_query.register(
        agree, AppealForm.consent, AppealFormCallback.filter(F.act == FormAct.AGREE)
    )
    router.callback_query.register(
        decline, AppealForm.consent, AppealFormCallback.filter(F.act == FormAct.DECLINE)
    )
    router.message.register(consent_hint, AppealForm.consent)
    return router
