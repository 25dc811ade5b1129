"""States of the «Write an appeal» conversation."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class AppealForm(StatesGroup):
    consent = State()  # the consent text is shown; nothing personal is kept until «I agree»
    category = State()
    text = State()
    address = State()
    files = State()
    name = State()  # the full name (59-FZ art. 7): surname and first name, patronymic if any
    contact = State()
    email_code = State()  # waiting for the code sent to the typed e-mail address
    confirm = State()
