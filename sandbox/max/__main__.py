"""Standalone MAX sandbox: ``python -m sandbox.max --port 8082 --persona "501:Мария Петровна:Глава"``."""

from __future__ import annotations

import argparse

from aiohttp import web

from .app import create_max_sandbox_app
from .config import MaxSandboxConfig, Persona


def _persona(value: str) -> Persona:
    user_id, name, role, *rest = value.split(":")
    return Persona(int(user_id), name, role, rest[0] if rest else None)


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake MAX Bot API server with a chat page at /chat")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--lang", default="ru", choices=["ru", "en"])
    parser.add_argument("--token", default="max-sandbox-token", help="'' accepts any token")
    parser.add_argument(
        "--persona", action="append", type=_persona, default=[], help="id:name:role[:username]"
    )
    parser.add_argument("--no-limits", action="store_true", help="do not enforce the 30 requests/s limit")
    args = parser.parse_args()
    config = MaxSandboxConfig(
        token=args.token or None,
        personas=args.persona,
        lang=args.lang,
        enforce_limits=not args.no_limits,
    )
    base = f"http://{args.host}:{args.port}"
    print(f"MAX Bot API base: {base}  chat page: {base}/chat")
    web.run_app(create_max_sandbox_app(config), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
