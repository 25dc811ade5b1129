"""bot/routing.py routes exactly as aiogram does, and skips handlers no state of the chat can reach.

The whole bot goes through it (every flow test drives it); here a small tree with each construct
aiogram's walk has — router filters that add data, outer middlewares at two depths, inner
middlewares, ``SkipHandler``, state filters of every form — is routed by aiogram and by the walker,
and the handler reached, what it was given and what the middlewares saw must be the same.
"""

from __future__ import annotations

import datetime
from typing import Any

from aiogram import BaseMiddleware, F, Router
from aiogram.dispatcher.event.bases import UNHANDLED, SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup, any_state, default_state
from aiogram.types import CallbackQuery, Chat, Message
from aiogram.types import User as TgUser

from bot.inline_filters import run_filters_inline
from bot.routing import Gate, RouteWalker, gate_of, state_gate


class Form(StatesGroup):
    name = State()
    phone = State()


class Other(StatesGroup):
    text = State()


class Note(BaseMiddleware):
    """Outer or inner middleware: records its name and adds a value for what runs below it."""

    def __init__(self, name: str, seen: list[str]) -> None:
        self.name, self.seen = name, seen

    async def __call__(self, handler: Any, event: Any, data: dict[str, Any]) -> Any:
        self.seen.append(f"{self.name}@{data['event_router'].name}")
        data[f"mw_{self.name}"] = True
        return await handler(event, data)


def _tree(seen: list[str]) -> Router:
    root = Router(name="root")
    root.message.filter(F.chat.type == "private")
    root.message.outer_middleware(Note("outer_root", seen))

    def handler(name: str, *, skip: bool = False) -> Any:
        async def handle(message: Message, **data: Any) -> dict[str, Any]:
            if skip:
                raise SkipHandler
            hidden = {"event_router", "handler", "bot", "event_chat", "event_from_user"}
            return {
                "handler": name,
                "router": data["event_router"].name,
                "data": sorted(k for k in data if k not in hidden),
                "command": data["command"].command if "command" in data else None,
            }

        handle.__name__ = name
        return handle

    commands = Router(name="commands")
    commands.message.register(handler("start"), Command("start"))
    forms = Router(name="forms")
    forms.message.filter(lambda m: {"form_hint": m.text})  # a router filter that adds data
    forms.message.outer_middleware(Note("outer_forms", seen))
    forms.message.middleware(Note("inner_forms", seen))
    forms.message.register(handler("name"), Form.name, F.text)
    forms.message.register(handler("phone_skip", skip=True), StateFilter(Form.phone))
    forms.message.register(handler("phone"), StateFilter(Form.phone, Other.text), F.text.regexp(r"\d+"))
    forms.message.register(handler("any_form"), StateFilter(Form))
    nested = Router(name="nested")
    nested.message.register(handler("other"), Other.text)
    nested.message.register(handler("none_state"), StateFilter(None), F.text == "idle")
    forms.include_router(nested)
    anywhere = Router(name="anywhere")
    anywhere.message.register(handler("star"), any_state, F.text == "star")
    anywhere.message.register(handler("fallback"))
    root.include_routers(commands, forms, anywhere)
    run_filters_inline(root)
    return root


def _message(text: str, chat_type: str = "private") -> Message:
    return Message(
        message_id=1,
        date=datetime.datetime.now(datetime.UTC),
        chat=Chat(id=5, type=chat_type),
        from_user=TgUser(id=5, is_bot=False, first_name="Вера"),
        text=text,
    )


CASES = [
    ("/start", None, "private"),
    ("/start", Form.name.state, "private"),
    ("Вера", Form.name.state, "private"),
    ("12345", Form.phone.state, "private"),
    ("no digits", Form.phone.state, "private"),
    ("12345", Other.text.state, "private"),
    ("words", Other.text.state, "private"),
    ("idle", None, "private"),
    ("star", "Unknown:state", "private"),
    ("anything", "Unknown:state", "private"),
    ("hello", None, "group"),
]


async def test_the_walker_routes_as_aiogram_does() -> None:
    for text, raw_state, chat_type in CASES:
        results = []
        for walk in ("aiogram", "walker"):
            seen: list[str] = []
            root = _tree(seen)
            event = _message(text, chat_type)
            data = {"bot": None, "event_chat": event.chat, "event_from_user": event.from_user}
            data["raw_state"] = raw_state
            if walk == "aiogram":
                answer = await root.propagate_event("message", event, **data)
            else:
                answer = await RouteWalker().propagate(root, "message", event, data)
            results.append((answer, seen))
        assert results[0] == results[1], (text, raw_state)
    # The cases do reach what they are about (the tree is not answering everything the same way).
    seen: list[str] = []
    context = {"bot": None, "raw_state": Form.phone.state}
    answer = await RouteWalker().propagate(_tree(seen), "message", _message("12345"), context)
    assert answer["handler"] == "phone" and answer["router"] == "forms"
    assert "form_hint" in answer["data"] and "mw_inner_forms" in answer["data"]
    # The skipped handler's inner middleware ran too, as aiogram runs it before SkipHandler.
    assert seen == ["outer_root@root", "outer_forms@forms", "inner_forms@forms", "inner_forms@forms"]
    group = _message("x", "group")
    assert await RouteWalker().propagate(_tree([]), "message", group, {"bot": None}) is UNHANDLED


