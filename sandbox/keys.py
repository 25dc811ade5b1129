"""Typed application keys (kept apart so that every module can import them without cycles)."""

from __future__ import annotations

from aiohttp import web

from .state import SandboxState

SANDBOX_STATE = web.AppKey("sandbox_state", SandboxState)
