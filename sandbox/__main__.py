"""Standalone sandbox: ``python -m sandbox --port 8081 --persona "501:Мария Петровна:Глава"``."""

from __future__ import annotations

import argparse

from aiohttp import web

from .app import create_sandbox_app
from .config import Persona, SandboxConfig


def _persona(value: str) -> Persona:
    user_id, name, role, *rest = value.split(":")
    return Persona(int(user_id), name, role, rest[0] if rest else None)


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server with a chat page at /chat")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--lang", default="ru", choices=["ru", "en"])
    parser.add_argument(
        "--persona", action="append", type=_persona, default=[], help="id:name:role[:username]"
    )
    parser.add_argument("--no-limits", action="store_true", help="do not enforce rate limits")
    args = parser.parse_args()
    config = SandboxConfig(personas=args.persona, lang=args.lang, enforce_limits=not args.no_limits)
    print(f"Bot API base: http://{args.host}:{args.port}  chat page: http://{args.host}:{args.port}/chat")
    web.run_app(create_sandbox_app(config), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