def test_state_gates() -> None:
    def gate(*filters: Any) -> Any:
        router = Router()
        router.message.register(lambda m: None, *filters)
        run_filters_inline(router)
        return state_gate(router.message.handlers[0])

    assert gate(Form.name, F.text) == {"Form:name"}
    assert gate(StateFilter(Form.name, Other.text)) == {"Form:name", "Other:text"}
    assert gate(StateFilter(Form)) == {"Form:name", "Form:phone"}
    assert gate(StateFilter(None)) == {None}
    assert gate(default_state) == {None}
    assert gate(StateFilter("Custom:raw")) == {"Custom:raw"}
    # Filters that admit any state, or are not about state at all, are always asked.
    assert gate(any_state) is None
    assert gate(StateFilter("*")) is None
    assert gate(StateFilter(Form.name, "*")) is None
    assert gate(F.text == "x", Form.name) is None  # the state filter is not the first one
    assert gate() is None


class Pick(CallbackData, prefix="pk"):
    item: int


class PickMore(CallbackData, prefix="pkm"):  # "pk" is its prefix's prefix: not the same button
    item: int


class Dashed(CallbackData, prefix="ds", sep="-"):
    act: str


def _press_tree() -> Router:
    root = Router(name="root")

    def handler(name: str, *, skip: bool = False) -> Any:
        async def handle(query: CallbackQuery, **data: Any) -> dict[str, Any]:
            if skip:
                raise SkipHandler
            button = data.get("callback_data")
            return {"handler": name, "router": data["event_router"].name, "button": repr(button)}

        return handle

    first, second = Router(name="first"), Router(name="second")
    first.callback_query.register(handler("pick_skip", skip=True), Pick.filter(F.item == 1))
    first.callback_query.register(handler("pick_one"), Pick.filter(F.item == 1))
    first.callback_query.register(handler("in_form"), Form.name, Pick.filter())
    second.callback_query.register(handler("more"), PickMore.filter())
    second.callback_query.register(handler("dashed"), Dashed.filter(F.act == "go"))
    second.callback_query.register(handler("pick_any"), Pick.filter())
    second.callback_query.register(handler("plain"), F.data == "plain")
    second.callback_query.register(handler("outdated"))
    root.include_routers(first, second)
    run_filters_inline(root)
    return root


async def test_presses_are_routed_as_aiogram_routes_them() -> None:
    presses = [
        ("pk:1", None),
        ("pk:2", None),
        ("pk:2", Form.name.state),
        ("pkm:1", None),
        ("pk:1:2", None),
        ("ds-go", None),
        ("ds-stop", None),
        ("ds:go", None),
        ("plain", None),
        ("", None),
        (None, None),
    ]
    for data, raw_state in presses:
        query = CallbackQuery(
            id="1", from_user=TgUser(id=5, is_bot=False, first_name="Вера"), chat_instance="c", data=data
        )
        context = {"bot": None, "raw_state": raw_state}
        stock = await _press_tree().propagate_event("callback_query", query, **context)
        walked = await RouteWalker().propagate(_press_tree(), "callback_query", query, context)
        assert stock == walked, (data, raw_state)
    query = CallbackQuery(
        id="1", from_user=TgUser(id=5, is_bot=False, first_name="В"), chat_instance="c", data="pkm:3"
    )
    answer = await RouteWalker().propagate(_press_tree(), "callback_query", query, {"bot": None})
    assert answer == {"handler": "more", "router": "second", "button": repr(PickMore(item=3))}


def test_button_gates() -> None:
    router = Router()
    router.callback_query.register(lambda q: None, Pick.filter(F.item > 0))
    router.callback_query.register(lambda q: None, Dashed.filter())
    router.callback_query.register(lambda q: None, F.data == "x", Pick.filter())
    run_filters_inline(router)
    pick, dashed, magic = (gate_of(h) for h in router.callback_query.handlers)
    assert pick == Gate(separator=":", prefix="pk")
    assert dashed == Gate(separator="-", prefix="ds")
    assert magic is None
