"""The same handlers serve MAX users: end to end against the MAX sandbox."""

from __future__ import annotations

from tests.bot.conftest import RESIDENT_MENU
from tests.bot.max_support import max_keyboard_texts


async def test_start_shows_the_resident_menu_as_buttons(new_max_chat) -> None:
    chat = await new_max_chat("Мария")
    reply = await chat.send("/start")
    assert reply["body"]["text"].startswith("Здравствуйте, Мария!")
    assert max_keyboard_texts(reply) == RESIDENT_MENU
