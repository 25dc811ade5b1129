"""Inline-button payloads. Packed data must stay within Telegram's 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageCallback(CallbackData, prefix="lang"):
    code: str
