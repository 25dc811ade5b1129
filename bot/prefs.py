"""Per-chat preferences of residents, kept in the FSM storage next to (not inside) conversation data.

Kept under a separate storage *destiny*: ``state.clear()`` (``/cancel``) wipes the conversation but
not the preference. Residents' language now lives on ``TelegramAccount.locale`` (staff: ``User.locale``);
the locale middleware still reads a choice stored here earlier, so no one loses it on upgrade.
"""

from __future__ import annotations

from dataclasses import replace

from aiogram.fsm.context import FSMContext

PREFS_DESTINY = "prefs"


def _prefs(state: FSMContext) -> FSMContext:
    return FSMContext(storage=state.storage, key=replace(state.key, destiny=PREFS_DESTINY))


async def get_locale(state: FSMContext) -> str | None:
    return (await _prefs(state).get_data()).get("locale")


async def set_locale(state: FSMContext, locale: str) -> None:
    await _prefs(state).update_data(locale=locale)
