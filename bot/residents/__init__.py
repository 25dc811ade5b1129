"""Residents and outages in the bot: callback data, conversation states, keyboards and texts
(handlers/residents)."""
