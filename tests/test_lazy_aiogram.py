"""aiogram's types are built on first use (porucheno/lazy_aiogram.py): each of them still can be,
the bot builds what it uses before it serves, and the process is lighter for it.

Each check runs in a fresh interpreter: this one already had its types deferred by tests/conftest.py
and built by the tests before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EVERY_TYPE = """
import inspect, json
from porucheno import lazy_aiogram
assert lazy_aiogram.install()
from aiogram import methods, types
from pydantic import BaseModel
models = [
    value for module in (types, methods) for name in module.__all__
    if inspect.isclass(value := getattr(module, name)) and issubclass(value, BaseModel)
]
deferred = sum(not model.__pydantic_complete__ for model in models)
failed = []
for model in models:
    try:
        model.model_rebuild()
        assert model.__pydantic_complete__
    except Exception as exc:
        failed.append(f"{model.__name__}: {exc!r}"[:300])
update = types.Update.model_validate({"update_id": 1, "message": {
    "message_id": 5, "date": 1, "chat": {"id": 7, "type": "private"},
    "from": {"id": 7, "is_bot": False, "first_name": "Вера"}, "text": "/start"}})
sent = methods.SendMessage(chat_id=7, text="Здравствуйте", reply_markup=types.InlineKeyboardMarkup(
    inline_keyboard=[[types.InlineKeyboardButton(text="Да", callback_data="y")]]))
reply = methods.Response[types.Message].model_validate({"ok": True, "result": {
    "message_id": 6, "date": 1, "chat": {"id": 7, "type": "private"}, "text": "Здравствуйте"}})
print(json.dumps({"models": len(models), "deferred": deferred, "failed": failed,
    "text": update.message.text, "button": sent.model_dump()["reply_markup"]["inline_keyboard"][0][0]["text"],
    "reply": reply.result.text}))
"""

WARMED = """
import json
from porucheno import lazy_aiogram
lazy = lazy_aiogram.install() if LAZY else False
from aiogram import types
imported = types.Message.__pydantic_complete__
import bot.factory, handlers  # what the product loads before it creates the bot
from bot.warm_types import RECEIVED, SHORTCUT_METHODS, imported_models, warm_telegram_types
count = warm_telegram_types()
used = {*RECEIVED, *SHORTCUT_METHODS, *imported_models()}
names = {model.__name__ for model in used}
print(json.dumps({"complete_at_import": imported, "count": count == len(used),
    "keyboards": {"InlineKeyboardButton", "ReplyKeyboardMarkup", "InputMediaPhoto"} <= names,
    "warm": all(model.__pydantic_complete__ for model in used)}))
"""


def run(script: str) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_telegram_type_and_method_builds_on_first_use() -> None:
    found = run(EVERY_TYPE)
    assert found["failed"] == []
    assert found["models"] > 300
    assert found["deferred"] > 250  # not built at import
    assert (found["text"], found["button"], found["reply"]) == ("/start", "Да", "Здравствуйте")


def test_the_bot_builds_what_it_uses_before_it_serves() -> None:
    warmed = {"count": True, "keyboards": True, "warm": True}
    assert run(WARMED.replace("LAZY", "True")) == {"complete_at_import": False, **warmed}
    # Without the finder (aiogram imported first) everything is built at import, as aiogram does.
    assert run(WARMED.replace("LAZY", "False")) == {"complete_at_import": True, **warmed}
