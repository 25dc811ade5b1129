"""Typed actions on a request: a message (the requester's, or the service's reply; files too), an
internal note, a question to the requester, what was done, why it is not solved, why it is cancelled.

The press checks who may do it and remembers the status the card showed; the service re-checks both
when the text arrives (a colleague may have acted meanwhile: the person gets the current card).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.albums import Album, Albums
from bot.messages import refuse, settle
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.service_desk import files, render
from handlers.service_desk.callbacks import Act, DeskCallback
from handlers.service_desk.cards import me, refused_with_card, send_card, visible
from handlers.service_desk.states import DeskForm
from models.enums import ServiceStatus
from porucheno.settings import Settings
from services.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from services.service_desk import access, requests, resolution

S = ServiceStatus
OPEN = frozenset({S.NEW, S.IN_WORK, S.WAITING})
# kind → (who: "agent" / "requester" / "either", statuses it is possible in)
KINDS: dict[str, tuple[str, frozenset[S]]] = {
    Act.SAY: ("either", frozenset({*OPEN, S.RESOLVED})),
    Act.NOTE: ("agent", frozenset({*OPEN, S.RESOLVED})),
    Act.ASK: ("agent", frozenset({S.IN_WORK})),
    Act.RESOLVE: ("agent", frozenset({S.IN_WORK, S.WAITING})),
    Act.NOT_SOLVED: ("requester", frozenset({S.RESOLVED})),
    Act.CANCEL: ("either", OPEN),
}
WITH_FILES = frozenset({Act.SAY, Act.NOTE})
NOT_POSSIBLE = "This action is not possible in the request's current state."


def prompt(turn: Turn, kind: str, agent: bool, number: str) -> str:
    t = turn.t
    texts = {
        Act.SAY: t("Write your reply to the requester; photos and documents can be sent too.")
        if agent
        else t("Write your message to the service; photos and documents can be sent too."),
        Act.NOTE: t("Write an internal note: only the service sees it."),
        Act.ASK: t("Write your question to the requester. The SLA clocks pause until they answer."),
        Act.RESOLVE: t("Write what was done: the requester sees it and confirms the result."),
        Act.NOT_SOLVED: t("What is still wrong? The request goes back to work."),
        Act.CANCEL: t("Write why the request is cancelled."),
    }
    return t("Request № %(number)s", number=number) + "\n\n" + texts[kind]


async def begin(query: CallbackQuery, callback_data: DeskCallback, turn: Turn) -> None:
    kind = callback_data.action
    request = await visible(query, turn, callback_data.id)
    if request is None:
        return
    user = me(turn)
    who, statuses = KINDS[kind]
    agent = await access.is_agent(turn.session, user, request)
    requester = access.is_requester(user, request)
    allowed = {"agent": agent, "requester": requester, "either": agent or requester}[who]
    if not allowed:
        error: DomainError = (
            PermissionDenied("Only the service that handles this request can do this.")
            if who == "agent"
            else NotFound("Request not found.")
        )
        await refuse(query, error)
        return
    if S(request.status) not in statuses:
        await refused_with_card(query, turn, InvalidInput(NOT_POSSIBLE), request.id)
        return
    await query.answer()
    await turn.fsm.set_state(DeskForm.typing)
    await turn.fsm.set_data({"kind": kind, "id": request.id, "status": request.status, "files": []})
    stop = render.button(turn.t("✖ Cancel"), Act.STOP, request.id)
    await turn.bot.send_message(
        turn.chat_id,
        prompt(turn, kind, agent and not requester, request.number),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[stop]]),
    )


async def submit(turn: Turn, settings: Settings, text: str) -> None:
    t, session, ctx = turn.t, turn.session, turn.notice_ctx
    data = await turn.finish_form()
    kind, request_id, status = str(data.get("kind")), int(data.get("id") or 0), str(data.get("status"))
    user = me(turn)
    try:
        file_ids, lost = await files.store_all(turn, settings.files_dir, list(data.get("files") or []))
        if kind in (Act.SAY, Act.NOTE):
            await resolution.comment(
                session, user, request_id, text, ctx=ctx, internal=kind == Act.NOTE, file_ids=file_ids
            )
        elif kind == Act.ASK:
            await resolution.wait_for_requester(
                session, user, request_id, text, ctx=ctx, expected_status=status
            )
        elif kind == Act.RESOLVE:
            await resolution.resolve(session, user, request_id, text, ctx=ctx, expected_status=status)
        elif kind == Act.NOT_SOLVED:
            await resolution.reopen(session, user, request_id, text, ctx=ctx)
        elif kind == Act.CANCEL:
            await requests.cancel(session, user, request_id, text, ctx=ctx)
        else:
            return
    except DomainError as exc:
        await session.refresh(user)  # a refused stale write rolled the session back
        await turn.bot.send_message(turn.chat_id, domain_error_text(exc))
        try:
            await send_card(turn, await requests.load_visible(session, user, request_id))
        except DomainError:
            pass
        return
    done = {
        Act.SAY: t("The message is sent."),
        Act.NOTE: t("The note is saved."),
        Act.ASK: t("The question is sent; the request waits for the answer."),
        Act.RESOLVE: t("The request is resolved; the requester is asked to confirm."),
        Act.NOT_SOLVED: t("The request is back in work."),
        Act.CANCEL: t("The request is cancelled."),
    }[kind]
    if lost:
        done += "\n" + t("Telegram no longer gives some files: %(n)s; send them again in a message.", n=lost)
    await send_card(turn, await requests.load(session, request_id), done)


async def got_text(message: Message, turn: Turn, settings: Settings) -> None:
    text = (message.text or "").strip()
    if len(text) > requests.TEXT_LIMIT:
        await message.answer(turn.t("The text is too long: at most %(n)s characters.", n=requests.TEXT_LIMIT))
        return
    await submit(turn, settings, text)


async def got_file(message: Message, turn: Turn, settings: Settings, albums: Albums) -> None:
    t, state = turn.t, turn.fsm
    data = await state.get_data()
    if data.get("kind") not in WITH_FILES:
        await message.answer(t("Here only a text is taken: write it in a message."))
        return
    refused = await files.take(message, turn)
    caption = (message.caption or "").strip()
    if caption:  # sent with the files as the message's text
        await state.update_data(caption=caption)
    if message.media_group_id is None:
        if refused is not None:
            await message.answer(refused)
        elif caption:  # a photo with a caption is a whole message
            await submit(turn, settings, caption)
        else:
            await ask_send(turn, t("The file is attached."))
        return

    async def acknowledge(album: Album) -> None:  # once per album, when its parts stop arriving
        if await state.get_state() == DeskForm.typing:
            await ask_send(turn, files.album_text(turn, album))

    await albums.add((turn.chat_id, message.media_group_id), refused=refused, on_quiet=acknowledge)


async def ask_send(turn: Turn, head: str) -> None:
    t = turn.t
    data = await turn.fsm.get_data()
    rid = int(data.get("id") or 0)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [render.button(t("📨 Send the files"), Act.SEND_FILES, rid)],
            [render.button(t("✖ Cancel"), Act.STOP, rid)],
        ]
    )
    lines = [head, t("Files attached: %(n)s.", n=len(data.get("files") or []))]
    if data.get("caption"):
        lines.append(t("The caption is sent as the text."))
    lines.append(t("Write the text, or send the files without it."))
    await turn.bot.send_message(turn.chat_id, "\n\n".join(lines), reply_markup=markup)


async def send_files(query: CallbackQuery, turn: Turn, settings: Settings) -> None:
    await query.answer()
    await settle(query, turn.t("The files are sent."))
    await submit(turn, settings, str((await turn.fsm.get_data()).get("caption") or ""))


async def stop(query: CallbackQuery, turn: Turn) -> None:
    await turn.fsm.clear()
    await query.answer()
    await settle(query, turn.t("Nothing is sent."))


async def hint(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Write the text in a message, or send /cancel."))


def create_router() -> Router:
    router = Router(name="service_desk.typing")
    router.callback_query.register(begin, DeskCallback.filter(F.action.in_(set(KINDS))))
    router.callback_query.register(
        send_files, DeskForm.typing, DeskCallback.filter(F.action == Act.SEND_FILES)
    )
    router.callback_query.register(stop, DeskForm.typing, DeskCallback.filter(F.action == Act.STOP))
    router.message.register(got_text, DeskForm.typing, F.text, ~F.text.startswith("/"))
    router.message.register(got_file, DeskForm.typing, F.photo | F.document)
    router.message.register(hint, DeskForm.typing)
    return router
