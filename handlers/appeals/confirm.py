"""Step 6: the summary; «Send» registers the appeal once, «Change» goes back to a part, «Cancel» drops it.

«Send» carries the draft's key, which becomes the appeal's exactly-once key (``external_id``): a
double press — even one that slips past the cleared conversation — registers a single appeal.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.attachments import download
from bot.i18n import N_
from bot.menu import Menu
from bot.messages import OUTDATED, alert, drop_buttons, outdated, settle
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.appeals.callbacks import AppealFormCallback, FormAct
from handlers.appeals.render import draft_text
from handlers.appeals.states import AppealForm
from handlers.appeals.steps import ASK, active_categories, form_button, form_markup, show_confirm
from models import Appeal, TelegramAccount, User
from models.enums import AppealChannel, AppealStatus
from porucheno.settings import Settings
from services.appeals.intake import AppealInput, ContactInput, IncomingFile, register_appeal
from services.audit import Actor
from services.correspondents import email_codes
from services.correspondents.names import is_person_name
from services.errors import DomainError
from services.privacy import consent

# «Change» → the part to change → the step that asks for it.
SECTIONS = (
    ("cat", AppealForm.category),
    ("text", AppealForm.text),
    ("addr", AppealForm.address),
    ("files", AppealForm.files),
    ("name", AppealForm.name),
    ("contact", AppealForm.contact),
)

# A msgid too long for one line of code; N_ marks it for extraction.
WAITING_NOTE = N_(
    "It will be registered by %(when)s; the answer is due within the legal term counted from registration."
)


def external_id(telegram_id: int, key: str) -> str:
    return f"tg:{telegram_id}:{key}"


async def send(
    query: CallbackQuery,
    callback_data: AppealFormCallback,
    turn: Turn,
    state: FSMContext,
    account: TelegramAccount,
    settings: Settings,
) -> None:
    bot, session = turn.bot, turn.session
    data = await state.get_data()
    key = str(data.get("key") or "")
    if not key or callback_data.value != key:
        await outdated(query)
        return
    full_name = data.get("full_name")
    if not isinstance(full_name, str) or not is_person_name(full_name):
        # A draft begun before the full-name step existed: the law wants the name (59-FZ art. 7).
        await query.answer(_("Please give your full name first."), show_alert=True)
        await drop_buttons(query)
        await state.update_data(editing=True)
        await ASK[AppealForm.name.state](turn)
        return
    await query.answer(_("Sending the appeal…"))
    chat_id = query.from_user.id
    # The files were checked when they came; fetch them again for the registration.
    files: list[IncomingFile] = []
    lost: list[str] = []
    for item in data.get("files") or []:
        content = await download(bot, item["id"])
        if content is None:
            lost.append(item.get("name") or _("photo"))
            continue
        files.append(
            IncomingFile(
                data=content,
                filename=item.get("name"),
                declared_mime=item.get("mime"),
                telegram_file_id=item["id"],
                telegram_file_unique_id=item["uid"],
            )
        )
    appeal_input = AppealInput(
        channel=AppealChannel.TELEGRAM.value,
        text=draft_text(data),
        contact=ContactInput(
            # The name the resident stated (59-FZ art. 7), not the messenger's profile name.
            name=full_name,
            name_stated=True,
            phone=data.get("phone"),
            email=data.get("email"),
            telegram_id=account.id,
            phone_proven=data.get("phone_proven") is True,
            # Checked again in the database: the draft only remembers which address was typed.
            email_proven=await email_codes.was_confirmed(session, account.id, data.get("email")),
        ),
        category_id=data.get("category_id"),
        address=data.get("address"),
        building_id=data.get("building_id"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        contact_phone=data.get("phone"),
        files=files,
        external_id=external_id(account.id, key),
    )
    try:
        result = await register_appeal(
            session,
            appeal_input,
            actor=Actor(telegram_id=account.id),
            files_dir=settings.files_dir,
            alert=turn.notice_ctx,  # the clerks in scope hear of it; the resident gets the reply below
        )
    except DomainError as exc:
        await bot.send_message(chat_id, domain_error_text(exc))
        await show_confirm(turn)
        return
    # The consent log points to what the consent was given for (152-FZ: which appeal, which person).
    await consent.link_telegram_consents(
        session, account.id, correspondent_id=result.appeal.correspondent_id, appeal_id=result.appeal.id
    )
    # The number is shown only once it is stored for good (the middleware would commit after us).
    await session.commit()
    appeal = result.appeal
    await state.clear()
    await state.set_data({"sent_key": key, "sent_id": appeal.id})  # answers a repeated «Send»
    await drop_buttons(query)
    waiting = appeal.status == AppealStatus.RECEIVED and appeal.registration_due_at is not None
    lines = [
        _("✅ Your appeal is registered.")
        if result.created and not waiting
        else _("✅ Your appeal is received.")
        if result.created
        else _("This appeal has already been registered."),
        "",
        _("Registration number: <b>%(number)s</b>") % {"number": appeal.reg_number},
        # Waiting for a clerk (manual registration, 59-FZ art. 8): the answer term is not counted yet.
        _(WAITING_NOTE) % {"when": turn.notice_ctx.format_dt(appeal.registration_due_at)}
        if waiting and appeal.registration_due_at is not None
        else _("The answer is due by %(when)s.") % {"when": turn.notice_ctx.format_dt(appeal.due_at)},
    ]
    if result.access_code:
        lines.append(
            _("Access code for checking the status on the website: %(code)s. Keep it: it is not shown again.")
            % {"code": f"<code>{result.access_code}</code>"}
        )
    refused = [
        _("File «%(name)s» is not attached: %(reason)s")
        % {"name": quote(r.filename or _("photo")), "reason": _(r.reason)}
        for r in result.rejected_files
    ] + [
        _("File «%(name)s» is not attached: the messenger no longer gives it to the bot.")
        % {"name": quote(n)}
        for n in lost
    ]
    if refused:
        lines += ["", *refused]
    lines += [
        "",
        _("The answer will come to this chat. You can follow the appeal in «%(button)s».")
        % {"button": _("My appeals")},
    ]
    await bot.send_message(chat_id, "\n".join(lines), reply_markup=turn.menu.keyboard(turn.user, turn.i18n))


async def sent_already(
    query: CallbackQuery, callback_data: AppealFormCallback, state: FSMContext, session: AsyncSession
) -> None:
    """«Send» on a draft that is no longer open: a repeated press, or an old summary."""
    data = await state.get_data()
    appeal_id = data.get("sent_id")
    appeal = await session.get(Appeal, appeal_id) if isinstance(appeal_id, int) else None
    if appeal is not None and callback_data.value and data.get("sent_key") == callback_data.value:
        text = _("This appeal has already been sent: №%(number)s.") % {"number": appeal.reg_number}
    else:
        text = _(OUTDATED)
    await alert(query, text)


async def edit(
    query: CallbackQuery,
    callback_data: AppealFormCallback,
    turn: Turn,
    state: FSMContext,
    session: AsyncSession,
) -> None:
    target = dict(SECTIONS).get(callback_data.value)
    await query.answer()
    if callback_data.value == "back":
        await drop_buttons(query)
        await show_confirm(turn)
        return
    if target is None:  # «Change»: which part?
        labels = {
            "cat": _("Topic"),
            "text": _("Text"),
            "addr": _("Address"),
            "files": _("Files"),
            "name": _("Full name"),
            "contact": _("Contacts"),
        }
        if not await active_categories(session):
            labels.pop("cat")  # no topics to choose from
        rows = [[form_button(label, FormAct.EDIT, code)] for code, label in labels.items()]
        rows.append([form_button(_("‹ Back"), FormAct.EDIT, "back")])
        if isinstance(query.message, Message):
            try:
                await query.message.edit_reply_markup(reply_markup=form_markup(*rows))
            except TelegramBadRequest:  # pressed twice: already showing the parts
                pass
        return
    await settle(query, _("Changing the appeal."))
    await state.update_data(editing=True)
    await ASK[target.state](turn)


async def cancel(
    query: CallbackQuery, state: FSMContext, user: User | None, menu: Menu, i18n: I18n, bot: Bot
) -> None:
    await state.clear()
    await query.answer()
    await drop_buttons(query)
    await bot.send_message(
        query.from_user.id,
        _("The appeal is cancelled, nothing has been sent."),
        reply_markup=menu.keyboard(user, i18n),
    )


async def confirm_hint(message: Message, turn: Turn) -> None:
    await message.answer(_("Please check the appeal and tap «Send», «Change» or «Cancel»."))
    await show_confirm(turn)


def create_router() -> Router:
    router = Router(name="appeals.confirm")
    on = router.callback_query.register
    on(send, AppealForm.confirm, AppealFormCallback.filter(F.act == FormAct.SEND))
    on(edit, AppealForm.confirm, AppealFormCallback.filter(F.act == FormAct.EDIT))
    on(cancel, AppealForm.confirm, AppealFormCallback.filter(F.act == FormAct.CANCEL))
    on(sent_already, AppealFormCallback.filter(F.act == FormAct.SEND))
    router.message.register(confirm_hint, AppealForm.confirm)
    return router
