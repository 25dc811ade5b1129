"""Porucheno: Telegram-first work management for municipal administrations."""

__version__ = "0.1.0"
