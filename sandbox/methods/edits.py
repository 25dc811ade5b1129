"""Edits of bot messages and callback query answers."""

from __future__ import annotations

import time
from typing import Any

from ..errors import bad_request
from ..records import MEDIA_KINDS, ChatRecord, MessageRecord
from .base import Handler, MethodCall

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


def _editable(call: MethodCall) -> tuple[ChatRecord, MessageRecord]:
    if call.params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # the sandbox has no inline mode
    chat = call.chat(writable=False)
    message = call.message(chat)
    if message.bot is None or message.bot.id != call.bot.id:
        raise bad_request("message can't be edited")
    return chat, message


def _apply(
    call: MethodCall,
    chat: ChatRecord,
    message: MessageRecord,
    content: dict[str, Any],
    markup: dict[str, Any] | None,
) -> dict[str, Any]:
    def meaningful(fields: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in fields.items() if v not in (None, [], "")}

    new_content = meaningful({**message.content, **content})
    if new_content == meaningful(message.content) and markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.content, message.reply_markup = new_content, markup
    message.edited += 1
    message.edit_date = max(message.date, int(time.time()))
    call.state.bump(chat, message)
    return message.to_telegram()


async def edit_message_text(call: MethodCall) -> dict[str, Any]:
    chat, message = _editable(call)
    if "text" not in message.content:
        raise bad_request("there is no text in the message to edit")
    text, entities = call.text()
    # As in Telegram, omitting reply_markup in an edit removes the inline keyboard.
    return _apply(
        call, chat, message, {"text": text, "entities": entities}, call.reply_markup(inline_only=True)
    )


async def edit_message_caption(call: MethodCall) -> dict[str, Any]:
    chat, message = _editable(call)
    if not any(kind in message.content for kind in MEDIA_KINDS):
        raise bad_request("there is no caption in the message to edit")
    caption, entities = call.text(caption=True)
    content = {"caption": caption, "caption_entities": entities}
    return _apply(call, chat, message, content, call.reply_markup(inline_only=True))


async def edit_message_reply_markup(call: MethodCall) -> dict[str, Any]:
    chat, message = _editable(call)
    return _apply(call, chat, message, {}, call.reply_markup(inline_only=True))


async def answer_callback_query(call: MethodCall) -> bool:
    query = call.state.callbacks.get(call.params.string("callback_query_id") or "")
    if query is None or query.answered or query.bot.id != call.bot.id:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = call.params.string("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered, query.answer_text = True, text
    query.show_alert, query.url = call.params.flag("show_alert"), call.params.string("url")
    call.state.bump(query.chat, query)
    return True


METHODS: dict[str, Handler] = {
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "answerCallbackQuery": answer_callback_query,
}
